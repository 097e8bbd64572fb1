/* Convex points of convex.h outside the solver: storage, reference objective and cone violation,
 * Caratheodory support reduction, reconstruction of a network and the map back from one.
 * Plain loops throughout: these are the reference evaluations the claims and tests rely on. */
#include "convex.h"
#include "linalg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

cr_convex_sol *cr_convex_sol_alloc(size_t p, size_t d)
{
    cr_convex_sol *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->p = p;
    s->d = d;
    size_t m = p * d > 0 ? p * d : 1;
    s->U = calloc(m, sizeof(double));
    s->Up = calloc(m, sizeof(double));
    if (!s->U || !s->Up) {
        cr_convex_sol_free(s);
        return NULL;
    }
    return s;
}

void cr_convex_sol_free(cr_convex_sol *s)
{
    if (!s) return;
    free(s->U);
    free(s->Up);
    free(s);
}

/* Block j of the stacked point: u_j for j < p, u'_{j-p} otherwise. */
static double *block(const cr_convex_sol *s, size_t j)
{
    return j < s->p ? s->U + j * s->d : s->Up + (j - s->p) * s->d;
}

size_t cr_convex_sol_nnz(const cr_convex_sol *s)
{
    size_t c = 0;
    for (size_t j = 0; j < 2 * s->p; j++) c += cr_linalg_nrm2(block(s, j), s->d) > 0;
    return c;
}

double cr_convex_objective(const double *X, const double *y, size_t n, size_t d, const cr_patterns *P,
                           cr_loss_kind loss, double beta, const cr_convex_sol *sol, double *z)
{
    double *zz = z ? z : calloc(n ? n : 1, sizeof *zz);
    if (!zz) return NAN;
    for (size_t k = 0; k < n; k++) {
        double s = 0;
        for (size_t i = 0; i < sol->p; i++) {
            if (!cr_patterns_bit(P, i, k)) continue;
            for (size_t a = 0; a < d; a++) s += X[k * d + a] * (sol->U[i * d + a] - sol->Up[i * d + a]);
        }
        zz[k] = s;
    }
    double pen = 0;
    for (size_t j = 0; j < 2 * sol->p; j++) pen += cr_linalg_nrm2(block(sol, j), d);
    double v = cr_loss_value(loss, zz, y, n) + beta * pen;
    if (!z) free(zz);
    return v;
}

double cr_convex_cone_violation(const double *X, size_t n, size_t d, const cr_patterns *P,
                                const cr_convex_sol *sol)
{
    double worst = 0;
    for (size_t j = 0; j < 2 * sol->p; j++) {
        const double *u = block(sol, j);
        size_t i = j % sol->p;
        double un = cr_linalg_nrm2(u, d);
        if (un == 0) continue;
        for (size_t k = 0; k < n; k++) {
            double xn = cr_linalg_nrm2(X + k * d, d);
            if (xn == 0) continue;
            double h = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * u[a];
            double s = cr_patterns_bit(P, i, k) ? 1.0 : -1.0;
            double viol = -s * h / (xn * un);
            if (viol > worst || isnan(viol)) worst = viol;
        }
    }
    return worst;
}

/* ------------------------------------------------------------------ support reduction */

/* Column of block j: [sign_j D_i X u_j ; xs ||u_j||] (length n + 1); xs balances the two parts. */
static void support_column(const double *X, size_t n, size_t d, const cr_patterns *P, const cr_convex_sol *s,
                           size_t j, double xs, double *b)
{
    const double *u = block(s, j);
    double sg = j < s->p ? 1.0 : -1.0;
    size_t i = j % s->p;
    for (size_t k = 0; k < n; k++) {
        double h = 0;
        if (cr_patterns_bit(P, i, k))
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * u[a];
        b[k] = sg * h;
    }
    b[n] = xs * cr_linalg_nrm2(u, d);
}

/* The reduction's scratch, carved from the caller's arrays: a basis of at most cap = min(n + 1, 2p) columns. */
typedef struct {
    size_t r1, cap;
    double *Q;      /* cap x r1: orthonormal basis vectors, one per row */
    double *R;      /* cap x cap: R[l * cap + c], the columns of the basis in it */
    double *b;      /* r1: the column being tested */
    double *c;      /* cap: its coefficients in Q */
    double *t;      /* cap: its coefficients in the basis columns */
    size_t *basis;  /* cap: the blocks of the basis columns */
} reduce_scratch;

static size_t reduce_cap(size_t n, size_t p)
{
    size_t cap = n + 1 < 2 * p ? n + 1 : 2 * p; /* basis size never exceeds min(n + 1, 2p) */
    return cap ? cap : 1;
}

size_t cr_convex_reduce_doubles(size_t n, size_t p)
{
    size_t cap = reduce_cap(n, p);
    return cap * (n + 1) + cap * cap + (n + 1) + 2 * cap;
}

size_t cr_convex_reduce_indices(size_t n, size_t p)
{
    return reduce_cap(n, p);
}

/* b <- b minus its projection on the q basis vectors (Gram-Schmidt, twice); c receives the coefficients. */
static void project_out(const reduce_scratch *s, size_t q, double *b)
{
    for (size_t l = 0; l < q; l++) s->c[l] = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t l = 0; l < q; l++) {
            double h = 0;
            for (size_t k = 0; k < s->r1; k++) h += s->Q[l * s->r1 + k] * b[k];
            s->c[l] += h;
            for (size_t k = 0; k < s->r1; k++) b[k] -= h * s->Q[l * s->r1 + k];
        }
    }
}

/* Column j depends on the q basis columns: b_j = sum_l t_l b_{basis l}. Along the null vector (t, -1) the blocks
 * are rescaled by 1 + alpha t_l and block j by 1 - alpha, alpha of least size (either sign) that zeroes one. */
static void null_step(const reduce_scratch *s, size_t q, cr_convex_sol *sol, size_t j)
{
    size_t cap = s->cap, d = sol->d;
    double *t = s->t;
    for (size_t l = q; l-- > 0;) {
        double h = s->c[l];
        for (size_t m2 = l + 1; m2 < q; m2++) h -= s->R[l * cap + m2] * t[m2];
        t[l] = h / s->R[l * cap + l];
    }
    double apos = 1.0, aneg = INFINITY; /* largest steps in +alpha and -alpha directions */
    size_t kpos = q, kneg = q;         /* q stands for block j itself */
    for (size_t l = 0; l < q; l++) {
        if (t[l] < 0 && -1.0 / t[l] < apos) apos = -1.0 / t[l], kpos = l;
        if (t[l] > 0 && 1.0 / t[l] < aneg) aneg = 1.0 / t[l], kneg = l;
    }
    double alpha = apos <= aneg ? apos : -aneg;
    size_t kill = apos <= aneg ? kpos : kneg;
    for (size_t l = 0; l < q; l++) {
        double *u = block(sol, s->basis[l]);
        double f = l == kill ? 0.0 : fmax(0.0, 1.0 + alpha * t[l]);
        for (size_t a = 0; a < d; a++) u[a] *= f;
    }
    double *u = block(sol, j);
    double f = kill == q ? 0.0 : fmax(0.0, 1.0 - alpha);
    for (size_t a = 0; a < d; a++) u[a] *= f;
}

/* One pass over the nonzero blocks in order, building an orthonormal basis of their columns; at the first
 * column within 1e-11 (relative) of the span of the earlier ones, one null step. Returns 1 if a step was made. */
static int reduce_round(const double *X, size_t n, size_t d, const cr_patterns *P, cr_convex_sol *sol, double xs,
                        const reduce_scratch *s)
{
    const double tol = 1e-11;
    size_t q = 0, r1 = s->r1, cap = s->cap;
    for (size_t j = 0; j < 2 * sol->p; j++) {
        if (cr_linalg_nrm2(block(sol, j), d) == 0) continue;
        support_column(X, n, d, P, sol, j, xs, s->b);
        double bn = cr_linalg_nrm2(s->b, r1);
        project_out(s, q, s->b);
        double en = cr_linalg_nrm2(s->b, r1);
        if (en > tol * bn && q < cap) {
            for (size_t l = 0; l < q; l++) s->R[l * cap + q] = s->c[l];
            s->R[q * cap + q] = en;
            for (size_t k = 0; k < r1; k++) s->Q[q * r1 + k] = s->b[k] / en;
            s->basis[q++] = j;
            continue;
        }
        null_step(s, q, sol, j);
        return 1;
    }
    return 0;
}

int cr_convex_reduce_support_ws(const double *X, size_t n, size_t d, const cr_patterns *P, cr_convex_sol *sol,
                                double *dwork, size_t *iwork, size_t *mstar, cr_err *err)
{
    if (!X || !P || !sol || !mstar || !dwork || !iwork || sol->d != d || sol->p != P->p || P->n != n)
        return cr_err_set(err, CR_EINPUT, "convex: reduce_support: bad arguments");
    size_t p = sol->p, r1 = n + 1, nb = 2 * p, cap = reduce_cap(n, p);
    reduce_scratch s = {r1, cap, dwork, dwork + cap * r1, dwork + cap * r1 + cap * cap, NULL, NULL, iwork};
    s.c = s.b + r1;
    s.t = s.c + cap;
    double xs = 0;
    for (size_t k = 0; k < n; k++) xs = fmax(xs, cr_linalg_nrm2(X + k * d, d));
    if (xs == 0) xs = 1;
    int status = CR_OK;
    for (size_t round = 0;; round++) {
        if (round > nb + 1) {
            status = cr_err_set(err, CR_ERUNTIME, "convex: reduce_support did not terminate");
            break;
        }
        if (!reduce_round(X, n, d, P, sol, xs, &s)) break;
    }
    *mstar = cr_convex_sol_nnz(sol);
    return status;
}

int cr_convex_reduce_support(const double *X, size_t n, size_t d, const cr_patterns *P, cr_convex_sol *sol,
                             size_t *mstar, cr_err *err)
{
    if (!X || !P || !sol || !mstar || sol->d != d || sol->p != P->p || P->n != n)
        return cr_err_set(err, CR_EINPUT, "convex: reduce_support: bad arguments");
    double *dwork = malloc(cr_convex_reduce_doubles(n, sol->p) * sizeof *dwork);
    size_t *iwork = malloc(cr_convex_reduce_indices(n, sol->p) * sizeof *iwork);
    int st = dwork && iwork ? cr_convex_reduce_support_ws(X, n, d, P, sol, dwork, iwork, mstar, err)
                            : cr_err_set(err, CR_ERUNTIME, "convex: reduce_support: out of memory");
    free(dwork);
    free(iwork);
    return st;
}

/* ------------------------------------------------------------------ networks */

int cr_convex_to_network(const cr_convex_sol *sol, double *W1, double *w2, size_t mcap, size_t *m, cr_err *err)
{
    if (!sol || !m || (mcap > 0 && (!W1 || !w2))) return cr_err_set(err, CR_EINPUT, "convex: to_network: NULL argument");
    size_t d = sol->d, cnt = cr_convex_sol_nnz(sol);
    *m = cnt;
    if (cnt > mcap)
        return cr_err_set(err, CR_EINPUT, "convex: the point has %zu nonzero blocks, the network room for %zu",
                          cnt, mcap);
    size_t j = 0;
    for (size_t i = 0; i < sol->p; i++) {
        for (int s = 0; s < 2; s++) {
            const double *u = s == 0 ? sol->U + i * d : sol->Up + i * d;
            double un = cr_linalg_nrm2(u, d);
            if (un == 0) continue;
            double r = sqrt(un);
            for (size_t a = 0; a < d; a++) W1[a * mcap + j] = u[a] / r;
            w2[j] = s == 0 ? r : -r;
            j++;
        }
    }
    return CR_OK;
}

int cr_convex_from_network(const double *X, size_t n, size_t d, const double *W1, const double *w2, size_t m,
                           cr_patterns *P, int add_missing, cr_convex_sol **out, size_t *nadded, cr_err *err)
{
    if (!X || !P || !out || P->n != n || (m && (!W1 || !w2)))
        return cr_err_set(err, CR_EINPUT, "convex: from_network: bad arguments");
    *out = NULL;
    if (nadded) *nadded = 0;
    size_t words = P->words;
    size_t *pat = malloc((m ? m : 1) * sizeof *pat);
    uint64_t *mask = malloc(words * sizeof *mask);
    if (!pat || !mask) {
        free(pat), free(mask);
        return cr_err_set(err, CR_ERUNTIME, "convex: from_network: out of memory");
    }
    int st = CR_OK;
    for (size_t j = 0; j < m && st == CR_OK; j++) {
        double wn = 0;
        for (size_t a = 0; a < d; a++) wn += W1[a * m + j] * W1[a * m + j];
        if (w2[j] == 0 || wn == 0) {
            pat[j] = (size_t)-1;
            continue;
        }
        memset(mask, 0, words * sizeof *mask);
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * W1[a * m + j];
            if (h >= 0) mask[k / 64] |= (uint64_t)1 << (k % 64);
        }
        size_t i = cr_patterns_find(P, mask);
        if (i == (size_t)-1) {
            if (!add_missing) {
                st = cr_err_set(err, CR_EINPUT, "convex: neuron %zu has a pattern outside the given set", j);
                break;
            }
            st = cr_patterns_add(P, mask, err);
            if (st) break;
            i = cr_patterns_find(P, mask);
            if (nadded) (*nadded)++;
        }
        pat[j] = i;
    }
    if (st == CR_OK) {
        cr_convex_sol *s = cr_convex_sol_alloc(P->p, d);
        if (!s) st = cr_err_set(err, CR_ERUNTIME, "convex: from_network: out of memory");
        for (size_t j = 0; j < m && s; j++) {
            if (pat[j] == (size_t)-1) continue;
            double *u = (w2[j] > 0 ? s->U : s->Up) + pat[j] * d;
            double a2 = fabs(w2[j]);
            for (size_t a = 0; a < d; a++) u[a] += W1[a * m + j] * a2;
        }
        *out = s;
    }
    free(pat);
    free(mask);
    return st;
}

double cr_convex_network_objective(const double *X, const double *y, size_t n, size_t d, cr_loss_kind loss,
                                   double beta, const double *W1, const double *w2, size_t m, double *f)
{
    double *ff = f ? f : calloc(n ? n : 1, sizeof *ff);
    if (!ff) return NAN;
    double reg = cr_net_reference(X, n, d, W1, w2, m, ff);
    double v = cr_loss_value(loss, ff, y, n) + 0.5 * beta * reg;
    if (!f) free(ff);
    return v;
}
