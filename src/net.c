/* Two-layer ReLU network: forward, regularized objective and gradient (see net.h).
 * The n rows are processed in blocks of b rows; per block two row-major dgemm calls and two fused passes:
 *   H_b = X_b W1, A_b = relu(H_b) and f_b = A_b w2 in one pass, r_b = lw grad l(f_b) (the losses are
 *   separable), then g_w2 += A_b' r_b and G_b = (r_b w2') o 1(H_b > 0) in one pass, g_W1 += X_b' G_b.
 * A block stays in cache between the dgemm and the passes. This file uses CBLAS only: no GSL header here. */
#include "net.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct cr_net_work {
    size_t nmax, d, m;
    size_t block;  /* rows per block */
    double *H;     /* block x m: pre-activations, then activations, then G_H */
    double *f;     /* nmax: outputs */
    double *r;     /* nmax: lw grad l(f) */
};

/* ------------------------------------------------------------------------------------------------ network */

cr_net *cr_net_alloc(size_t d, size_t m)
{
    if (d == 0 || m == 0) return NULL;
    cr_net *net = malloc(sizeof *net);
    if (!net) return NULL;
    net->d = d;
    net->m = m;
    net->theta = calloc(d * m + m, sizeof *net->theta);
    if (!net->theta) {
        free(net);
        return NULL;
    }
    net->W1 = net->theta;
    net->w2 = net->theta + d * m;
    return net;
}

void cr_net_free(cr_net *net)
{
    if (!net) return;
    free(net->theta);
    free(net);
}

size_t cr_net_size(const cr_net *net)
{
    return net->d * net->m + net->m;
}

int cr_net_copy(cr_net *dst, const cr_net *src)
{
    if (dst->d != src->d || dst->m != src->m) return CR_EINPUT;
    memcpy(dst->theta, src->theta, cr_net_size(src) * sizeof *src->theta);
    return CR_OK;
}

double cr_net_norm2(const cr_net *net)
{
    const size_t p = cr_net_size(net);
    double s = 0.0;
    for (size_t k = 0; k < p; k++) s += net->theta[k] * net->theta[k];
    return s;
}

void cr_net_neuron_norms(const cr_net *net, double *w1norm, double *w2abs)
{
    const size_t d = net->d, m = net->m;
    if (w1norm) {
        /* W1 is row-major d x m: accumulate squares column-wise, one row of W1 at a time. */
        for (size_t j = 0; j < m; j++) w1norm[j] = 0.0;
        for (size_t k = 0; k < d; k++) {
            const double *row = net->W1 + k * m;
            for (size_t j = 0; j < m; j++) w1norm[j] += row[j] * row[j];
        }
        for (size_t j = 0; j < m; j++) w1norm[j] = sqrt(w1norm[j]);
    }
    if (w2abs)
        for (size_t j = 0; j < m; j++) w2abs[j] = fabs(net->w2[j]);
}

/* -------------------------------------------------------------------------------------------- workspace */

cr_net_work *cr_net_work_alloc(size_t nmax, size_t d, size_t m)
{
    if (nmax == 0 || d == 0 || m == 0) return NULL;
    cr_net_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->nmax = nmax;
    w->d = d;
    w->m = m;
    cr_net_work_set_block(w, 0);
    w->H = malloc(w->block * m * sizeof *w->H);
    w->f = calloc(nmax, sizeof *w->f);
    w->r = calloc(nmax, sizeof *w->r);
    if (!w->H || !w->f || !w->r) {
        cr_net_work_free(w);
        return NULL;
    }
    return w;
}

void cr_net_work_free(cr_net_work *w)
{
    if (!w) return;
    free(w->H);
    free(w->f);
    free(w->r);
    free(w);
}

void cr_net_work_set_block(cr_net_work *w, size_t rows)
{
    /* Default: 64K doubles (512 KiB) of pre-activations, but never fewer than 32 rows so that the dgemm
     * calls keep a useful inner dimension for the backward product X_b' G_b. */
    if (rows == 0) {
        rows = (size_t)65536 / w->m;
        if (rows < 32) rows = 32;
    }
    if (rows > w->nmax) rows = w->nmax;
    /* The buffer is sized at allocation for the default block; a larger block is clipped to what fits. */
    if (w->H && rows > w->block) {
        double *h = realloc(w->H, rows * w->m * sizeof *h);
        if (!h) return;
        w->H = h;
    }
    w->block = rows;
}

size_t cr_net_work_block(const cr_net_work *w)
{
    return w->block;
}

const double *cr_net_work_f(const cr_net_work *w)
{
    return w->f;
}

/* ------------------------------------------------------------------------------------------------- kernels */

/* In place over a b x m block: H <- relu(H), f_i = sum_j relu(H_ij) w2_j.
 * relu keeps NaN (h < 0 is false for NaN) so that a non-finite network is never masked into a finite output. */
static void relu_output(size_t b, size_t m, double *restrict H, const double *restrict w2, double *restrict f)
{
    for (size_t i = 0; i < b; i++) {
        double *restrict h = H + i * m;
        double s = 0.0;
        for (size_t j = 0; j < m; j++) {
            const double a = h[j] < 0.0 ? 0.0 : h[j];
            h[j] = a;
            s += a * w2[j];
        }
        f[i] = s;
    }
}

/* In place over a b x m block of activations A: g_w2 += A' r, then A <- (r w2') o 1(A > 0).
 * 1(A > 0) = 1(H > 0): the subgradient takes ReLU'(0) = 0. */
static void backward_mask(size_t b, size_t m, double *restrict A, const double *restrict r,
                          const double *restrict w2, double *restrict gw2)
{
    for (size_t i = 0; i < b; i++) {
        double *restrict a = A + i * m;
        const double ri = r[i];
        for (size_t j = 0; j < m; j++) {
            const double aj = a[j];
            gw2[j] += aj * ri;
            a[j] = aj > 0.0 ? ri * w2[j] : 0.0;
        }
    }
}

static int shapes_ok(const cr_net *net, const cr_net_work *w, size_t n)
{
    return net && w && net->d == w->d && net->m == w->m && n <= w->nmax;
}

int cr_net_forward(const cr_net *net, const double *X, size_t n, cr_net_work *w, double *f)
{
    if (!shapes_ok(net, w, n)) return CR_EINPUT;
    const size_t d = net->d, m = net->m;
    for (size_t i0 = 0; i0 < n; i0 += w->block) {
        const size_t b = n - i0 < w->block ? n - i0 : w->block;
        /* H_b (b x m) = X_b (b x d) @ W1 (d x m) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)m, (int)d, 1.0, X + i0 * d, (int)d,
                    net->W1, (int)m, 0.0, w->H, (int)m);
        relu_output(b, m, w->H, net->w2, w->f + i0);
    }
    if (f && n) memcpy(f, w->f, n * sizeof *f);
    return CR_OK;
}

int cr_net_objective(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *obj,
                     cr_net_work *w, double *grad, cr_net_eval *ev)
{
    if (!shapes_ok(net, w, n) || !obj) return CR_EINPUT;
    if (!(obj->beta >= 0.0) || !(obj->loss_weight > 0.0)) return CR_EINPUT;
    const size_t d = net->d, m = net->m, p = cr_net_size(net);
    const double lw = obj->loss_weight;
    double *gW1 = grad, *gw2 = grad ? grad + d * m : NULL;
    if (grad) memset(grad, 0, p * sizeof *grad);

    for (size_t i0 = 0; i0 < n; i0 += w->block) {
        const size_t b = n - i0 < w->block ? n - i0 : w->block;
        const double *Xb = X + i0 * d;
        /* H_b (b x m) = X_b (b x d) @ W1 (d x m) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)m, (int)d, 1.0, Xb, (int)d, net->W1,
                    (int)m, 0.0, w->H, (int)m);
        relu_output(b, m, w->H, net->w2, w->f + i0);
        if (!grad) continue;
        /* r_b = lw grad l(f_b): the logistic term goes through cr_sigmoid_neg and never overflows. */
        double *rb = w->r + i0;
        cr_loss_grad(obj->loss, w->f + i0, y + i0, b, rb);
        if (lw != 1.0)
            for (size_t i = 0; i < b; i++) rb[i] *= lw;
        backward_mask(b, m, w->H, rb, net->w2, gw2);
        /* g_W1 (d x m) += X_b' (d x b) @ G_b (b x m) */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)m, (int)b, 1.0, Xb, (int)d, w->H, (int)m,
                    1.0, gW1, (int)m);
    }

    const double norm2 = cr_net_norm2(net);
    if (grad && obj->beta != 0.0)
        for (size_t k = 0; k < p; k++) grad[k] += obj->beta * net->theta[k];
    if (ev) {
        ev->loss = lw * cr_loss_value(obj->loss, w->f, y, n);
        ev->penalty = 0.5 * obj->beta * norm2;
        ev->objective = ev->loss + ev->penalty;
        ev->norm2 = norm2;
    }
    return CR_OK;
}

int cr_net_margin(const cr_net *net, const double *X, const double *y, size_t n, cr_net_work *w, double *gamma,
                  double *min_yf)
{
    if (n == 0) return CR_EINPUT;
    int st = cr_net_forward(net, X, n, w, NULL);
    if (st) return st;
    double mn = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double q = y[i] * w->f[i];
        if (q < mn || isnan(q)) mn = q;
    }
    const double norm2 = cr_net_norm2(net);
    if (gamma) *gamma = norm2 > 0.0 ? mn / norm2 : NAN;
    if (min_yf) *min_yf = mn;
    return CR_OK;
}
