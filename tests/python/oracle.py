"""Independent references for the Python module's tests and the README examples (numpy and cvxopt only; nothing
here calls libcvxrelu).

patterns_2d(X)       every realizable pattern 1(X u >= 0) of a data set in the plane, by an angular sweep: the
                     arrangement's lines x_i'u = 0 cut the circle at critical angles; the patterns are those at
                     each critical angle (a ray, where the samples on the line count as active), at the midpoint
                     between consecutive ones (an open sector), and at u = 0 (all ones).
convex_squared(...)  the convex program with the squared loss, min 1/2 ||sum_i D_i X (u_i - u'_i) - y||^2 +
                     beta sum_i (||u_i|| + ||u'_i||) over the cones (2 D_i - I) X u >= 0, as a cvxopt cone QP with
                     an epigraph variable t_j >= ||u_j|| per block; returns the optimum (re-evaluated at the
                     returned point) and the optimal prediction z* (unique: the loss is strictly convex in z).
forward(W1, w2, X)   sum_j (X w1_j)_+ w2_j.
Run as a script on a CSV of x1,x2,y rows: prints "optimum V" and the n values of z*, one per line.
"""
import sys

import numpy as np


def patterns_2d(X):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    assert d == 2
    angles = []
    for x in X:
        if np.hypot(*x) > 0:
            a = np.arctan2(x[1], x[0])
            angles += [a + np.pi / 2, a - np.pi / 2]           # u perpendicular to x
    angles = np.sort(np.mod(angles, 2 * np.pi))
    scale = np.linalg.norm(X, axis=1)

    def pattern(theta, on_line):
        u = np.array([np.cos(theta), np.sin(theta)])
        s = X @ u
        if on_line:  # samples whose line passes through this ray are active (closed pattern)
            s = np.where(np.abs(s) <= 1e-12 * scale, 0.0, s)
        return tuple((s >= 0).astype(int))

    pats = {tuple([1] * n)}
    if len(angles) == 0:
        return np.array(sorted(pats, reverse=True))
    for k, a in enumerate(angles):
        nxt = angles[(k + 1) % len(angles)] + (2 * np.pi if k + 1 == len(angles) else 0.0)
        pats.add(pattern(a, True))
        if nxt - a > 1e-12:
            pats.add(pattern(0.5 * (a + nxt), False))
    return np.array(sorted(pats, reverse=True))


def convex_squared(X, y, beta, D, tol=1e-10):
    from cvxopt import matrix, solvers, spmatrix
    X, y, D = np.asarray(X, float), np.asarray(y, float), np.asarray(D, float)
    n, d = X.shape
    p = D.shape[0]
    nb = 2 * p                       # blocks u_1..u_p, u'_1..u'_p
    nu = nb * d
    M = np.hstack([s * D[i][:, None] * X for s in (1.0, -1.0) for i in range(p)])   # z = M u
    r = 0
    rows, cols, vals = [], [], []
    for j in range(nb):              # -(2 D_i - I) X u_j <= 0
        A = -((2 * D[j % p] - 1)[:, None] * X)
        for k in range(n):
            for a in range(d):
                rows.append(r + k); cols.append(j * d + a); vals.append(A[k, a])
        r += n
    nlin = r
    for j in range(nb):              # (t_j, u_j) in the second-order cone
        rows.append(r); cols.append(nu + j); vals.append(-1.0)
        for a in range(d):
            rows.append(r + 1 + a); cols.append(j * d + a); vals.append(-1.0)
        r += d + 1
    nv = nu + nb
    G = spmatrix(vals, rows, cols, (r, nv))
    h = matrix(0.0, (r, 1))
    P = np.zeros((nv, nv))
    P[:nu, :nu] = M.T @ M
    q = np.concatenate([-M.T @ y, beta * np.ones(nb)])
    solvers.options.update({"show_progress": False, "abstol": tol, "reltol": tol, "feastol": 1e-10,
                            "maxiters": 400})
    sol = solvers.coneqp(matrix(P), matrix(q), G, h, {"l": nlin, "q": [d + 1] * nb, "s": []})
    x = np.array(sol["x"]).ravel()
    z = M @ x[:nu]
    val = 0.5 * np.sum((z - y) ** 2) + beta * np.sum(np.linalg.norm(x[:nu].reshape(nb, d), axis=1))
    return val, z


def forward(W1, w2, X):
    return np.maximum(np.asarray(X) @ np.asarray(W1), 0.0) @ np.asarray(w2)


if __name__ == "__main__":
    data = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
    beta = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    X, y = data[:, :2], data[:, 2]
    val, z = convex_squared(X, y, beta, patterns_2d(X))
    print("optimum %.17g" % val)
    for v in z:
        print("%.17g" % v)
