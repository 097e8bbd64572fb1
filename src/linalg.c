/* Dense linear algebra independent of the BLAS thread count (see linalg.h). No GSL header here: cblas.h
 * clashes with gsl_cblas.h. */
#include "linalg.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void dpotf2_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info);
void dgetf2_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda, const int *ipiv,
             double *b, const int *ldb, int *info);

#define GEMV_CHUNK 8192 /* m n of one dgemv call: OpenBLAS threads it from 9216 on */
#define KCHUNK 64       /* inner dimension of one dgemm call when the product is cut */
#define SYRK_TILE 64    /* rows of a diagonal tile of the rank-k update */
#define CHOL_BLOCK 32   /* columns factored by dpotf2 at once (OpenBLAS's dpotrf also runs dpotf2 up to 32) */

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------------ products */

void cr_linalg_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A, size_t lda,
                    const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    const enum CBLAS_TRANSPOSE TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
    if (m == 0 || n == 0) return;
    if ((double)m * (double)n * (double)k <= CR_LINALG_GEMM_CHUNK) {
        cblas_dgemm(CblasRowMajor, TA, TB, (int)m, (int)n, (int)k, alpha, A, (int)lda, B, (int)ldb, beta, C,
                    (int)ldc);
        return;
    }
    /* Tiles mb x nb of C and chunks kb of the inner dimension with mb nb kb <= 2^18: square tiles of C unless
     * one side of C is short, then as long as the budget allows along the other. */
    const size_t kb = min_sz(k, KCHUNK), area = (size_t)CR_LINALG_GEMM_CHUNK / kb;
    const size_t side = (size_t)sqrt((double)area);
    size_t mb = m, nb = n;
    if (m * n > area) {
        if (m <= side) nb = area / m;
        else if (n <= side) mb = area / n;
        else mb = side, nb = area / side;
    }
    for (size_t i0 = 0; i0 < m; i0 += mb) {
        const size_t mi = min_sz(mb, m - i0);
        for (size_t j0 = 0; j0 < n; j0 += nb) {
            const size_t nj = min_sz(nb, n - j0);
            for (size_t l0 = 0; l0 < k; l0 += kb) {
                const size_t kl = min_sz(kb, k - l0);
                const double *a = ta ? A + l0 * lda + i0 : A + i0 * lda + l0;
                const double *b = tb ? B + j0 * ldb + l0 : B + l0 * ldb + j0;
                cblas_dgemm(CblasRowMajor, TA, TB, (int)mi, (int)nj, (int)kl, alpha, a, (int)lda, b, (int)ldb,
                            l0 == 0 ? beta : 1.0, C + i0 * ldc + j0, (int)ldc);
            }
        }
    }
}

void cr_linalg_gemv(int ta, size_t m, size_t n, double alpha, const double *A, size_t lda, const double *x,
                    double beta, double *y)
{
    if (m * n <= GEMV_CHUNK) {
        cblas_dgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, (int)m, (int)n, alpha, A, (int)lda, x, 1, beta,
                    y, 1);
        return;
    }
    if (!ta) {
        /* y (m) = A x: rows of A in blocks, each row's sum in chunks of c columns, added in order */
        const size_t c = min_sz(n, GEMV_CHUNK), r = GEMV_CHUNK / c;
        for (size_t i0 = 0; i0 < m; i0 += r)
            for (size_t j0 = 0; j0 < n; j0 += c)
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)min_sz(r, m - i0), (int)min_sz(c, n - j0), alpha,
                            A + i0 * lda + j0, (int)lda, x + j0, 1, j0 == 0 ? beta : 1.0, y + i0, 1);
    } else {
        /* y (n) = A'x: columns of A in blocks, each column's sum in chunks of r rows, added in order */
        const size_t r = min_sz(m, GEMV_CHUNK), c = GEMV_CHUNK / r;
        for (size_t j0 = 0; j0 < n; j0 += c)
            for (size_t i0 = 0; i0 < m; i0 += r)
                cblas_dgemv(CblasRowMajor, CblasTrans, (int)min_sz(r, m - i0), (int)min_sz(c, n - j0), alpha,
                            A + i0 * lda + j0, (int)lda, x + i0, 1, i0 == 0 ? beta : 1.0, y + j0, 1);
    }
}

void cr_linalg_syrk(int ta, size_t n, size_t k, double alpha, const double *A, size_t lda, double beta, double *C,
                    size_t ldc)
{
    /* Row blocks of SYRK_TILE rows: the diagonal tile as a full product whose strictly lower part is put back
     * afterwards, then the rest of the block row to its right. Rows i of op(A) = A (n x k) are rows of A;
     * of op(A) = A' (A k x n) columns of A. */
    double low[SYRK_TILE * (SYRK_TILE - 1) / 2];
    for (size_t i0 = 0; i0 < n; i0 += SYRK_TILE) {
        const size_t b = min_sz(SYRK_TILE, n - i0);
        const double *ai = ta ? A + i0 : A + i0 * lda;
        double *cii = C + i0 * ldc + i0;
        size_t t = 0;
        for (size_t i = 1; i < b; i++)
            for (size_t j = 0; j < i; j++) low[t++] = cii[i * ldc + j];
        cr_linalg_gemm(ta, !ta, b, b, k, alpha, ai, lda, ai, lda, beta, cii, ldc);
        t = 0;
        for (size_t i = 1; i < b; i++)
            for (size_t j = 0; j < i; j++) cii[i * ldc + j] = low[t++];
        if (i0 + b < n) {
            const double *aj = ta ? A + i0 + b : A + (i0 + b) * lda;
            cr_linalg_gemm(ta, !ta, b, n - i0 - b, k, alpha, ai, lda, aj, lda, beta, cii + b, ldc);
        }
    }
}

/* ------------------------------------------------------------------ factorizations */

int cr_linalg_potrf(size_t n, double *A, size_t lda)
{
    /* Right-looking blocked Cholesky in column-major terms: L11 by dpotf2, L21 = A21 L11^{-T} column by column,
     * A22 -= L21 L21' (the lower triangle of A22 is the upper triangle of the row-major view, and L21' is the
     * row-major view of L21: so cr_linalg_syrk with ta). */
    int ld = (int)lda, info = 0;
    for (size_t k0 = 0; k0 < n; k0 += CHOL_BLOCK) {
        const size_t b = min_sz(CHOL_BLOCK, n - k0), r = n - k0 - b;
        double *a11 = A + k0 * lda + k0, *a21 = a11 + b;
        int bi = (int)b;
        dpotf2_("L", &bi, a11, &ld, &info);
        if (info != 0) return (int)k0 + info;
        if (r == 0) break;
        for (size_t j = 0; j < b; j++) {
            double *cj = a21 + j * lda;
            for (size_t l = 0; l < j; l++) {
                const double f = a11[l * lda + j], *cl = a21 + l * lda;
                for (size_t i = 0; i < r; i++) cj[i] -= f * cl[i];
            }
            const double djj = a11[j * lda + j];
            for (size_t i = 0; i < r; i++) cj[i] /= djj;
        }
        cr_linalg_syrk(1, r, b, -1.0, a21, lda, 1.0, a21 + b * lda, lda);
    }
    return 0;
}

void cr_linalg_potrs(size_t n, const double *A, size_t lda, double *b)
{
    int ni = (int)n, ld = (int)lda, one = 1, info = 0;
    if (n > 0) dpotrs_("L", &ni, &one, A, &ld, b, &ni, &info);
}

int cr_linalg_gesv(size_t n, double *A, size_t lda, int *ipiv, double *b)
{
    int ni = (int)n, ld = (int)lda, one = 1, info = 0;
    if (n == 0) return 0;
    dgetf2_(&ni, &ni, A, &ld, ipiv, &info);
    if (info != 0) return info;
    dgetrs_("N", &ni, &one, A, &ld, ipiv, b, &ni, &info);
    return 0;
}

void cr_linalg_qr_r(size_t m, size_t n, double *A, size_t lda)
{
    /* Column j: the reflector H = I - tau v v' (v_j = 1) maps A(j:m, j) to (beta, 0, ..., 0), as LAPACK's dlarfg;
     * it is then applied to the columns right of j. The norm is taken with a scale so that squares of large or
     * tiny entries neither overflow nor vanish. */
    for (size_t j = 0; j < n && j < m; j++) {
        double *x = A + j * lda + j;
        const size_t len = m - j;
        double amax = 0;
        for (size_t i = 0; i < len; i++) amax = fmax(amax, fabs(x[i]));
        if (amax == 0) continue;
        double s2 = 0;
        for (size_t i = 1; i < len; i++) s2 += (x[i] / amax) * (x[i] / amax);
        if (s2 == 0) continue; /* already (x_0, 0, ..., 0): H = I */
        const double alpha = x[0], a0 = alpha / amax;
        const double beta = -copysign(amax * sqrt(a0 * a0 + s2), alpha), tau = (beta - alpha) / beta;
        const double inv = 1.0 / (alpha - beta);
        for (size_t i = 1; i < len; i++) x[i] *= inv;
        x[0] = beta;
        for (size_t c = j + 1; c < n; c++) {
            double *y = A + c * lda + j, w = y[0];
            for (size_t i = 1; i < len; i++) w += x[i] * y[i];
            w *= tau;
            y[0] -= w;
            for (size_t i = 1; i < len; i++) y[i] -= w * x[i];
        }
    }
}

void cr_linalg_trsm_lower(size_t m, size_t n, const double *L, size_t ldl, double *B, size_t ldb)
{
    for (size_t c = 0; c < n; c++) {
        double *x = B + c * ldb;
        for (size_t i = 0; i < m; i++) {
            double t = x[i];
            for (size_t l = 0; l < i; l++) t -= L[l * ldl + i] * x[l];
            x[i] = t / L[i * ldl + i];
        }
    }
}

int cr_linalg_chol_guarded(double *A, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double a0 = A[j * m + j], s = a0;
        if (!(a0 > 0) || !isfinite(a0)) return -1;
        for (size_t k = 0; k < j; k++) s -= A[j * m + k] * A[j * m + k];
        s = s > 1e-13 * a0 ? sqrt(s) : 1e64;
        A[j * m + j] = s;
        for (size_t i = j + 1; i < m; i++) {
            double t = A[i * m + j];
            for (size_t k = 0; k < j; k++) t -= A[i * m + k] * A[j * m + k];
            A[i * m + j] = t / s;
        }
    }
    return 0;
}

void cr_linalg_chol_lower_solve(const double *L, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++) t -= L[i * m + k] * b[k];
        b[i] = t / L[i * m + i];
    }
}

void cr_linalg_chol_solve(const double *L, size_t m, double *b)
{
    cr_linalg_chol_lower_solve(L, m, b);
    for (size_t i = m; i-- > 0;) {
        double t = b[i];
        for (size_t k = i + 1; k < m; k++) t -= L[k * m + i] * b[k];
        b[i] = t / L[i * m + i];
    }
}

double cr_linalg_dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

double cr_linalg_nrm2(const double *a, size_t n)
{
    return sqrt(cr_linalg_dot(a, a, n));
}
