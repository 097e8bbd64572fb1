#!/usr/bin/python3
"""Independent oracle for the convex program of docs/MATH.md, solved by cvxopt.

    min  l( sum_i D_i X (u_i - u'_i), y ) + beta sum_i (||u_i|| + ||u'_i||)
    s.t. (2 D_i - I) X u_i >= 0,  (2 D_i - I) X u'_i >= 0

built from scratch here (numpy, cvxopt sparse matrices) with an epigraph t_j >= ||u_j|| per block:
  squared   coneqp: 1/2 ||M u - y||^2 + beta 1't           (M = [D_i X, -D_i X]_i)
  hinge     conelp: 1't' xi + beta 1't, xi >= 0, xi >= 1 - y o (M u)
  logistic  cp:     sum log(1 + exp(-y o (M u))) + beta 1't (cvxopt's nonlinear solver with cone constraints)

Usage: socp.py INSTANCE [--tol T]   (T: cvxopt abstol/reltol, default 1e-10)
Instance file (written by tests/test_convex.c and bench/bench_convex.c):
    cvxrelu-instance 1
    loss squared|logistic|hinge
    beta B
    n N
    d D
    p P
    X            (then N lines of D numbers)
    y            (then N numbers, one per line)
    patterns     (then P lines of N characters 0/1, sample 1 first)
Prints "status S", "optimum V", "seconds T" (time inside the cvxopt solver call only), "iterations K".
"""
import sys
import time

import numpy as np
from cvxopt import matrix, solvers, spmatrix


def read_instance(path):
    with open(path) as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    if lines[0] != "cvxrelu-instance 1":
        raise SystemExit("socp.py: not an instance file: %s" % path)
    it = iter(lines[1:])
    kv = {}
    for _ in range(5):
        k, v = next(it).split()
        kv[k] = v
    loss, beta = kv["loss"], float(kv["beta"])
    n, d, p = int(kv["n"]), int(kv["d"]), int(kv["p"])
    assert next(it) == "X"
    X = np.array([[float(t) for t in next(it).split()] for _ in range(n)]).reshape(n, d)
    assert next(it) == "y"
    y = np.array([float(next(it)) for _ in range(n)])
    assert next(it) == "patterns"
    D = np.array([[c == "1" for c in next(it)] for _ in range(p)], dtype=float).reshape(p, n)
    return loss, beta, X, y, D


def build(X, D):
    """M (n x 2pd, dense) and the cone/SOC rows of G (sparse), for variables [u (2pd), t (2p), extra]."""
    n, d = X.shape
    p = D.shape[0]
    nb = 2 * p
    M = np.zeros((n, nb * d))
    for j in range(nb):
        i, s = j % p, (1.0 if j < p else -1.0)
        M[:, j * d:(j + 1) * d] = s * D[i][:, None] * X
    # linear rows: -(2 D_i - I) X u_j <= 0
    vals, rows, cols = [], [], []
    r = 0
    for j in range(nb):
        sgn = 2 * D[j % p] - 1
        A = -(sgn[:, None] * X)
        for k in range(n):
            for a in range(d):
                if A[k, a] != 0.0:
                    vals.append(A[k, a]); rows.append(r + k); cols.append(j * d + a)
        r += n
    nlin = r
    # SOC rows: s = [t_j; u_j] in Q^{d+1}, i.e. G = -[e_t; e_u], h = 0
    soc = []
    for j in range(nb):
        rows.append(r); cols.append(nb * d + j); vals.append(-1.0)
        for a in range(d):
            rows.append(r + 1 + a); cols.append(j * d + a); vals.append(-1.0)
        r += d + 1
        soc.append(d + 1)
    return M, vals, rows, cols, nlin, soc, r


def solve(loss, beta, X, y, D, tol):
    n, d = X.shape
    p = D.shape[0]
    nb = 2 * p
    nu = nb * d
    M, vals, rows, cols, nlin, soc, nrows = build(X, D)
    solvers.options.update({"show_progress": False, "abstol": tol, "reltol": tol, "feastol": min(tol, 1e-8),
                            "maxiters": 400})
    if loss == "squared":
        nv = nu + nb
        G = spmatrix(vals, rows, cols, (nrows, nv))
        h = matrix(0.0, (nrows, 1))
        P = np.zeros((nv, nv))
        P[:nu, :nu] = M.T @ M
        q = np.concatenate([-M.T @ y, beta * np.ones(nb)])
        t0 = time.perf_counter()
        sol = solvers.coneqp(matrix(P), matrix(q), G, h, {"l": nlin, "q": soc, "s": []})
        sec = time.perf_counter() - t0
        x = np.array(sol["x"]).ravel()
        val = 0.5 * np.sum((M @ x[:nu] - y) ** 2) + beta * np.sum(np.linalg.norm(x[:nu].reshape(nb, d), axis=1))
        return sol, val, sec
    if loss == "hinge":
        nv = nu + nb + n
        # xi >= 0 and -xi - y o (M u) <= -1 go first (linear block)
        vals2, rows2, cols2 = [], [], []
        for k in range(n):
            rows2.append(k); cols2.append(nu + nb + k); vals2.append(-1.0)
            rows2.append(n + k); cols2.append(nu + nb + k); vals2.append(-1.0)
            for c in range(nu):
                if M[k, c] != 0.0:
                    rows2.append(n + k); cols2.append(c); vals2.append(-y[k] * M[k, c])
        G = spmatrix(vals2 + vals, rows2 + [r + 2 * n for r in rows], cols2 + cols, (nrows + 2 * n, nv))
        h = matrix(np.concatenate([np.zeros(n), -np.ones(n), np.zeros(nrows)]))
        c = matrix(np.concatenate([np.zeros(nu), beta * np.ones(nb), np.ones(n)]))
        t0 = time.perf_counter()
        sol = solvers.conelp(c, G, h, {"l": nlin + 2 * n, "q": soc, "s": []})
        sec = time.perf_counter() - t0
        x = np.array(sol["x"]).ravel()
        z = M @ x[:nu]
        val = np.sum(np.maximum(0.0, 1.0 - y * z)) + beta * np.sum(np.linalg.norm(x[:nu].reshape(nb, d), axis=1))
        return sol, val, sec
    if loss == "logistic":
        nv = nu + nb
        G = spmatrix(vals, rows, cols, (nrows, nv))
        h = matrix(0.0, (nrows, 1))
        Y = y[:, None] * M

        def F(x=None, z=None):
            if x is None:
                x0 = np.zeros(nv)
                x0[nu:] = 1.0
                return 0, matrix(x0)
            xv = np.array(x).ravel()
            q = Y @ xv[:nu]
            f = np.sum(np.logaddexp(0.0, -q)) + beta * np.sum(xv[nu:])
            sg = 0.5 * (1.0 - np.tanh(0.5 * q))  # sigma(-q)
            Df = np.concatenate([-(Y.T @ sg), beta * np.ones(nb)])
            if z is None:
                return matrix(f), matrix(Df[None, :])
            H = np.zeros((nv, nv))
            H[:nu, :nu] = z[0] * (Y.T * (sg * (1.0 - sg))) @ Y
            return matrix(f), matrix(Df[None, :]), matrix(H)

        t0 = time.perf_counter()
        sol = solvers.cp(F, G, h, {"l": nlin, "q": soc, "s": []})
        sec = time.perf_counter() - t0
        x = np.array(sol["x"]).ravel()
        q = Y @ x[:nu]
        val = np.sum(np.logaddexp(0.0, -q)) + beta * np.sum(np.linalg.norm(x[:nu].reshape(nb, d), axis=1))
        return sol, val, sec
    raise SystemExit("socp.py: unknown loss %s" % loss)


def main():
    args = sys.argv[1:]
    tol = 1e-10
    if "--tol" in args:
        i = args.index("--tol")
        tol = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        raise SystemExit(__doc__)
    loss, beta, X, y, D = read_instance(args[0])
    if D.shape[0] == 0:
        z = np.zeros(len(y))
        val = {"squared": 0.5 * np.sum(y ** 2), "hinge": np.sum(np.maximum(0, 1 - y * z)),
               "logistic": np.sum(np.logaddexp(0, -y * z))}[loss]
        print("status optimal\noptimum %.17g\nseconds 0\niterations 0" % val)
        return
    # cvxopt's interior point method can break down (a domain error in its scaling update) when asked for
    # tolerances near rounding: retry with looser ones and say which one answered.
    tols = [tol] + [t for t in (1e-9, 1e-8, 1e-7) if t > tol]
    last = None
    for t in tols:
        try:
            sol, val, sec = solve(loss, beta, X, y, D, t)
            break
        except (ValueError, ArithmeticError) as e:
            last = e
    else:
        raise SystemExit("socp.py: cvxopt failed at every tolerance: %s" % last)
    print("tolerance %g" % t)
    # The objective is re-evaluated at the returned point with the norms themselves, so the value is an
    # upper bound of the optimum whatever the solver's tolerance (up to the tiny cone infeasibility).
    print("status %s" % sol["status"])
    print("optimum %.17g" % val)
    print("seconds %.6f" % sec)
    print("gap %.17g" % (sol["gap"] if sol.get("gap") is not None else float("nan")))
    print("iterations %d" % sol.get("iterations", -1))


if __name__ == "__main__":
    main()
