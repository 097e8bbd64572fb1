/* Tests of the convex max-margin program (src/maxmargin.c, mm_*.c): P* against cvxopt's conelp
 * (tests/oracle/maxmargin.py) on orthogonally separable and linearly separable sets, exact and sampled pattern
 * sets, degenerate data; on every instance the certificate (D* = P* to 1e-8), the reconstructed network
 * (margin 1, 1/2 ||theta||^2 = P*), the dual norm of lambda* (<= 1 + 1e-9) and the normalized-margin ceiling;
 * a restriction to gradient descent's patterns never below P* (separable run 15); infeasible inputs;
 * invariances; blocks that are rounding noise come back as 0; arguments. The linear SVM: test_svm.c. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "convex.h"
#include "data.h"
#include "dualnorm.h"
#include "maxmargin.h"
#include "patterns.h"
#include "svm.h"

/* The program's malloc and calloc, counted while `counting` is set: the sizes cr_mm_alloc requests, measured
 * (glibc's allocator underneath; free and realloc stay glibc's). Not under AddressSanitizer, which owns
 * malloc itself. */
#ifndef __SANITIZE_ADDRESS__
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
static int counting;
static size_t counted;

void *malloc(size_t size)
{
    if (counting) counted += size;
    return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
    if (counting) counted += nmemb * size;
    return __libc_calloc(nmemb, size);
}
#endif

static double rel_diff(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* ===================================================================== convex max margin: instances */

typedef struct {
    const char *what;
    size_t n, d;
    double *X, *y;
    cr_patterns *P;     /* the pattern set solved over */
    cr_patterns *Pex;   /* exact patterns (for N(lambda)) */
    int exact;          /* P is the exact set */
} instance;

static void instance_free(instance *I)
{
    free(I->X);
    free(I->y);
    cr_patterns_free(I->P);
    if (I->Pex != I->P) cr_patterns_free(I->Pex);
}

static void add_pattern_of(cr_patterns *P, const double *X, size_t n, size_t d, const double *u)
{
    uint64_t mask[8] = {0};
    for (size_t i = 0; i < n; i++) {
        double t = 0.0;
        for (size_t r = 0; r < d; r++) t += X[i * d + r] * u[r];
        if (t >= 0) mask[i / 64] |= (uint64_t)1 << (i % 64);
    }
    cr_err e;
    assert_int_equal(cr_patterns_add(P, mask, &e), CR_OK);
}

/* exact: 1 exact set, 0 sampled (samples directions, plus the patterns of +-w for a linear separator w
 * when there is one, so the sampled program stays feasible). */
static instance make_instance(const char *what, double *X, double *y, size_t n, size_t d, int exact, size_t samples,
                              gsl_rng *g)
{
    instance I = {what, n, d, X, y, NULL, NULL, exact};
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, n, d, &I.Pex, &e), CR_OK);
    if (exact) {
        I.P = I.Pex;
    } else {
        assert_int_equal(cr_patterns_sample(X, n, d, samples, g, &I.P, &e), CR_OK);
        cr_svm_work *sw = cr_svm_alloc(n, d);
        double w[8], mw[8];
        if (cr_svm_solve(sw, X, y, n, d, 1e-8, w, NULL, NULL, &e) == CR_OK) {
            for (size_t r = 0; r < d; r++) mw[r] = -w[r];
            add_pattern_of(I.P, X, n, d, w);
            add_pattern_of(I.P, X, n, d, mw);
        }
        cr_svm_free(sw);
        cr_patterns_sort(I.P);
        assert_true(cr_patterns_is_subset(I.P, I.Pex));
    }
    return I;
}

static instance orthsep_instance(const char *what, size_t n, size_t d, double cone, double between, int exact,
                                 size_t samples, gsl_rng *g)
{
    cr_data *D = NULL;
    cr_err e;
    if (cr_data_orthsep(n, d, cone, between, g, &D, &e) != CR_OK) fail_msg("%s: %s", what, e.msg);
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    memcpy(X, D->X, n * d * sizeof *X);
    memcpy(y, D->y, n * sizeof *y);
    cr_data_free(D);
    return make_instance(what, X, y, n, d, exact, samples, g);
}

/* Gaussian rows labelled by a random hyperplane through 0, rows within 0.2 of it redrawn: linearly separable,
 * not orthogonally separable. */
static instance linsep_instance(const char *what, size_t n, size_t d, int exact, size_t samples, gsl_rng *g)
{
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), ws[8];
    for (size_t r = 0; r < d; r++) ws[r] = gsl_ran_gaussian(g, 1.0);
    double wn = crt_nrm(ws, d);
    for (size_t i = 0; i < n; i++) {
        double t;
        do {
            t = 0.0;
            for (size_t r = 0; r < d; r++) {
                X[i * d + r] = gsl_ran_gaussian(g, 1.0);
                t += X[i * d + r] * ws[r] / wn;
            }
        } while (fabs(t) < 0.2);
        y[i] = t > 0 ? 1.0 : -1.0;
    }
    return make_instance(what, X, y, n, d, exact, samples, g);
}

/* Directions at evenly spaced angles with alternating labels (XOR-like for n = 4): not linearly separable. */
static instance alternating_instance(const char *what, size_t n, double phase, gsl_rng *g)
{
    double *X = malloc(2 * n * sizeof *X), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        double t = phase + 2.0 * M_PI * (double)i / (double)n, r = 0.7 + 0.6 * gsl_rng_uniform(g);
        X[2 * i] = r * cos(t);
        X[2 * i + 1] = r * sin(t);
        y[i] = i % 2 ? -1.0 : 1.0;
    }
    return make_instance(what, X, y, n, 2, 1, 0, g);
}

static void write_instance(FILE *f, const instance *I)
{
    fprintf(f, "%zu %zu %zu\n", I->n, I->d, I->P->p);
    crt_write_rows(f, I->X, I->n, I->d);
    for (size_t i = 0; i < I->n; i++) fprintf(f, "%g ", I->y[i]);
    fprintf(f, "\n");
    crt_write_patterns(f, I->P);
}

/* Every check that needs no oracle: the certificate, the network, the dual norm, the margin ceiling.
 * Returns P*. */
static double solve_and_check(const instance *I, const cr_mm_opts *o, cr_mm_info *info_out)
{
    size_t n = I->n, d = I->d, p = I->P->p;
    cr_mm_work *w = cr_mm_alloc(n, d, p);
    assert_non_null(w);
    double *U = calloc(p * d, sizeof *U), *Up = calloc(p * d, sizeof *Up), *lam = calloc(n, sizeof *lam);
    cr_mm_info info;
    cr_err e;
    int st = cr_mm_solve(w, I->X, I->y, n, d, I->P, o, U, Up, lam, &info, &e);
    if (st != CR_OK) fail_msg("%s: cr_mm_solve: %s", I->what, e.msg);
    double tol = o ? o->tol : 1e-8;
    if (info.status != CR_MM_CONVERGED || !(info.rel_gap <= tol))
        fail_msg("%s: status %s, rel gap %.3g", I->what, cr_mm_status_name(info.status), info.rel_gap);
    assert_true(info.gap >= 0 && info.gap == fmax(0.0, info.primal - info.dual)); /* never negative */
    assert_true(fabs(info.min_margin - 1.0) <= 1e-13);
    /* Scale: the certificate's NNLS stops when a_k'r >= -10 max(n, d) eps ||x_k|| ||b|| (nnls.c), b the block
     * it projects, and a block that does not cancel to rounding (those that do come back as 0) has ||b|| of
     * the order of the result: so the relative violation is about 10 n eps, 2.7e-14 at n = 12 (3.6e-14 is the
     * largest seen on four OpenBLAS kernels); 1e-13 leaves a factor 4 for the spread of the ||x_k||. */
    if (!(info.cone_violation <= 1e-13)) fail_msg("%s: cone violation %.3g", I->what, info.cone_violation);
    /* D* = y'lambda with lambda feasible: y_i lambda_i >= 0 and max_j g_j(lambda) <= 1 over P. */
    double yl = 0.0;
    for (size_t i = 0; i < n; i++) {
        assert_true(I->y[i] * lam[i] >= 0.0);
        yl += I->y[i] * lam[i];
    }
    assert_true(rel_diff(yl, info.dual) <= 1e-13);
    cr_dualnorm_work *dn = cr_dualnorm_alloc(n, d);
    double N;
    assert_int_equal(cr_dualnorm_over(dn, I->X, n, d, I->P, lam, CR_DUALNORM_ABS, &N, NULL, NULL, NULL, &e), CR_OK);
    if (!(N <= 1.0 + 1e-9)) fail_msg("%s: N(lambda*) over the solved patterns = %.17g", I->what, N);
    if (I->exact && d == 2) {
        /* The sweep, independent of the patterns, agrees. */
        double N2;
        assert_int_equal(cr_dualnorm_sweep2(dn, I->X, n, lam, CR_DUALNORM_ABS, &N2, NULL, &e), CR_OK);
        if (!(N2 <= 1.0 + 1e-9)) fail_msg("%s: N(lambda*) by the sweep = %.17g", I->what, N2);
    }
    cr_dualnorm_free(dn);
    /* The network: margin 1, 1/2 ||theta||^2 = P*, gamma = 1 / (2 P*). */
    size_t m;
    double *W1 = calloc(d * 2 * p, sizeof *W1), *w2 = calloc(2 * p, sizeof *w2);
    const cr_convex_sol pt = {p, d, U, Up};
    assert_int_equal(cr_convex_to_network(&pt, W1, w2, 2 * p, &m, &e), CR_OK);
    assert_int_equal(m, info.nnz);
    /* cr_convex_to_network leaves W1 with row stride 2p: repack to d x m. */
    double *W = calloc(d * (m ? m : 1), sizeof *W);
    for (size_t r = 0; r < d; r++)
        for (size_t j = 0; j < m; j++) W[r * m + j] = W1[r * 2 * p + j];
    double myf, hn;
    cr_mm_network_eval(I->X, I->y, n, d, W, w2, m, &myf, &hn);
    if (fabs(myf - 1.0) > 1e-12) fail_msg("%s: network margin %.17g", I->what, myf);
    if (rel_diff(hn, info.primal) > 1e-12) fail_msg("%s: 1/2||theta||^2 = %.17g, P* = %.17g", I->what, hn, info.primal);
    double gam = cr_mm_gamma(I->X, I->y, n, d, W, w2, m);
    assert_true(rel_diff(gam, cr_mm_gamma_ceiling(info.primal)) <= 1e-12);
    if (info.nnz > n + 1) fail_msg("%s: %zu blocks, above n + 1 = %zu", I->what, info.nnz, n + 1);
    free(W);
    free(W1);
    free(w2);
    free(U);
    free(Up);
    free(lam);
    cr_mm_free(w);
    if (info_out) *info_out = info;
    return info.primal;
}

static void expect_infeasible(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P);

/* ====================================================================== the oracle comparison */

/* One line of tests/oracle/maxmargin.py's output. */
typedef struct {
    double svm, pstar, acc;
    char svm_status[64], pstar_status[64];
} oracle_row;

/* Runs cvxopt (tests/oracle/maxmargin.py --no-svm --tol 1e-8) on the K instances and fills rows[0..K). */
static void run_oracle(const instance *I, size_t K, oracle_row *rows)
{
    char dir[256], path[512], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/instances.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t t = 0; t < K; t++) write_instance(f, &I[t]);
    assert_int_equal(fclose(f), 0);
    /* One BLAS thread: cvxopt's small dense products only lose from threading on a shared machine. */
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s/tests/oracle/maxmargin.py --no-svm --tol 1e-8 %s",
             CRT_PYTHON, CR_SOURCE_DIR, path);
    char *out = NULL;
    int rc = crt_sh(cmd, &out);
    if (rc != 0) {
        fprintf(stderr, "%s\n", out ? out : "");
        fail_msg("oracle failed (%d)", rc);
    }
    char *line = out;
    for (size_t t = 0; t < K; t++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = 0;
        size_t kk;
        double sec;
        oracle_row *r = &rows[t];
        if (sscanf(line, "instance %zu svm %lf svm_status %63s pstar %lf pstar_status %63s seconds %lf accuracy %lf",
                   &kk, &r->svm, r->svm_status, &r->pstar, r->pstar_status, &sec, &r->acc) != 7 ||
            kk != t)
            fail_msg("oracle output: %s", line);
        line = nl + 1;
    }
    free(out);
    crt_rmtree(dir);
}

/* cvxopt's "unknown" (it stopped short of 1e-8 on a degenerate program) is used only when its own accuracy
 * measures are below 1e-6. */
static int oracle_usable(const oracle_row *r)
{
    return strcmp(r->pstar_status, "optimal") == 0 || (strcmp(r->pstar_status, "unknown") == 0 && r->acc <= 1e-6);
}

static void test_oracle(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(2022);
    instance I[32];
    size_t k = 0;
    /* Orthogonally separable, exact patterns. */
    I[k++] = orthsep_instance("orthsep n6 d2 exact", 6, 2, 20, 130, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n8 d2 exact", 8, 2, 30, 155, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n10 d2 exact", 10, 2, 10, 115, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n14 d2 exact", 14, 2, 25, 175, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n20 d2 exact", 20, 2, 40, 175, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n6 d3 exact", 6, 3, 20, 135, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n8 d3 exact", 8, 3, 30, 160, 1, 0, g);
    I[k++] = orthsep_instance("orthsep n10 d3 exact", 10, 3, 15, 125, 1, 0, g);
    /* Orthogonally separable, sampled patterns. */
    I[k++] = orthsep_instance("orthsep n12 d2 sampled", 12, 2, 25, 150, 0, 6, g);
    I[k++] = orthsep_instance("orthsep n10 d3 sampled", 10, 3, 20, 140, 0, 12, g);
    I[k++] = orthsep_instance("orthsep n16 d3 sampled", 16, 3, 35, 170, 0, 20, g);
    I[k++] = orthsep_instance("orthsep n12 d4 sampled", 12, 4, 20, 140, 0, 25, g);
    /* Linearly separable, not orthogonally separable. */
    I[k++] = linsep_instance("linsep n8 d2 exact", 8, 2, 1, 0, g);
    I[k++] = linsep_instance("linsep n12 d2 exact", 12, 2, 1, 0, g);
    I[k++] = linsep_instance("linsep n7 d3 exact", 7, 3, 1, 0, g);
    I[k++] = linsep_instance("linsep n9 d3 exact", 9, 3, 1, 0, g);
    I[k++] = linsep_instance("linsep n12 d3 sampled", 12, 3, 0, 30, g);
    I[k++] = linsep_instance("linsep n10 d4 sampled", 10, 4, 0, 40, g);
    I[k++] = linsep_instance("linsep n16 d2 sampled", 16, 2, 0, 8, g);
    /* Not linearly separable. Alternating labels at n equally spaced directions: on the circle a ReLU network
     * is r(theta) g(theta) with g in the span of the bumps (cos(theta - phi))_+, whose Fourier series has no odd
     * harmonic above the first; the labels are the harmonic n/2 sampled at n points, which aliases only onto
     * harmonics n/2 + k n. So n = 4, 8 (n/2 even) are separable over all patterns, n = 6, 10 are not: there
     * sum_i y_i f_i / r_i = 0 for every network. */
    I[k++] = alternating_instance("alternating n4 d2 exact", 4, 0.0, g);
    I[k++] = alternating_instance("alternating n8 d2 exact", 8, 0.2, g);
    I[k++] = alternating_instance("alternating n6 d2 exact (infeasible)", 6, 0.3, g);
    I[k++] = alternating_instance("alternating n10 d2 exact (infeasible)", 10, 0.1, g);
    size_t K = k;
    assert_true(K >= 20);

    oracle_row *R = calloc(K, sizeof *R);
    assert_non_null(R);
    run_oracle(I, K, R);
    size_t compared = 0, infeasible_compared = 0;
    for (size_t t = 0; t < K; t++) {
        double vp = R[t].pstar;
        const char *sp = R[t].pstar_status;
        const instance *In = &I[t];
        if (strcmp(sp, "primal_infeasible") == 0) {
            expect_infeasible(In->X, In->y, In->n, In->d, In->P);
            infeasible_compared++;
            compared++;
            continue;
        }
        if (!oracle_usable(&R[t])) fail_msg("%s: oracle P* status %s, accuracy %g", In->what, sp, R[t].acc);
        double pstar = solve_and_check(In, NULL, NULL);
        if (rel_diff(pstar, vp) > 1e-6) fail_msg("%s: P* = %.12g, oracle %.12g", In->what, pstar, vp);
        /* A sampled set can only make P* larger. */
        if (!In->exact) {
            instance J = *In;
            J.P = In->Pex;
            J.exact = 1;
            double pex = solve_and_check(&J, NULL, NULL);
            assert_true(pex <= pstar * (1 + 1e-8));
        }
        compared++;
    }
    assert_true(compared >= 20);
    assert_true(infeasible_compared >= 2);
    free(R);
    for (size_t t = 0; t < K; t++) instance_free(&I[t]);
    gsl_rng_free(g);
}

/* ============================================================ a restriction is never below P* */

/* configs/separable.yaml, run 15 (seed 1), exported with %.17g: X, y and the patterns 1(X w1_j >= 0) of gradient
 * descent's final neurons I. P_sub (over I) was reported below P* (over all patterns) by 3.7e-8 with both gaps
 * certified <= 1e-9, which cannot be: I is a subset of the patterns (not reproduced: this build gives
 * P* = 12.7667184009 <= P_sub = 12.7667184019). Here both are solved to 1e-9 and checked against
 * cvxopt and against bounds the solver does not compute: the lower bound y'lambda / N(lambda) of P* with N from
 * the d = 2 sweep over the whole circle (independent of the enumeration), the margins of the reconstructed
 * networks with the true ReLU. Gradient descent reached the global optimum on this set (cvxopt: P_sub = P*
 * to its accuracy), so the two values are equal and their order is decided by the certificates alone. */
static void test_subset_not_below_pstar(void **state)
{
    (void)state;
    static const double X0[] = {
        0.35689270655784311,  0.4201779504233864,   -0.55396708740843403, -0.78044746721571834,
        -1.6056045823889464,  -0.29767367765511921, 0.052742785531899851, 1.6211300370308253,
        0.54328054595577413,  0.097694889602179216, 1.3567703766218422,   0.59431070993784141,
        -1.3315638968669614,  -0.70281455158277895, 0.18817598884051648,  -0.40568078417514652,
        1.8093577254109638,   -1.2285566515887592,  -1.5824306163537158,  -0.014093744317285311};
    static const double y0[] = {1, -1, 1, 1, -1, 1, -1, -1, -1, 1};
    static const char *gd[] = {"1011001001", "1011000001", "1001110000", "0100101110"};
    const size_t n = 10, d = 2;
    instance I[2];
    for (int t = 0; t < 2; t++) {
        double *X = malloc(sizeof X0), *y = malloc(sizeof y0);
        memcpy(X, X0, sizeof X0);
        memcpy(y, y0, sizeof y0);
        I[t] = make_instance(t ? "separable run 15, gradient descent's patterns" : "separable run 15, exact", X, y,
                             n, d, 1, 0, NULL);
    }
    /* General position, and the origin is inside the rows' hull (0.18 x_4 + 0.73 x_8 + 0.09 x_10 = 0), so
     * (docs/MATH.md) p = C(10, 2) + 1 = 2 (1 + 9) + 1 = 21. */
    assert_int_equal(I[0].P->p, 21);
    I[1].P = cr_patterns_alloc(n, 4);
    assert_non_null(I[1].P);
    I[1].exact = 0;
    cr_err e;
    for (size_t j = 0; j < 4; j++) {
        uint64_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (gd[j][k] == '1') m |= (uint64_t)1 << k;
        assert_int_equal(cr_patterns_add(I[1].P, &m, &e), CR_OK);
    }
    assert_true(cr_patterns_is_subset(I[1].P, I[0].Pex));

    cr_mm_opts o;
    cr_mm_opts_default(&o);
    o.tol = 1e-9;
    cr_mm_info ie, is;
    /* Each: converged to 1e-9, margins 1 and objective = P* for the network with the true ReLU, lambda feasible
     * over the solved patterns and, for the exact set, over the whole circle by the sweep. */
    double pe = solve_and_check(&I[0], &o, &ie), ps = solve_and_check(&I[1], &o, &is);
    /* The sweep bounds N(lambda*) by 1 + 1e-9, so P* >= ie.dual / (1 + 1e-9); P_sub's point is feasible for P*. */
    if (!(ps >= ie.dual / (1.0 + 1e-9)))
        fail_msg("P_sub = %.17g below the lower bound %.17g of P* (P* <= %.17g)", ps, ie.dual, pe);
    if (!(ps >= pe * (1.0 - 2e-9))) fail_msg("P_sub = %.17g below P* = %.17g", ps, pe);
    /* Gradient descent's patterns carry the optimum: P_sub = P* (reached, as the driver decides it). */
    assert_true(rel_diff(ps, pe) <= 1e-6);

    oracle_row R[2];
    run_oracle(I, 2, R);
    for (int t = 0; t < 2; t++) {
        if (!oracle_usable(&R[t])) fail_msg("%s: oracle status %s, accuracy %g", I[t].what, R[t].pstar_status, R[t].acc);
        double v = t ? ps : pe;
        if (rel_diff(v, R[t].pstar) > 1e-6) fail_msg("%s: %.12g, oracle %.12g", I[t].what, v, R[t].pstar);
    }
    /* cvxopt alone: the restriction is not below P* (to its accuracy, about 1e-8 here). */
    if (!(R[1].pstar >= R[0].pstar * (1.0 - 1e-6)))
        fail_msg("oracle: P_sub = %.12g below P* = %.12g", R[1].pstar, R[0].pstar);
    instance_free(&I[0]);
    instance_free(&I[1]);
}

/* ======================================================================= degenerate data */

/* Antiparallel rows make patterns whose cones have no interior (both bits 1 on the face x'u = 0), and
 * duplicated rows repeat cone rows: the solver restricts such blocks to their span. The value must not
 * change when the duplicate is removed. */
static void test_degenerate_rows(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(17);
    double *X = malloc(7 * 2 * sizeof *X), *y = malloc(7 * sizeof *y);
    const double X0[] = {1.0, 0.2, -2.0, -0.4, 0.3, 1.0, 0.3, 1.0, -1.0, 0.5, 0.6, -1.0, -0.2, -0.9};
    const double y0[] = {1, 1, -1, -1, 1, -1, 1};
    memcpy(X, X0, sizeof X0);
    memcpy(y, y0, sizeof y0);
    /* rows 0 and 1 antiparallel with the same label; rows 2 and 3 equal with the same label. */
    instance I = make_instance("degenerate", X, y, 7, 2, 1, 0, g);
    cr_mm_info info;
    double p1 = solve_and_check(&I, NULL, &info);
    assert_true(info.dropped + info.reduced > 0);
    double *X2 = malloc(6 * 2 * sizeof *X2), *y2 = malloc(6 * sizeof *y2);
    size_t c = 0;
    for (size_t i = 0; i < 7; i++) {
        if (i == 3) continue;
        X2[2 * c] = X0[2 * i];
        X2[2 * c + 1] = X0[2 * i + 1];
        y2[c++] = y0[i];
    }
    instance J = make_instance("degenerate without the duplicate", X2, y2, 6, 2, 1, 0, g);
    double p2 = solve_and_check(&J, NULL, NULL);
    assert_true(rel_diff(p1, p2) <= 1e-8);
    instance_free(&I);
    instance_free(&J);
    gsl_rng_free(g);
}

/* ============================================================================ infeasible */

static void expect_infeasible(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P)
{
    cr_mm_work *w = cr_mm_alloc(n, d, P->p);
    double *U = calloc(P->p * d, sizeof *U), *Up = calloc(P->p * d, sizeof *Up), lam[16];
    cr_mm_info info;
    cr_err e;
    int st = cr_mm_solve(w, X, y, n, d, P, NULL, U, Up, lam, &info, &e);
    if (st != CR_EINPUT || info.status != CR_MM_INFEASIBLE)
        fail_msg("expected infeasible, got %d (%s): %s", st, cr_mm_status_name(info.status), e.msg);
    assert_non_null(strstr(e.msg, "not separable"));
    free(U);
    free(Up);
    cr_mm_free(w);
}

static void test_infeasible(void **state)
{
    (void)state;
    cr_err e;
    cr_patterns *P = NULL;
    /* The slides' example with y = (1, -1, 1): x_2 = (2/3) x_1, so f(x_2) = (2/3) f(x_1) (f is positively
     * homogeneous) and y_1 f_1, y_2 f_2 cannot both be positive. Detected by the dual ray. */
    cr_data *D = cr_data_slide();
    assert_int_equal(cr_patterns_enumerate(D->X, 3, 2, &P, &e), CR_OK);
    expect_infeasible(D->X, D->y, 3, 2, P);
    cr_patterns_free(P);
    /* A zero sample: f(0) = 0. */
    const double X1[] = {1, 0, 0, 0, 0, 1}, y1[] = {1, -1, 1};
    assert_int_equal(cr_patterns_enumerate(X1, 3, 2, &P, &e), CR_OK);
    expect_infeasible(X1, y1, 3, 2, P);
    cr_patterns_free(P);
    /* Separable over all patterns, but not over the single pattern "000" (D X u = 0) plus "111" whose cone is
     * {0} for these rows (the origin is inside their convex hull). */
    const double X2[] = {1, 0, -1, 0.1, 0, 1, 0.2, -1}, y2[] = {1, -1, 1, -1};
    P = cr_patterns_alloc(4, 2);
    uint64_t m0 = 0, m1 = 15;
    assert_int_equal(cr_patterns_add(P, &m0, &e), CR_OK);
    assert_int_equal(cr_patterns_add(P, &m1, &e), CR_OK);
    expect_infeasible(X2, y2, 4, 2, P);
    cr_patterns_free(P);
    /* Only the pattern "1010" (sample 1 first; realized by u = (1, 1)): every network over it has f = 0 on
     * samples 2 and 4, the -1 samples, so their margins are 0. */
    P = cr_patterns_alloc(4, 1);
    uint64_t m2 = 1 | 4;
    assert_int_equal(cr_patterns_add(P, &m2, &e), CR_OK);
    expect_infeasible(X2, y2, 4, 2, P);
    cr_patterns_free(P);
    cr_data_free(D);
}

/* ============================================================================ invariances */

static void test_invariances(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(99);
    instance I = orthsep_instance("base", 12, 3, 25, 150, 1, 0, g);
    cr_mm_opts o;
    cr_mm_opts_default(&o);
    o.tol = 1e-10;
    double p0 = solve_and_check(&I, &o, NULL);
    /* X -> 2.5 X: u -> u / 2.5, P* -> P* / 2.5. */
    instance J = I;
    J.X = malloc(I.n * I.d * sizeof *J.X);
    for (size_t i = 0; i < I.n * I.d; i++) J.X[i] = 2.5 * I.X[i];
    double p1 = solve_and_check(&J, &o, NULL);
    assert_true(rel_diff(p1, p0 / 2.5) <= 1e-9);
    free(J.X);
    /* Labels flipped: u and u' swap. */
    J = I;
    J.y = malloc(I.n * sizeof *J.y);
    for (size_t i = 0; i < I.n; i++) J.y[i] = -I.y[i];
    double p2 = solve_and_check(&J, &o, NULL);
    assert_true(rel_diff(p2, p0) <= 1e-9);
    free(J.y);
    /* Reversed pattern order. */
    J = I;
    J.P = cr_patterns_alloc(I.n, I.P->p);
    cr_err e;
    for (size_t j = I.P->p; j-- > 0;) assert_int_equal(cr_patterns_add(J.P, cr_patterns_mask(I.P, j), &e), CR_OK);
    double p3 = solve_and_check(&J, &o, NULL);
    assert_true(rel_diff(p3, p0) <= 1e-9);
    cr_patterns_free(J.P);
    /* Without the polish: same value, possibly more blocks. */
    o.polish = 0;
    double p4 = solve_and_check(&I, &o, NULL);
    assert_true(rel_diff(p4, p0) <= 1e-9);
    instance_free(&I);
    gsl_rng_free(g);
}

/* ============================================================================ certificate */

/* By hand (also in test_mm_kkt.c): x1 = (1, 1/2), x2 = (1, -1/2) (y = +1), x3 = (-1, 0) (y = -1). u = (1, 0) in the
 * cone of pattern 110 and u' = (-1, 0) in that of 001 give margins (1, 1, 1) and objective 2; lambda =
 * (1/2, 1/2, -1) has max_j g_j = 1 and y'lambda = 2. So P* = 2, and the certificate of any positive multiple
 * of these points is exactly (2, 2). */
static void test_certify_by_hand(void **state)
{
    (void)state;
    const double X[] = {1, 0.5, 1, -0.5, -1, 0}, y[] = {1, 1, -1};
    cr_patterns *P = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &e), CR_OK);
    size_t p = P->p, d = 2;
    uint64_t m110 = 1 | 2, m001 = 4;
    size_t i110 = cr_patterns_find(P, &m110), i001 = cr_patterns_find(P, &m001);
    assert_true(i110 != (size_t)-1 && i001 != (size_t)-1);
    cr_mm_work *w = cr_mm_alloc(3, 2, p);
    double *U = calloc(p * d, sizeof *U), *Up = calloc(p * d, sizeof *Up);
    U[i110 * d] = 2.5;     /* 2.5 (1, 0): margins 2.5, rescaled by 1 / 2.5 */
    Up[i001 * d] = -2.5;
    double lam[3] = {1.5, 1.5, -3.0}, ub, lb;
    assert_int_equal(cr_mm_certify(w, X, y, 3, 2, P, U, Up, lam, &ub, &lb, &e), CR_OK);
    assert_true(fabs(ub - 2.0) <= 1e-15 && fabs(lb - 2.0) <= 1e-15);
    assert_true(fabs(U[i110 * d] - 1.0) <= 1e-15 && fabs(lam[0] - 0.5) <= 1e-15 && fabs(lam[2] + 1.0) <= 1e-15);
    /* A wrong-sign multiplier is clipped to 0 (Y lambda >= 0): lambda = (1/2, -1, -1) -> (1/2, 0, -1); the lower
     * bound is y'lambda / N(lambda) with N (over the exact patterns) computed independently by the sweep. */
    double lam2[3] = {0.5, -1.0, -1.0}, lam2c[3] = {0.5, 0.0, -1.0};
    cr_dualnorm_work *dn = cr_dualnorm_alloc(3, 2);
    double G;
    assert_int_equal(cr_dualnorm_sweep2(dn, X, 3, lam2c, CR_DUALNORM_ABS, &G, NULL, &e), CR_OK);
    assert_int_equal(cr_mm_certify(w, X, y, 3, 2, P, NULL, NULL, lam2, &ub, &lb, &e), CR_OK);
    assert_true(isinf(ub));
    assert_true(fabs(lb - 1.5 / G) <= 1e-14 && lam2[1] == 0.0);
    /* A point that does not separate: upper bound +inf. */
    memset(U, 0, p * d * sizeof *U);
    memset(Up, 0, p * d * sizeof *Up);
    U[i110 * d] = 1.0;
    assert_int_equal(cr_mm_certify(w, X, y, 3, 2, P, U, Up, NULL, &ub, &lb, &e), CR_OK);
    assert_true(isinf(ub) && lb == 0.0);
    cr_dualnorm_free(dn);
    free(U);
    free(Up);
    cr_mm_free(w);
    cr_patterns_free(P);
}

/* Rounding noise is not a block. A block u0 in the polar cone of its pattern, u0 = -sum_k c_k s_k x_k with
 * c >= 0 (s_k = +1 on the pattern's rows, -1 off them), has P_K(u0) = 0 exactly (Moreau), so whatever the
 * certificate's projection leaves of it is the rounding of a sum that cancels: it must come back as exactly 0,
 * never as a tiny vector pointing anywhere. A block g strictly inside its cone (the pattern is sign(X g)) is
 * its own projection and must stay parallel to g. Pure C loops (no BLAS): the same on every CPU. */
static void test_certify_drops_rounding_blocks(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(314);
    const size_t n = 12, d = 3;
    double X[12 * 3], y[12];
    for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
    for (size_t i = 0; i < n; i++) y[i] = i % 2 ? -1.0 : 1.0;
    cr_patterns *P = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, n, d, &P, &e), CR_OK);
    size_t p = P->p;
    cr_mm_work *w = cr_mm_alloc(n, d, p);
    double *U = calloc(p * d, sizeof *U), *Up = calloc(p * d, sizeof *Up);
    assert_true(w && U && Up);
    size_t polar = 0, inner = 0;
    for (int round = 0; round < 20; round++) {
        memset(U, 0, p * d * sizeof *U);
        memset(Up, 0, p * d * sizeof *Up);
        /* One interior direction g in U of its pattern; polar vectors (scaled from 1e-12 to 1) elsewhere. */
        double gv[3];
        uint64_t mask = 0;
        for (size_t r = 0; r < d; r++) gv[r] = gsl_ran_gaussian(g, 1.0);
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            for (size_t r = 0; r < d; r++) h += X[k * d + r] * gv[r];
            if (h > 0) mask |= (uint64_t)1 << k;
        }
        size_t jg = cr_patterns_find(P, &mask);
        assert_true(jg != (size_t)-1);
        memcpy(U + jg * d, gv, d * sizeof gv[0]);
        for (size_t j = 0; j < p; j++) {
            const uint64_t *mj = cr_patterns_mask(P, j);
            double sc = pow(10.0, -12.0 * gsl_rng_uniform(g));
            double *u = Up + j * d;
            for (size_t k = 0; k < n; k++) {
                double c = sc * gsl_rng_uniform(g), s = (mj[0] >> k) & 1 ? 1.0 : -1.0;
                for (size_t r = 0; r < d; r++) u[r] -= c * s * X[k * d + r];
            }
        }
        double ub, lb;
        assert_int_equal(cr_mm_certify(w, X, y, n, d, P, U, Up, NULL, &ub, &lb, &e), CR_OK);
        for (size_t j = 0; j < p; j++) {
            for (size_t r = 0; r < d; r++)
                if (Up[j * d + r] != 0.0)
                    fail_msg("round %d: pattern %zu: a polar block came back nonzero (%.3g, %.3g, %.3g)", round, j,
                             Up[j * d], Up[j * d + 1], Up[j * d + 2]);
            polar++;
        }
        /* g survives, rescaled by its margin: U_jg = t g with t > 0 (cross products vanish to rounding). */
        const double *u = U + jg * d;
        double un = 0, gn = 0, cross = 0, dt = 0;
        for (size_t r = 0; r < d; r++) {
            un += u[r] * u[r];
            gn += gv[r] * gv[r];
            dt += u[r] * gv[r];
        }
        for (size_t r = 0; r < d; r++)
            for (size_t q = r + 1; q < d; q++) cross = fmax(cross, fabs(u[r] * gv[q] - u[q] * gv[r]));
        if (!(dt > 0) || cross > 1e-14 * sqrt(un * gn))
            fail_msg("round %d: the interior block was changed: u = (%.17g, %.17g, %.17g)", round, u[0], u[1], u[2]);
        inner++;
    }
    assert_true(polar == 20 * p && inner == 20);
    free(U);
    free(Up);
    cr_mm_free(w);
    cr_patterns_free(P);
    gsl_rng_free(g);
}

/* ============================================================================ memory */

/* cr_mm_work_bytes is exactly what cr_mm_alloc requests (measured by counting malloc and calloc), for a dense part
 * of 2 pmax blocks (pmax <= n) and of 2 (n + 1) blocks (pmax > n). The dense Newton part alone, H_A of
 * (2 (n + 1) (d + 1))^2 doubles, is in it: the term the old estimate missed. */
static void test_work_bytes(void **state)
{
    (void)state;
#ifdef __SANITIZE_ADDRESS__
    skip();
#else
    static const size_t dims[][3] = {{3, 2, 1}, {10, 2, 4}, {10, 2, 21}, {12, 3, 93}, {40, 5, 300}, {7, 63, 2}};
    for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        size_t n = dims[t][0], d = dims[t][1], p = dims[t][2];
        counted = 0;
        counting = 1;
        cr_mm_work *w = cr_mm_alloc(n, d, p);
        counting = 0;
        assert_non_null(w);
        size_t want = cr_mm_work_bytes(n, d, p);
        if (counted != want) fail_msg("n %zu d %zu pmax %zu: allocated %zu bytes, cr_mm_work_bytes %zu", n, d, p, counted, want);
        double dense = 8.0 * 4.0 * (double)((n + 1) * (n + 1) * (d + 1) * (d + 1));
        if (p > n) assert_true((double)want > dense);
        cr_mm_free(w);
    }
    assert_int_equal(cr_mm_work_bytes(0, 2, 3), 0);
    assert_int_equal(cr_mm_work_bytes((size_t)1 << 40, 64, (size_t)1 << 40), SIZE_MAX);
    assert_null(cr_mm_alloc((size_t)1 << 40, 64, (size_t)1 << 40));
#endif
}

/* ============================================================================ arguments */

static void test_arguments(void **state)
{
    (void)state;
    assert_null(cr_mm_alloc(0, 2, 3));
    assert_null(cr_mm_alloc(3, 2, 0));
    cr_mm_free(NULL);
    const double X[] = {1, 0, 0, 1, -1, -1}, y[] = {1, -1, 1}, ybad[] = {1, 2, 1};
    cr_patterns *P = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &e), CR_OK);
    cr_mm_work *w = cr_mm_alloc(3, 2, P->p);
    double U[64], Up[64];
    cr_mm_opts o;
    cr_mm_opts_default(&o);
    assert_true(o.tol == 1e-8 && o.polish == 1 && o.max_iter > 0);
    assert_int_equal(cr_mm_solve(w, X, ybad, 3, 2, P, NULL, U, Up, NULL, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_mm_solve(w, X, y, 3, 3, P, NULL, U, Up, NULL, NULL, &e), CR_EINPUT);
    o.tol = 0;
    assert_int_equal(cr_mm_solve(w, X, y, 3, 2, P, &o, U, Up, NULL, NULL, &e), CR_EINPUT);
    cr_mm_free(w);
    w = cr_mm_alloc(3, 2, 1);
    assert_int_equal(cr_mm_solve(w, X, y, 3, 2, P, NULL, U, Up, NULL, NULL, &e), CR_EINPUT);
    cr_mm_free(w);
    cr_patterns *Q = cr_patterns_alloc(3, 1);
    w = cr_mm_alloc(3, 2, 4);
    assert_int_equal(cr_mm_solve(w, X, y, 3, 2, Q, NULL, U, Up, NULL, NULL, &e), CR_EINPUT);
    cr_mm_free(w);
    cr_patterns_free(Q);
    assert_true(isnan(cr_mm_gamma_ceiling(0.0)) && cr_mm_gamma_ceiling(2.0) == 0.25);
    cr_patterns_free(P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_subset_not_below_pstar),
        cmocka_unit_test(test_degenerate_rows),
        cmocka_unit_test(test_infeasible),
        cmocka_unit_test(test_invariances),
        cmocka_unit_test(test_certify_by_hand),
        cmocka_unit_test(test_certify_drops_rounding_blocks),
        cmocka_unit_test(test_work_bytes),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
