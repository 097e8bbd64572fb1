/* The max-margin problem of docs/MATH.md (section Max margin) for two-layer ReLU networks, solved to a
 * certified duality gap (the linear hard-margin SVM is in svm.h):
 *   - the convex max-margin program over a pattern set D_1..D_p (exact, sampled or a subset I),
 *     P* = min sum_j (||u_j|| + ||u'_j||)  s.t.  Y sum_j D_j X (u_j - u'_j) >= 1,  u_j, u'_j in K_j,
 *     K_j = {u : (2 D_j - I) X u >= 0}, and its dual D* = max y'lambda s.t. Y lambda >= 0, g_j(lambda) <= 1;
 *   - the optimal network it gives and the normalized margin gamma(theta) <= 1 / (2 P*).
 * Layouts: X n x d row-major, y in {-1,+1}^n; a convex point is U, U' (p x d row-major, row j = u_j, u'_j);
 * a network is W1 (d x m row-major, column j = neuron j) and w2 (m). Implemented by maxmargin.c (workspace,
 * solve), mm_cones.c, mm_ipm.c, mm_certify.c (behind the private maxmargin_impl.h) and mm_margin.c. */
#ifndef CR_MAXMARGIN_H
#define CR_MAXMARGIN_H

#include <stddef.h>

#include "err.h"
#include "patterns.h"

/* ------------------------------------------------------------------------- convex max-margin program */

typedef struct cr_mm_work cr_mm_work;

/* Workspace for n samples, d features and at most pmax patterns. NULL on a zero dimension or no memory. */
cr_mm_work *cr_mm_alloc(size_t n, size_t d, size_t pmax);
void cr_mm_free(cr_mm_work *w);

/* The bytes cr_mm_alloc(n, d, pmax) requests, exactly (0 for a zero dimension, SIZE_MAX past any memory).
 * For pmax > n, about 8 [pmax (4 n d + 40 n + 3 d^2 + 70 d + 80) + 4 (n + 1)^2 (d + 1)^2 + 4 n (n + 1) (d + 1)
 * + n^2]: the 19 vectors over the slacks (n + 2 pmax (n + d + 1) each) and the cone data of each pattern, then
 * the dense part of the Newton step, its margin rows and the Schur complement. */
size_t cr_mm_work_bytes(size_t n, size_t d, size_t pmax);

typedef struct {
    double tol;      /* certified relative gap (upper - lower) / upper to stop at; default 1e-8 */
    long max_iter;   /* interior-point iterations; default 200 */
    int polish;      /* 1: after convergence (or a near miss, gap <= 1e-4) re-solve on the blocks that carry the
                        solution, so that the others are exactly 0 (kept only if its certified gap meets tol);
                        default 1 */
} cr_mm_opts;

void cr_mm_opts_default(cr_mm_opts *o);

typedef enum {
    CR_MM_CONVERGED = 0,  /* certified relative gap <= tol */
    CR_MM_MAX_ITER = 1,   /* iteration limit or stalled steps: the best certified point is returned */
    CR_MM_INFEASIBLE = 2, /* no network separates the data over these patterns (certificate in the message) */
    CR_MM_NUMERICAL = 3,  /* breakdown before any certificate: nothing returned is a result */
} cr_mm_status;

const char *cr_mm_status_name(cr_mm_status s);

typedef struct {
    cr_mm_status status;
    double primal;         /* upper bound: sum_j (||u_j|| + ||u'_j||) of the returned, feasible point */
    double dual;           /* lower bound: y'lambda of the returned lambda, scaled so max_j g_j(lambda) = 1 */
    double gap;            /* primal - dual, or 0 when rounding makes that negative (never negative) */
    double rel_gap;        /* gap / primal */
    double min_margin;     /* min_i y_i (sum_j D_j X (u_j - u'_j))_i of the returned point: 1 up to rounding */
    double cone_violation; /* max over nonzero blocks of max_k -((2 D_j - I) X u)_k / (||x_k|| ||u||) */
    long iterations;       /* interior-point iterations (including the polish solve) */
    size_t nnz;            /* nonzero blocks u_j, u'_j of the returned point (<= n + 1 after the support
                              reduction, kept unless its certified gap is worse than tol and the solve's) */
    size_t dropped;        /* patterns left out: K_j = {0}, or K_j lower-dimensional and covered by another
                              pattern that agrees with it off the rows where x_k'u = 0 on K_j (same atoms) */
    size_t reduced;        /* patterns with a lower-dimensional K_j kept and solved in its span */
    int polished;          /* 1 when the returned point comes from the polish solve */
    double seconds;        /* wall clock */
} cr_mm_info;

/* Solves the convex max-margin program for X (n x d, d <= 63), y (n, entries +-1) and patterns P (P->n = n,
 * 1 <= P->p <= the workspace's pmax).
 *
 * Method: a primal-dual interior-point method for the second-order cone program
 *     min sum_b t_b  s.t. ||u_b|| <= t_b,  C_b u_b >= 0,  Y sum_b sigma_b D_j(b) X u_b >= 1
 * (blocks b = (j, sigma); C_b the irredundant unit rows of K_j), in the homogeneous self-dual embedding with
 * Nesterov-Todd scaling and Mehrotra's predictor-corrector, as in cvxopt's conelp (L. Vandenberghe, "The
 * CVXOPT linear and quadratic cone program solvers", 2010), so that infeasibility is detected rather than
 * looped on. Why this method: the program has n (small) coupling rows and 2p independent blocks of dimension
 * d + 1 (small), so each Newton system is block diagonal plus a rank-n term: block factors and one n x n
 * Schur complement (Woodbury), O(p n^2 d) per iteration, with the few blocks near the cone boundary (whose
 * inverse would cancel catastrophically in Woodbury) factored densely; an interior-point method reaches
 * 1e-9 in 15-30 iterations where first-order methods (ADMM, proximal gradient) need thousands of iterations
 * for a certified 1e-8 on these degenerate, non-smooth programs. Cones with no interior are restricted to
 * their span, or dropped when another pattern covers them; at the end the support is reduced
 * (Caratheodory, cr_convex_reduce_support_ws) to at most n + 1 blocks without changing margins or objective.
 *
 * Stopping rule: a certificate, recomputed from scratch from the iterate: every block is projected onto its
 * cone exactly (NNLS), the point is rescaled by 1 / min margin (so it is feasible; upper bound), and the dual
 * iterate lambda (with Y lambda >= 0) is divided by max_j g_j(lambda) from cr_dualnorm_pattern (lower bound
 * y'lambda, valid whatever the solver's accuracy). The solver stops when (upper - lower) / upper <= tol.
 *
 * U, Up (p x d) receive the point (rows of dropped patterns are 0); lambda (n, may be NULL) the dual point.
 * Returns CR_OK with status CONVERGED or MAX_ITER (the best certified point is returned); CR_EINPUT on bad
 * arguments and when the data are not separable over these patterns (status INFEASIBLE: a zero sample, or
 * a dual ray lambda with Y lambda >= 0, y'lambda = 1 and max_j g_j(lambda) tiny, reported in the message);
 * CR_ERUNTIME with status NUMERICAL on a breakdown before any certificate. No allocation. */
int cr_mm_solve(cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                const cr_mm_opts *opts, double *U, double *Up, double *lambda, cr_mm_info *info, cr_err *err);

/* The certificate on its own, for any point (U, Up) and any lambda (both may be modified):
 * blocks are projected onto their cones (twice when the first projection cancels; a block still outside its
 * cone by more than 1e-8 relative after that, or no longer than 10 (n + d) eps times the size of the terms
 * its projection summed, is rounding noise and is set to 0), (U, Up) rescaled to min margin 1 (*upper = its
 * objective, +INFINITY if its margins are not all positive), lambda clipped to Y lambda >= 0 and divided by
 * max_j g_j(lambda) (*lower = y'lambda, 0 for lambda = 0). Either of (U, Up) or lambda may be NULL (the matching
 * bound is then not computed). Uses the workspace's NNLS scratch; no allocation. */
int cr_mm_certify(cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                  double *U, double *Up, double *lambda, double *upper, double *lower, cr_err *err);

/* The network of a solution (U, Up): cr_convex_to_network (convex.h) on the view {p, d, U, Up}. */

/* Reference evaluation (plain loops, cr_net_reference) of a network on (X, y): *min_yf = min_i y_i f(theta; x_i)
 * and *half_norm2 = 1/2 ||theta||^2 (either may be NULL; both NaN if an n-vector cannot be allocated). */
void cr_mm_network_eval(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                        size_t m, double *min_yf, double *half_norm2);

/* Normalized margin gamma(theta) = min_i y_i f(theta; x_i) / ||theta||^2 (NaN for theta = 0), plain loops. */
double cr_mm_gamma(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                   size_t m);

/* Its ceiling over all networks, 1 / (2 P*) (reached exactly by the max-margin networks); NaN unless P* > 0. */
double cr_mm_gamma_ceiling(double pstar);

#endif
