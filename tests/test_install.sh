#!/bin/bash
# Tests of `make install` / `make uninstall` (Makefile, section install) and of the README's two examples.
# Installs into a temporary prefix as the calling user, then checks: the file list, the SONAME and its links, that
# the library holds the numerics only (no symbol of the program's archive), that every installed header compiles
# on its own as <cvxrelu/NAME.h> and that <cvxrelu/cvxrelu.h> includes them all, cvxrelu.pc, the man page (renders
# without warnings, has the program's version and an entry for every subcommand of `cvxrelu --help`); compiles
# EXACTLY the README's ```c block with `pkg-config --cflags --libs cvxrelu` (and statically), runs it on random
# data and compares its p_convex and predictions with cvxopt (tests/python/oracle.py); runs EXACTLY the README's
# ```python block against the installed module; as root, compiles and runs both again as nobody; stages with
# DESTDIR; and checks that uninstall leaves no file behind. Prints cmocka-style summary lines.
# CR_INSTALL_SYSTEM=1 (root, .ci/run on a fresh machine): the same into the default prefix /usr/local, with the
# loader's cache refreshed, and the examples compiled, linked, run and imported with no path variable set, as a user
# of the installed library would; uninstall must then remove every file install wrote.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
pass=0; failed=(); out=

ok() { echo "[       OK ] $1"; pass=$((pass + 1)); }
bad() { echo "[  FAILED  ] $1: $2"; [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    | /'; failed+=("$1"); }
finish() {
    echo "[==========] tests/test_install.sh: $pass passed, ${#failed[@]} failed"
    [ ${#failed[@]} = 0 ] || { printf '[  FAILED  ] %s\n' "${failed[@]}"; exit 1; }
    exit 0
}

scratch=$(mktemp -d /tmp/cr-install-test.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT
chmod 755 "$scratch"
system=${CR_INSTALL_SYSTEM:-0}
if [ "$system" = 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "tests/test_install.sh: CR_INSTALL_SYSTEM=1 needs root" >&2; exit 1; }
    prefix=/usr/local; ldc=()
else
    prefix=$scratch/prefix; ldc=(LDCONFIG=true)
fi
# Path variables a temporary prefix needs (none for /usr/local).
if [ "$system" = 1 ]; then path_env=(); else
    path_env=(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" LD_LIBRARY_PATH="$prefix/lib"); fi
# The plain build (never the sanitizer one: its library would need the ASan runtime in every program that loads
# it), in a make of its own: not the jobserver or the variables of a calling `make test SANITIZE=1`.
imake() { out=$(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory SANITIZE=0 "$@" 2>&1); st=$?; }

echo "[==========] tests/test_install.sh: make install into $prefix as $(id -un)"
version=$(sed -n 's/^VERSION *:= *//p' "$src/Makefile")
imake install PREFIX="$prefix" "${ldc[@]}"
if [ $st != 0 ]; then bad "make install" "exit status $st"; finish; fi
ok "make install PREFIX=$prefix"

# ---------------------------------------------------------------- the files
pyfile=$(find "$prefix/lib" -maxdepth 3 -path '*/dist-packages/cvxrelu.py' | head -1)
expected=$( { echo bin/cvxrelu; echo lib/libcvxrelu.a; echo "lib/libcvxrelu.so.$version"; echo lib/libcvxrelu.so.0
              echo lib/libcvxrelu.so; echo lib/pkgconfig/cvxrelu.pc; echo share/man/man1/cvxrelu.1
              echo include/cvxrelu/cvxrelu.h; echo "${pyfile#"$prefix"/}"
              for h in "$src"/src/*.h; do case $h in *_impl.h) ;; *) echo "include/cvxrelu/$(basename "$h")" ;; esac; done
            } | sort)
if [ "$system" = 1 ]; then  # other software lives there too: every expected file must be there
    got=$(cd "$prefix" && for f in $expected; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
else
    got=$(cd "$prefix" && find . ! -type d | sed 's|^\./||' | sort)
fi
out=$(diff <(echo "$expected") <(echo "$got"))
if [ -z "$out" ] && [ -n "$pyfile" ]; then ok "installed files (src/*.h but *_impl.h, library, links, pc, man, module)"
else bad "installed files" "differ from the expected list (< expected, > installed)"; fi
out=

soname=$(readelf -d "$prefix/lib/libcvxrelu.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libcvxrelu.so.0 ] && [ "$(readlink "$prefix/lib/libcvxrelu.so.0")" = "libcvxrelu.so.$version" ] &&
   [ "$(readlink "$prefix/lib/libcvxrelu.so")" = libcvxrelu.so.0 ]; then ok "SONAME libcvxrelu.so.0 and its links"
else bad "SONAME" "SONAME '$soname', links $(readlink "$prefix/lib/libcvxrelu.so.0") $(readlink "$prefix/lib/libcvxrelu.so")"; fi

# A position-dependent object in a shared library shows up as a text relocation.
if readelf -d "$prefix/lib/libcvxrelu.so.$version" | grep -q TEXTREL; then bad "PIC" "the shared library has text relocations"
else ok "shared library without text relocations (-fPIC objects)"; fi

# The numerics only: no symbol defined by the program's archive (src/harness, experiments) is in the library.
prog_syms=$(nm --defined-only -g "$src/build/libcrprog.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' | sort -u)
lib_syms=$(nm -D --defined-only "$prefix/lib/libcvxrelu.so.$version" | awk '{ print $3 }' | sort -u)
common=$(comm -12 <(echo "$prog_syms") <(echo "$lib_syms"))
if [ -n "$prog_syms" ] && [ -z "$common" ] && echo "$lib_syms" | grep -qx cr_convex_solve; then
    ok "the library exports the numerics, none of the program's $(echo "$prog_syms" | wc -l) symbols"
else out=$common; bad "library contents" "program symbols in the library (or none found)"; out=; fi

# ---------------------------------------------------------------- headers and pkg-config
[ "$system" = 1 ] || export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags cvxrelu) && libs=$(pkg-config --libs cvxrelu) && slibs=$(pkg-config --static --libs cvxrelu)
if [ $? = 0 ] && [ "$(pkg-config --modversion cvxrelu)" = "$version" ] && [[ " $libs " == *" -lcvxrelu "* ]] &&
   [[ " $slibs " == *" -lopenblas "* ]] && [[ " $cflags " == *" -I$prefix/include "* ]] &&
   [[ " $libs $slibs " != *gslcblas* ]]; then ok "cvxrelu.pc: version $version, -lcvxrelu, static -lopenblas, no -lgslcblas"
else bad "cvxrelu.pc" "cflags '$cflags' libs '$libs' static '$slibs'"; fi

hdr_bad=
for h in "$prefix"/include/cvxrelu/*.h; do
    b=$(basename "$h")
    out=$(printf '#include <cvxrelu/%s>\nint main(void) { return 0; }\n' "$b" |
          cc -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags -x c - 2>&1) || hdr_bad="$hdr_bad $b"
    [ "$b" = cvxrelu.h ] || grep -qx "#include <cvxrelu/$b>" "$prefix/include/cvxrelu/cvxrelu.h" || hdr_bad="$hdr_bad $b(umbrella)"
done
out=
if [ -z "$hdr_bad" ]; then ok "every header compiles alone as <cvxrelu/NAME.h>; cvxrelu.h includes them all"
else bad "headers" "do not compile alone or are missing from cvxrelu.h:$hdr_bad"; fi

# ---------------------------------------------------------------- the program and its man page
if [ "$("$prefix/bin/cvxrelu" --version | awk '{ print $2 }')" = "$version" ]; then ok "bin/cvxrelu --version"
else bad "bin/cvxrelu" "--version does not say $version"; fi
man1=$prefix/share/man/man1/cvxrelu.1
out=$(groff -man -ww -z -Tutf8 "$man1" 2>&1)
if [ -z "$out" ] && grep -q "^\.TH CVXRELU 1 .*\"cvxrelu $version\"" "$man1"; then ok "man page renders without warnings, version $version"
else bad "man page" "groff warnings or a .TH without \"cvxrelu $version\""; fi
out=
# An entry: a .TP paragraph of section COMMANDS whose tag starts with the subcommand in bold.
entries=$(awk '/^\.SH / { s = ($2 == "COMMANDS") } s && tp { print } { tp = s && /^\.TP/ }' "$man1")
missing=
for c in $("$prefix/bin/cvxrelu" --help | sed -n 's/^\(usage:\)\{0,1\} *cvxrelu \([a-z][a-z-]*\).*/\2/p'); do
    printf '%s\n' "$entries" | grep -q "^\.BR\{0,1\} $(printf '%s' "$c" | sed 's/-/\\\\-/g')\( \|$\)" || missing="$missing $c"
done
if [ -z "$missing" ] && [ -n "$entries" ]; then ok "man page: COMMANDS has an entry for every subcommand of cvxrelu --help"
else bad "man page" "no entry in COMMANDS for:$missing"; fi

# ---------------------------------------------------------------- the README's C example
work=$scratch/work
mkdir -p "$work"
n_c=$(grep -c '^```c$' "$src/README.md")
awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' "$src/README.md" > "$work/example.c"
"$PY" -c '
import numpy as np, sys
rng = np.random.default_rng(20261203)
X = rng.standard_normal((24, 2))
y = np.maximum(X @ [1.0, 0.4], 0) - np.maximum(X @ [-0.6, 1.0], 0) + 0.2 * rng.standard_normal(24)
np.savetxt(sys.argv[1], np.column_stack([X, y]), delimiter=",", fmt="%.17g")' "$work/data.csv"
"$PY" "$src/tests/python/oracle.py" "$work/data.csv" 0.1 > "$work/oracle.txt"

# check_output FILE: the example's output against the oracle: p_convex within 1e-6 relative, the n predictions
# (the optimal prediction is unique: the squared loss is strictly convex in it) within 1e-4.
check_output() {
    "$PY" - "$1" "$work/oracle.txt" <<'EOF'
import sys
import numpy as np
ours = open(sys.argv[1]).read().split("\n")
ref = open(sys.argv[2]).read().split()
head = ours[0].split()
assert head[0] == "p_convex" and head[2:4] == ["certified", "gap"], ours[0]
p, gap, zref = float(head[1]), float(head[4]), np.array([float(v) for v in ref[2:]])
f = np.array([float(v) for v in ours[1:] if v])
assert ref[0] == "optimum" and f.shape == zref.shape, (f.shape, zref.shape)
pref = float(ref[1])
print("p_convex %.12g, cvxopt %.12g (relative %.2g); predictions max |f - z*| %.2g; gap %.2g"
      % (p, pref, abs(p - pref) / pref, np.max(np.abs(f - zref)), gap))
sys.exit(0 if abs(p - pref) <= 1e-6 * pref and np.max(np.abs(f - zref)) <= 1e-4 and 0 <= gap <= 1e-8 * p else 1)
EOF
}
if [ "$n_c" != 1 ]; then bad "README C example" "README.md has $n_c \`\`\`c blocks, expected exactly 1"
else
    out=$(cd "$work" && cc -std=c11 -Wall -Wextra -Werror example.c $cflags $libs -o example 2>&1 &&
          env "${path_env[@]}" ./example data.csv > out.txt 2>&1 && check_output out.txt 2>&1)
    if [ $? = 0 ] && readelf -d "$work/example" | grep -q 'NEEDED.*libcvxrelu\.so\.0'; then
        ok "README C example (cc example.c \$(pkg-config --cflags --libs cvxrelu)): $out"
    else bad "README C example" "failed"; fi
    out=$(cd "$work" && cc -std=c11 example.c $cflags "$prefix/lib/libcvxrelu.a" ${slibs//-lcvxrelu/} -o example_static 2>&1 &&
          ./example_static data.csv > out_static.txt 2>&1 && check_output out_static.txt 2>&1)
    if [ $? = 0 ] && ! readelf -d "$work/example_static" | grep -q libcvxrelu; then
        ok "README C example linked with libcvxrelu.a (pkg-config --static --libs): $out"
    else bad "README C example, static" "failed"; fi
fi
out=

# ---------------------------------------------------------------- the README's Python example
n_py=$(grep -c '^```python$' "$src/README.md")
awk '/^```python$/ { f = 1; next } /^```$/ { f = 0 } f' "$src/README.md" > "$work/example.py"
pydir=$(dirname "$pyfile")
if [ "$system" = 1 ]; then py_env=(); else py_env=(PYTHONPATH="$pydir"); fi
runpy() { (cd "$work" && env -u CVXRELU_LIB -u LD_LIBRARY_PATH -u PYTHONPATH -u PYTHONDONTWRITEBYTECODE "${py_env[@]}" "$PY" "$@" 2>&1); }
if [ "$n_py" != 1 ]; then bad "README Python example" "README.md has $n_py \`\`\`python blocks, expected exactly 1"
else
    where=$(runpy -c 'import cvxrelu; print(cvxrelu.library_path())')
    out=$(runpy example.py)
    if [ $? = 0 ] && [ "$where" = "$prefix/lib/$soname" ]; then ok "README Python example with the installed module (library $where)"
    else out="$where"$'\n'"$out"; bad "README Python example" "failed"; fi
fi
out=

# ---------------------------------------------------------------- as an ordinary user
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    nwork=$scratch/nobody
    mkdir -p "$nwork" && cp "$work"/example.c "$work"/example.py "$work"/data.csv "$nwork"/ && chown -R nobody:nogroup "$nwork"
    as_nobody() { (cd "$nwork" && setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/local/bin:/usr/bin:/bin \
                   HOME="$nwork" LANG=C "${path_env[@]}" "$@" 2>&1); }
    out=$(as_nobody sh -c 'cc example.c $(pkg-config --cflags --libs cvxrelu) -o example && ./example data.csv > out.txt' &&
          check_output "$nwork/out.txt" 2>&1)
    if [ $? = 0 ]; then ok "README C example as nobody: $out"; else bad "README C example as nobody" "failed"; fi
    out=$(as_nobody env "${py_env[@]}" "$PY" example.py)
    if [ $? = 0 ]; then ok "README Python example as nobody"; else bad "README Python example as nobody" "failed"; fi
    out=
fi

# ---------------------------------------------------------------- uninstall, DESTDIR
imake uninstall PREFIX="$prefix" "${ldc[@]}"
if [ "$system" = 1 ]; then
    left=$(cd "$prefix" && for f in $expected; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
else
    left=$(cd "$prefix" && find . ! -type d)
fi
if [ $st = 0 ] && [ -z "$left" ] && [ ! -e "$prefix/include/cvxrelu" ]; then ok "make uninstall leaves no file in the prefix"
else out=$left; bad "make uninstall" "exit status $st; left behind (see below)"; fi
out=

stage=$scratch/stage
imake install DESTDIR="$stage" PREFIX=/opt/cvxrelu LDCONFIG=true
pc=$stage/opt/cvxrelu/lib/pkgconfig/cvxrelu.pc
if [ $st = 0 ] && [ -x "$stage/opt/cvxrelu/bin/cvxrelu" ] && grep -qx 'prefix=/opt/cvxrelu' "$pc" &&
   ! grep -rq "$stage" "$pc" "$(find "$stage" -name cvxrelu.py)"; then ok "make install DESTDIR=... PREFIX=/opt/cvxrelu stages, paths without DESTDIR"
else bad "DESTDIR" "exit status $st"; fi
out=
imake uninstall DESTDIR="$stage" PREFIX=/opt/cvxrelu LDCONFIG=true
left=$(cd "$stage" && find . ! -type d)
if [ $st = 0 ] && [ -z "$left" ]; then ok "make uninstall DESTDIR=... leaves no file"
else out=$left; bad "make uninstall DESTDIR" "exit status $st; left behind (see below)"; fi
out=
finish
