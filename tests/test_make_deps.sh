#!/bin/bash
# Tests of the Makefile's dependency targets (deps-build, deps-test, deps-paper, deps) as an ordinary user with
# Debian's default PATH (/usr/local/bin:/usr/bin:/bin, no /usr/sbin): run as root, it drops to nobody (setpriv);
# otherwise it runs as the calling user. Installed packages must be found whatever the PATH (the daemons
# slurmctld and munged live in /usr/sbin); a missing one must be named with the apt-get line to run as root,
# and the target must fail. `make test` has run deps-test as the calling user first, so deps-build and
# deps-test must pass; deps-paper and deps may only name packages that dpkg reports as not installed.
# Prints cmocka-style summary lines.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0; failed=(); out=

ok() { echo "[       OK ] $1"; pass=$((pass + 1)); }
bad() { echo "[  FAILED  ] $1: $2"; printf '%s\n' "$out" | sed 's/^/    | /'; failed+=("$1"); }

scratch=$(mktemp -d /tmp/cr-deps-test.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT
cp "$src/Makefile" "$scratch/"          # the deps targets need nothing else
as_user=()
if [ "$(id -u)" = 0 ]; then
    chown -R nobody:nogroup "$scratch" || exit 1
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# make TARGET [VAR=VALUE...] in the scratch copy as the unprivileged user; sets out and st.
umake() {
    out=$(cd / && "${as_user[@]}" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$scratch" LANG=C \
          make --no-print-directory -C "$scratch" "$@" 2>&1)
    st=$?
}
# Packages named by a failing target's "apt-get install" line that dpkg reports as installed.
named_but_installed() {
    local p s
    for p in $(printf '%s\n' "$out" | grep -o 'apt-get install.*' | tr ' ' '\n' | grep -v -e '^-' -e '^&&$' \
               -e '^apt-get$' -e '^install$' -e '^update$'); do
        s=$(dpkg -s "$p" 2>/dev/null | sed -n 's/^Status: //p')
        case $s in *" installed") echo "$p" ;; esac
    done
}

echo "[==========] tests/test_make_deps.sh: dependency targets as $("${as_user[@]}" id -un), PATH=/usr/local/bin:/usr/bin:/bin"
for t in deps-build deps-test; do
    umake "$t"
    if [ $st = 0 ] && printf '%s\n' "$out" | grep -q "^$t: all Debian packages present$"; then ok "$t"
    else bad "$t" "exit status $st, expected 0 (make test has already checked these packages)"; fi
done
for t in deps-paper deps; do
    umake "$t"
    if [ $st = 0 ]; then ok "$t"
    elif ! printf '%s\n' "$out" | grep -q 'apt-get update && apt-get install'; then
        bad "$t" "exit status $st without the apt-get line to run"
    else
        wrong=$(named_but_installed | tr "\n" " ")
        if [ -n "$wrong" ]; then bad "$t" "installed packages reported missing: $wrong"
        else ok "$t (packages missing on this machine, apt-get line printed)"; fi
    fi
done
# A missing package (no such name) beside installed ones: named alone, in the right apt-get command, and the
# target fails without trying to install anything.
umake deps-test "DEBS_BUILD=cr-no-such-package libgsl-dev" "DEBS_TEST=python3-numpy" \
      "DEBS_TEST_NOREC=cr-nor-this/cr-nor-that munge"
want="  apt-get update && apt-get install -y cr-no-such-package && apt-get install -y --no-install-recommends cr-nor-this"
if [ $st != 0 ] && printf '%s\n' "$out" | grep -qxF -- "$want" && ! printf '%s\n' "$out" | grep -q 'installing'; then
    ok "missing package named with its apt-get line"
else bad "missing package named with its apt-get line" "exit status $st; expected non-zero and the line: $want"; fi
# An alternative (a/b) is satisfied by whichever is installed.
umake deps-build "DEBS_BUILD=cr-no-such-package/libgsl-dev"
if [ $st = 0 ]; then ok "alternatives"; else bad "alternatives" "exit status $st, expected 0"; fi

total=$((pass + ${#failed[@]}))
echo "[==========] $total test(s) run."
echo "[  PASSED  ] $pass test(s)."
if [ ${#failed[@]} -gt 0 ]; then
    echo "[  FAILED  ] ${#failed[@]} test(s), listed below:"
    for f in "${failed[@]}"; do echo "[  FAILED  ] $f"; done
fi
echo "deps: $pass passed, ${#failed[@]} failed"
[ ${#failed[@]} = 0 ]
