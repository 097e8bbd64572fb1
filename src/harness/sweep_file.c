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
    cr_yaml_quote(f, p->config);
    fprintf(f, "\ncwd: ");
    cr_yaml_quote(f, p->cwd);
    fprintf(f, "\nprogram: ");
    cr_yaml_quote(f, p->prog);
    fprintf(f, "\nsets:%s\n", p->sets.n ? "" : " []");
    for (size_t k = 0; k < p->sets.n; k++) {
        fprintf(f, "  - ");
        cr_yaml_quote(f, p->sets.v[k]);
        fputc('\n', f);
    }
    fprintf(f, "grid:\n");
    for (size_t g = 0; g < p->ngrid; g++) {
        fprintf(f, "  - key: ");
        cr_yaml_quote(f, p->grids[g].key);
        fprintf(f, "\n    values: [");
        for (size_t v = 0; v < p->grids[g].nvalues; v++) {
            if (v) fputs(", ", f);
            cr_yaml_quote(f, p->grids[g].values[v]);
        }
        fprintf(f, "]\n");
    }
    fprintf(f, "points:\n");
    for (size_t i = 0; i < p->npts; i++) {
        fprintf(f, "  - name: ");
        cr_yaml_quote(f, p->pts[i].name);
        if (p->pts[i].error) {
            fprintf(f, "\n    error: ");
            cr_yaml_quote(f, p->pts[i].error);
        } else {
            fprintf(f, "\n    config_hash: \"%s\"", p->pts[i].hash);
        }
        fputc('\n', f);
    }
    return cr_atomic_commit(a, err);
}

/* ------------------------------------------------------------- reading */

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

/* The number of items of n, 0 when it is not a list. */
static size_t yseq_len(yaml_node_t *n)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return 0;
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

/* path (dir/sweep.yaml) parsed into doc with the config's YAML loader. */
static int load_doc(const char *dir, const char *path, yaml_document_t *doc, cr_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cr_err_set(err, CR_EINPUT, "%s: cannot open the sweep plan: %s (is %s a sweep folder?)", path,
                              strerror(errno), dir);
    size_t len = 0;
    char *text = cr_fs_read_all(f, &len);
    int e = errno;
    fclose(f);
    int st = !text && e == ENOMEM ? cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path)
             : !text              ? cr_err_set(err, CR_EINPUT, "%s: cannot read the sweep plan: %s", path, strerror(e))
                                  : cr_yaml_load(path, (const unsigned char *)text, len, doc, err);
    free(text);
    return st;
}

/* version, config, cwd and program; the plan's folder is dir itself (resolved). */
static int read_head(const yreader *r, yaml_node_t *root, const char *dir, cr_sweep_plan *p, cr_err *err)
{
    const char *version = yscalar(ymap_get(r, root, "version"));
    if (!root || root->type != YAML_MAPPING_NODE) return bad_plan(err, r->path, "expected a mapping");
    if (!version || strcmp(version, "1") != 0) return bad_plan(err, r->path, "version: expected 1");
    if (copy_field(p->config, sizeof p->config, yscalar(ymap_get(r, root, "config"))) ||
        copy_field(p->cwd, sizeof p->cwd, yscalar(ymap_get(r, root, "cwd"))) ||
        copy_field(p->prog, sizeof p->prog, yscalar(ymap_get(r, root, "program"))))
        return bad_plan(err, r->path, "config, cwd and program: expected strings");
    char real[PATH_MAX];
    if (copy_field(p->dir, sizeof p->dir, realpath(dir, real) ? real : dir))
        return cr_err_set(err, CR_EINPUT, "%s: path too long", dir);
    return CR_OK;
}

/* The scalars of list n appended to out; `what` names them in messages. */
static int read_strings(const yreader *r, yaml_node_t *n, const char *what, cr_sweep_strs *out, cr_err *err)
{
    for (size_t k = 0; k < yseq_len(n); k++) {
        const char *s = yscalar(yseq_at(r, n, k));
        if (!s) return bad_plan(err, r->path, what);
        if (cr_sweep_strs_push(out, s)) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    return CR_OK;
}

static int read_grid(const yreader *r, yaml_node_t *root, cr_sweep_plan *p, cr_err *err)
{
    yaml_node_t *n = ymap_get(r, root, "grid");
    size_t ng = yseq_len(n);
    if (!ng || ng > CR_SWEEP_MAX_SETS) return bad_plan(err, r->path, "grid: expected a list of keys and values");
    if (!(p->grids = calloc(ng, sizeof *p->grids))) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    for (size_t g = 0; g < ng; g++) {
        yaml_node_t *e = yseq_at(r, n, g), *vals = ymap_get(r, e, "values");
        const char *key = yscalar(ymap_get(r, e, "key"));
        p->ngrid++;
        if (!key || !yseq_len(vals)) return bad_plan(err, r->path, "grid: each entry needs key and values");
        cr_sweep_strs v = {0};
        int st = read_strings(r, vals, "grid values: expected strings", &v, err);
        p->grids[g].values = v.v;
        p->grids[g].nvalues = v.n;
        if (st) return st;
        if (!(p->grids[g].key = strdup(key))) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    return CR_OK;
}

/* One entry per grid point: a folder name, and config_hash or error. */
static int read_points(const yreader *r, yaml_node_t *root, cr_sweep_plan *p, cr_err *err)
{
    size_t total = 1;
    for (size_t g = 0; g < p->ngrid && total <= CR_SWEEP_MAX_POINTS; g++) total *= p->grids[g].nvalues;
    yaml_node_t *n = ymap_get(r, root, "points");
    if (!n || n->type != YAML_SEQUENCE_NODE || yseq_len(n) != total)
        return bad_plan(err, r->path, "points: expected one entry per grid point");
    if (!(p->pts = calloc(total, sizeof *p->pts))) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    for (size_t i = 0; i < total; i++) {
        yaml_node_t *e = yseq_at(r, n, i);
        const char *name = yscalar(ymap_get(r, e, "name")), *hash = yscalar(ymap_get(r, e, "config_hash"));
        const char *error = yscalar(ymap_get(r, e, "error"));
        p->npts++;
        if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            return bad_plan(err, r->path, "points: a name is missing or not a folder name");
        if (!!hash == !!error || (hash && strlen(hash) != 16))
            return bad_plan(err, r->path, "points: each needs config_hash (16 hex digits) or error");
        if (!(p->pts[i].name = strdup(name)) || (error && !(p->pts[i].error = strdup(error))))
            return cr_err_set(err, CR_ERUNTIME, "out of memory");
        if (hash) memcpy(p->pts[i].hash, hash, 17);
    }
    return CR_OK;
}

int cr_sweep_plan_read(const char *dir, cr_sweep_plan **out, cr_err *err)
{
    *out = NULL;
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/sweep.yaml", dir);
    yaml_document_t doc;
    int st = load_doc(dir, path, &doc, err);
    if (st) return st;
    yreader r = {&doc, path};
    yaml_node_t *root = yaml_document_get_root_node(&doc), *sets = ymap_get(&r, root, "sets");
    cr_sweep_plan *p = calloc(1, sizeof *p);
    if (!p) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    else st = read_head(&r, root, dir, p, err);
    if (!st && (!sets || sets->type != YAML_SEQUENCE_NODE)) st = bad_plan(err, path, "sets: expected a list");
    if (!st) st = read_strings(&r, sets, "sets: expected strings", &p->sets, err);
    if (!st) st = read_grid(&r, root, p, err);
    if (!st) st = read_points(&r, root, p, err);
    yaml_document_delete(&doc);
    if (st) {
        cr_sweep_plan_free(p);
        return st;
    }
    *out = p;
    return CR_OK;
}
