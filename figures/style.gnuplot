# Shared look of every figure. Called with res (results folder), out (figure path without extension) and
# term ('png' or 'pdf'); writes out.term.tmp, which make renames into place when gnuplot succeeds.
if (term eq 'png') {
    set terminal pngcairo size 1200,800 enhanced font 'DejaVu Sans,14' linewidth 1.5
} else {
    set terminal pdfcairo size 7.5in,5in enhanced font 'DejaVu Sans,10' linewidth 1.2
}
set output out.'.'.term.'.tmp'
set datafile separator ','
set key opaque box
set grid lc rgb '#dddddd'
set style line 1 lc rgb '#1f77b4' lw 2 pt 7 ps 1.0
set style line 2 lc rgb '#d62728' lw 2 pt 5 ps 1.0
set style line 3 lc rgb '#2ca02c' lw 2 pt 9 ps 1.0
set style line 4 lc rgb '#9467bd' lw 2 pt 11 ps 1.0
set style line 5 lc rgb '#ff7f0e' lw 2 pt 13 ps 1.0
set style line 9 lc rgb '#444444' lw 1.5 dt 2
