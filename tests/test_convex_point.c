/* Tests of src/convex_point.c: convex points of the regularized and the max-margin programs and the networks
 * they give. */
#include "testutil.h"

#include <math.h>

#include "convex.h"

/* ============================================================================ arguments */

static void test_to_network_arguments(void **state)
{
    (void)state;
    cr_err e;
    /* u_0 = (1, 0), u'_1 = (0, 1): two neurons, w1 = u / sqrt(||u||) = u, w2 = +1 and -1. A view on caller arrays. */
    double u[4] = {1, 0, 0, 0}, up[4] = {0, 0, 0, 1}, W1[4], w2[2];
    const cr_convex_sol v = {2, 2, u, up};
    size_t m;
    assert_int_equal(cr_convex_to_network(&v, W1, w2, 1, &m, &e), CR_EINPUT);
    assert_int_equal(m, 2);
    assert_int_equal(cr_convex_to_network(&v, NULL, NULL, 0, &m, &e), CR_EINPUT);
    assert_int_equal(m, 2);
    assert_int_equal(cr_convex_to_network(&v, W1, w2, 2, &m, &e), CR_OK);
    assert_true(m == 2 && w2[0] == 1.0 && w2[1] == -1.0);
    assert_true(W1[0] == 1.0 && W1[2] == 0.0 && W1[1] == 0.0 && W1[3] == 1.0);
    assert_int_equal(cr_convex_to_network(NULL, W1, w2, 2, &m, &e), CR_EINPUT);
    assert_int_equal(cr_convex_to_network(&v, NULL, w2, 2, &m, &e), CR_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_network_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
