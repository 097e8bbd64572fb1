/* Tests of src/timer.c: cr_seconds never goes backwards over many calls, resolves well below a millisecond, and
 * advances across a sleep by at least the time slept (nanosleep's guarantee) and not absurdly more; cr_cpu_seconds
 * does not advance in a sleep and advances in a busy loop. */
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

/* CPU time: a 50 ms sleep costs (almost) none of it; a busy loop advances it, never by more
 * than the wall time it took (one thread here) plus the clock's resolution. */
static void test_cpu(void **state)
{
    (void)state;
    const struct timespec nap = {0, 50000000};
    /* The clock counts the whole process: a library's worker threads (OpenBLAS, a sanitizer's) may still run
     * during one nap, so of 5 naps at least one must cost almost no CPU (a wall clock would charge every one). */
    double least = 1e9;
    for (int k = 0; k < 5; k++) {
        double c0 = cr_cpu_seconds();
        assert_int_equal(nanosleep(&nap, NULL), 0);
        double dc = cr_cpu_seconds() - c0;
        if (dc < least) least = dc;
    }
    assert_true(least < 0.03);
    double c0;
    double w0 = cr_seconds();
    c0 = cr_cpu_seconds();
    volatile double x = 0;
    while (cr_cpu_seconds() - c0 < 0.05 && cr_seconds() - w0 < 20) x += 1.0;
    double dc = cr_cpu_seconds() - c0, dw = cr_seconds() - w0;
    assert_true(dc >= 0.05); /* it advances (within 20 s however busy the machine) */
    assert_true(dc <= dw + 0.01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_sleep),
        cmocka_unit_test(test_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
