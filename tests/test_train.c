/* Tests of train.h: initializations (balanced norms exact, gaussian moments), schedules, the slides' 1-D toy
 * against its closed-form minimum, bitwise reproducibility, SGD, logging, divergence and option validation; on
 * separable data with the logistic loss, the growth of the smoothed normalized margin (Lyu and Li). */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "train.h"

static gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* Gaussian inputs and labels y = sign(x' a) (logistic, hinge) or a noisy linear target (squared). */
static void make_data(size_t n, size_t d, int classify, unsigned long seed, double *X, double *y)
{
    gsl_rng *r = rng_new(seed);
    double a[64];
    for (size_t k = 0; k < d; k++) a[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t k = 0; k < d; k++) {
            X[i * d + k] = gsl_ran_gaussian(r, 1.0);
            s += X[i * d + k] * a[k];
        }
        y[i] = classify ? (s >= 0 ? 1.0 : -1.0) : fabs(s) + 0.1 * gsl_ran_gaussian(r, 1.0);
    }
    gsl_rng_free(r);
}

/* ------------------------------------------------------------------------------------------------ init */

static void test_balanced_init(void **state)
{
    (void)state;
    const size_t dims[] = { 1, 2, 3, 20, 50, 200 };
    const double scales[] = { 1e-6, 1e-3, 0.5, 1.0, 7.0 };
    gsl_rng *r = rng_new(11);
    for (size_t a = 0; a < sizeof dims / sizeof *dims; a++)
        for (size_t b = 0; b < sizeof scales / sizeof *scales; b++) {
            const size_t d = dims[a], m = 100;
            const double s = scales[b];
            cr_net *net = cr_net_alloc(d, m);
            assert_int_equal(cr_train_init(net, CR_INIT_BALANCED, s, r, NULL), CR_OK);
            int pos = 0, neg = 0;
            for (size_t j = 0; j < m; j++) {
                /* Norm taken in long double here so that the check measures the init, not this sum. */
                long double q = 0.0L;
                for (size_t k = 0; k < d; k++) q += (long double)net->W1[k * m + j] * net->W1[k * m + j];
                const double nrm = (double)sqrtl(q);
                if (fabs(nrm - s) > 1e-15 * s)
                    fail_msg("d %zu scale %g neuron %zu: ||w1|| = %.17g, |rel err| %.3g", d, s, j, nrm,
                             fabs(nrm - s) / s);
                assert_true(fabs(net->w2[j]) == s);
                pos += net->w2[j] > 0;
                neg += net->w2[j] < 0;
            }
            assert_true(pos > 20 && neg > 20); /* fair signs: P(fewer than 21 of 100) < 1e-9 */
            /* The library's own per-neuron norms agree. */
            double n1[100], n2[100];
            cr_net_neuron_norms(net, n1, n2);
            for (size_t j = 0; j < m; j++) assert_true(fabs(n1[j] - s) <= 4e-15 * s && n2[j] == s);
            cr_net_free(net);
        }
    gsl_rng_free(r);
}

static void test_gaussian_init(void **state)
{
    (void)state;
    const size_t d = 50, m = 400;
    const double s = 0.3;
    gsl_rng *r = rng_new(5);
    cr_net *net = cr_net_alloc(d, m);
    assert_int_equal(cr_train_init(net, CR_INIT_GAUSSIAN, s, r, NULL), CR_OK);
    const size_t p = cr_net_size(net);
    double mean = 0.0, var = 0.0;
    for (size_t k = 0; k < p; k++) mean += net->theta[k];
    mean /= (double)p;
    for (size_t k = 0; k < p; k++) var += (net->theta[k] - mean) * (net->theta[k] - mean);
    var /= (double)(p - 1);
    /* p = 20400 draws: sd of the mean s/143, of the variance s^2 * 0.0099. Five sigma. */
    assert_true(fabs(mean) < 5 * s / sqrt((double)p));
    assert_true(fabs(var / (s * s) - 1.0) < 5 * sqrt(2.0 / (double)p));

    cr_err e;
    assert_int_equal(cr_train_init(net, CR_INIT_GAUSSIAN, 0.0, r, &e), CR_EINPUT);
    assert_non_null(strstr(e.msg, "init.scale"));
    assert_int_equal(cr_train_init(net, CR_INIT_BALANCED, NAN, r, &e), CR_EINPUT);
    assert_string_equal(cr_init_name(CR_INIT_BALANCED), "balanced");
    cr_net_free(net);
    gsl_rng_free(r);
}

/* ------------------------------------------------------------------------------------------------ schedule */

static void test_schedules(void **state)
{
    (void)state;
    cr_train_opts o;
    cr_train_defaults(&o);
    o.lr = 0.8;
    assert_true(cr_train_lr(&o, 0) == 0.8 && cr_train_lr(&o, 123456) == 0.8);
    o.schedule = CR_LR_STEP;
    o.lr_factor = 0.5;
    o.lr_every = 10;
    assert_true(cr_train_lr(&o, 9) == 0.8);
    assert_true(cr_train_lr(&o, 10) == 0.4);
    assert_true(cr_train_lr(&o, 29) == 0.2);
    assert_true(cr_train_lr(&o, 30) == 0.1);
    o.schedule = CR_LR_INV;
    o.lr_t0 = 100;
    assert_true(cr_train_lr(&o, 0) == 0.8);
    assert_true(cr_train_lr(&o, 100) == 0.4);
    assert_true(fabs(cr_train_lr(&o, 300) - 0.2) < 1e-16);
    assert_string_equal(cr_lr_name(CR_LR_INV), "inv");
}

/* ------------------------------------------------------------------------------------------------ toy */

/* The slides' 1-D toy: x = 1, y = 1, (z - y)^2 (lw = 2 on loss.h's 1/2 (z - y)^2), beta = 1:
 *   L(u, v) = (u v - 1)^2 + (u^2 + v^2)/2 for u > 0. Stationary points with u > 0 have u = v (subtracting
 *   the two gradient equations gives (v - u)(u v - 3/2) = 0, and u v = 3/2 forces v = -u), then
 *   u (u^2 - 1) + u/2 = 0: u = v = 1/sqrt(2), L = 1/4 + 1/2 = 0.75. */
static void test_toy_closed_form(void **state)
{
    (void)state;
    const double x = 1.0, y = 1.0;
    const double inits[][2] = { { 0.3, 1.2 }, { 2.0, 0.1 }, { 0.05, 0.05 } };
    for (size_t c = 0; c < 3; c++) {
        cr_net *net = cr_net_alloc(1, 1);
        net->W1[0] = inits[c][0];
        net->w2[0] = inits[c][1];
        cr_train_work *w = cr_train_work_alloc(1, 1, 1, 0);
        cr_train_opts o;
        cr_train_defaults(&o);
        o.loss = CR_LOSS_SQUARED;
        o.loss_weight = 2.0;
        o.beta = 1.0;
        o.lr = 0.01;
        o.iters = 100000;
        o.grad_tol = 1e-13;
        cr_train_info info;
        cr_err e;
        assert_int_equal(cr_train_run(w, net, &x, &y, 1, &o, NULL, &info, &e), CR_OK);
        assert_int_equal(info.status, CR_OK);
        assert_true(info.converged);
        assert_true(info.iterations < o.iters);
        assert_true(info.grad_norm <= 1e-13);
        assert_true(fabs(info.objective - 0.75) <= 1e-14);
        assert_true(fabs(net->W1[0] - M_SQRT1_2) <= 1e-12);
        assert_true(fabs(net->w2[0] - M_SQRT1_2) <= 1e-12);
        assert_true(fabs(info.loss + info.penalty - info.objective) <= 1e-16);
        cr_train_work_free(w);
        cr_net_free(net);
    }
}

/* ------------------------------------------------------------------------------------------------ logging */

typedef struct {
    cr_train_row rows[256];
    size_t len;
    long stop_at; /* return 7 at this iteration; -1 never */
} trace;

static int collect(void *ctx, const cr_train_row *row, const cr_net *net)
{
    trace *t = ctx;
    assert_non_null(net);
    if (t->len < 256) t->rows[t->len++] = *row;
    return row->iter == t->stop_at ? 7 : 0;
}

/* Everything of a row but the wall time. */
static int rows_equal(const cr_train_row *a, const cr_train_row *b)
{
    return a->iter == b->iter && memcmp(&a->lr, &b->lr, sizeof a->lr) == 0 &&
           memcmp(&a->objective, &b->objective, sizeof(double)) == 0 &&
           memcmp(&a->loss, &b->loss, sizeof(double)) == 0 && memcmp(&a->penalty, &b->penalty, sizeof(double)) == 0 &&
           memcmp(&a->norm2, &b->norm2, sizeof(double)) == 0 &&
           memcmp(&a->grad_norm, &b->grad_norm, sizeof(double)) == 0;
}

/* One run from a fresh init: returns the final parameters (malloc'ed) and fills tr. */
static double *run_once(size_t n, size_t d, size_t m, const double *X, const double *y, cr_train_opts *o,
                        unsigned long init_seed, unsigned long order_seed, trace *tr, cr_train_info *info)
{
    gsl_rng *ri = rng_new(init_seed), *ro = rng_new(order_seed);
    cr_net *net = cr_net_alloc(d, m);
    assert_int_equal(cr_train_init(net, CR_INIT_BALANCED, 0.1, ri, NULL), CR_OK);
    cr_train_work *w = cr_train_work_alloc(n, d, m, o->batch);
    tr->len = 0;
    o->log = collect;
    o->log_ctx = tr;
    cr_err e;
    int st = cr_train_run(w, net, X, y, n, o, ro, info, &e);
    if (st) fail_msg("%s", e.msg);
    double *theta = malloc(cr_net_size(net) * sizeof *theta);
    memcpy(theta, net->theta, cr_net_size(net) * sizeof *theta);
    cr_train_work_free(w);
    cr_net_free(net);
    gsl_rng_free(ri);
    gsl_rng_free(ro);
    return theta;
}

static void test_logging_and_determinism(void **state)
{
    (void)state;
    const size_t n = 200, d = 5, m = 30;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    make_data(n, d, 0, 3, X, y);
    const size_t p = d * m + m;
    for (int sgd = 0; sgd < 2; sgd++) {
        cr_train_opts o;
        cr_train_defaults(&o);
        o.loss = CR_LOSS_SQUARED;
        o.beta = 1e-3;
        o.lr = 1e-3;
        o.iters = 250;
        o.log_every = 20;
        o.batch = sgd ? 32 : 0;
        o.schedule = sgd ? CR_LR_INV : CR_LR_STEP;
        o.lr_every = 100;
        o.lr_factor = 0.5;
        o.lr_t0 = 50;
        static trace t1, t2, t3;
        t1.stop_at = t2.stop_at = t3.stop_at = -1;
        cr_train_info i1, i2, i3;
        double *a = run_once(n, d, m, X, y, &o, 1, 2, &t1, &i1);
        double *b = run_once(n, d, m, X, y, &o, 1, 2, &t2, &i2);
        /* Rows at 0, 20, ..., 240 and the last iterate 250. */
        assert_int_equal(t1.len, 14);
        for (size_t k = 0; k < 13; k++) assert_int_equal(t1.rows[k].iter, (long)(20 * k));
        assert_int_equal(t1.rows[13].iter, 250);
        assert_true(t1.rows[13].lr == 0.0);
        assert_true(t1.rows[1].lr == cr_train_lr(&o, 20));
        for (size_t k = 0; k < t1.len; k++) {
            const cr_train_row *r = &t1.rows[k];
            assert_true(r->objective == r->loss + r->penalty);
            assert_true(fabs(r->penalty - 0.5 * o.beta * r->norm2) <= 1e-15 * r->penalty);
            assert_true(k == 0 || r->seconds >= t1.rows[k - 1].seconds);
        }
        /* Training helps: the objective dropped by a large factor. */
        assert_true(t1.rows[13].objective < 0.5 * t1.rows[0].objective);
        assert_int_equal(i1.iterations, 250);
        assert_true(i1.objective == t1.rows[13].objective && i1.grad_norm == t1.rows[13].grad_norm);
        assert_int_equal(i1.fail_iter, -1);
        /* Same seeds: bitwise identical trajectory and result. */
        assert_int_equal(t2.len, t1.len);
        for (size_t k = 0; k < t1.len; k++) assert_true(rows_equal(&t1.rows[k], &t2.rows[k]));
        assert_memory_equal(a, b, p * sizeof *a);
        /* Another order seed changes SGD (only). */
        double *c = run_once(n, d, m, X, y, &o, 1, 99, &t3, &i3);
        if (sgd) assert_true(memcmp(a, c, p * sizeof *a) != 0);
        else assert_memory_equal(a, c, p * sizeof *a);
        free(a);
        free(b);
        free(c);
    }
    free(X);
    free(y);
}

static void test_callback_stops(void **state)
{
    (void)state;
    const size_t n = 50, d = 3, m = 4;
    double X[150], y[50];
    make_data(n, d, 1, 8, X, y);
    cr_train_opts o;
    cr_train_defaults(&o);
    o.loss = CR_LOSS_LOGISTIC;
    o.iters = 100;
    o.log_every = 10;
    static trace t;
    t.stop_at = 30;
    cr_train_info info;
    gsl_rng *ri = rng_new(1);
    cr_net *net = cr_net_alloc(d, m);
    cr_train_init(net, CR_INIT_GAUSSIAN, 0.5, ri, NULL);
    cr_train_work *w = cr_train_work_alloc(n, d, m, 0);
    t.len = 0;
    o.log = collect;
    o.log_ctx = &t;
    assert_int_equal(cr_train_run(w, net, X, y, n, &o, NULL, &info, NULL), 7);
    assert_int_equal(info.status, 7);
    assert_int_equal(t.len, 4);
    cr_train_work_free(w);
    cr_net_free(net);
    gsl_rng_free(ri);
}

/* ------------------------------------------------------------------------------------------------ SGD */

/* SGD's batch gradient is scaled by n/b: with the 1/t schedule it ends close to where GD ends, on a problem with
 * a unique minimum (logistic, beta > 0, m = 1 with the neuron active on every row: a strongly convex regime). */
static void test_sgd_reaches_gd(void **state)
{
    (void)state;
    const size_t n = 400, d = 4, m = 6;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    make_data(n, d, 1, 21, X, y);
    cr_train_opts o;
    cr_train_defaults(&o);
    o.loss = CR_LOSS_LOGISTIC;
    o.beta = 1.0;
    o.lr = 2e-3;
    o.iters = 3000;
    o.log_every = 1000;
    static trace tg, ts;
    tg.stop_at = ts.stop_at = -1;
    cr_train_info ig, is;
    double *a = run_once(n, d, m, X, y, &o, 4, 5, &tg, &ig);
    o.batch = 40;
    o.schedule = CR_LR_INV;
    o.lr_t0 = 300;
    o.iters = 6000;
    double *b = run_once(n, d, m, X, y, &o, 4, 5, &ts, &is);
    const double L0 = tg.rows[0].objective;
    /* Both improve a lot, and SGD's final full objective is within a few percent of GD's progress. */
    assert_true(ig.objective < 0.5 * L0);
    assert_true(is.objective - ig.objective < 0.05 * (L0 - ig.objective));
    free(a);
    free(b);
    free(X);
    free(y);
}

/* ------------------------------------------------------------------------------------- margins, divergence */

/* Margins of logged iterates, computed here with plain loops from the network's weights. */
typedef struct {
    const double *X, *y;
    size_t n, d;
    size_t len;
    long iter[64];
    double loss[64], gamma[64], smooth[64];
} margin_trace;

/* gamma = min_i y_i f_i / ||theta||^2, and Lyu and Li's smoothed margin log(1 / (exp(L) - 1)) / ||theta||^2 of the
 * logistic loss L = sum_i log(1 + exp(-y_i f_i)) (a lower bound of gamma once L < log 2). */
static int record_margin(void *ctx, const cr_train_row *row, const cr_net *net)
{
    margin_trace *t = ctx;
    if (t->len == 64) return 0;
    long double L = 0, mn = INFINITY, norm2 = 0;
    for (size_t k = 0; k < net->d * net->m + net->m; k++) norm2 += (long double)net->theta[k] * net->theta[k];
    for (size_t i = 0; i < t->n; i++) {
        long double f = 0;
        for (size_t j = 0; j < net->m; j++) {
            long double h = 0;
            for (size_t k = 0; k < t->d; k++) h += (long double)t->X[i * t->d + k] * net->W1[k * net->m + j];
            f += net->w2[j] * (h > 0 ? h : 0);
        }
        long double m = t->y[i] * f;
        mn = m < mn ? m : mn;
        L += m > 0 ? log1pl(expl(-m)) : -m + log1pl(expl(m));
    }
    t->iter[t->len] = row->iter;
    t->loss[t->len] = (double)L;
    t->gamma[t->len] = (double)(mn / norm2);
    t->smooth[t->len] = (double)(logl(1 / expm1l(L)) / norm2);
    t->len++;
    return 0;
}

static void test_max_margin_run(void **state)
{
    (void)state;
    /* Logistic loss, beta = 0 on separable data: once the loss is below log 2 (every point fit), the smoothed
     * normalized margin, a lower bound of the normalized margin, increases along the run (Lyu and Li, ICLR 2020:
     * a theorem for gradient flow on homogeneous networks, ReLU included, and for small-step gradient descent on
     * smooth ones); values stay finite over long runs. The theory does not say the margin reaches the max-margin
     * value 1 / (2 P*) (the limit is a KKT point of the max-margin problem, not necessarily a global one), so the
     * test asserts the growth. */
    const size_t n = 60, d = 3, m = 10;
    double X[180], y[60];
    make_data(n, d, 1, 77, X, y);
    gsl_rng *ri = rng_new(2);
    cr_net *net = cr_net_alloc(d, m);
    cr_train_init(net, CR_INIT_BALANCED, 0.1, ri, NULL);
    cr_train_work *w = cr_train_work_alloc(n, d, m, 0);
    cr_train_opts o;
    cr_train_defaults(&o);
    o.loss = CR_LOSS_LOGISTIC;
    o.beta = 0.0;
    o.lr = 0.05;
    o.iters = 20000;
    o.log_every = 500;
    static margin_trace tr;
    tr = (margin_trace){.X = X, .y = y, .n = n, .d = d};
    o.log = record_margin;
    o.log_ctx = &tr;
    cr_train_info info;
    cr_err e;
    assert_int_equal(cr_train_run(w, net, X, y, n, &o, NULL, &info, &e), CR_OK);
    /* The logged iterates t = 0, 500, ..., 20000; k0: the first with L < log 2. */
    assert_int_equal(tr.len, 41);
    size_t k0 = 0;
    while (k0 < tr.len && !(tr.loss[k0] < log(2.0))) k0++;
    assert_true(k0 < tr.len - 10);
    for (size_t k = k0; k < tr.len; k++) {
        if (k > k0 && !(tr.smooth[k] > tr.smooth[k - 1]))
            fail_msg("t = %ld: smoothed margin %.17g, %.17g at t = %ld", tr.iter[k], tr.smooth[k], tr.smooth[k - 1],
                     tr.iter[k - 1]);
        assert_true(tr.smooth[k] <= tr.gamma[k]);
    }
    /* Measured: gamma grows from 0.0077 (t = 1000, first below log 2) to 0.0110 at t = 20000, and at every logged
     * iterate in between, though only the smoothed margin's growth is a theorem. */
    assert_true(tr.gamma[tr.len - 1] > tr.gamma[k0]);
    assert_true(tr.gamma[tr.len - 1] > tr.smooth[tr.len - 1] && tr.smooth[tr.len - 1] > tr.gamma[k0]);
    double gamma, myf;
    assert_int_equal(cr_net_margin(net, X, y, n, cr_train_work_net(w), &gamma, &myf), CR_OK);
    assert_true(fabs(gamma - tr.gamma[tr.len - 1]) <= 1e-12 * gamma);
    assert_true(myf > 0.0 && isfinite(info.objective) && info.objective < 1.0);
    assert_true(info.penalty == 0.0);
    assert_true(fabs(gamma * info.norm2 - myf) <= 1e-12 * myf);
    cr_train_work_free(w);
    cr_net_free(net);
    gsl_rng_free(ri);
}

static void test_divergence(void **state)
{
    (void)state;
    const size_t n = 100, d = 5, m = 20;
    double X[500], y[100];
    make_data(n, d, 0, 9, X, y);
    for (int sgd = 0; sgd < 2; sgd++) {
        gsl_rng *ri = rng_new(3), *ro = rng_new(4);
        cr_net *net = cr_net_alloc(d, m);
        cr_train_init(net, CR_INIT_GAUSSIAN, 1.0, ri, NULL);
        cr_train_work *w = cr_train_work_alloc(n, d, m, sgd ? 10 : 0);
        cr_train_opts o;
        cr_train_defaults(&o);
        o.lr = 10.0;
        o.iters = 1000;
        o.batch = sgd ? 10 : 0;
        static trace t;
        t.len = 0;
        t.stop_at = -1;
        o.log = collect;
        o.log_ctx = &t;
        cr_train_info info;
        cr_err e;
        assert_int_equal(cr_train_run(w, net, X, y, n, &o, ro, &info, &e), CR_ERUNTIME);
        assert_int_equal(info.status, CR_ERUNTIME);
        assert_true(info.fail_iter > 0 && info.fail_iter < 1000);
        assert_true(isnan(info.objective));
        char want[64];
        snprintf(want, sizeof want, "diverged at iteration %ld", info.fail_iter);
        assert_non_null(strstr(e.msg, want));
        /* Nothing non-finite was ever logged. */
        for (size_t k = 0; k < t.len; k++) assert_true(isfinite(t.rows[k].objective));
        cr_train_work_free(w);
        cr_net_free(net);
        gsl_rng_free(ri);
        gsl_rng_free(ro);
    }
}

/* ------------------------------------------------------------------------------------------------ validation */

static void test_validation(void **state)
{
    (void)state;
    const size_t n = 10, d = 2, m = 3;
    double X[20] = { 0 }, y[10] = { 0 };
    cr_net *net = cr_net_alloc(d, m);
    cr_train_work *w = cr_train_work_alloc(n, d, m, 4);
    gsl_rng *ro = rng_new(1);
    /* One bad setting per case. */
    const char *keys[] = { "train.beta", "train.loss_weight", "train.iters", "train.lr", "train.lr_factor",
                           "train.lr_every", "train.lr_t0", "train.grad_tol", "train.log_every", "train.batch",
                           "train.schedule", "train.loss" };
    for (size_t c = 0; c < sizeof keys / sizeof *keys; c++) {
        cr_train_opts o;
        cr_train_defaults(&o);
        switch (c) {
        case 0: o.beta = -1; break;
        case 1: o.loss_weight = 0; break;
        case 2: o.iters = -1; break;
        case 3: o.lr = INFINITY; break;
        case 4: o.schedule = CR_LR_STEP; o.lr_factor = 1.5; break;
        case 5: o.schedule = CR_LR_STEP; o.lr_every = 0; break;
        case 6: o.schedule = CR_LR_INV; o.lr_t0 = 0; break;
        case 7: o.grad_tol = NAN; break;
        case 8: o.log_every = 0; break;
        case 9: o.batch = 5; break; /* the workspace was sized for 4 */
        case 10: o.schedule = (cr_lr_kind)9; break;
        case 11: o.loss = (cr_loss_kind)9; break;
        }
        cr_err e;
        cr_train_info info;
        assert_int_equal(cr_train_run(w, net, X, y, n, &o, ro, &info, &e), CR_EINPUT);
        if (!strstr(e.msg, keys[c])) fail_msg("case %zu: message \"%s\" does not name %s", c, e.msg, keys[c]);
        assert_int_equal(info.status, CR_EINPUT);
    }
    cr_train_opts o;
    cr_train_defaults(&o);
    cr_err e;
    o.batch = 4;
    assert_int_equal(cr_train_run(w, net, X, y, n, &o, NULL, NULL, &e), CR_EINPUT); /* SGD without its rng */
    assert_int_equal(cr_train_run(w, net, X, y, n + 1, &o, ro, NULL, &e), CR_EINPUT); /* too many rows */
    assert_null(cr_train_work_alloc(0, 1, 1, 0));
    cr_train_work_free(NULL);
    cr_train_work_free(w);
    cr_net_free(net);
    gsl_rng_free(ro);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced_init),
        cmocka_unit_test(test_gaussian_init),
        cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_toy_closed_form),
        cmocka_unit_test(test_logging_and_determinism),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_sgd_reaches_gd),
        cmocka_unit_test(test_max_margin_run),
        cmocka_unit_test(test_divergence),
        cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
