/* The pattern cones of the max-margin program (see maxmargin_impl.h): for each pattern, an interior point by
 * least distance programming, the implicit equalities of a cone without interior and the span it is solved
 * in, the cone rows the others imply removed (by NNLS, or as a convex hull in R^2 and R^3), and the block
 * layout of the interior-point method. */
#include "maxmargin_impl.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "linalg.h"
#include "nnls.h"


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

/* The unit cone rows a_l = (2 D_ll - 1) x_l / ||x_l|| of a pattern (n x d). Rows are all nonzero here
 * (cr_mm_solve rejects a zero sample), so row l of a pattern is sample l. */
static void pattern_rows(const cr_mm_work *w, const uint64_t *mask, double *rows)
{
    size_t n = w->n, d = w->d;
    for (size_t l = 0; l < n; l++) {
        double sl = cr_mask_bit(mask, l) ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) rows[l * d + r] = sl * w->xhat[l * d + r];
    }
}

/* The implicit equalities of {u : a_l'u >= 0} into inE: l in E iff min_{mu >= 0} ||a_l + sum_{k != l} mu_k a_k||
 * = 0 (Motzkin), by NNLS. */
static int implicit_equalities(cr_mm_work *w, const double *rows, size_t m, cr_err *err)
{
    size_t d = w->d;
    for (size_t a = 0; a < m; a++) {
        for (size_t l = 0; l < m; l++)
            for (size_t r = 0; r < d; r++) w->nA[r * m + l] = l == a ? 0.0 : rows[l * d + r];
        for (size_t r = 0; r < d; r++) w->nb[r] = -rows[a * d + r];
        double resid;
        int st = cr_nnls_solve(w->nnls, w->nA, d, m, w->nb, w->nx, &resid, err);
        if (st) return st;
        w->inE[a] = resid <= 1e-9;
    }
    return CR_OK;
}

/* Orthonormal basis of span{a_l : l in E} (Gram-Schmidt, twice), then of its complement from e_1..e_d, as the
 * rows of ebuf. Returns the rank of the E rows: the complement has dimension q = d - that, in rows rank.. of
 * ebuf. */
static size_t span_basis(cr_mm_work *w, const double *rows, size_t m)
{
    size_t d = w->d;
    double *Q = w->ebuf;
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
    return rkE == SIZE_MAX ? rk : rkE; /* SIZE_MAX: the E rows alone span R^d */
}

/* Whether the lower-dimensional K_i is covered: another pattern agrees with it outside E (on E, x_l'u = 0 on
 * K_i), so K_i lies in that cone and gives the same atoms D X u there. Such duplicates (degenerate data: a face
 * pattern next to its open cells) only make the program degenerate. Among equal reduced cones the first is
 * kept. */
static int covered(const cr_mm_work *w, const cr_patterns *P, size_t i)
{
    const uint64_t *mask = cr_patterns_mask(P, i);
    for (size_t i2 = 0; i2 < P->p; i2++) {
        if (i2 == i || (w->prad[i2] < 1e-10 && i2 > i)) continue;
        const uint64_t *m2 = cr_patterns_mask(P, i2);
        int same = 1;
        for (size_t l = 0; l < w->n && same; l++)
            if (!w->inE[l] && cr_mask_bit(mask, l) != cr_mask_bit(m2, l)) same = 0;
        if (same) return 1;
    }
    return 0;
}

/* The rows outside E restricted to span V (d x q, stride d) and normalized, in place (row a' <= a); rows that
 * vanish there go. Returns their number. */
static size_t restrict_rows(const cr_mm_work *w, double *rows, size_t m, const double *V, size_t q)
{
    size_t d = w->d, m2 = 0;
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
    return m2;
}

/* A cone without interior point: its implicit equalities E pin u to the orthogonal complement of
 * span{a_l : l in E}, spanned by V (d x q), where the other rows have an interior. *q = 0 when K_i = {0} or
 * when the cone is covered by another pattern (the pattern is then dropped); else the rows are restricted to
 * the span (*m of them). */
static int reduce_to_span(cr_mm_work *w, const cr_patterns *P, size_t i, double *rows, double *V, size_t *m,
                          size_t *q, cr_err *err)
{
    size_t d = w->d;
    int st = implicit_equalities(w, rows, *m, err);
    if (st) return st;
    size_t rkE = span_basis(w, rows, *m);
    *q = d - rkE;
    if (*q == 0 || covered(w, P, i)) {
        *q = 0;
        return CR_OK;
    }
    for (size_t r = 0; r < d; r++)
        for (size_t c = 0; c < *q; c++) V[r * d + c] = w->ebuf[(rkE + c) * d + r];
    *m = restrict_rows(w, rows, *m, V, *q);
    return CR_OK;
}

/* L_k = Y D X V / xscale on the rows of D only (row a of L_k is sample kon[a]). */
static void store_margin_rows(cr_mm_work *w, const double *y, const uint64_t *mask, size_t k)
{
    size_t n = w->n, d = w->d, q = w->kq[k], *on = w->kon + k * n, cnt = 0;
    const double *V = w->kV + k * d * d;
    double *Lk = w->kL + k * n * d;
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
}

/* Builds the kept-pattern data: for pattern i of P, the unit cone rows; if the cone has an interior point,
 * V = I; else it is solved in the span where it has one (reduce_to_span), or dropped: K = {0} can carry
 * nothing, and a lower-dimensional cone covered by another pattern adds nothing. Then the redundant rows go,
 * and L_k = Y D_k X V / xscale is stored on the rows of D_k. */
int cr_mm_build_patterns(cr_mm_work *w, const double *y, const cr_patterns *P, size_t *dropped, size_t *reduced,
                         cr_err *err)
{
    size_t n = w->n, d = w->d;
    *dropped = *reduced = 0;
    w->np = 0;
    if (d + 1 > 64) return cr_err_set(err, CR_EINPUT, "maxmargin: d = %zu above the supported 63", d);
    /* Pass 1: which cones have an interior point. */
    for (size_t i = 0; i < P->p; i++) {
        pattern_rows(w, cr_patterns_mask(P, i), w->rowbuf);
        int st = CR_OK;
        w->prad[i] = interior_radius(w, d, w->rowbuf, n, w->pint + i * d, err, &st);
        if (st) return st;
    }
    for (size_t i = 0; i < P->p; i++) {
        size_t k = w->np, m = n, q = d;
        /* The pattern's rows are built in place in its slot of kC. */
        double *rows = w->kC + k * n * d, *V = w->kV + k * d * d;
        pattern_rows(w, cr_patterns_mask(P, i), rows);
        int st = CR_OK;
        double rad = w->prad[i];
        if (rad >= 1e-10) {
            memset(V, 0, d * d * sizeof *V);
            for (size_t r = 0; r < d; r++) V[r * d + r] = 1.0;
        } else {
            if ((st = reduce_to_span(w, P, i, rows, V, &m, &q, err))) return st;
            if (q == 0) {
                (*dropped)++;
                continue;
            }
            (*reduced)++;
        }
        /* Full cones keep rows at stride d = q already. */
        if (rad >= 1e-10 && d >= 2 && d <= 3)
            drop_redundant_hull(w, rows, q, w->pint + i * d, &m);
        else if ((st = drop_redundant(w, rows, q, &m, err)))
            return st;
        w->kpat[k] = i;
        w->kq[k] = q;
        w->kr[k] = m;
        store_margin_rows(w, y, cr_patterns_mask(P, i), k);
        w->np++;
    }
    return CR_OK;
}

/* Block layout for the selected blocks (sel[2k] = +, sel[2k + 1] = -). */
void cr_mm_build_blocks(cr_mm_work *w)
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
