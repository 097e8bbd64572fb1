/* Slide "Implicit regularization": gradient descent on the logistic loss of a linear model, no
 * regularization; its direction w_t / ||w_t|| tends to the hard-margin SVM argmin 1/2||w||^2 s.t.
 * y_i w'x_i >= 1 (solved to a certified gap). Logs cos(w_t, w_svm) at log-spaced steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"
#include "linalg.h"
#include "linear_logistic.h"
#include "svm.h"

typedef struct {
    cr_csv *curve;
    const double *wsvm;
    size_t d;
    long next; /* next step to record (geometric spacing, about 20 per decade) */
    double last_cos;
} lin_ctx;

static double cosine(const double *a, const double *b, size_t d)
{
    return cr_linalg_dot(a, b, d) / sqrt(cr_linalg_dot(a, a, d) * cr_linalg_dot(b, b, d));
}

static int record(void *vctx, long t, const double *w, double loss)
{
    lin_ctx *c = vctx;
    c->last_cos = cosine(w, c->wsvm, c->d);
    if (t < c->next) return 0;
    cr_csv_int(c->curve, t);
    cr_csv_real(c->curve, c->last_cos);
    cr_csv_real(c->curve, loss);
    cr_csv_real(c->curve, cr_linalg_nrm2(w, c->d));
    cr_csv_endrow(c->curve);
    long step = (long)ceil((double)c->next * 0.122); /* 10^(1/20) - 1 */
    c->next += step > 0 ? step : 1;
    return 0;
}

/* The hard-margin SVM exists only for data linearly separable through the origin; its least-distance solve
 * certifies infeasibility (a Farkas vector), so data it refuses is refused before anything is written. A
 * numerical failure here is left to the run, which records it. */
int cr_exp_linear_margin_check(const cr_config *cfg, const cr_data *D, cr_err *err)
{
    cr_svm_work *sw = cr_svm_alloc(D->n, D->d);
    double *w = calloc(D->d, sizeof *w);
    cr_svm_info si;
    cr_err e = {{0}};
    int st = (sw && w) ? cr_svm_solve(sw, D->X, D->y, D->n, D->d, 1e-10, w, NULL, &si, &e) : CR_OK;
    cr_svm_free(sw);
    free(w);
    if (st != CR_EINPUT) return CR_OK;
    return cr_err_set(err, CR_EINPUT, "%s: experiment linear_margin needs data linearly separable through the origin "
                                      "(data.kind %s%s): %s", cfg->file, cr_config_data_kind_name(cfg->data.kind),
                      cfg->data.kind == CR_CONFIG_DATA_GAUSSIAN ? "; set data.labels: linear" : "", e.msg);
}

int cr_exp_linear_margin(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    double *wsvm = calloc(d, sizeof *wsvm), *w = calloc(d, sizeof *w), *scratch = malloc(n * sizeof *scratch);
    cr_svm_work *sw = cr_svm_alloc(n, d);
    cr_csv *curve = NULL;
    cr_svm_info si;
    int st = (!wsvm || !w || !scratch || !sw) ? cr_err_set(err, CR_ERUNTIME, "out of memory") : CR_OK;
    if (!st) st = cr_svm_solve(sw, D->X, D->y, n, d, 1e-10, wsvm, NULL, &si, err);
    if (st == CR_EINPUT) cr_err_prefix(err, "linear_margin needs linearly separable data");
    if (!st && !(curve = cr_run_table(run, "curve.csv", "t,cos_to_svm,loss,norm_w", err))) st = CR_ERUNTIME;
    lin_ctx ctx = {.curve = curve, .wsvm = wsvm, .d = d, .next = 1, .last_cos = NAN};
    if (!st) st = cr_linear_logistic_gd(D->X, D->y, n, d, cfg->train.lr, cfg->train.iters, record, &ctx, w, scratch, err);
    if (!st) {
        st = cr_csv_close(curve, err);
        curve = NULL;
    }
    if (!st) {
        cr_run_summary_int(run, "n", (long long)n);
        cr_run_summary_int(run, "d", (long long)d);
        cr_run_summary_real(run, "svm_half_norm2", si.primal);
        cr_run_summary_real(run, "svm_rel_gap", si.rel_gap);
        cr_run_summary_int(run, "svm_support", (long long)si.support);
        cr_run_summary_int(run, "iterations", cfg->train.iters);
        cr_run_summary_real(run, "final_cos", ctx.last_cos);
        /* Sanity: the reference is solved to its certificate (a solver check, not a statement of the slides). */
        cr_run_sanity(run, "hard-margin SVM solved to a certified relative gap <= 1e-10", si.rel_gap, 1e-10, 0,
                      CR_CLAIM_LE);
        cr_run_claim(run, "[Implicit regularization] linear model: cos(w_t, w_svm) >= 0.999 at the end of gradient "
                          "descent",
                     ctx.last_cos, 0.999, 0, CR_CLAIM_GE);
    }
    cr_csv_abort(curve);
    cr_svm_free(sw);
    free(wsvm);
    free(w);
    free(scratch);
    return st;
}
