# Slide "Theorem" (cos >= 1 - delta): per run, the norm ratio ||w1_j|| / scale at which the first neuron of each sign
# reached cos >= 1 - delta (the smallest over that sign's neurons), against the initialization scale, with the early
# phase's bound. Runs are spread sideways by seed; a sign that never aligned has no point. Reads res/{runs,summary}.csv.
load 'figures/style.gnuplot'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'norm_ratio_bound' ? $2 : NaN) nooutput prefix 'NR'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'seeds' ? $2 : NaN) nooutput prefix 'SD'
stats res.'/runs.csv' skip 1 using 1 nooutput prefix 'S'
R = NR_max
spread(scale, seed) = scale * 10 ** (0.3 * ((seed - 0.5) / SD_max - 0.5))
set title 'Norm ratio at the first aligned step, per run and sign'
set xlabel 'initialization scale (runs spread sideways by seed)'
set ylabel '||w_{1,j}|| / scale when cos_j first >= 1 - {/Symbol d}'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xrange [S_min / 2:S_max * 2]
set yrange [0.05:100]
set key bottom right
plot res.'/runs.csv' skip 1 using (spread($1, $2)):(strcol(4) ne '' ? $4 : NaN) with points ls 3 ps 0.7 title 's = +1', \
     res.'/runs.csv' skip 1 using (spread($1, $2)):(strcol(5) ne '' ? $5 : NaN) with points ls 2 ps 0.7 title 's = -1', \
     R with lines ls 9 title sprintf('early phase bound %g', R)
