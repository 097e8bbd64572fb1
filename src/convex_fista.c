/* FISTA for the convex program: accelerated proximal gradient with exact cone projections, backtracking,
 * gradient restarts and, for the hinge, smoothing with continuation. A first-order method: slow to high
 * accuracy on arrangements, so it serves as SSNAL's fallback and as a method on request, never under AUTO. */
#include "convex_impl.h"

#include <math.h>
#include <string.h>

/* The iterates: x (prediction zx), the previous one xp (zxp), the trial point xt (zt) and the extrapolated
 * point yb (zy), rotated through w->xa, xb, xc and za, zb, zc; the step constant L, the hinge smoothing mu
 * and the momentum tk. */
typedef struct {
    cr_convex_work *w;
    cr_convex_run *rs;
    double *x, *xp, *xt, *yb;
    double *zx, *zxp, *zt, *zy;
    double L, mu, tk;
} fista_iter;

static void iter_init(fista_iter *f, cr_convex_work *w, cr_convex_run *rs)
{
    *f = (fista_iter){.w = w, .rs = rs, .x = w->xa, .xp = w->xb, .xt = w->xc, .yb = w->yb,
                      .zx = w->za, .zxp = w->zb, .zt = w->zc, .zy = w->zy, .tk = 1.0};
    size_t n = w->n, m = 2 * rs->P->p * w->d;
    double ymax2 = 0;
    for (size_t k = 0; k < n; k++) ymax2 = fmax(ymax2, rs->y[k] * rs->y[k]);
    f->mu = rs->loss == CR_LOSS_HINGE ? (rs->mu > 0 ? rs->mu : 0.1) : 0.0;
    double lloss = rs->loss == CR_LOSS_SQUARED ? 1.0 : rs->loss == CR_LOSS_LOGISTIC ? 0.25 : ymax2 / f->mu;
    f->L = lloss * rs->mnorm2 * 1.02;
    if (!(f->L > 0)) f->L = 1.0;
    memcpy(f->yb, f->x, (m ? m : 1) * sizeof(double));
    memcpy(f->zy, f->zx, n * sizeof(double));
}

/* Momentum restarted at the current point. */
static void reset_momentum(fista_iter *f)
{
    size_t m = 2 * f->rs->P->p * f->w->d;
    f->tk = 1.0;
    memcpy(f->yb, f->x, m * sizeof(double));
    memcpy(f->zy, f->zx, f->w->n * sizeof(double));
}

/* The certificate at x; for the hinge, the continuation: mu drops tenfold when the smoothed problem's own
 * gap falls below a fifth of the true gap. 1 to stop. */
static int checkpoint(fista_iter *f, int timeout)
{
    cr_convex_work *w = f->w;
    cr_convex_run *rs = f->rs;
    size_t n = w->n, d = w->d, p = rs->P->p;
    w->xa = f->x;
    w->za = f->zx;
    cr_convex_smoothed_grad(rs->loss, f->mu, f->zx, rs->y, n, w->v);
    if (cr_convex_check_point(w, rs, w->v, timeout)) return 1;
    if (rs->loss == CR_LOSS_HINGE && f->mu > 1e-15) {
        /* The smoothed problem's dual is max -l*(v) - mu/2 ||v||^2: its gap at (x, scaled v). */
        double vv = 0;
        for (size_t q = 0; q < n; q++) vv += w->g[q] * w->g[q];
        double pen = cr_convex_penalty(f->x, 2 * p, d, rs->beta);
        double gap_mu =
            cr_convex_smoothed_value(rs->loss, f->mu, f->zx, rs->y, n) + pen - (rs->dual - 0.5 * f->mu * vv);
        if (gap_mu <= 0.2 * rs->gap) {
            f->mu *= 0.1;
            f->L *= 10;
            reset_momentum(f);
        }
    }
    return 0;
}

/* One proximal gradient step from yb into xt (zt), with backtracking on L. */
static void prox_step(fista_iter *f)
{
    cr_convex_work *w = f->w;
    cr_convex_run *rs = f->rs;
    size_t n = w->n, d = w->d, p = rs->P->p, m = 2 * p * d;
    cr_convex_smoothed_grad(rs->loss, f->mu, f->zy, rs->y, n, w->g);
    cr_convex_adjoint(w, rs->X, p, w->g, w->G);
    for (int bt = 0;; bt++) {
        double s = 1.0 / f->L;
        for (size_t t = 0; t < p * d; t++) {
            w->C[t] = f->yb[t] - s * w->G[t];
            w->C[p * d + t] = f->yb[p * d + t] + s * w->G[t];
        }
        rs->fails += cr_convex_prox(w, rs->X, rs->P, w->C, rs->beta * s, f->xt);
        cr_convex_forward(w, rs->X, p, f->xt, f->zt);
        double du = 0;
        for (size_t t = 0; t < m; t++) du += (f->xt[t] - f->yb[t]) * (f->xt[t] - f->yb[t]);
        double br = cr_convex_bregman(rs->loss, f->mu, f->zt, f->zy, w->g, rs->y, n);
        if (br <= 0.5 * f->L * du * (1 + 1e-10) + 1e-300 || bt >= 60) break;
        f->L *= 2;
    }
}

/* xt becomes x; the momentum restarts when the step went against it (O'Donoghue and Candes' gradient
 * restart), else yb extrapolates. */
static void advance(fista_iter *f)
{
    size_t n = f->w->n, m = 2 * f->rs->P->p * f->w->d;
    double dot = 0;
    for (size_t t = 0; t < m; t++) dot += (f->yb[t] - f->xt[t]) * (f->xt[t] - f->x[t]);
    double *tmp = f->xp;
    f->xp = f->x, f->x = f->xt, f->xt = tmp;
    tmp = f->zxp;
    f->zxp = f->zx, f->zx = f->zt, f->zt = tmp;
    f->rs->steps++;
    if (dot > 0) {
        f->rs->restarts++;
        reset_momentum(f);
        return;
    }
    double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * f->tk * f->tk));
    double b = (f->tk - 1.0) / tn;
    f->tk = tn;
    for (size_t t = 0; t < m; t++) f->yb[t] = f->x[t] + b * (f->x[t] - f->xp[t]);
    for (size_t q = 0; q < n; q++) f->zy[q] = f->zx[q] + b * (f->zx[q] - f->zxp[q]);
}

/* Accelerated proximal gradient (FISTA, Beck and Teboulle, SIAM J. Imaging Sci. 2009) with backtracking
 * and the adaptive gradient restart of O'Donoghue and Candes (Found. Comput. Math. 2015) on
 *     min_U  f(U) + h(U),   f(U) = l(M U),  M U = sum_i D_i X (u_i - u'_i),
 *            h(U) = beta sum_i (||u_i|| + ||u'_i||) + indicators of u_i, u'_i in K_i,
 * whose prox is exact (cr_convex_prox, convex_maps.c). Every iterate x_k is a prox output, so the cone
 * constraints hold to rounding at the returned point. For the hinge loss it works on the Moreau envelope
 * with parameter mu, decreased tenfold whenever the smoothed problem's own gap falls below a fifth of the
 * true gap (continuation: Nesterov, Math. Program. 2005; Becker, Bobin and Candes, NESTA, 2011). Starts from
 * w->xa and leaves the last iterate there. Stopping rule: the certificate of cr_convex_check_point every
 * check_every steps (default 10), with v = grad l(z(x_k)) (smoothed for the hinge). Always returns 0. */
static int fista(cr_convex_work *w, cr_convex_run *rs)
{
    long check = rs->o.check_every > 0 ? rs->o.check_every : 10;
    fista_iter f;
    iter_init(&f, w, rs);
    for (long k = 0;; k++) {
        int timeout = cr_convex_out_of_time(rs);
        if (((k > 0 && k % check == 0) || rs->steps >= rs->o.max_iter || timeout) && checkpoint(&f, timeout)) break;
        prox_step(&f);
        advance(&f);
    }
    /* the rotated buffers go back into the workspace, the answer in xa/za */
    w->xa = f.x, w->xb = f.xp, w->xc = f.xt;
    w->za = f.zx, w->zb = f.zxp, w->zc = f.zt;
    rs->L = f.L;
    rs->mu = f.mu;
    return 0;
}

const cr_convex_method_type cr_convex_fista_type = {"fista", fista};
