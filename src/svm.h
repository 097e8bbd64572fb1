/* The linear hard-margin SVM without bias of docs/MATH.md (section Max margin), solved to a certified
 * duality gap:  min 1/2 ||w||^2 s.t. y_i w'x_i >= 1,  and its dual  max 1'a - 1/2 ||X'Y a||^2, a >= 0,
 * by least distance programming (one NNLS). Also the input check shared with the convex max-margin program
 * (maxmargin.h). Layouts: X n x d row-major, y in {-1,+1}^n. */
#ifndef CR_SVM_H
#define CR_SVM_H

#include <stddef.h>

#include "err.h"

typedef struct {
    double primal;     /* 1/2 ||w||^2 of the returned w (feasible: min_i y_i w'x_i = 1 up to one rounding) */
    double dual;       /* 1'a - 1/2 ||X'Y a||^2 of the returned a >= 0 (a lower bound on the optimum) */
    double gap;        /* primal - dual, or 0 when rounding makes that negative (never negative) */
    double rel_gap;    /* gap / primal */
    double min_margin; /* min_i y_i w'x_i of the returned w */
    size_t support;    /* samples with a_i > 0 */
} cr_svm_info;

typedef struct cr_svm_work cr_svm_work;

/* Workspace for at most n samples in d dimensions. NULL on a zero dimension or no memory. */
cr_svm_work *cr_svm_alloc(size_t n, size_t d);
void cr_svm_free(cr_svm_work *w);

/* Hard-margin SVM through least distance programming (Lawson and Hanson 1974, ch. 23, algorithm LDP):
 * with G = Y X, the NNLS  min_{v >= 0} || [G'; 1'] v - e_{d+1} ||  has residual r; r = 0 certifies that no
 * w has G w >= 1 (G'v = 0 with 1'v = 1, Farkas); otherwise w = -r_{1..d} / r_{d+1} is the minimum-norm
 * point and a = v / (1 - 1'v) the dual. The returned w is rescaled by 1 / min_i y_i w'x_i (exactly feasible)
 * and a by the optimal factor of its ray, so primal - dual is a certified gap.
 * wout (d) and a (n, may be NULL) receive the solution. tol > 0: the relative gap required (1e-8 typical).
 * CR_EINPUT when the data are not linearly separable (message says so) or on bad arguments; CR_ERUNTIME when
 * the NNLS fails or the certified relative gap exceeds tol (w, a and info are then still filled). */
int cr_svm_solve(cr_svm_work *w, const double *X, const double *y, size_t n, size_t d, double tol, double *wout,
                 double *a, cr_svm_info *info, cr_err *err);

/* The input both max-margin solvers need: every y_i is +1 or -1 and every entry of X is finite. CR_EINPUT naming
 * the first offending entry. */
int cr_svm_check_data(const double *X, const double *y, size_t n, size_t d, cr_err *err);

#endif
