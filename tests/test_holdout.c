/* Tests of src/holdout.c: the held-out split is a partition of the samples in their order with the requested
 * sizes, refuses what it cannot split, and picks each sample with probability n_test / n (counted over many
 * seeds against that closed form); the active-neuron count on a hand-built network whose contributions
 * ||w1_j|| |w2_j| are known. */
#include "testutil.h"

#include <math.h>

#include "holdout.h"
#include "rng.h"

/* Sample i has X row (i, -i) and label i + 0.5: each row names its sample. */
static cr_data *numbered(size_t n)
{
    cr_data *D = cr_data_alloc(n, 2);
    assert_non_null(D);
    for (size_t i = 0; i < n; i++) {
        D->X[2 * i] = (double)i;
        D->X[2 * i + 1] = -(double)i;
        D->y[i] = (double)i + 0.5;
    }
    return D;
}

static void test_partition(void **state)
{
    (void)state;
    const size_t n = 37, n_test = 11;
    cr_data *D = numbered(n);
    gsl_rng *rng = cr_rng_stream(5, "holdout");
    cr_err err = {0};
    assert_int_equal(cr_data_holdout(D, n_test, rng, &err), CR_OK);
    assert_non_null(D->test);
    assert_int_equal(D->n, n - n_test);
    assert_int_equal(D->test->n, n_test);
    assert_int_equal(D->test->d, 2);
    int seen[37] = {0};
    const cr_data *S[2] = {D, D->test};
    for (int s = 0; s < 2; s++) {
        double last = -1;
        for (size_t i = 0; i < S[s]->n; i++) {
            const double id = S[s]->X[2 * i];
            assert_true(id > last); /* original order kept */
            last = id;
            assert_true(S[s]->X[2 * i + 1] == -id);
            assert_true(S[s]->y[i] == id + 0.5);
            seen[(size_t)id]++;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (seen[i] != 1) fail_msg("sample %zu appears %d times", i, seen[i]);
    /* A second split is refused: the data set has its test set. */
    assert_int_equal(cr_data_holdout(D, 3, rng, &err), CR_EINPUT);
    gsl_rng_free(rng);
    cr_data_free(D);
}

static void test_refused_sizes(void **state)
{
    (void)state;
    cr_data *D = numbered(5);
    gsl_rng *rng = cr_rng_stream(1, "holdout");
    cr_err err = {0};
    assert_int_equal(cr_data_holdout(D, 0, rng, &err), CR_EINPUT);
    assert_int_equal(cr_data_holdout(D, 5, rng, &err), CR_EINPUT);
    assert_int_equal(D->n, 5);
    assert_null(D->test);
    assert_int_equal(cr_data_holdout(D, 4, rng, &err), CR_OK);
    assert_int_equal(D->n, 1);
    gsl_rng_free(rng);
    cr_data_free(D);
}

/* Each sample lands in the test set with probability n_test / n: over R seeds its count is Binomial(R, 3/10);
 * every count within 6 standard deviations of 0.3 R. A split that favoured the first or last samples fails. */
static void test_uniform(void **state)
{
    (void)state;
    const size_t n = 10, n_test = 3;
    const long R = 4000;
    long count[10] = {0};
    for (long s = 1; s <= R; s++) {
        cr_data *D = numbered(n);
        gsl_rng *rng = cr_rng_stream(s, "holdout");
        cr_err err = {0};
        assert_int_equal(cr_data_holdout(D, n_test, rng, &err), CR_OK);
        for (size_t i = 0; i < n_test; i++) count[(size_t)D->test->X[2 * i]]++;
        gsl_rng_free(rng);
        cr_data_free(D);
    }
    const double p = 0.3, mean = p * (double)R, sd = sqrt((double)R * p * (1 - p));
    for (size_t i = 0; i < n; i++)
        if (fabs((double)count[i] - mean) > 6 * sd)
            fail_msg("sample %zu held out %ld times of %ld, expected %.0f +- %.0f", i, count[i], R, mean, 6 * sd);
}

/* Neurons with contributions ||w1_j|| |w2_j| = 5 * 2 = 10, 1 * 0.5 = 0.5, 0 (w2 = 0), 1e-9 * 1 = 1e-9 and
 * 13 * 3 = 39 (w1 = (5, 12)). */
static void test_active(void **state)
{
    (void)state;
    cr_net *net = cr_net_alloc(2, 5);
    assert_non_null(net);
    const double W1[2][5] = {{3, 1, 7, 1e-9, 5}, {4, 0, 1, 0, 12}};
    const double w2[5] = {2, -0.5, 0, 1, -3};
    for (size_t k = 0; k < 2; k++)
        for (size_t j = 0; j < 5; j++) net->W1[k * 5 + j] = W1[k][j];
    for (size_t j = 0; j < 5; j++) net->w2[j] = w2[j];
    assert_int_equal(cr_net_active(net, 0), 4);         /* every nonzero contribution */
    assert_int_equal(cr_net_active(net, 1e-6), 3);      /* 1e-9 < 39e-6 */
    assert_int_equal(cr_net_active(net, 0.1), 2);       /* 10 > 3.9 > 0.5 */
    assert_int_equal(cr_net_active(net, 0.5), 1);       /* 39 only: 10 < 19.5 */
    for (size_t i = 0; i < cr_net_size(net); i++) net->theta[i] = 0;
    assert_int_equal(cr_net_active(net, 0), 0);
    assert_int_equal(cr_net_active(NULL, 0), 0);
    cr_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_refused_sizes),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_active),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
