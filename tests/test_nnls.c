/* Tests of src/nnls.c (Lawson-Hanson NNLS): against an exhaustive search over active sets for small k
 * (every support, unconstrained least squares by normal equations, best feasible), against
 * scipy.optimize.nnls on larger instances, planted optima, and the KKT conditions at every solution. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "nnls.h"

/* ||A x - b|| accumulated in long double, A x first and b subtracted after (the oracle's own arithmetic). */
static double resid_of(const double *A, size_t m, size_t k, const double *b, const double *x)
{
    long double s2 = 0.0L;
    for (size_t i = 0; i < m; i++) {
        long double ax = 0.0L;
        for (size_t j = 0; j < k; j++) ax += (long double)A[i * k + j] * x[j];
        long double r = ax - b[i];
        s2 += r * r;
    }
    return (double)sqrtl(s2);
}

/* KKT of min_{x>=0} 1/2 ||Ax - b||^2: x >= 0, w = A'(b - Ax) <= 0, w_j = 0 where x_j > 0, up to a
 * tolerance scaled by ||a_j|| ||b||. */
static void assert_kkt(const double *A, size_t m, size_t k, const double *b, const double *x, double rel)
{
    double bn = 0.0;
    for (size_t i = 0; i < m; i++) bn += b[i] * b[i];
    bn = sqrt(bn);
    for (size_t j = 0; j < k; j++) {
        assert_true(x[j] >= 0.0);
        double w = 0.0, an = 0.0;
        for (size_t i = 0; i < m; i++) {
            double r = b[i];
            for (size_t l = 0; l < k; l++) r -= A[i * k + l] * x[l];
            w += A[i * k + j] * r;
            an += A[i * k + j] * A[i * k + j];
        }
        double tol = rel * (sqrt(an) * bn + 1e-300);
        if (w > tol) fail_msg("KKT: w_%zu = %g > %g (x_j = %g)", j, w, tol, x[j]);
        if (x[j] > 0.0 && fabs(w) > tol) fail_msg("KKT: x_%zu = %g > 0 but w_j = %g", j, x[j], w);
    }
}

/* Unconstrained least squares on the columns in mask, by the normal equations and Gaussian elimination
 * with partial pivoting (an independent method). Returns 0 when the columns are numerically dependent. */
static int ls_subset(const double *A, size_t m, size_t k, const double *b, unsigned mask, double *x)
{
    size_t idx[8], p = 0;
    for (size_t j = 0; j < k; j++)
        if (mask >> j & 1u) idx[p++] = j;
    double G[8][9], scale = 0.0;
    for (size_t a = 0; a < p; a++) {
        for (size_t c = 0; c < p; c++) {
            double s = 0.0;
            for (size_t i = 0; i < m; i++) s += A[i * k + idx[a]] * A[i * k + idx[c]];
            G[a][c] = s;
        }
        double s = 0.0;
        for (size_t i = 0; i < m; i++) s += A[i * k + idx[a]] * b[i];
        G[a][p] = s;
        if (G[a][a] > scale) scale = G[a][a];
    }
    for (size_t c = 0; c < p; c++) {
        size_t piv = c;
        for (size_t a = c + 1; a < p; a++)
            if (fabs(G[a][c]) > fabs(G[piv][c])) piv = a;
        if (fabs(G[piv][c]) <= 1e-9 * scale) return 0;
        for (size_t e = 0; e <= p; e++) {
            double t = G[c][e];
            G[c][e] = G[piv][e];
            G[piv][e] = t;
        }
        for (size_t a = c + 1; a < p; a++) {
            double f = G[a][c] / G[c][c];
            for (size_t e = c; e <= p; e++) G[a][e] -= f * G[c][e];
        }
    }
    double z[8];
    for (size_t c = p; c-- > 0;) {
        double s = G[c][p];
        for (size_t e = c + 1; e < p; e++) s -= G[c][e] * z[e];
        z[c] = s / G[c][c];
    }
    for (size_t j = 0; j < k; j++) x[j] = 0.0;
    for (size_t a = 0; a < p; a++) x[idx[a]] = z[a];
    return 1;
}

/* Exact NNLS for k <= 6: the optimum is the unconstrained least squares solution on its own support (with
 * independent columns, by Caratheodory), so the best feasible one over all supports is optimal. */
static double brute_nnls(const double *A, size_t m, size_t k, const double *b, double *xbest)
{
    double best = INFINITY, x[8];
    for (unsigned mask = 0; mask < (1u << k); mask++) {
        if (!ls_subset(A, m, k, b, mask, x)) continue;
        int feas = 1;
        for (size_t j = 0; j < k; j++) feas &= x[j] >= 0.0;
        if (!feas) continue;
        double r = resid_of(A, m, k, b, x);
        if (r < best) {
            best = r;
            memcpy(xbest, x, k * sizeof *x);
        }
    }
    return best;
}

static void test_against_brute_force(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(42);
    cr_nnls_work *w = cr_nnls_alloc(9, 6);
    assert_non_null(w);
    double A[9 * 6], b[9], x[6], xb[8], res;
    cr_err e;
    size_t active_total = 0, runs = 0;
    for (int t = 0; t < 600; t++) {
        size_t k = 1 + gsl_rng_uniform_int(g, 6);
        size_t m = t % 3 == 0 ? k + 3 : t % 3 == 1 ? k : (k > 2 ? k - 2 : 1);
        for (size_t i = 0; i < m * k; i++) A[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < m; i++) b[i] = gsl_ran_gaussian(g, 1.0);
        if (t % 5 == 0 && k >= 2) /* a duplicated column */
            for (size_t i = 0; i < m; i++) A[i * k + 1] = A[i * k];
        if (t % 7 == 0) /* a zero column */
            for (size_t i = 0; i < m; i++) A[i * k + k - 1] = 0.0;
        /* The answer scales with A and b: tolerances must too. */
        double sa = pow(10.0, (double)gsl_rng_uniform_int(g, 9) - 4.0);
        double sb = pow(10.0, (double)gsl_rng_uniform_int(g, 9) - 4.0);
        for (size_t i = 0; i < m * k; i++) A[i] *= sa;
        for (size_t i = 0; i < m; i++) b[i] *= sb;
        assert_int_equal(cr_nnls_solve(w, A, m, k, b, x, &res, &e), CR_OK);
        double want = brute_nnls(A, m, k, b, xb);
        assert_float_equal(res, resid_of(A, m, k, b, x), 1e-12 * sb);
        if (fabs(res - want) > 1e-10 * (sb + want))
            fail_msg("instance %d (m %zu, k %zu): residual %.17g, exhaustive search %.17g", t, m, k, res, want);
        /* With independent columns the minimizer is unique. */
        if (m >= k && t % 5 != 0 && t % 7 != 0)
            for (size_t j = 0; j < k; j++)
                if (fabs(x[j] - xb[j]) > 1e-8 * (sb / sa + fabs(xb[j])))
                    fail_msg("instance %d: x_%zu = %.17g, exhaustive search %.17g", t, j, x[j], xb[j]);
        assert_kkt(A, m, k, b, x, 1e-10);
        for (size_t j = 0; j < k; j++) active_total += x[j] == 0.0;
        runs++;
    }
    /* The instances must exercise the constraints (about half the coefficients at zero). */
    assert_true(active_total > runs);
    cr_nnls_free(w);
    gsl_rng_free(g);
}

static void test_planted(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(7);
    size_t m = 40, k = 25;
    cr_nnls_work *w = cr_nnls_alloc(m, k);
    double *A = malloc(m * k * sizeof *A), b[40], xs[25], x[25], res;
    assert_non_null(A);
    cr_err e;
    for (int t = 0; t < 20; t++) {
        for (size_t i = 0; i < m * k; i++) A[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t j = 0; j < k; j++) xs[j] = gsl_rng_uniform(g) < 0.5 ? 0.0 : 0.1 + gsl_rng_uniform(g);
        for (size_t i = 0; i < m; i++) {
            b[i] = 0.0;
            for (size_t j = 0; j < k; j++) b[i] += A[i * k + j] * xs[j];
        }
        assert_int_equal(cr_nnls_solve(w, A, m, k, b, x, &res, &e), CR_OK);
        assert_true(res < 1e-12 * 10.0);
        for (size_t j = 0; j < k; j++) assert_float_equal(x[j], xs[j], 1e-10);
        /* -b: A'b pointing away means x = 0 is optimal only if A'(-b) <= 0; check KKT instead */
        for (size_t i = 0; i < m; i++) b[i] = -b[i];
        assert_int_equal(cr_nnls_solve(w, A, m, k, b, x, &res, &e), CR_OK);
        assert_kkt(A, m, k, b, x, 1e-10);
    }
    /* b = 0 gives x = 0 */
    for (size_t i = 0; i < m; i++) b[i] = 0.0;
    assert_int_equal(cr_nnls_solve(w, A, m, k, b, x, &res, &e), CR_OK);
    for (size_t j = 0; j < k; j++) assert_true(x[j] == 0.0);
    assert_true(res == 0.0);
    /* Orthonormal columns e_j and b with negative entries: x = max(b, 0), residual ||min(b, 0)||. */
    double I3[3 * 3] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, c[3] = {2, -1, -3}, y[3];
    assert_int_equal(cr_nnls_solve(w, I3, 3, 3, c, y, &res, &e), CR_OK);
    assert_float_equal(y[0], 2.0, 1e-15);
    assert_true(y[1] == 0.0 && y[2] == 0.0);
    assert_float_equal(res, sqrt(10.0), 1e-14);
    free(A);
    cr_nnls_free(w);
    gsl_rng_free(g);
}

/* A workspace larger than the problem: the row stride is the problem's k, not the workspace's. */
static void test_workspace_reuse_and_errors(void **state)
{
    (void)state;
    cr_nnls_work *w = cr_nnls_alloc(10, 10);
    assert_non_null(w);
    const double A[] = {1, 1, 0, 1, 1, 0}; /* 3 x 2 */
    const double b[] = {1, 2, 3};
    double x[10], res;
    cr_err e;
    assert_int_equal(cr_nnls_solve(w, A, 3, 2, b, x, &res, &e), CR_OK);
    /* A'A = [[2,1],[1,2]], A'b = (4, 3): x = (5/3, 2/3) > 0, b - Ax = (-4/3, 4/3, 4/3) */
    assert_float_equal(x[0], 5.0 / 3.0, 1e-14);
    assert_float_equal(x[1], 2.0 / 3.0, 1e-14);
    assert_float_equal(res, 4.0 / sqrt(3.0), 1e-14);
    assert_int_equal(cr_nnls_solve(w, A, 11, 2, b, x, &res, &e), CR_EINPUT);
    assert_int_equal(cr_nnls_solve(w, A, 3, 11, b, x, &res, &e), CR_EINPUT);
    const double bn[] = {1, NAN, 3};
    assert_int_equal(cr_nnls_solve(w, A, 3, 2, bn, x, &res, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "finite"));
    /* k = 0: nothing to fit */
    assert_int_equal(cr_nnls_solve(w, A, 3, 0, b, x, &res, &e), CR_OK);
    assert_float_equal(res, sqrt(14.0), 1e-14);
    cr_nnls_free(w);
    cr_nnls_free(NULL);
}

/* scipy.optimize.nnls on instances beyond the exhaustive search: tall, wide (the shape of the dual checks
 * and of Gordan's test), square, and ill-conditioned. */
static const char *SCIPY =
    "import sys\n"
    "import numpy as np\n"
    "from scipy.optimize import nnls\n"
    "tok = open(sys.argv[1]).read().split()\n"
    "p = 0\n"
    "while p < len(tok):\n"
    "    m, k = int(tok[p]), int(tok[p + 1]); p += 2\n"
    "    A = np.array([float(v) for v in tok[p:p + m * k]]).reshape(m, k); p += m * k\n"
    "    b = np.array([float(v) for v in tok[p:p + m]]); p += m\n"
    "    x, r = nnls(A, b, maxiter=50 * k)\n"
    "    print('%.17g ' % r + ' '.join('%.17g' % v for v in x))\n";

static void test_against_scipy(void **state)
{
    (void)state;
    struct { size_t m, k; int kind; } c[] = {
        {30, 20, 0}, {60, 40, 0}, {5, 40, 0}, {3, 300, 0}, {20, 20, 0}, {25, 15, 1}, {8, 8, 2}, {40, 10, 3},
    };
    size_t nc = sizeof c / sizeof c[0];
    gsl_rng *g = crt_rng_seeded(2718);
    double *A[8], *b[8];
    char dir[256], path[300], py[300], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/nnls.txt", dir);
    snprintf(py, sizeof py, "%s/nnls_scipy.py", dir);
    FILE *f = fopen(py, "w");
    assert_non_null(f);
    fputs(SCIPY, f);
    assert_int_equal(fclose(f), 0);
    f = fopen(path, "w");
    assert_non_null(f);
    for (size_t t = 0; t < nc; t++) {
        size_t m = c[t].m, k = c[t].k;
        A[t] = malloc(m * k * sizeof **A);
        b[t] = malloc(m * sizeof **b);
        assert_true(A[t] && b[t]);
        for (size_t i = 0; i < m * k; i++) A[t][i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < m; i++) b[t][i] = gsl_ran_gaussian(g, 1.0);
        if (c[t].kind == 1) /* nearly collinear columns: column j = column 0 + 1e-6 noise */
            for (size_t i = 0; i < m; i++)
                for (size_t j = 1; j < k; j++) A[t][i * k + j] = A[t][i * k] + 1e-6 * gsl_ran_gaussian(g, 1.0);
        if (c[t].kind == 2) /* Hilbert matrix */
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < k; j++) A[t][i * k + j] = 1.0 / (double)(i + j + 1);
        if (c[t].kind == 3) /* columns of very different scale */
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < k; j++) A[t][i * k + j] *= pow(10.0, (double)j - 5.0);
        fprintf(f, "%zu %zu\n", m, k);
        for (size_t i = 0; i < m * k; i++) fprintf(f, "%.17g\n", A[t][i]);
        for (size_t i = 0; i < m; i++) fprintf(f, "%.17g\n", b[t][i]);
    }
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "%s %s %s", CRT_PYTHON, py, path);
    char *out = NULL;
    int rc = crt_sh(cmd, &out);
    assert_non_null(out);
    if (rc != 0) fail_msg("scipy oracle failed (%d): %s", rc, out);

    cr_nnls_work *w = cr_nnls_alloc(60, 300);
    assert_non_null(w);
    double x[300], xs[300], res;
    cr_err e;
    char *line = strtok(out, "\n");
    for (size_t t = 0; t < nc; t++) {
        size_t m = c[t].m, k = c[t].k;
        assert_non_null(line);
        char *p = line, *q;
        double rs = strtod(p, &q);
        assert_true(q != p);
        for (size_t j = 0; j < k; j++) {
            p = q;
            xs[j] = strtod(p, &q);
            assert_true(q != p);
        }
        int st = cr_nnls_solve(w, A[t], m, k, b[t], x, &res, &e);
        if (st != CR_OK) fail_msg("instance %zu: %s", t, e.msg);
        if (fabs(res - rs) > 1e-9 * (1.0 + rs))
            fail_msg("instance %zu (m %zu, k %zu): residual %.17g, scipy %.17g", t, m, k, res, rs);
        /* x is unique when A has full column rank and is well conditioned */
        if (c[t].kind == 0 && m >= k)
            for (size_t j = 0; j < k; j++)
                if (fabs(x[j] - xs[j]) > 1e-8 * (1.0 + fabs(xs[j])))
                    fail_msg("instance %zu: x_%zu = %.17g, scipy %.17g", t, j, x[j], xs[j]);
        if (c[t].kind != 2) assert_kkt(A[t], m, k, b[t], x, 1e-9);
        free(A[t]);
        free(b[t]);
        line = strtok(NULL, "\n");
    }
    free(out);
    cr_nnls_free(w);
    crt_rmtree(dir);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_workspace_reuse_and_errors),
        cmocka_unit_test(test_against_scipy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
