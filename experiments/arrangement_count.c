/* Slide "Upperbound on the number of hyperplane arrangement patterns": p against n for each d on Gaussian
 * data: exact count, the general-position closed form, a sampled count with a fixed number of directions,
 * and Cover's bound (counts.csv, long format: d,n,method,p). */
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "experiments.h"
#include "patterns.h"
#include "progress.h"
#include "rng.h"

/* The four counts of one instance, in the order of methods[]; -1 for the closed form off general position. */
static const char *const methods[] = {"exact", "closed_form", "sampled", "cover_bound"};

/* The running values of the claims. */
typedef struct {
    size_t mismatch, not_subset, general_cases;
    double worst_ratio;
} count_stats;

/* One Gaussian n x d instance (rows from data_rng into X): its exact, closed-form, sampled and bound counts into v. */
static int count_instance(const cr_config *cfg, size_t n, size_t d, gsl_rng *data_rng, gsl_rng *pat_rng, double *X,
                          double *v, count_stats *cs, cr_err *err)
{
    for (size_t k = 0; k < n * d; k++) X[k] = gsl_ran_gaussian(data_rng, 1.0);
    cr_patterns *exact = NULL, *sampled = NULL;
    int st = cr_patterns_enumerate(X, n, d, &exact, err);
    if (!st) st = cr_patterns_sample(X, n, d, (size_t)cfg->count.samples, pat_rng, &sampled, err);
    if (!st) {
        size_t r = cr_patterns_rank(X, n, d);
        double cover = cr_patterns_cover_bound(n, r);
        v[0] = (double)exact->p;
        v[1] = -1;
        v[2] = (double)sampled->p;
        v[3] = cover;
        int general = cr_patterns_general_position(X, n, d);
        if (r == (size_t)-1 || general < 0) {
            st = cr_err_set(err, CR_ERUNTIME, "rank or general-position test failed at n = %zu, d = %zu", n, d);
            general = 0;
        }
        if (general) {
            v[1] = cr_patterns_closed_form(X, n, d);
            cs->general_cases++;
            cs->mismatch += v[1] != v[0];
        }
        cs->not_subset += !cr_patterns_is_subset(sampled, exact);
        if (v[0] / cover > cs->worst_ratio) cs->worst_ratio = v[0] / cover;
    }
    cr_patterns_free(exact);
    cr_patterns_free(sampled);
    return st;
}

/* counts.csv ordered by method, d, n, so that each plotted series is a contiguous block of rows;
 * vals[(jd * nn + jn) * 4 + method]. */
static int write_counts(const cr_config *cfg, const double *vals, cr_csv *c, cr_err *err)
{
    const size_t nn = cfg->count.n.len;
    for (int m = 0; m < 4; m++) {
        for (size_t jd = 0; jd < cfg->count.d.len; jd++) {
            for (size_t jn = 0; jn < nn; jn++) {
                double v = vals[(jd * nn + jn) * 4 + m];
                if (v < 0) continue; /* closed form only in general position */
                cr_csv_int(c, cfg->count.d.v[jd]);
                cr_csv_int(c, cfg->count.n.v[jn]);
                cr_csv_str(c, methods[m]);
                cr_csv_real(c, v);
                cr_csv_endrow(c);
            }
        }
    }
    return cr_csv_close(c, err);
}

static void report(size_t cells, const count_stats *cs, cr_run *run)
{
    cr_run_summary_int(run, "instances", (long long)cells);
    cr_run_summary_int(run, "general_position_instances", (long long)cs->general_cases);
    cr_run_summary_real(run, "max_p_over_cover", cs->worst_ratio);
    /* The claim: the count p of the slide, enumerated exactly, is Cover's count (the bound's source) on every
     * general-position instance: instances where it held, of the instances. */
    cr_run_claim(run, "[Upperbound on the number of hyperplane arrangement patterns] p = Cover's count C(n, r) (+1) "
                      "(instances where it holds, of the general-position ones)",
                 (double)(cs->general_cases - cs->mismatch), (double)cs->general_cases, 0, CR_CLAIM_ABS);
    /* Sanity: Gaussian data is in general position almost surely; sampling finds realized patterns only; the
     * slide's bound is at least 8 times the count everywhere here (max_p_over_cover), so it cannot fail. */
    cr_run_sanity(run, "Gaussian data is in general position (all instances)", (double)cs->general_cases,
                  (double)cells, 0, CR_CLAIM_ABS);
    cr_run_sanity(run, "sampled patterns are a subset of the exact ones (instances where not)", (double)cs->not_subset,
                  0, 0, CR_CLAIM_ABS);
    cr_run_sanity(run, "p <= Cover's bound 2r(e(n-1)/r)^r on every instance (max p/bound)", cs->worst_ratio, 1, 0,
                  CR_CLAIM_LE);
}

int cr_exp_arrangement_count(const cr_config *cfg, const cr_data *unused, cr_run *run, cr_err *err)
{
    gsl_rng *data_rng = cr_rng_seeded((unsigned long)cfg->data.seed);
    gsl_rng *pat_rng = cr_rng_stream(cfg->seed, "patterns");
    cr_csv *c = cr_run_table(run, "counts.csv", "d,n,method,p", err);
    size_t maxn = 0, maxd = 0;
    for (size_t i = 0; i < cfg->count.n.len; i++)
        if ((size_t)cfg->count.n.v[i] > maxn) maxn = (size_t)cfg->count.n.v[i];
    for (size_t i = 0; i < cfg->count.d.len; i++)
        if ((size_t)cfg->count.d.v[i] > maxd) maxd = (size_t)cfg->count.d.v[i];
    const size_t nn = cfg->count.n.len, cells = nn * cfg->count.d.len;
    double *X = malloc(maxn * maxd * sizeof *X), *vals = malloc(cells * 4 * sizeof *vals);
    int st = CR_OK;
    if (!data_rng || !pat_rng || !X || !vals) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (!c) st = CR_ERUNTIME;
    count_stats cs = {0};
    size_t done = 0;
    cr_progress *prog = cr_progress_start("arrangement counts", (double)cells, !cr_run_quiet(run));
    for (size_t jd = 0; !st && jd < cfg->count.d.len; jd++)
        for (size_t jn = 0; !st && jn < nn; jn++) {
            st = count_instance(cfg, (size_t)cfg->count.n.v[jn], (size_t)cfg->count.d.v[jd], data_rng, pat_rng, X,
                                vals + (jd * nn + jn) * 4, &cs, err);
            cr_progress_update(prog, (double)++done);
        }
    cr_progress_finish(prog);
    if (!st) st = write_counts(cfg, vals, c, err);
    else cr_csv_abort(c);
    free(X);
    free(vals);
    gsl_rng_free(data_rng);
    gsl_rng_free(pat_rng);
    if (!st) report(cells, &cs, run);
    return st;
}
