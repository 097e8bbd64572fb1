/* The interior-point method of the max-margin program (see maxmargin.h, cr_mm_solve): the cone operators,
 * Nesterov-Todd scaling, the structured KKT factorization (block factors, a Woodbury Schur complement and a
 * dense part for the blocks near the cone boundary) and its solve with iterative refinement, and the
 * homogeneous self-dual predictor-corrector loop whose iterates are certified by cr_mm_certify. The large
 * products and the guarded Cholesky factorizations go through linalg.h (the same at any BLAS thread count). */
#include "maxmargin_impl.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dualnorm.h"
#include "linalg.h"

#ifdef CR_MM_TRACE
#include <stdio.h>
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

/* ================================================================== operators */


/* out = G x (L values). */
static void apply_G(const cr_mm_work *w, const double *x, double *out)
{
    size_t n = w->n;
    for (size_t i = 0; i < n; i++) out[i] = 0.0;
    for (size_t b = 0; b < w->B; b++) {
        size_t k = w->bk[b], q = w->kq[k], r = w->kr[k];
        const double *v = x + w->xoff[b] + 1, *Lk = w->kL + k * n * w->d, *C = w->kC + k * n * w->d;
        double sg = (double)w->bs[b];
        const size_t *on = w->kon + k * n;
        for (size_t a = 0; a < w->kcnt[k]; a++) {
            double t = 0.0;
            for (size_t c = 0; c < q; c++) t += Lk[a * q + c] * v[c];
            out[on[a]] -= sg * t;
        }
        double *oc = out + w->coff[b];
        for (size_t l = 0; l < r; l++) {
            double t = 0.0;
            for (size_t c = 0; c < q; c++) t += C[l * q + c] * v[c];
            oc[l] = -t;
        }
        double *oq = out + w->qoff[b];
        const double *xb = x + w->xoff[b];
        for (size_t e = 0; e <= q; e++) oq[e] = -xb[e];
    }
}

/* out = G' z (N values). */
static void apply_Gt(const cr_mm_work *w, const double *z, double *out)
{
    size_t n = w->n;
    for (size_t b = 0; b < w->B; b++) {
        size_t k = w->bk[b], q = w->kq[k], r = w->kr[k];
        const double *Lk = w->kL + k * n * w->d, *C = w->kC + k * n * w->d, *zc = z + w->coff[b],
                     *zq = z + w->qoff[b];
        double sg = (double)w->bs[b], *ob = out + w->xoff[b];
        ob[0] = -zq[0];
        for (size_t c = 0; c < q; c++) ob[1 + c] = -zq[1 + c];
        const size_t *on = w->kon + k * n;
        for (size_t a = 0; a < w->kcnt[k]; a++) {
            double zi = sg * z[on[a]];
            for (size_t c = 0; c < q; c++) ob[1 + c] -= Lk[a * q + c] * zi;
        }
        for (size_t l = 0; l < r; l++)
            for (size_t c = 0; c < q; c++) ob[1 + c] -= C[l * q + c] * zc[l];
    }
}

/* Nesterov-Todd scaling W (symmetric), in cvxopt's convention W z = W^{-1} s = lam: on the orthant
 * W = diag(wl), wl = sqrt(s / z); on a second-order cone block, with wb'J wb = 1,
 *     W = beta [wb0, wb1'; wb1, I + wb1 wb1' / (1 + wb0)],  W^{-1} = [wb0, -wb1'; -wb1, I + wb1 wb1' / (1 + wb0)] / beta
 * (Vandenberghe 2010, sec. 4). */
static void soc_apply(const double *wb, double be, size_t m, const double *v, double *out, int inverse)
{
    double t = cr_linalg_dot(wb + 1, v + 1, m - 1), sg = inverse ? -1.0 : 1.0, f = inverse ? 1.0 / be : be;
    double c = sg * v[0] + t / (1.0 + wb[0]);
    double o0 = wb[0] * v[0] + sg * t;
    for (size_t e = 1; e < m; e++) out[e] = f * (v[e] + c * wb[e]);
    out[0] = f * o0;
}

static void scale_apply(const cr_mm_work *w, const double *v, double *out, int inverse)
{
    for (size_t i = 0; i < w->nl; i++) out[i] = inverse ? v[i] / w->wl[i] : v[i] * w->wl[i];
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], m = 1 + w->kq[w->bk[b]];
        soc_apply(w->wl + o, w->beta[b], m, v + o, out + o, inverse);
    }
}

/* Jordan product out = a o b and its inverse out = a \ b (a o out = b). */
static void jordan_prod(const cr_mm_work *w, const double *a, const double *b, double *out)
{
    for (size_t i = 0; i < w->nl; i++) out[i] = a[i] * b[i];
    for (size_t k = 0; k < w->B; k++) {
        size_t o = w->qoff[k], m = 1 + w->kq[w->bk[k]];
        const double *ab = a + o, *bb = b + o;
        double *ob = out + o, t = cr_linalg_dot(ab, bb, m);
        for (size_t e = 1; e < m; e++) ob[e] = ab[0] * bb[e] + bb[0] * ab[e];
        ob[0] = t;
    }
}

static void jordan_div(const cr_mm_work *w, const double *a, const double *b, double *out)
{
    for (size_t i = 0; i < w->nl; i++) out[i] = b[i] / a[i];
    for (size_t k = 0; k < w->B; k++) {
        size_t o = w->qoff[k], m = 1 + w->kq[w->bk[k]];
        const double *ab = a + o, *bb = b + o;
        double *ob = out + o;
        double a1n = cr_linalg_nrm2(ab + 1, m - 1), det = (ab[0] - a1n) * (ab[0] + a1n);
        double x0 = (ab[0] * bb[0] - cr_linalg_dot(ab + 1, bb + 1, m - 1)) / det;
        for (size_t e = 1; e < m; e++) ob[e] = (bb[e] - x0 * ab[e]) / ab[0];
        ob[0] = x0;
    }
}

/* Largest eigenvalue-style violation: -min over cones of (orthant entries, x0 - ||x1||). */
static double min_eig(const cr_mm_work *w, const double *v)
{
    double m = INFINITY;
    for (size_t i = 0; i < w->nl; i++)
        if (v[i] < m) m = v[i];
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], q = w->kq[w->bk[b]];
        double t = v[o] - cr_linalg_nrm2(v + o + 1, q);
        if (t < m) m = t;
    }
    return m;
}

static void add_identity(const cr_mm_work *w, double *v, double a)
{
    for (size_t i = 0; i < w->nl; i++) v[i] += a;
    for (size_t b = 0; b < w->B; b++) v[w->qoff[b]] += a;
}

/* Largest alpha in [0, amax] with v + alpha d in the cone (v interior). */
static double max_step(const cr_mm_work *w, const double *v, const double *d, double amax)
{
    double a = amax;
    for (size_t i = 0; i < w->nl; i++)
        if (d[i] < 0) {
            double t = -v[i] / d[i];
            if (t < a) a = t;
        }
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], m = 1 + w->kq[w->bk[b]];
        const double *vb = v + o, *db = d + o;
        double v1 = cr_linalg_nrm2(vb + 1, m - 1), d1 = cr_linalg_nrm2(db + 1, m - 1);
        /* f(t) = (v0 + t d0)^2 - ||v1 + t d1||^2 = A t^2 + Bq t + Cq, Cq > 0; first positive root. */
        double A = (db[0] - d1) * (db[0] + d1), Bq = 2.0 * (vb[0] * db[0] - cr_linalg_dot(vb + 1, db + 1, m - 1)),
               Cq = (vb[0] - v1) * (vb[0] + v1), t = INFINITY;
        if (A == 0.0) {
            if (Bq < 0) t = -Cq / Bq;
        } else {
            double disc = Bq * Bq - 4.0 * A * Cq;
            if (disc >= 0) {
                double qq = -0.5 * (Bq + copysign(sqrt(disc), Bq));
                double r1 = qq != 0.0 ? qq / A : INFINITY, r2 = qq != 0.0 ? Cq / qq : INFINITY;
                if (r1 > 0 && r1 < t) t = r1;
                if (r2 > 0 && r2 < t) t = r2;
            }
        }
        if (t < a) a = t;
    }
    return a;
}

/* Scaling at (s, z): wl, beta, lam = W s = W^{-1} z. Returns -1 if a point left the cone interior. */
static int compute_scaling(cr_mm_work *w)
{
    const double *s = w->s, *z = w->z;
    for (size_t i = 0; i < w->nl; i++) {
        if (!(s[i] > 0) || !(z[i] > 0)) return -1;
        w->wl[i] = sqrt(s[i] / z[i]);
        w->lam[i] = sqrt(s[i] * z[i]);
    }
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], m = 1 + w->kq[w->bk[b]];
        const double *sb = s + o, *zb = z + o;
        double s1 = cr_linalg_nrm2(sb + 1, m - 1), z1 = cr_linalg_nrm2(zb + 1, m - 1);
        double sJs = (sb[0] - s1) * (sb[0] + s1), zJz = (zb[0] - z1) * (zb[0] + z1);
        if (!(sb[0] > s1) || !(zb[0] > z1) || !(sJs > 0) || !(zJz > 0)) return -1;
        double sn = sqrt(sJs), zn = sqrt(zJz);
        double sz = cr_linalg_dot(sb, zb, m) / (sn * zn);
        double gam = sqrt(0.5 * (1.0 + sz));
        double *wb = w->wl + o;
        wb[0] = (sb[0] / sn + zb[0] / zn) / (2.0 * gam);
        for (size_t e = 1; e < m; e++) wb[e] = (sb[e] / sn - zb[e] / zn) / (2.0 * gam);
        w->beta[b] = sqrt(sn / zn);
    }
    /* lam = W z on the cone blocks (the orthant part is set above). */
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], m = 1 + w->kq[w->bk[b]];
        soc_apply(w->wl + o, w->beta[b], m, z + o, w->lam + o, 0);
    }
    return 0;
}

static void identity_scaling(cr_mm_work *w)
{
    for (size_t i = 0; i < w->nl; i++) w->wl[i] = 1.0;
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], m = 1 + w->kq[w->bk[b]];
        w->wl[o] = 1.0;
        for (size_t e = 1; e < m; e++) w->wl[o + e] = 0.0;
        w->beta[b] = 1.0;
    }
}

/* Reorders v[0..len) so that its k largest scores come first (Hoare's quickselect, in place, no allocation).
 * Invariant: v[0..lo) >= v[lo..hi) >= v[hi..len). */
static void select_largest(struct score_idx *v, size_t len, size_t k)
{
    size_t lo = 0, hi = len;
    while (hi - lo > 1) {
        double piv = v[lo + (hi - lo) / 2].score;
        size_t i = lo, j = hi - 1;
        while (i <= j) {
            while (v[i].score > piv) i++;
            while (v[j].score < piv) j--;
            if (i <= j) {
                struct score_idx t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* v[lo..j] >= piv, v(j..i) == piv, v[i..hi) <= piv. */
        if (k <= j + 1 && j + 1 > lo)
            hi = j + 1;
        else if (k >= i)
            lo = i;
        else
            break;
    }
}

/* The dense set A: the blocks with ||W_b||^2 = beta^2 (wb0 + ||wb1||)^2 above the threshold (only those have a
 * Bd^{-1} far above the cost scale), the capA largest if there are more; all when B <= capA. Sets apos (offsets
 * in the dense part, in block order: cache-friendlier than score order), nblkA and NA. */
static void choose_dense(cr_mm_work *w, double dense_threshold)
{
    size_t nA = 0;
    for (size_t b = 0; b < w->B; b++) {
        size_t o = w->qoff[b], q = w->kq[w->bk[b]];
        double lm = w->beta[b] * (w->wl[o] + cr_linalg_nrm2(w->wl + o + 1, q));
        w->apos[b] = SIZE_MAX;
        if (w->B <= w->capA || lm * lm >= dense_threshold) {
            w->order[nA].score = lm * lm;
            w->order[nA].b = b;
            nA++;
        }
    }
    if (nA > w->capA) {
        select_largest(w->order, nA, w->capA);
        nA = w->capA;
    }
    for (size_t a = 0; a < nA; a++) w->apos[w->order[a].b] = 0;
    size_t NA = 0;
    for (size_t b = 0; b < w->B; b++)
        if (w->apos[b] != SIZE_MAX) {
            w->apos[b] = NA;
            NA += 1 + w->kq[w->bk[b]];
        }
    w->nblkA = nA;
    w->NA = NA;
}

/* An eliminated block b: the (guarded, linalg.h) Cholesky factor of T_b = I + W Ct' Omega Ct W into Bf and
 * R_b = T_b^{-1/2} W M_b' (column i of M_b' = (0, sigma L_k[i, :]), 0 off the rows of D) into its rows of R.
 * -1 if the factorization fails. */
static int factor_block(cr_mm_work *w, size_t b)
{
    size_t n = w->n, d = w->d, D1 = d + 1;
    size_t k = w->bk[b], q = w->kq[k], m = 1 + q, r = w->kr[k];
    double *F = w->Bf + b * D1 * D1, *Rb = w->R + w->xoff[b] * n;
    const double *wb = w->wl + w->qoff[b];
    double be = w->beta[b], ct[64], wc[64];
    for (size_t i = 0; i < m * m; i++) F[i] = 0.0;
    for (size_t i = 0; i < m; i++) F[i * m + i] = 1.0;
    const double *C = w->kC + k * n * d, *wlc = w->wl + w->coff[b];
    for (size_t l = 0; l < r; l++) {
        ct[0] = 0.0;
        for (size_t c = 0; c < q; c++) ct[1 + c] = C[l * q + c] / wlc[l];
        soc_apply(wb, be, m, ct, wc, 0);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j <= i; j++) F[i * m + j] += wc[i] * wc[j];
    }
    if (cr_linalg_chol_guarded(F, m)) return -1;
    const double *Lk = w->kL + k * n * d;
    const size_t *on = w->kon + k * n;
    double sg = (double)w->bs[b];
    memset(Rb, 0, m * n * sizeof *Rb);
    for (size_t a = 0; a < w->kcnt[k]; a++) {
        ct[0] = 0.0;
        for (size_t c = 0; c < q; c++) ct[1 + c] = sg * Lk[a * q + c];
        soc_apply(wb, be, m, ct, wc, 0);
        cr_linalg_chol_lower_solve(F, m, wc);
        for (size_t e = 0; e < m; e++) Rb[e * n + on[a]] = wc[e];
    }
    return 0;
}

/* The dense part: M_A (n x NA), Y_A = S_E^{-1} M_A and the Cholesky factor of
 * H_A = M_A' Y_A + blkdiag(W^{-2} + Ct' Omega Ct). -1 if the factorization fails. */
static int factor_dense(cr_mm_work *w)
{
    size_t n = w->n, d = w->d, NA = w->NA;
    memset(w->MA, 0, n * NA * sizeof *w->MA);
    for (size_t b = 0; b < w->B; b++) {
        if (w->apos[b] == SIZE_MAX) continue;
        size_t k = w->bk[b], q = w->kq[k], a0 = w->apos[b];
        const double *Lk = w->kL + k * n * d;
        double sg = (double)w->bs[b];
        const size_t *on = w->kon + k * n;
        for (size_t a = 0; a < w->kcnt[k]; a++)
            for (size_t c = 0; c < q; c++) w->MA[on[a] * NA + a0 + 1 + c] = sg * Lk[a * q + c];
    }
    for (size_t j = 0; j < NA; j++) {
        for (size_t i = 0; i < n; i++) w->tn[i] = w->MA[i * NA + j];
        cr_linalg_chol_solve(w->S, n, w->tn);
        for (size_t i = 0; i < n; i++) w->YA[i * NA + j] = w->tn[i];
    }
    cr_linalg_gemm(1, 0, NA, NA, n, 1.0, w->MA, NA, w->YA, NA, 0.0, w->HA, NA);
    for (size_t b = 0; b < w->B; b++) {
        if (w->apos[b] == SIZE_MAX) continue;
        size_t k = w->bk[b], q = w->kq[k], m = 1 + q, r = w->kr[k], a0 = w->apos[b];
        const double *wb = w->wl + w->qoff[b];
        double e1[64], c1[64], c2[64];
        for (size_t j = 0; j < m; j++) {
            for (size_t i = 0; i < m; i++) e1[i] = i == j;
            soc_apply(wb, w->beta[b], m, e1, c1, 1);
            soc_apply(wb, w->beta[b], m, c1, c2, 1);
            for (size_t i = 0; i < m; i++) w->HA[(a0 + i) * NA + a0 + j] += c2[i];
        }
        const double *C = w->kC + k * n * d, *wlc = w->wl + w->coff[b];
        for (size_t l = 0; l < r; l++) {
            double om = 1.0 / (wlc[l] * wlc[l]);
            const double *cl = C + l * q;
            for (size_t i = 0; i < q; i++)
                for (size_t j = 0; j < q; j++) w->HA[(a0 + 1 + i) * NA + a0 + 1 + j] += om * cl[i] * cl[j];
        }
    }
    for (size_t i = 0; i < NA; i++)
        for (size_t j = i + 1; j < NA; j++) {
            double t = 0.5 * (w->HA[i * NA + j] + w->HA[j * NA + i]);
            w->HA[i * NA + j] = w->HA[j * NA + i] = t;
        }
    return cr_linalg_chol_guarded(w->HA, NA);
}

/* Factors H = G' W^{-2} G = Bd + M' Delta M (Bd block diagonal: second-order scaling plus the cone rows of each
 * block; M the margin rows, n x N; Delta = W^{-2} on the margins) for the solves of kkt_solve_once.
 * Woodbury with the n x n Schur complement S = Delta^{-1} + M Bd^{-1} M' costs O(N n^2), but near the optimum
 * a block on the cone boundary has Bd_b^{-1} ~ 1/mu along its ray while H^{-1} is O(1) there, and
 * x = Bd^{-1} r - Bd^{-1} M' S^{-1} M Bd^{-1} r cancels catastrophically. So the capA blocks with the largest
 * ||W_b||^2 (an upper bound on ||Bd_b^{-1}||) among those above dense_threshold (10 max(1, cost): at the
 * optimum the blocks on the boundary have ||W_b||^2 ~ 1/mu, the others ~ mu) form a set A kept dense, and only
 * the others (E) are eliminated:
 *     S_E = Delta^{-1} + M_E Bd_E^{-1} M_E',   H_A = Bd_A + M_A' S_E^{-1} M_A   (Cholesky both),
 * the normal equations on A as in cvxopt's 'chol' solver. With B <= capA, H is factored densely outright.
 * Eliminated blocks use Bd_b = W^{-1} T_b W^{-1}, T_b = I + W Ct' Omega Ct W (eigenvalues >= 1), so W^{-2}
 * (whose small eigenvalue rounding would erase) is never formed for them. */
static int kkt_factor(cr_mm_work *w, double dense_threshold)
{
    size_t n = w->n;
    choose_dense(w, dense_threshold);
    for (size_t b = 0; b < w->B; b++) {
        if (w->apos[b] != SIZE_MAX) {
            memset(w->R + w->xoff[b] * n, 0, (1 + w->kq[w->bk[b]]) * n * sizeof *w->R);
            continue;
        }
        if (factor_block(w, b)) return -1;
    }
    /* S_E = Delta^{-1} + R'R: R is N x n row-major, so S (row-major, upper) = R' R. */
    memset(w->S, 0, n * n * sizeof *w->S);
    for (size_t i = 0; i < n; i++) w->S[i * n + i] = w->wl[i] * w->wl[i];
    if (w->nblkA < w->B) cr_linalg_syrk(1, n, w->N, 1.0, w->R, n, 1.0, w->S, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) w->S[j * n + i] = w->S[i * n + j];
    if (cr_linalg_chol_guarded(w->S, n)) return -1;
    return w->NA == 0 ? 0 : factor_dense(w);
}

/* v <- Bd_b^{-1} v = W T_b^{-1} W v (m values). */
static void block_solve(const cr_mm_work *w, size_t b, size_t m, double *v)
{
    size_t D1 = w->d + 1, o = w->qoff[b];
    double t[64];
    soc_apply(w->wl + o, w->beta[b], m, v, t, 0);
    cr_linalg_chol_solve(w->Bf + b * D1 * D1, m, t);
    soc_apply(w->wl + o, w->beta[b], m, t, v, 0);
}

/* One solve of [0 G'; G -W^2] [ox; oz] = [bx; bz]: H ox = bx + G' W^{-2} bz (Woodbury), oz = W^{-2}(G ox - bz). */
static void kkt_solve_once(cr_mm_work *w, const double *bx, const double *bz, double *ox, double *oz)
{
    size_t n = w->n, NA = w->NA;
    scale_apply(w, bz, w->tl2, 1);
    scale_apply(w, w->tl2, w->tl, 1);
    apply_Gt(w, w->tl, ox);
    for (size_t j = 0; j < w->N; j++) ox[j] += bx[j];
    /* y_E = Bd_E^{-1} r_E in place, t = M_E y_E. */
    for (size_t i = 0; i < n; i++) w->tn[i] = 0.0;
    for (size_t b = 0; b < w->B; b++) {
        if (w->apos[b] != SIZE_MAX) continue;
        size_t k = w->bk[b], q = w->kq[k], m = 1 + q;
        double *yb = ox + w->xoff[b];
        block_solve(w, b, m, yb);
        const double *Lk = w->kL + k * n * w->d;
        double sg = (double)w->bs[b];
        const size_t *on = w->kon + k * n;
        for (size_t a = 0; a < w->kcnt[k]; a++) {
            double t = 0.0;
            for (size_t c = 0; c < q; c++) t += Lk[a * q + c] * yb[1 + c];
            w->tn[on[a]] += sg * t;
        }
    }
    /* u = S_E^{-1} t; x_A = H_A^{-1} (r_A - M_A' u); zeta = u + Y_A x_A. */
    cr_linalg_chol_solve(w->S, n, w->tn);
    if (NA > 0) {
        for (size_t b = 0; b < w->B; b++) {
            if (w->apos[b] == SIZE_MAX) continue;
            size_t m = 1 + w->kq[w->bk[b]];
            memcpy(w->xa + w->apos[b], ox + w->xoff[b], m * sizeof *w->xa);
        }
        for (size_t i = 0; i < n; i++) {
            double ui = w->tn[i];
            if (ui == 0.0) continue;
            for (size_t j = 0; j < NA; j++) w->xa[j] -= w->MA[i * NA + j] * ui;
        }
        cr_linalg_chol_solve(w->HA, NA, w->xa);
        for (size_t i = 0; i < n; i++) w->tn[i] += cr_linalg_dot(w->YA + i * NA, w->xa, NA);
    }
    /* x_E = y_E - Bd_E^{-1} M_E' zeta. */
    for (size_t b = 0; b < w->B; b++) {
        size_t k = w->bk[b], q = w->kq[k], m = 1 + q;
        double *xb = ox + w->xoff[b];
        if (w->apos[b] != SIZE_MAX) {
            memcpy(xb, w->xa + w->apos[b], m * sizeof *xb);
            continue;
        }
        const double *Lk = w->kL + k * n * w->d;
        const size_t *on = w->kon + k * n;
        double sg = (double)w->bs[b], g[64];
        g[0] = 0.0;
        for (size_t c = 0; c < q; c++) {
            double t = 0.0;
            for (size_t a = 0; a < w->kcnt[k]; a++) t += Lk[a * q + c] * w->tn[on[a]];
            g[1 + c] = sg * t;
        }
        block_solve(w, b, m, g);
        for (size_t e = 0; e < m; e++) xb[e] -= g[e];
    }
    apply_G(w, ox, w->tl);
    for (size_t i = 0; i < w->L; i++) w->tl[i] -= bz[i];
    scale_apply(w, w->tl, w->tl2, 1);
    scale_apply(w, w->tl2, oz, 1);
}


/* The solve with iterative refinement on the full system: corrections are added while they reduce the
 * residual (up to 6; a correction that makes it larger is taken back), until it is below 1e-11 relative.
 * Degenerate programs near their optimum need several. The inputs may not alias the scratch vectors ex, ez,
 * rfx, rfz, rfw, rfc, tl, tl2. */
static void kkt_solve(cr_mm_work *w, const double *bx, const double *bz, double *ox, double *oz)
{
    kkt_solve_once(w, bx, bz, ox, oz);
    double prev = INFINITY;
    for (int it = 0; it < 7; it++) {
        apply_Gt(w, oz, w->ex);
        for (size_t j = 0; j < w->N; j++) w->ex[j] = bx[j] - w->ex[j];
        apply_G(w, ox, w->ez);
        scale_apply(w, oz, w->rfw, 0);
        scale_apply(w, w->rfw, w->rfz, 0);
        double en = 0.0, bn = 0.0;
        for (size_t i = 0; i < w->L; i++) {
            w->ez[i] = bz[i] - w->ez[i] + w->rfz[i];
            en += w->ez[i] * w->ez[i];
            bn += bz[i] * bz[i];
        }
        for (size_t j = 0; j < w->N; j++) {
            en += w->ex[j] * w->ex[j];
            bn += bx[j] * bx[j];
        }
        if (it > 0 && !(en < prev)) {
            /* The last correction did not help: take it back (rfx, rfz still hold it). */
            for (size_t j = 0; j < w->N; j++) ox[j] -= w->rfx[j];
            for (size_t i = 0; i < w->L; i++) oz[i] -= w->rfc[i];
            break;
        }
        if (!(en > 1e-22 * bn) || it == 6) break;
        prev = en;
        kkt_solve_once(w, w->ex, w->ez, w->rfx, w->rfc);
        for (size_t j = 0; j < w->N; j++) ox[j] += w->rfx[j];
        for (size_t i = 0; i < w->L; i++) oz[i] += w->rfc[i];
    }
}

/* ================================================================== the iteration */

/* Candidate point from the iterate (x / tau, z / tau) into Uc, Upc, lamc (original scale). */
static void iterate_to_candidate(cr_mm_work *w, const double *y, size_t p, double tau)
{
    size_t n = w->n, d = w->d;
    memset(w->Uc, 0, p * d * sizeof *w->Uc);
    memset(w->Upc, 0, p * d * sizeof *w->Upc);
    for (size_t b = 0; b < w->B; b++) {
        size_t k = w->bk[b], q = w->kq[k];
        const double *V = w->kV + k * d * d, *v = w->x + w->xoff[b] + 1;
        double *u = (w->bs[b] > 0 ? w->Uc : w->Upc) + w->kpat[k] * d;
        for (size_t r = 0; r < d; r++) {
            double t = 0.0;
            for (size_t c = 0; c < q; c++) t += V[r * d + c] * v[c];
            u[r] = t / tau / w->xscale;
        }
    }
    for (size_t i = 0; i < n; i++) w->lamc[i] = y[i] * w->z[i] / tau;
}

/* Certifies the candidate and keeps it in (U, Up, lambda) when its relative gap is the best so far. */
static int certify_candidate(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double *U,
                             double *Up, double *lambda, cr_mm_ipm_result *res, cr_err *err)
{
    size_t n = w->n, d = w->d, p = P->p;
    double ub, lb;
    int st = cr_mm_certify(w, X, y, n, d, P, w->Uc, w->Upc, w->lamc, &ub, &lb, err);
    if (st) return st;
    int keep_primal = ub < (res->have_primal ? res->upper : INFINITY);
    int keep_dual = isfinite(lb) && lb > (res->have_dual ? res->lower : -INFINITY);
    if (keep_primal) {
        memcpy(U, w->Uc, p * d * sizeof *U);
        memcpy(Up, w->Upc, p * d * sizeof *Up);
        res->upper = ub;
        res->have_primal = 1;
    }
    if (keep_dual) {
        if (lambda) memcpy(lambda, w->lamc, n * sizeof *lambda);
        res->lower = lb;
        res->have_dual = 1;
    }
    if (res->have_primal && res->have_dual) {
        double lo = res->lower > res->lower_ext ? res->lower : res->lower_ext;
        res->best_rel = (res->upper - lo) / res->upper;
    }
    return CR_OK;
}

/* The state of the iteration besides the vectors in the workspace. */
typedef struct {
    double tau, kappa;        /* the embedding's scalars */
    double nh, nc;            /* sqrt(n) and sqrt(B): the scales of the primal and dual residuals */
    double rt, hz, mu;        /* kappa + c'x + h'z, h'z, and the complementarity (s'z + tau kappa) / (deg + 1) */
    double pres, dres;        /* relative primal and dual residuals */
    double pcost, relgap;     /* c'x / tau, and the gap relative to the primal or dual cost */
    double den;               /* the tau column's denominator */
    double sigma, dtau, dkap; /* centering, and the tau and kappa parts of the last direction */
    double prev_worst;        /* max(pres, dres) of the previous iterate */
    double best_merit;        /* max(pres, dres, relgap) of the best iterate (kept in xprev, zprev, tau_prev) */
    double best_seen;         /* the best certified gap at the last try that halved it */
    double tau_prev;
    int bad;                  /* the last iterate is not fit for a certificate */
    int have_prev, stale;
} ipm_state;

/* Initial point: least squares with W = I, shifted into the cone interior; tau = kappa = 1. */
static int ipm_start(cr_mm_work *w, ipm_state *s, cr_err *err)
{
    size_t n = w->n, N = w->N, L = w->L;
    identity_scaling(w);
    if (kkt_factor(w, INFINITY)) return cr_err_set(err, CR_ERUNTIME, "maxmargin: initial factorization failed");
    for (size_t j = 0; j < N; j++) w->tx[j] = 0.0;
    for (size_t i = 0; i < L; i++) w->ds[i] = i < n ? -1.0 : 0.0; /* h */
    kkt_solve(w, w->tx, w->ds, w->x, w->s);
    for (size_t i = 0; i < L; i++) w->s[i] = -w->s[i];
    for (size_t j = 0; j < N; j++) w->tx[j] = 0.0;
    for (size_t b = 0; b < w->B; b++) w->tx[w->xoff[b]] = -1.0; /* -c */
    for (size_t i = 0; i < L; i++) w->ds[i] = 0.0;
    kkt_solve(w, w->tx, w->ds, w->dx, w->z);
    double ns = cr_linalg_nrm2(w->s, L), nz = cr_linalg_nrm2(w->z, L);
    double ts = -min_eig(w, w->s), tz = -min_eig(w, w->z);
    if (ts >= -1e-8 * (ns > 1 ? ns : 1)) add_identity(w, w->s, 1.0 + ts);
    if (tz >= -1e-8 * (nz > 1 ? nz : 1)) add_identity(w, w->z, 1.0 + tz);
    memset(s, 0, sizeof *s);
    s->tau = 1.0;
    s->kappa = 1.0;
    s->nh = sqrt((double)n);
    s->nc = sqrt((double)w->B);
    s->prev_worst = INFINITY;
    s->tau_prev = 1.0;
    s->best_seen = INFINITY;
    s->best_merit = INFINITY;
    return CR_OK;
}

/* Residuals rx = G'z + c tau, rz = s + G x - h tau, rt = kappa + c'x + h'z and the measures of the iterate. */
static void ipm_measure(cr_mm_work *w, ipm_state *s, long it)
{
    size_t n = w->n, N = w->N, L = w->L;
    double tau = s->tau;
    apply_Gt(w, w->z, w->rx);
    double cx = 0.0, hz = 0.0;
    for (size_t b = 0; b < w->B; b++) {
        w->rx[w->xoff[b]] += tau;
        cx += w->x[w->xoff[b]];
    }
    apply_G(w, w->x, w->rz);
    for (size_t i = 0; i < L; i++) w->rz[i] += w->s[i] + (i < n ? tau : 0.0);
    for (size_t i = 0; i < n; i++) hz -= w->z[i];
    s->hz = hz;
    s->rt = s->kappa + cx + hz;
    double sz = cr_linalg_dot(w->s, w->z, L);
    s->mu = (sz + tau * s->kappa) / (double)(w->deg + 1);
    s->pres = cr_linalg_nrm2(w->rz, L) / tau / (s->nh > 1 ? s->nh : 1);
    s->dres = cr_linalg_nrm2(w->rx, N) / tau / (s->nc > 1 ? s->nc : 1);
    double dcost = -hz / tau, gap = sz / (tau * tau);
    s->pcost = cx / tau;
    s->relgap = s->pcost > 0 ? gap / s->pcost : INFINITY;
    if (dcost > 0 && gap / dcost < s->relgap) s->relgap = gap / dcost;
    TRACE("it %3ld pcost %.10e dcost %.10e gap %.2e pres %.2e dres %.2e tau %.2e kappa %.2e\n", it, s->pcost, dcost,
          gap, s->pres, s->dres, tau, s->kappa);
}

/* 0 (and s->bad set) when the iterate is not finite or its residuals jumped; else keeps it in xprev, zprev when
 * it is the best so far by max(pres, dres, relgap), for a final certificate when the run ends short of tol. */
static int ipm_healthy(cr_mm_work *w, ipm_state *s)
{
    if (!isfinite(s->mu) || !isfinite(s->pres) || !isfinite(s->dres)) {
        s->bad = 1;
        return 0;
    }
    /* A step that multiplied the residuals by 100, to above 1e-5, came from a failed linear solve (degenerate
     * programs near their optimum): stop and certify the iterate before it. Smaller jumps are rounding noise at
     * the end. */
    double worst = s->pres > s->dres ? s->pres : s->dres;
    if (worst > 100.0 * s->prev_worst && worst > 1e-5) {
        TRACE("    stop: residuals jumped from %.3g to %.3g\n", s->prev_worst, worst);
        s->bad = 1;
        return 0;
    }
    s->prev_worst = worst;
    double merit = worst > s->relgap ? worst : s->relgap;
    if (merit < s->best_merit) {
        s->best_merit = merit;
        memcpy(w->xprev, w->x, w->N * sizeof *w->x);
        memcpy(w->zprev, w->z, w->n * sizeof *w->z);
        s->tau_prev = s->tau;
        s->have_prev = 1;
    }
    return 1;
}

/* Certificates once the internal measures are near the goal (each costs 2p small NNLS). *stop = 1 when the
 * certified gap meets tol (res->converged) or has stalled. */
static int ipm_try_certificate(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double tol,
                               double *U, double *Up, double *lambda, ipm_state *s, cr_mm_ipm_result *res, int *stop,
                               cr_err *err)
{
    double trigger = tol > 1e-6 ? tol : 1e-6;
    *stop = 0;
    if (!(s->pres <= trigger && s->dres <= trigger && s->relgap <= trigger)) return CR_OK;
    iterate_to_candidate(w, y, P->p, s->tau);
    int st = certify_candidate(w, X, y, P, U, Up, lambda, res, err);
    if (st) return st;
    TRACE("    certificate: upper %.15g lower %.15g rel %.3e\n", res->have_primal ? res->upper : INFINITY, res->lower,
          res->best_rel);
    if (res->best_rel <= tol) {
        res->converged = 1;
        *stop = 1;
        return CR_OK;
    }
    /* At the rounding floor the iterates stop improving the certificate: stop after 4 tries that did not halve
     * it. */
    if (res->best_rel < 0.5 * s->best_seen) {
        s->best_seen = res->best_rel;
        s->stale = 0;
    } else if (++s->stale >= 4) {
        TRACE("    stop: certificate stalled at %.3g\n", res->best_rel);
        *stop = 1;
    }
    return CR_OK;
}

/* Dual ray: 1'z_m > 0 with ||G'z|| <= ||rx|| + tau ||c|| small certifies that no x is feasible (checked from
 * scratch on lambda = Y z_m); res->infeasible then. */
static int ipm_dual_ray(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, const ipm_state *s,
                        cr_mm_ipm_result *res, cr_err *err)
{
    size_t n = w->n, N = w->N;
    if (!(-s->hz > 0 && cr_linalg_nrm2(w->rx, N) + s->tau * s->nc <= 1e-6 * (-s->hz))) return CR_OK;
    double yl = 0.0;
    for (size_t i = 0; i < n; i++) {
        w->lamc[i] = y[i] * w->z[i];
        yl += w->z[i];
    }
    double G;
    int st = cr_dualnorm_over(w->dn, X, n, w->d, P, w->lamc, CR_DUALNORM_ABS, &G, NULL, NULL, NULL, err);
    if (st) return st;
    res->inf_ratio = G / (w->xscale * yl);
    TRACE("    ray: ipm ratio %.3g, certified ratio %.3g\n", (cr_linalg_nrm2(w->rx, N) + s->tau * s->nc) / (-s->hz),
          res->inf_ratio);
    if (res->inf_ratio <= 1e-6) res->infeasible = 1;
    return CR_OK;
}

/* One direction of the predictor (corrector = 0) or the corrector (1): [x2; z2] solves
 * K [x2; z2] = [-(1 - eta) rx; -(1 - eta) rz + W dss] with dss = lam \ d_s, d_s = lam o lam (+ the affine
 * directions' product - sigma mu e for the corrector); (dx, dz) = (x2, z2) + dt (x1, z1), the scaled directions
 * in dsa = W^{-1} ds, dza = W dz. Returns the largest step that keeps the iterate in the cone. */
static double ipm_direction(cr_mm_work *w, const ipm_state *s, int corrector, double *dt_out, double *dk_out)
{
    size_t n = w->n, N = w->N, L = w->L;
    double eta = corrector ? s->sigma : 0.0, tau = s->tau, kappa = s->kappa, dkappa;
    if (!corrector) {
        memcpy(w->dss, w->lam, L * sizeof *w->dss);
        dkappa = tau * kappa;
    } else {
        jordan_prod(w, w->dsa, w->dza, w->tl);
        jordan_prod(w, w->lam, w->lam, w->tl2);
        for (size_t i = 0; i < L; i++) w->tl2[i] += w->tl[i];
        add_identity(w, w->tl2, -s->sigma * s->mu);
        jordan_div(w, w->lam, w->tl2, w->dss);
        dkappa = tau * kappa + s->dtau * s->dkap - s->sigma * s->mu;
    }
    for (size_t j = 0; j < N; j++) w->tx[j] = -(1.0 - eta) * w->rx[j];
    scale_apply(w, w->dss, w->ds, 0);
    for (size_t i = 0; i < L; i++) w->ds[i] += -(1.0 - eta) * w->rz[i];
    kkt_solve(w, w->tx, w->ds, w->x2, w->z2);
    double cx2 = 0.0, hz2 = 0.0;
    for (size_t b = 0; b < w->B; b++) cx2 += w->x2[w->xoff[b]];
    for (size_t i = 0; i < n; i++) hz2 -= w->z2[i];
    double dt = (-(1.0 - eta) * s->rt + dkappa / tau - cx2 - hz2) / s->den;
    for (size_t j = 0; j < N; j++) w->dx[j] = w->x2[j] + dt * w->x1[j];
    for (size_t i = 0; i < L; i++) w->dz[i] = w->z2[i] + dt * w->z1[i];
    /* Scaled directions: W dz, and W^{-1} ds = -(dss + W dz). */
    scale_apply(w, w->dz, w->dza, 0);
    for (size_t i = 0; i < L; i++) w->dsa[i] = -(w->dss[i] + w->dza[i]);
    double dk = -(dkappa + kappa * dt) / tau;
    double a = max_step(w, w->lam, w->dsa, INFINITY);
    a = max_step(w, w->lam, w->dza, a);
    if (dt < 0 && -tau / dt < a) a = -tau / dt;
    if (dk < 0 && -kappa / dk < a) a = -kappa / dk;
    *dt_out = dt;
    *dk_out = dk;
    return a;
}

/* One Mehrotra predictor-corrector step: scaling, factorization, the tau column [x1; z1] (K [x1; z1] = [-c; h]),
 * the affine direction for sigma = (1 - alpha_aff)^3, the combined one, and the step 0.99 alpha. Returns 0, or
 * -1 when the iteration cannot go on (the scaling, the factorization or the step failed). */
static int ipm_step(cr_mm_work *w, ipm_state *s)
{
    size_t n = w->n, N = w->N, L = w->L;
    if (compute_scaling(w)) {
        TRACE("    stop: scaling failed (a point left the cone)\n");
        return -1;
    }
    if (kkt_factor(w, 10.0 * (s->pcost > 1.0 ? s->pcost : 1.0))) {
        TRACE("    stop: factorization failed\n");
        return -1;
    }
    for (size_t j = 0; j < N; j++) w->tx[j] = 0.0;
    for (size_t b = 0; b < w->B; b++) w->tx[w->xoff[b]] = -1.0;
    for (size_t i = 0; i < L; i++) w->ds[i] = i < n ? -1.0 : 0.0;
    kkt_solve(w, w->tx, w->ds, w->x1, w->z1);
    double den = 0.0;
    for (size_t b = 0; b < w->B; b++) den += w->x1[w->xoff[b]];
    for (size_t i = 0; i < n; i++) den -= w->z1[i];
    s->den = den - s->kappa / s->tau;
    s->sigma = 0.0;
    double dt, dk, a = ipm_direction(w, s, 0, &dt, &dk), aa = a < 1.0 ? a : 1.0;
    s->sigma = (1.0 - aa) * (1.0 - aa) * (1.0 - aa);
    s->dtau = dt;
    s->dkap = dk;
    /* dsa and dza keep the affine scaled directions for the corrector. */
    a = ipm_direction(w, s, 1, &dt, &dk);
    double alpha = 0.99 * a < 1.0 ? 0.99 * a : 1.0;
    s->dtau = dt;
    s->dkap = dk;
    if (!(alpha > 1e-12)) {
        TRACE("    stop: step %.3g\n", alpha);
        return -1;
    }
    /* ds = W (W^{-1} ds). */
    scale_apply(w, w->dsa, w->ds, 0);
    for (size_t j = 0; j < N; j++) w->x[j] += alpha * w->dx[j];
    for (size_t i = 0; i < L; i++) {
        w->s[i] += alpha * w->ds[i];
        w->z[i] += alpha * w->dz[i];
    }
    s->tau += alpha * s->dtau;
    s->kappa += alpha * s->dkap;
    return !(s->tau > 0) || !(s->kappa > 0) ? -1 : 0;
}

/* Short of tol: certificates for the last iterate (unless it broke) and for the best one seen. */
static int ipm_finish(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double tol, double *U,
                      double *Up, double *lambda, ipm_state *s, cr_mm_ipm_result *res, cr_err *err)
{
    size_t n = w->n;
    for (int pass = 0; pass < 2 && !res->converged && !res->infeasible; pass++) {
        if (pass == 1) {
            if (!s->have_prev) break;
            memcpy(w->x, w->xprev, w->N * sizeof *w->x);
            memcpy(w->z, w->zprev, n * sizeof *w->z);
            s->tau = s->tau_prev;
        } else if (s->bad) {
            continue;
        }
        if (!(s->tau > 0) || !isfinite(s->tau)) continue;
        iterate_to_candidate(w, y, P->p, s->tau);
        int ok = 1;
        for (size_t i = 0; i < P->p * w->d && ok; i++)
            if (!isfinite(w->Uc[i]) || !isfinite(w->Upc[i])) ok = 0;
        for (size_t i = 0; i < n && ok; i++)
            if (!isfinite(w->lamc[i])) ok = 0;
        int st;
        if (ok && (st = certify_candidate(w, X, y, P, U, Up, lambda, res, err))) return st;
        if (res->best_rel <= tol) res->converged = 1;
    }
    return CR_OK;
}

/* Homogeneous self-dual primal-dual interior-point method (cvxopt's conelp, Vandenberghe 2010, sec. 7) for
 *   min c'x  s.t.  G x + s = h,  s in C   and its dual  max -h'z  s.t.  G'z + c = 0,  z in C,
 * embedded as  G'z + c tau = 0,  s = -G x + h tau,  kappa = -c'x - h'z,  (s, z, tau, kappa) >= 0.
 * Each iteration: residuals, Nesterov-Todd scaling, one factorization, three solves (the tau column, the
 * affine and the combined direction), Mehrotra's sigma = (1 - alpha_aff)^3. The primal-dual point is turned
 * into a certificate (certify_candidate) once the internal measures are below tol. */
int cr_mm_ipm_run(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double tol,
                  long max_iter, double *U, double *Up, double *lambda, cr_mm_ipm_result *res, cr_err *err)
{
    ipm_state s;
    int st = ipm_start(w, &s, err);
    if (st) return st;
    res->iters = 0;
    for (long it = 0;; it++) {
        ipm_measure(w, &s, it);
        if (!ipm_healthy(w, &s)) break;
        int stop;
        if ((st = ipm_try_certificate(w, X, y, P, tol, U, Up, lambda, &s, res, &stop, err))) return st;
        if (stop) break;
        if ((st = ipm_dual_ray(w, X, y, P, &s, res, err))) return st;
        if (res->infeasible || it >= max_iter) break;
        res->iters = it + 1;
        if (ipm_step(w, &s)) break;
    }
    return ipm_finish(w, X, y, P, tol, U, Up, lambda, &s, res, err);
}
