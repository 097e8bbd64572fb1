/* One run's output folder: summary keys, claims, sanity checks and the experiment's own tables.
 * Drivers add summary values, claims and sanity checks; cr_run_finish writes summary.csv (key,value),
 * claims.csv and sanity.csv (both claim,measured,expected,tolerance,pass) atomically.
 * A claim tests a statement of the slides as the slide states it and could fail: it names the slide
 * ("[Slide title] statement"). A sanity check is a row that cannot fail when the code is right (an identity,
 * a property true by construction, a solver's certificate, a bound far from tight): it is kept out of
 * claims.csv and of every claims count; a failed one means the code is wrong, and the run fails (exit 1). */
#ifndef CR_RUN_H
#define CR_RUN_H

#include <stddef.h>

#include "csvout.h"
#include "err.h"

/* How a claim compares measured with expected. */
typedef enum {
    CR_CLAIM_ABS,  /* |measured - expected| <= tolerance */
    CR_CLAIM_REL,  /* |measured - expected| <= tolerance * max(1, |expected|) */
    CR_CLAIM_LE,   /* measured <= expected + tolerance */
    CR_CLAIM_GE,   /* measured >= expected - tolerance */
} cr_claim_cmp;

typedef struct cr_run cr_run;

/* dir must exist; the run does not own progress output. quiet: no progress bars. */
cr_run *cr_run_alloc(const char *dir, int quiet);
void cr_run_free(cr_run *r);
const char *cr_run_dir(const cr_run *r);
int cr_run_quiet(const cr_run *r);

/* Summary values, kept in insertion order; a repeated key replaces the earlier value. */
void cr_run_summary_real(cr_run *r, const char *key, double v);
void cr_run_summary_int(cr_run *r, const char *key, long long v);
void cr_run_summary_str(cr_run *r, const char *key, const char *v);
/* A value that does not exist for this run (e.g. the best objective over widths >= m* when no such width was
 * trained): written as an empty field, which pandas, R and gnuplot read as missing. A non-finite real is never
 * a summary value (cr_run_finish refuses it as a numerical failure); an undefined one is recorded this way. */
void cr_run_summary_none(cr_run *r, const char *key);
/* Wall-clock measurements (seconds) go to manifest.yaml, never to the CSV files, so that the same config
 * and seed give byte-identical CSVs. */
void cr_run_timing(cr_run *r, const char *key, double seconds);
size_t cr_run_ntimings(const cr_run *r);
const char *cr_run_timing_key(const cr_run *r, size_t i);
double cr_run_timing_value(const cr_run *r, size_t i);
/* Records a claim and returns 1 if it passes. A non-finite measured value fails. */
int cr_run_claim(cr_run *r, const char *claim, double measured, double expected, double tol, cr_claim_cmp cmp);
size_t cr_run_claims_failed(const cr_run *r);
/* Records a sanity check (same comparison as cr_run_claim) in sanity.csv and returns 1 if it passes. main fails
 * the run (status failed, exit 1) when any sanity check failed. */
int cr_run_sanity(cr_run *r, const char *check, double measured, double expected, double tol, cr_claim_cmp cmp);
size_t cr_run_sanity_count(const cr_run *r);
size_t cr_run_sanity_failed(const cr_run *r);
/* Sanity check i (0 <= i < cr_run_sanity_count) as recorded. */
const char *cr_run_sanity_text(const cr_run *r, size_t i);
int cr_run_sanity_passed(const cr_run *r, size_t i);
/* Marks every recorded claim failed: nothing measured by a run that then failed may pass. */
void cr_run_fail_claims(cr_run *r);
size_t cr_run_claims_count(const cr_run *r);
/* Claim i (0 <= i < cr_run_claims_count) as recorded: its text and whether it passed. */
const char *cr_run_claim_text(const cr_run *r, size_t i);
int cr_run_claim_passed(const cr_run *r, size_t i);
/* Opens an experiment table in the run folder (see cr_csv_open). */
cr_csv *cr_run_table(cr_run *r, const char *name, const char *header, cr_err *err);
/* Writes summary.csv, claims.csv and sanity.csv (each with its header even when empty). */
int cr_run_finish(cr_run *r, cr_err *err);

#endif
