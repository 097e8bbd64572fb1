# Slides "Clarke stationary point" and "Characterization of Clarke stationary point": for every trained network
# (GD and SGD, every width and seed) the theorem's residual |L_beta(theta) - p_sub(I)| / p_sub(I), I the closed
# patterns of its neurons at the kink point, against its Clarke measure (the minimum-norm element of the Clarke
# subdifferential). A network on kinks also shows its plain gradient norm (ReLU'(0) = 0, open grey circle) joined to
# its Clarke measure: the subdifferential's [0, 1] moves it orders of magnitude to the left. Filled markers are
# Clarke stationary (left of their method's dashed threshold): circles global, triangles spurious (the certificate
# over all patterns); open squares are not stationary. Reads res/{networks,summary}.csv.
aspect = 0.75
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
lossname = '?'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'loss' ? (lossname = strcol(2), 1) : 0) nooutput
stats res.'/summary.csv' skip 1 using (sval('gd_clarke_tol')) nooutput prefix 'TG'
stats res.'/summary.csv' skip 1 using (sval('sgd_clarke_tol')) nooutput prefix 'TS'
stats res.'/summary.csv' skip 1 using (sval('eq_tol')) nooutput prefix 'EQ'
stats res.'/summary.csv' skip 1 using (sval('gd_stationary')) nooutput prefix 'NG'
stats res.'/summary.csv' skip 1 using (sval('gd_holds')) nooutput prefix 'HG'
stats res.'/summary.csv' skip 1 using (sval('sgd_stationary')) nooutput prefix 'NS'
stats res.'/summary.csv' skip 1 using (sval('sgd_holds')) nooutput prefix 'HS'
# Residuals below `floor` (0 included: the solver returns L itself at a smooth stationary point) sit on it.
floor = 1e-16
fl(v) = v > floor ? v : floor
stats res.'/networks.csv' skip 1 using 6 nooutput prefix 'GN'
stats res.'/networks.csv' skip 1 using 7 nooutput prefix 'CM'
stats res.'/networks.csv' skip 1 using (fl($19)) nooutput prefix 'RD'
set title sprintf("%s loss: L_{/Symbol b} = p_{sub}(I) at Clarke stationary networks, GD %d of %d, SGD %d of %d", \
                  lossname, int(HG_max), int(NG_max), int(HS_max), int(NS_max))
set xlabel 'Clarke measure (minimum-norm subgradient); grey: plain gradient norm'
set ylabel '|L_{/Symbol b}({/Symbol q}) - p_{sub}(I)| / p_{sub}(I)   (0 drawn at 10^{-16})'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xrange [10**floor(log10(CM_min) - 0.5):10**ceil(log10(GN_max) + 1)]
top = RD_max > 10 * EQ_max ? RD_max : 10 * EQ_max
set yrange [10**floor(log10(RD_min) - 1):10**ceil(log10(top) + 1)]
set key outside below center horizontal maxrows 3 Left reverse spacing 0.95 samplen 1.0 font ',14'
set bmargin 7.5
set datafile missing NaN
is(m, k) = strcol(1) eq m && strcol(28) eq k
kink(c) = ($9 + $10 > 0)
set arrow from TG_max, graph 0 to TG_max, graph 1 nohead lc rgb '#1f77b4' dt 2 lw 1.5
set arrow from TS_max, graph 0 to TS_max, graph 1 nohead lc rgb '#ff7f0e' dt 2 lw 1.5
set label 'GD threshold' at TG_max, graph 0.04 offset -0.3, 0 right tc rgb '#1f77b4' font ',14'
set label 'SGD' at TS_max, graph 0.04 offset 0.3, 0 left tc rgb '#ff7f0e' font ',14'
# The legend lists every kind whether or not this run has one.
plot res.'/networks.csv' skip 1 using (kink(0) ? $6 : NaN):(fl($19)):($7 - $6):(0) with vectors nohead lc rgb '#bbbbbb' lw 1 notitle, \
     res.'/networks.csv' skip 1 using (kink(0) ? $6 : NaN):(fl($19)) with points pt 6 ps 1.0 lc rgb '#aaaaaa' notitle, \
     EQ_max with lines ls 9 title sprintf('tolerance %g (or ||{/Symbol q}|| {/Symbol \264} measure)', EQ_max), \
     res.'/networks.csv' skip 1 using (is('gd', 'global') ? $7 : NaN):(fl($19)) with points pt 7 ps 1.6 lc rgb '#1f77b4' notitle, \
     res.'/networks.csv' skip 1 using (is('gd', 'spurious') ? $7 : NaN):(fl($19)) with points pt 9 ps 1.8 lc rgb '#1f77b4' notitle, \
     res.'/networks.csv' skip 1 using (is('gd', 'not_stationary') ? $7 : NaN):(fl($19)) with points pt 4 ps 1.6 lc rgb '#1f77b4' notitle, \
     res.'/networks.csv' skip 1 using (is('sgd', 'global') ? $7 : NaN):(fl($19)) with points pt 7 ps 1.1 lc rgb '#ff7f0e' notitle, \
     res.'/networks.csv' skip 1 using (is('sgd', 'spurious') ? $7 : NaN):(fl($19)) with points pt 9 ps 1.3 lc rgb '#ff7f0e' notitle, \
     res.'/networks.csv' skip 1 using (is('sgd', 'not_stationary') ? $7 : NaN):(fl($19)) with points pt 4 ps 1.1 lc rgb '#ff7f0e' notitle, \
     keyentry with points pt 7 ps 1.6 lc rgb '#1f77b4' title 'GD, global', \
     keyentry with points pt 9 ps 1.8 lc rgb '#1f77b4' title 'GD, spurious', \
     keyentry with points pt 4 ps 1.6 lc rgb '#1f77b4' title 'GD, not stationary', \
     keyentry with points pt 7 ps 1.1 lc rgb '#ff7f0e' title 'SGD, global', \
     keyentry with points pt 9 ps 1.3 lc rgb '#ff7f0e' title 'SGD, spurious', \
     keyentry with points pt 4 ps 1.1 lc rgb '#ff7f0e' title 'SGD, not stationary'
