# Ablation of the problem size: patterns p and critical width m* of the convex program against n, for
# d = 2, 3. Reads res/sweep.csv.
load 'figures/style.gnuplot'
set datafile columnheaders
set title "Problem size: arrangement patterns p and critical width m* against n"
set xlabel 'n (samples)'
set ylabel 'count'
set logscale xy
set key top left
sel(dd, c) = (column('data.d') == dd && (strcol('status') eq 'ok' || strcol('status') eq 'claims_failed')) ? column(c) : NaN
plot for [dd=2:3] res.'/sweep.csv' using (column('data.n')):(sel(dd, 'p')) with linespoints ls (dd-1) title sprintf('p, d = %d', dd), \
     for [dd=2:3] res.'/sweep.csv' using (column('data.n')):(sel(dd, 'm_star')) with linespoints ls (dd+1) dt 2 title sprintf('m*, d = %d', dd), \
     for [dd=2:3] res.'/sweep.csv' using (column('data.n')):(sel(dd, 'n') + 1) with lines ls 9 notitle
