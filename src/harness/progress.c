/* Terminal progress bar (see progress.h). Draws at most ten times a second, first after one second. The
 * display of a convex solve: its iteration log, or the bar. */
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "timer.h"

struct cr_progress {
    char label[48];
    double total;
    int enabled, drawn;
    double start, last;
};

cr_progress *cr_progress_start(const char *label, double total, int enabled)
{
    cr_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total > 0 ? total : 1;
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->start = p->last = cr_seconds();
    return p;
}

void cr_progress_update(cr_progress *p, double done)
{
    if (!p || !p->enabled) return;
    double t = cr_seconds();
    if (t - p->start < 1.0 || t - p->last < 0.1) return;
    p->last = t;
    double frac = done / p->total;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    int width = 30, fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    double eta = frac > 0 ? (t - p->start) * (1 - frac) / frac : 0;
    fprintf(stderr, "\r%-24s [%s] %5.1f%%  eta %4.0fs", p->label, bar, 100 * frac, eta);
    fflush(stderr);
    p->drawn = 1;
}

void cr_progress_finish(cr_progress *p)
{
    if (!p) return;
    if (p->drawn) {
        fprintf(stderr, "\r%70s\r", "");
        fflush(stderr);
    }
    free(p);
}

/* ------------------------------------------------------------------ a convex solve */

double cr_progress_gap_fraction(double rel0, double rel, double tol)
{
    if (isnan(rel) || isnan(rel0)) return 0;
    if (rel <= tol || rel0 <= tol) return 1;
    if (isinf(rel0)) return 0;
    double f = log(rel0 / rel) / log(rel0 / tol);
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

struct cr_solve_display {
    int verbose;
    double tol, rel0, frac; /* rel0: the first finite relative gap (NAN until then); frac: the largest so far */
    cr_progress *bar;       /* NULL when verbose or quiet */
};

cr_solve_display *cr_solve_display_start(int verbose, int quiet, double tol)
{
    cr_solve_display *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->verbose = verbose;
    d->tol = tol;
    d->rel0 = NAN;
    if (!verbose && !quiet && !(d->bar = cr_progress_start("convex solve", 1.0, 1))) {
        free(d);
        return NULL;
    }
    return d;
}

void cr_solve_display_log(const cr_convex_progress *pr, void *ctx)
{
    cr_solve_display *d = ctx;
    if (!d || !pr) return;
    if (d->verbose) {
        fprintf(stderr,
                "convex %s it %ld newton %ld cg %ld primal %.12e dual %.12e gap %.3e rel_gap %.3e active %zu "
                "sigma %.3e %.2f s\n",
                pr->method ? pr->method : "?", pr->iteration, pr->newton, pr->products, pr->primal, pr->dual, pr->gap,
                pr->rel_gap, pr->active, pr->sigma, pr->seconds);
        return;
    }
    if (!d->bar) return;
    if (isnan(d->rel0) && isfinite(pr->rel_gap)) d->rel0 = pr->rel_gap;
    double f = cr_progress_gap_fraction(d->rel0, pr->rel_gap, d->tol);
    if (f > d->frac) d->frac = f;
    cr_progress_update(d->bar, d->frac);
}

void cr_solve_display_finish(cr_solve_display *d)
{
    if (!d) return;
    cr_progress_finish(d->bar);
    free(d);
}
