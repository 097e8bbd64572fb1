/* The dual norm N(lambda) = max_{||u|| <= 1} |lambda'(X u)_+| and the support function of the rectified
 * ellipsoid (see dualnorm.h): per-pattern NNLS, the maximum over a pattern set, and the d = 2 arc sweep.
 * The NNLS matrix X'(2D - I) is rebuilt per call in a buffer sized once; the sweep sorts breakpoint angles
 * in another. No GSL or BLAS here. */
#include "dualnorm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnls.h"

struct cr_dualnorm_work {
    size_t n, d;
    cr_nnls_work *nnls; /* d x n */
    double *A;          /* d x n row-major: column k = (2 D_kk - 1) x_k */
    double *b;          /* d: -s X'D lambda */
    double *c;          /* d: s X'D lambda */
    double *mu;         /* n: NNLS solution */
    double *ur;         /* d: candidate maximizer */
    double *ang;        /* 2n: breakpoint angles of the sweep */
};

cr_dualnorm_work *cr_dualnorm_alloc(size_t n, size_t d)
{
    if (n == 0 || d == 0) return NULL;
    cr_dualnorm_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->nnls = cr_nnls_alloc(d, n);
    w->A = malloc(d * n * sizeof *w->A);
    w->b = malloc(d * sizeof *w->b);
    w->c = malloc(d * sizeof *w->c);
    w->mu = malloc(n * sizeof *w->mu);
    w->ur = malloc(d * sizeof *w->ur);
    w->ang = malloc(2 * n * sizeof *w->ang);
    if (!w->nnls || !w->A || !w->b || !w->c || !w->mu || !w->ur || !w->ang) {
        cr_dualnorm_free(w);
        return NULL;
    }
    return w;
}

size_t cr_dualnorm_work_bytes(size_t n, size_t d)
{
    if (n == 0 || d == 0) return 0;
    return sizeof(cr_dualnorm_work) + cr_nnls_work_bytes(d, n) + (d * n + 3 * d + 3 * n) * sizeof(double);
}

void cr_dualnorm_free(cr_dualnorm_work *w)
{
    if (!w) return;
    cr_nnls_free(w->nnls);
    free(w->A);
    free(w->b);
    free(w->c);
    free(w->mu);
    free(w->ur);
    free(w->ang);
    free(w);
}

double cr_dualnorm_value_at(const double *X, size_t n, size_t d, const double *lambda, const double *u)
{
    double v = 0.0;
    for (size_t k = 0; k < n; k++) {
        double t = 0.0;
        for (size_t r = 0; r < d; r++) t += X[k * d + r] * u[r];
        if (t > 0) v += lambda[k] * t;
    }
    return v;
}

void cr_dualnorm_image(const double *X, size_t n, size_t d, const double *u, double s, double *z, double *zplus)
{
    for (size_t k = 0; k < n; k++) {
        double t = d ? X[k * d] * u[0] : 0.0;
        for (size_t r = 1; r < d; r++) t += X[k * d + r] * u[r];
        t /= s;
        if (z) z[k] = t;
        if (zplus) zplus[k] = t > 0 ? t : 0.0;
    }
}

static int mask_bit(const uint64_t *mask, size_t k)
{
    return (int)((mask[k / 64] >> (k % 64)) & 1u);
}

/* c = X'D lambda (d), no sign. */
static void masked_xtl(const double *X, size_t n, size_t d, const uint64_t *mask, const double *lambda, double *c)
{
    for (size_t r = 0; r < d; r++) c[r] = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (!mask_bit(mask, k) || lambda[k] == 0.0) continue;
        for (size_t r = 0; r < d; r++) c[r] += X[k * d + r] * lambda[k];
    }
}

/* max_{u in K, ||u|| <= 1} c'u = ||P_K(c)|| by Moreau: P_K(c) = c + A mu*, mu* = argmin_{mu >= 0} ||c + A mu||,
 * A = X'(2D - I) (columns generate -K's polar cone). w->c holds c on entry. */
static int project_value(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const uint64_t *mask,
                         double *value, double *u, cr_err *err)
{
    double cn = 0.0;
    for (size_t r = 0; r < d; r++) cn += w->c[r] * w->c[r];
    if (cn == 0.0) {
        *value = 0.0;
        if (u) memset(u, 0, d * sizeof *u);
        return CR_OK;
    }
    for (size_t k = 0; k < n; k++) {
        double sk = mask_bit(mask, k) ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) w->A[r * n + k] = sk * X[k * d + r];
    }
    for (size_t r = 0; r < d; r++) w->b[r] = -w->c[r];
    double resid;
    int st = cr_nnls_solve(w->nnls, w->A, d, n, w->b, w->mu, &resid, err);
    if (st != CR_OK) return st;
    *value = resid;
    if (u) {
        /* r = A mu + c: the projection P_K(c); u = r / ||r|| attains c'u = ||r|| at the NNLS optimum. */
        double rn = 0.0;
        for (size_t r = 0; r < d; r++) {
            double t = w->c[r];
            for (size_t k = 0; k < n; k++) t += w->A[r * n + k] * w->mu[k];
            u[r] = t;
            rn += t * t;
        }
        rn = sqrt(rn);
        /* At rounding level the residual has no direction: u = 0 attains the (zero) maximum. */
        int zero = !(rn > 1e-13 * sqrt(cn));
        for (size_t r = 0; r < d; r++) u[r] = zero ? 0.0 : u[r] / rn;
    }
    return CR_OK;
}

int cr_dualnorm_pattern(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const uint64_t *mask,
                        const double *lambda, int s, double *value, double *u, cr_err *err)
{
    if (!w || !X || !mask || !lambda || !value)
        return cr_err_set(err, CR_EINPUT, "dualnorm: NULL argument");
    if (n > w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "dualnorm: %zu x %zu exceeds workspace %zu x %zu", n, d, w->n, w->d);
    if (s != 1 && s != -1) return cr_err_set(err, CR_EINPUT, "dualnorm: sign %d is not +1 or -1", s);
    masked_xtl(X, n, d, mask, lambda, w->c);
    if (s < 0)
        for (size_t r = 0; r < d; r++) w->c[r] = -w->c[r];
    return project_value(w, X, n, d, mask, value, u, err);
}

int cr_dualnorm_over(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const cr_patterns *P,
                     const double *lambda, cr_dualnorm_kind kind, double *value, double *u, size_t *which,
                     int *sign, cr_err *err)
{
    if (!w || !X || !P || !lambda || !value)
        return cr_err_set(err, CR_EINPUT, "dualnorm: NULL argument");
    if (P->n != n) return cr_err_set(err, CR_EINPUT, "dualnorm: patterns have %zu bits for %zu samples", P->n, n);
    if (n > w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "dualnorm: %zu x %zu exceeds workspace %zu x %zu", n, d, w->n, w->d);
    if (kind != CR_DUALNORM_ABS && kind != CR_DUALNORM_ONESIDED)
        return cr_err_set(err, CR_EINPUT, "dualnorm: unknown kind %d", (int)kind);
    double best = 0.0;
    size_t bi = 0;
    int bs = 1;
    if (u) memset(u, 0, d * sizeof *u);
    for (size_t i = 0; i < P->p; i++) {
        const uint64_t *mask = cr_patterns_mask(P, i);
        masked_xtl(X, n, d, mask, lambda, w->c);
        double cn = 0.0;
        for (size_t r = 0; r < d; r++) cn += w->c[r] * w->c[r];
        /* ||P_K(c)|| <= ||c||: this pattern cannot beat the incumbent. */
        if (sqrt(cn) <= best) continue;
        for (int s = 1; s >= -1; s -= 2) {
            if (s < 0) {
                if (kind == CR_DUALNORM_ONESIDED) break;
                for (size_t r = 0; r < d; r++) w->c[r] = -w->c[r];
            }
            double v;
            int st = project_value(w, X, n, d, mask, &v, u ? w->ur : NULL, err);
            if (st != CR_OK) return st;
            if (v > best) {
                best = v;
                bi = i;
                bs = s;
                if (u) memcpy(u, w->ur, d * sizeof *u);
            }
        }
    }
    *value = best;
    if (which) *which = bi;
    if (sign) *sign = bs;
    return CR_OK;
}

/* In-place heapsort (qsort may allocate). */
static void sort_doubles(double *v, size_t m)
{
    for (size_t start = m / 2; start-- > 0;)
        for (size_t root = start;;) {
            size_t c = 2 * root + 1;
            if (c >= m) break;
            if (c + 1 < m && v[c] < v[c + 1]) c++;
            if (!(v[root] < v[c])) break;
            double t = v[root];
            v[root] = v[c];
            v[c] = t;
            root = c;
        }
    for (size_t end = m; end-- > 1;) {
        double t = v[0];
        v[0] = v[end];
        v[end] = t;
        for (size_t root = 0;;) {
            size_t c = 2 * root + 1;
            if (c >= end) break;
            if (c + 1 < end && v[c] < v[c + 1]) c++;
            if (!(v[root] < v[c])) break;
            double u = v[root];
            v[root] = v[c];
            v[c] = u;
            root = c;
        }
    }
}

/* c'u(t) at angle t, u(t) = (cos t, sin t). */
static double lin_at(const double *c, double t)
{
    return c[0] * cos(t) + c[1] * sin(t);
}

int cr_dualnorm_sweep2(cr_dualnorm_work *w, const double *X, size_t n, const double *lambda, cr_dualnorm_kind kind,
                       double *value, double *u, cr_err *err)
{
    if (!w || !X || !lambda || !value) return cr_err_set(err, CR_EINPUT, "dualnorm sweep: NULL argument");
    if (n > w->n || w->d < 2)
        return cr_err_set(err, CR_EINPUT, "dualnorm sweep: n = %zu, workspace %zu x %zu (needs d >= 2)", n, w->n,
                          w->d);
    if (kind != CR_DUALNORM_ABS && kind != CR_DUALNORM_ONESIDED)
        return cr_err_set(err, CR_EINPUT, "dualnorm sweep: unknown kind %d", (int)kind);
    const double twopi = 2.0 * M_PI;
    size_t nb = 0;
    for (size_t k = 0; k < n; k++) {
        double a = X[2 * k], b = X[2 * k + 1];
        if (a == 0.0 && b == 0.0) continue; /* a zero row never contributes */
        double phi = atan2(b, a);
        for (int e = -1; e <= 1; e += 2) {
            double t = fmod(phi + e * M_PI_2, twopi);
            if (t < 0) t += twopi;
            w->ang[nb++] = t;
        }
    }
    double best = 0.0, bt = 0.0;
    int found = 0;
    if (nb > 0) {
        sort_doubles(w->ang, nb);
        for (size_t a = 0; a < nb; a++) {
            double t0 = w->ang[a], t1 = a + 1 < nb ? w->ang[a + 1] : w->ang[0] + twopi;
            if (!(t1 > t0)) continue; /* repeated breakpoint: its endpoint belongs to the neighbouring arcs */
            double tm = 0.5 * (t0 + t1), um0 = cos(tm), um1 = sin(tm), c[2] = {0.0, 0.0};
            for (size_t k = 0; k < n; k++)
                if (X[2 * k] * um0 + X[2 * k + 1] * um1 > 0) {
                    c[0] += lambda[k] * X[2 * k];
                    c[1] += lambda[k] * X[2 * k + 1];
                }
            for (int s = 1; s >= -1; s -= 2) {
                if (s < 0 && kind == CR_DUALNORM_ONESIDED) break;
                double cs[2] = {s * c[0], s * c[1]};
                double cn = hypot(cs[0], cs[1]), v, t;
                double tc = cn > 0 ? atan2(cs[1], cs[0]) : t0;
                /* The direction of c, moved into [t0, t0 + 2 pi). */
                tc = fmod(tc - t0, twopi);
                if (tc < 0) tc += twopi;
                tc += t0;
                if (cn > 0 && tc <= t1) {
                    v = cn;
                    t = tc;
                } else {
                    double v0 = lin_at(cs, t0), v1 = lin_at(cs, t1);
                    v = v0 >= v1 ? v0 : v1;
                    t = v0 >= v1 ? t0 : t1;
                }
                if (!found || v > best) {
                    best = v;
                    bt = t;
                    found = 1;
                }
            }
        }
    }
    /* u = 0 gives 0: the one-sided maximum is never negative, and |.| >= 0 anyway. */
    if (!found || best <= 0.0) {
        *value = 0.0;
        if (u) u[0] = u[1] = 0.0;
    } else {
        *value = best;
        if (u) {
            u[0] = cos(bt);
            u[1] = sin(bt);
        }
    }
    return CR_OK;
}

int cr_dualnorm_geometry(cr_dualnorm_work *w, const double *X, size_t n, size_t d, const cr_patterns *P,
                         const double *a, double *support, double *radius, cr_err *err)
{
    double h = 0.0, N = 0.0;
    int st;
    if (P) {
        if (support && (st = cr_dualnorm_over(w, X, n, d, P, a, CR_DUALNORM_ONESIDED, &h, NULL, NULL, NULL, err)))
            return st;
        if (radius && (st = cr_dualnorm_over(w, X, n, d, P, a, CR_DUALNORM_ABS, &N, NULL, NULL, NULL, err)))
            return st;
    } else {
        if (d != 2) return cr_err_set(err, CR_EINPUT, "dualnorm geometry: the sweep needs d = 2, got %zu", d);
        if (support && (st = cr_dualnorm_sweep2(w, X, n, a, CR_DUALNORM_ONESIDED, &h, NULL, err))) return st;
        if (radius && (st = cr_dualnorm_sweep2(w, X, n, a, CR_DUALNORM_ABS, &N, NULL, err))) return st;
    }
    if (support) *support = h;
    if (radius) *radius = N > 0 ? 1.0 / N : INFINITY;
    return CR_OK;
}
