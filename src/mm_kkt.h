/* What a trained network says about the nonconvex max-margin problem (docs/MATH.md, KKT multipliers and their fit;
 * Orthogonal separability): the KKT multipliers lambda fitted to gradient descent's logistic weights, the
 * residual of the KKT equations, y'lambda against 1/2 ||theta||^2 and the dual norm N(lambda) (<= 1 iff the
 * KKT point is a global max-margin network); the pattern set I of the subsampled program P_sub; the covering
 * neurons of the Proposition; the alignment cosines of the directional-convergence theorem.
 * Networks are W1 (d x m row-major, column j = neuron j) and w2 (m); X is n x d row-major, y in {-1,+1}^n. */
#ifndef CR_MM_KKT_H
#define CR_MM_KKT_H

#include <stddef.h>

#include "err.h"
#include "patterns.h"

typedef struct cr_mm_kkt_work cr_mm_kkt_work;

/* Scratch for n samples, d features and at most m neurons. NULL on a zero dimension or no memory. */
cr_mm_kkt_work *cr_mm_kkt_alloc(size_t n, size_t d, size_t m);
void cr_mm_kkt_free(cr_mm_kkt_work *w);

/* The result of a KKT fit: this strict fit and the Clarke fit of kktclarke.h (cr_kktc_info is this type). */
typedef struct {
    double min_yf;     /* min_i y_i f_i of the network as given (> 0 required) */
    double scale;      /* a = 1 / sqrt(min_yf): theta <- a theta makes min_i y_i f_i = 1 (f is 2-homogeneous) */
    double c;          /* fitted multiplier scale: lambda = c * dir */
    double resid;      /* relative KKT residual ||t - c g|| / ||t|| at the scaled theta (0 at an exact KKT point):
                          t stacks w2_j and w1_j, g stacks dir'(X w1_j)_+ and w2_j X'D(w1_j) dir, D strict (the Clarke
                          fit: D relaxed to S_j at the kinks) */
    double resid_abs;  /* ||t - c g|| */
    double ytlambda;   /* y'lambda */
    double half_norm2; /* 1/2 ||theta||^2 at the scaled theta (equals y'lambda at a KKT point) */
    double dualnorm;   /* N(lambda) = max_{||u|| <= 1} |lambda'(X u)_+| over P (NaN when P is NULL; the Clarke fit
                          leaves it NaN) */
    size_t kinks;      /* the Clarke fit: pairs (i, j) relaxed to s_ij in [0, 1] (0 for the strict fit) */
} cr_mm_kkt_info;

/* The scalars of a fit from its parts: min_yf = mn, scale = a, c, resid_abs = sqrt(r2), resid = sqrt(r2 / tt) (NaN
 * when tt = 0), ytlambda = yl, half_norm2 = tt / 2, dualnorm = NaN, kinks = 0. */
void cr_mm_kkt_set_info(double mn, double a, double c, double r2, double tt, double yl, cr_mm_kkt_info *info);

/* The KKT fit (docs/MATH.md, KKT multipliers and their fit): theta scaled to min_i y_i f_i = 1, lambda = c * dir with
 *     dir_i = y_i sigma(-y_i f_i)   (f of the network as given: gradient descent's logistic weights),
 * and c fitted by least squares to w2_j = lambda'(X w1_j)_+ and w1_j = w2_j X'D(w1_j) lambda,
 * D(u) = diag(1(X u > 0)). lambda (n) receives c * dir. P (an exact pattern set of X, or NULL) is used for
 * N(lambda). CR_EINPUT when the network does not separate the data (min_i y_i f_i <= 0) or on bad shapes.
 * No allocation. */
int cr_mm_kkt_fit(cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                  const double *w2, size_t m, const cr_patterns *P, double *lambda, cr_mm_kkt_info *info, cr_err *err);

/* The same with a given direction dir (n) instead of the logistic weights (e.g. a dual solution, to check a
 * planted KKT point). */
int cr_mm_kkt_fit_dir(cr_mm_kkt_work *w, const double *X, const double *y, size_t n, size_t d, const double *W1,
                      const double *w2, size_t m, const double *dir, const cr_patterns *P, double *lambda,
                      cr_mm_kkt_info *info, cr_err *err);

/* The pattern set I of the subsampled program: the closed patterns 1(X w1_j >= 0) (the convention of
 * patterns.h and of docs/MATH.md's subsampled program) of the neurons with w1_j != 0 and w2_j != 0, deduplicated,
 * canonical order. A neuron's w1_j lies in the cone K of its closed pattern, so the network maps to a feasible
 * point of P_sub over *out. *out is allocated here (cr_patterns_free). */
int cr_mm_kkt_patterns(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                       cr_patterns **out, cr_err *err);

/* Covering neurons of the Proposition: *iplus = the first j with w2_j > 0 and x_i'w1_j > 0 for every i with
 * y_i = +1, *iminus = the first j with w2_j < 0 and x_i'w1_j > 0 for every i with y_i = -1; (size_t)-1 when
 * there is none. Either pointer may be NULL. */
void cr_mm_kkt_covering(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                        size_t m, size_t *iplus, size_t *iminus);

/* Alignment cos_j = cos angle(w1_j, s_j X'D(w1_j) y), s_j = sign(w2_j), D strict, for every neuron (m values);
 * NaN when w2_j = 0, w1_j = 0 or X'D(w1_j) y = 0. Plain loops, no allocation. */
void cr_mm_kkt_alignment(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                         size_t m, double *cosj);

#endif
