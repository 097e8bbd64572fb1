/* Sector geometry of a central line arrangement in the plane (see plane_arrangement.h). */
#include "plane_arrangement.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void cr_plane_arrangement_rays(const double *X, size_t n, double *rays, size_t *nrays)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double a = X[2 * i], b = X[2 * i + 1];
        if (a == 0 && b == 0) continue;
        /* The line x'u = 0 has directions perp(x) = (-b, a) and its opposite. */
        double t = atan2(a, -b);
        if (t < 0) t += 2 * M_PI;
        rays[k++] = t;
        rays[k++] = fmod(t + M_PI, 2 * M_PI);
    }
    qsort(rays, k, sizeof *rays, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || rays[i] - rays[m - 1] > 1e-12) rays[m++] = rays[i];
    if (m > 1 && rays[0] + 2 * M_PI - rays[m - 1] <= 1e-12) m--;
    *nrays = m;
}
