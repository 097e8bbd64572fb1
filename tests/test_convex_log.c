/* Tests of the iteration log of cr_convex_solve (cr_convex_opts.log, convex.h): every method (fista, ssnal, ipm,
 * ssnal_cg, and AUTO's chain) calls it at least once, each call under the name of the method that runs, with the
 * certificate's own definitions (gap = primal - dual, or 0 when rounding makes that negative; rel_gap = gap /
 * max(1, |primal|)), active <= 2p, counters and clock nondecreasing, no certificate reported twice in a row,
 * products only from the CG method, and the last call describing the returned point: its primal, dual, gap and
 * rel_gap are cr_convex_info's, its active blocks the returned point's nonzero blocks, its primal the reference
 * objective (plain loops, cr_convex_objective) of the returned point. */
#include "testutil.h"

#include <math.h>

#include "convex.h"
#include "convex_inst.h"
#include "patterns.h"

#define MAXCALLS 100000

typedef struct {
    long calls;
    cr_convex_progress first, last, prev;
    char method[32];   /* the name of the last call */
    int names_ok;                         /* every call named `want` (when want is set) */
    const char *want;
    int consistent, monotone, repeated, products_seen;
    size_t two_p;
} rec;

static void on_log(const cr_convex_progress *pr, void *ctx)
{
    rec *r = ctx;
    if (r->want && (!pr->method || strcmp(pr->method, r->want) != 0)) r->names_ok = 0;
    double diff = pr->primal - pr->dual;
    double gap = diff < 0 ? 0.0 : diff;
    if (!(pr->gap == gap) || !(pr->rel_gap == pr->gap / fmax(1.0, fabs(pr->primal))) || pr->active > r->two_p ||
        !(pr->seconds >= 0) || pr->iteration < 0 || pr->newton < 0 || pr->products < 0 || !(pr->sigma >= 0))
        r->consistent = 0;
    if (r->calls > 0) {
        if (pr->iteration < r->prev.iteration || pr->newton < r->prev.newton || pr->seconds < r->prev.seconds)
            r->monotone = 0;
        if (pr->iteration == r->prev.iteration && pr->newton == r->prev.newton && pr->products == r->prev.products &&
            pr->primal == r->prev.primal && pr->dual == r->prev.dual && pr->active == r->prev.active)
            r->repeated = 1;
    } else {
        r->first = *pr;
    }
    if (pr->products > 0) r->products_seen = 1;
    snprintf(r->method, sizeof r->method, "%s", pr->method ? pr->method : "");
    r->prev = r->last = *pr;
    r->calls++;
}

/* Solves I by `method` with the recorder; checks everything the header says, returns the info. */
static cr_convex_info solve_logged(const inst *I, cr_loss_kind loss, double beta, cr_convex_method method,
                                   const char *want, double tol, rec *r)
{
    size_t p = I->P->p, d = I->d;
    cr_convex_work *w = cr_convex_alloc(I->n, d, p);
    cr_convex_sol *sol = cr_convex_sol_alloc(p, d);
    assert_non_null(w);
    assert_non_null(sol);
    cr_convex_opts o;
    cr_convex_opts_default(&o);
    assert_null(o.log);
    o.method = method;
    o.tol = tol;
    memset(r, 0, sizeof *r);
    r->names_ok = r->consistent = r->monotone = 1;
    r->want = want;
    r->two_p = 2 * p;
    o.log = on_log;
    o.log_ctx = r;
    cr_convex_info info;
    cr_err e;
    int st = cr_convex_solve(w, I->X, I->y, I->n, d, I->P, loss, beta, &o, sol, &info, &e);
    if (st != CR_OK) fprintf(stderr, "solve: %s\n", e.msg);
    assert_int_equal(st, CR_OK);
    assert_int_equal(info.status, CR_CONVEX_CONVERGED);
    assert_true(r->calls >= 1);
    assert_true(r->names_ok);
    assert_true(r->consistent);
    assert_true(r->monotone);
    assert_false(r->repeated);
    /* the last call is the returned point */
    assert_true(r->last.primal == info.primal);
    assert_true(r->last.dual == info.dual);
    assert_true(r->last.gap == info.gap);
    assert_true(r->last.rel_gap == info.rel_gap);
    assert_true(r->last.rel_gap <= tol);
    assert_int_equal(r->last.active, info.nnz);
    assert_int_equal(r->last.active, cr_convex_sol_nnz(sol));
    assert_true(r->last.iteration <= info.iterations);
    assert_true(r->last.newton <= info.newton);
    assert_true(r->last.seconds <= info.seconds);
    double obj = cr_convex_objective(I->X, I->y, I->n, d, I->P, loss, beta, sol, NULL);
    assert_true(fabs(obj - r->last.primal) <= 1e-9 * fmax(1, fabs(obj)));
    cr_convex_sol_free(sol);
    cr_convex_free(w);
    return info;
}

/* Each method on its own (no fallback taken): FISTA from zero needs many certificates, every one named fista. */
static void test_fista(void **state)
{
    (void)state;
    inst I = make_inst(30, 3, CR_LOSS_SQUARED, 0, 20, 5101);
    rec r;
    cr_convex_info info = solve_logged(&I, CR_LOSS_SQUARED, 0.5, CR_CONVEX_FISTA, "fista", 1e-6, &r);
    assert_int_equal(info.method, CR_CONVEX_FISTA);
    /* a certificate every 10 steps (check_every 0): at least iterations / 10 calls */
    assert_true(r.calls >= info.iterations / 10);
    assert_true(r.calls >= 2);
    assert_false(r.products_seen);
    assert_true(r.last.sigma == 0);
    inst_free(&I);
}

static void test_ssnal(void **state)
{
    (void)state;
    rec r;
    for (int l = 0; l < 3; l++) {
        cr_loss_kind loss = l == 0 ? CR_LOSS_SQUARED : l == 1 ? CR_LOSS_LOGISTIC : CR_LOSS_HINGE;
        inst I = make_inst(40, 3, loss, 0, 30, 5200 + (unsigned long)l);
        cr_convex_info info = solve_logged(&I, loss, 0.1, CR_CONVEX_SSNAL, "ssnal", 1e-8, &r);
        assert_int_equal(info.method, CR_CONVEX_SSNAL);
        /* one call per outer iteration at least; the proximal parameter is SSNAL's */
        assert_true(r.calls >= info.iterations);
        assert_true(r.first.sigma > 0);
        assert_false(r.products_seen);
        inst_free(&I);
    }
}

static void test_ipm(void **state)
{
    (void)state;
    inst I = make_inst(60, 3, CR_LOSS_SQUARED, 0, 30, 5301);
    rec r;
    cr_convex_info info = solve_logged(&I, CR_LOSS_SQUARED, 0.1, CR_CONVEX_IPM, "ipm", 1e-8, &r);
    assert_int_equal(info.method, CR_CONVEX_IPM);
    assert_false(r.products_seen);
    assert_true(r.last.sigma == 0);
    /* the interior point has every block nonzero; the returned (sparsified) point fewer: the last call is the
     * sparsified point, not the interior one */
    assert_int_equal(r.first.active, 2 * I.P->p);
    assert_true(r.last.active < 2 * I.P->p);
    inst_free(&I);
}

static void test_ssnal_cg(void **state)
{
    (void)state;
    inst I = make_inst(60, 3, CR_LOSS_LOGISTIC, 0, 40, 5401);
    rec r;
    cr_convex_info info = solve_logged(&I, CR_LOSS_LOGISTIC, 0.1, CR_CONVEX_SSNAL_CG, "ssnal_cg", 1e-8, &r);
    assert_int_equal(info.method, CR_CONVEX_SSNAL_CG);
    assert_true(r.products_seen);
    assert_true(r.first.sigma > 0);
    /* one call per certificate: outer iterations plus adopted polishes at most (each logged once) */
    assert_true(r.calls >= info.iterations && r.calls <= info.iterations + info.polishes);
    inst_free(&I);
}

/* AUTO on a shape that runs the interior-point method first (squared, n >= 200, p d <= 4 n) and on one that runs
 * SSNAL: the names follow what runs (want NULL: checked against info.method at the end). */
static void test_auto(void **state)
{
    (void)state;
    rec r;
    inst I = make_inst(200, 2, CR_LOSS_SQUARED, 0, 40, 5501);
    cr_convex_info info = solve_logged(&I, CR_LOSS_SQUARED, 0.1, CR_CONVEX_AUTO, NULL, 1e-8, &r);
    assert_string_equal(r.method, cr_convex_method_name(info.method));
    assert_int_equal(info.method, CR_CONVEX_IPM);
    inst_free(&I);
    I = make_inst(30, 3, CR_LOSS_LOGISTIC, 0, 20, 5502);
    info = solve_logged(&I, CR_LOSS_LOGISTIC, 0.1, CR_CONVEX_AUTO, NULL, 1e-8, &r);
    assert_string_equal(r.method, cr_convex_method_name(info.method));
    assert_int_equal(info.method, CR_CONVEX_SSNAL);
    inst_free(&I);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fista),
        cmocka_unit_test(test_ssnal),
        cmocka_unit_test(test_ipm),
        cmocka_unit_test(test_ssnal_cg),
        cmocka_unit_test(test_auto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
