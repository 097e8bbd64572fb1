/* `cvxrelu fit CONFIG --out DIR` (see cmd_fit.h, docs/fit.md): validates the config and the data before anything
 * is written, then trains the models of fit.model in a staging folder that replaces DIR whole. The convex model is
 * the `convex` experiment's computation (the same patterns, solve and support reduction, experiments/common.h)
 * reconstructed into a network; the gd model is one run of the trainer from the initialization stream "init/1". */
#include "cmd_fit.h"
#include "cmd_common.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "blas.h"
#include "common.h"
#include "dataload.h"
#include "fsutil.h"
#include "linalg.h"
#include "manifest.h"
#include "memlimit.h"
#include "metrics.h"
#include "timer.h"

#define MAX_SETS 128

static const char usage_text[] =
    "usage: cvxrelu fit CONFIG.yaml [--set key.path=value]... --out DIR [--quiet | --verbose]\n"
    "Trains on the config's data (data.*) the convex optimum over the patterns (patterns.*, solver.*, loss, beta),\n"
    "reconstructed as a network, and/or a gradient-descent network of train.width neurons (train.*), as fit.model\n"
    "says (convex | gd | both); the key experiment is optional and ignored. Writes DIR whole: model_convex.yaml\n"
    "and/or model_gd.yaml (the model format of docs/fit.md), metrics.csv (model,set,metric,value), summary.csv,\n"
    "gd_curve.csv, config.yaml, manifest.yaml. Exit status: 0 ok; 1 runtime failure (DIR records status failed);\n"
    "2 usage, config or data error (nothing written).\n"
    "--quiet: no progress bar, no closing line. --verbose: the convex solve prints one line per certificate on\n"
    "stderr (convex METHOD it I newton N cg C primal P dual D gap G rel_gap R active A sigma S T s), no bar.\n";

/* ------------------------------------------------------------------ signals */

static void on_signal(int sig)
{
    cr_atomic_cleanup_all();
    cr_fs_stage_cleanup_signal();
    signal(sig, SIG_DFL);
    raise(sig);
}

void cr_cmd_catch_signals(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

/* ------------------------------------------------------------------ metrics */

static void metric_row(cr_csv *t, cr_run *run, const char *model, const char *set, const char *metric, double v)
{
    cr_csv_str(t, model);
    cr_csv_str(t, set);
    cr_csv_str(t, metric);
    cr_csv_real(t, v);
    cr_csv_endrow(t);
    char key[128];
    snprintf(key, sizeof key, "%s_%s_%s", model, set, metric);
    cr_run_summary_real(run, key, v);
}

int cr_fit_write_metrics(cr_csv *t, cr_run *run, const cr_model *M, const char *set, const cr_data *D, cr_err *err)
{
    if (D->d != M->d)
        return cr_err_set(err, CR_EINPUT, "%s set has %zu features, the model %zu", set, D->d, M->d);
    double *f = malloc((D->n ? D->n : 1) * sizeof *f);
    if (!f) return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu predictions", D->n);
    int st = cr_model_predict(M, D->X, D->n, f, err);
    if (!st) {
        cr_metrics mt;
        cr_metrics_compute(f, D->y, D->n, &mt);
        const char *model = cr_model_kind_name(M->kind);
        metric_row(t, run, model, set, "n", (double)mt.n);
        metric_row(t, run, model, set, "mse", mt.mse);
        if (M->loss != CR_LOSS_SQUARED) {
            metric_row(t, run, model, set, "accuracy", mt.accuracy);
            metric_row(t, run, model, set, "logistic_loss", mt.logistic_loss);
            metric_row(t, run, model, set, "hinge_loss", mt.hinge_loss);
        }
    }
    free(f);
    return st;
}

/* ------------------------------------------------------------------ the models */

/* L_beta of M on D (docs/MATH.md): l(f, y) + beta/2 ||theta||^2, f by the forward pass. */
static int model_objective(const cr_model *M, const cr_data *D, double *obj, cr_err *err)
{
    double *f = malloc((D->n ? D->n : 1) * sizeof *f);
    if (!f) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = cr_model_predict(M, D->X, D->n, f, err);
    if (!st) *obj = cr_loss_value(M->loss, f, D->y, D->n) + 0.5 * M->beta * (M->net ? cr_net_norm2(M->net) : 0.0);
    free(f);
    return st;
}

/* The convex optimum over the config's patterns, its support reduced to m* blocks, reconstructed: neuron j comes
 * from the j-th nonzero block in cr_convex_to_network's order (i ascending, u_i before u'_i) and carries D_i. */
static int fit_convex(const cr_config *cfg, const cr_data *D, cr_run *run, cr_model **out, cr_err *err)
{
    cr_patterns *P = NULL;
    cr_convex_sol *sol = NULL;
    cr_convex_info info;
    cr_model *M = NULL;
    size_t mstar = 0, m = 0;
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (!st) st = cr_exp_convex_solve(cfg, D, P, &sol, &info, err);
    if (!st) cr_run_timing(run, "convex_solve_seconds", info.seconds);
    if (!st) st = cr_convex_reduce_support(D->X, D->n, D->d, P, sol, &mstar, err);
    if (!st && !(M = cr_model_alloc(D->d, mstar, D->n))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st && mstar) st = cr_convex_to_network(sol, M->net->W1, M->net->w2, mstar, &m, err);
    if (st) goto done;
    for (size_t i = 0, j = 0; i < sol->p; i++)
        for (int s = 0; s < 2; s++) {
            const double *u = (s == 0 ? sol->U : sol->Up) + i * D->d;
            if (cr_linalg_nrm2(u, D->d) == 0) continue;
            memcpy(M->patterns + j * M->words, cr_patterns_mask(P, i), M->words * sizeof *M->patterns);
            j++;
        }
    M->kind = CR_MODEL_CONVEX;
    M->loss = cfg->loss;
    M->beta = cfg->beta;
    if ((st = model_objective(M, D, &M->objective, err))) goto done;
    const double p_convex = cr_convex_objective(D->X, D->y, D->n, D->d, P, cfg->loss, cfg->beta, sol, NULL);
    cr_run_summary_int(run, "convex_patterns", (long long)P->p);
    cr_run_summary_real(run, "convex_p_convex", p_convex);
    cr_run_summary_real(run, "convex_dual_value", info.dual);
    cr_run_summary_real(run, "convex_rel_gap", info.rel_gap);
    cr_run_summary_int(run, "convex_iterations", info.iterations);
    cr_run_summary_int(run, "convex_width", (long long)mstar);
    cr_run_summary_real(run, "convex_objective", M->objective);
    cr_run_sanity(run, "convex: certified relative duality gap <= solver.tol", info.rel_gap, cfg->solver.tol, 0,
                  CR_CLAIM_LE);
    cr_run_sanity(run, "convex: L_beta(model) = p_convex (docs/MATH.md, Reconstruction)", M->objective, p_convex,
                  1e-9, CR_CLAIM_REL);
done:
    cr_convex_sol_free(sol);
    cr_patterns_free(P);
    if (st) cr_model_free(M);
    else *out = M;
    return st;
}

static int log_curve(void *ctx, const cr_train_row *row, const cr_net *net)
{
    cr_csv *c = ctx;
    cr_csv_int(c, row->iter);
    cr_csv_real(c, row->objective);
    cr_csv_real(c, row->loss);
    cr_csv_real(c, row->penalty);
    cr_csv_real(c, row->grad_norm);
    cr_csv_endrow(c);
    return 0;
}

/* One network of train.width neurons trained by cr_exp_train (initialization stream "init/1"); neuron j carries its
 * pattern 1(X w1_j >= 0) on the training set. */
static int fit_gd(const cr_config *cfg, const cr_data *D, cr_run *run, cr_model **out, cr_err *err)
{
    const size_t m = (size_t)cfg->train.width;
    cr_csv *curve = cr_run_table(run, "gd_curve.csv", "iter,objective,loss,penalty,grad_norm", err);
    if (!curve) return CR_ERUNTIME;
    cr_net *net = NULL;
    cr_train_info ti;
    cr_model *M = NULL;
    int st = cr_exp_train(cfg, D, m, 1, log_curve, curve, &net, &ti, err);
    if (!st) st = cr_csv_close(curve, err);
    else cr_csv_abort(curve);
    if (!st && !(M = cr_model_alloc(D->d, m, D->n))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st) st = cr_net_copy(M->net, net) ? cr_err_set(err, CR_ERUNTIME, "network shapes differ") : CR_OK;
    if (!st) {
        for (size_t j = 0; j < m; j++)
            cr_patterns_direction(D->X, D->n, D->d, M->net->W1 + j, m, M->patterns + j * M->words);
        M->kind = CR_MODEL_GD;
        M->loss = cfg->loss;
        M->beta = cfg->beta;
        st = model_objective(M, D, &M->objective, err);
    }
    if (!st) {
        cr_run_timing(run, "gd_train_seconds", ti.seconds);
        cr_run_summary_int(run, "gd_width", (long long)m);
        cr_run_summary_int(run, "gd_iterations", ti.iterations);
        cr_run_summary_real(run, "gd_grad_norm", ti.grad_norm);
        cr_run_summary_int(run, "gd_converged", ti.converged);
        cr_run_summary_real(run, "gd_objective", M->objective);
        cr_run_sanity(run, "gd: L_beta(model) = the trainer's final objective", M->objective, ti.objective, 1e-9,
                      CR_CLAIM_REL);
    }
    cr_net_free(net);
    if (st) cr_model_free(M);
    else *out = M;
    return st;
}

/* Writes M as DIR/model_KIND.yaml and reads it back: the file must give the same bits. */
static int save_model(cr_run *run, const cr_model *M, cr_err *err)
{
    char path[CR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/model_%s.yaml", cr_run_dir(run), cr_model_kind_name(M->kind));
    int st = cr_model_write(M, path, err);
    cr_model *back = NULL;
    if (!st) st = cr_model_read(path, &back, err);
    if (!st)
        cr_run_sanity(run, cr_model_kind_name(M->kind)[0] == 'c' ? "convex: the model file reads back bit for bit"
                                                                 : "gd: the model file reads back bit for bit",
                      cr_model_identical(M, back), 1, 0, CR_CLAIM_ABS);
    else st = CR_ERUNTIME; /* a file this program just wrote that does not read back is not bad input */
    cr_model_free(back);
    return st;
}

/* The input transform the loader applied to train (dataload.c, docs/data.md), for the model file. */
static void fit_input(const cr_config *cfg, const cr_data *train, cr_model_input *in)
{
    memset(in, 0, sizeof *in);
    in->recorded = 1;
    const int real = cfg->data.kind == CR_CONFIG_DATA_CSV || cfg->data.kind == CR_CONFIG_DATA_IDX;
    in->source = cfg->data.kind == CR_CONFIG_DATA_CSV   ? CR_MODEL_SOURCE_CSV
                 : cfg->data.kind == CR_CONFIG_DATA_IDX ? CR_MODEL_SOURCE_IDX
                                                        : CR_MODEL_SOURCE_SYNTHETIC;
    static const char delims[] = {[CR_CONFIG_DELIM_COMMA] = ',', [CR_CONFIG_DELIM_SEMICOLON] = ';',
                                  [CR_CONFIG_DELIM_TAB] = '\t'};
    in->delimiter = delims[cfg->data.delimiter];
    in->header = cfg->data.header;
    in->skip_rows = cfg->data.skip_rows;
    snprintf(in->label_column, sizeof in->label_column, "%s", cfg->data.label_column);
    in->labels01 = cfg->data.labels01 == CR_CONFIG_LABELS01_MAP;
    if (real) {
        in->nneg = cfg->data.classes_neg.len;
        in->npos = cfg->data.classes_pos.len;
        memcpy(in->classes_neg, cfg->data.classes_neg.v, in->nneg * sizeof(long));
        memcpy(in->classes_pos, cfg->data.classes_pos.v, in->npos * sizeof(long));
        in->project_d = cfg->data.project_d;
        in->bias = cfg->data.bias == CR_CONFIG_YES;
    }
    in->d_raw = in->project_d > 0 ? 0 : train->d - (size_t)in->bias;
    in->mean = train->mean;
    in->scale = train->scale;
}

int cr_fit_models(const cr_config *cfg, const cr_data *train, const cr_data *test, cr_run *run, cr_err *err)
{
    cr_run_summary_str(run, "loss", cr_loss_name(cfg->loss));
    cr_run_summary_real(run, "beta", cfg->beta);
    cr_run_summary_int(run, "n", (long long)train->n);
    cr_run_summary_int(run, "d", (long long)train->d);
    if (test) cr_run_summary_int(run, "n_test", (long long)test->n);
    cr_model *models[2] = {NULL, NULL};
    size_t nm = 0;
    int st = CR_OK;
    if (cfg->fit.model != CR_CONFIG_FIT_GD) st = fit_convex(cfg, train, run, &models[nm++], err);
    if (!st && cfg->fit.model != CR_CONFIG_FIT_CONVEX) st = fit_gd(cfg, train, run, &models[nm++], err);
    cr_csv *t = st ? NULL : cr_run_table(run, "metrics.csv", "model,set,metric,value", err);
    if (!st && !t) st = CR_ERUNTIME;
    cr_model_input in;
    fit_input(cfg, train, &in);
    for (size_t i = 0; !st && i < nm; i++) {
        st = cr_model_set_input(models[i], &in, err);
        if (!st) st = save_model(run, models[i], err);
        if (!st) st = cr_fit_write_metrics(t, run, models[i], "train", train, err);
        if (!st && test) st = cr_fit_write_metrics(t, run, models[i], "test", test, err);
    }
    if (t) {
        if (st) cr_csv_abort(t);
        else st = cr_csv_close(t, err);
    }
    for (size_t i = 0; i < nm; i++) cr_model_free(models[i]);
    return st;
}

/* ------------------------------------------------------------------ the subcommand */

typedef struct {
    const char *config, *out;
    const char *sets[MAX_SETS];
    size_t nset;
    int quiet, verbose, help;
} fit_args;

static int parse_args(int argc, char **argv, fit_args *a, cr_err *err)
{
    memset(a, 0, sizeof *a);
    int options = 1;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i], *v = NULL;
        if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (options && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
            a->help = 1;
        } else if (options && cr_cli_option("--set", argc, argv, &i, &v)) {
            if (cr_cli_add_set(a->sets, &a->nset, MAX_SETS, v, err)) return CR_EINPUT;
        } else if (options && cr_cli_option("--out", argc, argv, &i, &v)) {
            if (!v || !*v) return cr_err_set(err, CR_EINPUT, "--out needs a folder");
            a->out = v;
        } else if (options && strcmp(s, "--quiet") == 0) {
            a->quiet = 1;
        } else if (options && strcmp(s, "--verbose") == 0) {
            a->verbose = 1;
        } else if (options && s[0] == '-' && s[1]) {
            return cr_err_set(err, CR_EINPUT, "fit: unknown option %s (see cvxrelu fit --help)", s);
        } else if (!a->config) {
            a->config = s;
        } else {
            return cr_err_set(err, CR_EINPUT, "fit: unexpected argument %s (one config)", s);
        }
    }
    if (a->help) return CR_OK;
    if (a->quiet && a->verbose) return cr_err_set(err, CR_EINPUT, "fit: --quiet and --verbose exclude each other");
    if (!a->config) return cr_err_set(err, CR_EINPUT, "fit: missing CONFIG.yaml (see cvxrelu fit --help)");
    if (!a->out) return cr_err_set(err, CR_EINPUT, "fit: missing --out DIR (see cvxrelu fit --help)");
    struct stat st;
    if (stat(a->config, &st) == 0 && S_ISDIR(st.st_mode))
        return cr_err_set(err, CR_EINPUT, "%s: is a folder, expected a YAML config file", a->config);
    return CR_OK;
}

#define die cr_cli_die


/* The config's data set, with every input check before anything is written. */
/* msg (cap bytes, rewritten in place) with the staging folder's path replaced by the output folder's. */
static void rename_in_message(char *msg, size_t cap, const char *stagedir, const char *outdir)
{
    char copy[sizeof(((cr_err *)0)->msg)];
    snprintf(copy, sizeof copy, "%s", msg);
    cr_cli_stage_message(msg, cap, copy, stagedir, outdir);
}

static int load_input(const fit_args *a, cr_config *cfg, cr_data **data, cr_err *err)
{
    int st = cr_config_load_fit(a->config, a->sets, a->nset, cfg, err);
    cfg->cli.verbose = a->verbose, cfg->cli.quiet = a->quiet;
    if (!st) st = cr_limits_check_config(cfg, err);
    if (!st) st = cr_dataload_from_config(cfg, data, err);
    if (!st) st = cr_dataload_check_labels(cfg, *data, err);
    if (!st) st = cr_limits_check(cfg, (*data)->n, (*data)->d, err);
    if (!st) st = cr_fs_check_outdir("--out", a->out, err);
    return st;
}

void cr_cmd_fit_usage(FILE *f)
{
    fputs(usage_text, f);
}

int cr_cmd_fit(int argc, char **argv)
{
    cr_err err = {{0}};
    fit_args a;
    if (parse_args(argc, argv, &a, &err)) return die(CR_EINPUT, err.msg);
    if (a.help) {
        cr_cmd_fit_usage(stdout);
        return 0;
    }
    static cr_config cfg;
    cr_data *data = NULL;
    int st = load_input(&a, &cfg, &data, &err);
    if (st) {
        cr_data_free(data);
        return die(st, err.msg);
    }
    /* Everything is validated: from here on, files may be written. */
    cr_cmd_catch_signals();
    cr_fs_stage *stage = NULL;
    if (cr_fs_stage_begin(a.out, &stage, &err)) {
        cr_data_free(data);
        return die(CR_ERUNTIME, err.msg);
    }
    const char *stagedir = cr_fs_stage_dir(stage);
    char command[4096];
    cr_cli_join_command(argc, argv, command, sizeof command);
    cr_manifest man = {.cfg = &cfg, .command = command, .status = "ok"};
    cr_manifest_start(&man);
    man.blas_threads = cr_blas_set_threads((int)cfg.threads);
    double t0 = cr_seconds();
    cr_run *run = cr_run_alloc(stagedir, a.quiet);
    if (!run) {
        cr_fs_stage_abort(stage, 0);
        cr_data_free(data);
        return die(CR_ERUNTIME, "out of memory");
    }
    /* The held-out set of data.test_path (csv) or data.test_path/test_labels_path (idx), when the config has one. */
    const cr_data *test = data->test;
    st = cr_fit_models(&cfg, data, test, run, &err);
    if (!st && cr_run_sanity_failed(run)) st = cr_err_set(&err, CR_ERUNTIME, "a sanity check failed (sanity.csv)");
    rename_in_message(err.msg, sizeof err.msg, stagedir, a.out);
    if (st) {
        /* The input was accepted above: whatever fails now is a runtime failure, recorded as such. */
        st = CR_ERUNTIME;
        man.status = "failed";
        man.error = err.msg;
        cr_run_summary_str(run, "status", "failed");
        cr_run_summary_str(run, "error", err.msg);
    } else {
        cr_run_summary_str(run, "status", "ok");
    }
    cr_err werr = {{0}};
    int wst = cr_run_finish(run, &werr);
    char *dump = cr_config_dump(&cfg);
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/config.yaml", stagedir);
    if (!wst) wst = dump ? cr_atomic_write_file(path, dump, &werr) : cr_err_set(&werr, CR_ERUNTIME, "out of memory");
    free(dump);
    man.wall_seconds = cr_seconds() - t0;
    man.run = run;
    if (!wst) wst = cr_manifest_write(&man, stagedir, &werr);
    cr_run_free(run);
    cr_data_free(data);
    if (wst) {
        rename_in_message(werr.msg, sizeof werr.msg, stagedir, a.out);
        cr_fs_stage_abort(stage, 1);
        if (st) fprintf(stderr, "cvxrelu: %s\n", err.msg);
        return die(CR_ERUNTIME, werr.msg);
    }
    if (cr_fs_stage_commit(stage, &werr)) {
        if (st) fprintf(stderr, "cvxrelu: %s\n", err.msg);
        return die(CR_ERUNTIME, werr.msg);
    }
    if (st) return die(CR_ERUNTIME, err.msg);
    if (!a.quiet) fprintf(stderr, "cvxrelu: fit: models in %s (%.2f s)\n", a.out, man.wall_seconds);
    return 0;
}
