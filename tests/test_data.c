/* Tests of src/data.c: the Gaussian and orthogonally separable generators (shape, determinism, and separability
 * and cone angles recomputed here, independently of the library's verifier), the verifier itself on hand-built
 * sets, and the slides' example. Loading data is tested in test_dataload.c. */
#include "testutil.h"

#include <math.h>

#include "data.h"
#include "rng.h"

/* ------------------------------------------------------------------ helpers */


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

/* ------------------------------------------------------------ generators */

static void test_slide(void **state)
{
    (void)state;
    cr_data *D = cr_data_slide();
    const double X[] = {3, 3, 2, 2, 1, 0}, y[] = {1, -1, 1};
    crt_assert_data(D, 3, 2, X, y);
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
    assert_true(crt_same_data(A, B));
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
    assert_true(crt_same_data(D, E));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide),
        cmocka_unit_test(test_gaussian_shape_and_determinism),
        cmocka_unit_test(test_gaussian_sign_labels),
        cmocka_unit_test(test_gaussian_moments),
        cmocka_unit_test(test_orthsep_cases),
        cmocka_unit_test(test_orthsep_boundary_orthogonal),
        cmocka_unit_test(test_orthsep_infeasible),
        cmocka_unit_test(test_orthsep_check_hand_sets),
    };
    return cmocka_run_group_tests_name("data", tests, NULL, NULL) ? 1 : 0;
}
