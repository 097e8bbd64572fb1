/* Benchmark of the convex solver (convex.h) against cvxopt's coneqp (tests/oracle/socp.py) to a relative
 * gap of 1e-6, squared loss: exact patterns for (n, d) in (20,2), (40,2), (80,2), (15,3), (25,3), and the
 * sampled regime n = 1000, d = 20, 500 sampled patterns, planted-network labels (ours only: cvxopt's dense
 * KKT system there has 20000 x 20000 entries; the certified gap is the check of the optimum). Exact
 * instances: Gaussian X and y, beta = 0.1. cvxopt runs in a child process capped at CAP seconds; its time is
 * the solver call alone (as socp.py reports it), ours is the best of several in-process solves (one for the
 * sampled regime). The method is the solver's automatic choice (convex.h: by n, p and d, with fallback).
 * peak_rss_mb is the process's peak resident memory after the row (getrusage): the rows run in order of size,
 * so on the last row it is that row's peak.
 * Robustness rows (issue 13), OUTDIR/bench_convex_robust.csv: the instances where the solver failed or slowed
 * down, data as the harness builds it (data.kind gaussian with planted labels; patterns.method sample or
 * exact), each solved once at the default settings but for the tolerance (and the method where the row is
 * about one method), in a child process of its own so that peak_rss_mb is that solve's peak: wall and CPU
 * seconds, the certified relative gap, the status and the method that produced the point.
 * Usage: bench_convex OUTDIR   writes OUTDIR/bench_convex.csv and OUTDIR/bench_convex_robust.csv (temporary
 * file + rename), each with the machine it ran on beside it (STEM_machine.csv, benchutil.h), and prints the
 * tables; with CR_BENCH_ROWS=robust in the environment only the robustness rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "benchutil.h"
#include "convex.h"
#include "data.h"
#include "patterns.h"
#include "rng.h"

#define CAP 60.0   /* seconds for cvxopt */
#define OURCAP 600.0 /* seconds for our solver on the sampled regime (it reports the gap it reached) */
#define TOL 1e-6

typedef struct {
    size_t n, d, samples; /* samples = 0: exact enumeration */
    int run_cvxopt;
} bench_case;

static int write_instance(const char *path, const double *X, const double *y, size_t n, size_t d,
                          const cr_patterns *P, double beta)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "cvxrelu-instance 1\nloss squared\nbeta %.17g\nn %zu\nd %zu\np %zu\nX\n", beta, n, d, P->p);
    bench_write_rows(f, X, n, d);
    fprintf(f, "y\n");
    for (size_t k = 0; k < n; k++) fprintf(f, "%.17g\n", y[k]);
    fprintf(f, "patterns\n");
    if (bench_write_patterns(f, P) != 0) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

/* The oracle's report: the solver's seconds and the optimum. */
typedef struct {
    double sec, obj;
} cvxopt_report;

static void cvxopt_line(void *ctx, const char *line)
{
    cvxopt_report *r = ctx;
    if (strncmp(line, "seconds ", 8) == 0) r->sec = strtod(line + 8, NULL);
    if (strncmp(line, "optimum ", 8) == 0) r->obj = strtod(line + 8, NULL);
}

/* Runs the oracle; *sec and *obj from its report, *capped when the cap killed it. Returns 0 on success. */
static int run_cvxopt(const char *inst, double *sec, double *obj, int *capped)
{
    const char *oracle = getenv("CR_SOCP");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "timeout %g /usr/bin/python3 '%s' '%s' --tol %g 2>&1", CAP,
             oracle && *oracle ? oracle : "tests/oracle/socp.py", inst, TOL);
    double t0 = bench_wall();
    cvxopt_report rep = { NAN, NAN };
    *sec = NAN, *obj = NAN, *capped = 0;
    int st = bench_run_lines(cmd, cvxopt_line, &rep);
    if (st == -1) return -1;
    *sec = rep.sec;
    *obj = rep.obj;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 124) {
        *capped = 1;
        *sec = fmax(CAP, bench_wall() - t0 > CAP ? CAP : bench_wall() - t0);
        return 0;
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 && isfinite(*sec) ? 0 : -1;
}

/* ------------------------------------------------------------------ robustness rows */

typedef struct {
    const char *what;
    size_t n, d, samples; /* samples = 0: exact enumeration */
    double beta, tol;
    cr_convex_method method;
    long seed; /* the harness's seed: data and pattern streams */
} robust_case;

/* One robustness row, solved in this (child) process; writes its CSV fields (after the case's own) to fd as
 * one line. Returns 0, or 1 when the solve errored (the line says so). */
static int robust_row(const robust_case *R, int fd)
{
    char line[1024];
    cr_err e = {{0}};
    gsl_rng *r = cr_rng_stream(R->seed, "data"), *rp = cr_rng_stream(R->seed, "patterns");
    cr_data *D = NULL;
    cr_patterns *P = NULL;
    int st = cr_data_gaussian(R->n, R->d, 3, 0.1, CR_LABELS_PLANTED, r, &D, &e);
    if (!st) st = R->samples ? cr_patterns_sample(D->X, R->n, R->d, R->samples, rp, &P, &e)
                             : cr_patterns_enumerate(D->X, R->n, R->d, &P, &e);
    gsl_rng_free(r);
    gsl_rng_free(rp);
    if (st) {
        for (char *q = e.msg; *q; q++)
            if (*q == ',') *q = ';';
        snprintf(line, sizeof line, ",,,,,,,,,%.900s\n", e.msg);
        return write(fd, line, strlen(line)) < 0 || 1;
    }
    cr_convex_work *w = cr_convex_alloc(R->n, R->d, P->p);
    cr_convex_sol *sol = cr_convex_sol_alloc(P->p, R->d);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.tol = R->tol;
    o.method = R->method;
    o.max_seconds = OURCAP;
    cr_convex_info info = {0};
    double t0 = bench_wall(), c0 = bench_cpu();
    st = w && sol ? cr_convex_solve(w, D->X, D->y, R->n, R->d, P, CR_LOSS_SQUARED, R->beta, &o, sol, &info, &e)
                  : cr_err_set(&e, CR_ERUNTIME, "out of memory");
    double wall = bench_wall() - t0, cpu = bench_cpu() - c0;
    struct rusage ru;
    double rss = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : NAN;
    for (char *q = e.msg; *q; q++)
        if (*q == ',') *q = ';';
    snprintf(line, sizeof line, "%zu,%.17g,%.17g,%.17g,%.17g,%s,%s,%ld,%.1f,%.800s\n", P->p, wall, cpu, info.primal,
             info.rel_gap, cr_convex_status_name(info.status), cr_convex_method_name(info.method), info.newton, rss,
             st ? e.msg : "");
    int rc = write(fd, line, strlen(line)) < 0 || st != CR_OK;
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    cr_patterns_free(P);
    cr_data_free(D);
    return rc;
}

/* The robustness table: each row in a child process (its own peak memory), read back through a pipe. */
static int robust_rows(const char *out, double load_start)
{
    const robust_case cases[] = {
        /* seed 2: the interior-point method's polish left cone violation 0.0042 on main (seed 1 did not) */
        {"ipm_cone_violation", 1000, 20, 250, 1.0, 1e-6, CR_CONVEX_AUTO, 2},
        {"ipm_cone_violation", 1000, 20, 250, 1.0, 1e-7, CR_CONVEX_AUTO, 2},
        {"ipm_cone_violation", 1000, 20, 250, 1.0, 1e-6, CR_CONVEX_IPM, 2},
        {"auto_ssnal_slow", 1000, 20, 50, 1.0, 1e-6, CR_CONVEX_AUTO, 1},
        {"auto_exact_many_patterns", 25, 3, 0, 0.01, 1e-8, CR_CONVEX_AUTO, 1},
        {"auto_exact_many_patterns", 25, 3, 0, 1.0, 1e-8, CR_CONVEX_AUTO, 1},
        {"auto_pd_above_4n", 200, 8, 200, 1.0, 1e-6, CR_CONVEX_AUTO, 1},
        {"ipm_loose_tol", 200, 10, 50, 1.0, 1e-2, CR_CONVEX_IPM, 1},
        {"ipm_loose_tol", 200, 10, 50, 1.0, 1e-4, CR_CONVEX_IPM, 1},
        {"ipm_loose_tol", 200, 10, 50, 1.0, 1e-6, CR_CONVEX_IPM, 1},
        {"ipm_loose_tol", 200, 10, 50, 1.0, 1e-8, CR_CONVEX_IPM, 1},
    };
    bench_out csv_out;
    FILE *csv = bench_out_open(&csv_out, "bench_convex", out, "bench_convex_robust.csv");
    if (!csv) return 1;
    fprintf(csv, "instance,seed,n,d,samples,beta,tol,method,p,seconds,cpu_seconds,primal,rel_gap,status,method_used,"
                 "newton,peak_rss_mb,error\n");
    printf("%-26s %5s %3s %5s %5s %6s %6s %5s %9s %9s %10s %11s %6s %7s %8s\n", "instance", "n", "d", "samp", "beta",
           "tol", "method", "p", "wall_s", "cpu_s", "rel_gap", "status", "used", "newton", "rss_MB");
    int failed = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const robust_case *R = &cases[c];
        int fds[2];
        if (pipe(fds) != 0) return 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            close(fds[0]);
            _exit(robust_row(R, fds[1]));
        }
        close(fds[1]);
        char line[1024] = "";
        size_t len = 0;
        ssize_t k;
        while (len + 1 < sizeof line && (k = read(fds[0], line + len, sizeof line - 1 - len)) > 0) len += (size_t)k;
        line[len] = 0;
        close(fds[0]);
        int wst;
        waitpid(pid, &wst, 0);
        if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) failed = 1;
        if (!len) snprintf(line, sizeof line, ",,,,,,,,,child ended without a row\n");
        fprintf(csv, "%s,%ld,%zu,%zu,%zu,%.17g,%.17g,%s,%s", R->what, R->seed, R->n, R->d, R->samples, R->beta, R->tol,
                cr_convex_method_name(R->method), line);
        size_t p;
        double wall, cpu, primal, gap, rss;
        char stat[32] = "?", used[16] = "?";
        long newton;
        if (sscanf(line, "%zu,%lf,%lf,%lf,%lf,%31[^,],%15[^,],%ld,%lf", &p, &wall, &cpu, &primal, &gap, stat, used,
                   &newton, &rss) == 9)
            printf("%-26s %5zu %3zu %5zu %5g %6g %6s %5zu %9.3f %9.3f %10.2e %11s %6s %7ld %8.1f\n", R->what, R->n,
                   R->d, R->samples, R->beta, R->tol, cr_convex_method_name(R->method), p, wall, cpu, gap, stat, used,
                   newton, rss);
        else
            printf("%-26s %5zu %3zu: %s", R->what, R->n, R->d, line);
        fflush(stdout);
    }
    if (bench_out_commit(&csv_out) != 0 || bench_write_machine(out, "bench_convex_robust", load_start) != 0) return 1;
    return failed;
}

int main(int argc, char **argv)
{
    int status;
    const char *out = bench_start(argc, argv, "bench_convex", &status);
    if (!out) return status;
    openblas_set_num_threads(1);
    const double load_start = bench_loadavg();
    const char *only = getenv("CR_BENCH_ROWS");
    if (only && strcmp(only, "robust") == 0) return robust_rows(out, load_start);
    const bench_case cases[] = {
        {20, 2, 0, 1}, {40, 2, 0, 1}, {80, 2, 0, 1}, {15, 3, 0, 1}, {25, 3, 0, 1}, {1000, 20, 500, 0},
    };
    const size_t ncase = sizeof cases / sizeof cases[0];
    const double beta = 0.1;
    bench_out csv_out;
    FILE *csv = bench_out_open(&csv_out, "bench_convex", out, "bench_convex.csv");
    if (!csv) return 1;
    fprintf(csv, "n,d,p,ours_seconds,cvxopt_seconds,ratio,ours_obj,cvxopt_obj,ours_rel_gap,ours_status,ours_newton,"
                 "cvxopt_capped,ours_method,peak_rss_mb,tol\n");
    printf("%6s %4s %6s %12s %12s %10s %20s %20s %10s %6s %8s\n", "n", "d", "p", "ours_s", "cvxopt_s", "ratio",
           "ours_obj", "cvxopt_obj", "rel_gap", "method", "rss_MB");
    int failed = 0;
    for (size_t c = 0; c < ncase; c++) {
        const bench_case *B = &cases[c];
        size_t n = B->n, d = B->d;
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 20220425 + c);
        double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
        for (size_t t = 0; t < n * d; t++) X[t] = gsl_ran_gaussian(r, 1.0);
        if (B->samples) {
            /* the sampled regime uses labels of a planted network (5 neurons, noise 0.1), as the project's
             * Gaussian data sets do: y = sum_j (x'w_j)_+ a_j + 0.1 N(0,1), w_j ~ N(0, I/d), a_j = +-1 */
            if (bench_planted_labels(r, X, n, d, y) != 0) {
                fprintf(stderr, "bench_convex: out of memory\n");
                return 1;
            }
        } else {
            for (size_t k = 0; k < n; k++) y[k] = gsl_ran_gaussian(r, 1.0);
        }
        cr_patterns *P = NULL;
        cr_err e;
        int st = B->samples ? cr_patterns_sample(X, n, d, B->samples * 4, r, &P, &e)
                            : cr_patterns_enumerate(X, n, d, &P, &e);
        if (st == CR_OK && B->samples && P->p > B->samples) {
            /* the first `samples` distinct patterns of the canonical order */
            cr_patterns *Q = cr_patterns_alloc(n, B->samples);
            for (size_t i = 0; Q && st == CR_OK && i < B->samples; i++)
                st = cr_patterns_add(Q, cr_patterns_mask(P, i), &e);
            cr_patterns_free(P);
            P = Q;
        }
        if (st != CR_OK) {
            fprintf(stderr, "bench_convex: patterns: %s\n", e.msg);
            return 1;
        }
        size_t p = P->p;
        cr_convex_work *w = cr_convex_alloc(n, d, p);
        cr_convex_sol *sol = cr_convex_sol_alloc(p, d);
        cr_convex_opts o;
        cr_convex_opts_default(&o);
        o.tol = TOL;
        o.max_seconds = OURCAP;
        cr_convex_info info;
        double best = INFINITY, t_total = 0;
        for (int rep = 0; rep < (B->samples ? 1 : 20) && (rep < 3 || t_total < 0.5); rep++) {
            double t0 = bench_wall();
            st = cr_convex_solve(w, X, y, n, d, P, CR_LOSS_SQUARED, beta, &o, sol, &info, &e);
            double dt = bench_wall() - t0;
            t_total += dt;
            if (dt < best) best = dt;
            if (st != CR_OK || info.status != CR_CONVEX_CONVERGED) {
                fprintf(stderr, "bench_convex: (%zu, %zu): %s (%s, relative gap %.3g after %.1f s)\n", n, d,
                        st ? e.msg : "not converged", cr_convex_status_name(info.status), info.rel_gap, dt);
                failed |= st != CR_OK;
                break;
            }
        }
        double csec = NAN, cobj = NAN;
        int capped = 0;
        if (B->run_cvxopt) {
            char inst[1024];
            snprintf(inst, sizeof inst, "%s/bench_convex_%zu_%zu.instance", out, n, d);
            if (write_instance(inst, X, y, n, d, P, beta) != 0 || run_cvxopt(inst, &csec, &cobj, &capped) != 0) {
                fprintf(stderr, "bench_convex: cvxopt failed on (%zu, %zu)\n", n, d);
                csec = NAN;
            }
            remove(inst);
        }
        double ratio = csec / best;
        struct rusage ru;
        double rss = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : NAN;
        const char *meth = info.method == CR_CONVEX_IPM     ? "ipm"
                           : info.method == CR_CONVEX_SSNAL ? "ssnal"
                                                            : "fista";
        printf("%6zu %4zu %6zu %12.6f %11.4f%s %10.1f %20.12g %20.12g %10.2e %6s %8.1f\n", n, d, p, best, csec,
               capped ? "*" : " ", ratio, info.primal, cobj, info.rel_gap, meth, rss);
        fprintf(csv, "%zu,%zu,%zu,%.17g,", n, d, p, best);
        if (isfinite(csec)) fprintf(csv, "%.17g,%.17g,", csec, ratio);
        else fprintf(csv, ",,");
        fprintf(csv, "%.17g,", info.primal);
        if (isfinite(cobj)) fprintf(csv, "%.17g,", cobj);
        else fprintf(csv, ",");
        fprintf(csv, "%.17g,%s,%ld,%d,%s,%.1f,%.17g\n", info.rel_gap, cr_convex_status_name(info.status), info.newton,
                capped, meth, rss, TOL);
        fflush(stdout);
        cr_convex_sol_free(sol);
        cr_convex_free(w);
        cr_patterns_free(P);
        free(X);
        free(y);
        gsl_rng_free(r);
    }
    printf("(* cvxopt stopped at the %g s cap: its time is a lower bound, the ratio too)\n", CAP);
    if (bench_out_commit(&csv_out) != 0 || bench_write_machine(out, "bench_convex", load_start) != 0) return 1;
    return robust_rows(out, bench_loadavg()) | failed;
}
