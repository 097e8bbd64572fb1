/* Training the two-layer ReLU network of net.h: full-batch gradient descent and minibatch SGD on
 *     L(theta) = lw * l(f(theta; X), y) + beta/2 ||theta||^2,
 * with constant, step and 1/t learning-rate schedules, the gaussian and balanced initializations of
 * docs/MATH.md (Training), logging through a callback and divergence detection (a non-finite objective or weight is a
 * failure with the iteration reported, never a result). Randomness comes only from the gsl_rng streams passed in. */
#ifndef CR_TRAIN_H
#define CR_TRAIN_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "err.h"
#include "loss.h"
#include "net.h"

/* -------------------------------------------------------------------------------------------- initialization */

typedef enum {
    CR_INIT_GAUSSIAN = 0, /* every entry of W1 and w2 ~ N(0, scale^2) */
    CR_INIT_BALANCED = 1, /* w1_j = scale * uniform direction, w2_j = +-scale (fair sign): ||w1_j|| = |w2_j| */
} cr_init_kind;

const char *cr_init_name(cr_init_kind k);

/* Fills net from rng (draws in neuron order; for balanced: d normals, then one uniform for the sign, per neuron).
 * CR_EINPUT with a message if scale is not finite and > 0 or the kind is unknown. */
int cr_train_init(cr_net *net, cr_init_kind kind, double scale, gsl_rng *rng, cr_err *err);

/* ------------------------------------------------------------------------------------------------- schedule */

typedef enum {
    CR_LR_CONSTANT = 0, /* lr */
    CR_LR_STEP = 1,     /* lr * factor^floor(t / every) */
    CR_LR_INV = 2,      /* lr / (1 + t / t0) */
} cr_lr_kind;

const char *cr_lr_name(cr_lr_kind k);

/* ------------------------------------------------------------------------------------------------- training */

/* One logged iterate: full-batch values at theta_t (also for SGD, which evaluates the full objective only here). */
typedef struct {
    long iter;          /* t: updates done before this iterate (0: the initial point) */
    double lr;          /* step of the update from theta_t; 0 at the last row */
    double objective;   /* loss + penalty */
    double loss;        /* lw * l(f, y) */
    double penalty;     /* beta/2 ||theta||^2 */
    double norm2;       /* ||theta||^2 */
    double grad_norm;   /* ||grad L(theta_t)||_2, full batch */
    double seconds;     /* wall time since the run started, s */
} cr_train_row;

/* Called for t = 0, every log_every iterations, and the last iterate; net is theta_t (borrowed: read only,
 * e.g. for margins or alignment). A non-zero return stops the run and becomes its status. */
typedef int (*cr_train_log_fn)(void *ctx, const cr_train_row *row, const cr_net *net);

typedef struct {
    cr_loss_kind loss;
    double beta;            /* weight decay >= 0 */
    double loss_weight;     /* lw > 0 (1: loss.h's losses as they are) */
    long iters;             /* updates, >= 0 */
    size_t batch;           /* 0 or >= n: full-batch gradient descent; else SGD on batches of this many rows */
    cr_lr_kind schedule;
    double lr;              /* initial step > 0 */
    double lr_factor;       /* step: multiplier in (0, 1] */
    long lr_every;          /* step: iterations between multiplications, >= 1 */
    double lr_t0;           /* inv: time constant > 0 */
    double grad_tol;        /* GD: stop at the first iterate with ||grad|| <= grad_tol (0: never) */
    long log_every;         /* log every this many iterations, >= 1 (the first and last iterates always) */
    cr_train_log_fn log;    /* may be NULL */
    void *log_ctx;          /* passed to log; not owned */
} cr_train_opts;

/* Defaults: squared loss, beta 0, lw 1, 1000 iterations, full batch, constant lr 1e-3 (step: factor 0.5 every
 * 1000; inv: t0 100), grad_tol 0, log_every 100, no callback. */
void cr_train_defaults(cr_train_opts *o);

typedef struct {
    long iterations;    /* updates done */
    double objective;   /* at the final iterate (full batch); NaN if the run failed */
    double loss, penalty, norm2;
    double grad_norm;   /* full-batch gradient norm at the final iterate */
    int status;         /* CR_OK, CR_ERUNTIME (diverged), or the log callback's non-zero return */
    int converged;      /* 1 if grad_tol stopped the run */
    long fail_iter;     /* divergence: the first iterate t with a non-finite objective or weights; else -1 */
    double seconds;     /* wall time of the run, s */
} cr_train_info;

/* Workspace for n rows of d features, m neurons and batch rows (0: full batch). NULL on a zero dimension or
 * no memory. cr_train_work_free accepts NULL. */
typedef struct cr_train_work cr_train_work;
cr_train_work *cr_train_work_alloc(size_t n, size_t d, size_t m, size_t batch);
void cr_train_work_free(cr_train_work *w);
/* The network workspace inside (borrowed), e.g. for cr_net_margin on the training rows. */
cr_net_work *cr_train_work_net(cr_train_work *w);

/* Trains net in place on (X n x d row-major, y n) from its current parameters.
 *   GD:  theta_{t+1} = theta_t - lr_t grad L(theta_t), t = 0..iters-1.
 *   SGD: the same with grad replaced by the gradient of lw (n/b) l(f_B, y_B) + beta/2 ||theta||^2 on batch B:
 *        an unbiased estimate. Batches are consecutive slices of a permutation of 0..n-1 drawn from order_rng;
 *        a fresh permutation when fewer than b indices remain (so each batch has distinct rows).
 * order_rng is required for SGD and ignored for GD. Options are validated before anything runs (CR_EINPUT with a
 * message naming the field). Divergence returns CR_ERUNTIME with the iteration in the message and in
 * info->fail_iter; the parameters are then the diverged iterate and must not be used. info may be NULL. */
int cr_train_run(cr_train_work *w, cr_net *net, const double *X, const double *y, size_t n,
                 const cr_train_opts *o, gsl_rng *order_rng, cr_train_info *info, cr_err *err);

/* Step size lr_t of the schedule at iteration t. */
double cr_train_lr(const cr_train_opts *o, long t);

#endif
