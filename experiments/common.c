/* Orchestration shared by the drivers of the regularized problems (see common.h). */
#include "common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataload.h"
#include "dualnorm.h"
#include "plane_arrangement.h"
#include "progress.h"
#include "rng.h"

int cr_exp_patterns(const cr_config *cfg, const cr_data *D, cr_patterns **out, cr_err *err)
{
    if (cfg->patterns.method == CR_CONFIG_PATTERNS_EXACT) return cr_patterns_enumerate(D->X, D->n, D->d, out, err);
    if (cfg->patterns.method == CR_CONFIG_PATTERNS_FILE)
        return cr_dataload_patterns(cfg->patterns.path, D->n, cfg->limits.memory_mb, out, err);
    gsl_rng *rng = cr_rng_stream(cfg->seed, "patterns");
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = cr_patterns_sample(D->X, D->n, D->d, (size_t)cfg->patterns.samples, rng, out, err);
    gsl_rng_free(rng);
    return st;
}

void cr_exp_solver_opts(const cr_config *cfg, cr_convex_opts *o)
{
    cr_convex_opts_default(o);
    o->tol = cfg->solver.tol;
    o->max_iter = cfg->solver.max_iter;
    o->max_seconds = cfg->solver.max_seconds;
    o->method = cfg->solver.method;
}

int cr_exp_convex_solve(const cr_config *cfg, const cr_data *D, const cr_patterns *P, cr_convex_sol **sol,
                        cr_convex_info *info, cr_err *err)
{
    cr_convex_opts o;
    cr_exp_solver_opts(cfg, &o);
    cr_convex_work *w = cr_convex_alloc(D->n, D->d, P->p);
    *sol = cr_convex_sol_alloc(P->p, D->d);
    if (!w || !*sol) {
        cr_convex_free(w);
        cr_convex_sol_free(*sol);
        *sol = NULL;
        return cr_err_set(err, CR_ERUNTIME, "out of memory for the convex solver (n = %zu, d = %zu, p = %zu)",
                          D->n, D->d, P->p);
    }
    /* the program's display of the solve (--verbose: its log on stderr; else the bar on a terminal, not --quiet) */
    cr_solve_display *show = NULL;
    if (cfg->cli.verbose || !cfg->cli.quiet) show = cr_solve_display_start(cfg->cli.verbose, cfg->cli.quiet, o.tol);
    if (show) o.log = cr_solve_display_log, o.log_ctx = show;
    int st = cr_convex_solve(w, D->X, D->y, D->n, D->d, P, cfg->loss, cfg->beta, &o,
                             *sol, info, err);
    cr_solve_display_finish(show);
    cr_convex_free(w);
    if (st == CR_OK && info->status != CR_CONVEX_CONVERGED)
        st = cr_err_set(err, CR_ERUNTIME,
                        "convex solver stopped (%s) at relative gap %.3g > solver.tol = %.3g after %ld iterations",
                        cr_convex_status_name(info->status), info->rel_gap, cfg->solver.tol, info->iterations);
    if (st) {
        cr_convex_sol_free(*sol);
        *sol = NULL;
    }
    return st;
}

int cr_exp_mm_solve(const cr_config *cfg, cr_mm_work *w, const cr_data *D, const cr_patterns *P, double *U,
                    double *Up, double *lam, cr_mm_info *info, const char *what, cr_err *err)
{
    cr_mm_opts mo;
    cr_mm_opts_default(&mo);
    mo.tol = cfg->solver.tol;
    int st = cr_mm_solve(w, D->X, D->y, D->n, D->d, P, &mo, U, Up, lam, info, err);
    if (st == CR_OK && info->status != CR_MM_CONVERGED)
        st = cr_err_set(err, CR_ERUNTIME, "max-margin solver (%s) stopped (%s) at relative gap %.3g > solver.tol = %.3g",
                        what, cr_mm_status_name(info->status), info->rel_gap, cfg->solver.tol);
    return st;
}

int cr_exp_map_back(const cr_config *cfg, const cr_data *D, const cr_patterns *P, const cr_net *net, double *obj,
                    double *z, cr_err *err)
{
    cr_patterns *Q = cr_patterns_alloc(D->n, P->p + net->m);
    cr_convex_sol *back = NULL;
    size_t added = 0;
    int st = CR_OK;
    for (size_t i = 0; Q && !st && i < P->p; i++) st = cr_patterns_add(Q, cr_patterns_mask(P, i), err);
    if (!Q) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st) st = cr_convex_from_network(D->X, D->n, D->d, net->W1, net->w2, net->m, Q, 1, &back, &added, err);
    if (!st) *obj = cr_convex_objective(D->X, D->y, D->n, D->d, Q, cfg->loss, cfg->beta, back, z);
    cr_convex_sol_free(back);
    cr_patterns_free(Q);
    return st;
}

void cr_exp_train_opts(const cr_config *cfg, cr_train_opts *o)
{
    cr_train_defaults(o);
    o->loss = cfg->loss;
    o->beta = cfg->beta;
    o->iters = cfg->train.iters;
    o->batch = (size_t)cfg->train.batch;
    o->schedule = cfg->train.schedule;
    o->lr = cfg->train.lr;
    o->lr_factor = cfg->train.lr_factor;
    o->lr_every = cfg->train.lr_every;
    o->lr_t0 = cfg->train.lr_t0;
    o->grad_tol = cfg->train.grad_tol;
    o->log_every = cfg->train.log_every;
}

int cr_exp_train(const cr_config *cfg, const cr_data *D, size_t m, long seed, cr_train_log_fn log, void *ctx,
                 cr_net **net, cr_train_info *info, cr_err *err)
{
    cr_train_opts o;
    cr_exp_train_opts(cfg, &o);
    o.log = log;
    o.log_ctx = ctx;
    char purpose[64];
    snprintf(purpose, sizeof purpose, "init/%ld", seed);
    gsl_rng *init_rng = cr_rng_stream(cfg->seed, purpose);
    snprintf(purpose, sizeof purpose, "order/%ld", seed);
    gsl_rng *order_rng = cr_rng_stream(cfg->seed, purpose);
    *net = cr_net_alloc(D->d, m);
    cr_train_work *w = cr_train_work_alloc(D->n, D->d, m, o.batch);
    int st;
    if (!init_rng || !order_rng || !*net || !w) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory for training (m = %zu)", m);
    } else {
        st = cr_train_init(*net, cfg->train.init, cfg->train.scale, init_rng, err);
        if (!st) st = cr_train_run(w, *net, D->X, D->y, D->n, &o, order_rng, info, err);
    }
    gsl_rng_free(init_rng);
    gsl_rng_free(order_rng);
    cr_train_work_free(w);
    if (st) {
        cr_net_free(*net);
        *net = NULL;
    }
    return st;
}

int cr_exp_each_network(const cr_config *cfg, cr_run *run, const char *what, size_t maxw, cr_exp_network_fn fn,
                        void *ctx, cr_err *err)
{
    const int nmeth = cfg->width_sweep.sgd_batch > 0 ? 2 : 1;
    const size_t seeds = (size_t)cfg->train.seeds;
    cr_progress *prog = cr_progress_start(what, (double)((size_t)nmeth * maxw * seeds), !cr_run_quiet(run));
    int st = CR_OK;
    for (int meth = 0; !st && meth < nmeth; meth++) {
        cr_config c = *cfg;
        c.train.batch = meth == 0 ? 0 : cfg->width_sweep.sgd_batch;
        const char *mname = meth == 0 ? "gd" : "sgd";
        for (size_t m = 1; !st && m <= maxw; m++)
            for (long s = 1; !st && s <= cfg->train.seeds; s++) {
                if ((st = fn(ctx, &c, meth, mname, m, s, err))) cr_err_prefix(err, "%s, width %zu, seed %ld", mname, m, s);
                cr_progress_update(prog, (double)(((size_t)meth * maxw + m - 1) * seeds + (size_t)s));
            }
    }
    cr_progress_finish(prog);
    return st;
}

int cr_exp_close_tables(cr_csv **t, size_t k, cr_err *err)
{
    int st = CR_OK;
    for (size_t i = 0; i < k; i++) {
        if (!st) st = cr_csv_close(t[i], err);
        else cr_csv_abort(t[i]);
        t[i] = NULL;
    }
    return st;
}

void cr_exp_summary_convex(cr_run *run, const cr_config *cfg, const cr_patterns *P, double p_convex, double gap)
{
    cr_run_summary_str(run, "loss", cr_loss_name(cfg->loss));
    cr_run_summary_int(run, "p", (long long)P->p);
    cr_run_summary_real(run, "p_convex", p_convex);
    cr_run_summary_real(run, "gap", gap);
}

void cr_exp_csv_mask(cr_csv *c, const uint64_t *mask, size_t n, char *buf)
{
    for (size_t i = 0; i < n; i++) buf[i] = cr_mask_bit(mask, i) ? '1' : '0';
    buf[n] = 0;
    cr_csv_quoted(c, buf);
}

cr_csv *cr_exp_patterns_used_open(cr_run *run, cr_err *err)
{
    return cr_run_table(run, "patterns_used.csv", "run,quantity,value,pattern", err);
}

void cr_exp_patterns_used_add(cr_csv *t, long run_id, const char *quantity, double value, const cr_patterns *P)
{
    char small[256];
    char *buf = P->n + 1 <= sizeof small ? small : malloc(P->n + 1);
    for (size_t i = 0; i < P->p; i++) {
        cr_csv_int(t, run_id);
        cr_csv_str(t, quantity);
        cr_csv_real(t, value);
        if (buf) {
            cr_exp_patterns_used_pattern(t, P, i, buf);
        } else {
            cr_csv_real(t, NAN); /* no memory for the string: the table is marked failed, never written */
        }
        cr_csv_endrow(t);
    }
    if (buf != small) free(buf);
}

void cr_exp_patterns_used_pattern(cr_csv *t, const cr_patterns *P, size_t i, char *buf)
{
    cr_patterns_string(P, i, buf);
    cr_csv_quoted(t, buf);
}

cr_csv *cr_exp_samples_open(cr_run *run, cr_err *err)
{
    return cr_run_table(run, "samples.csv", "run,sample,label,x", err);
}

int cr_exp_samples_add(cr_csv *t, long run_id, const cr_data *D, cr_err *err)
{
    const size_t cap = D->d * 26 + 1;
    char *buf = malloc(cap);
    if (!buf) return cr_err_set(err, CR_ERUNTIME, "out of memory for a row of %zu features", D->d);
    for (size_t i = 0; i < D->n; i++) {
        size_t len = 0;
        for (size_t k = 0; k < D->d; k++) {
            char num[CR_CSV_REAL_MAX];
            cr_csv_format_real(num, sizeof num, D->X[i * D->d + k]);
            len += (size_t)snprintf(buf + len, cap - len, k ? " %s" : "%s", num);
        }
        cr_csv_int(t, run_id);
        cr_csv_int(t, (long long)i + 1);
        cr_csv_real(t, D->y[i]);
        cr_csv_quoted(t, buf);
        cr_csv_endrow(t);
    }
    free(buf);
    return CR_OK;
}

/* The geometry the pictures are drawn on: the unit circle mapped by X (the ellipse Xu), its rectification
 * (Xu)_+, and the lines x_i'u = 0 (d = 2, n = 2 only). */
int cr_exp_write_circle(cr_run *run, const cr_data *D, cr_err *err)
{
    cr_csv *c = cr_run_table(run, "circle.csv", "angle,u1,u2,z1,z2,z1_plus,z2_plus", err);
    if (!c) return CR_ERUNTIME;
    const int N = 720;
    for (int k = 0; k <= N; k++) {
        double t = 2 * M_PI * k / N, u[2] = {cos(t), sin(t)}, z[2], zp[2];
        cr_dualnorm_image(D->X, 2, 2, u, 1.0, z, zp);
        cr_csv_real(c, t);
        cr_csv_real(c, u[0]);
        cr_csv_real(c, u[1]);
        cr_csv_real(c, z[0]);
        cr_csv_real(c, z[1]);
        cr_csv_real(c, zp[0]);
        cr_csv_real(c, zp[1]);
        cr_csv_endrow(c);
    }
    int st = cr_csv_close(c, err);
    if (st) return st;
    double rays[4];
    size_t nr;
    cr_plane_arrangement_rays(D->X, 2, rays, &nr);
    if (!(c = cr_run_table(run, "lines.csv", "angle,u1,u2", err))) return CR_ERUNTIME;
    for (size_t k = 0; k < nr; k++) {
        cr_csv_real(c, rays[k]);
        cr_csv_real(c, cos(rays[k]));
        cr_csv_real(c, sin(rays[k]));
        cr_csv_endrow(c);
    }
    return cr_csv_close(c, err);
}
