/* The convex losses l(z, y) of docs/MATH.md (Losses), their gradients and Fenchel conjugates.
 *   squared   1/2 ||z - y||^2                 l*(v) = 1/2 ||v||^2 + v'y
 *   logistic  sum_i log(1 + exp(-y_i z_i))    l*(v) = sum_i h(-y_i v_i), h(t) = t log t + (1-t) log(1-t) on [0,1]
 *   hinge     sum_i max(0, 1 - y_i z_i)       l*(v) = sum_i y_i v_i if -1 <= y_i v_i <= 0
 * Logistic terms are evaluated stably for margins far beyond exp's range. */
#ifndef CR_LOSS_H
#define CR_LOSS_H

#include <stddef.h>

typedef enum { CR_LOSS_SQUARED = 0, CR_LOSS_LOGISTIC = 1, CR_LOSS_HINGE = 2 } cr_loss_kind;

const char *cr_loss_name(cr_loss_kind k);

/* l(z, y) over n samples. */
double cr_loss_value(cr_loss_kind k, const double *z, const double *y, size_t n);
/* g = grad_z l(z, y); for hinge a subgradient (0 at the kink y_i z_i = 1). */
void cr_loss_grad(cr_loss_kind k, const double *z, const double *y, size_t n, double *g);
/* l*(v); +INFINITY outside the domain (logistic, hinge). Points within 1e-12 outside are clipped. */
double cr_loss_conj(cr_loss_kind k, const double *v, const double *y, size_t n);

/* log(1 + exp(-q)) without overflow or cancellation, for any finite q. */
double cr_log1pexp_neg(double q);
/* sigma(-q) = 1 / (1 + exp(q)), stable for any finite q. */
double cr_sigmoid_neg(double q);

#endif
