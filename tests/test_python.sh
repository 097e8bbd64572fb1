#!/bin/bash
# The Python module's tests (tests/python/test_cvxrelu.py) with Debian's python3-pytest, against the shared library
# of the plain build (build/libcvxrelu.so; a sanitizer build's library would need the ASan runtime preloaded into
# python3). Builds it first when missing, in a make of its own (not a calling `make test SANITIZE=1`'s jobserver).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
if [ ! -e build/libcvxrelu.so ] || [ ! -x build/cvxrelu ]; then
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory SANITIZE=0 build/libcvxrelu.so build/cvxrelu || exit 1
fi
env -u CVXRELU_LIB PYTHONDONTWRITEBYTECODE=1 CR_PROG="$src/build/cvxrelu" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
