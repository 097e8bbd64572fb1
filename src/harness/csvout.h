/* Atomic output files and tidy CSV tables.
 * Every file is written under a temporary name in its final folder and renamed when complete, so a killed
 * run never leaves a truncated file that looks whole. Numbers are printed with %.17g in the "C" locale;
 * a non-finite number is refused (a numerical failure is never written as a result). */
#ifndef CR_CSVOUT_H
#define CR_CSVOUT_H

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

typedef struct cr_csv cr_csv;

/* A CSV table dir/name with the given header row (comma-separated column names). */
cr_csv *cr_csv_open(const char *dir, const char *name, const char *header, cr_err *err);
void cr_csv_real(cr_csv *c, double v);      /* %.17g; non-finite marks the table failed */
void cr_csv_int(cr_csv *c, long long v);
void cr_csv_str(cr_csv *c, const char *s);  /* quoted when it holds a comma, quote or newline */
void cr_csv_quoted(cr_csv *c, const char *s); /* always quoted (e.g. a 0/1 pattern string, never a number) */
void cr_csv_endrow(cr_csv *c);              /* the column count must match the header */
/* Commits the table (see cr_atomic_commit); CR_ERUNTIME naming the table and column if a value was
 * non-finite or a row had the wrong number of fields. Frees c. */
int cr_csv_close(cr_csv *c, cr_err *err);
void cr_csv_abort(cr_csv *c);

/* Writes a whole text file atomically. */
int cr_write_file_atomic(const char *path, const char *text, cr_err *err);

#endif
