/* Slide "Nonconvex landscape and convex landscape": the toy X = x, y (slide: 1, 1, beta = 1). Grids of the
 * nonconvex L(u, alpha) and the convex Lc(v, w) >= 0 for the side-by-side picture, with the stationarity of
 * each grid point (Clarke minimum-norm subgradient, KKT residual); the minima found numerically (grid, then
 * local refinement) and checked against the closed form (src/toy_landscape.h); and the slide's contrast: the origin is a
 * Clarke stationary point of L with L = y^2 > min L (spurious, a saddle), while Lc has no KKT point other than
 * its minimizer (certified over the whole square, src/toy_landscape.c). */
#include <math.h>
#include <string.h>

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

int cr_exp_landscape(const cr_config *cfg, const cr_data *unused, cr_run *run, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta, R = cfg->landscape.range;
    double v_cf, w_cf, val_cf;
    int st = cr_toy_landscape_closed_form(x, y, beta, &v_cf, &w_cf, &val_cf, err);
    if (st) {
        cr_err_prefix(err, "landscape");
        return CR_ERUNTIME;
    }
    double u = 0, al = 0, v = 0, w = 0;
    if ((st = write_grid(run, "nonconvex.csv", "u,alpha,L,clarke_minnorm", 0, cfg, &u, &al, err))) return st;
    if ((st = write_grid(run, "convex.csv", "v,w,L,kkt_residual", 1, cfg, &v, &w, err))) return st;
    double grid_u = u, grid_al = al, grid_v = v, grid_w = w;
    double ncval, cval;
    if ((st = cr_toy_landscape_minimize_nonconvex(x, y, beta, &u, &al, &ncval, err))) return st;
    if ((st = cr_toy_landscape_minimize_convex(x, y, beta, &v, &w, &cval, err))) return st;
    /* The convex solution maps to a network: u = v / sqrt(v), alpha = sqrt(v) (docs/MATH.md, Reconstruction). */
    double rec = cr_toy_landscape_nonconvex(x, y, beta, v / sqrt(v), sqrt(v));

    /* The origin of both landscapes: L(0, 0) = Lc(0, 0) = y^2 (the zero network). */
    const double origin_L = cr_toy_landscape_nonconvex(x, y, beta, 0, 0);
    const double origin_Lc = cr_toy_landscape_convex(x, y, beta, 0, 0);
    const double origin_clarke = cr_toy_landscape_clarke_minnorm(x, y, beta, 0, 0, 0.0, NULL);
    const double origin_kkt = cr_toy_landscape_convex_kkt_residual(x, y, beta, 0, 0);
    /* A saddle, not a local minimum: L decreases along u = alpha > 0, L(t, t) - L(0, 0) = -(2xy - beta) t^2 + x^2 t^4. */
    const double t = 0.01, diag_drop = cr_toy_landscape_nonconvex(x, y, beta, t, t) - origin_L;
    /* Certificate that Lc has no KKT point in [0, R]^2 outside the disc of radius delta around its minimizer. */
    const double delta = 0.1 * R;
    const long uncertified = cr_toy_landscape_convex_kkt_exclude(x, y, beta, R, v, w, delta, 12, NULL);

    cr_csv *c = cr_run_table(run, "minima.csv", "landscape,a,b,L,source,stationarity", err);
    if (!c) return CR_ERUNTIME;
    const char *lbl[] = {"nonconvex", "nonconvex", "convex", "convex", "nonconvex", "convex", "nonconvex", "convex"};
    const double pts[][3] = {{grid_u, grid_al, cr_toy_landscape_nonconvex(x, y, beta, grid_u, grid_al)},
                             {u, al, ncval},
                             {grid_v, grid_w, cr_toy_landscape_convex(x, y, beta, grid_v, grid_w)},
                             {v, w, cval},
                             {sqrt(v_cf), sqrt(v_cf), val_cf},
                             {v_cf, w_cf, val_cf},
                             {0, 0, origin_L},
                             {0, 0, origin_Lc}};
    const char *src[] = {"grid", "refined", "grid", "refined", "closed_form", "closed_form", "origin", "origin"};
    for (int k = 0; k < 8; k++) {
        cr_csv_str(c, lbl[k]);
        cr_csv_real(c, pts[k][0]);
        cr_csv_real(c, pts[k][1]);
        cr_csv_real(c, pts[k][2]);
        cr_csv_str(c, src[k]);
        /* Clarke minimum-norm subgradient of L, or KKT residual of Lc. */
        cr_csv_real(c, strcmp(lbl[k], "nonconvex") == 0
                           ? cr_toy_landscape_clarke_minnorm(x, y, beta, pts[k][0], pts[k][1], 0.0, NULL)
                           : cr_toy_landscape_convex_kkt_residual(x, y, beta, pts[k][0], pts[k][1]));
        cr_csv_endrow(c);
    }
    if ((st = cr_csv_close(c, err))) return st;

    cr_run_summary_real(run, "nonconvex_min", ncval);
    cr_run_summary_real(run, "nonconvex_u", u);
    cr_run_summary_real(run, "nonconvex_alpha", al);
    cr_run_summary_real(run, "convex_min", cval);
    cr_run_summary_real(run, "convex_v", v);
    cr_run_summary_real(run, "convex_w", w);
    cr_run_summary_real(run, "closed_form_min", val_cf);
    cr_run_summary_real(run, "reconstruction_L", rec);
    cr_run_summary_real(run, "origin_L", origin_L);
    cr_run_summary_real(run, "origin_clarke_minnorm", origin_clarke);
    cr_run_summary_real(run, "origin_convex_kkt_residual", origin_kkt);
    const double tol = 1e-8;
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] nonconvex minimum = beta y/x - beta^2/(4x^2) (closed form)", ncval, val_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] convex minimum = beta y/x - beta^2/(4x^2) (closed form)", cval, val_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] nonconvex minimizer u = sqrt(v*) (closed form)", u, sqrt(v_cf), tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] nonconvex minimizer alpha = sqrt(v*) (closed form)", al, sqrt(v_cf), tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] convex minimizer v* = (2xy - beta)/(2x^2) (closed form)", v, v_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] convex minimizer w* = 0 (closed form)", w, 0, tol, CR_CLAIM_ABS);
    cr_run_sanity(run, "reconstructed network attains the convex minimum (identity)", rec, cval, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] origin is Clarke stationary for L: min-norm Clarke subgradient = 0", origin_clarke, 0, 1e-12,
                 CR_CLAIM_ABS);
    cr_run_sanity(run, "L at the origin = y^2 (evaluation)", origin_L, y * y, 1e-12, CR_CLAIM_REL);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] origin is spurious: L(0,0) - min L = (2xy - beta)^2/(4x^2) (closed form)", origin_L - ncval,
                 (2 * x * y - beta) * (2 * x * y - beta) / (4 * x * x), tol, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] origin is a saddle: L(t,t) - L(0,0) = -(2xy - beta)t^2 + x^2 t^4 < 0 at t = 0.01", diag_drop,
                 -(2 * x * y - beta) * t * t + x * x * t * t * t * t, 1e-12, CR_CLAIM_ABS);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] origin is not stationary for Lc: KKT residual = 2xy - beta (closed form)", origin_kkt,
                 2 * x * y - beta, 1e-12, CR_CLAIM_REL);
    cr_run_claim(run, "[Nonconvex landscape and convex landscape] Lc has no KKT point outside the disc of radius range/10 around its minimizer (uncertified cells)",
                 (double)uncertified, 0, 0, CR_CLAIM_ABS);
    return CR_OK;
}
