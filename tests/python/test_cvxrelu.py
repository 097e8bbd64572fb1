"""Tests of python/cvxrelu.py (Debian's python3-pytest; run by tests/test_python.sh in `make test`).

Every expected value comes from outside the library: cvxopt and an angular sweep of the plane (tests/python/
oracle.py) for the convex program and its patterns, numpy for forward passes, gradients and objectives, Python's
csv module for the tables, a C compiler for the structure layouts the module mirrors."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
sys.path[:0] = [os.path.join(SRC, "python"), HERE]

import cvxrelu  # noqa: E402
import oracle  # noqa: E402

PROG = os.environ.get("CR_PROG", os.path.join(SRC, "build", "cvxrelu"))


def planted(seed, n, d=2, noise=0.1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    y = np.maximum(X @ a, 0) - np.maximum(X @ b, 0) + noise * rng.standard_normal(n)
    return X, y


def network_objective(W1, w2, X, y, beta):
    f = oracle.forward(W1, w2, X)
    return 0.5 * np.sum((f - y) ** 2) + beta / 2 * (np.sum(W1 ** 2) + np.sum(w2 ** 2))


# ------------------------------------------------------------------------------------- the module itself

def test_struct_layouts_match_the_headers(tmp_path):
    """Every mirrored struct has the C offsets and size (a header change not carried over fails here)."""
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "err.h"', '#include "patterns.h"',
             '#include "convex.h"', '#include "net.h"', '#include "train.h"', 'int main(void) {']
    for cname, cls in cvxrelu._STRUCTS.items():
        lines.append('printf("%%s %%zu\\n", "%s", sizeof(%s));' % (cname, cname))
        for field, _ in cls._fields_:
            lines.append('printf("%%s.%%s %%zu\\n", "%s", "%s", offsetof(%s, %s));' % (cname, field, cname, field))
    lines += ['return 0; }']
    c = tmp_path / "layout.c"
    c.write_text("\n".join(lines) + "\n")
    cflags = subprocess.run(["pkg-config", "--cflags", "gsl", "openblas"], capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-I", os.path.join(SRC, "src"), *cflags, str(c), "-o", str(tmp_path / "layout")],
                   check=True)
    got = dict(l.split() for l in subprocess.run([str(tmp_path / "layout")], capture_output=True, text=True,
                                                   check=True).stdout.splitlines())
    want = {}
    for cname, cls in cvxrelu._STRUCTS.items():
        want[cname] = str(__import__("ctypes").sizeof(cls))
        for field, _ in cls._fields_:
            want["%s.%s" % (cname, field)] = str(getattr(cls, field).offset)
    assert got == want


def test_library_from_build_tree_and_from_CVXRELU_LIB():
    assert cvxrelu.library_path() == os.path.join(SRC, "build", "libcvxrelu.so")
    # CVXRELU_LIB comes first and is the only place looked at when set.
    code = ("import sys; sys.path.insert(0, %r); import cvxrelu\n"
            "try:\n    cvxrelu.library_path()\nexcept OSError as e:\n    print(e)\n") % os.path.join(SRC, "python")
    env = dict(os.environ, CVXRELU_LIB="/nonexistent/libcvxrelu.so")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout
    assert "tried: /nonexistent/libcvxrelu.so (missing) (" in out and "build/libcvxrelu.so" not in out
    real = os.path.realpath(os.path.join(SRC, "build", "libcvxrelu.so"))
    code = "import sys; sys.path.insert(0, %r); import cvxrelu; print(cvxrelu.library_path())" % os.path.join(SRC, "python")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, CVXRELU_LIB=real), capture_output=True,
                         text=True).stdout.strip()
    assert out == real


# ------------------------------------------------------------------------------------------------- solve

@pytest.mark.parametrize("seed,n", [(1, 8), (2, 15), (3, 24)])
def test_solve_against_cvxopt(seed, n):
    X, y = planted(seed, n)
    beta = 0.1
    sol = cvxrelu.solve(X, y, beta=beta, tol=1e-10)
    assert sol.status == "converged"
    # The exact patterns are those of an independent sweep of the plane.
    D = oracle.patterns_2d(X)
    assert set(map(tuple, sol.patterns.astype(int))) == set(map(tuple, D))
    ref, zref = oracle.convex_squared(X, y, beta, D)
    assert abs(sol.optimum - ref) <= 1e-6 * ref
    assert 0 <= sol.gap <= 1e-10 * max(1.0, sol.optimum) and sol.dual <= ref
    # The reconstructed network attains the optimum (numpy's objective) and the optimal prediction z*, unique
    # since the squared loss is strictly convex in the prediction.
    assert sol.W1.shape == (2, sol.mstar) and sol.w2.shape == (sol.mstar,) and 1 <= sol.mstar <= n + 1
    assert abs(network_objective(sol.W1, sol.w2, X, y, beta) - sol.optimum) <= 1e-9 * sol.optimum
    assert np.max(np.abs(oracle.forward(sol.W1, sol.w2, X) - zref)) <= 1e-4


def test_solve_given_and_sampled_patterns():
    X, y = planted(4, 14)
    D = oracle.patterns_2d(X)
    full = cvxrelu.solve(X, y, beta=0.1, patterns=D, tol=1e-10)
    ref, _ = oracle.convex_squared(X, y, 0.1, D)
    assert abs(full.optimum - ref) <= 1e-6 * ref
    # A subset of the patterns: the program over it, against cvxopt over the same subset (never below p_convex).
    sub = D[::3]
    part = cvxrelu.solve(X, y, beta=0.1, patterns=sub, tol=1e-10)
    ref_sub, _ = oracle.convex_squared(X, y, 0.1, sub)
    assert abs(part.optimum - ref_sub) <= 1e-6 * ref_sub and part.optimum >= full.optimum - full.gap
    # Sampled directions give realizable patterns only.
    s = cvxrelu.solve(X, y, beta=0.1, patterns=50, seed=3)
    assert set(map(tuple, s.patterns.astype(int))) <= set(map(tuple, D))
    assert s.optimum >= full.optimum - full.gap


def test_solve_classification_losses():
    X, y = planted(5, 16)
    y = np.where(y >= 0, 1.0, -1.0)
    for loss in ("logistic", "hinge"):
        sol = cvxrelu.solve(X, y, beta=0.5, loss=loss, tol=1e-9)
        f = oracle.forward(sol.W1, sol.w2, X)
        l = np.sum(np.logaddexp(0, -y * f)) if loss == "logistic" else np.sum(np.maximum(0, 1 - y * f))
        obj = l + 0.25 * (np.sum(sol.W1 ** 2) + np.sum(sol.w2 ** 2))
        assert sol.status == "converged" and abs(obj - sol.optimum) <= 1e-8 * sol.optimum
        assert sol.dual <= obj and sol.rel_gap <= 1e-9


def test_solve_rejects_bad_input():
    X, y = planted(6, 10)
    with pytest.raises(ValueError, match="y: expected 10 values"):
        cvxrelu.solve(X, y[:-1])
    with pytest.raises(ValueError, match="X: not finite"):
        cvxrelu.solve(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="loss"):
        cvxrelu.solve(X, y, loss="cubic")
    with pytest.raises(ValueError, match="labels in"):
        cvxrelu.solve(X, y, loss="logistic")
    with pytest.raises(ValueError, match="beta"):
        cvxrelu.solve(X, y, beta=0)
    with pytest.raises(ValueError, match="0 or 1"):
        cvxrelu.solve(X, y, patterns=np.full((2, 10), 2))


# ----------------------------------------------------------------------------------------- predict, train

def test_predict_against_numpy():
    rng = np.random.default_rng(7)
    X, W1, w2 = rng.standard_normal((517, 6)), rng.standard_normal((6, 9)), rng.standard_normal(9)
    f = cvxrelu.predict(W1, w2, X)
    ref = np.maximum(X @ W1, 0) @ w2
    assert np.max(np.abs(f - ref)) <= 1e-12 * np.max(np.abs(ref))
    with pytest.raises(ValueError, match="columns"):
        cvxrelu.predict(W1, w2, X[:, :5])


def numpy_gd(W1, w2, X, y, beta, lr, steps):
    """Gradient descent on 1/2 ||f - y||^2 + beta/2 ||theta||^2, ReLU'(0) = 0."""
    W1, w2 = W1.copy(), w2.copy()
    for _ in range(steps):
        H = X @ W1
        A = np.maximum(H, 0)
        r = A @ w2 - y
        g2 = A.T @ r + beta * w2
        g1 = X.T @ (np.outer(r, w2) * (H > 0)) + beta * W1
        W1, w2 = W1 - lr * g1, w2 - lr * g2
    return W1, w2


def test_train_gradient_descent_against_numpy():
    X, y = planted(8, 30, d=3)
    rng = np.random.default_rng(9)
    W1, w2 = 0.5 * rng.standard_normal((3, 5)), 0.5 * rng.standard_normal(5)
    for steps in (1, 40):
        net = cvxrelu.train(X, y, beta=0.1, iters=steps, lr=0.01, init=(W1, w2))
        rW1, rw2 = numpy_gd(W1, w2, X, y, 0.1, 0.01, steps)
        assert net.iterations == steps
        assert np.max(np.abs(net.W1 - rW1)) <= 1e-10 and np.max(np.abs(net.w2 - rw2)) <= 1e-10
        assert abs(net.objective - network_objective(net.W1, net.w2, X, y, 0.1)) <= 1e-12 * net.objective


def test_train_reaches_the_convex_optimum_and_never_beats_it():
    X, y = planted(10, 12)
    sol = cvxrelu.solve(X, y, beta=0.1, tol=1e-10)
    net = cvxrelu.train(X, y, width=12, beta=0.1, iters=30000, lr=0.02, seed=2)
    assert net.objective >= sol.optimum - sol.gap
    assert abs(net.objective - network_objective(net.W1, net.w2, X, y, 0.1)) <= 1e-12 * net.objective
    # Same seed, same network; the initialization is the seed's.
    again = cvxrelu.train(X, y, width=12, beta=0.1, iters=30000, lr=0.02, seed=2)
    assert np.array_equal(net.W1, again.W1) and np.array_equal(net.w2, again.w2)


def test_train_logistic_objective_and_divergence():
    X, y = planted(11, 20)
    y = np.where(y >= 0, 1.0, -1.0)
    net = cvxrelu.train(X, y, width=6, beta=0.01, loss="logistic", iters=500, lr=0.05, init="balanced", scale=0.5)
    f = oracle.forward(net.W1, net.w2, X)
    ref = np.sum(np.logaddexp(0, -y * f)) + 0.005 * (np.sum(net.W1 ** 2) + np.sum(net.w2 ** 2))
    assert abs(net.objective - ref) <= 1e-12 * ref
    with pytest.raises(cvxrelu.CvxreluError, match="train"):
        cvxrelu.train(X * 100, y * 100, width=6, iters=200, lr=10.0)


# ------------------------------------------------------------------------------------------------ tables

def test_read_table_types(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('index,pattern,value,note,code\n1,"0011",0.1,ok,0\n2,"1100",,"a, ""b""",12\n'
                 '3,"0000",nan,x,-3\n')
    t = cvxrelu.read_table(str(p))
    assert list(t) == ["index", "pattern", "value", "note", "code"]
    assert t["index"].dtype == np.float64 and list(t["index"]) == [1, 2, 3]
    assert list(t["pattern"]) == ["0011", "1100", "0000"]
    assert t["value"][0] == 0.1 and np.isnan(t["value"][1]) and np.isnan(t["value"][2])
    assert list(t["note"]) == ["ok", 'a, "b"', "x"]
    assert list(t["code"]) == [0, 12, -3]
    # Unquoted: leading zeros and the column named pattern keep their digits.
    q = tmp_path / "u.csv"
    q.write_text("pattern,bits\n110,011\n111,100\n")
    u = cvxrelu.read_table(str(q))
    assert list(u["pattern"]) == ["110", "111"] and list(u["bits"]) == ["011", "100"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        cvxrelu.read_table(str(bad))


def test_read_run_against_csv_module(tmp_path):
    out = tmp_path / "run"
    subprocess.run([PROG, "run", os.path.join(SRC, "configs", "arrangements.yaml"), "--out", str(out), "--quiet"],
                   check=True)
    tables = cvxrelu.read_run(str(out))
    assert set(tables) == {f[:-4] for f in os.listdir(out) if f.endswith(".csv")}
    for name, t in tables.items():
        with open(out / (name + ".csv"), newline="") as f:
            rows = list(csv.reader(f))
        assert list(t) == rows[0]
        for j, col in enumerate(rows[0]):
            cells = [r[j] for r in rows[1:]]
            if t[col].dtype == np.float64:
                assert np.array_equal(t[col], np.array([float(c) if c else np.nan for c in cells]), equal_nan=True)
            else:
                assert list(t[col]) == cells
    # The slides' four patterns stay strings with their zeros (docs/experiments/arrangements.md).
    assert sorted(tables["patterns"]["pattern"]) == ["000", "001", "110", "111"]
    s = cvxrelu.read_summary(str(out))
    assert s["status"] == "ok" and s["n"] == 3.0 and s["d"] == 2.0
