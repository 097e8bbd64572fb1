/* The program's data loading: a data set from a CSV file or from IDX (MNIST format) files (within a memory
 * limit), the data set a config describes (generated with src/data.h's generators, or loaded, with its test set
 * and transforms), and the input check that needs both the config and the data. The library (src/) never reads
 * the config or opens a file; this is where both happen. The keys: docs/data.md. */
#ifndef CR_DATALOAD_H
#define CR_DATALOAD_H

#include "config.h"
#include "data.h"
#include "err.h"
#include "patterns.h"

/* How a CSV file is read (data.* keys of the same names). */
typedef struct {
    const char *key;          /* the config key that named the file, appended to messages ("(data.path)"); NULL */
    cr_config_header header;  /* auto: the first record is a header when none of its fields is a number */
    char delimiter;           /* ',', ';' or '\t' */
    long skip_rows;           /* records (lines that are not comments or blank) skipped first */
    const char *label_column; /* a header name, or a 1-based column index in digits; "" or NULL: the last column */
    int labels01;             /* 1: label 0 -> -1, 1 -> +1, any other label an error */
} cr_dataload_csv_opts;

/* The defaults: no key, header auto, ',', nothing skipped, the label last, labels kept. */
void cr_dataload_csv_opts_default(cr_dataload_csv_opts *o);

/* One sample per row: the features and the label (o->label_column), as CSV fields (csvread.h: RFC 4180 quoting, so
 * a quoted number is a number; blanks around a field are dropped); '#' lines and blank lines skipped. The file may
 * be gzip-compressed (recognized by its first bytes). Ragged rows, non-numbers, NaN, Inf, malformed quoting, an
 * empty file, a label column not in the file: CR_EINPUT naming file:line (and o->key). A single column where the
 * line holds a ';' or a tab names data.delimiter.
 * Only a regular file is read (a device or FIFO has no size and may never end: CR_EINPUT), and only when the
 * loader's worst-case memory for its size (uncompressed: gzip's recorded size), CR_DATALOAD_CSV_BYTES_PER_BYTE bytes
 * per file byte, fits in memory_mb MiB (0: no limit); both are checked on the open file before anything is read. */
#define CR_DATALOAD_CSV_BYTES_PER_BYTE 18
int cr_dataload_csv_with(const char *path, const cr_dataload_csv_opts *o, long memory_mb, cr_data **out,
                         cr_err *err);
/* The same with the defaults. */
int cr_dataload_csv(const char *path, long memory_mb, cr_data **out, cr_err *err);

/* IDX files (the MNIST format: big-endian header, magic 0x00000803 for unsigned-byte images of any shape, 0x00000801
 * for unsigned-byte labels; gzip or not). Samples in file order: with class lists (nneg + npos > 0) only those
 * with a listed label, labelled -1 / +1 (cr_data_class_sign); without, the label as it is. At most nmax samples
 * (0: all). Pixels scaled to [0, 1] (byte / 255). A bad header, a size that does not match it, differing counts,
 * no sample selected: CR_EINPUT naming the file, the byte offset and the key. Memory: CR_DATALOAD_IDX_BYTES_PER_BYTE
 * bytes per uncompressed file byte against memory_mb, checked before reading. */
#define CR_DATALOAD_IDX_BYTES_PER_BYTE 9
typedef struct {
    const char *key, *labels_key; /* the config keys of the two files, in messages; NULL: none */
    const long *neg, *pos;
    size_t nneg, npos;
    size_t nmax;
} cr_dataload_idx_opts;
int cr_dataload_idx(const char *images, const char *labels, const cr_dataload_idx_opts *o, long memory_mb,
                    cr_data **out, cr_err *err);

/* A pattern set from a file (patterns.method file): one pattern per line, n characters '0'/'1' (sample 1 first, as
 * patterns.csv writes them; quoted or not) or n comma-separated fields 0/1; '#' lines and blank lines skipped;
 * gzip or not. Kept in file order. A wrong length, another character, a pattern repeated (refused, naming both
 * lines), no pattern: CR_EINPUT naming file:line and patterns.path. Patterns are not checked to be realizable by
 * the data (docs/data.md). Memory as the CSV loader. */
int cr_dataload_patterns(const char *path, size_t n, long memory_mb, cr_patterns **out, cr_err *err);

/* The data set the config describes (data.kind): generated from the data.seed stream, or loaded (within
 * limits.memory_mb) with its test set (data.test_path: D->test), then classes, projection (stream "projection" of
 * data.seed), standardization and bias in that order (docs/data.md). With patterns.method file the pattern file is
 * read too (against the data's n) and dropped, so that every bad input is refused before a run writes anything.
 * CR_EINPUT for bad input data (message names file, line and key). */
int cr_dataload_from_config(const cr_config *cfg, cr_data **out, cr_err *err);

/* Input checks that need both: logistic and hinge losses need labels in {-1, +1}, in the test set too. CR_EINPUT
 * naming the first offending sample. */
int cr_dataload_check_labels(const cr_config *cfg, const cr_data *D, cr_err *err);

#endif
