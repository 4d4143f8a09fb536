# SPDX-License-Identifier: GPL-2.0
# Gantt-style timelines of workqueue_demo's scenario, from the files
# scripts/timeline.py writes: one panel per configuration, one row per
# task that ran an item (with the CPUs it ran them on). The other stories
# (timeline.py --story; their .vars set story = 1) use the same bars, the
# run bars coloured by the CPU (item cpuN), and "mark" bars: a bracket
# above a row (the reader's read()).
#
# usage: gnuplot -e "dir='DIR'; cfgs='C1 C2 ...'; out='FILE.png'" timeline.gnuplot
#
# Each item has the colour of its name (w0, w1, w2): a solid bar while it
# is on the CPU, a hatched one while it could run but another task has the
# CPU (preempted while burning, or woken and not yet back on the CPU), a
# thin bar while it sleeps. A triangle marks its queueing, and a dashed
# line runs from there to the start of its handler. The dotted vertical
# line is the documentation's "all done at", the red one the measured.
# Several configurations share one time axis; story panels have their own.

set terminal pngcairo size 1100,400 noenhanced font ",10"
set output out

itemcol(s) = s eq "w0" || s eq "cpu0" ? 0x1f77b4 : s eq "w1" ? 0xff7f0e : \
	s eq "w2" ? 0x2ca02c : s eq "cpu1" ? 0xd62728 : s eq "cpu2" ? 0x9467bd : \
	s eq "cpu3" ? 0x8c564b : 0x7f7f7f
nth(s) = s eq "w0" ? 0 : s eq "w1" ? 1 : 2

# The size of the picture: a panel per configuration, high as its rows.
n = words(cfgs)
rows = 0
xall = 0
do for [i = 1:n] {
	load dir."/".word(cfgs, i).".vars"
	rows = rows + nrows
	xall = (xmax > xall) ? xmax : xall
}
panel_px = 78
row_px = 38
legend_px = 56
height = n * panel_px + rows * row_px + legend_px
set terminal pngcairo size 1100,height noenhanced font ",10"
set output out

set multiplot
set lmargin at screen 0.22
set rmargin at screen 0.97
set grid xtics lc "gray80"
set border 3
set xtics nomirror out
set ytics nomirror scale 0
unset key
set style fill solid 1.0 border
set bars 0

y = 1.0 - legend_px / (1.0 * height)
do for [i = 1:n] {
	c = word(cfgs, i)
	xl = "ms since w0 was queued"
	load dir."/".c.".vars"
	set xlabel xl offset 0,0.4
	h = (panel_px + nrows * row_px) / (1.0 * height)
	y = y - h
	set origin 0, y
	set size 1, h
	set title title offset 0,-0.6
	# the scenario's panels share one time axis; each story panel has its own
	set xrange [(exists("story") ? 0 : -1):(n > 1 && !exists("story") ? xall : xmax)]
	set yrange [nrows + 0.7:0.3]
	unset arrow
	unset label
	if (doc >= 0) {
		set arrow 1 from doc, graph 0 to doc, graph 1 nohead dt 3 lw 2 lc "black" front
	}
	if (done >= 0) {
		set arrow 2 from done, graph 0 to done, graph 1 nohead lw 1.5 lc "red" front
	}
	f = dir."/".c.".dat"
	plot f using (strcol(1) eq "run" ? ($3 + $4) / 2 : NaN):2:3:4:($2 - 0.26):($2 + 0.26):(itemcol(strcol(5))) \
		with boxxyerror fs solid 0.9 lc rgb variable, \
	     f using (strcol(1) eq "wait" ? ($3 + $4) / 2 : NaN):2:3:4:($2 - 0.26):($2 + 0.26):(itemcol(strcol(5))) \
		with boxxyerror fs transparent pattern 4 lc rgb variable, \
	     f using (strcol(1) eq "sleep" ? ($3 + $4) / 2 : NaN):2:3:4:($2 - 0.1):($2 + 0.1):(itemcol(strcol(5))) \
		with boxxyerror fs solid 0.15 lc rgb variable, \
	     f using (strcol(1) eq "queue" ? $3 : NaN):($2 + 0.32 + 0.06 * nth(strcol(5))):($4 - $3):(0):(itemcol(strcol(5))) \
		with vectors filled size screen 0.006,25 dt 2 lw 1.2 lc rgb variable, \
	     f using (strcol(1) eq "queue" ? $3 : NaN):($2 + 0.32 + 0.06 * nth(strcol(5))):(itemcol(strcol(5))) \
		with points pt 9 ps 1.1 lc rgb variable, \
	     f using (strcol(1) eq "queue" ? $4 : NaN):2:5 \
		with labels left offset 0.3,0 tc "white" font ",9:Bold", \
	     f using (strcol(1) eq "mark" ? $3 : NaN):($2 - 0.36):($4 - $3):(0) \
		with vectors heads size screen 0.004,90 lw 1.2 lc "black", \
	     f using (strcol(1) eq "mark" ? ($3 + $4) / 2 : NaN):($2 - 0.36):5 \
		with labels center offset 0,0.5 font ",9"
}

# The legend, once, along the top.
set origin 0, 1.0 - legend_px / (1.0 * height)
set size 1, legend_px / (1.0 * height)
unset title
unset xlabel
unset arrow
unset label
unset border
unset tics
unset grid
set xrange [0:1]
set yrange [0:1]
set key horizontal center center maxcols 5 samplen 2.5 width 1
if (exists("story")) {
	plot NaN with boxes fs solid 0.9 lc rgb "#1f77b4" title "on CPU 0", \
	     NaN with boxes fs solid 0.9 lc rgb "#d62728" title "on CPU 1", \
	     NaN with boxes fs transparent pattern 4 lc "gray40" title "runnable, not running", \
	     NaN with boxes fs solid 0.15 lc "gray40" title "asleep (blocked in the kernel)", \
	     NaN with lines lw 1.2 lc "black" title "a read() (ult)"
} else {
	plot NaN with boxes fs solid 0.9 lc "gray40" title "on the CPU", \
	     NaN with boxes fs transparent pattern 4 lc "gray40" title "waiting for the CPU", \
	     NaN with boxes fs solid 0.15 lc "gray40" title "sleeping", \
	     NaN with linespoints dt 2 pt 9 lc "gray40" title "queued, until started", \
	     NaN with lines dt 3 lw 2 lc "black" title "documented: all done", \
	     NaN with lines lw 1.5 lc "red" title "measured: all done", \
	     NaN with boxes fs solid 0.9 lc rgb "#1f77b4" title "w0", \
	     NaN with boxes fs solid 0.9 lc rgb "#ff7f0e" title "w1", \
	     NaN with boxes fs solid 0.9 lc rgb "#2ca02c" title "w2"
}
unset multiplot
