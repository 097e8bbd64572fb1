/* Tests of src/align.c: the early-alignment tracker against the closed form of the fixed-pattern phase
 * (docs/MATH.md, Early alignment: a neuron that keeps its pattern first reaches cos >= 1 - delta at the norm ratio
 * sin(theta_0) / sqrt(2 delta - delta^2)), its bookkeeping on hand-built networks, and the best attainable
 * alignment A_s against brute force: a sweep of the unit circle (d = 2) and random directions (d = 3). */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "align.h"
#include "mm_kkt.h"
#include "loss.h"
#include "net.h"
#include "patterns.h"
#include "train.h"

/* ------------------------------------------------------------- the tracker against the fixed-pattern phase */

typedef struct {
    cr_align *al;
    const double *X, *y;
    size_t n, d;
} obs_ctx;

static int observe(void *vctx, const cr_train_row *row, const cr_net *net)
{
    obs_ctx *c = vctx;
    cr_align_observe(c->al, row->iter, c->X, c->y, c->n, c->d, net->W1, net->w2);
    return 0;
}

/* One neuron, every sample active along the whole path and y = +1: the target g = X'y is fixed, gradient descent
 * moves w1 along g only, so the part of w1 orthogonal to g keeps its initial length scale sin(theta_0), and the
 * first step with cos >= 1 - delta has ||w1|| / scale >= sin(theta_0) / sqrt(1 - (1 - delta)^2), by at most one
 * step's growth (lr ||g|| / 2 relative). */
static void test_tracker_fixed_pattern_closed_form(void **state)
{
    (void)state;
    enum { n = 5, d = 3 };
    double X[n * d], y[n];
    for (size_t i = 0; i < n; i++) {
        double phi = 2 * M_PI * (double)i / n + 0.3;
        X[i * d] = 1.0;
        X[i * d + 1] = 0.2 * cos(phi);
        X[i * d + 2] = 0.25 * sin(phi);
        y[i] = 1.0;
    }
    double g[d] = {0}, gn = 0;
    for (size_t k = 0; k < d; k++) {
        for (size_t i = 0; i < n; i++) g[k] += X[i * d + k];
        gn += g[k] * g[k];
    }
    gn = sqrt(gn);
    /* v orthogonal to g: (g x e3) normalized. */
    double v[d] = {g[1] / gn, -g[0] / gn, 0}, vn = hypot(v[0], v[1]);
    v[0] /= vn, v[1] /= vn;
    const double scale = 1e-6, delta = 0.01, lr = 1e-4;
    for (int a = 0; a < 3; a++) {
        const double theta0 = (20.0 + 15.0 * a) * M_PI / 180.0;
        cr_net *net = cr_net_alloc(d, 1);
        assert_non_null(net);
        for (size_t k = 0; k < d; k++) net->W1[k] = scale * (cos(theta0) * g[k] / gn + sin(theta0) * v[k]);
        net->w2[0] = scale;
        for (size_t i = 0; i < n; i++) { /* every sample active at t = 0 */
            double h = 0;
            for (size_t k = 0; k < d; k++) h += X[i * d + k] * net->W1[k];
            assert_true(h > 0);
        }
        cr_align *al = cr_align_alloc(1, delta, scale);
        assert_non_null(al);
        cr_train_opts o;
        cr_train_defaults(&o);
        o.loss = CR_LOSS_LOGISTIC;
        o.beta = 0;
        o.lr = lr;
        o.iters = 20000;
        o.log_every = 1;
        obs_ctx c = {.al = al, .X = X, .y = y, .n = n, .d = d};
        o.log = observe;
        o.log_ctx = &c;
        cr_train_work *w = cr_train_work_alloc(n, d, 1, 0);
        assert_non_null(w);
        cr_err err = {{0}};
        if (cr_train_run(w, net, X, y, n, &o, NULL, NULL, &err)) fail_msg("%s", err.msg);
        cr_align_neuron q;
        cr_align_get(al, 0, &q);
        const double want = sin(theta0) / sqrt(1 - (1 - delta) * (1 - delta));
        assert_int_equal(q.sign, 1);
        if (!(fabs(q.cos0 - cos(theta0)) <= 1e-12)) fail_msg("cos0 %.17g, want cos(theta0) = %.17g", q.cos0, cos(theta0));
        assert_true(q.first > 0);
        if (!(q.ratio >= want * (1 - 1e-9) && q.ratio <= want * (1 + lr * gn)))
            fail_msg("theta0 = %g deg: ratio at the first aligned step %.12g, closed form %.12g (one step: %.3g)",
                     theta0 * 180 / M_PI, q.ratio, want, lr * gn);
        size_t reached, start;
        double rmin;
        cr_align_sign(al, 1, &reached, &rmin, &start);
        assert_int_equal(reached, 1);
        assert_int_equal(start, 0);
        assert_true(rmin == q.ratio);
        cr_align_sign(al, -1, &reached, &rmin, &start);
        assert_int_equal(reached, 0);
        assert_true(isnan(rmin));
        cr_train_work_free(w);
        cr_align_free(al);
        cr_net_free(net);
    }
}

/* ------------------------------------------------------------------------------ bookkeeping */

/* Hand-built iterates, X = I_2, y = (1, -1): neuron 1 (w2 > 0) points at e1 (its target X'D y = e1) from t = 0;
 * neuron 2 (w2 < 0) starts at 45 degrees between e2 and e1 (target -X'D y = -(e1 - e2): cos = 0) and turns to
 * (-0.01, 1) (target e2) at t = 7 with norm 3 scale; neuron 3 is dead (w1 = -(1, 1): no active sample); neuron 4 has
 * w2 = 0 (no sign); neuron 5 starts with w2 < 0 at e1 (target -e1: cos -1), and at t = 7 sits at e1 with w2 > 0
 * (target e1: cos 1), a sign it reached through 0: not aligned. */
static void test_tracker_bookkeeping(void **state)
{
    (void)state;
    const double X[4] = {1, 0, 0, 1}, y[2] = {1, -1}, scale = 0.5;
    double W1[2 * 5], w2[5] = {scale, -scale, scale, 0, -scale};
    cr_align *al = cr_align_alloc(5, 0.01, scale);
    assert_non_null(al);
    const double r = scale / sqrt(2.0);
    /* t = 0 */
    double cols0[5][2] = {{scale, 0}, {r, r}, {-r, -r}, {r, 0}, {scale, 0}};
    for (int j = 0; j < 5; j++) W1[j] = cols0[j][0], W1[5 + j] = cols0[j][1];
    cr_align_observe(al, 0, X, y, 2, 2, W1, w2);
    /* t = 7: neuron 2 at (-0.01, 1) * 3 scale / |.|: active on sample 2 only, target -y_2 e2 = e2, cos 0.99995 */
    double a = 3 * scale / hypot(0.01, 1);
    W1[1] = -0.01 * a, W1[5 + 1] = a;
    w2[4] = scale;
    cr_align_observe(al, 7, X, y, 2, 2, W1, w2);
    cr_align_neuron q;
    cr_align_get(al, 0, &q);
    assert_int_equal(q.sign, 1);
    assert_true(fabs(q.cos0 - 1) <= 1e-15 && q.first == 0 && fabs(q.ratio - 1) <= 1e-15);
    cr_align_get(al, 1, &q);
    assert_int_equal(q.sign, -1);
    assert_true(fabs(q.cos0) <= 1e-15);
    assert_int_equal(q.first, 7);
    assert_true(fabs(q.ratio - 3) <= 1e-12);
    assert_true(fabs(q.best - 1 / hypot(0.01, 1)) <= 1e-15);
    cr_align_get(al, 2, &q);
    assert_true(isnan(q.cos0) && q.first == -1 && isnan(q.ratio) && isnan(q.best));
    cr_align_get(al, 3, &q);
    assert_int_equal(q.sign, 0);
    assert_true(q.first == -1);
    cr_align_get(al, 4, &q);
    assert_int_equal(q.sign, -1);
    assert_true(q.flipped == 1 && q.first == -1 && isnan(q.ratio) && fabs(q.best - 1) <= 1e-15);
    size_t reached, start;
    double rmin;
    /* s = +1: neuron 1 was aligned at t = 0 (left out), neuron 3 never: none reached by the dynamics. */
    cr_align_sign(al, 1, &reached, &rmin, &start);
    assert_int_equal(reached, 0);
    assert_int_equal(start, 1);
    assert_true(isnan(rmin));
    cr_align_sign(al, -1, &reached, &rmin, &start);
    assert_int_equal(reached, 1);
    assert_int_equal(start, 0);
    assert_true(fabs(rmin - 3) <= 1e-12);
    cr_align_free(al);
    cr_align_free(NULL);
    assert_null(cr_align_alloc(0, 0.01, 1));
    assert_null(cr_align_alloc(2, 0, 1));
    assert_null(cr_align_alloc(2, 1, 1));
    assert_null(cr_align_alloc(2, 0.1, 0));
}

/* ---------------------------------------------------------------------- attainable alignment */

/* cos angle(u, s X'D(u) y) at one u, D strict; -2 when undefined. */
static double cos_at(const double *X, const double *y, size_t n, size_t d, const double *u, int s)
{
    double t[8] = {0}, tt = 0, uu = 0, tu = 0;
    for (size_t i = 0; i < n; i++) {
        double h = 0;
        for (size_t k = 0; k < d; k++) h += X[i * d + k] * u[k];
        if (h > 0)
            for (size_t k = 0; k < d; k++) t[k] += s * X[i * d + k] * y[i];
    }
    for (size_t k = 0; k < d; k++) tt += t[k] * t[k], uu += u[k] * u[k], tu += t[k] * u[k];
    return tt > 0 && uu > 0 ? tu / sqrt(tt * uu) : -2;
}

/* A_s against brute force on random data: a sweep of 2e6 points of the unit circle (d = 2) and 2e6 random
 * directions (d = 3). Brute force never exceeds A_s and comes within its resolution of it; data sets where
 * 0 < A_s < 1 (the sup sits on a kink, not attained) must occur among them, or the test would not test the NNLS. */
static void test_attainable_brute_force(void **state)
{
    (void)state;
    gsl_rng *rng = crt_rng_seeded(12);
    size_t below = 0, cases = 0;
    for (int trial = 0; trial < 24; trial++) {
        const size_t d = trial < 12 ? 2 : 3, n = 5 + (size_t)trial % 4;
        double X[8 * 3], y[8];
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < d; k++) X[i * d + k] = gsl_ran_gaussian(rng, 1.0);
            y[i] = gsl_rng_uniform(rng) < 0.5 ? 1.0 : -1.0;
        }
        cr_patterns *P = NULL;
        cr_err err = {{0}};
        if (cr_patterns_enumerate(X, n, d, &P, &err)) fail_msg("%s", err.msg);
        for (int s = -1; s <= 1; s += 2) {
            double A;
            if (cr_align_attainable(X, y, n, d, P, s, &A, NULL, &err)) fail_msg("%s", err.msg);
            double brute = -2, u[3];
            const long N = 2000000;
            for (long k = 0; k < N; k++) {
                if (d == 2) {
                    double th = 2 * M_PI * (double)k / (double)N;
                    u[0] = cos(th), u[1] = sin(th);
                } else {
                    for (size_t q = 0; q < d; q++) u[q] = gsl_ran_gaussian(rng, 1.0);
                }
                double c = cos_at(X, y, n, d, u, s);
                if (c > brute) brute = c;
            }
            double tol = d == 2 ? 1e-6 : 2e-3;
            /* A_s = 0 stands for a supremum <= 0 (no cone at an acute angle to its target). */
            if (!(brute <= A + 1e-12 && (A == 0 || brute >= A - tol)))
                fail_msg("trial %d (n = %zu, d = %zu, s = %d): A_s = %.12g, brute force %.12g", trial, n, d, s, A, brute);
            below += A > 0 && A < 1 - 1e-3;
            cases++;
        }
        cr_patterns_free(P);
    }
    gsl_rng_free(rng);
    if (below == 0 || below == cases) fail_msg("%zu of %zu cases with A_s < 1: both kinds are needed", below, cases);
}

/* The picture of a neuron: w1 = (3, 4) has norm 5 and direction (0.6, 0.8); on x1 = (1, 0), x2 = (0, -1) the
 * rectified outputs are 0.6 and (-0.8)_+ = 0. With d = 1 the second coordinate and, with n = 1, the second sample
 * are 0. */
static void test_picture(void **state)
{
    (void)state;
    const double X[] = {1, 0, 0, -1}, W1[] = {9, 3, /* neuron 2 is column 1 */ 9, 4};
    double nrm, w1hat[2], z[2];
    cr_align_picture(X, 2, 2, W1, 2, 1, &nrm, w1hat, z);
    assert_true(nrm == 5.0);
    assert_true(w1hat[0] == 0.6 && w1hat[1] == 0.8);
    assert_true(fabs(z[0] - 0.6) <= 1e-16 && z[1] == 0.0);
    const double X1[] = {2}, W11[] = {-0.5};
    cr_align_picture(X1, 1, 1, W11, 1, 0, &nrm, w1hat, z);
    assert_true(nrm == 0.5 && w1hat[0] == -1.0 && w1hat[1] == 0.0 && z[0] == 0.0 && z[1] == 0.0);
    const double W0[] = {0, 0};
    cr_align_picture(X, 2, 2, W0, 1, 0, &nrm, w1hat, z);
    assert_true(nrm == 0.0 && w1hat[0] == 0.0 && z[0] == 0.0);
}

/* Best cosine per sign and the sign flips: X = I, y = (1, -1). Neuron 1, w1 = (1, 0), w2 > 0: D = {x1},
 * X'D y = (1, 0): cos 1. Neuron 2, w1 = (1, -1), w2 < 0: D = {x1}, s X'D y = (-1, 0): cos -1/sqrt(2); at the second
 * step it is (1, 1) with w2 > 0: its sign flipped before it aligned (cos 0 there: D = {x1, x2}, X'D y = (1, -1)). */
static void test_best_and_flips(void **state)
{
    (void)state;
    const double X[] = {1, 0, 0, 1}, y[] = {1, -1};
    cr_align *al = cr_align_alloc(2, 0.1, 1.0);
    assert_non_null(al);
    double W1[] = {1, 1, 0, -1}, w2[] = {1, -1}, best[2];
    size_t flipped = 9;
    cr_align_observe(al, 0, X, y, 2, 2, W1, w2);
    cr_align_best(al, best, &flipped);
    assert_true(fabs(best[0] - 1.0) <= 1e-15);
    assert_true(fabs(best[1] + 1.0 / sqrt(2.0)) <= 1e-15);
    assert_int_equal(flipped, 0);
    double W1b[] = {1, 1, 0, 1}, w2b[] = {1, 1};
    cr_align_observe(al, 1, X, y, 2, 2, W1b, w2b);
    cr_align_best(al, best, &flipped);
    assert_int_equal(flipped, 1);
    assert_true(fabs(best[1] - 0.0) <= 1e-15); /* the best of neuron 2 (initial sign -1) is now cos 0 */
    cr_align_best(al, best, NULL);
    cr_align_free(al);
    /* No neuron of a sign: NaN. */
    cr_align *a2 = cr_align_alloc(1, 0.1, 1.0);
    double w2c[] = {0};
    cr_align_observe(a2, 0, X, y, 2, 2, W1, w2c);
    cr_align_best(a2, best, &flipped);
    assert_true(isnan(best[0]) && isnan(best[1]));
    cr_align_free(a2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_fixed_pattern_closed_form),
        cmocka_unit_test(test_tracker_bookkeeping),
        cmocka_unit_test(test_attainable_brute_force),
        cmocka_unit_test(test_picture),
        cmocka_unit_test(test_best_and_flips),
    };
    return cmocka_run_group_tests_name("align", tests, NULL, NULL) ? 1 : 0;
}
