/* Gradient descent on the logistic loss of a linear model, L(w) = sum_i log(1 + exp(-y_i w'x_i)), no
 * regularization: the slides' "Implicit regularization" example, whose direction w_t / ||w_t|| tends to the
 * hard-margin SVM (Soudry et al., "The implicit bias of gradient descent on separable data", JMLR 2018).
 * Terms are evaluated stably (loss.h), so margins far beyond exp's range never overflow. */
#ifndef CR_LINEAR_LOGISTIC_H
#define CR_LINEAR_LOGISTIC_H

#include <stddef.h>

#include "err.h"

/* Called with every iterate w_t, t = 1..iters (d values), and the loss at it; non-zero stops the run and
 * becomes its status. */
typedef int (*cr_linear_logistic_log_fn)(void *ctx, long t, const double *w, double loss);

/* w (d) holds the start and receives w_iters; w_{t+1} = w_t - lr grad L(w_t). scratch: n doubles.
 * CR_ERUNTIME if the loss or w becomes non-finite (with the step), CR_EINPUT on bad arguments. */
int cr_linear_logistic_gd(const double *X, const double *y, size_t n, size_t d, double lr, long iters,
                          cr_linear_logistic_log_fn log, void *ctx, double *w, double *scratch, cr_err *err);

#endif
