/* Early alignment of the directional-convergence theorem (slide "Theorem", cos angle(w1_i(T), s X'D(w1_i(T)) y)
 * >= 1 - delta; docs/MATH.md, Early alignment). Follows every neuron of a network trained from a balanced
 * initialization of scale s0 (||w1_j(0)|| = |w2_j(0)| = s0) and records, per neuron, the first observed step at
 * which cos_j(t) >= 1 - delta and the norm ratio ||w1_j(t)|| / s0 at that step: the theorem's alignment happens
 * in the early phase when that ratio is of order 1. The caller observes the iterates (e.g. from the trainer's
 * log callback); nothing here trains. */
#ifndef CR_ALIGN_H
#define CR_ALIGN_H

#include <stddef.h>

#include "err.h"
#include "patterns.h"

typedef struct cr_align cr_align;

/* m neurons, delta in (0, 1), scale s0 > 0. NULL on bad arguments or no memory; cr_align_free accepts NULL. */
cr_align *cr_align_alloc(size_t m, double delta, double scale);
void cr_align_free(cr_align *a);

/* Observes theta_t = (W1 d x m row-major, column j = neuron j; w2 m) at step t on X (n x d row-major), y
 * (+-1). The first call after cr_align_alloc is the initial point. cos_j as cr_mm_kkt_alignment (kkt.h): the strict
 * pattern D(w1_j) and s = sign(w2_j) at step t; NaN (never aligned) when undefined. A neuron whose w2_j leaves
 * its initial sign before it is aligned is never counted as aligned: gradient flow from a balanced start keeps
 * |w2_j| = ||w1_j|| > 0 and so the sign; only a finite step can carry a neuron collapsing towards 0 through it.
 * No allocation. */
void cr_align_observe(cr_align *a, long t, const double *X, const double *y, size_t n, size_t d, const double *W1,
                      const double *w2);

/* What was observed of neuron j. */
typedef struct {
    int sign;     /* sign of w2_j at the first observation: +1, -1, or 0 when w2_j = 0 */
    double cos0;  /* cos_j at the first observation; NaN when undefined */
    long first;   /* first observed step with cos_j >= 1 - delta; -1 when none */
    double ratio; /* ||w1_j|| / s0 at that step; NaN when none */
    double best;  /* largest cos_j observed; NaN when never defined */
    int flipped;  /* 1: w2_j left its initial sign before any aligned step (then first = -1 for good) */
} cr_align_neuron;

void cr_align_get(const cr_align *a, size_t j, cr_align_neuron *out);

/* Over the neurons of initial sign s (+1 or -1) that were not aligned at the first observation (cos0 < 1 - delta
 * or undefined): *reached = how many reached cos_j >= 1 - delta (with their sign unchanged), *min_ratio = the
 * smallest norm ratio at which one of them did (NaN when none). *at_start (may be NULL) = neurons of sign s
 * already aligned at the first observation, left out (the dynamics did not align them). */
void cr_align_sign(const cr_align *a, int s, size_t *reached, double *min_ratio, size_t *at_start);

/* best[0] (best[1]) = the largest cos_j observed over the neurons of initial sign +1 (-1), at any step including the
 * first; NaN when no such neuron had a defined cos_j. *flipped (may be NULL) = neurons whose w2_j left its initial
 * sign before they were aligned. */
void cr_align_best(const cr_align *a, double best[2], size_t *flipped);

/* What the slides' pictures (d = 2, n = 2) draw of neuron j of W1 (d x m row-major, column j) on X (n x d
 * row-major): *norm = ||w1_j||, w1hat[k] = w1_j[k] / ||w1_j|| for the first two coordinates k (0 when k >= d or
 * w1_j = 0), zplus[i] = (x_i'w1hat)_+ for the first two samples i (0 when i >= n or w1_j = 0). */
void cr_align_picture(const double *X, size_t n, size_t d, const double *W1, size_t m, size_t j, double *norm,
                      double w1hat[2], double zplus[2]);

/* The best alignment any direction attains, whatever the dynamics (docs/MATH.md, Early alignment):
 *     A_s = sup_{u : X'D(u) y != 0} cos angle(u, s X'D(u) y) = max_i ||P_{K_i}(t_i)|| / ||t_i||,  t_i = s X'D_i y,
 * over the patterns i of P (an exact pattern set of X, cr_patterns_enumerate; P->n = n): on the region of pattern
 * i the target t_i is fixed, and the largest cosine between t_i and a point of the closed cone
 * K_i = {u : (2 D_i - I) X u >= 0} is ||P_K(t_i)|| / ||t_i|| (Moreau), an NNLS (dualnorm.h). A_s = 1 exactly when
 * some target lies in the open region of its own pattern (a smooth fixed point of the alignment dynamics); below 1,
 * the slide's conclusion cos >= 1 - delta is out of reach for every delta < 1 - A_s; 0 stands for a supremum <= 0
 * (no cone has a direction at an acute angle to its target). Exact when X is in general
 * position (each strict pattern's region then has the closure K_i of an enumerated pattern). *which (may be NULL)
 * receives the maximizing pattern's index. CR_ERUNTIME on no memory or an NNLS failure. */
int cr_align_attainable(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P, int s,
                        double *value, size_t *which, cr_err *err);

#endif
