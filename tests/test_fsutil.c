/* Tests of src/harness/fsutil.c, each contract of fsutil.h on scratch folders: mkdir -p and its errors; the output
 * folder check, one refused or accepted case at a time, writing nothing (the cases about write permission run as
 * an ordinary user: as root, in a child that drops to nobody); temporaries (name, mode, O_EXCL) and the collection
 * of those whose writer is gone (never a live writer's, a locked folder, another base's or a look-alike; a link
 * is removed, never followed); staged run folders: begin, commit (new and replaced targets), abort (with and
 * without replacing, removing the parents it made), the stderr.log carried over, the signal-handler cleanup and
 * the writer's lock. Expected outcomes are read off the file system here (lstat, readdir, find). */
#define _GNU_SOURCE /* setgroups */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/file.h>

#include "config.h"
#include "fsutil.h"

/* ---------------------------------------------------------------------------------------------- helpers */

static void sub(char *out, size_t cap, const char *dir, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* Every path below dir (relative, sorted, one per line): what a step wrote. */
static char *tree(const char *dir)
{
    char cmd[600], *out = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && find . -mindepth 1 | LC_ALL=C sort", dir);
    assert_int_equal(crt_sh(cmd, &out), 0);
    return out;
}

static int is_dir(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The PID of a process that has exited (a child reaped here). */
static long dead_pid(void)
{
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) _exit(0);
    assert_int_equal(waitpid(c, NULL, 0), c);
    return (long)c;
}

/* nobody and nogroup, and whether this process is root (then the unwritable cases run as nobody). */
static uid_t nobody_uid(void)
{
    struct passwd *pw = getpwnam("nobody");
    assert_non_null(pw);
    return pw->pw_uid;
}
static gid_t nogroup_gid(void)
{
    struct group *gr = getgrnam("nogroup");
    assert_non_null(gr);
    return gr->gr_gid;
}

/* chown -R to nobody when root, so that the ordinary user of check_as_user can reach and write dir. */
static void give_to_user(const char *dir)
{
    if (geteuid() != 0) return;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "chown -R nobody:nogroup '%s'", dir);
    assert_int_equal(crt_sh(cmd, NULL), 0);
}

/* cr_fs_check_outdir("--out", dir) as an ordinary user (as root: in a child that becomes nobody); the status
 * returned and the message in msg. */
static int check_as_user(const char *dir, char *msg, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    uid_t uid = geteuid() == 0 ? nobody_uid() : 0;
    gid_t gid = geteuid() == 0 ? nogroup_gid() : 0;
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(100);
        cr_err e = {""};
        int st = cr_fs_check_outdir("--out", dir, &e);
        ssize_t w = write(fds[1], e.msg, strlen(e.msg));
        (void)w;
        _exit(st);
    }
    close(fds[1]);
    ssize_t k = read(fds[0], msg, cap - 1);
    msg[k > 0 ? k : 0] = 0;
    close(fds[0]);
    int ws;
    assert_int_equal(waitpid(c, &ws, 0), c);
    assert_true(WIFEXITED(ws));
    assert_int_not_equal(WEXITSTATUS(ws), 100);
    return WEXITSTATUS(ws);
}

/* ---------------------------------------------------------------------------------------------- mkdirs */

static void test_mkdirs(void **state)
{
    (void)state;
    char dir[256], p[600];
    crt_tmpdir(dir);
    sub(p, sizeof p, dir, "a/b/c");
    assert_int_equal(cr_fs_mkdirs(p), 0);
    assert_true(is_dir(p));
    assert_int_equal(cr_fs_mkdirs(p), 0); /* exists: fine */
    sub(p, sizeof p, dir, "a/b/d/");
    assert_int_equal(cr_fs_mkdirs(p), 0);
    sub(p, sizeof p, dir, "a/b/d");
    assert_true(is_dir(p));
    crt_put(dir, "file", "x");
    sub(p, sizeof p, dir, "file");
    assert_int_equal(cr_fs_mkdirs(p), ENOTDIR);
    sub(p, sizeof p, dir, "file/sub");
    assert_int_equal(cr_fs_mkdirs(p), ENOTDIR);
    char *long_path = malloc(CR_PATH_MAX + 100);
    assert_non_null(long_path);
    memset(long_path, 'x', CR_PATH_MAX + 99);
    long_path[CR_PATH_MAX + 99] = 0;
    assert_int_equal(cr_fs_mkdirs(long_path), ENAMETOOLONG);
    free(long_path);
    char *t = tree(dir);
    assert_string_equal(t, "./a\n./a/b\n./a/b/c\n./a/b/d\n./file\n");
    free(t);
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------------------------- output folder check */

/* cr_fs_check_outdir on dir/rel (rel "" : dir itself; rel starting with '/' or '.' taken as is) expecting
 * status st and, when refused, a message containing part; nothing below dir changes. */
static void check_outdir_case(const char *dir, const char *rel, int st, const char *part)
{
    char p[2048];
    if (rel[0] == '/' || rel[0] == '.' || rel[0] == 0) snprintf(p, sizeof p, "%s", rel);
    else snprintf(p, sizeof p, "%s/%s", dir, rel);
    char *before = tree(dir), *after;
    cr_err e = {""};
    int got = cr_fs_check_outdir("--out", p, &e);
    if (got != st) fail_msg("%.80s: status %d (%s), expected %d", p, got, e.msg, st);
    if (st && !strstr(e.msg, part)) fail_msg("%.80s: message \"%s\" lacks \"%s\"", p, e.msg, part);
    after = tree(dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_check_outdir(void **state)
{
    (void)state;
    char dir[256], p[600];
    crt_tmpdir(dir);
    check_outdir_case(dir, "", CR_EINPUT, "empty folder name");
    check_outdir_case(dir, "/", CR_EINPUT, "name the run's own folder");
    check_outdir_case(dir, ".", CR_EINPUT, "name the run's own folder");
    check_outdir_case(dir, "..", CR_EINPUT, "name the run's own folder");
    check_outdir_case(dir, "x/..", CR_EINPUT, "name the run's own folder");
    char longname[CR_OUT_MAX + 10];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    check_outdir_case(dir, longname, CR_EINPUT, "at most 768 are accepted");
    /* A component over NAME_MAX; a last component without room for its temporary's 23-byte suffix. */
    char comp[NAME_MAX + 2];
    memset(comp, 'c', NAME_MAX + 1);
    comp[NAME_MAX + 1] = 0;
    snprintf(p, sizeof p, "%s/x", comp);
    check_outdir_case(dir, p, CR_EINPUT, "has 256 bytes");
    comp[NAME_MAX - 23 + 1] = 0;
    check_outdir_case(dir, comp, CR_EINPUT, "at most 232 are accepted");
    comp[NAME_MAX - 23] = 0;
    check_outdir_case(dir, comp, CR_OK, "");
    /* New folders below a writable one (also several levels deep); not below a file. */
    check_outdir_case(dir, "new", CR_OK, "");
    check_outdir_case(dir, "new/deeper/run/", CR_OK, "");
    crt_put(dir, "file", "keep");
    check_outdir_case(dir, "file", CR_EINPUT, "exists and is not a folder");
    check_outdir_case(dir, "file/run", CR_EINPUT, "is not a folder");
    /* A symbolic link, to a folder or dangling, is refused and never followed. */
    sub(p, sizeof p, dir, "target");
    assert_int_equal(mkdir(p, 0777), 0);
    char link[600];
    sub(link, sizeof link, dir, "link");
    assert_int_equal(symlink(p, link), 0);
    check_outdir_case(dir, "link", CR_EINPUT, "is a symbolic link");
    check_outdir_case(dir, "link/", CR_EINPUT, "is a symbolic link");
    /* Existing folders: empty, a run folder, only a sweep's log, only temporaries: may be replaced. */
    check_outdir_case(dir, "target", CR_OK, "");
    sub(p, sizeof p, dir, "run");
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, "manifest.yaml", "cvxrelu_version: 0.1.0\n");
    crt_put(p, "summary.csv", "key,value\n");
    check_outdir_case(dir, "run", CR_OK, "");
    sub(p, sizeof p, dir, "log");
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, CR_FS_LOG_NAME, "x");
    crt_put(p, ".summary.csv.tmp.1.abcdef", "x");
    check_outdir_case(dir, "log", CR_OK, "");
    /* Foreign folders: a file without a manifest of ours, a foreign manifest, a subfolder. */
    sub(p, sizeof p, dir, "foreign");
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, "notes.txt", "mine");
    check_outdir_case(dir, "foreign", CR_EINPUT, "no manifest.yaml of a cvxrelu run");
    crt_put(p, "manifest.yaml", "name: other tool\n");
    check_outdir_case(dir, "foreign", CR_EINPUT, "no manifest.yaml of a cvxrelu run");
    sub(p, sizeof p, dir, "run/sub");
    assert_int_equal(mkdir(p, 0777), 0);
    check_outdir_case(dir, "run", CR_EINPUT, "holds the folder sub");
    crt_rmtree(dir);
}

/* As an ordinary user: folders that cannot be written, created in or replaced. */
static void test_check_outdir_permissions(void **state)
{
    (void)state;
    char dir[256], p[600], msg[1100];
    crt_tmpdir(dir);
    sub(p, sizeof p, dir, "ro/old");
    assert_int_equal(cr_fs_mkdirs(p), 0);
    sub(p, sizeof p, dir, "rw/locked");
    assert_int_equal(cr_fs_mkdirs(p), 0);
    give_to_user(dir);
    sub(p, sizeof p, dir, "ro");
    assert_int_equal(chmod(p, 0555), 0);
    sub(p, sizeof p, dir, "rw/locked");
    assert_int_equal(chmod(p, 0555), 0);
    char *before = tree(dir);
    struct {
        const char *rel, *part;
    } cases[] = {
        {"ro/run", "cannot create it"},
        {"ro/a/b/c", "cannot create it"},
        {"ro/old", "cannot replace it"},
        {"rw/locked", "folder is not writable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sub(p, sizeof p, dir, cases[i].rel);
        int st = check_as_user(p, msg, sizeof msg);
        if (st != CR_EINPUT || !strstr(msg, cases[i].part))
            fail_msg("%s: status %d, message \"%s\"; expected %d and \"%s\"", cases[i].rel, st, msg, CR_EINPUT,
                     cases[i].part);
    }
    sub(p, sizeof p, dir, "rw/new");
    assert_int_equal(check_as_user(p, msg, sizeof msg), CR_OK);
    char *after = tree(dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    sub(p, sizeof p, dir, "ro");
    chmod(p, 0755);
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------------------- temporaries, collection */

static void test_temp_file(void **state)
{
    (void)state;
    char dir[256], tmp[600], tmp2[600], want[600];
    crt_tmpdir(dir);
    mode_t old = umask(022);
    int fd = cr_fs_temp_file(dir, "summary.csv", tmp, sizeof tmp);
    umask(old);
    assert_true(fd >= 0);
    snprintf(want, sizeof want, "%s/.summary.csv.tmp.%ld.", dir, (long)getpid());
    assert_true(strncmp(tmp, want, strlen(want)) == 0);
    const char *rnd = tmp + strlen(want);
    assert_int_equal(strlen(rnd), 6);
    for (int i = 0; i < 6; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", rnd[i]));
    struct stat st;
    assert_int_equal(lstat(tmp, &st), 0);
    assert_true(S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 0777) == 0644);
    assert_int_equal(write(fd, "x", 1), 1);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    int fd2 = cr_fs_temp_file(dir, "summary.csv", tmp2, sizeof tmp2);
    assert_true(fd2 >= 0);
    close(fd2);
    assert_string_not_equal(tmp, tmp2); /* our own live temporaries stay, each name is new */
    assert_true(crt_exists(tmp) && crt_exists(tmp2));
    /* Errors: no room for the name, no such folder. */
    errno = 0;
    assert_int_equal(cr_fs_temp_file(dir, "summary.csv", tmp, 20), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    sub(want, sizeof want, dir, "absent");
    assert_int_equal(cr_fs_temp_file(want, "x", tmp, sizeof tmp), -1);
    assert_int_equal(errno, ENOENT);
    crt_rmtree(dir);
}

static void test_collect(void **state)
{
    (void)state;
    char dir[256], p[600], name[300];
    crt_tmpdir(dir);
    long dead = dead_pid(), live = (long)getppid();
    /* Stale: a file, a folder of files, a link (to a folder whose file must survive). */
    snprintf(name, sizeof name, ".base.tmp.%ld", dead);
    crt_put(dir, name, "stale");
    snprintf(name, sizeof name, ".base.tmp.%ld.AbC123", dead);
    sub(p, sizeof p, dir, name);
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, "a.csv", "1");
    crt_put(p, ".b.csv.tmp.1.zzzzzz", "2");
    sub(p, sizeof p, dir, "elsewhere");
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, "precious", "keep");
    char link[600];
    snprintf(name, sizeof name, ".base.tmp.%ld.LiNk00", dead);
    sub(link, sizeof link, dir, name);
    assert_int_equal(symlink(p, link), 0);
    /* Kept: a live writer's, another base's, look-alikes, the target itself, a folder locked by a writer. */
    snprintf(name, sizeof name, ".base.tmp.%ld.LiVe00", live);
    crt_put(dir, name, "live");
    snprintf(name, sizeof name, ".other.tmp.%ld", dead);
    crt_put(dir, name, "other");
    snprintf(name, sizeof name, ".base.tmp.%ld.ab", dead);
    crt_put(dir, name, "short suffix");
    snprintf(name, sizeof name, ".base.tmp.%ld.ab-def", dead);
    crt_put(dir, name, "bad character");
    snprintf(name, sizeof name, "base.tmp.%ld", dead);
    crt_put(dir, name, "no dot");
    crt_put(dir, "base", "the target");
    snprintf(name, sizeof name, ".base.tmp.%ld.L0cked", dead);
    sub(p, sizeof p, dir, name);
    assert_int_equal(mkdir(p, 0777), 0);
    crt_put(p, "f", "x");
    int lk = open(p, O_RDONLY | O_DIRECTORY);
    assert_true(lk >= 0);
    assert_int_equal(flock(lk, LOCK_EX | LOCK_NB), 0);
    cr_fs_collect(dir, "base");
    char *t = tree(dir), want[2000];
    snprintf(want, sizeof want,
             "./.base.tmp.%ld.L0cked\n./.base.tmp.%ld.L0cked/f\n./.base.tmp.%ld.ab\n./.base.tmp.%ld.ab-def\n"
             "./.base.tmp.%ld.LiVe00\n./.other.tmp.%ld\n./base\n./base.tmp.%ld\n./elsewhere\n./elsewhere/precious\n",
             dead, dead, dead, dead, live, dead, dead);
    /* find | sort in the C locale: compare as sorted sets. */
    char cmd[2100], *sorted = NULL;
    snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | LC_ALL=C sort", want);
    assert_int_equal(crt_sh(cmd, &sorted), 0);
    assert_string_equal(t, sorted);
    free(t);
    free(sorted);
    /* Unlocked, the folder goes at the next collection. */
    close(lk);
    cr_fs_collect(dir, "base");
    assert_false(crt_exists(p));
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------------------------------- staging */

static cr_fs_stage *begin(const char *target)
{
    cr_fs_stage *s = (cr_fs_stage *)1;
    cr_err e;
    if (cr_fs_stage_begin(target, &s, &e)) fail_msg("%s", e.msg);
    assert_non_null(s);
    return s;
}

static void test_stage_new_and_replace(void **state)
{
    (void)state;
    char dir[256], target[600], want[700];
    crt_tmpdir(dir);
    sub(target, sizeof target, dir, "p/q/run");
    cr_fs_stage *s = begin(target);
    const char *sd = cr_fs_stage_dir(s);
    snprintf(want, sizeof want, "%s/p/q/.run.tmp.%ld.", dir, (long)getpid());
    assert_true(strncmp(sd, want, strlen(want)) == 0 && strlen(sd) == strlen(want) + 6);
    assert_true(is_dir(sd));
    assert_false(crt_exists(target));
    /* The writer holds the staging folder locked. */
    int fd = open(sd, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
    assert_int_equal(errno, EWOULDBLOCK);
    close(fd);
    crt_put(sd, "a.csv", "new");
    cr_err e;
    assert_int_equal(cr_fs_stage_commit(s, &e), CR_OK);
    char *t = tree(dir);
    assert_string_equal(t, "./p\n./p/q\n./p/q/run\n./p/q/run/a.csv\n");
    free(t);
    /* A rerun replaces the whole folder: the old files go. */
    crt_put(target, "old.csv", "old");
    s = begin(target);
    crt_put(cr_fs_stage_dir(s), "b.csv", "newer");
    assert_int_equal(cr_fs_stage_commit(s, &e), CR_OK);
    t = tree(dir);
    assert_string_equal(t, "./p\n./p/q\n./p/q/run\n./p/q/run/b.csv\n");
    free(t);
    /* begin collects a dead writer's staging folder of the same target. */
    char stale[700];
    snprintf(stale, sizeof stale, "%s/p/q/.run.tmp.%ld.DeAd00", dir, dead_pid());
    assert_int_equal(mkdir(stale, 0777), 0);
    crt_put(stale, "x.csv", "x");
    s = begin(target);
    assert_false(crt_exists(stale));
    cr_fs_stage_abort(s, 0);
    t = tree(dir);
    assert_string_equal(t, "./p\n./p/q\n./p/q/run\n./p/q/run/b.csv\n");
    free(t);
    crt_rmtree(dir);
}

static void test_stage_abort(void **state)
{
    (void)state;
    char dir[256], target[600];
    crt_tmpdir(dir);
    /* A fresh target in new parents: abort leaves nothing, not even the parents. */
    sub(target, sizeof target, dir, "p/q/run");
    cr_fs_stage *s = begin(target);
    crt_put(cr_fs_stage_dir(s), "a.csv", "x");
    cr_fs_stage_abort(s, 0);
    char *t = tree(dir);
    assert_string_equal(t, "");
    free(t);
    /* An existing run, abort without replacing: the old run stays as it was. */
    sub(target, sizeof target, dir, "run");
    assert_int_equal(mkdir(target, 0777), 0);
    crt_put(target, "old.csv", "old");
    s = begin(target);
    crt_put(cr_fs_stage_dir(s), "a.csv", "x");
    cr_fs_stage_abort(s, 0);
    t = tree(dir);
    assert_string_equal(t, "./run\n./run/old.csv\n");
    free(t);
    /* Replacing: an empty folder takes its place (no old run stays under its name as if current). */
    s = begin(target);
    crt_put(cr_fs_stage_dir(s), "a.csv", "x");
    cr_fs_stage_abort(s, 1);
    t = tree(dir);
    assert_string_equal(t, "./run\n");
    free(t);
    /* Replacing when there is nothing to replace: nothing is left. */
    sub(target, sizeof target, dir, "fresh");
    s = begin(target);
    cr_fs_stage_abort(s, 1);
    t = tree(dir);
    assert_string_equal(t, "./run\n");
    free(t);
    cr_fs_stage_abort(NULL, 0); /* accepted */
    /* begin fails below a file: nothing made. */
    crt_put(dir, "file", "x");
    sub(target, sizeof target, dir, "file/run");
    cr_fs_stage *bad = (cr_fs_stage *)1;
    cr_err e;
    assert_int_equal(cr_fs_stage_begin(target, &bad, &e), CR_ERUNTIME);
    assert_null(bad);
    t = tree(dir);
    assert_string_equal(t, "./file\n./run\n");
    free(t);
    crt_rmtree(dir);
}

/* The old folder's stderr.log moves into the new run when it is this process's standard error; otherwise it goes
 * with the old run. */
static void test_stage_carries_log(void **state)
{
    (void)state;
    char dir[256], target[600], log[700];
    crt_tmpdir(dir);
    sub(target, sizeof target, dir, "run");
    assert_int_equal(mkdir(target, 0777), 0);
    crt_put(target, CR_FS_LOG_NAME, "early message\n");
    crt_put(target, "old.csv", "old");
    sub(log, sizeof log, target, CR_FS_LOG_NAME);
    struct stat before, after;
    assert_int_equal(stat(log, &before), 0);
    int lfd = open(log, O_WRONLY | O_APPEND);
    assert_true(lfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_int_equal(dup2(lfd, 2), 2);
    close(lfd);
    cr_fs_stage *s = begin(target);
    crt_put(cr_fs_stage_dir(s), "a.csv", "new");
    cr_err e;
    int st = cr_fs_stage_commit(s, &e);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(st, CR_OK);
    char *t = tree(dir);
    assert_string_equal(t, "./run\n./run/a.csv\n./run/stderr.log\n");
    free(t);
    assert_int_equal(stat(log, &after), 0);
    assert_true(after.st_ino == before.st_ino && after.st_dev == before.st_dev);
    char *text = crt_slurp(log, NULL);
    assert_string_equal(text, "early message\n");
    free(text);
    /* Standard error elsewhere: the log is the old run's and goes with it. */
    s = begin(target);
    crt_put(cr_fs_stage_dir(s), "b.csv", "newer");
    assert_int_equal(cr_fs_stage_commit(s, &e), CR_OK);
    t = tree(dir);
    assert_string_equal(t, "./run\n./run/b.csv\n");
    free(t);
    crt_rmtree(dir);
}

static void test_stage_cleanup_signal(void **state)
{
    (void)state;
    char dir[256], target[600];
    crt_tmpdir(dir);
    sub(target, sizeof target, dir, "run");
    assert_int_equal(mkdir(target, 0777), 0);
    crt_put(target, "old.csv", "old");
    cr_fs_stage *s = begin(target);
    for (int i = 0; i < 300; i++) { /* more entries than one getdents64 buffer holds */
        char name[32];
        snprintf(name, sizeof name, "table-%03d.csv", i);
        crt_put(cr_fs_stage_dir(s), name, "x");
    }
    cr_fs_stage_cleanup_signal();
    char *t = tree(dir);
    assert_string_equal(t, "./run\n./run/old.csv\n");
    free(t);
    cr_fs_stage_cleanup_signal(); /* a second signal: nothing to do */
    cr_fs_stage_abort(s, 0);      /* frees what is left */
    t = tree(dir);
    assert_string_equal(t, "./run\n./run/old.csv\n");
    free(t);
    /* After a commit there is nothing for a handler to remove. */
    s = begin(target);
    crt_put(cr_fs_stage_dir(s), "a.csv", "new");
    cr_err e;
    assert_int_equal(cr_fs_stage_commit(s, &e), CR_OK);
    cr_fs_stage_cleanup_signal();
    t = tree(dir);
    assert_string_equal(t, "./run\n./run/a.csv\n");
    free(t);
    crt_rmtree(dir);
}

/* The parent of a path, by the cases of fsutil.h; and the check that a missing folder can be made, walking up to
 * the first existing ancestor: a folder (accepted) or a file (refused, naming it). */
static void test_parent_and_creatable(void **state)
{
    (void)state;
    char out[64];
    cr_fs_parent("a/b/c", out, sizeof out);
    assert_string_equal(out, "a/b");
    cr_fs_parent("a", out, sizeof out);
    assert_string_equal(out, ".");
    cr_fs_parent("/a", out, sizeof out);
    assert_string_equal(out, "/");
    cr_fs_parent("/", out, sizeof out);
    assert_string_equal(out, "/");
    char dir[256], file[512], deep[600], from[600];
    crt_tmpdir(dir);
    crt_put(dir, "f", "x");
    sub(file, sizeof file, dir, "f");
    cr_err e;
    snprintf(deep, sizeof deep, "%s/new/sub", dir);
    snprintf(from, sizeof from, "%s/new", dir);
    assert_int_equal(cr_fs_check_creatable("out", deep, from, &e), CR_OK);
    snprintf(deep, sizeof deep, "%s/f/sub/x", dir);
    snprintf(from, sizeof from, "%s/f/sub", dir);
    assert_int_equal(cr_fs_check_creatable("out", deep, from, &e), CR_EINPUT);
    char needle[1400];
    snprintf(needle, sizeof needle, "out %s: %s is not a folder", deep, file);
    assert_non_null(strstr(e.msg, needle));
    assert_false(crt_exists(from)); /* nothing made */
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mkdirs),
        cmocka_unit_test(test_check_outdir),
        cmocka_unit_test(test_parent_and_creatable),
        cmocka_unit_test(test_check_outdir_permissions),
        cmocka_unit_test(test_temp_file),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_stage_new_and_replace),
        cmocka_unit_test(test_stage_abort),
        cmocka_unit_test(test_stage_carries_log),
        cmocka_unit_test(test_stage_cleanup_signal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
