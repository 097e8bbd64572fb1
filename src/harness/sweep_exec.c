/* The local process pool of a sweep (see sweep_impl.h): at most --jobs points at once, each a child process of
 * this binary with its standard error in the point's stderr.log. A termination signal is passed on to the
 * running points, which are waited for before the sweep itself ends by that signal. */
#include "sweep_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The folder of each point to run (the stderr.log redirection needs it before the run starts). A point folder
 * is made by mkdir and must be a folder itself: a symbolic link there is never followed. */
int cr_sweep_make_point_dirs(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, cr_err *err)
{
    for (size_t t = 0; t < ntodo; t++) {
        char dir[CR_PATH_MAX + 300];
        if (cr_sweep_point_path(p, todo[t], NULL, dir, sizeof dir))
            return cr_err_set(err, CR_ERUNTIME, "%s/%s: path too long", p->dir, p->pts[todo[t]].name);
        struct stat st;
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the point folder: %s", dir, strerror(errno));
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return cr_err_set(err, CR_ERUNTIME, "%s: the point folder is not a folder (a symbolic link is never "
                                                "followed)", dir);
    }
    return CR_OK;
}

/* The point's stderr.log opened for writing, relative to the point folder opened without following links:
 * fresh (a previous one is removed, the new one created with O_EXCL) or for appending. -1 with errno. */
static int open_log(const cr_sweep_plan *p, size_t i, int fresh)
{
    char dir[CR_PATH_MAX + 300];
    if (cr_sweep_point_path(p, i, NULL, dir, sizeof dir)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return -1;
    int fd = -1;
    if (!fresh) fd = openat(dfd, CR_FS_LOG_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fresh || (fd < 0 && errno == ENOENT)) {
        if (fresh && unlinkat(dfd, CR_FS_LOG_NAME, 0) != 0 && errno != ENOENT) {
            int e = errno;
            close(dfd);
            errno = e;
            return -1;
        }
        fd = openat(dfd, CR_FS_LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    }
    int e = errno;
    close(dfd);
    errno = e;
    return fd;
}

/* Appends a line to the point's stderr.log (for what happened to the run beyond its own messages). */
static void log_note(const cr_sweep_plan *p, size_t i, const char *note)
{
    int fd = open_log(p, i, 0);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return;
    }
    fprintf(f, "%s\n", note);
    fclose(f);
}

/* Starts point i with its standard error in a fresh stderr.log and the signal mask `mask`. */
static int spawn_point(const cr_sweep_plan *p, size_t i, pid_t *pid, const sigset_t *mask)
{
    cr_sweep_strs av = {0};
    if (cr_sweep_point_argv(p, i, &av) || cr_sweep_strs_push(&av, "")) {
        cr_sweep_strs_free(&av);
        return ENOMEM;
    }
    free(av.v[av.n - 1]);
    av.v[av.n - 1] = NULL; /* argv terminator */
    int fd = open_log(p, i, 1);
    if (fd < 0) {
        int e = errno;
        cr_sweep_strs_free(&av);
        return e;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int e = posix_spawn_file_actions_init(&fa);
    if (!e) {
        e = posix_spawnattr_init(&at);
        if (!e) {
            e = posix_spawn_file_actions_adddup2(&fa, fd, 2);
            if (!e) e = posix_spawnattr_setsigmask(&at, mask);
            if (!e) e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
            if (!e) e = posix_spawn(pid, p->prog, &fa, &at, av.v, environ);
            posix_spawnattr_destroy(&at);
        }
        posix_spawn_file_actions_destroy(&fa);
    }
    close(fd);
    cr_sweep_strs_free(&av);
    return e;
}

/* The termination signals a sweep passes on to its running points: those it does not ignore. */
static void term_signals(sigset_t *set)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    sigemptyset(set);
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        struct sigaction sa;
        if (sigaction(sigs[k], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN) sigaddset(set, sigs[k]);
    }
}

/* The pool: the point running in each of the jobs slots, and the signals the sweep takes while it runs. */
typedef struct {
    const cr_sweep_plan *p;   /* does not own */
    const size_t *todo;       /* does not own */
    size_t ntodo, next, done, running;
    long jobs;
    pid_t *pids;              /* per slot, 0 when free */
    size_t *slot_pt;          /* the point in each busy slot */
    int stop;                 /* the termination signal received, 0 if none */
    int quiet;
    FILE *log;                /* does not own */
    sigset_t wait_set, old;   /* taken with sigwaitinfo; the signal mask before */
    struct sigaction chld_old;
} pool;

/* SIGCHLD and the termination signals are blocked and taken with sigwaitinfo: a termination signal is passed on
 * to the running points, which are waited for before the sweep dies by the same signal, so no point outlives it
 * to race a resumed sweep. */
static void take_signals(pool *q)
{
    term_signals(&q->wait_set);
    sigaddset(&q->wait_set, SIGCHLD);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGCHLD, &dfl, &q->chld_old); /* an inherited SIG_IGN would reap the points behind our back */
    sigprocmask(SIG_BLOCK, &q->wait_set, &q->old);
}

/* Starts points while a slot is free (none once a termination signal came). A point that cannot start is done,
 * with a note in its stderr.log. */
static void start_points(pool *q)
{
    while (!q->stop && q->running < (size_t)q->jobs && q->next < q->ntodo) {
        size_t i = q->todo[q->next++];
        pid_t pid;
        int e = spawn_point(q->p, i, &pid, &q->old);
        if (e) {
            char note[CR_PATH_MAX + 256];
            snprintf(note, sizeof note, "cvxrelu sweep: cannot start %s: %s", q->p->prog, strerror(e));
            log_note(q->p, i, note);
            q->done++;
            fprintf(q->log, "sweep: [%zu/%zu] %s: error (%s)\n", q->done, q->ntodo, q->p->pts[i].name, note);
            continue;
        }
        size_t s = 0;
        while (q->pids[s]) s++;
        q->pids[s] = pid;
        q->slot_pt[s] = i;
        q->running++;
    }
}

/* A termination signal: passed on to every running point (once). */
static void stop_points(pool *q, int sig)
{
    q->stop = sig;
    fprintf(q->log, "sweep: %s: stopping %zu running point%s\n", strsignal(sig), q->running,
            q->running == 1 ? "" : "s");
    fflush(q->log);
    for (long s = 0; s < q->jobs; s++)
        if (q->pids[s]) kill(q->pids[s], sig);
}

/* Point i has ended with wait status wst: a note when a signal killed it, and its progress line. */
static void finished(pool *q, size_t i, int wst)
{
    const cr_sweep_plan *p = q->p;
    q->running--;
    q->done++;
    if (WIFSIGNALED(wst)) {
        char note[128];
        snprintf(note, sizeof note, "cvxrelu sweep: the run was killed by signal %d", WTERMSIG(wst));
        log_note(p, i, note);
    }
    cr_sweep_strs k = {0}, v = {0};
    char msg[2048];
    cr_sweep_state ps = cr_sweep_point_read(p, i, &k, &v, msg, sizeof msg);
    cr_sweep_strs_free(&k);
    cr_sweep_strs_free(&v);
    if (ps != CR_SWEEP_POINT_OK)
        fprintf(q->log, "sweep: [%zu/%zu] %s: %s: %s\n", q->done, q->ntodo, p->pts[i].name, cr_sweep_state_name(ps),
                msg);
    else if (!q->quiet)
        fprintf(q->log, "sweep: [%zu/%zu] %s: ok\n", q->done, q->ntodo, p->pts[i].name);
    fflush(q->log);
}

/* Reaps one ended point, or waits for a signal (SIGCHLD, or a termination signal that stops the points). */
static int reap(pool *q, cr_err *err)
{
    int wst;
    pid_t pid = waitpid(-1, &wst, WNOHANG);
    if (pid == 0) {
        siginfo_t si;
        int sig = sigwaitinfo(&q->wait_set, &si);
        if (sig > 0 && sig != SIGCHLD && !q->stop) stop_points(q, sig);
        return CR_OK;
    }
    if (pid < 0) return errno == EINTR ? CR_OK : cr_err_set(err, CR_ERUNTIME, "waitpid: %s", strerror(errno));
    size_t s = 0;
    while (s < (size_t)q->jobs && q->pids[s] != pid) s++;
    if (s == (size_t)q->jobs) return CR_OK; /* not one of ours */
    q->pids[s] = 0;
    finished(q, q->slot_pt[s], wst);
    return CR_OK;
}

int cr_sweep_run_local(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long jobs, int quiet, FILE *log,
                       cr_err *err)
{
    pool q = {.p = p, .todo = todo, .ntodo = ntodo, .jobs = jobs, .quiet = quiet, .log = log};
    q.pids = calloc((size_t)jobs, sizeof *q.pids);
    q.slot_pt = calloc((size_t)jobs, sizeof *q.slot_pt);
    if (!q.pids || !q.slot_pt) {
        free(q.pids);
        free(q.slot_pt);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    take_signals(&q);
    int st = CR_OK;
    while (!st && q.done < ntodo) {
        start_points(&q);
        if (q.running) st = reap(&q, err);
        else if (q.stop) break;
    }
    free(q.pids);
    free(q.slot_pt);
    if (st) sigprocmask(SIG_SETMASK, &q.old, NULL);
    sigaction(SIGCHLD, &q.chld_old, NULL);
    if (st) return st;
    if (q.stop) {
        /* Every point has stopped: the sweep ends by the signal it received, as it would have without us. */
        fflush(NULL);
        signal(q.stop, SIG_DFL);
        raise(q.stop);
    }
    sigprocmask(SIG_SETMASK, &q.old, NULL);
    if (q.stop) return cr_err_set(err, CR_ERUNTIME, "stopped by %s", strsignal(q.stop));
    return CR_OK;
}
