/* Max-margin solvers (see maxmargin.h): the linear hard-margin SVM by least distance programming, the convex
 * max-margin program by a structure-exploiting homogeneous self-dual interior-point method with certificates
 * recomputed from scratch, the network reconstruction and the normalized margin. The large products of the
 * Newton step go through linalg.h (the same at any BLAS thread count); no GSL linear algebra here. */
#include "maxmargin.h"
#include "timer.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dualnorm.h"
#include "linalg.h"
#include "net.h"
#include "nnls.h"
#include "svm.h"

#ifdef CR_MM_TRACE
#include <stdio.h>
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif


/* ================================================================== convex max-margin: workspace */

/* The cone program in the form of cvxopt's conelp, min c'x s.t. G x + s = h, s in the cone C:
 *   x = (t_b, v_b) for every block b = (pattern k, sign sigma), u_b = V_k v_b / xscale;
 *   s = [ margins (n, orthant) | cone rows C_k v_b (r_k per block, orthant) | (t_b, v_b) (second-order) ],
 *   G x = [ -sum_b sigma_b L_k v_b | -C_k v_b | -(t_b, v_b) ],  h = [ -1 | 0 | 0 ],  c = 1 on every t_b,
 * with L_k = Y D_k X V_k / xscale (n x q_k) and C_k the unit cone rows restricted to span V_k. */
struct cr_mm_work {
    size_t n, d, pmax;
    cr_dualnorm_work *dn;
    cr_nnls_work *nnls; /* (d + 1) x n */
    double *nA;         /* (d + 1) x n NNLS matrix */
    double *nb;         /* d + 1 */
    double *nx;         /* n */
    double *Xs;         /* n x d: X / xscale */
    double *xhat;       /* n x d: unit rows x_k / ||x_k|| (0 for a zero row) */
    double *xnorm;      /* n: ||x_k|| */
    double xscale;

    /* kept patterns k = 0..np-1 */
    size_t np;
    size_t *kpat;  /* index in P */
    size_t *kq;    /* dimension of the span of K */
    size_t *kr;    /* cone rows */
    double *kV;    /* np x d x d: V (d x q, row-major with stride d) */
    double *kC;    /* np x n x d: cone rows (r x q, stride q) */
    double *kL;    /* np x n x d: L restricted to the rows of D (kcnt x q, stride q) */
    double *ebuf;  /* d x n: basis scratch for the implicit equalities */
    unsigned char *inE; /* n */
    double *rowbuf;     /* n x d */
    size_t *kon;        /* pmax x n: the samples in D_k (kcnt[k] of them), the rows of L_k */
    size_t *kcnt;       /* pmax */
    double *prad;       /* pmax: inscribed radius of each pattern's cone */
    double *pint;       /* pmax x d: the interior direction found for it (unit) */
    double *rowbuf2;    /* 3 n: hull points */
    size_t *hullbuf, *hullbuf2; /* 2 n + 2 each */

    /* blocks of the current solve */
    size_t B, N, L, nl, deg;
    size_t *bk;    /* kept-pattern index */
    int *bs;       /* sign */
    size_t *xoff, *coff, *qoff;
    unsigned char *sel; /* 2 pmax: block selection */

    /* interior-point vectors: N (x-space) and L (s-space) */
    double *x, *dx, *x1, *x2, *rx, *tx, *ex, *ox, *rfx;
    double *s, *z, *ds, *dz, *z1, *z2, *rz, *lam, *tl, *tl2, *ez, *oz, *dsa, *dza, *dss, *rfz, *rfw, *rfc;
    double *wl;    /* L: orthant part sqrt(s/z); SOC part w-bar */
    double *beta;  /* 2 pmax */
    double *Bf;    /* 2 pmax x (d+1)^2: block Cholesky factors */
    double *R;     /* N x n */
    double *S;     /* n x n Cholesky factor of the Schur complement */
    double *tn, *tn2; /* n */
    /* blocks kept out of the Woodbury elimination (see kkt_factor) */
    size_t capA, nblkA, NA;
    size_t *apos;  /* 2 pmax: offset of block b in the dense part, or SIZE_MAX */
    struct score_idx { double score; size_t b; } *order; /* 2 pmax */
    double *HA;    /* NAmax x NAmax */
    double *MA;    /* n x NAmax */
    double *YA;    /* n x NAmax */
    double *xa;    /* NAmax */
    /* support reduction scratch */
    size_t *rsblk;           /* capA */
    double *rsA, *rsQ, *rsR; /* (n + 1) x capA, (n + 2) x (n + 1), (n + 1) x (n + 1) */
    double *rsc;             /* capA + 1 + n + 1 */

    /* certificate candidates (pmax x d each) and lambda */
    double *Uc, *Upc, *lamc, *marg;
    double *Upol, *Uppol, *lampol; /* the polish solve's best point */
    double *xprev, *zprev;         /* N, n: the iterate before the last step */
};

static size_t max_l(size_t n, size_t d, size_t pmax)
{
    return n + 2 * pmax * n + 2 * pmax * (d + 1);
}

cr_mm_work *cr_mm_alloc(size_t n, size_t d, size_t pmax)
{
    if (n == 0 || d == 0 || pmax == 0) return NULL;
    cr_mm_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->d = d;
    w->pmax = pmax;
    size_t Nmax = 2 * pmax * (d + 1), Lmax = max_l(n, d, pmax), bmax = 2 * pmax;
    int ok = 1;
#define ALLOC(p, cnt)                                                                                              \
    do {                                                                                                           \
        (p) = malloc((cnt) * sizeof *(p));                                                                         \
        if (!(p)) ok = 0;                                                                                          \
    } while (0)
    w->dn = cr_dualnorm_alloc(n, d);
    w->nnls = cr_nnls_alloc(d + 1, n);
    if (!w->dn || !w->nnls) ok = 0;
    ALLOC(w->nA, (d + 1) * n);
    ALLOC(w->nb, d + 1);
    ALLOC(w->nx, n);
    ALLOC(w->Xs, n * d);
    ALLOC(w->xhat, n * d);
    ALLOC(w->xnorm, n);
    ALLOC(w->kpat, pmax);
    ALLOC(w->kq, pmax);
    ALLOC(w->kr, pmax);
    ALLOC(w->kV, pmax * d * d);
    ALLOC(w->kC, pmax * n * d);
    ALLOC(w->kL, pmax * n * d);
    ALLOC(w->ebuf, d * (n + d));
    ALLOC(w->inE, n);
    ALLOC(w->rowbuf, n * d);
    ALLOC(w->kon, pmax * n);
    ALLOC(w->kcnt, pmax);
    ALLOC(w->prad, pmax);
    ALLOC(w->pint, pmax * d);
    ALLOC(w->rowbuf2, 3 * n);
    ALLOC(w->hullbuf, 2 * n + 2);
    ALLOC(w->hullbuf2, 2 * n + 2);
    ALLOC(w->bk, bmax);
    ALLOC(w->bs, bmax);
    ALLOC(w->xoff, bmax);
    ALLOC(w->coff, bmax);
    ALLOC(w->qoff, bmax);
    ALLOC(w->sel, bmax);
    double **xv[] = {&w->x, &w->dx, &w->x1, &w->x2, &w->rx, &w->tx, &w->ex, &w->ox, &w->rfx};
    for (size_t i = 0; i < sizeof xv / sizeof xv[0]; i++) ALLOC(*xv[i], Nmax);
    double **lv[] = {&w->s,  &w->z,  &w->ds,  &w->dz, &w->z1, &w->z2,  &w->rz,  &w->lam,
                     &w->tl, &w->tl2, &w->ez, &w->oz, &w->dsa, &w->dza, &w->dss, &w->wl, &w->rfz, &w->rfw, &w->rfc};
    for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++) ALLOC(*lv[i], Lmax);
    ALLOC(w->beta, bmax);
    ALLOC(w->Bf, bmax * (d + 1) * (d + 1));
    ALLOC(w->R, Nmax * n);
    ALLOC(w->S, n * n);
    ALLOC(w->tn, n);
    ALLOC(w->tn2, n);
    w->capA = 2 * (n + 1) < bmax ? 2 * (n + 1) : bmax;
    size_t NAmax = w->capA * (d + 1);
    ALLOC(w->apos, bmax);
    ALLOC(w->order, bmax);
    ALLOC(w->HA, NAmax * NAmax);
    ALLOC(w->MA, n * NAmax);
    ALLOC(w->YA, n * NAmax);
    ALLOC(w->xa, NAmax);
    ALLOC(w->rsblk, w->capA);
    ALLOC(w->rsA, (n + 1) * w->capA);
    ALLOC(w->rsQ, (n + 2) * (n + 1));
    ALLOC(w->rsR, (n + 1) * (n + 1));
    ALLOC(w->rsc, w->capA + n + 2);
    ALLOC(w->Uc, pmax * d);
    ALLOC(w->Upc, pmax * d);
    ALLOC(w->lamc, n);
    ALLOC(w->marg, n);
    ALLOC(w->Upol, pmax * d);
    ALLOC(w->Uppol, pmax * d);
    ALLOC(w->lampol, n);
    ALLOC(w->xprev, Nmax);
    ALLOC(w->zprev, n);
#undef ALLOC
    if (!ok) {
        cr_mm_free(w);
        return NULL;
    }
    return w;
}

void cr_mm_free(cr_mm_work *w)
{
    if (!w) return;
    cr_dualnorm_free(w->dn);
    cr_nnls_free(w->nnls);
    void *ps[] = {w->nA,  w->nb,  w->nx,  w->Xs,  w->xhat, w->xnorm, w->kpat, w->kq,  w->kr,  w->kV,  w->kC,
                  w->kL,  w->ebuf, w->inE, w->rowbuf, w->prad, w->pint, w->rowbuf2, w->hullbuf, w->hullbuf2, w->kon, w->kcnt, w->bk, w->bs,  w->xoff, w->coff, w->qoff, w->sel, w->x,   w->dx,
                  w->x1,  w->x2,  w->rx,  w->tx,  w->ex,  w->ox,  w->s,   w->z,   w->ds,  w->dz,  w->z1,
                  w->z2,  w->rz,  w->lam, w->tl,  w->tl2, w->ez,  w->oz,  w->dsa, w->dza, w->dss, w->wl,
                  w->beta, w->Bf, w->R,   w->S,   w->tn,  w->tn2, w->apos, w->order, w->HA, w->MA, w->YA, w->xa, w->rsblk, w->rsA, w->rsQ, w->rsR, w->rsc, w->rfx, w->rfz, w->rfw, w->rfc, w->Uc,  w->Upc, w->lamc, w->marg, w->Upol, w->Uppol, w->lampol, w->xprev, w->zprev};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) free(ps[i]);
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

/* ============================================================ convex max-margin: the pattern cones */

/* Least distance test for an interior point of {u : a_k'u >= 0} (rows: m unit rows a_k of length d): the
 * NNLS min_{v >= 0} ||[A'; 1'] v - e_{d+1}|| gives u with A u >= 1 unless the system is inconsistent
 * (Lawson and Hanson's LDP, as in cr_svm_solve). Returns the inscribed radius min_k a_k'u / ||u|| of the
 * point found (0 when none) and u / ||u|| in uout (d, may be NULL). */
static double interior_radius(cr_mm_work *w, size_t d, const double *rows, size_t m, double *uout, cr_err *err,
                              int *st)
{
    for (size_t k = 0; k < m; k++) {
        for (size_t r = 0; r < d; r++) w->nA[r * m + k] = rows[k * d + r];
        w->nA[d * m + k] = 1.0;
    }
    for (size_t r = 0; r < d; r++) w->nb[r] = 0.0;
    w->nb[d] = 1.0;
    double resid;
    *st = cr_nnls_solve(w->nnls, w->nA, d + 1, m, w->nb, w->nx, &resid, err);
    if (*st) return 0.0;
    double rr[64], *r = d + 1 <= 64 ? rr : NULL;
    if (!r) return 0.0;
    for (size_t q = 0; q <= d; q++) {
        double t = -w->nb[q];
        for (size_t k = 0; k < m; k++) t += w->nA[q * m + k] * w->nx[k];
        r[q] = t;
    }
    double den = -r[d];
    if (!(den > 64.0 * DBL_EPSILON)) return 0.0;
    double u[64], un = 0.0;
    for (size_t q = 0; q < d; q++) {
        u[q] = r[q] / den;
        un += u[q] * u[q];
    }
    un = sqrt(un);
    if (!(un > 0)) return 0.0;
    double rad = INFINITY;
    for (size_t k = 0; k < m; k++) {
        double t = cr_linalg_dot(rows + k * d, u, d) / un;
        if (t < rad) rad = t;
    }
    if (uout)
        for (size_t q = 0; q < d; q++) uout[q] = u[q] / un;
    return rad > 0 ? rad : 0.0;
}

/* Lexicographic order of 2-D points stored as (x, y, tag) triples. */
static int point_less(const double *p, const double *q)
{
    return p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]);
}

static void point_swap(double *p, double *q)
{
    for (int k = 0; k < 3; k++) {
        double t = p[k];
        p[k] = q[k];
        q[k] = t;
    }
}

/* In-place heapsort of m triples (qsort may allocate; this runs inside cr_mm_solve). */
static void sort_points(double *pts, size_t m)
{
    for (size_t start = m / 2; start-- > 0;) {
        for (size_t root = start;;) {
            size_t c = 2 * root + 1;
            if (c >= m) break;
            if (c + 1 < m && point_less(pts + 3 * c, pts + 3 * (c + 1))) c++;
            if (!point_less(pts + 3 * root, pts + 3 * c)) break;
            point_swap(pts + 3 * root, pts + 3 * c);
            root = c;
        }
    }
    for (size_t end = m; end-- > 1;) {
        point_swap(pts, pts + 3 * end);
        for (size_t root = 0;;) {
            size_t c = 2 * root + 1;
            if (c >= end) break;
            if (c + 1 < end && point_less(pts + 3 * c, pts + 3 * (c + 1))) c++;
            if (!point_less(pts + 3 * root, pts + 3 * c)) break;
            point_swap(pts + 3 * root, pts + 3 * c);
            root = c;
        }
    }
}

static double cross2(const double *o, const double *a, const double *b)
{
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/* The same for a cone in R^2 or R^3 with a known interior direction c (unit, c'a_l > 0 for every row): the
 * irredundant rows are the extreme rays of cone(a_l), i.e. the vertices of the convex hull of the central
 * projections a_l / (c'a_l) onto the plane c'x = 1 (a segment in R^2: its two ends; a polygon in R^3: Andrew's
 * monotone chain, points on an edge dropped). O(m log m) instead of m NNLS. */
static void drop_redundant_hull(cr_mm_work *w, double *rows, size_t q, const double *c, size_t *m)
{
    size_t mm = *m;
    if (mm <= q) return;
    double e1[3] = {0, 0, 0}, e2[3] = {0, 0, 0};
    /* Orthonormal e1 (and e2) orthogonal to c. */
    if (q == 2) {
        e1[0] = -c[1];
        e1[1] = c[0];
    } else {
        size_t im = fabs(c[0]) <= fabs(c[1]) ? (fabs(c[0]) <= fabs(c[2]) ? 0 : 2) : (fabs(c[1]) <= fabs(c[2]) ? 1 : 2);
        double t[3] = {0, 0, 0};
        t[im] = 1.0;
        double tc = cr_linalg_dot(t, c, 3);
        for (int r = 0; r < 3; r++) e1[r] = t[r] - tc * c[r];
        double n1 = cr_linalg_nrm2(e1, 3);
        for (int r = 0; r < 3; r++) e1[r] /= n1;
        e2[0] = c[1] * e1[2] - c[2] * e1[1];
        e2[1] = c[2] * e1[0] - c[0] * e1[2];
        e2[2] = c[0] * e1[1] - c[1] * e1[0];
    }
    /* Points (x, y, row index) in the scratch pts (3 mm doubles). */
    double *pts = w->rowbuf2;
    for (size_t l = 0; l < mm; l++) {
        const double *a = rows + l * q;
        double h = cr_linalg_dot(a, c, q);
        pts[3 * l] = cr_linalg_dot(a, e1, q) / h;
        pts[3 * l + 1] = q == 3 ? cr_linalg_dot(a, e2, q) / h : 0.0;
        pts[3 * l + 2] = (double)l;
    }
    size_t nk = 0, *hull = w->hullbuf;
    if (q == 2) {
        size_t lo = 0, hi = 0;
        for (size_t l = 1; l < mm; l++) {
            if (pts[3 * l] < pts[3 * lo]) lo = l;
            if (pts[3 * l] > pts[3 * hi]) hi = l;
        }
        hull[nk++] = lo;
        if (hi != lo) hull[nk++] = hi;
    } else {
        sort_points(pts, mm);
        /* Andrew's monotone chain over point indices into pts; cross <= 0 pops (collinear points dropped). */
        size_t *H = w->hullbuf2, k = 0;
        for (size_t l = 0; l < mm; l++) {
            while (k >= 2 && cross2(pts + 3 * H[k - 2], pts + 3 * H[k - 1], pts + 3 * l) <= 0) k--;
            H[k++] = l;
        }
        for (size_t l = mm - 1, t = k + 1; l-- > 0;) {
            while (k >= t && cross2(pts + 3 * H[k - 2], pts + 3 * H[k - 1], pts + 3 * l) <= 0) k--;
            H[k++] = l;
        }
        if (k > 1) k--; /* the first point is repeated at the end */
        for (size_t a = 0; a < k; a++) hull[nk++] = (size_t)pts[3 * H[a] + 2];
    }
    /* Keep the hull rows, in their original order. */
    for (size_t l = 0; l < mm; l++) w->inE[l] = 0;
    for (size_t a = 0; a < nk; a++) w->inE[hull[a]] = 1;
    size_t out = 0;
    for (size_t l = 0; l < mm; l++)
        if (w->inE[l]) {
            if (out != l) memcpy(rows + out * q, rows + l * q, q * sizeof *rows);
            out++;
        }
    *m = out;
}

/* Removes the rows of {v : C v >= 0} (m unit rows of length q, stride q) that the others imply: c_l'v >= 0
 * follows from the rest iff c_l is in the cone of the other rows (Farkas), i.e. the NNLS
 * min_{mu >= 0} ||C_{-l}' mu - c_l|| is 0. Removing one redundant row at a time keeps the cone the same;
 * of two equal rows one goes. In d = 2 at most 2 rows stay, and the interior-point method works on far
 * fewer slacks. */
static int drop_redundant(cr_mm_work *w, double *rows, size_t q, size_t *m, cr_err *err)
{
    size_t mm = *m;
    for (size_t a = 0; a < mm && mm > q;) {
        size_t cols = 0;
        for (size_t l = 0; l < mm; l++) {
            if (l == a) continue;
            for (size_t r = 0; r < q; r++) w->nA[r * (mm - 1) + cols] = rows[l * q + r];
            cols++;
        }
        for (size_t r = 0; r < q; r++) w->nb[r] = rows[a * q + r];
        double resid;
        int st = cr_nnls_solve(w->nnls, w->nA, q, mm - 1, w->nb, w->nx, &resid, err);
        if (st) return st;
        if (resid <= 1e-12) {
            memmove(rows + a * q, rows + (a + 1) * q, (mm - a - 1) * q * sizeof *rows);
            mm--;
        } else {
            a++;
        }
    }
    *m = mm;
    return CR_OK;
}

/* Builds the kept-pattern data: for pattern i of P, the unit cone rows a_k = (2 D_kk - 1) x_k / ||x_k||
 * (X has no zero row here); if the cone has an interior point, V = I; else the implicit equalities
 * E = {k : -a_k in cone(a_l, l != k)} (Motzkin) pin u to the orthogonal complement of span{a_k : k in E},
 * spanned by V (d x q), and the other rows restricted to it have an interior; q = 0 means K = {0} and the
 * pattern is dropped (it can carry nothing), as is a lower-dimensional cone covered by another pattern.
 * Then the redundant rows go, and L_k = Y D_k X V / xscale is stored on the rows of D_k. */
static int build_patterns(cr_mm_work *w, const double *y, const cr_patterns *P, size_t *dropped, size_t *reduced,
                          cr_err *err)
{
    size_t n = w->n, d = w->d;
    *dropped = *reduced = 0;
    w->np = 0;
    if (d + 1 > 64) return cr_err_set(err, CR_EINPUT, "maxmargin: d = %zu above the supported 63", d);
    /* Pass 1: which cones have an interior point. Rows are all nonzero here (cr_mm_solve rejects a zero
     * sample), so row a of a pattern is sample a. */
    for (size_t i = 0; i < P->p; i++) {
        const uint64_t *mask = cr_patterns_mask(P, i);
        for (size_t l = 0; l < n; l++) {
            double sl = cr_mask_bit(mask, l) ? 1.0 : -1.0;
            for (size_t r = 0; r < d; r++) w->rowbuf[l * d + r] = sl * w->xhat[l * d + r];
        }
        int st = CR_OK;
        w->prad[i] = interior_radius(w, d, w->rowbuf, n, w->pint + i * d, err, &st);
        if (st) return st;
    }
    for (size_t i = 0; i < P->p; i++) {
        const uint64_t *mask = cr_patterns_mask(P, i);
        size_t k = w->np;
        /* The pattern's rows are built in place in its slot of kC. */
        double *rows = w->kC + k * n * d, *V = w->kV + k * d * d, *Lk = w->kL + k * n * d;
        size_t m = n;
        for (size_t l = 0; l < n; l++) {
            double sl = cr_mask_bit(mask, l) ? 1.0 : -1.0;
            for (size_t r = 0; r < d; r++) rows[l * d + r] = sl * w->xhat[l * d + r];
        }
        int st = CR_OK;
        double rad = w->prad[i];
        size_t q = d;
        if (rad >= 1e-10) {
            memset(V, 0, d * d * sizeof *V);
            for (size_t r = 0; r < d; r++) V[r * d + r] = 1.0;
        } else {
            /* Implicit equalities by NNLS: k in E iff min_{mu >= 0} ||a_k + sum_{l != k} mu_l a_l|| = 0. */
            for (size_t a = 0; a < m; a++) {
                for (size_t l = 0; l < m; l++)
                    for (size_t r = 0; r < d; r++) w->nA[r * m + l] = l == a ? 0.0 : rows[l * d + r];
                for (size_t r = 0; r < d; r++) w->nb[r] = -rows[a * d + r];
                double resid;
                st = cr_nnls_solve(w->nnls, w->nA, d, m, w->nb, w->nx, &resid, err);
                if (st) return st;
                w->inE[a] = resid <= 1e-9;
            }
            /* Orthonormal basis of span{a_k : k in E} (Gram-Schmidt, twice), then of its complement from
             * e_1..e_d: q = d - rank. */
            double *Q = w->ebuf; /* rows: basis vectors */
            size_t rk = 0, rkE = SIZE_MAX;
            for (size_t a = 0; a < m + d && rk < d; a++) {
                if (a == m) rkE = rk;
                if (a < m && !w->inE[a]) continue;
                double *v = Q + rk * d;
                if (a < m) {
                    memcpy(v, rows + a * d, d * sizeof *v);
                } else {
                    memset(v, 0, d * sizeof *v);
                    v[a - m] = 1.0;
                }
                for (int pass = 0; pass < 2; pass++)
                    for (size_t b = 0; b < rk; b++) {
                        double t = cr_linalg_dot(v, Q + b * d, d);
                        for (size_t r = 0; r < d; r++) v[r] -= t * Q[b * d + r];
                    }
                double vn = cr_linalg_nrm2(v, d);
                if (vn > (a < m ? 1e-9 : 1e-6)) {
                    for (size_t r = 0; r < d; r++) v[r] /= vn;
                    rk++;
                }
            }
            if (rkE == SIZE_MAX) rkE = rk; /* the E rows alone span R^d */
            q = d - rkE;
            if (q == 0) {
                (*dropped)++;
                continue;
            }
            /* K_i is covered when another pattern agrees with it outside E (on E, x_k'u = 0 on K_i): then
             * K_i lies in that cone and gives the same atoms D X u there. Such duplicates (degenerate data:
             * a face pattern next to its open cells) only make the program degenerate. Among equal reduced
             * cones the first is kept. */
            int covered = 0;
            for (size_t i2 = 0; i2 < P->p && !covered; i2++) {
                if (i2 == i || (w->prad[i2] < 1e-10 && i2 > i)) continue;
                const uint64_t *m2 = cr_patterns_mask(P, i2);
                int same = 1;
                for (size_t l = 0; l < n && same; l++)
                    if (!w->inE[l] && cr_mask_bit(mask, l) != cr_mask_bit(m2, l)) same = 0;
                covered = same;
            }
            if (covered) {
                (*dropped)++;
                continue;
            }
            (*reduced)++;
            for (size_t r = 0; r < d; r++)
                for (size_t c = 0; c < q; c++) V[r * d + c] = Q[(rkE + c) * d + r];
            /* Rows outside E, restricted to the span (in place: row a' <= a). */
            size_t m2 = 0;
            for (size_t a = 0; a < m; a++) {
                if (w->inE[a]) continue;
                double c[64], cn = 0.0;
                for (size_t cc = 0; cc < q; cc++) {
                    double t = 0.0;
                    for (size_t r = 0; r < d; r++) t += V[r * d + cc] * rows[a * d + r];
                    c[cc] = t;
                    cn += t * t;
                }
                cn = sqrt(cn);
                if (cn <= 1e-12) continue;
                for (size_t cc = 0; cc < q; cc++) rows[m2 * q + cc] = c[cc] / cn;
                m2++;
            }
            m = m2;
        }
        /* Full cones keep rows at stride d = q already. */
        if (rad >= 1e-10 && d >= 2 && d <= 3)
            drop_redundant_hull(w, rows, q, w->pint + i * d, &m);
        else if ((st = drop_redundant(w, rows, q, &m, err)))
            return st;
        w->kpat[k] = i;
        w->kq[k] = q;
        w->kr[k] = m;
        /* L_k = Y D X V / xscale on the rows of D only (row a of Lk is sample kon[a]). */
        size_t *on = w->kon + k * n, cnt = 0;
        for (size_t l = 0; l < n; l++) {
            if (!cr_mask_bit(mask, l)) continue;
            for (size_t c = 0; c < q; c++) {
                double t = 0.0;
                for (size_t r = 0; r < d; r++) t += w->Xs[l * d + r] * V[r * d + c];
                Lk[cnt * q + c] = y[l] * t;
            }
            on[cnt++] = l;
        }
        w->kcnt[k] = cnt;
        w->np++;
    }
    return CR_OK;
}

/* Block layout for the selected blocks (sel[2k] = +, sel[2k + 1] = -). */
static void build_blocks(cr_mm_work *w)
{
    size_t n = w->n, B = 0, N = 0, nc = 0, nq = 0;
    for (size_t k = 0; k < w->np; k++)
        for (int e = 0; e < 2; e++) {
            if (!w->sel[2 * k + e]) continue;
            w->bk[B] = k;
            w->bs[B] = e ? -1 : 1;
            w->xoff[B] = N;
            N += 1 + w->kq[k];
            w->coff[B] = nc;
            nc += w->kr[k];
            B++;
        }
    w->B = B;
    w->N = N;
    w->nl = n + nc;
    for (size_t b = 0; b < B; b++) {
        w->coff[b] += n;
        w->qoff[b] = w->nl + nq;
        nq += 1 + w->kq[w->bk[b]];
    }
    w->L = w->nl + nq;
    w->deg = w->nl + B;
}

/* ============================================================ convex max-margin: operators */

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

/* In-place Cholesky of an m x m symmetric matrix (row-major, lower triangle used and produced), with the
 * "Cholesky-infinity" safeguard of interior-point codes (Y. Zhang, LIPSOL, 1996; S. Wright, "Modified Cholesky
 * factorizations in interior-point algorithms for linear programming", SIAM J. Optim. 1999): a pivot that
 * rounding has reduced to <= 1e-13 of its diagonal entry (the normal equations of a degenerate program near
 * its optimum) is replaced by 1e64, which sets the matching solution component to 0 instead of failing; the
 * iterative refinement of kkt_solve then corrects the direction. -1 only for a non-finite entry or a
 * non-positive diagonal. */
static int chol(double *A, size_t m)
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

/* Solves L L' x = b in place (L lower, row-major m x m). */
static void chol_solve(const double *Lf, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++) t -= Lf[i * m + k] * b[k];
        b[i] = t / Lf[i * m + i];
    }
    for (size_t i = m; i-- > 0;) {
        double t = b[i];
        for (size_t k = i + 1; k < m; k++) t -= Lf[k * m + i] * b[k];
        b[i] = t / Lf[i * m + i];
    }
}

/* Forward substitution L y = b in place (L lower, row-major m x m). */
static void lower_solve(const double *Lf, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++) t -= Lf[i * m + k] * b[k];
        b[i] = t / Lf[i * m + i];
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
    size_t n = w->n, d = w->d, D1 = d + 1;
    /* The dense set A: the blocks with ||W_b||^2 = beta^2 (wb0 + ||wb1||)^2 above the threshold (only those
     * have a Bd^{-1} far above the cost scale), the capA largest if there are more; all when B <= capA. */
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
    /* Offsets in the dense part follow block order (cache-friendlier than score order). */
    for (size_t a = 0; a < nA; a++) w->apos[w->order[a].b] = 0;
    size_t NA = 0;
    for (size_t b = 0; b < w->B; b++)
        if (w->apos[b] != SIZE_MAX) {
            w->apos[b] = NA;
            NA += 1 + w->kq[w->bk[b]];
        }
    w->nblkA = nA;
    w->NA = NA;

    for (size_t b = 0; b < w->B; b++) {
        size_t k = w->bk[b], q = w->kq[k], m = 1 + q, r = w->kr[k];
        double *F = w->Bf + b * D1 * D1, *Rb = w->R + w->xoff[b] * n;
        if (w->apos[b] != SIZE_MAX) {
            memset(Rb, 0, m * n * sizeof *Rb);
            continue;
        }
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
        if (chol(F, m)) return -1;
        /* R_b = T^{-1/2} W M_b', column i of M_b' = (0, sigma L_k[i, :]) (0 off the rows of D). */
        const double *Lk = w->kL + k * n * d;
        const size_t *on = w->kon + k * n;
        double sg = (double)w->bs[b];
        memset(Rb, 0, m * n * sizeof *Rb);
        for (size_t a = 0; a < w->kcnt[k]; a++) {
            ct[0] = 0.0;
            for (size_t c = 0; c < q; c++) ct[1 + c] = sg * Lk[a * q + c];
            soc_apply(wb, be, m, ct, wc, 0);
            lower_solve(F, m, wc);
            for (size_t e = 0; e < m; e++) Rb[e * n + on[a]] = wc[e];
        }
    }
    memset(w->S, 0, n * n * sizeof *w->S);
    for (size_t i = 0; i < n; i++) w->S[i * n + i] = w->wl[i] * w->wl[i];
    /* S += R'R: R is N x n row-major, so S (row-major, upper) = R' R. */
    if (nA < w->B) cr_linalg_syrk(1, n, w->N, 1.0, w->R, n, 1.0, w->S, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) w->S[j * n + i] = w->S[i * n + j];
    if (chol(w->S, n)) return -1;
    if (NA == 0) return 0;

    /* M_A (n x NA) and Y_A = S_E^{-1} M_A. */
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
        chol_solve(w->S, n, w->tn);
        for (size_t i = 0; i < n; i++) w->YA[i * NA + j] = w->tn[i];
    }
    /* H_A = M_A' Y_A + blkdiag(W^{-2} + Ct' Omega Ct). */
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
    return chol(w->HA, NA);
}

/* v <- Bd_b^{-1} v = W T_b^{-1} W v (m values). */
static void block_solve(const cr_mm_work *w, size_t b, size_t m, double *v)
{
    size_t D1 = w->d + 1, o = w->qoff[b];
    double t[64];
    soc_apply(w->wl + o, w->beta[b], m, v, t, 0);
    chol_solve(w->Bf + b * D1 * D1, m, t);
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
    chol_solve(w->S, n, w->tn);
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
        chol_solve(w->HA, NA, w->xa);
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

/* ======================================================== convex max-margin: certificate */

/* Projection of u (d) onto K of mask by NNLS (Moreau: P_K(u) = u + X'(2D - I) mu*). */
/* u <- P_K(u) for the cone of mask, as u + A'mu with mu >= 0 from the NNLS. *scale (may be NULL) receives
 * ||u_in|| + sum_l mu_l ||x_l||, the size of the terms summed into the result: its rounding error is about
 * n eps times that, whatever the size of the result. */
static int project_cone(cr_mm_work *w, const double *X, size_t n, size_t d, const uint64_t *mask, double *u,
                        double *scale, cr_err *err)
{
    for (size_t l = 0; l < n; l++) {
        double sl = cr_mask_bit(mask, l) ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) w->nA[r * n + l] = sl * X[l * d + r];
    }
    for (size_t r = 0; r < d; r++) w->nb[r] = -u[r];
    double resid;
    int st = cr_nnls_solve(w->nnls, w->nA, d, n, w->nb, w->nx, &resid, err);
    if (st) return st;
    if (scale) {
        double sc = cr_linalg_nrm2(u, d);
        for (size_t l = 0; l < n; l++) sc += fabs(w->nx[l]) * w->xnorm[l];
        *scale = sc;
    }
    for (size_t r = 0; r < d; r++) {
        double t = u[r];
        for (size_t l = 0; l < n; l++) t += w->nA[r * n + l] * w->nx[l];
        u[r] = t;
    }
    return CR_OK;
}

static double cone_violation_of(const double *X, const double *xnorm, size_t n, size_t d, const uint64_t *mask,
                                const double *u)
{
    double un = cr_linalg_nrm2(u, d), v = 0.0;
    if (un == 0.0) return 0.0;
    for (size_t l = 0; l < n; l++) {
        if (xnorm[l] == 0.0) continue;
        double t = (cr_mask_bit(mask, l) ? 1.0 : -1.0) * cr_linalg_dot(X + l * d, u, d) / (xnorm[l] * un);
        if (-t > v) v = -t;
    }
    return v;
}

int cr_mm_certify(cr_mm_work *w, const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                  double *U, double *Up, double *lambda, double *upper, double *lower, cr_err *err)
{
    if (!w || !X || !y || !P || !upper || !lower) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    if (n != w->n || d != w->d || P->n != n || P->p > w->pmax)
        return cr_err_set(err, CR_EINPUT, "maxmargin: problem %zu x %zu with %zu patterns does not fit workspace",
                          n, d, P->p);
    int st;
    *upper = INFINITY;
    *lower = 0.0;
    for (size_t i = 0; i < n; i++) w->xnorm[i] = cr_linalg_nrm2(X + i * d, d);
    if (U && Up) {
        for (size_t i = 0; i < n; i++) w->marg[i] = 0.0;
        double obj = 0.0;
        for (size_t j = 0; j < P->p; j++) {
            const uint64_t *mask = cr_patterns_mask(P, j);
            for (int e = 0; e < 2; e++) {
                double *u = (e ? Up : U) + j * d;
                double u0 = cr_linalg_nrm2(u, d);
                if (u0 == 0.0) continue;
                double scale;
                if ((st = project_cone(w, X, n, d, mask, u, &scale, err))) return st;
                /* When the projection is much shorter than u, u + A mu cancels and leaves rounding of size
                 * eps ||u|| in it: project again (now without cancellation). A block still far outside its
                 * cone (relative violation > 1e-8) is what is left of a rounding-level block of the iterate,
                 * with no direction of its own: it is dropped (the rescale below absorbs its margin). */
                if (cone_violation_of(X, w->xnorm, n, d, mask, u) > 1e-15) {
                    if ((st = project_cone(w, X, n, d, mask, u, NULL, err))) return st;
                    if (cone_violation_of(X, w->xnorm, n, d, mask, u) > 1e-8) memset(u, 0, d * sizeof *u);
                }
                /* So is a block no longer than the rounding of the first projection's sum (n + d terms of
                 * total size `scale`, the bound the NNLS's own tolerance uses): the exact projection is 0 to
                 * within that rounding, and what is left points anywhere, into the cone or not. */
                if (cr_linalg_nrm2(u, d) <= 10.0 * DBL_EPSILON * (double)(n + d) * scale) memset(u, 0, d * sizeof *u);
                obj += cr_linalg_nrm2(u, d);
                double sg = e ? -1.0 : 1.0;
                for (size_t i = 0; i < n; i++)
                    if (cr_mask_bit(mask, i)) w->marg[i] += sg * cr_linalg_dot(X + i * d, u, d);
            }
        }
        double mmin = INFINITY;
        for (size_t i = 0; i < n; i++) {
            double m = y[i] * w->marg[i];
            if (m < mmin) mmin = m;
        }
        if (mmin > 0 && isfinite(obj)) {
            for (size_t j = 0; j < P->p * d; j++) {
                U[j] /= mmin;
                Up[j] /= mmin;
            }
            *upper = obj / mmin;
        }
    }
    if (lambda) {
        for (size_t i = 0; i < n; i++)
            if (!(y[i] * lambda[i] > 0)) lambda[i] = 0.0;
        double G;
        if ((st = cr_dualnorm_over(w->dn, X, n, d, P, lambda, CR_DUALNORM_ABS, &G, NULL, NULL, NULL, err)))
            return st;
        double yl = cr_linalg_dot(y, lambda, n);
        if (G > 0) {
            for (size_t i = 0; i < n; i++) lambda[i] /= G;
            *lower = yl / G;
        } else {
            *lower = yl > 0 ? INFINITY : 0.0;
        }
    }
    return CR_OK;
}

/* Caratheodory reduction of a feasible point (U, Up) over P: the nonzero blocks b have columns
 * a_b = [sigma_b Y D_j X u_b; ||u_b||] in R^{n+1}. While they are linearly dependent, a null vector c
 * (sum_b c_b a_b = 0) rescales u_b <- (1 - t c_b) u_b with t = min_{c_b > 0} 1 / c_b: the margins and the
 * objective do not move, the cones are kept, and one block vanishes. At the end the columns are independent,
 * so at most n + 1 blocks remain (m* <= n + 1 neurons). Dependence is judged by Householder QR with a
 * relative tolerance 1e-10 (Gram-Schmidt twice). Only run when at most capA blocks are nonzero (cost
 * O(k^2 n) per removed block); returns the number of blocks left, or SIZE_MAX when there were too many. */
static size_t reduce_support(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double *U,
                             double *Up)
{
    size_t n = w->n, d = w->d, n1 = n + 1, kmax = w->capA;
    size_t *blk = w->rsblk;
    double *A = w->rsA, *Q = w->rsQ, *c = w->rsc, *coef = w->rsc + kmax + 1, *Rm = w->rsR;
    size_t k = 0;
    for (size_t j = 0; j < P->p; j++)
        for (int e = 0; e < 2; e++)
            if (cr_linalg_nrm2((e ? Up : U) + j * d, d) > 0) {
                if (k == kmax) return SIZE_MAX;
                blk[k++] = 2 * j + (size_t)e;
            }
    for (;;) {
        /* Columns, column-major in A: column t at A + t * n1. */
        for (size_t t = 0; t < k; t++) {
            size_t j = blk[t] / 2;
            int e = (int)(blk[t] % 2);
            const double *u = (e ? Up : U) + j * d;
            const uint64_t *mask = cr_patterns_mask(P, j);
            double *a = A + t * n1;
            for (size_t i = 0; i < n; i++)
                a[i] = cr_mask_bit(mask, i) ? (e ? -1.0 : 1.0) * y[i] * cr_linalg_dot(X + i * d, u, d) : 0.0;
            a[n] = cr_linalg_nrm2(u, d);
        }
        /* Gram-Schmidt (twice) in order; the first column within 1e-10 of the span of the earlier ones gives
         * the null vector: a_t = sum_s beta_s a_s, c = (beta, -1). Q holds the orthonormal basis, R in c. */
        size_t dep = SIZE_MAX, nb = 0; /* Rm: nb x nb upper triangle, row-major with stride n1 */
        for (size_t t = 0; t < k && dep == SIZE_MAX; t++) {
            double *v = Q + nb * n1, an = cr_linalg_nrm2(A + t * n1, n1);
            memcpy(v, A + t * n1, n1 * sizeof *v);
            for (size_t s = 0; s < nb; s++) coef[s] = 0.0;
            for (int pass = 0; pass < 2; pass++)
                for (size_t s = 0; s < nb; s++) {
                    double h = cr_linalg_dot(v, Q + s * n1, n1);
                    coef[s] += h;
                    for (size_t i = 0; i < n1; i++) v[i] -= h * Q[s * n1 + i];
                }
            double vn = cr_linalg_nrm2(v, n1);
            if (vn <= 1e-10 * an || nb == n1) {
                /* Solve R beta = coef (R upper triangular over the basis), beta in terms of the columns. */
                for (size_t s = nb; s-- > 0;) {
                    double h = coef[s];
                    for (size_t r = s + 1; r < nb; r++) h -= Rm[s * n1 + r] * c[r];
                    c[s] = h / Rm[s * n1 + s];
                }
                dep = t;
            } else {
                for (size_t i = 0; i < n1; i++) v[i] /= vn;
                for (size_t s = 0; s < nb; s++) Rm[s * n1 + nb] = coef[s];
                Rm[nb * n1 + nb] = vn;
                nb++;
            }
        }
        if (dep == SIZE_MAX) break;
        /* Independent columns so far are blk[0..dep) in order (none was skipped before dep). */
        c[dep] = -1.0;
        double tmin = INFINITY;
        for (size_t t = 0; t <= dep; t++)
            if (c[t] > 0 && 1.0 / c[t] < tmin) tmin = 1.0 / c[t];
        if (!isfinite(tmin)) break; /* cannot happen: sum_b c_b ||u_b|| = 0 with c_dep < 0 */
        size_t kept = 0;
        for (size_t t = 0; t < k; t++) {
            size_t j = blk[t] / 2;
            int e = (int)(blk[t] % 2);
            double *u = (e ? Up : U) + j * d;
            double f = t <= dep ? 1.0 - tmin * c[t] : 1.0;
            if (t <= dep && (f <= 1e-14 || (c[t] > 0 && 1.0 / c[t] == tmin))) {
                memset(u, 0, d * sizeof *u);
                continue;
            }
            for (size_t r = 0; r < d; r++) u[r] *= f;
            blk[kept++] = blk[t];
        }
        k = kept;
    }
    return k;
}

/* ======================================================== convex max-margin: the interior-point method */

typedef struct {
    double best_rel;   /* best certified relative gap so far */
    double upper, lower;
    int have_primal, have_dual;
    double lower_ext;  /* a lower bound known from elsewhere (the main solve, for the polish) */
    int infeasible;
    double inf_ratio;  /* max_j g_j(lambda) / (xscale y'lambda) of the ray */
    long iters;
    int converged;
} ipm_result;

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
                             double *Up, double *lambda, ipm_result *res, cr_err *err)
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

/* Homogeneous self-dual primal-dual interior-point method (cvxopt's conelp, Vandenberghe 2010, sec. 7) for
 *   min c'x  s.t.  G x + s = h,  s in C   and its dual  max -h'z  s.t.  G'z + c = 0,  z in C,
 * embedded as  G'z + c tau = 0,  s = -G x + h tau,  kappa = -c'x - h'z,  (s, z, tau, kappa) >= 0.
 * Each iteration: residuals, Nesterov-Todd scaling, one factorization, three solves (the tau column, the
 * affine and the combined direction), Mehrotra's sigma = (1 - alpha_aff)^3. The primal-dual point is turned
 * into a certificate (certify_candidate) once the internal measures are below tol. */
static int ipm_run(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double tol,
                   long max_iter, double *U, double *Up, double *lambda, ipm_result *res, cr_err *err)
{
    size_t n = w->n, N = w->N, L = w->L;
    int st;
    /* Initial point: least squares with W = I, shifted into the cone interior. */
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
    double tau = 1.0, kappa = 1.0;
    double nh = sqrt((double)n), nc = sqrt((double)w->B), prev_worst = INFINITY, tau_prev = 1.0;
    double best_seen = INFINITY, best_merit = INFINITY;
    int bad = 0, have_prev = 0, stale = 0;
    res->iters = 0;

    for (long it = 0;; it++) {
        /* Residuals: rx = G'z + c tau, rz = s + G x - h tau, rt = kappa + c'x + h'z. */
        apply_Gt(w, w->z, w->rx);
        double cx = 0.0, hz = 0.0;
        for (size_t b = 0; b < w->B; b++) {
            w->rx[w->xoff[b]] += tau;
            cx += w->x[w->xoff[b]];
        }
        apply_G(w, w->x, w->rz);
        for (size_t i = 0; i < L; i++) w->rz[i] += w->s[i] + (i < n ? tau : 0.0);
        for (size_t i = 0; i < n; i++) hz -= w->z[i];
        double rt = kappa + cx + hz;
        double sz = cr_linalg_dot(w->s, w->z, L);
        double mu = (sz + tau * kappa) / (double)(w->deg + 1);
        double pres = cr_linalg_nrm2(w->rz, L) / tau / (nh > 1 ? nh : 1), dres = cr_linalg_nrm2(w->rx, N) / tau / (nc > 1 ? nc : 1);
        double pcost = cx / tau, dcost = -hz / tau, gap = sz / (tau * tau);
        double relgap = pcost > 0 ? gap / pcost : INFINITY;
        if (dcost > 0 && gap / dcost < relgap) relgap = gap / dcost;
        TRACE("it %3ld pcost %.10e dcost %.10e gap %.2e pres %.2e dres %.2e tau %.2e kappa %.2e\n", it, pcost,
              dcost, gap, pres, dres, tau, kappa);
        if (!isfinite(mu) || !isfinite(pres) || !isfinite(dres)) {
            bad = 1;
            break;
        }
        /* A step that multiplied the residuals by 100, to above 1e-5, came from a failed linear solve
         * (degenerate programs near their optimum): stop and certify the iterate before it. Smaller jumps are
         * rounding noise at the end. */
        double worst = pres > dres ? pres : dres;
        if (worst > 100.0 * prev_worst && worst > 1e-5) {
            TRACE("    stop: residuals jumped from %.3g to %.3g\n", prev_worst, worst);
            bad = 1;
            break;
        }
        prev_worst = worst;
        /* The best iterate so far by max(pres, dres, relgap) is kept (x, z on the margins, tau) for a final
         * certificate when the run ends short of tol. */
        double merit = worst > relgap ? worst : relgap;
        if (merit < best_merit) {
            best_merit = merit;
            memcpy(w->xprev, w->x, N * sizeof *w->x);
            memcpy(w->zprev, w->z, n * sizeof *w->z);
            tau_prev = tau;
            have_prev = 1;
        }
        /* Certificates once the internal measures are near the goal (each costs 2p small NNLS). */
        double trigger = tol > 1e-6 ? tol : 1e-6;
        if (pres <= trigger && dres <= trigger && relgap <= trigger) {
            iterate_to_candidate(w, y, P->p, tau);
            if ((st = certify_candidate(w, X, y, P, U, Up, lambda, res, err))) return st;
            TRACE("    certificate: upper %.15g lower %.15g rel %.3e\n", res->have_primal ? res->upper : INFINITY,
                  res->lower, res->best_rel);
            if (res->best_rel <= tol) {
                res->converged = 1;
                break;
            }
            /* At the rounding floor the iterates stop improving the certificate: stop after 4 tries that did
             * not halve it. */
            if (res->best_rel < 0.5 * best_seen) {
                best_seen = res->best_rel;
                stale = 0;
            } else if (++stale >= 4) {
                TRACE("    stop: certificate stalled at %.3g\n", res->best_rel);
                break;
            }
        }
        /* Dual ray: 1'z_m > 0 with ||G'z|| <= ||rx|| + tau ||c|| small certifies that no x is feasible
         * (checked from scratch on lambda = Y z_m). */
        if (-hz > 0 && cr_linalg_nrm2(w->rx, N) + tau * nc <= 1e-6 * (-hz)) {
            double yl = 0.0;
            for (size_t i = 0; i < n; i++) {
                w->lamc[i] = y[i] * w->z[i];
                yl += w->z[i];
            }
            double G;
            if ((st = cr_dualnorm_over(w->dn, X, n, w->d, P, w->lamc, CR_DUALNORM_ABS, &G, NULL, NULL, NULL, err)))
                return st;
            res->inf_ratio = G / (w->xscale * yl);
            TRACE("    ray: ipm ratio %.3g, certified ratio %.3g\n", (cr_linalg_nrm2(w->rx, N) + tau * nc) / (-hz),
                  res->inf_ratio);
            if (res->inf_ratio <= 1e-6) {
                res->infeasible = 1;
                break;
            }
        }
        if (it >= max_iter) break;
        res->iters = it + 1;

        if (compute_scaling(w)) {
            TRACE("    stop: scaling failed (a point left the cone)\n");
            break;
        }
        if (kkt_factor(w, 10.0 * (pcost > 1.0 ? pcost : 1.0))) {
            TRACE("    stop: factorization failed\n");
            break;
        }
        /* [x1; z1] solves K [x1; z1] = [-c; h]. */
        for (size_t j = 0; j < N; j++) w->tx[j] = 0.0;
        for (size_t b = 0; b < w->B; b++) w->tx[w->xoff[b]] = -1.0;
        for (size_t i = 0; i < L; i++) w->ds[i] = i < n ? -1.0 : 0.0;
        kkt_solve(w, w->tx, w->ds, w->x1, w->z1);
        double den = 0.0;
        for (size_t b = 0; b < w->B; b++) den += w->x1[w->xoff[b]];
        for (size_t i = 0; i < n; i++) den -= w->z1[i];
        den -= kappa / tau;

        double sigma = 0.0, dtau = 0.0, dkap = 0.0, alpha = 0.0;
        for (int pass = 0; pass < 2; pass++) {
            double eta = pass ? sigma : 0.0;
            /* dss = lam \ d_s with d_s = lam o lam (+ correction - sigma mu e): the scaled complementarity. */
            double dkappa;
            if (pass == 0) {
                memcpy(w->dss, w->lam, L * sizeof *w->dss);
                dkappa = tau * kappa;
            } else {
                jordan_prod(w, w->dsa, w->dza, w->tl);
                jordan_prod(w, w->lam, w->lam, w->tl2);
                for (size_t i = 0; i < L; i++) w->tl2[i] += w->tl[i];
                add_identity(w, w->tl2, -sigma * mu);
                jordan_div(w, w->lam, w->tl2, w->dss);
                dkappa = tau * kappa + dtau * dkap - sigma * mu;
            }
            /* [x2; z2] solves K [x2; z2] = [-(1 - eta) rx; -(1 - eta) rz + W dss]. */
            for (size_t j = 0; j < N; j++) w->tx[j] = -(1.0 - eta) * w->rx[j];
            scale_apply(w, w->dss, w->ds, 0);
            for (size_t i = 0; i < L; i++) w->ds[i] += -(1.0 - eta) * w->rz[i];
            kkt_solve(w, w->tx, w->ds, w->x2, w->z2);
            double cx2 = 0.0, hz2 = 0.0;
            for (size_t b = 0; b < w->B; b++) cx2 += w->x2[w->xoff[b]];
            for (size_t i = 0; i < n; i++) hz2 -= w->z2[i];
            double dt = (-(1.0 - eta) * rt + dkappa / tau - cx2 - hz2) / den;
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
            if (pass == 0) {
                double aa = a < 1.0 ? a : 1.0;
                sigma = (1.0 - aa) * (1.0 - aa) * (1.0 - aa);
                dtau = dt;
                dkap = dk;
                /* dsa and dza keep the affine scaled directions for the corrector. */
            } else {
                alpha = 0.99 * a < 1.0 ? 0.99 * a : 1.0;
                dtau = dt;
                dkap = dk;
            }
        }
        if (!(alpha > 1e-12)) {
            TRACE("    stop: step %.3g\n", alpha);
            break;
        }
        /* ds = W (W^{-1} ds). */
        scale_apply(w, w->dsa, w->ds, 0);
        for (size_t j = 0; j < N; j++) w->x[j] += alpha * w->dx[j];
        for (size_t i = 0; i < L; i++) {
            w->s[i] += alpha * w->ds[i];
            w->z[i] += alpha * w->dz[i];
        }
        tau += alpha * dtau;
        kappa += alpha * dkap;
        if (!(tau > 0) || !(kappa > 0)) break;
    }
    /* The last iterate also gets a certificate when none was good enough (best one is kept). */
    /* Short of tol: certificates for the last iterate (unless it broke) and for the best one seen. */
    for (int pass = 0; pass < 2 && !res->converged && !res->infeasible; pass++) {
        if (pass == 1) {
            if (!have_prev) break;
            memcpy(w->x, w->xprev, N * sizeof *w->x);
            memcpy(w->z, w->zprev, n * sizeof *w->z);
            tau = tau_prev;
        } else if (bad) {
            continue;
        }
        if (!(tau > 0) || !isfinite(tau)) continue;
        iterate_to_candidate(w, y, P->p, tau);
        int ok = 1;
        for (size_t i = 0; i < P->p * w->d && ok; i++)
            if (!isfinite(w->Uc[i]) || !isfinite(w->Upc[i])) ok = 0;
        for (size_t i = 0; i < n && ok; i++)
            if (!isfinite(w->lamc[i])) ok = 0;
        if (ok && (st = certify_candidate(w, X, y, P, U, Up, lambda, res, err))) return st;
        if (res->best_rel <= tol) res->converged = 1;
    }
    return CR_OK;
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
    if (!w || !X || !y || !P || !U || !Up) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    if (n != w->n || d != w->d)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu x %zu does not match workspace %zu x %zu", n, d, w->n,
                          w->d);
    if (P->n != n || P->p == 0 || P->p > w->pmax)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu patterns of %zu bits (workspace: %zu patterns, %zu bits)",
                          P->p, P->n, w->pmax, n);
    if (!(o.tol > 0) || o.max_iter < 1)
        return cr_err_set(err, CR_EINPUT, "maxmargin: tol = %g must be > 0 and max_iter = %ld >= 1", o.tol,
                          o.max_iter);
    int st = cr_svm_check_data(X, y, n, d, err);
    if (st) return st;
    memset(U, 0, P->p * d * sizeof *U);
    memset(Up, 0, P->p * d * sizeof *Up);
    if (lambda) memset(lambda, 0, n * sizeof *lambda);
    w->xscale = 0.0;
    for (size_t i = 0; i < n; i++) {
        w->xnorm[i] = cr_linalg_nrm2(X + i * d, d);
        if (w->xnorm[i] == 0.0) {
            inf.status = CR_MM_INFEASIBLE;
            if (info) *info = inf;
            return cr_err_set(err, CR_EINPUT, "maxmargin: not separable: sample %zu is zero, so f(x_%zu) = 0", i, i);
        }
        if (w->xnorm[i] > w->xscale) w->xscale = w->xnorm[i];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < d; r++) {
            w->Xs[i * d + r] = X[i * d + r] / w->xscale;
            w->xhat[i * d + r] = X[i * d + r] / w->xnorm[i];
        }
    if ((st = build_patterns(w, y, P, &inf.dropped, &inf.reduced, err))) return st;
    if (w->np == 0) {
        inf.status = CR_MM_INFEASIBLE;
        if (info) *info = inf;
        return cr_err_set(err, CR_EINPUT, "maxmargin: not separable: every pattern cone is {0}");
    }
    for (size_t b = 0; b < 2 * w->np; b++) w->sel[b] = 1;
    build_blocks(w);

    ipm_result res;
    memset(&res, 0, sizeof res);
    res.best_rel = INFINITY;
    res.lower_ext = -INFINITY;
    st = ipm_run(w, X, y, P, o.tol, o.max_iter, U, Up, lambda, &res, err);
    if (st) return st;
    inf.iterations = res.iters;
    if (res.infeasible) {
        inf.status = CR_MM_INFEASIBLE;
        inf.seconds = cr_seconds() - t0;
        if (info) *info = inf;
        return cr_err_set(err, CR_EINPUT,
                          "maxmargin: not separable over these %zu patterns: a dual ray lambda has y'lambda = 1 and "
                          "max_j g_j(lambda) = %.3g max||x_i|| (so P* >= %.3g)",
                          P->p, res.inf_ratio, 1.0 / (res.inf_ratio * w->xscale));
    }
    if (!res.have_primal || !res.have_dual) {
        inf.seconds = cr_seconds() - t0;
        if (info) *info = inf;
        return cr_err_set(err, CR_ERUNTIME, "maxmargin: interior-point breakdown after %ld iterations, no certificate",
                          res.iters);
    }

    /* Polish: re-solve on the blocks that carry the solution; the others become exact zeros. Also tried
     * after a near miss, where the restricted program may be better conditioned. */
    if (o.polish && res.best_rel <= 1e-4) {
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
        if (nsel < 2 * w->np) {
            build_blocks(w);
            ipm_result pr;
            memset(&pr, 0, sizeof pr);
            pr.best_rel = INFINITY;
            pr.lower_ext = res.lower; /* the main solve's lower bound holds for the same P* */
            st = ipm_run(w, X, y, P, o.tol, o.max_iter, w->Upol, w->Uppol, w->lampol, &pr, err);
            if (st) return st;
            inf.iterations += pr.iters;
            if (pr.have_primal) {
                double lo = pr.have_dual && pr.lower > res.lower ? pr.lower : res.lower;
                if ((pr.upper - lo) / pr.upper <= o.tol) {
                    memcpy(U, w->Upol, P->p * d * sizeof *U);
                    memcpy(Up, w->Uppol, P->p * d * sizeof *Up);
                    res.upper = pr.upper;
                    if (pr.have_dual && pr.lower > res.lower) {
                        if (lambda) memcpy(lambda, w->lampol, n * sizeof *lambda);
                        res.lower = pr.lower;
                    }
                    inf.polished = 1;
                }
            }
        }
    }

    /* Support reduction to at most n + 1 blocks (kept if the certificate does not get worse than tol). */
    {
        size_t nz = 0;
        for (size_t j = 0; j < P->p * d; j += d) nz += (cr_linalg_nrm2(U + j, d) > 0) + (cr_linalg_nrm2(Up + j, d) > 0);
        if (nz > n + 1) {
            memcpy(w->Upol, U, P->p * d * sizeof *U);
            memcpy(w->Uppol, Up, P->p * d * sizeof *Up);
            size_t k = reduce_support(w, X, y, P, w->Upol, w->Uppol);
            double ub, lb;
            if (k != SIZE_MAX) {
                if ((st = cr_mm_certify(w, X, y, n, d, P, w->Upol, w->Uppol, NULL, &ub, &lb, err))) return st;
                double old = (res.upper - res.lower) / res.upper, now = (ub - res.lower) / ub;
                if (isfinite(ub) && now <= (old > o.tol ? old : o.tol)) {
                    memcpy(U, w->Upol, P->p * d * sizeof *U);
                    memcpy(Up, w->Uppol, P->p * d * sizeof *Up);
                    res.upper = ub;
                }
            }
        }
    }
    res.converged = (res.upper - res.lower) / res.upper <= o.tol;
    inf.status = res.converged ? CR_MM_CONVERGED : CR_MM_MAX_ITER;
    inf.primal = res.upper;
    inf.dual = res.lower;
    /* upper >= P* >= lower: a negative difference is rounding, and the certified gap is then 0 */
    inf.gap = res.upper - res.lower < 0 ? 0.0 : res.upper - res.lower;
    inf.rel_gap = inf.gap / res.upper;
    /* Statistics of the returned point. */
    for (size_t i = 0; i < n; i++) w->marg[i] = 0.0;
    for (size_t j = 0; j < P->p; j++) {
        const uint64_t *mask = cr_patterns_mask(P, j);
        for (int e = 0; e < 2; e++) {
            const double *u = (e ? Up : U) + j * d;
            if (cr_linalg_nrm2(u, d) == 0.0) continue;
            inf.nnz++;
            double v = cone_violation_of(X, w->xnorm, n, d, mask, u);
            if (v > inf.cone_violation) inf.cone_violation = v;
            for (size_t i = 0; i < n; i++)
                if (cr_mask_bit(mask, i)) w->marg[i] += (e ? -1.0 : 1.0) * cr_linalg_dot(X + i * d, u, d);
        }
    }
    inf.min_margin = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (y[i] * w->marg[i] < inf.min_margin) inf.min_margin = y[i] * w->marg[i];
    inf.seconds = cr_seconds() - t0;
    if (info) *info = inf;
    return CR_OK;
}

/* ============================================================================= networks and margins */

int cr_mm_to_network(const double *U, const double *Up, size_t p, size_t d, double *W1, double *w2, size_t mcap,
                     size_t *m, cr_err *err)
{
    if (!U || !Up || !m || (mcap > 0 && (!W1 || !w2))) return cr_err_set(err, CR_EINPUT, "maxmargin: NULL argument");
    size_t need = 0;
    for (size_t j = 0; j < p; j++) {
        need += cr_linalg_nrm2(U + j * d, d) > 0;
        need += cr_linalg_nrm2(Up + j * d, d) > 0;
    }
    *m = need;
    if (need > mcap)
        return cr_err_set(err, CR_EINPUT, "maxmargin: %zu nonzero blocks need %zu neurons, room for %zu", need, need,
                          mcap);
    size_t c = 0;
    for (size_t j = 0; j < p; j++)
        for (int e = 0; e < 2; e++) {
            const double *u = (e ? Up : U) + j * d;
            double un = cr_linalg_nrm2(u, d);
            if (un == 0.0) continue;
            double sq = sqrt(un);
            for (size_t r = 0; r < d; r++) W1[r * mcap + c] = u[r] / sq;
            w2[c] = e ? -sq : sq;
            c++;
        }
    return CR_OK;
}

void cr_mm_network_eval(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                        size_t m, double *min_yf, double *half_norm2)
{
    double *f = malloc((n ? n : 1) * sizeof *f);
    double s = f ? cr_net_reference(X, n, d, W1, w2, m, f) : NAN;
    if (min_yf) {
        double mn = f ? INFINITY : NAN;
        for (size_t i = 0; f && i < n; i++)
            if (y[i] * f[i] < mn) mn = y[i] * f[i];
        *min_yf = mn;
    }
    if (half_norm2) *half_norm2 = 0.5 * s;
    free(f);
}

double cr_mm_gamma(const double *X, const double *y, size_t n, size_t d, const double *W1, const double *w2,
                   size_t m)
{
    double mn, h;
    cr_mm_network_eval(X, y, n, d, W1, w2, m, &mn, &h);
    return h > 0 ? mn / (2.0 * h) : NAN;
}

double cr_mm_gamma_ceiling(double pstar)
{
    return pstar > 0 ? 1.0 / (2.0 * pstar) : NAN;
}
