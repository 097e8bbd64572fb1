/* Tests of src/timer.c: cr_seconds never goes backwards over many calls, resolves well below a millisecond, and
 * advances across a sleep by at least the time slept (nanosleep's guarantee) and not absurdly more. */
#include "testutil.h"

#include <time.h>

#include "timer.h"

static void test_monotone(void **state)
{
    (void)state;
    double prev = cr_seconds(), smallest_step = INFINITY;
    assert_true(isfinite(prev) && prev >= 0);
    for (int i = 0; i < 200000; i++) {
        double t = cr_seconds();
        assert_true(t >= prev);
        if (t > prev) smallest_step = fmin(smallest_step, t - prev);
        prev = t;
    }
    assert_true(smallest_step < 1e-4);
}

static void test_sleep(void **state)
{
    (void)state;
    const struct timespec nap = {0, 50000000}; /* 50 ms */
    double t0 = cr_seconds();
    assert_int_equal(nanosleep(&nap, NULL), 0);
    double dt = cr_seconds() - t0;
    assert_true(dt >= 0.05);
    assert_true(dt < 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_sleep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
