/* manifest.yaml (see manifest.h). */
#include "manifest.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_version.h>
#include <yaml.h>

#include "atomic.h"
#include "blas.h"
#include "csvout.h"

#ifndef CR_GIT_COMMIT
#define CR_GIT_COMMIT "unknown"
#endif
#ifndef CR_VERSION
#define CR_VERSION "unknown"
#endif

const char *cr_manifest_git_commit(void) { return CR_GIT_COMMIT; }

void cr_manifest_start(cr_manifest *m)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(m->started_utc, sizeof m->started_utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cr_manifest_write(const cr_manifest *m, const char *dir, cr_err *err)
{
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    FILE *f = cr_atomic_stream(a);
    fprintf(f, "cvxrelu_version: %s\n", CR_VERSION);
    fprintf(f, "git_commit: %s\n", CR_GIT_COMMIT);
    fputs("command: ", f);
    cr_yaml_quote(f, m->command);
    fputs("\nconfig: ", f);
    cr_yaml_quote(f, m->cfg->file);
    fprintf(f, "\nexperiment: %s\n", cr_config_experiment_name(m->cfg->experiment));
    fprintf(f, "seed: %ld\n", m->cfg->seed);
    fprintf(f, "data_seed: %ld\n", m->cfg->data.seed);
    fprintf(f, "blas_threads: %d\n", m->blas_threads);
    fputs("blas_config: ", f);
    cr_yaml_quote(f, cr_blas_config());
    fprintf(f, "\ngsl_version: %s\n", GSL_VERSION);
    fprintf(f, "libyaml_version: %s\n", yaml_get_version_string());
    fputs("compiler: ", f);
    cr_yaml_quote(f, "gcc " __VERSION__);
    fprintf(f, "\nrng: mt19937 (one stream per purpose, derived from seed)\n");
    fprintf(f, "started_utc: %s\n", m->started_utc);
    fprintf(f, "wall_seconds: %.3f\n", m->wall_seconds);
    fprintf(f, "status: %s\n", m->status);
    if (m->error) {
        fputs("error: ", f);
        cr_yaml_quote(f, m->error);
        fputc('\n', f);
    }
    fprintf(f, "claims: %ld\nclaims_failed: %ld\n", m->claims, m->claims_failed);
    if (m->run && cr_run_ntimings(m->run)) {
        fputs("timings_seconds:\n", f);
        for (size_t i = 0; i < cr_run_ntimings(m->run); i++)
            fprintf(f, "  %s: %.6f\n", cr_run_timing_key(m->run, i), cr_run_timing_value(m->run, i));
    }
    return cr_atomic_commit(a, err);
}
