/* Tests of src/kktclarke.c: a KKT point derived by hand whose neuron sits on a sample's kink (the Clarke
 * multiplier s = tan(30 deg) in (0, 1)): c = 1 and residual 0 recovered, while the strict fit of kkt.h misses it;
 * the same point pushed 1e-9 off the kink; smooth networks, where the fit is kkt.h's least squares; invariance
 * under scaling the direction; errors. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "mm_kkt.h"
#include "kktclarke.h"
#include "net.h"

static double rel_diff(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* The point by hand (phi = 30 deg): x1 = (cos phi, -sin phi), x2 = (0, 1), y = (1, 1); neuron 0: w1 = (alpha, 0),
 * w2 = alpha with alpha^2 = 1 / cos phi; neuron 1: w1 = (0, 1), w2 = 1. Margins: f1 = alpha^2 cos phi = 1,
 * f2 = 0 + 1 = 1. With lambda = (1 / cos phi, 1):
 *   neuron 1: w2 = lambda'(X w1)_+ = lambda_2 = 1, w1 = w2 lambda_2 x2 = (0, 1);
 *   neuron 0: w2 = lambda_1 alpha cos phi = alpha; w1 = w2 (lambda_1 x1 + s lambda_2 x2) with x2'w1 = 0 (the kink):
 *   first coordinate alpha lambda_1 cos phi = alpha, second alpha (-lambda_1 sin phi + s) = 0 at s = tan phi.
 * So it is a KKT point with the Clarke element s = tan phi = 0.577 of the kink, and y'lambda = 1/cos phi + 1 =
 * 1/2 ||theta||^2. W1 is d x m row-major. */
static void kink_point(double off, double *X, double *y, double *W1, double *w2, double *lam)
{
    const double phi = M_PI / 6, alpha = sqrt(1.0 / cos(phi));
    X[0] = cos(phi), X[1] = -sin(phi), X[2] = 0.0, X[3] = 1.0;
    y[0] = 1.0, y[1] = 1.0;
    W1[0] = alpha, W1[1] = 0.0;       /* row 0: first coordinates of neurons 0 and 1 */
    W1[2] = off * alpha, W1[3] = 1.0; /* row 1 */
    w2[0] = alpha, w2[1] = 1.0;
    lam[0] = 1.0 / cos(phi), lam[1] = 1.0;
}

static void test_kink_by_hand(void **state)
{
    (void)state;
    double X[4], y[2], W1[4], w2[2], lam[2], out[2];
    kink_point(0.0, X, y, W1, w2, lam);
    cr_kktc_work *w = cr_kktc_alloc(2, 2, 2);
    assert_non_null(w);
    cr_kktc_info info;
    cr_err e;
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, 1e-4, out, &info, &e), CR_OK);
    assert_true(fabs(info.min_yf - 1.0) <= 1e-15);
    if (!(fabs(info.c - 1.0) <= 1e-12)) fail_msg("c = %.17g, expected 1", info.c);
    if (!(info.resid <= 1e-12)) fail_msg("residual %.3g at an exact KKT point", info.resid);
    assert_int_equal(info.kinks, 1);
    const double expect = 1.0 / cos(M_PI / 6) + 1.0;
    assert_true(rel_diff(info.ytlambda, expect) <= 1e-14 && rel_diff(info.half_norm2, expect) <= 1e-14);
    assert_true(rel_diff(out[0], lam[0]) <= 1e-12 && rel_diff(out[1], lam[1]) <= 1e-12);
    /* The strict pattern (kkt.h) counts sample 2 as inactive (s = 0) and cannot fit the point. */
    cr_mm_kkt_work *kw = cr_mm_kkt_alloc(2, 2, 2);
    cr_mm_kkt_info ki;
    assert_int_equal(cr_mm_kkt_fit_dir(kw, X, y, 2, 2, W1, w2, 2, lam, NULL, NULL, &ki, &e), CR_OK);
    if (!(ki.resid > 0.1)) fail_msg("strict residual %.3g: expected the kink to break it", ki.resid);
    /* tau = 0 still relaxes the exact zero. */
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, 0.0, NULL, &info, &e), CR_OK);
    assert_true(info.resid <= 1e-12 && info.kinks == 1);
    /* 1e-9 (relative) on the active side of the kink: within tau, the residual stays at the size of the offset. */
    kink_point(1e-9, X, y, W1, w2, lam);
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, 1e-4, NULL, &info, &e), CR_OK);
    if (!(info.resid <= 1e-8 && info.kinks == 1)) fail_msg("offset 1e-9: residual %.3g, kinks %zu", info.resid, info.kinks);
    /* ... and with tau below the offset, the pair is strictly active (s = 1): the point is not fitted. */
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, 1e-12, NULL, &info, &e), CR_OK);
    assert_true(info.kinks == 0 && info.resid > 0.1);
    /* The direction's scale does not matter: 7 lambda gives c = 1/7 and the same multipliers. */
    kink_point(0.0, X, y, W1, w2, lam);
    double lam7[2] = {7 * lam[0], 7 * lam[1]};
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam7, 1e-4, out, &info, &e), CR_OK);
    assert_true(fabs(info.c - 1.0 / 7) <= 1e-13 && info.resid <= 1e-12);
    assert_true(rel_diff(out[0], lam[0]) <= 1e-12 && rel_diff(out[1], lam[1]) <= 1e-12);
    cr_mm_kkt_free(kw);
    cr_kktc_free(w);
}

/* Smooth networks (no pre-activation within tau of 0): the fit is the least squares of kkt.h over c >= 0. */
static void test_smooth_matches_least_squares(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(11);
    const size_t n = 9, d = 3, m = 5;
    double X[27], y[9], W1[15], w2[5], dir[9];
    int tried = 0;
    for (int rep = 0; rep < 200 && tried < 20; rep++) {
        for (size_t k = 0; k < n * d; k++) X[k] = gsl_ran_gaussian(g, 1.0);
        for (size_t k = 0; k < d * m; k++) W1[k] = gsl_ran_gaussian(g, 1.0);
        for (size_t j = 0; j < m; j++) w2[j] = gsl_ran_gaussian(g, 1.0);
        /* Labels: the sign of the network's output, so that it separates the data. */
        double f[9];
        cr_net_reference(X, n, d, W1, w2, m, f);
        int ok = 1;
        for (size_t i = 0; i < n; i++) {
            if (fabs(f[i]) < 1e-3) ok = 0;
            y[i] = f[i] > 0 ? 1.0 : -1.0;
            dir[i] = y[i] * (0.2 + gsl_rng_uniform(g));
        }
        if (!ok) continue;
        cr_mm_kkt_work *kw = cr_mm_kkt_alloc(n, d, m);
        cr_kktc_work *w = cr_kktc_alloc(n, d, m);
        cr_mm_kkt_info ki;
        cr_kktc_info ci;
        cr_err e;
        assert_int_equal(cr_mm_kkt_fit_dir(kw, X, y, n, d, W1, w2, m, dir, NULL, NULL, &ki, &e), CR_OK);
        assert_int_equal(cr_kktc_fit(w, X, y, n, d, W1, w2, m, dir, 0.0, NULL, &ci, &e), CR_OK);
        assert_int_equal(ci.kinks, 0);
        if (ki.c > 0) {
            if (rel_diff(ci.c, ki.c) > 1e-7 || fabs(ci.resid - ki.resid) > 1e-9 * fmax(1.0, ki.resid))
                fail_msg("rep %d: c %.12g vs %.12g, residual %.12g vs %.12g", rep, ci.c, ki.c, ci.resid, ki.resid);
        } else {
            /* The unconstrained least squares is negative: c = 0 is the constrained optimum, residual 1. */
            assert_true(ci.c == 0.0 && fabs(ci.resid - 1.0) <= 1e-12);
        }
        tried++;
        cr_mm_kkt_free(kw);
        cr_kktc_free(w);
    }
    assert_true(tried >= 20);
    gsl_rng_free(g);
}

static void test_errors(void **state)
{
    (void)state;
    double X[4], y[2], W1[4], w2[2], lam[2];
    kink_point(0.0, X, y, W1, w2, lam);
    cr_kktc_work *w = cr_kktc_alloc(2, 2, 2);
    cr_kktc_info info;
    cr_err e;
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, -1.0, NULL, &info, &e), CR_EINPUT);
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, NAN, NULL, &info, &e), CR_EINPUT);
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, NULL, 0.0, NULL, &info, &e), CR_EINPUT);
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 1, lam, 0.0, NULL, &info, &e), CR_EINPUT);
    /* Sample 2 on the wrong side: the network does not separate the data. */
    y[1] = -1.0;
    assert_int_equal(cr_kktc_fit(w, X, y, 2, 2, W1, w2, 2, lam, 0.0, NULL, &info, &e), CR_EINPUT);
    assert_null(cr_kktc_alloc(0, 2, 2));
    cr_kktc_free(NULL);
    cr_kktc_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kink_by_hand),
        cmocka_unit_test(test_smooth_matches_least_squares),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
