/* Slide "Characterization of Clarke stationary point": for networks trained to a small gradient norm,
 * L_beta(theta) equals the optimum p_sub(I) of the convex program restricted to the patterns I of its neurons;
 * and p_sub(I) >= p_convex for every I (up to the certified gap). */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "experiments.h"
#include "progress.h"
#include "relerr.h"

/* 1 when neuron j takes part in the network: w1_j != 0 and w2_j != 0. */
static int neuron_live(const cr_net *net, size_t j)
{
    if (net->w2[j] == 0.0) return 0;
    for (size_t k = 0; k < net->d; k++)
        if (net->W1[k * net->m + j] != 0.0) return 1;
    return 0;
}

/* The pattern set I of a network: the closed pattern of every live neuron, deduplicated, in neuron order (the set
 * of cr_kkt_patterns, unsorted: the p_sub solve takes the patterns in the order the neurons give them). */
static int network_patterns(const cr_data *D, const cr_net *net, cr_patterns **out, cr_err *err)
{
    cr_patterns *I = cr_patterns_alloc(D->n, net->m);
    uint64_t *mask = calloc((D->n + 63) / 64 + 1, sizeof *mask);
    int st = (!I || !mask) ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_OK;
    for (size_t j = 0; !st && j < net->m; j++) {
        if (!neuron_live(net, j)) continue;
        cr_patterns_direction(D->X, D->n, D->d, net->W1 + j, net->m, mask);
        st = cr_patterns_add(I, mask, err);
    }
    free(mask);
    if (st) {
        cr_patterns_free(I);
        return st;
    }
    *out = I;
    return CR_OK;
}

/* What the steps share: the convex optimum, the table and the running values of the claims. */
typedef struct {
    const cr_config *cfg;
    const cr_data *D;
    cr_patterns *P;
    cr_convex_info info; /* of p_convex over P */
    double gtol;         /* gradient norm at or below which a network counts as stationary */
    cr_csv *tab;
    double worst_rel, min_psub_margin;
    long nstat, nets;
} st_state;

/* One network of width m from seed, its pattern set I and p_sub(I); a network whose neurons all died (theta = 0 is
 * stationary and p_sub of the empty set is l(0, y)) is skipped. */
static int one_network(st_state *s, size_t m, long seed, cr_err *err)
{
    const cr_data *D = s->D;
    cr_net *net = NULL;
    cr_patterns *I = NULL;
    cr_convex_sol *sub = NULL;
    cr_convex_info si;
    cr_train_info ti;
    int st = cr_exp_train(s->cfg, D, m, seed, NULL, NULL, &net, &ti, err);
    if (!st) st = network_patterns(D, net, &I, err);
    if (!st && I->p > 0) st = cr_exp_convex_solve(s->cfg, D, I, &sub, &si, err);
    if (st) {
        cr_err_prefix(err, "width %zu, seed %ld", m, seed);
    } else if (I->p > 0) {
        const int stationary = ti.grad_norm <= s->gtol;
        const double rel = fabs(cr_relerr(ti.objective, si.primal));
        if (stationary) {
            s->nstat++;
            if (rel > s->worst_rel) s->worst_rel = rel;
        }
        const double margin = si.primal - (s->info.primal - s->info.gap);
        if (margin < s->min_psub_margin) s->min_psub_margin = margin;
        s->nets++;
        cr_csv_int(s->tab, (long long)m);
        cr_csv_int(s->tab, seed);
        cr_csv_real(s->tab, ti.objective);
        cr_csv_real(s->tab, si.primal);
        cr_csv_real(s->tab, si.gap);
        cr_csv_int(s->tab, (long long)I->p);
        cr_csv_real(s->tab, ti.grad_norm);
        cr_csv_int(s->tab, ti.iterations);
        cr_csv_int(s->tab, stationary);
        cr_csv_endrow(s->tab);
    }
    cr_convex_sol_free(sub);
    cr_patterns_free(I);
    cr_net_free(net);
    return st;
}

/* Every width 1..max_width (train.width when 0), every seed; closes the table. */
static int networks(st_state *s, cr_run *run, cr_err *err)
{
    const cr_config *cfg = s->cfg;
    const size_t maxw = cfg->width_sweep.max_width > 0 ? (size_t)cfg->width_sweep.max_width : (size_t)cfg->train.width;
    const size_t seeds = (size_t)cfg->train.seeds;
    int st = CR_OK;
    cr_progress *prog = cr_progress_start("stationary points", (double)(maxw * seeds), !cr_run_quiet(run));
    for (size_t m = 1; !st && m <= maxw; m++)
        for (long seed = 1; !st && seed <= (long)seeds; seed++) {
            st = one_network(s, m, seed, err);
            cr_progress_update(prog, (double)((m - 1) * seeds + (size_t)seed));
        }
    cr_progress_finish(prog);
    if (!st) {
        st = cr_csv_close(s->tab, err);
        s->tab = NULL;
    }
    return st;
}

static void report(const st_state *s, cr_run *run)
{
    cr_run_summary_int(run, "p", (long long)s->P->p);
    cr_run_summary_real(run, "p_convex", s->info.primal);
    cr_run_summary_real(run, "gap", s->info.gap);
    cr_run_summary_int(run, "networks", s->nets);
    cr_run_summary_int(run, "stationary_networks", s->nstat);
    cr_run_summary_real(run, "grad_tol", s->gtol);
    cr_run_summary_real(run, "max_rel_diff_stationary", s->worst_rel);
    cr_run_claim(run, "some trained networks reach a small gradient norm (count)", (double)s->nstat, 1, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "stationary networks: |L_beta - p_sub(I)| / |p_sub| <= 1e-4 (max)", s->worst_rel, 0, 1e-4,
                 CR_CLAIM_LE);
    cr_run_sanity(run, "p_sub(I) >= p_convex - gap for every network (min of p_sub - p_convex + gap)",
                  s->min_psub_margin, 0, 0, CR_CLAIM_GE);
}

int cr_exp_stationary(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    st_state s = {.cfg = cfg, .D = D, .min_psub_margin = INFINITY};
    s.gtol = cfg->train.grad_tol > 0 ? cfg->train.grad_tol : 1e-6;
    cr_convex_sol *sol = NULL;
    int st = cr_exp_patterns(cfg, D, &s.P, err);
    if (!st) st = cr_exp_convex_solve(cfg, D, s.P, &sol, &s.info, err);
    cr_convex_sol_free(sol);
    if (!st) {
        s.tab = cr_run_table(run, "networks.csv",
                             "m,seed,L_beta,p_sub,p_sub_gap,patterns_used,grad_norm,iterations,stationary", err);
        if (!s.tab) st = CR_ERUNTIME;
    }
    if (!st) st = networks(&s, run, err);
    if (!st) report(&s, run);
    cr_csv_abort(s.tab);
    cr_patterns_free(s.P);
    return st;
}
