/* Deterministic random streams: one gsl_rng (mt19937, by name) per purpose, seeded from the master seed
 * and the purpose's name, so adding a purpose never shifts another's numbers. Never reads the environment. */
#ifndef CR_RNG_H
#define CR_RNG_H

#include <gsl/gsl_rng.h>

/* The seed that stream `purpose` derives from master (splitmix64 of master and a hash of the name). */
unsigned long cr_rng_derive(long master, const char *purpose);
/* A new mt19937 generator seeded with cr_rng_derive(master, purpose); NULL on allocation failure. */
gsl_rng *cr_rng_stream(long master, const char *purpose);
/* A new mt19937 generator seeded with seed exactly. */
gsl_rng *cr_rng_seeded(unsigned long seed);

#endif
