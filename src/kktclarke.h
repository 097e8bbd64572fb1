/* The KKT fit of kkt.h at a nonsmooth point (docs/MATH.md, KKT multipliers and their fit: kinks). Gradient
 * descent on the logistic loss often converges in direction to a KKT point where a neuron's hyperplane passes
 * through a sample (x_i'w1_j = 0: the ReLU's kink). There the KKT conditions hold with the Clarke
 * subdifferential of the ReLU, [0, 1] at 0, not with the strict pattern D(w1_j) = diag(1(X w1_j > 0)):
 *     w2_j = lambda'(X w1_j)_+,        w1_j = w2_j X' S_j lambda,   S_j = diag(s_ij),
 *     s_ij = 1 if x_i'w1_j > 0,  0 if x_i'w1_j < 0,  any value in [0, 1] if x_i'w1_j = 0.
 * The fit: theta scaled to min_i y_i f_i = 1, lambda = c dir with the given direction dir (gradient descent's
 * logistic weights, marginflow.h's cr_mflow_dir), and (c >= 0, s_ij in [0, 1] for the pairs within tau of a kink)
 * minimizing the residual ||t - g(c, s)|| of the equations above (t stacks a w2_j and a w1_j). In t_ij = c s_ij the
 * problem is a convex quadratic program in (c, t) with 0 <= t_ij <= c, so the residual is convex in c: golden
 * section over c, and for each c, per neuron, cyclic coordinate descent on its box-constrained least squares in
 * s (exact for one kink per neuron, the common case). With no pair within tau this is cr_mm_kkt_fit_dir's
 * least-squares fit (restricted to c >= 0). Networks and data as in kkt.h. Plain loops: deterministic. */
#ifndef CR_KKTCLARKE_H
#define CR_KKTCLARKE_H

#include <stddef.h>

#include "err.h"
#include "mm_kkt.h"

typedef struct cr_kktc_work cr_kktc_work;

/* Scratch for n samples, d features and m neurons. NULL on a zero dimension or no memory; free accepts NULL. */
cr_kktc_work *cr_kktc_alloc(size_t n, size_t d, size_t m);
void cr_kktc_free(cr_kktc_work *w);

/* The fit's result is the strict fit's (mm_kkt.h): min_yf, scale, c (>= 0 here), resid and resid_abs at the fitted
 * (c, s), ytlambda, half_norm2, and kinks = the pairs (i, j) with |x_i'w1_j| <= tau ||x_i|| ||w1_j|| (w2_j != 0)
 * relaxed to s_ij in [0, 1]; dualnorm is NaN. */
typedef cr_mm_kkt_info cr_kktc_info;

/* The fit above with kink tolerance tau >= 0 (tau = 0: only exact zeros are relaxed). lambda (n, may be NULL)
 * receives c dir. CR_EINPUT when the network does not separate the data (min_i y_i f_i <= 0), on bad shapes or a
 * bad tau. No allocation. */
int cr_kktc_fit(cr_kktc_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                const double *w2, size_t m, const double *dir, double tau, double *lambda, cr_kktc_info *info,
                cr_err *err);

#endif
