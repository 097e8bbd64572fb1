/* Data sets: X (n x d, row-major) and labels y, with an optional held-out test set; their generators: Gaussian with
 * a planted ReLU network, orthogonally separable by construction, the slides' 3 x 2 example; and the transforms a
 * real data set goes through (class selection, Gaussian projection, standardization, a bias feature), each
 * applied to the test set with the training set's parameters. Loading a file is the program's part
 * (src/harness/dataload.h; docs/data.md). */
#ifndef CR_DATA_H
#define CR_DATA_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "err.h"

typedef struct cr_config cr_config; /* src/harness/config.h */

typedef struct cr_data {
    size_t n, d;
    double *X; /* n x d, row-major, owned */
    double *y; /* n, owned */
    struct cr_data *test; /* held-out samples with the same d (never trained on), owned; NULL: none */
    double *mean, *scale; /* d_std each, owned: what cr_data_standardize subtracted and divided by; NULL: none */
    size_t d_std;
} cr_data;

cr_data *cr_data_alloc(size_t n, size_t d);
void cr_data_free(cr_data *D); /* frees D->test too */

/* The slides' example X = [[3,3],[2,2],[1,0]], y = (1, -1, 1) (the slides leave y symbolic). */
cr_data *cr_data_slide(void);

/* Rows N(0, I_d). y from a planted network sum_j (x'w_j)_+ a_j (w_j ~ N(0, I_d / d), a_j = +-1 alternating)
 * plus noise * N(0,1); with CR_LABELS_SIGN, y = sign of that (0 -> +1). */
typedef enum { CR_LABELS_PLANTED = 0, CR_LABELS_SIGN = 1, CR_LABELS_LINEAR = 2 } cr_labels_kind;
/* With CR_LABELS_LINEAR, y = sign(x'w*) (0 -> +1) for w* ~ N(0, I_d): linearly separable through the origin. */
int cr_data_gaussian(size_t n, size_t d, size_t planted_width, double noise, cr_labels_kind labels, gsl_rng *rng,
                     cr_data **out, cr_err *err);

/* Orthogonally separable by construction: class +1 directions within cone_deg of the centre c+ = e1, class -1
 * within cone_deg of c- (in the e1-e2 plane), angle(c+, c-) = between_deg >= 90 + 2 cone_deg; norms uniform in [0.5, 1.5]; about half
 * of the samples each class (at least one of each for n >= 2). Verified before return. */
int cr_data_orthsep(size_t n, size_t d, double cone_deg, double between_deg, gsl_rng *rng, cr_data **out,
                    cr_err *err);

/* 1 when (X, y) is orthogonally separable (docs/MATH.md); else 0 with the first violating pair (i, k), i < k. */
int cr_data_orthsep_check(const cr_data *D, size_t *bad_i, size_t *bad_k);

/* -1 when label is one of neg[0..nneg), +1 when one of pos[0..npos), 0 when neither (a label in both: -1). */
int cr_data_class_sign(double label, const long *neg, size_t nneg, const long *pos, size_t npos);

/* Keeps the samples whose label is a class of neg or pos, in order, with label -1 or +1 (cr_data_class_sign);
 * D->test is left alone. Returns the samples kept (D->n). */
size_t cr_data_keep_classes(cr_data *D, const long *neg, size_t nneg, const long *pos, size_t npos);

/* Replaces X by X G (n x k) for G (d x k) with independent entries N(0, 1/k) drawn from rng row by row, so that
 * E ||G'x||^2 = ||x||^2; D->test gets the same G. CR_ERUNTIME when out of memory (D unchanged). */
int cr_data_project(cr_data *D, size_t k, gsl_rng *rng, cr_err *err);

/* Each feature minus its training mean, divided by its training standard deviation (population: sum over n,
 * divided by n); a constant feature (deviation 0) is only centred (scale 1). D->test gets the training mean and
 * deviation. The means and scales are kept in D->mean, D->scale (D->d_std = d), so that the transform can be
 * replayed on new rows (cr_data_standardize_apply). CR_ERUNTIME when out of memory (D unchanged). */
int cr_data_standardize(cr_data *D, cr_err *err);

/* Each feature j of D (and D->test) replaced by (x_j - mean[j]) / scale[j]: the arithmetic of
 * cr_data_standardize with given means and scales (D->d of each). */
void cr_data_standardize_apply(cr_data *D, const double *mean, const double *scale);

/* Appends the constant feature c to every sample (d grows by one), D->test too. CR_ERUNTIME when out of memory
 * (D unchanged). */
int cr_data_append_bias(cr_data *D, double c, cr_err *err);

#endif
