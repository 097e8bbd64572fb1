/* The dual norm of the convex max-margin program (docs/MATH.md, sections Convex max-margin pair and
 * Geometry): N(lambda) = max_{||u|| <= 1} |lambda'(X u)_+|, the one-sided support function of the rectified
 * ellipsoid h_Q(a) = max_{||u|| <= 1} a'(X u)_+, and the per-pattern pieces g_i they split into:
 *     max_{u in K_i, ||u|| <= 1} s lambda' D_i X u = min_{mu >= 0} || s X' D_i lambda + X'(2 D_i - I) mu ||,
 * by NNLS (exact over a pattern set), and, for d = 2, by an independent sweep of u over the unit circle. */
#ifndef CR_DUALNORM_H
#define CR_DUALNORM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "patterns.h"

typedef enum {
    CR_DUALNORM_ABS = 0,      /* |lambda'(X u)_+|: N(lambda), both signs s = +1, -1 */
    CR_DUALNORM_ONESIDED = 1, /* lambda'(X u)_+: h_Q(lambda), s = +1 only (>= 0: u = 0 gives 0) */
} cr_dualnorm_kind;

typedef struct cr_dualnorm_work cr_dualnorm_work;

/* Scratch for X of at most n rows and d columns (one NNLS of d x n, the sweep's 2n breakpoints).
 * NULL on a zero dimension or no memory. cr_dualnorm_free accepts NULL. */
cr_dualnorm_work *cr_dualnorm_alloc(size_t n, size_t d);
/* The bytes cr_dualnorm_alloc(n, d) requests (its NNLS workspace included; 0 for a zero dimension). */
size_t cr_dualnorm_work_bytes(size_t n, size_t d);
void cr_dualnorm_free(cr_dualnorm_work *w);

/* One pattern (mask of n bits as in patterns.h) and sign s = +1 or -1:
 *     *value = min_{mu >= 0} || s X'D lambda + X'(2D - I) mu ||   (Lawson-Hanson NNLS),
 * which equals max_{u in K, ||u|| <= 1} s lambda' D X u, K = {u : (2D - I) X u >= 0}. Whatever the NNLS
 * accuracy, *value is an upper bound on that maximum (weak duality: any mu >= 0 gives one). u (d, may be
 * NULL) receives the maximizer r / ||r||, r = the NNLS residual = the projection of s X'D lambda onto K,
 * or 0 when ||r|| <= 1e-13 ||X'D lambda|| (the maximum is 0 up to rounding and u = 0 attains it). X is n x d row-major. CR_ERUNTIME if the NNLS fails. No allocation. */
int cr_dualnorm_pattern(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const uint64_t *mask,
                        const double *lambda, int s, double *value, double *u, cr_err *err);

/* The maximum of cr_dualnorm_pattern over the patterns of P (P->n = n) and the signs of kind: over an exact
 * pattern set (cr_patterns_enumerate) this is N(lambda) (ABS) or h_Q(lambda) (ONESIDED) exactly; over a
 * subset it is the restricted dual norm max_{i in I} g_i(lambda). u (d, may be NULL) receives a maximizer,
 * *which (may be NULL) its pattern index and *sign (may be NULL) its sign (+1 for value 0: which = 0).
 * Patterns whose bound ||X'D lambda|| cannot beat the best so far skip the NNLS (exactly). No allocation. */
int cr_dualnorm_over(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const cr_patterns *P,
                     const double *lambda, cr_dualnorm_kind kind, double *value, double *u, size_t *which,
                     int *sign, cr_err *err);

/* Independent d = 2 computation of the same maximum over the whole circle (all patterns): the breakpoints
 * x_k'u = 0 cut the circle into arcs on which the set {k : x_k'u > 0} is constant, so the function is c'u
 * with c = X'D lambda fixed; its maximum over a closed arc is ||c|| when the direction of c lies in the arc,
 * else the larger endpoint value. X is n x 2 row-major. u (2, may be NULL) receives a maximizer.
 * CR_EINPUT unless n fits the workspace and its d is >= 2. No allocation. */
int cr_dualnorm_sweep2(cr_dualnorm_work *w, const double *X, size_t n, const double *lambda, cr_dualnorm_kind kind,
                       double *value, double *u, cr_err *err);

/* Geometry of the rectified ellipsoid Q = {(X u)_+ : ||u|| <= 1} in direction a (n values): the support
 * function h_Q(a) (one-sided) and the radius of the polar set Q* = {lambda : max_{z in Q} |lambda'z| <= 1}
 * in direction a, 1 / N(a) (+INFINITY when N(a) = 0). With P (an exact pattern set of X) by NNLS; with
 * P = NULL by the d = 2 sweep. support or radius may be NULL. No allocation. */
int cr_dualnorm_geometry(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const cr_patterns *P,
                         const double *a, double *support, double *radius, cr_err *err);

/* A point of the pictures of Q: z = X u / s and its rectification z_+ = max(z, 0) (n values each; either may be
 * NULL), s > 0 (1, or ||u|| for the unit direction). Plain loops, x_i1 u_1 + x_i2 u_2 + ... in that order. */
void cr_dualnorm_image(const double *X, size_t n, size_t d, const double *u, double s, double *z, double *zplus);

/* Reference: lambda'(X u)_+ at one u (d), plain loops. */
double cr_dualnorm_value_at(const double *X, size_t n, size_t d, const double *lambda, const double *u);

#endif
