/* Slides "Implicit regularization for homogeneous network" through "Proposition": on orthogonally separable
 * data, gradient descent on the logistic loss (no weight decay, small balanced initialization) converges in
 * direction to a global max-margin network. Measured: P* and its dual D* (certified), the normalized margin
 * gamma(t) against its ceiling 1/(2 P*), the KKT multipliers fitted along the way (Clarke fit, kktclarke.h) with
 * their residual and dual norm, then, with train.flow_target > 0, the same along the loss-scaled descent of
 * marginflow.h (the gradient flow's path, steps eta / L) until min_i y_i f_i = train.flow_target, settled; at the
 * end the subsampled program P_sub over the final neurons' patterns and the Proposition's covering neurons. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "convex.h"
#include "dualnorm.h"
#include "experiments.h"
#include "mm_kkt.h"
#include "kktclarke.h"
#include "marginflow.h"
#include "maxmargin.h"
#include "relerr.h"

/* Kink tolerance of the Clarke KKT fit (as in separable.c). */
#define KINK_TAU 1e-4
/* The loss-scaled descent stops after this many steps if min_i y_i f_i has not reached train.flow_target. */
#define FLOW_MAX_STEPS 1000000L
/* The dual-norm claim counts at a KKT residual r <= KKT_RESID, with tolerance DUAL_PER_RESID r (separable.c). */
#define KKT_RESID 0.01
#define DUAL_PER_RESID 2.0

typedef struct {
    const cr_data *D;
    const cr_patterns *P;
    cr_kktc_work *cw;
    cr_dualnorm_work *dw;
    double *dir;
    double *lambda;
    double ceiling; /* 1 / (2 P*) */
    long next;      /* next step to record: geometric spacing, about 40 per decade, and the last step */
    long last;
    cr_csv *trace;
    double max_ratio; /* largest gamma / ceiling over every logged iterate */
    /* gamma over the logged gradient-descent iterates, for the monotonicity claim */
    double *gam;
    long *iters;
    size_t ngam, capgam;
    int fail;
} mm_ctx;

/* One trace row at the network net: step iter of the phase, its loss (log L beside it: L underflows in the
 * loss-scaled phase), ||theta||, gamma and its ratio, and the Clarke KKT fit (dual norm, residual) when the data
 * are separated. Returns gamma. */
static double trace_row(mm_ctx *c, long iter, const char *phase, double loss, double log_loss, const cr_net *net)
{
    const cr_data *D = c->D;
    double gamma = cr_mm_gamma(D->X, D->y, D->n, D->d, net->W1, net->w2, net->m);
    double dn = NAN, resid = NAN;
    cr_err e;
    if (isfinite(gamma) && gamma > 0) {
        cr_kktc_info ci;
        cr_mflow_dir(D->X, D->y, D->n, D->d, net->W1, net->w2, net->m, c->dir);
        if (cr_kktc_fit(c->cw, D->X, D->y, D->n, D->d, net->W1, net->w2, net->m, c->dir, KINK_TAU, c->lambda, &ci,
                        &e) == CR_OK &&
            cr_dualnorm_over(c->dw, D->X, D->n, D->d, c->P, c->lambda, CR_DUALNORM_ABS, &dn, NULL, NULL, NULL, &e) ==
                CR_OK)
            resid = ci.resid;
        else
            dn = NAN;
    }
    cr_csv_int(c->trace, iter);
    cr_csv_str(c->trace, phase);
    cr_csv_real(c->trace, loss);
    if (isfinite(log_loss)) cr_csv_real(c->trace, log_loss);
    else cr_csv_str(c->trace, ""); /* L = 0 in double precision (gradient descent's own loss) */
    cr_csv_real(c->trace, sqrt(cr_net_norm2(net)));
    cr_csv_real(c->trace, gamma);
    cr_csv_real(c->trace, gamma / c->ceiling);
    if (isfinite(dn)) cr_csv_real(c->trace, dn);
    else cr_csv_str(c->trace, "");
    if (isfinite(resid)) cr_csv_real(c->trace, resid);
    else cr_csv_str(c->trace, "");
    cr_csv_endrow(c->trace);
    if (gamma / c->ceiling > c->max_ratio) c->max_ratio = gamma / c->ceiling;
    return gamma;
}

static int log_margin(void *vctx, const cr_train_row *row, const cr_net *net)
{
    mm_ctx *c = vctx;
    if (row->iter < c->next && row->iter != c->last) return 0;
    long step = (long)ceil((double)c->next * 0.0593); /* 10^(1/40) - 1 */
    c->next += step > 0 ? step : 1;
    double gamma = trace_row(c, row->iter, "gd", row->loss, log(row->loss), net);
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

/* Everything the run holds: workspaces, the optimum of P*, gradient descent's network and what is measured on it. */
typedef struct {
    cr_patterns *P, *I;
    cr_mm_work *mw, *mws;
    cr_kktc_work *cw;
    cr_mflow_work *fw;
    cr_dualnorm_work *dw;
    cr_net *net;
    double *U, *Up, *lam, *W1, *w2, *Us, *Ups, *lamfit, *dir;
    cr_mm_info mi, si;           /* P* and P_sub */
    double dn_star;              /* N(lambda*) */
    size_t m_opt;                /* neurons of the reconstructed optimal network */
    double rec_margin, rec_half; /* its min y_i f_i and 1/2 ||theta||^2 */
    double gamma_gd;             /* gamma at the end of gradient descent */
    long flow_steps;
    cr_kktc_info ki;             /* the Clarke KKT fit at the end point */
    double dn_gd;                /* its N(lambda) */
    size_t iplus, iminus;        /* covering neurons */
    double cos_pos, cos_neg;     /* best alignment per sign */
} mm_run;

static void mm_run_free(mm_run *r)
{
    cr_net_free(r->net);
    cr_patterns_free(r->P);
    cr_patterns_free(r->I);
    cr_mm_free(r->mw);
    cr_mm_free(r->mws);
    cr_kktc_free(r->cw);
    cr_mflow_free(r->fw);
    cr_dualnorm_free(r->dw);
    free(r->dir);
    free(r->U), free(r->Up), free(r->lam), free(r->lamfit), free(r->W1), free(r->w2), free(r->Us), free(r->Ups);
}

/* The patterns of the config and the workspaces over them. */
static int alloc_run(const cr_config *cfg, const cr_data *D, mm_run *r, cr_err *err)
{
    const size_t n = D->n, d = D->d, m = (size_t)cfg->train.width;
    int st = cr_exp_patterns(cfg, D, &r->P, err);
    if (st) return st;
    const size_t p = r->P->p;
    r->mw = cr_mm_alloc(n, d, p);
    r->cw = cr_kktc_alloc(n, d, m);
    r->fw = cr_mflow_alloc(n, d, m);
    r->dw = cr_dualnorm_alloc(n, d);
    r->dir = calloc(n, sizeof *r->dir);
    r->U = calloc(p * d, sizeof *r->U), r->Up = calloc(p * d, sizeof *r->Up), r->lam = calloc(n, sizeof *r->lam);
    r->lamfit = calloc(n, sizeof *r->lamfit);
    r->W1 = calloc(d * 2 * p, sizeof *r->W1), r->w2 = calloc(2 * p, sizeof *r->w2);
    if (!r->mw || !r->cw || !r->fw || !r->dw || !r->dir || !r->U || !r->Up || !r->lam || !r->lamfit || !r->W1 ||
        !r->w2)
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    return CR_OK;
}

/* P* with its dual point, N(lambda*), and the optimal network rebuilt from the solution with its margin and
 * 1/2 ||theta||^2. */
static int solve_optimum(const cr_config *cfg, const cr_data *D, cr_run *run, mm_run *r, cr_err *err)
{
    const size_t n = D->n, d = D->d, p = r->P->p;
    int st = cr_exp_mm_solve(cfg, r->mw, D, r->P, r->U, r->Up, r->lam, &r->mi, "P*", err);
    if (st) return st;
    cr_run_timing(run, "maxmargin_seconds", r->mi.seconds);
    size_t which;
    int sgn;
    st = cr_dualnorm_over(r->dw, D->X, n, d, r->P, r->lam, CR_DUALNORM_ABS, &r->dn_star, NULL, &which, &sgn, err);
    if (st) return st;
    const cr_convex_sol opt_view = {p, d, r->U, r->Up};
    if ((st = cr_convex_to_network(&opt_view, r->W1, r->w2, 2 * p, &r->m_opt, err))) return st;
    /* W1 was written as d x (2p); the evaluation wants d x m_opt. */
    for (size_t k = 1; k < d; k++)
        for (size_t j = 0; j < r->m_opt; j++) r->W1[k * r->m_opt + j] = r->W1[k * 2 * p + j];
    cr_mm_network_eval(D->X, D->y, n, d, r->W1, r->w2, r->m_opt, &r->rec_margin, &r->rec_half);
    return CR_OK;
}

/* Gradient descent on the logistic loss, beta = 0, from a small balanced initialization; every step reaches the
 * callback, which records at geometric steps (the figures use a log axis). */
static int run_descent(const cr_config *cfg, const cr_data *D, mm_run *r, mm_ctx *ctx, cr_err *err)
{
    cr_train_info ti;
    cr_config gd = *cfg;
    gd.train.log_every = 1;
    int st = cr_exp_train(&gd, D, (size_t)cfg->train.width, 1, log_margin, ctx, &r->net, &ti, err);
    if (!st) r->gamma_gd = ctx->ngam ? ctx->gam[ctx->ngam - 1] : NAN;
    return st;
}

/* The loss-scaled descent (train.flow_target > 0, data separated): to min y f = train.flow_target in stages
 * that double the margin, a trace row after each, then the settling phases, and a last row. */
static int run_flow(const cr_config *cfg, const cr_data *D, mm_run *r, mm_ctx *ctx, cr_err *err)
{
    if (!(cfg->train.flow_target > 0 && r->gamma_gd > 0)) return CR_OK;
    cr_mflow_info fi = {0};
    cr_mflow_opts fo;
    cr_mflow_defaults(&fo);
    const double settle = (double)fo.settle_steps;
    fo.settle_levels = 0;
    double z = r->gamma_gd * cr_net_norm2(r->net);
    int st = CR_OK;
    while (!st && z < cfg->train.flow_target && r->flow_steps < FLOW_MAX_STEPS) {
        fo.target = fmin(2 * z, cfg->train.flow_target);
        fo.steps = FLOW_MAX_STEPS - r->flow_steps;
        if ((st = cr_mflow_run(r->fw, r->net, D->X, D->y, D->n, &fo, &fi, err))) break;
        r->flow_steps += fi.steps;
        z = fi.min_yf;
        trace_row(ctx, cfg->train.iters + r->flow_steps, "flow", exp(fi.log_loss), fi.log_loss, r->net);
    }
    if (!st && z >= cfg->train.flow_target) {
        cr_mflow_defaults(&fo);
        fo.steps = 0; /* the target is reached: only the settling phases run */
        fo.target = z;
        fo.settle_steps = (long)settle;
        if (!(st = cr_mflow_run(r->fw, r->net, D->X, D->y, D->n, &fo, &fi, err))) {
            r->flow_steps += fi.steps;
            trace_row(ctx, cfg->train.iters + r->flow_steps, "settled", exp(fi.log_loss), fi.log_loss, r->net);
        }
    }
    return st;
}

/* trace.csv: gradient descent then the loss-scaled descent, one row per recorded step. */
static int trace_training(const cr_config *cfg, const cr_data *D, cr_run *run, mm_run *r, mm_ctx *ctx, cr_err *err)
{
    *ctx = (mm_ctx){.D = D, .P = r->P, .cw = r->cw, .dw = r->dw, .dir = r->dir, .lambda = r->lamfit,
                    .ceiling = cr_mm_gamma_ceiling(r->mi.primal), .max_ratio = -INFINITY, .next = 1,
                    .last = cfg->train.iters};
    ctx->trace = cr_run_table(run, "trace.csv",
                              "iter,phase,loss,log_loss,norm_theta,gamma,gamma_ratio,dual_norm_fit,kkt_residual", err);
    if (!ctx->trace) return CR_ERUNTIME;
    int st = run_descent(cfg, D, r, ctx, err);
    if (!st) st = run_flow(cfg, D, r, ctx, err);
    if (!st) {
        st = cr_csv_close(ctx->trace, err);
        ctx->trace = NULL;
    }
    return st;
}

/* The end point: Clarke KKT fit and its dual norm, P_sub over the final neurons' patterns, covering neurons and
 * the best alignment per sign. */
static int measure_end_point(const cr_config *cfg, const cr_data *D, mm_run *r, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    const cr_net *net = r->net;
    cr_mflow_dir(D->X, D->y, n, d, net->W1, net->w2, net->m, r->dir);
    r->dn_gd = NAN;
    int st = cr_kktc_fit(r->cw, D->X, D->y, n, d, net->W1, net->w2, net->m, r->dir, KINK_TAU, r->lamfit, &r->ki, err);
    if (!st) st = cr_dualnorm_over(r->dw, D->X, n, d, r->P, r->lamfit, CR_DUALNORM_ABS, &r->dn_gd, NULL, NULL, NULL, err);
    if (!st) st = cr_mm_kkt_patterns(D->X, n, d, net->W1, net->w2, net->m, &r->I, err);
    if (st) return st;
    r->mws = cr_mm_alloc(n, d, r->I->p);
    r->Us = calloc(r->I->p * d, sizeof *r->Us), r->Ups = calloc(r->I->p * d, sizeof *r->Ups);
    if (!r->mws || !r->Us || !r->Ups) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    if ((st = cr_exp_mm_solve(cfg, r->mws, D, r->I, r->Us, r->Ups, NULL, &r->si, "P_sub", err))) return st;
    cr_mm_kkt_covering(D->X, D->y, n, d, net->W1, net->w2, net->m, &r->iplus, &r->iminus);
    double *cosj = calloc(net->m, sizeof *cosj);
    if (!cosj) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_mm_kkt_alignment(D->X, D->y, n, d, net->W1, net->w2, net->m, cosj);
    double best[2];
    cr_net_best_by_sign(net, cosj, best);
    r->cos_pos = best[0], r->cos_neg = best[1];
    free(cosj);
    return CR_OK;
}

/* The pattern sets of P* and P_sub and the data, for an independent recheck (run id 1: one data set). */
static int write_recheck(const cr_data *D, cr_run *run, const mm_run *r, cr_err *err)
{
    cr_csv *pt = cr_exp_patterns_used_open(run, err), *sp = pt ? cr_exp_samples_open(run, err) : NULL;
    if (!sp) {
        cr_csv_abort(pt);
        return CR_ERUNTIME;
    }
    cr_exp_patterns_used_add(pt, 1, "P_star", r->mi.primal, r->P);
    cr_exp_patterns_used_add(pt, 1, "P_sub", r->si.primal, r->I);
    int st = cr_exp_samples_add(sp, 1, D, err);
    if (st) {
        cr_csv_abort(pt);
        cr_csv_abort(sp);
        return st;
    }
    return cr_exp_close_tables((cr_csv *[]){pt, sp}, 2, err);
}

static void write_summary(const cr_data *D, cr_run *run, const mm_run *r, double gamma_final)
{
    const double ceiling = cr_mm_gamma_ceiling(r->mi.primal);
    cr_run_summary_int(run, "n", (long long)D->n);
    cr_run_summary_int(run, "d", (long long)D->d);
    cr_run_summary_int(run, "p", (long long)r->P->p);
    cr_run_summary_real(run, "P_star", r->mi.primal);
    cr_run_summary_real(run, "D_star", r->mi.dual);
    cr_run_summary_real(run, "gap", r->mi.gap);
    cr_run_summary_real(run, "dual_norm_lambda_star", r->dn_star);
    cr_run_summary_int(run, "optimal_neurons", (long long)r->m_opt);
    cr_run_summary_real(run, "P_sub", r->si.primal);
    cr_run_summary_int(run, "patterns_used", (long long)r->I->p);
    cr_run_summary_real(run, "gamma_gd", r->gamma_gd);
    cr_run_summary_int(run, "flow_steps", r->flow_steps);
    cr_run_summary_real(run, "gamma_final", gamma_final);
    cr_run_summary_real(run, "gamma_ceiling", ceiling);
    cr_run_summary_real(run, "gamma_ratio", gamma_final / ceiling);
    cr_run_summary_real(run, "dual_norm_gd", r->dn_gd);
    cr_run_summary_real(run, "kkt_c", r->ki.c);
    cr_run_summary_real(run, "kkt_residual", r->ki.resid);
    cr_run_summary_int(run, "kkt_kinks", (long long)r->ki.kinks);
    cr_run_summary_real(run, "kkt_ytlambda", r->ki.ytlambda);
    cr_run_summary_real(run, "kkt_half_norm2", r->ki.half_norm2);
    cr_run_summary_real(run, "cos_pos", r->cos_pos);
    cr_run_summary_real(run, "cos_neg", r->cos_neg);
    cr_run_summary_int(run, "covering_plus", r->iplus == (size_t)-1 ? 0 : (long long)r->iplus + 1);
    cr_run_summary_int(run, "covering_minus", r->iminus == (size_t)-1 ? 0 : (long long)r->iminus + 1);
}

static void write_claims(cr_run *run, const mm_run *r, double gamma_final, double max_ratio, double worst_drop)
{
    const double pstar = r->mi.primal, ceiling = cr_mm_gamma_ceiling(pstar);
    cr_run_claim(run, "D* = P* (certified, relative 1e-6)", r->mi.dual, pstar, 1e-6, CR_CLAIM_REL);
    cr_run_claim(run, "optimal lambda* has dual norm <= 1 + 1e-6", r->dn_star, 1, 1e-6, CR_CLAIM_LE);
    cr_run_claim(run, "reconstructed optimal network has margin min y_i f_i = 1", r->rec_margin, 1, 1e-9,
                 CR_CLAIM_REL);
    cr_run_claim(run, "reconstructed optimal network has 1/2||theta||^2 = P*", r->rec_half, pstar, 1e-9,
                 CR_CLAIM_REL);
    cr_run_claim(run, "P_sub over gradient descent's final patterns = P* (relative 1e-6)", r->si.primal, pstar, 1e-6,
                 CR_CLAIM_REL);
    cr_run_claim(run, "normalized margin gamma 2P* >= 1 - 1e-3 at the end", gamma_final / ceiling, 1 - 1e-3, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "gamma(t) <= 1 / 2P* at every logged step (max ratio)", max_ratio, 1, 1e-9, CR_CLAIM_LE);
    cr_run_claim(run, "gamma nondecreasing over the second half (largest relative drop)", worst_drop, 0, 1e-9,
                 CR_CLAIM_LE);
    /* Slide "KKT point": gradient descent's multipliers at its (global) KKT point are dual feasible; evidence only at
     * a small KKT residual (above it, measured is undefined and the claim fails). */
    cr_run_claim(run, "KKT point: gradient descent's multipliers have dual norm <= 1 (tolerance 2 x KKT residual, "
                      "residual <= 0.01)",
                 r->ki.resid <= KKT_RESID ? r->dn_gd : NAN, 1, DUAL_PER_RESID * r->ki.resid, CR_CLAIM_LE);
    cr_run_claim(run, "Proposition: covering neurons i+ and i- exist (count)",
                 (double)((r->iplus != (size_t)-1) + (r->iminus != (size_t)-1)), 2, 0, CR_CLAIM_ABS);
}

int cr_exp_maxmargin(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    mm_run r = {0};
    mm_ctx ctx = {0};
    int st = alloc_run(cfg, D, &r, err);
    if (!st) st = solve_optimum(cfg, D, run, &r, err);
    if (!st) st = trace_training(cfg, D, run, &r, &ctx, err);
    if (!st) st = measure_end_point(cfg, D, &r, err);
    if (!st) st = write_recheck(D, run, &r, err);
    if (!st) {
        /* gamma nondecreasing over the second half of training: the largest relative drop between logged
         * iterates with t >= T/2. */
        const double worst_drop = cr_relerr_max_drop(ctx.gam, ctx.iters, ctx.ngam, cfg->train.iters / 2);
        const cr_net *net = r.net;
        const double gamma_final = cr_mm_gamma(D->X, D->y, D->n, D->d, net->W1, net->w2, net->m);
        write_summary(D, run, &r, gamma_final);
        write_claims(run, &r, gamma_final, ctx.max_ratio, worst_drop);
    }
    if (ctx.trace) cr_csv_abort(ctx.trace);
    free(ctx.gam);
    free(ctx.iters);
    mm_run_free(&r);
    return st;
}
