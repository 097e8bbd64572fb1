/* Networks of the max-margin program (see maxmargin.h): the reconstruction from a convex point, the reference
 * evaluation of margins and norm, the normalized margin gamma and its ceiling 1 / (2 P*). Plain loops. */
#include "maxmargin.h"

#include <math.h>
#include <stdlib.h>

#include "linalg.h"
#include "net.h"


int cr_mm_to_network(const double *U, const double *Up, size_t p, size_t d, double *W1, double *w2, size_t mcap,
                     size_t *m, cr_err *err)
{
    if (!U || !Up || !m || (mcap > 0 && (!W1 || !w2))) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    size_t need = 0;
    for (size_t j = 0; j < p; j++) {
        need += cr_linalg_nrm2(U + j * d, d) > 0;
        need += cr_linalg_nrm2(Up + j * d, d) > 0;
    }
    *m = need;
    if (need > mcap)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu nonzero blocks need %zu neurons, room for %zu", need, need,
                          mcap);
    size_t c = 0;
    for (size_t j = 0; j < p; j++)
        for (int e = 0; e < 2; e++) {
            const double *u = (e ? Up : U) + j * d;
            double un = cr_linalg_nrm2(u, d);
            if (un == 0.0) continue;
            double sq = sqrt(un);
            for (size_t r = 0; r < d; r++) W1[r * mcap + c] = u[r] / sq;
            w2[c] = e ? -sq : sq;
            c++;
        }
    return CR_OK;
}

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
