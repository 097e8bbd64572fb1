/* The program's one CSV reader: records of RFC 4180 fields from an open stream, each with the line it starts
 * on, so that a message can name FILE:LINE. Used for data files (dataload.c), the runs' claims.csv and
 * summary.csv (report.c) and the points' summary.csv (sweep_aggregate.c). What a record means (a header, how
 * many fields, numbers) is the caller's business. */
#ifndef CR_CSVREAD_H
#define CR_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef struct cr_csvread cr_csvread;

/* Lines that are not records (a line is the bytes up to '\n'; a '\r' before the '\n' belongs to the line
 * ending). Without flags every line, an empty one included, starts a record. */
enum {
    CR_CSVREAD_SKIP_EMPTY = 1,    /* a line with nothing on it */
    CR_CSVREAD_SKIP_COMMENTS = 2, /* a line of blanks only, or whose first byte after blanks is '#' */
};

/* A reader of f (borrowed: the caller closes it) whose messages name the file `name` (borrowed, kept until
 * cr_csvread_free). NULL when out of memory. */
cr_csvread *cr_csvread_new(FILE *f, const char *name, int flags);
void cr_csvread_free(cr_csvread *r); /* NULL accepted */

/* Fields are separated by delim from now on (',' until this is called; ';' or '\t' for other files). */
void cr_csvread_set_delimiter(cr_csvread *r, char delim);

/* Reads the next record into *fields (*n of them, n >= 1; owned by r, valid until the next call) or sets
 * *n = 0 at the end of the input. Fields follow RFC 4180: separated by commas; a field that starts with '"'
 * runs to the matching '"' ("" inside stands for one '"', and a line break inside belongs to the field); in a
 * field without quotes a '"' is an ordinary byte, and '\r' bytes before its line's end are dropped.
 * CR_EINPUT, naming NAME:LINE, for a NUL byte, a quoted field still open at the end of the input, text between
 * a closing quote and the next comma or line end, or a read error; CR_ERUNTIME when out of memory. */
int cr_csvread_next(cr_csvread *r, char ***fields, size_t *n, cr_err *err);

/* The line (from 1) on which the last record read starts. */
long cr_csvread_line(const cr_csvread *r);
/* The number of lines read so far (at the end of the input: the lines of the file). */
long cr_csvread_lines(const cr_csvread *r);

#endif
