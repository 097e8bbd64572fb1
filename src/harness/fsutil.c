/* File-system helpers (see fsutil.h). Temporaries are named ".BASE.tmp.PID.XXXXXX" in the folder of what they
 * become, so the final rename is atomic (same file system); the PID tells a later process whether their writer
 * is gone, a random suffix makes the name unpredictable, and O_EXCL|O_NOFOLLOW (or mkdir) refuses anything
 * planted under it. A staging folder is also flock()ed by its writer while it lives (where the file system
 * supports it), so another host sharing the folder never collects it. */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE (glibc >= 2.28) */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#define TMP_TAG ".tmp."
/* "." + BASE + ".tmp." + up to 10 digits of the PID + "." + 6 random characters. */
#define TMP_EXTRA (1 + 5 + 10 + 1 + 6)

int cr_fs_mkdirs(const char *path)
{
    char buf[CR_PATH_MAX + 16];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
    struct stat st;
    if (stat(buf, &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* ------------------------------------------------------------ path pieces */

int cr_fs_control_char(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return *c;
    return -1;
}

char *cr_fs_read_all(FILE *f, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (!m) return NULL;
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, k, m);
    int bad = ferror(f);
    if (fclose(m) != 0 || bad) {
        free(buf);
        errno = bad ? EIO : ENOMEM;
        return NULL;
    }
    if (len) *len = n;
    return buf;
}

/* Splits path (trailing slashes ignored) into its folder and last component. -1 when a piece does not fit. */
static int split_path(const char *path, char *parent, size_t pcap, char *base, size_t bcap)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t b = len;
    while (b > 0 && path[b - 1] != '/') b--;
    if (len - b >= bcap) return -1;
    memcpy(base, path + b, len - b);
    base[len - b] = 0;
    size_t plen = b;
    while (plen > 1 && path[plen - 1] == '/') plen--;
    int k = plen == 0 ? snprintf(parent, pcap, ".") : snprintf(parent, pcap, "%.*s", (int)plen, path);
    return (k < 0 || (size_t)k >= pcap) ? -1 : 0;
}

/* Six characters from [A-Za-z0-9], from the kernel's generator (or, should it fail, the clock and a counter). */
static void random_suffix(char out[7])
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned counter;
    unsigned char r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^ ++counter;
        for (int i = 0; i < 6; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    for (int i = 0; i < 6; i++) out[i] = abc[r[i] % (sizeof abc - 1)];
    out[6] = 0;
}

/* Whether name is a temporary of base: ".BASE.tmp.PID" or ".BASE.tmp.PID.XXXXXX"; *pid receives PID. */
static int temp_of(const char *name, const char *base, long *pid)
{
    size_t bl = strlen(base);
    if (name[0] != '.' || strncmp(name + 1, base, bl) != 0 || strncmp(name + 1 + bl, TMP_TAG, 5) != 0) return 0;
    const char *p = name + 1 + bl + 5;
    long v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++) v = 10 * v + (*p - '0');
    if (!digits || v <= 0) return 0;
    if (*p == '.') {
        p++;
        for (int i = 0; i < 6; i++, p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) return 0;
    }
    if (*p) return 0;
    *pid = v;
    return 1;
}

/* Whether process pid exists on this host (EPERM: it does, owned by another user). */
static int pid_alive(long pid)
{
    if (pid == (long)getpid()) return 1;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Unlinks the entries of the folder open as fd that are not folders (a few passes: entries removed while
 * reading may hide others). 0 when none is left. */
static int remove_files(int fd)
{
    for (int pass = 0; pass < 4; pass++) {
        int dfd = dup(fd);
        if (dfd < 0) return -1;
        DIR *d = fdopendir(dfd);
        if (!d) {
            close(dfd);
            return -1;
        }
        rewinddir(d);
        int removed = 0, left = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            if (unlinkat(fd, e->d_name, 0) == 0) removed++;
            else if (errno != ENOENT) left++;
        }
        closedir(d);
        if (!left && !removed) return 0;
        if (left && !removed) return -1;
    }
    return 0;
}

/* Removes entry name of the folder open as pfd: a folder holding only files (never followed: a symbolic link
 * is itself removed), or any other file. */
static void remove_entry(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP) unlinkat(pfd, name, 0);
        return;
    }
    remove_files(fd);
    close(fd);
    unlinkat(pfd, name, AT_REMOVEDIR);
}

static void collect_at(int pfd, const char *base)
{
    int dfd = dup(pfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0) close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        if (!temp_of(e->d_name, base, &pid) || pid_alive(pid)) continue;
        int fd = openat(pfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOTDIR || errno == ELOOP) unlinkat(pfd, e->d_name, 0);
            continue;
        }
        /* A folder locked by a live writer (on another host, or in another PID namespace) stays. */
        if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            close(fd);
            continue;
        }
        remove_files(fd);
        close(fd);
        unlinkat(pfd, e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

void cr_fs_collect(const char *dir, const char *base)
{
    int pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0) return;
    collect_at(pfd, base);
    close(pfd);
}

int cr_fs_temp_file(const char *dir, const char *base, char *tmp, size_t cap)
{
    cr_fs_collect(dir, base);
    for (int attempt = 0; attempt < 100; attempt++) {
        char rnd[7];
        random_suffix(rnd);
        int k = snprintf(tmp, cap, "%s/.%s" TMP_TAG "%ld.%s", dir, base, (long)getpid(), rnd);
        if (k < 0 || (size_t)k >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

/* ------------------------------------------------------- output folder check */

/* Whether the existing folder dir may be replaced by a run: empty, a run folder (manifest.yaml written by this
 * program), or only a sweep's stderr.log; temporaries do not count, a subfolder is never replaced. 0 when it
 * may, else an EINPUT message. */
static int replaceable(const char *what, const char *dir, cr_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return cr_err_set(err, CR_EINPUT, "%s %s: cannot read the folder: %s", what, dir, strerror(errno));
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0) close(dfd);
        close(fd);
        return cr_err_set(err, CR_EINPUT, "%s %s: cannot read the folder: %s", what, dir, strerror(errno));
    }
    int manifest = 0, others = 0, st = CR_OK;
    char other[NAME_MAX + 1] = "";
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        const char *nm = e->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) continue;
        struct stat s;
        if (fstatat(fd, nm, &s, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(s.st_mode)) {
            st = cr_err_set(err, CR_EINPUT,
                            "%s %s: holds the folder %s, so it is not a run folder a rerun may replace; "
                            "choose another folder",
                            what, dir, nm);
            break;
        }
        if (nm[0] == '.' && strstr(nm, TMP_TAG)) continue;
        if (strcmp(nm, CR_FS_LOG_NAME) == 0) continue;
        if (strcmp(nm, "manifest.yaml") == 0 && S_ISREG(s.st_mode)) {
            int mfd = openat(fd, nm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            char head[17] = "";
            if (mfd >= 0) {
                ssize_t k = read(mfd, head, 16);
                head[k > 0 ? k : 0] = 0;
                close(mfd);
            }
            if (strcmp(head, "cvxrelu_version:") == 0) {
                manifest = 1;
                continue;
            }
        }
        if (!others++) snprintf(other, sizeof other, "%s", nm);
    }
    closedir(d);
    close(fd);
    if (!st && others && !manifest)
        st = cr_err_set(err, CR_EINPUT,
                        "%s %s: the folder holds %s but no manifest.yaml of a cvxrelu run, so a rerun may not "
                        "replace it; choose another folder or remove it",
                        what, dir, other);
    return st;
}

int cr_fs_is_run_folder(const char *dir)
{
    struct stat st;
    cr_err ignored = {{0}};
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && replaceable("", dir, &ignored) == CR_OK;
}

int cr_fs_remove_run_folder(const char *dir, cr_err *err)
{
    char parent[CR_PATH_MAX + 16], base[NAME_MAX + 1], aside[NAME_MAX + 1];
    if (split_path(dir, parent, sizeof parent, base, sizeof base) != 0)
        return cr_err_set(err, CR_ERUNTIME, "%s: path too long", dir);
    if (!cr_fs_is_run_folder(dir)) return cr_err_set(err, CR_EINPUT, "%s: not a cvxrelu run folder", dir);
    int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0) return cr_err_set(err, CR_ERUNTIME, "%s: cannot open %s: %s", dir, parent, strerror(errno));
    int e = EEXIST;
    for (int attempt = 0; attempt < 100 && e == EEXIST; attempt++) {
        char rnd[7];
        random_suffix(rnd);
        int k = snprintf(aside, sizeof aside, ".%s" TMP_TAG "%ld.%s", base, (long)getpid(), rnd);
        if (k < 0 || (size_t)k >= sizeof aside) {
            e = ENAMETOOLONG;
            break;
        }
        e = renameat2(pfd, base, pfd, aside, RENAME_NOREPLACE) == 0 ? 0 : errno;
        if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP) {
            struct stat st;
            if (fstatat(pfd, aside, &st, AT_SYMLINK_NOFOLLOW) == 0) e = EEXIST;
            else e = renameat(pfd, base, pfd, aside) == 0 ? 0 : errno;
        }
    }
    if (e) {
        close(pfd);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot remove the earlier run folder: %s", dir, strerror(e));
    }
    remove_entry(pfd, aside);
    close(pfd);
    return CR_OK;
}

int cr_fs_check_outdir(const char *what, const char *dir, cr_err *err)
{
    size_t len = strlen(dir);
    if (!len) return cr_err_set(err, CR_EINPUT, "%s: empty folder name", what);
    if (len > CR_OUT_MAX)
        return cr_err_set(err, CR_EINPUT, "%s %.48s...: the path has %zu bytes, at most %d are accepted", what, dir, len,
                          CR_OUT_MAX);
    char norm[CR_OUT_MAX + 1], parent[CR_OUT_MAX + 1], base[NAME_MAX + 1];
    /* Without trailing slashes, which would make lstat follow a symbolic link. */
    snprintf(norm, sizeof norm, "%s", dir);
    while (len > 1 && norm[len - 1] == '/') norm[--len] = 0;
    for (const char *c = dir; *c;) {
        size_t seg = strcspn(c, "/");
        if (seg > NAME_MAX)
            return cr_err_set(err, CR_EINPUT, "%s: the component %.40s... has %zu bytes, at most %d are accepted", what,
                              c, seg, NAME_MAX);
        c += seg;
        while (*c == '/') c++;
    }
    if (split_path(norm, parent, sizeof parent, base, sizeof base) != 0)
        return cr_err_set(err, CR_EINPUT, "%s %s: path too long", what, dir);
    if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return cr_err_set(err, CR_EINPUT, "%s %s: name the run's own folder (not /, . or ..)", what, dir);
    if (strlen(base) + TMP_EXTRA > NAME_MAX)
        return cr_err_set(err, CR_EINPUT, "%s: the folder name %.40s... has %zu bytes, at most %d are accepted", what,
                          base, strlen(base), NAME_MAX - TMP_EXTRA);
    struct stat st;
    if (lstat(norm, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return cr_err_set(err, CR_EINPUT, "%s %s: is a symbolic link, which is never followed; give the folder "
                                              "it points to",
                              what, dir);
        if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s %s: exists and is not a folder", what, dir);
        if (access(norm, W_OK) != 0) return cr_err_set(err, CR_EINPUT, "%s %s: folder is not writable", what, dir);
        if (access(parent, W_OK) != 0)
            return cr_err_set(err, CR_EINPUT, "%s %s: cannot replace it, %s is not writable", what, dir, parent);
        return replaceable(what, norm, err);
    }
    return cr_fs_check_creatable(what, dir, parent, err);
}

void cr_fs_parent(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash) snprintf(out, cap, ".");
    else if (slash == out) out[1] = 0;
    else *slash = 0;
}

int cr_fs_check_creatable(const char *what, const char *dir, const char *from, cr_err *err)
{
    char buf[CR_PATH_MAX + 16];
    struct stat st;
    snprintf(buf, sizeof buf, "%s", from);
    for (;;) {
        if (stat(buf, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s %s: %s is not a folder", what, dir, buf);
            if (access(buf, W_OK) != 0)
                return cr_err_set(err, CR_EINPUT, "%s %s: cannot create it, %s is not writable", what, dir, buf);
            return CR_OK;
        }
        if (strcmp(buf, ".") == 0 || strcmp(buf, "/") == 0) return CR_OK;
        char up[CR_PATH_MAX + 16];
        cr_fs_parent(buf, up, sizeof up);
        memcpy(buf, up, sizeof buf);
    }
}

/* ------------------------------------------------------------ staged folders */

struct cr_fs_stage {
    char target[CR_OUT_MAX + 1];
    char parent[CR_OUT_MAX + 1];
    char base[NAME_MAX + 1];
    char name[NAME_MAX + 1];        /* the staging folder's name in parent */
    char dir[CR_OUT_MAX + NAME_MAX + 2]; /* parent/name */
    size_t existed;                 /* length of parent's longest prefix that existed before (folders made
                                       beyond it are removed again when the run is abandoned) */
    int pfd, fd;                    /* parent and staging folder */
};

/* The staging folder as the signal handler sees it: fixed storage, written outside handlers only. */
static volatile sig_atomic_t sig_active;
static int sig_pfd = -1, sig_fd = -1;
static char sig_name[NAME_MAX + 1];

int cr_fs_stage_begin(const char *target, cr_fs_stage **out, cr_err *err)
{
    *out = NULL;
    cr_fs_stage *s = calloc(1, sizeof *s);
    if (!s) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", target);
    s->pfd = s->fd = -1;
    if (snprintf(s->target, sizeof s->target, "%s", target) >= (int)sizeof s->target ||
        split_path(target, s->parent, sizeof s->parent, s->base, sizeof s->base) != 0) {
        free(s);
        return cr_err_set(err, CR_ERUNTIME, "%s: path too long", target);
    }
    /* The folders mkdir -p is about to make: from the first missing ancestor of parent down. */
    char probe[CR_OUT_MAX + 1];
    struct stat pst;
    snprintf(probe, sizeof probe, "%s", s->parent);
    while (stat(probe, &pst) != 0) {
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe) {
            probe[slash ? 1 : 0] = 0;
            break;
        }
        *slash = 0;
    }
    s->existed = strlen(probe);
    int e = cr_fs_mkdirs(s->parent);
    if (e) {
        free(s);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the output folder's parent: %s", target, strerror(e));
    }
    s->pfd = open(s->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->pfd < 0) {
        e = errno;
        cr_err_set(err, CR_ERUNTIME, "%s: cannot open %s: %s", target, s->parent, strerror(e));
        free(s);
        return CR_ERUNTIME;
    }
    collect_at(s->pfd, s->base);
    for (int attempt = 0; attempt < 100; attempt++) {
        char rnd[7];
        random_suffix(rnd);
        int k = snprintf(s->name, sizeof s->name, ".%s" TMP_TAG "%ld.%s", s->base, (long)getpid(), rnd);
        if (k < 0 || (size_t)k >= sizeof s->name) {
            s->name[0] = 0;
            errno = ENAMETOOLONG;
            break;
        }
        if (mkdirat(s->pfd, s->name, 0777) == 0) break;
        s->name[0] = 0;
        if (errno != EEXIST) break;
    }
    if (!s->name[0] || (s->fd = openat(s->pfd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        e = errno;
        if (s->name[0]) unlinkat(s->pfd, s->name, AT_REMOVEDIR);
        close(s->pfd);
        free(s);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot create a folder beside it: %s", target, strerror(e));
    }
    flock(s->fd, LOCK_EX | LOCK_NB); /* where supported; see collect_at */
    snprintf(s->dir, sizeof s->dir, "%s/%s", s->parent, s->name);
    sig_pfd = s->pfd;
    sig_fd = s->fd;
    memcpy(sig_name, s->name, sizeof sig_name);
    atomic_signal_fence(memory_order_seq_cst); /* the handler sees the names before the flag */
    sig_active = 1;
    *out = s;
    return CR_OK;
}

const char *cr_fs_stage_dir(const cr_fs_stage *s) { return s->dir; }

static void stage_free(cr_fs_stage *s)
{
    sig_active = 0;
    if (s->fd >= 0) close(s->fd);
    if (s->pfd >= 0) close(s->pfd);
    free(s);
}

/* Moves the old folder's stderr.log into the staging folder when it is this process's standard error (a sweep
 * sends a point's messages there before the run starts). */
static void carry_log(cr_fs_stage *s)
{
    struct stat mine, theirs;
    if (fstat(2, &mine) != 0 || !S_ISREG(mine.st_mode)) return;
    int tfd = openat(s->pfd, s->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tfd < 0) return;
    if (fstatat(tfd, CR_FS_LOG_NAME, &theirs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(theirs.st_mode) &&
        theirs.st_dev == mine.st_dev && theirs.st_ino == mine.st_ino)
        renameat(tfd, CR_FS_LOG_NAME, s->fd, CR_FS_LOG_NAME);
    close(tfd);
}

/* Puts the staging folder in place of target; the old folder (if any) is then under s->name, or under aside[]
 * when the file system cannot exchange. 0 or an errno. */
static int swap_in(cr_fs_stage *s, char *aside, size_t cap)
{
    aside[0] = 0;
    struct stat st;
    if (fstatat(s->pfd, s->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) return errno;
        if (renameat2(s->pfd, s->name, s->pfd, s->base, RENAME_NOREPLACE) == 0) return 0;
        if (errno == EEXIST) return swap_in(s, aside, cap); /* appeared meanwhile: exchange */
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
        return renameat(s->pfd, s->name, s->pfd, s->base) == 0 ? 0 : errno;
    }
    if (renameat2(s->pfd, s->name, s->pfd, s->base, RENAME_EXCHANGE) == 0) {
        snprintf(aside, cap, "%s", s->name);
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
    /* No exchange here (e.g. NFS): the old folder steps aside under a temporary name, then the new one moves in.
     * Between the two renames the target is absent, never mixed. */
    for (int attempt = 0; attempt < 100; attempt++) {
        char rnd[7];
        random_suffix(rnd);
        int k = snprintf(aside, cap, ".%s" TMP_TAG "%ld.%s", s->base, (long)getpid(), rnd);
        if (k < 0 || (size_t)k >= cap) return ENAMETOOLONG;
        if (fstatat(s->pfd, aside, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) break;
    }
    if (renameat(s->pfd, s->base, s->pfd, aside) != 0) {
        aside[0] = 0;
        return errno;
    }
    if (renameat(s->pfd, s->name, s->pfd, s->base) != 0) {
        int e = errno;
        renameat(s->pfd, aside, s->pfd, s->base);
        aside[0] = 0;
        return e;
    }
    return 0;
}

int cr_fs_stage_commit(cr_fs_stage *s, cr_err *err)
{
    /* A signal between the rename and the removal of the old folder must not remove the new run. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    fsync(s->fd);
    carry_log(s);
    char aside[NAME_MAX + 1];
    int e = swap_in(s, aside, sizeof aside);
    int st = CR_OK;
    if (e) {
        st = cr_err_set(err, CR_ERUNTIME, "%s: cannot put the run folder in place: %s", s->target, strerror(e));
        remove_files(s->fd);
        unlinkat(s->pfd, s->name, AT_REMOVEDIR);
    } else {
        sig_active = 0;
        fsync(s->pfd);
        if (aside[0]) remove_entry(s->pfd, aside);
    }
    stage_free(s);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return st;
}

void cr_fs_stage_abort(cr_fs_stage *s, int replace_target)
{
    if (!s) return;
    sig_active = 0;
    remove_files(s->fd);
    struct stat st;
    if (replace_target && fstatat(s->pfd, s->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        cr_err ignored;
        cr_fs_stage_commit(s, &ignored); /* an empty folder (and the carried log) replaces the old run */
        return;
    }
    unlinkat(s->pfd, s->name, AT_REMOVEDIR);
    /* The parent folders this run made go too (each only while empty): an abandoned run leaves nothing. */
    char p[CR_OUT_MAX + 1];
    snprintf(p, sizeof p, "%s", s->parent);
    for (size_t len = strlen(p); len > s->existed && rmdir(p) == 0;) {
        while (len > 0 && p[len - 1] != '/') len--;
        while (len > 1 && p[len - 1] == '/') len--;
        p[len] = 0;
    }
    stage_free(s);
}

/* linux_dirent64 as getdents64(2) fills it. */
struct dirent64_raw {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

void cr_fs_stage_cleanup_signal(void)
{
    if (!sig_active) return;
    sig_active = 0;
    static char buf[4096] __attribute__((aligned(8)));
    for (int pass = 0; pass < 4; pass++) {
        if (lseek(sig_fd, 0, SEEK_SET) != 0) break;
        int any = 0;
        long n;
        while ((n = syscall(SYS_getdents64, sig_fd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
                off += d->reclen;
                if (d->name[0] == '.' && (!d->name[1] || (d->name[1] == '.' && !d->name[2]))) continue;
                if (unlinkat(sig_fd, d->name, 0) == 0) any = 1;
            }
        }
        if (!any) break;
    }
    unlinkat(sig_pfd, sig_name, AT_REMOVEDIR);
}
