/* The interior-point method of convex_ipm.c as a method of cr_convex_solve (squared loss): its iterates are
 * projected onto the cones and certified, the best certificate is kept, and the barrier's tiny blocks are
 * cleared and the point finished by the face Newton polish (convex_polish.c). */
#include "convex_impl.h"

#include <math.h>
#include <string.h>

#include "convex_ipm.h"
#include "linalg.h"

/* ------------------------------------------------------------------ interior point (squared, large n) */

typedef struct {
    cr_convex_work *w;
    cr_convex_run *rs;
    cr_convex_run best; /* the best certificate so far (its point in w->yb); best.gap = INFINITY: none */
    long steps0, newton0; /* rs->steps and rs->newton at the start: the log counts the iterations as Newton steps */
} ipm_ctx;

/* An interior-point iterate made exactly feasible: every block projected onto its cone into w->xa, then
 * the blocks that the projection reduced to rounding dropped (below 1e-4 of their input, where the
 * projection's own tolerance 1e-13 ||c|| would be a large relative violation, or below 1e-13 of the largest
 * block); w->za = z(xa), w->zy = grad l(za). */
static void ipm_point(cr_convex_work *w, cr_convex_run *rs, const double *U2)
{
    size_t d = w->d, nb = 2 * rs->P->p;
    rs->fails += cr_convex_prox(w, rs->X, rs->P, U2, 0.0, w->xa);
    double umax = 0;
    for (size_t j = 0; j < nb; j++) umax = fmax(umax, cr_linalg_nrm2(w->xa + j * d, d));
    for (size_t j = 0; j < nb; j++) {
        double nr = cr_linalg_nrm2(w->xa + j * d, d);
        if (nr < 1e-4 * cr_linalg_nrm2(U2 + j * d, d) || nr <= 1e-13 * umax)
            memset(w->xa + j * d, 0, d * sizeof(double));
    }
    cr_convex_forward(w, rs->X, rs->P->p, w->xa, w->za);
    cr_loss_grad(rs->loss, w->za, rs->y, w->n, w->zy);
}

/* The certificate of an interior-point iterate: its blocks projected onto their cones (exactly feasible),
 * v = grad l(z) at the projected point; computed when the method is near its end or out of time. */
static int ipm_check(void *vctx, const double *U2, int near)
{
    ipm_ctx *c = vctx;
    cr_convex_work *w = c->w;
    cr_convex_run *rs = c->rs;
    size_t m = 2 * rs->P->p * w->d;
    rs->steps++;
    rs->newton = c->newton0 + (rs->steps - c->steps0 - 1); /* the iterations done before this check */
    int late = cr_convex_out_of_time(rs) || rs->steps >= rs->o.max_iter;
    if (!near && !late) return 0;
    ipm_point(w, rs, U2);
    int stop = cr_convex_check_point(w, rs, w->zy, late);
    if (rs->status != CR_CONVEX_NUMERICAL && rs->gap < c->best.gap) {
        c->best = *rs;
        memcpy(w->yb, w->xa, (m ? m : 1) * sizeof(double));
    }
    return stop;
}

/* The face Newton polish needs the optimal support and faces, which an interior point shows only near the
 * optimum: from a point certified at a larger relative gap its rounds wander over wrong faces for up to a
 * thousand Newton steps, each O(n N^2) for N face coordinates (n = 200, d = 10, p = 50: 72 steps from the
 * point at 1e-8, 116 from the one at 1e-6, 600 (11 s against 0.5 s for the whole solve at 1e-8) from the
 * one at 1e-4). So a point already certified at the tolerance is polished only from this relative gap
 * down (every tolerance the project's configs use is at most this): a looser tolerance returns the
 * interior point, certified, and never costs more than a tighter one. */
#define IPM_POLISH_GAP 1e-8

/* An interior point has every block nonzero, most of them at the size of the barrier parameter. Drops the
 * blocks below 1e-3 (else 1e-4, 1e-5, 1e-6) of the largest and, unless that point is certified as it is,
 * finishes it with the face Newton polish on its support (the step that ends SSNAL); the first point
 * certified at the tolerance replaces the interior one (status converged). So the returned support is the
 * optimal one, not the barrier's, and the gap is usually far below the tolerance; it also reaches
 * tolerances below the interior-point method's rounding floor. A converged point is polished only when its
 * relative gap is at most IPM_POLISH_GAP, one short of the tolerance from 1e-3 down (as SSNAL's polish);
 * else only the dropped candidates are certified. Nothing changes
 * when no candidate certifies (e.g. a face larger than the polish's workspace). */
static void ipm_sparsify(cr_convex_work *w, cr_convex_run *rs)
{
    static const double levels[] = {1e-3, 1e-4, 1e-5, 1e-6};
    size_t d = w->d, p = rs->P->p, nb = 2 * p;
    double rel = rs->gap / fmax(1.0, fabs(rs->primal));
    int polish = rel <= IPM_POLISH_GAP || (rs->status != CR_CONVEX_CONVERGED && rel <= 1e-3);
    double umax = 0;
    for (size_t j = 0; j < nb; j++) umax = fmax(umax, cr_linalg_nrm2(w->xa + j * d, d));
    for (size_t l = 0; l < sizeof levels / sizeof levels[0] && umax > 0; l++) {
        double *cand = w->xb, *zc = w->zb, *vc = w->zc;
        size_t dropped = 0;
        for (size_t j = 0; j < nb; j++) {
            double nu = cr_linalg_nrm2(w->xa + j * d, d);
            int drop = nu > 0 && nu < levels[l] * umax;
            dropped += (size_t)drop;
            for (size_t a = 0; a < d; a++) cand[j * d + a] = drop ? 0.0 : w->xa[j * d + a];
        }
        if (!dropped && l > 0) return; /* nothing below this level, nor below the smaller ones */
        cr_convex_forward(w, rs->X, p, cand, zc);
        cr_loss_grad(rs->loss, zc, rs->y, w->n, vc);
        cr_convex_run cs;
        int ok = cr_convex_check_candidate(w, rs, cand, zc, vc, &cs);
        if (!ok && polish) {
            rs->polishes++;
            if (cr_convex_polish(w, rs, cand, w->xc, w->zw, 0.0) != 0) continue;
            memcpy(cand, w->xc, nb * d * sizeof(double));
            memcpy(zc, w->zw, w->n * sizeof(double));
            cr_loss_grad(rs->loss, zc, rs->y, w->n, vc);
            ok = cr_convex_check_candidate(w, rs, cand, zc, vc, &cs);
        }
        if (ok) {
            long polishes = rs->polishes;
            memcpy(w->xa, cand, nb * d * sizeof(double));
            memcpy(w->za, zc, w->n * sizeof(double));
            *rs = cs;
            rs->polishes = polishes;
            cr_convex_report(w, rs);
            return;
        }
    }
}

/* Runs the interior-point method. 0: rs and w->xa hold the last certificate, or the best one when the
 * method ended (by itself, by a limit or in numerical trouble) without converging; -1: no certificate was
 * reached (numerical trouble or memory early on), w->xa undefined. */
static int ipm_run(cr_convex_work *w, cr_convex_run *rs)
{
    ipm_ctx c = {w, rs, {.gap = INFINITY}, rs->steps, rs->newton};
    cr_ipm_info ii;
    size_t m = 2 * rs->P->p * w->d;
    double *U2 = w->xc;
    long cap = rs->o.max_iter < 500 ? rs->o.max_iter : 500;
    int rc = cr_convex_ipm(rs->X, rs->y, w->n, w->d, rs->P, rs->beta, rs->o.tol, cap, ipm_check, &c, U2, &ii);
    rs->newton = c.newton0 + ii.iterations;
    if (rc == 1 && rs->status == CR_CONVEX_CONVERGED) {
        ipm_sparsify(w, rs);
        return 0;
    }
    if (rc == 0) {
        /* ended by itself (its own gap far below tol, or its iteration limit): certify the last point */
        ipm_point(w, rs, U2);
        cr_convex_check_point(w, rs, w->zy, 1);
        if (rs->status == CR_CONVEX_CONVERGED) {
            ipm_sparsify(w, rs);
            return 0;
        }
        if (rs->status == CR_CONVEX_TIME_LIMIT && !cr_convex_out_of_time(rs)) rs->status = CR_CONVEX_MAX_ITER;
    }
    if (!isfinite(c.best.gap)) return -1;
    if (rs->status == CR_CONVEX_NUMERICAL || c.best.gap < rs->gap) {
        cr_convex_status lim = rs->status == CR_CONVEX_NUMERICAL ? CR_CONVEX_MAX_ITER : rs->status;
        long steps = rs->steps, newton = rs->newton;
        size_t fails = rs->fails;
        *rs = c.best;
        rs->steps = steps, rs->newton = newton, rs->fails = fails;
        rs->status = lim == CR_CONVEX_CONVERGED ? CR_CONVEX_MAX_ITER : lim;
        memcpy(w->xa, w->yb, (m ? m : 1) * sizeof(double));
        cr_convex_forward(w, rs->X, rs->P->p, w->xa, w->za);
        cr_convex_report(w, rs);
    }
    /* short of the tolerance (rounding of the interior-point method near its end): the polish may still
     * reach it from the best point */
    ipm_sparsify(w, rs);
    return 0;
}

const cr_convex_method_type cr_convex_ipm_type = {"ipm", ipm_run};
