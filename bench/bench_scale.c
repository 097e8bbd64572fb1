/* Benchmark of the convex solver at large n (issue 13, Scale): the matrix-free method ssnal_cg (convex.h) to a
 * certified relative gap of 1e-6, squared loss, one BLAS thread, on
 *  - planted-network data as bench_convex.c makes it (Gaussian X, y = a 5-neuron ReLU network plus noise 0.1),
 *    beta = 0.1, p = Gaussian directions sampled (deduplicated patterns): (n, d, p) = (2000, 20, 200) and
 *    (5000, 50, 1000);
 *  - two Fashion-MNIST classes (T-shirt/top -1, shirt +1: the 12,000 training images of Debian's
 *    dataset-fashion-mnist), pixels / 255 projected to 64 dimensions by a seeded Gaussian matrix
 *    (entries N(0, 1/64)), 1000 sampled directions, beta = 1 (skipped when the data set is not installed).
 * Each row runs in a child process so that its peak resident memory (getrusage of the child) is its own;
 * seconds is the wall clock of the solve alone, cpu_seconds its process CPU time (the same on a quiet
 * machine). Targets of the issue: (5000, 50, 1000) under 60 s; n = 12,000 under
 * 5 min; peak memory under 4 GB; certified relative gap 1e-6: each row carries its own in the columns
 * target_seconds (empty: no time target), target_rel_gap and target_peak_rss_mb (4e9 bytes in MiB).
 * Usage: bench_scale OUTDIR [ROW...]   writes OUTDIR/bench_scale.csv (temporary file + rename) and the machine it
 * ran on (bench_scale_machine.csv, benchutil.h), prints a table;
 * ROW (0, 1, 2) selects rows (default all); CR_BENCH_VERBOSE=1 prints the solver's iteration log on stderr;
 * CR_BENCH_METHOD=NAME (auto, fista, ssnal, ipm) solves by another method for comparison;
 * CR_BENCH_MAX_SECONDS=S stops each solve after S seconds (default 900) with the gap it certified. */
#include <math.h>
#include <stdint.h>
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
#include "patterns.h"

#define TOL 1e-6
#define CAP 900.0 /* seconds per solve: a row that has not converged by then reports the gap it certified */
#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct {
    size_t n, d, samples;
    int fmnist; /* 0: planted Gaussian data */
    double beta;
    double target_seconds; /* the time target for the row, NaN: none */
} bench_case;

/* The memory target, 4 GB (4e9 bytes), in the MiB that peak_rss_mb counts (getrusage's KiB / 1024). */
#define TARGET_RSS_MB (4e9 / 1048576.0)

/* The planted-network instance of bench_convex.c. */
static int planted(gsl_rng *r, size_t n, size_t d, double *X, double *y)
{
    for (size_t t = 0; t < n * d; t++) X[t] = gsl_ran_gaussian(r, 1.0);
    return bench_planted_labels(r, X, n, d, y);
}

/* Reads an IDX file (gzip, through `gzip -dc`) of `count` items of `item` bytes after a header of `hdr` bytes.
 * NULL on failure. */
static unsigned char *idx_read(const char *path, size_t hdr, size_t count, size_t item)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    if (!f) return NULL;
    unsigned char h[16];
    unsigned char *buf = malloc(count * item);
    int ok = buf && fread(h, 1, hdr, f) == hdr && fread(buf, 1, count * item, f) == count * item;
    ok &= pclose(f) == 0;
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Classes 0 (-1) and 6 (+1) of the 60,000 training images, pixels / 255 times a Gaussian d x 784 projection.
 * Returns the number of rows (12,000), 0 on failure. */
static size_t fmnist(gsl_rng *r, size_t d, double **Xo, double **yo)
{
    const size_t N = 60000, D = 784;
    unsigned char *img = idx_read(FMNIST_DIR "/train-images-idx3-ubyte.gz", 16, N, D);
    unsigned char *lab = idx_read(FMNIST_DIR "/train-labels-idx1-ubyte.gz", 8, N, 1);
    size_t n = 0;
    if (img && lab) {
        double *G = malloc(D * d * sizeof *G);
        for (size_t t = 0; t < D * d; t++) G[t] = gsl_ran_gaussian(r, 1.0 / sqrt((double)d));
        for (size_t k = 0; k < N; k++) n += lab[k] == 0 || lab[k] == 6;
        double *X = calloc(n * d, sizeof *X), *y = malloc(n * sizeof *y);
        size_t row = 0;
        for (size_t k = 0; k < N; k++) {
            if (lab[k] != 0 && lab[k] != 6) continue;
            y[row] = lab[k] == 6 ? 1.0 : -1.0;
            for (size_t c = 0; c < D; c++) {
                double px = img[k * D + c] / 255.0;
                if (px == 0) continue;
                for (size_t a = 0; a < d; a++) X[row * d + a] += px * G[c * d + a];
            }
            row++;
        }
        free(G);
        *Xo = X, *yo = y;
    }
    free(img);
    free(lab);
    return n;
}

static void log_line(const cr_convex_progress *pr, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "  %-8s it %4ld newton %5ld cg %6ld  primal %.12g  dual %.12g  rel_gap %.3e  active %zu  "
                    "sigma %.2e  %.1f s\n",
            pr->method, pr->iteration, pr->newton, pr->products, pr->primal, pr->dual, pr->rel_gap, pr->active,
            pr->sigma, pr->seconds);
}

typedef struct {
    double seconds, cpu, primal, rel_gap;
    long iterations, newton;
    size_t n, d, p, nnz;
    int status, method, ok;
} row_result;

/* One row in this process (the child): data, patterns, solve. */
static row_result run_row(const bench_case *B, unsigned long seed)
{
    row_result res = {0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    size_t n = B->n, d = B->d;
    double *X = NULL, *y = NULL;
    if (B->fmnist) {
        n = fmnist(r, d, &X, &y);
        if (n == 0) {
            gsl_rng_free(r);
            return res;
        }
    } else {
        X = malloc(n * d * sizeof *X), y = malloc(n * sizeof *y);
        if (!X || !y || planted(r, n, d, X, y) != 0) {
            fprintf(stderr, "bench_scale: out of memory at n = %zu\n", n);
            return res;
        }
    }
    cr_patterns *P = NULL;
    cr_err e;
    if (cr_patterns_sample(X, n, d, B->samples, r, &P, &e) != CR_OK) {
        fprintf(stderr, "bench_scale: patterns: %s\n", e.msg);
        return res;
    }
    size_t p = P->p;
    cr_convex_work *w = cr_convex_alloc(n, d, p);
    cr_convex_sol *sol = cr_convex_sol_alloc(p, d);
    if (!w || !sol) {
        fprintf(stderr, "bench_scale: out of memory at n = %zu, p = %zu\n", n, p);
        return res;
    }
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.tol = TOL;
    o.max_seconds = CAP;
    const char *cap = getenv("CR_BENCH_MAX_SECONDS"); /* a shorter limit per solve */
    if (cap && atof(cap) > 0) o.max_seconds = atof(cap);
    o.method = CR_CONVEX_SSNAL_CG;
    const char *me = getenv("CR_BENCH_METHOD"); /* another method for comparison: auto, fista, ssnal, ipm */
    for (int m = 0; me && m <= CR_CONVEX_SSNAL_CG; m++)
        if (strcmp(me, cr_convex_method_name((cr_convex_method)m)) == 0) o.method = (cr_convex_method)m;
    const char *vb = getenv("CR_BENCH_VERBOSE");
    if (vb && *vb == '1') o.log = log_line;
    cr_convex_info info;
    double t0 = bench_wall(), c0 = bench_cpu();
    int st = cr_convex_solve(w, X, y, n, d, P, CR_LOSS_SQUARED, B->beta, &o, sol, &info, &e);
    res.seconds = bench_wall() - t0;
    res.cpu = bench_cpu() - c0;
    if (st != CR_OK) fprintf(stderr, "bench_scale: (%zu, %zu, %zu): %s\n", n, d, p, e.msg);
    res.ok = st == CR_OK;
    res.primal = info.primal, res.rel_gap = info.rel_gap, res.iterations = info.iterations;
    res.newton = info.newton, res.n = n, res.d = d, res.p = p, res.nnz = info.nnz;
    res.status = (int)info.status, res.method = (int)info.method;
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    cr_patterns_free(P);
    free(X);
    free(y);
    gsl_rng_free(r);
    return res;
}

int main(int argc, char **argv)
{
    int status;
    const char *out = bench_start(argc > 2 ? 2 : argc, argv, "bench_scale", &status);
    if (!out) return status;
    openblas_set_num_threads(1);
    const double load_start = bench_loadavg();
    const bench_case cases[] = {
        {2000, 20, 200, 0, 0.1, NAN},
        {5000, 50, 1000, 0, 0.1, 60.0},
        {12000, 64, 1000, 1, 1.0, 300.0},
    };
    const size_t ncase = sizeof cases / sizeof cases[0];
    int want[sizeof cases / sizeof cases[0]];
    for (size_t c = 0; c < ncase; c++) want[c] = argc <= 2;
    for (int a = 2; a < argc; a++) {
        char *end;
        unsigned long c = strtoul(argv[a], &end, 10);
        if (*end || c >= ncase) {
            fprintf(stderr, "bench_scale: ROW must be 0..%zu, got '%s'\n", ncase - 1, argv[a]);
            return 2;
        }
        want[c] = 1;
    }
    bench_out csv_out;
    FILE *csv = bench_out_open(&csv_out, "bench_scale", out, "bench_scale.csv");
    if (!csv) return 1;
    fprintf(csv,
            "data,n,d,p,beta,seconds,cpu_seconds,primal,rel_gap,status,method,iterations,newton,nnz,peak_rss_mb,"
            "target_seconds,target_rel_gap,target_peak_rss_mb\n");
    printf("%8s %6s %4s %5s %10s %10s %20s %10s %10s %9s %6s %6s %9s\n", "data", "n", "d", "p", "seconds", "cpu_s",
           "primal", "rel_gap", "status", "method", "newton", "nnz", "rss_MB");
    fflush(stdout);
    int failed = 0;
    for (size_t c = 0; c < ncase; c++) {
        if (!want[c]) continue;
        int fd[2];
        if (pipe(fd) != 0) return 1;
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            close(fd[0]);
            row_result res = run_row(&cases[c], 20260425 + c);
            ssize_t wr = write(fd[1], &res, sizeof res);
            _exit(wr == (ssize_t)sizeof res ? 0 : 1);
        }
        close(fd[1]);
        row_result res = {0};
        ssize_t rd = read(fd[0], &res, sizeof res);
        close(fd[0]);
        int wst;
        struct rusage ru;
        double rss = wait4(pid, &wst, 0, &ru) == pid ? (double)ru.ru_maxrss / 1024.0 : NAN;
        const char *data = cases[c].fmnist ? "fmnist" : "planted";
        if (rd != (ssize_t)sizeof res || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0 || res.n == 0) {
            fprintf(stderr, "bench_scale: row %zu (%s) produced no result\n", c, data);
            if (cases[c].fmnist && res.n == 0 && rd == (ssize_t)sizeof res) continue; /* data set missing */
            failed = 1;
            continue;
        }
        const char *st = cr_convex_status_name((cr_convex_status)res.status);
        const char *meth = cr_convex_method_name((cr_convex_method)res.method);
        printf("%8s %6zu %4zu %5zu %10.2f %10.2f %20.12g %10.2e %10s %9s %6ld %6zu %9.1f\n", data, res.n, res.d, res.p,
               res.seconds, res.cpu, res.primal, res.rel_gap, st, meth, res.newton, res.nnz, rss);
        fflush(stdout);
        fprintf(csv, "%s,%zu,%zu,%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%s,%s,%ld,%ld,%zu,%.1f,", data, res.n, res.d, res.p,
                cases[c].beta, res.seconds, res.cpu, res.primal, res.rel_gap, st, meth, res.iterations, res.newton,
                res.nnz, rss);
        if (isfinite(cases[c].target_seconds)) fprintf(csv, "%.17g", cases[c].target_seconds);
        fprintf(csv, ",%.17g,%.17g\n", TOL, TARGET_RSS_MB);
        failed |= !res.ok;
    }
    if (bench_out_commit(&csv_out) != 0 || bench_write_machine(out, "bench_scale", load_start) != 0) return 1;
    return failed;
}
