/* Benchmark (not a test): full-batch gradient-descent steps per second of the trainer on the two-layer ReLU
 * network, float64, at 1 and 2 OpenBLAS threads, for two models, against PyTorch on the CPU (bench/torch_train.py
 * through /usr/bin/python3, skipped with a message when torch is missing):
 *   squared   1/2 ||f - y||^2 + beta/2 ||theta||^2, beta 1e-3, Gaussian y and init, lr 1e-7;
 *   logistic  sum_i log(1 + exp(-y_i f_i)), beta 0, y = +-1 (sign of a planted 5-neuron network), balanced init
 *             of scale 1e-3 (the max-margin experiments' model), lr 1e-4: the loss stays finite and the margins
 *             moderate (|y_i f_i| < 150, far from exp's subnormal range) over the timed steps.
 * Both sides run the same trajectory segment in every timed loop (from the same initial point). Shapes
 * (n, d, m), m the width: (1000, 20, 200) and (5000, 50, 1000) (issue 13's GD row), each at 1 and 2 threads.
 * Writes OUTDIR/bench_train.csv (temporary name, then rename) and the machine it ran on
 * (bench_train_machine.csv, benchutil.h), and prints a table.
 * Usage: bench_train OUTDIR [SHAPE...]   SHAPE (0, 1) selects shapes of the list above (default both; make bench
 * runs both): `bench_train DIR 1` measures the (5000, 50, 1000) rows alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "benchutil.h"
#include "train.h"

#define TARGET_SECONDS 2.0 /* timed work per measurement */
#define REPEATS 3          /* best of */
#define TORCH_SECONDS 1.5  /* per timed torch loop (best of 3 in the script) */

typedef struct {
    size_t n, d, m;
} shape;

/* One benchmarked model; lr, beta and init_scale go to the torch script as they are. */
typedef struct {
    const char *name; /* loss.h's name, also the script's LOSS argument */
    cr_loss_kind loss;
    double beta, lr;
    cr_init_kind init;
    double init_scale; /* 0: 1/sqrt(d) */
} model;

static const model MODELS[] = {
    { "squared", CR_LOSS_SQUARED, 1e-3, 1e-7, CR_INIT_GAUSSIAN, 0.0 },
    { "logistic", CR_LOSS_LOGISTIC, 0.0, 1e-4, CR_INIT_BALANCED, 1e-3 },
};

static double init_scale(const model *md, shape s)
{
    return md->init_scale > 0.0 ? md->init_scale : 1.0 / sqrt((double)s.d);
}

/* Labels: Gaussian for the squared loss; for the logistic loss the sign (+1 at 0) of a planted network of 5 neurons,
 * f*(x) = sum_j (x'u_j)_+ a_j with u_j ~ N(0, I/d) and a_j = +1, -1, +1, -1, +1. */
static void make_labels(const model *md, shape s, const double *X, gsl_rng *r, double *y)
{
    if (md->loss != CR_LOSS_LOGISTIC) {
        for (size_t i = 0; i < s.n; i++) y[i] = gsl_ran_gaussian(r, 1.0);
        return;
    }
    enum { K = 5 };
    double *U = malloc(K * s.d * sizeof *U);
    if (!U) {
        for (size_t i = 0; i < s.n; i++) y[i] = 1.0;
        return;
    }
    for (size_t t = 0; t < K * s.d; t++) U[t] = gsl_ran_gaussian(r, 1.0 / sqrt((double)s.d));
    for (size_t i = 0; i < s.n; i++) {
        double f = 0.0;
        for (size_t j = 0; j < K; j++) {
            double h = 0.0;
            for (size_t a = 0; a < s.d; a++) h += X[i * s.d + a] * U[j * s.d + a];
            f += (h > 0.0 ? h : 0.0) * (j % 2 ? -1.0 : 1.0);
        }
        y[i] = f < 0.0 ? -1.0 : 1.0;
    }
    free(U);
}

typedef struct {
    double steps_per_sec; /* NaN: not measured */
    long iters;
    char note[160];
} result;

/* Our trainer: best of REPEATS runs of iters updates from the same initial point (each run also evaluates the
 * final iterate, counted against us). iters is calibrated once so that a run takes about TARGET_SECONDS. Logging
 * is off (log_every beyond the run, no callback): the loop evaluates the objective it needs for divergence
 * detection and the gradient norm, as torch's step computes the loss it differentiates. */
static result bench_ours(shape s, const model *md, int threads)
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
    make_labels(md, s, X, rd, y);
    cr_train_init(net0, md->init, init_scale(md, s), ri, NULL);

    cr_train_opts o;
    cr_train_defaults(&o);
    o.loss = md->loss;
    o.beta = md->beta;
    o.lr = md->lr;
    o.log_every = 1000000000L;
    cr_train_info info;
    cr_err e;

    /* Run -1 is the warm-up and calibration (3 updates, 4 evaluations), the others are timed. */
    o.iters = 3;
    double best = INFINITY;
    for (int r = -1; r < REPEATS; r++) {
        cr_net_copy(net, net0);
        if (cr_train_run(w, net, X, y, s.n, &o, NULL, &info, &e)) {
            snprintf(res.note, sizeof res.note, "%.150s", e.msg);
            goto done;
        }
        if (r < 0) o.iters = (long)fmax(5.0, TARGET_SECONDS / fmax(info.seconds / 4.0, 1e-7));
        else best = fmin(best, info.seconds);
    }
    res.steps_per_sec = (double)o.iters / best;
    res.iters = o.iters;
    snprintf(res.note, sizeof res.note, "block %zu rows; %s kernels; final objective %.6g",
             cr_net_work_block(cr_train_work_net(w)), cr_net_work_vector(cr_train_work_net(w)) ? "avx2" : "scalar",
             info.objective);
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

/* bench_run_lines callback: keeps the last line in ctx (1024 characters). */
static void keep_last(void *ctx, const char *line)
{
    snprintf(ctx, 1024, "%s", line);
}

/* PyTorch through the script; tuned adds the environment that gives it its best showing on this kind of machine:
 * glibc malloc without mmap and without trimming (else every 40 MB tensor is a fresh mapping whose page faults
 * dominate: 700k minor faults for 20 steps at 5000 x 50 x 1000), and passive OpenMP waiting (else OpenMP and
 * OpenBLAS threads spin against each other on two cores). Both go to the child process only. */
static result bench_torch(const char *script, shape s, const model *md, int threads, int tuned)
{
    result res = { NAN, 0, "" };
    if (!script) {
        snprintf(res.note, sizeof res.note, "skipped: bench/torch_train.py not found");
        return res;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%sOMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=%d MKL_NUM_THREADS=%d /usr/bin/python3 '%s' %zu %zu %zu %d %g "
             "%s %.17g %.17g %.17g 2>&1",
             tuned ? "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE " : "", threads,
             threads, threads, script, s.n, s.d, s.m, threads, TORCH_SECONDS, md->name, md->lr, md->beta,
             init_scale(md, s));
    char last[1024] = "";
    const int st = bench_run_lines(cmd, keep_last, last);
    if (st == -1) {
        snprintf(res.note, sizeof res.note, "skipped: cannot run /usr/bin/python3");
        return res;
    }
    last[strcspn(last, "\n")] = 0;
    double sps, sec, obj;
    long it;
    if (st == 0 && sscanf(last, "%lf %lf %ld %lf", &sps, &sec, &it, &obj) == 4) {
        res.steps_per_sec = sps;
        res.iters = it;
        snprintf(res.note, sizeof res.note, "%sfinal objective %.6g",
                 tuned ? "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1e11 OMP_WAIT_POLICY=PASSIVE; " : "", obj);
    } else {
        snprintf(res.note, sizeof res.note, "skipped: %.140s", last[0] ? last : "torch_train.py failed");
    }
    return res;
}

int main(int argc, char **argv)
{
    int status;
    const char *outdir = bench_start(argc > 2 ? 2 : argc, argv, "bench_train", &status);
    if (!outdir) return status;
    const double load_start = bench_loadavg();
    char script[1024];
    const int have_script = find_script(argv[0], script, sizeof script) == 0;

    const shape shapes[] = { { 1000, 20, 200 }, { 5000, 50, 1000 } };
    const int threads[] = { 1, 2 };
    enum { NS = 2, NT = 2, NM = sizeof MODELS / sizeof MODELS[0], NI = 3 };
    int want[NS];
    for (int a = 0; a < NS; a++) want[a] = argc <= 2;
    for (int k = 2; k < argc; k++) {
        char *end;
        const unsigned long a = strtoul(argv[k], &end, 10);
        if (!*argv[k] || *end || a >= NS) {
            fprintf(stderr, "bench_train: SHAPE must be 0..%d, got '%s'\n", NS - 1, argv[k]);
            return 2;
        }
        want[a] = 1;
    }
    const char *impl[NI] = { "cvxrelu", "torch", "torch-tuned" };
    result res[NS][NT][NM][NI];
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT && want[a]; b++)
            for (int l = 0; l < NM; l++) {
                res[a][b][l][0] = bench_ours(shapes[a], &MODELS[l], threads[b]);
                for (int k = 1; k < NI; k++)
                    res[a][b][l][k] = bench_torch(have_script ? script : NULL, shapes[a], &MODELS[l], threads[b], k == 2);
                fprintf(stderr, ".");
            }
    fprintf(stderr, "\n");

    bench_out out;
    FILE *f = bench_out_open(&out, "bench_train", outdir, "bench_train.csv");
    if (!f) return 1;
    fprintf(f, "impl,loss,n,d,m,threads,steps_per_sec,iters,note\n");
    printf("full-batch GD steps per second, float64 (higher is better)\n");
    printf("%-8s %6s %4s %5s %7s %12s %12s %12s %18s\n", "loss", "n", "d", "m", "threads", "cvxrelu", "torch",
           "torch-tuned", "cvxrelu/best torch");
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT && want[a]; b++)
            for (int l = 0; l < NM; l++) {
                const shape s = shapes[a];
                const result *r = res[a][b][l];
                double best = NAN;
                for (int k = 0; k < NI; k++) {
                    csv_safe(res[a][b][l][k].note);
                    fprintf(f, "%s,%s,%zu,%zu,%zu,%d,%.17g,%ld,%s\n", impl[k], MODELS[l].name, s.n, s.d, s.m,
                            threads[b], r[k].steps_per_sec, r[k].iters, r[k].note);
                    if (k > 0 && isfinite(r[k].steps_per_sec) && !(r[k].steps_per_sec <= best))
                        best = r[k].steps_per_sec;
                }
                printf("%-8s %6zu %4zu %5zu %7d %12.1f %12.1f %12.1f %17.2fx\n", MODELS[l].name, s.n, s.d, s.m,
                       threads[b], r[0].steps_per_sec, r[1].steps_per_sec, r[2].steps_per_sec,
                       r[0].steps_per_sec / best);
            }
    for (int a = 0; a < NS; a++)
        for (int b = 0; b < NT && want[a]; b++)
            for (int l = 0; l < NM; l++)
                for (int k = 0; k < NI; k++)
                    if (res[a][b][l][k].note[0])
                        printf("note: %s %s %zu x %zu x %zu, %d thread%s: %s\n", impl[k], MODELS[l].name,
                               shapes[a].n, shapes[a].d, shapes[a].m, threads[b], threads[b] > 1 ? "s" : "",
                               res[a][b][l][k].note);
    if (bench_out_commit(&out) != 0 || bench_write_machine(outdir, "bench_train", load_start) != 0) return 1;
    printf("wrote %s\n", out.path);
    return 0;
}
