# Shared by the ablations over optimal_set: runs (of train.seeds) reaching p_convex against a swept key.
set datafile columnheaders
set ylabel 'runs reaching p_{convex} (relative 10^{-4})'
set yrange [-0.5:*]
set offsets 0, 0, 0.6, 0
set key top left
ok(c) = strcol('status') eq 'ok' ? column(c) : NaN
bad(c) = strcol('status') ne 'ok' ? 0 : NaN
