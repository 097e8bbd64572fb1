/* Tests of net.h: the blocked BLAS path against naive loops written here, central finite differences for every
 * loss, the invariances of docs/MATH.md (permutation, neuron splitting, rescaling), margins and norms against
 * hand values, and finite logistic values for margins far beyond exp's range. */
#include "testutil.h"

#include <math.h>

#include "net.h"

/* ------------------------------------------------------------------------------------------------ helpers */

/* A small deterministic generator (splitmix64) so that this file needs no GSL. */
static uint64_t rng_state = 0x1234567u;
static double urand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    return sqrt(-2.0 * log(u + 1e-300)) * cos(2.0 * M_PI * v);
}
static void fill_normal(double *a, size_t k, double s)
{
    for (size_t i = 0; i < k; i++) a[i] = s * nrand();
}
static void fill_labels(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = urand() < 0.5 ? -1.0 : 1.0;
}

static double max_abs(const double *a, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < k; i++) s = fmax(s, fabs(a[i]));
    return s;
}

/* max_i |a_i - b_i| / max(max_i |b_i|, tiny). */
static double rel_diff(const double *a, const double *b, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < k; i++) s = fmax(s, fabs(a[i] - b[i]));
    return s / fmax(max_abs(b, k), 1e-300);
}

/* --------------------------------------------------------------------------------------- naive reference */

/* Independent of net.c: loops straight from the formulas, losses written out here. */
static double ref_loss(cr_loss_kind k, double z, double y)
{
    switch (k) {
    case CR_LOSS_SQUARED: return 0.5 * (z - y) * (z - y);
    case CR_LOSS_LOGISTIC: return log1p(exp(-y * z)); /* test points keep |y z| small */
    case CR_LOSS_HINGE: return 1.0 - y * z > 0.0 ? 1.0 - y * z : 0.0;
    }
    return NAN;
}
static double ref_dloss(cr_loss_kind k, double z, double y)
{
    switch (k) {
    case CR_LOSS_SQUARED: return z - y;
    case CR_LOSS_LOGISTIC: return -y / (1.0 + exp(y * z));
    case CR_LOSS_HINGE: return y * z < 1.0 ? -y : 0.0;
    }
    return NAN;
}

static double ref_H(const double *X, const double *W1, size_t d, size_t m, size_t i, size_t j)
{
    double h = 0.0;
    for (size_t k = 0; k < d; k++) h += X[i * d + k] * W1[k * m + j];
    return h;
}

static void ref_forward(const double *X, const double *W1, const double *w2, size_t n, size_t d, size_t m, double *f)
{
    for (size_t i = 0; i < n; i++) {
        f[i] = 0.0;
        for (size_t j = 0; j < m; j++) {
            double h = ref_H(X, W1, d, m, i, j);
            f[i] += (h > 0.0 ? h : 0.0) * w2[j];
        }
    }
}

/* Objective and gradient (layout W1 then w2) with ReLU'(0) = 0. */
static double ref_objective(const double *X, const double *y, const double *theta, size_t n, size_t d, size_t m,
                            const cr_net_obj *o, double *grad)
{
    const double *W1 = theta, *w2 = theta + d * m;
    double *f = malloc(n * sizeof *f);
    ref_forward(X, W1, w2, n, d, m, f);
    double L = 0.0, sq = 0.0;
    for (size_t i = 0; i < n; i++) L += o->loss_weight * ref_loss(o->loss, f[i], y[i]);
    for (size_t k = 0; k < d * m + m; k++) sq += theta[k] * theta[k];
    L += 0.5 * o->beta * sq;
    if (grad) {
        for (size_t k = 0; k < d * m + m; k++) grad[k] = o->beta * theta[k];
        for (size_t i = 0; i < n; i++) {
            double r = o->loss_weight * ref_dloss(o->loss, f[i], y[i]);
            for (size_t j = 0; j < m; j++) {
                double h = ref_H(X, W1, d, m, i, j);
                if (h > 0.0) {
                    grad[d * m + j] += r * h;
                    for (size_t k = 0; k < d; k++) grad[k * m + j] += r * w2[j] * X[i * d + k];
                }
            }
        }
    }
    free(f);
    return L;
}

/* ---------------------------------------------------------------------------------------- BLAS vs naive */

static void check_vs_naive(size_t n, size_t d, size_t m, size_t block, int vector)
{
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), *f = malloc(n * sizeof *f);
    double *fr = malloc(n * sizeof *fr);
    cr_net *net = cr_net_alloc(d, m);
    assert_non_null(net);
    const size_t p = cr_net_size(net);
    assert_int_equal(p, d * m + m);
    double *g = malloc(p * sizeof *g), *gr = malloc(p * sizeof *gr);
    cr_net_work *w = cr_net_work_alloc(n, d, m);
    assert_non_null(w);
    if (block) cr_net_work_set_block(w, block);
    cr_net_work_set_vector(w, vector);
    if (!vector) assert_int_equal(cr_net_work_vector(w), 0);

    fill_normal(X, n * d, 1.0);
    fill_normal(net->theta, p, 0.7);
    ref_forward(X, net->W1, net->w2, n, d, m, fr);
    assert_int_equal(cr_net_forward(net, X, n, w, f), CR_OK);
    assert_true(rel_diff(f, fr, n) <= 1e-12);
    assert_true(rel_diff(cr_net_work_f(w), fr, n) <= 1e-12);

    for (int loss = 0; loss < 3; loss++) {
        if (loss == CR_LOSS_SQUARED) fill_normal(y, n, 1.0);
        else fill_labels(y, n);
        const double betas[] = { 0.0, 0.3 }, lws[] = { 1.0, 2.5 };
        for (int bi = 0; bi < 2; bi++) {
            cr_net_obj o = { (cr_loss_kind)loss, betas[bi], lws[bi] };
            double Lr = ref_objective(X, y, net->theta, n, d, m, &o, gr);
            cr_net_eval ev;
            assert_int_equal(cr_net_objective(net, X, y, n, &o, w, g, &ev), CR_OK);
            assert_true(fabs(ev.objective - Lr) <= 1e-12 * fmax(fabs(Lr), 1e-300));
            assert_true(fabs(ev.loss + ev.penalty - ev.objective) <= 1e-15 * fabs(ev.objective));
            assert_true(rel_diff(g, gr, p) <= 1e-12);
            /* Objective only: the same value, no gradient needed. */
            cr_net_eval ev2;
            assert_int_equal(cr_net_objective(net, X, y, n, &o, w, NULL, &ev2), CR_OK);
            assert_true(ev2.objective == ev.objective);
        }
    }
    cr_net_work_free(w);
    cr_net_free(net);
    free(X);
    free(y);
    free(f);
    free(fr);
    free(g);
    free(gr);
}

static void test_blas_matches_naive(void **state)
{
    (void)state;
    /* (n, d, m, block): edge shapes with 1s, several blocks with a ragged last one, one block. */
    const size_t cases[][4] = {
        { 1, 1, 1, 0 },    { 1, 5, 3, 0 },    { 7, 1, 4, 0 },     { 9, 3, 1, 0 },   { 1, 1, 9, 0 },
        { 50, 7, 13, 7 },  { 50, 7, 13, 0 },  { 301, 20, 40, 64 }, { 257, 4, 1, 1 }, { 120, 1, 1, 50 },
        { 2000, 10, 70, 0 }, { 33, 3, 5, 4 },   { 33, 3, 6, 0 },    { 33, 3, 7, 0 },  { 33, 3, 8, 0 },
        { 33, 3, 12, 0 },  { 5, 2, 1000, 0 },
    };
    /* Both kernels: the vector one (when the CPU has it) and the scalar fallback. */
    for (int vector = 0; vector < 2; vector++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            check_vs_naive(cases[c][0], cases[c][1], cases[c][2], cases[c][3], vector);
}

/* ------------------------------------------------------------------------------------ finite differences */

static void fd_check(cr_loss_kind loss, double beta)
{
    const size_t n = 12, d = 4, m = 5;
    double X[12 * 4], y[12];
    cr_net *net = cr_net_alloc(d, m);
    const size_t p = cr_net_size(net);
    double g[25], theta0[25];
    cr_net_work *w = cr_net_work_alloc(n, d, m);
    cr_net_obj o = { loss, beta, 1.0 };

    /* Redraw until no pre-activation is near 0 and (hinge) no margin is near the kink. */
    for (int tries = 0;; tries++) {
        assert_true(tries < 100000);
        fill_normal(X, n * d, 1.0);
        fill_normal(net->theta, p, 0.8);
        if (loss == CR_LOSS_SQUARED) fill_normal(y, n, 1.0);
        else fill_labels(y, n);
        double hmin = INFINITY, kink = INFINITY, f[12];
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m; j++) hmin = fmin(hmin, fabs(ref_H(X, net->W1, d, m, i, j)));
        ref_forward(X, net->W1, net->w2, n, d, m, f);
        for (size_t i = 0; i < n; i++) kink = fmin(kink, fabs(1.0 - y[i] * f[i]));
        if (hmin > 0.02 && (loss != CR_LOSS_HINGE || kink > 0.02)) break;
    }
    assert_int_equal(cr_net_objective(net, X, y, n, &o, w, g, NULL), CR_OK);
    memcpy(theta0, net->theta, sizeof theta0);
    const double h = 1e-6;
    for (size_t k = 0; k < p; k++) {
        cr_net_eval ep, em;
        net->theta[k] = theta0[k] + h;
        cr_net_objective(net, X, y, n, &o, w, NULL, &ep);
        net->theta[k] = theta0[k] - h;
        cr_net_objective(net, X, y, n, &o, w, NULL, &em);
        net->theta[k] = theta0[k];
        const double fd = (ep.objective - em.objective) / (2 * h);
        if (fabs(fd - g[k]) > 1e-6 * fmax(1.0, fabs(g[k])))
            fail_msg("loss %s beta %g: d/dtheta[%zu]: gradient %.12g, central difference %.12g", cr_loss_name(loss),
                     beta, k, g[k], fd);
    }
    cr_net_work_free(w);
    cr_net_free(net);
}

static void test_finite_differences(void **state)
{
    (void)state;
    for (int loss = 0; loss < 3; loss++) {
        fd_check((cr_loss_kind)loss, 0.0);
        fd_check((cr_loss_kind)loss, 0.37);
    }
}

/* --------------------------------------------------------------------------------------------- invariances */

typedef struct {
    double f[40];
    double L;
} eval_out;

static eval_out eval_net(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *o)
{
    eval_out e;
    cr_net_work *w = cr_net_work_alloc(n, net->d, net->m);
    cr_net_eval ev;
    assert_int_equal(cr_net_objective(net, X, y, n, o, w, NULL, &ev), CR_OK);
    memcpy(e.f, cr_net_work_f(w), n * sizeof *e.f);
    e.L = ev.objective;
    cr_net_work_free(w);
    return e;
}

static void test_invariances(void **state)
{
    (void)state;
    const size_t n = 40, d = 6, m = 8;
    double X[40 * 6], y[40];
    fill_normal(X, n * d, 1.0);
    fill_normal(y, n, 1.0);
    cr_net *net = cr_net_alloc(d, m);
    fill_normal(net->theta, cr_net_size(net), 1.0);
    const cr_net_obj o = { CR_LOSS_SQUARED, 0.45, 1.0 };
    const eval_out base = eval_net(net, X, y, n, &o);

    /* Permuting neurons: columns of W1 and entries of w2 together. */
    const size_t perm[8] = { 3, 7, 0, 5, 1, 6, 2, 4 };
    cr_net *pn = cr_net_alloc(d, m);
    for (size_t j = 0; j < m; j++) {
        for (size_t k = 0; k < d; k++) pn->W1[k * m + j] = net->W1[k * m + perm[j]];
        pn->w2[j] = net->w2[perm[j]];
    }
    eval_out e = eval_net(pn, X, y, n, &o);
    assert_true(rel_diff(e.f, base.f, n) <= 1e-13);
    assert_true(fabs(e.L - base.L) <= 1e-13 * base.L);

    /* Splitting neuron 2 into three with a = (0.2, 0.3, 0.5): (sqrt(a_k) w1, sqrt(a_k) w2). */
    const double a[3] = { 0.2, 0.3, 0.5 };
    cr_net *sn = cr_net_alloc(d, m + 2);
    const size_t ms = m + 2;
    for (size_t j = 0; j < m; j++) {
        if (j == 2) continue;
        for (size_t k = 0; k < d; k++) sn->W1[k * ms + j] = net->W1[k * m + j];
        sn->w2[j] = net->w2[j];
    }
    const size_t slot[3] = { 2, m, m + 1 };
    for (int s = 0; s < 3; s++) {
        for (size_t k = 0; k < d; k++) sn->W1[k * ms + slot[s]] = sqrt(a[s]) * net->W1[k * m + 2];
        sn->w2[slot[s]] = sqrt(a[s]) * net->w2[2];
    }
    e = eval_net(sn, X, y, n, &o);
    assert_true(rel_diff(e.f, base.f, n) <= 1e-13);
    assert_true(fabs(e.L - base.L) <= 1e-13 * base.L);
    assert_true(fabs(cr_net_norm2(sn) - cr_net_norm2(net)) <= 1e-13 * cr_net_norm2(net));

    /* Rescaling w1_j by c > 0 and w2_j by 1/c keeps f (not the penalty). */
    cr_net *rn = cr_net_alloc(d, m);
    const double c[8] = { 3.7, 0.1, 1.0, 25.0, 0.5, 2.0, 1e-3, 8.0 };
    for (size_t j = 0; j < m; j++) {
        for (size_t k = 0; k < d; k++) rn->W1[k * m + j] = c[j] * net->W1[k * m + j];
        rn->w2[j] = net->w2[j] / c[j];
    }
    e = eval_net(rn, X, y, n, &o);
    assert_true(rel_diff(e.f, base.f, n) <= 1e-13);

    cr_net_free(net);
    cr_net_free(pn);
    cr_net_free(sn);
    cr_net_free(rn);
}

/* ---------------------------------------------------------------------------------------- margins, norms */

static void test_margin_and_norms(void **state)
{
    (void)state;
    /* d = 2, m = 2: w1_1 = (1, 2), w2_1 = 3; w1_2 = (-2, 0), w2_2 = -1. W1 row-major d x m. */
    cr_net *net = cr_net_alloc(2, 2);
    const double W1[4] = { 1.0, -2.0, 2.0, 0.0 }, w2[2] = { 3.0, -1.0 };
    memcpy(net->W1, W1, sizeof W1);
    memcpy(net->w2, w2, sizeof w2);
    /* x = (1, 1): H = (3, -2), f = 9.  x = (-1, 0): H = (-1, 2), f = -2.  x = (0, 1): H = (2, 0), f = 6. */
    const double X[6] = { 1, 1, -1, 0, 0, 1 }, y[3] = { 1, -1, 1 };
    cr_net_work *w = cr_net_work_alloc(3, 2, 2);
    double f[3], gamma, myf;
    assert_int_equal(cr_net_forward(net, X, 3, w, f), CR_OK);
    assert_true(f[0] == 9.0 && f[1] == -2.0 && f[2] == 6.0);
    /* ||theta||^2 = 1 + 4 + 4 + 0 + 9 + 1 = 19; min y f = min(9, 2, 6) = 2. */
    assert_true(cr_net_norm2(net) == 19.0);
    assert_int_equal(cr_net_margin(net, X, y, 3, w, &gamma, &myf), CR_OK);
    assert_true(myf == 2.0);
    assert_true(gamma == 2.0 / 19.0);
    double n1[2], n2[2];
    cr_net_neuron_norms(net, n1, n2);
    assert_true(fabs(n1[0] - sqrt(5.0)) <= 1e-15 && n1[1] == 2.0 && n2[0] == 3.0 && n2[1] == 1.0);
    cr_net_neuron_norms(net, NULL, n2);

    /* Subgradient convention ReLU'(0) = 0: with x = (0, 1) neuron 2 has H = 0 exactly and gets no gradient
     * from that sample. Squared loss, y = 0, sample 3 only: r = 6, g_w2 = (12, 0), g_W1 col 1 = r*3*x. */
    const cr_net_obj o = { CR_LOSS_SQUARED, 0.0, 1.0 };
    const double y0 = 0.0;
    double g[6];
    assert_int_equal(cr_net_objective(net, X + 4, &y0, 1, &o, w, g, NULL), CR_OK);
    const double want[6] = { 0.0, 0.0, 18.0, 0.0, 12.0, 0.0 };
    for (int k = 0; k < 6; k++) assert_true(g[k] == want[k]);

    /* Shape errors are refused. */
    assert_int_equal(cr_net_forward(net, X, 4, w, f), CR_EINPUT);
    cr_net *other = cr_net_alloc(3, 2);
    assert_int_equal(cr_net_forward(other, X, 1, w, f), CR_EINPUT);
    assert_int_equal(cr_net_copy(other, net), CR_EINPUT);
    const cr_net_obj bad = { CR_LOSS_SQUARED, -1.0, 1.0 };
    assert_int_equal(cr_net_objective(net, X, y, 3, &bad, w, g, NULL), CR_EINPUT);
    assert_null(cr_net_alloc(0, 3));
    assert_null(cr_net_work_alloc(0, 1, 1));
    cr_net_free(NULL);
    cr_net_work_free(NULL);
    cr_net_free(other);
    cr_net_work_free(w);
    cr_net_free(net);
}

/* ------------------------------------------------------------------------------ logistic at huge margins */

static void test_logistic_huge_margins(void **state)
{
    (void)state;
    /* d = m = 1, x = 1, w1 = 10, w2 = 100: f = 1000. */
    cr_net *net = cr_net_alloc(1, 1);
    net->W1[0] = 10.0;
    net->w2[0] = 100.0;
    const double x = 1.0;
    cr_net_work *w = cr_net_work_alloc(1, 1, 1);
    const cr_net_obj o = { CR_LOSS_LOGISTIC, 0.0, 1.0 };
    double g[2];
    cr_net_eval ev;

    /* Margin +1e3: loss exp(-1000) underflows to 0 gracefully; gradient finite and ~0. */
    double y = 1.0;
    assert_int_equal(cr_net_objective(net, &x, &y, 1, &o, w, g, &ev), CR_OK);
    assert_true(isfinite(ev.loss) && ev.loss >= 0.0 && ev.loss < 1e-300);
    assert_true(isfinite(g[0]) && isfinite(g[1]) && fabs(g[0]) < 1e-300 && fabs(g[1]) < 1e-300);

    /* Margin -1e3: loss log(1 + e^1000) = 1000 + log1p(e^-1000) = 1000; r = -y sigma(-y f) = 1,
     * g_w2 = r (x w1)_+ = 10, g_w1 = r w2 x = 100. */
    y = -1.0;
    assert_int_equal(cr_net_objective(net, &x, &y, 1, &o, w, g, &ev), CR_OK);
    assert_true(ev.loss == 1000.0);
    assert_true(g[0] == 100.0 && g[1] == 10.0);

    /* Far beyond: f = 1e300. */
    net->W1[0] = 1e150;
    net->w2[0] = 1e150;
    assert_int_equal(cr_net_objective(net, &x, &y, 1, &o, w, g, &ev), CR_OK);
    assert_true(ev.loss == cr_net_work_f(w)[0] && ev.loss > 0.99e300);
    assert_true(g[0] == 1e150 && g[1] == 1e150);
    y = 1.0;
    assert_int_equal(cr_net_objective(net, &x, &y, 1, &o, w, g, &ev), CR_OK);
    assert_true(ev.loss == 0.0 && g[0] == 0.0 && g[1] == 0.0);

    /* A non-finite weight is never masked into a finite output. */
    net->W1[0] = NAN;
    double f;
    assert_int_equal(cr_net_forward(net, &x, 1, w, &f), CR_OK);
    assert_true(isnan(f));
    cr_net_work_free(w);
    cr_net_free(net);

    /* The same through the vector and scalar kernels (m = 11: two vector chunks and a tail): one NaN weight in
     * a neuron whose other pre-activations are negative still makes f NaN. */
    for (int vector = 0; vector < 2; vector++)
        for (size_t bad = 0; bad < 11; bad++) {
            cr_net *nn = cr_net_alloc(1, 11);
            cr_net_work *ww = cr_net_work_alloc(1, 1, 11);
            cr_net_work_set_vector(ww, vector);
            for (size_t j = 0; j < 11; j++) {
                nn->W1[j] = -1.0;
                nn->w2[j] = 1.0;
            }
            nn->W1[bad] = NAN;
            assert_int_equal(cr_net_forward(nn, &x, 1, ww, &f), CR_OK);
            assert_true(isnan(f));
            cr_net_work_free(ww);
            cr_net_free(nn);
        }
}

/* cr_net_reverse and cr_net_split: the documented layout (checked entry by entry on a small network written out by
 * hand) and the same outputs and penalty (through the evaluator), and their shape checks. */
static void test_reverse_and_split(void **state)
{
    (void)state;
    cr_net *net = cr_net_alloc(2, 3);
    const double theta[] = {1, 2, 3, /* W1 row 1 */ 4, 5, 6, /* W1 row 2 */ 7, -8, 9 /* w2 */};
    memcpy(net->theta, theta, sizeof theta);
    cr_net *rev = cr_net_alloc(2, 3);
    assert_int_equal(cr_net_reverse(net, rev), CR_OK);
    const double want_rev[] = {3, 2, 1, 6, 5, 4, 9, -8, 7};
    for (size_t k = 0; k < 9; k++) assert_true(rev->theta[k] == want_rev[k]);

    /* Neuron 2 (index 1) into two with a = (0.25, 0.75): sqrt = 0.5 and sqrt(3)/2, at positions 1 and 2. */
    const double a[2] = {0.25, 0.75}, r3 = sqrt(3.0) / 2;
    cr_net *sp = cr_net_alloc(2, 4);
    assert_int_equal(cr_net_split(net, 1, a, 2, sp), CR_OK);
    const double want_sp[] = {1, 1, 2 * r3, 3, 4, 2.5, 5 * r3, 6, 7, -4, -8 * r3, 9};
    for (size_t k = 0; k < 12; k++)
        if (fabs(sp->theta[k] - want_sp[k]) > 1e-15 * fabs(want_sp[k])) fail_msg("split: theta[%zu] = %.17g", k,
                                                                                 sp->theta[k]);
    const double X[] = {1, 0.5, -2, 1, 0.25, -1, 3, 3}, y[] = {1, -1, 2, 0};
    const cr_net_obj o = {CR_LOSS_SQUARED, 0.3, 1.0};
    const eval_out base = eval_net(net, X, y, 4, &o), er = eval_net(rev, X, y, 4, &o), es = eval_net(sp, X, y, 4, &o);
    assert_true(rel_diff(er.f, base.f, 4) <= 1e-15 && fabs(er.L - base.L) <= 1e-15 * base.L);
    assert_true(rel_diff(es.f, base.f, 4) <= 1e-14 && fabs(es.L - base.L) <= 1e-14 * base.L);

    /* Wrong shapes, neuron out of range, no part: refused. */
    assert_int_equal(cr_net_reverse(net, sp), CR_EINPUT);
    assert_int_equal(cr_net_split(net, 3, a, 2, sp), CR_EINPUT);
    assert_int_equal(cr_net_split(net, 1, a, 1, sp), CR_EINPUT);
    assert_int_equal(cr_net_split(net, 1, a, 0, sp), CR_EINPUT);
    cr_net_free(net);
    cr_net_free(rev);
    cr_net_free(sp);
}

/* cr_net_best_by_sign: NaN values and neurons with w2 = 0 are left out; no neuron of a sign gives -inf. */
static void test_best_by_sign(void **state)
{
    (void)state;
    cr_net *net = cr_net_alloc(1, 5);
    const double w2[] = {1, 2, -1, 0, 0.5}, v[] = {0.3, NAN, 0.9, 5.0, 0.7};
    memcpy(net->w2, w2, sizeof w2);
    double best[2];
    cr_net_best_by_sign(net, v, best);
    assert_true(best[0] == 0.7);
    assert_true(best[1] == 0.9);
    net->w2[2] = 3;
    cr_net_best_by_sign(net, v, best);
    assert_true(best[0] == 0.9);
    assert_true(best[1] == -INFINITY);
    cr_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blas_matches_naive),
        cmocka_unit_test(test_finite_differences),
        cmocka_unit_test(test_invariances),
        cmocka_unit_test(test_reverse_and_split),
        cmocka_unit_test(test_best_by_sign),
        cmocka_unit_test(test_margin_and_norms),
        cmocka_unit_test(test_logistic_huge_margins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
