#!/usr/bin/python3
"""Rechecks values a run reported from the pattern sets it wrote beside them (tests/test_recheck.c), with
cvxopt's conelp through tests/oracle/maxmargin.py (the convex max-margin program P* over a pattern set, docs/MATH.md,
section Max margin).

Reads RUNDIR/patterns_used.csv (run,quantity,value,pattern: one row per pattern, the pattern a quoted 0/1 string,
sample 1 first) and RUNDIR/samples.csv (run,sample,label,x: x a quoted string of d numbers). For each (run,
quantity) group among the first LIMIT groups in file order (all when LIMIT is 0), solves the program over that
pattern set and prints one line:
    run R quantity Q patterns P reported V oracle W status S accuracy A
Usage: recheck.py [--limit LIMIT] [--tol EPS] RUNDIR
"""
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maxmargin  # noqa: E402  (the same directory)


def main():
    args = sys.argv[1:]
    limit, tol = 0, 1e-9
    while args and args[0].startswith("--"):
        if args[0] == "--limit":
            limit = int(args[1])
        elif args[0] == "--tol":
            tol = float(args[1])
        else:
            sys.exit("unknown option %s" % args[0])
        args = args[2:]
    if len(args) != 1:
        sys.exit("usage: recheck.py [--limit LIMIT] [--tol EPS] RUNDIR")
    rundir = args[0]
    data = {}
    with open(os.path.join(rundir, "samples.csv"), newline="") as f:
        for row in csv.DictReader(f):
            r = row["run"]
            data.setdefault(r, []).append((int(row["sample"]), float(row["label"]),
                                           [float(v) for v in row["x"].split()]))
    groups, order = {}, []
    with open(os.path.join(rundir, "patterns_used.csv"), newline="") as f:
        for row in csv.DictReader(f):
            key = (row["run"], row["quantity"])
            if key not in groups:
                order.append(key)
                groups[key] = (float(row["value"]), [])
            groups[key][1].append(row["pattern"])
    if limit > 0:
        order = order[:limit]
    for run, qty in order:
        rows = sorted(data[run])
        if [s for s, _, _ in rows] != list(range(1, len(rows) + 1)):
            sys.exit("run %s: samples are not 1..n" % run)
        X = np.array([x for _, _, x in rows])
        y = np.array([lab for _, lab, _ in rows])
        value, strings = groups[(run, qty)]
        pats = []
        for s in strings:
            if len(s) != len(rows) or any(ch not in "01" for ch in s):
                sys.exit("run %s %s: bad pattern %r" % (run, qty, s))
            pats.append(np.array([ch == "1" for ch in s], dtype=float))
        res = maxmargin.robust(lambda t: maxmargin.pstar(X, y, pats, t), tol)
        v, st, _, acc = res if res else (float("nan"), "failed", 0.0, float("nan"))
        print("run %s quantity %s patterns %d reported %.17g oracle %.17g status %s accuracy %.3g"
              % (run, qty, len(pats), value, v, st.replace(" ", "_"), acc))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
