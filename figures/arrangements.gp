# Slides "Hyperplane arrangements": the u-plane cut by the lines x_i'u = 0, each sector labelled by its
# pattern D_i = diag(1(Xu >= 0)), and the data points x_i. Reads res/{rays,sectors,data}.csv.
load 'figures/style.gnuplot'
set title "The slides' X = [3 3; 2 2; 1 0]: sectors of the u-plane and their patterns D_i"
set size ratio -1
R = 4.2
set xrange [-R:R]
set yrange [-R:R]
set xlabel 'u_1'
set ylabel 'u_2'
set key below horizontal
set arrow from -R,0 to R,0 nohead lc rgb '#bbbbbb' back
set arrow from 0,-R to 0,R nohead lc rgb '#bbbbbb' back
plot res.'/rays.csv' skip 1 using (0):(0):(R*$2):(R*$3) with vectors nohead ls 9 title "lines x_i^T u = 0", \
     res.'/sectors.csv' skip 1 using (0.62*R*$2):(0.62*R*$3):(sprintf("D = diag(%s)", stringcolumn(4))) \
        with labels font ',13' tc rgb '#1f3f7f' notitle, \
     res.'/data.csv' skip 1 using 2:3 with points ls 2 ps 1.6 title 'data points x_i', \
     res.'/data.csv' skip 1 using 2:3:(sprintf(" x_%d", $1)) with labels left offset 0.6,0.4 tc rgb '#d62728' notitle
