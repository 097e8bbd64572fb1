# Future work, "generalization of the global optima": CPU seconds to the solution against beta, one panel per loss,
# the convex solve (with support reduction and reconstruction) and gradient descent at each width (seed 1). The
# times are in res/manifest.yaml (timings_seconds: rowK_cpu, K the row of res/results.csv), never in a CSV; they
# are joined to the rows here.
aspect = 0.6
load 'figures/style.gnuplot'
f = res.'/results.csv'
mf = res.'/manifest.yaml'
widths = system("awk -F, 'NR > 1 && $4 == \"gd\" {print $5}' ".f." | sort -nu | tr '\\n' ' '")
# Rows of loss l and model m (width w for gd, seed 1) as beta,cpu_seconds.
series(l, m, w) = sprintf("< awk -F, 'FNR == NR { if (FNR > 1 && $2 == \"%s\" && $4 == \"%s\" && ($4 == \"convex\" || ($5 == %s && $6 == 1))) { beta[$1] = $3; order[++k] = $1 } next } /^  row[0-9]+_cpu:/ { id = $0; sub(/^ *row/, \"\", id); sub(/_cpu:.*/, \"\", id); v = $0; sub(/.*: */, \"\", v); t[id + 0] = v + 0 } END { for (i = 1; i <= k; i++) print beta[order[i]] \",\" t[order[i]] }' %s %s", l, m, w, f, mf)
set multiplot layout 1, 2 title 'CPU seconds to the solution against the weight decay {/Symbol b}'
set logscale xy
set format y '10^{%T}'
set xlabel '{/Symbol b}'
set ylabel 'CPU seconds'
# Data never on the frame; room above the data for the key.
set autoscale xfix
set offsets graph 0.06, graph 0.06, graph 0.55, graph 0.08
set key top left vertical opaque box font ',14'
do for [l in 'squared logistic'] {
    set title sprintf('%s loss', l)
    plot series(l, 'convex', '0') using 1:2 with linespoints ls 2 lw 2.5 title 'convex solve', \
         for [i = 1:words(widths)] series(l, 'gd', word(widths, i)) using 1:2 with linespoints ls (i == 1 ? 1 : i + 2) \
            title 'GD, m = '.word(widths, i)
}
unset multiplot
