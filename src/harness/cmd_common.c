/* Command-line pieces shared by the subcommands (see cmd_common.h). */
#include "cmd_common.h"

#include <stdio.h>
#include <string.h>

int cr_cli_option(const char *name, int argc, char **argv, int *i, const char **value)
{
    const char *s = argv[*i];
    size_t len = strlen(name);
    if (strncmp(s, name, len) != 0) return 0;
    if (s[len] == '=') {
        *value = s + len + 1;
        return 1;
    }
    if (s[len] != '\0') return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

int cr_cli_add_set(const char **sets, size_t *nset, size_t cap, const char *v, cr_err *err)
{
    if (!v) return cr_err_set(err, CR_EINPUT, "--set needs key.path=value");
    if (*nset == cap) return cr_err_set(err, CR_EINPUT, "more than %zu --set options", cap);
    sets[(*nset)++] = v;
    return CR_OK;
}

int cr_cli_die(int status, const char *msg)
{
    fprintf(stderr, "cvxrelu: %s\n", msg);
    return status;
}

void cr_cli_join_command(int argc, char **argv, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < argc && len + 2 < cap; i++) {
        int k = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", argv[i]);
        if (k < 0) break;
        len += (size_t)k;
    }
}

/* msg with the staging folder's path replaced by the output folder's (messages name the files where they end
 * up, and the summary stays free of the staging folder's random name). */
void cr_cli_stage_message(char *out, size_t cap, const char *msg, const char *stagedir, const char *outdir)
{
    size_t n = 0, sl = strlen(stagedir);
    out[0] = 0;
    while (*msg && n + 1 < cap) {
        if (strncmp(msg, stagedir, sl) == 0) {
            int k = snprintf(out + n, cap - n, "%s", outdir);
            if (k < 0 || (size_t)k >= cap - n) break;
            n += (size_t)k;
            msg += sl;
        } else {
            out[n++] = *msg++;
            out[n] = 0;
        }
    }
}
