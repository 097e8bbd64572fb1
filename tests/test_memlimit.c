/* Tests of src/harness/memlimit.c: the memory estimate covers the workspaces the solvers allocate. The lower
 * bounds are closed forms written here from the solvers' documented dense blocks (docs/MATH.md's programs),
 * not from the code under test: the max-margin interior-point method factors a dense (n+1)(d+1)-square KKT
 * block (4 (n+1)^2 (d+1)^2 doubles with its factor and scratch), the regularized interior-point method an
 * n x n Woodbury matrix. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "config.h"
#include "memlimit.h"

static void base(cr_config *cfg, cr_exp_id e)
{
    cr_config_defaults(cfg);
    cfg->experiment = e;
    cfg->patterns.method = CR_CONFIG_PATTERNS_SAMPLE;
    cfg->patterns.samples = 10;
    cfg->train.width = 4;
}

/* d > n, more sampled patterns than samples (the dense Newton block is then full size): the max-margin KKT
 * block dominates (the guard missed it before). */
static void test_maxmargin_kkt_block_counted(void **state)
{
    (void)state;
    cr_config cfg;
    base(&cfg, CR_EXP_MAXMARGIN);
    cfg.patterns.samples = 100;
    const double n = 30, d = 60;
    double est = cr_limits_estimate(&cfg, (size_t)n, (size_t)d);
    double kkt = 8.0 * 4.0 * (n + 1) * (n + 1) * (d + 1) * (d + 1);
    if (!(est >= kkt)) fail_msg("estimate %.4g bytes below the KKT block's %.4g", est, kkt);
    /* Not absurdly above it either: within 20 times (the pattern set, data and training arrays are small). */
    if (!(est <= 20 * kkt)) fail_msg("estimate %.4g bytes, 20 times the KKT block's %.4g", est, kkt);
}

/* The regularized solver at n = 2000: the interior-point method's n x n matrix (and its factor). */
static void test_convex_woodbury_counted(void **state)
{
    (void)state;
    cr_config cfg;
    base(&cfg, CR_EXP_CONVEX);
    const double n = 2000, d = 5;
    double est = cr_limits_estimate(&cfg, (size_t)n, (size_t)d);
    double woodbury = 8.0 * n * n;
    if (!(est >= woodbury)) fail_msg("estimate %.4g bytes below the n x n matrix's %.4g", est, woodbury);
}

/* Exact patterns of a large problem: Cover's bound makes the count astronomical, and the estimate infinite or
 * huge, so the guard refuses it. */
static void test_exact_patterns_refused(void **state)
{
    (void)state;
    cr_config cfg;
    base(&cfg, CR_EXP_CONVEX);
    cfg.patterns.method = CR_CONFIG_PATTERNS_EXACT;
    cfg.limits.memory_mb = 1000;
    cr_err err = {{0}};
    assert_int_equal(cr_limits_check(&cfg, 5000, 50, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "exceeds limits.memory_mb = 1000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maxmargin_kkt_block_counted),
        cmocka_unit_test(test_convex_woodbury_counted),
        cmocka_unit_test(test_exact_patterns_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
