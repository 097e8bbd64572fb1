/* Tests of src/clarke.c. The least-squares problem over the multiplier polytope against an exhaustive search
 * over its faces (each variable at 0, at 1, free, or tied to its parent; the face minimum by the normal
 * equations; the best feasible one), planted zero minima with more generators than dimensions, duplicated and
 * zero generators. The network measure against the closed form of the slides' 1-D toy (src/toy.c,
 * cr_toy_landscape_clarke_minnorm, an independent implementation), against the gradient of src/net.c at smooth points,
 * and against the convex hull of the gradients net.c computes on every side of one or two kinks (ReLU and hinge)
 * - the definition of the Clarke subdifferential. The pattern sets at kinks against hand-made networks. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "clarke.h"
#include "net.h"
#include "toy_landscape.h"

/* ------------------------------------------------------------------------------------- helpers */

static double nrm(const double *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    return sqrt(s);
}

/* Solves the k x k system M x = b (row-major, overwritten) by Gaussian elimination with partial pivoting;
 * returns 0 when M is singular (relative 1e-10). */
static int solve_small(double *M, double *b, size_t k, double *x)
{
    double scale = 0.0;
    for (size_t i = 0; i < k * k; i++) scale = fmax(scale, fabs(M[i]));
    for (size_t c = 0; c < k; c++) {
        size_t piv = c;
        for (size_t a = c + 1; a < k; a++)
            if (fabs(M[a * k + c]) > fabs(M[piv * k + c])) piv = a;
        if (!(fabs(M[piv * k + c]) > 1e-10 * scale)) return 0;
        for (size_t e = 0; e < k; e++) {
            double t = M[c * k + e];
            M[c * k + e] = M[piv * k + e];
            M[piv * k + e] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t a = c + 1; a < k; a++) {
            double f = M[a * k + c] / M[c * k + c];
            for (size_t e = c; e < k; e++) M[a * k + e] -= f * M[c * k + e];
            b[a] -= f * b[c];
        }
    }
    for (size_t c = k; c-- > 0;) {
        double s = b[c];
        for (size_t e = c + 1; e < k; e++) s -= M[c * k + e] * x[e];
        x[c] = s / M[c * k + c];
    }
    return 1;
}

/* Exhaustive search for min ||g0 + G z|| over 0 <= z <= 1, z_k <= z_parent(k), K <= 7, G with independent
 * generators (so each face has one minimizer): every assignment of a state to each variable (0: at 0, 1: at 1,
 * 2: free, 3: equal to its parent, children only), the face minimizer by the normal equations in the free
 * directions (a free root carries its tied children), kept when feasible. */
static double brute_force(size_t p, size_t K, const double *g0, const double *G, const long *parent)
{
    double best = INFINITY;
    size_t total = 1;
    for (size_t k = 0; k < K; k++) total *= 4;
    for (size_t code = 0; code < total; code++) {
        int state[8];
        size_t c = code, bad = 0;
        for (size_t k = 0; k < K; k++) {
            state[k] = (int)(c % 4);
            c /= 4;
            if (state[k] == 3 && (!parent || parent[k] < 0)) bad = 1;
        }
        if (bad) continue;
        /* Directions: one per free variable that is not tied; a tied child follows its parent's value. */
        double z0[8] = {0}, dir[8][8] = {{0}};
        size_t nd = 0;
        for (size_t k = 0; k < K; k++) {
            if (state[k] == 1) z0[k] = 1.0;
            if (state[k] == 2) dir[nd++][k] = 1.0;
        }
        /* Tied children: copy the parent's value and the parent's direction, if any. */
        for (size_t k = 0; k < K; k++) {
            if (state[k] != 3) continue;
            long a = parent[k];
            z0[k] = z0[a];
            for (size_t e = 0; e < nd; e++) dir[e][k] = dir[e][a];
        }
        /* Normal equations in the directions: B = G D (p x nd), B'B y = -B'(g0 + G z0). */
        double r0[64], B[8][64], M[64], rhs[8], y[8] = {0};
        for (size_t i = 0; i < p; i++) {
            r0[i] = g0[i];
            for (size_t k = 0; k < K; k++) r0[i] += z0[k] * G[k * p + i];
        }
        for (size_t e = 0; e < nd; e++)
            for (size_t i = 0; i < p; i++) {
                B[e][i] = 0.0;
                for (size_t k = 0; k < K; k++) B[e][i] += dir[e][k] * G[k * p + i];
            }
        for (size_t a = 0; a < nd; a++) {
            rhs[a] = 0.0;
            for (size_t i = 0; i < p; i++) rhs[a] -= B[a][i] * r0[i];
            for (size_t b = 0; b < nd; b++) {
                double s = 0.0;
                for (size_t i = 0; i < p; i++) s += B[a][i] * B[b][i];
                M[a * nd + b] = s;
            }
        }
        if (nd > 0 && !solve_small(M, rhs, nd, y)) continue;
        double z[8];
        for (size_t k = 0; k < K; k++) {
            z[k] = z0[k];
            for (size_t e = 0; e < nd; e++) z[k] += y[e] * dir[e][k];
        }
        int feas = 1;
        for (size_t k = 0; k < K; k++) {
            feas &= z[k] >= -1e-12 && z[k] <= 1 + 1e-12;
            if (parent && parent[k] >= 0) feas &= z[k] <= z[parent[k]] + 1e-12;
        }
        if (!feas) continue;
        double w[64];
        for (size_t i = 0; i < p; i++) {
            w[i] = g0[i];
            for (size_t k = 0; k < K; k++) w[i] += z[k] * G[k * p + i];
        }
        double v = nrm(w, p);
        if (v < best) best = v;
    }
    return best;
}

static void check_feasible(size_t K, const double *z, const long *parent)
{
    for (size_t k = 0; k < K; k++) {
        assert_true(z[k] >= 0.0 && z[k] <= 1.0);
        if (parent && parent[k] >= 0) assert_true(z[k] <= z[parent[k]]);
    }
}

/* ------------------------------------------------------------------------- the least-squares problem */

static void test_ls_box_brute_force(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(7);
    double g0[12], G[7 * 12], z[7], w[12];
    cr_err err;
    size_t interior = 0, at_bounds = 0;
    for (int t = 0; t < 400; t++) {
        size_t K = 1 + gsl_rng_uniform_int(g, 7), p = K + gsl_rng_uniform_int(g, 4);
        double sc = pow(10.0, (double)gsl_rng_uniform_int(g, 7) - 3.0);
        for (size_t i = 0; i < p; i++) g0[i] = sc * gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < K * p; i++) G[i] = sc * gsl_ran_gaussian(g, 1.0);
        cr_clarke_ls_info info;
        assert_int_equal(cr_clarke_ls(p, K, g0, G, NULL, z, w, &info, &err), CR_OK);
        check_feasible(K, z, NULL);
        double want = brute_force(p, K, g0, G, NULL);
        if (fabs(info.norm - want) > 1e-10 * sc)
            fail_msg("instance %d (K %zu, p %zu): %.17g, faces %.17g", t, K, p, info.norm, want);
        /* The certificate brackets the minimum and is tight at the solution. */
        assert_true(info.lower <= want * (1 + 1e-12) + 1e-15 * sc);
        assert_true(info.norm - info.lower <= 1e-10 * sc);
        assert_true(fabs(nrm(w, p) - info.norm) <= 1e-14 * sc);
        for (size_t k = 0; k < K; k++) {
            if (z[k] > 0 && z[k] < 1) interior++;
            else at_bounds++;
        }
    }
    /* Both kinds of optimum occur (the search does not only test vertices). */
    assert_true(interior > 50 && at_bounds > 50);
    gsl_rng_free(g);
}

static void test_ls_parent_brute_force(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(11);
    double g0[12], G[7 * 12], z[7], w[12];
    long parent[7];
    cr_err err;
    size_t tight = 0;
    for (int t = 0; t < 400; t++) {
        size_t K = 2 + gsl_rng_uniform_int(g, 6), p = K + gsl_rng_uniform_int(g, 3);
        /* Variables 0 and 1 are roots; each later one is a root or a child of 0 or 1. */
        for (size_t k = 0; k < K; k++) parent[k] = k < 2 ? -1 : (long)gsl_rng_uniform_int(g, 3) - 1;
        for (size_t i = 0; i < p; i++) g0[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < K * p; i++) G[i] = gsl_ran_gaussian(g, 1.0);
        cr_clarke_ls_info info;
        assert_int_equal(cr_clarke_ls(p, K, g0, G, parent, z, w, &info, &err), CR_OK);
        check_feasible(K, z, parent);
        double want = brute_force(p, K, g0, G, parent);
        if (fabs(info.norm - want) > 1e-10)
            fail_msg("instance %d (K %zu, p %zu): %.17g, faces %.17g", t, K, p, info.norm, want);
        assert_true(info.norm - info.lower <= 1e-10);
        for (size_t k = 0; k < K; k++)
            if (parent[k] >= 0 && z[k] > 1e-9 && fabs(z[k] - z[parent[k]]) < 1e-12 && z[k] < 1 - 1e-9) tight++;
    }
    assert_true(tight > 10); /* optima with z_k = z_parent strictly inside (0, 1) occur */
    gsl_rng_free(g);
}

/* More generators than dimensions, duplicated and zero ones: the minimizer is not unique, the minimum is. */
static void test_ls_degenerate(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(3);
    double g0[6], G[12 * 6], z[12], w[6], zs[12];
    cr_err err;
    cr_clarke_ls_info info;
    for (int t = 0; t < 200; t++) {
        size_t p = 2 + gsl_rng_uniform_int(g, 4), K = p + 1 + gsl_rng_uniform_int(g, 6);
        for (size_t i = 0; i < K * p; i++) G[i] = gsl_ran_gaussian(g, 1.0);
        /* Planted: -g0 = G zs with zs inside the box, so the minimum is 0. */
        for (size_t k = 0; k < K; k++) zs[k] = gsl_rng_uniform(g);
        for (size_t i = 0; i < p; i++) {
            g0[i] = 0.0;
            for (size_t k = 0; k < K; k++) g0[i] -= zs[k] * G[k * p + i];
        }
        assert_int_equal(cr_clarke_ls(p, K, g0, G, NULL, z, w, &info, &err), CR_OK);
        check_feasible(K, z, NULL);
        assert_true(info.norm <= 1e-12 * nrm(g0, p) + 1e-14);
    }
    /* A duplicated generator is one generator of twice the length on [0, 1]; a zero generator changes nothing. */
    for (int t = 0; t < 200; t++) {
        size_t p = 3, K = 3;
        double G2[3 * 3], Gd[5 * 3];
        for (size_t i = 0; i < p; i++) g0[i] = 2 * gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < K * p; i++) G2[i] = gsl_ran_gaussian(g, 1.0);
        /* Gd: g_0 twice (halved), g_1, g_2, zero. */
        for (size_t i = 0; i < p; i++) {
            Gd[0 * p + i] = Gd[1 * p + i] = 0.5 * G2[i];
            Gd[2 * p + i] = G2[p + i];
            Gd[3 * p + i] = G2[2 * p + i];
            Gd[4 * p + i] = 0.0;
        }
        double want = brute_force(p, K, g0, G2, NULL);
        assert_int_equal(cr_clarke_ls(p, 5, g0, Gd, NULL, z, w, &info, &err), CR_OK);
        if (fabs(info.norm - want) > 1e-11) fail_msg("duplicated generator %d: %.17g, faces %.17g", t, info.norm, want);
    }
    /* No generator: the element is g0. */
    g0[0] = 3, g0[1] = 4;
    assert_int_equal(cr_clarke_ls(2, 0, g0, G, NULL, z, w, &info, &err), CR_OK);
    assert_true(info.norm == 5.0 && info.lower == 5.0 && w[0] == 3 && w[1] == 4);
    /* A malformed parent array is refused. */
    long bad[2] = {1, 0};
    assert_int_equal(cr_clarke_ls(2, 2, g0, G, bad, z, w, &info, &err), CR_EINPUT);
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------------------------ the network */

/* The slides' toy as a network: d = n = 1, one neuron (w1 = u, w2 = a), squared loss with lw = 2 (x > 0, where
 * the toy's x max(u, 0) is the network's (x u)_+). */
static void test_toy_closed_form(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(5);
    cr_net *net = cr_net_alloc(1, 1);
    assert_non_null(net);
    cr_err err;
    const double cases[][3] = {{1, 1, 1}, {2, 1.5, 0.5}, {0.7, -1.2, 0.3}, {1.3, 0.8, 2}};
    const double tol = 1e-6;
    size_t on_kink = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double x = cases[c][0], y = cases[c][1], beta = cases[c][2];
        cr_net_obj obj = {CR_LOSS_SQUARED, beta, 2.0};
        for (int t = 0; t < 300; t++) {
            /* u on the kink, within the tolerance of it on either side, or away from it. */
            double u = t % 3 == 0   ? 0.0
                       : t % 3 == 1 ? 0.999 * tol * (2 * gsl_rng_uniform(g) - 1)
                                    : 2 * gsl_ran_gaussian(g, 1.0);
            double a = 2 * gsl_ran_gaussian(g, 1.0);
            net->W1[0] = u, net->w2[0] = a;
            /* The toy's tolerance is on u itself; the network's is a distance |x u| / |x| = |u|: the same. */
            double want = cr_toy_landscape_clarke_minnorm(x, y, beta, u, a, tol, NULL);
            cr_clarke_info info;
            double gel[2];
            assert_int_equal(cr_clarke_network(net, &x, &y, 1, &obj, tol, gel, NULL, &info, &err), CR_OK);
            if (fabs(info.measure - want) > 1e-12 * (1 + want))
                fail_msg("x %g y %g beta %g at (u, a) = (%.17g, %.17g): %.17g, toy %.17g", x, y, beta, u, a,
                         info.measure, want);
            assert_true(fabs(nrm(gel, 2) - info.measure) < 1e-15 * (1 + want));
            on_kink += info.relu_kinks;
        }
        /* The slide's spurious point, the origin, is Clarke stationary; on the kink with a != 0 the minimal
         * element is (0, beta a) (the ReLU's derivative 0 is in [0, 1]). */
        net->W1[0] = 0, net->w2[0] = 0;
        cr_clarke_info info;
        assert_int_equal(cr_clarke_network(net, &x, &y, 1, &obj, tol, NULL, NULL, &info, &err), CR_OK);
        assert_true(info.measure == 0.0 && info.relu_kinks == 1);
        net->W1[0] = 0, net->w2[0] = 0.8;
        assert_int_equal(cr_clarke_network(net, &x, &y, 1, &obj, tol, NULL, NULL, &info, &err), CR_OK);
        assert_true(fabs(info.measure - beta * 0.8) < 1e-15);
    }
    assert_true(on_kink >= 400);
    cr_net_free(net);
    gsl_rng_free(g);
}

/* Away from every kink the measure is the norm of net.c's gradient (BLAS path, an independent code). */
static void test_smooth_equals_gradient(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(9);
    const size_t n = 9, d = 3, m = 4;
    double X[9 * 3], y[9], grad[16], v[9];
    cr_net *net = cr_net_alloc(d, m);
    cr_net_work *nw = cr_net_work_alloc(n, d, m);
    cr_err err;
    for (int kind = 0; kind < 3; kind++) {
        for (int t = 0; t < 30; t++) {
            for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
            for (size_t i = 0; i < n; i++)
                y[i] = kind == 0 ? gsl_ran_gaussian(g, 1.0) : (gsl_rng_uniform(g) < 0.5 ? -1 : 1);
            for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] = gsl_ran_gaussian(g, 1.0);
            cr_net_obj obj = {(cr_loss_kind)kind, 0.3, 1.0};
            assert_int_equal(cr_net_objective(net, X, y, n, &obj, nw, grad, NULL), CR_OK);
            cr_clarke_info info;
            assert_int_equal(cr_clarke_network(net, X, y, n, &obj, 1e-12, NULL, v, &info, &err), CR_OK);
            assert_true(info.relu_kinks == 0 && info.hinge_kinks == 0);
            double gn = nrm(grad, cr_net_size(net));
            if (fabs(info.measure - gn) > 1e-12 * (1 + gn))
                fail_msg("loss %d: %.17g, net.c %.17g", kind, info.measure, gn);
            assert_true(info.measure == info.grad_norm);
            /* v is the derivative of the loss at f. */
            double f[9], dl[9];
            cr_net_reference(X, n, d, net->W1, net->w2, m, f);
            cr_loss_grad((cr_loss_kind)kind, f, y, n, dl);
            for (size_t i = 0; i < n; i++) assert_true(fabs(v[i] - dl[i]) <= 1e-12 * (1 + fabs(dl[i])));
        }
    }
    cr_net_work_free(nw);
    cr_net_free(net);
    gsl_rng_free(g);
}

/* The gradient of net.c at theta + e (e small, moving off the kinks to one side). */
static void side_gradient(const cr_net *net, const double *X, const double *y, size_t n, const cr_net_obj *obj,
                          const double *e, double *grad)
{
    size_t P = cr_net_size(net);
    cr_net *q = cr_net_alloc(net->d, net->m);
    cr_net_work *nw = cr_net_work_alloc(n, net->d, net->m);
    for (size_t k = 0; k < P; k++) q->theta[k] = net->theta[k] + e[k];
    assert_int_equal(cr_net_objective(q, X, y, n, obj, nw, grad, NULL), CR_OK);
    cr_net_work_free(nw);
    cr_net_free(q);
}

/* Minimum norm over the convex hull of up to 4 points of R^P, by the faces: vertices, edges (closed form on the
 * segment) and the triangles and tetrahedron (normal equations, kept when the weights are >= 0). */
static double hull_minnorm(double pts[][64], size_t npts, size_t P)
{
    double best = INFINITY;
    for (unsigned mask = 1; mask < (1u << npts); mask++) {
        size_t idx[4], k = 0;
        for (size_t a = 0; a < npts; a++)
            if (mask >> a & 1u) idx[k++] = a;
        /* Weights lambda on the face: minimize ||sum lambda_a p_a|| with sum lambda = 1: write lambda_0 = 1 - rest. */
        double lam[4] = {1, 0, 0, 0};
        if (k > 1) {
            double M[9], b[3], x[3];
            for (size_t a = 1; a < k; a++) {
                double da[64];
                for (size_t i = 0; i < P; i++) da[i] = pts[idx[a]][i] - pts[idx[0]][i];
                b[a - 1] = 0.0;
                for (size_t i = 0; i < P; i++) b[a - 1] -= da[i] * pts[idx[0]][i];
                for (size_t c = 1; c < k; c++) {
                    double s = 0.0;
                    for (size_t i = 0; i < P; i++) s += da[i] * (pts[idx[c]][i] - pts[idx[0]][i]);
                    M[(a - 1) * (k - 1) + (c - 1)] = s;
                }
            }
            if (!solve_small(M, b, k - 1, x)) continue;
            double s = 0.0;
            for (size_t a = 1; a < k; a++) lam[a] = x[a - 1], s += x[a - 1];
            lam[0] = 1 - s;
        }
        int ok = 1;
        for (size_t a = 0; a < k; a++) ok &= lam[a] >= -1e-12;
        if (!ok) continue;
        double w[64];
        for (size_t i = 0; i < P; i++) {
            w[i] = 0.0;
            for (size_t a = 0; a < k; a++) w[i] += lam[a] * pts[idx[a]][i];
        }
        best = fmin(best, nrm(w, P));
    }
    return best;
}

/* One ReLU kink: neuron 0 exactly on the hyperplane of sample 0; the Clarke subdifferential is the segment
 * between the gradients from the two sides. Two kinks (neurons 0 and 1 on samples 0 and 1): the parallelogram of
 * four side gradients. */
static void test_relu_kinks_vs_side_gradients(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(21);
    const size_t n = 5, d = 2, m = 3;
    double X[10], y[5], e[9], pts[4][64];
    cr_net *net = cr_net_alloc(d, m);
    cr_err err;
    const double h = 1e-9;
    for (int t = 0; t < 200; t++) {
        for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < n; i++) y[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] = gsl_ran_gaussian(g, 1.0);
        /* w1_0 perpendicular to x_0 (and w1_1 to x_1 when two kinks): x_0'w1_0 = 0 up to rounding. */
        size_t nk = 1 + (size_t)(t % 2);
        for (size_t j = 0; j < nk; j++) {
            double s = gsl_ran_gaussian(g, 1.0);
            net->W1[0 * m + j] = -s * X[j * d + 1];
            net->W1[1 * m + j] = s * X[j * d + 0];
        }
        cr_net_obj obj = {CR_LOSS_SQUARED, 0.2, 1.0};
        cr_clarke_info info;
        assert_int_equal(cr_clarke_network(net, X, y, n, &obj, 1e-7, NULL, NULL, &info, &err), CR_OK);
        assert_int_equal(info.relu_kinks, nk);
        assert_true(info.exact);
        size_t npts = 0;
        for (unsigned side = 0; side < (1u << nk); side++) {
            memset(e, 0, sizeof e);
            for (size_t j = 0; j < nk; j++) {
                double sg = (side >> j & 1u) ? h : -h;
                e[0 * m + j] = sg * X[j * d + 0];
                e[1 * m + j] = sg * X[j * d + 1];
            }
            side_gradient(net, X, y, n, &obj, e, pts[npts++]);
        }
        double want = hull_minnorm(pts, npts, cr_net_size(net));
        if (fabs(info.measure - want) > 1e-7)
            fail_msg("%zu kinks, case %d: %.17g, hull of side gradients %.17g", nk, t, info.measure, want);
    }
    cr_net_free(net);
    gsl_rng_free(g);
}

/* Hinge: sample 0 exactly at the hinge's kink y_0 f_0 = 1 (segment of the two side gradients); and also on the
 * ReLU kink of neuron 0 while the margin comes from neuron 1 (the triangle of three side gradients). */
static void test_hinge_kinks_vs_side_gradients(void **state)
{
    (void)state;
    gsl_rng *g = crt_rng_seeded(33);
    const size_t n = 4, d = 2, m = 2;
    double X[8], y[4], e[6], pts[4][64];
    cr_net *net = cr_net_alloc(d, m);
    cr_err err;
    size_t doubles = 0;
    for (int t = 0; t < 200; t++) {
        for (size_t i = 0; i < n * d; i++) X[i] = gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < n; i++) y[i] = gsl_rng_uniform(g) < 0.5 ? -1 : 1;
        for (size_t k = 0; k < cr_net_size(net); k++) net->theta[k] = gsl_ran_gaussian(g, 1.0);
        const int dbl = t % 2;
        if (dbl) { /* neuron 0 on the kink of sample 0 */
            double s = gsl_ran_gaussian(g, 1.0);
            net->W1[0] = -s * X[1];
            net->W1[m] = s * X[0];
        }
        /* Neuron 1 active on sample 0; its output weight puts y_0 f_0 at 1. */
        double h1 = X[0] * net->W1[1] + X[1] * net->W1[m + 1];
        if (h1 < 0) net->W1[1] = -net->W1[1], net->W1[m + 1] = -net->W1[m + 1], h1 = -h1;
        double h0 = X[0] * net->W1[0] + X[1] * net->W1[m];
        double f0 = fmax(h0, 0.0) * net->w2[0];
        net->w2[1] = (y[0] - f0) / h1; /* y f = 1 with y = +-1 */
        cr_net_obj obj = {CR_LOSS_HINGE, 0.2, 1.0};
        cr_clarke_info info;
        assert_int_equal(cr_clarke_network(net, X, y, n, &obj, 1e-7, NULL, NULL, &info, &err), CR_OK);
        if (info.hinge_kinks != 1) continue; /* another sample happened to sit at its margin: skip */
        doubles += info.double_kinks;
        /* Sides: the margin by moving w2_1 (df_0 / dw2_1 = h1 > 0), the ReLU kink by moving w1_0 along x_0.
         * The ReLU step is much smaller, so that it does not move the margin across 1. */
        const double hm = 1e-8, hr = 1e-11;
        size_t npts = 0;
        for (unsigned side = 0; side < (dbl ? 4u : 2u); side++) {
            memset(e, 0, sizeof e);
            e[d * m + 1] = ((side & 1u) ? hm : -hm) * y[0];
            if (dbl) {
                double sg = (side & 2u) ? hr : -hr;
                e[0] = sg * X[0];
                e[m] = sg * X[1];
            }
            side_gradient(net, X, y, n, &obj, e, pts[npts++]);
        }
        double want = hull_minnorm(pts, npts, cr_net_size(net));
        if (fabs(info.measure - want) > 1e-6)
            fail_msg("case %d (double %d): %.17g, hull of side gradients %.17g", t, dbl, info.measure, want);
    }
    assert_true(doubles >= 50);
    cr_net_free(net);
    gsl_rng_free(g);
}

/* ------------------------------------------------------------------------------------ the patterns */

static void test_patterns_at_kinks(void **state)
{
    (void)state;
    /* x_1 = (1, 0), x_2 = (0, 1), x_3 = (-1, -1), x_4 = (1, 1); neuron 1 w1 = (0, 1): on the kink of x_1
     * (x_1'w1 = 0) and active on x_2, x_4; neuron 2 w1 = (1e-9, -1): near the kink of x_1 on the active side;
     * neuron 3 tiny (dead at tol 1e-6). */
    const double X[8] = {1, 0, 0, 1, -1, -1, 1, 1};
    cr_net *net = cr_net_alloc(2, 3);
    net->W1[0] = 0.0, net->W1[3] = 1.0, net->w2[0] = 1.0;
    net->W1[1] = -1e-9, net->W1[4] = -1.0, net->w2[1] = -2.0;
    net->W1[2] = 1e-8, net->W1[5] = 1e-8, net->w2[2] = 1e-8;
    cr_patterns *I = cr_patterns_alloc(4, 4);
    cr_err err;
    char buf[8];
    assert_int_equal(cr_clarke_patterns(net, X, 4, 1e-6, CR_CLARKE_CLOSED, I, &err), CR_OK);
    assert_int_equal(I->p, 2);
    cr_patterns_string(I, 0, buf);
    assert_string_equal(buf, "1101");
    /* Neuron 2: x_1'w1 = -1e-9 (kink within 1e-6: bit 1), x_2 -1, x_3 1, x_4 -1. */
    cr_patterns_string(I, 1, buf);
    assert_string_equal(buf, "1010");
    cr_patterns_clear(I);
    assert_int_equal(cr_clarke_patterns(net, X, 4, 1e-6, CR_CLARKE_BOTH, I, &err), CR_OK);
    assert_int_equal(I->p, 4);
    const char *want[4] = {"1101", "0101", "1010", "0010"};
    for (size_t k = 0; k < 4; k++) {
        uint64_t mask = 0;
        for (size_t i = 0; i < 4; i++)
            if (want[k][i] == '1') mask |= 1ull << i;
        assert_true(cr_patterns_find(I, &mask) != (size_t)-1);
    }
    /* At a tolerance below the kink distance of neuron 2, its pattern is its own sign pattern. */
    cr_patterns_clear(I);
    assert_int_equal(cr_clarke_patterns(net, X, 4, 1e-10, CR_CLARKE_CLOSED, I, &err), CR_OK);
    cr_patterns_string(I, 1, buf);
    assert_string_equal(buf, "0010");
    /* The strict patterns at the kink point: kink bits 0. */
    cr_patterns_clear(I);
    assert_int_equal(cr_clarke_patterns(net, X, 4, 1e-6, CR_CLARKE_STRICT, I, &err), CR_OK);
    assert_int_equal(I->p, 2);
    cr_patterns_string(I, 0, buf);
    assert_string_equal(buf, "0101");
    cr_patterns_string(I, 1, buf);
    assert_string_equal(buf, "0010");
    cr_patterns_free(I);
    cr_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ls_box_brute_force),
        cmocka_unit_test(test_ls_parent_brute_force),
        cmocka_unit_test(test_ls_degenerate),
        cmocka_unit_test(test_toy_closed_form),
        cmocka_unit_test(test_smooth_equals_gradient),
        cmocka_unit_test(test_relu_kinks_vs_side_gradients),
        cmocka_unit_test(test_hinge_kinks_vs_side_gradients),
        cmocka_unit_test(test_patterns_at_kinks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
