/* KKT multipliers, subsampled pattern sets, covering neurons and alignment of a trained network (see mm_kkt.h).
 * Plain loops over the m neurons: these run once per logged iterate, not inside a solver. */
#include "mm_kkt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dualnorm.h"
#include "loss.h"

struct cr_mm_kkt_work {
    size_t n, d, m;
    cr_dualnorm_work *dn;
    double *f;     /* n: network outputs */
    double *h;     /* n: X w1_j of one neuron */
    double *dir;   /* n */
    double *g;     /* m (1 + d): the fitted columns */
};

cr_mm_kkt_work *cr_mm_kkt_alloc(size_t n, size_t d, size_t m)
{
    if (n == 0 || d == 0 || m == 0) return NULL;
    cr_mm_kkt_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->m = m;
    w->dn = cr_dualnorm_alloc(n, d);
    w->f = malloc(n * sizeof *w->f);
    w->h = malloc(n * sizeof *w->h);
    w->dir = malloc(n * sizeof *w->dir);
    w->g = malloc(m * (1 + d) * sizeof *w->g);
    if (!w->dn || !w->f || !w->h || !w->dir || !w->g) {
        cr_mm_kkt_free(w);
        return NULL;
    }
    return w;
}

void cr_mm_kkt_free(cr_mm_kkt_work *w)
{
    if (!w) return;
    cr_dualnorm_free(w->dn);
    free(w->f);
    free(w->h);
    free(w->dir);
    free(w->g);
    free(w);
}

/* h = X w1_j (column j of W1). */
static void neuron_pre(const double *X, size_t n, size_t d, const double *W1, size_t m, size_t j, double *h)
{
    for (size_t i = 0; i < n; i++) {
        double t = 0.0;
        for (size_t r = 0; r < d; r++) t += X[i * d + r] * W1[r * m + j];
        h[i] = t;
    }
}

static void forward(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m, double *h,
                    double *f)
{
    for (size_t i = 0; i < n; i++) f[i] = 0.0;
    for (size_t j = 0; j < m; j++) {
        neuron_pre(X, n, d, W1, m, j, h);
        for (size_t i = 0; i < n; i++)
            if (h[i] > 0) f[i] += h[i] * w2[j];
    }
}

static int check_shapes(const cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d,
                        const double *W1, const double *w2, size_t m, cr_err *err)
{
    if (!w || !X || !y || !W1 || !w2) return cr_err_set(err, CR_EINPUT, "kkt: NULL argument");
    if (n > w->n || d != w->d || m > w->m || n == 0 || m == 0)
        return cr_err_set(err, CR_EINPUT, "kkt: n = %zu, d = %zu, m = %zu do not fit workspace %zu x %zu x %zu", n, d,
                          m, w->n, w->d, w->m);
    return CR_OK;
}

void cr_mm_kkt_set_info(double mn, double a, double c, double r2, double tt, double yl, cr_mm_kkt_info *info)
{
    info->min_yf = mn;
    info->scale = a;
    info->c = c;
    info->resid_abs = sqrt(r2);
    info->resid = tt > 0 ? sqrt(r2 / tt) : NAN;
    info->ytlambda = yl;
    info->half_norm2 = 0.5 * tt;
    info->dualnorm = NAN;
    info->kinks = 0;
}

/* The fit for a direction already in w->dir (f in w->f). */
static int fit_core(cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                    const double *w2, size_t m, const cr_patterns *P, double *lambda, cr_mm_kkt_info *info,
                    cr_err *err)
{
    double mn = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (y[i] * w->f[i] < mn) mn = y[i] * w->f[i];
    if (!(mn > 0))
        return cr_err_set(err, CR_EINPUT, "kkt: the network does not separate the data (min_i y_i f_i = %g)", mn);
    double a = 1.0 / sqrt(mn);
    /* t = a theta; g_j = (dir'(X a w1_j)_+, a w2_j X'D(w1_j) dir): the KKT equations read t = c g. */
    double tg = 0.0, gg = 0.0, tt = 0.0;
    for (size_t j = 0; j < m; j++) {
        neuron_pre(X, n, d, W1, m, j, w->h);
        double al = 0.0;
        double *gj = w->g + j * (1 + d);
        for (size_t r = 0; r < d; r++) gj[1 + r] = 0.0;
        for (size_t i = 0; i < n; i++)
            if (w->h[i] > 0) {
                al += w->dir[i] * w->h[i];
                for (size_t r = 0; r < d; r++) gj[1 + r] += X[i * d + r] * w->dir[i];
            }
        gj[0] = a * al;
        for (size_t r = 0; r < d; r++) gj[1 + r] *= a * w2[j];
        tg += a * w2[j] * gj[0];
        gg += gj[0] * gj[0];
        tt += a * a * w2[j] * w2[j];
        for (size_t r = 0; r < d; r++) {
            double t = a * W1[r * m + j];
            tg += t * gj[1 + r];
            gg += gj[1 + r] * gj[1 + r];
            tt += t * t;
        }
    }
    double c = gg > 0 ? tg / gg : 0.0, r2 = 0.0;
    for (size_t j = 0; j < m; j++) {
        const double *gj = w->g + j * (1 + d);
        double e = a * w2[j] - c * gj[0];
        r2 += e * e;
        for (size_t r = 0; r < d; r++) {
            e = a * W1[r * m + j] - c * gj[1 + r];
            r2 += e * e;
        }
    }
    double yl = 0.0;
    for (size_t i = 0; i < n; i++) {
        double li = c * w->dir[i];
        if (lambda) lambda[i] = li;
        yl += y[i] * li;
    }
    cr_mm_kkt_info r;
    cr_mm_kkt_set_info(mn, a, c, r2, tt, yl, &r);
    if (P) {
        /* lambda itself may be NULL: rebuild it in w->h. */
        for (size_t i = 0; i < n; i++) w->h[i] = c * w->dir[i];
        int st = cr_dualnorm_over(w->dn, X, n, d, P, w->h, CR_DUALNORM_ABS, &r.dualnorm, NULL, NULL, NULL, err);
        if (st) return st;
    }
    if (info) *info = r;
    return CR_OK;
}

int cr_mm_kkt_fit(cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                  const double *w2, size_t m, const cr_patterns *P, double *lambda, cr_mm_kkt_info *info, cr_err *err)
{
    int st = check_shapes(w, X, y, n, d, W1, w2, m, err);
    if (st) return st;
    forward(X, n, d, W1, w2, m, w->h, w->f);
    for (size_t i = 0; i < n; i++) w->dir[i] = y[i] * cr_sigmoid_neg(y[i] * w->f[i]);
    return fit_core(w, X, y, n, d, W1, w2, m, P, lambda, info, err);
}

int cr_mm_kkt_fit_dir(cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                      const double *w2, size_t m, const double *dir, const cr_patterns *P, double *lambda,
                      cr_mm_kkt_info *info, cr_err *err)
{
    int st = check_shapes(w, X, y, n, d, W1, w2, m, err);
    if (st) return st;
    if (!dir) return cr_err_set(err, CR_EINPUT, "kkt: NULL direction");
    forward(X, n, d, W1, w2, m, w->h, w->f);
    memcpy(w->dir, dir, n * sizeof *dir);
    return fit_core(w, X, y, n, d, W1, w2, m, P, lambda, info, err);
}

int cr_mm_kkt_patterns(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                       cr_patterns **out, cr_err *err)
{
    if (!X || !W1 || !w2 || !out) return cr_err_set(err, CR_EINPUT, "kkt: NULL argument");
    *out = NULL;
    cr_patterns *P = cr_patterns_alloc(n, m ? m : 1);
    uint64_t *mask = calloc((n + 63) / 64, sizeof *mask);
    if (!P || !mask) {
        cr_patterns_free(P);
        free(mask);
        return cr_err_set(err, CR_ERUNTIME, "kkt: out of memory for %zu patterns", m);
    }
    for (size_t j = 0; j < m; j++) {
        double nw = 0.0;
        for (size_t r = 0; r < d; r++) nw += W1[r * m + j] * W1[r * m + j];
        if (nw == 0.0 || w2[j] == 0.0) continue;
        cr_patterns_direction(X, n, d, W1 + j, m, mask);
        int st = cr_patterns_add(P, mask, err);
        if (st) {
            cr_patterns_free(P);
            free(mask);
            return st;
        }
    }
    free(mask);
    cr_patterns_sort(P);
    *out = P;
    return CR_OK;
}

void cr_mm_kkt_covering(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                        size_t m, size_t *iplus, size_t *iminus)
{
    size_t ip = (size_t)-1, im = (size_t)-1;
    for (size_t j = 0; j < m; j++) {
        if (w2[j] == 0.0) continue;
        double cls = w2[j] > 0 ? 1.0 : -1.0;
        if ((cls > 0 && ip != (size_t)-1) || (cls < 0 && im != (size_t)-1)) continue;
        int covers = 1;
        for (size_t i = 0; i < n && covers; i++) {
            if (y[i] != cls) continue;
            double t = 0.0;
            for (size_t r = 0; r < d; r++) t += X[i * d + r] * W1[r * m + j];
            if (!(t > 0)) covers = 0;
        }
        if (!covers) continue;
        if (cls > 0)
            ip = j;
        else
            im = j;
    }
    if (iplus) *iplus = ip;
    if (iminus) *iminus = im;
}

void cr_mm_kkt_alignment(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                         size_t m, double *cosj)
{
    double v[64];
    for (size_t j = 0; j < m; j++) {
        cosj[j] = NAN;
        if (w2[j] == 0.0) continue;
        double s = w2[j] > 0 ? 1.0 : -1.0, vv = 0.0, ww = 0.0, vw = 0.0;
        /* v = s X'D(w1_j) y accumulated in blocks of 64 coordinates (d may exceed 64). */
        for (size_t r0 = 0; r0 < d; r0 += 64) {
            size_t r1 = r0 + 64 < d ? r0 + 64 : d;
            for (size_t r = r0; r < r1; r++) v[r - r0] = 0.0;
            for (size_t i = 0; i < n; i++) {
                double t = 0.0;
                for (size_t r = 0; r < d; r++) t += X[i * d + r] * W1[r * m + j];
                if (t > 0)
                    for (size_t r = r0; r < r1; r++) v[r - r0] += s * X[i * d + r] * y[i];
            }
            for (size_t r = r0; r < r1; r++) {
                double wr = W1[r * m + j];
                vv += v[r - r0] * v[r - r0];
                ww += wr * wr;
                vw += v[r - r0] * wr;
            }
        }
        if (vv > 0 && ww > 0) cosj[j] = vw / (sqrt(vv) * sqrt(ww));
    }
}
