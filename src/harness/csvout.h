/* Tidy CSV tables: one header row, a fixed column count, numbers in the shortest form that reads back to the same
 * double (cr_csv_format_real) in the "C" locale, 0/1 pattern strings always quoted (cr_csv_quoted). A table is
 * written as an atomic file (atomic.h): renamed into place only when complete, so a killed run never leaves a
 * truncated table that looks whole; a non-finite number is refused (a numerical failure is never written as a
 * result). */
#ifndef CR_CSVOUT_H
#define CR_CSVOUT_H

#include <stdio.h>

#include "err.h"

typedef struct cr_csv cr_csv;

/* A CSV table dir/name with the given header row (comma-separated column names). */
cr_csv *cr_csv_open(const char *dir, const char *name, const char *header, cr_err *err);
void cr_csv_real(cr_csv *c, double v);      /* cr_csv_format_real; non-finite marks the table failed */
void cr_csv_int(cr_csv *c, long long v);
void cr_csv_str(cr_csv *c, const char *s);  /* quoted when it holds a comma, quote or newline */
void cr_csv_quoted(cr_csv *c, const char *s); /* always quoted (e.g. a 0/1 pattern string, never a number) */
void cr_csv_endrow(cr_csv *c);              /* the column count must match the header */
/* Commits the table (see cr_atomic_commit); CR_ERUNTIME naming the table and column if a value was
 * non-finite or a row had the wrong number of fields. Frees c. */
int cr_csv_close(cr_csv *c, cr_err *err);
void cr_csv_abort(cr_csv *c);

/* Room for any number cr_csv_format_real writes ("-2.2250738585072014e-308" and the like), with its NUL. */
#define CR_CSV_REAL_MAX 32
/* v into buf as the shortest %.Pg (P = 1..17) that strtod reads back to the same bits: "0.1", not
 * "0.10000000000000001"; -0 stays "-0"; inf, -inf and nan as printf writes them. Depends on v alone (the "C"
 * locale), so tables stay byte-identical. Returns what snprintf returned. */
int cr_csv_format_real(char *buf, size_t cap, double v);

/* Writes s to f as one CSV field, the quoting of every CSV the program writes (RFC 4180): as is, or in double
 * quotes with each quote doubled when it holds a comma, quote or line break (CR or LF). */
void cr_csv_field(FILE *f, const char *s);

#endif
