/* Private to the max-margin solver (maxmargin.c and mm_*.c); not installed, not for other modules: the
 * workspace layout shared by its files and the functions they call across files. The public contract is
 * maxmargin.h. */
#ifndef CR_MAXMARGIN_IMPL_H
#define CR_MAXMARGIN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dualnorm.h"
#include "maxmargin.h"
#include "nnls.h"


/* The cone program in the form of cvxopt's conelp, min c'x s.t. G x + s = h, s in the cone C:
 *   x = (t_b, v_b) for every block b = (pattern k, sign sigma), u_b = V_k v_b / xscale;
 *   s = [ margins (n, orthant) | cone rows C_k v_b (r_k per block, orthant) | (t_b, v_b) (second-order) ],
 *   G x = [ -sum_b sigma_b L_k v_b | -C_k v_b | -(t_b, v_b) ],  h = [ -1 | 0 | 0 ],  c = 1 on every t_b,
 * with L_k = Y D_k X V_k / xscale (n x q_k) and C_k the unit cone rows restricted to span V_k. */
struct cr_mm_work {
    size_t n, d, pmax;
    void *mem;          /* every buffer below (not dn, nnls), one allocation: layout() in maxmargin.c */
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
    double *x, *dx, *x1, *x2, *rx, *tx, *ex, *rfx;
    double *s, *z, *ds, *dz, *z1, *z2, *rz, *lam, *tl, *tl2, *ez, *dsa, *dza, *dss, *rfz, *rfw, *rfc;
    double *wl;    /* L: orthant part sqrt(s/z); SOC part w-bar */
    double *beta;  /* 2 pmax */
    double *Bf;    /* 2 pmax x (d+1)^2: block Cholesky factors */
    double *R;     /* N x n */
    double *S;     /* n x n Cholesky factor of the Schur complement */
    double *tn;    /* n */
    /* blocks kept out of the Woodbury elimination (see kkt_factor) */
    size_t capA, nblkA, NA;
    size_t *apos;  /* 2 pmax: offset of block b in the dense part, or SIZE_MAX */
    struct score_idx { double score; size_t b; } *order; /* 2 pmax */
    double *HA;    /* NAmax x NAmax */
    double *MA;    /* n x NAmax */
    double *YA;    /* n x NAmax */
    double *xa;    /* NAmax */
    /* support reduction scratch */
    double *rdw;             /* cr_convex_reduce_doubles(n, pmax) */
    size_t *riw;             /* cr_convex_reduce_indices(n, pmax) */

    /* certificate candidates (pmax x d each) and lambda */
    double *Uc, *Upc, *lamc, *marg;
    double *Upol, *Uppol, *lampol; /* the polish solve's best point */
    double *xprev, *zprev;         /* N, n: the iterate before the last step */
};

/* ------------------------------------------------------------------ mm_cones.c: the pattern cones */

/* Builds the kept-pattern data of P into w (cone rows, span, L_k); *dropped and *reduced count the patterns
 * left out and those solved in a lower-dimensional span. Needs w->Xs, w->xhat (cr_mm_solve fills them). */
int cr_mm_build_patterns(cr_mm_work *w, const double *y, const cr_patterns *P, size_t *dropped, size_t *reduced,
                         cr_err *err);

/* Block layout (offsets, sizes) of the blocks selected in w->sel. */
void cr_mm_build_blocks(cr_mm_work *w);

/* ------------------------------------------------------------------ mm_ipm.c: the interior-point method */

typedef struct {
    double best_rel;   /* best certified relative gap so far */
    double upper, lower;
    int have_primal, have_dual;
    double lower_ext;  /* a lower bound known from elsewhere (the main solve, for the polish) */
    int infeasible;
    double inf_ratio;  /* max_j g_j(lambda) / (xscale y'lambda) of the ray */
    long iters;
    int converged;
} cr_mm_ipm_result;

/* Runs the interior-point method on the blocks of w (cr_mm_build_blocks), keeping the best certified point in
 * (U, Up, lambda) and the bounds in *res. */
int cr_mm_ipm_run(cr_mm_work *w, const double *X, const double *y, const cr_patterns *P, double tol,
                  long max_iter, double *U, double *Up, double *lambda, cr_mm_ipm_result *res, cr_err *err);

#endif
