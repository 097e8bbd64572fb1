/* The CSV reader (see csvread.h). A record is read one physical line at a time into one buffer and split in
 * place: quotes are removed and each field ends in a NUL where its comma was, so the memory is the record's
 * bytes (the buffer at most doubles) plus one pointer per field (the pointer array is sized exactly). A quoted
 * field left open at a line's end pulls in the next line. */
#include "csvread.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct cr_csvread {
    FILE *f;          /* does not own */
    const char *name; /* does not own */
    int flags;
    char delim;       /* field separator */
    char *buf;        /* the record: raw bytes, then its fields split in place */
    size_t len, cap;
    char **fields;    /* into buf */
    size_t fcap;
    long lines;       /* lines read */
    long first;       /* first line of the last record */
};

cr_csvread *cr_csvread_new(FILE *f, const char *name, int flags)
{
    cr_csvread *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->f = f;
    r->name = name;
    r->flags = flags;
    r->delim = ',';
    return r;
}

void cr_csvread_free(cr_csvread *r)
{
    if (!r) return;
    free(r->buf);
    free(r->fields);
    free(r);
}

void cr_csvread_set_delimiter(cr_csvread *r, char delim) { r->delim = delim; }
long cr_csvread_line(const cr_csvread *r) { return r->first; }
long cr_csvread_lines(const cr_csvread *r) { return r->lines; }

static int put_byte(cr_csvread *r, char c, cr_err *err)
{
    if (r->len + 1 >= r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *b = realloc(r->buf, cap);
        if (!b) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", r->name);
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return CR_OK;
}

/* Appends the next line, without its '\n', to the buffer. *got = 0 when the input had ended (nothing read). */
static int read_line(cr_csvread *r, int *got, cr_err *err)
{
    int c, st = CR_OK;
    *got = 0;
    while ((c = getc_unlocked(r->f)) != EOF) {
        if (!*got) r->lines++;
        *got = 1;
        if (c == '\n') break;
        if (c == 0) return cr_err_set(err, CR_EINPUT, "%s:%ld: NUL byte in the line", r->name, r->lines);
        if ((st = put_byte(r, (char)c, err))) return st;
    }
    if (ferror(r->f)) return cr_err_set(err, CR_EINPUT, "%s:%ld: read error", r->name, r->lines + !*got);
    if (!r->buf) {
        if ((st = put_byte(r, 0, err))) return st;
        r->len = 0;
    }
    r->buf[r->len] = 0;
    return CR_OK;
}

/* Whether the line in the buffer is not a record (see the flags). */
static int skipped(const cr_csvread *r)
{
    const char *s = r->buf;
    if (r->flags & CR_CSVREAD_SKIP_EMPTY) {
        size_t k = strspn(s, "\r");
        if (!s[k]) return 1;
    }
    if (r->flags & CR_CSVREAD_SKIP_COMMENTS) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s || *s == '#') return 1;
    }
    return 0;
}

/* The quoted field at buf[*rd] (its opening quote) copied without its quotes to buf[*wr...], reading further
 * lines while it is open. On return *rd is past the closing quote. */
static int quoted_field(cr_csvread *r, size_t *rd, size_t *wr, cr_err *err)
{
    long opened = r->lines;
    size_t i = *rd + 1, o = *wr;
    for (;;) {
        if (i == r->len) {
            int got = 0, st = put_byte(r, '\n', err);
            if (!st) st = read_line(r, &got, err);
            if (st) return st;
            if (!got)
                return cr_err_set(err, CR_EINPUT, "%s:%ld: quoted field not closed before the end of the file",
                                  r->name, opened);
            continue;
        }
        if (r->buf[i] == '"') {
            if (i + 1 == r->len || r->buf[i + 1] != '"') break;
            i++;
        }
        r->buf[o++] = r->buf[i++];
    }
    *rd = i + 1;
    *wr = o;
    return CR_OK;
}

/* Splits the record in the buffer into fields in place (each ends in a NUL); the count in *n. After a closing
 * quote only a comma or the line's end may follow ('\r' bytes before the end are the line ending's). */
static int split(cr_csvread *r, size_t *n, cr_err *err)
{
    size_t rd = 0, wr = 0;
    for (*n = 1;; ++*n) {
        size_t start = wr;
        if (rd < r->len && r->buf[rd] == '"') {
            int st = quoted_field(r, &rd, &wr, err);
            if (st) return st;
            if (rd + strspn(r->buf + rd, "\r") == r->len) rd = r->len;
            else if (r->buf[rd] != r->delim)
                return cr_err_set(err, CR_EINPUT, "%s:%ld: text after the closing quote of a field", r->name,
                                  r->lines);
        } else {
            while (rd < r->len && r->buf[rd] != r->delim) r->buf[wr++] = r->buf[rd++];
            while (rd == r->len && wr > start && r->buf[wr - 1] == '\r') wr--;
        }
        r->buf[wr++] = 0;
        if (rd++ == r->len) return CR_OK;
    }
}

/* Points the field array at the n fields of the buffer (sized exactly, grown only when a record is wider). */
static int index_fields(cr_csvread *r, size_t n, cr_err *err)
{
    if (n > r->fcap) {
        char **f = realloc(r->fields, n * sizeof *f);
        if (!f) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", r->name);
        r->fields = f;
        r->fcap = n;
    }
    char *s = r->buf;
    for (size_t k = 0; k < n; k++) {
        r->fields[k] = s;
        s += strlen(s) + 1;
    }
    return CR_OK;
}

int cr_csvread_next(cr_csvread *r, char ***fields, size_t *n, cr_err *err)
{
    *n = 0;
    for (;;) {
        int got = 0;
        r->len = 0;
        int st = read_line(r, &got, err);
        if (st || !got) return st;
        if (skipped(r)) continue;
        r->first = r->lines;
        size_t k;
        if ((st = split(r, &k, err)) || (st = index_fields(r, k, err))) return st;
        *fields = r->fields;
        *n = k;
        return CR_OK;
    }
}
