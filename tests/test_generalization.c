/* Tests of the generalization experiment through the program (docs/experiments/generalization.md): on a user's CSV
 * training and test files, every row of results.csv (test and train error, MSE, logistic loss, L_beta, active
 * neurons) and every test prediction is recomputed by numpy (/usr/bin/python3) from the exported weights and the
 * files themselves; each row has its wall and CPU seconds in manifest.yaml and no CSV holds a time; two runs give
 * byte-identical CSVs; data.holdout splits a single file; configs the experiment cannot run exit 2 writing nothing. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

static void write_data(const char *path, size_t n, size_t d, unsigned long seed)
{
    gsl_rng *r = crt_rng_seeded(seed);
    double W[3][8], x[8];
    gsl_rng *wr = crt_rng_seeded(99); /* the same planted network for the training and the test file */
    for (int j = 0; j < 3; j++)
        for (size_t k = 0; k < d; k++) W[j][k] = gsl_ran_gaussian(wr, 1.0);
    gsl_rng_free(wr);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        double y = 0;
        for (size_t k = 0; k < d; k++) x[k] = gsl_ran_gaussian(r, 1.0);
        for (int j = 0; j < 3; j++) {
            double h = 0;
            for (size_t k = 0; k < d; k++) h += W[j][k] * x[k];
            y += (j == 1 ? -1 : 1) * (h > 0 ? h : 0);
        }
        y += 0.3 * gsl_ran_gaussian(r, 1.0);
        for (size_t k = 0; k < d; k++) fprintf(f, "%s%.17g", k ? "," : "", x[k]);
        fprintf(f, ",%d\n", y >= 0 ? 1 : -1);
    }
    fclose(f);
    gsl_rng_free(r);
}

static void write_config(const char *path, const char *data)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "experiment: generalization\nseed: 3\n%s"
            "patterns:\n  method: sample\n  samples: 20\n"
            "solver:\n  tol: 1.0e-7\n"
            "train:\n  seeds: 2\n  iters: 300\n  lr: 0.01\n"
            "generalization:\n  betas: [0.5, 2]\n  widths: [3, 8]\n  active_tol: 0.01\n",
            data);
    fclose(f);
}

/* The oracle: argv run folder, training file, test file, active_tol, expected row count. */
static const char oracle_py[] =
    "import sys, csv, re, numpy as np\n"
    "run, trf, tef, atol, nrows = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])\n"
    "A = np.loadtxt(trf, delimiter=',', ndmin=2); X, y = A[:, :-1], A[:, -1]\n"
    "B = np.loadtxt(tef, delimiter=',', ndmin=2); Xt, yt = B[:, :-1], B[:, -1]\n"
    "d = X.shape[1]\n"
    "def table(name): return list(csv.DictReader(open(run + '/' + name)))\n"
    "R, Wt, P = table('results.csv'), table('weights.csv'), table('predictions.csv')\n"
    "if len(R) != nrows: sys.exit('%d rows, expected %d' % (len(R), nrows))\n"
    "def close(a, b, tol, what):\n"
    "    a, b = np.asarray(a, float), np.asarray(b, float)\n"
    "    err = np.max(np.abs(a - b) / (1 + np.abs(b)))\n"
    "    if not err <= tol: sys.exit('%s: off by %g (tol %g)' % (what, err, tol))\n"
    "man = open(run + '/manifest.yaml').read()\n"
    "models = set()\n"
    "for r in R:\n"
    "    k = r['row']; what = 'row %s (%s %s %s m=%s)' % (k, r['loss'], r['beta'], r['model'], r['width'])\n"
    "    models.add((r['loss'], r['model'], r['width'], r['seed']))\n"
    "    ws = [w for w in Wt if w['row'] == k]\n"
    "    W1 = np.array([[float(w['w1_%d' % (i + 1)]) for i in range(d)] for w in ws]).reshape(len(ws), d).T\n"
    "    w2 = np.array([float(w['w2']) for w in ws])\n"
    "    if int(r['neurons']) != len(ws): sys.exit(what + ': neurons')\n"
    "    f = np.maximum(X @ W1, 0) @ w2 if len(ws) else np.zeros(len(y))\n"
    "    ft = np.maximum(Xt @ W1, 0) @ w2 if len(ws) else np.zeros(len(yt))\n"
    "    pt = [float(p['f']) for p in P if p['row'] == k]\n"
    "    close(pt, ft, 1e-12, what + ': test predictions')\n"
    "    err = lambda g, t: np.mean(np.where(g >= 0, 1, -1) != t)\n"
    "    close(float(r['test_error']), err(ft, yt), 1e-14, what + ': test error')\n"
    "    close(float(r['train_error']), err(f, y), 1e-14, what + ': train error')\n"
    "    close(float(r['test_mse']), np.mean((ft - yt) ** 2), 1e-12, what + ': test mse')\n"
    "    close(float(r['train_mse']), np.mean((f - y) ** 2), 1e-12, what + ': train mse')\n"
    "    close(float(r['test_logistic']), np.mean(np.logaddexp(0, -yt * ft)), 1e-12, what + ': test logistic')\n"
    "    close(float(r['train_logistic']), np.mean(np.logaddexp(0, -y * f)), 1e-12, what + ': train logistic')\n"
    "    beta = float(r['beta'])\n"
    "    L = 0.5 * np.sum((f - y) ** 2) if r['loss'] == 'squared' else np.sum(np.logaddexp(0, -y * f))\n"
    "    L += beta / 2 * (np.sum(W1 ** 2) + np.sum(w2 ** 2))\n"
    "    close(float(r['objective']), L, 1e-10, what + ': objective')\n"
    "    c = np.linalg.norm(W1, axis=0) * np.abs(w2) if len(ws) else np.zeros(0)\n"
    "    act = int(np.sum(c > atol * c.max())) if len(ws) and c.max() > 0 else 0\n"
    "    if int(r['active']) != act: sys.exit(what + ': active %s, numpy %d' % (r['active'], act))\n"
    "    if r['model'] == 'convex':\n"
    "        close(float(r['objective']), float(r['p_convex']), 1e-9, what + ': L_beta = p_convex')\n"
    "        if not 0 <= float(r['gap']) <= 1e-7 * max(1, abs(float(r['p_convex']))): sys.exit(what + ': gap')\n"
    "    elif r['p_convex'] != '' or r['gap'] != '': sys.exit(what + ': gd row with convex values')\n"
    "    for t in ('wall', 'cpu'):\n"
    "        m = re.search(r'\\n  row%s_%s: ([0-9.]+)\\n' % (k, t), man)\n"
    "        if not m or not float(m.group(1)) >= 0: sys.exit(what + ': no ' + t + ' time in manifest.yaml')\n"
    "want = {(l, 'convex', '0', '0') for l in ('squared', 'logistic')} | {(l, 'gd', w, s)\n"
    "        for l in ('squared', 'logistic') for w in ('3', '8') for s in ('1', '2')}\n"
    "if models != want: sys.exit('models %s' % sorted(models))\n"
    "print('ok', len(R), 'rows')\n";

static void test_numpy_and_determinism(void **state)
{
    (void)state;
    char dir[256], tr[300], te[300], cfgp[300], py[300], out1[300], out2[300], cmd[3000], data[1400];
    crt_tmpdir(dir);
    snprintf(tr, sizeof tr, "%s/train.csv", dir);
    snprintf(te, sizeof te, "%s/test.csv", dir);
    write_data(tr, 40, 3, 11);
    write_data(te, 25, 3, 12);
    snprintf(data, sizeof data, "data:\n  kind: csv\n  path: %s\n  test_path: %s\n  header: no\n", tr, te);
    snprintf(cfgp, sizeof cfgp, "%s/gen.yaml", dir);
    write_config(cfgp, data);
    snprintf(out1, sizeof out1, "%s/a", dir);
    snprintf(out2, sizeof out2, "%s/b", dir);
    snprintf(cmd, sizeof cmd, "run '%s' --out '%s' --quiet", cfgp, out1);
    crt_expect_prog(cmd, 0);
    snprintf(py, sizeof py, "%s/oracle.py", dir);
    FILE *f = fopen(py, "w");
    assert_non_null(f);
    fputs(oracle_py, f);
    fclose(f);
    /* 2 losses x 2 betas x (1 convex + 2 widths x 2 seeds) = 20 rows. */
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s' '%s' 0.01 20 2>&1", py, out1, tr, te);
    char *o = NULL;
    int st = crt_sh(cmd, &o);
    if (st != 0) fail_msg("numpy oracle: %s", o);
    free(o);
    /* No CSV of the run holds a time. */
    snprintf(cmd, sizeof cmd, "cd '%s' && ! grep -il 'second\\|wall\\|cpu' *.csv", out1);
    if (crt_sh(cmd, NULL) != 0) fail_msg("a CSV of %s mentions a time", out1);
    /* Same config and seed, another thread count: byte-identical CSVs. */
    snprintf(cmd, sizeof cmd, "run '%s' --set threads=2 --out '%s' --quiet", cfgp, out2);
    crt_expect_prog(cmd, 0);
    static const char *const files[] = {"results.csv", "weights.csv", "predictions.csv", "summary.csv",
                                        "claims.csv", "sanity.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(cmd, sizeof cmd, "cmp -s '%s/%s' '%s/%s'", out1, files[i], out2, files[i]);
        if (crt_sh(cmd, NULL) != 0) fail_msg("%s differs between two runs", files[i]);
    }
    crt_rmtree(dir);
}

static void test_holdout_and_bad_input(void **state)
{
    (void)state;
    char dir[256], tr[300], te[300], cfgp[300], out[300], cmd[3000], data[1400];
    crt_tmpdir(dir);
    snprintf(tr, sizeof tr, "%s/train.csv", dir);
    snprintf(te, sizeof te, "%s/test.csv", dir);
    write_data(tr, 48, 2, 21);
    write_data(te, 10, 2, 22);
    snprintf(cfgp, sizeof cfgp, "%s/gen.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    /* 48 samples, 0.25 held out: 12 test and 36 training samples. */
    snprintf(data, sizeof data, "data:\n  kind: csv\n  path: %s\n  header: no\n  holdout: 0.25\n", tr);
    write_config(cfgp, data);
    snprintf(cmd, sizeof cmd, "run '%s' --out '%s' --quiet", cfgp, out);
    crt_expect_prog(cmd, 0);
    snprintf(cmd, sizeof cmd, "grep -qx 'n,36' '%s/summary.csv' && grep -qx 'n_test,12' '%s/summary.csv'", out, out);
    if (crt_sh(cmd, NULL) != 0) fail_msg("data.holdout 0.25 of 48: expected n 36 and n_test 12 in summary.csv");
    crt_rmtree(out);
    /* Refused before anything is written: no test set; holdout beside test_path; Gaussian data; ipm. */
    const char *bad[] = {
        "data:\n  kind: csv\n  path: %s\n  header: no\n",
        "data:\n  kind: csv\n  path: %s\n  test_path: %s\n  holdout: 0.2\n  header: no\n",
        "data:\n  kind: gaussian\n  n: 20\n  d: 2\n",
        "data:\n  kind: csv\n  path: %s\n  test_path: %s\n  header: no\n",
    };
    const char *keys[] = {"data.holdout", "data.holdout", "data.kind", "solver.method"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(data, sizeof data, bad[i], tr, te);
        write_config(cfgp, data);
        snprintf(cmd, sizeof cmd, "run '%s'%s --out '%s' --quiet 2>&1", cfgp, i == 3 ? " --set solver.method=ipm" : "",
                 out);
        char *o = NULL;
        int st = crt_prog_sh(cmd, &o);
        if (st != 2 || !strstr(o, keys[i])) fail_msg("case %zu: exit %d, expected 2 naming %s: %s", i, st, keys[i], o);
        free(o);
        assert_false(crt_exists(out));
    }
    /* The memory guard counts the widest GD network (10^6 neurons on 58 samples: 2.8 GB of activations), not
     * train.width. */
    snprintf(data, sizeof data, "data:\n  kind: csv\n  path: %s\n  test_path: %s\n  header: no\n", tr, te);
    write_config(cfgp, data);
    snprintf(cmd, sizeof cmd,
             "run '%s' --set 'generalization.widths=[3, 1000000]' --set limits.memory_mb=500 --out '%s' --quiet 2>&1",
             cfgp, out);
    char *o = NULL;
    int st = crt_prog_sh(cmd, &o);
    if (st != 2 || !strstr(o, "limits.memory_mb")) fail_msg("width 10^6: exit %d, expected 2 (memory guard): %s", st, o);
    free(o);
    assert_false(crt_exists(out));
    crt_rmtree(dir);
}

int main(void)
{
    if (!crt_program_built()) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_and_determinism),
        cmocka_unit_test(test_holdout_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
