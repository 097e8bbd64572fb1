# Slide "All global optima": the relative excess (L_beta - p_convex) / p_convex of the final objective of gradient
# descent and of SGD against the width m, every seed (log scale, so that runs stuck at a spurious stationary point
# stand apart from those at p_convex), and the critical width m*. Reads res/{runs,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('m_star')) nooutput prefix 'M'
lossname = '?'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'loss' ? (lossname = strcol(2), 1) : 0) nooutput
stats res.'/runs.csv' skip 1 using 2 nooutput prefix 'W'
stats res.'/runs.csv' skip 1 using 3 nooutput prefix 'S'
rel(L) = (L - P_max) / P_max
# An excess at or below `floor` (round-off: GD cannot beat p_convex) is drawn on the floor, with its own marker.
floor = 1e-12
stats res.'/runs.csv' skip 1 using (rel($4) > floor ? rel($4) : NaN) nooutput prefix 'R'
stats res.'/runs.csv' skip 1 using (rel($4) <= floor ? 1 : 0) nooutput prefix 'Z'
nfloor = int(Z_sum)
set title sprintf("%s loss, final L_{/Symbol b} of GD and SGD: p_{convex} = %.6g, m* = %d, %d seeds", \
                  lossname, P_max, int(M_max), int(S_max))
set xlabel 'width m (neurons)'
set ylabel '(L_{/Symbol b}({/Symbol q}) - p_{convex}) / p_{convex}'
set xrange [0.5:W_max + 0.5]
set xtics 1
set logscale y
set format y '10^{%T}'
ylo = (nfloor > 0 ? floor : R_min) / 10
set yrange [ylo:R_max * 10]
set key bottom left opaque box
set arrow from M_max, graph 0 to M_max, graph 1 nohead ls 9 lc rgb '#2ca02c'
set label 'm*' at M_max, graph 0.95 offset 0.5,0 tc rgb '#2ca02c'
# The seeds side by side within each width: GD in the left half, SGD in the right half.
jit(m, s) = m + (strcol(1) eq 'gd' ? -0.22 : 0.22) + 0.18 * (s - (S_max + 1) / 2.0) / S_max
set datafile missing NaN
sel(meth) = strcol(1) eq meth
runs = "res.'/runs.csv' skip 1 using (sel('gd') ? jit($2, $3) : NaN):(rel($4) > floor ? rel($4) : NaN) with points pt 6 ps 1.4 lw 2 lc rgb '#1f77b4' title 'GD, each seed', res.'/runs.csv' skip 1 using (sel('sgd') ? jit($2, $3) : NaN):(rel($4) > floor ? rel($4) : NaN) with points pt 4 ps 1.3 lw 2 lc rgb '#ff7f0e' title 'SGD, each seed'"
if (nfloor > 0) {
    plot @runs, \
         res.'/runs.csv' skip 1 using (jit($2, $3)):(rel($4) <= floor ? floor : NaN) with points ls 2 pt 10 ps 1.6 lw 2 \
            title sprintf('excess <= %g (drawn at %g): %d runs', floor, floor, nfloor)
} else {
    plot @runs
}
