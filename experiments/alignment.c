/* Slide "Theorem ... cos angle >= 1 - delta" (directional convergence, Wang and Pilanci): from a small balanced
 * initialization, gradient descent on the logistic loss turns some neuron of each sign s towards
 * s X'D(w1_j) y, D strict: cos_j(t) = cos angle(w1_j(t), s X'D(w1_j(t)) y) reaches 1 - delta. The run at
 * train.scale logs the slides' trajectories (w1hat_j on the unit circle, (X w1hat_j)_+ in the plane); a sweep
 * over alignment.scales measures the best cosine reached per sign against the initialization scale. */
#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "experiments.h"
#include "kkt.h"

typedef struct {
    const cr_data *D;
    cr_csv *traj; /* NULL: no trajectory table */
    double *cosj, *w1norm; /* m: scratch */
    double best[2]; /* best cos reached for s = +1, -1 over the logged steps */
    long next, last;
} al_ctx;

/* The slides' trajectories at one logged step: per neuron ||w1_j||, |w2_j|, w1hat_j (first two coordinates: the
 * pictures are for d = 2), (X w1hat_j)_+ (first two samples) and cos_j. */
static void write_trajectory(al_ctx *c, long iter, const cr_net *net)
{
    const cr_data *D = c->D;
    const size_t m = net->m, d = D->d, n = D->n;
    cr_net_neuron_norms(net, c->w1norm, NULL);
    for (size_t j = 0; j < m; j++) {
        const double nrm = c->w1norm[j];
        cr_csv_int(c->traj, iter);
        cr_csv_int(c->traj, (long long)j + 1);
        cr_csv_int(c->traj, net->w2[j] >= 0 ? 1 : -1);
        cr_csv_real(c->traj, nrm);
        cr_csv_real(c->traj, fabs(net->w2[j]));
        for (size_t k = 0; k < 2; k++) cr_csv_real(c->traj, k < d && nrm > 0 ? net->W1[k * m + j] / nrm : 0.0);
        for (size_t i = 0; i < 2; i++) {
            double z = 0;
            for (size_t k = 0; i < n && k < d && nrm > 0; k++) z += D->X[i * d + k] * net->W1[k * m + j] / nrm;
            cr_csv_real(c->traj, z > 0 ? z : 0.0);
        }
        if (isfinite(c->cosj[j])) cr_csv_real(c->traj, c->cosj[j]);
        else cr_csv_str(c->traj, "");
        cr_csv_endrow(c->traj);
    }
}

static int log_alignment(void *vctx, const cr_train_row *row, const cr_net *net)
{
    al_ctx *c = vctx;
    if (row->iter < c->next && row->iter != c->last) return 0;
    long step = (long)ceil((double)c->next * 0.0593); /* about 40 records per decade; t = 0 first */
    c->next += step > 0 ? step : 1;
    const cr_data *D = c->D;
    double now[2];
    cr_kkt_alignment(D->X, D->y, D->n, D->d, net->W1, net->w2, net->m, c->cosj);
    cr_net_best_by_sign(net, c->cosj, now);
    for (int k = 0; k < 2; k++)
        if (now[k] > c->best[k]) c->best[k] = now[k];
    if (c->traj) write_trajectory(c, row->iter, net);
    return 0;
}

/* Trains width m from seed 1 at the scale of cfg (log_every 1: the callback records at geometric steps); best[] the
 * best cosine per sign reached. traj: the trajectory table or NULL. */
static int train_aligned(const cr_config *cfg, const cr_data *D, al_ctx *scratch, cr_csv *traj, double best[2],
                         cr_err *err)
{
    al_ctx ctx = {.D = D, .traj = traj, .cosj = scratch->cosj, .w1norm = scratch->w1norm,
                  .best = {-INFINITY, -INFINITY}, .next = 0, .last = cfg->train.iters};
    cr_config gd = *cfg;
    gd.train.log_every = 1;
    cr_net *net = NULL;
    cr_train_info ti;
    int st = cr_exp_train(&gd, D, (size_t)cfg->train.width, 1, log_alignment, &ctx, &net, &ti, err);
    cr_net_free(net);
    best[0] = ctx.best[0], best[1] = ctx.best[1];
    return st;
}

/* The scale sweep: same initial directions (same stream), scaled; bests[2 k + s] for scale k and sign s. */
static int scale_sweep(const cr_config *cfg, const cr_data *D, al_ctx *scratch, cr_run *run, double *bests,
                       cr_err *err)
{
    cr_csv *sweep = cr_run_table(run, "scales.csv", "scale,sign,best_cos,one_minus_cos", err);
    if (!sweep) return CR_ERUNTIME;
    cr_config sc = *cfg;
    int st = CR_OK;
    for (size_t k = 0; !st && k < cfg->alignment.scales.len; k++) {
        sc.train.scale = cfg->alignment.scales.v[k];
        if ((st = train_aligned(&sc, D, scratch, NULL, bests + 2 * k, err))) {
            cr_err_prefix(err, "alignment.scales[%zu] = %g", k, cfg->alignment.scales.v[k]);
            break;
        }
        for (int s = 0; s < 2; s++) {
            cr_csv_real(sweep, cfg->alignment.scales.v[k]);
            cr_csv_int(sweep, s == 0 ? 1 : -1);
            cr_csv_real(sweep, bests[2 * k + (size_t)s]);
            cr_csv_real(sweep, 1 - bests[2 * k + (size_t)s]);
            cr_csv_endrow(sweep);
        }
    }
    if (st) {
        cr_csv_abort(sweep);
        return st;
    }
    return cr_csv_close(sweep, err);
}

/* Monotone in the scale: 1 - cos must not grow as the scale shrinks (pairs of scales that violate it, per sign). */
static size_t violations(const cr_reallist *scales, const double *bests)
{
    size_t v = 0;
    for (size_t a = 0; a < scales->len; a++)
        for (size_t b = 0; b < scales->len; b++)
            for (int s = 0; s < 2; s++)
                if (scales->v[b] < scales->v[a] &&
                    1 - bests[2 * b + (size_t)s] > (1 - bests[2 * a + (size_t)s]) * (1 + 1e-6) + 1e-12)
                    v++;
    return v;
}

static void report(const cr_config *cfg, const double main_best[2], const double *bests, cr_run *run)
{
    const cr_reallist *sc = &cfg->alignment.scales;
    size_t smallest = 0;
    for (size_t k = 0; k < sc->len; k++)
        if (sc->v[k] < sc->v[smallest]) smallest = k;
    cr_run_summary_real(run, "scale", cfg->train.scale);
    cr_run_summary_real(run, "cos_pos", main_best[0]);
    cr_run_summary_real(run, "cos_neg", main_best[1]);
    cr_run_summary_real(run, "smallest_scale", sc->len ? sc->v[smallest] : NAN);
    cr_run_summary_real(run, "cos_pos_smallest_scale", sc->len ? bests[2 * smallest] : NAN);
    cr_run_summary_real(run, "cos_neg_smallest_scale", sc->len ? bests[2 * smallest + 1] : NAN);
    cr_run_claim(run, "some neuron with s = +1 reaches cos >= 1 - delta = 0.99 (train.scale)", main_best[0], 0.99, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "some neuron with s = -1 reaches cos >= 1 - delta = 0.99 (train.scale)", main_best[1], 0.99, 0,
                 CR_CLAIM_GE);
    cr_run_claim(run, "the cosine reached grows as the initialization scale shrinks (violations)",
                 (double)violations(sc, bests), 0, 0, CR_CLAIM_ABS);
}

int cr_exp_alignment(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    const size_t m = (size_t)cfg->train.width, ns = cfg->alignment.scales.len;
    al_ctx scratch = {.cosj = calloc(m, sizeof(double)), .w1norm = calloc(m, sizeof(double))};
    double *bests = calloc(2 * (ns ? ns : 1), sizeof *bests), main_best[2];
    cr_csv *traj = NULL;
    int st = (scratch.cosj && scratch.w1norm && bests) ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!st && D->n == 2 && D->d == 2) st = cr_exp_write_circle(run, D, err);
    /* The run at train.scale, with trajectories. */
    if (!st && !(traj = cr_run_table(run, "trajectories.csv",
                                     "iter,neuron,sign,norm_w1,abs_w2,w1hat_1,w1hat_2,z1,z2,cos", err)))
        st = CR_ERUNTIME;
    if (!st) st = train_aligned(cfg, D, &scratch, traj, main_best, err);
    if (!st) {
        st = cr_csv_close(traj, err);
        traj = NULL;
    }
    if (!st) st = scale_sweep(cfg, D, &scratch, run, bests, err);
    if (!st) report(cfg, main_best, bests, run);
    cr_csv_abort(traj);
    free(bests);
    free(scratch.cosj);
    free(scratch.w1norm);
    return st;
}
