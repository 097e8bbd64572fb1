/* FISTA for the convex program: accelerated proximal gradient with exact cone projections, backtracking,
 * gradient restarts and (hinge) smoothing continuation; SSNAL's fallback and a method on request. */
#include "convex_impl.h"

#include <math.h>
#include <string.h>

/* Accelerated proximal gradient (FISTA, Beck and Teboulle, SIAM J. Imaging Sci. 2009) with backtracking
 * and the adaptive gradient restart of O'Donoghue and Candes (Found. Comput. Math. 2015) on
 *     min_U  f(U) + h(U),   f(U) = l(M U),  M U = sum_i D_i X (u_i - u'_i),
 *            h(U) = beta sum_i (||u_i|| + ||u'_i||) + indicators of u_i, u'_i in K_i,
 * whose prox is exact (cr_convex_prox, convex_maps.c). Every iterate x_k is a prox output, so the cone constraints hold to
 * rounding at the returned point. Used for the hinge loss, on the Moreau envelope with parameter mu,
 * decreased tenfold whenever the smoothed problem's own gap falls below a fifth of the true gap
 * (continuation: Nesterov, Math. Program. 2005; Becker, Bobin and Candes, NESTA, 2011), and as the fallback
 * of SSNAL. Starts from w->xa and leaves the last iterate there. Stopping rule: the certificate of
 * cr_convex_check_point every check_every steps, with v = grad l(z(x_k)) (smoothed for the hinge). */
static int fista(cr_convex_work *w, cr_convex_run *rs)
{
    const double *X = rs->X, *y = rs->y;
    const cr_patterns *P = rs->P;
    cr_loss_kind loss = rs->loss;
    double beta = rs->beta;
    size_t n = w->n, d = w->d, p = P->p, m = 2 * p * d;
    long check = rs->o.check_every > 0 ? rs->o.check_every : 10;
    double *x = w->xa, *xp = w->xb, *xt = w->xc, *yb = w->yb;
    double *zx = w->za, *zxp = w->zb, *zt = w->zc, *zy = w->zy;

    double ymax2 = 0;
    for (size_t k = 0; k < n; k++) ymax2 = fmax(ymax2, y[k] * y[k]);
    double mu = loss == CR_LOSS_HINGE ? (rs->mu > 0 ? rs->mu : 0.1) : 0.0;
    double lloss = loss == CR_LOSS_SQUARED ? 1.0 : loss == CR_LOSS_LOGISTIC ? 0.25 : ymax2 / mu;
    double L = lloss * rs->mnorm2 * 1.02;
    if (!(L > 0)) L = 1.0;

    memcpy(yb, x, (m ? m : 1) * sizeof(double));
    memcpy(zy, zx, n * sizeof(double));
    double tk = 1.0;
    for (long k = 0;; k++) {
        int timeout = cr_convex_out_of_time(rs);
        if ((k > 0 && k % check == 0) || rs->steps >= rs->o.max_iter || timeout) {
            w->xa = x;
            w->za = zx;
            cr_convex_smoothed_grad(loss, mu, zx, y, n, w->v);
            if (cr_convex_check_point(w, rs, w->v, timeout)) break;
            if (loss == CR_LOSS_HINGE && mu > 1e-15) {
                /* The smoothed problem's dual is max -l*(v) - mu/2 ||v||^2: its gap at (x, scaled v). */
                double vv = 0;
                for (size_t q = 0; q < n; q++) vv += w->g[q] * w->g[q];
                double pen = cr_convex_penalty(x, 2 * p, d, beta);
                double gap_mu = cr_convex_smoothed_value(loss, mu, zx, y, n) + pen - (rs->dual - 0.5 * mu * vv);
                if (gap_mu <= 0.2 * rs->gap) {
                    mu *= 0.1;
                    L *= 10;
                    tk = 1.0;
                    memcpy(yb, x, m * sizeof(double));
                    memcpy(zy, zx, n * sizeof(double));
                }
            }
        }

        /* One proximal gradient step from yb with backtracking on L. */
        cr_convex_smoothed_grad(loss, mu, zy, y, n, w->g);
        cr_convex_adjoint(w, X, p, w->g, w->G);
        for (int bt = 0;; bt++) {
            double s = 1.0 / L;
            for (size_t t = 0; t < p * d; t++) {
                w->C[t] = yb[t] - s * w->G[t];
                w->C[p * d + t] = yb[p * d + t] + s * w->G[t];
            }
            rs->fails += cr_convex_prox(w, X, P, w->C, beta * s, xt);
            cr_convex_forward(w, X, p, xt, zt);
            double du = 0;
            for (size_t t = 0; t < m; t++) du += (xt[t] - yb[t]) * (xt[t] - yb[t]);
            double br = cr_convex_bregman(loss, mu, zt, zy, w->g, y, n);
            if (br <= 0.5 * L * du * (1 + 1e-10) + 1e-300 || bt >= 60) break;
            L *= 2;
        }
        /* Gradient restart: the step went against the momentum. */
        double dot = 0;
        for (size_t t = 0; t < m; t++) dot += (yb[t] - xt[t]) * (xt[t] - x[t]);
        double *tmp = xp;
        xp = x;
        x = xt;
        xt = tmp;
        tmp = zxp;
        zxp = zx;
        zx = zt;
        zt = tmp;
        rs->steps++;
        if (dot > 0) {
            tk = 1.0;
            rs->restarts++;
            memcpy(yb, x, m * sizeof(double));
            memcpy(zy, zx, n * sizeof(double));
        } else {
            double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * tk * tk));
            double b = (tk - 1.0) / tn;
            tk = tn;
            for (size_t t = 0; t < m; t++) yb[t] = x[t] + b * (x[t] - xp[t]);
            for (size_t q = 0; q < n; q++) zy[q] = zx[q] + b * (zx[q] - zxp[q]);
        }
    }
    /* Put the buffers back in their canonical places, the answer in xa/za. */
    double *bx[3] = {x, xp, xt}, *bz[3] = {zx, zxp, zt};
    double *cx[3] = {w->xa, w->xb, w->xc}, *cz[3] = {w->za, w->zb, w->zc};
    (void)cx, (void)cz;
    w->xa = bx[0], w->xb = bx[1], w->xc = bx[2];
    w->za = bz[0], w->zb = bz[1], w->zc = bz[2];
    rs->L = L;
    rs->mu = mu;
    return 0;
}

const cr_convex_method_type cr_convex_fista_type = {"fista", fista};
