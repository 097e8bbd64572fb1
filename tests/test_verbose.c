/* Tests of the program's display of convex solves (run and fit; --verbose, --quiet, progress.h): with --verbose
 * every certificate is one stderr line "convex METHOD it I newton N cg C primal P dual D gap G rel_gap R active A
 * sigma S T s" whose numbers obey the certificate's definitions (gap = primal - dual, rel_gap = gap / max(1,
 * |primal|), active <= 2p, iterations nondecreasing) and whose last line is the run's p_convex and gap
 * (summary.csv); the tables (every CSV) and config.yaml are byte for byte those of a run without --verbose;
 * --verbose with --quiet is refused (exit 2, one line, nothing written); and without a terminal a long solve
 * writes no progress bar, while on a pseudo-terminal (script(1)) the same solve draws it. */
#include "testutil.h"

#include <math.h>
#include <time.h>

/* Runs `cd DIR && PROG ARGS >DIR/NAME.out 2>DIR/NAME.err`; returns the exit status, *err the stderr text. */
static int run_logged(const char *dir, const char *name, const char *args, char **err)
{
    char cmd[4096], pe[600];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s.out' 2>'%s.err'", dir, crt_prog(), args, name, name);
    int st = crt_sh(cmd, NULL);
    snprintf(pe, sizeof pe, "%s/%s.err", dir, name);
    *err = crt_slurp(pe, NULL);
    assert_non_null(*err);
    return st;
}

/* The value of key in a summary.csv (key,value rows); NAN when absent. */
static double summary_value(const char *path, const char *key)
{
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    double v = NAN;
    size_t kl = strlen(key);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ',') {
            v = strtod(line + kl + 1, NULL);
            break;
        }
    free(text);
    return v;
}

typedef struct {
    char method[32];
    long it, newton, cg;
    double primal, dual, gap, rel, sigma, secs;
    unsigned long active;
} logline;

/* The log lines of err (the lines starting "convex "), each checked against the fixed format; returns their number,
 * the last in *last. */
static size_t check_log(const char *err, size_t two_p, logline *last)
{
    size_t count = 0;
    long prev_it = -1;
    for (const char *line = err; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "convex ", 7) != 0) continue;
        logline l;
        int used = 0;
        int k = sscanf(line,
                       "convex %31s it %ld newton %ld cg %ld primal %lf dual %lf gap %lf rel_gap %lf active %lu sigma "
                       "%lf %lf s%n",
                       l.method, &l.it, &l.newton, &l.cg, &l.primal, &l.dual, &l.gap, &l.rel, &l.active, &l.sigma,
                       &l.secs, &used);
        const char *eol = strchr(line, '\n');
        if (k != 11 || !eol || line + used != eol) fail_msg("log line not in the fixed format: %.*s", (int)(eol ? eol - line : 80), line);
        if (strcmp(l.method, "fista") && strcmp(l.method, "ssnal") && strcmp(l.method, "ipm") &&
            strcmp(l.method, "ssnal_cg"))
            fail_msg("unknown method %s", l.method);
        /* primal and dual printed with 13 significant digits, gap and rel_gap with 4 */
        double scale = fmax(1.0, fabs(l.primal));
        double diff = fmax(0.0, l.primal - l.dual);
        if (!(fabs(l.gap - diff) <= 1e-3 * l.gap + 2e-12 * scale))
            fail_msg("gap %g is not primal - dual = %g", l.gap, diff);
        if (!(fabs(l.rel - l.gap / scale) <= 1e-3 * l.rel)) fail_msg("rel_gap %g is not gap / max(1, |primal|)", l.rel);
        if (l.active > two_p) fail_msg("active %lu > 2p = %zu", l.active, two_p);
        if (l.it < prev_it) fail_msg("iteration %ld after %ld", l.it, prev_it);
        if (!(l.secs >= 0) || l.cg < 0 || l.newton < 0 || !(l.sigma >= 0)) fail_msg("bad counters in a log line");
        prev_it = l.it;
        *last = l;
        count++;
    }
    return count;
}

/* The CSV files and config.yaml of two run folders: the same names, the same bytes. */
static void same_tables(const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ls *.csv config.yaml >'%s.list' && cd '%s' && ls *.csv config.yaml | cmp - '%s.list' && "
             "for f in $(cat '%s.list'); do cmp \"$f\" '%s'/\"$f\" || exit 1; done",
             a, a, b, a, a, a);
    char *out = NULL;
    if (crt_sh(cmd, &out) != 0) fail_msg("%s and %s differ: %s", a, b, out);
    free(out);
}

static void test_run_verbose(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024];
    crt_tmpdir(dir);
    char *err = NULL;
    /* exact patterns of 12 samples in 2 dimensions: p from summary.csv */
    const char *cfgs[] = {"", "--set solver.method=ipm --set data.n=40", "--set solver.method=fista"};
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++) {
        snprintf(args, sizeof args, "run '%s/configs/convex.yaml' %s --out v%zu --verbose", CR_SOURCE_DIR, cfgs[c], c);
        if (run_logged(dir, "v", args, &err) != 0) fail_msg("%s: %s", args, err);
        char path[600];
        snprintf(path, sizeof path, "%s/v%zu/summary.csv", dir, c);
        double p = summary_value(path, "p"), pconv = summary_value(path, "p_convex"), gap = summary_value(path, "gap");
        assert_true(p >= 1);
        logline last;
        size_t lines = check_log(err, (size_t)(2 * p), &last);
        if (lines < 2) fail_msg("%s: %zu log lines\n%s", args, lines, err);
        if (c == 1) assert_string_equal(last.method, "ipm");
        if (c == 2) assert_string_equal(last.method, "fista");
        /* the last line is the returned point */
        if (!(fabs(last.primal - pconv) <= 1e-11 * fmax(1, fabs(pconv))))
            fail_msg("last primal %.17g, p_convex %.17g", last.primal, pconv);
        if (!(fabs(last.gap - gap) <= 1e-3 * gap + 1e-300)) fail_msg("last gap %.17g, summary gap %.17g", last.gap, gap);
        free(err);
        /* the same run without --verbose: no log line, the same tables */
        snprintf(args, sizeof args, "run '%s/configs/convex.yaml' %s --out n%zu", CR_SOURCE_DIR, cfgs[c], c);
        if (run_logged(dir, "n", args, &err) != 0) fail_msg("%s: %s", args, err);
        if (strstr(err, "convex ") == err || strstr(err, "\nconvex ")) fail_msg("%s: log without --verbose:\n%s", args, err);
        free(err);
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/v%zu", dir, c);
        snprintf(b, sizeof b, "%s/n%zu", dir, c);
        same_tables(a, b);
    }
    crt_rmtree(dir);
}

static void test_fit_verbose(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], cfg[512], args[1024];
    crt_tmpdir(dir);
    snprintf(cfg, sizeof cfg, "%s/fit.yaml", dir);
    crt_write_text(cfg, "loss: logistic\nbeta: 0.1\ndata:\n  n: 25\n  d: 2\n  labels: sign\nfit:\n  model: convex\n");
    char *err = NULL;
    snprintf(args, sizeof args, "fit fit.yaml --out v --verbose");
    if (run_logged(dir, "v", args, &err) != 0) fail_msg("%s: %s", args, err);
    logline last;
    char path[600];
    snprintf(path, sizeof path, "%s/v/summary.csv", dir);
    double p = summary_value(path, "convex_patterns");
    assert_true(p >= 1);
    size_t lines = check_log(err, (size_t)(2 * p), &last);
    if (lines < 2) fail_msg("%s: %zu log lines\n%s", args, lines, err);
    /* the last line is the model's certificate */
    double pc = summary_value(path, "convex_p_convex"), dv = summary_value(path, "convex_dual_value");
    if (!(fabs(last.primal - pc) <= 1e-11 * fmax(1, fabs(pc))) || !(fabs(last.dual - dv) <= 1e-11 * fmax(1, fabs(dv))))
        fail_msg("last line primal %.17g dual %.17g, summary %.17g %.17g", last.primal, last.dual, pc, dv);
    free(err);
    snprintf(args, sizeof args, "fit fit.yaml --out n");
    if (run_logged(dir, "n", args, &err) != 0) fail_msg("%s: %s", args, err);
    if (strstr(err, "convex ") == err || strstr(err, "\nconvex ")) fail_msg("%s: log without --verbose:\n%s", args, err);
    free(err);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/v", dir);
    snprintf(b, sizeof b, "%s/n", dir);
    same_tables(a, b);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "cmp '%s/model_convex.yaml' '%s/model_convex.yaml'", a, b);
    assert_int_equal(crt_sh(cmd, NULL), 0);
    crt_rmtree(dir);
}

/* --verbose and --quiet together: exit 2, a one-line message naming both, nothing written. */
static void test_verbose_quiet_refused(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[1024];
    crt_tmpdir(dir);
    const char *cases[] = {"run '%s/configs/convex.yaml' --verbose --quiet --out o",
                           "run '%s/configs/convex.yaml' --quiet --out o --verbose",
                           "fit '%s/configs/convex.yaml' --verbose --quiet --out o"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        snprintf(args, sizeof args, cases[c], CR_SOURCE_DIR);
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, crt_prog(), args);
        char *text = NULL;
        int st = crt_sh(cmd, &text);
        if (st != 2 || !strstr(text, "--quiet and --verbose") || strchr(text, '\n') != text + strlen(text) - 1)
            fail_msg("%s: exit %d: %s", args, st, text);
        free(text);
        crt_list_dir(dir, names, sizeof names, "|");
        if (names[0]) fail_msg("%s: wrote %s", args, names);
    }
    crt_rmtree(dir);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A solve of about two seconds (FISTA on the exact patterns of 50 samples): without a terminal, neither --verbose
 * nor --quiet, stderr holds no bar (no carriage return, no "convex solve"); on a pseudo-terminal the same solve
 * draws "\rconvex solve ... [###" (when it lasted long enough for the first drawing, after one second). */
static void test_bar_only_on_terminal(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024];
    crt_tmpdir(dir);
    const char *solve = "--set solver.method=fista --set data.n=50 --set solver.tol=1e-9";
    char *err = NULL;
    snprintf(args, sizeof args, "run '%s/configs/convex.yaml' %s --out f", CR_SOURCE_DIR, solve);
    double t0 = now();
    if (run_logged(dir, "f", args, &err) != 0) fail_msg("%s: %s", args, err);
    double t = now() - t0;
    if (strchr(err, '\r') || strstr(err, "convex solve") || strstr(err, "[#")) fail_msg("bar without a terminal:\n%s", err);
    free(err);
    if (system("command -v script >/dev/null 2>&1") != 0) {
        fprintf(stderr, "script(1) missing: the terminal side not checked\n");
        crt_rmtree(dir);
        return;
    }
    char cmd[4096];
    snprintf(args, sizeof args, "run '%s/configs/convex.yaml' %s --out t", CR_SOURCE_DIR, solve);
    snprintf(cmd, sizeof cmd, "cd '%s' && script -qec \"'%s' %s\" /dev/null", dir, crt_prog(), args);
    char *text = NULL;
    t0 = now();
    int st = crt_sh(cmd, &text);
    double tt = now() - t0;
    assert_int_equal(st, 0);
    if (tt > 1.5 && t > 1.5) {
        if (!strstr(text, "\rconvex solve") || !strstr(text, "[#")) fail_msg("no bar on a terminal (%.2f s):\n%s", tt, text);
    } else {
        fprintf(stderr, "solves of %.2f s and %.2f s: too short for the bar, the terminal side not checked\n", t, tt);
    }
    free(text);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/f", dir);
    snprintf(b, sizeof b, "%s/t", dir);
    same_tables(a, b);
    crt_rmtree(dir);
}

int main(void)
{
    if (!crt_program_built()) return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_verbose),
        cmocka_unit_test(test_fit_verbose),
        cmocka_unit_test(test_verbose_quiet_refused),
        cmocka_unit_test(test_bar_only_on_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
