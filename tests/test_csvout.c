/* Tests of src/harness/csvout.c (CSV tables), src/harness/atomic.c (atomic files) and src/harness/run.c (claims,
 * sanity checks, summary.csv, claims.csv, sanity.csv).
 * Expected bytes are written out by hand from the contract: one header row, numbers in the shortest form that
 * reads back to the same double (the strings below are Python's repr() of each value, an independent
 * shortest-round-trip implementation; Python writes -0.0 where C writes -0), strings quoted when they hold a comma,
 * quote or line break (quotes doubled); nothing under the final name before a successful close. */
#include "testutil.h"

#include <dirent.h>
#include <math.h>

#include "atomic.h"
#include "csvout.h"
#include "run.h"

/* ------------------------------------------------------------------ helpers */

static size_t count_entries(const char *dir)
{
    char buf[4096];
    crt_list_dir(dir, buf, sizeof buf, "|");
    if (!buf[0]) return 0;
    size_t n = 1;
    for (const char *p = buf; *p; p++) n += (*p == '|');
    return n;
}

static void assert_file_bytes(const char *path, const char *want)
{
    size_t len = 0;
    char *got = crt_slurp(path, &len);
    if (!got) fail_msg("%s: not readable", path);
    if (len != strlen(want) || memcmp(got, want, len) != 0) fail_msg("%s:\n--- got\n%s--- expected\n%s---", path, got, want);
    free(got);
}

static void path_in(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* ------------------------------------------------------------ CSV tables */

static void test_csv_exact_bytes(void **state)
{
    (void)state;
    char dir[256], path[400], names[4096];
    crt_tmpdir(dir);
    cr_err err = {{0}};
    cr_csv *c = cr_csv_open(dir, "t.csv", "x,n,label", &err);
    if (!c) fail_msg("%s", err.msg);
    cr_csv_real(c, 0.1);
    cr_csv_int(c, -3);
    cr_csv_str(c, "a,b");
    cr_csv_endrow(c);
    cr_csv_real(c, 1e300);
    cr_csv_int(c, 9007199254740993LL);
    cr_csv_str(c, "say \"hi\"");
    cr_csv_endrow(c);
    cr_csv_real(c, 1.0 / 3.0);
    cr_csv_int(c, 0);
    cr_csv_str(c, "two\nlines");
    cr_csv_endrow(c);
    cr_csv_real(c, -0.0);
    cr_csv_int(c, 0);
    cr_csv_str(c, "plain");
    cr_csv_endrow(c);
    cr_csv_real(c, 2.5);
    cr_csv_int(c, 1);
    cr_csv_str(c, "");
    cr_csv_endrow(c);
    cr_csv_real(c, 5e-324);
    cr_csv_int(c, 2);
    cr_csv_str(c, "cr\rhere");
    cr_csv_endrow(c);

    /* Before the close: nothing under the final name; one dot-temporary in the folder. */
    path_in(path, sizeof path, dir, "t.csv");
    assert_false(crt_exists(path));
    crt_list_dir(dir, names, sizeof names, "|");
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(names[0], '.');
    assert_non_null(strstr(names, "t.csv"));

    assert_int_equal(cr_csv_close(c, &err), CR_OK);
    assert_file_bytes(path, "x,n,label\n"
                            "0.1,-3,\"a,b\"\n"
                            "1e+300,9007199254740993,\"say \"\"hi\"\"\"\n"
                            "0.3333333333333333,0,\"two\nlines\"\n"
                            "-0,0,plain\n"
                            "2.5,1,\n"
                            "5e-324,2,\"cr\rhere\"\n");
    /* Only the final file is left. */
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "t.csv");
    crt_rmtree(dir);
}

/* cr_csv_format_real against Python's repr() (shortest round trip, computed independently) on values where
 * 15, 16 and 17 digits are needed, subnormals and the extremes; then, on 20000 doubles of random bit patterns,
 * the definition itself: the text reads back to the same bits and one digit fewer (correctly rounded) does not. */
static void test_csv_shortest_numbers(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {1e23, "1e+23"},
        {123456789012345680.0, "1.2345678901234568e+17"},
        {1.5e-323, "1.5e-323"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-0.0, "-0"},
        {0.0, "0"},
        {-2.5, "-2.5"},
        {1e15, "1e+15"}, /* Python: 1000000000000000.0; the same digits, %g's exponent rule */
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
    };
    char buf[CR_CSV_REAL_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_csv_format_real(buf, sizeof buf, cases[i].v);
        if (strcmp(buf, cases[i].want) != 0) fail_msg("case %zu: got %s, expected %s", i, buf, cases[i].want);
    }
    cr_csv_format_real(buf, sizeof buf, NAN);
    assert_non_null(strstr(buf, "nan"));
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int t = 0; t < 20000; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v)) continue;
        int k = cr_csv_format_real(buf, sizeof buf, v);
        assert_true(k > 0 && k < (int)sizeof buf);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0) fail_msg("%s does not read back to %a", buf, v);
        /* Significant digits written: the mantissa's digits without leading and trailing zeros. */
        int digits = 0, lead = 1, zeros = 0;
        for (const char *c = buf; *c && *c != 'e'; c++) {
            if (*c < '0' || *c > '9') continue;
            if (lead && *c == '0') continue;
            lead = 0;
            digits++;
            zeros = *c == '0' ? zeros + 1 : 0;
        }
        digits -= zeros;
        if (digits > 1) {
            char shorter[64];
            snprintf(shorter, sizeof shorter, "%.*e", digits - 2, v);
            double sb = strtod(shorter, NULL);
            if (memcmp(&sb, &v, sizeof v) == 0) fail_msg("%s: the shorter %s reads back too", buf, shorter);
        }
    }
}

/* cr_csv_quoted: always quoted (a 0/1 pattern must not read as a number), inner quotes doubled. */
static void test_csv_quoted(void **state)
{
    (void)state;
    char dir[256], path[400];
    crt_tmpdir(dir);
    cr_err err = {{0}};
    cr_csv *c = cr_csv_open(dir, "q.csv", "run,pattern", &err);
    if (!c) fail_msg("%s", err.msg);
    cr_csv_int(c, 1);
    cr_csv_quoted(c, "0011");
    cr_csv_endrow(c);
    cr_csv_int(c, 2);
    cr_csv_quoted(c, "");
    cr_csv_endrow(c);
    cr_csv_int(c, 3);
    cr_csv_quoted(c, "a\"b,c");
    cr_csv_endrow(c);
    assert_int_equal(cr_csv_close(c, &err), CR_OK);
    path_in(path, sizeof path, dir, "q.csv");
    assert_file_bytes(path, "run,pattern\n1,\"0011\"\n2,\"\"\n3,\"a\"\"b,c\"\n");
    crt_rmtree(dir);
}

static void test_csv_header_only(void **state)
{
    (void)state;
    char dir[256], path[400];
    crt_tmpdir(dir);
    cr_err err = {{0}};
    cr_csv *c = cr_csv_open(dir, "empty.csv", "a,b", &err);
    assert_non_null(c);
    assert_int_equal(cr_csv_close(c, &err), CR_OK);
    path_in(path, sizeof path, dir, "empty.csv");
    assert_file_bytes(path, "a,b\n");
    assert_int_equal(cr_csv_close(NULL, &err), CR_OK);
    cr_csv_abort(NULL);
    crt_rmtree(dir);
}

static void test_csv_abort_leaves_nothing(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    cr_err err = {{0}};
    cr_csv *c = cr_csv_open(dir, "t.csv", "a", &err);
    assert_non_null(c);
    cr_csv_real(c, 1.0);
    cr_csv_endrow(c);
    assert_int_equal(count_entries(dir), 1);
    cr_csv_abort(c);
    assert_int_equal(count_entries(dir), 0);
    crt_rmtree(dir);
}

static void test_csv_nonfinite_fails(void **state)
{
    (void)state;
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        char dir[256];
        crt_tmpdir(dir);
        cr_err err = {{0}};
        cr_csv *c = cr_csv_open(dir, "t.csv", "a,loss", &err);
        assert_non_null(c);
        cr_csv_real(c, 1);
        cr_csv_real(c, 2);
        cr_csv_endrow(c);
        cr_csv_real(c, 1);
        cr_csv_real(c, bad[i]);
        cr_csv_endrow(c);
        cr_csv_real(c, 3);
        cr_csv_real(c, 4);
        cr_csv_endrow(c);
        assert_int_equal(cr_csv_close(c, &err), CR_ERUNTIME);
        /* The message names the table and the column. */
        assert_non_null(strstr(err.msg, "t.csv"));
        assert_non_null(strstr(err.msg, "loss"));
        assert_int_equal(count_entries(dir), 0);
        crt_rmtree(dir);
    }
}

static void test_csv_wrong_column_count(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        char dir[256];
        crt_tmpdir(dir);
        cr_err err = {{0}};
        cr_csv *c = cr_csv_open(dir, "t.csv", "a,b,c", &err);
        assert_non_null(c);
        cr_csv_int(c, 1);
        cr_csv_int(c, 2);
        cr_csv_int(c, 3);
        cr_csv_endrow(c);
        if (variant == 0) { /* too few */
            cr_csv_int(c, 1);
            cr_csv_int(c, 2);
            cr_csv_endrow(c);
        } else if (variant == 1) { /* too many */
            for (int k = 0; k < 4; k++) cr_csv_str(c, "x");
            cr_csv_endrow(c);
        } else { /* a row never ended */
            cr_csv_int(c, 1);
        }
        assert_int_equal(cr_csv_close(c, &err), CR_ERUNTIME);
        assert_non_null(strstr(err.msg, "t.csv"));
        assert_int_equal(count_entries(dir), 0);
        crt_rmtree(dir);
    }
}

static void test_csv_open_missing_folder(void **state)
{
    (void)state;
    char dir[256], sub[300];
    crt_tmpdir(dir);
    snprintf(sub, sizeof sub, "%s/no/such/folder", dir);
    cr_err err = {{0}};
    assert_null(cr_csv_open(sub, "t.csv", "a", &err));
    assert_non_null(strstr(err.msg, "t.csv"));
    assert_null(cr_atomic_open("/nonexistent-cvxrelu-dir/x.txt", &err));
    assert_non_null(strstr(err.msg, "/nonexistent-cvxrelu-dir/x.txt"));
    assert_int_equal(count_entries(dir), 0);
    crt_rmtree(dir);
}

/* ---------------------------------------------------------- atomic files */

static void test_atomic_write_file_replaces(void **state)
{
    (void)state;
    char dir[256], path[400], names[4096];
    crt_tmpdir(dir);
    path_in(path, sizeof path, dir, "a.txt");
    cr_err err = {{0}};
    assert_int_equal(cr_atomic_write_file(path, "old\n", &err), CR_OK);
    assert_file_bytes(path, "old\n");

    /* A reader holding the old file keeps seeing it whole: the new content arrives by rename, not in place. */
    FILE *reader = fopen(path, "rb");
    assert_non_null(reader);
    cr_atomic *a = cr_atomic_open(path, &err);
    assert_non_null(a);
    assert_true(fputs("new content\n", cr_atomic_stream(a)) >= 0);
    assert_int_equal(fflush(cr_atomic_stream(a)), 0);
    assert_file_bytes(path, "old\n"); /* not yet */
    assert_int_equal(count_entries(dir), 2);
    assert_int_equal(cr_atomic_commit(a, &err), CR_OK);
    assert_file_bytes(path, "new content\n");
    char old[16] = {0};
    assert_int_equal(fread(old, 1, sizeof old - 1, reader), 4);
    assert_string_equal(old, "old\n");
    fclose(reader);

    assert_int_equal(cr_atomic_write_file(path, "", &err), CR_OK);
    assert_file_bytes(path, "");
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "a.txt");

    /* Abort keeps the old file and removes the temporary. */
    a = cr_atomic_open(path, &err);
    assert_non_null(a);
    fputs("discarded", cr_atomic_stream(a));
    cr_atomic_abort(a);
    cr_atomic_abort(NULL);
    assert_file_bytes(path, "");
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "a.txt");
    crt_rmtree(dir);
}

static void test_atomic_cleanup_all(void **state)
{
    (void)state;
    char dir[256], p1[400], p2[400], names[4096];
    crt_tmpdir(dir);
    path_in(p1, sizeof p1, dir, "one.csv");
    path_in(p2, sizeof p2, dir, "two.txt");
    cr_err err = {{0}};
    /* A completed file survives; open temporaries go. */
    char p0[400];
    path_in(p0, sizeof p0, dir, "done.txt");
    assert_int_equal(cr_atomic_write_file(p0, "done\n", &err), CR_OK);
    cr_csv *c = cr_csv_open(dir, "one.csv", "a", &err);
    assert_non_null(c);
    cr_csv_int(c, 1);
    cr_csv_endrow(c);
    cr_atomic *a = cr_atomic_open(p2, &err);
    assert_non_null(a);
    fputs("partial", cr_atomic_stream(a));
    fflush(cr_atomic_stream(a));
    assert_int_equal(count_entries(dir), 3);
    cr_atomic_cleanup_all();
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "done.txt");
    assert_false(crt_exists(p1));
    assert_false(crt_exists(p2));
    /* Releasing them afterwards is safe and writes nothing. */
    cr_csv_abort(c);
    cr_atomic_abort(a);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "done.txt");
    /* Nothing is left registered: a later cleanup does not touch new complete files. */
    assert_int_equal(cr_atomic_write_file(p2, "x", &err), CR_OK);
    cr_atomic_cleanup_all();
    assert_file_bytes(p2, "x");
    crt_rmtree(dir);
}

/* ------------------------------------------------------------------ run.c */

static void test_claims_compare(void **state)
{
    (void)state;
    cr_run *r = cr_run_alloc("/nonexistent", 1);
    assert_non_null(r);
    const struct {
        double m, e, tol;
        cr_claim_cmp cmp;
        int pass;
    } cases[] = {
        /* |m - e| <= tol */
        {1.25, 1, 0.25, CR_CLAIM_ABS, 1},
        {0.75, 1, 0.25, CR_CLAIM_ABS, 1},
        {1.5, 1, 0.25, CR_CLAIM_ABS, 0},
        {0.5, 1, 0.25, CR_CLAIM_ABS, 0},
        {3, 3, 0, CR_CLAIM_ABS, 1},
        {102, 100, 1, CR_CLAIM_ABS, 0},
        /* |m - e| <= tol max(1, |e|) */
        {102, 100, 0.02, CR_CLAIM_REL, 1},
        {-98, -100, 0.02, CR_CLAIM_REL, 1},
        {103, 100, 0.02, CR_CLAIM_REL, 0},
        {0.5, 0, 0.5, CR_CLAIM_REL, 1},
        {0.75, 0.25, 0.5, CR_CLAIM_REL, 1},
        {0.75, 0.25, 0.25, CR_CLAIM_REL, 0},
        /* m <= e + tol */
        {1.25, 1, 0.25, CR_CLAIM_LE, 1},
        {-100, 1, 0, CR_CLAIM_LE, 1},
        {1.5, 1, 0.25, CR_CLAIM_LE, 0},
        {1, 1, 0, CR_CLAIM_LE, 1},
        /* m >= e - tol */
        {0.75, 1, 0.25, CR_CLAIM_GE, 1},
        {100, 1, 0, CR_CLAIM_GE, 1},
        {0.5, 1, 0.25, CR_CLAIM_GE, 0},
        /* A non-finite measurement fails whatever the comparison. */
        {NAN, 1, 1e300, CR_CLAIM_ABS, 0},
        {NAN, 1, 1e300, CR_CLAIM_REL, 0},
        {NAN, 1, 0, CR_CLAIM_LE, 0},
        {NAN, 1, 0, CR_CLAIM_GE, 0},
        {-INFINITY, 1, 0, CR_CLAIM_LE, 0},
        {INFINITY, 1, 0, CR_CLAIM_GE, 0},
    };
    size_t n = sizeof cases / sizeof cases[0], failed = 0;
    for (size_t i = 0; i < n; i++) {
        int p = cr_run_claim(r, "c", cases[i].m, cases[i].e, cases[i].tol, cases[i].cmp);
        if (p != cases[i].pass)
            fail_msg("case %zu: measured %g, expected %g, tol %g, cmp %d: got %d, want %d", i, cases[i].m, cases[i].e,
                     cases[i].tol, (int)cases[i].cmp, p, cases[i].pass);
        failed += !cases[i].pass;
    }
    assert_int_equal(cr_run_claims_count(r), n);
    assert_int_equal(cr_run_claims_failed(r), failed);
    assert_string_equal(cr_run_dir(r), "/nonexistent");
    assert_int_equal(cr_run_quiet(r), 1);
    cr_run_free(r);
    cr_run_free(NULL);
}

static void test_run_finish_exact(void **state)
{
    (void)state;
    char dir[256], path[400], names[4096];
    crt_tmpdir(dir);
    cr_run *r = cr_run_alloc(dir, 1);
    assert_non_null(r);
    cr_run_summary_real(r, "alpha", 0.5);
    cr_run_summary_int(r, "count", 42);
    cr_run_summary_str(r, "note", "a,b");
    cr_run_summary_real(r, "third", 0.1);
    /* A repeated key replaces the value in place (and may change its kind). */
    cr_run_summary_int(r, "alpha", -7);
    cr_run_summary_str(r, "count", "many \"more\"");
    assert_int_equal(cr_run_claim(r, "p equals 4", 4, 4, 0, CR_CLAIM_ABS), 1);
    assert_int_equal(cr_run_claim(r, "gap, certified", 1e-9, 0, 1e-8, CR_CLAIM_LE), 1);
    assert_int_equal(cr_run_claim(r, "minimum 0.75", 0.76, 0.75, 0.001, CR_CLAIM_REL), 0);
    assert_int_equal(cr_run_claims_failed(r), 1);
    cr_err err = {{0}};
    if (cr_run_finish(r, &err)) fail_msg("%s", err.msg);
    path_in(path, sizeof path, dir, "summary.csv");
    assert_file_bytes(path, "key,value\n"
                            "alpha,-7\n"
                            "count,\"many \"\"more\"\"\"\n"
                            "note,\"a,b\"\n"
                            "third,0.1\n");
    path_in(path, sizeof path, dir, "claims.csv");
    assert_file_bytes(path, "claim,measured,expected,tolerance,pass\n"
                            "p equals 4,4,4,0,PASS\n"
                            "\"gap, certified\",1e-09,0,1e-08,PASS\n"
                            "minimum 0.75,0.76,0.75,0.001,FAIL\n");
    /* No sanity check recorded: sanity.csv is its header alone. */
    path_in(path, sizeof path, dir, "sanity.csv");
    assert_file_bytes(path, "claim,measured,expected,tolerance,pass\n");
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "claims.csv|sanity.csv|summary.csv");
    cr_run_free(r);
    crt_rmtree(dir);
}

/* Sanity checks are kept apart from the claims (run.h): same comparisons, their own table and counts; a failed
 * one changes neither claims.csv nor the claims counts. */
static void test_run_sanity_apart(void **state)
{
    (void)state;
    char dir[256], path[400], names[4096];
    crt_tmpdir(dir);
    cr_run *r = cr_run_alloc(dir, 1);
    assert_non_null(r);
    assert_int_equal(cr_run_claim(r, "[Slide] a claim", 1, 1, 0, CR_CLAIM_ABS), 1);
    assert_int_equal(cr_run_sanity(r, "identity", 0.25, 0.25, 0, CR_CLAIM_REL), 1);
    assert_int_equal(cr_run_sanity(r, "bound, far", 3, 13, 0, CR_CLAIM_LE), 1);
    assert_int_equal(cr_run_sanity(r, "by construction", -1, 0, 0, CR_CLAIM_GE), 0);
    assert_int_equal(cr_run_sanity(r, "undefined", NAN, 0, 1, CR_CLAIM_ABS), 0);
    assert_int_equal(cr_run_claims_count(r), 1);
    assert_int_equal(cr_run_claims_failed(r), 0);
    assert_int_equal(cr_run_sanity_count(r), 4);
    assert_int_equal(cr_run_sanity_failed(r), 2);
    assert_string_equal(cr_run_sanity_text(r, 2), "by construction");
    assert_int_equal(cr_run_sanity_passed(r, 1), 1);
    assert_int_equal(cr_run_sanity_passed(r, 2), 0);
    /* Failing the claims of a failed run leaves the sanity checks as measured. */
    cr_run_fail_claims(r);
    assert_int_equal(cr_run_claims_failed(r), 1);
    assert_int_equal(cr_run_sanity_failed(r), 2);
    cr_err err = {{0}};
    if (cr_run_finish(r, &err)) fail_msg("%s", err.msg);
    path_in(path, sizeof path, dir, "claims.csv");
    assert_file_bytes(path, "claim,measured,expected,tolerance,pass\n"
                            "[Slide] a claim,1,1,0,FAIL\n");
    path_in(path, sizeof path, dir, "sanity.csv");
    assert_file_bytes(path, "claim,measured,expected,tolerance,pass\n"
                            "identity,0.25,0.25,0,PASS\n"
                            "\"bound, far\",3,13,0,PASS\n"
                            "by construction,-1,0,0,FAIL\n"
                            "undefined,nan,0,1,FAIL\n");
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "claims.csv|sanity.csv|summary.csv");
    cr_run_free(r);
    crt_rmtree(dir);
}

/* A failed (NaN) claim is still recorded in claims.csv, as a failure, and the tables are still written. */
static void test_run_finish_nan_claim(void **state)
{
    (void)state;
    char dir[256], path[400];
    crt_tmpdir(dir);
    cr_run *r = cr_run_alloc(dir, 1);
    assert_non_null(r);
    cr_run_summary_str(r, "status", "failed");
    assert_int_equal(cr_run_claim(r, "objective", NAN, 0.75, 1e-6, CR_CLAIM_ABS), 0);
    cr_err err = {{0}};
    if (cr_run_finish(r, &err)) fail_msg("%s", err.msg);
    path_in(path, sizeof path, dir, "claims.csv");
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    const char *head = "claim,measured,expected,tolerance,pass\nobjective,";
    assert_int_equal(strncmp(text, head, strlen(head)), 0);
    const char *nl = strchr(text + strlen("claim,measured,expected,tolerance,pass\n"), '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], 0); /* one data row */
    assert_non_null(strstr(text, ",0.75,1e-06,FAIL\n"));
    free(text);
    path_in(path, sizeof path, dir, "summary.csv");
    assert_file_bytes(path, "key,value\nstatus,failed\n");
    cr_run_free(r);
    crt_rmtree(dir);
}

/* Keys and values are kept whole, and a repeated long key still replaces the earlier value (run.h). */
static void test_run_summary_long_key_and_value(void **state)
{
    (void)state;
    char dir[256], path[400], key[81], val[601], want[1000];
    crt_tmpdir(dir);
    memset(key, 'k', 80);
    key[80] = 0;
    memset(val, 'v', 600);
    val[600] = 0;
    cr_run *r = cr_run_alloc(dir, 1);
    assert_non_null(r);
    cr_run_summary_int(r, key, 1);
    cr_run_summary_int(r, key, 2);
    cr_run_summary_str(r, "error", val);
    cr_err err = {{0}};
    int st = cr_run_finish(r, &err);
    cr_run_free(r);
    if (st) fail_msg("%s", err.msg);
    path_in(path, sizeof path, dir, "summary.csv");
    snprintf(want, sizeof want, "key,value\n%s,2\nerror,%s\n", key, val);
    char *got = crt_slurp(path, NULL);
    crt_rmtree(dir);
    assert_non_null(got);
    int same = strcmp(got, want) == 0;
    if (!same) {
        char shown[1200];
        snprintf(shown, sizeof shown, "%s", got);
        free(got);
        fail_msg("summary.csv:\n%s\nexpected one row with the whole 80-character key (value 2) and the whole "
                 "600-character error value", shown);
    }
    free(got);
}

/* Tables opened through the run land in its folder. */
static void test_run_table(void **state)
{
    (void)state;
    char dir[256], path[400];
    crt_tmpdir(dir);
    cr_run *r = cr_run_alloc(dir, 0);
    cr_err err = {{0}};
    cr_csv *c = cr_run_table(r, "grid.csv", "u,v", &err);
    assert_non_null(c);
    cr_csv_real(c, -2);
    cr_csv_real(c, 0.25);
    cr_csv_endrow(c);
    assert_int_equal(cr_csv_close(c, &err), CR_OK);
    path_in(path, sizeof path, dir, "grid.csv");
    assert_file_bytes(path, "u,v\n-2,0.25\n");
    cr_run_free(r);
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_exact_bytes),
        cmocka_unit_test(test_csv_shortest_numbers),
        cmocka_unit_test(test_csv_quoted),
        cmocka_unit_test(test_csv_header_only),
        cmocka_unit_test(test_csv_abort_leaves_nothing),
        cmocka_unit_test(test_csv_nonfinite_fails),
        cmocka_unit_test(test_csv_wrong_column_count),
        cmocka_unit_test(test_csv_open_missing_folder),
        cmocka_unit_test(test_atomic_write_file_replaces),
        cmocka_unit_test(test_atomic_cleanup_all),
        cmocka_unit_test(test_claims_compare),
        cmocka_unit_test(test_run_finish_exact),
        cmocka_unit_test(test_run_sanity_apart),
        cmocka_unit_test(test_run_finish_nan_claim),
        cmocka_unit_test(test_run_summary_long_key_and_value),
        cmocka_unit_test(test_run_table),
    };
    return cmocka_run_group_tests_name("csvout", tests, NULL, NULL) ? 1 : 0;
}
