/* Tests of the slides' 1-D toy (src/toy.c) and the plane sectors (src/plane.c). Expected values: the
 * slide (both minima 0.75 at u = alpha = 1/sqrt 2 and (v, w) = (1/2, 0)) and brute-force grids. */
#include "testutil.h"

#include <math.h>

#include "plane.h"
#include "toy.h"

static void test_slide_values(void **state)
{
    (void)state;
    double v, w, val, u, a, nval, cval;
    cr_err err;
    assert_int_equal(cr_toy_closed_form(1, 1, 1, &v, &w, &val, &err), CR_OK);
    assert_true(fabs(val - 0.75) < 1e-15);
    assert_true(fabs(v - 0.5) < 1e-15 && w == 0);
    u = 0.5, a = 0.9;
    assert_int_equal(cr_toy_minimize_nonconvex(1, 1, 1, &u, &a, &nval, &err), CR_OK);
    assert_true(fabs(nval - 0.75) < 1e-12);
    assert_true(fabs(u - 1 / sqrt(2)) < 1e-9 && fabs(a - 1 / sqrt(2)) < 1e-9);
    v = 1.7, w = 0.4;
    assert_int_equal(cr_toy_minimize_convex(1, 1, 1, &v, &w, &cval, &err), CR_OK);
    assert_true(fabs(cval - 0.75) < 1e-12 && fabs(v - 0.5) < 1e-9 && w < 1e-12);
    /* The slide's formulas at a few points. */
    assert_true(fabs(cr_toy_nonconvex(1, 1, 1, 1, 1) - 1.0) < 1e-15);      /* 0 + 1/2 * 2 */
    assert_true(fabs(cr_toy_nonconvex(1, 1, 1, -1, 2) - 3.5) < 1e-15);     /* 1 + 1/2 * 5 */
    assert_true(fabs(cr_toy_convex(1, 1, 1, 0.25, 0.5) - (1.5625 + 0.75)) < 1e-15);
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
        assert_int_equal(cr_toy_closed_form(x, y, beta, &v, &w, &val, &err), CR_OK);
        double best = INFINITY;
        for (int i = 0; i <= 4000; i++)
            for (int j = 0; j <= 400; j++) {
                double L = cr_toy_convex(x, y, beta, 8.0 * i / 4000, 1.0 * j / 400);
                if (L < best) best = L;
            }
        assert_true(best >= val - 1e-12);
        assert_true(best - val < 1e-4);
        double u = 1, a = 1, nval;
        assert_int_equal(cr_toy_minimize_nonconvex(x, y, beta, &u, &a, &nval, &err), CR_OK);
        assert_true(fabs(nval - val) < 1e-10);
    }
    cr_err err;
    double v, w, val;
    assert_int_equal(cr_toy_closed_form(1, 1, 3, &v, &w, &val, &err), CR_EINPUT);
}

static void test_plane_rays(void **state)
{
    (void)state;
    /* Slide X: rows (3,3) and (2,2) share the line u1 + u2 = 0; (1,0) gives u1 = 0: 4 rays. */
    const double X[] = {3, 3, 2, 2, 1, 0, 0, 0};
    double rays[8];
    size_t nr;
    cr_plane_rays(X, 4, rays, &nr);
    assert_int_equal(nr, 4);
    const double expect[] = {M_PI / 2, 3 * M_PI / 4, 3 * M_PI / 2, 7 * M_PI / 4};
    for (int k = 0; k < 4; k++) assert_true(fabs(rays[k] - expect[k]) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide_values),
        cmocka_unit_test(test_closed_form_vs_grid),
        cmocka_unit_test(test_plane_rays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
