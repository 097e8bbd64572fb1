/* Two-layer ReLU network: forward, regularized objective and gradient (see net.h).
 * The n rows are processed in blocks of b rows; per block two row-major products (cr_linalg_gemm: the same at any
 * BLAS thread count) and two fused passes:
 *   H_b = X_b W1, A_b = relu(H_b) and f_b = A_b w2 in one pass, r_b = lw grad l(f_b) (the losses are
 *   separable), then g_w2 += A_b' r_b and G_b = (r_b w2') o 1(H_b > 0) in one pass, g_W1 += X_b' G_b.
 * A block stays in cache between the products and the passes. */
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "linalg.h"

/* x86-64 with GCC or Clang: AVX2+FMA kernels compiled per function (target attribute), chosen at run time. */
#if defined(__x86_64__) && defined(__GNUC__)
#define CR_NET_HAVE_AVX2 1
#include <immintrin.h>
#endif

struct cr_net_work {
    size_t nmax, d, m;
    size_t block;  /* rows per block */
    double *H;     /* block x m: pre-activations, then activations, then G_H */
    double *f;     /* nmax: outputs */
    double *r;     /* nmax: lw grad l(f) */
    int avx2;      /* 1: the fused passes use the AVX2+FMA kernels (the CPU has them) */
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

int cr_net_reverse(const cr_net *net, cr_net *out)
{
    const size_t d = net->d, m = net->m;
    if (out->d != d || out->m != m) return CR_EINPUT;
    for (size_t j = 0; j < m; j++) {
        const size_t q = m - 1 - j;
        for (size_t k = 0; k < d; k++) out->W1[k * m + q] = net->W1[k * m + j];
        out->w2[q] = net->w2[j];
    }
    return CR_OK;
}

int cr_net_split(const cr_net *net, size_t j, const double *a, size_t parts, cr_net *out)
{
    const size_t d = net->d, m = net->m, mo = m + parts - 1;
    if (j >= m || parts == 0 || out->d != d || out->m != mo) return CR_EINPUT;
    for (size_t q = 0; q < mo; q++) {
        /* out's neuron q: a scaled copy of neuron j for j <= q < j + parts, else the next neuron (x 1.0 is exact). */
        const int copy = q >= j && q < j + parts;
        const size_t src = q < j ? q : copy ? j : q - parts + 1;
        const double s = copy ? sqrt(a[q - j]) : 1.0;
        for (size_t k = 0; k < d; k++) out->W1[k * mo + q] = s * net->W1[k * m + src];
        out->w2[q] = s * net->w2[src];
    }
    return CR_OK;
}

void cr_net_best_by_sign(const cr_net *net, const double *v, double best[2])
{
    best[0] = best[1] = -INFINITY;
    for (size_t j = 0; j < net->m; j++) {
        const int k = net->w2[j] > 0 ? 0 : net->w2[j] < 0 ? 1 : -1;
        if (k >= 0 && isfinite(v[j]) && v[j] > best[k]) best[k] = v[j];
    }
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
    cr_net_work_set_vector(w, 1);
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

/* Default rows per block. About 512 KiB of pre-activations (64K doubles) keeps a block in L2 between the dgemm
 * and the fused passes, with at least 32 rows so that X_b' G_b keeps a useful inner dimension. OpenBLAS 0.3 runs
 * a dgemm single-threaded when M N K <= 2^18 and hands it to its thread pool above; handing over small products
 * (below about 2^21) cost more than it gained in our measurements (1000 x 20 x 200: 0.8 ms per evaluation at two
 * threads against 0.5 ms at one). So small blocks are cut to stay under 2^18 instead. (Larger products never
 * reach the pool either: cr_linalg_gemm cuts them into pieces of at most 2^18, see linalg.h.) Depends on the
 * shape only, never on timing, so results stay reproducible. */
static size_t default_block(size_t d, size_t m)
{
    size_t rows = (size_t)65536 / m;
    if (rows < 32) rows = 32;
    const double mnk = (double)rows * (double)d * (double)m;
    if (mnk < 2097152.0) {
        const size_t single = (size_t)262144 / (d * m);
        if (single < rows) rows = single;
    }
    return rows < 8 ? 8 : rows;
}

void cr_net_work_set_block(cr_net_work *w, size_t rows)
{
    if (rows == 0) rows = default_block(w->d, w->m);
    if (rows > w->nmax) rows = w->nmax;
    /* The buffer is sized at allocation for the default block; a larger block grows it (set-up time only). */
    if (w->H && rows > w->block) {
        double *h = realloc(w->H, rows * w->m * sizeof *h);
        if (!h) return;
        w->H = h;
    }
    w->block = rows;
}

void cr_net_work_set_vector(cr_net_work *w, int on)
{
#ifdef CR_NET_HAVE_AVX2
    w->avx2 = on && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    (void)on;
    w->avx2 = 0;
#endif
}

int cr_net_work_vector(const cr_net_work *w)
{
    return w->avx2;
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

/* The two fused passes over a block, in a portable scalar version and an AVX2+FMA version picked at run time
 * (cr_net_work_alloc asks the CPU once). The scalar branches mispredict on random signs, which made these passes
 * cost more than both dgemm calls; the vector versions are branch-free. They round differently (FMA, four
 * partial sums) but every run on one machine takes the same path. */

/* In place over a b x m block: H <- relu(H), f_i = sum_j relu(H_ij) w2_j.
 * relu keeps NaN (h < 0 is false for NaN) so that a non-finite network is never masked into a finite output. */
static void relu_output_scalar(size_t b, size_t m, double *restrict H, const double *restrict w2,
                               double *restrict f)
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
static void backward_mask_scalar(size_t b, size_t m, double *restrict A, const double *restrict r,
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

#ifdef CR_NET_HAVE_AVX2
/* As relu_output_scalar. _mm256_max_pd(0, h) returns h when h is NaN (the second operand), keeping NaN. */
__attribute__((target("avx2,fma"))) static void relu_output_avx2(size_t b, size_t m, double *restrict H,
                                                                 const double *restrict w2, double *restrict f)
{
    const __m256d zero = _mm256_setzero_pd();
    for (size_t i = 0; i < b; i++) {
        double *restrict h = H + i * m;
        __m256d s0 = zero, s1 = zero;
        size_t j = 0;
        for (; j + 8 <= m; j += 8) {
            const __m256d a0 = _mm256_max_pd(zero, _mm256_loadu_pd(h + j));
            const __m256d a1 = _mm256_max_pd(zero, _mm256_loadu_pd(h + j + 4));
            _mm256_storeu_pd(h + j, a0);
            _mm256_storeu_pd(h + j + 4, a1);
            s0 = _mm256_fmadd_pd(a0, _mm256_loadu_pd(w2 + j), s0);
            s1 = _mm256_fmadd_pd(a1, _mm256_loadu_pd(w2 + j + 4), s1);
        }
        if (j + 4 <= m) {
            const __m256d a0 = _mm256_max_pd(zero, _mm256_loadu_pd(h + j));
            _mm256_storeu_pd(h + j, a0);
            s0 = _mm256_fmadd_pd(a0, _mm256_loadu_pd(w2 + j), s0);
            j += 4;
        }
        s0 = _mm256_add_pd(s0, s1);
        const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(s0), _mm256_extractf128_pd(s0, 1));
        double s = _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)));
        for (; j < m; j++) {
            const double a = h[j] < 0.0 ? 0.0 : h[j];
            h[j] = a;
            s += a * w2[j];
        }
        f[i] = s;
    }
}

/* As backward_mask_scalar: the mask is a compare, G = mask AND (r_i w2), no branch. */
__attribute__((target("avx2,fma"))) static void backward_mask_avx2(size_t b, size_t m, double *restrict A,
                                                                   const double *restrict r,
                                                                   const double *restrict w2,
                                                                   double *restrict gw2)
{
    const __m256d zero = _mm256_setzero_pd();
    for (size_t i = 0; i < b; i++) {
        double *restrict a = A + i * m;
        const double ri = r[i];
        const __m256d vr = _mm256_set1_pd(ri);
        size_t j = 0;
        for (; j + 4 <= m; j += 4) {
            const __m256d aj = _mm256_loadu_pd(a + j);
            _mm256_storeu_pd(gw2 + j, _mm256_fmadd_pd(aj, vr, _mm256_loadu_pd(gw2 + j)));
            const __m256d mask = _mm256_cmp_pd(aj, zero, _CMP_GT_OQ);
            _mm256_storeu_pd(a + j, _mm256_and_pd(mask, _mm256_mul_pd(vr, _mm256_loadu_pd(w2 + j))));
        }
        for (; j < m; j++) {
            const double aj = a[j];
            gw2[j] += aj * ri;
            a[j] = aj > 0.0 ? ri * w2[j] : 0.0;
        }
    }
}
#endif

static void relu_output(const cr_net_work *w, size_t b, double *H, const double *w2, double *f)
{
#ifdef CR_NET_HAVE_AVX2
    if (w->avx2) {
        relu_output_avx2(b, w->m, H, w2, f);
        return;
    }
#endif
    relu_output_scalar(b, w->m, H, w2, f);
}

static void backward_mask(const cr_net_work *w, size_t b, double *A, const double *r, const double *w2, double *gw2)
{
#ifdef CR_NET_HAVE_AVX2
    if (w->avx2) {
        backward_mask_avx2(b, w->m, A, r, w2, gw2);
        return;
    }
#endif
    backward_mask_scalar(b, w->m, A, r, w2, gw2);
}

static int shapes_ok(const cr_net *net, const cr_net_work *w, size_t n)
{
    return net && w && net->d == w->d && net->m == w->m && n <= w->nmax;
}

double cr_net_reference(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                        double *f)
{
    for (size_t k = 0; k < n; k++) {
        double s = 0;
        for (size_t j = 0; j < m; j++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * W1[a * m + j];
            if (h > 0) s += h * w2[j];
        }
        f[k] = s;
    }
    double reg = 0;
    for (size_t t = 0; t < d * m; t++) reg += W1[t] * W1[t];
    for (size_t j = 0; j < m; j++) reg += w2[j] * w2[j];
    return reg;
}

int cr_net_forward(const cr_net *net, const double *X, size_t n, cr_net_work *w, double *f)
{
    if (!shapes_ok(net, w, n)) return CR_EINPUT;
    const size_t d = net->d, m = net->m;
    for (size_t i0 = 0; i0 < n; i0 += w->block) {
        const size_t b = n - i0 < w->block ? n - i0 : w->block;
        /* H_b (b x m) = X_b (b x d) @ W1 (d x m) */
        cr_linalg_gemm(0, 0, b, m, d, 1.0, X + i0 * d, d, net->W1, m, 0.0, w->H, m);
        relu_output(w, b, w->H, net->w2, w->f + i0);
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
        cr_linalg_gemm(0, 0, b, m, d, 1.0, Xb, d, net->W1, m, 0.0, w->H, m);
        relu_output(w, b, w->H, net->w2, w->f + i0);
        if (!grad) continue;
        /* r_b = lw grad l(f_b): the logistic term goes through cr_sigmoid_neg and never overflows. */
        double *rb = w->r + i0;
        cr_loss_grad(obj->loss, w->f + i0, y + i0, b, rb);
        if (lw != 1.0)
            for (size_t i = 0; i < b; i++) rb[i] *= lw;
        backward_mask(w, b, w->H, rb, net->w2, gw2);
        /* g_W1 (d x m) += X_b' (d x b) @ G_b (b x m) */
        cr_linalg_gemm(1, 0, d, m, b, 1.0, Xb, d, w->H, m, 1.0, gW1, m);
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
