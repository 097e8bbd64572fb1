/* The experiment drivers: one per slide claim. A driver reads the parsed config and the data, calls src/,
 * writes its CSV tables into the run folder and records summary values and claims; it has no numerics of
 * its own and never parses YAML. */
#ifndef CR_EXPERIMENTS_H
#define CR_EXPERIMENTS_H

#include "config.h"
#include "data.h"
#include "err.h"
#include "run.h"

/* data is NULL for drivers that do not use the data section. A failure returned once the run folder exists is
 * a runtime failure (exit 1), whatever its status: bad input is refused before, by the config schema or by the
 * driver's check. */
typedef int (*cr_experiment_fn)(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
/* Input checks that need the data (its size, its separability), run by main before anything is written:
 * CR_EINPUT with a one-line message when this data cannot produce the experiment's claims, else CR_OK. */
typedef int (*cr_experiment_check_fn)(const cr_config *cfg, const cr_data *data, cr_err *err);

typedef struct {
    const char *name;     /* the config's `experiment` value (src/harness/experiment_list.h) */
    cr_experiment_fn run;
    int needs_data;       /* 1: main builds the data set from the data section before the run */
    int needs_orthsep;    /* 1: the data must be orthogonally separable (checked before anything is written) */
    const char *slide;    /* the slide it reproduces */
    cr_experiment_check_fn check; /* NULL: nothing beyond the schema and the data checks above */
} cr_experiment;

/* The driver of experiment e; NULL for CR_EXP_NONE. */
const cr_experiment *cr_experiment_get(cr_exp_id e);
/* The registry, *n entries (CR_EXP_COUNT), in the order of cr_exp_id. */
const cr_experiment *cr_experiment_list(size_t *n);

int cr_exp_arrangements(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_arrangement_count(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_landscape(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_convex(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_width_sweep(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_stationary(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_optimal_set(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_linear_margin(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_maxmargin(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_alignment(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_geometry(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_separable(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);
int cr_exp_generalization(const cr_config *cfg, const cr_data *data, cr_run *run, cr_err *err);

int cr_exp_linear_margin_check(const cr_config *cfg, const cr_data *data, cr_err *err);
int cr_exp_geometry_check(const cr_config *cfg, const cr_data *data, cr_err *err);

#endif
