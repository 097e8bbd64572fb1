# Ablation of the initialization scale: gradient-descent runs at m = 2 m* reaching p_convex. Reads res/sweep.csv.
load 'figures/style.gnuplot'
load 'figures/ablations/runs_common.gnuplot'
set title sprintf("Initialization scale: how many of %d seeds reach the global optimum", int(RUNS_max))
set xlabel 'initialization scale (entries N(0, scale^2))'
set logscale x
plot res.'/sweep.csv' using (column('train.scale')):(ok('runs_reaching_p_convex')) with linespoints ls 1 title 'runs reaching p_{convex}', \
     res.'/sweep.csv' using (column('train.scale')):(bad('runs_reaching_p_convex')) with points ls 2 pt 2 ps 2 title 'failed point (diverged)'
