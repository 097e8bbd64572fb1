/* The linear hard-margin SVM (see svm.h) by Lawson and Hanson's least distance programming: one NNLS gives
 * the minimum-norm separator or a Farkas certificate that none exists; the primal is rescaled to be exactly
 * feasible and the dual along its ray, so their difference is a certified gap. */
#include "svm.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "linalg.h"
#include "nnls.h"

int cr_svm_check_data(const double *X, const double *y, size_t n, size_t d, cr_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 1.0 && y[i] != -1.0)
            return cr_err_set(err, CR_EINPUT, "label y[%zu] = %g is not +1 or -1", i, y[i]);
        for (size_t r = 0; r < d; r++)
            if (!isfinite(X[i * d + r])) return cr_err_set(err, CR_EINPUT, "X[%zu,%zu] is not finite", i, r);
    }
    return CR_OK;
}

struct cr_svm_work {
    size_t n, d;
    cr_nnls_work *nnls; /* (d + 1) x n */
    double *E;          /* (d + 1) x n row-major: [G'; 1'] with G = Y X / xscale */
    double *f;          /* d + 1: e_{d+1} */
    double *v;          /* n */
    double *r;          /* d + 1 */
    double *ga;         /* d: X'Y a */
};

cr_svm_work *cr_svm_alloc(size_t n, size_t d)
{
    if (n == 0 || d == 0) return NULL;
    cr_svm_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->nnls = cr_nnls_alloc(d + 1, n);
    w->E = malloc((d + 1) * n * sizeof *w->E);
    w->f = malloc((d + 1) * sizeof *w->f);
    w->v = malloc(n * sizeof *w->v);
    w->r = malloc((d + 1) * sizeof *w->r);
    w->ga = malloc(d * sizeof *w->ga);
    if (!w->nnls || !w->E || !w->f || !w->v || !w->r || !w->ga) {
        cr_svm_free(w);
        return NULL;
    }
    return w;
}

void cr_svm_free(cr_svm_work *w)
{
    if (!w) return;
    cr_nnls_free(w->nnls);
    free(w->E);
    free(w->f);
    free(w->v);
    free(w->r);
    free(w->ga);
    free(w);
}

/* min 1/2 ||w||^2 s.t. G w >= 1 (G = Y X) as least distance programming, Lawson and Hanson (1974), ch. 23:
 * the NNLS min_{v >= 0} ||E v - f||, E = [G'; 1'], f = e_{d+1}, has residual r = E v - f; if r = 0 the
 * constraints are inconsistent, else w = -r_{1..d} / r_{d+1}. The multipliers are a = v / (1 - 1'v). Rows
 * are divided by max_i ||x_i|| first (the NNLS mixes G with the unit row 1'). */
int cr_svm_solve(cr_svm_work *w, const double *X, const double *y, size_t n, size_t d, double tol, double *wout,
                 double *a, cr_svm_info *info, cr_err *err)
{
    if (!w || !X || !y || !wout) return cr_err_set(err, CR_EINPUT, "svm: NULL argument");
    if (n == 0 || n > w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "svm: %zu x %zu does not fit workspace %zu x %zu", n, d, w->n, w->d);
    if (!(tol > 0)) return cr_err_set(err, CR_EINPUT, "svm: tol = %g must be > 0", tol);
    int st = cr_svm_check_data(X, y, n, d, err);
    if (st) return st;
    double xs = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = cr_linalg_nrm2(X + i * d, d);
        if (t == 0.0) return cr_err_set(err, CR_EINPUT, "svm: not linearly separable: sample %zu is zero", i);
        if (t > xs) xs = t;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t r = 0; r < d; r++) w->E[r * n + i] = y[i] * X[i * d + r] / xs;
        w->E[d * n + i] = 1.0;
    }
    for (size_t r = 0; r < d; r++) w->f[r] = 0.0;
    w->f[d] = 1.0;
    double resid;
    st = cr_nnls_solve(w->nnls, w->E, d + 1, n, w->f, w->v, &resid, err);
    if (st) return st;
    double sv = 0.0;
    for (size_t i = 0; i < n; i++) sv += w->v[i];
    for (size_t r = 0; r <= d; r++) w->r[r] = cr_linalg_dot(w->E + r * n, w->v, n) - w->f[r];
    /* r_{d+1} = 1'v - 1 < 0 unless E v = f has a solution: G'v = 0, 1'v = 1, the Farkas certificate. */
    double den = -w->r[d];
    if (!(den > 64.0 * DBL_EPSILON))
        return cr_err_set(err, CR_EINPUT,
                          "svm: not linearly separable (least distance residual %.3g: a convex combination of the "
                          "y_i x_i is 0)",
                          resid);
    for (size_t r = 0; r < d; r++) wout[r] = w->r[r] / den / xs;
    double mmin = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double m = y[i] * cr_linalg_dot(X + i * d, wout, d);
        if (m < mmin) mmin = m;
    }
    if (!(mmin > 0))
        return cr_err_set(err, CR_EINPUT, "svm: not linearly separable (min margin %.3g of the least distance point)",
                          mmin);
    for (size_t r = 0; r < d; r++) wout[r] /= mmin;
    double primal = 0.5 * cr_linalg_dot(wout, wout, d);
    /* Dual: any a >= 0 gives a lower bound, best along its ray: max_t t 1'a - t^2/2 ||X'Y a||^2. */
    double sa = 0.0;
    size_t support = 0;
    for (size_t r = 0; r < d; r++) w->ga[r] = 0.0;
    for (size_t i = 0; i < n; i++) {
        double ai = w->v[i] / (1.0 - sv);
        w->v[i] = ai;
        sa += ai;
        if (ai > 0) support++;
        for (size_t r = 0; r < d; r++) w->ga[r] += ai * y[i] * X[i * d + r];
    }
    double g2 = cr_linalg_dot(w->ga, w->ga, d), dual = 0.0, t = 0.0;
    if (g2 > 0 && sa > 0) {
        t = sa / g2;
        dual = 0.5 * sa * sa / g2;
    }
    if (a)
        for (size_t i = 0; i < n; i++) a[i] = t * w->v[i];
    /* primal >= optimum >= dual: a negative difference is rounding, and the certified gap is then 0 */
    double gap = primal - dual < 0 ? 0.0 : primal - dual, rel = gap / primal;
    cr_svm_info tmp = {primal, dual, gap, rel, 1.0, support};
    double m2 = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double m = y[i] * cr_linalg_dot(X + i * d, wout, d);
        if (m < m2) m2 = m;
    }
    tmp.min_margin = m2;
    if (info) *info = tmp;
    if (!(rel <= tol))
        return cr_err_set(err, CR_ERUNTIME, "svm: certified relative gap %.3g above tol %.3g", rel, tol);
    return CR_OK;
}
