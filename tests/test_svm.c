/* Tests of src/svm.c: the linear hard-margin SVM against hand-derived two-point optima (KKT of a two-constraint
 * QP) and against cvxopt's qp (tests/oracle/maxmargin.py) on orthogonally separable, linearly separable and
 * non-separable sets; the Farkas certificate on data no hyperplane through 0 separates; the input check shared
 * with the max-margin program; arguments. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "data.h"
#include "svm.h"

static double rel_diff(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* Two points x1 (y = +1), x2 (y = -1), no bias: min ||w||^2 / 2 s.t. a'w >= 1, b'w >= 1 with a = x1, b = -x2.
 * By hand (KKT of a 2-constraint QP): if a'b >= ||a||^2 only the first constraint binds, w = a / ||a||^2;
 * if a'b >= ||b||^2 only the second, w = b / ||b||^2; else both bind, w = alpha a + beta b with
 * [a'a a'b; a'b b'b] (alpha, beta) = (1, 1): alpha = (b'b - a'b) / det, beta = (a'a - a'b) / det. */
static void two_point_closed_form(const double *a, const double *b, size_t d, double *w)
{
    double aa = 0, bb = 0, ab = 0;
    for (size_t r = 0; r < d; r++) {
        aa += a[r] * a[r];
        bb += b[r] * b[r];
        ab += a[r] * b[r];
    }
    if (ab >= aa) {
        for (size_t r = 0; r < d; r++) w[r] = a[r] / aa;
    } else if (ab >= bb) {
        for (size_t r = 0; r < d; r++) w[r] = b[r] / bb;
    } else {
        double det = aa * bb - ab * ab, al = (bb - ab) / det, be = (aa - ab) / det;
        for (size_t r = 0; r < d; r++) w[r] = al * a[r] + be * b[r];
    }
}

static void test_svm_two_points(void **state)
{
    (void)state;
    cr_svm_work *sw = cr_svm_alloc(2, 3);
    assert_non_null(sw);
    cr_err e;
    cr_svm_info info;
    double w[3], a[2];
    /* x1 = (2, 0), x2 = (0, -1): both bind, w = (1/2, 1), 1/2 ||w||^2 = 5/8. */
    {
        cr_svm_work *s2 = cr_svm_alloc(2, 2);
        const double X[] = {2, 0, 0, -1}, y[] = {1, -1};
        assert_int_equal(cr_svm_solve(s2, X, y, 2, 2, 1e-12, w, a, &info, &e), CR_OK);
        assert_true(fabs(w[0] - 0.5) <= 1e-15 && fabs(w[1] - 1.0) <= 1e-15);
        assert_true(fabs(info.primal - 0.625) <= 1e-15 && fabs(info.dual - 0.625) <= 1e-15);
        /* Dual: w = X'Y a, so a = (1/4, 1). */
        assert_true(fabs(a[0] - 0.25) <= 1e-15 && fabs(a[1] - 1.0) <= 1e-15);
        assert_int_equal(info.support, 2);
        /* x1 = (1, 0), x2 = (-3, -1/2): only x1 binds, w = (1, 0). */
        const double X2[] = {1, 0, -3, -0.5};
        assert_int_equal(cr_svm_solve(s2, X2, y, 2, 2, 1e-12, w, a, &info, &e), CR_OK);
        assert_true(fabs(w[0] - 1.0) <= 1e-15 && fabs(w[1]) <= 1e-15);
        assert_true(fabs(info.primal - 0.5) <= 1e-15);
        assert_true(a[1] == 0.0 && info.support == 1);
        cr_svm_free(s2);
    }
    gsl_rng *g = crt_rng_seeded(3);
    for (int rep = 0; rep < 200; rep++) {
        double X[6], y[2] = {1, -1}, wc[3];
        for (int i = 0; i < 6; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        /* Separable without bias iff x2 is not a positive multiple of x1. */
        two_point_closed_form(X, (double[]){-X[3], -X[4], -X[5]}, 3, wc);
        int st = cr_svm_solve(sw, X, y, 2, 3, 1e-10, w, a, &info, &e);
        assert_int_equal(st, CR_OK);
        for (int r = 0; r < 3; r++)
            if (fabs(w[r] - wc[r]) > 1e-10 * crt_nrm(wc, 3)) fail_msg("rep %d: w[%d] = %.17g, closed form %.17g", rep, r, w[r], wc[r]);
        assert_true(rel_diff(info.primal, 0.5 * crt_nrm(wc, 3) * crt_nrm(wc, 3)) <= 1e-12);
        assert_true(info.rel_gap <= 1e-12 && info.rel_gap >= -1e-14);
        assert_true(fabs(info.min_margin - 1.0) <= 1e-14);
    }
    gsl_rng_free(g);
    cr_svm_free(sw);
}

static void test_svm_not_separable(void **state)
{
    (void)state;
    cr_svm_work *sw = cr_svm_alloc(4, 2);
    cr_err e;
    double w[2];
    /* Same point, opposite labels. */
    const double X1[] = {1, 2, 1, 2}, y1[] = {1, -1};
    assert_int_equal(cr_svm_solve(sw, X1, y1, 2, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "not linearly separable"));
    /* x and -x with the same label: y_i x_i sum to 0. */
    const double X2[] = {1, 0, -1, 0, 0, 1}, y2[] = {1, 1, -1};
    assert_int_equal(cr_svm_solve(sw, X2, y2, 3, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    /* XOR-like directions: +, -, +, - around the circle. */
    const double X3[] = {1, 0, 0, 1, -1, 0, 0, -1}, y3[] = {1, -1, 1, -1};
    assert_int_equal(cr_svm_solve(sw, X3, y3, 4, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    /* A zero sample. */
    const double X4[] = {1, 0, 0, 0}, y4[] = {1, -1};
    assert_int_equal(cr_svm_solve(sw, X4, y4, 2, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    /* Bad arguments. */
    const double y5[] = {1, 0};
    assert_int_equal(cr_svm_solve(sw, X1, y5, 2, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_svm_solve(sw, X1, y1, 2, 2, 0.0, w, NULL, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_svm_solve(sw, X1, y1, 5, 2, 1e-8, w, NULL, NULL, &e), CR_EINPUT);
    cr_svm_free(sw);
    assert_null(cr_svm_alloc(0, 1));
    cr_svm_free(NULL);
}


/* ============================================================================ cvxopt's qp */

typedef struct {
    const char *what;
    size_t n, d;
    double X[64 * 4], y[64];
} svm_instance;

static void orthsep(svm_instance *I, const char *what, size_t n, size_t d, double cone, double between, gsl_rng *g)
{
    cr_data *D = NULL;
    cr_err e;
    if (cr_data_orthsep(n, d, cone, between, g, &D, &e) != CR_OK) fail_msg("%s: %s", what, e.msg);
    I->what = what;
    I->n = n;
    I->d = d;
    memcpy(I->X, D->X, n * d * sizeof *I->X);
    memcpy(I->y, D->y, n * sizeof *I->y);
    cr_data_free(D);
}

/* Gaussian rows labelled by a random hyperplane through 0, rows within 0.2 of it redrawn. */
static void linsep(svm_instance *I, const char *what, size_t n, size_t d, gsl_rng *g)
{
    double ws[4];
    for (size_t r = 0; r < d; r++) ws[r] = gsl_ran_gaussian(g, 1.0);
    double wn = crt_nrm(ws, d);
    I->what = what;
    I->n = n;
    I->d = d;
    for (size_t i = 0; i < n; i++) {
        double t;
        do {
            t = 0.0;
            for (size_t r = 0; r < d; r++) {
                I->X[i * d + r] = gsl_ran_gaussian(g, 1.0);
                t += I->X[i * d + r] * ws[r] / wn;
            }
        } while (fabs(t) < 0.2);
        I->y[i] = t > 0 ? 1.0 : -1.0;
    }
}

/* Gaussian rows with random labels: for n well above d no hyperplane through 0 separates them. */
static void random_labels(svm_instance *I, const char *what, size_t n, size_t d, gsl_rng *g)
{
    I->what = what;
    I->n = n;
    I->d = d;
    for (size_t i = 0; i < n * d; i++) I->X[i] = gsl_ran_gaussian(g, 1.0);
    for (size_t i = 0; i < n; i++) I->y[i] = gsl_rng_uniform(g) < 0.5 ? -1.0 : 1.0;
}

static void test_oracle(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(2022);
    svm_instance I[24];
    size_t K = 0;
    orthsep(&I[K++], "orthsep n6 d2", 6, 2, 20, 130, g);
    orthsep(&I[K++], "orthsep n14 d2", 14, 2, 25, 175, g);
    orthsep(&I[K++], "orthsep n10 d3", 10, 3, 15, 125, g);
    orthsep(&I[K++], "orthsep n16 d3", 16, 3, 35, 170, g);
    orthsep(&I[K++], "orthsep n12 d4", 12, 4, 20, 140, g);
    linsep(&I[K++], "linsep n8 d2", 8, 2, g);
    linsep(&I[K++], "linsep n12 d2", 12, 2, g);
    linsep(&I[K++], "linsep n40 d2", 40, 2, g);
    linsep(&I[K++], "linsep n7 d3", 7, 3, g);
    linsep(&I[K++], "linsep n20 d3", 20, 3, g);
    linsep(&I[K++], "linsep n10 d4", 10, 4, g);
    linsep(&I[K++], "linsep n60 d4", 60, 4, g);
    random_labels(&I[K++], "random labels n30 d2", 30, 2, g);
    random_labels(&I[K++], "random labels n40 d3", 40, 3, g);
    random_labels(&I[K++], "random labels n50 d4", 50, 4, g);

    char dir[256], path[512], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/instances.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t t = 0; t < K; t++) {
        fprintf(f, "%zu %zu 0\n", I[t].n, I[t].d); /* p = 0: the SVM only */
        crt_write_rows(f, I[t].X, I[t].n, I[t].d);
        for (size_t i = 0; i < I[t].n; i++) fprintf(f, "%g ", I[t].y[i]);
        fprintf(f, "\n");
    }
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s/tests/oracle/maxmargin.py --tol 1e-8 %s", CRT_PYTHON,
             CR_SOURCE_DIR, path);
    char *out = NULL;
    int rc = crt_sh(cmd, &out);
    if (rc != 0) fail_msg("oracle failed (%d): %s", rc, out ? out : "");
    size_t separable = 0, inseparable = 0;
    char *line = out;
    for (size_t t = 0; t < K; t++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = 0;
        size_t kk;
        double v;
        char status[64];
        if (sscanf(line, "instance %zu svm %lf svm_status %63s", &kk, &v, status) != 3 || kk != t)
            fail_msg("oracle output: %s", line);
        line = nl + 1;
        const svm_instance *In = &I[t];
        cr_svm_work *sw = cr_svm_alloc(In->n, In->d);
        assert_non_null(sw);
        double w[4], a[64];
        cr_svm_info si;
        cr_err e;
        int st = cr_svm_solve(sw, In->X, In->y, In->n, In->d, 1e-8, w, a, &si, &e);
        cr_svm_free(sw);
        if (strcmp(status, "primal_infeasible") == 0) {
            if (st != CR_EINPUT || !strstr(e.msg, "not linearly separable"))
                fail_msg("%s: oracle says not linearly separable, svm returned %d: %s", In->what, st, e.msg);
            inseparable++;
            continue;
        }
        if (st != CR_OK) fail_msg("%s: svm: %s", In->what, e.msg);
        if (strcmp(status, "optimal") != 0) fail_msg("%s: oracle svm status %s", In->what, status);
        if (rel_diff(si.primal, v) > 1e-6) fail_msg("%s: svm %.12g, oracle %.12g", In->what, si.primal, v);
        /* Certificate checked here, not taken from info: w feasible with min margin 1, a >= 0, and the dual value
         * 1'a - 1/2 ||X'Y a||^2 of a within the gap of 1/2 ||w||^2. */
        double mmin = INFINITY, sa = 0.0, ga[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < In->n; i++) {
            double m = 0.0;
            for (size_t r = 0; r < In->d; r++) m += In->X[i * In->d + r] * w[r];
            mmin = fmin(mmin, In->y[i] * m);
            assert_true(a[i] >= 0.0);
            sa += a[i];
            for (size_t r = 0; r < In->d; r++) ga[r] += a[i] * In->y[i] * In->X[i * In->d + r];
        }
        double primal = 0.5 * crt_nrm(w, In->d) * crt_nrm(w, In->d), dual = sa - 0.5 * crt_nrm(ga, In->d) * crt_nrm(ga, In->d);
        if (fabs(mmin - 1.0) > 1e-13) fail_msg("%s: min margin %.17g", In->what, mmin);
        if (!((primal - dual) <= 1e-8 * primal + 1e-14)) fail_msg("%s: primal %.17g, dual %.17g", In->what, primal, dual);
        separable++;
    }
    free(out);
    crt_rmtree(dir);
    assert_true(separable >= 12 && inseparable >= 3);
    gsl_rng_free(g);
}

/* ============================================================================ input check */

static void test_check_data(void **state)
{
    (void)state;
    cr_err e;
    const double X[] = {1, 2, 3, 4}, y[] = {1, -1};
    assert_int_equal(cr_svm_check_data(X, y, 2, 2, &e), CR_OK);
    const double y0[] = {1, 0.5};
    assert_int_equal(cr_svm_check_data(X, y0, 2, 2, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "y[1]"));
    const double Xn[] = {1, 2, 3, NAN}, Xi[] = {INFINITY, 2, 3, 4};
    assert_int_equal(cr_svm_check_data(Xn, y, 2, 2, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "X[1,1]"));
    assert_int_equal(cr_svm_check_data(Xi, y, 2, 2, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "X[0,0]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svm_two_points),
        cmocka_unit_test(test_svm_not_separable),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_check_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
