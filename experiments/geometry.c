/* Slides "Geometric interpretation" (n = 2): the ellipse {Xu : ||u|| <= 1}, the rectified ellipsoid
 * Q = {(Xu)_+ : ||u|| <= 1} with its spikes, the polar set Q* (boundary at radius 1 / max_{z in Q} |a'z| in
 * direction a), and the optimal dual lambda* of the max-margin program, whose supporting line
 * {z : lambda*'z = 1} touches Q at the optimal neurons (X w1hat_j)_+. The support function of Q computed from
 * the patterns (per-pattern NNLS) is checked against an independent angular sweep. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "dualnorm.h"
#include "experiments.h"
#include "maxmargin.h"

int cr_exp_geometry_check(const cr_config *cfg, const cr_data *D, cr_err *err)
{
    /* The pictures are of two samples in the plane (the config schema refuses generated data of another size;
     * a CSV file is only known once loaded). */
    if (D->n != 2 || D->d != 2)
        return cr_err_set(err, CR_EINPUT, "%s: experiment geometry draws two samples in the plane: needs n = 2, d = 2, "
                                          "the data has n = %zu, d = %zu", cfg->file, D->n, D->d);
    return CR_OK;
}

/* Spikes: the points of Q farthest along each axis e_i (one-sided support in direction e_i). */
static int write_spikes(cr_run *run, const cr_data *D, const cr_patterns *P, cr_dualnorm_work *dw, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    cr_csv *c = cr_run_table(run, "spikes.csv", "sample,z1,z2", err);
    if (!c) return CR_ERUNTIME;
    int st = CR_OK;
    for (size_t i = 0; i < n && !st; i++) {
        double e[2] = {i == 0, i == 1}, val, u[2], zp[2];
        size_t which;
        int sgn;
        st = cr_dualnorm_over(dw, D->X, n, d, P, e, CR_DUALNORM_ONESIDED, &val, u, &which, &sgn, err);
        if (st) break;
        cr_dualnorm_image(D->X, n, d, u, 1.0, NULL, zp);
        cr_csv_int(c, (long long)i + 1);
        for (size_t k = 0; k < n; k++) cr_csv_real(c, zp[k]);
        cr_csv_endrow(c);
    }
    if (st) {
        cr_csv_abort(c);
        return st;
    }
    return cr_csv_close(c, err);
}

/* Support function and polar boundary in 720 directions, from the patterns against the angular sweep; *worst is
 * the largest difference of the two support functions. */
static int write_polar(cr_run *run, const cr_data *D, const cr_patterns *P, cr_dualnorm_work *dw, double *worst,
                       cr_err *err)
{
    const size_t n = D->n, d = D->d;
    cr_csv *c = cr_run_table(run, "polar.csv", "angle,a1,a2,support_patterns,support_sweep,dual_norm,polar_radius",
                             err);
    if (!c) return CR_ERUNTIME;
    int st = CR_OK;
    *worst = 0;
    const int N = 720;
    for (int k = 0; k < N && !st; k++) {
        double t = 2 * M_PI * k / N, a[2] = {cos(t), sin(t)}, hp, hs, dn, radius;
        st = cr_dualnorm_geometry(dw, D->X, n, d, P, a, &hp, &radius, err);
        if (!st) st = cr_dualnorm_sweep2(dw, D->X, n, a, CR_DUALNORM_ONESIDED, &hs, NULL, err);
        if (!st) st = cr_dualnorm_over(dw, D->X, n, d, P, a, CR_DUALNORM_ABS, &dn, NULL, NULL, NULL, err);
        if (st) break;
        if (fabs(hp - hs) > *worst) *worst = fabs(hp - hs);
        cr_csv_real(c, t);
        cr_csv_real(c, a[0]);
        cr_csv_real(c, a[1]);
        cr_csv_real(c, hp);
        cr_csv_real(c, hs);
        cr_csv_real(c, dn);
        cr_csv_real(c, radius);
        cr_csv_endrow(c);
    }
    if (st) {
        cr_csv_abort(c);
        return st;
    }
    return cr_csv_close(c, err);
}

/* The max-margin solution: blocks U, Up (p x 2 each), lambda*, its certificate. */
typedef struct {
    double U[64], Up[64], lam[2];
    cr_mm_info mi;
} geo_opt;

/* The points where lambda*'s supporting line touches Q: the optimal neurons (X w1hat_j)_+ of the nonzero blocks;
 * *worst is the largest ||lambda*'z_j| - 1|, *touches their count. */
static int write_touch(cr_run *run, const cr_data *D, const cr_patterns *P, const geo_opt *o, double *worst,
                       size_t *touches, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    cr_csv *c = cr_run_table(run, "touch.csv", "block,sign,z1,z2,lambda_dot_z", err);
    if (!c) return CR_ERUNTIME;
    *worst = 0;
    *touches = 0;
    for (size_t b = 0; b < 2 * P->p; b++) {
        const double *ub = b % 2 == 0 ? o->U + (b / 2) * d : o->Up + (b / 2) * d;
        double nrm = hypot(ub[0], ub[1]);
        if (nrm <= 1e-9 * (1 + o->mi.primal)) continue;
        double z[2];
        cr_dualnorm_image(D->X, n, d, ub, nrm, NULL, z);
        double dot = o->lam[0] * z[0] + o->lam[1] * z[1];
        if (fabs(fabs(dot) - 1) > *worst) *worst = fabs(fabs(dot) - 1);
        (*touches)++;
        cr_csv_int(c, (long long)(b / 2) + 1);
        cr_csv_int(c, b % 2 == 0 ? 1 : -1);
        cr_csv_real(c, z[0]);
        cr_csv_real(c, z[1]);
        cr_csv_real(c, dot);
        cr_csv_endrow(c);
    }
    int st = cr_csv_close(c, err);
    if (st || !(c = cr_run_table(run, "lambda.csv", "lambda1,lambda2", err))) return st ? st : CR_ERUNTIME;
    cr_csv_real(c, o->lam[0]);
    cr_csv_real(c, o->lam[1]);
    cr_csv_endrow(c);
    return cr_csv_close(c, err);
}

static void report(const geo_opt *o, double dn_star, size_t touches, double worst, double worst_touch, cr_run *run)
{
    cr_run_summary_real(run, "P_star", o->mi.primal);
    cr_run_summary_real(run, "D_star", o->mi.dual);
    cr_run_summary_real(run, "lambda1", o->lam[0]);
    cr_run_summary_real(run, "lambda2", o->lam[1]);
    cr_run_summary_real(run, "dual_norm_lambda_star", dn_star);
    cr_run_summary_int(run, "optimal_neurons", (long long)touches);
    cr_run_summary_real(run, "max_support_difference", worst);
    /* Sanity: two computations of the same support function (a test of the code, not of a slide). */
    cr_run_sanity(run, "support function of Q from patterns = angular sweep (max abs difference)", worst, 0, 1e-9,
                  CR_CLAIM_LE);
    cr_run_claim(run, "[Geometric interpretation] the optimal dual lambda* lies on the boundary of the polar set Q* "
                      "(dual norm 1)",
                 dn_star, 1, 1e-6, CR_CLAIM_REL);
    cr_run_claim(run, "[Dual problem] optimal neurons maximize |lambda*'(Xu)_+| over ||u|| <= 1: max "
                      "||lambda*'z_j| - 1|",
                 worst_touch, 0, 1e-6, CR_CLAIM_LE);
}

int cr_exp_geometry(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t n = D->n, d = D->d;
    if (n != 2 || d != 2)
        return cr_err_set(err, CR_ERUNTIME, "geometry draws n = 2, d = 2 (got n = %zu, d = %zu)", n, d);
    cr_patterns *P = NULL;
    cr_mm_work *mw = NULL;
    cr_dualnorm_work *dw = NULL;
    geo_opt o;
    double worst = 0, worst_touch = 0, dn_star = 0;
    size_t touches = 0;
    int st = cr_exp_patterns(cfg, D, &P, err);
    if (st) return st;
    mw = cr_mm_alloc(n, d, P->p);
    dw = cr_dualnorm_alloc(n, d);
    if (!mw || !dw || P->p * d > 64) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st) st = cr_exp_write_circle(run, D, err);
    if (!st) st = write_spikes(run, D, P, dw, err);
    if (!st) st = write_polar(run, D, P, dw, &worst, err);
    if (!st) st = cr_exp_mm_solve(cfg, mw, D, P, o.U, o.Up, o.lam, &o.mi, "P*", err);
    if (!st) st = cr_dualnorm_over(dw, D->X, n, d, P, o.lam, CR_DUALNORM_ABS, &dn_star, NULL, NULL, NULL, err);
    if (!st) st = write_touch(run, D, P, &o, &worst_touch, &touches, err);
    if (!st) report(&o, dn_star, touches, worst, worst_touch, run);
    cr_mm_free(mw);
    cr_dualnorm_free(dw);
    cr_patterns_free(P);
    return st;
}
