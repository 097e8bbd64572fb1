# Future work, "generalization of the global optima": test classification error against beta, one panel per loss,
# the convex optimum over the sampled patterns (reconstructed) and the gradient-descent networks of each width
# (seed 1). Reads res/results.csv (docs/experiments/generalization.md).
aspect = 0.6
load 'figures/style.gnuplot'
if (!exists('col')) col = 13
if (!exists('ylab')) ylab = 'test error (fraction misclassified)'
if (!exists('what')) what = 'test error'
f = res.'/results.csv'
widths = system("awk -F, 'NR > 1 && $4 == \"gd\" {print $5}' ".f." | sort -nu | tr '\\n' ' '")
# One series: rows of loss l and model m (width w for gd, seed 1), as a contiguous block for lines.
series(l, m, w) = sprintf("< awk -F, 'NR > 1 && $2 == \"%s\" && $4 == \"%s\" && ($4 == \"convex\" || ($5 == %s && $6 == 1))' %s", l, m, w, f)
set multiplot layout 1, 2 title what.' against the weight decay {/Symbol b}: convex optimum (sampled patterns) and GD'
set logscale x
set xlabel '{/Symbol b}'
set ylabel ylab
# Data never on the frame; room above the data for the key.
set autoscale xfix
set offsets graph 0.06, graph 0.06, graph 0.55, graph 0.08
set key top left vertical opaque box font ',14'
do for [l in 'squared logistic'] {
    set title sprintf('%s loss', l)
    plot series(l, 'convex', '0') using 3:(column(col)) with linespoints ls 2 lw 2.5 title 'convex optimum', \
         for [i = 1:words(widths)] series(l, 'gd', word(widths, i)) using 3:(column(col)) with linespoints ls (i == 1 ? 1 : i + 2) \
            title 'GD, m = '.word(widths, i)
}
unset multiplot
