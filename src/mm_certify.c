/* The certificate of the max-margin program (see cr_mm_certify in maxmargin.h): every block projected onto its
 * cone by NNLS and rescaled to margin 1 (upper bound), lambda made dual feasible by max_j g_j (lower bound);
 * and the Caratheodory reduction of a feasible point to at most n + 1 blocks. */
#include "maxmargin_impl.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dualnorm.h"
#include "linalg.h"
#include "nnls.h"


/* Projection of u (d) onto K of mask by NNLS (Moreau: P_K(u) = u + X'(2D - I) mu*). */
/* u <- P_K(u) for the cone of mask, as u + A'mu with mu >= 0 from the NNLS. *scale (may be NULL) receives
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

double cr_mm_cone_violation(const double *X, const double *xnorm, size_t n, size_t d, const uint64_t *mask,
                                const double *u)
{
    double un = cr_linalg_nrm2(u, d), v = 0.0;
    if (un == 0.0) return 0.0;
    for (size_t l = 0; l < n; l++) {
        if (xnorm[l] == 0.0) continue;
        double t = (cr_mask_bit(mask, l) ? 1.0 : -1.0) * cr_linalg_dot(X + l * d, u, d) / (xnorm[l] * un);
        if (-t > v) v = -t;
    }
    return v;
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
                if (cr_mm_cone_violation(X, w->xnorm, n, d, mask, u) > 1e-15) {
                    if ((st = project_cone(w, X, n, d, mask, u, NULL, err))) return st;
                    if (cr_mm_cone_violation(X, w->xnorm, n, d, mask, u) > 1e-8) memset(u, 0, d * sizeof *u);
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

/* Caratheodory reduction of a feasible point (U, Up) over P: the nonzero blocks b have columns
 * a_b = [sigma_b Y D_j X u_b; ||u_b||] in R^{n+1}. While they are linearly dependent, a null vector c
 * (sum_b c_b a_b = 0) rescales u_b <- (1 - t c_b) u_b with t = min_{c_b > 0} 1 / c_b: the margins and the
 * objective do not move, the cones are kept, and one block vanishes. At the end the columns are independent,
 * so at most n + 1 blocks remain (m* <= n + 1 neurons). Dependence is judged by Householder QR with a
 * relative tolerance 1e-10 (Gram-Schmidt twice). Only run when at most capA blocks are nonzero (cost
 * O(k^2 n) per removed block); returns the number of blocks left, or SIZE_MAX when there were too many. */
size_t cr_mm_reduce_support(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double *U,
                             double *Up)
{
    size_t n = w->n, d = w->d, n1 = n + 1, kmax = w->capA;
    size_t *blk = w->rsblk;
    double *A = w->rsA, *Q = w->rsQ, *c = w->rsc, *coef = w->rsc + kmax + 1, *Rm = w->rsR;
    size_t k = 0;
    for (size_t j = 0; j < P->p; j++)
        for (int e = 0; e < 2; e++)
            if (cr_linalg_nrm2((e ? Up : U) + j * d, d) > 0) {
                if (k == kmax) return SIZE_MAX;
                blk[k++] = 2 * j + (size_t)e;
            }
    for (;;) {
        /* Columns, column-major in A: column t at A + t * n1. */
        for (size_t t = 0; t < k; t++) {
            size_t j = blk[t] / 2;
            int e = (int)(blk[t] % 2);
            const double *u = (e ? Up : U) + j * d;
            const uint64_t *mask = cr_patterns_mask(P, j);
            double *a = A + t * n1;
            for (size_t i = 0; i < n; i++)
                a[i] = cr_mask_bit(mask, i) ? (e ? -1.0 : 1.0) * y[i] * cr_linalg_dot(X + i * d, u, d) : 0.0;
            a[n] = cr_linalg_nrm2(u, d);
        }
        /* Gram-Schmidt (twice) in order; the first column within 1e-10 of the span of the earlier ones gives
         * the null vector: a_t = sum_s beta_s a_s, c = (beta, -1). Q holds the orthonormal basis, R in c. */
        size_t dep = SIZE_MAX, nb = 0; /* Rm: nb x nb upper triangle, row-major with stride n1 */
        for (size_t t = 0; t < k && dep == SIZE_MAX; t++) {
            double *v = Q + nb * n1, an = cr_linalg_nrm2(A + t * n1, n1);
            memcpy(v, A + t * n1, n1 * sizeof *v);
            for (size_t s = 0; s < nb; s++) coef[s] = 0.0;
            for (int pass = 0; pass < 2; pass++)
                for (size_t s = 0; s < nb; s++) {
                    double h = cr_linalg_dot(v, Q + s * n1, n1);
                    coef[s] += h;
                    for (size_t i = 0; i < n1; i++) v[i] -= h * Q[s * n1 + i];
                }
            double vn = cr_linalg_nrm2(v, n1);
            if (vn <= 1e-10 * an || nb == n1) {
                /* Solve R beta = coef (R upper triangular over the basis), beta in terms of the columns. */
                for (size_t s = nb; s-- > 0;) {
                    double h = coef[s];
                    for (size_t r = s + 1; r < nb; r++) h -= Rm[s * n1 + r] * c[r];
                    c[s] = h / Rm[s * n1 + s];
                }
                dep = t;
            } else {
                for (size_t i = 0; i < n1; i++) v[i] /= vn;
                for (size_t s = 0; s < nb; s++) Rm[s * n1 + nb] = coef[s];
                Rm[nb * n1 + nb] = vn;
                nb++;
            }
        }
        if (dep == SIZE_MAX) break;
        /* Independent columns so far are blk[0..dep) in order (none was skipped before dep). */
        c[dep] = -1.0;
        double tmin = INFINITY;
        for (size_t t = 0; t <= dep; t++)
            if (c[t] > 0 && 1.0 / c[t] < tmin) tmin = 1.0 / c[t];
        if (!isfinite(tmin)) break; /* cannot happen: sum_b c_b ||u_b|| = 0 with c_dep < 0 */
        size_t kept = 0;
        for (size_t t = 0; t < k; t++) {
            size_t j = blk[t] / 2;
            int e = (int)(blk[t] % 2);
            double *u = (e ? Up : U) + j * d;
            double f = t <= dep ? 1.0 - tmin * c[t] : 1.0;
            if (t <= dep && (f <= 1e-14 || (c[t] > 0 && 1.0 / c[t] == tmin))) {
                memset(u, 0, d * sizeof *u);
                continue;
            }
            for (size_t r = 0; r < d; r++) u[r] *= f;
            blk[kept++] = blk[t];
        }
        k = kept;
    }
    return k;
}
