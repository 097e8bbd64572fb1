/* Tests of the slides' 1-D toy (src/toy_landscape.c). Expected values: closed forms derived from the slide's
 * formulas (both minima 0.75 at u = alpha = 1/sqrt 2 and (v, w) = (1/2, 0); the origin
 * L = 1 with zero gradient), finite differences and brute-force grids. */
#include "testutil.h"

#include <math.h>

#include "toy_landscape.h"

static void test_slide_values(void **state)
{
    (void)state;
    double v, w, val, u, a, nval, cval;
    cr_err err;
    assert_int_equal(cr_toy_landscape_closed_form(1, 1, 1, &v, &w, &val, &err), CR_OK);
    assert_true(fabs(val - 0.75) < 1e-15);
    assert_true(fabs(v - 0.5) < 1e-15 && w == 0);
    u = 0.5, a = 0.9;
    assert_int_equal(cr_toy_landscape_minimize_nonconvex(1, 1, 1, &u, &a, &nval, &err), CR_OK);
    assert_true(fabs(nval - 0.75) < 1e-12);
    assert_true(fabs(u - 1 / sqrt(2)) < 1e-9 && fabs(a - 1 / sqrt(2)) < 1e-9);
    v = 1.7, w = 0.4;
    assert_int_equal(cr_toy_landscape_minimize_convex(1, 1, 1, &v, &w, &cval, &err), CR_OK);
    assert_true(fabs(cval - 0.75) < 1e-12 && fabs(v - 0.5) < 1e-9 && w < 1e-12);
    /* The slide's formulas at a few points. */
    assert_true(fabs(cr_toy_landscape_nonconvex(1, 1, 1, 1, 1) - 1.0) < 1e-15);      /* 0 + 1/2 * 2 */
    assert_true(fabs(cr_toy_landscape_nonconvex(1, 1, 1, -1, 2) - 3.5) < 1e-15);     /* 1 + 1/2 * 5 */
    assert_true(fabs(cr_toy_landscape_convex(1, 1, 1, 0.25, 0.5) - (1.5625 + 0.75)) < 1e-15);
}

/* Closed form against a brute-force grid for other (x, y, beta). */
static void test_closed_form_vs_grid(void **state)
{
    (void)state;
    const double cases[][3] = {{1, 1, 1}, {2, 1, 0.5}, {0.5, 3, 1}, {1.5, 2, 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double x = cases[c][0], y = cases[c][1], beta = cases[c][2];
        double v, w, val;
        cr_err err;
        assert_int_equal(cr_toy_landscape_closed_form(x, y, beta, &v, &w, &val, &err), CR_OK);
        double best = INFINITY;
        for (int i = 0; i <= 4000; i++)
            for (int j = 0; j <= 400; j++) {
                double L = cr_toy_landscape_convex(x, y, beta, 8.0 * i / 4000, 1.0 * j / 400);
                if (L < best) best = L;
            }
        assert_true(best >= val - 1e-12);
        assert_true(best - val < 1e-4);
        double u = 1, a = 1, nval;
        assert_int_equal(cr_toy_landscape_minimize_nonconvex(x, y, beta, &u, &a, &nval, &err), CR_OK);
        assert_true(fabs(nval - val) < 1e-10);
    }
    cr_err err;
    double v, w, val;
    assert_int_equal(cr_toy_landscape_closed_form(1, 1, 3, &v, &w, &val, &err), CR_EINPUT);
}

/* Clarke minimum-norm subgradient of L against closed forms and central differences. */
static void test_clarke_minnorm(void **state)
{
    (void)state;
    const double x = 1.5, y = 2, beta = 0.5;
    double g[2];
    /* The origin: every limiting gradient is 0 (the spurious stationary point of the slide). */
    assert_true(cr_toy_landscape_clarke_minnorm(1, 1, 1, 0, 0, 0, g) == 0 && g[0] == 0 && g[1] == 0);
    assert_true(cr_toy_landscape_clarke_minnorm(x, y, beta, 0, 0, 0, NULL) == 0);
    /* On the kink u = 0, a != 0: the hull of (-2 x y a s, beta a), s in [0, 1]; its min-norm element has s = 0. */
    assert_true(fabs(cr_toy_landscape_clarke_minnorm(x, y, beta, 0, 0.8, 0, g) - beta * 0.8) < 1e-15);
    assert_true(fabs(g[0]) < 1e-15 && fabs(g[1] - beta * 0.8) < 1e-15);
    assert_true(fabs(cr_toy_landscape_clarke_minnorm(x, y, beta, 0, -0.3, 0, NULL) - beta * 0.3) < 1e-15);
    /* Smooth points (u away from 0): the gradient, checked by central differences of cr_toy_landscape_nonconvex. */
    const double pts[][2] = {{0.7, 0.4}, {1.2, -0.9}, {-0.6, 1.1}, {-1.5, -0.2}, {0.05, 2.0}};
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        double u = pts[k][0], a = pts[k][1], h = 1e-6;
        double du = (cr_toy_landscape_nonconvex(x, y, beta, u + h, a) - cr_toy_landscape_nonconvex(x, y, beta, u - h, a))
                    / (2 * h);
        double da = (cr_toy_landscape_nonconvex(x, y, beta, u, a + h) - cr_toy_landscape_nonconvex(x, y, beta, u, a - h))
                    / (2 * h);
        double n = cr_toy_landscape_clarke_minnorm(x, y, beta, u, a, 1e-9, g);
        assert_true(fabs(g[0] - du) < 1e-7 && fabs(g[1] - da) < 1e-7);
        assert_true(fabs(n - hypot(du, da)) < 1e-7);
    }
    /* Within the tolerance of the kink: u = 1e-9, a > 0: s = beta u / (2 x a r) in [0, 1] zeroes d/du, leaving
     * d/da = -2 x u r + beta a, r = y - x u a. */
    double u = 1e-9, a = 0.5, r = y - x * u * a;
    double gnorm = cr_toy_landscape_clarke_minnorm(x, y, beta, u, a, 1e-6, g);
    assert_true(fabs(gnorm - fabs(-2 * x * u * r + beta * a)) < 1e-15);
    assert_true(fabs(g[0]) < 1e-15);
    /* u = -1e-9, a > 0: beta u + c s with c = -2 x a y < 0 is closest to 0 at s = 0: d/du = beta u. */
    cr_toy_landscape_clarke_minnorm(x, y, beta, -1e-9, a, 1e-6, g);
    assert_true(fabs(g[0] - beta * -1e-9) < 1e-24 && fabs(g[1] - beta * a) < 1e-15);
    /* The global minimizer (closed form u = alpha = sqrt(v*)) is stationary; no other point is but the origin:
     * on a grid through both, the measure is below 0.05 only within 0.1 of one of them. */
    double v, w, val;
    cr_err err;
    assert_int_equal(cr_toy_landscape_closed_form(1, 1, 1, &v, &w, &val, &err), CR_OK);
    assert_true(cr_toy_landscape_clarke_minnorm(1, 1, 1, sqrt(v), sqrt(v), 0, NULL) < 1e-15);
    for (int i = 0; i <= 400; i++)
        for (int j = 0; j <= 400; j++) {
            double pu = -2 + 4.0 * i / 400, pa = -2 + 4.0 * j / 400;
            if (cr_toy_landscape_clarke_minnorm(1, 1, 1, pu, pa, 0, NULL) < 0.05)
                assert_true(hypot(pu, pa) < 0.1 || hypot(pu - sqrt(v), pa - sqrt(v)) < 0.1);
        }
}

/* KKT residual of the convex program: closed forms, its Lipschitz bound (brute force), the certificate. */
static void test_convex_kkt(void **state)
{
    (void)state;
    /* The origin: gradient (beta - 2xy, beta + 2xy); the projected step moves v by 2xy - beta, w not at all. */
    assert_true(fabs(cr_toy_landscape_convex_kkt_residual(1, 1, 1, 0, 0) - 1.0) < 1e-15);
    assert_true(fabs(cr_toy_landscape_convex_kkt_residual(1.5, 2, 0.5, 0, 0) - 5.5) < 1e-14);
    /* The minimizer (1/2, 0) is a KKT point. */
    assert_true(cr_toy_landscape_convex_kkt_residual(1, 1, 1, 0.5, 0) < 1e-15);
    /* (0.25, 0.5): r = 1.25, gradient (-1.5, 3.5); the step goes to (1.75, 0): residual |(-1.5, 0.5)|. */
    assert_true(fabs(cr_toy_landscape_convex_kkt_residual(1, 1, 1, 0.25, 0.5) - hypot(1.5, 0.5)) < 1e-15);
    /* The Lipschitz constant bounds the residual's variation between random points of [0, 3]^2. */
    const double xs[] = {0.3, 1, 2};
    unsigned s = 12345;
    for (size_t k = 0; k < 3; k++) {
        double L = cr_toy_landscape_convex_kkt_lipschitz(xs[k]), worst = 0;
        for (int i = 0; i < 20000; i++) {
            double p[4];
            for (int c = 0; c < 4; c++) s = s * 1103515245u + 12345u, p[c] = 3.0 * (s >> 8) / 16777216.0;
            double d = hypot(p[0] - p[2], p[1] - p[3]);
            if (d == 0) continue;
            double q = fabs(cr_toy_landscape_convex_kkt_residual(xs[k], 1, 0.5, p[0], p[1]) -
                            cr_toy_landscape_convex_kkt_residual(xs[k], 1, 0.5, p[2], p[3])) / d;
            if (q > worst) worst = q;
        }
        assert_true(worst <= L * (1 + 1e-12));
        assert_true(worst >= 0.5 * L); /* and is not loose by more than a factor 2 */
    }
    /* The certificate: nothing left outside a disc around the minimizer; the minimizer itself is never certified
     * away (a disc elsewhere leaves cells around (1/2, 0) uncertified). */
    long cells;
    assert_int_equal(cr_toy_landscape_convex_kkt_exclude(1, 1, 1, 2, 0.5, 0, 0.2, 12, &cells), 0);
    assert_true(cells > 1);
    assert_true(cr_toy_landscape_convex_kkt_exclude(1, 1, 1, 2, 1.5, 1.5, 0.2, 12, &cells) > 0);
    assert_true(cr_toy_landscape_convex_kkt_exclude(1, 1, 1, 2, 0.5, 0.3, 0.2, 12, &cells) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide_values),
        cmocka_unit_test(test_closed_form_vs_grid),
        cmocka_unit_test(test_clarke_minnorm),
        cmocka_unit_test(test_convex_kkt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
