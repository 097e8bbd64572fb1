/* Tests of convex.h: the solver against cvxopt (tests/oracle/socp.py) on random and degenerate instances,
 * the 1-D toy's closed form, the certificate (gap >= 0, reaches tol, g_i against a sweep over the circle),
 * reconstruction, invariances, support reduction, the map back from networks, finite differences of the
 * smooth part, bad arguments, the method names, and cr_convex_work_bytes against the bytes the allocation
 * asks for and a closed form. Expected values come from cvxopt, closed forms or brute force. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "alloc_count.h"
#include "cone.h"
#include "convex.h"
#include "convex_impl.h" /* sizeof(cr_convex_work), for the closed form of its bytes */
#include "convex_inst.h"
#include "nnls.h"
#include "patterns.h"

static double solve_with(const inst *I, cr_loss_kind loss, double beta, double tol, cr_convex_method method,
                         cr_convex_sol **solp, cr_convex_info *info)
{
    cr_convex_work *w = cr_convex_alloc(I->n, I->d, I->P->p);
    assert_non_null(w);
    cr_convex_sol *sol = cr_convex_sol_alloc(I->P->p, I->d);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.tol = tol;
    o.method = method;
    cr_err e = {{0}};
    int st = cr_convex_solve(w, I->X, I->y, I->n, I->d, I->P, loss, beta, &o, sol, info, &e);
    if (st != CR_OK || info->status != CR_CONVEX_CONVERGED)
        fprintf(stderr, "solve: %s status %s rel_gap %.3g it %ld newton %ld\n", st ? e.msg : "", cr_convex_status_name(info->status), info->rel_gap, info->iterations, info->newton);
    assert_int_equal(st, CR_OK);
    assert_int_equal(info->status, CR_CONVEX_CONVERGED);
    /* A certified gap is never negative: primal >= p* >= dual, and a difference that rounding makes negative
     * is reported as 0 (one of the oracle cases ends 2e-15 below 0 on every OpenBLAS kernel). */
    assert_true(info->gap >= 0 && info->rel_gap >= 0);
    assert_true(info->gap == fmax(0.0, info->primal - info->dual));
    assert_true(info->rel_gap <= tol);
    assert_true(info->cone_violation <= 1e-12);
    /* the reported primal is the objective of the returned point */
    double ref = cr_convex_objective(I->X, I->y, I->n, I->d, I->P, loss, beta, sol, NULL);
    assert_true(fabs(ref - info->primal) <= 1e-12 * fmax(1, fabs(ref)));
    cr_convex_free(w);
    if (solp) *solp = sol;
    else cr_convex_sol_free(sol);
    return info->primal;
}

static double solve(const inst *I, cr_loss_kind loss, double beta, double tol, cr_convex_sol **solp,
                    cr_convex_info *info)
{
    return solve_with(I, loss, beta, tol, CR_CONVEX_AUTO, solp, info);
}

/* ------------------------------------------------------------------ against cvxopt */

typedef struct {
    size_t n, d;
    int kind;
    size_t samples;
    double beta;
} case_t;

static const case_t CASES[] = {
    {6, 2, 0, 0, 0.1},    {10, 2, 0, 0, 0.05},  {12, 2, 0, 0, 0.5},  {20, 2, 0, 0, 0.1},   {8, 2, 1, 0, 0.1},
    {9, 2, 2, 0, 0.2},    {10, 2, 3, 0, 0.1},   {7, 3, 0, 4000, 0.1}, {10, 3, 0, 4000, 0.02}, {9, 3, 4, 4000, 0.1},
    {8, 3, 1, 4000, 0.3}, {5, 4, 0, 4000, 0.05}, {12, 3, 2, 4000, 0.1}, {3, 2, 0, 0, 1.0},   {15, 2, 0, 0, 2.0},
    {8, 3, 0, ENUM, 0.1}, {7, 3, 2, ENUM, 0.05}, {8, 3, 4, ENUM, 0.1}, {6, 3, 3, ENUM, 0.2},  {10, 2, 1, ENUM, 0.1},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* max_d, max_n: skip larger cases (the hinge programs take minutes there, mostly in cvxopt's conelp). */
static void oracle_cases(cr_loss_kind loss, size_t ncases, double agree, size_t max_d, size_t max_n)
{
    for (size_t c = 0; c < ncases; c++) {
        const case_t *C = &CASES[c];
        if (C->d > max_d || C->n > max_n) continue;
        inst I = make_inst(C->n, C->d, loss, C->kind, C->samples, 1000 + c);
        double ref = oracle(&I, loss, C->beta);
        /* the default method, and for the squared loss also the interior-point method (which AUTO uses
         * only from n = 200 on) at its usual tolerance */
        for (int m = 0; m < (loss == CR_LOSS_SQUARED ? 2 : 1); m++) {
            cr_convex_info info;
            double ours = solve_with(&I, loss, C->beta, m ? 1e-8 : 1e-9, m ? CR_CONVEX_IPM : CR_CONVEX_AUTO, NULL,
                                     &info);
            double rel = fabs(ours - ref) / fmax(1, fabs(ref));
            if (rel > agree)
                fprintf(stderr, "case %zu (n %zu d %zu kind %d p %zu) %s: ours %.12g cvxopt %.12g rel %.3g\n", c,
                        C->n, C->d, C->kind, I.P->p, m ? "ipm" : "auto", ours, ref, rel);
            assert_true(rel <= agree);
            /* cvxopt's point is feasible up to its tolerance: ours can only be lower, within that tolerance */
            assert_true(ours <= ref + 1e-7 * fmax(1, fabs(ref)));
            if (m) assert_int_equal(info.method, CR_CONVEX_IPM);
        }
        inst_free(&I);
    }
}

static void test_oracle_squared(void **state)
{
    (void)state;
    oracle_cases(CR_LOSS_SQUARED, NCASES, 1e-6, 4, 100);
}

static void test_oracle_hinge(void **state)
{
    (void)state;
    /* 6 of the cases (d = 2, n <= 10); with the 15 squared-loss cases, 21 instances against cvxopt. */
    oracle_cases(CR_LOSS_HINGE, NCASES, 1e-6, 2, 10);
}

static void test_oracle_logistic(void **state)
{
    (void)state;
    oracle_cases(CR_LOSS_LOGISTIC, 6, 1e-6, 4, 100);
}

/* Sampled patterns with n >= 200, where AUTO picks the interior-point method: against cvxopt, the returned
 * point is certified, cone-feasible and reproduces its reported objective (solve_with), and it carries no
 * block of the barrier's size. */
static void test_oracle_ipm_large(void **state)
{
    (void)state;
    static const struct {
        size_t n, d, samples;
        double beta;
    } big[] = {{240, 4, 30, 0.1}, {300, 3, 40, 0.5}};
    for (size_t c = 0; c < sizeof big / sizeof big[0]; c++) {
        inst I = make_inst(big[c].n, big[c].d, CR_LOSS_SQUARED, 0, big[c].samples, 3000 + c);
        cr_convex_info info;
        cr_convex_sol *sol = NULL;
        double ours = solve(&I, CR_LOSS_SQUARED, big[c].beta, 1e-8, &sol, &info);
        assert_int_equal(info.method, CR_CONVEX_IPM);
        /* the barrier's tiny blocks are gone: every nonzero block is within 1e-6 of the largest */
        double umax = 0, umin = INFINITY;
        for (size_t j = 0; j < 2 * sol->p; j++) {
            const double *u = (j < sol->p ? sol->U : sol->Up) + (j % sol->p) * sol->d;
            double nu = crt_nrm(u, sol->d);
            if (nu > 0) umax = fmax(umax, nu), umin = fmin(umin, nu);
        }
        assert_true(umax > 0 && umin >= 1e-6 * umax);
        assert_true(info.nnz < 2 * I.P->p);
        cr_convex_sol_free(sol);
        double ref = oracle(&I, CR_LOSS_SQUARED, big[c].beta);
        double rel = fabs(ours - ref) / fmax(1, fabs(ref));
        if (rel > 1e-6) fprintf(stderr, "large case %zu: ours %.12g cvxopt %.12g rel %.3g\n", c, ours, ref, rel);
        assert_true(rel <= 1e-6);
        inst_free(&I);
    }
}

/* ------------------------------------------------------------------ closed forms */

/* Slide toy: X = 1, y = 1, (z - y)^2 with no 1/2 and beta = 1. Patterns of X = [1]: 1 (u >= 0) and 0 (u < 0).
 * min_{u, u' >= 0} (u - u' - 1)^2 + u + u' has u' = 0, d/du: 2(u - 1) + 1 = 0, u = 1/2, value 1/4 + 1/2 = 3/4.
 * With loss.h's 1/2: the slide objective is 2 [1/2 (z - 1)^2 + 1/2 (u + u')], i.e. beta = 1/2 and half the
 * value: 3/8, u = 1/2. */
static void test_toy_1d(void **state)
{
    (void)state;
    inst I = {1, 1, malloc(sizeof(double)), malloc(sizeof(double)), cr_patterns_alloc(1, 4)};
    I.X[0] = 1;
    I.y[0] = 1;
    double up = 1, dn = -1;
    add_pattern_of(&I, &up);
    add_pattern_of(&I, &dn);
    assert_int_equal(I.P->p, 2);
    cr_convex_sol *sol;
    cr_convex_info info;
    double v = solve(&I, CR_LOSS_SQUARED, 0.5, 1e-12, &sol, &info);
    assert_true(fabs(v - 0.375) <= 1e-12);
    assert_true(fabs(2 * v - 0.75) <= 1e-12);
    size_t i1 = cr_patterns_bit(I.P, 0, 0) ? 0 : 1;
    assert_true(fabs(sol->U[i1] - 0.5) <= 1e-10);
    assert_true(fabs(sol->Up[i1]) <= 1e-12);
    /* the network: one neuron w1 = w2 = sqrt(1/2), L = (1/2 - 1)^2 + 1/2 (1/2 + 1/2) = 3/4 on the slide */
    double W1[2], w2[2];
    size_t m;
    assert_int_equal(cr_convex_to_network(sol, W1, w2, 2, &m, NULL), CR_OK);
    assert_int_equal(m, 1);
    assert_true(fabs(W1[0] - sqrt(0.5)) <= 1e-10 && fabs(w2[0] - sqrt(0.5)) <= 1e-10);
    double L = cr_convex_network_objective(I.X, I.y, 1, 1, CR_LOSS_SQUARED, 0.5, W1, w2, 1, NULL);
    assert_true(fabs(2 * L - 0.75) <= 1e-12);
    cr_convex_sol_free(sol);
    inst_free(&I);
}

/* beta above max_i g_i(-y) (squared loss): zero is optimal, value 1/2 ||y||^2. */
static void test_zero_solution(void **state)
{
    (void)state;
    inst I = make_inst(8, 2, CR_LOSS_SQUARED, 0, 0, 7);
    cr_convex_info info;
    cr_convex_sol *sol;
    double yy = 0;
    for (size_t k = 0; k < 8; k++) yy += I.y[k] * I.y[k];
    double v = solve(&I, CR_LOSS_SQUARED, 1e3, 1e-10, &sol, &info);
    assert_true(fabs(v - 0.5 * yy) <= 1e-12 * yy);
    assert_int_equal(cr_convex_sol_nnz(sol), 0);
    cr_convex_sol_free(sol);
    inst_free(&I);
}

/* ------------------------------------------------------------------ certificate */

static void test_gap_shrinks(void **state)
{
    (void)state;
    inst I = make_inst(20, 2, CR_LOSS_SQUARED, 0, 0, 11);
    double tols[] = {1e-3, 1e-6, 1e-9, 1e-11};
    for (size_t t = 0; t < 4; t++) {
        cr_convex_info info;
        solve(&I, CR_LOSS_SQUARED, 0.1, tols[t], NULL, &info);
        assert_true(info.gap >= -1e-12 * fabs(info.primal));
        assert_true(info.rel_gap <= tols[t]);
    }
    inst_free(&I);
}

/* max_i g_i(v) over every pattern equals max_{||u|| = 1} |v'(X u)_+| (docs/MATH.md): a fine sweep of the circle
 * from below, and the certificate's dual value at random v is never above the optimum. */
static void test_dual_sweep(void **state)
{
    (void)state;
    for (int rep = 0; rep < 4; rep++) {
        inst I = make_inst(9, 2, CR_LOSS_SQUARED, rep % 4, 0, 300 + rep);
        cr_convex_work *w = cr_convex_alloc(I.n, 2, I.P->p);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 5 + rep);
        double v[9], dual, gmax;
        for (size_t k = 0; k < 9; k++) v[k] = gsl_ran_gaussian(r, 1.0);
        assert_int_equal(cr_convex_dual_value(w, I.X, I.y, 9, 2, I.P, CR_LOSS_SQUARED, 0.1, v, &dual, &gmax, NULL),
                         CR_OK);
        double best = 0;
        const size_t S = 200000;
        for (size_t s = 0; s < S; s++) {
            double t = 2 * M_PI * (double)s / S, u[2] = {cos(t), sin(t)}, h = 0;
            for (size_t k = 0; k < 9; k++) {
                double xu = I.X[2 * k] * u[0] + I.X[2 * k + 1] * u[1];
                if (xu > 0) h += v[k] * xu;
            }
            best = fmax(best, fabs(h));
        }
        assert_true(gmax >= best - 1e-12);
        assert_true(gmax <= best * (1 + 1e-6) + 1e-12);
        cr_convex_info info;
        double opt = solve(&I, CR_LOSS_SQUARED, 0.1, 1e-10, NULL, &info);
        assert_true(dual <= opt + 1e-10);
        gsl_rng_free(r);
        cr_convex_free(w);
        inst_free(&I);
    }
}

/* g_i(v) by the Lawson-Hanson NNLS of nnls.h (an independent implementation) on exactly enumerated patterns,
 * d = 3, degenerate data included: the certificate's max_i g_i(v) and dual value agree. */
static void test_certificate_vs_nnls(void **state)
{
    (void)state;
    for (int rep = 0; rep < 5; rep++) {
        const size_t n = 9, d = 3;
        inst I = make_inst(n, d, CR_LOSS_SQUARED, rep, ENUM, 700 + rep);
        size_t p = I.P->p;
        cr_convex_work *w = cr_convex_alloc(n, d, p);
        cr_nnls_work *nw = cr_nnls_alloc(d, n);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 40 + rep);
        double v[9], A[27], b[3], mu[9], res, gref = 0;
        for (size_t k = 0; k < n; k++) v[k] = gsl_ran_gaussian(r, 1.0);
        for (size_t i = 0; i < p; i++) {
            for (int s = -1; s <= 1; s += 2) {
                /* min_{mu >= 0} || s X'D_i v + X'(2 D_i - I) mu ||: A = X'(2 D_i - I) (d x n), b = -s X'D_i v */
                for (size_t a = 0; a < d; a++) {
                    b[a] = 0;
                    for (size_t k = 0; k < n; k++) {
                        int bit = cr_patterns_bit(I.P, i, k);
                        A[a * n + k] = (bit ? 1.0 : -1.0) * I.X[k * d + a];
                        if (bit) b[a] -= s * I.X[k * d + a] * v[k];
                    }
                }
                assert_int_equal(cr_nnls_solve(nw, A, d, n, b, mu, &res, NULL), CR_OK);
                gref = fmax(gref, res);
            }
        }
        double dual, gmax, beta = 0.3;
        assert_int_equal(cr_convex_dual_value(w, I.X, I.y, n, d, I.P, CR_LOSS_SQUARED, beta, v, &dual, &gmax, NULL),
                         CR_OK);
        assert_true(fabs(gmax - gref) <= 1e-9 * fmax(1, gref));
        double c = fmin(1.0, beta / gref), ref = 0;
        for (size_t k = 0; k < n; k++) ref -= 0.5 * c * c * v[k] * v[k] + c * v[k] * I.y[k];
        assert_true(fabs(dual - ref) <= 1e-9 * fmax(1, fabs(ref)));
        gsl_rng_free(r);
        cr_nnls_free(nw);
        cr_convex_free(w);
        inst_free(&I);
    }
}

/* ------------------------------------------------------------------ networks */

static void test_reconstruction(void **state)
{
    (void)state;
    cr_loss_kind losses[] = {CR_LOSS_SQUARED, CR_LOSS_LOGISTIC, CR_LOSS_HINGE};
    for (int l = 0; l < 3; l++) {
        inst I = make_inst(12, 2, losses[l], 0, 0, 40 + l);
        cr_convex_sol *sol;
        cr_convex_info info;
        double pc = solve(&I, losses[l], 0.1, 1e-9, &sol, &info);
        size_t mcap = 2 * I.P->p, m;
        double *W1 = calloc(2 * mcap, sizeof(double)), *w2 = calloc(mcap, sizeof(double));
        assert_int_equal(cr_convex_to_network(sol, W1, w2, mcap, &m, NULL), CR_OK);
        assert_int_equal(m, info.nnz);
        /* pack the columns to a d x m layout */
        double *V1 = calloc(2 * m, sizeof(double));
        for (size_t a = 0; a < 2; a++)
            for (size_t j = 0; j < m; j++) V1[a * m + j] = W1[a * mcap + j];
        double L = cr_convex_network_objective(I.X, I.y, 12, 2, losses[l], 0.1, V1, w2, m, NULL);
        assert_true(fabs(L - pc) <= 1e-9 * fmax(1, fabs(pc)));
        free(W1), free(w2), free(V1);
        cr_convex_sol_free(sol);
        inst_free(&I);
    }
}

/* Random network on random data: f and L_beta invariant under neuron permutation, splitting, rescaling. */
static void test_invariances(void **state)
{
    (void)state;
    const size_t n = 15, d = 3, m = 5;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    double X[45], y[15], W1[15], w2[5], f0[15], f1[15];
    for (size_t t = 0; t < n * d; t++) X[t] = gsl_ran_gaussian(r, 1);
    for (size_t k = 0; k < n; k++) y[k] = gsl_ran_gaussian(r, 1);
    for (size_t t = 0; t < d * m; t++) W1[t] = gsl_ran_gaussian(r, 1);
    for (size_t j = 0; j < m; j++) w2[j] = gsl_ran_gaussian(r, 1);
    double L0 = cr_convex_network_objective(X, y, n, d, CR_LOSS_SQUARED, 0.3, W1, w2, m, f0);
    /* permutation j -> (j + 2) mod m */
    double P1[15], p2[5];
    for (size_t j = 0; j < m; j++) {
        for (size_t a = 0; a < d; a++) P1[a * m + (j + 2) % m] = W1[a * m + j];
        p2[(j + 2) % m] = w2[j];
    }
    double L1 = cr_convex_network_objective(X, y, n, d, CR_LOSS_SQUARED, 0.3, P1, p2, m, f1);
    assert_true(fabs(L1 - L0) <= 1e-12 * fabs(L0));
    for (size_t k = 0; k < n; k++) assert_true(fabs(f1[k] - f0[k]) <= 1e-12 * (1 + fabs(f0[k])));
    /* splitting neuron 0 into a_k = 0.2, 0.3, 0.5: (sqrt(a) w1, sqrt(a) w2) keeps f and the penalty */
    const double a3[3] = {0.2, 0.3, 0.5};
    double S1[3 * 7], s2[7];
    size_t ms = m + 2;
    for (size_t j = 0; j < ms; j++) {
        size_t src = j < 3 ? 0 : j - 2;
        double c = j < 3 ? sqrt(a3[j]) : 1.0;
        for (size_t a = 0; a < d; a++) S1[a * ms + j] = c * W1[a * m + src];
        s2[j] = c * w2[src];
    }
    double L2 = cr_convex_network_objective(X, y, n, d, CR_LOSS_SQUARED, 0.3, S1, s2, ms, f1);
    for (size_t k = 0; k < n; k++) assert_true(fabs(f1[k] - f0[k]) <= 1e-12 * (1 + fabs(f0[k])));
    assert_true(fabs(L2 - L0) <= 1e-12 * fabs(L0));
    /* rescaling w1 by c, w2 by 1/c keeps f (the penalty changes unless balanced) */
    double R1[15], r2[5];
    for (size_t j = 0; j < m; j++) {
        double c = 0.5 + j;
        for (size_t a = 0; a < d; a++) R1[a * m + j] = c * W1[a * m + j];
        r2[j] = w2[j] / c;
    }
    cr_convex_network_objective(X, y, n, d, CR_LOSS_SQUARED, 0.3, R1, r2, m, f1);
    for (size_t k = 0; k < n; k++) assert_true(fabs(f1[k] - f0[k]) <= 1e-12 * (1 + fabs(f0[k])));
    gsl_rng_free(r);
}

/* Map back: a random network gives a feasible convex point with objective <= L_beta, equal when balanced
 * with one neuron per (pattern, sign); missing patterns are added or reported. */
static void test_from_network(void **state)
{
    (void)state;
    const size_t n = 12, d = 2, m = 6;
    inst I = make_inst(n, d, CR_LOSS_SQUARED, 0, 0, 77);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    double W1[12], w2[6];
    for (int rep = 0; rep < 20; rep++) {
        for (size_t t = 0; t < d * m; t++) W1[t] = gsl_ran_gaussian(r, 1);
        for (size_t j = 0; j < m; j++) w2[j] = gsl_ran_gaussian(r, 1);
        double L = cr_convex_network_objective(I.X, I.y, n, d, CR_LOSS_SQUARED, 0.2, W1, w2, m, NULL);
        cr_convex_sol *s = NULL;
        size_t added = 9;
        assert_int_equal(cr_convex_from_network(I.X, n, d, W1, w2, m, I.P, 0, &s, &added, NULL), CR_OK);
        assert_int_equal(added, 0); /* the sweep has every pattern */
        double pc = cr_convex_objective(I.X, I.y, n, d, I.P, CR_LOSS_SQUARED, 0.2, s, NULL);
        assert_true(pc <= L + 1e-12 * L);
        assert_true(cr_convex_cone_violation(I.X, n, d, I.P, s) <= 1e-14);
        /* balanced network reconstructed from s: equality */
        size_t mm;
        double B1[2 * 64], b2[64];
        assert_int_equal(cr_convex_to_network(s, B1, b2, 64, &mm, NULL), CR_OK);
        double C1[2 * 64];
        for (size_t a = 0; a < d; a++)
            for (size_t j = 0; j < mm; j++) C1[a * mm + j] = B1[a * 64 + j];
        double Lb = cr_convex_network_objective(I.X, I.y, n, d, CR_LOSS_SQUARED, 0.2, C1, b2, mm, NULL);
        assert_true(fabs(Lb - pc) <= 1e-12 * pc);
        cr_convex_sol_free(s);
    }
    /* a pattern set without the neurons' patterns: reported, then added */
    cr_patterns *Q = cr_patterns_alloc(n, 4);
    cr_convex_sol *s = NULL;
    size_t added = 0;
    cr_err e;
    assert_int_equal(cr_convex_from_network(I.X, n, d, W1, w2, m, Q, 0, &s, &added, &e), CR_EINPUT);
    assert_null(s);
    assert_int_equal(cr_convex_from_network(I.X, n, d, W1, w2, m, Q, 1, &s, &added, &e), CR_OK);
    assert_true(added >= 1 && added <= m);
    assert_int_equal(Q->p, added);
    assert_true(cr_patterns_is_subset(Q, I.P));
    double L = cr_convex_network_objective(I.X, I.y, n, d, CR_LOSS_SQUARED, 0.2, W1, w2, m, NULL);
    assert_true(cr_convex_objective(I.X, I.y, n, d, Q, CR_LOSS_SQUARED, 0.2, s, NULL) <= L + 1e-12 * L);
    cr_convex_sol_free(s);
    cr_patterns_free(Q);
    gsl_rng_free(r);
    inst_free(&I);
}

/* ------------------------------------------------------------------ support reduction */

static void test_support_reduction(void **state)
{
    (void)state;
    size_t ns[] = {6, 10, 20};
    for (size_t c = 0; c < 3; c++) {
        inst I = make_inst(ns[c], 2, CR_LOSS_SQUARED, 0, 0, 500 + c);
        cr_convex_sol *sol;
        cr_convex_info info;
        double pc = solve(&I, CR_LOSS_SQUARED, 0.05, 1e-10, &sol, &info);
        /* from the solver's optimum: at most n + 1 blocks, same prediction and objective */
        size_t ms;
        double z0[64], z1[64];
        cr_convex_objective(I.X, I.y, I.n, 2, I.P, CR_LOSS_SQUARED, 0.05, sol, z0);
        assert_int_equal(cr_convex_reduce_support(I.X, I.n, 2, I.P, sol, &ms, NULL), CR_OK);
        double after = cr_convex_objective(I.X, I.y, I.n, 2, I.P, CR_LOSS_SQUARED, 0.05, sol, z1);
        assert_true(ms <= I.n + 1);
        assert_true(ms <= info.nnz);
        assert_true(fabs(after - pc) <= 1e-9 * fmax(1, pc));
        for (size_t k = 0; k < I.n; k++) assert_true(fabs(z1[k] - z0[k]) <= 1e-8 * (1 + fabs(z0[k])));
        assert_true(cr_convex_cone_violation(I.X, I.n, 2, I.P, sol) <= 1e-12);
        cr_convex_sol_free(sol);
        inst_free(&I);
    }
    /* a feasible (not optimal) point with every block nonzero: 2p > n + 1 blocks */
    inst I = make_inst(5, 2, CR_LOSS_SQUARED, 0, 0, 321);
    size_t p = I.P->p;
    cr_convex_sol *s = cr_convex_sol_alloc(p, 2);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 8);
    for (size_t i = 0; i < p; i++) {
        /* a direction inside K_i: average of unit vectors whose pattern is D_i, found by sampling */
        for (int tries = 0; tries < 100000; tries++) {
            double u[2] = {gsl_ran_gaussian(r, 1), gsl_ran_gaussian(r, 1)};
            int okk = 1;
            for (size_t k = 0; k < 5 && okk; k++) {
                double h = I.X[2 * k] * u[0] + I.X[2 * k + 1] * u[1];
                okk = (h >= 0) == cr_patterns_bit(I.P, i, k);
            }
            if (okk) {
                s->U[2 * i] = u[0], s->U[2 * i + 1] = u[1];
                s->Up[2 * i] = 0.5 * u[0], s->Up[2 * i + 1] = 0.5 * u[1];
                break;
            }
        }
    }
    size_t nz0 = cr_convex_sol_nnz(s), ms;
    assert_true(nz0 > 6);
    double z0[5], z1[5];
    double before = cr_convex_objective(I.X, I.y, 5, 2, I.P, CR_LOSS_SQUARED, 0.1, s, z0);
    assert_int_equal(cr_convex_reduce_support(I.X, 5, 2, I.P, s, &ms, NULL), CR_OK);
    double after = cr_convex_objective(I.X, I.y, 5, 2, I.P, CR_LOSS_SQUARED, 0.1, s, z1);
    assert_true(ms <= 6);
    assert_true(fabs(after - before) <= 1e-9 * before);
    for (size_t k = 0; k < 5; k++) assert_true(fabs(z1[k] - z0[k]) <= 1e-9 * (1 + fabs(z0[k])));
    assert_true(cr_convex_cone_violation(I.X, 5, 2, I.P, s) <= 1e-12);
    gsl_rng_free(r);
    cr_convex_sol_free(s);
    inst_free(&I);
}

/* ------------------------------------------------------------------ smooth part */

static void test_fd_gradient(void **state)
{
    (void)state;
    cr_loss_kind losses[] = {CR_LOSS_SQUARED, CR_LOSS_LOGISTIC};
    for (int l = 0; l < 2; l++) {
        inst I = make_inst(10, 3, losses[l], 0, 300, 60 + l);
        size_t p = I.P->p, d = 3;
        cr_convex_work *w = cr_convex_alloc(10, d, p);
        cr_convex_sol *s = cr_convex_sol_alloc(p, d);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 17);
        for (size_t t = 0; t < p * d; t++) s->U[t] = gsl_ran_gaussian(r, 0.3), s->Up[t] = gsl_ran_gaussian(r, 0.3);
        double *gU = malloc(p * d * sizeof(double)), *gUp = malloc(p * d * sizeof(double)), f0, fp, fm;
        assert_int_equal(cr_convex_smooth(w, I.X, I.y, 10, d, I.P, losses[l], s, &f0, gU, gUp, NULL), CR_OK);
        /* the BLAS path against the reference objective (beta = 0 part) */
        double ref = cr_convex_objective(I.X, I.y, 10, d, I.P, losses[l], 1e-300, s, NULL);
        assert_true(fabs(ref - f0) <= 1e-12 * fmax(1, f0));
        for (size_t t = 0; t < 2 * p * d; t += 1 + t % 5) {
            double *x = t < p * d ? s->U + t : s->Up + t - p * d, g = t < p * d ? gU[t] : gUp[t - p * d];
            double h = 1e-6, x0 = *x;
            *x = x0 + h;
            cr_convex_smooth(w, I.X, I.y, 10, d, I.P, losses[l], s, &fp, NULL, NULL, NULL);
            *x = x0 - h;
            cr_convex_smooth(w, I.X, I.y, 10, d, I.P, losses[l], s, &fm, NULL, NULL, NULL);
            *x = x0;
            double fd = (fp - fm) / (2 * h);
            assert_true(fabs(fd - g) <= 1e-6 * (1 + fabs(g)));
        }
        free(gU), free(gUp);
        gsl_rng_free(r);
        cr_convex_sol_free(s);
        cr_convex_free(w);
        inst_free(&I);
    }
}

/* ------------------------------------------------------------------ bad arguments */

static void test_bad_arguments(void **state)
{
    (void)state;
    inst I = make_inst(6, 2, CR_LOSS_SQUARED, 0, 0, 5);
    cr_convex_work *w = cr_convex_alloc(6, 2, I.P->p);
    cr_convex_sol *s = cr_convex_sol_alloc(I.P->p, 2);
    cr_convex_info info;
    cr_err e;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, 0.0, NULL, s, &info, &e), CR_EINPUT);
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, -1, NULL, s, &info, &e), CR_EINPUT);
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 5, 2, I.P, CR_LOSS_SQUARED, 0.1, NULL, s, &info, &e), CR_EINPUT);
    cr_convex_sol *s2 = cr_convex_sol_alloc(I.P->p + 1, 2);
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, 0.1, NULL, s2, &info, &e), CR_EINPUT);
    double keep = I.X[3];
    I.X[3] = NAN;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, 0.1, NULL, s, &info, &e), CR_EINPUT);
    I.X[3] = keep;
    I.y[1] = INFINITY;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, 0.1, NULL, s, &info, &e), CR_EINPUT);
    assert_int_not_equal(info.status, CR_CONVEX_CONVERGED);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.tol = 0;
    I.y[1] = 0.5;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_SQUARED, 0.1, &o, s, &info, &e), CR_EINPUT);
    cr_convex_opts_default(&o);
    o.method = (cr_convex_method)7;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_HINGE, 0.1, &o, s, &info, &e), CR_EINPUT);
    o.method = CR_CONVEX_IPM; /* squared loss only */
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_HINGE, 0.1, &o, s, &info, &e), CR_EINPUT);
    assert_int_equal(cr_convex_solve(w, I.X, I.y, 6, 2, I.P, CR_LOSS_LOGISTIC, 0.1, &o, s, &info, &e), CR_EINPUT);
    cr_convex_free(NULL);
    cr_convex_sol_free(NULL);
    cr_convex_sol_free(s2);
    cr_convex_sol_free(s);
    cr_convex_free(w);
    inst_free(&I);
}

/* FISTA on the same problems: both methods agree with each other (independent code paths). */
static void test_methods_agree(void **state)
{
    (void)state;
    for (int c = 0; c < 3; c++) {
        inst I = make_inst(8 + 2 * c, 2, CR_LOSS_SQUARED, c, 0, 900 + c);
        cr_convex_work *w = cr_convex_alloc(I.n, 2, I.P->p);
        cr_convex_sol *s = cr_convex_sol_alloc(I.P->p, 2);
        cr_convex_info a, b;
        cr_convex_opts o;
        cr_convex_opts_default(&o);
        o.tol = 1e-9;
        o.method = CR_CONVEX_SSNAL;
        assert_int_equal(cr_convex_solve(w, I.X, I.y, I.n, 2, I.P, CR_LOSS_SQUARED, 0.1, &o, s, &a, NULL), CR_OK);
        o.method = CR_CONVEX_FISTA;
        assert_int_equal(cr_convex_solve(w, I.X, I.y, I.n, 2, I.P, CR_LOSS_SQUARED, 0.1, &o, s, &b, NULL), CR_OK);
        assert_int_equal(a.status, CR_CONVEX_CONVERGED);
        assert_int_equal(b.status, CR_CONVEX_CONVERGED);
        assert_true(fabs(a.primal - b.primal) <= 2e-9 * fmax(1, fabs(a.primal)));
        cr_convex_sol_free(s);
        cr_convex_free(w);
        inst_free(&I);
    }
}

/* ------------------------------------------------------------------ workspace size */

/* The buffer list of convex.c read by hand, with P = max(p, 1), K = min(max(8 n, 1024), 2 P d, 2000) (the
 * polish), C = max(n, 64) (SSNAL's chunks): doubles 18 n (n-vectors), 4 n P (Dm, T, Wt), 22 P d (Ud, G, R, C,
 * the four iterates, Uk, Pt, act_mu), n d, n^2, n C, d^2, 2 n K (Jm, Js), K^2, 4 K, 2 P d^2 (face bases);
 * size_t 4 P d + 8 P + 2 n; int n + K; plus the struct and the cone projection's scratch. */
static size_t work_bytes_by_hand(size_t n, size_t d, size_t p)
{
    size_t P = p ? p : 1, K = 8 * n > 1024 ? 8 * n : 1024, C = n > 64 ? n : 64;
    if (K > 2 * P * d) K = 2 * P * d;
    if (K > 2000) K = 2000;
    size_t dbl = 18 * n + 4 * n * P + 22 * P * d + n * d + n * n + n * C + d * d + 2 * n * K + K * K + 4 * K +
                 2 * P * d * d;
    size_t idx = 4 * P * d + 8 * P + 2 * n, itg = n + K;
    return sizeof(cr_convex_work) + cr_cone_work_bytes(n, d) + dbl * sizeof(double) + idx * sizeof(size_t) +
           itg * sizeof(int);
}

static void test_work_bytes(void **state)
{
    (void)state;
    int counts = crt_alloc_works();
    if (!counts) fprintf(stderr, "test_work_bytes: allocations cannot be counted here (closed form only)\n");
    /* K in each of its regimes: 2 P d, 1024, 8 n, 2000 */
    static const size_t dims[][3] = {{1, 1, 0}, {5, 2, 3}, {70, 3, 2}, {9, 3, 1000}, {180, 4, 900}, {300, 4, 600}};
    for (size_t c = 0; c < sizeof dims / sizeof dims[0]; c++) {
        size_t n = dims[c][0], d = dims[c][1], p = dims[c][2];
        assert_int_equal(cr_convex_work_bytes(n, d, p), work_bytes_by_hand(n, d, p));
        if (!counts) continue;
        crt_alloc_start();
        cr_convex_work *w = cr_convex_alloc(n, d, p);
        size_t bytes = crt_alloc_stop(NULL);
        assert_non_null(w);
        assert_int_equal(bytes, cr_convex_work_bytes(n, d, p));
        cr_convex_free(w);
    }
    assert_int_equal(cr_convex_work_bytes(0, 3, 5), 0);
    assert_int_equal(cr_convex_work_bytes(4, 0, 5), 0);
    crt_alloc_start();
    assert_null(cr_convex_alloc(0, 3, 5));
    assert_int_equal(crt_alloc_stop(NULL), 0);
}

/* The names are the config's solver.method values. */
static void test_method_names(void **state)
{
    (void)state;
    assert_string_equal(cr_convex_method_name(CR_CONVEX_AUTO), "auto");
    assert_string_equal(cr_convex_method_name(CR_CONVEX_FISTA), "fista");
    assert_string_equal(cr_convex_method_name(CR_CONVEX_SSNAL), "ssnal");
    assert_string_equal(cr_convex_method_name(CR_CONVEX_IPM), "ipm");
    assert_string_equal(cr_convex_method_name((cr_convex_method)7), "?");
    assert_string_equal(cr_convex_method_name((cr_convex_method)-1), "?");
}

/* AUTO as convex.h states it: SSNAL for every loss below n = 200, the interior-point method for the squared
 * loss from n = 200 on (with p d <= 4 n) unless warm-started (test_oracle_ipm_large covers the cold start;
 * tests/test_convex_robust.c the shape rule and the fallbacks). */
static void test_auto_choice(void **state)
{
    (void)state;
    cr_loss_kind losses[] = {CR_LOSS_SQUARED, CR_LOSS_LOGISTIC, CR_LOSS_HINGE};
    for (int l = 0; l < 3; l++) {
        inst I = make_inst(12, 2, losses[l], 0, 0, 60 + l);
        cr_convex_info info;
        solve_with(&I, losses[l], 0.1, 1e-8, CR_CONVEX_AUTO, NULL, &info);
        assert_int_equal(info.method, CR_CONVEX_SSNAL);
        inst_free(&I);
    }
    inst I = make_inst(240, 3, CR_LOSS_SQUARED, 0, 20, 61);
    cr_convex_work *w = cr_convex_alloc(I.n, I.d, I.P->p);
    cr_convex_sol *sol = cr_convex_sol_alloc(I.P->p, I.d);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.warm_start = 1; /* from the zero point in sol */
    cr_convex_info info;
    assert_int_equal(cr_convex_solve(w, I.X, I.y, I.n, I.d, I.P, CR_LOSS_SQUARED, 0.1, &o, sol, &info, NULL), CR_OK);
    assert_int_equal(info.status, CR_CONVEX_CONVERGED);
    assert_int_equal(info.method, CR_CONVEX_SSNAL);
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    inst_free(&I);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_work_bytes),
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_auto_choice),
        cmocka_unit_test(test_toy_1d),
        cmocka_unit_test(test_zero_solution),
        cmocka_unit_test(test_gap_shrinks),
        cmocka_unit_test(test_dual_sweep),
        cmocka_unit_test(test_certificate_vs_nnls),
        cmocka_unit_test(test_reconstruction),
        cmocka_unit_test(test_invariances),
        cmocka_unit_test(test_from_network),
        cmocka_unit_test(test_support_reduction),
        cmocka_unit_test(test_fd_gradient),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_methods_agree),
        cmocka_unit_test(test_oracle_squared),
        cmocka_unit_test(test_oracle_logistic),
        cmocka_unit_test(test_oracle_hinge),
        cmocka_unit_test(test_oracle_ipm_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
