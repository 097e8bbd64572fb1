/* Seed derivation for per-purpose random streams (see rng.h). */
#include "rng.h"

#include <stdint.h>

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

unsigned long cr_rng_derive(long master, const char *purpose)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the purpose name */
    for (const unsigned char *c = (const unsigned char *)purpose; *c; c++) h = (h ^ *c) * 1099511628211ull;
    /* 32 bits: mt19937 uses only the low 32 bits of its seed, and configs echo the value. */
    return (unsigned long)(splitmix64((uint64_t)master ^ splitmix64(h)) & 0x7fffffffull);
}

gsl_rng *cr_rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r) gsl_rng_set(r, seed);
    return r;
}

gsl_rng *cr_rng_stream(long master, const char *purpose)
{
    return cr_rng_seeded(cr_rng_derive(master, purpose));
}
