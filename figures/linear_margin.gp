# Slide "Implicit regularization": 1 - cos(w_t, w_svm) against the gradient step t (log-log) for logistic
# gradient descent on a linear model, with the claim's threshold (its expected cosine, column 3 of the run's one
# claim). Reads res/{curve,claims}.csv.
load 'figures/style.gnuplot'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/claims.csv' skip 1 using 3 nooutput prefix 'CL'
set title "Gradient descent on the logistic loss turns towards the max-margin direction"
set xlabel 'gradient step t'
set ylabel '1 - cos(w_t, w_{SVM})'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set key top right
plot res.'/curve.csv' skip 1 using 1:(1 - $2 > 1e-17 ? 1 - $2 : 1e-17) with lines ls 1 title '1 - cos(w_t, w_{SVM})', \
     1 - CL_max with lines ls 9 lc rgb '#d62728' title sprintf('claim: cos >= %g', CL_max)
