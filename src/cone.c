/* Projection onto a pattern cone by warm-started Lawson-Hanson NNLS on the polar (see cone.h).
 * The active set never holds more than d generators, so the least squares problems are d x q with q <= d,
 * solved by classical Gram-Schmidt with reorthogonalization (CGS2) from scratch: O(d q^2) per solve, tiny
 * next to the O(n d) cost of the optimality check X r. */
#include "cone.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "patterns.h"

struct cr_cone_work {
    size_t n, d;
    double *Q;  /* q x d: orthonormal basis of the active generators, one per row */
    double *R;  /* q x q upper triangular, R[l * d + j] */
    double *s;  /* d: least squares coefficients on the active set */
    double *qc; /* d: Q c */
    double *v;  /* d: scratch column */
    double *xr; /* n: X r when the caller does not supply it */
    unsigned char *in; /* n: 1 when row k is in the active set */
};

cr_cone_work *cr_cone_alloc(size_t n, size_t d)
{
    cr_cone_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    size_t dd = d ? d : 1, nn = n ? n : 1;
    w->Q = malloc(dd * dd * sizeof *w->Q);
    w->R = malloc(dd * dd * sizeof *w->R);
    w->s = malloc(dd * sizeof *w->s);
    w->qc = malloc(dd * sizeof *w->qc);
    w->v = malloc(dd * sizeof *w->v);
    w->xr = malloc(nn * sizeof *w->xr);
    w->in = calloc(nn, 1);
    if (!w->Q || !w->R || !w->s || !w->qc || !w->v || !w->xr || !w->in) {
        cr_cone_free(w);
        return NULL;
    }
    return w;
}

/* The allocations of cr_cone_alloc above: the struct, Q and R (d x d), s, qc, v (d), xr (n doubles), in (n bytes). */
size_t cr_cone_work_bytes(size_t n, size_t d)
{
    size_t dd = d ? d : 1, nn = n ? n : 1;
    return sizeof(cr_cone_work) + (2 * dd * dd + 3 * dd + nn) * sizeof(double) + nn;
}

void cr_cone_free(cr_cone_work *w)
{
    if (!w) return;
    free(w->Q);
    free(w->R);
    free(w->s);
    free(w->qc);
    free(w->v);
    free(w->xr);
    free(w->in);
    free(w);
}

/* s_k = 2 D_kk - 1. */
static inline double sgn(const uint64_t *mask, size_t k)
{
    return cr_mask_bit(mask, k) ? 1.0 : -1.0;
}

static void act_remove(cr_cone_active *a, size_t j)
{
    for (size_t l = j + 1; l < a->len; l++) {
        a->idx[l - 1] = a->idx[l];
        a->mu[l - 1] = a->mu[l];
    }
    a->len--;
}

/* s = argmin ||c + sum_j s_j a_{idx_j}||. Generators that are numerically dependent on earlier ones are
 * dropped from the active set first (Lawson-Hanson never needs them: their gradient vanishes). */
static void ls_solve(cr_cone_work *w, const double *X, size_t d, const uint64_t *mask, const double *c,
                     cr_cone_active *act)
{
    double *Q = w->Q, *R = w->R, *v = w->v;
    size_t j = 0;
    while (j < act->len) {
        size_t k = act->idx[j];
        double sk = sgn(mask, k), an = 0;
        for (size_t i = 0; i < d; i++) {
            v[i] = sk * X[k * d + i];
            an += v[i] * v[i];
        }
        an = sqrt(an);
        for (size_t l = 0; l < j; l++) R[l * d + j] = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t l = 0; l < j; l++) {
                double h = 0;
                for (size_t i = 0; i < d; i++) h += Q[l * d + i] * v[i];
                R[l * d + j] += h;
                for (size_t i = 0; i < d; i++) v[i] -= h * Q[l * d + i];
            }
        }
        double nv = 0;
        for (size_t i = 0; i < d; i++) nv += v[i] * v[i];
        nv = sqrt(nv);
        if (!(nv > 1e-12 * an)) {
            act_remove(act, j);
            continue;
        }
        R[j * d + j] = nv;
        for (size_t i = 0; i < d; i++) Q[j * d + i] = v[i] / nv;
        j++;
    }
    size_t q = act->len;
    for (size_t l = 0; l < q; l++) {
        double h = 0;
        for (size_t i = 0; i < d; i++) h += Q[l * d + i] * c[i];
        w->qc[l] = h;
    }
    /* R s = -Q c */
    for (size_t l = q; l-- > 0;) {
        double t = -w->qc[l];
        for (size_t m = l + 1; m < q; m++) t -= R[l * d + m] * w->s[m];
        w->s[l] = t / R[l * d + l];
    }
}

/* Lawson-Hanson's inner loop: from the feasible coefficients act->mu (>= 0), move toward the least
 * squares solution on the active set, dropping generators whose coefficient reaches zero, until the
 * least squares solution is strictly positive; act->mu then holds it. */
static void inner(cr_cone_work *w, const double *X, size_t d, const uint64_t *mask, const double *c,
                  cr_cone_active *act)
{
    for (;;) {
        ls_solve(w, X, d, mask, c, act);
        size_t q = act->len, jmin = q;
        double alpha = 1.0;
        for (size_t j = 0; j < q; j++) {
            if (w->s[j] <= 0) {
                double x = act->mu[j] > 0 ? act->mu[j] : 0.0;
                double a = x / (x - w->s[j]);
                if (jmin == q || a < alpha) {
                    alpha = a;
                    jmin = j;
                }
            }
        }
        if (jmin == q) {
            for (size_t j = 0; j < q; j++) act->mu[j] = w->s[j];
            return;
        }
        for (size_t j = 0; j < q; j++) {
            double x = act->mu[j] > 0 ? act->mu[j] : 0.0;
            act->mu[j] = x + alpha * (w->s[j] - x);
        }
        /* Drop the blocking generator and every other that reached zero. */
        act->mu[jmin] = 0;
        for (size_t j = q; j-- > 0;)
            if (act->mu[j] <= 0) act_remove(act, j);
    }
}

static void residual(const double *X, size_t d, const uint64_t *mask, const double *c,
                     const cr_cone_active *act, double *r)
{
    for (size_t i = 0; i < d; i++) r[i] = c[i];
    for (size_t j = 0; j < act->len; j++) {
        size_t k = act->idx[j];
        double f = sgn(mask, k) * act->mu[j];
        for (size_t i = 0; i < d; i++) r[i] += f * X[k * d + i];
    }
}

void cr_cone_warm(cr_cone_work *w, const double *X, size_t n, size_t d, const uint64_t *mask,
                  const double *c, cr_cone_active *act, double *r)
{
    (void)n;
    if (act->len) inner(w, X, d, mask, c, act);
    residual(X, d, mask, c, act, r);
}

int cr_cone_finish(cr_cone_work *w, const double *X, const double *xnorm, size_t n, size_t d,
                   const uint64_t *mask, const double *c, cr_cone_active *act, double *r, const double *Xr,
                   size_t stride)
{
    double cn = 0;
    for (size_t i = 0; i < d; i++) cn += c[i] * c[i];
    cn = sqrt(cn);
    if (cn == 0) {
        act->len = 0;
        for (size_t i = 0; i < d; i++) r[i] = 0;
        return 0;
    }
    const double rel = 1e-13 * cn;
    size_t limit = 3 * n + 30;
    for (size_t step = 0;; step++) {
        const double *xr = Xr;
        size_t st = stride;
        if (!xr || step > 0) {
            for (size_t k = 0; k < n; k++) {
                double h = 0;
                for (size_t i = 0; i < d; i++) h += X[k * d + i] * r[i];
                w->xr[k] = h;
            }
            xr = w->xr;
            st = 1;
        }
        for (size_t j = 0; j < act->len; j++) w->in[act->idx[j]] = 1;
        size_t kbest = n;
        double best = 0;
        for (size_t k = 0; k < n; k++) {
            if (w->in[k] || xnorm[k] == 0) continue;
            double a = sgn(mask, k) * xr[k * st];
            if (a < -rel * xnorm[k]) {
                double sc = a / xnorm[k];
                if (sc < best) {
                    best = sc;
                    kbest = k;
                }
            }
        }
        for (size_t j = 0; j < act->len; j++) w->in[act->idx[j]] = 0;
        if (kbest == n || act->len >= d) return 0;
        if (step >= limit) return -1;
        act->idx[act->len] = kbest;
        act->mu[act->len] = 0;
        act->len++;
        inner(w, X, d, mask, c, act);
        residual(X, d, mask, c, act, r);
        /* Rounding can make the new generator's coefficient non-positive, and the inner loop then drops
         * it again: r is optimal to working precision. */
        int kept = 0;
        for (size_t j = 0; j < act->len; j++) kept |= act->idx[j] == kbest;
        if (!kept) return 0;
    }
}

int cr_cone_project(cr_cone_work *w, const double *X, const double *xnorm, size_t n, size_t d,
                    const uint64_t *mask, const double *c, cr_cone_active *act, double *r)
{
    cr_cone_warm(w, X, n, d, mask, c, act, r);
    return cr_cone_finish(w, X, xnorm, n, d, mask, c, act, r, NULL, 1);
}

double cr_cone_violation(const double *X, const double *xnorm, size_t n, size_t d, const uint64_t *mask,
                         const double *u)
{
    double un = 0;
    for (size_t i = 0; i < d; i++) un += u[i] * u[i];
    un = sqrt(un);
    if (un == 0) return 0;
    double worst = 0;
    for (size_t k = 0; k < n; k++) {
        if (xnorm[k] == 0) continue;
        double h = 0;
        for (size_t i = 0; i < d; i++) h += X[k * d + i] * u[i];
        double viol = -sgn(mask, k) * h / (xnorm[k] * un);
        if (viol > worst) worst = viol;
    }
    return worst;
}
