/* Tests of convex_ipm.h: the interior-point method on its own (no projection, no polish) against cvxopt
 * (tests/oracle/socp.py) on plain and degenerate instances (the objective and the cone rows of its own
 * point), its stopping rules (its own gap, the iteration limit, the check), the empty pattern set, and
 * cr_convex_ipm_work_bytes against the bytes it actually asks malloc for and a closed form derived by hand
 * from its buffer list. */
#include "testutil.h"

#include <math.h>

#include "alloc_count.h"
#include "convex.h"
#include "convex_inst.h"
#include "convex_ipm.h"
#include "patterns.h"

/* The convex objective at the method's point U2 (2p x d: u_1..u_p, u'_1..u'_p), and the largest absolute
 * violation max_{b,k} max(0, -(2 D_bk - 1) x_k'u_b) of its cone rows (plain loops). */
static double objective_at(const inst *I, double beta, const double *U2, double *viol)
{
    size_t n = I->n, p = I->P->p, d = I->d;
    cr_convex_sol *s = cr_convex_sol_alloc(p, d);
    assert_non_null(s);
    memcpy(s->U, U2, p * d * sizeof(double));
    memcpy(s->Up, U2 + p * d, p * d * sizeof(double));
    double f = cr_convex_objective(I->X, I->y, n, d, I->P, CR_LOSS_SQUARED, beta, s, NULL);
    cr_convex_sol_free(s);
    *viol = 0;
    for (size_t b = 0; b < 2 * p; b++)
        for (size_t k = 0; k < n; k++) {
            double h = 0;
            for (size_t a = 0; a < d; a++) h += I->X[k * d + a] * U2[b * d + a];
            *viol = fmax(*viol, cr_patterns_bit(I->P, b % p, k) ? -h : h);
        }
    return f;
}

/* Plain data, a duplicate row, parallel opposite rows, a zero row, rank-deficient X; patterns by the d = 2
 * sweep, by sampled directions and by exact enumeration (convex_inst.h). */
static void test_oracle(void **state)
{
    (void)state;
    static const inst_case cs[] = {{10, 2, 0, 0, 0.1, CR_LOSS_SQUARED},  {12, 3, 2, 200, 0.05, CR_LOSS_SQUARED},
                                   {40, 3, 0, 60, 0.2, CR_LOSS_SQUARED},  {8, 3, 4, ENUM, 0.1, CR_LOSS_SQUARED},
                                   {30, 4, 1, 50, 0.5, CR_LOSS_SQUARED},  {9, 2, 3, 0, 0.02, CR_LOSS_SQUARED}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        inst I = make_inst(cs[c].n, cs[c].d, CR_LOSS_SQUARED, cs[c].kind, cs[c].samples, 4000 + c);
        size_t p = I.P->p, d = I.d;
        /* tol 1e-6: the method stops at its own relative gap 1e-9, well above its rounding floor */
        double *U2 = calloc(2 * p * d, sizeof(double)), tol = 1e-6, viol;
        cr_ipm_info info;
        int rc = cr_convex_ipm(I.X, I.y, I.n, d, I.P, cs[c].beta, tol, 500, NULL, NULL, U2, &info);
        assert_int_equal(rc, 0);
        /* it ended by its own rule */
        assert_true(info.iterations < 500);
        assert_true(info.rel_gap <= 1e-3 * tol);
        double ours = objective_at(&I, cs[c].beta, U2, &viol), ref = oracle(&I, CR_LOSS_SQUARED, cs[c].beta);
        double rel = fabs(ours - ref) / fmax(1, fabs(ref));
        if (rel > 1e-7 || viol > info.pres)
            fprintf(stderr,
                    "case %zu (n %zu d %zu kind %d p %zu): ipm %.12g cvxopt %.12g rel %.3g violation %.3g residual %.3g\n",
                    c, I.n, d, cs[c].kind, p, ours, ref, rel, viol, info.pres);
        assert_true(rel <= 1e-7);
        /* cvxopt's point is feasible up to its tolerance: ours can only be lower, within that tolerance */
        assert_true(ours <= ref + 1e-8 * fmax(1, fabs(ref)));
        /* the cone rows hold up to the primal residual (their slacks stay positive) */
        assert_true(viol <= info.pres * (1 + 1e-9) + 1e-15);
        free(U2);
        inst_free(&I);
    }
}

typedef struct {
    long calls, nears;
    int stop_at_near;   /* return 1 at the first near call */
    double *last;       /* copy of the last U2 seen */
    size_t m;
} check_ctx;

static int check_fn(void *vctx, const double *U2, int near)
{
    check_ctx *c = vctx;
    c->calls++;
    c->nears += near;
    memcpy(c->last, U2, c->m * sizeof(double));
    return near && c->stop_at_near;
}

/* The check is called once per iteration with the current point, stops the method when it returns 1, and
 * the returned point is the one it saw last; the iteration limit ends the method after max_iter
 * iterations. */
static void test_check_and_limit(void **state)
{
    (void)state;
    inst I = make_inst(20, 3, CR_LOSS_SQUARED, 0, 40, 77);
    size_t m = 2 * I.P->p * I.d;
    double *U2 = calloc(m, sizeof(double)), *last = calloc(m, sizeof(double));
    cr_ipm_info info;
    check_ctx c = {0, 0, 1, last, m};
    assert_int_equal(cr_convex_ipm(I.X, I.y, I.n, I.d, I.P, 0.1, 1e-6, 500, check_fn, &c, U2, &info), 1);
    assert_int_equal(c.nears, 1);
    assert_int_equal(info.checks, 1);
    assert_int_equal(c.calls, info.iterations + 1);
    assert_true(info.rel_gap <= 10 * 1e-6);
    assert_memory_equal(U2, last, m * sizeof(double));
    /* never stopping: the method ends by itself, after the near calls */
    check_ctx c2 = {0, 0, 0, last, m};
    assert_int_equal(cr_convex_ipm(I.X, I.y, I.n, I.d, I.P, 0.1, 1e-6, 500, check_fn, &c2, U2, &info), 0);
    assert_true(c2.nears >= 1 && c2.calls == info.iterations + 1 && info.rel_gap <= 1e-9);
    /* iteration limit */
    check_ctx c3 = {0, 0, 0, last, m};
    assert_int_equal(cr_convex_ipm(I.X, I.y, I.n, I.d, I.P, 0.1, 1e-6, 2, check_fn, &c3, U2, &info), 0);
    assert_int_equal(info.iterations, 2);
    assert_int_equal(c3.calls, 3);
    assert_true(info.rel_gap > 1e-9);
    assert_memory_equal(U2, last, m * sizeof(double));
    free(U2), free(last);
    inst_free(&I);
}

/* No patterns: nothing to do, nothing allocated, U2 untouched. */
static void test_empty(void **state)
{
    (void)state;
    inst I = make_inst(6, 2, CR_LOSS_SQUARED, 0, 0, 5);
    cr_patterns *E = cr_patterns_alloc(6, 4);
    double U2[1] = {42.0};
    cr_ipm_info info = {.iterations = 9};
    assert_int_equal(cr_convex_ipm(I.X, I.y, 6, 2, E, 0.1, 1e-8, 100, NULL, NULL, U2, &info), 0);
    assert_true(U2[0] == 42.0);
    assert_int_equal(info.iterations, 0);
    assert_int_equal(cr_convex_ipm_work_bytes(6, 2, 0), 0);
    cr_patterns_free(E);
    inst_free(&I);
}

/* The buffer list of convex_ipm.c read by hand: with q = d + 1, ml = 2 p n cone rows, mt = ml + 2 p q cone
 * entries, nx = 2 p q variables, nch = max(n, 256): Dm, Sg, T (n p each), Wt and wl (2 p n each), Ud, Gp
 * (p d), Ub (2 p d), Xs, XL (n d), 16 vectors of mt, 12 of nx, wbe (2 p), Bd (2 p q^2), S (n^2), F (n nch),
 * tn1, tn2 (n), cq (q^2), Z (2 q d) doubles. */
static size_t ipm_bytes_by_hand(size_t n, size_t d, size_t p)
{
    size_t q = d + 1, ml = 2 * p * n, mt = ml + 2 * p * q, nx = 2 * p * q, nch = n > 256 ? n : 256;
    size_t dbl = 3 * n * p + 2 * ml + 4 * p * d + 2 * n * d + 16 * mt + 12 * nx + 2 * p + 2 * p * q * q +
                 n * n + n * nch + 2 * n + q * q + 2 * q * d;
    return dbl * sizeof(double);
}

static void test_work_bytes(void **state)
{
    (void)state;
    static const size_t dims[][3] = {{1, 1, 1}, {6, 2, 3}, {20, 3, 40}, {300, 2, 5}, {9, 5, 70}};
    for (size_t c = 0; c < sizeof dims / sizeof dims[0]; c++)
        assert_int_equal(cr_convex_ipm_work_bytes(dims[c][0], dims[c][1], dims[c][2]),
                         ipm_bytes_by_hand(dims[c][0], dims[c][1], dims[c][2]));
    if (!crt_alloc_works()) {
        fprintf(stderr, "test_work_bytes: allocations cannot be counted here (closed form only)\n");
        return;
    }
    /* what one solve asks malloc for: its workspace, one request per buffer, nothing else */
    static const struct {
        size_t n, d, samples;
    } cs[] = {{12, 2, 0}, {25, 3, 30}, {270, 2, 6}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        inst I = make_inst(cs[c].n, cs[c].d, CR_LOSS_SQUARED, 0, cs[c].samples, 90 + c);
        double *U2 = calloc(2 * I.P->p * I.d, sizeof(double));
        cr_ipm_info info;
        crt_alloc_start();
        int rc = cr_convex_ipm(I.X, I.y, I.n, I.d, I.P, 0.1, 1e-8, 3, NULL, NULL, U2, &info);
        size_t calls, bytes = crt_alloc_stop(&calls);
        assert_int_equal(rc, 0);
        assert_int_equal(calls, 46); /* one per buffer */
        assert_int_equal(bytes, cr_convex_ipm_work_bytes(I.n, I.d, I.P->p));
        free(U2);
        inst_free(&I);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_work_bytes),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_check_and_limit),
        cmocka_unit_test(test_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
