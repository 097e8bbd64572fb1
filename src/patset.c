/* The pattern set container of patterns.h: bit masks in one growing array, with an open-addressing
 * hash index so that adding and finding a pattern cost O(n / 64) on average. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "patterns.h"

/* The hash index lives beside the array; it is rebuilt when either grows. Kept private to this file by
 * hiding it in a header block allocated before the struct the caller sees. */
typedef struct {
    cr_patterns pub;
    size_t *slot;    /* hash table of pattern index + 1 (0: empty) */
    size_t nslot;    /* power of two, > 2 p */
} patset;

static uint64_t mask_hash(const uint64_t *m, size_t words)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t w = 0; w < words; w++) {
        h ^= m[w] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return h;
}

static void reindex(patset *s);

static int rehash(patset *s, size_t nslot)
{
    size_t *slot = calloc(nslot, sizeof *slot);
    if (!slot) return -1;
    free(s->slot);
    s->slot = slot;
    s->nslot = nslot;
    reindex(s);
    return 0;
}

cr_patterns *cr_patterns_alloc(size_t n, size_t cap)
{
    patset *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (cap < 4) cap = 4;
    s->pub.n = n;
    s->pub.words = n ? (n + 63) / 64 : 1;
    s->pub.cap = cap;
    s->pub.bits = calloc(cap * s->pub.words, sizeof(uint64_t));
    size_t nslot = 16;
    while (nslot < 2 * cap) nslot *= 2;
    if (!s->pub.bits || rehash(s, nslot) != 0) {
        free(s->pub.bits);
        free(s->slot);
        free(s);
        return NULL;
    }
    return &s->pub;
}

void cr_patterns_free(cr_patterns *P)
{
    if (!P) return;
    patset *s = (patset *)P;
    free(s->slot);
    free(P->bits);
    free(s);
}

void cr_patterns_clear(cr_patterns *P)
{
    patset *s = (patset *)P;
    P->p = 0;
    memset(s->slot, 0, s->nslot * sizeof *s->slot);
}

size_t cr_patterns_find(const cr_patterns *P, const uint64_t *mask)
{
    const patset *s = (const patset *)P;
    size_t h = (size_t)mask_hash(mask, P->words) & (s->nslot - 1);
    while (s->slot[h]) {
        size_t i = s->slot[h] - 1;
        if (memcmp(P->bits + i * P->words, mask, P->words * sizeof(uint64_t)) == 0) return i;
        h = (h + 1) & (s->nslot - 1);
    }
    return (size_t)-1;
}

int cr_patterns_add(cr_patterns *P, const uint64_t *mask, cr_err *err)
{
    patset *s = (patset *)P;
    if (cr_patterns_find(P, mask) != (size_t)-1) return CR_OK;
    if (P->p == P->cap) {
        size_t cap = 2 * P->cap;
        uint64_t *b = realloc(P->bits, cap * P->words * sizeof(uint64_t));
        if (!b) return cr_err_set(err, CR_ERUNTIME, "out of memory holding %zu patterns of %zu bits", cap, P->n);
        P->bits = b;
        P->cap = cap;
    }
    if (2 * (P->p + 1) > s->nslot && rehash(s, 2 * s->nslot) != 0)
        return cr_err_set(err, CR_ERUNTIME, "out of memory indexing %zu patterns", P->p + 1);
    memcpy(P->bits + P->p * P->words, mask, P->words * sizeof(uint64_t));
    size_t h = (size_t)mask_hash(mask, P->words) & (s->nslot - 1);
    while (s->slot[h]) h = (h + 1) & (s->nslot - 1);
    s->slot[h] = ++P->p;
    return CR_OK;
}

int cr_patterns_is_subset(const cr_patterns *sub, const cr_patterns *sup)
{
    if (sub->n != sup->n) return 0;
    for (size_t i = 0; i < sub->p; i++)
        if (cr_patterns_find(sup, cr_patterns_mask(sub, i)) == (size_t)-1) return 0;
    return 1;
}

/* Compares two masks as 0/1 strings with sample 0 first; returns >0 when a's string is larger. */
static int mask_cmp_string(const uint64_t *a, const uint64_t *b, size_t words)
{
    for (size_t w = 0; w < words; w++) {
        if (a[w] == b[w]) continue;
        uint64_t x = a[w] ^ b[w];
        int k = __builtin_ctzll(x); /* lowest differing bit = earliest sample */
        return ((a[w] >> k) & 1u) ? 1 : -1;
    }
    return 0;
}

static int cmp_desc(const void *a, const void *b, void *words)
{
    return -mask_cmp_string(a, b, *(const size_t *)words);
}

/* Rebuilds the index in its current table (no allocation). */
static void reindex(patset *s)
{
    memset(s->slot, 0, s->nslot * sizeof *s->slot);
    const cr_patterns *P = &s->pub;
    for (size_t i = 0; i < P->p; i++) {
        size_t h = (size_t)mask_hash(P->bits + i * P->words, P->words) & (s->nslot - 1);
        while (s->slot[h]) h = (h + 1) & (s->nslot - 1);
        s->slot[h] = i + 1;
    }
}

void cr_patterns_sort(cr_patterns *P)
{
    if (P->p < 2) return;
    size_t words = P->words;
    qsort_r(P->bits, P->p, words * sizeof(uint64_t), cmp_desc, &words);
    reindex((patset *)P);
}

void cr_patterns_string(const cr_patterns *P, size_t i, char *buf)
{
    for (size_t k = 0; k < P->n; k++) buf[k] = (char)('0' + cr_patterns_bit(P, i, k));
    buf[P->n] = 0;
}
