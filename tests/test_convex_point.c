/* Tests of src/convex_point.c: convex points of the regularized and the max-margin programs and the networks
 * they give. Expected values come from the test's own loops (docs/MATH.md): the prediction
 * sum_i D_i X (u_i - u'_i), the objective 1/2 ||z - y||^2 + beta sum ||u||, the network f = sum_j (X w1_j)_+ w2_j
 * and L_beta = 1/2 ||f - y||^2 + beta/2 ||theta||^2. Checked: reconstruction and map back (round trips),
 * L_beta(reconstruction) = p_convex, invariance of the map back under neuron splitting and permutation, the
 * Caratheodory reduction (prediction and objective kept, blocks only shrink, at most n + 1 independent columns,
 * the same bits with the caller's scratch), the reference evaluations, arguments. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "convex.h"

#define NMAX 16
#define DMAX 4
#define PMAX 48

/* Random data and a pattern set of up to p random directions (fewer when the data have fewer patterns than
 * 20000 draws find); dirs[i] is a direction strictly inside K_i (its own
 * pattern has no zero entry of X dirs[i]), so every multiple of it is a feasible block for pattern i. */
typedef struct {
    size_t n, d, p;
    double X[NMAX * DMAX], y[NMAX];
    double dirs[PMAX * DMAX];
    cr_patterns *P;
} inst;

static inst make_inst(size_t n, size_t d, size_t p, gsl_rng *g)
{
    inst I = {n, d, 0, {0}, {0}, {0}, NULL};
    for (size_t t = 0; t < n * d; t++) I.X[t] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n; k++) I.y[k] = gsl_ran_gaussian(g, 1.0);
    I.P = cr_patterns_alloc(n, p);
    assert_non_null(I.P);
    cr_err e;
    for (int tries = 0; I.p < p && tries < 20000; tries++) {
        double *u = I.dirs + I.p * d;
        uint64_t mask = 0;
        for (size_t a = 0; a < d; a++) u[a] = gsl_ran_gaussian(g, 1.0);
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += I.X[k * d + a] * u[a];
            if (h >= 0) mask |= (uint64_t)1 << k;
        }
        if (cr_patterns_find(I.P, &mask) != (size_t)-1) continue;
        assert_int_equal(cr_patterns_add(I.P, &mask, &e), CR_OK);
        I.p++;
    }
    assert_true(I.P->p == I.p && I.p >= 2);
    return I;
}

/* z = sum_i D_i X (u_i - u'_i). */
static void ref_prediction(const inst *I, const double *U, const double *Up, double *z)
{
    size_t n = I->n, d = I->d;
    for (size_t k = 0; k < n; k++) {
        double s = 0;
        for (size_t i = 0; i < I->p; i++) {
            if (!((I->P->bits[i] >> k) & 1)) continue;
            for (size_t a = 0; a < d; a++) s += I->X[k * d + a] * (U[i * d + a] - Up[i * d + a]);
        }
        z[k] = s;
    }
}

static double ref_penalty(const inst *I, const double *U, const double *Up)
{
    double s = 0;
    for (size_t i = 0; i < I->p; i++) s += crt_nrm(U + i * I->d, I->d) + crt_nrm(Up + i * I->d, I->d);
    return s;
}

static double half_sq_dist(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
    return 0.5 * s;
}

/* 1/2 ||z - y||^2 + beta sum ||u||. */
static double ref_convex_objective(const inst *I, const double *U, const double *Up, double beta)
{
    double z[NMAX];
    ref_prediction(I, U, Up, z);
    return half_sq_dist(z, I->y, I->n) + beta * ref_penalty(I, U, Up);
}

/* f = sum_j (X w1_j)_+ w2_j (W1 d x m with row stride ld) and L_beta = 1/2 ||f - y||^2 + beta/2 ||theta||^2. */
static double ref_network_objective(const inst *I, const double *W1, size_t ld, const double *w2, size_t m,
                                    double beta, double *f)
{
    size_t n = I->n, d = I->d;
    double norm2 = 0;
    for (size_t k = 0; k < n; k++) {
        double s = 0;
        for (size_t j = 0; j < m; j++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += I->X[k * d + a] * W1[a * ld + j];
            s += (h > 0 ? h : 0) * w2[j];
        }
        f[k] = s;
    }
    for (size_t j = 0; j < m; j++) {
        norm2 += w2[j] * w2[j];
        for (size_t a = 0; a < d; a++) norm2 += W1[a * ld + j] * W1[a * ld + j];
    }
    return half_sq_dist(f, I->y, n) + 0.5 * beta * norm2;
}

/* A point with u_i = a_i dirs_i and u'_i = b_i dirs_i, a_i, b_i in [0.5, 2] or 0 (about a third of each). */
static cr_convex_sol *random_point(const inst *I, gsl_rng *g)
{
    cr_convex_sol *s = cr_convex_sol_alloc(I->p, I->d);
    assert_non_null(s);
    for (size_t i = 0; i < I->p; i++) {
        double a = gsl_rng_uniform(g) < 0.3 ? 0.0 : 0.5 + 1.5 * gsl_rng_uniform(g);
        double b = gsl_rng_uniform(g) < 0.3 ? 0.0 : 0.5 + 1.5 * gsl_rng_uniform(g);
        for (size_t t = 0; t < I->d; t++) {
            s->U[i * I->d + t] = a * I->dirs[i * I->d + t];
            s->Up[i * I->d + t] = b * I->dirs[i * I->d + t];
        }
    }
    return s;
}

static size_t ref_nnz(const cr_convex_sol *s)
{
    size_t c = 0;
    for (size_t i = 0; i < s->p; i++) c += (crt_nrm(s->U + i * s->d, s->d) > 0) + (crt_nrm(s->Up + i * s->d, s->d) > 0);
    return c;
}

/* ============================================================================ networks */

/* Convex point -> network -> convex point is the identity (each (pattern, sign) has one neuron, whose pattern is
 * the block's own since the block is strictly inside its cone); the neurons are the documented ones; and
 * L_beta(reconstruction) = p_convex, both evaluated here. */
static void test_round_trip_and_objective(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(41);
    for (int rep = 0; rep < 30; rep++) {
        inst I = make_inst(6 + (size_t)rep % 8, 2 + (size_t)rep % 3, 12, g);
        size_t d = I.d, p = I.p, mcap = 2 * p, m;
        cr_convex_sol *s = random_point(&I, g);
        double W1[DMAX * 2 * PMAX], w2[2 * PMAX], f[NMAX];
        assert_int_equal(cr_convex_to_network(s, W1, w2, mcap, &m, NULL), CR_OK);
        assert_int_equal(m, ref_nnz(s));
        /* Neuron c: the c-th nonzero block in the order u_1, u'_1, u_2, ...; w1 = u / sqrt||u||, w2 = +-sqrt||u||. */
        size_t c = 0;
        for (size_t i = 0; i < p; i++)
            for (int e = 0; e < 2; e++) {
                const double *u = (e ? s->Up : s->U) + i * d;
                double un = crt_nrm(u, d);
                if (un == 0) continue;
                assert_true(fabs(w2[c] - (e ? -sqrt(un) : sqrt(un))) <= 1e-15 * sqrt(un));
                for (size_t a = 0; a < d; a++) assert_true(fabs(W1[a * mcap + c] - u[a] / sqrt(un)) <= 1e-15 * sqrt(un));
                c++;
            }
        double beta = 0.1 + 0.1 * rep;
        double pc = ref_convex_objective(&I, s->U, s->Up, beta), L = ref_network_objective(&I, W1, mcap, w2, m, beta, f);
        if (fabs(L - pc) > 1e-13 * pc) fail_msg("rep %d: L_beta(reconstruction) %.17g, p_convex %.17g", rep, L, pc);
        /* The library's reference evaluations agree with the test's. */
        double Wp[DMAX * 2 * PMAX];
        for (size_t a = 0; a < d; a++)
            for (size_t j = 0; j < m; j++) Wp[a * m + j] = W1[a * mcap + j];
        assert_true(fabs(cr_convex_objective(I.X, I.y, I.n, d, I.P, CR_LOSS_SQUARED, beta, s, NULL) - pc) <= 1e-13 * pc);
        assert_true(fabs(cr_convex_network_objective(I.X, I.y, I.n, d, CR_LOSS_SQUARED, beta, Wp, w2, m, NULL) - L) <=
                    1e-13 * L);
        /* Back: the same point. */
        cr_convex_sol *b = NULL;
        size_t added = 7;
        assert_int_equal(cr_convex_from_network(I.X, I.n, d, Wp, w2, m, I.P, 0, &b, &added, NULL), CR_OK);
        assert_int_equal(added, 0);
        assert_true(b->p == p && b->d == d);
        for (size_t t = 0; t < p * d; t++) {
            double sc = 1 + fabs(s->U[t]) + fabs(s->Up[t]);
            if (fabs(b->U[t] - s->U[t]) > 1e-15 * sc || fabs(b->Up[t] - s->Up[t]) > 1e-15 * sc)
                fail_msg("rep %d: entry %zu back as (%.17g, %.17g), was (%.17g, %.17g)", rep, t, b->U[t], b->Up[t],
                         s->U[t], s->Up[t]);
        }
        cr_convex_sol_free(b);
        cr_convex_sol_free(s);
        cr_patterns_free(I.P);
    }
    gsl_rng_free(g);
}

/* The map back of a network: a balanced network whose neurons are split (w -> sqrt(a_k) w in both layers) and
 * permuted gives the same convex point as the unsplit one, and L_beta is that of the point; an unbalanced
 * network (w1 -> c w1, w2 -> w2 / c) gives the same point and L_beta >= p_convex. Neurons with w2 = 0 or
 * w1 = 0 add nothing. */
static void test_split_permute(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(43);
    for (int rep = 0; rep < 20; rep++) {
        inst I = make_inst(10, 3, 8, g);
        size_t d = I.d, p = I.p;
        /* Base network: one balanced neuron per (pattern, sign) with a random size: w1 = r dir / ||dir||, |w2| = r. */
        double B1[DMAX * 2 * PMAX], b2[2 * PMAX], f[NMAX];
        size_t m = 0;
        for (size_t i = 0; i < p; i++)
            for (int e = 0; e < 2; e++, m++) {
                double r = 0.3 + gsl_rng_uniform(g), dn = crt_nrm(I.dirs + i * d, d);
                for (size_t a = 0; a < d; a++) B1[a * 2 * p + m] = r * I.dirs[i * d + a] / dn;
                b2[m] = e ? -r : r;
            }
        /* Split: neuron j into three with a = (0.2, 0.3, 0.5), then a random permutation; plus two dead neurons. */
        const double a3[3] = {0.2, 0.3, 0.5};
        size_t ms = 3 * m + 2, perm[3 * 2 * PMAX + 2];
        for (size_t j = 0; j < ms; j++) perm[j] = j;
        gsl_ran_shuffle(g, perm, ms, sizeof perm[0]);
        double S1[DMAX * (3 * 2 * PMAX + 2)], s2[3 * 2 * PMAX + 2];
        for (size_t j = 0; j < ms; j++) {
            size_t to = perm[j];
            for (size_t a = 0; a < d; a++) S1[a * ms + to] = j < 3 * m ? sqrt(a3[j % 3]) * B1[a * 2 * p + j / 3] : 1.0;
            s2[to] = j < 3 * m ? sqrt(a3[j % 3]) * b2[j / 3] : 0.0; /* j >= 3m: w2 = 0 */
        }
        for (size_t a = 0; a < d; a++) S1[a * ms + perm[ms - 1]] = 0.0; /* and w1 = 0 */
        s2[perm[ms - 1]] = 1.0;
        double beta = 0.05 * (1 + rep);
        double Lb = ref_network_objective(&I, B1, 2 * p, b2, m, beta, f);
        /* The dead neurons add only their penalty, beta/2 (d + 1). */
        double Ls = ref_network_objective(&I, S1, ms, s2, ms, beta, f) - 0.5 * beta * (double)(d + 1);
        assert_true(fabs(Ls - Lb) <= 1e-13 * Lb);
        /* Unbalanced: w1 -> c w1, w2 -> w2 / c per neuron (f kept, the penalty grows). */
        double U1[DMAX * 2 * PMAX], u2[2 * PMAX];
        for (size_t j = 0; j < m; j++) {
            double c = 0.5 + 2.0 * gsl_rng_uniform(g);
            for (size_t a = 0; a < d; a++) U1[a * m + j] = c * B1[a * 2 * p + j];
            u2[j] = b2[j] / c;
        }
        double Lu = ref_network_objective(&I, U1, m, u2, m, beta, f);
        cr_convex_sol *base = NULL, *split = NULL, *unbal = NULL;
        double Bp[DMAX * 2 * PMAX];
        for (size_t a = 0; a < d; a++)
            for (size_t j = 0; j < m; j++) Bp[a * m + j] = B1[a * 2 * p + j];
        assert_int_equal(cr_convex_from_network(I.X, I.n, d, Bp, b2, m, I.P, 0, &base, NULL, NULL), CR_OK);
        assert_int_equal(cr_convex_from_network(I.X, I.n, d, S1, s2, ms, I.P, 0, &split, NULL, NULL), CR_OK);
        assert_int_equal(cr_convex_from_network(I.X, I.n, d, U1, u2, m, I.P, 0, &unbal, NULL, NULL), CR_OK);
        for (size_t t = 0; t < p * d; t++) {
            double sc = 1 + fabs(base->U[t]) + fabs(base->Up[t]);
            assert_true(fabs(split->U[t] - base->U[t]) <= 1e-14 * sc && fabs(split->Up[t] - base->Up[t]) <= 1e-14 * sc);
            assert_true(fabs(unbal->U[t] - base->U[t]) <= 1e-14 * sc && fabs(unbal->Up[t] - base->Up[t]) <= 1e-14 * sc);
        }
        double pc = ref_convex_objective(&I, base->U, base->Up, beta);
        assert_true(fabs(pc - Lb) <= 1e-13 * Lb);
        assert_true(Lu >= pc * (1 - 1e-13) && Lu > pc);
        cr_convex_sol_free(base);
        cr_convex_sol_free(split);
        cr_convex_sol_free(unbal);
        cr_patterns_free(I.P);
    }
    gsl_rng_free(g);
}

/* ============================================================================ support reduction */

/* Rank of the columns [sign D_i X u ; ||u||] of the nonzero blocks (Gram-Schmidt twice, relative 1e-9). */
static size_t column_rank(const inst *I, const cr_convex_sol *s)
{
    size_t n = I->n, d = I->d, r1 = n + 1, rank = 0;
    double Q[(NMAX + 1) * (NMAX + 1)], v[NMAX + 1];
    for (size_t j = 0; j < 2 * s->p; j++) {
        const double *u = (j < s->p ? s->U : s->Up) + (j % s->p) * d;
        double un = crt_nrm(u, d);
        if (un == 0) continue;
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            if ((I->P->bits[j % s->p] >> k) & 1)
                for (size_t a = 0; a < d; a++) h += I->X[k * d + a] * u[a];
            v[k] = j < s->p ? h : -h;
        }
        v[n] = un;
        double vn0 = crt_nrm(v, r1);
        for (int pass = 0; pass < 2; pass++)
            for (size_t l = 0; l < rank; l++) {
                double h = 0;
                for (size_t k = 0; k < r1; k++) h += Q[l * r1 + k] * v[k];
                for (size_t k = 0; k < r1; k++) v[k] -= h * Q[l * r1 + k];
            }
        double vn = crt_nrm(v, r1);
        if (vn <= 1e-9 * vn0 || rank == r1) continue;
        for (size_t k = 0; k < r1; k++) Q[rank * r1 + k] = v[k] / vn;
        rank++;
    }
    return rank;
}

/* Points with up to 2p > n + 1 nonzero blocks: after the reduction the prediction and the penalty sum ||u|| (so
 * both objectives, and with them the max-margin program's margins Y z) are kept, every block is a nonnegative
 * multiple of what it was (so it stays in its cone), at most n + 1 blocks are left and their columns are
 * independent. The scratch variant gives the same bits. */
static void test_reduction(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(47);
    size_t reduced_below = 0;
    for (int rep = 0; rep < 40; rep++) {
        inst I = make_inst(4 + (size_t)rep % 9, 2 + (size_t)rep % 3, 12 + (size_t)rep % 20, g);
        size_t n = I.n, d = I.d, p = I.p;
        cr_convex_sol *s = random_point(&I, g), *s0 = cr_convex_sol_alloc(p, d), *s2 = cr_convex_sol_alloc(p, d);
        memcpy(s0->U, s->U, p * d * sizeof *s->U);
        memcpy(s0->Up, s->Up, p * d * sizeof *s->Up);
        memcpy(s2->U, s->U, p * d * sizeof *s->U);
        memcpy(s2->Up, s->Up, p * d * sizeof *s->Up);
        double z0[NMAX], z1[NMAX], pen0 = ref_penalty(&I, s->U, s->Up);
        ref_prediction(&I, s->U, s->Up, z0);
        size_t nz0 = ref_nnz(s), ms;
        assert_int_equal(cr_convex_reduce_support(I.X, n, d, I.P, s, &ms, NULL), CR_OK);
        assert_int_equal(ms, ref_nnz(s));
        if (ms > n + 1) fail_msg("rep %d: %zu blocks left, n + 1 = %zu", rep, ms, n + 1);
        assert_int_equal(column_rank(&I, s), ms);
        ref_prediction(&I, s->U, s->Up, z1);
        double zn = crt_nrm(z0, n);
        for (size_t k = 0; k < n; k++)
            if (fabs(z1[k] - z0[k]) > 1e-12 * (zn + pen0)) fail_msg("rep %d: z[%zu] %.17g, was %.17g", rep, k, z1[k], z0[k]);
        if (fabs(ref_penalty(&I, s->U, s->Up) - pen0) > 1e-12 * pen0)
            fail_msg("rep %d: penalty %.17g, was %.17g", rep, ref_penalty(&I, s->U, s->Up), pen0);
        for (size_t i = 0; i < 2 * p; i++) {
            const double *u = (i < p ? s->U : s->Up) + (i % p) * d, *u0 = (i < p ? s0->U : s0->Up) + (i % p) * d;
            double dot = 0, n0 = crt_nrm(u0, d), n1 = crt_nrm(u, d);
            for (size_t a = 0; a < d; a++) dot += u[a] * u0[a];
            assert_true(n0 > 0 || n1 == 0);
            if (n1 > 0 && !(dot >= (1 - 1e-12) * n0 * n1)) fail_msg("rep %d: block %zu turned", rep, i);
        }
        reduced_below += nz0 > n + 1;
        /* The caller's scratch, sized for a larger p: the same bits. */
        size_t pbig = p + 5;
        double *dw = malloc(cr_convex_reduce_doubles(n, pbig) * sizeof *dw);
        size_t *iw = malloc(cr_convex_reduce_indices(n, pbig) * sizeof *iw), ms2;
        assert_true(cr_convex_reduce_doubles(n, pbig) >= cr_convex_reduce_doubles(n, p));
        assert_int_equal(cr_convex_reduce_support_ws(I.X, n, d, I.P, s2, dw, iw, &ms2, NULL), CR_OK);
        assert_int_equal(ms2, ms);
        assert_memory_equal(s2->U, s->U, p * d * sizeof *s->U);
        assert_memory_equal(s2->Up, s->Up, p * d * sizeof *s->Up);
        free(dw);
        free(iw);
        cr_convex_sol_free(s);
        cr_convex_sol_free(s0);
        cr_convex_sol_free(s2);
        cr_patterns_free(I.P);
    }
    assert_true(reduced_below >= 30);
    gsl_rng_free(g);
}

/* ============================================================================ reference evaluations */

/* cr_convex_cone_violation against its definition on points with blocks outside their cones; cr_convex_sol_nnz. */
static void test_violation_and_nnz(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(53);
    for (int rep = 0; rep < 20; rep++) {
        inst I = make_inst(9, 3, 10, g);
        size_t n = I.n, d = I.d, p = I.p;
        cr_convex_sol *s = random_point(&I, g);
        assert_int_equal(cr_convex_sol_nnz(s), ref_nnz(s));
        assert_true(cr_convex_cone_violation(I.X, n, d, I.P, s) <= 1e-15);
        /* One block replaced by a random vector. */
        size_t j = (size_t)rep % (2 * p);
        double *u = (j < p ? s->U : s->Up) + (j % p) * d;
        for (size_t a = 0; a < d; a++) u[a] = gsl_ran_gaussian(g, 1.0);
        double want = 0;
        for (size_t i = 0; i < 2 * p; i++) {
            const double *v = (i < p ? s->U : s->Up) + (i % p) * d;
            double vn = crt_nrm(v, d);
            if (vn == 0) continue;
            for (size_t k = 0; k < n; k++) {
                double h = 0, sg = (I.P->bits[i % p] >> k) & 1 ? 1.0 : -1.0;
                for (size_t a = 0; a < d; a++) h += I.X[k * d + a] * v[a];
                want = fmax(want, -sg * h / (crt_nrm(I.X + k * d, d) * vn));
            }
        }
        assert_true(fabs(cr_convex_cone_violation(I.X, n, d, I.P, s) - want) <= 1e-15);
        cr_convex_sol_free(s);
        cr_patterns_free(I.P);
    }
    gsl_rng_free(g);
}

/* ============================================================================ arguments */

static void test_to_network_arguments(void **state)
{
    (void)state;
    cr_err e;
    /* u_0 = (1, 0), u'_1 = (0, 1): two neurons, w1 = u / sqrt(||u||) = u, w2 = +1 and -1. A view on caller arrays. */
    double u[4] = {1, 0, 0, 0}, up[4] = {0, 0, 0, 1}, W1[4], w2[2];
    cr_convex_sol v = {2, 2, u, up};
    size_t m;
    assert_int_equal(cr_convex_to_network(&v, W1, w2, 1, &m, &e), CR_EINPUT);
    assert_int_equal(m, 2);
    assert_int_equal(cr_convex_to_network(&v, NULL, NULL, 0, &m, &e), CR_EINPUT);
    assert_int_equal(m, 2);
    assert_int_equal(cr_convex_to_network(&v, W1, w2, 2, &m, &e), CR_OK);
    assert_true(m == 2 && w2[0] == 1.0 && w2[1] == -1.0);
    assert_true(W1[0] == 1.0 && W1[2] == 0.0 && W1[1] == 0.0 && W1[3] == 1.0);
    assert_int_equal(cr_convex_to_network(NULL, W1, w2, 2, &m, &e), CR_EINPUT);
    assert_int_equal(cr_convex_to_network(&v, NULL, w2, 2, &m, &e), CR_EINPUT);
    /* The reduction's arguments. */
    const double X[] = {1, 0, 0, 1};
    cr_patterns *P = cr_patterns_alloc(2, 2);
    uint64_t m0 = 1, m1 = 2;
    assert_int_equal(cr_patterns_add(P, &m0, &e), CR_OK);
    assert_int_equal(cr_patterns_add(P, &m1, &e), CR_OK);
    size_t ms;
    double dw[64];
    size_t iw[8];
    assert_int_equal(cr_convex_reduce_support(X, 2, 3, P, &v, &ms, &e), CR_EINPUT);
    assert_int_equal(cr_convex_reduce_support_ws(X, 2, 2, P, &v, NULL, iw, &ms, &e), CR_EINPUT);
    assert_true(cr_convex_reduce_doubles(2, 2) <= 64 && cr_convex_reduce_indices(2, 2) <= 8);
    assert_int_equal(cr_convex_reduce_support_ws(X, 2, 2, P, &v, dw, iw, &ms, &e), CR_OK);
    cr_patterns_free(P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_objective),
        cmocka_unit_test(test_split_permute),
        cmocka_unit_test(test_reduction),
        cmocka_unit_test(test_violation_and_nnz),
        cmocka_unit_test(test_to_network_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
