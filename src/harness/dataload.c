/* The program's data loading (see dataload.h): the CSV loader (records from csvread.c; what they mean here: a
 * header, features and the label, finite numbers), the IDX loader, the data set a config describes (its test set
 * and transforms), and the label check that needs both. gzip files are read through zlib, which reads a plain file
 * as it is. */
#define _GNU_SOURCE /* fopencookie: a CSV read through zlib as a stdio stream */
#include "dataload.h"
#include "holdout.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "csvread.h"
#include "rng.h"

/* ------------------------------------------------------------ opening files */

/* Appends " (KEY)" to a message about a file named by a config key. */
static int with_key(int st, cr_err *err, const char *key)
{
    if (st == CR_EINPUT && err && key && key[0]) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (%s)", key);
    }
    return st;
}

/* The uncompressed size of the open file: gzip's recorded size (ISIZE, the last 4 bytes, modulo 2^32) when it
 * starts with gzip's magic bytes, else its size; *gz = 1 for gzip. */
static double content_bytes(int fd, const struct stat *sb, int *gz)
{
    unsigned char m[4];
    *gz = sb->st_size >= 18 && pread(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
    if (!*gz || pread(fd, m, 4, sb->st_size - 4) != 4) return (double)sb->st_size;
    double isize = (double)((uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
    return isize > (double)sb->st_size ? isize : (double)sb->st_size;
}

/* Opens path for reading through zlib if it is a regular file whose loading, per_byte bytes per uncompressed byte,
 * fits in memory_mb (see dataload.h); *budget: the uncompressed bytes that fit (0: no limit). O_NONBLOCK: opening
 * a FIFO must not wait for a writer; it is cleared once the file is known to be regular. */
static int open_data(const char *path, long memory_mb, int per_byte, gzFile *out, double *budget, cr_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return cr_err_set(err, CR_EINPUT, "%s: cannot open data: %s", path, strerror(errno));
    struct stat sb;
    int st = CR_OK, gz = 0;
    *budget = memory_mb > 0 ? (double)memory_mb * 1048576.0 / per_byte : 0.0;
    if (fstat(fd, &sb) != 0) {
        st = cr_err_set(err, CR_EINPUT, "%s: cannot read data: %s", path, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        st = cr_err_set(err, CR_EINPUT, "%s: data is not a regular file", path);
    } else if (memory_mb > 0) {
        /* CSV, peak bytes per file byte, worst case "0,0,...": the reader's record buffer (it doubles: 2), a field
         * pointer per 2 bytes (4: csvread.c sizes that array exactly), a double per 2 bytes doubled on growth (8)
         * and the data set built from them (4). A quoted field takes 3 bytes or more: fewer fields per byte.
         * IDX: the file's bytes (1) and a double per byte (8). */
        double bytes = content_bytes(fd, &sb, &gz);
        double need = bytes * per_byte / 1048576.0;
        if (need > (double)memory_mb)
            st = cr_err_set(err, CR_EINPUT,
                            "%s: data file of %.0f%s bytes may need up to %.3g MiB to load (%d bytes per byte), "
                            "more than limits.memory_mb = %ld",
                            path, bytes, gz ? " uncompressed" : "", need, per_byte, memory_mb);
    }
    int fl = st ? 0 : fcntl(fd, F_GETFL);
    if (!st && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0))
        st = cr_err_set(err, CR_EINPUT, "%s: cannot read data: %s", path, strerror(errno));
    gzFile g = st ? NULL : gzdopen(fd, "rb");
    if (!st && !g) st = cr_err_set(err, CR_ERUNTIME, "%s: cannot open data: out of memory", path);
    if (st) {
        close(fd);
        return st;
    }
    gzbuffer(g, 1 << 17);
    *out = g;
    return CR_OK;
}

/* stdio over zlib: a read error or corrupt gzip data is a read error of the stream. */
static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
    int k = gzread((gzFile)cookie, buf, size > INT_MAX ? INT_MAX : (unsigned)size);
    int errnum = Z_OK;
    if (k <= 0) gzerror((gzFile)cookie, &errnum);
    return k < 0 || (k == 0 && errnum != Z_OK) ? -1 : k;
}
static int gz_close(void *cookie) { return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF; }

static int open_stream(const char *path, long memory_mb, FILE **out, cr_err *err)
{
    gzFile g;
    double budget;
    int st = open_data(path, memory_mb, CR_DATALOAD_CSV_BYTES_PER_BYTE, &g, &budget, err);
    if (st) return st;
    cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
    FILE *f = fopencookie(g, "r", io);
    if (!f) {
        gzclose_r(g);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot open data: out of memory", path);
    }
    *out = f;
    return CR_OK;
}

/* The whole (uncompressed) file into *buf (*len bytes; caller frees); more than budget bytes (0: no limit) is
 * refused, whatever the gzip trailer said. */
static int read_all(const char *path, long memory_mb, int per_byte, unsigned char **buf, size_t *len, cr_err *err)
{
    gzFile g;
    double budget;
    int st = open_data(path, memory_mb, per_byte, &g, &budget, err);
    if (st) return st;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (!b) {
            st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
            break;
        }
        if (budget > 0 && (double)n > budget) {
            st = cr_err_set(err, CR_EINPUT, "%s: data larger uncompressed than limits.memory_mb = %ld allows", path,
                            memory_mb);
            break;
        }
        if (n == cap) {
            unsigned char *nb = realloc(b, 2 * cap);
            if (!nb) {
                free(b);
                b = NULL;
                continue;
            }
            b = nb;
            cap *= 2;
        }
        size_t want = cap - n > INT_MAX ? INT_MAX : cap - n;
        int k = gzread(g, b + n, (unsigned)want);
        int errnum = Z_OK;
        const char *why = k <= 0 ? gzerror(g, &errnum) : "";
        if (k < 0 || (k == 0 && errnum != Z_OK)) {
            st = cr_err_set(err, CR_EINPUT, "%s: byte %zu: cannot read data: %s", path, n, why);
            break;
        }
        if (k == 0) break;
        n += (size_t)k;
    }
    gzclose_r(g);
    if (st) {
        free(b);
        return st;
    }
    *buf = b;
    *len = n;
    return CR_OK;
}

/* -------------------------------------------------------------- CSV loader */

/* Trims the blanks around each field, in place. */
static void trim_fields(char **fields, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char *s = fields[k];
        while (isspace((unsigned char)*s)) s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1])) s[--len] = 0;
        fields[k] = s;
    }
}

/* 0: a finite number; 1: not a number; 2: NaN or infinite. */
static int field_number(const char *s, double *v)
{
    if (!*s) return 1;
    char *end;
    *v = strtod(s, &end);
    if (*end) return 1;
    /* Underflow (ERANGE with a tiny or zero result) is a finite number; overflow gives inf. */
    return isfinite(*v) ? 0 : 2;
}

void cr_dataload_csv_opts_default(cr_dataload_csv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->header = CR_CONFIG_HEADER_AUTO;
    o->delimiter = ',';
}

/* The values of the data rows, row-major: rows x ncol doubles, the label in column label. */
typedef struct {
    size_t ncol, rows, cap, label;
    double *vals;
} csv_rows;

/* "semicolon" or "tab" when the text holds that delimiter, else NULL. */
static const char *other_delimiter(const char *s, char delim)
{
    if (delim != ';' && strchr(s, ';')) return "semicolon";
    if (delim != '\t' && strchr(s, '\t')) return "tab";
    if (delim != ',' && strchr(s, ',')) return "comma";
    return NULL;
}

/* The label column of o (NULL or "": the last) among nf fields, header names in f when header. */
static int label_index(char **f, size_t nf, int header, const cr_dataload_csv_opts *o, const char *path, long line,
                       size_t *out, cr_err *err)
{
    const char *lc = o->label_column;
    if (!lc || !lc[0]) return *out = nf - 1, CR_OK;
    if (strspn(lc, "0123456789") == strlen(lc)) {
        char *end;
        errno = 0;
        unsigned long long k = strtoull(lc, &end, 10);
        if (errno || k < 1 || k > nf)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: data.label_column: column %s, but the file has %zu columns",
                              path, line, lc, nf);
        return *out = (size_t)k - 1, CR_OK;
    }
    if (!header)
        return cr_err_set(err, CR_EINPUT,
                          "%s:%ld: data.label_column: \"%.60s\" is a column name, but the file has no header here "
                          "(a row of names; data.header: yes reads the first record as one)",
                          path, line, lc);
    for (size_t k = 0; k < nf; k++)
        if (strcmp(f[k], lc) == 0) return *out = k, CR_OK;
    return cr_err_set(err, CR_EINPUT, "%s:%ld: data.label_column: no column named \"%.60s\" in the header", path,
                      line, lc);
}

/* The first record: a header (data.header; auto: no field is a number) or the first data row; either sets the
 * width and the label column. */
static int first_record(char **f, size_t nf, const cr_dataload_csv_opts *o, const char *path, long line,
                        csv_rows *a, int *header, cr_err *err)
{
    if (nf < 2) {
        const char *hint = other_delimiter(f[0], o->delimiter);
        if (hint)
            return cr_err_set(err, CR_EINPUT,
                              "%s:%ld: data.delimiter: one column only, and the line holds %s delimiters: set "
                              "data.delimiter: %s",
                              path, line, hint, hint);
        return cr_err_set(err, CR_EINPUT, "%s:%ld: expected at least 2 columns (features and label), got %zu", path,
                          line, nf);
    }
    int numbers = 0;
    double v;
    for (size_t k = 0; k < nf; k++) numbers += field_number(f[k], &v) != 1;
    a->ncol = nf;
    *header = o->header == CR_CONFIG_HEADER_YES || (o->header == CR_CONFIG_HEADER_AUTO && numbers == 0);
    return label_index(f, nf, *header, o, path, line, &a->label, err);
}

/* Appends one data row of nf fields (nf == a->ncol checked by the caller). */
static int add_row(char **f, size_t nf, const cr_dataload_csv_opts *o, const char *path, long line, csv_rows *a,
                   cr_err *err)
{
    if ((a->rows + 1) * a->ncol > a->cap) {
        size_t ncap = a->cap ? 2 * a->cap : a->ncol; /* doubling from one row: at most twice what is used */
        double *nv = realloc(a->vals, ncap * sizeof *nv);
        if (!nv) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
        a->vals = nv;
        a->cap = ncap;
    }
    double *row = a->vals + a->rows * a->ncol;
    for (size_t k = 0; k < nf; k++) {
        int kind = field_number(f[k], &row[k]);
        if (kind == 1)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a number, got \"%.40s\"", path, line,
                              k + 1, f[k]);
        if (kind == 2)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a finite number, got \"%.40s\"", path,
                              line, k + 1, f[k]);
    }
    if (o->labels01) {
        double *y = &row[a->label];
        if (*y != 0.0 && *y != 1.0)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: data.labels01: map expects a label 0 or 1, got %g",
                              path, line, a->label + 1, *y);
        *y = *y == 1.0 ? 1.0 : -1.0;
    }
    a->rows++;
    return CR_OK;
}

/* Every record of the file into a: o->skip_rows records and a header skipped, every data row must have the width
 * of the first record. */
static int read_rows(cr_csvread *r, const cr_dataload_csv_opts *o, const char *path, csv_rows *a, cr_err *err)
{
    char **f;
    size_t nf;
    int st;
    long skip = o->skip_rows;
    for (int first = 1; !(st = cr_csvread_next(r, &f, &nf, err)) && nf;) {
        if (skip > 0) {
            skip--;
            continue;
        }
        long line = cr_csvread_line(r);
        trim_fields(f, nf);
        int header = 0;
        if (first && (st = first_record(f, nf, o, path, line, a, &header, err))) return st;
        first = 0;
        if (header) continue;
        if (nf != a->ncol) {
            const char *hint = nf == 1 ? other_delimiter(f[0], o->delimiter) : NULL;
            if (hint)
                return cr_err_set(err, CR_EINPUT,
                                  "%s:%ld: ragged row: expected %zu fields, got 1; the line holds %s delimiters "
                                  "(data.delimiter)", path, line, a->ncol, hint);
            return cr_err_set(err, CR_EINPUT, "%s:%ld: ragged row: expected %zu fields, got %zu", path, line, a->ncol,
                              nf);
        }
        if ((st = add_row(f, nf, o, path, line, a, err))) return st;
    }
    if (!st && a->rows == 0) {
        long lines = cr_csvread_lines(r);
        st = cr_err_set(err, CR_EINPUT, "%s:%ld: no data rows", path, lines ? lines : 1);
    }
    return st;
}

int cr_dataload_csv_with(const char *path, const cr_dataload_csv_opts *o, long memory_mb, cr_data **out,
                         cr_err *err)
{
    FILE *f = NULL;
    int st = open_stream(path, memory_mb, &f, err);
    if (st) return with_key(st, err, o->key);
    csv_rows a = {0};
    cr_csvread *r = cr_csvread_new(f, path, CR_CSVREAD_SKIP_COMMENTS);
    if (r) cr_csvread_set_delimiter(r, o->delimiter);
    st = r ? read_rows(r, o, path, &a, err) : cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    cr_csvread_free(r);
    fclose(f);
    const size_t d = a.ncol - 1;
    cr_data *D = st ? NULL : cr_data_alloc(a.rows, d);
    if (!st && !D) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    for (size_t i = 0; D && i < a.rows; i++) {
        const double *row = a.vals + i * a.ncol;
        memcpy(D->X + i * d, row, a.label * sizeof(double));
        memcpy(D->X + i * d + a.label, row + a.label + 1, (d - a.label) * sizeof(double));
        D->y[i] = row[a.label];
    }
    free(a.vals);
    if (!st) *out = D;
    return with_key(st, err, o->key);
}

int cr_dataload_csv(const char *path, long memory_mb, cr_data **out, cr_err *err)
{
    cr_dataload_csv_opts o;
    cr_dataload_csv_opts_default(&o);
    return cr_dataload_csv_with(path, &o, memory_mb, out, err);
}

/* -------------------------------------------------------------- IDX loader */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The header of an IDX file of unsigned bytes with ndim = dims (images: 3 or more accepted, so any shape; labels:
 * 1): *count items of *size bytes each, their bytes from buf + *start; the file's length must match. */
static int idx_header(const unsigned char *buf, size_t len, int labels, const char *path, size_t *count,
                      size_t *size, size_t *start, cr_err *err)
{
    if (len < 4 || buf[0] || buf[1])
        return cr_err_set(err, CR_EINPUT, "%s: byte 0: not an IDX file (it starts with two zero bytes)", path);
    if (buf[2] != 0x08)
        return cr_err_set(err, CR_EINPUT, "%s: byte 2: IDX type 0x%02X, expected 0x08 (unsigned bytes)", path,
                          buf[2]);
    const unsigned ndim = buf[3];
    if (labels ? ndim != 1 : ndim < 2)
        return cr_err_set(err, CR_EINPUT, "%s: byte 3: IDX %s with %u dimensions, expected %s", path,
                          labels ? "labels" : "images", ndim, labels ? "1" : "2 or more (count, rows, columns)");
    *start = 4 + 4 * (size_t)ndim;
    if (len < *start)
        return cr_err_set(err, CR_EINPUT, "%s: byte %zu: file ends inside the IDX header (%zu bytes)", path, len,
                          *start);
    *count = be32(buf + 4);
    double total = (double)*count;
    *size = 1;
    for (unsigned k = 1; k < ndim; k++) {
        *size *= be32(buf + 4 + 4 * k);
        total *= be32(buf + 4 + 4 * k);
    }
    if (total != (double)(len - *start))
        return cr_err_set(err, CR_EINPUT, "%s: byte %zu: the IDX header gives %.0f bytes of data, the file has %zu",
                          path, *start, total, len - *start);
    if (!labels && *size == 0) return cr_err_set(err, CR_EINPUT, "%s: byte 4: IDX images of 0 pixels", path);
    return CR_OK;
}

int cr_dataload_idx(const char *images, const char *labels, const cr_dataload_idx_opts *o, long memory_mb,
                    cr_data **out, cr_err *err)
{
    unsigned char *ib = NULL, *lb = NULL;
    size_t il = 0, ll = 0, n = 0, d = 0, istart = 0, nl = 0, one = 0, lstart = 0;
    int st = with_key(read_all(images, memory_mb, CR_DATALOAD_IDX_BYTES_PER_BYTE, &ib, &il, err), err, o->key);
    if (!st) st = with_key(read_all(labels, memory_mb, CR_DATALOAD_IDX_BYTES_PER_BYTE, &lb, &ll, err), err,
                           o->labels_key);
    if (!st) st = with_key(idx_header(ib, il, 0, images, &n, &d, &istart, err), err, o->key);
    if (!st) st = with_key(idx_header(lb, ll, 1, labels, &nl, &one, &lstart, err), err, o->labels_key);
    if (!st && nl != n)
        st = with_key(cr_err_set(err, CR_EINPUT, "%s: byte 4: %zu labels for the %zu images of %s", labels, nl, n,
                                 images), err, o->labels_key);
    /* The selected samples, in file order, at most nmax. */
    const int classes = o->nneg + o->npos > 0;
    size_t m = 0;
    for (size_t i = 0; !st && i < n && (!o->nmax || m < o->nmax); i++)
        m += !classes || cr_data_class_sign(lb[lstart + i], o->neg, o->nneg, o->pos, o->npos) != 0;
    if (!st && m == 0)
        st = with_key(cr_err_set(err, CR_EINPUT, "%s: no sample of the selected classes among its %zu", labels, n),
                      err, classes ? "data.classes_neg, data.classes_pos" : o->labels_key);
    cr_data *D = st ? NULL : cr_data_alloc(m, d);
    if (!st && !D) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", images);
    for (size_t i = 0, k = 0; D && k < m; i++) {
        const double label = lb[lstart + i];
        const int s = classes ? cr_data_class_sign(label, o->neg, o->nneg, o->pos, o->npos) : 0;
        if (classes && !s) continue;
        const unsigned char *px = ib + istart + i * d;
        for (size_t j = 0; j < d; j++) D->X[k * d + j] = px[j] / 255.0;
        D->y[k++] = classes ? s : label;
    }
    free(ib);
    free(lb);
    if (!st) *out = D;
    return st;
}

/* ------------------------------------------------------------ from config */

/* One file of csv or idx data (training: test = 0) as the config reads it. */
static int load_part(const cr_config *cfg, int test, cr_data **out, cr_err *err)
{
    const long mb = cfg->limits.memory_mb;
    if (cfg->data.kind == CR_CONFIG_DATA_IDX) {
        cr_dataload_idx_opts o = {
            .key = test ? "data.test_path" : "data.path",
            .labels_key = test ? "data.test_labels_path" : "data.labels_path",
            .neg = cfg->data.classes_neg.v, .nneg = cfg->data.classes_neg.len,
            .pos = cfg->data.classes_pos.v, .npos = cfg->data.classes_pos.len,
            .nmax = (size_t)(test ? cfg->data.n_test : cfg->data.n),
        };
        return cr_dataload_idx(test ? cfg->data.test_path : cfg->data.path,
                               test ? cfg->data.test_labels_path : cfg->data.labels_path, &o, mb, out, err);
    }
    static const char delims[] = {[CR_CONFIG_DELIM_COMMA] = ',', [CR_CONFIG_DELIM_SEMICOLON] = ';',
                                  [CR_CONFIG_DELIM_TAB] = '\t'};
    cr_dataload_csv_opts o = {
        .key = test ? "data.test_path" : "data.path",
        .header = cfg->data.header,
        .delimiter = delims[cfg->data.delimiter],
        .skip_rows = cfg->data.skip_rows,
        .label_column = cfg->data.label_column,
        .labels01 = cfg->data.labels01 == CR_CONFIG_LABELS01_MAP,
    };
    const char *path = test ? cfg->data.test_path : cfg->data.path;
    int st = cr_dataload_csv_with(path, &o, mb, out, err);
    const cr_intlist *neg = &cfg->data.classes_neg, *pos = &cfg->data.classes_pos;
    if (!st && neg->len + pos->len && cr_data_keep_classes(*out, neg->v, neg->len, pos->v, pos->len) == 0) {
        cr_data_free(*out);
        *out = NULL;
        st = cr_err_set(err, CR_EINPUT, "%s: no sample with a label of data.classes_neg or data.classes_pos (%s)",
                        path, o.key);
    }
    return st;
}

/* The training and test files, then projection, standardization and bias (docs/data.md). */
static int load_real(const cr_config *cfg, cr_data **out, cr_err *err)
{
    cr_data *D = NULL;
    int st = load_part(cfg, 0, &D, err);
    if (!st && cfg->data.test_path[0]) st = load_part(cfg, 1, &D->test, err);
    if (!st && D->test && D->test->d != D->d)
        st = cr_err_set(err, CR_EINPUT, "%s: %zu features, but data.path %s has %zu (data.test_path)",
                        cfg->data.test_path, D->test->d, cfg->data.path, D->d);
    if (!st && !D->test && cfg->data.holdout > 0) {
        const size_t k = (size_t)floor(cfg->data.holdout * (double)D->n + 0.5);
        gsl_rng *rng = cr_rng_stream(cfg->data.seed, "holdout");
        st = rng ? cr_data_holdout(D, k, rng, err) : cr_err_set(err, CR_ERUNTIME, "out of memory");
        gsl_rng_free(rng);
        if (st == CR_EINPUT) cr_err_prefix(err, "%s: data.holdout %g of %zu samples", cfg->file, cfg->data.holdout, D->n);
    }
    if (!st && cfg->data.project_d > 0) {
        gsl_rng *rng = cr_rng_stream(cfg->data.seed, "projection");
        st = rng ? cr_data_project(D, (size_t)cfg->data.project_d, rng, err)
                 : cr_err_set(err, CR_ERUNTIME, "out of memory");
        gsl_rng_free(rng);
    }
    if (!st && cfg->data.standardize == CR_CONFIG_YES) st = cr_data_standardize(D, err);
    if (!st && cfg->data.bias == CR_CONFIG_YES) st = cr_data_append_bias(D, 1.0, err);
    if (st) {
        cr_data_free(D);
        return st;
    }
    *out = D;
    return CR_OK;
}

static int from_config(const cr_config *cfg, cr_data **out, cr_err *err);

/* The pattern file (patterns.method file) is read once here, with the data's n, so that a bad one is refused
 * before a run writes anything; the driver reads it again (cr_exp_patterns). */
int cr_dataload_from_config(const cr_config *cfg, cr_data **out, cr_err *err)
{
    int st = from_config(cfg, out, err);
    if (st || cfg->patterns.method != CR_CONFIG_PATTERNS_FILE) return st;
    cr_patterns *P = NULL;
    st = cr_dataload_patterns(cfg->patterns.path, (*out)->n, cfg->limits.memory_mb, &P, err);
    cr_patterns_free(P);
    if (st) {
        cr_data_free(*out);
        *out = NULL;
    }
    return st;
}

static int from_config(const cr_config *cfg, cr_data **out, cr_err *err)
{
    const cr_config_data_kind kind = cfg->data.kind;
    if (kind == CR_CONFIG_DATA_SLIDE) {
        *out = cr_data_slide();
        return *out ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    if (kind == CR_CONFIG_DATA_CSV || kind == CR_CONFIG_DATA_IDX) return load_real(cfg, out, err);
    gsl_rng *rng = cr_rng_seeded((unsigned long)cfg->data.seed);
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st;
    if (kind == CR_CONFIG_DATA_ORTHSEP)
        st = cr_data_orthsep((size_t)cfg->data.n, (size_t)cfg->data.d, cfg->data.cone_deg, cfg->data.between_deg,
                             rng, out, err);
    else
        st = cr_data_gaussian((size_t)cfg->data.n, (size_t)cfg->data.d, (size_t)cfg->data.planted_width,
                              cfg->data.noise, cfg->data.labels, rng, out, err);
    gsl_rng_free(rng);
    return st;
}

/* The first sample of D (n of them) whose label is not -1 or +1, or n. */
static size_t first_not_sign(const cr_data *D)
{
    size_t i = 0;
    while (i < D->n && (D->y[i] == 1.0 || D->y[i] == -1.0)) i++;
    return i;
}

int cr_dataload_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err)
{
    if (cfg->loss == CR_LOSS_SQUARED) return CR_OK;
    const int real = cfg->data.kind == CR_CONFIG_DATA_CSV || cfg->data.kind == CR_CONFIG_DATA_IDX;
    for (int t = 0; t < 2; t++) {
        const cr_data *S = t ? D->test : D;
        size_t i = S ? first_not_sign(S) : 0;
        if (!S || i == S->n) continue;
        return cr_err_set(err, CR_EINPUT,
                          "%s: loss %s needs labels in {-1, +1}, but sample %zu%s has y = %g (data.kind %s%s)",
                          cfg->file, cr_loss_name(cfg->loss), i + 1, t ? " of the test set" : "", S->y[i],
                          cr_config_data_kind_name(cfg->data.kind),
                          cfg->data.kind == CR_CONFIG_DATA_GAUSSIAN ? "; set data.labels: sign"
                          : real ? "; set data.labels01: map or data.classes_neg and data.classes_pos" : "");
    }
    return CR_OK;
}

/* ------------------------------------------------------------ pattern file */

/* The pattern of one record into mask (cleared first): one field of n characters '0'/'1', or n fields "0"/"1". */
static int pattern_record(char **f, size_t nf, size_t n, const char *path, long line, uint64_t *mask, size_t words,
                          cr_err *err)
{
    memset(mask, 0, words * sizeof *mask);
    const int one_field = nf == 1;
    if (one_field ? strlen(f[0]) != n : nf != n)
        return cr_err_set(err, CR_EINPUT,
                          "%s:%ld: patterns.path: expected a pattern of n = %zu samples (%zu characters 0/1, or %zu "
                          "comma-separated 0/1), got %zu %s",
                          path, line, n, n, n, one_field ? strlen(f[0]) : nf, one_field ? "characters" : "fields");
    for (size_t k = 0; k < n; k++) {
        const char *c = one_field ? f[0] + k : f[k];
        if ((c[0] != '0' && c[0] != '1') || (!one_field && c[1]))
            return cr_err_set(err, CR_EINPUT, "%s:%ld: patterns.path: sample %zu: expected 0 or 1, got \"%.20s\"",
                              path, line, k + 1, one_field ? (char[2]){c[0], 0} : c);
        if (c[0] == '1') mask[k / 64] |= (uint64_t)1 << (k % 64);
    }
    return CR_OK;
}

int cr_dataload_patterns(const char *path, size_t n, long memory_mb, cr_patterns **out, cr_err *err)
{
    FILE *f = NULL;
    int st = open_stream(path, memory_mb, &f, err);
    if (st) return with_key(st, err, "patterns.path");
    cr_csvread *r = cr_csvread_new(f, path, CR_CSVREAD_SKIP_COMMENTS);
    cr_patterns *P = cr_patterns_alloc(n, 64);
    const size_t words = (n + 63) / 64;
    uint64_t *mask = malloc((words ? words : 1) * sizeof *mask);
    long *lines = NULL; /* line of each pattern, for the duplicate message */
    size_t lcap = 0;
    if (!r || !P || !mask) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    char **fl;
    size_t nf;
    while (!st && !(st = cr_csvread_next(r, &fl, &nf, err)) && nf) {
        long line = cr_csvread_line(r);
        trim_fields(fl, nf);
        if ((st = pattern_record(fl, nf, n, path, line, mask, words, err))) break;
        size_t at = cr_patterns_find(P, mask);
        if (at != (size_t)-1) {
            st = cr_err_set(err, CR_EINPUT, "%s:%ld: patterns.path: the pattern of line %ld again (duplicates are "
                                            "refused)", path, line, lines[at]);
            break;
        }
        if (P->p == lcap) {
            long *nl = realloc(lines, (lcap ? 2 * lcap : 64) * sizeof *nl);
            if (!nl) {
                st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
                break;
            }
            lines = nl;
            lcap = lcap ? 2 * lcap : 64;
        }
        lines[P->p] = line;
        st = cr_patterns_add(P, mask, err);
    }
    if (!st && P->p == 0) st = cr_err_set(err, CR_EINPUT, "%s:%ld: patterns.path: no patterns", path,
                                          cr_csvread_lines(r) ? cr_csvread_lines(r) : 1);
    cr_csvread_free(r);
    fclose(f);
    free(mask);
    free(lines);
    if (st) {
        cr_patterns_free(P);
        return st;
    }
    *out = P;
    return CR_OK;
}
