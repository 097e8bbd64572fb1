/* `cvxrelu predict MODEL DATA.csv --out DIR` (see cmd_predict.h, docs/fit.md): the model file and the data are read
 * and checked before anything is written; then DIR is built in a staging folder and replaces DIR whole:
 * predictions.csv (sample,prediction; for logistic and hinge models also class; for logistic also probability),
 * metrics.csv (metric,value; only when DATA has labels), summary.csv, manifest.yaml. DATA holds raw rows as fit
 * read them (data.path's layout, read by the same loader with the CSV options the model's input section records),
 * with or without the label; fit's transforms (class selection, standardization, bias) are replayed on them. */
#include "cmd_predict.h"
#include "cmd_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "atomic.h"
#include "blas.h"
#include "cmd_fit.h"
#include "config.h"
#include "dataload.h"
#include "fsutil.h"
#include "manifest.h"
#include "memlimit.h"
#include "metrics.h"
#include "model.h"
#include "run.h"
#include "timer.h"

static const char usage_text[] =
    "usage: cvxrelu predict MODEL.yaml DATA.csv --out DIR [--quiet]\n"
    "Predicts with a model written by `cvxrelu fit` (docs/fit.md) on the raw rows of DATA.csv, laid out as fit's data\n"
    "(delimiter, header, label column as the model's input section records), with or without the label; fit's\n"
    "standardization and bias feature are replayed (a model fit on projected or IDX data is refused). Writes DIR whole: predictions.csv (sample,prediction; class = sign for logistic\n"
    "and hinge models, probability = 1/(1+exp(-prediction)) for logistic ones), metrics.csv (metric,value: n, mse;\n"
    "accuracy, logistic_loss, hinge_loss for logistic and hinge; only when DATA has labels), summary.csv and\n"
    "manifest.yaml. Exit status: 0 ok; 1 runtime failure; 2 usage, model or data error (nothing written).\n";

typedef struct {
    const char *model, *data, *out;
    int quiet, help;
} predict_args;

#define die cr_cli_die

static int parse_args(int argc, char **argv, predict_args *a, cr_err *err)
{
    memset(a, 0, sizeof *a);
    int options = 1;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i], *v = NULL;
        if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (options && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
            a->help = 1;
        } else if (options && cr_cli_option("--out", argc, argv, &i, &v)) {
            if (!v || !*v) return cr_err_set(err, CR_EINPUT, "--out needs a folder");
            a->out = v;
        } else if (options && strcmp(s, "--quiet") == 0) {
            a->quiet = 1;
        } else if (options && s[0] == '-' && s[1]) {
            return cr_err_set(err, CR_EINPUT, "predict: unknown option %s (see cvxrelu predict --help)", s);
        } else if (!a->model) {
            a->model = s;
        } else if (!a->data) {
            a->data = s;
        } else {
            return cr_err_set(err, CR_EINPUT, "predict: unexpected argument %s (one model, one data file)", s);
        }
    }
    if (a->help) return CR_OK;
    if (!a->model || !a->data)
        return cr_err_set(err, CR_EINPUT, "predict: expected MODEL.yaml DATA.csv (see cvxrelu predict --help)");
    if (!a->out) return cr_err_set(err, CR_EINPUT, "predict: missing --out DIR (see cvxrelu predict --help)");
    return CR_OK;
}

/* A model whose input transform predict cannot replay: one line saying why (CR_EINPUT), else CR_OK. */
static int check_replay(const char *model, const cr_model *M, cr_err *err)
{
    const cr_model_input *in = &M->input;
    if (in->recorded && in->project_d > 0)
        return cr_err_set(err, CR_EINPUT,
                          "%s: input.project_d: the model was fit on data projected to %ld features (data.project_d); "
                          "predict does not replay a projection (not supported)",
                          model, in->project_d);
    if (in->recorded && in->source == CR_MODEL_SOURCE_IDX)
        return cr_err_set(err, CR_EINPUT,
                          "%s: input.source: the model was fit on IDX data (data.kind idx); predict reads CSV rows and "
                          "does not replay IDX loading (not supported)",
                          model);
    return CR_OK;
}

/* The data file as the model's d features per row and, when it has the label too, labels (*labeled = 1). A model
 * with an input section (docs/fit.md) reads the file with fit's CSV options and replays fit's transforms with the
 * loader's functions (class selection, standardization with the recorded means and scales, the bias feature); the
 * labels of a classification model must then be -1 or +1. */
static int load_data(const char *path, const cr_model *M, cr_data **out, int *labeled, cr_err *err)
{
    const cr_model_input *in = &M->input;
    const size_t rd = in->recorded ? in->d_raw : M->d; /* features of a raw row */
    cr_dataload_csv_opts o;
    cr_dataload_csv_opts_default(&o);
    if (in->recorded) {
        o.delimiter = in->delimiter;
        o.header = in->header;
        o.skip_rows = in->skip_rows;
    }
    /* First the columns as they are (the last one taken for the label), to tell labelled from unlabelled rows. */
    cr_data *raw = NULL, *D = NULL;
    int st = cr_dataload_csv_with(path, &o, cr_limits_default_mb(), &raw, err);
    if (st) return st;
    if (raw->d == rd) {
        *labeled = 1;
        if (in->recorded && (in->label_column[0] || in->labels01)) {
            /* Labelled: read again with fit's label column and label mapping. */
            cr_data_free(raw);
            raw = NULL;
            o.label_column = in->label_column;
            o.labels01 = in->labels01;
            if ((st = cr_dataload_csv_with(path, &o, cr_limits_default_mb(), &raw, err))) return st;
        }
        D = raw;
        if (in->nneg + in->npos &&
            cr_data_keep_classes(D, in->classes_neg, in->nneg, in->classes_pos, in->npos) == 0) {
            cr_data_free(D);
            return cr_err_set(err, CR_EINPUT, "%s: no sample with a label of the model's input.classes_neg or "
                                              "input.classes_pos", path);
        }
        for (size_t i = 0; M->loss != CR_LOSS_SQUARED && i < D->n; i++)
            if (D->y[i] != 1.0 && D->y[i] != -1.0) {
                st = cr_err_set(err, CR_EINPUT,
                                "%s: data row %zu: label: expected -1 or +1 for a %s model, got %g%s", path, i + 1,
                                cr_loss_name(M->loss), D->y[i],
                                in->recorded && in->labels01 ? " (after the model's input.labels01)" : "");
                cr_data_free(D);
                return st;
            }
    } else if (raw->d + 1 == rd) {
        /* No labels: the loader's last column is the last feature. */
        *labeled = 0;
        D = cr_data_alloc(raw->n, rd);
        if (!D) {
            cr_data_free(raw);
            return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
        }
        for (size_t i = 0; i < raw->n; i++) {
            memcpy(D->X + i * rd, raw->X + i * raw->d, raw->d * sizeof(double));
            D->X[i * rd + raw->d] = raw->y[i];
            D->y[i] = 0.0;
        }
        cr_data_free(raw);
    } else {
        if (in->recorded && in->bias)
            st = cr_err_set(err, CR_EINPUT,
                            "%s: expected %zu columns (the model's %zu input features, then its bias feature makes d = "
                            "%zu) or %zu (then the label), got %zu",
                            path, rd, rd, M->d, rd + 1, raw->d + 1);
        else
            st = cr_err_set(err, CR_EINPUT,
                            "%s: expected %zu columns (the model's d = %zu features) or %zu (then the label), got %zu",
                            path, rd, rd, rd + 1, raw->d + 1);
        cr_data_free(raw);
        return st;
    }
    if (in->recorded && in->mean) cr_data_standardize_apply(D, in->mean, in->scale);
    if (in->recorded && in->bias && (st = cr_data_append_bias(D, 1.0, err))) {
        cr_data_free(D);
        return st;
    }
    *out = D;
    return CR_OK;
}

static int write_predictions(cr_run *run, const cr_model *M, const double *f, size_t n, cr_err *err)
{
    const char *header = M->loss == CR_LOSS_LOGISTIC ? "sample,prediction,class,probability"
                         : M->loss == CR_LOSS_HINGE  ? "sample,prediction,class"
                                                     : "sample,prediction";
    cr_csv *t = cr_run_table(run, "predictions.csv", header, err);
    if (!t) return CR_ERUNTIME;
    for (size_t i = 0; i < n; i++) {
        cr_csv_int(t, (long long)i + 1);
        cr_csv_real(t, f[i]);
        if (M->loss != CR_LOSS_SQUARED) cr_csv_int(t, (long long)cr_metrics_class(f[i]));
        if (M->loss == CR_LOSS_LOGISTIC) cr_csv_real(t, cr_metrics_probability(f[i]));
        cr_csv_endrow(t);
    }
    return cr_csv_close(t, err);
}

static int write_metrics(cr_run *run, const cr_model *M, const double *f, const cr_data *D, cr_err *err)
{
    cr_csv *t = cr_run_table(run, "metrics.csv", "metric,value", err);
    if (!t) return CR_ERUNTIME;
    cr_metrics mt;
    cr_metrics_compute(f, D->y, D->n, &mt);
    const char *names[] = {"n", "mse", "accuracy", "logistic_loss", "hinge_loss"};
    const double vals[] = {(double)mt.n, mt.mse, mt.accuracy, mt.logistic_loss, mt.hinge_loss};
    const size_t rows = M->loss == CR_LOSS_SQUARED ? 2 : 5;
    for (size_t k = 0; k < rows; k++) {
        cr_csv_str(t, names[k]);
        cr_csv_real(t, vals[k]);
        cr_csv_endrow(t);
        cr_run_summary_real(run, names[k], vals[k]);
    }
    return cr_csv_close(t, err);
}

static int write_manifest(const char *dir, const predict_args *a, const char *command, const char *started,
                          double seconds, const char *status, const char *error, cr_err *err)
{
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    cr_atomic *at = cr_atomic_open(path, err);
    if (!at) return CR_ERUNTIME;
    FILE *f = cr_atomic_stream(at);
    fprintf(f, "cvxrelu_version: %s\ngit_commit: %s\ncommand: ", CR_VERSION, cr_manifest_git_commit());
    cr_yaml_quote(f, command);
    fputs("\nsubcommand: predict\nmodel: ", f);
    cr_yaml_quote(f, a->model);
    fputs("\ndata: ", f);
    cr_yaml_quote(f, a->data);
    fprintf(f, "\nblas_config: ");
    cr_yaml_quote(f, cr_blas_config());
    fprintf(f, "\nstarted_utc: %s\nwall_seconds: %.3f\nstatus: %s\n", started, seconds, status);
    if (error) {
        fputs("error: ", f);
        cr_yaml_quote(f, error);
        fputc('\n', f);
    }
    return cr_atomic_commit(at, err);
}

void cr_cmd_predict_usage(FILE *f)
{
    fputs(usage_text, f);
}

int cr_cmd_predict(int argc, char **argv)
{
    cr_err err = {{0}};
    predict_args a;
    if (parse_args(argc, argv, &a, &err)) return die(CR_EINPUT, err.msg);
    if (a.help) {
        cr_cmd_predict_usage(stdout);
        return 0;
    }
    cr_model *M = NULL;
    cr_data *D = NULL;
    int labeled = 0;
    int st = cr_model_read(a.model, &M, &err);
    if (!st) st = check_replay(a.model, M, &err);
    if (!st) st = load_data(a.data, M, &D, &labeled, &err);
    if (!st) st = cr_fs_check_outdir("--out", a.out, &err);
    if (st) {
        cr_model_free(M);
        cr_data_free(D);
        return die(st, err.msg);
    }
    /* Everything is validated: from here on, files may be written. */
    cr_cmd_catch_signals();
    cr_blas_set_threads(1);
    cr_manifest clock = {0};
    cr_manifest_start(&clock);
    double t0 = cr_seconds();
    cr_fs_stage *stage = NULL;
    cr_run *run = NULL;
    double *f = malloc((D->n ? D->n : 1) * sizeof *f);
    if (!f) st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
    if (!st) st = cr_fs_stage_begin(a.out, &stage, &err);
    if (!st && !(run = cr_run_alloc(cr_fs_stage_dir(stage), a.quiet))) st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
    if (st) {
        cr_fs_stage_abort(stage, 0);
        free(f);
        cr_model_free(M);
        cr_data_free(D);
        return die(CR_ERUNTIME, err.msg);
    }
    cr_run_summary_str(run, "model", a.model);
    cr_run_summary_str(run, "data", a.data);
    cr_run_summary_str(run, "kind", cr_model_kind_name(M->kind));
    cr_run_summary_str(run, "loss", cr_loss_name(M->loss));
    cr_run_summary_int(run, "d", (long long)M->d);
    cr_run_summary_int(run, "width", (long long)M->m);
    cr_run_summary_int(run, "samples", (long long)D->n);
    cr_run_summary_int(run, "labeled", labeled);
    st = cr_model_predict(M, D->X, D->n, f, &err);
    if (!st) st = write_predictions(run, M, f, D->n, &err);
    if (!st && labeled) st = write_metrics(run, M, f, D, &err);
    cr_run_summary_str(run, "status", st ? "failed" : "ok");
    if (st) cr_run_summary_str(run, "error", err.msg);
    char command[4096];
    cr_cli_join_command(argc, argv, command, sizeof command);
    cr_err werr = {{0}};
    int wst = cr_run_finish(run, &werr);
    if (!wst)
        wst = write_manifest(cr_fs_stage_dir(stage), &a, command, clock.started_utc, cr_seconds() - t0,
                             st ? "failed" : "ok", st ? err.msg : NULL, &werr);
    cr_run_free(run);
    free(f);
    size_t n = D->n;
    cr_model_free(M);
    cr_data_free(D);
    if (wst) {
        cr_fs_stage_abort(stage, 1);
        if (st) fprintf(stderr, "cvxrelu: %s\n", err.msg);
        return die(CR_ERUNTIME, werr.msg);
    }
    if (cr_fs_stage_commit(stage, &werr)) {
        if (st) fprintf(stderr, "cvxrelu: %s\n", err.msg);
        return die(CR_ERUNTIME, werr.msg);
    }
    if (st) return die(CR_ERUNTIME, err.msg);
    if (!a.quiet) fprintf(stderr, "cvxrelu: predict: %zu predictions in %s\n", n, a.out);
    return 0;
}
