/* The certificate of the max-margin program (see cr_mm_certify in maxmargin.h): every block projected onto its
 * cone by NNLS and rescaled to margin 1 (upper bound), lambda made dual feasible by max_j g_j (lower bound). */
#include "maxmargin_impl.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cone.h"
#include "dualnorm.h"
#include "linalg.h"
#include "nnls.h"


/* u <- P_K(u) for the cone of mask by NNLS (Moreau: P_K(u) = u + X'(2D - I) mu*, mu >= 0). *scale (may be NULL) receives
 * ||u_in|| + sum_l mu_l ||x_l||, the size of the terms summed into the result: its rounding error is about
 * n eps times that, whatever the size of the result. */
static int project_cone(cr_mm_work *w, const double *X, size_t n, size_t d, const uint64_t *mask, double *u,
                        double *scale, cr_err *err)
{
    for (size_t l = 0; l < n; l++) {
        double sl = cr_mask_bit(mask, l) ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) w->nA[r * n + l] = sl * X[l * d + r];
    }
    for (size_t r = 0; r < d; r++) w->nb[r] = -u[r];
    double resid;
    int st = cr_nnls_solve(w->nnls, w->nA, d, n, w->nb, w->nx, &resid, err);
    if (st) return st;
    if (scale) {
        double sc = cr_linalg_nrm2(u, d);
        for (size_t l = 0; l < n; l++) sc += fabs(w->nx[l]) * w->xnorm[l];
        *scale = sc;
    }
    for (size_t r = 0; r < d; r++) {
        double t = u[r];
        for (size_t l = 0; l < n; l++) t += w->nA[r * n + l] * w->nx[l];
        u[r] = t;
    }
    return CR_OK;
}

int cr_mm_certify(cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                  double *U, double *Up, double *lambda, double *upper, double *lower, cr_err *err)
{
    if (!w || !X || !y || !P || !upper || !lower) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    if (n != w->n || d != w->d || P->n != n || P->p > w->pmax)
        return cr_err_set(err, CR_EINPUT, "maxmargin: problem %zu x %zu with %zu patterns does not fit workspace",
                          n, d, P->p);
    int st;
    *upper = INFINITY;
    *lower = 0.0;
    for (size_t i = 0; i < n; i++) w->xnorm[i] = cr_linalg_nrm2(X + i * d, d);
    if (U && Up) {
        for (size_t i = 0; i < n; i++) w->marg[i] = 0.0;
        double obj = 0.0;
        for (size_t j = 0; j < P->p; j++) {
            const uint64_t *mask = cr_patterns_mask(P, j);
            for (int e = 0; e < 2; e++) {
                double *u = (e ? Up : U) + j * d;
                double u0 = cr_linalg_nrm2(u, d);
                if (u0 == 0.0) continue;
                double scale;
                if ((st = project_cone(w, X, n, d, mask, u, &scale, err))) return st;
                /* When the projection is much shorter than u, u + A mu cancels and leaves rounding of size
                 * eps ||u|| in it: project again (now without cancellation). A block still far outside its
                 * cone (relative violation > 1e-8) is what is left of a rounding-level block of the iterate,
                 * with no direction of its own: it is dropped (the rescale below absorbs its margin). */
                if (cr_cone_violation(X, w->xnorm, n, d, mask, u) > 1e-15) {
                    if ((st = project_cone(w, X, n, d, mask, u, NULL, err))) return st;
                    if (cr_cone_violation(X, w->xnorm, n, d, mask, u) > 1e-8) memset(u, 0, d * sizeof *u);
                }
                /* So is a block no longer than the rounding of the first projection's sum (n + d terms of
                 * total size `scale`, the bound the NNLS's own tolerance uses): the exact projection is 0 to
                 * within that rounding, and what is left points anywhere, into the cone or not. */
                if (cr_linalg_nrm2(u, d) <= 10.0 * DBL_EPSILON * (double)(n + d) * scale) memset(u, 0, d * sizeof *u);
                obj += cr_linalg_nrm2(u, d);
                double sg = e ? -1.0 : 1.0;
                for (size_t i = 0; i < n; i++)
                    if (cr_mask_bit(mask, i)) w->marg[i] += sg * cr_linalg_dot(X + i * d, u, d);
            }
        }
        double mmin = INFINITY;
        for (size_t i = 0; i < n; i++) {
            double m = y[i] * w->marg[i];
            if (m < mmin) mmin = m;
        }
        if (mmin > 0 && isfinite(obj)) {
            for (size_t j = 0; j < P->p * d; j++) {
                U[j] /= mmin;
                Up[j] /= mmin;
            }
            *upper = obj / mmin;
        }
    }
    if (lambda) {
        for (size_t i = 0; i < n; i++)
            if (!(y[i] * lambda[i] > 0)) lambda[i] = 0.0;
        double G;
        if ((st = cr_dualnorm_over(w->dn, X, n, d, P, lambda, CR_DUALNORM_ABS, &G, NULL, NULL, NULL, err)))
            return st;
        double yl = cr_linalg_dot(y, lambda, n);
        if (G > 0) {
            for (size_t i = 0; i < n; i++) lambda[i] /= G;
            *lower = yl / G;
        } else {
            *lower = yl > 0 ? INFINITY : 0.0;
        }
    }
    return CR_OK;
}
