# SPDX-License-Identifier: GPL-2.0
# Guest job: the sysfs and debugfs interface of kthread_demo, driven the
# way a user drives it (echo and cat). Runs on both the debug test kernel
# and Debian's 6.1 kernel.
. /guest-ktap.sh

SYS=/sys/kernel/kthread_demo
DBG=/sys/kernel/debug/kthread_demo
NL='
'

nr_ktd_threads() {
	ps -o comm | grep -c '^ktd/' || true
}

# thread_col NAME COLUMN: one column of the threads file for ktd/NAME's row
thread_col() {
	awk -v n="ktd/$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n { print $col[c] }' $DBG/threads
}

# col_of COLUMN: that column for every thread, one per line
col_of() {
	awk -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ print $col[c] }' $DBG/threads
}

# kstat KEY: a value from the stats file
kstat() {
	awk -v k="$1:" '$1 == k { print $2 }' $DBG/stats
}

# proc_stat NAME FIELD: field FIELD of /proc/<pid>/stat for ktd/NAME
proc_stat() {
	awk -v f="$2" '{ print $f }' /proc/"$(thread_col "$1" pid)"/stat
}

# wait_for CMD...: retry CMD for up to 10 s
wait_for() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}

loops_of() {
	thread_col "$1" loops
}

# moving NAME: the thread's loop counter goes up within 10 s
moving() {
	_l=$(loops_of "$1")
	wait_for eval '[ "$(loops_of '"$1"')" -gt '"$_l"' ]'
}

test_load() {
	insmod /kthread_demo.ko nr_threads=2
	for f in nr_threads workload period_us bind nice policy parked \
		freezable iterations io_stall stats_enabled; do
		[ -f $SYS/$f ] || ktap_fail "$SYS/$f missing"
	done
	for f in threads stats reset; do
		[ -f $DBG/$f ] || ktap_fail "$DBG/$f missing"
	done
	expect_eq "$(nr_ktd_threads)" 2 "ktd/* threads in ps"
}

test_defaults() {
	expect_eq "$(cat $SYS/nr_threads)" 2 nr_threads
	expect_eq "$(cat $SYS/workload)" sleep workload
	expect_eq "$(cat $SYS/period_us)" 1000 period_us
	expect_eq "$(cat $SYS/bind)" none bind
	expect_eq "$(cat $SYS/nice)" 0 nice
	expect_eq "$(cat $SYS/policy)" normal policy
	expect_eq "$(cat $SYS/parked)" 0 parked
	expect_eq "$(cat $SYS/freezable)" 0 freezable
	expect_eq "$(cat $SYS/iterations)" 0 iterations
	expect_eq "$(cat $SYS/io_stall)" 0 io_stall
	expect_eq "$(cat $SYS/stats_enabled)" 1 stats_enabled
}

test_resize() {
	echo 6 >$SYS/nr_threads
	expect_eq "$(cat $SYS/nr_threads)" 6 "nr_threads after growing"
	expect_eq "$(nr_ktd_threads)" 6 "ktd/* threads after growing"
	pid0=$(thread_col 0 pid)
	echo 1 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 1 "ktd/* threads after shrinking"
	expect_eq "$(thread_col 0 pid)" "$pid0" "ktd/0 survives a resize"
	moving 0 || ktap_fail "ktd/0 stopped moving after the resize"
}

# Every file, every kind of bad input: the right errno, and no change.
test_bad_input_changes_nothing() {
	echo 3 >$SYS/nr_threads
	before=$(cd $SYS && grep . *)
	for f in nr_threads period_us nice parked freezable iterations \
		io_stall stats_enabled; do
		for v in "$NL" " " abc 3x 0x1z "1 2"; do
			expect_write_error $SYS/$f "$v" "Invalid argument"
		done
	done
	for f in workload bind policy; do
		for v in "$NL" " " abc "spin spin" SPIN -5; do
			expect_write_error $SYS/$f "$v" "Invalid argument"
		done
	done
	for f in nr_threads period_us parked freezable io_stall stats_enabled; do
		expect_write_error $SYS/$f -1 "Invalid argument"
		expect_write_error $SYS/$f 99999999999999999999 "out of range"
	done
	expect_write_error $SYS/nr_threads 4097 "out of range"
	expect_write_error $SYS/period_us 0 "out of range"
	expect_write_error $SYS/period_us 10000001 "out of range"
	expect_write_error $SYS/nice 20 "out of range"
	expect_write_error $SYS/nice -21 "out of range"
	expect_write_error $SYS/parked 2 "out of range"
	expect_write_error $SYS/stats_enabled 2 "out of range"
	expect_write_error $SYS/io_stall 4097 "out of range"
	expect_write_error $SYS/bind 9999 "out of range"
	expect_write_error $SYS/iterations 99999999999999999999 "out of range"
	expect_write_error $DBG/reset 2 "Invalid argument"
	expect_write_error $DBG/reset x "Invalid argument"
	expect_eq "$(cd $SYS && grep . *)" "$before" "settings after bad writes"
	expect_eq "$(nr_ktd_threads)" 3 "ktd/* threads after bad writes"
}

test_debugfs_format() {
	expect_eq "$(head -n 1 $DBG/threads | tr -s ' ')" \
		"name pid cpu sched state workload loops nvcsw nivcsw runtime_ns last_lat_ns" \
		"threads header"
	expect_eq "$(tail -n +2 $DBG/threads | wc -l)" 3 "rows in threads"
	for k in workload threads threads_reporting threads_parked \
		threads_finished stats_enabled elapsed_ns loops loops_per_sec \
		nvcsw nivcsw runtime_ns freezes stopped_before_run \
		wakeup_latency_samples wakeup_latency_min_ns \
		wakeup_latency_mean_ns wakeup_latency_p50_ns \
		wakeup_latency_p90_ns wakeup_latency_p99_ns \
		wakeup_latency_p999_ns wakeup_latency_max_ns; do
		[ -n "$(kstat $k)" ] || ktap_fail "stats has no '$k:' line"
	done
	grep -q '^wakeup_latency_histogram_log2_ns:$' $DBG/stats ||
		ktap_fail "stats has no histogram"
}

test_workload_sleep() {
	echo sleep >$SYS/workload
	echo 2000 >$SYS/period_us
	echo 1 >$DBG/reset
	wait_for eval '[ "$(kstat wakeup_latency_samples)" -ge 30 ]' ||
		ktap_fail "no wake-up latency samples"
	[ "$(kstat wakeup_latency_p50_ns)" -le "$(kstat wakeup_latency_p99_ns)" ] ||
		ktap_fail "p50 above p99"
	[ "$(kstat wakeup_latency_min_ns)" -le "$(kstat wakeup_latency_max_ns)" ] ||
		ktap_fail "min above max"
}

test_workload_spin() {
	echo spin >$SYS/workload
	expect_eq "$(cat $SYS/workload)" spin workload
	sleep 0.5
	[ "$(kstat spin_ops_per_sec)" -gt 0 ] || ktap_fail "no spin ops/s"
	expect_eq "$(col_of workload | sort -u)" spin "workload column"
	echo sleep >$SYS/workload
}

test_workload_pingpong() {
	echo 2 >$SYS/nr_threads
	echo pingpong >$SYS/workload
	wait_for eval '[ "$(kstat rtt_same_cpu_samples)" -gt 20 ] ||
		[ "$(kstat rtt_cross_cpu_samples)" -gt 20 ]' ||
		ktap_fail "no ping-pong round trips"
	echo 0 >$SYS/bind
	echo 1 >$DBG/reset
	wait_for eval '[ "$(kstat rtt_same_cpu_samples)" -gt 20 ]' ||
		ktap_fail "no same-CPU round trips with bind=0"
	expect_eq "$(kstat rtt_cross_cpu_samples)" 0 "cross-CPU trips with bind=0"
	echo none >$SYS/bind
	echo sleep >$SYS/workload
}

# One thread blocked on its "I/O" does not hold up the others.
test_workload_block() {
	echo 3 >$SYS/nr_threads
	echo block >$SYS/workload
	echo 500 >$SYS/period_us
	echo 1 >$SYS/io_stall
	sleep 0.3
	l0=$(loops_of 0)
	moving 1 || ktap_fail "ktd/1 is held up"
	moving 2 || ktap_fail "ktd/2 is held up"
	expect_eq "$(loops_of 0)" "$l0" "ktd/0 loops while its I/O is stalled"
	expect_eq "$(thread_col 0 sched)" I "ktd/0 sched state (TASK_IDLE)"
	echo 0 >$SYS/io_stall
	moving 0 || ktap_fail "ktd/0 did not resume"
	[ "$(kstat io_wakeup_latency_samples)" -gt 0 ] || ktap_fail "no I/O samples"
	echo sleep >$SYS/workload
	echo 1000 >$SYS/period_us
}

test_park_unpark() {
	echo 1 >$SYS/parked
	expect_eq "$(col_of state | sort -u)" parked "state column when parked"
	expect_eq "$(proc_stat 1 3)" P "ktd/1 in /proc/pid/stat"
	expect_eq "$(kstat threads_parked)" 3 threads_parked
	l=$(loops_of 1)
	sleep 0.2
	expect_eq "$(loops_of 1)" "$l" "loops while parked"
	echo 4 >$SYS/nr_threads
	expect_eq "$(thread_col 3 state)" parked "a thread started while parked"
	echo 0 >$SYS/parked
	expect_eq "$(col_of state | sort -u)" run "state column after unpark"
	moving 3 || ktap_fail "ktd/3 did not start after unpark"
}

test_bind() {
	echo 1 >$SYS/bind
	expect_eq "$(cat $SYS/bind)" 1 bind
	sleep 0.2
	expect_eq "$(col_of cpu | sort -u)" 1 "cpu column with bind=1"
	echo spread >$SYS/bind
	sleep 0.2
	expect_eq "$(thread_col 0 cpu) $(thread_col 1 cpu) $(thread_col 2 cpu)" \
		"0 1 0" "cpu column with bind=spread"
	echo none >$SYS/bind
	expect_eq "$(cat $SYS/bind)" none bind
}

test_priority() {
	echo 5 >$SYS/nice
	expect_eq "$(proc_stat 0 19)" 5 "nice of ktd/0"
	echo fifo >$SYS/policy
	expect_eq "$(proc_stat 0 41)" 1 "policy of ktd/0 (SCHED_FIFO)"
	echo normal >$SYS/policy
	expect_eq "$(proc_stat 0 41)" 0 "policy of ktd/0 (SCHED_NORMAL)"
	expect_eq "$(proc_stat 0 19)" 5 "nice of ktd/0 after fifo"
	echo 0 >$SYS/nice
}

# Bound threads park while their CPU is offline and resume after.
test_cpu_hotplug() {
	on=/sys/devices/system/cpu/cpu1/online
	[ -w $on ] || { echo "    # no cpu1 hotplug here, nothing to check"; return 0; }
	echo 1 >$SYS/bind
	echo 0 >$on
	expect_eq "$(col_of state | sort -u)" parked-hp "state with cpu1 offline"
	expect_write_error $SYS/bind 1 busy
	echo 1 >$on
	expect_eq "$(col_of state | sort -u)" run "state with cpu1 back"
	sleep 0.2
	expect_eq "$(col_of cpu | sort -u)" 1 "cpu column with cpu1 back"
	moving 0 || ktap_fail "ktd/0 did not resume"
	echo none >$SYS/bind
}

test_freezer() {
	[ -w /sys/power/pm_test ] || { echo "    # no pm_test here, nothing to check"; return 0; }
	# A parked thread cannot freeze: parked and freezable exclude each other.
	echo 1 >$SYS/parked
	expect_write_error $SYS/freezable 1 busy
	echo 0 >$SYS/parked
	echo 1 >$SYS/freezable
	expect_write_error $SYS/parked 1 busy
	f0=$(kstat freezes)
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo freezer >/sys/power/pm_test
	echo freeze >/sys/power/state
	echo none >/sys/power/pm_test
	expect_eq "$(kstat freezes)" $((f0 + $(cat $SYS/nr_threads))) \
		"freezes after a freezer test cycle"
	moving 0 || ktap_fail "ktd/0 did not thaw"
	echo 0 >$SYS/freezable
}

test_iterations() {
	echo 2 >$SYS/nr_threads
	echo 200 >$SYS/period_us
	echo 50 >$SYS/iterations
	wait_for eval '[ "$(kstat threads_finished)" = 2 ]' ||
		ktap_fail "threads did not finish on their own"
	expect_eq "$(col_of state | sort -u)" done "state column"
	echo 1 >$SYS/parked
	echo 0 >$SYS/parked
	echo 0 >$SYS/nr_threads
	echo 0 >$SYS/iterations
	expect_eq "$(nr_ktd_threads)" 0 "ktd/* threads after stopping finished ones"
	echo 1000 >$SYS/period_us
}

test_stats_off() {
	echo 2 >$SYS/nr_threads
	echo 0 >$SYS/stats_enabled
	sleep 0.2
	expect_eq "$(kstat wakeup_latency_samples)" 0 "samples with stats off"
	[ "$(kstat loops)" -gt 0 ] || ktap_fail "no loops with stats off"
	echo 1 >$SYS/stats_enabled
}

test_4096_threads() {
	# The kernel sizes threads-max so that thread stacks fit in 1/8 of
	# memory: 8192 in a 1 GiB guest, but KASAN doubles the stacks and so
	# halves it, which leaves no room beside init for 4096 more threads.
	tm=/proc/sys/kernel/threads-max
	[ "$(cat $tm)" -ge 8192 ] || echo 8192 >$tm
	echo 1000000 >$SYS/period_us
	echo 4096 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 4096 "ktd/* threads"
	expect_eq "$(tail -n +2 $DBG/threads | wc -l)" 4096 "rows in threads"
	echo 0 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 0 "ktd/* threads after shrinking"
	echo 1000 >$SYS/period_us
}

test_unload_leaves_nothing() {
	echo 3 >$SYS/nr_threads
	echo pingpong >$SYS/workload
	rmmod kthread_demo
	[ ! -e $SYS ] || ktap_fail "$SYS still there"
	[ ! -e $DBG ] || ktap_fail "$DBG still there"
	expect_eq "$(nr_ktd_threads)" 0 "ktd/* threads after rmmod"
}

ktap_run kthread_demo_sysfs test_load test_defaults test_resize \
	test_bad_input_changes_nothing test_debugfs_format test_workload_sleep \
	test_workload_spin test_workload_pingpong test_workload_block \
	test_park_unpark test_bind test_priority test_cpu_hotplug test_freezer \
	test_iterations test_stats_off test_4096_threads test_unload_leaves_nothing
