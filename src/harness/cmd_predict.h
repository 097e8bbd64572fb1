/* `cvxrelu predict MODEL DATA.csv --out DIR` (docs/fit.md): the predictions of a model file (model.h) on the rows
 * of a CSV file, and their metrics when the file has labels. */
#ifndef CR_CMD_PREDICT_H
#define CR_CMD_PREDICT_H

#include <stdio.h>

/* The subcommand: argv[1] is "predict". Returns the exit status (0 ok, 1 runtime failure, 2 usage, model or data
 * error with nothing written). */
int cr_cmd_predict(int argc, char **argv);

/* The usage and options of `cvxrelu predict` (its --help text) onto f. */
void cr_cmd_predict_usage(FILE *f);

#endif
