/* Slides "Hyperplane arrangements" and "Upperbound on the number of patterns": the patterns D_i of the
 * data (exact or sampled, patterns.method), rank, Cover's bound, the general-position closed form, and for
 * d = 2 the u-plane picture: the lines x_i'u = 0, each sector labelled by its pattern, the data points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "experiments.h"
#include "patterns.h"
#include "plane_arrangement.h"
#include "rng.h"

/* The slides' four patterns of X = [[3,3],[2,2],[1,0]] (slides D_1..D_4: 111, 110, 000, 001) as masks, sample 1 in
 * bit 0. */
static const uint64_t slide_masks[] = {0x7, 0x3, 0x0, 0x4};

static int write_patterns(cr_run *run, const cr_patterns *P, cr_err *err)
{
    cr_csv *c = cr_run_table(run, "patterns.csv", "index,pattern", err);
    if (!c) return CR_ERUNTIME;
    char *buf = malloc(P->n + 1);
    if (!buf) {
        cr_csv_abort(c);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    for (size_t i = 0; i < P->p; i++) {
        cr_patterns_string(P, i, buf);
        cr_csv_int(c, (long long)i + 1);
        cr_csv_quoted(c, buf);
        cr_csv_endrow(c);
    }
    free(buf);
    return cr_csv_close(c, err);
}

/* The d = 2 picture: data points, rays of the lines, and one label per sector at its bisector. */
static int write_plane(cr_run *run, const cr_data *D, cr_err *err)
{
    size_t n = D->n, nr = 0;
    double *rays = malloc((2 * n + 1) * sizeof *rays);
    char *buf = malloc(n + 1);
    uint64_t *mask = malloc(((n + 63) / 64 + 1) * sizeof *mask);
    if (!rays || !buf || !mask) {
        free(rays);
        free(buf);
        free(mask);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    cr_plane_arrangement_rays(D->X, n, rays, &nr);
    int st = CR_OK;
    cr_csv *c = cr_run_table(run, "data.csv", "i,x1,x2,y", err);
    if (!c) st = CR_ERUNTIME;
    for (size_t i = 0; c && i < n; i++) {
        cr_csv_int(c, (long long)i + 1);
        cr_csv_real(c, D->X[2 * i]);
        cr_csv_real(c, D->X[2 * i + 1]);
        cr_csv_real(c, D->y[i]);
        cr_csv_endrow(c);
    }
    if (c) st = cr_csv_close(c, err);
    if (!st && !(c = cr_run_table(run, "rays.csv", "angle,u1,u2", err))) st = CR_ERUNTIME;
    for (size_t k = 0; !st && k < nr; k++) {
        cr_csv_real(c, rays[k]);
        cr_csv_real(c, cos(rays[k]));
        cr_csv_real(c, sin(rays[k]));
        cr_csv_endrow(c);
    }
    if (!st) st = cr_csv_close(c, err);
    if (!st && !(c = cr_run_table(run, "sectors.csv", "angle,u1,u2,pattern", err))) st = CR_ERUNTIME;
    for (size_t k = 0; !st && k < (nr ? nr : 1); k++) {
        /* Bisector of the sector from ray k to ray k+1 (the whole circle when there is no line). */
        double a = nr ? rays[k] : 0.0;
        double b = nr ? (k + 1 < nr ? rays[k + 1] : rays[0] + 2 * M_PI) : 2 * M_PI;
        double t = 0.5 * (a + b);
        const double u[2] = {cos(t), sin(t)};
        cr_patterns_direction(D->X, n, 2, u, 1, mask);
        cr_csv_real(c, fmod(t, 2 * M_PI));
        cr_csv_real(c, u[0]);
        cr_csv_real(c, u[1]);
        cr_exp_csv_mask(c, mask, n, buf);
        cr_csv_endrow(c);
    }
    if (!st) st = cr_csv_close(c, err);
    free(rays);
    free(buf);
    free(mask);
    return st;
}

int cr_exp_arrangements(const cr_config *cfg, const cr_data *D, cr_run *run, cr_err *err)
{
    cr_patterns *exact = NULL, *sampled = NULL;
    gsl_rng *rng = cr_rng_stream(cfg->seed, "patterns");
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = cr_patterns_enumerate(D->X, D->n, D->d, &exact, err);
    if (!st) st = cr_patterns_sample(D->X, D->n, D->d, (size_t)cfg->patterns.samples, rng, &sampled, err);
    gsl_rng_free(rng);
    if (st) goto done;

    const cr_patterns *used = cfg->patterns.method == CR_CONFIG_PATTERNS_EXACT ? exact : sampled;
    size_t r = cr_patterns_rank(D->X, D->n, D->d);
    double cover = cr_patterns_cover_bound(D->n, r);
    int general = cr_patterns_general_position(D->X, D->n, D->d);
    cr_run_summary_int(run, "n", (long long)D->n);
    cr_run_summary_int(run, "d", (long long)D->d);
    cr_run_summary_int(run, "rank", (long long)r);
    cr_run_summary_str(run, "method", cr_config_patterns_method_name(cfg->patterns.method));
    cr_run_summary_int(run, "p", (long long)used->p);
    cr_run_summary_int(run, "p_exact", (long long)exact->p);
    cr_run_summary_int(run, "p_sampled", (long long)sampled->p);
    cr_run_summary_int(run, "samples", cfg->patterns.samples);
    cr_run_summary_real(run, "cover_bound", cover);
    cr_run_summary_int(run, "general_position", general);

    if ((st = write_patterns(run, used, err))) goto done;
    if (D->d == 2 && (st = write_plane(run, D, err))) goto done;

    if (cfg->data.kind == CR_CONFIG_DATA_SLIDE) {
        /* Expected values are the slides' own: p = 4 and the patterns D_1..D_4. */
        cr_run_claim(run, "[Hyperplane arrangements] slide example X: p = 4 patterns (D_1..D_4)", (double)exact->p, 4,
                     0, CR_CLAIM_ABS);
        size_t found = 0;
        for (size_t k = 0; k < 4; k++) found += exact->n == 3 && cr_patterns_find(exact, &slide_masks[k]) != (size_t)-1;
        cr_run_claim(run, "[Hyperplane arrangements] slide example X: D_1..D_4 = 111, 110, 000, 001 all found",
                     (double)found, 4, 0, CR_CLAIM_ABS);
    }
    if (r == (size_t)-1 || general < 0)
        st = cr_err_set(err, CR_ERUNTIME, "rank or general-position test failed (non-finite data or no memory)");
    if (st) goto done;
    if (general) {
        double cf = cr_patterns_closed_form(D->X, D->n, D->d);
        cr_run_summary_real(run, "closed_form", cf);
        cr_run_claim(run, "[Upperbound on the number of hyperplane arrangement patterns] general position: p = "
                          "Cover's count C(n, r) (+1)",
                     (double)exact->p, cf, 0, CR_CLAIM_ABS);
    }
    /* Sanity: sampling finds realized patterns only; the bound is far from tight (4 of 29.6 on the slide data). */
    cr_run_sanity(run, "sampled patterns are a subset of the exact ones", cr_patterns_is_subset(sampled, exact), 1, 0,
                  CR_CLAIM_ABS);
    cr_run_sanity(run, "p <= Cover's bound 2r(e(n-1)/r)^r", (double)exact->p, cover, 0, CR_CLAIM_LE);
done:
    cr_patterns_free(exact);
    cr_patterns_free(sampled);
    return st;
}
