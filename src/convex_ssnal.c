/* SSNAL for the convex program: the proximal point method whose subproblems are solved by semismooth
 * Newton on an n-dimensional dual (the l*-form for the squared loss, the z-form for logistic and hinge),
 * finished by the face Newton polish or the hinge polish of convex_polish.c. */
#include "convex_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef CR_CONVEX_DEBUG
#include <stdio.h>
#endif

#include "linalg.h"

/* The part of both inner objectives below that involves U: W = Uk - sigma M'v, P = prox_{sigma h}(W) into
 * Pout, z = M P into zout; returns (2 <P, W> - ||P||^2) / (2 sigma) (the caller subtracts h(P)). */
static double prox_part(cr_convex_work *w, const double *X, const cr_patterns *P, double beta, double sigma,
                        const double *v, double *Pout, double *zout, size_t *fails)
{
    size_t d = w->d, p = P->p, m = 2 * p * d;
    cr_convex_adjoint(w, X, p, v, w->G);
    for (size_t t = 0; t < p * d; t++) {
        w->C[t] = w->Uk[t] - sigma * w->G[t];
        w->C[p * d + t] = w->Uk[p * d + t] + sigma * w->G[t];
    }
    *fails += cr_convex_prox(w, X, P, w->C, sigma * beta, Pout);
    double ip = 0, pp = 0;
    for (size_t t = 0; t < m; t++) {
        ip += Pout[t] * w->C[t];
        pp += Pout[t] * Pout[t];
    }
    cr_convex_forward(w, X, p, Pout, zout);
    return (2 * ip - pp) / (2 * sigma);
}

/* The inner objective of SSNAL at v (the dual of the proximal subproblem
 * min_U l(M U) + h(U) + ||U - Uk||^2 / (2 sigma)):
 *   psi(v) = l*(v) + (2 <P, W> - ||P||^2) / (2 sigma) - h(P),  W = Uk - sigma M'v,  P = prox_{sigma h}(W),
 * grad psi(v) = grad l*(v) - M P (Moreau's identity). Writes P, z = M P and the gradient. */
static double psi_eval(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P,
                       cr_loss_kind loss, double beta, double sigma, const double *v, double *Pout, double *zout,
                       double *gout, size_t *fails)
{
    size_t n = w->n, d = w->d, p = P->p;
    double lc = cr_convex_conj_d2(loss, v, y, n, gout, w->hs);
    if (!isfinite(lc)) return INFINITY;
    double hq = prox_part(w, X, P, beta, sigma, v, Pout, zout, fails), hpen = cr_convex_penalty(Pout, 2 * p, d, beta);
    for (size_t k = 0; k < n; k++) gout[k] -= zout[k];
    return lc + hq - hpen;
}

/* The inner objective of the z-form (losses whose conjugate is not smooth on an open set, or whose
 * domain makes Newton on l* awkward): ALM on min l*(xi) + h*(s) s.t. xi = v, s = -M'v with multipliers
 * (a, Uk), i.e. the proximal point method on min l(a) + h(U) s.t. a = M U:
 *   psi(v) = (2 <zt, x> - ||zt||^2) / (2 sigma) - l(zt) + (2 <P, W> - ||P||^2) / (2 sigma) - h(P),
 *   x = a + sigma v, zt = prox_{sigma l}(x), W = Uk - sigma M'v, P = prox_{sigma h}(W),
 * grad psi = zt - M P, generalized Hessian sigma (J_l + M J M'). A proximal term tau/2 ||v - vk||^2 (the
 * proximal method of multipliers, Rockafellar 1976) keeps the Hessian positive definite where the prox of
 * the hinge is flat, so the Newton direction is that of the function minimized. */
static double psiz_eval(cr_convex_work *w, const double *X, const double *y, const cr_patterns *P,
                        cr_loss_kind loss, double beta, double sigma, double tau, const double *v, double *Pout,
                        double *zout, double *gout, size_t *fails)
{
    size_t n = w->n, d = w->d, p = P->p;
    double l1 = 0;
    for (size_t k = 0; k < n; k++) gout[k] = w->ak[k] + sigma * v[k]; /* x, temporarily */
    cr_convex_loss_prox(loss, sigma, gout, y, n, w->zt2, w->hs);
    for (size_t k = 0; k < n; k++) l1 += 2 * w->zt2[k] * gout[k] - w->zt2[k] * w->zt2[k];
    l1 = l1 / (2 * sigma) - cr_loss_value(loss, w->zt2, y, n);
    double hq = prox_part(w, X, P, beta, sigma, v, Pout, zout, fails), hpen = cr_convex_penalty(Pout, 2 * p, d, beta);
    double prox_v = 0;
    for (size_t k = 0; k < n; k++) {
        double dv = v[k] - w->vk[k];
        gout[k] = w->zt2[k] - zout[k] + tau * dv;
        prox_v += dv * dv;
    }
    return l1 + hq - hpen + 0.5 * tau * prox_v;
}

/* Semismooth Newton direction: (diag(h) + sigma M J M') dv = -g, with J the generalized Jacobian of the prox
 * at the current point: for a block with output u != 0, projection P_K(c) = r, active generators S,
 *   J = alpha B B' + gamma rhat rhat',  alpha = ||u|| / ||r||, gamma = tau / ||r||, tau = sigma beta,
 * B an orthonormal basis of {a_k'u = 0, k in S}; zero blocks have J = 0. So M J M' is a sum of rank-one
 * terms (D_i X b)(D_i X b)' accumulated in chunks (cr_linalg_syrk), factored by cr_linalg_potrf.
 * Returns 0, or -1 when the matrix is not numerically positive definite. */
static int newton_dir(cr_convex_work *w, const double *X, const cr_patterns *P, double sigma, double beta,
                      const double *Pc, const double *g, double *dv)
{
    size_t n = w->n, d = w->d, p = P->p, nch = w->nch, c = 0;
    double *V = w->V, *F = w->F, *B = w->Bq;
    memset(V, 0, n * n * sizeof *V);
    for (size_t k = 0; k < n; k++) V[k * n + k] = w->hs[k];
    double tau = sigma * beta;
    for (size_t j = 0; j < 2 * p; j++) {
        const double *u = Pc + j * d;
        double nu = cr_linalg_nrm2(u, d);
        if (nu == 0) continue;
        double rn = nu + tau, al = sqrt(sigma * nu / rn), ga = sqrt(sigma * tau / rn);
        const uint64_t *mask = cr_patterns_mask(P, j % p);
        size_t q = d, q0 = cr_convex_face_basis(X, d, w->act_idx + j * d, w->act_len[j], B);
        for (size_t r = q0; r <= q; r++) {
            /* columns: al D X b for the complement rows, then ga D X rhat */
            const double *b = r < q ? B + r * d : u;
            double f = r < q ? al : ga / nu;
            for (size_t k = 0; k < n; k++) {
                double h = 0;
                if (cr_mask_bit(mask, k))
                    for (size_t a = 0; a < d; a++) h += X[k * d + a] * b[a];
                F[k * nch + c] = f * h;
            }
            if (++c == nch) {
                cr_linalg_syrk(0, n, c, 1.0, F, nch, 1.0, V, n);
                c = 0;
            }
        }
    }
    if (c > 0) cr_linalg_syrk(0, n, c, 1.0, F, nch, 1.0, V, n);
    /* row-major upper = column-major lower */
    if (cr_linalg_potrf(n, V, n) != 0) return -1;
    for (size_t k = 0; k < n; k++) dv[k] = -g[k];
    cr_linalg_potrs(n, V, n, dv);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(dv[k])) return -1;
    return 0;
}

/* ------------------------------------------------------------------ the method */

/* Semismooth Newton augmented Lagrangian (SSNAL; Li, Sun and Toh, SIAM J. Optim. 28, 2018, for the Lasso):
 * the augmented Lagrangian method on the dual max_v -l*(v) - h*(-M'v), which is the proximal point method
 *     U_{k+1} = argmin_U  l(M U) + h(U) + ||U - U_k||^2 / (2 sigma_k),   sigma_k increasing,
 * with each subproblem solved through its dual in v in R^n, min psi(v), by semismooth Newton with an Armijo
 * line search: psi as psi_eval (l*-form) for the squared loss, as psiz_eval (z-form) for logistic and hinge.
 * The Newton matrix is n x n and only the blocks that the prox keeps nonzero enter J, so a step costs
 * O(n^2 d m + n^3) for m active blocks plus a prox, and the outer iteration converges superlinearly: the
 * certified gap reaches 1e-8 where first-order methods stall on the many nearly parallel blocks of an
 * arrangement. U_{k+1} = P(v) is a prox output, so cone feasibility is exact. Once the gap is below 1e-3
 * each outer step tries the face Newton polish (the hinge polish for the hinge) on its point. */

/* The iterates of one run (convex_impl.h) and the z-form's state. */
typedef struct {
    cr_ssnal_iter c;
    double tau; /* the z-form's proximal term on v */
    int zform;
} ssnal_iter;

static double psi(void *self, const double *v, double *Pout, double *zout, double *gout)
{
    ssnal_iter *s = self;
    cr_convex_run *rs = s->c.rs;
    if (s->zform)
        return psiz_eval(s->c.w, rs->X, rs->y, rs->P, rs->loss, rs->beta, s->c.sigma, s->tau, v, Pout, zout, gout,
                         &rs->fails);
    return psi_eval(s->c.w, rs->X, rs->y, rs->P, rs->loss, rs->beta, s->c.sigma, v, Pout, zout, gout, &rs->fails);
}

static void iter_init(ssnal_iter *s, cr_convex_work *w, cr_convex_run *rs)
{
    *s = (ssnal_iter){.tau = 0};
    cr_ssnal_init(&s->c, w, rs, psi, s);
    s->zform = rs->loss != CR_LOSS_SQUARED;
}

/* The diagonal part of the Newton matrix at the current v into w->hs: sigma J_l plus the ridge tau (z-form)
 * or the Hessian of l* (w->dv is scratch). */
static void newton_diag(ssnal_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    size_t n = w->n;
    if (s->zform) {
        for (size_t k = 0; k < n; k++) w->dv[k] = w->ak[k] + s->c.sigma * s->c.v[k];
        cr_convex_loss_prox(rs->loss, s->c.sigma, w->dv, rs->y, n, w->zt2, w->hs);
        for (size_t k = 0; k < n; k++) w->hs[k] = s->c.sigma * w->hs[k] + s->tau;
    } else {
        cr_convex_conj_d2(rs->loss, s->c.v, rs->y, n, w->dv, w->hs);
    }
}

/* The Newton direction: the diagonal part, then the n x n system by Cholesky (cr_ssnal_dir_fn). */
static int direction(void *self, double gn, double *gd)
{
    ssnal_iter *s = self;
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    newton_diag(s);
    if (newton_dir(w, rs->X, rs->P, s->c.sigma, rs->beta, s->c.Pc, s->c.gc, w->dv) != 0) return -1;
    for (size_t k = 0; k < w->n; k++) *gd += s->c.gc[k] * w->dv[k];
    return 0;
}

/* One subproblem: semismooth Newton on psi from the current v, proximal centre w->xa. -1 when psi is not
 * finite at the start or the Newton matrix is not positive definite. */
static int inner(ssnal_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    size_t n = w->n, m = 2 * rs->P->p * w->d;
    memcpy(w->Uk, w->xa, (m ? m : 1) * sizeof(double));
    memcpy(w->vk, s->c.v, n * sizeof(double));
    s->tau = rs->loss == CR_LOSS_HINGE ? 1e-8 * s->c.sigma * fmax(1.0, s->c.mn) : 0.0;
    return cr_ssnal_subproblem(&s->c, direction);
}

/* The prox output at the last v is the next proximal point (w->xa, w->za), with its dual candidate; the
 * z-form's a <- prox_{sigma l}(a + sigma v). For the hinge the candidate is the multiplier
 * xi = (a + sigma v - a_new) / sigma in the subdifferential of l at a_new, not a subgradient at z. */
static void next_centre(ssnal_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    const double *y = rs->y;
    size_t n = w->n;
    cr_ssnal_centre(&s->c);
    if (!s->zform) return;
    for (size_t k = 0; k < n; k++) w->dv[k] = w->ak[k] + s->c.sigma * s->c.v[k];
    cr_convex_loss_prox(rs->loss, s->c.sigma, w->dv, y, n, w->zt2, w->hs);
    for (size_t k = 0; k < n; k++) {
        if (rs->loss == CR_LOSS_HINGE) {
            double xi = (w->dv[k] - w->zt2[k]) / s->c.sigma, t = y[k] * xi;
            s->c.vcert[k] = y[k] * fmin(0.0, fmax(-1.0, t));
        }
        w->ak[k] = w->zt2[k];
    }
}

/* The certificate of the new proximal point; when a limit stops the run, the best certified point is
 * returned rather than the last. 1 to stop. */
static int outer_check(ssnal_iter *s)
{
    cr_convex_run *rs = s->c.rs;
    int stop = cr_convex_check_point(s->c.w, rs, s->c.vcert, cr_convex_out_of_time(rs));
    if (stop) cr_ssnal_stopped(&s->c);
    return stop;
}

/* Below a relative gap of 1e-3, the polish of the current point; its point replaces the current one when
 * its certificate is better. 1 when that certificate is converged. */
static int polish_step(ssnal_iter *s)
{
    cr_convex_work *w = s->c.w;
    cr_convex_run *rs = s->c.rs;
    if (!(rs->gap <= 1e-3 * fmax(1.0, fabs(rs->primal)))) return 0;
    int pst;
    if (rs->loss == CR_LOSS_HINGE) {
        double rel = rs->gap / fmax(1.0, fabs(rs->primal));
        pst = cr_convex_hinge_polish(w, rs, w->xa, w->xc, w->zw, s->c.vcert, fmax(1e-7, fmin(1e-2, 100 * sqrt(rel))));
    } else {
        pst = cr_convex_polish(w, rs, w->xa, w->xc, w->zw, 0.0);
    }
    if (pst != 0) return 0;
    if (rs->loss != CR_LOSS_HINGE) cr_loss_grad(rs->loss, w->zw, rs->y, w->n, s->c.vcert);
    int conv;
    return cr_ssnal_take_polished(&s->c, &conv) && conv;
}

/* Keeps the best certified point; three outer steps at the largest sigma without halving the gap (rounding
 * dominates), or the Newton steps beyond rs->ssnal_budget: the best point goes back to w->xa with its
 * certificate for the method that follows (returns -1). */
static int progress(ssnal_iter *s)
{
    cr_convex_run *rs = s->c.rs;
    if (cr_ssnal_progress(&s->c) != 0) return -1;
    if (rs->ssnal_budget > 0 && rs->newton >= rs->ssnal_budget) {
        cr_ssnal_budget_spent(&s->c);
        return -1;
    }
    return 0;
}

/* Starts from w->xa, leaves the point in w->xa. Returns 0, or -1 when Newton broke down or stalled (the
 * dispatcher then continues with FISTA from the best point). */
static int ssnal(cr_convex_work *w, cr_convex_run *rs)
{
    const double rho = 10.0;
    size_t n = w->n;
    ssnal_iter s;
    iter_init(&s, w, rs);
    cr_loss_grad(rs->loss, w->za, rs->y, n, s.c.v);
    memcpy(w->ak, w->za, n * sizeof(double));
    int rc = 0;
    for (;;) {
        if (inner(&s) != 0) {
            rc = -1;
            break;
        }
        next_centre(&s);
        int stop = outer_check(&s);
#ifdef CR_CONVEX_DEBUG
        fprintf(stderr, "ssnal k=%ld sigma=%.3g newton=%ld primal=%.15g gap=%.3g\n", rs->steps, s.c.sigma,
                rs->newton, rs->primal, rs->gap);
#endif
        if (stop || polish_step(&s)) break;
        if (progress(&s) != 0) {
            rc = -1;
            break;
        }
        s.c.sigma = fmin(s.c.sigma * rho, s.c.sigmax);
    }
    cr_ssnal_finish(&s.c);
    return rc;
}

const cr_convex_method_type cr_convex_ssnal_type = {"ssnal", ssnal};
