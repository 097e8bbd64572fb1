/* Margins of networks (see maxmargin.h): the reference evaluation of min_i y_i f(theta; x_i) and 1/2 ||theta||^2,
 * the normalized margin gamma and its ceiling 1 / (2 P*) over all networks. Plain loops (cr_net_reference). */
#include "maxmargin.h"

#include <math.h>
#include <stdlib.h>

#include "net.h"


void cr_mm_network_eval(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                        size_t m, double *min_yf, double *half_norm2)
{
    double *f = malloc((n ? n : 1) * sizeof *f);
    double s = f ? cr_net_reference(X, n, d, W1, w2, m, f) : NAN;
    if (min_yf) {
        double mn = f ? INFINITY : NAN;
        for (size_t i = 0; f && i < n; i++)
            if (y[i] * f[i] < mn) mn = y[i] * f[i];
        *min_yf = mn;
    }
    if (half_norm2) *half_norm2 = 0.5 * s;
    free(f);
}

double cr_mm_gamma(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                   size_t m)
{
    double mn, h;
    cr_mm_network_eval(X, y, n, d, W1, w2, m, &mn, &h);
    return h > 0 ? mn / (2.0 * h) : NAN;
}

double cr_mm_gamma_ceiling(double pstar)
{
    return pstar > 0 ? 1.0 / (2.0 * pstar) : NAN;
}
