/* Slide "Characterization of Clarke stationary point": for networks trained to a small gradient norm,
 * L_beta(theta) equals the optimum p_sub(I) of the convex program restricted to the patterns I of its neurons;
 * and p_sub(I) >= p_convex for every I (up to the certified gap). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "experiments.h"
#include "progress.h"

/* The pattern set I of a network: 1(X w1_j >= 0) of every neuron with w1_j != 0 and w2_j != 0. */
static int network_patterns(const cr_data *D, const cr_net *net, cr_patterns **out, cr_err *err)
{
    cr_patterns *I = cr_patterns_alloc(D->n, net->m);
    char *buf = malloc(D->n + 1);
    uint64_t *mask = calloc((D->n + 63) / 64 + 1, sizeof *mask);
    int st = (!I || !buf || !mask) ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_OK;
    for (size_t j = 0; !st && j < net->m; j++) {
        double nrm = 0.0;
        for (size_t k = 0; k < D->d; k++) nrm += fabs(net->W1[k * net->m + j]);
        if (nrm == 0.0 || net->w2[j] == 0.0) continue;
        cr_exp_neuron_pattern(D, net, j, buf);
        memset(mask, 0, ((D->n + 63) / 64) * sizeof *mask);
        for (size_t i = 0; i < D->n; i++)
            if (buf[i] == '1') mask[i / 64] |= 1ull << (i % 64);
        st = cr_patterns_add(I, mask, err);
    }
    free(buf);
    free(mask);
    if (st) {
        cr_patterns_free(I);
        return st;
    }
    *out = I;
    return CR_OK;
}

int cr_exp_stationary(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    cr_patterns *P = NULL;
    cr_convex_sol *sol = NULL;
    cr_convex_info info;
    cr_csv *tab = NULL;
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (!st) st = cr_exp_convex_solve(cfg, D, P, &sol, &info, err);
    if (st) goto done;
    const double p_convex = info.primal;
    tab = cr_run_table(run, "networks.csv",
                       "m,seed,L_beta,p_sub,p_sub_gap,patterns_used,grad_norm,iterations,stationary", err);
    if (!tab) {
        st = CR_ERUNTIME;
        goto done;
    }
    const double gtol = cfg->train.grad_tol > 0 ? cfg->train.grad_tol : 1e-6;
    double worst_rel = 0, min_psub_margin = INFINITY;
    long nstat = 0, nets = 0;
    const size_t maxw = cfg->width_sweep.max_width > 0 ? (size_t)cfg->width_sweep.max_width : (size_t)cfg->train.width;
    cr_progress *prog = cr_progress_start("stationary points", (double)(maxw * (size_t)cfg->train.seeds),
                                          !cr_run_quiet(run));
    for (size_t m = 1; !st && m <= maxw; m++) {
        for (long s = 1; !st && s <= cfg->train.seeds; s++) {
            cr_net *net = NULL;
            cr_patterns *I = NULL;
            cr_convex_sol *sub = NULL;
            cr_convex_info si;
            cr_train_info ti;
            st = cr_exp_train(cfg, D, m, s, NULL, NULL, &net, &ti, err);
            if (!st) st = network_patterns(D, net, &I, err);
            if (!st && I->p == 0) {
                /* Every neuron died: theta = 0 is stationary and p_sub of the empty set is l(0, y). */
                cr_net_free(net);
                cr_patterns_free(I);
                continue;
            }
            if (!st) st = cr_exp_convex_solve(cfg, D, I, &sub, &si, err);
            if (st) {
                cr_err_prefix(err, "width %zu, seed %ld", m, s);
            } else {
                int stationary = ti.grad_norm <= gtol;
                double rel = fabs(ti.objective - si.primal) / fmax(1.0, fabs(si.primal));
                if (stationary) {
                    nstat++;
                    if (rel > worst_rel) worst_rel = rel;
                }
                double margin = si.primal - (p_convex - info.gap);
                if (margin < min_psub_margin) min_psub_margin = margin;
                nets++;
                cr_csv_int(tab, (long long)m);
                cr_csv_int(tab, s);
                cr_csv_real(tab, ti.objective);
                cr_csv_real(tab, si.primal);
                cr_csv_real(tab, si.gap);
                cr_csv_int(tab, (long long)I->p);
                cr_csv_real(tab, ti.grad_norm);
                cr_csv_int(tab, ti.iterations);
                cr_csv_int(tab, stationary);
                cr_csv_endrow(tab);
            }
            cr_convex_sol_free(sub);
            cr_patterns_free(I);
            cr_net_free(net);
            cr_progress_update(prog, (double)((m - 1) * (size_t)cfg->train.seeds + (size_t)s));
        }
    }
    cr_progress_finish(prog);
    if (st) goto done;
    st = cr_csv_close(tab, err);
    tab = NULL;
    if (st) goto done;
    cr_run_summary_int(run, "p", (long long)P->p);
    cr_run_summary_real(run, "p_convex", p_convex);
    cr_run_summary_real(run, "gap", info.gap);
    cr_run_summary_int(run, "networks", nets);
    cr_run_summary_int(run, "stationary_networks", nstat);
    cr_run_summary_real(run, "grad_tol", gtol);
    cr_run_summary_real(run, "max_rel_diff_stationary", worst_rel);
    cr_run_claim(run, "some trained networks reach a small gradient norm (count)", (double)nstat, 1, 0, CR_CLAIM_GE);
    cr_run_claim(run, "stationary networks: |L_beta - p_sub(I)| / |p_sub| <= 1e-4 (max)", worst_rel, 0, 1e-4,
                 CR_CLAIM_LE);
    cr_run_sanity(run, "p_sub(I) >= p_convex - gap for every network (min of p_sub - p_convex + gap)", min_psub_margin,
                 0, 0, CR_CLAIM_GE);
done:
    cr_csv_abort(tab);
    cr_convex_sol_free(sol);
    cr_patterns_free(P);
    return st;
}
