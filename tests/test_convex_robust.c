/* Robustness of the convex solver (convex.h; issue 13, point 1) on the instances where it used to fail, each
 * against an independent reference: cvxopt (tests/oracle/socp.py) where its dense KKT system is small
 * enough, else the other method (SSNAL against the interior-point method: independent code paths) and
 * the certificate. Data as the harness builds it (data.kind gaussian, planted labels; patterns.method sample):
 * - the face Newton polish after the interior-point method left cone rows violated (a row that an earlier
 *   step brought to its boundary was no longer ratio-tested): "cone violation" errors at tol 1e-8;
 * - a loose tolerance cost more than a tight one (the polish from an interior point far from the optimum);
 * - AUTO chose by n alone and had no fallback beyond FISTA; a solve at the default settings must not error;
 * - a randomized family over (n, d, p, beta, loss) against cvxopt, with AUTO. */
#include "testutil.h"

#include <math.h>

#include "convex.h"
#include "convex_inst.h"
#include "data.h"
#include "patterns.h"
#include "rng.h"

/* Gaussian data with planted labels (squared) or their signs (logistic, hinge), n x d, and the patterns of
 * `samples` Gaussian directions, from the streams the harness derives from `seed` (experiments/common.c). */
static inst harness_inst(size_t n, size_t d, size_t samples, long seed, cr_loss_kind loss)
{
    gsl_rng *r = cr_rng_stream(seed, "data");
    cr_data *D = NULL;
    cr_err e;
    cr_labels_kind lab = loss == CR_LOSS_SQUARED ? CR_LABELS_PLANTED : CR_LABELS_SIGN;
    assert_int_equal(cr_data_gaussian(n, d, 3, 0.1, lab, r, &D, &e), CR_OK);
    gsl_rng_free(r);
    inst I = {n, d, malloc(n * d * sizeof(double)), malloc(n * sizeof(double)), NULL};
    memcpy(I.X, D->X, n * d * sizeof(double));
    memcpy(I.y, D->y, n * sizeof(double));
    cr_data_free(D);
    gsl_rng *rp = cr_rng_stream(seed, "patterns");
    assert_int_equal(cr_patterns_sample(I.X, n, d, samples, rp, &I.P, &e), CR_OK);
    gsl_rng_free(rp);
    return I;
}

/* One solve with the given method and tolerance (other options at their defaults); the returned point is
 * certified: status converged, gap <= tol, cone-feasible to rounding, and the reported primal is the
 * objective of the returned point. */
static double solve_ok(const inst *I, cr_loss_kind loss, double beta, double tol, cr_convex_method m,
                       cr_convex_info *info)
{
    cr_convex_work *w = cr_convex_alloc(I->n, I->d, I->P->p);
    cr_convex_sol *sol = cr_convex_sol_alloc(I->P->p, I->d);
    assert_non_null(w);
    assert_non_null(sol);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    o.tol = tol;
    o.method = m;
    cr_err e = {{0}};
    int st = cr_convex_solve(w, I->X, I->y, I->n, I->d, I->P, loss, beta, &o, sol, info, &e);
    if (st != CR_OK || info->status != CR_CONVEX_CONVERGED)
        fprintf(stderr, "n %zu d %zu p %zu beta %g tol %g method %s: %s (%s, rel gap %.3g, violation %.3g)\n", I->n,
                I->d, I->P->p, beta, tol, cr_convex_method_name(m), st ? e.msg : "",
                cr_convex_status_name(info->status), info->rel_gap, info->cone_violation);
    assert_int_equal(st, CR_OK);
    assert_int_equal(info->status, CR_CONVEX_CONVERGED);
    assert_true(info->rel_gap <= tol);
    assert_true(info->cone_violation <= 1e-12);
    assert_true(cr_convex_cone_violation(I->X, I->n, I->d, I->P, sol) <= 1e-12);
    double ref = cr_convex_objective(I->X, I->y, I->n, I->d, I->P, loss, beta, sol, NULL);
    assert_true(fabs(ref - info->primal) <= 1e-12 * fmax(1, fabs(ref)));
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    return info->primal;
}

static void agree(const char *what, double a, double b, double tol)
{
    double rel = fabs(a - b) / fmax(1, fabs(b));
    if (rel > tol) fprintf(stderr, "%s: %.15g against %.15g (rel %.3g)\n", what, a, b, rel);
    assert_true(rel <= tol);
}

/* The interior-point method's polish left cone rows violated by 0.035 and 0.0066 (relative) on these two
 * instances at tol 1e-8 (before the fix: "cone violation ... at the returned point", exit 1), and its
 * objective below the optimum. Now: certified, feasible, and equal to SSNAL's optimum. */
static void test_polish_feasible(void **state)
{
    (void)state;
    static const long seeds[] = {1, 3};
    for (size_t c = 0; c < sizeof seeds / sizeof seeds[0]; c++) {
        inst I = harness_inst(200, 8, 100, seeds[c], CR_LOSS_SQUARED);
        cr_convex_info a, b;
        double ipm = solve_ok(&I, CR_LOSS_SQUARED, 0.3, 1e-8, CR_CONVEX_IPM, &a);
        assert_int_equal(a.method, CR_CONVEX_IPM);
        assert_true(a.polishes >= 1);
        /* cvxopt's dense KKT system (1800 variables, 40000 cone rows) takes minutes here: SSNAL is the
         * reference (another code path: no barrier, no Woodbury system) */
        double ssnal = solve_ok(&I, CR_LOSS_SQUARED, 0.3, 1e-8, CR_CONVEX_SSNAL, &b);
        agree("ipm against ssnal", ipm, ssnal, 1e-8);
        inst_free(&I);
    }
}

/* n = 200, d = 10, 50 patterns, beta = 1: the interior-point method took 217 and 611 Newton steps (IPM
 * iterations plus polish steps; 2.0 s and 3.5 s of CPU) at tol 1e-2 and 1e-4 against 116 and 72 at 1e-6 and
 * 1e-8 (0.24 s, 0.21 s). The step count is the deterministic measure of its work: loosening the tolerance
 * never raises it, and every answer is certified at its tolerance. */
static void test_loose_tol_not_slower(void **state)
{
    (void)state;
    inst I = harness_inst(200, 10, 50, 1, CR_LOSS_SQUARED);
    static const double tols[] = {1e-2, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8};
    long prev = 0;
    double best = INFINITY, last = 0;
    for (size_t t = 0; t < sizeof tols / sizeof tols[0]; t++) {
        cr_convex_info info;
        last = solve_ok(&I, CR_LOSS_SQUARED, 1.0, tols[t], CR_CONVEX_IPM, &info);
        assert_int_equal(info.method, CR_CONVEX_IPM);
        if (info.newton < prev)
            fprintf(stderr, "tol %g: %ld Newton steps, %ld at the looser tolerance before\n", tols[t], info.newton,
                    prev);
        assert_true(info.newton >= prev);
        prev = info.newton;
        best = fmin(best, info.primal - info.gap); /* every certificate's lower bound */
    }
    /* the certified lower bounds never exceed the most accurate primal value */
    assert_true(best <= last * (1 + 1e-12));
    inst_free(&I);
}

/* AUTO by shape: n = 200, d = 8, 200 patterns (p d = 8 n), beta = 1, tol 1e-6. AUTO chose the
 * interior-point method by n alone, and the solve at these settings errored ("cone violation 0.0095",
 * 0.0042 and 0.023 for the three seeds); SSNAL solves them in a fifth of the time. Now AUTO takes SSNAL
 * (p d > 4 n) and the optimum agrees with the interior-point method's. */
static void test_auto_shape(void **state)
{
    (void)state;
    for (long seed = 1; seed <= 3; seed++) {
        inst I = harness_inst(200, 8, 200, seed, CR_LOSS_SQUARED);
        assert_true(I.P->p * I.d > 4 * I.n);
        cr_convex_info a, b;
        double fa = solve_ok(&I, CR_LOSS_SQUARED, 1.0, 1e-6, CR_CONVEX_AUTO, &a);
        assert_int_equal(a.method, CR_CONVEX_SSNAL);
        double fb = solve_ok(&I, CR_LOSS_SQUARED, 1.0, 1e-6, CR_CONVEX_IPM, &b);
        agree("auto against ipm", fa, fb, 2e-6);
        inst_free(&I);
    }
    /* p d <= 4 n from n = 200 on: the interior-point method */
    inst J = harness_inst(200, 10, 50, 2, CR_LOSS_SQUARED);
    cr_convex_info c;
    solve_ok(&J, CR_LOSS_SQUARED, 1.0, 1e-8, CR_CONVEX_AUTO, &c);
    assert_int_equal(c.method, CR_CONVEX_IPM);
    inst_free(&J);
}

/* The exact patterns of n = 25, d = 3 (p = 603; the instance shape, where SSNAL failed after 56 s
 * and the interior-point method took 0.25 s), beta = 0.01: SSNAL needs about 680 Newton steps here. Under
 * AUTO it starts (n < 200), spends its budget of 500 Newton steps and hands over to the interior-point
 * method, whose certified optimum agrees with SSNAL's own (run alone, to the end). Before: AUTO ran SSNAL
 * with no budget and FISTA as its only fallback. */
static void test_auto_fallback(void **state)
{
    (void)state;
    gsl_rng *r = cr_rng_stream(1, "data");
    cr_data *D = NULL;
    assert_int_equal(cr_data_gaussian(25, 3, 3, 0.1, CR_LABELS_PLANTED, r, &D, NULL), CR_OK);
    gsl_rng_free(r);
    inst I = {25, 3, malloc(75 * sizeof(double)), malloc(25 * sizeof(double)), NULL};
    memcpy(I.X, D->X, 75 * sizeof(double));
    memcpy(I.y, D->y, 25 * sizeof(double));
    cr_data_free(D);
    assert_int_equal(cr_patterns_enumerate(I.X, 25, 3, &I.P, NULL), CR_OK);
    assert_int_equal(I.P->p, 603);
    cr_convex_info a, b;
    double fs = solve_ok(&I, CR_LOSS_SQUARED, 0.01, 1e-8, CR_CONVEX_SSNAL, &b);
    assert_true(b.newton > 500);
    double fa = solve_ok(&I, CR_LOSS_SQUARED, 0.01, 1e-8, CR_CONVEX_AUTO, &a);
    assert_int_equal(a.method, CR_CONVEX_IPM);
    assert_true(a.newton >= 500);
    agree("auto (ssnal, then ipm) against ssnal", fa, fs, 1e-8);
    inst_free(&I);
}

/* A randomized family against cvxopt: n, d, sampled directions, beta (log-uniform in [0.01, 1]) and the
 * loss drawn from a fixed stream, each solved by AUTO at the default settings (hinge: small n, where
 * cvxopt's conelp is quick). */
static void test_random_family(void **state)
{
    (void)state;
    gsl_rng *r = cr_rng_seeded(13013);
    for (int c = 0; c < 8; c++) {
        cr_loss_kind loss = c % 4 == 3 ? CR_LOSS_HINGE : c % 2 ? CR_LOSS_LOGISTIC : CR_LOSS_SQUARED;
        size_t n = loss == CR_LOSS_HINGE ? 8 + gsl_rng_uniform_int(r, 4) : 10 + gsl_rng_uniform_int(r, 31);
        size_t d = 2 + gsl_rng_uniform_int(r, 3), samples = 5 + gsl_rng_uniform_int(r, 40);
        double beta = pow(10.0, -2.0 * gsl_rng_uniform(r));
        inst I = harness_inst(n, d, samples, 100 + c, loss);
        cr_convex_info info;
        cr_convex_opts o;
        cr_convex_opts_default(&o);
        double ours = solve_ok(&I, loss, beta, o.tol, CR_CONVEX_AUTO, &info);
        double ref = oracle(&I, loss, beta);
        char what[128];
        snprintf(what, sizeof what, "case %d (%s, n %zu, d %zu, p %zu, beta %g)", c, cr_loss_name(loss), n, d,
                 I.P->p, beta);
        agree(what, ours, ref, 1e-6);
        /* cvxopt's point is feasible to its tolerance: ours is not above it beyond that */
        assert_true(ours <= ref + 1e-7 * fmax(1, fabs(ref)));
        inst_free(&I);
    }
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_polish_feasible),
        cmocka_unit_test(test_loose_tol_not_slower),
        cmocka_unit_test(test_auto_shape),
        cmocka_unit_test(test_auto_fallback),
        cmocka_unit_test(test_random_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
