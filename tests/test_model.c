/* Tests of model.h (the model file of fit and predict): a write then a read gives the same bits (extreme doubles,
 * -0, a zero-width model, patterns across 64-bit words); an independent YAML reader (PyYAML) reads every number
 * of the file as exactly the double written; every kind of corrupted file is refused with CR_EINPUT and one line
 * naming FILE:LINE:COLUMN and the key; `cvxrelu predict` with a corrupted model exits 2 and writes nothing; the
 * prediction of a model equals the plain-loop reference. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "model.h"

/* A model of d features, m neurons, n training samples with awkward values: extreme magnitudes, -0, exact powers of
 * ten (written without a point by %.17g), the smallest subnormal, DBL_MAX; random patterns. */
static cr_model *awkward_model(size_t d, size_t m, size_t n, unsigned long seed)
{
    cr_model *M = cr_model_alloc(d, m, n);
    assert_non_null(M);
    gsl_rng *r = crt_rng_seeded(seed);
    M->kind = CR_MODEL_GD;
    M->loss = CR_LOSS_LOGISTIC;
    M->beta = 0.1;
    M->objective = 1.0 / 3.0;
    static const double special[] = {-0.0, 1e20, 1e-300, 5e-324, DBL_MAX, -DBL_MAX, 0.1, 1e22, 2.0, -1e-5};
    const size_t ns = sizeof special / sizeof special[0];
    for (size_t i = 0; m && i < cr_net_size(M->net); i++)
        M->net->theta[i] = i < ns ? special[i] : gsl_ran_gaussian(r, 1.0) * pow(10.0, (double)(gsl_rng_uniform_int(r, 600)) - 300.0);
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < n; i++)
            if (gsl_rng_uniform(r) < 0.5) M->patterns[j * M->words + i / 64] |= (uint64_t)1 << (i % 64);
    gsl_rng_free(r);
    return M;
}

static void round_trip(const cr_model *M, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_err err = {{0}};
    if (cr_model_write(M, path, &err)) fail_msg("write: %s", err.msg);
    cr_model *B = NULL;
    if (cr_model_read(path, &B, &err)) fail_msg("read: %s", err.msg);
    assert_true(cr_model_identical(M, B));
    /* Independently of cr_model_identical: the parameter bytes. */
    if (M->m) assert_memory_equal(M->net->theta, B->net->theta, cr_net_size(M->net) * sizeof(double));
    assert_true(signbit(M->m ? B->net->theta[0] : -0.0));
    cr_model_free(B);
}

static void test_round_trip(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    cr_model *M = awkward_model(3, 7, 130, 1);
    round_trip(M, dir, "awkward.yaml");
    cr_model_free(M);
    M = awkward_model(1, 1, 1, 2);
    round_trip(M, dir, "tiny.yaml");
    cr_model_free(M);
    M = awkward_model(4, 0, 5, 3);
    M->kind = CR_MODEL_CONVEX;
    M->loss = CR_LOSS_SQUARED;
    round_trip(M, dir, "empty.yaml");
    cr_model_free(M);
    crt_rmtree(dir);
}

/* An input section (what fit applied to raw rows, docs/fit.md) with awkward values: a tab delimiter, a label column
 * name that needs quoting, classes, standardization means and scales at the extremes of the doubles, a bias. */
static void set_awkward_input(cr_model *M)
{
    cr_model_input in = {.recorded = 1, .source = CR_MODEL_SOURCE_CSV, .delimiter = '\t', .header = 1,
                         .skip_rows = 2, .labels01 = 1, .nneg = 2, .npos = 1, .d_raw = M->d - 1, .bias = 1};
    snprintf(in.label_column, sizeof in.label_column, "the \"label\": y");
    in.classes_neg[0] = 3;
    in.classes_neg[1] = -7;
    in.classes_pos[0] = 0;
    double mean[16], scale[16];
    static const double mv[] = {-0.0, DBL_MAX, 5e-324, 1e22, 0.1}, sv[] = {5e-324, 1.0, DBL_MAX, 1e-300, 0.1};
    for (size_t j = 0; j < in.d_raw; j++) {
        mean[j] = mv[j % 5];
        scale[j] = sv[j % 5];
    }
    in.mean = mean;
    in.scale = scale;
    cr_err err = {{0}};
    assert_int_equal(cr_model_set_input(M, &in, &err), CR_OK);
}

/* The input section round-trips bit for bit; a model without one reads back without one. */
static void test_input_round_trip(void **state)
{
    (void)state;
    char dir[256], path[512];
    crt_tmpdir(dir);
    cr_model *M = awkward_model(6, 3, 20, 6);
    set_awkward_input(M);
    round_trip(M, dir, "input.yaml");
    snprintf(path, sizeof path, "%s/input.yaml", dir);
    cr_model *B = NULL;
    cr_err err = {{0}};
    if (cr_model_read(path, &B, &err)) fail_msg("%s", err.msg);
    assert_true(B->input.recorded && B->input.delimiter == '\t' && B->input.skip_rows == 2 && B->input.bias);
    assert_string_equal(B->input.label_column, "the \"label\": y");
    assert_true(B->input.nneg == 2 && B->input.classes_neg[1] == -7 && B->input.npos == 1);
    assert_memory_equal(B->input.mean, M->input.mean, 5 * sizeof(double));
    assert_memory_equal(B->input.scale, M->input.scale, 5 * sizeof(double));
    assert_true(signbit(B->input.mean[0]));
    B->input.bias = 0;
    assert_false(cr_model_identical(M, B));
    cr_model_free(B);
    cr_model_free(M);
    M = awkward_model(2, 1, 3, 7); /* no input section, as the files before it */
    round_trip(M, dir, "noinput.yaml");
    snprintf(path, sizeof path, "%s/noinput.yaml", dir);
    if (cr_model_read(path, &B, &err)) fail_msg("%s", err.msg);
    assert_false(B->input.recorded);
    assert_null(B->input.mean);
    char *text = crt_slurp(path, NULL);
    assert_null(strstr(text, "input:"));
    free(text);
    cr_model_free(B);
    cr_model_free(M);
    crt_rmtree(dir);
}

/* PyYAML (no code of ours) loads the file; every number must be the double written, compared through the exact
 * hexadecimal form (%a) the test writes beside it. */
static void test_pyyaml_reads_exactly(void **state)
{
    (void)state;
    char dir[256], path[512], hex[512], py[512];
    crt_tmpdir(dir);
    cr_model *M = awkward_model(3, 7, 130, 4);
    snprintf(path, sizeof path, "%s/m.yaml", dir);
    snprintf(hex, sizeof hex, "%s/hex.txt", dir);
    snprintf(py, sizeof py, "%s/check.py", dir);
    cr_err err = {{0}};
    if (cr_model_write(M, path, &err)) fail_msg("write: %s", err.msg);
    FILE *f = fopen(hex, "w");
    assert_non_null(f);
    for (size_t i = 0; i < cr_net_size(M->net); i++) fprintf(f, "%a\n", M->net->theta[i]);
    fclose(f);
    f = fopen(py, "w");
    assert_non_null(f);
    fprintf(f, "import sys, yaml\n"
               "m = yaml.safe_load(open(sys.argv[1]))\n"
               "want = [float.fromhex(s) for s in open(sys.argv[2]).read().split()]\n"
               "got = [v for row in m['W1'] for v in row] + list(m['w2'])\n"
               "bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w or str(g) != str(w)]\n"
               "strs = [v for row in m['W1'] for v in row if not isinstance(v, float)] + [v for v in m['w2'] if not isinstance(v, float)]\n"
               "if len(got) != len(want) or bad or strs: sys.exit('mismatch %%s %%s' %% (bad[:3], strs[:3]))\n"
               "assert m['d'] == %zu and m['width'] == %zu and m['n_train'] == %zu and m['kind'] == 'gd'\n"
               "assert all(len(p) == %zu and set(p) <= set('01') for p in m['patterns'])\n",
            M->d, M->m, M->n_train, M->n_train);
    fclose(f);
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s '%s' '%s' '%s'", CRT_PYTHON, py, path, hex);
    int st = crt_sh(cmd, &out);
    if (st != 0) fail_msg("python: %s", out);
    free(out);
    cr_model_free(M);
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------ corrupted files */

typedef struct {
    const char *find, *replace; /* first occurrence of find replaced (replace NULL: text appended instead) */
    const char *expect;         /* fragment of the message; one starting with ':' follows "PATH" immediately */
} corruption;

static char *replace_first(const char *text, const char *find, const char *rep)
{
    const char *at = strstr(text, find);
    if (!at) fail_msg("fixture text lacks \"%s\"", find);
    size_t len = strlen(text) + strlen(rep) + 1;
    char *out = malloc(len);
    assert_non_null(out);
    snprintf(out, len, "%.*s%s%s", (int)(at - text), text, rep, at + strlen(find));
    return out;
}

static const corruption corruptions[] = {
    {"format: cvxrelu-model-1", "format: cvxrelu-model-2", ":2:9: format: expected cvxrelu-model-1"},
    {"kind: gd", "kind: sgd", ":3:7: kind: expected convex or gd"},
    {"loss: logistic", "loss: l1", ":4:7: loss: expected squared, logistic or hinge"},
    {"beta: 0.10000000000000001", "beta: -1", ":5:7: beta: expected a number >= 0"},
    {"beta: 0.10000000000000001", "beta: .nan", ":5:7: beta: expected a finite number"},
    {"d: 3", "d: three", ":6:4: d: expected an integer >= 1"},
    {"d: 3", "d: 0", ":6:4: d: expected an integer >= 1"},
    {"d: 3", "d: 2", "W1: expected a list of 2 rows (d), got 3"},
    {"width: 2", "width: -2", ":7:8: width: expected an integer >= 0"},
    {"width: 2", "width: 3", "W1 row 1: expected a list of 3 numbers (width), got 2"},
    {"n_train: 70", "n_train: 71", "patterns item 1: expected a string of n_train = 71 characters 0/1"},
    {"objective: ", "objective: [1, 2] #", ":9:12: objective: expected a finite number, got a list"},
    {"w2: [", "w2: [1, ", "w2: expected a list of 2 numbers (width), got 3"},
    {"w2: [", "w2: [x", "w2: expected a finite number, got \"x"},
    {"w2: [1.75", "w2: [1e999", ":15:6: w2: expected a finite number, got \"1e999\""},
    {"  - [0.25", "  - [inf", ":12:6: W1 row 1: expected a finite number, got \"inf\""},
    {"  - [0.25", "  - [0.25, 3", ":12:5: W1 row 1: expected a list of 2 numbers (width), got 3"},
    {"  - [", "  - [, ", ":12:6: YAML syntax error"},
    {"\n  - \"", "\n  - \"2", "patterns item 1: expected a string of n_train = 70 characters 0/1"},
    {"\n  - \"1", "\n  - \"x", "patterns item 1: expected a string of n_train = 70 characters 0/1, got 70 characters not all 0/1"},
    {"\npatterns:", "\nignored: 3\npatterns:", ":17:1: ignored: unknown key (expected format, kind, loss, beta, d, width, n_train, objective, W1, w2, patterns, input)"},
    {"kind: gd", "kind: gd\nkind: gd", ":4:1: kind: key given twice"},
    {"format: cvxrelu-model-1\n", "", ": format: required key missing"},
    {"w2: [1.75, 2.0]", "w2: {a: 1}", ":15:5: w2: expected a list of 2 numbers (width), got a mapping"},
    {"d: 3", "d: [3", "YAML syntax error"},
};

/* The written model of d = 3, width 2, n_train 70 as text. */
static char *base_text(const char *dir)
{
    cr_model *M = awkward_model(3, 2, 70, 5);
    for (size_t i = 0; i < cr_net_size(M->net); i++) M->net->theta[i] = 0.25 * (double)(i + 1);
    M->patterns[0] |= 1; /* pattern 1 starts with 1 */
    char path[512];
    snprintf(path, sizeof path, "%s/base.yaml", dir);
    cr_err err = {{0}};
    if (cr_model_write(M, path, &err)) fail_msg("write: %s", err.msg);
    cr_model_free(M);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    return text;
}

static void test_corrupted_files(void **state)
{
    (void)state;
    char dir[256], path[512];
    crt_tmpdir(dir);
    char *base = base_text(dir);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    for (size_t c = 0; c < sizeof corruptions / sizeof corruptions[0]; c++) {
        char *text = replace_first(base, corruptions[c].find, corruptions[c].replace);
        crt_write_text(path, text);
        cr_model *M = (cr_model *)1;
        cr_err err = {{0}};
        int st = cr_model_read(path, &M, &err);
        char want[600];
        snprintf(want, sizeof want, "%s%s", corruptions[c].expect[0] == ':' ? path : "", corruptions[c].expect);
        if (st != CR_EINPUT || M != NULL || strncmp(err.msg, path, strlen(path)) != 0 || strchr(err.msg, '\n') ||
            !strstr(err.msg, want))
            fail_msg("corruption %zu: status %d, message \"%s\", expected \"%s\"\n%s", c, st, err.msg, want, text);
        free(text);
    }
    /* Not a model at all: an empty file, a list, a folder, a missing file. */
    const char *others[][2] = {{"", "empty file"}, {"- 1\n- 2\n", ":1:1: model: expected a mapping of keys"}};
    for (size_t c = 0; c < 2; c++) {
        crt_write_text(path, others[c][0]);
        cr_model *M = NULL;
        cr_err err = {{0}};
        assert_int_equal(cr_model_read(path, &M, &err), CR_EINPUT);
        if (!strstr(err.msg, others[c][1])) fail_msg("%s: message \"%s\"", others[c][1], err.msg);
    }
    cr_model *M = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_model_read(dir, &M, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "not a regular file"));
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    assert_int_equal(cr_model_read(path, &M, &err), CR_EINPUT);
    free(base);
    crt_rmtree(dir);
}

/* A bad input section: the reader stays strict (FILE:LINE:COLUMN: KEY). The model of base_text with
 * set_awkward_input: d = 3, so d_raw = 2 and two means and scales. */
static const corruption input_corruptions[] = {
    {"  bias: yes", "  bias: maybe", ": input.bias: expected one of no, yes, got \"maybe\""},
    {"  delimiter: tab", "  delimiter: pipe", ": input.delimiter: expected one of comma, semicolon, tab"},
    {"  source: csv", "  source: parquet", ": input.source: expected one of csv, idx, synthetic"},
    {"  header: yes", "  header: 1", ": input.header: expected one of auto, yes, no"},
    {"  skip_rows: 2", "  skip_rows: -1", ": input.skip_rows: expected an integer >= 0"},
    {"  labels01: map", "  labels01: yes", ": input.labels01: expected one of keep, map"},
    {"  classes_neg: [3", "  classes_neg: [x", ": input.classes_neg: expected an integer, got \"x"},
    {"  d_raw: 2", "  d_raw: 3", ": input.d_raw: 3 features and the bias do not make the model's d = 3"},
    {"  mean: [-0.0, ", "  mean: [", ": input.mean: expected a list of 2 numbers (the standardized features), got 1"},
    {"  scale: [4.9406564584124654e-324", "  scale: [0.0", ": input.scale: expected a number > 0, got 0"},
    {"  scale: [4.9406564584124654e-324", "  scale: [nan", ": input.scale: expected a finite number"},
    {"  standardize: yes", "  standardize: no", ": input.mean: expected a list of 0 numbers (standardize: no), got 2"},
    {"  bias: yes", "  bias: yes\n  seed: 3", ": seed: unknown key of input"},
    {"  bias: yes\n", "", ": input: required key bias missing"},
};

static void test_input_corrupted(void **state)
{
    (void)state;
    char dir[256], path[512];
    crt_tmpdir(dir);
    cr_model *M = awkward_model(3, 2, 70, 5);
    set_awkward_input(M);
    snprintf(path, sizeof path, "%s/base.yaml", dir);
    cr_err err = {{0}};
    if (cr_model_write(M, path, &err)) fail_msg("write: %s", err.msg);
    cr_model_free(M);
    char *base = crt_slurp(path, NULL);
    assert_non_null(base);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    for (size_t c = 0; c < sizeof input_corruptions / sizeof input_corruptions[0]; c++) {
        char *text = replace_first(base, input_corruptions[c].find, input_corruptions[c].replace);
        crt_write_text(path, text);
        cr_model *B = (cr_model *)1;
        int st = cr_model_read(path, &B, &err);
        /* FILE:LINE:COLUMN: KEY (a missing key of input names the input mapping's position) */
        char *colon = strstr(err.msg, ": input") ? strstr(err.msg, ": input") : strstr(err.msg, ": seed");
        int line = 0, col = 0;
        const int located = sscanf(err.msg + strlen(path), ":%d:%d:", &line, &col) == 2 && line > 0 && col > 0;
        if (st != CR_EINPUT || B != NULL || strncmp(err.msg, path, strlen(path)) != 0 || strchr(err.msg, '\n') ||
            !strstr(err.msg, input_corruptions[c].expect) || !located || !colon)
            fail_msg("input corruption %zu: status %d, message \"%s\", expected \"%s\"\n%s", c, st, err.msg,
                     input_corruptions[c].expect, text);
        free(text);
    }
    free(base);
    crt_rmtree(dir);
}

/* The program: a corrupted model makes predict exit 2 with one line naming the file, and writes nothing. */
static void test_predict_refuses_corrupted(void **state)
{
    (void)state;
    if (access(crt_prog(), X_OK) != 0) fail_msg("%s not built", crt_prog());
    char dir[256], path[512], data[512], cmd[2048];
    crt_tmpdir(dir);
    char *base = base_text(dir);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    snprintf(data, sizeof data, "%s/data.csv", dir);
    crt_write_text(data, "1,2,3,1\n4,5,6,-1\n");
    for (size_t c = 0; c < sizeof corruptions / sizeof corruptions[0]; c++) {
        char *text = replace_first(base, corruptions[c].find, corruptions[c].replace);
        crt_write_text(path, text);
        free(text);
        snprintf(cmd, sizeof cmd, "'%s' predict '%s' '%s' --out '%s/out' 2>&1", crt_prog(), path, data, dir);
        char *out = NULL;
        int st = crt_sh(cmd, &out);
        char want[600];
        snprintf(want, sizeof want, "%s%s", corruptions[c].expect[0] == ':' ? path : "", corruptions[c].expect);
        if (st != 2 || !strstr(out, want) || strchr(out, '\n') != out + strlen(out) - 1)
            fail_msg("corruption %zu: exit %d, output \"%s\"", c, st, out);
        free(out);
        snprintf(cmd, sizeof cmd, "%s/out", dir);
        assert_false(crt_exists(cmd));
    }
    /* The uncorrupted model predicts (exit 0), so the refusals above are about the corruptions. */
    snprintf(cmd, sizeof cmd, "'%s' predict '%s/base.yaml' '%s' --out '%s/out' --quiet 2>&1", crt_prog(), dir, data, dir);
    char *out = NULL;
    int st = crt_sh(cmd, &out);
    if (st != 0) fail_msg("base model: exit %d: %s", st, out);
    free(out);
    free(base);
    crt_rmtree(dir);
}

/* cr_model_predict against the plain-loop reference cr_net_reference, and zeros for a zero-width model. */
static void test_predict_matches_reference(void **state)
{
    (void)state;
    const size_t d = 4, m = 9, n = 300;
    cr_model *M = cr_model_alloc(d, m, 10);
    assert_non_null(M);
    gsl_rng *r = crt_rng_seeded(6);
    for (size_t i = 0; i < cr_net_size(M->net); i++) M->net->theta[i] = gsl_ran_gaussian(r, 1.0);
    double *X = malloc(n * d * sizeof *X), *f = malloc(n * sizeof *f), *g = malloc(n * sizeof *g);
    assert_true(X && f && g);
    for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(r, 1.0);
    cr_err err = {{0}};
    assert_int_equal(cr_model_predict(M, X, n, f, &err), CR_OK);
    cr_net_reference(X, n, d, M->net->W1, M->net->w2, m, g);
    for (size_t i = 0; i < n; i++) assert_true(fabs(f[i] - g[i]) <= 1e-13 * (1 + fabs(g[i])));
    cr_model *Z = cr_model_alloc(d, 0, 10);
    assert_non_null(Z);
    assert_int_equal(cr_model_predict(Z, X, n, f, &err), CR_OK);
    for (size_t i = 0; i < n; i++) assert_true(f[i] == 0.0);
    cr_model_free(Z);
    cr_model_free(M);
    gsl_rng_free(r);
    free(X), free(f), free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_input_round_trip),
        cmocka_unit_test(test_input_corrupted),
        cmocka_unit_test(test_pyyaml_reads_exactly),
        cmocka_unit_test(test_corrupted_files),
        cmocka_unit_test(test_predict_refuses_corrupted),
        cmocka_unit_test(test_predict_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
