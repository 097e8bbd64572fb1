/* Loss-scaled gradient descent on the logistic loss, in the log domain (see marginflow.h). */
#include "marginflow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HALVINGS 60

struct cr_mflow_work {
    size_t n, d, m;
    double *H, *Hc;   /* n x m pre-activations X W1 of the iterate and of the candidate */
    double *z, *zc;   /* n margins y_i f_i */
    double *omega;    /* n weights sigma(-z_i) / max_k sigma(-z_k) */
    double *g;        /* d m + m: the step direction (minus the gradient, scaled) */
    double *cand;     /* d m + m: the candidate parameters */
};

cr_mflow_work *cr_mflow_alloc(size_t n, size_t d, size_t m)
{
    if (n == 0 || d == 0 || m == 0) return NULL;
    cr_mflow_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n, w->d = d, w->m = m;
    const size_t p = d * m + m;
    w->H = malloc(n * m * sizeof *w->H);
    w->Hc = malloc(n * m * sizeof *w->Hc);
    w->z = malloc(n * sizeof *w->z);
    w->zc = malloc(n * sizeof *w->zc);
    w->omega = malloc(n * sizeof *w->omega);
    w->g = malloc(p * sizeof *w->g);
    w->cand = malloc(p * sizeof *w->cand);
    if (!w->H || !w->Hc || !w->z || !w->zc || !w->omega || !w->g || !w->cand) {
        cr_mflow_free(w);
        return NULL;
    }
    return w;
}

void cr_mflow_free(cr_mflow_work *w)
{
    if (!w) return;
    free(w->H), free(w->Hc), free(w->z), free(w->zc), free(w->omega), free(w->g), free(w->cand);
    free(w);
}

/* ---------------------------------------------------------------------------------------- the log domain */

/* log sigma(-z) = -log(1 + exp(z)), for any finite z. */
static double log_sigma_neg(double z)
{
    return z > 0 ? -(z + log1p(exp(-z))) : -log1p(exp(z));
}

/* log l(z) = log log(1 + exp(-z)), for any finite z. For z > 40, l(z) = u (1 - u/2 + ...) with u = exp(-z) < 5e-18,
 * so log l(z) = -z - u/2 to double precision, also where u underflows. */
static double log_loss_term(double z)
{
    if (z > 40) return -z - 0.5 * exp(-z);
    if (z > 0) return log(log1p(exp(-z)));
    return log(-z + log1p(exp(z)));
}

/* H = X W1 (n x m), z_i = y_i sum_j (H_ij)_+ w2_j; returns 1 if every z_i is finite. */
static int forward(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                   size_t m, double *H, double *z)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * d;
        double *hi = H + i * m;
        for (size_t j = 0; j < m; j++) hi[j] = 0.0;
        for (size_t r = 0; r < d; r++) {
            const double xr = xi[r], *wr = W1 + r * m;
            for (size_t j = 0; j < m; j++) hi[j] += xr * wr[j];
        }
        double f = 0.0;
        for (size_t j = 0; j < m; j++)
            if (hi[j] > 0) f += hi[j] * w2[j];
        z[i] = y[i] * f;
        if (!isfinite(z[i])) ok = 0;
    }
    return ok;
}

/* log L = M + log sum_i exp(log l(z_i) - M), M = max_i log l(z_i). */
static double log_loss(const double *z, size_t n)
{
    double M = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double t = log_loss_term(z[i]);
        if (t > M) M = t;
    }
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += exp(log_loss_term(z[i]) - M);
    return M + log(s);
}

/* omega_i = sigma(-z_i) / max_k sigma(-z_k); returns S = L / max_k sigma(-z_k). */
static double weights(const double *z, size_t n, double *omega)
{
    double M = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double t = log_sigma_neg(z[i]);
        if (t > M) M = t;
    }
    double S = 0.0;
    for (size_t i = 0; i < n; i++) {
        omega[i] = exp(log_sigma_neg(z[i]) - M);
        S += exp(log_loss_term(z[i]) - M);
    }
    return S;
}

void cr_mflow_dir(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                  size_t m, double *dir)
{
    /* z first (dir holds it), then the weights in place: sigma(-z_i) / max_k sigma(-z_k). */
    for (size_t i = 0; i < n; i++) {
        double f = 0.0;
        for (size_t j = 0; j < m; j++) {
            double h = 0.0;
            for (size_t r = 0; r < d; r++) h += X[i * d + r] * W1[r * m + j];
            if (h > 0) f += h * w2[j];
        }
        dir[i] = y[i] * f;
    }
    double M = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double t = log_sigma_neg(dir[i]);
        if (t > M) M = t;
    }
    for (size_t i = 0; i < n; i++) dir[i] = y[i] * exp(log_sigma_neg(dir[i]) - M);
}

/* ------------------------------------------------------------------------------------------------- the run */

void cr_mflow_defaults(cr_mflow_opts *o)
{
    o->eta = 0.005;
    o->kappa = 5.0;
    o->steps = 100000000;
    o->target = 1e4;
    o->settle_steps = 2000;
    o->settle_levels = 4;
}

/* One phase: at most `steps` steps with cap kappa, stopping at the first iterate with min z >= target (> 0). */
static int phase(cr_mflow_work *w, cr_net *net, const double *X, const double *y, size_t n, double eta,
                 double kappa, long steps, double target, double *logL, cr_mflow_info *r, cr_err *err);

int cr_mflow_run(cr_mflow_work *w, cr_net *net, const double *X, const double *y, size_t n,
                 const cr_mflow_opts *o, cr_mflow_info *info, cr_err *err)
{
    if (!w || !net || !X || !y || !o) return cr_err_set(err, CR_EINPUT, "marginflow: NULL argument");
    const size_t d = net->d, m = net->m, p = d * m + m;
    if (n != w->n || d != w->d || m != w->m)
        return cr_err_set(err, CR_EINPUT, "marginflow: n = %zu, d = %zu, m = %zu do not match workspace %zu x %zu x %zu",
                          n, d, m, w->n, w->d, w->m);
    if (!(isfinite(o->eta) && o->eta > 0))
        return cr_err_set(err, CR_EINPUT, "marginflow: eta: expected a finite number > 0, got %g", o->eta);
    if (!(isfinite(o->kappa) && o->kappa >= 0))
        return cr_err_set(err, CR_EINPUT, "marginflow: kappa: expected a finite number >= 0, got %g", o->kappa);
    if (o->steps < 0) return cr_err_set(err, CR_EINPUT, "marginflow: steps: expected >= 0, got %ld", o->steps);
    if (!(isfinite(o->target) && o->target >= 0))
        return cr_err_set(err, CR_EINPUT, "marginflow: target: expected a finite number >= 0, got %g", o->target);
    if (o->settle_steps < 0 || o->settle_levels < 0)
        return cr_err_set(err, CR_EINPUT, "marginflow: settle_steps and settle_levels: expected >= 0, got %ld, %d",
                          o->settle_steps, o->settle_levels);
    cr_mflow_info r = {0};
    if (!forward(X, y, n, d, net->W1, net->w2, m, w->H, w->z))
        return cr_err_set(err, CR_ERUNTIME, "marginflow: non-finite network output at the start");
    double logL = log_loss(w->z, n);
    int st = phase(w, net, X, y, n, o->eta, o->kappa, o->steps, o->target, &logL, &r, err);
    if (!st && o->target > 0) {
        double zmin = INFINITY;
        for (size_t i = 0; i < n; i++)
            if (w->z[i] < zmin) zmin = w->z[i];
        r.reached = zmin >= o->target;
    }
    double kappa = o->kappa;
    for (int k = 0; !st && r.reached && k < o->settle_levels; k++) {
        kappa /= 10.0;
        st = phase(w, net, X, y, n, o->eta, kappa, o->settle_steps, 0.0, &logL, &r, err);
    }
    r.min_yf = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (w->z[i] < r.min_yf) r.min_yf = w->z[i];
    r.log_loss = logL;
    r.norm2 = 0.0;
    for (size_t q = 0; q < p; q++) r.norm2 += net->theta[q] * net->theta[q];
    if (info) *info = r;
    return st;
}

static int phase(cr_mflow_work *w, cr_net *net, const double *X, const double *y, size_t n, double eta,
                 double kappa, long steps, double target, double *logL, cr_mflow_info *r, cr_err *err)
{
    const size_t d = net->d, m = net->m, p = d * m + m;
    for (long t = 0; t < steps; t++) {
        if (target > 0) {
            double zmin = INFINITY;
            for (size_t i = 0; i < n; i++)
                if (w->z[i] < zmin) zmin = w->z[i];
            if (zmin >= target) break;
        }
        /* g = -grad L / max_k sigma(-z_k) = sum_i omega_i y_i grad f_i; step eta / L in the same units: eta / S. */
        const double S = weights(w->z, n, w->omega);
        double *gW1 = w->g, *gw2 = w->g + d * m;
        memset(w->g, 0, p * sizeof *w->g);
        for (size_t i = 0; i < n; i++) {
            const double a = w->omega[i] * y[i];
            const double *hi = w->H + i * m, *xi = X + i * d;
            for (size_t j = 0; j < m; j++) {
                if (!(hi[j] > 0)) continue;
                gw2[j] += a * hi[j];
                const double b = a * net->w2[j];
                for (size_t k = 0; k < d; k++) gW1[k * m + j] += b * xi[k];
            }
        }
        double nrm2 = 0.0;
        for (size_t q = 0; q < p; q++) nrm2 += net->theta[q] * net->theta[q];
        double lr = (kappa > 0 && kappa / nrm2 < eta ? kappa / nrm2 : eta) / S;
        int accepted = 0;
        for (int k = 0; k <= MAX_HALVINGS; k++) {
            for (size_t q = 0; q < p; q++) w->cand[q] = net->theta[q] + lr * w->g[q];
            if (forward(X, y, n, d, w->cand, w->cand + d * m, m, w->Hc, w->zc)) {
                double lc = log_loss(w->zc, n);
                if (lc < *logL) {
                    accepted = 1;
                    *logL = lc;
                    break;
                }
            }
            lr *= 0.5;
            r->halvings++;
        }
        if (!accepted)
            return cr_err_set(err, CR_ERUNTIME, "marginflow: step %ld does not lower the loss after %d halvings",
                              r->steps, MAX_HALVINGS);
        memcpy(net->theta, w->cand, p * sizeof *w->cand);
        double *tmp = w->H;
        w->H = w->Hc, w->Hc = tmp;
        tmp = w->z, w->z = w->zc, w->zc = tmp;
        r->steps++;
    }
    return CR_OK;
}
