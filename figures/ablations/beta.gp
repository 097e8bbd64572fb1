# Ablation of beta: p_convex (left axis) and the critical width m* (right axis) against the weight decay.
# Reads res/sweep.csv.
load 'figures/style.gnuplot'
set datafile columnheaders
set title "Weight decay {/Symbol b}: convex optimum and critical width m*"
set xlabel '{/Symbol b}'
set ylabel 'p_{convex}'
set y2label 'm* (nonzero blocks after support reduction)'
set logscale x
set logscale y
set format x '10^{%T}'
set y2tics
set ytics nomirror
set key top left
plot res.'/sweep.csv' using (column('beta')):((strcol('status') eq 'ok' || strcol('status') eq 'claims_failed') ? column('p_convex') : NaN) with linespoints ls 1 title 'p_{convex}', \
     res.'/sweep.csv' using (column('beta')):((strcol('status') eq 'ok' || strcol('status') eq 'claims_failed') ? column('m_star') : NaN) axes x1y2 with linespoints ls 2 title 'm*'
