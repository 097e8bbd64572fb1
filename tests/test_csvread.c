/* Tests of src/harness/csvread.c, the program's one CSV reader. The expected records are written out by hand from
 * RFC 4180 (fields separated by commas; a field in double quotes may hold commas, line breaks and "" for one
 * quote; CRLF or LF ends a record) and from the reader's contract in csvread.h (the line a record starts on, the
 * skipped lines, the messages naming NAME:LINE). Inputs are in-memory streams, so NUL bytes can be given. */
#include "testutil.h"

#include "csvread.h"

/* One expected record: its first line and its fields (at most 8), NULL-terminated. */
typedef struct {
    long line;
    const char *f[9];
} rec;

/* Reads every record of text (len bytes) with the given flags and compares them with want[0..nwant). */
static void expect_records(const char *text, size_t len, int flags, const rec *want, size_t nwant, long lines)
{
    FILE *f = fmemopen((void *)text, len, "r");
    assert_non_null(f);
    cr_csvread *r = cr_csvread_new(f, "t.csv", flags);
    assert_non_null(r);
    cr_err err = {{0}};
    for (size_t i = 0;; i++) {
        char **fl;
        size_t n;
        if (cr_csvread_next(r, &fl, &n, &err) != CR_OK) fail_msg("record %zu: %s", i + 1, err.msg);
        if (n == 0) {
            if (i != nwant) fail_msg("%zu records, expected %zu", i, nwant);
            break;
        }
        if (i == nwant) fail_msg("more than the %zu records expected (next at line %ld)", nwant, cr_csvread_line(r));
        size_t m = 0;
        while (want[i].f[m]) m++;
        if (n != m) fail_msg("record %zu: %zu fields, expected %zu", i + 1, n, m);
        for (size_t k = 0; k < n; k++)
            if (strcmp(fl[k], want[i].f[k]) != 0)
                fail_msg("record %zu field %zu: \"%s\", expected \"%s\"", i + 1, k + 1, fl[k], want[i].f[k]);
        if (cr_csvread_line(r) != want[i].line)
            fail_msg("record %zu starts on line %ld, expected %ld", i + 1, cr_csvread_line(r), want[i].line);
    }
    assert_int_equal(cr_csvread_lines(r), lines);
    cr_csvread_free(r);
    fclose(f);
}

#define EXPECT(text, flags, lines, ...)                                                                              \
    do {                                                                                                             \
        const rec want_[] = {__VA_ARGS__};                                                                           \
        expect_records(text, sizeof(text) - 1, flags, want_, sizeof want_ / sizeof want_[0], lines);                 \
    } while (0)

/* The status and message of reading text to its end (or to the first error). */
static int read_all(const char *text, size_t len, int flags, cr_err *err)
{
    FILE *f = fmemopen((void *)text, len, "r");
    assert_non_null(f);
    cr_csvread *r = cr_csvread_new(f, "t.csv", flags);
    assert_non_null(r);
    char **fl;
    size_t n;
    int st;
    while (!(st = cr_csvread_next(r, &fl, &n, err)) && n) continue;
    cr_csvread_free(r);
    fclose(f);
    return st;
}

static void expect_error(const char *text, size_t len, int flags, const char *msg)
{
    cr_err err = {{0}};
    int st = read_all(text, len, flags, &err);
    if (st != CR_EINPUT || strcmp(err.msg, msg) != 0)
        fail_msg("status %d, message \"%s\"; expected CR_EINPUT, \"%s\"", st, err.msg, msg);
}

static void test_plain(void **state)
{
    (void)state;
    EXPECT("a,b,c\n1,2,3\n", 0, 2, {1, {"a", "b", "c"}}, {2, {"1", "2", "3"}});
    /* No line break at the end; empty fields; one field. */
    EXPECT("x\n,,\n,a,\nlast,one", 0, 4, {1, {"x"}}, {2, {"", "", ""}}, {3, {"", "a", ""}}, {4, {"last", "one"}});
    /* Blanks belong to the field; a quote inside a field without quotes is an ordinary byte. */
    EXPECT(" a , b\nab\"c,d\"\n", 0, 2, {1, {" a ", " b"}}, {2, {"ab\"c", "d\""}});
    /* An empty input has no record and no line. */
    FILE *f = tmpfile();
    assert_non_null(f);
    cr_csvread *r = cr_csvread_new(f, "e.csv", 0);
    cr_err err = {{0}};
    char **fl;
    size_t n = 7;
    assert_int_equal(cr_csvread_next(r, &fl, &n, &err), CR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cr_csvread_lines(r), 0);
    cr_csvread_free(r);
    fclose(f);
}

static void test_quoted(void **state)
{
    (void)state;
    /* A comma, a doubled quote, an empty quoted field. */
    EXPECT("\"x,y\",\"say \"\"hi\"\"\",\"\"\n", 0, 1, {1, {"x,y", "say \"hi\"", ""}});
    /* A line break inside quotes belongs to the field; the next record starts on the line after. */
    EXPECT("\"two\nlines\",b\n\"three\n\nlines\"\nz\n", 0, 6, {1, {"two\nlines", "b"}}, {3, {"three\n\nlines"}},
           {6, {"z"}});
    /* A quoted field at the end of the input without a line break. */
    EXPECT("a,\"b\"", 0, 1, {1, {"a", "b"}});
    /* A quote that does not start the field is not a quoting quote. */
    EXPECT("a\"b\",c\n", 0, 1, {1, {"a\"b\"", "c"}});
}

static void test_crlf(void **state)
{
    (void)state;
    EXPECT("a,b\r\n\"c\",d\r\n1,\"2\"\r\n", 0, 3, {1, {"a", "b"}}, {2, {"c", "d"}}, {3, {"1", "2"}});
    /* Inside quotes CR LF is kept as it is; a CR elsewhere in a line is data. */
    EXPECT("\"a\r\nb\"\r\nx\ry,z\n", 0, 3, {1, {"a\r\nb"}}, {3, {"x\ry", "z"}});
    /* Several CRs before the line's end all belong to the ending. */
    EXPECT("a,b\r\r\n\"q\"\r\r\n", 0, 2, {1, {"a", "b"}}, {2, {"q"}});
}

static void test_skipped_lines(void **state)
{
    (void)state;
    const char text[] = "h\n\n\r\n# note\n  \n\t# indented\n1,2\n";
    EXPECT(text, 0, 7, {1, {"h"}}, {2, {""}}, {3, {""}}, {4, {"# note"}}, {5, {"  "}}, {6, {"\t# indented"}},
           {7, {"1", "2"}});
    EXPECT(text, CR_CSVREAD_SKIP_EMPTY, 7, {1, {"h"}}, {4, {"# note"}}, {5, {"  "}}, {6, {"\t# indented"}},
           {7, {"1", "2"}});
    EXPECT(text, CR_CSVREAD_SKIP_COMMENTS, 7, {1, {"h"}}, {7, {"1", "2"}});
    /* A '#' inside a record is data. */
    EXPECT("a,#b\n", CR_CSVREAD_SKIP_COMMENTS, 1, {1, {"a", "#b"}});
}

static void test_errors(void **state)
{
    (void)state;
    const char nul[] = "a\n1,\0002\n";
    expect_error(nul, sizeof nul - 1, 0, "t.csv:2: NUL byte in the line");
    /* A NUL byte on a skipped line is still refused. */
    const char nulc[] = "# \000\n1\n";
    expect_error(nulc, sizeof nulc - 1, CR_CSVREAD_SKIP_COMMENTS, "t.csv:1: NUL byte in the line");
    const char open[] = "x\n\"open,1\n2\n3\n";
    expect_error(open, sizeof open - 1, 0, "t.csv:2: quoted field not closed before the end of the file");
    const char after[] = "ok\n\"a\"b,c\n";
    expect_error(after, sizeof after - 1, 0, "t.csv:2: text after the closing quote of a field");
    const char after2[] = "\"a\nb\" ,c\n";
    expect_error(after2, sizeof after2 - 1, 0, "t.csv:2: text after the closing quote of a field");
}

/* A wide record then narrow ones: the field array is reused, each record sees only its own fields. */
static void test_widths(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    for (int k = 0; k < 1000; k++) fprintf(m, "%s%d", k ? "," : "", k);
    fputs("\nlast\n", m);
    assert_int_equal(fclose(m), 0);
    FILE *f = fmemopen(text, len, "r");
    cr_csvread *r = cr_csvread_new(f, "w.csv", 0);
    cr_err err = {{0}};
    char **fl;
    size_t n;
    assert_int_equal(cr_csvread_next(r, &fl, &n, &err), CR_OK);
    assert_int_equal(n, 1000);
    for (int k = 0; k < 1000; k++) assert_int_equal(atoi(fl[k]), k);
    assert_int_equal(cr_csvread_next(r, &fl, &n, &err), CR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(fl[0], "last");
    assert_int_equal(cr_csvread_next(r, &fl, &n, &err), CR_OK);
    assert_int_equal(n, 0);
    cr_csvread_free(r);
    cr_csvread_free(NULL);
    fclose(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),         cmocka_unit_test(test_quoted), cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_skipped_lines), cmocka_unit_test(test_errors), cmocka_unit_test(test_widths),
    };
    return cmocka_run_group_tests_name("csvread", tests, NULL, NULL) ? 1 : 0;
}
