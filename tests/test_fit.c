/* Tests of `cvxrelu fit` and `cvxrelu predict` (src/harness/cmd_fit.c, cmd_predict.c) as a user runs them on a
 * CSV of their own (n = 200, d = 5, written here): the predictions, the metrics and the models' objectives agree
 * with numpy's recomputation from the exported weights (/usr/bin/python3, PyYAML reads the model); the patterns
 * in the model are those of its neurons; the convex model's objective equals p_convex of the `convex` experiment
 * run on the same config (`cvxrelu run`, an independent run path); test-set metrics through cr_fit_models; bad
 * input exits 2 and writes nothing; two fits give byte-identical files. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "cmd_fit.h"
#include "config.h"
#include "dataload.h"
#include "model.h"

/* n x d Gaussian rows; labels from a planted ReLU network plus noise (classify: their sign). With a header row
 * when header; without labels when !labels. */
static void write_data(const char *path, size_t n, size_t d, int classify, int header, int labels, unsigned long seed)
{
    gsl_rng *r = crt_rng_seeded(seed);
    double W[3][16], x[16];
    for (int j = 0; j < 3; j++)
        for (size_t k = 0; k < d; k++) W[j][k] = gsl_ran_gaussian(r, 1.0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    if (header) {
        for (size_t k = 0; k < d; k++) fprintf(f, "%sx%zu", k ? "," : "", k + 1);
        fprintf(f, labels ? ",y\n" : "\n");
    }
    for (size_t i = 0; i < n; i++) {
        double y = 0;
        for (size_t k = 0; k < d; k++) x[k] = gsl_ran_gaussian(r, 1.0);
        for (int j = 0; j < 3; j++) {
            double h = 0;
            for (size_t k = 0; k < d; k++) h += W[j][k] * x[k];
            y += (j == 1 ? -1 : 1) * (h > 0 ? h : 0);
        }
        y += 0.1 * gsl_ran_gaussian(r, 1.0);
        if (classify) y = y >= 0 ? 1 : -1;
        for (size_t k = 0; k < d; k++) fprintf(f, "%s%.17g", k ? "," : "", x[k]);
        if (labels) fprintf(f, ",%.17g", y);
        fputc('\n', f);
    }
    fclose(f);
    gsl_rng_free(r);
}

/* The numpy oracle: recomputes from the model file (PyYAML) and the data every number that fit and predict wrote. */
static const char oracle_py[] =
    "import sys, csv, yaml, numpy as np\n"
    "fitdir, model, data, preddir, unlab = sys.argv[1:6]\n"
    "m = yaml.safe_load(open(model))\n"
    "A = np.loadtxt(data, delimiter=',', skiprows=1, ndmin=2)\n"
    "X, y = A[:, :-1], A[:, -1]\n"
    "d, w = m['d'], m['width']\n"
    "W1 = np.array(m['W1'], dtype=float).reshape(d, w); w2 = np.array(m['w2'], dtype=float)\n"
    "f = np.maximum(X @ W1, 0) @ w2 if w else np.zeros(len(y))\n"
    "def close(a, b, tol, what):\n"
    "    a, b = np.asarray(a, float), np.asarray(b, float)\n"
    "    err = np.max(np.abs(a - b) / (1 + np.abs(b)))\n"
    "    if not err <= tol: sys.exit('%s: off by %g (tol %g)' % (what, err, tol))\n"
    "def table(path):\n"
    "    return list(csv.DictReader(open(path)))\n"
    "P = table(preddir + '/predictions.csv')\n"
    "close([float(r['prediction']) for r in P], f, 1e-12, 'predictions')\n"
    "if [int(r['sample']) for r in P] != list(range(1, len(y) + 1)): sys.exit('sample column')\n"
    "U = table(unlab + '/predictions.csv')\n"
    "if [r['prediction'] for r in U] != [r['prediction'] for r in P]: sys.exit('unlabeled predictions differ')\n"
    "beta, loss = float(m['beta']), m['loss']\n"
    "if loss == 'squared': L = 0.5 * np.sum((f - y) ** 2)\n"
    "elif loss == 'logistic': L = np.sum(np.logaddexp(0, -y * f))\n"
    "else: L = np.sum(np.maximum(0, 1 - y * f))\n"
    "L += beta / 2 * (np.sum(W1 ** 2) + np.sum(w2 ** 2))\n"
    "close(m['objective'], L, 1e-10, 'objective')\n"
    "want = {'n': len(y), 'mse': np.mean((f - y) ** 2)}\n"
    "if loss != 'squared':\n"
    "    cls = np.where(f >= 0, 1, -1)\n"
    "    if [int(r['class']) for r in P] != list(cls): sys.exit('class column')\n"
    "    want.update(accuracy=np.mean(cls == y), logistic_loss=np.mean(np.logaddexp(0, -y * f)),\n"
    "                hinge_loss=np.mean(np.maximum(0, 1 - y * f)))\n"
    "    if loss == 'logistic': close([float(r['probability']) for r in P], 1 / (1 + np.exp(-f)), 1e-12, 'prob')\n"
    "    elif 'probability' in P[0]: sys.exit('probability column for a hinge model')\n"
    "elif 'class' in P[0]: sys.exit('class column for a squared-loss model')\n"
    "got = {r['metric']: float(r['value']) for r in table(preddir + '/metrics.csv')}\n"
    "if set(got) != set(want): sys.exit('metrics %s, expected %s' % (sorted(got), sorted(want)))\n"
    "for k in want: close(got[k], want[k], 1e-12, 'predict metric ' + k)\n"
    "fit = {r['metric']: float(r['value']) for r in table(fitdir + '/metrics.csv')\n"
    "       if r['model'] == m['kind'] and r['set'] == 'train'}\n"
    "if set(fit) != set(want): sys.exit('fit metrics %s' % sorted(fit))\n"
    "for k in want: close(fit[k], want[k], 1e-12, 'fit metric ' + k)\n"
    "# the patterns: gd, 1(X w1_j >= 0); convex, a cone K_i holds w1_j (up to rounding)\n"
    "for j, p in enumerate(m['patterns']):\n"
    "    s = np.array([c == '1' for c in p]); z = X @ W1[:, j]\n"
    "    if m['kind'] == 'gd':\n"
    "        if not np.array_equal(s, z >= 0): sys.exit('gd pattern %d' % j)\n"
    "    else:\n"
    "        tol = 1e-9 * np.linalg.norm(X, axis=1) * np.linalg.norm(W1[:, j])\n"
    "        if np.any(z[s] < -tol[s]) or np.any(z[~s] > tol[~s]): sys.exit('convex pattern %d' % j)\n"
    "print('ok', m['kind'], loss, w)\n";

static void check_with_numpy(const char *dir, const char *fitdir, const char *kind, const char *data,
                             const char *xonly)
{
    char args[2048], py[512], cmd[4096];
    snprintf(args, sizeof args, "predict '%s/model_%s.yaml' '%s' --out '%s/pred_%s' --quiet", fitdir, kind, data, dir,
             kind);
    crt_expect_prog(args, 0);
    snprintf(args, sizeof args, "predict '%s/model_%s.yaml' '%s' --out '%s/unlab_%s' --quiet", fitdir, kind, xonly,
             dir, kind);
    crt_expect_prog(args, 0);
    char path[600];
    snprintf(path, sizeof path, "%s/unlab_%s/metrics.csv", dir, kind);
    assert_false(crt_exists(path)); /* no labels, no metrics */
    snprintf(py, sizeof py, "%s/oracle.py", dir);
    crt_write_text(py, oracle_py);
    snprintf(cmd, sizeof cmd, "%s '%s' '%s' '%s/model_%s.yaml' '%s' '%s/pred_%s' '%s/unlab_%s'", CRT_PYTHON, py,
             fitdir, fitdir, kind, data, dir, kind, dir, kind);
    char *out = NULL;
    int st = crt_sh(cmd, &out);
    if (st != 0) fail_msg("numpy oracle (%s): %s", kind, out);
    free(out);
}

/* The value of key in a summary.csv (key,value); NAN when absent. */
static double summary_value(const char *path, const char *key)
{
    char *text = crt_slurp(path, NULL);
    if (!text) fail_msg("%s missing", path);
    char needle[128];
    snprintf(needle, sizeof needle, "\n%s,", key);
    const char *at = strstr(text, needle);
    double v = at ? strtod(at + strlen(needle), NULL) : NAN;
    free(text);
    return v;
}

static void write_config(const char *path, const char *data, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text,
             "data:\n  kind: csv\n  path: '%s'\npatterns:\n  method: sample\n  samples: 300\nseed: 3\n"
             "solver:\n  max_seconds: 120\n"
             "train:\n  width: 12\n  iters: 1500\n  lr: 0.002\n%s",
             data, extra);
    crt_write_text(path, text);
}

/* The files of a fit test in a fresh temporary folder dir: data.csv (n = 200, d = 5, a header, labels; classify:
 * labels in {-1, +1}), features.csv (the same rows without labels), the paths of fit.yaml and the fit folder. */
typedef struct {
    char dir[256], data[512], xonly[512], cfg[512], fitdir[512];
} fit_files;

static void make_fit_files(fit_files *F, int classify, unsigned long seed)
{
    crt_tmpdir(F->dir);
    snprintf(F->data, sizeof F->data, "%s/data.csv", F->dir);
    snprintf(F->xonly, sizeof F->xonly, "%s/features.csv", F->dir);
    snprintf(F->cfg, sizeof F->cfg, "%s/fit.yaml", F->dir);
    snprintf(F->fitdir, sizeof F->fitdir, "%s/fit", F->dir);
    write_data(F->data, 200, 5, classify, 1, 1, seed);
    write_data(F->xonly, 200, 5, classify, 1, 0, seed);
}

/* The "done when": a user's CSV through fit and predict, every number checked by numpy. The squared loss,
 * both models. */
static void test_regression_numpy(void **state)
{
    (void)state;
    fit_files F;
    make_fit_files(&F, 0, 11);
    const char *dir = F.dir, *data = F.data, *xonly = F.xonly, *cfg = F.cfg, *fitdir = F.fitdir;
    char args[2048];
    write_config(cfg, data, "beta: 0.1\nfit:\n  model: both\n");
    snprintf(args, sizeof args, "fit '%s' --out '%s' --quiet", cfg, fitdir);
    crt_expect_prog(args, 0);
    check_with_numpy(dir, fitdir, "convex", data, xonly);
    check_with_numpy(dir, fitdir, "gd", data, xonly);

    /* The convex model is the `convex` experiment's optimum: run it on the same config, compare p_convex. */
    char rundir[512], sum[600];
    snprintf(rundir, sizeof rundir, "%s/run", dir);
    snprintf(args, sizeof args, "run '%s' --set experiment=convex --out '%s' --quiet", cfg, rundir);
    crt_expect_prog(args, 0);
    snprintf(sum, sizeof sum, "%s/summary.csv", rundir);
    const double p_convex = summary_value(sum, "p_convex"), m_star = summary_value(sum, "m_star");
    cr_model *M = NULL;
    cr_err err = {{0}};
    char model[600];
    snprintf(model, sizeof model, "%s/model_convex.yaml", fitdir);
    if (cr_model_read(model, &M, &err)) fail_msg("%s", err.msg);
    if (!(fabs(M->objective - p_convex) <= 1e-9 * fmax(1, fabs(p_convex))))
        fail_msg("fit's convex objective %.17g, the convex experiment's p_convex %.17g", M->objective, p_convex);
    assert_true((double)M->m == m_star);
    cr_model_free(M);
    crt_rmtree(dir);
}

/* Classification: logistic loss on labels in {-1, +1}: class, probability, accuracy, logistic and hinge loss; and
 * a hinge-loss gd model. */
static void test_classification_numpy(void **state)
{
    (void)state;
    fit_files F;
    make_fit_files(&F, 1, 12);
    const char *dir = F.dir, *data = F.data, *xonly = F.xonly, *cfg = F.cfg, *fitdir = F.fitdir;
    char args[2048];
    /* Weight decay 1 over 100 patterns: the logistic program converges in a second (at beta = 0.1 over 300 the
     * solver needs minutes). */
    write_config(cfg, data, "loss: logistic\nbeta: 1\nfit:\n  model: both\n");
    snprintf(args, sizeof args, "fit '%s' --set patterns.samples=100 --out '%s' --quiet", cfg, fitdir);
    crt_expect_prog(args, 0);
    check_with_numpy(dir, fitdir, "convex", data, xonly);
    check_with_numpy(dir, fitdir, "gd", data, xonly);
    snprintf(args, sizeof args, "fit '%s' --set loss=hinge --set fit.model=gd --out '%s' --quiet", cfg, fitdir);
    crt_expect_prog(args, 0);
    check_with_numpy(dir, fitdir, "gd", data, xonly);
    crt_rmtree(dir);
}

/* Test-set metrics: cr_fit_models with a test set writes model,test rows equal to the metrics of the model file's
 * network on the test rows, computed here by the plain-loop reference. */
static void test_test_set_metrics(void **state)
{
    (void)state;
    char dir[256], cfgpath[512], rundir[512], path[700];
    crt_tmpdir(dir);
    snprintf(cfgpath, sizeof cfgpath, "%s/fit.yaml", dir);
    snprintf(rundir, sizeof rundir, "%s/run", dir);
    assert_int_equal(mkdir(rundir, 0755), 0);
    crt_write_text(cfgpath, "data:\n  n: 30\n  d: 3\nbeta: 0.05\nfit:\n  model: convex\n");
    static cr_config cfg;
    cr_err err = {{0}};
    if (cr_config_load_fit(cfgpath, NULL, 0, &cfg, &err)) fail_msg("%s", err.msg);
    cr_data *train = NULL, *test = NULL;
    assert_int_equal(cr_dataload_from_config(&cfg, &train, &err), CR_OK);
    gsl_rng *r = crt_rng_seeded(7);
    assert_int_equal(cr_data_gaussian(17, 3, 3, 0.1, CR_LABELS_PLANTED, r, &test, &err), CR_OK);
    gsl_rng_free(r);
    cr_run *run = cr_run_alloc(rundir, 1);
    assert_non_null(run);
    if (cr_fit_models(&cfg, train, test, run, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cr_run_finish(run, &err), CR_OK);
    cr_run_free(run);
    cr_model *M = NULL;
    snprintf(path, sizeof path, "%s/model_convex.yaml", rundir);
    if (cr_model_read(path, &M, &err)) fail_msg("%s", err.msg);
    double f[17], mse = 0;
    if (M->m) cr_net_reference(test->X, 17, 3, M->net->W1, M->net->w2, M->m, f);
    else memset(f, 0, sizeof f);
    for (size_t i = 0; i < 17; i++) mse += (f[i] - test->y[i]) * (f[i] - test->y[i]) / 17.0;
    snprintf(path, sizeof path, "%s/metrics.csv", rundir);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\nconvex,test,n,17\n"));
    const char *at = strstr(text, "\nconvex,test,mse,");
    assert_non_null(at);
    const double got = strtod(at + strlen("\nconvex,test,mse,"), NULL);
    if (!(fabs(got - mse) <= 1e-12 * mse)) fail_msg("test mse %.17g, reference %.17g", got, mse);
    snprintf(path, sizeof path, "%s/summary.csv", rundir);
    assert_true(summary_value(path, "convex_test_mse") == got);
    assert_true(summary_value(path, "n_test") == 17);
    free(text);
    cr_model_free(M);
    cr_data_free(train);
    cr_data_free(test);
    crt_rmtree(dir);
}

/* data.test_path through the program: fit reports the held-out set's metrics (metrics.csv rows `MODEL,test,...`
 * and summary keys), recomputed here by numpy from the exported model and the test file. */
static const char test_oracle_py[] =
    "import sys, csv, yaml, numpy as np\n"
    "fitdir, test = sys.argv[1:3]\n"
    "A = np.loadtxt(test, delimiter=',', skiprows=1, ndmin=2); X, y = A[:, :-1], A[:, -1]\n"
    "rows = list(csv.DictReader(open(fitdir + '/metrics.csv')))\n"
    "summ = {r['key']: r['value'] for r in csv.DictReader(open(fitdir + '/summary.csv'))}\n"
    "if int(summ['n_test']) != len(y): sys.exit('n_test %s' % summ['n_test'])\n"
    "for kind in ('convex', 'gd'):\n"
    "    m = yaml.safe_load(open(fitdir + '/model_' + kind + '.yaml'))\n"
    "    W1 = np.array(m['W1'], dtype=float).reshape(m['d'], m['width']); w2 = np.array(m['w2'], dtype=float)\n"
    "    f = np.maximum(X @ W1, 0) @ w2\n"
    "    mse = np.mean((f - y) ** 2)\n"
    "    got = [float(r['value']) for r in rows if r['model'] == kind and r['set'] == 'test' and r['metric'] == 'mse']\n"
    "    if len(got) != 1 or abs(got[0] - mse) > 1e-12 * (1 + mse): sys.exit('%s test mse %s, numpy %r' % (kind, got, mse))\n"
    "    if abs(float(summ[kind + '_test_mse']) - mse) > 1e-12 * (1 + mse): sys.exit('%s summary test mse' % kind)\n"
    "print('ok')\n";

static void test_test_path_numpy(void **state)
{
    (void)state;
    char dir[256], data[512], test[512], cfg[512], fitdir[512], py[512], args[2048], extra[1024];
    crt_tmpdir(dir);
    snprintf(data, sizeof data, "%s/train.csv", dir);
    snprintf(test, sizeof test, "%s/test.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/fit.yaml", dir);
    snprintf(fitdir, sizeof fitdir, "%s/fit", dir);
    write_data(data, 120, 4, 0, 1, 1, 21);
    write_data(test, 50, 4, 0, 1, 1, 22);
    snprintf(extra, sizeof extra, "beta: 0.1\nfit:\n  model: both\n");
    char text[4096];
    snprintf(text, sizeof text,
             "data:\n  kind: csv\n  path: '%s'\n  test_path: '%s'\npatterns:\n  method: sample\n  samples: 100\n"
             "seed: 3\nsolver:\n  max_seconds: 120\ntrain:\n  width: 8\n  iters: 800\n  lr: 0.002\n%s",
             data, test, extra);
    crt_write_text(cfg, text);
    snprintf(args, sizeof args, "fit '%s' --out '%s' --quiet", cfg, fitdir);
    crt_expect_prog(args, 0);
    snprintf(py, sizeof py, "%s/test_oracle.py", dir);
    crt_write_text(py, test_oracle_py);
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s '%s' '%s' '%s'", CRT_PYTHON, py, fitdir, test);
    if (crt_sh(cmd, &out) != 0) fail_msg("numpy test-set oracle: %s", out);
    free(out);
    crt_rmtree(dir);
}

/* The replay oracle: from the raw semicolon file (label in column 2, labels 0/1), numpy checks the recorded mean and
 * scale against the training columns, standardizes with the recorded values, appends the bias feature, and
 * recomputes predict's predictions and metrics from the exported weights; fit's train metrics must agree. */
static const char replay_py[] =
    "import sys, csv, yaml, numpy as np\n"
    "fitdir, model, data, preddir, unlab = sys.argv[1:6]\n"
    "m = yaml.safe_load(open(model)); inp = m['input']\n"
    "A = np.loadtxt(data, delimiter=';', skiprows=1, ndmin=2)\n"
    "y = np.where(A[:, 1] == 1, 1.0, -1.0); R = np.delete(A, 1, axis=1)\n"
    "mu, sc = np.array(inp['mean'], float), np.array(inp['scale'], float)\n"
    "if inp['d_raw'] != R.shape[1] or inp['bias'] is not True or inp['labels01'] != 'map': sys.exit('input %r' % inp)\n"
    "if np.max(np.abs(mu - R.mean(0)) / (1 + np.abs(mu))) > 1e-13: sys.exit('mean %r vs %r' % (mu, R.mean(0)))\n"
    "if np.max(np.abs(sc - R.std(0)) / sc) > 1e-13: sys.exit('scale %r vs %r' % (sc, R.std(0)))\n"
    "X = np.hstack([(R - mu) / sc, np.ones((len(y), 1))])\n"
    "d, w = m['d'], m['width']\n"
    "if d != R.shape[1] + 1: sys.exit('d %d' % d)\n"
    "W1 = np.array(m['W1'], dtype=float).reshape(d, w); w2 = np.array(m['w2'], dtype=float)\n"
    "f = np.maximum(X @ W1, 0) @ w2 if w else np.zeros(len(y))\n"
    "def table(path): return list(csv.DictReader(open(path)))\n"
    "def close(a, b, tol, what):\n"
    "    a, b = np.asarray(a, float), np.asarray(b, float)\n"
    "    err = np.max(np.abs(a - b) / (1 + np.abs(b)))\n"
    "    if not err <= tol: sys.exit('%s: off by %g (tol %g)' % (what, err, tol))\n"
    "P = table(preddir + '/predictions.csv')\n"
    "close([float(r['prediction']) for r in P], f, 1e-12, 'predictions')\n"
    "U = table(unlab + '/predictions.csv')\n"
    "if [r['prediction'] for r in U] != [r['prediction'] for r in P]: sys.exit('unlabeled predictions differ')\n"
    "want = {'n': len(y), 'mse': np.mean((f - y) ** 2), 'accuracy': np.mean(np.where(f >= 0, 1, -1) == y),\n"
    "        'logistic_loss': np.mean(np.logaddexp(0, -y * f)), 'hinge_loss': np.mean(np.maximum(0, 1 - y * f))}\n"
    "got = {r['metric']: r['value'] for r in table(preddir + '/metrics.csv')}\n"
    "fit = {r['metric']: r['value'] for r in table(fitdir + '/metrics.csv') if r['model'] == m['kind'] and r['set'] == 'train'}\n"
    "if set(got) != set(want) or set(fit) != set(want): sys.exit('metrics %s / %s' % (sorted(got), sorted(fit)))\n"
    "for k in want: close(float(got[k]), want[k], 1e-12, 'predict metric ' + k)\n"
    "if got != fit: sys.exit('predict metrics %r, fit train metrics %r' % (got, fit))\n"
    "print('ok', m['kind'])\n";

/* Issue 14: fit with data.standardize, data.bias, a semicolon delimiter, a named label column and data.labels01
 * records the transform in the model's input section; predict replays it on the SAME raw file and reports fit's
 * train metrics (numpy recomputes them from the raw file, the recorded mean and scale and the weights). The model
 * round-trips bit for bit; a model fit on projected data is refused by predict (exit 2, nothing written). */
static void test_input_replay_numpy(void **state)
{
    (void)state;
    char dir[256], data[512], xonly[512], cfg[512], fitdir[512], args[2048], py[512], cmd[4096];
    crt_tmpdir(dir);
    snprintf(data, sizeof data, "%s/raw.csv", dir);
    snprintf(xonly, sizeof xonly, "%s/raw_features.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/fit.yaml", dir);
    snprintf(fitdir, sizeof fitdir, "%s/fit", dir);
    /* 80 rows, 3 features far from mean 0 / deviation 1, the label 0/1 in the second column. */
    gsl_rng *r = crt_rng_seeded(31);
    FILE *fd = fopen(data, "w"), *fx = fopen(xonly, "w");
    assert_non_null(fd);
    assert_non_null(fx);
    fputs("a;label;b;c\n", fd);
    fputs("a;b;c\n", fx);
    for (int i = 0; i < 80; i++) {
        const double a = 5 + 2 * gsl_ran_gaussian(r, 1), b = -40 + 10 * gsl_ran_gaussian(r, 1),
                     c = 0.01 * gsl_ran_gaussian(r, 1);
        const int lab = (a - 5) / 2 + 0.5 * (b + 40) / 10 - 30 * c + 0.3 * gsl_ran_gaussian(r, 1) > 0;
        fprintf(fd, "%.17g;%d;%.17g;%.17g\n", a, lab, b, c);
        fprintf(fx, "%.17g;%.17g;%.17g\n", a, b, c);
    }
    fclose(fd);
    fclose(fx);
    gsl_rng_free(r);
    char text[4096];
    snprintf(text, sizeof text,
             "data:\n  kind: csv\n  path: '%s'\n  delimiter: semicolon\n  label_column: label\n  labels01: map\n"
             "  standardize: yes\n  bias: yes\npatterns:\n  method: sample\n  samples: 60\nseed: 3\n"
             "solver:\n  max_seconds: 120\nloss: logistic\nbeta: 1\n"
             "train:\n  width: 6\n  iters: 800\n  lr: 0.005\nfit:\n  model: both\n",
             data);
    crt_write_text(cfg, text);
    snprintf(args, sizeof args, "fit '%s' --out '%s' --quiet", cfg, fitdir);
    crt_expect_prog(args, 0);
    snprintf(py, sizeof py, "%s/replay.py", dir);
    crt_write_text(py, replay_py);
    const char *kinds[] = {"convex", "gd"};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "predict '%s/model_%s.yaml' '%s' --out '%s/pred_%s' --quiet", fitdir, kinds[k],
                 data, dir, kinds[k]);
        crt_expect_prog(args, 0);
        snprintf(args, sizeof args, "predict '%s/model_%s.yaml' '%s' --out '%s/unlab_%s' --quiet", fitdir, kinds[k],
                 xonly, dir, kinds[k]);
        crt_expect_prog(args, 0);
        snprintf(cmd, sizeof cmd, "%s '%s' '%s' '%s/model_%s.yaml' '%s' '%s/pred_%s' '%s/unlab_%s'", CRT_PYTHON, py,
                 fitdir, fitdir, kinds[k], data, dir, kinds[k], dir, kinds[k]);
        char *out = NULL;
        if (crt_sh(cmd, &out) != 0) fail_msg("numpy replay oracle (%s): %s", kinds[k], out);
        free(out);
    }

    /* The model file round-trips bit for bit: read, write again, the same bytes and the same values. */
    char model[600], again[600];
    snprintf(model, sizeof model, "%s/model_gd.yaml", fitdir);
    snprintf(again, sizeof again, "%s/again.yaml", dir);
    cr_model *M = NULL, *B = NULL;
    cr_err err = {{0}};
    if (cr_model_read(model, &M, &err)) fail_msg("%s", err.msg);
    assert_true(M->input.recorded);
    assert_int_equal(M->input.delimiter, ';');
    assert_string_equal(M->input.label_column, "label");
    assert_true(M->input.labels01 && M->input.bias);
    assert_int_equal(M->input.d_raw, 3);
    assert_non_null(M->input.mean);
    if (cr_model_write(M, again, &err)) fail_msg("%s", err.msg);
    if (cr_model_read(again, &B, &err)) fail_msg("%s", err.msg);
    assert_true(cr_model_identical(M, B));
    B->input.scale[1] = nextafter(B->input.scale[1], 1e300); /* one ulp of one scale: no longer identical */
    assert_false(cr_model_identical(M, B));
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", model, again);
    if (crt_sh(cmd, NULL) != 0) fail_msg("the model file does not write back byte for byte");
    cr_model_free(M);
    cr_model_free(B);

    /* A model fit on projected data: predict refuses it, exit 2, one line, nothing written. */
    char pdir[600], pout[600];
    snprintf(pdir, sizeof pdir, "%s/proj", dir);
    snprintf(pout, sizeof pout, "%s/pred_proj", dir);
    snprintf(args, sizeof args, "fit '%s' --set data.project_d=2 --set fit.model=gd --out '%s' --quiet", cfg, pdir);
    crt_expect_prog(args, 0);
    snprintf(args, sizeof args, "predict '%s/model_gd.yaml' '%s' --out '%s'", pdir, data, pout);
    char *out = NULL;
    int st = crt_prog_sh(args, &out);
    if (st != 2 || !strstr(out, "input.project_d") || !strstr(out, "projection") ||
        strchr(out, '\n') != out + strlen(out) - 1)
        fail_msg("%s: exit %d: %s", args, st, out);
    free(out);
    assert_false(crt_exists(pout));
    crt_rmtree(dir);
}

/* Bad input, nothing written: exit 2 with one line naming the file (and key); then two fits of one config give
 * byte-identical files. */
static void test_bad_input_and_determinism(void **state)
{
    (void)state;
    char dir[256], cfg[512], out[512], data[512], args[2048], model[600];
    crt_tmpdir(dir);
    snprintf(cfg, sizeof cfg, "%s/fit.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(data, sizeof data, "%s/data.csv", dir);
    crt_write_text(cfg, "experiment: maxmargin\nloss: logistic\nbeta: 0\ndata:\n  n: 25\n  d: 2\n  labels: sign\n");
    struct {
        const char *args, *expect;
    } bad[] = {
        {"fit '%s' --out '%s'", ":3:1: beta: fit.model convex solves the convex program, which needs beta > 0"},
        {"fit '%s' --set fit.model=svm --out '%s'", "--set fit.model=svm: fit.model: expected one of convex|gd|both"},
        {"fit '%s' --set fit.model=both --set solver.method=ipm --set beta=1 --out '%s'", "solver.method"},
        {"fit '%s' --set loss=squared --set fit.model=gd --set data.labels=planted --set data.noise=-1 --out '%s'",
         "data.noise"},
        {"fit '%s' --bogus --out '%s'", "unknown option --bogus"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        snprintf(args, sizeof args, bad[c].args, cfg, out);
        char *text = NULL;
        int st = crt_prog_sh(args, &text);
        if (st != 2 || !strstr(text, bad[c].expect) || strchr(text, '\n') != text + strlen(text) - 1)
            fail_msg("%s: exit %d: %s", args, st, text);
        free(text);
        assert_false(crt_exists(out));
    }
    snprintf(args, sizeof args, "fit '%s' --quiet", cfg);
    crt_expect_prog(args, 2); /* no --out */
    /* The memory guard counts the patterns only when a convex model is asked for: exact patterns of 5000 samples in
     * 50 dimensions are refused for convex, while a gd network of 12 neurons on them fits in 64 MiB. */
    snprintf(args, sizeof args,
             "fit '%s' --set data.n=5000 --set data.d=50 --set limits.memory_mb=64 --set beta=1 --out '%s' --quiet",
             cfg, out);
    char *big = NULL;
    int bst = crt_prog_sh(args, &big);
    if (bst != 2 || !strstr(big, "exceeds limits.memory_mb = 64")) fail_msg("%s: exit %d: %s", args, bst, big);
    free(big);
    assert_false(crt_exists(out));
    snprintf(args, sizeof args,
             "fit '%s' --set data.n=5000 --set data.d=50 --set limits.memory_mb=64 --set fit.model=gd "
             "--set train.iters=5 --out '%s/big' --quiet", cfg, dir);
    crt_expect_prog(args, 0);
    /* A fit of the gd model with beta = 0 (the experiment key is ignored), twice: the same bytes. */
    snprintf(args, sizeof args, "fit '%s' --set fit.model=gd --set train.iters=300 --out '%s' --quiet", cfg, out);
    crt_expect_prog(args, 0);
    char again[600];
    snprintf(again, sizeof again, "%s/again", dir);
    snprintf(args, sizeof args, "fit '%s/config.yaml' --out '%s' --quiet", out, again);
    crt_expect_prog(args, 0);
    const char *files[] = {"model_gd.yaml", "metrics.csv", "summary.csv", "gd_curve.csv", "sanity.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[700], b[700], cmd[1500];
        snprintf(a, sizeof a, "%s/%s", out, files[i]);
        snprintf(b, sizeof b, "%s/%s", again, files[i]);
        snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
        if (crt_sh(cmd, NULL) != 0) fail_msg("%s differs between two fits", files[i]);
    }
    /* predict: a data file of the wrong width, and labels 0/1 for a logistic model. */
    snprintf(model, sizeof model, "%s/model_gd.yaml", out);
    char pout[600];
    snprintf(pout, sizeof pout, "%s/pred", dir);
    crt_write_text(data, "1,2,3,4\n5,6,7,8\n");
    snprintf(args, sizeof args, "predict '%s' '%s' --out '%s'", model, data, pout);
    char *text = NULL;
    int st = crt_prog_sh(args, &text);
    if (st != 2 || !strstr(text, "data.csv: expected 2 columns (the model's d = 2 features) or 3 (then the label), got 4"))
        fail_msg("%s: exit %d: %s", args, st, text);
    free(text);
    crt_write_text(data, "x1,x2,y\n1,2,1\n5,6,0\n");
    st = crt_prog_sh(args, &text);
    if (st != 2 || !strstr(text, "data.csv: data row 2: label: expected -1 or +1 for a logistic model, got 0"))
        fail_msg("%s: exit %d: %s", args, st, text);
    free(text);
    assert_false(crt_exists(pout));
    snprintf(args, sizeof args, "predict '%s' --out '%s'", model, pout);
    crt_expect_prog(args, 2);
    assert_false(crt_exists(pout));
    crt_rmtree(dir);
}

int main(void)
{
    if (!crt_program_built()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regression_numpy),
        cmocka_unit_test(test_classification_numpy),
        cmocka_unit_test(test_test_set_metrics),
        cmocka_unit_test(test_test_path_numpy),
        cmocka_unit_test(test_input_replay_numpy),
        cmocka_unit_test(test_bad_input_and_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
