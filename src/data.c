/* Data sets: generators and the CSV loader (see data.h). */
#include "data.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "config.h"
#include "rng.h"

cr_data *cr_data_alloc(size_t n, size_t d)
{
    cr_data *D = calloc(1, sizeof *D);
    if (!D) return NULL;
    D->n = n;
    D->d = d;
    size_t nd = n * d;
    D->X = calloc(nd ? nd : 1, sizeof(double));
    D->y = calloc(n ? n : 1, sizeof(double));
    if (!D->X || !D->y) {
        cr_data_free(D);
        return NULL;
    }
    return D;
}

void cr_data_free(cr_data *D)
{
    if (!D) return;
    free(D->X);
    free(D->y);
    free(D);
}

cr_data *cr_data_slide(void)
{
    static const double X[] = {3, 3, 2, 2, 1, 0};
    static const double y[] = {1, -1, 1};
    cr_data *D = cr_data_alloc(3, 2);
    if (!D) return NULL;
    memcpy(D->X, X, sizeof X);
    memcpy(D->y, y, sizeof y);
    return D;
}

int cr_data_gaussian(size_t n, size_t d, size_t planted_width, double noise, cr_labels_kind labels, gsl_rng *rng,
                     cr_data **out, cr_err *err)
{
    cr_data *D = cr_data_alloc(n, d);
    if (labels == CR_LABELS_LINEAR) planted_width = 1;
    double *W = malloc(planted_width * d * sizeof *W);
    if (!D || !W) {
        cr_data_free(D);
        free(W);
        return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu x %zu data", n, d);
    }
    for (size_t i = 0; i < n * d; i++) D->X[i] = gsl_ran_gaussian(rng, 1.0);
    const double sd = 1.0 / sqrt((double)d);
    for (size_t i = 0; i < planted_width * d; i++) W[i] = gsl_ran_gaussian(rng, sd);
    for (size_t i = 0; i < n && labels == CR_LABELS_LINEAR; i++) {
        double f = 0.0;
        for (size_t k = 0; k < d; k++) f += D->X[i * d + k] * W[k];
        D->y[i] = f >= 0 ? 1.0 : -1.0;
    }
    for (size_t i = 0; i < n && labels != CR_LABELS_LINEAR; i++) {
        double f = 0.0;
        for (size_t j = 0; j < planted_width; j++) {
            double h = 0.0;
            for (size_t k = 0; k < d; k++) h += D->X[i * d + k] * W[j * d + k];
            f += (h > 0 ? h : 0.0) * ((j % 2 == 0) ? 1.0 : -1.0);
        }
        f += noise > 0 ? gsl_ran_gaussian(rng, noise) : 0.0;
        D->y[i] = labels == CR_LABELS_SIGN ? (f >= 0 ? 1.0 : -1.0) : f;
    }
    free(W);
    *out = D;
    return CR_OK;
}

/* A unit vector uniformly distributed on the sphere in R^d. */
static void random_unit(gsl_rng *rng, size_t d, double *v)
{
    double nrm;
    do {
        nrm = 0.0;
        for (size_t k = 0; k < d; k++) {
            v[k] = gsl_ran_gaussian(rng, 1.0);
            nrm += v[k] * v[k];
        }
    } while (nrm < 1e-20);
    nrm = sqrt(nrm);
    for (size_t k = 0; k < d; k++) v[k] /= nrm;
}

/* A unit vector orthogonal to the unit vector c (d >= 2). */
static void random_orthogonal(gsl_rng *rng, size_t d, const double *c, double *q)
{
    double nrm;
    do {
        random_unit(rng, d, q);
        double dot = 0.0;
        for (size_t k = 0; k < d; k++) dot += q[k] * c[k];
        nrm = 0.0;
        for (size_t k = 0; k < d; k++) {
            q[k] -= dot * c[k];
            nrm += q[k] * q[k];
        }
    } while (nrm < 1e-12);
    nrm = sqrt(nrm);
    for (size_t k = 0; k < d; k++) q[k] /= nrm;
}

int cr_data_orthsep(size_t n, size_t d, double cone_deg, double between_deg, gsl_rng *rng, cr_data **out,
                    cr_err *err)
{
    if (n < 2 || cone_deg < 0 || cone_deg >= 45 || between_deg < 90 + 2 * cone_deg || between_deg > 180 ||
        (d == 1 && between_deg != 180))
        return cr_err_set(err, CR_EINPUT, "orthsep: infeasible parameters n = %zu, d = %zu, cone %g, between %g",
                          n, d, cone_deg, between_deg);
    cr_data *D = cr_data_alloc(n, d);
    double *buf = malloc(4 * d * sizeof *buf);
    if (!D || !buf) {
        cr_data_free(D);
        free(buf);
        return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu x %zu data", n, d);
    }
    double *cp = buf, *cm = buf + d, *q = buf + 2 * d, *w = buf + 3 * d;
    const double deg = M_PI / 180.0;
    /* Centres in the canonical frame, c+ = e1 and c- in the (e1, e2) plane, with cos(phi) computed as
     * sin(90 - phi) so that phi = 90 gives an exact 0: at the boundary between_deg = 90 + 2 cone_deg the
     * cross inner products are then <= 0 without rounding (the problem is rotation invariant). */
    memset(buf, 0, 4 * d * sizeof *buf);
    cp[0] = 1.0;
    if (d == 1) {
        cm[0] = -1.0;
    } else {
        cm[0] = sin((90.0 - between_deg) * deg);
        cm[1] = cos((90.0 - between_deg) * deg);
    }
    for (size_t i = 0; i < n; i++) {
        /* Alternating classes: both present for n >= 2, balanced within one. */
        const double label = (i % 2 == 0) ? 1.0 : -1.0;
        const double *c = label > 0 ? cp : cm;
        double theta = gsl_rng_uniform(rng) * cone_deg * deg; /* in [0, cone): strictly inside the cone */
        double norm = 0.5 + gsl_rng_uniform(rng);
        if (d == 1) {
            w[0] = c[0];
        } else {
            random_orthogonal(rng, d, c, q);
            for (size_t k = 0; k < d; k++) w[k] = cos(theta) * c[k] + sin(theta) * q[k];
        }
        for (size_t k = 0; k < d; k++) D->X[i * d + k] = norm * w[k];
        D->y[i] = label;
    }
    free(buf);
    size_t bi, bk;
    if (!cr_data_orthsep_check(D, &bi, &bk)) {
        cr_data_free(D);
        return cr_err_set(err, CR_ERUNTIME,
                          "orthsep: generated samples %zu and %zu violate orthogonal separability (rounding at the "
                          "boundary between_deg = 90 + 2 cone_deg; widen the gap)",
                          bi + 1, bk + 1);
    }
    *out = D;
    return CR_OK;
}

int cr_data_orthsep_check(const cr_data *D, size_t *bad_i, size_t *bad_k)
{
    for (size_t i = 0; i < D->n; i++) {
        for (size_t k = i + 1; k < D->n; k++) {
            double dot = 0.0;
            for (size_t j = 0; j < D->d; j++) dot += D->X[i * D->d + j] * D->X[k * D->d + j];
            int same = D->y[i] == D->y[k];
            if ((same && !(dot > 0)) || (!same && !(dot <= 0))) {
                if (bad_i) *bad_i = i;
                if (bad_k) *bad_k = k;
                return 0;
            }
        }
    }
    return 1;
}

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
    const cr_config_data_kind kind = cfg->data.kind;
    if (kind == CR_CONFIG_DATA_SLIDE) {
        *out = cr_data_slide();
        return *out ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    if (kind == CR_CONFIG_DATA_CSV) return cr_data_load_csv(cfg->data.path, cfg->limits.memory_mb, out, err);
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

int cr_data_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err)
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
