/* Pattern-matrix maps (see patmap.h); the products go through linalg.h (the same at any BLAS thread count). */
#include "patmap.h"

#include "linalg.h"

void cr_patmap_load(const cr_patterns *P, double *Dm)
{
    size_t n = P->n, p = P->p;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < p; i++) Dm[k * p + i] = (double)cr_patterns_bit(P, i, k);
}

void cr_patmap_forward(const double *Dm, const double *X, size_t n, size_t d, size_t p, const double *Ud, double *T,
                       double *z)
{
    /* T (n x p) = X (n x d) Ud' (d x p) */
    cr_linalg_gemm(0, 1, n, p, d, 1.0, X, d, Ud, d, 0.0, T, p);
    for (size_t k = 0; k < n; k++) {
        const double *t = T + k * p, *m = Dm + k * p;
        double s = 0;
        for (size_t i = 0; i < p; i++) s += m[i] * t[i];
        z[k] = s;
    }
}

void cr_patmap_adjoint(const double *Dm, const double *X, size_t n, size_t d, size_t p, const double *g, double *Xs,
                       double *G)
{
    for (size_t k = 0; k < n; k++)
        for (size_t a = 0; a < d; a++) Xs[k * d + a] = g[k] * X[k * d + a];
    /* G (p x d) = Dm' (p x n) Xs (n x d) */
    cr_linalg_gemm(1, 0, p, d, n, 1.0, Dm, p, Xs, d, 0.0, G, d);
}
