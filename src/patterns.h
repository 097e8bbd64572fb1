/* Hyperplane-arrangement patterns D(u) = diag(1(X u >= 0)) stored as bit masks (n bits each).
 * Exact enumeration of every realizable pattern (faces included, degenerate data allowed: duplicate,
 * parallel, zero rows, rank-deficient X, d > n) following docs/MATH.md (Conventions); Gaussian sampling, which
 * returns a subset; rank, Cover's bound and the general-position closed form. */
#ifndef CR_PATTERNS_H
#define CR_PATTERNS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "err.h"

typedef struct {
    size_t n;       /* bits per pattern (samples) */
    size_t words;   /* uint64_t words per pattern: (n + 63) / 64 */
    size_t p;       /* number of patterns held */
    size_t cap;     /* capacity in patterns */
    uint64_t *bits; /* p x words; sample k of pattern i: bit k % 64 of bits[i * words + k / 64]; unused high bits 0 */
} cr_patterns;

/* An empty set for n samples with room for cap patterns (grows on add). NULL on allocation failure. */
cr_patterns *cr_patterns_alloc(size_t n, size_t cap);
void cr_patterns_free(cr_patterns *P);

/* Bit k of a pattern's mask (sample k is on the active side). */
static inline int cr_mask_bit(const uint64_t *mask, size_t k)
{
    return (int)((mask[k / 64] >> (k % 64)) & 1u);
}
static inline int cr_patterns_bit(const cr_patterns *P, size_t i, size_t k)
{
    return cr_mask_bit(P->bits + i * P->words, k);
}
static inline const uint64_t *cr_patterns_mask(const cr_patterns *P, size_t i)
{
    return P->bits + i * P->words;
}

/* Appends mask (P->words words) unless already present; returns CR_OK or CR_ERUNTIME (memory). */
int cr_patterns_add(cr_patterns *P, const uint64_t *mask, cr_err *err);
/* Empties P (keeps its storage). */
void cr_patterns_clear(cr_patterns *P);
/* Index of mask in P, or (size_t)-1. */
size_t cr_patterns_find(const cr_patterns *P, const uint64_t *mask);
/* 1 when every pattern of sub is in sup (same n), else 0. */
int cr_patterns_is_subset(const cr_patterns *sub, const cr_patterns *sup);
/* Sorts patterns into the canonical order: descending by their 0/1 string (sample 1 first). */
void cr_patterns_sort(cr_patterns *P);
/* Writes pattern i as n characters '0'/'1' (sample 1 first) plus NUL into buf (size >= n + 1). */
void cr_patterns_string(const cr_patterns *P, size_t i, char *buf);

/* The closed pattern 1(X u >= 0) of the direction u, u_r = u[r * stride] (stride 1: a vector; column j of a d x m
 * row-major W1: u = W1 + j, stride m), as a mask ((n + 63) / 64 words, cleared first). Plain loops. */
void cr_patterns_direction(const double *X, size_t n, size_t d, const double *u, size_t stride, uint64_t *mask);

/* Every realizable pattern of X (n x d, row-major), canonical order. *out is allocated here. */
int cr_patterns_enumerate(const double *X, size_t n, size_t d, cr_patterns **out, cr_err *err);
/* Patterns 1(X u >= 0) of `samples` directions u ~ N(0, I_d) drawn from rng, deduplicated, canonical order. */
int cr_patterns_sample(const double *X, size_t n, size_t d, size_t samples, gsl_rng *rng,
                       cr_patterns **out, cr_err *err);

/* Numerical rank of X (singular values above max(n, d) eps s_max); (size_t)-1 on non-finite input or an
 * SVD failure. */
size_t cr_patterns_rank(const double *X, size_t n, size_t d);
/* Cover's bound 2 r (e (n - 1) / r)^r (r >= 1), 1 for r = 0. A bound for n >= 2 only (n = 1 gives 0). */
double cr_patterns_cover_bound(size_t n, size_t r);
/* Open regions of a general-position arrangement: C(n, r) = 2 sum_{k<r} binom(n - 1, k). */
double cr_patterns_regions_general(size_t n, size_t r);
/* 1 when every r rows of X are linearly independent and no row is zero (r = rank X); 0 when not;
 * -1 on allocation failure. */
int cr_patterns_general_position(const double *X, size_t n, size_t d);
/* 1 when some u has X u > 0 strictly, i.e. the origin is not in the convex hull of the rows (Gordan);
 * 0 when not; -1 on allocation or NNLS failure. */
int cr_patterns_allones_open(const double *X, size_t n, size_t d);
/* The closed form count for general-position data: C(n, r) + (all-ones not an open region); NaN on failure. */
double cr_patterns_closed_form(const double *X, size_t n, size_t d);

#endif
