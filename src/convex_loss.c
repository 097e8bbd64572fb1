/* The loss-side pieces of the convex program's methods beyond loss.h: the Moreau envelope of the hinge and
 * its gradient (FISTA's continuation, the face Newton polish), the Bregman remainder of FISTA's
 * backtracking, l* with its derivatives and the prox of sigma l (SSNAL). */
#include "convex_impl.h"

#include <math.h>

/* ------------------------------------------------------------------ losses (smoothed hinge) */

/* The solver works on l for squared and logistic and on the Moreau envelope of the hinge with parameter
 * mu > 0 (continuation drives mu down): phi_mu(t) = 0 (t >= 1), (1-t)^2/(2 mu) (1-mu < t < 1),
 * 1 - t - mu/2 (t <= 1-mu), t = y z. Its gradient lies in dom l*, so it is a dual candidate. */
double cr_convex_smoothed_value(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n)
{
    if (loss != CR_LOSS_HINGE) return cr_loss_value(loss, z, y, n);
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        double r = 1.0 - y[k] * z[k];
        if (r <= 0) continue;
        s += r < mu ? r * r / (2 * mu) : r - mu / 2;
    }
    return s;
}

void cr_convex_smoothed_grad(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n, double *g)
{
    if (loss != CR_LOSS_HINGE) {
        cr_loss_grad(loss, z, y, n, g);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        double r = 1.0 - y[k] * z[k];
        g[k] = r <= 0 ? 0.0 : -y[k] * (r < mu ? r / mu : 1.0);
    }
}

/* l(zt) - l(zy) - g'(zt - zy) summed term by term (exact for squared), g = grad l(zy). */
double cr_convex_bregman(cr_loss_kind loss, double mu, const double *zt, const double *zy, const double *g,
                         const double *y, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        double dz = zt[k] - zy[k];
        switch (loss) {
        case CR_LOSS_SQUARED: s += 0.5 * dz * dz; break;
        case CR_LOSS_LOGISTIC:
            s += cr_log1pexp_neg(y[k] * zt[k]) - cr_log1pexp_neg(y[k] * zy[k]) - g[k] * dz;
            break;
        case CR_LOSS_HINGE:
            s += cr_convex_smoothed_value(loss, mu, zt + k, y + k, 1) -
                 cr_convex_smoothed_value(loss, mu, zy + k, y + k, 1) - g[k] * dz;
            break;
        }
    }
    return s;
}

/* l*(v) with its gradient g and diagonal Hessian h on the open domain; INFINITY outside. */
double cr_convex_conj_d2(cr_loss_kind loss, const double *v, const double *y, size_t n, double *g, double *h)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        if (loss == CR_LOSS_SQUARED) {
            s += 0.5 * v[k] * v[k] + v[k] * y[k];
            g[k] = v[k] + y[k];
            h[k] = 1.0;
        } else {
            double t = -y[k] * v[k];
            if (!(t > 0 && t < 1)) return INFINITY;
            s += t * log(t) + (1 - t) * log1p(-t);
            g[k] = -y[k] * (log(t) - log1p(-t));
            h[k] = y[k] * y[k] / (t * (1 - t));
        }
    }
    return s;
}

/* prox_{sigma l}(x) coordinatewise into pz, with its derivative (the diagonal Jacobian) in jac:
 * squared (x + sigma y) / (1 + sigma); hinge: x + sigma y, x, or the kink 1/y; logistic: the root of
 * p - x - sigma y s(y p) = 0, s(q) = 1/(1 + e^q), by safeguarded Newton (the root lies between x and
 * x + sigma y), derivative 1 / (1 + sigma y^2 s (1 - s)). */
void cr_convex_loss_prox(cr_loss_kind loss, double sigma, const double *x, const double *y, size_t n, double *pz,
                         double *jac)
{
    for (size_t k = 0; k < n; k++) {
        double xk = x[k], yk = y[k];
        switch (loss) {
        case CR_LOSS_SQUARED:
            pz[k] = (xk + sigma * yk) / (1 + sigma);
            jac[k] = 1 / (1 + sigma);
            break;
        case CR_LOSS_HINGE:
            if (yk == 0) {
                pz[k] = xk, jac[k] = 1;
            } else if (yk * (xk + sigma * yk) < 1) {
                pz[k] = xk + sigma * yk, jac[k] = 1;
            } else if (yk * xk > 1) {
                pz[k] = xk, jac[k] = 1;
            } else {
                pz[k] = 1 / yk, jac[k] = 0;
            }
            break;
        case CR_LOSS_LOGISTIC: {
            double lo = fmin(xk, xk + sigma * yk), hi = fmax(xk, xk + sigma * yk), q = xk, sg = 0;
            for (int it = 0; it < 100; it++) {
                sg = cr_sigmoid_neg(yk * q);
                double f = q - xk - sigma * yk * sg;
                if (f > 0) hi = q;
                else lo = q;
                double fp = 1 + sigma * yk * yk * sg * (1 - sg), qn = q - f / fp;
                if (!(qn > lo && qn < hi)) qn = 0.5 * (lo + hi);
                if (fabs(qn - q) <= 1e-16 * (1 + fabs(q)) || hi - lo <= 1e-16 * (1 + fabs(q))) {
                    q = qn;
                    break;
                }
                q = qn;
            }
            sg = cr_sigmoid_neg(yk * q);
            pz[k] = q;
            jac[k] = 1 / (1 + sigma * yk * yk * sg * (1 - sg));
            break;
        }
        }
    }
}
