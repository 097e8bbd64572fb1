/* Clarke stationarity of the regularized training objective L_beta (docs/MATH.md, Clarke stationary points):
 * the minimum-norm element of the Clarke subdifferential of L_beta at a network theta, where a pre-activation
 * x_i'w1_j at the ReLU's kink contributes any derivative s_ij in [0, 1] and (hinge loss) a margin y_i f_i at the
 * hinge's kink any slope t_i in [0, 1]. The element is the solution of a least-squares problem over a small
 * polytope of these multipliers, solved exactly by an active-set method and certified from below; and the
 * pattern sets I of the slides' theorem read off the same kinks. */
#ifndef CR_CLARKE_H
#define CR_CLARKE_H

#include <stddef.h>

#include "err.h"
#include "net.h"
#include "patterns.h"

/* ------------------------------------------------------------------------ the least-squares problem */

typedef struct {
    double norm;     /* ||g0 + G z|| at the returned z: the minimum, and an upper bound on it whatever the rounding */
    double lower;    /* certified lower bound on the minimum: max(0, min_{z' in the polytope} w'(g0 + G z')) / ||w||
                        with w = g0 + G z (0 when w = 0); equals norm at an exact solution */
    long iterations; /* active-set steps (additions, removals and full steps) */
} cr_clarke_ls_info;

/* Minimizes ||g0 + sum_k z_k g_k|| over the polytope
 *     0 <= z_k <= 1 for every k,   z_k <= z_{parent[k]} for every k with parent[k] >= 0
 * (parent may be NULL: the box [0, 1]^K). A parent must have no parent itself. g0 has p entries; G holds the K
 * generators g_k one after the other (K x p row-major, g_k = G + k p). Primal active-set method on the working set
 * of tight constraints: each step minimizes over the face by a minimum-norm least-squares solve (SVD), so
 * dependent generators are allowed; it ends when the multipliers of the working set have the right signs (up to
 * rounding), which with exact arithmetic is the exact minimum after finitely many steps. z (K) and w (p, the
 * element g0 + G z) receive the solution; info may be NULL. CR_EINPUT on a malformed parent array, CR_ERUNTIME on
 * allocation failure or when the step limit 20 (3K + 10) is hit. Allocates its own scratch (O(K^2 + p K)). */
int cr_clarke_ls(size_t p, size_t K, const double *g0, const double *G, const long *parent, double *z, double *w,
                 cr_clarke_ls_info *info, cr_err *err);

/* --------------------------------------------------------------------------------- a network's measure */

typedef struct {
    double measure;        /* norm of the minimum-norm element of the Clarke subdifferential (cr_clarke_ls) */
    double lower;          /* its certified lower bound */
    double grad_norm;      /* norm of the gradient with ReLU'(0) = 0 and the hinge's slope 0 at its kink (what
                              the trainer uses): the element at s = t = 0, so measure <= grad_norm */
    size_t relu_kinks;     /* pairs (i, j) with x_i'w1_j within tol of the kink (distance |x_i'w1_j| / ||x_i||) */
    size_t hinge_kinks;    /* samples with y_i f_i within tol of 1 (distance |y_i f_i - 1| / ||grad_theta f_i||) */
    size_t double_kinks;   /* ReLU kinks (i, j) whose sample i is also a hinge kink: z_ij <= t_i */
    size_t live;           /* neurons with ||w1_j|| > tol and |w2_j| > tol */
    size_t max_neuron_kinks; /* most ReLU kinks on one live neuron */
    int exact;             /* 1 when the kink rows of every live neuron are linearly independent: the polytope is then
                              exactly the Clarke subdifferential; 0: it contains it (the measure is a lower bound) */
    double kink_dist_max;  /* largest distance among the kinks counted (<= tol; 0 when there is none) */
    double free_dist_min;  /* smallest distance among the kinks not counted (> tol; +inf when there is none) */
    double live_norm_min;  /* smallest sqrt(||w1_j||^2 + w2_j^2) of a live neuron (+inf when there is none) */
    double dead_norm_max;  /* largest sqrt(||w1_j||^2 + w2_j^2) of a neuron that is not live (0 when there is none) */
    long iterations;       /* of cr_clarke_ls */
} cr_clarke_info;

/* The Clarke measure of L(theta) = lw l(f(theta; X), y) + beta/2 ||theta||^2 (obj: loss, beta, lw) at net on
 * X (n x d row-major), y (n). tol > 0 is a distance in parameter space: a kink whose surface lies within tol of
 * theta counts as reached (ReLU: |x_i'w1_j| <= tol ||x_i||; hinge: |y_i f_i - 1| <= tol ||grad_theta f_i||);
 * zero rows of X are never kinks. g (cr_net_size, may be NULL) receives the minimum-norm element; v (n, may be
 * NULL) the derivative of l at f that goes with it (grad l(f) for the squared and logistic losses; for the hinge
 * -y_i t_i at its kinks), the dual candidate of docs/MATH.md (Certified gap). CR_EINPUT on bad arguments,
 * CR_ERUNTIME from cr_clarke_ls or on allocation failure. */
int cr_clarke_network(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *obj,
                      double tol, double *g, double *v, cr_clarke_info *info, cr_err *err);

/* Which patterns a live neuron on kinks contributes (see cr_clarke_patterns). */
typedef enum {
    CR_CLARKE_CLOSED = 0, /* 1(X w1 >= 0) of the point on the kinks: kink bits 1 (the slides' closed pattern) */
    CR_CLARKE_STRICT = 1, /* 1(X w1 > 0) of that point: kink bits 0 */
    CR_CLARKE_BOTH = 2,   /* every combination of the kink bits: the patterns on all sides of the kinks */
} cr_clarke_sides;

/* Adds to I (I->n = n) the patterns of the live neurons of net (||w1_j|| > tol and |w2_j| > tol) at the point on
 * their kinks, the Clarke point the tolerance stands for: bit i is 1 where x_i'w1_j > tol ||x_i||, 0 where
 * x_i'w1_j < -tol ||x_i||, and on a ReLU kink (|x_i'w1_j| <= tol ||x_i||; a zero row of X is always on it) as
 * `sides` says. CR_CLARKE_BOTH allows at most 16 kinks per neuron (CR_EINPUT beyond). CR_ERUNTIME on memory. */
int cr_clarke_patterns(const cr_net *net, const double *X, size_t n, double tol, cr_clarke_sides sides,
                       cr_patterns *I, cr_err *err);

#endif
