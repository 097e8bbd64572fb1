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
#include "csvout.h"
#include "csvread.h"

const char *cr_sweep_state_name(cr_sweep_state s)
{
    static const char *const name[] = {"ok", "claims_failed", "failed", "error"};
    return name[s];
}

/* path opened for reading without following a symbolic link (the files read are the points' own); NULL with
 * errno set. */
static FILE *open_nofollow(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f && fd >= 0) close(fd);
    return f;
}

/* Whole file into a malloc'ed string (see open_nofollow); NULL with errno set if unreadable. */
static char *slurp(const char *path)
{
    FILE *f = open_nofollow(path);
    if (!f) return NULL;
    char *text = cr_fs_read_all(f, NULL);
    int e = errno;
    fclose(f);
    errno = e;
    return text;
}

/* A run's summary.csv (key,value) as two parallel lists. 0 ok, -1 unreadable (errno), -2 malformed. */
static int read_summary(const char *path, cr_sweep_strs *keys, cr_sweep_strs *vals)
{
    FILE *f = open_nofollow(path);
    if (!f) return -1;
    cr_csvread *r = cr_csvread_new(f, path, 0);
    int st = r ? 0 : -2, rs = CR_OK;
    char **fl;
    size_t n;
    while (!st && !(rs = cr_csvread_next(r, &fl, &n, NULL)) && n) {
        if (n != 2) st = -2;
        else if (cr_csvread_line(r) == 1) st = strcmp(fl[0], "key") == 0 && strcmp(fl[1], "value") == 0 ? 0 : -2;
        else if (cr_sweep_strs_push(keys, fl[0]) || cr_sweep_strs_push(vals, fl[1])) st = -2;
    }
    if (rs) st = -2; /* malformed text, or out of memory */
    cr_csvread_free(r);
    fclose(f);
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

/* Whether the point's config.yaml is the config the point resolves to (its text when the plan has it, else its
 * hash); *exists whether there is one. */
static int same_config(const cr_sweep_plan *p, size_t i, int *exists)
{
    const cr_sweep_point *pt = &p->pts[i];
    char path[CR_PATH_MAX + 300];
    char *cfg = cr_sweep_point_path(p, i, "config.yaml", path, sizeof path) ? NULL : slurp(path);
    int same = 0;
    if (cfg) {
        char h[17];
        cr_sweep_hash_hex(cfg, h);
        same = pt->dump ? strcmp(cfg, pt->dump) == 0 : strcmp(h, pt->hash) == 0;
    }
    *exists = cfg != NULL;
    free(cfg);
    return same;
}

/* The state a completed point's summary gives: its status, and its error message when not ok. */
static cr_sweep_state summary_state(const cr_sweep_strs *keys, const cr_sweep_strs *vals, char *msg, size_t cap)
{
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

cr_sweep_state cr_sweep_point_read(const cr_sweep_plan *p, size_t i, cr_sweep_strs *keys, cr_sweep_strs *vals,
                                   char *msg, size_t cap)
{
    msg[0] = 0;
    if (p->pts[i].error) {
        snprintf(msg, cap, "%s", p->pts[i].error);
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
    int rs = read_summary(path, keys, vals), exists;
    if (rs == -1) {
        last_log_line(p, i, "not run or unfinished: no summary.csv", msg, cap);
        return CR_SWEEP_POINT_ERROR;
    }
    if (rs == -2) {
        snprintf(msg, cap, "summary.csv: malformed (expected key,value rows)");
        return CR_SWEEP_POINT_ERROR;
    }
    if (!same_config(p, i, &exists)) {
        last_log_line(p, i,
                      exists ? "stale: config.yaml differs from this point's resolved config (rerun the sweep)"
                             : "unfinished: no config.yaml",
                      msg, cap);
        return CR_SWEEP_POINT_ERROR;
    }
    return summary_state(keys, vals, msg, cap);
}

/* ------------------------------------------------------------ the table */

/* What sweep.csv is made of: per point its state, message and summary; the summary columns in first-seen order. */
typedef struct {
    size_t n;
    cr_sweep_strs *keys, *vals, cols;
    cr_sweep_state *state;
    char **msgs;
} table;

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->keys) cr_sweep_strs_free(&t->keys[i]);
        if (t->vals) cr_sweep_strs_free(&t->vals[i]);
        if (t->msgs) free(t->msgs[i]);
    }
    free(t->keys);
    free(t->vals);
    free(t->msgs);
    free(t->state);
    cr_sweep_strs_free(&t->cols);
}

/* Whether a summary key becomes a sweep.csv column: not status/error (own columns), not wall times. */
static int summary_column(const char *key)
{
    size_t len = strlen(key);
    if (strcmp(key, "status") == 0 || strcmp(key, "error") == 0) return 0;
    return !(len >= 8 && strcmp(key + len - 8, "_seconds") == 0);
}

/* Reads every point's state into t; counts the points that failed or are in error and those whose claims
 * failed. */
static int table_read(const cr_sweep_plan *p, table *t, size_t *nbad, size_t *nclaims, cr_err *err)
{
    t->n = p->npts;
    t->keys = calloc(t->n, sizeof *t->keys);
    t->vals = calloc(t->n, sizeof *t->vals);
    t->state = calloc(t->n, sizeof *t->state);
    t->msgs = calloc(t->n, sizeof *t->msgs);
    int st = (t->keys && t->vals && t->state && t->msgs) ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    *nbad = *nclaims = 0;
    for (size_t i = 0; i < t->n && !st; i++) {
        char msg[2048];
        t->state[i] = cr_sweep_point_read(p, i, &t->keys[i], &t->vals[i], msg, sizeof msg);
        if (t->state[i] == CR_SWEEP_POINT_CLAIMS_FAILED) ++*nclaims;
        else if (t->state[i] != CR_SWEEP_POINT_OK) ++*nbad;
        if (!(t->msgs[i] = strdup(msg))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        for (size_t k = 0; k < t->keys[i].n && !st; k++) {
            const char *key = t->keys[i].v[k];
            if (summary_column(key) && cr_sweep_strs_find(&t->cols, key) < 0 && cr_sweep_strs_push(&t->cols, key))
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    }
    return st;
}

/* s as a field of the row (a comma before every field but the first). */
static void field(FILE *f, const char *s, int first)
{
    if (!first) fputc(',', f);
    cr_csv_field(f, s);
}

/* The header and one row per point in grid order: grid values, status, error, the summary columns. */
static void table_write(const cr_sweep_plan *p, const table *t, FILE *f)
{
    for (size_t g = 0; g < p->ngrid; g++) field(f, p->grids[g].key, g == 0);
    field(f, "status", 0);
    field(f, "error", 0);
    for (size_t c = 0; c < t->cols.n; c++) {
        int clash = 0; /* a summary key spelled like a grid key gets a prefix */
        for (size_t g = 0; g < p->ngrid; g++) clash |= strcmp(t->cols.v[c], p->grids[g].key) == 0;
        char name[512];
        snprintf(name, sizeof name, "%s%s", clash ? "summary." : "", t->cols.v[c]);
        field(f, name, 0);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        for (size_t g = 0; g < p->ngrid; g++) field(f, p->grids[g].values[cr_sweep_value_index(p, i, g)], g == 0);
        field(f, cr_sweep_state_name(t->state[i]), 0);
        field(f, t->msgs[i], 0);
        for (size_t c = 0; c < t->cols.n; c++) {
            ptrdiff_t k = cr_sweep_strs_find(&t->keys[i], t->cols.v[c]);
            field(f, k >= 0 ? t->vals[i].v[k] : "", 0);
        }
        fputc('\n', f);
    }
}

int cr_sweep_plan_aggregate(const cr_sweep_plan *p, size_t *nbad, size_t *nclaims, cr_err *err)
{
    table t = {0};
    int st = table_read(p, &t, nbad, nclaims, err);
    if (!st) {
        char path[CR_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/sweep.csv", p->dir);
        cr_atomic *a = cr_atomic_open(path, err);
        if (!a) st = CR_ERUNTIME;
        else table_write(p, &t, cr_atomic_stream(a));
        if (a) st = cr_atomic_commit(a, err);
    }
    table_free(&t);
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
