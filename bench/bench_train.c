/* Benchmark (not a test): full-batch gradient-descent steps per second of the trainer on the two-layer ReLU
 * network, squared loss, float64, at 1 and 2 OpenBLAS threads, against PyTorch on the CPU (bench/torch_train.py
 * through /usr/bin/python3, skipped with a message when torch is missing). Writes OUTDIR/bench_train.csv
 * (temporary name, then rename) and prints a table.  Usage: bench_train OUTDIR */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "train.h"

/* From OpenBLAS (cblas.h is kept out of this GSL-using file). */
void openblas_set_num_threads(int num_threads);

#define TARGET_SECONDS 2.0 /* timed work per measurement */
#define REPEATS 3          /* best of */
#define TORCH_SECONDS 1.5  /* per timed torch loop (best of 3 in the script) */

typedef struct {
    size_t n, d, m;
} shape;

typedef struct {
    double steps_per_sec; /* NaN: not measured */
    long iters;
    char note[160];
} result;

/* Our trainer: best of REPEATS runs of iters updates (each run also evaluates the final iterate, counted against
 * us). iters is calibrated once so that a run takes about TARGET_SECONDS. */
static result bench_ours(shape s, int threads)
{
    result res = { NAN, 0, "" };
    openblas_set_num_threads(threads);
    gsl_rng *rd = gsl_rng_alloc(gsl_rng_mt19937), *ri = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rd, 1);
    gsl_rng_set(ri, 2);
    double *X = malloc(s.n * s.d * sizeof *X), *y = malloc(s.n * sizeof *y);
    cr_net *net = cr_net_alloc(s.d, s.m), *net0 = cr_net_alloc(s.d, s.m);
    cr_train_work *w = cr_train_work_alloc(s.n, s.d, s.m, 0);
    if (!X || !y || !net || !net0 || !w) {
        snprintf(res.note, sizeof res.note, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < s.n * s.d; k++) X[k] = gsl_ran_gaussian(rd, 1.0);
    for (size_t i = 0; i < s.n; i++) y[i] = gsl_ran_gaussian(rd, 1.0);
    cr_train_init(net0, CR_INIT_GAUSSIAN, 1.0 / sqrt((double)s.d), ri, NULL);

    cr_train_opts o;
    cr_train_defaults(&o);
    o.loss = CR_LOSS_SQUARED;
    o.beta = 1e-3;
    o.lr = 1e-7;
    o.log_every = 1000000;
    cr_train_info info;
    cr_err e;

    /* Warm-up and calibration. */
    o.iters = 3;
    cr_net_copy(net, net0);
    if (cr_train_run(w, net, X, y, s.n, &o, NULL, &info, &e)) {
        snprintf(res.note, sizeof res.note, "%.150s", e.msg);
        goto done;
    }
    double per = info.seconds / 4.0;
    o.iters = (long)fmax(5.0, TARGET_SECONDS / fmax(per, 1e-7));
    double best = INFINITY;
    for (int r = 0; r < REPEATS; r++) {
        cr_net_copy(net, net0);
        if (cr_train_run(w, net, X, y, s.n, &o, NULL, &info, &e)) {
            snprintf(res.note, sizeof res.note, "%.150s", e.msg);
            goto done;
        }
        best = fmin(best, info.seconds);
    }
    res.steps_per_sec = (double)o.iters / best;
    res.iters = o.iters;
    snprintf(res.note, sizeof res.note, "block %zu rows; %s kernels", cr_net_work_block(cr_train_work_net(w)),
             cr_net_work_vector(cr_train_work_net(w)) ? "avx2" : "scalar");
done:
    cr_train_work_free(w);
    cr_net_free(net);
    cr_net_free(net0);
    free(X);
    free(y);
    gsl_rng_free(rd);
    gsl_rng_free(ri);
    return res;
}

/* bench/torch_train.py next to this program's source: from the working folder (make bench runs from the source
 * root) or from argv[0] (build/bench/bench_train -> ../../bench/). */
static int find_script(const char *argv0, char *out, size_t len)
{
    snprintf(out, len, "bench/torch_train.py");
    if (access(out, R_OK) == 0) return 0;
    const char *slash = strrchr(argv0, '/');
    if (slash) {
        snprintf(out, len, "%.*s/../../bench/torch_train.py", (int)(slash - argv0), argv0);
        if (access(out, R_OK) == 0) return 0;
    }
    return -1;
}

/* Notes go into one CSV field: no commas or quotes. */
static void csv_safe(char *s)
{
    for (; *s; s++)
        if (*s == ',' || *s == '"' || *s == '\n') *s = ';';
}

/* PyTorch through the script; tuned adds the environment that gives it its best showing on this kind of machine:
 * glibc malloc without mmap and without trimming (else every 40 MB tensor is a fresh mapping whose page faults
 * dominate: 700k minor faults for 20 steps at 5000 x 50 x 1000), and passive OpenMP waiting (else OpenMP and
 * OpenBLAS threads spin against each other on two cores). Both go to the child process only. */
static result bench_torch(const char *script, shape s, int threads, int tuned)
{
    result res = { NAN, 0, "" };
    if (!script) {
        snprintf(res.note, sizeof res.note, "skipped: bench/torch_train.py not found");
        return res;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%sOMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=%d MKL_NUM_THREADS=%d /usr/bin/python3 '%s' %zu %zu %zu %d %g "
             "2>&1",
             tuned ? "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE " : "", threads,
             threads, threads, script, s.n, s.d, s.m, threads, TORCH_SECONDS);
    FILE *p = popen(cmd, "r");
    if (!p) {
        snprintf(res.note, sizeof res.note, "skipped: cannot run /usr/bin/python3");
        return res;
    }
    char line[512] = "", last[512] = "";
    while (fgets(line, sizeof line, p)) memcpy(last, line, sizeof last);
    int st = pclose(p);
    last[strcspn(last, "\n")] = 0;
    double sps, sec;
    long it;
    if (st == 0 && sscanf(last, "%lf %lf %ld", &sps, &sec, &it) == 3) {
        res.steps_per_sec = sps;
        res.iters = it;
        if (tuned) snprintf(res.note, sizeof res.note, "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1e11 OMP_WAIT_POLICY=PASSIVE");
    } else {
        snprintf(res.note, sizeof res.note, "skipped: %.140s", last[0] ? last : "torch_train.py failed");
    }
    return res;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_train: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    char script[1024];
    const int have_script = find_script(argv[0], script, sizeof script) == 0;

    const shape shapes[] = { { 1000, 20, 200 }, { 5000, 50, 1000 } };
    const int threads[] = { 1, 2 };
    enum { NS = 2, NT = 2, NI = 3 };
    const char *impl[NI] = { "cvxrelu", "torch", "torch-tuned" };
    result res[NS][NT][NI];
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT; b++) {
            res[a][b][0] = bench_ours(shapes[a], threads[b]);
            for (int k = 1; k < NI; k++) res[a][b][k] = bench_torch(have_script ? script : NULL, shapes[a], threads[b], k == 2);
            fprintf(stderr, ".");
        }
    fprintf(stderr, "\n");

    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/bench_train.csv", outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "bench_train: cannot write %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    fprintf(f, "impl,loss,n,d,m,threads,steps_per_sec,iters,note\n");
    printf("full-batch GD steps per second, squared loss, float64 (higher is better)\n");
    printf("%6s %4s %5s %7s %12s %12s %12s %18s\n", "n", "d", "m", "threads", "cvxrelu", "torch", "torch-tuned",
           "cvxrelu/best torch");
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT; b++) {
            const shape s = shapes[a];
            double best = NAN;
            for (int k = 0; k < NI; k++) {
                csv_safe(res[a][b][k].note);
                fprintf(f, "%s,squared,%zu,%zu,%zu,%d,%.17g,%ld,%s\n", impl[k], s.n, s.d, s.m, threads[b],
                        res[a][b][k].steps_per_sec, res[a][b][k].iters, res[a][b][k].note);
                if (k > 0 && isfinite(res[a][b][k].steps_per_sec) && !(res[a][b][k].steps_per_sec <= best))
                    best = res[a][b][k].steps_per_sec;
            }
            printf("%6zu %4zu %5zu %7d %12.1f %12.1f %12.1f %17.2fx\n", s.n, s.d, s.m, threads[b],
                   res[a][b][0].steps_per_sec, res[a][b][1].steps_per_sec, res[a][b][2].steps_per_sec,
                   res[a][b][0].steps_per_sec / best);
        }
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT; b++)
            for (int k = 0; k < NI; k++)
                if (res[a][b][k].note[0])
                    printf("note: %s %zu x %zu x %zu, %d thread%s: %s\n", impl[k], shapes[a].n, shapes[a].d,
                           shapes[a].m, threads[b], threads[b] > 1 ? "s" : "", res[a][b][k].note);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "bench_train: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}
