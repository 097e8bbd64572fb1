# The slides' "Trajectories of (X w1hat_j)_+" (n = 2): in the plane, with the ellipse {Xu : ||u|| = 1} and the
# rectified ellipsoid {(Xu)_+ : ||u|| <= 1}; colour = log10 of the step; the ends marked as in alignment-w (dead:
# (X w1_j)_+ = 0). Reads res/{trajectories,circle}.csv.
aspect = 0.85
load 'figures/style.gnuplot'
# Before any range is set: stats filters its rows by the current ranges.
stats res.'/trajectories.csv' skip 1 using 1 nooutput prefix 'T'
stats res.'/trajectories.csv' skip 1 using 2 nooutput prefix 'J'
dead(c) = ($1 == T_max && $8 == 0 && $9 == 0) ? column(c) : NaN
alive(c) = ($1 == T_max && ($8 != 0 || $9 != 0)) ? column(c) : NaN
stats res.'/trajectories.csv' skip 1 using (dead(2)) nooutput prefix 'D'
# A margin around the autoscaled data, so that no end marker sits on the frame.
set autoscale fix
set offsets graph 0.06, graph 0.06, graph 0.06, graph 0.06
set xtics 0.5
set ytics 0.5
set title sprintf("(X ŵ_{1,j}(t))_+ along gradient descent: %d neurons, %d steps", int(J_max), int(T_max))
set size ratio -1
set xlabel 'sample 1: (x_1^T ŵ)_+'
set ylabel 'sample 2: (x_2^T ŵ)_+'
set cblabel 'log_{10}(t + 1)'
set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')
set key below maxrows 3 samplen 1.5 width 1
plot res.'/circle.csv' skip 1 using 4:5 with lines lc rgb '#bbbbbb' title 'ellipse {Xu : ||u|| = 1}', \
     res.'/circle.csv' skip 1 using 6:7 with lines ls 1 title 'rectified ellipsoid boundary (Xu)_+', \
     res.'/trajectories.csv' skip 1 using 8:9:(log10($1 + 1)) with points pt 7 ps 0.5 lc palette title '(X ŵ_{1,j}(t))_+, logged steps', \
     res.'/trajectories.csv' skip 1 using (alive(8)):9 with points pt 7 ps 2 lc rgb '#d62728' title 'end, active', \
     res.'/trajectories.csv' skip 1 using (dead(8)):9 with points pt 2 ps 2.2 lw 3 lc rgb '#000000' \
        title sprintf('end, dead: (Xw_{1,j})_+ = 0 (%d)', int(D_records))
