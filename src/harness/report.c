/* Claims aggregation (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <glob.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "atomic.h"
#include "csvout.h"
#include "csvread.h"
#include "fsutil.h"

static const char *base_name(const char *path, char *buf, size_t cap)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    const char *end = path + len, *s = end;
    while (s > path && s[-1] != '/') s--;
    snprintf(buf, cap, "%.*s", (int)(end - s), s);
    return buf;
}

/* Calls fn(ctx, fields) for every data row of the CSV file at path (the first line, a header, and empty lines
 * skipped), after checking that the row has exactly nfields fields. CR_EINPUT naming path:line otherwise, or
 * when the file cannot be read; a non-zero return of fn stops and is returned. */
typedef int (*row_fn)(void *ctx, char **fields);

static int read_rows(const char *path, size_t nfields, row_fn fn, void *ctx, cr_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cr_err_set(err, CR_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    cr_csvread *r = cr_csvread_new(f, path, CR_CSVREAD_SKIP_EMPTY);
    int st = r ? CR_OK : cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    char **fl;
    size_t n;
    while (!st && !(st = cr_csvread_next(r, &fl, &n, err)) && n) {
        if (cr_csvread_line(r) == 1) continue;
        if (n != nfields)
            st = cr_err_set(err, CR_EINPUT, "%s:%ld: expected %zu fields", path, cr_csvread_line(r), nfields);
        else
            st = fn(ctx, fl);
    }
    cr_csvread_free(r);
    fclose(f);
    return st;
}

/* ------------------------------------------------------------------ refuted claims */

struct cr_refuted {
    size_t n;
    char **experiment, **claim; /* n each */
    int *seen;                  /* n: a run wrote the claim */
};

void cr_refuted_free(cr_refuted *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->experiment[i]);
        free(k->claim[i]);
    }
    free(k->experiment);
    free(k->claim);
    free(k->seen);
    free(k);
}

static int refuted_row(void *vctx, char **fl)
{
    cr_refuted *k = vctx;
    char **e = realloc(k->experiment, (k->n + 1) * sizeof *e);
    if (e) k->experiment = e;
    char **c = realloc(k->claim, (k->n + 1) * sizeof *c);
    if (c) k->claim = c;
    int *sn = realloc(k->seen, (k->n + 1) * sizeof *sn);
    if (sn) k->seen = sn;
    if (!e || !c || !sn) return CR_ERUNTIME;
    k->experiment[k->n] = strdup(fl[0]);
    k->claim[k->n] = strdup(fl[1]);
    k->seen[k->n] = 0;
    k->n++;
    return (k->experiment[k->n - 1] && k->claim[k->n - 1]) ? CR_OK : CR_ERUNTIME;
}

int cr_refuted_load(const char *path, cr_refuted **out, cr_err *err)
{
    cr_refuted *k = calloc(1, sizeof *k);
    if (!k) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    int st = read_rows(path, 3, refuted_row, k, err);
    if (st == CR_ERUNTIME && !err->msg[0]) cr_err_set(err, CR_ERUNTIME, "out of memory");
    if (st) {
        cr_refuted_free(k);
        return st;
    }
    *out = k;
    return CR_OK;
}

static ptrdiff_t refuted_find(const cr_refuted *k, const char *experiment, const char *claim)
{
    for (size_t i = 0; k && i < k->n; i++)
        if (strcmp(k->experiment[i], experiment) == 0 && strcmp(k->claim[i], claim) == 0) return (ptrdiff_t)i;
    return -1;
}

/* ------------------------------------------------------------------ claims */

typedef struct {
    FILE *table;
    cr_csv *out;
    const char *name;
    const cr_refuted *known;
    size_t nfail, total, nrefuted;
} claims_ctx;

static int claims_row(void *vctx, char **fl)
{
    claims_ctx *c = vctx;
    int pass = strcmp(fl[4], "PASS") == 0;
    ptrdiff_t k = refuted_find(c->known, c->name, fl[0]);
    if (k >= 0) c->known->seen[k] = 1;
    const char *verdict = pass ? (k >= 0 ? "PASS (listed as refuted: update the list)" : "PASS")
                               : (k >= 0 ? "FAIL (refuted, listed)" : "FAIL");
    if (!pass && k >= 0) c->nrefuted++;
    else c->nfail += !pass || k >= 0;
    c->total++;
    fprintf(c->table, "%-18s %-64.64s %14.8g %14.8g %9.2g  %s\n", c->name, fl[0], strtod(fl[1], NULL),
            strtod(fl[2], NULL), strtod(fl[3], NULL), verdict);
    cr_csv_str(c->out, c->name);
    for (int f = 0; f < 5; f++) cr_csv_str(c->out, fl[f]);
    cr_csv_endrow(c->out);
    return CR_OK;
}

/* A run's sanity.csv (run.h): counted apart from the claims; a failed row is printed under the claims table (it
 * means the code is wrong, and its run failed). A run without sanity.csv (an older run) has none. */
typedef struct {
    FILE *table;
    const char *name;
    size_t nfail, total;
} sanity_ctx;

static int sanity_row(void *vctx, char **fl)
{
    sanity_ctx *c = vctx;
    int pass = strcmp(fl[4], "PASS") == 0;
    c->nfail += !pass;
    c->total++;
    if (!pass)
        fprintf(c->table, "%-18s %-64.64s %14.8g %14.8g %9.2g  %s\n", c->name, fl[0], strtod(fl[1], NULL),
                strtod(fl[2], NULL), strtod(fl[3], NULL), "FAIL (sanity check: a bug)");
    return CR_OK;
}

/* EINPUT unless outdir is an existing folder (the aggregated files go there; it is not created). */
static int check_outdir(const char *cmd, const char *outdir, cr_err *err)
{
    struct stat st;
    if (stat(outdir, &st) != 0)
        return cr_err_set(err, CR_EINPUT, "%s OUTDIR %s: %s (create the folder first)", cmd, outdir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s OUTDIR %s: not a folder", cmd, outdir);
    return CR_OK;
}

int cr_report_claims(const char *outdir, const char *const *runs, size_t nruns, FILE *table, size_t *failed,
                     cr_err *err)
{
    size_t refuted = 0;
    return cr_report_claims_known(outdir, runs, nruns, NULL, table, failed, &refuted, err);
}

int cr_report_claims_known(const char *outdir, const char *const *runs, size_t nruns, const cr_refuted *known,
                           FILE *table, size_t *failed, size_t *refuted, cr_err *err)
{
    int cst = check_outdir("claims", outdir, err);
    if (cst) return cst;
    cr_csv *out = cr_csv_open(outdir, "claims.csv", "experiment,claim,measured,expected,tolerance,pass", err);
    if (!out) return CR_ERUNTIME;
    size_t nfail = 0, total = 0, nrefuted = 0;
    fprintf(table, "%-18s %-64s %14s %14s %9s  %s\n", "experiment", "claim", "measured", "expected", "tolerance",
            "verdict");
    for (size_t r = 0; r < nruns; r++) {
        char name[256], path[CR_PATH_MAX + 16];
        base_name(runs[r], name, sizeof name);
        snprintf(path, sizeof path, "%s/claims.csv", runs[r]);
        if (access(path, R_OK) != 0) {
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
        claims_ctx ctx = {.table = table, .out = out, .name = name, .known = known, .nfail = nfail, .total = total,
                          .nrefuted = nrefuted};
        int st = read_rows(path, 5, claims_row, &ctx, err);
        if (st) {
            cr_csv_abort(out);
            return st;
        }
        nfail = ctx.nfail;
        total = ctx.total;
        nrefuted = ctx.nrefuted;
    }
    sanity_ctx sc = {.table = table};
    for (size_t r = 0; r < nruns; r++) {
        char name[256], path[CR_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/sanity.csv", runs[r]);
        if (access(path, R_OK) != 0) continue;
        sc.name = base_name(runs[r], name, sizeof name);
        int st = read_rows(path, 5, sanity_row, &sc, err);
        if (st) {
            cr_csv_abort(out);
            return st;
        }
    }
    for (size_t i = 0; known && i < known->n; i++) {
        /* Listed as refuted, but none of these runs wrote it: the list no longer matches the claims. */
        if (known->seen[i]) continue;
        int ours = 0;
        for (size_t r = 0; r < nruns && !ours; r++) {
            char name[256];
            ours = strcmp(base_name(runs[r], name, sizeof name), known->experiment[i]) == 0;
        }
        if (!ours) continue; /* an experiment this call does not aggregate */
        fprintf(table, "%-18s %-64.64s %14s %14s %9s  %s\n", known->experiment[i], known->claim[i], "-", "-", "-",
                "FAIL (listed as refuted, but no run wrote it)");
        nfail++;
    }
    if (known)
        fprintf(table, "%zu claims checked, %zu failed, %zu refuted as listed (sanity checks, not counted as claims: "
                       "%zu, %zu failed)\n", total, nfail, nrefuted, sc.total, sc.nfail);
    else
        fprintf(table, "%zu claims checked, %zu failed (sanity checks, not counted as claims: %zu, %zu failed)\n",
                total, nfail, sc.total, sc.nfail);
    *failed = nfail;
    *refuted = nrefuted;
    return cr_csv_close(out, err);
}

/* ------------------------------------------------------------------ LaTeX */

/* Writes s with LaTeX's special characters escaped. */
static void tex_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '_': case '%': case '&': case '#': case '$': case '{': case '}': fprintf(f, "\\%c", *s); break;
        case '~': fputs("\\textasciitilde{}", f); break;
        case '^': fputs("\\textasciicircum{}", f); break;
        case '\\': fputs("\\textbackslash{}", f); break;
        case '<': fputs("\\ensuremath{<}", f); break;
        case '>': fputs("\\ensuremath{>}", f); break;
        case '|': fputs("\\ensuremath{|}", f); break;
        /* A cell starting with '[' right after a row's \\ would be read as \\[<length>] (claims name their slide
         * as "[Title] ..."): brackets go in braces. */
        case '[': fputs("{[}", f); break;
        case ']': fputs("{]}", f); break;
        default: fputc(*s, f);
        }
    }
}

void cr_report_tex_escape(FILE *f, const char *s)
{
    tex_escape(f, s);
}

/* A number field of a CSV as it should read in the report: %.6g of the value, or the text itself. */
static void tex_number(FILE *f, const char *field)
{
    char *end;
    double v = strtod(field, &end);
    if (*field && !*end) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.6g", v);
        /* Six digits that read as a whole number the value is not (a cosine 0.99999999999897 as "1", 1.0000000002
         * as "1"): as many digits as it takes to show it is not, so no printed value claims an equality that was
         * not measured. */
        for (int prec = 7; prec <= 17 && !strpbrk(buf, ".en") && strtod(buf, NULL) != v; prec++)
            snprintf(buf, sizeof buf, "%.*g", prec, v);
        char *e = strchr(buf, 'e');
        if (e) {
            /* 1.5e-10 -> 1.5\times10^{-10} */
            *e = 0;
            int ex = atoi(e + 1);
            fprintf(f, "\\ensuremath{%s\\times10^{%d}}", buf, ex);
        } else {
            fprintf(f, "%s", buf);
        }
    } else {
        tex_escape(f, field);
    }
}

typedef struct {
    FILE *f;
    cr_atomic *a;
} tex_out;

static int tex_open(tex_out *t, const char *outdir, const char *name, const char *suffix, cr_err *err)
{
    char path[CR_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s%s", outdir, name, suffix);
    t->a = cr_atomic_open(path, err);
    if (!t->a) return CR_ERUNTIME;
    t->f = cr_atomic_stream(t->a);
    fprintf(t->f, "%% generated by cvxrelu latex from the run results; do not edit\n");
    return CR_OK;
}

static void claims_table_head(FILE *f, int with_experiment)
{
    /* With the experiment's name in front the claim's column is narrower, so the table fits the text width. */
    fprintf(f, "\\begin{longtable}{%sp{%s\\textwidth}rrrl}\n\\toprule\n", with_experiment ? "l" : "",
            with_experiment ? "0.33" : "0.42");
    fprintf(f, "%sclaim & measured & expected & tolerance & verdict\\\\\n\\midrule\n\\endhead\n",
            with_experiment ? "experiment & " : "");
}

/* One claims.csv row as a table row; a failed claim listed as refuted (report.h) says so. */
static void claims_table_row(FILE *f, const char *experiment, char **fl, int refuted)
{
    if (experiment) {
        tex_escape(f, experiment);
        fputs(" & ", f);
    }
    tex_escape(f, fl[0]);
    for (int k = 1; k <= 3; k++) {
        fputs(" & ", f);
        tex_number(f, fl[k]);
    }
    fprintf(f, " & %s\\\\\n", strcmp(fl[4], "PASS") == 0 ? "\\textbf{PASS}"
                                : refuted ? "\\textcolor{red}{\\textbf{FAIL}} (refuted)"
                                          : "\\textcolor{red}{\\textbf{FAIL}}");
}

static int copy_file(const char *from, const char *to, cr_err *err)
{
    FILE *in = fopen(from, "rb");
    if (!in) return cr_err_set(err, CR_EINPUT, "%s: cannot read: %s", from, strerror(errno));
    cr_atomic *a = cr_atomic_open(to, err);
    if (!a) {
        fclose(in);
        return CR_ERUNTIME;
    }
    char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, k, cr_atomic_stream(a));
    fclose(in);
    return cr_atomic_commit(a, err);
}

typedef struct {
    FILE *one, *all, *vals, *raw, *refuted;
    const cr_refuted *known;
    size_t total, passed, nrefuted;
    const char *name;
    const char *path; /* the summary.csv read, for messages */
    cr_err *err;
} tex_ctx;

static int tex_claim_row(void *vctx, char **fl)
{
    tex_ctx *c = vctx;
    const int pass = strcmp(fl[4], "PASS") == 0;
    const int refuted = !pass && refuted_find(c->known, c->name, fl[0]) >= 0;
    claims_table_row(c->one, NULL, fl, refuted);
    claims_table_row(c->all, c->name, fl, refuted);
    if (refuted) claims_table_row(c->refuted, c->name, fl, refuted);
    c->total++;
    c->passed += pass;
    c->nrefuted += refuted;
    return CR_OK;
}

/* Writes s for use between \csname and \endcsname inside a group with \escapechar=-1: letters, digits and
 * the characters of `plain` as they are, every other byte b as \string\b (with no escape character that is b
 * itself, as a character), so the name TeX builds is s byte for byte whatever s holds: a backslash, brace, #,
 * %, ~, ^ or blank in a run folder's name can neither break the file nor change the name. Control characters
 * are refused before (they do not survive TeX's input). */
static void tex_csname_part(FILE *f, const char *s)
{
    static const char plain[] = "._-+=,:;!?'()[]/*@<>|";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr(plain, *c))
            fputc(*c, f);
        else
            fprintf(f, "\\string\\%c", *c);
    }
}

/* One definition "\expandafter\gdef\csname PREFIX@NAME@KEY\endcsname{" (the value and "}\n" follow). */
static void tex_def_head(FILE *f, const char *prefix, const char *name, const char *key)
{
    fprintf(f, "\\expandafter\\gdef\\csname %s@", prefix);
    tex_csname_part(f, name);
    fputc('@', f);
    tex_csname_part(f, key);
    fputs("\\endcsname{", f);
}

static int tex_value_row(void *vctx, char **fl)
{
    tex_ctx *c = vctx;
    if (cr_fs_control_char(fl[0]) >= 0)
        return cr_err_set(c->err, CR_EINPUT, "%s: a key holds a control character", c->path);
    tex_def_head(c->vals, "cr", c->name, fl[0]);
    tex_number(c->vals, fl[1]);
    fputs("}\n", c->vals);
    /* A number also as written (%.17g, for comparisons in the text: \crraw) and as 1 - value (cosines and
     * ratios near 1: \crom), computed here in double precision. */
    char *end;
    double v = strtod(fl[1], &end);
    if (*fl[1] && !*end && isfinite(v)) {
        tex_def_head(c->raw, "crraw", c->name, fl[0]);
        fprintf(c->raw, "%.17g}\n", v);
        char om[64];
        snprintf(om, sizeof om, "%.17g", 1 - v);
        tex_def_head(c->raw, "crom", c->name, fl[0]);
        tex_number(c->raw, om);
        fputs("}\n", c->raw);
    }
    return CR_OK;
}

int cr_report_latex(const char *outdir, const char *const *runs, size_t nruns, cr_err *err)
{
    return cr_report_latex_known(outdir, runs, nruns, NULL, err);
}

/* The resolved configuration the run wrote (RUN/config.yaml: comment lines, "key: value" at the top level and
 * "  key: value" under a "section:" line) as \crcfg{NAME}{section.key} definitions (csname crcfg@NAME@KEY) in f:
 * a number as the report prints numbers, any other value (a word, a flow list, "") as text. */
static int tex_config_values(FILE *f, const char *path, const char *name, cr_err *err)
{
    FILE *in = fopen(path, "rb");
    if (!in) return cr_err_set(err, CR_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    char line[4096], section[256] = "", key[600];
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        const int indented = line[0] == ' ';
        char *k = line + strspn(line, " "), *colon = strstr(k, ": ");
        if (!colon) {
            size_t len = strlen(k);
            if (!indented && len > 1 && k[len - 1] == ':') snprintf(section, sizeof section, "%.*s", (int)(len - 1), k);
            continue;
        }
        *colon = 0;
        char *v = colon + 2;
        if (indented) snprintf(key, sizeof key, "%s.%s", section, k);
        else snprintf(key, sizeof key, "%s", k);
        if (cr_fs_control_char(key) >= 0 || cr_fs_control_char(v) >= 0) continue;
        if (strcmp(v, "\"\"") == 0) v = "";
        tex_def_head(f, "crcfg", name, key);
        tex_number(f, v);
        fputs("}\n", f);
    }
    fclose(in);
    return CR_OK;
}

/* ------------------------------------------------------- generalization runs */

/* A run whose results.csv has the generalization experiment's columns (docs/experiments/generalization.md) gets
 * values that its summary does not hold, per loss and beta (PAIR = LOSS_bBETA, BETA as written in the CSV):
 * PAIR_convex_objective, PAIR_convex_test_error, PAIR_convex_rel_gap (certified gap / max(1, |p_convex|)),
 * PAIR_convex_neurons, PAIR_gd_best_objective and PAIR_gd_best_test_error (the smallest over the pair's GD
 * networks); over the run: pairs, gd_networks, max_rel_gap, pairs_gd_lower_objective and
 * pairs_gd_lower_test_error (pairs where the best GD network is strictly below the convex optimum), and the table
 * NAME-table.tex of these values, one row per pair in the order of results.csv. */
static const char gen_header[] = "row,loss,beta,model,width,seed,neurons,active,objective,p_convex,gap,"
                                 "train_error,test_error,train_mse,test_mse,train_logistic,test_logistic,iterations";
enum { GEN_FIELDS = 18, GEN_KEY = 64 };

typedef struct {
    char loss[GEN_KEY], beta[GEN_KEY];
    int has_convex, ngd;
    double obj, test, rel_gap, neurons, gd_obj, gd_test;
} gen_pair;

typedef struct {
    gen_pair *p;
    size_t n, cap, gd_networks;
    const char *path;
    cr_err *err;
} gen_ctx;

static int gen_num(gen_ctx *g, const char *field, double *v)
{
    char *end;
    *v = strtod(field, &end);
    if (!*field || *end || !isfinite(*v)) return cr_err_set(g->err, CR_EINPUT, "%s: not a number: %s", g->path, field);
    return CR_OK;
}

static int gen_row(void *vctx, char **fl)
{
    gen_ctx *g = vctx;
    if (strlen(fl[1]) >= GEN_KEY || strlen(fl[2]) >= GEN_KEY || cr_fs_control_char(fl[1]) >= 0 ||
        cr_fs_control_char(fl[2]) >= 0)
        return cr_err_set(g->err, CR_EINPUT, "%s: a loss or beta field is too long or holds a control character",
                          g->path);
    size_t k = 0;
    while (k < g->n && !(strcmp(g->p[k].loss, fl[1]) == 0 && strcmp(g->p[k].beta, fl[2]) == 0)) k++;
    if (k == g->n) {
        if (g->n == g->cap) {
            size_t cap = g->cap ? 2 * g->cap : 16;
            gen_pair *p = realloc(g->p, cap * sizeof *p);
            if (!p) return cr_err_set(g->err, CR_ERUNTIME, "%s: out of memory", g->path);
            g->p = p;
            g->cap = cap;
        }
        memset(&g->p[k], 0, sizeof g->p[k]);
        strcpy(g->p[k].loss, fl[1]);
        strcpy(g->p[k].beta, fl[2]);
        g->n++;
    }
    gen_pair *p = &g->p[k];
    double obj, test;
    int st = gen_num(g, fl[8], &obj);
    if (!st) st = gen_num(g, fl[12], &test);
    if (st) return st;
    if (strcmp(fl[3], "convex") == 0) {
        double pc, gap, neurons;
        if (p->has_convex) return cr_err_set(g->err, CR_EINPUT, "%s: two convex rows for %s, beta %s", g->path, fl[1], fl[2]);
        if ((st = gen_num(g, fl[9], &pc)) || (st = gen_num(g, fl[10], &gap)) || (st = gen_num(g, fl[6], &neurons)))
            return st;
        p->has_convex = 1;
        p->obj = obj;
        p->test = test;
        p->rel_gap = gap / fmax(1, fabs(pc));
        p->neurons = neurons;
    } else if (strcmp(fl[3], "gd") == 0) {
        if (!p->ngd || obj < p->gd_obj) p->gd_obj = obj;
        if (!p->ngd || test < p->gd_test) p->gd_test = test;
        p->ngd++;
        g->gd_networks++;
    } else {
        return cr_err_set(g->err, CR_EINPUT, "%s: model %s is neither convex nor gd", g->path, fl[3]);
    }
    return CR_OK;
}

/* One derived value, as a summary row would give it (tex_value_row). */
static int gen_value(tex_ctx *c, const char *key, double v)
{
    char num[64], k[3 * GEN_KEY];
    snprintf(num, sizeof num, "%.17g", v);
    snprintf(k, sizeof k, "%s", key);
    char *fl[2] = {k, num};
    return tex_value_row(c, fl);
}

static int tex_generalization(const char *outdir, const char *run, const char *name, tex_ctx *c, cr_err *err)
{
    char path[CR_PATH_MAX + 300], line[sizeof gen_header + 2];
    snprintf(path, sizeof path, "%s/results.csv", run);
    FILE *f = fopen(path, "rb");
    if (!f) return CR_OK; /* not a generalization run */
    int ours = fgets(line, sizeof line, f) && strncmp(line, gen_header, sizeof gen_header - 1) == 0 &&
               (line[sizeof gen_header - 1] == '\n' || line[sizeof gen_header - 1] == '\r');
    fclose(f);
    if (!ours) return CR_OK;
    gen_ctx g = {.path = path, .err = err};
    int st = read_rows(path, GEN_FIELDS, gen_row, &g, err);
    for (size_t k = 0; k < g.n && !st; k++)
        if (!g.p[k].has_convex || !g.p[k].ngd)
            st = cr_err_set(err, CR_EINPUT, "%s: %s, beta %s lacks a convex or a gd row", path, g.p[k].loss, g.p[k].beta);
    tex_out tab = {0};
    if (!st) st = tex_open(&tab, outdir, name, "-table.tex", err);
    if (st) {
        free(g.p);
        return st;
    }
    double max_gap = 0;
    size_t lower_obj = 0, lower_test = 0;
    fputs("\\begin{tabular}{lrrrrrrr}\n\\toprule\n"
          "& & \\multicolumn{4}{c}{convex optimum (sampled patterns)} & \\multicolumn{2}{c}{best GD network}\\\\\n"
          "\\cmidrule(lr){3-6}\\cmidrule(lr){7-8}\n"
          "loss & $\\beta$ & $L_\\beta$ & rel.\\ gap & $m^*$ & test error & $L_\\beta$ & test error\\\\\n\\midrule\n",
          tab.f);
    for (size_t k = 0; k < g.n && !st; k++) {
        const gen_pair *p = &g.p[k];
        char key[3 * GEN_KEY], v[6][64];
        const char *suffix[6] = {"convex_objective", "convex_rel_gap", "convex_neurons", "convex_test_error",
                                 "gd_best_objective", "gd_best_test_error"};
        const double val[6] = {p->obj, p->rel_gap, p->neurons, p->test, p->gd_obj, p->gd_test};
        tex_escape(tab.f, p->loss);
        fputs(" & ", tab.f);
        tex_number(tab.f, p->beta);
        for (int j = 0; j < 6 && !st; j++) {
            snprintf(key, sizeof key, "%s_b%s_%s", p->loss, p->beta, suffix[j]);
            st = gen_value(c, key, val[j]);
            snprintf(v[j], sizeof v[j], "%.17g", val[j]);
            fputs(" & ", tab.f);
            tex_number(tab.f, v[j]);
        }
        fputs("\\\\\n", tab.f);
        max_gap = fmax(max_gap, p->rel_gap);
        lower_obj += p->gd_obj < p->obj;
        lower_test += p->gd_test < p->test;
    }
    fputs("\\bottomrule\n\\end{tabular}\n", tab.f);
    if (!st) st = gen_value(c, "pairs", (double)g.n);
    if (!st) st = gen_value(c, "gd_networks", (double)g.gd_networks);
    if (!st) st = gen_value(c, "max_rel_gap", max_gap);
    if (!st) st = gen_value(c, "pairs_gd_lower_objective", (double)lower_obj);
    if (!st) st = gen_value(c, "pairs_gd_lower_test_error", (double)lower_test);
    free(g.p);
    if (!st) return cr_atomic_commit(tab.a, err);
    cr_atomic_abort(tab.a);
    return st;
}

/* One run's NAME-claims.tex, NAME-values.tex, NAME-raw.tex and NAME-config.yaml (and NAME-table.tex for a
 * generalization run); its claims also go to the shared tables of c (all, refuted) and counts. */
static int tex_run(const char *outdir, const char *run, const char *name, tex_ctx *c, cr_err *err)
{
    char path[CR_PATH_MAX + 300];
    tex_out one, vals, raw;
    int st = tex_open(&one, outdir, name, "-claims.tex", err);
    if (st) return st;
    if ((st = tex_open(&vals, outdir, name, "-values.tex", err))) {
        cr_atomic_abort(one.a);
        return st;
    }
    if ((st = tex_open(&raw, outdir, name, "-raw.tex", err))) {
        cr_atomic_abort(one.a);
        cr_atomic_abort(vals.a);
        return st;
    }
    claims_table_head(one.f, 0);
    /* The values are defined with \escapechar=-1 (see tex_csname_part), globally, as \run{} may be used
     * inside a group. */
    fputs("\\begingroup\\escapechar=-1\n", vals.f);
    fputs("\\begingroup\\escapechar=-1\n", raw.f);
    c->one = one.f;
    c->vals = vals.f;
    c->raw = raw.f;
    c->name = name;
    c->err = err;
    snprintf(path, sizeof path, "%s/claims.csv", run);
    st = read_rows(path, 5, tex_claim_row, c, err);
    snprintf(path, sizeof path, "%s/summary.csv", run);
    c->path = path;
    if (!st) st = read_rows(path, 2, tex_value_row, c, err);
    if (!st) st = tex_generalization(outdir, run, name, c, err);
    snprintf(path, sizeof path, "%s/config.yaml", run);
    if (!st) st = tex_config_values(raw.f, path, name, err);
    fputs("\\endgroup\n", vals.f);
    fputs("\\endgroup\n", raw.f);
    fputs("\\bottomrule\n\\end{longtable}\n", one.f);
    if (!st) st = cr_atomic_commit(one.a, err);
    else cr_atomic_abort(one.a);
    if (!st) st = cr_atomic_commit(vals.a, err);
    else cr_atomic_abort(vals.a);
    if (!st) st = cr_atomic_commit(raw.a, err);
    else cr_atomic_abort(raw.a);
    if (st) return st;
    char from[CR_PATH_MAX + 300], to[CR_PATH_MAX + 300];
    snprintf(from, sizeof from, "%s/config.yaml", run);
    snprintf(to, sizeof to, "%s/%s-config.yaml", outdir, name);
    return copy_file(from, to, err);
}

int cr_report_latex_known(const char *outdir, const char *const *runs, size_t nruns, const cr_refuted *known,
                          cr_err *err)
{
    int cst = check_outdir("latex", outdir, err);
    for (size_t r = 0; r < nruns && !cst; r++) {
        char name[256];
        if (cr_fs_control_char(base_name(runs[r], name, sizeof name)) >= 0)
            cst = cr_err_set(err, CR_EINPUT, "latex: run folder %s: its name holds a control character", runs[r]);
    }
    if (cst) return cst;
    tex_out all, ref, count;
    if (tex_open(&all, outdir, "claims-all", ".tex", err)) return CR_ERUNTIME;
    if (tex_open(&ref, outdir, "claims-refuted", ".tex", err)) {
        cr_atomic_abort(all.a);
        return CR_ERUNTIME;
    }
    if (tex_open(&count, outdir, "claims-count", ".tex", err)) {
        cr_atomic_abort(all.a);
        cr_atomic_abort(ref.a);
        return CR_ERUNTIME;
    }
    claims_table_head(all.f, 1);
    claims_table_head(ref.f, 1);
    tex_ctx tc = {.all = all.f, .refuted = ref.f, .known = known};
    int st = CR_OK;
    for (size_t r = 0; r < nruns && !st; r++) {
        char name[256];
        st = tex_run(outdir, runs[r], base_name(runs[r], name, sizeof name), &tc, err);
    }
    fputs("\\bottomrule\n\\end{longtable}\n", all.f);
    fputs("\\bottomrule\n\\end{longtable}\n", ref.f);
    /* The counts over every claim of these runs: \crclaimstotal, \crclaimspassed, \crclaimsrefuted (failed and
     * listed as refuted) and \crclaimsfailed (the other failures). */
    fprintf(count.f, "\\gdef\\crclaimstotal{%zu}\n\\gdef\\crclaimspassed{%zu}\n\\gdef\\crclaimsrefuted{%zu}\n"
                     "\\gdef\\crclaimsfailed{%zu}\n",
            tc.total, tc.passed, tc.nrefuted, tc.total - tc.passed - tc.nrefuted);
    if (st) {
        cr_atomic_abort(all.a);
        cr_atomic_abort(ref.a);
        cr_atomic_abort(count.a);
        return st;
    }
    st = cr_atomic_commit(all.a, err);
    if (!st) st = cr_atomic_commit(ref.a, err);
    else cr_atomic_abort(ref.a);
    if (!st) st = cr_atomic_commit(count.a, err);
    else cr_atomic_abort(count.a);
    return st;
}

/* ---------------------------------------------------------------- Markdown */

/* Writes s for a Markdown table cell ('|' escaped). */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputc('\\', f);
        fputc(*s, f);
    }
}

typedef struct {
    FILE *out;
    const char *name, *figs;
} md_ctx;

static int md_row(void *vctx, char **fl)
{
    md_ctx *c = vctx;
    fprintf(c->out, "| %s | ", c->name);
    md_cell(c->out, fl[0]);
    fprintf(c->out,
            " | %.6g | %.6g | %s | [`configs/%s.yaml`](configs/%s.yaml) | %s | `build/cvxrelu run configs/%s.yaml` |\n",
            strtod(fl[1], NULL), strtod(fl[2], NULL), fl[4], c->name, c->name, c->figs, c->name);
    return CR_OK;
}

static int md_sanity_row(void *vctx, char **fl)
{
    md_ctx *c = vctx;
    fprintf(c->out, "| %s | ", c->name);
    md_cell(c->out, fl[0]);
    fprintf(c->out, " | %.6g | %.6g | %s |\n", strtod(fl[1], NULL), strtod(fl[2], NULL), fl[4]);
    return CR_OK;
}

int cr_report_markdown(const char *const *runs, size_t nruns, FILE *out, cr_err *err)
{
    fprintf(out, "| experiment | claim | measured | expected | verdict | config | figures | reproduce |\n");
    fprintf(out, "|---|---|---|---|---|---|---|---|\n");
    for (size_t r = 0; r < nruns; r++) {
        char name[256], path[CR_PATH_MAX + 300], figs[2048] = "", pattern[600];
        base_name(runs[r], name, sizeof name);
        const char *globs[2] = {"figures/%s.png", "figures/%s-*.png"};
        for (int g = 0; g < 2; g++) {
            glob_t gl;
            snprintf(pattern, sizeof pattern, globs[g], name);
            if (glob(pattern, 0, NULL, &gl) == 0) {
                for (size_t k = 0; k < gl.gl_pathc; k++) {
                    size_t len = strlen(figs);
                    snprintf(figs + len, sizeof figs - len, "%s[%s](%s)", len ? ", " : "",
                             strrchr(gl.gl_pathv[k], '/') + 1, gl.gl_pathv[k]);
                }
            }
            globfree(&gl);
        }
        snprintf(path, sizeof path, "%s/claims.csv", runs[r]);
        md_ctx mc = {.out = out, .name = name, .figs = figs[0] ? figs : "-"};
        int st = read_rows(path, 5, md_row, &mc, err);
        if (st) return st;
    }
    /* The sanity checks (run.h), apart: rows that cannot fail when the code is right, not claims. */
    fprintf(out, "\nSanity checks (identities, constructions, solver certificates, bounds far from tight: not claims; "
                 "a failure means the code is wrong and fails its run):\n\n");
    fprintf(out, "| experiment | check | measured | expected | verdict |\n|---|---|---|---|---|\n");
    for (size_t r = 0; r < nruns; r++) {
        char name[256], path[CR_PATH_MAX + 300];
        base_name(runs[r], name, sizeof name);
        snprintf(path, sizeof path, "%s/sanity.csv", runs[r]);
        if (access(path, R_OK) != 0) continue;
        md_ctx mc = {.out = out, .name = name};
        int st = read_rows(path, 5, md_sanity_row, &mc, err);
        if (st) return st;
    }
    return CR_OK;
}
