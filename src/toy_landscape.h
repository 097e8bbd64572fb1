/* The slides' 1-D toy ("Nonconvex landscape and convex landscape"): data x, label y, weight beta,
 *   nonconvex  L(u, a)  = (y - x max(u, 0) a)^2 + beta/2 (u^2 + a^2)
 *   convex     Lc(v, w) = (y - x v + x w)^2 + beta (v + w),  v, w >= 0
 * (the slide's (z - y)^2 has no 1/2; slide values x = y = beta = 1). Closed forms for x, y > 0 and
 * 2 x y > beta: w* = 0, v* = (2 x y - beta) / (2 x^2), Lc* = beta y / x - beta^2 / (4 x^2), and the
 * nonconvex minimizer u* = a* = sqrt(v*) with the same value. */
#ifndef CR_TOY_LANDSCAPE_H
#define CR_TOY_LANDSCAPE_H

#include "err.h"

double cr_toy_landscape_nonconvex(double x, double y, double beta, double u, double a);
double cr_toy_landscape_convex(double x, double y, double beta, double v, double w);

/* Stationarity of L at (u, a): the minimum-norm element of the Clarke subdifferential (slide "Clarke
 * stationary point"). ReLU'(u) is 1 for u > tol, 0 for u < -tol and any s in [0, 1] for |u| <= tol (the
 * kink); writes the element to g (may be NULL) and returns its norm, 0 exactly at Clarke stationary points
 * when tol = 0. */
double cr_toy_landscape_clarke_minnorm(double x, double y, double beta, double u, double a, double tol, double g[2]);
/* Stationarity of Lc at (v, w) >= 0: the natural KKT residual ||(v, w) - P((v, w) - grad Lc(v, w))||, P the
 * projection onto v, w >= 0; zero exactly at the minimizers (Lc is convex). */
double cr_toy_landscape_convex_kkt_residual(double x, double y, double beta, double v, double w);
/* A Lipschitz constant of that residual in (v, w): 1 + max(1, |1 - 4 x^2|) (grad Lc has the constant Hessian
 * 2 x^2 [1 -1; -1 1], and the projection is nonexpansive). */
double cr_toy_landscape_convex_kkt_lipschitz(double x);
/* Certifies that Lc has no KKT point in the square [0, side]^2 outside the disc of radius delta around
 * (cv, cw): a square cell of side h and centre c holds none when the residual at c exceeds
 * cr_toy_landscape_convex_kkt_lipschitz(x) h / sqrt 2; other cells are split in four, down to max_depth halvings; cells
 * inside the disc are skipped. Returns the number of cells left uncertified (0: certified) and sets *cells to the
 * number of cells examined. */
long cr_toy_landscape_convex_kkt_exclude(double x, double y, double beta, double side, double cv, double cw,
                                         double delta, int max_depth, long *cells);

/* The closed form above; CR_EINPUT when 2 x y <= beta (then the optimum is 0 at the origin). */
int cr_toy_landscape_closed_form(double x, double y, double beta, double *v, double *w, double *value,
                                 cr_err *err);

/* Local minimization of L from (u, a) (Newton, gradient norm 1e-12); returns the point and value. CR_ERUNTIME if it
 * does not converge. */
int cr_toy_landscape_minimize_nonconvex(double x, double y, double beta, double *u, double *a, double *value,
                                        cr_err *err);
/* Projected gradient on v, w >= 0 from (v, w) to a projected-gradient norm of 1e-13. */
int cr_toy_landscape_minimize_convex(double x, double y, double beta, double *v, double *w, double *value,
                                     cr_err *err);

#endif
