/* The proximal point (augmented Lagrangian) frame that convex_ssnal.c and convex_ssnalcg.c share: the iterates,
 * the inner stopping rule and line search of the semismooth Newton subproblems, the step to the next proximal
 * point, the return to the best certified point, the acceptance of a polished point and the stall rule. The
 * two files differ in how they evaluate psi and solve the Newton systems. */
#include "convex_impl.h"

#include <math.h>
#include <string.h>
#ifdef CR_CONVEX_DEBUG
#include <stdio.h>
#include <stdlib.h>
#endif

#include "linalg.h"

void cr_ssnal_init(cr_ssnal_iter *s, cr_convex_work *w, cr_convex_run *rs, cr_ssnal_psi_fn psi, void *self)
{
    *s = (cr_ssnal_iter){.w = w, .rs = rs, .v = w->v, .Pc = w->xb, .zc = w->zb, .gc = w->gr, .vt = w->vt,
                         .Ptr = w->Pt, .ztr = w->zc, .gt = w->gt, .vcert = w->zy, .psi = psi, .self = self};
    s->mn = fmax(rs->mnorm2, 1e-300);
    /* sigma ||M||^2 bounds the condition number of the Newton matrix, and with it the rounding floor of the
     * inner gradient (about eps sigma ||M||^2 ||v||): capped so that the floor stays near 1e-10 ||v||. */
    s->sigma = rs->sigma > 0 ? rs->sigma : 1.0 / s->mn;
    s->sigmax = 1e8 / s->mn;
    s->best = INFINITY, s->prog = INFINITY;
    s->ynorm = cr_linalg_nrm2(rs->y, w->n);
}

int cr_ssnal_inner_done(cr_ssnal_iter *s, double gn, double gprev, double epsk, int *stall)
{
    cr_convex_work *w = s->w;
    size_t n = w->n, m = 2 * s->rs->P->p * w->d;
    double pr = 0, vn = cr_linalg_nrm2(s->v, n);
    for (size_t t = 0; t < m; t++) pr += (s->Pc[t] - w->Uk[t]) * (s->Pc[t] - w->Uk[t]);
    pr = sqrt(pr) / s->sigma;
    double floor = 1e-15 * (1 + s->sigma * s->mn) * (1 + vn);
    /* inexact proximal point: the inner error must be small against the step (Li, Sun and Toh's
     * criterion (B)) and below a summable sequence (criterion (A)) */
    if (gn <= fmax(floor, fmin(0.1 * pr, epsk))) return 1;
    /* Newton converges quadratically: near the rounding floor, no halving of the gradient twice in a
     * row means rounding dominates. */
    *stall = gn > 0.5 * gprev && gn <= 1e4 * floor ? *stall + 1 : 0;
#ifdef CR_CONVEX_DEBUG
    if (getenv("CRDBG") && *stall >= 2) fprintf(stderr, "   stall gn=%.3g\n", gn);
#endif
    return *stall >= 2 || cr_convex_out_of_time(s->rs);
}

int cr_ssnal_line_search(cr_ssnal_iter *s, double phi, double gd, double gn, double *ft)
{
    size_t n = s->w->n;
    double alpha = 1.0;
    for (int ls = 0; ls < 40; ls++) {
        for (size_t k = 0; k < n; k++) s->vt[k] = s->v[k] + alpha * s->w->dv[k];
        *ft = s->psi(s->self, s->vt, s->Ptr, s->ztr, s->gt);
        /* Armijo, or (near the solution, where psi's differences drown in the rounding of its large
         * terms) a clear decrease of the gradient norm */
        if (*ft <= phi + 1e-4 * alpha * gd + 1e-15 * fabs(phi) || cr_linalg_nrm2(s->gt, n) <= 0.5 * gn) return 1;
        alpha *= 0.5;
    }
    return 0;
}

int cr_ssnal_subproblem(cr_ssnal_iter *s, cr_ssnal_dir_fn dir)
{
    size_t n = s->w->n;
    double phi = s->psi(s->self, s->v, s->Pc, s->zc, s->gc);
    if (!isfinite(phi)) return -1;
    double gprev = INFINITY, epsk = 0.1 * (1 + s->ynorm) * pow(0.2, (double)s->rs->steps);
    int stall = 0;
    for (int it = 0; it < 100; it++) {
        double gn = cr_linalg_nrm2(s->gc, n);
        if (cr_ssnal_inner_done(s, gn, gprev, epsk, &stall)) break;
        gprev = gn;
        double gd = 0, ft = INFINITY;
        if (dir(s->self, gn, &gd) != 0) return -1;
        if (!(gd < 0)) break;
        int ok = cr_ssnal_line_search(s, phi, gd, gn, &ft);
#ifdef CR_CONVEX_DEBUG
        if (getenv("CRDBG"))
            fprintf(stderr, "   it=%d gn=%.3g epsk=%.3g ok=%d phi=%.17g ft=%.17g gd=%.3g sigma=%.3g\n", it, gn, epsk,
                    ok, phi, ft, gd, s->sigma);
#endif
        if (!ok) break;
        cr_ssnal_swap_trial(s);
        phi = ft;
        s->rs->newton++;
    }
    return 0;
}

void cr_ssnal_swap_trial(cr_ssnal_iter *s)
{
    double *tmp;
    tmp = s->v, s->v = s->vt, s->vt = tmp;
    tmp = s->Pc, s->Pc = s->Ptr, s->Ptr = tmp;
    tmp = s->zc, s->zc = s->ztr, s->ztr = tmp;
    tmp = s->gc, s->gc = s->gt, s->gt = tmp;
}

void cr_ssnal_centre(cr_ssnal_iter *s)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    size_t n = w->n, m = 2 * rs->P->p * w->d;
    memcpy(w->xa, s->Pc, (m ? m : 1) * sizeof(double));
    memcpy(w->za, s->zc, n * sizeof(double));
    rs->steps++;
    rs->sigma_now = s->sigma;
    cr_loss_grad(rs->loss, w->za, rs->y, n, s->vcert);
}

/* The best certified point (w->yb) back into w->xa with its prediction w->za. */
static void back_to_best(cr_ssnal_iter *s)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    size_t m = 2 * rs->P->p * w->d;
    memcpy(w->xa, w->yb, (m ? m : 1) * sizeof(double));
    cr_convex_forward(w, rs->X, rs->P->p, w->xa, w->za);
}

void cr_ssnal_stopped(cr_ssnal_iter *s)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    if (rs->status != CR_CONVEX_CONVERGED && rs->status != CR_CONVEX_NUMERICAL && s->best < rs->gap) {
        cr_convex_status lim = rs->status;
        back_to_best(s);
        cr_loss_grad(rs->loss, w->za, rs->y, w->n, s->vcert);
        cr_convex_check_point(w, rs, s->vcert, 1);
        if (rs->status != CR_CONVEX_CONVERGED) rs->status = lim;
    }
}

int cr_ssnal_take_polished(cr_ssnal_iter *s, int *conv)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    size_t n = w->n, m = 2 * rs->P->p * w->d;
    cr_convex_run cand;
    *conv = cr_convex_check_candidate(w, rs, w->xc, w->zw, s->vcert, &cand);
    rs->polishes++;
#ifdef CR_CONVEX_DEBUG
    fprintf(stderr, "  polish: primal %.15g gap %.3g\n", cand.primal, cand.gap);
#endif
    if (!*conv && !(cand.gap < rs->gap)) return 0;
    memcpy(w->xa, w->xc, (m ? m : 1) * sizeof(double));
    memcpy(w->za, w->zw, n * sizeof(double));
    rs->primal = cand.primal, rs->dual = cand.dual, rs->gap = cand.gap, rs->gmax = cand.gmax;
    if (*conv) rs->status = CR_CONVEX_CONVERGED;
    cr_convex_report(w, rs);
    return 1;
}

int cr_ssnal_progress(cr_ssnal_iter *s)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    size_t m = 2 * rs->P->p * w->d;
    if (rs->gap < s->best) {
        s->best = rs->gap;
        memcpy(w->yb, w->xa, (m ? m : 1) * sizeof(double));
    }
    if (rs->gap < 0.5 * s->prog) {
        s->prog = rs->gap;
        s->worse = 0;
    } else if (s->sigma >= s->sigmax && ++s->worse >= 3) {
        back_to_best(s);
        return -1;
    }
    return 0;
}

void cr_ssnal_budget_spent(cr_ssnal_iter *s)
{
    cr_convex_work *w = s->w;
    cr_convex_run *rs = s->rs;
    if (s->best < rs->gap) {
        back_to_best(s);
        cr_loss_grad(rs->loss, w->za, rs->y, w->n, s->vcert);
        cr_convex_check_point(w, rs, s->vcert, 0);
    }
    rs->status = CR_CONVEX_MAX_ITER;
}

void cr_ssnal_finish(cr_ssnal_iter *s)
{
    /* v lives in w->v again (it may sit in the trial buffer after the swaps) */
    if (s->v != s->w->v) memcpy(s->w->v, s->v, s->w->n * sizeof(double));
    s->rs->sigma = s->sigma;
}
