/* Gradient descent and SGD for the two-layer ReLU network (see train.h): initializations, schedules, the loop
 * with logging and divergence detection. The numerics are in net.c; this file includes GSL (for gsl_rng) and
 * therefore no CBLAS header. The loop allocates nothing: the workspace is sized once by cr_train_work_alloc. */
#include "train.h"
#include "timer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

struct cr_train_work {
    size_t n, d, m, batch; /* batch: 0 for full batch */
    cr_net_work *nw;       /* rows up to n */
    double *grad;          /* cr_net_size: gradient used for the update */
    double *gfull;         /* SGD: full gradient at logged iterates */
    double *Xb, *yb;       /* SGD: gathered batch (batch x d, batch) */
    size_t *perm;          /* SGD: order of the rows */
    size_t next;           /* SGD: next unread position in perm */
};

/* ------------------------------------------------------------------------------------------------- names */

const char *cr_init_name(cr_init_kind k)
{
    switch (k) {
    case CR_INIT_GAUSSIAN: return "gaussian";
    case CR_INIT_BALANCED: return "balanced";
    }
    return "?";
}

const char *cr_lr_name(cr_lr_kind k)
{
    switch (k) {
    case CR_LR_CONSTANT: return "constant";
    case CR_LR_STEP: return "step";
    case CR_LR_INV: return "inv";
    }
    return "?";
}

/* -------------------------------------------------------------------------------------------- initialization */

int cr_train_init(cr_net *net, cr_init_kind kind, double scale, gsl_rng *rng, cr_err *err)
{
    if (!(isfinite(scale) && scale > 0.0))
        return cr_err_set(err, CR_EINPUT, "init.scale: expected a finite number > 0, got %g", scale);
    if (!rng) return cr_err_set(err, CR_EINPUT, "init: no random number generator");
    const size_t d = net->d, m = net->m;
    switch (kind) {
    case CR_INIT_GAUSSIAN:
        for (size_t j = 0; j < m; j++) {
            for (size_t k = 0; k < d; k++) net->W1[k * m + j] = gsl_ran_gaussian(rng, scale);
            net->w2[j] = gsl_ran_gaussian(rng, scale);
        }
        return CR_OK;
    case CR_INIT_BALANCED:
        for (size_t j = 0; j < m; j++) {
            /* A Gaussian vector normalized is uniform on the sphere. The norm is accumulated in long double so
             * that ||w1_j|| = scale to the rounding of the final divisions alone. */
            long double s;
            do {
                s = 0.0L;
                for (size_t k = 0; k < d; k++) {
                    const double g = gsl_ran_gaussian(rng, 1.0);
                    net->W1[k * m + j] = g;
                    s += (long double)g * g;
                }
            } while (s == 0.0L);
            const long double c = (long double)scale / sqrtl(s);
            for (size_t k = 0; k < d; k++) net->W1[k * m + j] = (double)(net->W1[k * m + j] * c);
            net->w2[j] = gsl_rng_uniform(rng) < 0.5 ? -scale : scale;
        }
        return CR_OK;
    }
    return cr_err_set(err, CR_EINPUT, "init: unknown kind %d", (int)kind);
}

/* ------------------------------------------------------------------------------------------------- options */

void cr_train_defaults(cr_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->loss = CR_LOSS_SQUARED;
    o->beta = 0.0;
    o->loss_weight = 1.0;
    o->iters = 1000;
    o->batch = 0;
    o->schedule = CR_LR_CONSTANT;
    o->lr = 1e-3;
    o->lr_factor = 0.5;
    o->lr_every = 1000;
    o->lr_t0 = 100.0;
    o->grad_tol = 0.0;
    o->log_every = 100;
    o->log = NULL;
    o->log_ctx = NULL;
}

double cr_train_lr(const cr_train_opts *o, long t)
{
    switch (o->schedule) {
    case CR_LR_CONSTANT: return o->lr;
    case CR_LR_STEP: return o->lr * pow(o->lr_factor, (double)(t / o->lr_every));
    case CR_LR_INV: return o->lr / (1.0 + (double)t / o->lr_t0);
    }
    return NAN;
}

static int validate(const cr_train_work *w, const cr_net *net, const double *X, const double *y, size_t n,
                    const cr_train_opts *o, const gsl_rng *order_rng, cr_err *err)
{
    if (!w || !net || !o) return cr_err_set(err, CR_EINPUT, "train: missing workspace, network or options");
    if (n == 0 || !X || !y) return cr_err_set(err, CR_EINPUT, "train: no data");
    if (net->d != w->d || net->m != w->m || n > w->n)
        return cr_err_set(err, CR_EINPUT,
                          "train: network %zu x %zu and %zu rows do not fit the workspace (%zu x %zu, %zu rows)",
                          net->d, net->m, n, w->d, w->m, w->n);
    if (cr_loss_name(o->loss)[0] == '?') return cr_err_set(err, CR_EINPUT, "train.loss: unknown kind %d", (int)o->loss);
    if (!(isfinite(o->beta) && o->beta >= 0.0))
        return cr_err_set(err, CR_EINPUT, "train.beta: expected a finite number >= 0, got %g", o->beta);
    if (!(isfinite(o->loss_weight) && o->loss_weight > 0.0))
        return cr_err_set(err, CR_EINPUT, "train.loss_weight: expected a finite number > 0, got %g", o->loss_weight);
    if (o->iters < 0) return cr_err_set(err, CR_EINPUT, "train.iters: expected an integer >= 0, got %ld", o->iters);
    if (!(isfinite(o->lr) && o->lr > 0.0))
        return cr_err_set(err, CR_EINPUT, "train.lr: expected a finite number > 0, got %g", o->lr);
    switch (o->schedule) {
    case CR_LR_CONSTANT: break;
    case CR_LR_STEP:
        if (!(o->lr_factor > 0.0 && o->lr_factor <= 1.0))
            return cr_err_set(err, CR_EINPUT, "train.lr_factor: expected a number in (0, 1], got %g", o->lr_factor);
        if (o->lr_every < 1)
            return cr_err_set(err, CR_EINPUT, "train.lr_every: expected an integer >= 1, got %ld", o->lr_every);
        break;
    case CR_LR_INV:
        if (!(isfinite(o->lr_t0) && o->lr_t0 > 0.0))
            return cr_err_set(err, CR_EINPUT, "train.lr_t0: expected a finite number > 0, got %g", o->lr_t0);
        break;
    default: return cr_err_set(err, CR_EINPUT, "train.schedule: unknown kind %d", (int)o->schedule);
    }
    if (!(o->grad_tol >= 0.0))
        return cr_err_set(err, CR_EINPUT, "train.grad_tol: expected a number >= 0, got %g", o->grad_tol);
    if (o->log_every < 1)
        return cr_err_set(err, CR_EINPUT, "train.log_every: expected an integer >= 1, got %ld", o->log_every);
    const int sgd = o->batch > 0 && o->batch < n;
    if (sgd && o->batch > w->batch)
        return cr_err_set(err, CR_EINPUT, "train.batch: %zu rows exceed the workspace's %zu", o->batch, w->batch);
    if (sgd && !order_rng) return cr_err_set(err, CR_EINPUT, "train: SGD needs an order random number generator");
    return CR_OK;
}

/* ----------------------------------------------------------------------------------------------- workspace */

cr_train_work *cr_train_work_alloc(size_t n, size_t d, size_t m, size_t batch)
{
    if (n == 0 || d == 0 || m == 0) return NULL;
    if (batch >= n) batch = 0;
    cr_train_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->m = m;
    w->batch = batch;
    const size_t p = d * m + m;
    w->nw = cr_net_work_alloc(n, d, m);
    w->grad = malloc(p * sizeof *w->grad);
    int ok = w->nw && w->grad;
    if (batch) {
        w->gfull = malloc(p * sizeof *w->gfull);
        w->Xb = malloc(batch * d * sizeof *w->Xb);
        w->yb = malloc(batch * sizeof *w->yb);
        w->perm = malloc(n * sizeof *w->perm);
        ok = ok && w->gfull && w->Xb && w->yb && w->perm;
    }
    if (!ok) {
        cr_train_work_free(w);
        return NULL;
    }
    return w;
}

void cr_train_work_free(cr_train_work *w)
{
    if (!w) return;
    cr_net_work_free(w->nw);
    free(w->grad);
    free(w->gfull);
    free(w->Xb);
    free(w->yb);
    free(w->perm);
    free(w);
}

cr_net_work *cr_train_work_net(cr_train_work *w)
{
    return w->nw;
}

/* ------------------------------------------------------------------------------------------------- the loop */


static double vec_norm(const double *v, size_t p)
{
    double s = 0.0;
    for (size_t k = 0; k < p; k++) s += v[k] * v[k];
    return sqrt(s);
}

/* theta <- theta - lr g; returns 1 if every new weight is finite. The sum of squares is a cheap test:
 * it is non-finite if any weight is (or once ||theta||^2 overflows, which is divergence too). */
static int step(double *restrict theta, const double *restrict g, size_t p, double lr)
{
    double s = 0.0;
    for (size_t k = 0; k < p; k++) {
        theta[k] -= lr * g[k];
        s += theta[k] * theta[k];
    }
    return isfinite(s);
}

/* Gathers the next batch of rows into Xb, yb (a fresh permutation when fewer than b indices remain). */
static void next_batch(cr_train_work *w, const double *X, const double *y, size_t n, size_t b, gsl_rng *rng)
{
    if (w->next + b > n) {
        for (size_t i = 0; i < n; i++) w->perm[i] = i;
        gsl_ran_shuffle(rng, w->perm, n, sizeof *w->perm);
        w->next = 0;
    }
    const size_t d = w->d;
    for (size_t k = 0; k < b; k++) {
        const size_t i = w->perm[w->next + k];
        memcpy(w->Xb + k * d, X + i * d, d * sizeof *X);
        w->yb[k] = y[i];
    }
    w->next += b;
}

static int diverged(cr_train_info *info, cr_err *err, long t, const char *what, double v)
{
    info->status = CR_ERUNTIME;
    info->fail_iter = t;
    info->iterations = t;
    info->objective = info->loss = info->penalty = info->norm2 = info->grad_norm = NAN;
    return cr_err_set(err, CR_ERUNTIME, "train: diverged at iteration %ld: %s = %g", t, what, v);
}

int cr_train_run(cr_train_work *w, cr_net *net, const double *X, const double *y, size_t n,
                 const cr_train_opts *o, gsl_rng *order_rng, cr_train_info *info, cr_err *err)
{
    cr_train_info dummy;
    if (!info) info = &dummy;
    memset(info, 0, sizeof *info);
    info->fail_iter = -1;
    int st = validate(w, net, X, y, n, o, order_rng, err);
    if (st) {
        info->status = st;
        return st;
    }
    const double t_start = cr_seconds();
    const size_t p = cr_net_size(net);
    const int sgd = o->batch > 0 && o->batch < n;
    const size_t b = sgd ? o->batch : n;
    const cr_net_obj full = { o->loss, o->beta, o->loss_weight };
    const cr_net_obj part = { o->loss, o->beta, o->loss_weight * ((double)n / (double)b) };
    /* GD evaluates the full gradient into grad and steps with it; SGD keeps the full one apart. */
    double *gfull = sgd ? w->gfull : w->grad;
    w->next = n; /* forces a fresh permutation on the first batch */

    for (long t = 0;; t++) {
        const int last = t == o->iters;
        const int logged = last || t % o->log_every == 0;
        cr_net_eval ev = { NAN, NAN, NAN, NAN };
        double gnorm = NAN;
        if (!sgd || logged) {
            cr_net_objective(net, X, y, n, &full, w->nw, gfull, &ev);
            if (!isfinite(ev.norm2)) return diverged(info, err, t, "||theta||^2", ev.norm2);
            if (!isfinite(ev.objective)) return diverged(info, err, t, "objective", ev.objective);
            gnorm = vec_norm(gfull, p);
            if (!isfinite(gnorm)) return diverged(info, err, t, "gradient norm", gnorm);
        }
        const int converged = !sgd && o->grad_tol > 0.0 && gnorm <= o->grad_tol;
        const int stop = last || converged;
        if (logged || stop) {
            info->iterations = t;
            info->objective = ev.objective;
            info->loss = ev.loss;
            info->penalty = ev.penalty;
            info->norm2 = ev.norm2;
            info->grad_norm = gnorm;
            info->converged = converged;
            info->seconds = cr_seconds() - t_start;
            if (o->log) {
                const cr_train_row row = { t, stop ? 0.0 : cr_train_lr(o, t), ev.objective, ev.loss, ev.penalty,
                                           ev.norm2, gnorm, info->seconds };
                st = o->log(o->log_ctx, &row, net);
                if (st) {
                    info->status = st;
                    return st;
                }
            }
        }
        if (stop) break;

        if (sgd) {
            next_batch(w, X, y, n, b, order_rng);
            cr_net_eval evb;
            cr_net_objective(net, w->Xb, w->yb, b, &part, w->nw, w->grad, &evb);
            if (!isfinite(evb.objective)) return diverged(info, err, t, "minibatch objective", evb.objective);
        }
        if (!step(net->theta, w->grad, p, cr_train_lr(o, t)))
            return diverged(info, err, t + 1, "||theta||^2", cr_net_norm2(net));
    }
    info->status = CR_OK;
    info->seconds = cr_seconds() - t_start;
    return CR_OK;
}
