/* The convex program of docs/MATH.md (section The convex program) over a given pattern set D_1..D_p
 * (exact, sampled, or the subset I of a trained network):
 *   p_convex = min l( sum_i D_i X (u_i - u'_i), y ) + beta sum_i (||u_i|| + ||u'_i||),  u_i, u'_i in K_i,
 *   K_i = { u : (2 D_i - I) X u >= 0 },
 * its solver (three methods behind one call, every result certified by the duality gap), the dual
 * certificate on its own, support reduction to at most n + 1 blocks, and the maps between convex points and
 * networks. Several files implement it: convex.c (workspace, method table, cr_convex_solve), convex_maps.c,
 * convex_loss.c, convex_cert.c, convex_fista.c, convex_ssnal.c, convex_polish.c and convex_ipm_run.c over
 * convex_ipm.c (the interior-point method, convex_ipm.h), sharing the private convex_impl.h; convex_point.c
 * (points, support reduction, networks). Layouts: X is n x d row-major; a convex point is U, U' (p x d
 * row-major, row i = u_i, u'_i); a network is W1 (d x m row-major, neuron j = column j) and w2 (m). */
#ifndef CR_CONVEX_H
#define CR_CONVEX_H

#include <stddef.h>

#include "err.h"
#include "loss.h"
#include "patterns.h"

/* ------------------------------------------------------------------ convex points */

/* Allocated by cr_convex_sol_alloc it owns U and Up; a view {p, d, U, Up} on arrays the caller owns (e.g. a
 * max-margin solution) serves every function below except cr_convex_sol_free. */
typedef struct {
    size_t p, d;
    double *U;  /* p x d row-major: u_i */
    double *Up; /* p x d row-major: u'_i */
} cr_convex_sol;

/* A zero point for p patterns in R^d. NULL on allocation failure. */
cr_convex_sol *cr_convex_sol_alloc(size_t p, size_t d);
void cr_convex_sol_free(cr_convex_sol *s);

/* Nonzero blocks (u_i and u'_i counted separately). */
size_t cr_convex_sol_nnz(const cr_convex_sol *s);

/* Reference evaluation (plain loops, no BLAS) of the convex objective at sol over patterns P (P->n = n,
 * P->p = sol->p). z (n) receives the prediction sum_i D_i X (u_i - u'_i) if not NULL. */
double cr_convex_objective(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                           cr_loss_kind loss, double beta, const cr_convex_sol *sol, double *z);

/* Largest relative cone violation max_i max_k -((2 D_i - I) X u_i)_k / (||x_k|| ||u_i||) over all
 * nonzero blocks u_i, u'_i (0 when every block lies in its cone; rounding gives ~1e-16). */
double cr_convex_cone_violation(const double *X, size_t n, size_t d, const cr_patterns *P,
                                const cr_convex_sol *sol);

/* ------------------------------------------------------------------ the solver */

typedef struct cr_convex_work cr_convex_work;

/* Workspace for n samples, d features and at most p patterns. NULL on allocation failure (or n = 0, d = 0).
 * Memory: cr_convex_work_bytes(n, d, p), in doubles about 4 n p + 2 p d^2 + 26 p d + n^2 + n max(n, 64)
 * + K^2 + 2 n K with K = min(2 p d, max(8 n, 1024), 2000) (the Newton systems: n x n for SSNAL, K x K for
 * the polishes). The interior-point method allocates its own workspace on every solve that uses it
 * (cr_convex_ipm_work_bytes, convex_ipm.h) and frees it before returning. */
cr_convex_work *cr_convex_alloc(size_t n, size_t d, size_t p);
void cr_convex_free(cr_convex_work *w);

/* The bytes cr_convex_alloc(n, d, p) allocates (0 when it allocates nothing), computed from the same buffer
 * list as the allocation: the struct, the cone projection scratch (cone.h) and every buffer. */
size_t cr_convex_work_bytes(size_t n, size_t d, size_t p);

typedef enum {
    CR_CONVEX_AUTO = 0,  /* by shape, with fallback (cr_convex_solve): IPM first for the squared loss from a cold
                            start with n >= 200, p d <= 4 n and its workspace <= 2 GiB, else SSNAL */
    CR_CONVEX_FISTA = 1, /* accelerated proximal gradient with restarts (hinge: smoothed, with continuation) */
    CR_CONVEX_SSNAL = 2, /* semismooth Newton augmented Lagrangian, then a polish (every loss); FISTA fallback */
    CR_CONVEX_IPM = 3,   /* primal-dual interior point (squared loss only), then sparsified; SSNAL fallback */
    CR_CONVEX_SSNAL_CG = 4, /* SSNAL with matrix-free CG Newton solves, O(n p d) per step, for large n (squared,
                               logistic; the hinge goes to FISTA); FISTA fallback (convex_ssnalcg.c) */
} cr_convex_method;

/* The state a method reports after each certificate to cr_convex_opts.log (the iteration log of a long solve). */
typedef struct {
    const char *method;  /* the method's name */
    long iteration;      /* iterations so far (as cr_convex_info.iterations, nondecreasing over a solve) */
    long newton;         /* Newton steps so far */
    long products;       /* matrix-free operator products so far (CG), 0 for methods without */
    double primal, dual, gap, rel_gap; /* the certificate (as in cr_convex_info) */
    double sigma;        /* the proximal parameter, 0 if none */
    size_t active;       /* nonzero blocks of the current point */
    double seconds;      /* since the start of the solve */
} cr_convex_progress;

/* "auto", "fista", "ssnal", "ipm", "ssnal_cg" (the names of the config's solver.method); "?" for any other value. */
const char *cr_convex_method_name(cr_convex_method m);

typedef struct {
    double tol;         /* stop when gap / max(1, |primal|) <= tol; default 1e-8 */
    long max_iter;      /* FISTA steps plus SSNAL outer iterations plus IPM iterations (the IPM at most 500);
                           default 200000 */
    double max_seconds; /* wall-clock limit, 0 = none; default 0 */
    long check_every;   /* FISTA: certificate every this many steps, 0 = every 10; default 0 */
    int warm_start;     /* 1: start from the point in sol (projected onto the cones); default 0 */
    cr_convex_method method; /* default CR_CONVEX_AUTO */
    /* Called once after every certificate of the solve's current point, by every method (and when a method
     * adopts a polished or sparsified point, or the solve goes back to a kept one; the last call describes the
     * returned point: its primal, dual, gap and rel_gap are cr_convex_info's), NULL = silent; default NULL.
     * Candidates a method certifies and rejects are not reported. The library prints nothing itself: the
     * program's --verbose passes a function that does. */
    void (*log)(const cr_convex_progress *pr, void *ctx);
    void *log_ctx;
} cr_convex_opts;

/* Fills the defaults above. */
void cr_convex_opts_default(cr_convex_opts *o);

typedef enum {
    CR_CONVEX_CONVERGED = 0, /* certified relative gap <= tol */
    CR_CONVEX_MAX_ITER = 1,  /* iteration limit; sol and the certificate are those of the returned point (the
                                last one, or the best certified one where SSNAL or the IPM keeps it) */
    CR_CONVEX_TIME_LIMIT = 2,
    CR_CONVEX_NUMERICAL = 3, /* NaN/Inf or a projection failed: nothing in sol or info is a result */
} cr_convex_status;

const char *cr_convex_status_name(cr_convex_status s);

typedef struct {
    cr_convex_status status;
    double primal;        /* objective at the returned point */
    double dual;          /* certified lower bound d(v) = -l*(v) at the scaled v */
    double gap;           /* primal - dual, or 0 when rounding makes that negative (never negative) */
    double rel_gap;       /* gap / max(1, |primal|) */
    double gmax;          /* max_i g_i(v) of the unscaled v (beta at optimality) */
    cr_convex_method method; /* the method that produced the point (SSNAL after an IPM failure, FISTA after an
                                SSNAL breakdown) */
    long iterations;      /* FISTA steps plus SSNAL outer (proximal point) iterations; IPM: iterations */
    long newton;          /* Newton steps (SSNAL inner steps and polish steps; IPM: its iterations and polish steps) */
    long restarts;        /* momentum restarts (FISTA) */
    long polishes;        /* polish attempts (SSNAL; the IPM's sparsification) */
    double seconds;       /* wall clock */
    double cone_violation;/* cr_convex_cone_violation at the returned point */
    double lipschitz;     /* final step-size constant L (FISTA, else 0) */
    double smoothing;     /* final smoothing mu (hinge only, else 0) */
    double sigma;         /* final SSNAL proximal parameter (0 for FISTA alone) */
    size_t nnz;           /* nonzero blocks at the returned point */
} cr_convex_info;

/* Solves the convex program for X (n x d), y (n), patterns P (P->n = n, P->p <= the workspace's p), loss,
 * beta > 0 (for logistic and hinge, y in {-1, +1}) by opts->method (opts NULL: defaults).
 * AUTO chooses by the program's shape (docs/MATH.md, Choosing the method): the interior-point method (one
 * step costs n^2 p d, 25 to 45 steps) for the squared loss from a cold start when n >= 200, p d <= 4 n and
 * cr_convex_ipm_work_bytes(n, d, p) <= 2 GiB; SSNAL otherwise (its steps cost about n^2 times the active
 * generators, their number unpredictable). A method fails when it returns short of the tolerance before
 * the iteration or time limit (no certificate, breakdown, stall, or SSNAL's budget of 500 Newton steps when
 * the interior-point method may follow: a count, so results stay deterministic); then the other of the two
 * runs from scratch (the interior-point method only where allowed), and last FISTA from the better
 * certified point. An explicit method runs with its own fallback (IPM -> SSNAL, SSNAL -> FISTA):
 * - IPM (squared loss only; convex_ipm.h): a structure-exploiting interior-point method whose iterates are
 *   projected onto the cones and certified; the certified point is then cleared of the barrier's tiny
 *   blocks and, when its relative gap is at most 1e-8 (or it is short of the tolerance), finished by the
 *   face Newton polish when that stays certified; at a looser tolerance the certified interior point is
 *   returned (never slower than a tighter one). When it reaches no certificate (numerical trouble, or its
 *   workspace could not be allocated), SSNAL starts over from zero.
 * - SSNAL (every loss): the proximal point method whose subproblems are solved by semismooth Newton on an
 *   n-dimensional dual, finished by Newton on the identified face (squared, logistic) or on the KKT system
 *   of the identified face and margin partition (hinge). When Newton breaks down or stalls, FISTA continues
 *   from its best point, and the better certified of the two points is returned.
 * - FISTA (every loss): accelerated proximal gradient with exact cone projections.
 * The returned point is a prox output or a face point: every block lies in its cone up to rounding. sol
 * must have sol->p = P->p and sol->d = d; it receives the solution (with opts->warm_start it also supplies
 * the starting point).
 *
 * Returns CR_OK when a point with its certificate was produced (info->status CONVERGED, MAX_ITER or
 * TIME_LIMIT), CR_EINPUT on bad arguments (also the IPM with another loss than squared), CR_ERUNTIME with
 * info->status NUMERICAL on NaN/Inf or a failed projection. Allocates nothing beyond the workspace, except
 * the interior-point method, which allocates its own (cr_convex_ipm_work_bytes) on every solve that uses it
 * and frees it before returning. */
int cr_convex_solve(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                    const cr_patterns *P, cr_loss_kind loss, double beta, const cr_convex_opts *opts,
                    cr_convex_sol *sol, cr_convex_info *info, cr_err *err);

/* ------------------------------------------------------------------ the certificate */

/* The dual certificate (docs/MATH.md, Certified gap) for a given v in dom l* (n values): g_i(v) =
 * max_s min_{mu >= 0} ||s X'D_i v + X'(2 D_i - I) mu|| by NNLS for every pattern and sign (an upper bound
 * on each g_i whatever the NNLS accuracy, by weak duality), *gmax = max_i g_i(v),
 * v <- v min(1, beta / gmax), *dual = -l*(v). v is not modified; *dual is -INFINITY if v is outside the
 * domain of l*. Any primal value minus *dual is a certified gap. */
int cr_convex_dual_value(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                         const cr_patterns *P, cr_loss_kind loss, double beta, const double *v, double *dual,
                         double *gmax, cr_err *err);

/* The same with v = grad l(z) for a prediction z (n), e.g. z = f(theta; X) of a trained network: the check
 * that a stationary point is optimal for its (subsampled) program. For hinge, grad l is the subgradient of
 * cr_loss_grad, which gives a valid but usually loose bound. */
int cr_convex_dual_from_prediction(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                                   const cr_patterns *P, cr_loss_kind loss, double beta, const double *z,
                                   double *dual, double *gmax, cr_err *err);

/* Smooth part f(U, U') = l(sum_i D_i X (u_i - u'_i), y) and its gradient (gU, gUp: p x d, may be NULL)
 * through the same BLAS path the solver uses (for finite-difference tests). For hinge, the gradient is
 * the subgradient of cr_loss_grad. */
int cr_convex_smooth(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                     const cr_patterns *P, cr_loss_kind loss, const cr_convex_sol *sol, double *f, double *gU,
                     double *gUp, cr_err *err);

/* ------------------------------------------------------------------ support and networks */

/* Caratheodory reduction: while the columns [sign D_i X u_i ; ||u_i||] of the nonzero blocks are linearly
 * dependent (always when there are more than n + 1), rescales the blocks along a null vector, which keeps
 * the prediction, the penalty and cone feasibility, until one block vanishes. Ends with linearly
 * independent columns, so at most n + 1 nonzero blocks; *mstar receives their number. Dependence: a column
 * within 1e-11 (relative) of the span of the earlier ones (Gram-Schmidt twice, blocks in the order u_1..u_p,
 * u'_1..u'_p); the step along the null vector has the least size that zeroes a block. Allocates its scratch,
 * O((n + 1) min(n + 1, 2p)) doubles. CR_ERUNTIME if it has not ended after 2p + 2 steps. */
int cr_convex_reduce_support(const double *X, size_t n, size_t d, const cr_patterns *P, cr_convex_sol *sol,
                             size_t *mstar, cr_err *err);

/* The same on the caller's scratch, no allocation: dwork of cr_convex_reduce_doubles(n, p) doubles and iwork of
 * cr_convex_reduce_indices(n, p) indices (both grow with p: sized for the largest p, they serve any smaller one).
 * It serves the max-margin program as well: its columns [sign Y D_i X u_i ; ||u_i||] differ by the row signs Y,
 * which change no linear dependence, so the margins and the objective sum ||u|| are kept. */
size_t cr_convex_reduce_doubles(size_t n, size_t p);
size_t cr_convex_reduce_indices(size_t n, size_t p);
int cr_convex_reduce_support_ws(const double *X, size_t n, size_t d, const cr_patterns *P, cr_convex_sol *sol,
                                double *dwork, size_t *iwork, size_t *mstar, cr_err *err);

/* Reconstruction: every nonzero u_i gives a neuron w1 = u_i / sqrt(||u_i||), w2 = sqrt(||u_i||), every
 * nonzero u'_i one with w2 = -sqrt(||u'_i||); order: i ascending, u_i before u'_i. W1 is d x mcap
 * row-major (only the first *m columns written, the rest left alone), w2 has mcap entries.
 * CR_EINPUT if more than mcap blocks are nonzero (*m then holds the number needed: call with mcap = 0 first to
 * size W1 as d x m exactly). On K_i, (X w1)_+ w2 = +-D_i X u_i and beta/2 (||w1||^2 + w2^2) = beta ||u_i||: the
 * prediction, the margins and the penalty are those of the convex point. */
int cr_convex_to_network(const cr_convex_sol *sol, double *W1, double *w2, size_t mcap, size_t *m,
                         cr_err *err);

/* Map back from a network (W1 d x m row-major, column j = w1_j; w2 of length m): neurons are grouped by
 * (pattern 1(X w1_j >= 0), sign w2_j), u_i = sum_j w1_j |w2_j| (u'_i for negative w2). Neurons with
 * w2_j = 0 or w1_j = 0 contribute nothing and are skipped. A pattern missing from P is appended to P when
 * add_missing (P grows; *nadded counts them), else CR_EINPUT naming the neuron. *out (allocated here,
 * p = final P->p) is a feasible convex point with objective <= L_beta(theta). */
int cr_convex_from_network(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                           cr_patterns *P, int add_missing, cr_convex_sol **out, size_t *nadded, cr_err *err);

/* Reference evaluation of the nonconvex objective L_beta(theta) = l(f(theta; X), y) + beta/2 ||theta||^2,
 * f = sum_j (X w1_j)_+ w2_j, plain loops (layout as above). f (n) receives f(theta; X) if not NULL. */
double cr_convex_network_objective(const double *X, const double *y, size_t n, size_t d, cr_loss_kind loss,
                                   double beta, const double *W1, const double *w2, size_t m, double *f);

#endif
