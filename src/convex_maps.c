/* The linear maps of the convex program on the workspace (see convex_impl.h): z = M U2 and M'g through the
 * dense 0/1 pattern matrix of patmap.h, the 2p cone projections whose optimality checks share one matrix
 * product R X' (linalg.h: the same at any BLAS thread count), the prox of the penalty, ||M||^2, and the
 * smooth part of convex.h evaluated through the same path. */
#include "convex_impl.h"

#include <math.h>
#include <string.h>

#include "linalg.h"
#include "patmap.h"

/* Dm and the row norms for the current data and pattern set. */
void cr_convex_load(cr_convex_work *w, const double *X, const cr_patterns *P)
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
void cr_convex_forward(cr_convex_work *w, const double *X, size_t p, const double *U2, double *z)
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
void cr_convex_adjoint(cr_convex_work *w, const double *X, size_t p, const double *g, double *G)
{
    size_t n = w->n, d = w->d;
    if (p == 0) return;
    cr_patmap_adjoint(w->Dm, X, n, d, p, g, w->Xs, G);
}

/* Projects the 2p rows of C onto their cones (row j onto K_{j mod p}) into R, warm-started from the active
 * sets starting at block `base`. The optimality checks of all blocks share one dgemm. Returns the number of
 * projections that hit Lawson-Hanson's step limit. */
size_t cr_convex_project_all(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C,
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

/* ------------------------------------------------------------------ the solver */

/* Largest eigenvalue of M'M, M: U2 -> z, by power iteration on Udiff (M'M has twice the top eigenvalue
 * of Udiff -> z). A lower estimate: backtracking corrects it. */
double cr_convex_op_norm2(cr_convex_work *w, const double *X, size_t p)
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
        cr_convex_forward(w, X, p, u, z); /* u[p d ..] = 0, so Ud = u */
        cr_convex_adjoint(w, X, p, z, u);
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
size_t cr_convex_prox(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C, double thr,
                      double *out)
{
    size_t d = w->d, p = P->p;
    size_t fails = cr_convex_project_all(w, X, P, C, out, 0);
    for (size_t j = 0; j < 2 * p; j++) {
        double *r = out + j * d, nr = cr_linalg_nrm2(r, d);
        double f = nr > thr ? 1.0 - thr / nr : 0.0;
        for (size_t a = 0; a < d; a++) r[a] *= f;
    }
    return fails;
}

double cr_convex_penalty(const double *U2, size_t nb, size_t d, double beta)
{
    double s = 0;
    for (size_t j = 0; j < nb; j++) s += cr_linalg_nrm2(U2 + j * d, d);
    return beta * s;
}

int cr_convex_smooth(cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                     const cr_patterns *P, cr_loss_kind loss, const cr_convex_sol *sol, double *f, double *gU,
                     double *gUp, cr_err *err)
{
    int st = cr_convex_validate(w, X, y, n, d, P, loss, 1.0, err);
    if (st) return st;
    if (!sol || sol->p != P->p || sol->d != d || !f) return cr_err_set(err, CR_EINPUT, "convex: bad solution size");
    size_t p = P->p;
    cr_convex_load(w, X, P);
    memcpy(w->xa, sol->U, p * d * sizeof(double));
    memcpy(w->xa + p * d, sol->Up, p * d * sizeof(double));
    cr_convex_forward(w, X, p, w->xa, w->za);
    *f = cr_loss_value(loss, w->za, y, n);
    if (gU || gUp) {
        cr_loss_grad(loss, w->za, y, n, w->g);
        cr_convex_adjoint(w, X, p, w->g, w->G);
        for (size_t t = 0; t < p * d; t++) {
            if (gU) gU[t] = w->G[t];
            if (gUp) gUp[t] = -w->G[t];
        }
    }
    return CR_OK;
}
