/* Sweeps and ablations: the cartesian product of `--grid key=v1,v2,...` over one config, one ordinary run
 * folder per point, and one aggregated DIR/sweep.csv. The points run locally (serially or as a process pool of
 * the same binary) or are emitted as a job file for GNU parallel or a Slurm array; `aggregate` rebuilds
 * sweep.csv from the run folders and DIR/sweep.yaml (the plan), so the table is byte-identical whichever way
 * the points ran. Nothing here exits; the *_cli entry points print to the streams they are given and return the
 * exit status. Implemented by src/harness/sweep_*.c (plan, file, exec, emit, aggregate, cli). */
#ifndef CR_SWEEP_H
#define CR_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CR_SWEEP_MAX_POINTS 10000

/* One --grid option: a key path and its values (the override texts, in the order given). */
typedef struct {
    char *key;
    char **values;
    size_t nvalues;
} cr_sweep_grid;

/* Parses "key.path=v1,v2,..." into g (owned by g afterwards; free with cr_sweep_grid_clear). Values are split at
 * top-level commas; a comma inside [...] belongs to a list value: "count.n=[4,8],[16,32]" has two values.
 * Surrounding blanks are trimmed. CR_EINPUT naming the problem for: no '=', an empty key or value, unbalanced
 * brackets, a control character, a repeated value. Does not check the key against the schema. */
int cr_sweep_grid_parse(const char *spec, cr_sweep_grid *g, cr_err *err);
void cr_sweep_grid_clear(cr_sweep_grid *g);

/* The folder name of a point: "key=value" per grid key, joined by "__", e.g. "landscape.beta=0.5__landscape.grid=11".
 * In values, [A-Za-z0-9._+,-] are kept, '[', ']' and blanks are dropped, every other byte becomes %XX; a name
 * longer than 200 characters is cut and ends in "~" and 16 hex digits of a hash of the whole name. CR_EINPUT if cap
 * is too small (cap >= 256 always suffices). */
int cr_sweep_point_name(const char *const *keys, const char *const *values, size_t n, char *buf, size_t cap);

/* `cvxrelu sweep CONFIG --grid ... [options]` (argv[0] the program, argv[1] "sweep"). Instructions and the
 * emitted-file summary go to out, progress and errors to log. Returns the exit status: 0 every point ok (or the
 * job files were emitted), 1 some point failed or was rejected, 2 usage/config error with nothing written (also a
 * control character in anything an emitted file would hold), 3 every point completed and some point's claims
 * failed (status claims_failed). */
int cr_sweep_cli(int argc, char **argv, FILE *out, FILE *log);

/* `cvxrelu aggregate DIR`: rewrites DIR/sweep.csv from DIR/sweep.yaml and the run folders. Exit status as above. */
int cr_sweep_aggregate_cli(int argc, char **argv, FILE *out, FILE *log);

/* Rebuilds dir/sweep.csv (see cr_sweep_aggregate_cli); *npoints, *nbad and *nclaims receive the number of points,
 * of points failed or in error, and of points whose claims failed. CR_EINPUT when dir/sweep.yaml is missing or
 * malformed, CR_ERUNTIME on I/O failure. */
int cr_sweep_aggregate(const char *dir, size_t *npoints, size_t *nbad, size_t *nclaims, cr_err *err);

/* The usage text of both commands (for `cvxrelu --help`). */
void cr_sweep_usage(FILE *f);

#endif
