/* The max-margin theorems over many data sets. Two families of data sets, separable.runs of each for every
 * (n, d) of separable.n x separable.d: orthogonally separable (slide "Theorem": gradient flow from a small scaled
 * initialization converges in direction to a global max-margin network) and linearly but not orthogonally
 * separable (beyond the slides, "Future work"). On each: P* over every pattern; gradient descent on the logistic
 * loss as configured (train.*), then, once the data are separated, the loss-scaled descent of marginflow.h (the
 * same gradient-flow path, steps eta / L) until min_i y_i f_i = train.flow_target, settled; the KKT multipliers of
 * the network gradient descent reached (lambda = c y_i sigma(-y_i f_i), fitted with the Clarke subdifferential at
 * the ReLU's kinks, kktclarke.h) with their residual and dual norm N(lambda) over every pattern; P_sub over the
 * final neurons' patterns; the normalized margin gamma 2 P*.
 * Claims: the Theorem (every orthogonally separable run reaches the global max margin) and the slide "KKT point"
 * (N(lambda) <= 1 exactly when the KKT point is a global max-margin network) on gradient descent's own multipliers, over the runs whose KKT residual
 * is at most separable.kkt_resid (the others are counted apart, never as evidence). The fraction of linearly
 * separable runs reaching the global max margin is reported, not claimed. Every P* and P_sub is written with its
 * pattern set (patterns_used.csv) and data (samples.csv) for an independent recheck. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "dualnorm.h"
#include "experiments.h"
#include "mm_kkt.h"
#include "kktclarke.h"
#include "marginflow.h"
#include "maxmargin.h"
#include "progress.h"
#include "rng.h"

/* P_sub = P* within this relative tolerance (both certified to solver.tol). */
#define PSUB_TOL 1e-6
/* Pre-activations within KINK_TAU ||x_i|| ||w1_j|| of 0 are at the ReLU's kink (Clarke: s_ij in [0, 1]). */
#define KINK_TAU 1e-4
/* The loss-scaled descent stops after this many steps if min_i y_i f_i has not reached train.flow_target. */
#define FLOW_MAX_STEPS 300000L
/* The dual-norm test of a run with KKT residual r: N(lambda) <= 1 + DUAL_PER_RESID r. The fitted lambda is within
 * O(r) of the multiplier of the KKT point and N is Lipschitz, so N(lambda) is known to within O(r); at a kink the
 * first-order term shows ((N - 1) / r up to about 1.1 on the global runs), at smooth points N - 1 is O(r^2). */
#define DUAL_PER_RESID 2.0
/* Linearly separable family: redraws until the data set is not orthogonally separable and has both classes. */
#define MAX_DRAWS 1000

enum { FAM_ORTH = 0, FAM_LIN = 1, NFAM = 2 };
static const char *const fam_name[NFAM] = {"orthsep", "linear"};

typedef struct {
    long runs, separated, reached, global, kkt_ok, above_bound;
    /* [N(lambda) > 1 + 2 r][outcome: 0 global, 1 P_sub = P* but the network itself not global, 2 P_sub > P*],
     * over the runs with KKT residual r <= R */
    long conf[2][3];
    double max_resid_ok;
} fam_stats;

typedef struct {
    cr_csv *runs, *pat, *samp;
} tables;

static int draw_data(const cr_config *cfg, int fam, size_t n, size_t d, long r, cr_data **out, cr_err *err)
{
    char purpose[96];
    snprintf(purpose, sizeof purpose, "separable/%s/n%zu/d%zu/%ld", fam_name[fam], n, d, r);
    gsl_rng *rng = cr_rng_stream(cfg->seed, purpose);
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st;
    if (fam == FAM_ORTH) {
        st = cr_data_orthsep(n, d, cfg->data.cone_deg, cfg->data.between_deg, rng, out, err);
    } else {
        st = CR_ERUNTIME;
        for (int a = 0; a < MAX_DRAWS; a++) {
            cr_data *D = NULL;
            if ((st = cr_data_gaussian(n, d, 1, 0, CR_LABELS_LINEAR, rng, &D, err))) break;
            size_t bi, bk;
            int pos = 0;
            for (size_t i = 0; i < n; i++) pos += D->y[i] > 0;
            if (pos > 0 && pos < (int)n && !cr_data_orthsep_check(D, &bi, &bk)) {
                *out = D;
                st = CR_OK;
                break;
            }
            cr_data_free(D);
            st = cr_err_set(err, CR_ERUNTIME, "no linearly but not orthogonally separable data set with both classes "
                                              "in %d draws (n = %zu, d = %zu)", MAX_DRAWS, n, d);
        }
    }
    gsl_rng_free(rng);
    return st;
}

static void empty_cells(cr_csv *t, int k)
{
    for (int i = 0; i < k; i++) cr_csv_str(t, "");
}

/* One run's workspaces and results. */
typedef struct {
    cr_data *D;
    cr_patterns *P, *I;
    cr_mm_work *mw;
    cr_net *net;
    cr_mflow_work *fw;
    cr_kktc_work *cw;
    cr_mm_kkt_work *kw;
    cr_dualnorm_work *dw;
    double *U, *Up, *dir, *lam;
    double pstar, psub, ratio, dn;
    cr_mflow_info fi;
    cr_kktc_info ci;   /* Clarke fit */
    cr_mm_kkt_info ki; /* strict fit */
} sep_run;

static void sep_run_free(sep_run *r)
{
    cr_data_free(r->D);
    cr_patterns_free(r->P);
    cr_patterns_free(r->I);
    cr_mm_free(r->mw);
    cr_net_free(r->net);
    cr_mflow_free(r->fw);
    cr_kktc_free(r->cw);
    cr_mm_kkt_free(r->kw);
    cr_dualnorm_free(r->dw);
    free(r->U), free(r->Up), free(r->dir), free(r->lam);
}

/* The patterns of the config, the workspaces, and P* over every pattern (written to patterns_used.csv). */
static int solve_pstar(const cr_config *cfg, long id, tables *tb, sep_run *r, cr_err *err)
{
    const cr_data *D = r->D;
    const size_t n = D->n, d = D->d, m = (size_t)cfg->train.width;
    int st = cr_exp_patterns(cfg, D, &r->P, err);
    if (st) return st;
    r->mw = cr_mm_alloc(n, d, r->P->p);
    r->U = calloc(r->P->p * d, sizeof *r->U), r->Up = calloc(r->P->p * d, sizeof *r->Up);
    r->dir = calloc(n, sizeof *r->dir), r->lam = calloc(n, sizeof *r->lam);
    r->fw = cr_mflow_alloc(n, d, m);
    r->cw = cr_kktc_alloc(n, d, m);
    r->kw = cr_mm_kkt_alloc(n, d, m);
    r->dw = cr_dualnorm_alloc(n, d);
    if (!r->mw || !r->U || !r->Up || !r->dir || !r->lam || !r->fw || !r->cw || !r->kw || !r->dw)
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_mm_info mi;
    if ((st = cr_exp_mm_solve(cfg, r->mw, D, r->P, r->U, r->Up, NULL, &mi, "P*", err))) return st;
    r->pstar = mi.primal;
    cr_exp_patterns_used_add(tb->pat, id, "P_star", r->pstar, r->P);
    return CR_OK;
}

/* Once the data are separated: the loss-scaled descent, gamma 2 P* at its end, and gradient descent's multipliers,
 * the Clarke fit (the residual the bound applies to) and the strict fit of mm_kkt.h beside it, both with the
 * direction y_i sigma(-y_i f_i) computed without underflow, and N(lambda) over every pattern. */
static int fit_multipliers(const cr_config *cfg, sep_run *r, cr_err *err)
{
    const cr_data *D = r->D;
    const size_t n = D->n, d = D->d, m = (size_t)cfg->train.width;
    const cr_net *net = r->net;
    cr_mflow_opts fo;
    cr_mflow_defaults(&fo);
    fo.target = cfg->train.flow_target;
    fo.steps = cfg->train.flow_target > 0 ? FLOW_MAX_STEPS : 0;
    int st = cr_mflow_run(r->fw, r->net, D->X, D->y, n, &fo, &r->fi, err);
    if (st) return st;
    r->ratio = cr_mm_gamma(D->X, D->y, n, d, net->W1, net->w2, net->m) / cr_mm_gamma_ceiling(r->pstar);
    cr_mflow_dir(D->X, D->y, n, d, net->W1, net->w2, m, r->dir);
    st = cr_kktc_fit(r->cw, D->X, D->y, n, d, net->W1, net->w2, m, r->dir, KINK_TAU, r->lam, &r->ci, err);
    if (!st) st = cr_mm_kkt_fit_dir(r->kw, D->X, D->y, n, d, net->W1, net->w2, m, r->dir, NULL, NULL, &r->ki, err);
    if (!st) st = cr_dualnorm_over(r->dw, D->X, n, d, r->P, r->lam, CR_DUALNORM_ABS, &r->dn, NULL, NULL, NULL, err);
    return st;
}

/* P_sub over the final neurons' patterns (written to patterns_used.csv); +inf when they cannot separate the data. */
static int solve_psub(const cr_config *cfg, long id, tables *tb, sep_run *r, cr_err *err)
{
    const cr_data *D = r->D;
    const size_t n = D->n, d = D->d;
    int st = cr_mm_kkt_patterns(D->X, n, d, r->net->W1, r->net->w2, r->net->m, &r->I, err);
    if (st) return st;
    cr_mm_free(r->mw);
    free(r->U), free(r->Up);
    r->mw = cr_mm_alloc(n, d, r->I->p);
    r->U = calloc(r->I->p * d, sizeof *r->U), r->Up = calloc(r->I->p * d, sizeof *r->Up);
    if (!r->mw || !r->U || !r->Up) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    cr_mm_info si;
    st = cr_exp_mm_solve(cfg, r->mw, D, r->I, r->U, r->Up, NULL, &si, "P_sub", err);
    if (st == CR_EINPUT && si.status == CR_MM_INFEASIBLE) {
        r->psub = INFINITY; /* the final patterns cannot separate the data: P_sub = +inf */
        return CR_OK;
    }
    if (st) return st;
    r->psub = si.primal;
    cr_exp_patterns_used_add(tb->pat, id, "P_sub", r->psub, r->I);
    return CR_OK;
}

/* The run's first cells of runs.csv: who it is and P*. */
static void row_head(cr_csv *t, int fam, long r_seed, long id, const sep_run *r)
{
    cr_csv_int(t, id);
    cr_csv_str(t, fam_name[fam]);
    cr_csv_int(t, (long long)r->D->n);
    cr_csv_int(t, (long long)r->D->d);
    cr_csv_int(t, r_seed);
    cr_csv_int(t, (long long)r->P->p);
    cr_csv_real(t, r->pstar);
}

/* Gradient descent did not separate the data (a sample no live neuron reaches): no KKT point to test; counted as not
 * reaching the global max margin. */
static void row_not_separated(cr_csv *t, double gamma, double pstar)
{
    cr_csv_int(t, 0);
    cr_csv_str(t, "");
    cr_csv_int(t, 0);
    if (isfinite(gamma)) cr_csv_real(t, gamma / cr_mm_gamma_ceiling(pstar));
    else cr_csv_str(t, "");
    cr_csv_int(t, 0);
    empty_cells(t, 8);
    cr_csv_endrow(t);
}

/* Classifies a separated run (reached P_sub = P*, global, KKT residual small, dual feasible), counts it into fs and
 * finishes its runs.csv row. */
static void tally_separated(const cr_config *cfg, cr_csv *t, const sep_run *r, fam_stats *fs)
{
    const int reached = fabs(r->psub - r->pstar) <= PSUB_TOL * r->pstar;
    const int global = reached && r->ratio >= 1 - cfg->separable.margin_tol;
    const int ok = r->ci.resid <= cfg->separable.kkt_resid, feasible = r->dn <= 1 + DUAL_PER_RESID * r->ci.resid;
    fs->reached += reached;
    fs->global += global;
    if (ok) {
        fs->kkt_ok++;
        fs->conf[!feasible][global ? 0 : reached ? 1 : 2]++;
        if (r->ci.resid > fs->max_resid_ok) fs->max_resid_ok = r->ci.resid;
    } else {
        fs->above_bound++;
    }
    cr_csv_int(t, 1);
    if (isfinite(r->psub)) cr_csv_real(t, r->psub);
    else cr_csv_str(t, "inf");
    cr_csv_int(t, reached);
    cr_csv_real(t, r->ratio);
    cr_csv_int(t, global);
    cr_csv_real(t, r->fi.min_yf);
    cr_csv_int(t, r->fi.steps);
    cr_csv_real(t, r->ci.resid);
    cr_csv_real(t, r->ki.resid);
    cr_csv_int(t, (long long)r->ci.kinks);
    cr_csv_real(t, r->dn);
    cr_csv_int(t, ok);
    cr_csv_int(t, feasible);
    cr_csv_endrow(t);
}

static int one_run(const cr_config *cfg, int fam, size_t n, size_t d, long r_seed, long id, tables *tb,
                   fam_stats *fs, cr_err *err)
{
    sep_run r = {0};
    int st = draw_data(cfg, fam, n, d, r_seed, &r.D, err);
    if (!st) st = cr_exp_samples_add(tb->samp, id, r.D, err);
    if (!st) st = solve_pstar(cfg, id, tb, &r, err);
    if (st) goto done;
    fs->runs++;
    cr_train_info ti;
    if ((st = cr_exp_train(cfg, r.D, (size_t)cfg->train.width, id, NULL, NULL, &r.net, &ti, err))) goto done;
    row_head(tb->runs, fam, r_seed, id, &r);
    const double gamma = cr_mm_gamma(r.D->X, r.D->y, n, d, r.net->W1, r.net->w2, r.net->m);
    if (!(gamma > 0)) {
        row_not_separated(tb->runs, gamma, r.pstar);
        goto done;
    }
    fs->separated++;
    if (!(st = fit_multipliers(cfg, &r, err)) && !(st = solve_psub(cfg, id, tb, &r, err)))
        tally_separated(cfg, tb->runs, &r, fs);
done:
    sep_run_free(&r);
    return st;
}

static int write_confusion(cr_run *run, const fam_stats *fs, cr_err *err)
{
    cr_csv *c = cr_run_table(run, "confusion.csv", "family,dual_norm,outcome,runs", err);
    if (!c) return CR_ERUNTIME;
    static const char *const dn[2] = {"<= 1 + 2r", "> 1 + 2r"},
                      *const ps[3] = {"global", "P_sub = P* not global", "P_sub > P*"};
    for (int f = 0; f <= NFAM; f++)
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++) {
                long v = f < NFAM ? fs[f].conf[a][b] : fs[0].conf[a][b] + fs[1].conf[a][b];
                cr_csv_str(c, f < NFAM ? fam_name[f] : "all");
                cr_csv_str(c, dn[a]);
                cr_csv_str(c, ps[b]);
                cr_csv_int(c, v);
                cr_csv_endrow(c);
            }
    return cr_csv_close(c, err);
}

static void write_summary(const cr_config *cfg, cr_run *run, const fam_stats *fs)
{
    const double R = cfg->separable.kkt_resid;
    for (int f = 0; f < NFAM; f++) {
        char key[96];
#define KEY(s) (snprintf(key, sizeof key, "%s_%s", fam_name[f], s), key)
        cr_run_summary_int(run, KEY("runs"), fs[f].runs);
        cr_run_summary_int(run, KEY("separated"), fs[f].separated);
        cr_run_summary_int(run, KEY("reached_P_sub_eq_P_star"), fs[f].reached);
        cr_run_summary_int(run, KEY("global_max_margin"), fs[f].global);
        cr_run_summary_real(run, KEY("fraction_global"), fs[f].runs ? (double)fs[f].global / (double)fs[f].runs : 0);
        cr_run_summary_int(run, KEY("kkt_residual_ok"), fs[f].kkt_ok);
        cr_run_summary_int(run, KEY("kkt_residual_above_bound"), fs[f].above_bound);
        if (fs[f].kkt_ok) cr_run_summary_real(run, KEY("max_kkt_residual_counted"), fs[f].max_resid_ok);
        else cr_run_summary_none(run, KEY("max_kkt_residual_counted"));
        cr_run_summary_int(run, KEY("dual_le_and_global"), fs[f].conf[0][0]);
        cr_run_summary_int(run, KEY("dual_le_and_P_sub_eq_not_global"), fs[f].conf[0][1]);
        cr_run_summary_int(run, KEY("dual_le_and_P_sub_gt"), fs[f].conf[0][2]);
        cr_run_summary_int(run, KEY("dual_gt_and_global"), fs[f].conf[1][0]);
        cr_run_summary_int(run, KEY("dual_gt_and_P_sub_eq_not_global"), fs[f].conf[1][1]);
        cr_run_summary_int(run, KEY("dual_gt_and_P_sub_gt"), fs[f].conf[1][2]);
#undef KEY
    }
    cr_run_summary_real(run, "kkt_residual_bound", R);
    cr_run_summary_real(run, "dual_norm_tolerance_per_residual", DUAL_PER_RESID);
    cr_run_summary_real(run, "margin_tolerance", cfg->separable.margin_tol);
    cr_run_summary_real(run, "p_sub_tolerance", PSUB_TOL);
    cr_run_summary_real(run, "kink_tolerance", KINK_TAU);

}

/* The Theorem and the slide "KKT point". */
static void write_claims(cr_run *run, const fam_stats *fs)
{
    /* The Theorem, as the slide states it: every orthogonally separable data set, every run. */
    cr_run_claim(run, "Theorem (orthogonally separable data, small scaled initialization): gradient descent reaches "
                      "the global max margin, P_sub = P* and gamma 2P* >= 1 - margin_tol (runs)",
                 (double)fs[FAM_ORTH].global, (double)fs[FAM_ORTH].runs, 0, CR_CLAIM_GE);
    /* The "iff" on gradient descent's own multipliers, over both families, counted only where the KKT residual is
     * small; no such run means nothing was tested (NaN fails). Its other side is the slide's: the KKT point
     * corresponds to a convex KKT point, i.e. is a global max-margin network (gamma 2 P* = 1; then P_sub = P*
     * too). P_sub = P* alone is weaker: the patterns of a spurious KKT point can carry the optimum. */
    const long ok = fs[0].kkt_ok + fs[1].kkt_ok;
    long held = 0;
    for (int f = 0; f < NFAM; f++) held += fs[f].conf[0][0] + fs[f].conf[1][1] + fs[f].conf[1][2];
    cr_run_claim(run, "KKT point: gradient descent's multipliers have dual norm <= 1 (+ 2 x residual) exactly when "
                      "its KKT point is a global max-margin network (runs with KKT residual <= kkt_resid where it "
                      "holds)",
                 ok ? (double)held : NAN, (double)ok, 0, CR_CLAIM_GE);
}

int cr_exp_separable(const cr_config *cfg, const cr_data *unused, cr_run *run, cr_err *err)
{
    tables tb = {0};
    tb.runs = cr_run_table(run, "runs.csv",
                           "run,family,n,d,seed,p,P_star,separated,P_sub,reached,gamma_ratio,global,min_yf,flow_steps,"
                           "kkt_residual,kkt_residual_strict,kinks,dual_norm,kkt_ok,dual_feasible",
                           err);
    if (tb.runs) tb.pat = cr_exp_patterns_used_open(run, err);
    if (tb.pat) tb.samp = cr_exp_samples_open(run, err);
    if (!tb.samp) {
        cr_csv_abort(tb.runs);
        cr_csv_abort(tb.pat);
        return CR_ERUNTIME;
    }
    fam_stats fs[NFAM] = {{0}};
    const cr_intlist *ns = &cfg->separable.n, *ds = &cfg->separable.d;
    const long total = NFAM * (long)ns->len * (long)ds->len * cfg->separable.runs;
    int st = CR_OK;
    long id = 0;
    cr_progress *prog = cr_progress_start("separable runs", (double)total, !cr_run_quiet(run));
    for (int f = 0; f < NFAM && !st; f++)
        for (size_t a = 0; a < ns->len && !st; a++)
            for (size_t b = 0; b < ds->len && !st; b++)
                for (long r = 1; r <= cfg->separable.runs && !st; r++) {
                    id++;
                    st = one_run(cfg, f, (size_t)ns->v[a], (size_t)ds->v[b], r, id, &tb, &fs[f], err);
                    if (st) cr_err_prefix(err, "separable run %ld (%s, n = %ld, d = %ld, seed %ld)", id, fam_name[f],
                                          ns->v[a], ds->v[b], r);
                    cr_progress_update(prog, (double)id);
                }
    cr_progress_finish(prog);
    if (st) {
        cr_csv_abort(tb.runs);
        cr_csv_abort(tb.pat);
        cr_csv_abort(tb.samp);
        return st;
    }
    st = cr_exp_close_tables((cr_csv *[]){tb.runs, tb.pat, tb.samp}, 3, err);
    if (!st) st = write_confusion(run, fs, err);
    if (st) return st;

    write_summary(cfg, run, fs);
    write_claims(run, fs);
    return CR_OK;
}
