/* Tests of src/patterns.c: exact enumeration of the arrangement patterns D(u) = diag(1(Xu >= 0)) against
 * hand-derived sets, an exact integer brute force, an LP oracle (tests/oracle/patterns_lp.py, scipy HiGHS)
 * and the general-position closed form; sampling, rank, Cover's bound, general position and Gordan's
 * all-ones test. Expected values never come from the code under test. */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "patterns.h"

/* ------------------------------------------------------------------ helpers */

static cr_patterns *enumerate_ok(const double *X, size_t n, size_t d)
{
    cr_patterns *P = NULL;
    cr_err e = {{0}};
    int st = cr_patterns_enumerate(X, n, d, &P, &e);
    if (st != CR_OK) fail_msg("enumerate failed (%d): %s", st, e.msg);
    assert_non_null(P);
    assert_int_equal(P->n, n);
    return P;
}

static void add_string(cr_patterns *P, const char *s)
{
    uint64_t mask[4] = {0};
    assert_true(P->words <= 4);
    assert_int_equal(strlen(s), P->n);
    for (size_t k = 0; k < P->n; k++) {
        assert_true(s[k] == '0' || s[k] == '1');
        if (s[k] == '1') mask[k / 64] |= (uint64_t)1 << (k % 64);
    }
    cr_err e;
    assert_int_equal(cr_patterns_add(P, mask, &e), CR_OK);
}

static cr_patterns *from_strings(size_t n, const char *const *s, size_t cnt)
{
    cr_patterns *P = cr_patterns_alloc(n, cnt);
    assert_non_null(P);
    for (size_t i = 0; i < cnt; i++) add_string(P, s[i]);
    assert_int_equal(P->p, cnt); /* the expected list itself has no duplicates */
    return P;
}

static void print_X(const double *X, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        print_error("  [");
        for (size_t j = 0; j < d; j++) print_error(" %.17g", X[i * d + j]);
        print_error(" ]\n");
    }
}

/* Fails with the patterns that one set has and the other lacks. */
static void assert_same_set(const cr_patterns *got, const cr_patterns *want, const char *what, const double *X,
                            size_t n, size_t d)
{
    assert_int_equal(got->n, want->n);
    if (got->p == want->p && cr_patterns_is_subset(got, want)) return;
    char buf[1100];
    print_error("%s: got %zu patterns, expected %zu\n", what, got->p, want->p);
    for (size_t i = 0; i < got->p; i++)
        if (cr_patterns_find(want, cr_patterns_mask(got, i)) == (size_t)-1) {
            cr_patterns_string(got, i, buf);
            print_error("  extra   %s\n", buf);
        }
    for (size_t i = 0; i < want->p; i++)
        if (cr_patterns_find(got, cr_patterns_mask(want, i)) == (size_t)-1) {
            cr_patterns_string(want, i, buf);
            print_error("  missing %s\n", buf);
        }
    if (X) print_X(X, n, d);
    fail_msg("%s: pattern sets differ", what);
}

static void expect_strings(const double *X, size_t n, size_t d, const char *const *s, size_t cnt, const char *what)
{
    cr_patterns *got = enumerate_ok(X, n, d), *want = from_strings(n, s, cnt);
    assert_same_set(got, want, what, X, n, d);
    /* canonical order: descending 0/1 strings */
    char a[1100], b[1100];
    for (size_t i = 1; i < got->p; i++) {
        cr_patterns_string(got, i - 1, a);
        cr_patterns_string(got, i, b);
        assert_true(strcmp(a, b) > 0);
    }
    cr_patterns_free(want);
    cr_patterns_free(got);
}

/* Every pattern 1(Xu >= 0) over the integer points u of [-K, K]^d, computed exactly (small integers). */
static cr_patterns *brute_force(const double *X, size_t n, size_t d, int K)
{
    cr_patterns *P = cr_patterns_alloc(n, 64);
    assert_non_null(P);
    long u[8];
    assert_true(d <= 8);
    for (size_t j = 0; j < d; j++) u[j] = -K;
    uint64_t mask[4];
    assert_true(P->words <= 4);
    cr_err e;
    for (;;) {
        memset(mask, 0, sizeof mask);
        for (size_t k = 0; k < n; k++) {
            long s = 0;
            for (size_t j = 0; j < d; j++) s += (long)X[k * d + j] * u[j];
            if (s >= 0) mask[k / 64] |= (uint64_t)1 << (k % 64);
        }
        assert_int_equal(cr_patterns_add(P, mask, &e), CR_OK);
        size_t j = 0;
        while (j < d && u[j] == K) u[j++] = -K;
        if (j == d) break;
        u[j]++;
    }
    return P;
}

/* Exact rank of a small integer matrix (n x r, r <= 3) from its minors. */
static size_t int_rank(const long *A, size_t n, size_t r)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < r; j++)
            if (A[i * r + j]) best = 1;
    if (r >= 2)
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++)
                for (size_t a = 0; a < r; a++)
                    for (size_t b = a + 1; b < r; b++)
                        if (A[i * r + a] * A[k * r + b] - A[i * r + b] * A[k * r + a]) best = 2;
    if (r == 3)
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++)
                for (size_t l = k + 1; l < n; l++) {
                    const long *a = A + i * 3, *b = A + k * 3, *c = A + l * 3;
                    long det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                               a[2] * (b[0] * c[1] - b[1] * c[0]);
                    if (det) return 3;
                }
    return best;
}

/* Random integer data X = A B (n x d) of rank r: A (n x r, entries in [-c, c], exact rank r) and
 * B = [I_r | M] with its columns shuffled. Every pattern of X is realized by some u = (w, 0) (unshuffled)
 * with w an integer point realizing the same pattern for A, and for an essential integer arrangement in
 * R^r every face holds an integer point within K: r = 1: 1; r = 2: rays are perpendiculars of rows (<= c),
 * sectors hold the sum of their two rays (<= 2c); r = 3: rays are cross products (<= 2c^2), 2-faces hold
 * the sum of two rays, regions a facet point plus a ray off the facet (<= 6c^2). Returns that K. */
static int gen_integer(gsl_rng *g, double *X, size_t n, size_t d, size_t r, int c)
{
    long A[64 * 3], M[3 * 8];
    size_t perm[8];
    assert_true(n <= 64 && d <= 8 && r <= 3 && r <= d && r <= n);
    do {
        for (size_t i = 0; i < n * r; i++) A[i] = (long)gsl_rng_uniform_int(g, (unsigned long)(2 * c + 1)) - c;
    } while (int_rank(A, n, r) != r);
    for (size_t i = 0; i < r * (d - r); i++) M[i] = (long)gsl_rng_uniform_int(g, 5) - 2;
    for (size_t j = 0; j < d; j++) perm[j] = j;
    for (size_t j = d; j > 1; j--) {
        size_t t = gsl_rng_uniform_int(g, j), s = perm[j - 1];
        perm[j - 1] = perm[t];
        perm[t] = s;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            long s = 0;
            for (size_t a = 0; a < r; a++) {
                long bij = j < r ? (long)(a == j) : M[a * (d - r) + (j - r)];
                s += A[i * r + a] * bij;
            }
            X[i * d + perm[j]] = (double)s;
        }
    return r == 1 ? 1 : r == 2 ? 2 * c : 6 * c * c;
}

static void gaussian(gsl_rng *g, double *X, size_t len)
{
    for (size_t i = 0; i < len; i++) X[i] = gsl_ran_gaussian(g, 1.0);
}

/* --------------------------------------------------------- hand-derived sets */

static void test_slide_example(void **state)
{
    (void)state;
    const double X[] = {3, 3, 2, 2, 1, 0};
    const char *want[] = {"111", "110", "001", "000"};
    expect_strings(X, 3, 2, want, 4, "slide example");
    assert_int_equal(cr_patterns_rank(X, 3, 2), 2);
}

/* x_2 = -2 x_1: on the face x_1'u = 0 both bits are 1 (pattern 110 with u = (2,-1)), which no open region
 * has; regions: the 4 sign combinations of x_1 and x_3 (x_2 opposite to x_1). */
static void test_antiparallel_face(void **state)
{
    (void)state;
    const double X[] = {1, 2, -2, -4, 1, -1};
    const char *want[] = {"111", "110", "101", "100", "011", "010"};
    expect_strings(X, 3, 2, want, 6, "antiparallel rows");
    /* Sampling sees open regions only: never the face pattern 110 (nor 111: no region has x_1'u and
     * -2 x_1'u both >= 0). */
    gsl_rng *g = crt_rng_seeded(11);
    cr_patterns *S = NULL;
    cr_err e;
    assert_int_equal(cr_patterns_sample(X, 3, 2, 20000, g, &S, &e), CR_OK);
    const char *regions[] = {"101", "100", "011", "010"};
    cr_patterns *R = from_strings(3, regions, 4);
    assert_same_set(S, R, "samples of antiparallel rows", X, 3, 2);
    cr_patterns_free(R);
    cr_patterns_free(S);
    gsl_rng_free(g);
}

static void test_zero_rows(void **state)
{
    (void)state;
    const double X[] = {1, 0, 0, 0, 0, 1};
    const char *want[] = {"111", "110", "011", "010"};
    expect_strings(X, 3, 2, want, 4, "zero middle row");
    const double Z[] = {0, 0, 0, 0, 0, 0};
    const char *ones[] = {"111"};
    expect_strings(Z, 3, 2, ones, 1, "all rows zero");
    const char *one2[] = {"11"};
    expect_strings(Z, 2, 0, one2, 1, "d = 0");
    /* A zero row beside antiparallel rows in d = 1 */
    const double Y[] = {2, 0, -3};
    const char *w1[] = {"111", "110", "011"};
    expect_strings(Y, 3, 1, w1, 3, "d = 1 with a zero row");
}

static void test_duplicates(void **state)
{
    (void)state;
    const double X[] = {1, 1, 1, 1, -1, 2};
    const char *want[] = {"111", "110", "001", "000"};
    expect_strings(X, 3, 2, want, 4, "duplicate rows");
    /* Four copies of one row: u'x >= 0 or < 0 */
    const double D[] = {1, -2, 3, 1, -2, 3, 1, -2, 3, 1, -2, 3};
    const char *w2[] = {"1111", "0000"};
    expect_strings(D, 4, 3, w2, 2, "identical rows in d = 3");
}

static void test_small_n(void **state)
{
    (void)state;
    const double a[] = {2};
    const char *w10[] = {"1", "0"};
    expect_strings(a, 1, 1, w10, 2, "n = 1, d = 1");
    const double z[] = {0};
    const char *w1[] = {"1"};
    expect_strings(z, 1, 1, w1, 1, "n = 1 zero");
    const double b[] = {1, -2, 3};
    expect_strings(b, 1, 3, w10, 2, "n = 1, d = 3");
}

/* d > n and rank-deficient X: rows e1, e2, e1 + e2 of a plane, written in R^5. Three distinct lines in
 * the plane give 6 sectors: sign vectors of (a, b, a + b); faces add nothing and the all-ones region is
 * open (u = (1, 1)). */
static void test_rank_deficient_by_hand(void **state)
{
    (void)state;
    const double X[] = {1, 0, 2, 0, 1, 0, 1, 0, 3, -1, 1, 1, 2, 3, 0};
    const char *want[] = {"111", "101", "100", "011", "010", "000"};
    expect_strings(X, 3, 5, want, 6, "rank 2 in R^5");
    assert_int_equal(cr_patterns_rank(X, 3, 5), 2);
    const double Y[] = {1, 0, 2, 0, 0, 1, 0, 3};
    const char *w4[] = {"11", "10", "01", "00"};
    expect_strings(Y, 2, 4, w4, 4, "2 independent rows in R^4");
    const double N[] = {1, 0, 2, 0, -1, 0, -2, 0};
    const char *w3[] = {"11", "10", "01"};
    expect_strings(N, 2, 4, w3, 3, "x_2 = -x_1 in R^4");
    /* rank 1 in R^3 with a zero row: rows 2v, -v, 0, v */
    const double R[] = {2, 4, -2, -1, -2, 1, 0, 0, 0, 1, 2, -1};
    const char *wr[] = {"1111", "1011", "0110"};
    expect_strings(R, 4, 3, wr, 3, "rank 1 in R^3");
}

/* ----------------------------------------------------------- brute force */

static void test_brute_force_integer(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(2024);
    double X[8 * 4];
    size_t count = 0, degenerate = 0;
    for (int t = 0; t < 240; t++) {
        size_t d = 1 + gsl_rng_uniform_int(g, 4);
        size_t n = 1 + gsl_rng_uniform_int(g, 8);
        size_t rmax = d < 3 ? d : 3;
        if (rmax > n) rmax = n;
        size_t r = 1 + gsl_rng_uniform_int(g, rmax);
        int c = r == 3 ? (d == 4 ? 1 : 2) : 1 + (int)gsl_rng_uniform_int(g, 3);
        int K = gen_integer(g, X, n, d, r, c);
        if (K < 2) K = 2;
        cr_patterns *B = brute_force(X, n, d, K), *E = enumerate_ok(X, n, d);
        char what[64];
        snprintf(what, sizeof what, "integer instance %d (n %zu, d %zu, rank %zu, K %d)", t, n, d, r, K);
        assert_same_set(E, B, what, X, n, d);
        assert_int_equal(cr_patterns_rank(X, n, d), r);
        degenerate += !cr_patterns_general_position(X, n, d);
        count++;
        cr_patterns_free(B);
        cr_patterns_free(E);
    }
    /* The generator must exercise degenerate data, not only generic ones. */
    assert_true(degenerate > count / 3);
    gsl_rng_free(g);
}

/* Invariances: permuting rows permutes bits, positive row scalings and invertible column transforms keep
 * the set. Integer data with power-of-two scalings and unimodular transforms stay exact. */
static void test_invariances(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(77);
    double X[8 * 3], Y[8 * 3];
    for (int t = 0; t < 60; t++) {
        size_t d = 2 + gsl_rng_uniform_int(g, 2), n = 2 + gsl_rng_uniform_int(g, 7);
        size_t r = 1 + gsl_rng_uniform_int(g, d < n ? d : n);
        if (r > 3) r = 3;
        gen_integer(g, X, n, d, r, 2);
        cr_patterns *P = enumerate_ok(X, n, d);
        /* positive power-of-two scalings and the unimodular map u -> (u_0 + u_1, u_1, ...) */
        for (size_t i = 0; i < n; i++) {
            double s = ldexp(1.0, (int)gsl_rng_uniform_int(g, 9) - 4);
            for (size_t j = 0; j < d; j++) Y[i * d + j] = s * X[i * d + j];
            Y[i * d + 1] += Y[i * d + 0];
        }
        cr_patterns *Q = enumerate_ok(Y, n, d);
        assert_same_set(Q, P, "scaled and sheared data", Y, n, d);
        /* reversing the rows reverses every pattern string */
        for (size_t i = 0; i < n; i++) memcpy(Y + i * d, X + (n - 1 - i) * d, d * sizeof *X);
        cr_patterns *R = enumerate_ok(Y, n, d);
        assert_int_equal(R->p, P->p);
        char a[16], b[16];
        for (size_t i = 0; i < R->p; i++) {
            cr_patterns_string(R, i, a);
            for (size_t k = 0; k < n; k++) b[k] = a[n - 1 - k];
            b[n] = 0;
            cr_patterns *one = cr_patterns_alloc(n, 1);
            add_string(one, b);
            assert_true(cr_patterns_is_subset(one, P));
            cr_patterns_free(one);
        }
        cr_patterns_free(P);
        cr_patterns_free(Q);
        cr_patterns_free(R);
    }
    gsl_rng_free(g);
}

/* ------------------------------------------------------- closed form counts */

/* docs/MATH.md's five counts. Data are Gaussian (general position almost surely); "origin in the hull" is
 * forced by making the last row minus the sum of the others, "not in the hull" by flipping rows into
 * x_1 > 0. The expected numbers are the slide's, not computed here. */
static void test_general_position_counts(void **state)
{
    (void)state;
    struct { size_t n, d; int in_hull; size_t p; } c[] = {
        {5, 2, 1, 11}, {8, 2, 1, 17}, {10, 3, 1, 93}, {6, 3, 0, 32}, {8, 4, 0, 128},
    };
    gsl_rng *g = crt_rng_seeded(5);
    double X[10 * 4];
    for (size_t t = 0; t < sizeof c / sizeof c[0]; t++) {
        size_t n = c[t].n, d = c[t].d;
        gaussian(g, X, n * d);
        if (c[t].in_hull) {
            for (size_t j = 0; j < d; j++) {
                double s = 0.0;
                for (size_t i = 0; i + 1 < n; i++) s += X[i * d + j];
                X[(n - 1) * d + j] = -s;
            }
        } else {
            for (size_t i = 0; i < n; i++)
                if (X[i * d] < 0)
                    for (size_t j = 0; j < d; j++) X[i * d + j] = -X[i * d + j];
        }
        assert_int_equal(cr_patterns_general_position(X, n, d), 1);
        assert_int_equal(cr_patterns_allones_open(X, n, d), !c[t].in_hull);
        assert_float_equal(cr_patterns_closed_form(X, n, d), (double)c[t].p, 0.0);
        cr_patterns *P = enumerate_ok(X, n, d);
        if (P->p != c[t].p) fail_msg("(n, d) = (%zu, %zu): %zu patterns, expected %zu", n, d, P->p, c[t].p);
        cr_patterns_free(P);
    }
    gsl_rng_free(g);
}

static void test_regions_and_cover(void **state)
{
    (void)state;
    /* 2 sum_{k<r} binom(n-1, k), by hand */
    assert_float_equal(cr_patterns_regions_general(5, 2), 10.0, 0.0);
    assert_float_equal(cr_patterns_regions_general(10, 3), 92.0, 0.0);
    assert_float_equal(cr_patterns_regions_general(8, 4), 128.0, 0.0);
    assert_float_equal(cr_patterns_regions_general(3, 5), 8.0, 0.0); /* r > n: all 2^n */
    assert_float_equal(cr_patterns_regions_general(1, 1), 2.0, 0.0);
    assert_float_equal(cr_patterns_regions_general(2000, 2), 4000.0, 0.0);
    assert_float_equal(cr_patterns_cover_bound(10, 0), 1.0, 0.0);
    assert_float_equal(cr_patterns_cover_bound(5, 2), 4.0 * pow(2.0 * M_E, 2.0), 1e-12);
    assert_float_equal(cr_patterns_cover_bound(9, 1), 2.0 * 8.0 * M_E, 1e-12);
}

/* Gaussian instances: general position (checked), so the closed form must equal the enumeration; the
 * count never exceeds Cover's bound. Degenerate integer instances: never more than Cover's bound either. */
static void test_closed_form_random(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(99);
    double X[12 * 7];
    size_t open = 0, closed = 0;
    for (int t = 0; t < 300; t++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 12), d = 1 + gsl_rng_uniform_int(g, 4);
        gaussian(g, X, n * d);
        if (t % 3 == 0) /* bias some toward an open all-ones region */
            for (size_t i = 0; i < n; i++) X[i * d] = fabs(X[i * d]) + 0.1;
        assert_int_equal(cr_patterns_general_position(X, n, d), 1);
        size_t r = n < d ? n : d;
        assert_int_equal(cr_patterns_rank(X, n, d), r);
        cr_patterns *P = enumerate_ok(X, n, d);
        double cf = cr_patterns_closed_form(X, n, d);
        if ((double)P->p != cf) {
            print_X(X, n, d);
            fail_msg("instance %d (n %zu, d %zu): enumeration %zu, closed form %g", t, n, d, P->p, cf);
        }
        if (n >= 2) assert_true((double)P->p <= cr_patterns_cover_bound(n, r));
        if (cr_patterns_allones_open(X, n, d)) open++;
        else closed++;
        cr_patterns_free(P);
    }
    assert_true(open > 30 && closed > 30);
    /* rank 5 to 7: the Householder null vectors and the inner face index */
    const size_t big[][2] = {{8, 5}, {10, 5}, {9, 6}, {7, 7}, {12, 6}};
    for (size_t t = 0; t < sizeof big / sizeof big[0]; t++) {
        size_t n = big[t][0], d = big[t][1];
        gaussian(g, X, n * d);
        if (t % 2)
            for (size_t i = 0; i < n; i++) X[i * d] = fabs(X[i * d]) + 0.1;
        assert_int_equal(cr_patterns_general_position(X, n, d), 1);
        cr_patterns *P = enumerate_ok(X, n, d);
        double cf = cr_patterns_closed_form(X, n, d);
        if ((double)P->p != cf) fail_msg("(n, d) = (%zu, %zu): enumeration %zu, closed form %g", n, d, P->p, cf);
        cr_patterns_free(P);
    }
    for (int t = 0; t < 100; t++) {
        size_t d = 2 + gsl_rng_uniform_int(g, 2), n = 2 + gsl_rng_uniform_int(g, 7);
        size_t r = 1 + gsl_rng_uniform_int(g, d < n ? d : n);
        if (r > 3) r = 3;
        gen_integer(g, X, n, d, r, 2);
        cr_patterns *P = enumerate_ok(X, n, d);
        assert_true((double)P->p <= cr_patterns_cover_bound(n, r));
        cr_patterns_free(P);
    }
    gsl_rng_free(g);
}

/* Rows in a generic 2-plane of R^3 and R^4: general position within rank 2, so closed form = enumeration. */
static void test_closed_form_rank_deficient(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(123);
    double A[10 * 2], B[2 * 4], X[10 * 4];
    for (int t = 0; t < 40; t++) {
        size_t n = 3 + gsl_rng_uniform_int(g, 8), d = 3 + gsl_rng_uniform_int(g, 2);
        gaussian(g, A, n * 2);
        gaussian(g, B, 2 * d);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) X[i * d + j] = A[i * 2] * B[j] + A[i * 2 + 1] * B[d + j];
        assert_int_equal(cr_patterns_rank(X, n, d), 2);
        assert_int_equal(cr_patterns_general_position(X, n, d), 1);
        cr_patterns *P = enumerate_ok(X, n, d), *Q = enumerate_ok(A, n, 2);
        assert_same_set(P, Q, "rank-2 data versus their coefficients", X, n, d);
        assert_float_equal((double)P->p, cr_patterns_closed_form(X, n, d), 0.0);
        cr_patterns_free(P);
        cr_patterns_free(Q);
    }
    gsl_rng_free(g);
}

/* [X; -X] has the closed pattern (1(Xu >= 0), 1(Xu <= 0)): one per face (sign vector) of X's arrangement.
 * For n hyperplanes in general position in R^d, a k-face lies in one of binom(n, d - k) intersections of
 * d - k hyperplanes, cut by the other n - d + k into 2 sum_{i<k} binom(n - d + k - 1, i) pieces; plus
 * the origin. [X; X] has exactly X's patterns, each doubled. Sizes cross the 64-bit word boundary. */
static double binom(double n, double k)
{
    double b = 1.0;
    for (double i = 0; i < k; i++) b = b * (n - i) / (i + 1.0);
    return b < 0.0 ? 0.0 : b;
}

static void test_faces_of_general_position(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(606);
    const size_t sizes[][2] = {{70, 2}, {40, 3}, {33, 4}};
    for (size_t t = 0; t < 3; t++) {
        size_t n = sizes[t][0], d = sizes[t][1];
        double *X = malloc(2 * n * d * sizeof *X);
        assert_non_null(X);
        gaussian(g, X, n * d);
        assert_int_equal(cr_patterns_general_position(X, n, d), 1);
        double faces = 1.0;
        for (size_t k = 1; k <= d; k++) {
            double pieces = 0.0;
            for (size_t i = 0; i < k; i++) pieces += 2.0 * binom((double)(n - d + k - 1), (double)i);
            faces += binom((double)n, (double)(d - k)) * pieces;
        }
        for (size_t i = 0; i < n * d; i++) X[n * d + i] = -X[i];
        cr_patterns *F = enumerate_ok(X, 2 * n, d);
        if ((double)F->p != faces) fail_msg("[X; -X], n = %zu, d = %zu: %zu patterns, %g faces", n, d, F->p, faces);
        /* each pattern is (a, b) with a | b all ones: every row is >= 0 or <= 0 */
        for (size_t i = 0; i < F->p; i++)
            for (size_t k = 0; k < n; k++) assert_true(cr_patterns_bit(F, i, k) | cr_patterns_bit(F, i, n + k));
        cr_patterns_free(F);

        memcpy(X + n * d, X, n * d * sizeof *X);
        cr_patterns *P = enumerate_ok(X, n, d), *D = enumerate_ok(X, 2 * n, d);
        assert_int_equal(D->p, P->p);
        assert_float_equal((double)P->p, cr_patterns_closed_form(X, n, d), 0.0);
        for (size_t i = 0; i < D->p; i++)
            for (size_t k = 0; k < n; k++) assert_int_equal(cr_patterns_bit(D, i, k), cr_patterns_bit(D, i, n + k));
        cr_patterns *S = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_sample(X, 2 * n, d, 20000, g, &S, &e), CR_OK);
        assert_true(cr_patterns_is_subset(S, D));
        cr_patterns_free(S);
        cr_patterns_free(P);
        cr_patterns_free(D);
        free(X);
    }
    gsl_rng_free(g);
}

/* ---------------------------------------------------------------- LP oracle */

typedef struct {
    size_t n, d;
    double X[9 * 6];
} inst;

static void test_lp_oracle(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(31337);
    inst I[40];
    size_t ni = 0;
    /* Gaussian */
    for (size_t t = 0; t < 14; t++) {
        inst *a = &I[ni++];
        a->n = 5 + t % 5;
        a->d = 2 + t % 3;
        gaussian(g, a->X, a->n * a->d);
    }
    /* integer data (heavily degenerate) with power-of-two row scalings */
    for (size_t t = 0; t < 8; t++) {
        inst *a = &I[ni++];
        a->n = 6 + t % 4;
        a->d = 2 + t % 3;
        size_t r = 1 + (t % (a->d < 3 ? a->d : 3));
        gen_integer(g, a->X, a->n, a->d, r, t % 2 ? 1 : 2);
        for (size_t i = 0; i < a->n; i++) {
            double s = ldexp(1.0, (int)gsl_rng_uniform_int(g, 7) - 3);
            for (size_t j = 0; j < a->d; j++) a->X[i * a->d + j] *= s;
        }
    }
    /* Gaussian rows with zero rows, duplicates, exact negatives and a rounded -2.5 multiple */
    for (size_t t = 0; t < 4; t++) {
        inst *a = &I[ni++];
        size_t d = a->d = 2 + t % 3, n = a->n = 8;
        gaussian(g, a->X, n * d);
        for (size_t j = 0; j < d; j++) {
            a->X[1 * d + j] = -a->X[0 * d + j];
            a->X[2 * d + j] = 0.0;
            a->X[3 * d + j] = a->X[4 * d + j];
            a->X[5 * d + j] = -2.5 * a->X[6 * d + j];
        }
    }
    /* rank-deficient products (rounded) and d > n */
    for (size_t t = 0; t < 4; t++) {
        inst *a = &I[ni++];
        size_t n = a->n = 7 + t % 2, d = a->d = 3 + t % 3, r = 2;
        double A[9 * 2], B[2 * 5];
        gaussian(g, A, n * r);
        gaussian(g, B, r * d);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) a->X[i * d + j] = A[i * 2] * B[j] + A[i * 2 + 1] * B[d + j];
    }
    for (size_t t = 0; t < 2; t++) {
        inst *a = &I[ni++];
        a->n = 3 + t;
        a->d = 5;
        gaussian(g, a->X, a->n * a->d);
    }
    /* rank 5 and 6 (the Householder null vectors and the inner face index): Gaussian, and degenerate
     * (an exact negative, a zero row, a duplicate, a row in the span of three others) */
    for (size_t t = 0; t < 4; t++) {
        inst *a = &I[ni++];
        size_t n = a->n = 8 + t % 2, d = a->d = 5 + t % 2;
        gaussian(g, a->X, n * d);
        if (t >= 2)
            for (size_t j = 0; j < d; j++) {
                a->X[1 * d + j] = -a->X[0 * d + j];
                a->X[2 * d + j] = 0.0;
                a->X[3 * d + j] = a->X[4 * d + j];
                a->X[7 * d + j] = a->X[4 * d + j] - a->X[5 * d + j] + 2.0 * a->X[6 * d + j];
            }
    }

    char dir[256], path[300], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/instances.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t t = 0; t < ni; t++) {
        fprintf(f, "%zu %zu\n", I[t].n, I[t].d);
        for (size_t i = 0; i < I[t].n; i++) {
            for (size_t j = 0; j < I[t].d; j++) fprintf(f, " %.17g", I[t].X[i * I[t].d + j]);
            fprintf(f, "\n");
        }
    }
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "%s %s/tests/oracle/patterns_lp.py %s", CRT_PYTHON, CR_SOURCE_DIR, path);
    char *outp = NULL;
    int rc = crt_sh(cmd, &outp);
    assert_non_null(outp);
    if (rc != 0) fail_msg("oracle failed (%d): %s", rc, outp);

    char *line = strtok(outp, "\n");
    for (size_t t = 0; t < ni; t++) {
        size_t k, p;
        assert_non_null(line);
        if (sscanf(line, "instance %zu %zu", &k, &p) != 2 || k != t) fail_msg("oracle output: %s", line);
        cr_patterns *W = cr_patterns_alloc(I[t].n, 16);
        for (size_t i = 0; i < p; i++) {
            line = strtok(NULL, "\n");
            assert_non_null(line);
            add_string(W, line);
        }
        cr_patterns *E = enumerate_ok(I[t].X, I[t].n, I[t].d);
        char what[64];
        snprintf(what, sizeof what, "LP oracle instance %zu", t);
        assert_same_set(E, W, what, I[t].X, I[t].n, I[t].d);
        cr_patterns_free(E);
        cr_patterns_free(W);
        line = strtok(NULL, "\n");
    }
    assert_null(line);
    free(outp);
    crt_rmtree(dir);
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------ sampling */

static void test_sampling_subset(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(4), *s = crt_rng_seeded(8);
    double X[9 * 4];
    for (int t = 0; t < 60; t++) {
        size_t n = 2 + gsl_rng_uniform_int(g, 8), d = 2 + gsl_rng_uniform_int(g, 3);
        if (t % 2) gaussian(g, X, n * d);
        else {
            size_t r = 1 + gsl_rng_uniform_int(g, d < 3 ? d : 3);
            if (r > n) r = n;
            gen_integer(g, X, n, d, r, 1);
        }
        cr_patterns *E = enumerate_ok(X, n, d), *S = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_sample(X, n, d, 500, s, &S, &e), CR_OK);
        assert_true(S->p >= 1);
        if (!cr_patterns_is_subset(S, E)) {
            print_X(X, n, d);
            fail_msg("instance %d: a sampled pattern is not realizable per the enumeration", t);
        }
        cr_patterns_free(E);
        cr_patterns_free(S);
    }
    gsl_rng_free(g);
    gsl_rng_free(s);
}

/* In the plane, n lines in general position cut 2n sectors; many samples find every one, and nothing else
 * (the all-ones pattern of u = 0 only when it is also a region). */
static void test_sampling_finds_regions(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(21), *s = crt_rng_seeded(22);
    double X[6 * 2];
    for (int t = 0; t < 4; t++) {
        gaussian(g, X, 12);
        assert_int_equal(cr_patterns_general_position(X, 6, 2), 1);
        cr_patterns *S = NULL;
        cr_err e;
        assert_int_equal(cr_patterns_sample(X, 6, 2, 400000, s, &S, &e), CR_OK);
        if (S->p != 12) {
            print_X(X, 6, 2);
            fail_msg("instance %d: sampling found %zu of the 12 sectors", t, S->p);
        }
        cr_patterns *E = enumerate_ok(X, 6, 2);
        assert_true(cr_patterns_is_subset(S, E));
        assert_int_equal(E->p, 12 + !cr_patterns_allones_open(X, 6, 2));
        cr_patterns_free(E);
        cr_patterns_free(S);
    }
    gsl_rng_free(g);
    gsl_rng_free(s);
}

/* ------------------------------------------------------------------ rank etc */

static void test_rank(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(3);
    double A[30 * 6], B[6 * 9], X[30 * 9];
    for (int t = 0; t < 80; t++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 30), d = 1 + gsl_rng_uniform_int(g, 9);
        size_t rmax = n < d ? n : d;
        if (rmax > 6) rmax = 6;
        size_t r = gsl_rng_uniform_int(g, rmax + 1);
        gaussian(g, A, n * r);
        gaussian(g, B, r * d);
        double scale = t % 4 == 0 ? 1e-150 : t % 4 == 1 ? 1e150 : 1.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double v = 0.0;
                for (size_t a = 0; a < r; a++) v += A[i * r + a] * B[a * d + j];
                X[i * d + j] = scale * v;
            }
        if (cr_patterns_rank(X, n, d) != r) fail_msg("instance %d (n %zu, d %zu): rank %zu expected", t, n, d, r);
    }
    const double D[] = {1, 2, 3, 1, 2, 3, -2, -4, -6, 0, 0, 0};
    assert_int_equal(cr_patterns_rank(D, 4, 3), 1);
    assert_int_equal(cr_patterns_rank(D, 0, 3), 0);
    const double Z[] = {0, 0, 0, 0};
    assert_int_equal(cr_patterns_rank(Z, 2, 2), 0);
    gsl_rng_free(g);
}

static void test_general_position_detects_degeneracy(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(17);
    double X[200 * 3];
    gaussian(g, X, 200 * 3);
    assert_int_equal(cr_patterns_general_position(X, 200, 3), 1);
    /* three coplanar rows among 200 */
    for (size_t j = 0; j < 3; j++) X[150 * 3 + j] = 0.5 * X[7 * 3 + j] - 2.0 * X[99 * 3 + j];
    assert_int_equal(cr_patterns_general_position(X, 200, 3), 0);
    gaussian(g, X, 200 * 3);
    for (size_t j = 0; j < 3; j++) X[199 * 3 + j] = 0.0;
    assert_int_equal(cr_patterns_general_position(X, 200, 3), 0);
    /* d = 2: one pair of parallel rows among 2000 */
    double *Y = malloc(2000 * 2 * sizeof *Y);
    assert_non_null(Y);
    gaussian(g, Y, 4000);
    assert_int_equal(cr_patterns_general_position(Y, 2000, 2), 1);
    Y[2 * 1999] = -3.0 * Y[2 * 5];
    Y[2 * 1999 + 1] = -3.0 * Y[2 * 5 + 1];
    assert_int_equal(cr_patterns_general_position(Y, 2000, 2), 0);
    free(Y);
    /* d = 4 */
    double W[9 * 4];
    gaussian(g, W, 36);
    assert_int_equal(cr_patterns_general_position(W, 9, 4), 1);
    for (size_t j = 0; j < 4; j++) W[8 * 4 + j] = W[0 * 4 + j] + W[1 * 4 + j] - W[2 * 4 + j];
    assert_int_equal(cr_patterns_general_position(W, 9, 4), 0);
    const double S[] = {3, 3, 2, 2, 1, 0};
    assert_int_equal(cr_patterns_general_position(S, 3, 2), 0);
    gsl_rng_free(g);
}

/* ---------------------------------------------------------------- Gordan */

/* Independent answer in the plane: Xu > 0 has a solution iff the row angles leave a gap wider than pi. */
static int open_by_angles(const double *X, size_t n)
{
    double *th = malloc(n * sizeof *th);
    assert_non_null(th);
    for (size_t i = 0; i < n; i++) th[i] = atan2(X[2 * i + 1], X[2 * i]);
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && th[b - 1] > th[b]; b--) {
            double t = th[b];
            th[b] = th[b - 1];
            th[b - 1] = t;
        }
    double gap = th[0] + 2 * M_PI - th[n - 1];
    for (size_t i = 1; i < n; i++)
        if (th[i] - th[i - 1] > gap) gap = th[i] - th[i - 1];
    free(th);
    return gap > M_PI;
}

static void test_allones_open(void **state)
{
    (void)state;
    const double half[] = {1, 0, 0, 1, 1, 1};
    assert_int_equal(cr_patterns_allones_open(half, 3, 2), 1);
    const double opp[] = {1, 0, -1, 0, 0, 1};
    assert_int_equal(cr_patterns_allones_open(opp, 3, 2), 0); /* 0 on the hull's boundary */
    const double zero[] = {1, 0, 0, 0};
    assert_int_equal(cr_patterns_allones_open(zero, 2, 2), 0);
    const double slide[] = {3, 3, 2, 2, 1, 0};
    assert_int_equal(cr_patterns_allones_open(slide, 3, 2), 1);
    const double wide[] = {1, 0, 0, 2, 0, 0, 1, 1, 1, 2, 0, 1};
    assert_int_equal(cr_patterns_allones_open(wide, 2, 6), 1); /* d > n, independent rows */
    /* nearly opposite rows: open with margin eps, closed at eps = 0; scale-free per row */
    double eps[] = {1e-3, 1e-6, 1e-9};
    for (size_t i = 0; i < 3; i++) {
        double a[] = {1, eps[i], -1, eps[i]};
        assert_int_equal(cr_patterns_allones_open(a, 2, 2), 1);
        double b[] = {1e150, 1e150 * eps[i], -1e-150, 1e-150 * eps[i]};
        assert_int_equal(cr_patterns_allones_open(b, 2, 2), 1);
        double c[] = {1, eps[i], -1, eps[i], 0, -1};
        assert_int_equal(cr_patterns_allones_open(c, 3, 2), 0);
    }
    const double edge[] = {1, 0, -1, 0};
    assert_int_equal(cr_patterns_allones_open(edge, 2, 2), 0);

    gsl_rng *g = crt_rng_seeded(1234);
    double X[64 * 2];
    int seen[2] = {0, 0};
    for (int t = 0; t < 500; t++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 40);
        gaussian(g, X, 2 * n);
        if (t % 2) /* rows within a random cone of half-angle up to ~pi/2 + 0.2 */
            for (size_t i = 0; i < n; i++) {
                double th = gsl_rng_uniform(g) * (M_PI + 0.4) - 0.5 * (M_PI + 0.4), r = 0.1 + gsl_rng_uniform(g);
                X[2 * i] = r * cos(th);
                X[2 * i + 1] = r * sin(th);
            }
        int want = open_by_angles(X, n), got = cr_patterns_allones_open(X, n, 2);
        if (got != want) {
            print_X(X, n, 2);
            fail_msg("instance %d: allones_open %d, angular gap says %d", t, got, want);
        }
        seen[want]++;
    }
    assert_true(seen[0] > 50 && seen[1] > 50);
    /* n = 2000: Gaussian rows surround the origin; rows flipped into x_1 > 0 do not */
    double *Y = malloc(2000 * 2 * sizeof *Y);
    assert_non_null(Y);
    gaussian(g, Y, 4000);
    assert_int_equal(open_by_angles(Y, 2000), 0);
    assert_int_equal(cr_patterns_allones_open(Y, 2000, 2), 0);
    for (size_t i = 0; i < 2000; i++) Y[2 * i] = fabs(Y[2 * i]);
    assert_int_equal(cr_patterns_allones_open(Y, 2000, 2), 1);
    free(Y);
    gsl_rng_free(g);
}

/* The pattern of one direction, by hand: the slide data at three directions (a zero product counts, the closed
 * pattern), a direction given as a column of a row-major W1 (stride), and n > 64 (two words). */
static void test_direction_mask(void **state)
{
    (void)state;
    const double X[] = {3, 3, 2, 2, 1, 0};
    const double u1[] = {1, 0}, u2[] = {0, -1}, u3[] = {-1, 1};
    uint64_t mask[2] = {~0ull, ~0ull};
    cr_patterns_direction(X, 3, 2, u1, 1, mask);
    assert_int_equal(mask[0], 7);  /* X u = (3, 2, 1): 111 */
    cr_patterns_direction(X, 3, 2, u2, 1, mask);
    assert_int_equal(mask[0], 4);  /* (-3, -2, 0): 001 */
    cr_patterns_direction(X, 3, 2, u3, 1, mask);
    assert_int_equal(mask[0], 3);  /* (0, 0, -1): 110 */
    const double W1[] = {5, 0, -7, 5, -1, 7}; /* 2 x 3, column 1 = (0, -1) */
    cr_patterns_direction(X, 3, 2, W1 + 1, 3, mask);
    assert_int_equal(mask[0], 4);
    assert_int_equal(mask[1], ~0ull); /* one word for n = 3: the next is not touched */
    double Y[140];
    for (int i = 0; i < 70; i++) Y[2 * i] = 1, Y[2 * i + 1] = i - 35;
    const double e2[] = {0, 1};
    cr_patterns_direction(Y, 70, 2, e2, 1, mask); /* x_i'u = i - 35 >= 0 for i >= 35 */
    assert_int_equal(mask[0], ~0ull << 35);
    assert_int_equal(mask[1], (1ull << 6) - 1);
}

static void test_bad_input(void **state)
{
    (void)state;
    cr_patterns *P = (cr_patterns *)0x1;
    cr_err e;
    const double X[] = {1, NAN};
    assert_int_equal(cr_patterns_enumerate(X, 1, 2, &P, &e), CR_EINPUT);
    assert_null(P);
    assert_non_null(strstr(e.msg, "non-finite"));
    assert_int_equal(cr_patterns_enumerate(NULL, 1, 2, &P, &e), CR_EINPUT);
    assert_int_equal(cr_patterns_enumerate(X, 1, 2, NULL, &e), CR_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide_example),
        cmocka_unit_test(test_antiparallel_face),
        cmocka_unit_test(test_zero_rows),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_small_n),
        cmocka_unit_test(test_rank_deficient_by_hand),
        cmocka_unit_test(test_brute_force_integer),
        cmocka_unit_test(test_invariances),
        cmocka_unit_test(test_general_position_counts),
        cmocka_unit_test(test_regions_and_cover),
        cmocka_unit_test(test_closed_form_random),
        cmocka_unit_test(test_closed_form_rank_deficient),
        cmocka_unit_test(test_faces_of_general_position),
        cmocka_unit_test(test_lp_oracle),
        cmocka_unit_test(test_sampling_subset),
        cmocka_unit_test(test_sampling_finds_regions),
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_general_position_detects_degeneracy),
        cmocka_unit_test(test_allones_open),
        cmocka_unit_test(test_direction_mask),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
