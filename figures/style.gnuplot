# Shared look of every figure. Called with res (results folder), out (figure path without extension) and
# term ('png' or 'pdf'); writes out.term.tmp, which make renames into place when gnuplot succeeds.
# A script may set `aspect` (height / width, default 2/3) before loading this file.
# The PDF is drawn at about the width the paper shows it (paper/reproduction.tex: 0.92 \textwidth on letter paper
# with 2 cm margins, 6.4 in, a scale of 1.03), so its text prints at about cairo's 2/3 of the font size below:
# 14 -> 9.6 pt, sub- and superscripts 7.7 pt; the smallest labels of the figures (font ',13') 8.9 pt.
if (!exists('aspect')) aspect = 2.0 / 3
if (term eq 'png') {
    set terminal pngcairo size 1200, 1200 * aspect enhanced font 'DejaVu Sans,19' linewidth 2.5 pointscale 1.4
} else {
    set terminal pdfcairo size 6.2, 6.2 * aspect enhanced font 'DejaVu Sans,14' linewidth 1.2 pointscale 0.6
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
set style line 6 lc rgb '#8c564b' lw 2 pt 15 ps 1.0
set style line 9 lc rgb '#444444' lw 1.5 dt 2
