/* Tests of src/harness/dataload.c: the CSV loader (good files, quoting as csvread.h reads it, and every
 * tests/bad_data/ fixture, whose error must name "PATH:LINE" of the offending line, counted by hand from the
 * fixture), the limits on input (not a regular file, the size against limits.memory_mb) and
 * cr_dataload_from_config (each data.kind, the data stream's own seed, bad CSV through the config). */
#include "testutil.h"

#include <math.h>
#include <sys/resource.h>

#include "config.h"
#include "dataload.h"
#include "rng.h"

#define BAD_DATA CR_SOURCE_DIR "/tests/bad_data/"

/* ------------------------------------------------------------------ helpers */


static void write_bytes(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Loads text written to a fresh temporary file; the folder is removed before returning. */
static int load_text(const char *text, cr_data **out, cr_err *err)
{
    char dir[256], path[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/d.csv", dir);
    write_bytes(path, text, strlen(text));
    int st = cr_dataload_csv(path, 0, out, err);
    crt_rmtree(dir);
    return st;
}

/* ------------------------------------------------------------- CSV: good */

static void test_csv_header_detected(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1, 2, 3, 4}, y[] = {1, -1};
    if (load_text("x1,x2,y\n1,2,1\n3,4,-1\n", &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 2, 2, X, y);
    cr_data_free(D);
    D = NULL;
    /* Without a header the first row is data. */
    if (load_text("1,2,1\n3,4,-1\n", &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 2, 2, X, y);
    cr_data_free(D);
}

static void test_csv_comments_blank_crlf(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1, 2, 3, 4, 5, 6}, y[] = {1, -1, 1};
    const char *text = "# features then label\r\n\r\n x1 , x2 , y \r\n 1 , 2 , 1 \r\n# between rows\r\n   \r\n"
                       "3,4,-1\r\n\n\t\n5,6,1"; /* the last line has no line break */
    if (load_text(text, &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 3, 2, X, y);
    cr_data_free(D);
}

static void test_csv_number_forms(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {-150.0, 0.25, 1e-3, -7}, y[] = {3, -0.5};
    if (load_text("-1.5e2,0.25,+3\n1E-3,-7,-.5\n", &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 2, 2, X, y);
    cr_data_free(D);
    /* One feature. */
    const double X1[] = {0.5}, y1[] = {1};
    D = NULL;
    if (load_text("x,y\n0.5,1\n", &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 1, 1, X1, y1);
    cr_data_free(D);
}

/* A tiny but finite number (subnormal) is a finite number: it loads, it is not "NaN or infinite". */
static void test_csv_subnormal_is_finite(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1e-310}, y[] = {1};
    int st = load_text("1e-310,1\n", &D, &err);
    if (st) fail_msg("1e-310 (a finite, representable double) refused: %s", err.msg);
    crt_assert_data(D, 1, 1, X, y);
    cr_data_free(D);
}

/* Fields are read as CSV (RFC 4180, csvread.h): a quoted header name may hold a comma, a quoted number is a number,
 * and a quote left open is refused naming the line it opened on. */
static void test_csv_quoted_fields(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    const double X[] = {1.5, 2}, y[] = {-1, 1};
    if (load_text("\"x, first\",\"y\"\r\n\"1.5\",-1\r\n 2 ,\"1\"\n", &D, &err)) fail_msg("%s", err.msg);
    crt_assert_data(D, 2, 1, X, y);
    cr_data_free(D);
    D = NULL;
    assert_int_equal(load_text("1,2\n3,\"4\n5,6\n", &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, ":2: quoted field not closed before the end of the file"));
}

static void test_csv_missing_file(void **state)
{
    (void)state;
    cr_data *D = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_dataload_csv(BAD_DATA "does_not_exist.csv", 0, &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, BAD_DATA "does_not_exist.csv"));
}

/* -------------------------------------------------------------- CSV: bad */

typedef struct {
    const char *file;
    long line;        /* of the offending line, from 1; 0: not pinned */
    const char *part; /* a fragment of the message */
} bad_csv;

static const bad_csv bad_csvs[] = {
    {"empty.csv", 1, "no data rows"},
    {"only_header.csv", 1, "no data rows"},
    {"only_comments.csv", 0, "no data rows"},
    {"ragged_short.csv", 4, "ragged row: expected 3 fields, got 2"},
    {"ragged_long.csv", 2, "ragged row: expected 3 fields, got 4"},
    {"header_wider_than_rows.csv", 2, "expected 3 fields, got 2"},
    {"non_number.csv", 5, "column 2: expected a number, got \"abc\""},
    {"nan.csv", 4, "column 1: expected a finite number"},
    {"inf_crlf.csv", 3, "column 1: expected a finite number"},
    {"inf_label.csv", 1, "column 3: expected a finite number"},
    {"overflow.csv", 2, "column 1: expected a finite number"},
    {"single_column.csv", 1, "expected at least 2 columns"},
    {"single_column_header.csv", 2, "expected at least 2 columns"},
    {"crlf_ragged.csv", 4, "ragged row: expected 3 fields, got 2"},
    {"nul_byte.csv", 2, "NUL byte"},
    {"empty_field.csv", 2, "column 2: expected a number"},
    {"second_header.csv", 3, "column 1: expected a number"},
    {"blank_then_bad.csv", 4, "column 3: expected a number"},
};

static void test_csv_bad_fixture(void **state)
{
    const bad_csv *b = *state;
    char path[512], where[600];
    snprintf(path, sizeof path, BAD_DATA "%s", b->file);
    assert_true(crt_exists(path));
    if (b->line) snprintf(where, sizeof where, "%s:%ld: ", path, b->line);
    else snprintf(where, sizeof where, "%s:", path);
    cr_data *D = NULL;
    cr_err err = {{0}};
    int st = cr_dataload_csv(path, 0, &D, &err);
    if (st != CR_EINPUT) {
        if (D) {
            size_t n = D->n, d = D->d;
            cr_data_free(D);
            fail_msg("%s: loaded as n = %zu, d = %zu; expected CR_EINPUT at \"%s\" with \"%s\"", b->file, n, d, where,
                     b->part);
        }
        fail_msg("%s: status %d, expected CR_EINPUT (%s)", b->file, st, err.msg);
    }
    assert_null(D);
    if (strncmp(err.msg, where, strlen(where)) != 0) fail_msg("%s: message \"%s\" does not start with \"%s\"", b->file, err.msg, where);
    if (!strstr(err.msg, b->part)) fail_msg("%s: message \"%s\" lacks \"%s\"", b->file, err.msg, b->part);
}

/* ----------------------------------------------------- limits on input */

/* A device, a FIFO and a folder have no size to check: refused before anything is read (before the check,
 * /dev/zero was read until memory ran out and opening a FIFO waited for a writer forever). alarm() turns a
 * hang into a failure. */
static void test_csv_not_regular(void **state)
{
    (void)state;
    char dir[256], fifo[300];
    crt_tmpdir(dir);
    snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {"/dev/zero", fifo, dir};
    alarm(10);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        cr_data *D = NULL;
        cr_err err = {{0}};
        int st = cr_dataload_csv(paths[i], 100, &D, &err);
        if (st != CR_EINPUT || !strstr(err.msg, "not a regular file"))
            fail_msg("%s: status %d, message \"%s\"; expected CR_EINPUT, not a regular file", paths[i], st, err.msg);
        assert_null(D);
    }
    alarm(0);
    crt_rmtree(dir);
}

/* The file's size against limits.memory_mb, before reading: the loader's worst case is 18 bytes per byte of the
 * file (data.h), so 64 KiB = 65536 bytes need 1179648 bytes = 1.125 MiB: refused at 1 MiB, loaded at 2 MiB. A
 * sparse file of 1 GiB (no disk used, all NUL bytes) is refused by its size, not by its first line. */
static void test_csv_size_limit(void **state)
{
    (void)state;
    char dir[256], path[300], sparse[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 16384; i++) fputs("1,1\n", f); /* 4 bytes a row: 65536 bytes */
    assert_int_equal(fclose(f), 0);
    cr_data *D = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_dataload_csv(path, 1, &D, &err), CR_EINPUT);
    assert_null(D);
    char want[512];
    snprintf(want, sizeof want, "%s: data file of 65536 bytes may need up to 1.12 MiB to load", path);
    if (strncmp(err.msg, want, strlen(want)) != 0) fail_msg("message \"%s\", expected \"%s...\"", err.msg, want);
    assert_int_equal(cr_dataload_csv(path, 2, &D, &err), CR_OK);
    assert_int_equal(D->n, 16384);
    assert_int_equal(D->d, 1);
    cr_data_free(D);
    D = NULL;

    snprintf(sparse, sizeof sparse, "%s/sparse.csv", dir);
    f = fopen(sparse, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 1L << 30), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(cr_dataload_csv(sparse, 1000, &D, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "data file of 1073741824 bytes may need up to"));

    /* Through the config: limits.memory_mb applies. */
    cr_config c;
    char set[400];
    cr_config_defaults(&c);
    snprintf(set, sizeof set, "data.path=%s", path);
    assert_int_equal(cr_config_set(&c, "data.kind=csv", &err), CR_OK);
    assert_int_equal(cr_config_set(&c, set, &err), CR_OK);
    assert_int_equal(cr_config_set(&c, "limits.memory_mb=1", &err), CR_OK);
    assert_int_equal(cr_dataload_from_config(&c, &D, &err), CR_EINPUT);
    assert_null(D);
    assert_non_null(strstr(err.msg, "more than limits.memory_mb = 1"));
    crt_rmtree(dir);
}

/* The loader keeps within its documented worst case, CR_DATALOAD_CSV_BYTES_PER_BYTE bytes per file byte (the
 * memory guard relies on it): a child process whose address space is limited to what it uses plus that bound
 * (and 8 MiB of slack for the allocator) loads one row of 400000 fields "0,0,...", 800000 bytes. Before the fix
 * the value array started at 64 rows, 64 x 400000 doubles = 195 MiB, and the load failed. Under AddressSanitizer
 * (which reserves terabytes of address space) only the load itself is checked. */
static long vm_size_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmSize:", 7) == 0) kib = strtol(line + 7, NULL, 10);
    if (f) fclose(f);
    return kib;
}

static void test_csv_memory_within_bound(void **state)
{
    (void)state;
    char dir[256], path[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/wide.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const long nfields = 400000;
    for (long k = 0; k < nfields; k++) fputs(k ? ",0" : "0", f);
    fputc('\n', f);
    assert_int_equal(fclose(f), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
        long kib = vm_size_kib();
        if (kib < 0) _exit(3);
        rlim_t limit = (rlim_t)kib * 1024 + (rlim_t)(2 * nfields) * CR_DATALOAD_CSV_BYTES_PER_BYTE + (8u << 20);
        struct rlimit rl = {limit, limit};
        if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
#endif
        cr_data *D = NULL;
        cr_err err = {{0}};
        int st = cr_dataload_csv(path, 0, &D, &err);
        _exit(st == CR_OK && D->n == 1 && D->d == (size_t)nfields - 1 ? 0 : 1);
    }
    int wst;
    assert_int_equal(waitpid(pid, &wst, 0), pid);
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
        fail_msg("loading %ld bytes within %d bytes per byte failed (wait status %d)", 2 * nfields,
                 CR_DATALOAD_CSV_BYTES_PER_BYTE, wst);
    crt_rmtree(dir);
}

/* ---------------------------------------------------------- from config */

static cr_data *from_sets(const char *const *sets, size_t n)
{
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    for (size_t i = 0; i < n; i++)
        if (cr_config_set(&c, sets[i], &err)) fail_msg("%s: %s", sets[i], err.msg);
    cr_data *D = NULL;
    if (cr_dataload_from_config(&c, &D, &err)) fail_msg("from_config: %s", err.msg);
    assert_non_null(D);
    return D;
}

static void test_from_config(void **state)
{
    (void)state;
    const char *s1[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=10", "seed=1"};
    const char *s2[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=10", "seed=2"};
    const char *s3[] = {"data.kind=gaussian", "data.n=15", "data.d=4", "data.seed=11", "seed=1"};
    cr_data *A = from_sets(s1, 5), *B = from_sets(s2, 5), *C = from_sets(s3, 5);
    assert_int_equal(A->n, 15);
    assert_int_equal(A->d, 4);
    /* The data has its own stream: the master seed does not move it, the data seed does. */
    assert_true(crt_same_data(A, B));
    assert_false(crt_same_data(A, C));
    cr_data_free(A);
    cr_data_free(B);
    cr_data_free(C);

    const char *s4[] = {"data.kind=gaussian", "data.labels=sign", "data.n=50", "data.seed=3"};
    A = from_sets(s4, 4);
    for (size_t i = 0; i < A->n; i++) assert_true(A->y[i] == 1.0 || A->y[i] == -1.0);
    cr_data_free(A);

    const char *s5[] = {"data.kind=orthsep", "data.n=25", "data.d=3", "data.cone_deg=15", "data.between_deg=140",
                        "data.seed=4"};
    A = from_sets(s5, 6);
    assert_int_equal(A->n, 25);
    assert_int_equal(A->d, 3);
    assert_int_equal(cr_data_orthsep_check(A, NULL, NULL), 1);
    cr_data_free(A);

    const char *s6[] = {"data.kind=slide", "data.n=99"};
    A = from_sets(s6, 2);
    const double X[] = {3, 3, 2, 2, 1, 0}, y[] = {1, -1, 1};
    crt_assert_data(A, 3, 2, X, y);
    cr_data_free(A);

    char dir[256], path[300], set[400];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/x.csv", dir);
    write_bytes(path, "a,b,c,y\n1,2,3,-1\n", strlen("a,b,c,y\n1,2,3,-1\n"));
    snprintf(set, sizeof set, "data.path=%s", path);
    const char *s7[] = {"data.kind=csv", set};
    A = from_sets(s7, 2);
    const double X7[] = {1, 2, 3}, y7[] = {-1};
    crt_assert_data(A, 1, 3, X7, y7);
    cr_data_free(A);

    /* Bad CSV through the config: CR_EINPUT naming the file and line. */
    write_bytes(path, "a,b,y\n1,2,3\n1,2\n", strlen("a,b,y\n1,2,3\n1,2\n"));
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "data.kind=csv", &err), CR_OK);
    assert_int_equal(cr_config_set(&c, set, &err), CR_OK);
    A = NULL;
    assert_int_equal(cr_dataload_from_config(&c, &A, &err), CR_EINPUT);
    assert_null(A);
    char where[400];
    snprintf(where, sizeof where, "%s:3: ", path);
    assert_non_null(strstr(err.msg, where));
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_header_detected),
        cmocka_unit_test(test_csv_comments_blank_crlf),
        cmocka_unit_test(test_csv_number_forms),
        cmocka_unit_test(test_csv_subnormal_is_finite),
        cmocka_unit_test(test_csv_quoted_fields),
        cmocka_unit_test(test_csv_missing_file),
        cmocka_unit_test(test_csv_not_regular),
        cmocka_unit_test(test_csv_size_limit),
        cmocka_unit_test(test_csv_memory_within_bound),
        cmocka_unit_test(test_from_config),
    };
    int failed = cmocka_run_group_tests_name("dataload", tests, NULL, NULL);

    /* One case per bad CSV fixture. */
    const size_t nb = sizeof bad_csvs / sizeof bad_csvs[0];
    struct CMUnitTest bt[sizeof bad_csvs / sizeof bad_csvs[0]];
    memset(bt, 0, sizeof bt);
    for (size_t i = 0; i < nb; i++) {
        bt[i].name = bad_csvs[i].file;
        bt[i].test_func = test_csv_bad_fixture;
        bt[i].initial_state = (void *)&bad_csvs[i];
    }
    failed += _cmocka_run_group_tests("bad_data", bt, nb, NULL, NULL);
    return failed ? 1 : 0;
}
