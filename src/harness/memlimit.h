/* Memory guard: an upper estimate of what a config will allocate, checked against limits.memory_mb before
 * anything is allocated or written (a config that would exhaust the machine is refused as bad input). */
#ifndef CR_MEMLIMIT_H
#define CR_MEMLIMIT_H

#include "config.h"
#include "err.h"

/* Half the machine's physical memory in MiB (the default of limits.memory_mb). */
long cr_limits_default_mb(void);

/* Upper estimate in bytes of the run's largest allocations (data, arrangement patterns bounded by
 * min(2^n, Cover's bound), the convex solvers' workspaces, training) for data of n x d. */
double cr_limits_estimate(const cr_config *cfg, size_t n, size_t d);

/* CR_EINPUT with the estimate in the message when it exceeds cfg->limits.memory_mb. */
int cr_limits_check(const cr_config *cfg, size_t n, size_t d, cr_err *err);

/* The check before any data exist: generated data have the size the config gives (the slide data 3 x 2), so an
 * oversized config is refused before anything is allocated; CR_OK for CSV data, checked once loaded. */
int cr_limits_check_config(const cr_config *cfg, cr_err *err);

/* cr_limits_estimate at the size the config gives before any data exist (generated data: data.n x data.d, the
 * slide data 3 x 2); NaN for CSV data, whose size is known once read. */
double cr_limits_config_estimate(const cr_config *cfg);

#endif
