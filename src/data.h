/* Data sets: X (n x d, row-major) and labels y, and their generators: Gaussian with a planted ReLU network,
 * orthogonally separable by construction, the slides' 3 x 2 example. Loading a file is the program's part
 * (src/harness/dataload.h). */
#ifndef CR_DATA_H
#define CR_DATA_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "err.h"

typedef struct cr_config cr_config; /* src/harness/config.h */

typedef struct {
    size_t n, d;
    double *X; /* n x d, row-major, owned */
    double *y; /* n, owned */
} cr_data;

cr_data *cr_data_alloc(size_t n, size_t d);
void cr_data_free(cr_data *D);

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

#endif
