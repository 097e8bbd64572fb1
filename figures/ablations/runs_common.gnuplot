# Shared by the ablations over optimal_set: runs (of train.seeds) reaching p_convex against a swept key.
# The y axis goes from 0 to the runs of a point (the summary key `runs`, train.seeds): a point at the top is
# every seed. Sets RUNS_max for the scripts' titles.
set datafile columnheaders
# A completed point (ok, or claims_failed: some claim failed, e.g. no run reached p_convex) has valid values;
# failed and error points (e.g. a diverged step) have none and are drawn at 0.
completed(s) = s eq 'ok' || s eq 'claims_failed'
ok(c) = completed(strcol('status')) ? column(c) : NaN
bad(c) = completed(strcol('status')) ? NaN : 0
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/sweep.csv' using (completed(strcol('status')) ? column('runs') : 0) nooutput prefix 'RUNS'
set ylabel sprintf('runs reaching p_{convex} (of %d, relative 10^{-4})', int(RUNS_max))
# Ticks from 0 to the runs; the headroom above them holds the legend, so no point hides under it. The x offsets
# keep the markers at the ends of the grid inside the frame.
set yrange [-0.5:RUNS_max * 1.4 + 0.5]
set ytics 0, (RUNS_max > 10 ? ceil(RUNS_max / 8.0) : 1), RUNS_max
set key top left horizontal
set offsets graph 0.04, graph 0.04, 0, 0
set arrow from graph 0, first RUNS_max to graph 1, first RUNS_max nohead ls 9 lc rgb '#999999'
set label sprintf('all %d runs', int(RUNS_max)) at graph 0.99, first RUNS_max offset 0, 0.7 right tc rgb '#666666'
