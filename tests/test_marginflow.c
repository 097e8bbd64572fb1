/* Tests of src/marginflow.c: one step is the gradient step eta / L (and the capped kappa / (||theta||^2 L)) of the
 * logistic loss computed by net.h's BLAS objective; at margins of 2e4, where exp underflows, the multipliers'
 * direction and log L against their closed forms; on two orthogonal samples the flow reaches the normalized-margin
 * ceiling 1 / (2 P*) = 1/4 of the closed form P* = 1/||x_1|| + 1/||x_2|| = 2; bad options. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "marginflow.h"
#include "net.h"

static double rel_diff(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* A random network and data labelled by its sign (so that it separates them), margins scaled by s^2. */
static void random_problem(gsl_rng *g, size_t n, size_t d, cr_net *net, double s, double *X, double *y)
{
    for (size_t k = 0; k < n * d; k++) X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] = s * gsl_ran_gaussian(g, 1.0);
    double f[64];
    cr_net_reference(X, n, d, net->W1, net->w2, net->m, f);
    for (size_t i = 0; i < n; i++) y[i] = f[i] >= 0 ? 1.0 : -1.0;
}

/* theta1 = theta0 - lr grad L (net.h's objective and gradient). */
static void expected_step(const cr_net *net0, const double *X, const double *y, size_t n, double eta, double kappa,
                          double *theta1)
{
    cr_net_work *nw = cr_net_work_alloc(n, net0->d, net0->m);
    const size_t p = cr_net_size(net0);
    double g[256];
    cr_net_obj obj = {CR_LOSS_LOGISTIC, 0.0, 1.0};
    cr_net_eval ev;
    assert_int_equal(cr_net_objective(net0, X, y, n, &obj, nw, g, &ev), CR_OK);
    double rel = eta;
    if (kappa > 0 && kappa / ev.norm2 < eta) rel = kappa / ev.norm2;
    for (size_t k = 0; k < p; k++) theta1[k] = net0->theta[k] - rel / ev.loss * g[k];
    cr_net_work_free(nw);
}

static void test_one_step(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(5);
    const size_t n = 7, d = 3, m = 4;
    double X[21], y[7], theta1[256];
    const struct { double s, eta, kappa; } cases[] = {{0.3, 0.01, 0}, {1.0, 0.002, 0}, {4.0, 0.01, 0.5}, {4.0, 1e-4, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cr_net *net = cr_net_alloc(d, m);
        random_problem(g, n, d, net, cases[c].s, X, y);
        expected_step(net, X, y, n, cases[c].eta, cases[c].kappa, theta1);
        cr_mflow_work *w = cr_mflow_alloc(n, d, m);
        cr_mflow_opts o = {cases[c].eta, cases[c].kappa, 1, 0.0, 0, 0};
        cr_mflow_info info;
        cr_err e;
        assert_int_equal(cr_mflow_run(w, net, X, y, n, &o, &info, &e), CR_OK);
        assert_int_equal(info.steps, 1);
        if (info.halvings != 0) fail_msg("case %zu: the step was halved %ld times", c, info.halvings);
        for (size_t k = 0; k < cr_net_size(net); k++)
            if (fabs(net->theta[k] - theta1[k]) > 1e-12 * fmax(1.0, fabs(theta1[k])))
                fail_msg("case %zu, parameter %zu: %.17g, expected %.17g", c, k, net->theta[k], theta1[k]);
        cr_mflow_free(w);
        cr_net_free(net);
    }
    gsl_rng_free(g);
}

/* Margins near 2e4: sigma(-z) underflows to 0, the loss to 0. The closed forms for z > 40: sigma(-z_i) /
 * sigma(-z_min) = exp(-(z_i - z_min)) and log L = -z_min + log sum_i exp(-(z_i - z_min)), to double precision. */
static void test_log_domain(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(6);
    const size_t n = 8, d = 2, m = 6;
    double X[16], y[8], f[8], dir[8];
    cr_net *net = cr_net_alloc(d, m);
    int done = 0;
    for (int rep = 0; rep < 50 && !done; rep++) {
        random_problem(g, n, d, net, 1.0, X, y);
        cr_net_reference(X, n, d, net->W1, net->w2, m, f);
        double zmin = INFINITY;
        for (size_t i = 0; i < n; i++) zmin = fmin(zmin, y[i] * f[i]);
        if (!(zmin > 1e-2)) continue;
        /* Scale theta so that min z = 2e4 (f is 2-homogeneous). */
        const double s = sqrt(2e4 / zmin);
        for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] *= s;
        cr_net_reference(X, n, d, net->W1, net->w2, m, f);
        zmin = INFINITY;
        for (size_t i = 0; i < n; i++) zmin = fmin(zmin, y[i] * f[i]);
        cr_mflow_dir(X, y, n, d, net->W1, net->w2, m, dir);
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double ex = y[i] * exp(-(y[i] * f[i] - zmin));
            sum += exp(-(y[i] * f[i] - zmin));
            if (fabs(dir[i] - ex) > 1e-12 * fmax(1e-300, fabs(ex))) fail_msg("dir[%zu] = %.17g, expected %.17g", i, dir[i], ex);
        }
        /* Zero steps: log L of the start. */
        cr_mflow_work *w = cr_mflow_alloc(n, d, m);
        cr_mflow_opts o = {0.005, 5.0, 0, 0.0, 0, 0};
        cr_mflow_info info;
        cr_err e;
        assert_int_equal(cr_mflow_run(w, net, X, y, n, &o, &info, &e), CR_OK);
        const double logL = -zmin + log(sum);
        if (rel_diff(info.log_loss, logL) > 1e-14) fail_msg("log L = %.17g, expected %.17g", info.log_loss, logL);
        assert_true(info.min_yf == zmin);
        /* 100 steps: L keeps falling (log L stays finite) and the margins grow. */
        o.steps = 100;
        assert_int_equal(cr_mflow_run(w, net, X, y, n, &o, &info, &e), CR_OK);
        assert_true(info.steps == 100 && isfinite(info.log_loss) && info.log_loss < logL && info.min_yf > zmin);
        cr_mflow_free(w);
        done = 1;
    }
    assert_true(done);
    cr_net_free(net);
    gsl_rng_free(g);
}

/* x1 = (2, 0), y1 = +1; x2 = (0, 1), y2 = -1: orthogonally separable; P* = 1/2 + 1 = 3/2 (docs/MATH.md: lambda*_i
 * = y_i / ||x_i||, P* = sum_i 1 / ||x_i||), ceiling gamma <= 1 / (2 P*) = 1/3. A separating start with a spurious
 * direction mixed in: the flow reaches gamma within 1e-3 of the ceiling by min y f = 10^3, settled. */
static void test_reaches_max_margin(void **state)
{
    (void)state;
    const double X[4] = {2, 0, 0, 1}, y[2] = {1, -1};
    cr_net *net = cr_net_alloc(2, 3);
    /* neurons (columns): (1, 0.4) w2 = 1; (0.3, 1) w2 = -1; (0.5, 0.5) w2 = 0.2 */
    const double W1[6] = {1.0, 0.3, 0.5, 0.4, 1.0, 0.5}, w2[3] = {1.0, -1.0, 0.2};
    memcpy(net->W1, W1, sizeof W1);
    memcpy(net->w2, w2, sizeof w2);
    cr_mflow_work *w = cr_mflow_alloc(2, 2, 3);
    cr_mflow_opts o;
    cr_mflow_defaults(&o);
    o.target = 1e3;
    o.steps = 1000000;
    cr_mflow_info info;
    cr_err e;
    assert_int_equal(cr_mflow_run(w, net, X, y, 2, &o, &info, &e), CR_OK);
    assert_true(info.reached && info.min_yf >= 1e3);
    assert_int_equal(info.steps - o.settle_steps * o.settle_levels > 0, 1);
    double f[2];
    double norm2 = cr_net_reference(X, 2, 2, net->W1, net->w2, 3, f);
    const double gamma = fmin(f[0], -f[1]) / norm2;
    if (!(gamma <= 1.0 / 3 + 1e-12 && gamma >= (1.0 / 3) * (1 - 1e-3)))
        fail_msg("gamma = %.12g, ceiling 1/3", gamma);
    cr_mflow_free(w);
    cr_net_free(net);
}

static void test_bad_options(void **state)
{
    (void)state;
    const double X[4] = {2, 0, 0, 1}, y[2] = {1, -1};
    cr_net *net = cr_net_alloc(2, 2);
    for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] = 0.1 * (double)(k + 1);
    double keep[6];
    memcpy(keep, net->theta, sizeof keep);
    cr_mflow_work *w = cr_mflow_alloc(2, 2, 2);
    cr_err e;
    const cr_mflow_opts bad[] = {{0, 1, 10, 0, 0, 0},  {NAN, 1, 10, 0, 0, 0}, {0.1, -1, 10, 0, 0, 0},
                                 {0.1, 1, -1, 0, 0, 0}, {0.1, 1, 10, -1, 0, 0}, {0.1, 1, 10, 0, -1, 0},
                                 {0.1, 1, 10, 0, 0, -1}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        if (cr_mflow_run(w, net, X, y, 2, &bad[c], NULL, &e) != CR_EINPUT) fail_msg("case %zu accepted", c);
        assert_memory_equal(net->theta, keep, sizeof keep);
    }
    cr_mflow_work *w3 = cr_mflow_alloc(3, 2, 2);
    const cr_mflow_opts ok = {0.1, 1, 10, 0, 0, 0};
    assert_int_equal(cr_mflow_run(w3, net, X, y, 2, &ok, NULL, &e), CR_EINPUT);
    assert_null(cr_mflow_alloc(2, 0, 2));
    cr_mflow_free(NULL);
    cr_mflow_free(w3);
    cr_mflow_free(w);
    cr_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_step),
        cmocka_unit_test(test_log_domain),
        cmocka_unit_test(test_reaches_max_margin),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
