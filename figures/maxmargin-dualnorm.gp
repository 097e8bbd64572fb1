# Slide "KKT point": the dual norm max_{||u||<=1} |lambda'(Xu)_+| of the KKT multipliers lambda(t) fitted to
# gradient descent along the run, against the bound 1 of dual feasibility, with the final value printed as
# measured. Reads res/{trace,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trace.csv' skip 1 using 1:6 nooutput prefix 'T'
stats res.'/summary.csv' skip 1 using (sval('dual_norm_gd')) nooutput prefix 'G'
stats res.'/summary.csv' skip 1 using (sval('kkt_residual')) nooutput prefix 'K'
set title sprintf("Dual norm of the KKT multipliers {/Symbol l}(t) fitted along gradient descent (%d steps)", \
                  int(T_max_x))
set xlabel 'gradient step t'
set ylabel 'max_{||u|| ≤ 1} |{/Symbol l}(t)^T(Xu)_+|'
set logscale x
set format x '10^{%T}'
set xrange [T_min_x:T_max_x]
set key bottom right opaque box
plot res.'/trace.csv' skip 1 using 1:6 with lines ls 1 title 'dual norm of the fitted {/Symbol l}(t)', \
     1 with lines ls 9 lc rgb '#d62728' title 'dual feasibility bound 1', \
     res.'/trace.csv' skip 1 using 1:(($1 == T_max_x) ? $6 : NaN) with points ls 1 pt 7 ps 1.5 \
        title sprintf("final: %.5f (%s 1), relative KKT residual %.3g", G_max, G_max > 1 ? '>' : '≤', K_max)
