/* cvxrelu: the command-line program. Parses arguments, loads and validates the config and the data before
 * anything is written, pins process-wide settings (GSL error handler, BLAS threads), runs one experiment
 * driver and writes the run folder. Exit status: 0 the run completed and every claim passed, 1 runtime failure
 * (the folder records status failed), 2 usage/config/input error (nothing written), 3 the run completed and a
 * claim failed (the folder is whole and records status claims_failed). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "benchtex.h"
#include "blas.h"
#include "cmd_common.h"
#include "cmd_fit.h"
#include "cmd_predict.h"
#include "config.h"
#include "timer.h"
#include "fsutil.h"
#include "atomic.h"
#include "dataload.h"
#include "experiments.h"
#include "memlimit.h"
#include "manifest.h"
#include "report.h"
#include "run.h"
#include "sweep.h"

#define MAX_SETS 128

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cvxrelu run CONFIG.yaml [--set key.path=value]... [--out DIR] [--log FILE] [--quiet | --verbose]\n"
            "       cvxrelu check CONFIG.yaml [--set key.path=value]...\n"
            "       cvxrelu fit CONFIG.yaml [--set key.path=value]... --out DIR   train and export models (fit --help)\n"
            "       cvxrelu predict MODEL.yaml DATA.csv --out DIR  predictions and metrics of a model (predict --help)\n"
            "       cvxrelu claims [--refuted F] OUTDIR RUNDIR...  aggregate RUNDIR/claims.csv into OUTDIR/claims.csv\n"
            "       cvxrelu sweep CONFIG.yaml --grid key.path=v1,v2,... [--grid ...] [--set ...] [--out DIR]\n"
            "                     [--jobs N | --emit-jobs FILE | --emit-slurm FILE [SLURM OPTIONS]] [--quiet]\n"
            "       cvxrelu aggregate DIR                rebuild DIR/sweep.csv from a sweep's run folders\n"
            "       cvxrelu latex [--refuted F] OUTDIR RUNDIR...  LaTeX tables and values of finished runs (paper/)\n"
            "       cvxrelu readme-table RUNDIR...      the README's results table (Markdown) from finished runs\n"
            "       cvxrelu bench-latex BENCHDIR OUTDIR  LaTeX tables of benchmark CSVs (paper/bench -> paper/generated)\n"
            "       cvxrelu keys                        the config reference (Markdown)\n"
            "       cvxrelu help [COMMAND] | --help | --version\n"
            "\n"
            "`cvxrelu COMMAND --help` (or -h, or `cvxrelu help COMMAND`) prints a command's own usage and options.\n"
            "`--` ends the options: every argument after it is a file or folder name, even one starting with '-'.\n"
            "run     validate CONFIG, build its data, run its experiment and write DIR (default results/<stem>):\n"
            "        config.yaml, manifest.yaml, summary.csv, claims.csv and the experiment's CSV tables. The run is\n"
            "        built beside DIR and replaces it whole (an existing DIR must be empty or a run folder).\n"
            "check   validate only and print the resolved config.\n"
            "Exit status: 0 the run completed and every claim passed; 1 runtime failure (numerical, I/O), the\n"
            "        folder records status failed; 2 usage, config or input-data error, nothing written; 3 the run\n"
            "        completed and a claim failed (status claims_failed). claims exits 3 when a claim failed.\n");
}

/* The usage and options of one command (`cvxrelu COMMAND --help`); 0 when the command has none here. */
static int command_help(const char *cmd, FILE *f)
{
    static const struct {
        const char *cmd, *text;
    } help[] = {
        {"run",
         "usage: cvxrelu run [OPTIONS] [--] CONFIG.yaml\n"
         "\n"
         "Validates CONFIG (and --set), builds its data, runs its experiment and writes the run folder DIR:\n"
         "config.yaml (the resolved config), manifest.yaml, summary.csv, claims.csv, sanity.csv and the\n"
         "experiment's tables. The run is built in a hidden folder beside DIR and renamed into place whole: DIR\n"
         "then holds this run's files only, never a table of an earlier run. An existing DIR is replaced only when\n"
         "it is empty or a cvxrelu run folder (its manifest.yaml) without subfolders; anything else is refused\n"
         "(exit 2, nothing touched).\n"
         "\n"
         "options:\n"
         "  --set key.path=value  override one config key (repeatable; `cvxrelu keys` lists them)\n"
         "  --out DIR             the run folder (default results/<config file name without extension>)\n"
         "  --log FILE            send the messages (stderr) to FILE, created anew\n"
         "  --quiet               no progress bar, no closing line when the run is ok\n"
         "  --verbose             every convex solve prints one line per certificate on stderr: convex METHOD\n"
         "                        it I newton N cg C primal P dual D gap G rel_gap R active A sigma S T s\n"
         "                        (no progress bar; not with --quiet; the tables are the same as without)\n"
         "  -h, --help            this text\n"
         "  --                    end of options (a config named -x.yaml: cvxrelu run -- -x.yaml)\n"
         "\n"
         "Exit status: 0 every claim passed; 1 runtime failure (the folder records status failed); 2 usage,\n"
         "config or input-data error (nothing written); 3 the run completed and a claim failed.\n"},
        {"check",
         "usage: cvxrelu check [--set key.path=value]... [--] CONFIG.yaml\n"
         "\n"
         "Validates CONFIG, its --set overrides and its data exactly as run does, writes nothing, and prints the\n"
         "resolved config: every key with the value a run would use (defaults filled in, data.seed resolved,\n"
         "data.path absolute). A key the experiment does not read, or that the data kind does not use, is\n"
         "marked `# ignored by EXPERIMENT` or `# ignored for data.kind KIND`.\n"
         "\n"
         "options:\n"
         "  --set key.path=value  override one config key (repeatable)\n"
         "  -h, --help            this text\n"
         "  --                    end of options\n"
         "\n"
         "Exit status: 0 valid; 2 usage, config or data error (the message names file, line and key).\n"},
        {"claims",
         "usage: cvxrelu claims [--refuted FILE.csv] [--] OUTDIR RUNDIR...\n"
         "\n"
         "Gathers RUNDIR/claims.csv of finished runs into OUTDIR/claims.csv (OUTDIR must exist) and prints the\n"
         "table.\n"
         "\n"
         "options:\n"
         "  --refuted FILE.csv    claims known not to hold (columns experiment,claim,why): they keep FAIL but do\n"
         "                        not count as failed; a listed claim that passes or is missing counts as failed\n"
         "  -h, --help            this text\n"
         "  --                    end of options\n"
         "\n"
         "Exit status: 0 every claim passed (or is a known refutation); 2 usage or input error; 3 a claim failed.\n"},
        {"latex",
         "usage: cvxrelu latex [--refuted FILE.csv] [--] OUTDIR RUNDIR...\n"
         "\n"
         "Writes the LaTeX tables and values of finished runs into OUTDIR (paper/generated), which must exist.\n"
         "\n"
         "options:\n"
         "  --refuted FILE.csv    claims known not to hold (as for claims): marked refuted in every table\n"
         "  -h, --help            this text\n"
         "  --                    end of options\n"},
        {"readme-table",
         "usage: cvxrelu readme-table [--] RUNDIR...\n"
         "\n"
         "Prints the README's results table (Markdown) from finished runs.\n"
         "\n"
         "options:\n"
         "  -h, --help            this text\n"
         "  --                    end of options\n"},
        {"bench-latex",
         "usage: cvxrelu bench-latex [--] BENCHDIR OUTDIR\n"
         "\n"
         "Writes OUTDIR/STEM.tex (OUTDIR must exist) for the benchmark tables STEM = bench_convex,\n"
         "bench_convex_robust, bench_scale and bench_train, from BENCHDIR/STEM.csv and the machine in\n"
         "BENCHDIR/STEM_machine.csv (as make bench writes them); each row that has a target gets its verdict. A\n"
         "missing STEM.csv is not an error: the file then says the table was not measured.\n"
         "\n"
         "options:\n"
         "  -h, --help            this text\n"
         "  --                    end of options\n"
         "\n"
         "Exit status: 0 written; 2 usage or a malformed CSV (the message names file, line and column).\n"},
        {"keys",
         "usage: cvxrelu keys\n"
         "\n"
         "Prints the config reference (Markdown): every key, its type, default, accepted values and meaning.\n"
         "\n"
         "options:\n"
         "  -h, --help            this text\n"},
        {"help",
         "usage: cvxrelu help [COMMAND]\n"
         "\n"
         "Prints the overview, or the usage and options of COMMAND.\n"},
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        if (strcmp(help[i].cmd, cmd) == 0) {
            fputs(help[i].text, f);
            return 1;
        }
    if (strcmp(cmd, "sweep") == 0 || strcmp(cmd, "aggregate") == 0) {
        cr_sweep_usage(f);
        return 1;
    }
    if (strcmp(cmd, "fit") == 0 || strcmp(cmd, "predict") == 0) {
        (strcmp(cmd, "fit") == 0 ? cr_cmd_fit_usage : cr_cmd_predict_usage)(f);
        return 1;
    }
    return 0;
}

/* Whether argv[2..] asks for help (-h or --help before any "--"). */
static int wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

/* The operands of a command that takes no options: argv[2..] without one leading "--"; CR_EINPUT for an
 * option before it. */
static int operands(int argc, char **argv, int *first, cr_err *err)
{
    *first = 2;
    if (argc > 2 && strcmp(argv[2], "--") == 0) {
        *first = 3;
        return CR_OK;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (argv[i][0] == '-' && argv[i][1])
            return cr_err_set(err, CR_EINPUT, "unknown option %s (see cvxrelu %s --help; -- ends the options)",
                              argv[i], argv[1]);
    }
    return CR_OK;
}

/* The operands of `claims` and `latex`: an optional leading --refuted FILE (or --refuted=FILE) into *known, then
 * OUTDIR RUNDIR... from *first on; `--` ends the options, any other option is an error. */
static int refuted_operands(int argc, char **argv, const char **known, int *first, cr_err *err)
{
    int a = 2;
    *known = NULL;
    if (argc > 2 && strncmp(argv[2], "--refuted=", 10) == 0) {
        *known = argv[2] + 10;
        a = 3;
    } else if (argc > 2 && strcmp(argv[2], "--refuted") == 0) {
        if (argc < 4) return cr_err_set(err, CR_EINPUT, "--refuted needs a FILE.csv (see cvxrelu %s --help)", argv[1]);
        *known = argv[3];
        a = 4;
    }
    *first = a;
    if (argc > a && strcmp(argv[a], "--") == 0) {
        *first = a + 1;
        return CR_OK;
    }
    for (int i = a; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (argv[i][0] == '-' && argv[i][1])
            return cr_err_set(err, CR_EINPUT, "unknown option %s (see cvxrelu %s --help; -- ends the options)",
                              argv[i], argv[1]);
    return CR_OK;
}

#define die cr_cli_die

typedef struct {
    const char *config;
    const char *sets[MAX_SETS];
    size_t nset;
    const char *out;
    const char *log; /* --log FILE: stderr goes there (a sweep's job line), never through a symbolic link */
    int quiet;
    int verbose; /* --verbose: the convex solves' iteration log on stderr */
} args;

/* Sends stderr to path, created anew as a regular file: a symbolic link (or anything else) planted at path is
 * removed, never written through (as the local sweep does with a point's stderr.log). */
static int redirect_stderr(const char *path, cr_err *err)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && unlink(path) != 0)
        return cr_err_set(err, CR_EINPUT, "--log %s: not a regular file and cannot be removed: %s", path,
                          strerror(errno));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ELOOP && unlink(path) == 0) /* a link planted between the check and the open */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return cr_err_set(err, CR_EINPUT, "--log %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || dup2(fd, 2) < 0) {
        close(fd);
        return cr_err_set(err, CR_EINPUT, "--log %s: not a regular file", path);
    }
    close(fd);
    return CR_OK;
}

static int parse_args(int argc, char **argv, int allow_out, args *a, cr_err *err)
{
    memset(a, 0, sizeof *a);
    int options = 1; /* until "--" */
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i], *v = NULL;
        if (options && strcmp(s, "--") == 0) {
            options = 0;
        } else if (!options) {
            if (a->config) return cr_err_set(err, CR_EINPUT, "unexpected argument %s (one config per run)", s);
            a->config = s;
        } else if (cr_cli_option("--set", argc, argv, &i, &v)) {
            if (cr_cli_add_set(a->sets, &a->nset, MAX_SETS, v, err)) return CR_EINPUT;
        } else if (allow_out && cr_cli_option("--out", argc, argv, &i, &v)) {
            if (!v || !*v) return cr_err_set(err, CR_EINPUT, "--out needs a folder");
            a->out = v;
        } else if (allow_out && cr_cli_option("--log", argc, argv, &i, &v)) {
            if (!v || !*v) return cr_err_set(err, CR_EINPUT, "--log needs a file");
            a->log = v;
        } else if (allow_out && strcmp(s, "--quiet") == 0) {
            a->quiet = 1;
        } else if (allow_out && strcmp(s, "--verbose") == 0) {
            a->verbose = 1;
        } else if (s[0] == '-' && s[1]) {
            return cr_err_set(err, CR_EINPUT, "unknown option %s (see cvxrelu %s --help; -- ends the options)", s,
                              argv[1]);
        } else if (!a->config) {
            a->config = s;
        } else {
            return cr_err_set(err, CR_EINPUT, "unexpected argument %s (one config per run)", s);
        }
    }
    if (a->quiet && a->verbose) return cr_err_set(err, CR_EINPUT, "--quiet and --verbose exclude each other");
    if (!a->config) return cr_err_set(err, CR_EINPUT, "missing CONFIG.yaml (see cvxrelu %s --help)", argv[1]);
    struct stat st;
    if (stat(a->config, &st) == 0 && S_ISDIR(st.st_mode))
        return cr_err_set(err, CR_EINPUT, "%s: is a folder, expected a YAML config file", a->config);
    return CR_OK;
}




static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
    /* Completed files stay; temporaries of unfinished ones are removed; then die by the same signal. */
    got_signal = sig;
    cr_atomic_cleanup_all();
    cr_fs_stage_cleanup_signal();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* "K of N claims failed: CLAIM; CLAIM" into buf (cut to cap). */
static void claims_message(const cr_run *run, char *buf, size_t cap)
{
    size_t failed = cr_run_claims_failed(run), total = cr_run_claims_count(run);
    int k = snprintf(buf, cap, "%zu of %zu claims failed", failed, total);
    const char *sep = ": ";
    for (size_t i = 0; i < total && k >= 0 && (size_t)k < cap; i++) {
        if (cr_run_claim_passed(run, i)) continue;
        int more = snprintf(buf + k, cap - (size_t)k, "%s%s", sep, cr_run_claim_text(run, i));
        if (more < 0) break;
        k += more;
        sep = "; ";
    }
}

/* "K of N sanity checks failed (the code is wrong): CHECK; CHECK" into buf (cut to cap). */
static void sanity_message(const cr_run *run, char *buf, size_t cap)
{
    size_t failed = cr_run_sanity_failed(run), total = cr_run_sanity_count(run);
    int k = snprintf(buf, cap, "%zu of %zu sanity checks failed (the code is wrong)", failed, total);
    const char *sep = ": ";
    for (size_t i = 0; i < total && k >= 0 && (size_t)k < cap; i++) {
        if (cr_run_sanity_passed(run, i)) continue;
        int more = snprintf(buf + k, cap - (size_t)k, "%s%s", sep, cr_run_sanity_text(run, i));
        if (more < 0) break;
        k += more;
        sep = "; ";
    }
}

/* Step 1 of run and check: the arguments, the config and the experiment's data, every check made before
 * anything is written. *data is NULL for an experiment that makes its own. Returns the exit status (message
 * printed) or 0. */
static int load_input(int argc, char **argv, int check_only, args *a, cr_config *cfg, const cr_experiment **exp,
                      cr_data **data)
{
    cr_err err = {{0}};
    *data = NULL;
    if (parse_args(argc, argv, !check_only, a, &err)) return die(CR_EINPUT, err.msg);
    if (a->log && redirect_stderr(a->log, &err)) return die(CR_EINPUT, err.msg);
    if (cr_config_load(a->config, a->sets, a->nset, cfg, &err)) return die(CR_EINPUT, err.msg);
    cfg->cli.verbose = a->verbose, cfg->cli.quiet = a->quiet;
    if (cr_limits_check_config(cfg, &err)) return die(CR_EINPUT, err.msg);
    if (!(*exp = cr_experiment_get(cfg->experiment))) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: experiment %s has no driver", a->config,
                 cr_config_experiment_name(cfg->experiment));
        return die(CR_EINPUT, msg);
    }
    if (!(*exp)->needs_data) return 0;
    int st = cr_dataload_from_config(cfg, data, &err);
    if (!st) st = cr_dataload_check_labels(cfg, *data, &err);
    if (!st) st = cr_limits_check(cfg, (*data)->n, (*data)->d, &err);
    size_t bi, bk;
    if (!st && (*exp)->needs_orthsep && !cr_data_orthsep_check(*data, &bi, &bk))
        st = cr_err_set(&err, CR_EINPUT,
                        "%s: experiment %s needs orthogonally separable data (docs/MATH.md); samples %zu and %zu "
                        "violate it",
                        cfg->file, (*exp)->name, bi + 1, bk + 1);
    if (!st && (*exp)->check) st = (*exp)->check(cfg, *data, &err);
    if (st) {
        cr_data_free(*data);
        *data = NULL;
        return die(st, err.msg);
    }
    return 0;
}

/* Step 2: the run folder, --out or results/<stem>, checked as a place a run may replace (fsutil.h). */
static int resolve_outdir(const args *a, const cr_config *cfg, char *outdir, size_t cap, cr_err *err)
{
    if (a->out) {
        snprintf(outdir, cap, "%.*s", CR_OUT_MAX + 1, a->out); /* longer than CR_OUT_MAX is refused */
    } else if (!cfg->stem[0] || strcmp(cfg->stem, ".") == 0 || strcmp(cfg->stem, "..") == 0) {
        return cr_err_set(err, CR_EINPUT, "%s: the file name gives no output folder name (results/%s); use --out DIR",
                          cfg->file, cfg->stem);
    } else {
        snprintf(outdir, cap, "results/%.*s", CR_OUT_MAX, cfg->stem);
    }
    return cr_fs_check_outdir(a->out ? "--out" : "output folder", a->out ? a->out : outdir, err);
}

/* Step 4: the run's status from the driver's st (and its message, in runmsg with the staging folder's name
 * replaced by outdir's), recorded in the summary and the manifest. Returns st, a runtime failure when a sanity
 * check failed. */
static int record_outcome(cr_run *run, int st, cr_err *err, cr_manifest *man, const char *stagedir,
                          const char *outdir, char *runmsg, size_t cap)
{
    if (!st && cr_run_sanity_failed(run)) {
        /* A sanity check cannot fail when the code is right (run.h): nothing this run measured can be trusted,
         * so it is a runtime failure (exit 1, status failed), not a finding about the slides. */
        sanity_message(run, err->msg, sizeof err->msg);
        st = CR_ERUNTIME;
    }
    cr_cli_stage_message(runmsg, cap, err->msg, stagedir, outdir);
    if (st) {
        /* Input was refused before this point (config validation, the experiment's check): whatever status the
         * driver returns now (e.g. a trained network that does not separate the data) is a runtime finding. */
        /* The failure is recorded as such; no claim passes on a failed run. */
        man->status = "failed";
        man->error = runmsg;
        cr_run_summary_str(run, "status", "failed");
        cr_run_summary_str(run, "error", runmsg);
        cr_run_fail_claims(run);
        cr_run_claim(run, "run completed without numerical or I/O failure", 0, 1, 0, CR_CLAIM_ABS);
    } else if (cr_run_claims_failed(run)) {
        /* Completed, and some claim does not hold: a finding, recorded with the failed claims as its message. */
        claims_message(run, runmsg, cap);
        man->status = "claims_failed";
        man->error = runmsg;
        cr_run_summary_str(run, "status", "claims_failed");
        cr_run_summary_str(run, "error", runmsg);
    } else {
        cr_run_summary_str(run, "status", "ok");
    }
    return st;
}

/* Step 5: the tables, config.yaml and manifest.yaml into the staging folder. */
static int write_records(cr_run *run, const cr_config *cfg, const char *stagedir, cr_manifest *man, double t0,
                         cr_err *werr)
{
    int wst = cr_run_finish(run, werr);
    char *dump = cr_config_dump(cfg);
    char path[CR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/config.yaml", stagedir);
    if (!wst) wst = dump ? cr_atomic_write_file(path, dump, werr) : cr_err_set(werr, CR_ERUNTIME, "out of memory");
    free(dump);
    man->wall_seconds = cr_seconds() - t0;
    man->claims = (long)cr_run_claims_count(run);
    man->claims_failed = (long)cr_run_claims_failed(run);
    man->run = run;
    if (!wst) wst = cr_manifest_write(man, stagedir, werr);
    return wst;
}

/* Step 3 to 6: the validated run, built in a staging folder beside outdir and renamed into place whole
 * (src/fsutil.h): a reader sees the complete previous run or the complete new one. Returns the exit status. */
static int execute(int argc, char **argv, const args *a, const cr_config *cfg, const cr_experiment *exp,
                   cr_data *data, const char *outdir)
{
    cr_err err = {{0}};
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    cr_fs_stage *stage = NULL;
    if (cr_fs_stage_begin(outdir, &stage, &err)) return die(CR_ERUNTIME, err.msg);
    const char *stagedir = cr_fs_stage_dir(stage);

    char command[4096];
    cr_cli_join_command(argc, argv, command, sizeof command);
    cr_manifest man = {.cfg = cfg, .command = command, .status = "ok"};
    cr_manifest_start(&man);
    man.blas_threads = cr_blas_set_threads((int)cfg->threads);
    double t0 = cr_seconds();

    cr_run *run = cr_run_alloc(stagedir, a->quiet);
    if (!run) {
        cr_fs_stage_abort(stage, 0);
        return die(CR_ERUNTIME, "out of memory");
    }
    char runmsg[sizeof err.msg];
    int st = record_outcome(run, exp->run(cfg, data, run, &err), &err, &man, stagedir, outdir, runmsg, sizeof runmsg);
    cr_err werr = {{0}};
    int wst = write_records(run, cfg, stagedir, &man, t0, &werr);
    size_t failed = cr_run_claims_failed(run), total = cr_run_claims_count(run);
    cr_run_free(run);
    char wmsg[sizeof werr.msg + 160];
    if (wst) {
        /* The run could not be recorded whole: no previous run may stay under outdir as if it were this one. */
        cr_cli_stage_message(wmsg, sizeof wmsg, werr.msg, stagedir, outdir);
        cr_fs_stage_abort(stage, 1);
        size_t len = strlen(wmsg);
        snprintf(wmsg + len, sizeof wmsg - len, " (%s holds no run now)", outdir);
        if (st) fprintf(stderr, "cvxrelu: %s\n", runmsg);
        return die(wst, wmsg);
    }
    if (cr_fs_stage_commit(stage, &werr)) {
        if (st) fprintf(stderr, "cvxrelu: %s\n", runmsg);
        return die(CR_ERUNTIME, werr.msg);
    }
    /* A driver's failure after its input was accepted is a runtime failure (bad input returned CR_EINPUT above,
     * before anything was committed). */
    if (st) return die(CR_ERUNTIME, runmsg);
    if (failed) {
        fprintf(stderr, "cvxrelu: %s: %s; results in %s\n", exp->name, runmsg, outdir);
        return CR_ECLAIMS;
    }
    if (!a->quiet)
        fprintf(stderr, "cvxrelu: %s: %zu claims, %zu failed; results in %s (%.2f s)\n", exp->name, total, failed,
                outdir, man.wall_seconds);
    return 0;
}

/* `cvxrelu run` and `cvxrelu check`: load and validate (nothing written on bad input), then print the resolved
 * config (check) or run the experiment into its folder. */
static int cmd_run(int argc, char **argv, int check_only)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    args a;
    static cr_config cfg;
    const cr_experiment *exp = NULL;
    cr_data *data = NULL;
    int st = load_input(argc, argv, check_only, &a, &cfg, &exp, &data);
    if (st) return st;
    if (check_only) {
        cr_config_write(&cfg, stdout);
        if (data) printf("# the data set read: n = %zu samples, d = %zu features\n", data->n, data->d);
        cr_data_free(data);
        return 0;
    }
    cr_err err = {{0}};
    char outdir[CR_OUT_MAX + 16];
    if ((st = resolve_outdir(&a, &cfg, outdir, sizeof outdir, &err))) {
        cr_data_free(data);
        return die(st, err.msg);
    }
    /* Everything is validated: from here on, files may be written. */
    st = execute(argc, argv, &a, &cfg, exp, data, outdir);
    cr_data_free(data);
    return st;
}

static int cmd_latex(int argc, char **argv)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    cr_err err = {{0}};
    const char *known_path = NULL;
    int a;
    if (refuted_operands(argc, argv, &known_path, &a, &err)) return die(CR_EINPUT, err.msg);
    if (argc < a + 2)
        return die(CR_EINPUT, "usage: cvxrelu latex [--refuted FILE.csv] OUTDIR RUNDIR... (see cvxrelu latex --help)");
    cr_refuted *known = NULL;
    if (known_path && cr_refuted_load(known_path, &known, &err)) return die(CR_EINPUT, err.msg);
    int st = cr_report_latex_known(argv[a], (const char *const *)argv + a + 1, (size_t)(argc - a - 1), known, &err);
    cr_refuted_free(known);
    return st ? die(st, err.msg) : 0;
}

static int cmd_claims(int argc, char **argv)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    const char *usage_msg = "usage: cvxrelu claims [--refuted FILE.csv] OUTDIR RUNDIR... (see cvxrelu claims --help)";
    cr_err err = {{0}};
    const char *known_path = NULL;
    int a;
    if (refuted_operands(argc, argv, &known_path, &a, &err)) return die(CR_EINPUT, err.msg);
    if (argc < a + 2) return die(CR_EINPUT, usage_msg);
    cr_refuted *known = NULL;
    if (known_path && cr_refuted_load(known_path, &known, &err)) return die(CR_EINPUT, err.msg);
    size_t failed = 0, refuted = 0;
    int st = cr_report_claims_known(argv[a], (const char *const *)argv + a + 1, (size_t)(argc - a - 1), known, stdout,
                                    &failed, &refuted, &err);
    cr_refuted_free(known);
    if (st) return die(st, err.msg);
    return failed ? CR_ECLAIMS : 0;
}

static int cmd_readme_table(int argc, char **argv)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    cr_err err = {{0}};
    int a;
    if (operands(argc, argv, &a, &err)) return die(CR_EINPUT, err.msg);
    int st = cr_report_markdown((const char *const *)argv + a, (size_t)(argc - a), stdout, &err);
    return st ? die(st, err.msg) : 0;
}

static int cmd_bench_latex(int argc, char **argv)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    cr_err err = {{0}};
    int a;
    if (operands(argc, argv, &a, &err)) return die(CR_EINPUT, err.msg);
    if (argc - a != 2) return die(CR_EINPUT, "usage: cvxrelu bench-latex BENCHDIR OUTDIR (see cvxrelu bench-latex --help)");
    int st = cr_benchtex_write(argv[a], argv[a + 1], &err);
    return st ? die(st, err.msg) : 0;
}

static int cmd_keys(int argc, char **argv)
{
    if (wants_help(argc, argv)) return command_help(argv[1], stdout), 0;
    if (argc > 2) return die(CR_EINPUT, "keys takes no arguments (see cvxrelu keys --help)");
    cr_config_reference(stdout);
    return 0;
}

/* `cvxrelu help [COMMAND]`. */
static int cmd_help(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return 0;
    }
    if (wants_help(argc, argv)) return command_help("help", stdout), 0;
    if (command_help(argv[2], stdout)) return 0;
    fprintf(stderr, "cvxrelu: help: unknown command %s\n", argv[2]);
    usage(stderr);
    return CR_EINPUT;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return CR_EINPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("cvxrelu %s (commit %s)\n", CR_VERSION, cr_manifest_git_commit());
        return 0;
    }
    if (strcmp(cmd, "help") == 0) return cmd_help(argc, argv);
    if (strcmp(cmd, "run") == 0) return cmd_run(argc, argv, 0);
    if (strcmp(cmd, "check") == 0) return cmd_run(argc, argv, 1);
    if (strcmp(cmd, "claims") == 0) return cmd_claims(argc, argv);
    if (strcmp(cmd, "fit") == 0) return cr_cmd_fit(argc, argv);
    if (strcmp(cmd, "predict") == 0) return cr_cmd_predict(argc, argv);
    if (strcmp(cmd, "sweep") == 0) return cr_sweep_cli(argc, argv, stdout, stderr);
    if (strcmp(cmd, "aggregate") == 0) return cr_sweep_aggregate_cli(argc, argv, stdout, stderr);
    if (strcmp(cmd, "latex") == 0) return cmd_latex(argc, argv);
    if (strcmp(cmd, "readme-table") == 0) return cmd_readme_table(argc, argv);
    if (strcmp(cmd, "keys") == 0) return cmd_keys(argc, argv);
    if (strcmp(cmd, "bench-latex") == 0) return cmd_bench_latex(argc, argv);
    fprintf(stderr, "cvxrelu: unknown command %s\n", cmd);
    usage(stderr);
    return CR_EINPUT;
}
