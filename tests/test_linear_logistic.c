/* Tests of src/linear_logistic.c: gradient descent on the logistic loss of a linear model. Expected values come
 * from elsewhere: each step against the gradient summed here in long double, the descent lemma (a step of
 * lr <= 1/L lowers the loss by at least lr/2 ||grad||^2, L = lambda_max(X'X)/4 in closed form for d = 2), and
 * the implicit bias (Soudry et al., JMLR 2018: w_t = w_svm log t + rho_t with rho_t converging): on an instance
 * whose hard-margin SVM is known in closed form, and against cvxopt's SVM (tests/oracle/maxmargin.py) on
 * random separable data, through cos angle(w_t, w_svm) >= gamma_t / gamma* (gamma: normalized margin). */
#include "testutil.h"

#include <float.h>

#include "linear_logistic.h"

/* --------------------------------------------------------------------------- the trace of a run */

enum { DMAX = 4, NCHECK = 8 };

typedef struct {
    const double *X, *y;
    size_t n, d;
    double lr;
    long t;                   /* last iterate seen */
    double w[DMAX], loss;     /* w_t and its loss as computed here */
    long check_t[NCHECK];     /* checkpoints 10, 100, ... */
    double check_w[NCHECK][DMAX], check_gamma[NCHECK];
    size_t ncheck;
    double gamma_max;         /* largest normalized margin seen */
} trace;

/* log(1 + exp(-m)) in long double, without overflow. */
static long double log1pexp_neg(long double m) { return m > 0 ? log1pl(expl(-m)) : -m + log1pl(expl(m)); }

/* Loss at w, and its gradient into g, summed in long double. */
static long double loss_grad(const trace *tr, const double *w, long double *g)
{
    long double loss = 0;
    for (size_t k = 0; k < tr->d; k++) g[k] = 0;
    for (size_t i = 0; i < tr->n; i++) {
        long double m = 0;
        for (size_t k = 0; k < tr->d; k++) m += (long double)tr->X[i * tr->d + k] * w[k];
        m *= tr->y[i];
        loss += log1pexp_neg(m);
        long double s = 1 / (1 + expl(m)); /* sigma(-m) */
        for (size_t k = 0; k < tr->d; k++) g[k] -= s * tr->y[i] * tr->X[i * tr->d + k];
    }
    return loss;
}

static double normalized_margin(const trace *tr, const double *w)
{
    double mn = INFINITY, nw = crt_nrm(w, tr->d);
    for (size_t i = 0; i < tr->n; i++) {
        double m = 0;
        for (size_t k = 0; k < tr->d; k++) m += tr->X[i * tr->d + k] * w[k];
        mn = fmin(mn, tr->y[i] * m);
    }
    return mn / nw;
}

static void trace_start(trace *tr, const double *X, const double *y, size_t n, size_t d, double lr, const double *w0)
{
    memset(tr, 0, sizeof *tr);
    tr->X = X, tr->y = y, tr->n = n, tr->d = d, tr->lr = lr;
    memcpy(tr->w, w0, d * sizeof *w0);
    long double g[DMAX];
    tr->loss = (double)loss_grad(tr, w0, g);
    tr->gamma_max = -INFINITY;
}

/* Every iterate: the step from w_{t-1} is lr times minus the gradient, the reported loss is the loss, and the
 * loss fell by at least lr/2 ||grad||^2 (descent lemma; the callers take lr <= 1/L). */
static int check_step(void *ctx, long t, const double *w, double loss)
{
    trace *tr = ctx;
    assert_int_equal(t, tr->t + 1);
    long double g[DMAX], g2 = 0, gw[DMAX];
    loss_grad(tr, tr->w, g);
    for (size_t k = 0; k < tr->d; k++) {
        long double want = tr->w[k] - tr->lr * g[k];
        if (fabsl(w[k] - want) > 1e-12L * (1 + fabsl(want)))
            fail_msg("step %ld: w_%zu = %.17g, expected %.17Lg", t, k, w[k], want);
        g2 += g[k] * g[k];
    }
    long double here = loss_grad(tr, w, gw);
    if (fabsl(loss - here) > 1e-13L * here + 1e-300L) fail_msg("step %ld: loss %.17g, expected %.17Lg", t, loss, here);
    if (here > tr->loss - 0.5L * tr->lr * g2 + 4 * DBL_EPSILON * tr->loss)
        fail_msg("step %ld: loss %.17Lg did not fall by lr/2 ||g||^2 from %.17g", t, here, tr->loss);
    tr->t = t;
    memcpy(tr->w, w, tr->d * sizeof *w);
    tr->loss = (double)here;
    double gam = normalized_margin(tr, w);
    tr->gamma_max = fmax(tr->gamma_max, gam);
    long c = 10;
    for (size_t k = 0; k < tr->ncheck; k++) c *= 10;
    if (t == c && tr->ncheck < NCHECK) {
        tr->check_t[tr->ncheck] = t;
        memcpy(tr->check_w[tr->ncheck], w, tr->d * sizeof *w);
        tr->check_gamma[tr->ncheck++] = gam;
    }
    return 0;
}

static double angle(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t k = 0; k < d; k++) s += a[k] * b[k];
    return acos(fmin(1.0, s / (crt_nrm(a, d) * crt_nrm(b, d))));
}

/* ------------------------------------------------------------------------------------------- tests */

/* y_i x_i = (1, 0), (0, 2), (3, 3): the hard-margin SVM min ||w|| s.t. z_i'w >= 1 is w* = (1, 1/2) (the point
 * of the segment [(1, 0), (0, 2)] closest to 0 is (4/5, 2/5) = w* / ||w*||^2; z_3'w* = 9/2 > 1: not a support
 * vector), gamma* = 1 / ||w*|| = 2 / sqrt 5. */
static void test_closed_form_svm(void **state)
{
    (void)state;
    const double X[] = {1, 0, 0, -2, 3, 3}, y[] = {1, -1, 1}, wsvm[] = {1, 0.5};
    const double gstar = 2 / sqrt(5.0);
    /* X'X = [10 9; 9 13]: lambda_max = (23 + sqrt(9 + 324)) / 2; L = lambda_max / 4. */
    const double lr = 1 / ((23 + sqrt(333.0)) / 8);
    double w[2] = {0, 0}, scratch[3];
    static trace tr;
    trace_start(&tr, X, y, 3, 2, lr, w);
    cr_err e;
    assert_int_equal(cr_linear_logistic_gd(X, y, 3, 2, lr, 1000000, check_step, &tr, w, scratch, &e), CR_OK);
    assert_int_equal(tr.t, 1000000);
    assert_true(w[0] == tr.w[0] && w[1] == tr.w[1]);
    assert_int_equal(tr.ncheck, 6);
    /* The normalized margin never exceeds gamma* and grows at each checkpoint; the angle to w* shrinks. */
    assert_true(tr.gamma_max <= gstar * (1 + 1e-12));
    double rho_prev[2] = {0, 0}, step_prev = INFINITY;
    for (size_t k = 0; k < tr.ncheck; k++) {
        const double *wk = tr.check_w[k];
        if (k) {
            assert_true(tr.check_gamma[k] > tr.check_gamma[k - 1]);
            assert_true(angle(wk, wsvm, 2) < angle(tr.check_w[k - 1], wsvm, 2));
        }
        /* cos angle >= gamma_t / gamma* (w_t / (||w_t|| gamma_t) is feasible for the SVM). */
        assert_true(cos(angle(wk, wsvm, 2)) >= tr.check_gamma[k] / gstar - 1e-12);
        /* rho_t = w_t - w* log t stays bounded and its changes between checkpoints shrink (it converges). */
        double lt = log((double)tr.check_t[k]), rho[2] = {wk[0] - wsvm[0] * lt, wk[1] - wsvm[1] * lt};
        assert_true(crt_nrm(rho, 2) < 3);
        double step = hypot(rho[0] - rho_prev[0], rho[1] - rho_prev[1]);
        if (k >= 2) assert_true(step < step_prev);
        memcpy(rho_prev, rho, sizeof rho);
        step_prev = step;
    }
    /* Measured: rho moves by 2.2e-3 from t = 1e4 to 1e5 and 3.2e-4 from 1e5 to 1e6; the angle is 0.045 rad at 1e6,
     * gamma_t / gamma* = 0.977 (the direction converges as 1 / log t). */
    assert_true(step_prev < 1e-3);
    assert_true(angle(w, wsvm, 2) < 0.05);
}

/* Random linearly separable data (labels of a planted direction, margin >= 0.2): the normalized margin stays
 * below cvxopt's gamma* = 1 / sqrt(2 V), V = min 1/2 ||w||^2, grows at each checkpoint and comes within a few
 * per cent of it (gamma* - gamma_t = O(1 / log t)). */
static void test_svm_oracle(void **state)
{
    (void)state;
    enum { N = 20, D = 3 };
    double X[N * D], y[N], w0[D], w[D] = {0}, scratch[N];
    gsl_rng *r = crt_rng_seeded(5);
    for (size_t k = 0; k < D; k++) w0[k] = gsl_rng_uniform(r) - 0.5;
    for (size_t i = 0; i < N; i++) {
        double m;
        do {
            m = 0;
            for (size_t k = 0; k < D; k++) m += (X[i * D + k] = 4 * gsl_rng_uniform(r) - 2) * w0[k];
        } while (fabs(m) < 0.2 * crt_nrm(w0, D));
        y[i] = m > 0 ? 1 : -1;
    }
    gsl_rng_free(r);
    char dir[256], path[300], cmd[1024];
    crt_tmpdir(dir);
    snprintf(path, sizeof path, "%s/svm.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%d %d 0\n", N, D);
    crt_write_rows(f, X, N, D);
    crt_write_rows(f, y, 1, N);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s/tests/oracle/maxmargin.py --tol 1e-10 %s", CRT_PYTHON,
             CR_SOURCE_DIR, path);
    char *out = NULL, status[64];
    double V;
    assert_int_equal(crt_sh(cmd, &out), 0);
    if (sscanf(out, "instance 0 svm %lf svm_status %63s", &V, status) != 2 || strcmp(status, "optimal") != 0)
        fail_msg("oracle: %s", out);
    free(out);
    crt_rmtree(dir);
    const double gstar = 1 / sqrt(2 * V);
    /* lr = 1/L with L = ||X||_F^2 / 4 >= lambda_max(X'X) / 4. */
    const double lr = 4 / (crt_nrm(X, N * D) * crt_nrm(X, N * D));
    static trace tr;
    trace_start(&tr, X, y, N, D, lr, w);
    cr_err e;
    assert_int_equal(cr_linear_logistic_gd(X, y, N, D, lr, 100000, check_step, &tr, w, scratch, &e), CR_OK);
    assert_int_equal(tr.ncheck, 5);
    assert_true(tr.gamma_max <= gstar * (1 + 1e-8));
    for (size_t k = 1; k < tr.ncheck; k++) assert_true(tr.check_gamma[k] > tr.check_gamma[k - 1]);
    /* Measured gamma_t / gamma* at t = 10 ... 1e5: 0.609, 0.707, 0.854, 0.918, 0.944. */
    assert_true(tr.check_gamma[tr.ncheck - 1] >= 0.93 * gstar);
}

static int stop_at_3(void *ctx, long t, const double *w, double loss)
{
    (void)w, (void)loss;
    *(long *)ctx = t;
    return t == 3 ? 42 : 0;
}

static void test_arguments_and_failures(void **state)
{
    (void)state;
    double X[] = {1, 0, 0, -2}, y[] = {1, -1}, w[2] = {0, 0}, scratch[2];
    cr_err e;
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, 0.0, 10, NULL, NULL, w, scratch, &e), CR_EINPUT);
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, NAN, 10, NULL, NULL, w, scratch, &e), CR_EINPUT);
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, 0.1, -1, NULL, NULL, w, scratch, &e), CR_EINPUT);
    assert_int_equal(cr_linear_logistic_gd(X, y, 0, 2, 0.1, 10, NULL, NULL, w, scratch, &e), CR_EINPUT);
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 0, 0.1, 10, NULL, NULL, w, scratch, &e), CR_EINPUT);
    assert_true(w[0] == 0 && w[1] == 0);
    /* iters = 0: w unchanged, the callback never called. */
    long seen = 0;
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, 0.1, 0, stop_at_3, &seen, w, scratch, &e), CR_OK);
    assert_true(seen == 0 && w[0] == 0 && w[1] == 0);
    /* A non-zero callback status stops the run and is returned. */
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, 0.1, 10, stop_at_3, &seen, w, scratch, &e), 42);
    assert_int_equal(seen, 3);
    /* A step that overflows w, and a non-finite input. */
    w[0] = w[1] = 0;
    X[0] = 10;
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, DBL_MAX, 10, NULL, NULL, w, scratch, &e), CR_ERUNTIME);
    assert_non_null(strstr(e.msg, "diverged at step 1"));
    w[0] = w[1] = 0;
    X[0] = NAN;
    assert_int_equal(cr_linear_logistic_gd(X, y, 2, 2, 0.1, 10, NULL, NULL, w, scratch, &e), CR_ERUNTIME);
    assert_non_null(strstr(e.msg, "non-finite loss at step 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form_svm),
        cmocka_unit_test(test_svm_oracle),
        cmocka_unit_test(test_arguments_and_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
