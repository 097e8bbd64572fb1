/* libFuzzer target for the CSV data loader (cr_dataload_csv in src/harness/dataload.c, which reads with
 * src/harness/csvread.c): the input bytes are the file, written to a memfd and read by path. Properties, any
 * violation aborts: the status is CR_OK or CR_EINPUT; a rejection has a non-empty one-line message that starts
 * with the path; an accepted file gives n >= 1 rows of d >= 1 finite features and a finite label. Counted by
 * lines (those neither blank nor '#' comments): n is at most their number, and when the file holds no '"' (so
 * that no field spans lines or hides a comma) n is their number, less one when the first such line is a header,
 * and that first line has d + 1 fields (commas + 1).
 * ASan/UBSan/LSan and libFuzzer's -timeout catch crashes, leaks and hangs.
 * FUZZ_SKIP=oneline (environment) switches the one-line check off to fuzz past a known bug. */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataload.h"
#include "err.h"

static int csv_fd = -1;
static char csv_path[64];
static int check_oneline = 1;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_csv: PROPERTY VIOLATED: %s\n%s\n", what, detail ? detail : "");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    csv_fd = memfd_create("fuzz.csv", 0);
    if (csv_fd < 0) {
        perror("memfd_create");
        exit(1);
    }
    snprintf(csv_path, sizeof csv_path, "/proc/self/fd/%d", csv_fd);
    const char *skip = getenv("FUZZ_SKIP");
    if (skip && strstr(skip, "oneline")) check_oneline = 0;
    return 0;
}

/* Lines of the file that hold data or a header: not blank (isspace only) and not starting with '#'.
 * *first gets the field count (commas + 1) of the first such line. */
static size_t content_lines(const uint8_t *data, size_t size, size_t *first)
{
    size_t n = 0;
    *first = 0;
    for (size_t i = 0; i < size;) {
        size_t end = i;
        while (end < size && data[end] != '\n') end++;
        size_t p = i;
        while (p < end && isspace(data[p])) p++;
        if (p < end && data[p] != '#') {
            if (n == 0) {
                *first = 1;
                for (size_t k = i; k < end; k++) *first += data[k] == ',';
            }
            n++;
        }
        i = end + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(csv_fd, 0) != 0 || (size && pwrite(csv_fd, data, size, 0) != (ssize_t)size)) {
        perror("memfd write");
        exit(1);
    }
    cr_data *D = NULL;
    cr_err err;
    memset(&err, 0, sizeof err);
    int st = cr_dataload_csv(csv_path, 0, &D, &err);
    char detail[sizeof err.msg + 128];
    if (st != CR_OK) {
        if (D) die("a rejected file must leave *out alone", err.msg);
        if (st != CR_EINPUT) {
            snprintf(detail, sizeof detail, "status %d, message \"%s\"", st, err.msg);
            die("a rejected file must give CR_EINPUT", detail);
        }
        if (memchr(err.msg, 0, sizeof err.msg) == NULL) die("message not NUL-terminated", NULL);
        if (strncmp(err.msg, csv_path, strlen(csv_path)) != 0 || err.msg[strlen(csv_path)] != ':')
            die("the message must start with \"PATH:\"", err.msg);
        if (check_oneline && strpbrk(err.msg, "\n\r")) die("the message must be one line (err.h)", err.msg);
        return 0;
    }
    if (!D || !D->X || !D->y) die("CR_OK without data", NULL);
    if (D->n < 1 || D->d < 1) {
        snprintf(detail, sizeof detail, "n = %zu, d = %zu", D->n, D->d);
        die("accepted data must have n >= 1 and d >= 1", detail);
    }
    for (size_t i = 0; i < D->n * D->d; i++)
        if (!isfinite(D->X[i])) die("non-finite feature accepted", NULL);
    for (size_t i = 0; i < D->n; i++)
        if (!isfinite(D->y[i])) die("non-finite label accepted", NULL);
    size_t first = 0, lines = content_lines(data, size, &first);
    if (D->n > lines) {
        snprintf(detail, sizeof detail, "n = %zu rows from %zu content lines", D->n, lines);
        die("more rows than content lines", detail);
    }
    if (memchr(data, '"', size)) {
        cr_data_free(D);
        return 0;
    }
    if (D->n != lines && D->n + 1 != lines) {
        snprintf(detail, sizeof detail, "n = %zu rows from %zu content lines", D->n, lines);
        die("row count does not match the file", detail);
    }
    if (first != D->d + 1) {
        snprintf(detail, sizeof detail, "first content line has %zu fields, d + 1 = %zu", first, D->d + 1);
        die("the first row (header or data) must have d + 1 fields", detail);
    }
    cr_data_free(D);
    return 0;
}
