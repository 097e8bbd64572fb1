/* Aggregation of finished runs: every run's claims.csv into one results/claims.csv with the experiment's
 * name, and the human-readable claims table that `make reproduce` prints. */
#ifndef CR_REPORT_H
#define CR_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Reads RUN/claims.csv for each run folder (the experiment is the folder's name), writes outdir/claims.csv
 * (experiment,claim,measured,expected,tolerance,pass) and prints the table to `table`. *failed receives the
 * number of failed claims plus runs without a readable claims.csv (each one counts as a failure). Sanity checks
 * (RUN/sanity.csv, see run.h) are not claims: they are counted apart on the last line, and a failed one is
 * printed (its run failed, so its claims are already failures). */
int cr_report_claims(const char *outdir, const char *const *runs, size_t nruns, FILE *table, size_t *failed,
                     cr_err *err);

/* Slide statements that were tested and do not hold where the harness tests them (findings, not bugs): a CSV
 * file `experiment,claim,why` with a header row, one row per claim, the claim's label exactly as the run
 * writes it. Such a claim keeps its FAIL verdict everywhere (claims.csv, README, paper); the table prints it as
 * "FAIL (refuted, listed)" and *failed does not count it. A listed claim that passes, or that no run wrote,
 * counts as a failure: the list is kept true. */
typedef struct cr_refuted cr_refuted;
int cr_refuted_load(const char *path, cr_refuted **out, cr_err *err);
void cr_refuted_free(cr_refuted *k); /* NULL accepted */

/* cr_report_claims with a list of refuted claims (NULL: none); *refuted receives how many failed as listed. */
int cr_report_claims_known(const char *outdir, const char *const *runs, size_t nruns, const cr_refuted *known,
                           FILE *table, size_t *failed, size_t *refuted, cr_err *err);

/* LaTeX for the reproduction report, from finished runs: for each RUN (named by its folder) writes
 * outdir/NAME-claims.tex (a table of its claims with verdicts), outdir/NAME-values.tex (every summary value as
 * \crval{NAME}{key}, defined through \csname), outdir/NAME-config.yaml (the resolved config, for
 * \verbatiminput), and outdir/claims-all.tex (every claim). Nothing is typed in: all numbers come from the
 * runs' CSV files. A generalization run (RUN/results.csv with that experiment's header) also gets values derived
 * from results.csv, per loss and beta, and the table outdir/NAME-table.tex (docs/experiments/generalization.md). */
int cr_report_latex(const char *outdir, const char *const *runs, size_t nruns, cr_err *err);

/* cr_report_latex with a list of refuted claims (NULL: none). Besides the files above: NAME-raw.tex defines,
 * for every numeric summary value, \crraw (%.17g, for comparisons) and \crom (1 - value, computed in double
 * precision: cosines near 1) through the csnames crraw@NAME@KEY and crom@NAME@KEY, and every key of the resolved
 * config (RUN/config.yaml) as crcfg@NAME@SECTION.KEY; claims-refuted.tex is the
 * table of the failed claims the list names (marked "(refuted)" in every table); claims-count.tex defines
 * \crclaimstotal, \crclaimspassed, \crclaimsrefuted and \crclaimsfailed over the runs given. A value is printed
 * with six significant digits, or more when six would round it to a whole number it is not. */
int cr_report_latex_known(const char *outdir, const char *const *runs, size_t nruns, const cr_refuted *known,
                          cr_err *err);

/* Writes s as LaTeX text: the characters TeX treats specially are escaped (the report's one escaping rule). */
void cr_report_tex_escape(FILE *f, const char *s);

/* The README's results table (Markdown) from finished runs: one row per claim with its measured value and
 * verdict, the config, the figures (figures/NAME.png and figures/NAME-*.png that exist) and the command that
 * reproduces it; then, apart, a table of the runs' sanity checks (not claims). Written to `out`. */
int cr_report_markdown(const char *const *runs, size_t nruns, FILE *out, cr_err *err);

#endif
