# Slide "Characterization of Clarke stationary point": L_beta(theta) of each trained network against the
# optimum p_sub(I) of the convex program over its own patterns I, with the diagonal and the level p_convex.
# Reads res/{networks,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/networks.csv' skip 1 using 4 nooutput prefix 'S'
stats res.'/networks.csv' skip 1 using 3 nooutput prefix 'L'
lo = (S_min < L_min ? S_min : L_min) * 0.98
hi = (S_max > L_max ? S_max : L_max) * 1.02
set title "Trained networks sit at the optimum of their subsampled convex program: L_{/Symbol b}({/Symbol q}) = p_{sub}(I)"
set xlabel 'p_{sub}(I): convex optimum over the patterns I of the network'
set ylabel 'L_{/Symbol b}({/Symbol q}) of the trained network'
set xrange [lo:hi]
set yrange [lo:hi]
set size ratio -1
set key top left
set arrow from P_max, graph 0 to P_max, graph 1 nohead ls 9 lc rgb '#2ca02c'
plot x with lines ls 9 title 'diagonal L = p_{sub}', \
     P_max with lines ls 9 lc rgb '#2ca02c' title 'p_{convex} (level and vertical line)', \
     res.'/networks.csv' skip 1 using 4:(($9 == 0) ? $3 : NaN) with points ls 2 pt 4 ps 2.5 title 'gradient norm above tolerance', \
     res.'/networks.csv' skip 1 using 4:(($9 == 1) ? $3 : NaN) with points ls 1 pt 7 ps 1.2 title 'small gradient norm (stationary)'
