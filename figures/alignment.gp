# Slide "Theorem" (cos >= 1 - delta), the n = 2 pictures' run: 1 - cos_j(t) against ||w1_j(t)|| / scale for every
# neuron (t = 0 at ratio 1, then the logged steps), with delta and the early phase's norm ratio bound read from the
# run's summary. With one sample per class neurons start close to alignment or reach it at once: why this data set
# cannot test the theorem (configs/alignment_study.yaml does; figures/alignment_study-phase.gp draws the same
# picture for it). Reads res/{trajectories,summary}.csv.
load 'figures/style.gnuplot'
which = 'One sample per class (n = 2)'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'delta' ? $2 : NaN) nooutput prefix 'DL'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'norm_ratio_bound' ? $2 : NaN) nooutput prefix 'NR'
stats res.'/trajectories.csv' skip 1 using 2 nooutput prefix 'J'
stats res.'/trajectories.csv' skip 1 using (strcol(10) ne '' ? 1 - $10 : NaN) nooutput prefix 'C'
delta = DL_max
R = NR_max
floor = 1e-16
set title sprintf("%s: 1 - cos_j against the neuron's growth, %d neurons", which, int(J_max))
set xlabel '||w_{1,j}(t)|| / scale'
set ylabel '1 - cos_j(t)'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
# Down to the smallest 1 - cos reached (values below 10^{-16}, rounding, are drawn at 10^{-16}).
set yrange [(C_min > floor ? C_min : floor) / 3:3]
set key below maxrows 2
set arrow from R, graph 0 to R, graph 1 nohead ls 9 lc rgb '#2ca02c'
# Rows of one neuron are not consecutive: points, not lines. The sign is w2_j's at the logged step.
plot res.'/trajectories.csv' skip 1 using 11:(($3 > 0 && strcol(10) ne '') ? (1 - $10 > floor ? 1 - $10 : floor) : NaN) \
        with points pt 7 ps 0.5 lc rgb '#1f77b4' title 'neurons with s = +1, logged steps', \
     res.'/trajectories.csv' skip 1 using 11:(($3 < 0 && strcol(10) ne '') ? (1 - $10 > floor ? 1 - $10 : floor) : NaN) \
        with points pt 5 ps 0.5 lc rgb '#d62728' title 'neurons with s = -1', \
     delta with lines ls 9 title sprintf('{/Symbol d} = %g', delta), \
     NaN with lines ls 9 lc rgb '#2ca02c' title sprintf('early phase: ||w_{1,j}|| / scale <= %g', R)
