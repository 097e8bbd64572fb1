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

int cr_exp_maxmargin(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    cr_patterns *P = NULL, *I = NULL;
    cr_mm_work *mw = NULL, *mws = NULL;
    cr_kktc_work *cw = NULL;
    cr_mflow_work *fw = NULL;
    cr_dualnorm_work *dw = NULL;
    cr_net *net = NULL;
    double *U = NULL, *Up = NULL, *lam = NULL, *W1 = NULL, *w2 = NULL, *Us = NULL, *Ups = NULL, *lamfit = NULL;
    double *dir = NULL;
    mm_ctx ctx = {0};
    int st = CR_OK;
    if ((st = cr_exp_patterns(cfg, D, &P, err))) goto done;
    const size_t p = P->p;
    mw = cr_mm_alloc(n, d, p);
    const size_t m = (size_t)cfg->train.width;
    cw = cr_kktc_alloc(n, d, m);
    fw = cr_mflow_alloc(n, d, m);
    dw = cr_dualnorm_alloc(n, d);
    dir = calloc(n, sizeof *dir);
    U = calloc(p * d, sizeof *U), Up = calloc(p * d, sizeof *Up), lam = calloc(n, sizeof *lam);
    lamfit = calloc(n, sizeof *lamfit);
    W1 = calloc(d * 2 * p, sizeof *W1), w2 = calloc(2 * p, sizeof *w2);
    if (!mw || !cw || !fw || !dw || !dir || !U || !Up || !lam || !lamfit || !W1 || !w2) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    cr_mm_info mi;
    if ((st = cr_exp_mm_solve(cfg, mw, D, P, U, Up, lam, &mi, "P*", err))) goto done;
    cr_run_timing(run, "maxmargin_seconds", mi.seconds);
    double dn_star;
    size_t which;
    int sgn;
    if ((st = cr_dualnorm_over(dw, D->X, n, d, P, lam, CR_DUALNORM_ABS, &dn_star, NULL, &which, &sgn, err))) goto done;
    size_t m_opt = 0;
    const cr_convex_sol opt_view = {p, d, U, Up};
    if ((st = cr_convex_to_network(&opt_view, W1, w2, 2 * p, &m_opt, err))) goto done;
    /* W1 was written as d x (2p); the evaluation wants d x m_opt. */
    for (size_t k = 1; k < d; k++)
        for (size_t j = 0; j < m_opt; j++) W1[k * m_opt + j] = W1[k * 2 * p + j];
    double rec_margin, rec_half;
    cr_mm_network_eval(D->X, D->y, n, d, W1, w2, m_opt, &rec_margin, &rec_half);
    const double pstar = mi.primal, ceiling = cr_mm_gamma_ceiling(pstar);

    /* Gradient descent on the logistic loss, beta = 0, from a small balanced initialization. */
    ctx.D = D;
    ctx.P = P;
    ctx.cw = cw;
    ctx.dw = dw;
    ctx.dir = dir;
    ctx.lambda = lamfit;
    ctx.ceiling = ceiling;
    ctx.max_ratio = -INFINITY;
    ctx.next = 1;
    ctx.last = cfg->train.iters;
    ctx.trace = cr_run_table(run, "trace.csv",
                             "iter,phase,loss,log_loss,norm_theta,gamma,gamma_ratio,dual_norm_fit,kkt_residual", err);
    if (!ctx.trace) {
        st = CR_ERUNTIME;
        goto done;
    }
    cr_train_info ti;
    /* Every step reaches the callback, which records at geometric steps (the figures use a log axis). */
    cr_config gd = *cfg;
    gd.train.log_every = 1;
    st = cr_exp_train(&gd, D, m, 1, log_margin, &ctx, &net, &ti, err);
    if (st) goto done;
    const double gamma_gd = ctx.ngam ? ctx.gam[ctx.ngam - 1] : NAN;

    /* The loss-scaled descent (train.flow_target > 0, data separated): to min y f = train.flow_target in stages
     * that double the margin, a trace row after each, then the settling phases, and a last row. */
    cr_mflow_info fi = {0};
    long flow_steps = 0;
    if (cfg->train.flow_target > 0 && gamma_gd > 0) {
        cr_mflow_opts fo;
        cr_mflow_defaults(&fo);
        const double settle = (double)fo.settle_steps;
        fo.settle_levels = 0;
        double z = gamma_gd * cr_net_norm2(net);
        while (!st && z < cfg->train.flow_target && flow_steps < FLOW_MAX_STEPS) {
            fo.target = fmin(2 * z, cfg->train.flow_target);
            fo.steps = FLOW_MAX_STEPS - flow_steps;
            if ((st = cr_mflow_run(fw, net, D->X, D->y, n, &fo, &fi, err))) break;
            flow_steps += fi.steps;
            z = fi.min_yf;
            trace_row(&ctx, cfg->train.iters + flow_steps, "flow", exp(fi.log_loss), fi.log_loss, net);
        }
        if (!st && z >= cfg->train.flow_target) {
            cr_mflow_defaults(&fo);
            fo.steps = 0; /* the target is reached: only the settling phases run */
            fo.target = z;
            fo.settle_steps = (long)settle;
            if (!(st = cr_mflow_run(fw, net, D->X, D->y, n, &fo, &fi, err))) {
                flow_steps += fi.steps;
                trace_row(&ctx, cfg->train.iters + flow_steps, "settled", exp(fi.log_loss), fi.log_loss, net);
            }
        }
        if (st) goto done;
    }
    if ((st = cr_csv_close(ctx.trace, err))) goto done;
    ctx.trace = NULL;

    /* The end point: KKT fit, P_sub over the final neurons' patterns, covering neurons, alignment. */
    cr_kktc_info ki;
    cr_mflow_dir(D->X, D->y, n, d, net->W1, net->w2, net->m, dir);
    double dn_gd = NAN;
    if ((st = cr_kktc_fit(cw, D->X, D->y, n, d, net->W1, net->w2, net->m, dir, KINK_TAU, lamfit, &ki, err))) goto done;
    if ((st = cr_dualnorm_over(dw, D->X, n, d, P, lamfit, CR_DUALNORM_ABS, &dn_gd, NULL, NULL, NULL, err))) goto done;
    if ((st = cr_mm_kkt_patterns(D->X, n, d, net->W1, net->w2, net->m, &I, err))) goto done;
    mws = cr_mm_alloc(n, d, I->p);
    Us = calloc(I->p * d, sizeof *Us), Ups = calloc(I->p * d, sizeof *Ups);
    if (!mws || !Us || !Ups) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    cr_mm_info si;
    if ((st = cr_exp_mm_solve(cfg, mws, D, I, Us, Ups, NULL, &si, "P_sub", err))) goto done;
    /* The pattern sets of P* and P_sub and the data, for an independent recheck (run id 1: one data set). */
    {
        cr_csv *pt = cr_exp_patterns_used_open(run, err), *sp = pt ? cr_exp_samples_open(run, err) : NULL;
        if (!sp) {
            cr_csv_abort(pt);
            st = CR_ERUNTIME;
            goto done;
        }
        cr_exp_patterns_used_add(pt, 1, "P_star", mi.primal, P);
        cr_exp_patterns_used_add(pt, 1, "P_sub", si.primal, I);
        st = cr_exp_samples_add(sp, 1, D, err);
        if (!st) st = cr_csv_close(pt, err);
        else cr_csv_abort(pt);
        if (!st) st = cr_csv_close(sp, err);
        else cr_csv_abort(sp);
        if (st) goto done;
    }
    size_t iplus, iminus;
    cr_mm_kkt_covering(D->X, D->y, n, d, net->W1, net->w2, net->m, &iplus, &iminus);
    double *cosj = calloc(net->m, sizeof *cosj);
    if (!cosj) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    cr_mm_kkt_alignment(D->X, D->y, n, d, net->W1, net->w2, net->m, cosj);
    double cos_pos = -INFINITY, cos_neg = -INFINITY;
    for (size_t j = 0; j < net->m; j++) {
        if (!isfinite(cosj[j])) continue;
        if (net->w2[j] > 0 && cosj[j] > cos_pos) cos_pos = cosj[j];
        if (net->w2[j] < 0 && cosj[j] > cos_neg) cos_neg = cosj[j];
    }
    free(cosj);

    /* gamma nondecreasing over the second half of training: the largest relative drop between logged iterates
     * with t >= T/2. */
    double worst_drop = 0;
    for (size_t k = 1; k < ctx.ngam; k++) {
        if (ctx.iters[k - 1] < cfg->train.iters / 2) continue;
        double drop = (ctx.gam[k - 1] - ctx.gam[k]) / fabs(ctx.gam[k - 1]);
        if (drop > worst_drop) worst_drop = drop;
    }
    const double gamma_final = cr_mm_gamma(D->X, D->y, n, d, net->W1, net->w2, net->m);
    const double max_ratio = ctx.max_ratio;

    cr_run_summary_int(run, "n", (long long)n);
    cr_run_summary_int(run, "d", (long long)d);
    cr_run_summary_int(run, "p", (long long)p);
    cr_run_summary_real(run, "P_star", pstar);
    cr_run_summary_real(run, "D_star", mi.dual);
    cr_run_summary_real(run, "gap", mi.gap);
    cr_run_summary_real(run, "dual_norm_lambda_star", dn_star);
    cr_run_summary_int(run, "optimal_neurons", (long long)m_opt);
    cr_run_summary_real(run, "P_sub", si.primal);
    cr_run_summary_int(run, "patterns_used", (long long)I->p);
    cr_run_summary_real(run, "gamma_gd", gamma_gd);
    cr_run_summary_int(run, "flow_steps", flow_steps);
    cr_run_summary_real(run, "gamma_final", gamma_final);
    cr_run_summary_real(run, "gamma_ceiling", ceiling);
    cr_run_summary_real(run, "gamma_ratio", gamma_final / ceiling);
    cr_run_summary_real(run, "dual_norm_gd", dn_gd);
    cr_run_summary_real(run, "kkt_c", ki.c);
    cr_run_summary_real(run, "kkt_residual", ki.resid);
    cr_run_summary_int(run, "kkt_kinks", (long long)ki.kinks);
    cr_run_summary_real(run, "kkt_ytlambda", ki.ytlambda);
    cr_run_summary_real(run, "kkt_half_norm2", ki.half_norm2);
    cr_run_summary_real(run, "cos_pos", cos_pos);
    cr_run_summary_real(run, "cos_neg", cos_neg);
    cr_run_summary_int(run, "covering_plus", iplus == (size_t)-1 ? 0 : (long long)iplus + 1);
    cr_run_summary_int(run, "covering_minus", iminus == (size_t)-1 ? 0 : (long long)iminus + 1);

    cr_run_claim(run, "D* = P* (certified, relative 1e-6)", mi.dual, pstar, 1e-6, CR_CLAIM_REL);
    cr_run_claim(run, "optimal lambda* has dual norm <= 1 + 1e-6", dn_star, 1, 1e-6, CR_CLAIM_LE);
    cr_run_claim(run, "reconstructed optimal network has margin min y_i f_i = 1", rec_margin, 1, 1e-9, CR_CLAIM_REL);
    cr_run_claim(run, "reconstructed optimal network has 1/2||theta||^2 = P*", rec_half, pstar, 1e-9, CR_CLAIM_REL);
    cr_run_claim(run, "P_sub over gradient descent's final patterns = P* (relative 1e-6)", si.primal, pstar, 1e-6,
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
                 ki.resid <= KKT_RESID ? dn_gd : NAN, 1, DUAL_PER_RESID * ki.resid, CR_CLAIM_LE);
    cr_run_claim(run, "Proposition: covering neurons i+ and i- exist (count)",
                 (double)((iplus != (size_t)-1) + (iminus != (size_t)-1)), 2, 0, CR_CLAIM_ABS);
done:
    if (ctx.trace) cr_csv_abort(ctx.trace);
    free(ctx.gam);
    free(ctx.iters);
    cr_net_free(net);
    cr_patterns_free(P);
    cr_patterns_free(I);
    cr_mm_free(mw);
    cr_mm_free(mws);
    cr_kktc_free(cw);
    cr_mflow_free(fw);
    cr_dualnorm_free(dw);
    free(dir);
    free(U), free(Up), free(lam), free(lamfit), free(W1), free(w2), free(Us), free(Ups);
    return st;
}
