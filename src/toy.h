/* The slides' 1-D toy ("Nonconvex landscape and convex landscape"): data x, label y, weight beta,
 *   nonconvex  L(u, a)  = (y - x max(u, 0) a)^2 + beta/2 (u^2 + a^2)
 *   convex     Lc(v, w) = (y - x v + x w)^2 + beta (v + w),  v, w >= 0
 * (the slide's (z - y)^2 has no 1/2; slide values x = y = beta = 1). Closed forms for x, y > 0 and
 * 2 x y > beta: w* = 0, v* = (2 x y - beta) / (2 x^2), Lc* = beta y / x - beta^2 / (4 x^2), and the
 * nonconvex minimizer u* = a* = sqrt(v*) with the same value. */
#ifndef CR_TOY_H
#define CR_TOY_H

#include "err.h"

double cr_toy_nonconvex(double x, double y, double beta, double u, double a);
double cr_toy_convex(double x, double y, double beta, double v, double w);

/* The closed form above; CR_EINPUT when 2 x y <= beta (then the optimum is 0 at the origin). */
int cr_toy_closed_form(double x, double y, double beta, double *v, double *w, double *value, cr_err *err);

/* Local minimization of L from (u, a) (Newton, gradient norm 1e-12); returns the point and value. CR_ERUNTIME if it does not converge. */
int cr_toy_minimize_nonconvex(double x, double y, double beta, double *u, double *a, double *value, cr_err *err);
/* Projected gradient on v, w >= 0 from (v, w) to a projected-gradient norm of 1e-13. */
int cr_toy_minimize_convex(double x, double y, double beta, double *v, double *w, double *value, cr_err *err);

#endif
