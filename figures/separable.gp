# Slide "KKT point" on gradient descent's own multipliers: for every run, the dual norm N(lambda) of the multipliers
# fitted to the network gradient descent reached, as its excess over 1 in units of the run's tolerance 2r (r: the
# run's KKT residual; x = (N - 1) / 2r, the test is x <= 1), against how far that network is from the global max
# margin (y: 1 - gamma 2P*). The theorem: N <= 1 exactly when the KKT point is global, so the runs at a small KKT
# residual (filled) lie at the lower left (x <= 1, gamma 2P* >= 1 - margin_tol) or the upper right; runs above the
# residual bound (open) are not evidence. 0 and negative values are drawn at the lower edge.
# Reads res/runs.csv and res/summary.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('kkt_residual_bound')) nooutput prefix 'R'
stats res.'/summary.csv' skip 1 using (sval('margin_tolerance')) nooutput prefix 'M'
stats res.'/runs.csv' skip 1 using ($19 == 1 ? 1 : NaN) nooutput prefix 'OK'
stats res.'/runs.csv' skip 1 using ($8 == 1 ? 1 : NaN) nooutput prefix 'SEP'
set title sprintf("KKT point: dual norm of gradient descent's multipliers\n%d of %d separated runs at KKT residual r ≤ %g (filled)", \
                  int(OK_records), int(SEP_records), R_max)
set xlabel '(N({/Symbol l}) - 1) / 2r,   N({/Symbol l}) = max_{||u|| ≤ 1} |{/Symbol l}^T(Xu)_+|'
set ylabel '1 - {/Symbol g}({/Symbol q}) 2P*'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xrange [5e-7:1e6]
set yrange [5e-9:2]
set key bottom right opaque box
fx(v) = v > 1e-6 ? v : 1e-6
fl(v) = v > 1e-8 ? v : 1e-8
set arrow from 1, graph 0 to 1, graph 1 nohead ls 9
set arrow from graph 0, first M_max to graph 1, first M_max nohead ls 9
set label 'N = 1 + 2r' at 1.5, 1e-6 rotate by 90 font ',15'
set label '{/Symbol g} 2P* = 1 - margin\_tol' at 1e-6, M_max * 2 font ',15'
plot res.'/runs.csv' skip 1 using ($19 == 1 && strcol(2) eq 'orthsep' ? fx(($18 - 1) / (2 * $15)) : NaN):(fl(1 - $11)) \
        with points ls 3 pt 7 ps 1.3 title 'orthogonally separable', \
     res.'/runs.csv' skip 1 using ($19 == 1 && strcol(2) eq 'linear' && $12 == 1 ? fx(($18 - 1) / (2 * $15)) : NaN):(fl(1 - $11)) \
        with points ls 1 pt 5 ps 1.3 title 'linearly separable, global', \
     res.'/runs.csv' skip 1 using ($19 == 1 && strcol(2) eq 'linear' && $12 == 0 ? fx(($18 - 1) / (2 * $15)) : NaN):(fl(1 - $11)) \
        with points ls 2 pt 9 ps 1.5 title 'linearly separable, spurious', \
     res.'/runs.csv' skip 1 using ($8 == 1 && $19 == 0 ? fx(($18 - 1) / (2 * $15)) : NaN):(fl(1 - $11)) \
        with points lc rgb '#999999' pt 6 ps 1.2 title 'KKT residual above the bound'
