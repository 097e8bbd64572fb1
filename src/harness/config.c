/* Config schema, YAML loading (libyaml document API), `--set` overrides, validation and the resolved dump.
 * One table (schema[]) drives defaults, parsing, range checks, the dump and the reference documentation,
 * so the file parser and `--set` cannot disagree; one table per enum maps its names to its values.
 * Messages: file:line:col: key: expected ..., got "...". */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "memlimit.h"
#include "rng.h"

/* ------------------------------------------------------------------- enums */

/* The values 0 .. count - 1 of an enum key and their names: the one table that parsing, the dump, the
 * reference and the messages read. A library enum keeps its names in the library (name); the config's own
 * enums and the convex method, whose module has no names, keep them here (names, indexed by value). */
typedef struct {
    int count;
    const char *const *names; /* names[v]; NULL: name(v) */
    const char *(*name)(int v);
} enum_type;

static const char *loss_name(int v) { return cr_loss_name((cr_loss_kind)v); }
static const char *lr_name(int v) { return cr_lr_name((cr_lr_kind)v); }
static const char *init_name(int v) { return cr_init_name((cr_init_kind)v); }

#define EXP_NAME(ID, name, ...) [CR_EXP_##ID] = #name,
static const char *const experiment_names[] = {CR_EXPERIMENT_LIST(EXP_NAME)};
#undef EXP_NAME
static const char *const data_kind_names[] = {[CR_CONFIG_DATA_GAUSSIAN] = "gaussian",
                                              [CR_CONFIG_DATA_ORTHSEP] = "orthsep", [CR_CONFIG_DATA_SLIDE] = "slide",
                                              [CR_CONFIG_DATA_CSV] = "csv", [CR_CONFIG_DATA_IDX] = "idx"};
static const char *const header_names[] = {[CR_CONFIG_HEADER_AUTO] = "auto", [CR_CONFIG_HEADER_YES] = "yes",
                                           [CR_CONFIG_HEADER_NO] = "no"};
static const char *const delim_names[] = {[CR_CONFIG_DELIM_COMMA] = "comma",
                                          [CR_CONFIG_DELIM_SEMICOLON] = "semicolon", [CR_CONFIG_DELIM_TAB] = "tab"};
static const char *const yesno_names[] = {[CR_CONFIG_NO] = "no", [CR_CONFIG_YES] = "yes"};
static const char *const labels01_names[] = {[CR_CONFIG_LABELS01_KEEP] = "keep", [CR_CONFIG_LABELS01_MAP] = "map"};
static const char *const labels_names[] = {[CR_LABELS_PLANTED] = "planted", [CR_LABELS_SIGN] = "sign",
                                           [CR_LABELS_LINEAR] = "linear"};
static const char *const patterns_names[] = {[CR_CONFIG_PATTERNS_EXACT] = "exact",
                                             [CR_CONFIG_PATTERNS_SAMPLE] = "sample", [CR_CONFIG_PATTERNS_FILE] = "file"};
static const char *const fit_model_names[] = {[CR_CONFIG_FIT_CONVEX] = "convex", [CR_CONFIG_FIT_GD] = "gd",
                                              [CR_CONFIG_FIT_BOTH] = "both"};
static const char *const solver_names[] = {[CR_CONVEX_AUTO] = "auto", [CR_CONVEX_FISTA] = "fista",
                                           [CR_CONVEX_SSNAL] = "ssnal", [CR_CONVEX_IPM] = "ipm",
                                           [CR_CONVEX_SSNAL_CG] = "ssnal_cg"};

#define NAMES(a) {(int)(sizeof a / sizeof a[0]), a, NULL}
static const enum_type E_EXPERIMENT = NAMES(experiment_names), E_DATA_KIND = NAMES(data_kind_names),
                       E_LABELS = NAMES(labels_names), E_PATTERNS = NAMES(patterns_names),
                       E_SOLVER = NAMES(solver_names), E_FIT_MODEL = NAMES(fit_model_names), E_LOSS = {CR_LOSS_HINGE + 1, NULL, loss_name},
                       E_SCHEDULE = {CR_LR_INV + 1, NULL, lr_name}, E_INIT = {CR_INIT_BALANCED + 1, NULL, init_name},
                       E_HEADER = NAMES(header_names), E_DELIM = NAMES(delim_names), E_YESNO = NAMES(yesno_names),
                       E_LABELS01 = NAMES(labels01_names);
#undef NAMES

/* The schema stores an enum field as an int. */
_Static_assert(sizeof(cr_exp_id) == sizeof(int) && sizeof(cr_loss_kind) == sizeof(int) &&
                   sizeof(cr_config_data_kind) == sizeof(int) && sizeof(cr_labels_kind) == sizeof(int) &&
                   sizeof(cr_config_patterns_method) == sizeof(int) && sizeof(cr_convex_method) == sizeof(int) &&
                   sizeof(cr_lr_kind) == sizeof(int) && sizeof(cr_init_kind) == sizeof(int) &&
                   sizeof(cr_config_header) == sizeof(int) && sizeof(cr_config_delim) == sizeof(int) &&
                   sizeof(cr_config_yesno) == sizeof(int) && sizeof(cr_config_labels01) == sizeof(int) &&
                   sizeof(cr_config_fit_model) == sizeof(int),
               "enum fields are int-sized");

/* The name of value v, NULL when v is not one of the values. */
static const char *enum_name(const enum_type *t, int v)
{
    if (v < 0 || v >= t->count) return NULL;
    return t->names ? t->names[v] : t->name(v);
}

/* The value named s into *v; -1 when no value has that name. */
static int enum_parse(const enum_type *t, const char *s, int *v)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(enum_name(t, i), s) == 0) return *v = i, 0;
    return -1;
}

/* "a|b|c": the names in value order (messages, the reference). */
static void enum_choices(const enum_type *t, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < t->count && len < cap; i++) {
        int k = snprintf(buf + len, cap - len, "%s%s", i ? "|" : "", enum_name(t, i));
        if (k < 0) break;
        len += (size_t)k;
    }
}

const char *cr_config_experiment_name(cr_exp_id e)
{
    const char *s = enum_name(&E_EXPERIMENT, (int)e);
    return s ? s : "";
}

const char *cr_config_data_kind_name(cr_config_data_kind k)
{
    const char *s = enum_name(&E_DATA_KIND, (int)k);
    return s ? s : "";
}

const char *cr_config_patterns_method_name(cr_config_patterns_method m)
{
    const char *s = enum_name(&E_PATTERNS, (int)m);
    return s ? s : "";
}

/* ------------------------------------------------------------------ schema */

typedef enum { T_INT, T_REAL, T_ENUM, T_PATH, T_INTLIST, T_REALLIST, T_STR } key_type;

typedef struct {
    const char *key;     /* dotted path */
    key_type type;
    size_t off;          /* offsetof in cr_config */
    double min, max;     /* inclusive range (numbers, list items) */
    const enum_type *choices; /* T_ENUM: its values and names */
    const char *def;     /* default, as text in the syntax the parser reads; NULL: required */
    const char *doc;
} schema_key;

#define OFF(field) offsetof(cr_config, field)
#define ANY_INT 0, 2147483647.0

static const schema_key schema[] = {
    {"experiment", T_ENUM, OFF(experiment), 0, 0, &E_EXPERIMENT, NULL, "which experiment driver runs"},
    {"seed", T_INT, OFF(seed), ANY_INT, NULL, "1", "master seed; each purpose derives its own stream"},
    {"threads", T_INT, OFF(threads), 1, 64, NULL, "1", "OpenBLAS threads (pinned; recorded in the manifest)"},
    {"loss", T_ENUM, OFF(loss), 0, 0, &E_LOSS, "squared",
     "loss l of the regularized problems (docs/MATH.md, Losses)"},
    {"beta", T_REAL, OFF(beta), 0, 1e6, NULL, "0.1", "weight decay beta of L_beta and p_convex"},
    {"data.kind", T_ENUM, OFF(data.kind), 0, 0, &E_DATA_KIND, "gaussian", "data source"},
    {"data.n", T_INT, OFF(data.n), 1, 1000000, NULL, "20", "samples (gaussian, orthsep)"},
    {"data.d", T_INT, OFF(data.d), 1, 10000, NULL, "2", "features (gaussian, orthsep)"},
    {"data.seed", T_INT, OFF(data.seed), -1, 2147483647.0, NULL, "-1",
     "data stream seed; -1 derives it from seed"},
    {"data.labels", T_ENUM, OFF(data.labels), 0, 0, &E_LABELS, "planted",
     "gaussian labels: planted ReLU network output plus noise, its sign, or the sign of a planted linear model"},
    {"data.noise", T_REAL, OFF(data.noise), 0, 1e6, NULL, "0.1", "label noise standard deviation (gaussian)"},
    {"data.planted_width", T_INT, OFF(data.planted_width), 1, 10000, NULL, "3",
     "neurons of the planted network (gaussian)"},
    {"data.cone_deg", T_REAL, OFF(data.cone_deg), 0, 44, NULL, "20",
     "half-angle of each class cone in degrees (orthsep)"},
    {"data.between_deg", T_REAL, OFF(data.between_deg), 90, 180, NULL, "135",
     "angle between the class centres in degrees, >= 90 + 2 cone_deg (orthsep)"},
    {"data.path", T_PATH, OFF(data.path), 0, 0, NULL, "",
     "CSV file, features and the label per row, gzip or not (csv); IDX images file, gzip or not (idx); "
     "docs/data.md"},
    {"data.labels_path", T_PATH, OFF(data.labels_path), 0, 0, NULL, "", "IDX labels file of data.path (idx)"},
    {"data.test_path", T_PATH, OFF(data.test_path), 0, 0, NULL, "",
     "held-out test set, read like data.path (csv, idx); empty: none"},
    {"data.test_labels_path", T_PATH, OFF(data.test_labels_path), 0, 0, NULL, "",
     "IDX labels file of data.test_path (idx)"},
    {"data.classes_neg", T_INTLIST, OFF(data.classes_neg), 0, 2147483647.0, NULL, "[]",
     "class labels kept and mapped to -1 (csv, idx); with classes_pos: samples of other classes dropped"},
    {"data.classes_pos", T_INTLIST, OFF(data.classes_pos), 0, 2147483647.0, NULL, "[]",
     "class labels kept and mapped to +1 (csv, idx)"},
    {"data.n_test", T_INT, OFF(data.n_test), 0, 1000000, NULL, "0",
     "test samples: the first n_test of data.test_path with a selected class (idx); 0 = all"},
    {"data.project_d", T_INT, OFF(data.project_d), 0, 100000, NULL, "0",
     "project the features to this many by a seeded Gaussian matrix, entries N(0, 1/project_d) (csv, idx); "
     "0 = none"},
    {"data.header", T_ENUM, OFF(data.header), 0, 0, &E_HEADER, "auto",
     "first record names the columns: yes, no, or auto (when none of its fields is a number) (csv)"},
    {"data.label_column", T_STR, OFF(data.label_column), 0, 0, NULL, "",
     "label column: a header name or a 1-based index; empty = the last column (csv)"},
    {"data.delimiter", T_ENUM, OFF(data.delimiter), 0, 0, &E_DELIM, "comma", "field separator (csv)"},
    {"data.skip_rows", T_INT, OFF(data.skip_rows), 0, 1000000, NULL, "0",
     "records skipped before the header or the data, e.g. scikit-learn's count line (csv)"},
    {"data.standardize", T_ENUM, OFF(data.standardize), 0, 0, &E_YESNO, "no",
     "features to mean 0, deviation 1 on the training set; the test set gets the training mean and deviation "
     "(csv, idx)"},
    {"data.bias", T_ENUM, OFF(data.bias), 0, 0, &E_YESNO, "no",
     "append the constant feature 1 (after projection and standardization) (csv, idx)"},
    {"data.labels01", T_ENUM, OFF(data.labels01), 0, 0, &E_LABELS01, "keep",
     "labels as in the file, or map: 0 -> -1 and 1 -> +1, any other label an error (csv)"},
    {"data.holdout", T_REAL, OFF(data.holdout), 0, 0.9, NULL, "0",
     "without data.test_path: hold out this fraction of the samples (rounded, a seeded uniform subset, stream "
     "\"holdout\") as the test set, before projection and standardization (csv, idx); 0 = none"},
    {"patterns.method", T_ENUM, OFF(patterns.method), 0, 0, &E_PATTERNS, "exact",
     "arrangement patterns: exact enumeration, Gaussian sampling, or the set in patterns.path"},
    {"patterns.samples", T_INT, OFF(patterns.samples), 1, 100000000, NULL, "1000",
     "directions drawn when method is sample"},
    {"patterns.path", T_PATH, OFF(patterns.path), 0, 0, NULL, "",
     "pattern file for method file: one pattern per line, n characters 0/1 or n comma-separated 0/1, sample 1 "
     "first (docs/data.md)"},
    {"solver.tol", T_REAL, OFF(solver.tol), 1e-14, 0.1, NULL, "1e-08",
     "certified relative duality gap at which the convex solver stops"},
    {"solver.max_iter", T_INT, OFF(solver.max_iter), 1, 100000000, NULL, "200000", "convex solver iteration limit"},
    {"solver.max_seconds", T_REAL, OFF(solver.max_seconds), 0, 1e6, NULL, "0",
     "wall-clock limit per convex solve in seconds, 0 = none"},
    {"solver.method", T_ENUM, OFF(solver.method), 0, 0, &E_SOLVER, "auto",
     "convex solver: accelerated proximal gradient (fista), semismooth Newton ALM (ssnal), interior point "
     "(ipm, squared loss), SSNAL with matrix-free conjugate-gradient Newton solves (ssnal_cg, squared and "
     "logistic; experimental: slower than ssnal at every size measured so far), or by shape with fallback (auto: ipm "
     "for the squared loss when n >= 200 and p d <= 4 n, else ssnal; a failed or stalled method hands over to the "
     "other, then fista; docs/MATH.md)"},
    {"train.width", T_INT, OFF(train.width), 1, 1000000, NULL, "10", "neurons m of the trained network"},
    {"train.seeds", T_INT, OFF(train.seeds), 1, 10000, NULL, "5", "independent initializations"},
    {"train.iters", T_INT, OFF(train.iters), 0, 1000000000, NULL, "20000", "gradient steps"},
    {"train.lr", T_REAL, OFF(train.lr), 1e-12, 1e6, NULL, "0.01", "initial step size"},
    {"train.schedule", T_ENUM, OFF(train.schedule), 0, 0, &E_SCHEDULE, "constant",
     "step size schedule: constant, step (times lr_factor every lr_every), inv (lr / (1 + t / lr_t0))"},
    {"train.lr_factor", T_REAL, OFF(train.lr_factor), 1e-6, 1, NULL, "0.5", "step schedule multiplier"},
    {"train.lr_every", T_INT, OFF(train.lr_every), 1, 1000000000, NULL, "5000", "step schedule period"},
    {"train.lr_t0", T_REAL, OFF(train.lr_t0), 1e-6, 1e12, NULL, "1000", "inv schedule time constant"},
    {"train.batch", T_INT, OFF(train.batch), 0, 100000000, NULL, "0",
     "minibatch size; 0 = full-batch gradient descent"},
    {"train.init", T_ENUM, OFF(train.init), 0, 0, &E_INIT, "gaussian",
     "initialization: entries N(0, scale^2), or balanced ||w1_j|| = |w2_j| = scale"},
    {"train.scale", T_REAL, OFF(train.scale), 1e-12, 1e6, NULL, "0.1", "initialization scale"},
    {"train.log_every", T_INT, OFF(train.log_every), 1, 1000000000, NULL, "100", "log every this many steps"},
    {"train.flow_target", T_REAL, OFF(train.flow_target), 0, 1e9, NULL, "0",
     "after gradient descent, loss-scaled descent until min_i y_i f_i reaches this, then settling (maxmargin, "
     "separable); 0 = none"},
    {"train.grad_tol", T_REAL, OFF(train.grad_tol), 0, 1e6, NULL, "0",
     "stop when the gradient norm falls to this (0: run all iterations)"},
    {"fit.model", T_ENUM, OFF(fit.model), 0, 0, &E_FIT_MODEL, "convex",
     "cvxrelu fit: the convex optimum over the patterns (reconstructed network), a gradient-descent network of "
     "train.width neurons (train.*), or both (docs/fit.md)"},
    {"width_sweep.max_width", T_INT, OFF(width_sweep.max_width), 0, 100000, NULL, "0",
     "widths 1..max_width (width_sweep); 0 = 2 m*"},
    {"width_sweep.sgd_batch", T_INT, OFF(width_sweep.sgd_batch), 0, 100000000, NULL, "0",
     "also train every (width, seed) by minibatch SGD on batches of this size, beside GD (0: GD only)"},
    {"generalization.betas", T_REALLIST, OFF(generalization.betas), 1e-12, 1e12, NULL, "[0.01, 0.1, 1, 10]",
     "the path of weight decays beta (generalization)"},
    {"generalization.widths", T_INTLIST, OFF(generalization.widths), 1, 1000000, NULL, "[5, 50]",
     "widths of the gradient-descent networks compared with the convex optimum (generalization)"},
    {"generalization.active_tol", T_REAL, OFF(generalization.active_tol), 0, 0.999, NULL, "1e-06",
     "a neuron is active when ||w1_j|| |w2_j| exceeds this times the network's largest (generalization)"},
    {"stationary.kink_tol", T_REAL, OFF(stationary.kink_tol), 1e-15, 1, NULL, "1e-05",
     "distance in parameter space within which a ReLU or hinge kink counts as reached, and below which a neuron's "
     "weights count as zero"},
    {"stationary.clarke_tol", T_REAL, OFF(stationary.clarke_tol), 1e-15, 1e6, NULL, "0.0001",
     "a GD network is Clarke stationary when the minimum-norm element of the Clarke subdifferential has at most "
     "this norm"},
    {"stationary.clarke_tol_sgd", T_REAL, OFF(stationary.clarke_tol_sgd), 1e-15, 1e6, NULL, "0.001",
     "the same threshold for the SGD networks, whose final iterates keep a bias of the order of the last step"},
    {"alignment.scales", T_REALLIST, OFF(alignment.scales), 1e-12, 10, NULL, "[0.1, 0.01, 0.001, 0.0001]",
     "balanced initialization scales swept (alignment)"},
    {"alignment.seeds", T_INT, OFF(alignment.seeds), 0, 10000, NULL, "10",
     "initializations per scale of the early-alignment study (alignment); 0: no study, the trajectory run only"},
    {"alignment.delta", T_REAL, OFF(alignment.delta), 1e-12, 0.999, NULL, "0.01",
     "the theorem's delta: neuron j is aligned when cos_j >= 1 - delta (alignment)"},
    {"alignment.norm_ratio", T_REAL, OFF(alignment.norm_ratio), 1, 1e12, NULL, "10",
     "early phase: ||w1_j|| / scale at most this when cos_j first reaches 1 - delta (alignment)"},
    {"separable.runs", T_INT, OFF(separable.runs), 1, 10000, NULL, "20",
     "data sets per family and per (n, d) (separable)"},
    {"separable.n", T_INTLIST, OFF(separable.n), 2, 200, NULL, "[10]", "sample sizes of the data sets (separable)"},
    {"separable.d", T_INTLIST, OFF(separable.d), 2, 63, NULL, "[2]", "dimensions of the data sets (separable)"},
    {"separable.kkt_resid", T_REAL, OFF(separable.kkt_resid), 1e-12, 1, NULL, "0.01",
     "KKT residual bound of the runs the KKT claim counts (separable)"},
    {"separable.margin_tol", T_REAL, OFF(separable.margin_tol), 1e-12, 1, NULL, "0.01",
     "global max margin reached when gamma 2 P* >= 1 - margin_tol and P_sub = P* (separable)"},
    {"limits.memory_mb", T_INT, OFF(limits.memory_mb), 0, 1e9, NULL, "0",
     "refuse a run whose memory estimate exceeds this many MiB (a CSV data file: 18 bytes per byte of it, checked "
     "before it is read); 0 = half the machine's memory"},
    {"count.n", T_INTLIST, OFF(count.n), 1, 5000, NULL, "[4, 8, 16, 32, 64, 128]",
     "sample sizes (arrangement_count)"},
    {"count.d", T_INTLIST, OFF(count.d), 1, 10, NULL, "[2, 3, 4]", "dimensions (arrangement_count)"},
    {"count.samples", T_INT, OFF(count.samples), 1, 100000000, NULL, "1000",
     "directions for the sampled count (arrangement_count)"},
    {"landscape.x", T_REAL, OFF(landscape.x), 1e-6, 1e6, NULL, "1", "toy datum x (slide: 1)"},
    {"landscape.y", T_REAL, OFF(landscape.y), 1e-6, 1e6, NULL, "1", "toy label y (slide: 1)"},
    {"landscape.beta", T_REAL, OFF(landscape.beta), 1e-6, 1e6, NULL, "1", "toy weight decay beta (slide: 1)"},
    {"landscape.range", T_REAL, OFF(landscape.range), 1e-3, 1e3, NULL, "2", "half-width of the plotted square"},
    {"landscape.grid", T_INT, OFF(landscape.grid), 11, 2001, NULL, "201", "grid points per axis"},
};
#define NKEYS (sizeof schema / sizeof schema[0])

/* Which runs read a key, for the resolved config's `# ignored ...` marks (cr_config_write). exps: the experiments
 * whose drivers read it, space-separated, or "!" and those that do not (every experiment when the key has no
 * row); kinds: the data kinds that use it (every kind when NULL), checked for the experiments that build the data
 * set from the data section (experiment_list.h, needs_data). From the drivers in experiments/ and their helpers
 * in experiments/common.c (patterns, convex solves, training). */
static const struct {
    const char *key, *exps, *kinds;
} applies[] = {
    {"seed", "!landscape", NULL},
    {"loss", "convex width_sweep stationary optimal_set maxmargin alignment separable", NULL},
    {"beta", "convex width_sweep stationary optimal_set maxmargin alignment separable", NULL},
    {"data.kind", "!arrangement_count landscape separable", NULL},
    {"data.n", "!arrangement_count landscape separable", "gaussian orthsep idx"},
    {"data.d", "!arrangement_count landscape separable", "gaussian orthsep"},
    {"data.seed", "!landscape separable", "gaussian orthsep csv idx"}, /* csv, idx: the data.project_d projection */
    {"data.labels", "!arrangement_count landscape separable", "gaussian"},
    {"data.noise", "!arrangement_count landscape separable", "gaussian"},
    {"data.planted_width", "!arrangement_count landscape separable", "gaussian"},
    {"data.cone_deg", "!arrangement_count landscape", "orthsep"},
    {"data.between_deg", "!arrangement_count landscape", "orthsep"},
    {"data.path", "!arrangement_count landscape separable", "csv idx"},
    {"data.labels_path", "!arrangement_count landscape separable", "idx"},
    {"data.test_path", "!arrangement_count landscape separable", "csv idx"},
    {"data.test_labels_path", "!arrangement_count landscape separable", "idx"},
    {"data.n_test", "!arrangement_count landscape separable", "idx"},
    {"data.classes_neg", "!arrangement_count landscape separable", "csv idx"},
    {"data.classes_pos", "!arrangement_count landscape separable", "csv idx"},
    {"data.project_d", "!arrangement_count landscape separable", "csv idx"},
    {"data.standardize", "!arrangement_count landscape separable", "csv idx"},
    {"data.bias", "!arrangement_count landscape separable", "csv idx"},
    {"data.holdout", "!arrangement_count landscape separable", "csv idx"},
    {"data.header", "!arrangement_count landscape separable", "csv"},
    {"data.label_column", "!arrangement_count landscape separable", "csv"},
    {"data.delimiter", "!arrangement_count landscape separable", "csv"},
    {"data.skip_rows", "!arrangement_count landscape separable", "csv"},
    {"data.labels01", "!arrangement_count landscape separable", "csv"},
    {"patterns.method", "arrangements convex width_sweep stationary optimal_set maxmargin geometry separable generalization", NULL},
    {"patterns.path", "convex width_sweep stationary optimal_set maxmargin generalization", NULL},
    {"patterns.samples", "arrangements convex width_sweep stationary optimal_set maxmargin geometry separable generalization", NULL},
    {"solver.tol", "convex width_sweep stationary optimal_set maxmargin geometry separable generalization", NULL},
    {"solver.max_iter", "convex width_sweep stationary optimal_set generalization", NULL},
    {"solver.max_seconds", "convex width_sweep stationary optimal_set generalization", NULL},
    {"solver.method", "convex width_sweep stationary optimal_set generalization", NULL},
    {"train.width", "alignment maxmargin separable stationary", NULL},
    {"train.seeds", "optimal_set stationary width_sweep generalization", NULL},
    {"train.iters", "alignment maxmargin optimal_set separable stationary width_sweep linear_margin generalization", NULL},
    {"train.lr", "alignment maxmargin optimal_set separable stationary width_sweep linear_margin generalization", NULL},
    {"train.flow_target", "maxmargin separable", NULL},
    {"train.*", "alignment maxmargin optimal_set separable stationary width_sweep generalization", NULL},
    {"width_sweep.max_width", "width_sweep stationary optimal_set", NULL},
    {"width_sweep.sgd_batch", "width_sweep stationary", NULL},
    {"stationary.*", "stationary", NULL},
    {"alignment.*", "alignment", NULL},
    {"separable.*", "separable", NULL},
    {"count.*", "arrangement_count", NULL},
    {"landscape.*", "landscape", NULL},
    {"generalization.*", "generalization", NULL},
    {"fit.*", "", NULL}, /* read by `cvxrelu fit` only, never by a run */
};

#define EXP_NEEDS_DATA(ID, name, needs_data, ...) [CR_EXP_##ID] = needs_data,
static const int exp_needs_data[] = {CR_EXPERIMENT_LIST(EXP_NEEDS_DATA)};
#undef EXP_NEEDS_DATA

/* Whether word occurs in the space-separated list. */
static int in_list(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *c = list; *c;) {
        size_t len = strcspn(c, " ");
        if (len == wl && strncmp(c, word, wl) == 0) return 1;
        c += len;
        while (*c == ' ') c++;
    }
    return 0;
}

/* Why cfg's run ignores key: "ignored by EXPERIMENT" or "ignored for data.kind KIND" into why; 0 when it reads
 * the key. The first row naming the key (or its section as "section.*") decides. */
static int key_ignored(const cr_config *cfg, const char *key, char *why, size_t cap)
{
    const char *exp = enum_name(&E_EXPERIMENT, (int)cfg->experiment);
    if (!exp) return 0;
    for (size_t i = 0; i < sizeof applies / sizeof applies[0]; i++) {
        const char *k = applies[i].key;
        size_t kl = strlen(k);
        int match = strcmp(k, key) == 0 || (kl > 2 && strcmp(k + kl - 2, ".*") == 0 &&
                                            strncmp(k, key, kl - 1) == 0);
        if (!match) continue;
        const char *list = applies[i].exps;
        int neg = list[0] == '!';
        if (in_list(list + neg, exp) == neg) {
            snprintf(why, cap, "ignored by %s", exp);
            return 1;
        }
        const char *kind = enum_name(&E_DATA_KIND, (int)cfg->data.kind);
        if (applies[i].kinds && exp_needs_data[cfg->experiment] && kind && !in_list(applies[i].kinds, kind)) {
            snprintf(why, cap, "ignored for data.kind %s", kind);
            return 1;
        }
        return 0;
    }
    return 0;
}

size_t cr_config_nkeys(void) { return NKEYS; }
const char *cr_config_key(size_t i) { return i < NKEYS ? schema[i].key : NULL; }
const char *cr_config_key_doc(size_t i) { return i < NKEYS ? schema[i].doc : NULL; }

static const schema_key *find_key(const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(schema[i].key, key) == 0) return &schema[i];
    return NULL;
}

/* 1 when some schema key lies below section (e.g. "data"). */
static int is_section(const char *section)
{
    size_t len = strlen(section);
    for (size_t i = 0; i < NKEYS; i++)
        if (strncmp(schema[i].key, section, len) == 0 && schema[i].key[len] == '.') return 1;
    return 0;
}

/* -------------------------------------------------------------- suggestions */

/* Section names (the prefixes of dotted keys), for suggestions; test_config checks they cover the schema. */
static const char *const section_names[] = {"data",      "patterns",  "solver", "train",    "width_sweep",
                                            "alignment", "separable", "limits", "count",  "landscape",
                                            "stationary", "fit", "generalization"};
#define NSECTIONS (sizeof section_names / sizeof section_names[0])

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cr_config_suggest(const char *name)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    const char *dot = strrchr(name, '.');
    const char *leaf = dot ? dot + 1 : name;
    for (size_t i = 0; i < NKEYS; i++) {
        size_t dist = edit_distance(name, schema[i].key);
        /* A right leaf in the wrong section ("n" for "data.n") is close too. */
        const char *kdot = strrchr(schema[i].key, '.');
        if (kdot && strcmp(kdot + 1, leaf) == 0 && dist > 1) dist = 1;
        if (dist < bestd) bestd = dist, best = schema[i].key;
    }
    /* Sections are suggestions too ("dta" -> "data"): the prefixes of the dotted keys. */
    for (size_t i = 0; i < NKEYS; i++) {
        const char *dot2 = strchr(schema[i].key, '.');
        if (!dot2) continue;
        char section[64];
        snprintf(section, sizeof section, "%.*s", (int)(dot2 - schema[i].key), schema[i].key);
        size_t dist = edit_distance(name, section);
        if (dist < bestd) {
            /* Point into the schema's string: the section is its prefix, so return the key's own section text. */
            bestd = dist;
            best = NULL;
            for (size_t k = 0; k < NSECTIONS && !best; k++)
                if (strcmp(section_names[k], section) == 0) best = section_names[k];
        }
    }
    size_t len = strlen(name);
    size_t limit = len < 6 ? 2 : len / 3;
    return bestd <= limit ? best : NULL;
}

/* --------------------------------------------------------- scalar parsing */

static int is_utf8(const char *s);

/* Describes what a key accepts, for messages. */
static void expected_text(const schema_key *k, char *buf, size_t cap)
{
    switch (k->type) {
    case T_INT:
        if (k->max >= 2147483647.0) snprintf(buf, cap, "an integer >= %.0f", k->min);
        else snprintf(buf, cap, "an integer in [%.0f, %.0f]", k->min, k->max);
        break;
    case T_REAL: snprintf(buf, cap, "a number in [%g, %g]", k->min, k->max); break;
    case T_ENUM: {
        char names[256];
        enum_choices(k->choices, names, sizeof names);
        snprintf(buf, cap, "one of %s", names);
        break;
    }
    case T_PATH: snprintf(buf, cap, "a file path"); break;
    case T_STR: snprintf(buf, cap, "a text"); break;
    case T_INTLIST: snprintf(buf, cap, "a list of integers in [%.0f, %.0f]", k->min, k->max); break;
    case T_REALLIST: snprintf(buf, cap, "a list of numbers in [%g, %g]", k->min, k->max); break;
    }
}

static int parse_long(const char *s, long *out)
{
    errno = 0;
    char *end;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return -1;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    errno = 0;
    char *end;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return -1;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end)) end++;
    if (errno == ERANGE || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Where a value came from, for messages: "file:line:col" or "--set key=value". */
typedef struct {
    char where[CR_PATH_MAX + 300];
    const char *base_dir; /* relative paths resolve against it ("" = current folder) */
} source;

static int fail(cr_err *err, const source *src, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(cr_err *err, const source *src, const char *key, const char *fmt, ...)
{
    char body[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (key) return cr_err_set(err, CR_EINPUT, "%s: %s: %s", src->where, key, body);
    return cr_err_set(err, CR_EINPUT, "%s: %s", src->where, body);
}

/* Shortens a found value for messages. */
static void quote_found(const char *s, char *buf, size_t cap)
{
    size_t len = strlen(s);
    if (len + 3 <= cap) snprintf(buf, cap, "\"%s\"", s);
    else snprintf(buf, cap, "\"%.*s...\"", (int)(cap - 8), s);
}

static int join_path(const char *dir, const char *rel, char *out, size_t cap)
{
    int k;
    if (rel[0] == '/' || !dir[0]) k = snprintf(out, cap, "%s", rel);
    else k = snprintf(out, cap, "%s/%s", dir, rel);
    return (k < 0 || (size_t)k >= cap) ? -1 : 0;
}

/* A list being parsed: integers or numbers, by the key's type. */
typedef struct {
    cr_intlist i;
    cr_reallist r;
} list_acc;

/* Appends one list item (text) after checking it. */
static int list_item(const schema_key *k, list_acc *l, const char *text, const source *src, cr_err *err)
{
    char exp[200], item[120];
    expected_text(k, exp, sizeof exp);
    quote_found(text, item, sizeof item);
    if (l->i.len == CR_LIST_MAX || l->r.len == CR_LIST_MAX)
        return fail(err, src, k->key, "expected at most %d items", CR_LIST_MAX);
    if (k->type == T_INTLIST) {
        long v;
        if (parse_long(text, &v) != 0 || v < k->min || v > k->max)
            return fail(err, src, k->key, "expected %s, got item %s", exp, item);
        l->i.v[l->i.len++] = v;
    } else {
        double v;
        if (parse_double(text, &v) != 0 || v < k->min || v > k->max)
            return fail(err, src, k->key, "expected %s, got item %s", exp, item);
        l->r.v[l->r.len++] = v;
    }
    return CR_OK;
}

/* A list key whose default is the empty list accepts one. */
static int empty_list_ok(const schema_key *k) { return k->def && strcmp(k->def, "[]") == 0; }

/* Stores a parsed list into the field of key k; an empty list is an error unless it is the key's default. */
static int list_store(cr_config *cfg, const schema_key *k, const list_acc *l, const source *src, cr_err *err)
{
    char exp[200];
    expected_text(k, exp, sizeof exp);
    if (l->i.len + l->r.len == 0 && !empty_list_ok(k))
        return fail(err, src, k->key, "expected %s, got an empty list", exp);
    if (k->type == T_INTLIST) memcpy((char *)cfg + k->off, &l->i, sizeof l->i);
    else memcpy((char *)cfg + k->off, &l->r, sizeof l->r);
    return CR_OK;
}

/* Parses the text of one scalar into the field of key k. */
static int set_scalar(cr_config *cfg, const schema_key *k, const char *text, const source *src, cr_err *err)
{
    char exp[200], found[120];
    expected_text(k, exp, sizeof exp);
    quote_found(text, found, sizeof found);
    char *field = (char *)cfg + k->off;
    switch (k->type) {
    case T_INT: {
        long v;
        if (parse_long(text, &v) != 0 || v < k->min || v > k->max)
            return fail(err, src, k->key, "expected %s, got %s", exp, found);
        memcpy(field, &v, sizeof v);
        return CR_OK;
    }
    case T_REAL: {
        double v;
        if (parse_double(text, &v) != 0 || v < k->min || v > k->max)
            return fail(err, src, k->key, "expected %s, got %s", exp, found);
        memcpy(field, &v, sizeof v);
        return CR_OK;
    }
    case T_ENUM: {
        int v;
        if (enum_parse(k->choices, text, &v) != 0) return fail(err, src, k->key, "expected %s, got %s", exp, found);
        memcpy(field, &v, sizeof v);
        return CR_OK;
    }
    case T_PATH:
        if (!text[0]) { field[0] = 0; return CR_OK; }
        /* The resolved config records the path as YAML, which holds only Unicode text. */
        if (!is_utf8(text)) return fail(err, src, k->key, "expected %s in UTF-8, got %s", exp, found);
        if (join_path(src->base_dir, text, field, CR_PATH_MAX) != 0)
            return fail(err, src, k->key, "path too long: %s", found);
        return CR_OK;
    case T_STR:
        if (!is_utf8(text)) return fail(err, src, k->key, "expected %s in UTF-8, got %s", exp, found);
        if (strlen(text) >= CR_PATH_MAX) return fail(err, src, k->key, "text too long: %s", found);
        snprintf(field, CR_PATH_MAX, "%s", text);
        return CR_OK;
    case T_INTLIST:
    case T_REALLIST: {
        /* "[4, 8, 16]" or "4,8,16" (the --set form); the YAML sequence form arrives item by item. */
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", text);
        char *s = buf;
        while (isspace((unsigned char)*s)) s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1])) s[--len] = 0;
        if (len && s[0] == '[' && s[len - 1] == ']') { s[len - 1] = 0; s++; }
        while (isspace((unsigned char)*s)) s++;
        len = strlen(s);
        if (!len && !empty_list_ok(k)) return fail(err, src, k->key, "expected %s, got an empty list", exp);
        list_acc tmp;
        memset(&tmp, 0, sizeof tmp);
        /* Split at every comma: an empty item is an error, not skipped. */
        for (char *item = s; len;) {
            char *comma = strchr(item, ',');
            if (comma) *comma = 0;
            int st = list_item(k, &tmp, item, src, err);
            if (st) return st;
            if (!comma) break;
            item = comma + 1;
        }
        return list_store(cfg, k, &tmp, src, err);
    }
    }
    return CR_EINPUT;
}

void cr_config_defaults(cr_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    source src = {.where = "<defaults>", .base_dir = ""};
    const int unset = -1; /* a required enum (the experiment) until it is set */
    for (size_t i = 0; i < NKEYS; i++) {
        if (schema[i].def) set_scalar(cfg, &schema[i], schema[i].def, &src, NULL);
        else if (schema[i].type == T_ENUM) memcpy((char *)cfg + schema[i].off, &unset, sizeof unset);
    }
}

/* ------------------------------------------------------------- YAML walk */

typedef struct {
    cr_config *cfg;
    const char *file;
    const char *dir;
    cr_config_origin origin[NKEYS];
    struct { char name[256]; long line; } sections[16];
    size_t nsections;
    yaml_document_t *doc;
} walk_state;

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static void mark_source(source *src, const walk_state *w, const yaml_node_t *n)
{
    snprintf(src->where, sizeof src->where, "%s:%lu:%lu", w->file, (unsigned long)n->start_mark.line + 1,
             (unsigned long)n->start_mark.column + 1);
    src->base_dir = w->dir;
}

static int walk_mapping(walk_state *w, yaml_node_t *map, const char *prefix, cr_err *err);

static int walk_value(walk_state *w, yaml_node_t *keynode, yaml_node_t *val, const char *full, cr_err *err)
{
    source src;
    mark_source(&src, w, keynode);
    const schema_key *k = find_key(full);
    if (!k) {
        if (is_section(full)) {
            if (val->type != YAML_MAPPING_NODE) {
                mark_source(&src, w, val);
                return fail(err, &src, full, "expected a mapping (section %s), got %s", full, node_kind(val));
            }
            for (size_t i = 0; i < w->nsections; i++)
                if (strcmp(w->sections[i].name, full) == 0)
                    return fail(err, &src, full, "duplicated section (first at line %ld)", w->sections[i].line);
            if (w->nsections < sizeof w->sections / sizeof w->sections[0]) {
                snprintf(w->sections[w->nsections].name, sizeof w->sections[0].name, "%s", full);
                w->sections[w->nsections++].line = (long)keynode->start_mark.line + 1;
            }
            return walk_mapping(w, val, full, err);
        }
        const char *near = cr_config_suggest(full);
        if (near) return fail(err, &src, full, "unknown key (did you mean %s?)", near);
        return fail(err, &src, full, "unknown key");
    }
    size_t idx = (size_t)(k - schema);
    if (w->origin[idx].set == 1)
        return fail(err, &src, full, "duplicated key (first at line %ld)", w->origin[idx].line);
    w->origin[idx].set = 1;
    w->origin[idx].line = (long)keynode->start_mark.line + 1;
    w->origin[idx].col = (long)keynode->start_mark.column + 1;

    mark_source(&src, w, val);
    char exp[200];
    expected_text(k, exp, sizeof exp);
    if ((k->type == T_INTLIST || k->type == T_REALLIST) && val->type == YAML_SEQUENCE_NODE) {
        /* Item by item, with the check the --set form uses (list_item). */
        list_acc tmp;
        memset(&tmp, 0, sizeof tmp);
        for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(w->doc, *it);
            if (item) mark_source(&src, w, item);
            if (!item || item->type != YAML_SCALAR_NODE)
                return fail(err, &src, full, "expected %s, got an item that is %s", exp,
                            item ? node_kind(item) : "nothing");
            const char *text = (const char *)item->data.scalar.value;
            if (item->data.scalar.length != strlen(text))
                return fail(err, &src, full, "expected %s, got an item with a NUL byte", exp);
            int st = list_item(k, &tmp, text, &src, err);
            if (st) return st;
        }
        return list_store(w->cfg, k, &tmp, &src, err);
    }
    if (val->type != YAML_SCALAR_NODE) return fail(err, &src, full, "expected %s, got %s", exp, node_kind(val));
    const char *text = (const char *)val->data.scalar.value;
    if (val->data.scalar.length != strlen(text))
        return fail(err, &src, full, "expected %s, got a value with a NUL byte", exp);
    return set_scalar(w->cfg, k, text, &src, err);
}

static int walk_mapping(walk_state *w, yaml_node_t *map, const char *prefix, cr_err *err)
{
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *key = yaml_document_get_node(w->doc, pr->key);
        yaml_node_t *val = yaml_document_get_node(w->doc, pr->value);
        if (!key || !val) return cr_err_set(err, CR_EINPUT, "%s: malformed YAML document", w->file);
        source src;
        mark_source(&src, w, key);
        if (key->type != YAML_SCALAR_NODE)
            return fail(err, &src, prefix[0] ? prefix : NULL, "expected a key name, got %s", node_kind(key));
        const char *name = (const char *)key->data.scalar.value;
        if (key->data.scalar.length != strlen(name))
            return fail(err, &src, NULL, "invalid key name (it holds a NUL byte)");
        char full[256];
        int m = snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "." : "", name);
        if (m < 0 || (size_t)m >= sizeof full || !name[0] || strchr(name, '.'))
            return fail(err, &src, NULL, "invalid key name \"%.60s\"", name);
        int st = walk_value(w, key, val, full, err);
        if (st) return st;
    }
    return CR_OK;
}

/* ----------------------------------------------------- validation (cross-field) */

static size_t key_index(const char *key)
{
    const schema_key *k = find_key(key);
    return (size_t)(k - schema);
}

/* A cross-field error, located at the key's origin when it came from the file. */
static int fail_at(const cr_config *cfg, const cr_config_origin *origin, const char *key, cr_err *err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(const cr_config *cfg, const cr_config_origin *origin, const char *key, cr_err *err,
                   const char *fmt, ...)
{
    char body[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    const cr_config_origin *o = &origin[key_index(key)];
    if (o->set == 1) return cr_err_set(err, CR_EINPUT, "%s:%ld:%ld: %s: %s", cfg->file, o->line, o->col, key, body);
    if (o->set == 2) return cr_err_set(err, CR_EINPUT, "--set %s: %s", key, body);
    return cr_err_set(err, CR_EINPUT, "%s: %s: %s", cfg->file, key, body);
}

/* The file of path key `key` (its value path) is readable and regular; required: an empty path is an error at
 * the key `why` that needs it ("data.kind"), whose setting is `what` ("data.kind csv"). */
static int input_file(const cr_config *cfg, const cr_config_origin *origin, const char *key, const char *path,
                      const char *why, const char *what, cr_err *err)
{
    if (!path[0]) return fail_at(cfg, origin, why, err, "%s needs %s, which is not set", what, key);
    if (access(path, R_OK) != 0) return fail_at(cfg, origin, key, err, "cannot read \"%s\": %s", path, strerror(errno));
    /* A device, FIFO or folder has no size to check against limits.memory_mb (/dev/zero never ends). */
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return fail_at(cfg, origin, key, err, "\"%s\" is not a regular file", path);
    return CR_OK;
}

/* The real-data keys (docs/data.md): the files each kind reads, the class lists, data.n set for idx. */
static int validate_real_data(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    const int csv = cfg->data.kind == CR_CONFIG_DATA_CSV, idx = cfg->data.kind == CR_CONFIG_DATA_IDX;
    int st = CR_OK;
    const char *what = csv ? "data.kind csv" : "data.kind idx";
    if (csv || idx) st = input_file(cfg, origin, "data.path", cfg->data.path, "data.kind", what, err);
    if (!st && idx)
        st = input_file(cfg, origin, "data.labels_path", cfg->data.labels_path, "data.kind", what, err);
    if (!st && (csv || idx) && cfg->data.test_path[0])
        st = input_file(cfg, origin, "data.test_path", cfg->data.test_path, "data.test_path", "data.test_path", err);
    if (!st && idx && cfg->data.test_path[0])
        st = input_file(cfg, origin, "data.test_labels_path", cfg->data.test_labels_path, "data.test_path",
                        "data.test_path (idx)", err);
    if (!st && cfg->data.test_path[0] && cfg->data.holdout > 0)
        st = fail_at(cfg, origin, "data.holdout", err, "set with data.test_path: the data has its test set");
    if (!st && !(csv || idx) && cfg->data.holdout > 0)
        st = fail_at(cfg, origin, "data.holdout", err, "holds out samples of csv or idx data, data.kind is %s",
                     cr_config_data_kind_name(cfg->data.kind));
    if (!st && idx && !cfg->data.test_path[0] && cfg->data.test_labels_path[0])
        st = fail_at(cfg, origin, "data.test_labels_path", err, "set without data.test_path (the test images)");
    if (st) return st;
    if (idx && !origin[key_index("data.n")].set)
        return fail_at(cfg, origin, "data.kind", err,
                       "data.kind idx needs data.n (at most that many training samples of the selected classes, "
                       "the first in the file), which is not set");
    const cr_intlist *neg = &cfg->data.classes_neg, *pos = &cfg->data.classes_pos;
    if ((neg->len == 0) != (pos->len == 0))
        return fail_at(cfg, origin, neg->len ? "data.classes_neg" : "data.classes_pos", err,
                       "set without %s: give the classes of both signs", neg->len ? "data.classes_pos" :
                       "data.classes_neg");
    for (size_t i = 0; i < pos->len; i++)
        for (size_t j = 0; j < neg->len; j++)
            if (pos->v[i] == neg->v[j])
                return fail_at(cfg, origin, "data.classes_pos", err, "class %ld is also in data.classes_neg",
                               pos->v[i]);
    if (neg->len && cfg->data.labels01 == CR_CONFIG_LABELS01_MAP)
        return fail_at(cfg, origin, "data.labels01", err,
                       "map and data.classes_neg/classes_pos both set the labels: keep one");
    const cr_exp_id e = cfg->experiment;
    if (cfg->patterns.method == CR_CONFIG_PATTERNS_FILE && e != CR_EXP_CONVEX && e != CR_EXP_WIDTH_SWEEP &&
        e != CR_EXP_STATIONARY && e != CR_EXP_OPTIMAL_SET && e != CR_EXP_MAXMARGIN)
        return fail_at(cfg, origin, "patterns.method", err,
                       "file: experiment %s does not solve over one pattern set of the config's data (file works "
                       "with convex, width_sweep, stationary, optimal_set, maxmargin)", cr_config_experiment_name(e));
    if (cfg->patterns.method == CR_CONFIG_PATTERNS_FILE)
        return input_file(cfg, origin, "patterns.path", cfg->patterns.path, "patterns.method", "patterns.method file",
                          err);
    return CR_OK;
}

/* The data section: the files of csv and idx data (validate_real_data); orthsep data must be constructible. */
static int validate_data(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    int st = validate_real_data(cfg, origin, err);
    if (st) return st;
    if (cfg->data.kind == CR_CONFIG_DATA_ORTHSEP) {
        if (cfg->data.d == 1 && cfg->data.between_deg != 180.0)
            return fail_at(cfg, origin, "data.between_deg", err,
                           "with data.d = 1 the classes lie on one line: expected 180, got %g", cfg->data.between_deg);
        if (cfg->data.between_deg < 90.0 + 2.0 * cfg->data.cone_deg)
            return fail_at(cfg, origin, "data.between_deg", err,
                           "expected a number >= 90 + 2 data.cone_deg = %g for orthogonally separable data, got %g",
                           90.0 + 2.0 * cfg->data.cone_deg, cfg->data.between_deg);
        if (cfg->data.n < 2)
            return fail_at(cfg, origin, "data.n", err, "orthsep needs n >= 2 (one sample per class), got %ld",
                           cfg->data.n);
    }
    return CR_OK;
}

/* The problem an experiment's claims are about: weight decay for the regularized ones, the logistic loss without
 * weight decay for the implicit-bias ones; the interior-point method solves the squared loss only. */
static int validate_problem(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    const cr_exp_id e = cfg->experiment;
    const char *name = cr_config_experiment_name(e);
    const int regularized = e == CR_EXP_CONVEX || e == CR_EXP_WIDTH_SWEEP || e == CR_EXP_STATIONARY ||
                            e == CR_EXP_OPTIMAL_SET;
    const int implicit = e == CR_EXP_LINEAR_MARGIN || e == CR_EXP_MAXMARGIN || e == CR_EXP_ALIGNMENT ||
                         e == CR_EXP_SEPARABLE;
    if (e == CR_EXP_SEPARABLE && cfg->data.between_deg < 90.0 + 2.0 * cfg->data.cone_deg)
        return fail_at(cfg, origin, "data.between_deg", err,
                       "separable draws orthogonally separable data sets: expected a number >= 90 + 2 data.cone_deg = "
                       "%g, got %g", 90.0 + 2.0 * cfg->data.cone_deg, cfg->data.between_deg);
    if (regularized && !(cfg->beta > 0))
        return fail_at(cfg, origin, "beta", err, "experiment %s needs beta > 0, got %g", name, cfg->beta);
    if (regularized && cfg->solver.method == CR_CONVEX_IPM && cfg->loss != CR_LOSS_SQUARED)
        return fail_at(cfg, origin, "solver.method", err,
                       "the interior-point method (ipm) solves the squared loss only, loss is %s",
                       enum_name(&E_LOSS, (int)cfg->loss));
    /* The implicit-bias experiments train with the logistic loss and no weight decay: their claims (max margin,
     * directional convergence, the linear SVM limit) are about that problem and no other. */
    if (implicit && cfg->loss != CR_LOSS_LOGISTIC)
        return fail_at(cfg, origin, "loss", err,
                       "experiment %s trains with the logistic loss (its claims are about that problem), got %s", name,
                       enum_name(&E_LOSS, (int)cfg->loss));
    if (implicit && cfg->beta != 0)
        return fail_at(cfg, origin, "beta", err,
                       "experiment %s trains without weight decay (its claims are about beta = 0), got %g", name,
                       cfg->beta);
    return CR_OK;
}

/* The early-alignment study of alignment shows how alignment changes with the scale: at least two of them. */
static int validate_alignment(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    size_t distinct = 0;
    for (size_t i = 0; i < cfg->alignment.scales.len; i++) {
        size_t k = 0;
        while (k < i && cfg->alignment.scales.v[k] != cfg->alignment.scales.v[i]) k++;
        distinct += k == i;
    }
    if (distinct < 2)
        return fail_at(cfg, origin, "alignment.scales", err,
                       "the early-alignment study compares scales: expected at least 2 different scales, got %zu",
                       distinct);
    return CR_OK;
}

/* The geometry pictures are of two samples in the plane (CSV data are checked once loaded). */
static int validate_geometry(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    if (cfg->data.kind == CR_CONFIG_DATA_SLIDE)
        return fail_at(cfg, origin, "data.kind", err,
                       "experiment geometry draws two samples in the plane (n = 2, d = 2); the slide data has n = 3");
    if (cfg->data.kind != CR_CONFIG_DATA_CSV && cfg->data.n != 2)
        return fail_at(cfg, origin, "data.n", err,
                       "experiment geometry draws two samples in the plane: expected 2, got %ld", cfg->data.n);
    if (cfg->data.kind != CR_CONFIG_DATA_CSV && cfg->data.d != 2)
        return fail_at(cfg, origin, "data.d", err,
                       "experiment geometry draws two samples in the plane: expected 2, got %ld", cfg->data.d);
    return CR_OK;
}

/* Cover's bound 2 r (e (n-1) / r)^r is 0 at n = 1, where one sample has 2 patterns: the slide's bound is a statement
 * about n >= 2, and its claim cannot be checked on a single sample. */
static int validate_count(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    for (size_t i = 0; i < cfg->count.n.len; i++)
        if (cfg->count.n.v[i] < 2)
            return fail_at(cfg, origin, "count.n", err,
                           "Cover's bound 2 r (e (n-1) / r)^r that the experiment checks needs n >= 2 (it is 0 "
                           "at n = 1), got %ld", cfg->count.n.v[i]);
    for (size_t i = 0; i < cfg->count.n.len; i++)
        for (size_t j = 0; j < cfg->count.d.len; j++)
            if (cfg->count.d.v[j] >= 4 && cfg->count.n.v[i] > 400)
                return fail_at(cfg, origin, "count.n", err,
                               "n = %ld with d = %ld has too many patterns to enumerate (n <= 400 for d >= 4)",
                               cfg->count.n.v[i], cfg->count.d.v[j]);
    return CR_OK;
}

/* cvxrelu fit: the convex program needs weight decay; the interior-point method solves the squared loss only. */
static int validate_fit(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    int st = validate_data(cfg, origin, err);
    if (st || cfg->fit.model == CR_CONFIG_FIT_GD) return st;
    if (!(cfg->beta > 0))
        return fail_at(cfg, origin, "beta", err, "fit.model %s solves the convex program, which needs beta > 0, got %g",
                       enum_name(&E_FIT_MODEL, (int)cfg->fit.model), cfg->beta);
    if (cfg->solver.method == CR_CONVEX_IPM && cfg->loss != CR_LOSS_SQUARED)
        return fail_at(cfg, origin, "solver.method", err,
                       "the interior-point method (ipm) solves the squared loss only, loss is %s",
                       enum_name(&E_LOSS, (int)cfg->loss));
    return CR_OK;
}

/* generalization: train and test error on real data with a test set, both losses over the beta path. */
static int validate_generalization(const cr_config *cfg, const cr_config_origin *origin, cr_err *err)
{
    const int real = cfg->data.kind == CR_CONFIG_DATA_CSV || cfg->data.kind == CR_CONFIG_DATA_IDX;
    if (!real)
        return fail_at(cfg, origin, "data.kind", err,
                       "experiment generalization needs real data with a test set: expected csv or idx, got %s",
                       cr_config_data_kind_name(cfg->data.kind));
    if (!cfg->data.test_path[0] && !(cfg->data.holdout > 0))
        return fail_at(cfg, origin, "data.holdout", err,
                       "experiment generalization needs a test set: set data.test_path or data.holdout > 0");
    if (cfg->solver.method == CR_CONVEX_IPM)
        return fail_at(cfg, origin, "solver.method", err,
                       "experiment generalization solves the logistic loss too, which ipm does not: expected auto, "
                       "fista or ssnal");
    if (cfg->generalization.betas.len == 0)
        return fail_at(cfg, origin, "generalization.betas", err, "expected at least one beta");
    if (cfg->generalization.widths.len == 0)
        return fail_at(cfg, origin, "generalization.widths", err, "expected at least one width");
    return CR_OK;
}

static int validate(cr_config *cfg, const cr_config_origin *origin, int fit, cr_err *err)
{
    if (fit) return validate_fit(cfg, origin, err);
    if (cfg->experiment == CR_EXP_NONE) {
        char exp[300];
        expected_text(find_key("experiment"), exp, sizeof exp);
        return cr_err_set(err, CR_EINPUT, "%s: experiment: required key missing (expected %s)", cfg->file, exp);
    }
    int st = validate_data(cfg, origin, err);
    if (!st) st = validate_problem(cfg, origin, err);
    if (!st && cfg->experiment == CR_EXP_ALIGNMENT && cfg->alignment.seeds > 0)
        st = validate_alignment(cfg, origin, err);
    if (!st && cfg->experiment == CR_EXP_GEOMETRY) st = validate_geometry(cfg, origin, err);
    if (!st && cfg->experiment == CR_EXP_ARRANGEMENT_COUNT) st = validate_count(cfg, origin, err);
    if (!st && cfg->experiment == CR_EXP_GENERALIZATION) st = validate_generalization(cfg, origin, err);
    return st;
}

/* --------------------------------------------------------------- loading */

static void split_path(const char *path, cr_config *cfg)
{
    snprintf(cfg->file, sizeof cfg->file, "%s", path);
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(cfg->dir, sizeof cfg->dir, "%.*s", (int)(slash - path), path);
    else cfg->dir[0] = 0;
    if (slash && slash == path) snprintf(cfg->dir, sizeof cfg->dir, "/");
    const char *base = slash ? slash + 1 : path;
    snprintf(cfg->stem, sizeof cfg->stem, "%s", base);
    char *dot = strrchr(cfg->stem, '.');
    if (dot && dot != cfg->stem) *dot = 0;
}

static int set_internal(cr_config *cfg, cr_config_origin *origin, const char *assignment, cr_err *err)
{
    source src;
    snprintf(src.where, sizeof src.where, "--set %.1000s", assignment);
    src.base_dir = "";
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) return cr_err_set(err, CR_EINPUT, "%s: expected key.path=value", src.where);
    char key[256];
    size_t kl = (size_t)(eq - assignment);
    if (kl >= sizeof key) return cr_err_set(err, CR_EINPUT, "%s: key too long", src.where);
    memcpy(key, assignment, kl);
    key[kl] = 0;
    const schema_key *k = find_key(key);
    if (!k) {
        const char *near = cr_config_suggest(key);
        if (is_section(key)) return cr_err_set(err, CR_EINPUT, "%s: %s is a section; set one of its keys", src.where, key);
        if (near) return cr_err_set(err, CR_EINPUT, "%s: %s: unknown key (did you mean %s?)", src.where, key, near);
        return cr_err_set(err, CR_EINPUT, "%s: %s: unknown key", src.where, key);
    }
    int st = set_scalar(cfg, k, eq + 1, &src, err);
    if (st) return st;
    if (origin) origin[k - schema].set = 2;
    return CR_OK;
}

int cr_config_set(cr_config *cfg, const char *assignment, cr_err *err)
{
    return set_internal(cfg, NULL, assignment, err);
}

#define CONFIG_MAX_BYTES (1 << 20)

/* The whole config file into memory (a config is small; this bounds what a bad file can cost). */
static int read_config(const char *path, unsigned char **text, size_t *len, cr_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cr_err_set(err, CR_EINPUT, "%s: cannot open config: %s", path, strerror(errno));
    unsigned char *buf = malloc(CONFIG_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cr_err_set(err, CR_EINPUT, "%s: cannot read config", path);
    }
    if (n > CONFIG_MAX_BYTES) {
        free(buf);
        return cr_err_set(err, CR_EINPUT, "%s: config larger than 1 MiB (%d bytes); a config is a few hundred bytes",
                          path, CONFIG_MAX_BYTES);
    }
    *text = buf;
    *len = n;
    return CR_OK;
}

/* A libyaml failure as file:line:col. Reader errors (bad bytes, bad UTF-8) carry only a byte offset, so
 * line and column are counted from the text (columns in characters, as libyaml counts them). */
static int syntax_error(const char *path, const yaml_parser_t *parser, const unsigned char *text, size_t len,
                        cr_err *err)
{
    unsigned long line, col;
    if (parser->error == YAML_READER_ERROR) {
        line = 1, col = 1;
        size_t off = parser->problem_offset < len ? parser->problem_offset : len;
        for (size_t i = 0; i < off; i++) {
            if (text[i] == '\n') line++, col = 1;
            else if ((text[i] & 0xC0) != 0x80) col++;
        }
    } else {
        line = (unsigned long)parser->problem_mark.line + 1;
        col = (unsigned long)parser->problem_mark.column + 1;
    }
    return cr_err_set(err, CR_EINPUT, "%s:%lu:%lu: YAML syntax error: %s%s%s", path, line, col,
                      parser->problem ? parser->problem : "unreadable", parser->context ? " " : "",
                      parser->context ? parser->context : "");
}

#define CONFIG_MAX_DEPTH 64

/* Refuses mappings and lists nested deeper than CONFIG_MAX_DEPTH before the document is built: libyaml's
 * scanner costs time proportional to the depth for every token, so 200000 nested brackets would take minutes
 * to reject (a config nests two levels). Streams events and stops at the first level too deep. */
static int check_nesting(const char *path, const unsigned char *text, size_t len, cr_err *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot initialise the YAML parser", path);
    yaml_parser_set_input_string(&parser, text, len);
    int depth = 0, st = CR_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            st = syntax_error(path, &parser, text, len, err);
            break;
        }
        yaml_event_type_t type = ev.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > CONFIG_MAX_DEPTH)
                st = cr_err_set(err, CR_EINPUT, "%s:%lu:%lu: lists and mappings nested deeper than %d levels (a config "
                                                "nests two)", path, (unsigned long)ev.start_mark.line + 1,
                                (unsigned long)ev.start_mark.column + 1, CONFIG_MAX_DEPTH);
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (st || type == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&parser);
    return st;
}

int cr_yaml_load(const char *path, const unsigned char *text, size_t len, yaml_document_t *doc, cr_err *err)
{
    int st = check_nesting(path, text, len, err);
    if (st) return st;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot initialise the YAML parser", path);
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, doc)) {
        st = syntax_error(path, &parser, text, len, err);
        yaml_parser_delete(&parser);
        return st;
    }
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        st = syntax_error(path, &parser, text, len, err);
    } else {
        if (yaml_document_get_root_node(&next))
            st = cr_err_set(err, CR_EINPUT, "%s: more than one YAML document; expected one", path);
        yaml_document_delete(&next);
    }
    yaml_parser_delete(&parser);
    if (st) yaml_document_delete(doc);
    return st;
}

static int load(const char *path, const char *const *sets, size_t nset, int fit, cr_config *cfg, cr_err *err)
{
    cr_config_defaults(cfg);
    split_path(path, cfg);
    walk_state w = {.cfg = cfg, .file = path, .dir = cfg->dir};

    size_t len = 0;
    unsigned char *text = NULL;
    int st = read_config(path, &text, &len, err);
    if (!st) st = check_nesting(path, text, len, err);
    if (st) {
        free(text);
        return st;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot initialise the YAML parser", path);
    }
    yaml_parser_set_input_string(&parser, text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        st = syntax_error(path, &parser, text, len, err);
        yaml_parser_delete(&parser);
        free(text);
        return st;
    }
    w.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = cr_err_set(err, CR_EINPUT, "%s: empty config (expected a mapping with at least \"experiment\")", path);
    } else if (root->type != YAML_MAPPING_NODE) {
        st = cr_err_set(err, CR_EINPUT, "%s:%lu:%lu: expected a mapping of keys at the top level, got %s", path,
                        (unsigned long)root->start_mark.line + 1, (unsigned long)root->start_mark.column + 1,
                        node_kind(root));
    } else {
        st = walk_mapping(&w, root, "", err);
    }
    if (st == CR_OK) {
        /* A second document in the same file is almost always a mistake. */
        yaml_document_t next;
        if (yaml_parser_load(&parser, &next)) {
            if (yaml_document_get_root_node(&next))
                st = cr_err_set(err, CR_EINPUT, "%s: more than one YAML document; expected one", path);
            yaml_document_delete(&next);
        } else {
            st = syntax_error(path, &parser, text, len, err);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    if (st) return st;

    for (size_t i = 0; i < nset; i++) {
        st = set_internal(cfg, w.origin, sets[i], err);
        if (st) return st;
    }
    /* Paths become absolute so the resolved config reruns from any folder. */
    for (size_t i = 0; i < NKEYS; i++) {
        char *p = (char *)cfg + schema[i].off;
        if (schema[i].type != T_PATH || !p[0] || p[0] == '/') continue;
        char cwd[CR_PATH_MAX], abs[CR_PATH_MAX];
        if (getcwd(cwd, sizeof cwd) && join_path(cwd, p, abs, sizeof abs) == 0) memcpy(p, abs, sizeof abs);
    }
    if (fit) cfg->experiment = CR_EXP_NONE; /* fit runs no experiment: whatever the file names is ignored */
    st = validate(cfg, w.origin, fit, err);
    if (st) return st;
    if (cfg->data.seed < 0) cfg->data.seed = (long)cr_rng_derive(cfg->seed, "data");
    if (cfg->limits.memory_mb == 0) {
        cfg->limits.memory_mb = cr_limits_default_mb();
        cfg->limits.memory_default = 1;
    }
    return CR_OK;
}

int cr_config_load(const char *path, const char *const *sets, size_t nset, cr_config *cfg, cr_err *err)
{
    return load(path, sets, nset, 0, cfg, err);
}

int cr_config_load_fit(const char *path, const char *const *sets, size_t nset, cr_config *cfg, cr_err *err)
{
    return load(path, sets, nset, 1, cfg, err);
}

/* --------------------------------------------------------------- dumping */

/* Decodes one UTF-8 code point at s into *cp; returns its length, 0 when the bytes are not UTF-8. */
static size_t utf8_decode(const unsigned char *s, unsigned long *cp)
{
    size_t n;
    unsigned long c, min;
    if (s[0] < 0x80) return *cp = s[0], 1;
    if ((s[0] & 0xE0) == 0xC0) n = 2, c = s[0] & 0x1F, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0) n = 3, c = s[0] & 0x0F, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0) n = 4, c = s[0] & 0x07, min = 0x10000;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return n;
}

static int is_utf8(const char *s)
{
    unsigned long cp;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_decode(p, &cp);
        if (!n) return 0;
        p += n;
    }
    return 1;
}

void cr_yaml_quote(FILE *f, const char *s)
{
    /* ASCII is kept; control characters and other code points become escapes, so the scalar loads back to
     * the same bytes whatever they are; a byte that is not UTF-8 becomes \uFFFD (paths are checked to be
     * UTF-8 when they are set, so only free text such as a command line can lose one). */
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
        unsigned long cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            fputs("\\uFFFD", f);
            p++;
            continue;
        }
        p += n;
        if (cp == '"' || cp == '\\') fprintf(f, "\\%c", (int)cp);
        else if (cp >= 0x20 && cp < 0x7f) fputc((int)cp, f);
        else if (cp == '\n') fputs("\\n", f);
        else if (cp == '\t') fputs("\\t", f);
        else if (cp < 0x100) fprintf(f, "\\x%02lX", cp);
        else if (cp < 0x10000) fprintf(f, "\\u%04lX", cp);
        else fprintf(f, "\\U%08lX", cp);
    }
    fputc('"', f);
}

static void write_value(const schema_key *k, const cr_config *cfg, FILE *f)
{
    const char *field = (const char *)cfg + k->off;
    switch (k->type) {
    case T_INT: {
        long v;
        memcpy(&v, field, sizeof v);
        fprintf(f, "%ld", v);
        break;
    }
    case T_REAL: {
        double v;
        memcpy(&v, field, sizeof v);
        /* Shortest of %.15g / %.17g that reads back exactly. */
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
        fputs(buf, f);
        break;
    }
    case T_ENUM: {
        int v;
        memcpy(&v, field, sizeof v);
        const char *name = enum_name(k->choices, v);
        fputs(name ? name : "", f);
        break;
    }
    case T_PATH:
    case T_STR: cr_yaml_quote(f, field); break;
    case T_INTLIST: {
        const cr_intlist *l = (const cr_intlist *)field;
        fputc('[', f);
        for (size_t i = 0; i < l->len; i++) fprintf(f, "%s%ld", i ? ", " : "", l->v[i]);
        fputc(']', f);
        break;
    }
    case T_REALLIST: {
        const cr_reallist *l = (const cr_reallist *)field;
        fputc('[', f);
        for (size_t i = 0; i < l->len; i++) {
            char buf[64];
            snprintf(buf, sizeof buf, "%.15g", l->v[i]);
            if (strtod(buf, NULL) != l->v[i]) snprintf(buf, sizeof buf, "%.17g", l->v[i]);
            fprintf(f, "%s%s", i ? ", " : "", buf);
        }
        fputc(']', f);
        break;
    }
    }
}

/* The resolved config as YAML; here: also this machine's memory_mb where the text says "0" (cr_config_write). */
static int write_config(const cr_config *cfg, FILE *f, int here)
{
    fputs("# resolved configuration of ", f);
    cr_yaml_quote(f, cfg->file); /* a file name may hold a newline, which would end the comment */
    fputs(" (every key, defaults filled in; a key this run does not read is marked # ignored)\n", f);
    char section[64] = "";
    for (size_t i = 0; i < NKEYS; i++) {
        const schema_key *k = &schema[i];
        const char *dot = strchr(k->key, '.');
        /* A config of `cvxrelu fit` may name no experiment: its dump leaves the key out, and reloads. */
        if (k->off == OFF(experiment) && cfg->experiment == CR_EXP_NONE) continue;
        if (dot) {
            size_t sl = (size_t)(dot - k->key);
            if (strlen(section) != sl || strncmp(section, k->key, sl) != 0) {
                snprintf(section, sizeof section, "%.*s", (int)sl, k->key);
                fprintf(f, "%s:\n", section);
            }
            fprintf(f, "  %s: ", dot + 1);
        } else {
            section[0] = 0;
            fprintf(f, "%s: ", k->key);
        }
        char why[128];
        if (k->off == OFF(limits.memory_mb) && cfg->limits.memory_default) {
            fputs("0  # half the memory of the machine that runs it", f); /* machine-independent text */
            if (here) fprintf(f, ": %ld MiB here", cfg->limits.memory_mb);
        } else {
            write_value(k, cfg, f);
            if (key_ignored(cfg, k->key, why, sizeof why)) fprintf(f, "  # %s", why);
        }
        fputc('\n', f);
    }
    return ferror(f) ? CR_ERUNTIME : CR_OK;
}

int cr_config_write(const cr_config *cfg, FILE *f) { return write_config(cfg, f, 1); }

char *cr_config_dump(const cr_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    int st = write_config(cfg, f, 0);
    if (fclose(f) != 0 || st) {
        free(buf);
        return NULL;
    }
    return buf;
}

void cr_config_reference(FILE *f)
{
    static const char *const tname[] = {"integer", "number", "choice", "path", "integer list", "number list", "text"};
    fprintf(f, "| key | type | default | accepted | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < NKEYS; i++) {
        const schema_key *k = &schema[i];
        char acc[200];
        expected_text(k, acc, sizeof acc);
        fprintf(f, "| `%s` | %s | %s | ", k->key, tname[k->type], k->def ? (k->def[0] ? k->def : "(empty)") : "(required)");
        for (const char *c = acc; *c; c++) {
            if (*c == '|') fputc('\\', f); /* a literal bar inside a Markdown table cell */
            fputc(*c, f);
        }
        fprintf(f, " | %s |\n", k->doc);
    }
}
