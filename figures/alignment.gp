# Slide "Theorem" (directional convergence): 1 - (best cos_j reached) for each sign s against the balanced
# initialization scale; smaller initializations align better. Reads res/scales.csv.
load 'figures/style.gnuplot'
# Rows alternate between the signs: a filtered-out row is skipped, not a break in the line.
set datafile missing NaN
set title "Alignment cos angle(w_{1,j}, s X^T D(w_{1,j}) y) reached, against the initialization scale"
set xlabel 'initialization scale ||w_{1,j}(0)|| = |w_{2,j}(0)|'
set ylabel '1 - max_j cos_j(t)'
# Ranges fitted to the data (a decade of room in y for the points and the threshold).
stats res.'/scales.csv' skip 1 using 1:4 nooutput prefix 'S'
set xrange [S_min_x / 1.5:S_max_x * 1.5]
set yrange [S_min_y / 10:(S_max_y > 0.01 ? S_max_y : 0.01) * 10]
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set key top left
plot res.'/scales.csv' skip 1 using 1:(($2 == 1) ? $4 : NaN) with linespoints ls 1 title 's = +1', \
     res.'/scales.csv' skip 1 using 1:(($2 == -1) ? $4 : NaN) with linespoints ls 2 title 's = -1', \
     0.01 with lines ls 9 title '{/Symbol d} = 0.01'
