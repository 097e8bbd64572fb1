/* Tests of src/dualnorm.c: N(lambda) = max_{||u||<=1} |lambda'(Xu)_+| and h_Q(a) by per-pattern NNLS over an
 * exact pattern set against the independent d = 2 arc sweep (1e-9), against a brute-force grid over the circle
 * and random search in d = 3, the maximizer attaining the value, hand-computed values on the slides' example,
 * per-pattern values against a grid restricted to the cone, the polar radius, and argument checks. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "dualnorm.h"
#include "patterns.h"

/* Brute force over a grid of the circle: max of lambda'(X u)_+ (one-sided) or its absolute value. */
static double grid_max2(const double *X, size_t n, const double *lambda, int abs_kind, size_t steps)
{
    double best = 0.0;
    for (size_t k = 0; k < steps; k++) {
        double t = 2.0 * M_PI * (double)k / (double)steps, u[2] = {cos(t), sin(t)};
        double v = cr_dualnorm_value_at(X, n, 2, lambda, u);
        if (abs_kind) v = fabs(v);
        if (v > best) best = v;
    }
    return best;
}

static void check_maximizer(const double *X, size_t n, size_t d, const double *lambda, cr_dualnorm_kind kind,
                            double value, const double *u, double tol)
{
    if (crt_nrm(u, d) == 0.0) {
        /* Allowed only when the maximum is 0 up to rounding. */
        if (value > tol) fail_msg("u = 0 for value %.17g", value);
        return;
    }
    assert_true(fabs(crt_nrm(u, d) - 1.0) <= 1e-12);
    double v = cr_dualnorm_value_at(X, n, d, lambda, u);
    if (kind == CR_DUALNORM_ABS) v = fabs(v);
    if (fabs(v - value) > tol) fail_msg("maximizer gives %.17g, value %.17g", v, value);
}

/* -------------------------------------------------------------------- patterns vs sweep */

static void test_patterns_vs_sweep(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(11);
    const size_t sizes[] = {1, 2, 3, 5, 8, 13, 25, 40};
    size_t checked = 0;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        size_t n = sizes[t];
        for (int rep = 0; rep < 25; rep++) {
            double X[80], lam[40], u1[2], u2[2];
            for (size_t i = 0; i < 2 * n; i++) X[i] = gsl_ran_gaussian(g, 1.0);
            for (size_t i = 0; i < n; i++) lam[i] = gsl_ran_gaussian(g, 1.0);
            if (rep % 5 == 1 && n >= 3) { /* degenerate rows: parallel, antiparallel, zero */
                X[2] = 2.0 * X[0];
                X[3] = 2.0 * X[1];
                X[4] = -0.5 * X[0];
                X[5] = -0.5 * X[1];
            }
            if (rep % 5 == 2) X[0] = X[1] = 0.0;
            cr_patterns *P = NULL;
            cr_err e;
            assert_int_equal(cr_patterns_enumerate(X, n, 2, &P, &e), CR_OK);
            cr_dualnorm_work *w = cr_dualnorm_alloc(n, 2);
            assert_non_null(w);
            for (int kind = 0; kind < 2; kind++) {
                double v1, v2;
                size_t which;
                int sign;
                assert_int_equal(cr_dualnorm_over(w, X, n, 2, P, lam, (cr_dualnorm_kind)kind, &v1, u1, &which, &sign,
                                                  &e),
                                 CR_OK);
                assert_int_equal(cr_dualnorm_sweep2(w, X, n, lam, (cr_dualnorm_kind)kind, &v2, u2, &e), CR_OK);
                double scale = crt_nrm(lam, n) * crt_nrm(X, 2 * n) + 1e-300;
                if (fabs(v1 - v2) > 1e-9 * scale)
                    fail_msg("n = %zu rep %d kind %d: patterns %.17g sweep %.17g", n, rep, kind, v1, v2);
                check_maximizer(X, n, 2, lam, (cr_dualnorm_kind)kind, v1, u1, 1e-12 * scale);
                check_maximizer(X, n, 2, lam, (cr_dualnorm_kind)kind, v2, u2, 1e-12 * scale);
                /* A grid can only be lower, and not by much. */
                double gm = grid_max2(X, n, lam, kind == CR_DUALNORM_ABS, 20000);
                assert_true(gm <= v1 + 1e-12 * scale);
                assert_true(gm >= v1 - 1e-3 * scale);
                /* The reported pattern and sign give the same value on their own. */
                if (v1 > 0) {
                    double vp;
                    assert_int_equal(cr_dualnorm_pattern(w, X, n, 2, cr_patterns_mask(P, which), lam, sign, &vp, NULL,
                                                         &e),
                                     CR_OK);
                    assert_true(fabs(vp - v1) <= 1e-14 * scale);
                }
                checked++;
            }
            cr_dualnorm_free(w);
            cr_patterns_free(P);
        }
    }
    assert_true(checked >= 400);
    gsl_rng_free(g);
}

/* -------------------------------------------------------------------- hand values */

static void test_slide_example(void **state)
{
    (void)state;
    const double X[] = {3, 3, 2, 2, 1, 0};
    cr_patterns *P = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &e), CR_OK);
    assert_int_equal(P->p, 4);
    cr_dualnorm_work *w = cr_dualnorm_alloc(3, 2);
    /* lambda = e1: max (3 u1 + 3 u2)_+ = 3 sqrt 2. lambda = e3: max (u1)_+ = 1. lambda = (1, -1, 0): the
     * first two rows are parallel, (3 - 2)(u1 + u2)_+ -> sqrt 2. lambda = -e1: one-sided 0, absolute 3 sqrt 2. */
    const struct { double lam[3]; double abs_v, one_v; } cases[] = {
        {{1, 0, 0}, 3 * M_SQRT2, 3 * M_SQRT2},
        {{0, 0, 1}, 1.0, 1.0},
        {{1, -1, 0}, M_SQRT2, M_SQRT2},
        {{-1, 0, 0}, 3 * M_SQRT2, 0.0},
        {{0, 0, 0}, 0.0, 0.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double v, u[2];
        assert_int_equal(cr_dualnorm_over(w, X, 3, 2, P, cases[c].lam, CR_DUALNORM_ABS, &v, u, NULL, NULL, &e), CR_OK);
        assert_true(fabs(v - cases[c].abs_v) <= 1e-14);
        assert_int_equal(cr_dualnorm_over(w, X, 3, 2, P, cases[c].lam, CR_DUALNORM_ONESIDED, &v, u, NULL, NULL, &e),
                         CR_OK);
        assert_true(fabs(v - cases[c].one_v) <= 1e-14);
        assert_int_equal(cr_dualnorm_sweep2(w, X, 3, cases[c].lam, CR_DUALNORM_ABS, &v, u, &e), CR_OK);
        assert_true(fabs(v - cases[c].abs_v) <= 1e-14);
        assert_int_equal(cr_dualnorm_sweep2(w, X, 3, cases[c].lam, CR_DUALNORM_ONESIDED, &v, u, &e), CR_OK);
        assert_true(fabs(v - cases[c].one_v) <= 1e-14);
    }
    /* Geometry in direction a = (1, 0, 0): support 3 sqrt 2 and polar radius 1 / (3 sqrt 2), both ways. */
    double a[3] = {1, 0, 0}, h, r;
    assert_int_equal(cr_dualnorm_geometry(w, X, 3, 2, P, a, &h, &r, &e), CR_OK);
    assert_true(fabs(h - 3 * M_SQRT2) <= 1e-14 && fabs(r - 1.0 / (3 * M_SQRT2)) <= 1e-14);
    assert_int_equal(cr_dualnorm_geometry(w, X, 3, 2, NULL, a, &h, &r, &e), CR_OK);
    assert_true(fabs(h - 3 * M_SQRT2) <= 1e-14 && fabs(r - 1.0 / (3 * M_SQRT2)) <= 1e-14);
    double z[3] = {0, 0, 0};
    assert_int_equal(cr_dualnorm_geometry(w, X, 3, 2, P, z, &h, &r, &e), CR_OK);
    assert_true(h == 0.0 && isinf(r));
    cr_dualnorm_free(w);
    cr_patterns_free(P);
}

/* ---------------------------------------------------------- per pattern vs cone grid */

static void test_pattern_value_vs_cone_grid(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(5);
    for (int rep = 0; rep < 30; rep++) {
        size_t n = 3 + (size_t)rep % 6;
        double X[32], lam[16];
        for (size_t i = 0; i < 2 * n; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < n; i++) lam[i] = gsl_ran_gaussian(g, 1.0);
        cr_patterns *P = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_enumerate(X, n, 2, &P, &e), CR_OK);
        cr_dualnorm_work *w = cr_dualnorm_alloc(n, 2);
        for (size_t i = 0; i < P->p; i++) {
            const uint64_t *mask = cr_patterns_mask(P, i);
            for (int s = -1; s <= 1; s += 2) {
                double v, u[2];
                assert_int_equal(cr_dualnorm_pattern(w, X, n, 2, mask, lam, s, &v, u, &e), CR_OK);
                /* Grid over the circle restricted to K = {u : (2D - I) X u >= 0}: s lambda'D X u. */
                double best = 0.0;
                const size_t steps = 40000;
                for (size_t k = 0; k < steps; k++) {
                    double t = 2.0 * M_PI * (double)k / (double)steps, uu[2] = {cos(t), sin(t)}, val = 0.0;
                    int in = 1;
                    for (size_t l = 0; l < n && in; l++) {
                        double xl = X[2 * l] * uu[0] + X[2 * l + 1] * uu[1];
                        int on = cr_patterns_bit(P, i, l);
                        if ((on && xl < 0) || (!on && xl > 0)) in = 0;
                        if (on) val += lam[l] * xl;
                    }
                    if (in && s * val > best) best = s * val;
                }
                double scale = crt_nrm(lam, n) * crt_nrm(X, 2 * n);
                assert_true(best <= v + 1e-12 * scale);
                assert_true(best >= v - 2e-3 * scale);
                if (crt_nrm(u, 2) > 0) {
                    /* u lies in K and attains v on D X u. */
                    double val = 0.0;
                    for (size_t l = 0; l < n; l++) {
                        double xl = X[2 * l] * u[0] + X[2 * l + 1] * u[1];
                        int on = cr_patterns_bit(P, i, l);
                        assert_true(on ? xl >= -1e-12 * scale : xl <= 1e-12 * scale);
                        if (on) val += lam[l] * xl;
                    }
                    assert_true(fabs(s * val - v) <= 1e-12 * scale);
                }
            }
        }
        cr_dualnorm_free(w);
        cr_patterns_free(P);
    }
    gsl_rng_free(g);
}

/* --------------------------------------------------------------------- d = 3 search */

static void test_d3_random_search(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(9);
    for (int rep = 0; rep < 10; rep++) {
        size_t n = 6 + (size_t)rep, d = 3;
        double X[64], lam[16], u[3];
        for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < n; i++) lam[i] = gsl_ran_gaussian(g, 1.0);
        cr_patterns *P = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_enumerate(X, n, d, &P, &e), CR_OK);
        cr_dualnorm_work *w = cr_dualnorm_alloc(n, d);
        double v;
        assert_int_equal(cr_dualnorm_over(w, X, n, d, P, lam, CR_DUALNORM_ABS, &v, u, NULL, NULL, &e), CR_OK);
        double scale = crt_nrm(lam, n) * crt_nrm(X, n * d);
        check_maximizer(X, n, d, lam, CR_DUALNORM_ABS, v, u, 1e-12 * scale);
        /* Random search plus local refinement around the best point never beats it. */
        double best = 0.0, bu[3] = {1, 0, 0};
        for (int k = 0; k < 100000; k++) {
            double r[3] = {gsl_ran_gaussian(g, 1.0), gsl_ran_gaussian(g, 1.0), gsl_ran_gaussian(g, 1.0)};
            double rn = crt_nrm(r, 3);
            for (int c = 0; c < 3; c++) r[c] /= rn;
            double val = fabs(cr_dualnorm_value_at(X, n, d, lam, r));
            if (val > best) {
                best = val;
                memcpy(bu, r, sizeof bu);
            }
        }
        for (double step = 0.1; step > 1e-7; step *= 0.7)
            for (int k = 0; k < 200; k++) {
                double r[3];
                for (int c = 0; c < 3; c++) r[c] = bu[c] + step * gsl_ran_gaussian(g, 1.0);
                double rn = crt_nrm(r, 3);
                for (int c = 0; c < 3; c++) r[c] /= rn;
                double val = fabs(cr_dualnorm_value_at(X, n, d, lam, r));
                if (val > best) {
                    best = val;
                    memcpy(bu, r, sizeof bu);
                }
            }
        assert_true(best <= v + 1e-12 * scale);
        assert_true(best >= v - 1e-6 * scale);
        cr_dualnorm_free(w);
        cr_patterns_free(P);
    }
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------------ arguments */

static void test_arguments(void **state)
{
    (void)state;
    assert_null(cr_dualnorm_alloc(0, 2));
    assert_null(cr_dualnorm_alloc(3, 0));
    cr_dualnorm_free(NULL);
    const double X[] = {1, 0, 0, 1, 1, 1};
    double lam[3] = {1, 1, 1}, v;
    cr_dualnorm_work *w = cr_dualnorm_alloc(2, 2);
    cr_patterns *P = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &e), CR_OK);
    /* n = 3 exceeds the workspace. */
    assert_int_equal(cr_dualnorm_over(w, X, 3, 2, P, lam, CR_DUALNORM_ABS, &v, NULL, NULL, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_dualnorm_sweep2(w, X, 3, lam, CR_DUALNORM_ABS, &v, NULL, &e), CR_EINPUT);
    cr_dualnorm_free(w);
    w = cr_dualnorm_alloc(3, 2);
    assert_int_equal(cr_dualnorm_pattern(w, X, 3, 2, cr_patterns_mask(P, 0), lam, 0, &v, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_dualnorm_over(w, X, 3, 2, P, lam, (cr_dualnorm_kind)7, &v, NULL, NULL, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_dualnorm_geometry(w, X, 3, 3, NULL, lam, &v, NULL, &e), CR_EINPUT);
    cr_patterns *Q = cr_patterns_alloc(4, 1);
    assert_int_equal(cr_dualnorm_over(w, X, 3, 2, Q, lam, CR_DUALNORM_ABS, &v, NULL, NULL, NULL, &e), CR_EINPUT);
    cr_patterns_free(Q);
    cr_dualnorm_free(w);
    cr_patterns_free(P);
}

/* cr_dualnorm_image on the slide data by hand: z = X u / s and its rectification (both outputs optional). */
static void test_image(void **state)
{
    (void)state;
    const double X[] = {3, 3, 2, 2, 1, 0};
    const double u1[] = {1, -1}, u2[] = {-1, 0};
    double z[3], zp[3];
    cr_dualnorm_image(X, 3, 2, u1, 1.0, z, zp);
    const double want1[] = {0, 0, 1};
    for (int i = 0; i < 3; i++) assert_true(z[i] == want1[i] && zp[i] == want1[i]);
    cr_dualnorm_image(X, 3, 2, u2, 2.0, z, NULL);
    const double want2[] = {-1.5, -1, -0.5};
    for (int i = 0; i < 3; i++) assert_true(z[i] == want2[i]);
    cr_dualnorm_image(X, 3, 2, u2, 2.0, NULL, zp);
    for (int i = 0; i < 3; i++) assert_true(zp[i] == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns_vs_sweep),
        cmocka_unit_test(test_slide_example),
        cmocka_unit_test(test_pattern_value_vs_cone_grid),
        cmocka_unit_test(test_d3_random_search),
        cmocka_unit_test(test_image),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
