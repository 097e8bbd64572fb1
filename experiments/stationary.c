/* Slides "Clarke stationary point" and "Characterization of Clarke stationary point": networks trained by gradient
 * descent and by SGD (decaying steps) at every width 1..M; at each final iterate the minimum-norm element of the
 * Clarke subdifferential of L_beta (src/clarke.h: ReLU and hinge kinks within stationary.kink_tol contribute
 * their whole interval), and, for every network whose measure is small, smooth or not, the theorem
 * L_beta(theta) = p_sub(I) with I the closed patterns of its neurons at the kink point, as the slide defines I.
 * The certificate over all patterns (docs/MATH.md, Certified gap) separates global from spurious stationary
 * points. The strict patterns and the patterns on both sides of each kink are solved beside, for comparison. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clarke.h"
#include "common.h"
#include "experiments.h"

/* "L = p_sub(I)" means |L - p_sub(I)| <= max(EQ_TOL p_sub, ||theta|| delta) for a network of Clarke measure delta:
 * the certificate of docs/MATH.md (Clarke stationary points) gives L - p_sub(I) <= (||theta|| delta + e) / 2 when
 * the loss derivative v of the minimum-norm element is dual feasible for the program over I, e the rounding of
 * kinks within the tolerance; EQ_TOL (1e-5 relative) covers the solves and the points that are stationary to
 * rounding. The smallest spurious excess on the committed configs is about 9e-3, so either bound leaves a
 * failure visible by orders of magnitude. */
#define EQ_TOL 1e-5
/* Global: certificate max_i g_i(v) / beta <= 1 + CERT_TOL (at a stationary point of measure delta it is
 * 1 + O(delta / (beta |w2_j|)); the spurious points of the committed configs have 1.4 and more). */
#define CERT_TOL 1e-2
/* The comparison solves (strict and both-sides patterns) stop after this many iterations at most: on cones that
 * share a face the hinge solver may not certify, and a comparison must not hold the run up. */
#define COMPARE_MAX_ITER 20000

typedef struct {
    long runs, stationary, on_kinks, holds, holds_strict, holds_both, classified, global, spurious;
    double worst_rel;
} tally;

/* The patterns of the network at its kink point (src/clarke.h). */
static int kink_patterns(const cr_config *cfg, const cr_data *D, const cr_net *net, cr_clarke_sides sides,
                         cr_patterns **out, cr_err *err)
{
    *out = cr_patterns_alloc(D->n, net->m);
    if (!*out) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = cr_clarke_patterns(net, D->X, D->n, cfg->stationary.kink_tol, sides, *out, err);
    if (!st) cr_patterns_sort(*out);
    if (st) {
        cr_patterns_free(*out);
        *out = NULL;
    }
    return st;
}

/* p_sub over I: the convex solve, or l(0, y) when I is empty (no live neuron: the network is theta = 0 up to
 * the tolerance, and the program over no pattern has the single point z = 0). */
static int psub(const cr_config *cfg, const cr_data *D, const cr_patterns *I, double *value, cr_err *err)
{
    if (I->p == 0) {
        double *z = calloc(D->n, sizeof *z);
        if (!z) return cr_err_set(err, CR_ERUNTIME, "out of memory");
        *value = cr_loss_value(cfg->loss, z, D->y, D->n);
        free(z);
        return CR_OK;
    }
    cr_convex_sol *sol = NULL;
    cr_convex_info si;
    int st = cr_exp_convex_solve(cfg, D, I, &sol, &si, err);
    if (!st) *value = si.primal;
    cr_convex_sol_free(sol);
    return st;
}

/* max_i g_i(v) / beta over the patterns of Q (0 for an empty Q). */
static int certificate(const cr_config *cfg, const cr_data *D, const cr_patterns *Q, const double *v, double *cert,
                       cr_err *err)
{
    *cert = 0.0;
    if (Q->p == 0) return CR_OK;
    cr_convex_work *w = cr_convex_alloc(D->n, D->d, Q->p);
    if (!w) return cr_err_set(err, CR_ERUNTIME, "out of memory for the certificate (p = %zu)", Q->p);
    double dual, gmax;
    int st = cr_convex_dual_value(w, D->X, D->y, D->n, D->d, Q, cfg->loss, cfg->beta, v,
                                  &dual, &gmax, err);
    cr_convex_free(w);
    if (!st) *cert = gmax / cfg->beta;
    return st;
}

static void write_patterns(cr_csv *pat, const char *method, size_t m, long seed, const char *set,
                           const cr_patterns *I, char *buf)
{
    for (size_t i = 0; i < I->p; i++) {
        cr_csv_str(pat, method);
        cr_csv_int(pat, (long long)m);
        cr_csv_int(pat, seed);
        cr_csv_str(pat, set);
        cr_exp_patterns_used_pattern(pat, I, i, buf);
        cr_csv_endrow(pat);
    }
}

static void real_or_empty(cr_csv *c, double x)
{
    if (isfinite(x)) cr_csv_real(c, x);
    else cr_csv_str(c, "");
}

/* The run's state: the convex optimum, the tables, and the tallies per method. */
typedef struct {
    const cr_data *D;
    const cr_patterns *P;
    const cr_convex_info *info;
    cr_config cmp; /* the comparison solves, capped */
    cr_net_obj obj;
    double ctols[2]; /* Clarke tolerance per method */
    cr_csv *tab, *pat;
    double *v; /* n: the loss derivative of the minimum-norm element */
    char *buf; /* n + 1 */
    tally T[2];
    long inexact, uncertified;
    double max_lower_gap;
} st_run;

/* What is measured at one trained network. */
typedef struct {
    cr_net *net;
    cr_patterns *I, *Is, *Ib; /* closed, strict and both-sides patterns at the kink point */
    cr_train_info ti;
    cr_clarke_info ci;
    double ps, pst, pb, cert_sub, cert_all; /* p_sub over I, Is, Ib; certificates over I and every pattern */
} st_net;

static void st_net_free(st_net *N)
{
    cr_patterns_free(N->I);
    cr_patterns_free(N->Is);
    cr_patterns_free(N->Ib);
    cr_net_free(N->net);
}

/* Trains the network and measures it: the Clarke measure, the three pattern sets, p_sub over each (the strict and
 * both-sides ones are comparisons: a solve that cannot be certified leaves NaN) and the certificates. */
static int measure(const cr_config *c, st_run *S, size_t m, long s, st_net *N, cr_err *err)
{
    const cr_data *D = S->D;
    N->ps = N->pst = N->pb = N->cert_sub = N->cert_all = NAN;
    int st = cr_exp_train(c, D, m, s, NULL, NULL, &N->net, &N->ti, err);
    if (!st) st = cr_clarke_network(N->net, D->X, D->y, D->n, &S->obj, c->stationary.kink_tol, NULL, S->v, &N->ci,
                                    err);
    if (!st) st = kink_patterns(c, D, N->net, CR_CLARKE_CLOSED, &N->I, err);
    if (!st) st = kink_patterns(c, D, N->net, CR_CLARKE_STRICT, &N->Is, err);
    if (!st) st = kink_patterns(c, D, N->net, CR_CLARKE_BOTH, &N->Ib, err);
    if (!st) st = psub(c, D, N->I, &N->ps, err);
    if (!st && psub(&S->cmp, D, N->Is, &N->pst, err) != CR_OK) N->pst = NAN, S->uncertified++;
    if (!st && psub(&S->cmp, D, N->Ib, &N->pb, err) != CR_OK) N->pb = NAN, S->uncertified++;
    if (!st) st = certificate(c, D, N->I, S->v, &N->cert_sub, err);
    if (!st) st = certificate(c, D, S->P, S->v, &N->cert_all, err);
    return st;
}

/* The verdict on one network. */
typedef struct {
    double L, tn, tol, rel, rels, relb, excess;
    int stat, holds, global;
} st_verdict;

/* Judges the network (stationary, L = p_sub(I) within the tolerance, global or spurious by the certificate) and
 * counts it into the tally of its method. */
static void judge(st_run *S, int meth, const st_net *N, st_verdict *V)
{
    const double p_convex = S->info->primal, ps = N->ps, pst = N->pst, pb = N->pb;
    tally *t = &S->T[meth];
    const cr_clarke_info *ci = &N->ci;
    V->L = N->ti.objective, V->tn = sqrt(cr_net_norm2(N->net));
    V->stat = ci->measure <= S->ctols[meth];
    V->tol = fmax(EQ_TOL * fabs(ps), V->tn * ci->measure);
    V->rel = fabs(V->L - ps) / fabs(ps);
    V->rels = fabs(V->L - pst) / fabs(pst), V->relb = fabs(V->L - pb) / fabs(pb);
    V->holds = fabs(V->L - ps) <= V->tol;
    V->excess = (V->L - p_convex) / p_convex;
    V->global = N->cert_all <= 1.0 + CERT_TOL;
    t->runs++;
    if (ci->measure - ci->lower > S->max_lower_gap) S->max_lower_gap = ci->measure - ci->lower;
    if (!V->stat) return;
    t->stationary++;
    t->on_kinks += ci->relu_kinks + ci->hinge_kinks > 0;
    t->holds += V->holds;
    t->holds_strict += isfinite(pst) && fabs(V->L - pst) <= V->tol;
    t->holds_both += isfinite(pb) && fabs(V->L - pb) <= V->tol;
    if (V->rel > t->worst_rel) t->worst_rel = V->rel;
    /* The certificate classifies: global (cert <= 1) with L = p_convex up to the tolerance and the gap, or spurious
     * (cert > 1) with L above p_convex by more than they allow. */
    const double slack = S->info->gap + V->tol;
    if (V->global) {
        t->global++;
        t->classified += fabs(V->L - p_convex) <= slack;
    } else {
        t->spurious++;
        t->classified += V->L - p_convex > slack;
    }
    S->inexact += !ci->exact;
}

/* networks.csv: one row per network. */
static void write_network(cr_csv *tab, const char *mname, size_t m, long s, const st_net *N, const st_verdict *V)
{
    const cr_clarke_info *ci = &N->ci;
    cr_csv_str(tab, mname);
    cr_csv_int(tab, (long long)m);
    cr_csv_int(tab, s);
    cr_csv_real(tab, V->L);
    cr_csv_real(tab, V->tn);
    cr_csv_real(tab, ci->grad_norm);
    cr_csv_real(tab, ci->measure);
    cr_csv_real(tab, ci->lower);
    cr_csv_int(tab, (long long)ci->relu_kinks);
    cr_csv_int(tab, (long long)ci->hinge_kinks);
    cr_csv_int(tab, ci->exact);
    cr_csv_real(tab, ci->kink_dist_max);
    real_or_empty(tab, ci->free_dist_min);
    real_or_empty(tab, ci->live_norm_min);
    cr_csv_real(tab, ci->dead_norm_max);
    cr_csv_int(tab, V->stat);
    cr_csv_int(tab, (long long)N->I->p);
    cr_csv_real(tab, N->ps);
    cr_csv_real(tab, V->rel);
    cr_csv_real(tab, V->tol);
    cr_csv_int(tab, V->holds);
    real_or_empty(tab, N->pst);
    real_or_empty(tab, V->rels);
    real_or_empty(tab, N->pb);
    real_or_empty(tab, V->relb);
    cr_csv_real(tab, N->cert_sub);
    cr_csv_real(tab, N->cert_all);
    cr_csv_str(tab, !V->stat ? "not_stationary" : V->global ? "global" : "spurious");
    cr_csv_real(tab, V->excess);
    cr_csv_endrow(tab);
}

/* One network of the sweep (cr_exp_each_network): measure, judge, write its row and its three pattern sets. */
static int one_network(void *vctx, const cr_config *c, int meth, const char *mname, size_t m, long s, cr_err *err)
{
    st_run *S = vctx;
    st_net N = {0};
    int st = measure(c, S, m, s, &N, err);
    if (!st) {
        st_verdict V;
        judge(S, meth, &N, &V);
        write_network(S->tab, mname, m, s, &N, &V);
        write_patterns(S->pat, mname, m, s, "closed", N.I, S->buf);
        write_patterns(S->pat, mname, m, s, "strict", N.Is, S->buf);
        write_patterns(S->pat, mname, m, s, "both_sides", N.Ib, S->buf);
    }
    st_net_free(&N);
    return st;
}

static void write_summary(const cr_config *cfg, cr_run *run, const st_run *S)
{
    cr_exp_summary_convex(run, cfg, S->P, S->info->primal, S->info->gap);
    cr_run_summary_real(run, "kink_tol", cfg->stationary.kink_tol);
    cr_run_summary_real(run, "eq_tol", EQ_TOL);
    cr_run_summary_real(run, "cert_tol", CERT_TOL);
    cr_run_summary_real(run, "max_clarke_bound_gap", S->max_lower_gap);
    cr_run_summary_int(run, "stationary_inexact_polytope", S->inexact);
    cr_run_summary_int(run, "comparison_solves_uncertified", S->uncertified);
    const int nmeth = cfg->width_sweep.sgd_batch > 0 ? 2 : 1;
    for (int meth = 0; meth < nmeth; meth++) {
        const char *mn = meth == 0 ? "gd" : "sgd";
        const tally *t = &S->T[meth];
        char key[64];
#define SUMI(name, val) (snprintf(key, sizeof key, "%s_%s", mn, name), cr_run_summary_int(run, key, val))
        snprintf(key, sizeof key, "%s_clarke_tol", mn);
        cr_run_summary_real(run, key, S->ctols[meth]);
        SUMI("networks", t->runs);
        SUMI("stationary", t->stationary);
        SUMI("stationary_on_kinks", t->on_kinks);
        SUMI("holds", t->holds);
        SUMI("holds_strict", t->holds_strict);
        SUMI("holds_both_sides", t->holds_both);
        SUMI("global", t->global);
        SUMI("spurious", t->spurious);
        SUMI("classified", t->classified);
#undef SUMI
        snprintf(key, sizeof key, "%s_max_rel_diff", mn);
        if (t->stationary) cr_run_summary_real(run, key, t->worst_rel);
        else cr_run_summary_none(run, key);
    }
}

static void write_claims(const cr_config *cfg, cr_run *run, const st_run *S)
{
    const int nmeth = cfg->width_sweep.sgd_batch > 0 ? 2 : 1;
    for (int meth = 0; meth < nmeth; meth++) {
        const tally *t = &S->T[meth];
        const char *who = meth == 0 ? "GD" : "SGD";
        char label[300];
        /* The slide's "limit points of SGD are almost surely Clarke stationary", at the last iterate: every SGD run. */
        if (meth == 1) {
            snprintf(label, sizeof label,
                     "[Clarke stationary point] the limit points of SGD are Clarke stationary: final iterates with Clarke measure <= %g (count of runs)",
                     S->ctols[meth]);
            cr_run_claim(run, label, (double)t->stationary, (double)t->runs, 0, CR_CLAIM_ABS);
        }
        /* No stationary network leaves nothing to test: the claims then fail (nan) rather than pass on zero cases. */
        snprintf(label, sizeof label,
                 "[Characterization of Clarke stationary point] %s, Clarke stationary (measure delta <= %g) => L_beta = p_sub(I), I the closed patterns: "
                 "|L - p_sub| <= max(%g p_sub, ||theta|| delta) (count of stationary networks)",
                 who, S->ctols[meth], EQ_TOL);
        cr_run_claim(run, label, t->stationary ? (double)t->holds : NAN, (double)t->stationary, 0, CR_CLAIM_ABS);
        snprintf(label, sizeof label,
                 "[All global optima] %s, certificate max_i g_i(v) / beta <= 1 + %g exactly at the global stationary points (L = "
                 "p_convex), above at the spurious ones (L > p_convex) (count of stationary networks)",
                 who, CERT_TOL);
        cr_run_claim(run, label, t->stationary ? (double)t->classified : NAN, (double)t->stationary, 0, CR_CLAIM_ABS);
    }
}

int cr_exp_stationary(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    cr_patterns *P = NULL;
    cr_convex_sol *sol = NULL;
    cr_convex_info info;
    st_run S = {.D = D, .info = &info, .cmp = *cfg, .obj = {cfg->loss, cfg->beta, 1.0},
                .ctols = {cfg->stationary.clarke_tol, cfg->stationary.clarke_tol_sgd}};
    if (S.cmp.solver.max_iter > COMPARE_MAX_ITER) S.cmp.solver.max_iter = COMPARE_MAX_ITER;
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (!st) st = cr_exp_convex_solve(cfg, D, P, &sol, &info, err);
    if (st) goto done;
    S.P = P;
    S.v = malloc(D->n * sizeof *S.v);
    S.buf = malloc(D->n + 1);
    S.tab = cr_run_table(run, "networks.csv",
                         "method,m,seed,L_beta,theta_norm,grad_norm,clarke,clarke_lower,relu_kinks,hinge_kinks,exact,"
                         "kink_dist_max,free_dist_min,live_norm_min,dead_norm_max,stationary,patterns_used,p_sub,"
                         "rel_diff,tol,holds,p_sub_strict,rel_diff_strict,p_sub_both,rel_diff_both,cert_sub,cert_all,"
                         "kind,excess",
                         err);
    S.pat = S.tab ? cr_run_table(run, "patterns.csv", "method,m,seed,set,pattern", err) : NULL;
    if (!S.tab || !S.pat || !S.v || !S.buf) {
        st = (S.tab && S.pat) ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_ERUNTIME;
        goto done;
    }
    const size_t maxw = cfg->width_sweep.max_width > 0 ? (size_t)cfg->width_sweep.max_width : (size_t)cfg->train.width;
    st = cr_exp_each_network(cfg, run, "stationary points", maxw, one_network, &S, err);
    if (!st) st = cr_exp_close_tables((cr_csv *[]){S.tab, S.pat}, 2, err);
    S.tab = S.pat = NULL;
    if (st) goto done;
    write_summary(cfg, run, &S);
    write_claims(cfg, run, &S);
done:
    cr_csv_abort(S.tab);
    cr_csv_abort(S.pat);
    free(S.v);
    free(S.buf);
    cr_convex_sol_free(sol);
    cr_patterns_free(P);
    return st;
}
