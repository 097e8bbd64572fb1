# Slide "KKT point": the dual norm N(lambda) = max_{||u||<=1} |lambda'(Xu)_+| of the KKT multipliers lambda fitted
# to gradient descent (Clarke fit, lambda = c y_i sigma(-y_i f_i)) along gradient descent and the loss-scaled
# descent, against the bound 1 of dual feasibility, with the fit's relative KKT residual r on the right axis: the
# dual norm reaches 1 as r falls (the claim: N <= 1 + 2r at r <= 0.01). Abscissa ||theta||, as in maxmargin.gp.
# Reads res/{trace,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trace.csv' skip 1 using 5 nooutput prefix 'T'
stats res.'/trace.csv' skip 1 using 8 nooutput prefix 'N'
stats res.'/trace.csv' skip 1 using 9 nooutput prefix 'R'
stats res.'/summary.csv' skip 1 using (sval('dual_norm_gd')) nooutput prefix 'G'
stats res.'/summary.csv' skip 1 using (sval('kkt_residual')) nooutput prefix 'K'
stats res.'/summary.csv' skip 1 using (sval('flow_steps')) nooutput prefix 'F'
set title sprintf("Dual norm of gradient descent's KKT multipliers: final N = %.6f (%s 1 + 2r), r = %.2g", \
                  G_max, G_max <= 1 + 2 * K_max ? '≤' : '>', K_max)
set xlabel '||{/Symbol q}|| (grows along the run)'
set ylabel 'N({/Symbol l}) = max_{||u|| ≤ 1} |{/Symbol l}^T(Xu)_+|'
set y2label 'relative KKT residual r'
set logscale x
set logscale y2
set format x '10^{%T}'
set format y2 '10^{%T}'
set xrange [T_min:T_max * 1.5]
# Every dual norm and residual of the run, with the bound 1 (the legend sits at the bottom left, below the data
# of the early steps).
ylo = (N_min < 1 ? N_min : 1)
yhi = (N_max > 1 ? N_max : 1)
set yrange [ylo - 0.35 * (yhi - ylo + 0.1):yhi + 0.1 * (yhi - ylo + 0.1)]
set y2range [10**floor(log10(R_min) - 0.5):10**ceil(log10(R_max) + 0.5)]
set ytics nomirror
set y2tics
set key bottom left opaque box
plot res.'/trace.csv' skip 1 using 5:(strcol(2) eq 'gd' ? $8 : NaN) with lines ls 1 title 'N({/Symbol l}), gradient descent', \
     res.'/trace.csv' skip 1 using 5:(strcol(2) ne 'gd' ? $8 : NaN) with linespoints ls 5 pt 7 ps 0.6 \
        title 'N({/Symbol l}), loss-scaled descent', \
     res.'/trace.csv' skip 1 using 5:9 axes x1y2 with lines ls 3 dt 3 title 'KKT residual r (right axis)', \
     1 with lines ls 9 lc rgb '#d62728' title 'dual feasibility bound 1'
