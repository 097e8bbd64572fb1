# Shared by the ablations over optimal_set: runs (of train.seeds) reaching p_convex against a swept key.
set datafile columnheaders
set ylabel 'runs reaching p_{convex} (relative 10^{-4})'
set yrange [-0.5:*]
set offsets 0, 0, 0.6, 0
set key top left
# A completed point (ok, or claims_failed: some claim failed, e.g. no run reached p_convex) has valid values;
# failed and error points (e.g. a diverged step) have none and are drawn at 0.
completed(s) = s eq 'ok' || s eq 'claims_failed'
ok(c) = completed(strcol('status')) ? column(c) : NaN
bad(c) = completed(strcol('status')) ? NaN : 0
