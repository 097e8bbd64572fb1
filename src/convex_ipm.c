/* Primal-dual interior-point method for the squared-loss convex program (see convex_ipm.h).
 *
 * Cone quadratic program in the form of cvxopt's coneqp:  min 1/2 x'Px + q'x  s.t.  G x + s = 0,  s in K,
 *   x = (t_b, u_b) for the blocks b = 0..2p-1 (b < p: u_b with sign +1 on pattern b; b >= p: u'_{b-p} with
 *       sign -1 on pattern b - p), q = d + 1 entries each;
 *   P = E'E, E x = sum_b sigma_b D_b X u_b (n rows), q = (beta on every t_b, -E'y);
 *   K = the orthant of the 2p n cone rows s_bk = c_bk x_k'u_b (c_bk = 2 D_b,kk - 1), then 2p second-order
 *       cones s = (t_b, u_b).
 * The objective plus 1/2 ||y||^2 is the program's objective at any point with t_b = ||u_b||.
 *
 * Newton system (Vandenberghe, "The CVXOPT linear and quadratic cone program solvers", 2010, sec. 7):
 *   (P + G'W^{-2}G) dx = bx + G'W^{-2} bz,  dz = W^{-2}(G dx - bz),
 * with G'W^{-2}G block diagonal: Bd_b = W_b^{-2} (second-order cone) + [0 0; 0 X'diag(z/s)_b X] (cone rows).
 * The rank-n coupling P = E'E goes through Woodbury: H^{-1} = Bd^{-1} - Bd^{-1}E'S^{-1}E Bd^{-1},
 * S = I + E Bd^{-1} E' = I + sum_i (D_i X R_i')(D_i X R_i')' by cr_linalg_syrk, R_i from the QR factorization of the
 * stacked Y_b = L_b^{-1}[0; I] (Bd_b = L_b L_b') of pattern i's two blocks;
 * iterative refinement against H applied exactly corrects the rounding of the large terms. */
#include "convex_ipm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef CR_IPM_DEBUG
#include <stdio.h>
#endif

#include "linalg.h"
#include "patmap.h"

#define STEP 0.99   /* fraction of the step to the boundary */
#define EXPON 3.0   /* Mehrotra's centering exponent */
#define REFINE 6    /* iterative refinement steps per solve at most */
#define CORRECTORS 3 /* Gondzio correctors per iteration at most (each one solve, no factorization) */

typedef struct {
    size_t n, d, p, nb, q, ml, mt; /* nb = 2p blocks of q = d + 1; ml = nb n cone rows; mt = ml + nb q */
    const double *X, *y;
    double beta;
    double *Dm;    /* n x p: 0/1 pattern matrix */
    double *Sg;    /* p x n: c_ik = +-1 */
    double *T;     /* n x p */
    double *Ud;    /* p x d */
    double *Ub;    /* nb x d */
    double *Wt;    /* nb x n */
    double *Xs;    /* n x d */
    double *Gp;    /* p x d */
    double *x, *s, *z;           /* iterate: x (nb q), s and z (mt) */
    double *rx, *rz, *dx, *dz, *ds, *dxa, *dza, *dsa; /* residuals and directions */
    double *lam, *t1, *t2, *t3;  /* mt: scaled point and scratch of the main loop */
    double *a1, *a2, *km;        /* mt: scratch of apply_H and kkt_solve */
    double *rc, *rc2;            /* mt: complementarity right-hand sides (combined, corrected) */
    double *bx;                  /* nb q: right-hand side of direction */
    double *hx;                  /* nb q: the previous solution of h_solve's refinement */
    double *tx1, *tx2, *ax, *kx; /* nb q: scratch of h_solve, apply_H, kkt_solve */
    double *qv;                  /* nb q: the linear term q */
    double *wl;    /* ml: orthant scaling sqrt(s / z) */
    double *wb;    /* nb q: second-order cone scaling points wbar (wbar'J wbar = 1) */
    double *wbe;   /* nb: their factors beta */
    double *Bd;    /* nb x q x q: Bd_b, then its Cholesky factor (lower, column-major) */
    double *S;     /* n x n: I + E Bd^{-1} E', then its factor */
    double *F;     /* n x nch */
    size_t nch;
    double *XL;    /* n x d */
    double *tn1, *tn2; /* n */
    double *cq;    /* q x q scratch */
    double *Z;     /* 2q x d: the stacked Y of one pattern's two blocks, then R of its QR factorization */
} ipm;

/* The sizes of the method for n samples, d features and p patterns; nch as the factorization uses it. */
static void ipm_size(ipm *w, size_t n, size_t d, size_t p)
{
    w->n = n, w->d = d, w->p = p, w->nb = 2 * p, w->q = d + 1;
    w->ml = w->nb * n, w->mt = w->ml + w->nb * w->q;
    w->nch = n > 256 ? n : 256;
}

typedef enum { BUF_ALLOC, BUF_FREE, BUF_COUNT } buf_op;

/* Every buffer with its length in doubles, listed once: allocated (BUF_ALLOC; -1 when one fails), released
 * (BUF_FREE) or counted (BUF_COUNT: *bytes += the bytes BUF_ALLOC asks malloc for). */
static int ipm_buffers(ipm *w, buf_op op, size_t *bytes)
{
    size_t n = w->n, d = w->d, p = w->p, nb = w->nb, q = w->q, mt = w->mt, nx = nb * q;
    struct {
        double **b;
        size_t len;
    } spec[] = {{&w->Dm, n * p}, {&w->Sg, p * n},    {&w->T, n * p},    {&w->Ud, p * d},       {&w->Ub, nb * d},
                {&w->Wt, nb * n}, {&w->Xs, n * d},   {&w->Gp, p * d},   {&w->x, nx},           {&w->s, mt},
                {&w->z, mt},      {&w->rx, nx},      {&w->rz, mt},      {&w->dx, nx},          {&w->dz, mt},
                {&w->ds, mt},     {&w->dxa, nx},     {&w->dza, mt},     {&w->dsa, mt},         {&w->lam, mt},
                {&w->t1, mt},     {&w->t2, mt},      {&w->t3, mt},      {&w->a1, mt},          {&w->a2, mt},
                {&w->km, mt},     {&w->rc, mt},      {&w->rc2, mt},     {&w->bx, nx},          {&w->hx, nx},
                {&w->tx1, nx},    {&w->tx2, nx},     {&w->ax, nx},      {&w->kx, nx},          {&w->qv, nx},
                {&w->wl, w->ml},  {&w->wb, nx},      {&w->wbe, nb},     {&w->Bd, nb * q * q},  {&w->S, n * n},
                {&w->F, n * w->nch}, {&w->XL, n * d}, {&w->tn1, n},     {&w->tn2, n},          {&w->cq, q * q},
                {&w->Z, 2 * q * d}};
    int st = 0;
    for (size_t k = 0; k < sizeof spec / sizeof spec[0]; k++) {
        size_t len = spec[k].len ? spec[k].len : 1;
        if (op == BUF_ALLOC) {
            *spec[k].b = malloc(len * sizeof(double));
            if (!*spec[k].b) st = -1;
        } else if (op == BUF_FREE) {
            free(*spec[k].b);
            *spec[k].b = NULL;
        } else {
            *bytes += len * sizeof(double);
        }
    }
    return st;
}

static int ipm_alloc(ipm *w)
{
    if (ipm_buffers(w, BUF_ALLOC, NULL) == 0) return 0;
    ipm_buffers(w, BUF_FREE, NULL);
    return -1;
}

static void ipm_free(ipm *w)
{
    ipm_buffers(w, BUF_FREE, NULL);
}

size_t cr_convex_ipm_work_bytes(size_t n, size_t d, size_t p)
{
    if (p == 0) return 0; /* cr_convex_ipm returns before allocating */
    ipm w = {0};
    ipm_size(&w, n, d, p);
    size_t bytes = 0;
    ipm_buffers(&w, BUF_COUNT, &bytes);
    return bytes;
}

/* ------------------------------------------------------------------ linear maps */

/* out (n) = E x = sum_b sigma_b D_b X u_b */
static void apply_E(ipm *w, const double *x, double *out)
{
    size_t n = w->n, d = w->d, p = w->p, q = w->q;
    for (size_t i = 0; i < p; i++)
        for (size_t a = 0; a < d; a++) w->Ud[i * d + a] = x[i * q + 1 + a] - x[(p + i) * q + 1 + a];
    cr_patmap_forward(w->Dm, w->X, n, d, p, w->Ud, w->T, out);
}

/* out (nb q) = E'r (t entries 0) */
static void apply_Et(ipm *w, const double *r, double *out)
{
    size_t n = w->n, d = w->d, p = w->p, q = w->q;
    cr_patmap_adjoint(w->Dm, w->X, n, d, p, r, w->Xs, w->Gp);
    for (size_t i = 0; i < p; i++) {
        out[i * q] = out[(p + i) * q] = 0;
        for (size_t a = 0; a < d; a++) {
            out[i * q + 1 + a] = w->Gp[i * d + a];
            out[(p + i) * q + 1 + a] = -w->Gp[i * d + a];
        }
    }
}

/* out (mt) = G x: cone rows -c_bk x_k'u_b, then -(t_b, u_b) */
static void apply_G(ipm *w, const double *x, double *out)
{
    size_t n = w->n, d = w->d, p = w->p, nb = w->nb, q = w->q;
    for (size_t b = 0; b < nb; b++) memcpy(w->Ub + b * d, x + b * q + 1, d * sizeof(double));
    cr_linalg_gemm(0, 1, nb, n, d, 1.0, w->Ub, d, w->X, d, 0.0, w->Wt, n);
    for (size_t b = 0; b < nb; b++) {
        const double *c = w->Sg + (b % p) * n;
        for (size_t k = 0; k < n; k++) out[b * n + k] = -c[k] * w->Wt[b * n + k];
    }
    for (size_t t = 0; t < nb * q; t++) out[w->ml + t] = -x[t];
}

/* out (nb q) = G'v */
static void apply_Gt(ipm *w, const double *v, double *out)
{
    size_t n = w->n, d = w->d, p = w->p, nb = w->nb, q = w->q;
    for (size_t b = 0; b < nb; b++) {
        const double *c = w->Sg + (b % p) * n;
        for (size_t k = 0; k < n; k++) w->Wt[b * n + k] = -c[k] * v[b * n + k];
    }
    cr_linalg_gemm(0, 0, nb, d, n, 1.0, w->Wt, n, w->X, d, 0.0, w->Ub, d);
    for (size_t b = 0; b < nb; b++) {
        out[b * q] = -v[w->ml + b * q];
        for (size_t a = 0; a < d; a++) out[b * q + 1 + a] = w->Ub[b * d + a] - v[w->ml + b * q + 1 + a];
    }
}

/* ------------------------------------------------------------------ cone algebra */

/* The Nesterov-Todd scaling of one second-order cone block, W = beta [w0 w1'; w1 I + w1 w1'/(1 + w0)]:
 * out = W v (inverse = 0) or W^{-1} v (inverse = 1); out may alias v. */
static void soc_scale(const double *wb, double be, size_t q, const double *v, double *out, int inverse)
{
    double w1v = 0;
    for (size_t j = 1; j < q; j++) w1v += wb[j] * v[j];
    double v0 = v[0], sg = inverse ? -1.0 : 1.0, f = inverse ? 1.0 / be : be;
    double c = w1v / (1 + wb[0]) + sg * v0;
    out[0] = f * (wb[0] * v0 + sg * w1v);
    for (size_t j = 1; j < q; j++) out[j] = f * (v[j] + c * wb[j]);
}

/* out = W v or W^{-1} v over the whole cone (out may alias v) */
static void scale_apply(const ipm *w, const double *v, double *out, int inverse)
{
    for (size_t k = 0; k < w->ml; k++) out[k] = inverse ? v[k] / w->wl[k] : v[k] * w->wl[k];
    for (size_t b = 0; b < w->nb; b++)
        soc_scale(w->wb + b * w->q, w->wbe[b], w->q, v + w->ml + b * w->q, out + w->ml + b * w->q, inverse);
}

/* Jordan product a o b and division a \ b (the solution x of a o x = b) */
static void jordan(const ipm *w, const double *a, const double *b, double *out, int divide)
{
    size_t q = w->q;
    for (size_t k = 0; k < w->ml; k++) out[k] = divide ? b[k] / a[k] : a[k] * b[k];
    for (size_t j = 0; j < w->nb; j++) {
        const double *aa = a + w->ml + j * q, *bb = b + w->ml + j * q;
        double *o = out + w->ml + j * q;
        if (!divide) {
            double o0 = cr_linalg_dot(aa, bb, q);
            for (size_t i = 1; i < q; i++) o[i] = aa[0] * bb[i] + bb[0] * aa[i];
            o[0] = o0;
        } else {
            double a1b1 = cr_linalg_dot(aa + 1, bb + 1, q - 1), a1a1 = cr_linalg_dot(aa + 1, aa + 1, q - 1);
            double x0 = (aa[0] * bb[0] - a1b1) / (aa[0] * aa[0] - a1a1);
            for (size_t i = 1; i < q; i++) o[i] = (bb[i] - x0 * aa[i]) / aa[0];
            o[0] = x0;
        }
    }
}

/* v += a e */
static void add_identity(const ipm *w, double *v, double a)
{
    for (size_t k = 0; k < w->ml; k++) v[k] += a;
    for (size_t b = 0; b < w->nb; b++) v[w->ml + b * w->q] += a;
}

/* Smallest "eigenvalue": min over the cone rows of v_k and over the blocks of v0 - ||v1||. */
static double min_eig(const ipm *w, const double *v)
{
    double m = INFINITY;
    for (size_t k = 0; k < w->ml; k++) m = fmin(m, v[k]);
    for (size_t b = 0; b < w->nb; b++) {
        const double *vb = v + w->ml + b * w->q;
        m = fmin(m, vb[0] - sqrt(cr_linalg_dot(vb + 1, vb + 1, w->q - 1)));
    }
    return m;
}

/* Largest alpha with v + alpha dv in the cone (v interior), INFINITY when unbounded. */
static double max_step(const ipm *w, const double *v, const double *dv)
{
    double amax = INFINITY;
    for (size_t k = 0; k < w->ml; k++)
        if (dv[k] < 0) amax = fmin(amax, -v[k] / dv[k]);
    for (size_t b = 0; b < w->nb; b++) {
        const double *s = v + w->ml + b * w->q, *e = dv + w->ml + b * w->q;
        size_t m = w->q - 1;
        /* (s0 + a e0)^2 - ||s1 + a e1||^2 = A a^2 + 2 Bq a + C, C > 0: its first positive root */
        double A = e[0] * e[0] - cr_linalg_dot(e + 1, e + 1, m), Bq = s[0] * e[0] - cr_linalg_dot(s + 1, e + 1, m);
        double C = s[0] * s[0] - cr_linalg_dot(s + 1, s + 1, m), D = Bq * Bq - A * C;
        if (A < 0 || (Bq < 0 && D >= 0)) amax = fmin(amax, C / (-Bq + sqrt(fmax(D, 0.0))));
        if (e[0] < 0) amax = fmin(amax, -s[0] / e[0]); /* stay on the upper sheet */
    }
    return amax;
}

/* Nesterov-Todd scaling at (s, z) and lam = W z; -1 when a point left the cone interior. */
static int compute_scaling(ipm *w)
{
    size_t q = w->q;
    for (size_t k = 0; k < w->ml; k++) {
        if (!(w->s[k] > 0 && w->z[k] > 0)) return -1;
        w->wl[k] = sqrt(w->s[k] / w->z[k]);
        w->lam[k] = sqrt(w->s[k] * w->z[k]);
    }
    for (size_t b = 0; b < w->nb; b++) {
        const double *s = w->s + w->ml + b * q, *z = w->z + w->ml + b * q;
        double *wb = w->wb + b * q;
        double sJs = s[0] * s[0] - cr_linalg_dot(s + 1, s + 1, q - 1);
        double zJz = z[0] * z[0] - cr_linalg_dot(z + 1, z + 1, q - 1);
        if (!(sJs > 0 && zJz > 0 && s[0] > 0 && z[0] > 0)) return -1;
        double sn = sqrt(sJs), zn = sqrt(zJz), sz = cr_linalg_dot(s, z, q) / (sn * zn);
        double gam = sqrt(0.5 * (1 + sz));
        wb[0] = (s[0] / sn + z[0] / zn) / (2 * gam);
        for (size_t j = 1; j < q; j++) wb[j] = (s[j] / sn - z[j] / zn) / (2 * gam);
        w->wbe[b] = sqrt(sn / zn);
        soc_scale(wb, w->wbe[b], q, z, w->lam + w->ml + b * q, 0);
    }
    return 0;
}

static void identity_scaling(ipm *w)
{
    for (size_t k = 0; k < w->ml; k++) w->wl[k] = 1;
    for (size_t b = 0; b < w->nb; b++) {
        memset(w->wb + b * w->q, 0, w->q * sizeof(double));
        w->wb[b * w->q] = 1;
        w->wbe[b] = 1;
    }
}

/* ------------------------------------------------------------------ Newton systems */

/* out = W^{-2} v */
static void w2inv(const ipm *w, const double *v, double *out)
{
    scale_apply(w, v, out, 1);
    scale_apply(w, out, out, 1);
}

/* out = H v = E'E v + G'W^{-2}G v (for the refinement); uses a1, a2, tn1, ax */
static void apply_H(ipm *w, const double *v, double *out)
{
    apply_G(w, v, w->a1);
    w2inv(w, w->a1, w->a2);
    apply_Gt(w, w->a2, out);
    apply_E(w, v, w->tn1);
    apply_Et(w, w->tn1, w->ax);
    for (size_t t = 0; t < w->nb * w->q; t++) out[t] += w->ax[t];
}

/* Factors Bd_b (Cholesky) and S. Returns -1 when a factorization fails. */
static int kkt_factor(ipm *w)
{
    size_t n = w->n, d = w->d, p = w->p, nb = w->nb, q = w->q, c = 0;
    memset(w->S, 0, n * n * sizeof(double));
    for (size_t k = 0; k < n; k++) w->S[k * n + k] = 1;
    for (size_t bb = 0; bb < nb; bb++) {
        size_t i = bb / 2, half = bb % 2, b = i + half * p; /* the blocks of pattern i in turn */
        double *Bd = w->Bd + b * q * q;
        /* W_b^{-2}: columns W^{-1}W^{-1} e_j (symmetric) */
        for (size_t j = 0; j < q; j++) {
            double *col = Bd + j * q;
            memset(col, 0, q * sizeof(double));
            col[j] = 1;
            soc_scale(w->wb + b * q, w->wbe[b], q, col, col, 1);
            soc_scale(w->wb + b * q, w->wbe[b], q, col, col, 1);
        }
        /* + X'diag(z/s)X on the u block */
        for (size_t k = 0; k < n; k++) {
            double f = 1.0 / w->wl[b * n + k];
            for (size_t a = 0; a < d; a++) w->XL[k * d + a] = f * w->X[k * d + a];
        }
        /* cq (column-major lower) = XL'XL with XL n x d row-major */
        cr_linalg_syrk(1, d, n, 1.0, w->XL, d, 0.0, w->cq, d);
        for (size_t a = 0; a < d; a++)
            for (size_t e = a; e < d; e++) Bd[(1 + a) * q + 1 + e] += w->cq[a * d + e];
        /* Cholesky Bd = L L', with a ridge of rounding size when the scaling's huge spread defeats it */
        double dmax = 0;
        for (size_t j = 0; j < q; j++) dmax = fmax(dmax, Bd[j * q + j]);
        for (int tries = 0;; tries++) {
            memcpy(w->cq, Bd, q * q * sizeof(double));
            if (cr_linalg_potrf(q, w->cq, q) == 0) break;
            if (tries == 6 || !(dmax > 0) || !isfinite(dmax)) return -1;
            for (size_t j = 0; j < q; j++) Bd[j * q + j] += 1e-14 * dmax * pow(100.0, tries);
        }
        memcpy(Bd, w->cq, q * q * sizeof(double));
        /* (Bd^{-1})_uu = Y'Y with Y = L^{-1} [0; I] (q x d), stacked for the two blocks of pattern i in Z
         * (2q x d, column-major): rows 0..q-1 for u_i, q..2q-1 for u'_i */
        double *Y = w->Z + half * q;
        for (size_t a = 0; a < d; a++) {
            memset(Y + a * 2 * q, 0, q * sizeof(double));
            Y[a * 2 * q + 1 + a] = 1;
        }
        cr_linalg_trsm_lower(q, d, Bd, q, Y, 2 * q);
        if (!half) continue;
        /* both blocks share D_i: D_i X (Y+'Y+ + Y-'Y-) X' D_i = (D_i X R')(D_i X R')' with Z = Q R, so d
         * columns per pattern enter S instead of 2 (d + 1) */
        cr_linalg_qr_r(2 * q, d, w->Z, 2 * q);
        for (size_t e = 0; e < d; e++)
            for (size_t a = 0; a < d; a++) w->cq[e * d + a] = a <= e ? w->Z[e * 2 * q + a] : 0.0; /* R' row-major */
        cr_linalg_gemm(0, 0, n, d, d, 1.0, w->X, d, w->cq, d, 0.0, w->XL, d);
        const double *msk = w->Dm + i;
        for (size_t a = 0; a < d; a++) {
            for (size_t k = 0; k < n; k++) w->F[k * w->nch + c] = msk[k * p] != 0 ? w->XL[k * d + a] : 0.0;
            if (++c == w->nch) {
                cr_linalg_syrk(0, n, c, 1.0, w->F, w->nch, 1.0, w->S, n);
                c = 0;
            }
        }
    }
    if (c > 0) cr_linalg_syrk(0, n, c, 1.0, w->F, w->nch, 1.0, w->S, n);
    return cr_linalg_potrf(n, w->S, n) == 0 ? 0 : -1; /* row-major upper = column-major lower */
}

/* out = Bd^{-1} v, blockwise */
static void bd_solve(const ipm *w, const double *v, double *out)
{
    if (out != v) memcpy(out, v, w->nb * w->q * sizeof(double));
    for (size_t b = 0; b < w->nb; b++) cr_linalg_potrs(w->q, w->Bd + b * w->q * w->q, w->q, out + b * w->q);
}

/* out = H^{-1} r by Woodbury, refined; uses tx1, tx2, tn2 */
static void h_solve(ipm *w, const double *r, double *out)
{
    size_t nx = w->nb * w->q;
    double rn = sqrt(cr_linalg_dot(r, r, nx)), prev = INFINITY;
    memcpy(w->tx1, r, nx * sizeof(double));
    memset(out, 0, nx * sizeof(double));
    for (int it = 0;; it++) {
        /* correction c = H^{-1} tx1 */
        bd_solve(w, w->tx1, w->tx2);
        apply_E(w, w->tx2, w->tn2);
        cr_linalg_potrs(w->n, w->S, w->n, w->tn2);
        apply_Et(w, w->tn2, w->tx1);
        bd_solve(w, w->tx1, w->tx1);
        memcpy(w->hx, out, nx * sizeof(double));
        for (size_t t = 0; t < nx; t++) out[t] += w->tx2[t] - w->tx1[t];
        apply_H(w, out, w->tx1);
        for (size_t t = 0; t < nx; t++) w->tx1[t] = r[t] - w->tx1[t];
        double res = sqrt(cr_linalg_dot(w->tx1, w->tx1, nx));
        if (!(res <= prev)) { /* the correction made it worse: rounding dominates, keep the previous solution */
            memcpy(out, w->hx, nx * sizeof(double));
            break;
        }
        /* refine while it halves the residual, to rounding level or REFINE steps */
        if (res <= 1e-15 * rn || res > 0.5 * prev || it >= REFINE) break;
        prev = res;
    }
}

/* Solves P dx + G'dz = bx, G dx - W^2 dz = bz; uses km, kx (and h_solve's scratch) */
static void kkt_solve(ipm *w, const double *bx, const double *bz, double *dxo, double *dzo)
{
    size_t nx = w->nb * w->q;
    w2inv(w, bz, w->km);
    apply_Gt(w, w->km, w->kx);
    for (size_t t = 0; t < nx; t++) w->kx[t] += bx[t];
    h_solve(w, w->kx, dxo);
    apply_G(w, dxo, w->km);
    for (size_t k = 0; k < w->mt; k++) w->km[k] -= bz[k];
    w2inv(w, w->km, dzo);
}

/* The search direction for the complementarity right-hand side rc (the target of lam o (W dz + W^{-1} ds)):
 * a = lam \ rc, bx = -(1 - sigma) rx, bz = -(1 - sigma) rz - W a (residuals reduced in step with the gap, as
 * in coneqp), then ds = W (a - W dz). Uses t1, t2, bx. */
static void direction(ipm *w, const double *rc, double sigma, double *dxo, double *dzo, double *dso)
{
    size_t nx = w->nb * w->q, mt = w->mt;
    jordan(w, w->lam, rc, dso, 1); /* dso holds a */
    scale_apply(w, dso, w->t1, 0);
    for (size_t k = 0; k < mt; k++) w->t1[k] = -(1 - sigma) * w->rz[k] - w->t1[k];
    for (size_t t = 0; t < nx; t++) w->bx[t] = -(1 - sigma) * w->rx[t];
    kkt_solve(w, w->bx, w->t1, dxo, dzo);
    scale_apply(w, dzo, w->t2, 0);
    for (size_t k = 0; k < mt; k++) w->t2[k] = dso[k] - w->t2[k];
    scale_apply(w, w->t2, dso, 0);
}

/* ------------------------------------------------------------------ the method */

static int finite_all(const double *v, size_t m)
{
    for (size_t k = 0; k < m; k++)
        if (!isfinite(v[k])) return 0;
    return 1;
}

static void extract(const ipm *w, double *U2)
{
    for (size_t b = 0; b < w->nb; b++) memcpy(U2 + b * w->d, w->x + b * w->q + 1, w->d * sizeof(double));
}

/* The program's linear term q into w->qv: beta on every t_b, -E'y on the u_b. */
static void linear_term(ipm *w, const double *y)
{
    size_t q = w->q;
    apply_Et(w, y, w->qv);
    for (size_t b = 0; b < w->nb; b++) {
        w->qv[b * q] = w->beta;
        for (size_t a = 1; a < q; a++) w->qv[b * q + a] = -w->qv[b * q + a];
    }
}

/* The starting point of coneqp: the KKT system with W = I, bx = -q, bz = h = 0; s = -z, both shifted into
 * the cone's interior. -1 when the factorization fails. */
static int start_point(ipm *w)
{
    size_t nx = w->nb * w->q, mt = w->mt;
    identity_scaling(w);
    if (kkt_factor(w) != 0) return -1;
    for (size_t t = 0; t < nx; t++) w->rx[t] = -w->qv[t];
    memset(w->rz, 0, mt * sizeof(double));
    kkt_solve(w, w->rx, w->rz, w->x, w->z);
    for (size_t k = 0; k < mt; k++) w->s[k] = -w->z[k];
    double ts = -min_eig(w, w->s), tz = -min_eig(w, w->z);
    double ns = sqrt(cr_linalg_dot(w->s, w->s, mt)), nz = sqrt(cr_linalg_dot(w->z, w->z, mt));
    if (ts >= -1e-8 * fmax(ns, 1.0)) add_identity(w, w->s, 1 + ts);
    if (tz >= -1e-8 * fmax(nz, 1.0)) add_identity(w, w->z, 1 + tz);
    return 0;
}

/* The residuals rx = E'E x + q + G'z, rz = G x + s at the current point, the gap s'z (returned) and info
 * (relative gap, residuals; yy = ||y||^2, resx0 = max(1, ||q||)). */
static double residuals(ipm *w, double yy, double resx0, cr_ipm_info *info)
{
    size_t n = w->n, nb = w->nb, q = w->q, nx = nb * q, mt = w->mt;
    apply_E(w, w->x, w->tn1);
    double obj = 0.5 * (cr_linalg_dot(w->tn1, w->tn1, n) - 2 * cr_linalg_dot(w->tn1, w->y, n) + yy);
    for (size_t b = 0; b < nb; b++) obj += w->beta * w->x[b * q];
    apply_Et(w, w->tn1, w->rx);
    apply_Gt(w, w->z, w->tx1);
    for (size_t t = 0; t < nx; t++) w->rx[t] += w->qv[t] + w->tx1[t];
    apply_G(w, w->x, w->rz);
    for (size_t k = 0; k < mt; k++) w->rz[k] += w->s[k];
    double gap = cr_linalg_dot(w->s, w->z, mt);
    info->rel_gap = gap / fmax(1.0, fabs(obj));
    info->pres = sqrt(cr_linalg_dot(w->rz, w->rz, mt));
    info->dres = sqrt(cr_linalg_dot(w->rx, w->rx, nx)) / resx0;
#ifdef CR_IPM_DEBUG
    fprintf(stderr, "ipm obj=%.12g gap=%.3g rel=%.3g pres=%.3g dres=%.3g\n", obj, gap, info->rel_gap, info->pres,
            info->dres);
#endif
    return gap;
}

/* Mehrotra's predictor: the affine direction (ds = -lam o lam, a = -lam, bx = -rx, bz = -rz + s) into dxa,
 * dza, dsa; returns the centering parameter sigma = (gap after the affine step / gap)^EXPON. */
static double predictor(ipm *w, double gap)
{
    size_t nx = w->nb * w->q, mt = w->mt;
    for (size_t t = 0; t < nx; t++) w->dx[t] = -w->rx[t];
    for (size_t k = 0; k < mt; k++) w->t1[k] = -w->rz[k] + w->s[k];
    kkt_solve(w, w->dx, w->t1, w->dxa, w->dza);
    /* dsa = -s - W^2 dza */
    scale_apply(w, w->dza, w->dsa, 0);
    scale_apply(w, w->dsa, w->dsa, 0);
    for (size_t k = 0; k < mt; k++) w->dsa[k] = -w->s[k] - w->dsa[k];
    double aa = fmin(1.0, fmin(max_step(w, w->s, w->dsa), max_step(w, w->z, w->dza)));
    double gaff = 0;
    for (size_t k = 0; k < mt; k++) gaff += (w->s[k] + aa * w->dsa[k]) * (w->z[k] + aa * w->dza[k]);
    return pow(fmin(1.0, fmax(0.0, gaff / gap)), EXPON);
}

/* The combined direction for the complementarity right-hand side -lam o lam - (W^{-1} dsa) o (W dza)
 * + sigma mu e into dx, dz, ds (rc keeps the right-hand side); returns its step to the boundary. */
static double corrector(ipm *w, double sigma, double mu)
{
    size_t mt = w->mt;
    scale_apply(w, w->dsa, w->t1, 1);
    scale_apply(w, w->dza, w->t2, 0);
    jordan(w, w->t1, w->t2, w->t3, 0);
    jordan(w, w->lam, w->lam, w->t1, 0);
    for (size_t k = 0; k < mt; k++) w->rc[k] = -w->t1[k] - w->t3[k];
    add_identity(w, w->rc, sigma * mu);
    direction(w, w->rc, sigma, w->dx, w->dz, w->ds);
    return fmin(max_step(w, w->s, w->ds), max_step(w, w->z, w->dz));
}

/* Gondzio's centrality correctors on the cone rows (they block most steps here): aim the products of the
 * trial point at [0.1, 10] sigma mu and keep a corrected direction while it lengthens the step amax by 5%.
 * Returns the step to the boundary of the direction kept. */
static double centrality(ipm *w, double sigma, double mu, double amax)
{
    size_t nx = w->nb * w->q, mt = w->mt;
    for (int corr = 0; corr < CORRECTORS && amax < 1; corr++) {
        double at = fmin(1.0, amax + 0.2), lo = 0.1 * sigma * mu, hi = 10 * sigma * mu;
        memcpy(w->rc2, w->rc, mt * sizeof(double));
        for (size_t k = 0; k < w->ml; k++) {
            double v = (w->s[k] + at * w->ds[k]) * (w->z[k] + at * w->dz[k]);
            if (v < lo) w->rc2[k] += lo - v;
            else if (v > hi) w->rc2[k] += fmax(hi - v, -hi);
        }
        direction(w, w->rc2, sigma, w->dxa, w->dza, w->dsa);
        double a2 = fmin(max_step(w, w->s, w->dsa), max_step(w, w->z, w->dza));
        if (!(a2 >= 1.05 * amax) || !finite_all(w->dxa, nx)) break;
        double *tmp;
        tmp = w->dx, w->dx = w->dxa, w->dxa = tmp;
        tmp = w->dz, w->dz = w->dza, w->dza = tmp;
        tmp = w->ds, w->ds = w->dsa, w->dsa = tmp;
        tmp = w->rc, w->rc = w->rc2, w->rc2 = tmp;
        amax = a2;
    }
    return amax;
}

/* One iteration from a point with its scaling and residuals (gap s'z, m_deg the cone's degree): factor,
 * predictor, corrector, centrality correctors, then STEP of the way to the boundary. -1 on a failure. */
static int iterate(ipm *w, double gap, double m_deg)
{
    size_t nx = w->nb * w->q, mt = w->mt;
    if (kkt_factor(w) != 0) {
#ifdef CR_IPM_DEBUG
        fprintf(stderr, "ipm: factor failed\n");
#endif
        return -1;
    }
    double sigma = predictor(w, gap), mu = gap / m_deg;
    double amax = centrality(w, sigma, mu, corrector(w, sigma, mu));
    double al = fmin(1.0, STEP * amax);
#ifdef CR_IPM_DEBUG
    fprintf(stderr, "    sigma=%.3g al=%.3g\n", sigma, al);
#endif
    if (!(al > 0) || !finite_all(w->dx, nx)) return -1;
    for (size_t t = 0; t < nx; t++) w->x[t] += al * w->dx[t];
    for (size_t k = 0; k < mt; k++) {
        w->s[k] += al * w->ds[k];
        w->z[k] += al * w->dz[k];
    }
    return 0;
}

/* The iterations from the starting point: 0 when the method ended by itself, 1 when the check stopped it,
 * -1 on a numerical failure. */
static int run(ipm *w, double tol, long max_iter, cr_ipm_check check, void *ctx, double *U2, cr_ipm_info *info)
{
    double yy = cr_linalg_dot(w->y, w->y, w->n);
    double resx0 = fmax(1.0, sqrt(cr_linalg_dot(w->qv, w->qv, w->nb * w->q)));
    double m_deg = (double)(w->ml + w->nb);
    for (long it = 0;; it++) {
        if (!finite_all(w->x, w->nb * w->q) || compute_scaling(w) != 0) {
#ifdef CR_IPM_DEBUG
            fprintf(stderr, "ipm: scaling failed\n");
#endif
            return -1;
        }
        info->iterations = it;
        double gap = residuals(w, yy, resx0, info);
        if (check) {
            /* the check's certificate is independent of the residuals (it projects onto the cones) */
            int near = info->rel_gap <= 10 * tol && info->dres <= 1e-4;
            extract(w, U2);
            info->checks += near;
            if (check(ctx, U2, near)) return 1;
        }
        if (info->rel_gap <= 1e-3 * tol || it >= max_iter) return 0;
        if (iterate(w, gap, m_deg) != 0) return -1;
    }
}

int cr_convex_ipm(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P, double beta,
                  double tol, long max_iter, cr_ipm_check check, void *ctx, double *U2, cr_ipm_info *info)
{
    ipm W = {0}, *w = &W;
    cr_ipm_info inf0;
    if (!info) info = &inf0;
    memset(info, 0, sizeof *info);
    ipm_size(w, n, d, P->p);
    w->X = X, w->y = y, w->beta = beta;
    if (P->p == 0) return 0;
    if (ipm_alloc(w) != 0) return -2;
    cr_patmap_load(P, w->Dm);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < w->p; i++) w->Sg[i * n + k] = 2 * w->Dm[k * w->p + i] - 1;
    linear_term(w, y);
    int rc = -1;
    if (start_point(w) == 0) {
        rc = run(w, tol, max_iter, check, ctx, U2, info);
        extract(w, U2);
    }
    ipm_free(w);
    return rc;
}
