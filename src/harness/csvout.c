/* Tidy CSV tables (see csvout.h), written through an atomic file (atomic.h): a table that is not complete and
 * well-formed is never renamed into place. */
#include "csvout.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "config.h"

struct cr_csv {
    cr_atomic *a;
    char name[256];
    char header[1024];
    size_t ncol;  /* columns in the header */
    size_t col;   /* fields written in the current row */
    long row;     /* data rows completed */
    char bad[512]; /* first problem, empty if none */
};

static size_t count_columns(const char *header)
{
    size_t n = 1;
    for (const char *c = header; *c; c++) n += (*c == ',');
    return n;
}

/* Name of column i of the header, for messages. */
static void column_name(const char *header, size_t i, char *buf, size_t cap)
{
    const char *c = header;
    for (size_t k = 0; k < i && c; k++) {
        c = strchr(c, ',');
        if (c) c++;
    }
    if (!c) c = "?";
    size_t len = strcspn(c, ",");
    snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), c);
}

cr_csv *cr_csv_open(const char *dir, const char *name, const char *header, cr_err *err)
{
    cr_csv *c = calloc(1, sizeof *c);
    if (!c) {
        cr_err_set(err, CR_ERUNTIME, "%s: out of memory", name);
        return NULL;
    }
    char path[CR_PATH_MAX];
    int k = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= sizeof path) {
        cr_err_set(err, CR_ERUNTIME, "%s/%s: path too long", dir, name);
        free(c);
        return NULL;
    }
    c->a = cr_atomic_open(path, err);
    if (!c->a) {
        free(c);
        return NULL;
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->header, sizeof c->header, "%s", header);
    c->ncol = count_columns(header);
    fprintf(cr_atomic_stream(c->a), "%s\n", header);
    return c;
}

static void sep(cr_csv *c)
{
    if (c->col > 0) fputc(',', cr_atomic_stream(c->a));
    c->col++;
}

int cr_csv_format_real(char *buf, size_t cap, double v)
{
    /* A normal double whose shortest round-trip form has at most 15 significant digits is printed in that form
     * by %.15g (15-digit decimals are farther apart than the double's spacing, and %g drops trailing zeros);
     * otherwise 16 or 17 digits. A subnormal has fewer significant bits, so its shortest form may be shorter
     * still: every precision is tried from 1 up. 17 digits always read back. */
    int first = (v != 0 && isfinite(v) && fabs(v) < DBL_MIN) ? 1 : 15;
    int k = 0;
    for (int p = first; p <= 17; p++) {
        k = snprintf(buf, cap, "%.*g", p, v);
        if (!isfinite(v) || k < 0 || (size_t)k >= cap) break;
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) == 0) break;
    }
    return k;
}

void cr_csv_real(cr_csv *c, double v)
{
    if (!isfinite(v) && !c->bad[0]) {
        char col[128];
        column_name(c->header, c->col, col, sizeof col);
        snprintf(c->bad, sizeof c->bad, "non-finite value %g in column %s, data row %ld", v, col, c->row + 1);
    }
    sep(c);
    char buf[CR_CSV_REAL_MAX];
    cr_csv_format_real(buf, sizeof buf, v);
    fputs(buf, cr_atomic_stream(c->a));
}

void cr_csv_int(cr_csv *c, long long v)
{
    sep(c);
    fprintf(cr_atomic_stream(c->a), "%lld", v);
}

void cr_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cr_csv_str(cr_csv *c, const char *s)
{
    sep(c);
    cr_csv_field(cr_atomic_stream(c->a), s);
}

void cr_csv_quoted(cr_csv *c, const char *s)
{
    FILE *f = cr_atomic_stream(c->a);
    sep(c);
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cr_csv_endrow(cr_csv *c)
{
    if (c->col != c->ncol && !c->bad[0])
        snprintf(c->bad, sizeof c->bad, "data row %ld has %zu fields, header has %zu", c->row + 1, c->col, c->ncol);
    fputc('\n', cr_atomic_stream(c->a));
    c->col = 0;
    c->row++;
}

int cr_csv_close(cr_csv *c, cr_err *err)
{
    if (!c) return CR_OK;
    int st;
    if (c->bad[0] || c->col != 0) {
        cr_err_set(err, CR_ERUNTIME, "%s: not written: %s", c->name, c->bad[0] ? c->bad : "unfinished row");
        cr_atomic_abort(c->a);
        st = CR_ERUNTIME;
    } else {
        st = cr_atomic_commit(c->a, err);
    }
    free(c);
    return st;
}

void cr_csv_abort(cr_csv *c)
{
    if (!c) return;
    cr_atomic_abort(c->a);
    free(c);
}
