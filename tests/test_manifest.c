/* Tests of src/harness/manifest.c: the manifest.yaml it writes is read back with libyaml (not with the program's
 * own reader) and holds the keys docs/README.md lists, in that order, with the values passed in: a command line
 * and a config path full of quotes, colons, hashes, backslashes, tabs, newlines and non-ASCII text come back
 * byte for byte; seeds from a config file written here; OpenBLAS's, GSL's and libyaml's versions as those
 * libraries report them; the start time within the test's own clock readings; optional keys (error, timings)
 * only when given. The file is written whole (no temporary left), and not at all into a missing folder. */
#include "testutil.h"

#include <cblas.h>
#include <dirent.h>
#include <time.h>

#include <gsl/gsl_version.h>
#include <yaml.h>

#include "config.h"
#include "manifest.h"
#include "run.h"

/* ------------------------------------------------------------------------ reading it back with libyaml */

enum { MAXKEYS = 32 };

typedef struct {
    size_t n;
    char key[MAXKEYS][64];
    char *val[MAXKEYS];              /* scalar value, or NULL for a mapping */
    size_t nsub;                     /* the one nested mapping (timings_seconds) */
    char subkey[8][64], subval[8][64];
} doc;

static void doc_free(doc *d)
{
    for (size_t i = 0; i < d->n; i++) free(d->val[i]);
}

static const char *get(const doc *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->key[i], key) == 0) return d->val[i] ? d->val[i] : "(mapping)";
    return NULL;
}

static const char *scalar(yaml_document_t *y, yaml_node_t *node)
{
    assert_int_equal(node->type, YAML_SCALAR_NODE);
    (void)y;
    return (const char *)node->data.scalar.value;
}

static void load(const char *path, doc *d)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    yaml_parser_t p;
    yaml_document_t y;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_file(&p, f);
    if (!yaml_parser_load(&p, &y)) fail_msg("%s: libyaml: %s", path, p.problem ? p.problem : "error");
    yaml_node_t *root = yaml_document_get_root_node(&y);
    assert_non_null(root);
    assert_int_equal(root->type, YAML_MAPPING_NODE);
    for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
        assert_true(d->n < MAXKEYS);
        yaml_node_t *k = yaml_document_get_node(&y, q->key), *v = yaml_document_get_node(&y, q->value);
        snprintf(d->key[d->n], sizeof d->key[0], "%s", scalar(&y, k));
        if (v->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *s = v->data.mapping.pairs.start; s < v->data.mapping.pairs.top; s++) {
                assert_true(d->nsub < 8);
                snprintf(d->subkey[d->nsub], 64, "%s", scalar(&y, yaml_document_get_node(&y, s->key)));
                snprintf(d->subval[d->nsub++], 64, "%s", scalar(&y, yaml_document_get_node(&y, s->value)));
            }
            d->val[d->n++] = NULL;
        } else {
            d->val[d->n] = strdup(scalar(&y, v));
            assert_non_null(d->val[d->n++]);
        }
    }
    yaml_document_delete(&y);
    yaml_parser_delete(&p);
    fclose(f);
}

/* The keys of docs/README.md's manifest row, in order; error and timings_seconds only when present. */
static void expect_keys(const doc *d, int with_error, int with_timings)
{
    const char *all[] = {"cvxrelu_version", "git_commit", "command",     "config",        "experiment",
                         "seed",            "data_seed",  "blas_threads", "blas_config",  "gsl_version",
                         "libyaml_version", "compiler",   "rng",          "started_utc",  "wall_seconds",
                         "status",          "error",      "claims",       "claims_failed", "timings_seconds"};
    size_t j = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if ((!with_error && strcmp(all[i], "error") == 0) || (!with_timings && strcmp(all[i], "timings_seconds") == 0))
            continue;
        if (j >= d->n || strcmp(d->key[j], all[i]) != 0)
            fail_msg("key %zu: \"%s\", expected \"%s\"", j, j < d->n ? d->key[j] : "(none)", all[i]);
        j++;
    }
    assert_int_equal(j, d->n);
}

/* ----------------------------------------------------------------------------------------------- tests */

/* Writes a config whose path needs quoting (quote, colon, hash, non-ASCII) into dir and loads it. */
static void load_config(const char *dir, char *cfgpath, size_t cap, cr_config *cfg)
{
    snprintf(cfgpath, cap, "%s/we\"ird: #name \xc3\xa9.yaml", dir);
    FILE *f = fopen(cfgpath, "w");
    assert_non_null(f);
    fputs("experiment: landscape\nseed: 123\ndata:\n  seed: 77\n", f);
    assert_int_equal(fclose(f), 0);
    cr_err e;
    if (cr_config_load(cfgpath, NULL, 0, cfg, &e)) fail_msg("%s", e.msg);
}

/* st is ISO 8601 UTC ("YYYY-MM-DDTHH:MM:SSZ") of a time in [before, after]. */
static void expect_utc_between(const char *st, time_t before, time_t after)
{
    struct tm tm = {0};
    int used = 0;
    assert_int_equal(sscanf(st, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                            &tm.tm_min, &tm.tm_sec, &used), 6);
    assert_true(used == 20 && st[used] == 0);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    assert_true(t >= before && t <= after);
}

static const char *COMMAND = "cvxrelu run 'a \"b\": #c' --set x=\\y\t\xc3\xa9\xe2\x88\x9a\nend";

static void test_full_manifest(void **state)
{
    (void)state;
    char dir[256], cfgpath[512], out[300], names[512];
    crt_tmpdir(dir);
    cr_config cfg;
    cr_err e;
    load_config(dir, cfgpath, sizeof cfgpath, &cfg);
    snprintf(out, sizeof out, "%s/out", dir);
    assert_int_equal(mkdir(out, 0777), 0);
    cr_run *run = cr_run_alloc(out, 1);
    assert_non_null(run);
    cr_run_timing(run, "solve", 1.25);
    cr_run_timing(run, "io", 0.000125);

    cr_manifest m = {.cfg = &cfg, .command = COMMAND, .wall_seconds = 12.3456, .blas_threads = 3,
                     .status = "failed", .error = "f.yaml:3:1: bad: \"x\"\n# y", .claims = 5, .claims_failed = 2,
                     .run = run};
    time_t before = time(NULL);
    cr_manifest_start(&m);
    time_t after = time(NULL);
    char path[400];
    snprintf(path, sizeof path, "%s/manifest.yaml", out);
    assert_int_equal(cr_manifest_write(&m, out, &e), CR_OK);
    crt_list_dir(out, names, sizeof names, " ");
    assert_string_equal(names, "manifest.yaml");

    doc d;
    load(path, &d);
    expect_keys(&d, 1, 1);
    assert_string_equal(get(&d, "cvxrelu_version"), CR_VERSION);
    assert_string_equal(get(&d, "git_commit"), cr_manifest_git_commit());
    assert_string_equal(get(&d, "command"), COMMAND);
    assert_string_equal(get(&d, "config"), cfgpath);
    assert_string_equal(get(&d, "experiment"), "landscape");
    assert_string_equal(get(&d, "seed"), "123");
    assert_string_equal(get(&d, "data_seed"), "77");
    assert_string_equal(get(&d, "blas_threads"), "3");
    assert_string_equal(get(&d, "blas_config"), openblas_get_config());
    assert_string_equal(get(&d, "gsl_version"), GSL_VERSION);
    assert_string_equal(get(&d, "libyaml_version"), yaml_get_version_string());
    assert_true(strncmp(get(&d, "compiler"), "gcc ", 4) == 0);
    assert_string_equal(get(&d, "wall_seconds"), "12.346");
    assert_string_equal(get(&d, "status"), "failed");
    assert_string_equal(get(&d, "error"), "f.yaml:3:1: bad: \"x\"\n# y");
    assert_string_equal(get(&d, "claims"), "5");
    assert_string_equal(get(&d, "claims_failed"), "2");
    assert_int_equal(d.nsub, 2);
    assert_string_equal(d.subkey[0], "solve");
    assert_string_equal(d.subval[0], "1.250000");
    assert_string_equal(d.subkey[1], "io");
    assert_string_equal(d.subval[1], "0.000125");
    /* The start time: ISO 8601 UTC, between the two readings of the clock around cr_manifest_start. */
    const char *st = get(&d, "started_utc");
    assert_string_equal(st, m.started_utc);
    expect_utc_between(st, before, after);
    doc_free(&d);

    /* A rerun replaces the file: no error, no timings, status ok. */
    m.status = "ok";
    m.error = NULL;
    m.run = NULL;
    m.claims_failed = 0;
    assert_int_equal(cr_manifest_write(&m, out, &e), CR_OK);
    load(path, &d);
    expect_keys(&d, 0, 0);
    assert_string_equal(get(&d, "status"), "ok");
    assert_string_equal(get(&d, "claims_failed"), "0");
    doc_free(&d);
    crt_list_dir(out, names, sizeof names, " ");
    assert_string_equal(names, "manifest.yaml");
    cr_run_free(run);
    crt_rmtree(dir);
}

static void test_git_commit_form(void **state)
{
    (void)state;
    const char *c = cr_manifest_git_commit();
    if (strcmp(c, "unknown") == 0) return;
    size_t k = strspn(c, "0123456789abcdef");
    assert_int_equal(k, 12);
    assert_true(c[12] == 0 || strcmp(c + 12, "-dirty") == 0);
}

static void test_missing_folder(void **state)
{
    (void)state;
    char dir[256], out[300], names[64];
    crt_tmpdir(dir);
    cr_config cfg;
    cr_config_defaults(&cfg);
    cr_manifest m = {.cfg = &cfg, .command = "x", .status = "ok"};
    cr_manifest_start(&m);
    snprintf(out, sizeof out, "%s/absent", dir);
    cr_err e;
    assert_int_equal(cr_manifest_write(&m, out, &e), CR_ERUNTIME);
    assert_non_null(strstr(e.msg, "absent"));
    crt_list_dir(dir, names, sizeof names, " ");
    assert_string_equal(names, "");
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_manifest),
        cmocka_unit_test(test_git_commit_form),
        cmocka_unit_test(test_missing_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
