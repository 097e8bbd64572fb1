/* Euclidean projection onto a pattern cone K = { u in R^d : s_k x_k'u >= 0, k = 1..n }, s_k = 2 D_kk - 1,
 * the cone K_i of docs/MATH.md for one pattern mask. Private helper of convex.c (the prox step and the
 * dual certificate g_i(v) = ||P_K(s X'D_i v)||). By Moreau, P_K(c) = c + A'mu with mu the nonnegative
 * least squares solution of min_{mu >= 0} ||c + A'mu|| (A rows a_k = s_k x_k: the polar cone is generated
 * by -a_k), solved by Lawson and Hanson's active-set method warm-started from a previous active set. */
#ifndef CR_CONE_H
#define CR_CONE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cr_cone_work cr_cone_work;

/* An active set of polar generators: at most d indices into the rows of X with their coefficients. The
 * caller owns the storage (idx, mu of length d) and keeps it between calls to warm-start the next one. */
typedef struct {
    size_t *idx; /* row indices k, does not own */
    double *mu;  /* mu_k > 0, does not own */
    size_t len;
} cr_cone_active;

/* Scratch for X of n rows and d columns. NULL on allocation failure. */
cr_cone_work *cr_cone_alloc(size_t n, size_t d);
void cr_cone_free(cr_cone_work *w);

/* The bytes cr_cone_alloc(n, d) allocates. */
size_t cr_cone_work_bytes(size_t n, size_t d);

/* First half of a projection: solves the least squares problem on the warm active set, dropping
 * generators until every coefficient is positive, and writes r = c + A_P' mu_P (d). No allocation. */
void cr_cone_warm(cr_cone_work *w, const double *X, size_t n, size_t d, const uint64_t *mask,
                  const double *c, cr_cone_active *act, double *r);

/* Second half: given r from cr_cone_warm (or a previous finish) and Xr = X r (n values with stride
 * `stride`, or NULL to compute it here), runs Lawson-Hanson until min_k a_k'r >= -tol_k with
 * tol_k = 1e-13 ||x_k|| ||c|| (xnorm = row norms of X). On return r = P_K(c) up to rounding and
 * ||r|| = max_{u in K, ||u|| <= 1} c'u (an upper bound whatever mu is, by weak duality).
 * Returns 0, or -1 when the step limit 3 n + 30 is hit (r is then the last iterate, still of the form
 * c + A'mu with mu >= 0, so ||r|| remains an upper bound). No allocation. */
int cr_cone_finish(cr_cone_work *w, const double *X, const double *xnorm, size_t n, size_t d,
                   const uint64_t *mask, const double *c, cr_cone_active *act, double *r, const double *Xr,
                   size_t stride);

/* cr_cone_warm followed by cr_cone_finish. */
int cr_cone_project(cr_cone_work *w, const double *X, const double *xnorm, size_t n, size_t d,
                    const uint64_t *mask, const double *c, cr_cone_active *act, double *r);

/* Largest relative violation max_k max(0, -a_k'u) / (||x_k|| ||u||) of u in K (0 for u = 0). */
double cr_cone_violation(const double *X, const double *xnorm, size_t n, size_t d, const uint64_t *mask,
                         const double *u);

#endif
