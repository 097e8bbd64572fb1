/* The slides' 1-D toy landscape (see toy.h). */
#include "toy.h"

#include <math.h>


double cr_toy_nonconvex(double x, double y, double beta, double u, double a)
{
    double r = y - x * fmax(u, 0.0) * a;
    return r * r + 0.5 * beta * (u * u + a * a);
}

double cr_toy_convex(double x, double y, double beta, double v, double w)
{
    double r = y - x * v + x * w;
    return r * r + beta * (fabs(v) + fabs(w));
}

int cr_toy_closed_form(double x, double y, double beta, double *v, double *w, double *value, cr_err *err)
{
    if (!(x > 0 && y > 0 && 2 * x * y > beta))
        return cr_err_set(err, CR_EINPUT, "toy closed form needs x, y > 0 and 2 x y > beta");
    *v = (2 * x * y - beta) / (2 * x * x);
    *w = 0.0;
    *value = beta * y / x - beta * beta / (4 * x * x);
    return CR_OK;
}

int cr_toy_minimize_nonconvex(double x, double y, double beta, double *u, double *a, double *value, cr_err *err)
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
    *value = cr_toy_nonconvex(x, y, beta, pu, pa);
    if (!(gnorm <= 1e-12) || !isfinite(*value))
        return cr_err_set(err, CR_ERUNTIME, "toy nonconvex minimization stalled (gradient norm %g)", gnorm);
    return CR_OK;
}

int cr_toy_minimize_convex(double x, double y, double beta, double *v, double *w, double *value, cr_err *err)
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
    *value = cr_toy_convex(x, y, beta, pv, pw);
    if (!(pg <= 1e-13)) return cr_err_set(err, CR_ERUNTIME, "toy convex minimization stalled (%g)", pg);
    return CR_OK;
}
