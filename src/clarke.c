/* Clarke stationarity of L_beta (see clarke.h, docs/MATH.md: Clarke stationary points).
 * The least-squares problem over the multiplier polytope is solved by a primal active-set method: the working set
 * W holds tight constraints with linearly independent normals; on the face {A_W z = b_W} the objective is
 * minimized by a minimum-norm least-squares solve in a basis Z of the null space of A_W (QR of A_W'), then a
 * ratio test stops at the first constraint crossed, which joins W; at a face minimum the multipliers of W
 * (least squares on A_W' lambda = -grad) decide: all >= 0 is optimal, else the most negative one leaves W. The
 * objective strictly decreases between visits of a face, so the method ends (Nocedal and Wright, Numerical
 * Optimization, 2nd ed., section 16.5; a semidefinite Hessian G'G is handled by the minimum-norm solve). */
#include "clarke.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "loss.h"

/* ------------------------------------------------------------------------ the least-squares problem */

/* Constraint c of the polytope, as a'z <= b: c < K: -z_c <= 0; K <= c < 2K: z_{c-K} <= 1; 2K + q: z_k - z_{parent
 * k} <= 0 for the q-th variable k with a parent (child[q]). */
typedef struct {
    size_t K, npair;
    const size_t *child; /* npair: the variables with a parent; does not own */
    const long *parent;  /* does not own */
} polytope;

static double con_dot(const polytope *P, size_t c, const double *x)
{
    if (c < P->K) return -x[c];
    if (c < 2 * P->K) return x[c - P->K];
    size_t k = P->child[c - 2 * P->K];
    return x[k] - x[P->parent[k]];
}

static double con_rhs(const polytope *P, size_t c) { return (c >= P->K && c < 2 * P->K) ? 1.0 : 0.0; }

static void con_row(const polytope *P, size_t c, double *row)
{
    memset(row, 0, P->K * sizeof *row);
    if (c < P->K) row[c] = -1.0;
    else if (c < 2 * P->K) row[c - P->K] = 1.0;
    else {
        size_t k = P->child[c - 2 * P->K];
        row[k] = 1.0;
        row[P->parent[k]] = -1.0;
    }
}

/* The nearest point of the polytope (bounds, then z_k <= z_parent): keeps z feasible against rounding. */
static void clamp(const polytope *P, double *z)
{
    for (size_t k = 0; k < P->K; k++) z[k] = fmin(1.0, fmax(0.0, z[k]));
    for (size_t q = 0; q < P->npair; q++) {
        size_t k = P->child[q];
        if (z[k] > z[P->parent[k]]) z[k] = z[P->parent[k]];
    }
}

/* w = g0 + G z. */
static void element(size_t p, size_t K, const double *g0, const double *G, const double *z, double *w)
{
    memcpy(w, g0, p * sizeof *w);
    for (size_t k = 0; k < K; k++)
        if (z[k] != 0.0)
            for (size_t i = 0; i < p; i++) w[i] += z[k] * G[k * p + i];
}

static double norm2(const double *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    return sqrt(s);
}

/* min over the polytope of c'z: per root, min(0, c_root + sum over its children of min(0, c_child)). acc (K)
 * is scratch. */
static double polytope_min(const polytope *P, const double *c, double *acc)
{
    memset(acc, 0, P->K * sizeof *acc);
    for (size_t q = 0; q < P->npair; q++) {
        size_t k = P->child[q];
        acc[P->parent[k]] += fmin(0.0, c[k]);
    }
    double s = 0.0;
    for (size_t k = 0; k < P->K; k++)
        if (!P->parent || P->parent[k] < 0) s += fmin(0.0, c[k] + acc[k]);
    return s;
}

typedef struct {
    gsl_matrix *M;   /* K x K: A_W' (first nw columns), factored by QR */
    gsl_vector *tau; /* K */
    gsl_matrix *Q;   /* K x K */
    gsl_matrix *R;   /* K x K */
    gsl_matrix *B;   /* max(p, K) x max(p, K): G Z or its transpose, then U of its SVD */
    gsl_matrix *V;   /* max(p, K) x max(p, K) */
    gsl_vector *S;   /* max(p, K) */
    double *Z;       /* K x K row-major: null-space basis, q columns */
    double *y, *d, *grad, *lam, *row, *r, *acc;
} ls_work;

static void ls_work_free(ls_work *s)
{
    if (s->M) gsl_matrix_free(s->M);
    if (s->tau) gsl_vector_free(s->tau);
    if (s->Q) gsl_matrix_free(s->Q);
    if (s->R) gsl_matrix_free(s->R);
    if (s->B) gsl_matrix_free(s->B);
    if (s->V) gsl_matrix_free(s->V);
    if (s->S) gsl_vector_free(s->S);
    free(s->Z);
    free(s->y);
    free(s->d);
    free(s->grad);
    free(s->lam);
    free(s->row);
    free(s->r);
    free(s->acc);
}

static int ls_work_alloc(ls_work *s, size_t p, size_t K)
{
    memset(s, 0, sizeof *s);
    size_t mx = p > K ? p : K;
    s->M = gsl_matrix_alloc(K, K);
    s->tau = gsl_vector_alloc(K);
    s->Q = gsl_matrix_alloc(K, K);
    s->R = gsl_matrix_alloc(K, K);
    s->B = gsl_matrix_alloc(mx, mx);
    s->V = gsl_matrix_alloc(mx, mx);
    s->S = gsl_vector_alloc(mx);
    s->Z = malloc(K * K * sizeof *s->Z);
    s->y = malloc(mx * sizeof *s->y);
    s->d = malloc(K * sizeof *s->d);
    s->grad = malloc(K * sizeof *s->grad);
    s->lam = malloc(3 * K * sizeof *s->lam);
    s->row = malloc(K * sizeof *s->row);
    s->r = malloc(p * sizeof *s->r);
    s->acc = malloc(K * sizeof *s->acc);
    return s->M && s->tau && s->Q && s->R && s->B && s->V && s->S && s->Z && s->y && s->d && s->grad && s->lam &&
           s->row && s->r && s->acc;
}

/* QR of A_W' (K x nw, columns = normals of the working set) into s->M, s->tau (views of the first nw columns). */
static int factor_working(ls_work *s, const polytope *P, const size_t *W, size_t nw)
{
    size_t K = P->K;
    gsl_matrix_view Mv = gsl_matrix_submatrix(s->M, 0, 0, K, nw);
    for (size_t a = 0; a < nw; a++) {
        con_row(P, W[a], s->row);
        for (size_t k = 0; k < K; k++) gsl_matrix_set(&Mv.matrix, k, a, s->row[k]);
    }
    gsl_vector_view tv = gsl_vector_subvector(s->tau, 0, nw);
    return gsl_linalg_QR_decomp(&Mv.matrix, &tv.vector);
}

/* The face step: d = Z y with y the minimum-norm minimizer of ||r + G Z y||; returns the number q of null-space
 * directions (0: d = 0). */
static int face_step(ls_work *s, const polytope *P, size_t p, const double *G, const size_t *W, size_t nw,
                     size_t *qout)
{
    size_t K = P->K, q = K - nw;
    memset(s->d, 0, K * sizeof *s->d);
    *qout = q;
    if (q == 0) return GSL_SUCCESS;
    /* Z: the last q columns of Q from the QR of A_W' (the identity when W is empty). */
    if (nw == 0) {
        memset(s->Z, 0, K * K * sizeof *s->Z);
        for (size_t k = 0; k < K; k++) s->Z[k * K + k] = 1.0;
    } else {
        int st = factor_working(s, P, W, nw);
        if (st) return st;
        gsl_matrix_view Mv = gsl_matrix_submatrix(s->M, 0, 0, K, nw);
        gsl_vector_view tv = gsl_vector_subvector(s->tau, 0, nw);
        gsl_matrix_view Rv = gsl_matrix_submatrix(s->R, 0, 0, K, nw);
        st = gsl_linalg_QR_unpack(&Mv.matrix, &tv.vector, s->Q, &Rv.matrix);
        if (st) return st;
        for (size_t k = 0; k < K; k++)
            for (size_t l = 0; l < q; l++) s->Z[k * K + l] = gsl_matrix_get(s->Q, k, nw + l);
    }
    /* B = G Z (p x q): column l = sum_k Z_kl g_k. */
    const int tall = p >= q;
    gsl_matrix_view Bv = tall ? gsl_matrix_submatrix(s->B, 0, 0, p, q) : gsl_matrix_submatrix(s->B, 0, 0, q, p);
    gsl_matrix *B = &Bv.matrix;
    gsl_matrix_set_zero(B);
    for (size_t k = 0; k < K; k++)
        for (size_t l = 0; l < q; l++) {
            double zkl = s->Z[k * K + l];
            if (zkl == 0.0) continue;
            for (size_t i = 0; i < p; i++) {
                double *e = tall ? gsl_matrix_ptr(B, i, l) : gsl_matrix_ptr(B, l, i);
                *e += zkl * G[k * p + i];
            }
        }
    size_t cols = tall ? q : p;
    gsl_matrix_view Vv = gsl_matrix_submatrix(s->V, 0, 0, cols, cols);
    gsl_vector_view Sv = gsl_vector_subvector(s->S, 0, cols);
    int st = gsl_linalg_SV_decomp_jacobi(B, &Vv.matrix, &Sv.vector);
    if (st) return st;
    /* tall: G Z = U S V', y = -V S^+ U' r; wide: (G Z)' = U S V', G Z = V S U', y = -U S^+ V' r. */
    double smax = 0.0;
    for (size_t a = 0; a < cols; a++) smax = fmax(smax, gsl_vector_get(&Sv.vector, a));
    double thr = (double)(p > q ? p : q) * DBL_EPSILON * smax;
    memset(s->y, 0, q * sizeof *s->y);
    for (size_t a = 0; a < cols; a++) {
        double sa = gsl_vector_get(&Sv.vector, a);
        if (!(sa > thr)) continue;
        double c = 0.0;
        for (size_t i = 0; i < p; i++)
            c += (tall ? gsl_matrix_get(B, i, a) : gsl_matrix_get(&Vv.matrix, i, a)) * s->r[i];
        c /= sa;
        for (size_t l = 0; l < q; l++)
            s->y[l] -= c * (tall ? gsl_matrix_get(&Vv.matrix, l, a) : gsl_matrix_get(B, l, a));
    }
    for (size_t k = 0; k < K; k++) {
        double a = 0.0;
        for (size_t l = 0; l < q; l++) a += s->Z[k * K + l] * s->y[l];
        s->d[k] = a;
    }
    return GSL_SUCCESS;
}

/* Checks that every parent is -1 or a variable without a parent; *npair = the variables with a parent. */
static int check_parents(size_t K, const long *parent, size_t *npair, cr_err *err)
{
    *npair = 0;
    for (size_t k = 0; parent && k < K; k++) {
        long a = parent[k];
        if (a < -1 || a >= (long)K || a == (long)k || (a >= 0 && parent[a] >= 0))
            return cr_err_set(err, CR_EINPUT,
                              "clarke least squares: parent[%zu] = %ld is not -1 or a variable without a parent",
                              k, a);
        if (a >= 0) (*npair)++;
    }
    return CR_OK;
}

/* The active-set state: the work space, the polytope and the working set W (nw constraints, inW marks them). */
typedef struct {
    ls_work s;
    polytope P;
    size_t *child, *W;
    unsigned char *inW;
    size_t ncon, nw;
    long dropped;   /* the constraint that just left W: by convexity the next face step moves away from it */
    int at_min;     /* at the minimum of the current face */
    double lam_tol; /* multipliers above -lam_tol count as >= 0 */
} ls_state;

static void ls_state_free(ls_state *L)
{
    ls_work_free(&L->s);
    free(L->child);
    free(L->W);
    free(L->inW);
}

/* Allocates the state and starts at the vertex z = 0 with the lower bounds as the working set. */
static int ls_state_init(ls_state *L, size_t p, size_t K, size_t npair, const long *parent, cr_err *err)
{
    memset(L, 0, sizeof *L);
    L->child = malloc((npair ? npair : 1) * sizeof *L->child);
    L->ncon = 2 * K + npair;
    L->W = malloc(L->ncon * sizeof *L->W);
    L->inW = calloc(L->ncon, 1);
    int ok = ls_work_alloc(&L->s, p, K);
    if (!L->child || !L->W || !L->inW || !ok) {
        ls_state_free(L);
        return cr_err_set(err, CR_ERUNTIME, "clarke least squares: out of memory (p = %zu, K = %zu)", p, K);
    }
    for (size_t k = 0, q = 0; parent && k < K; k++)
        if (parent[k] >= 0) L->child[q++] = k;
    L->P = (polytope){K, npair, L->child, parent};
    for (size_t k = 0; k < K; k++) {
        L->W[L->nw++] = k;
        L->inW[k] = 1;
    }
    L->dropped = -1;
    return CR_OK;
}

/* Tolerance on the multipliers from the scale of the rounding in w = g0 + G z. */
static double multiplier_tol(size_t p, size_t K, const double *g0, const double *G)
{
    double gscale = norm2(g0, p), gkmax = 0.0;
    for (size_t k = 0; k < K; k++) {
        double nk = norm2(G + k * p, p);
        gscale += nk;
        gkmax = fmax(gkmax, nk);
    }
    return 1e3 * DBL_EPSILON * gkmax * gscale;
}

/* One step towards the minimum of the current face: the face direction, the ratio test, and the blocking constraint
 * (if any) joins W; without one the face minimum is reached. */
static int face_move(ls_state *L, size_t p, size_t K, const double *G, double *z, cr_err *err)
{
    ls_work *s = &L->s;
    size_t q;
    if (face_step(s, &L->P, p, G, L->W, L->nw, &q) != GSL_SUCCESS)
        return cr_err_set(err, CR_ERUNTIME, "clarke least squares: QR or SVD failed (K = %zu, face of %zu)", K, q);
    double dmax = 0.0;
    for (size_t k = 0; k < K; k++) dmax = fmax(dmax, fabs(s->d[k]));
    double alpha = 1.0;
    long block = -1;
    for (size_t c = 0; dmax > 0.0 && c < L->ncon; c++) {
        if (L->inW[c] || (long)c == L->dropped) continue;
        double ad = con_dot(&L->P, c, s->d);
        if (!(ad > 64 * DBL_EPSILON * dmax)) continue;
        double slack = fmax(0.0, con_rhs(&L->P, c) - con_dot(&L->P, c, z));
        double t = slack / ad;
        if (t < alpha) {
            alpha = t;
            block = (long)c;
        }
    }
    for (size_t k = 0; k < K; k++) z[k] += alpha * s->d[k];
    clamp(&L->P, z);
    L->dropped = -1;
    if (block >= 0) {
        L->W[L->nw++] = (size_t)block;
        L->inW[block] = 1;
    } else {
        L->at_min = 1;
    }
    return CR_OK;
}

/* At the minimum of the face: the multipliers from A_W' lambda = -grad, grad = G r; *optimal = 1 when all are >= 0
 * (or W is empty: an interior minimum, the global one), else the most negative one leaves W. */
static int release_constraint(ls_state *L, size_t p, size_t K, const double *G, int *optimal, cr_err *err)
{
    ls_work *s = &L->s;
    *optimal = 0;
    for (size_t k = 0; k < K; k++) {
        double a = 0.0;
        for (size_t i = 0; i < p; i++) a += G[k * p + i] * s->r[i];
        s->grad[k] = a;
    }
    if (L->nw == 0) {
        *optimal = 1;
        return CR_OK;
    }
    if (factor_working(s, &L->P, L->W, L->nw) != GSL_SUCCESS)
        return cr_err_set(err, CR_ERUNTIME, "clarke least squares: QR of the working set failed");
    gsl_matrix_view Mv = gsl_matrix_submatrix(s->M, 0, 0, K, L->nw);
    gsl_vector_view tv = gsl_vector_subvector(s->tau, 0, L->nw);
    gsl_vector_view bv = gsl_vector_view_array(s->grad, K);
    gsl_vector_view lv = gsl_vector_view_array(s->lam, L->nw);
    gsl_vector_view resv = gsl_vector_view_array(s->acc, K);
    gsl_vector_scale(&bv.vector, -1.0);
    if (gsl_linalg_QR_lssolve(&Mv.matrix, &tv.vector, &bv.vector, &lv.vector, &resv.vector) != GSL_SUCCESS)
        return cr_err_set(err, CR_ERUNTIME, "clarke least squares: multiplier solve failed");
    size_t drop = L->nw;
    double worst = -L->lam_tol;
    for (size_t a = 0; a < L->nw; a++)
        if (s->lam[a] < worst) {
            worst = s->lam[a];
            drop = a;
        }
    if (drop == L->nw) {
        *optimal = 1;
        return CR_OK;
    }
    L->inW[L->W[drop]] = 0;
    L->dropped = (long)L->W[drop];
    L->W[drop] = L->W[--L->nw];
    L->at_min = 0;
    return CR_OK;
}

/* The element w = g0 + G z at the solution, its norm and the lower bound of clarke.h. */
static void ls_finish(ls_state *L, size_t p, size_t K, const double *g0, const double *G, const double *z, double *w,
                      long it, cr_clarke_ls_info *info)
{
    ls_work *s = &L->s;
    element(p, K, g0, G, z, w);
    double nrm = norm2(w, p), lower = 0.0;
    if (nrm > 0.0) {
        for (size_t k = 0; k < K; k++) {
            double a = 0.0;
            for (size_t i = 0; i < p; i++) a += G[k * p + i] * w[i];
            s->grad[k] = a;
        }
        double mval = 0.0;
        for (size_t i = 0; i < p; i++) mval += w[i] * g0[i];
        mval += polytope_min(&L->P, s->grad, s->acc);
        lower = fmax(0.0, mval) / nrm;
    }
    if (info) {
        info->norm = nrm;
        info->lower = fmin(lower, nrm);
        info->iterations = it;
    }
}

int cr_clarke_ls(size_t p, size_t K, const double *g0, const double *G, const long *parent, double *z, double *w,
                 cr_clarke_ls_info *info, cr_err *err)
{
    if (info) memset(info, 0, sizeof *info);
    size_t npair;
    int st = check_parents(K, parent, &npair, err);
    if (st) return st;
    for (size_t k = 0; k < K; k++) z[k] = 0.0;
    if (K == 0) {
        memcpy(w, g0, p * sizeof *w);
        double nw0 = norm2(w, p);
        if (info) info->norm = info->lower = nw0;
        return CR_OK;
    }
    ls_state L;
    if ((st = ls_state_init(&L, p, K, npair, parent, err))) return st;
    L.lam_tol = multiplier_tol(p, K, g0, G);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    long it = 0, max_it = 20 * (3 * (long)K + 10);
    for (int optimal = 0; !st && !optimal; it++) {
        if (it >= max_it) {
            st = cr_err_set(err, CR_ERUNTIME, "clarke least squares: no convergence in %ld active-set steps (K = %zu)",
                            max_it, K);
            break;
        }
        element(p, K, g0, G, z, L.s.r);
        if (!L.at_min) st = face_move(&L, p, K, G, z, err);
        else st = release_constraint(&L, p, K, G, &optimal, err);
    }
    gsl_set_error_handler(old);
    if (!st) ls_finish(&L, p, K, g0, G, z, w, it - 1, info);
    ls_state_free(&L);
    return st;
}

/* --------------------------------------------------------------------------------- a network's measure */

/* Pre-activations H (n x m) = X W1 and row norms xn (n), plain loops. */
static void preact(const cr_net *net, const double *X, size_t n, double *H, double *xn)
{
    const size_t d = net->d, m = net->m;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t k = 0; k < d; k++) s += X[i * d + k] * X[i * d + k];
        xn[i] = sqrt(s);
        for (size_t j = 0; j < m; j++) {
            double h = 0.0;
            for (size_t k = 0; k < d; k++) h += X[i * d + k] * net->W1[k * m + j];
            H[i * m + j] = h;
        }
    }
}

static int relu_kink(double h, double xn, double tol) { return xn > 0.0 && fabs(h) <= tol * xn; }

static double neuron_w1norm(const cr_net *net, size_t j)
{
    double s = 0.0;
    for (size_t k = 0; k < net->d; k++) s += net->W1[k * net->m + j] * net->W1[k * net->m + j];
    return sqrt(s);
}

/* Appends vector a (len) to the orthonormal rows of Qb (*nq of them) by modified Gram-Schmidt; returns 0 when a
 * lies (relative 1e-8) in their span. */
static int mgs_add(double *Qb, size_t *nq, size_t len, const double *a)
{
    double *q = Qb + *nq * len;
    memcpy(q, a, len * sizeof *q);
    double n0 = norm2(q, len);
    if (n0 == 0.0) return 0;
    for (size_t b = 0; b < *nq; b++) {
        const double *e = Qb + b * len;
        double c = 0.0;
        for (size_t i = 0; i < len; i++) c += e[i] * q[i];
        for (size_t i = 0; i < len; i++) q[i] -= c * e[i];
    }
    double n1 = norm2(q, len);
    if (!(n1 > 1e-8 * n0)) return 0;
    for (size_t i = 0; i < len; i++) q[i] /= n1;
    (*nq)++;
    return 1;
}

/* The measure's work: pre-activations, outputs, kinks, the base gradient g0 and the generators G of the polytope. */
typedef struct {
    size_t n, d, m, P, K;
    double *H, *xn, *f, *dl, *g0, *gf, *G, *z, *wv, *Qb;
    long *tidx, *parent; /* tidx: per sample, its hinge kink's variable (-1 when none); parent as cr_clarke_ls */
    unsigned char *hk;   /* per sample: on the hinge's kink */
    double kmax, fmin_d, live_min, dead_max;
    size_t nrelu, nhinge, ndouble, live, maxnk;
} cn_work;

static void cn_free(cn_work *c)
{
    free(c->H), free(c->xn), free(c->f), free(c->dl), free(c->g0), free(c->gf), free(c->G), free(c->z);
    free(c->wv), free(c->Qb), free(c->tidx), free(c->parent), free(c->hk);
}

/* Pre-activations, outputs f and the loss derivative dl = l'(f). */
static void network_outputs(const cr_net *net, const double *X, const double *y, const cr_net_obj *obj, cn_work *c)
{
    const size_t n = c->n, m = c->m;
    preact(net, X, n, c->H, c->xn);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < m; j++) s += fmax(c->H[i * m + j], 0.0) * net->w2[j];
        c->f[i] = s;
    }
    cr_loss_grad(obj->loss, c->f, y, n, c->dl);
}

/* Kinks and their distances. grad_theta f_i: w1_j block w2_j s_ij x_i, w2 block (x_i'w1_j)_+, with s_ij = 1 on the
 * ReLU's kink (the largest norm: the nearest the hinge's kink surface can be). */
static void find_kinks(const cr_net *net, const double *y, double tol, int hinge, cn_work *c)
{
    const size_t n = c->n, m = c->m;
    const double *H = c->H, *xn = c->xn;
    c->kmax = 0.0, c->fmin_d = INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            if (!(xn[i] > 0.0)) continue;
            double dist = fabs(H[i * m + j]) / xn[i];
            if (dist <= tol) {
                c->nrelu++;
                c->kmax = fmax(c->kmax, dist);
            } else {
                c->fmin_d = fmin(c->fmin_d, dist);
            }
        }
    for (size_t i = 0; hinge && i < n; i++) {
        double s2 = 0.0;
        for (size_t j = 0; j < m; j++) {
            double h = H[i * m + j];
            s2 += fmax(h, 0.0) * fmax(h, 0.0);
            if (h > 0.0 || relu_kink(h, xn[i], tol)) s2 += net->w2[j] * net->w2[j] * xn[i] * xn[i];
        }
        double gap = fabs(y[i] * c->f[i] - 1.0), gn = sqrt(s2);
        double dist = gap == 0.0 ? 0.0 : (gn > 0.0 ? gap / gn : INFINITY);
        if (dist <= tol) {
            c->hk[i] = 1;
            c->nhinge++;
            c->kmax = fmax(c->kmax, dist);
        } else {
            c->fmin_d = fmin(c->fmin_d, dist);
        }
    }
}

/* Live neurons (||w1_j|| and |w2_j| above tol): their smallest norm, the largest dead one, the most kinks of one. */
static void neuron_census(const cr_net *net, double tol, cn_work *c)
{
    c->live_min = INFINITY, c->dead_max = 0.0;
    for (size_t j = 0; j < c->m; j++) {
        double a = neuron_w1norm(net, j), nj = hypot(a, net->w2[j]);
        if (!(a > tol && fabs(net->w2[j]) > tol)) {
            c->dead_max = fmax(c->dead_max, nj);
            continue;
        }
        c->live_min = fmin(c->live_min, nj);
        c->live++;
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) k += (size_t)relu_kink(c->H[i * c->m + j], c->xn[i], tol);
        if (k > c->maxnk) c->maxnk = k;
    }
}

/* g0: the gradient with s = t = 0 on the kinks (r_i = lw l'(f_i), 0 at a hinge kink), plus beta theta. */
static void base_gradient(const cr_net *net, const double *X, const cr_net_obj *obj, double tol, cn_work *c)
{
    const size_t n = c->n, d = c->d, m = c->m;
    for (size_t i = 0; i < n; i++) {
        double ri = c->hk[i] ? 0.0 : obj->loss_weight * c->dl[i];
        if (ri == 0.0) continue;
        for (size_t j = 0; j < m; j++) {
            double h = c->H[i * m + j];
            if (h > 0.0) c->g0[d * m + j] += ri * h;
            if (h > 0.0 && !relu_kink(h, c->xn[i], tol))
                for (size_t k = 0; k < d; k++) c->g0[k * m + j] += ri * net->w2[j] * X[i * d + k];
        }
    }
    for (size_t k = 0; k < c->P; k++) c->g0[k] += obj->beta * net->theta[k];
}

/* Generators: a hinge kink i (t_i), then each ReLU kink (i, j) (s_ij, or z_ij <= t_i on a hinge kink). */
static int generators(const cr_net *net, const double *X, const double *y, const cr_net_obj *obj, double tol,
                      cn_work *c, cr_err *err)
{
    const size_t n = c->n, d = c->d, m = c->m, P = c->P, K = c->nhinge + c->nrelu;
    const double lw = obj->loss_weight;
    c->K = K;
    c->G = calloc((K ? K : 1) * P, sizeof *c->G);
    c->parent = malloc((K ? K : 1) * sizeof *c->parent);
    c->z = malloc((K ? K : 1) * sizeof *c->z);
    c->wv = malloc(P * sizeof *c->wv);
    c->Qb = malloc((K ? K : 1) * P * sizeof *c->Qb);
    if (!c->G || !c->parent || !c->z || !c->wv || !c->Qb)
        return cr_err_set(err, CR_ERUNTIME, "clarke measure: out of memory (%zu kinks)", K);
    size_t kk = 0;
    for (size_t i = 0; i < n; i++) {
        c->tidx[i] = -1;
        if (!c->hk[i]) continue;
        c->tidx[i] = (long)kk;
        double *col = c->G + kk * P, a = -lw * y[i];
        for (size_t j = 0; j < m; j++) {
            double h = c->H[i * m + j];
            if (h > 0.0) col[d * m + j] = a * h;
            if (h > 0.0 && !relu_kink(h, c->xn[i], tol))
                for (size_t k = 0; k < d; k++) col[k * m + j] = a * net->w2[j] * X[i * d + k];
        }
        c->parent[kk++] = -1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            if (!relu_kink(c->H[i * m + j], c->xn[i], tol)) continue;
            double *col = c->G + kk * P, a = c->hk[i] ? -lw * y[i] : lw * c->dl[i];
            for (size_t k = 0; k < d; k++) col[k * m + j] = a * net->w2[j] * X[i * d + k];
            c->parent[kk++] = c->hk[i] ? c->tidx[i] : -1;
            if (c->hk[i]) c->ndouble++;
        }
    return CR_OK;
}

/* Exactness: the normals of the kink surfaces (x_i in the w1_j block for neurons with |w2_j| > tol, and
 * grad_theta f_i for the hinge's kinks) linearly independent, so that every side combination is reached. */
static int kinks_exact(const cr_net *net, const double *X, double tol, cn_work *c)
{
    const size_t n = c->n, d = c->d, m = c->m, P = c->P;
    double *gf = c->gf;
    int exact = 1;
    size_t nq = 0;
    for (size_t i = 0; exact && i < n; i++) {
        if (c->hk[i]) {
            for (size_t k = 0; k < P; k++) gf[k] = 0.0;
            for (size_t j = 0; j < m; j++) {
                double h = c->H[i * m + j];
                gf[d * m + j] = fmax(h, 0.0);
                if (h > 0.0 || relu_kink(h, c->xn[i], tol))
                    for (size_t k = 0; k < d; k++) gf[k * m + j] = net->w2[j] * X[i * d + k];
            }
            exact = mgs_add(c->Qb, &nq, P, gf);
        }
        for (size_t j = 0; exact && j < m; j++) {
            if (!relu_kink(c->H[i * m + j], c->xn[i], tol) || !(fabs(net->w2[j]) > tol)) continue;
            for (size_t k = 0; k < P; k++) gf[k] = 0.0;
            for (size_t k = 0; k < d; k++) gf[k * m + j] = X[i * d + k];
            exact = mgs_add(c->Qb, &nq, P, gf);
        }
    }
    return exact;
}

static void fill_info(const cn_work *c, const cr_clarke_ls_info *li, int exact, cr_clarke_info *info)
{
    info->measure = li->norm;
    info->lower = li->lower;
    info->grad_norm = norm2(c->g0, c->P);
    info->relu_kinks = c->nrelu;
    info->hinge_kinks = c->nhinge;
    info->double_kinks = c->ndouble;
    info->live = c->live;
    info->max_neuron_kinks = c->maxnk;
    info->exact = exact;
    info->kink_dist_max = c->kmax;
    info->free_dist_min = c->fmin_d;
    info->live_norm_min = c->live_min;
    info->dead_norm_max = c->dead_max;
    info->iterations = li->iterations;
}

int cr_clarke_network(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *obj,
                      double tol, double *g, double *v, cr_clarke_info *info, cr_err *err)
{
    if (!net || !X || !y || !obj || n == 0)
        return cr_err_set(err, CR_EINPUT, "clarke measure: missing network, data or objective");
    if (!(tol > 0.0 && isfinite(tol))) return cr_err_set(err, CR_EINPUT, "clarke measure: tol = %g must be > 0", tol);
    if (!(obj->beta >= 0.0) || !(obj->loss_weight > 0.0) || (int)obj->loss < 0 || obj->loss > CR_LOSS_HINGE)
        return cr_err_set(err, CR_EINPUT, "clarke measure: bad objective (beta >= 0, loss weight > 0, a known loss)");
    const size_t d = net->d, m = net->m, P = d * m + m;
    cn_work c = {.n = n, .d = d, .m = m, .P = P};
    c.H = malloc(n * m * sizeof *c.H), c.xn = malloc(n * sizeof *c.xn), c.f = malloc(n * sizeof *c.f);
    c.dl = malloc(n * sizeof *c.dl), c.g0 = calloc(P, sizeof *c.g0), c.gf = malloc(P * sizeof *c.gf);
    c.tidx = malloc(n * sizeof *c.tidx);
    c.hk = calloc(n, 1);
    int st = CR_OK;
    if (!c.H || !c.xn || !c.f || !c.dl || !c.g0 || !c.gf || !c.tidx || !c.hk) {
        st = cr_err_set(err, CR_ERUNTIME, "clarke measure: out of memory (n = %zu, m = %zu)", n, m);
        goto done;
    }
    network_outputs(net, X, y, obj, &c);
    find_kinks(net, y, tol, obj->loss == CR_LOSS_HINGE, &c);
    neuron_census(net, tol, &c);
    base_gradient(net, X, obj, tol, &c);
    if ((st = generators(net, X, y, obj, tol, &c, err))) goto done;
    const int exact = kinks_exact(net, X, tol, &c);
    cr_clarke_ls_info li;
    if ((st = cr_clarke_ls(P, c.K, c.g0, c.G, c.parent, c.z, c.wv, &li, err))) {
        cr_err_prefix(err, "clarke measure");
        goto done;
    }
    if (g) memcpy(g, c.wv, P * sizeof *g);
    if (v)
        for (size_t i = 0; i < n; i++) v[i] = c.hk[i] ? -y[i] * c.z[c.tidx[i]] : c.dl[i];
    if (info) fill_info(&c, &li, exact, info);
done:
    cn_free(&c);
    return st;
}

int cr_clarke_patterns(const cr_net *net, const double *X, size_t n, double tol, cr_clarke_sides sides,
                       cr_patterns *I, cr_err *err)
{
    if (!net || !X || !I || I->n != n) return cr_err_set(err, CR_EINPUT, "clarke patterns: bad arguments");
    const size_t m = net->m;
    double *H = malloc(n * m * sizeof *H), *xn = malloc(n * sizeof *xn);
    uint64_t *mask = calloc(I->words, sizeof *mask);
    size_t *kinks = malloc(n * sizeof *kinks);
    int st = CR_OK;
    if (!H || !xn || !mask || !kinks) {
        st = cr_err_set(err, CR_ERUNTIME, "clarke patterns: out of memory");
        goto done;
    }
    preact(net, X, n, H, xn);
    for (size_t j = 0; !st && j < m; j++) {
        if (!(neuron_w1norm(net, j) > tol && fabs(net->w2[j]) > tol)) continue;
        memset(mask, 0, I->words * sizeof *mask);
        size_t nk = 0;
        for (size_t i = 0; i < n; i++) {
            double h = H[i * m + j];
            /* A zero row has h = 0: on the kink for every neuron (relu_kink excludes it from the measure only, where
             * its generator is 0). */
            int kink = relu_kink(h, xn[i], tol) || xn[i] == 0.0;
            if (kink ? sides == CR_CLARKE_CLOSED : h > 0.0) mask[i / 64] |= 1ull << (i % 64);
            if (kink) kinks[nk++] = i;
        }
        if (sides != CR_CLARKE_BOTH || nk == 0) {
            st = cr_patterns_add(I, mask, err);
            continue;
        }
        if (nk > 16) {
            st = cr_err_set(err, CR_EINPUT, "clarke patterns: neuron %zu has %zu kinks (at most 16 for both sides)",
                            j + 1, nk);
            break;
        }
        for (unsigned long c = 0; !st && c < (1ul << nk); c++) {
            for (size_t a = 0; a < nk; a++) {
                size_t i = kinks[a];
                if (c >> a & 1ul) mask[i / 64] |= 1ull << (i % 64);
                else mask[i / 64] &= ~(1ull << (i % 64));
            }
            st = cr_patterns_add(I, mask, err);
        }
    }
done:
    free(H);
    free(xn);
    free(mask);
    free(kinks);
    return st;
}
