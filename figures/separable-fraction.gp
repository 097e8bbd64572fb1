# Beyond the slides: what gradient descent reached on linearly separable data, counted over the runs:
# the global max-margin network, a spurious KKT point, or no separation at all. Reads res/runs.csv.
load 'figures/style.gnuplot'
set title "Outcome of gradient descent on linearly (not orthogonally) separable data"
set ylabel 'runs'
set xrange [-0.6:2.6]
set yrange [0:*]
set xtics ('global optimum' 0, 'spurious KKT point' 1, 'data not separated' 2)
set style fill solid 0.7
set boxwidth 0.6
unset key
outcome(sep, reached) = sep == 0 ? 2 : (reached == 1 ? 0 : 1)
plot res.'/runs.csv' skip 1 using (outcome($7, $8)):(1) smooth frequency with boxes ls 1
