/* Tests of the program (src/harness/main.c) as a user runs it: every tests/bad_configs/ fixture exits 2 with
 * "FIXTURE:" + the fragment of its first line ("# expect: FRAGMENT") on stderr and creates no output folder;
 * `--set` overrides and their errors; the usage table (missing arguments, unknown flags and commands,
 * unreadable configs, bad --out); `check` printing the resolved config; byte-identical CSV from two runs of
 * the same config; no temporary left behind by a killed run; output folders (too long, ., .., symbolic links,
 * foreign folders, read-only parents as nobody, reruns replacing the whole folder, planted links never written
 * through, a driver's input error writing nothing). The program is $CR_PROG or build/cvxrelu. */
#include "testutil.h"

#include <dirent.h>

#include "config.h"

/* ------------------------------------------------------------------ helpers */

typedef struct {
    int status;
    char *out, *err; /* stdout, stderr */
} result;

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* Runs `cd CWD && PREFIX PROG ARGS` with stdout and stderr captured separately (cwd NULL: the source root). */
static result run_prefixed(const char *cwd, const char *prefix, const char *args)
{
    char cap[256], cmd[4096], po[300], pe[300];
    crt_tmpdir(cap);
    snprintf(po, sizeof po, "%s/stdout", cap);
    snprintf(pe, sizeof pe, "%s/stderr", cap);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s'%s' %s >'%s' 2>'%s'", cwd ? cwd : CR_SOURCE_DIR, prefix, crt_prog(), args,
             po, pe);
    result r;
    r.status = crt_sh(cmd, NULL);
    r.out = crt_slurp(po, NULL);
    r.err = crt_slurp(pe, NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    crt_rmtree(cap);
    return r;
}

static result run_in(const char *cwd, const char *args) { return run_prefixed(cwd, "", args); }
static result run(const char *args) { return run_in(NULL, args); }

/* As an ordinary user: CI runs as root, which writes into read-only folders; then the program runs as nobody. */
#define AS_USER_PREFIX "setpriv --reuid=nobody --regid=nogroup --clear-groups "
static result run_as_user(const char *args) { return run_prefixed(NULL, geteuid() == 0 ? AS_USER_PREFIX : "", args); }

/* A fresh folder the ordinary user of run_as_user owns (as root: chowned to nobody). */
static void user_tmpdir(char *dir)
{
    crt_tmpdir(dir);
    if (geteuid() != 0) return;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "chown nobody:nogroup '%s'", dir);
    assert_int_equal(crt_sh(cmd, NULL), 0);
}

static void expect_status(const result *r, int status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: exit status %d, expected %d\n--- stdout\n%s--- stderr\n%s", what, r->status, status, r->out, r->err);
}

static void expect_in(const char *text, const char *part, const char *what)
{
    if (!strstr(text, part)) fail_msg("%s: output\n%s\nlacks \"%s\"", what, text, part);
}

static int program_present(void)
{
    return access(crt_prog(), X_OK) == 0;
}

/* ------------------------------------------------------- bad config fixtures */

/* A fixture (state: its path) run by the program: exit 2, the expected message, nothing written. */
static void test_bad_config_fixture(void **state)
{
    const char *path = *state; /* relative to the source root */
    crt_need_program();
    char needle[2048], msg[4096];
    crt_fixture_needle(path, needle, sizeof needle);
    char dir[256], out[300], args[1024], names[1024];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(args, sizeof args, "run '%s' --out '%s'", path, out);
    result r = run(args);
    msg[0] = 0;
    if (r.status != 2)
        snprintf(msg, sizeof msg, "%s: exit status %d, expected 2; stderr:\n%s", path, r.status, r.err);
    else if (!strstr(r.err, needle))
        snprintf(msg, sizeof msg, "%s:\n  stderr \"%s\"\n  expected \"%s\"", path, r.err, needle);
    else if (crt_exists(out))
        snprintf(msg, sizeof msg, "%s: the output folder %s was created", path, out);
    crt_list_dir(dir, names, sizeof names, "|");
    result_free(&r);
    crt_rmtree(dir);
    if (msg[0]) fail_msg("%s", msg);
    assert_string_equal(names, "");
}

/* -------------------------------------------------------------------- --set */

static void test_set_shown_by_check(void **state)
{
    (void)state;
    crt_need_program();
    result r = run("check configs/landscape.yaml --set landscape.grid=21 --set seed=7 --set data.noise=0.5");
    expect_status(&r, 0, "check --set");
    expect_in(r.out, "\nexperiment: landscape\n", "check --set");
    expect_in(r.out, "\nseed: 7  # ignored by landscape\n", "check --set");
    expect_in(r.out, "\n  grid: 21\n", "check --set");
    expect_in(r.out, "\n  noise: 0.5  # ignored by landscape\n", "check --set");
    /* The file's other values stay. */
    expect_in(r.out, "\n  range: 2\n", "check --set");
    result_free(&r);

    /* List syntax, both forms; a later --set wins. */
    r = run("check configs/arrangement_count.yaml --set count.n=4,8");
    expect_status(&r, 0, "count.n=4,8");
    expect_in(r.out, "\n  n: [4, 8]\n", "count.n=4,8");
    result_free(&r);
    r = run("check configs/arrangement_count.yaml --set 'count.n=[4,8]' --set count.d=2");
    expect_status(&r, 0, "count.n=[4,8]");
    expect_in(r.out, "\n  n: [4, 8]\n", "count.n=[4,8]");
    expect_in(r.out, "\n  d: [2]\n", "count.n=[4,8]");
    result_free(&r);
    r = run("check configs/landscape.yaml --set seed=3 --set seed=4");
    expect_status(&r, 0, "seed twice");
    expect_in(r.out, "\nseed: 4  # ignored by landscape\n", "seed twice");
    result_free(&r);
}

/* Each bad override: exit 2, the message, and no output folder. */
static void expect_set_error(const char *set, const char *part)
{
    char dir[256], args[1024];
    crt_tmpdir(dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml %s --out '%s/out'", set, dir);
    result r = run(args);
    expect_status(&r, 2, set);
    expect_in(r.err, part, set);
    char names[1024];
    crt_list_dir(dir, names, sizeof names, "|");
    if (names[0]) fail_msg("%s: wrote %s", set, names);
    result_free(&r);
    crt_rmtree(dir);
}

static void test_set_errors(void **state)
{
    (void)state;
    crt_need_program();
    expect_set_error("--set data.n=abc", "--set data.n=abc: data.n: expected an integer in [1, 1000000], got \"abc\"");
    expect_set_error("--set landscape.grid=5", "--set landscape.grid=5: landscape.grid: expected an integer in [11, 2001], got \"5\"");
    expect_set_error("--set landscape.gird=5", "--set landscape.gird=5: landscape.gird: unknown key (did you mean landscape.grid?)");
    expect_set_error("--set experimnt=landscape", "experimnt: unknown key (did you mean experiment?)");
    expect_set_error("--set seed", "--set seed: expected key.path=value");
    expect_set_error("--set data=1", "--set data=1: data is a section");
    expect_set_error("--set count.n=4,0", "--set count.n=4,0: count.n: expected a list of integers in [1, 5000], got item \"0\"");
    expect_set_error("--set experiment=nope", "experiment: expected one of ");
}

/* ------------------------------------------------------------- usage table */

static void test_usage_errors(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[1024];
    crt_tmpdir(dir);
    struct {
        const char *args, *part;
    } cases[] = {
        {"", "usage:"},
        {"run", "missing CONFIG"},
        {"check", "missing CONFIG"},
        {"run configs/landscape.yaml --frobnicate", "unknown option --frobnicate"},
        {"check configs/landscape.yaml -x", "unknown option -x"},
        {"frobnicate", "unknown command frobnicate"},
        {"run configs/landscape.yaml configs/arrangements.yaml", "unexpected argument"},
        {"run configs/no_such_config.yaml", "configs/no_such_config.yaml: cannot open config"},
        {"run configs", "configs: is a folder"},
        {"check configs/", "is a folder"},
        {"run configs/landscape.yaml --out", "--out needs a folder"},
        {"run configs/landscape.yaml --set", "--set needs key.path=value"},
        {"run configs/landscape.yaml --out ''", "--out needs a folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Run from the empty folder with paths to the source root, so that a default results/ would show. */
        char a[1024];
        const char *s = cases[i].args;
        if (strncmp(s, "run configs", 11) == 0 || strncmp(s, "check configs", 13) == 0) {
            const char *sp = strchr(s, ' ');
            snprintf(a, sizeof a, "%.*s %s/%s", (int)(sp - s), s, CR_SOURCE_DIR, sp + 1);
        } else {
            snprintf(a, sizeof a, "%s", s);
        }
        result r = run_in(dir, a);
        expect_status(&r, 2, a);
        expect_in(r.err, cases[i].part, a);
        result_free(&r);
        crt_list_dir(dir, names, sizeof names, "|");
        if (names[0]) fail_msg("%s: wrote %s", a, names);
    }
    /* A bad config with the default output folder creates no results/ either. */
    snprintf(args, sizeof args, "run '%s/tests/bad_configs/range_n_zero.yaml'", CR_SOURCE_DIR);
    result r = run_in(dir, args);
    expect_status(&r, 2, args);
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "");
    crt_rmtree(dir);
}

/* As an ordinary user (root reads a mode-000 file anyway): a config the user owns but may not read. */
static void test_unreadable_config(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[300], args[1024];
    user_tmpdir(dir);
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    crt_write_text(path, "experiment: landscape\n");
    if (geteuid() == 0) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "chown nobody:nogroup '%s'", path);
        assert_int_equal(crt_sh(cmd, NULL), 0);
    }
    assert_int_equal(chmod(path, 0), 0);
    snprintf(args, sizeof args, "run '%s' --out '%s/out'", path, dir);
    result r = run_as_user(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "cannot open config", args);
    char out[400];
    snprintf(out, sizeof out, "%s/out", dir);
    assert_false(crt_exists(out));
    result_free(&r);
    crt_rmtree(dir);
}

static void test_out_is_a_file(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], file[300], args[1024], names[1024];
    crt_tmpdir(dir);
    snprintf(file, sizeof file, "%s/taken", dir);
    crt_write_text(file, "keep me\n");
    snprintf(args, sizeof args, "run configs/landscape.yaml --out '%s'", file);
    result r = run(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "not a folder", args);
    result_free(&r);
    char *text = crt_slurp(file, NULL);
    assert_string_equal(text, "keep me\n");
    free(text);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "taken");
    /* Below a file. */
    snprintf(args, sizeof args, "run configs/landscape.yaml --out '%s/sub'", file);
    r = run(args);
    expect_status(&r, 2, args);
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "taken");
    crt_rmtree(dir);
}

/* As an ordinary user (root writes into read-only folders anyway): --out below a read-only folder, or a run
 * folder inside one (it could not be replaced), is refused before anything is written; a rerun into a writable
 * place replaces the folder, which keeps the modes of a folder made by mkdir (0777 less the umask). */
static void test_out_parent_read_only(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], ro[300], args[1024], names[1024], path[400];
    user_tmpdir(dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s/ro/run' --quiet", dir);
    for (int k = 0; k < 2; k++) {
        result r = run_as_user(args);
        expect_status(&r, 0, args);
        result_free(&r);
    }
    snprintf(ro, sizeof ro, "%s/ro", dir);
    assert_int_equal(chmod(ro, 0555), 0);
    struct stat st;
    snprintf(path, sizeof path, "%s/run", ro);
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 07777, 0777 & ~mask);
    result r = run_as_user(args);
    expect_status(&r, 2, "rerun of a folder inside a read-only folder");
    expect_in(r.err, "is not writable", args);
    result_free(&r);
    snprintf(args, sizeof args, "run configs/landscape.yaml --out '%s/out'", ro);
    r = run_as_user(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "not writable", args);
    result_free(&r);
    crt_list_dir(ro, names, sizeof names, "|");
    assert_string_equal(names, "run");
    assert_int_equal(chmod(ro, 0755), 0);
    crt_rmtree(dir);
}

static void test_help_version_keys(void **state)
{
    (void)state;
    crt_need_program();
    result r = run("--help");
    expect_status(&r, 0, "--help");
    expect_in(r.out, "usage:", "--help");
    expect_in(r.out, "run", "--help");
    expect_in(r.out, "--set", "--help");
    result_free(&r);
    r = run("--version");
    expect_status(&r, 0, "--version");
    if (strncmp(r.out, "cvxrelu 0.1.0", 13) != 0) fail_msg("--version printed \"%s\"", r.out);
    result_free(&r);
    r = run("keys");
    expect_status(&r, 0, "keys");
    for (size_t i = 0; i < cr_config_nkeys(); i++) {
        char cell[100];
        snprintf(cell, sizeof cell, "| `%s` |", cr_config_key(i));
        expect_in(r.out, cell, "keys");
    }
    result_free(&r);
}

/* A bad data file is an input error: exit 2, "FILE:LINE", nothing written. */
static void test_bad_data_exit_2(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[300], args[1024], names[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    crt_write_text(path, "x1,x2,y\n1,2,1\n3,4\n");
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    crt_write_text(path, "experiment: arrangements\ndata:\n  kind: csv\n  path: bad.csv\n");
    snprintf(args, sizeof args, "run '%s' --out '%s/out'", path, dir);
    result r = run(args);
    expect_status(&r, 2, args);
    char where[400];
    snprintf(where, sizeof where, "%s/bad.csv:3:", dir);
    expect_in(r.err, where, args);
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "bad.csv|c.yaml");
    crt_rmtree(dir);
}

/* Bad real-data input (docs/data.md) through the program: exit 2, one line naming the file, the line (or byte) and
 * the key, nothing written. */
static void test_bad_real_data_exit_2(void **state)
{
    (void)state;
    crt_need_program();
    static const struct {
        const char *file, *content; /* the data file written beside the config */
        const char *keys;           /* the config's data and patterns sections */
        const char *where, *key;    /* ":LINE: " or ": byte N: " after the file's path; the key named */
    } cases[] = {
        {"semi.csv", "a;b;y\n1;2;1\n", "data:\n  kind: csv\n  path: semi.csv\n", ":1: ",
         "set data.delimiter: semicolon"},
        {"named.csv", "a,b,y\n1,2,1\n", "data:\n  kind: csv\n  path: named.csv\n  label_column: label\n", ":1: ",
         "data.label_column"},
        {"l01.csv", "1,2,0\n3,4,3\n", "data:\n  kind: csv\n  path: l01.csv\n  labels01: map\n", ":2: ",
         "data.labels01"},
        {"test.csv", "1,2,1\n1,2\n", "data:\n  kind: csv\n  path: test.csv\n  test_path: test.csv\n", ":2: ",
         "(data.path)"},
        {"img.idx", "not an idx file",
         "data:\n  kind: idx\n  path: img.idx\n  labels_path: img.idx\n  n: 5\n", ": byte 0: ", "(data.path)"},
        {"pat.txt", "0101\n0110\n0101\n",
         "data:\n  kind: slide\npatterns:\n  method: file\n  path: pat.txt\n", ":1: ", "patterns.path"},
        {"pat2.txt", "011\n110\n011\n", "data:\n  kind: slide\npatterns:\n  method: file\n  path: pat2.txt\n", ":3: ",
         "patterns.path: the pattern of line 1 again"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[256], path[300], cfg[300], text[1024], args[1024], names[1024], want[600], files[700];
        crt_tmpdir(dir);
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
        crt_write_text(path, cases[i].content);
        snprintf(cfg, sizeof cfg, "%s/c.yaml", dir);
        snprintf(text, sizeof text, "experiment: convex\n%s", cases[i].keys);
        crt_write_text(cfg, text);
        snprintf(args, sizeof args, "run '%s' --out '%s/out'", cfg, dir);
        result r = run(args);
        expect_status(&r, 2, args);
        snprintf(want, sizeof want, "%s%s", path, cases[i].where);
        expect_in(r.err, want, cases[i].file);
        expect_in(r.err, cases[i].key, cases[i].file);
        if (strchr(r.err, '\n') != r.err + strlen(r.err) - 1) fail_msg("%s: not one line: %s", cases[i].file, r.err);
        result_free(&r);
        crt_list_dir(dir, names, sizeof names, "|");
        snprintf(files, sizeof files, "c.yaml|%s", cases[i].file);
        if (strcmp(names, files) != 0) fail_msg("%s: folder holds %s, expected %s", cases[i].file, names, files);
        crt_rmtree(dir);
    }
}

/* The value of key in a run's summary.csv (key,value rows); fails the test when it is missing. */
static double summary_number(const char *dir, const char *key)
{
    char path[400], want[100];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    snprintf(want, sizeof want, "\n%s,", key);
    const char *at = strstr(text, want);
    if (!at) fail_msg("%s: no %s", path, key);
    double v = strtod(at + strlen(want), NULL);
    free(text);
    return v;
}

/* patterns.method file: the exact patterns of the slides' data, written one per line in reverse order, give the
 * program p_convex of patterns.method exact (the same convex program, blocks in another order). */
static void test_pattern_file_same_program(void **state)
{
    (void)state;
    crt_need_program();
    const double X[] = {3, 3, 2, 2, 1, 0};
    cr_patterns *P = NULL;
    cr_err err = {{0}};
    assert_int_equal(cr_patterns_enumerate(X, 3, 2, &P, &err), CR_OK);
    char dir[256], path[300], args[1024], buf[8], out1[300], out2[300];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/p.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = P->p; i-- > 0;) {
        cr_patterns_string(P, i, buf);
        fprintf(f, "%s\n", buf);
    }
    assert_int_equal(fclose(f), 0);
    cr_patterns_free(P);
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    crt_write_text(path, "experiment: convex\nbeta: 0.5\ndata:\n  kind: slide\npatterns:\n  method: file\n"
                     "  path: p.txt\nsolver:\n  tol: 1.0e-12\n");
    snprintf(out1, sizeof out1, "%s/file", dir);
    snprintf(out2, sizeof out2, "%s/exact", dir);
    snprintf(args, sizeof args, "run '%s' --out '%s' --quiet", path, out1);
    result r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    snprintf(args, sizeof args, "run '%s' --set patterns.method=exact --out '%s' --quiet", path, out2);
    r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    const double a = summary_number(out1, "p_convex"), b = summary_number(out2, "p_convex");
    assert_true(summary_number(out1, "p") == summary_number(out2, "p"));
    if (!(fabs(a - b) <= 1e-10 * fabs(b))) fail_msg("p_convex %.17g from the file, %.17g exact", a, b);
    crt_rmtree(dir);
}

/* ---------------------------------------------------------- check and run */

static void test_check_prints_resolved(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[1024];
    crt_tmpdir(dir);
    snprintf(args, sizeof args, "check '%s/configs/landscape.yaml'", CR_SOURCE_DIR);
    result r = run_in(dir, args);
    expect_status(&r, 0, args);
    /* The file's values and the defaults it leaves out. */
    expect_in(r.out, "\nexperiment: landscape\n", args);
    expect_in(r.out, "\nseed: 1  # ignored by landscape\n", args);
    expect_in(r.out, "\nthreads: 1\n", args);
    expect_in(r.out, "\nlandscape:\n", args);
    expect_in(r.out, "\n  grid: 161\n", args);
    expect_in(r.out, "\n  range: 2\n", args);
    expect_in(r.out, "\n  beta: 1\n", args);
    expect_in(r.out, "\n  kind: gaussian  # ignored by landscape\n", args);
    expect_in(r.out, "\n  method: exact  # ignored by landscape\n", args);
    /* Exactly the library's resolved config of the same file; the run's config.yaml (cr_config_dump) is the same
     * text without this machine's memory. */
    cr_config c;
    cr_err err = {{0}};
    char path[400];
    snprintf(path, sizeof path, "%s/configs/landscape.yaml", CR_SOURCE_DIR);
    assert_int_equal(cr_config_load(path, NULL, 0, &c, &err), CR_OK);
    char *text = NULL;
    size_t tlen = 0;
    FILE *mf = open_memstream(&text, &tlen);
    assert_non_null(mf);
    assert_int_equal(cr_config_write(&c, mf), CR_OK);
    assert_int_equal(fclose(mf), 0);
    assert_string_equal(r.out, text);
    char *dump = cr_config_dump(&c), here[64];
    snprintf(here, sizeof here, ": %ld MiB here", c.limits.memory_mb);
    char *at = strstr(text, here);
    assert_non_null(at);
    memmove(at, at + strlen(here), strlen(at + strlen(here)) + 1);
    assert_string_equal(text, dump);
    free(text);
    free(dump);
    assert_string_equal(r.err, "");
    result_free(&r);
    /* check writes nothing. */
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "");
    crt_rmtree(dir);
}

/* A good run: exit 0, quiet, the run folder's files and no temporaries; config.yaml reloads to the config. */
static void test_run_landscape_files(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], out[300], names[4096];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/deep/er/out", dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=31 --out '%s' --quiet", out);
    result r = run(args);
    expect_status(&r, 0, args);
    assert_string_equal(r.err, "");
    result_free(&r);
    crt_list_dir(out, names, sizeof names, "|");
    for (const char *want = "claims.csv|config.yaml|manifest.yaml|sanity.csv|summary.csv"; *want;) {
        size_t len = strcspn(want, "|");
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)len, want);
        if (!strstr(names, one)) fail_msg("run folder lacks %s (has %s)", one, names);
        want += len + (want[len] == '|');
    }
    if (names[0] == '.' || strstr(names, "|.")) fail_msg("temporaries left: %s", names);
    char path[400];
    snprintf(path, sizeof path, "%s/claims.csv", out);
    char *text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "claim,measured,expected,tolerance,pass\n", 39), 0);
    free(text);
    snprintf(path, sizeof path, "%s/summary.csv", out);
    text = crt_slurp(path, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "key,value\n", 10), 0);
    free(text);
    /* The recorded config is the resolved one, --set included. */
    snprintf(path, sizeof path, "%s/config.yaml", out);
    cr_config a, b;
    cr_err err = {{0}};
    if (cr_config_load(path, NULL, 0, &a, &err)) fail_msg("config.yaml: %s", err.msg);
    const char *set[] = {"landscape.grid=31"};
    assert_int_equal(cr_config_load("configs/landscape.yaml", set, 1, &b, &err), CR_OK);
    assert_int_equal(a.landscape.grid, 31);
    assert_int_equal(a.experiment, b.experiment);
    assert_int_equal(a.seed, b.seed);
    assert_int_equal(a.data.seed, b.data.seed);
    assert_true(a.landscape.range == b.landscape.range);
    crt_rmtree(dir);
}

/* Two runs of one config: every CSV (and the resolved config) byte for byte the same. */
static void check_deterministic(const char *config, const char *extra)
{
    crt_need_program();
    char dir[256], args[1024], o1[300], o2[300], n1[4096], n2[4096];
    crt_tmpdir(dir);
    snprintf(o1, sizeof o1, "%s/one", dir);
    snprintf(o2, sizeof o2, "%s/two", dir);
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run %s %s --out '%s' --quiet", config, extra, k ? o2 : o1);
        result r = run(args);
        expect_status(&r, 0, args);
        result_free(&r);
    }
    crt_list_dir(o1, n1, sizeof n1, "|");
    crt_list_dir(o2, n2, sizeof n2, "|");
    assert_string_equal(n1, n2);
    size_t ncsv = 0;
    for (char *name = strtok(n1, "|"); name; name = strtok(NULL, "|")) {
        size_t len = strlen(name);
        int csv = len > 4 && strcmp(name + len - 4, ".csv") == 0;
        if (!csv && strcmp(name, "config.yaml") != 0) continue;
        ncsv += csv;
        char p1[400], p2[400];
        snprintf(p1, sizeof p1, "%s/%s", o1, name);
        snprintf(p2, sizeof p2, "%s/%s", o2, name);
        size_t l1 = 0, l2 = 0;
        char *a = crt_slurp(p1, &l1), *b = crt_slurp(p2, &l2);
        assert_non_null(a);
        assert_non_null(b);
        if (l1 != l2 || memcmp(a, b, l1) != 0) fail_msg("%s: %s differs between two runs", config, name);
        free(a);
        free(b);
    }
    /* summary.csv, claims.csv and at least one table of the experiment. */
    assert_true(ncsv >= 3);
    crt_rmtree(dir);
}

static void test_deterministic_landscape(void **state)
{
    (void)state;
    check_deterministic("configs/landscape.yaml", "");
}

static void test_deterministic_arrangements(void **state)
{
    (void)state;
    check_deterministic("configs/arrangements.yaml", "");
}

/* A run killed midway leaves no temporary, and every CSV present is complete. */
static void test_killed_run_leaves_no_partial_file(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], cmd[2048], names[4096];
    crt_tmpdir(dir);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && { '%s' run configs/landscape.yaml --set landscape.grid=2001 --out '%s/out' --quiet & "
             "pid=$!; sleep 0.4; kill -TERM $pid; wait $pid; } >/dev/null 2>&1",
             CR_SOURCE_DIR, crt_prog(), dir);
    crt_sh(cmd, NULL);
    char out[300];
    snprintf(out, sizeof out, "%s/out", dir);
    crt_list_dir(out, names, sizeof names, "|");
    if (names[0] == '.' || strstr(names, "|.")) fail_msg("temporaries left: %s", names);
    /* The grids have one header and 2001^2 rows when present. */
    const char *grids[] = {"nonconvex.csv", "convex.csv"};
    for (int k = 0; k < 2; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", out, grids[k]);
        if (!crt_exists(path)) continue;
        size_t len = 0;
        char *text = crt_slurp(path, &len);
        assert_non_null(text);
        size_t lines = 0;
        for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
        free(text);
        if (lines != 2001u * 2001u + 1) fail_msg("%s has %zu lines: a partial file under the final name", grids[k], lines);
    }
    crt_rmtree(dir);
}

/* Forced numerical failures: a convex solver stopped before its gap (solver.max_iter = 1) and a diverging
 * gradient descent (a huge step). Each must exit 1 with the reason, record status failed in summary.csv and
 * the manifest, and pass no claim. */
static void test_numerical_failures_recorded(void **state)
{
    (void)state;
    if (!program_present()) fail_msg("%s is not built", crt_prog());
    static const struct {
        const char *args, *message;
    } cases[] = {
        {"run configs/convex.yaml --set solver.max_iter=1 --set solver.method=fista", "convex solver stopped"},
        {"run configs/width_sweep.yaml --set train.lr=1000 --set width_sweep.max_width=2", "diverged"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char dir[256], args[1024], path[400];
        crt_tmpdir(dir);
        snprintf(args, sizeof args, "%s --out '%s/out' --quiet", cases[k].args, dir);
        result r = run(args);
        expect_status(&r, 1, cases[k].args);
        expect_in(r.err, cases[k].message, cases[k].args);
        snprintf(path, sizeof path, "%s/out/summary.csv", dir);
        char *summary = crt_slurp(path, NULL);
        if (!summary) fail_msg("%s: no summary.csv", cases[k].args);
        expect_in(summary, "status,failed", cases[k].args);
        snprintf(path, sizeof path, "%s/out/claims.csv", dir);
        char *claims = crt_slurp(path, NULL);
        if (!claims) fail_msg("%s: no claims.csv", cases[k].args);
        if (strstr(claims, ",PASS")) fail_msg("%s: a claim passes on a failed run:\n%s", cases[k].args, claims);
        expect_in(claims, ",FAIL", cases[k].args);
        snprintf(path, sizeof path, "%s/out/manifest.yaml", dir);
        char *manifest = crt_slurp(path, NULL);
        if (!manifest) fail_msg("%s: no manifest.yaml", cases[k].args);
        expect_in(manifest, "status: failed", cases[k].args);
        free(summary);
        free(claims);
        free(manifest);
        result_free(&r);
        crt_rmtree(dir);
    }
}

/* ------------------------------------------------------- output folders */

/* --out longer than the program accepts (CR_OUT_MAX, src/fsutil.h) or with a component longer than NAME_MAX:
 * a usage error before anything is created, never a truncated path. */
static void test_out_too_long(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[4096], names[1024], out[2048];
    crt_tmpdir(dir);
    /* 1100 bytes in components of 200: every component is legal, the path is too long. */
    int n = snprintf(out, sizeof out, "%s", dir);
    for (int k = 0; n < 1100; k++) {
        out[n++] = '/';
        for (int j = 0; j < 200 && n < 1100; j++) out[n++] = (char)('a' + k);
    }
    out[n] = 0;
    assert_int_equal(strlen(out), 1100);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s' --quiet", out);
    result r = run(args);
    expect_status(&r, 2, "--out of 1100 bytes");
    expect_in(r.err, "1100 bytes", "--out of 1100 bytes");
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    if (names[0]) fail_msg("--out of 1100 bytes created %s", names);
    /* One component of 300 bytes in a short path. */
    n = snprintf(out, sizeof out, "%s/", dir);
    memset(out + n, 'z', 300);
    out[n + 300] = 0;
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s/sub' --quiet", out);
    r = run(args);
    expect_status(&r, 2, "--out with a 300-byte component");
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    if (names[0]) fail_msg("--out with a 300-byte component created %s", names);
    crt_rmtree(dir);
}

/* `cvxrelu claims OUTDIR` and `cvxrelu latex OUTDIR` with a missing OUTDIR: one line naming it, exit 2, nothing
 * written. */
static void test_claims_missing_outdir(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[1024];
    crt_tmpdir(dir);
    const char *cmds[] = {"claims", "latex"};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "%s '%s/missing' '%s/run'", cmds[k], dir, dir);
        result r = run(args);
        expect_status(&r, 2, args);
        char want[400];
        snprintf(want, sizeof want, "%s/missing: No such file or directory", dir);
        expect_in(r.err, want, args);
        assert_string_equal(r.out, "");
        result_free(&r);
        crt_list_dir(dir, names, sizeof names, "|");
        if (names[0]) fail_msg("%s: wrote %s", args, names);
    }
    crt_rmtree(dir);
}

/* A config named ...yaml or ..yaml has no usable default folder (results/.. is the current folder, results/.
 * is results/): refused before anything is written, as are --out ., .. and /. */
static void test_config_dot_names(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[400], args[1024], names[1024], *text = crt_slurp("configs/landscape.yaml", NULL);
    assert_non_null(text);
    crt_tmpdir(dir);
    const char *files[] = {"...yaml", "..yaml"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        crt_write_text(path, text);
        snprintf(args, sizeof args, "run '%s' --set landscape.grid=11 --quiet", files[k]);
        result r = run_in(dir, args);
        expect_status(&r, 2, args);
        expect_in(r.err, "--out", args);
        result_free(&r);
        crt_list_dir(dir, names, sizeof names, "|");
        if (strcmp(names, k ? "...yaml|..yaml" : "...yaml") != 0) fail_msg("%s wrote into its folder: %s", args, names);
    }
    const char *outs[] = {".", "..", "/", "sub/.", "sub/..", "./"};
    for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) {
        snprintf(args, sizeof args, "run ...yaml --set landscape.grid=11 --out '%s' --quiet", outs[k]);
        result r = run_in(dir, args);
        expect_status(&r, 2, args);
        result_free(&r);
        crt_list_dir(dir, names, sizeof names, "|");
        if (strcmp(names, "...yaml|..yaml") != 0) fail_msg("%s wrote: %s", args, names);
    }
    free(text);
    crt_rmtree(dir);
}

/* `cvxrelu COMMAND --help` and `-h` for every command: exit 0, that command's own usage on stdout, nothing on
 * stderr; `cvxrelu help COMMAND` prints the same text. (Before, `run --help` was an unknown option, exit 2.) */
static void test_subcommand_help(void **state)
{
    (void)state;
    crt_need_program();
    const char *cmds[] = {"run", "check", "claims", "sweep", "aggregate", "latex", "readme-table", "keys", "help",
                          "bench-latex"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[128], want[128];
        snprintf(want, sizeof want, "cvxrelu %s", cmds[i]);
        const char *flags[] = {"--help", "-h"};
        char *first = NULL;
        for (int k = 0; k < 2; k++) {
            snprintf(args, sizeof args, "%s %s", cmds[i], flags[k]);
            result r = run(args);
            expect_status(&r, 0, args);
            if (strncmp(r.out, "usage: ", 7) != 0) fail_msg("%s: stdout does not start with usage:\n%s", args, r.out);
            expect_in(r.out, want, args);
            if (r.err[0]) fail_msg("%s: wrote to stderr: %s", args, r.err);
            if (k == 0) first = strdup(r.out);
            else assert_string_equal(r.out, first);
            result_free(&r);
        }
        snprintf(args, sizeof args, "help %s", cmds[i]);
        result r = run(args);
        expect_status(&r, 0, args);
        assert_string_equal(r.out, first);
        result_free(&r);
        free(first);
    }
    /* The options a command's help lists are its own. */
    result r = run("run --help");
    expect_in(r.out, "--out DIR", "run --help");
    expect_in(r.out, "--log FILE", "run --help");
    expect_in(r.out, "--", "run --help");
    result_free(&r);
    r = run("sweep -h");
    expect_in(r.out, "--max-array-size", "sweep -h");
    expect_in(r.out, "--sbatch-opt", "sweep -h");
    result_free(&r);
    r = run("help frobnicate");
    expect_status(&r, 2, "help frobnicate");
    result_free(&r);
}

/* `--` ends the options: a config named -x.yaml is read after it (check, run, sweep), refused as an unknown option
 * without it; --help after `--` is a file name, not a request for help. */
static void test_double_dash_ends_options(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[400], names[1024];
    crt_tmpdir(dir);
    char *cfg = crt_slurp(CR_SOURCE_DIR "/configs/landscape.yaml", NULL);
    assert_non_null(cfg);
    snprintf(path, sizeof path, "%s/-x.yaml", dir);
    crt_write_text(path, cfg);
    free(cfg);
    result r = run_in(dir, "check -- -x.yaml");
    expect_status(&r, 0, "check -- -x.yaml");
    expect_in(r.out, "experiment: landscape", "check -- -x.yaml");
    result_free(&r);
    r = run_in(dir, "check -x.yaml");
    expect_status(&r, 2, "check -x.yaml");
    expect_in(r.err, "unknown option -x.yaml", "check -x.yaml");
    result_free(&r);
    r = run_in(dir, "run --set landscape.grid=11 --out o --quiet -- -x.yaml");
    expect_status(&r, 0, "run -- -x.yaml");
    result_free(&r);
    snprintf(path, sizeof path, "%s/o/minima.csv", dir);
    assert_true(crt_exists(path));
    r = run_in(dir, "run --out p -- --help");
    expect_status(&r, 2, "run -- --help");
    expect_in(r.err, "--help: cannot open config", "run -- --help");
    result_free(&r);
    r = run_in(dir, "sweep --grid landscape.grid=11 --out sw --quiet -- -x.yaml");
    expect_status(&r, 0, "sweep -- -x.yaml");
    result_free(&r);
    r = run_in(dir, "aggregate --quiet -- sw");
    expect_status(&r, 0, "aggregate -- sw");
    result_free(&r);
    r = run_in(dir, "claims -- o");
    expect_status(&r, 2, "claims -- o (no RUNDIR)");
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "-x.yaml|o|sw");
    crt_rmtree(dir);
}

/* Every 0/1 pattern column of every table is quoted ("0110"), so that readers that honour quotes keep the
 * leading zeros (arrangements: patterns.csv and sectors.csv; convex: its pattern masks). */
static void test_pattern_columns_quoted(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024];
    crt_tmpdir(dir);
    const char *runs[][2] = {{"arrangements", "patterns.csv sectors.csv"}, {"convex", NULL}};
    for (size_t k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run configs/%s.yaml --out '%s/%s' --quiet", runs[k][0], dir, runs[k][0]);
        result r = run(args);
        expect_status(&r, 0, args);
        result_free(&r);
        char pat[400];
        snprintf(pat, sizeof pat, "%s/%s/*.csv", dir, runs[k][0]);
        glob_t g;
        assert_int_equal(glob(pat, 0, NULL, &g), 0);
        size_t tables = 0;
        for (size_t t = 0; t < g.gl_pathc; t++) {
            char *text = crt_slurp(g.gl_pathv[t], NULL);
            assert_non_null(text);
            /* The column index of "pattern" in the header, if any. */
            int col = -1, c = 0;
            char *nl = strchr(text, '\n');
            assert_non_null(nl);
            *nl = 0;
            for (char *h = text, *tok; (tok = strsep(&h, ",")); c++)
                if (strcmp(tok, "pattern") == 0) col = c;
            if (col >= 0) {
                tables++;
                size_t rows = 0;
                for (char *line = nl + 1, *next; *line; line = next + 1, rows++) {
                    next = strchr(line, '\n');
                    assert_non_null(next);
                    *next = 0;
                    char *field = line;
                    for (int i = 0; i < col; i++) field = strchr(field, ',') + 1;
                    if (field[0] != '"' || strspn(field + 1, "01") == 0 || field[1 + strspn(field + 1, "01")] != '"')
                        fail_msg("%s: pattern not quoted in row %s", g.gl_pathv[t], line);
                }
                assert_true(rows > 0);
            }
            free(text);
        }
        if (runs[k][1]) assert_int_equal(tables, 2);
        else assert_true(tables >= 1);
        globfree(&g);
    }
    crt_rmtree(dir);
}

/* The resolved config marks the keys a run does not read: with CSV data, data.n and data.d are marked ignored
 * for data.kind csv (and the data's own size follows), data.path is not; landscape marks train.width and data.n
 * ignored and not landscape.grid. The marks are checked against the runs themselves: changing a key marked
 * ignored leaves every table of landscape and of arrangements (the slides' data) byte-identical. */
static void test_check_marks_ignored_keys(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[400], args[2048];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/d.csv", dir);
    crt_write_text(path, "1,2,1\n2,1,-1\n0,1,1\n3,0,-1\n");
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    crt_write_text(path, "experiment: convex\ndata:\n  kind: csv\n  path: d.csv\n");
    result r = run_in(dir, "check c.yaml");
    expect_status(&r, 0, "check c.yaml");
    expect_in(r.out, "\n  n: 20  # ignored for data.kind csv\n", "check (csv)");
    expect_in(r.out, "\n  d: 2  # ignored for data.kind csv\n", "check (csv)");
    expect_in(r.out, "n = 4 samples, d = 2 features", "check (csv)");
    char want[600];
    snprintf(want, sizeof want, "\n  path: \"%s/d.csv\"\n", dir);
    expect_in(r.out, want, "check (csv): data.path is read");
    expect_in(r.out, "\n  tol: 1e-08\n", "check (csv): solver.tol is read by convex");
    expect_in(r.out, "\n  labels_path: \"\"  # ignored for data.kind csv\n", "check (csv): an idx key");
    expect_in(r.out, "\n  n_test: 0  # ignored for data.kind csv\n", "check (csv): an idx key");
    expect_in(r.out, "\n  delimiter: comma\n", "check (csv): a csv key is read");
    expect_in(r.out, "\n  test_path: \"\"\n", "check (csv): the test set key is read");
    expect_in(r.out, "\n  memory_mb: 0  # half the memory of the machine that runs it: ", "check: memory_mb");
    result_free(&r);
    r = run("check configs/landscape.yaml");
    expect_status(&r, 0, "check landscape");
    expect_in(r.out, "\n  width: 10  # ignored by landscape\n", "check landscape");
    expect_in(r.out, "\n  n: 20  # ignored by landscape\n", "check landscape");
    expect_in(r.out, "\n  grid: 161\n", "check landscape");
    expect_in(r.out, "\n  delimiter: comma  # ignored by landscape\n", "check landscape: a csv key");
    result_free(&r);
    const char *cases[][3] = {{"landscape", "--set landscape.grid=11", "--set train.width=3 --set data.n=5 "
                                                                        "--set patterns.method=sample --set beta=2"},
                              {"arrangements", "", "--set data.n=7 --set data.d=5 --set train.width=3"}};
    for (size_t k = 0; k < 2; k++) {
        r = run(k == 0 ? "check configs/landscape.yaml --set train.width=3 --set data.n=5 --set patterns.method=sample "
                         "--set beta=2"
                       : "check configs/arrangements.yaml --set data.n=7 --set data.d=5 --set train.width=3");
        expect_status(&r, 0, "check with ignored keys changed");
        expect_in(r.out, k == 0 ? "  n: 5  # ignored by landscape" : "  n: 7  # ignored for data.kind slide",
                  "check with ignored keys changed");
        result_free(&r);
        for (int v = 0; v < 2; v++) {
            snprintf(args, sizeof args, "run configs/%s.yaml %s %s --out '%s/%s%d' --quiet", cases[k][0], cases[k][1],
                     v ? cases[k][2] : "", dir, cases[k][0], v);
            r = run(args);
            expect_status(&r, 0, args);
            result_free(&r);
        }
        char pat[400];
        snprintf(pat, sizeof pat, "%s/%s0/*.csv", dir, cases[k][0]);
        glob_t g;
        assert_int_equal(glob(pat, 0, NULL, &g), 0);
        assert_true(g.gl_pathc >= 3);
        for (size_t t = 0; t < g.gl_pathc; t++) {
            const char *base = strrchr(g.gl_pathv[t], '/') + 1;
            char other[600];
            snprintf(other, sizeof other, "%s/%s1/%s", dir, cases[k][0], base);
            size_t la = 0, lb = 0;
            char *a = crt_slurp(g.gl_pathv[t], &la), *b = crt_slurp(other, &lb);
            if (!a || !b || la != lb || memcmp(a, b, la) != 0)
                fail_msg("%s: %s differs when only keys marked ignored change", cases[k][0], base);
            free(a);
            free(b);
        }
        globfree(&g);
    }
    crt_rmtree(dir);
}

/* Reusing --out: an ok run of landscape (tables minima.csv, convex.csv, nonconvex.csv), then an ok run of
 * arrangements into the same folder: only arrangements' files are left. A folder that is not a cvxrelu run
 * folder is never replaced (test_out_link_or_foreign_folder). */
static void test_reused_out_holds_only_new_tables(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[4096], out[300];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s' --quiet", out);
    result r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    crt_list_dir(out, names, sizeof names, "|");
    expect_in(names, "minima.csv", "landscape run");
    snprintf(args, sizeof args, "run configs/arrangements.yaml --out '%s' --quiet", out);
    r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    crt_list_dir(out, names, sizeof names, "|");
    if (strstr(names, "minima.csv") || strstr(names, "nonconvex.csv") || strstr(names, "convex.csv"))
        fail_msg("the earlier run's tables are still there: %s", names);
    expect_in(names, "patterns.csv", "arrangements run");
    crt_rmtree(dir);
}

/* A rerun replaces the whole folder: a failed run of another experiment into a landscape run's folder leaves
 * none of the landscape tables beside its own failed summary. */
static void test_rerun_replaces_whole_folder(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], names[4096];
    crt_tmpdir(dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s/out' --quiet", dir);
    result r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    snprintf(args, sizeof args,
             "run configs/convex.yaml --set solver.max_iter=1 --set solver.method=fista --out '%s/out' --quiet", dir);
    r = run(args);
    expect_status(&r, 1, args);
    result_free(&r);
    char out[300];
    snprintf(out, sizeof out, "%s/out", dir);
    crt_list_dir(out, names, sizeof names, "|");
    if (strstr(names, "nonconvex.csv") || strstr(names, "minima.csv"))
        fail_msg("the failed rerun left the previous run's tables beside its own: %s", names);
    assert_string_equal(names, "claims.csv|config.yaml|manifest.yaml|sanity.csv|summary.csv");
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "out");
    crt_rmtree(dir);
}

/* --out that is a symbolic link, or a folder that is not a run folder: refused (exit 2), nothing touched. */
static void test_out_link_or_foreign_folder(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], other[300], link[300], args[1024], names[1024], path[400];
    crt_tmpdir(dir);
    snprintf(other, sizeof other, "%s/other", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    assert_int_equal(mkdir(other, 0755), 0);
    snprintf(path, sizeof path, "%s/notes.txt", other);
    crt_write_text(path, "mine\n");
    assert_int_equal(symlink(other, link), 0);
    const char *outs[] = {link, other};
    const char *why[] = {"symbolic link", "no manifest.yaml"};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s' --quiet", outs[k]);
        result r = run(args);
        expect_status(&r, 2, args);
        expect_in(r.err, why[k], args);
        result_free(&r);
        crt_list_dir(other, names, sizeof names, "|");
        assert_string_equal(names, "notes.txt");
        crt_list_dir(dir, names, sizeof names, "|");
        assert_string_equal(names, "link|other");
    }
    crt_rmtree(dir);
}

/* Input a driver refuses only once it runs (linear_margin on data that is not linearly separable, here the
 * four XOR points): exit 2 with nothing written, neither the run's parent folders nor a change to the previous
 * run in the same folder. */
static void test_driver_input_error_writes_nothing(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], path[400], args[1024], names[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/xor.csv", dir);
    crt_write_text(path, "1,1,1\n-1,-1,1\n1,-1,-1\n-1,1,-1\n");
    snprintf(path, sizeof path, "%s/lm.yaml", dir);
    crt_write_text(path, "experiment: linear_margin\nloss: logistic\nbeta: 0\ndata:\n  kind: csv\n  path: xor.csv\n"
                     "train:\n  iters: 100\n  lr: 0.5\n");
    snprintf(args, sizeof args, "run '%s' --out '%s/deep/er/out' --quiet", path, dir);
    result r = run(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "separable", args);
    result_free(&r);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "lm.yaml|xor.csv");
    /* Over a previous run: it stays whole. */
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s/out' --quiet", dir);
    r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    snprintf(args, sizeof args, "run '%s' --out '%s/out' --quiet", path, dir);
    r = run(args);
    expect_status(&r, 2, args);
    result_free(&r);
    snprintf(path, sizeof path, "%s/out", dir);
    crt_list_dir(path, names, sizeof names, "|");
    assert_string_equal(names, "claims.csv|config.yaml|convex.csv|manifest.yaml|minima.csv|nonconvex.csv|sanity.csv|summary.csv");
    snprintf(path, sizeof path, "%s/out/config.yaml", dir);
    char *cfg = crt_slurp(path, NULL);
    assert_non_null(cfg);
    assert_non_null(strstr(cfg, "experiment: landscape"));
    free(cfg);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "lm.yaml|out|xor.csv");
    crt_rmtree(dir);
}

/* Symbolic links planted under the temporary names the program used to write (".NAME.tmp.PID", the PID being
 * predictable) are never written through: the file they point to stays as it was. The child plants them with
 * its own PID, which the program keeps across exec. */
static void test_planted_links_not_followed(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], out[300], victim[300];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    crt_write_text(victim, "precious\n");
    assert_int_equal(mkdir(out, 0755), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *files[] = {"summary.csv", "claims.csv", "config.yaml", "manifest.yaml",
                               "nonconvex.csv", "convex.csv", "minima.csv"};
        for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
            char link[400];
            snprintf(link, sizeof link, "%s/.%s.tmp.%ld", out, files[k], (long)getpid());
            if (symlink(victim, link) != 0) _exit(126);
        }
        char link[400];
        snprintf(link, sizeof link, "%s/.out.tmp.%ld", dir, (long)getpid());
        if (symlink(victim, link) != 0) _exit(126);
        if (!freopen("/dev/null", "w", stderr)) _exit(125);
        execl(crt_prog(), crt_prog(), "run", "configs/landscape.yaml", "--set", "landscape.grid=11", "--out", out,
              "--quiet", (char *)NULL);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    char *text = crt_slurp(victim, NULL);
    if (!text || strcmp(text, "precious\n") != 0)
        fail_msg("a planted symbolic link was written through: %s now holds\n%.200s", victim, text ? text : "(nothing)");
    free(text);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("the run failed (status 0x%x)", st);
    char path[400];
    struct stat ls;
    snprintf(path, sizeof path, "%s/summary.csv", out);
    assert_int_equal(lstat(path, &ls), 0);
    assert_true(S_ISREG(ls.st_mode));
    crt_rmtree(dir);
}

/* ------------------------------------------------------ the exit contract */

/* DIR/NAME into a malloc'ed string (the test fails when it is missing). */
static char *out_file(const char *dir, const char *name, const char *what)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = crt_slurp(path, NULL);
    if (!text) fail_msg("%s: no %s", what, path);
    return text;
}

/* 0 every claim passed; 3 the run completed and a claim failed (whole folder, status claims_failed, the failed
 * claims named); 1 a runtime failure after the folder was made (status failed, no claim passes), even when the
 * failure is about the data the run produced (training that does not separate); `claims` exits 3 on a failed
 * claim. Expected statuses are the contract's (README), measured values come from the claim rows. */
static void test_exit_status_contract(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[1024], out[300];
    crt_tmpdir(dir);

    /* Three steps of gradient descent cannot turn w_t to the SVM direction: the cosine claim fails. */
    snprintf(out, sizeof out, "%s/lm3", dir);
    snprintf(args, sizeof args, "run configs/linear_margin.yaml --set train.iters=3 --out '%s' --quiet", out);
    result r = run(args);
    expect_status(&r, 3, args);
    expect_in(r.err, "1 of 1 claims failed: [Implicit regularization] linear model: cos(w_t, w_svm) >= 0.999 at the end "
                     "of gradient descent", args);
    result_free(&r);
    char *claims = out_file(out, "claims.csv", args), *summary = out_file(out, "summary.csv", args);
    char *manifest = out_file(out, "manifest.yaml", args), *curve = out_file(out, "curve.csv", args);
    expect_in(claims, "\"[Implicit regularization] linear model: cos(w_t, w_svm) >= 0.999 at the end of gradient "
                      "descent\",", args);
    expect_in(claims, ",FAIL\n", args);
    /* The SVM's certificate is a sanity check (run.h): in sanity.csv, passed, not among the claims. */
    char *sanity = out_file(out, "sanity.csv", args);
    expect_in(sanity, "hard-margin SVM solved to a certified relative gap <= 1e-10,", args);
    expect_in(sanity, ",PASS\n", args);
    if (strstr(claims, "certified relative gap")) fail_msg("%s: the SVM certificate is counted as a claim", args);
    free(sanity);
    expect_in(summary, "\nstatus,claims_failed\n", args);
    expect_in(summary, "\nerror,\"1 of 1 claims failed: [Implicit regularization] linear model: cos(w_t, w_svm) >= 0.999",
              args);
    expect_in(manifest, "\nstatus: claims_failed\n", args);
    expect_in(manifest, "\nclaims_failed: 1\n", args);
    free(claims), free(summary), free(manifest), free(curve);

    /* `claims` over it: the table is written and the status is 3; over a passing run alone it is 0. */
    snprintf(args, sizeof args, "claims '%s' '%s'", dir, out);
    r = run(args);
    expect_status(&r, 3, args);
    expect_in(r.out, "1 failed", args);
    result_free(&r);
    char pass[300];
    snprintf(pass, sizeof pass, "%s/landscape", dir);
    snprintf(args, sizeof args, "run configs/landscape.yaml --set landscape.grid=11 --out '%s' --quiet", pass);
    r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);
    snprintf(args, sizeof args, "claims '%s' '%s'", dir, pass);
    r = run(args);
    expect_status(&r, 0, args);
    result_free(&r);

    /* No gradient step: the initial network does not separate the data and the KKT fit refuses it. That is a
     * finding of the run, not bad input: exit 1 with the folder recording it. */
    snprintf(out, sizeof out, "%s/mm0", dir);
    snprintf(args, sizeof args, "run configs/maxmargin.yaml --set train.iters=0 --out '%s' --quiet", out);
    r = run(args);
    expect_status(&r, 1, args);
    expect_in(r.err, "does not separate the data", args);
    result_free(&r);
    summary = out_file(out, "summary.csv", args);
    claims = out_file(out, "claims.csv", args);
    expect_in(summary, "\nstatus,failed\n", args);
    if (strstr(claims, ",PASS")) fail_msg("%s: a claim passes on a failed run:\n%s", args, claims);
    free(summary), free(claims);

    /* Widths 1..1 stay below m* = 3 of this data: the best objective over m >= m* does not exist. The summary
     * records it empty (not inf, which no table may hold), the claim about it fails, the run exits 3. */
    snprintf(out, sizeof out, "%s/ws1", dir);
    snprintf(args, sizeof args,
             "run configs/width_sweep.yaml --set width_sweep.max_width=1 --set train.iters=2000 --out '%s' --quiet",
             out);
    r = run(args);
    expect_status(&r, 3, args);
    result_free(&r);
    summary = out_file(out, "summary.csv", args);
    claims = out_file(out, "claims.csv", args);
    expect_in(summary, "\nmax_width,1\n", args);
    expect_in(summary, "\nbest_objective_at_m_ge_mstar,\n", args);
    expect_in(summary, "\nstatus,claims_failed\n", args);
    expect_in(claims, "best final L_beta at m >= m* equals p_convex (relative 1e-3),nan,", args);
    char *mstar = strstr(summary, "\nm_star,");
    if (!mstar || atol(mstar + 8) <= 1) fail_msg("%s: m* should exceed max_width = 1:\n%s", args, summary);
    free(summary), free(claims);
    crt_rmtree(dir);
}

/* Data that cannot produce the experiment's claims is bad input, found before anything is written: labels that
 * are not linearly separable for linear_margin (sign labels of a planted ReLU network), three samples for
 * geometry from a CSV file (the schema cannot know its size), and a data path that is a device (/dev/zero, with
 * memory_mb = 100: before the check it was read whole, 2 GB in 5 s; run here under a 1 GB address-space limit
 * and a timeout so that a regression fails instead of exhausting the machine). */
static void test_data_refused_before_writing(void **state)
{
    (void)state;
    crt_need_program();
    char dir[256], args[2048], out[300], path[300], names[1024];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/out", dir);

    snprintf(args, sizeof args, "run configs/linear_margin.yaml --set data.labels=sign --out '%s'", out);
    result r = run(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "experiment linear_margin needs data linearly separable through the origin", args);
    result_free(&r);
    if (crt_exists(out)) fail_msg("%s: wrote %s", args, out);

    snprintf(path, sizeof path, "%s/three.csv", dir);
    crt_write_text(path, "x1,x2,y\n1,0,1\n-1,0.5,-1\n0.9,0.1,1\n");
    snprintf(path, sizeof path, "%s/g.yaml", dir);
    crt_write_text(path, "experiment: geometry\nloss: logistic\nbeta: 0\ndata:\n  kind: csv\n  path: three.csv\n");
    snprintf(args, sizeof args, "run '%s' --out '%s'", path, out);
    r = run(args);
    expect_status(&r, 2, args);
    expect_in(r.err, "experiment geometry draws two samples in the plane: needs n = 2, d = 2, the data has n = 3",
              args);
    result_free(&r);
    if (crt_exists(out)) fail_msg("%s: wrote %s", args, out);

    snprintf(path, sizeof path, "%s/z.yaml", dir);
    crt_write_text(path, "experiment: arrangements\nlimits:\n  memory_mb: 100\ndata:\n  kind: csv\n  path: /dev/zero\n");
    char cmd[4096], *text = NULL;
#ifdef __SANITIZE_ADDRESS__
    /* The program is built with AddressSanitizer too, which reserves terabytes of address space: its own limit. */
    const char *limit = "export ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=1000\"";
#else
    const char *limit = "ulimit -v 1000000";
#endif
    snprintf(cmd, sizeof cmd, "cd '%s' && %s && timeout 20 '%s' run '%s' --out '%s' 2>&1", dir, limit, crt_prog(),
             path, out);
    int st = crt_sh(cmd, &text);
    char msg[1024];
    snprintf(msg, sizeof msg, "data.path /dev/zero: exit %d, output \"%.800s\"; expected 2 and not a regular file", st,
             text ? text : "");
    int ok = st == 2 && text && strstr(text, "\"/dev/zero\" is not a regular file");
    free(text);
    if (!ok) fail_msg("%s", msg);
    crt_list_dir(dir, names, sizeof names, "|");
    assert_string_equal(names, "g.yaml|three.csv|z.yaml");
    crt_rmtree(dir);
}

int main(void)
{
    if (chdir(CR_SOURCE_DIR) != 0) {
        perror(CR_SOURCE_DIR);
        return 1;
    }
    if (!program_present()) fprintf(stderr, "test_cli: %s is not built; every case that runs it fails\n", crt_prog());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crt_test_bad_config_count),
        cmocka_unit_test(test_set_shown_by_check),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_unreadable_config),
        cmocka_unit_test(test_out_is_a_file),
        cmocka_unit_test(test_out_parent_read_only),
        cmocka_unit_test(test_help_version_keys),
        cmocka_unit_test(test_bad_data_exit_2),
        cmocka_unit_test(test_bad_real_data_exit_2),
        cmocka_unit_test(test_pattern_file_same_program),
        cmocka_unit_test(test_check_prints_resolved),
        cmocka_unit_test(test_run_landscape_files),
        cmocka_unit_test(test_deterministic_landscape),
        cmocka_unit_test(test_deterministic_arrangements),
        cmocka_unit_test(test_killed_run_leaves_no_partial_file),
        cmocka_unit_test(test_numerical_failures_recorded),
        cmocka_unit_test(test_out_too_long),
        cmocka_unit_test(test_claims_missing_outdir),
        cmocka_unit_test(test_config_dot_names),
        cmocka_unit_test(test_rerun_replaces_whole_folder),
        cmocka_unit_test(test_reused_out_holds_only_new_tables),
        cmocka_unit_test(test_subcommand_help),
        cmocka_unit_test(test_double_dash_ends_options),
        cmocka_unit_test(test_pattern_columns_quoted),
        cmocka_unit_test(test_check_marks_ignored_keys),
        cmocka_unit_test(test_out_link_or_foreign_folder),
        cmocka_unit_test(test_planted_links_not_followed),
        cmocka_unit_test(test_driver_input_error_writes_nothing),
        cmocka_unit_test(test_exit_status_contract),
        cmocka_unit_test(test_data_refused_before_writing),
    };
    int failed = cmocka_run_group_tests_name("cli", tests, NULL, NULL);

    /* One case per bad config fixture, named after it. */
    failed += crt_run_fixture_group("bad_configs (program)", test_bad_config_fixture);
    return failed ? 1 : 0;
}
