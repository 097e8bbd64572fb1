# Slide "Nonconvex landscape and convex landscape": L(u, alpha) (left) and the convex Lc(v, w), v, w >= 0
# (right), with their minima marked. Reads res/{nonconvex,convex,minima}.csv (regular grids).
load 'figures/style.gnuplot'
set multiplot layout 1,2 title "Toy X = 1, y = 1, {/Symbol b} = 1: nonconvex landscape (left) and convex landscape (right)"
set palette defined (0 '#0d0887', 0.3 '#7e03a8', 0.6 '#cc4778', 0.8 '#f89540', 1 '#f0f921')
set cbrange [0.75:4]
set cblabel 'objective'
set size ratio -1
set key below
sel(name) = (strcol(1) eq name && strcol(5) eq 'refined') ? $2 : NaN
# The measured minima, for the legends (the numbers come from the run, not from this script).
pick(name, c) = (strcol(1) eq name && strcol(5) eq 'refined') ? column(c) : NaN
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 2)) nooutput prefix 'NA'
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 3)) nooutput prefix 'NB'
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 4)) nooutput prefix 'NL'
stats res.'/minima.csv' skip 1 using (pick('convex', 2)) nooutput prefix 'CA'
stats res.'/minima.csv' skip 1 using (pick('convex', 3)) nooutput prefix 'CB'
stats res.'/minima.csv' skip 1 using (pick('convex', 4)) nooutput prefix 'CL'
set xlabel 'u'
set ylabel '{/Symbol a}'
set title 'L_{/Symbol b}(u,{/Symbol a}) = (1 - max\{u,0\}{/Symbol a})^2 + ½(u^2 + {/Symbol a}^2)'
set xrange [-2:2]
set yrange [-2:2]
plot res.'/nonconvex.csv' skip 1 using 1:2:3 with image notitle, \
     res.'/minima.csv' skip 1 using (sel('nonconvex')):3 with points pt 7 ps 2 lc rgb 'white' \
        title sprintf('min %.4f at (u,{/Symbol a}) = (%.4f, %.4f)', NL_max, NA_max, NB_max)
set xlabel 'v'
set ylabel 'w'
set title 'L^c_{/Symbol b}(v,w) = (1 - v + w)^2 + (v + w),  v, w ≥ 0'
set xrange [0:2]
set yrange [0:2]
plot res.'/convex.csv' skip 1 using 1:2:3 with image notitle, \
     res.'/minima.csv' skip 1 using (sel('convex')):3 with points pt 7 ps 2 lc rgb 'white' \
        title sprintf('min %.4f at (v, w) = (%.4f, %.4f)', CL_max, CA_max, CB_max)
unset multiplot
