/* The convex program's solver (see convex.h): the workspace, options, status names, argument checks and
 * cr_convex_solve, which picks a method and falls back when it fails. The methods and their shared parts
 * live in convex_maps.c, convex_loss.c, convex_cert.c, convex_fista.c, convex_ssnal.c, convex_polish.c and
 * convex_ipm_run.c (over convex_ipm.c), all behind the private header convex_impl.h. */
#include "convex_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convex_ipm.h"
#include "timer.h"

/* AUTO's rule (convex.h, docs/MATH.md "Choosing the method"). The interior-point method goes first for the
 * squared loss from a cold start when n >= CR_CONVEX_IPM_MIN_N, p d <= CR_CONVEX_IPM_PD_PER_N n and its
 * workspace fits in CR_CONVEX_IPM_MAX_BYTES. Its iteration costs n^2 p d (the Woodbury system) for a count
 * that hardly depends on the instance (25 to 45); SSNAL's Newton steps cost about n^2 times the active
 * generators, a number that grows with the faces its projections cross (many-row patterns, n in the
 * hundreds and more) and is unpredictable. Below n = 200 SSNAL's steps are cheap; with p d > 4 n the
 * interior-point method's n^2 p d dominates (measured, one thread: (n, d, p) = (1000, 20, 50): IPM 3 s, SSNAL
 * unfinished after 43 s; (1000, 20, 250): SSNAL 5 s, IPM 17 s; (200, 8, 200): SSNAL 0.15 s, IPM 0.6 s).
 * Under AUTO, SSNAL gets CR_CONVEX_SSNAL_BUDGET Newton steps (deterministic, unlike a clock) before the next
 * method takes over. */
#define CR_CONVEX_IPM_MIN_N 200
#define CR_CONVEX_IPM_PD_PER_N 4
#define CR_CONVEX_IPM_MAX_BYTES ((size_t)2 << 30)
#define CR_CONVEX_SSNAL_BUDGET 500

/* ------------------------------------------------------------------ workspace */

/* The sizes of a workspace for n samples, d features and p patterns: the Newton systems are n x n (SSNAL, in
 * chunks of nch columns) and nmax x nmax (the polishes, nmax = min(max(8 n, 1024), 2 p d, 2000)). */
static void work_size(cr_convex_work *w, size_t n, size_t d, size_t p)
{
    w->n = n;
    w->d = d;
    w->pcap = p;
    size_t pp = p ? p : 1;
    w->nch = n > 64 ? n : 64;
    w->nmax = 8 * n > 1024 ? 8 * n : 1024;
    if (w->nmax > 2 * pp * d) w->nmax = 2 * pp * d;
    if (w->nmax > 2000) w->nmax = 2000;
}

typedef enum { BUF_ALLOC, BUF_FREE, BUF_COUNT } buf_op;

/* Every buffer of the workspace with its length (elements), listed once: allocated (BUF_ALLOC: calloc each;
 * -1 when one fails), released (BUF_FREE: free each and clear it) or counted (BUF_COUNT: *bytes += the bytes
 * BUF_ALLOC asks calloc for). */
static int work_buffers(cr_convex_work *w, buf_op op, size_t *bytes)
{
    size_t n = w->n, d = w->d, pp = w->pcap ? w->pcap : 1;
    struct {
        double **b;
        size_t len;
    } dbl[] = {
        {&w->Dm, n * pp}, {&w->xnorm, n}, {&w->Xs, n * d}, {&w->T, n * pp}, {&w->Wt, 2 * pp * n}, {&w->Ud, pp * d},
        {&w->G, pp * d}, {&w->R, 2 * pp * d}, {&w->C, 2 * pp * d}, {&w->xa, 2 * pp * d}, {&w->xb, 2 * pp * d},
        {&w->xc, 2 * pp * d}, {&w->yb, 2 * pp * d}, {&w->za, n}, {&w->zb, n}, {&w->zc, n}, {&w->zy, n}, {&w->g, n},
        {&w->v, n}, {&w->act_mu, 4 * pp * d}, {&w->V, n * n}, {&w->F, n * w->nch}, {&w->Bq, d * d}, {&w->hs, n},
        {&w->dv, n}, {&w->vt, n}, {&w->gr, n}, {&w->gt, n}, {&w->Uk, 2 * pp * d}, {&w->Pt, 2 * pp * d},
        {&w->ak, n}, {&w->zt2, n}, {&w->vk, n}, {&w->vpol, n}, {&w->Jm, n * w->nmax}, {&w->H, w->nmax * w->nmax},
        {&w->pw, w->nmax}, {&w->pg, w->nmax}, {&w->pdir, w->nmax}, {&w->pwt, w->nmax}, {&w->Bs, 2 * pp * d * d},
        {&w->zw, n}, {&w->Js, n * w->nmax}, {&w->hz, n}
    };
    struct {
        size_t **b;
        size_t len;
    } szt[] = {
        {&w->act_idx, 4 * pp * d}, {&w->act_len, 4 * pp}, {&w->tk, n}, {&w->boff, 2 * pp}, {&w->brank, 2 * pp},
        {&w->tidx, n}
    };
    struct {
        int **b;
        size_t len;
    } itg[] = {
        {&w->part, n}, {&w->ipiv, w->nmax}
    };
    int st = 0;
#define CR_WORK_BUFFERS(tab, type)                                                              \
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++) {                                  \
        size_t len = tab[k].len ? tab[k].len : 1;                                              \
        if (op == BUF_ALLOC) {                                                                 \
            *tab[k].b = calloc(len, sizeof(type));                                             \
            if (!*tab[k].b) st = -1;                                                           \
        } else if (op == BUF_FREE) {                                                           \
            free(*tab[k].b);                                                                   \
            *tab[k].b = NULL;                                                                  \
        } else {                                                                               \
            *bytes += len * sizeof(type);                                                      \
        }                                                                                      \
    }
    CR_WORK_BUFFERS(dbl, double)
    CR_WORK_BUFFERS(szt, size_t)
    CR_WORK_BUFFERS(itg, int)
#undef CR_WORK_BUFFERS
    return st;
}

cr_convex_work *cr_convex_alloc(size_t n, size_t d, size_t p)
{
    if (n == 0 || d == 0) return NULL;
    cr_convex_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    work_size(w, n, d, p);
    w->cone = cr_cone_alloc(n, d);
    if (!w->cone || work_buffers(w, BUF_ALLOC, NULL) != 0) {
        cr_convex_free(w);
        return NULL;
    }
    return w;
}

void cr_convex_free(cr_convex_work *w)
{
    if (!w) return;
    cr_cone_free(w->cone);
    work_buffers(w, BUF_FREE, NULL);
    free(w);
}

size_t cr_convex_work_bytes(size_t n, size_t d, size_t p)
{
    if (n == 0 || d == 0) return 0; /* cr_convex_alloc allocates nothing */
    cr_convex_work w = {0};
    work_size(&w, n, d, p);
    size_t bytes = sizeof w + cr_cone_work_bytes(n, d);
    work_buffers(&w, BUF_COUNT, &bytes);
    return bytes;
}

void cr_convex_opts_default(cr_convex_opts *o)
{
    o->tol = 1e-8;
    o->max_iter = 200000;
    o->max_seconds = 0;
    o->check_every = 0;
    o->warm_start = 0;
    o->method = CR_CONVEX_AUTO;
    o->log = NULL, o->log_ctx = NULL;
}

const char *cr_convex_status_name(cr_convex_status s)
{
    switch (s) {
    case CR_CONVEX_CONVERGED: return "converged";
    case CR_CONVEX_MAX_ITER: return "max_iter";
    case CR_CONVEX_TIME_LIMIT: return "time_limit";
    case CR_CONVEX_NUMERICAL: return "numerical_failure";
    }
    return "?";
}

int cr_convex_validate(const cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                       const cr_patterns *P, cr_loss_kind loss, double beta, cr_err *err)
{
    if (!w || !X || !y || !P) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    if (n != w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "convex: data is %zu x %zu, workspace is %zu x %zu", n, d, w->n, w->d);
    if (P->n != n) return cr_err_set(err, CR_EINPUT, "convex: patterns have %zu bits, data %zu rows", P->n, n);
    if (P->p > w->pcap)
        return cr_err_set(err, CR_EINPUT, "convex: %zu patterns, workspace holds %zu", P->p, w->pcap);
    if (loss != CR_LOSS_SQUARED && loss != CR_LOSS_LOGISTIC && loss != CR_LOSS_HINGE)
        return cr_err_set(err, CR_EINPUT, "convex: unknown loss %d", (int)loss);
    if (!(beta > 0) || !isfinite(beta))
        return cr_err_set(err, CR_EINPUT, "convex: beta must be a finite number > 0, got %g", beta);
    for (size_t k = 0; k < n * d; k++)
        if (!isfinite(X[k])) return cr_err_set(err, CR_EINPUT, "convex: X[%zu][%zu] is not finite", k / d, k % d);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(y[k])) return cr_err_set(err, CR_EINPUT, "convex: y[%zu] is not finite", k);
    return CR_OK;
}

/* ------------------------------------------------------------------ the method table and the dispatcher */

/* The methods by their enum value, and what the dispatcher does when one fails (its run returns nonzero):
 * run `fallback` (CR_CONVEX_AUTO: none), from scratch (restart = 1) or from the failed method's point,
 * keeping the better of the two certificates (restart = 0). */
static const struct {
    const cr_convex_method_type *type;
    cr_convex_method fallback;
    int restart;
} methods[] = {
    [CR_CONVEX_AUTO] = {NULL, CR_CONVEX_AUTO, 0},
    [CR_CONVEX_FISTA] = {&cr_convex_fista_type, CR_CONVEX_AUTO, 0},
    [CR_CONVEX_SSNAL] = {&cr_convex_ssnal_type, CR_CONVEX_FISTA, 0},
    [CR_CONVEX_IPM] = {&cr_convex_ipm_type, CR_CONVEX_SSNAL, 1},
    [CR_CONVEX_SSNAL_CG] = {&cr_convex_ssnalcg_type, CR_CONVEX_FISTA, 0},
};
#define NMETHODS (sizeof methods / sizeof methods[0])

static int method_known(cr_convex_method m)
{
    return (unsigned)m < NMETHODS && (m == CR_CONVEX_AUTO || methods[m].type);
}

const char *cr_convex_method_name(cr_convex_method m)
{
    if (m == CR_CONVEX_AUTO) return "auto";
    return method_known(m) ? methods[m].type->name : "?";
}

/* The arguments of cr_convex_solve beyond cr_convex_validate. */
static int check_solve(const cr_patterns *P, size_t d, cr_loss_kind loss, const cr_convex_opts *o,
                       const cr_convex_sol *sol, cr_err *err)
{
    if (!sol || sol->p != P->p || sol->d != d)
        return cr_err_set(err, CR_EINPUT, "convex: solution holds %zu x %zu, need %zu x %zu", sol ? sol->p : 0,
                          sol ? sol->d : 0, P->p, d);
    if (!(o->tol > 0) || o->max_iter < 0 || o->max_seconds < 0 || o->check_every < 0 || !method_known(o->method))
        return cr_err_set(err, CR_EINPUT, "convex: options need tol > 0, max_iter >= 0, max_seconds >= 0");
    if (o->method == CR_CONVEX_IPM && loss != CR_LOSS_SQUARED)
        return cr_err_set(err, CR_EINPUT, "convex: the interior-point method is for the squared loss only");
    return CR_OK;
}

/* 1 when the interior-point method can serve this solve under AUTO: squared loss, cold start, its workspace
 * within CR_CONVEX_IPM_MAX_BYTES. */
static int ipm_fits(const cr_convex_opts *o, cr_loss_kind loss, size_t n, size_t d, size_t p)
{
    return loss == CR_LOSS_SQUARED && !o->warm_start && cr_convex_ipm_work_bytes(n, d, p) <= CR_CONVEX_IPM_MAX_BYTES;
}

/* AUTO's first method: the interior-point method when it fits and n >= CR_CONVEX_IPM_MIN_N and
 * p d <= CR_CONVEX_IPM_PD_PER_N n, SSNAL otherwise (every loss). */
static cr_convex_method choose(const cr_convex_opts *o, cr_loss_kind loss, size_t n, size_t d, size_t p)
{
    if (o->method != CR_CONVEX_AUTO) return o->method;
    int shape = n >= CR_CONVEX_IPM_MIN_N && p * d <= CR_CONVEX_IPM_PD_PER_N * n;
    return shape && ipm_fits(o, loss, n, d, p) ? CR_CONVEX_IPM : CR_CONVEX_SSNAL;
}

/* The starting point in w->xa (zero, or sol projected onto the cones with opts->warm_start), its prediction
 * in w->za, the maps loaded, the warm active sets cleared and ||M||^2 estimated. */
static void start(cr_convex_work *w, cr_convex_run *rs, const cr_convex_sol *sol)
{
    size_t d = w->d, p = rs->P->p, m = 2 * p * d;
    cr_convex_load(w, rs->X, rs->P);
    memset(w->act_len, 0, 4 * (p ? p : 1) * sizeof(size_t));
    if (rs->o.warm_start) {
        memcpy(w->C, sol->U, p * d * sizeof(double));
        memcpy(w->C + p * d, sol->Up, p * d * sizeof(double));
        rs->fails += cr_convex_prox(w, rs->X, rs->P, w->C, 0.0, w->xa);
    } else {
        memset(w->xa, 0, (m ? m : 1) * sizeof(double));
    }
    cr_convex_forward(w, rs->X, p, w->xa, w->za);
    rs->mnorm2 = cr_convex_op_norm2(w, rs->X, p);
}

/* After a failure with restart: a fresh state (the clock and ||M||^2 kept) at the zero point. */
static void restart(cr_convex_work *w, cr_convex_run *rs)
{
    size_t p = rs->P->p, m = 2 * p * w->d;
    cr_convex_run fresh = {.X = rs->X, .y = rs->y, .P = rs->P, .loss = rs->loss, .beta = rs->beta, .o = rs->o,
                           .t0 = rs->t0, .mnorm2 = rs->mnorm2};
    *rs = fresh;
    memset(w->xa, 0, (m ? m : 1) * sizeof(double));
    memset(w->act_len, 0, 4 * (p ? p : 1) * sizeof(size_t));
    cr_convex_forward(w, rs->X, p, w->xa, w->za);
}

/* After a failure without restart: `next` continues from the point in w->xa, which is kept (with its
 * certificate, the counts of the new run added) when `next` ends worse and short of convergence. The point
 * waits in w->Uk (not used by FISTA, the only method run this way). */
static void continue_keep_best(cr_convex_work *w, cr_convex_run *rs, const cr_convex_method_type *next)
{
    size_t n = w->n, p = rs->P->p, m = 2 * p * w->d;
    memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
    double gap0 = rs->gap;
    cr_convex_run rs0 = *rs;
    cr_convex_enter(rs, next->name);
    next->run(w, rs);
    if (!(rs->gap <= gap0) && rs->status != CR_CONVEX_CONVERGED && isfinite(gap0)) {
        memcpy(w->xa, w->Uk, (m ? m : 1) * sizeof(double));
        cr_convex_forward(w, rs->X, p, w->xa, w->za);
        cr_loss_grad(rs->loss, w->za, rs->y, n, w->v);
        cr_convex_status lim = rs->status;
        long steps = rs->steps, restarts = rs->restarts;
        *rs = rs0;
        rs->steps = steps, rs->restarts = restarts;
        cr_convex_check_point(w, rs, w->v, 1);
        if (rs->status != CR_CONVEX_CONVERGED) rs->status = lim;
    }
}

/* 1 when the iteration or time limit has been reached: no method follows. */
static int at_limit(const cr_convex_run *rs)
{
    return rs->steps >= rs->o.max_iter || cr_convex_out_of_time(rs);
}

/* 1 when the point in w->xa carries a certificate in rs: a method's result, converged or not (SSNAL always
 * leaves its best point; the interior-point method none when it returned -1). */
static int has_point(const cr_convex_run *rs, cr_convex_method m, int rc)
{
    return (m != CR_CONVEX_IPM || rc == 0) && rs->status != CR_CONVEX_NUMERICAL && isfinite(rs->gap);
}

/* AUTO's chain: the first method, then the other of SSNAL and the interior-point method (when that one
 * fits; from scratch), then FISTA from the better certified point of the two. A method fails when it
 * returns without a certificate at the tolerance short of the limits: no certificate, a breakdown, a
 * stall, or (SSNAL first) its budget of CR_CONVEX_SSNAL_BUDGET Newton steps spent. The first method's point
 * waits in w->Uk (used by SSNAL alone, which has ended) while the second runs. */
static void run_auto(cr_convex_work *w, cr_convex_run *rs, cr_convex_method first, cr_convex_info *info)
{
    size_t p = rs->P->p, m = 2 * p * w->d;
    info->method = first;
    int ipm_next = first == CR_CONVEX_SSNAL && ipm_fits(&rs->o, rs->loss, w->n, w->d, p);
    rs->ssnal_budget = ipm_next ? CR_CONVEX_SSNAL_BUDGET : 0;
    rs->status = CR_CONVEX_MAX_ITER; /* until a certificate says otherwise */
    cr_convex_enter(rs, methods[first].type->name);
    int rc = methods[first].type->run(w, rs);
    rs->ssnal_budget = 0;
    if (rs->status == CR_CONVEX_CONVERGED || at_limit(rs)) return;
    int have = has_point(rs, first, rc);
    cr_convex_method second = first == CR_CONVEX_IPM ? CR_CONVEX_SSNAL : ipm_next ? CR_CONVEX_IPM : CR_CONVEX_AUTO;
    if (second != CR_CONVEX_AUTO) {
        cr_convex_run kept = *rs;
        if (have) memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
        restart(w, rs);
        rs->steps = kept.steps, rs->newton = kept.newton, rs->polishes = kept.polishes, rs->fails = kept.fails;
        info->method = second;
        rs->status = CR_CONVEX_MAX_ITER;
        cr_convex_enter(rs, methods[second].type->name);
        rc = methods[second].type->run(w, rs);
        int have2 = has_point(rs, second, rc);
        if (have && (!have2 || kept.gap < rs->gap)) {
            /* back to the first method's point, the counts of both kept */
            long steps = rs->steps, newton = rs->newton, polishes = rs->polishes;
            size_t fails = rs->fails;
            *rs = kept;
            rs->steps = steps, rs->newton = newton, rs->polishes = polishes, rs->fails = fails;
            memcpy(w->xa, w->Uk, (m ? m : 1) * sizeof(double));
            cr_convex_forward(w, rs->X, p, w->xa, w->za);
            cr_convex_report(w, rs);
            info->method = first;
        }
        if (rs->status == CR_CONVEX_CONVERGED || at_limit(rs)) return;
        have = have || have2;
    }
    if (!have) {
        /* neither method left a point: FISTA from zero */
        long steps = rs->steps, newton = rs->newton;
        restart(w, rs);
        rs->steps = steps, rs->newton = newton;
        rs->gap = INFINITY;
        rs->status = CR_CONVEX_MAX_ITER;
    }
    info->method = CR_CONVEX_FISTA;
    continue_keep_best(w, rs, methods[CR_CONVEX_FISTA].type);
}

/* Runs `method` and the fallbacks of the table (AUTO: run_auto's chain); info->method receives the method of
 * the returned point. */
static void run_methods(cr_convex_work *w, cr_convex_run *rs, cr_convex_method method, int autom,
                        cr_convex_info *info)
{
    if (autom) {
        run_auto(w, rs, method, info);
        return;
    }
    for (;;) {
        info->method = method;
        cr_convex_enter(rs, methods[method].type->name);
        if (methods[method].type->run(w, rs) == 0 || methods[method].fallback == CR_CONVEX_AUTO) return;
        cr_convex_method next = methods[method].fallback;
        if (!methods[method].restart) {
            info->method = next;
            continue_keep_best(w, rs, methods[next].type);
            return;
        }
        restart(w, rs);
        method = next;
    }
}

/* info from the final state and point; CR_ERUNTIME when it is not a result (NaN/Inf, cone violation). */
static int finish(const cr_convex_run *rs, const cr_convex_sol *sol, double t0, cr_convex_info *info, cr_err *err)
{
    info->iterations = rs->steps;
    info->newton = rs->newton;
    info->restarts = rs->restarts;
    info->polishes = rs->polishes;
    info->primal = rs->primal;
    info->dual = rs->dual;
    info->gap = rs->gap;
    info->rel_gap = info->gap / fmax(1.0, fabs(rs->primal));
    info->gmax = rs->gmax;
    info->lipschitz = rs->L;
    info->smoothing = rs->mu;
    info->sigma = rs->sigma;
    info->nnz = cr_convex_sol_nnz(sol);
    info->cone_violation = cr_convex_cone_violation(rs->X, rs->P->n, sol->d, rs->P, sol);
    info->seconds = cr_seconds() - t0;
    info->status = rs->status;
    if (rs->status == CR_CONVEX_NUMERICAL || !isfinite(info->cone_violation)) {
        info->status = CR_CONVEX_NUMERICAL;
        return cr_err_set(err, CR_ERUNTIME, "convex: numerical failure after %ld steps (primal %g, dual %g)",
                          rs->steps, rs->primal, rs->dual);
    }
    if (info->cone_violation > 1e-9) {
        info->status = CR_CONVEX_NUMERICAL;
        return cr_err_set(err, CR_ERUNTIME,
                          "convex: cone violation %g at the returned point (%zu projections hit the step limit)",
                          info->cone_violation, rs->fails);
    }
    return CR_OK;
}

int cr_convex_solve(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                    const cr_patterns *P, cr_loss_kind loss, double beta, const cr_convex_opts *opts,
                    cr_convex_sol *sol, cr_convex_info *info, cr_err *err)
{
    double t0 = cr_seconds();
    cr_convex_opts o;
    if (opts) o = *opts;
    else cr_convex_opts_default(&o);
    cr_convex_info inf0;
    if (!info) info = &inf0;
    memset(info, 0, sizeof *info);
    info->status = CR_CONVEX_NUMERICAL;
    int st = cr_convex_validate(w, X, y, n, d, P, loss, beta, err);
    if (!st) st = check_solve(P, d, loss, &o, sol, err);
    if (st) return st;

    cr_convex_run rs = {.X = X, .y = y, .P = P, .loss = loss, .beta = beta, .o = o, .t0 = t0};
    start(w, &rs, sol);
    run_methods(w, &rs, choose(&o, loss, n, d, P->p), o.method == CR_CONVEX_AUTO, info);
    size_t p = P->p;
    memcpy(sol->U, w->xa, p * d * sizeof(double));
    memcpy(sol->Up, w->xa + p * d, p * d * sizeof(double));
    return finish(&rs, sol, t0, info, err);
}
