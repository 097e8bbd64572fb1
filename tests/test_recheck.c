/* Every P* and P_sub the program reports can be rechecked from its run folder: patterns_used.csv (the pattern
 * set of each value, beside it) and samples.csv (the data). Runs `separable` (small) and `maxmargin`, then solves
 * the first pattern sets of each again with cvxopt (tests/oracle/recheck.py through tests/oracle/maxmargin.py) and
 * compares with the reported values; a pattern set cut down to one pattern must not recheck (the recheck can
 * fail); the pattern column is quoted so that no reader takes "0011" for the number 11. */
#include "testutil.h"

#include <math.h>
#include <string.h>

typedef struct {
    long run;
    char quantity[32], status[32];
    int patterns;
    double reported, oracle, acc;
} recheck_row;

/* Runs the oracle on dir (first `limit` groups); returns the number of rows parsed into rows (at most cap). */
static size_t recheck(const char *dir, int limit, recheck_row *rows, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s/tests/oracle/recheck.py --limit %d %s", CRT_PYTHON,
             CR_SOURCE_DIR, limit, dir);
    char *out = NULL;
    int rc = crt_sh(cmd, &out);
    if (rc != 0) {
        fprintf(stderr, "%s\n", out ? out : "");
        fail_msg("recheck.py failed (%d)", rc);
    }
    size_t k = 0;
    for (char *line = strtok(out, "\n"); line && k < cap; line = strtok(NULL, "\n")) {
        recheck_row *r = &rows[k];
        if (sscanf(line, "run %ld quantity %31s patterns %d reported %lf oracle %lf status %31s accuracy %lf", &r->run,
                   r->quantity, &r->patterns, &r->reported, &r->oracle, r->status, &r->acc) != 7)
            fail_msg("recheck output: %s", line);
        k++;
    }
    free(out);
    return k;
}

/* cvxopt's "unknown" counts only when its own accuracy measures are below 1e-6 (as in test_maxmargin.c). */
static int usable(const recheck_row *r)
{
    return strcmp(r->status, "optimal") == 0 || (strcmp(r->status, "unknown") == 0 && r->acc <= 1e-6);
}

static void run_program(const char *args, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s run %s --out %s --quiet", crt_prog(), args, out);
    char *o = NULL;
    int rc = crt_sh(cmd, &o);
    /* 3: a claim failed (possible on these short runs); the tables are written all the same. */
    if (rc != 0 && rc != 3) fail_msg("%s: exit %d\n%s", cmd, rc, o ? o : "");
    free(o);
}

static void check_rows(const recheck_row *rows, size_t k, size_t min_rows, int *saw_sub)
{
    assert_true(k >= min_rows);
    for (size_t i = 0; i < k; i++) {
        const recheck_row *r = &rows[i];
        if (!usable(r)) fail_msg("run %ld %s: oracle status %s, accuracy %g", r->run, r->quantity, r->status, r->acc);
        if (!(fabs(r->oracle - r->reported) <= 1e-6 * r->reported))
            fail_msg("run %ld %s over %d patterns: reported %.12g, cvxopt %.12g", r->run, r->quantity, r->patterns,
                     r->reported, r->oracle);
        if (strcmp(r->quantity, "P_sub") == 0) *saw_sub = 1;
    }
}

static void test_recheck(void **state)
{
    (void)state;
    char dir[256], sep[512], mm[512], cut[600];
    crt_tmpdir(dir);
    snprintf(sep, sizeof sep, "%s/separable", dir);
    snprintf(mm, sizeof mm, "%s/maxmargin", dir);
    run_program("configs/separable.yaml --set separable.runs=1 --set separable.n=8 --set separable.d=2,3 "
                "--set train.flow_target=1000 --set train.iters=20000",
                sep);
    run_program("configs/maxmargin.yaml --set train.iters=20000", mm);
    recheck_row rows[16];
    int saw_sub = 0;
    /* separable: 4 data sets (2 families x 2 dimensions), P* and P_sub of each: the first 6 sets. */
    check_rows(rows, recheck(sep, 6, rows, 16), 6, &saw_sub);
    assert_true(saw_sub);
    saw_sub = 0;
    check_rows(rows, recheck(mm, 0, rows, 16), 2, &saw_sub);
    assert_true(saw_sub);

    /* The format: the pattern column is quoted, the data's x too. */
    char path[700];
    snprintf(path, sizeof path, "%s/patterns_used.csv", sep);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "run,quantity,value,pattern\n1,P_star,"));
    char *nl = strchr(text, '\n'), *q = strchr(nl + 1, '\n');
    assert_true(q[-1] == '"' && q[-10] == '"'); /* n = 8: "01010101" */
    /* A pattern set cut down to its first pattern: the oracle's value differs (or the program is infeasible). */
    snprintf(cut, sizeof cut, "%s/cut", dir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/samples.csv %s/ && head -2 %s > %s/patterns_used.csv", cut, sep,
             cut, path, cut);
    assert_int_equal(system(cmd), 0);
    size_t k = recheck(cut, 1, rows, 16);
    assert_int_equal(k, 1);
    assert_int_equal(rows[0].patterns, 1);
    if (strcmp(rows[0].status, "optimal") == 0 && fabs(rows[0].oracle - rows[0].reported) <= 1e-6 * rows[0].reported)
        fail_msg("one pattern gives the reported P* %.12g: the recheck cannot tell the sets apart", rows[0].reported);
    free(text);
    crt_rmtree(dir);
}

/* The stationary experiment's patterns.csv writes each pattern as the other experiments' patterns_used.csv do: a
 * quoted 0/1 string of n characters (n = 12 on configs/stationary.yaml), so no reader takes it for a number. */
static void test_stationary_patterns_quoted(void **state)
{
    (void)state;
    char dir[256], out[512], path[600];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/stationary", dir);
    run_program("configs/stationary.yaml --set train.iters=2000 --set train.seeds=1 --set width_sweep.max_width=2 "
                "--set width_sweep.sgd_batch=0",
                out);
    snprintf(path, sizeof path, "%s/patterns.csv", out);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "method,m,seed,set,pattern\n"));
    size_t rows = 0;
    for (char *line = strchr(text, '\n') + 1; *line; line = strchr(line, '\n') + 1, rows++) {
        char *end = strchr(line, '\n'), *comma = end;
        while (comma > line && comma[-1] != ',') comma--;
        if (end - comma != 14 || comma[0] != '"' || end[-1] != '"' || strspn(comma + 1, "01") != 12)
            fail_msg("patterns.csv row %zu: %.*s", rows + 1, (int)(end - line), line);
    }
    assert_true(rows >= 2);
    free(text);
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recheck),
        cmocka_unit_test(test_stationary_patterns_quoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
