/* Tests of metrics.h against closed forms: hand-computed means on small vectors, the class convention at 0,
 * the logistic loss and probability at margins far beyond exp's range (their limits), and n = 0. */
#include "testutil.h"

#include <math.h>

#include "metrics.h"

/* f = (1, -2, 0.5, 0), y = (1, 1, -1, -1): residuals 0, -3, 1.5, 1; margins 1, -2, -0.5, 0. */
static void test_small_closed_form(void **state)
{
    (void)state;
    const double f[] = {1, -2, 0.5, 0}, y[] = {1, 1, -1, -1};
    cr_metrics m;
    cr_metrics_compute(f, y, 4, &m);
    assert_int_equal(m.n, 4);
    assert_true(fabs(m.mse - (0 + 9 + 2.25 + 1) / 4.0) <= 1e-15);
    /* classes +1, -1, +1, +1 (0 -> +1): only sample 1 is right. */
    assert_true(m.accuracy == 0.25);
    const double logistic = (log(1 + exp(-1.0)) + log(1 + exp(2.0)) + log(1 + exp(0.5)) + log(2.0)) / 4.0;
    assert_true(fabs(m.logistic_loss - logistic) <= 1e-15 * logistic);
    /* hinge: max(0, 1 - q) for q = 1, -2, -0.5, 0: 0, 3, 1.5, 1. */
    assert_true(fabs(m.hinge_loss - 5.5 / 4.0) <= 1e-15);
}

static void test_perfect_and_zero(void **state)
{
    (void)state;
    const double y[] = {1, -1, -1, 1, 1};
    cr_metrics m;
    cr_metrics_compute(y, y, 5, &m);
    assert_true(m.mse == 0 && m.accuracy == 1 && m.hinge_loss == 0);
    assert_true(fabs(m.logistic_loss - log(1 + exp(-1.0))) <= 1e-15);
    const double z[5] = {0};
    cr_metrics_compute(z, y, 5, &m);
    assert_true(m.mse == 1 && m.hinge_loss == 1);
    assert_true(fabs(m.logistic_loss - log(2.0)) <= 1e-16);
    assert_true(m.accuracy == 0.6); /* f = 0 is class +1: the three +1 labels */
}

/* log(1 + exp(-q)) -> -q for q -> -inf and -> exp(-q) for q -> +inf; sigma(f) -> 1, exp(f) at the ends. */
static void test_extreme_margins(void **state)
{
    (void)state;
    const double f[] = {1000, -800}, y[] = {-1, -1};
    cr_metrics m;
    cr_metrics_compute(f, y, 2, &m);
    assert_true(isfinite(m.logistic_loss));
    assert_true(fabs(m.logistic_loss - 1000 / 2.0) <= 1e-12);
    assert_true(m.accuracy == 0.5);
    assert_true(m.hinge_loss == 1001 / 2.0);
    assert_true(cr_metrics_probability(1000) == 1.0);
    assert_true(cr_metrics_probability(-700) > 0 && fabs(cr_metrics_probability(-700) / exp(-700) - 1) <= 1e-12);
    assert_true(cr_metrics_probability(0) == 0.5);
    assert_true(fabs(cr_metrics_probability(2) - 1 / (1 + exp(-2.0))) <= 1e-16);
    assert_true(cr_metrics_class(0) == 1 && cr_metrics_class(-0.0) == 1 && cr_metrics_class(-1e-300) == -1);
}

static void test_empty(void **state)
{
    (void)state;
    cr_metrics m;
    cr_metrics_compute(NULL, NULL, 0, &m);
    assert_int_equal(m.n, 0);
    assert_true(isnan(m.mse) && isnan(m.accuracy) && isnan(m.logistic_loss) && isnan(m.hinge_loss));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_closed_form),
        cmocka_unit_test(test_perfect_and_zero),
        cmocka_unit_test(test_extreme_margins),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
