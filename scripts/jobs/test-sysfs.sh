# SPDX-License-Identifier: GPL-2.0
# Guest job: the sysfs and debugfs interface of kthread_demo, driven the
# way a user drives it (echo and cat). Runs on both the debug test kernel
# and Debian's 6.1 kernel.
. /guest-ktap.sh

# Every test starts from a fresh load with three threads and ends with
# nothing loaded (the guest library's fixture).
ktap_setup() {
	ktd_fresh nr_threads=3
}

ktap_teardown() {
	ktd_clean
}

# need_cpu1: skip unless CPU 1 can go offline here
need_cpu1() {
	[ -w $CPU1 ] || ktap_skip "no CPU 1 hotplug in this guest"
}

# need_pm_test: skip unless the suspend test mode is there
need_pm_test() {
	[ -w /sys/power/pm_test ] || ktap_skip "no /sys/power/pm_test (CONFIG_PM_DEBUG) in this kernel"
}

# cpus_allowed NAME: the CPUs ktd/NAME may run on, as the kernel lists them
cpus_allowed() {
	awk '$1 == "Cpus_allowed_list:" { print $2 }' \
		/proc/"$(thread_col "$1" pid)"/status
}

# names_pids: each thread's name and pid, which a refused store keeps
names_pids() {
	awk 'NR > 1 { print $1, $2 }' $DBG/threads
}

test_load() {
	for f in nr_threads workload available_workloads period_us bind nice \
		policy parked freezable iterations io_stall stats_enabled; do
		[ -f $SYS/$f ] || ktap_fail "$SYS/$f missing"
	done
	for f in threads stats reset; do
		[ -f $DBG/$f ] || ktap_fail "$DBG/$f missing"
	done
	expect_eq "$(nr_ktd_threads)" 3 "ktd/* threads in ps"
}

# available_workloads lists every word workload takes, and only those.
test_available_workloads() {
	expect_eq "$(ktd_workloads)" "spin sleep block pingpong" available_workloads
	for w in $(ktd_workloads); do
		echo "$w" >$SYS/workload
		expect_eq "$(cat $SYS/workload)" "$w" workload
		expect_eq "$(col_of workload | sort -u)" "$w" "workload column"
	done
	expect_write_error $SYS/available_workloads spin "Permission denied"
}

test_defaults() {
	expect_eq "$(cat $SYS/nr_threads)" 3 nr_threads
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
	max=$(ktd_max_threads)
	expect_write_error $SYS/nr_threads $((max + 1)) "out of range"
	expect_write_error $SYS/period_us 0 "out of range"
	expect_write_error $SYS/period_us $((KTD_PERIOD_MAX + 1)) "out of range"
	expect_write_error $SYS/nice $((KTD_NICE_MAX + 1)) "out of range"
	expect_write_error $SYS/nice $((KTD_NICE_MIN - 1)) "out of range"
	expect_write_error $SYS/parked 2 "out of range"
	expect_write_error $SYS/freezable 2 "out of range"
	expect_write_error $SYS/stats_enabled 2 "out of range"
	expect_write_error $SYS/io_stall $((max + 1)) "out of range"
	expect_write_error $SYS/bind 9999 "out of range"
	expect_write_error $SYS/iterations 99999999999999999999 "out of range"
	expect_write_error $DBG/reset 2 "Invalid argument"
	expect_write_error $DBG/reset x "Invalid argument"
	expect_eq "$(cd $SYS && grep . *)" "$before" "settings after bad writes"
	expect_eq "$(nr_ktd_threads)" 3 "ktd/* threads after bad writes"
}

# Every file parses decimal: a leading zero is not octal.
test_decimal_input() {
	echo 010 >$SYS/nr_threads
	expect_eq "$(cat $SYS/nr_threads)" 10 "nr_threads after writing 010"
	echo 0100 >$SYS/period_us
	expect_eq "$(cat $SYS/period_us)" 100 "period_us after writing 0100"
	expect_write_error $SYS/nr_threads 0x2 "Invalid argument"
	expect_eq "$(cat $SYS/nr_threads)" 10 "nr_threads after writing 0x2"
}

# max_threads is bounded: a huge value is refused with a message.
test_max_threads_bound() {
	ktd_clean
	for v in 300000000 $((KTD_MAX_THREADS_LIMIT + 1)) 0; do
		out=$(insmod /kthread_demo.ko max_threads=$v 2>&1) &&
			ktap_fail "insmod max_threads=$v was accepted"
		case $out in
		*"out of range"*) ;;
		*) ktap_fail "insmod max_threads=$v: '$out', expected out of range" ;;
		esac
		dmesg | grep -q "kthread_demo: max_threads=$v: must be 1 to $KTD_MAX_THREADS_LIMIT" ||
			ktap_fail "no message for max_threads=$v"
	done
	[ ! -e $SYS ] || ktap_fail "$SYS exists after refused loads"
	insmod /kthread_demo.ko max_threads=$KTD_MAX_THREADS_LIMIT nr_threads=1
	expect_eq "$(ktd_max_threads)" $KTD_MAX_THREADS_LIMIT max_threads
}

# A refused store changes nothing: bound to CPU 1 while it is offline,
# freezable, bind and a larger nr_threads are refused, and every file
# reads as before, with the same threads.
test_refused_store_changes_nothing() {
	need_cpu1
	echo 1 >$SYS/bind
	echo 0 >$CPU1
	before=$(cd $SYS && grep . *)
	threads=$(names_pids)
	expect_write_error $SYS/freezable 1 busy
	expect_write_error $SYS/bind 1 busy
	expect_write_error $SYS/nr_threads 5 busy
	expect_eq "$(cd $SYS && grep . *)" "$before" "settings after refused stores"
	expect_eq "$(names_pids)" "$threads" "threads after refused stores"
	expect_eq "$(kstat stopped_before_run)" 0 stopped_before_run
	echo 1 >$CPU1
	moving 0 || ktap_fail "ktd/0 did not resume"
}

# A change of workload, period_us or iterations reaches every thread at
# once, even in the middle of a 5 s sleep.
test_changes_reach_sleepers() {
	echo 5000000 >$SYS/period_us
	sleep 0.3
	echo spin >$SYS/workload
	moving 0 1 || ktap_fail "workload change took over 1 s"
	echo sleep >$SYS/workload
	sleep 0.3
	echo 1000 >$SYS/period_us
	moving 1 1 || ktap_fail "period_us change took over 1 s"
	echo 5000000 >$SYS/period_us
	sleep 0.3
	echo "$(loops_of 2)" >$SYS/iterations
	wait_secs 1 eval '[ "$(thread_col 2 state)" = done ]' ||
		ktap_fail "iterations change took over 1 s"
}

# Threads started while the pool is parked park before their thread
# function runs (no ktd_thread_start event), let alone a loop.
test_start_parked() {
	[ -d $TR/events ] || mount -t tracefs tracefs $TR
	echo spin >$SYS/workload
	echo 1 >$SYS/parked
	echo 1 >$SYS/iterations
	echo >$TR/trace
	no_other_cpu sh -c "echo 1 >$EV/ktd_thread_start/enable"
	echo 5 >$SYS/nr_threads
	sleep 0.2
	! grep -q 'ktd_thread_start: id=[34] ' $TR/trace ||
		ktap_fail "a thread started while parked ran its thread function"
	expect_eq "$(thread_col 4 state)" parked "ktd/4 state"
	expect_eq "$(thread_col 4 loops)" 0 "ktd/4 loops while parked"
	expect_eq "$(proc_stat 4 3)" P "ktd/4 in /proc/pid/stat"
	echo 0 >$SYS/parked
	wait_for eval '[ "$(thread_col 4 state)" = done ]' ||
		ktap_fail "ktd/4 did not finish after unparking"
	no_other_cpu sh -c "echo 0 >$EV/ktd_thread_start/enable"
	grep -q 'ktd_thread_start: id=4 ' $TR/trace ||
		ktap_fail "no ktd_thread_start event for ktd/4 after unparking"
}

# nice and policy written at the same time: neither write is lost.
test_nice_policy_concurrent() {
	( i=0; while [ $i -lt 200 ]; do echo $((5 + i % 2)) >$SYS/nice; i=$((i + 1)); done
	  echo 5 >$SYS/nice ) &
	a=$!
	( i=0; while [ $i -lt 200 ]; do
		if [ $((i % 2)) = 0 ]; then echo fifo; else echo normal; fi >$SYS/policy
		i=$((i + 1))
	  done
	  echo fifo >$SYS/policy ) &
	b=$!
	wait $a
	wait $b
	expect_eq "$(cat $SYS/nice) $(cat $SYS/policy)" "5 fifo" "nice and policy"
	expect_eq "$(proc_stat 0 41)" 1 "policy of ktd/0 (SCHED_FIFO)"
	echo normal >$SYS/policy
	expect_eq "$(proc_stat 0 19)" 5 "nice of ktd/0"
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

# Bound threads stop and wait while their CPU is offline, and resume on it
# after.
test_cpu_hotplug() {
	need_cpu1
	on=$CPU1
	echo 1 >$SYS/bind
	echo 0 >$on
	expect_eq "$(col_of state | sort -u)" parked-hp "state with cpu1 offline"
	expect_write_error $SYS/bind 1 busy
	echo 1 >$on
	expect_eq "$(col_of state | sort -u)" run "state with cpu1 back"
	sleep 0.2
	expect_eq "$(col_of cpu | sort -u)" 1 "cpu column with cpu1 back"
	expect_eq "$(cpus_allowed 0)" 1 "CPUs ktd/0 may use"
	moving 0 || ktap_fail "ktd/0 did not resume"
	echo none >$SYS/bind
}

# Freezable threads waiting for an offline CPU can be frozen: a suspend
# does not fail for them.
test_freezer_cpu_offline() {
	need_cpu1
	need_pm_test
	echo 1 >$SYS/freezable
	echo 1 >$SYS/bind
	echo 0 >$CPU1
	expect_eq "$(col_of state | sort -u)" parked-hp "state with cpu1 offline"
	f0=$(kstat freezes)
	echo 2000 >/sys/power/pm_freeze_timeout
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo freezer >/sys/power/pm_test
	echo freeze >/sys/power/state ||
		ktap_fail "the freezer failed with freezable threads waiting for CPU 1"
	echo none >/sys/power/pm_test
	# Frozen in place, in their wait: `freezes` counts only the freezes
	# at the top of the loop, so it need not move.
	[ "$(kstat freezes)" -ge "$f0" ] || ktap_fail "freezes went down"
	echo 1 >$CPU1
	moving 0 || ktap_fail "ktd/0 did not resume on CPU 1"
	expect_eq "$(col_of cpu | sort -u)" 1 "cpu column with cpu1 back"
}

# Suspend takes CPU 1 down and up again (pm_test=processors): threads
# bound to it that are not freezable stay bound to it.
test_suspend_keeps_binding() {
	need_cpu1
	need_pm_test
	grep -qw mem /sys/power/state && grep -qw deep /sys/power/mem_sleep ||
		ktap_skip "no suspend to RAM (S3) in this guest"
	echo deep >/sys/power/mem_sleep
	echo 1 >$SYS/bind
	moving 0
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo processors >/sys/power/pm_test
	echo mem >/sys/power/state || ktap_fail "pm_test=processors suspend failed"
	echo none >/sys/power/pm_test
	for i in 0 1 2; do
		expect_eq "$(cpus_allowed $i)" 1 "CPUs ktd/$i may use after resume"
	done
	moving 0 || ktap_fail "ktd/0 did not resume"
	expect_eq "$(col_of cpu | sort -u)" 1 "cpu column after resume"
}

test_freezer() {
	need_pm_test
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

test_many_threads() {
	# The kernel sizes threads-max so that thread stacks fit in 1/8 of
	# memory: 8192 in a 1 GiB guest, but KASAN doubles the stacks and so
	# halves it, which leaves no room beside init for 4096 more threads.
	tm=/proc/sys/kernel/threads-max
	max=$(ktd_max_threads)
	# Under KASAN and UBSAN in TCG each thread costs about ten times as
	# much to make and stop, and 4096 of them took 10 minutes on a busy
	# host: a quarter is enough there; Debian's kernel makes them all.
	! dmesg | grep -q 'KernelAddressSanitizer initialized' || max=$((max / 4))
	[ "$(cat $tm)" -ge $((2 * max)) ] || echo $((2 * max)) >$tm
	echo 1000000 >$SYS/period_us
	echo "$max" >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" "$max" "ktd/* threads"
	expect_eq "$(tail -n +2 $DBG/threads | wc -l)" "$max" "rows in threads"
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

ktap_run kthread_demo_sysfs test_load test_available_workloads test_defaults \
	test_resize test_bad_input_changes_nothing test_decimal_input \
	test_max_threads_bound test_refused_store_changes_nothing \
	test_debugfs_format test_workload_sleep test_workload_spin \
	test_workload_pingpong test_workload_block test_changes_reach_sleepers \
	test_park_unpark test_start_parked test_bind test_priority \
	test_nice_policy_concurrent test_cpu_hotplug test_freezer \
	test_freezer_cpu_offline test_suspend_keeps_binding test_iterations \
	test_stats_off test_many_threads test_unload_leaves_nothing
