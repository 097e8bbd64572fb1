/* Interrupted and failing runs (src/harness/main.c, src/harness/csvout.c): `cvxrelu run configs/arrangement_count.yaml`
 * (the slowest config) is killed with SIGINT or SIGTERM at seeded random moments; the program must die by that
 * signal (or exit 128 + signal), leave no ".NAME.tmp.PID" temporary, and every file left in the run folder must
 * be complete: a CSV is a header plus rows of the header's width and equals the uninterrupted run's file byte
 * for byte, a YAML file loads with libyaml. A forced I/O failure (RLIMIT_FSIZE) must exit 1 under the same
 * rules, and the YAML a completed run writes must load even when argv holds control characters.
 * Reruns killed with SIGKILL (with and without renameat2's exchange) leave the old or the new run whole; a
 * rerun that cannot record itself leaves no stale claims; disk full on the first of two tables closes both.
 * CR_SIGNAL_SEED and CR_SIGNAL_TRIALS (environment) choose the seed and the number of kills. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include <yaml.h>

#include "config.h"

#define CONFIG "configs/arrangement_count.yaml"

/* ------------------------------------------------------------------ helpers */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64: the trials' schedule comes from one printed seed, so a failure reruns exactly. */
static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    if (!s || !*s) return def;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end) fail_msg("%s=%s is not an integer", name, s);
    return v;
}

typedef struct {
    pid_t pid;
    char log[300]; /* stdout and stderr of the child */
    int pipe;      /* with a file size limit: the child's output comes through this pipe (else -1) */
} child;

/* Set by a test: the children it spawns see renameat2(2) fail with EINVAL, as on a file system that cannot
 * exchange two names (e.g. NFS), through a seccomp filter installed before exec. */
static int no_renameat2;

#if defined(__x86_64__)
#define CRT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CRT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static int forbid_renameat2(void)
{
#ifdef CRT_AUDIT_ARCH
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CRT_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_renameat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
    return -1;
#endif
}

/* Starts PROG with argv (NULL-terminated, argv[0] excluded) from the source root, output to dir/log.
 * fsize > 0: RLIMIT_FSIZE in bytes, with SIGXFSZ ignored so that writes fail with EFBIG instead. */
static child spawn(const char *dir, const char *const *args, long fsize)
{
    child c;
    snprintf(c.log, sizeof c.log, "%s/log", dir);
    /* Under a file size limit the child's messages (a sanitizer's report included) would be cut like its files:
     * they come through a pipe and wait_child writes them to the log. */
    int pfd[2] = {-1, -1};
    if (fsize > 0) assert_int_equal(pipe(pfd), 0);
    c.pipe = pfd[0];
    const char *argv[32];
    size_t n = 0;
    argv[n++] = crt_prog();
    for (; *args && n < 31; args++) argv[n++] = *args; /* a NULL ends the list early (optional arguments) */
    argv[n] = NULL;
    fflush(NULL);
    c.pid = fork();
    assert_true(c.pid >= 0);
    if (c.pid == 0) {
        if (fsize > 0) {
            close(pfd[0]);
            if (dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0) _exit(125);
            close(pfd[1]);
        } else {
            FILE *f = freopen(c.log, "w", stdout);
            if (!f || dup2(fileno(stdout), 2) < 0) _exit(125);
        }
        /* The test runner may ignore or block these; the program must see them as a shell would deliver them. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (no_renameat2 && forbid_renameat2() != 0) _exit(124);
        if (fsize > 0) {
            struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pfd[1] >= 0) close(pfd[1]);
    return c;
}

static int wait_child(const child *c)
{
    if (c->pipe >= 0) { /* the output (a few KiB at most) went to the pipe: into the log, until the child ends */
        FILE *f = fopen(c->log, "w");
        assert_non_null(f);
        char buf[4096];
        ssize_t k;
        while ((k = read(c->pipe, buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR))
            if (k > 0) fwrite(buf, 1, (size_t)k, f);
        fclose(f);
        close(c->pipe);
    }
    int st;
    pid_t r;
    while ((r = waitpid(c->pid, &st, 0)) < 0 && errno == EINTR) {
    }
    assert_int_equal(r, c->pid);
    return st;
}

static void describe_status(int st, char *buf, size_t cap)
{
    if (WIFSIGNALED(st)) snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (WIFEXITED(st)) snprintf(buf, cap, "exit status %d", WEXITSTATUS(st));
    else snprintf(buf, cap, "wait status 0x%x", st);
}

/* Sorted names in dir (without . and ..); *n gets the count; NULL and *n = 0 if dir does not exist. */
static char **list_names(const char *dir, int *n)
{
    struct dirent **ents;
    *n = scandir(dir, &ents, NULL, alphasort);
    if (*n < 0) {
        *n = 0;
        return NULL;
    }
    char **names = calloc((size_t)*n + 1, sizeof *names);
    assert_non_null(names);
    int k = 0;
    for (int i = 0; i < *n; i++) {
        if (strcmp(ents[i]->d_name, ".") != 0 && strcmp(ents[i]->d_name, "..") != 0)
            names[k++] = strdup(ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    *n = k;
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A complete CSV (RFC 4180 quoting, as src/harness/csvout.c writes it): non-empty, ends with a newline, no open
 * quote, every record has the header's field count. Returns the data rows, or -1 with why[] set. */
static long csv_check(const char *text, size_t len, char *why, size_t cap)
{
    if (len == 0) return snprintf(why, cap, "empty file"), -1;
    if (text[len - 1] != '\n') return snprintf(why, cap, "does not end with a newline (truncated?)"), -1;
    size_t fields = 1, header = 0;
    long records = 0;
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < len && text[i + 1] == '"') i++;
                else quoted = 0;
            }
            continue;
        }
        if (ch == '"') quoted = 1;
        else if (ch == ',') fields++;
        else if (ch == '\n') {
            if (records == 0) header = fields;
            else if (fields != header)
                return snprintf(why, cap, "record %ld has %zu fields, header has %zu", records + 1, fields, header), -1;
            records++;
            fields = 1;
        }
    }
    if (quoted) return snprintf(why, cap, "unterminated quoted field"), -1;
    return records - 1;
}

/* 0 when text loads as a stream of YAML documents; else -1 with why[] set. */
static int yaml_check(const char *text, size_t len, char *why, size_t cap)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return snprintf(why, cap, "yaml_parser_initialize failed"), -1;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int docs = 0, rc = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&p, &doc)) {
            if (p.error == YAML_READER_ERROR) /* reader errors carry a byte offset, not a mark */
                snprintf(why, cap, "byte %zu: %s", p.problem_offset, p.problem ? p.problem : "error");
            else
                snprintf(why, cap, "line %lu column %lu: %s", (unsigned long)p.problem_mark.line + 1,
                         (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "error");
            rc = -1;
            break;
        }
        int empty = yaml_document_get_root_node(&doc) == NULL;
        yaml_document_delete(&doc);
        if (empty) break;
        docs++;
    }
    yaml_parser_delete(&p);
    if (rc == 0 && docs != 1) snprintf(why, cap, "%d YAML documents, expected 1", docs), rc = -1;
    return rc;
}

/* The first problem with the files in out, or "" (see check_run_folder); frees what it allocates. */
static int run_folder_problem(const char *out, const char *ref, char *problem, size_t cap)
{
    int n;
    char **names = list_names(out, &n);
    problem[0] = 0;
    for (int i = 0; i < n && !problem[0]; i++) {
        const char *nm = names[i];
        char path[600], why[512];
        snprintf(path, sizeof path, "%s/%s", out, nm);
        if (nm[0] == '.' || strstr(nm, ".tmp.")) {
            snprintf(problem, cap, "temporary file left behind: %s", path);
            break;
        }
        size_t len = 0;
        char *text = crt_slurp(path, &len);
        if (!text) {
            snprintf(problem, cap, "cannot read %s", path);
            break;
        }
        if (ends_with(nm, ".csv")) {
            if (csv_check(text, len, why, sizeof why) < 0) snprintf(problem, cap, "%s is incomplete: %s", path, why);
        } else if (ends_with(nm, ".yaml")) {
            if (yaml_check(text, len, why, sizeof why) < 0) snprintf(problem, cap, "%s does not load: %s", path, why);
        } else {
            snprintf(problem, cap, "unexpected file %s", path);
        }
        if (ref && !problem[0]) {
            char rpath[600];
            snprintf(rpath, sizeof rpath, "%s/%s", ref, nm);
            size_t rlen = 0;
            char *rtext = crt_slurp(rpath, &rlen);
            if (!rtext)
                snprintf(problem, cap, "%s is not a file of the completed run", path);
            else if ((ends_with(nm, ".csv") || strcmp(nm, "config.yaml") == 0) &&
                     (len != rlen || memcmp(text, rtext, len) != 0))
                snprintf(problem, cap, "%s differs from the completed run's %s (%zu vs %zu bytes)", path, rpath, len,
                         rlen);
            free(rtext);
        }
        free(text);
    }
    free_names(names, n);
    return n;
}

/* Checks every file in out: no temporaries, CSVs and YAML complete; with ref (a completed run's folder),
 * every file is one the completed run has, and CSVs and config.yaml equal it byte for byte.
 * Returns the number of files; fails the test with what (the trial) on any problem. */
static int check_run_folder(const char *out, const char *ref, const char *what)
{
    char problem[2048];
    int n = run_folder_problem(out, ref, problem, sizeof problem);
    if (problem[0]) fail_msg("%s: %s", what, problem);
    return n;
}

static int has_file(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return crt_exists(path);
}

/* ------------------------------------------------------------------- tests */

/* One uninterrupted run of `run CONFIG EXTRA... --out DIR --quiet` as the reference (nfiles files), then
 * `trials` kills at seeded random moments: even trials uniform over the whole run, odd ones in its last 15 %
 * where the last tables and the final files are written. Returns how many runs were interrupted. */
static long kill_trials(const char *config, const char *extra1, const char *extra2, int nfiles, long trials,
                        uint64_t seed, long *partial)
{
    char dir[256], ref[300], out[300], desc[128];
    crt_tmpdir(dir);
    snprintf(ref, sizeof ref, "%s/ref", dir);
    const char *args_ref[] = {"run", config, "--out", ref, "--quiet", extra1, extra2, NULL};
    double t0 = now();
    child c = spawn(dir, args_ref, 0);
    int st = wait_child(&c);
    double full = now() - t0;
    describe_status(st, desc, sizeof desc);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("reference run of %s: %s", config, desc);
    /* The completed run is itself complete. */
    assert_int_equal(check_run_folder(ref, NULL, "reference run"), nfiles);
    assert_true(has_file(ref, "summary.csv") && has_file(ref, "claims.csv") && has_file(ref, "manifest.yaml"));

    rng_state = seed;
    printf("# %s: reference run %.2f s; %ld kills, CR_SIGNAL_SEED=%llu\n", config, full, trials,
           (unsigned long long)seed);
    long interrupted = 0;
    *partial = 0;
    for (long t = 0; t < trials; t++) {
        int sig = uniform() < 0.5 ? SIGINT : SIGTERM;
        double u = uniform();
        double delay = (t % 2 == 0) ? u * full : (0.85 + 0.15 * u) * full;
        snprintf(out, sizeof out, "%s/trial%ld", dir, t);
        const char *args[] = {"run", config, "--out", out, "--quiet", extra1, extra2, NULL};
        char what[300];
        snprintf(what, sizeof what, "%s trial %ld (%s after %.3f s, seed %llu)", config, t,
                 sig == SIGINT ? "SIGINT" : "SIGTERM", delay, (unsigned long long)seed);
        /* Poll while waiting, so a run that ends before its kill is seen: the machine may be faster now than
         * during the reference run. Then the trial is redrawn against the shorter duration (at most 3 times). */
        int exited_early = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            double start = now();
            c = spawn(dir, args, 0);
            exited_early = 0;
            while (now() - start < delay) {
                struct timespec ts = {0, 2000000};
                nanosleep(&ts, NULL);
                if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
                    exited_early = 1;
                    break;
                }
            }
            if (!exited_early) break;
            double took = now() - start;
            describe_status(st, desc, sizeof desc);
            printf("# %s: the run ended (%s) after %.3f s, before the kill; redrawn\n", what, desc, took);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("%s: run ended on its own: %s", what, desc);
            if (attempt == 3) break; /* keep this run's folder: it is checked as a completed run */
            crt_rmtree(out);
            full = took < full ? took : full;
            delay = (t % 2 == 0) ? u * full : (0.85 + 0.15 * u) * full;
            snprintf(what, sizeof what, "%s trial %ld (%s after %.3f s, seed %llu)", config, t,
                     sig == SIGINT ? "SIGINT" : "SIGTERM", delay, (unsigned long long)seed);
        }
        if (!exited_early) { /* else: four runs in a row beat the schedule; st is the last one's exit 0 */
            assert_int_equal(kill(c.pid, sig), 0);
            st = wait_child(&c);
        }
        describe_status(st, desc, sizeof desc);
        int by_signal = WIFSIGNALED(st) && WTERMSIG(st) == sig;
        int by_code = WIFEXITED(st) && WEXITSTATUS(st) == 128 + sig;
        int completed = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!by_signal && !by_code && !completed) {
            char *log = crt_slurp(c.log, NULL);
            fail_msg("%s: %s, expected death by the signal or exit %d\n--- output\n%s", what, desc, 128 + sig,
                     log ? log : "");
        }
        int files = check_run_folder(out, ref, what);
        if (completed) {
            /* The kill came after the exit: then the run is whole. */
            if (files != nfiles) fail_msg("%s: exited 0 but the run folder has %d files, expected %d", what, files, nfiles);
        } else {
            interrupted++;
            *partial += files > 0;
        }
        printf("# %s: %s, %d complete files left\n", what, desc, files);
    }
    crt_rmtree(dir);
    return interrupted;
}

/* The slowest config: kills land while counts.csv is open (its temporary must go) or after the run. */
static void test_kill_arrangement_count(void **state)
{
    (void)state;
    crt_need_program();
    uint64_t seed = (uint64_t)env_long("CR_SIGNAL_SEED", 20240917);
    long trials = env_long("CR_SIGNAL_TRIALS", 6), partial;
    if (trials < 1) fail_msg("CR_SIGNAL_TRIALS=%ld: at least one kill is needed", trials);
    long interrupted = kill_trials(CONFIG, NULL, NULL, 6, trials, seed, &partial);
    /* The schedule must actually interrupt runs, or the test proves nothing. */
    if (interrupted * 2 < trials) fail_msg("only %ld of %ld kills interrupted a run", interrupted, trials);
}

/* Landscape on a 601 x 601 grid writes two 20 MB tables one after the other, so kills also land between
 * commits: the tables already renamed must be whole and equal to the reference. */
static void test_kill_landscape_between_tables(void **state)
{
    (void)state;
    crt_need_program();
    uint64_t seed = (uint64_t)env_long("CR_SIGNAL_SEED", 20240917) + 1;
    long trials = 2 * env_long("CR_SIGNAL_TRIALS", 6), partial;
    if (trials < 1) fail_msg("CR_SIGNAL_TRIALS=%ld: at least one kill is needed", trials / 2);
    long interrupted = kill_trials("configs/landscape.yaml", "--set", "landscape.grid=601", 8, trials, seed, &partial);
    if (interrupted * 2 < trials) fail_msg("only %ld of %ld kills interrupted a run", interrupted, trials);
    printf("# landscape: %ld of %ld interrupted runs left complete files behind\n", partial, interrupted);
}

/* A kill right after the start (before or during config loading): dies by the signal, writes nothing partial. */
static void test_kill_immediately(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], out[300];
    crt_tmpdir(dir);
    const int sigs[] = {SIGINT, SIGTERM};
    for (int k = 0; k < 2; k++) {
        snprintf(out, sizeof out, "%s/out%d", dir, k);
        const char *args[] = {"run", CONFIG, "--out", out, "--quiet", NULL};
        child c = spawn(dir, args, 0);
        assert_int_equal(kill(c.pid, sigs[k]), 0);
        int st = wait_child(&c);
        char desc[128];
        describe_status(st, desc, sizeof desc);
        if (!(WIFSIGNALED(st) && WTERMSIG(st) == sigs[k]) && !(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sigs[k]))
            fail_msg("immediate %s: %s", strsignal(sigs[k]), desc);
        check_run_folder(out, NULL, "immediate kill");
    }
    crt_rmtree(dir);
}

/* A runtime failure that a config cannot force yet (no trainer-based experiment is registered, so there is
 * no huge train.lr to diverge): an I/O failure. With files capped at 64 KiB the landscape grids (about
 * 1.2 MB each) cannot be written: exit 1 naming the file, no temporary, no truncated table under its final
 * name, and the small files record the failure. */
static void test_io_failure_exit_1(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], out[300];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *args[] = {"run", "configs/landscape.yaml", "--out", out, "--quiet", NULL};
    child c = spawn(dir, args, 64 * 1024);
    int st = wait_child(&c);
    char desc[128];
    describe_status(st, desc, sizeof desc);
    char *log = crt_slurp(c.log, NULL);
    assert_non_null(log);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 1) fail_msg("file size limit: %s, expected exit 1\n%s", desc, log);
    if (!strstr(log, "nonconvex.csv")) fail_msg("file size limit: the message does not name the table:\n%s", log);
    check_run_folder(out, NULL, "I/O failure");
    if (has_file(out, "nonconvex.csv") || has_file(out, "convex.csv"))
        fail_msg("I/O failure: a grid exists although it could not be written");
    char path[400];
    snprintf(path, sizeof path, "%s/manifest.yaml", out);
    char *man = crt_slurp(path, NULL);
    if (!man || !strstr(man, "\nstatus: failed\n")) fail_msg("I/O failure: manifest.yaml does not say status: failed");
    snprintf(path, sizeof path, "%s/summary.csv", out);
    char *sum = crt_slurp(path, NULL);
    if (!sum || !strstr(sum, "\nstatus,failed\n")) fail_msg("I/O failure: summary.csv does not say status,failed");
    free(man);
    free(sum);
    free(log);
    crt_rmtree(dir);
}

/* The YAML files a run writes must load even when argv holds bytes YAML has to escape. Case 1: a control
 * character in a path override (data.path is echoed into config.yaml and the command into manifest.yaml):
 * either refused as an input error (exit 2, nothing written) or accepted with every YAML file loading and
 * config.yaml reloading to the same path. Case 2: the same bytes in the --out folder name, which is a legal
 * folder: the run succeeds and manifest.yaml (which records the command) must load. */
static void test_yaml_outputs_load_with_odd_argv(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], out[300], odd[400], log_text_what[64] = "data.path with a control character";
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *path_value = "odd\x01name\ttab.csv";
    char set[128];
    snprintf(set, sizeof set, "data.path=%s", path_value);
    const char *args[] = {"run", "configs/landscape.yaml", "--set", "landscape.grid=11", "--set", set,
                          "--out", out, "--quiet", NULL};
    child c = spawn(dir, args, 0);
    int st = wait_child(&c);
    char desc[128];
    describe_status(st, desc, sizeof desc);
    char *log = crt_slurp(c.log, NULL), msg[1024];
    assert_non_null(log);
    snprintf(msg, sizeof msg, "%s", log);
    free(log);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
        if (!strstr(msg, "data.path")) fail_msg("%s: refused, but the message does not name data.path:\n%s",
                                                log_text_what, msg);
        if (crt_exists(out)) fail_msg("%s: refused, but %s was created", log_text_what, out);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        assert_int_equal(check_run_folder(out, NULL, log_text_what), 8);
        char cfgpath[400], want[CR_PATH_MAX];
        snprintf(cfgpath, sizeof cfgpath, "%s/config.yaml", out);
        snprintf(want, sizeof want, "%s/%s", CR_SOURCE_DIR, path_value);
        static cr_config cfg;
        cr_err err = {{0}};
        if (cr_config_load(cfgpath, NULL, 0, &cfg, &err)) fail_msg("%s: config.yaml: %s", log_text_what, err.msg);
        assert_string_equal(cfg.data.path, want);
    } else {
        fail_msg("%s: %s, expected exit 0 or 2\n%s", log_text_what, desc, msg);
    }

    /* Case 2: the output folder's name holds a control character and a tab. */
    snprintf(odd, sizeof odd, "%s/odd\x01out\tdir", dir);
    const char *args2[] = {"run", "configs/landscape.yaml", "--set", "landscape.grid=11", "--out", odd, "--quiet",
                           NULL};
    c = spawn(dir, args2, 0);
    st = wait_child(&c);
    describe_status(st, desc, sizeof desc);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("--out with a control character: %s", desc);
    assert_int_equal(check_run_folder(odd, NULL, "--out with a control character"), 8);
    crt_rmtree(dir);
}

/* ------------------------------------------------- whole run folders (reruns) */

/* Whether folder out holds exactly the files of the completed run ref, its CSVs and config.yaml byte for byte. */
static int same_run(const char *out, const char *ref)
{
    int n1, n2, same = 1;
    char **a = list_names(out, &n1), **b = list_names(ref, &n2);
    if (n1 != n2) same = 0;
    for (int i = 0; same && i < n1; i++) {
        if (strcmp(a[i], b[i]) != 0) {
            same = 0;
            break;
        }
        if (!ends_with(a[i], ".csv") && strcmp(a[i], "config.yaml") != 0) continue;
        char pa[600], pb[600];
        snprintf(pa, sizeof pa, "%s/%s", out, a[i]);
        snprintf(pb, sizeof pb, "%s/%s", ref, b[i]);
        size_t la = 0, lb = 0;
        char *ta = crt_slurp(pa, &la), *tb = crt_slurp(pb, &lb);
        same = ta && tb && la == lb && memcmp(ta, tb, la) == 0;
        free(ta);
        free(tb);
    }
    free_names(a, n1);
    free_names(b, n2);
    return same;
}

/* The inode of every file in dir, summed with their names' order: changes when any file is replaced. */
static unsigned long long folder_inodes(const char *dir)
{
    int n;
    char **names = list_names(dir, &n);
    unsigned long long h = 0;
    for (int i = 0; i < n; i++) {
        char path[600];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) == 0) h = h * 1000003ull + (unsigned long long)st.st_ino;
    }
    free_names(names, n);
    return h;
}

/* Names in dir that are temporaries of `base` (".BASE.tmp.*"), counted. */
static int temporaries_of(const char *dir, const char *base)
{
    int n, k = 0;
    char **names = list_names(dir, &n);
    char prefix[300];
    snprintf(prefix, sizeof prefix, ".%s.tmp.", base);
    for (int i = 0; i < n; i++) k += strncmp(names[i], prefix, strlen(prefix)) == 0;
    free_names(names, n);
    return k;
}

#define RERUN_GRID "landscape.grid=401"

/* A rerun into the folder of a completed run, killed with SIGKILL (no handler runs): the folder must then be
 * the complete old run or the complete new one, never a mix. Trial 0 kills as soon as any file of the folder
 * changes (with files committed one by one: right after the first table is renamed in); the others at seeded
 * moments. The staging folder a SIGKILL leaves is collected by the next run into the same folder. */
static void sigkill_rerun_trials(int without_exchange)
{
    crt_need_program();
    no_renameat2 = without_exchange;
    char dir[256], old_ref[300], new_ref[300], out[300], desc[128];
    crt_tmpdir(dir);
    snprintf(old_ref, sizeof old_ref, "%s/old", dir);
    snprintf(new_ref, sizeof new_ref, "%s/new", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *old_args[] = {"run", "configs/landscape.yaml", "--out", old_ref, "--quiet", "--set", RERUN_GRID, NULL};
    const char *new_args[] = {"run", "configs/landscape.yaml", "--out", new_ref, "--quiet", "--set", RERUN_GRID,
                              "--set", "landscape.beta=0.5", NULL};
    child c = spawn(dir, old_args, 0);
    int st = wait_child(&c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    double t0 = now();
    c = spawn(dir, new_args, 0);
    st = wait_child(&c);
    double full = now() - t0;
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_false(same_run(old_ref, new_ref)); /* the two runs differ, or the test proves nothing */

    rng_state = (uint64_t)env_long("CR_SIGNAL_SEED", 20240917) + 2;
    const int trials = without_exchange ? 3 : 4;
    for (int t = 0; t < trials; t++) {
        old_args[3] = out;
        new_args[3] = out;
        c = spawn(dir, old_args, 0);
        st = wait_child(&c);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        assert_true(same_run(out, old_ref));
        unsigned long long before = folder_inodes(out);
        double delay = t == 0 ? 1e9 : (0.3 + 0.7 * uniform()) * full;
        double start = now();
        c = spawn(dir, new_args, 0);
        int ended = 0;
        while (now() - start < delay && !ended) {
            if (t == 0 && folder_inodes(out) != before) break;
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
            ended = waitpid(c.pid, &st, WNOHANG) == c.pid;
        }
        if (!ended) {
            assert_int_equal(kill(c.pid, SIGKILL), 0);
            st = wait_child(&c);
        }
        describe_status(st, desc, sizeof desc);
        int is_old = same_run(out, old_ref), is_new = same_run(out, new_ref);
        /* Without an exchange the old folder steps aside before the new one moves in: absent in between. */
        int absent = without_exchange && !crt_exists(out);
        printf("# rerun trial %d%s (%s after %.3f s): %s, folder is %s\n", t, without_exchange ? " without exchange" : "",
               t == 0 ? "first change" : "SIGKILL", now() - start, desc,
               is_old ? "the old run" : is_new ? "the new run" : absent ? "absent" : "MIXED");
        if (absent) continue;
        if (!is_old && !is_new) {
            int n;
            char **names = list_names(out, &n);
            char list[2048] = "";
            for (int i = 0; i < n; i++) {
                strncat(list, " ", sizeof list - strlen(list) - 1);
                strncat(list, names[i], sizeof list - strlen(list) - 1);
            }
            free_names(names, n);
            fail_msg("rerun trial %d: %s; the folder mixes the old and the new run (files:%s)", t, desc, list);
        }
        check_run_folder(out, NULL, "rerun after SIGKILL");
    }
    /* The killed runs' staging folders (if any) go with the next run into the same folder. */
    printf("# %d staging folders left by SIGKILL\n", temporaries_of(dir, "out"));
    c = spawn(dir, new_args, 0);
    st = wait_child(&c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(same_run(out, new_ref));
    if (temporaries_of(dir, "out") || temporaries_of(out, "nonconvex.csv") || temporaries_of(out, "convex.csv"))
        fail_msg("temporaries of killed runs were not collected by the next run");
    no_renameat2 = 0;
    crt_rmtree(dir);
}

static void test_sigkill_rerun_old_or_new(void **state)
{
    (void)state;
    sigkill_rerun_trials(0);
}

/* The same where the file system cannot exchange two names (renameat2 fails with EINVAL): the old folder steps
 * aside, the new one moves in; a kill in between leaves no folder, never a mixed one, and what steps aside is
 * collected by the next run. */
static void test_sigkill_rerun_without_exchange(void **state)
{
    (void)state;
    sigkill_rerun_trials(1);
}

/* A rerun that fails and cannot even record its failure (files capped at 64 bytes) must not leave the previous
 * run's all-PASS claims.csv looking current: `cvxrelu claims` then reports a failure. */
static void test_failed_rerun_leaves_no_stale_claims(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], out[300], cmd[2048];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *args[] = {"run", "configs/landscape.yaml", "--out", out, "--quiet", "--set", "landscape.grid=11", NULL};
    child c = spawn(dir, args, 0);
    int st = wait_child(&c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *before = NULL;
    snprintf(cmd, sizeof cmd, "'%s' claims '%s' '%s'", crt_prog(), dir, out);
    assert_int_equal(crt_sh(cmd, &before), 0);
    if (!strstr(before, " claims checked, 0 failed")) fail_msg("the first run should pass:\n%s", before);
    free(before);
    c = spawn(dir, args, 64);
    st = wait_child(&c);
    char desc[128], *log = crt_slurp(c.log, NULL);
    describe_status(st, desc, sizeof desc);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || strstr(log, "Sanitizer"))
        fail_msg("rerun with 64-byte files: %s, expected exit 1\n%s", desc, log);
    free(log);
    char *after = NULL;
    int cst = crt_sh(cmd, &after);
    if (cst == 0 || strstr(after, " claims checked, 0 failed"))
        fail_msg("after a failed rerun, `cvxrelu claims` reports the previous run as current (exit %d):\n%s", cst,
                 after);
    free(after);
    char path[400];
    snprintf(path, sizeof path, "%s/claims.csv", out);
    char *claims = crt_slurp(path, NULL);
    if (claims && strstr(claims, ",PASS")) fail_msg("%s still holds passing claims:\n%s", path, claims);
    free(claims);
    check_run_folder(out, NULL, "failed rerun");
    if (temporaries_of(dir, "out")) fail_msg("the failed rerun left its staging folder");
    crt_rmtree(dir);
}

/* A file size limit that the run's records (config.yaml, manifest.yaml, summary.csv, claims.csv, sanity.csv)
 * fit under and its runs.csv does not: halfway between, measured on a complete run of config into dir/ref. */
static long limit_between_records_and_runs(const char *dir, const char *config, const char *set)
{
    char ref[300], path[400];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    const char *args[] = {"run", config, "--out", ref, "--quiet", "--set", set, NULL};
    child c = spawn(dir, args, 0);
    int st = wait_child(&c);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("%s: the reference run failed", config);
    static const char *const records[] = {"config.yaml", "manifest.yaml", "summary.csv", "claims.csv", "sanity.csv"};
    long largest = 0, runs = 0;
    struct stat sb;
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", ref, records[i]);
        if (stat(path, &sb) == 0 && sb.st_size > largest) largest = (long)sb.st_size;
    }
    snprintf(path, sizeof path, "%s/runs.csv", ref);
    if (stat(path, &sb) == 0) runs = (long)sb.st_size;
    /* The failed run's records are those of the ok one (its summary.csv longer by an error line, still far below
     * config.yaml): halfway between the largest record and runs.csv leaves both a margin. */
    if (!(largest + 256 < runs)) fail_msg("%s: runs.csv (%ld bytes) is not above the records (%ld)", config, runs, largest);
    crt_rmtree(ref);
    return (largest + runs) / 2;
}

/* Disk full while closing the first of two tables (width_sweep: runs.csv then curves.csv; optimal_set: runs.csv
 * then neuron_patterns.csv): exit 1, the second table's temporary removed too, the failure recorded. */
static void test_disk_full_closes_both_tables(void **state)
{
    (void)state;
    crt_need_program();
    static const struct {
        const char *config, *set;
    } cases[] = {
        {"configs/width_sweep.yaml", "train.seeds=5"},
        {"configs/optimal_set.yaml", "train.seeds=40"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char dir[256], out[300], path[400], desc[128];
        crt_tmpdir(dir);
        const long fsize = limit_between_records_and_runs(dir, cases[k].config, cases[k].set);
        snprintf(out, sizeof out, "%s/out", dir);
        const char *args[] = {"run", cases[k].config, "--out", out, "--quiet", "--set", cases[k].set, NULL};
        child c = spawn(dir, args, fsize);
        int st = wait_child(&c);
        describe_status(st, desc, sizeof desc);
        char *log = crt_slurp(c.log, NULL);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(log, "runs.csv") || strstr(log, "Sanitizer"))
            fail_msg("%s with %ld-byte files: %s, expected exit 1 naming runs.csv\n%s", cases[k].config, fsize,
                     desc, log);
        free(log);
        check_run_folder(out, NULL, cases[k].config);
        snprintf(path, sizeof path, "%s/summary.csv", out);
        char *sum = crt_slurp(path, NULL);
        if (!sum || !strstr(sum, "\nstatus,failed\n")) fail_msg("%s: summary.csv does not say status,failed", cases[k].config);
        free(sum);
        crt_rmtree(dir);
    }
}

int main(void)
{
    if (chdir(CR_SOURCE_DIR) != 0) {
        perror(CR_SOURCE_DIR);
        return 1;
    }
    /* A runner started in the background (`cmd &` in a non-interactive shell) ignores SIGINT, and a child inherits
     * that until spawn() resets it: a kill sent in that window would be lost (test_kill_immediately saw exit 0).
     * The children start from the defaults, as from an interactive shell. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_immediately),
        cmocka_unit_test(test_kill_arrangement_count),
        cmocka_unit_test(test_kill_landscape_between_tables),
        cmocka_unit_test(test_io_failure_exit_1),
        cmocka_unit_test(test_yaml_outputs_load_with_odd_argv),
        cmocka_unit_test(test_sigkill_rerun_old_or_new),
        cmocka_unit_test(test_sigkill_rerun_without_exchange),
        cmocka_unit_test(test_failed_rerun_leaves_no_stale_claims),
        cmocka_unit_test(test_disk_full_closes_both_tables),
    };
    return cmocka_run_group_tests_name("signals", tests, NULL, NULL) ? 1 : 0;
}
