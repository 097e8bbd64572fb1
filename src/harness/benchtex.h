/* The paper's performance tables: LaTeX from the benchmarks' CSV files (bench/ writes them under bench/results,
 * `make bench-paper` copies them to paper/bench, where they are committed). Nothing is typed in: every cell is a
 * field of a measured CSV, and a row's verdict against its target is computed here from the row's own fields. */
#ifndef CR_BENCHTEX_H
#define CR_BENCHTEX_H

#include "err.h"

/* For each benchmark table STEM (bench_convex, bench_convex_robust, bench_scale, bench_train) reads
 * BENCHDIR/STEM.csv and BENCHDIR/STEM_machine.csv (benchutil.h: key,value) and writes OUTDIR/STEM.tex: a sentence
 * naming the machine, then the table. A missing STEM.csv (or a missing BENCHDIR) is not an error: the file then
 * says that the table was not measured, so the paper builds without benchmarks. Columns are found by their header
 * names. The verdict column reads "met" or "missed" (with the parts missed):
 *   bench_convex, bench_convex_robust: status converged, rel_gap <= tol, no error;
 *   bench_scale: status converged, rel_gap <= target_rel_gap, peak_rss_mb <= target_peak_rss_mb and, when the row
 *   has a target_seconds, seconds and cpu_seconds <= target_seconds.
 * bench_train (long format impl,loss,n,d,m,threads,steps_per_sec) is pivoted to one row per (loss, n, d, m,
 * threads), one column per impl in the order they first appear, and cvxrelu's rate over the best other finite one.
 * Every table is read and checked before anything is written. CR_EINPUT naming FILE:LINE (and the column) for a
 * malformed file, a missing column or a number field that is not a number (an empty field or "nan" reads as not
 * measured, "--"); CR_ERUNTIME when a file cannot be written. */
int cr_benchtex_write(const char *benchdir, const char *outdir, cr_err *err);

#endif
