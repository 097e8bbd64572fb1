/* Helpers shared by the cmocka tests: temporary folders, running the program and the Python oracle,
 * reading files, seeded generators, the tests/bad_configs/ fixtures. Header-only so every test binary stays one
 * translation unit. */
#ifndef CR_TESTUTIL_H
#define CR_TESTUTIL_H

#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "data.h"
#include "patterns.h"

#ifndef CR_SOURCE_DIR
#define CR_SOURCE_DIR "."
#endif

/* A fresh folder under $TMPDIR (or /tmp); buf must hold 256 bytes. */
static inline void crt_tmpdir(char *buf)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, 256, "%s/cvxrelu-test-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(buf));
}

/* rm -rf of a folder made by crt_tmpdir. */
static inline void crt_rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline int crt_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The rest of stream f into a malloc'ed NUL-terminated buffer (NULL on no memory); *len gets the size if not
 * NULL. */
static inline char *crt_read_stream(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; }
            else b = nb;
        }
    }
    if (!b) return NULL;
    b[n] = 0;
    if (len) *len = n;
    return b;
}

/* Whole file into a malloc'ed NUL-terminated buffer (NULL if unreadable); *len gets the size if not NULL. */
static inline char *crt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = crt_read_stream(f, len);
    fclose(f);
    return b;
}

/* Runs a shell command, capturing stdout+stderr (as the shell redirects them) into a malloc'ed string.
 * Returns the exit status (or -1). */
static inline int crt_sh(const char *cmd, char **output)
{
    char full[8192];
    snprintf(full, sizeof full, "( %s ) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) return -1;
    char *b = crt_read_stream(p, NULL);
    int st = pclose(p);
    if (output) *output = b;
    else free(b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The program under test: $CR_PROG (set by make test) or build/cvxrelu. */
static inline const char *crt_prog(void)
{
    const char *p = getenv("CR_PROG");
    return p && *p ? p : CR_SOURCE_DIR "/build/cvxrelu";
}

/* Runs the program under test with args (shell words, up to 3000 characters) through crt_sh: its exit status, and
 * its stdout and stderr in *out when out is not NULL. */
static inline int crt_prog_sh(const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %.3000s", crt_prog(), args);
    return crt_sh(cmd, out);
}

/* Fails the test, with the program's output, unless it exits with status on args. */
static inline void crt_expect_prog(const char *args, int status)
{
    char *out = NULL;
    int st = crt_prog_sh(args, &out);
    if (st != status) fail_msg("cvxrelu %s: exit %d, expected %d\n%s", args, st, status, out);
    free(out);
}

/* For a test program's main: 1 when the program under test is built, else 0 after a message on stderr. */
static inline int crt_program_built(void)
{
    if (access(crt_prog(), X_OK) == 0) return 1;
    fprintf(stderr, "%s not built\n", crt_prog());
    return 0;
}

/* Fails the test when the program has not been built. */
static inline void crt_need_program(void)
{
    if (access(crt_prog(), X_OK) != 0) fail_msg("%s is not built (make build/cvxrelu)", crt_prog());
}

/* Writes text to path (fails the test on any error). */
static inline void crt_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Writes text to dir/name. */
static inline void crt_put(const char *dir, const char *name, const char *text)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    crt_write_text(p, text);
}

/* The names in dir (sorted, without "." and ".."), joined by sep, into buf (cap bytes); "" when dir is missing. */
static inline void crt_list_dir(const char *dir, char *buf, size_t cap, const char *sep)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    buf[0] = 0;
    if (n < 0) return;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            if (buf[0]) strncat(buf, sep, cap - strlen(buf) - 1);
            strncat(buf, nm, cap - strlen(buf) - 1);
        }
        free(ents[i]);
    }
    free(ents);
}

/* D holds exactly the n x d samples X and labels y (bit for bit). */
static inline void crt_assert_data(const cr_data *D, size_t n, size_t d, const double *X, const double *y)
{
    assert_non_null(D);
    assert_int_equal(D->n, n);
    assert_int_equal(D->d, d);
    for (size_t i = 0; i < n * d; i++)
        if (D->X[i] != X[i]) fail_msg("X[%zu] = %.17g, expected %.17g", i, D->X[i], X[i]);
    for (size_t i = 0; i < n; i++)
        if (D->y[i] != y[i]) fail_msg("y[%zu] = %.17g, expected %.17g", i, D->y[i], y[i]);
}

/* 1 when A and B are the same data set, bit for bit. */
static inline int crt_same_data(const cr_data *A, const cr_data *B)
{
    return A->n == B->n && A->d == B->d && memcmp(A->X, B->X, A->n * A->d * sizeof(double)) == 0 &&
           memcmp(A->y, B->y, A->n * sizeof(double)) == 0;
}

/* An mt19937 generator seeded with seed (the test's own stream; gsl_rng_free it). */
static inline gsl_rng *crt_rng_seeded(unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(g);
    gsl_rng_set(g, seed);
    return g;
}

/* Euclidean norm of v (n values), plain loop. */
static inline double crt_nrm(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += v[i] * v[i];
    return sqrt(s);
}

/* The rows of A (rows x cols, row-major), one line each, %.17g: instances for the Python oracles. */
static inline void crt_write_rows(FILE *f, const double *A, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) fprintf(f, "%.17g ", A[i * cols + j]);
        fprintf(f, "\n");
    }
}

/* The patterns of P as 0/1 strings, one line each. */
static inline void crt_write_patterns(FILE *f, const cr_patterns *P)
{
    char *buf = malloc(P->n + 1);
    assert_non_null(buf);
    for (size_t j = 0; j < P->p; j++) {
        cr_patterns_string(P, j, buf);
        fprintf(f, "%s\n", buf);
    }
    free(buf);
}

/* ---------------------------------------------------------- tests/bad_configs/ fixtures */

/* The fixtures, relative to the source root (the test's working folder). */
#define CRT_BAD_CONFIGS "tests/bad_configs/*.yaml"

/* What the error about fixture `path` must contain, into needle (cap bytes): from its first line
 * "# expect: FRAGMENT", "PATH:FRAGMENT" when the fragment starts with a line number ("PATH:L:C: ..."), else
 * "PATH: FRAGMENT". Fails the test when that line is missing. */
static inline void crt_fixture_needle(const char *path, char *needle, size_t cap)
{
    char *text = crt_slurp(path, NULL);
    const char *tag = "# expect: ";
    int ok = text && strncmp(text, tag, strlen(tag)) == 0;
    if (ok) {
        const char *frag = text + strlen(tag);
        snprintf(needle, cap, "%s:%s%.*s", path, (frag[0] >= '0' && frag[0] <= '9') ? "" : " ",
                 (int)strcspn(frag, "\n"), frag);
    }
    free(text);
    if (!ok) fail_msg("%s: first line is not \"# expect: FRAGMENT\"", path);
}

/* Test case: the fixtures are all there (at least 25). */
static inline void crt_test_bad_config_count(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob(CRT_BAD_CONFIGS, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 25);
    globfree(&g);
}

/* Runs fn once per fixture (its path as the state), each case named after the fixture, as the cmocka group
 * `group`. Returns the number of failed cases; 1 when there are no fixtures or no memory. */
static inline int crt_run_fixture_group(const char *group, CMUnitTestFunction fn)
{
    glob_t g;
    if (glob(CRT_BAD_CONFIGS, 0, NULL, &g) != 0) {
        fprintf(stderr, "no fixtures in tests/bad_configs\n");
        return 1;
    }
    struct CMUnitTest *fx = calloc(g.gl_pathc, sizeof *fx);
    if (!fx) {
        globfree(&g);
        return 1;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        fx[i].name = g.gl_pathv[i] + strlen("tests/bad_configs/");
        fx[i].test_func = fn;
        fx[i].initial_state = g.gl_pathv[i];
    }
    int failed = _cmocka_run_group_tests(group, fx, g.gl_pathc, NULL, NULL);
    free(fx);
    globfree(&g);
    return failed;
}

/* Debian's python3 with numpy, scipy and cvxopt: the independent oracle. */
#define CRT_PYTHON "/usr/bin/python3"

#endif
