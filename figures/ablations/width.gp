# Ablation of the width: gradient-descent runs of width m reaching p_convex, with m*; diverged points are failed
# runs, drawn at 0. Reads res/sweep.csv.
load 'figures/style.gnuplot'
set datafile columnheaders
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/sweep.csv' using (column('m_star')) nooutput prefix 'M'
load 'figures/ablations/runs_common.gnuplot'
set title sprintf("Width m: how many of %d seeds reach the global optimum (m* = %d)", int(RUNS_max), int(M_max))
set xlabel 'width m'
set arrow from M_max, graph 0 to M_max, graph 1 nohead ls 9 lc rgb '#2ca02c'
set label 'm*' at M_max, graph 0.12 offset 0.5,0 tc rgb '#2ca02c'
plot res.'/sweep.csv' using (column('width_sweep.max_width')):(ok('runs_reaching_p_convex')) with linespoints ls 1 title 'runs reaching p_{convex}', \
     res.'/sweep.csv' using (column('width_sweep.max_width')):(bad('runs_reaching_p_convex')) with points ls 2 pt 2 ps 2 title 'failed point (diverged)'
