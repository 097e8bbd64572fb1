# Slide "KKT point": the dual norm max_{||u||<=1} |lambda'(Xu)_+| of the KKT multipliers fitted to gradient
# descent along the run; <= 1 certifies a global max-margin network. Reads res/trace.csv.
load 'figures/style.gnuplot'
set title "Dual norm of the fitted KKT multipliers {/Symbol l}(t): at most 1 exactly at global optima"
set xlabel 'gradient step t'
set ylabel 'max_{||u||<=1} |{/Symbol l}^T(Xu)_+|'
set logscale x
set format x '10^{%T}'
set key top right
plot res.'/trace.csv' skip 1 using 1:6 with lines ls 1 title 'fitted {/Symbol l}(t)', \
     1 with lines ls 9 lc rgb '#d62728' title 'dual feasibility: 1'
