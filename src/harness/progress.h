/* A progress bar on stderr for work longer than about a second, only when stderr is a terminal and the
 * run is not --quiet; otherwise every call is a no-op. */
#ifndef CR_PROGRESS_H
#define CR_PROGRESS_H

typedef struct cr_progress cr_progress;

/* total: units of work; enabled: 0 disables output (pass !quiet; the terminal check is done here). */
cr_progress *cr_progress_start(const char *label, double total, int enabled);
void cr_progress_update(cr_progress *p, double done);
/* Clears the bar and frees p (NULL accepted). */
void cr_progress_finish(cr_progress *p);

#endif
