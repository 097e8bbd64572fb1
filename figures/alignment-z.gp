# The slides' "Trajectories of (X w1hat_j)_+" (n = 2): in the plane, with the ellipse {Xu : ||u|| = 1} and the
# rectified ellipsoid {(Xu)_+ : ||u|| <= 1}; colour = log10 of the step. Reads res/{trajectories,circle}.csv.
load 'figures/style.gnuplot'
set title "Trajectories of (X ŵ_{1,j})_+ with the ellipse Xu and the rectified ellipsoid (Xu)_+, ||u|| = 1"
set size ratio -1
set xlabel 'sample 1: (x_1^T ŵ)_+'
set ylabel 'sample 2: (x_2^T ŵ)_+'
set cblabel 'log_{10}(t + 1)'
set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')
set key bottom left
stats res.'/trajectories.csv' skip 1 using 1 nooutput prefix 'T'
plot res.'/circle.csv' skip 1 using 4:5 with lines lc rgb '#bbbbbb' title 'ellipse {Xu : ||u|| = 1}', \
     res.'/circle.csv' skip 1 using 6:7 with lines ls 1 title 'rectified ellipsoid boundary (Xu)_+', \
     res.'/trajectories.csv' skip 1 using 8:9:(log10($1 + 1)) with points pt 7 ps 0.5 lc palette title '(X ŵ_{1,j}(t))_+', \
     res.'/trajectories.csv' skip 1 using (($1 == T_max) ? $8 : NaN):9 with points pt 7 ps 1.8 lc rgb '#d62728' title 'end'
