/* Tests of src/harness/progress.c. With standard error a file (not a terminal), or with output disabled, nothing is
 * written however long the work takes. On a pseudo-terminal: nothing during the first second, then
 * "\r<label padded to 24> [<30 cells, '#' done>] <percent>%  eta <seconds>s" at most every 0.1 s, the fraction
 * clamped to [0, 1], the ETA (elapsed (1 - f) / f) within the test's own clock readings, a long label cut to 47
 * characters, and finish erasing the line ("\r", 70 spaces, "\r"). Expected strings are written out here. */
#define _GNU_SOURCE /* posix_openpt, grantpt, unlockpt, ptsname */
#include "testutil.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>

#include <math.h>

#include "progress.h"

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Everything readable from fd within 200 ms of quiet, appended to buf (cap bytes, NUL-terminated). */
static size_t drain(int fd, char *buf, size_t cap)
{
    size_t n = strlen(buf);
    struct pollfd p = {fd, POLLIN, 0};
    while (n + 1 < cap && poll(&p, 1, 200) > 0 && (p.revents & POLLIN)) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
    }
    buf[n] = 0;
    return n;
}

/* Standard error redirected to fd while a test step runs; restored by stderr_restore. */
static int saved_stderr = -1;
static void stderr_to(int fd)
{
    fflush(stderr);
    saved_stderr = dup(2);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fd, 2) == 2);
}
static void stderr_restore(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
}

/* Standard error redirected to a new file `stderr` in a fresh temporary folder (the folder into dir, 256
 * bytes, the file's path into path, 300 bytes); returns the file's descriptor. */
static int stderr_to_file(char *dir, char *path)
{
    crt_tmpdir(dir);
    snprintf(path, 300, "%s/stderr", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    stderr_to(fd);
    return fd;
}

/* A pseudo-terminal in raw mode (no output translation): *master to read, returns the terminal side. */
static int open_pty(int *master)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    assert_true(s >= 0);
    struct termios t;
    assert_int_equal(tcgetattr(s, &t), 0);
    cfmakeraw(&t);
    assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
    *master = m;
    return s;
}

static void test_not_a_terminal(void **state)
{
    (void)state;
    char dir[256], path[300];
    int fd = stderr_to_file(dir, path);
    cr_progress *p = cr_progress_start("file", 10, 1);
    nap(1.15);
    cr_progress_update(p, 5);
    cr_progress_finish(p);
    stderr_restore();
    close(fd);
    size_t len = 99;
    char *text = crt_slurp(path, &len);
    assert_non_null(text);
    assert_int_equal(len, 0);
    free(text);
    crt_rmtree(dir);
    cr_progress_update(NULL, 1); /* NULL accepted */
    cr_progress_finish(NULL);
}

/* Checks one drawn line: label, bar of `fill` cells, percent text and an ETA in [eta_lo, eta_hi] seconds. */
static void expect_line(const char *got, const char *label, int fill, const char *pct, double eta_lo, double eta_hi)
{
    char want[160];
    int k = snprintf(want, sizeof want, "\r%-24s [", label);
    for (int i = 0; i < 30; i++) want[k++] = i < fill ? '#' : '.';
    snprintf(want + k, sizeof want - k, "] %s%%  eta ", pct);
    if (strncmp(got, want, strlen(want)) != 0) fail_msg("drew \"%s\", expected it to start with \"%s\"", got, want);
    const char *e = got + strlen(want);
    char *end;
    double eta = strtod(e, &end);
    if (end - e != 4 || strcmp(end, "s") != 0) fail_msg("ETA field \"%s\" is not %%4.0f followed by s", e);
    if (eta < floor(eta_lo) || eta > ceil(eta_hi)) fail_msg("ETA %g outside [%g, %g]", eta, eta_lo, eta_hi);
}

static void test_terminal(void **state)
{
    (void)state;
    int master, term = open_pty(&master);
    char out[4096] = "";
    stderr_to(term);
    double t0 = clock_now();
    cr_progress *p = cr_progress_start("fit", 4, 1);
    double t1 = clock_now();
    cr_progress_update(p, 1); /* within the first second: nothing */
    drain(master, out, sizeof out);
    size_t early = strlen(out);
    nap(1.1);
    double t2 = clock_now();
    cr_progress_update(p, 1);
    double t3 = clock_now();
    cr_progress_update(p, 2); /* within 0.1 s of the last drawing: nothing (line1 holds one line only) */
    char line1[200] = "";
    drain(master, line1, sizeof line1);
    nap(0.15);
    cr_progress_update(p, 10); /* beyond the total: 100 % */
    char line2[200] = "";
    drain(master, line2, sizeof line2);
    nap(0.15);
    cr_progress_update(p, -1); /* below 0: 0 %, ETA 0 */
    char line3[200] = "";
    drain(master, line3, sizeof line3);
    cr_progress_finish(p);
    char erase[200] = "";
    drain(master, erase, sizeof erase);
    stderr_restore();
    assert_int_equal(early, 0);
    /* f = 1/4: 7 of 30 cells; ETA = elapsed * 3, elapsed in [t2 - t1, t3 - t0]. */
    expect_line(line1, "fit", 7, " 25.0", 3 * (t2 - t1), 3 * (t3 - t0));
    expect_line(line2, "fit", 30, "100.0", 0, 0);
    expect_line(line3, "fit", 0, "  0.0", 0, 0);
    char want[80];
    snprintf(want, sizeof want, "\r%70s\r", "");
    assert_string_equal(erase, want);
    close(term);
    close(master);
}

static void test_terminal_disabled_and_long_label(void **state)
{
    (void)state;
    int master, term = open_pty(&master);
    char off[200] = "", drawn[200] = "";
    const char *label = "a label far longer than the forty-seven characters kept";
    stderr_to(term);
    cr_progress *q = cr_progress_start("quiet", 10, 0); /* --quiet: nothing even on a terminal */
    cr_progress *p = cr_progress_start(label, 10, 1);
    nap(1.1);
    cr_progress_update(q, 5);
    cr_progress_finish(q);
    drain(master, off, sizeof off);
    cr_progress_update(p, 5);
    drain(master, drawn, sizeof drawn);
    cr_progress_finish(p);
    stderr_restore();
    assert_string_equal(off, "");
    char want[80];
    snprintf(want, sizeof want, "\r%.47s [", label);
    assert_true(strncmp(drawn, want, strlen(want)) == 0);
    close(term);
    close(master);
}

/* The bar's fraction of a convex solve, log(rel0 / rel) / log(rel0 / tol) clipped to [0, 1], at values worked out by
 * hand: from 1e-1 to 1e-8, at 1e-4 three sevenths; at the start 0; at or below tol 1; above rel0 0. */
static void expect_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("fraction %.17g, expected %.17g", got, want);
}

static void test_gap_fraction(void **state)
{
    (void)state;
    expect_near(cr_progress_gap_fraction(1e-1, 1e-1, 1e-8), 0.0, 1e-15);
    expect_near(cr_progress_gap_fraction(1e-1, 1e-4, 1e-8), 3.0 / 7.0, 1e-12);
    expect_near(cr_progress_gap_fraction(1.0, 1e-3, 1e-6), 0.5, 1e-12);
    expect_near(cr_progress_gap_fraction(1e-1, 1e-8, 1e-8), 1.0, 0);
    expect_near(cr_progress_gap_fraction(1e-1, 1e-12, 1e-8), 1.0, 0);
    expect_near(cr_progress_gap_fraction(1e-1, 0.0, 1e-8), 1.0, 0);
    expect_near(cr_progress_gap_fraction(1e-1, 5.0, 1e-8), 0.0, 0);
    expect_near(cr_progress_gap_fraction(1e-9, 1e-9, 1e-8), 1.0, 0); /* started converged */
    expect_near(cr_progress_gap_fraction(NAN, 1e-3, 1e-8), 0.0, 0);
    expect_near(cr_progress_gap_fraction(1e-1, NAN, 1e-8), 0.0, 0);
    expect_near(cr_progress_gap_fraction(INFINITY, 1e-3, 1e-8), 0.0, 0);
}

/* --verbose: one line per call in the fixed format (the expected text typed out here), no bar; quiet and not verbose:
 * nothing at all. */
static void test_solve_display_lines(void **state)
{
    (void)state;
    char dir[256], path[300];
    int fd = stderr_to_file(dir, path);
    cr_convex_progress pr = {.method = "ipm", .iteration = 12, .newton = 14, .products = 0, .primal = 0.25,
                             .dual = 0.125, .gap = 0.125, .rel_gap = 0.125, .sigma = 0, .active = 37, .seconds = 1.25};
    cr_solve_display *d = cr_solve_display_start(1, 0, 1e-8);
    assert_non_null(d);
    cr_solve_display_log(&pr, d);
    pr.method = "ssnal_cg", pr.iteration = 13, pr.products = 4711, pr.primal = -3, pr.dual = -3.5, pr.gap = 0.5;
    pr.rel_gap = 0.5 / 3, pr.sigma = 2.5e3, pr.active = 0, pr.seconds = 61.004;
    cr_solve_display_log(&pr, d);
    cr_solve_display_finish(d);
    d = cr_solve_display_start(0, 1, 1e-8); /* quiet */
    nap(1.15);
    cr_solve_display_log(&pr, d);
    cr_solve_display_finish(d);
    cr_solve_display_log(&pr, NULL); /* NULL accepted */
    cr_solve_display_finish(NULL);
    stderr_restore();
    close(fd);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_string_equal(text,
                        "convex ipm it 12 newton 14 cg 0 primal 2.500000000000e-01 dual 1.250000000000e-01 gap "
                        "1.250e-01 rel_gap 1.250e-01 active 37 sigma 0.000e+00 1.25 s\n"
                        "convex ssnal_cg it 13 newton 14 cg 4711 primal -3.000000000000e+00 dual -3.500000000000e+00 "
                        "gap 5.000e-01 rel_gap 1.667e-01 active 0 sigma 2.500e+03 61.00 s\n");
    free(text);
    crt_rmtree(dir);
}

/* On a terminal, neither verbose nor quiet: the bar "convex solve" after one second at the fraction of the first
 * finite relative gap (1e-1, tol 1e-8): 1e-4 draws 3/7 = 42.9 % (12 cells); a worse gap later (1e-2, 1/7) keeps
 * 42.9 %: the bar never moves backwards; 1e-6 then draws 5/7 = 71.4 % (21 cells). The same calls with verbose
 * draw no bar. */
static void test_solve_display_bar(void **state)
{
    (void)state;
    int master, term = open_pty(&master);
    char out[4096] = "";
    stderr_to(term);
    cr_solve_display *d = cr_solve_display_start(0, 0, 1e-8);
    assert_non_null(d);
    cr_convex_progress pr = {.method = "fista", .primal = 1, .dual = 0.9, .gap = 0.1, .rel_gap = 0.1, .active = 3};
    cr_solve_display_log(&pr, d);
    nap(1.1);
    pr.rel_gap = 1e-4;
    cr_solve_display_log(&pr, d);
    char line1[200] = "", line2[200] = "", line3[200] = "";
    drain(master, line1, sizeof line1);
    nap(0.15);
    pr.rel_gap = 1e-2;
    cr_solve_display_log(&pr, d);
    drain(master, line2, sizeof line2);
    nap(0.15);
    pr.rel_gap = 1e-6;
    cr_solve_display_log(&pr, d);
    drain(master, line3, sizeof line3);
    cr_solve_display_finish(d);
    drain(master, out, sizeof out);
    d = cr_solve_display_start(1, 0, 1e-8); /* verbose: lines, never the bar */
    nap(1.1);
    cr_solve_display_log(&pr, d);
    cr_solve_display_finish(d);
    char verbose[400] = "";
    drain(master, verbose, sizeof verbose);
    stderr_restore();
    close(term);
    close(master);
    expect_line(line1, "convex solve", 12, " 42.9", 0, 10);
    expect_line(line2, "convex solve", 12, " 42.9", 0, 10);
    expect_line(line3, "convex solve", 21, " 71.4", 0, 10);
    if (strncmp(out, "\r", 1) != 0) fail_msg("finish did not erase the bar: \"%s\"", out);
    if (strchr(verbose, '[') || strncmp(verbose, "convex fista it 0 ", 18) != 0) fail_msg("verbose drew \"%s\"", verbose);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_terminal),
        cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_terminal_disabled_and_long_label),
        cmocka_unit_test(test_gap_fraction),
        cmocka_unit_test(test_solve_display_lines),
        cmocka_unit_test(test_solve_display_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
