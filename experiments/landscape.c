/* Slide "Nonconvex landscape and convex landscape": the toy X = x, y (slide: 1, 1, beta = 1). Grids of the
 * nonconvex L(u, alpha) and the convex Lc(v, w) >= 0 for the side-by-side picture, with the stationarity of
 * each grid point (Clarke minimum-norm subgradient, KKT residual); the minima found numerically (grid, then
 * local refinement) and checked against the closed form (src/toy_landscape.h); and the slide's contrast: the
 * origin is a Clarke stationary point of L with L = y^2 > min L (spurious, a saddle), while Lc has no KKT point
 * other than its minimizer (certified over the whole square, src/toy_landscape.c). */
#include <math.h>

#include "experiments.h"
#include "toy_landscape.h"

/* The i-th of g grid coordinates: [-R, R] (nonconvex) or [0, R] (convex: the constraint v, w >= 0). */
static double grid_coord(int convex, double R, long g, long i)
{
    return convex ? R * (double)i / (double)(g - 1) : -R + 2 * R * (double)i / (double)(g - 1);
}

/* Writes the grid with each point's stationarity measure; returns the grid's best point. */
static int write_grid(cr_run *run, const char *name, const char *header, int convex, const cr_config *cfg,
                      double *best_a, double *best_b, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta, R = cfg->landscape.range;
    const long g = cfg->landscape.grid;
    cr_csv *c = cr_run_table(run, name, header, err);
    if (!c) return CR_ERUNTIME;
    double best = INFINITY;
    for (long i = 0; i < g; i++) {
        double a = grid_coord(convex, R, g, i);
        for (long j = 0; j < g; j++) {
            double b = grid_coord(convex, R, g, j);
            double L = convex ? cr_toy_landscape_convex(x, y, beta, a, b)
                              : cr_toy_landscape_nonconvex(x, y, beta, a, b);
            /* The kink u = 0 is a grid line (odd g): no tolerance needed there. */
            double s = convex ? cr_toy_landscape_convex_kkt_residual(x, y, beta, a, b)
                              : cr_toy_landscape_clarke_minnorm(x, y, beta, a, b, 0.0, NULL);
            if (L < best) best = L, *best_a = a, *best_b = b;
            cr_csv_real(c, a);
            cr_csv_real(c, b);
            cr_csv_real(c, L);
            cr_csv_real(c, s);
            cr_csv_endrow(c);
        }
    }
    return cr_csv_close(c, err);
}

/* The landscapes' values at the points the claims are about. */
typedef struct {
    double v_cf, w_cf, val_cf;          /* closed-form convex minimizer and minimum */
    double grid_u, grid_al, grid_v, grid_w; /* best grid points */
    double u, al, ncval, v, w, cval;    /* refined minima */
    double rec;                         /* L at the network the convex minimizer maps to */
    double origin_L, origin_Lc, origin_clarke, origin_kkt, diag_drop;
    double t;                           /* diag_drop = L(t, t) - L(0, 0) */
    long uncertified;                   /* cells of [0, R]^2 the KKT exclusion did not certify */
} toy_points;

/* Grids, refined minima and the origin of both landscapes. */
static int landscape_points(const cr_config *cfg, cr_run *run, toy_points *q, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta, R = cfg->landscape.range;
    int st = cr_toy_landscape_closed_form(x, y, beta, &q->v_cf, &q->w_cf, &q->val_cf, err);
    if (st) {
        cr_err_prefix(err, "landscape");
        return CR_ERUNTIME;
    }
    q->u = q->al = q->v = q->w = 0;
    if ((st = write_grid(run, "nonconvex.csv", "u,alpha,L,clarke_minnorm", 0, cfg, &q->u, &q->al, err))) return st;
    if ((st = write_grid(run, "convex.csv", "v,w,L,kkt_residual", 1, cfg, &q->v, &q->w, err))) return st;
    q->grid_u = q->u, q->grid_al = q->al, q->grid_v = q->v, q->grid_w = q->w;
    if ((st = cr_toy_landscape_minimize_nonconvex(x, y, beta, &q->u, &q->al, &q->ncval, err))) return st;
    if ((st = cr_toy_landscape_minimize_convex(x, y, beta, &q->v, &q->w, &q->cval, err))) return st;
    /* The convex solution maps to a network: u = v / sqrt(v), alpha = sqrt(v) (docs/MATH.md, Reconstruction). */
    q->rec = cr_toy_landscape_nonconvex(x, y, beta, q->v / sqrt(q->v), sqrt(q->v));
    /* The origin of both landscapes: L(0, 0) = Lc(0, 0) = y^2 (the zero network). */
    q->origin_L = cr_toy_landscape_nonconvex(x, y, beta, 0, 0);
    q->origin_Lc = cr_toy_landscape_convex(x, y, beta, 0, 0);
    q->origin_clarke = cr_toy_landscape_clarke_minnorm(x, y, beta, 0, 0, 0.0, NULL);
    q->origin_kkt = cr_toy_landscape_convex_kkt_residual(x, y, beta, 0, 0);
    /* A saddle, not a local minimum: L decreases along u = alpha > 0, L(t, t) - L(0, 0) = -(2xy - beta) t^2 + x^2 t^4. */
    q->t = 0.01;
    q->diag_drop = cr_toy_landscape_nonconvex(x, y, beta, q->t, q->t) - q->origin_L;
    /* Certificate that Lc has no KKT point in [0, R]^2 outside the disc of radius delta around its minimizer. */
    q->uncertified = cr_toy_landscape_convex_kkt_exclude(x, y, beta, R, q->v, q->w, 0.1 * R, 12, NULL);
    return CR_OK;
}

/* minima.csv: each point with its value and stationarity (Clarke minimum-norm subgradient of L, or KKT residual of
 * Lc). */
static int write_minima(const cr_config *cfg, const toy_points *q, cr_run *run, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta;
    cr_csv *c = cr_run_table(run, "minima.csv", "landscape,a,b,L,source,stationarity", err);
    if (!c) return CR_ERUNTIME;
    const int convex[] = {0, 0, 1, 1, 0, 1, 0, 1};
    const double pts[][3] = {{q->grid_u, q->grid_al, cr_toy_landscape_nonconvex(x, y, beta, q->grid_u, q->grid_al)},
                             {q->u, q->al, q->ncval},
                             {q->grid_v, q->grid_w, cr_toy_landscape_convex(x, y, beta, q->grid_v, q->grid_w)},
                             {q->v, q->w, q->cval},
                             {sqrt(q->v_cf), sqrt(q->v_cf), q->val_cf},
                             {q->v_cf, q->w_cf, q->val_cf},
                             {0, 0, q->origin_L},
                             {0, 0, q->origin_Lc}};
    const char *src[] = {"grid", "refined", "grid", "refined", "closed_form", "closed_form", "origin", "origin"};
    for (int k = 0; k < 8; k++) {
        cr_csv_str(c, convex[k] ? "convex" : "nonconvex");
        cr_csv_real(c, pts[k][0]);
        cr_csv_real(c, pts[k][1]);
        cr_csv_real(c, pts[k][2]);
        cr_csv_str(c, src[k]);
        cr_csv_real(c, convex[k] ? cr_toy_landscape_convex_kkt_residual(x, y, beta, pts[k][0], pts[k][1])
                                 : cr_toy_landscape_clarke_minnorm(x, y, beta, pts[k][0], pts[k][1], 0.0, NULL));
        cr_csv_endrow(c);
    }
    return cr_csv_close(c, err);
}

static void summary(const toy_points *q, cr_run *run)
{
    cr_run_summary_real(run, "nonconvex_min", q->ncval);
    cr_run_summary_real(run, "nonconvex_u", q->u);
    cr_run_summary_real(run, "nonconvex_alpha", q->al);
    cr_run_summary_real(run, "convex_min", q->cval);
    cr_run_summary_real(run, "convex_v", q->v);
    cr_run_summary_real(run, "convex_w", q->w);
    cr_run_summary_real(run, "closed_form_min", q->val_cf);
    cr_run_summary_real(run, "reconstruction_L", q->rec);
    cr_run_summary_real(run, "origin_L", q->origin_L);
    cr_run_summary_real(run, "origin_clarke_minnorm", q->origin_clarke);
    cr_run_summary_real(run, "origin_convex_kkt_residual", q->origin_kkt);
}

/* Expected values are closed forms: cr_toy_landscape_closed_form's minimizer and the slide's formulas in x, y, beta. */
static void claims(const cr_config *cfg, const toy_points *q, cr_run *run)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta, t = q->t, tol = 1e-8;
#define SLIDE "[Nonconvex landscape and convex landscape] "
    cr_run_claim(run, SLIDE "nonconvex minimum = beta y/x - beta^2/(4x^2) (closed form)", q->ncval, q->val_cf, tol,
                 CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "convex minimum = beta y/x - beta^2/(4x^2) (closed form)", q->cval, q->val_cf, tol,
                 CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "nonconvex minimizer u = sqrt(v*) (closed form)", q->u, sqrt(q->v_cf), tol, CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "nonconvex minimizer alpha = sqrt(v*) (closed form)", q->al, sqrt(q->v_cf), tol,
                 CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "convex minimizer v* = (2xy - beta)/(2x^2) (closed form)", q->v, q->v_cf, tol,
                 CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "convex minimizer w* = 0 (closed form)", q->w, 0, tol, CR_CLAIM_ABS);
    cr_run_sanity(run, "reconstructed network attains the convex minimum (identity)", q->rec, q->cval, tol,
                  CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "origin is Clarke stationary for L: min-norm Clarke subgradient = 0", q->origin_clarke, 0,
                 1e-12, CR_CLAIM_ABS);
    cr_run_sanity(run, "L at the origin = y^2 (evaluation)", q->origin_L, y * y, 1e-12, CR_CLAIM_REL);
    cr_run_claim(run, SLIDE "origin is spurious: L(0,0) - min L = (2xy - beta)^2/(4x^2) (closed form)",
                 q->origin_L - q->ncval, (2 * x * y - beta) * (2 * x * y - beta) / (4 * x * x), tol, CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "origin is a saddle: L(t,t) - L(0,0) = -(2xy - beta)t^2 + x^2 t^4 < 0 at t = 0.01",
                 q->diag_drop, -(2 * x * y - beta) * t * t + x * x * t * t * t * t, 1e-12, CR_CLAIM_ABS);
    cr_run_claim(run, SLIDE "origin is not stationary for Lc: KKT residual = 2xy - beta (closed form)", q->origin_kkt,
                 2 * x * y - beta, 1e-12, CR_CLAIM_REL);
    cr_run_claim(run, SLIDE "Lc has no KKT point outside the disc of radius range/10 around its minimizer "
                            "(uncertified cells)",
                 (double)q->uncertified, 0, 0, CR_CLAIM_ABS);
#undef SLIDE
}

int cr_exp_landscape(const cr_config *cfg, const cr_data *unused, cr_run *run, cr_err *err)
{
    toy_points q;
    int st = landscape_points(cfg, run, &q, err);
    if (!st) st = write_minima(cfg, &q, run, err);
    if (st) return st;
    summary(&q, run);
    claims(cfg, &q, run);
    return CR_OK;
}
