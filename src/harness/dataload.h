/* The program's data loading: a data set from a CSV file (within a memory limit), the data set a config
 * describes (generated with src/data.h's generators or loaded), and the input check that needs both the config
 * and the data. The library (src/) never reads the config or opens a file; this is where both happen. */
#ifndef CR_DATALOAD_H
#define CR_DATALOAD_H

#include "config.h"
#include "data.h"
#include "err.h"

/* One sample per row: d features then the label, as CSV fields (csvread.h: RFC 4180 quoting; blanks around a
 * field are dropped); '#' lines and blank lines skipped; a first row of non-numbers is a header. Ragged rows,
 * non-numbers, NaN, Inf, malformed quoting, an empty file: CR_EINPUT naming file:line.
 * Only a regular file is read (a device or FIFO has no size and may never end: CR_EINPUT), and only when the
 * loader's worst-case memory for its size, CR_DATALOAD_CSV_BYTES_PER_BYTE bytes per file byte, fits in memory_mb
 * MiB (0: no limit); both are checked on the open file before anything is read. */
#define CR_DATALOAD_CSV_BYTES_PER_BYTE 18
int cr_dataload_csv(const char *path, long memory_mb, cr_data **out, cr_err *err);

/* The data set the config describes (data.kind): generated from the data.seed stream, or loaded (within
 * limits.memory_mb). CR_EINPUT for bad input data (message names file and line). */
int cr_dataload_from_config(const cr_config *cfg, cr_data **out, cr_err *err);

/* Input checks that need both: logistic and hinge losses need labels in {-1, +1}. CR_EINPUT naming the first
 * offending sample. */
int cr_dataload_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err);

#endif
