/* Tests of src/blas.c: the thread count asked for is the one OpenBLAS then reports (and reads back), and the build
 * description names the OpenBLAS version that pkg-config reports for the installed library and, when
 * OPENBLAS_CORETYPE is set, that kernel. */
#include "testutil.h"

#include "blas.h"

static void test_threads(void **state)
{
    (void)state;
    int t0 = cr_blas_threads();
    assert_true(t0 >= 1);
    for (int t = 1; t <= 3; t++) {
        assert_int_equal(cr_blas_set_threads(t), t);
        assert_int_equal(cr_blas_threads(), t);
    }
    assert_int_equal(cr_blas_set_threads(t0), t0);
}

static void test_config(void **state)
{
    (void)state;
    const char *cfg = cr_blas_config();
    assert_non_null(cfg);
    char *ver = NULL;
    assert_int_equal(crt_sh("pkg-config --modversion openblas", &ver), 0);
    ver[strcspn(ver, "\n")] = 0;
    assert_true(ver[0] != 0);
    char want[128];
    snprintf(want, sizeof want, "OpenBLAS %s ", ver);
    if (strncmp(cfg, want, strlen(want)) != 0) fail_msg("config \"%s\" does not start with \"%s\"", cfg, want);
    assert_non_null(strstr(cfg, " MAX_THREADS="));
    const char *core = getenv("OPENBLAS_CORETYPE");
    if (core && *core) {
        snprintf(want, sizeof want, " %s ", core);
        if (!strstr(cfg, want)) fail_msg("config \"%s\" does not name the kernel %s", cfg, core);
    }
    free(ver);
    assert_ptr_equal(cr_blas_config(), cfg); /* a static string */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
