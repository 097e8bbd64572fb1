/* INTERNAL to the sweep module (src/harness/sweep_*.c); nothing outside it includes this header, whose names may
 * change without notice. The public contract is sweep.h. Shared here: the plan of a sweep (grids, points, paths),
 * the state of a point read from its folder, and the entry points of each part: plan (sweep_plan.c), sweep.yaml
 * (sweep_file.c), the local process pool (sweep_exec.c), the job files (sweep_emit.c), the aggregation
 * (sweep_aggregate.c); sweep_cli.c ties them together. */
#ifndef CR_SWEEP_IMPL_H
#define CR_SWEEP_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "err.h"
#include "fsutil.h"
#include "sweep.h"

#define CR_SWEEP_MAX_SETS 128 /* main's limit on --set options of one run */
#define CR_SWEEP_NAME_CUT 200 /* longest point name before it is cut and hashed (cr_sweep_point_name) */

/* ------------------------------------------------------------ string lists */

typedef struct {
    char **v; /* owned, each malloc'ed */
    size_t n, cap;
} cr_sweep_strs;

/* Appends a copy of text; -1 when out of memory. */
int cr_sweep_strs_push(cr_sweep_strs *s, const char *text);
void cr_sweep_strs_free(cr_sweep_strs *s);
/* Index of text in s, or -1. */
ptrdiff_t cr_sweep_strs_find(const cr_sweep_strs *s, const char *text);

/* 16 hex digits of the 64-bit FNV-1a of s: a fingerprint of a resolved config, not a security hash. */
void cr_sweep_hash_hex(const char *s, char out[17]);

/* ------------------------------------------------------------------ the plan */

typedef struct {
    char *name;     /* folder under the sweep folder */
    char *error;    /* the schema's message when the point's overrides are rejected; NULL if it resolves */
    char *dump;     /* resolved config text (cr_config_dump); NULL when the plan was read back from sweep.yaml */
    char hash[17];  /* FNV-1a of the resolved config text, hex; empty when error */
    long threads;   /* the point's BLAS threads (for the Slurm cpus-per-task) */
    double mem_bytes; /* the memory guard's estimate for the point (memlimit.h); NaN when unknown (not asked
                         for, or its CSV data could not be read) */
} cr_sweep_point;

typedef struct {
    char config[CR_PATH_MAX]; /* absolute, canonical: also the text in each run's config.yaml header */
    char cwd[CR_PATH_MAX];    /* where the points run (relative --set paths resolve against it) */
    char dir[CR_PATH_MAX];    /* the sweep folder, absolute */
    char prog[CR_PATH_MAX];   /* this binary, absolute */
    cr_sweep_strs sets;       /* --set overrides shared by every point */
    cr_sweep_grid *grids;
    size_t ngrid;
    cr_sweep_point *pts;
    size_t npts;
    int want_mem;             /* estimate each point's memory when resolving (Slurm --mem); reads CSV data */
} cr_sweep_plan;

/* Frees p and everything it owns (NULL accepted). */
void cr_sweep_plan_free(cr_sweep_plan *p);
/* Value index of grid g at point i: row-major, the last grid varies fastest. */
size_t cr_sweep_value_index(const cr_sweep_plan *p, size_t i, size_t g);
/* Checks the grids (known keys, not repeated, not also --set, values naming distinct folders, not too many
 * points) and resolves every point with cr_config_load. A rejected point keeps its message. */
int cr_sweep_plan_resolve(cr_sweep_plan *p, cr_err *err);
/* DIR/POINT, or DIR/POINT/file when file is not NULL; -1 when it does not fit. */
int cr_sweep_point_path(const cr_sweep_plan *p, size_t i, const char *file, char *buf, size_t cap);
/* Whether the point's folder is a symbolic link (never followed: neither read nor written through). */
int cr_sweep_point_is_link(const cr_sweep_plan *p, size_t i);
/* The `run` command of point i: prog run CONFIG --set ... --out DIR/NAME --quiet (strings in av). */
int cr_sweep_point_argv(const cr_sweep_plan *p, size_t i, cr_sweep_strs *av);

/* ------------------------------------------------------------- sweep.yaml */

/* Writes p->dir/sweep.yaml (atomically). */
int cr_sweep_plan_write(const cr_sweep_plan *p, cr_err *err);
/* Reads dir/sweep.yaml back into a plan (without the resolved config texts). CR_EINPUT when it is missing or
 * malformed. */
int cr_sweep_plan_read(const char *dir, cr_sweep_plan **out, cr_err *err);

/* ------------------------------------------------------------ point states */

/* ok: completed, every claim passed; claims_failed: completed, some claim failed (a finding: the point is done
 * and is not rerun); failed: a runtime failure; error: rejected by the schema, not run, unfinished or stale. */
typedef enum {
    CR_SWEEP_POINT_OK,
    CR_SWEEP_POINT_CLAIMS_FAILED,
    CR_SWEEP_POINT_FAILED,
    CR_SWEEP_POINT_ERROR
} cr_sweep_state;

/* "ok", "claims_failed", "failed", "error". */
const char *cr_sweep_state_name(cr_sweep_state s);

/* The state of point i from its folder: ok / claims_failed / failed (the run's own status) / error (rejected by
 * the schema, not run or unfinished, or results of another config). The summary keys and values are appended to
 * keys/vals, the message (empty when ok) written to msg. The config check compares the resolved text when the
 * plan has it, else its hash. */
cr_sweep_state cr_sweep_point_read(const cr_sweep_plan *p, size_t i, cr_sweep_strs *keys, cr_sweep_strs *vals,
                                   char *msg, size_t cap);

/* ------------------------------------------------------------ aggregation */

/* Writes p->dir/sweep.csv; counts the points that failed or are in error (*nbad) and those whose claims failed
 * (*nclaims). */
int cr_sweep_plan_aggregate(const cr_sweep_plan *p, size_t *nbad, size_t *nclaims, cr_err *err);

/* ------------------------------------------------------- running locally */

/* Creates the folder of each point to run (the stderr.log redirection needs it before the run starts). A point
 * folder must be a folder itself: a symbolic link there is never followed. */
int cr_sweep_make_point_dirs(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, cr_err *err);
/* Runs the points todo[] with at most jobs at once; one progress line per finished point unless quiet. A
 * termination signal stops the running points, then the sweep itself by the same signal. */
int cr_sweep_run_local(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long jobs, int quiet, FILE *log,
                       cr_err *err);

/* ------------------------------------------------------------ job files */

/* Output paths of a sweep, absolute. */
typedef struct {
    char jobs[CR_PATH_MAX + 16], slurm[CR_PATH_MAX], agg[CR_PATH_MAX + 32];
} cr_sweep_emit_paths;

/* Slurm's default MaxArraySize (slurm.conf): array indices 0 .. 1000. */
#define CR_SWEEP_SLURM_MAX_ARRAY 1001
/* MiB added to the largest point estimate for Slurm's --mem: the estimate counts the run's large arrays only;
 * the program itself (code, libraries, OpenBLAS and GSL state, stdio buffers) peaked at 6.1 to 7.6 MiB of
 * resident memory in small runs (landscape, arrangements, convex at 1 and 4 threads, GNU time's %M), and
 * Slurm's cgroup also charges the page cache of the tables written: 64 MiB leaves room for both. */
#define CR_SWEEP_SLURM_BASE_MB 64

/* The sbatch settings of --emit-slurm. */
typedef struct {
    const char *time, *mem, *partition, *account; /* --time ... as given; NULL: not given (mem: estimated) */
    cr_sweep_strs opts;  /* --sbatch-opt values, each one #SBATCH line of every script, in order */
    long max_running;    /* the array's %N throttle; 0: none */
    long max_array;      /* indices per array (Slurm's MaxArraySize); more points are split into several */
} cr_sweep_slurm;

/* CR_EINPUT when anything an emitted file would hold has a control character (see sweep_emit.c). */
int cr_sweep_emit_check(const cr_sweep_plan *p, const cr_sweep_emit_paths *ep, int slurm, cr_err *err);
/* Writes the job file (and the Slurm scripts, when so is not NULL) for the points todo[] and prints to out how
 * to run them. */
int cr_sweep_emit(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long cpus, const cr_sweep_slurm *so,
                  const cr_sweep_emit_paths *ep, FILE *out, cr_err *err);

#endif
