/* SSNAL-CG for the convex program at large n: the proximal point method of convex_ssnal.c with its
 * semismooth Newton systems solved by conjugate gradients, matrix-free, so that no n x n matrix is ever
 * formed and every iteration costs O(n p d). Squared and logistic losses (the l*-form); the hinge is handed
 * to FISTA (the method table's fallback). */
#include "convex_impl.h"

#include <math.h>
#include <string.h>
#ifdef CR_SSNALCG_DEBUG
#include <stdio.h>
#endif

#include "linalg.h"
#include "patmap.h"

/* The conjugate gradient solves stop at this many products at most (a direction that is not yet accurate is
 * still a descent direction: CG from zero keeps g'dv < 0). */
#define CG_MAX 300
/* Sketch size of the Nystrom preconditioner at most. */
#define NYS_K 40
/* The sketch is rebuilt at the start of every subproblem and after a CG solve that took more products. */
#define NYS_REBUILD 20
/* Growth of the proximal parameter per outer step (3, 10, 30, 100 measured at n = 400, d = 8, p = 100: 10 needs
 * the fewest Newton steps, 134) and the loosest relative CG residual (0.1; 1e-2 and 1e-3 cost more products
 * for the same Newton steps). */
#define RHO 10.0
#define RT0 0.1

/* The iterates (as in convex_ssnal.c): current and trial dual points v with their prox outputs P(v),
 * predictions M P(v) and gradients of psi; the proximal parameter and its cap; the best certified point
 * (kept in w->yb); the operator of the Newton system: the active blocks' data and the compacted pattern
 * matrix of the patterns that have an active block. */
typedef struct {
    cr_ssnal_iter c;
    long cg;                  /* conjugate gradient products so far */
    /* Newton operator: hs + sigma sum_j D_j X J_j X' D_j, J_j = a_j (I - Q_j'Q_j) + c_j uhat_j uhat_j' */
    size_t pa;                /* patterns with an active block (w->boff[j] != -1: block j is active) */
    /* Nystrom preconditioner: sketch size k (0: none), kept rank kp, eigenvalues lam, smallest lamk */
    size_t k, kp;
    double lam[NYS_K], coef[NYS_K], lamk;
    int fresh, last_cg;       /* rebuild at the next Newton step; products of the last CG solve */
    double *Dact;             /* n x pa: compacted pattern matrix (w->Wt) */
} cg_iter;

/* psi(v) = l*(v) + (2 <P, W> - ||P||^2) / (2 sigma) - h(P), W = Uk - sigma M'v, P = prox_{sigma h}(W), and
 * its gradient grad l*(v) - M P (the dual of the proximal subproblem, as convex_ssnal.c). INFINITY when v is
 * outside the domain of l*. */
static double psi(void *self, const double *v, double *Pout, double *zout, double *gout)
{
    cg_iter *s = self;
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    size_t n = w->n, d = w->d, p = rs->P->p, m = 2 * p * d;
    double lc = cr_convex_conj_d2(rs->loss, v, rs->y, n, gout, w->hs);
    if (!isfinite(lc)) return INFINITY;
    cr_convex_adjoint(w, rs->X, p, v, w->G);
    for (size_t t = 0; t < p * d; t++) {
        w->C[t] = w->Uk[t] - s->c.sigma * w->G[t];
        w->C[p * d + t] = w->Uk[p * d + t] + s->c.sigma * w->G[t];
    }
    rs->fails += cr_convex_prox(w, rs->X, rs->P, w->C, s->c.sigma * rs->beta, Pout);
    double ip = 0, pp = 0;
    for (size_t t = 0; t < m; t++) {
        ip += Pout[t] * w->C[t];
        pp += Pout[t] * Pout[t];
    }
    cr_convex_forward(w, rs->X, p, Pout, zout);
    for (size_t k = 0; k < n; k++) gout[k] -= zout[k];
    return lc + (2 * ip - pp) / (2 * s->c.sigma) - cr_convex_penalty(Pout, 2 * p, d, rs->beta);
}

static void iter_init(cg_iter *s, cr_convex_work *w, cr_convex_run *rs)
{
    *s = (cg_iter){.Dact = w->Wt};
    cr_ssnal_init(&s->c, w, rs, psi, s);
    /* the sketch lives in w->F (n max(n, 64) doubles): 3 n k + 2 k^2 + k fit when k <= n / 4 */
    s->k = w->n / 4 < NYS_K ? w->n / 4 : NYS_K;
}

/* ------------------------------------------------------------------ the Newton operator */

/* Orthonormal rows Q (q x d) spanning the rows `rows` of X (Gram-Schmidt twice; dependent rows skipped).
 * Returns q. */
static size_t span_basis(const double *X, size_t d, const size_t *rows, size_t nrows, double *Q)
{
    size_t q = 0;
    for (size_t l = 0; l < nrows; l++) {
        double *r = Q + q * d;
        const double *x = X + rows[l] * d;
        double xn = cr_linalg_nrm2(x, d);
        memcpy(r, x, d * sizeof *r);
        for (int pass = 0; pass < 2; pass++)
            for (size_t e = 0; e < q; e++) {
                double h = cr_linalg_dot(Q + e * d, r, d);
                for (size_t a = 0; a < d; a++) r[a] -= h * Q[e * d + a];
            }
        double rn = cr_linalg_nrm2(r, d);
        if (!(rn > 1e-12 * xn)) continue;
        for (size_t a = 0; a < d; a++) r[a] /= rn;
        q++;
    }
    return q;
}

/* The generalized Jacobian of the prox at the current point (Pc): for block j with output u != 0 and
 * projection r = P_K(c), ||r|| = ||u|| + tau (tau = sigma beta), active generators S, the prox is the radial
 * shrink of the projection onto the face {a_k'u = 0, k in S}, so J_j = a (I - Q'Q) + c uhat uhat' with Q an
 * orthonormal basis of the span of S, a = ||u|| / ||r||, c = tau / ||r||. Stores Q (packed in w->Bs at
 * w->boff[j], w->brank[j] rows), and the compacted pattern matrix of the patterns with an active block. */
static void operator_setup(cg_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    const cr_patterns *P = rs->P;
    size_t n = w->n, d = w->d, p = P->p, off = 0;
    for (size_t j = 0; j < 2 * p; j++) {
        w->brank[j] = 0;
        w->boff[j] = (size_t)-1;
        if (cr_linalg_nrm2(s->c.Pc + j * d, d) == 0) continue;
        w->boff[j] = off;
        w->brank[j] = span_basis(rs->X, d, w->act_idx + j * d, w->act_len[j], w->Bs + off);
        off += w->brank[j] * d;
    }
    /* column c of Dact: the c-th pattern (ascending) with an active block */
    s->pa = 0;
    for (size_t i = 0; i < p; i++)
        if (w->boff[i] != (size_t)-1 || w->boff[i + p] != (size_t)-1) s->pa++;
    for (size_t k = 0; k < n; k++) {
        size_t c = 0;
        for (size_t i = 0; i < p; i++)
            if (w->boff[i] != (size_t)-1 || w->boff[i + p] != (size_t)-1) s->Dact[k * s->pa + c++] = w->Dm[k * p + i];
    }
}

/* out = (diag(hs) + sigma M J M') x, with M J M' x = sum_j D_j X J_j X'D_j x over the active blocks (the
 * signs of u'_j cancel): one adjoint and one forward product over the pa patterns. */
static void operator_apply(cg_iter *s, const double *x, double *out)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    size_t n = w->n, d = w->d, p = rs->P->p, pa = s->pa;
    double tau = s->c.sigma * rs->beta;
    if (pa > 0) {
        double *A = w->G, *B = w->Ud;
        cr_patmap_adjoint(s->Dact, rs->X, n, d, pa, x, w->Xs, A);
        memset(B, 0, pa * d * sizeof *B);
        for (size_t i = 0, c = 0; i < p; i++) {
            if (w->boff[i] == (size_t)-1 && w->boff[i + p] == (size_t)-1) continue;
            const double *a = A + c * d;
            double *b = B + c * d;
            c++;
            for (size_t j = i; j < 2 * p; j += p) {
                if (w->boff[j] == (size_t)-1) continue;
                const double *u = s->c.Pc + j * d, *Q = w->Bs + w->boff[j];
                double nu = cr_linalg_nrm2(u, d), rn = nu + tau, ca = nu / rn, cu = tau / (rn * nu * nu);
                double ua = cr_linalg_dot(u, a, d);
                for (size_t t = 0; t < d; t++) b[t] += ca * a[t] + cu * ua * u[t];
                for (size_t e = 0; e < w->brank[j]; e++) {
                    double h = ca * cr_linalg_dot(Q + e * d, a, d);
                    for (size_t t = 0; t < d; t++) b[t] -= h * Q[e * d + t];
                }
            }
        }
        cr_patmap_forward(s->Dact, rs->X, n, d, pa, B, w->T, out);
    } else {
        memset(out, 0, n * sizeof *out);
    }
    for (size_t k = 0; k < n; k++) out[k] = w->hs[k] * x[k] + s->c.sigma * out[k];
}

/* ------------------------------------------------------------------ the preconditioner */

/* Eigenvalues ev and orthonormal eigenvectors (columns of V, k x k row-major) of the symmetric A (k x k,
 * destroyed) by cyclic Jacobi rotations. */
static void jacobi_eigen(size_t k, double *A, double *V, double *ev)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) V[a * k + b] = a == b;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0, tot = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++) {
                tot += A[a * k + b] * A[a * k + b];
                if (a != b) off += A[a * k + b] * A[a * k + b];
            }
        if (!(off > 1e-30 * tot)) break;
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++) {
                double apq = A[a * k + b];
                if (apq == 0) continue;
                double th = (A[b * k + b] - A[a * k + a]) / (2 * apq);
                double t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1)), c = 1 / sqrt(t * t + 1), sn = t * c;
                for (size_t r = 0; r < k; r++) {
                    double ar = A[r * k + a], br = A[r * k + b];
                    A[r * k + a] = c * ar - sn * br;
                    A[r * k + b] = sn * ar + c * br;
                }
                for (size_t r = 0; r < k; r++) {
                    double ar = A[a * k + r], br = A[b * k + r];
                    A[a * k + r] = c * ar - sn * br;
                    A[b * k + r] = sn * ar + c * br;
                }
                for (size_t r = 0; r < k; r++) {
                    double ar = V[r * k + a], br = V[r * k + b];
                    V[r * k + a] = c * ar - sn * br;
                    V[r * k + b] = sn * ar + c * br;
                }
            }
    }
    for (size_t a = 0; a < k; a++) ev[a] = A[a * k + a];
}

/* Orthonormalizes the k columns of Om (n x k row-major) by Gram-Schmidt twice. */
static void orthonormal_columns(size_t n, size_t k, double *Om)
{
    for (size_t c = 0; c < k; c++) {
        for (int pass = 0; pass < 2; pass++)
            for (size_t e = 0; e < c; e++) {
                double h = 0;
                for (size_t r = 0; r < n; r++) h += Om[r * k + e] * Om[r * k + c];
                for (size_t r = 0; r < n; r++) Om[r * k + c] -= h * Om[r * k + e];
            }
        double nr = 0;
        for (size_t r = 0; r < n; r++) nr += Om[r * k + c] * Om[r * k + c];
        nr = sqrt(nr);
        for (size_t r = 0; r < n; r++) Om[r * k + c] = nr > 0 ? Om[r * k + c] / nr : 0.0;
    }
}

static void operator_apply(cg_iter *s, const double *x, double *out);

/* Randomized Nystrom preconditioner (Frangella, Tropp and Udell, SIAM J. Matrix Anal. Appl. 44, 2023) of the
 * scaled system I + H^{-1/2} sigma M J M' H^{-1/2} (H = diag(hs)): a rank-k approximation U diag(lam) U' from
 * k products with an orthonormalized test matrix (a fixed deterministic pseudo-random sequence), then
 * P^{-1} = (lam_k + 1) U (diag(lam) + I)^{-1} U' + I - U U'. Lives in w->F (3 n k + 2 k^2 + 2 k doubles). */
static void precond_build(cg_iter *s)
{
    cr_convex_work *w = s->c.w;
    size_t n = w->n, k = s->k;
    double *Om = w->F, *Y = Om + n * k, *U = Y + n * k, *Ck = U + n * k, *Vk = Ck + k * k, *ev = Vk + k * k;
    double *x = w->zt2, *ax = w->vk;
    uint64_t st = 0x9E3779B97F4A7C15ull;
    for (size_t t = 0; t < n * k; t++) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        Om[t] = (double)(st >> 11) / 9007199254740992.0 - 0.5;
    }
    orthonormal_columns(n, k, Om);
    for (size_t c = 0; c < k; c++) {
        for (size_t r = 0; r < n; r++) x[r] = Om[r * k + c] / sqrt(w->hs[r]);
        operator_apply(s, x, ax); /* hs x + sigma M J M' x */
        for (size_t r = 0; r < n; r++) Y[r * k + c] = (ax[r] - w->hs[r] * x[r]) / sqrt(w->hs[r]);
    }
    s->cg += (long)k;
    double yn = cr_linalg_nrm2(Y, n * k), nu = 2.2e-16 * sqrt((double)n) * yn;
    for (size_t t = 0; t < n * k; t++) Y[t] += nu * Om[t];
    /* Ck = Om'Y (symmetric positive definite), its Cholesky factor R'R, B = Y R^{-1} into U */
    cr_linalg_gemm(1, 0, k, k, n, 1.0, Om, k, Y, k, 0.0, Ck, k);
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < a; b++) Ck[a * k + b] = Ck[b * k + a] = 0.5 * (Ck[a * k + b] + Ck[b * k + a]);
    /* row-major upper = column-major lower: potrf gives L (column-major lower) = R' with R upper row-major */
    if (cr_linalg_potrf(k, Ck, k) != 0) {
        s->kp = 0;
        return;
    }
    /* B = Y R^{-1}: solve R' B' = Y' row by row, i.e. each row b of B: R' b = y (forward substitution with
     * L = R', L[a][c] = Ck[c * k + a] for a >= c in row-major terms) */
    for (size_t r = 0; r < n; r++) {
        double *b = U + r * k;
        const double *yr = Y + r * k;
        for (size_t a = 0; a < k; a++) {
            double t = yr[a];
            for (size_t c = 0; c < a; c++) t -= Ck[c * k + a] * b[c];
            b[a] = t / Ck[a * k + a];
        }
    }
    /* B'B = V diag(sv^2) V', U = B V diag(1/sv), lam = max(0, sv^2 - nu) */
    cr_linalg_gemm(1, 0, k, k, n, 1.0, U, k, U, k, 0.0, Ck, k);
    jacobi_eigen(k, Ck, Vk, ev);
    cr_linalg_gemm(0, 0, n, k, k, 1.0, U, k, Vk, k, 0.0, Y, k);
    double lmin = INFINITY;
    size_t kp = 0;
    for (size_t c = 0; c < k; c++) {
        double sv = sqrt(fmax(ev[c], 0.0));
        if (!(sv > 0)) continue;
        for (size_t r = 0; r < n; r++) U[r * k + kp] = Y[r * k + c] / sv;
        s->lam[kp] = fmax(0.0, ev[c] - nu);
        lmin = fmin(lmin, s->lam[kp]);
        kp++;
    }
    s->kp = kp;
    s->lamk = kp ? lmin : 0;
}

/* z = M^{-1} r = H^{-1/2} P^{-1} H^{-1/2} r (identity scaled by H when there is no sketch). */
static void precond_apply(cg_iter *s, const double *r, double *z)
{
    cr_convex_work *w = s->c.w;
    size_t n = w->n, k = s->k, kp = s->kp;
    const double *U = w->F + 2 * n * k;
    double *c = s->coef;
    for (size_t r0 = 0; r0 < n; r0++) z[r0] = r[r0] / sqrt(w->hs[r0]);
    if (kp > 0) {
        for (size_t a = 0; a < kp; a++) c[a] = 0;
        for (size_t r0 = 0; r0 < n; r0++)
            for (size_t a = 0; a < kp; a++) c[a] += U[r0 * k + a] * z[r0];
        for (size_t a = 0; a < kp; a++) c[a] *= (s->lamk + 1) / (s->lam[a] + 1) - 1;
        for (size_t r0 = 0; r0 < n; r0++) {
            double h = 0;
            for (size_t a = 0; a < kp; a++) h += U[r0 * k + a] * c[a];
            z[r0] += h;
        }
    }
    for (size_t r0 = 0; r0 < n; r0++) z[r0] /= sqrt(w->hs[r0]);
}

/* Conjugate gradients on (diag(hs) + sigma M J M') dv = -g from dv = 0, to the relative residual rtol or
 * CG_MAX products. Returns 0, or -1 on a non-finite or non-positive curvature. */
static int newton_cg(cg_iter *s, const double *g, double rtol, double *dv)
{
    cr_convex_work *w = s->c.w;
    size_t n = w->n;
    double *r = w->zt2, *pv = w->vk, *Ap = w->vpol, *z = w->hz;
    operator_setup(s);
    if (s->k > 0 && (s->fresh || s->last_cg > NYS_REBUILD)) {
        precond_build(s);
        s->fresh = 0;
    }
    memset(dv, 0, n * sizeof *dv);
    for (size_t k = 0; k < n; k++) r[k] = -g[k];
    precond_apply(s, r, z);
    memcpy(pv, z, n * sizeof *pv);
    double rz = cr_linalg_dot(r, z, n), stop = rtol * rtol * cr_linalg_dot(r, r, n);
    int it = 0;
    for (; it < CG_MAX && cr_linalg_dot(r, r, n) > stop; it++) {
        operator_apply(s, pv, Ap);
        s->cg++;
        double pAp = cr_linalg_dot(pv, Ap, n);
        if (!(pAp > 0) || !isfinite(pAp)) return -1;
        double al = rz / pAp;
        for (size_t k = 0; k < n; k++) {
            dv[k] += al * pv[k];
            r[k] -= al * Ap[k];
        }
        precond_apply(s, r, z);
        double rzn = cr_linalg_dot(r, z, n), be = rzn / rz;
        rz = rzn;
        for (size_t k = 0; k < n; k++) pv[k] = z[k] + be * pv[k];
    }
    s->last_cg = it;
    for (size_t k = 0; k < n; k++)
        if (!isfinite(dv[k])) return -1;
    return 0;
}

/* ------------------------------------------------------------------ the method */

/* The Newton direction by CG (cr_ssnal_dir_fn), the relative CG residual loose far from the solution, tight
 * near it (superlinear Newton-CG). */
static int direction(void *self, double gn, double *gd)
{
    cg_iter *s = self;
    cr_convex_work *w = s->c.w;
    double rtol = fmin(RT0, sqrt(gn / (1 + s->c.ynorm)));
    if (newton_cg(s, s->c.gc, fmax(rtol, 1e-10), w->dv) != 0) return -1;
    *gd = cr_linalg_dot(s->c.gc, w->dv, w->n);
#ifdef CR_SSNALCG_DEBUG
    fprintf(stderr, "   newton gn %.3e cg %d sigma %.2e pa %zu\n", gn, s->last_cg, s->c.sigma, s->pa);
#endif
    return 0;
}

/* One subproblem by semismooth Newton-CG from the current v, proximal centre w->xa. -1 when psi is not
 * finite at the start or CG broke down. */
static int inner(cg_iter *s)
{
    cr_convex_work *w = s->c.w;
    size_t m = 2 * s->c.rs->P->p * w->d;
    memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
    s->fresh = 1;
    return cr_ssnal_subproblem(&s->c, direction);
}

/* The new proximal point (w->xa, w->za) and its certificate with v = grad l(z); when a limit stops the run,
 * the best certified point is returned. 1 to stop. */
static int outer_step(cg_iter *s)
{
    cr_convex_run *rs = s->c.rs;
    cr_ssnal_centre(&s->c);
    rs->products = s->cg;
    int stop = cr_convex_check_point(s->c.w, rs, s->c.vcert, cr_convex_out_of_time(rs));
    if (stop) cr_ssnal_stopped(&s->c);
    return stop;
}

/* Below a relative gap of 1e-3, the face Newton polish of convex_polish.c on the current point (it declines
 * faces of more than the workspace's nmax coordinates); its point replaces the current one when its
 * certificate is better. 1 when that certificate is converged. */
static int polish_step(cg_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    if (!(rs->gap <= 1e-3 * fmax(1.0, fabs(rs->primal)))) return 0;
    if (cr_convex_polish(w, rs, w->xa, w->xc, w->zw, 0.0) != 0) return 0;
    cr_loss_grad(rs->loss, w->zw, rs->y, w->n, s->c.vcert);
    int conv;
    if (!cr_ssnal_take_polished(&s->c, &conv)) return 0;
    return conv;
}

/* SSNAL with Newton-CG (Li, Sun and Toh, SIAM J. Optim. 28, 2018, solve their Newton systems by CG when n is
 * large): the proximal point method U_{k+1} = argmin l(M U) + h(U) + ||U - U_k||^2 / (2 sigma_k) with each
 * subproblem solved through its dual in v in R^n by semismooth Newton, every Newton system
 * (diag(l*'') + sigma M J M') dv = -grad psi by conjugate gradients whose products apply M' and M only on the
 * patterns that hold a nonzero block of the prox: O(n pa d) per product, O(n p d) per evaluation of psi (the
 * 2p cone projections of the prox), nothing of size n x n. Every point is a prox output (cone-feasible); the
 * certificate of convex_cert.c after every outer step is the stopping rule. Returns 0, or -1 for the hinge
 * (not handled: FISTA takes over), a CG or psi breakdown, or a stall at the largest sigma. */
static int ssnal_cg(cr_convex_work *w, cr_convex_run *rs)
{
    if (rs->loss == CR_LOSS_HINGE) return -1;
    size_t n = w->n;
    cg_iter s;
    iter_init(&s, w, rs);
    cr_loss_grad(rs->loss, w->za, rs->y, n, s.c.v);
    int rc = 0;
    for (;;) {
        if (inner(&s) != 0) {
            rc = -1;
            break;
        }
        if (outer_step(&s) || polish_step(&s)) break;
        if (cr_ssnal_progress(&s.c) != 0) {
            rc = -1;
            break;
        }
        s.c.sigma = fmin(s.c.sigma * RHO, s.c.sigmax);
    }
    cr_ssnal_finish(&s.c);
    return rc;
}

const cr_convex_method_type cr_convex_ssnalcg_type = {"ssnal_cg", ssnal_cg};
