/* The emitted job files of a sweep (see sweep_impl.h): one shell line per point for GNU parallel, and a Slurm
 * array script plus its aggregation script. Nothing runs here; every path and value written was checked to be
 * free of control characters, so no line of a job file can be broken. */
#include "sweep_impl.h"

#include <ctype.h>
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

/* The Slurm array script: task K runs line K+1 of the jobs file, its log in logs/. Paths appear quoted as shell
 * words in the comments and as sbatch words in #SBATCH lines (cr_sweep_emit_check has refused control characters,
 * so no line can be broken). */
static void slurm_array(FILE *f, const cr_sweep_plan *p, size_t ntodo, long cpus, const cr_sweep_emit_paths *ep,
                        const char *logs)
{
    char table[CR_PATH_MAX + 16], logfile[CR_PATH_MAX + 48];
    snprintf(table, sizeof table, "%s/sweep.csv", p->dir);
    fprintf(f, "#!/bin/bash\n# cvxrelu sweep of ");
    shell_word(f, p->config);
    fprintf(f, ": %zu points as a Slurm job array (written by cvxrelu sweep --emit-slurm).\n"
               "# Array task K runs line K+1 of the jobs file below (one `cvxrelu run` per point, absolute paths:\n"
               "# the folders must be shared with the compute nodes). Submit the array, then the aggregation once\n"
               "# every task has ended, ok or not:\n"
               "#   jid=$(sbatch --parsable ",
            ntodo);
    shell_word(f, ep->slurm);
    fprintf(f, ") && sbatch --dependency=afterany:$jid ");
    shell_word(f, ep->agg);
    fprintf(f, "\n# or run `cvxrelu aggregate ");
    shell_word(f, p->dir);
    fprintf(f, "` when squeue shows no task left. The table: ");
    shell_word(f, table);
    fprintf(f, "\n#SBATCH --job-name=cvxrelu-sweep\n#SBATCH --array=0-%zu\n#SBATCH --ntasks=1\n"
               "#SBATCH --cpus-per-task=%ld\n#SBATCH --output=",
            ntodo - 1, cpus);
    snprintf(logfile, sizeof logfile, "%s/slurm-", logs);
    sbatch_word_pattern(f, logfile, "%A_%a.out");
    fputc('\n', f);
    fprintf(f, "set -eu\njobs=");
    shell_word(f, ep->jobs);
    fprintf(f, "\nline=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$jobs\")\n"
               "if [ -z \"$line\" ]; then echo \"cvxrelu sweep: $jobs has no line $((SLURM_ARRAY_TASK_ID + 1))\" >&2; "
               "exit 2; fi\nexec /bin/sh -c \"$line\"\n");
}

/* The aggregation script, submitted to run once the array has ended. */
static void slurm_aggregate(FILE *f, const cr_sweep_plan *p, const cr_sweep_emit_paths *ep, const char *logs)
{
    char logfile[CR_PATH_MAX + 48];
    fprintf(f, "#!/bin/bash\n# Aggregation step of the sweep in ");
    shell_word(f, p->dir);
    fprintf(f, ": rebuilds sweep.csv from the run folders. Submit it with\n"
               "# --dependency=afterany:<array job id> (see ");
    shell_word(f, ep->slurm);
    fprintf(f, ").\n#SBATCH --job-name=cvxrelu-aggregate\n#SBATCH --ntasks=1\n#SBATCH --output=");
    snprintf(logfile, sizeof logfile, "%s/aggregate-", logs);
    sbatch_word_pattern(f, logfile, "%j.out");
    fprintf(f, "\nexec ");
    shell_word(f, p->prog);
    fputs(" aggregate ", f);
    shell_word(f, p->dir);
    fputc('\n', f);
}

/* The Slurm array script and the aggregation script beside it; their logs go to DIR/logs. */
static int write_slurm(const cr_sweep_plan *p, size_t ntodo, long cpus, const cr_sweep_emit_paths *ep, cr_err *err)
{
    char logs[CR_PATH_MAX + 16];
    snprintf(logs, sizeof logs, "%s/logs", p->dir);
    int e = cr_fs_mkdirs(logs);
    if (e) return cr_err_set(err, CR_ERUNTIME, "%s: cannot create the folder: %s", logs, strerror(e));
    cr_atomic *a = cr_atomic_open(ep->slurm, err);
    if (!a) return CR_ERUNTIME;
    slurm_array(cr_atomic_stream(a), p, ntodo, cpus, ep, logs);
    int st = cr_atomic_commit(a, err);
    if (st) return st;
    if (!(a = cr_atomic_open(ep->agg, err))) return CR_ERUNTIME;
    slurm_aggregate(cr_atomic_stream(a), p, ep, logs);
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
int cr_sweep_emit(const cr_sweep_plan *p, const size_t *todo, size_t ntodo, long cpus, int slurm,
                  const cr_sweep_emit_paths *ep, FILE *out, cr_err *err)
{
    int st = write_jobs(p, todo, ntodo, ep->jobs, err);
    if (!st && slurm) st = write_slurm(p, ntodo, cpus, ep, err);
    if (st) return st;
    fprintf(out, "jobs file: %s (one line per point)\n", ep->jobs);
    if (slurm) {
        fprintf(out, "slurm: jid=$(sbatch --parsable ");
        shell_word(out, ep->slurm);
        fprintf(out, ") && sbatch --dependency=afterany:$jid ");
        shell_word(out, ep->agg);
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
