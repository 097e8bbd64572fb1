/* Losses, gradients and conjugates (see loss.h and docs/MATH.md, Losses). */
#include "loss.h"

#include <math.h>
#include <string.h>

const char *cr_loss_name(cr_loss_kind k)
{
    switch (k) {
    case CR_LOSS_SQUARED: return "squared";
    case CR_LOSS_LOGISTIC: return "logistic";
    case CR_LOSS_HINGE: return "hinge";
    }
    return "?";
}

double cr_log1pexp_neg(double q)
{
    /* For q > 0, exp(-q) <= 1 and log1p is accurate; for q <= 0 factor out exp(-q). */
    return q > 0 ? log1p(exp(-q)) : -q + log1p(exp(q));
}

double cr_sigmoid_neg(double q)
{
    if (q >= 0) {
        double e = exp(-q);
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(q));
}

double cr_loss_value(cr_loss_kind k, const double *z, const double *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case CR_LOSS_SQUARED: s += 0.5 * (z[i] - y[i]) * (z[i] - y[i]); break;
        case CR_LOSS_LOGISTIC: s += cr_log1pexp_neg(y[i] * z[i]); break;
        case CR_LOSS_HINGE: s += fmax(0.0, 1.0 - y[i] * z[i]); break;
        }
    }
    return s;
}

void cr_loss_grad(cr_loss_kind k, const double *z, const double *y, size_t n, double *g)
{
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case CR_LOSS_SQUARED: g[i] = z[i] - y[i]; break;
        case CR_LOSS_LOGISTIC: g[i] = -y[i] * cr_sigmoid_neg(y[i] * z[i]); break;
        case CR_LOSS_HINGE: g[i] = (y[i] * z[i] < 1.0) ? -y[i] : 0.0; break;
        }
    }
}

/* t log t with the limit 0 at t = 0. */
static double xlogx(double t)
{
    return t > 0 ? t * log(t) : 0.0;
}

double cr_loss_conj(cr_loss_kind k, const double *v, const double *y, size_t n)
{
    const double clip = 1e-12;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case CR_LOSS_SQUARED: s += 0.5 * v[i] * v[i] + v[i] * y[i]; break;
        case CR_LOSS_LOGISTIC: {
            double t = -y[i] * v[i];
            if (t < -clip || t > 1 + clip) return INFINITY;
            t = fmin(1.0, fmax(0.0, t));
            s += xlogx(t) + xlogx(1.0 - t);
            break;
        }
        case CR_LOSS_HINGE: {
            double t = y[i] * v[i];
            if (t < -1 - clip || t > clip) return INFINITY;
            s += fmin(0.0, fmax(-1.0, t));
            break;
        }
        }
    }
    return s;
}
