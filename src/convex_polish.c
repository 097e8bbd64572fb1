/* The polishes of the convex program (after OSQP's polish.c): from a point near the optimum, fix the support
 * and each block's face and solve the restricted problem by Newton (squared, logistic, smoothed hinge) or by
 * Newton on the KKT system of a margin partition (hinge). The certificate decides whether the result is kept.
 * They share the face coordinates (face_setup, face_point) and the ratio test (face_ratio). */
#include "convex_impl.h"

#include <math.h>
#include <string.h>
#ifdef CR_CONVEX_DEBUG
#include <stdio.h>
#endif

#include "linalg.h"

/* Orthonormal rows B (d x d): rows 0..q0-1 span the given rows of X (dependent ones skipped), rows q0..d-1
 * span their orthogonal complement, the face {u : x_k'u = 0, k in rows}. Returns q0. */
size_t cr_convex_face_basis(const double *X, size_t d, const size_t *rows, size_t nrows, double *B)
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

/* Face coordinates of the current point xout: builds Jm, the bases and w. Returns N, or 0 when the face is
 * too large for the workspace or degenerate. */
static size_t face_setup(cr_convex_work *w, const cr_convex_run *rs, const double *xcur)
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
            /* tight, or violated (a row the previous round's steps pushed past its boundary by rounding):
             * the face keeps it at zero, which also repairs the violation */
            double sk = cr_mask_bit(cr_patterns_mask(P, j % p), k) ? 1.0 : -1.0;
            if (w->xnorm[k] > 0 && sk * h <= 1e-9 * w->xnorm[k] * nu) w->tidx[nt++] = k;
        }
        double *B = w->Bs + j * d * d;
        size_t q0 = cr_convex_face_basis(X, d, w->tidx, nt, B), r = d - q0;
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
                if (cr_mask_bit(mask, k))
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
 * <= 1 keeping every cone row outside the face of the polished blocks (*kind = 1 when one of them stops it),
 * or the step minimizing the norm of a block that would pass through zero (*kind = 2, *which = the block).
 * A row is outside the face when the direction moves it (|x_k'du| above 1e-10 ||x_k|| ||du||; the face's
 * rows are orthogonal to its basis up to rounding, the dependent ones skipped by the basis up to 1e-12), so
 * a row that an earlier step of the round brought to its boundary (h = 0, or a rounding below it) stops
 * the next step that would cross it, at once: the next round then takes it into the face. */
static double face_ratio(const cr_convex_work *w, const double *X, const cr_patterns *P, const double *pw,
                         const double *dir, int *kind, size_t *which)
{
    size_t n = w->n, d = w->d, p = P->p;
    double amax = 1.0, ub[64], dub[64];
    for (size_t j = 0; j < 2 * p; j++) {
        if (!w->brank[j]) continue;
        face_point(w, j, pw, ub);
        face_point(w, j, dir, dub);
        double ndu = cr_linalg_nrm2(dub, d);
        const uint64_t *mask = cr_patterns_mask(P, j % p);
        for (size_t k = 0; k < n; k++) {
            double h = 0, dh = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * ub[a], dh += X[k * d + a] * dub[a];
            double sk = cr_mask_bit(mask, k) ? 1.0 : -1.0;
            h *= sk, dh *= sk;
            if (dh < -1e-10 * w->xnorm[k] * ndu && fmax(h, 0.0) / -dh < amax) amax = fmax(h, 0.0) / -dh, *kind = 1;
        }
        double uu = 0, ud = 0, dd = 0;
        for (size_t a = 0; a < d; a++) uu += ub[a] * ub[a], ud += ub[a] * dub[a], dd += dub[a] * dub[a];
        /* min_t ||u + t du||^2 at t = -ud/dd, with residual uu - ud^2/dd */
        if (ud < 0 && dd > 0 && -ud / dd < amax && uu - ud * ud / dd <= 1e-18 * uu)
            amax = -ud / dd, *kind = 2, *which = j;
    }
    return amax;
}

/* beta sum_j ||w_j|| / beta over the polished blocks of the face coordinates wv. */
static double face_norms(const cr_convex_work *w, size_t nb, const double *wv)
{
    double s = 0;
    for (size_t j = 0; j < nb; j++)
        if (w->brank[j]) s += cr_linalg_nrm2(wv + w->boff[j], w->brank[j]);
    return s;
}

/* g += beta w_j / ||w_j|| per polished block: the gradient of the penalty. */
static void add_penalty_grad(const cr_convex_work *w, size_t nb, double beta, const double *pw, double *g)
{
    for (size_t j = 0; j < nb; j++) {
        size_t r = w->brank[j], o = w->boff[j];
        if (!r) continue;
        double nw = cr_linalg_nrm2(pw + o, r);
        for (size_t c = 0; c < r; c++) g[o + c] += beta * pw[o + c] / nw;
    }
}

/* The restricted objective at w->pw (N coordinates): returns f, writes zout = Jm w, the gradient w->pg,
 * sqrt(l''(z)) into w->hz, and *gl = the norm of the loss part of the gradient. */
static double face_eval(cr_convex_work *w, const cr_convex_run *rs, double mu, size_t N, double *zout, double *gl)
{
    const double *y = rs->y;
    size_t n = w->n, nb = 2 * rs->P->p, nm = w->nmax;
    cr_linalg_gemv(0, n, N, 1.0, w->Jm, nm, w->pw, 0.0, zout);
    double pen = face_norms(w, nb, w->pw);
    double f = cr_convex_smoothed_value(rs->loss, mu, zout, y, n) + rs->beta * pen;
    cr_convex_smoothed_grad(rs->loss, mu, zout, y, n, w->zw);
    for (size_t k = 0; k < n; k++) {
        double hk = 1.0;
        if (rs->loss == CR_LOSS_LOGISTIC) {
            double s1 = cr_sigmoid_neg(y[k] * zout[k]);
            hk = y[k] * y[k] * s1 * (1 - s1);
        } else if (rs->loss == CR_LOSS_HINGE) {
            double r = 1 - y[k] * zout[k];
            hk = r > 0 && r < mu ? y[k] * y[k] / mu : 0.0;
        }
        w->hz[k] = sqrt(hk);
    }
    cr_linalg_gemv(1, n, N, 1.0, w->Jm, nm, w->zw, 0.0, w->pg);
    *gl = cr_linalg_nrm2(w->pg, N);
    add_penalty_grad(w, nb, rs->beta, w->pw, w->pg);
    return f;
}

/* The Newton direction w->pdir = -H^{-1} g, H = J' diag(l'') J + the penalty's blocks + a ridge of 1e-13 of
 * its largest diagonal entry. -1 when the Cholesky factorization fails. */
static int face_direction(cr_convex_work *w, const cr_convex_run *rs, size_t N)
{
    size_t n = w->n, nb = 2 * rs->P->p, nm = w->nmax;
    double *H = w->H, *pw = w->pw, beta = rs->beta;
    for (size_t k = 0; k < n; k++)
        for (size_t c = 0; c < N; c++) w->Js[k * nm + c] = w->hz[k] * w->Jm[k * nm + c];
    cr_linalg_syrk(1, N, n, 1.0, w->Js, nm, 0.0, H, nm);
    double hmax = 0;
    for (size_t j = 0; j < nb; j++) {
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
    for (size_t c = 0; c < N; c++) w->pdir[c] = -w->pg[c];
    cr_linalg_potrs(N, H, nm, w->pdir);
    return 0;
}

/* Armijo backtracking from the step *alpha (the ratio test's) into w->pwt; 1 when a step is accepted. */
static int face_line_search(cr_convex_work *w, const cr_convex_run *rs, double mu, size_t N, double f, double gd,
                            double *alpha)
{
    size_t n = w->n, nb = 2 * rs->P->p;
    for (int ls = 0; ls < 30; ls++) {
        for (size_t c = 0; c < N; c++) w->pwt[c] = w->pw[c] + *alpha * w->pdir[c];
        double pent = face_norms(w, nb, w->pwt);
        cr_linalg_gemv(0, n, N, 1.0, w->Jm, w->nmax, w->pwt, 0.0, w->zw);
        double ft = cr_convex_smoothed_value(rs->loss, mu, w->zw, rs->y, n) + rs->beta * pent;
        if (ft <= f + 1e-4 * *alpha * gd + 1e-15 * fabs(f)) return 1;
        *alpha *= 0.5;
    }
    return 0;
}

/* Newton on one face (N coordinates in w->pw) until the gradient vanishes, a step fails, or the ratio test
 * blocks a full step (*blocked = 1; *jzero = the block whose norm reached its minimum, else (size_t)-1).
 * *total counts the steps over all rounds. -1 on a breakdown (factorization, d > 64). */
static int face_newton(cr_convex_work *w, cr_convex_run *rs, double mu, size_t N, double *zout, int *blocked,
                       size_t *jzero, int *total)
{
    for (int it = 0; it < 40; it++, (*total)++) {
        double gl, f = face_eval(w, rs, mu, N, zout, &gl);
        double gn = cr_linalg_nrm2(w->pg, N);
        if (gn <= 1e-15 * (gl + rs->beta * sqrt((double)N))) break;
        if (face_direction(w, rs, N) != 0) return -1;
        double gd = 0;
        for (size_t c = 0; c < N; c++) gd += w->pg[c] * w->pdir[c];
        if (!(gd < 0)) break;
        /* Ratio test: the largest step keeping every non-tight cone constraint; a block whose norm
         * would pass through zero is dropped at the step that minimizes it. */
        if (w->d > 64) return -1;
        int kind = 0;
        double amax = face_ratio(w, rs->X, rs->P, w->pw, w->pdir, &kind, jzero);
        if (kind != 2) *jzero = (size_t)-1;
        double alpha = amax;
        int ok = face_line_search(w, rs, mu, N, f, gd, &alpha);
#ifdef CR_CONVEX_DEBUG
        fprintf(stderr, "    pn it=%d f=%.17g gn=%.3g ok=%d alpha=%g amax=%g\n", it, f, gn, ok, alpha, amax);
#endif
        if (!ok) break;
        memcpy(w->pw, w->pwt, N * sizeof *w->pw);
        rs->newton++;
        if (alpha == amax && amax < 1.0) {
            *blocked = 1;
            break;
        }
    }
    return 0;
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
int cr_convex_polish(cr_convex_work *w, cr_convex_run *rs, const double *x0, double *xout, double *zout,
                     double mu_target)
{
    double mu = rs->loss == CR_LOSS_HINGE ? fmax(mu_target, 1e-3) : 0.0;
    size_t d = w->d, p = rs->P->p;
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
        if (face_newton(w, rs, mu, N, zout, &blocked, &jzero, &total) != 0) return -1;
        /* back to the full space */
        memset(xout, 0, 2 * p * d * sizeof *xout);
        for (size_t j = 0; j < 2 * p; j++)
            if (w->brank[j]) face_point(w, j, w->pw, xout + j * d);
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
    cr_convex_forward(w, rs->X, p, xout, zout);
    return 0;
}

#ifdef CR_CONVEX_DEBUG
#define DBGH(c) fprintf(stderr, "  hinge_polish fails at %d\n", c)
#else
#define DBGH(c) ((void)0)
#endif

/* The KKT residual at (w->pw, lam) into w->pg (N + nT entries): r1 = c + beta what + A'lam, r2 = A w - 1,
 * c = -sum_{k in V} y_k J_k; zout = Jm w. Returns its norm. */
static double hinge_residual(cr_convex_work *w, const cr_convex_run *rs, size_t N, size_t nT, const double *lam,
                             double *zout)
{
    const double *y = rs->y, *Jm = w->Jm;
    size_t n = w->n, nm = w->nmax;
    double *rhs = w->pg;
    cr_linalg_gemv(0, n, N, 1.0, Jm, nm, w->pw, 0.0, zout);
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
    add_penalty_grad(w, 2 * rs->P->p, rs->beta, w->pw, rhs);
    return cr_linalg_nrm2(rhs, N + nT);
}

/* The KKT matrix [beta Hn, A'; A, 0] into w->H, column-major for LAPACK (it is symmetric: row-major is the
 * same), with a tiny quasi-definite regularization: it keeps the system solvable where the radial directions
 * of some blocks are not pinned by the margin constraints; Newton then corrects the residual. */
static void hinge_kkt(cr_convex_work *w, const cr_convex_run *rs, size_t N, size_t nT)
{
    const double *y = rs->y, *pw = w->pw;
    size_t nm = w->nmax, KK = N + nT;
    double *K = w->H, beta = rs->beta;
    for (size_t a = 0; a < KK; a++)
        for (size_t b = 0; b < KK; b++) K[a * nm + b] = 0;
    for (size_t j = 0; j < 2 * rs->P->p; j++) {
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
            double e = y[k] * w->Jm[k * nm + c];
            K[(N + q) * nm + c] = e;
            K[c * nm + N + q] = e;
        }
    }
    double hmx = 0;
    for (size_t c = 0; c < N; c++) hmx = fmax(hmx, K[c * nm + c]);
    for (size_t c = 0; c < N; c++) K[c * nm + c] += 1e-10 * hmx;
    for (size_t q = 0; q < nT; q++) K[(N + q) * nm + N + q] -= 1e-12;
}

/* The Newton step for the residual in w->pg (overwritten by the step), cut by the ratio test (cones, margins
 * of V and S, block norms) and applied to w->pw and lam. *amax: the step taken; *kind, *which: what stopped a
 * step below 1 (2: block `which` reached its minimum norm, 3: sample `which` reached the margin). -1 on a
 * breakdown. */
static int hinge_step(cr_convex_work *w, const cr_convex_run *rs, size_t N, size_t nT, double *lam,
                      const double *zout, double *amax, int *kind, size_t *which)
{
    const double *y = rs->y;
    size_t n = w->n, KK = N + nT;
    double *rhs = w->pg;
    for (size_t c = 0; c < KK; c++) rhs[c] = -rhs[c];
    if (cr_linalg_gesv(KK, w->H, w->nmax, w->ipiv, rhs) != 0) { DBGH(3); return -1; }
    for (size_t c = 0; c < KK; c++)
        if (!isfinite(rhs[c])) { DBGH(4); return -1; }
    if (w->d > 64) { DBGH(5); return -1; }
    *amax = face_ratio(w, rs->X, rs->P, w->pw, rhs, kind, which);
    cr_linalg_gemv(0, n, N, 1.0, w->Jm, w->nmax, rhs, 0.0, w->zw);
    for (size_t k = 0; k < n; k++) {
        if (w->part[k] == 0) continue;
        double t = y[k] * zout[k] - 1, dt = y[k] * w->zw[k];
        /* V: t < 0 must stay <= 0; S: t > 0 must stay >= 0 */
        if (t * dt < 0 && -t / dt < *amax) *amax = -t / dt, *kind = 3, *which = k;
    }
    for (size_t c = 0; c < N; c++) w->pw[c] += *amax * rhs[c];
    for (size_t q = 0; q < nT; q++) lam[q] += *amax * rhs[N + q];
    return 0;
}

/* Newton on the KKT system of one partition until the residual vanishes or a step is cut (*event = its
 * kind, *which as in hinge_step; a sample reaching the margin joins T). -1 on a breakdown. */
static int hinge_newton(cr_convex_work *w, cr_convex_run *rs, size_t N, size_t nT, double *lam, double *zout,
                        int *event, size_t *which, int *total)
{
    for (int it = 0; it < 50; it++, (*total)++) {
        double rn = hinge_residual(w, rs, N, nT, lam, zout);
        if (rn <= 1e-14 * (1 + rs->beta * sqrt((double)N))) break;
        hinge_kkt(w, rs, N, nT);
        int kind = 0;
        double amax;
        if (hinge_step(w, rs, N, nT, lam, zout, &amax, &kind, which) != 0) return -1;
        rs->newton++;
        if (amax < 1.0) {
            *event = kind;
            if (kind == 3) w->part[*which] = 0;
            break;
        }
    }
    return 0;
}

/* Converged on a partition: the dual candidate w->vpol from the multipliers, and a sample of T whose
 * multiplier is outside [-1, 0] moves to V or S. Returns 1 when one moved. */
static int hinge_multipliers(cr_convex_work *w, const double *y, size_t nT, const double *lam)
{
    int moved = 0;
    for (size_t q = 0; q < nT; q++) {
        size_t k = w->tk[q];
        if (lam[q] > 1e-12) w->part[k] = 1, moved = 1;
        else if (lam[q] < -1 - 1e-12) w->part[k] = -1, moved = 1;
    }
    for (size_t k = 0; k < w->n; k++) w->vpol[k] = w->part[k] < 0 ? -y[k] : 0.0;
    for (size_t q = 0; q < nT; q++) w->vpol[w->tk[q]] = y[w->tk[q]] * fmin(0.0, fmax(-1.0, lam[q]));
    return moved;
}

/* Hinge polish: the hinge problem is polyhedral in the loss, so its solutions are vertex-like and neither
 * SSNAL (rounding floor) nor smoothing (ill-conditioned) reaches rounding-level accuracy. Fix the support,
 * the faces (as in cr_convex_polish) and a partition of the samples by margin t_k = y_k z_k: below (V), at
 * (T, within delta of 1) or above (S) the kink t = 1, and solve the equality-constrained problem
 *     min_w  sum_{k in V} (1 - y_k J_k w) + beta sum_j ||w_j||   s.t.  y_k J_k w = 1, k in T
 * by Newton on its KKT system [beta Hn, A'; A, 0] (Hn = blockdiag (I - what what')/||w_j||, A = rows
 * y_k J_k, k in T; LU by cr_linalg_gesv), with a ratio test that moves a sample whose margin reaches 1 into
 * T and keeps the cones. The multipliers give the dual candidate v_k = -y_k (V), lambda_k y_k (T), 0 (S),
 * written to vout; a multiplier outside [-1, 0] moves its sample to V or S (an active-set step). The
 * certificate decides. Returns 0, or -1 when the face is too large or degenerate or Newton broke down. */
int cr_convex_hinge_polish(cr_convex_work *w, cr_convex_run *rs, const double *x0, double *xout, double *zout,
                           double *vout, double delta)
{
    const double *y = rs->y;
    size_t n = w->n, d = w->d, p = rs->P->p;
    memcpy(xout, x0, 2 * p * d * sizeof *xout);
    cr_convex_forward(w, rs->X, p, xout, zout);
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
        if (N + nT > w->nmax) { DBGH(2); return -1; }
        double *lam = w->pdir; /* multipliers, nT of them, kept across Newton steps */
        for (size_t c = 0; c < nT; c++) lam[c] = -0.5;
        int event = 0;
        size_t which = 0;
        if (hinge_newton(w, rs, N, nT, lam, zout, &event, &which, &total) != 0) return -1;
        for (size_t j = 0; j < 2 * p; j++)
            if (w->brank[j]) face_point(w, j, w->pw, xout + j * d);
        if (event == 2) memset(xout + which * d, 0, d * sizeof *xout);
        if (event) continue;
        if (!hinge_multipliers(w, y, nT, lam)) break;
    }
    cr_convex_forward(w, rs->X, p, xout, zout);
    memcpy(vout, w->vpol, n * sizeof *vout);
    return 0;
}
