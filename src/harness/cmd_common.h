/* What the program's subcommands (run and sweep in main.c, fit, predict) share on their command lines: options
 * that take a value (--out DIR or --out=DIR), the list of --set overrides, the command line as the manifest
 * records it, and the one-line error exit. */
#ifndef CR_CMD_COMMON_H
#define CR_CMD_COMMON_H

#include <stddef.h>

#include "err.h"

/* Whether argv[*i] is the option name (e.g. "--out") or name=VALUE: 1 with *value = VALUE, or the next argument
 * (*i then moves past it; NULL when there is none); 0 when it is another word. */
int cr_cli_option(const char *name, int argc, char **argv, int *i, const char **value);

/* Appends the --set value v ("key.path=value") to sets (room for cap, *nset used); CR_EINPUT when v is NULL
 * or the list is full. */
int cr_cli_add_set(const char **sets, size_t *nset, size_t cap, const char *v, cr_err *err);

/* The command line, its words joined by single spaces, into buf (cut to cap bytes) for the manifest. */
void cr_cli_join_command(int argc, char **argv, char *buf, size_t cap);

/* msg into out (cap bytes) with every occurrence of the staging folder's path stagedir replaced by the output
 * folder's outdir: messages name files where they end up, never the staging folder's random name. */
void cr_cli_stage_message(char *out, size_t cap, const char *msg, const char *stagedir, const char *outdir);

/* "cvxrelu: msg" on stderr; returns status. */
int cr_cli_die(int status, const char *msg);

#endif
