/* Gradient descent on the logistic loss of the two-layer ReLU network (net.h) with the loss-scaled step
 *     theta_{t+1} = theta_t - (eta / L(theta_t)) grad L(theta_t),   L(theta) = sum_i log(1 + exp(-y_i f_i)),
 * capped at kappa / (||theta_t||^2 L(theta_t)), run after the data are separated (docs/MATH.md, KKT multipliers and their fit: reaching a small KKT residual).
 * It follows the path of the gradient flow of L with time reparametrized by dt = ds / L (the step is the flow's
 * step ds = eta / L), so that ||theta||^2 grows geometrically per step instead of logarithmically in t, and the
 * normalized network approaches its limiting KKT direction in thousands of steps instead of 10^100. The cap keeps
 * the steps stable: the loss's curvature across the direction of theta grows like L ||theta||^2, so without it
 * the discrete steps leave the flow's path once eta ||theta||^2 is of the order of 100 (the normalized margin then
 * falls); with it ||theta||^2 grows by about 4 kappa gamma per step (gamma the normalized margin). The
 * per-sample weights sigma(-y_i f_i) and the loss terms are carried in the log domain, shifted by their largest
 * value, so nothing underflows when the margins y_i f_i grow far beyond exp's range (a margin of 10^4 has
 * L = e^(-10^4)). Plain loops in a fixed order (no BLAS): the same input gives the same bits on any thread
 * count. Networks are W1 (d x m row-major, column j = neuron j) and w2 (m); X is n x d row-major,
 * y in {-1, +1}^n. */
#ifndef CR_MARGINFLOW_H
#define CR_MARGINFLOW_H

#include <stddef.h>

#include "err.h"
#include "net.h"

typedef struct {
    double eta;    /* step eta / L(theta_t), > 0 (relative change of ||theta||^2 per step about 4 eta gamma) */
    double kappa;  /* cap: the step is min(eta, kappa / ||theta_t||^2) / L(theta_t) (0: no cap), see below */
    long steps;    /* at most this many steps, >= 0 */
    double target; /* stop at the first iterate with min_i y_i f_i >= target (0: run all steps) */
    long settle_steps; /* then settle_levels phases of settle_steps steps, kappa divided by 10 before each (0: none) */
    int settle_levels;
} cr_mflow_opts;

/* eta 0.005, kappa 5, steps 10^8, target 10^4, 4 settling phases of 2000 steps. The settling phases damp the
 * zigzag across the ReLU's kinks: where the limit network has x_i'w1_j = 0 the discrete steps cross that
 * hyperplane back and forth with an amplitude proportional to the step, which moves the margins y_i f_i by
 * O(kappa) in absolute terms and the multipliers sigma(-y_i f_i) by factors e^(O(kappa)); a step 10^4 times
 * smaller brings the iterate back to the flow's sliding path within a few hundred steps. */
void cr_mflow_defaults(cr_mflow_opts *o);

typedef struct {
    long steps;      /* steps taken (settling included) */
    long halvings;   /* step halvings: a step that did not lower L is retried with half the step, up to 60 times */
    double min_yf;   /* min_i y_i f_i at the final iterate */
    double log_loss; /* log L(theta) at the final iterate (finite however small L is) */
    double norm2;    /* ||theta||^2 at the final iterate */
    int reached;     /* 1 when the run reached target (and then settled) */
} cr_mflow_info;

typedef struct cr_mflow_work cr_mflow_work;

/* Scratch for n samples, d features and m neurons. NULL on a zero dimension or no memory. Accepts NULL in free. */
cr_mflow_work *cr_mflow_alloc(size_t n, size_t d, size_t m);
void cr_mflow_free(cr_mflow_work *w);

/* Runs the loss-scaled descent on net in place from its current parameters until target or o->steps steps,
 * then, when target was reached, the settling phases. CR_EINPUT on bad options or shapes
 * (nothing changed); CR_ERUNTIME if a step cannot lower L even after 60 halvings or a weight becomes non-finite
 * (net then holds the last accepted iterate). info may be NULL. No allocation. */
int cr_mflow_run(cr_mflow_work *w, cr_net *net, const double *X, const double *y, size_t n,
                 const cr_mflow_opts *o, cr_mflow_info *info, cr_err *err);

/* The logistic multipliers' direction at a network, scaled so that the largest entry has magnitude 1:
 *     dir_i = y_i sigma(-y_i f_i) / max_k sigma(-y_k f_k),
 * computed in the log domain (the ratio is exact where sigma(-y_i f_i) itself underflows). cr_mm_kkt_fit's
 * lambda = c y_i sigma(-y_i f_i) is this direction times a constant, so cr_mm_kkt_fit_dir with it gives the same
 * multipliers, also where the unscaled weights underflow. */
void cr_mflow_dir(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                  size_t m, double *dir);

#endif
