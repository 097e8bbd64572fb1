/* The aggregation of a sweep (see sweep_impl.h): each point's state read from its folder (summary.csv, and
 * config.yaml against the point's resolved config) and DIR/sweep.csv written from them. The table is always
 * rebuilt from the files on disk by this one function, so serial, --jobs N, GNU parallel and Slurm give the
 * same bytes. */
#include "sweep_impl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"

const char *cr_sweep_state_name(cr_sweep_state s)
{
    static const char *const name[] = {"ok", "claims_failed", "failed", "error"};
    return name[s];
}

/* Whole file into a malloc'ed string; NULL with errno set if unreadable. A symbolic link is not followed (the
 * files read are the points' own). */
static char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fclose(f);
        return NULL;
    }
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, k, m);
    int bad = ferror(f);
    fclose(f);
    if (fclose(m) != 0 || bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    return buf;
}

/* Appends s to f as one CSV field (quoted when it holds a comma, quote or line break; as cr_csv_str). */
static void csv_field_out(FILE *f, const char *s, int first)
{
    if (!first) fputc(',', f);
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

/* Reads one CSV field at *pp (RFC 4180: "" inside quotes, line breaks inside quotes). Returns 1 and a malloc'ed
 * field (*eol set when it ends its row), 0 at the end of the text, -1 when malformed or out of memory. */
static int csv_field_in(const char **pp, char **out, int *eol)
{
    const char *p = *pp;
    if (!*p) return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    int bad = 0;
    if (*p == '"') {
        for (p++;;) {
            if (!*p) { bad = 1; break; }
            if (*p == '"') {
                if (p[1] == '"') { fputc('"', m); p += 2; continue; }
                p++;
                break;
            }
            fputc(*p++, m);
        }
    } else {
        while (*p && *p != ',' && *p != '\n' && *p != '\r') fputc(*p++, m);
    }
    if (!bad) {
        if (*p == ',') {
            p++;
            *eol = 0;
        } else if (*p == '\r' || *p == '\n' || !*p) {
            if (*p == '\r') p++;
            if (*p == '\n') p++;
            *eol = 1;
        } else {
            bad = 1; /* text after a closing quote */
        }
    }
    if (fclose(m) != 0) bad = 1;
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *pp = p;
    return 1;
}

/* A run's summary.csv (key,value) as two parallel lists. 0 ok, -1 unreadable (errno), -2 malformed. */
static int read_summary(const char *path, cr_sweep_strs *keys, cr_sweep_strs *vals)
{
    char *text = slurp(path);
    if (!text) return -1;
    const char *p = text;
    int st = 0;
    char *f[2] = {NULL, NULL};
    for (size_t row = 0; st == 0; row++) {
        int eol = 0, r = csv_field_in(&p, &f[0], &eol);
        if (r == 0) break;
        if (r < 0 || eol) { st = -2; break; }
        r = csv_field_in(&p, &f[1], &eol);
        if (r <= 0 || !eol) { st = -2; break; }
        if (row == 0) {
            if (strcmp(f[0], "key") != 0 || strcmp(f[1], "value") != 0) st = -2;
        } else if (cr_sweep_strs_push(keys, f[0]) || cr_sweep_strs_push(vals, f[1])) {
            st = -2;
        }
        free(f[0]);
        free(f[1]);
        f[0] = f[1] = NULL;
    }
    free(f[0]);
    free(f[1]);
    free(text);
    return st;
}

/* The last non-empty line of the point's stderr.log without the "cvxrelu: " prefix, or fallback. */
static void last_log_line(const cr_sweep_plan *p, size_t i, const char *fallback, char *msg, size_t cap)
{
    char path[CR_PATH_MAX + 300];
    char *text = cr_sweep_point_path(p, i, CR_FS_LOG_NAME, path, sizeof path) ? NULL : slurp(path);
    snprintf(msg, cap, "%s", fallback);
    if (!text) return;
    char *end = text + strlen(text);
    while (end > text && isspace((unsigned char)end[-1])) *--end = 0;
    char *line = strrchr(text, '\n');
    line = line ? line + 1 : text;
    if (strncmp(line, "cvxrelu: ", 9) == 0) line += 9;
    if (*line) snprintf(msg, cap, "%s", line);
    free(text);
}

/* The state of point i from its folder: ok / claims_failed / failed (the run's own status) / error (rejected by the
 * schema, not run or unfinished, or results of another config). The summary keys and values are appended to keys/vals.
 * The config check compares the resolved text when the plan has it, else its hash. */
cr_sweep_state cr_sweep_point_read(const cr_sweep_plan *p, size_t i, cr_sweep_strs *keys, cr_sweep_strs *vals,
                                   char *msg, size_t cap)
{
    const cr_sweep_point *pt = &p->pts[i];
    msg[0] = 0;
    if (pt->error) {
        snprintf(msg, cap, "%s", pt->error);
        return CR_SWEEP_POINT_ERROR;
    }
    char path[CR_PATH_MAX + 300];
    if (cr_sweep_point_is_link(p, i)) {
        snprintf(msg, cap, "the point folder is a symbolic link (never followed): not run");
        return CR_SWEEP_POINT_ERROR;
    }
    if (cr_sweep_point_path(p, i, "summary.csv", path, sizeof path)) {
        snprintf(msg, cap, "path too long");
        return CR_SWEEP_POINT_ERROR;
    }
    int rs = read_summary(path, keys, vals);
    if (rs == -1) {
        last_log_line(p, i, "not run or unfinished: no summary.csv", msg, cap);
        return CR_SWEEP_POINT_ERROR;
    }
    if (rs == -2) {
        snprintf(msg, cap, "summary.csv: malformed (expected key,value rows)");
        return CR_SWEEP_POINT_ERROR;
    }
    cr_sweep_point_path(p, i, "config.yaml", path, sizeof path);
    char *cfg = slurp(path);
    int same = 0;
    if (cfg) {
        char h[17];
        cr_sweep_hash_hex(cfg, h);
        same = pt->dump ? strcmp(cfg, pt->dump) == 0 : strcmp(h, pt->hash) == 0;
    }
    free(cfg);
    if (!same) {
        last_log_line(p, i,
                      cfg ? "stale: config.yaml differs from this point's resolved config (rerun the sweep)"
                          : "unfinished: no config.yaml",
                      msg, cap);
        return CR_SWEEP_POINT_ERROR;
    }
    ptrdiff_t s = cr_sweep_strs_find(keys, "status");
    if (s >= 0 && strcmp(vals->v[s], "ok") == 0) return CR_SWEEP_POINT_OK;
    int claims = s >= 0 && strcmp(vals->v[s], "claims_failed") == 0;
    if (claims || (s >= 0 && strcmp(vals->v[s], "failed") == 0)) {
        ptrdiff_t e = cr_sweep_strs_find(keys, "error");
        snprintf(msg, cap, "%s", e >= 0 ? vals->v[e] : "no error message in summary.csv");
        return claims ? CR_SWEEP_POINT_CLAIMS_FAILED : CR_SWEEP_POINT_FAILED;
    }
    snprintf(msg, cap, "summary.csv: status %s, expected ok, claims_failed or failed", s >= 0 ? vals->v[s] : "missing");
    return CR_SWEEP_POINT_ERROR;
}

/* Whether a summary key becomes a sweep.csv column: not status/error (own columns), not wall times. */
static int summary_column(const char *key)
{
    size_t len = strlen(key);
    if (strcmp(key, "status") == 0 || strcmp(key, "error") == 0) return 0;
    return !(len >= 8 && strcmp(key + len - 8, "_seconds") == 0);
}

/* Writes p->dir/sweep.csv; counts the points that failed or are in error (*nbad) and those whose claims failed
 * (*nclaims). */
int cr_sweep_plan_aggregate(const cr_sweep_plan *p, size_t *nbad, size_t *nclaims, cr_err *err)
{
    size_t n = p->npts;
    cr_sweep_strs *keys = calloc(n, sizeof *keys), *vals = calloc(n, sizeof *vals), cols = {0};
    cr_sweep_state *state = calloc(n, sizeof *state);
    char **msgs = calloc(n, sizeof *msgs);
    int st = (keys && vals && state && msgs) ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    *nbad = *nclaims = 0;
    for (size_t i = 0; i < n && !st; i++) {
        char msg[2048];
        state[i] = cr_sweep_point_read(p, i, &keys[i], &vals[i], msg, sizeof msg);
        if (state[i] == CR_SWEEP_POINT_CLAIMS_FAILED) ++*nclaims;
        else if (state[i] != CR_SWEEP_POINT_OK) ++*nbad;
        if (!(msgs[i] = strdup(msg))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        for (size_t k = 0; k < keys[i].n && !st; k++)
            if (summary_column(keys[i].v[k]) && cr_sweep_strs_find(&cols, keys[i].v[k]) < 0 &&
                cr_sweep_strs_push(&cols, keys[i].v[k]))
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    cr_atomic *a = NULL;
    if (!st) {
        char path[CR_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/sweep.csv", p->dir);
        if (!(a = cr_atomic_open(path, err))) st = CR_ERUNTIME;
    }
    if (!st) {
        FILE *f = cr_atomic_stream(a);
        for (size_t g = 0; g < p->ngrid; g++) csv_field_out(f, p->grids[g].key, g == 0);
        csv_field_out(f, "status", 0);
        csv_field_out(f, "error", 0);
        for (size_t c = 0; c < cols.n; c++) {
            int clash = 0; /* a summary key spelled like a grid key gets a prefix */
            for (size_t g = 0; g < p->ngrid; g++) clash |= strcmp(cols.v[c], p->grids[g].key) == 0;
            char name[512];
            snprintf(name, sizeof name, "%s%s", clash ? "summary." : "", cols.v[c]);
            csv_field_out(f, name, 0);
        }
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
            for (size_t g = 0; g < p->ngrid; g++)
                csv_field_out(f, p->grids[g].values[cr_sweep_value_index(p, i, g)], g == 0);
            csv_field_out(f, cr_sweep_state_name(state[i]), 0);
            csv_field_out(f, msgs[i], 0);
            for (size_t c = 0; c < cols.n; c++) {
                ptrdiff_t k = cr_sweep_strs_find(&keys[i], cols.v[c]);
                csv_field_out(f, k >= 0 ? vals[i].v[k] : "", 0);
            }
            fputc('\n', f);
        }
        st = cr_atomic_commit(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        if (keys) cr_sweep_strs_free(&keys[i]);
        if (vals) cr_sweep_strs_free(&vals[i]);
        if (msgs) free(msgs[i]);
    }
    free(keys);
    free(vals);
    free(msgs);
    free(state);
    cr_sweep_strs_free(&cols);
    return st;
}

int cr_sweep_aggregate(const char *dir, size_t *npoints, size_t *nbad, size_t *nclaims, cr_err *err)
{
    cr_sweep_plan *p = NULL;
    int st = cr_sweep_plan_read(dir, &p, err);
    if (st) return st;
    st = cr_sweep_plan_aggregate(p, nbad, nclaims, err);
    *npoints = p->npts;
    cr_sweep_plan_free(p);
    return st;
}
