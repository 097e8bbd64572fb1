# Training curves of the width sweep: L_beta(theta_t) - p_convex against the step t for seed 1, one line per
# width m (colour). Reads res/{curves,summary}.csv.
load 'figures/style.gnuplot'
sval(k) = (strcol(1) eq k) ? $2 : NaN
stats res.'/summary.csv' skip 1 using (sval('p_convex')) nooutput prefix 'P'
stats res.'/summary.csv' skip 1 using (sval('m_star')) nooutput prefix 'M'
set title sprintf("Training curves (seed 1): L_{/Symbol b}({/Symbol q}_t) - p_{convex}, m* = %d", int(M_max))
set xlabel 'gradient step t'
set ylabel 'L_{/Symbol b}({/Symbol q}_t) - p_{convex}'
set logscale y
set format y '10^{%T}'
set cblabel 'width m'
set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')
set key top right
plot res.'/curves.csv' skip 1 using 3:(($2 == 1 && $4 - P_max > 0) ? $4 - P_max : NaN):1 with lines lw 1.5 lc palette \
     title 'one line per width m'
