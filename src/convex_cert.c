/* The certified duality gap of the convex program (docs/MATH.md, Certified gap): g_i(v) by the 2p cone
 * projections, the dual value at the scaled v, the public certificate functions of convex.h, and the
 * stopping rule every method shares (cr_convex_check_point: gap, limits, numerical failure). */
#include "convex_impl.h"

#include <math.h>
#include <string.h>

#include "linalg.h"
#include "timer.h"

/* ------------------------------------------------------------------ certificate */

/* gmax = max_i g_i(v) and the certified dual value at the scaled v (see convex.h). The 2p cone
 * projections are warm-started from the certificate's own active sets. *scale receives min(1, beta/gmax). */
static void certify(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P, cr_loss_kind loss,
                    double beta, const double *v, double *gmax, double *scale, double *dual)
{
    size_t n = w->n, d = w->d, p = P->p;
    double gm = 0;
    if (p > 0) {
        cr_convex_adjoint(w, X, p, v, w->G);
        for (size_t t = 0; t < p * d; t++) {
            w->C[t] = w->G[t];
            w->C[p * d + t] = -w->G[t];
        }
        cr_convex_project_all(w, X, P, w->C, w->R, 2 * p);
        for (size_t j = 0; j < 2 * p; j++) {
            double gj = cr_linalg_nrm2(w->R + j * d, d);
            if (gj > gm || isnan(gj)) gm = gj;
        }
    }
    double c = gm > beta ? beta / gm : 1.0;
    for (size_t k = 0; k < n; k++) w->g[k] = c * v[k];
    *gmax = gm;
    *scale = c;
    *dual = -cr_loss_conj(loss, w->g, y, n);
}

int cr_convex_dual_value(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                         const cr_patterns *P, cr_loss_kind loss, double beta, const double *v, double *dual,
                         double *gmax, cr_err *err)
{
    int st = cr_convex_validate(w, X, y, n, d, P, loss, beta, err);
    if (st) return st;
    if (!v || !dual || !gmax) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    cr_convex_load(w, X, P);
    memcpy(w->v, v, n * sizeof *v);
    double scale;
    certify(w, X, y, P, loss, beta, w->v, gmax, &scale, dual);
    if (isnan(*dual) || isnan(*gmax)) return cr_err_set(err, CR_ERUNTIME, "convex: dual value is NaN");
    return CR_OK;
}

int cr_convex_dual_from_prediction(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                                   const cr_patterns *P, cr_loss_kind loss, double beta, const double *z,
                                   double *dual, double *gmax, cr_err *err)
{
    int st = cr_convex_validate(w, X, y, n, d, P, loss, beta, err);
    if (st) return st;
    if (!z || !dual || !gmax) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    cr_convex_load(w, X, P);
    cr_loss_grad(loss, z, y, n, w->v);
    double scale;
    certify(w, X, y, P, loss, beta, w->v, gmax, &scale, dual);
    if (isnan(*dual) || isnan(*gmax)) return cr_err_set(err, CR_ERUNTIME, "convex: dual value is NaN");
    return CR_OK;
}

/* Certificate at the current point w->xa (prediction w->za) with dual candidate v: sets primal, dual,
 * gap; returns 1 when the solve should stop (converged, numerical failure, limits), with status set. */
static int certificate(cr_convex_work *w, cr_convex_run *rs, const double *v, int at_limit)
{
    size_t n = w->n, d = w->d, p = rs->P->p;
    double pen = cr_convex_penalty(w->xa, 2 * p, d, rs->beta), scale;
    rs->primal = cr_loss_value(rs->loss, w->za, rs->y, n) + pen;
    certify(w, rs->X, rs->y, rs->P, rs->loss, rs->beta, v, &rs->gmax, &scale, &rs->dual);
    /* primal >= p* >= dual: a negative difference is the rounding of two equal values, so the certified gap
     * is 0 (NaN stays NaN and is caught below). Every gap reported by the solver comes from here. */
    rs->gap = rs->primal - rs->dual < 0 ? 0.0 : rs->primal - rs->dual;
    if (!isfinite(rs->primal) || isnan(rs->dual) || isnan(rs->gmax)) {
        rs->status = CR_CONVEX_NUMERICAL;
        return 1;
    }
    if (rs->gap <= rs->o.tol * fmax(1.0, fabs(rs->primal))) {
        rs->status = CR_CONVEX_CONVERGED;
        return 1;
    }
    if (rs->steps >= rs->o.max_iter || at_limit) {
        rs->status = rs->steps >= rs->o.max_iter ? CR_CONVEX_MAX_ITER : CR_CONVEX_TIME_LIMIT;
        return 1;
    }
    return 0;
}

int cr_convex_check_point(cr_convex_work *w, cr_convex_run *rs, const double *v, int at_limit)
{
    int stop = certificate(w, rs, v, at_limit);
    cr_convex_report(w, rs);
    return stop;
}

void cr_convex_report(cr_convex_work *w, const cr_convex_run *rs)
{
    if (!rs->o.log) return;
    size_t p = rs->P->p, d = w->d;
    cr_convex_sol cur = {p, d, w->xa, w->xa + p * d}; /* a view of the current point */
    cr_convex_progress pr = {.method = rs->method ? rs->method : "?", .iteration = rs->steps, .newton = rs->newton,
                             .products = rs->products, .primal = rs->primal, .dual = rs->dual, .gap = rs->gap,
                             .rel_gap = rs->gap / fmax(1.0, fabs(rs->primal)), .sigma = rs->sigma_now,
                             .active = cr_convex_sol_nnz(&cur), .seconds = cr_seconds() - rs->t0};
    rs->o.log(&pr, rs->o.log_ctx);
}

/* The certificate of a candidate point cand (prediction zc) with dual candidate v, into *cs (a copy of rs)
 * without touching rs or the current point; 1 when it is converged. */
int cr_convex_check_candidate(cr_convex_work *w, const cr_convex_run *rs, double *cand, double *zc, const double *v,
                              cr_convex_run *cs)
{
    double *sx = w->xa, *sz = w->za;
    w->xa = cand, w->za = zc;
    *cs = *rs;
    cs->status = CR_CONVEX_MAX_ITER;
    certificate(w, cs, v, 0);
    w->xa = sx, w->za = sz;
    return cs->status == CR_CONVEX_CONVERGED;
}

int cr_convex_out_of_time(const cr_convex_run *rs)
{
    return rs->o.max_seconds > 0 && cr_seconds() - rs->t0 > rs->o.max_seconds;
}
