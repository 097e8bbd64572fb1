/* Slides "Implicit regularization for homogeneous network" through "Proposition": on orthogonally separable
 * data, gradient descent on the logistic loss (no weight decay, small balanced initialization) converges in
 * direction to a global max-margin network. Measured: P* and its dual D* (certified), the normalized margin
 * gamma(t) against its ceiling 1/(2 P*), the KKT multipliers fitted along the way and their dual norm, the
 * subsampled program P_sub over the final neurons' patterns, and the Proposition's covering neurons. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "convex.h"
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

int cr_exp_maxmargin(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    cr_patterns *P = NULL, *I = NULL;
    cr_mm_work *mw = NULL, *mws = NULL;
    cr_kkt_work *kw = NULL;
    cr_dualnorm_work *dw = NULL;
    cr_net *net = NULL;
    double *U = NULL, *Up = NULL, *lam = NULL, *W1 = NULL, *w2 = NULL, *Us = NULL, *Ups = NULL, *lamfit = NULL;
    mm_ctx ctx = {0};
    int st = CR_OK;
    if ((st = cr_exp_patterns(cfg, D, &P, err))) goto done;
    const size_t p = P->p;
    mw = cr_mm_alloc(n, d, p);
    kw = cr_kkt_alloc(n, d, (size_t)cfg->train.width > 2 * p ? (size_t)cfg->train.width : 2 * p);
    dw = cr_dualnorm_alloc(n, d);
    U = calloc(p * d, sizeof *U), Up = calloc(p * d, sizeof *Up), lam = calloc(n, sizeof *lam);
    lamfit = calloc(n, sizeof *lamfit);
    W1 = calloc(d * 2 * p, sizeof *W1), w2 = calloc(2 * p, sizeof *w2);
    if (!mw || !kw || !dw || !U || !Up || !lam || !lamfit || !W1 || !w2) {
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
    const cr_convex_sol pt = {p, d, U, Up};
    if ((st = cr_convex_to_network(&pt, W1, w2, 2 * p, &m_opt, err))) goto done;
    /* W1 was written as d x (2p); the evaluation wants d x m_opt. */
    for (size_t k = 1; k < d; k++)
        for (size_t j = 0; j < m_opt; j++) W1[k * m_opt + j] = W1[k * 2 * p + j];
    double rec_margin, rec_half;
    cr_mm_network_eval(D->X, D->y, n, d, W1, w2, m_opt, &rec_margin, &rec_half);
    const double pstar = mi.primal, ceiling = cr_mm_gamma_ceiling(pstar);

    /* Gradient descent on the logistic loss, beta = 0, from a small balanced initialization. */
    ctx.D = D;
    ctx.P = P;
    ctx.kw = kw;
    ctx.lambda = lamfit;
    ctx.ceiling = ceiling;
    ctx.next = 1;
    ctx.last = cfg->train.iters;
    ctx.trace = cr_run_table(run, "trace.csv", "iter,loss,norm_theta,gamma,gamma_ratio,dual_norm_fit", err);
    if (!ctx.trace) {
        st = CR_ERUNTIME;
        goto done;
    }
    cr_train_info ti;
    /* Every step reaches the callback, which records at geometric steps (the figures use a log axis). */
    cr_config gd = *cfg;
    gd.train.log_every = 1;
    st = cr_exp_train(&gd, D, (size_t)cfg->train.width, 1, log_margin, &ctx, &net, &ti, err);
    if (!st) {
        st = cr_csv_close(ctx.trace, err);
        ctx.trace = NULL;
    }
    if (st) goto done;

    /* The end point: KKT fit, P_sub over the final neurons' patterns, covering neurons, alignment. */
    cr_kkt_info ki;
    if ((st = cr_kkt_fit(kw, D->X, D->y, n, d, net->W1, net->w2, net->m, P, lamfit, &ki, err))) goto done;
    if ((st = cr_kkt_patterns(D->X, n, d, net->W1, net->w2, net->m, &I, err))) goto done;
    mws = cr_mm_alloc(n, d, I->p);
    Us = calloc(I->p * d, sizeof *Us), Ups = calloc(I->p * d, sizeof *Ups);
    if (!mws || !Us || !Ups) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    cr_mm_info si;
    if ((st = cr_exp_mm_solve(cfg, mws, D, I, Us, Ups, NULL, &si, "P_sub", err))) goto done;
    size_t iplus, iminus;
    cr_kkt_covering(D->X, D->y, n, d, net->W1, net->w2, net->m, &iplus, &iminus);
    double *cosj = calloc(net->m, sizeof *cosj);
    if (!cosj) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    cr_kkt_alignment(D->X, D->y, n, d, net->W1, net->w2, net->m, cosj);
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
    const double gamma_final = ctx.ngam ? ctx.gam[ctx.ngam - 1] : NAN;
    double max_ratio = -INFINITY;
    for (size_t k = 0; k < ctx.ngam; k++)
        if (ctx.gam[k] / ceiling > max_ratio) max_ratio = ctx.gam[k] / ceiling;

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
    cr_run_summary_real(run, "gamma_final", gamma_final);
    cr_run_summary_real(run, "gamma_ceiling", ceiling);
    cr_run_summary_real(run, "gamma_ratio", gamma_final / ceiling);
    cr_run_summary_real(run, "dual_norm_gd", ki.dualnorm);
    cr_run_summary_real(run, "kkt_c", ki.c);
    cr_run_summary_real(run, "kkt_residual", ki.resid);
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
    cr_run_claim(run, "normalized margin gamma / (1 / 2P*) >= 0.95 at the end", gamma_final / ceiling, 0.95, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "gamma(t) <= 1 / 2P* at every logged step (max ratio)", max_ratio, 1, 1e-9, CR_CLAIM_LE);
    cr_run_claim(run, "gamma nondecreasing over the second half (largest relative drop)", worst_drop, 0, 1e-9,
                 CR_CLAIM_LE);
    cr_run_claim(run, "fitted KKT lambda has dual norm <= 1.05", ki.dualnorm, 1.05, 0, CR_CLAIM_LE);
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
    cr_kkt_free(kw);
    cr_dualnorm_free(dw);
    free(U), free(Up), free(lam), free(lamfit), free(W1), free(w2), free(Us), free(Ups);
    return st;
}
