# Ablation of the problem size: patterns p and critical width m* of the convex program against n, for
# d = 2, 3, with the bound m* <= n + 1. A point the sweep did not complete (e.g. refused by the memory limit) is
# marked on the n axis. Reads res/sweep.csv.
load 'figures/style.gnuplot'
set datafile columnheaders
completed(s) = s eq 'ok' || s eq 'claims_failed'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/sweep.csv' using (column('data.n')) nooutput prefix 'N'
stats res.'/sweep.csv' using (completed(strcol('status')) ? 0 : 1) nooutput prefix 'BAD'
stats res.'/sweep.csv' using (completed(strcol('status')) ? column('p') : 1) nooutput prefix 'P'
set title sprintf("Problem size: patterns p and critical width m* against n: %d of %d points ran", \
                  int(BAD_records - BAD_sum), int(BAD_records))
set xlabel 'n (samples)'
set ylabel 'count'
set logscale xy
set xrange [N_min / 1.3:N_max * 1.3]
set xtics ('8' 8, '16' 16, '32' 32, '64' 64, '128' 128, '256' 256, '4' 4, '2' 2)
# Headroom above the largest p for the legend (top left), so that no point hides under it.
set yrange [1:P_max * 300]

set key top left samplen 1.5
sel(dd, c) = (column('data.d') == dd && completed(strcol('status'))) ? column(c) : NaN
plot for [dd=2:3] res.'/sweep.csv' using (column('data.n')):(sel(dd, 'p')) with linespoints ls (dd-1) title sprintf('p, d = %d', dd), \
     for [dd=2:3] res.'/sweep.csv' using (column('data.n')):(sel(dd, 'm_star')) with linespoints ls (dd+1) dt 2 title sprintf('m*, d = %d', dd), \
     res.'/sweep.csv' using (column('data.n')):(column('data.d') == 2 ? column('data.n') + 1 : NaN) with lines ls 9 title 'n + 1 (bound on m*)', \
     res.'/sweep.csv' using (column('data.n')):(completed(strcol('status')) ? NaN : 1) with points pt 2 ps 2.2 lw 2 \
        lc rgb '#000000' title 'not completed (d: sweep.csv)'
