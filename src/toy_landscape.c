/* The slides' 1-D toy landscape (see toy_landscape.h). */
#include "toy_landscape.h"

#include <math.h>


double cr_toy_landscape_nonconvex(double x, double y, double beta, double u, double a)
{
    double r = y - x * fmax(u, 0.0) * a;
    return r * r + 0.5 * beta * (u * u + a * a);
}

double cr_toy_landscape_convex(double x, double y, double beta, double v, double w)
{
    double r = y - x * v + x * w;
    return r * r + beta * (fabs(v) + fabs(w));
}

double cr_toy_landscape_clarke_minnorm(double x, double y, double beta, double u, double a, double tol, double g[2])
{
    double up = fmax(u, 0.0), r = y - x * up * a;
    /* d/du = beta u + c s with s = ReLU'(u) and c = -2 x a r; d/da does not depend on s. */
    double c = -2 * x * a * r, ga = -2 * x * up * r + beta * a, gu;
    if (u > tol) gu = beta * u + c;
    else if (u < -tol) gu = beta * u;
    else {
        /* The s in [0, 1] that brings beta u + c s closest to 0. */
        double s = c != 0 ? fmin(1.0, fmax(0.0, -beta * u / c)) : 0.0;
        gu = beta * u + c * s;
    }
    if (g) g[0] = gu, g[1] = ga;
    return hypot(gu, ga);
}

double cr_toy_landscape_convex_kkt_residual(double x, double y, double beta, double v, double w)
{
    double r = y - x * v + x * w;
    double gv = -2 * x * r + beta, gw = 2 * x * r + beta;
    return hypot(v - fmax(0.0, v - gv), w - fmax(0.0, w - gw));
}

double cr_toy_landscape_convex_kkt_lipschitz(double x) { return 1.0 + fmax(1.0, fabs(1.0 - 4 * x * x)); }

typedef struct {
    double x, y, beta, cv, cw, delta, lip;
    long cells, uncertified;
} exclude_work;

static void exclude_cell(exclude_work *e, double v0, double w0, double h, int depth)
{
    e->cells++;
    /* Farthest corner from (cv, cw) within delta: the whole cell lies in the excluded disc. */
    double fv = fmax(fabs(v0 - e->cv), fabs(v0 + h - e->cv)), fw = fmax(fabs(w0 - e->cw), fabs(w0 + h - e->cw));
    if (hypot(fv, fw) <= e->delta) return;
    double r = cr_toy_landscape_convex_kkt_residual(e->x, e->y, e->beta, v0 + h / 2, w0 + h / 2);
    if (r > e->lip * h / sqrt(2.0)) return;
    if (depth == 0) {
        e->uncertified++;
        return;
    }
    for (int k = 0; k < 4; k++) exclude_cell(e, v0 + (k & 1) * h / 2, w0 + (k >> 1) * h / 2, h / 2, depth - 1);
}

long cr_toy_landscape_convex_kkt_exclude(double x, double y, double beta, double side, double cv, double cw,
                                         double delta, int max_depth, long *cells)
{
    exclude_work e = {x, y, beta, cv, cw, delta, cr_toy_landscape_convex_kkt_lipschitz(x), 0, 0};
    exclude_cell(&e, 0.0, 0.0, side, max_depth);
    if (cells) *cells = e.cells;
    return e.uncertified;
}

int cr_toy_landscape_closed_form(double x, double y, double beta, double *v, double *w, double *value,
                                 cr_err *err)
{
    if (!(x > 0 && y > 0 && 2 * x * y > beta))
        return cr_err_set(err, CR_EINPUT, "toy closed form needs x, y > 0 and 2 x y > beta");
    *v = (2 * x * y - beta) / (2 * x * x);
    *w = 0.0;
    *value = beta * y / x - beta * beta / (4 * x * x);
    return CR_OK;
}

int cr_toy_landscape_minimize_nonconvex(double x, double y, double beta, double *u, double *a, double *value,
                                        cr_err *err)
{
    /* Newton's method on the smooth branch u > 0 (the minimum lies there when 2 x y > beta), with a
     * gradient step whenever the Hessian is not positive definite; from the grid's best point it converges
     * quadratically. ReLU'(0) = 0 elsewhere. */
    double pu = *u, pa = *a, gnorm = INFINITY;
    for (int it = 0; it < 200 && gnorm > 1e-14; it++) {
        double act = pu > 0 ? 1.0 : 0.0, up = fmax(pu, 0.0);
        double r = y - x * up * pa;
        double gu = -2 * x * pa * r * act + beta * pu, ga = -2 * x * up * r + beta * pa;
        gnorm = hypot(gu, ga);
        double huu = 2 * x * x * pa * pa * act + beta, haa = 2 * x * x * up * up + beta;
        double hua = act * (-2 * x * r + 2 * x * x * up * pa);
        double det = huu * haa - hua * hua;
        double du, da;
        if (huu > 0 && det > 1e-14 * huu * haa) {
            du = (haa * gu - hua * ga) / det;
            da = (huu * ga - hua * gu) / det;
        } else {
            double step = 1.0 / (4 * x * x * (1 + pu * pu + pa * pa) + beta);
            du = step * gu;
            da = step * ga;
        }
        pu -= du;
        pa -= da;
    }
    *u = pu;
    *a = pa;
    *value = cr_toy_landscape_nonconvex(x, y, beta, pu, pa);
    if (!(gnorm <= 1e-12) || !isfinite(*value))
        return cr_err_set(err, CR_ERUNTIME, "toy nonconvex minimization stalled (gradient norm %g)", gnorm);
    return CR_OK;
}

int cr_toy_landscape_minimize_convex(double x, double y, double beta, double *v, double *w, double *value,
                                     cr_err *err)
{
    /* On v, w >= 0 the objective is smooth: (y - x v + x w)^2 + beta (v + w); Lipschitz constant 4 x^2. */
    const double step = 1.0 / (4 * x * x);
    double pv = fmax(*v, 0), pw = fmax(*w, 0), pg = INFINITY;
    for (int it = 0; it < 1000000 && pg > 1e-13; it++) {
        double r = y - x * pv + x * pw;
        double gv = -2 * x * r + beta, gw = 2 * x * r + beta;
        double nv = fmax(0.0, pv - step * gv), nw = fmax(0.0, pw - step * gw);
        pg = hypot(nv - pv, nw - pw) / step;
        pv = nv;
        pw = nw;
    }
    *v = pv;
    *w = pw;
    *value = cr_toy_landscape_convex(x, y, beta, pv, pw);
    if (!(pg <= 1e-13)) return cr_err_set(err, CR_ERUNTIME, "toy convex minimization stalled (%g)", pg);
    return CR_OK;
}
