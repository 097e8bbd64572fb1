/* Claims aggregation (see report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csvout.h"

/* Splits one CSV line (RFC 4180 quoting, no embedded newlines) into at most cap fields, in place. */
static size_t csv_fields(char *line, char **f, size_t cap)
{
    size_t n = 0;
    char *r = line, *w = line;
    for (;;) {
        char *start = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (!*r) break;
                if (*r == '"') {
                    if (r[1] == '"') { *w++ = '"'; r += 2; continue; }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            while (*r && *r != ',') r++;
        } else {
            while (*r && *r != ',') *w++ = *r++;
        }
        int more = *r == ',';
        *w++ = 0;
        if (n < cap) f[n] = start;
        n++;
        if (!more) break;
        r++;
    }
    return n;
}

static const char *base_name(const char *path, char *buf, size_t cap)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    const char *end = path + len, *s = end;
    while (s > path && s[-1] != '/') s--;
    snprintf(buf, cap, "%.*s", (int)(end - s), s);
    return buf;
}

int cr_report_claims(const char *outdir, const char *const *runs, size_t nruns, FILE *table, size_t *failed,
                     cr_err *err)
{
    cr_csv *out = cr_csv_open(outdir, "claims.csv", "experiment,claim,measured,expected,tolerance,pass", err);
    if (!out) return CR_ERUNTIME;
    size_t nfail = 0, total = 0;
    fprintf(table, "%-18s %-64s %14s %14s %9s  %s\n", "experiment", "claim", "measured", "expected", "tolerance",
            "verdict");
    for (size_t r = 0; r < nruns; r++) {
        char name[256], path[CR_PATH_MAX + 16];
        base_name(runs[r], name, sizeof name);
        snprintf(path, sizeof path, "%s/claims.csv", runs[r]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(table, "%-18s %-64s %14s %14s %9s  %s\n", name, "(no claims.csv: the run failed)", "-", "-", "-",
                    "FAIL");
            cr_csv_str(out, name);
            cr_csv_str(out, "run produced claims.csv");
            cr_csv_str(out, "0");
            cr_csv_str(out, "1");
            cr_csv_str(out, "0");
            cr_csv_str(out, "FAIL");
            cr_csv_endrow(out);
            nfail++;
            continue;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        long lineno = 0;
        while ((len = getline(&line, &cap, f)) != -1) {
            lineno++;
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
            if (lineno == 1 || !len) continue;
            char *fl[6];
            if (csv_fields(line, fl, 6) != 5) {
                fclose(f);
                free(line);
                cr_csv_abort(out);
                return cr_err_set(err, CR_EINPUT, "%s:%ld: expected 5 fields", path, lineno);
            }
            int pass = strcmp(fl[4], "PASS") == 0;
            nfail += !pass;
            total++;
            fprintf(table, "%-18s %-64.64s %14.8g %14.8g %9.2g  %s\n", name, fl[0], strtod(fl[1], NULL),
                    strtod(fl[2], NULL), strtod(fl[3], NULL), pass ? "PASS" : "FAIL");
            cr_csv_str(out, name);
            for (int k = 0; k < 5; k++) cr_csv_str(out, fl[k]);
            cr_csv_endrow(out);
        }
        free(line);
        fclose(f);
    }
    fprintf(table, "%zu claims checked, %zu failed\n", total, nfail);
    *failed = nfail;
    return cr_csv_close(out, err);
}
