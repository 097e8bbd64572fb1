/* The two-layer ReLU network of docs/MATH.md (Objective scales) in float64:
 *     f(theta; X) = sum_j (X w1_j)_+ w2_j,   L(theta) = lw * l(f, y) + beta/2 (||W1||_F^2 + ||w2||^2),
 * its gradient (a subgradient: ReLU'(0) = 0, hinge at the kink as in loss.h), and what the max-margin and
 * alignment experiments read off a network: per-sample outputs, the normalized margin, ||theta||, per-neuron norms.
 * Forward and backward are row-blocked matrix products (cr_linalg_gemm) with the ReLU, the output and the masked
 * backward fused per block, so the workspace holds one block of pre-activations whatever n is. No GSL in this
 * module. */
#ifndef CR_NET_H
#define CR_NET_H

#include <stddef.h>

#include "err.h"
#include "loss.h"

typedef struct {
    size_t d, m;     /* input dimension, neurons */
    double *theta;   /* d*m + m parameters, owned: W1 (d x m, row-major, column j = neuron j), then w2 (m) */
    double *W1;      /* = theta; does not own */
    double *w2;      /* = theta + d*m; does not own */
} cr_net;

/* A network of zeros; NULL if d or m is 0 or memory runs out. cr_net_free accepts NULL. */
cr_net *cr_net_alloc(size_t d, size_t m);
void cr_net_free(cr_net *net);
/* d*m + m: the length of theta and of every gradient. */
size_t cr_net_size(const cr_net *net);
/* dst <- src; CR_EINPUT if the shapes differ. */
int cr_net_copy(cr_net *dst, const cr_net *src);

/* The objective being evaluated. */
typedef struct {
    cr_loss_kind loss;
    double beta;        /* weight decay, >= 0 (0 for the max-margin runs) */
    double loss_weight; /* lw > 0 multiplying l: 1 normally; n / batch for an unbiased minibatch estimate;
                           2 with squared loss gives the slides' (z - y)^2 */
} cr_net_obj;

/* Values of one evaluation. objective = loss + penalty; norm2 = ||theta||^2. Non-finite values are reported
 * as they are: the caller decides what divergence means. */
typedef struct {
    double loss;        /* lw * l(f, y) */
    double penalty;     /* beta/2 ||theta||^2 */
    double objective;
    double norm2;
} cr_net_eval;

/* Scratch for up to nmax rows at a time: one block of pre-activations (block x m), f and r = grad l (nmax each).
 * NULL on a zero dimension or no memory. cr_net_work_free accepts NULL. */
typedef struct cr_net_work cr_net_work;
cr_net_work *cr_net_work_alloc(size_t nmax, size_t d, size_t m);
void cr_net_work_free(cr_net_work *w);
/* Rows per dgemm block (0: the default from d and m, see net.c; always clipped to nmax). Changing it changes
 * summation order, so results are bitwise reproducible for a fixed block and BLAS thread count. Benchmarks only. */
void cr_net_work_set_block(cr_net_work *w, size_t rows);
size_t cr_net_work_block(const cr_net_work *w);
/* on = 1 (default): the fused passes use AVX2+FMA when the CPU has them; 0: the portable scalar loops. The two
 * round differently. cr_net_work_vector tells which is in use. Tests and benchmarks only. */
void cr_net_work_set_vector(cr_net_work *w, int on);
int cr_net_work_vector(const cr_net_work *w);
/* The outputs f_1..f_n of the last cr_net_forward / cr_net_objective / cr_net_margin call (borrowed). */
const double *cr_net_work_f(const cr_net_work *w);

/* f = f(theta; X) for X n x d row-major (n <= nmax); f may be NULL (then read cr_net_work_f).
 * CR_EINPUT on a shape mismatch (nothing computed). */
int cr_net_forward(const cr_net *net, const double *X, size_t n, cr_net_work *w, double *f);

/* L at theta over (X, y), n <= nmax rows, and, when grad is not NULL, its gradient (length cr_net_size, same
 * layout as theta): r = lw grad l(f), g_w2 = A' r, G_H = (r w2') o 1(H > 0), g_W1 = X' G_H, plus beta theta.
 * ev may be NULL. CR_EINPUT on a shape mismatch or a bad obj (beta < 0, lw <= 0). */
int cr_net_objective(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *obj,
                     cr_net_work *w, double *grad, cr_net_eval *ev);

/* Reference evaluation on raw arrays, plain loops (no BLAS, no allocation), for checks independent of the
 * BLAS path: f (n) = sum_j (X w1_j)_+ w2_j with W1 d x m row-major (column j = w1_j) and w2 (m); returns
 * ||W1||_F^2 + ||w2||^2. */
double cr_net_reference(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                        double *f);

/* out <- net with its neurons in reverse order: a permutation, the same function and penalty. CR_EINPUT unless out
 * has net's shape. */
int cr_net_reverse(const cr_net *net, cr_net *out);
/* out <- net with neuron j split into `parts` neurons sqrt(a_i) (w1_j, w2_j), i < parts, at positions
 * j .. j + parts - 1 (the other neurons follow in their order): the same function, and the same penalty when
 * sum_i a_i = 1 (ReLU is positively homogeneous). CR_EINPUT unless out has d rows and m + parts - 1 neurons, j < m
 * and parts >= 1. */
int cr_net_split(const cr_net *net, size_t j, const double *a, size_t parts, cr_net *out);

/* The largest finite v_j over the neurons with w2_j > 0 (best[0]) and over those with w2_j < 0 (best[1]), -INFINITY
 * when there is none: a per-neuron measure (e.g. the alignment cosines of kkt.h) summarized per output sign. */
void cr_net_best_by_sign(const cr_net *net, const double *v, double best[2]);

/* ||theta||^2 = ||W1||_F^2 + ||w2||^2. */
double cr_net_norm2(const cr_net *net);
/* ||w1_j|| and |w2_j| for every neuron j; either array may be NULL. */
void cr_net_neuron_norms(const cr_net *net, double *w1norm, double *w2abs);
/* Normalized margin gamma = min_i y_i f_i / ||theta||^2 (docs/MATH.md, Normalized margin bound), and min_i y_i f_i in
 * *min_yf (may be NULL). gamma is NaN for theta = 0. */
int cr_net_margin(const cr_net *net, const double *X, const double *y, size_t n, cr_net_work *w, double *gamma,
                  double *min_yf);

#endif
