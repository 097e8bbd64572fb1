/* Metrics of a network's predictions f against labels y (docs/fit.md), as `cvxrelu fit` and `cvxrelu predict`
 * report them: means over the samples (the training objective of docs/MATH.md is a sum; these are not).
 *   mse            1/n sum_i (f_i - y_i)^2
 *   accuracy       1/n #{i : class(f_i) = y_i},   class(f) = +1 when f >= 0, else -1
 *   logistic_loss  1/n sum_i log(1 + exp(-y_i f_i))
 *   hinge_loss     1/n sum_i max(0, 1 - y_i f_i)
 * and the per-sample class and probability P(y = +1 | x) = sigma(f) = 1 / (1 + exp(-f)) of the logistic model.
 * The classification metrics assume labels in {-1, +1}. Plain loops, no allocation. */
#ifndef CR_METRICS_H
#define CR_METRICS_H

#include <stddef.h>

typedef struct {
    size_t n;             /* samples */
    double mse;           /* mean squared error */
    double accuracy;      /* fraction of samples whose class(f) is their label, in [0, 1] */
    double logistic_loss; /* mean logistic loss */
    double hinge_loss;    /* mean hinge loss */
} cr_metrics;

/* The metrics of f against y over n >= 1 samples into *out; every field NaN when n = 0. */
void cr_metrics_compute(const double *f, const double *y, size_t n, cr_metrics *out);

/* +1 when f >= 0, else -1 (the convention of data.h's sign labels: 0 -> +1). */
double cr_metrics_class(double f);

/* sigma(f) = 1 / (1 + exp(-f)), without overflow for any finite f. */
double cr_metrics_probability(double f);

#endif
