# Slide "Implicit regularization": 1 - cos(w_t, w_svm) against the gradient step t (log-log) for logistic
# gradient descent on a linear model. Reads res/{curve,summary}.csv.
load 'figures/style.gnuplot'
set title "Gradient descent on the logistic loss turns towards the max-margin direction"
set xlabel 'gradient step t'
set ylabel '1 - cos(w_t, w_{SVM})'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set key top right
plot res.'/curve.csv' skip 1 using 1:(1 - $2 > 1e-17 ? 1 - $2 : 1e-17) with lines ls 1 title '1 - cos(w_t, w_{SVM})', \
     1e-3 with lines ls 9 lc rgb '#d62728' title 'claim: cos > 0.999'
