# Slide "All global optima": the relative excess (L_beta - p_convex) / p_convex of gradient descent's final
# objective against the width m, every seed (log scale, so that runs stuck at a spurious stationary point
# stand apart from those at p_convex), the best per width, and the critical width m*. Reads
# res/{runs,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('m_star')) nooutput prefix 'M'
stats res.'/runs.csv' skip 1 using 1 nooutput prefix 'W'
stats res.'/runs.csv' skip 1 using 2 nooutput prefix 'S'
rel(L) = (L - P_max) / P_max
# An excess at or below `floor` (round-off: GD cannot beat p_convex) is drawn on the floor, with its own marker.
floor = 1e-12
stats res.'/runs.csv' skip 1 using (rel($3) > floor ? rel($3) : NaN) nooutput prefix 'R'
stats res.'/runs.csv' skip 1 using (rel($3) <= floor ? 1 : 0) nooutput prefix 'Z'
nfloor = int(Z_sum)
set title sprintf("Final objective of gradient descent: p_{convex} = %.6g, m* = %d, %d seeds per width", \
                  P_max, int(M_max), int(S_max))
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
# The seeds side by side within each width.
jit(m, s) = m + 0.3 * (s - (S_max + 1) / 2.0) / S_max
set datafile missing NaN
seeds = "res.'/runs.csv' skip 1 using (jit($1, $2)):(rel($3) > floor ? rel($3) : NaN) with points ls 1 pt 6 ps 1.4 lw 2 title 'final objective, each seed'"
if (nfloor > 0) {
    plot @seeds, \
         res.'/runs.csv' skip 1 using (jit($1, $2)):(rel($3) <= floor ? floor : NaN) with points ls 2 pt 10 ps 1.6 lw 2 \
            title sprintf('excess <= %g (drawn at %g): %d runs', floor, floor, nfloor)
} else {
    plot @seeds
}
