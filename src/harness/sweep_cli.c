/* `cvxrelu sweep` and `cvxrelu aggregate` (see sweep.h): the options, the checks made before anything is
 * written (every point resolved, every output path writable), then the plan, the points run here or emitted,
 * and the table. */
#include "sweep_impl.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"

/* EINPUT unless dir is a writable folder or can be made (its first existing ancestor is a writable folder). */
static int check_dir(const char *what, const char *dir, cr_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return cr_err_set(err, CR_EINPUT, "%s %s: exists and is not a folder", what, dir);
        if (access(dir, W_OK) != 0) return cr_err_set(err, CR_EINPUT, "%s %s: folder is not writable", what, dir);
        return CR_OK;
    }
    char parent[CR_PATH_MAX + 16];
    cr_fs_parent(dir, parent, sizeof parent);
    return cr_fs_check_creatable(what, dir, parent, err);
}

/* EINPUT unless path can be written as a file: not a folder, and its folder is writable or can be made. */
static int check_file(const char *what, const char *path, cr_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cr_err_set(err, CR_EINPUT, "%s %s: is a folder, expected a file name", what, path);
    char parent[CR_PATH_MAX + 16];
    cr_fs_parent(path, parent, sizeof parent);
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

/* path with its extension (of the last component) replaced: "a/x.sbatch" + ".jobs" -> "a/x.jobs". */
static void sibling(const char *path, const char *suffix, int keep_ext, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = base + strlen(base);
    snprintf(out, cap, "%.*s%s%s", (int)(dot - path), path, suffix, keep_ext ? dot : "");
}

void cr_sweep_usage(FILE *f)
{
    fprintf(f,
            "usage: cvxrelu sweep CONFIG.yaml --grid key.path=v1,v2,... [--grid ...] [--set key.path=value]...\n"
            "                     [--out DIR] [--jobs N | --emit-jobs FILE | --emit-slurm FILE [SLURM OPTIONS]]\n"
            "                     [--quiet] [--] [CONFIG.yaml]\n"
            "       cvxrelu aggregate [--quiet] [--] DIR\n"
            "\n"
            "sweep   runs CONFIG once per point of the cartesian product of the grids (the last --grid varies\n"
            "        fastest), each as `cvxrelu run CONFIG --set ... --out DIR/POINT --quiet 2>DIR/POINT/stderr.log`,\n"
            "        then writes DIR/sweep.csv. DIR defaults to results/<stem>-sweep. An existing DIR must hold a\n"
            "        sweep (its sweep.yaml) or only this grid's points; reused for another grid, the earlier points'\n"
            "        run folders (and a changed plan's sweep.csv) are removed; a subfolder that is no cvxrelu run\n"
            "        folder is never removed: the sweep is refused (exit 2).\n"
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
            "  SLURM OPTIONS (with --emit-slurm only; values without blanks or quotes):\n"
            "  --time T           #SBATCH --time=T in the array script(s) (e.g. 2:00:00)\n"
            "  --mem M            #SBATCH --mem=M in the array script(s) (e.g. 4G); default: the largest memory\n"
            "                     estimate of the points to run (the limits.memory_mb guard's, CSV data read for\n"
            "                     their size) plus %d MiB for the program itself, in MiB\n"
            "  --partition P, --account A   #SBATCH lines of every script (the aggregation too)\n"
            "  --sbatch-opt OPT   any other sbatch option as one #SBATCH line of every script, repeatable:\n"
            "                     --sbatch-opt=--qos=long --sbatch-opt=--constraint=avx512\n"
            "  --max-running N    at most N tasks of an array at once (#SBATCH --array=0-K%%N)\n"
            "  --max-array-size N indices per array, Slurm's MaxArraySize (default %d: 0..%d); more points are\n"
            "                     split into FILE, FILE-part2.EXT, ... (each its own array over its lines of the\n"
            "                     jobs file), all submitted before the aggregation, which waits for every one\n"
            "  A rerun runs (or emits) only the points not done: a point is done when its summary.csv says status\n"
            "  ok or claims_failed (it completed) and its config.yaml is the config the point resolves to now\n"
            "  (limits.memory_mb left at 0, half the memory of the machine that runs it, is written as 0: a\n"
            "  node with other memory does not make a point stale; an explicit value does count).\n"
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
            "  2 usage/config error (nothing written), 3 every point completed and some point's claims failed.\n",
            CR_SWEEP_SLURM_BASE_MB, CR_SWEEP_SLURM_MAX_ARRAY, CR_SWEEP_SLURM_MAX_ARRAY - 1);
}

typedef struct {
    const char *config;
    cr_sweep_strs sets;
    cr_sweep_grid *grids;
    size_t ngrid;
    const char *out, *emit_jobs, *emit_slurm;
    long jobs;
    int quiet, help;
    cr_sweep_slurm slurm;
    const char *slurm_given; /* the first Slurm option given (they need --emit-slurm) */
    cr_sweep_strs stale;     /* run folders in the sweep folder that are no point of this plan (removed) */
} sweep_args;

static void sweep_args_free(sweep_args *a)
{
    cr_sweep_strs_free(&a->stale);
    cr_sweep_strs_free(&a->slurm.opts);
    cr_sweep_strs_free(&a->sets);
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

/* An integer option value in [lo, hi] into *out. */
static int long_value(const char *name, const char *v, long lo, long hi, long *out, cr_err *err)
{
    char *end;
    errno = 0;
    *out = strtol(v, &end, 10);
    if (errno || *end || end == v || *out < lo || *out > hi)
        return cr_err_set(err, CR_EINPUT, "%s: expected an integer in [%ld, %ld], got \"%s\"", name, lo, hi, v);
    return CR_OK;
}

/* A value written into an #SBATCH line: no blank, quote, backslash or control character, which would split or
 * end the line (sbatch reads these lines word by word). */
static int sbatch_value(const char *name, const char *v, cr_err *err)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '"' || *c == '\'' || *c == '\\')
            return cr_err_set(err, CR_EINPUT, "%s %s: blanks, quotes, backslashes and control characters cannot be "
                                              "written into an #SBATCH line",
                              name, v);
    return CR_OK;
}

/* --mem: a number of MiB, or a number with a K, M, G or T suffix (sbatch's syntax). */
static int mem_value(const char *v, cr_err *err)
{
    size_t k = strspn(v, "0123456789");
    if (k == 0 || k > 12 || (v[k] && (strchr("KMGTkmgt", v[k]) == NULL || v[k + 1])))
        return cr_err_set(err, CR_EINPUT, "--mem: expected a size such as 4000 (MiB), 4000M or 4G, got \"%s\"", v);
    return CR_OK;
}

/* The Slurm options (cr_sweep_slurm); 1 when argv[*i] is one of them. */
static int slurm_option(int argc, char **argv, int *i, sweep_args *a, cr_err *err, int *st)
{
    const char *v = NULL, *s = argv[*i];
    cr_sweep_slurm *so = &a->slurm;
    if (opt_value(argc, argv, i, "--time", &v, err, st)) {
        if (!*st) *st = sbatch_value("--time", v, err);
        so->time = v;
    } else if (opt_value(argc, argv, i, "--mem", &v, err, st)) {
        if (!*st) *st = mem_value(v, err);
        so->mem = v;
    } else if (opt_value(argc, argv, i, "--partition", &v, err, st)) {
        if (!*st) *st = sbatch_value("--partition", v, err);
        so->partition = v;
    } else if (opt_value(argc, argv, i, "--account", &v, err, st)) {
        if (!*st) *st = sbatch_value("--account", v, err);
        so->account = v;
    } else if (opt_value(argc, argv, i, "--sbatch-opt", &v, err, st)) {
        if (!*st && v[0] != '-')
            *st = cr_err_set(err, CR_EINPUT, "--sbatch-opt %s: expected an sbatch option such as --qos=long", v);
        if (!*st) *st = sbatch_value("--sbatch-opt", v, err);
        if (!*st && cr_sweep_strs_push(&so->opts, v)) *st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    } else if (opt_value(argc, argv, i, "--max-running", &v, err, st)) {
        if (!*st) *st = long_value("--max-running", v, 1, 1000000, &so->max_running, err);
    } else if (opt_value(argc, argv, i, "--max-array-size", &v, err, st)) {
        if (!*st) *st = long_value("--max-array-size", v, 1, 4000001, &so->max_array, err);
    } else {
        return 0;
    }
    if (!a->slurm_given) a->slurm_given = s;
    return 1;
}

static int parse_sweep_args(int argc, char **argv, sweep_args *a, cr_err *err)
{
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    a->slurm.max_array = CR_SWEEP_SLURM_MAX_ARRAY;
    int st = CR_OK, have_jobs = 0, options = 1;
    for (int i = 2; i < argc && !st; i++) {
        const char *s = argv[i], *v = NULL;
        if (!options) {
            if (a->config) st = cr_err_set(err, CR_EINPUT, "unexpected argument %s (one config per sweep)", s);
            a->config = s;
        } else if (strcmp(s, "--") == 0) {
            options = 0;
        } else if (slurm_option(argc, argv, &i, a, err, &st)) {
            continue;
        } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            a->help = 1;
        } else if (opt_value(argc, argv, &i, "--grid", &v, err, &st)) {
            if (st) break;
            cr_sweep_grid *g = realloc(a->grids, (a->ngrid + 1) * sizeof *g);
            if (!g) return cr_err_set(err, CR_ERUNTIME, "out of memory");
            a->grids = g;
            st = cr_sweep_grid_parse(v, &a->grids[a->ngrid], err);
            if (!st) a->ngrid++;
        } else if (opt_value(argc, argv, &i, "--set", &v, err, &st)) {
            if (!st && cr_sweep_strs_push(&a->sets, v)) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
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
    if (a->slurm_given && !a->emit_slurm)
        return cr_err_set(err, CR_EINPUT, "%s is an sbatch setting: it needs --emit-slurm FILE", a->slurm_given);
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
static int report_counts(const cr_sweep_plan *p, size_t nbad, size_t nclaims, int quiet, FILE *log)
{
    if (nbad || nclaims || !quiet)
        fprintf(log, "sweep: %zu points, %zu ok, %zu claims failed, %zu failed or not run; table in %s/sweep.csv\n",
                p->npts, p->npts - nbad - nclaims, nclaims, nbad, p->dir);
    return nbad ? CR_ERUNTIME : nclaims ? CR_ECLAIMS : CR_OK;
}

/* Where the sweep runs from: the current folder, the config's absolute path and this binary's. */
static int setup_paths(const sweep_args *a, cr_sweep_plan *p, cr_err *err)
{
    if (!getcwd(p->cwd, sizeof p->cwd)) return cr_err_set(err, CR_ERUNTIME, "getcwd: %s", strerror(errno));
    if (absolute(p->cwd, a->config, p->config, sizeof p->config))
        return cr_err_set(err, CR_EINPUT, "%s: path too long", a->config);
    ssize_t k = readlink("/proc/self/exe", p->prog, sizeof p->prog - 1);
    if (k <= 0 || (size_t)k >= sizeof p->prog - 1)
        return cr_err_set(err, CR_ERUNTIME, "cannot find this program's path (/proc/self/exe)");
    p->prog[k] = 0;
    return CR_OK;
}

/* CR_EINPUT when no point loads: the config or the shared --set is wrong (the base message says which), or
 * every value is. */
static int check_some_point_loads(const cr_sweep_plan *p, cr_err *err)
{
    for (size_t i = 0; i < p->npts; i++)
        if (!p->pts[i].error) return CR_OK;
    cr_config *cfg = malloc(sizeof *cfg);
    cr_err berr = {{0}};
    int st;
    if (!cfg) st = cr_err_set(err, CR_ERUNTIME, "out of memory");
    else if (cr_config_load(p->config, (const char *const *)p->sets.v, p->sets.n, cfg, &berr))
        st = cr_err_set(err, CR_EINPUT, "%s", berr.msg);
    else
        st = cr_err_set(err, CR_EINPUT, "no point of the sweep is a valid config; the first: %s", p->pts[0].error);
    free(cfg);
    return st;
}

static int plan_point(const cr_sweep_plan *p, const char *name)
{
    for (size_t i = 0; i < p->npts; i++)
        if (strcmp(p->pts[i].name, name) == 0) return 1;
    return 0;
}

/* An existing sweep folder must be one this program made (its sweep.yaml), or hold only this plan's points:
 * the sweep writes into it and removes from it the run folders that are no point of this plan (an earlier
 * sweep's, whose tables would otherwise stay beside the new ones), their names in *stale. A subfolder that is
 * neither a point of the plan, nor logs/, nor a cvxrelu run folder is never removed: the sweep is refused
 * (CR_EINPUT), as is a folder holding other files without a sweep.yaml. Hidden entries (temporaries) are
 * skipped; plain files are never removed. */
static int check_sweep_dir(const cr_sweep_plan *p, cr_sweep_strs *stale, cr_err *err)
{
    DIR *d = opendir(p->dir);
    if (!d) return errno == ENOENT ? CR_OK : cr_err_set(err, CR_EINPUT, "--out %s: %s", p->dir, strerror(errno));
    int plan = 0, st = CR_OK;
    char other[NAME_MAX + 1] = "";
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.') continue;
        char path[CR_PATH_MAX + NAME_MAX + 2];
        snprintf(path, sizeof path, "%s/%s", p->dir, nm);
        struct stat sb;
        if (lstat(path, &sb) != 0) continue;
        if (strcmp(nm, "sweep.yaml") == 0 && S_ISREG(sb.st_mode)) {
            FILE *f = fopen(path, "rb");
            char head[32] = "";
            if (f) {
                size_t k = fread(head, 1, sizeof head - 1, f);
                head[k] = 0;
                fclose(f);
            }
            if (strncmp(head, "# cvxrelu sweep plan", 20) == 0) {
                plan = 1;
                continue;
            }
        }
        /* A point's own name is the point's business (a symbolic link there is reported as its error). */
        if (plan_point(p, nm) || (S_ISDIR(sb.st_mode) && strcmp(nm, "logs") == 0)) continue;
        if (S_ISDIR(sb.st_mode)) {
            if (!cr_fs_is_run_folder(path))
                st = cr_err_set(err, CR_EINPUT,
                                "--out %s: holds the folder %s, which is neither a point of this sweep nor a cvxrelu "
                                "run folder; choose another folder or remove it",
                                p->dir, nm);
            else if (cr_sweep_strs_push(stale, nm))
                st = cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
        if (!other[0]) snprintf(other, sizeof other, "%s", nm);
    }
    closedir(d);
    if (!st && !plan && other[0])
        st = cr_err_set(err, CR_EINPUT,
                        "--out %s: the folder holds %s but no sweep.yaml of a cvxrelu sweep, so a sweep may not "
                        "write into it; choose another folder",
                        p->dir, other);
    return st;
}

/* The sweep folder (--out, default results/<stem>-sweep), absolute, short enough and writable or creatable. */
static int setup_dir(sweep_args *a, cr_sweep_plan *p, cr_err *err)
{
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
    if (strlen(p->dir) + 1 + CR_SWEEP_NAME_CUT > CR_OUT_MAX)
        return cr_err_set(err, CR_EINPUT, "--out %.48s...: the folder's path has %zu bytes, at most %d are accepted "
                                          "for a sweep (its points' folders add %d)",
                          p->dir, strlen(p->dir), CR_OUT_MAX - 1 - CR_SWEEP_NAME_CUT, 1 + CR_SWEEP_NAME_CUT);
    int st = check_dir("--out", p->dir, err);
    return st ? st : check_sweep_dir(p, &a->stale, err);
}

/* The emitted files' absolute paths (the jobs file defaults to the Slurm script's name with .jobs, the
 * aggregation script is NAME-aggregate.EXT), each writable, distinct and free of control characters. */
static int setup_emit(const sweep_args *a, const cr_sweep_plan *p, cr_sweep_emit_paths *ep, cr_err *err)
{
    int st;
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
    if (!a->emit_slurm) return cr_sweep_emit_check(p, ep, 0, err);
    sibling(ep->slurm, "-aggregate", 1, ep->agg, sizeof ep->agg);
    if ((st = check_file("--emit-slurm", ep->slurm, err))) return st;
    if (strcmp(ep->slurm, ep->jobs) == 0 || strcmp(ep->agg, ep->jobs) == 0)
        return cr_err_set(err, CR_EINPUT, "--emit-slurm %s: the same file as the jobs file", ep->slurm);
    return cr_sweep_emit_check(p, ep, 1, err);
}

/* Fills the plan from the arguments (taking their grids and sets), resolves every point and checks every output
 * path; writes nothing. */
static int sweep_setup(sweep_args *a, cr_sweep_plan *p, cr_sweep_emit_paths *ep, cr_err *err)
{
    p->sets = a->sets;
    p->grids = a->grids;
    p->ngrid = a->ngrid;
    a->sets = (cr_sweep_strs){0};
    a->grids = NULL;
    a->ngrid = 0;
    p->want_mem = a->emit_slurm && !a->slurm.mem;
    int st = setup_paths(a, p, err);
    if (!st) st = cr_sweep_plan_resolve(p, err);
    if (!st) st = check_some_point_loads(p, err);
    if (!st) st = setup_dir(a, p, err);
    if (!st && (a->emit_jobs || a->emit_slurm)) st = setup_emit(a, p, ep, err);
    return st;
}

/* The points that resolve and are not done, in grid order; *cpus the most BLAS threads among them. */
static size_t points_to_run(const cr_sweep_plan *p, size_t *todo, long *cpus)
{
    size_t ntodo = 0;
    *cpus = 1;
    for (size_t i = 0; i < p->npts; i++) {
        if (p->pts[i].error || cr_sweep_point_is_link(p, i)) continue; /* a symbolic link is reported, never run */
        cr_sweep_strs k = {0}, v = {0};
        char msg[2048];
        cr_sweep_state ps = cr_sweep_point_read(p, i, &k, &v, msg, sizeof msg);
        if (ps != CR_SWEEP_POINT_OK && ps != CR_SWEEP_POINT_CLAIMS_FAILED) {
            todo[ntodo++] = i;
            if (p->pts[i].threads > *cpus) *cpus = p->pts[i].threads;
        }
        cr_sweep_strs_free(&k);
        cr_sweep_strs_free(&v);
    }
    return ntodo;
}

/* The whole file at path, NULL when unreadable. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *t = cr_fs_read_all(f, NULL);
    fclose(f);
    return t;
}

/* Validated: the sweep folder is made, the run folders of an earlier sweep that are no point of this one are
 * removed, and the plan written (from here on, files are written). A changed plan removes the earlier table
 * too: sweep.csv is rebuilt from this plan's points (at the end here, or by `cvxrelu aggregate`). */
static int write_plan(cr_sweep_plan *p, const cr_sweep_strs *stale, cr_err *err)
{
    int e = cr_fs_mkdirs(p->dir);
    if (e) return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the sweep folder: %s", p->dir, strerror(e));
    char real[PATH_MAX];
    if (realpath(p->dir, real) && strlen(real) < sizeof p->dir) memcpy(p->dir, real, strlen(real) + 1);
    char path[CR_PATH_MAX + NAME_MAX + 2];
    for (size_t k = 0; k < stale->n; k++) {
        snprintf(path, sizeof path, "%s/%s", p->dir, stale->v[k]);
        int st = cr_fs_remove_run_folder(path, err);
        if (st) return CR_ERUNTIME;
    }
    snprintf(path, sizeof path, "%s/sweep.yaml", p->dir);
    char *before = read_text(path);
    int st = cr_sweep_plan_write(p, err);
    char *after = st ? NULL : read_text(path);
    if (!st && before && (!after || strcmp(before, after) != 0)) {
        snprintf(path, sizeof path, "%s/sweep.csv", p->dir);
        if (unlink(path) != 0 && errno != ENOENT)
            st = cr_err_set(err, CR_ERUNTIME, "%s: cannot remove the earlier table: %s", path, strerror(errno));
    }
    free(before);
    free(after);
    return st;
}

/* Runs (or emits) the points not done yet, todo[] the room for their indices, then rebuilds the table when
 * nothing was emitted; the exit status of report_counts. */
static int sweep_points(const sweep_args *a, const cr_sweep_plan *p, const cr_sweep_emit_paths *ep, size_t *todo,
                        FILE *out, FILE *log, cr_err *err)
{
    size_t nrejected = 0, nbad = 0, nclaims = 0;
    for (size_t i = 0; i < p->npts; i++)
        if (p->pts[i].error) {
            nrejected++;
            fprintf(log, "sweep: %s: rejected, not run: %s\n", p->pts[i].name, p->pts[i].error);
        }
    long cpus;
    size_t ntodo = points_to_run(p, todo, &cpus);
    int emitting = a->emit_jobs || a->emit_slurm;
    if (!a->quiet || (ntodo && emitting))
        fprintf(emitting ? out : log, "sweep: %zu points, %zu to run, %zu done, %zu rejected; plan in %s/sweep.yaml\n",
                p->npts, ntodo, p->npts - nrejected - ntodo, nrejected, p->dir);
    int st = cr_sweep_make_point_dirs(p, todo, ntodo, err);
    if (st) return st;
    if (ntodo && emitting) return cr_sweep_emit(p, todo, ntodo, cpus, a->emit_slurm ? &a->slurm : NULL, ep, out, err);
    /* Everything done already (also when emitting): the table is rebuilt. */
    if (ntodo && (st = cr_sweep_run_local(p, todo, ntodo, a->jobs, a->quiet, log, err))) return st;
    if ((st = cr_sweep_plan_aggregate(p, &nbad, &nclaims, err))) return st;
    return report_counts(p, nbad, nclaims, a->quiet, log);
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
    cr_sweep_plan *p = calloc(1, sizeof *p);
    cr_sweep_emit_paths ep;
    memset(&ep, 0, sizeof ep);
    size_t *todo = NULL;
    if (!p) st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
    else st = sweep_setup(&a, p, &ep, &err);
    if (!st) st = write_plan(p, &a.stale, &err);
    if (!st && !(todo = calloc(p->npts, sizeof *todo))) st = cr_err_set(&err, CR_ERUNTIME, "out of memory");
    if (!st) st = sweep_points(&a, p, &ep, todo, out, log, &err);
    free(todo);
    sweep_args_free(&a);
    cr_sweep_plan_free(p);
    if (st && err.msg[0]) return st == CR_EINPUT ? usage_error(log, &err) : runtime_error(log, &err);
    return st;
}

int cr_sweep_aggregate_cli(int argc, char **argv, FILE *out, FILE *log)
{
    const char *dir = NULL;
    int quiet = 0;
    cr_err err = {{0}};
    int options = 1;
    for (int i = 2; i < argc; i++) {
        if (!options || strcmp(argv[i], "--") == 0) {
            if (options) {
                options = 0;
                continue;
            }
            if (dir) {
                cr_err_set(&err, CR_EINPUT, "unexpected argument %s (one sweep folder)", argv[i]);
                return usage_error(log, &err);
            }
            dir = argv[i];
        } else if (strcmp(argv[i], "--quiet") == 0) quiet = 1;
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
    cr_sweep_plan *p = NULL;
    int st = cr_sweep_plan_read(dir, &p, &err);
    if (st) return st == CR_EINPUT ? usage_error(log, &err) : runtime_error(log, &err);
    size_t nbad = 0;
    size_t nclaims = 0;
    st = cr_sweep_plan_aggregate(p, &nbad, &nclaims, &err);
    if (!st) st = report_counts(p, nbad, nclaims, quiet, log);
    else st = runtime_error(log, &err);
    cr_sweep_plan_free(p);
    return st;
}
