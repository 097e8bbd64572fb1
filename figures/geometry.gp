# Slides "Geometric interpretation" (n = 2): the ellipse {Xu : ||u|| <= 1}, the rectified ellipsoid Q with its
# spikes, the polar set Q* (boundary at radius 1 / max_{z in Q} |a'z|), the optimal dual lambda* and its
# supporting lines |lambda*'z| = 1 touching Q at the optimal neurons. Reads res/{circle,spikes,polar,lambda,touch}.csv.
aspect = 0.85
load 'figures/style.gnuplot'
set title "Rectified ellipsoid Q, polar set Q* and optimal dual {/Symbol l}*"
set size ratio -1
set xlabel 'coordinate 1 (sample 1)'
set ylabel 'coordinate 2 (sample 2)'
set key at screen 0.5, screen 0.01 center bottom horizontal maxcols 2 samplen 2
set bmargin at screen 0.25
stats res.'/lambda.csv' skip 1 using 1 nooutput prefix 'L1'
stats res.'/lambda.csv' skip 1 using 2 nooutput prefix 'L2'
# The supporting line {z : lambda*'z = 1}, drawn as a parametric segment through its closest point to 0.
l2 = L1_max**2 + L2_max**2
px = L1_max / l2
py = L2_max / l2
set parametric
set trange [-3:3]
set xrange [-2.5:2.5]
set yrange [-2.5:2.5]
plot res.'/circle.csv' skip 1 using 4:5 with lines lc rgb '#bbbbbb' lw 2 title 'ellipse {Xu : ||u|| = 1}', \
     res.'/circle.csv' skip 1 using 6:7 with lines ls 1 title 'rectified ellipsoid Q = {(Xu)_+}', \
     res.'/spikes.csv' skip 1 using 2:3 with points ls 1 pt 5 ps 1.8 title 'spikes of Q', \
     res.'/polar.csv' skip 1 using ($2 * $7):($3 * $7) with lines ls 3 title 'polar set Q* boundary', \
     px - L2_max * t, py + L1_max * t with lines ls 9 lc rgb '#d62728' title '{/Symbol l}*^T z = 1', \
     -px - L2_max * t, -py + L1_max * t with lines ls 9 lc rgb '#ff7f0e' title '{/Symbol l}*^T z = -1', \
     res.'/lambda.csv' skip 1 using 1:2 with points ls 2 pt 7 ps 2 title '{/Symbol l}* (optimal dual)', \
     res.'/touch.csv' skip 1 using 3:4 with points pt 6 ps 3 lw 2 lc rgb '#d62728' title 'optimal neurons (X ŵ_j)_+'
