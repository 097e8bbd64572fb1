# Slide "All global optima": final L_beta of gradient descent against the width m (every seed), the best per
# width, the convex optimum p_convex and the critical width m*. Reads res/{runs,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('m_star')) nooutput prefix 'M'
stats res.'/runs.csv' skip 1 using 1 nooutput prefix 'W'
set title sprintf("Gradient descent against the convex optimum: p_{convex} = %.6g, m* = %d", P_max, int(M_max))
set xlabel 'width m (neurons)'
set ylabel 'final objective L_{/Symbol b}({/Symbol q})'
set xrange [0.5:W_max + 0.5]
set logscale y
set key top right
set arrow from M_max, graph 0 to M_max, graph 1 nohead ls 9 lc rgb '#2ca02c'
set label 'm*' at M_max, graph 0.95 offset 0.5,0 tc rgb '#2ca02c'
plot res.'/runs.csv' skip 1 using 1:3 with points ls 1 pt 6 ps 1.2 title 'each seed', \
     res.'/runs.csv' skip 1 using 1:3 smooth unique with linespoints ls 2 title 'mean over seeds', \
     P_max with lines ls 9 lc rgb '#000000' title 'p_{convex}'
