/* What the benchmarks in bench/ share (not part of the library): the start of a `bench_NAME OUTDIR` program, the
 * clocks, output files written under a temporary name and renamed when complete, a child process read line by
 * line, and the rows and pattern lines of the oracles' instance files. benchutil.c includes GSL; like every
 * benchmark it includes no CBLAS header (the two clash), hence the OpenBLAS declaration here. */
#ifndef CR_BENCHUTIL_H
#define CR_BENCHUTIL_H

#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "patterns.h"

/* From OpenBLAS. */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);

/* Wall-clock (monotonic) and process CPU time, s. */
double bench_wall(void);
double bench_cpu(void);

/* The common start of `bench_NAME OUTDIR`: checks the arguments, turns GSL's abort-on-error handler off, sets the
 * C locale and creates OUTDIR if needed. Returns OUTDIR, or NULL after a message on stderr with *status set to the
 * exit status (2: usage, 1: OUTDIR cannot be created). */
const char *bench_start(int argc, char **argv, const char *name, int *status);

/* An output file OUTDIR/FILE written as OUTDIR/FILE.tmp and renamed onto its name by bench_out_commit, so that a
 * reader never sees half a file. */
typedef struct {
    FILE *f;
    const char *name; /* the benchmark, for messages */
    char path[4096], tmp[4200];
} bench_out;

/* Opens the temporary; NULL after a message on stderr. */
FILE *bench_out_open(bench_out *o, const char *name, const char *outdir, const char *file);
/* Closes and renames; 0, or -1 after a message on stderr (the temporary is then removed). */
int bench_out_commit(bench_out *o);

/* Runs cmd through the shell (popen) and passes each line of its output, newline included, to on_line. Returns
 * the wait status of pclose, or -1 if the command could not be started. Lines longer than 1023 characters come
 * in pieces. */
int bench_run_lines(const char *cmd, void (*on_line)(void *ctx, const char *line), void *ctx);

/* The 1-minute load average (/proc/loadavg), NaN when unreadable: a benchmark records it at its start and end,
 * so that a table measured on a busy machine says so. */
double bench_loadavg(void);

/* The machine a table was measured on, as OUTDIR/STEM_machine.csv (key,value; temporary name, then rename) next
 * to OUTDIR/STEM.csv: bench (STEM), date_utc (now, ISO 8601), cpu_model (the first "model name" of
 * /proc/cpuinfo), cores (online processors), openblas_core (the kernels OpenBLAS chose), openblas_config,
 * openblas_coretype_env (OPENBLAS_CORETYPE, "unset" when unset), commit (`git describe --always --dirty` of the
 * working folder, "unknown" outside a checkout), loadavg_start (load_start) and loadavg_end. The paper's
 * performance section (`cvxrelu bench-latex`) prints it with the table. 0, or -1 after a message on stderr. */
int bench_write_machine(const char *outdir, const char *stem, double load_start);

/* Writes the n x d row-major matrix X, one row a line, every entry as %.17g followed by a space. */
void bench_write_rows(FILE *f, const double *X, size_t n, size_t d);
/* Writes the patterns of P, one a line as cr_patterns_string gives it. 0, or -1 when memory runs out. */
int bench_write_patterns(FILE *f, const cr_patterns *P);

/* Labels of a planted network for the n x d row-major X (drawn already): y = sum_j (x'w_j)_+ a_j + 0.1 N(0,1) with
 * 5 neurons, w_j ~ N(0, I/d) drawn from r first (5 d draws, row j = neuron j), a_j = +1, -1, +1, ... */
int bench_planted_labels(gsl_rng *r, const double *X, size_t n, size_t d, double *y);

#endif
