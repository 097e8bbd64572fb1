/* Tests of sweeps (src/harness/sweep_*.c): grid parsing and point names in process; then the program ($CR_PROG): one
 * small landscape sweep run serially, with --jobs 2, by GNU parallel from the emitted job file, by the emitted Slurm
 * array script run task by task, and by a real single-node Slurm (tests/sweep/slurm_local.sh, as root) must give
 * byte-identical sweep.csv; a rejected point is recorded and the others run; a rerun redoes only missing, failed or
 * stale points; usage errors exit 2 and write nothing; stderr.log and point folders are never followed through
 * symbolic links; SIGTERM stops the running points; a killed point never passes with another config's tables. GNU
 * parallel, slurm-wlm and munge are required dependencies (`make deps`): their tests fail, not skip, when they are
 * missing. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <yaml.h>

#include "config.h"
#include "sweep.h"

#define LANDSCAPE CR_SOURCE_DIR "/configs/landscape.yaml"
#define GRID4 "--grid landscape.beta=0.5,1 --grid landscape.grid=11,21"
#define SLURM_SCRIPT CR_SOURCE_DIR "/tests/sweep/slurm_local.sh"

/* ------------------------------------------------------------------ helpers */

/* Runs `cd DIR && PROG ARGS`, stdout+stderr in *out (may be NULL); returns the exit status. */
static int prog_in(const char *dir, const char *args, char **out)
{
    char cmd[6000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, crt_prog(), args);
    return crt_sh(cmd, out);
}

static void expect_status(int got, int want, const char *what, const char *out)
{
    if (got != want) fail_msg("%s: exit status %d, expected %d; output:\n%s", what, got, want, out ? out : "");
}

/* Runs the program in dir and checks its exit status; returns its output (caller frees). */
static char *expect_prog(const char *dir, const char *args, int want, const char *what)
{
    char *out = NULL;
    int st = prog_in(dir, args, &out);
    expect_status(st, want, what, out);
    return out;
}

/* Runs a shell command and checks its exit status; returns its output (caller frees). */
static char *expect_sh(const char *cmd, int want, const char *what)
{
    char *out = NULL;
    int st = crt_sh(cmd, &out);
    expect_status(st, want, what, out);
    return out;
}

static char *file_text(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = crt_slurp(path, NULL);
    if (!t) fail_msg("%s: missing or unreadable", path);
    return t;
}

static void expect_same_file(const char *a, const char *b, const char *what)
{
    size_t la = 0, lb = 0;
    char *ta = crt_slurp(a, &la), *tb = crt_slurp(b, &lb);
    if (!ta || !tb) fail_msg("%s: cannot read %s or %s", what, a, b);
    if (la != lb || memcmp(ta, tb, la) != 0)
        fail_msg("%s: %s and %s differ:\n--- %s\n%s--- %s\n%s", what, a, b, a, ta, b, tb);
    free(ta);
    free(tb);
}

static long long mtime_ns(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

static int lines(const char *text)
{
    int n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}

/* The serial reference of the 4-point landscape sweep in tmp/NAME; returns its sweep.csv path in buf. */
static void serial_reference(const char *tmp, const char *name, char *buf, size_t cap)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out %s --quiet", LANDSCAPE, name);
    int st = prog_in(tmp, args, &out);
    expect_status(st, 0, "serial sweep", out);
    free(out);
    snprintf(buf, cap, "%s/%s/sweep.csv", tmp, name);
}

/* ------------------------------------------------------- grids and names */

static void test_grid_parse(void **state)
{
    (void)state;
    cr_sweep_grid g;
    cr_err err = {{0}};
    assert_int_equal(cr_sweep_grid_parse("landscape.beta=0.5, 1 ,2e-1", &g, &err), 0);
    assert_string_equal(g.key, "landscape.beta");
    assert_int_equal(g.nvalues, 3);
    assert_string_equal(g.values[0], "0.5");
    assert_string_equal(g.values[1], "1");
    assert_string_equal(g.values[2], "2e-1");
    cr_sweep_grid_clear(&g);

    /* Lists: top-level commas separate values, brackets group. */
    assert_int_equal(cr_sweep_grid_parse("count.n=[4,8],[16, 32],64", &g, &err), 0);
    assert_int_equal(g.nvalues, 3);
    assert_string_equal(g.values[0], "[4,8]");
    assert_string_equal(g.values[1], "[16, 32]");
    assert_string_equal(g.values[2], "64");
    cr_sweep_grid_clear(&g);

    static const struct {
        const char *spec, *fragment;
    } bad[] = {
        {"landscape.beta", "expected key.path=v1,v2"},
        {"=1,2", "empty key"},
        {"landscape.beta=", "empty value"},
        {"landscape.beta=1,,2", "empty value"},
        {"landscape.beta=1,", "empty value"},
        {"count.n=[4,8", "unbalanced '['"},
        {"count.n=4],[8]", "unbalanced ']'"},
        {"landscape.beta=1,2,1", "value 1 given twice"},
        {"landscape.beta=1\n,2", "control character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        int st = cr_sweep_grid_parse(bad[i].spec, &g, &err);
        if (st != CR_EINPUT || !strstr(err.msg, bad[i].fragment))
            fail_msg("--grid \"%s\": status %d, message \"%s\", expected 2 and \"%s\"", bad[i].spec, st, err.msg,
                     bad[i].fragment);
        assert_null(g.key);
        assert_null(g.values);
    }
}

static void test_point_names(void **state)
{
    (void)state;
    char buf[256];
    const char *k2[] = {"landscape.beta", "landscape.grid"}, *v2[] = {"0.1", "8"};
    assert_int_equal(cr_sweep_point_name(k2, v2, 2, buf, sizeof buf), 0);
    assert_string_equal(buf, "landscape.beta=0.1__landscape.grid=8");

    /* Lists drop brackets and blanks; other bytes are %XX; the name is a single path component. */
    const char *k1[] = {"count.n"}, *l1[] = {"[4, 8]"}, *p1[] = {"a/b c\"x"};
    assert_int_equal(cr_sweep_point_name(k1, l1, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "count.n=4,8");
    assert_int_equal(cr_sweep_point_name(k1, p1, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "count.n=a%2Fbc%22x");

    /* Long names are cut to 200 characters ending in ~ and a hash of the whole name: deterministic, distinct. */
    char v_a[400], v_b[400], name_a[256], name_b[256];
    memset(v_a, '1', sizeof v_a - 1);
    v_a[sizeof v_a - 1] = 0;
    memcpy(v_b, v_a, sizeof v_a);
    v_b[390] = '2';
    const char *va[] = {v_a}, *vb[] = {v_b};
    assert_int_equal(cr_sweep_point_name(k1, va, 1, name_a, sizeof name_a), 0);
    assert_int_equal(cr_sweep_point_name(k1, vb, 1, name_b, sizeof name_b), 0);
    assert_int_equal(strlen(name_a), 200);
    assert_int_equal(name_a[200 - 17], '~');
    assert_string_not_equal(name_a, name_b);
    assert_int_equal(cr_sweep_point_name(k1, va, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, name_a);
    assert_int_equal(cr_sweep_point_name(k1, va, 1, buf, 100), CR_EINPUT);
}

/* --------------------------------------------------- the program: three ways */

static void test_serial_jobs2_parallel_identical(void **state)
{
    (void)state;
    crt_need_program();
    if (crt_sh("command -v parallel", NULL) != 0)
        fail_msg("GNU parallel is not installed: it is a required dependency, `make deps` should install the Debian "
                 "package parallel");
    char tmp[256], ref[512], args[1024], path[512], *out = NULL;
    crt_tmpdir(tmp);
    serial_reference(tmp, "serial", ref, sizeof ref);

    /* The table: grid columns, status, error, summary keys; grid order; no wall times. */
    char *csv = file_text(tmp, "serial/sweep.csv");
    const char *header = "landscape.beta,landscape.grid,status,error,nonconvex_min,";
    if (strncmp(csv, header, strlen(header)) != 0) fail_msg("sweep.csv header:\n%s", csv);
    assert_int_equal(lines(csv), 5);
    assert_null(strstr(csv, "_seconds"));
    const char *row = strchr(csv, '\n') + 1;
    assert_true(strncmp(row, "0.5,11,ok,,", 11) == 0);
    row = strchr(row, '\n') + 1;
    assert_true(strncmp(row, "0.5,21,ok,,", 11) == 0);
    row = strchr(row, '\n') + 1;
    assert_true(strncmp(row, "1,11,ok,,0.75,", 14) == 0); /* the slide's minimum 3/4 at beta = 1 */
    free(csv);
    snprintf(path, sizeof path, "%s/serial/landscape.beta=1__landscape.grid=21/summary.csv", tmp);
    assert_true(crt_exists(path));
    char *plan = file_text(tmp, "serial/sweep.yaml");
    assert_non_null(strstr(plan, "name: \"landscape.beta=0.5__landscape.grid=11\""));
    free(plan);

    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out jobs2 --jobs 2 --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --jobs 2");
    free(out);
    snprintf(path, sizeof path, "%s/jobs2/sweep.csv", tmp);
    expect_same_file(ref, path, "--jobs 2 versus serial");

    /* Emitted job file: one line per point, run by GNU parallel, then aggregate. Nothing runs at emit time. */
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out par --emit-jobs par.jobs", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-jobs");
    if (!strstr(out, "parallel")) fail_msg("--emit-jobs does not say how to run the jobs:\n%s", out);
    free(out);
    snprintf(path, sizeof path, "%s/par/sweep.csv", tmp);
    assert_false(crt_exists(path));
    char *jobs = file_text(tmp, "par.jobs");
    assert_int_equal(lines(jobs), 4);
    assert_non_null(strstr(jobs, " run "));
    free(jobs);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd / && parallel --will-cite -j2 < '%s/par.jobs'", tmp);
    int st = crt_sh(cmd, &out);
    expect_status(st, 0, "parallel -j2 < par.jobs", out);
    free(out);
    out = expect_prog("/", "aggregate /dev/null", 2, "aggregate of a non-sweep");
    free(out);
    snprintf(args, sizeof args, "aggregate '%s/par'", tmp);
    out = expect_prog("/", args, 0, "aggregate after parallel");
    free(out);
    expect_same_file(ref, path, "GNU parallel versus serial");
    crt_rmtree(tmp);
}

/* The emitted Slurm array script, run task by task as Slurm would (SLURM_ARRAY_TASK_ID = 0..K), then the
 * emitted aggregation script: the same table. Needs no Slurm. */
static void test_emitted_slurm_script_by_hand(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], ref[512], args[1024], cmd[2048], path[512], *out = NULL;
    crt_tmpdir(tmp);
    serial_reference(tmp, "serial", ref, sizeof ref);
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out sl --emit-slurm sl/sweep.sbatch", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-slurm");
    if (!strstr(out, "--dependency=afterany:")) fail_msg("--emit-slurm does not explain the aggregation:\n%s", out);
    free(out);
    char *script = file_text(tmp, "sl/sweep.sbatch");
    assert_non_null(strstr(script, "#SBATCH --array=0-3\n"));
    assert_non_null(strstr(script, "SLURM_ARRAY_TASK_ID + 1"));
    free(script);
    char *jobs = file_text(tmp, "sl/sweep.jobs");
    assert_int_equal(lines(jobs), 4);
    free(jobs);
    char *agg = file_text(tmp, "sl/sweep-aggregate.sbatch");
    assert_non_null(strstr(agg, " aggregate "));
    free(agg);
    /* Tasks in reverse order: the order they run in does not matter. */
    for (int k = 3; k >= 0; k--) {
        snprintf(cmd, sizeof cmd, "cd / && SLURM_ARRAY_TASK_ID=%d bash '%s/sl/sweep.sbatch'", k, tmp);
        out = expect_sh(cmd, 0, "array task");
        free(out);
    }
    snprintf(cmd, sizeof cmd, "SLURM_ARRAY_TASK_ID=4 bash '%s/sl/sweep.sbatch'", tmp);
    out = expect_sh(cmd, 2, "array task beyond the jobs file");
    free(out);
    snprintf(cmd, sizeof cmd, "cd / && bash '%s/sl/sweep-aggregate.sbatch'", tmp);
    out = expect_sh(cmd, 0, "aggregation script");
    free(out);
    snprintf(path, sizeof path, "%s/sl/sweep.csv", tmp);
    expect_same_file(ref, path, "Slurm script run by hand versus serial");
    crt_rmtree(tmp);
}

/* --emit-slurm with sbatch settings: --time and the estimated --mem in the array scripts only, --partition,
 * --account and --sbatch-opt in every script, the %N throttle, and 4 points split into arrays of at most 3
 * (--max-array-size 3: sweep.sbatch over lines 1..3, sweep-part2.sbatch over line 4). --mem is the largest point's
 * estimate rounded up to MiB plus CR_SWEEP_SLURM_BASE_MB: landscape allocates three grid x grid tables of doubles,
 * 3 * 8 * 21^2 bytes at grid 21, under 1 MiB, so 1 + 64. Run task by task, the scripts give the serial table; a
 * given --mem replaces the estimate. (Before, none of these options existed: exit 2.) */
static void test_emitted_slurm_options_and_split(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], ref[512], args[1024], cmd[2048], path[512], *out = NULL;
    crt_tmpdir(tmp);
    serial_reference(tmp, "serial", ref, sizeof ref);
    snprintf(args, sizeof args,
             "sweep '%s' " GRID4 " --out sl --emit-slurm sl/sweep.sbatch --time 1:00:00 --partition short "
             "--account proj7 --sbatch-opt=--qos=long --max-running 2 --max-array-size 3",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-slurm with sbatch settings");
    if (!strstr(out, "--dependency=afterany:$j1:$j2 ")) fail_msg("the aggregation does not wait for both arrays:\n%s", out);
    free(out);
    long mem = (long)ceil(3.0 * 8.0 * 21 * 21 / 1048576.0) + 64;
    char memline[64];
    snprintf(memline, sizeof memline, "\n#SBATCH --mem=%ldM\n", mem);
    const char *parts[] = {"sl/sweep.sbatch", "sl/sweep-part2.sbatch"};
    const char *arrays[] = {"\n#SBATCH --array=0-2%2\n", "\n#SBATCH --array=0-0%2\n"};
    const char *offsets[] = {"SLURM_ARRAY_TASK_ID + 1)", "SLURM_ARRAY_TASK_ID + 4)"};
    for (int k = 0; k < 2; k++) {
        char *script = file_text(tmp, parts[k]);
        const char *want[] = {arrays[k], offsets[k], memline, "\n#SBATCH --time=1:00:00\n",
                              "\n#SBATCH --partition=short\n", "\n#SBATCH --account=proj7\n", "\n#SBATCH --qos=long\n"};
        for (size_t w = 0; w < sizeof want / sizeof want[0]; w++)
            if (!strstr(script, want[w])) fail_msg("%s lacks %s:\n%s", parts[k], want[w], script);
        free(script);
    }
    char *agg = file_text(tmp, "sl/sweep-aggregate.sbatch");
    assert_non_null(strstr(agg, "\n#SBATCH --partition=short\n#SBATCH --account=proj7\n#SBATCH --qos=long\n"));
    assert_null(strstr(agg, "--time"));
    assert_null(strstr(agg, "--mem"));
    free(agg);
    /* Emitted again in one array: the second part, which would run lines of the new jobs file, is gone. */
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out sl --emit-slurm sl/sweep.sbatch", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-slurm in one array");
    free(out);
    snprintf(path, sizeof path, "%s/sl/sweep-part2.sbatch", tmp);
    assert_false(crt_exists(path));
    snprintf(args, sizeof args,
             "sweep '%s' " GRID4 " --out sl --emit-slurm sl/sweep.sbatch --time 1:00:00 --partition short "
             "--account proj7 --sbatch-opt=--qos=long --max-running 2 --max-array-size 3",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-slurm split again");
    free(out);
    assert_true(crt_exists(path));
    for (int k = 2; k >= 0; k--) {
        snprintf(cmd, sizeof cmd, "cd / && SLURM_ARRAY_TASK_ID=%d bash '%s/sl/sweep.sbatch'", k, tmp);
        out = expect_sh(cmd, 0, "array task of part 1");
        free(out);
    }
    snprintf(cmd, sizeof cmd, "cd / && SLURM_ARRAY_TASK_ID=0 bash '%s/sl/sweep-part2.sbatch'", tmp);
    out = expect_sh(cmd, 0, "array task of part 2");
    free(out);
    snprintf(cmd, sizeof cmd, "SLURM_ARRAY_TASK_ID=1 bash '%s/sl/sweep-part2.sbatch'", tmp);
    out = expect_sh(cmd, 2, "task beyond the jobs file");
    free(out);
    snprintf(cmd, sizeof cmd, "cd / && bash '%s/sl/sweep-aggregate.sbatch'", tmp);
    out = expect_sh(cmd, 0, "aggregation script");
    free(out);
    snprintf(path, sizeof path, "%s/sl/sweep.csv", tmp);
    expect_same_file(ref, path, "split Slurm arrays run by hand versus serial");
    /* A given --mem is written as is; the default MaxArraySize keeps one array. */
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --set landscape.x=2 --out s2 --emit-slurm s2.sbatch --mem 3G",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep --emit-slurm --mem 3G");
    free(out);
    char *script = file_text(tmp, "s2.sbatch");
    assert_non_null(strstr(script, "\n#SBATCH --mem=3G\n"));
    assert_non_null(strstr(script, "\n#SBATCH --array=0-3\n"));
    free(script);
    snprintf(path, sizeof path, "%s/s2-part2.sbatch", tmp);
    assert_false(crt_exists(path));
    crt_rmtree(tmp);
}

/* limits.memory_mb left at its default (half the machine's memory) is written as 0 in a point's config.yaml, so
 * the staleness check, which compares that text, gives the same answer on a node with other memory (before, the
 * machine's value was written: every point was stale elsewhere). An explicit value still counts: a rerun with
 * another limits.memory_mb redoes every point. */
static void test_staleness_ignores_machine_memory(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11,21 --out sw --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep");
    free(out);
    char *cfg = file_text(tmp, "sw/landscape.grid=11/config.yaml");
    if (!strstr(cfg, "\n  memory_mb: 0  # half the memory of the machine that runs it\n"))
        fail_msg("config.yaml records this machine's memory:\n%s", cfg);
    free(cfg);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11,21 --out sw --set limits.memory_mb=4000",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep with an explicit limit");
    if (!strstr(out, "2 points, 2 to run, 0 done")) fail_msg("an explicit limits.memory_mb did not count:\n%s", out);
    free(out);
    cfg = file_text(tmp, "sw/landscape.grid=21/config.yaml");
    assert_non_null(strstr(cfg, "\n  memory_mb: 4000\n"));
    free(cfg);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11,21 --out sw --set limits.memory_mb=4000",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "rerun");
    if (!strstr(out, "2 points, 0 to run, 2 done")) fail_msg("rerun of the same sweep redid points:\n%s", out);
    free(out);
    crt_rmtree(tmp);
}

/* Reusing a sweep's --out for another grid: the run folders of the earlier points go (their tables never stay
 * beside the new ones), and a changed plan's emission removes the earlier sweep.csv until aggregate rebuilds it.
 * A folder that is neither a point nor a cvxrelu run folder is never removed: the sweep is refused (exit 2) and
 * nothing is touched; so is a folder holding other files without a sweep.yaml. (Before, the earlier points
 * stayed, and any writable folder was written into.) */
static void test_reused_sweep_folder(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], names[4096], path[600], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11,21 --out sw --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "first sweep");
    free(out);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.beta=0.5 --set landscape.grid=11 --out sw --quiet",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "second sweep, another grid");
    free(out);
    snprintf(path, sizeof path, "%s/sw", tmp);
    crt_list_dir(path, names, sizeof names, "|");
    assert_string_equal(names, "landscape.beta=0.5|sweep.csv|sweep.yaml");
    /* Another grid, emitted: the earlier table goes with the earlier points. */
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.beta=2 --set landscape.grid=11 --out sw --emit-jobs j",
             LANDSCAPE);
    out = expect_prog(tmp, args, 0, "emitted sweep, another grid");
    free(out);
    crt_list_dir(path, names, sizeof names, "|");
    assert_string_equal(names, "landscape.beta=2|sweep.yaml");
    /* A foreign folder inside: refused, nothing removed. */
    snprintf(path, sizeof path, "%s/sw/mine", tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/sw/mine/notes.txt", tmp);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("mine\n", f);
    assert_int_equal(fclose(f), 0);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11 --out sw", LANDSCAPE);
    out = expect_prog(tmp, args, 2, "sweep into a folder holding a foreign folder");
    if (!strstr(out, "holds the folder mine, which is neither a point")) fail_msg("message: %s", out);
    free(out);
    snprintf(path, sizeof path, "%s/sw", tmp);
    crt_list_dir(path, names, sizeof names, "|");
    assert_string_equal(names, "landscape.beta=2|mine|sweep.yaml");
    /* A folder of other files and no sweep.yaml: refused. */
    snprintf(path, sizeof path, "%s/home", tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/home/thesis.tex", tmp);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11 --out home", LANDSCAPE);
    out = expect_prog(tmp, args, 2, "sweep into a foreign folder");
    if (!strstr(out, "no sweep.yaml of a cvxrelu sweep")) fail_msg("message: %s", out);
    free(out);
    snprintf(path, sizeof path, "%s/home", tmp);
    crt_list_dir(path, names, sizeof names, "|");
    assert_string_equal(names, "thesis.tex");
    crt_rmtree(tmp);
}

/* ----------------------------------------------- failures and reruns */

/* beta = 1 runs; beta = -5 is rejected by the schema (never runs); beta = 2 runs and fails at run time (the toy
 * needs 2 x y > beta). Both bad points are recorded with their messages; the rerun redoes only the failed one. */
static void test_failed_points_recorded(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], ok[512], failed[512], rejected[512], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.beta=1,-5,2 --grid landscape.grid=11 --out f --jobs 2",
             LANDSCAPE);
    out = expect_prog(tmp, args, 1, "sweep with a rejected and a failing point");
    if (!strstr(out, "landscape.beta=-5") || !strstr(out, "landscape.beta=2__landscape.grid=11: failed"))
        fail_msg("the bad points are not reported:\n%s", out);
    free(out);
    char *csv = file_text(tmp, "f/sweep.csv");
    if (!strstr(csv, "\n1,11,ok,,0.75,")) fail_msg("the valid point did not run:\n%s", csv);
    if (!strstr(csv, "\n-5,11,error,\"--grid landscape.beta=-5: landscape.beta: expected a number in"))
        fail_msg("the rejected point lacks its error:\n%s", csv);
    if (!strstr(csv, "\n2,11,failed,\"landscape: toy closed form needs x, y > 0 and 2 x y > beta\",,"))
        fail_msg("the failed point lacks its error:\n%s", csv);
    assert_int_equal(lines(csv), 4);
    free(csv);
    snprintf(rejected, sizeof rejected, "%s/f/landscape.beta=-5__landscape.grid=11", tmp);
    assert_false(crt_exists(rejected)); /* a rejected point never runs */
    snprintf(ok, sizeof ok, "%s/f/landscape.beta=1__landscape.grid=11/summary.csv", tmp);
    snprintf(failed, sizeof failed, "%s/f/landscape.beta=2__landscape.grid=11/summary.csv", tmp);
    long long t_ok = mtime_ns(ok), t_failed = mtime_ns(failed);
    assert_true(t_ok > 0 && t_failed > 0);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    out = expect_prog(tmp, args, 1, "rerun");
    if (!strstr(out, "3 points, 1 to run, 1 done, 1 rejected")) fail_msg("rerun plan:\n%s", out);
    free(out);
    assert_true(mtime_ns(ok) == t_ok);
    assert_true(mtime_ns(failed) > t_failed);
    assert_false(crt_exists(rejected));
    crt_rmtree(tmp);
}

static void test_rerun_redoes_only_missing_failed_stale(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], ref[512], args[1024], p[4][512], *out = NULL;
    crt_tmpdir(tmp);
    serial_reference(tmp, "s", ref, sizeof ref);
    const char *names[4] = {"landscape.beta=0.5__landscape.grid=11", "landscape.beta=0.5__landscape.grid=21",
                            "landscape.beta=1__landscape.grid=11", "landscape.beta=1__landscape.grid=21"};
    long long t[4];
    for (int i = 0; i < 4; i++) {
        snprintf(p[i], sizeof p[i], "%s/s/%s/summary.csv", tmp, names[i]);
        t[i] = mtime_ns(p[i]);
        assert_true(t[i] > 0);
    }
    /* Point 0 missing, point 1 failed, point 2 stale (another config); point 3 stays done. */
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s/s' && rm -rf '%s' && sed -i 's/^status,ok$/status,failed/' '%s/summary.csv' && "
             "sed -i 's/^  x: 1$/  x: 2/' '%s/config.yaml'",
             tmp, names[0], names[1], names[2]);
    out = expect_sh(cmd, 0, "damaging the points");
    free(out);
    snprintf(args, sizeof args, "aggregate '%s/s'", tmp);
    out = expect_prog("/", args, 1, "aggregate of damaged points");
    free(out);
    char *csv = file_text(tmp, "s/sweep.csv");
    if (!strstr(csv, "\n0.5,11,error,not run or unfinished: no summary.csv,,") ||
        !strstr(csv, "\n0.5,21,failed,") || !strstr(csv, "\n1,11,error,stale: config.yaml differs") ||
        !strstr(csv, "\n1,21,ok,,"))
        fail_msg("aggregate of missing/failed/stale points:\n%s", csv);
    free(csv);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --out s --jobs 2", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "rerun");
    if (!strstr(out, "4 points, 3 to run, 1 done")) fail_msg("rerun plan:\n%s", out);
    free(out);
    for (int i = 0; i < 3; i++)
        if (mtime_ns(p[i]) <= t[i]) fail_msg("%s was not rerun", names[i]);
    assert_true(mtime_ns(p[3]) == t[3]);
    char now[512];
    snprintf(now, sizeof now, "%s/s/sweep.csv", tmp);
    expect_same_file(ref, now, "rerun versus the first run");

    /* A different --set changes every resolved config: everything reruns. */
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --set landscape.range=1 --out s --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "rerun with another --set");
    free(out);
    if (mtime_ns(p[3]) == t[3]) fail_msg("a new --set did not rerun the done point");
    /* Nothing to do: the emit modes write no job file and rebuild the table. */
    snprintf(args, sizeof args, "sweep '%s' " GRID4 " --set landscape.range=1 --out s --emit-jobs s.jobs", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "emit with every point done");
    if (!strstr(out, "0 to run")) fail_msg("emit with every point done:\n%s", out);
    free(out);
    snprintf(p[0], sizeof p[0], "%s/s.jobs", tmp);
    assert_false(crt_exists(p[0]));
    crt_rmtree(tmp);
}

/* Aggregating emitted jobs before they ran: every point "not run", exit 1. */
static void test_aggregate_before_jobs(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.beta=1,2 --out e --emit-jobs e.jobs", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "emit");
    free(out);
    out = expect_prog(tmp, "aggregate e", 1, "aggregate before the jobs ran");
    free(out);
    char *csv = file_text(tmp, "e/sweep.csv");
    assert_string_equal(csv, "landscape.beta,status,error\n1,error,not run or unfinished: no summary.csv\n"
                             "2,error,not run or unfinished: no summary.csv\n");
    free(csv);
    crt_rmtree(tmp);
}

/* Summary keys: union over the points in first-seen order, empty where a point lacks one; wall times (*_seconds)
 * left out; a key spelled like a grid key is prefixed with "summary.". */
static void test_summary_columns(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], cmd[2048], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.beta=0.5,1 --out c --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "sweep");
    free(out);
    snprintf(cmd, sizeof cmd,
             "cd '%s/c' && printf 'solve_seconds,0.25\\nlandscape.beta,7\\nextra,\"a,b\"\\n' >> "
             "landscape.beta=1/summary.csv",
             tmp);
    out = expect_sh(cmd, 0, "editing a summary");
    free(out);
    out = expect_prog(tmp, "aggregate c --quiet", 0, "aggregate");
    free(out);
    char *csv = file_text(tmp, "c/sweep.csv");
    const char *want_header = "landscape.beta,status,error,nonconvex_min,nonconvex_u,nonconvex_alpha,convex_min,"
                              "convex_v,convex_w,closed_form_min,reconstruction_L,origin_L,origin_clarke_minnorm,"
                              "origin_convex_kkt_residual,summary.landscape.beta,extra\n";
    if (strncmp(csv, want_header, strlen(want_header)) != 0) fail_msg("header:\n%s", csv);
    if (!strstr(csv, ",0.4375,1,0,1.5,,\n1,ok,,") || !strstr(csv, ",0.75,1,0,1,7,\"a,b\"\n")) fail_msg("rows:\n%s", csv);
    assert_null(strstr(csv, "_seconds"));
    assert_null(strstr(csv, "0.25"));
    free(csv);
    crt_rmtree(tmp);
}

/* ------------------------------------------------------------ usage errors */

static void test_usage_errors_write_nothing(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[2048], path[512], *out = NULL;
    crt_tmpdir(tmp);
    static const struct {
        const char *args, *fragment;
    } bad[] = {
        {"--grid landscape.bet=1,2", "unknown key (did you mean landscape.beta?)"},
        {"", "no --grid"},
        {"--grid 'count.n=[4,8'", "unbalanced '['"},
        {"--grid landscape.beta=-1,-2", "no point of the sweep is a valid config"},
        {"--grid landscape.beta=1 --set landscape.grdi=5", "landscape.grdi: unknown key"},
        {"--grid landscape.beta=1 --set landscape.beta=2", "also given by --set"},
        {"--grid landscape.beta=1 --grid landscape.beta=2", "two --grid options"},
        {"--grid landscape.beta=1 --jobs 0", "--jobs: expected an integer"},
        {"--grid landscape.beta=1 --jobs 2 --emit-jobs j", "choose one"},
        {"--grid landscape.beta=1 --bogus", "unknown option --bogus"},
        {"--grid landscape.beta=1 --out", "--out needs a value"},
        {"--grid 'landscape.beta=1,[1]'", "name the same point folder"},
        {"--grid landscape.beta=1 --emit-slurm .", "is a folder"},
        {"--grid landscape.beta=1 --time 1:00:00", "--time is an sbatch setting: it needs --emit-slurm"},
        {"--grid landscape.beta=1 --emit-jobs j --max-running 2", "--max-running is an sbatch setting"},
        {"--grid landscape.beta=1 --emit-slurm s.sbatch --mem lots", "--mem: expected a size"},
        {"--grid landscape.beta=1 --emit-slurm s.sbatch --partition 'a b'", "cannot be written into an #SBATCH"},
        {"--grid landscape.beta=1 --emit-slurm s.sbatch --sbatch-opt qos", "expected an sbatch option"},
        {"--grid landscape.beta=1 --emit-slurm s.sbatch --max-array-size 0", "--max-array-size: expected an integer"},
        {"--grid landscape.beta=1 --emit-slurm s.sbatch --max-running x", "--max-running: expected an integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "sweep '%s' %s --out o", LANDSCAPE, bad[i].args);
        if (strstr(bad[i].args, "--out")) snprintf(args, sizeof args, "sweep '%s' %s", LANDSCAPE, bad[i].args);
        int st = prog_in(tmp, args, &out);
        if (st != 2 || !strstr(out, bad[i].fragment))
            fail_msg("sweep %s: exit %d, output \"%s\"; expected 2 and \"%s\"", bad[i].args, st, out, bad[i].fragment);
        free(out);
        snprintf(path, sizeof path, "%s/o", tmp);
        if (crt_exists(path)) fail_msg("sweep %s: wrote %s", bad[i].args, path);
        snprintf(path, sizeof path, "%s/results", tmp);
        if (crt_exists(path)) fail_msg("sweep %s: wrote %s", bad[i].args, path);
    }
    out = expect_prog(tmp, "sweep nowhere.yaml --grid landscape.beta=1", 2, "missing config");
    free(out);
    snprintf(args, sizeof args, "touch f && '%s' sweep '%s' --grid landscape.beta=1 --out f", crt_prog(), LANDSCAPE);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", tmp, args);
    out = expect_sh(cmd, 2, "--out names a file");
    free(out);
    out = expect_prog(tmp, "aggregate", 2, "aggregate without a folder");
    free(out);
    out = expect_prog(tmp, "aggregate .", 2, "aggregate of a folder without sweep.yaml");
    free(out);
    out = expect_prog(tmp, "sweep --help", 0, "sweep --help");
    if (!strstr(out, "--emit-slurm") || !strstr(out, "_seconds")) fail_msg("sweep --help:\n%s", out);
    free(out);
    crt_rmtree(tmp);
}

/* The default folder is results/<stem>-sweep; list-valued keys take bracketed values. */
static void test_default_out_and_list_values(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], path[512], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args,
             "sweep '%s/configs/arrangement_count.yaml' --grid 'count.n=[4,8],[16]' --grid count.d=2 --quiet",
             CR_SOURCE_DIR);
    out = expect_prog(tmp, args, 0, "list-valued sweep");
    free(out);
    char *csv = file_text(tmp, "results/arrangement_count-sweep/sweep.csv");
    if (strncmp(csv, "count.n,count.d,status,error,", 29) != 0 || !strstr(csv, "\n\"[4,8]\",2,ok,,") ||
        !strstr(csv, "\n[16],2,ok,,"))
        fail_msg("list-valued sweep.csv:\n%s", csv);
    free(csv);
    snprintf(path, sizeof path, "%s/results/arrangement_count-sweep/count.n=4,8__count.d=2/config.yaml", tmp);
    char *cfg = crt_slurp(path, NULL);
    if (!cfg || !strstr(cfg, "  n: [4, 8]\n")) fail_msg("%s:\n%s", path, cfg ? cfg : "(missing)");
    free(cfg);
    crt_rmtree(tmp);
}

/* ------------------------------------------- links, signals, killed points */

/* The processes whose parent is `parent` (from /proc/PID/stat), at most cap; returns how many. */
static int children_of(pid_t parent, pid_t *out, int cap)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        char path[300], buf[1024];
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[k] = 0;
        char *rp = strrchr(buf, ')'), state;
        long ppid;
        if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)parent && state != 'Z')
            out[n++] = (pid_t)atol(e->d_name);
    }
    closedir(d);
    return n;
}

/* Whether process pid exists and is not a zombie. */
static int running(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    char *rp = strrchr(buf, ')'), state = 'Z';
    if (rp) sscanf(rp + 1, " %c", &state);
    return state != 'Z' && state != 'X';
}

/* Starts `PROG ARGV...` in dir with default signal dispositions and an empty mask, output to dir/LOGNAME. */
static pid_t start_prog(const char *dir, const char *logname, const char *const *args)
{
    const char *argv[40];
    size_t n = 0;
    argv[n++] = crt_prog();
    for (; *args && n < 39; args++) argv[n++] = *args;
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char log[600];
        snprintf(log, sizeof log, "%s/%s", dir, logname);
        if (chdir(dir) != 0 || !freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(125);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A symbolic link planted at a point's stderr.log is replaced, never written through: the file it points to
 * keeps its content. */
static void test_log_link_not_followed(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], cmd[2048], victim[300], log[600], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(victim, sizeof victim, "%s/victim.txt", tmp);
    snprintf(cmd, sizeof cmd, "printf 'precious\\n' > '%s'", victim);
    free(expect_sh(cmd, 0, "victim"));
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11 --out s --quiet", LANDSCAPE);
    free(expect_prog(tmp, args, 0, "first sweep"));
    snprintf(log, sizeof log, "%s/s/landscape.grid=11/stderr.log", tmp);
    unlink(log);
    assert_int_equal(symlink(victim, log), 0);
    /* Another --set makes the point stale: it reruns. */
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11 --set landscape.beta=0.5 --out s --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 0, "rerun");
    free(out);
    char *text = crt_slurp(victim, NULL);
    if (!text || strcmp(text, "precious\n") != 0)
        fail_msg("the sweep wrote through a symbolic link at stderr.log: %s holds \"%s\"", victim, text ? text : "");
    free(text);
    struct stat st;
    assert_int_equal(lstat(log, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    crt_rmtree(tmp);
}

/* A point folder that is a symbolic link to a folder outside --out is neither written nor read: the point is
 * reported as an error, the folder it points to stays empty, the other point runs. */
static void test_linked_point_folder_not_followed(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], path[600], outside[300], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(outside, sizeof outside, "%s/outside", tmp);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(path, sizeof path, "%s/s", tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/s/landscape.grid=11", tmp);
    assert_int_equal(symlink(outside, path), 0);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11,21 --out s --quiet", LANDSCAPE);
    out = expect_prog(tmp, args, 1, "sweep with a linked point folder");
    free(out);
    char cmd[600], *ls = NULL;
    snprintf(cmd, sizeof cmd, "ls -A '%s'", outside);
    assert_int_equal(crt_sh(cmd, &ls), 0);
    if (ls[0]) fail_msg("the sweep wrote into the folder a point's link points to: %s", ls);
    free(ls);
    char *csv = file_text(tmp, "s/sweep.csv");
    if (!strstr(csv, "\n11,error,the point folder is a symbolic link") || !strstr(csv, "\n21,ok,"))
        fail_msg("sweep.csv:\n%s", csv);
    free(csv);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    crt_rmtree(tmp);
}

/* SIGTERM to a sweep running two points (--jobs 2): the sweep passes it on, waits for them and dies by it; no
 * point keeps running to race a resumed sweep, and no point folder holds part of a run. */
static void test_sigterm_stops_points(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256];
    crt_tmpdir(tmp);
    const char *args[] = {"sweep", LANDSCAPE, "--grid", "landscape.grid=2001,2000", "--out", "s", "--jobs", "2",
                          "--quiet", NULL};
    pid_t sweep = start_prog(tmp, "sweep.log", args);
    pid_t kids[8];
    int nkids = 0;
    for (int i = 0; i < 500 && nkids < 2; i++) {
        sleep_ms(10);
        nkids = children_of(sweep, kids, 8);
    }
    if (nkids < 2) {
        kill(sweep, SIGKILL);
        waitpid(sweep, NULL, 0);
        fail_msg("the sweep did not start two points within 5 s (%d)", nkids);
    }
    sleep_ms(300);
    assert_int_equal(kill(sweep, SIGTERM), 0);
    int st;
    assert_int_equal(waitpid(sweep, &st, 0), sweep);
    int left = 0;
    for (int k = 0; k < nkids; k++) left += running(kids[k]);
    for (int k = 0; k < nkids; k++)
        if (running(kids[k])) kill(kids[k], SIGKILL); /* do not leave them behind when the test fails */
    if (left) fail_msg("%d of %d points still run after the sweep got SIGTERM", left, nkids);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)) fail_msg("the sweep ended with status 0x%x, not by SIGTERM", st);
    /* The stopped points left no staging folder and no table in their folders (only their logs). */
    char cmd[600], *ls = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s/s' && LC_ALL=C find . -mindepth 1 | LC_ALL=C sort", tmp);
    assert_int_equal(crt_sh(cmd, &ls), 0);
    const char *want = "./landscape.grid=2000\n./landscape.grid=2000/stderr.log\n./landscape.grid=2001\n"
                       "./landscape.grid=2001/stderr.log\n./sweep.yaml\n";
    if (strcmp(ls, want) != 0) fail_msg("after SIGTERM the sweep folder holds:\n%s", ls);
    free(ls);
    crt_rmtree(tmp);
}

/* The inodes of the files of dir other than stderr.log: change when any of the run's files is replaced. */
static unsigned long long run_inodes(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    unsigned long long h = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "stderr.log") == 0) continue;
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0) h += (unsigned long long)st.st_ino * 2654435761ull;
    }
    closedir(d);
    return h;
}

/* A point rerun with another config and killed (SIGKILL) mid-run must not later pass as done with tables of that
 * other config: trial 0 kills the run as soon as any file of its folder changes, trial 1 halfway. Then the first
 * sweep's plan is checked again: if the point counts as ok, its tables are the first sweep's, byte for byte. */
static void test_killed_point_never_ok_with_other_tables(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], point[600], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=401 --out k --quiet", LANDSCAPE);
    double t0 = now_s();
    free(expect_prog(tmp, args, 0, "sweep A"));
    double full = now_s() - t0;
    snprintf(point, sizeof point, "%s/k/landscape.grid=401", tmp);
    const char *tables[] = {"nonconvex.csv", "convex.csv", "minima.csv"};
    char *ref[3];
    for (int t = 0; t < 3; t++) ref[t] = file_text(point, tables[t]);
    const char *b_args[] = {"sweep", LANDSCAPE, "--grid", "landscape.grid=401", "--set", "landscape.beta=0.5",
                            "--out", "k", "--quiet", NULL};
    for (int trial = 0; trial < 2; trial++) {
        unsigned long long before = run_inodes(point);
        pid_t sweep = start_prog(tmp, "sweepB.log", b_args);
        pid_t kid = 0;
        double start = now_s();
        int done = 0, st;
        while (!done) {
            pid_t kids[4];
            if (!kid && children_of(sweep, kids, 4) > 0) kid = kids[0];
            if (kid && (trial == 0 ? run_inodes(point) != before : now_s() - start > 0.5 * full)) break;
            done = waitpid(sweep, &st, WNOHANG) == sweep;
            if (now_s() - start > 60) fail_msg("sweep B did not end");
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        if (!done) {
            kill(kid, SIGKILL);
            assert_int_equal(waitpid(sweep, &st, 0), sweep);
        }
        /* Sweep A's plan again, emitting only: nothing runs, the table is rebuilt from the folder. */
        snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=401 --out k --emit-jobs k.jobs", LANDSCAPE);
        out = expect_prog(tmp, args, 0, "sweep A, emitting");
        int ok = strstr(out, "0 to run") != NULL;
        free(out);
        print_message("trial %d: the killed point counts as %s for sweep A\n", trial, ok ? "done" : "not done");
        if (!ok) continue;
        char *csv = file_text(tmp, "k/sweep.csv");
        if (!strstr(csv, "\n401,ok,")) fail_msg("sweep A's table:\n%s", csv);
        free(csv);
        for (int t = 0; t < 3; t++) {
            char *now = file_text(point, tables[t]);
            if (strcmp(now, ref[t]) != 0)
                fail_msg("trial %d: the point is reported ok for sweep A, but its %s comes from another config", trial,
                         tables[t]);
            free(now);
        }
    }
    for (int t = 0; t < 3; t++) free(ref[t]);
    crt_rmtree(tmp);
}

/* ------------------------------------------------------ claims that fail */

/* A point whose run completes with a failed claim is claims_failed: its values are in the table, its error cell
 * names the failed claim, it is done (a rerun does not redo it), and the sweep exits 3; a point in error (a value
 * the schema rejects) makes it 1. Three gradient steps cannot turn a linear model to the SVM direction. */
static void test_claims_failed_points(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], *out = NULL;
    crt_tmpdir(tmp);
    const char *lm = CR_SOURCE_DIR "/configs/linear_margin.yaml";
    snprintf(args, sizeof args, "sweep '%s' --grid train.iters=3,100000 --out c --quiet", lm);
    out = expect_prog(tmp, args, 3, "sweep with a failing claim");
    if (!strstr(out, "1 claims failed")) fail_msg("the count of claims_failed points is not reported:\n%s", out);
    free(out);
    char *csv = file_text(tmp, "c/sweep.csv");
    if (strncmp(csv, "train.iters,status,error,n,d,", 29) != 0 ||
        !strstr(csv, "\n3,claims_failed,\"1 of 1 claims failed: [Implicit regularization] linear model: cos(w_t, "
                     "w_svm) >= 0.999 at the end of gradient descent\",40,3,") ||
        !strstr(csv, "\n100000,ok,,40,3,"))
        fail_msg("sweep.csv with a claims_failed point:\n%s", csv);
    free(csv);
    char sum[512];
    snprintf(sum, sizeof sum, "%s/c/train.iters=3/summary.csv", tmp);
    long long t0 = mtime_ns(sum);
    assert_true(t0 > 0);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    snprintf(args, sizeof args, "sweep '%s' --grid train.iters=3,100000 --out c", lm);
    out = expect_prog(tmp, args, 3, "rerun");
    if (!strstr(out, "2 points, 0 to run, 2 done")) fail_msg("a claims_failed point is not done:\n%s", out);
    free(out);
    assert_true(mtime_ns(sum) == t0);
    out = expect_prog(tmp, "aggregate c --quiet", 3, "aggregate with a claims_failed point");
    free(out);
    /* A point in error outranks a failed claim. */
    snprintf(args, sizeof args, "sweep '%s' --grid train.iters=3,100000,-1 --out e --quiet", lm);
    out = expect_prog(tmp, args, 1, "sweep with a point in error and a failing claim");
    free(out);
    crt_rmtree(tmp);
}

/* An emitted job line writes its point's stderr.log through the program (--log), never through a symbolic link
 * planted there (a shell redirection `2>` would truncate the link's target). */
static void test_emitted_log_link_not_followed(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], args[1024], cmd[4096], victim[300], log[600];
    crt_tmpdir(tmp);
    snprintf(victim, sizeof victim, "%s/victim.txt", tmp);
    snprintf(cmd, sizeof cmd, "printf 'precious\\n' > '%s'", victim);
    free(expect_sh(cmd, 0, "victim"));
    snprintf(args, sizeof args, "sweep '%s' --grid landscape.grid=11 --out s --emit-jobs s.jobs", LANDSCAPE);
    free(expect_prog(tmp, args, 0, "emitting"));
    char *jobs = file_text(tmp, "s.jobs");
    if (strstr(jobs, " 2>")) fail_msg("the job line redirects stderr in the shell:\n%s", jobs);
    snprintf(log, sizeof log, "%s/s/landscape.grid=11/stderr.log", tmp);
    unlink(log);
    assert_int_equal(symlink(victim, log), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && sh -c \"$(head -n 1 s.jobs)\"", tmp);
    free(expect_sh(cmd, 0, "the emitted job line"));
    free(jobs);
    char *text = crt_slurp(victim, NULL);
    if (!text || strcmp(text, "precious\n") != 0)
        fail_msg("the job line wrote through a symbolic link at stderr.log: %s holds \"%s\"", victim, text ? text : "");
    free(text);
    struct stat st;
    assert_int_equal(lstat(log, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    crt_rmtree(tmp);
}

/* ---------------------------------------------------- emitted job files */

/* s as one single-quoted shell word ('\'' for a quote): the test's own quoting, for its own commands. */
static void sq(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '\'';
    for (; *s && n + 5 < cap; s++) {
        if (*s == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n++] = '\'';
    buf[n] = 0;
}

/* The value of a top-level key of a YAML mapping file, read with libyaml (not the program's reader). */
static char *yaml_value(const char *path, const char *key)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("%s: cannot open", path);
    yaml_parser_t parser;
    yaml_document_t doc;
    assert_true(yaml_parser_initialize(&parser));
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) fail_msg("%s: not YAML", path);
    char *val = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; root && pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pr->key), *v = yaml_document_get_node(&doc, pr->value);
        if (strcmp((const char *)k->data.scalar.value, key) == 0 && v->type == YAML_SCALAR_NODE)
            val = strdup((const char *)v->data.scalar.value);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    if (!val) fail_msg("%s: no key %s", path, key);
    return val;
}

/* Names under dir (recursively) starting with PWNED, joined; empty when none. */
static void find_pwned(const char *dir, char *buf, size_t cap)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "find '%s' -maxdepth 3 -name 'PWNED*' 2>/dev/null", dir);
    crt_sh(cmd, &out);
    snprintf(buf, cap, "%s", out ? out : "");
    free(out);
}

/* Paths and --set values full of shell syntax (quotes, $(...), backticks, blanks, a glob, %) reach the run intact
 * through the emitted job line run by sh -c and through the emitted Slurm script run by bash as an array task:
 * no injected command runs, the run's manifest names the config path and its config.yaml the --set path. */
static void test_emitted_lines_injection_proof(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], cfgdir[512], cfg[640], outdir[640], val[512], cmd[4096], args[5000], *out = NULL;
    char q_cfg[1400], q_out[1400], q_set[1200], pwned[2048];
    crt_tmpdir(tmp);
    snprintf(cfgdir, sizeof cfgdir, "%s/we ird'$(touch PWNED1)`touch PWNED2`", tmp);
    assert_int_equal(mkdir(cfgdir, 0700), 0);
    snprintf(cfg, sizeof cfg, "%s/c'$(touch PWNED3) *.yaml", cfgdir);
    char *text = crt_slurp(LANDSCAPE, NULL);
    assert_non_null(text);
    FILE *f = fopen(cfg, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    free(text);
    snprintf(outdir, sizeof outdir, "%s/o $(touch PWNED4) \"q\" `touch PWNED5` 100%%", tmp);
    snprintf(val, sizeof val, "data.path=x'$(touch PWNED6)\"y`touch PWNED7`; touch PWNED8");
    sq(cfg, q_cfg, sizeof q_cfg);
    sq(outdir, q_out, sizeof q_out);
    sq(val, q_set, sizeof q_set);
    snprintf(args, sizeof args, "sweep %s --grid landscape.grid=11 --set %s --out %s --emit-jobs jobs.txt", q_cfg,
             q_set, q_out);
    out = expect_prog(tmp, args, 0, "emit with shell syntax in every value");
    free(out);
    char *jobs = file_text(tmp, "jobs.txt");
    assert_int_equal(lines(jobs), 1);
    free(jobs);
    snprintf(cmd, sizeof cmd, "cd / && sh -c \"$(cat '%s/jobs.txt')\"", tmp);
    out = expect_sh(cmd, 0, "the job line run by sh -c");
    free(out);
    find_pwned(tmp, pwned, sizeof pwned);
    if (pwned[0] || crt_exists("/PWNED1") || crt_exists(CR_SOURCE_DIR "/PWNED1"))
        fail_msg("an injected command ran: %s", pwned);

    /* The arguments arrived: the manifest's config is the path, the resolved data.path the --set value made
     * absolute against the sweep's folder. */
    char point[800], path[900], want[900];
    snprintf(point, sizeof point, "%s/landscape.grid=11", outdir);
    snprintf(path, sizeof path, "%s/manifest.yaml", point);
    char *got = yaml_value(path, "config");
    assert_string_equal(got, cfg);
    free(got);
    snprintf(path, sizeof path, "%s/config.yaml", point);
    cr_config c;
    cr_err err = {{0}};
    if (cr_config_load(path, NULL, 0, &c, &err)) fail_msg("%s: %s", path, err.msg);
    snprintf(want, sizeof want, "%s/%s", tmp, val + strlen("data.path="));
    assert_string_equal(c.data.path, want);
    snprintf(args, sizeof args, "aggregate %s --quiet", q_out);
    out = expect_prog(tmp, args, 0, "aggregate");
    free(out);

    /* The Slurm script: run as array task 0 by bash, the same; its #SBATCH --output names the log folder in
     * sbatch's quoting (double quotes, \" and \\ escaped, % doubled). */
    snprintf(cmd, sizeof cmd, "rm -rf %s/landscape.grid=11", q_out);
    out = expect_sh(cmd, 0, "removing the point");
    free(out);
    snprintf(args, sizeof args, "sweep %s --grid landscape.grid=11 --set %s --out %s --emit-slurm s.sbatch", q_cfg,
             q_set, q_out);
    out = expect_prog(tmp, args, 0, "emit-slurm with shell syntax in every value");
    free(out);
    char *script = file_text(tmp, "s.sbatch");
    snprintf(want, sizeof want, "\n#SBATCH --output=\"%s/o $(touch PWNED4) \\\"q\\\" `touch PWNED5` 100%%%%/logs/"
             "slurm-%%A_%%a.out\"\n", tmp);
    if (!strstr(script, want)) fail_msg("s.sbatch lacks the line %s:\n%s", want, script);
    free(script);
    snprintf(cmd, sizeof cmd, "cd / && SLURM_ARRAY_TASK_ID=0 bash '%s/s.sbatch'", tmp);
    out = expect_sh(cmd, 0, "the Slurm script as array task 0");
    free(out);
    snprintf(cmd, sizeof cmd, "cd / && bash '%s/s-aggregate.sbatch'", tmp);
    out = expect_sh(cmd, 0, "the Slurm aggregation script");
    free(out);
    find_pwned(tmp, pwned, sizeof pwned);
    if (pwned[0] || crt_exists("/PWNED1")) fail_msg("an injected command ran: %s", pwned);
    char *csv = file_text(outdir, "sweep.csv");
    if (!strstr(csv, "\n11,ok,,")) fail_msg("sweep.csv:\n%s", csv);
    free(csv);
    crt_rmtree(tmp);
}

/* A control character in anything an emitted file would hold is refused (exit 2, nothing written): a newline
 * ends a line of the job file, and each line runs as a shell command (before the check, the rest of a --set
 * value after a newline ran as its own command). */
static void test_emit_refuses_control_characters(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], path[512], names[1024], *out = NULL;
    crt_tmpdir(tmp);
    char *text = crt_slurp(LANDSCAPE, NULL);
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/a\nb.yaml", tmp);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    free(text);
    static const struct {
        const char *args, *fragment;
    } bad[] = {
        {"sweep \"$L\" --grid landscape.grid=11 --set \"$(printf 'data.path=x\\ntouch PWNED')\" --out o "
         "--emit-jobs j.txt",
         "--set option 1 holds a control character (byte 0x0a)"},
        {"sweep \"$L\" --grid landscape.grid=11 --out \"$(printf 'o\\ttab')\" --emit-jobs j.txt",
         "the --out folder holds a control character (byte 0x09)"},
        {"sweep \"$L\" --grid landscape.grid=11 --out \"$(printf 'o\\nx')\" --emit-slurm j.sbatch",
         "the --out folder holds a control character (byte 0x0a)"},
        {"sweep \"$(printf 'a\\nb.yaml')\" --grid landscape.grid=11 --out o --emit-jobs j.txt",
         "the CONFIG path holds a control character (byte 0x0a)"},
        {"sweep \"$L\" --grid landscape.grid=11 --out o --emit-jobs \"$(printf 'j\\r.txt')\"",
         "the --emit-jobs file holds a control character (byte 0x0d)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cd '%s' && L='%s' && \"$P\" %s", tmp, LANDSCAPE, bad[i].args);
        char full[4600];
        snprintf(full, sizeof full, "P='%s' && %s", crt_prog(), cmd);
        int st = crt_sh(full, &out);
        if (st != 2 || !strstr(out, bad[i].fragment))
            fail_msg("%s: exit %d, output \"%s\"; expected 2 and \"%s\"", bad[i].args, st, out, bad[i].fragment);
        free(out);
        crt_list_dir(tmp, names, sizeof names, "|");
        if (strcmp(names, "a\nb.yaml") != 0) fail_msg("%s: wrote files: %s", bad[i].args, names);
    }
    crt_rmtree(tmp);
}

/* -------------------------------------------------------- a real Slurm */

typedef struct {
    char tmp[256];
    char cluster[300];
    int started;
} slurm_fixture;

static int slurm_setup(void **state)
{
    slurm_fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    crt_tmpdir(f->tmp);
    snprintf(f->cluster, sizeof f->cluster, "%s/cluster", f->tmp);
    *state = f;
    return 0;
}

static int slurm_teardown(void **state)
{
    slurm_fixture *f = *state;
    if (f->started) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "'%s' stop '%s'", SLURM_SCRIPT, f->cluster);
        if (crt_sh(cmd, &out) != 0) fprintf(stderr, "slurm_local.sh stop failed:\n%s", out ? out : "");
        free(out);
    }
    crt_rmtree(f->tmp);
    free(f);
    return 0;
}

static void test_slurm_single_node(void **state)
{
    slurm_fixture *f = *state;
    crt_need_program();
    if (crt_sh("command -v slurmctld && command -v slurmd && command -v sbatch && command -v munged", NULL) != 0)
        fail_msg("Slurm is not installed: slurm-wlm and munge are required dependencies, `make deps` should install "
                 "the Debian packages slurm-wlm and munge");
    if (geteuid() != 0) {
        skip(); /* slurmd and munged are started as root; everything else of sweeps is tested above */
    }
    char ref[512], args[1024], cmd[4096], path[512], *out = NULL;
    serial_reference(f->tmp, "serial", ref, sizeof ref);
    /* The sweep folder's name holds a blank, quotes, $(...) and %: sbatch must read the #SBATCH --output lines as
     * written (its quoting, % doubled), so every task's log lands in the logs folder under its pattern name. */
    const char *name = "sl urm'$(x) \"q\" 100%";
    char script[300], script2[300], agg[300], q_name[300], q_script[400], q_script2[400], q_agg[400];
    snprintf(script, sizeof script, "%s/sweep.sbatch", name);
    snprintf(script2, sizeof script2, "%s/sweep-part2.sbatch", name);
    snprintf(agg, sizeof agg, "%s/sweep-aggregate.sbatch", name);
    sq(name, q_name, sizeof q_name);
    sq(script, q_script, sizeof q_script);
    sq(script2, q_script2, sizeof q_script2);
    sq(agg, q_agg, sizeof q_agg);
    /* Split into two arrays (3 + 1 tasks), throttled, with a time limit and the estimated --mem: sbatch must
     * accept every line, and the aggregation waits for both arrays. */
    snprintf(args, sizeof args,
             "sweep '%s' " GRID4 " --out %s --emit-slurm %s --max-array-size 3 --max-running 2 --time 10:00",
             LANDSCAPE, q_name, q_script);
    out = expect_prog(f->tmp, args, 0, "sweep --emit-slurm");
    free(out);

    double t0 = now_s();
    f->started = 1;
    snprintf(cmd, sizeof cmd, "CR_SLURM_WAIT=60 '%s' start '%s'", SLURM_SCRIPT, f->cluster);
    int st = crt_sh(cmd, &out);
    expect_status(st, 0, "slurm_local.sh start", out);
    free(out);
    double t1 = now_s();
    /* Submit the array and the aggregation after it, as the script's header says; poll squeue (bounded). */
    snprintf(cmd, sizeof cmd,
             "export SLURM_CONF='%s/slurm.conf'; cd '%s' && "
             "j1=$(sbatch --parsable %s) && j2=$(sbatch --parsable %s) && "
             "aid=$(sbatch --parsable --dependency=afterany:$j1:$j2 %s) || exit 3; "
             "for i in $(seq 600); do [ -z \"$(squeue -h -j $j1,$j2,$aid)\" ] && break; sleep 0.2; done; "
             "[ -z \"$(squeue -h -j $j1,$j2,$aid)\" ] || { echo 'jobs still queued after 120 s'; squeue; exit 4; }; "
             "scontrol show job $aid | grep -q 'ExitCode=0:0' || { scontrol show job $aid; exit 5; }",
             f->cluster, f->tmp, q_script, q_script2, q_agg);
    st = crt_sh(cmd, &out);
    double t2 = now_s();
    if (st != 0) {
        char logs[2048], *l = NULL;
        snprintf(logs, sizeof logs, "cd '%s' && tail -n 20 '%s'/slurmctld.log '%s'/slurmd.log %s/logs/* 2>&1", f->tmp,
                 f->cluster, f->cluster, q_name);
        crt_sh(logs, &l);
        fail_msg("Slurm jobs: exit %d\n%s\n--- logs\n%s", st, out, l ? l : "");
    }
    free(out);
    snprintf(path, sizeof path, "%s/%s/sweep.csv", f->tmp, name);
    expect_same_file(ref, path, "Slurm versus serial");
    /* One log per array task and one of the aggregation, named by the patterns (none literally "%A"). */
    char pattern[700];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/%s/logs/slurm-*_[0-3].out", f->tmp, name);
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 4) fail_msg("%s: expected 4 task logs", pattern);
    globfree(&g);
    snprintf(pattern, sizeof pattern, "%s/%s/logs/aggregate-[0-9]*.out", f->tmp, name);
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1) fail_msg("%s: expected the aggregation's log", pattern);
    globfree(&g);
    print_message("slurm: cluster up in %.1f s, 4 points in two arrays + aggregation in %.1f s\n", t1 - t0, t2 - t1);
}

/* sweep.yaml is written with the config's YAML quoting and read with its loader: a config path with a byte that is
 * not UTF-8 (and a quote, a backslash, a non-ASCII letter) still gives a plan that `aggregate` loads, rebuilding
 * the same table (before, the raw byte made sweep.yaml unreadable: exit 2). A plan that is not YAML, has the
 * wrong version or nests too deep is refused naming sweep.yaml (exit 2). */
static void test_plan_file_round_trip_and_errors(void **state)
{
    (void)state;
    crt_need_program();
    char tmp[256], dir[512], path[600], args[2048], *out = NULL;
    crt_tmpdir(tmp);
    snprintf(dir, sizeof dir, "%s/odd \xff \xc3\xa9 \"q\" \\b", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/landscape.yaml", dir);
    char *cfg = crt_slurp(LANDSCAPE, NULL);
    assert_non_null(cfg);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(cfg, f);
    assert_int_equal(fclose(f), 0);
    free(cfg);
    snprintf(args, sizeof args, "sweep 'odd \xff \xc3\xa9 \"q\" \\b/landscape.yaml' --grid landscape.grid=11,21 --out sw "
             "--quiet && cp sw/sweep.csv first.csv");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", tmp, crt_prog(), args);
    out = expect_sh(cmd, 0, "sweep of a config whose path is not UTF-8");
    free(out);
    out = expect_prog(tmp, "aggregate sw --quiet", 0, "aggregate of that sweep");
    free(out);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/first.csv", tmp);
    snprintf(b, sizeof b, "%s/sw/sweep.csv", tmp);
    expect_same_file(a, b, "aggregate versus the sweep's own table");

    const struct { const char *text, *part; } bad[] = {
        {"version: 1\nconfig: [a,\n", "sw/sweep.yaml:3:1: YAML syntax error"},
        {"version: 2\n", "sw/sweep.yaml: not a sweep plan written by cvxrelu sweep: version: expected 1"},
        {"- 1\n", "sw/sweep.yaml: not a sweep plan written by cvxrelu sweep: expected a mapping"},
        {"version: 1\n---\nversion: 1\n", "sw/sweep.yaml: more than one YAML document"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "sw/sweep.yaml:1:65: lists and mappings nested deeper than 64"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/sw/sweep.yaml", tmp);
        f = fopen(path, "wb");
        assert_non_null(f);
        fputs(bad[i].text, f);
        assert_int_equal(fclose(f), 0);
        out = expect_prog(tmp, "aggregate sw", 2, bad[i].part);
        if (!strstr(out, bad[i].part)) fail_msg("aggregate of a bad plan: \"%s\" lacks \"%s\"", out, bad[i].part);
        free(out);
    }
    crt_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_parse),
        cmocka_unit_test(test_point_names),
        cmocka_unit_test(test_serial_jobs2_parallel_identical),
        cmocka_unit_test(test_emitted_slurm_script_by_hand),
        cmocka_unit_test(test_emitted_slurm_options_and_split),
        cmocka_unit_test(test_staleness_ignores_machine_memory),
        cmocka_unit_test(test_reused_sweep_folder),
        cmocka_unit_test(test_failed_points_recorded),
        cmocka_unit_test(test_rerun_redoes_only_missing_failed_stale),
        cmocka_unit_test(test_aggregate_before_jobs),
        cmocka_unit_test(test_plan_file_round_trip_and_errors),
        cmocka_unit_test(test_summary_columns),
        cmocka_unit_test(test_usage_errors_write_nothing),
        cmocka_unit_test(test_default_out_and_list_values),
        cmocka_unit_test(test_log_link_not_followed),
        cmocka_unit_test(test_linked_point_folder_not_followed),
        cmocka_unit_test(test_sigterm_stops_points),
        cmocka_unit_test(test_killed_point_never_ok_with_other_tables),
        cmocka_unit_test(test_claims_failed_points),
        cmocka_unit_test(test_emitted_lines_injection_proof),
        cmocka_unit_test(test_emitted_log_link_not_followed),
        cmocka_unit_test(test_emit_refuses_control_characters),
        cmocka_unit_test_setup_teardown(test_slurm_single_node, slurm_setup, slurm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
