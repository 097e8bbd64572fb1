/* Tests of the method ssnal_cg of cr_convex_solve (convex_ssnalcg.c): its optimum against cvxopt
 * (tests/oracle/socp.py) on small instances for the squared and the logistic loss (the losses it handles;
 * the hinge is handed to FISTA, checked here too), its certified value against the interior-point method's on a
 * mid instance (n = 400), and its iteration log. */
#include "testutil.h"

#include <math.h>

#include "convex.h"
#include "convex_inst.h"
#include "patterns.h"

static cr_convex_info solve_with(const inst *I, cr_loss_kind loss, double beta, cr_convex_method method, double tol,
                                 cr_convex_opts *op)
{
    size_t p = I->P->p, d = I->d;
    cr_convex_work *w = cr_convex_alloc(I->n, d, p);
    cr_convex_sol *sol = cr_convex_sol_alloc(p, d);
    assert_non_null(w);
    assert_non_null(sol);
    cr_convex_opts o;
    if (op) o = *op;
    else cr_convex_opts_default(&o);
    o.method = method;
    o.tol = tol;
    cr_convex_info info;
    cr_err e;
    int st = cr_convex_solve(w, I->X, I->y, I->n, d, I->P, loss, beta, &o, sol, &info, &e);
    if (st != CR_OK) fprintf(stderr, "solve: %s\n", e.msg);
    assert_int_equal(st, CR_OK);
    /* the point reported is the point returned */
    double obj = cr_convex_objective(I->X, I->y, I->n, d, I->P, loss, beta, sol, NULL);
    assert_true(fabs(obj - info.primal) <= 1e-9 * fmax(1, fabs(obj)));
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    return info;
}

/* Squared and logistic on plain and degenerate data (duplicate row, parallel opposite rows, zero row),
 * sampled and exact patterns: converged by ssnal_cg itself, within the certified gap of cvxopt's optimum. */
static void test_oracle(void **state)
{
    (void)state;
    static const inst_case cs[] = {{30, 3, 0, 40, 0.1, CR_LOSS_SQUARED},  {40, 4, 1, 50, 0.5, CR_LOSS_SQUARED},
              {12, 3, 2, 200, 0.05, CR_LOSS_SQUARED}, {8, 3, 4, ENUM, 0.1, CR_LOSS_SQUARED},
              {25, 3, 3, 30, 0.2, CR_LOSS_LOGISTIC},  {40, 4, 0, 40, 0.5, CR_LOSS_LOGISTIC}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        inst I = make_inst(cs[c].n, cs[c].d, cs[c].loss, cs[c].kind, cs[c].samples, 9100 + c);
        cr_convex_info info = solve_with(&I, cs[c].loss, cs[c].beta, CR_CONVEX_SSNAL_CG, 1e-9, NULL);
        double ref = oracle(&I, cs[c].loss, cs[c].beta);
        double rel = fabs(info.primal - ref) / fmax(1, fabs(ref));
        if (rel > 1e-6 || info.method != CR_CONVEX_SSNAL_CG || info.status != CR_CONVEX_CONVERGED)
            fprintf(stderr, "case %zu (n %zu d %zu p %zu): %s %s primal %.12g cvxopt %.12g rel %.3g\n", c, I.n, I.d,
                    I.P->p, cr_convex_method_name(info.method), cr_convex_status_name(info.status), info.primal,
                    ref, rel);
        assert_int_equal(info.status, CR_CONVEX_CONVERGED);
        assert_int_equal(info.method, CR_CONVEX_SSNAL_CG);
        assert_true(info.rel_gap <= 1e-9);
        /* cvxopt stops at its own tolerance (1e-9 relative): agreement to 1e-6 */
        assert_true(rel <= 1e-6);
        /* a certified lower bound never exceeds the oracle's optimum (beyond its tolerance) */
        assert_true(info.dual <= ref + 1e-7 * fmax(1, fabs(ref)));
        assert_true(info.cone_violation <= 1e-9);
        inst_free(&I);
    }
}

/* The hinge is not handled by ssnal_cg: FISTA solves it (the method table's fallback), certified. */
static void test_hinge_fallback(void **state)
{
    (void)state;
    inst I = make_inst(20, 3, CR_LOSS_HINGE, 0, 20, 9200);
    cr_convex_info info = solve_with(&I, CR_LOSS_HINGE, 0.2, CR_CONVEX_SSNAL_CG, 1e-4, NULL);
    assert_int_equal(info.method, CR_CONVEX_FISTA);
    assert_int_equal(info.status, CR_CONVEX_CONVERGED);
    double ref = oracle(&I, CR_LOSS_HINGE, 0.2);
    assert_true(fabs(info.primal - ref) <= 1e-4 * fmax(1, fabs(ref)) + 1e-7);
    inst_free(&I);
}

/* A mid instance (n = 400, d = 8, 100 sampled directions, squared loss): ssnal_cg and the interior-point
 * method each certify their value; the two optima agree within the sum of their certified gaps, and each
 * method's lower bound lies below the other's value. */
static void test_matches_ipm(void **state)
{
    (void)state;
    inst I = make_inst(400, 8, CR_LOSS_SQUARED, 0, 100, 9300);
    cr_convex_info cg = solve_with(&I, CR_LOSS_SQUARED, 0.5, CR_CONVEX_SSNAL_CG, 1e-8, NULL);
    cr_convex_info ipm = solve_with(&I, CR_LOSS_SQUARED, 0.5, CR_CONVEX_IPM, 1e-8, NULL);
    assert_int_equal(cg.method, CR_CONVEX_SSNAL_CG);
    assert_int_equal(cg.status, CR_CONVEX_CONVERGED);
    assert_int_equal(ipm.status, CR_CONVEX_CONVERGED);
    assert_true(cg.dual <= ipm.primal * (1 + 1e-12));
    assert_true(ipm.dual <= cg.primal * (1 + 1e-12));
    assert_true(fabs(cg.primal - ipm.primal) <= cg.gap + ipm.gap + 1e-12 * fabs(ipm.primal));
    assert_true(cg.rel_gap <= 1e-8);
    inst_free(&I);
}

typedef struct {
    long calls, last_iter;
    double last_rel;
    int monotone;
} log_ctx;

static void on_log(const cr_convex_progress *pr, void *ctx)
{
    log_ctx *c = ctx;
    if (pr->iteration < c->last_iter || pr->rel_gap < 0 || pr->gap < 0 || pr->dual > pr->primal + 1e-9)
        c->monotone = 0;
    c->calls++;
    c->last_iter = pr->iteration;
    c->last_rel = pr->rel_gap;
}

/* The iteration log: at least one call per outer iteration (and one per improving polish) with nondecreasing
 * numbers; the last one is the certificate of the returned point. */
static void test_log(void **state)
{
    (void)state;
    inst I = make_inst(60, 3, CR_LOSS_SQUARED, 0, 40, 9400);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    assert_null(o.log);
    log_ctx c = {0, 0, 0, 1};
    o.log = on_log;
    o.log_ctx = &c;
    cr_convex_info info = solve_with(&I, CR_LOSS_SQUARED, 0.1, CR_CONVEX_SSNAL_CG, 1e-8, &o);
    assert_int_equal(info.method, CR_CONVEX_SSNAL_CG);
    assert_true(c.monotone);
    assert_true(c.calls >= info.iterations && c.calls <= info.iterations + info.polishes);
    assert_true(c.last_rel == info.rel_gap);
    assert_string_equal(cr_convex_method_name(CR_CONVEX_SSNAL_CG), "ssnal_cg");
    inst_free(&I);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_hinge_fallback),
        cmocka_unit_test(test_matches_ipm),
        cmocka_unit_test(test_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
