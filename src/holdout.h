/* A held-out test set drawn from the training set (docs/data.md, data.holdout), for a data set that ships
 * without one, and the count of a network's active neurons (docs/experiments/generalization.md). */
#ifndef CR_HOLDOUT_H
#define CR_HOLDOUT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "data.h"
#include "err.h"
#include "net.h"

/* Moves n_test samples of D, a uniformly random subset drawn from rng (gsl_ran_choose), into a new D->test; both
 * sets keep the samples in their original order. CR_EINPUT (D unchanged) when D already has a test set or
 * n_test is not in [1, n - 1]; CR_ERUNTIME when out of memory (D unchanged). */
int cr_data_holdout(cr_data *D, size_t n_test, gsl_rng *rng, cr_err *err);

/* The neurons j whose contribution ||w1_j|| |w2_j| exceeds rel times the largest one (rel in [0, 1)); 0 for a
 * network whose neurons are all zero, and for net = NULL. */
size_t cr_net_active(const cr_net *net, double rel);

#endif
