/* Prediction metrics (see metrics.h). Logistic terms go through loss.h's stable evaluations, so a margin far
 * beyond exp's range gives its exact limit instead of inf. */
#include "metrics.h"

#include <math.h>

#include "loss.h"

double cr_metrics_class(double f) { return f >= 0 ? 1.0 : -1.0; }

double cr_metrics_probability(double f) { return cr_sigmoid_neg(-f); }

void cr_metrics_compute(const double *f, const double *y, size_t n, cr_metrics *out)
{
    out->n = n;
    if (n == 0) {
        out->mse = out->accuracy = out->logistic_loss = out->hinge_loss = NAN;
        return;
    }
    double se = 0, hits = 0, logistic = 0, hinge = 0;
    for (size_t i = 0; i < n; i++) {
        const double r = f[i] - y[i], q = y[i] * f[i];
        se += r * r;
        hits += cr_metrics_class(f[i]) == y[i];
        logistic += cr_log1pexp_neg(q);
        hinge += q < 1 ? 1 - q : 0;
    }
    out->mse = se / (double)n;
    out->accuracy = hits / (double)n;
    out->logistic_loss = logistic / (double)n;
    out->hinge_loss = hinge / (double)n;
}
