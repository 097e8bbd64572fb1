# Slides "Implicit regularization for homogeneous network" and "Theorem": the normalized margin
# gamma(t) = min_i y_i f_i / ||theta||^2 of gradient descent against its ceiling 1/(2 P*). Reads res/{trace,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('gamma_ceiling')) nooutput prefix 'G'
stats res.'/summary.csv' skip 1 using (sval('P_star')) nooutput prefix 'P'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trace.csv' skip 1 using 1 nooutput prefix 'T'
set title sprintf("Normalized margin {/Symbol g}(t) of gradient descent against 1/(2P*), P* = %.6g", P_max)
set xlabel 'gradient step t'
set ylabel 'normalized margin {/Symbol g}(t) = min_i y_i f_i / ||{/Symbol q}||^2'
set logscale x
set format x '10^{%T}'
set xrange [T_min:T_max]
set yrange [0:G_max * 1.1]
set key bottom right
plot res.'/trace.csv' skip 1 using 1:($4 > 0 ? $4 : NaN) with lines ls 1 title '{/Symbol g}(t), gradient descent', \
     G_max with lines ls 9 lc rgb '#d62728' title '1/(2P*): the global max-margin value'
