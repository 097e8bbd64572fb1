/* `cvxrelu fit` (docs/fit.md): trains on the config's data the convex optimum (reconstructed as a network) and/or
 * a gradient-descent network of train.width neurons, and writes a run folder (complete or absent, as `run`):
 * config.yaml, manifest.yaml, summary.csv, sanity.csv, claims.csv (empty), metrics.csv, model_convex.yaml and/or
 * model_gd.yaml (model.h), gd_curve.csv. */
#ifndef CR_CMD_FIT_H
#define CR_CMD_FIT_H

#include <stdio.h>

#include "config.h"
#include "data.h"
#include "err.h"
#include "model.h"
#include "run.h"

/* The subcommand: argv[1] is "fit". Returns the exit status (0 ok, 1 runtime failure with the folder recording
 * status failed, 2 usage/config/data error with nothing written). */
int cr_cmd_fit(int argc, char **argv);

/* The usage and options of `cvxrelu fit` (its --help text) onto f. */
void cr_cmd_fit_usage(FILE *f);

/* The models fit.model asks for, trained on train, written into the run's folder with their metrics on train and,
 * when test is not NULL, on test (metrics.csv rows model,set,metric,value; summary keys MODEL_SET_METRIC).
 * test must have train's d and, for logistic and hinge, labels in {-1, +1}. */
int cr_fit_models(const cr_config *cfg, const cr_data *train, const cr_data *test, cr_run *run, cr_err *err);

/* metrics.csv's rows of one model on one set (n, mse; for logistic and hinge also accuracy, logistic_loss,
 * hinge_loss), and the same values in the run's summary as MODEL_SET_METRIC. */
int cr_fit_write_metrics(cr_csv *t, cr_run *run, const cr_model *M, const char *set, const cr_data *D,
                         cr_err *err);

/* On SIGINT and SIGTERM: remove the temporaries and the staging folder of this process, then die by the signal
 * (for fit and predict, once their input is validated). */
void cr_cmd_catch_signals(void);

#endif
