# Beyond the slides: linearly (not orthogonally) separable data. For every run, how far gradient descent's
# patterns are from the global optimum (P_sub / P* - 1) against how far the KKT multiplier of those patterns
# is from dual feasibility (dual norm - 1); the theorem's "iff" puts each run either at the lower left corner
# (both 0, drawn at 1e-10) or strictly inside. Reads res/runs.csv.
load 'figures/style.gnuplot'
set title "Linearly separable data: the dual norm decides whether gradient descent's KKT point is global"
set xlabel 'P_{sub}(I) / P* - 1   (I: patterns of gradient descent; 0 drawn at 10^{-10})'
set ylabel 'dual norm of {/Symbol l}_I minus 1 (0 drawn at 10^{-10})'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xrange [1e-11:10]
set yrange [1e-11:10]
set key top left
fl(v) = v > 1e-10 ? v : 1e-10
plot res.'/runs.csv' skip 1 using (($8 == 1) ? fl($3 / $2 - 1) : NaN):(fl($4 - 1)) with points ls 1 pt 7 ps 2 title 'global optimum (P_{sub} = P*)', \
     res.'/runs.csv' skip 1 using (($8 == 0 && $7 == 1) ? fl($3 / $2 - 1) : NaN):(fl($4 - 1)) with points ls 2 pt 5 ps 1.5 title 'spurious KKT point (P_{sub} > P*)'
