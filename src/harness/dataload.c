/* The program's data loading (see dataload.h): the CSV loader (records from csvread.c; what they mean here: a
 * header, features then the label, finite numbers), the data set a config describes, and the label check that
 * needs both. */
#include "dataload.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "rng.h"

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

/* Opens path for reading if it is a regular file whose loading fits in memory_mb (see dataload.h). O_NONBLOCK:
 * opening a FIFO must not wait for a writer; it is cleared once the file is known to be regular. */
static int open_data(const char *path, long memory_mb, FILE **out, cr_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return cr_err_set(err, CR_EINPUT, "%s: cannot open data: %s", path, strerror(errno));
    struct stat sb;
    int st = CR_OK;
    if (fstat(fd, &sb) != 0) {
        st = cr_err_set(err, CR_EINPUT, "%s: cannot read data: %s", path, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        st = cr_err_set(err, CR_EINPUT, "%s: data is not a regular file", path);
    } else if (memory_mb > 0) {
        /* Peak bytes per file byte, worst case "0,0,...": the reader's record buffer (it doubles: 2), a field
         * pointer per 2 bytes (4: csvread.c sizes that array exactly), a double per 2 bytes doubled on growth (8)
         * and the data set built from them (4). A quoted field takes 3 bytes or more: fewer fields per byte. */
        double need = (double)sb.st_size * CR_DATALOAD_CSV_BYTES_PER_BYTE / 1048576.0;
        if (need > (double)memory_mb)
            st = cr_err_set(err, CR_EINPUT,
                            "%s: data file of %lld bytes may need up to %.3g MiB to load (%d bytes per byte), more "
                            "than limits.memory_mb = %ld",
                            path, (long long)sb.st_size, need, CR_DATALOAD_CSV_BYTES_PER_BYTE, memory_mb);
    }
    int fl = st ? 0 : fcntl(fd, F_GETFL);
    if (!st && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0))
        st = cr_err_set(err, CR_EINPUT, "%s: cannot read data: %s", path, strerror(errno));
    FILE *f = st ? NULL : fdopen(fd, "rb");
    if (!st && !f) st = cr_err_set(err, CR_ERUNTIME, "%s: cannot open data: %s", path, strerror(errno));
    if (st) {
        close(fd);
        return st;
    }
    *out = f;
    return CR_OK;
}

/* The values of the data rows, row-major: rows x ncol doubles, the label last. */
typedef struct {
    size_t ncol, rows, cap;
    double *vals;
} csv_rows;

/* The first record: a header (no field is a number; *header = 1) or the first data row; either sets the width. */
static int first_record(char **f, size_t nf, const char *path, long line, csv_rows *a, int *header, cr_err *err)
{
    int numbers = 0;
    double v;
    for (size_t k = 0; k < nf; k++) numbers += field_number(f[k], &v) != 1;
    if (nf < 2)
        return cr_err_set(err, CR_EINPUT, "%s:%ld: expected at least 2 columns (features then label), got %zu", path,
                          line, nf);
    a->ncol = nf;
    *header = numbers == 0;
    return CR_OK;
}

/* Appends one data row of nf fields (nf == a->ncol checked by the caller). */
static int add_row(char **f, size_t nf, const char *path, long line, csv_rows *a, cr_err *err)
{
    if ((a->rows + 1) * a->ncol > a->cap) {
        size_t ncap = a->cap ? 2 * a->cap : a->ncol; /* doubling from one row: at most twice what is used */
        double *nv = realloc(a->vals, ncap * sizeof *nv);
        if (!nv) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
        a->vals = nv;
        a->cap = ncap;
    }
    for (size_t k = 0; k < nf; k++) {
        int kind = field_number(f[k], &a->vals[a->rows * a->ncol + k]);
        if (kind == 1)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a number, got \"%.40s\"", path, line,
                              k + 1, f[k]);
        if (kind == 2)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a finite number, got \"%.40s\"", path,
                              line, k + 1, f[k]);
    }
    a->rows++;
    return CR_OK;
}

/* Every record of the file into a: a header is skipped, every data row must have the width of the first record. */
static int read_rows(cr_csvread *r, const char *path, csv_rows *a, cr_err *err)
{
    char **f;
    size_t nf;
    int st;
    for (int first = 1; !(st = cr_csvread_next(r, &f, &nf, err)) && nf; first = 0) {
        long line = cr_csvread_line(r);
        trim_fields(f, nf);
        int header = 0;
        if (first && (st = first_record(f, nf, path, line, a, &header, err))) return st;
        if (header) continue;
        if (nf != a->ncol)
            return cr_err_set(err, CR_EINPUT, "%s:%ld: ragged row: expected %zu fields, got %zu", path, line, a->ncol,
                              nf);
        if ((st = add_row(f, nf, path, line, a, err))) return st;
    }
    if (!st && a->rows == 0) {
        long lines = cr_csvread_lines(r);
        st = cr_err_set(err, CR_EINPUT, "%s:%ld: no data rows", path, lines ? lines : 1);
    }
    return st;
}

int cr_dataload_csv(const char *path, long memory_mb, cr_data **out, cr_err *err)
{
    FILE *f = NULL;
    int st = open_data(path, memory_mb, &f, err);
    if (st) return st;
    csv_rows a = {0};
    cr_csvread *r = cr_csvread_new(f, path, CR_CSVREAD_SKIP_COMMENTS);
    st = r ? read_rows(r, path, &a, err) : cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    cr_csvread_free(r);
    fclose(f);
    cr_data *D = st ? NULL : cr_data_alloc(a.rows, a.ncol - 1);
    if (!st && !D) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    for (size_t i = 0; D && i < a.rows; i++) {
        memcpy(D->X + i * (a.ncol - 1), a.vals + i * a.ncol, (a.ncol - 1) * sizeof(double));
        D->y[i] = a.vals[i * a.ncol + a.ncol - 1];
    }
    free(a.vals);
    if (!st) *out = D;
    return st;
}

int cr_dataload_from_config(const cr_config *cfg, cr_data **out, cr_err *err)
{
    const cr_config_data_kind kind = cfg->data.kind;
    if (kind == CR_CONFIG_DATA_SLIDE) {
        *out = cr_data_slide();
        return *out ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    if (kind == CR_CONFIG_DATA_CSV) return cr_dataload_csv(cfg->data.path, cfg->limits.memory_mb, out, err);
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

int cr_dataload_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err)
{
    if (cfg->loss == CR_LOSS_SQUARED) return CR_OK;
    for (size_t i = 0; i < D->n; i++)
        if (D->y[i] != 1.0 && D->y[i] != -1.0)
            return cr_err_set(err, CR_EINPUT,
                              "%s: loss %s needs labels in {-1, +1}, but sample %zu has y = %g (data.kind %s%s)",
                              cfg->file, cr_loss_name(cfg->loss), i + 1, D->y[i],
                              cr_config_data_kind_name(cfg->data.kind),
                              cfg->data.kind == CR_CONFIG_DATA_GAUSSIAN ? "; set data.labels: sign" : "");
    return CR_OK;
}
