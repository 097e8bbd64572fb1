# Ablation of beta: p_convex (left axis) and the critical width m* (right axis) against the weight decay.
# Reads res/sweep.csv.
load 'figures/style.gnuplot'
set datafile columnheaders
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/sweep.csv' using ((strcol('status') eq 'ok' || strcol('status') eq 'claims_failed') ? column('m_star') : 0) \
      nooutput prefix 'M'
set title "Weight decay {/Symbol b}: convex optimum and critical width m*"
set xlabel '{/Symbol b}'
set ylabel 'p_{convex}'
set y2label 'm* (nonzero blocks after support reduction)'
set logscale x
set logscale y
set format x '10^{%T}'
# m* from 0, with headroom (both axes) for the legend at the top: no marker sits on the frame or under the key.
set y2range [0:M_max * 1.35 + 0.5]
set y2tics 0, (M_max > 10 ? ceil(M_max / 8.0) : 1), M_max
set offsets graph 0.04, graph 0.04, graph 0.3, 0
set ytics nomirror
set key top center
plot res.'/sweep.csv' using (column('beta')):((strcol('status') eq 'ok' || strcol('status') eq 'claims_failed') ? column('p_convex') : NaN) with linespoints ls 1 title 'p_{convex}', \
     res.'/sweep.csv' using (column('beta')):((strcol('status') eq 'ok' || strcol('status') eq 'claims_failed') ? column('m_star') : NaN) axes x1y2 with linespoints ls 2 title 'm*'
