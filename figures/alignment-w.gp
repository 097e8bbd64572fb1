# The slides' "Trajectories of w1hat_j = w1_j/||w1_j||" along gradient descent (d = 2): on the unit circle,
# with the lines x_i'u = 0; colour = log10 of the step. Reads res/{trajectories,lines,circle}.csv.
load 'figures/style.gnuplot'
set title "Trajectories of ŵ_{1,j} = w_{1,j}/||w_{1,j}|| on the unit circle (start: open circle, end: filled)"
set size ratio -1
set xrange [-1.3:1.3]
set yrange [-1.3:1.3]
set xlabel 'u_1'
set ylabel 'u_2'
set cblabel 'log_{10}(t + 1)'
set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')
set key bottom right
stats res.'/trajectories.csv' skip 1 using 1 nooutput prefix 'T'
plot res.'/circle.csv' skip 1 using 2:3 with lines lc rgb '#bbbbbb' title 'unit circle', \
     res.'/lines.csv' skip 1 using (-1.3*$2):(-1.3*$3):(2.6*$2):(2.6*$3) with vectors nohead ls 9 title 'lines x_i^T u = 0', \
     res.'/trajectories.csv' skip 1 using 6:7:(log10($1 + 1)) with points pt 7 ps 0.5 lc palette title 'ŵ_{1,j}(t)', \
     res.'/trajectories.csv' skip 1 using (($1 == 0) ? $6 : NaN):7 with points pt 6 ps 1.8 lc rgb '#000000' title 'start', \
     res.'/trajectories.csv' skip 1 using (($1 == T_max) ? $6 : NaN):7 with points pt 7 ps 1.8 lc rgb '#d62728' title 'end'
