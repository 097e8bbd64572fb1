/* A progress bar on stderr for work longer than about a second, only when stderr is a terminal and the
 * run is not --quiet; otherwise every call is a no-op. And the display of a convex solve's progress
 * (cr_convex_opts.log): its iteration log on stderr with --verbose, else this bar. */
#ifndef CR_PROGRESS_H
#define CR_PROGRESS_H

#include "convex.h"

typedef struct cr_progress cr_progress;

/* total: units of work; enabled: 0 disables output (pass !quiet; the terminal check is done here). */
cr_progress *cr_progress_start(const char *label, double total, int enabled);
void cr_progress_update(cr_progress *p, double done);
/* Clears the bar and frees p (NULL accepted). */
void cr_progress_finish(cr_progress *p);

/* The bar's fraction of a convex solve that started at relative gap rel0 and stands at rel, with tolerance tol:
 * log(rel0 / rel) / log(rel0 / tol) clipped to [0, 1]; 1 when rel <= tol or rel0 <= tol; 0 when rel or rel0 is
 * not a number or rel0 is infinite. */
double cr_progress_gap_fraction(double rel0, double rel, double tol);

typedef struct cr_solve_display cr_solve_display;

/* verbose: one line per certificate on stderr, "convex METHOD it I newton N cg C primal P dual D gap G
 * rel_gap R active A sigma S T s" (P, D as %.12e; G, R, S as %.3e; T seconds as %.2f); else, unless quiet, the
 * bar "convex solve" at cr_progress_gap_fraction of the first finite relative gap (never moving backwards).
 * tol: the solve's tolerance. NULL on allocation failure (the solve then shows nothing). */
cr_solve_display *cr_solve_display_start(int verbose, int quiet, double tol);
/* The callback for cr_convex_opts.log, ctx = the display (NULL accepted). */
void cr_solve_display_log(const cr_convex_progress *pr, void *ctx);
/* Clears the bar and frees d (NULL accepted). */
void cr_solve_display_finish(cr_solve_display *d);

#endif
