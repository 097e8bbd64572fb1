# Slide "Upperbound on the number of patterns": p against n for d = 2, 3, 4 on Gaussian data: exact count,
# closed form C(n, r) (+1), sampled count, Cover's bound 2r(e(n-1)/r)^r. Reads res/counts.csv.
load 'figures/style.gnuplot'
set title 'Number of arrangement patterns p = |\{1(Xu ≥ 0)\}| against n (Gaussian X)'
# Ranges fitted to the data: n from its smallest to its largest value, p over every method.
stats res.'/counts.csv' skip 1 using 2:4 nooutput prefix 'C'
set xrange [C_min_x / 1.15:C_max_x * 1.15]
# (a few decades above the data for the legend)
set yrange [10**floor(log10(C_min_y)):10**(ceil(log10(C_max_y)) + 3)]
set logscale xy
set xtics 2
set xlabel 'n (samples)'
set ylabel 'p (patterns)'
set key inside top left vertical maxrows 6 samplen 2 opaque box
set format y '10^{%T}'
sel(d, m) = (int($1) == d && strcol(3) eq m) ? $4 : NaN
plot for [d=2:4] res.'/counts.csv' skip 1 using 2:(sel(d, 'exact')) with linespoints ls (d-1) \
        title sprintf('d = %d: exact', d), \
     for [d=2:4] res.'/counts.csv' skip 1 using 2:(sel(d, 'closed_form')) with points ls (d-1) pt 6 ps 2.2 \
        title sprintf('d = %d: closed form', d), \
     for [d=2:4] res.'/counts.csv' skip 1 using 2:(sel(d, 'sampled')) with linespoints ls (d-1) dt 3 pt 1 \
        title sprintf('d = %d: sampled', d), \
     for [d=2:4] res.'/counts.csv' skip 1 using 2:(sel(d, 'cover_bound')) with lines ls (d-1) dt 2 \
        title sprintf("d = %d: Cover's bound", d)
