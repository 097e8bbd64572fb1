/* Tests of src/err.c: cr_err_set formats and returns the status (NULL accepted), writes control characters of
 * echoed input as escapes so that a message stays one line, truncates without splitting an escape; cr_err_prefix
 * prepends "context: ", escapes the context too, nests, and keeps the message within its buffer. Expected
 * strings are written out by hand. */
#include "testutil.h"

#include "err.h"

static void test_set(void **state)
{
    (void)state;
    cr_err e;
    assert_int_equal(cr_err_set(&e, CR_EINPUT, "%s:%d:%d: %s", "a.yaml", 3, 7, "bad"), CR_EINPUT);
    assert_string_equal(e.msg, "a.yaml:3:7: bad");
    assert_int_equal(cr_err_set(&e, CR_ERUNTIME, "x"), CR_ERUNTIME);
    assert_string_equal(e.msg, "x");
    assert_int_equal(cr_err_set(NULL, 7, "ignored %d", 1), 7);
    assert_int_equal(cr_err_set(&e, CR_OK, "%s", ""), CR_OK);
    assert_string_equal(e.msg, "");
}

static void test_escapes(void **state)
{
    (void)state;
    cr_err e;
    cr_err_set(&e, CR_EINPUT, "got \"%s\"", "a\nb\rc\td\x01" "e\x7f" "f\x1b");
    assert_string_equal(e.msg, "got \"a\\nb\\rc\\td\\x01e\\x7ff\\x1b\"");
    /* Bytes from 0x80 (UTF-8) are text, kept as they are. */
    cr_err_set(&e, CR_EINPUT, "%s", "caf\xc3\xa9 \xe2\x80\x94 ok");
    assert_string_equal(e.msg, "caf\xc3\xa9 \xe2\x80\x94 ok");
    assert_null(strchr(e.msg, '\n'));
}

static void test_truncation(void **state)
{
    (void)state;
    cr_err e;
    char big[3000], want[1100];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cr_err_set(&e, CR_EINPUT, "%s", big);
    assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
    /* 1022 characters and a newline: its escape "\n" does not fit whole, so it is left out. */
    big[1022] = '\n';
    big[1023] = 0;
    cr_err_set(&e, CR_EINPUT, "%s", big);
    memset(want, 'a', 1022);
    want[1022] = 0;
    assert_string_equal(e.msg, want);
    /* 1021 characters and a newline: the escape fits exactly. */
    big[1021] = '\n';
    big[1022] = 0;
    cr_err_set(&e, CR_EINPUT, "%s", big);
    memcpy(want + 1021, "\\n", 3);
    assert_string_equal(e.msg, want);
}

static void test_prefix(void **state)
{
    (void)state;
    cr_err e;
    cr_err_set(&e, CR_EINPUT, "train.lr: expected a number > 0");
    cr_err_prefix(&e, "%s:%d", "configs/x.yaml", 12);
    assert_string_equal(e.msg, "configs/x.yaml:12: train.lr: expected a number > 0");
    cr_err_prefix(&e, "run");
    assert_string_equal(e.msg, "run: configs/x.yaml:12: train.lr: expected a number > 0");
    cr_err_set(&e, CR_EINPUT, "m");
    cr_err_prefix(&e, "%s", "new\nline");
    assert_string_equal(e.msg, "new\\nline: m");
    cr_err_prefix(NULL, "nothing"); /* accepted */
    /* A full message keeps the prefix and as much of itself as fits. */
    char big[1100], want[1100];
    memset(big, 'b', 1023);
    big[1023] = 0;
    cr_err_set(&e, CR_EINPUT, "%s", big);
    cr_err_prefix(&e, "f.yaml");
    assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
    snprintf(want, sizeof want, "f.yaml: %.*s", (int)(sizeof e.msg - 1 - 8), big);
    assert_string_equal(e.msg, want);
    /* A prefix longer than its 511-character room is cut there. */
    char head[700];
    memset(head, 'h', sizeof head - 1);
    head[sizeof head - 1] = 0;
    cr_err_set(&e, CR_EINPUT, "tail");
    cr_err_prefix(&e, "%s", head);
    snprintf(want, sizeof want, "%.511s: tail", head);
    assert_string_equal(e.msg, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
