#!/bin/bash
# The paper's performance section builds without any benchmark CSV (a fresh clone: CI runs make paper without
# make bench), and with measured ones: `make paper` turns paper/bench/ into paper/generated/STEM.tex through
# `cvxrelu bench-latex`, and paper/reproduction.tex inputs the four tables through its own \crbenchfit and
# \benchtable definitions (taken from the file here, not copied). The whole paper needs every run of make reproduce,
# so this compiles a small document made of those definitions and the generated tables with LaTeX (skipped, with
# a message, when latexmk is not installed: LaTeX is a dependency of make paper, not of make test).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
prog=${CR_PROG:-$src/build/cvxrelu}
fail() { echo "test_paper_bench: $*" >&2; exit 1; }
[ -x "$prog" ] || fail "$prog is not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cvxrelu-test-XXXXXX") || exit 1
trap '[ -n "${CR_KEEP:-}" ] || rm -rf "$tmp"' EXIT

# make paper runs the generator on the committed folder, and the paper inputs every table it writes.
grep -q '^	$(PROG) bench-latex paper/bench paper/generated$' "$src/Makefile" ||
    fail "the paper target does not run: \$(PROG) bench-latex paper/bench paper/generated"
stems="bench_convex bench_convex_robust bench_scale bench_train"
for s in $stems; do
    grep -q "^\\\\benchtable{$s}$" "$src/paper/reproduction.tex" || fail "paper/reproduction.tex lacks \\benchtable{$s}"
done

# The definitions of paper/reproduction.tex, from the \crbenchfit comment to the \benchtable line.
defs=$(sed -n '/^% \\crbenchfit{tabular}/,/^\\newcommand{\\benchtable}/p' "$src/paper/reproduction.tex")
[ "$(printf '%s\n' "$defs" | grep -c '^\\newcommand')" = 2 ] || fail "no \\crbenchfit and \\benchtable definitions"

# A measured set (hand-made rows, one per table, a missed target among them) and none at all.
mkdir -p "$tmp/bench" "$tmp/none/generated" "$tmp/some/generated"
printf '%s\n' "n,d,p,ours_seconds,cvxopt_seconds,ratio,ours_obj,cvxopt_obj,ours_rel_gap,ours_status,ours_newton,cvxopt_capped,ours_method,peak_rss_mb,tol" \
    "20,2,40,0.001,0.02,20,1,1,3e-10,converged,12,0,ipm,10,1e-06" >"$tmp/bench/bench_convex.csv"
printf '%s\n' "instance,seed,n,d,samples,beta,tol,method,p,seconds,cpu_seconds,primal,rel_gap,status,method_used,newton,peak_rss_mb,error" \
    "a_b,1,25,3,0,0.01,1e-08,auto,603,0.25,0.25,2,,numerical_failure,ssnal,9,40,100% & #1 {x} ~ ^ \\ _" >"$tmp/bench/bench_convex_robust.csv"
printf '%s\n' "data,n,d,p,beta,seconds,cpu_seconds,primal,rel_gap,status,method,iterations,newton,nnz,peak_rss_mb,target_seconds,target_rel_gap,target_peak_rss_mb" \
    "planted,5000,50,1000,0.1,75,74,1,9e-07,converged,ssnal_cg,9,100,172,2100,60,1e-06,3814.697265625" >"$tmp/bench/bench_scale.csv"
printf '%s\n' "impl,loss,n,d,m,threads,steps_per_sec,iters,note" "cvxrelu,squared,5000,50,1000,2,69.5,100,x" \
    "torch,squared,5000,50,1000,2,30,10,y" >"$tmp/bench/bench_train.csv"
printf '%s\n' "key,value" "cpu_model,A CPU_x # 1" "cores,2" "openblas_core,Haswell" >"$tmp/bench/bench_train_machine.csv"
"$prog" bench-latex "$tmp/no-such-folder" "$tmp/none/generated" || fail "bench-latex without CSVs failed"
"$prog" bench-latex "$tmp/bench" "$tmp/some/generated" || fail "bench-latex on the hand-made CSVs failed"
for s in $stems; do
    grep -q 'is not committed, so this table is missing' "$tmp/none/generated/$s.tex" ||
        fail "$s.tex without a CSV does not say the table is missing"
    grep -q 'tabular' "$tmp/some/generated/$s.tex" || fail "$s.tex from a CSV holds no table"
done
grep -q 'missed}} (time)' "$tmp/some/generated/bench_scale.tex" || fail "the scale row over its time target is not missed"

if ! command -v latexmk >/dev/null; then
    echo "test_paper_bench: latexmk not installed (make deps-paper): LaTeX compilation skipped"
    exit 0
fi
for set in none some; do
    {
        printf '%s\n' '\documentclass[10pt]{article}' '\usepackage[letterpaper,margin=2.0cm]{geometry}' \
            '\usepackage{amsmath,amssymb,graphicx,booktabs,xcolor}' "$defs" '\begin{document}'
        for s in $stems; do printf '\\benchtable{%s}\n' "$s"; done
        printf '%s\n' '\end{document}'
    } >"$tmp/$set/t.tex"
    (cd "$tmp/$set" && latexmk -pdf -interaction=nonstopmode -halt-on-error t.tex >/dev/null 2>&1) ||
        { tail -20 "$tmp/$set/t.log"; fail "LaTeX failed on the tables ($set)"; }
done
echo "test_paper_bench: ok"
