/* Logistic gradient descent on a linear model (see linear_logistic.h). */
#include "linear_logistic.h"

#include <math.h>

#include "loss.h"

/* Loss at w, and scratch_i = y_i sigma(-y_i w'x_i) (minus the loss's derivative in the margin). */
static double evaluate(const double *X, const double *y, size_t n, size_t d, const double *w, double *scratch)
{
    double loss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double m = 0.0;
        for (size_t k = 0; k < d; k++) m += X[i * d + k] * w[k];
        m *= y[i];
        scratch[i] = y[i] * cr_sigmoid_neg(m);
        loss += cr_log1pexp_neg(m);
    }
    return loss;
}

int cr_linear_logistic_gd(const double *X, const double *y, size_t n, size_t d, double lr, long iters,
                          cr_linear_logistic_log_fn log, void *ctx, double *w, double *scratch, cr_err *err)
{
    if (!(lr > 0) || iters < 0 || n == 0 || d == 0) return cr_err_set(err, CR_EINPUT, "linear GD: bad arguments");
    for (long t = 0;; t++) {
        double loss = evaluate(X, y, n, d, w, scratch);
        if (!isfinite(loss)) return cr_err_set(err, CR_ERUNTIME, "linear GD: non-finite loss at step %ld", t);
        if (log && t > 0) {
            int st = log(ctx, t, w, loss);
            if (st) return st;
        }
        if (t == iters) break;
        for (size_t k = 0; k < d; k++) {
            double g = 0.0;
            for (size_t i = 0; i < n; i++) g -= scratch[i] * X[i * d + k];
            w[k] -= lr * g;
            if (!isfinite(w[k])) return cr_err_set(err, CR_ERUNTIME, "linear GD diverged at step %ld", t + 1);
        }
    }
    return CR_OK;
}
