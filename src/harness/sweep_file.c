/* DIR/sweep.yaml (see sweep_impl.h): the plan written by `cvxrelu sweep` and read back by `cvxrelu aggregate`,
 * so that the table can be rebuilt from the folder alone, however the points ran. */
#include "sweep_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "atomic.h"
#include "config.h"

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

int cr_sweep_plan_write(const cr_sweep_plan *p, cr_err *err)
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
int cr_sweep_plan_read(const char *dir, cr_sweep_plan **out, cr_err *err)
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
    cr_sweep_plan *p = calloc(1, sizeof *p);
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
            else if (cr_sweep_strs_push(&p->sets, s)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    }
    if (!st) {
        n = ymap_get(&r, root, "grid");
        if (!n || n->type != YAML_SEQUENCE_NODE || !yseq_len(n) || yseq_len(n) > CR_SWEEP_MAX_SETS)
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
            cr_sweep_strs v = {0};
            for (size_t k = 0; !st && k < yseq_len(vals); k++) {
                const char *s = yscalar(yseq_at(&r, vals, k));
                if (!s) st = bad_plan(err, path, "grid values: expected strings");
                else if (cr_sweep_strs_push(&v, s)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
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
        cr_sweep_plan_free(p);
        return st;
    }
    *out = p;
    return CR_OK;
}
