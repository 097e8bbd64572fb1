/* Instances of the convex program for the tests of convex.h and convex_ipm.h, and the independent oracle:
 * Gaussian data, patterns by a sweep of the circle (d = 2), by sampled directions or by exact enumeration,
 * written in the instance format of tests/oracle/socp.py, whose cvxopt solution gives the optimum. */
#ifndef CR_CONVEX_INST_H
#define CR_CONVEX_INST_H

#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "loss.h"
#include "patterns.h"

typedef struct {
    size_t n, d;
    double *X, *y;
    cr_patterns *P;
} inst;

static inline void inst_free(inst *I)
{
    free(I->X);
    free(I->y);
    cr_patterns_free(I->P);
}

static inline void add_pattern_of(inst *I, const double *u)
{
    uint64_t m[64] = {0};
    assert_true(I->n <= 64 * 64);
    for (size_t k = 0; k < I->n; k++) {
        double h = 0;
        for (size_t a = 0; a < I->d; a++) h += I->X[k * I->d + a] * u[a];
        if (h >= 0) m[k / 64] |= (uint64_t)1 << (k % 64);
    }
    cr_err e;
    assert_int_equal(cr_patterns_add(I->P, m, &e), CR_OK);
}

/* Every pattern for d = 2 (independent of the library's enumeration): the directions orthogonal to each row
 * are the only places where a pattern changes, so the critical angles themselves (faces) and the midpoints
 * between consecutive ones (open regions), plus u = 0, give every realizable pattern. */
static inline void sweep_patterns_d2(inst *I)
{
    size_t n = I->n;
    double *th = malloc((2 * n + 1) * sizeof *th);
    size_t c = 0;
    for (size_t k = 0; k < n; k++) {
        double x0 = I->X[2 * k], x1 = I->X[2 * k + 1];
        if (x0 == 0 && x1 == 0) continue;
        double t = atan2(x1, x0) + M_PI / 2; /* u = (cos t, sin t) with x'u = 0 */
        for (int s = 0; s < 2; s++) {
            double a = fmod(t + s * M_PI + 4 * M_PI, 2 * M_PI);
            th[c++] = a;
        }
    }
    double zero[2] = {0, 0};
    add_pattern_of(I, zero);
    for (size_t i = 0; i < c; i++)
        for (size_t j = i + 1; j < c; j++)
            if (th[j] < th[i]) {
                double t = th[i];
                th[i] = th[j];
                th[j] = t;
            }
    if (c == 0) {
        double u[2] = {1, 0};
        add_pattern_of(I, u);
    }
    for (size_t i = 0; i < c; i++) {
        double a = th[i], b = i + 1 < c ? th[i + 1] : th[0] + 2 * M_PI;
        double u[2] = {cos(a), sin(a)};
        /* an exact zero of x'u is what makes a face: snap the rows orthogonal to u */
        add_pattern_of(I, u);
        double mid = 0.5 * (a + b), v[2] = {cos(mid), sin(mid)};
        add_pattern_of(I, v);
    }
    free(th);
}

#define ENUM ((size_t)-1) /* samples: exact enumeration by cr_patterns_enumerate (patterns.h) */

/* One case of an oracle comparison: the instance make_inst builds and the problem solved on it. */
typedef struct {
    size_t n, d;
    int kind;
    size_t samples;
    double beta;
    cr_loss_kind loss;
} inst_case;

/* Gaussian X, labels by loss (regression: Gaussian; classification: signs), patterns: d = 2 sweep or
 * `samples` Gaussian directions. kind: 0 plain, 1 duplicate row, 2 parallel opposite rows, 3 zero row,
 * 4 rank-deficient (d = 3, third column = first + second). */
static inline inst make_inst(size_t n, size_t d, cr_loss_kind loss, int kind, size_t samples, unsigned long seed)
{
    inst I = {n, d, calloc(n * d, sizeof(double)), calloc(n, sizeof(double)), cr_patterns_alloc(n, 64)};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t t = 0; t < n * d; t++) I.X[t] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n; k++)
        I.y[k] = loss == CR_LOSS_SQUARED ? gsl_ran_gaussian(r, 1.0) : (gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0);
    if (kind == 1) memcpy(I.X + d, I.X, d * sizeof(double));
    if (kind == 2)
        for (size_t a = 0; a < d; a++) I.X[d + a] = -2.5 * I.X[a];
    if (kind == 3)
        for (size_t a = 0; a < d; a++) I.X[2 * d + a] = 0;
    if (kind == 4 && d == 3)
        for (size_t k = 0; k < n; k++) I.X[k * 3 + 2] = I.X[k * 3] + I.X[k * 3 + 1];
    if (samples == ENUM) {
        cr_patterns_free(I.P);
        I.P = NULL;
        assert_int_equal(cr_patterns_enumerate(I.X, n, d, &I.P, NULL), CR_OK);
    } else if (d == 2 && samples == 0) {
        sweep_patterns_d2(&I);
    } else {
        double u[16];
        for (size_t s = 0; s < samples; s++) {
            for (size_t a = 0; a < d; a++) u[a] = gsl_ran_gaussian(r, 1.0);
            add_pattern_of(&I, u);
        }
    }
    gsl_rng_free(r);
    return I;
}

static inline void write_inst(const char *path, const inst *I, cr_loss_kind loss, double beta)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "cvxrelu-instance 1\nloss %s\nbeta %.17g\nn %zu\nd %zu\np %zu\nX\n", cr_loss_name(loss), beta, I->n,
            I->d, I->P->p);
    crt_write_rows(f, I->X, I->n, I->d);
    fprintf(f, "y\n");
    crt_write_rows(f, I->y, I->n, 1);
    fprintf(f, "patterns\n");
    crt_write_patterns(f, I->P);
    fclose(f);
}

/* The optimum from cvxopt. */
static inline double oracle(const inst *I, cr_loss_kind loss, double beta)
{
    char dir[256], path[512], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/instance.txt", dir);
    write_inst(path, I, loss, beta);
    snprintf(cmd, sizeof cmd, "%s '%s/tests/oracle/socp.py' '%s'", CRT_PYTHON, CR_SOURCE_DIR, path);
    char *out = NULL;
    int st = crt_sh(cmd, &out);
    if (st != 0) fprintf(stderr, "oracle failed:\n%s\n", out ? out : "");
    assert_int_equal(st, 0);
    const char *o = strstr(out, "optimum ");
    assert_non_null(o);
    double v = strtod(o + 8, NULL);
    free(out);
    crt_rmtree(dir);
    return v;
}

#endif
