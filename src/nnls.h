/* Nonnegative least squares min_{x >= 0} ||A x - b|| (Lawson and Hanson, "Solving Least Squares Problems",
 * 1974, ch. 23): an active-set method that terminates in finitely many steps with the exact optimum up to
 * rounding. The per-pattern dual checks g_i(v) of docs/MATH.md (Certified gap) are NNLS problems. */
#ifndef CR_NNLS_H
#define CR_NNLS_H

#include <stddef.h>

#include "err.h"

typedef struct cr_nnls_work cr_nnls_work;

/* Workspace for A of at most m rows and k columns. NULL on allocation failure. */
cr_nnls_work *cr_nnls_alloc(size_t m, size_t k);
/* The bytes cr_nnls_alloc(m, k) requests. */
size_t cr_nnls_work_bytes(size_t m, size_t k);
void cr_nnls_free(cr_nnls_work *w);

/* Solves for A (m x k, row-major, m and k within the workspace) and b (m); x (k) receives the solution,
 * *resid the residual norm ||A x - b||. CR_ERUNTIME if the iteration limit (3 k + 30 outer steps) is hit.
 * No allocation. */
int cr_nnls_solve(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b, double *x,
                  double *resid, cr_err *err);

#endif
