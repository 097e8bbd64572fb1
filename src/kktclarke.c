/* The KKT fit with the Clarke subdifferential at the ReLU's kinks (see kktclarke.h). */
#include "kktclarke.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CD_SWEEPS 10000
#define GOLDEN_ITERS 400

struct cr_kktc_work {
    size_t n, d, m;
    double *H;     /* n x m: X W1 (unscaled) */
    double *xn;    /* n: ||x_i|| */
    unsigned char *kink; /* n x m: 1 when pair (i, j) is relaxed */
    double *s;     /* n x m: s_ij of the relaxed pairs */
    double *tw1;   /* m x d: a w1_j */
    double *tw2;   /* m: a w2_j */
    double *g0;    /* m: dir'(X a w1_j)_+ */
    double *v;     /* m x d: a w2_j X' D_j dir over the pairs active beyond tau */
    double *r;     /* d */
    /* the fit's inputs, borrowed during one call */
    const double *X, *dir;
};

cr_kktc_work *cr_kktc_alloc(size_t n, size_t d, size_t m)
{
    if (n == 0 || d == 0 || m == 0) return NULL;
    cr_kktc_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n, w->d = d, w->m = m;
    w->H = malloc(n * m * sizeof *w->H);
    w->xn = malloc(n * sizeof *w->xn);
    w->kink = malloc(n * m);
    w->s = malloc(n * m * sizeof *w->s);
    w->tw1 = malloc(m * d * sizeof *w->tw1);
    w->tw2 = malloc(m * sizeof *w->tw2);
    w->g0 = malloc(m * sizeof *w->g0);
    w->v = malloc(m * d * sizeof *w->v);
    w->r = malloc(d * sizeof *w->r);
    if (!w->H || !w->xn || !w->kink || !w->s || !w->tw1 || !w->tw2 || !w->g0 || !w->v || !w->r) {
        cr_kktc_free(w);
        return NULL;
    }
    return w;
}

void cr_kktc_free(cr_kktc_work *w)
{
    if (!w) return;
    free(w->H), free(w->xn), free(w->kink), free(w->s), free(w->tw1), free(w->tw2), free(w->g0), free(w->v);
    free(w->r);
    free(w);
}

/* The squared residual at multiplier scale c, minimized over the relaxed s (w->s updated in place). */
static double residual2(cr_kktc_work *w, double c)
{
    const size_t n = w->n, d = w->d, m = w->m;
    const double *X = w->X, *dir = w->dir;
    double total = 0.0;
    for (size_t j = 0; j < m; j++) {
        double e = w->tw2[j] - c * w->g0[j];
        total += e * e;
        double *r = w->r;
        for (size_t k = 0; k < d; k++) r[k] = w->tw1[j * d + k] - c * w->v[j * d + k];
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            if (!w->kink[i * m + j]) continue;
            any = 1;
            const double q = c * w->tw2[j] * dir[i] * w->s[i * m + j];
            for (size_t k = 0; k < d; k++) r[k] -= q * X[i * d + k];
        }
        /* Cyclic coordinate descent on min_{s in [0,1]^B} ||r||^2, r = r0 - sum_i s_i q_i, q_i = c a w2_j dir_i x_i. */
        for (int sweep = 0; any && c > 0 && sweep < CD_SWEEPS; sweep++) {
            double change = 0.0;
            for (size_t i = 0; i < n; i++) {
                if (!w->kink[i * m + j]) continue;
                const double b = c * w->tw2[j] * dir[i];
                double qq = 0.0, qr = 0.0;
                for (size_t k = 0; k < d; k++) {
                    qq += b * X[i * d + k] * b * X[i * d + k];
                    qr += b * X[i * d + k] * r[k];
                }
                if (!(qq > 0)) continue;
                double s0 = w->s[i * m + j], s1 = s0 + qr / qq;
                s1 = s1 < 0 ? 0 : s1 > 1 ? 1 : s1;
                if (s1 == s0) continue;
                for (size_t k = 0; k < d; k++) r[k] -= (s1 - s0) * b * X[i * d + k];
                w->s[i * m + j] = s1;
                if (fabs(s1 - s0) > change) change = fabs(s1 - s0);
            }
            if (change <= 1e-15) break;
        }
        for (size_t k = 0; k < d; k++) total += r[k] * r[k];
    }
    return total;
}

/* Pre-activations H = X W1, row norms and outputs; returns min_i y_i f_i. */
static double outputs(cr_kktc_work *w, const double *X, const double *y, const double *W1, const double *w2)
{
    const size_t n = w->n, d = w->d, m = w->m;
    double mn = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double f = 0.0, nx = 0.0;
        for (size_t k = 0; k < d; k++) nx += X[i * d + k] * X[i * d + k];
        w->xn[i] = sqrt(nx);
        for (size_t j = 0; j < m; j++) {
            double h = 0.0;
            for (size_t k = 0; k < d; k++) h += X[i * d + k] * W1[k * m + j];
            w->H[i * m + j] = h;
            if (h > 0) f += h * w2[j];
        }
        if (y[i] * f < mn) mn = y[i] * f;
    }
    return mn;
}

/* The scaled network t = a theta, g0, the pairs relaxed at tau (s at their strict values) and v over the others;
 * returns ||t||^2 and counts the relaxed pairs into *kinks. */
static double scaled_targets(cr_kktc_work *w, const double *W1, const double *w2, double a, double tau,
                             size_t *kinks)
{
    const size_t n = w->n, d = w->d, m = w->m;
    const double *X = w->X, *dir = w->dir;
    double tt = 0.0;
    for (size_t j = 0; j < m; j++) {
        double nw = 0.0;
        for (size_t k = 0; k < d; k++) nw += W1[k * m + j] * W1[k * m + j];
        nw = sqrt(nw);
        w->tw2[j] = a * w2[j];
        tt += w->tw2[j] * w->tw2[j];
        for (size_t k = 0; k < d; k++) {
            w->tw1[j * d + k] = a * W1[k * m + j];
            tt += w->tw1[j * d + k] * w->tw1[j * d + k];
            w->v[j * d + k] = 0.0;
        }
        double g0 = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double h = w->H[i * m + j];
            if (h > 0) g0 += dir[i] * a * h;
            const int kink = w2[j] != 0.0 && fabs(h) <= tau * w->xn[i] * nw;
            w->kink[i * m + j] = (unsigned char)kink;
            w->s[i * m + j] = h > 0 ? 1.0 : 0.0;
            if (kink) {
                (*kinks)++;
            } else if (h > 0) {
                for (size_t k = 0; k < d; k++) w->v[j * d + k] += w->tw2[j] * dir[i] * X[i * d + k];
            }
        }
        w->g0[j] = g0;
    }
    return tt;
}

/* A bracket [0, hi] for c: the least-squares c with the relaxed pairs at their strict values (s = 1(h > 0)),
 * doubled until the convex residual grows. */
static double bracket(cr_kktc_work *w)
{
    const size_t n = w->n, d = w->d, m = w->m;
    const double *X = w->X, *dir = w->dir;
    double tg = 0.0, gg = 0.0;
    for (size_t j = 0; j < m; j++) {
        tg += w->tw2[j] * w->g0[j];
        gg += w->g0[j] * w->g0[j];
        for (size_t k = 0; k < d; k++) {
            double g = w->v[j * d + k];
            for (size_t i = 0; i < n; i++)
                if (w->kink[i * m + j]) g += w->s[i * m + j] * w->tw2[j] * dir[i] * X[i * d + k];
            tg += w->tw1[j * d + k] * g;
            gg += g * g;
        }
    }
    double hi = gg > 0 && tg > 0 ? 2.0 * tg / gg : 1.0;
    for (int k = 0; k < 200 && residual2(w, 2.0 * hi) < residual2(w, hi); k++) hi *= 2.0;
    return 2.0 * hi;
}

/* Golden section for the residual's minimum over c in [0, hi], c = 0 a candidate too (the bracket's end is never
 * evaluated by the section); *r2 = the squared residual there. */
static double minimize_c(cr_kktc_work *w, double hi, double *r2)
{
    const double phi = 0.5 * (sqrt(5.0) - 1.0);
    double lo = 0.0, x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
    double f1 = residual2(w, x1), f2 = residual2(w, x2);
    for (int it = 0; it < GOLDEN_ITERS && hi - lo > 1e-16 * hi; it++) {
        if (f1 <= f2) {
            hi = x2, x2 = x1, f2 = f1;
            x1 = hi - phi * (hi - lo);
            f1 = residual2(w, x1);
        } else {
            lo = x1, x1 = x2, f1 = f2;
            x2 = lo + phi * (hi - lo);
            f2 = residual2(w, x2);
        }
    }
    double c = f1 <= f2 ? x1 : x2;
    double rc = residual2(w, c), r0 = residual2(w, 0.0);
    if (r0 < rc) {
        *r2 = r0;
        return 0.0;
    }
    *r2 = residual2(w, c);
    return c;
}

int cr_kktc_fit(cr_kktc_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                const double *w2, size_t m, const double *dir, double tau, double *lambda, cr_kktc_info *info,
                cr_err *err)
{
    if (!w || !X || !y || !W1 || !w2 || !dir) return cr_err_set(err, CR_EINPUT, "kktclarke: NULL argument");
    if (n != w->n || d != w->d || m != w->m)
        return cr_err_set(err, CR_EINPUT, "kktclarke: n = %zu, d = %zu, m = %zu do not match workspace %zu x %zu x %zu",
                          n, d, m, w->n, w->d, w->m);
    if (!(isfinite(tau) && tau >= 0))
        return cr_err_set(err, CR_EINPUT, "kktclarke: tau: expected a finite number >= 0, got %g", tau);
    const double mn = outputs(w, X, y, W1, w2);
    if (!(mn > 0))
        return cr_err_set(err, CR_EINPUT, "kktclarke: the network does not separate the data (min_i y_i f_i = %g)", mn);
    const double a = 1.0 / sqrt(mn);
    w->X = X, w->dir = dir;
    size_t kinks = 0;
    const double tt = scaled_targets(w, W1, w2, a, tau, &kinks);
    double r2;
    const double c = minimize_c(w, bracket(w), &r2);
    double yl = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (lambda) lambda[i] = c * dir[i];
        yl += y[i] * c * dir[i];
    }
    if (info) {
        cr_mm_kkt_set_info(mn, a, c, r2, tt, yl, info);
        info->kinks = kinks;
    }
    return CR_OK;
}
