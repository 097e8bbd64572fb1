/* The solver of the convex program and its certified duality gap (see convex.h; docs/MATH.md, Certified gap).
 * All O(n d p) work goes through row-major matrix products (linalg.h: the same at any BLAS thread count) on a
 * dense 0/1 pattern matrix Dm (n x p, column i = mask of D_i): z = rowsum(Dm o (X Udiff')), X'D_i g = row i
 * of Dm'(diag(g) X), and the optimality checks of the 2p cone projections as one product R X'. */
#include "convex.h"
#include "timer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef CR_CONVEX_DEBUG
#include <stdio.h>
#endif

#include "cone.h"
#include "convex_ipm.h"
#include "linalg.h"
#include "patmap.h"

struct cr_convex_work {
    size_t n, d, pcap;
    cr_cone_work *cone;
    double *Dm;    /* n x p: Dm[k p + i] = bit k of pattern i (current P) */
    double *xnorm; /* n: row norms of X */
    double *Xs;    /* n x d: diag(g) X */
    double *T;     /* n x p: X Udiff' */
    double *Wt;    /* 2p x n: R X', checks of the projections */
    double *Ud;    /* p x d: u_i - u'_i */
    double *G;     /* p x d: X'D_i g */
    double *R;     /* 2p x d: projection residuals */
    double *C;     /* 2p x d: points to project */
    double *xa, *xb, *xc, *yb; /* 2p x d iterates (rotated) */
    double *za, *zb, *zc, *zy; /* n predictions matching the iterates */
    double *g;     /* n: loss gradient */
    double *v;     /* n: dual candidate */
    /* semismooth Newton (SSNAL) */
    double *V;     /* n x n: Newton matrix, then its Cholesky factor */
    double *F;     /* n x nch: chunk of the columns of M J M' factors */
    size_t nch;    /* columns per chunk */
    double *Bq;    /* d x d: orthonormal rows spanning the active generators, then the complement */
    double *hs;    /* n: diagonal Hessian of l* */
    double *dv, *vt, *gr, *gt; /* n: Newton direction, trial point, gradients */
    double *Uk;    /* 2p x d: proximal centre */
    double *Pt;    /* 2p x d: prox output at the trial point */
    double *ak;    /* n: the prediction variable a of the z-form (logistic, hinge) */
    double *zt2;   /* n: prox of sigma l */
    double *vk;    /* n: proximal centre of v (z-form) */
    double *vpol;  /* n: dual candidate of the hinge polish */
    int *part;     /* n: hinge polish partition: -1 below the margin, 0 at it, +1 above */
    size_t *tk;    /* n: rows at the margin */
    int *ipiv;     /* nmax: LU pivots */
    /* primal Newton polish on a fixed face */
    size_t nmax;   /* largest number of face coordinates polished */
    double *Jm;    /* n x nmax: the columns sign D_i X b of every face coordinate */
    double *H;     /* nmax x nmax */
    double *pw, *pg, *pdir, *pwt; /* nmax: face coordinates, gradient, direction, trial */
    double *Bs;    /* 2p x d x d: face bases (rows), per block */
    size_t *boff, *brank; /* 2p: offset of the block's coordinates, their number (0: block not polished) */
    size_t *tidx;  /* n: tight rows of one block */
    double *zw;    /* n: scratch prediction */
    double *Js;    /* n x nmax: diag(sqrt(l'')) Jm */
    double *hz;    /* n: l''(z) */
    size_t *act_idx; /* 4p x d: warm active sets, blocks 0..2p-1 for the prox, 2p..4p-1 for the certificate */
    double *act_mu;  /* 4p x d */
    size_t *act_len; /* 4p */
};

/* AUTO uses the interior-point method for the squared loss from this many samples on: below it SSNAL's
 * Newton steps are cheap and few; above it the cone projections cross many faces per step and SSNAL needs
 * hundreds of steps (bench/bench_convex.c, the sampled regime). */
#define CR_CONVEX_IPM_MIN_N 200

/* ------------------------------------------------------------------ workspace */

/* Every buffer of the workspace with its length (elements), for allocation (alloc = 1: calloc each; -1 when
 * one fails) and release (alloc = 0: free each and clear it). */
static int work_buffers(cr_convex_work *w, int alloc)
{
    size_t n = w->n, d = w->d, pp = w->pcap ? w->pcap : 1;
    struct {
        double **b;
        size_t len;
    } dbl[] = {
        {&w->Dm, n * pp}, {&w->xnorm, n}, {&w->Xs, n * d}, {&w->T, n * pp}, {&w->Wt, 2 * pp * n}, {&w->Ud, pp * d},
        {&w->G, pp * d}, {&w->R, 2 * pp * d}, {&w->C, 2 * pp * d}, {&w->xa, 2 * pp * d}, {&w->xb, 2 * pp * d},
        {&w->xc, 2 * pp * d}, {&w->yb, 2 * pp * d}, {&w->za, n}, {&w->zb, n}, {&w->zc, n}, {&w->zy, n}, {&w->g, n},
        {&w->v, n}, {&w->act_mu, 4 * pp * d}, {&w->V, n * n}, {&w->F, n * w->nch}, {&w->Bq, d * d}, {&w->hs, n},
        {&w->dv, n}, {&w->vt, n}, {&w->gr, n}, {&w->gt, n}, {&w->Uk, 2 * pp * d}, {&w->Pt, 2 * pp * d},
        {&w->ak, n}, {&w->zt2, n}, {&w->vk, n}, {&w->vpol, n}, {&w->Jm, n * w->nmax}, {&w->H, w->nmax * w->nmax},
        {&w->pw, w->nmax}, {&w->pg, w->nmax}, {&w->pdir, w->nmax}, {&w->pwt, w->nmax}, {&w->Bs, 2 * pp * d * d},
        {&w->zw, n}, {&w->Js, n * w->nmax}, {&w->hz, n}
    };
    struct {
        size_t **b;
        size_t len;
    } szt[] = {
        {&w->act_idx, 4 * pp * d}, {&w->act_len, 4 * pp}, {&w->tk, n}, {&w->boff, 2 * pp}, {&w->brank, 2 * pp},
        {&w->tidx, n}
    };
    struct {
        int **b;
        size_t len;
    } itg[] = {
        {&w->part, n}, {&w->ipiv, w->nmax}
    };
    int st = 0;
#define CR_WORK_BUFFERS(tab, type)                                                              \
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++) {                                  \
        if (alloc) {                                                                           \
            *tab[k].b = calloc(tab[k].len ? tab[k].len : 1, sizeof(type));                    \
            if (!*tab[k].b) st = -1;                                                           \
        } else {                                                                               \
            free(*tab[k].b);                                                                   \
            *tab[k].b = NULL;                                                                  \
        }                                                                                      \
    }
    CR_WORK_BUFFERS(dbl, double)
    CR_WORK_BUFFERS(szt, size_t)
    CR_WORK_BUFFERS(itg, int)
#undef CR_WORK_BUFFERS
    return st;
}

cr_convex_work *cr_convex_alloc(size_t n, size_t d, size_t p)
{
    if (n == 0 || d == 0) return NULL;
    cr_convex_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->pcap = p;
    size_t pp = p ? p : 1;
    w->nch = n > 64 ? n : 64;
    w->nmax = 8 * n > 1024 ? 8 * n : 1024;
    if (w->nmax > 2 * pp * d) w->nmax = 2 * pp * d;
    if (w->nmax > 2000) w->nmax = 2000;
    w->cone = cr_cone_alloc(n, d);
    if (!w->cone || work_buffers(w, 1) != 0) {
        cr_convex_free(w);
        return NULL;
    }
    return w;
}

void cr_convex_free(cr_convex_work *w)
{
    if (!w) return;
    cr_cone_free(w->cone);
    work_buffers(w, 0);
    free(w);
}

void cr_convex_opts_default(cr_convex_opts *o)
{
    o->tol = 1e-8;
    o->max_iter = 200000;
    o->max_seconds = 0;
    o->check_every = 0;
    o->warm_start = 0;
    o->method = CR_CONVEX_AUTO;
}

const char *cr_convex_status_name(cr_convex_status s)
{
    switch (s) {
    case CR_CONVEX_CONVERGED: return "converged";
    case CR_CONVEX_MAX_ITER: return "max_iter";
    case CR_CONVEX_TIME_LIMIT: return "time_limit";
    case CR_CONVEX_NUMERICAL: return "numerical_failure";
    }
    return "?";
}


static int validate(const cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                    const cr_patterns *P, cr_loss_kind loss, double beta, cr_err *err)
{
    if (!w || !X || !y || !P) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    if (n != w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "convex: data is %zu x %zu, workspace is %zu x %zu", n, d, w->n, w->d);
    if (P->n != n) return cr_err_set(err, CR_EINPUT, "convex: patterns have %zu bits, data %zu rows", P->n, n);
    if (P->p > w->pcap)
        return cr_err_set(err, CR_EINPUT, "convex: %zu patterns, workspace holds %zu", P->p, w->pcap);
    if (loss != CR_LOSS_SQUARED && loss != CR_LOSS_LOGISTIC && loss != CR_LOSS_HINGE)
        return cr_err_set(err, CR_EINPUT, "convex: unknown loss %d", (int)loss);
    if (!(beta > 0) || !isfinite(beta))
        return cr_err_set(err, CR_EINPUT, "convex: beta must be a finite number > 0, got %g", beta);
    for (size_t k = 0; k < n * d; k++)
        if (!isfinite(X[k])) return cr_err_set(err, CR_EINPUT, "convex: X[%zu][%zu] is not finite", k / d, k % d);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(y[k])) return cr_err_set(err, CR_EINPUT, "convex: y[%zu] is not finite", k);
    return CR_OK;
}

/* Dm and the row norms for the current data and pattern set. */
static void load(cr_convex_work *w, const double *X, const cr_patterns *P)
{
    size_t n = w->n, d = w->d;
    cr_patmap_load(P, w->Dm);
    for (size_t k = 0; k < n; k++) {
        double s = 0;
        for (size_t a = 0; a < d; a++) s += X[k * d + a] * X[k * d + a];
        w->xnorm[k] = sqrt(s);
    }
}

/* ------------------------------------------------------------------ linear maps */

/* z = sum_i D_i X (u_i - u'_i) for the stacked point U2 (2p x d: u_1..u_p, u'_1..u'_p). */
static void forward(cr_convex_work *w, const double *X, size_t p, const double *U2, double *z)
{
    size_t n = w->n, d = w->d;
    if (p == 0) {
        memset(z, 0, n * sizeof *z);
        return;
    }
    for (size_t t = 0; t < p * d; t++) w->Ud[t] = U2[t] - U2[p * d + t];
    cr_patmap_forward(w->Dm, X, n, d, p, w->Ud, w->T, z);
}

/* G (p x d), row i = X' D_i g. The gradient of U2 -> <g, z(U2)> is [G; -G]. */
static void adjoint(cr_convex_work *w, const double *X, size_t p, const double *g, double *G)
{
    size_t n = w->n, d = w->d;
    if (p == 0) return;
    cr_patmap_adjoint(w->Dm, X, n, d, p, g, w->Xs, G);
}

/* Projects the 2p rows of C onto their cones (row j onto K_{j mod p}) into R, warm-started from the active
 * sets starting at block `base`. The optimality checks of all blocks share one dgemm. Returns the number of
 * projections that hit Lawson-Hanson's step limit. */
static size_t project_all(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C,
                          double *R, size_t base)
{
    size_t n = w->n, d = w->d, p = P->p, nb = 2 * p;
    if (p == 0) return 0;
    for (size_t j = 0; j < nb; j++) {
        size_t b = base + j;
        cr_cone_active act = {w->act_idx + b * d, w->act_mu + b * d, w->act_len[b]};
        cr_cone_warm(w->cone, X, n, d, cr_patterns_mask(P, j % p), C + j * d, &act, R + j * d);
        w->act_len[b] = act.len;
    }
    /* Wt (2p x n) = R (2p x d) X' (d x n) */
    cr_linalg_gemm(0, 1, nb, n, d, 1.0, R, d, X, d, 0.0, w->Wt, n);
    size_t fails = 0;
    for (size_t j = 0; j < nb; j++) {
        size_t b = base + j;
        cr_cone_active act = {w->act_idx + b * d, w->act_mu + b * d, w->act_len[b]};
        if (cr_cone_finish(w->cone, X, w->xnorm, n, d, cr_patterns_mask(P, j % p), C + j * d, &act, R + j * d,
                           w->Wt + j * n, 1) != 0)
            fails++;
        w->act_len[b] = act.len;
    }
    return fails;
}

/* ------------------------------------------------------------------ losses (smoothed hinge) */

/* The solver works on l for squared and logistic and on the Moreau envelope of the hinge with parameter
 * mu > 0 (continuation drives mu down): phi_mu(t) = 0 (t >= 1), (1-t)^2/(2 mu) (1-mu < t < 1),
 * 1 - t - mu/2 (t <= 1-mu), t = y z. Its gradient lies in dom l*, so it is a dual candidate. */
static double sm_value(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n)
{
    if (loss != CR_LOSS_HINGE) return cr_loss_value(loss, z, y, n);
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        double r = 1.0 - y[k] * z[k];
        if (r <= 0) continue;
        s += r < mu ? r * r / (2 * mu) : r - mu / 2;
    }
    return s;
}

static void sm_grad(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n, double *g)
{
    if (loss != CR_LOSS_HINGE) {
        cr_loss_grad(loss, z, y, n, g);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        double r = 1.0 - y[k] * z[k];
        g[k] = r <= 0 ? 0.0 : -y[k] * (r < mu ? r / mu : 1.0);
    }
}

/* l(zt) - l(zy) - g'(zt - zy) summed term by term (exact for squared), g = grad l(zy). */
static double bregman(cr_loss_kind loss, double mu, const double *zt, const double *zy, const double *g,
                      const double *y, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        double dz = zt[k] - zy[k];
        switch (loss) {
        case CR_LOSS_SQUARED: s += 0.5 * dz * dz; break;
        case CR_LOSS_LOGISTIC:
            s += cr_log1pexp_neg(y[k] * zt[k]) - cr_log1pexp_neg(y[k] * zy[k]) - g[k] * dz;
            break;
        case CR_LOSS_HINGE:
            s += sm_value(loss, mu, zt + k, y + k, 1) - sm_value(loss, mu, zy + k, y + k, 1) - g[k] * dz;
            break;
        }
    }
    return s;
}

/* ------------------------------------------------------------------ certificate */

/* gmax = max_i g_i(v) and the certified dual value at the scaled v (see convex.h). The 2p cone
 * projections are warm-started from the certificate's own active sets. *scale receives min(1, beta/gmax). */
static void certify(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P, cr_loss_kind loss,
                    double beta, const double *v, double *gmax, double *scale, double *dual)
{
    size_t n = w->n, d = w->d, p = P->p;
    double gm = 0;
    if (p > 0) {
        adjoint(w, X, p, v, w->G);
        for (size_t t = 0; t < p * d; t++) {
            w->C[t] = w->G[t];
            w->C[p * d + t] = -w->G[t];
        }
        project_all(w, X, P, w->C, w->R, 2 * p);
        for (size_t j = 0; j < 2 * p; j++) {
            double gj = cr_linalg_nrm2(w->R + j * d, d);
            if (gj > gm || isnan(gj)) gm = gj;
        }
    }
    double c = gm > beta ? beta / gm : 1.0;
    for (size_t k = 0; k < n; k++) w->g[k] = c * v[k];
    *gmax = gm;
    *scale = c;
    *dual = -cr_loss_conj(loss, w->g, y, n);
}

int cr_convex_dual_value(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                         const cr_patterns *P, cr_loss_kind loss, double beta, const double *v, double *dual,
                         double *gmax, cr_err *err)
{
    int st = validate(w, X, y, n, d, P, loss, beta, err);
    if (st) return st;
    if (!v || !dual || !gmax) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    load(w, X, P);
    memcpy(w->v, v, n * sizeof *v);
    double scale;
    certify(w, X, y, P, loss, beta, w->v, gmax, &scale, dual);
    if (isnan(*dual) || isnan(*gmax)) return cr_err_set(err, CR_ERUNTIME, "convex: dual value is NaN");
    return CR_OK;
}

int cr_convex_dual_from_prediction(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                                   const cr_patterns *P, cr_loss_kind loss, double beta, const double *z,
                                   double *dual, double *gmax, cr_err *err)
{
    int st = validate(w, X, y, n, d, P, loss, beta, err);
    if (st) return st;
    if (!z || !dual || !gmax) return cr_err_set(err, CR_EINPUT, "convex: NULL argument");
    load(w, X, P);
    cr_loss_grad(loss, z, y, n, w->v);
    double scale;
    certify(w, X, y, P, loss, beta, w->v, gmax, &scale, dual);
    if (isnan(*dual) || isnan(*gmax)) return cr_err_set(err, CR_ERUNTIME, "convex: dual value is NaN");
    return CR_OK;
}

int cr_convex_smooth(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                     const cr_patterns *P, cr_loss_kind loss, const cr_convex_sol *sol, double *f, double *gU,
                     double *gUp, cr_err *err)
{
    int st = validate(w, X, y, n, d, P, loss, 1.0, err);
    if (st) return st;
    if (!sol || sol->p != P->p || sol->d != d || !f) return cr_err_set(err, CR_EINPUT, "convex: bad solution size");
    size_t p = P->p;
    load(w, X, P);
    memcpy(w->xa, sol->U, p * d * sizeof(double));
    memcpy(w->xa + p * d, sol->Up, p * d * sizeof(double));
    forward(w, X, p, w->xa, w->za);
    *f = cr_loss_value(loss, w->za, y, n);
    if (gU || gUp) {
        cr_loss_grad(loss, w->za, y, n, w->g);
        adjoint(w, X, p, w->g, w->G);
        for (size_t t = 0; t < p * d; t++) {
            if (gU) gU[t] = w->G[t];
            if (gUp) gUp[t] = -w->G[t];
        }
    }
    return CR_OK;
}

/* ------------------------------------------------------------------ the solver */

/* Largest eigenvalue of M'M, M: U2 -> z, by power iteration on Udiff (M'M has twice the top eigenvalue
 * of Udiff -> z). A lower estimate: backtracking corrects it. */
static double op_norm2(cr_convex_work *w, const double *X, size_t p)
{
    size_t d = w->d;
    if (p == 0) return 0;
    double *u = w->C, *z = w->zc; /* scratch */
    for (size_t t = 0; t < p * d; t++) u[t] = 1.0 + 0.1 * (double)(t % 7);
    memset(u + p * d, 0, p * d * sizeof(double));
    double lam = 0;
    for (int it = 0; it < 30; it++) {
        double nu = cr_linalg_nrm2(u, p * d);
        if (nu == 0) return 0;
        for (size_t t = 0; t < p * d; t++) u[t] /= nu;
        forward(w, X, p, u, z); /* u[p d ..] = 0, so Ud = u */
        adjoint(w, X, p, z, u);
        double l = cr_linalg_nrm2(u, p * d);
        if (it > 5 && fabs(l - lam) <= 1e-3 * l) {
            lam = l;
            break;
        }
        lam = l;
    }
    return 2 * lam;
}

/* Prox of t h, h(U2) = beta sum_j ||u_j|| + indicator(u_j in K_j): for a cone, the minimizer of
 * 1/2 ||u - c||^2 + t beta ||u|| over K is the radial shrink of P_K(c) (write u = r e with e in K a unit
 * vector: the best e is P_K(c)/||P_K(c)|| since max_{e in K, ||e||<=1} c'e = ||P_K(c)||, then
 * r = max(0, ||P_K(c)|| - t beta)). */
static size_t prox(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C, double thr,
                   double *out)
{
    size_t d = w->d, p = P->p;
    size_t fails = project_all(w, X, P, C, out, 0);
    for (size_t j = 0; j < 2 * p; j++) {
        double *r = out + j * d, nr = cr_linalg_nrm2(r, d);
        double f = nr > thr ? 1.0 - thr / nr : 0.0;
        for (size_t a = 0; a < d; a++) r[a] *= f;
    }
    return fails;
}

static double penalty(const double *U2, size_t nb, size_t d, double beta)
{
    double s = 0;
    for (size_t j = 0; j < nb; j++) s += cr_linalg_nrm2(U2 + j * d, d);
    return beta * s;
}

/* ------------------------------------------------------------------ SSNAL (squared, logistic) */

/* l*(v) with its gradient g and diagonal Hessian h on the open domain; INFINITY outside. */
static double conj3(cr_loss_kind loss, const double *v, const double *y, size_t n, double *g, double *h)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        if (loss == CR_LOSS_SQUARED) {
            s += 0.5 * v[k] * v[k] + v[k] * y[k];
            g[k] = v[k] + y[k];
            h[k] = 1.0;
        } else {
            double t = -y[k] * v[k];
            if (!(t > 0 && t < 1)) return INFINITY;
            s += t * log(t) + (1 - t) * log1p(-t);
            g[k] = -y[k] * (log(t) - log1p(-t));
            h[k] = y[k] * y[k] / (t * (1 - t));
        }
    }
    return s;
}

/* The part of both inner objectives below that involves U: W = Uk - sigma M'v, P = prox_{sigma h}(W) into
 * Pout, z = M P into zout; returns (2 <P, W> - ||P||^2) / (2 sigma) (the caller subtracts h(P)). */
static double prox_part(cr_convex_work *w, const double *X, const cr_patterns *P, double beta, double sigma,
                        const double *v, double *Pout, double *zout, size_t *fails)
{
    size_t d = w->d, p = P->p, m = 2 * p * d;
    adjoint(w, X, p, v, w->G);
    for (size_t t = 0; t < p * d; t++) {
        w->C[t] = w->Uk[t] - sigma * w->G[t];
        w->C[p * d + t] = w->Uk[p * d + t] + sigma * w->G[t];
    }
    *fails += prox(w, X, P, w->C, sigma * beta, Pout);
    double ip = 0, pp = 0;
    for (size_t t = 0; t < m; t++) {
        ip += Pout[t] * w->C[t];
        pp += Pout[t] * Pout[t];
    }
    forward(w, X, p, Pout, zout);
    return (2 * ip - pp) / (2 * sigma);
}

/* The inner objective of SSNAL at v (the dual of the proximal subproblem
 * min_U l(M U) + h(U) + ||U - Uk||^2 / (2 sigma)):
 *   psi(v) = l*(v) + (2 <P, W> - ||P||^2) / (2 sigma) - h(P),  W = Uk - sigma M'v,  P = prox_{sigma h}(W),
 * grad psi(v) = grad l*(v) - M P (Moreau's identity). Writes P, z = M P and the gradient. */
static double psi_eval(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P,
                       cr_loss_kind loss, double beta, double sigma, const double *v, double *Pout, double *zout,
                       double *gout, size_t *fails)
{
    size_t n = w->n, d = w->d, p = P->p;
    double lc = conj3(loss, v, y, n, gout, w->hs);
    if (!isfinite(lc)) return INFINITY;
    double hq = prox_part(w, X, P, beta, sigma, v, Pout, zout, fails), hpen = penalty(Pout, 2 * p, d, beta);
    for (size_t k = 0; k < n; k++) gout[k] -= zout[k];
    return lc + hq - hpen;
}

/* Orthonormal rows B (d x d): rows 0..q0-1 span the given rows of X (dependent ones skipped), rows q0..d-1
 * span their orthogonal complement, the face {u : x_k'u = 0, k in rows}. Returns q0. */
static size_t face_basis(const double *X, size_t d, const size_t *rows, size_t nrows, double *B)
{
    size_t q = 0, q0 = d;
    for (size_t l = 0; l < nrows + d && q < d; l++) {
        double *b = B + q * d;
        if (l < nrows) {
            for (size_t a = 0; a < d; a++) b[a] = X[rows[l] * d + a];
        } else {
            if (l == nrows) q0 = q;
            for (size_t a = 0; a < d; a++) b[a] = a == l - nrows ? 1.0 : 0.0;
        }
        double b0 = cr_linalg_nrm2(b, d);
        for (int pass = 0; pass < 2; pass++)
            for (size_t r = 0; r < q; r++) {
                double h = 0;
                for (size_t a = 0; a < d; a++) h += B[r * d + a] * b[a];
                for (size_t a = 0; a < d; a++) b[a] -= h * B[r * d + a];
            }
        double bn = cr_linalg_nrm2(b, d);
        if (!(bn > (l < nrows ? 1e-12 : 0.3) * b0) || b0 == 0) continue;
        for (size_t a = 0; a < d; a++) b[a] /= bn;
        q++;
    }
    return q0;
}

/* prox_{sigma l}(x) coordinatewise into pz, with its derivative (the diagonal Jacobian) in jac:
 * squared (x + sigma y) / (1 + sigma); hinge: x + sigma y, x, or the kink 1/y; logistic: the root of
 * p - x - sigma y s(y p) = 0, s(q) = 1/(1 + e^q), by safeguarded Newton (the root lies between x and
 * x + sigma y), derivative 1 / (1 + sigma y^2 s (1 - s)). */
static void lprox(cr_loss_kind loss, double sigma, const double *x, const double *y, size_t n, double *pz,
                  double *jac)
{
    for (size_t k = 0; k < n; k++) {
        double xk = x[k], yk = y[k];
        switch (loss) {
        case CR_LOSS_SQUARED:
            pz[k] = (xk + sigma * yk) / (1 + sigma);
            jac[k] = 1 / (1 + sigma);
            break;
        case CR_LOSS_HINGE:
            if (yk == 0) {
                pz[k] = xk, jac[k] = 1;
            } else if (yk * (xk + sigma * yk) < 1) {
                pz[k] = xk + sigma * yk, jac[k] = 1;
            } else if (yk * xk > 1) {
                pz[k] = xk, jac[k] = 1;
            } else {
                pz[k] = 1 / yk, jac[k] = 0;
            }
            break;
        case CR_LOSS_LOGISTIC: {
            double lo = fmin(xk, xk + sigma * yk), hi = fmax(xk, xk + sigma * yk), q = xk, sg = 0;
            for (int it = 0; it < 100; it++) {
                sg = cr_sigmoid_neg(yk * q);
                double f = q - xk - sigma * yk * sg;
                if (f > 0) hi = q;
                else lo = q;
                double fp = 1 + sigma * yk * yk * sg * (1 - sg), qn = q - f / fp;
                if (!(qn > lo && qn < hi)) qn = 0.5 * (lo + hi);
                if (fabs(qn - q) <= 1e-16 * (1 + fabs(q)) || hi - lo <= 1e-16 * (1 + fabs(q))) {
                    q = qn;
                    break;
                }
                q = qn;
            }
            sg = cr_sigmoid_neg(yk * q);
            pz[k] = q;
            jac[k] = 1 / (1 + sigma * yk * yk * sg * (1 - sg));
            break;
        }
        }
    }
}

/* The inner objective of the z-form (losses whose conjugate is not smooth on an open set, or whose
 * domain makes Newton on l* awkward): ALM on min l*(xi) + h*(s) s.t. xi = v, s = -M'v with multipliers
 * (a, Uk), i.e. the proximal point method on min l(a) + h(U) s.t. a = M U:
 *   psi(v) = (2 <zt, x> - ||zt||^2) / (2 sigma) - l(zt) + (2 <P, W> - ||P||^2) / (2 sigma) - h(P),
 *   x = a + sigma v, zt = prox_{sigma l}(x), W = Uk - sigma M'v, P = prox_{sigma h}(W),
 * grad psi = zt - M P, generalized Hessian sigma (J_l + M J M'). A proximal term tau/2 ||v - vk||^2 (the
 * proximal method of multipliers, Rockafellar 1976) keeps the Hessian positive definite where the prox of
 * the hinge is flat, so the Newton direction is that of the function minimized. */
static double psiz_eval(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P,
                        cr_loss_kind loss, double beta, double sigma, double tau, const double *v, double *Pout,
                        double *zout, double *gout, size_t *fails)
{
    size_t n = w->n, d = w->d, p = P->p;
    double l1 = 0;
    for (size_t k = 0; k < n; k++) gout[k] = w->ak[k] + sigma * v[k]; /* x, temporarily */
    lprox(loss, sigma, gout, y, n, w->zt2, w->hs);
    for (size_t k = 0; k < n; k++) l1 += 2 * w->zt2[k] * gout[k] - w->zt2[k] * w->zt2[k];
    l1 = l1 / (2 * sigma) - cr_loss_value(loss, w->zt2, y, n);
    double hq = prox_part(w, X, P, beta, sigma, v, Pout, zout, fails), hpen = penalty(Pout, 2 * p, d, beta);
    double prox_v = 0;
    for (size_t k = 0; k < n; k++) {
        double dv = v[k] - w->vk[k];
        gout[k] = w->zt2[k] - zout[k] + tau * dv;
        prox_v += dv * dv;
    }
    return l1 + hq - hpen + 0.5 * tau * prox_v;
}

/* Semismooth Newton direction: (diag(h) + sigma M J M') dv = -g, with J the generalized Jacobian of the prox
 * at the current point: for a block with output u != 0, projection P_K(c) = r, active generators S,
 *   J = alpha B B' + gamma rhat rhat',  alpha = ||u|| / ||r||, gamma = tau / ||r||, tau = sigma beta,
 * B an orthonormal basis of {a_k'u = 0, k in S}; zero blocks have J = 0. So M J M' is a sum of rank-one
 * terms (D_i X b)(D_i X b)' accumulated in chunks (cr_linalg_syrk), factored by cr_linalg_potrf.
 * Returns 0, or -1 when the matrix is not numerically positive definite. */
static int newton_dir(cr_convex_work *w, const double *X, const cr_patterns *P, double sigma, double beta,
                      const double *Pc, const double *g, double *dv)
{
    size_t n = w->n, d = w->d, p = P->p, nch = w->nch, c = 0;
    double *V = w->V, *F = w->F, *B = w->Bq;
    memset(V, 0, n * n * sizeof *V);
    for (size_t k = 0; k < n; k++) V[k * n + k] = w->hs[k];
    double tau = sigma * beta;
    for (size_t j = 0; j < 2 * p; j++) {
        const double *u = Pc + j * d;
        double nu = cr_linalg_nrm2(u, d);
        if (nu == 0) continue;
        double rn = nu + tau, al = sqrt(sigma * nu / rn), ga = sqrt(sigma * tau / rn);
        const uint64_t *mask = cr_patterns_mask(P, j % p);
        size_t q = d, q0 = face_basis(X, d, w->act_idx + j * d, w->act_len[j], B);
        for (size_t r = q0; r <= q; r++) {
            /* columns: al D X b for the complement rows, then ga D X rhat */
            const double *b = r < q ? B + r * d : u;
            double f = r < q ? al : ga / nu;
            for (size_t k = 0; k < n; k++) {
                double h = 0;
                if ((mask[k / 64] >> (k % 64)) & 1u)
                    for (size_t a = 0; a < d; a++) h += X[k * d + a] * b[a];
                F[k * nch + c] = f * h;
            }
            if (++c == nch) {
                cr_linalg_syrk(0, n, c, 1.0, F, nch, 1.0, V, n);
                c = 0;
            }
        }
    }
    if (c > 0) cr_linalg_syrk(0, n, c, 1.0, F, nch, 1.0, V, n);
    /* row-major upper = column-major lower */
    if (cr_linalg_potrf(n, V, n) != 0) return -1;
    for (size_t k = 0; k < n; k++) dv[k] = -g[k];
    cr_linalg_potrs(n, V, n, dv);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(dv[k])) return -1;
    return 0;
}

/* State shared by the two methods of one solve. */
typedef struct {
    const double *X, *y;
    const cr_patterns *P;
    cr_loss_kind loss;
    double beta;
    cr_convex_opts o;
    double t0;
    double mnorm2;       /* ||M||^2 estimate */
    long steps;          /* iterations so far (both methods) */
    long newton;         /* semismooth Newton steps */
    long restarts;
    long polishes;       /* face Newton polish attempts */
    size_t fails;        /* projections that hit the step limit */
    double L, mu, sigma; /* FISTA step constant, hinge smoothing, SSNAL proximal parameter */
    double primal, dual, gmax, gap;
    cr_convex_status status;
} run_state;

/* Certificate at the current point w->xa (prediction w->za) with dual candidate v: sets primal, dual,
 * gap; returns 1 when the solve should stop (converged, numerical failure, limits), with status set. */
static int check_point(cr_convex_work *w, run_state *rs, const double *v, int at_limit)
{
    size_t n = w->n, d = w->d, p = rs->P->p;
    double pen = penalty(w->xa, 2 * p, d, rs->beta), scale;
    rs->primal = cr_loss_value(rs->loss, w->za, rs->y, n) + pen;
    certify(w, rs->X, rs->y, rs->P, rs->loss, rs->beta, v, &rs->gmax, &scale, &rs->dual);
    /* primal >= p* >= dual: a negative difference is the rounding of two equal values, so the certified gap
     * is 0 (NaN stays NaN and is caught below). Every gap reported by the solver comes from here. */
    rs->gap = rs->primal - rs->dual < 0 ? 0.0 : rs->primal - rs->dual;
    if (!isfinite(rs->primal) || isnan(rs->dual) || isnan(rs->gmax)) {
        rs->status = CR_CONVEX_NUMERICAL;
        return 1;
    }
    if (rs->gap <= rs->o.tol * fmax(1.0, fabs(rs->primal))) {
        rs->status = CR_CONVEX_CONVERGED;
        return 1;
    }
    if (rs->steps >= rs->o.max_iter || at_limit) {
        rs->status = rs->steps >= rs->o.max_iter ? CR_CONVEX_MAX_ITER : CR_CONVEX_TIME_LIMIT;
        return 1;
    }
    return 0;
}

/* The certificate of a candidate point cand (prediction zc) with dual candidate v, into *cs (a copy of rs)
 * without touching rs or the current point; 1 when it is converged. */
static int check_candidate(cr_convex_work *w, const run_state *rs, double *cand, double *zc, const double *v,
                           run_state *cs)
{
    double *sx = w->xa, *sz = w->za;
    w->xa = cand, w->za = zc;
    *cs = *rs;
    cs->status = CR_CONVEX_MAX_ITER;
    check_point(w, cs, v, 0);
    w->xa = sx, w->za = sz;
    return cs->status == CR_CONVEX_CONVERGED;
}

static int out_of_time(const run_state *rs)
{
    return rs->o.max_seconds > 0 && cr_seconds() - rs->t0 > rs->o.max_seconds;
}

/* Accelerated proximal gradient (FISTA, Beck and Teboulle, SIAM J. Imaging Sci. 2009) with backtracking
 * and the adaptive gradient restart of O'Donoghue and Candes (Found. Comput. Math. 2015) on
 *     min_U  f(U) + h(U),   f(U) = l(M U),  M U = sum_i D_i X (u_i - u'_i),
 *            h(U) = beta sum_i (||u_i|| + ||u'_i||) + indicators of u_i, u'_i in K_i,
 * whose prox is exact (see prox above). Every iterate x_k is a prox output, so the cone constraints hold to
 * rounding at the returned point. Used for the hinge loss, on the Moreau envelope with parameter mu,
 * decreased tenfold whenever the smoothed problem's own gap falls below a fifth of the true gap
 * (continuation: Nesterov, Math. Program. 2005; Becker, Bobin and Candes, NESTA, 2011), and as the fallback
 * of SSNAL. Starts from w->xa and leaves the last iterate there. Stopping rule: the certificate of
 * check_point every check_every steps, with v = grad l(z(x_k)) (smoothed for the hinge). */
static void fista(cr_convex_work *w, run_state *rs)
{
    const double *X = rs->X, *y = rs->y;
    const cr_patterns *P = rs->P;
    cr_loss_kind loss = rs->loss;
    double beta = rs->beta;
    size_t n = w->n, d = w->d, p = P->p, m = 2 * p * d;
    long check = rs->o.check_every > 0 ? rs->o.check_every : 10;
    double *x = w->xa, *xp = w->xb, *xt = w->xc, *yb = w->yb;
    double *zx = w->za, *zxp = w->zb, *zt = w->zc, *zy = w->zy;

    double ymax2 = 0;
    for (size_t k = 0; k < n; k++) ymax2 = fmax(ymax2, y[k] * y[k]);
    double mu = loss == CR_LOSS_HINGE ? (rs->mu > 0 ? rs->mu : 0.1) : 0.0;
    double lloss = loss == CR_LOSS_SQUARED ? 1.0 : loss == CR_LOSS_LOGISTIC ? 0.25 : ymax2 / mu;
    double L = lloss * rs->mnorm2 * 1.02;
    if (!(L > 0)) L = 1.0;

    memcpy(yb, x, (m ? m : 1) * sizeof(double));
    memcpy(zy, zx, n * sizeof(double));
    double tk = 1.0;
    for (long k = 0;; k++) {
        int timeout = out_of_time(rs);
        if ((k > 0 && k % check == 0) || rs->steps >= rs->o.max_iter || timeout) {
            w->xa = x;
            w->za = zx;
            sm_grad(loss, mu, zx, y, n, w->v);
            if (check_point(w, rs, w->v, timeout)) break;
            if (loss == CR_LOSS_HINGE && mu > 1e-15) {
                /* The smoothed problem's dual is max -l*(v) - mu/2 ||v||^2: its gap at (x, scaled v). */
                double vv = 0;
                for (size_t q = 0; q < n; q++) vv += w->g[q] * w->g[q];
                double pen = penalty(x, 2 * p, d, beta);
                double gap_mu = sm_value(loss, mu, zx, y, n) + pen - (rs->dual - 0.5 * mu * vv);
                if (gap_mu <= 0.2 * rs->gap) {
                    mu *= 0.1;
                    L *= 10;
                    tk = 1.0;
                    memcpy(yb, x, m * sizeof(double));
                    memcpy(zy, zx, n * sizeof(double));
                }
            }
        }

        /* One proximal gradient step from yb with backtracking on L. */
        sm_grad(loss, mu, zy, y, n, w->g);
        adjoint(w, X, p, w->g, w->G);
        for (int bt = 0;; bt++) {
            double s = 1.0 / L;
            for (size_t t = 0; t < p * d; t++) {
                w->C[t] = yb[t] - s * w->G[t];
                w->C[p * d + t] = yb[p * d + t] + s * w->G[t];
            }
            rs->fails += prox(w, X, P, w->C, beta * s, xt);
            forward(w, X, p, xt, zt);
            double du = 0;
            for (size_t t = 0; t < m; t++) du += (xt[t] - yb[t]) * (xt[t] - yb[t]);
            double br = bregman(loss, mu, zt, zy, w->g, y, n);
            if (br <= 0.5 * L * du * (1 + 1e-10) + 1e-300 || bt >= 60) break;
            L *= 2;
        }
        /* Gradient restart: the step went against the momentum. */
        double dot = 0;
        for (size_t t = 0; t < m; t++) dot += (yb[t] - xt[t]) * (xt[t] - x[t]);
        double *tmp = xp;
        xp = x;
        x = xt;
        xt = tmp;
        tmp = zxp;
        zxp = zx;
        zx = zt;
        zt = tmp;
        rs->steps++;
        if (dot > 0) {
            tk = 1.0;
            rs->restarts++;
            memcpy(yb, x, m * sizeof(double));
            memcpy(zy, zx, n * sizeof(double));
        } else {
            double tn = 0.5 * (1.0 + sqrt(1.0 + 4.0 * tk * tk));
            double b = (tk - 1.0) / tn;
            tk = tn;
            for (size_t t = 0; t < m; t++) yb[t] = x[t] + b * (x[t] - xp[t]);
            for (size_t q = 0; q < n; q++) zy[q] = zx[q] + b * (zx[q] - zxp[q]);
        }
    }
    /* Put the buffers back in their canonical places, the answer in xa/za. */
    double *bx[3] = {x, xp, xt}, *bz[3] = {zx, zxp, zt};
    double *cx[3] = {w->xa, w->xb, w->xc}, *cz[3] = {w->za, w->zb, w->zc};
    (void)cx, (void)cz;
    w->xa = bx[0], w->xb = bx[1], w->xc = bx[2];
    w->za = bz[0], w->zb = bz[1], w->zc = bz[2];
    rs->L = L;
    rs->mu = mu;
}

/* Polish: Newton's method on the primal restricted to a face. From a point x0 near the optimum, fix the
 * support (nonzero blocks) and each block's face {u : x_k'u = 0 for the rows tight at u_j}; with
 * u_j = B_j w_j (B_j an orthonormal basis of the face) the problem
 *     min_w  l( sum_j sign_j D_j X B_j w_j ) + beta sum_j ||w_j||
 * is smooth near w, and Newton (Hessian J' diag(l'') J + beta (I - what what') / ||w_j|| per block, a tiny
 * ridge for the directions that leave z unchanged) with a line search that keeps every other cone
 * constraint satisfied converges quadratically. This is the step that reaches a certified gap near
 * rounding: SSNAL's own accuracy is limited by the sigma-amplified rounding of its dual iterate. When the
 * face is wrong the certificate says so and the caller discards the point. For the hinge, the problem
 * polished is the Moreau envelope with a tiny mu (curvature 1/mu on the samples at the margin, in effect a
 * penalty for y_k z_k = 1), whose gradient is a dual candidate in dom l*: the certified gap then exceeds
 * the smoothed problem's by at most mu/4 per sample at the margin. Writes the point to xout and
 * its prediction to zout. Returns 0, or -1 if the face is too large (more than nmax coordinates) or
 * Newton broke down. */
/* Face coordinates of the current point xout: builds Jm, the bases and w. Returns N, or 0 when the face is
 * too large for the workspace or degenerate. */
static size_t face_setup(cr_convex_work *w, const run_state *rs, const double *xcur)
{
    const double *X = rs->X;
    const cr_patterns *P = rs->P;
    size_t n = w->n, d = w->d, p = P->p, nm = w->nmax, N = 0;
    for (size_t j = 0; j < 2 * p; j++) {
        const double *u = xcur + j * d;
        double nu = cr_linalg_nrm2(u, d);
        w->brank[j] = 0;
        if (nu == 0) continue;
        size_t nt = 0;
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * u[a];
            if (w->xnorm[k] > 0 && fabs(h) <= 1e-9 * w->xnorm[k] * nu) w->tidx[nt++] = k;
        }
        double *B = w->Bs + j * d * d;
        size_t q0 = face_basis(X, d, w->tidx, nt, B), r = d - q0;
        if (r == 0 || N + r > nm) return 0;
        w->boff[j] = N;
        w->brank[j] = r;
        const uint64_t *mask = cr_patterns_mask(P, j % p);
        double sg = j < p ? 1.0 : -1.0;
        for (size_t c = 0; c < r; c++) {
            const double *b = B + (q0 + c) * d;
            double h = 0;
            for (size_t a = 0; a < d; a++) h += b[a] * u[a];
            w->pw[N + c] = h;
            for (size_t k = 0; k < n; k++) {
                double e = 0;
                if ((mask[k / 64] >> (k % 64)) & 1u)
                    for (size_t a = 0; a < d; a++) e += X[k * d + a] * b[a];
                w->Jm[k * nm + N + c] = sg * e;
            }
        }
        N += r;
    }
    return N;
}

/* u = B_face w for block j into u (d). */
static void face_point(const cr_convex_work *w, size_t j, const double *wv, double *u)
{
    size_t d = w->d, r = w->brank[j], o = w->boff[j], q0 = d - r;
    const double *B = w->Bs + j * d * d;
    for (size_t a = 0; a < d; a++) u[a] = 0;
    for (size_t c = 0; c < r; c++)
        for (size_t a = 0; a < d; a++) u[a] += wv[o + c] * B[(q0 + c) * d + a];
}

/* Ratio test of the face Newton polishes along dir from the face coordinates pw (d <= 64): the largest step
 * <= 1 keeping every non-tight cone row of the polished blocks (*kind = 1 when one of them stops it), or the
 * step minimizing the norm of a block that would pass through zero (*kind = 2, *which = the block). */
static double face_ratio(const cr_convex_work *w, const double *X, const cr_patterns *P, const double *pw,
                         const double *dir, int *kind, size_t *which)
{
    size_t n = w->n, d = w->d, p = P->p;
    double amax = 1.0, ub[64], dub[64];
    for (size_t j = 0; j < 2 * p; j++) {
        if (!w->brank[j]) continue;
        face_point(w, j, pw, ub);
        face_point(w, j, dir, dub);
        double nu = cr_linalg_nrm2(ub, d);
        const uint64_t *mask = cr_patterns_mask(P, j % p);
        for (size_t k = 0; k < n; k++) {
            double h = 0, dh = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * ub[a], dh += X[k * d + a] * dub[a];
            double sk = ((mask[k / 64] >> (k % 64)) & 1u) ? 1.0 : -1.0;
            h *= sk, dh *= sk;
            if (h > 1e-9 * w->xnorm[k] * nu && dh < 0 && -h / dh < amax) amax = -h / dh, *kind = 1;
        }
        double uu = 0, ud = 0, dd = 0;
        for (size_t a = 0; a < d; a++) uu += ub[a] * ub[a], ud += ub[a] * dub[a], dd += dub[a] * dub[a];
        /* min_t ||u + t du||^2 at t = -ud/dd, with residual uu - ud^2/dd */
        if (ud < 0 && dd > 0 && -ud / dd < amax && uu - ud * ud / dd <= 1e-18 * uu)
            amax = -ud / dd, *kind = 2, *which = j;
    }
    return amax;
}

static int polish(cr_convex_work *w, run_state *rs, const double *x0, double *xout, double *zout, double mu_target)
{
    double mu = rs->loss == CR_LOSS_HINGE ? fmax(mu_target, 1e-3) : 0.0;
    const double *X = rs->X, *y = rs->y;
    const cr_patterns *P = rs->P;
    cr_loss_kind loss = rs->loss;
    double beta = rs->beta;
    size_t n = w->n, d = w->d, p = P->p, nm = w->nmax;
    double *Jm = w->Jm, *H = w->H, *pw = w->pw, *g = w->pg, *dir = w->pdir, *wt = w->pwt;
    memcpy(xout, x0, 2 * p * d * sizeof *xout);
    int total = 0;
    for (int round = 0; round < 200 && total < 1000; round++) {
        size_t N = face_setup(w, rs, xout);
#ifdef CR_CONVEX_DEBUG
        fprintf(stderr, "  polish round %d N=%zu mu=%g total=%d\n", round, N, mu, total);
#endif
        if (N == 0) return -1;
        int blocked = 0;
        size_t jzero = (size_t)-1;
        double f = INFINITY;
        for (int it = 0; it < 40; it++, total++) {
            cr_linalg_gemv(0, n, N, 1.0, Jm, nm, pw, 0.0, zout);
            double pen = 0;
            for (size_t j = 0; j < 2 * p; j++)
                if (w->brank[j]) pen += cr_linalg_nrm2(pw + w->boff[j], w->brank[j]);
            f = sm_value(loss, mu, zout, y, n) + beta * pen;
            sm_grad(loss, mu, zout, y, n, w->zw);
            for (size_t k = 0; k < n; k++) {
                double hk = 1.0;
                if (loss == CR_LOSS_LOGISTIC) {
                    double s1 = cr_sigmoid_neg(y[k] * zout[k]);
                    hk = y[k] * y[k] * s1 * (1 - s1);
                } else if (loss == CR_LOSS_HINGE) {
                    double r = 1 - y[k] * zout[k];
                    hk = r > 0 && r < mu ? y[k] * y[k] / mu : 0.0;
                }
                w->hz[k] = sqrt(hk);
            }
            cr_linalg_gemv(1, n, N, 1.0, Jm, nm, w->zw, 0.0, g);
            double gl = cr_linalg_nrm2(g, N);
            for (size_t j = 0; j < 2 * p; j++) {
                size_t r = w->brank[j], o = w->boff[j];
                if (!r) continue;
                double nw = cr_linalg_nrm2(pw + o, r);
                for (size_t c = 0; c < r; c++) g[o + c] += beta * pw[o + c] / nw;
            }
            double gn = cr_linalg_nrm2(g, N);
            if (gn <= 1e-15 * (gl + beta * sqrt((double)N))) break;
            for (size_t k = 0; k < n; k++)
                for (size_t c = 0; c < N; c++) w->Js[k * nm + c] = w->hz[k] * Jm[k * nm + c];
            cr_linalg_syrk(1, N, n, 1.0, w->Js, nm, 0.0, H, nm);
            double hmax = 0;
            for (size_t j = 0; j < 2 * p; j++) {
                size_t r = w->brank[j], o = w->boff[j];
                if (!r) continue;
                double nw = cr_linalg_nrm2(pw + o, r);
                for (size_t a = 0; a < r; a++)
                    for (size_t b = a; b < r; b++)
                        H[(o + a) * nm + o + b] += beta / nw * ((a == b) - pw[o + a] * pw[o + b] / (nw * nw));
            }
            for (size_t c = 0; c < N; c++) hmax = fmax(hmax, H[c * nm + c]);
            for (size_t c = 0; c < N; c++) H[c * nm + c] += 1e-13 * hmax;
            if (cr_linalg_potrf(N, H, nm) != 0) return -1;
            for (size_t c = 0; c < N; c++) dir[c] = -g[c];
            cr_linalg_potrs(N, H, nm, dir);
            double gd = 0;
            for (size_t c = 0; c < N; c++) gd += g[c] * dir[c];
            if (!(gd < 0)) break;
            /* Ratio test: the largest step keeping every non-tight cone constraint; a block whose norm
             * would pass through zero is dropped at the step that minimizes it. */
            if (d > 64) return -1;
            int kind = 0;
            double amax = face_ratio(w, X, P, pw, dir, &kind, &jzero);
            if (kind != 2) jzero = (size_t)-1;
            double alpha = amax;
            int ok = 0;
            for (int ls = 0; ls < 30 && !ok; ls++) {
                for (size_t c = 0; c < N; c++) wt[c] = pw[c] + alpha * dir[c];
                double pent = 0;
                for (size_t j = 0; j < 2 * p; j++)
                    if (w->brank[j]) pent += cr_linalg_nrm2(wt + w->boff[j], w->brank[j]);
                cr_linalg_gemv(0, n, N, 1.0, Jm, nm, wt, 0.0, w->zw);
                double ft = sm_value(loss, mu, w->zw, y, n) + beta * pent;
                if (ft <= f + 1e-4 * alpha * gd + 1e-15 * fabs(f)) ok = 1;
                else alpha *= 0.5;
            }
#ifdef CR_CONVEX_DEBUG
            fprintf(stderr, "    pn it=%d f=%.17g gn=%.3g ok=%d alpha=%g amax=%g\n", it, f, gn, ok, alpha, amax);
#endif
            if (!ok) break;
            memcpy(pw, wt, N * sizeof *pw);
            rs->newton++;
            if (alpha == amax && amax < 1.0) {
                blocked = 1;
                break;
            }
        }
        /* back to the full space */
        memset(xout, 0, 2 * p * d * sizeof *xout);
        for (size_t j = 0; j < 2 * p; j++)
            if (w->brank[j]) face_point(w, j, pw, xout + j * d);
        if (!blocked) {
            /* hinge: continuation of the smoothing down to the target */
            if (mu > mu_target) {
                mu = fmax(mu_target, 0.01 * mu);
                continue;
            }
            break;
        }
        /* a block whose norm reached its minimum (near zero) along the step is dropped */
        if (jzero != (size_t)-1) memset(xout + jzero * d, 0, d * sizeof *xout);
    }
    forward(w, X, p, xout, zout);
    return 0;
}

/* Hinge polish: the hinge problem is polyhedral in the loss, so its solutions are vertex-like and neither
 * SSNAL (rounding floor) nor smoothing (ill-conditioned) reaches rounding-level accuracy. Fix the support,
 * the faces (as in polish) and a partition of the samples by margin t_k = y_k z_k: below (V), at (T) or
 * above (S) the kink t = 1, and solve the equality-constrained problem
 *     min_w  sum_{k in V} (1 - y_k J_k w) + beta sum_j ||w_j||   s.t.  y_k J_k w = 1, k in T
 * by Newton on its KKT system [beta Hn, A'; A, 0] (Hn = blockdiag (I - what what')/||w_j||, A = rows
 * y_k J_k, k in T; LU by cr_linalg_gesv), with a ratio test that moves a sample whose margin reaches 1 into T and
 * keeps the cones. The multipliers give the dual candidate v_k = -y_k (V), lambda_k y_k (T), 0 (S); a
 * multiplier outside [-1, 0] moves its sample to V or S (an active-set step). The certificate decides. */
#ifdef CR_CONVEX_DEBUG
#define DBGH(c) fprintf(stderr, "  hinge_polish fails at %d\n", c)
#else
#define DBGH(c) ((void)0)
#endif
static int hinge_polish(cr_convex_work *w, run_state *rs, const double *x0, double *xout, double *zout,
                        double *vout, double delta)
{
    const double *y = rs->y;
    const cr_patterns *P = rs->P;
    double beta = rs->beta;
    size_t n = w->n, d = w->d, p = P->p, nm = w->nmax;
    double *Jm = w->Jm, *K = w->H, *pw = w->pw, *rhs = w->pg, *wt = w->pwt;
    int *ipiv = w->ipiv;
    memcpy(xout, x0, 2 * p * d * sizeof *xout);
    forward(w, rs->X, p, xout, zout);
    for (size_t k = 0; k < n; k++) {
        double t = y[k] * zout[k];
        w->part[k] = fabs(t - 1) <= delta ? 0 : (t < 1 ? -1 : 1);
        w->vpol[k] = 0;
    }
    int total = 0;
    for (int round = 0; round < 60 && total < 300; round++) {
        size_t N = face_setup(w, rs, xout);
        if (N == 0) { DBGH(1); return -1; }
        size_t nT = 0;
        for (size_t k = 0; k < n; k++)
            if (w->part[k] == 0) w->tk[nT++] = k;
        size_t KK = N + nT;
        if (KK > nm) { DBGH(2); return -1; }
        double *lam = w->pdir; /* multipliers, nT of them, kept across Newton steps */
        for (size_t c = 0; c < nT; c++) lam[c] = -0.5;
        int event = 0;
        size_t which = 0;
        for (int it = 0; it < 50; it++, total++) {
            /* residuals: r1 = c + beta what + A'lam, r2 = A w - 1 */
            cr_linalg_gemv(0, n, N, 1.0, Jm, nm, pw, 0.0, zout);
            for (size_t c = 0; c < N; c++) rhs[c] = 0;
            for (size_t k = 0; k < n; k++) {
                double f = w->part[k] < 0 ? -y[k] : 0.0;
                if (f != 0)
                    for (size_t c = 0; c < N; c++) rhs[c] += f * Jm[k * nm + c];
            }
            for (size_t q = 0; q < nT; q++) {
                size_t k = w->tk[q];
                for (size_t c = 0; c < N; c++) rhs[c] += lam[q] * y[k] * Jm[k * nm + c];
                rhs[N + q] = y[k] * zout[k] - 1;
            }
            for (size_t j = 0; j < 2 * p; j++) {
                size_t r = w->brank[j], o = w->boff[j];
                if (!r) continue;
                double nw = cr_linalg_nrm2(pw + o, r);
                for (size_t c = 0; c < r; c++) rhs[o + c] += beta * pw[o + c] / nw;
            }
            double rn = cr_linalg_nrm2(rhs, KK);
            if (rn <= 1e-14 * (1 + beta * sqrt((double)N))) break;
            /* KKT matrix, column-major for LAPACK (it is symmetric: row-major is the same) */
            for (size_t a = 0; a < KK; a++)
                for (size_t b = 0; b < KK; b++) K[a * nm + b] = 0;
            for (size_t j = 0; j < 2 * p; j++) {
                size_t r = w->brank[j], o = w->boff[j];
                if (!r) continue;
                double nw = cr_linalg_nrm2(pw + o, r);
                for (size_t a = 0; a < r; a++)
                    for (size_t b = 0; b < r; b++)
                        K[(o + a) * nm + o + b] = beta / nw * ((a == b) - pw[o + a] * pw[o + b] / (nw * nw));
            }
            for (size_t q = 0; q < nT; q++) {
                size_t k = w->tk[q];
                for (size_t c = 0; c < N; c++) {
                    double e = y[k] * Jm[k * nm + c];
                    K[(N + q) * nm + c] = e;
                    K[c * nm + N + q] = e;
                }
            }
            /* A tiny regularization (quasi-definite) keeps the system solvable where the radial directions of
             * some blocks are not pinned by the margin constraints; Newton then corrects the residual. */
            double hmx = 0;
            for (size_t c = 0; c < N; c++) hmx = fmax(hmx, K[c * nm + c]);
            for (size_t c = 0; c < N; c++) K[c * nm + c] += 1e-10 * hmx;
            for (size_t q = 0; q < nT; q++) K[(N + q) * nm + N + q] -= 1e-12;
            for (size_t c = 0; c < KK; c++) rhs[c] = -rhs[c];
            if (cr_linalg_gesv(KK, K, nm, ipiv, rhs) != 0) { DBGH(3); return -1; }
            for (size_t c = 0; c < KK; c++)
                if (!isfinite(rhs[c])) { DBGH(4); return -1; }
            /* ratio test: cones (faces), margins of V and S, block norms */
            int kind = 0;
            if (d > 64) { DBGH(5); return -1; }
            double amax = face_ratio(w, rs->X, P, pw, rhs, &kind, &which);
            cr_linalg_gemv(0, n, N, 1.0, Jm, nm, rhs, 0.0, w->zw);
            for (size_t k = 0; k < n; k++) {
                if (w->part[k] == 0) continue;
                double t = y[k] * zout[k] - 1, dt = y[k] * w->zw[k];
                /* V: t < 0 must stay <= 0; S: t > 0 must stay >= 0 */
                if (t * dt < 0 && -t / dt < amax) amax = -t / dt, kind = 3, which = k;
            }
            for (size_t c = 0; c < N; c++) pw[c] += amax * rhs[c];
            for (size_t q = 0; q < nT; q++) lam[q] += amax * rhs[N + q];
            rs->newton++;
            if (amax < 1.0) {
                event = kind;
                if (kind == 3) w->part[which] = 0;
                break;
            }
        }
        for (size_t j = 0; j < 2 * p; j++)
            if (w->brank[j]) face_point(w, j, pw, xout + j * d);
        if (event == 2) memset(xout + which * d, 0, d * sizeof *xout);
        if (event) continue;
        /* converged on this partition: multipliers in [-1, 0], else move the sample */
        int moved = 0;
        for (size_t q = 0; q < nT; q++) {
            size_t k = w->tk[q];
            if (lam[q] > 1e-12) w->part[k] = 1, moved = 1;
            else if (lam[q] < -1 - 1e-12) w->part[k] = -1, moved = 1;
        }
        for (size_t k = 0; k < n; k++) w->vpol[k] = w->part[k] < 0 ? -y[k] : 0.0;
        for (size_t q = 0; q < nT; q++) w->vpol[w->tk[q]] = y[w->tk[q]] * fmin(0.0, fmax(-1.0, lam[q]));
        if (!moved) break;
    }
    (void)wt;
    forward(w, rs->X, p, xout, zout);
    memcpy(vout, w->vpol, n * sizeof *vout);
    return 0;
}

/* Semismooth Newton augmented Lagrangian (SSNAL; Li, Sun and Toh, SIAM J. Optim. 28, 2018, for the Lasso):
 * the augmented Lagrangian method on the dual max_v -l*(v) - h*(-M'v), which is the proximal point method
 *     U_{k+1} = argmin_U  l(M U) + h(U) + ||U - U_k||^2 / (2 sigma_k),   sigma_k increasing,
 * with each subproblem solved through its dual in v in R^n, min psi(v) (see psi_eval), by semismooth
 * Newton with an Armijo line search. The Newton matrix diag(l*'') + sigma M J M' is n x n and only the
 * blocks that the prox keeps nonzero enter J, so a step costs O(n^2 d m + n^3) for m active blocks plus a
 * prox, and the outer iteration converges superlinearly: the certified gap reaches 1e-8 where first-order
 * methods stall on the many nearly parallel blocks of an arrangement. U_{k+1} = P(v) is a prox output, so
 * cone feasibility is exact. For the losses with smooth l* (squared, logistic). Starts from w->xa, leaves
 * the point in w->xa. Returns 0, or -1 when Newton broke down (the caller falls back to FISTA). */
static int ssnal(cr_convex_work *w, run_state *rs)
{
    const double *X = rs->X, *y = rs->y;
    const cr_patterns *P = rs->P;
    cr_loss_kind loss = rs->loss;
    double beta = rs->beta;
    size_t n = w->n, d = w->d, p = P->p, m = 2 * p * d;
    double *Pc = w->xb, *Ptr = w->Pt, *zc = w->zb, *ztr = w->zc;
    double *v = w->v, *vt = w->vt, *gc = w->gr, *gt = w->gt, *vcert = w->zy;
    double mn = fmax(rs->mnorm2, 1e-300);
    /* sigma ||M||^2 bounds the condition number of the Newton matrix, and with it the rounding floor of the
     * inner gradient (about eps sigma ||M||^2 ||v||): capped so that the floor stays near 1e-10 ||v||. */
    double sigma = rs->sigma > 0 ? rs->sigma : 1.0 / mn;
    const double rho = 10.0, sigmax = 1e8 / mn;
    double best = INFINITY, prog = INFINITY, ynorm = cr_linalg_nrm2(y, n);
    int rc = 0, worse = 0, zform = loss != CR_LOSS_SQUARED;
#define PSI(vv, PP, zz, gg) \
    (zform ? psiz_eval(w, X, y, P, loss, beta, sigma, tau, vv, PP, zz, gg, &rs->fails) \
           : psi_eval(w, X, y, P, loss, beta, sigma, vv, PP, zz, gg, &rs->fails))

    cr_loss_grad(loss, w->za, y, n, v);
    memcpy(w->ak, w->za, n * sizeof(double));
    double tau = 0;
    for (;;) {
        memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
        memcpy(w->vk, v, n * sizeof(double));
        tau = loss == CR_LOSS_HINGE ? 1e-8 * sigma * fmax(1.0, mn) : 0.0;
        double phi = PSI(v, Pc, zc, gc);
        if (!isfinite(phi)) {
            rc = -1;
            break;
        }
        double gprev = INFINITY;
        int stall = 0;
        double epsk = 0.1 * (1 + ynorm) * pow(0.2, (double)rs->steps);
        for (int it = 0; it < 100; it++) {
            double gn = cr_linalg_nrm2(gc, n), pr = 0, vn = cr_linalg_nrm2(v, n);
            for (size_t t = 0; t < m; t++) pr += (Pc[t] - w->Uk[t]) * (Pc[t] - w->Uk[t]);
            pr = sqrt(pr) / sigma;
            double floor = 1e-15 * (1 + sigma * mn) * (1 + vn);
            /* inexact proximal point: the inner error must be small against the step (Li, Sun and Toh's
             * criterion (B)) and below a summable sequence (criterion (A)) */
            if (gn <= fmax(floor, fmin(0.1 * pr, epsk))) break;
            /* Newton converges quadratically: near the rounding floor, no halving of the gradient twice in a
             * row means rounding dominates. */
            stall = gn > 0.5 * gprev && gn <= 1e4 * floor ? stall + 1 : 0;
#ifdef CR_CONVEX_DEBUG
            if (getenv("CRDBG") && stall >= 2) fprintf(stderr, "   stall gn=%.3g\n", gn);
#endif
            if (stall >= 2 || out_of_time(rs)) break;
            gprev = gn;
            if (zform) {
                /* sigma J_l (+ a ridge where the prox of l is flat) at the current v */
                for (size_t k = 0; k < n; k++) w->dv[k] = w->ak[k] + sigma * v[k];
                lprox(loss, sigma, w->dv, y, n, w->zt2, w->hs);
                for (size_t k = 0; k < n; k++) w->hs[k] = sigma * w->hs[k] + tau;
            } else {
                conj3(loss, v, y, n, w->dv, w->hs); /* Hessian at the current v (dv is scratch here) */
            }
            if (newton_dir(w, X, P, sigma, beta, Pc, gc, w->dv) != 0) {
                rc = -1;
                break;
            }
            double gd = 0;
            for (size_t k = 0; k < n; k++) gd += gc[k] * w->dv[k];
            if (!(gd < 0)) break;
            double alpha = 1.0, ft = INFINITY;
            int ok = 0;
            for (int ls = 0; ls < 40; ls++) {
                for (size_t k = 0; k < n; k++) vt[k] = v[k] + alpha * w->dv[k];
                ft = PSI(vt, Ptr, ztr, gt);
                /* Armijo, or (near the solution, where psi's differences drown in the rounding of its large
                 * terms) a clear decrease of the gradient norm */
                if (ft <= phi + 1e-4 * alpha * gd + 1e-15 * fabs(phi) || cr_linalg_nrm2(gt, n) <= 0.5 * gn) {
                    ok = 1;
                    break;
                }
                alpha *= 0.5;
            }
#ifdef CR_CONVEX_DEBUG
            if (getenv("CRDBG"))
                fprintf(stderr, "   it=%d gn=%.3g pr=%.3g epsk=%.3g alpha=%g ok=%d phi=%.17g ft=%.17g gd=%.3g\n", it, gn,
                        pr, epsk, alpha, ok, phi, ft, gd);
#endif
            if (!ok) break;
            double *tmp;
            tmp = v, v = vt, vt = tmp;
            tmp = Pc, Pc = Ptr, Ptr = tmp;
            tmp = zc, zc = ztr, ztr = tmp;
            tmp = gc, gc = gt, gt = tmp;
            phi = ft;
            rs->newton++;
        }
        if (rc) break;
        /* The prox output at the last v is the next proximal point. */
        memcpy(w->xa, Pc, (m ? m : 1) * sizeof(double));
        memcpy(w->za, zc, n * sizeof(double));
        rs->steps++;
        cr_loss_grad(loss, w->za, y, n, vcert);
        if (zform) {
            /* a <- prox_{sigma l}(a + sigma v); for the hinge the certificate uses the multiplier
             * xi = (a + sigma v - a_new) / sigma in the subdifferential of l at a_new, not a subgradient at z */
            for (size_t k = 0; k < n; k++) w->dv[k] = w->ak[k] + sigma * v[k];
            lprox(loss, sigma, w->dv, y, n, w->zt2, w->hs);
            for (size_t k = 0; k < n; k++) {
                if (loss == CR_LOSS_HINGE) {
                    double xi = (w->dv[k] - w->zt2[k]) / sigma, t = y[k] * xi;
                    vcert[k] = y[k] * fmin(0.0, fmax(-1.0, t));
                }
                w->ak[k] = w->zt2[k];
            }
        }
        int stop = check_point(w, rs, vcert, out_of_time(rs));
        if (stop && rs->status != CR_CONVEX_CONVERGED && rs->status != CR_CONVEX_NUMERICAL && best < rs->gap) {
            /* a limit hit: return the best certified point rather than the last */
            cr_convex_status lim = rs->status;
            memcpy(w->xa, w->yb, (m ? m : 1) * sizeof(double));
            forward(w, X, p, w->xa, w->za);
            cr_loss_grad(loss, w->za, y, n, vcert);
            check_point(w, rs, vcert, 1);
            if (rs->status != CR_CONVEX_CONVERGED) rs->status = lim;
        }
#ifdef CR_CONVEX_DEBUG
        fprintf(stderr, "ssnal k=%ld sigma=%.3g newton=%ld primal=%.15g gap=%.3g\n", rs->steps, sigma, rs->newton,
                rs->primal, rs->gap);
#endif
        if (stop) break;
        int pst = -1;
        if (rs->gap <= 1e-3 * fmax(1.0, fabs(rs->primal))) {
            if (loss == CR_LOSS_HINGE) {
                double rel = rs->gap / fmax(1.0, fabs(rs->primal));
                pst = hinge_polish(w, rs, w->xa, w->xc, w->zw, vcert, fmax(1e-7, fmin(1e-2, 100 * sqrt(rel))));
            } else {
                pst = polish(w, rs, w->xa, w->xc, w->zw, 0.0);
            }
        }
        if (pst == 0) {
            run_state cand;
            if (loss != CR_LOSS_HINGE) cr_loss_grad(loss, w->zw, y, n, vcert);
            int conv = check_candidate(w, rs, w->xc, w->zw, vcert, &cand);
            rs->polishes++;
#ifdef CR_CONVEX_DEBUG
            fprintf(stderr, "  polish: primal %.15g gap %.3g\n", cand.primal, cand.gap);
#endif
            if (conv || cand.gap < rs->gap) {
                memcpy(w->xa, w->xc, (m ? m : 1) * sizeof(double));
                memcpy(w->za, w->zw, n * sizeof(double));
                rs->primal = cand.primal, rs->dual = cand.dual, rs->gap = cand.gap, rs->gmax = cand.gmax;
                if (conv) {
                    rs->status = CR_CONVEX_CONVERGED;
                    break;
                }
            }
        }
        /* Keep the best certified point; three outer steps without halving the gap at the largest sigma:
         * rounding dominates, hand the best point to the first-order method. */
        if (rs->gap < best) {
            best = rs->gap;
            memcpy(w->yb, w->xa, (m ? m : 1) * sizeof(double));
        }
        if (rs->gap < 0.5 * prog) {
            prog = rs->gap;
            worse = 0;
        } else if (sigma >= sigmax && ++worse >= 3) {
            memcpy(w->xa, w->yb, (m ? m : 1) * sizeof(double));
            forward(w, X, p, w->xa, w->za);
            rc = -1;
            break;
        }
        sigma = fmin(sigma * rho, sigmax);
    }
#undef PSI
    /* Restore the canonical buffers (v and the P/z/g buffers may have been swapped). */
    if (v != w->v) memcpy(w->v, v, n * sizeof(double));
    rs->sigma = sigma;
    return rc;
}

/* ------------------------------------------------------------------ interior point (squared, large n) */

typedef struct {
    cr_convex_work *w;
    run_state *rs;
    run_state best; /* the best certificate so far (its point in w->yb); best.gap = INFINITY: none */
} ipm_ctx;

/* An interior-point iterate made exactly feasible: every block projected onto its cone into w->xa, then
 * the blocks that the projection reduced to rounding dropped (below 1e-4 of their input, where the
 * projection's own tolerance 1e-13 ||c|| would be a large relative violation, or below 1e-13 of the largest
 * block); w->za = z(xa), w->zy = grad l(za). */
static void ipm_point(cr_convex_work *w, run_state *rs, const double *U2)
{
    size_t d = w->d, nb = 2 * rs->P->p;
    rs->fails += prox(w, rs->X, rs->P, U2, 0.0, w->xa);
    double umax = 0;
    for (size_t j = 0; j < nb; j++) umax = fmax(umax, cr_linalg_nrm2(w->xa + j * d, d));
    for (size_t j = 0; j < nb; j++) {
        double nr = cr_linalg_nrm2(w->xa + j * d, d);
        if (nr < 1e-4 * cr_linalg_nrm2(U2 + j * d, d) || nr <= 1e-13 * umax) memset(w->xa + j * d, 0, d * sizeof(double));
    }
    forward(w, rs->X, rs->P->p, w->xa, w->za);
    cr_loss_grad(rs->loss, w->za, rs->y, w->n, w->zy);
}

/* The certificate of an interior-point iterate: its blocks projected onto their cones (exactly feasible),
 * v = grad l(z) at the projected point; computed when the method is near its end or out of time. */
static int ipm_check(void *vctx, const double *U2, int near)
{
    ipm_ctx *c = vctx;
    cr_convex_work *w = c->w;
    run_state *rs = c->rs;
    size_t m = 2 * rs->P->p * w->d;
    rs->steps++;
    int late = out_of_time(rs) || rs->steps >= rs->o.max_iter;
    if (!near && !late) return 0;
    ipm_point(w, rs, U2);
    int stop = check_point(w, rs, w->zy, late);
    if (rs->status != CR_CONVEX_NUMERICAL && rs->gap < c->best.gap) {
        c->best = *rs;
        memcpy(w->yb, w->xa, (m ? m : 1) * sizeof(double));
    }
    return stop;
}

/* An interior point has every block nonzero, most of them at the size of the barrier parameter. Drops the
 * blocks below 1e-3 (else 1e-4, 1e-5, 1e-6) of the largest and, unless that point is certified as it is,
 * finishes it with the face Newton polish on its support (the step that ends SSNAL); the first point
 * certified at the tolerance replaces the interior one (status converged). So the returned support is the
 * optimal one, not the barrier's, and the gap is usually far below the tolerance; it also reaches
 * tolerances below the interior-point method's rounding floor. Nothing changes when no candidate
 * certifies (e.g. a face larger than the polish's workspace). */
static void ipm_sparsify(cr_convex_work *w, run_state *rs)
{
    static const double levels[] = {1e-3, 1e-4, 1e-5, 1e-6};
    size_t d = w->d, p = rs->P->p, nb = 2 * p;
    double umax = 0;
    for (size_t j = 0; j < nb; j++) umax = fmax(umax, cr_linalg_nrm2(w->xa + j * d, d));
    for (size_t l = 0; l < sizeof levels / sizeof levels[0] && umax > 0; l++) {
        double *cand = w->xb, *zc = w->zb, *vc = w->zc;
        size_t dropped = 0;
        for (size_t j = 0; j < nb; j++) {
            double nu = cr_linalg_nrm2(w->xa + j * d, d);
            int drop = nu > 0 && nu < levels[l] * umax;
            dropped += (size_t)drop;
            for (size_t a = 0; a < d; a++) cand[j * d + a] = drop ? 0.0 : w->xa[j * d + a];
        }
        if (!dropped && l > 0) return; /* nothing below this level, nor below the smaller ones */
        forward(w, rs->X, p, cand, zc);
        cr_loss_grad(rs->loss, zc, rs->y, w->n, vc);
        run_state cs;
        int ok = check_candidate(w, rs, cand, zc, vc, &cs);
        if (!ok) {
            rs->polishes++;
            if (polish(w, rs, cand, w->xc, w->zw, 0.0) != 0) continue;
            memcpy(cand, w->xc, nb * d * sizeof(double));
            memcpy(zc, w->zw, w->n * sizeof(double));
            cr_loss_grad(rs->loss, zc, rs->y, w->n, vc);
            ok = check_candidate(w, rs, cand, zc, vc, &cs);
        }
        if (ok) {
            long polishes = rs->polishes;
            memcpy(w->xa, cand, nb * d * sizeof(double));
            memcpy(w->za, zc, w->n * sizeof(double));
            *rs = cs;
            rs->polishes = polishes;
            return;
        }
    }
}

/* Runs the interior-point method. 0: rs and w->xa hold the last certificate, or the best one when the
 * method ended (by itself, by a limit or in numerical trouble) without converging; -1: no certificate was
 * reached (numerical trouble or memory early on), w->xa undefined. */
static int ipm_run(cr_convex_work *w, run_state *rs)
{
    ipm_ctx c = {w, rs, {.gap = INFINITY}};
    cr_ipm_info ii;
    size_t m = 2 * rs->P->p * w->d;
    double *U2 = w->xc;
    long cap = rs->o.max_iter < 500 ? rs->o.max_iter : 500;
    int rc = cr_convex_ipm(rs->X, rs->y, w->n, w->d, rs->P, rs->beta, rs->o.tol, cap, ipm_check, &c, U2, &ii);
    rs->newton = ii.iterations;
    if (rc == 1 && rs->status == CR_CONVEX_CONVERGED) {
        ipm_sparsify(w, rs);
        return 0;
    }
    if (rc == 0) {
        /* ended by itself (its own gap far below tol, or its iteration limit): certify the last point */
        ipm_point(w, rs, U2);
        check_point(w, rs, w->zy, 1);
        if (rs->status == CR_CONVEX_CONVERGED) {
            ipm_sparsify(w, rs);
            return 0;
        }
        if (rs->status == CR_CONVEX_TIME_LIMIT && !out_of_time(rs)) rs->status = CR_CONVEX_MAX_ITER;
    }
    if (!isfinite(c.best.gap)) return -1;
    if (rs->status == CR_CONVEX_NUMERICAL || c.best.gap < rs->gap) {
        cr_convex_status lim = rs->status == CR_CONVEX_NUMERICAL ? CR_CONVEX_MAX_ITER : rs->status;
        long steps = rs->steps, newton = rs->newton;
        size_t fails = rs->fails;
        *rs = c.best;
        rs->steps = steps, rs->newton = newton, rs->fails = fails;
        rs->status = lim == CR_CONVEX_CONVERGED ? CR_CONVEX_MAX_ITER : lim;
        memcpy(w->xa, w->yb, (m ? m : 1) * sizeof(double));
        forward(w, rs->X, rs->P->p, w->xa, w->za);
    }
    /* short of the tolerance (rounding of the interior-point method near its end): the polish may still
     * reach it from the best point */
    ipm_sparsify(w, rs);
    return 0;
}

int cr_convex_solve(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                    const cr_patterns *P, cr_loss_kind loss, double beta, const cr_convex_opts *opts,
                    cr_convex_sol *sol, cr_convex_info *info, cr_err *err)
{
    double t0 = cr_seconds();
    cr_convex_opts o;
    if (opts) o = *opts;
    else cr_convex_opts_default(&o);
    cr_convex_info inf0;
    if (!info) info = &inf0;
    memset(info, 0, sizeof *info);
    info->status = CR_CONVEX_NUMERICAL;
    int st = validate(w, X, y, n, d, P, loss, beta, err);
    if (st) return st;
    if (!sol || sol->p != P->p || sol->d != d)
        return cr_err_set(err, CR_EINPUT, "convex: solution holds %zu x %zu, need %zu x %zu", sol ? sol->p : 0,
                          sol ? sol->d : 0, P->p, d);
    if (!(o.tol > 0) || o.max_iter < 0 || o.max_seconds < 0 || o.check_every < 0 ||
        (o.method != CR_CONVEX_AUTO && o.method != CR_CONVEX_FISTA && o.method != CR_CONVEX_SSNAL &&
         o.method != CR_CONVEX_IPM))
        return cr_err_set(err, CR_EINPUT, "convex: options need tol > 0, max_iter >= 0, max_seconds >= 0");
    if (o.method == CR_CONVEX_IPM && loss != CR_LOSS_SQUARED)
        return cr_err_set(err, CR_EINPUT, "convex: the interior-point method is for the squared loss only");

    size_t p = P->p, m = 2 * p * d;
    load(w, X, P);
    memset(w->act_len, 0, 4 * (p ? p : 1) * sizeof(size_t));
    run_state rs = {.X = X, .y = y, .P = P, .loss = loss, .beta = beta, .o = o, .t0 = t0};
    if (o.warm_start) {
        memcpy(w->C, sol->U, p * d * sizeof(double));
        memcpy(w->C + p * d, sol->Up, p * d * sizeof(double));
        rs.fails += prox(w, X, P, w->C, 0.0, w->xa);
    } else {
        memset(w->xa, 0, (m ? m : 1) * sizeof(double));
    }
    forward(w, X, p, w->xa, w->za);
    rs.mnorm2 = op_norm2(w, X, p);

    int method = o.method;
    if (method == CR_CONVEX_AUTO)
        method = loss == CR_LOSS_SQUARED && n >= CR_CONVEX_IPM_MIN_N && !o.warm_start ? CR_CONVEX_IPM : CR_CONVEX_SSNAL;
    info->method = method;
    if (method == CR_CONVEX_IPM && ipm_run(w, &rs) != 0) {
        /* the interior-point method failed: start over with SSNAL (and its FISTA fallback) */
        method = info->method = CR_CONVEX_SSNAL;
        rs = (run_state){.X = X, .y = y, .P = P, .loss = loss, .beta = beta, .o = o, .t0 = t0,
                         .mnorm2 = rs.mnorm2};
        memset(w->xa, 0, (m ? m : 1) * sizeof(double));
        memset(w->act_len, 0, 4 * (p ? p : 1) * sizeof(size_t));
        forward(w, X, p, w->xa, w->za);
    }
    if (method == CR_CONVEX_SSNAL && ssnal(w, &rs) != 0) {
        /* Newton broke down or stalled: continue with the first-order method from the best point, and keep
         * that point if FISTA ends worse (FISTA uses yb, so the point waits in Uk) */
        info->method = CR_CONVEX_FISTA;
        memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
        double gap0 = rs.gap;
        run_state rs0 = rs;
        fista(w, &rs);
        if (!(rs.gap <= gap0) && rs.status != CR_CONVEX_CONVERGED && isfinite(gap0)) {
            memcpy(w->xa, w->Uk, (m ? m : 1) * sizeof(double));
            forward(w, X, p, w->xa, w->za);
            cr_loss_grad(loss, w->za, y, n, w->v);
            cr_convex_status lim = rs.status;
            long steps = rs.steps, restarts = rs.restarts;
            rs = rs0;
            rs.steps = steps, rs.restarts = restarts;
            check_point(w, &rs, w->v, 1);
            if (rs.status != CR_CONVEX_CONVERGED) rs.status = lim;
        }
    } else if (method == CR_CONVEX_FISTA) {
        fista(w, &rs);
    }

    memcpy(sol->U, w->xa, p * d * sizeof(double));
    memcpy(sol->Up, w->xa + p * d, p * d * sizeof(double));
    info->iterations = rs.steps;
    info->newton = rs.newton;
    info->restarts = rs.restarts;
    info->polishes = rs.polishes;
    info->primal = rs.primal;
    info->dual = rs.dual;
    info->gap = rs.gap;
    info->rel_gap = info->gap / fmax(1.0, fabs(rs.primal));
    info->gmax = rs.gmax;
    info->lipschitz = rs.L;
    info->smoothing = rs.mu;
    info->sigma = rs.sigma;
    info->nnz = cr_convex_sol_nnz(sol);
    info->cone_violation = cr_convex_cone_violation(X, n, d, P, sol);
    info->seconds = cr_seconds() - t0;
    info->status = rs.status;
    if (rs.status == CR_CONVEX_NUMERICAL || !isfinite(info->cone_violation)) {
        info->status = CR_CONVEX_NUMERICAL;
        return cr_err_set(err, CR_ERUNTIME, "convex: numerical failure after %ld steps (primal %g, dual %g)",
                          rs.steps, rs.primal, rs.dual);
    }
    if (info->cone_violation > 1e-9) {
        info->status = CR_CONVEX_NUMERICAL;
        return cr_err_set(err, CR_ERUNTIME,
                          "convex: cone violation %g at the returned point (%zu projections hit the step limit)",
                          info->cone_violation, rs.fails);
    }
    return CR_OK;
}
