# Training curves of the width sweep: the relative excess (L_beta(theta_t) - p_convex) / p_convex against the
# step t, one panel per width m, one line per seed, GD solid and SGD dashed; the line width decreases with the
# seed, so that seeds stuck at the same stationary value show as nested stripes. Reads res/{curves,summary}.csv.
aspect = 0.7
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('m_star')) nooutput prefix 'M'
lossname = '?'
stats res.'/summary.csv' skip 1 using (strcol(1) eq 'loss' ? (lossname = strcol(2), 1) : 0) nooutput
stats res.'/curves.csv' skip 1 using 2 nooutput prefix 'W'
stats res.'/curves.csv' skip 1 using 3 nooutput prefix 'S'
stats res.'/curves.csv' skip 1 using 4 nooutput prefix 'T'
rel(L) = (L - P_max) / P_max
# Points at or below 0 (round-off: GD cannot beat p_convex) have no place on the log axis and are left out.
stats res.'/curves.csv' skip 1 using (rel($5) > 0 ? rel($5) : NaN) nooutput prefix 'R'
nw = int(W_max)
ncol = nw > 3 ? 3 : nw
nrow = (nw + ncol - 1) / ncol
set datafile missing NaN
set logscale y
set format y '10^{%T}'
set yrange [10**floor(log10(R_min)):10**ceil(log10(R_max))]
set ytics 100
set mytics 1
set xrange [0:T_max / 1000.0]
set xtics T_max / 2000.0
set key bottom left samplen 1.5 spacing 0.9 opaque box
set multiplot layout nrow, ncol margins 0.11, 0.97, 0.12, 0.86 spacing 0.04, 0.1 \
    title sprintf("%s loss: (L_{/Symbol b}({/Symbol q}_t) - p_{convex}) / p_{convex}, one line per seed (GD solid, SGD dashed), m* = %d", \
                  lossname, int(M_max))
do for [m=1:nw] {
    set title sprintf('m = %d%s', m, m >= M_max ? ' (≥ m*)' : '') offset 0, -0.5
    if ((m - 1) % ncol == 0) { set ylabel 'relative excess'; set format y '10^{%T}' } \
    else { unset ylabel; set format y '' }
    if (m > nw - ncol) { set xlabel 'step t / 1000'; set format x '%g' } else { unset xlabel; set format x '' }
    if (m == 1) { set key } else { unset key }
    plot for [s=1:int(S_max)] res.'/curves.csv' skip 1 \
        using ($4 / 1000):((strcol(1) eq 'gd' && $2 == m && $3 == s && rel($5) > 0) ? rel($5) : NaN) with lines ls s \
        lw 1 + 0.9 * (S_max - s) \
        title sprintf('seed %d', s), \
         for [s=1:int(S_max)] res.'/curves.csv' skip 1 \
        using ($4 / 1000):((strcol(1) eq 'sgd' && $2 == m && $3 == s && rel($5) > 0) ? rel($5) : NaN) with lines ls s \
        lw 1 + 0.9 * (S_max - s) dt 2 notitle
}
unset multiplot
