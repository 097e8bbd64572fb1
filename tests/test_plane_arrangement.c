/* Tests of src/plane_arrangement.c: the rays x_i'u = 0 of a central line arrangement in the plane. Expected values:
 * the slide's X by hand; on random integer data with repeated, parallel, opposite and zero rows, brute force (twice
 * the number of distinct lines, found by pairwise cross products; each ray on a line; consecutive rays bounding
 * sectors of distinct sign patterns, as many as a fine scan of the circle finds); and the wrap-around at angle 0. */
#include "testutil.h"

#include "plane_arrangement.h"

static void test_slide(void **state)
{
    (void)state;
    /* Slide X: rows (3,3) and (2,2) share the line u1 + u2 = 0; (1,0) gives u1 = 0; (0,0) none: 4 rays. */
    const double X[] = {3, 3, 2, 2, 1, 0, 0, 0};
    double rays[8];
    size_t nr;
    cr_plane_arrangement_rays(X, 4, rays, &nr);
    assert_int_equal(nr, 4);
    const double expect[] = {M_PI / 2, 3 * M_PI / 4, 3 * M_PI / 2, 7 * M_PI / 4};
    for (int k = 0; k < 4; k++) assert_true(fabs(rays[k] - expect[k]) < 1e-12);
}

/* Number of distinct lines x'u = 0 among the nonzero rows: rows i and j give the same line when parallel. */
static size_t distinct_lines(const double *X, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) {
        if (X[2 * i] == 0 && X[2 * i + 1] == 0) continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            if ((X[2 * j] != 0 || X[2 * j + 1] != 0) && X[2 * i] * X[2 * j + 1] == X[2 * i + 1] * X[2 * j]) seen = 1;
        lines += !seen;
    }
    return lines;
}

/* Strict sign pattern of X u at angle t, one character per row ('+', '-', '0' within tol; 'z' for a zero row). */
static void sign_pattern(const double *X, size_t n, double t, double tol, char *out)
{
    for (size_t i = 0; i < n; i++) {
        double s = X[2 * i] * cos(t) + X[2 * i + 1] * sin(t);
        out[i] = X[2 * i] == 0 && X[2 * i + 1] == 0 ? 'z' : s > tol ? '+' : s < -tol ? '-' : '0';
    }
    out[n] = 0;
}

static void test_random_brute_force(void **state)
{
    (void)state;
    gsl_rng *r = crt_rng_seeded(11);
    enum { N = 12 };
    for (int trial = 0; trial < 200; trial++) {
        double X[2 * N], rays[2 * N];
        for (size_t i = 0; i < N; i++) {
            /* Small integers: many repeated, parallel and opposite rows, some zero rows. */
            X[2 * i] = (double)gsl_rng_uniform_int(r, 7) - 3;
            X[2 * i + 1] = (double)gsl_rng_uniform_int(r, 7) - 3;
        }
        size_t nr = 99;
        cr_plane_arrangement_rays(X, N, rays, &nr);
        assert_int_equal(nr, 2 * distinct_lines(X, N));
        for (size_t k = 0; k < nr; k++) {
            assert_true(rays[k] >= 0 && rays[k] < 2 * M_PI);
            if (k) assert_true(rays[k] > rays[k - 1] + 1e-3);
            /* On some row's line. */
            int on = 0;
            for (size_t i = 0; i < N; i++) on |= fabs(X[2 * i] * cos(rays[k]) + X[2 * i + 1] * sin(rays[k])) < 1e-12;
            assert_true(on);
        }
        if (nr < 2) continue;
        /* The open sectors between consecutive rays have pairwise different sign patterns, and a scan of the
         * circle (rows are small integers: distinct lines at least 1/18 rad apart) crosses exactly nr borders. */
        char pats[2 * N][N + 1];
        for (size_t k = 0; k < nr; k++) {
            double hi = k + 1 < nr ? rays[k + 1] : rays[0] + 2 * M_PI;
            sign_pattern(X, N, (rays[k] + hi) / 2, 1e-9, pats[k]);
            assert_null(strchr(pats[k], '0'));
            for (size_t j = 0; j < k; j++) assert_string_not_equal(pats[j], pats[k]);
        }
        enum { S = 20000 };
        static char scan[S][N + 1];
        size_t valid = 0, borders = 0;
        for (int s = 0; s < S; s++) {
            sign_pattern(X, N, 2 * M_PI * (s + 0.5) / S, 1e-9, scan[valid]);
            if (!strchr(scan[valid], '0')) valid++;
        }
        for (size_t s = 0; s < valid; s++) {
            borders += strcmp(scan[s], scan[(s + valid - 1) % valid]) != 0;
            int known = 0;
            for (size_t k = 0; k < nr; k++) known |= strcmp(scan[s], pats[k]) == 0;
            assert_true(known);
        }
        assert_int_equal(borders, nr);
    }
    gsl_rng_free(r);
}

static void test_wrap_and_degenerate(void **state)
{
    (void)state;
    double rays[8];
    size_t nr = 99;
    /* Two lines 2e-13 rad apart, one of them with rays just below 2 pi and just above pi: one line (2 rays). */
    const double A[] = {1e-13, -1, -1e-13, -1};
    cr_plane_arrangement_rays(A, 2, rays, &nr);
    assert_int_equal(nr, 2);
    assert_true(fabs(rays[0]) < 1e-12 && fabs(rays[1] - M_PI) < 1e-12);
    /* Only zero rows, or none: no ray. */
    const double Z[] = {0, 0, 0, 0};
    cr_plane_arrangement_rays(Z, 2, rays, &nr);
    assert_int_equal(nr, 0);
    cr_plane_arrangement_rays(Z, 0, rays, &nr);
    assert_int_equal(nr, 0);
    /* One row x = (0, 1): the line u2 = 0, rays at 0 and pi. */
    const double B[] = {0, 1};
    cr_plane_arrangement_rays(B, 1, rays, &nr);
    assert_int_equal(nr, 2);
    assert_true(rays[0] == 0 && fabs(rays[1] - M_PI) < 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide),
        cmocka_unit_test(test_random_brute_force),
        cmocka_unit_test(test_wrap_and_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
