/* The emitted job files of a sweep (see sweep_impl.h): one shell line per point for GNU parallel, and a Slurm
 * array script plus its aggregation script. Nothing runs here; every path and value written was checked to be
 * free of control characters, so no line of a job file can be broken. */
#include "sweep_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "fsutil.h"

/* Appends s to f as one shell word: as is when it is plainly safe, else in single quotes (' written as '\''). */
static void shell_word(FILE *f, const char *s)
{
    int plain = *s != 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && plain; c++)
        plain = isalnum(*c) || strchr("_./=,+:@%-", *c);
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("'\\''", f);
        else fputc(*s, f);
    }
    fputc('\'', f);
}

/* Appends lit followed by the file-name pattern pat (e.g. "%A_%a.out") to f as one argument of an #SBATCH line:
 * in double quotes, with " and \ escaped by a backslash (sbatch's own rule for these lines; older releases know
 * no single quotes there) and every % of lit doubled, since sbatch reads % as a pattern ("%%" is a literal %). */
static void sbatch_word_pattern(FILE *f, const char *lit, const char *pat)
{
    fputc('"', f);
    for (; *lit; lit++) {
        if (*lit == '"' || *lit == '\\') fputc('\\', f);
        if (*lit == '%') fputc('%', f);
        fputc(*lit, f);
    }
    fputs(pat, f);
    fputc('"', f);
}

/* One shell line: cd CWD && 'prog' run ... --log 'DIR/NAME/stderr.log' (the program creates the log anew and
 * never writes through a symbolic link there, which a shell redirection would). */
static int job_line(const cr_sweep_plan *p, size_t i, FILE *f)
{
    cr_sweep_strs av = {0};
    char log[CR_PATH_MAX + 300];
    if (cr_sweep_point_argv(p, i, &av) || cr_sweep_point_path(p, i, CR_FS_LOG_NAME, log, sizeof log)) {
        cr_sweep_strs_free(&av);
        return -1;
    }
    fputs("cd ", f);
    shell_word(f, p->cwd);
    fputs(" &&", f);
    for (size_t k = 0; k < av.n; k++) {
        fputc(' ', f);
        shell_word(f, av.v[k]);
    }
    fputs(" --log ", f);
    shell_word(f, log);
    fputc('\n', f);
    cr_sweep_strs_free(&av);
    return 0;
}

static int write_jobs(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, const char *path, cr_err *err)
{
    cr_atomic *a = cr_atomic_open(path, err);
    if (!a) return CR_ERUNTIME;
    for (size_t t = 0; t < ntodo; t++)
        if (job_line(p, todo[t], cr_atomic_stream(a))) {
            cr_atomic_abort(a);
            return cr_err_set(err, CR_ERUNTIME, "out of memory");
        }
    return cr_atomic_commit(a, err);
}

/* Script k of nparts (counted from 0): FILE itself for the first, FILE-partK.EXT (K from 2) for the others. */
static void part_path(const cr_sweep_emit_paths *ep, size_t k, char *out, size_t cap)
{
    if (k == 0) {
        snprintf(out, cap, "%s", ep->slurm);
        return;
    }
    const char *slash = strrchr(ep->slurm, '/'), *base = slash ? slash + 1 : ep->slurm, *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = base + strlen(base);
    snprintf(out, cap, "%.*s-part%zu%s", (int)(dot - ep->slurm), ep->slurm, k + 1, dot);
}

/* The #SBATCH lines every script shares: --partition, --account, then each --sbatch-opt as given. */
static void sbatch_common(FILE *f, const cr_sweep_slurm *so)
{
    if (so->partition) fprintf(f, "#SBATCH --partition=%s\n", so->partition);
    if (so->account) fprintf(f, "#SBATCH --account=%s\n", so->account);
    for (size_t k = 0; k < so->opts.n; k++) fprintf(f, "#SBATCH %s\n", so->opts.v[k]);
}

/* The submission commands: every array, then the aggregation once all of them have ended (ok or not). */
static void submit_line(FILE *f, const cr_sweep_emit_paths *ep, size_t nparts)
{
    char path[CR_PATH_MAX + 32];
    for (size_t k = 0; k < nparts; k++) {
        part_path(ep, k, path, sizeof path);
        fprintf(f, "%sj%zu=$(sbatch --parsable ", k ? " && " : "", k + 1);
        shell_word(f, path);
        fputc(')', f);
    }
    fprintf(f, " && sbatch --dependency=afterany");
    for (size_t k = 0; k < nparts; k++) fprintf(f, ":$j%zu", k + 1);
    fputc(' ', f);
    shell_word(f, ep->agg);
}

/* Array script k of nparts: its task K runs line first+K+1 of the jobs file (count tasks), its log in logs/.
 * Paths appear quoted as shell words in the comments and as sbatch words in #SBATCH lines
 * (cr_sweep_emit_check has refused control characters, so no line can be broken). */
static void slurm_array(FILE *f, const cr_sweep_plan *p, size_t first, size_t count, size_t k, size_t nparts,
                        long cpus, long mem_mb, const cr_sweep_slurm *so, const cr_sweep_emit_paths *ep,
                        const char *logs)
{
    char table[CR_PATH_MAX + 16], logfile[CR_PATH_MAX + 48];
    snprintf(table, sizeof table, "%s/sweep.csv", p->dir);
    fprintf(f, "#!/bin/bash\n# cvxrelu sweep of ");
    shell_word(f, p->config);
    fprintf(f, ": %zu points as a Slurm job array (written by cvxrelu sweep --emit-slurm)", count);
    if (nparts > 1) fprintf(f, ", part %zu of %zu (lines %zu to %zu of the jobs file)", k + 1, nparts, first + 1,
                            first + count);
    fprintf(f, ".\n# Array task K runs line %zu+K of the jobs file below (one `cvxrelu run` per point, absolute paths:\n"
               "# the folders must be shared with the compute nodes). Submit the array%s, then the aggregation once\n"
               "# every task has ended, ok or not:\n#   ",
            first + 1, nparts > 1 ? "s" : "");
    submit_line(f, ep, nparts);
    fprintf(f, "\n# or run `cvxrelu aggregate ");
    shell_word(f, p->dir);
    fprintf(f, "` when squeue shows no task left. The table: ");
    shell_word(f, table);
    fprintf(f, "\n#SBATCH --job-name=cvxrelu-sweep\n#SBATCH --array=0-%zu", count - 1);
    if (so->max_running) fprintf(f, "%%%ld", so->max_running);
    fprintf(f, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%ld\n", cpus);
    if (so->mem) fprintf(f, "#SBATCH --mem=%s\n", so->mem);
    else if (mem_mb > 0) fprintf(f, "#SBATCH --mem=%ldM\n", mem_mb);
    if (so->time) fprintf(f, "#SBATCH --time=%s\n", so->time);
    sbatch_common(f, so);
    fprintf(f, "#SBATCH --output=");
    snprintf(logfile, sizeof logfile, "%s/slurm-", logs);
    sbatch_word_pattern(f, logfile, "%A_%a.out");
    fputc('\n', f);
    fprintf(f, "set -eu\njobs=");
    shell_word(f, ep->jobs);
    fprintf(f, "\nn=$((SLURM_ARRAY_TASK_ID + %zu))\nline=$(sed -n \"${n}p\" \"$jobs\")\n"
               "if [ -z \"$line\" ]; then echo \"cvxrelu sweep: $jobs has no line $n\" >&2; "
               "exit 2; fi\nexec /bin/sh -c \"$line\"\n",
            first + 1);
}

/* The aggregation script, submitted to run once the arrays have ended. */
static void slurm_aggregate(FILE *f, const cr_sweep_plan *p, const cr_sweep_slurm *so, const cr_sweep_emit_paths *ep,
                            const char *logs)
{
    char logfile[CR_PATH_MAX + 48];
    fprintf(f, "#!/bin/bash\n# Aggregation step of the sweep in ");
    shell_word(f, p->dir);
    fprintf(f, ": rebuilds sweep.csv from the run folders. Submit it with\n"
               "# --dependency=afterany:<array job id> (see ");
    shell_word(f, ep->slurm);
    fprintf(f, ").\n#SBATCH --job-name=cvxrelu-aggregate\n#SBATCH --ntasks=1\n");
    sbatch_common(f, so);
    fprintf(f, "#SBATCH --output=");
    snprintf(logfile, sizeof logfile, "%s/aggregate-", logs);
    sbatch_word_pattern(f, logfile, "%j.out");
    fprintf(f, "\nexec ");
    shell_word(f, p->prog);
    fputs(" aggregate ", f);
    shell_word(f, p->dir);
    fputc('\n', f);
}

/* Slurm's --mem for the points todo[]: the largest estimate (MiB, rounded up) plus the program's own share;
 * 0 when no point has an estimate. */
static long slurm_mem_mb(const cr_sweep_plan *p, const size_t *todo, size_t ntodo)
{
    double worst = NAN;
    for (size_t t = 0; t < ntodo; t++) {
        double b = p->pts[todo[t]].mem_bytes;
        if (!isnan(b) && !(b <= worst)) worst = b;
    }
    if (isnan(worst)) return 0;
    return (long)ceil(worst / 1048576.0) + CR_SWEEP_SLURM_BASE_MB;
}

/* The Slurm array scripts (one per so->max_array points) and the aggregation script beside them; their logs go
 * to DIR/logs. */
static int write_slurm(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long cpus, const cr_sweep_slurm *so,
                       const cr_sweep_emit_paths *ep, cr_err *err)
{
    char logs[CR_PATH_MAX + 16], path[CR_PATH_MAX + 32];
    snprintf(logs, sizeof logs, "%s/logs", p->dir);
    int e = cr_fs_mkdirs(logs);
    if (e) return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the folder: %s", logs, strerror(e));
    size_t per = (size_t)so->max_array, nparts = (ntodo + per - 1) / per;
    long mem_mb = so->mem ? 0 : slurm_mem_mb(p, todo, ntodo);
    for (size_t k = 0; k < nparts; k++) {
        part_path(ep, k, path, sizeof path);
        cr_atomic *a = cr_atomic_open(path, err);
        if (!a) return CR_ERUNTIME;
        size_t first = k * per, count = ntodo - first < per ? ntodo - first : per;
        slurm_array(cr_atomic_stream(a), p, first, count, k, nparts, cpus, mem_mb, so, ep, logs);
        int st = cr_atomic_commit(a, err);
        if (st) return st;
    }
    /* Parts beyond these, left by an earlier emission of more points, would run lines of another jobs file. */
    for (size_t k = nparts;; k++) {
        part_path(ep, k, path, sizeof path);
        FILE *f = fopen(path, "rb");
        char head[64] = "";
        if (!f) break;
        size_t got = fread(head, 1, sizeof head - 1, f);
        head[got] = 0;
        fclose(f);
        if (strncmp(head, "#!/bin/bash\n# cvxrelu sweep of ", 31) != 0 || unlink(path) != 0) break;
    }
    cr_atomic *a = cr_atomic_open(ep->agg, err);
    if (!a) return CR_ERUNTIME;
    slurm_aggregate(cr_atomic_stream(a), p, so, ep, logs);
    return cr_atomic_commit(a, err);
}

/* Everything an emitted file holds must be free of control characters: a newline in a path or a --set value ends
 * a line of the job file (each line is one shell command for GNU parallel and the Slurm array), and the rest of the
 * value would run as a command of its own. Quoting cannot help: the files are read line by line. A backslash in
 * the sweep folder would turn off sbatch's file-name patterns in --output (every task one log). */
int cr_sweep_emit_check(const cr_sweep_plan *p, const cr_sweep_emit_paths *ep, int slurm, cr_err *err)
{
    const char *what[6] = {"CONFIG path", "--out folder", "program path", "current folder", "--emit-jobs file",
                           "--emit-slurm file"};
    const char *text[6] = {p->config, p->dir, p->prog, p->cwd, ep->jobs, slurm ? ep->slurm : ""};
    int c;
    for (int k = 0; k < 6; k++)
        if ((c = cr_fs_control_char(text[k])) >= 0)
            return cr_err_set(err, CR_EINPUT,
                              "the %s holds a control character (byte 0x%02x), which cannot be written into a job "
                              "file (it would end the line and run the rest as a command): rename it",
                              what[k], (unsigned)c);
    if (slurm && (c = cr_fs_control_char(ep->agg)) >= 0)
        return cr_err_set(err, CR_EINPUT, "--emit-slurm: the aggregation script's name holds a control character "
                                          "(byte 0x%02x)", (unsigned)c);
    for (size_t k = 0; k < p->sets.n; k++)
        if ((c = cr_fs_control_char(p->sets.v[k])) >= 0)
            return cr_err_set(err, CR_EINPUT,
                              "--set option %zu holds a control character (byte 0x%02x), which cannot be written "
                              "into a job file (it would end the line and run the rest as a command)",
                              k + 1, (unsigned)c);
    if (slurm && strchr(p->dir, '\\'))
        return cr_err_set(err, CR_EINPUT, "--emit-slurm: the --out folder holds a backslash, which turns off sbatch's "
                                          "file-name patterns in #SBATCH --output: rename it");
    return CR_OK;
}

/* Writes the job file (and the Slurm scripts) and prints how to run them. */
int cr_sweep_emit(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long cpus, const cr_sweep_slurm *so,
                  const cr_sweep_emit_paths *ep, FILE *out, cr_err *err)
{
    int st = write_jobs(p, todo, ntodo, ep->jobs, err);
    if (!st && so) st = write_slurm(p, todo, ntodo, cpus, so, ep, err);
    if (st) return st;
    fprintf(out, "jobs file: %s (one line per point)\n", ep->jobs);
    if (so) {
        size_t nparts = (ntodo + (size_t)so->max_array - 1) / (size_t)so->max_array;
        if (nparts > 1)
            fprintf(out, "slurm: %zu array scripts of at most %ld tasks (--max-array-size)\n", nparts, so->max_array);
        long mem_mb = so->mem ? 0 : slurm_mem_mb(p, todo, ntodo);
        if (!so->mem && mem_mb > 0)
            fprintf(out, "slurm: --mem=%ldM (the largest point's memory estimate plus %d MiB; --mem overrides)\n",
                    mem_mb, CR_SWEEP_SLURM_BASE_MB);
        else if (!so->mem)
            fprintf(out, "slurm: no --mem written (no point's memory could be estimated; give --mem)\n");
        fprintf(out, "slurm: ");
        submit_line(out, ep, nparts);
    } else {
        fprintf(out, "run:   parallel -j%ld < ", (long)sysconf(_SC_NPROCESSORS_ONLN));
        shell_word(out, ep->jobs);
    }
    fprintf(out, "\nthen:  ");
    shell_word(out, p->prog);
    fprintf(out, " aggregate ");
    shell_word(out, p->dir);
    fprintf(out, "   (writes %s/sweep.csv)\n", p->dir);
    return CR_OK;
}
