# SPDX-License-Identifier: GPL-2.0
# The plot of scripts/threads-bench.sh, one PNG on stdout: per mechanism,
# create and same-CPU switch (ping-pong round trip), host and guest, on a
# log scale.
#
# usage: gnuplot -e "datafile='FILE'" threads-bench.gnuplot
#
# FILE: a header line, then "column host_create guest_create host_switch
# guest_switch" in microseconds, '-' where a figure does not apply.
set terminal pngcairo size 1100,600 noenhanced font ",10"
set title "Thread operations, median per op (log scale; host: this machine, a VM; guest: QEMU TCG emulated)"
set datafile missing "-"
set datafile columnheaders
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set format y "%g"
set ylabel "microseconds"
set grid ytics
set key below
set yrange [0.005:*]
plot datafile using 2:xtic(1) title "create, host" lc rgb "#9ecae1", \
	"" using 3 title "create, guest (TCG)" lc rgb "#3182bd", \
	"" using 4 title "switch (ping-pong round trip), host" lc rgb "#fdae6b", \
	"" using 5 title "switch (ping-pong round trip), guest (TCG)" lc rgb "#e6550d"
