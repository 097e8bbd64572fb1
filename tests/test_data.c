/* Tests of src/data.c: the CSV loader (good files and every tests/bad_data/ fixture, whose error must name
 * "PATH:LINE" of the offending line, counted by hand from the fixture), the Gaussian and orthogonally separable
 * generators (shape, determinism, and separability and cone angles recomputed here, independently of the
 * library's verifier), the verifier itself on hand-built sets, the slides' example, and cr_data_from_config. */
#include "testutil.h"

#include <math.h>

#include "config.h"
#include "dataload.h"
#include "rng.h"

#define BAD_DATA CR_SOURCE_DIR "/tests/bad_data/"

/* ------------------------------------------------------------------ helpers */

static void write_bytes(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Loads text written to a fresh temporary file; the folder is removed before returning. */
static int load_text(const char *text, cr_data **out, cr_err *err)
{
    char dir[256], path[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/d.csv", dir);
    write_bytes(path, text, strlen(text));
    int st = cr_data_load_csv(path, 0, out, err);
    crt_rmtree(dir);
    return st;
}

static void assert_data(const cr_data *D, size_t n, size_t d, const double *X, const double *y)
{
    assert_non_null(D);
    assert_int_equal(D->n, n);
    assert_int_equal(D->d, d);
    for (size_t i = 0; i < n * d; i++)
        if (D->X[i] != X[i]) fail_msg("X[%zu] = %.17g, expected %.17g", i, D->X[i], X[i]);
    for (size_t i = 0; i < n; i++)
        if (D->y[i] != y[i]) fail_msg("y[%zu] = %.17g, expected %.17g", i, D->y[i], y[i]);
}

static int same_data(const cr_data *A, const cr_data *B)
{
    return A->n == B->n && A->d == B->d && memcmp(A->X, B->X, A->n * A->d * sizeof(double)) == 0 &&
           memcmp(A->y, B->y, A->n * sizeof(double)) == 0;
}

static double dot(const double *a, const double *b, size_t d)
{
    long double s = 0;
    for (size_t k = 0; k < d; k++) s += (long double)a[k] * b[k];
    return (double)s;
}

/* Angle between rows, degrees. */
static double angle_deg(const double *a, const double *b, size_t d)
{
    double c = dot(a, b, d) / sqrt(dot(a, a, d) * dot(b, b, d));
    if (c > 1) c = 1;
    if (c < -1) c = -1;
    return acos(c) * 180.0 / M_PI;
}

/* ------------------------------------------------------------- CSV: good */

static void test_csv_header_detected(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1, 2, 3, 4}, y[] = {1, -1};
    if (load_text("x1,x2,y\n1,2,1\n3,4,-1\n", &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 2, 2, X, y);
    cr_data_free(D);
    D = NULL;
    /* Without a header the first row is data. */
    if (load_text("1,2,1\n3,4,-1\n", &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 2, 2, X, y);
    cr_data_free(D);
}

static void test_csv_comments_blank_crlf(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1, 2, 3, 4, 5, 6}, y[] = {1, -1, 1};
    const char *text = "# features then label\r\n\r\n x1 , x2 , y \r\n 1 , 2 , 1 \r\n# between rows\r\n   \r\n"
                       "3,4,-1\r\n\n\t\n5,6,1"; /* the last line has no line break */
    if (load_text(text, &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 3, 2, X, y);
    cr_data_free(D);
}

static void test_csv_number_forms(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {-150.0, 0.25, 1e-3, -7}, y[] = {3, -0.5};
    if (load_text("-1.5e2,0.25,+3\n1E-3,-7,-.5\n", &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 2, 2, X, y);
    cr_data_free(D);
    /* One feature. */
    const double X1[] = {0.5}, y1[] = {1};
    D = NULL;
    if (load_text("x,y\n0.5,1\n", &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 1, 1, X1, y1);
    cr_data_free(D);
}

/* A tiny but finite number (subnormal) is a finite number: it loads, it is not "NaN or infinite". */
static void test_csv_subnormal_is_finite(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1e-310}, y[] = {1};
    int st = load_text("1e-310,1\n", &D, &err);
    if (st) fail_msg("1e-310 (a finite, representable double) refused: %s", err.msg);
    assert_data(D, 1, 1, X, y);
    cr_data_free(D);
}

/* Fields are read as CSV (RFC 4180, csvread.h): a quoted header name may hold a comma, a quoted number is a number,
 * and a quote left open is refused naming the line it opened on. */
static void test_csv_quoted_fields(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1.5, 2}, y[] = {-1, 1};
    if (load_text("\"x, first\",\"y\"\r\n\"1.5\",-1\r\n 2 ,\"1\"\n", &D, &err)) fail_msg("%s", err.msg);
    assert_data(D, 2, 1, X, y);
    cr_data_free(D);
    D = NULL;
    assert_int_equal(load_text("1,2\n3,\"4\n5,6\n", &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, ":2: quoted field not closed before the end of the file"));
}

static void test_csv_missing_file(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_data_load_csv(BAD_DATA "does_not_exist.csv", 0, &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, BAD_DATA "does_not_exist.csv"));
}

/* -------------------------------------------------------------- CSV: bad */

typedef struct {
    const char *file;
    long line;        /* of the offending line, from 1; 0: not pinned */
    const char *part; /* a fragment of the message */
} bad_csv;

static const bad_csv bad_csvs[] = {
    {"empty.csv", 1, "no data rows"},
    {"only_header.csv", 1, "no data rows"},
    {"only_comments.csv", 0, "no data rows"},
    {"ragged_short.csv", 4, "ragged row: expected 3 fields, got 2"},
    {"ragged_long.csv", 2, "ragged row: expected 3 fields, got 4"},
    {"header_wider_than_rows.csv", 2, "expected 3 fields, got 2"},
    {"non_number.csv", 5, "column 2: expected a number, got \"abc\""},
    {"nan.csv", 4, "column 1: expected a finite number"},
    {"inf_crlf.csv", 3, "column 1: expected a finite number"},
    {"inf_label.csv", 1, "column 3: expected a finite number"},
    {"overflow.csv", 2, "column 1: expected a finite number"},
    {"single_column.csv", 1, "expected at least 2 columns"},
    {"single_column_header.csv", 2, "expected at least 2 columns"},
    {"crlf_ragged.csv", 4, "ragged row: expected 3 fields, got 2"},
    {"nul_byte.csv", 2, "NUL byte"},
    {"empty_field.csv", 2, "column 2: expected a number"},
    {"second_header.csv", 3, "column 1: expected a number"},
    {"blank_then_bad.csv", 4, "column 3: expected a number"},
};

static void test_csv_bad_fixture(void **state)
{
    const bad_csv *b = *state;
    char path[512], where[600];
    snprintf(path, sizeof path, BAD_DATA "%s", b->file);
    assert_true(crt_exists(path));
    if (b->line) snprintf(where, sizeof where, "%s:%ld: ", path, b->line);
    else snprintf(where, sizeof where, "%s:", path);
    cr_data *D = NULL;
    cr_err err = {{0}};
    int st = cr_data_load_csv(path, 0, &D, &err);
    if (st != CR_EINPUT) {
        if (D) {
            size_t n = D->n, d = D->d;
            cr_data_free(D);
            fail_msg("%s: loaded as n = %zu, d = %zu; expected CR_EINPUT at \"%s\" with \"%s\"", b->file, n, d, where,
                     b->part);
        }
        fail_msg("%s: status %d, expected CR_EINPUT (%s)", b->file, st, err.msg);
    }
    assert_null(D);
    if (strncmp(err.msg, where, strlen(where)) != 0) fail_msg("%s: message \"%s\" does not start with \"%s\"", b->file, err.msg, where);
    if (!strstr(err.msg, b->part)) fail_msg("%s: message \"%s\" lacks \"%s\"", b->file, err.msg, b->part);
}

/* ------------------------------------------------------------ generators */

static void test_slide(void **state)
{
    (void)state;
    cr_data *D = cr_data_slide();
    const double X[] = {3, 3, 2, 2, 1, 0}, y[] = {1, -1, 1};
    assert_data(D, 3, 2, X, y);
    cr_data_free(D);
    cr_data_free(NULL);
}

static cr_data *gaussian(size_t n, size_t d, size_t width, double noise, int sign, unsigned long seed)
{
    gsl_rng *r = cr_rng_seeded(seed);
    assert_non_null(r);
    cr_data *D = NULL;
    cr_err err = {{0}};
    int st = cr_data_gaussian(n, d, width, noise, sign, r, &D, &err);
    gsl_rng_free(r);
    if (st) fail_msg("gaussian: %s", err.msg);
    assert_non_null(D);
    return D;
}

static void test_gaussian_shape_and_determinism(void **state)
{
    (void)state;
    cr_data *A = gaussian(37, 5, 3, 0.1, 0, 7), *B = gaussian(37, 5, 3, 0.1, 0, 7), *C = gaussian(37, 5, 3, 0.1, 0, 8);
    assert_int_equal(A->n, 37);
    assert_int_equal(A->d, 5);
    assert_true(same_data(A, B));
    assert_false(memcmp(A->X, C->X, 37 * 5 * sizeof(double)) == 0);
    assert_false(memcmp(A->y, C->y, 37 * sizeof(double)) == 0);
    for (size_t i = 0; i < 37 * 5; i++) assert_true(isfinite(A->X[i]));
    /* Real-valued labels: not all equal. */
    int varied = 0;
    for (size_t i = 1; i < 37; i++) varied |= A->y[i] != A->y[0];
    assert_true(varied);
    cr_data_free(A);
    cr_data_free(B);
    cr_data_free(C);
}

static void test_gaussian_sign_labels(void **state)
{
    (void)state;
    cr_data *S = gaussian(200, 3, 4, 0.5, 1, 11);
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < S->n; i++) {
        if (S->y[i] == 1.0) pos++;
        else if (S->y[i] == -1.0) neg++;
        else fail_msg("y[%zu] = %g is not +-1", i, S->y[i]);
    }
    assert_int_equal(pos + neg, 200);
    cr_data_free(S);
    /* Without noise, the sign labels are the signs of the planted labels on the same rows (0 -> +1). */
    cr_data *P = gaussian(100, 2, 3, 0.0, 0, 5), *Q = gaussian(100, 2, 3, 0.0, 1, 5);
    assert_memory_equal(P->X, Q->X, 100 * 2 * sizeof(double));
    for (size_t i = 0; i < 100; i++) assert_true(Q->y[i] == (P->y[i] >= 0 ? 1.0 : -1.0));
    cr_data_free(P);
    cr_data_free(Q);
}

/* Rows N(0, I): sample moments within 6 standard errors. */
static void test_gaussian_moments(void **state)
{
    (void)state;
    const size_t n = 20000, d = 3;
    cr_data *G = gaussian(n, d, 2, 0.0, 0, 3);
    for (size_t k = 0; k < d; k++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++) m += G->X[i * d + k];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) v += (G->X[i * d + k] - m) * (G->X[i * d + k] - m);
        v /= (double)(n - 1);
        assert_true(fabs(m) < 6.0 / sqrt((double)n));
        assert_true(fabs(v - 1.0) < 6.0 * sqrt(2.0 / (double)n));
    }
    cr_data_free(G);
}

typedef struct {
    size_t n, d;
    double cone, between;
} orth_case;

static const orth_case orth_cases[] = {
    {2, 1, 0, 180},   {20, 1, 30, 180}, {9, 1, 44, 180},   {50, 2, 20, 135},  {50, 2, 44, 178}, {41, 2, 0, 120},
    {60, 2, 10, 180}, {101, 3, 10, 115}, {80, 3, 35, 170}, {200, 10, 30, 150}, {30, 10, 1, 93},  {3, 2, 20, 130},
};

static void check_orthsep(const orth_case *c, unsigned long seed)
{
    gsl_rng *r = cr_rng_seeded(seed);
    cr_data *D = NULL;
    cr_err err = {{0}};
    int st = cr_data_orthsep(c->n, c->d, c->cone, c->between, r, &D, &err);
    gsl_rng_free(r);
    if (st) fail_msg("orthsep(n=%zu, d=%zu, cone=%g, between=%g): %s", c->n, c->d, c->cone, c->between, err.msg);
    assert_non_null(D);
    assert_int_equal(D->n, c->n);
    assert_int_equal(D->d, c->d);
    const size_t d = c->d;
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < D->n; i++) {
        if (D->y[i] == 1.0) pos++;
        else if (D->y[i] == -1.0) neg++;
        else fail_msg("y[%zu] = %g", i, D->y[i]);
        double nrm = sqrt(dot(D->X + i * d, D->X + i * d, d));
        if (nrm < 0.5 - 1e-12 || nrm > 1.5 + 1e-12) fail_msg("row %zu has norm %g, outside [0.5, 1.5]", i, nrm);
    }
    /* Both classes, balanced within one. */
    assert_true(pos >= 1 && neg >= 1);
    assert_true(pos > neg ? pos - neg <= 1 : neg - pos <= 1);
    const double tol = 1e-5; /* degrees: acos near 1 resolves about 1e-6 */
    const double hi = c->between + 2 * c->cone < 180 ? c->between + 2 * c->cone : 180;
    for (size_t i = 0; i < D->n; i++) {
        for (size_t k = i + 1; k < D->n; k++) {
            const double *a = D->X + i * d, *b = D->X + k * d;
            double ip = dot(a, b, d), ang = angle_deg(a, b, d);
            if (D->y[i] == D->y[k]) {
                if (!(ip > 0)) fail_msg("same class %zu, %zu: inner product %g", i, k, ip);
                if (ang > 2 * c->cone + tol) fail_msg("same class %zu, %zu: angle %g > 2 cone %g", i, k, ang, 2 * c->cone);
            } else {
                if (!(ip <= 0)) fail_msg("classes differ %zu, %zu: inner product %g", i, k, ip);
                if (ang < c->between - 2 * c->cone - tol || ang > hi + tol)
                    fail_msg("classes differ %zu, %zu: angle %g outside [%g, %g]", i, k, ang, c->between - 2 * c->cone, hi);
            }
        }
    }
    size_t bi = 99, bk = 99;
    assert_int_equal(cr_data_orthsep_check(D, &bi, &bk), 1);
    /* Same seed, same bytes; another seed, other data. */
    r = cr_rng_seeded(seed);
    cr_data *E = NULL;
    assert_int_equal(cr_data_orthsep(c->n, c->d, c->cone, c->between, r, &E, &err), CR_OK);
    gsl_rng_free(r);
    assert_true(same_data(D, E));
    cr_data_free(E);
    r = cr_rng_seeded(seed + 1);
    E = NULL;
    assert_int_equal(cr_data_orthsep(c->n, c->d, c->cone, c->between, r, &E, &err), CR_OK);
    gsl_rng_free(r);
    assert_false(memcmp(D->X, E->X, D->n * d * sizeof(double)) == 0);
    cr_data_free(E);
    cr_data_free(D);
}

static void test_orthsep_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof orth_cases / sizeof orth_cases[0]; i++)
        for (unsigned long seed = 1; seed <= 5; seed++) check_orthsep(&orth_cases[i], seed * 7919);
}

/* The boundary the contract allows (between = 90 + 2 cone) with cone 0: classes exactly orthogonal. */
static void test_orthsep_boundary_orthogonal(void **state)
{
    (void)state;
    const orth_case c = {10, 2, 0, 90};
    check_orthsep(&c, 1);
    const orth_case c3 = {10, 3, 0, 90};
    check_orthsep(&c3, 2);
}

static void test_orthsep_infeasible(void **state)
{
    (void)state;
    const struct {
        size_t n, d;
        double cone, between;
    } bad[] = {{1, 2, 20, 135}, {0, 2, 20, 135}, {10, 2, 45, 180}, {10, 2, -1, 135},
               {10, 2, 20, 129.9}, {10, 2, 10, 180.5}, {10, 1, 0, 170}, {10, 1, 10, 90}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gsl_rng *r = cr_rng_seeded(1);
        cr_data *D = NULL;
        cr_err err = {{0}};
        int st = cr_data_orthsep(bad[i].n, bad[i].d, bad[i].cone, bad[i].between, r, &D, &err);
        gsl_rng_free(r);
        if (st != CR_EINPUT)
            fail_msg("orthsep(n=%zu, d=%zu, cone=%g, between=%g): status %d, expected CR_EINPUT", bad[i].n, bad[i].d,
                     bad[i].cone, bad[i].between, st);
        assert_null(D);
        assert_true(strlen(err.msg) > 0);
    }
}

/* -------------------------------------------------------------- verifier */

static cr_data *make(size_t n, size_t d, const double *X, const double *y)
{
    cr_data *D = cr_data_alloc(n, d);
    assert_non_null(D);
    memcpy(D->X, X, n * d * sizeof(double));
    memcpy(D->y, y, n * sizeof(double));
    return D;
}

static void test_orthsep_check_hand_sets(void **state)
{
    (void)state;
    size_t i = 99, k = 99;
    /* Separable: same class inner products 1 and 1, across classes -1, -0.5, -1.5, -1.5. */
    const double X1[] = {1, 0, 1, 1, -1, -0.5, -0.5, -1}, y1[] = {1, 1, -1, -1};
    cr_data *D = make(4, 2, X1, y1);
    assert_int_equal(cr_data_orthsep_check(D, &i, &k), 1);
    cr_data_free(D);

    /* Across classes an inner product of exactly 0 is allowed. */
    const double X2[] = {1, 0, 0, 1}, y2[] = {1, -1};
    D = make(2, 2, X2, y2);
    assert_int_equal(cr_data_orthsep_check(D, NULL, NULL), 1);
    cr_data_free(D);

    /* Within a class it is not: the pair (0, 1). */
    const double y3[] = {1, 1};
    D = make(2, 2, X2, y3);
    assert_int_equal(cr_data_orthsep_check(D, &i, &k), 0);
    assert_int_equal(i, 0);
    assert_int_equal(k, 1);
    cr_data_free(D);

    /* Only pairs (1, 3) (across, inner product 0.15) and (2, 3) (same class, -0.05) violate; the first is (1, 3). */
    const double X4[] = {1, 0.1, 1, -0.1, -1, 0, 0.05, -1}, y4[] = {1, 1, -1, -1};
    D = make(4, 2, X4, y4);
    assert_int_equal(cr_data_orthsep_check(D, &i, &k), 0);
    assert_int_equal(i, 1);
    assert_int_equal(k, 3);
    cr_data_free(D);

    /* The slides' example: rows 1 and 2 are parallel but labelled differently, so it is not separable. */
    D = cr_data_slide();
    assert_int_equal(cr_data_orthsep_check(D, &i, &k), 0);
    assert_int_equal(i, 0);
    assert_int_equal(k, 1);
    cr_data_free(D);

    /* One sample, one class: separable. */
    const double X5[] = {1, 2, 3}, y5[] = {-1};
    D = make(1, 3, X5, y5);
    assert_int_equal(cr_data_orthsep_check(D, NULL, NULL), 1);
    cr_data_free(D);
}

/* ----------------------------------------------------- limits on input */

/* A device, a FIFO and a folder have no size to check: refused before anything is read (before the check,
 * /dev/zero was read until memory ran out and opening a FIFO waited for a writer forever). alarm() turns a
 * hang into a failure. */
static void test_csv_not_regular(void **state)
{
    (void)state;
    char dir[256], fifo[300];
    crt_tmpdir(dir);
    snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {"/dev/zero", fifo, dir};
    alarm(10);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        cr_data *D = NULL;
        cr_err err = {{0}};
        int st = cr_data_load_csv(paths[i], 100, &D, &err);
        if (st != CR_EINPUT || !strstr(err.msg, "not a regular file"))
            fail_msg("%s: status %d, message \"%s\"; expected CR_EINPUT, not a regular file", paths[i], st, err.msg);
        assert_null(D);
    }
    alarm(0);
    crt_rmtree(dir);
}

/* The file's size against limits.memory_mb, before reading: the loader's worst case is 18 bytes per byte of the
 * file (data.h), so 64 KiB = 65536 bytes need 1179648 bytes = 1.125 MiB: refused at 1 MiB, loaded at 2 MiB. A
 * sparse file of 1 GiB (no disk used, all NUL bytes) is refused by its size, not by its first line. */
static void test_csv_size_limit(void **state)
{
    (void)state;
    char dir[256], path[300], sparse[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 16384; i++) fputs("1,1\n", f); /* 4 bytes a row: 65536 bytes */
    assert_int_equal(fclose(f), 0);
    cr_data *D = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_data_load_csv(path, 1, &D, &err), CR_EINPUT);
    assert_null(D);
    char want[512];
    snprintf(want, sizeof want, "%s: data file of 65536 bytes may need up to 1.12 MiB to load", path);
    if (strncmp(err.msg, want, strlen(want)) != 0) fail_msg("message \"%s\", expected \"%s...\"", err.msg, want);
    assert_int_equal(cr_data_load_csv(path, 2, &D, &err), CR_OK);
    assert_int_equal(D->n, 16384);
    assert_int_equal(D->d, 1);
    cr_data_free(D);
    D = NULL;

    snprintf(sparse, sizeof sparse, "%s/sparse.csv", dir);
    f = fopen(sparse, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 1L << 30), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(cr_data_load_csv(sparse, 1000, &D, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "data file of 1073741824 bytes may need up to"));

    /* Through the config: limits.memory_mb applies. */
    cr_config c;
    char set[400];
    cr_config_defaults(&c);
    snprintf(set, sizeof set, "data.path=%s", path);
    assert_int_equal(cr_config_set(&c, "data.kind=csv", &err), CR_OK);
    assert_int_equal(cr_config_set(&c, set, &err), CR_OK);
    assert_int_equal(cr_config_set(&c, "limits.memory_mb=1", &err), CR_OK);
    assert_int_equal(cr_data_from_config(&c, &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, "more than limits.memory_mb = 1"));
    crt_rmtree(dir);
}

/* ---------------------------------------------------------- from config */

static cr_data *from_sets(const char *const *sets, size_t n)
{
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    for (size_t i = 0; i < n; i++)
        if (cr_config_set(&c, sets[i], &err)) fail_msg("%s: %s", sets[i], err.msg);
    cr_data *D = NULL;
    if (cr_data_from_config(&c, &D, &err)) fail_msg("from_config: %s", err.msg);
    assert_non_null(D);
    return D;
}

static void test_from_config(void **state)
{
    (void)state;
    const char *s1[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=10", "seed=1"};
    const char *s2[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=10", "seed=2"};
    const char *s3[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=11", "seed=1"};
    cr_data *A = from_sets(s1, 5), *B = from_sets(s2, 5), *C = from_sets(s3, 5);
    assert_int_equal(A->n, 15);
    assert_int_equal(A->d, 4);
    /* The data has its own stream: the master seed does not move it, the data seed does. */
    assert_true(same_data(A, B));
    assert_false(same_data(A, C));
    cr_data_free(A);
    cr_data_free(B);
    cr_data_free(C);

    const char *s4[] = {"data.kind=gaussian", "data.labels=sign", "data.n=50", "data.seed=3"};
    A = from_sets(s4, 4);
    for (size_t i = 0; i < A->n; i++) assert_true(A->y[i] == 1.0 || A->y[i] == -1.0);
    cr_data_free(A);

    const char *s5[] = {"data.kind=orthsep", "data.n=25", "data.d=3", "data.cone_deg=15", "data.between_deg=140",
                        "data.seed=4"};
    A = from_sets(s5, 6);
    assert_int_equal(A->n, 25);
    assert_int_equal(A->d, 3);
    assert_int_equal(cr_data_orthsep_check(A, NULL, NULL), 1);
    cr_data_free(A);

    const char *s6[] = {"data.kind=slide", "data.n=99"};
    A = from_sets(s6, 2);
    const double X[] = {3, 3, 2, 2, 1, 0}, y[] = {1, -1, 1};
    assert_data(A, 3, 2, X, y);
    cr_data_free(A);

    char dir[256], path[300], set[400];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/x.csv", dir);
    write_bytes(path, "a,b,c,y\n1,2,3,-1\n", strlen("a,b,c,y\n1,2,3,-1\n"));
    snprintf(set, sizeof set, "data.path=%s", path);
    const char *s7[] = {"data.kind=csv", set};
    A = from_sets(s7, 2);
    const double X7[] = {1, 2, 3}, y7[] = {-1};
    assert_data(A, 1, 3, X7, y7);
    cr_data_free(A);

    /* Bad CSV through the config: CR_EINPUT naming the file and line. */
    write_bytes(path, "a,b,y\n1,2,3\n1,2\n", strlen("a,b,y\n1,2,3\n1,2\n"));
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "data.kind=csv", &err), CR_OK);
    assert_int_equal(cr_config_set(&c, set, &err), CR_OK);
    A = NULL;
    assert_int_equal(cr_data_from_config(&c, &A, &err), CR_EINPUT);
    assert_null(A);
    char where[400];
    snprintf(where, sizeof where, "%s:3: ", path);
    assert_non_null(strstr(err.msg, where));
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_header_detected),
        cmocka_unit_test(test_csv_comments_blank_crlf),
        cmocka_unit_test(test_csv_number_forms),
        cmocka_unit_test(test_csv_subnormal_is_finite),
        cmocka_unit_test(test_csv_quoted_fields),
        cmocka_unit_test(test_csv_missing_file),
        cmocka_unit_test(test_csv_not_regular),
        cmocka_unit_test(test_csv_size_limit),
        cmocka_unit_test(test_slide),
        cmocka_unit_test(test_gaussian_shape_and_determinism),
        cmocka_unit_test(test_gaussian_sign_labels),
        cmocka_unit_test(test_gaussian_moments),
        cmocka_unit_test(test_orthsep_cases),
        cmocka_unit_test(test_orthsep_boundary_orthogonal),
        cmocka_unit_test(test_orthsep_infeasible),
        cmocka_unit_test(test_orthsep_check_hand_sets),
        cmocka_unit_test(test_from_config),
    };
    int failed = cmocka_run_group_tests_name("data", tests, NULL, NULL);

    /* One case per bad CSV fixture. */
    const size_t nb = sizeof bad_csvs / sizeof bad_csvs[0];
    struct CMUnitTest bt[sizeof bad_csvs / sizeof bad_csvs[0]];
    memset(bt, 0, sizeof bt);
    for (size_t i = 0; i < nb; i++) {
        bt[i].name = bad_csvs[i].file;
        bt[i].test_func = test_csv_bad_fixture;
        bt[i].initial_state = (void *)&bad_csvs[i];
    }
    failed += _cmocka_run_group_tests("bad_data", bt, nb, NULL, NULL);
    return failed ? 1 : 0;
}
