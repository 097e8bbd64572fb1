/* The linear maps of the convex program on a dense 0/1 pattern matrix, shared by its solvers (convex_maps.c,
 * convex_ipm.c): Dm (n x p row-major, Dm[k p + i] = bit k of pattern i), the prediction
 * z = sum_i D_i X ud_i = rowsum(Dm o (X Ud')) and the adjoint rows X'D_i g = row i of Dm'(diag(g) X), each one
 * matrix product (cr_linalg_gemm). Layouts row-major: X n x d, Ud and G p x d. */
#ifndef CR_PATMAP_H
#define CR_PATMAP_H

#include <stddef.h>

#include "patterns.h"

/* Dm (n x P->p) from the masks of P. */
void cr_patmap_load(const cr_patterns *P, double *Dm);

/* z (n) = sum_i D_i X Ud_i; T (n x p) is scratch. */
void cr_patmap_forward(const double *Dm, const double *X, size_t n, size_t d, size_t p, const double *Ud, double *T,
                       double *z);

/* G (p x d), row i = X'D_i g; Xs (n x d) is scratch. */
void cr_patmap_adjoint(const double *Dm, const double *X, size_t n, size_t d, size_t p, const double *g, double *Xs,
                       double *G);

#endif
