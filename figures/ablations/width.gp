# Ablation of the width: gradient-descent runs of width m reaching p_convex, with m*. Reads res/sweep.csv.
load 'figures/style.gnuplot'
load 'figures/ablations/runs_common.gnuplot'
stats res.'/sweep.csv' using (column('m_star')) nooutput prefix 'M'
set title sprintf("Width m: how many of the seeds reach the global optimum (m* = %d)", int(M_max))
set xlabel 'width m'
set arrow from M_max, graph 0 to M_max, graph 1 nohead ls 9 lc rgb '#2ca02c'
set label 'm*' at M_max, graph 0.95 offset 0.5,0 tc rgb '#2ca02c'
plot res.'/sweep.csv' using (column('width_sweep.max_width')):(ok('runs_reaching_p_convex')) with linespoints ls 1 title 'runs reaching p_{convex}'
