# Ablation of the step size: gradient-descent runs reaching p_convex against the initial step; diverged
# points are failed runs, drawn at 0. Reads res/sweep.csv.
load 'figures/style.gnuplot'
load 'figures/ablations/runs_common.gnuplot'
set title sprintf("Step size: how many of %d seeds reach the global optimum", int(RUNS_max))
set xlabel 'initial step size'
set logscale x
plot res.'/sweep.csv' using (column('train.lr')):(ok('runs_reaching_p_convex')) with linespoints ls 1 title 'runs reaching p_{convex}', \
     res.'/sweep.csv' using (column('train.lr')):(bad('runs_reaching_p_convex')) with points ls 2 pt 2 ps 2 title 'failed point (diverged)'
