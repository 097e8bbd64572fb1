/* Interior-point method for the squared-loss convex program of docs/MATH.md, a method of cr_convex_solve
 * (convex_ipm_run.c certifies, sparsifies and polishes its points):
 *   min 1/2 ||sum_b sigma_b D_b X u_b - y||^2 + beta sum_b t_b
 *   s.t. (t_b, u_b) in SOC_{d+1},  (2 D_b - I) X u_b >= 0,   b = 1..2p (u_1..u_p, u'_1..u'_p),
 * as a cone quadratic program solved by a primal-dual path-following method with Nesterov-Todd scaling and
 * Mehrotra's predictor-corrector (the method of cvxopt's coneqp, Vandenberghe 2010) plus Gondzio's
 * centrality correctors on the cone rows, exploiting the structure: the Newton matrix is block diagonal
 * ((d + 1) x (d + 1) per block) plus the rank-n term of the loss, solved through the n x n Woodbury system
 * (d columns per pattern, one rank-d update) with iterative refinement. Each iteration costs O(n^2 p d) and
 * O(n p d^2); memory O(n p) for the 2 p n cone-row slacks and multipliers.
 * Its iteration count does not depend on how many faces the cone projections cross, which is what slows
 * SSNAL on many-row patterns (n in the hundreds and more). */
#ifndef CR_CONVEX_IPM_H
#define CR_CONVEX_IPM_H

#include <stddef.h>

#include "patterns.h"

/* Called at every iteration with the current point U2 (2p x d, u_1..u_p then u'_1..u'_p; cone rows
 * satisfied up to the residual); near = 1 when the method's own relative gap s'z / max(1, |objective|)
 * is below 10 tol (it overestimates the true gap). Returns 1 to stop. */
typedef int (*cr_ipm_check)(void *ctx, const double *U2, int near);

typedef struct {
    long iterations;   /* interior-point iterations */
    long checks;       /* calls of the check */
    double rel_gap;    /* the method's own s'z / max(1, |objective|) at the end */
    double pres;       /* primal residual ||G x + s|| at the end (absolute) */
    double dres;       /* dual residual ||E'E x + q + G'z|| / max(1, ||q||) at the end */
} cr_ipm_info;

/* Runs the method from its standard starting point (the one of coneqp). It ends by itself when its own
 * relative gap is below tol / 1000 or after max_iter iterations. U2 receives the last point (untouched when
 * P->p = 0, which returns 0 at once, or when the starting point fails). Allocates its workspace on entry,
 * cr_convex_ipm_work_bytes(n, d, P->p) bytes (in doubles about 39 n p + 2 p (d + 1)^2 + 56 p (d + 1) + n^2
 * + n max(n, 256)), and frees it before returning.
 * Returns 0, 1 when the check stopped it, -1 on a numerical failure (a non-finite value or a factorization
 * that failed), -2 when memory could not be allocated. */
int cr_convex_ipm(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P, double beta,
                  double tol, long max_iter, cr_ipm_check check, void *ctx, double *U2, cr_ipm_info *info);

/* The bytes cr_convex_ipm allocates for n samples, d features and p patterns (0 for p = 0), from the same
 * buffer list as its allocation. */
size_t cr_convex_ipm_work_bytes(size_t n, size_t d, size_t p);

#endif
