/* Slides "Convex optimization formulation" and "All global optima": solve p_convex over the arrangement
 * patterns, reduce the support to at most n + 1 blocks (m*), reconstruct the network and check that it
 * attains p_convex, and that permuting and splitting neurons leave L_beta unchanged. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "experiments.h"

/* L_beta of a network through the trainer's evaluator (BLAS path, independent of the convex module). */
static int net_objective(const cr_config *cfg, const cr_data *D, const cr_net *net, double *L, cr_err *err)
{
    cr_net_work *w = cr_net_work_alloc(D->n, D->d, net->m);
    if (!w) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_net_obj obj = {.loss = cfg->loss, .beta = cfg->beta, .loss_weight = 1.0};
    cr_net_eval ev;
    int st = cr_net_objective(net, D->X, D->y, D->n, &obj, w, NULL, &ev);
    cr_net_work_free(w);
    *L = ev.objective;
    return st;
}

static int write_neurons(cr_run *run, const cr_data *D, const cr_net *net, cr_err *err)
{
    char header[4096] = "neuron,sign,pattern";
    size_t len = strlen(header);
    for (size_t k = 0; k < D->d && len + 32 < sizeof header; k++)
        len += (size_t)snprintf(header + len, sizeof header - len, ",w1_%zu", k + 1);
    snprintf(header + len, sizeof header - len, ",w2");
    cr_csv *c = cr_run_table(run, "neurons.csv", header, err);
    char *pat = malloc(D->n + 1);
    uint64_t *mask = malloc(((D->n + 63) / 64) * sizeof *mask);
    if (!c || !pat || !mask) {
        cr_csv_abort(c);
        free(pat);
        free(mask);
        return c ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_ERUNTIME;
    }
    for (size_t j = 0; j < net->m; j++) {
        cr_patterns_direction(D->X, D->n, D->d, net->W1 + j, net->m, mask);
        cr_csv_int(c, (long long)j + 1);
        cr_csv_int(c, net->w2[j] >= 0 ? 1 : -1);
        cr_exp_csv_mask(c, mask, D->n, pat);
        for (size_t k = 0; k < D->d; k++) cr_csv_real(c, net->W1[k * net->m + j]);
        cr_csv_real(c, net->w2[j]);
        cr_csv_endrow(c);
    }
    free(pat);
    free(mask);
    return cr_csv_close(c, err);
}

/* The invariances of L_beta checked on the reconstruction: reversing the neuron order, and splitting neuron 1 into
 * three with weights a = (0.2, 0.3, 0.5) (w -> sqrt(a_k) w for both layers keeps f and the penalty). */
static int invariances(const cr_config *cfg, const cr_data *D, const cr_net *net, double *L_perm, double *L_split,
                       cr_err *err)
{
    static const double a[3] = {0.2, 0.3, 0.5};
    cr_net *perm = cr_net_alloc(D->d, net->m), *split = cr_net_alloc(D->d, net->m + 2);
    int st = (!perm || !split) ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_OK;
    if (!st && (cr_net_reverse(net, perm) || cr_net_split(net, 0, a, 3, split)))
        st = cr_err_set(err, CR_ERUNTIME, "network shapes do not match");
    if (!st) st = net_objective(cfg, D, perm, L_perm, err);
    if (!st) st = net_objective(cfg, D, split, L_split, err);
    cr_net_free(perm);
    cr_net_free(split);
    return st;
}

typedef struct {
    cr_convex_info info;
    double before, p_convex, violation; /* objective before and after the support reduction; cone violation */
    size_t nnz_before, mstar;
    double L_rec, L_perm, L_split;      /* L_beta of the reconstruction and of its two transforms */
} cv_result;

static void report(const cr_config *cfg, const cr_data *D, const cr_patterns *P, const cv_result *r, cr_run *run)
{
    cr_run_summary_str(run, "loss", cr_loss_name(cfg->loss));
    cr_run_summary_real(run, "beta", cfg->beta);
    cr_run_summary_int(run, "n", (long long)D->n);
    cr_run_summary_int(run, "d", (long long)D->d);
    cr_run_summary_int(run, "p", (long long)P->p);
    cr_run_summary_real(run, "p_convex", r->p_convex);
    cr_run_summary_real(run, "dual_value", r->info.dual);
    cr_run_summary_real(run, "gap", r->info.gap);
    cr_run_summary_real(run, "rel_gap", r->info.rel_gap);
    cr_run_summary_int(run, "blocks_before_reduction", (long long)r->nnz_before);
    cr_run_summary_int(run, "m_star", (long long)r->mstar);
    cr_run_summary_real(run, "reconstruction_objective", r->L_rec);
    cr_run_summary_int(run, "iterations", r->info.iterations);
    cr_run_summary_real(run, "cone_violation", r->violation);

    /* No claim here: every row below holds by construction when the code is right (the solve stops only at a
     * certified gap, the reconstruction is exact on the cones, permuting and splitting are identities, and m* is
     * far below n + 1), so they are sanity checks. The slides' statements that use p_convex are tested by
     * width_sweep, optimal_set and stationary. */
    cr_run_sanity(run, "certified relative duality gap <= solver.tol", r->info.rel_gap, cfg->solver.tol, 0,
                  CR_CLAIM_LE);
    cr_run_sanity(run, "cone constraints hold at the solution (max relative violation)", r->violation, 0, 1e-12,
                  CR_CLAIM_LE);
    cr_run_sanity(run, "support reduction keeps the objective", r->p_convex, r->before, 1e-9, CR_CLAIM_REL);
    cr_run_sanity(run, "m* <= n + 1", (double)r->mstar, (double)D->n + 1, 0, CR_CLAIM_LE);
    cr_run_sanity(run, "L_beta(reconstruction) = p_convex", r->L_rec, r->p_convex, 1e-9, CR_CLAIM_REL);
    cr_run_sanity(run, "permuting neurons leaves L_beta unchanged", r->L_perm, r->L_rec, 1e-12, CR_CLAIM_REL);
    cr_run_sanity(run, "splitting a neuron (sqrt(a_k) w, sum a_k = 1) leaves L_beta unchanged", r->L_split, r->L_rec,
                  1e-12, CR_CLAIM_REL);
}

/* p_convex (its solve time recorded), its support reduced to m* <= n + 1 blocks, and the cone violation of the
 * reduced solution. */
static int solve_reduce(const cr_config *cfg, const cr_data *D, const cr_patterns *P, cr_run *run,
                        cr_convex_sol **sol, cv_result *r, cr_err *err)
{
    int st = cr_exp_convex_solve(cfg, D, P, sol, &r->info, err);
    if (st) return st;
    cr_run_timing(run, "solve_seconds", r->info.seconds);
    r->before = cr_convex_objective(D->X, D->y, D->n, D->d, P, cfg->loss, cfg->beta, *sol, NULL);
    r->nnz_before = cr_convex_sol_nnz(*sol);
    if ((st = cr_convex_reduce_support(D->X, D->n, D->d, P, *sol, &r->mstar, err))) return st;
    r->p_convex = cr_convex_objective(D->X, D->y, D->n, D->d, P, cfg->loss, cfg->beta, *sol, NULL);
    r->violation = cr_convex_cone_violation(D->X, D->n, D->d, P, *sol);
    return CR_OK;
}

int cr_exp_convex(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    cr_patterns *P = NULL;
    cr_convex_sol *sol = NULL;
    cr_net *net = NULL;
    cv_result r = {0};
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (!st) st = solve_reduce(cfg, D, P, run, &sol, &r, err);
    if (!st && !(net = cr_net_alloc(D->d, r.mstar ? r.mstar : 1))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    size_t m = 0;
    if (!st) st = cr_convex_to_network(sol, net->W1, net->w2, net->m, &m, err);
    if (!st) st = net_objective(cfg, D, net, &r.L_rec, err);
    if (!st) st = write_neurons(run, D, net, err);
    if (!st) st = invariances(cfg, D, net, &r.L_perm, &r.L_split, err);
    if (!st) report(cfg, D, P, &r, run);
    cr_net_free(net);
    cr_convex_sol_free(sol);
    cr_patterns_free(P);
    return st;
}
