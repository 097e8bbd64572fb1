# Global against spurious stationary points: the relative excess (L_beta(theta) - p_convex) / p_convex of every
# trained network against how far the certificate c = max_i g_i(v) / beta over all patterns is from 1, v the loss
# derivative of its Clarke element (docs/MATH.md, Certified gap). c <= 1 + cert_tol (left of the dashed line): a
# global optimum, at p_convex; above: a spurious stationary point, above p_convex. Filled: Clarke stationary; open:
# not stationary. Reads res/{networks,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
lossname = '?'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'loss' ? (lossname = strcol(2), 1) : 0) nooutput
stats res.'/summary.csv' skip 1 using (sval('cert_tol')) nooutput prefix 'CT'
stats res.'/summary.csv' skip 1 using (sval('gd_stationary')) nooutput prefix 'NG'
stats res.'/summary.csv' skip 1 using (sval('gd_classified')) nooutput prefix 'KG'
stats res.'/summary.csv' skip 1 using (sval('sgd_stationary')) nooutput prefix 'NS'
stats res.'/summary.csv' skip 1 using (sval('sgd_classified')) nooutput prefix 'KS'
stats res.'/summary.csv' skip 1 using (sval('gd_global') + 0) nooutput prefix 'GG'
stats res.'/summary.csv' skip 1 using (sval('gd_spurious') + 0) nooutput prefix 'GS'
# Excesses at or below `floor` (GD cannot beat p_convex: what remains is rounding and the gap) sit on it.
floor = 1e-13
fl(v) = v > floor ? v : floor
cfloor = 1e-10
cd(c) = abs(c - 1) > cfloor ? abs(c - 1) : cfloor
stats res.'/networks.csv' skip 1 using (cd($27)) nooutput prefix 'C'
stats res.'/networks.csv' skip 1 using (fl($29)) nooutput prefix 'E'
set title sprintf("%s loss: the certificate sorts global from spurious (GD %d/%d, SGD %d/%d)", \
                  lossname, int(KG_max), int(NG_max), int(KS_max), int(NS_max))
set xlabel '|c - 1|,  c = max_i g_i(v) / {/Symbol b} over all patterns'
set ylabel '(L_{/Symbol b}({/Symbol q}) - p_{convex}) / p_{convex}'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xrange [10**floor(log10(C_min) - 0.5):10**ceil(log10(C_max) + 0.5)]
set yrange [floor / 10:10**ceil(log10(E_max) + 1)]
set key at graph 0.98, graph 0.45 right top spacing 0.95 samplen 1.0 font ',14'
set datafile missing NaN
set arrow from CT_max, graph 0 to CT_max, graph 1 nohead ls 9
set label sprintf('c = 1 + %g', CT_max) at CT_max, graph 0.5 offset 0.5, 0 left font ',14'
set label 'global' at CT_max, graph 0.95 offset -0.5, 0 right font ',15'
set label 'spurious' at CT_max, graph 0.95 offset 0.5, 0 left font ',15'
set label sprintf('%g and below drawn at %g', floor, floor) at graph 0.02, first floor offset 0, 0.8 left font ',13'
m(meth, st) = strcol(1) eq meth && $16 == st
plot res.'/networks.csv' skip 1 using (m('gd', 1) ? cd($27) : NaN):(fl($29)) with points pt 7 ps 1.6 lc rgb '#1f77b4' notitle, \
     res.'/networks.csv' skip 1 using (m('gd', 0) ? cd($27) : NaN):(fl($29)) with points pt 6 ps 1.6 lc rgb '#1f77b4' notitle, \
     res.'/networks.csv' skip 1 using (m('sgd', 1) ? cd($27) : NaN):(fl($29)) with points pt 5 ps 1.0 lc rgb '#ff7f0e' notitle, \
     res.'/networks.csv' skip 1 using (m('sgd', 0) ? cd($27) : NaN):(fl($29)) with points pt 4 ps 1.0 lc rgb '#ff7f0e' notitle, \
     keyentry with points pt 7 ps 1.6 lc rgb '#1f77b4' title 'GD, Clarke stationary', \
     keyentry with points pt 6 ps 1.6 lc rgb '#1f77b4' title 'GD, not stationary', \
     keyentry with points pt 5 ps 1.0 lc rgb '#ff7f0e' title 'SGD, Clarke stationary', \
     keyentry with points pt 4 ps 1.0 lc rgb '#ff7f0e' title 'SGD, not stationary'
