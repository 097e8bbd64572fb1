/* Slide "Theorem ... cos angle >= 1 - delta" (directional convergence, Wang and Pilanci), for any data set: from a
 * small balanced initialization, gradient descent on the logistic loss turns some neuron of each sign s towards
 * s X'D(w1_j) y, D strict: cos_j(t) = cos angle(w1_j(t), s X'D(w1_j(t)) y) reaches 1 - delta, in the early phase,
 * while ||w1_j|| is still of the order of the initialization scale (docs/MATH.md, Early alignment).
 * The run at train.scale logs every neuron's trajectory (w1hat_j, (X w1hat_j)_+, cos_j, ||w1_j|| / scale: the
 * slides' pictures when n = d = 2). The early-alignment study (alignment.seeds > 0) takes one data set per seed
 * (its own Gaussian draw for data.kind gaussian) and tests two claims: that cos >= 1 - delta is attainable at all
 * on it, A_s >= 1 - delta for both signs (align.h: an exact certificate over every pattern, independent of any
 * training), and that where it is, gradient descent from the smallest of alignment.scales has a neuron of each
 * sign reach it with ||w1_j|| <= alignment.norm_ratio * scale. scales.csv shows how the second degrades as the
 * scale grows (a finding, not a claim). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "common.h"
#include "experiments.h"
#include "mm_kkt.h"
#include "progress.h"
#include "rng.h"

typedef struct {
    const cr_data *D;
    cr_align *al;
    cr_csv *traj;  /* NULL: no trajectory table */
    double *cosj;  /* m, for the trajectory table */
    double scale;  /* the initialization scale, for the norm ratio */
    long next, last;
} al_ctx;

/* Every iterate is observed (the first step with cos_j >= 1 - delta is exact); the trajectory table records t = 0,
 * then about 40 steps per decade, and the last step. */
static int log_alignment(void *vctx, const cr_train_row *row, const cr_net *net)
{
    al_ctx *c = vctx;
    const cr_data *D = c->D;
    const size_t m = net->m, d = D->d, n = D->n;
    cr_align_observe(c->al, row->iter, D->X, D->y, n, d, net->W1, net->w2);
    if (!c->traj || (row->iter < c->next && row->iter != c->last)) return 0;
    long step = (long)ceil((double)c->next * 0.0593); /* about 40 records per decade; t = 0 first */
    c->next += step > 0 ? step : 1;
    cr_mm_kkt_alignment(D->X, D->y, n, d, net->W1, net->w2, m, c->cosj);
    for (size_t j = 0; j < m; j++) {
        double nrm, w1hat[2], zplus[2];
        cr_align_picture(D->X, n, d, net->W1, m, j, &nrm, w1hat, zplus);
        cr_csv_int(c->traj, row->iter);
        cr_csv_int(c->traj, (long long)j + 1);
        cr_csv_int(c->traj, net->w2[j] >= 0 ? 1 : -1);
        cr_csv_real(c->traj, nrm);
        cr_csv_real(c->traj, fabs(net->w2[j]));
        /* w1hat (first two coordinates: the pictures are for d = 2) and (X w1hat)_+ (first two samples). */
        for (size_t k = 0; k < 2; k++) cr_csv_real(c->traj, w1hat[k]);
        for (size_t i = 0; i < 2; i++) cr_csv_real(c->traj, zplus[i]);
        if (isfinite(c->cosj[j])) cr_csv_real(c->traj, c->cosj[j]);
        else cr_csv_str(c->traj, "");
        cr_csv_real(c->traj, nrm / c->scale);
        cr_csv_endrow(c->traj);
    }
    return 0;
}

/* The data set of study seed s: with data.kind gaussian, its own draw (the config's n, d, labels, noise and planted
 * width, stream "alignment/data/<s>" of the config's seed), so that the study ranges over data sets as well as
 * initializations; any other kind is one data set, the config's (*own = NULL). */
static int study_data(const cr_config *cfg, const cr_data *D, long s, cr_data **own, const cr_data **use, cr_err *err)
{
    *own = NULL;
    *use = D;
    if (cfg->data.kind != CR_CONFIG_DATA_GAUSSIAN) return CR_OK;
    char purpose[64];
    snprintf(purpose, sizeof purpose, "alignment/data/%ld", s);
    gsl_rng *rng = cr_rng_stream(cfg->seed, purpose);
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = cr_data_gaussian((size_t)cfg->data.n, (size_t)cfg->data.d, (size_t)cfg->data.planted_width,
                              cfg->data.noise, cfg->data.labels, rng, own, err);
    gsl_rng_free(rng);
    if (st) return st;
    *use = *own;
    return CR_OK;
}

/* A number, or an empty cell when it does not exist. */
static void real_or_empty(cr_csv *c, double v)
{
    if (isfinite(v)) cr_csv_real(c, v);
    else cr_csv_str(c, "");
}

/* Per scale of the study: runs where some neuron of sign +1 / -1 / both reached cos_j >= 1 - delta at all, and
 * in the early phase (norm ratio <= alignment.norm_ratio), and the same over the runs whose data set attains it. */
typedef struct {
    long reached[3], early[3]; /* [0] s = +1, [1] s = -1, [2] both */
    long early_attainable;     /* runs on an attaining data set with early[2] */
    long at_start;             /* neurons aligned already at t = 0 (left out) */
} al_count;

/* The data sets of the study, one per seed (or the config's for all), and the certificate A_s of each. */
typedef struct {
    cr_data **own;      /* seeds: the study's own data sets (NULL entries: the config's) */
    double *A;          /* 2 per seed: A_+1, A_-1 */
    int *attains;       /* per seed: A_+1 and A_-1 >= 1 - delta */
    int *general;       /* per seed: X in general position (A_s exact) */
    long distinct;      /* data sets: seeds, or 1 when every seed uses the config's */
    long attaining;     /* of those, how many attain it for both signs */
} al_sets;

static void sets_free(al_sets *S, long seeds)
{
    for (long s = 0; S->own && s < seeds; s++) cr_data_free(S->own[s]);
    free(S->own);
    free(S->A);
    free(S->attains);
    free(S->general);
}

/* Builds the data sets and their certificates; writes datasets.csv. */
static int study_sets(const cr_config *cfg, const cr_data *D, cr_run *run, al_sets *S, cr_err *err)
{
    const long seeds = cfg->alignment.seeds;
    const double delta = cfg->alignment.delta;
    S->own = calloc((size_t)seeds, sizeof *S->own);
    S->A = calloc(2 * (size_t)seeds, sizeof *S->A);
    S->attains = calloc((size_t)seeds, sizeof *S->attains);
    S->general = calloc((size_t)seeds, sizeof *S->general);
    if (!S->own || !S->A || !S->attains || !S->general) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_csv *c = cr_run_table(run, "datasets.csv",
                             "seed,n,d,positives,patterns,attainable_pos,attainable_neg,attains", err);
    if (!c) return CR_ERUNTIME;
    int st = CR_OK;
    S->distinct = S->attaining = 0;
    for (long s = 1; !st && s <= seeds; s++) {
        const cr_data *Ds = D;
        st = study_data(cfg, D, s, &S->own[s - 1], &Ds, err);
        if (st) break;
        if (s > 1 && !S->own[s - 1]) { /* the config's data set again: same certificate */
            S->A[2 * (s - 1)] = S->A[0], S->A[2 * (s - 1) + 1] = S->A[1], S->attains[s - 1] = S->attains[0];
            S->general[s - 1] = S->general[0];
            continue;
        }
        cr_patterns *P = NULL;
        st = cr_patterns_enumerate(Ds->X, Ds->n, Ds->d, &P, err);
        for (int g = 0; !st && g < 2; g++)
            st = cr_align_attainable(Ds->X, Ds->y, Ds->n, Ds->d, P, g == 0 ? 1 : -1, &S->A[2 * (s - 1) + g], NULL,
                                     err);
        if (st) {
            cr_patterns_free(P);
            cr_err_prefix(err, "data set of seed %ld", s);
            break;
        }
        S->attains[s - 1] = S->A[2 * (s - 1)] >= 1 - delta && S->A[2 * (s - 1) + 1] >= 1 - delta;
        S->general[s - 1] = cr_patterns_general_position(Ds->X, Ds->n, Ds->d) == 1;
        S->distinct++;
        S->attaining += S->attains[s - 1];
        long pos = 0;
        for (size_t i = 0; i < Ds->n; i++) pos += Ds->y[i] > 0;
        cr_csv_int(c, s);
        cr_csv_int(c, (long long)Ds->n);
        cr_csv_int(c, (long long)Ds->d);
        cr_csv_int(c, pos);
        cr_csv_int(c, (long long)P->p);
        cr_csv_real(c, S->A[2 * (s - 1)]);
        cr_csv_real(c, S->A[2 * (s - 1) + 1]);
        cr_csv_int(c, S->attains[s - 1]);
        cr_csv_endrow(c);
        cr_patterns_free(P);
    }
    if (st) {
        cr_csv_abort(c);
        return st;
    }
    return cr_csv_close(c, err);
}

/* The run at train.scale, with trajectories.csv: the best cos_j per sign into best (NaN when none). */
static int trajectory_run(const cr_config *cfg, const cr_data *D, cr_run *run, double best[2], cr_err *err)
{
    const size_t m = (size_t)cfg->train.width;
    double *cosj = calloc(m, sizeof *cosj);
    cr_align *al = cosj ? cr_align_alloc(m, cfg->alignment.delta, cfg->train.scale) : NULL;
    cr_csv *traj = NULL;
    cr_net *net = NULL;
    cr_train_info ti;
    int st = al ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st && !(traj = cr_run_table(run, "trajectories.csv",
                                     "iter,neuron,sign,norm_w1,abs_w2,w1hat_1,w1hat_2,z1,z2,cos,norm_ratio", err)))
        st = CR_ERUNTIME;
    cr_config gd = *cfg;
    gd.train.log_every = 1; /* the callback observes every step */
    al_ctx ctx = {.D = D, .al = al, .traj = traj, .cosj = cosj, .scale = cfg->train.scale, .next = 0,
                  .last = cfg->train.iters};
    if (!st) st = cr_exp_train(&gd, D, m, 1, log_alignment, &ctx, &net, &ti, err);
    cr_net_free(net);
    if (!st) {
        st = cr_csv_close(traj, err);
        traj = NULL;
    }
    if (!st) cr_align_best(al, best, NULL);
    cr_csv_abort(traj);
    cr_align_free(al);
    free(cosj);
    return st;
}

/* The study's tables and tallies, filled run by run. */
typedef struct {
    cr_csv *early, *runs;
    al_count *cnt; /* per scale */
    long beyond;   /* runs x signs beyond their data set's certificate (a bug if any) */
    long flipped;  /* neurons whose w2_j changed sign before aligning, over every run */
} al_study;

/* early.csv: one row per neuron of the run (scale, seed s). */
static void write_early_rows(cr_csv *early, const cr_align *al, size_t m, double scale, long s)
{
    for (size_t j = 0; j < m; j++) {
        cr_align_neuron q;
        cr_align_get(al, j, &q);
        cr_csv_real(early, scale);
        cr_csv_int(early, s);
        cr_csv_int(early, (long long)j + 1);
        cr_csv_int(early, q.sign);
        real_or_empty(early, q.cos0);
        if (q.first >= 0) cr_csv_int(early, q.first);
        else cr_csv_str(early, "");
        real_or_empty(early, q.ratio);
        real_or_empty(early, q.best);
        cr_csv_endrow(early);
    }
}

/* Counts the run (scale k, seed s) into the study and writes its runs.csv row. */
static void tally_run(const cr_config *cfg, const cr_align *al, const al_sets *sets, size_t k, long s, al_study *S)
{
    const double delta = cfg->alignment.delta, R = cfg->alignment.norm_ratio, scale = cfg->alignment.scales.v[k];
    al_count *c = &S->cnt[k];
    double ratio[2], best[2];
    int hit[2], ok[2];
    size_t start_total = 0, flipped = 0;
    cr_align_best(al, best, &flipped);
    for (int g = 0; g < 2; g++) {
        size_t reached, start;
        cr_align_sign(al, g == 0 ? 1 : -1, &reached, &ratio[g], &start);
        hit[g] = reached > 0;
        ok[g] = hit[g] && ratio[g] <= R;
        c->reached[g] += hit[g];
        c->early[g] += ok[g];
        start_total += start;
        /* The certificate bounds every direction: reaching 1 - delta beyond it is a bug (general position:
         * the certificate is exact there). */
        if (hit[g] && sets->general[s - 1] && sets->A[2 * (s - 1) + g] < 1 - delta) S->beyond++;
    }
    S->flipped += (long)flipped;
    c->reached[2] += hit[0] && hit[1];
    c->early[2] += ok[0] && ok[1];
    c->early_attainable += ok[0] && ok[1] && sets->attains[s - 1];
    c->at_start += (long)start_total;
    cr_csv_real(S->runs, scale);
    cr_csv_int(S->runs, s);
    cr_csv_int(S->runs, sets->attains[s - 1]);
    real_or_empty(S->runs, ratio[0]);
    real_or_empty(S->runs, ratio[1]);
    cr_csv_int(S->runs, ok[0]);
    cr_csv_int(S->runs, ok[1]);
    cr_csv_int(S->runs, (long long)start_total);
    cr_csv_int(S->runs, (long long)flipped);
    cr_csv_endrow(S->runs);
}

/* One run of the study: initialization stream init/s at alignment.scales[k], on seed s's data set. */
static int study_run(const cr_config *cfg, const cr_data *D, const al_sets *sets, size_t k, long s, al_study *S,
                     cr_err *err)
{
    const size_t m = (size_t)cfg->train.width;
    cr_config gd = *cfg;
    gd.train.log_every = 1;
    gd.train.scale = cfg->alignment.scales.v[k];
    cr_align *al = cr_align_alloc(m, cfg->alignment.delta, gd.train.scale);
    if (!al) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    const cr_data *Ds = sets->own[s - 1] ? sets->own[s - 1] : D;
    al_ctx sctx = {.D = Ds, .al = al, .scale = gd.train.scale};
    cr_net *net = NULL;
    cr_train_info ti;
    int st = cr_exp_train(&gd, Ds, m, s, log_alignment, &sctx, &net, &ti, err);
    cr_net_free(net);
    if (st) {
        cr_err_prefix(err, "alignment.scales[%zu] = %g, seed %ld", k, gd.train.scale, s);
    } else {
        write_early_rows(S->early, al, m, gd.train.scale, s);
        tally_run(cfg, al, sets, k, s, S);
    }
    cr_align_free(al);
    return st;
}

/* The early-alignment study: alignment.seeds initializations (streams init/1.. of the config's seed, the same
 * directions at every scale) at each of the ns scales; early.csv and runs.csv. */
static int study_runs(const cr_config *cfg, const cr_data *D, cr_run *run, const al_sets *sets, size_t ns,
                      al_study *S, cr_err *err)
{
    const long seeds = cfg->alignment.seeds;
    int st = CR_OK;
    if (ns) {
        S->early = cr_run_table(run, "early.csv", "scale,seed,neuron,sign,cos0,first_iter,norm_ratio,best_cos", err);
        S->runs = cr_run_table(run, "runs.csv",
                               "scale,seed,attains,ratio_pos,ratio_neg,early_pos,early_neg,at_start,flipped", err);
        if (!S->early || !S->runs) st = CR_ERUNTIME;
    }
    cr_progress *prog = cr_progress_start("alignment study", (double)(ns * (size_t)(seeds > 0 ? seeds : 0)),
                                          !cr_run_quiet(run));
    for (size_t k = 0; !st && k < ns; k++)
        for (long s = 1; !st && s <= seeds; s++) {
            st = study_run(cfg, D, sets, k, s, S, err);
            cr_progress_update(prog, (double)(k * (size_t)seeds + (size_t)s));
        }
    cr_progress_finish(prog);
    if (!st && ns) {
        st = cr_exp_close_tables((cr_csv *[]){S->early, S->runs}, 2, err);
        S->early = S->runs = NULL;
    }
    cr_csv_abort(S->early);
    cr_csv_abort(S->runs);
    S->early = S->runs = NULL;
    return st;
}

/* scales.csv: the study's counts per scale. */
static int write_scales(const cr_config *cfg, cr_run *run, const al_count *cnt, size_t ns, long attaining_runs,
                        cr_err *err)
{
    cr_csv *sc = cr_run_table(run, "scales.csv",
                              "scale,seeds,early_pos,early_neg,early_both,reached_pos,reached_neg,"
                              "reached_both,attaining,early_both_attaining,fraction_early_attaining,at_start",
                              err);
    if (!sc) return CR_ERUNTIME;
    for (size_t k = 0; k < ns; k++) {
        cr_csv_real(sc, cfg->alignment.scales.v[k]);
        cr_csv_int(sc, cfg->alignment.seeds);
        for (int g = 0; g < 3; g++) cr_csv_int(sc, cnt[k].early[g]);
        for (int g = 0; g < 3; g++) cr_csv_int(sc, cnt[k].reached[g]);
        cr_csv_int(sc, attaining_runs);
        cr_csv_int(sc, cnt[k].early_attainable);
        if (attaining_runs) cr_csv_real(sc, (double)cnt[k].early_attainable / (double)attaining_runs);
        else cr_csv_str(sc, "");
        cr_csv_int(sc, cnt[k].at_start);
        cr_csv_endrow(sc);
    }
    return cr_csv_close(sc, err);
}

/* The summary of the trajectory run. */
static void trajectory_summary(const cr_config *cfg, cr_run *run, const double best[2])
{
    cr_run_summary_real(run, "delta", cfg->alignment.delta);
    cr_run_summary_real(run, "norm_ratio_bound", cfg->alignment.norm_ratio);
    cr_run_summary_real(run, "scale", cfg->train.scale);
    /* The best cosine per sign of the trajectory run (every neuron, t = 0 included). */
    if (isfinite(best[0])) cr_run_summary_real(run, "cos_pos", best[0]);
    else cr_run_summary_none(run, "cos_pos");
    if (isfinite(best[1])) cr_run_summary_real(run, "cos_neg", best[1]);
    else cr_run_summary_none(run, "cos_neg");
    cr_run_summary_int(run, "seeds", cfg->alignment.seeds);
}

/* The study's summary, its sanity check and the two claims. */
static void study_claims(const cr_config *cfg, cr_run *run, const al_sets *sets, const al_study *S, size_t ns,
                         long attaining_runs)
{
    const al_count *cnt = S->cnt;
    const cr_reallist *sv = &cfg->alignment.scales;
    size_t lo = 0, hi = 0;
    for (size_t k = 0; k < ns; k++) {
        if (sv->v[k] < sv->v[lo]) lo = k;
        if (sv->v[k] > sv->v[hi]) hi = k;
    }
    long at_start = 0;
    for (size_t k = 0; k < ns; k++) at_start += cnt[k].at_start;
    double amin[2] = {INFINITY, INFINITY};
    for (long s = 0; s < cfg->alignment.seeds; s++)
        for (int g = 0; g < 2; g++) amin[g] = fmin(amin[g], sets->A[2 * s + g]);
    cr_run_summary_int(run, "data_sets", sets->distinct);
    cr_run_summary_int(run, "data_sets_attaining", sets->attaining);
    cr_run_summary_real(run, "min_attainable_pos", amin[0]);
    cr_run_summary_real(run, "min_attainable_neg", amin[1]);
    cr_run_summary_int(run, "runs_attaining", attaining_runs);
    cr_run_summary_real(run, "smallest_scale", sv->v[lo]);
    cr_run_summary_int(run, "early_both_smallest_scale", cnt[lo].early[2]);
    cr_run_summary_int(run, "early_both_attaining_smallest_scale", cnt[lo].early_attainable);
    cr_run_summary_real(run, "largest_scale", sv->v[hi]);
    cr_run_summary_int(run, "early_both_attaining_largest_scale", cnt[hi].early_attainable);
    cr_run_summary_int(run, "neurons_aligned_at_start", at_start);
    cr_run_summary_int(run, "neurons_sign_flipped", S->flipped);
    cr_run_sanity(run, "no run reaches cos >= 1 - delta for a sign its data set's certificate A_s rules out "
                       "(runs x signs)",
                  (double)S->beyond, 0, 0, CR_CLAIM_ABS);
    /* The slide's statement is for any data set: first, whether its conclusion can hold at all on each data
     * set (an exact certificate over every pattern, no training); then, where it can, whether gradient
     * descent from the smallest scale gets there in the early phase, for both signs. */
    cr_run_claim(run, "[Theorem, cos >= 1 - delta] any data set: cos >= 1 - delta is attainable for s = +1 and -1, "
                      "max_u cos(u, s X'D(u) y) >= 1 - delta (data sets)",
                 (double)sets->attaining, (double)sets->distinct, 0, CR_CLAIM_ABS);
    cr_run_claim(run, "[Theorem, cos >= 1 - delta] smallest scale: a neuron of each sign s reaches cos >= 1 - delta "
                      "while ||w1_j|| <= norm_ratio * scale (runs, of those on a data set that attains it)",
                 (double)cnt[lo].early_attainable, (double)attaining_runs, 0, CR_CLAIM_ABS);
}

int cr_exp_alignment(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t ns = cfg->alignment.seeds > 0 ? cfg->alignment.scales.len : 0;
    const long seeds = cfg->alignment.seeds;
    al_study S = {.cnt = calloc(ns ? ns : 1, sizeof *S.cnt)};
    al_sets sets = {0};
    double best[2] = {NAN, NAN}; /* best cos_j per sign over the trajectory run */
    int st = S.cnt ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st && D->n == 2 && D->d == 2) st = cr_exp_write_circle(run, D, err);
    if (!st) st = trajectory_run(cfg, D, run, best, err);
    /* The early-alignment study: the data sets and their certificates, then the runs. */
    if (!st && ns) st = study_sets(cfg, D, run, &sets, err);
    if (!st) st = study_runs(cfg, D, run, &sets, ns, &S, err);
    long attaining_runs = 0;
    for (long s = 1; !st && ns && s <= seeds; s++) attaining_runs += sets.attains[s - 1];
    if (!st && ns) st = write_scales(cfg, run, S.cnt, ns, attaining_runs, err);
    if (!st) trajectory_summary(cfg, run, best);
    if (!st && ns) study_claims(cfg, run, &sets, &S, ns, attaining_runs);
    sets_free(&sets, ns ? seeds : 0);
    free(S.cnt);
    return st;
}
