/* Arrangement patterns D(u) = diag(1(X u >= 0)) of docs/MATH.md: exact enumeration (faces included,
 * degenerate data allowed), Gaussian sampling, numerical rank, Cover's bound, the general-position closed
 * form and Gordan's test for the all-ones region. The container (add, find, sort) is in patset.c.
 * Exactness rests on two facts: the pattern set of X is the pattern set of X restricted to any r columns
 * on which the row space projects injectively, and every face of an essential arrangement other than {0}
 * has an extreme ray in its closure (see enumerate below). */
#include "patterns.h"
#include "linalg.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "nnls.h"

/* Relative tolerance for "x'v = 0" (|x'v| <= TOL ||x|| ||v||) and for linear dependence of a set of rows
 * (volume / product of norms <= TOL). Exact integer data of moderate size never gets near it. */
static const double TOL = 1e-12;

/* ------------------------------------------------------------------ small numerics */

/* Euclidean norm scaled by the largest entry, so 1e200-sized rows do not overflow. */
static double vnorm(const double *x, size_t d)
{
    double mx = 0.0, s = 0.0;
    for (size_t i = 0; i < d; i++)
        if (fabs(x[i]) > mx) mx = fabs(x[i]);
    if (mx == 0.0) return 0.0;
    for (size_t i = 0; i < d; i++) {
        double t = x[i] / mx;
        s += t * t;
    }
    return mx * sqrt(s);
}

static void set_bit(uint64_t *m, size_t k) { m[k / 64] |= (uint64_t)1 << (k % 64); }

/* Copies the nonzero rows of X into Y (m x d, m returned), each scaled by the power of two that brings its
 * largest entry into [1, 2), and their sample indices into id (if not NULL). D(u) does not change when a
 * row is scaled by a positive factor, and a power of two changes no bit of the mantissas: exact (e.g.
 * integer) data keep every exact coincidence, while rows of wildly different size (1e150 beside 1e-150)
 * count alike in the rank and no product overflows. Only exactly zero rows are zero. */
static size_t scale_rows(const double *X, size_t n, size_t d, double *Y, size_t *id)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const double *x = X + k * d;
        double mx = 0.0;
        for (size_t j = 0; j < d; j++)
            if (fabs(x[j]) > mx) mx = fabs(x[j]);
        if (mx == 0.0) continue;
        int e;
        frexp(mx, &e); /* mx = f 2^e, f in [0.5, 1) */
        for (size_t j = 0; j < d; j++) Y[m * d + j] = ldexp(x[j], 1 - e);
        if (id) id[m] = k;
        m++;
    }
    return m;
}

static int all_finite(const double *X, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isfinite(X[i])) return 0;
    return 1;
}

/* Chooses r of the d columns of Y (m x d, row-major) by greedy column pivoting (modified Gram-Schmidt on
 * the columns): the chosen columns of a rank-r matrix restrict its row space injectively, so the
 * restricted rows carry the same arrangement (see enumerate). C is m x d scratch. J receives the columns
 * in increasing order. */
static void select_columns(const double *Y, size_t m, size_t d, size_t r, double *C, size_t *J)
{
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < m; i++) C[j * m + i] = Y[i * d + j];
    size_t nsel = 0;
    for (size_t t = 0; t < r; t++) {
        size_t best = d;
        double bn = -1.0;
        for (size_t j = 0; j < d; j++) {
            int taken = 0;
            for (size_t q = 0; q < nsel; q++) taken |= J[q] == j;
            if (taken) continue;
            double s = vnorm(C + j * m, m);
            if (s > bn) {
                bn = s;
                best = j;
            }
        }
        J[nsel++] = best;
        if (bn <= 0.0) continue; /* rank() said r: only rounding gets here; any column will do */
        double *q = C + best * m;
        for (size_t i = 0; i < m; i++) q[i] /= bn;
        for (size_t j = 0; j < d; j++) {
            int taken = 0;
            for (size_t p = 0; p < nsel; p++) taken |= J[p] == j;
            if (taken) continue;
            double *c = C + j * m, s = cr_linalg_dot(q, c, m);
            for (size_t i = 0; i < m; i++) c[i] -= s * q[i];
        }
    }
    /* Any order works; increasing keeps the restricted rows in the data's column order (insertion sort:
     * r is small). */
    for (size_t a = 1; a < r; a++)
        for (size_t b = a; b > 0 && J[b - 1] > J[b]; b--) {
            size_t t = J[b];
            J[b] = J[b - 1];
            J[b - 1] = t;
        }
}

/* Null vector v (rho entries) of the rho - 1 rows S of R (m x rho, row-major; nrm their norms).
 * Returns the volume of those rows over the product of their norms (0 when dependent). rho = 2, 3, 4 use
 * exact cofactor formulas (integer data stay integer); larger rho a Householder QR of the rows, with H
 * (rho x rho + rho) scratch. */
static double null_vector(const double *R, size_t rho, const size_t *S, const double *nrm, double *v, double *H)
{
    if (rho == 2) {
        const double *a = R + S[0] * 2;
        v[0] = -a[1];
        v[1] = a[0];
        return 1.0;
    }
    if (rho == 3) {
        const double *a = R + S[0] * 3, *b = R + S[1] * 3;
        v[0] = a[1] * b[2] - a[2] * b[1];
        v[1] = a[2] * b[0] - a[0] * b[2];
        v[2] = a[0] * b[1] - a[1] * b[0];
        return vnorm(v, 3) / (nrm[S[0]] * nrm[S[1]]);
    }
    if (rho == 4) {
        const double *a = R + S[0] * 4, *b = R + S[1] * 4, *c = R + S[2] * 4;
        /* v_j = (-1)^j det of the 3 x 3 minor without column j: orthogonal to a, b, c by Laplace. */
        for (size_t j = 0; j < 4; j++) {
            size_t p = j == 0 ? 1 : 0, q = j <= 1 ? 2 : 1, s = j <= 2 ? 3 : 2;
            double det = a[p] * (b[q] * c[s] - b[s] * c[q]) - a[q] * (b[p] * c[s] - b[s] * c[p]) +
                         a[s] * (b[p] * c[q] - b[q] * c[p]);
            v[j] = (j % 2) ? -det : det;
        }
        return vnorm(v, 4) / (nrm[S[0]] * nrm[S[1]] * nrm[S[2]]);
    }
    size_t q = rho - 1;
    double *vtv = H + rho * rho, vol = 1.0;
    for (size_t c = 0; c < q; c++)
        for (size_t i = 0; i < rho; i++) H[c * rho + i] = R[S[c] * rho + i];
    for (size_t c = 0; c < q; c++) {
        double *col = H + c * rho;
        double tn = vnorm(col + c, rho - c);
        if (tn == 0.0) return 0.0;
        vol *= tn / nrm[S[c]];
        double alpha = col[c] > 0 ? -tn : tn;
        col[c] -= alpha;
        vtv[c] = cr_linalg_dot(col + c, col + c, rho - c);
        for (size_t e = c + 1; e < q; e++) {
            double *ce = H + e * rho, s = 2.0 * cr_linalg_dot(col + c, ce + c, rho - c) / vtv[c];
            for (size_t i = c; i < rho; i++) ce[i] -= s * col[i];
        }
    }
    /* The last column of Q = H_0 ... H_{q-1} is orthogonal to the rows. */
    for (size_t i = 0; i < rho; i++) v[i] = i + 1 == rho ? 1.0 : 0.0;
    for (size_t c = q; c-- > 0;) {
        const double *col = H + c * rho;
        double s = 2.0 * cr_linalg_dot(col + c, v + c, rho - c) / vtv[c];
        for (size_t i = c; i < rho; i++) v[i] -= s * col[i];
    }
    return vol;
}

static int next_comb(size_t *c, size_t q, size_t m)
{
    for (size_t i = q; i-- > 0;) {
        if (c[i] < m - q + i) {
            c[i]++;
            for (size_t j = i + 1; j < q; j++) c[j] = c[j - 1] + 1;
            return 1;
        }
    }
    return 0;
}

/* --------------------------------------------------------------------- rank */

size_t cr_patterns_rank(const double *X, size_t n, size_t d)
{
    if (n == 0 || d == 0) return 0;
    if (!all_finite(X, n * d)) return (size_t)-1;
    double mx = 0.0;
    for (size_t i = 0; i < n * d; i++)
        if (fabs(X[i]) > mx) mx = fabs(X[i]);
    if (mx == 0.0) return 0;
    /* GSL's SVD wants rows >= columns: factor X' when d > n (same singular values). */
    size_t M = n >= d ? n : d, N = n >= d ? d : n;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *S = gsl_vector_alloc(N);
    size_t r = (size_t)-1;
    if (A && V && S) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double x = X[i * d + j] / mx; /* scaling keeps the Jacobi sweeps' squares finite */
                if (n >= d) gsl_matrix_set(A, i, j, x);
                else gsl_matrix_set(A, j, i, x);
            }
        if (gsl_linalg_SV_decomp_jacobi(A, V, S) == GSL_SUCCESS) {
            double smax = gsl_vector_max(S), thr = (double)M * DBL_EPSILON * smax;
            r = 0;
            for (size_t i = 0; i < N; i++) r += gsl_vector_get(S, i) > thr;
        }
    }
    gsl_vector_free(S);
    gsl_matrix_free(V);
    gsl_matrix_free(A);
    return r;
}

/* --------------------------------------------------------------- counting */

double cr_patterns_cover_bound(size_t n, size_t r)
{
    if (r == 0) return 1.0;
    double nm1 = n ? (double)(n - 1) : 0.0;
    return 2.0 * (double)r * pow(M_E * nm1 / (double)r, (double)r);
}

double cr_patterns_regions_general(size_t n, size_t r)
{
    if (n == 0) return 1.0; /* no hyperplane: the whole space is one region */
    double sum = 0.0, b = 1.0, nm1 = (double)(n - 1);
    for (size_t k = 0; k < r; k++) {
        sum += b;
        b = b * (nm1 - (double)k) / (double)(k + 1); /* binom(n-1, k+1); reaches 0 past n - 1 */
        if (b <= 0.0) b = 0.0;
    }
    return 2.0 * sum;
}

/* ------------------------------------------------------------ exact enumeration */

typedef struct {
    double *rows;         /* m x rho, row-major: the level's arrangement, rank rho */
    double *nrm;          /* m: row norms */
    double *s;            /* m: x_k' v for the current ray */
    size_t *id;           /* m: sample index (bit) of each row */
    unsigned char *inz;   /* m: x_k' v = 0 */
    uint64_t *mpos, *mneg; /* words: patterns being built for +v and -v */
    size_t *comb;         /* rho - 1: current subset of rows */
    double *v;            /* rho: current ray */
} level;

typedef struct {
    size_t n, words, r;
    level *lv;           /* r levels; level l holds an arrangement of rank r - l in R^(r - l) */
    double *hh;          /* (r + 1)^2 scratch for null_vector */
    cr_patterns *out;    /* does not own */
    cr_patterns *faces;  /* faces already expanded, keyed by sign vector (see expand); NULL for r <= 2 */
    uint64_t *key;       /* 2 words: positive rows, then zero rows */
    cr_err *err;         /* does not own */
} enumws;

static void enumws_free(enumws *W)
{
    if (!W) return;
    if (W->lv) {
        for (size_t l = 0; l < W->r; l++) {
            level *L = &W->lv[l];
            free(L->rows);
            free(L->nrm);
            free(L->s);
            free(L->id);
            free(L->inz);
            free(L->mpos);
            free(L->mneg);
            free(L->comb);
            free(L->v);
        }
    }
    free(W->lv);
    free(W->hh);
    free(W->key);
    cr_patterns_free(W->faces);
    free(W);
}

/* Everything the recursion touches, sized once for m rows of rank r: no allocation while enumerating
 * (apart from the growth of the output set and of the face index). */
static enumws *enumws_alloc(size_t n, size_t m, size_t r)
{
    enumws *W = calloc(1, sizeof *W);
    if (!W) return NULL;
    W->n = n;
    W->words = n ? (n + 63) / 64 : 1;
    W->r = r;
    W->lv = calloc(r, sizeof *W->lv);
    W->hh = malloc((r + 1) * (r + 1) * sizeof *W->hh);
    W->key = calloc(2 * W->words, sizeof *W->key);
    int ok = W->lv && W->hh && W->key;
    for (size_t l = 0; ok && l < r; l++) {
        level *L = &W->lv[l];
        size_t rho = r - l;
        L->rows = malloc(m * rho * sizeof *L->rows);
        L->nrm = malloc(m * sizeof *L->nrm);
        L->s = malloc(m * sizeof *L->s);
        L->id = malloc(m * sizeof *L->id);
        L->inz = malloc(m);
        L->mpos = malloc(W->words * sizeof *L->mpos);
        L->mneg = malloc(W->words * sizeof *L->mneg);
        L->comb = malloc(rho * sizeof *L->comb);
        L->v = malloc(rho * sizeof *L->v);
        ok = L->rows && L->nrm && L->s && L->id && L->inz && L->mpos && L->mneg && L->comb && L->v;
    }
    /* A key is two masks of `words` words: as a pattern set of 128 words bits it has exactly 2 words. */
    if (ok && r >= 3) ok = (W->faces = cr_patterns_alloc(128 * W->words, 1024)) != NULL;
    if (!ok) {
        enumws_free(W);
        return NULL;
    }
    return W;
}

/* Adds every pattern of the level-l arrangement (m rows, rank rho = r - l, no zero row), each combined with
 * the bits in prefix that the enclosing rays fixed.
 * Why this is exact: in an essential arrangement every face F != {0} is a relatively open pointed cone, and
 * its closure contains an extreme ray v, itself a 1-dimensional face. Rows with x'v != 0 have the sign of
 * x'v on all of F; the rows Z with x'v = 0 see F as one of their own faces. Conversely u = v + eps w realizes
 * sign(x'v) off Z and the pattern of w on Z. So patterns = {all ones} union, over the rays +-v (null vectors
 * of rho - 1 independent rows), sign(Xv) off Z times patterns(X_Z). X_Z lies in v's orthogonal complement;
 * dropping the coordinate where |v_j| is largest maps that complement injectively onto R^(rho-1) and keeps
 * x'u for the rows of Z, so the recursion runs on exact copies of the data. */
static int expand(enumws *W, size_t l, size_t m, const uint64_t *prefix);

/* Rank 1: the rows lie on a line; the two half-lines give the patterns (prefix plus the rows >= 0, or <= 0). */
static int line_patterns(enumws *W, level *L, size_t m, const uint64_t *prefix)
{
    const size_t words = W->words;
    int st;
    memcpy(L->mpos, prefix, words * sizeof *prefix);
    memcpy(L->mneg, prefix, words * sizeof *prefix);
    for (size_t k = 0; k < m; k++) {
        if (L->rows[k] >= 0.0) set_bit(L->mpos, L->id[k]);
        if (L->rows[k] <= 0.0) set_bit(L->mneg, L->id[k]);
    }
    if ((st = cr_patterns_add(W->out, L->mpos, W->err)) != CR_OK) return st;
    return cr_patterns_add(W->out, L->mneg, W->err);
}

/* The ray v of the rows comb[0..q-1] (their null vector): the signs s_k = x_k'v and the rows on it (inz). Returns 1
 * when the ray is to be skipped: no null vector, or (rank 2) a line already expanded from an earlier row. */
static int ray_signs(enumws *W, level *L, size_t m, size_t rho, size_t q)
{
    if (null_vector(L->rows, rho, L->comb, L->nrm, L->v, W->hh) <= TOL) return 1;
    double vn = vnorm(L->v, rho);
    for (size_t k = 0; k < m; k++) {
        double s = cr_linalg_dot(L->rows + k * rho, L->v, rho);
        L->s[k] = s;
        L->inz[k] = fabs(s) <= TOL * L->nrm[k] * vn;
    }
    for (size_t i = 0; i < q; i++) L->inz[L->comb[i]] = 1;
    int skip = 0;
    if (rho == 2) {
        /* The line is the perpendicular of row comb[0]: expand it from its first row only (a cheap
         * shortcut; the face index below would also catch the repeats). */
        for (size_t k = 0; k < L->comb[0] && !skip; k++) skip = L->inz[k];
    }
    return skip;
}

/* Off the ray's zero rows, the prefix plus sign(Xv) (mpos for +v, mneg for -v); the zero rows are copied to the next
 * level N without the coordinate where |v_j| is largest. Returns their count. */
static size_t split_on_ray(enumws *W, level *L, level *N, size_t m, size_t rho, const uint64_t *prefix)
{
    const size_t words = W->words;
    size_t jd = 0;
    for (size_t j = 1; j < rho; j++)
        if (fabs(L->v[j]) > fabs(L->v[jd])) jd = j;
    size_t mz = 0;
    memcpy(L->mpos, prefix, words * sizeof *prefix);
    memcpy(L->mneg, prefix, words * sizeof *prefix);
    for (size_t k = 0; k < m; k++) {
        if (L->inz[k]) {
            const double *x = L->rows + k * rho;
            double *y = N->rows + mz * (rho - 1);
            for (size_t j = 0, c = 0; j < rho; j++)
                if (j != jd) y[c++] = x[j];
            N->id[mz++] = L->id[k];
        } else if (L->s[k] > 0.0) {
            set_bit(L->mpos, L->id[k]);
        } else {
            set_bit(L->mneg, L->id[k]);
        }
    }
    return mz;
}

/* Recurses into the faces through +v and -v (mz zero rows at level l + 1), skipping a face already expanded when
 * the face index is kept. */
static int expand_sides(enumws *W, size_t l, size_t mz, int index)
{
    const level *L = &W->lv[l], *N = &W->lv[l + 1];
    const size_t words = W->words;
    int st;
    for (int sgn = 0; sgn < 2; sgn++) {
        const uint64_t *mask = sgn ? L->mneg : L->mpos;
        if (index) {
            memcpy(W->key, mask, words * sizeof *mask);
            memset(W->key + words, 0, words * sizeof *W->key);
            for (size_t i = 0; i < mz; i++) set_bit(W->key + words, N->id[i]);
            size_t before = W->faces->p;
            if ((st = cr_patterns_add(W->faces, W->key, W->err)) != CR_OK) return st;
            if (W->faces->p == before) continue;
        }
        if ((st = expand(W, l + 1, mz, mask)) != CR_OK) return st;
    }
    return CR_OK;
}

/* Adds every pattern of the level-l arrangement (m rows, rank rho = r - l, no zero row), each combined with
 * the bits in prefix that the enclosing rays fixed.
 * Why this is exact: in an essential arrangement every face F != {0} is a relatively open pointed cone, and
 * its closure contains an extreme ray v, itself a 1-dimensional face. Rows with x'v != 0 have the sign of
 * x'v on all of F; the rows Z with x'v = 0 see F as one of their own faces. Conversely u = v + eps w realizes
 * sign(x'v) off Z and the pattern of w on Z. So patterns = {all ones} union, over the rays +-v (null vectors
 * of rho - 1 independent rows), sign(Xv) off Z times patterns(X_Z). X_Z lies in v's orthogonal complement;
 * dropping the coordinate where |v_j| is largest maps that complement injectively onto R^(rho-1) and keeps
 * x'u for the rows of Z, so the recursion runs on exact copies of the data. */
static int expand(enumws *W, size_t l, size_t m, const uint64_t *prefix)
{
    level *L = &W->lv[l];
    size_t rho = W->r - l, words = W->words;
    int st;

    memcpy(L->mpos, prefix, words * sizeof *prefix);
    for (size_t k = 0; k < m; k++) set_bit(L->mpos, L->id[k]);
    if ((st = cr_patterns_add(W->out, L->mpos, W->err)) != CR_OK) return st;
    if (rho == 1) return line_patterns(W, L, m, prefix);

    for (size_t k = 0; k < m; k++) L->nrm[k] = vnorm(L->rows + k * rho, rho);
    size_t q = rho - 1;
    if (m < q) return CR_OK;
    for (size_t i = 0; i < q; i++) L->comb[i] = i;
    /* The face reached through a ray (prefix, sign of v, zero on Z) is reached again along every other
     * chain of rays ending in it (k! chains for a k-face in general position), and degenerate data span
     * one ray by many subsets. Indexing faces by sign vector (positive rows, zero rows) expands each
     * once; the index costs a hash lookup in a table as large as the face count, so it is kept where it
     * saves whole subtrees: at the top (rays, few and with large subtrees) and wherever the subtree below
     * has rank >= 3; below that the repeated work is a few additions to the output set. */
    int index = rho >= 3 && (l == 0 || rho >= 4);
    do {
        if (ray_signs(W, L, m, rho, q)) continue;
        size_t mz = split_on_ray(W, L, &W->lv[l + 1], m, rho, prefix);
        if ((st = expand_sides(W, l, mz, index)) != CR_OK) return st;
    } while (next_comb(L->comb, q, m));
    return CR_OK;
}

int cr_patterns_enumerate(const double *X, size_t n, size_t d, cr_patterns **out, cr_err *err)
{
    if (!out) return cr_err_set(err, CR_EINPUT, "patterns: NULL output");
    *out = NULL;
    if (!X && n * d > 0) return cr_err_set(err, CR_EINPUT, "patterns: NULL data");
    if (!all_finite(X, n * d)) return cr_err_set(err, CR_EINPUT, "patterns: data has a non-finite entry");

    cr_patterns *P = cr_patterns_alloc(n, 64);
    double *Y = malloc((n * d > 0 ? n * d : 1) * sizeof *Y), *C = NULL;
    size_t *id = malloc((n ? n : 1) * sizeof *id), *J = malloc((d ? d : 1) * sizeof *J);
    uint64_t *prefix = calloc(n ? (n + 63) / 64 : 1, sizeof *prefix);
    enumws *W = NULL;
    int st = CR_OK;
    if (!P || !Y || !id || !J || !prefix) {
        st = cr_err_set(err, CR_ERUNTIME, "patterns: out of memory for n = %zu, d = %zu", n, d);
        goto done;
    }
    /* Zero rows are 1 in every pattern; the rest, scaled exactly, make the arrangement. */
    size_t m = scale_rows(X, n, d, Y, id);
    for (size_t k = 0; k < n; k++) set_bit(prefix, k);
    for (size_t i = 0; i < m; i++) prefix[id[i] / 64] &= ~((uint64_t)1 << (id[i] % 64));
    size_t r = cr_patterns_rank(Y, m, d);
    if (r == (size_t)-1) {
        st = cr_err_set(err, CR_ERUNTIME, "patterns: SVD of the %zu x %zu data failed", m, d);
        goto done;
    }
    if (r == 0) {
        /* Every row is zero: D(u) = I for all u. */
        for (size_t k = 0; k < n; k++) set_bit(prefix, k);
        st = cr_patterns_add(P, prefix, err);
        goto done;
    }

    W = enumws_alloc(n, m, r);
    if (!W) {
        st = cr_err_set(err, CR_ERUNTIME, "patterns: out of memory for n = %zu, rank %zu", n, r);
        goto done;
    }
    W->out = P;
    W->err = err;
    level *L0 = &W->lv[0];
    memcpy(L0->id, id, m * sizeof *id);
    if (r == d) {
        for (size_t j = 0; j < d; j++) J[j] = j;
    } else {
        /* Rank-deficient: keep r columns instead of rotating onto the row space, so the data stay exact. */
        if (!(C = malloc(m * d * sizeof *C))) {
            st = cr_err_set(err, CR_ERUNTIME, "patterns: out of memory for n = %zu, d = %zu", n, d);
            goto done;
        }
        select_columns(Y, m, d, r, C, J);
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < r; j++) L0->rows[i * r + j] = Y[i * d + J[j]];
    st = expand(W, 0, m, prefix);

done:
    enumws_free(W);
    free(prefix);
    free(J);
    free(id);
    free(C);
    free(Y);
    if (st != CR_OK) {
        cr_patterns_free(P);
        return st;
    }
    cr_patterns_sort(P);
    *out = P;
    return CR_OK;
}

/* ----------------------------------------------------------------- sampling */

void cr_patterns_direction(const double *X, size_t n, size_t d, const double *u, size_t stride, uint64_t *mask)
{
    memset(mask, 0, ((n + 63) / 64) * sizeof *mask);
    for (size_t k = 0; k < n; k++) {
        double t = 0.0;
        for (size_t r = 0; r < d; r++) t += X[k * d + r] * u[r * stride];
        if (t >= 0.0) set_bit(mask, k);
    }
}

int cr_patterns_sample(const double *X, size_t n, size_t d, size_t samples, gsl_rng *rng, cr_patterns **out,
                       cr_err *err)
{
    if (!out) return cr_err_set(err, CR_EINPUT, "patterns: NULL output");
    *out = NULL;
    if ((!X && n * d > 0) || !rng) return cr_err_set(err, CR_EINPUT, "patterns: NULL data or rng");
    if (!all_finite(X, n * d)) return cr_err_set(err, CR_EINPUT, "patterns: data has a non-finite entry");
    cr_patterns *P = cr_patterns_alloc(n, 64);
    double *u = malloc((d ? d : 1) * sizeof *u);
    size_t words = n ? (n + 63) / 64 : 1;
    uint64_t *mask = malloc(words * sizeof *mask);
    int st = CR_OK;
    if (!P || !u || !mask) {
        st = cr_err_set(err, CR_ERUNTIME, "patterns: out of memory sampling n = %zu", n);
    } else {
        for (size_t t = 0; t < samples && st == CR_OK; t++) {
            for (size_t j = 0; j < d; j++) u[j] = gsl_ran_gaussian(rng, 1.0);
            cr_patterns_direction(X, n, d, u, 1, mask);
            st = cr_patterns_add(P, mask, err);
        }
    }
    free(mask);
    free(u);
    if (st != CR_OK) {
        cr_patterns_free(P);
        return st;
    }
    cr_patterns_sort(P);
    *out = P;
    return CR_OK;
}

/* --------------------------------------------------------- general position */

/* |det| / product of row norms of the r x r matrix A (row-major, destroyed), by Gaussian elimination
 * with partial pivoting. */
static double det_ratio(double *A, size_t r, const double *nrm)
{
    double ratio = 1.0;
    for (size_t i = 0; i < r; i++) ratio /= nrm[i];
    for (size_t c = 0; c < r; c++) {
        size_t p = c;
        for (size_t i = c + 1; i < r; i++)
            if (fabs(A[i * r + c]) > fabs(A[p * r + c])) p = i;
        if (A[p * r + c] == 0.0) return 0.0;
        if (p != c)
            for (size_t j = 0; j < r; j++) {
                double t = A[c * r + j];
                A[c * r + j] = A[p * r + j];
                A[p * r + j] = t;
            }
        ratio *= fabs(A[c * r + c]);
        for (size_t i = c + 1; i < r; i++) {
            double f = A[i * r + c] / A[c * r + c];
            for (size_t j = c; j < r; j++) A[i * r + j] -= f * A[c * r + j];
        }
    }
    return ratio;
}

/* Rank of the exactly row-scaled data (see scale_rows): the rank the enumeration uses. Y is n x d scratch. */
static size_t scaled_rank(const double *X, size_t n, size_t d, double *Y)
{
    size_t m = scale_rows(X, n, d, Y, NULL);
    return cr_patterns_rank(Y, m, d);
}

/* Every r-subset of rows is tested: r = 2 and 3 by closed-form determinants, larger r by elimination. */
int cr_patterns_general_position(const double *X, size_t n, size_t d)
{
    if (n == 0) return 1;
    if (d == 0 || !X || !all_finite(X, n * d)) return 0;
    double *S = malloc(n * d * sizeof *S), *C = malloc(n * d * sizeof *C), *nrm = malloc(n * sizeof *nrm);
    double *Y = NULL, *A = NULL, *an = NULL;
    size_t *J = malloc(d * sizeof *J), *c = NULL, r = 0;
    int gp = -1;
    if (!S || !C || !nrm || !J) goto done;
    gp = 0;
    if (scale_rows(X, n, d, S, NULL) < n) goto done; /* a zero row */
    r = cr_patterns_rank(S, n, d);
    if (r == (size_t)-1) {
        gp = -1;
        goto done;
    }
    Y = malloc(n * r * sizeof *Y);
    A = malloc(r * r * sizeof *A);
    an = malloc(r * sizeof *an);
    c = malloc(r * sizeof *c);
    if (!Y || !A || !an || !c) {
        gp = -1;
        goto done;
    }
    select_columns(S, n, d, r, C, J);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r; j++) Y[i * r + j] = S[i * d + J[j]];
        nrm[i] = vnorm(Y + i * r, r);
    }
    if (r == 2) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                const double *a = Y + 2 * i, *b = Y + 2 * j;
                if (fabs(a[0] * b[1] - a[1] * b[0]) <= TOL * nrm[i] * nrm[j]) goto done;
            }
    } else if (r == 3) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                const double *a = Y + 3 * i, *b = Y + 3 * j;
                double x[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
                double s = TOL * nrm[i] * nrm[j];
                for (size_t k = j + 1; k < n; k++)
                    if (fabs(cr_linalg_dot(x, Y + 3 * k, 3)) <= s * nrm[k]) goto done;
            }
    } else if (r >= 4) {
        for (size_t i = 0; i < r; i++) c[i] = i;
        do {
            for (size_t i = 0; i < r; i++) {
                memcpy(A + i * r, Y + c[i] * r, r * sizeof *A);
                an[i] = nrm[c[i]];
            }
            if (det_ratio(A, r, an) <= TOL) goto done;
        } while (next_comb(c, r, n));
    }
    gp = 1;
done:
    free(c);
    free(an);
    free(A);
    free(Y);
    free(J);
    free(nrm);
    free(C);
    free(S);
    return gp;
}

/* ------------------------------------------------------------- Gordan test */

/* Some u has X u > 0 iff 0 is not in the convex hull of the rows (Gordan). Rows are normalized first (the
 * question is scale-free per row), then Lawson and Hanson's least distance program min ||u|| s.t. X u >= 1
 * is solved through NNLS: min_{lambda >= 0} ||[X'; 1'] lambda - e||. Its residual norm is
 * delta / sqrt(1 + delta^2), delta the distance from 0 to the hull of the unit rows, which is also the best
 * margin max_{||u|| = 1} min_k x_k'u. Open iff delta exceeds TOL (the enumeration's tolerance for x'u = 0)
 * plus the rounding of the residual (about n eps: entries of A and lambda are at most 1).
 * Deciding by the residual, not by checking the u it yields: that u's direction is only accurate to
 * ~eps / delta, so for delta below ~1e-8 it can fail to separate although delta is clearly positive. */
int cr_patterns_allones_open(const double *X, size_t n, size_t d)
{
    if (n == 0) return 1;
    if (d == 0 || !X || !all_finite(X, n * d)) return 0;
    double *A = malloc((d + 1) * n * sizeof *A), *S = malloc(n * d * sizeof *S);
    double *b = calloc(d + 1, sizeof *b), *lam = malloc(n * sizeof *lam);
    cr_nnls_work *w = cr_nnls_alloc(d + 1, n);
    int open = -1;
    if (!A || !S || !b || !lam || !w) goto done;
    open = 0;
    if (scale_rows(X, n, d, S, NULL) < n) goto done; /* a zero row has x'u = 0 for every u */
    for (size_t k = 0; k < n; k++) {
        double nk = vnorm(S + k * d, d);
        for (size_t j = 0; j < d; j++) A[j * n + k] = S[k * d + j] / nk;
        A[d * n + k] = 1.0;
    }
    b[d] = 1.0;
    double res;
    if (cr_nnls_solve(w, A, d + 1, n, b, lam, &res, NULL) != CR_OK) {
        open = -1;
        goto done;
    }
    open = res > TOL + 4.0 * (double)(n + d + 1) * DBL_EPSILON;
done:
    cr_nnls_free(w);
    free(lam);
    free(b);
    free(S);
    free(A);
    return open;
}

double cr_patterns_closed_form(const double *X, size_t n, size_t d)
{
    if ((!X && n * d > 0) || !all_finite(X, n * d)) return NAN;
    double *Y = malloc((n * d > 0 ? n * d : 1) * sizeof *Y);
    size_t r = Y ? scaled_rank(X, n, d, Y) : (size_t)-1;
    free(Y);
    int open = cr_patterns_allones_open(X, n, d);
    if (r == (size_t)-1 || open < 0) return NAN;
    return cr_patterns_regions_general(n, r) + (open ? 0.0 : 1.0);
}
