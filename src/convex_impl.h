/* Private to the convex program's solver (not installed): the workspace, the state of one solve and the
 * functions the files convex.c, convex_maps.c, convex_loss.c, convex_cert.c, convex_fista.c,
 * convex_ssnal.c, convex_ssnalcg.c, convex_ssnal_common.c, convex_polish.c and convex_ipm_run.c share.
 * Layouts as in convex.h; a stacked point U2 is 2p x d row-major (u_1..u_p, u'_1..u'_p). */
#ifndef CR_CONVEX_IMPL_H
#define CR_CONVEX_IMPL_H

#include <stddef.h>

#include "cone.h"
#include "convex.h"

struct cr_convex_work {
    size_t n, d, pcap;
    cr_cone_work *cone;
    double *Dm;    /* n x p: Dm[k p + i] = bit k of pattern i (current P) */
    double *xnorm; /* n: row norms of X */
    double *Xs;    /* n x d: diag(g) X */
    double *T;     /* n x p: X Udiff' */
    double *Wt;    /* 2p x n: R X', checks of the projections */
    double *Ud;    /* p x d: u_i - u'_i */
    double *G;     /* p x d: X'D_i g */
    double *R;     /* 2p x d: projection residuals */
    double *C;     /* 2p x d: points to project */
    double *xa, *xb, *xc, *yb; /* 2p x d iterates (rotated) */
    double *za, *zb, *zc, *zy; /* n predictions matching the iterates */
    double *g;     /* n: loss gradient */
    double *v;     /* n: dual candidate */
    /* semismooth Newton (SSNAL) */
    double *V;     /* n x n: Newton matrix, then its Cholesky factor */
    double *F;     /* n x nch: chunk of the columns of M J M' factors */
    size_t nch;    /* columns per chunk */
    double *Bq;    /* d x d: orthonormal rows spanning the active generators, then the complement */
    double *hs;    /* n: diagonal Hessian of l* */
    double *dv, *vt, *gr, *gt; /* n: Newton direction, trial point, gradients */
    double *Uk;    /* 2p x d: proximal centre */
    double *Pt;    /* 2p x d: prox output at the trial point */
    double *ak;    /* n: the prediction variable a of the z-form (logistic, hinge) */
    double *zt2;   /* n: prox of sigma l */
    double *vk;    /* n: proximal centre of v (z-form) */
    double *vpol;  /* n: dual candidate of the hinge polish */
    int *part;     /* n: hinge polish partition: -1 below the margin, 0 at it, +1 above */
    size_t *tk;    /* n: rows at the margin */
    int *ipiv;     /* nmax: LU pivots */
    /* primal Newton polish on a fixed face */
    size_t nmax;   /* largest number of face coordinates polished */
    double *Jm;    /* n x nmax: the columns sign D_i X b of every face coordinate */
    double *H;     /* nmax x nmax */
    double *pw, *pg, *pdir, *pwt; /* nmax: face coordinates, gradient, direction, trial */
    double *Bs;    /* 2p x d x d: face bases (rows), per block */
    size_t *boff, *brank; /* 2p: offset of the block's coordinates, their number (0: block not polished) */
    size_t *tidx;  /* n: tight rows of one block */
    double *zw;    /* n: scratch prediction */
    double *Js;    /* n x nmax: diag(sqrt(l'')) Jm */
    double *hz;    /* n: l''(z) */
    size_t *act_idx; /* 4p x d: warm active sets, blocks 0..2p-1 for the prox, 2p..4p-1 for the certificate */
    double *act_mu;  /* 4p x d */
    size_t *act_len; /* 4p */
};

/* The state of one solve, shared by the methods and the certificate. */
typedef struct {
    const double *X, *y;
    const cr_patterns *P;
    cr_loss_kind loss;
    double beta;
    cr_convex_opts o;
    double t0;           /* cr_seconds() at the start of the solve */
    double mnorm2;       /* ||M||^2 estimate */
    long steps;          /* iterations so far (all methods; compared with o.max_iter) */
    long newton;         /* Newton steps (SSNAL, the polishes; the IPM: its iterations) */
    long restarts;       /* FISTA's momentum restarts */
    long polishes;       /* polish attempts */
    size_t fails;        /* projections that hit the step limit */
    long ssnal_budget;   /* SSNAL gives up (returns -1, best point in w->xa) from this many Newton steps on;
                            0 = no budget (AUTO sets it, convex.c) */
    double L, mu, sigma; /* FISTA step constant, hinge smoothing, SSNAL proximal parameter */
    double primal, dual, gmax, gap; /* the last certificate (convex_cert.c) */
    cr_convex_status status;
    /* for the iteration log (cr_convex_report): the running method's name (the dispatcher sets it with
     * cr_convex_enter), its matrix-free products so far and its current proximal parameter (0: none) */
    const char *method;
    long products;
    double sigma_now;
} cr_convex_run;

/* The dispatcher (convex.c) starts method t: its name for the log, its counters of the log cleared. */
static inline void cr_convex_enter(cr_convex_run *rs, const char *name)
{
    rs->method = name;
    rs->products = 0;
    rs->sigma_now = 0;
}

/* ---- convex.c */

/* The argument checks every public entry point shares (sizes, loss, beta, finite data). */
int cr_convex_validate(const cr_convex_work *w, const double *X, const double *y, size_t n, size_t d,
                       const cr_patterns *P, cr_loss_kind loss, double beta, cr_err *err);

/* ---- convex_maps.c: M, M', the cone projections and the prox */

/* Dm and the row norms of X for the pattern set P. */
void cr_convex_load(cr_convex_work *w, const double *X, const cr_patterns *P);
/* z (n) = M U2 = sum_i D_i X (u_i - u'_i) over the first p patterns. */
void cr_convex_forward(cr_convex_work *w, const double *X, size_t p, const double *U2, double *z);
/* G (p x d), row i = X'D_i g: M'g = [G; -G]. */
void cr_convex_adjoint(cr_convex_work *w, const double *X, size_t p, const double *g, double *G);
/* R (2p x d) = the rows of C projected onto their cones, warm-started from the active sets at block `base`
 * (0: the prox's, 2p: the certificate's). Returns the number of projections that hit the step limit. */
size_t cr_convex_project_all(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C, double *R,
                             size_t base);
/* out = prox of thr sum_j ||u_j|| + the cone indicators at C (radial shrink of the projections). Returns the
 * number of projections that hit the step limit. */
size_t cr_convex_prox(cr_convex_work *w, const double *X, const cr_patterns *P, const double *C, double thr,
                      double *out);
/* beta sum_j ||u_j|| over the nb blocks of U2. */
double cr_convex_penalty(const double *U2, size_t nb, size_t d, double beta);
/* ||M||^2 by power iteration (a lower estimate). */
double cr_convex_op_norm2(cr_convex_work *w, const double *X, size_t p);

/* ---- convex_loss.c */

/* l(z) for squared and logistic, the Moreau envelope with parameter mu of the hinge; its gradient. */
double cr_convex_smoothed_value(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n);
void cr_convex_smoothed_grad(cr_loss_kind loss, double mu, const double *z, const double *y, size_t n, double *g);
/* l(zt) - l(zy) - g'(zt - zy) term by term, g = grad l(zy) (smoothed l for the hinge). */
double cr_convex_bregman(cr_loss_kind loss, double mu, const double *zt, const double *zy, const double *g,
                         const double *y, size_t n);
/* l*(v) with its gradient g and diagonal Hessian h (squared, logistic); INFINITY outside the domain. */
double cr_convex_conj_d2(cr_loss_kind loss, const double *v, const double *y, size_t n, double *g, double *h);
/* prox_{sigma l}(x) coordinatewise into pz, its derivative into jac. */
void cr_convex_loss_prox(cr_loss_kind loss, double sigma, const double *x, const double *y, size_t n, double *pz,
                         double *jac);

/* ---- convex_cert.c: the stopping rule of every method */

/* Certificate at w->xa (prediction w->za) with dual candidate v into rs, reported to opts.log
 * (cr_convex_report); 1 when the solve should stop (converged, NaN/Inf, iteration or time limit), with
 * rs->status set. */
int cr_convex_check_point(cr_convex_work *w, cr_convex_run *rs, const double *v, int at_limit);
/* The certificate of the candidate cand (prediction zc) into *cs (a copy of rs), rs and w->xa untouched;
 * 1 when it is converged. Not logged: a method that adopts the candidate as its point calls cr_convex_report. */
int cr_convex_check_candidate(cr_convex_work *w, const cr_convex_run *rs, double *cand, double *zc, const double *v,
                              cr_convex_run *cs);
/* The iteration log: the certificate in rs of the point in w->xa to opts.log, if any (once per certificate:
 * after cr_convex_check_point, and where a method adopts a candidate or goes back to a kept point). */
void cr_convex_report(cr_convex_work *w, const cr_convex_run *rs);
/* 1 when opts.max_seconds has passed since the start of the solve. */
int cr_convex_out_of_time(const cr_convex_run *rs);

/* ---- the methods */

/* A method of cr_convex_solve (after GSL multimin's method types): run starts from the point in w->xa
 * (prediction w->za) and leaves the point it returns in w->xa, w->za with its certificate in rs. It returns
 * 0, or nonzero when it failed: the dispatcher's method table (convex.c) says what follows. */
typedef struct {
    const char *name; /* as cr_convex_method_name gives it */
    int (*run)(cr_convex_work *w, cr_convex_run *rs);
} cr_convex_method_type;

extern const cr_convex_method_type cr_convex_fista_type; /* convex_fista.c */
extern const cr_convex_method_type cr_convex_ssnal_type; /* convex_ssnal.c */
extern const cr_convex_method_type cr_convex_ipm_type;   /* convex_ipm_run.c */
extern const cr_convex_method_type cr_convex_ssnalcg_type; /* convex_ssnalcg.c */

/* ---- convex_ssnal_common.c: the proximal point frame of convex_ssnal.c and convex_ssnalcg.c */

/* psi of a subproblem at v, with P(v) into Pout, M P(v) into zout and grad psi(v) into gout; self is the
 * method's own iterate. INFINITY outside the domain. */
typedef double (*cr_ssnal_psi_fn)(void *self, const double *v, double *Pout, double *zout, double *gout);

/* The iterates of one run: the current and trial dual points with their prox outputs, predictions and
 * gradients (the two sets swap after each accepted Newton step), the proximal parameter, its cap, and the
 * progress of the outer iteration (best certified gap, its point in w->yb). */
typedef struct {
    cr_convex_work *w;
    cr_convex_run *rs;
    double *v, *Pc, *zc, *gc;    /* current: v, P(v), M P(v), grad psi(v) */
    double *vt, *Ptr, *ztr, *gt; /* trial */
    double *vcert;               /* the dual candidate of the certificate */
    double mn;                   /* ||M||^2 (at least 1e-300) */
    double sigma, sigmax, ynorm;
    double best, prog;           /* best certified gap, last gap that halved */
    int worse;                   /* outer steps at sigmax without halving the gap */
    cr_ssnal_psi_fn psi;
    void *self;
} cr_ssnal_iter;

/* The Newton direction of a subproblem at the current v (gradient norm gn) into w->dv, with the slope
 * *gd = grad psi(v)'dv; 0, or -1 when the Newton system broke down. */
typedef int (*cr_ssnal_dir_fn)(void *self, double gn, double *gd);

/* The start of a run from the workspace (rs->sigma, if set, is the first proximal parameter). */
void cr_ssnal_init(cr_ssnal_iter *s, cr_convex_work *w, cr_convex_run *rs, cr_ssnal_psi_fn psi, void *self);
/* The inner stopping rule at gradient norm gn (previous gprev, summable tolerance epsk): 1 to stop. */
int cr_ssnal_inner_done(cr_ssnal_iter *s, double gn, double gprev, double epsk, int *stall);
/* Backtracking along w->dv from v (psi = phi, slope gd, gradient norm gn) into the trial point; 1 when a step
 * is accepted (*ft = its psi). */
int cr_ssnal_line_search(cr_ssnal_iter *s, double phi, double gd, double gn, double *ft);
/* A subproblem (its centre w->Uk set) by semismooth Newton with line search from the current v, to the inner
 * stopping rule or 100 steps; dir gives the directions. -1 when psi is not finite at the start or dir broke
 * down, else 0. */
int cr_ssnal_subproblem(cr_ssnal_iter *s, cr_ssnal_dir_fn dir);
/* The trial point becomes the current one. */
void cr_ssnal_swap_trial(cr_ssnal_iter *s);
/* The prox output at the current v is the next proximal point (w->xa, w->za); vcert = grad l(w->za). */
void cr_ssnal_centre(cr_ssnal_iter *s);
/* After a certificate that stops the run on a limit: the best certified point goes back to w->xa with its
 * certificate (the limit's status kept unless that point is converged). */
void cr_ssnal_stopped(cr_ssnal_iter *s);
/* The certificate of the polished point (w->xc, w->zw; dual candidate vcert), *conv when it is converged; it
 * replaces the current point when better or converged (returns 1 then, else 0). */
int cr_ssnal_take_polished(cr_ssnal_iter *s, int *conv);
/* Keeps the best certified point; three outer steps at the largest sigma without halving the gap: the best
 * point goes back to w->xa and -1. Else 0. */
int cr_ssnal_progress(cr_ssnal_iter *s);
/* The Newton budget is spent: the best point (when better) back with its certificate, status max_iter. */
void cr_ssnal_budget_spent(cr_ssnal_iter *s);
/* The end of a run: v back into w->v, the last sigma into rs->sigma. */
void cr_ssnal_finish(cr_ssnal_iter *s);

/* ---- convex_polish.c */

/* Orthonormal rows B (d x d): rows 0..q0-1 span the given rows of X, rows q0..d-1 their orthogonal
 * complement (the face). Returns q0. */
size_t cr_convex_face_basis(const double *X, size_t d, const size_t *rows, size_t nrows, double *B);
/* The face Newton polish of x0 into xout (prediction zout); for the hinge on the smoothed loss down to
 * mu_target. 0, or -1 when the face is too large or Newton broke down. */
int cr_convex_polish(cr_convex_work *w, cr_convex_run *rs, const double *x0, double *xout, double *zout,
                     double mu_target);
/* The hinge polish of x0 into xout (prediction zout) with its dual candidate vout; samples within delta of
 * the margin start at it. 0, or -1 when the face is too large or Newton broke down. */
int cr_convex_hinge_polish(cr_convex_work *w, cr_convex_run *rs, const double *x0, double *xout, double *zout,
                           double *vout, double delta);

#endif
