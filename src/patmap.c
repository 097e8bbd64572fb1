/* Pattern-matrix maps (see patmap.h). No GSL header here: cblas.h clashes with gsl_cblas.h. */
#include "patmap.h"

#include <cblas.h>

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
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)p, (int)d, 1.0, X, (int)d, Ud, (int)d, 0.0, T,
                (int)p);
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
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)d, (int)n, 1.0, Dm, (int)p, Xs, (int)d, 0.0, G,
                (int)d);
}
