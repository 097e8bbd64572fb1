# Slide "Nonconvex landscape and convex landscape": L(u, alpha) (left) and the convex Lc(v, w), v, w >= 0
# (right) on one colour scale, with the global minima and the origin marked: the origin is a Clarke stationary
# point of L (spurious, L = 1) but not a KKT point of Lc. The colour turns from blue to yellow at the origin's
# value, so the sublevel set {L < L(0,0)} shows the saddle. Reads res/{nonconvex,convex,minima}.csv (regular
# grids; minima.csv has each marked point's stationarity: Clarke minimum-norm subgradient or KKT residual).
aspect = 0.56
load 'figures/style.gnuplot'
sel(name, src) = (strcol(1) eq name && strcol(5) eq src) ? $2 : NaN
pick(name, src, c) = (strcol(1) eq name && strcol(5) eq src) ? column(c) : NaN
# The marked points, for the legends (the numbers come from the run, not from this script).
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 'refined', 4)) nooutput prefix 'NL'
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 'origin', 4)) nooutput prefix 'NOL'
stats res.'/minima.csv' skip 1 using (pick('nonconvex', 'origin', 6)) nooutput prefix 'NOS'
stats res.'/minima.csv' skip 1 using (pick('convex', 'refined', 4)) nooutput prefix 'CL'
stats res.'/minima.csv' skip 1 using (pick('convex', 'origin', 4)) nooutput prefix 'COL'
stats res.'/minima.csv' skip 1 using (pick('convex', 'origin', 6)) nooutput prefix 'COS'
# Ranges from the grids themselves.
stats res.'/nonconvex.csv' skip 1 using 1:3 nooutput prefix 'NG'
stats res.'/convex.csv' skip 1 using 1:3 nooutput prefix 'CG'
Lmin = NL_max < CL_max ? NL_max : CL_max
Lmax = NG_max_y > CG_max_y ? NG_max_y : CG_max_y
# Log colour scale over all values; the palette's break sits at the origin's value L(0,0).
set logscale cb
set cbrange [Lmin:Lmax]
brk = log(NOL_max / Lmin) / log(Lmax / Lmin)
set palette defined (0 '#08306b', brk * 0.5 '#2171b5', brk '#9ecae1', brk '#ffffb2', \
                     brk + (1 - brk) * 0.3 '#fd8d3c', brk + (1 - brk) * 0.65 '#e31a1c', 1 '#67000d')
set cblabel 'objective (log scale)'
set cbtics (0.75, 1, 2, 5, 10, 20) format '%g'
set style textbox opaque noborder margins 1, 1
set multiplot layout 1,2 margins 0.1, 0.89, 0.2, 0.85 spacing 0.12 \
    title "Toy X = 1, y = 1, {/Symbol b} = 1: nonconvex (left) and convex (right) landscape"
set size ratio -1
unset grid
set xrange [NG_min_x:NG_max_x]
set xtics 1
set ytics 1
set yrange [NG_min_x:NG_max_x]
set xlabel 'u'
set ylabel '{/Symbol a}'
set title 'L_{/Symbol b}(u,{/Symbol a}) = (1 - (u)_+{/Symbol a})^2 + ½(u^2+{/Symbol a}^2)'
unset colorbox
unset key
set label 1 sprintf("origin: Clarke stationary\n(min-norm subgradient %.2g)", NOS_max) \
    at graph 0.03, graph 0.12 left boxed front
plot res.'/nonconvex.csv' skip 1 using 1:2:3 with image notitle, \
     res.'/minima.csv' skip 1 using (sel('nonconvex', 'refined')):3 with points pt 7 ps 2.2 lc rgb '#ffffff' notitle, \
     res.'/minima.csv' skip 1 using (sel('nonconvex', 'refined')):3 with points pt 6 ps 2.2 lw 2 lc rgb '#000000' \
        notitle, \
     res.'/minima.csv' skip 1 using (sel('nonconvex', 'origin')):3 with points pt 5 ps 1.8 lc rgb '#d62728' notitle, \
     res.'/minima.csv' skip 1 using (sel('nonconvex', 'origin')):3 with points pt 4 ps 1.8 lw 2 lc rgb '#000000' \
        notitle
set colorbox
cpad = 0.06 * CG_max_x
set xrange [-cpad:CG_max_x + cpad]
set xtics 0.5
set ytics 0.5
set yrange [-cpad:CG_max_x + cpad]
set xlabel 'v'
set ylabel 'w'
set title 'L^c_{/Symbol b}(v,w) = (1 - v + w)^2 + v + w,  v,w ≥ 0'
set label 1 sprintf("origin: not stationary\n(KKT residual %.4f)", COS_max) at graph 0.95, graph 0.92 right boxed front
# Outside the feasible quadrant: grey.
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb '#bbbbbb' fs solid noborder
# One legend below both panels (the same markers left and right), drawn as labels: a key is confined to one panel.
set label 10 sprintf('global minimum: L = %.4f, L^c = %.4f', NL_max, CL_max) at screen 0.04, screen 0.035 \
    point pt 6 ps 2.2 lw 2 lc rgb '#000000' offset 1.5, 0
set label 11 sprintf('origin (0, 0): L = %.4f, L^c = %.4f', NOL_max, COL_max) at screen 0.54, screen 0.035 \
    point pt 5 ps 1.8 lc rgb '#d62728' offset 1.5, 0
set label 12 '' at screen 0.54, screen 0.035 point pt 4 ps 1.8 lw 2 lc rgb '#000000'
unset key
plot res.'/convex.csv' skip 1 using 1:2:3 with image notitle, \
     res.'/minima.csv' skip 1 using (sel('convex', 'refined')):3 with points pt 7 ps 2.2 lc rgb '#ffffff' notitle, \
     res.'/minima.csv' skip 1 using (sel('convex', 'refined')):3 with points pt 6 ps 2.2 lw 2 lc rgb '#000000' \
        notitle, \
     res.'/minima.csv' skip 1 using (sel('convex', 'origin')):3 with points pt 5 ps 1.8 lc rgb '#d62728' notitle, \
     res.'/minima.csv' skip 1 using (sel('convex', 'origin')):3 with points pt 4 ps 1.8 lw 2 lc rgb '#000000' \
        notitle
unset multiplot
