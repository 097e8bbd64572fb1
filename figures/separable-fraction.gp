# Slide "Theorem" against "Future work": what gradient descent reached, per family of data sets, counted over the
# runs: the global max-margin network (P_sub = P* and gamma 2P* >= 1 - margin_tol), a spurious KKT point whose
# patterns still carry the optimum (P_sub = P*), a spurious KKT point (P_sub > P*), or no separation at all.
# Reads res/summary.csv (the counts).
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
# stats leaves the last value in <prefix>_max; one call per count.
do for [f in "orthsep linear"] {
    do for [q in "runs separated reached_P_sub_eq_P_star global_max_margin"] {
        stats res.'/summary.csv' skip 1 using (sval(f.'_'.q)) nooutput prefix 'S'
        eval sprintf("%s_%s = %d", f, q, int(S_max))
    }
}
$bars << EOD
EOD
set print $bars
do for [f in "orthsep linear"] {
    x0 = (f eq 'orthsep') ? 0 : 5
    eval sprintf("nr = %s_runs; ns = %s_separated; nq = %s_reached_P_sub_eq_P_star; ng = %s_global_max_margin", f, f, f, f)
    print sprintf("%g,%d,1", x0, ng)
    print sprintf("%g,%d,2", x0 + 1, nq - ng)
    print sprintf("%g,%d,3", x0 + 2, ns - nq)
    print sprintf("%g,%d,4", x0 + 3, nr - ns)
}
set print
set title sprintf("Global max margin reached: %d / %d orthogonally, %d / %d linearly separable", \
                  orthsep_global_max_margin, orthsep_runs, linear_global_max_margin, linear_runs)
set ylabel 'runs'
set xrange [-0.8:8.8]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics ('orthogonally separable' 1.5, 'linearly, not orthogonally' 6.5)
set style fill solid 0.8
set boxwidth 0.8
set key top right
plot $bars using ($3 == 1 ? $1 : NaN):2 with boxes lc rgb '#2ca02c' title 'global max margin', \
     $bars using ($3 == 2 ? $1 : NaN):2 with boxes lc rgb '#ff7f0e' title 'P_{sub} = P*, network not global', \
     $bars using ($3 == 3 ? $1 : NaN):2 with boxes lc rgb '#d62728' title 'spurious KKT point (P_{sub} > P*)', \
     $bars using ($3 == 4 ? $1 : NaN):2 with boxes lc rgb '#7f7f7f' title 'data not separated', \
     $bars using 1:2:(sprintf('%d', $2)) with labels offset 0, 0.8 notitle
