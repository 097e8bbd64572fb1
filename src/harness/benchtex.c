/* The paper's performance tables from the benchmarks' CSV files (see benchtex.h). Each table is read whole
 * (header, rows and the line each row starts on), checked, and only then written, one .tex file per table. */
#include "benchtex.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "config.h"
#include "csvread.h"
#include "fsutil.h"
#include "report.h"

/* ------------------------------------------------------------------ one CSV file in memory */

typedef struct {
    char path[CR_PATH_MAX + 64];
    int present;     /* 0: the file does not exist */
    size_t ncol, nrow;
    char **head;     /* ncol */
    char **cell;     /* nrow * ncol, row-major */
    long *line;      /* nrow: the line each row starts on */
} btab;

static void btab_free(btab *t)
{
    for (size_t k = 0; k < t->ncol; k++) free(t->head[k]);
    for (size_t k = 0; k < t->nrow * t->ncol; k++) free(t->cell[k]);
    free(t->head);
    free(t->cell);
    free(t->line);
    t->head = t->cell = NULL;
    t->line = NULL;
    t->ncol = t->nrow = 0;
}

static char *dup_str(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d) memcpy(d, s, len);
    return d;
}

/* Reads DIR/FILE into t (present = 0 when it does not exist). Every row must have the header's field count. */
static int btab_load(btab *t, const char *dir, const char *file, cr_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s/%s", dir, file);
    FILE *f = fopen(t->path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) return CR_OK;
        return cr_err_set(err, CR_EINPUT, "%s: cannot read: %s", t->path, strerror(errno));
    }
    t->present = 1;
    cr_csvread *r = cr_csvread_new(f, t->path, CR_CSVREAD_SKIP_EMPTY);
    int st = r ? CR_OK : cr_err_set(err, CR_ERUNTIME, "%s: out of memory", t->path);
    char **fl;
    size_t n;
    while (!st && !(st = cr_csvread_next(r, &fl, &n, err)) && n) {
        const long line = cr_csvread_line(r);
        if (!t->head) {
            t->head = calloc(n, sizeof *t->head);
            if (!t->head) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", t->path);
            for (size_t k = 0; !st && k < n; k++) {
                if (!(t->head[k] = dup_str(fl[k]))) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", t->path);
                else t->ncol = k + 1;
            }
            continue;
        }
        if (n != t->ncol) {
            st = cr_err_set(err, CR_EINPUT, "%s:%ld: expected %zu fields (as the header), got %zu", t->path, line,
                            t->ncol, n);
            break;
        }
        char **c = realloc(t->cell, (t->nrow + 1) * t->ncol * sizeof *c);
        if (c) t->cell = c;
        long *l = realloc(t->line, (t->nrow + 1) * sizeof *l);
        if (l) t->line = l;
        if (!c || !l) {
            st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", t->path);
            break;
        }
        size_t k = 0;
        for (; k < n && (c[t->nrow * t->ncol + k] = dup_str(fl[k])); k++) {}
        if (k < n) {
            for (size_t j = 0; j < k; j++) free(c[t->nrow * t->ncol + j]);
            st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", t->path);
            break;
        }
        t->line[t->nrow++] = line;
    }
    if (!st && !t->head) st = cr_err_set(err, CR_EINPUT, "%s:1: empty file (expected a header row)", t->path);
    cr_csvread_free(r);
    fclose(f);
    if (st) btab_free(t);
    return st;
}

/* The index of the column named name in *col; CR_EINPUT naming the header line when there is none. */
static int btab_col(const btab *t, const char *name, size_t *col, cr_err *err)
{
    for (size_t k = 0; k < t->ncol; k++)
        if (strcmp(t->head[k], name) == 0) return *col = k, CR_OK;
    return cr_err_set(err, CR_EINPUT, "%s:1: no column %s", t->path, name);
}

static const char *btab_cell(const btab *t, size_t row, size_t col)
{
    return t->cell[row * t->ncol + col];
}

/* The number in a cell: NaN for an empty field or "nan" (not measured); CR_EINPUT naming FILE:LINE: COLUMN for
 * any other text. */
static int btab_num(const btab *t, size_t row, size_t col, double *v, cr_err *err)
{
    const char *s = btab_cell(t, row, col);
    if (!*s || strcmp(s, "nan") == 0 || strcmp(s, "-nan") == 0) return *v = NAN, CR_OK;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (*end || errno == ERANGE)
        return cr_err_set(err, CR_EINPUT, "%s:%ld: %s: expected a number, got \"%.40s\"", t->path, t->line[row],
                          t->head[col], s);
    return CR_OK;
}

/* Every cell of the named columns is a number (or not measured). */
static int btab_check_numbers(const btab *t, const char *const *names, cr_err *err)
{
    for (const char *const *nm = names; *nm; nm++) {
        size_t c;
        int st = btab_col(t, *nm, &c, err);
        for (size_t r = 0; !st && r < t->nrow; r++) {
            double v;
            st = btab_num(t, r, c, &v, err);
        }
        if (st) return st;
    }
    return CR_OK;
}

/* Every named column exists. */
static int btab_check_columns(const btab *t, const char *const *names, cr_err *err)
{
    size_t c;
    for (const char *const *nm = names; *nm; nm++)
        if (btab_col(t, *nm, &c, err)) return CR_EINPUT;
    return CR_OK;
}

/* Cell access after the checks: the number of a column by name (NaN when not measured) and its text. */
static double num_of(const btab *t, size_t row, const char *name)
{
    size_t c;
    double v = NAN;
    cr_err e;
    if (btab_col(t, name, &c, &e) == CR_OK) btab_num(t, row, c, &v, &e);
    return v;
}

static const char *text_of(const btab *t, size_t row, const char *name)
{
    size_t c;
    cr_err e;
    return btab_col(t, name, &c, &e) == CR_OK ? btab_cell(t, row, c) : "";
}

/* ------------------------------------------------------------------ cells */

/* A printf'd number as LaTeX: "2.3e-07" as \ensuremath{2.3\times10^{-7}}, anything else as it is. */
static void put_printed(FILE *f, const char *buf)
{
    const char *e = strchr(buf, 'e');
    if (e) fprintf(f, "\\ensuremath{%.*s\\times10^{%d}}", (int)(e - buf), buf, atoi(e + 1));
    else fputs(buf, f);
}

enum fmt { F_TEXT, F_INT, F_G3, F_GAP, F_MB, F_RATE, F_RATIO };

/* One cell. F_INT: the field as written; F_G3: three significant digits, whole numbers from 100 on (seconds,
 * beta, tolerances); F_GAP: one decimal in scientific notation, 0 as 0; F_MB: whole MiB; F_RATE: one decimal;
 * F_RATIO: two decimals. A number not measured reads "--". */
static void put_num(FILE *f, double v, enum fmt k)
{
    char buf[64];
    if (!isfinite(v)) {
        fputs(isnan(v) ? "--" : v > 0 ? "\\ensuremath{\\infty}" : "\\ensuremath{-\\infty}", f);
        return;
    }
    switch (k) {
    case F_G3: snprintf(buf, sizeof buf, fabs(v) >= 100 ? "%.0f" : "%.3g", v); break;
    case F_GAP: snprintf(buf, sizeof buf, v == 0 ? "0" : "%.1e", v); break;
    case F_MB: snprintf(buf, sizeof buf, "%.0f", v); break;
    case F_RATE: snprintf(buf, sizeof buf, "%.1f", v); break;
    case F_RATIO: snprintf(buf, sizeof buf, "%.2f", v); break;
    default: snprintf(buf, sizeof buf, "%.17g", v); break;
    }
    put_printed(f, buf);
}

/* The cell of a named column in the given format. */
static void put_cell(FILE *f, const btab *t, size_t row, const char *name, enum fmt k)
{
    if (k == F_TEXT) cr_report_tex_escape(f, text_of(t, row, name));
    else if (k == F_INT && *text_of(t, row, name)) cr_report_tex_escape(f, text_of(t, row, name));
    else put_num(f, num_of(t, row, name), k);
}

/* The verdict cell: "met", or "missed" in red with the parts missed (comma-separated words). */
static void put_verdict(FILE *f, const char *missed)
{
    if (!*missed) fputs("met", f);
    else fprintf(f, "\\textcolor{red}{\\textbf{missed}} (%s)", missed);
}

static void add_miss(char *buf, size_t cap, const char *what)
{
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", what);
}

/* ------------------------------------------------------------------ the machine sentence */

static void put_machine(FILE *f, const btab *m)
{
    if (!m->present) {
        fputs("\\par\\noindent The machine was not recorded (no \\texttt{", f);
        cr_report_tex_escape(f, m->path);
        fputs("}).\n", f);
        return;
    }
    const char *keys[] = { "cpu_model", "cores", "openblas_core", "openblas_coretype_env", "date_utc", "commit",
                           "loadavg_start", "loadavg_end" };
    const char *val[8];
    for (size_t k = 0; k < 8; k++) {
        val[k] = "unknown";
        for (size_t r = 0; r < m->nrow; r++)
            if (strcmp(btab_cell(m, r, 0), keys[k]) == 0) val[k] = btab_cell(m, r, 1);
    }
    /* the sentence: text before each value, in the order of keys, then its end */
    static const char *const before[8] = { "\\par\\noindent Measured on ", " (", " cores online), OpenBLAS ",
                                           " kernels (\\texttt{OPENBLAS\\_CORETYPE} ", "), on ", " at commit \\texttt{",
                                           "}; 1-minute load average ", " at the start and " };
    for (size_t k = 0; k < 8; k++) {
        fputs(before[k], f);
        cr_report_tex_escape(f, val[k]);
    }
    fputs(" at the end.\n", f);
}

/* ------------------------------------------------------------------ the tables */

static void table_head(FILE *f, const char *cols, const char *header)
{
    fprintf(f, "\\par\\smallskip\\noindent\\crbenchfit{\\begin{tabular}{%s}\n\\toprule\n%s\\\\\n\\midrule\n", cols, header);
}

static void table_foot(FILE *f)
{
    fputs("\\bottomrule\n\\end{tabular}}\\par\\smallskip\\noindent\n", f);
}

static const char *const CONVEX_COLS[] = { "n", "d", "p", "ours_seconds", "cvxopt_seconds", "ratio", "ours_rel_gap",
                                           "ours_status", "cvxopt_capped", "ours_method", "peak_rss_mb", "tol", NULL };
static const char *const CONVEX_NUM[] = { "n", "d", "p", "ours_seconds", "cvxopt_seconds", "ratio", "ours_rel_gap",
                                          "cvxopt_capped", "peak_rss_mb", "tol", NULL };

static void table_convex(FILE *f, const btab *t)
{
    table_head(f, "rrrrrrrllrrl",
               "$n$ & $d$ & $p$ & ours (s) & cvxopt (s) & cvxopt/ours & rel.\\ gap & status & method & peak MiB & "
               "target gap & verdict");
    for (size_t r = 0; r < t->nrow; r++) {
        const int capped = num_of(t, r, "cvxopt_capped") == 1;
        put_cell(f, t, r, "n", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "d", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "p", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "ours_seconds", F_G3);
        fputs(" & ", f);
        if (capped) fputs("\\ensuremath{\\geq}", f);
        put_cell(f, t, r, "cvxopt_seconds", F_G3);
        fputs(" & ", f);
        if (capped) fputs("\\ensuremath{\\geq}", f);
        put_cell(f, t, r, "ratio", F_RATIO);
        fputs(" & ", f);
        put_cell(f, t, r, "ours_rel_gap", F_GAP);
        fputs(" & ", f);
        put_cell(f, t, r, "ours_status", F_TEXT);
        fputs(" & ", f);
        put_cell(f, t, r, "ours_method", F_TEXT);
        fputs(" & ", f);
        put_cell(f, t, r, "peak_rss_mb", F_MB);
        fputs(" & \\ensuremath{\\leq}", f);
        put_cell(f, t, r, "tol", F_G3);
        fputs(" & ", f);
        char missed[128] = "";
        if (strcmp(text_of(t, r, "ours_status"), "converged") != 0) add_miss(missed, sizeof missed, "status");
        if (!(num_of(t, r, "ours_rel_gap") <= num_of(t, r, "tol"))) add_miss(missed, sizeof missed, "gap");
        put_verdict(f, missed);
        fputs("\\\\\n", f);
    }
    table_foot(f);
    fputs("\\ensuremath{\\geq}: cvxopt stopped at the benchmark's time cap; its time and the ratio are lower bounds.\n",
          f);
}

static const char *const ROBUST_COLS[] = { "instance", "n", "d", "samples", "beta", "tol", "method", "p", "seconds",
                                           "cpu_seconds", "rel_gap", "status", "method_used", "peak_rss_mb", "error",
                                           NULL };
static const char *const ROBUST_NUM[] = { "n", "d", "samples", "beta", "tol", "p", "seconds", "cpu_seconds", "rel_gap",
                                          "peak_rss_mb", NULL };

static void table_robust(FILE *f, const btab *t)
{
    table_head(f, "lrrrrrlrrrrlrl",
               "instance & $n$ & $d$ & patterns & $\\beta$ & tol & method & $p$ & wall s & CPU s & rel.\\ gap & "
               "status & peak MiB & verdict");
    size_t errors = 0;
    for (size_t r = 0; r < t->nrow; r++) {
        put_cell(f, t, r, "instance", F_TEXT);
        fputs(" & ", f);
        put_cell(f, t, r, "n", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "d", F_INT);
        fputs(" & ", f);
        if (num_of(t, r, "samples") == 0) fputs("exact", f);
        else put_cell(f, t, r, "samples", F_INT), fputs(" sampled", f);
        fputs(" & ", f);
        put_cell(f, t, r, "beta", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "tol", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "method", F_TEXT);
        if (*text_of(t, r, "method_used")) {
            fputs("\\ensuremath{\\to}", f);
            put_cell(f, t, r, "method_used", F_TEXT);
        }
        fputs(" & ", f);
        put_cell(f, t, r, "p", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "seconds", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "cpu_seconds", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "rel_gap", F_GAP);
        fputs(" & ", f);
        put_cell(f, t, r, "status", F_TEXT);
        fputs(" & ", f);
        put_cell(f, t, r, "peak_rss_mb", F_MB);
        fputs(" & ", f);
        char missed[128] = "";
        if (strcmp(text_of(t, r, "status"), "converged") != 0) add_miss(missed, sizeof missed, "status");
        if (!(num_of(t, r, "rel_gap") <= num_of(t, r, "tol"))) add_miss(missed, sizeof missed, "gap");
        if (*text_of(t, r, "error")) add_miss(missed, sizeof missed, "error"), errors++;
        put_verdict(f, missed);
        fputs("\\\\\n", f);
    }
    table_foot(f);
    fputs("Method: the one asked for \\ensuremath{\\to} the one whose point was returned.\n", f);
    if (errors) {
        fputs("Errors:", f);
        for (size_t r = 0, k = 0; r < t->nrow; r++) {
            if (!*text_of(t, r, "error")) continue;
            fprintf(f, "%s ", k++ ? ";" : "");
            put_cell(f, t, r, "instance", F_TEXT);
            fputs(" (tol ", f);
            put_cell(f, t, r, "tol", F_G3);
            fputs("): ", f);
            put_cell(f, t, r, "error", F_TEXT);
        }
        fputs(".\n", f);
    }
}

static const char *const SCALE_COLS[] = { "data", "n", "d", "p", "beta", "seconds", "cpu_seconds", "rel_gap",
                                          "status", "method", "newton", "nnz", "peak_rss_mb", "target_seconds",
                                          "target_rel_gap", "target_peak_rss_mb", NULL };
static const char *const SCALE_NUM[] = { "n", "d", "p", "beta", "seconds", "cpu_seconds", "rel_gap", "newton", "nnz",
                                         "peak_rss_mb", "target_seconds", "target_rel_gap", "target_peak_rss_mb",
                                         NULL };

static void table_scale(FILE *f, const btab *t)
{
    table_head(f, "lrrrrrrrlrrrll",
               "data & $n$ & $d$ & $p$ & $\\beta$ & wall s & CPU s & rel.\\ gap & status & Newton & active & "
               "peak MiB & target & verdict");
    for (size_t r = 0; r < t->nrow; r++) {
        put_cell(f, t, r, "data", F_TEXT);
        static const char *const mid[] = { "n", "d", "p" };
        for (size_t k = 0; k < 3; k++) fputs(" & ", f), put_cell(f, t, r, mid[k], F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "beta", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "seconds", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "cpu_seconds", F_G3);
        fputs(" & ", f);
        put_cell(f, t, r, "rel_gap", F_GAP);
        fputs(" & ", f);
        put_cell(f, t, r, "status", F_TEXT);
        fputs(" & ", f);
        put_cell(f, t, r, "newton", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "nnz", F_INT);
        fputs(" & ", f);
        put_cell(f, t, r, "peak_rss_mb", F_MB);
        fputs(" & ", f);
        const double ts = num_of(t, r, "target_seconds");
        if (isfinite(ts)) fputs("\\ensuremath{\\leq}", f), put_num(f, ts, F_G3), fputs(" s, ", f);
        fputs("gap \\ensuremath{\\leq}", f);
        put_cell(f, t, r, "target_rel_gap", F_G3);
        fputs(", \\ensuremath{\\leq}", f);
        put_cell(f, t, r, "target_peak_rss_mb", F_MB);
        fputs(" MiB & ", f);
        char missed[128] = "";
        if (strcmp(text_of(t, r, "status"), "converged") != 0) add_miss(missed, sizeof missed, "status");
        if (!(num_of(t, r, "rel_gap") <= num_of(t, r, "target_rel_gap"))) add_miss(missed, sizeof missed, "gap");
        if (isfinite(ts) && !(num_of(t, r, "seconds") <= ts && num_of(t, r, "cpu_seconds") <= ts))
            add_miss(missed, sizeof missed, "time");
        if (!(num_of(t, r, "peak_rss_mb") <= num_of(t, r, "target_peak_rss_mb")))
            add_miss(missed, sizeof missed, "memory");
        put_verdict(f, missed);
        fputs("\\\\\n", f);
    }
    table_foot(f);
    fputs("Active: blocks nonzero at the returned point. Target: the issue's time (wall and CPU seconds alike), the "
          "certified relative gap, and 4 GB (\\ensuremath{4\\times10^{9}} bytes) of peak resident memory in MiB.\n",
          f);
}

static const char *const TRAIN_COLS[] = { "impl", "loss", "n", "d", "m", "threads", "steps_per_sec", NULL };
static const char *const TRAIN_NUM[] = { "n", "d", "m", "threads", "steps_per_sec", NULL };
static const char *const TRAIN_KEY[] = { "loss", "n", "d", "m", "threads" };

/* Rows r and s of bench_train have the same (loss, n, d, m, threads). */
static int train_same_key(const btab *t, size_t r, size_t s)
{
    for (size_t k = 0; k < 5; k++)
        if (strcmp(text_of(t, r, TRAIN_KEY[k]), text_of(t, s, TRAIN_KEY[k])) != 0) return 0;
    return 1;
}

static int table_train(FILE *f, const btab *t, cr_err *err)
{
    /* The impls in order of first appearance. */
    size_t *impl = malloc((t->nrow + 1) * sizeof *impl), ni = 0;
    if (!impl) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    for (size_t r = 0; r < t->nrow; r++) {
        size_t k = 0;
        while (k < ni && strcmp(text_of(t, impl[k], "impl"), text_of(t, r, "impl")) != 0) k++;
        if (k == ni) impl[ni++] = r;
    }
    fputs("\\par\\smallskip\\noindent\\crbenchfit{\\begin{tabular}{lrrrr", f);
    for (size_t k = 0; k <= ni; k++) fputc('r', f);
    fputs("}\n\\toprule\nloss & $n$ & $d$ & $m$ & threads", f);
    for (size_t k = 0; k < ni; k++) {
        fputs(" & ", f);
        cr_report_tex_escape(f, text_of(t, impl[k], "impl"));
    }
    fputs(" & cvxrelu/best other\\\\\n\\midrule\n", f);
    for (size_t r = 0; r < t->nrow; r++) {
        size_t first = 0;
        while (!train_same_key(t, first, r)) first++;
        if (first != r) continue; /* the key's row was written at its first appearance */
        put_cell(f, t, r, "loss", F_TEXT);
        for (size_t k = 1; k < 5; k++) fputs(" & ", f), put_cell(f, t, r, TRAIN_KEY[k], F_INT);
        double ours = NAN, best = NAN;
        for (size_t k = 0; k < ni; k++) {
            const char *name = text_of(t, impl[k], "impl");
            double v = NAN;
            for (size_t s = r; s < t->nrow; s++)
                if (train_same_key(t, r, s) && strcmp(text_of(t, s, "impl"), name) == 0) v = num_of(t, s, "steps_per_sec");
            fputs(" & ", f);
            put_num(f, v, F_RATE);
            if (strcmp(name, "cvxrelu") == 0) ours = v;
            else if (isfinite(v) && !(v <= best)) best = v;
        }
        fputs(" & ", f);
        put_num(f, ours / best, F_RATIO);
        fputs("\\\\\n", f);
    }
    free(impl);
    table_foot(f);
    fputs("Full-batch gradient-descent steps per second (higher is better), float64, best of repeated timed runs of "
          "the same trajectory segment; cvxrelu/best other: cvxrelu's rate over the best other one measured.\n",
          f);
    return CR_OK;
}

/* ------------------------------------------------------------------ the files */

typedef struct {
    const char *stem;
    const char *const *cols, *const *nums;
} bench_kind;

static const bench_kind KINDS[] = {
    { "bench_convex", CONVEX_COLS, CONVEX_NUM },
    { "bench_convex_robust", ROBUST_COLS, ROBUST_NUM },
    { "bench_scale", SCALE_COLS, SCALE_NUM },
    { "bench_train", TRAIN_COLS, TRAIN_NUM },
};
enum { NKINDS = sizeof KINDS / sizeof KINDS[0] };

static int write_table(const char *benchdir, const char *outdir, size_t k, const btab *t, const btab *m, cr_err *err)
{
    char path[CR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.tex", outdir, KINDS[k].stem);
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    FILE *f = cr_atomic_stream(a);
    fprintf(f, "%% generated by cvxrelu bench-latex from %s/%s.csv; do not edit\n", benchdir, KINDS[k].stem);
    int st = CR_OK;
    if (!t->present) {
        fputs("\\par\\noindent\\textit{Not measured: \\texttt{", f);
        cr_report_tex_escape(f, t->path);
        fputs("} is not committed, so this table is missing (\\texttt{make bench}, then \\texttt{make bench-paper}, "
              "write it).}\\par\n",
              f);
    } else if (t->nrow == 0) {
        fputs("\\par\\noindent\\textit{\\texttt{", f);
        cr_report_tex_escape(f, t->path);
        fputs("} holds no row: nothing was measured.}\\par\n", f);
    } else {
        put_machine(f, m);
        if (k == 0) table_convex(f, t);
        else if (k == 1) table_robust(f, t);
        else if (k == 2) table_scale(f, t);
        else st = table_train(f, t, err);
    }
    if (st) {
        cr_atomic_abort(a);
        return st;
    }
    return cr_atomic_commit(a, err);
}

int cr_benchtex_write(const char *benchdir, const char *outdir, cr_err *err)
{
    struct stat sb;
    if (stat(outdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cr_err_set(err, CR_EINPUT, "bench-latex: %s: not a folder", outdir);
    if (strlen(benchdir) > CR_OUT_MAX || strlen(outdir) > CR_OUT_MAX)
        return cr_err_set(err, CR_EINPUT, "bench-latex: folder name longer than %d bytes", CR_OUT_MAX);
    if (cr_fs_control_char(benchdir) >= 0)
        return cr_err_set(err, CR_EINPUT, "bench-latex: %s: the name holds a control character", benchdir);
    btab tab[NKINDS], mach[NKINDS];
    memset(tab, 0, sizeof tab);
    memset(mach, 0, sizeof mach);
    int st = CR_OK;
    for (size_t k = 0; k < NKINDS && !st; k++) {
        char file[128];
        snprintf(file, sizeof file, "%s.csv", KINDS[k].stem);
        st = btab_load(&tab[k], benchdir, file, err);
        if (!st && tab[k].present) {
            st = btab_check_columns(&tab[k], KINDS[k].cols, err);
            if (!st) st = btab_check_numbers(&tab[k], KINDS[k].nums, err);
        }
        snprintf(file, sizeof file, "%s_machine.csv", KINDS[k].stem);
        if (!st) st = btab_load(&mach[k], benchdir, file, err);
        if (!st && mach[k].present && mach[k].ncol != 2)
            st = cr_err_set(err, CR_EINPUT, "%s:1: expected the 2 columns key,value", mach[k].path);
    }
    for (size_t k = 0; k < NKINDS && !st; k++) st = write_table(benchdir, outdir, k, &tab[k], &mach[k], err);
    for (size_t k = 0; k < NKINDS; k++) {
        btab_free(&tab[k]);
        btab_free(&mach[k]);
    }
    return st;
}
