/* Helpers shared by the benchmarks (see benchutil.h). */
#include "benchutil.h"

#include <errno.h>
#include <math.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

static double clock_seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double bench_wall(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

double bench_cpu(void)
{
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

const char *bench_start(int argc, char **argv, const char *name, int *status)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argc > 0 ? argv[0] : name);
        *status = 2;
        return NULL;
    }
    gsl_set_error_handler_off();
    setlocale(LC_ALL, "C");
    if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", name, argv[1], strerror(errno));
        *status = 1;
        return NULL;
    }
    *status = 0;
    return argv[1];
}

FILE *bench_out_open(bench_out *o, const char *name, const char *outdir, const char *file)
{
    o->name = name;
    snprintf(o->path, sizeof o->path, "%s/%s", outdir, file);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    o->f = fopen(o->tmp, "w");
    if (!o->f) fprintf(stderr, "%s: cannot write %s: %s\n", name, o->tmp, strerror(errno));
    return o->f;
}

int bench_out_commit(bench_out *o)
{
    const int bad = fclose(o->f) != 0 || rename(o->tmp, o->path) != 0;
    o->f = NULL;
    if (!bad) return 0;
    fprintf(stderr, "%s: cannot write %s: %s\n", o->name, o->path, strerror(errno));
    remove(o->tmp);
    return -1;
}

int bench_run_lines(const char *cmd, void (*on_line)(void *ctx, const char *line), void *ctx)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    char line[1024];
    while (fgets(line, sizeof line, p)) on_line(ctx, line);
    return pclose(p);
}

void bench_write_rows(FILE *f, const double *X, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < d; a++) fprintf(f, "%.17g ", X[i * d + a]);
        fprintf(f, "\n");
    }
}

int bench_write_patterns(FILE *f, const cr_patterns *P)
{
    char *buf = malloc(P->n + 1);
    if (!buf) return -1;
    for (size_t i = 0; i < P->p; i++) {
        cr_patterns_string(P, i, buf);
        fprintf(f, "%s\n", buf);
    }
    free(buf);
    return 0;
}

int bench_planted_labels(gsl_rng *r, const double *X, size_t n, size_t d, double *y)
{
    double *Wp = malloc(5 * d * sizeof *Wp);
    if (!Wp) return -1;
    for (size_t t = 0; t < 5 * d; t++) Wp[t] = gsl_ran_gaussian(r, 1.0 / sqrt((double)d));
    for (size_t k = 0; k < n; k++) {
        double f = 0;
        for (size_t j = 0; j < 5; j++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += X[k * d + a] * Wp[j * d + a];
            f += (h > 0 ? h : 0) * (j % 2 ? -1.0 : 1.0);
        }
        y[k] = f + 0.1 * gsl_ran_gaussian(r, 1.0);
    }
    free(Wp);
    return 0;
}

double bench_loadavg(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double v = NAN;
    if (f) {
        if (fscanf(f, "%lf", &v) != 1) v = NAN;
        fclose(f);
    }
    return v;
}

/* A value for one CSV field: commas, quotes and line ends become ';' or are cut. */
static void machine_field(FILE *f, const char *key, const char *v)
{
    fprintf(f, "%s,", key);
    for (; *v && *v != '\n'; v++) fputc(*v == ',' || *v == '"' || *v == '\r' ? ';' : *v, f);
    fputc('\n', f);
}

static void first_line(void *ctx, const char *line)
{
    char *out = ctx;
    if (!out[0]) snprintf(out, 256, "%.255s", line);
}

int bench_write_machine(const char *outdir, const char *stem, double load_start)
{
    char file[512], cpu[256] = "unknown", line[1024], date[64] = "unknown", commit[256] = "";
    FILE *in = fopen("/proc/cpuinfo", "r");
    while (in && fgets(line, sizeof line, in)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *c = strchr(line, ':');
        if (c) snprintf(cpu, sizeof cpu, "%s", c + 1 + strspn(c + 1, " \t"));
        break;
    }
    if (in) fclose(in);
    cpu[strcspn(cpu, "\n")] = 0;
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (bench_run_lines("git describe --always --dirty --abbrev=7 2>/dev/null", first_line, commit) != 0 || !commit[0])
        snprintf(commit, sizeof commit, "unknown");
    commit[strcspn(commit, "\n")] = 0;
    const char *env = getenv("OPENBLAS_CORETYPE");
    char num[64];
    bench_out o;
    snprintf(file, sizeof file, "%s_machine.csv", stem);
    FILE *f = bench_out_open(&o, stem, outdir, file);
    if (!f) return -1;
    fprintf(f, "key,value\n");
    machine_field(f, "bench", stem);
    machine_field(f, "date_utc", date);
    machine_field(f, "cpu_model", cpu);
    snprintf(num, sizeof num, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    machine_field(f, "cores", num);
    machine_field(f, "openblas_core", openblas_get_corename());
    machine_field(f, "openblas_config", openblas_get_config());
    machine_field(f, "openblas_coretype_env", env && *env ? env : "unset");
    machine_field(f, "commit", commit);
    snprintf(num, sizeof num, "%.2f", load_start);
    machine_field(f, "loadavg_start", num);
    snprintf(num, sizeof num, "%.2f", bench_loadavg());
    machine_field(f, "loadavg_end", num);
    return bench_out_commit(&o);
}
