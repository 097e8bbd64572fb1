/* Status codes and error messages shared by the whole library.
 * Functions return a cr_status and fill a cr_err; the library never prints or exits: main does. */
#ifndef CR_ERR_H
#define CR_ERR_H

typedef enum {
    CR_OK = 0,
    CR_ERUNTIME = 1, /* numerical breakdown, I/O failure: exit status 1 */
    CR_EINPUT = 2,   /* usage, config or input-data error: exit status 2, nothing written */
    CR_ECLAIMS = 3,  /* never returned by the library: the program's exit status when a run completed (its
                      * folder is whole) and at least one of its claims failed */
} cr_status;

typedef struct {
    char msg[1024]; /* one line, no trailing newline */
} cr_err;

/* Formats msg (printf-style) into e (if not NULL) and returns status. */
int cr_err_set(cr_err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes e->msg with "prefix: " (used to add context such as a file name). */
void cr_err_prefix(cr_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
