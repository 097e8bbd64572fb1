/* Slides "Implicit regularization for homogeneous network" through "Proposition": on orthogonally separable
 * data, gradient descent on the logistic loss (no weight decay, small balanced initialization) converges in
 * direction to a global max-margin network. Measured: P* and its dual D* (certified), the normalized margin
 * gamma(t) against its ceiling 1/(2 P*), the KKT multipliers fitted along the way and their dual norm, the
 * subsampled program P_sub over the final neurons' patterns, and the Proposition's covering neurons. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "dualnorm.h"
#include "experiments.h"
#include "kkt.h"
#include "maxmargin.h"

typedef struct {
    const cr_data *D;
    const cr_patterns *P;
    cr_kkt_work *kw;
    double *lambda;
    double ceiling; /* 1 / (2 P*) */
    long next;      /* next step to record: geometric spacing, about 40 per decade, and the last step */
    long last;
    cr_csv *trace;
    /* gamma over the logged iterates, for the monotonicity claim */
    double *gam;
    long *iters;
    size_t ngam, capgam;
    int fail;
} mm_ctx;

static int log_margin(void *vctx, const cr_train_row *row, const cr_net *net)
{
    mm_ctx *c = vctx;
    const cr_data *D = c->D;
    if (row->iter < c->next && row->iter != c->last) return 0;
    long step = (long)ceil((double)c->next * 0.0593); /* 10^(1/40) - 1 */
    c->next += step > 0 ? step : 1;
    double gamma = cr_mm_gamma(D->X, D->y, D->n, D->d, net->W1, net->w2, net->m);
    double dn = NAN;
    cr_kkt_info ki;
    cr_err e;
    if (isfinite(gamma) && gamma > 0 &&
        cr_kkt_fit(c->kw, D->X, D->y, D->n, D->d, net->W1, net->w2, net->m, c->P, c->lambda, &ki, &e) == CR_OK)
        dn = ki.dualnorm;
    cr_csv_int(c->trace, row->iter);
    cr_csv_real(c->trace, row->loss);
    cr_csv_real(c->trace, sqrt(row->norm2));
    cr_csv_real(c->trace, gamma);
    cr_csv_real(c->trace, gamma / c->ceiling);
    if (isfinite(dn)) cr_csv_real(c->trace, dn);
    else cr_csv_str(c->trace, "");
    cr_csv_endrow(c->trace);
    if (c->ngam == c->capgam) {
        size_t cap = c->capgam ? 2 * c->capgam : 256;
        double *g = realloc(c->gam, cap * sizeof *g);
        long *it = realloc(c->iters, cap * sizeof *it);
        if (g) c->gam = g;
        if (it) c->iters = it;
        if (!g || !it) return CR_ERUNTIME;
        c->capgam = cap;
    }
    c->gam[c->ngam] = gamma;
    c->iters[c->ngam++] = row->iter;
    return 0;
}

/* What the steps share: the programs' workspaces and solutions, gradient descent's network and trace, the results. */
typedef struct {
    const cr_config *cfg;
    const cr_data *D;
    cr_patterns *P, *I;         /* every pattern; gradient descent's final patterns */
    cr_mm_work *mw, *mws;       /* P* and P_sub */
    cr_kkt_work *kw;
    cr_dualnorm_work *dw;
    cr_net *net;                /* gradient descent's */
    double *U, *Up, *lam;       /* P*'s blocks (p x d each) and optimal dual lambda* (n) */
    double *W1, *w2;            /* P*'s network: d x m_opt after repacking (room for 2p neurons) */
    double *Us, *Ups, *lamfit;  /* P_sub's blocks; the KKT multipliers fitted to gradient descent */
    mm_ctx ctx;
    cr_mm_info mi, si;          /* P*, P_sub */
    cr_kkt_info ki;             /* the KKT fit at the end point */
    double dn_star, rec_margin, rec_half, ceiling, cos_best[2];
    size_t m_opt, iplus, iminus;
} mm_state;

static int alloc_optimum(mm_state *s, cr_err *err)
{
    const size_t n = s->D->n, d = s->D->d, p = s->P->p, width = (size_t)s->cfg->train.width;
    s->mw = cr_mm_alloc(n, d, p);
    s->kw = cr_kkt_alloc(n, d, width > 2 * p ? width : 2 * p);
    s->dw = cr_dualnorm_alloc(n, d);
    s->U = calloc(p * d, sizeof *s->U), s->Up = calloc(p * d, sizeof *s->Up), s->lam = calloc(n, sizeof *s->lam);
    s->lamfit = calloc(n, sizeof *s->lamfit);
    s->W1 = calloc(d * 2 * p, sizeof *s->W1), s->w2 = calloc(2 * p, sizeof *s->w2);
    if (!s->mw || !s->kw || !s->dw || !s->U || !s->Up || !s->lam || !s->lamfit || !s->W1 || !s->w2)
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    return CR_OK;
}

/* P* over every pattern with its certificate, the dual norm of lambda*, and the max-margin network it gives. */
static int optimum(mm_state *s, cr_run *run, cr_err *err)
{
    const cr_data *D = s->D;
    const size_t n = D->n, d = D->d;
    int st = cr_exp_patterns(s->cfg, D, &s->P, err);
    if (!st) st = alloc_optimum(s, err);
    if (!st) st = cr_exp_mm_solve(s->cfg, s->mw, D, s->P, s->U, s->Up, s->lam, &s->mi, "P*", err);
    if (st) return st;
    cr_run_timing(run, "maxmargin_seconds", s->mi.seconds);
    size_t which;
    int sgn;
    const size_t p = s->P->p;
    if ((st = cr_dualnorm_over(s->dw, D->X, n, d, s->P, s->lam, CR_DUALNORM_ABS, &s->dn_star, NULL, &which, &sgn,
                               err)))
        return st;
    if ((st = cr_mm_to_network(s->U, s->Up, p, d, s->W1, s->w2, 2 * p, &s->m_opt, err))) return st;
    /* W1 was written as d x (2p); the evaluation wants d x m_opt. */
    for (size_t k = 1; k < d; k++)
        for (size_t j = 0; j < s->m_opt; j++) s->W1[k * s->m_opt + j] = s->W1[k * 2 * p + j];
    cr_mm_network_eval(D->X, D->y, n, d, s->W1, s->w2, s->m_opt, &s->rec_margin, &s->rec_half);
    s->ceiling = cr_mm_gamma_ceiling(s->mi.primal);
    return CR_OK;
}

/* Gradient descent on the logistic loss, beta = 0, from a small balanced initialization; trace.csv records gamma(t)
 * at geometric steps (the figures use a log axis), so every step reaches the callback. */
static int descend(mm_state *s, cr_run *run, cr_err *err)
{
    s->ctx = (mm_ctx){.D = s->D, .P = s->P, .kw = s->kw, .lambda = s->lamfit, .ceiling = s->ceiling, .next = 1,
                      .last = s->cfg->train.iters};
    s->ctx.trace = cr_run_table(run, "trace.csv", "iter,loss,norm_theta,gamma,gamma_ratio,dual_norm_fit", err);
    if (!s->ctx.trace) return CR_ERUNTIME;
    cr_train_info ti;
    cr_config gd = *s->cfg;
    gd.train.log_every = 1;
    int st = cr_exp_train(&gd, s->D, (size_t)s->cfg->train.width, 1, log_margin, &s->ctx, &s->net, &ti, err);
    if (!st) {
        st = cr_csv_close(s->ctx.trace, err);
        s->ctx.trace = NULL;
    }
    return st;
}

/* The end point: KKT fit, P_sub over the final neurons' patterns, covering neurons, alignment per sign. */
static int end_point(mm_state *s, cr_err *err)
{
    const cr_data *D = s->D;
    const cr_net *net = s->net;
    const size_t n = D->n, d = D->d;
    int st = cr_kkt_fit(s->kw, D->X, D->y, n, d, net->W1, net->w2, net->m, s->P, s->lamfit, &s->ki, err);
    if (!st) st = cr_kkt_patterns(D->X, n, d, net->W1, net->w2, net->m, &s->I, err);
    if (st) return st;
    s->mws = cr_mm_alloc(n, d, s->I->p);
    s->Us = calloc(s->I->p * d, sizeof *s->Us), s->Ups = calloc(s->I->p * d, sizeof *s->Ups);
    if (!s->mws || !s->Us || !s->Ups) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    if ((st = cr_exp_mm_solve(s->cfg, s->mws, D, s->I, s->Us, s->Ups, NULL, &s->si, "P_sub", err))) return st;
    cr_kkt_covering(D->X, D->y, n, d, net->W1, net->w2, net->m, &s->iplus, &s->iminus);
    double *cosj = calloc(net->m, sizeof *cosj);
    if (!cosj) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_kkt_alignment(D->X, D->y, n, d, net->W1, net->w2, net->m, cosj);
    cr_net_best_by_sign(net, cosj, s->cos_best);
    free(cosj);
    return CR_OK;
}

/* gamma over the logged iterates: the last value, the largest ratio to the ceiling, and the largest relative drop
 * between logged iterates with t >= T/2 (gamma nondecreasing over the second half of training). */
static void gamma_trace(const mm_state *s, double *gamma_final, double *max_ratio, double *worst_drop)
{
    const mm_ctx *c = &s->ctx;
    *worst_drop = 0;
    for (size_t k = 1; k < c->ngam; k++) {
        if (c->iters[k - 1] < s->cfg->train.iters / 2) continue;
        double drop = (c->gam[k - 1] - c->gam[k]) / fabs(c->gam[k - 1]);
        if (drop > *worst_drop) *worst_drop = drop;
    }
    *gamma_final = c->ngam ? c->gam[c->ngam - 1] : NAN;
    *max_ratio = -INFINITY;
    for (size_t k = 0; k < c->ngam; k++)
        if (c->gam[k] / s->ceiling > *max_ratio) *max_ratio = c->gam[k] / s->ceiling;
}

static void summary(const mm_state *s, double gamma_final, cr_run *run)
{
    cr_run_summary_int(run, "n", (long long)s->D->n);
    cr_run_summary_int(run, "d", (long long)s->D->d);
    cr_run_summary_int(run, "p", (long long)s->P->p);
    cr_run_summary_real(run, "P_star", s->mi.primal);
    cr_run_summary_real(run, "D_star", s->mi.dual);
    cr_run_summary_real(run, "gap", s->mi.gap);
    cr_run_summary_real(run, "dual_norm_lambda_star", s->dn_star);
    cr_run_summary_int(run, "optimal_neurons", (long long)s->m_opt);
    cr_run_summary_real(run, "P_sub", s->si.primal);
    cr_run_summary_int(run, "patterns_used", (long long)s->I->p);
    cr_run_summary_real(run, "gamma_final", gamma_final);
    cr_run_summary_real(run, "gamma_ceiling", s->ceiling);
    cr_run_summary_real(run, "gamma_ratio", gamma_final / s->ceiling);
    cr_run_summary_real(run, "dual_norm_gd", s->ki.dualnorm);
    cr_run_summary_real(run, "kkt_c", s->ki.c);
    cr_run_summary_real(run, "kkt_residual", s->ki.resid);
    cr_run_summary_real(run, "kkt_ytlambda", s->ki.ytlambda);
    cr_run_summary_real(run, "kkt_half_norm2", s->ki.half_norm2);
    cr_run_summary_real(run, "cos_pos", s->cos_best[0]);
    cr_run_summary_real(run, "cos_neg", s->cos_best[1]);
    cr_run_summary_int(run, "covering_plus", s->iplus == (size_t)-1 ? 0 : (long long)s->iplus + 1);
    cr_run_summary_int(run, "covering_minus", s->iminus == (size_t)-1 ? 0 : (long long)s->iminus + 1);
}

static void claims(const mm_state *s, cr_run *run)
{
    const double pstar = s->mi.primal;
    double gamma_final, max_ratio, worst_drop;
    gamma_trace(s, &gamma_final, &max_ratio, &worst_drop);
    summary(s, gamma_final, run);
    cr_run_claim(run, "D* = P* (certified, relative 1e-6)", s->mi.dual, pstar, 1e-6, CR_CLAIM_REL);
    cr_run_claim(run, "optimal lambda* has dual norm <= 1 + 1e-6", s->dn_star, 1, 1e-6, CR_CLAIM_LE);
    cr_run_claim(run, "reconstructed optimal network has margin min y_i f_i = 1", s->rec_margin, 1, 1e-9,
                 CR_CLAIM_REL);
    cr_run_claim(run, "reconstructed optimal network has 1/2||theta||^2 = P*", s->rec_half, pstar, 1e-9,
                 CR_CLAIM_REL);
    cr_run_claim(run, "P_sub over gradient descent's final patterns = P* (relative 1e-6)", s->si.primal, pstar, 1e-6,
                 CR_CLAIM_REL);
    cr_run_claim(run, "normalized margin gamma / (1 / 2P*) >= 0.95 at the end", gamma_final / s->ceiling, 0.95, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "gamma(t) <= 1 / 2P* at every logged step (max ratio)", max_ratio, 1, 1e-9, CR_CLAIM_LE);
    cr_run_claim(run, "gamma nondecreasing over the second half (largest relative drop)", worst_drop, 0, 1e-9,
                 CR_CLAIM_LE);
    cr_run_claim(run, "fitted KKT lambda has dual norm <= 1.05", s->ki.dualnorm, 1.05, 0, CR_CLAIM_LE);
    cr_run_claim(run, "Proposition: covering neurons i+ and i- exist (count)",
                 (double)((s->iplus != (size_t)-1) + (s->iminus != (size_t)-1)), 2, 0, CR_CLAIM_ABS);
}

int cr_exp_maxmargin(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    mm_state s = {.cfg = cfg, .D = D};
    int st = optimum(&s, run, err);
    if (!st) st = descend(&s, run, err);
    if (!st) st = end_point(&s, err);
    if (!st) claims(&s, run);
    if (s.ctx.trace) cr_csv_abort(s.ctx.trace);
    free(s.ctx.gam);
    free(s.ctx.iters);
    cr_net_free(s.net);
    cr_patterns_free(s.P);
    cr_patterns_free(s.I);
    cr_mm_free(s.mw);
    cr_mm_free(s.mws);
    cr_kkt_free(s.kw);
    cr_dualnorm_free(s.dw);
    free(s.U), free(s.Up), free(s.lam), free(s.lamfit), free(s.W1), free(s.w2), free(s.Us), free(s.Ups);
    return st;
}
