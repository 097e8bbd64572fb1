/* Slide "Future work": generalization of the global optima. On real data with a test set, for the squared and the
 * logistic loss and each beta of generalization.betas: the convex optimum over one set of sampled patterns, its
 * support reduced and reconstructed as a network (docs/MATH.md, Reconstruction), against gradient-descent networks
 * of the widths generalization.widths (train.*, seeds 1..train.seeds). Per model: the training objective L_beta,
 * train and test classification error, MSE and logistic loss (src/metrics.h), active neurons; wall and CPU seconds
 * to the solution go to manifest.yaml (timings), keyed by the row of results.csv, never to a CSV. The slide states
 * no result to test: the run records sanity checks only (docs/experiments/generalization.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "experiments.h"
#include "holdout.h"
#include "metrics.h"
#include "progress.h"
#include "timer.h"

typedef struct {
    cr_csv *results, *weights, *pred;
    long row;             /* rows of results.csv written */
    double worst_recon;   /* max |L_beta(reconstruction) - p_convex| / max(1, |p_convex|) */
    double worst_rel_gap; /* max certified relative gap */
    double worst_gd;      /* max |L_beta(network) - trainer's final objective| / max(1, |objective|) */
    double best_test[2][2];  /* [loss][convex, gd]: lowest test error */
    double best_beta[2][2];  /* the beta of it (first in path order) */
} gen_state;

/* f on the n rows of X (zeros without neurons). */
static int predict(const cr_net *net, const double *X, size_t n, double *f, cr_err *err)
{
    if (!net) {
        for (size_t i = 0; i < n; i++) f[i] = 0;
        return CR_OK;
    }
    cr_net_work *w = cr_net_work_alloc(n, net->d, net->m);
    if (!w) return cr_err_set(err, CR_ERUNTIME, "out of memory for a forward pass of %zu rows", n);
    int st = cr_net_forward(net, X, n, w, f);
    cr_net_work_free(w);
    return st ? cr_err_set(err, CR_ERUNTIME, "forward pass failed") : CR_OK;
}

/* One model's row of results.csv, its weights and test predictions, its timings; objective L_beta from the forward
 * pass. */
static int record(gen_state *g, cr_run *run, const cr_data *D, cr_loss_kind loss, double beta, const char *model,
                  long width, long seed, const cr_net *net, double p_convex, double gap, long iterations,
                  double wall, double cpu, double active_tol, double *objective, cr_err *err)
{
    const cr_data *T = D->test;
    double *f = malloc((D->n + T->n) * sizeof *f);
    if (!f) return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu predictions", D->n + T->n);
    double *ft = f + D->n;
    int st = predict(net, D->X, D->n, f, err);
    if (!st) st = predict(net, T->X, T->n, ft, err);
    if (st) {
        free(f);
        return st;
    }
    cr_metrics tr, te;
    cr_metrics_compute(f, D->y, D->n, &tr);
    cr_metrics_compute(ft, T->y, T->n, &te);
    *objective = cr_loss_value(loss, f, D->y, D->n) + 0.5 * beta * (net ? cr_net_norm2(net) : 0.0);
    const long row = ++g->row;
    cr_csv *r = g->results;
    cr_csv_int(r, row);
    cr_csv_str(r, cr_loss_name(loss));
    cr_csv_real(r, beta);
    cr_csv_str(r, model);
    cr_csv_int(r, width);
    cr_csv_int(r, seed);
    cr_csv_int(r, net ? (long long)net->m : 0);
    cr_csv_int(r, (long long)cr_net_active(net, active_tol));
    cr_csv_real(r, *objective);
    if (isnan(p_convex)) cr_csv_str(r, ""); /* a gd row: no convex value */
    else cr_csv_real(r, p_convex);
    if (isnan(gap)) cr_csv_str(r, "");
    else cr_csv_real(r, gap);
    cr_csv_real(r, 1.0 - tr.accuracy);
    cr_csv_real(r, 1.0 - te.accuracy);
    cr_csv_real(r, tr.mse);
    cr_csv_real(r, te.mse);
    cr_csv_real(r, tr.logistic_loss);
    cr_csv_real(r, te.logistic_loss);
    cr_csv_int(r, iterations);
    cr_csv_endrow(r);
    for (size_t j = 0; net && j < net->m; j++) {
        cr_csv_int(g->weights, row);
        cr_csv_int(g->weights, (long long)j + 1);
        cr_csv_real(g->weights, net->w2[j]);
        for (size_t k = 0; k < net->d; k++) cr_csv_real(g->weights, net->W1[k * net->m + j]);
        cr_csv_endrow(g->weights);
    }
    for (size_t i = 0; i < T->n; i++) {
        cr_csv_int(g->pred, row);
        cr_csv_int(g->pred, (long long)i + 1);
        cr_csv_real(g->pred, ft[i]);
        cr_csv_endrow(g->pred);
    }
    char key[64];
    snprintf(key, sizeof key, "row%ld_wall", row);
    cr_run_timing(run, key, wall);
    snprintf(key, sizeof key, "row%ld_cpu", row);
    cr_run_timing(run, key, cpu);
    const int li = loss == CR_LOSS_SQUARED ? 0 : 1, mi = width == 0 ? 0 : 1;
    if (1.0 - te.accuracy < g->best_test[li][mi]) {
        g->best_test[li][mi] = 1.0 - te.accuracy;
        g->best_beta[li][mi] = beta;
    }
    free(f);
    return CR_OK;
}

/* The convex optimum at (loss, beta) over P, reconstructed. */
static int convex_model(gen_state *g, const cr_config *c, const cr_data *D, const cr_patterns *P, cr_run *run,
                        cr_err *err)
{
    cr_convex_sol *sol = NULL;
    cr_convex_info info;
    cr_net *net = NULL;
    size_t mstar = 0, m = 0;
    const double w0 = cr_seconds(), c0 = cr_cpu_seconds();
    int st = cr_exp_convex_solve(c, D, P, &sol, &info, err);
    if (!st) st = cr_convex_reduce_support(D->X, D->n, D->d, P, sol, &mstar, err);
    if (!st && mstar && !(net = cr_net_alloc(D->d, mstar))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st && mstar) st = cr_convex_to_network(sol, net->W1, net->w2, mstar, &m, err);
    const double wall = cr_seconds() - w0, cpu = cr_cpu_seconds() - c0;
    if (!st) {
        const double p_convex = cr_convex_objective(D->X, D->y, D->n, D->d, P, c->loss, c->beta, sol, NULL);
        double obj = NAN;
        st = record(g, run, D, c->loss, c->beta, "convex", 0, 0, net, p_convex, info.gap, info.iterations, wall, cpu,
                    c->generalization.active_tol, &obj, err);
        if (!st) {
            g->worst_recon = fmax(g->worst_recon, fabs(obj - p_convex) / fmax(1.0, fabs(p_convex)));
            g->worst_rel_gap = fmax(g->worst_rel_gap, info.rel_gap);
        }
    }
    cr_net_free(net);
    cr_convex_sol_free(sol);
    return st;
}

static int gd_model(gen_state *g, const cr_config *c, const cr_data *D, long width, long seed, cr_run *run,
                    cr_err *err)
{
    cr_net *net = NULL;
    cr_train_info ti;
    const double w0 = cr_seconds(), c0 = cr_cpu_seconds();
    int st = cr_exp_train(c, D, (size_t)width, seed, NULL, NULL, &net, &ti, err);
    const double wall = cr_seconds() - w0, cpu = cr_cpu_seconds() - c0;
    if (st) {
        cr_err_prefix(err, "gd, width %ld, seed %ld", width, seed);
        return st;
    }
    double obj = NAN;
    st = record(g, run, D, c->loss, c->beta, "gd", width, seed, net, NAN, NAN, ti.iterations, wall, cpu,
                c->generalization.active_tol, &obj, err);
    if (!st) g->worst_gd = fmax(g->worst_gd, fabs(obj - ti.objective) / fmax(1.0, fabs(ti.objective)));
    cr_net_free(net);
    return st;
}

int cr_exp_generalization(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    if (!D->test) return cr_err_set(err, CR_ERUNTIME, "generalization: the data set has no test set");
    static const cr_loss_kind losses[2] = {CR_LOSS_SQUARED, CR_LOSS_LOGISTIC};
    gen_state g = {0};
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 2; k++) g.best_test[l][k] = INFINITY, g.best_beta[l][k] = NAN;
    cr_patterns *P = NULL;
    char *whead = NULL;
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (st) return st;
    const size_t hcap = 32 + 24 * D->d;
    if (!(whead = malloc(hcap))) {
        cr_patterns_free(P);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    size_t len = (size_t)snprintf(whead, hcap, "row,neuron,w2");
    for (size_t k = 0; k < D->d; k++) len += (size_t)snprintf(whead + len, hcap - len, ",w1_%zu", k + 1);
    g.results = cr_run_table(run, "results.csv",
                             "row,loss,beta,model,width,seed,neurons,active,objective,p_convex,gap,train_error,"
                             "test_error,train_mse,test_mse,train_logistic,test_logistic,iterations",
                             err);
    if (g.results) g.weights = cr_run_table(run, "weights.csv", whead, err);
    if (g.weights) g.pred = cr_run_table(run, "predictions.csv", "row,sample,f", err);
    free(whead);
    if (!g.pred) {
        st = CR_ERUNTIME;
        goto done;
    }
    const cr_reallist *betas = &cfg->generalization.betas;
    const cr_intlist *widths = &cfg->generalization.widths;
    const double total = 2.0 * (double)betas->len * (1.0 + (double)widths->len * (double)cfg->train.seeds);
    cr_progress *prog = cr_progress_start("generalization", total, !cr_run_quiet(run));
    double done_models = 0;
    for (int l = 0; !st && l < 2; l++)
        for (size_t b = 0; !st && b < betas->len; b++) {
            cr_config c = *cfg;
            c.loss = losses[l];
            c.beta = betas->v[b];
            st = convex_model(&g, &c, D, P, run, err);
            if (st) cr_err_prefix(err, "%s, beta %g, convex", cr_loss_name(c.loss), c.beta);
            cr_progress_update(prog, ++done_models);
            for (size_t w = 0; !st && w < widths->len; w++)
                for (long s = 1; !st && s <= cfg->train.seeds; s++) {
                    st = gd_model(&g, &c, D, widths->v[w], s, run, err);
                    if (st) cr_err_prefix(err, "%s, beta %g", cr_loss_name(c.loss), c.beta);
                    cr_progress_update(prog, ++done_models);
                }
        }
    cr_progress_finish(prog);
    if (st) goto done;
    /* cr_csv_close consumes its table, failed or not; the ones still open are aborted at done. */
    st = cr_csv_close(g.results, err);
    g.results = NULL;
    if (st) goto done;
    st = cr_csv_close(g.weights, err);
    g.weights = NULL;
    if (st) goto done;
    st = cr_csv_close(g.pred, err);
    g.pred = NULL;
    if (st) goto done;

    cr_run_summary_int(run, "n", (long long)D->n);
    cr_run_summary_int(run, "n_test", (long long)D->test->n);
    cr_run_summary_int(run, "d", (long long)D->d);
    cr_run_summary_int(run, "p", (long long)P->p);
    cr_run_summary_int(run, "models", g.row);
    static const char *const kind[2] = {"convex", "gd"};
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 2; k++) {
            char key[96];
            snprintf(key, sizeof key, "%s_%s_best_test_error", cr_loss_name(losses[l]), kind[k]);
            cr_run_summary_real(run, key, g.best_test[l][k]);
            snprintf(key, sizeof key, "%s_%s_best_beta", cr_loss_name(losses[l]), kind[k]);
            cr_run_summary_real(run, key, g.best_beta[l][k]);
        }
    cr_run_sanity(run, "convex: every certified relative duality gap <= solver.tol (max over losses and betas)",
                  g.worst_rel_gap, cfg->solver.tol, 0, CR_CLAIM_LE);
    cr_run_sanity(run, "convex: L_beta(reconstructed network) = p_convex (max relative difference over losses and "
                  "betas; docs/MATH.md, Reconstruction)", g.worst_recon, 0, 1e-9, CR_CLAIM_ABS);
    cr_run_sanity(run, "gd: L_beta(network) = the trainer's final objective (max relative difference)", g.worst_gd,
                  0, 1e-9, CR_CLAIM_ABS);
done:
    cr_csv_abort(g.results);
    cr_csv_abort(g.weights);
    cr_csv_abort(g.pred);
    cr_patterns_free(P);
    return st;
}
