/* The convex max-margin program (see maxmargin.h): its workspace, options and status names, and the solve
 * that ties the parts together: the pattern cones (mm_cones.c), the interior-point method (mm_ipm.c), the
 * polish on the blocks that carry the solution, the support reduction (convex_point.c) and the certificate
 * (mm_certify.c). */
#include "maxmargin.h"
#include "maxmargin_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convex.h"
#include "cone.h"
#include "dualnorm.h"
#include "linalg.h"
#include "nnls.h"
#include "svm.h"
#include "timer.h"

/* ================================================================== workspace */

/* Every buffer of the workspace, listed once. layout() only counts the bytes when base is NULL, and also points
 * the fields into base otherwise: the same list sizes the allocation, frees it (one block) and gives
 * cr_mm_work_bytes. Each buffer starts on a 64-byte boundary. */
#define MM_ALIGN ((size_t)64)

static size_t cap_dense(size_t n, size_t pmax)
{
    return 2 * (n + 1) < 2 * pmax ? 2 * (n + 1) : 2 * pmax;
}

static size_t layout(cr_mm_work *w, size_t n, size_t d, size_t pmax, char *base)
{
    /* x-space (N), s-space (L) and blocks (2 pmax) at most; the dense part at most capA blocks of d + 1. */
    size_t Nmax = 2 * pmax * (d + 1), Lmax = n + 2 * pmax * n + 2 * pmax * (d + 1), bmax = 2 * pmax;
    size_t NAmax = cap_dense(n, pmax) * (d + 1), off = 0;
#define BUF(field, cnt)                                                                                            \
    do {                                                                                                           \
        if (base) w->field = (void *)(base + off);                                                                 \
        off += ((cnt) * sizeof *w->field + MM_ALIGN - 1) / MM_ALIGN * MM_ALIGN;                                    \
    } while (0)
    BUF(nA, (d + 1) * n); BUF(nb, d + 1); BUF(nx, n);
    BUF(Xs, n * d); BUF(xhat, n * d); BUF(xnorm, n);
    BUF(kpat, pmax); BUF(kq, pmax); BUF(kr, pmax); BUF(kV, pmax * d * d); BUF(kC, pmax * n * d);
    BUF(kL, pmax * n * d); BUF(ebuf, d * (n + d)); BUF(inE, n); BUF(rowbuf, n * d); BUF(kon, pmax * n);
    BUF(kcnt, pmax); BUF(prad, pmax); BUF(pint, pmax * d); BUF(rowbuf2, 3 * n);
    BUF(hullbuf, 2 * n + 2); BUF(hullbuf2, 2 * n + 2);
    BUF(bk, bmax); BUF(bs, bmax); BUF(xoff, bmax); BUF(coff, bmax); BUF(qoff, bmax); BUF(sel, bmax);
    BUF(x, Nmax); BUF(dx, Nmax); BUF(x1, Nmax); BUF(x2, Nmax); BUF(rx, Nmax); BUF(tx, Nmax); BUF(ex, Nmax);
    BUF(rfx, Nmax);
    BUF(s, Lmax); BUF(z, Lmax); BUF(ds, Lmax); BUF(dz, Lmax); BUF(z1, Lmax); BUF(z2, Lmax); BUF(rz, Lmax);
    BUF(lam, Lmax); BUF(tl, Lmax); BUF(tl2, Lmax); BUF(ez, Lmax); BUF(dsa, Lmax); BUF(dza, Lmax);
    BUF(dss, Lmax); BUF(wl, Lmax); BUF(rfz, Lmax); BUF(rfw, Lmax); BUF(rfc, Lmax);
    BUF(beta, bmax); BUF(Bf, bmax * (d + 1) * (d + 1)); BUF(R, Nmax * n); BUF(S, n * n); BUF(tn, n);
    BUF(apos, bmax); BUF(order, bmax); BUF(HA, NAmax * NAmax); BUF(MA, n * NAmax); BUF(YA, n * NAmax);
    BUF(xa, NAmax);
    BUF(rdw, cr_convex_reduce_doubles(n, pmax)); BUF(riw, cr_convex_reduce_indices(n, pmax));
    BUF(Uc, pmax * d); BUF(Upc, pmax * d); BUF(lamc, n); BUF(marg, n);
    BUF(Upol, pmax * d); BUF(Uppol, pmax * d); BUF(lampol, n); BUF(xprev, Nmax); BUF(zprev, n);
#undef BUF
    return off;
}

/* Dimensions whose buffers could overflow a size_t (far beyond any memory): refused. */
static int too_large(size_t n, size_t d, size_t pmax)
{
    double dn = (double)n + 2, dd = (double)d + 2, dp = (double)pmax + 2;
    return 64.0 * (dp * dn * dd * dd + 4.0 * dn * dn * dd * dd) > (double)SIZE_MAX / 4;
}

size_t cr_mm_work_bytes(size_t n, size_t d, size_t pmax)
{
    if (n == 0 || d == 0 || pmax == 0) return 0;
    if (too_large(n, d, pmax)) return SIZE_MAX;
    cr_mm_work w;
    return sizeof w + layout(&w, n, d, pmax, NULL) + cr_dualnorm_work_bytes(n, d) + cr_nnls_work_bytes(d + 1, n);
}

cr_mm_work *cr_mm_alloc(size_t n, size_t d, size_t pmax)
{
    if (n == 0 || d == 0 || pmax == 0 || too_large(n, d, pmax)) return NULL;
    cr_mm_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->pmax = pmax;
    w->capA = cap_dense(n, pmax);
    w->dn = cr_dualnorm_alloc(n, d);
    w->nnls = cr_nnls_alloc(d + 1, n);
    w->mem = malloc(layout(w, n, d, pmax, NULL));
    if (!w->dn || !w->nnls || !w->mem) {
        cr_mm_free(w);
        return NULL;
    }
    layout(w, n, d, pmax, w->mem);
    return w;
}

void cr_mm_free(cr_mm_work *w)
{
    if (!w) return;
    cr_dualnorm_free(w->dn);
    cr_nnls_free(w->nnls);
    free(w->mem);
    free(w);
}

void cr_mm_opts_default(cr_mm_opts *o)
{
    o->tol = 1e-8;
    o->max_iter = 200;
    o->polish = 1;
}

const char *cr_mm_status_name(cr_mm_status s)
{
    switch (s) {
    case CR_MM_CONVERGED: return "converged";
    case CR_MM_MAX_ITER: return "max_iter";
    case CR_MM_INFEASIBLE: return "infeasible";
    case CR_MM_NUMERICAL: return "numerical";
    }
    return "unknown";
}

/* ================================================================== the solve */

/* Arguments, options and data (labels +-1, X finite). */
static int check_args(const cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                      const cr_mm_opts *o, const double *U, const double *Up, cr_err *err)
{
    if (!w || !X || !y || !P || !U || !Up) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    if (n != w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu x %zu does not match workspace %zu x %zu", n, d, w->n,
                          w->d);
    if (P->n != n || P->p == 0 || P->p > w->pmax)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu patterns of %zu bits (workspace: %zu patterns, %zu bits)",
                          P->p, P->n, w->pmax, n);
    if (!(o->tol > 0) || o->max_iter < 1)
        return cr_err_set(err, CR_EINPUT, "maxmargin: tol = %g must be > 0 and max_iter = %ld >= 1", o->tol,
                          o->max_iter);
    return cr_svm_check_data(X, y, n, d, err);
}

/* Scaled data (Xs = X / max ||x_i||, unit rows xhat), the kept patterns and all their blocks. CR_EINPUT with
 * inf->status INFEASIBLE for a zero sample or when every pattern cone is {0}. */
static int prepare(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, cr_mm_info *inf,
                   cr_err *err)
{
    size_t n = w->n, d = w->d;
    w->xscale = 0.0;
    for (size_t i = 0; i < n; i++) {
        w->xnorm[i] = cr_linalg_nrm2(X + i * d, d);
        if (w->xnorm[i] == 0.0) {
            inf->status = CR_MM_INFEASIBLE;
            return cr_err_set(err, CR_EINPUT, "maxmargin: not separable: sample %zu is zero, so f(x_%zu) = 0", i, i);
        }
        if (w->xnorm[i] > w->xscale) w->xscale = w->xnorm[i];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < d; r++) {
            w->Xs[i * d + r] = X[i * d + r] / w->xscale;
            w->xhat[i * d + r] = X[i * d + r] / w->xnorm[i];
        }
    int st = cr_mm_build_patterns(w, y, P, &inf->dropped, &inf->reduced, err);
    if (st) return st;
    if (w->np == 0) {
        inf->status = CR_MM_INFEASIBLE;
        return cr_err_set(err, CR_EINPUT, "maxmargin: not separable: every pattern cone is {0}");
    }
    for (size_t b = 0; b < 2 * w->np; b++) w->sel[b] = 1;
    cr_mm_build_blocks(w);
    return CR_OK;
}

/* Polish: re-solve on the blocks that carry the solution; the others become exact zeros. Also tried after a
 * near miss, where the restricted program may be better conditioned. Kept when its certified gap meets tol. */
static int polish(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, const cr_mm_opts *o,
                  double *U, double *Up, double *lambda, cr_mm_ipm_result *res, cr_mm_info *inf, cr_err *err)
{
    size_t n = w->n, d = w->d;
    double umax = 0.0;
    for (size_t j = 0; j < P->p * d; j += d) {
        double a = cr_linalg_nrm2(U + j, d), b = cr_linalg_nrm2(Up + j, d);
        if (a > umax) umax = a;
        if (b > umax) umax = b;
    }
    size_t nsel = 0;
    for (size_t k = 0; k < w->np; k++)
        for (int e = 0; e < 2; e++) {
            const double *u = (e ? Up : U) + w->kpat[k] * d;
            w->sel[2 * k + e] = cr_linalg_nrm2(u, d) > 1e-5 * umax;
            nsel += w->sel[2 * k + e];
        }
    if (nsel == 2 * w->np) return CR_OK;
    cr_mm_build_blocks(w);
    cr_mm_ipm_result pr;
    memset(&pr, 0, sizeof pr);
    pr.best_rel = INFINITY;
    pr.lower_ext = res->lower; /* the main solve's lower bound holds for the same P* */
    int st = cr_mm_ipm_run(w, X, y, P, o->tol, o->max_iter, w->Upol, w->Uppol, w->lampol, &pr, err);
    if (st) return st;
    inf->iterations += pr.iters;
    if (!pr.have_primal) return CR_OK;
    double lo = pr.have_dual && pr.lower > res->lower ? pr.lower : res->lower;
    if (!((pr.upper - lo) / pr.upper <= o->tol)) return CR_OK;
    memcpy(U, w->Upol, P->p * d * sizeof *U);
    memcpy(Up, w->Uppol, P->p * d * sizeof *Up);
    res->upper = pr.upper;
    if (pr.have_dual && pr.lower > res->lower) {
        if (lambda) memcpy(lambda, w->lampol, n * sizeof *lambda);
        res->lower = pr.lower;
    }
    inf->polished = 1;
    return CR_OK;
}

/* Support reduction to at most n + 1 blocks (kept if the certificate does not get worse than tol). */
static int reduce(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, const cr_mm_opts *o,
                  double *U, double *Up, cr_mm_ipm_result *res, cr_err *err)
{
    size_t n = w->n, d = w->d, nz = 0;
    for (size_t j = 0; j < P->p * d; j += d) nz += (cr_linalg_nrm2(U + j, d) > 0) + (cr_linalg_nrm2(Up + j, d) > 0);
    if (nz <= n + 1) return CR_OK;
    memcpy(w->Upol, U, P->p * d * sizeof *U);
    memcpy(w->Uppol, Up, P->p * d * sizeof *Up);
    cr_convex_sol pt = {P->p, d, w->Upol, w->Uppol};
    size_t k;
    double ub, lb;
    if (cr_convex_reduce_support_ws(X, n, d, P, &pt, w->rdw, w->riw, &k, NULL) != CR_OK) return CR_OK;
    int st = cr_mm_certify(w, X, y, n, d, P, w->Upol, w->Uppol, NULL, &ub, &lb, err);
    if (st) return st;
    double old = (res->upper - res->lower) / res->upper, now = (ub - res->lower) / ub;
    if (isfinite(ub) && now <= (old > o->tol ? old : o->tol)) {
        memcpy(U, w->Upol, P->p * d * sizeof *U);
        memcpy(Up, w->Uppol, P->p * d * sizeof *Up);
        res->upper = ub;
    }
    return CR_OK;
}

/* Statistics of the returned point: nonzero blocks, cone violation, min margin. */
static void point_stats(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, const double *U,
                        const double *Up, cr_mm_info *inf)
{
    size_t n = w->n, d = w->d;
    for (size_t i = 0; i < n; i++) w->marg[i] = 0.0;
    for (size_t j = 0; j < P->p; j++) {
        const uint64_t *mask = cr_patterns_mask(P, j);
        for (int e = 0; e < 2; e++) {
            const double *u = (e ? Up : U) + j * d;
            if (cr_linalg_nrm2(u, d) == 0.0) continue;
            inf->nnz++;
            double v = cr_cone_violation(X, w->xnorm, n, d, mask, u);
            if (v > inf->cone_violation) inf->cone_violation = v;
            for (size_t i = 0; i < n; i++)
                if (cr_mask_bit(mask, i)) w->marg[i] += (e ? -1.0 : 1.0) * cr_linalg_dot(X + i * d, u, d);
        }
    }
    inf->min_margin = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (y[i] * w->marg[i] < inf->min_margin) inf->min_margin = y[i] * w->marg[i];
}

int cr_mm_solve(cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                const cr_mm_opts *opts, double *U, double *Up, double *lambda, cr_mm_info *info, cr_err *err)
{
    double t0 = cr_seconds();
    cr_mm_opts o;
    if (opts)
        o = *opts;
    else
        cr_mm_opts_default(&o);
    cr_mm_info inf;
    memset(&inf, 0, sizeof inf);
    inf.status = CR_MM_NUMERICAL;
    inf.primal = INFINITY;
    inf.rel_gap = INFINITY;
    if (info) *info = inf;
    int st = check_args(w, X, y, n, d, P, &o, U, Up, err);
    if (st) return st;
    memset(U, 0, P->p * d * sizeof *U);
    memset(Up, 0, P->p * d * sizeof *Up);
    if (lambda) memset(lambda, 0, n * sizeof *lambda);
    if ((st = prepare(w, X, y, P, &inf, err))) {
        if (info) *info = inf;
        return st;
    }
    cr_mm_ipm_result res;
    memset(&res, 0, sizeof res);
    res.best_rel = INFINITY;
    res.lower_ext = -INFINITY;
    if ((st = cr_mm_ipm_run(w, X, y, P, o.tol, o.max_iter, U, Up, lambda, &res, err))) return st;
    inf.iterations = res.iters;
    if (res.infeasible || !res.have_primal || !res.have_dual) {
        inf.status = res.infeasible ? CR_MM_INFEASIBLE : CR_MM_NUMERICAL;
        inf.seconds = cr_seconds() - t0;
        if (info) *info = inf;
        if (!res.infeasible)
            return cr_err_set(err, CR_ERUNTIME,
                              "maxmargin: interior-point breakdown after %ld iterations, no certificate", res.iters);
        return cr_err_set(err, CR_EINPUT,
                          "maxmargin: not separable over these %zu patterns: a dual ray lambda has y'lambda = 1 and "
                          "max_j g_j(lambda) = %.3g max||x_i|| (so P* >= %.3g)",
                          P->p, res.inf_ratio, 1.0 / (res.inf_ratio * w->xscale));
    }
    if (o.polish && res.best_rel <= 1e-4 && (st = polish(w, X, y, P, &o, U, Up, lambda, &res, &inf, err))) return st;
    if ((st = reduce(w, X, y, P, &o, U, Up, &res, err))) return st;
    res.converged = (res.upper - res.lower) / res.upper <= o.tol;
    inf.status = res.converged ? CR_MM_CONVERGED : CR_MM_MAX_ITER;
    inf.primal = res.upper;
    inf.dual = res.lower;
    /* upper >= P* >= lower: a negative difference is rounding, and the certified gap is then 0 */
    inf.gap = res.upper - res.lower < 0 ? 0.0 : res.upper - res.lower;
    inf.rel_gap = inf.gap / res.upper;
    point_stats(w, X, y, P, U, Up, &inf);
    inf.seconds = cr_seconds() - t0;
    if (info) *info = inf;
    return CR_OK;
}
