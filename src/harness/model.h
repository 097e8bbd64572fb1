/* The model file of `cvxrelu fit` and `cvxrelu predict` (docs/fit.md): one trained two-layer ReLU network
 * f(x) = sum_j max(0, x'w1_j) w2_j with what it was trained for (loss, beta, its objective on the training set)
 * and the arrangement pattern of each neuron on the training set. Text, YAML (any YAML reader loads it; numbers
 * in %.17g, so that they read back to the same doubles), written atomically; the reader refuses anything else
 * with a one-line message naming FILE:LINE:COLUMN and the key. */
#ifndef CR_MODEL_H
#define CR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "config.h"
#include "loss.h"
#include "net.h"

/* The value of the file's `format` key: the version of the layout below. */
#define CR_MODEL_FORMAT "cvxrelu-model-1"

/* cr_model_input.source */
enum { CR_MODEL_SOURCE_CSV = 0, CR_MODEL_SOURCE_IDX = 1, CR_MODEL_SOURCE_SYNTHETIC = 2 };
#define CR_MODEL_CLASSES_MAX CR_LIST_MAX

typedef enum {
    CR_MODEL_CONVEX = 0, /* the convex optimum over the patterns, reconstructed (docs/MATH.md, Reconstruction) */
    CR_MODEL_GD = 1,     /* a network trained by gradient descent (train.*) */
} cr_model_kind;

/* The input transform fit applied to the data before training (the model file's `input:` section, docs/fit.md),
 * which predict replays on raw rows. */
typedef struct {
    int recorded;         /* 0: a model file without `input:` (features used as they are) */
    int source;           /* CR_MODEL_SOURCE_*: where fit's data came from */
    char delimiter;       /* csv: ',' ';' '\t' */
    int header;           /* csv: cr_config_header */
    long skip_rows;       /* csv */
    char label_column[CR_PATH_MAX]; /* csv: header name or 1-based index; "": the last column */
    int labels01;         /* csv: 1 when labels {0, 1} were mapped to {-1, +1} */
    long classes_neg[CR_MODEL_CLASSES_MAX], classes_pos[CR_MODEL_CLASSES_MAX];
    size_t nneg, npos;    /* labels kept as -1 and +1; both 0: labels as they are */
    long project_d;       /* > 0: a Gaussian projection (predict refuses: not replayed) */
    size_t d_raw;         /* features of a raw row (without the label); 0 with a projection (not recorded) */
    double *mean, *scale; /* owned, when standardized: d_raw each (project_d after a projection); NULL: not */
    int bias;             /* 1: the constant feature 1 appended */
} cr_model_input;

typedef struct {
    cr_model_kind kind;
    cr_loss_kind loss;   /* the loss it was trained with */
    double beta;         /* its weight decay */
    size_t d;            /* features, >= 1 */
    size_t m;            /* neurons, >= 0 (a convex optimum may be zero: f = 0) */
    size_t n_train;      /* training samples: the length of each pattern, >= 1 */
    double objective;    /* L_beta = l(f, y) + beta/2 ||theta||^2 on the training set (docs/MATH.md) */
    cr_net *net;         /* W1 (d x m), w2 (m), owned; NULL when m = 0 */
    size_t words;        /* uint64_t words per pattern: (n_train + 63) / 64 */
    uint64_t *patterns;  /* m x words, owned: neuron j's pattern on the training set, bits as in patterns.h
                            (convex: the D_i of its block; gd: 1(X w1_j >= 0)); NULL when m = 0 */
    cr_model_input input; /* the transform from a raw row to the network's d features */
} cr_model;

/* A zero model of d features, m neurons and n_train training samples. NULL when d or n_train is 0 or memory
 * runs out. cr_model_free accepts NULL. */
cr_model *cr_model_alloc(size_t d, size_t m, size_t n_train);
void cr_model_free(cr_model *M);

/* "convex" | "gd". */
const char *cr_model_kind_name(cr_model_kind k);

/* Writes M to path atomically (a temporary renamed into place). CR_ERUNTIME when a number is not finite (nothing
 * is written) or on an I/O failure. */
int cr_model_write(const cr_model *M, const char *path, cr_err *err);

/* Reads a model file into *out (allocated here). CR_EINPUT, one line "PATH:LINE:COLUMN: KEY: expected ..., got
 * ..." (or "PATH: ..." for the file as a whole), for anything but a model as cr_model_write writes it: a missing,
 * unknown or repeated key, another format, a non-number or non-finite number, a count that does not match d,
 * width or n_train, a pattern that is not a 0/1 string; CR_ERUNTIME when out of memory. */
int cr_model_read(const char *path, cr_model **out, cr_err *err);

/* Sets M->input to a copy of in (mean and scale copied). CR_ERUNTIME when out of memory. */
int cr_model_set_input(cr_model *M, const cr_model_input *in, cr_err *err);

/* 1 when a and b hold the same values bit for bit (every field, weights, patterns and input), else 0. */
int cr_model_identical(const cr_model *a, const cr_model *b);

/* f (n) = f(theta; X) for X n x M->d row-major, by the network's forward pass (net.h); zeros when M->m = 0.
 * CR_ERUNTIME when out of memory. */
int cr_model_predict(const cr_model *M, const double *X, size_t n, double *f, cr_err *err);

#endif
