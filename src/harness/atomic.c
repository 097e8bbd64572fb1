/* Atomic output files (see atomic.h). Temporaries are ".NAME.tmp.PID.XXXXXX" (random suffix, created with
 * O_EXCL|O_NOFOLLOW by cr_fs_temp_file) in the target folder, so the rename is atomic (same file system), a
 * planted file or symbolic link is never written through, and a killed run leaves only dot-files, never a short
 * file; the next writer of NAME there collects them. */
#include "atomic.h"

#include <errno.h>
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

int cr_atomic_write_file(const char *path, const char *text, cr_err *err)
{
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    fputs(text, a->f);
    return cr_atomic_commit(a, err);
}
