/* Aggregation of finished runs: every run's claims.csv into one results/claims.csv with the experiment's
 * name, and the human-readable claims table that `make reproduce` prints. */
#ifndef CR_REPORT_H
#define CR_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Reads RUN/claims.csv for each run folder (the experiment is the folder's name), writes outdir/claims.csv
 * (experiment,claim,measured,expected,tolerance,pass) and prints the table to `table`. *failed receives the
 * number of failed claims plus runs without a readable claims.csv (each one counts as a failure). */
int cr_report_claims(const char *outdir, const char *const *runs, size_t nruns, FILE *table, size_t *failed,
                     cr_err *err);

#endif
