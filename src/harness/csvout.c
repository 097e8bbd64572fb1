/* Atomic files and CSV tables (see csvout.h). Temporaries are ".NAME.tmp.PID.XXXXXX" (random suffix, created
 * with O_EXCL|O_NOFOLLOW by cr_fs_temp_file) in the target folder, so the rename is atomic (same file system),
 * a planted file or symbolic link is never written through, and a killed run leaves only dot-files, never a
 * short table; the next writer of NAME there collects them. */
#include "csvout.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"

struct cr_atomic {
    FILE *f;
    char path[CR_PATH_MAX];
    char tmp[CR_PATH_MAX + 64];
    int slot; /* index in the cleanup registry, -1 if none */
};

/* Registry of open temporaries for the signal handler: fixed storage, only written outside handlers. */
#define MAX_OPEN 32
static char open_tmp[MAX_OPEN][CR_PATH_MAX + 64];
static volatile sig_atomic_t open_used[MAX_OPEN];

static int registry_add(const char *tmp)
{
    for (int i = 0; i < MAX_OPEN; i++) {
        if (!open_used[i]) {
            snprintf(open_tmp[i], sizeof open_tmp[i], "%s", tmp);
            open_used[i] = 1;
            return i;
        }
    }
    return -1;
}

void cr_atomic_cleanup_all(void)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_used[i]) unlink(open_tmp[i]);
}

cr_atomic *cr_atomic_open(const char *path, cr_err *err)
{
    cr_atomic *a = calloc(1, sizeof *a);
    if (!a) {
        cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
        return NULL;
    }
    const char *slash = strrchr(path, '/');
    char dir[CR_PATH_MAX];
    int k1 = snprintf(a->path, sizeof a->path, "%s", path);
    int k2 = slash == path ? snprintf(dir, sizeof dir, "/")
             : slash       ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path)
                           : snprintf(dir, sizeof dir, ".");
    if (k1 < 0 || (size_t)k1 >= sizeof a->path || k2 < 0 || (size_t)k2 >= sizeof dir || !*(slash ? slash + 1 : path)) {
        cr_err_set(err, CR_ERUNTIME, "%s: path too long", path);
        free(a);
        return NULL;
    }
    int fd = cr_fs_temp_file(dir, slash ? slash + 1 : path, a->tmp, sizeof a->tmp);
    if (fd >= 0) a->slot = registry_add(a->tmp);
    if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        cr_err_set(err, CR_ERUNTIME, "%s: cannot write: %s", path, strerror(e));
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
            if (a->slot >= 0) open_used[a->slot] = 0;
        }
        free(a);
        return NULL;
    }
    return a;
}

FILE *cr_atomic_stream(cr_atomic *a) { return a->f; }

static void release(cr_atomic *a)
{
    if (a->slot >= 0) open_used[a->slot] = 0;
    free(a);
}

int cr_atomic_commit(cr_atomic *a, cr_err *err)
{
    int bad = ferror(a->f);
    if (fflush(a->f) != 0) bad = 1;
    if (fsync(fileno(a->f)) != 0 && errno != EINVAL) bad = 1;
    int saved = errno;
    if (fclose(a->f) != 0) bad = 1, saved = errno;
    if (!bad && rename(a->tmp, a->path) != 0) bad = 1, saved = errno;
    if (bad) {
        unlink(a->tmp);
        cr_err_set(err, CR_ERUNTIME, "%s: write failed: %s", a->path, strerror(saved ? saved : EIO));
        release(a);
        return CR_ERUNTIME;
    }
    release(a);
    return CR_OK;
}

void cr_atomic_abort(cr_atomic *a)
{
    if (!a) return;
    fclose(a->f);
    unlink(a->tmp);
    release(a);
}

int cr_write_file_atomic(const char *path, const char *text, cr_err *err)
{
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    fputs(text, a->f);
    return cr_atomic_commit(a, err);
}

/* ------------------------------------------------------------------- CSV */

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
    fprintf(c->a->f, "%s\n", header);
    return c;
}

static void sep(cr_csv *c)
{
    if (c->col > 0) fputc(',', c->a->f);
    c->col++;
}

void cr_csv_real(cr_csv *c, double v)
{
    if (!isfinite(v) && !c->bad[0]) {
        char col[128];
        column_name(c->header, c->col, col, sizeof col);
        snprintf(c->bad, sizeof c->bad, "non-finite value %g in column %s, data row %ld", v, col, c->row + 1);
    }
    sep(c);
    fprintf(c->a->f, "%.17g", v);
}

void cr_csv_int(cr_csv *c, long long v)
{
    sep(c);
    fprintf(c->a->f, "%lld", v);
}

void cr_csv_str(cr_csv *c, const char *s)
{
    sep(c);
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', c->a->f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', c->a->f);
            fputc(*s, c->a->f);
        }
        fputc('"', c->a->f);
    } else {
        fputs(s, c->a->f);
    }
}

void cr_csv_quoted(cr_csv *c, const char *s)
{
    sep(c);
    fputc('"', c->a->f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', c->a->f);
        fputc(*s, c->a->f);
    }
    fputc('"', c->a->f);
}

void cr_csv_endrow(cr_csv *c)
{
    if (c->col != c->ncol && !c->bad[0])
        snprintf(c->bad, sizeof c->bad, "data row %ld has %zu fields, header has %zu", c->row + 1, c->col, c->ncol);
    fputc('\n', c->a->f);
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
