/* Tests of the real-data loading (src/harness/dataload.c, src/data.c's transforms; docs/data.md): IDX files
 * written here byte by byte (plain and gzip) with known contents; the CSV options (header, label column by name
 * and index, delimiter and its hint, quoted numbers, skip_rows, labels01, classes, gzip, a test file); the
 * transforms (standardization against a closed form, bias, projection's linearity and norms, one G for both
 * sets); scikit-learn's bundled CSV files and Fashion-MNIST against numpy (/usr/bin/python3); pattern files
 * (round trip, comma form, bad files). Every bad input: CR_EINPUT naming file, line (or byte) and key. */
#include "testutil.h"

#include <zlib.h>

#include "config.h"
#include "dataload.h"
#include "memlimit.h"
#include "rng.h"

#define SKL "/usr/lib/python3/dist-packages/sklearn/datasets/data/"
#define FMNIST "/usr/share/datasets/fashion-mnist/"

/* ------------------------------------------------------------------ helpers */

static void write_file(const char *path, const void *bytes, size_t len, int gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, bytes, (unsigned)len), (int)len);
        assert_int_equal(gzclose(g), Z_OK);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}


/* A config with the defaults and these overrides; fails the test on a bad override. */
static void config_with(cr_config *c, const char *const *sets, size_t n)
{
    cr_err err = {{0}};
    cr_config_defaults(c);
    for (size_t i = 0; i < n; i++)
        if (cr_config_set(c, sets[i], &err)) fail_msg("%s: %s", sets[i], err.msg);
}

/* cr_dataload_from_config of the overrides; CR_OK expected. */
static cr_data *load_sets(const char *const *sets, size_t n)
{
    cr_config c;
    config_with(&c, sets, n);
    cr_data *D = NULL;
    cr_err err = {{0}};
    if (cr_dataload_from_config(&c, &D, &err)) fail_msg("%s", err.msg);
    return D;
}

/* cr_dataload_from_config of the overrides must fail with CR_EINPUT and a message holding each of the parts. */
static void load_fails(const char *const *sets, size_t n, const char *p1, const char *p2, const char *p3)
{
    cr_config c;
    config_with(&c, sets, n);
    cr_data *D = NULL;
    cr_err err = {{0}};
    int st = cr_dataload_from_config(&c, &D, &err);
    if (st != CR_EINPUT) {
        cr_data_free(D);
        fail_msg("status %d, expected CR_EINPUT with \"%s\" (%s)", st, p1, err.msg);
    }
    assert_null(D);
    const char *parts[] = {p1, p2, p3};
    for (int k = 0; k < 3; k++)
        if (parts[k] && !strstr(err.msg, parts[k])) fail_msg("message \"%s\" lacks \"%s\"", err.msg, parts[k]);
    assert_null(strchr(err.msg, '\n'));
}

static void expect_row(const cr_data *D, size_t i, const double *x, double y)
{
    for (size_t j = 0; j < D->d; j++)
        if (D->X[i * D->d + j] != x[j]) fail_msg("X[%zu][%zu] = %.17g, expected %.17g", i, j, D->X[i * D->d + j], x[j]);
    if (D->y[i] != y) fail_msg("y[%zu] = %.17g, expected %.17g", i, D->y[i], y);
}

/* ------------------------------------------------------------------- IDX */

/* Six images of 2 x 3 pixels, image i's pixels 40 i + j (j = 0..5), labels 3 1 4 1 5 9. */
#define IDX_N 6
static const unsigned char idx_labels[IDX_N] = {3, 1, 4, 1, 5, 9};

static void write_idx(const char *dir, const char *stem, int gz)
{
    unsigned char img[16 + IDX_N * 6] = {0, 0, 8, 3, 0, 0, 0, IDX_N, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < IDX_N; i++)
        for (int j = 0; j < 6; j++) img[16 + 6 * i + j] = (unsigned char)(40 * i + j);
    unsigned char lab[8 + IDX_N] = {0, 0, 8, 1, 0, 0, 0, IDX_N};
    memcpy(lab + 8, idx_labels, IDX_N);
    char p[400];
    snprintf(p, sizeof p, "%s/%s-images", dir, stem);
    write_file(p, img, sizeof img, gz);
    snprintf(p, sizeof p, "%s/%s-labels", dir, stem);
    write_file(p, lab, sizeof lab, gz);
}

static void test_idx_plain_and_gzip(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    write_idx(dir, "plain", 0);
    write_idx(dir, "gz", 1);
    for (int gz = 0; gz < 2; gz++) {
        char img[400], lab[400];
        snprintf(img, sizeof img, "%s/%s-images", dir, gz ? "gz" : "plain");
        snprintf(lab, sizeof lab, "%s/%s-labels", dir, gz ? "gz" : "plain");
        cr_dataload_idx_opts o = {0};
        cr_data *D = NULL;
        cr_err err = {{0}};
        if (cr_dataload_idx(img, lab, &o, 0, &D, &err)) fail_msg("%s", err.msg);
        assert_int_equal(D->n, IDX_N);
        assert_int_equal(D->d, 6);
        for (int i = 0; i < IDX_N; i++) {
            double x[6];
            for (int j = 0; j < 6; j++) x[j] = (40 * i + j) / 255.0;
            expect_row(D, (size_t)i, x, idx_labels[i]);
        }
        cr_data_free(D);
        /* Classes {1} -> -1, {4, 9} -> +1: samples 2, 3, 4, 6 of the file in order; at most 3 of them. */
        const long neg[] = {1}, pos[] = {4, 9};
        cr_dataload_idx_opts oc = {.neg = neg, .nneg = 1, .pos = pos, .npos = 2, .nmax = 3};
        D = NULL;
        if (cr_dataload_idx(img, lab, &oc, 0, &D, &err)) fail_msg("%s", err.msg);
        assert_int_equal(D->n, 3);
        const int rows[] = {1, 2, 3};
        const double ys[] = {-1, 1, -1};
        for (int k = 0; k < 3; k++) {
            double x[6];
            for (int j = 0; j < 6; j++) x[j] = (40 * rows[k] + j) / 255.0;
            expect_row(D, (size_t)k, x, ys[k]);
        }
        cr_data_free(D);
    }
    crt_rmtree(dir);
}

/* Through the config: the training and test files, n and n_test. */
static void test_idx_from_config(void **state)
{
    (void)state;
    char dir[256], s[4][400];
    crt_tmpdir(dir);
    write_idx(dir, "a", 1);
    snprintf(s[0], sizeof s[0], "data.path=%s/a-images", dir);
    snprintf(s[1], sizeof s[1], "data.labels_path=%s/a-labels", dir);
    snprintf(s[2], sizeof s[2], "data.test_path=%s/a-images", dir);
    snprintf(s[3], sizeof s[3], "data.test_labels_path=%s/a-labels", dir);
    const char *sets[] = {"data.kind=idx", s[0], s[1], s[2], s[3], "data.n=2", "data.n_test=4",
                          "data.classes_neg=[1,3]", "data.classes_pos=[5]"};
    cr_data *D = load_sets(sets, 9);
    assert_int_equal(D->n, 2);
    assert_non_null(D->test);
    assert_int_equal(D->test->n, 4);
    const double ytest[] = {-1, -1, -1, 1}; /* labels 3 1 1 5 */
    for (int i = 0; i < 4; i++) assert_true(D->test->y[i] == ytest[i]);
    double x[6];
    for (int j = 0; j < 6; j++) x[j] = (40 * 4 + j) / 255.0;
    expect_row(D->test, 3, x, 1);
    cr_data_free(D);
    crt_rmtree(dir);
}

/* Bad IDX files: each names the file, the byte offset and the key. */
static void test_idx_bad(void **state)
{
    (void)state;
    char dir[256], img[400], lab[400], s0[450], s1[450];
    crt_tmpdir(dir);
    write_idx(dir, "ok", 0);
    snprintf(img, sizeof img, "%s/bad-images", dir);
    snprintf(lab, sizeof lab, "%s/ok-labels", dir);
    snprintf(s0, sizeof s0, "data.path=%s", img);
    snprintf(s1, sizeof s1, "data.labels_path=%s", lab);
    const char *sets[] = {"data.kind=idx", s0, s1, "data.n=10"};
    char where[500];
    snprintf(where, sizeof where, "%s: byte ", img);

    const unsigned char magic[] = {0, 0, 9, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7};
    write_file(img, magic, sizeof magic, 0);
    load_fails(sets, 4, where, "IDX type 0x09, expected 0x08", "(data.path)");
    const unsigned char text[] = "1,2,3\n";
    write_file(img, text, 6, 1);
    load_fails(sets, 4, where, "not an IDX file", "(data.path)");
    const unsigned char shortdata[] = {0, 0, 8, 3, 0, 0, 0, IDX_N, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3};
    write_file(img, shortdata, sizeof shortdata, 0);
    load_fails(sets, 4, where, "the IDX header gives 36 bytes of data, the file has 3", "(data.path)");
    const unsigned char fewer[16 + 5 * 6] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 3};
    write_file(img, fewer, sizeof fewer, 0);
    load_fails(sets, 4, "6 labels for the 5 images", lab, "(data.labels_path)");
    /* A truncated gzip stream is a read error of the file, not a crash or a short data set. */
    write_idx(dir, "gz", 1);
    char gzimg[400];
    snprintf(gzimg, sizeof gzimg, "%s/gz-images", dir);
    size_t len = 0;
    char *bytes = crt_slurp(gzimg, &len);
    write_file(img, bytes, len - 12, 0);
    free(bytes);
    load_fails(sets, 4, where, "cannot read data", "(data.path)");
    /* No sample of the classes. */
    write_idx(dir, "bad", 0);
    const char *sets2[] = {"data.kind=idx", s0, s1, "data.n=10", "data.classes_neg=[7]", "data.classes_pos=[8]"};
    load_fails(sets2, 6, lab, "no sample of the selected classes", "data.classes_neg");
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------- CSV */

/* Loads text as a CSV through the config with the overrides (data.path set here). */
static cr_data *csv_sets(const char *dir, const char *text, const char *const *extra, size_t n)
{
    char path[400], set[450];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    crt_write_text(path, text);
    snprintf(set, sizeof set, "data.path=%s", path);
    const char *sets[16] = {"data.kind=csv", set};
    for (size_t i = 0; i < n; i++) sets[2 + i] = extra[i];
    return load_sets(sets, n + 2);
}

static void csv_fails(const char *dir, const char *text, const char *const *extra, size_t n, const char *line,
                      const char *part, const char *key)
{
    char path[400], set[450], where[450];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    crt_write_text(path, text);
    snprintf(set, sizeof set, "data.path=%s", path);
    snprintf(where, sizeof where, "%s:%s: ", path, line);
    const char *sets[16] = {"data.kind=csv", set};
    for (size_t i = 0; i < n; i++) sets[2 + i] = extra[i];
    load_fails(sets, n + 2, where, part, key);
}

static void test_csv_header_and_label_column(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    const char *hdr = "a,y,b\n1,10,2\n3,20,4\n";
    const char *byname[] = {"data.label_column=y"};
    cr_data *D = csv_sets(dir, hdr, byname, 1);
    const double r0[] = {1, 2}, r1[] = {3, 4};
    expect_row(D, 0, r0, 10);
    expect_row(D, 1, r1, 20);
    cr_data_free(D);
    const char *byindex[] = {"data.label_column=2"};
    D = csv_sets(dir, "1,10,2\n3,20,4\n", byindex, 1);
    expect_row(D, 0, r0, 10);
    expect_row(D, 1, r1, 20);
    cr_data_free(D);
    /* header: yes reads a numeric first record as names; no reads it as data. */
    const char *yes[] = {"data.header=yes", "data.label_column=1"};
    D = csv_sets(dir, "7,8,9\n1,2,3\n", yes, 2);
    assert_int_equal(D->n, 1);
    const double r2[] = {2, 3};
    expect_row(D, 0, r2, 1);
    cr_data_free(D);
    const char *no[] = {"data.header=no"};
    csv_fails(dir, "a,b,y\n1,2,3\n", no, 1, "1", "column 1: expected a number, got \"a\"", "(data.path)");
    D = csv_sets(dir, "7,8,9\n1,2,3\n", no, 1);
    assert_int_equal(D->n, 2);
    cr_data_free(D);
    /* Label columns that are not there: named in a file without a header, a name not in it, an index past it. */
    csv_fails(dir, "1,10,2\n", byname, 1, "1", "data.label_column: \"y\" is a column name, but the file has no header",
              NULL);
    const char *other[] = {"data.label_column=z"};
    csv_fails(dir, hdr, other, 1, "1", "data.label_column: no column named \"z\"", "(data.path)");
    const char *past[] = {"data.label_column=4"};
    csv_fails(dir, hdr, past, 1, "1", "data.label_column: column 4, but the file has 3 columns", NULL);
    const char *zero[] = {"data.label_column=0"};
    csv_fails(dir, hdr, zero, 1, "1", "data.label_column: column 0", NULL);
    crt_rmtree(dir);
}

static void test_csv_delimiter_and_quotes(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    const char *semi = "x1;x2;y\n1.5;2;1\n3;4;-1\n";
    /* Read with the default comma: a hint that names the key, not a column count. */
    csv_fails(dir, semi, NULL, 0, "1", "data.delimiter: one column only, and the line holds semicolon delimiters: "
                                       "set data.delimiter: semicolon", "(data.path)");
    csv_fails(dir, "1\t2\t3\n", NULL, 0, "1", "set data.delimiter: tab", NULL);
    const char *sc[] = {"data.delimiter=semicolon"};
    cr_data *D = csv_sets(dir, semi, sc, 1);
    const double r0[] = {1.5, 2};
    expect_row(D, 0, r0, 1);
    assert_int_equal(D->n, 2);
    cr_data_free(D);
    const char *tab[] = {"data.delimiter=tab"};
    D = csv_sets(dir, "1.5\t2\t1\n", tab, 1);
    expect_row(D, 0, r0, 1);
    cr_data_free(D);
    /* Quoted numbers are numbers (with blanks inside the quotes, and a delimiter inside a quoted name). */
    D = csv_sets(dir, "\"x;1\";\"x2\";\"y\"\n\"1.5\";\" 2 \";\"1\"\n", sc, 1);
    expect_row(D, 0, r0, 1);
    cr_data_free(D);
    D = csv_sets(dir, "\"1.5\",\"2\",\"1\"\n", NULL, 0);
    expect_row(D, 0, r0, 1);
    cr_data_free(D);
    crt_rmtree(dir);
}

static void test_csv_skip_rows_labels01_gzip(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    /* scikit-learn's layout: a first line of counts and class names, no header. */
    const char *skl = "2,2,bad,good\n1,2,0\n3,4,1\n";
    const char *map[] = {"data.skip_rows=1", "data.header=no", "data.labels01=map"};
    cr_data *D = csv_sets(dir, skl, map, 3);
    const double r0[] = {1, 2}, r1[] = {3, 4};
    expect_row(D, 0, r0, -1);
    expect_row(D, 1, r1, 1);
    cr_data_free(D);
    /* Without skip_rows the count line, partly numbers, is read as data. */
    csv_fails(dir, skl, NULL, 0, "1", "column 3: expected a number, got \"bad\"", "(data.path)");
    /* labels01: any label other than 0 and 1 is an error naming the line. */
    csv_fails(dir, "1,2,0\n3,4,2\n", map + 2, 1, "2", "column 3: data.labels01: map expects a label 0 or 1, got 2",
              NULL);
    /* Classes on a CSV file: 7 -> -1, 8 -> +1, others dropped. */
    const char *cls[] = {"data.classes_neg=[7]", "data.classes_pos=[8]"};
    D = csv_sets(dir, "1,2,8\n5,5,3\n3,4,7\n", cls, 2);
    assert_int_equal(D->n, 2);
    expect_row(D, 0, r0, 1);
    expect_row(D, 1, r1, -1);
    cr_data_free(D);
    /* gzip: recognized by its first bytes, whatever the name. */
    char path[400], set[450];
    snprintf(path, sizeof path, "%s/z.csv", dir);
    write_file(path, "x,y\n1,2\n3,4\n", 12, 1);
    snprintf(set, sizeof set, "data.path=%s", path);
    const char *gz[] = {"data.kind=csv", set};
    D = load_sets(gz, 2);
    assert_int_equal(D->n, 2);
    const double g1[] = {3};
    expect_row(D, 1, g1, 4);
    cr_data_free(D);
    crt_rmtree(dir);
}

/* Standardization: training column (1, 2, 3, 4) has mean 5/2 and population deviation sqrt(5/4); the test value 5
 * becomes (5 - 5/2) / sqrt(5/4) = sqrt(5); a constant column is only centred. Bias: a last column of ones. */
static void test_csv_test_set_standardize_bias(void **state)
{
    (void)state;
    char dir[256], tp[400], ts[450];
    crt_tmpdir(dir);
    snprintf(tp, sizeof tp, "%s/t.csv", dir);
    crt_write_text(tp, "5,9,1\n");
    snprintf(ts, sizeof ts, "data.test_path=%s", tp);
    const char *sets[] = {ts, "data.standardize=yes", "data.bias=yes"};
    cr_data *D = csv_sets(dir, "1,9,1\n2,9,-1\n3,9,1\n4,9,-1\n", sets, 3);
    assert_int_equal(D->d, 3);
    const double s = sqrt(1.25);
    const double want[] = {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s};
    for (int i = 0; i < 4; i++) {
        assert_true(fabs(D->X[3 * i] - want[i]) <= 1e-15 * 2);
        assert_true(D->X[3 * i + 1] == 0.0);
        assert_true(D->X[3 * i + 2] == 1.0);
    }
    assert_non_null(D->test);
    assert_int_equal(D->test->n, 1);
    assert_int_equal(D->test->d, 3);
    assert_true(fabs(D->test->X[0] - sqrt(5.0)) <= 1e-15 * 4);
    assert_true(D->test->X[1] == 0.0 && D->test->X[2] == 1.0);
    cr_data_free(D);
    /* A test file of another width. */
    crt_write_text(tp, "5,1\n");
    char p[400], s0[450];
    snprintf(p, sizeof p, "%s/d.csv", dir);
    snprintf(s0, sizeof s0, "data.path=%s", p);
    const char *bad[] = {"data.kind=csv", s0, ts};
    load_fails(bad, 3, tp, "1 features, but data.path", "data.test_path");
    /* A bad line of the test file names it and its key. */
    crt_write_text(tp, "5,9,1\n5,9\n");
    char where[450];
    snprintf(where, sizeof where, "%s:2: ragged row", tp);
    load_fails(bad, 3, where, "(data.test_path)", NULL);
    crt_rmtree(dir);
}

/* The projection: linear (row 3 = row 1 + row 2 projects to the sum), one G for training and test (a test row equal
 * to a training row projects identically), seeded by data.seed, and E ||G'x||^2 = ||x||^2: with k = 4000 the squared
 * norm is within 4 standard deviations (sqrt(2 / k) = 2.2%) of the original. */
static void test_projection(void **state)
{
    (void)state;
    char dir[256], tp[400], ts[450];
    crt_tmpdir(dir);
    snprintf(tp, sizeof tp, "%s/t.csv", dir);
    crt_write_text(tp, "0,3,0,0,1\n");
    snprintf(ts, sizeof ts, "data.test_path=%s", tp);
    const char *text = "1,2,0,0,1\n0,3,0,0,1\n1,5,0,0,1\n";
    const char *sets[] = {ts, "data.project_d=4000", "data.seed=5"};
    cr_data *D = csv_sets(dir, text, sets, 3);
    assert_int_equal(D->d, 4000);
    assert_int_equal(D->test->d, 4000);
    double n0 = 0, n1 = 0;
    for (size_t c = 0; c < D->d; c++) {
        double sum = D->X[c] + D->X[D->d + c];
        assert_true(fabs(D->X[2 * D->d + c] - sum) <= 1e-14 * (fabs(sum) + 1));
        assert_true(D->test->X[c] == D->X[D->d + c]);
        n0 += D->X[c] * D->X[c];
        n1 += D->X[D->d + c] * D->X[D->d + c];
    }
    const double tol = 4 * sqrt(2.0 / 4000);
    assert_true(fabs(n0 / 5 - 1) <= tol); /* ||(1, 2, 0, 0)||^2 = 5 */
    assert_true(fabs(n1 / 9 - 1) <= tol);
    const char *same[] = {ts, "data.project_d=4000", "data.seed=5"}, *other[] = {ts, "data.project_d=4000",
                                                                                   "data.seed=6"};
    cr_data *A = csv_sets(dir, text, same, 3), *B = csv_sets(dir, text, other, 3);
    assert_memory_equal(A->X, D->X, 3 * 4000 * sizeof(double));
    assert_true(memcmp(B->X, D->X, 3 * 4000 * sizeof(double)) != 0);
    cr_data_free(A);
    cr_data_free(B);
    cr_data_free(D);
    crt_rmtree(dir);
}

/* ---------------------------------------------------- real files against numpy */

/* The sum of the labels and of every feature, and the mean of feature 1, of the data set as numpy reads it
 * (python code in py, printing three numbers) against the loaded D. */
static void against_numpy(const cr_data *D, const char *py, size_t n, size_t d)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s -c '%s'", CRT_PYTHON, py);
    if (crt_sh(cmd, &out) != 0) fail_msg("python3: %s", out ? out : "");
    double ysum, xsum, mean1;
    if (sscanf(out, "%lf %lf %lf", &ysum, &xsum, &mean1) != 3) fail_msg("python3 printed \"%s\"", out);
    free(out);
    assert_int_equal(D->n, n);
    assert_int_equal(D->d, d);
    double ys = 0, xs = 0, m1 = 0;
    for (size_t i = 0; i < D->n; i++) {
        ys += D->y[i];
        m1 += D->X[i * D->d];
        for (size_t j = 0; j < D->d; j++) xs += D->X[i * D->d + j];
    }
    m1 /= (double)D->n;
    if (ys != ysum) fail_msg("label sum %.17g, numpy %.17g", ys, ysum);
    if (fabs(xs - xsum) > 1e-12 * fabs(xsum)) fail_msg("feature sum %.17g, numpy %.17g", xs, xsum);
    if (fabs(m1 - mean1) > 1e-13 * fabs(mean1)) fail_msg("mean of feature 1 %.17g, numpy %.17g", m1, mean1);
}

static void test_sklearn_csv_against_numpy(void **state)
{
    (void)state;
    const char *bc[] = {"data.kind=csv", "data.path=" SKL "breast_cancer.csv", "data.skip_rows=1",
                        "data.header=no", "data.labels01=map"};
    cr_data *D = load_sets(bc, 5);
    against_numpy(D, "import numpy as n; a = n.loadtxt(\"" SKL "breast_cancer.csv\", delimiter=\",\", skiprows=1); "
                     "print(repr((2 * a[:, -1] - 1).sum()), repr(a[:, :-1].sum()), repr(a[:, 0].mean()))",
                  569, 30);
    cr_data_free(D);
    const char *digits[] = {"data.kind=csv", "data.path=" SKL "digits.csv.gz"};
    D = load_sets(digits, 2);
    against_numpy(D, "import numpy as n; a = n.loadtxt(\"" SKL "digits.csv.gz\", delimiter=\",\"); "
                     "print(repr(a[:, -1].sum()), repr(a[:, :-1].sum()), repr(a[:, 0].mean()))",
                  1797, 64);
    cr_data_free(D);
    const char *wine[] = {"data.kind=csv", "data.path=" SKL "wine_data.csv", "data.skip_rows=1", "data.header=no",
                          "data.classes_neg=[0]", "data.classes_pos=[1,2]"};
    D = load_sets(wine, 6);
    against_numpy(D, "import numpy as n; a = n.loadtxt(\"" SKL "wine_data.csv\", delimiter=\",\", skiprows=1); "
                     "print(repr(n.where(a[:, -1] == 0, -1.0, 1.0).sum()), repr(a[:, :-1].sum()), "
                     "repr(a[:, 0].mean()))",
                  178, 13);
    cr_data_free(D);
    const char *iris[] = {"data.kind=csv", "data.path=" SKL "iris.csv", "data.skip_rows=1",
                          "data.classes_neg=[1]", "data.classes_pos=[2]"};
    D = load_sets(iris, 5);
    against_numpy(D, "import numpy as n; a = n.loadtxt(\"" SKL "iris.csv\", delimiter=\",\", skiprows=1); "
                     "a = a[a[:, -1] > 0]; print(repr((2 * a[:, -1] - 3).sum()), repr(a[:, :-1].sum()), "
                     "repr(a[:, 0].mean()))",
                  100, 4);
    cr_data_free(D);
}

/* Fashion-MNIST's gzip IDX files: T-shirt (0) against shirt (6), the first 500 training and 300 test images. */
static void test_fashion_mnist_against_numpy(void **state)
{
    (void)state;
    const char *sets[] = {"data.kind=idx", "data.path=" FMNIST "train-images-idx3-ubyte.gz",
                          "data.labels_path=" FMNIST "train-labels-idx1-ubyte.gz",
                          "data.test_path=" FMNIST "t10k-images-idx3-ubyte.gz",
                          "data.test_labels_path=" FMNIST "t10k-labels-idx1-ubyte.gz",
                          "data.classes_neg=[6]", "data.classes_pos=[0]", "data.n=500", "data.n_test=300"};
    cr_data *D = load_sets(sets, 9);
    const char *py = "import gzip, numpy as n\n"
                     "def load(s, k):\n"
                     "    x = n.frombuffer(gzip.open(\"" FMNIST "\" + s + \"-images-idx3-ubyte.gz\").read(), n.uint8, "
                     "offset=16).reshape(-1, 784) / 255.0\n"
                     "    y = n.frombuffer(gzip.open(\"" FMNIST "\" + s + \"-labels-idx1-ubyte.gz\").read(), n.uint8, "
                     "offset=8)\n"
                     "    i = n.flatnonzero((y == 0) | (y == 6))[:k]\n"
                     "    return x[i], n.where(y[i] == 0, 1.0, -1.0)\n"
                     "x, y = load(\"%s\", %d)\n"
                     "print(repr(y.sum()), repr(x.sum()), repr(x[:, 0].mean()))";
    char code[2048];
    snprintf(code, sizeof code, py, "train", 500);
    against_numpy(D, code, 500, 784);
    snprintf(code, sizeof code, py, "t10k", 300);
    against_numpy(D->test, code, 300, 784);
    cr_data_free(D);
}

/* The shipped real-data configs load, with the sizes docs/data.md states. */
static void test_real_configs_load(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t n, d, ntest;
    } cfgs[] = {
        {"breast_cancer.yaml", 569, 31, 0},
        {"fashion_mnist.yaml", 300, 21, 500},
    };
    for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/configs/real/%s", CR_SOURCE_DIR, cfgs[i].file);
        cr_config c;
        cr_err err = {{0}};
        if (cr_config_load(path, NULL, 0, &c, &err)) fail_msg("%s", err.msg);
        cr_data *D = NULL;
        if (cr_dataload_from_config(&c, &D, &err) || cr_dataload_check_labels(&c, D, &err))
            fail_msg("%s: %s", path, err.msg);
        assert_int_equal(D->n, cfgs[i].n);
        assert_int_equal(D->d, cfgs[i].d);
        assert_int_equal(D->test ? D->test->n : 0, cfgs[i].ntest);
        for (size_t k = 0; k < D->n; k++) assert_true(D->X[k * D->d + D->d - 1] == 1.0); /* the bias feature */
        cr_data_free(D);
    }
}

/* ----------------------------------------------------------- pattern files */

static void test_patterns_round_trip(void **state)
{
    (void)state;
    const double X[] = {1, 0, 0, 1, 1, 1, -1, 2, 0.5, -1};
    cr_patterns *P = NULL, *Q = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_patterns_enumerate(X, 5, 2, &P, &err), CR_OK);
    char dir[256], path[400], buf[8];
    crt_tmpdir(dir);
    /* Characters, in reverse order (the file's order is kept), one quoted, with a comment and a blank line. */
    snprintf(path, sizeof path, "%s/p.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# patterns of X\n\n", f);
    for (size_t i = P->p; i-- > 0;) {
        cr_patterns_string(P, i, buf);
        fprintf(f, i == 0 ? "\"%s\"\n" : "%s\n", buf);
    }
    assert_int_equal(fclose(f), 0);
    if (cr_dataload_patterns(path, 5, 0, &Q, &err)) fail_msg("%s", err.msg);
    assert_int_equal(Q->p, P->p);
    for (size_t i = 0; i < P->p; i++)
        assert_memory_equal(cr_patterns_mask(Q, P->p - 1 - i), cr_patterns_mask(P, i), P->words * sizeof(uint64_t));
    cr_patterns_free(Q);
    /* Comma-separated fields. */
    f = fopen(path, "w");
    for (size_t i = 0; i < P->p; i++) {
        cr_patterns_string(P, i, buf);
        for (int k = 0; k < 5; k++) fprintf(f, "%s%c", k ? "," : "", buf[k]);
        fputc('\n', f);
    }
    assert_int_equal(fclose(f), 0);
    Q = NULL;
    if (cr_dataload_patterns(path, 5, 0, &Q, &err)) fail_msg("%s", err.msg);
    assert_int_equal(Q->p, P->p);
    assert_memory_equal(Q->bits, P->bits, P->p * P->words * sizeof(uint64_t));
    cr_patterns_free(Q);
    cr_patterns_free(P);
    /* 70 samples: the bits of a second word. */
    char row[80];
    memset(row, '0', 70);
    row[70] = 0;
    row[0] = row[65] = row[69] = '1';
    f = fopen(path, "w");
    fprintf(f, "%s\n", row);
    assert_int_equal(fclose(f), 0);
    Q = NULL;
    if (cr_dataload_patterns(path, 70, 0, &Q, &err)) fail_msg("%s", err.msg);
    for (size_t k = 0; k < 70; k++) assert_int_equal(cr_patterns_bit(Q, 0, k), k == 0 || k == 65 || k == 69);
    cr_patterns_free(Q);
    crt_rmtree(dir);
}

static void test_patterns_bad(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long line;
        const char *part;
    } bad[] = {
        {"0101\n011\n", 2, "expected a pattern of n = 4 samples (4 characters 0/1, or 4 comma-separated 0/1), got 3 "
                           "characters"},
        {"0,1,0\n", 1, "got 3 fields"},
        {"0101\n0121\n", 2, "sample 3: expected 0 or 1, got \"2\""},
        {"1,1,0,x\n", 1, "sample 4: expected 0 or 1, got \"x\""},
        {"1,1,0,10\n", 1, "sample 4: expected 0 or 1, got \"10\""},
        {"# a\n0110\n1111\n0110\n", 4, "the pattern of line 2 again"},
        {"# none\n", 1, "no patterns"},
    };
    char dir[256], path[400], where[450];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/p.txt", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        crt_write_text(path, bad[i].text);
        cr_patterns *Q = NULL;
        cr_err err = {{0}};
        assert_int_equal(cr_dataload_patterns(path, 4, 0, &Q, &err), CR_EINPUT);
        assert_null(Q);
        snprintf(where, sizeof where, "%s:%ld: patterns.path: ", path, bad[i].line);
        if (strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, bad[i].part))
            fail_msg("case %zu: message \"%s\", expected \"%s...%s\"", i, err.msg, where, bad[i].part);
    }
    crt_rmtree(dir);
}

/* The memory guard bounds a pattern file's patterns by its size (a pattern takes n bytes at least), not by the
 * count of every pattern of the data: at n = 300, d = 20 Cover's bound refuses exact patterns within 4 GiB, while a
 * file of three patterns fits (before, the file method was estimated like exact and refused). */
static void test_patterns_file_memory_bound(void **state)
{
    (void)state;
    char dir[256], path[400], set[450];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/p.txt", dir);
    char row[302];
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 300; i++) row[i] = (char)('0' + ((i + k) % 3 == 0));
        row[300] = 0;
        fprintf(f, "%s\n", row);
    }
    assert_int_equal(fclose(f), 0);
    snprintf(set, sizeof set, "patterns.path=%s", path);
    const char *sets[] = {"experiment=convex", "limits.memory_mb=4096", set};
    cr_config c;
    config_with(&c, sets, 3);
    cr_err err = {{0}};
    assert_int_equal(cr_limits_check(&c, 300, 20, &err), CR_EINPUT);
    assert_int_equal(cr_config_set(&c, "patterns.method=file", &err), CR_OK);
    if (cr_limits_check(&c, 300, 20, &err)) fail_msg("%s", err.msg);
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_plain_and_gzip),
        cmocka_unit_test(test_idx_from_config),
        cmocka_unit_test(test_idx_bad),
        cmocka_unit_test(test_csv_header_and_label_column),
        cmocka_unit_test(test_csv_delimiter_and_quotes),
        cmocka_unit_test(test_csv_skip_rows_labels01_gzip),
        cmocka_unit_test(test_csv_test_set_standardize_bias),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_sklearn_csv_against_numpy),
        cmocka_unit_test(test_fashion_mnist_against_numpy),
        cmocka_unit_test(test_real_configs_load),
        cmocka_unit_test(test_patterns_round_trip),
        cmocka_unit_test(test_patterns_bad),
        cmocka_unit_test(test_patterns_file_memory_bound),
    };
    return cmocka_run_group_tests_name("realdata", tests, NULL, NULL);
}
