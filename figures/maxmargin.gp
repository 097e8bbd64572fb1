# Slides "Implicit regularization for homogeneous network" and "Theorem": the normalized margin
# gamma = min_i y_i f_i / ||theta||^2 along gradient descent, then along the loss-scaled descent (the same
# gradient-flow path, steps eta / L), against its ceiling 1/(2 P*). The abscissa is ||theta||, which grows along both
# (the loss-scaled steps reach L = e^(-min y f) in thousands of steps; constant steps would need about 1 / L).
# Reads res/{trace,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('gamma_ceiling')) nooutput prefix 'G'
stats res.'/summary.csv' skip 1 using (sval('P_star')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('gamma_ratio')) nooutput prefix 'R'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trace.csv' skip 1 using 5 nooutput prefix 'T'
set title sprintf("Normalized margin {/Symbol g} against 1/(2P*), P* = %.6g: final {/Symbol g} 2P* = %.6f", P_max, R_max)
set xlabel '||{/Symbol q}|| (grows along the run)'
set ylabel '{/Symbol g} = min_i y_i f_i / ||{/Symbol q}||^2'
set logscale x
set format x '10^{%T}'
set xrange [T_min:T_max * 1.5]
set yrange [0:G_max * 1.1]
set key bottom right
plot res.'/trace.csv' skip 1 using 5:(strcol(2) eq 'gd' && $6 > 0 ? $6 : NaN) with lines ls 1 \
        title 'gradient descent', \
     res.'/trace.csv' skip 1 using 5:(strcol(2) ne 'gd' ? $6 : NaN) with linespoints ls 5 pt 7 ps 0.6 \
        title 'loss-scaled descent (then settled)', \
     G_max with lines ls 9 lc rgb '#d62728' title '1/(2P*): the global max-margin value'
