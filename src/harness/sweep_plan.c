/* The plan of a sweep (see sweep_impl.h): the --grid options and point names, the points in grid order, each
 * resolved against the schema, and where a point lives on disk and how it is run. Every point runs as an
 * ordinary `cvxrelu run ... --out DIR/POINT --quiet 2>DIR/POINT/stderr.log` of this very binary. */
#include "sweep_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "dataload.h"
#include "memlimit.h"

int cr_sweep_strs_push(cr_sweep_strs *s, const char *text)
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

void cr_sweep_strs_free(cr_sweep_strs *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

ptrdiff_t cr_sweep_strs_find(const cr_sweep_strs *s, const char *text)
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

void cr_sweep_hash_hex(const char *s, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(s));
}

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
    if (len > CR_SWEEP_NAME_CUT) {
        char h[17];
        cr_sweep_hash_hex(full, h);
        k = snprintf(buf, cap, "%.*s~%s", CR_SWEEP_NAME_CUT - 17, full, h);
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
    if (!st && cr_fs_control_char(spec) >= 0)
        st = cr_err_set(err, CR_EINPUT, "--grid %s: control character in the option", key);
    if (!st && !(g->key = strdup(key))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    /* Split at commas outside brackets. */
    cr_sweep_strs vals = {0};
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
        else if (cr_sweep_strs_find(&vals, v) >= 0)
            st = cr_err_set(err, CR_EINPUT, "--grid %s: value %s given twice", key, v);
        else if (cr_sweep_strs_push(&vals, v)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        if (end) break;
        start = c + 1;
    }
    free(copy);
    if (st) {
        cr_sweep_strs_free(&vals);
        cr_sweep_grid_clear(g);
        return st;
    }
    g->values = vals.v;
    g->nvalues = vals.n;
    return CR_OK;
}

void cr_sweep_plan_free(cr_sweep_plan *p)
{
    if (!p) return;
    cr_sweep_strs_free(&p->sets);
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
size_t cr_sweep_value_index(const cr_sweep_plan *p, size_t i, size_t g)
{
    for (size_t h = p->ngrid; h-- > g + 1;) i /= p->grids[h].nvalues;
    return i % p->grids[g].nvalues;
}

/* The overrides of point i: the shared --set options, then "key=value" per grid. ov->v[k] are malloc'ed. */
static int point_overrides(const cr_sweep_plan *p, size_t i, cr_sweep_strs *ov)
{
    for (size_t k = 0; k < p->sets.n; k++)
        if (cr_sweep_strs_push(ov, p->sets.v[k])) return -1;
    for (size_t g = 0; g < p->ngrid; g++) {
        const cr_sweep_grid *gr = &p->grids[g];
        const char *v = gr->values[cr_sweep_value_index(p, i, g)];
        size_t len = strlen(gr->key) + strlen(v) + 2;
        char *a = malloc(len);
        if (!a) return -1;
        snprintf(a, len, "%s=%s", gr->key, v);
        int bad = cr_sweep_strs_push(ov, a);
        free(a);
        if (bad) return -1;
    }
    return 0;
}

static int point_name(const cr_sweep_plan *p, size_t i, char *buf, size_t cap)
{
    const char *keys[CR_SWEEP_MAX_SETS], *vals[CR_SWEEP_MAX_SETS];
    for (size_t g = 0; g < p->ngrid; g++) {
        keys[g] = p->grids[g].key;
        vals[g] = p->grids[g].values[cr_sweep_value_index(p, i, g)];
    }
    return cr_sweep_point_name(keys, vals, p->ngrid, buf, cap);
}

static int known_key(const char *key)
{
    for (size_t i = 0; i < cr_config_nkeys(); i++)
        if (strcmp(cr_config_key(i), key) == 0) return 1;
    return 0;
}

/* Grid g against the schema, the earlier grids and the --set options, and its values against each other: two
 * values must not name the same point folder. */
static int check_grid(const cr_sweep_plan *p, size_t g, cr_err *err)
{
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
    return CR_OK;
}

/* The schema names an override "--set k=v"; say --grid when it is one of the point's grid values (ov->v[nsets..]). */
static void grid_message(cr_err *perr, const cr_sweep_strs *ov, size_t nsets)
{
    for (size_t g = nsets; g < ov->n; g++) {
        size_t len = strlen(ov->v[g]);
        if (strncmp(perr->msg, "--set ", 6) == 0 && strncmp(perr->msg + 6, ov->v[g], len) == 0 &&
            perr->msg[6 + len] == ':') {
            char tmp[sizeof perr->msg + 8];
            snprintf(tmp, sizeof tmp, "--grid %s", perr->msg + 6);
            snprintf(perr->msg, sizeof perr->msg, "%.*s", (int)sizeof perr->msg - 1, tmp);
            return;
        }
    }
}

/* The memory guard's estimate for a resolved point (memlimit.h); CSV data are read for their size. NaN when
 * they cannot be (the point's own run then reports why). */
static double point_memory(const cr_config *cfg)
{
    double b = cr_limits_config_estimate(cfg);
    if (!isnan(b)) return b;
    cr_data *D = NULL;
    cr_err ignored = {{0}};
    if (cr_dataload_from_config(cfg, &D, &ignored)) return NAN;
    b = cr_limits_estimate(cfg, D->n, D->d);
    cr_data_free(D);
    return b;
}

/* Point i: its folder name, and its resolved config (text, hash, threads) or the schema's message. */
static int resolve_point(cr_sweep_plan *p, size_t i, cr_config *cfg, cr_err *err)
{
    cr_sweep_point *pt = &p->pts[i];
    char name[256];
    cr_sweep_strs ov = {0};
    int st = CR_OK;
    if (point_name(p, i, name, sizeof name) || !(pt->name = strdup(name)) || point_overrides(p, i, &ov)) {
        st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    } else {
        cr_err perr = {{0}};
        int lst = cr_config_load(p->config, (const char *const *)ov.v, ov.n, cfg, &perr);
        if (lst == CR_OK) lst = cr_limits_check_config(cfg, &perr);
        if (lst == CR_EINPUT) {
            grid_message(&perr, &ov, p->sets.n);
            if (!(pt->error = strdup(perr.msg))) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        } else if (lst) {
            st = cr_err_set(err, lst, "%s", perr.msg);
        } else if (!(pt->dump = cr_config_dump(cfg))) {
            st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        } else {
            cr_sweep_hash_hex(pt->dump, pt->hash);
            pt->threads = cfg->threads;
            pt->mem_bytes = p->want_mem ? point_memory(cfg) : NAN;
        }
    }
    cr_sweep_strs_free(&ov);
    return st;
}

int cr_sweep_plan_resolve(cr_sweep_plan *p, cr_err *err)
{
    size_t total = 1;
    for (size_t g = 0; g < p->ngrid; g++) {
        int st = check_grid(p, g, err);
        if (st) return st;
        if (total > CR_SWEEP_MAX_POINTS / p->grids[g].nvalues)
            return cr_err_set(err, CR_EINPUT, "--grid: more than %d points", CR_SWEEP_MAX_POINTS);
        total *= p->grids[g].nvalues;
    }
    if (p->sets.n + p->ngrid > CR_SWEEP_MAX_SETS)
        return cr_err_set(err, CR_EINPUT, "more than %d --set and --grid options together", CR_SWEEP_MAX_SETS);
    p->pts = calloc(total, sizeof *p->pts);
    cr_config *cfg = malloc(sizeof *cfg);
    if (!p->pts || !cfg) {
        free(cfg);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    p->npts = total;
    int st = CR_OK;
    for (size_t i = 0; i < total && !st; i++) st = resolve_point(p, i, cfg, err);
    free(cfg);
    return st;
}

int cr_sweep_point_path(const cr_sweep_plan *p, size_t i, const char *file, char *buf, size_t cap)
{
    int k = file ? snprintf(buf, cap, "%s/%s/%s", p->dir, p->pts[i].name, file)
                 : snprintf(buf, cap, "%s/%s", p->dir, p->pts[i].name);
    return (k < 0 || (size_t)k >= cap) ? -1 : 0;
}

/* Whether the point's folder is a symbolic link (never followed: neither read nor written through). */
int cr_sweep_point_is_link(const cr_sweep_plan *p, size_t i)
{
    char path[CR_PATH_MAX + 300];
    struct stat st;
    return !cr_sweep_point_path(p, i, NULL, path, sizeof path) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The `run` command of point i: prog run CONFIG --set ... --out DIR/NAME --quiet (strings in av). */
int cr_sweep_point_argv(const cr_sweep_plan *p, size_t i, cr_sweep_strs *av)
{
    char out[CR_PATH_MAX + 300];
    cr_sweep_strs ov = {0};
    int bad = cr_sweep_point_path(p, i, NULL, out, sizeof out) || point_overrides(p, i, &ov) ||
              cr_sweep_strs_push(av, p->prog) || cr_sweep_strs_push(av, "run") || cr_sweep_strs_push(av, p->config);
    for (size_t k = 0; k < ov.n && !bad; k++) bad = cr_sweep_strs_push(av, "--set") || cr_sweep_strs_push(av, ov.v[k]);
    bad = bad || cr_sweep_strs_push(av, "--out") || cr_sweep_strs_push(av, out) || cr_sweep_strs_push(av, "--quiet");
    cr_sweep_strs_free(&ov);
    return bad ? -1 : 0;
}
