/* Slide "Nonconvex landscape and convex landscape": the toy X = x, y (slide: 1, 1, beta = 1). Grids of the
 * nonconvex L(u, alpha) and the convex Lc(v, w) >= 0 for the side-by-side picture, their minima found
 * numerically (grid, then local refinement) and checked against the closed form (src/toy.h). */
#include <math.h>

#include "experiments.h"
#include "toy.h"

static int write_grid(cr_run *run, const char *name, const char *header, int convex, const cr_config *cfg,
                      double *best_a, double *best_b, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta, R = cfg->landscape.range;
    const long g = cfg->landscape.grid;
    cr_csv *c = cr_run_table(run, name, header, err);
    if (!c) return CR_ERUNTIME;
    double best = INFINITY;
    for (long i = 0; i < g; i++) {
        /* Nonconvex: [-R, R]^2; convex: [0, R]^2 (the constraint v, w >= 0). */
        double a = convex ? R * (double)i / (double)(g - 1) : -R + 2 * R * (double)i / (double)(g - 1);
        for (long j = 0; j < g; j++) {
            double b = convex ? R * (double)j / (double)(g - 1) : -R + 2 * R * (double)j / (double)(g - 1);
            double L = convex ? cr_toy_convex(x, y, beta, a, b) : cr_toy_nonconvex(x, y, beta, a, b);
            if (L < best) best = L, *best_a = a, *best_b = b;
            cr_csv_real(c, a);
            cr_csv_real(c, b);
            cr_csv_real(c, L);
            cr_csv_endrow(c);
        }
    }
    return cr_csv_close(c, err);
}

int cr_exp_landscape(const cr_config *cfg, const cr_data *unused, cr_run *run, cr_err *err)
{
    const double x = cfg->landscape.x, y = cfg->landscape.y, beta = cfg->landscape.beta;
    double v_cf, w_cf, val_cf;
    int st = cr_toy_closed_form(x, y, beta, &v_cf, &w_cf, &val_cf, err);
    if (st) {
        cr_err_prefix(err, "landscape");
        return CR_ERUNTIME;
    }
    double u = 0, al = 0, v = 0, w = 0;
    if ((st = write_grid(run, "nonconvex.csv", "u,alpha,L", 0, cfg, &u, &al, err))) return st;
    if ((st = write_grid(run, "convex.csv", "v,w,L", 1, cfg, &v, &w, err))) return st;
    double grid_u = u, grid_al = al, grid_v = v, grid_w = w;
    double ncval, cval;
    if ((st = cr_toy_minimize_nonconvex(x, y, beta, &u, &al, &ncval, err))) return st;
    if ((st = cr_toy_minimize_convex(x, y, beta, &v, &w, &cval, err))) return st;
    /* The convex solution maps to a network: u = v / sqrt(v), alpha = sqrt(v) (docs/MATH.md, Reconstruction). */
    double rec = cr_toy_nonconvex(x, y, beta, v / sqrt(v), sqrt(v));

    cr_csv *c = cr_run_table(run, "minima.csv", "landscape,a,b,L,source", err);
    if (!c) return CR_ERUNTIME;
    const char *lbl[] = {"nonconvex", "nonconvex", "convex", "convex", "nonconvex", "convex"};
    const double pts[][3] = {{grid_u, grid_al, cr_toy_nonconvex(x, y, beta, grid_u, grid_al)},
                             {u, al, ncval},
                             {grid_v, grid_w, cr_toy_convex(x, y, beta, grid_v, grid_w)},
                             {v, w, cval},
                             {sqrt(v_cf), sqrt(v_cf), val_cf},
                             {v_cf, w_cf, val_cf}};
    const char *src[] = {"grid", "refined", "grid", "refined", "closed_form", "closed_form"};
    for (int k = 0; k < 6; k++) {
        cr_csv_str(c, lbl[k]);
        cr_csv_real(c, pts[k][0]);
        cr_csv_real(c, pts[k][1]);
        cr_csv_real(c, pts[k][2]);
        cr_csv_str(c, src[k]);
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
    const double tol = 1e-8;
    cr_run_claim(run, "nonconvex minimum = closed form (slide: 0.75)", ncval, val_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "convex minimum = closed form (slide: 0.75)", cval, val_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "nonconvex minimizer u = sqrt(v*) (slide: 1/sqrt 2)", u, sqrt(v_cf), tol, CR_CLAIM_ABS);
    cr_run_claim(run, "nonconvex minimizer alpha = sqrt(v*) (slide: 1/sqrt 2)", al, sqrt(v_cf), tol, CR_CLAIM_ABS);
    cr_run_claim(run, "convex minimizer v = (2xy - beta)/(2x^2) (slide: 1/2)", v, v_cf, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "convex minimizer w = 0", w, 0, tol, CR_CLAIM_ABS);
    cr_run_claim(run, "reconstructed network attains the convex minimum", rec, cval, tol, CR_CLAIM_ABS);
    return CR_OK;
}
