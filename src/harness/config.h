/* The run configuration: a typed schema (key, type, default, range, doc) shared by the YAML file
 * parser and `--set key.path=value`, and the parsed struct that is passed down to every module.
 * Choices are parsed once, at load, into enums (the library's own where it has one); nothing downstream
 * sees their names. Unknown and duplicated keys are errors (the nearest known key is suggested); errors
 * name file:line:column (from 1), the key, what was expected and what was found. */
#ifndef CR_CONFIG_H
#define CR_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "convex.h"
#include "data.h"
#include "err.h"
#include "experiment_list.h"
#include "loss.h"
#include "train.h"

#define CR_PATH_MAX 1024
#define CR_LIST_MAX 64

typedef struct {
    long v[CR_LIST_MAX];
    size_t len;
} cr_intlist;

typedef struct {
    double v[CR_LIST_MAX];
    size_t len;
} cr_reallist;

/* data.kind: where the data set comes from. */
typedef enum {
    CR_CONFIG_DATA_GAUSSIAN = 0, /* Gaussian rows, labels by data.labels (cr_data_gaussian) */
    CR_CONFIG_DATA_ORTHSEP = 1,  /* orthogonally separable by construction (cr_data_orthsep) */
    CR_CONFIG_DATA_SLIDE = 2,    /* the slides' 3 x 2 example (cr_data_slide) */
    CR_CONFIG_DATA_CSV = 3,      /* the CSV file data.path */
    CR_CONFIG_DATA_IDX = 4,      /* the IDX (MNIST format) files data.path and data.labels_path */
} cr_config_data_kind;

/* data.header: whether a CSV file's first record (after data.skip_rows) names the columns. */
typedef enum {
    CR_CONFIG_HEADER_AUTO = 0, /* a header when none of its fields is a number */
    CR_CONFIG_HEADER_YES = 1,
    CR_CONFIG_HEADER_NO = 2,
} cr_config_header;

/* data.delimiter: the byte between a CSV file's fields. */
typedef enum { CR_CONFIG_DELIM_COMMA = 0, CR_CONFIG_DELIM_SEMICOLON = 1, CR_CONFIG_DELIM_TAB = 2 } cr_config_delim;

/* A yes/no key (data.standardize, data.bias). */
typedef enum { CR_CONFIG_NO = 0, CR_CONFIG_YES = 1 } cr_config_yesno;

/* data.labels01: labels as in the file, or 0 -> -1 and 1 -> +1 (any other label an error). */
typedef enum { CR_CONFIG_LABELS01_KEEP = 0, CR_CONFIG_LABELS01_MAP = 1 } cr_config_labels01;

/* fit.model: which networks `cvxrelu fit` trains (docs/fit.md). */
typedef enum {
    CR_CONFIG_FIT_CONVEX = 0, /* the convex optimum over the patterns, reconstructed as a network */
    CR_CONFIG_FIT_GD = 1,     /* one network of train.width neurons trained by gradient descent (train.*) */
    CR_CONFIG_FIT_BOTH = 2,   /* both */
} cr_config_fit_model;

/* patterns.method: how the arrangement patterns are found. */
typedef enum {
    CR_CONFIG_PATTERNS_EXACT = 0,  /* every pattern (cr_patterns_enumerate) */
    CR_CONFIG_PATTERNS_SAMPLE = 1, /* patterns.samples Gaussian directions (cr_patterns_sample) */
    CR_CONFIG_PATTERNS_FILE = 2,   /* the pattern set in the file patterns.path (patfile.h) */
} cr_config_patterns_method;

typedef struct cr_config {
    char file[CR_PATH_MAX];       /* config file as given on the command line */
    char dir[CR_PATH_MAX];        /* its folder: relative paths in the file resolve against it */
    char stem[CR_PATH_MAX];       /* file name without folder and extension: default results/<stem> */

    cr_exp_id experiment;         /* which driver (experiments/); CR_EXP_NONE until set */
    long seed;                    /* master seed; every purpose derives its own gsl_rng stream */
    long threads;                 /* OpenBLAS threads, pinned by main and recorded in the manifest */

    cr_loss_kind loss;            /* squared | logistic | hinge: the problem the solver and trainer share */
    double beta;                  /* weight decay beta of L_beta and p_convex */

    struct {
        cr_config_data_kind kind; /* gaussian | orthsep | slide | csv */
        long n, d;                /* samples, features (generators) */
        long seed;                /* data stream seed; -1: derived from the master seed */
        cr_labels_kind labels;    /* planted | sign | linear (gaussian) */
        double noise;             /* label noise standard deviation (gaussian) */
        long planted_width;       /* neurons of the planted network (gaussian) */
        double cone_deg;          /* half-angle of each class cone, degrees (orthsep) */
        double between_deg;       /* angle between the class centres, degrees (orthsep) */
        char path[CR_PATH_MAX];   /* csv file, or idx images; resolved against the config folder */
        char labels_path[CR_PATH_MAX];      /* idx labels */
        char test_path[CR_PATH_MAX];        /* held-out csv file, or idx images */
        char test_labels_path[CR_PATH_MAX]; /* held-out idx labels */
        cr_intlist classes_neg, classes_pos; /* labels kept, as -1 and +1; both empty: labels as they are */
        long n_test;              /* idx: first n_test matching test samples; 0: all */
        long project_d;           /* Gaussian projection to this many features; 0: none */
        cr_config_header header;  /* csv */
        char label_column[CR_PATH_MAX]; /* csv: header name or 1-based index; "": the last column */
        cr_config_delim delimiter;      /* csv */
        long skip_rows;           /* csv: records skipped before the header or the data */
        cr_config_yesno standardize;    /* features to training mean 0, deviation 1 */
        cr_config_yesno bias;     /* append the constant feature 1 */
        cr_config_labels01 labels01;    /* csv: {0, 1} labels to {-1, +1} */
        double holdout;           /* csv, idx without test_path: this fraction of the samples held out; 0: none */
    } data;

    struct {
        cr_config_patterns_method method; /* exact | sample | file */
        long samples;             /* Gaussian directions for method sample */
        char path[CR_PATH_MAX];   /* pattern file for method file */
    } patterns;

    struct {
        double tol;               /* certified relative duality gap to stop at */
        long max_iter;            /* iteration limit */
        double max_seconds;       /* wall-clock limit per solve, 0 = none */
        cr_convex_method method;  /* auto | fista | ssnal | ipm */
    } solver;

    struct {
        long width;               /* neurons m */
        long seeds;               /* independent initializations */
        long iters;               /* gradient steps */
        double lr;                /* initial step size */
        cr_lr_kind schedule;      /* constant | step | inv */
        double lr_factor;         /* step schedule: multiplier */
        long lr_every;            /* step schedule: iterations between multiplications */
        double lr_t0;             /* inv schedule: lr / (1 + t / t0) */
        long batch;               /* 0: full-batch gradient descent; else minibatch SGD */
        cr_init_kind init;        /* gaussian | balanced */
        double scale;             /* initialization scale */
        long log_every;           /* log every this many steps */
        double grad_tol;          /* stop when the gradient norm falls below (0: never) */
        double flow_target;       /* loss-scaled descent after GD until min_i y_i f_i = flow_target (0: none) */
    } train;

    struct {
        cr_config_fit_model model; /* convex | gd | both (cvxrelu fit) */
    } fit;

    struct {
        long max_width;           /* widths 1..max_width; 0: 2 m* */
        long sgd_batch;           /* also train each (width, seed) by SGD on batches of this size; 0: GD only */
    } width_sweep;

    struct {
        cr_reallist betas;        /* the path of weight decays beta */
        cr_intlist widths;        /* widths of the gradient-descent networks */
        double active_tol;        /* a neuron is active when ||w1_j|| |w2_j| > active_tol times the largest */
    } generalization;             /* experiment generalization */

    struct {
        double kink_tol;          /* distance in parameter space within which a kink counts as reached */
        double clarke_tol;        /* GD networks: Clarke stationary when the minimum-norm subgradient is at most this */
        double clarke_tol_sgd;    /* the same for the SGD networks */
    } stationary;

    struct {
        cr_reallist scales;       /* initialization scales swept (alignment) */
        long seeds;               /* initializations per scale in the early-alignment study; 0: no study */
        double delta;             /* the theorem's delta: aligned when cos_j >= 1 - delta */
        double norm_ratio;        /* early phase: ||w1_j|| / scale at most this when cos_j first reaches 1 - delta */
    } alignment;

    struct {
        long runs;                /* data sets per family and per (n, d) (separable) */
        cr_intlist n;             /* sample sizes (separable) */
        cr_intlist d;             /* dimensions (separable) */
        double kkt_resid;         /* KKT residual bound of the runs the iff counts (separable) */
        double margin_tol;        /* tolerance of gamma 2 P* >= 1 (separable) */
    } separable;

    struct {
        long memory_mb;           /* refuse a config whose memory estimate exceeds this (MiB); 0: half the RAM */
        int memory_default;       /* 1: memory_mb was 0 and holds this machine's half; the dump writes 0, so the
                                     resolved config does not depend on the machine (a sweep point's staleness) */
    } limits;

    struct {
        cr_intlist n;             /* sample sizes */
        cr_intlist d;             /* dimensions */
        long samples;             /* directions for the sampled count */
    } count;                      /* experiment arrangement_count */

    struct {
        double x, y, beta;        /* the 1-D toy: data x, label y, weight beta (slide: 1, 1, 1) */
        double range;             /* plotted square [-range, range]^2 (nonconvex), [0, range]^2 (convex) */
        long grid;                /* grid points per axis */
    } landscape;                  /* experiment landscape */

    struct {
        int verbose;              /* --verbose: every convex solve logs its certificates on stderr */
        int quiet;                /* --quiet: no progress bar */
    } cli;                        /* the command line's display options (run, fit): set by the program after
                                     loading, never by a config file, never written to config.yaml */
} cr_config;

/* Origin of a key's value, for messages about cross-field checks. */
typedef struct {
    int set;          /* 0 default, 1 file, 2 --set */
    long line, col;   /* from 1; file only */
} cr_config_origin;

typedef struct cr_config_state cr_config_state;

/* Fills cfg with every default (the experiment is empty until set). */
void cr_config_defaults(cr_config *cfg);

/* Parses the YAML file into cfg (defaults first), then applies overrides ("key.path=value", nset of them),
 * then validates cross-field rules. CR_EINPUT with a message on any error. Parsing only: the memory guard on the
 * sizes the config asks for is the program's next check (cr_limits_check_config, memlimit.h). */
int cr_config_load(const char *path, const char *const *sets, size_t nset, cr_config *cfg, cr_err *err);

/* The same for `cvxrelu fit` (docs/fit.md): the key experiment is optional and ignored (cfg->experiment is
 * CR_EXP_NONE, which the memory guard reads as a fit and the dump leaves out), and the fit section's rules are checked instead of an experiment's:
 * a convex model needs beta > 0, the interior-point method the squared loss. */
int cr_config_load_fit(const char *path, const char *const *sets, size_t nset, cr_config *cfg, cr_err *err);

/* Applies one "key.path=value" override. */
int cr_config_set(cr_config *cfg, const char *assignment, cr_err *err);

/* YAML helpers of the config's reader and writer, shared with the other YAML files of the program (sweep.yaml).
 * cr_yaml_quote writes s as a YAML double-quoted scalar: quotes, backslashes, control characters and non-ASCII
 * code points escaped, so that it loads back to the same bytes (a byte that is not UTF-8 becomes U+FFFD).
 * cr_yaml_load parses the one YAML document of text (len bytes; path names it in messages) into doc, after
 * refusing lists and mappings nested deeper than 64 levels (libyaml's scanner slows with depth): CR_EINPUT as
 * "path:line:column: YAML syntax error: ..." or for a second document. On CR_OK the caller deletes doc. */
struct yaml_document_s;
void cr_yaml_quote(FILE *f, const char *s);
int cr_yaml_load(const char *path, const unsigned char *text, size_t len, struct yaml_document_s *doc, cr_err *err);

/* Writes the fully resolved config as YAML (every key, defaults filled in), what `check` prints: a key the
 * experiment does not read is marked "# ignored by EXPERIMENT", one the data kind does not use "# ignored for
 * data.kind KIND"; limits.memory_mb left at 0 stays 0, with this machine's value in a comment. */
int cr_config_write(const cr_config *cfg, FILE *f);
/* Same, into a malloc'ed string (caller frees), without the machine's memory: the text a run writes as
 * config.yaml and a sweep compares to tell a stale point, the same on every machine. NULL on allocation failure. */
char *cr_config_dump(const cr_config *cfg);

/* The config's name of an enum value (as written in config.yaml); "" for a value that has none
 * (CR_EXP_NONE). */
const char *cr_config_experiment_name(cr_exp_id e);
const char *cr_config_data_kind_name(cr_config_data_kind k);
const char *cr_config_patterns_method_name(cr_config_patterns_method m);

/* Number of schema keys and the key path at index i (for documentation and tests). */
size_t cr_config_nkeys(void);
const char *cr_config_key(size_t i);
const char *cr_config_key_doc(size_t i);
/* Writes the reference (key, type, default, range, doc) as a Markdown table. */
void cr_config_reference(FILE *f);

/* The nearest known key to name (edit distance), or NULL when nothing is close. */
const char *cr_config_suggest(const char *name);

#endif
