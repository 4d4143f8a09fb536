# SPDX-License-Identifier: GPL-2.0
# Guest job (Debian guest only, scripts/debian-test.sh): every tool recipe
# of Documentation/user-guide.rst ("Trace events"), run as a user types
# it, and its output checked against what the guide shows. Each test
# loads kthread_demo with two threads of the sleep workload (1 ms period:
# about 2000 ktd_latency events a second), runs the recipe, and compares
# the events the tool saw with the samples the module counted meanwhile.
#
# Each tool turns the events on and off, which patches kernel code: under
# QEMU 7.2's TCG that needs CPU 1 offline (no_other_cpu in the guest
# library), so the recipes run on one CPU. A real test VM does not need
# this.
. /guest-ktap.sh

RECIPE_SECS=${RECIPE_SECS:-5}

ktap_setup() {
	ktd_fresh nr_threads=2 workload=sleep
	cd /tmp
	rm -f trace.dat perf.data
	sleep 0.5
}

ktap_teardown() {
	ktd_clean
}

samples() {
	kstat wakeup_latency_samples
}

# now_ms: the time since boot, in ms (/proc/uptime, to 10 ms: the
# `date` the guest's PATH finds first is busybox's, which has no %N)
now_ms() {
	read -r _up _rest </proc/uptime
	_cs=${_up#*.}
	echo $((${_up%.*} * 1000 + ${_cs#0} * 10))
}

# in_window N BEFORE AFTER WHAT: N events seen by a tool while the module
# counted AFTER - BEFORE samples around it, in the T_MS ms the command
# took. A tool sees at most what the module counted, and at least half of
# what the module took in the RECIPE_SECS the tool records (the module's
# rate times RECIPE_SECS: the rest of T_MS is the tool starting and
# exiting, seconds under TCG).
in_window() {
	_d=$(($3 - $2)) _t=${T_MS:-1}
	[ "$_t" -gt 0 ] || _t=1
	_want=$((_d * RECIPE_SECS * 1000 / _t / 2))
	echo "    # $4: $1 events; the module took $_d samples in $T_MS ms"
	[ "$1" -gt 0 ] || ktap_fail "$4: no events"
	[ "$1" -le "$_d" ] || ktap_fail "$4: $1 events, more than the $_d samples the module took"
	[ "$1" -ge "$_want" ] || ktap_fail "$4: $1 events, under half the $((_want * 2)) the module took in ${RECIPE_SECS} s"
}

# show FILE: the first lines of a tool's output, as KTAP comments
show() {
	head -n "${2:-8}" "$1" | sed 's/^/    # /'
}

test_trace_cmd() {
	command -v trace-cmd >/dev/null || ktap_skip "no trace-cmd"
	b=$(samples) t=$(now_ms)
	no_other_cpu trace-cmd record -e kthread_demo sleep "$RECIPE_SECS" >/tmp/rec.out 2>&1 ||
		{ show /tmp/rec.out 20; ktap_fail "trace-cmd record failed"; }
	a=$(samples) T_MS=$(($(now_ms) - t))
	trace-cmd report >/tmp/report.txt 2>/tmp/report.err ||
		{ show /tmp/report.err; ktap_fail "trace-cmd report failed"; }
	show /tmp/report.txt 4
	n=$(grep -cE 'ktd_latency: +id=[01] workload=sleep cross_cpu=0 ns=[0-9]+$' /tmp/report.txt || true)
	in_window "$n" "$b" "$a" "trace-cmd report ktd_latency"
}

test_perf_stat() {
	command -v perf >/dev/null || ktap_skip "no perf (linux-perf)"
	b=$(samples) t=$(now_ms)
	no_other_cpu perf stat -e 'kthread_demo:*' -a sleep "$RECIPE_SECS" 2>/tmp/stat.txt ||
		{ show /tmp/stat.txt 20; ktap_fail "perf stat failed"; }
	a=$(samples) T_MS=$(($(now_ms) - t))
	show /tmp/stat.txt 14
	for e in ktd_thread_start ktd_thread_stop ktd_latency ktd_work_queued \
		ktd_work_start ktd_work_finish; do
		grep -qE "^ +[0-9,]+ +kthread_demo:$e" /tmp/stat.txt ||
			ktap_fail "perf stat has no count for kthread_demo:$e"
	done
	n=$(awk '$2 == "kthread_demo:ktd_latency" { gsub(/,/, "", $1); print $1 }' /tmp/stat.txt)
	in_window "${n:-0}" "$b" "$a" "perf stat kthread_demo:ktd_latency"
}

test_perf_record_script() {
	command -v perf >/dev/null || ktap_skip "no perf (linux-perf)"
	b=$(samples) t=$(now_ms)
	no_other_cpu perf record -e kthread_demo:ktd_latency -a sleep "$RECIPE_SECS" \
		>/tmp/record.out 2>&1 || { show /tmp/record.out 20; ktap_fail "perf record failed"; }
	a=$(samples) T_MS=$(($(now_ms) - t))
	perf script >/tmp/script.txt 2>/tmp/script.err ||
		{ show /tmp/script.err; ktap_fail "perf script failed"; }
	show /tmp/script.txt 4
	n=$(grep -cE '^ +ktd/[01] +[0-9]+ .*kthread_demo:ktd_latency: id=[01] workload=sleep cross_cpu=0 ns=[0-9]+$' \
		/tmp/script.txt || true)
	in_window "$n" "$b" "$a" "perf script kthread_demo:ktd_latency"
}

# bpftrace_for_a_while: the guide's one-liner, stopped with SIGINT
# (Ctrl-C) RECIPE_SECS after it says it has attached; bpftrace then
# prints the map, one histogram per workload. It compiles the program
# with LLVM first: seconds under TCG, more than 20 s on a busy host (a
# fixed 20 s bound once stopped it before it attached, with no output).
bpftrace_for_a_while() {
	bpftrace -e \
		'tracepoint:kthread_demo:ktd_latency { @[str(args->workload)] = hist(args->ns); }' \
		>/tmp/bt.txt 2>&1 &
	_bt=$!
	# attached, or gone (an error: its output says why)
	wait_secs 300 eval 'grep -q "^Attaching" /tmp/bt.txt || ! kill -0 $_bt 2>/dev/null' ||
		echo "    # bpftrace had not attached after 300 s"
	sleep "$RECIPE_SECS"
	kill -INT $_bt 2>/dev/null || true
	wait $_bt || true
}

test_bpftrace_hist() {
	command -v bpftrace >/dev/null || ktap_skip "no bpftrace"
	no_other_cpu bpftrace_for_a_while
	show /tmp/bt.txt 12
	grep -q '^@\[sleep\]:' /tmp/bt.txt || ktap_fail "no histogram for the sleep workload"
	n=$(awk '/^\[/ && /\|/ { s += $(NF - 1) } END { print s + 0 }' /tmp/bt.txt)
	[ "$n" -gt 0 ] || ktap_fail "the histogram counted nothing"
}

ktap_run kthread_demo_tools test_trace_cmd test_perf_stat \
	test_perf_record_script test_bpftrace_hist
