/* Relative differences on the scale max(1, |ref|) (see relerr.h). */
#include "relerr.h"

#include <math.h>

double cr_relerr(double a, double ref)
{
    return (a - ref) / fmax(1.0, fabs(ref));
}

int cr_relerr_within(double a, double ref, double tol)
{
    return fabs(a - ref) <= tol * fmax(1.0, fabs(ref));
}

double cr_relerr_gap(double primal, double dual)
{
    return (primal - dual) / fmax(1.0, fabs(primal));
}

double cr_relerr_max_drop(const double *v, const long *t, size_t len, long from)
{
    double worst = 0;
    for (size_t k = 1; k < len; k++) {
        if (t[k - 1] < from) continue;
        double drop = (v[k - 1] - v[k]) / fabs(v[k - 1]);
        if (drop > worst) worst = drop;
    }
    return worst;
}
