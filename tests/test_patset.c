/* Tests of src/patset.c, the pattern set of patterns.h, against brute force over a plain list of masks: add
 * (duplicates dropped, insertion order kept, growth far beyond the initial capacity), find (present and absent),
 * clear, is_subset, the canonical order of sort (descending 0/1 strings, sample 1 first, compared with strcmp)
 * with find still working afterwards, and the 0/1 strings themselves; for n = 0, 1, 63, 64, 65 and 130 bits. */
#include "testutil.h"

#include "patterns.h"

typedef struct {
    size_t n, words, p;
    uint64_t *m; /* p x words, in insertion order */
} list;

static size_t list_find(const list *L, const uint64_t *mask)
{
    for (size_t i = 0; i < L->p; i++)
        if (memcmp(L->m + i * L->words, mask, L->words * sizeof *mask) == 0) return i;
    return (size_t)-1;
}

static void list_add(list *L, const uint64_t *mask)
{
    if (list_find(L, mask) != (size_t)-1) return;
    memcpy(L->m + L->p++ * L->words, mask, L->words * sizeof *mask);
}

/* '0'/'1' per sample, sample 1 first, from the bits themselves. */
static void to_string(const uint64_t *mask, size_t n, char *buf)
{
    for (size_t k = 0; k < n; k++) buf[k] = (char)('0' + ((mask[k / 64] >> (k % 64)) & 1u));
    buf[n] = 0;
}

/* A random mask of n bits; few distinct values when n is small, so duplicates are common. */
static void random_mask(gsl_rng *g, size_t n, size_t words, uint64_t *mask)
{
    memset(mask, 0, words * sizeof *mask);
    for (size_t k = 0; k < n; k++)
        if (gsl_rng_uniform(g) < 0.5) mask[k / 64] |= 1ull << (k % 64);
}

static int cmp_desc(const void *a, const void *b) { return -strcmp(*(char *const *)a, *(char *const *)b); }

static void check_against(const cr_patterns *P, const list *L)
{
    assert_int_equal(P->p, L->p);
    assert_int_equal(P->n, L->n);
    for (size_t i = 0; i < L->p; i++) {
        assert_memory_equal(cr_patterns_mask(P, i), L->m + i * L->words, L->words * sizeof(uint64_t));
        assert_int_equal(cr_patterns_find(P, L->m + i * L->words), i);
    }
}

static void one_size(gsl_rng *g, size_t n)
{
    size_t words = n ? (n + 63) / 64 : 1, adds = 3000;
    list L = {n, words, 0, calloc(adds * words, sizeof(uint64_t))};
    uint64_t *mask = calloc(words, sizeof *mask);
    assert_true(L.m && mask);
    cr_patterns *P = cr_patterns_alloc(n, 1);
    assert_non_null(P);
    assert_int_equal(P->words, words);
    cr_err e;
    for (size_t t = 0; t < adds; t++) {
        random_mask(g, n, words, mask);
        if (t % 3 == 0 && L.p) memcpy(mask, L.m + gsl_rng_uniform_int(g, L.p) * words, words * sizeof *mask);
        assert_int_equal(cr_patterns_add(P, mask, &e), CR_OK);
        list_add(&L, mask);
    }
    check_against(P, &L);
    /* Absent masks are not found. */
    for (int t = 0; t < 200; t++) {
        random_mask(g, n, words, mask);
        assert_int_equal(cr_patterns_find(P, mask), list_find(&L, mask));
    }
    /* Strings. */
    char *s = malloc(n + 1), *want = malloc(n + 1);
    assert_true(s && want);
    for (size_t i = 0; i < L.p; i++) {
        cr_patterns_string(P, i, s);
        to_string(L.m + i * words, n, want);
        assert_string_equal(s, want);
    }
    /* Subsets: every other pattern of L, then one mask not in P. */
    cr_patterns *S = cr_patterns_alloc(n, 4);
    assert_non_null(S);
    for (size_t i = 0; i < L.p; i += 2) assert_int_equal(cr_patterns_add(S, L.m + i * words, &e), CR_OK);
    assert_true(cr_patterns_is_subset(S, P));
    assert_int_equal(cr_patterns_is_subset(P, S), L.p <= 1);
    cr_patterns *other = cr_patterns_alloc(n + 1, 4);
    assert_non_null(other);
    assert_false(cr_patterns_is_subset(other, P)); /* different n */
    assert_true(cr_patterns_is_subset(S, S));
    /* Sort: the strings in descending strcmp order, every pattern still found at its new index. */
    char **strs = malloc(L.p * sizeof *strs);
    assert_non_null(strs);
    for (size_t i = 0; i < L.p; i++) {
        strs[i] = malloc(n + 1);
        assert_non_null(strs[i]);
        to_string(L.m + i * words, n, strs[i]);
    }
    qsort(strs, L.p, sizeof *strs, cmp_desc);
    cr_patterns_sort(P);
    assert_int_equal(P->p, L.p);
    for (size_t i = 0; i < L.p; i++) {
        cr_patterns_string(P, i, s);
        assert_string_equal(s, strs[i]);
        assert_int_equal(cr_patterns_find(P, cr_patterns_mask(P, i)), i);
    }
    assert_true(cr_patterns_is_subset(S, P));
    /* Clear: empty, nothing found, and it fills again. */
    cr_patterns_clear(P);
    assert_int_equal(P->p, 0);
    for (size_t i = 0; i < L.p; i++) assert_int_equal(cr_patterns_find(P, L.m + i * words), (size_t)-1);
    for (size_t i = L.p; i-- > 0;) assert_int_equal(cr_patterns_add(P, L.m + i * words, &e), CR_OK);
    assert_int_equal(P->p, L.p);
    for (size_t i = 0; i < L.p; i++) assert_int_equal(cr_patterns_find(P, L.m + i * words), L.p - 1 - i);
    for (size_t i = 0; i < L.p; i++) free(strs[i]);
    free(strs), free(s), free(want), free(mask), free(L.m);
    cr_patterns_free(S);
    cr_patterns_free(other);
    cr_patterns_free(P);
}

static void test_against_list(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(41);
    const size_t sizes[] = {0, 1, 5, 12, 63, 64, 65, 130};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) one_size(g, sizes[t]);
    gsl_rng_free(g);
}

/* Canonical order by hand, n = 3: 111 > 110 > 101 > 100 > 011 > 010 > 001 > 000 (sample 1 is bit 0). */
static void test_sort_by_hand(void **state)
{
    (void)state;
    cr_patterns *P = cr_patterns_alloc(3, 2);
    assert_non_null(P);
    cr_err e;
    for (uint64_t v = 0; v < 8; v++) assert_int_equal(cr_patterns_add(P, &v, &e), CR_OK);
    cr_patterns_sort(P);
    const char *want[] = {"111", "110", "101", "100", "011", "010", "001", "000"};
    char s[4];
    for (size_t i = 0; i < 8; i++) {
        cr_patterns_string(P, i, s);
        assert_string_equal(s, want[i]);
    }
    assert_int_equal(cr_patterns_mask(P, 1)[0], 3u); /* "110": samples 1 and 2 */
    cr_patterns_free(P);
    cr_patterns_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_list),
        cmocka_unit_test(test_sort_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
