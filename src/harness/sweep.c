/* Sweeps (see sweep.h): the plan (grids, point names, each point resolved against the schema), DIR/sweep.yaml,
 * the local process pool, the emitted job files (GNU parallel, Slurm array) and the aggregation into sweep.csv.
 * Every point runs as an ordinary `cvxrelu run ... --out DIR/POINT --quiet 2>DIR/POINT/stderr.log` of this very
 * binary, and sweep.csv is always rebuilt from the files on disk by one function, so serial, --jobs N, GNU parallel
 * and Slurm give the same bytes. */
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "fsutil.h"
#include "atomic.h"

extern char **environ;

#define SWEEP_MAX_SETS 128 /* main's limit on --set options of one run */
#define NAME_CUT 200
#define LOG_NAME "stderr.log"

/* ------------------------------------------------------------ small helpers */

typedef struct {
    char **v;
    size_t n, cap;
} strvec;

static int strvec_push(strvec *s, const char *text)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(text))) return -1;
    s->n++;
    return 0;
}

static void strvec_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static ptrdiff_t strvec_find(const strvec *s, const char *text)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], text) == 0) return (ptrdiff_t)i;
    return -1;
}

/* 64-bit FNV-1a: a fingerprint of a resolved config, not a security hash. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void hash_hex(const char *s, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(s));
}

/* Whole file into a malloc'ed string; NULL with errno set if unreadable. A symbolic link is not followed (the
 * files read are the points' own). */
static char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fclose(f);
        return NULL;
    }
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, k, m);
    int bad = ferror(f);
    fclose(f);
    if (fclose(m) != 0 || bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    return buf;
}

/* Appends s to f as one shell word: as is when it is plainly safe, else in single quotes (' written as '\''). */
static void shell_word(FILE *f, const char *s)
{
    int plain = *s != 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && plain; c++)
        plain = isalnum(*c) || strchr("_./=,+:@%-", *c);
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("'\\''", f);
        else fputc(*s, f);
    }
    fputc('\'', f);
}

/* Appends lit followed by the file-name pattern pat (e.g. "%A_%a.out") to f as one argument of an #SBATCH line:
 * in double quotes, with " and \ escaped by a backslash (sbatch's own rule for these lines; older releases know
 * no single quotes there) and every % of lit doubled, since sbatch reads % as a pattern ("%%" is a literal %). */
static void sbatch_word_pattern(FILE *f, const char *lit, const char *pat)
{
    fputc('"', f);
    for (; *lit; lit++) {
        if (*lit == '"' || *lit == '\\') fputc('\\', f);
        if (*lit == '%') fputc('%', f);
        fputc(*lit, f);
    }
    fputs(pat, f);
    fputc('"', f);
}

/* The first control character of s (a byte below 0x20, or 0x7f), else -1. */
static int control_char(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return *c;
    return -1;
}

/* Appends s to f as a YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f) fprintf(f, "\\x%02x", *c);
        else fputc(*c, f);
    }
    fputc('"', f);
}

/* Appends s to f as one CSV field (quoted when it holds a comma, quote or line break; as cr_csv_str). */
static void csv_field_out(FILE *f, const char *s, int first)
{
    if (!first) fputc(',', f);
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Reads one CSV field at *pp (RFC 4180: "" inside quotes, line breaks inside quotes). Returns 1 and a malloc'ed
 * field (*eol set when it ends its row), 0 at the end of the text, -1 when malformed or out of memory. */
static int csv_field_in(const char **pp, char **out, int *eol)
{
    const char *p = *pp;
    if (!*p) return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    int bad = 0;
    if (*p == '"') {
        for (p++;;) {
            if (!*p) { bad = 1; break; }
            if (*p == '"') {
                if (p[1] == '"') { fputc('"', m); p += 2; continue; }
                p++;
                break;
            }
            fputc(*p++, m);
        }
    } else {
        while (*p && *p != ',' && *p != '\n' && *p != '\r') fputc(*p++, m);
    }
    if (!bad) {
        if (*p == ',') {
            p++;
            *eol = 0;
        } else if (*p == '\r' || *p == '\n' || !*p) {
            if (*p == '\r') p++;
            if (*p == '\n') p++;
            *eol = 1;
        } else {
            bad = 1; /* text after a closing quote */
        }
    }
    if (fclose(m) != 0) bad = 1;
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *pp = p;
    return 1;
}

/* A run's summary.csv (key,value) as two parallel lists. 0 ok, -1 unreadable (errno), -2 malformed. */
static int read_summary(const char *path, strvec *keys, strvec *vals)
{
    char *text = slurp(path);
    if (!text) return -1;
    const char *p = text;
    int st = 0;
    char *f[2] = {NULL, NULL};
    for (size_t row = 0; st == 0; row++) {
        int eol = 0, r = csv_field_in(&p, &f[0], &eol);
        if (r == 0) break;
        if (r < 0 || eol) { st = -2; break; }
        r = csv_field_in(&p, &f[1], &eol);
        if (r <= 0 || !eol) { st = -2; break; }
        if (row == 0) {
            if (strcmp(f[0], "key") != 0 || strcmp(f[1], "value") != 0) st = -2;
        } else if (strvec_push(keys, f[0]) || strvec_push(vals, f[1])) {
            st = -2;
        }
        free(f[0]);
        free(f[1]);
        f[0] = f[1] = NULL;
    }
    free(f[0]);
    free(f[1]);
    free(text);
    return st;
}


/* EINPUT unless dir is a writable folder or can be made (its first existing ancestor is a writable folder). */
static int check_dir(const char *what, const char *dir, cr_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s %s: exists and is not a folder", what, dir);
        if (access(dir, W_OK) != 0) return cr_err_set(err, CR_EINPUT, "%s %s: folder is not writable", what, dir);
        return CR_OK;
    }
    char buf[CR_PATH_MAX + 16];
    snprintf(buf, sizeof buf, "%s", dir);
    for (;;) {
        char *slash = strrchr(buf, '/');
        if (!slash) snprintf(buf, sizeof buf, ".");
        else if (slash == buf) buf[1] = 0;
        else *slash = 0;
        if (stat(buf, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s %s: %s is not a folder", what, dir, buf);
            if (access(buf, W_OK) != 0)
                return cr_err_set(err, CR_EINPUT, "%s %s: cannot create it, %s is not writable", what, dir, buf);
            return CR_OK;
        }
        if (strcmp(buf, ".") == 0 || strcmp(buf, "/") == 0) return CR_OK;
    }
}

/* EINPUT unless path can be written as a file: not a folder, and its folder is writable or can be made. */
static int check_file(const char *what, const char *path, cr_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cr_err_set(err, CR_EINPUT, "%s %s: is a folder, expected a file name", what, path);
    char parent[CR_PATH_MAX + 16];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == parent) parent[1] = 0;
    else *slash = 0;
    return check_dir(what, parent, err);
}

/* path made absolute against cwd, with "." components, repeated and trailing slashes dropped (symbolic links and
 * ".." are kept: the names the user chose stay). */
static int absolute(const char *cwd, const char *path, char *out, size_t cap)
{
    char tmp[2 * CR_PATH_MAX + 2];
    int k = path[0] == '/' ? snprintf(tmp, sizeof tmp, "%s", path) : snprintf(tmp, sizeof tmp, "%s/%s", cwd, path);
    if (k < 0 || (size_t)k >= sizeof tmp) return -1;
    size_t n = 0;
    for (const char *c = tmp; *c;) {
        while (*c == '/') c++;
        size_t seg = strcspn(c, "/");
        if (seg == 0) break;
        if (!(seg == 1 && c[0] == '.')) {
            if (n + 1 + seg + 1 > cap) return -1;
            out[n++] = '/';
            memcpy(out + n, c, seg);
            n += seg;
        }
        c += seg;
    }
    if (n == 0) out[n++] = '/';
    out[n] = 0;
    return 0;
}

/* ------------------------------------------------------------ grids and names */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1])) s[--len] = 0;
    return s;
}

void cr_sweep_grid_clear(cr_sweep_grid *g)
{
    if (!g) return;
    free(g->key);
    for (size_t i = 0; i < g->nvalues; i++) free(g->values[i]);
    free(g->values);
    memset(g, 0, sizeof *g);
}

/* The name part of one value (see cr_sweep_point_name). */
static void encode_value(const char *v, FILE *f)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (isalnum(*c) || strchr("._+,-", *c)) fputc(*c, f);
        else if (*c == '[' || *c == ']' || *c == ' ' || *c == '\t') continue;
        else fprintf(f, "%%%02X", *c);
    }
}

int cr_sweep_point_name(const char *const *keys, const char *const *values, size_t n, char *buf, size_t cap)
{
    char *full = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&full, &len);
    if (!f) return CR_ERUNTIME;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s=", i ? "__" : "", keys[i]);
        encode_value(values[i], f);
    }
    if (fclose(f) != 0) {
        free(full);
        return CR_ERUNTIME;
    }
    int k;
    if (len > NAME_CUT) {
        char h[17];
        hash_hex(full, h);
        k = snprintf(buf, cap, "%.*s~%s", NAME_CUT - 17, full, h);
    } else {
        k = snprintf(buf, cap, "%s", full);
    }
    free(full);
    return (k < 0 || (size_t)k >= cap) ? CR_EINPUT : CR_OK;
}

int cr_sweep_grid_parse(const char *spec, cr_sweep_grid *g, cr_err *err)
{
    memset(g, 0, sizeof *g);
    const char *eq = strchr(spec, '=');
    if (!eq) return cr_err_set(err, CR_EINPUT, "--grid %s: expected key.path=v1,v2,...", spec);
    char *copy = strdup(spec);
    if (!copy) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    copy[eq - spec] = 0;
    char *key = trim(copy), *list = copy + (eq - spec) + 1;
    int st = CR_OK;
    if (!*key) st = cr_err_set(err, CR_EINPUT, "--grid %s: empty key (expected key.path=v1,v2,...)", spec);
    for (const unsigned char *c = (const unsigned char *)spec; !st && *c; c++)
        if (*c < 0x20 || *c == 0x7f) st = cr_err_set(err, CR_EINPUT, "--grid %s: control character in the option", key);
    if (!st && !(g->key = strdup(key))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    /* Split at commas outside brackets. */
    strvec vals = {0};
    int depth = 0;
    char *start = list;
    for (char *c = list; !st; c++) {
        if (*c == '[') depth++;
        else if (*c == ']' && --depth < 0)
            st = cr_err_set(err, CR_EINPUT, "--grid %s: unbalanced ']' in \"%s\"", key, eq + 1);
        if (st) break;
        if (*c && !(*c == ',' && depth == 0)) continue;
        if (!*c && depth) {
            st = cr_err_set(err, CR_EINPUT, "--grid %s: unbalanced '[' in \"%s\"", key, eq + 1);
            break;
        }
        int end = !*c;
        *c = 0;
        char *v = trim(start);
        if (!*v) st = cr_err_set(err, CR_EINPUT, "--grid %s: empty value in \"%s\" (values are separated by commas)",
                                 key, spec + (eq - spec) + 1);
        else if (strvec_find(&vals, v) >= 0) st = cr_err_set(err, CR_EINPUT, "--grid %s: value %s given twice", key, v);
        else if (strvec_push(&vals, v)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        if (end) break;
        start = c + 1;
    }
    free(copy);
    if (st) {
        strvec_free(&vals);
        cr_sweep_grid_clear(g);
        return st;
    }
    g->values = vals.v;
    g->nvalues = vals.n;
    return CR_OK;
}

/* ------------------------------------------------------------------ the plan */

typedef struct {
    char *name;     /* folder under the sweep folder */
    char *error;    /* the schema's message when the point's overrides are rejected; NULL if it resolves */
    char *dump;     /* resolved config text (cr_config_dump); NULL when the plan was read back from sweep.yaml */
    char hash[17];  /* FNV-1a of the resolved config text, hex; empty when error */
    long threads;   /* the point's BLAS threads (for the Slurm cpus-per-task) */
} sw_point;

typedef struct {
    char config[CR_PATH_MAX]; /* absolute, canonical: also the text in each run's config.yaml header */
    char cwd[CR_PATH_MAX];    /* where the points run (relative --set paths resolve against it) */
    char dir[CR_PATH_MAX];    /* the sweep folder, absolute */
    char prog[CR_PATH_MAX];   /* this binary, absolute */
    strvec sets;              /* --set overrides shared by every point */
    cr_sweep_grid *grids;
    size_t ngrid;
    sw_point *pts;
    size_t npts;
} sw_plan;

static void plan_free(sw_plan *p)
{
    if (!p) return;
    strvec_free(&p->sets);
    for (size_t g = 0; g < p->ngrid; g++) cr_sweep_grid_clear(&p->grids[g]);
    free(p->grids);
    for (size_t i = 0; i < p->npts; i++) {
        free(p->pts[i].name);
        free(p->pts[i].error);
        free(p->pts[i].dump);
    }
    free(p->pts);
    free(p);
}

/* Value index of grid g at point i: row-major, the last grid varies fastest. */
static size_t value_index(const sw_plan *p, size_t i, size_t g)
{
    for (size_t h = p->ngrid; h-- > g + 1;) i /= p->grids[h].nvalues;
    return i % p->grids[g].nvalues;
}

/* The overrides of point i: the shared --set options, then "key=value" per grid. ov->v[k] are malloc'ed. */
static int point_overrides(const sw_plan *p, size_t i, strvec *ov)
{
    for (size_t k = 0; k < p->sets.n; k++)
        if (strvec_push(ov, p->sets.v[k])) return -1;
    for (size_t g = 0; g < p->ngrid; g++) {
        const cr_sweep_grid *gr = &p->grids[g];
        const char *v = gr->values[value_index(p, i, g)];
        size_t len = strlen(gr->key) + strlen(v) + 2;
        char *a = malloc(len);
        if (!a) return -1;
        snprintf(a, len, "%s=%s", gr->key, v);
        int bad = strvec_push(ov, a);
        free(a);
        if (bad) return -1;
    }
    return 0;
}

static int point_name(const sw_plan *p, size_t i, char *buf, size_t cap)
{
    const char *keys[SWEEP_MAX_SETS], *vals[SWEEP_MAX_SETS];
    for (size_t g = 0; g < p->ngrid; g++) {
        keys[g] = p->grids[g].key;
        vals[g] = p->grids[g].values[value_index(p, i, g)];
    }
    return cr_sweep_point_name(keys, vals, p->ngrid, buf, cap);
}

static int known_key(const char *key)
{
    for (size_t i = 0; i < cr_config_nkeys(); i++)
        if (strcmp(cr_config_key(i), key) == 0) return 1;
    return 0;
}

/* Checks the grids (known keys, not repeated, not also --set, values naming distinct folders, not too many
 * points) and resolves every point with cr_config_load. A rejected point keeps its message. */
static int plan_resolve(sw_plan *p, cr_err *err)
{
    size_t total = 1;
    for (size_t g = 0; g < p->ngrid; g++) {
        const cr_sweep_grid *gr = &p->grids[g];
        if (!known_key(gr->key)) {
            const char *near = cr_config_suggest(gr->key);
            if (near) return cr_err_set(err, CR_EINPUT, "--grid %s: unknown key (did you mean %s?)", gr->key, near);
            return cr_err_set(err, CR_EINPUT, "--grid %s: unknown key (see cvxrelu keys)", gr->key);
        }
        for (size_t h = 0; h < g; h++)
            if (strcmp(p->grids[h].key, gr->key) == 0)
                return cr_err_set(err, CR_EINPUT, "--grid %s: key given by two --grid options", gr->key);
        size_t klen = strlen(gr->key);
        for (size_t k = 0; k < p->sets.n; k++)
            if (strncmp(p->sets.v[k], gr->key, klen) == 0 && p->sets.v[k][klen] == '=')
                return cr_err_set(err, CR_EINPUT, "--grid %s: key also given by --set %s", gr->key, p->sets.v[k]);
        for (size_t a = 0; a < gr->nvalues; a++)
            for (size_t b = 0; b < a; b++) {
                char na[512], nb[512];
                const char *ka[1] = {gr->key};
                if (cr_sweep_point_name(ka, (const char *const *)&gr->values[a], 1, na, sizeof na) ||
                    cr_sweep_point_name(ka, (const char *const *)&gr->values[b], 1, nb, sizeof nb))
                    return cr_err_set(err, CR_ERUNTIME, "out of memory");
                if (strcmp(na, nb) == 0)
                    return cr_err_set(err, CR_EINPUT, "--grid %s: values %s and %s name the same point folder %s",
                                      gr->key, gr->values[b], gr->values[a], na);
            }
        if (total > CR_SWEEP_MAX_POINTS / gr->nvalues)
            return cr_err_set(err, CR_EINPUT, "--grid: more than %d points", CR_SWEEP_MAX_POINTS);
        total *= gr->nvalues;
    }
    if (p->sets.n + p->ngrid > SWEEP_MAX_SETS)
        return cr_err_set(err, CR_EINPUT, "more than %d --set and --grid options together", SWEEP_MAX_SETS);
    p->pts = calloc(total, sizeof *p->pts);
    cr_config *cfg = malloc(sizeof *cfg);
    if (!p->pts || !cfg) {
        free(cfg);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    p->npts = total;
    int st = CR_OK;
    for (size_t i = 0; i < total && !st; i++) {
        sw_point *pt = &p->pts[i];
        char name[256];
        strvec ov = {0};
        if (point_name(p, i, name, sizeof name) || !(pt->name = strdup(name)) || point_overrides(p, i, &ov)) {
            st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        } else {
            cr_err perr = {{0}};
            int lst = cr_config_load(p->config, (const char *const *)ov.v, ov.n, cfg, &perr);
            if (lst == CR_EINPUT) {
                /* The schema names an override "--set k=v"; say --grid when it is this point's grid value. */
                for (size_t g = p->sets.n; g < ov.n; g++) {
                    size_t len = strlen(ov.v[g]);
                    if (strncmp(perr.msg, "--set ", 6) == 0 && strncmp(perr.msg + 6, ov.v[g], len) == 0 &&
                        perr.msg[6 + len] == ':') {
                        char tmp[sizeof perr.msg + 8];
                        snprintf(tmp, sizeof tmp, "--grid %s", perr.msg + 6);
                        snprintf(perr.msg, sizeof perr.msg, "%.*s", (int)sizeof perr.msg - 1, tmp);
                        break;
                    }
                }
                if (!(pt->error = strdup(perr.msg))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
            } else if (lst) {
                st = cr_err_set(err, lst, "%s", perr.msg);
            } else if (!(pt->dump = cr_config_dump(cfg))) {
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
            } else {
                hash_hex(pt->dump, pt->hash);
                pt->threads = cfg->threads;
            }
        }
        strvec_free(&ov);
    }
    free(cfg);
    return st;
}

/* ------------------------------------------------------------- sweep.yaml */

static int plan_write(const sw_plan *p, cr_err *err)
{
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/sweep.yaml", p->dir);
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    FILE *f = cr_atomic_stream(a);
    fprintf(f, "# cvxrelu sweep plan: written by `cvxrelu sweep`, read by `cvxrelu aggregate`.\n"
               "# Points in grid order (the last grid key varies fastest); point NAME runs in <this folder>/NAME\n"
               "# with the overrides sets + one key=value per grid; config_hash is FNV-1a-64 of its resolved config,\n"
               "# error the schema's message when the point's overrides were rejected (it never runs).\n");
    fprintf(f, "version: 1\nconfig: ");
    yaml_str(f, p->config);
    fprintf(f, "\ncwd: ");
    yaml_str(f, p->cwd);
    fprintf(f, "\nprogram: ");
    yaml_str(f, p->prog);
    fprintf(f, "\nsets:%s\n", p->sets.n ? "" : " []");
    for (size_t k = 0; k < p->sets.n; k++) {
        fprintf(f, "  - ");
        yaml_str(f, p->sets.v[k]);
        fputc('\n', f);
    }
    fprintf(f, "grid:\n");
    for (size_t g = 0; g < p->ngrid; g++) {
        fprintf(f, "  - key: ");
        yaml_str(f, p->grids[g].key);
        fprintf(f, "\n    values: [");
        for (size_t v = 0; v < p->grids[g].nvalues; v++) {
            if (v) fputs(", ", f);
            yaml_str(f, p->grids[g].values[v]);
        }
        fprintf(f, "]\n");
    }
    fprintf(f, "points:\n");
    for (size_t i = 0; i < p->npts; i++) {
        fprintf(f, "  - name: ");
        yaml_str(f, p->pts[i].name);
        if (p->pts[i].error) {
            fprintf(f, "\n    error: ");
            yaml_str(f, p->pts[i].error);
        } else {
            fprintf(f, "\n    config_hash: \"%s\"", p->pts[i].hash);
        }
        fputc('\n', f);
    }
    return cr_atomic_commit(a, err);
}

typedef struct {
    yaml_document_t *doc;
    const char *path;
} yreader;

static yaml_node_t *ymap_get(const yreader *r, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, pr->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(r->doc, pr->value);
    }
    return NULL;
}

static const char *yscalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static size_t yseq_len(yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *yseq_at(const yreader *r, yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(r->doc, n->data.sequence.items.start[i]);
}

static int bad_plan(cr_err *err, const char *path, const char *what)
{
    return cr_err_set(err, CR_EINPUT, "%s: not a sweep plan written by cvxrelu sweep: %s", path, what);
}

static int copy_field(char *dst, size_t cap, const char *src)
{
    size_t len = src ? strlen(src) : cap;
    if (len >= cap) return -1;
    memcpy(dst, src, len + 1);
    return 0;
}

/* Reads dir/sweep.yaml back into a plan (without the resolved config texts). */
static int plan_read(const char *dir, sw_plan **out, cr_err *err)
{
    *out = NULL;
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/sweep.yaml", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return cr_err_set(err, CR_EINPUT, "%s: cannot open the sweep plan: %s (is %s a sweep folder?)", path,
                              strerror(errno), dir);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return cr_err_set(err, CR_ERUNTIME, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        int st = cr_err_set(err, CR_EINPUT, "%s:%lu:%lu: YAML syntax error: %s", path,
                            (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "unreadable");
        yaml_parser_delete(&parser);
        fclose(f);
        return st;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    yreader r = {&doc, path};
    sw_plan *p = calloc(1, sizeof *p);
    int st = CR_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc), *n;
    if (!p) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    else if (!root || root->type != YAML_MAPPING_NODE) st = bad_plan(err, path, "expected a mapping");
    else if (!yscalar(ymap_get(&r, root, "version")) || strcmp(yscalar(ymap_get(&r, root, "version")), "1") != 0)
        st = bad_plan(err, path, "version: expected 1");
    else if (copy_field(p->config, sizeof p->config, yscalar(ymap_get(&r, root, "config"))) ||
             copy_field(p->cwd, sizeof p->cwd, yscalar(ymap_get(&r, root, "cwd"))) ||
             copy_field(p->prog, sizeof p->prog, yscalar(ymap_get(&r, root, "program"))))
        st = bad_plan(err, path, "config, cwd and program: expected strings");
    char real[PATH_MAX];
    if (!st && copy_field(p->dir, sizeof p->dir, realpath(dir, real) ? real : dir))
        st = cr_err_set(err, CR_EINPUT, "%s: path too long", dir);
    if (!st) {
        n = ymap_get(&r, root, "sets");
        if (!n || n->type != YAML_SEQUENCE_NODE) st = bad_plan(err, path, "sets: expected a list");
        for (size_t k = 0; !st && k < yseq_len(n); k++) {
            const char *s = yscalar(yseq_at(&r, n, k));
            if (!s) st = bad_plan(err, path, "sets: expected strings");
            else if (strvec_push(&p->sets, s)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    }
    if (!st) {
        n = ymap_get(&r, root, "grid");
        if (!n || n->type != YAML_SEQUENCE_NODE || !yseq_len(n) || yseq_len(n) > SWEEP_MAX_SETS)
            st = bad_plan(err, path, "grid: expected a list of keys and values");
        else if (!(p->grids = calloc(yseq_len(n), sizeof *p->grids)))
            st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        for (size_t g = 0; !st && g < yseq_len(n); g++) {
            yaml_node_t *e = yseq_at(&r, n, g), *vals = ymap_get(&r, e, "values");
            const char *key = yscalar(ymap_get(&r, e, "key"));
            p->ngrid++;
            if (!key || !vals || vals->type != YAML_SEQUENCE_NODE || !yseq_len(vals)) {
                st = bad_plan(err, path, "grid: each entry needs key and values");
                break;
            }
            strvec v = {0};
            for (size_t k = 0; !st && k < yseq_len(vals); k++) {
                const char *s = yscalar(yseq_at(&r, vals, k));
                if (!s) st = bad_plan(err, path, "grid values: expected strings");
                else if (strvec_push(&v, s)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
            }
            p->grids[g].values = v.v;
            p->grids[g].nvalues = v.n;
            if (!st && !(p->grids[g].key = strdup(key))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    }
    if (!st) {
        size_t total = 1;
        for (size_t g = 0; g < p->ngrid && total <= CR_SWEEP_MAX_POINTS; g++) total *= p->grids[g].nvalues;
        n = ymap_get(&r, root, "points");
        if (!n || n->type != YAML_SEQUENCE_NODE || yseq_len(n) != total)
            st = bad_plan(err, path, "points: expected one entry per grid point");
        else if (!(p->pts = calloc(total, sizeof *p->pts)))
            st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        for (size_t i = 0; !st && i < total; i++) {
            yaml_node_t *e = yseq_at(&r, n, i);
            const char *name = yscalar(ymap_get(&r, e, "name")), *hash = yscalar(ymap_get(&r, e, "config_hash"));
            const char *error = yscalar(ymap_get(&r, e, "error"));
            p->npts++;
            if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                st = bad_plan(err, path, "points: a name is missing or not a folder name");
            else if (!!hash == !!error || (hash && strlen(hash) != 16))
                st = bad_plan(err, path, "points: each needs config_hash (16 hex digits) or error");
            else if (!(p->pts[i].name = strdup(name)) || (error && !(p->pts[i].error = strdup(error))))
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
            else if (hash)
                memcpy(p->pts[i].hash, hash, 17);
        }
    }
    yaml_document_delete(&doc);
    if (st) {
        plan_free(p);
        return st;
    }
    *out = p;
    return CR_OK;
}

/* ------------------------------------------------------------ point states */

/* ok: completed, every claim passed; claims_failed: completed, some claim failed (a finding: the point is done and
 * is not rerun); failed: a runtime failure; error: rejected by the schema, not run, unfinished or stale. */
typedef enum { PT_OK, PT_CLAIMS_FAILED, PT_FAILED, PT_ERROR } pt_state;
static const char *const state_name[] = {"ok", "claims_failed", "failed", "error"};

static int point_path(const sw_plan *p, size_t i, const char *file, char *buf, size_t cap)
{
    int k = file ? snprintf(buf, cap, "%s/%s/%s", p->dir, p->pts[i].name, file)
                 : snprintf(buf, cap, "%s/%s", p->dir, p->pts[i].name);
    return (k < 0 || (size_t)k >= cap) ? -1 : 0;
}

/* Whether the point's folder is a symbolic link (never followed: neither read nor written through). */
static int point_is_link(const sw_plan *p, size_t i)
{
    char path[CR_PATH_MAX + 300];
    struct stat st;
    return !point_path(p, i, NULL, path, sizeof path) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The last non-empty line of the point's stderr.log without the "cvxrelu: " prefix, or fallback. */
static void last_log_line(const sw_plan *p, size_t i, const char *fallback, char *msg, size_t cap)
{
    char path[CR_PATH_MAX + 300];
    char *text = point_path(p, i, LOG_NAME, path, sizeof path) ? NULL : slurp(path);
    snprintf(msg, cap, "%s", fallback);
    if (!text) return;
    char *end = text + strlen(text);
    while (end > text && isspace((unsigned char)end[-1])) *--end = 0;
    char *line = strrchr(text, '\n');
    line = line ? line + 1 : text;
    if (strncmp(line, "cvxrelu: ", 9) == 0) line += 9;
    if (*line) snprintf(msg, cap, "%s", line);
    free(text);
}

/* The state of point i from its folder: ok / claims_failed / failed (the run's own status) / error (rejected by the
 * schema, not run or unfinished, or results of another config). The summary keys and values are appended to keys/vals.
 * The config check compares the resolved text when the plan has it, else its hash. */
static pt_state point_read(const sw_plan *p, size_t i, strvec *keys, strvec *vals, char *msg, size_t cap)
{
    const sw_point *pt = &p->pts[i];
    msg[0] = 0;
    if (pt->error) {
        snprintf(msg, cap, "%s", pt->error);
        return PT_ERROR;
    }
    char path[CR_PATH_MAX + 300];
    if (point_is_link(p, i)) {
        snprintf(msg, cap, "the point folder is a symbolic link (never followed): not run");
        return PT_ERROR;
    }
    if (point_path(p, i, "summary.csv", path, sizeof path)) {
        snprintf(msg, cap, "path too long");
        return PT_ERROR;
    }
    int rs = read_summary(path, keys, vals);
    if (rs == -1) {
        last_log_line(p, i, "not run or unfinished: no summary.csv", msg, cap);
        return PT_ERROR;
    }
    if (rs == -2) {
        snprintf(msg, cap, "summary.csv: malformed (expected key,value rows)");
        return PT_ERROR;
    }
    point_path(p, i, "config.yaml", path, sizeof path);
    char *cfg = slurp(path);
    int same = 0;
    if (cfg) {
        char h[17];
        hash_hex(cfg, h);
        same = pt->dump ? strcmp(cfg, pt->dump) == 0 : strcmp(h, pt->hash) == 0;
    }
    free(cfg);
    if (!same) {
        last_log_line(p, i,
                      cfg ? "stale: config.yaml differs from this point's resolved config (rerun the sweep)"
                          : "unfinished: no config.yaml",
                      msg, cap);
        return PT_ERROR;
    }
    ptrdiff_t s = strvec_find(keys, "status");
    if (s >= 0 && strcmp(vals->v[s], "ok") == 0) return PT_OK;
    int claims = s >= 0 && strcmp(vals->v[s], "claims_failed") == 0;
    if (claims || (s >= 0 && strcmp(vals->v[s], "failed") == 0)) {
        ptrdiff_t e = strvec_find(keys, "error");
        snprintf(msg, cap, "%s", e >= 0 ? vals->v[e] : "no error message in summary.csv");
        return claims ? PT_CLAIMS_FAILED : PT_FAILED;
    }
    snprintf(msg, cap, "summary.csv: status %s, expected ok, claims_failed or failed", s >= 0 ? vals->v[s] : "missing");
    return PT_ERROR;
}

/* ------------------------------------------------------------ aggregation */

/* Whether a summary key becomes a sweep.csv column: not status/error (own columns), not wall times. */
static int summary_column(const char *key)
{
    size_t len = strlen(key);
    if (strcmp(key, "status") == 0 || strcmp(key, "error") == 0) return 0;
    return !(len >= 8 && strcmp(key + len - 8, "_seconds") == 0);
}

/* Writes p->dir/sweep.csv; counts the points that failed or are in error (*nbad) and those whose claims failed
 * (*nclaims). */
static int plan_aggregate(const sw_plan *p, size_t *nbad, size_t *nclaims, cr_err *err)
{
    size_t n = p->npts;
    strvec *keys = calloc(n, sizeof *keys), *vals = calloc(n, sizeof *vals), cols = {0};
    pt_state *state = calloc(n, sizeof *state);
    char **msgs = calloc(n, sizeof *msgs);
    int st = (keys && vals && state && msgs) ? CR_OK : cr_err_set(err, CR_ERUNTIME, "out of memory");
    *nbad = *nclaims = 0;
    for (size_t i = 0; i < n && !st; i++) {
        char msg[2048];
        state[i] = point_read(p, i, &keys[i], &vals[i], msg, sizeof msg);
        if (state[i] == PT_CLAIMS_FAILED) ++*nclaims;
        else if (state[i] != PT_OK) ++*nbad;
        if (!(msgs[i] = strdup(msg))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        for (size_t k = 0; k < keys[i].n && !st; k++)
            if (summary_column(keys[i].v[k]) && strvec_find(&cols, keys[i].v[k]) < 0 &&
                strvec_push(&cols, keys[i].v[k]))
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    cr_atomic *a = NULL;
    if (!st) {
        char path[CR_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/sweep.csv", p->dir);
        if (!(a = cr_atomic_open(path, err))) st = CR_ERUNTIME;
    }
    if (!st) {
        FILE *f = cr_atomic_stream(a);
        for (size_t g = 0; g < p->ngrid; g++) csv_field_out(f, p->grids[g].key, g == 0);
        csv_field_out(f, "status", 0);
        csv_field_out(f, "error", 0);
        for (size_t c = 0; c < cols.n; c++) {
            int clash = 0; /* a summary key spelled like a grid key gets a prefix */
            for (size_t g = 0; g < p->ngrid; g++) clash |= strcmp(cols.v[c], p->grids[g].key) == 0;
            char name[512];
            snprintf(name, sizeof name, "%s%s", clash ? "summary." : "", cols.v[c]);
            csv_field_out(f, name, 0);
        }
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
            for (size_t g = 0; g < p->ngrid; g++) csv_field_out(f, p->grids[g].values[value_index(p, i, g)], g == 0);
            csv_field_out(f, state_name[state[i]], 0);
            csv_field_out(f, msgs[i], 0);
            for (size_t c = 0; c < cols.n; c++) {
                ptrdiff_t k = strvec_find(&keys[i], cols.v[c]);
                csv_field_out(f, k >= 0 ? vals[i].v[k] : "", 0);
            }
            fputc('\n', f);
        }
        st = cr_atomic_commit(a, err);
    }
    for (size_t i = 0; i < n; i++) {
        if (keys) strvec_free(&keys[i]);
        if (vals) strvec_free(&vals[i]);
        if (msgs) free(msgs[i]);
    }
    free(keys);
    free(vals);
    free(msgs);
    free(state);
    strvec_free(&cols);
    return st;
}

int cr_sweep_aggregate(const char *dir, size_t *npoints, size_t *nbad, size_t *nclaims, cr_err *err)
{
    sw_plan *p = NULL;
    int st = plan_read(dir, &p, err);
    if (st) return st;
    st = plan_aggregate(p, nbad, nclaims, err);
    *npoints = p->npts;
    plan_free(p);
    return st;
}

/* -------------------------------------------------- running: argv, job lines */

/* The `run` command of point i: prog run CONFIG --set ... --out DIR/NAME --quiet (strings in av). */
static int point_argv(const sw_plan *p, size_t i, strvec *av)
{
    char out[CR_PATH_MAX + 300];
    strvec ov = {0};
    int bad = point_path(p, i, NULL, out, sizeof out) || point_overrides(p, i, &ov) || strvec_push(av, p->prog) ||
              strvec_push(av, "run") || strvec_push(av, p->config);
    for (size_t k = 0; k < ov.n && !bad; k++) bad = strvec_push(av, "--set") || strvec_push(av, ov.v[k]);
    bad = bad || strvec_push(av, "--out") || strvec_push(av, out) || strvec_push(av, "--quiet");
    strvec_free(&ov);
    return bad ? -1 : 0;
}

/* One shell line: cd CWD && 'prog' run ... 2>'DIR/NAME/stderr.log' */
static int job_line(const sw_plan *p, size_t i, FILE *f)
{
    strvec av = {0};
    char log[CR_PATH_MAX + 300];
    if (point_argv(p, i, &av) || point_path(p, i, LOG_NAME, log, sizeof log)) {
        strvec_free(&av);
        return -1;
    }
    fputs("cd ", f);
    shell_word(f, p->cwd);
    fputs(" &&", f);
    for (size_t k = 0; k < av.n; k++) {
        fputc(' ', f);
        shell_word(f, av.v[k]);
    }
    fputs(" 2>", f);
    shell_word(f, log);
    fputc('\n', f);
    strvec_free(&av);
    return 0;
}

/* The folder of each point to run (the stderr.log redirection needs it before the run starts). A point folder
 * is made by mkdir and must be a folder itself: a symbolic link there is never followed. */
static int make_point_dirs(const sw_plan *p, const size_t *todo, size_t ntodo, cr_err *err)
{
    for (size_t t = 0; t < ntodo; t++) {
        char dir[CR_PATH_MAX + 300];
        if (point_path(p, todo[t], NULL, dir, sizeof dir))
            return cr_err_set(err, CR_ERUNTIME, "%s/%s: path too long", p->dir, p->pts[todo[t]].name);
        struct stat st;
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the point folder: %s", dir, strerror(errno));
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return cr_err_set(err, CR_ERUNTIME, "%s: the point folder is not a folder (a symbolic link is never "
                                                "followed)", dir);
    }
    return CR_OK;
}

/* The point's stderr.log opened for writing, relative to the point folder opened without following links:
 * fresh (a previous one is removed, the new one created with O_EXCL) or for appending. -1 with errno. */
static int open_log(const sw_plan *p, size_t i, int fresh)
{
    char dir[CR_PATH_MAX + 300];
    if (point_path(p, i, NULL, dir, sizeof dir)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return -1;
    int fd = -1;
    if (!fresh) fd = openat(dfd, LOG_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fresh || (fd < 0 && errno == ENOENT)) {
        if (fresh && unlinkat(dfd, LOG_NAME, 0) != 0 && errno != ENOENT) {
            int e = errno;
            close(dfd);
            errno = e;
            return -1;
        }
        fd = openat(dfd, LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    }
    int e = errno;
    close(dfd);
    errno = e;
    return fd;
}

/* Appends a line to the point's stderr.log (for what happened to the run beyond its own messages). */
static void log_note(const sw_plan *p, size_t i, const char *note)
{
    int fd = open_log(p, i, 0);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return;
    }
    fprintf(f, "%s\n", note);
    fclose(f);
}

/* Starts point i with its standard error in a fresh stderr.log and the signal mask `mask`. */
static int spawn_point(const sw_plan *p, size_t i, pid_t *pid, const sigset_t *mask)
{
    strvec av = {0};
    if (point_argv(p, i, &av) || strvec_push(&av, "")) {
        strvec_free(&av);
        return ENOMEM;
    }
    free(av.v[av.n - 1]);
    av.v[av.n - 1] = NULL; /* argv terminator */
    int fd = open_log(p, i, 1);
    if (fd < 0) {
        int e = errno;
        strvec_free(&av);
        return e;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int e = posix_spawn_file_actions_init(&fa);
    if (!e) {
        e = posix_spawnattr_init(&at);
        if (!e) {
            e = posix_spawn_file_actions_adddup2(&fa, fd, 2);
            if (!e) e = posix_spawnattr_setsigmask(&at, mask);
            if (!e) e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
            if (!e) e = posix_spawn(pid, p->prog, &fa, &at, av.v, environ);
            posix_spawnattr_destroy(&at);
        }
        posix_spawn_file_actions_destroy(&fa);
    }
    close(fd);
    strvec_free(&av);
    return e;
}

/* The termination signals a sweep passes on to its running points: those it does not ignore. */
static void term_signals(sigset_t *set)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    sigemptyset(set);
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        struct sigaction sa;
        if (sigaction(sigs[k], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN) sigaddset(set, sigs[k]);
    }
}

/* Runs the points todo[] with at most jobs at once; one progress line per finished point unless quiet. */
static int run_local(const sw_plan *p, const size_t *todo, size_t ntodo, long jobs, int quiet, FILE *log,
                     cr_err *err)
{
    pid_t *pids = calloc((size_t)jobs, sizeof *pids);
    size_t *slot_pt = calloc((size_t)jobs, sizeof *slot_pt);
    if (!pids || !slot_pt) {
        free(pids);
        free(slot_pt);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    /* SIGCHLD and the termination signals are blocked and taken with sigwaitinfo: a termination signal is
     * passed on to the running points, which are waited for before the sweep dies by the same signal, so no
     * point outlives it to race a resumed sweep. */
    sigset_t term, wait_set, old;
    term_signals(&term);
    wait_set = term;
    sigaddset(&wait_set, SIGCHLD);
    struct sigaction dfl, chld_old;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGCHLD, &dfl, &chld_old); /* an inherited SIG_IGN would reap the points behind our back */
    sigprocmask(SIG_BLOCK, &wait_set, &old);
    int stop = 0;
    size_t next = 0, done = 0, running = 0;
    while (done < ntodo) {
        while (!stop && running < (size_t)jobs && next < ntodo) {
            size_t i = todo[next++];
            pid_t pid;
            int e = spawn_point(p, i, &pid, &old);
            if (e) {
                char note[CR_PATH_MAX + 256];
                snprintf(note, sizeof note, "cvxrelu sweep: cannot start %s: %s", p->prog, strerror(e));
                log_note(p, i, note);
                done++;
                fprintf(log, "sweep: [%zu/%zu] %s: error (%s)\n", done, ntodo, p->pts[i].name, note);
                continue;
            }
            size_t s = 0;
            while (pids[s]) s++;
            pids[s] = pid;
            slot_pt[s] = i;
            running++;
        }
        if (!running) {
            if (stop) break;
            continue;
        }
        int wst;
        pid_t pid = waitpid(-1, &wst, WNOHANG);
        if (pid == 0) {
            siginfo_t si;
            int sig = sigwaitinfo(&wait_set, &si);
            if (sig > 0 && sig != SIGCHLD && !stop) {
                stop = sig;
                fprintf(log, "sweep: %s: stopping %zu running point%s\n", strsignal(sig), running,
                        running == 1 ? "" : "s");
                fflush(log);
                for (long s = 0; s < jobs; s++)
                    if (pids[s]) kill(pids[s], sig);
            }
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(pids);
            free(slot_pt);
            sigprocmask(SIG_SETMASK, &old, NULL);
            sigaction(SIGCHLD, &chld_old, NULL);
            return cr_err_set(err, CR_ERUNTIME, "waitpid: %s", strerror(e));
        }
        size_t s = 0;
        while (s < (size_t)jobs && pids[s] != pid) s++;
        if (s == (size_t)jobs) continue; /* not one of ours */
        size_t i = slot_pt[s];
        pids[s] = 0;
        running--;
        done++;
        if (WIFSIGNALED(wst)) {
            char note[128];
            snprintf(note, sizeof note, "cvxrelu sweep: the run was killed by signal %d", WTERMSIG(wst));
            log_note(p, i, note);
        }
        strvec k = {0}, v = {0};
        char msg[2048];
        pt_state ps = point_read(p, i, &k, &v, msg, sizeof msg);
        strvec_free(&k);
        strvec_free(&v);
        if (ps != PT_OK)
            fprintf(log, "sweep: [%zu/%zu] %s: %s: %s\n", done, ntodo, p->pts[i].name, state_name[ps], msg);
        else if (!quiet) fprintf(log, "sweep: [%zu/%zu] %s: ok\n", done, ntodo, p->pts[i].name);
        fflush(log);
    }
    free(pids);
    free(slot_pt);
    sigaction(SIGCHLD, &chld_old, NULL);
    if (stop) {
        /* Every point has stopped: the sweep ends by the signal it received, as it would have without us. */
        fflush(NULL);
        signal(stop, SIG_DFL);
        raise(stop);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (stop) return cr_err_set(err, CR_ERUNTIME, "stopped by %s", strsignal(stop));
    return CR_OK;
}

/* ------------------------------------------------------------ emitted files */

static int write_jobs(const sw_plan *p, const size_t *todo, size_t ntodo, const char *path, cr_err *err)
{
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    for (size_t t = 0; t < ntodo; t++)
        if (job_line(p, todo[t], cr_atomic_stream(a))) {
            cr_atomic_abort(a);
            return cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    return cr_atomic_commit(a, err);
}

/* The Slurm array script (task k runs line k+1 of the jobs file) and the aggregation script beside it. */
static int write_slurm(const sw_plan *p, size_t ntodo, long cpus, const char *script, const char *jobs,
                       const char *agg, cr_err *err)
{
    char logs[CR_PATH_MAX + 16];
    snprintf(logs, sizeof logs, "%s/logs", p->dir);
    int e = cr_fs_mkdirs(logs);
    if (e) return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the folder: %s", logs, strerror(e));
    cr_atomic *a = cr_atomic_open(script, err);
    if (!a) return CR_ERUNTIME;
    FILE *f = cr_atomic_stream(a);
    /* Paths appear quoted as shell words in the comments and as sbatch words in #SBATCH lines (emit_check has
     * refused control characters, so no line can be broken). */
    char table[CR_PATH_MAX + 16], logfile[CR_PATH_MAX + 48];
    snprintf(table, sizeof table, "%s/sweep.csv", p->dir);
    fprintf(f, "#!/bin/bash\n# cvxrelu sweep of ");
    shell_word(f, p->config);
    fprintf(f, ": %zu points as a Slurm job array (written by cvxrelu sweep --emit-slurm).\n"
               "# Array task K runs line K+1 of the jobs file below (one `cvxrelu run` per point, absolute paths:\n"
               "# the folders must be shared with the compute nodes). Submit the array, then the aggregation once\n"
               "# every task has ended, ok or not:\n"
               "#   jid=$(sbatch --parsable ",
            ntodo);
    shell_word(f, script);
    fprintf(f, ") && sbatch --dependency=afterany:$jid ");
    shell_word(f, agg);
    fprintf(f, "\n# or run `cvxrelu aggregate ");
    shell_word(f, p->dir);
    fprintf(f, "` when squeue shows no task left. The table: ");
    shell_word(f, table);
    fprintf(f, "\n#SBATCH --job-name=cvxrelu-sweep\n#SBATCH --array=0-%zu\n#SBATCH --ntasks=1\n"
               "#SBATCH --cpus-per-task=%ld\n#SBATCH --output=",
            ntodo - 1, cpus);
    snprintf(logfile, sizeof logfile, "%s/slurm-", logs);
    sbatch_word_pattern(f, logfile, "%A_%a.out");
    fputc('\n', f);
    fprintf(f, "set -eu\njobs=");
    shell_word(f, jobs);
    fprintf(f, "\nline=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$jobs\")\n"
               "if [ -z \"$line\" ]; then echo \"cvxrelu sweep: $jobs has no line $((SLURM_ARRAY_TASK_ID + 1))\" >&2; "
               "exit 2; fi\nexec /bin/sh -c \"$line\"\n");
    int st = cr_atomic_commit(a, err);
    if (st) return st;
    if (!(a = cr_atomic_open(agg, err))) return CR_ERUNTIME;
    f = cr_atomic_stream(a);
    fprintf(f, "#!/bin/bash\n# Aggregation step of the sweep in ");
    shell_word(f, p->dir);
    fprintf(f, ": rebuilds sweep.csv from the run folders. Submit it with\n"
               "# --dependency=afterany:<array job id> (see ");
    shell_word(f, script);
    fprintf(f, ").\n#SBATCH --job-name=cvxrelu-aggregate\n#SBATCH --ntasks=1\n#SBATCH --output=");
    snprintf(logfile, sizeof logfile, "%s/aggregate-", logs);
    sbatch_word_pattern(f, logfile, "%j.out");
    fprintf(f, "\nexec ");
    shell_word(f, p->prog);
    fputs(" aggregate ", f);
    shell_word(f, p->dir);
    fputc('\n', f);
    return cr_atomic_commit(a, err);
}

/* path with its extension (of the last component) replaced: "a/x.sbatch" + ".jobs" -> "a/x.jobs". */
static void sibling(const char *path, const char *suffix, int keep_ext, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = base + strlen(base);
    snprintf(out, cap, "%.*s%s%s", (int)(dot - path), path, suffix, keep_ext ? dot : "");
}

/* ------------------------------------------------------------------ the CLI */

void cr_sweep_usage(FILE *f)
{
    fprintf(f,
            "usage: cvxrelu sweep CONFIG.yaml --grid key.path=v1,v2,... [--grid ...] [--set key.path=value]...\n"
            "                     [--out DIR] [--jobs N | --emit-jobs FILE | --emit-slurm FILE] [--quiet]\n"
            "       cvxrelu aggregate DIR [--quiet]\n"
            "\n"
            "sweep   runs CONFIG once per point of the cartesian product of the grids (the last --grid varies\n"
            "        fastest), each as `cvxrelu run CONFIG --set ... --out DIR/POINT --quiet 2>DIR/POINT/stderr.log`,\n"
            "        then writes DIR/sweep.csv. DIR defaults to results/<stem>-sweep.\n"
            "  --grid key=v1,v2,...  values are separated by top-level commas; a list-valued key takes bracketed\n"
            "        lists: --grid 'count.n=[4,8],[16,32]' has two values, --grid count.n=4,8 two one-item lists.\n"
            "  POINT the folder name: key=value per grid key joined by \"__\", e.g.\n"
            "        landscape.beta=0.5__landscape.grid=11; in values [A-Za-z0-9._+,-] stay, brackets and blanks\n"
            "        are dropped, other bytes become %%XX; names over 200 characters end in ~HASH.\n"
            "  --jobs N           run N points at a time here (default 1).\n"
            "  --emit-jobs FILE   run nothing; write one shell line per point still to run (cd, the run command,\n"
            "                     absolute paths) for GNU parallel: `parallel -j4 < FILE` (or --sshlogin over a\n"
            "                     shared folder), then `cvxrelu aggregate DIR`. Every value is single-quoted; a\n"
            "                     control character (e.g. a newline) in a path or --set value is refused (exit 2).\n"
            "  --emit-slurm FILE  run nothing; write the Slurm array script FILE (task K runs line K+1 of the jobs\n"
            "                     file: the --emit-jobs FILE, else FILE with extension .jobs) and FILE-aggregate\n"
            "                     (same extension) for the aggregation. Submit both:\n"
            "                     jid=$(sbatch --parsable FILE) && sbatch --dependency=afterany:$jid FILE-aggregate\n"
            "  A rerun runs (or emits) only the points not done: a point is done when its summary.csv says status\n"
            "  ok or claims_failed (it completed) and its config.yaml is the config the point resolves to now.\n"
            "  A point folder that is a symbolic link is never followed (reported as error). SIGINT, SIGTERM\n"
            "  and SIGHUP stop the running points first; the sweep then ends by the same signal.\n"
            "  Validation: a malformed option, an unknown --grid key or a config no point can load is a usage error\n"
            "  (exit 2, nothing written). A point whose override the schema rejects never runs and is recorded as\n"
            "  error in sweep.csv; the other points still run.\n"
            "aggregate  rebuilds DIR/sweep.csv from DIR/sweep.yaml (the plan written by sweep) and the point folders.\n"
            "\n"
            "sweep.csv  one row per point in grid order: the grid values (columns named by key), status (ok: the run\n"
            "  completed and every claim passed; claims_failed: it completed and some claim failed, its values are\n"
            "  valid; failed: the run failed, e.g. numerically; error: rejected by the schema, not run, unfinished\n"
            "  or stale), error (the message; the failed claims for claims_failed), then every summary.csv key in\n"
            "  first-seen order except status, error and keys ending in _seconds (wall times), so the table is\n"
            "  byte-identical however the points ran; missing cells, and values a run does not have, are empty.\n"
            "Exit status: 0 every point ok (or the job files written), 1 some point failed, in error or not run,\n"
            "  2 usage/config error (nothing written), 3 every point completed and some point's claims failed.\n");
}

typedef struct {
    const char *config;
    strvec sets;
    cr_sweep_grid *grids;
    size_t ngrid;
    const char *out, *emit_jobs, *emit_slurm;
    long jobs;
    int quiet, help;
} sweep_args;

static void sweep_args_free(sweep_args *a)
{
    strvec_free(&a->sets);
    for (size_t g = 0; g < a->ngrid; g++) cr_sweep_grid_clear(&a->grids[g]);
    free(a->grids);
}

/* "--name value" or "--name=value" at argv[*i]; NULL when argv[*i] is another option. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val, cr_err *err, int *st)
{
    size_t len = strlen(name);
    const char *s = argv[*i];
    if (strncmp(s, name, len) != 0 || (s[len] && s[len] != '=')) return 0;
    *val = s[len] == '=' ? s + len + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!*val || !**val) *st = cr_err_set(err, CR_EINPUT, "%s needs a value (see cvxrelu sweep --help)", name);
    return 1;
}

static int parse_sweep_args(int argc, char **argv, sweep_args *a, cr_err *err)
{
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    int st = CR_OK, have_jobs = 0;
    for (int i = 2; i < argc && !st; i++) {
        const char *s = argv[i], *v = NULL;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            a->help = 1;
        } else if (opt_value(argc, argv, &i, "--grid", &v, err, &st)) {
            if (st) break;
            cr_sweep_grid *g = realloc(a->grids, (a->ngrid + 1) * sizeof *g);
            if (!g) return cr_err_set(err, CR_ERUNTIME, "out of memory");
            a->grids = g;
            st = cr_sweep_grid_parse(v, &a->grids[a->ngrid], err);
            if (!st) a->ngrid++;
        } else if (opt_value(argc, argv, &i, "--set", &v, err, &st)) {
            if (!st && strvec_push(&a->sets, v)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        } else if (opt_value(argc, argv, &i, "--out", &v, err, &st)) {
            a->out = v;
        } else if (opt_value(argc, argv, &i, "--emit-jobs", &v, err, &st)) {
            a->emit_jobs = v;
        } else if (opt_value(argc, argv, &i, "--emit-slurm", &v, err, &st)) {
            a->emit_slurm = v;
        } else if (opt_value(argc, argv, &i, "--jobs", &v, err, &st)) {
            if (st) break;
            char *end;
            errno = 0;
            a->jobs = strtol(v, &end, 10);
            if (errno || *end || a->jobs < 1 || a->jobs > 1024)
                st = cr_err_set(err, CR_EINPUT, "--jobs: expected an integer in [1, 1024], got \"%s\"", v);
            have_jobs = 1;
        } else if (strcmp(s, "--quiet") == 0) {
            a->quiet = 1;
        } else if (s[0] == '-' && s[1]) {
            st = cr_err_set(err, CR_EINPUT, "unknown option %s (see cvxrelu sweep --help)", s);
        } else if (!a->config) {
            a->config = s;
        } else {
            st = cr_err_set(err, CR_EINPUT, "unexpected argument %s (one config per sweep)", s);
        }
    }
    if (st || a->help) return st;
    if (!a->config) return cr_err_set(err, CR_EINPUT, "missing CONFIG.yaml (see cvxrelu sweep --help)");
    if (!a->ngrid) return cr_err_set(err, CR_EINPUT, "no --grid key.path=v1,v2,... given (see cvxrelu sweep --help)");
    if (have_jobs && (a->emit_jobs || a->emit_slurm))
        return cr_err_set(err, CR_EINPUT, "--jobs runs the points here, --emit-jobs/--emit-slurm only writes them: "
                                          "choose one");
    return CR_OK;
}

static int usage_error(FILE *log, const cr_err *err)
{
    fprintf(log, "cvxrelu: %s\n", err->msg);
    return CR_EINPUT;
}

static int runtime_error(FILE *log, const cr_err *err)
{
    fprintf(log, "cvxrelu: %s\n", err->msg);
    return CR_ERUNTIME;
}

/* Prints the per-state counts; returns the exit status: 1 when a point failed or is in error, else 3 when some
 * point's claims failed, else 0 (the statuses of `cvxrelu run`). */
static int report_counts(const sw_plan *p, size_t nbad, size_t nclaims, int quiet, FILE *log)
{
    if (nbad || nclaims || !quiet)
        fprintf(log, "sweep: %zu points, %zu ok, %zu claims failed, %zu failed or not run; table in %s/sweep.csv\n",
                p->npts, p->npts - nbad - nclaims, nclaims, nbad, p->dir);
    return nbad ? CR_ERUNTIME : nclaims ? CR_ECLAIMS : CR_OK;
}

/* Output paths of a sweep, absolute. */
typedef struct {
    char jobs[CR_PATH_MAX + 16], slurm[CR_PATH_MAX], agg[CR_PATH_MAX + 32];
} emit_paths;

/* Everything an emitted file holds must be free of control characters: a newline in a path or a --set value ends
 * a line of the job file (each line is one shell command for GNU parallel and the Slurm array), and the rest of the
 * value would run as a command of its own. Quoting cannot help: the files are read line by line. A backslash in
 * the sweep folder would turn off sbatch's file-name patterns in --output (every task one log). */
static int emit_check(const sw_plan *p, const emit_paths *ep, int slurm, cr_err *err)
{
    const char *what[6] = {"CONFIG path", "--out folder", "program path", "current folder", "--emit-jobs file",
                           "--emit-slurm file"};
    const char *text[6] = {p->config, p->dir, p->prog, p->cwd, ep->jobs, slurm ? ep->slurm : ""};
    int c;
    for (int k = 0; k < 6; k++)
        if ((c = control_char(text[k])) >= 0)
            return cr_err_set(err, CR_EINPUT,
                              "the %s holds a control character (byte 0x%02x), which cannot be written into a job "
                              "file (it would end the line and run the rest as a command): rename it",
                              what[k], (unsigned)c);
    if (slurm && (c = control_char(ep->agg)) >= 0)
        return cr_err_set(err, CR_EINPUT, "--emit-slurm: the aggregation script's name holds a control character "
                                          "(byte 0x%02x)", (unsigned)c);
    for (size_t k = 0; k < p->sets.n; k++)
        if ((c = control_char(p->sets.v[k])) >= 0)
            return cr_err_set(err, CR_EINPUT,
                              "--set option %zu holds a control character (byte 0x%02x), which cannot be written "
                              "into a job file (it would end the line and run the rest as a command)",
                              k + 1, (unsigned)c);
    if (slurm && strchr(p->dir, '\\'))
        return cr_err_set(err, CR_EINPUT, "--emit-slurm: the --out folder holds a backslash, which turns off sbatch's "
                                          "file-name patterns in #SBATCH --output: rename it");
    return CR_OK;
}

/* Fills the plan from the arguments (taking their grids and sets), resolves every point and checks every output
 * path; writes nothing. */
static int sweep_setup(sweep_args *a, sw_plan *p, emit_paths *ep, cr_err *err)
{
    p->sets = a->sets;
    p->grids = a->grids;
    p->ngrid = a->ngrid;
    a->sets = (strvec){0};
    a->grids = NULL;
    a->ngrid = 0;
    if (!getcwd(p->cwd, sizeof p->cwd)) return cr_err_set(err, CR_ERUNTIME, "getcwd: %s", strerror(errno));
    if (absolute(p->cwd, a->config, p->config, sizeof p->config))
        return cr_err_set(err, CR_EINPUT, "%s: path too long", a->config);
    ssize_t k = readlink("/proc/self/exe", p->prog, sizeof p->prog - 1);
    if (k <= 0 || (size_t)k >= sizeof p->prog - 1)
        return cr_err_set(err, CR_ERUNTIME, "cannot find this program's path (/proc/self/exe)");
    p->prog[k] = 0;

    int st = plan_resolve(p, err);
    if (st) return st;
    size_t nvalid = 0;
    for (size_t i = 0; i < p->npts; i++) nvalid += !p->pts[i].error;
    if (!nvalid) {
        /* No point loads: the config or the shared --set is wrong (the base message says which), or every value. */
        cr_config *cfg = malloc(sizeof *cfg);
        cr_err berr = {{0}};
        if (!cfg) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        else if (cr_config_load(p->config, (const char *const *)p->sets.v, p->sets.n, cfg, &berr))
            st = cr_err_set(err, CR_EINPUT, "%s", berr.msg);
        else
            st = cr_err_set(err, CR_EINPUT, "no point of the sweep is a valid config; the first: %s", p->pts[0].error);
        free(cfg);
        return st;
    }

    char outdir[CR_PATH_MAX + 32];
    if (a->out) {
        snprintf(outdir, sizeof outdir, "%s", a->out);
    } else {
        /* results/<stem>-sweep, the stem as cr_config names it: file name without folder and extension. */
        const char *base = strrchr(p->config, '/') + 1, *dot = strrchr(base, '.');
        int len = (int)(dot && dot != base ? dot - base : (ptrdiff_t)strlen(base));
        snprintf(outdir, sizeof outdir, "results/%.*s-sweep", len, base);
    }
    if (absolute(p->cwd, outdir, p->dir, sizeof p->dir)) return cr_err_set(err, CR_EINPUT, "--out: path too long");
    if (strlen(p->dir) + 1 + NAME_CUT > CR_OUT_MAX)
        return cr_err_set(err, CR_EINPUT, "--out %.48s...: the folder's path has %zu bytes, at most %d are accepted "
                                          "for a sweep (its points' folders add %d)",
                          p->dir, strlen(p->dir), CR_OUT_MAX - 1 - NAME_CUT, 1 + NAME_CUT);
    if ((st = check_dir("--out", p->dir, err))) return st;
    if (!a->emit_jobs && !a->emit_slurm) return CR_OK;

    if (a->emit_slurm && absolute(p->cwd, a->emit_slurm, ep->slurm, sizeof ep->slurm))
        return cr_err_set(err, CR_EINPUT, "--emit-slurm: path too long");
    if (a->emit_jobs) {
        if (absolute(p->cwd, a->emit_jobs, ep->jobs, sizeof ep->jobs))
            return cr_err_set(err, CR_EINPUT, "--emit-jobs: path too long");
    } else {
        sibling(ep->slurm, ".jobs", 0, ep->jobs, sizeof ep->jobs);
        if (strcmp(ep->jobs, ep->slurm) == 0) snprintf(ep->jobs, sizeof ep->jobs, "%s.jobs", ep->slurm);
    }
    if ((st = check_file("--emit-jobs", ep->jobs, err))) return st;
    if (!a->emit_slurm) return emit_check(p, ep, 0, err);
    sibling(ep->slurm, "-aggregate", 1, ep->agg, sizeof ep->agg);
    if ((st = check_file("--emit-slurm", ep->slurm, err))) return st;
    if (strcmp(ep->slurm, ep->jobs) == 0 || strcmp(ep->agg, ep->jobs) == 0)
        return cr_err_set(err, CR_EINPUT, "--emit-slurm %s: the same file as the jobs file", ep->slurm);
    return emit_check(p, ep, 1, err);
}

/* The points that resolve and are not done, in grid order; *cpus the most BLAS threads among them. */
static size_t points_to_run(const sw_plan *p, size_t *todo, long *cpus)
{
    size_t ntodo = 0;
    *cpus = 1;
    for (size_t i = 0; i < p->npts; i++) {
        if (p->pts[i].error || point_is_link(p, i)) continue; /* a symbolic link is reported, never run */
        strvec k = {0}, v = {0};
        char msg[2048];
        pt_state ps = point_read(p, i, &k, &v, msg, sizeof msg);
        if (ps != PT_OK && ps != PT_CLAIMS_FAILED) {
            todo[ntodo++] = i;
            if (p->pts[i].threads > *cpus) *cpus = p->pts[i].threads;
        }
        strvec_free(&k);
        strvec_free(&v);
    }
    return ntodo;
}

/* Writes the job file (and the Slurm scripts) and prints how to run them. */
static int emit(const sw_plan *p, const size_t *todo, size_t ntodo, long cpus, int slurm, const emit_paths *ep,
                FILE *out, cr_err *err)
{
    int st = write_jobs(p, todo, ntodo, ep->jobs, err);
    if (!st && slurm) st = write_slurm(p, ntodo, cpus, ep->slurm, ep->jobs, ep->agg, err);
    if (st) return st;
    fprintf(out, "jobs file: %s (one line per point)\n", ep->jobs);
    if (slurm) {
        fprintf(out, "slurm: jid=$(sbatch --parsable ");
        shell_word(out, ep->slurm);
        fprintf(out, ") && sbatch --dependency=afterany:$jid ");
        shell_word(out, ep->agg);
    } else {
        fprintf(out, "run:   parallel -j%ld < ", (long)sysconf(_SC_NPROCESSORS_ONLN));
        shell_word(out, ep->jobs);
    }
    fprintf(out, "\nthen:  ");
    shell_word(out, p->prog);
    fprintf(out, " aggregate ");
    shell_word(out, p->dir);
    fprintf(out, "   (writes %s/sweep.csv)\n", p->dir);
    return CR_OK;
}

int cr_sweep_cli(int argc, char **argv, FILE *out, FILE *log)
{
    cr_err err = {{0}};
    sweep_args a;
    int st = parse_sweep_args(argc, argv, &a, &err);
    if (st || a.help) {
        sweep_args_free(&a);
        if (!st) cr_sweep_usage(out);
        return st ? usage_error(log, &err) : 0;
    }
    sw_plan *p = calloc(1, sizeof *p);
    emit_paths ep;
    memset(&ep, 0, sizeof ep);
    size_t *todo = NULL, ntodo = 0, nbad = 0, nclaims = 0;
    int emitting = a.emit_jobs || a.emit_slurm;
    if (!p) st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
    else st = sweep_setup(&a, p, &ep, &err);
    if (st) goto done;

    /* Validated: from here on, files are written. */
    int e = cr_fs_mkdirs(p->dir);
    if (e) {
        st = cr_err_set(&err, CR_ERUNTIME, "%s: cannot create the sweep folder: %s", p->dir, strerror(e));
        goto done;
    }
    char real[PATH_MAX];
    if (realpath(p->dir, real)) copy_field(p->dir, sizeof p->dir, real);
    if ((st = plan_write(p, &err))) goto done;
    size_t nrejected = 0;
    for (size_t i = 0; i < p->npts; i++)
        if (p->pts[i].error) {
            nrejected++;
            fprintf(log, "sweep: %s: rejected, not run: %s\n", p->pts[i].name, p->pts[i].error);
        }
    if (!(todo = calloc(p->npts, sizeof *todo))) {
        st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
        goto done;
    }
    long cpus;
    ntodo = points_to_run(p, todo, &cpus);
    if (!a.quiet || (ntodo && emitting))
        fprintf(emitting ? out : log, "sweep: %zu points, %zu to run, %zu done, %zu rejected; plan in %s/sweep.yaml\n",
                p->npts, ntodo, p->npts - nrejected - ntodo, nrejected, p->dir);
    if ((st = make_point_dirs(p, todo, ntodo, &err))) goto done;
    if (ntodo && emitting) {
        st = emit(p, todo, ntodo, cpus, a.emit_slurm != NULL, &ep, out, &err);
        goto done;
    }
    /* Everything done already (also when emitting): the table is rebuilt. */
    if (ntodo && (st = run_local(p, todo, ntodo, a.jobs, a.quiet, log, &err))) goto done;
    if (!(st = plan_aggregate(p, &nbad, &nclaims, &err))) st = report_counts(p, nbad, nclaims, a.quiet, log);

done:
    free(todo);
    sweep_args_free(&a);
    plan_free(p);
    if (st && err.msg[0]) return st == CR_EINPUT ? usage_error(log, &err) : runtime_error(log, &err);
    return st;
}

int cr_sweep_aggregate_cli(int argc, char **argv, FILE *out, FILE *log)
{
    const char *dir = NULL;
    int quiet = 0;
    cr_err err = {{0}};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0) quiet = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cr_sweep_usage(out);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cr_err_set(&err, CR_EINPUT, "unknown option %s (see cvxrelu sweep --help)", argv[i]);
            return usage_error(log, &err);
        } else if (!dir) dir = argv[i];
        else {
            cr_err_set(&err, CR_EINPUT, "unexpected argument %s (one sweep folder)", argv[i]);
            return usage_error(log, &err);
        }
    }
    if (!dir) {
        cr_err_set(&err, CR_EINPUT, "usage: cvxrelu aggregate DIR (a folder written by cvxrelu sweep)");
        return usage_error(log, &err);
    }
    sw_plan *p = NULL;
    int st = plan_read(dir, &p, &err);
    if (st) return st == CR_EINPUT ? usage_error(log, &err) : runtime_error(log, &err);
    size_t nbad = 0;
    size_t nclaims = 0;
    st = plan_aggregate(p, &nbad, &nclaims, &err);
    if (!st) st = report_counts(p, nbad, nclaims, quiet, log);
    else st = runtime_error(log, &err);
    plan_free(p);
    return st;
}
