/* Tests of src/relerr.c: relative differences on the scale max(1, |ref|), with values worked by hand (dyadic
 * numbers, so every expected value is exact). */
#include "testutil.h"

#include "relerr.h"

/* Above |ref| = 1 the difference is relative to ref, below it absolute; the sign says which is larger. */
static void test_relerr_scale(void **state)
{
    (void)state;
    assert_true(cr_relerr(10.0, 8.0) == 0.25);   /* 2 / 8 */
    assert_true(cr_relerr(6.0, 8.0) == -0.25);
    assert_true(cr_relerr(-6.0, -8.0) == 0.25);  /* scale |ref| = 8 */
    assert_true(cr_relerr(0.75, 0.5) == 0.25);   /* |ref| < 1: absolute */
    assert_true(cr_relerr(0.25, 0.0) == 0.25);
    assert_true(isnan(cr_relerr(NAN, 1.0)));
}

static void test_relerr_within(void **state)
{
    (void)state;
    assert_int_equal(cr_relerr_within(10.0, 8.0, 0.25), 1);  /* |2| <= 0.25 * 8: the bound is inclusive */
    assert_int_equal(cr_relerr_within(10.0, 8.0, 0.125), 0);
    assert_int_equal(cr_relerr_within(0.5, 0.25, 0.25), 1);  /* |0.25| <= 0.25 * 1 */
    assert_int_equal(cr_relerr_within(0.5, 0.25, 0.125), 0);
    assert_int_equal(cr_relerr_within(NAN, 1.0, 1.0), 0);
    assert_int_equal(cr_relerr_within(1.0, NAN, 1.0), 0);
}

/* The gap is relative to the primal value, not to the dual bound. */
static void test_relerr_gap(void **state)
{
    (void)state;
    assert_true(cr_relerr_gap(8.0, 6.0) == 0.25);   /* 2 / 8 */
    assert_true(cr_relerr_gap(-8.0, -10.0) == 0.25); /* 2 / |-8| */
    assert_true(cr_relerr_gap(0.5, 0.25) == 0.25);  /* |primal| < 1: absolute */
    assert_true(cr_relerr_gap(6.0, 8.0) == -1.0 / 3.0);
}

/* The largest relative drop between logged values, counted from a step on; worked by hand (dyadic values). */
static void test_relerr_max_drop(void **state)
{
    (void)state;
    const double v[] = {1, 2, 1, 3, 2.25};
    const long t[] = {0, 10, 20, 30, 40};
    assert_true(cr_relerr_max_drop(v, t, 5, 0) == 0.5);   /* 2 -> 1 */
    assert_true(cr_relerr_max_drop(v, t, 5, 20) == 0.25); /* 3 -> 2.25; the drop 2 -> 1 starts at t = 10 */
    assert_true(cr_relerr_max_drop(v, t, 5, 41) == 0.0);
    const double up[] = {1, 1, 2, 4};
    assert_true(cr_relerr_max_drop(up, t, 4, 0) == 0.0); /* nondecreasing */
    const double neg[] = {-4, -5};
    assert_true(cr_relerr_max_drop(neg, t, 2, 0) == 0.25); /* scaled by |-4| */
    assert_true(cr_relerr_max_drop(v, t, 1, 0) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relerr_scale),
        cmocka_unit_test(test_relerr_within),
        cmocka_unit_test(test_relerr_gap),
        cmocka_unit_test(test_relerr_max_drop),
    };
    return cmocka_run_group_tests_name("relerr", tests, NULL, NULL);
}
