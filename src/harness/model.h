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
#include "loss.h"
#include "net.h"

/* The value of the file's `format` key: the version of the layout below. */
#define CR_MODEL_FORMAT "cvxrelu-model-1"

typedef enum {
    CR_MODEL_CONVEX = 0, /* the convex optimum over the patterns, reconstructed (docs/MATH.md, Reconstruction) */
    CR_MODEL_GD = 1,     /* a network trained by gradient descent (train.*) */
} cr_model_kind;

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

/* 1 when a and b hold the same values bit for bit (every field, weights and patterns), else 0. */
int cr_model_identical(const cr_model *a, const cr_model *b);

/* f (n) = f(theta; X) for X n x M->d row-major, by the network's forward pass (net.h); zeros when M->m = 0.
 * CR_ERUNTIME when out of memory. */
int cr_model_predict(const cr_model *M, const double *X, size_t n, double *f, cr_err *err);

#endif
