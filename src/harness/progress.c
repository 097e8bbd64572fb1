/* Terminal progress bar (see progress.h). Draws at most ten times a second, first after one second. */
#include "progress.h"

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
