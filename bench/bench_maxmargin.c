/* Benchmark (not a test): time to a certified relative gap of 1e-6 for the convex max-margin program P* over the
 * exact pattern set, on orthogonally separable data (n, d) = (12, 3), (30, 3), (60, 2): src/maxmargin.c against
 * cvxopt's conelp (tests/oracle/maxmargin.py, KKT solver "chol", the faster of its built-in ones here; both at
 * one BLAS thread). Wall and CPU seconds (the machine may be shared: CPU time is the steadier measure); ours is
 * the best of 5 runs without the polish, cvxopt's one run of conelp alone (no Python start-up, no model build).
 * A cvxopt run longer than CR_BENCH_CVXOPT_TIMEOUT seconds (default 1200) is stopped and its time reported as
 * a lower bound. Writes OUTDIR/bench_maxmargin.csv (temporary name, then rename) and prints a table.
 * Usage (from the source root, as make bench runs it): bench_maxmargin OUTDIR */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "benchutil.h"
#include "data.h"
#include "maxmargin.h"
#include "patterns.h"

#define ORACLE "tests/oracle/maxmargin.py"
#define REPEATS 5

typedef struct {
    size_t n, d, p;
    double pstar, rel_gap, sec, cpu;
    long iters;
    double cvx_pstar, cvx_sec, cvx_cpu;
    char cvx_status[64];
} row;

static int write_instance(const char *path, const cr_data *D, const cr_patterns *P)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "%zu %zu %zu\n", D->n, D->d, P->p);
    bench_write_rows(f, D->X, D->n, D->d);
    for (size_t i = 0; i < D->n; i++) fprintf(f, "%g ", D->y[i]);
    fprintf(f, "\n");
    if (bench_write_patterns(f, P) != 0) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

/* One line of the oracle's report: the P* solve (its SVM is off). */
static void cvxopt_line(void *ctx, const char *line)
{
    row *r = ctx;
    size_t k;
    double vs, vp, sec, acc, cpu;
    char ss[64], sp[64];
    if (sscanf(line, "instance %zu svm %lf svm_status %63s pstar %lf pstar_status %63s seconds %lf accuracy %lf cpu %lf",
               &k, &vs, ss, &vp, sp, &sec, &acc, &cpu) == 8) {
        r->cvx_pstar = vp;
        r->cvx_sec = sec;
        r->cvx_cpu = cpu;
        snprintf(r->cvx_status, sizeof r->cvx_status, "%s", sp);
    }
}

/* Runs the oracle on one instance file; fills pstar, seconds, cpu and status ("timeout", "skipped", "failed(ST)"). */
static void run_cvxopt(const char *path, double timeout, row *r)
{
    r->cvx_pstar = r->cvx_sec = r->cvx_cpu = NAN;
    if (access(ORACLE, R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0) {
        snprintf(r->cvx_status, sizeof r->cvx_status, "skipped");
        return;
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "timeout %.0f env OPENBLAS_NUM_THREADS=1 /usr/bin/python3 %s --no-svm --tol 1e-6 '%s' 2>/dev/null",
             timeout, ORACLE, path);
    r->cvx_status[0] = 0;
    double t0 = bench_wall();
    int st = bench_run_lines(cmd, cvxopt_line, r);
    if (st == -1) {
        snprintf(r->cvx_status, sizeof r->cvx_status, "skipped");
        return;
    }
    if (!r->cvx_status[0]) {
        double el = bench_wall() - t0;
        if (el >= timeout - 1) {
            r->cvx_sec = timeout;
            snprintf(r->cvx_status, sizeof r->cvx_status, "timeout");
        } else {
            snprintf(r->cvx_status, sizeof r->cvx_status, "failed(%d)", st);
        }
    }
}

int main(int argc, char **argv)
{
    int status;
    const char *outdir = bench_start(argc, argv, "bench_maxmargin", &status);
    if (!outdir) return status;
    openblas_set_num_threads(1);
    const char *te = getenv("CR_BENCH_CVXOPT_TIMEOUT");
    double timeout = te && *te ? atof(te) : 1200.0;
    if (!(timeout > 0)) timeout = 1200.0;
    const struct { size_t n, d; } cases[] = {{12, 3}, {30, 3}, {60, 2}};
    const size_t ncases = sizeof cases / sizeof cases[0];
    row rows[3];

    printf("%4s %2s %5s %14s %10s %10s %5s | %14s %10s %10s %9s | %9s %9s\n", "n", "d", "p", "P*", "sec", "cpu",
           "iter", "P* cvxopt", "sec", "cpu", "status", "speedup", "cpu-ratio");
    for (size_t c = 0; c < ncases; c++) {
        row *r = &rows[c];
        memset(r, 0, sizeof *r);
        r->n = cases[c].n;
        r->d = cases[c].d;
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        cr_data *D = NULL;
        cr_patterns *P = NULL;
        cr_err e;
        gsl_rng_set(g, 2022 + c);
        if (!g || cr_data_orthsep(r->n, r->d, 20, 150, g, &D, &e) != CR_OK ||
            cr_patterns_enumerate(D->X, r->n, r->d, &P, &e) != CR_OK) {
            fprintf(stderr, "bench_maxmargin: %s\n", e.msg);
            return 1;
        }
        gsl_rng_free(g);
        r->p = P->p;
        cr_mm_work *w = cr_mm_alloc(r->n, r->d, P->p);
        double *U = malloc(P->p * r->d * sizeof *U), *Up = malloc(P->p * r->d * sizeof *Up);
        if (!w || !U || !Up) {
            fprintf(stderr, "bench_maxmargin: out of memory\n");
            return 1;
        }
        cr_mm_opts o;
        cr_mm_opts_default(&o);
        o.tol = 1e-6;
        o.polish = 0;
        r->sec = r->cpu = INFINITY;
        for (int rep = 0; rep < REPEATS; rep++) {
            cr_mm_info info;
            double t0 = bench_wall(), c0 = bench_cpu();
            if (cr_mm_solve(w, D->X, D->y, r->n, r->d, P, &o, U, Up, NULL, &info, &e) != CR_OK ||
                info.status != CR_MM_CONVERGED) {
                fprintf(stderr, "bench_maxmargin: n = %zu, d = %zu: %s (%s)\n", r->n, r->d, e.msg,
                        cr_mm_status_name(info.status));
                return 1;
            }
            double t = bench_wall() - t0, tc = bench_cpu() - c0;
            if (t < r->sec) r->sec = t;
            if (tc < r->cpu) r->cpu = tc;
            r->pstar = info.primal;
            r->rel_gap = info.rel_gap;
            r->iters = info.iterations;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_maxmargin_n%zu_d%zu.txt", outdir, r->n, r->d);
        if (write_instance(path, D, P) != 0) {
            fprintf(stderr, "bench_maxmargin: %s: %s\n", path, strerror(errno));
            return 1;
        }
        run_cvxopt(path, timeout, r);
        remove(path);
        double speed = r->cvx_sec / r->sec, cpur = r->cvx_cpu / r->cpu;
        printf("%4zu %2zu %5zu %14.10f %10.4f %10.4f %5ld | %14.10f %10.3f %10.3f %9s | %8.0fx %8.0fx\n", r->n, r->d,
               r->p, r->pstar, r->sec, r->cpu, r->iters, r->cvx_pstar, r->cvx_sec, r->cvx_cpu, r->cvx_status, speed,
               cpur);
        fflush(stdout);
        free(U);
        free(Up);
        cr_mm_free(w);
        cr_patterns_free(P);
        cr_data_free(D);
    }

    bench_out out;
    FILE *f = bench_out_open(&out, "bench_maxmargin", outdir, "bench_maxmargin.csv");
    if (!f) return 1;
    fprintf(f, "n,d,p,pstar,rel_gap,seconds,cpu_seconds,iterations,cvxopt_pstar,cvxopt_status,cvxopt_seconds,"
               "cvxopt_cpu_seconds,speedup,cpu_speedup\n");
    for (size_t c = 0; c < ncases; c++) {
        const row *r = &rows[c];
        fprintf(f, "%zu,%zu,%zu,%.17g,%.17g,%.17g,%.17g,%ld,%.17g,%s,%.17g,%.17g,%.17g,%.17g\n", r->n, r->d, r->p,
                r->pstar, r->rel_gap, r->sec, r->cpu, r->iters, r->cvx_pstar, r->cvx_status, r->cvx_sec, r->cvx_cpu,
                r->cvx_sec / r->sec, r->cvx_cpu / r->cpu);
    }
    if (bench_out_commit(&out) != 0) return 1;
    printf("wrote %s\n", out.path);
    return 0;
}
