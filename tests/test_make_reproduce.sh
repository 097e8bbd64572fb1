#!/bin/bash
# Tests of `make reproduce` on a scratch copy of the tree made a git checkout (as nobody when run as root, with
# Debian's default PATH), restricted to a few cheap configs through CONFIGS=:
#   - one call runs each config once and draws its figures after its run; the claims table is printed;
#   - a second call with nothing changed compiles, runs and draws nothing, and still prints the table;
#   - editing one config reruns that config alone and redraws its figures alone (no rebuild of the program);
#   - a config whose claim fails leaves a complete run folder, draws nothing twice, and fails the call after
#     printing the table, on this call and the next (which reruns nothing);
#   - a config the program refuses fails the call after the others ran and the table was printed.
# Prints cmocka-style summary lines.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0; failed=(); out=

ok() { echo "[       OK ] $1"; pass=$((pass + 1)); }
bad() { echo "[  FAILED  ] $1: $2"; printf '%s\n' "$out" | tail -n 25 | sed 's/^/    | /'; failed+=("$1"); }
summary() {
    echo "[==========] $((pass + ${#failed[@]})) test(s) run."
    echo "[  PASSED  ] $pass test(s)."
    if [ ${#failed[@]} -gt 0 ]; then
        echo "[  FAILED  ] ${#failed[@]} test(s), listed below:"
        for f in "${failed[@]}"; do echo "[  FAILED  ] $f"; done
    fi
    echo "reproduce: $pass passed, ${#failed[@]} failed"
    [ ${#failed[@]} = 0 ]
}

scratch=$(mktemp -d /tmp/cr-reproduce-test.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT
# The sources with their times (so that a build copied from this tree is up to date there too).
( cd "$src" && cp -a --parents Makefile .gitignore src experiments figures "$scratch"/ && mkdir -p "$scratch/configs" \
  && cp -a configs/*.yaml "$scratch/configs/" ) || exit 1
if [ -x "$src/build/cvxrelu" ]; then
    ( cd "$src" && cp -a --parents build/src build/experiments build/libcvxrelu.a build/libcrprog.a build/cvxrelu "$scratch"/ ) || exit 1
fi
# A config whose claim fails (3 steps of gradient descent cannot turn to the SVM direction), and one the
# program refuses (an unknown key).
sed 's/^  iters: .*/  iters: 3/' "$src/configs/linear_margin.yaml" > "$scratch/configs/zz_claim_fails.yaml"
grep -q '^  iters: 3$' "$scratch/configs/zz_claim_fails.yaml" || { echo "configs/linear_margin.yaml has no train.iters" >&2; exit 1; }
{ cat "$src/configs/arrangements.yaml"; echo "no_such_key: 1"; } > "$scratch/configs/zz_refused.yaml"

as_user=()
if [ "$(id -u)" = 0 ]; then
    chown -R nobody:nogroup "$scratch" || exit 1
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# CMD... in the scratch copy as the unprivileged user, default PATH, clean environment; sets out and st.
in_scratch() {
    out=$(cd "$scratch" && "${as_user[@]}" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$scratch" LANG=C \
          ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE} "$@" 2>&1)
    st=$?
}
OK_CONFIGS="configs/arrangements.yaml configs/landscape.yaml"
reproduce() { in_scratch make --no-print-directory reproduce CONFIGS="$1"; }

# Modification times (ns) of the program and of every file of the runs and figures involved.
snapshot() {
    (cd "$scratch" && for f in build/cvxrelu results/*/* figures/arrangements.* figures/landscape.*; do
        [ -f "$f" ] && stat -c '%n %.9Y' "$f"; done)
}
changed() { diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed -n 's/^> \([^ ]*\) .*/\1/p' | sort | tr '\n' ' '; }
ran() { printf '%s\n' "$out" | grep -c "cvxrelu run configs/$1.yaml "; }
compiled() { printf '%s\n' "$out" | grep -cE '^(cc|gcc|clang) |^rm -f .*ar rcs'; }
table() { printf '%s\n' "$out" | grep -q "^[0-9]* claims checked, $1 failed (sanity checks, not counted as claims: [0-9]*, 0 failed)$"; }
newer() { [ "$scratch/$1" -nt "$scratch/$2" ]; }

echo "[==========] tests/test_make_reproduce.sh: make reproduce as $("${as_user[@]}" id -un) on a scratch git checkout"
in_scratch git init -q . && in_scratch git add -A && \
  in_scratch git -c user.name=test -c user.email=test@localhost commit -q -m scratch
[ $st = 0 ] || { bad "scratch git checkout" "git failed"; summary; exit 1; }

# 1. First call: each config runs once, figures after their runs, the table (all passed).
reproduce "$OK_CONFIGS"
t="first call runs each config once and draws its figures"
if [ $st = 0 ] && [ "$(ran arrangements)" = 1 ] && [ "$(ran landscape)" = 1 ] && table 0 \
   && [ "$(cd "$scratch/results" && ls)" = "$(printf 'arrangements\nclaims.csv\nlandscape')" ] \
   && newer figures/arrangements.png results/arrangements/claims.csv && newer figures/arrangements.pdf results/arrangements/claims.csv \
   && newer figures/landscape.png results/landscape/claims.csv && newer figures/landscape.pdf results/landscape/claims.csv; then ok "$t"
else bad "$t" "exit status $st, runs: arrangements $(ran arrangements), landscape $(ran landscape)"; fi
s1=$(snapshot)

# 2. Nothing changed: nothing compiled, run or drawn; the table is printed.
reproduce "$OK_CONFIGS"
s2=$(snapshot)
t="second call compiles, runs and draws nothing, prints the table"
if [ $st = 0 ] && [ "$(compiled)" = 0 ] && [ "$(ran arrangements)" = 0 ] && [ "$(ran landscape)" = 0 ] && table 0 \
   && [ "$s1" = "$s2" ]; then ok "$t"
else bad "$t" "exit status $st, compiled $(compiled), runs $(ran arrangements) + $(ran landscape), files rewritten: $(changed "$s1" "$s2")"; fi

# 3. One config edited (the checkout is now dirty): that config alone reruns, its figures alone are redrawn.
echo "# edited by tests/test_make_reproduce.sh" >> "$scratch/configs/landscape.yaml"
reproduce "$OK_CONFIGS"
s3=$(snapshot)
want=$(cd "$scratch" && ls figures/landscape.* results/landscape/* | grep -v '\.gp$' | sort | tr '\n' ' ')
t="an edited config reruns alone and redraws its figures alone"
if [ $st = 0 ] && [ "$(compiled)" = 0 ] && [ "$(ran arrangements)" = 0 ] && [ "$(ran landscape)" = 1 ] && table 0 \
   && [ "$(changed "$s2" "$s3")" = "$want" ] && newer figures/landscape.png results/landscape/claims.csv; then ok "$t"
else bad "$t" "exit status $st, compiled $(compiled), runs $(ran arrangements) + $(ran landscape); rewritten: $(changed "$s2" "$s3"); expected: $want"; fi

# 4. A claim fails: the run folder is complete, the table is printed, the call fails; the next call runs
#    nothing and fails again.
FAIL_CONFIGS="$OK_CONFIGS configs/zz_claim_fails.yaml"
reproduce "$FAIL_CONFIGS"
s4=$(snapshot)
t="a failed claim fails the call after the table, its run folder complete"
if [ $st != 0 ] && [ "$(ran zz_claim_fails)" = 1 ] && [ "$(ran landscape)" = 0 ] && [ "$(ran arrangements)" = 0 ] \
   && printf '%s\n' "$out" | grep -q '^zz_claim_fails .*FAIL$' && ! table 0 \
   && [ -s "$scratch/results/zz_claim_fails/claims.csv" ] && [ -s "$scratch/results/zz_claim_fails/manifest.yaml" ] \
   && [ -s "$scratch/results/zz_claim_fails/summary.csv" ] && [ -s "$scratch/results/zz_claim_fails/config.yaml" ]; then ok "$t"
else bad "$t" "exit status $st, runs $(ran zz_claim_fails); folder: $(ls "$scratch/results/zz_claim_fails" 2>&1 | tr '\n' ' ')"; fi
reproduce "$FAIL_CONFIGS"
s5=$(snapshot)
t="a failed claim: the next call reruns nothing and fails again"
if [ $st != 0 ] && [ "$(ran zz_claim_fails)" = 0 ] && [ "$(compiled)" = 0 ] && [ "$s4" = "$s5" ] \
   && printf '%s\n' "$out" | grep -q '^zz_claim_fails .*FAIL$'; then ok "$t"
else bad "$t" "exit status $st, runs $(ran zz_claim_fails), rewritten: $(changed "$s4" "$s5")"; fi

# 5. A refused config: the call fails after the others were made and the table printed.
rm -rf "$scratch/figures/landscape.png"
reproduce "configs/zz_refused.yaml $OK_CONFIGS"
t="a refused config fails the call, the others are made and the table printed"
if [ $st != 0 ] && [ "$(ran zz_refused)" = 1 ] && [ -s "$scratch/figures/landscape.png" ] && [ "$(ran landscape)" = 0 ] \
   && printf '%s\n' "$out" | grep -q '^zz_refused .*(no claims.csv: the run failed).*FAIL$' \
   && [ ! -e "$scratch/results/zz_refused" ]; then ok "$t"
else bad "$t" "exit status $st, runs $(ran zz_refused), landscape figure $(ls "$scratch/figures/landscape.png" 2>&1)"; fi

summary
