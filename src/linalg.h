/* Dense linear algebra whose results do not depend on the number of BLAS threads.
 *
 * OpenBLAS hands a large enough product to its thread pool and then cuts the output among the threads at
 * points that need not fall on its kernels' unroll boundaries; the entries next to a cut go through other code
 * (edge kernels) and round differently. So dgemm, dsyrk, dgemv and dtrsm give other last bits at 2 threads
 * than at 1 (measured with OpenBLAS 0.3.21 on its SkylakeX, Haswell and Sandybridge kernels: dgemm
 * 200 x 200 x 200 changes 695 of its 40000 entries), and the LAPACK drivers dpotrf and dgesv switch to other
 * algorithms whenever a second thread is available (dgesv at every size). Everything that feeds a reported
 * number goes through this module instead, so a run's output is the same at any `threads`:
 *  - products are cut, by their shape alone, into calls within the sizes OpenBLAS runs on the calling thread
 *    whatever its thread count: dgemm with M N K <= 2^18 (interface/gemm.c: 65536 * GEMM_MULTITHREAD_THRESHOLD,
 *    which is 4), dgemv with m n <= 8192 (interface/gemv.c: single-threaded below 2304 * 4 = 9216). A product
 *    within the bound is one call, as before; above it the cuts (and the order in which the chunks of the
 *    inner dimension are added) depend on the dimensions only;
 *  - the symmetric rank-k update is made of such products;
 *  - factorizations use LAPACK's unblocked kernels (dpotf2, dgetf2, one thread) and their own blocking; solves
 *    with one right-hand side (dpotrs, dgetrs) are never split (OpenBLAS splits the right-hand sides).
 * The price: OpenBLAS's pool never runs for these calls, so `threads` does not make them faster. The tests
 * (tests/test_linalg.c) compare 1 and 2 threads bit for bit on sizes far above these bounds.
 * Row-major unless stated; no allocation. This file includes no BLAS header (cblas.h clashes with GSL's). */
#ifndef CR_LINALG_H
#define CR_LINALG_H

#include <stddef.h>

/* Products of at most this many multiply-adds (M N K) run on one OpenBLAS thread: a single dgemm call. */
#define CR_LINALG_GEMM_CHUNK 262144.0

/* C (m x n) = alpha op(A) op(B) + beta C; op(A) = A (m x k) or, when ta, A' (A is k x m); op(B) = B (k x n)
 * or, when tb, B' (B is n x k). Leading dimensions as in CBLAS row-major. */
void cr_linalg_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A, size_t lda,
                    const double *B, size_t ldb, double beta, double *C, size_t ldc);

/* y = alpha op(A) x + beta y for A (m x n, leading dimension lda), op(A) = A or, when ta, A'; unit strides. */
void cr_linalg_gemv(int ta, size_t m, size_t n, double alpha, const double *A, size_t lda, const double *x,
                    double beta, double *y);

/* Upper triangle of C (n x n) = alpha A A' + beta C for A (n x k) or, when ta, alpha A'A + beta C for A (k x n).
 * The strictly lower triangle of C is left as it was. (Column-major callers: this is the lower triangle of
 * their C, with A' in place of A.) */
void cr_linalg_syrk(int ta, size_t n, size_t k, double alpha, const double *A, size_t lda, double beta, double *C,
                    size_t ldc);

/* Cholesky factorization A = L L' of the n x n matrix whose lower triangle is stored column-major with leading
 * dimension lda (the same memory as the upper triangle row-major): L overwrites that triangle, the other one
 * is not touched. Returns 0, or j > 0 when the leading minor of order j is not positive definite (as LAPACK's
 * info). Up to n = 32 this is LAPACK's dpotf2, which is also what OpenBLAS's dpotrf runs on one thread there. */
int cr_linalg_potrf(size_t n, double *A, size_t lda);

/* b (n) <- A^{-1} b for A factored by cr_linalg_potrf. */
void cr_linalg_potrs(size_t n, const double *A, size_t lda, double *b);

/* Guarded Cholesky A = L L' of the m x m symmetric matrix A (row-major; the lower triangle is read and receives L,
 * the strict upper triangle is not touched), for the normal equations of interior-point methods. The safeguard
 * ("Cholesky-infinity": Y. Zhang, LIPSOL, 1996; S. Wright, "Modified Cholesky factorizations in interior-point
 * algorithms for linear programming", SIAM J. Optim. 1999): a pivot that rounding has reduced to <= 1e-13 of its
 * diagonal entry (a degenerate program near its optimum) is replaced by 1e64, which makes the matching component of
 * every solution 0 instead of failing; the caller's iterative refinement corrects the direction. Returns -1 only
 * for a non-finite or non-positive diagonal entry. Why not cr_linalg_potrf (LAPACK's dpotf2): it has no such
 * safeguard (it stops at the first tiny pivot, and the max-margin solver on configs/separable.yaml then ends short
 * of its tolerance, at relative gap 5.2e-8), and its BLAS kernels sum in another order than these plain loops
 * (which would change the reported P* in its last bits). Plain loops in index order: the same bits everywhere. */
int cr_linalg_chol_guarded(double *A, size_t m);

/* b (m) <- L^{-1} b: forward substitution with the row-major lower triangular L of cr_linalg_chol_guarded. */
void cr_linalg_chol_lower_solve(const double *L, size_t m, double *b);

/* b (m) <- A^{-1} b = L'^{-1} L^{-1} b for A factored by cr_linalg_chol_guarded. */
void cr_linalg_chol_solve(const double *L, size_t m, double *b);

/* Solves A x = b for a column-major A (n x n, leading dimension lda) by LU with partial pivoting (LAPACK's
 * dgetf2 and dgetrs): A receives the factors, ipiv (n) the pivots, b (n) the solution. Returns 0, or j > 0 when
 * U_jj = 0 (b is then unchanged). */
int cr_linalg_gesv(size_t n, double *A, size_t lda, int *ipiv, double *b);

/* Householder QR of the column-major A (m x n, m >= n, leading dimension lda): R (n x n) overwrites the upper
 * triangle; below the diagonal A is left with the reflectors' vectors (not needed by any caller). */
void cr_linalg_qr_r(size_t m, size_t n, double *A, size_t lda);

/* B <- L^{-1} B for the column-major lower triangular L (m x m, leading dimension ldl) and the column-major
 * B (m x n, leading dimension ldb): forward substitution, one column of B at a time. */
void cr_linalg_trsm_lower(size_t m, size_t n, const double *L, size_t ldl, double *B, size_t ldb);

/* sum_i a_i b_i and sqrt(sum_i a_i^2) in index order: plain loops, the same bits at any thread count. */
double cr_linalg_dot(const double *a, const double *b, size_t n);
double cr_linalg_nrm2(const double *a, size_t n);

#endif
