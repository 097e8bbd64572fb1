#!/bin/bash
# The ablation figures over optimal_set (figures/ablations/{width,lr,scale}.gp) draw their y axis from 0 to the
# runs of a point: the summary key `runs` (train.seeds), a column of sweep.csv. A small sweep (3 seeds, two
# widths, short training) must give sweep.csv that column with the seed count, and each figure must render from
# it (gnuplot fails on a missing column) with its y range read as 3 seeds. Prints cmocka-style summary lines.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
prog=${CR_PROG:-$src/build/cvxrelu}
pass=0; failed=()
ok() { echo "[       OK ] $1"; pass=$((pass + 1)); }
bad() { echo "[  FAILED  ] $1: $2"; failed+=("$1"); }
tmp=$(mktemp -d /tmp/cr-ablation-test.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "[==========] tests/test_ablation_figures.sh"
cd "$src" || exit 1

# 1. optimal_set writes runs = train.seeds.
"$prog" run configs/optimal_set.yaml --set train.seeds=3 --set train.iters=300 --set train.lr_every=100 \
    --out "$tmp/os" --quiet 2>"$tmp/os.err"
st=$?
t="optimal_set summary key runs = train.seeds"
if { [ $st = 0 ] || [ $st = 3 ]; } && grep -qx 'runs,3' "$tmp/os/summary.csv"; then ok "$t"
else bad "$t" "exit $st; summary: $(tr '\n' ' ' < "$tmp/os/summary.csv" 2>/dev/null) $(cat "$tmp/os.err")"; fi

# 2. A sweep over the width gives sweep.csv the column; the figures render from it with 0..3 on the y axis.
"$prog" sweep configs/ablations/width.yaml --grid width_sweep.max_width=1,3 --set train.seeds=3 \
    --set train.iters=300 --set train.lr_every=100 --out "$tmp/width" --quiet >/dev/null 2>&1
t="sweep.csv has the runs column"
runs=$(/usr/bin/python3 -c 'import csv, sys
print(" ".join(sorted({r["runs"] for r in csv.DictReader(open(sys.argv[1]))})))' "$tmp/width/sweep.csv" 2>&1)
if [ "$runs" = 3 ]; then ok "$t"
else bad "$t" "$runs"; fi
for fig in width lr scale; do
    t="figures/ablations/$fig.gp renders with y axis 0..3 runs"
    # lr and scale read their own grid key: give the small sweep's table that column name.
    case $fig in lr) key=train.lr ;; scale) key=train.scale ;; *) key=width_sweep.max_width ;; esac
    mkdir -p "$tmp/$fig-res"
    sed "1s/^width_sweep.max_width,/$key,/" "$tmp/width/sweep.csv" > "$tmp/$fig-res/sweep.csv"
    [ $fig = width ] || sed -i "2,\$s/^1,/0.01,/; 2,\$s/^3,/0.1,/" "$tmp/$fig-res/sweep.csv"
    out=$(gnuplot -e "res='$tmp/$fig-res'; out='$tmp/$fig'; term='png'" figures/ablations/$fig.gp \
          -e "print sprintf('RUNS=%d', int(RUNS_max))" 2>&1)
    if [ -s "$tmp/$fig.png.tmp" ] && printf '%s\n' "$out" | grep -qx 'RUNS=3'; then ok "$t"
    else bad "$t" "$(printf '%s\n' "$out" | tail -3)"; fi
done

echo "[==========] $((pass + ${#failed[@]})) test(s) run."
echo "[  PASSED  ] $pass test(s)."
if [ ${#failed[@]} -gt 0 ]; then
    echo "[  FAILED  ] ${#failed[@]} test(s), listed below:"
    for f in "${failed[@]}"; do echo "[  FAILED  ] $f"; done
fi
[ ${#failed[@]} = 0 ]
