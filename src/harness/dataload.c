/* The program's data loading (see dataload.h): the CSV loader, the data set a config describes, and the
 * label check that needs both. */
#include "dataload.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rng.h"

/* -------------------------------------------------------------- CSV loader */

/* Splits line in place at commas; trims blanks. Returns the field count (at most cap). */
static size_t split_fields(char *line, char **fields, size_t cap)
{
    size_t n = 0;
    char *s = line;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma) *comma = 0;
        while (isspace((unsigned char)*s)) s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1])) s[--len] = 0;
        if (n < cap) fields[n] = s;
        n++;
        if (!comma) break;
        s = comma + 1;
    }
    return n;
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

/* Opens path for reading if it is a regular file whose loading fits in memory_mb (see data.h). O_NONBLOCK: opening
 * a FIFO must not wait for a writer; it is cleared once the file is known to be regular. */
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
        /* Peak bytes per file byte, worst case "0,0,...": the line buffer (getline doubles: 2), a field pointer
         * per 2 bytes (4), a double per 2 bytes doubled on growth (8) and the data set built from them (4). */
        double need = (double)sb.st_size * CR_DATA_CSV_BYTES_PER_BYTE / 1048576.0;
        if (need > (double)memory_mb)
            st = cr_err_set(err, CR_EINPUT,
                            "%s: data file of %lld bytes may need up to %.3g MiB to load (%d bytes per byte), more "
                            "than limits.memory_mb = %ld",
                            path, (long long)sb.st_size, need, CR_DATA_CSV_BYTES_PER_BYTE, memory_mb);
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

int cr_data_load_csv(const char *path, long memory_mb, cr_data **out, cr_err *err)
{
    FILE *f = NULL;
    int ost = open_data(path, memory_mb, &f, err);
    if (ost) return ost;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    long lineno = 0;
    size_t ncol = 0, rows = 0, cap = 0;
    double *vals = NULL;
    char **fields = NULL;
    size_t fcap = 0;
    int st = CR_OK, seen_first = 0;
    while ((len = getline(&line, &lcap, f)) != -1) {
        lineno++;
        if ((size_t)len != strlen(line)) {
            st = cr_err_set(err, CR_EINPUT, "%s:%ld: NUL byte in the line", path, lineno);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        const char *p = line;
        while (isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') continue;
        size_t want = 1;
        for (const char *c = line; *c; c++) want += (*c == ',');
        if (want > fcap) {
            char **nfld = realloc(fields, want * sizeof *nfld);
            if (!nfld) { st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path); break; }
            fields = nfld;
            fcap = want;
        }
        size_t nf = split_fields(line, fields, fcap);
        if (!seen_first) {
            seen_first = 1;
            int numbers = 0;
            double v;
            for (size_t k = 0; k < nf; k++) numbers += field_number(fields[k], &v) != 1;
            if (numbers == 0) {
                ncol = nf; /* a header row: data rows must match its width */
                if (nf < 2) {
                    st = cr_err_set(err, CR_EINPUT, "%s:%ld: expected at least 2 columns (features then label), got %zu",
                                    path, lineno, nf);
                    break;
                }
                continue;
            }
            if (nf < 2) {
                st = cr_err_set(err, CR_EINPUT, "%s:%ld: expected at least 2 columns (features then label), got %zu",
                                path, lineno, nf);
                break;
            }
            ncol = nf;
        }
        if (ncol == 0) {
            ncol = nf;
            if (nf < 2) {
                st = cr_err_set(err, CR_EINPUT, "%s:%ld: expected at least 2 columns (features then label), got %zu",
                                path, lineno, nf);
                break;
            }
        }
        if (nf != ncol) {
            st = cr_err_set(err, CR_EINPUT, "%s:%ld: ragged row: expected %zu fields, got %zu", path, lineno, ncol, nf);
            break;
        }
        if ((rows + 1) * ncol > cap) {
            size_t ncap = cap ? 2 * cap : 64 * ncol;
            double *nv = realloc(vals, ncap * sizeof *nv);
            if (!nv) { st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path); break; }
            vals = nv;
            cap = ncap;
        }
        for (size_t k = 0; k < nf && st == CR_OK; k++) {
            double v;
            int kind = field_number(fields[k], &v);
            if (kind == 1)
                st = cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a number, got \"%.40s\"", path, lineno,
                                k + 1, fields[k]);
            else if (kind == 2)
                st = cr_err_set(err, CR_EINPUT, "%s:%ld: column %zu: expected a finite number, got \"%.40s\"", path,
                                lineno, k + 1, fields[k]);
            else
                vals[rows * ncol + k] = v;
        }
        if (st) break;
        rows++;
    }
    if (st == CR_OK && ferror(f)) st = cr_err_set(err, CR_EINPUT, "%s: read error", path);
    if (st == CR_OK && rows == 0) st = cr_err_set(err, CR_EINPUT, "%s:%ld: no data rows", path, lineno ? lineno : 1);
    free(line);
    free(fields);
    fclose(f);
    if (st) {
        free(vals);
        return st;
    }
    cr_data *D = cr_data_alloc(rows, ncol - 1);
    if (!D) {
        free(vals);
        return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    }
    for (size_t i = 0; i < rows; i++) {
        memcpy(D->X + i * (ncol - 1), vals + i * ncol, (ncol - 1) * sizeof(double));
        D->y[i] = vals[i * ncol + ncol - 1];
    }
    free(vals);
    *out = D;
    return CR_OK;
}

int cr_data_from_config(const cr_config *cfg, cr_data **out, cr_err *err)
{
    const char *kind = cfg->data.kind;
    if (strcmp(kind, "slide") == 0) {
        *out = cr_data_slide();
        return *out ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    if (strcmp(kind, "csv") == 0) return cr_data_load_csv(cfg->data.path, cfg->limits.memory_mb, out, err);
    gsl_rng *rng = cr_rng_seeded((unsigned long)cfg->data.seed);
    if (!rng) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st;
    if (strcmp(kind, "orthsep") == 0)
        st = cr_data_orthsep((size_t)cfg->data.n, (size_t)cfg->data.d, cfg->data.cone_deg, cfg->data.between_deg,
                             rng, out, err);
    else
        st = cr_data_gaussian((size_t)cfg->data.n, (size_t)cfg->data.d, (size_t)cfg->data.planted_width,
                              cfg->data.noise,
                              strcmp(cfg->data.labels, "sign") == 0     ? CR_LABELS_SIGN
                              : strcmp(cfg->data.labels, "linear") == 0 ? CR_LABELS_LINEAR
                                                                        : CR_LABELS_PLANTED,
                              rng, out, err);
    gsl_rng_free(rng);
    return st;
}

int cr_data_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err)
{
    if (strcmp(cfg->loss, "squared") == 0) return CR_OK;
    for (size_t i = 0; i < D->n; i++)
        if (D->y[i] != 1.0 && D->y[i] != -1.0)
            return cr_err_set(err, CR_EINPUT,
                              "%s: loss %s needs labels in {-1, +1}, but sample %zu has y = %g (data.kind %s%s)",
                              cfg->file, cfg->loss, i + 1, D->y[i], cfg->data.kind,
                              strcmp(cfg->data.kind, "gaussian") == 0 ? "; set data.labels: sign" : "");
    return CR_OK;
}
