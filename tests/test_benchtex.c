/* Tests of src/harness/benchtex.c (the paper's performance tables from the benchmarks' CSV files): small
 * hand-made CSV files whose expected LaTeX rows were worked out by hand from the formats benchtex.h states (three
 * significant digits for seconds, whole numbers from 100 s on, one decimal in scientific notation for gaps, whole
 * MiB, one decimal for rates, two for ratios) and the verdict rules against each row's targets; the missing
 * benchmark files (a fresh clone: the paper must still build); and the refusals of malformed files, after which
 * nothing is written. */
#include "testutil.h"

#include "benchtex.h"

static const char SCALE_HEAD[] = "data,n,d,p,beta,seconds,cpu_seconds,primal,rel_gap,status,method,iterations,newton,"
                                 "nnz,peak_rss_mb,target_seconds,target_rel_gap,target_peak_rss_mb\n";

/* The file OUT/NAME, which must exist; fails naming it otherwise. */
static char *read_out(const char *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    char *t = crt_slurp(path, NULL);
    if (!t) fail_msg("%s was not written", path);
    return t;
}

static void expect_line(const char *text, const char *line)
{
    if (!strstr(text, line)) fail_msg("expected the line\n%s\nin:\n%s", line, text);
}

static void test_scale_rows_and_verdicts(void **state)
{
    (void)state;
    char dir[256], out[300];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/gen", dir);
    assert_int_equal(mkdir(out, 0755), 0);
    char csv[2048];
    /* Row 1: no time target, every other target met. Row 2: 75.5 s wall over the 60 s target (CPU 59 s alone
     * would meet it). Row 3: CPU 301 s over 300 s though wall 250 s is under it, the gap 2e-6 over 1e-6, status
     * time_limit, memory 5000 MiB over 3814.697 MiB. */
    snprintf(csv, sizeof csv,
             "%splanted,2000,20,200,0.1,12.345,12.3,1,4.56e-07,converged,ssnal_cg,9,30,63,512.4,,1e-06,3814.697265625\n"
             "planted,5000,50,1000,0.1,75.5,59,1,9.9e-07,converged,ssnal_cg,9,100,172,2100,60,1e-06,3814.697265625\n"
             "fmnist,12000,64,1000,1,250,301,1,2e-06,time_limit,ssnal_cg,9,7,246,5000,300,1e-06,3814.697265625\n",
             SCALE_HEAD);
    crt_put(dir, "bench_scale.csv", csv);
    crt_put(dir, "bench_scale_machine.csv",
            "key,value\nbench,bench_scale\ndate_utc,2026-12-03T21:00:00Z\ncpu_model,Test CPU_1 @ 2GHz\ncores,2\n"
            "openblas_core,Haswell\nopenblas_config,x\nopenblas_coretype_env,Haswell\ncommit,abc1234\n"
            "loadavg_start,0.05\nloadavg_end,0.10\n");
    cr_err err = {{0}};
    assert_int_equal(cr_benchtex_write(dir, out, &err), CR_OK);
    char *t = read_out(out, "bench_scale.tex");
    expect_line(t, "\nplanted & 2000 & 20 & 200 & 0.1 & 12.3 & 12.3 & \\ensuremath{4.6\\times10^{-7}} & converged & 30 & "
                   "63 & 512 & gap \\ensuremath{\\leq}\\ensuremath{1\\times10^{-6}}, \\ensuremath{\\leq}3815 MiB & met\\\\\n");
    expect_line(t, "\nplanted & 5000 & 50 & 1000 & 0.1 & 75.5 & 59 & \\ensuremath{9.9\\times10^{-7}} & converged & 100 & "
                   "172 & 2100 & \\ensuremath{\\leq}60 s, gap \\ensuremath{\\leq}\\ensuremath{1\\times10^{-6}}, "
                   "\\ensuremath{\\leq}3815 MiB & \\textcolor{red}{\\textbf{missed}} (time)\\\\\n");
    expect_line(t, "\nfmnist & 12000 & 64 & 1000 & 1 & 250 & 301 & \\ensuremath{2.0\\times10^{-6}} & time\\_limit & 7 & "
                   "246 & 5000 & \\ensuremath{\\leq}300 s, gap \\ensuremath{\\leq}\\ensuremath{1\\times10^{-6}}, "
                   "\\ensuremath{\\leq}3815 MiB & \\textcolor{red}{\\textbf{missed}} (status, gap, time, memory)\\\\\n");
    expect_line(t, "\\par\\noindent Measured on Test CPU\\_1 @ 2GHz (2 cores online), OpenBLAS Haswell kernels "
                   "(\\texttt{OPENBLAS\\_CORETYPE} Haswell), on 2026-12-03T21:00:00Z at commit \\texttt{abc1234}; "
                   "1-minute load average 0.05 at the start and 0.10 at the end.\n");
    free(t);
    /* the tables without a CSV say so (and carry no number) */
    t = read_out(out, "bench_train.tex");
    expect_line(t, "\\par\\noindent\\textit{Not measured: \\texttt{");
    assert_null(strstr(t, "tabular"));
    free(t);
    crt_rmtree(dir);
}

static void test_train_pivot(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    /* Two keys in long format, impls in the order cvxrelu, torch, torch-tuned. 69.54 / 32.96 = 2.1098...: the best
     * other is torch-tuned. The second key has torch unmeasured (nan) and torch-tuned empty: no ratio. */
    crt_put(dir, "bench_train.csv",
            "impl,loss,n,d,m,threads,steps_per_sec,iters,note\n"
            "cvxrelu,squared,5000,50,1000,2,69.54,100,a note; here\n"
            "torch,squared,5000,50,1000,2,16.04,10,\n"
            "torch-tuned,squared,5000,50,1000,2,32.96,10,\n"
            "cvxrelu,logistic,1000,20,200,1,640.26,100,\n"
            "torch,logistic,1000,20,200,1,nan,0,skipped\n"
            "torch-tuned,logistic,1000,20,200,1,,0,skipped\n");
    cr_err err = {{0}};
    assert_int_equal(cr_benchtex_write(dir, dir, &err), CR_OK);
    char *t = read_out(dir, "bench_train.tex");
    expect_line(t, "\nloss & $n$ & $d$ & $m$ & threads & cvxrelu & torch & torch-tuned & cvxrelu/best other\\\\\n");
    expect_line(t, "\nsquared & 5000 & 50 & 1000 & 2 & 69.5 & 16.0 & 33.0 & 2.11\\\\\n");
    expect_line(t, "\nlogistic & 1000 & 20 & 200 & 1 & 640.3 & -- & -- & --\\\\\n");
    expect_line(t, "\\par\\noindent The machine was not recorded (no \\texttt{");
    free(t);
    crt_rmtree(dir);
}

static void test_convex_and_robust(void **state)
{
    (void)state;
    char dir[256];
    crt_tmpdir(dir);
    crt_put(dir, "bench_convex.csv",
            "n,d,p,ours_seconds,cvxopt_seconds,ratio,ours_obj,cvxopt_obj,ours_rel_gap,ours_status,ours_newton,"
            "cvxopt_capped,ours_method,peak_rss_mb,tol\n"
            "20,2,40,0.0012345,0.025,20.254,1,1,3e-10,converged,12,0,ipm,10.4,1e-06\n"
            "25,3,603,0.048,60,1234.5678,1,,2.5e-06,max_iter,50,1,ssnal,20.6,1e-06\n");
    crt_put(dir, "bench_convex_robust.csv",
            "instance,seed,n,d,samples,beta,tol,method,p,seconds,cpu_seconds,primal,rel_gap,status,method_used,"
            "newton,peak_rss_mb,error\n"
            "ipm_loose_tol,1,200,10,50,1,0.01,ipm,50,0.5,0.49,3,0.0042,converged,ipm,4,30.2,\n"
            "auto_exact_many_patterns,1,25,3,0,0.01,1e-08,auto,603,0.25,0.25,2,,numerical_failure,ssnal,9,40.6,"
            "cone violation 0.0012 at the returned point\n");
    cr_err err = {{0}};
    assert_int_equal(cr_benchtex_write(dir, dir, &err), CR_OK);
    char *t = read_out(dir, "bench_convex.tex");
    expect_line(t, "\n20 & 2 & 40 & 0.00123 & 0.025 & 20.25 & \\ensuremath{3.0\\times10^{-10}} & converged & ipm & 10 & "
                   "\\ensuremath{\\leq}\\ensuremath{1\\times10^{-6}} & met\\\\\n");
    expect_line(t, "\n25 & 3 & 603 & 0.048 & \\ensuremath{\\geq}60 & \\ensuremath{\\geq}1234.57 & "
                   "\\ensuremath{2.5\\times10^{-6}} & max\\_iter & ssnal & 21 & "
                   "\\ensuremath{\\leq}\\ensuremath{1\\times10^{-6}} & \\textcolor{red}{\\textbf{missed}} (status, gap)\\\\\n");
    free(t);
    t = read_out(dir, "bench_convex_robust.tex");
    /* 0.0042 > tol 0.01? no: 0.0042 <= 0.01, converged, no error: met */
    expect_line(t, "\nipm\\_loose\\_tol & 200 & 10 & 50 sampled & 1 & 0.01 & ipm\\ensuremath{\\to}ipm & 50 & 0.5 & "
                   "0.49 & \\ensuremath{4.2\\times10^{-3}} & converged & 30 & met\\\\\n");
    expect_line(t, "\nauto\\_exact\\_many\\_patterns & 25 & 3 & exact & 0.01 & \\ensuremath{1\\times10^{-8}} & "
                   "auto\\ensuremath{\\to}ssnal & 603 & 0.25 & 0.25 & -- & numerical\\_failure & 41 & "
                   "\\textcolor{red}{\\textbf{missed}} (status, gap, error)\\\\\n");
    expect_line(t, "Errors: auto\\_exact\\_many\\_patterns (tol \\ensuremath{1\\times10^{-8}}): cone violation 0.0012 at "
                   "the returned point.\n");
    free(t);
    crt_rmtree(dir);
}

/* A fresh clone: no paper/bench at all. Every table file is written and says the table is missing. */
static void test_no_bench_files(void **state)
{
    (void)state;
    char dir[256], missing[300];
    crt_tmpdir(dir);
    snprintf(missing, sizeof missing, "%s/no-such-folder", dir);
    cr_err err = {{0}};
    assert_int_equal(cr_benchtex_write(missing, dir, &err), CR_OK);
    const char *stems[] = { "bench_convex", "bench_convex_robust", "bench_scale", "bench_train" };
    for (size_t k = 0; k < 4; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s.tex", stems[k]);
        char *t = read_out(dir, name);
        expect_line(t, "is not committed, so this table is missing");
        assert_null(strstr(t, "tabular"));
        free(t);
    }
    crt_rmtree(dir);
}

/* Malformed files: CR_EINPUT naming file, line and column, and nothing written. */
static void test_refusals(void **state)
{
    (void)state;
    char dir[256], out[300];
    crt_tmpdir(dir);
    snprintf(out, sizeof out, "%s/gen", dir);
    assert_int_equal(mkdir(out, 0755), 0);
    cr_err err = {{0}};
    /* a column missing (an old bench_scale.csv without its targets) */
    crt_put(dir, "bench_scale.csv", "data,n,d,p,beta,seconds,cpu_seconds,primal,rel_gap,status,method,iterations,"
                                    "newton,nnz,peak_rss_mb\nplanted,2000,20,200,0.1,1,1,1,1e-7,converged,x,1,1,1,1\n");
    assert_int_equal(cr_benchtex_write(dir, out, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "bench_scale.csv:1: no column target_seconds"));
    /* a text where a number belongs */
    char csv[1024];
    snprintf(csv, sizeof csv, "%splanted,2000,20,200,0.1,fast,1,1,1e-7,converged,x,1,1,1,1,,1e-6,3814\n", SCALE_HEAD);
    crt_put(dir, "bench_scale.csv", csv);
    assert_int_equal(cr_benchtex_write(dir, out, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "bench_scale.csv:2: seconds: expected a number, got \"fast\""));
    /* a row with a field too few */
    snprintf(csv, sizeof csv, "%splanted,2000,20,200,0.1,1,1,1,1e-7,converged,x,1,1,1,1,,1e-6\n", SCALE_HEAD);
    crt_put(dir, "bench_scale.csv", csv);
    assert_int_equal(cr_benchtex_write(dir, out, &err), CR_EINPUT);
    assert_non_null(strstr(err.msg, "bench_scale.csv:2: expected 18 fields"));
    char listing[512];
    crt_list_dir(out, listing, sizeof listing, " ");
    assert_string_equal(listing, "");
    /* the command: exit 2 and the message for a wrong operand count and for the malformed file */
    crt_need_program();
    crt_expect_prog("bench-latex /tmp 2>/dev/null", 2);
    char args[700];
    snprintf(args, sizeof args, "bench-latex '%s' '%s' 2>&1", dir, out);
    char *msg = NULL;
    assert_int_equal(crt_prog_sh(args, &msg), 2);
    assert_non_null(strstr(msg, "bench_scale.csv:2: expected 18 fields"));
    free(msg);
    crt_list_dir(out, listing, sizeof listing, " ");
    assert_string_equal(listing, "");
    crt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_rows_and_verdicts),
        cmocka_unit_test(test_train_pivot),
        cmocka_unit_test(test_convex_and_robust),
        cmocka_unit_test(test_no_bench_files),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("benchtex", tests, NULL, NULL) ? 1 : 0;
}
