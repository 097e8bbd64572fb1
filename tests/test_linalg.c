/* Tests of src/linalg.c: every routine against plain-loop references (products, residuals of the
 * factorizations and solves) on shapes below and far above the sizes it cuts products into; the strictly lower
 * triangle that syrk and potrf must leave alone; LAPACK's info on a matrix that is not positive definite or
 * singular; and the reason the module exists: each routine gives bit for bit the same result with OpenBLAS at
 * 1 and at 2 threads (this test sets the thread count itself to compare the two, on whatever kernel runs it);
 * dot and nrm2 against long-double sums. */
#include "testutil.h"

#include <cblas.h>
#include <float.h>

#include "linalg.h"

static double *rnd(gsl_rng *g, size_t len)
{
    double *a = malloc((len ? len : 1) * sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < len; i++) a[i] = gsl_rng_uniform(g) - 0.5;
    return a;
}

static double *copy_of(const double *a, size_t len)
{
    double *b = malloc((len ? len : 1) * sizeof *b);
    assert_non_null(b);
    memcpy(b, a, len * sizeof *b);
    return b;
}

/* op(A)_il for A row-major with leading dimension lda, transposed when t. */
static double at(const double *A, size_t lda, int t, size_t i, size_t l)
{
    return t ? A[l * lda + i] : A[i * lda + l];
}

/* Bound on the rounding of a sum of k products of entries below 1/2 in magnitude, plus beta C. */
static double sum_tol(size_t k)
{
    return 4.0 * (double)(k + 2) * DBL_EPSILON;
}

/* ------------------------------------------------------------------ products against plain loops */

static void check_gemm(gsl_rng *g, int ta, int tb, size_t m, size_t n, size_t k)
{
    size_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
    double *A = rnd(g, (ta ? k : m) * lda), *B = rnd(g, (tb ? n : k) * ldb), *C = rnd(g, m * ldc);
    double *C0 = copy_of(C, m * ldc);
    cr_linalg_gemm(ta, tb, m, n, k, 0.75, A, lda, B, ldb, -0.5, C, ldc);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t l = 0; l < k; l++) s += at(A, lda, ta, i, l) * at(B, ldb, tb, l, j);
            double ref = 0.75 * s - 0.5 * C0[i * ldc + j];
            if (fabs(C[i * ldc + j] - ref) > sum_tol(k))
                fail_msg("gemm %d%d %zux%zux%zu: C[%zu,%zu] = %.17g, loops %.17g", ta, tb, m, n, k, i, j,
                         C[i * ldc + j], ref);
        }
    /* the padding columns of C are not written */
    for (size_t i = 0; i < m; i++) assert_true(C[i * ldc + n] == C0[i * ldc + n]);
    free(A);
    free(B);
    free(C);
    free(C0);
}

static void test_gemm(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(11);
    /* below the bound (one call), above it with every kind of cut: short m, short n, square tiles, long k */
    const size_t shapes[][3] = {{5, 7, 3}, {64, 64, 64}, {3, 900, 200}, {700, 5, 90}, {150, 130, 40},
                                {40, 30, 1000}, {200, 200, 200}, {1, 1, 300000}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++) check_gemm(g, t & 1, t >> 1, shapes[s][0], shapes[s][1], shapes[s][2]);
    /* within the bound it is exactly one dgemm call */
    double *A = rnd(g, 60 * 50), *B = rnd(g, 50 * 70), *C1 = rnd(g, 60 * 70), *C2 = copy_of(C1, 60 * 70);
    cr_linalg_gemm(0, 0, 60, 70, 50, 1.0, A, 50, B, 70, 1.0, C1, 70);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 60, 70, 50, 1.0, A, 50, B, 70, 1.0, C2, 70);
    assert_memory_equal(C1, C2, 60 * 70 * sizeof *C1);
    free(A);
    free(B);
    free(C1);
    free(C2);
    gsl_rng_free(g);
}

static void test_gemv(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(12);
    const size_t shapes[][2] = {{9, 4}, {90, 91}, {5, 30000}, {30000, 3}, {400, 300}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++) {
            size_t m = shapes[s][0], n = shapes[s][1], lda = n + 2, ny = ta ? n : m, nx = ta ? m : n;
            double *A = rnd(g, m * lda), *x = rnd(g, nx), *y = rnd(g, ny), *y0 = copy_of(y, ny);
            cr_linalg_gemv(ta, m, n, 2.0, A, lda, x, 0.25, y);
            for (size_t i = 0; i < ny; i++) {
                double s2 = 0;
                for (size_t l = 0; l < nx; l++) s2 += (ta ? A[l * lda + i] : A[i * lda + l]) * x[l];
                double ref = 2.0 * s2 + 0.25 * y0[i];
                if (fabs(y[i] - ref) > 2 * sum_tol(nx))
                    fail_msg("gemv %d %zux%zu: y[%zu] = %.17g, loops %.17g", ta, m, n, i, y[i], ref);
            }
            free(A);
            free(x);
            free(y);
            free(y0);
        }
    gsl_rng_free(g);
}

static void test_syrk(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(13);
    const size_t shapes[][2] = {{1, 4}, {12, 40}, {64, 64}, {65, 3}, {150, 300}, {130, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++) {
            size_t n = shapes[s][0], k = shapes[s][1], lda = (ta ? n : k) + 1, ldc = n + 2;
            double *A = rnd(g, (ta ? k : n) * lda), *C = rnd(g, n * ldc), *C0 = copy_of(C, n * ldc);
            cr_linalg_syrk(ta, n, k, -1.5, A, lda, 0.5, C, ldc);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    if (j < i) {
                        if (C[i * ldc + j] != C0[i * ldc + j])
                            fail_msg("syrk %d n %zu: lower [%zu,%zu] written", ta, n, i, j);
                        continue;
                    }
                    double s2 = 0;
                    for (size_t l = 0; l < k; l++) s2 += at(A, lda, ta, i, l) * at(A, lda, ta, j, l);
                    double ref = -1.5 * s2 + 0.5 * C0[i * ldc + j];
                    if (fabs(C[i * ldc + j] - ref) > 2 * sum_tol(k))
                        fail_msg("syrk %d %zux%zu: C[%zu,%zu] = %.17g, loops %.17g", ta, n, k, i, j, C[i * ldc + j],
                                 ref);
                }
            free(A);
            free(C);
            free(C0);
        }
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------ factorizations and solves */

/* A = B B' / n + I (column-major, leading dimension lda; symmetric, so also row-major): eigenvalues in [1, ...]. */
static double *spd(gsl_rng *g, size_t n, size_t lda)
{
    double *B = rnd(g, n * n), *A = calloc(n * lda, sizeof *A);
    assert_non_null(A);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t l = 0; l < n; l++) s += B[i * n + l] * B[j * n + l];
            A[j * lda + i] = s / (double)n + (i == j);
        }
    free(B);
    return A;
}

static void test_potrf_potrs(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(14);
    const size_t sizes[] = {1, 2, 31, 32, 33, 64, 100, 257};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], lda = n + 3;
        double *A = spd(g, n, lda), *L = copy_of(A, n * lda);
        /* the strictly upper triangle (column-major) is a marker that must survive */
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++) L[j * lda + i] = 1e300;
        assert_int_equal(cr_linalg_potrf(n, L, lda), 0);
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++) assert_true(L[j * lda + i] == 1e300);
        /* L L' = A to the rounding of n-term sums of entries of size about 1 */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) {
                double t = 0;
                for (size_t l = 0; l <= j; l++) t += L[l * lda + i] * L[l * lda + j];
                if (fabs(t - A[j * lda + i]) > 8.0 * (double)(n + 2) * DBL_EPSILON * 2.0)
                    fail_msg("potrf n %zu: (L L')[%zu,%zu] = %.17g, A %.17g", n, i, j, t, A[j * lda + i]);
            }
        /* solve: the residual of A x = b is at rounding level (A is well conditioned: eigenvalues >= 1) */
        double *b = rnd(g, n), *x = copy_of(b, n);
        cr_linalg_potrs(n, L, lda, x);
        for (size_t i = 0; i < n; i++) {
            /* backward stable: |A x - b|_i <= c n eps (|A| |x| + |b|)_i */
            double t = 0, sz = fabs(b[i]);
            for (size_t j = 0; j < n; j++) {
                double aij = A[(i > j ? j : i) * lda + (i > j ? i : j)];
                t += aij * x[j];
                sz += fabs(aij * x[j]);
            }
            if (fabs(t - b[i]) > 16.0 * (double)(n + 2) * DBL_EPSILON * sz)
                fail_msg("potrs n %zu: residual %g", n, t - b[i]);
        }
        free(A);
        free(L);
        free(b);
        free(x);
    }
    /* not positive definite: diag(1, 1, ..., -1 at 40, ...): LAPACK's info is the order of the failing minor */
    size_t n = 70;
    double *D = calloc(n * n, sizeof *D);
    for (size_t i = 0; i < n; i++) D[i * n + i] = i == 39 ? -1.0 : 1.0;
    assert_int_equal(cr_linalg_potrf(n, D, n), 40);
    free(D);
    gsl_rng_free(g);
}

/* The guarded Cholesky: a closed form (L = [2 0 0; 1 3 0; -1 1 2] for A = L L'), LAPACK's factor (an independent
 * implementation) on random SPD matrices, and the guard on the singular [1 1; 1 1]: dpotf2 stops there (info 2),
 * the guarded factor puts 1e64 on the pivot and the solve of A x = (1, 1) returns the solution with x_2 = 0,
 * x = (1, 0). */
static void test_chol_guarded(void **state)
{
    (void)state;
    double A[9] = {4, 99, 99, 2, 10, 99, -2, 2, 6}; /* row-major, lower triangle read; 99 must survive */
    const double L[9] = {2, 99, 99, 1, 3, 99, -1, 1, 2};
    assert_int_equal(cr_linalg_chol_guarded(A, 3), 0);
    for (size_t k = 0; k < 9; k++) assert_true(A[k] == L[k]);
    double b[3] = {-2, -4, 8}; /* A (1, -1, 2) */
    cr_linalg_chol_solve(A, 3, b);
    assert_true(fabs(b[0] - 1) <= 4 * DBL_EPSILON && fabs(b[1] + 1) <= 4 * DBL_EPSILON &&
                fabs(b[2] - 2) <= 8 * DBL_EPSILON);
    double y[3] = {2, 4, -2}; /* L (1, 1, -1) */
    cr_linalg_chol_lower_solve(A, 3, y);
    assert_true(y[0] == 1 && y[1] == 1 && y[2] == -1);

    gsl_rng *g = crt_rng_seeded(15);
    for (size_t n = 1; n <= 40; n += 13) {
        double *S = spd(g, n, n), *F = copy_of(S, n * n), *G = copy_of(S, n * n);
        assert_int_equal(cr_linalg_potrf(n, F, n), 0); /* column-major lower = row-major upper: F[j n + i] */
        assert_int_equal(cr_linalg_chol_guarded(G, n), 0); /* S is symmetric: its row-major lower triangle */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++)
                if (fabs(G[i * n + j] - F[j * n + i]) > 64.0 * (double)n * DBL_EPSILON)
                    fail_msg("chol n %zu: L[%zu,%zu] = %.17g, LAPACK %.17g", n, i, j, G[i * n + j], F[j * n + i]);
        free(S), free(F), free(G);
    }
    gsl_rng_free(g);

    double Z[4] = {1, 1, 1, 1}, Zl[4] = {1, 1, 1, 1};
    assert_int_equal(cr_linalg_potrf(2, Zl, 2), 2);
    assert_int_equal(cr_linalg_chol_guarded(Z, 2), 0);
    assert_true(Z[3] == 1e64);
    double x[2] = {1, 1};
    cr_linalg_chol_solve(Z, 2, x);
    assert_true(x[0] == 1 && x[1] == 0);
    /* Only a non-positive or non-finite diagonal entry fails. */
    double N[4] = {0, 0, 0, 1}, Nf[4] = {1, 0, 0, NAN};
    assert_int_equal(cr_linalg_chol_guarded(N, 2), -1);
    assert_int_equal(cr_linalg_chol_guarded(Nf, 2), -1);
}

static void test_gesv(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(15);
    const size_t sizes[] = {1, 3, 11, 40, 150};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], lda = n + 1;
        double *A = rnd(g, n * lda), *F = NULL, *b = rnd(g, n), *x = copy_of(b, n);
        for (size_t i = 0; i < n; i++) A[i * lda + i] += 2.0;
        F = copy_of(A, n * lda);
        int *ip = malloc(n * sizeof *ip);
        assert_int_equal(cr_linalg_gesv(n, F, lda, ip, x), 0);
        for (size_t i = 0; i < n; i++) {
            /* backward stable (partial pivoting, little growth here): |A x - b|_i <= c n eps (|A| |x| + |b|)_i */
            double t = 0, sz = fabs(b[i]);
            for (size_t j = 0; j < n; j++) {
                t += A[j * lda + i] * x[j]; /* column-major */
                sz += fabs(A[j * lda + i] * x[j]);
            }
            if (fabs(t - b[i]) > 16.0 * (double)(n + 2) * DBL_EPSILON * sz)
                fail_msg("gesv n %zu: residual %g", n, t - b[i]);
        }
        free(A);
        free(F);
        free(b);
        free(x);
        free(ip);
    }
    /* singular: a zero column */
    double Z[9] = {1, 2, 3, 0, 0, 0, 4, 5, 7}, bz[3] = {1, 1, 1};
    int ip[3];
    assert_true(cr_linalg_gesv(3, Z, 3, ip, bz) > 0);
    assert_true(bz[0] == 1 && bz[1] == 1 && bz[2] == 1);
    gsl_rng_free(g);
}

static void test_qr_trsm(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(16);
    const size_t shapes[][2] = {{1, 1}, {6, 3}, {42, 20}, {5, 5}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], n = shapes[s][1], lda = m + 2;
        double *A = rnd(g, n * lda), *R = copy_of(A, n * lda);
        cr_linalg_qr_r(m, n, R, lda);
        /* R'R = A'A (Q orthogonal), R upper triangular by construction: compare the n x n Gram matrices */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double ga = 0, gr = 0;
                for (size_t l = 0; l < m; l++) ga += A[i * lda + l] * A[j * lda + l];
                for (size_t l = 0; l <= (i < j ? i : j); l++) gr += R[i * lda + l] * R[j * lda + l];
                if (fabs(ga - gr) > 16.0 * (double)(m + 2) * DBL_EPSILON * (double)m)
                    fail_msg("qr %zux%zu: (R'R)[%zu,%zu] = %.17g, A'A %.17g", m, n, i, j, gr, ga);
            }
        free(A);
        free(R);
    }
    /* trsm: L X = B for L lower with a heavy diagonal */
    size_t m = 9, n = 4, ldl = 10, ldb = 11;
    double *L = rnd(g, m * ldl), *B = rnd(g, n * ldb), *X = copy_of(B, n * ldb);
    for (size_t i = 0; i < m; i++) L[i * ldl + i] += 2.0;
    cr_linalg_trsm_lower(m, n, L, ldl, X, ldb);
    for (size_t c = 0; c < n; c++)
        for (size_t i = 0; i < m; i++) {
            double t = 0;
            for (size_t l = 0; l <= i; l++) t += L[l * ldl + i] * X[c * ldb + l];
            assert_true(fabs(t - B[c * ldb + i]) <= 64.0 * (double)m * DBL_EPSILON);
        }
    free(L);
    free(B);
    free(X);
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------ the same at 1 and 2 threads */

/* Runs f on a copy of out (len doubles) at 1 and 2 OpenBLAS threads; the two results must be equal bit for bit.
 * The caller's thread count is restored. */
typedef void (*op_fn)(void *ctx, double *out);

static void same_at_1_and_2(const char *what, op_fn f, void *ctx, const double *out, size_t len)
{
    int t0 = openblas_get_num_threads();
    double *o1 = copy_of(out, len), *o2 = copy_of(out, len);
    openblas_set_num_threads(1);
    f(ctx, o1);
    openblas_set_num_threads(2);
    f(ctx, o2);
    openblas_set_num_threads(t0);
    size_t diff = 0;
    for (size_t i = 0; i < len; i++) diff += memcmp(o1 + i, o2 + i, sizeof *o1) != 0;
    if (diff) fail_msg("%s: %zu of %zu values differ between 1 and 2 BLAS threads", what, diff, len);
    free(o1);
    free(o2);
}

typedef struct {
    const double *A, *B;
    size_t m, n, k;
    int ta, tb;
} prod_ctx;

static void do_gemm(void *v, double *C)
{
    prod_ctx *c = v;
    cr_linalg_gemm(c->ta, c->tb, c->m, c->n, c->k, 1.0, c->A, c->ta ? c->m : c->k, c->B, c->tb ? c->k : c->n, 0.5, C,
                   c->n);
}

static void do_gemv(void *v, double *y)
{
    prod_ctx *c = v;
    cr_linalg_gemv(c->ta, c->m, c->n, 1.0, c->A, c->n, c->B, 0.5, y);
}

static void do_syrk(void *v, double *C)
{
    prod_ctx *c = v;
    cr_linalg_syrk(c->ta, c->n, c->k, 1.0, c->A, c->ta ? c->n : c->k, 0.5, C, c->n);
}

static void do_potrf(void *v, double *A)
{
    prod_ctx *c = v;
    assert_int_equal(cr_linalg_potrf(c->n, A, c->n), 0);
    double *b = A + c->n * c->n; /* the right-hand side follows the matrix */
    cr_linalg_potrs(c->n, A, c->n, b);
}

static void do_gesv(void *v, double *A)
{
    prod_ctx *c = v;
    int *ip = malloc(c->n * sizeof *ip);
    assert_int_equal(cr_linalg_gesv(c->n, A, c->n, ip, A + c->n * c->n), 0);
    free(ip);
}

static void test_threads(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(17);
    /* Shapes where OpenBLAS's own routines differ at 2 threads on the kernels measured (dgemm 200^3, 1000 x 1000
     * x 10; dsyrk 127 x 3, 300 x 300; dgemv 300 x 300, 20 x 2000; dpotrf from 64; dgesv from 8). */
    const size_t gshape[][3] = {{200, 200, 200}, {1000, 300, 10}, {20, 20, 2000}, {700, 50, 700}};
    for (size_t s = 0; s < sizeof gshape / sizeof gshape[0]; s++)
        for (int t = 0; t < 4; t++) {
            prod_ctx c = {NULL, NULL, gshape[s][0], gshape[s][1], gshape[s][2], t & 1, t >> 1};
            double *A = rnd(g, c.m * c.k), *B = rnd(g, c.k * c.n), *C = rnd(g, c.m * c.n);
            c.A = A, c.B = B;
            char what[64];
            snprintf(what, sizeof what, "gemm %d%d %zux%zux%zu", c.ta, c.tb, c.m, c.n, c.k);
            same_at_1_and_2(what, do_gemm, &c, C, c.m * c.n);
            free(A);
            free(B);
            free(C);
        }
    const size_t vshape[][2] = {{300, 300}, {20, 2000}, {1000, 10}, {3, 40000}};
    for (size_t s = 0; s < sizeof vshape / sizeof vshape[0]; s++)
        for (int ta = 0; ta < 2; ta++) {
            prod_ctx c = {NULL, NULL, vshape[s][0], vshape[s][1], 0, ta, 0};
            double *A = rnd(g, c.m * c.n), *x = rnd(g, c.m + c.n), *y = rnd(g, c.m + c.n);
            c.A = A, c.B = x;
            char what[64];
            snprintf(what, sizeof what, "gemv %d %zux%zu", ta, c.m, c.n);
            same_at_1_and_2(what, do_gemv, &c, y, ta ? c.n : c.m);
            free(A);
            free(x);
            free(y);
        }
    const size_t sshape[][2] = {{127, 3}, {300, 300}, {3, 500}, {100, 20}};
    for (size_t s = 0; s < sizeof sshape / sizeof sshape[0]; s++)
        for (int ta = 0; ta < 2; ta++) {
            prod_ctx c = {NULL, NULL, 0, sshape[s][0], sshape[s][1], ta, 0};
            double *A = rnd(g, c.n * c.k), *C = rnd(g, c.n * c.n);
            c.A = A;
            char what[64];
            snprintf(what, sizeof what, "syrk %d %zux%zu", ta, c.n, c.k);
            same_at_1_and_2(what, do_syrk, &c, C, c.n * c.n);
            free(A);
            free(C);
        }
    const size_t fsize[] = {8, 64, 100, 300};
    for (size_t s = 0; s < sizeof fsize / sizeof fsize[0]; s++) {
        size_t n = fsize[s];
        prod_ctx c = {NULL, NULL, 0, n, 0, 0, 0};
        double *A = spd(g, n, n), *Ab = malloc((n * n + n) * sizeof *Ab);
        memcpy(Ab, A, n * n * sizeof *Ab);
        for (size_t i = 0; i < n; i++) Ab[n * n + i] = gsl_rng_uniform(g) - 0.5;
        char what[64];
        snprintf(what, sizeof what, "potrf + potrs n %zu", n);
        same_at_1_and_2(what, do_potrf, &c, Ab, n * n + n);
        for (size_t i = 0; i < n; i++) Ab[i * n + (i + 1) % n] += 0.3; /* not symmetric */
        snprintf(what, sizeof what, "gesv n %zu", n);
        same_at_1_and_2(what, do_gesv, &c, Ab, n * n + n);
        free(A);
        free(Ab);
    }
    /* For the record (not asserted: it is OpenBLAS's behaviour, not ours): the raw dgemm at 200^3. */
    {
        size_t n = 200;
        double *A = rnd(g, n * n), *B = rnd(g, n * n), *C1 = calloc(n * n, sizeof *C1), *C2 = calloc(n * n, sizeof *C2);
        int t0 = openblas_get_num_threads();
        openblas_set_num_threads(1);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 200, 200, 200, 1.0, A, 200, B, 200, 0.0, C1, 200);
        openblas_set_num_threads(2);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 200, 200, 200, 1.0, A, 200, B, 200, 0.0, C2, 200);
        openblas_set_num_threads(t0);
        size_t diff = 0;
        for (size_t i = 0; i < n * n; i++) diff += C1[i] != C2[i];
        printf("# OpenBLAS's own dgemm 200^3: %zu of %zu entries differ between 1 and 2 threads here\n", diff, n * n);
        free(A);
        free(B);
        free(C1);
        free(C2);
    }
    gsl_rng_free(g);
}

/* dot and nrm2: within the a-priori bound n eps sum |a_i b_i| (+ the square root's half ulp) of a long-double sum,
 * and bit for bit the sum taken in index order, which is what makes them independent of any thread count. */
static void test_dot_nrm2(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(17);
    const size_t lens[] = {0, 1, 2, 7, 64, 1000, 100003};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        size_t n = lens[t];
        double *a = rnd(g, n), *b = rnd(g, n);
        for (size_t i = 0; i < n; i++) a[i] *= 1 + 1e6 * (i % 3 == 0); /* magnitudes 1e-1 .. 1e5 */
        long double exact = 0, absum = 0, sq = 0;
        double inorder = 0, inorder_sq = 0;
        for (size_t i = 0; i < n; i++) {
            exact += (long double)a[i] * b[i];
            absum += fabsl((long double)a[i] * b[i]);
            sq += (long double)a[i] * a[i];
            inorder += a[i] * b[i];
            inorder_sq += a[i] * a[i];
        }
        double dot = cr_linalg_dot(a, b, n), nrm = cr_linalg_nrm2(a, n);
        assert_true(fabsl(dot - exact) <= (long double)n * DBL_EPSILON * absum);
        assert_true(fabsl(nrm - sqrtl(sq)) <= ((long double)n + 1) * DBL_EPSILON * sqrtl(sq));
        assert_memory_equal(&dot, &inorder, sizeof dot);
        double want_nrm = sqrt(inorder_sq);
        assert_memory_equal(&nrm, &want_nrm, sizeof nrm);
        if (n == 0) assert_true(dot == 0 && nrm == 0);
        free(a);
        free(b);
    }
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm),        cmocka_unit_test(test_gemv),   cmocka_unit_test(test_syrk),
        cmocka_unit_test(test_potrf_potrs), cmocka_unit_test(test_chol_guarded), cmocka_unit_test(test_gesv),   cmocka_unit_test(test_qr_trsm),
        cmocka_unit_test(test_threads),     cmocka_unit_test(test_dot_nrm2),
    };
    return cmocka_run_group_tests_name("linalg", tests, NULL, NULL) ? 1 : 0;
}
