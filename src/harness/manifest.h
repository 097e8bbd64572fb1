/* The run manifest (manifest.yaml): what is needed to rerun and to trust a result: version, commit, command,
 * config, seeds, library versions (OpenBLAS's build and thread count from blas.h), wall time, start time,
 * status, claims and the run's timings. */
#ifndef CR_MANIFEST_H
#define CR_MANIFEST_H

#include "config.h"
#include "err.h"
#include "run.h"

typedef struct {
    const cr_config *cfg;   /* does not own */
    const char *command;    /* the command line, as run */
    char started_utc[32];   /* ISO 8601 */
    double wall_seconds;
    int blas_threads;       /* as reported by OpenBLAS after pinning (cr_blas_set_threads) */
    const char *status;     /* "ok" or "failed" */
    const char *error;      /* message when failed, else NULL */
    long claims, claims_failed;
    const cr_run *run; /* timings to record; does not own; may be NULL */
} cr_manifest;

/* The commit the program was built from (12 hex digits, "-dirty" when its sources differed), or "unknown". */
const char *cr_manifest_git_commit(void);
/* Fills started_utc with the current UTC time. */
void cr_manifest_start(cr_manifest *m);
/* Writes dir/manifest.yaml atomically. */
int cr_manifest_write(const cr_manifest *m, const char *dir, cr_err *err);

#endif
