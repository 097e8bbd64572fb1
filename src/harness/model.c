/* The model file (see model.h and docs/fit.md): the writer (YAML text through an atomic file), the reader
 * (libyaml's document API through cr_yaml_load, every key checked, counts checked before anything is allocated)
 * and the prediction of a model through net.h's forward pass. */
#include "model.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "atomic.h"
#include "config.h"
#include "fsutil.h"
#include "patterns.h"

cr_model *cr_model_alloc(size_t d, size_t m, size_t n_train)
{
    if (d == 0 || n_train == 0) return NULL;
    cr_model *M = calloc(1, sizeof *M);
    if (!M) return NULL;
    M->d = d;
    M->m = m;
    M->n_train = n_train;
    M->words = (n_train + 63) / 64;
    if (m > 0) {
        M->net = cr_net_alloc(d, m);
        M->patterns = calloc(m * M->words, sizeof *M->patterns);
        if (!M->net || !M->patterns) {
            cr_model_free(M);
            return NULL;
        }
    }
    return M;
}

void cr_model_free(cr_model *M)
{
    if (!M) return;
    cr_net_free(M->net);
    free(M->patterns);
    free(M->input.mean);
    free(M->input.scale);
    free(M);
}

static const char *const kind_names[] = {[CR_MODEL_CONVEX] = "convex", [CR_MODEL_GD] = "gd"};

const char *cr_model_kind_name(cr_model_kind k)
{
    return (int)k >= 0 && (size_t)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

/* The features standardization saw: project_d after a projection, else d_raw. */
static size_t inner_d(const cr_model_input *in)
{
    return in->project_d > 0 ? (size_t)in->project_d : in->d_raw;
}

int cr_model_set_input(cr_model *M, const cr_model_input *in, cr_err *err)
{
    free(M->input.mean);
    free(M->input.scale);
    M->input = *in;
    M->input.mean = M->input.scale = NULL;
    if (!in->mean) return CR_OK;
    const size_t ns = inner_d(in);
    M->input.mean = malloc((ns ? ns : 1) * sizeof(double));
    M->input.scale = malloc((ns ? ns : 1) * sizeof(double));
    if (!M->input.mean || !M->input.scale) {
        free(M->input.mean);
        free(M->input.scale);
        M->input.mean = M->input.scale = NULL;
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    memcpy(M->input.mean, in->mean, ns * sizeof(double));
    memcpy(M->input.scale, in->scale, ns * sizeof(double));
    return CR_OK;
}

static const char *const source_names[] = {[CR_MODEL_SOURCE_CSV] = "csv", [CR_MODEL_SOURCE_IDX] = "idx",
                                           [CR_MODEL_SOURCE_SYNTHETIC] = "synthetic"};
static const char *const header_names[] = {[CR_CONFIG_HEADER_AUTO] = "auto", [CR_CONFIG_HEADER_YES] = "yes",
                                           [CR_CONFIG_HEADER_NO] = "no"};
static const char delim_chars[] = {',', ';', '\t'};
static const char *const delim_names[] = {"comma", "semicolon", "tab"};

/* ------------------------------------------------------------------ writing */

/* v as %.17g, which reads back to the same double, with a point in its mantissa ("2" -> "2.0", "-0" -> "-0.0",
 * "1e+20" -> "1.0e+20"): YAML readers then load every number as a float (PyYAML takes "1e+20" for a string and
 * "-0" for the integer 0). */
static void put_number(FILE *f, double v)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.17g", v);
    char *e = strchr(buf, 'e');
    size_t mant = e ? (size_t)(e - buf) : strlen(buf);
    if (memchr(buf, '.', mant)) fputs(buf, f);
    else fprintf(f, "%.*s.0%s", (int)mant, buf, buf + mant);
}

static void put_list(FILE *f, const double *v, size_t n, size_t stride)
{
    fputc('[', f);
    for (size_t j = 0; j < n; j++) {
        if (j) fputs(", ", f);
        put_number(f, v[j * stride]);
    }
    fputc(']', f);
}

static void put_longs(FILE *f, const long *v, size_t n)
{
    fputc('[', f);
    for (size_t j = 0; j < n; j++) fprintf(f, j ? ", %ld" : "%ld", v[j]);
    fputc(']', f);
}

/* The input section (docs/fit.md). */
static void put_input(FILE *f, const cr_model_input *in)
{
    size_t dl = 0;
    while (dl < 2 && delim_chars[dl] != in->delimiter) dl++;
    fputs("# input: the transform fit applied to a raw row before the network; predict replays it\ninput:\n", f);
    fprintf(f, "  source: %s\n  delimiter: %s\n  header: %s\n  skip_rows: %ld\n  label_column: ",
            source_names[in->source], delim_names[dl], header_names[in->header], in->skip_rows);
    cr_yaml_quote(f, in->label_column);
    fprintf(f, "\n  labels01: %s\n  classes_neg: ", in->labels01 ? "map" : "keep");
    put_longs(f, in->classes_neg, in->nneg);
    fputs("\n  classes_pos: ", f);
    put_longs(f, in->classes_pos, in->npos);
    fprintf(f, "\n  project_d: %ld\n  d_raw: %zu\n  standardize: %s\n  mean: ", in->project_d, in->d_raw,
            in->mean ? "yes" : "no");
    put_list(f, in->mean, in->mean ? inner_d(in) : 0, 1);
    fputs("\n  scale: ", f);
    put_list(f, in->scale, in->mean ? inner_d(in) : 0, 1);
    fprintf(f, "\n  bias: %s\n", in->bias ? "yes" : "no");
}

static int all_finite(const cr_model *M)
{
    if (!isfinite(M->beta) || !isfinite(M->objective)) return 0;
    for (size_t j = 0; M->input.mean && j < inner_d(&M->input); j++)
        if (!isfinite(M->input.mean[j]) || !isfinite(M->input.scale[j])) return 0;
    size_t len = M->net ? cr_net_size(M->net) : 0;
    for (size_t i = 0; i < len; i++)
        if (!isfinite(M->net->theta[i])) return 0;
    return 1;
}

int cr_model_write(const cr_model *M, const char *path, cr_err *err)
{
    if (!all_finite(M))
        return cr_err_set(err, CR_ERUNTIME, "%s: the %s model has a non-finite value; not written", path,
                          cr_model_kind_name(M->kind));
    char *pat = malloc(M->n_train + 1);
    if (!pat) return cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) {
        free(pat);
        return CR_ERUNTIME;
    }
    FILE *f = cr_atomic_stream(a);
    fputs("# cvxrelu model (docs/fit.md): f(x) = sum_j max(0, sum_k x_k W1[k][j]) w2[j]\n", f);
    fprintf(f, "format: %s\n", CR_MODEL_FORMAT);
    fprintf(f, "kind: %s\n", cr_model_kind_name(M->kind));
    fprintf(f, "loss: %s\n", cr_loss_name(M->loss));
    fputs("beta: ", f);
    put_number(f, M->beta);
    fprintf(f, "\nd: %zu\nwidth: %zu\nn_train: %zu\nobjective: ", M->d, M->m, M->n_train);
    put_number(f, M->objective);
    fputs("\n# W1: d rows of width numbers (row k: feature k of every neuron)\nW1:\n", f);
    for (size_t k = 0; k < M->d; k++) {
        fputs("  - ", f);
        put_list(f, M->m ? M->net->W1 + k * M->m : NULL, M->m, 1);
        fputc('\n', f);
    }
    fputs("w2: ", f);
    put_list(f, M->m ? M->net->w2 : NULL, M->m, 1);
    fputs("\n# patterns: neuron j's pattern on the training set, n_train characters 0/1, sample 1 first\npatterns:", f);
    if (M->m == 0) fputs(" []", f);
    for (size_t j = 0; j < M->m; j++) {
        const uint64_t *mask = M->patterns + j * M->words;
        for (size_t i = 0; i < M->n_train; i++) pat[i] = cr_mask_bit(mask, i) ? '1' : '0';
        pat[M->n_train] = 0;
        fprintf(f, "\n  - \"%s\"", pat);
    }
    fputc('\n', f);
    if (M->input.recorded) put_input(f, &M->input);
    free(pat);
    return cr_atomic_commit(a, err);
}

/* ------------------------------------------------------------------ reading */

typedef struct {
    const char *path;
    yaml_document_t *doc;
    cr_err *err;
} reader;

static int fail_node(const reader *r, const yaml_node_t *node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_node(const reader *r, const yaml_node_t *node, const char *key, const char *fmt, ...)
{
    char body[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return cr_err_set(r->err, CR_EINPUT, "%s:%lu:%lu: %s: %s", r->path, (unsigned long)node->start_mark.line + 1,
                      (unsigned long)node->start_mark.column + 1, key, body);
}

static const char *node_kind(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? "a list" : n->type == YAML_MAPPING_NODE ? "a mapping" : "a scalar";
}

/* The scalar text of node (NUL-terminated by libyaml), or NULL with the error set. */
static const char *scalar(const reader *r, const yaml_node_t *node, const char *key, const char *expected)
{
    if (node->type == YAML_SCALAR_NODE) return (const char *)node->data.scalar.value;
    fail_node(r, node, key, "expected %s, got %s", expected, node_kind(node));
    return NULL;
}

static int read_number(const reader *r, const yaml_node_t *node, const char *key, double *v)
{
    const char *s = scalar(r, node, key, "a finite number");
    if (!s) return CR_EINPUT;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (!*s || *end || !isfinite(*v)) return fail_node(r, node, key, "expected a finite number, got \"%.40s\"", s);
    return CR_OK;
}

static int read_count(const reader *r, const yaml_node_t *node, const char *key, size_t min, size_t *v)
{
    const char *s = scalar(r, node, key, "an integer");
    if (!s) return CR_EINPUT;
    size_t len = strlen(s);
    int digits = len > 0 && len <= 12 && strspn(s, "0123456789") == len;
    unsigned long long x = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || x < min) return fail_node(r, node, key, "expected an integer >= %zu, got \"%.40s\"", min, s);
    *v = (size_t)x;
    return CR_OK;
}

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(const reader *r, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(r->doc, n->data.sequence.items.start[i]);
}

/* node must be a list of count items. */
static int expect_list(const reader *r, const yaml_node_t *node, const char *key, size_t count, const char *what)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_node(r, node, key, "expected a list of %zu %s, got %s", count, what, node_kind(node));
    if (seq_len(node) != count)
        return fail_node(r, node, key, "expected a list of %zu %s, got %zu", count, what, seq_len(node));
    return CR_OK;
}

enum { K_FORMAT, K_KIND, K_LOSS, K_BETA, K_D, K_WIDTH, K_NTRAIN, K_OBJECTIVE, K_W1, K_W2, K_PATTERNS, K_INPUT, NK };
static const char *const key_names[NK] = {"format", "kind",      "loss", "beta", "d",       "width",
                                           "n_train", "objective", "W1",   "w2",   "patterns", "input"};

/* The root mapping's values by key: each known key once, no other key. */
static int collect(const reader *r, yaml_node_t *root, yaml_node_t *val[NK])
{
    if (!root)
        return cr_err_set(r->err, CR_EINPUT, "%s: empty file (expected a model, format %s)", r->path,
                          CR_MODEL_FORMAT);
    if (root->type != YAML_MAPPING_NODE)
        return fail_node(r, root, "model", "expected a mapping of keys, got %s", node_kind(root));
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key), *v = yaml_document_get_node(r->doc, p->value);
        if (k->type != YAML_SCALAR_NODE) return fail_node(r, k, "model", "expected a key, got %s", node_kind(k));
        const char *name = (const char *)k->data.scalar.value;
        int i = 0;
        while (i < NK && strcmp(key_names[i], name) != 0) i++;
        if (i == NK) {
            char all[160];
            size_t len = 0;
            for (int q = 0; q < NK; q++) len += (size_t)snprintf(all + len, sizeof all - len, q ? ", %s" : "%s", key_names[q]);
            return fail_node(r, k, name, "unknown key (expected %s)", all);
        }
        if (val[i]) return fail_node(r, k, name, "key given twice");
        val[i] = v;
    }
    for (int i = 0; i < NK; i++)
        if (!val[i] && i != K_INPUT) return cr_err_set(r->err, CR_EINPUT, "%s: %s: required key missing", r->path, key_names[i]);
    return CR_OK;
}

/* The header keys into M's fields, the sizes into *d, *m, *n. */
static int read_header(const reader *r, yaml_node_t *val[NK], cr_model *M, size_t *d, size_t *m, size_t *n)
{
    const char *s = scalar(r, val[K_FORMAT], "format", CR_MODEL_FORMAT);
    if (!s) return CR_EINPUT;
    if (strcmp(s, CR_MODEL_FORMAT) != 0)
        return fail_node(r, val[K_FORMAT], "format", "expected %s, got \"%.40s\"", CR_MODEL_FORMAT, s);
    if (!(s = scalar(r, val[K_KIND], "kind", "convex or gd"))) return CR_EINPUT;
    if (strcmp(s, "convex") == 0) M->kind = CR_MODEL_CONVEX;
    else if (strcmp(s, "gd") == 0) M->kind = CR_MODEL_GD;
    else return fail_node(r, val[K_KIND], "kind", "expected convex or gd, got \"%.40s\"", s);
    if (!(s = scalar(r, val[K_LOSS], "loss", "squared, logistic or hinge"))) return CR_EINPUT;
    int loss = -1;
    for (int k = CR_LOSS_SQUARED; k <= CR_LOSS_HINGE; k++)
        if (strcmp(s, cr_loss_name((cr_loss_kind)k)) == 0) loss = k; /* the names the writer uses */
    if (loss < 0) return fail_node(r, val[K_LOSS], "loss", "expected squared, logistic or hinge, got \"%.40s\"", s);
    M->loss = (cr_loss_kind)loss;
    int st = read_number(r, val[K_BETA], "beta", &M->beta);
    if (!st && M->beta < 0) st = fail_node(r, val[K_BETA], "beta", "expected a number >= 0, got %g", M->beta);
    if (!st) st = read_number(r, val[K_OBJECTIVE], "objective", &M->objective);
    if (!st) st = read_count(r, val[K_D], "d", 1, d);
    if (!st) st = read_count(r, val[K_WIDTH], "width", 0, m);
    if (!st) st = read_count(r, val[K_NTRAIN], "n_train", 1, n);
    return st;
}

/* The shapes of W1 (d lists of m), w2 (m) and patterns (m strings of n characters 0/1), checked before the
 * model is allocated. */
static int check_shapes(const reader *r, yaml_node_t *val[NK], size_t d, size_t m, size_t n)
{
    int st = expect_list(r, val[K_W1], "W1", d, "rows (d)");
    for (size_t k = 0; !st && k < d; k++) {
        char key[48];
        snprintf(key, sizeof key, "W1 row %zu", k + 1);
        st = expect_list(r, seq_item(r, val[K_W1], k), key, m, "numbers (width)");
    }
    if (!st) st = expect_list(r, val[K_W2], "w2", m, "numbers (width)");
    if (!st) st = expect_list(r, val[K_PATTERNS], "patterns", m, "patterns (width)");
    for (size_t j = 0; !st && j < m; j++) {
        yaml_node_t *p = seq_item(r, val[K_PATTERNS], j);
        char key[48];
        snprintf(key, sizeof key, "patterns item %zu", j + 1);
        const char *s = scalar(r, p, key, "a 0/1 string");
        if (!s) return CR_EINPUT;
        size_t len = strlen(s);
        if (len != n || strspn(s, "01") != len)
            st = fail_node(r, p, key, "expected a string of n_train = %zu characters 0/1, got %zu characters%s", n,
                           len, strspn(s, "01") != len ? " not all 0/1" : "");
    }
    return st;
}

static int read_values(const reader *r, yaml_node_t *val[NK], cr_model *M)
{
    int st = CR_OK;
    for (size_t k = 0; !st && k < M->d; k++) {
        yaml_node_t *row = seq_item(r, val[K_W1], k);
        char key[48];
        snprintf(key, sizeof key, "W1 row %zu", k + 1);
        for (size_t j = 0; !st && j < M->m; j++) st = read_number(r, seq_item(r, row, j), key, &M->net->W1[k * M->m + j]);
    }
    for (size_t j = 0; !st && j < M->m; j++) st = read_number(r, seq_item(r, val[K_W2], j), "w2", &M->net->w2[j]);
    for (size_t j = 0; !st && j < M->m; j++) {
        const char *s = (const char *)seq_item(r, val[K_PATTERNS], j)->data.scalar.value;
        uint64_t *mask = M->patterns + j * M->words;
        for (size_t i = 0; i < M->n_train; i++)
            if (s[i] == '1') mask[i / 64] |= (uint64_t)1 << (i % 64);
    }
    return st;
}

enum { I_SOURCE, I_DELIM, I_HEADER, I_SKIP, I_LABEL, I_LABELS01, I_NEG, I_POS, I_PROJECT, I_DRAW, I_STD, I_MEAN,
       I_SCALE, I_BIAS, NI };
static const char *const input_names[NI] = {"source",  "delimiter",   "header",      "skip_rows", "label_column",
                                            "labels01", "classes_neg", "classes_pos", "project_d", "d_raw",
                                            "standardize", "mean", "scale", "bias"};

/* The index of s among n names, or -1 (then the error names what was expected). */
static int read_name(const reader *r, const yaml_node_t *node, const char *key, const char *const *names, size_t n,
                     int *out)
{
    char all[96];
    size_t len = 0;
    all[0] = 0;
    for (size_t q = 0; q < n; q++) len += (size_t)snprintf(all + len, sizeof all - len, q ? ", %s" : "%s", names[q]);
    const char *s = scalar(r, node, key, all);
    if (!s) return CR_EINPUT;
    for (size_t q = 0; q < n; q++)
        if (strcmp(s, names[q]) == 0) return *out = (int)q, CR_OK;
    return fail_node(r, node, key, "expected one of %s, got \"%.40s\"", all, s);
}

static int read_longs(const reader *r, const yaml_node_t *node, const char *key, long *v, size_t *n)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_node(r, node, key, "expected a list of integers, got %s", node_kind(node));
    if (seq_len(node) > CR_MODEL_CLASSES_MAX)
        return fail_node(r, node, key, "expected at most %d integers, got %zu", CR_MODEL_CLASSES_MAX, seq_len(node));
    *n = seq_len(node);
    for (size_t j = 0; j < *n; j++) {
        const yaml_node_t *it = seq_item(r, node, j);
        const char *s = scalar(r, it, key, "an integer");
        if (!s) return CR_EINPUT;
        const char *dg = s + (s[0] == '-');
        size_t len = strlen(dg);
        if (len == 0 || len > 12 || strspn(dg, "0123456789") != len)
            return fail_node(r, it, key, "expected an integer, got \"%.40s\"", s);
        v[j] = strtol(s, NULL, 10);
    }
    return CR_OK;
}

/* The input section into *in (mean and scale allocated here), checked against the model's d. */
static int read_input(const reader *r, yaml_node_t *node, size_t d, cr_model_input *in)
{
    if (node->type != YAML_MAPPING_NODE)
        return fail_node(r, node, "input", "expected a mapping of keys, got %s", node_kind(node));
    yaml_node_t *v[NI] = {0};
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(r->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) return fail_node(r, k, "input", "expected a key, got %s", node_kind(k));
        const char *name = (const char *)k->data.scalar.value;
        int i = 0;
        while (i < NI && strcmp(input_names[i], name) != 0) i++;
        if (i == NI) return fail_node(r, k, name, "unknown key of input (docs/fit.md)");
        if (v[i]) return fail_node(r, k, name, "key given twice");
        v[i] = yaml_document_get_node(r->doc, p->value);
    }
    for (int i = 0; i < NI; i++)
        if (!v[i]) return fail_node(r, node, "input", "required key %s missing", input_names[i]);
    static const char *const yesno[] = {"no", "yes"}, *const keepmap[] = {"keep", "map"};
    int src = 0, dl = 0, hd = 0, l01 = 0, sd = 0, bias = 0;
    size_t skip = 0, proj = 0, draw = 0;
    int st = read_name(r, v[I_SOURCE], "input.source", source_names, 3, &src);
    if (!st) st = read_name(r, v[I_DELIM], "input.delimiter", delim_names, 3, &dl);
    if (!st) st = read_name(r, v[I_HEADER], "input.header", header_names, 3, &hd);
    if (!st) st = read_count(r, v[I_SKIP], "input.skip_rows", 0, &skip);
    const char *lc = st ? NULL : scalar(r, v[I_LABEL], "input.label_column", "a string");
    if (!st && !lc) st = CR_EINPUT;
    if (!st && strlen(lc) >= sizeof in->label_column)
        st = fail_node(r, v[I_LABEL], "input.label_column", "longer than %zu characters", sizeof in->label_column - 1);
    if (!st) st = read_name(r, v[I_LABELS01], "input.labels01", keepmap, 2, &l01);
    if (!st) st = read_longs(r, v[I_NEG], "input.classes_neg", in->classes_neg, &in->nneg);
    if (!st) st = read_longs(r, v[I_POS], "input.classes_pos", in->classes_pos, &in->npos);
    if (!st) st = read_count(r, v[I_PROJECT], "input.project_d", 0, &proj);
    if (!st) st = read_count(r, v[I_DRAW], "input.d_raw", proj ? 0 : 1, &draw);
    if (!st) st = read_name(r, v[I_STD], "input.standardize", yesno, 2, &sd);
    if (!st) st = read_name(r, v[I_BIAS], "input.bias", yesno, 2, &bias);
    const size_t inner = proj ? proj : draw;
    if (!st && inner + (size_t)bias != d)
        st = fail_node(r, v[I_DRAW], "input.d_raw",
                       "%zu features%s%s do not make the model's d = %zu", inner, proj ? " (project_d)" : "",
                       bias ? " and the bias" : "", d);
    const size_t ns = sd ? inner : 0;
    if (!st) st = expect_list(r, v[I_MEAN], "input.mean", ns, sd ? "numbers (the standardized features)" : "numbers (standardize: no)");
    if (!st) st = expect_list(r, v[I_SCALE], "input.scale", ns, sd ? "numbers (the standardized features)" : "numbers (standardize: no)");
    if (st) return st;
    in->recorded = 1;
    in->source = src;
    in->delimiter = delim_chars[dl];
    in->header = hd;
    in->skip_rows = (long)skip;
    strcpy(in->label_column, lc);
    in->labels01 = l01;
    in->project_d = (long)proj;
    in->d_raw = draw;
    in->bias = bias;
    if (!sd) return CR_OK;
    in->mean = malloc(ns * sizeof(double));
    in->scale = malloc(ns * sizeof(double));
    if (!in->mean || !in->scale) return cr_err_set(r->err, CR_ERUNTIME, "%s: out of memory", r->path);
    for (size_t j = 0; !st && j < ns; j++) {
        st = read_number(r, seq_item(r, v[I_MEAN], j), "input.mean", &in->mean[j]);
        if (!st) st = read_number(r, seq_item(r, v[I_SCALE], j), "input.scale", &in->scale[j]);
        if (!st && !(in->scale[j] > 0))
            st = fail_node(r, seq_item(r, v[I_SCALE], j), "input.scale", "expected a number > 0, got %g", in->scale[j]);
    }
    return st;
}

/* The whole regular file path into *text. */
static int read_file(const char *path, unsigned char **text, size_t *len, cr_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return cr_err_set(err, CR_EINPUT, "%s: cannot open the model: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return cr_err_set(err, CR_EINPUT, "%s: the model is not a regular file", path);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return cr_err_set(err, CR_ERUNTIME, "%s: cannot open the model: %s", path, strerror(errno));
    }
    *text = (unsigned char *)cr_fs_read_all(f, len);
    int e = errno;
    fclose(f);
    if (!*text)
        return cr_err_set(err, e == ENOMEM ? CR_ERUNTIME : CR_EINPUT, "%s: cannot read the model: %s", path,
                          strerror(e));
    return CR_OK;
}

int cr_model_read(const char *path, cr_model **out, cr_err *err)
{
    *out = NULL;
    unsigned char *text = NULL;
    size_t len = 0;
    int st = read_file(path, &text, &len, err);
    if (st) return st;
    yaml_document_t doc;
    st = cr_yaml_load(path, text, len, &doc, err);
    free(text);
    if (st) return st;
    reader r = {.path = path, .doc = &doc, .err = err};
    yaml_node_t *val[NK] = {0};
    cr_model head = {0}, *M = NULL;
    size_t d = 0, m = 0, n = 0;
    st = collect(&r, yaml_document_get_root_node(&doc), val);
    if (!st) st = read_header(&r, val, &head, &d, &m, &n);
    if (!st) st = check_shapes(&r, val, d, m, n);
    if (!st && !(M = cr_model_alloc(d, m, n))) st = cr_err_set(err, CR_ERUNTIME, "%s: out of memory", path);
    if (!st) {
        M->kind = head.kind;
        M->loss = head.loss;
        M->beta = head.beta;
        M->objective = head.objective;
        st = read_values(&r, val, M);
    }
    if (!st && val[K_INPUT]) st = read_input(&r, val[K_INPUT], d, &M->input);
    yaml_document_delete(&doc);
    if (st) {
        cr_model_free(M);
        return st;
    }
    *out = M;
    return CR_OK;
}

/* ------------------------------------------------------------------ comparing, predicting */

int cr_model_identical(const cr_model *a, const cr_model *b)
{
    if (a->kind != b->kind || a->loss != b->loss || a->d != b->d || a->m != b->m || a->n_train != b->n_train)
        return 0;
    if (memcmp(&a->beta, &b->beta, sizeof a->beta) || memcmp(&a->objective, &b->objective, sizeof a->objective))
        return 0;
    const cr_model_input *p = &a->input, *q = &b->input;
    if (p->recorded != q->recorded || p->source != q->source || p->delimiter != q->delimiter ||
        p->header != q->header || p->skip_rows != q->skip_rows || strcmp(p->label_column, q->label_column) ||
        p->labels01 != q->labels01 || p->nneg != q->nneg || p->npos != q->npos || p->project_d != q->project_d ||
        p->d_raw != q->d_raw || p->bias != q->bias || !p->mean != !q->mean)
        return 0;
    if (memcmp(p->classes_neg, q->classes_neg, p->nneg * sizeof(long)) ||
        memcmp(p->classes_pos, q->classes_pos, p->npos * sizeof(long)))
        return 0;
    if (p->mean && (memcmp(p->mean, q->mean, inner_d(p) * sizeof(double)) ||
                    memcmp(p->scale, q->scale, inner_d(p) * sizeof(double))))
        return 0;
    if (a->m == 0) return 1;
    return memcmp(a->net->theta, b->net->theta, cr_net_size(a->net) * sizeof(double)) == 0 &&
           memcmp(a->patterns, b->patterns, a->m * a->words * sizeof(uint64_t)) == 0;
}

int cr_model_predict(const cr_model *M, const double *X, size_t n, double *f, cr_err *err)
{
    if (M->m == 0 || n == 0) {
        for (size_t i = 0; i < n; i++) f[i] = 0.0;
        return CR_OK;
    }
    cr_net_work *w = cr_net_work_alloc(n, M->d, M->m);
    if (!w) return cr_err_set(err, CR_ERUNTIME, "out of memory for predicting %zu samples", n);
    int st = cr_net_forward(M->net, X, n, w, f);
    cr_net_work_free(w);
    if (st) return cr_err_set(err, CR_ERUNTIME, "forward pass failed (shape mismatch)");
    return CR_OK;
}
