# Clarke stationary points, how close: |L_beta(theta) - p_sub(I)| / p_sub(I) against the final gradient
# norm of every trained network (log-log), with the claim's tolerance. Reads res/networks.csv.
load 'figures/style.gnuplot'
set title "Distance to the subsampled convex optimum shrinks with the gradient norm"
set xlabel 'final gradient norm ||{/Symbol \321}L_{/Symbol b}({/Symbol q})||'
set ylabel '|L_{/Symbol b}({/Symbol q}) - p_{sub}(I)| / p_{sub}(I)'
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set key top left
floor = 1e-17
plot res.'/networks.csv' skip 1 using 7:(abs($3 - $4) / $4 > floor ? abs($3 - $4) / $4 : floor) with points ls 1 \
        title 'trained networks (values below 10^{-17} drawn at 10^{-17})', \
     1e-4 with lines ls 9 lc rgb '#d62728' title 'claim tolerance 10^{-4} (for small gradient norm)'
