# SPDX-License-Identifier: GPL-2.0
# Plots for scripts/sweep.sh, one PNG on stdout.
#
# usage: gnuplot -e "dir='DIR'; mechs='M1 M2 ...'; plot_kind='KIND'" sweep.gnuplot
#
#   KIND dispatch_latency or timer_lateness: the CDF of that histogram, one
#        line per mechanism, from DIR/KIND.<mechanism>.dat ("x_us fraction")
#   KIND throughput: items/s per mechanism from 1 and from n submitters,
#        from DIR/throughput.dat ("mechanism tput_1 tput_n")
set terminal pngcairo size 1000,600 noenhanced font ",10"
set grid
set key outside right top

if (plot_kind eq "throughput") {
	set title "Throughput: empty items per second (higher is better)"
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set ylabel "items/s"
	set xtics rotate by -30
	plot dir."/throughput.dat" using 2:xtic(1) title "1 submitter", \
		"" using 3 title "n submitters"
} else {
	if (plot_kind eq "dispatch_latency") {
		set title "Dispatch latency: queue or wake call to the handler (CDF)"
		set xlabel "latency, us (log scale)"
	} else {
		set title "Timer path: time past the requested delay (CDF)"
		set xlabel "lateness, us (log scale)"
	}
	set logscale x
	set ylabel "fraction of items"
	set yrange [0:1.02]
	plot for [m in mechs] dir."/".plot_kind.".".m.".dat" using 1:2 \
		with steps linewidth 2 title m
}
