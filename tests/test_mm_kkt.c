/* Tests of src/mm_kkt.c: the KKT fit on a planted exact KKT point (the optimal network of an orthogonally separable
 * set with the certified dual lambda* of src/maxmargin.c: c recovered, residual ~ 0, y'lambda = 1/2 ||theta||^2
 * = P*, N(lambda) = 1) and on a KKT point derived by hand (residual 0, P* = 2), the subsampled pattern set
 * (P_sub = P*), covering neurons and alignment cosines on hand-built networks, the stable logistic terms at margins +-1e3, and gradient descent on the
 * logistic loss (normalized margin below its ceiling 1 / (2 P*), covering neurons, a KKT fit close to a KKT
 * point). */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_rng.h>

#include "convex.h"
#include "data.h"
#include "dualnorm.h"
#include "mm_kkt.h"
#include "loss.h"
#include "maxmargin.h"
#include "net.h"
#include "patterns.h"
#include "train.h"

static double rel_diff(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* ------------------------------------------------------------------------ logistic terms */

static void test_logistic_extreme_margins(void **state)
{
    (void)state;
    /* log(1 + exp(-q)): q = 1e3 gives exp(-1000) (below the smallest double: 0), q = -1e3 gives 1000 exactly
     * up to log1p(exp(-1000)) = 0. sigma(-q) = 1 / (1 + exp(q)): 0 and 1. */
    double a = cr_log1pexp_neg(1e3), b = cr_log1pexp_neg(-1e3);
    assert_true(isfinite(a) && a >= 0.0 && a <= 1e-300);
    assert_true(isfinite(b) && fabs(b - 1000.0) <= 1e-12);
    double s1 = cr_sigmoid_neg(1e3), s2 = cr_sigmoid_neg(-1e3);
    assert_true(isfinite(s1) && s1 >= 0.0 && s1 <= 1e-300);
    assert_true(isfinite(s2) && fabs(s2 - 1.0) <= 1e-15);
    /* Through the loss: z = (1e3, -1e3) with y = (1, 1): margins 1e3 and -1e3. */
    double z[2] = {1e3, -1e3}, y[2] = {1, 1}, g[2];
    double v = cr_loss_value(CR_LOSS_LOGISTIC, z, y, 2);
    assert_true(isfinite(v) && fabs(v - 1000.0) <= 1e-12);
    cr_loss_grad(CR_LOSS_LOGISTIC, z, y, 2, g);
    /* grad_i = -y_i sigma(-y_i z_i): 0 and -1. */
    assert_true(isfinite(g[0]) && fabs(g[0]) <= 1e-300);
    assert_true(isfinite(g[1]) && fabs(g[1] + 1.0) <= 1e-15);
    /* Moderate margin against the direct formula. */
    assert_true(rel_diff(cr_log1pexp_neg(2.0), log(1.0 + exp(-2.0))) <= 1e-15);
    assert_true(rel_diff(cr_sigmoid_neg(-3.0), 1.0 / (1.0 + exp(-3.0))) <= 1e-15);
}

/* ------------------------------------------------------------- a planted exact KKT point */

typedef struct {
    cr_data *D;
    cr_patterns *P;
    double pstar;
    double *lam;   /* n: certified dual, max_j g_j = 1 */
    double *W1;    /* d x m */
    double *w2;    /* m */
    size_t m;
} optimum;

static optimum solve_optimum(size_t n, size_t d, unsigned long seed)
{
    optimum o;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    cr_err e;
    assert_int_equal(cr_data_orthsep(n, d, 20, 150, g, &o.D, &e), CR_OK);
    gsl_rng_free(g);
    assert_int_equal(cr_patterns_enumerate(o.D->X, n, d, &o.P, &e), CR_OK);
    size_t p = o.P->p;
    cr_mm_work *w = cr_mm_alloc(n, d, p);
    double *U = calloc(p * d, sizeof *U), *Up = calloc(p * d, sizeof *Up);
    o.lam = calloc(n, sizeof *o.lam);
    cr_mm_opts opt;
    cr_mm_opts_default(&opt);
    opt.tol = 1e-10;
    cr_mm_info info;
    assert_int_equal(cr_mm_solve(w, o.D->X, o.D->y, n, d, o.P, &opt, U, Up, o.lam, &info, &e), CR_OK);
    assert_int_equal(info.status, CR_MM_CONVERGED);
    o.pstar = info.primal;
    o.m = info.nnz;
    double *Wt = calloc(d * 2 * p, sizeof *Wt), *w2t = calloc(2 * p, sizeof *w2t);
    size_t m;
    const cr_convex_sol pt = {p, d, U, Up};
    assert_int_equal(cr_convex_to_network(&pt, Wt, w2t, 2 * p, &m, &e), CR_OK);
    o.W1 = calloc(d * m, sizeof *o.W1);
    o.w2 = calloc(m, sizeof *o.w2);
    for (size_t r = 0; r < d; r++)
        for (size_t j = 0; j < m; j++) o.W1[r * m + j] = Wt[r * 2 * p + j];
    memcpy(o.w2, w2t, m * sizeof *o.w2);
    free(Wt);
    free(w2t);
    free(U);
    free(Up);
    cr_mm_free(w);
    return o;
}

static void optimum_free(optimum *o)
{
    cr_data_free(o->D);
    cr_patterns_free(o->P);
    free(o->lam);
    free(o->W1);
    free(o->w2);
}

static void test_planted_kkt_point(void **state)
{
    (void)state;
    const struct { size_t n, d; unsigned long seed; } cases[] = {{8, 2, 1}, {12, 2, 2}, {10, 3, 3}, {16, 3, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = cases[c].n, d = cases[c].d;
        optimum o = solve_optimum(n, d, cases[c].seed);
        cr_mm_kkt_work *w = cr_mm_kkt_alloc(n, d, o.m);
        assert_non_null(w);
        double dir[32], lam[32];
        for (size_t i = 0; i < n; i++) dir[i] = 3.7 * o.lam[i];
        cr_mm_kkt_info info;
        cr_err e;
        /* (a) lambda* as the solver certified it (gap 1e-10): a KKT point up to the dual's accuracy. */
        assert_int_equal(cr_mm_kkt_fit_dir(w, o.D->X, o.D->y, n, d, o.W1, o.w2, o.m, dir, o.P, lam, &info, &e), CR_OK);
        assert_true(fabs(info.min_yf - 1.0) <= 1e-12 && fabs(info.scale - 1.0) <= 1e-12);
        if (rel_diff(info.c, 1.0 / 3.7) > 1e-5) fail_msg("case %zu: c = %.12g, expected %.12g", c, info.c, 1 / 3.7);
        if (!(info.resid <= 1e-5)) fail_msg("case %zu: KKT residual %.3g", c, info.resid);
        assert_true(rel_diff(info.half_norm2, o.pstar) <= 1e-12);
        assert_true(rel_diff(info.ytlambda, o.pstar) <= 1e-8);
        assert_true(info.dualnorm <= 1.0 + 1e-9 && info.dualnorm >= 1.0 - 1e-7);
        /* Invariance: theta -> 3 theta multiplies f by 9; the fit rescales it back (scale = 1/3). */
        double *W3 = malloc(d * o.m * sizeof *W3), *w3 = malloc(o.m * sizeof *w3);
        for (size_t k = 0; k < d * o.m; k++) W3[k] = 3.0 * o.W1[k];
        for (size_t j = 0; j < o.m; j++) w3[j] = 3.0 * o.w2[j];
        cr_mm_kkt_info i3;
        assert_int_equal(cr_mm_kkt_fit_dir(w, o.D->X, o.D->y, n, d, W3, w3, o.m, dir, NULL, NULL, &i3, &e), CR_OK);
        assert_true(fabs(i3.min_yf - 9.0) <= 1e-11 && fabs(i3.scale - 1.0 / 3.0) <= 1e-13);
        assert_true(rel_diff(i3.c, info.c) <= 1e-12 && fabs(i3.resid - info.resid) <= 1e-12);
        assert_true(isnan(i3.dualnorm));
        free(W3);
        free(w3);
        /* Covering neurons: the optimum of an orthogonally separable set has one neuron per class that is
         * positive on its whole class (the Proposition's hypothesis, and it holds here). */
        size_t ip, im;
        cr_mm_kkt_covering(o.D->X, o.D->y, n, d, o.W1, o.w2, o.m, &ip, &im);
        assert_true(ip != (size_t)-1 && im != (size_t)-1);
        assert_true(o.w2[ip] > 0 && o.w2[im] < 0);
        /* And its neurons are aligned: w1_j is parallel to s X'D(w1_j) lambda*, and on this data lambda* is
         * positive on the class of the neuron only, so cos angle(w1_j, s X'D(w1_j) y) need not be 1: only
         * check the value range and the sign. */
        double cosj[64];
        cr_mm_kkt_alignment(o.D->X, o.D->y, n, d, o.W1, o.w2, o.m, cosj);
        for (size_t j = 0; j < o.m; j++) assert_true(cosj[j] > 0.0 && cosj[j] <= 1.0 + 1e-15);
        /* P_sub over the network's own patterns equals P*. */
        cr_patterns *I = NULL;
        assert_int_equal(cr_mm_kkt_patterns(o.D->X, n, d, o.W1, o.w2, o.m, &I, &e), CR_OK);
        assert_true(I->p >= 1 && I->p <= o.m);
        assert_true(cr_patterns_is_subset(I, o.P));
        cr_mm_work *mw = cr_mm_alloc(n, d, I->p);
        double *U = calloc(I->p * d, sizeof *U), *Up = calloc(I->p * d, sizeof *Up);
        cr_mm_info mi;
        assert_int_equal(cr_mm_solve(mw, o.D->X, o.D->y, n, d, I, NULL, U, Up, NULL, &mi, &e), CR_OK);
        assert_true(rel_diff(mi.primal, o.pstar) <= 1e-8);
        free(U);
        free(Up);
        cr_mm_free(mw);
        cr_patterns_free(I);
        cr_mm_kkt_free(w);
        optimum_free(&o);
    }
}

/* An exact KKT point by hand: x1 = (1, 1/2), x2 = (1, -1/2) (y = +1), x3 = (-1, 0) (y = -1), orthogonally
 * separable. Neurons w1 = (1, 0), w2 = 1 and w1 = (-1, 0), w2 = -1 give f = (1, 1, -1): margin 1, and
 * 1/2 ||theta||^2 = 2. KKT: w1 = w2 X'D(w1) lambda gives (1, 0) = lambda_1 x1 + lambda_2 x2, so
 * lambda_1 = lambda_2 = 1/2, and (-1, 0) = -lambda_3 x3, so lambda_3 = -1; then w2 = lambda'(X w1)_+ holds
 * (1/2 + 1/2 = 1 and -1), y'lambda = 2 = 1/2 ||theta||^2, N(lambda) = 1 (max over u of |(u_1)_+ ... |), so the
 * point is a global max-margin network: P* = 2. The same after a rotation of the data and the neurons. */
static void test_exact_kkt_by_hand(void **state)
{
    (void)state;
    for (int rot = 0; rot < 2; rot++) {
        double th = rot ? 0.7 : 0.0, cs = cos(th), sn = sin(th);
        const double X0[] = {1, 0.5, 1, -0.5, -1, 0}, y[] = {1, 1, -1};
        double X[6], W1[4], w2[2] = {1, -1};
        for (int i = 0; i < 3; i++) {
            X[2 * i] = cs * X0[2 * i] - sn * X0[2 * i + 1];
            X[2 * i + 1] = sn * X0[2 * i] + cs * X0[2 * i + 1];
        }
        /* W1 (2 x 2, column j = neuron j): (1, 0) and (-1, 0) rotated. */
        W1[0] = cs;
        W1[1] = -cs;
        W1[2] = sn;
        W1[3] = -sn;
        cr_patterns *P = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &e), CR_OK);
        cr_mm_kkt_work *w = cr_mm_kkt_alloc(3, 2, 2);
        const double lstar[3] = {0.5, 0.5, -1.0};
        double dir[3], lam[3];
        for (int i = 0; i < 3; i++) dir[i] = -2.5 * lstar[i]; /* wrong sign on purpose: c comes out negative */
        cr_mm_kkt_info info;
        assert_int_equal(cr_mm_kkt_fit_dir(w, X, y, 3, 2, W1, w2, 2, dir, P, lam, &info, &e), CR_OK);
        assert_true(fabs(info.min_yf - 1.0) <= 1e-15 && fabs(info.scale - 1.0) <= 1e-15);
        assert_true(fabs(info.c + 0.4) <= 1e-15);
        assert_true(info.resid <= 1e-15);
        assert_true(fabs(info.ytlambda - 2.0) <= 1e-15 && fabs(info.half_norm2 - 2.0) <= 1e-15);
        assert_true(fabs(info.dualnorm - 1.0) <= 1e-14);
        for (int i = 0; i < 3; i++) assert_true(fabs(lam[i] - lstar[i]) <= 1e-15);
        /* The convex program agrees: P* = 2, and P_sub over the network's patterns too. */
        cr_mm_work *mw = cr_mm_alloc(3, 2, P->p);
        double U[64], Up[64], ml[3];
        cr_mm_info mi;
        assert_int_equal(cr_mm_solve(mw, X, y, 3, 2, P, NULL, U, Up, ml, &mi, &e), CR_OK);
        assert_true(fabs(mi.primal - 2.0) <= 2e-8 && fabs(mi.dual - 2.0) <= 2e-8);
        for (int i = 0; i < 3; i++) assert_true(fabs(ml[i] - lstar[i]) <= 1e-6);
        cr_mm_free(mw);
        cr_patterns *I = NULL;
        assert_int_equal(cr_mm_kkt_patterns(X, 3, 2, W1, w2, 2, &I, &e), CR_OK);
        assert_int_equal(I->p, 2);
        mw = cr_mm_alloc(3, 2, I->p);
        assert_int_equal(cr_mm_solve(mw, X, y, 3, 2, I, NULL, U, Up, NULL, &mi, &e), CR_OK);
        assert_true(fabs(mi.primal - 2.0) <= 2e-8);
        cr_mm_free(mw);
        cr_patterns_free(I);
        /* Both neurons cover their class; both are aligned (w1 = s X'D(w1) y / 2 and X'D y = x3 for the
         * second... precisely: s X'D(w1) y = (2, 0) and (1, 0) up to rotation): cos = 1. */
        size_t ip, im;
        cr_mm_kkt_covering(X, y, 3, 2, W1, w2, 2, &ip, &im);
        assert_true(ip == 0 && im == 1);
        double cj[2];
        cr_mm_kkt_alignment(X, y, 3, 2, W1, w2, 2, cj);
        assert_true(fabs(cj[0] - 1.0) <= 1e-15 && fabs(cj[1] - 1.0) <= 1e-15);
        cr_mm_kkt_free(w);
        cr_patterns_free(P);
    }
}

/* --------------------------------------------------------------------- hand-built networks */

/* X rows: x1 = (1, 0), x2 = (0.9, 0.3) (y = +1), x3 = (-1, 0.1), x4 = (-0.8, -0.4) (y = -1). */
static const double HX[] = {1, 0, 0.9, 0.3, -1, 0.1, -0.8, -0.4};
static const double HY[] = {1, 1, -1, -1};

static void test_covering(void **state)
{
    (void)state;
    /* Neurons (columns): 0: (0, 1), w2 = +1: positive on x2, x3 only (x1'w = 0 is not > 0): covers nothing.
     * 1: (1, 0), w2 = -1: positive on x1, x2 (the + class) but negative output: no.
     * 2: (1, 0.2), w2 = +0.5: x1 1, x2 0.96: covers + -> iplus = 2.
     * 3: (-1, 0), w2 = -2: x3 1, x4 0.8: covers - -> iminus = 3.
     * 4: (-1, 0.1), w2 = -1: also covers -, but 3 comes first. */
    const size_t m = 5;
    double W1[2 * 5] = {0, 1, 1, -1, -1, /* row 0: first coordinates */
                        1, 0, 0.2, 0, 0.1};
    double w2[5] = {1, -1, 0.5, -2, -1};
    size_t ip, im;
    cr_mm_kkt_covering(HX, HY, 4, 2, W1, w2, m, &ip, &im);
    assert_int_equal(ip, 2);
    assert_int_equal(im, 3);
    /* Without neurons 2 and 3 (w2 = 0) the + class is uncovered, the - class covered by 4. */
    w2[2] = 0.0;
    w2[3] = 0.0;
    cr_mm_kkt_covering(HX, HY, 4, 2, W1, w2, m, &ip, &im);
    assert_true(ip == (size_t)-1);
    assert_int_equal(im, 4);
    cr_mm_kkt_covering(HX, HY, 4, 2, W1, w2, m, NULL, NULL);
}

static void test_alignment(void **state)
{
    (void)state;
    /* s = +1: u = (1, 0) has D = {x1, x2}, X'D y = (1.9, 0.3), whose own D is again {x1, x2}: w1 = 2 (1.9, 0.3)
     * is aligned (cos 1). s = -1: u = (-1, 0) has D = {x3, x4}, X'D y = (1.8, 0.3), s X'D y = (-1.8, -0.3) with
     * D = {x3, x4} again: aligned. Neuron (0, 1), w2 = 1: D = {x2, x3}, X'D y = (1.9, 0.2): cos = 0.2 / |.|.
     * w2 = 0: NaN. */
    const size_t m = 4;
    double W1[2 * 4] = {3.8, -1.8, 0, 1, /* first coordinates */
                        0.6, -0.3, 1, 0};
    double w2[4] = {0.7, -1.0, 1.0, 0.0}, c[4];
    cr_mm_kkt_alignment(HX, HY, 4, 2, W1, w2, m, c);
    assert_true(fabs(c[0] - 1.0) <= 1e-15);
    assert_true(fabs(c[1] - 1.0) <= 1e-15);
    assert_true(fabs(c[2] - 0.2 / sqrt(1.9 * 1.9 + 0.2 * 0.2)) <= 1e-15);
    assert_true(isnan(c[3]));
    /* Strict D: a neuron exactly orthogonal to every row has D = 0 and X'D y = 0: NaN. */
    const double X2[] = {1, 0, 2, 0}, y2[] = {1, -1};
    double W2[2] = {0, 1}, v2[1] = {1}, c2[1];
    cr_mm_kkt_alignment(X2, y2, 2, 2, W2, v2, 1, c2);
    assert_true(isnan(c2[0]));
}

static void test_patterns_closed(void **state)
{
    (void)state;
    /* Neurons (1, 0) and (2, 0) share the closed pattern; (0, 1) has x1'u = 0 -> bit 1 (closed convention);
     * a neuron with w2 = 0 and a zero neuron are left out. */
    double W1[2 * 5] = {1, 2, 0, 5, 0, /* first coordinates */
                        0, 0, 1, 5, 0};
    double w2[5] = {1, 1, -1, 0, 1};
    cr_patterns *I = NULL;
    cr_err e;
    assert_int_equal(cr_mm_kkt_patterns(HX, 4, 2, W1, w2, 5, &I, &e), CR_OK);
    assert_int_equal(I->p, 2);
    char buf[8];
    /* Canonical order: descending strings. (1,0): x1 1, x2 0.9, x3 -1, x4 -0.8 -> 1100.
     * (0,1): 0, 0.3, 0.1, -0.4 -> 1110. */
    cr_patterns_string(I, 0, buf);
    assert_string_equal(buf, "1110");
    cr_patterns_string(I, 1, buf);
    assert_string_equal(buf, "1100");
    cr_patterns_free(I);
}

static void test_fit_errors(void **state)
{
    (void)state;
    cr_mm_kkt_work *w = cr_mm_kkt_alloc(4, 2, 2);
    double W1[4] = {1, 0, 0, 0}, w2[2] = {1, 0}, lam[4];
    cr_err e;
    /* Neuron (1, 0) with w2 = 1: f = (1, 0.9, 0, 0): the - class has margin 0. */
    assert_int_equal(cr_mm_kkt_fit(w, HX, HY, 4, 2, W1, w2, 2, NULL, lam, NULL, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "does not separate"));
    assert_int_equal(cr_mm_kkt_fit(w, HX, HY, 4, 3, W1, w2, 2, NULL, lam, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_mm_kkt_fit(w, HX, HY, 4, 2, W1, w2, 3, NULL, lam, NULL, &e), CR_EINPUT);
    assert_int_equal(cr_mm_kkt_fit_dir(w, HX, HY, 4, 2, W1, w2, 2, NULL, NULL, lam, NULL, &e), CR_EINPUT);
    cr_mm_kkt_free(w);
    cr_mm_kkt_free(NULL);
    assert_null(cr_mm_kkt_alloc(0, 1, 1));
}

/* ---------------------------------------------------------- gradient descent, end to end */

typedef struct {
    const double *X, *y;
    size_t n, d;
    double ceiling, best_gamma;
    int violated;
} gd_log;

static int gd_logger(void *ctx, const cr_train_row *row, const cr_net *net)
{
    (void)row;
    gd_log *L = ctx;
    double g = cr_mm_gamma(L->X, L->y, L->n, L->d, net->W1, net->w2, net->m);
    if (g > L->ceiling * (1 + 1e-9)) L->violated = 1;
    if (g > L->best_gamma) L->best_gamma = g;
    return 0;
}

static void test_gradient_descent(void **state)
{
    (void)state;
    size_t n = 8, d = 2, m = 20;
    optimum o = solve_optimum(n, d, 7);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 11);
    cr_net *net = cr_net_alloc(d, m);
    cr_err e;
    assert_int_equal(cr_train_init(net, CR_INIT_BALANCED, 1e-3, g, &e), CR_OK);
    cr_train_opts to;
    cr_train_defaults(&to);
    to.loss = CR_LOSS_LOGISTIC;
    to.iters = 30000;
    to.lr = 0.2;
    to.log_every = 500;
    gd_log L = {o.D->X, o.D->y, n, d, cr_mm_gamma_ceiling(o.pstar), -INFINITY, 0};
    to.log = gd_logger;
    to.log_ctx = &L;
    cr_train_work *tw = cr_train_work_alloc(n, d, m, 0);
    cr_train_info ti;
    assert_int_equal(cr_train_run(tw, net, o.D->X, o.D->y, n, &to, NULL, &ti, &e), CR_OK);
    /* gamma(theta) <= 1 / (2 P*) for every network (docs/MATH.md); gradient descent approaches it. */
    assert_false(L.violated);
    assert_true(L.best_gamma >= 0.9 * L.ceiling);
    /* The trained network: covering neurons, and a KKT fit near a KKT point of the global optimum. */
    size_t ip, im;
    cr_mm_kkt_covering(o.D->X, o.D->y, n, d, net->W1, net->w2, m, &ip, &im);
    assert_true(ip != (size_t)-1 && im != (size_t)-1);
    cr_mm_kkt_work *kw = cr_mm_kkt_alloc(n, d, m);
    cr_mm_kkt_info ki;
    double lam[16];
    assert_int_equal(cr_mm_kkt_fit(kw, o.D->X, o.D->y, n, d, net->W1, net->w2, m, o.P, lam, &ki, &e), CR_OK);
    assert_true(ki.c > 0 && ki.resid < 0.1);
    /* Scaled to margin 1: 1/2 ||theta||^2 >= P* always, and close to it; y'lambda and N(lambda) near P*, 1. */
    assert_true(ki.half_norm2 >= o.pstar * (1 - 1e-9) && ki.half_norm2 <= 1.05 * o.pstar);
    assert_true(fabs(ki.ytlambda / ki.half_norm2 - 1.0) <= 0.05);
    assert_true(ki.dualnorm <= 1.1);
    for (size_t i = 0; i < n; i++) assert_true(o.D->y[i] * lam[i] >= 0.0);
    cr_mm_kkt_free(kw);
    cr_train_work_free(tw);
    cr_net_free(net);
    gsl_rng_free(g);
    optimum_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logistic_extreme_margins),
        cmocka_unit_test(test_planted_kkt_point),
        cmocka_unit_test(test_exact_kkt_by_hand),
        cmocka_unit_test(test_covering),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_patterns_closed),
        cmocka_unit_test(test_fit_errors),
        cmocka_unit_test(test_gradient_descent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
