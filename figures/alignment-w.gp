# The slides' "Trajectories of w1hat_j = w1_j/||w1_j||" along gradient descent (d = 2): on the unit circle,
# with the lines x_i'u = 0; colour = log10 of the step. The end of each neuron is marked by whether it is
# active there: dead means (X w1_j)_+ = 0 (columns z of the run). Reads res/{trajectories,lines,circle}.csv.
aspect = 0.85
load 'figures/style.gnuplot'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trajectories.csv' skip 1 using 1 nooutput prefix 'T'
stats res.'/trajectories.csv' skip 1 using 2 nooutput prefix 'J'
# Dead at the end: both entries of (X w1hat_j)_+ are 0.
dead(c) = ($1 == T_max && $8 == 0 && $9 == 0) ? column(c) : NaN
alive(c) = ($1 == T_max && ($8 != 0 || $9 != 0)) ? column(c) : NaN
stats res.'/trajectories.csv' skip 1 using (dead(2)) nooutput prefix 'D'
set title sprintf("ŵ_{1,j}(t) = w_{1,j}/||w_{1,j}|| along gradient descent: %d neurons, %d steps", int(J_max), int(T_max))
set size ratio -1
set xrange [-1.3:1.3]
set yrange [-1.3:1.3]
set xtics 0.5
set ytics 0.5
set xlabel 'u_1'
set ylabel 'u_2'
set cblabel 'log_{10}(t + 1)'
set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')
set key below maxrows 3 samplen 1.5 width 1
plot res.'/circle.csv' skip 1 using 2:3 with lines lc rgb '#bbbbbb' title 'unit circle', \
     res.'/lines.csv' skip 1 using (-1.3*$2):(-1.3*$3):(2.6*$2):(2.6*$3) with vectors nohead ls 9 title 'x_i^T u = 0', \
     res.'/trajectories.csv' skip 1 using 6:7:(log10($1 + 1)) with points pt 7 ps 0.5 lc palette \
        title 'ŵ_{1,j}(t), logged steps', \
     res.'/trajectories.csv' skip 1 using (($1 == 0) ? $6 : NaN):7 with points pt 6 ps 1.8 lw 1.5 lc rgb '#000000' \
        title 'start (t = 0)', \
     res.'/trajectories.csv' skip 1 using (alive(6)):7 with points pt 7 ps 2 lc rgb '#d62728' title 'end, active', \
     res.'/trajectories.csv' skip 1 using (dead(6)):7 with points pt 2 ps 2.2 lw 3 lc rgb '#000000' \
        title sprintf('end, dead: (Xw_{1,j})_+ = 0 (%d)', int(D_records))
