/* Tests of src/cone.c: the projection onto a pattern cone K = {u : s_k x_k'u >= 0} against brute force (the
 * best feasible projection onto the subspaces {u : a_k'u = 0, k in S} over every active set S of at most d rows,
 * which contains the exact answer) and against the optimality conditions (Moreau: r in K, c - r in the polar
 * cone with multipliers mu >= 0, r'(c - r) = 0); ||P_K(c)|| = max_{u in K, ||u|| <= 1} c'u by a sweep over the
 * circle (d = 2); warm starts; cones that are {0}, a ray or a half-plane; the relative violation. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "cone.h"

/* a_k = s_k x_k for the pattern mask, row k of A (n x d). */
static void cone_rows(const double *X, size_t n, size_t d, uint64_t mask, double *A)
{
    for (size_t k = 0; k < n; k++) {
        double s = (mask >> k) & 1 ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) A[k * d + r] = s * X[k * d + r];
    }
}

/* u = c minus its projection on span{a_k : k in S} (Gram-Schmidt, twice). */
static void project_complement(const double *A, size_t d, const size_t *S, size_t ns, const double *c, double *u)
{
    double Q[8 * 8];
    size_t q = 0;
    for (size_t t = 0; t < ns; t++) {
        double *v = Q + q * d;
        for (size_t r = 0; r < d; r++) v[r] = A[S[t] * d + r];
        double an = crt_nrm(v, d);
        for (int pass = 0; pass < 2; pass++)
            for (size_t l = 0; l < q; l++) {
                double h = 0;
                for (size_t r = 0; r < d; r++) h += v[r] * Q[l * d + r];
                for (size_t r = 0; r < d; r++) v[r] -= h * Q[l * d + r];
            }
        double vn = crt_nrm(v, d);
        if (vn <= 1e-12 * an) continue;
        for (size_t r = 0; r < d; r++) v[r] /= vn;
        q++;
    }
    for (size_t r = 0; r < d; r++) u[r] = c[r];
    for (size_t l = 0; l < q; l++) {
        double h = 0;
        for (size_t r = 0; r < d; r++) h += u[r] * Q[l * d + r];
        for (size_t r = 0; r < d; r++) u[r] -= h * Q[l * d + r];
    }
}

/* Brute force: the projection lies in the relative interior of a face of K, i.e. it is the projection onto
 * the subspace of that face's active rows; so among the subspace projections over all sets S of at most d rows
 * the feasible one closest to c is P_K(c). Returns ||c - P_K(c)||, the projection in best. */
static double brute_projection(const double *A, size_t n, size_t d, const double *c, double *best)
{
    double bd = INFINITY, u[8];
    size_t S[8];
    /* Enumerate subsets of {0..n-1} by bit mask, keeping those of at most d rows. */
    for (uint64_t m = 0; m < ((uint64_t)1 << n); m++) {
        size_t ns = 0;
        for (size_t k = 0; k < n; k++)
            if ((m >> k) & 1) {
                if (ns == d) break;
                S[ns++] = k;
            }
        if ((size_t)__builtin_popcountll(m) != ns) continue;
        project_complement(A, d, S, ns, c, u);
        int feasible = 1;
        for (size_t k = 0; k < n && feasible; k++) {
            double h = 0;
            for (size_t r = 0; r < d; r++) h += A[k * d + r] * u[r];
            feasible = h >= -1e-12 * crt_nrm(A + k * d, d) * crt_nrm(c, d);
        }
        if (!feasible) continue;
        double dist = 0;
        for (size_t r = 0; r < d; r++) dist += (c[r] - u[r]) * (c[r] - u[r]);
        dist = sqrt(dist);
        if (dist < bd) {
            bd = dist;
            for (size_t r = 0; r < d; r++) best[r] = u[r];
        }
    }
    return bd;
}

/* Moreau's conditions at r with the active set act, checked with the test's own arithmetic: mu > 0,
 * r = c + sum_j mu_j a_{idx_j} (so c - r is in the polar cone), r in K, and r'(c - r) = 0. */
static void check_kkt(const double *A, const double *X, size_t n, size_t d, const double *c, const cr_cone_active *act,
                      const double *r, const char *what)
{
    double cn = crt_nrm(c, d), res[8];
    for (size_t i = 0; i < d; i++) res[i] = c[i] - r[i];
    for (size_t j = 0; j < act->len; j++) {
        if (!(act->mu[j] > 0)) fail_msg("%s: mu[%zu] = %g", what, j, act->mu[j]);
        for (size_t i = 0; i < d; i++) res[i] += act->mu[j] * A[act->idx[j] * d + i];
    }
    if (crt_nrm(res, d) > 1e-13 * (cn + 1)) fail_msg("%s: r - c - A'mu = %.3g", what, crt_nrm(res, d));
    for (size_t k = 0; k < n; k++) {
        double h = 0;
        for (size_t i = 0; i < d; i++) h += A[k * d + i] * r[i];
        if (h < -1e-12 * crt_nrm(X + k * d, d) * cn) fail_msg("%s: a_%zu'r = %.3g", what, k, h);
    }
    double comp = 0;
    for (size_t i = 0; i < d; i++) comp += r[i] * (c[i] - r[i]);
    if (fabs(comp) > 1e-12 * cn * cn) fail_msg("%s: r'(c - r) = %.3g", what, comp);
}

typedef struct {
    cr_cone_work *w;
    size_t idx[8];
    double mu[8];
    cr_cone_active act;
} projector;

static void projector_init(projector *p, size_t n, size_t d)
{
    p->w = cr_cone_alloc(n, d);
    assert_non_null(p->w);
    p->act = (cr_cone_active){p->idx, p->mu, 0};
}

static void test_against_brute_force(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(11);
    size_t cases = 0, interior = 0, boundary = 0, zero = 0;
    for (size_t d = 2; d <= 4; d++)
        for (int rep = 0; rep < 150; rep++) {
            size_t n = 3 + (size_t)rep % 6;
            double X[10 * 4], xnorm[10], A[10 * 4], c[4], r[4], b[4];
            for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
            for (size_t k = 0; k < n; k++) xnorm[k] = crt_nrm(X + k * d, d);
            /* Half the masks are the pattern of a direction (a cone with interior), half are random (often {0}
             * or lower-dimensional). */
            uint64_t mask = 0;
            if (rep % 2) {
                mask = gsl_rng_get(g) & (((uint64_t)1 << n) - 1);
            } else {
                double v[4];
                for (size_t r2 = 0; r2 < d; r2++) v[r2] = gsl_ran_gaussian(g, 1.0);
                for (size_t k = 0; k < n; k++) {
                    double h = 0;
                    for (size_t r2 = 0; r2 < d; r2++) h += X[k * d + r2] * v[r2];
                    if (h >= 0) mask |= (uint64_t)1 << k;
                }
            }
            for (size_t i = 0; i < d; i++) c[i] = gsl_ran_gaussian(g, 1.0);
            cone_rows(X, n, d, mask, A);
            projector p;
            projector_init(&p, n, d);
            assert_int_equal(cr_cone_project(p.w, X, xnorm, n, d, &mask, c, &p.act, r), 0);
            char what[64];
            snprintf(what, sizeof what, "d %zu rep %d", d, rep);
            check_kkt(A, X, n, d, c, &p.act, r, what);
            double bd = brute_projection(A, n, d, c, b), dist = 0, diff = 0;
            for (size_t i = 0; i < d; i++) {
                dist += (c[i] - r[i]) * (c[i] - r[i]);
                diff += (b[i] - r[i]) * (b[i] - r[i]);
            }
            if (fabs(sqrt(dist) - bd) > 1e-12 * crt_nrm(c, d) || sqrt(diff) > 1e-9 * crt_nrm(c, d))
                fail_msg("%s: ||c - r|| = %.17g, brute force %.17g, ||r - brute|| = %.3g", what, sqrt(dist), bd,
                         sqrt(diff));
            if (crt_nrm(r, d) <= 1e-12 * crt_nrm(c, d))
                zero++;
            else if (p.act.len == 0)
                interior++;
            else
                boundary++;
            cases++;
            cr_cone_free(p.w);
        }
    /* Every kind of answer was seen: c inside K, on a face, and P_K(c) = 0. */
    assert_true(cases == 450 && interior > 20 && boundary > 100 && zero > 50);
    gsl_rng_free(g);
}

/* ||P_K(c)|| = max_{u in K, ||u|| <= 1} c'u (the dual certificate g_i): in d = 2 by a sweep of unit u over the
 * circle, 2^20 angles plus the directions of the cone's edges (x_k rotated by +-90 degrees) and 0. */
static void test_support_value_2d(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(5);
    const size_t n = 7, d = 2, steps = (size_t)1 << 20;
    for (int rep = 0; rep < 20; rep++) {
        double X[14], xnorm[7], c[2], r[2];
        for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t k = 0; k < n; k++) xnorm[k] = crt_nrm(X + k * d, d);
        uint64_t mask = 0;
        double t0 = 2 * M_PI * gsl_rng_uniform(g);
        for (size_t k = 0; k < n; k++)
            if (X[2 * k] * cos(t0) + X[2 * k + 1] * sin(t0) >= 0) mask |= (uint64_t)1 << k;
        c[0] = gsl_ran_gaussian(g, 1.0);
        c[1] = gsl_ran_gaussian(g, 1.0);
        projector p;
        projector_init(&p, n, d);
        assert_int_equal(cr_cone_project(p.w, X, xnorm, n, d, &mask, c, &p.act, r), 0);
        double best = 0; /* u = 0 is in K */
        for (size_t t = 0; t < steps + 2 * n; t++) {
            double u[2];
            if (t < steps) {
                u[0] = cos(2 * M_PI * (double)t / (double)steps);
                u[1] = sin(2 * M_PI * (double)t / (double)steps);
            } else {
                size_t k = (t - steps) / 2;
                double sg = (t - steps) % 2 ? 1.0 : -1.0;
                u[0] = -sg * X[2 * k + 1] / xnorm[k];
                u[1] = sg * X[2 * k] / xnorm[k];
            }
            int in = 1;
            for (size_t k = 0; k < n && in; k++) {
                double s = (mask >> k) & 1 ? 1.0 : -1.0;
                in = s * (X[2 * k] * u[0] + X[2 * k + 1] * u[1]) >= -1e-15;
            }
            if (in) best = fmax(best, c[0] * u[0] + c[1] * u[1]);
        }
        double v = crt_nrm(r, 2);
        if (!(v >= best - 1e-12 && v <= best + 1e-9 * crt_nrm(c, 2)))
            fail_msg("rep %d: ||P_K(c)|| = %.17g, sweep %.17g", rep, v, best);
        cr_cone_free(p.w);
    }
    gsl_rng_free(g);
}

/* A warm start from the active set of a nearby point gives the same projection as a cold start. */
static void test_warm_start(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(8);
    const size_t n = 12, d = 3;
    double X[36], xnorm[12], A[36];
    for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n; k++) xnorm[k] = crt_nrm(X + k * d, d);
    uint64_t mask = 0;
    for (size_t k = 0; k < n; k++)
        if (X[k * d] + 0.3 * X[k * d + 1] >= 0) mask |= (uint64_t)1 << k;
    cone_rows(X, n, d, mask, A);
    projector warm, cold;
    projector_init(&warm, n, d);
    projector_init(&cold, n, d);
    double c[3] = {-1.0, 0.5, 0.2}, rw[3], rc[3];
    size_t warm_used = 0;
    for (int rep = 0; rep < 200; rep++) {
        for (size_t i = 0; i < d; i++) c[i] += 0.2 * gsl_ran_gaussian(g, 1.0); /* a random walk */
        warm_used += warm.act.len > 0;
        assert_int_equal(cr_cone_project(warm.w, X, xnorm, n, d, &mask, c, &warm.act, rw), 0);
        cold.act.len = 0;
        assert_int_equal(cr_cone_project(cold.w, X, xnorm, n, d, &mask, c, &cold.act, rc), 0);
        check_kkt(A, X, n, d, c, &warm.act, rw, "warm");
        for (size_t i = 0; i < d; i++)
            if (fabs(rw[i] - rc[i]) > 1e-12 * crt_nrm(c, d)) fail_msg("rep %d: warm %.17g, cold %.17g", rep, rw[i], rc[i]);
    }
    assert_true(warm_used > 50);
    cr_cone_free(warm.w);
    cr_cone_free(cold.w);
    gsl_rng_free(g);
}

/* Cones by hand, X = rows e1, -e1, e2, -e2: every bit set gives K = {0}; bits 0, 1, 2 give the ray
 * {u_1 = 0, u_2 >= 0}; bits 0, 2 give the quadrant u >= 0 (rows 1, 3 off repeat rows 0, 2). c = 0 projects to 0. */
static void test_by_hand(void **state)
{
    (void)state;
    const double X[] = {1, 0, -1, 0, 0, 1, 0, -1}, xnorm[] = {1, 1, 1, 1};
    projector p;
    projector_init(&p, 4, 2);
    double c[2] = {0.3, 2.0}, r[2];
    uint64_t all = 15, ray = 7, quadrant = 5;
    assert_int_equal(cr_cone_project(p.w, X, xnorm, 4, 2, &all, c, &p.act, r), 0);
    assert_true(fabs(r[0]) <= 1e-15 && fabs(r[1]) <= 1e-15);
    p.act.len = 0;
    assert_int_equal(cr_cone_project(p.w, X, xnorm, 4, 2, &ray, c, &p.act, r), 0);
    assert_true(fabs(r[0]) <= 1e-15 && fabs(r[1] - 2.0) <= 1e-15);
    p.act.len = 0;
    c[1] = -2.0;
    assert_int_equal(cr_cone_project(p.w, X, xnorm, 4, 2, &ray, c, &p.act, r), 0);
    assert_true(fabs(r[0]) <= 1e-15 && fabs(r[1]) <= 1e-15);
    p.act.len = 0;
    assert_int_equal(cr_cone_project(p.w, X, xnorm, 4, 2, &quadrant, c, &p.act, r), 0);
    assert_true(fabs(r[0] - 0.3) <= 1e-15 && fabs(r[1]) <= 1e-15);
    p.act.len = 0;
    const double zero[2] = {0, 0};
    assert_int_equal(cr_cone_project(p.w, X, xnorm, 4, 2, &quadrant, zero, &p.act, r), 0);
    assert_true(r[0] == 0 && r[1] == 0 && p.act.len == 0);
    cr_cone_free(p.w);
    cr_cone_free(NULL);
}

/* The relative violation max_k max(0, -a_k'u) / (||x_k|| ||u||) against the definition, zero rows skipped. */
static void test_violation(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(21);
    const size_t n = 9, d = 3;
    double X[27], xnorm[9];
    for (int rep = 0; rep < 100; rep++) {
        for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t r = 0; r < d; r++) X[4 * d + r] = 0; /* a zero row counts for nothing */
        for (size_t k = 0; k < n; k++) xnorm[k] = crt_nrm(X + k * d, d);
        uint64_t mask = gsl_rng_get(g) & 511;
        double u[3];
        for (size_t r = 0; r < d; r++) u[r] = gsl_ran_gaussian(g, 1.0);
        double want = 0, un = crt_nrm(u, d);
        for (size_t k = 0; k < n; k++) {
            if (k == 4) continue;
            double h = 0, s = (mask >> k) & 1 ? 1.0 : -1.0;
            for (size_t r = 0; r < d; r++) h += X[k * d + r] * u[r];
            want = fmax(want, -s * h / (crt_nrm(X + k * d, d) * un));
        }
        double v = cr_cone_violation(X, xnorm, n, d, &mask, u);
        if (fabs(v - want) > 1e-15) fail_msg("rep %d: violation %.17g, by definition %.17g", rep, v, want);
    }
    const double u0[3] = {0, 0, 0};
    uint64_t m = 0;
    assert_true(cr_cone_violation(X, xnorm, n, d, &m, u0) == 0.0);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_support_value_2d),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_violation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
