/* Determinism of the whole program (STYLE.md 7: same config and seed, byte-identical CSV): every config,
 * configs/<name>.yaml and configs/ablations/<name>.yaml (the base point of each sweep), is run six times: twice
 * as is, with --set threads=1 and --set threads=2, and with OPENBLAS_NUM_THREADS=1 and =2 in the environment.
 * Every *.csv of every run must equal the first run's byte for byte (so threads=1 and threads=2 give the same
 * bytes: the numerics do not depend on the BLAS thread count, src/linalg.h); a difference names the file, the
 * two variants and the first differing line. Every config found must be compared: none is skipped, and the
 * test fails if fewer were. Run it under several OpenBLAS kernels (OPENBLAS_CORETYPE, as .ci/run does): the
 * guarantee holds on each one (across kernels only the verdicts are the same, see README). */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
    const char *name;       /* for messages */
    const char *set;        /* a --set assignment or NULL */
    const char *openblas;   /* OPENBLAS_NUM_THREADS or NULL (unset) */
} variant;

static const variant variants[] = {
    {"as is", NULL, NULL},
    {"as is, again", NULL, NULL},
    {"--set threads=1", "threads=1", NULL},
    {"--set threads=2", "threads=2", NULL},
    {"OPENBLAS_NUM_THREADS=1", NULL, "1"},
    {"OPENBLAS_NUM_THREADS=2", NULL, "2"},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs `PROG run config [--set v->set] --out out --quiet` from the source root with v's environment;
 * returns the wait status and the child's CPU seconds; the output goes to log. */
static int run_variant(const char *config, const variant *v, const char *out, const char *log, double *cpu)
{
    const char *argv[12];
    size_t n = 0;
    argv[n++] = crt_prog();
    argv[n++] = "run";
    argv[n++] = config;
    if (v->set) {
        argv[n++] = "--set";
        argv[n++] = v->set;
    }
    argv[n++] = "--out";
    argv[n++] = out;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (!f || dup2(fileno(stdout), 2) < 0) _exit(125);
        if (v->openblas) setenv("OPENBLAS_NUM_THREADS", v->openblas, 1);
        else unsetenv("OPENBLAS_NUM_THREADS");
        /* Other thread knobs OpenBLAS reads would hide the variation. */
        unsetenv("GOTO_NUM_THREADS");
        unsetenv("OMP_NUM_THREADS");
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    pid_t r;
    struct rusage ru;
    while ((r = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR) {
    }
    assert_int_equal(r, pid);
    *cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
    return st;
}

/* The *.csv names in dir, sorted, joined with '|'. */
static void csv_names(const char *dir, char *buf, size_t cap)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    buf[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        size_t len = strlen(nm);
        if (len > 4 && strcmp(nm + len - 4, ".csv") == 0) {
            if (buf[0]) strncat(buf, "|", cap - strlen(buf) - 1);
            strncat(buf, nm, cap - strlen(buf) - 1);
        }
        free(ents[i]);
    }
    if (n >= 0) free(ents);
}

/* Line number (from 1) of the first difference between a and b, and copies of both lines. */
static size_t first_difference(const char *a, size_t la, const char *b, size_t lb, char *line_a, char *line_b,
                               size_t cap)
{
    size_t i = 0, line = 1, start = 0;
    while (i < la && i < lb && a[i] == b[i]) {
        if (a[i] == '\n') line++, start = i + 1;
        i++;
    }
    size_t ea = start, eb = start;
    while (ea < la && a[ea] != '\n') ea++;
    while (eb < lb && b[eb] != '\n') eb++;
    snprintf(line_a, cap, "%.*s", (int)(ea - start), a + start);
    snprintf(line_b, cap, "%.*s", (int)(eb - start), b + start);
    if (start >= la) snprintf(line_a, cap, "<end of file>");
    if (start >= lb) snprintf(line_b, cap, "<end of file>");
    return line;
}

/* Compares every CSV of dir_b with dir_a. Returns the number of CSVs; fails naming the first difference. */
static size_t compare_csvs(const char *config, const char *dir_a, const char *name_a, const char *dir_b,
                           const char *name_b)
{
    char na[4096], nb[4096];
    csv_names(dir_a, na, sizeof na);
    csv_names(dir_b, nb, sizeof nb);
    if (strcmp(na, nb) != 0)
        fail_msg("%s: the CSV files differ: %s has {%s}, %s has {%s}", config, name_a, na, name_b, nb);
    size_t count = 0;
    for (char *save = NULL, *nm = strtok_r(na, "|", &save); nm; nm = strtok_r(NULL, "|", &save)) {
        char pa[600], pb[600];
        snprintf(pa, sizeof pa, "%.300s/%.255s", dir_a, nm);
        snprintf(pb, sizeof pb, "%.300s/%.255s", dir_b, nm);
        size_t la = 0, lb = 0;
        char *a = crt_slurp(pa, &la), *b = crt_slurp(pb, &lb);
        if (!a || !b) fail_msg("%s: cannot read %s or %s", config, pa, pb);
        if (la != lb || memcmp(a, b, la) != 0) {
            char line_a[512], line_b[512];
            size_t line = first_difference(a, la, b, lb, line_a, line_b, sizeof line_a);
            fail_msg("%s: %s differs between \"%s\" and \"%s\" (%zu vs %zu bytes); first difference on line %zu:\n"
                     "  %s: %s\n  %s: %s",
                     config, nm, name_a, name_b, la, lb, line, name_a, line_a, name_b, line_b);
        }
        free(a);
        free(b);
        count++;
    }
    return count;
}

static void test_configs_deterministic(void **state)
{
    (void)state;
    if (access(crt_prog(), X_OK) != 0) fail_msg("%s is not built (make build/cvxrelu)", crt_prog());
    glob_t g;
    if (glob("configs/*.yaml", 0, NULL, &g) != 0) fail_msg("no configs/*.yaml");
    size_t top = g.gl_pathc;
    if (glob("configs/ablations/*.yaml", GLOB_APPEND, NULL, &g) != 0 || g.gl_pathc == top)
        fail_msg("no configs/ablations/*.yaml");
    size_t compared = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *config = g.gl_pathv[i];
        char dir[256], out[NVARIANTS][300], log[300];
        crt_tmpdir(dir);
        snprintf(log, sizeof log, "%s/log", dir);
        size_t ncsv = 0;
        for (size_t k = 0; k < NVARIANTS; k++) {
            snprintf(out[k], sizeof out[k], "%s/v%zu", dir, k);
            double t0 = now(), cpu = 0;
            int st = run_variant(config, &variants[k], out[k], log, &cpu);
            double took = now() - t0;
            /* Exit 3: the run completed and a claim failed (an honest outcome, e.g. stationary_hinge); its
             * folder is whole and must be just as deterministic. */
            if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3)) {
                char *text = crt_slurp(log, NULL);
                fail_msg("%s (%s): wait status 0x%x\n%s", config, variants[k].name, st, text ? text : "");
            }
            if (k > 0) ncsv = compare_csvs(config, out[0], variants[0].name, out[k], variants[k].name);
            if (k == 0) printf("# %s: %.2f s per run (%.2f CPU s)\n", config, took, cpu);
        }
        crt_rmtree(dir);
        /* summary.csv, claims.csv and at least one table of the experiment. */
        if (ncsv < 3) fail_msg("%s: only %zu CSV files compared", config, ncsv);
        printf("# %s: %zu CSV files byte-identical across %zu runs\n", config, ncsv, NVARIANTS);
        compared++;
    }
    /* Every config found was compared (the loop fails on the first that is not). */
    if (compared != g.gl_pathc) fail_msg("%zu of %zu configs compared", compared, g.gl_pathc);
    printf("# all %zu configs compared\n", compared);
    globfree(&g);
}

int main(void)
{
    if (chdir(CR_SOURCE_DIR) != 0) {
        perror(CR_SOURCE_DIR);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configs_deterministic),
    };
    return cmocka_run_group_tests_name("determinism", tests, NULL, NULL) ? 1 : 0;
}
