/* Tests of src/harness/config.c: defaults, `--set` overrides and their messages, the suggestion of near keys,
 * relative data paths, the resolved dump (round trip), agreement of the experiment enum with the registry,
 * the memory guard kept out of the loader, and every fixture of tests/bad_configs/ loaded and checked in-process
 * as the program checks a config before its data (first line "# expect: FRAGMENT").
 * Expected values come from the schema's documented defaults and ranges and from the YAML text, never from
 * running the code. */
#include "testutil.h"

#include <glob.h>
#include <limits.h>
#include <math.h>
#include <time.h>

#include "config.h"
#include "memlimit.h"
#include "rng.h"
#include "../experiments/experiments.h"

/* ------------------------------------------------------------------ helpers */

/* Writes text to DIR/name and loads it; returns the status, err and cfg filled. */
static int load_text(const char *dir, const char *name, const char *text, const char *const *sets, size_t nset,
                     cr_config *cfg, cr_err *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    crt_write_text(path, text);
    return cr_config_load(path, sets, nset, cfg, err);
}

static void expect_prefix(const char *msg, const char *prefix)
{
    if (strncmp(msg, prefix, strlen(prefix)) != 0) fail_msg("message \"%s\"\n does not start with \"%s\"", msg, prefix);
}

static void expect_contains(const char *msg, const char *part)
{
    if (!strstr(msg, part)) fail_msg("message \"%s\"\n does not contain \"%s\"", msg, part);
}

static void expect_not_contains(const char *msg, const char *part)
{
    if (strstr(msg, part)) fail_msg("message \"%s\"\n should not contain \"%s\"", msg, part);
}

/* Field-by-field equality of everything but file, dir and stem (which name where the config came from). */
static void assert_config_equal(const cr_config *a, const cr_config *b)
{
    assert_int_equal(a->experiment, b->experiment);
    assert_int_equal(a->seed, b->seed);
    assert_int_equal(a->threads, b->threads);
    assert_int_equal(a->data.kind, b->data.kind);
    assert_int_equal(a->data.n, b->data.n);
    assert_int_equal(a->data.d, b->data.d);
    assert_int_equal(a->data.seed, b->data.seed);
    assert_int_equal(a->data.labels, b->data.labels);
    assert_true(a->data.noise == b->data.noise);
    assert_int_equal(a->data.planted_width, b->data.planted_width);
    assert_true(a->data.cone_deg == b->data.cone_deg);
    assert_true(a->data.between_deg == b->data.between_deg);
    assert_string_equal(a->data.path, b->data.path);
    assert_int_equal(a->patterns.method, b->patterns.method);
    assert_int_equal(a->patterns.samples, b->patterns.samples);
    assert_int_equal(a->count.n.len, b->count.n.len);
    for (size_t i = 0; i < a->count.n.len; i++) assert_int_equal(a->count.n.v[i], b->count.n.v[i]);
    assert_int_equal(a->count.d.len, b->count.d.len);
    for (size_t i = 0; i < a->count.d.len; i++) assert_int_equal(a->count.d.v[i], b->count.d.v[i]);
    assert_int_equal(a->count.samples, b->count.samples);
    assert_true(a->landscape.x == b->landscape.x);
    assert_true(a->landscape.y == b->landscape.y);
    assert_true(a->landscape.beta == b->landscape.beta);
    assert_true(a->landscape.range == b->landscape.range);
    assert_int_equal(a->landscape.grid, b->landscape.grid);
}

static void assert_list(const cr_intlist *l, const long *v, size_t n)
{
    assert_int_equal(l->len, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(l->v[i], v[i]);
}

/* The dump without its first line (a comment naming the file it came from). */
static const char *after_first_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    assert_non_null(nl);
    return nl + 1;
}

/* ------------------------------------------------------------------ defaults */

/* The defaults the schema documents (config.h comments and the key reference). */
static void test_defaults(void **state)
{
    (void)state;
    cr_config c;
    memset(&c, 0x5a, sizeof c);
    cr_config_defaults(&c);
    assert_int_equal(c.experiment, CR_EXP_NONE);
    assert_int_equal(c.seed, 1);
    assert_int_equal(c.threads, 1);
    assert_int_equal(c.data.kind, CR_CONFIG_DATA_GAUSSIAN);
    assert_int_equal(c.data.n, 20);
    assert_int_equal(c.data.d, 2);
    assert_int_equal(c.data.seed, -1);
    assert_int_equal(c.data.labels, CR_LABELS_PLANTED);
    assert_true(c.data.noise == 0.1);
    assert_int_equal(c.data.planted_width, 3);
    assert_true(c.data.cone_deg == 20.0);
    assert_true(c.data.between_deg == 135.0);
    assert_string_equal(c.data.path, "");
    assert_int_equal(c.patterns.method, CR_CONFIG_PATTERNS_EXACT);
    assert_int_equal(c.patterns.samples, 1000);
    const long cn[] = {4, 8, 16, 32, 64, 128}, cd[] = {2, 3, 4};
    assert_list(&c.count.n, cn, 6);
    assert_list(&c.count.d, cd, 3);
    assert_int_equal(c.count.samples, 1000);
    assert_true(c.landscape.x == 1.0 && c.landscape.y == 1.0 && c.landscape.beta == 1.0);
    assert_true(c.landscape.range == 2.0);
    assert_int_equal(c.landscape.grid, 201);
}

/* A file with only the experiment gets every default, and the data seed derived from the master seed. */
static void test_load_minimal_fills_defaults(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    cr_config c, d;
    cr_err err = {{0}};
    int st = load_text(dir, "minimal.yaml", "experiment: landscape\n", NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    cr_config_defaults(&d);
    assert_int_equal(c.experiment, CR_EXP_LANDSCAPE);
    d.experiment = CR_EXP_LANDSCAPE;
    /* data.seed -1 means "derive from seed": the loaded value is the derived one, within the key's range. */
    assert_int_equal(c.data.seed, (long)cr_rng_derive(1, "data"));
    assert_true(c.data.seed >= 0 && c.data.seed <= 2147483647L);
    d.data.seed = c.data.seed;
    assert_config_equal(&c, &d);
    assert_string_equal(c.stem, "minimal");
    assert_string_equal(c.dir, dir);

    /* An explicit data seed is kept; another master seed derives another data seed. */
    st = load_text(dir, "seeded.yaml", "experiment: landscape\nseed: 7\ndata:\n  seed: 5\n", NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.data.seed, 5);
    assert_int_equal(c.seed, 7);
    st = load_text(dir, "seed7.yaml", "experiment: landscape\nseed: 7\n", NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.data.seed, (long)cr_rng_derive(7, "data"));
    crt_rmtree(dir);
}

/* Every value the file gives lands in its field (one of each type, nested and top level). */
static void test_load_values(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    cr_config c;
    cr_err err = {{0}};
    const char *text = "# a comment\n"
                       "experiment: arrangement_count\n"
                       "seed: 42\n"
                       "threads: 2\n"
                       "data:\n"
                       "  kind: orthsep\n"
                       "  n: 30\n"
                       "  d: 3\n"
                       "  seed: 0\n"
                       "  labels: sign\n"
                       "  noise: 0.25\n"
                       "  planted_width: 5\n"
                       "  cone_deg: 10.5\n"
                       "  between_deg: 150\n"
                       "patterns: {method: sample, samples: 77}\n"
                       "count:\n"
                       "  n:\n"
                       "    - 5\n"
                       "    - 6\n"
                       "  d: [2, 3]\n"
                       "  samples: 9\n"
                       "landscape:\n"
                       "  x: 0.5\n"
                       "  y: -0\n"
                       "  beta: 2e-1\n"
                       "  range: 3\n"
                       "  grid: 11\n";
    int st = load_text(dir, "values.yaml", text, NULL, 0, &c, &err);
    /* landscape.y = -0 is below its minimum 1e-6: an error at line 24, column 6 (the value). */
    assert_int_equal(st, CR_EINPUT);
    char want[512];
    snprintf(want, sizeof want, "%s/values.yaml:24:6: landscape.y: expected a number in [1e-06, 1e+06], got \"-0\"", dir);
    assert_string_equal(err.msg, want);

    char *fixed = strdup(text);
    assert_non_null(fixed);
    char *y = strstr(fixed, "y: -0");
    assert_non_null(y);
    memcpy(y, "y: 4 ", 5);
    st = load_text(dir, "values.yaml", fixed, NULL, 0, &c, &err);
    free(fixed);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.experiment, CR_EXP_ARRANGEMENT_COUNT);
    assert_int_equal(c.seed, 42);
    assert_int_equal(c.threads, 2);
    assert_int_equal(c.data.kind, CR_CONFIG_DATA_ORTHSEP);
    assert_int_equal(c.data.n, 30);
    assert_int_equal(c.data.d, 3);
    assert_int_equal(c.data.seed, 0);
    assert_int_equal(c.data.labels, CR_LABELS_SIGN);
    assert_true(c.data.noise == 0.25);
    assert_int_equal(c.data.planted_width, 5);
    assert_true(c.data.cone_deg == 10.5);
    assert_true(c.data.between_deg == 150.0);
    assert_int_equal(c.patterns.method, CR_CONFIG_PATTERNS_SAMPLE);
    assert_int_equal(c.patterns.samples, 77);
    const long cn[] = {5, 6}, cd[] = {2, 3};
    assert_list(&c.count.n, cn, 2);
    assert_list(&c.count.d, cd, 2);
    assert_int_equal(c.count.samples, 9);
    assert_true(c.landscape.x == 0.5);
    assert_true(c.landscape.y == 4.0);
    assert_true(c.landscape.beta == 0.2);
    assert_true(c.landscape.range == 3.0);
    assert_int_equal(c.landscape.grid, 11);
    crt_rmtree(dir);
}

/* Inclusive ranges: both ends accepted, one step outside refused. */
static void test_range_bounds(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    const char *ok[] = {"threads=1", "threads=64", "data.n=1", "data.n=1000000", "data.seed=-1",
                        "data.seed=2147483647", "seed=0", "seed=2147483647", "data.noise=0", "data.noise=1e6",
                        "data.cone_deg=0", "data.cone_deg=44", "data.between_deg=90", "data.between_deg=180",
                        "landscape.grid=11", "landscape.grid=2001", "landscape.range=0.001", "landscape.range=1000",
                        "count.n=1,5000", "count.d=1,10", "patterns.samples=100000000", "landscape.x=1e-6"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (cr_config_set(&c, ok[i], &err) != CR_OK) fail_msg("%s refused: %s", ok[i], err.msg);
    assert_int_equal(c.threads, 64);
    assert_int_equal(c.seed, 2147483647L);
    assert_true(c.data.noise == 1e6);
    const char *bad[] = {"threads=65", "data.n=1000001", "data.seed=-2", "data.seed=2147483648", "seed=-1",
                         "seed=2147483648", "data.noise=-1e-300", "data.noise=1000000.0001", "data.cone_deg=44.0001",
                         "data.between_deg=89.999", "data.between_deg=180.001", "landscape.grid=10",
                         "landscape.grid=2002", "landscape.range=0.0009", "count.n=0", "count.n=5001", "count.d=11",
                         "patterns.samples=0", "landscape.x=0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        if (cr_config_set(&c, bad[i], &err) != CR_EINPUT) fail_msg("%s accepted", bad[i]);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "--set %s: ", bad[i]);
        expect_prefix(err.msg, prefix);
        expect_contains(err.msg, ": expected ");
    }
    /* The refused values left the accepted ones in place. */
    assert_int_equal(c.threads, 64);
    assert_int_equal(c.landscape.grid, 2001);
    const long cn[] = {1, 5000};
    assert_list(&c.count.n, cn, 2);
}

/* ------------------------------------------------------------------ --set */

static void test_set_applies(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "data.n=7", &err), CR_OK);
    assert_int_equal(c.data.n, 7);
    assert_int_equal(cr_config_set(&c, "experiment=landscape", &err), CR_OK);
    assert_int_equal(c.experiment, CR_EXP_LANDSCAPE);
    assert_int_equal(cr_config_set(&c, "data.noise=0.125", &err), CR_OK);
    assert_true(c.data.noise == 0.125);
    assert_int_equal(cr_config_set(&c, "data.kind=csv", &err), CR_OK);
    assert_int_equal(c.data.kind, CR_CONFIG_DATA_CSV);
    /* The value is everything after the first '='. */
    assert_int_equal(cr_config_set(&c, "data.path=/tmp/a=b.csv", &err), CR_OK);
    assert_string_equal(c.data.path, "/tmp/a=b.csv");
    /* A later --set replaces an earlier one. */
    assert_int_equal(cr_config_set(&c, "data.n=9", &err), CR_OK);
    assert_int_equal(c.data.n, 9);
}

static void test_set_lists(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    const long v48[] = {4, 8}, v16[] = {16}, v3[] = {2, 3, 4};
    assert_int_equal(cr_config_set(&c, "count.n=4,8", &err), CR_OK);
    assert_list(&c.count.n, v48, 2);
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "count.n=[4,8]", &err), CR_OK);
    assert_list(&c.count.n, v48, 2);
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "count.n=[ 4 , 8 ]", &err), CR_OK);
    assert_list(&c.count.n, v48, 2);
    assert_int_equal(cr_config_set(&c, "count.n=16", &err), CR_OK);
    assert_list(&c.count.n, v16, 1);
    assert_int_equal(cr_config_set(&c, "count.d=2,3,4", &err), CR_OK);
    assert_list(&c.count.d, v3, 3);

    /* Bad lists leave the list as it was. */
    assert_int_equal(cr_config_set(&c, "count.n=4,0", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set count.n=4,0: count.n: expected a list of integers in [1, 5000], got item \"0\"");
    assert_int_equal(cr_config_set(&c, "count.n=[4,x]", &err), CR_EINPUT);
    expect_prefix(err.msg, "--set count.n=[4,x]: count.n: expected a list of integers in [1, 5000], got item ");
    expect_contains(err.msg, "x\"");
    assert_int_equal(cr_config_set(&c, "count.n=[]", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set count.n=[]: count.n: expected a list of integers in [1, 5000], got an empty list");
    assert_int_equal(cr_config_set(&c, "count.n=", &err), CR_EINPUT);
    expect_prefix(err.msg, "--set count.n=: count.n: expected a list of integers in [1, 5000]");
    assert_list(&c.count.n, v16, 1);

    /* At most CR_LIST_MAX items. */
    char big[1024] = "count.n=";
    for (int i = 0; i < CR_LIST_MAX + 1; i++) snprintf(big + strlen(big), sizeof big - strlen(big), "%s%d", i ? "," : "", i + 1);
    assert_int_equal(cr_config_set(&c, big, &err), CR_EINPUT);
    assert_list(&c.count.n, v16, 1);
}

/* An empty item is not an integer: refused, not dropped. */
static void test_set_list_empty_item(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    const long v3[] = {2, 3, 4};
    int st = cr_config_set(&c, "count.d=4,,8", &err);
    if (st != CR_EINPUT) fail_msg("count.d=4,,8 accepted (as a list of %zu items)", c.count.d.len);
    assert_string_equal(err.msg, "--set count.d=4,,8: count.d: expected a list of integers in [1, 10], got item \"\"");
    assert_list(&c.count.d, v3, 3);
}

static void test_set_errors(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    assert_int_equal(cr_config_set(&c, "data.n=abc", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data.n=abc: data.n: expected an integer in [1, 1000000], got \"abc\"");
    assert_int_equal(cr_config_set(&c, "data.n=2.5", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data.n=2.5: data.n: expected an integer in [1, 1000000], got \"2.5\"");
    assert_int_equal(cr_config_set(&c, "data.n=", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data.n=: data.n: expected an integer in [1, 1000000], got \"\"");
    assert_int_equal(cr_config_set(&c, "data.noise=nan", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data.noise=nan: data.noise: expected a number in [0, 1e+06], got \"nan\"");
    assert_int_equal(cr_config_set(&c, "landscape.range=inf", &err), CR_EINPUT);
    expect_prefix(err.msg, "--set landscape.range=inf: landscape.range: expected a number in [0.001, 1000]");
    assert_int_equal(cr_config_set(&c, "data.noise=1e999", &err), CR_EINPUT);
    assert_int_equal(cr_config_set(&c, "data.kind=normal", &err), CR_EINPUT);
    assert_string_equal(err.msg,
                        "--set data.kind=normal: data.kind: expected one of gaussian|orthsep|slide|csv|idx, got \"normal\"");
    assert_int_equal(cr_config_set(&c, "data.kind=", &err), CR_EINPUT);
    assert_int_equal(cr_config_set(&c, "data.kind=gaussian|orthsep", &err), CR_EINPUT);
    assert_int_equal(cr_config_set(&c, "patterns.method=Exact", &err), CR_EINPUT);
    expect_contains(err.msg, "patterns.method: expected one of exact|sample|file, got \"Exact\"");
    assert_int_equal(cr_config_set(&c, "data.labels=signs", &err), CR_EINPUT);
    expect_contains(err.msg, "data.labels: expected one of planted|sign");

    /* Unknown keys, with and without a near key. */
    assert_int_equal(cr_config_set(&c, "data.nosie=1", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data.nosie=1: data.nosie: unknown key (did you mean data.noise?)");
    assert_int_equal(cr_config_set(&c, "landscape.gird=5", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set landscape.gird=5: landscape.gird: unknown key (did you mean landscape.grid?)");
    assert_int_equal(cr_config_set(&c, "foo.bar=1", &err), CR_EINPUT);
    expect_prefix(err.msg, "--set foo.bar=1: foo.bar: unknown key");
    expect_not_contains(err.msg, "did you mean");

    /* Missing '=', empty key, a section given as a key. */
    assert_int_equal(cr_config_set(&c, "data.n", &err), CR_EINPUT);
    expect_prefix(err.msg, "--set data.n: expected key.path=value");
    assert_int_equal(cr_config_set(&c, "=5", &err), CR_EINPUT);
    expect_contains(err.msg, "expected key.path=value");
    assert_int_equal(cr_config_set(&c, "", &err), CR_EINPUT);
    assert_int_equal(cr_config_set(&c, "data=5", &err), CR_EINPUT);
    assert_string_equal(err.msg, "--set data=5: data is a section; set one of its keys");
    assert_int_equal(cr_config_set(&c, "landscape=1", &err), CR_EINPUT);
    expect_contains(err.msg, "landscape is a section");

    /* Nothing changed on the way. */
    cr_config d;
    cr_config_defaults(&d);
    assert_config_equal(&c, &d);
}

/* Overrides passed to cr_config_load apply after the file; their errors name the --set. */
static void test_load_with_sets(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    cr_config c;
    cr_err err = {{0}};
    const char *text = "experiment: arrangement_count\ndata:\n  n: 5\ncount:\n  n: [4]\n";
    const char *sets[] = {"data.n=7", "count.n=[8,16]", "seed=3"};
    int st = load_text(dir, "c.yaml", text, sets, 3, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.data.n, 7);
    const long v[] = {8, 16};
    assert_list(&c.count.n, v, 2);
    assert_int_equal(c.seed, 3);
    assert_int_equal(c.data.seed, (long)cr_rng_derive(3, "data"));

    /* A bad override fails the load and is named as such. */
    const char *bad[] = {"data.n=abc"};
    st = load_text(dir, "c.yaml", text, bad, 1, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    assert_string_equal(err.msg, "--set data.n=abc: data.n: expected an integer in [1, 1000000], got \"abc\"");

    /* The experiment may come from --set alone. */
    const char *exp[] = {"experiment=landscape"};
    st = load_text(dir, "noexp.yaml", "seed: 2\n", exp, 1, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.experiment, CR_EXP_LANDSCAPE);

    /* Cross-field errors name the --set that caused them. */
    const char *orth[] = {"data.between_deg=100"};
    st = load_text(dir, "orth.yaml", "experiment: arrangements\ndata:\n  kind: orthsep\n", orth, 1, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    expect_prefix(err.msg, "--set data.between_deg: ");
    expect_contains(err.msg, "expected a number >= 90 + 2 data.cone_deg = 130 for orthogonally separable data, got 100");

    /* ... and the file position when it came from the file, even if --set changed another key. */
    const char *cone[] = {"data.cone_deg=30"};
    st = load_text(dir, "orth2.yaml", "experiment: arrangements\ndata:\n  kind: orthsep\n  between_deg: 140\n", cone, 1,
                   &c, &err);
    assert_int_equal(st, CR_EINPUT);
    char want[512];
    snprintf(want, sizeof want, "%s/orth2.yaml:4:3: data.between_deg: expected a number >= 90 + 2 data.cone_deg = 150", dir);
    expect_prefix(err.msg, want);

    /* A --set after the file may repair a value (the file value is not an error by itself). */
    const char *fix[] = {"data.between_deg=170"};
    st = load_text(dir, "orth3.yaml", "experiment: arrangements\ndata:\n  kind: orthsep\n  cone_deg: 40\n", fix, 1, &c,
                   &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_true(c.data.between_deg == 170.0);
    crt_rmtree(dir);
}

/* -------------------------------------------------------------- suggestions */

static void test_suggest(void **state)
{
    (void)state;
    const char *s;
    assert_non_null(s = cr_config_suggest("experimnt"));
    assert_string_equal(s, "experiment");
    assert_non_null(s = cr_config_suggest("data.nosie"));
    assert_string_equal(s, "data.noise");
    assert_non_null(s = cr_config_suggest("landscape.gird"));
    assert_string_equal(s, "landscape.grid");
    assert_non_null(s = cr_config_suggest("paterns.method"));
    assert_string_equal(s, "patterns.method");
    assert_non_null(s = cr_config_suggest("dta"));
    assert_string_equal(s, "data");
    assert_non_null(s = cr_config_suggest("seed"));
    assert_string_equal(s, "seed");
    assert_null(cr_config_suggest("zzzzzzzz"));
    assert_null(cr_config_suggest("colour"));
    assert_null(cr_config_suggest("foo.bar"));
    /* Long names do not overflow the distance table. */
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_null(cr_config_suggest(longname));
    /* Every key suggests itself. */
    for (size_t i = 0; i < cr_config_nkeys(); i++) {
        assert_non_null(s = cr_config_suggest(cr_config_key(i)));
        assert_string_equal(s, cr_config_key(i));
    }
}

/* ---------------------------------------------------------- relative paths */

static void test_relative_data_path(void **state)
{
    (void)state;
    char dir[256], sub[300], want[PATH_MAX + 64], got[PATH_MAX], cwd[PATH_MAX];
    crt_tmpdir(dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char csv[400];
    snprintf(csv, sizeof csv, "%s/x.csv", dir);
    crt_write_text(csv, "x1,x2,y\n1,2,1\n3,4,-1\n");
    snprintf(csv, sizeof csv, "%s/x.csv", sub);
    crt_write_text(csv, "x1,y\n1,1\n");
    cr_config c;
    cr_err err = {{0}};

    /* Config in DIR, path x.csv: DIR/x.csv. */
    const char *text = "experiment: arrangements\ndata:\n  kind: csv\n  path: x.csv\n";
    int st = load_text(dir, "c.yaml", text, NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    snprintf(want, sizeof want, "%s/x.csv", dir);
    assert_string_equal(c.data.path, want);

    /* Config in DIR/sub: DIR/sub/x.csv, not DIR/x.csv; and ../x.csv reaches DIR/x.csv. */
    st = load_text(sub, "c.yaml", text, NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_non_null(realpath(c.data.path, got));
    snprintf(want, sizeof want, "%s/x.csv", sub);
    char wantr[PATH_MAX];
    assert_non_null(realpath(want, wantr));
    assert_string_equal(got, wantr);
    st = load_text(sub, "up.yaml", "experiment: arrangements\ndata:\n  kind: csv\n  path: ../x.csv\n", NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_non_null(realpath(c.data.path, got));
    snprintf(want, sizeof want, "%s/x.csv", dir);
    assert_non_null(realpath(want, wantr));
    assert_string_equal(got, wantr);

    /* A config given by a relative name, from another folder: the path is made absolute. */
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    st = cr_config_load("sub/c.yaml", NULL, 0, &c, &err);
    char here[PATH_MAX];
    assert_non_null(getcwd(here, sizeof here));
    assert_int_equal(chdir(cwd), 0);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.data.path[0], '/');
    assert_non_null(realpath(c.data.path, got));
    snprintf(want, sizeof want, "%s/sub/x.csv", here);
    assert_non_null(realpath(want, wantr));
    assert_string_equal(got, wantr);

    /* An absolute path is kept as is. */
    char abs_text[600];
    snprintf(abs_text, sizeof abs_text, "experiment: arrangements\ndata:\n  kind: csv\n  path: %s/x.csv\n", dir);
    st = load_text(sub, "abs.yaml", abs_text, NULL, 0, &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    snprintf(want, sizeof want, "%s/x.csv", dir);
    assert_string_equal(c.data.path, want);

    /* A relative path given by --set is relative to the current folder, not to the config's. */
    assert_int_equal(chdir(sub), 0);
    const char *set[] = {"data.path=x.csv"};
    char cfgpath[400];
    snprintf(cfgpath, sizeof cfgpath, "%s/c.yaml", dir);
    st = cr_config_load(cfgpath, set, 1, &c, &err);
    assert_int_equal(chdir(cwd), 0);
    if (st) fail_msg("load failed: %s", err.msg);
    assert_int_equal(c.data.path[0], '/');
    assert_non_null(realpath(c.data.path, got));
    snprintf(want, sizeof want, "%s/x.csv", sub);
    assert_non_null(realpath(want, wantr));
    assert_string_equal(got, wantr);
    crt_rmtree(dir);
}

/* ---------------------------------------------------------------- the dump */

static void check_round_trip(const char *dir, const char *name, const char *text)
{
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/%s", dir, name);
    snprintf(p2, sizeof p2, "%s/again-%s", dir, name);
    cr_config a, b;
    cr_err err = {{0}};
    crt_write_text(p1, text);
    if (cr_config_load(p1, NULL, 0, &a, &err)) fail_msg("%s: load failed: %s", name, err.msg);
    char *da = cr_config_dump(&a);
    assert_non_null(da);
    /* Every key of the schema appears in the dump, with its leaf name on its own line. */
    for (size_t i = 0; i < cr_config_nkeys(); i++) {
        const char *key = cr_config_key(i), *dot = strchr(key, '.');
        char line[128];
        if (dot) snprintf(line, sizeof line, "\n  %s: ", dot + 1);
        else snprintf(line, sizeof line, "\n%s: ", key);
        if (!strstr(da, line)) fail_msg("key %s missing from the dump:\n%s", key, da);
    }
    /* To another file: the same values, the same text but for the first (comment) line. */
    crt_write_text(p2, da);
    if (cr_config_load(p2, NULL, 0, &b, &err)) fail_msg("%s: reloading the dump failed: %s\n%s", name, err.msg, da);
    assert_config_equal(&a, &b);
    char *db = cr_config_dump(&b);
    assert_non_null(db);
    assert_string_equal(after_first_line(da), after_first_line(db));
    free(db);
    /* Over the same file: byte-identical dumps. */
    crt_write_text(p1, da);
    if (cr_config_load(p1, NULL, 0, &b, &err)) fail_msg("%s: reloading the dump failed: %s", name, err.msg);
    db = cr_config_dump(&b);
    assert_non_null(db);
    assert_string_equal(da, db);
    free(db);
    free(da);
}

static void test_dump_round_trip(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    check_round_trip(dir, "minimal.yaml", "experiment: landscape\n");
    check_round_trip(dir, "rich.yaml",
                     "experiment: arrangement_count\nseed: 2147483647\nthreads: 3\nlimits:\n  memory_mb: 1000000000\n"
                     "data:\n  kind: orthsep\n  n: 17\n  d: 10\n  seed: 0\n  labels: sign\n  noise: 0.1\n"
                     "  planted_width: 10000\n  cone_deg: 0.30000000000000004\n  between_deg: 150.33333333333334\n"
                     "patterns:\n  method: sample\n  samples: 100000000\n"
                     "count:\n  n: [2, 3, 400, 5000]\n  d: [1, 3]\n  samples: 1\n"
                     "landscape:\n  x: 1e-6\n  y: 123456.789\n  beta: 0.1\n  range: 0.001\n  grid: 2001\n");
    /* A data path with characters that need quoting in YAML. */
    char name[300];
    snprintf(name, sizeof name, "%s/we\"ird\\ name: #1.csv", dir);
    crt_write_text(name, "1,1\n");
    check_round_trip(dir, "path.yaml",
                     "experiment: arrangements\ndata:\n  kind: csv\n  path: 'we\"ird\\ name: #1.csv'\n");
    /* The shipped configs. */
    glob_t g;
    assert_int_equal(glob(CR_SOURCE_DIR "/configs/*.yaml", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 3);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = crt_slurp(g.gl_pathv[i], NULL);
        assert_non_null(text);
        const char *base = strrchr(g.gl_pathv[i], '/') + 1;
        check_round_trip(dir, base, text);
        free(text);
    }
    globfree(&g);
    crt_rmtree(dir);
}

/* cr_config_write and cr_config_dump agree; the reference lists every key once. */
static void test_write_and_reference(void **state)
{
    (void)state;
    cr_config c;
    cr_config_defaults(&c);
    c.experiment = CR_EXP_LANDSCAPE;
    char *d = cr_config_dump(&c);
    assert_non_null(d);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cr_config_write(&c, f), CR_OK);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(buf, d);
    free(buf);
    expect_contains(d, "\nexperiment: landscape\n");
    /* Keys landscape does not read are marked. */
    expect_contains(d, "\ndata:\n  kind: gaussian  # ignored by landscape\n");
    expect_contains(d, "\n  n: [4, 8, 16, 32, 64, 128]  # ignored by landscape\n");
    expect_contains(d, "\n  noise: 0.1  # ignored by landscape\n");
    expect_contains(d, "\n  path: \"\"  # ignored by landscape\n");
    expect_contains(d, "\n  grid: 201\n");
    free(d);

    buf = NULL;
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    cr_config_reference(f);
    assert_int_equal(fclose(f), 0);
    for (size_t i = 0; i < cr_config_nkeys(); i++) {
        char cell[100];
        snprintf(cell, sizeof cell, "| `%s` |", cr_config_key(i));
        char *at = strstr(buf, cell);
        if (!at) fail_msg("reference lacks %s", cr_config_key(i));
        assert_null(strstr(at + 1, cell));
        assert_non_null(cr_config_key_doc(i));
        assert_true(strlen(cr_config_key_doc(i)) > 0);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(cr_config_key(i), cr_config_key(j));
    }
    assert_null(cr_config_key(cr_config_nkeys()));
    free(buf);
}

/* ------------------------------------------------- experiments vs registry */

static void test_experiments_match_registry(void **state)
{
    (void)state;
    cr_config c;
    cr_err err = {{0}};
    cr_config_defaults(&c);
    /* The enum's choices, as the message of a refused value lists them. */
    assert_int_equal(cr_config_set(&c, "experiment=__none__", &err), CR_EINPUT);
    const char *from = strstr(err.msg, "expected one of ");
    assert_non_null(from);
    from += strlen("expected one of ");
    const char *to = strstr(from, ", got");
    assert_non_null(to);
    char choices[256];
    snprintf(choices, sizeof choices, "%.*s", (int)(to - from), from);

    size_t n = 0;
    const cr_experiment *list = cr_experiment_list(&n);
    assert_true(n >= 3);
    size_t nchoices = 1;
    for (const char *p = choices; *p; p++) nchoices += (*p == '|');
    assert_int_equal(nchoices, n);
    for (size_t i = 0; i < n; i++) {
        /* Each registered name is one of the choices, accepted by the config as the value that indexes the
         * registry, and dumped back under its name. */
        char one[128];
        snprintf(one, sizeof one, "|%s|", list[i].name);
        char wrapped[300];
        snprintf(wrapped, sizeof wrapped, "|%s|", choices);
        if (!strstr(wrapped, one)) fail_msg("registry has %s, the config enum %s", list[i].name, choices);
        char set[128];
        snprintf(set, sizeof set, "experiment=%s", list[i].name);
        assert_int_equal(cr_config_set(&c, set, &err), CR_OK);
        assert_ptr_equal(cr_experiment_get(c.experiment), &list[i]);
        assert_string_equal(cr_config_experiment_name(c.experiment), list[i].name);
        assert_non_null(list[i].run);
    }
    assert_null(cr_experiment_get(CR_EXP_NONE));
}

/* ------------------------------------------------------------ enum values */

/* Every choice of every enum key, by the names the reference documents, lands on the value of the enum the code
 * below the config uses (the library's where it has one), and the dump writes the same name back. */
static void test_enum_values(void **state)
{
    (void)state;
    static const struct {
        const char *key, *name;
        int value;
    } cases[] = {
        {"loss", "squared", CR_LOSS_SQUARED}, {"loss", "logistic", CR_LOSS_LOGISTIC}, {"loss", "hinge", CR_LOSS_HINGE},
        {"data.kind", "gaussian", CR_CONFIG_DATA_GAUSSIAN}, {"data.kind", "orthsep", CR_CONFIG_DATA_ORTHSEP},
        {"data.kind", "slide", CR_CONFIG_DATA_SLIDE}, {"data.kind", "csv", CR_CONFIG_DATA_CSV},
        {"data.labels", "planted", CR_LABELS_PLANTED}, {"data.labels", "sign", CR_LABELS_SIGN},
        {"data.labels", "linear", CR_LABELS_LINEAR},
        {"patterns.method", "exact", CR_CONFIG_PATTERNS_EXACT},
        {"patterns.method", "sample", CR_CONFIG_PATTERNS_SAMPLE},
        {"solver.method", "auto", CR_CONVEX_AUTO}, {"solver.method", "fista", CR_CONVEX_FISTA},
        {"solver.method", "ssnal", CR_CONVEX_SSNAL}, {"solver.method", "ipm", CR_CONVEX_IPM},
        {"solver.method", "ssnal_cg", CR_CONVEX_SSNAL_CG},
        {"train.schedule", "constant", CR_LR_CONSTANT}, {"train.schedule", "step", CR_LR_STEP},
        {"train.schedule", "inv", CR_LR_INV},
        {"train.init", "gaussian", CR_INIT_GAUSSIAN}, {"train.init", "balanced", CR_INIT_BALANCED},
        {"experiment", "arrangements", CR_EXP_ARRANGEMENTS}, {"experiment", "landscape", CR_EXP_LANDSCAPE},
        {"experiment", "optimal_set", CR_EXP_OPTIMAL_SET}, {"experiment", "separable", CR_EXP_SEPARABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_config c;
        cr_err err = {{0}};
        cr_config_defaults(&c);
        char set[128];
        snprintf(set, sizeof set, "%s=%s", cases[i].key, cases[i].name);
        if (cr_config_set(&c, set, &err)) fail_msg("%s: %s", set, err.msg);
        const struct {
            const char *key;
            int value;
        } fields[] = {{"loss", (int)c.loss}, {"data.kind", (int)c.data.kind}, {"data.labels", (int)c.data.labels},
                      {"patterns.method", (int)c.patterns.method}, {"solver.method", (int)c.solver.method},
                      {"train.schedule", (int)c.train.schedule}, {"train.init", (int)c.train.init},
                      {"experiment", (int)c.experiment}};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            if (strcmp(fields[f].key, cases[i].key) == 0 && fields[f].value != cases[i].value)
                fail_msg("%s: value %d, expected %d", set, fields[f].value, cases[i].value);
        /* The dump names it: "key: name" (a dotted key's leaf, indented, under its section). */
        char *d = cr_config_dump(&c);
        assert_non_null(d);
        const char *dot = strchr(cases[i].key, '.');
        char line[128];
        snprintf(line, sizeof line, "\n%s%s: %s\n", dot ? "  " : "", dot ? dot + 1 : cases[i].key, cases[i].name);
        expect_contains(d, line);
        free(d);
    }
    assert_string_equal(cr_config_experiment_name(CR_EXP_NONE), "");
}

/* ------------------------------------------------------------ misc errors */

static void test_load_errors(void **state)
{
    (void)state;
    char dir[256], path[400];
    crt_tmpdir(dir);
    cr_config c;
    cr_err err = {{0}};
    snprintf(path, sizeof path, "%s/absent.yaml", dir);
    assert_int_equal(cr_config_load(path, NULL, 0, &c, &err), CR_EINPUT);
    char want[512];
    snprintf(want, sizeof want, "%s: cannot open config", path);
    expect_prefix(err.msg, want);

    /* A YAML anchor and alias expand as values. */
    int st = load_text(dir, "alias.yaml", "experiment: arrangement_count\ncount:\n  n: &a [4, 8]\n  d: *a\n", NULL, 0,
                       &c, &err);
    if (st) fail_msg("load failed: %s", err.msg);
    const long v48[] = {4, 8};
    assert_list(&c.count.n, v48, 2);
    assert_list(&c.count.d, v48, 2);
    /* An unknown key inside a flow mapping, at its own column. */
    st = load_text(dir, "flow.yaml", "experiment: landscape\nlandscape: {x: 1, gird: 5}\n", NULL, 0, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    snprintf(want, sizeof want, "%s/flow.yaml:2:19: landscape.gird: unknown key (did you mean landscape.grid?)", dir);
    assert_string_equal(err.msg, want);
    /* Error messages for values quote what was found, shortened when long. */
    char longv[400] = "experiment: landscape\nseed: ";
    for (int i = 0; i < 300; i++) strcat(longv, "9");
    strcat(longv, "\n");
    st = load_text(dir, "long.yaml", longv, NULL, 0, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    snprintf(want, sizeof want, "%s/long.yaml:2:7: seed: expected an integer >= 0, got \"999", dir);
    expect_prefix(err.msg, want);
    assert_true(strlen(err.msg) < sizeof err.msg - 1);
    crt_rmtree(dir);
}

/* ------------------------------------------------------------ input limits */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Deep nesting is refused at the 65th level, quickly: 200000 brackets once took libyaml minutes to reject (its
 * scanner costs the depth per token). A config over 1 MiB is refused before it is parsed, and a CSV data path
 * that is not a regular file at validation. */
static void test_config_input_limits(void **state)
{
    (void)state;
    char dir[256], want[512];
    crt_tmpdir(dir);
    cr_config c;
    cr_err err = {{0}};
    const size_t depth = 200000;
    const char *head = "experiment: convex\nbeta: ";
    size_t hl = strlen(head);
    char *text = malloc(hl + 2 * depth + 3);
    assert_non_null(text);
    memcpy(text, head, hl);
    memset(text + hl, '[', depth);
    text[hl + depth] = '1';
    memset(text + hl + depth + 1, ']', depth);
    memcpy(text + hl + 2 * depth + 1, "\n", 2);
    double t0 = seconds_now();
    int st = load_text(dir, "deep.yaml", text, NULL, 0, &c, &err);
    double dt = seconds_now() - t0;
    assert_int_equal(st, CR_EINPUT);
    /* The root mapping is level 1: the 64th bracket (column 7 + 63 of line 2) is level 65. */
    snprintf(want, sizeof want, "%s/deep.yaml:2:70: lists and mappings nested deeper than 64 levels", dir);
    expect_prefix(err.msg, want);
    if (dt > 2.0) fail_msg("200000 nested brackets took %.2f s to refuse", dt);
    print_message("200000 nested brackets refused in %.4f s\n", dt);
    /* 64 levels (the root mapping and 63 brackets) are only a wrong type for beta, found by the schema. */
    memset(text + hl, '[', 63);
    memcpy(text + hl + 63, "1", 1);
    memset(text + hl + 64, ']', 63);
    memcpy(text + hl + 127, "\n", 2);
    st = load_text(dir, "deep63.yaml", text, NULL, 0, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    expect_contains(err.msg, "deep63.yaml:2:7: beta: expected a number");
    free(text);

    /* One byte over 1 MiB: a comment line makes it, so only the size can be wrong. */
    const size_t big = (1u << 20) + 1;
    char *bigtext = malloc(big + 1);
    assert_non_null(bigtext);
    const char *cfgtext = "experiment: landscape\n#";
    memcpy(bigtext, cfgtext, strlen(cfgtext));
    memset(bigtext + strlen(cfgtext), 'x', big - strlen(cfgtext) - 1);
    bigtext[big - 1] = '\n';
    bigtext[big] = 0;
    st = load_text(dir, "big.yaml", bigtext, NULL, 0, &c, &err);
    assert_int_equal(st, CR_EINPUT);
    snprintf(want, sizeof want, "%s/big.yaml: config larger than 1 MiB", dir);
    expect_prefix(err.msg, want);
    bigtext[big - 2] = '\n'; /* exactly 1 MiB loads */
    bigtext[big - 1] = 0;
    st = load_text(dir, "limit.yaml", bigtext, NULL, 0, &c, &err);
    if (st) fail_msg("a config of exactly 1 MiB: %s", err.msg);
    free(bigtext);

    /* A CSV data path that is not a regular file (a device, a FIFO, a folder) has no size to check against
     * limits.memory_mb: refused at validation, nothing opened. */
    char fifo[300], text2[1024];
    snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {"/dev/zero", fifo, dir};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        snprintf(text2, sizeof text2, "experiment: arrangements\ndata:\n  kind: csv\n  path: '%s'\n", paths[i]);
        st = load_text(dir, "csv.yaml", text2, NULL, 0, &c, &err);
        assert_int_equal(st, CR_EINPUT);
        snprintf(want, sizeof want, "%s/csv.yaml:4:3: data.path: \"%s\" is not a regular file", dir, paths[i]);
        assert_string_equal(err.msg, want);
    }
    crt_rmtree(dir);
}

/* ------------------------------------------------------------ memory guard */

/* The loader only parses and validates: a config too large for limits.memory_mb loads, and the guard the program
 * runs next refuses it, naming the file and the estimate; CSV data pass until loaded. */
static void test_memory_guard_apart(void **state)
{
    (void)state;
    char dir[256], want[512];
    crt_tmpdir(dir);
    cr_config c;
    cr_err err = {{0}};
    const char *big = "experiment: convex\nlimits:\n  memory_mb: 100\ndata:\n  n: 2000\n  d: 20\n";
    int st = load_text(dir, "big.yaml", big, NULL, 0, &c, &err);
    if (st) fail_msg("load refused: %s", err.msg);
    assert_int_equal(cr_limits_check_config(&c, &err), CR_EINPUT);
    snprintf(want, sizeof want, "%s/big.yaml: estimated memory ", dir);
    expect_prefix(err.msg, want);
    expect_contains(err.msg, "(n = 2000, d = 20, ");
    expect_contains(err.msg, "exceeds limits.memory_mb = 100; reduce the problem or raise the limit");
    /* The same config at 20 x 2 fits (the estimate is about 40 MiB). */
    const char *set[] = {"data.n=20", "data.d=2"};
    st = load_text(dir, "big.yaml", big, set, 2, &c, &err);
    if (st) fail_msg("load refused: %s", err.msg);
    if (cr_limits_check_config(&c, &err)) fail_msg("20 x 2 refused: %s", err.msg);
    crt_rmtree(dir);
}

/* ---------------------------------------------- tests/bad_configs/ in-process */

static void test_bad_config_fixture(void **state)
{
    const char *path = *state;
    char needle[2048];
    crt_fixture_needle(path, needle, sizeof needle);
    cr_config c;
    cr_err err = {{0}};
    int st = cr_config_load(path, NULL, 0, &c, &err);
    if (st == CR_OK) st = cr_limits_check_config(&c, &err);
    if (st != CR_EINPUT)
        fail_msg("%s: expected CR_EINPUT, got status %d (experiment \"%s\")", path, st,
                 cr_config_experiment_name(c.experiment));
    if (!strstr(err.msg, needle)) fail_msg("%s:\n  message \"%s\"\n  expected \"%s\"", path, err.msg, needle);
    /* One line. */
    assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_minimal_fills_defaults),
        cmocka_unit_test(test_load_values),
        cmocka_unit_test(test_range_bounds),
        cmocka_unit_test(test_set_applies),
        cmocka_unit_test(test_set_lists),
        cmocka_unit_test(test_set_list_empty_item),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_load_with_sets),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_relative_data_path),
        cmocka_unit_test(test_dump_round_trip),
        cmocka_unit_test(test_write_and_reference),
        cmocka_unit_test(test_experiments_match_registry),
        cmocka_unit_test(test_enum_values),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_config_input_limits),
        cmocka_unit_test(test_memory_guard_apart),
        cmocka_unit_test(crt_test_bad_config_count),
    };
    /* Fixture paths and configs/ are relative to the source root. */
    if (chdir(CR_SOURCE_DIR) != 0) {
        perror(CR_SOURCE_DIR);
        return 1;
    }
    int failed = cmocka_run_group_tests_name("config", tests, NULL, NULL);

    /* One case per fixture, named after it. */
    failed += crt_run_fixture_group("bad_configs (in-process)", test_bad_config_fixture);
    return failed ? 1 : 0;
}
