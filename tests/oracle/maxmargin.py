#!/usr/bin/python3
"""Independent oracle for tests/test_maxmargin.c and bench/bench_maxmargin.c (docs/MATH.md,
section Max margin), with cvxopt's general-purpose cone solvers:

  linear hard margin   min 1/2 ||w||^2  s.t.  y_i w'x_i >= 1                       (cvxopt.solvers.qp)
  convex max margin    P* = min sum_j (||u_j|| + ||u'_j||)
                       s.t. Y sum_j D_j X (u_j - u'_j) >= 1,  (2 D_j - I) X u_j >= 0,  (2 D_j - I) X u'_j >= 0
                       as a second-order cone program in epigraph form     (cvxopt.solvers.conelp)

Input file: one or more instances, each
    n d p
    n lines of d numbers (X, row-major)
    one line of n labels (+1 / -1)
    p lines of n characters '0'/'1' (pattern j, sample 1 first; p = 0 skips P*)
Output, one line per instance:
    instance K svm V1 svm_status S1 pstar V2 pstar_status S2 seconds T accuracy A cpu C
V1 = 1/2 ||w||^2 (or inf), V2 = P* (or inf), statuses as cvxopt reports them ("failed" when cvxopt stopped with
an error at every tolerance tried), T = conelp wall time in seconds (the last attempt), A = conelp's own accuracy
measure: max(relative gap, primal and dual infeasibility), or the residual of its infeasibility certificate,
C = conelp's process CPU time in seconds (the last attempt).
Feasibility of the SVM is decided first by cvxopt's lp (qp stops with an error on infeasible data).
Options: --tol EPS (abstol = reltol = feastol, default 1e-10; on a cvxopt error retried at 1e-8 and 1e-7);
         --no-svm skips the linear SVM (the benchmark times P* only).
Environment: CR_ORACLE_KKT selects conelp's KKT solver (default "chol": dense normal equations, much faster here
than the default "qr"); CR_ORACLE_VERBOSE=1 prints cvxopt's iterations.
Usage: maxmargin.py [--no-svm] [--tol EPS] FILE
"""
import os
import sys
import time

import numpy as np
from cvxopt import solvers, matrix, spmatrix

SHOW = bool(os.environ.get("CR_ORACLE_VERBOSE"))
KKT = os.environ.get("CR_ORACLE_KKT", "chol")
LAST_CPU = float("nan")


def read_instances(path):
    tok = open(path).read().split()
    pos = 0
    while pos < len(tok):
        n, d, p = int(tok[pos]), int(tok[pos + 1]), int(tok[pos + 2])
        pos += 3
        X = np.array([float(v) for v in tok[pos:pos + n * d]]).reshape(n, d)
        pos += n * d
        y = np.array([float(v) for v in tok[pos:pos + n]])
        pos += n
        pats = []
        for _ in range(p):
            s = tok[pos]
            pos += 1
            if len(s) != n or any(ch not in "01" for ch in s):
                sys.exit("bad pattern string %r" % s)
            pats.append(np.array([ch == "1" for ch in s], dtype=float))
        yield X, y, pats


def svm(X, y, tol):
    n, d = X.shape
    # Feasibility first, as an LP (cvxopt's qp stops with an error rather than a certificate on infeasible
    # data): min 0 s.t. -Y X w <= -1.
    solvers.options.update({"show_progress": SHOW})
    lp = solvers.lp(matrix(np.zeros(d)), matrix(-(y[:, None] * X)), matrix(-np.ones(n)))
    if lp["status"] == "primal infeasible":
        return float("inf"), lp["status"]
    P = matrix(np.eye(d))
    q = matrix(np.zeros(d))
    G = matrix(-(y[:, None] * X))
    h = matrix(-np.ones(n))
    solvers.options.update({"show_progress": SHOW, "abstol": tol, "reltol": tol, "feastol": tol,
                            "maxiters": 200})
    sol = solvers.qp(P, q, G, h)
    if sol["status"] == "primal infeasible":
        return float("inf"), sol["status"]
    w = np.array(sol["x"]).ravel()
    return 0.5 * float(w @ w), sol["status"]


def pstar(X, y, pats, tol):
    """Variables: for each block b = (j, sign), (t_b, u_b) in R^{1+d}, stored contiguously."""
    n, d = X.shape
    B = 2 * len(pats)
    nv = B * (d + 1)
    rows, cols, vals = [], [], []
    h = []
    r = 0
    # Margins: -y_i sum_b sign_b D_j[i] x_i'u_b <= -1.
    for i in range(n):
        for j, D in enumerate(pats):
            if D[i] == 0:
                continue
            for sgn, b in ((1.0, 2 * j), (-1.0, 2 * j + 1)):
                for k in range(d):
                    if X[i, k] != 0.0:
                        rows.append(r); cols.append(b * (d + 1) + 1 + k); vals.append(-y[i] * sgn * X[i, k])
        h.append(-1.0)
        r += 1
    # Cones: -(2 D_j[k] - 1) x_k'u_b <= 0 (zero rows of X give 0 <= 0 and are left out).
    for j, D in enumerate(pats):
        for b in (2 * j, 2 * j + 1):
            for k in range(n):
                if not np.any(X[k] != 0.0):
                    continue
                sk = 2.0 * D[k] - 1.0
                for c in range(d):
                    if X[k, c] != 0.0:
                        rows.append(r); cols.append(b * (d + 1) + 1 + c); vals.append(-sk * X[k, c])
                h.append(0.0)
                r += 1
    nl = r
    # Second-order cones: -(t_b, u_b) + s = 0, s in Q^{d+1}.
    for b in range(B):
        for c in range(d + 1):
            rows.append(r); cols.append(b * (d + 1) + c); vals.append(-1.0)
            h.append(0.0)
            r += 1
    G = spmatrix(vals, rows, cols, (r, nv))
    cvec = np.zeros(nv)
    cvec[0::d + 1] = 1.0
    dims = {"l": nl, "q": [d + 1] * B, "s": []}
    solvers.options.update({"show_progress": SHOW, "abstol": tol, "reltol": tol, "feastol": tol,
                            "maxiters": 300})
    t0, c0 = time.perf_counter(), time.process_time()
    sol = solvers.conelp(matrix(cvec), G, matrix(h), dims, kktsolver=KKT)
    sec = time.perf_counter() - t0
    global LAST_CPU
    LAST_CPU = time.process_time() - c0
    if sol["status"] == "primal infeasible":
        acc = sol.get("residual as primal infeasibility certificate")
        return float("inf"), sol["status"], sec, acc if acc is not None else float("nan")
    accs = [sol.get(k) for k in ("relative gap", "primal infeasibility", "dual infeasibility")]
    accs = [abs(a) for a in accs if a is not None]
    return float(sol["primal objective"]), sol["status"], sec, max(accs) if accs else float("nan")


def robust(solve, tol):
    """cvxopt can stop with a domain error (a square root of a rounding-negative number) when the tolerances are
    tighter than it can reach; retry with looser ones (each still far below the 1e-6 the tests compare at)."""
    last = None
    for t in sorted({tol, max(tol, 1e-8), max(tol, 1e-7)}):
        try:
            return solve(t)
        except (ValueError, ArithmeticError) as exc:
            last = exc
    sys.stderr.write("cvxopt failed at every tolerance: %s\n" % last)
    return None


def main():
    args = sys.argv[1:]
    tol = 1e-10
    do_svm = True
    if args and args[0] == "--no-svm":
        do_svm = False
        args = args[1:]
    if len(args) >= 2 and args[0] == "--tol":
        tol = float(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.exit("usage: maxmargin.py [--no-svm] [--tol EPS] FILE")
    for k, (X, y, pats) in enumerate(read_instances(args[0])):
        r1 = robust(lambda t: svm(X, y, t), tol) if do_svm else (float("nan"), "skipped")
        v1, s1 = r1 if r1 else (float("nan"), "failed")
        if pats:
            r2 = robust(lambda t: pstar(X, y, pats, t), tol)
            v2, s2, sec, acc = r2 if r2 else (float("nan"), "failed", 0.0, float("nan"))
        else:
            v2, s2, sec, acc = float("nan"), "skipped", 0.0, float("nan")
        print("instance %d svm %.17g svm_status %s pstar %.17g pstar_status %s seconds %.6g accuracy %.3g cpu %.6g"
              % (k, v1, s1.replace(" ", "_"), v2, s2.replace(" ", "_"), sec, acc, LAST_CPU if pats else 0.0))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
