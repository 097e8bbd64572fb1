/* Early alignment of the directional-convergence theorem (see align.h): per neuron, the first observed step with
 * cos_j >= 1 - delta and its norm ratio then. Plain loops over the m neurons, once per observed iterate. */
#include "align.h"

#include <math.h>
#include <stdlib.h>

#include "dualnorm.h"
#include "mm_kkt.h"

struct cr_align {
    size_t m;
    double delta, scale;
    long observed;   /* observations so far */
    double *cosj;    /* m: scratch, cos_j at the current step */
    cr_align_neuron *nr; /* m */
};

cr_align *cr_align_alloc(size_t m, double delta, double scale)
{
    if (m == 0 || !(delta > 0 && delta < 1) || !(scale > 0) || !isfinite(scale)) return NULL;
    cr_align *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->m = m;
    a->delta = delta;
    a->scale = scale;
    a->cosj = malloc(m * sizeof *a->cosj);
    a->nr = malloc(m * sizeof *a->nr);
    if (!a->cosj || !a->nr) {
        cr_align_free(a);
        return NULL;
    }
    for (size_t j = 0; j < m; j++)
        a->nr[j] = (cr_align_neuron){.sign = 0, .cos0 = NAN, .first = -1, .ratio = NAN, .best = NAN, .flipped = 0};
    return a;
}

void cr_align_free(cr_align *a)
{
    if (!a) return;
    free(a->cosj);
    free(a->nr);
    free(a);
}

void cr_align_observe(cr_align *a, long t, const double *X, const double *y, size_t n, size_t d, const double *W1,
                      const double *w2)
{
    const size_t m = a->m;
    cr_mm_kkt_alignment(X, y, n, d, W1, w2, m, a->cosj);
    for (size_t j = 0; j < m; j++) {
        cr_align_neuron *q = &a->nr[j];
        const double c = a->cosj[j];
        const int sign = w2[j] > 0 ? 1 : (w2[j] < 0 ? -1 : 0);
        if (a->observed == 0) {
            q->sign = sign;
            q->cos0 = c;
        }
        if (q->first < 0 && sign != q->sign) q->flipped = 1;
        if (!isfinite(c)) continue;
        if (!(q->best >= c)) q->best = c; /* also replaces NaN */
        if (q->first < 0 && !q->flipped && c >= 1 - a->delta) {
            double nrm2 = 0;
            for (size_t k = 0; k < d; k++) nrm2 += W1[k * m + j] * W1[k * m + j];
            q->first = t;
            q->ratio = sqrt(nrm2) / a->scale;
        }
    }
    a->observed++;
}

void cr_align_get(const cr_align *a, size_t j, cr_align_neuron *out) { *out = a->nr[j]; }

void cr_align_sign(const cr_align *a, int s, size_t *reached, double *min_ratio, size_t *at_start)
{
    size_t r = 0, start = 0;
    double best = NAN;
    for (size_t j = 0; j < a->m; j++) {
        const cr_align_neuron *q = &a->nr[j];
        if (q->sign != s) continue;
        if (q->cos0 >= 1 - a->delta) {
            start++;
            continue;
        }
        if (q->first < 0) continue;
        r++;
        if (!(best <= q->ratio)) best = q->ratio;
    }
    *reached = r;
    *min_ratio = best;
    if (at_start) *at_start = start;
}

void cr_align_best(const cr_align *a, double best[2], size_t *flipped)
{
    size_t f = 0;
    best[0] = best[1] = NAN;
    for (size_t j = 0; j < a->m; j++) {
        const cr_align_neuron *q = &a->nr[j];
        int k = q->sign > 0 ? 0 : (q->sign < 0 ? 1 : -1);
        if (k >= 0 && isfinite(q->best) && !(best[k] >= q->best)) best[k] = q->best;
        f += (size_t)q->flipped;
    }
    if (flipped) *flipped = f;
}

void cr_align_picture(const double *X, size_t n, size_t d, const double *W1, size_t m, size_t j, double *norm,
                      double w1hat[2], double zplus[2])
{
    double nrm = 0;
    for (size_t k = 0; k < d; k++) nrm += W1[k * m + j] * W1[k * m + j];
    nrm = sqrt(nrm);
    *norm = nrm;
    for (size_t k = 0; k < 2; k++) w1hat[k] = k < d && nrm > 0 ? W1[k * m + j] / nrm : 0.0;
    for (size_t i = 0; i < 2; i++) {
        double z = 0;
        for (size_t k = 0; i < n && k < d && nrm > 0; k++) z += X[i * d + k] * W1[k * m + j] / nrm;
        zplus[i] = z > 0 ? z : 0.0;
    }
}

int cr_align_attainable(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P, int s,
                        double *value, size_t *which, cr_err *err)
{
    cr_dualnorm_work *w = cr_dualnorm_alloc(n, d);
    double *t = malloc(d * sizeof *t);
    if (!w || !t) {
        cr_dualnorm_free(w);
        free(t);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    double best = 0;
    size_t arg = 0;
    int st = CR_OK;
    /* First the smooth fixed points: a target inside the open region of its own pattern gives A_s = 1. */
    int smooth = 0;
    for (size_t i = 0; i < P->p && !smooth; i++) {
        const uint64_t *mk = cr_patterns_mask(P, i);
        double tt = 0;
        for (size_t k = 0; k < d; k++) {
            t[k] = 0;
            for (size_t q = 0; q < n; q++)
                if (mk[q / 64] >> (q % 64) & 1) t[k] += s * X[q * d + k] * y[q];
            tt += t[k] * t[k];
        }
        if (!(tt > 0)) continue;
        int inside = 1;
        for (size_t q = 0; q < n && inside; q++) {
            double h = 0;
            for (size_t k = 0; k < d; k++) h += X[q * d + k] * t[k];
            inside = (mk[q / 64] >> (q % 64) & 1) ? h > 0 : h < 0;
        }
        if (inside) smooth = 1, best = 1, arg = i;
    }
    for (size_t i = 0; i < P->p && !smooth && !st; i++) {
        const uint64_t *mk = cr_patterns_mask(P, i);
        double tt = 0;
        for (size_t k = 0; k < d; k++) {
            t[k] = 0;
            for (size_t q = 0; q < n; q++)
                if (mk[q / 64] >> (q % 64) & 1) t[k] += X[q * d + k] * y[q];
            tt += t[k] * t[k];
        }
        if (!(tt > 0)) continue;
        double v;
        st = cr_dualnorm_pattern(w, X, n, d, mk, y, s, &v, NULL, err);
        if (!st && v / sqrt(tt) > best) best = v / sqrt(tt), arg = i;
    }
    cr_dualnorm_free(w);
    free(t);
    if (st) return st;
    /* The NNLS value is an upper bound on ||P_K(t)|| <= ||t||; a relative 1e-12 is a projection 0 up to rounding. */
    *value = best > 1 ? 1 : (best <= 1e-12 ? 0 : best);
    if (which) *which = arg;
    return CR_OK;
}
