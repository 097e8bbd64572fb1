/* Atomic output files: every file is written under a temporary name in its final folder and renamed into place
 * when complete, so a killed run never leaves a truncated file that looks whole, and a reader sees the old
 * file or the new one, never a mix. */
#ifndef CR_ATOMIC_H
#define CR_ATOMIC_H

#include <stdio.h>

#include "err.h"

typedef struct cr_atomic cr_atomic;

/* Opens a temporary file next to path. NULL with err set (CR_ERUNTIME) on failure. */
cr_atomic *cr_atomic_open(const char *path, cr_err *err);
FILE *cr_atomic_stream(cr_atomic *a);
/* Flushes, closes and renames into place; on any error removes the temporary and returns CR_ERUNTIME.
 * Frees a in every case. */
int cr_atomic_commit(cr_atomic *a, cr_err *err);
/* Removes the temporary, frees a (NULL accepted). */
void cr_atomic_abort(cr_atomic *a);
/* Removes every temporary file still open in this process (async-signal-safe; for signal handlers). */
void cr_atomic_cleanup_all(void);

/* Writes a whole text file atomically. */
int cr_atomic_write_file(const char *path, const char *text, cr_err *err);

#endif
