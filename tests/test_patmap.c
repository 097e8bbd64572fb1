/* Tests of src/patmap.c: the dense pattern matrix and the two maps of the convex program, against naive loops
 * over the masks written here in long double (z_k = sum_i D_i[k] x_k'ud_i, row i of G = sum_k D_i[k] g_k x_k), on
 * patterns of several 64-bit words and on shapes below and above the sizes linalg.h cuts products into. */
#include "testutil.h"

#include <float.h>

#include "patmap.h"
#include "patterns.h"

/* Bit k of pattern i read from the storage layout patterns.h documents. */
static int raw_bit(const cr_patterns *P, size_t i, size_t k)
{
    return (int)((P->bits[i * P->words + k / 64] >> (k % 64)) & 1u);
}

/* p distinct random masks of n bits (unused high bits 0). */
static cr_patterns *random_patterns(gsl_rng *g, size_t n, size_t p)
{
    cr_patterns *P = cr_patterns_alloc(n, 4);
    assert_non_null(P);
    size_t words = P->words;
    uint64_t *m = calloc(words, sizeof *m);
    assert_non_null(m);
    cr_err e;
    while (P->p < p) {
        memset(m, 0, words * sizeof *m);
        for (size_t k = 0; k < n; k++)
            if (gsl_rng_uniform(g) < 0.5) m[k / 64] |= 1ull << (k % 64);
        assert_int_equal(cr_patterns_add(P, m, &e), CR_OK);
    }
    free(m);
    return P;
}

static double *rnd(gsl_rng *g, size_t len)
{
    double *a = malloc(len * sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < len; i++) a[i] = 2 * gsl_rng_uniform(g) - 1;
    return a;
}

static void check_shape(gsl_rng *g, size_t n, size_t d, size_t p)
{
    cr_patterns *P = random_patterns(g, n, p);
    double *Dm = malloc(n * p * sizeof *Dm), *X = rnd(g, n * d), *Ud = rnd(g, p * d), *gv = rnd(g, n);
    double *T = malloc(n * p * sizeof *T), *z = malloc(n * sizeof *z), *Xs = malloc(n * d * sizeof *Xs);
    double *G = malloc(p * d * sizeof *G);
    assert_true(Dm && T && z && Xs && G);
    cr_patmap_load(P, Dm);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < p; i++) assert_true(Dm[k * p + i] == (double)raw_bit(P, i, k));
    cr_patmap_forward(Dm, X, n, d, p, Ud, T, z);
    for (size_t k = 0; k < n; k++) {
        long double s = 0, abs = 0;
        for (size_t i = 0; i < p; i++) {
            if (!raw_bit(P, i, k)) continue;
            for (size_t a = 0; a < d; a++) {
                s += (long double)X[k * d + a] * Ud[i * d + a];
                abs += fabsl((long double)X[k * d + a] * Ud[i * d + a]);
            }
        }
        if (fabsl(z[k] - s) > 2.0L * (p + d) * DBL_EPSILON * abs + 1e-300L)
            fail_msg("n %zu d %zu p %zu: z_%zu = %.17g, expected %.17Lg", n, d, p, k, z[k], s);
    }
    cr_patmap_adjoint(Dm, X, n, d, p, gv, Xs, G);
    for (size_t i = 0; i < p; i++)
        for (size_t a = 0; a < d; a++) {
            long double s = 0, abs = 0;
            for (size_t k = 0; k < n; k++)
                if (raw_bit(P, i, k)) {
                    s += (long double)gv[k] * X[k * d + a];
                    abs += fabsl((long double)gv[k] * X[k * d + a]);
                }
            if (fabsl(G[i * d + a] - s) > 2.0L * (n + 1) * DBL_EPSILON * abs + 1e-300L)
                fail_msg("n %zu d %zu p %zu: G_%zu,%zu = %.17g, expected %.17Lg", n, d, p, i, a, G[i * d + a], s);
        }
    free(Dm), free(X), free(Ud), free(gv), free(T), free(z), free(Xs), free(G);
    cr_patterns_free(P);
}

static void test_maps(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(31);
    const size_t shapes[][3] = {{1, 1, 1}, {5, 2, 3}, {64, 3, 20}, {130, 4, 37}, {600, 5, 200}, {1000, 40, 300}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_shape(g, shapes[s][0], shapes[s][1], shapes[s][2]);
    gsl_rng_free(g);
}

/* Linearity and the adjoint identity <z(Ud), g> = <Ud, G(g)> (forward and adjoint are transposes). */
static void test_adjoint_identity(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(32);
    const size_t n = 150, d = 6, p = 45;
    cr_patterns *P = random_patterns(g, n, p);
    double *Dm = malloc(n * p * sizeof *Dm), *X = rnd(g, n * d), *Ud = rnd(g, p * d), *gv = rnd(g, n);
    double *T = malloc(n * p * sizeof *T), *z = malloc(n * sizeof *z), *Xs = malloc(n * d * sizeof *Xs);
    double *G = malloc(p * d * sizeof *G);
    assert_true(Dm && T && z && Xs && G);
    cr_patmap_load(P, Dm);
    cr_patmap_forward(Dm, X, n, d, p, Ud, T, z);
    cr_patmap_adjoint(Dm, X, n, d, p, gv, Xs, G);
    long double lhs = 0, rhs = 0, scale = 0;
    for (size_t k = 0; k < n; k++) lhs += (long double)z[k] * gv[k], scale += fabsl((long double)z[k] * gv[k]);
    for (size_t j = 0; j < p * d; j++) rhs += (long double)Ud[j] * G[j];
    assert_true(fabsl(lhs - rhs) <= 1e-12L * scale);
    free(Dm), free(X), free(Ud), free(gv), free(T), free(z), free(Xs), free(G);
    cr_patterns_free(P);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_adjoint_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
