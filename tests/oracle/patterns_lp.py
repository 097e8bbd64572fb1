#!/usr/bin/python3
"""Independent oracle for tests/test_patterns.c: the realizable arrangement patterns of small instances by
linear programming (docs/MATH.md, The LP check). Pattern s in {0,1}^n is realized by some u with 1(Xu >= 0) = s iff s is
all ones (u = 0) or the LP
    max t  s.t.  x_i'u >= 0 (s_i = 1),  x_i'u <= -t (s_i = 0),  -1 <= u <= 1,  t <= 1
has optimum t > 1e-9 (scipy.optimize.linprog, HiGHS).

Input file: one or more instances, each a line "n d" followed by n lines of d numbers.
Output: for each instance, a line "instance K P" (K counted from 0, P patterns), then the P patterns as
0/1 strings (sample 1 first), in descending string order.
Usage: patterns_lp.py FILE
"""
import itertools
import sys

import numpy as np
from scipy.optimize import linprog


def realized(X):
    n, d = X.shape
    out = []
    # Variables (u_1..u_d, t); linprog minimizes, so the objective is -t.
    c = np.zeros(d + 1)
    c[d] = -1.0
    bounds = [(-1.0, 1.0)] * d + [(None, 1.0)]
    for s in itertools.product((1, 0), repeat=n):
        if all(s):
            out.append(s)
            continue
        A = np.zeros((n, d + 1))
        for i in range(n):
            if s[i] == 1:
                A[i, :d] = -X[i]          # -x_i'u <= 0
            else:
                A[i, :d] = X[i]           # x_i'u + t <= 0
                A[i, d] = 1.0
        res = linprog(c, A_ub=A, b_ub=np.zeros(n), bounds=bounds, method="highs")
        if res.status != 0:
            sys.exit("linprog failed: status %d (%s)" % (res.status, res.message))
        if -res.fun > 1e-9:
            out.append(s)
    return sorted(("".join(str(b) for b in s) for s in out), reverse=True)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: patterns_lp.py FILE")
    tok = open(sys.argv[1]).read().split()
    pos, k = 0, 0
    while pos < len(tok):
        n, d = int(tok[pos]), int(tok[pos + 1])
        pos += 2
        X = np.array([float(v) for v in tok[pos:pos + n * d]]).reshape(n, d)
        pos += n * d
        pats = realized(X)
        print("instance %d %d" % (k, len(pats)))
        for p in pats:
            print(p)
        k += 1


if __name__ == "__main__":
    main()
