/* Nonnegative least squares by the Lawson-Hanson active-set method (see nnls.h).
 * The least squares problem on the passive set is solved from scratch at every inner step by a
 * Householder QR of the passive columns, in buffers sized once by cr_nnls_alloc: the passive set
 * holds at most min(m, k) columns, so an O(m p^2) refactorization is cheap next to forming A' r,
 * and it keeps the solve free of update bookkeeping (and of GSL's error handler). */
#include "nnls.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cr_nnls_work {
    size_t m, k;          /* capacity: rows, columns */
    double *qr;           /* m x k, column-major: passive columns of A, factored in place */
    double *qtb;          /* m: Q' b during a solve */
    double *z;            /* k: least squares solution on the passive set (indexed by position in P) */
    double *w;            /* k: dual vector A' (b - A x) */
    double *r;            /* m: residual b - A x */
    size_t *pset;         /* k: column indices of the passive set, in insertion order */
    unsigned char *state; /* k: 0 active (x_j = 0), 1 passive, 2 rejected for this outer step */
};

cr_nnls_work *cr_nnls_alloc(size_t m, size_t k)
{
    cr_nnls_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->m = m;
    w->k = k;
    size_t mm = m ? m : 1, kk = k ? k : 1;
    w->qr = malloc(mm * kk * sizeof *w->qr);
    w->qtb = malloc(mm * sizeof *w->qtb);
    w->z = malloc(kk * sizeof *w->z);
    w->w = malloc(kk * sizeof *w->w);
    w->r = malloc(mm * sizeof *w->r);
    w->pset = malloc(kk * sizeof *w->pset);
    w->state = malloc(kk);
    if (!w->qr || !w->qtb || !w->z || !w->w || !w->r || !w->pset || !w->state) {
        cr_nnls_free(w);
        return NULL;
    }
    return w;
}

size_t cr_nnls_work_bytes(size_t m, size_t k)
{
    size_t mm = m ? m : 1, kk = k ? k : 1;
    return sizeof(cr_nnls_work) + (mm * kk + 2 * mm + 2 * kk) * sizeof(double) + kk * sizeof(size_t) + kk;
}

void cr_nnls_free(cr_nnls_work *w)
{
    if (!w) return;
    free(w->qr);
    free(w->qtb);
    free(w->z);
    free(w->w);
    free(w->r);
    free(w->pset);
    free(w->state);
    free(w);
}

/* ------------------------------------------------------------------ helpers */

/* r = b - A x and w = A' r for the columns not in the passive set (A is m x k row-major). */
static void residual_and_dual(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b,
                              const double *x)
{
    for (size_t i = 0; i < m; i++) {
        const double *a = A + i * k;
        double s = b[i];
        for (size_t j = 0; j < k; j++) s -= a[j] * x[j];
        w->r[i] = s;
    }
    for (size_t j = 0; j < k; j++) w->w[j] = 0.0;
    for (size_t i = 0; i < m; i++) {
        const double *a = A + i * k;
        double ri = w->r[i];
        for (size_t j = 0; j < k; j++) w->w[j] += a[j] * ri;
    }
}

/* Least squares min ||A_P z - b|| on the np passive columns by Householder QR; z[q] belongs to pset[q].
 * Returns the smallest |R_qq| / ||a_pset[q]|| (0 when a column is dependent on the ones before it), which
 * the caller uses to reject a column that would make A_P rank deficient. */
static double passive_ls(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b, size_t np)
{
    double *Q = w->qr; /* column q at Q + q * m */
    double worst = INFINITY;
    for (size_t q = 0; q < np; q++)
        for (size_t i = 0; i < m; i++) Q[q * m + i] = A[i * k + w->pset[q]];
    memcpy(w->qtb, b, m * sizeof *b);
    for (size_t q = 0; q < np; q++) {
        double *c = Q + q * m;
        double cn = 0.0, tn = 0.0;
        for (size_t i = 0; i < m; i++) cn += c[i] * c[i];
        for (size_t i = q; i < m; i++) tn += c[i] * c[i];
        /* cn is the column norm before earlier reflections (they are orthogonal, so this is ||a_j||). */
        cn = sqrt(cn);
        tn = sqrt(tn);
        if (q >= m || tn == 0.0 || cn == 0.0) return 0.0;
        double alpha = c[q] > 0 ? -tn : tn;
        double ratio = tn / cn;
        if (ratio < worst) worst = ratio;
        /* v = c[q..m) - alpha e_q, H = I - 2 v v' / v'v, with v'v = 2 tn (tn + |c_q|). */
        double vq = c[q] - alpha;
        double vtv = vq * vq;
        for (size_t i = q + 1; i < m; i++) vtv += c[i] * c[i];
        c[q] = vq;
        for (size_t p = q + 1; p < np; p++) {
            double *e = Q + p * m, s = 0.0;
            for (size_t i = q; i < m; i++) s += c[i] * e[i];
            s = 2.0 * s / vtv;
            for (size_t i = q; i < m; i++) e[i] -= s * c[i];
        }
        double s = 0.0;
        for (size_t i = q; i < m; i++) s += c[i] * w->qtb[i];
        s = 2.0 * s / vtv;
        for (size_t i = q; i < m; i++) w->qtb[i] -= s * c[i];
        /* The Householder vector is no longer needed: keep R's diagonal in its place. */
        c[q] = alpha;
    }
    for (size_t q = np; q-- > 0;) {
        double s = w->qtb[q];
        for (size_t p = q + 1; p < np; p++) s -= Q[p * m + q] * w->z[p];
        w->z[q] = s / Q[q * m + q];
    }
    return worst;
}

/* ------------------------------------------------------------------- solver */

/* Checks the inputs are finite; *bn = ||b||, *amax = the largest column norm of A. */
static int check_finite(const double *A, size_t m, size_t k, const double *b, double *bn, double *amax, cr_err *err)
{
    double am = 0.0, bs = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (!isfinite(b[i])) return cr_err_set(err, CR_EINPUT, "nnls: b[%zu] is not finite", i);
        bs += b[i] * b[i];
    }
    *bn = sqrt(bs);
    for (size_t j = 0; j < k; j++) {
        double s = 0.0;
        for (size_t i = 0; i < m; i++) {
            double a = A[i * k + j];
            if (!isfinite(a)) return cr_err_set(err, CR_EINPUT, "nnls: A[%zu,%zu] is not finite", i, j);
            s += a * a;
        }
        if (s > am) am = s;
    }
    *amax = sqrt(am);
    return CR_OK;
}

/* 1 when some active column has w_j > tol (the KKT conditions do not hold yet). */
static int kkt_violated(const cr_nnls_work *w, size_t k, double tol)
{
    for (size_t j = 0; j < k; j++)
        if (w->state[j] == 0 && w->w[j] > tol) return 1;
    return 0;
}

/* The outer step's entering column: the active column with the largest dual w_j > tol whose entry keeps the passive
 * columns independent with a positive new coefficient (the others are rejected for this outer step). Returns 1 when
 * one entered (*np grows), 0 when the KKT conditions hold (every active w_j <= tol). */
static int enter_column(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b, double tol, size_t *np)
{
    for (;;) {
        size_t t = (size_t)-1;
        double best = tol;
        for (size_t j = 0; j < k; j++)
            if (w->state[j] == 0 && w->w[j] > best) {
                best = w->w[j];
                t = j;
            }
        if (t == (size_t)-1) return 0;
        w->pset[*np] = t;
        double cond = passive_ls(w, A, m, k, b, *np + 1);
        /* Dependent column or non-positive new coefficient: entering t cannot decrease the residual. */
        if (cond <= 64.0 * DBL_EPSILON || !(w->z[*np] > 0.0)) {
            w->state[t] = 2;
            continue;
        }
        w->state[t] = 1;
        (*np)++;
        return 1;
    }
}

/* Inner loop: move from x toward z until z is feasible, dropping the columns that hit zero. Each pass removes at
 * least one column, so it ends within np passes; then x = z on the passive set. */
static void inner_steps(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b, double *x, size_t *np)
{
    for (;;) {
        int feasible = 1;
        for (size_t q = 0; q < *np; q++)
            if (!(w->z[q] > 0.0)) feasible = 0;
        if (feasible) break;
        double alpha = INFINITY;
        size_t qmin = 0;
        for (size_t q = 0; q < *np; q++) {
            if (w->z[q] > 0.0) continue;
            double xq = x[w->pset[q]];
            double a = xq / (xq - w->z[q]);
            if (a < alpha) {
                alpha = a;
                qmin = q;
            }
        }
        for (size_t q = 0; q < *np; q++) {
            size_t j = w->pset[q];
            x[j] += alpha * (w->z[q] - x[j]);
        }
        x[w->pset[qmin]] = 0.0;
        size_t keep = 0;
        for (size_t q = 0; q < *np; q++) {
            size_t j = w->pset[q];
            if (q == qmin || x[j] <= 0.0) {
                x[j] = 0.0;
                w->state[j] = 0;
            } else {
                w->pset[keep++] = j;
            }
        }
        *np = keep;
        if (*np == 0) break;
        passive_ls(w, A, m, k, b, *np);
    }
    for (size_t q = 0; q < *np; q++) x[w->pset[q]] = w->z[q];
}

/* ||A x - b||, plain loops. */
static double residual_norm(const double *A, size_t m, size_t k, const double *b, const double *x)
{
    double s2 = 0.0;
    for (size_t i = 0; i < m; i++) {
        double s = -b[i];
        for (size_t j = 0; j < k; j++) s += A[i * k + j] * x[j];
        s2 += s * s;
    }
    return sqrt(s2);
}

/* min_{x >= 0} ||A x - b||_2, Lawson and Hanson (1974), algorithm NNLS of ch. 23, with their safeguard:
 * a column whose entry into the passive set would be dependent, or whose tentative coefficient is not
 * positive, is rejected for the current outer step instead of looping on rounding noise. */
int cr_nnls_solve(cr_nnls_work *w, const double *A, size_t m, size_t k, const double *b, double *x,
                  double *resid, cr_err *err)
{
    if (!w || !x || !resid || ((!A || !b) && m * k > 0) || (!b && m > 0))
        return cr_err_set(err, CR_EINPUT, "nnls: NULL argument");
    if (m > w->m || k > w->k)
        return cr_err_set(err, CR_EINPUT, "nnls: problem %zu x %zu exceeds workspace %zu x %zu", m, k, w->m, w->k);
    double amax = 0.0, bn = 0.0;
    int status = check_finite(A, m, k, b, &bn, &amax, err);
    if (status) return status;
    for (size_t j = 0; j < k; j++) {
        x[j] = 0.0;
        w->state[j] = 0;
    }
    /* Rounding in w_j = a_j' r is about m eps ||a_j|| ||b||: below this a positive w_j is noise. */
    double tol = 10.0 * DBL_EPSILON * (double)(m > k ? m : k) * amax * bn;
    size_t np = 0, limit = 3 * k + 30;
    for (size_t outer = 0;; outer++) {
        residual_and_dual(w, A, m, k, b, x);
        for (size_t j = 0; j < k; j++)
            if (w->state[j] == 2) w->state[j] = 0;
        if (outer >= limit && kkt_violated(w, k, tol)) {
            status = cr_err_set(err, CR_ERUNTIME, "nnls: no convergence in %zu outer steps (m = %zu, k = %zu)", limit,
                                m, k);
            break;
        }
        if (!enter_column(w, A, m, k, b, tol, &np)) break;
        inner_steps(w, A, m, k, b, x, &np);
    }
    *resid = residual_norm(A, m, k, b, x);
    return status;
}
