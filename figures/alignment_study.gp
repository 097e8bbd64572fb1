# Slide "Theorem" (cos >= 1 - delta): how early alignment degrades as the initialization scale grows. Per scale, the
# fraction of runs in which a neuron of each sign reaches cos >= 1 - delta while ||w1_j|| <= norm_ratio * scale,
# over the runs whose data set attains 1 - delta at all (the claim is at the smallest scale), and per sign over
# all runs. Reads res/{scales,summary}.csv.
load 'figures/style.gnuplot'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'data_sets' ? $2 : NaN) nooutput prefix 'DS'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'data_sets_attaining' ? $2 : NaN) nooutput prefix 'DA'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'delta' ? $2 : NaN) nooutput prefix 'DL'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'norm_ratio_bound' ? $2 : NaN) nooutput prefix 'NR'
stats res.'/scales.csv' skip 1 using 1 nooutput prefix 'S'
set title sprintf("Early alignment against the scale: %d data sets, %d attain cos >= 1 - %g", \
                  int(DS_max), int(DA_max), DL_max)
set xlabel 'initialization scale ||w_{1,j}(0)|| = |w_{2,j}(0)|'
set ylabel sprintf('fraction of runs (ratio <= %g)', NR_max)
set logscale x
set format x '10^{%T}'
set xrange [S_min / 2:S_max * 2]
set yrange [-0.05:1.05]
# Bottom left: the small scales align (fractions near 1), so nothing is drawn there.
set key at graph 0.02, graph 0.04 left bottom
plot res.'/scales.csv' skip 1 using 1:11 with linespoints ls 1 \
        title 'both signs (runs on data sets that attain it)', \
     res.'/scales.csv' skip 1 using 1:($3 / $2) with points ls 3 title 's = +1 (all runs)', \
     res.'/scales.csv' skip 1 using 1:($4 / $2) with points ls 2 title 's = -1 (all runs)'
