# SPDX-License-Identifier: GPL-2.0
# Guest job: workqueue_demo's debugfs interface as a user drives it.
# Runs on both the debug test kernel and Debian's 6.1 kernel.
. /guest-ktap.sh

B=$BENCH
MECHS="kthread kthread_worker wq_percpu wq_unbound wq_highpri wq_cpu_intensive wq_ordered system_wq"

# Each test: both modules just loaded; nothing loaded after.
ktap_setup() {
	wqd_fresh
}

ktap_teardown() {
	ktd_clean
}

state() {
	bench_state
}

# A run that takes seconds unless it is stopped: two passes of items that
# each sleep 1 s, on a single kthread_worker.
long_run_params() {
	echo kthread_worker >$B/mechanisms
	echo 4 >$B/blk_items
	echo 1000 >$B/sleep_ms
}

# A run small enough for a few seconds under TCG, even with KASAN.
tiny_run_params() {
	echo all >$B/mechanisms
	echo 4 >$B/lat_items
	echo 16 >$B/tput_items
	echo 2 >$B/blk_items
	echo 1 >$B/sleep_ms
	echo 2 >$B/cpu_items
	echo 200 >$B/spin_us
	echo 2 >$B/create_loops
	echo 2 >$B/delay_items
	echo 1 >$B/delay_ms
	echo 60 >$B/timeout_s
}

test_load() {
	for f in run status mechanisms hist.csv lat_items timeout_s; do
		[ -e $B/$f ] || ktap_fail "$B/$f missing"
	done
	[ -e $DBG/compare ] || ktap_fail "$DBG/compare missing"
	[ -e $DBG/compare.csv ] || ktap_fail "$DBG/compare.csv missing"
	expect_eq "$(state)" idle "state after load"
	expect_eq "$(cat $B/mechanisms)" \
		"[kthread] [kthread_worker] [wq_percpu] [wq_unbound] [wq_highpri] [wq_cpu_intensive] [wq_ordered] [system_wq]" \
		"mechanisms after load"
}

test_bad_input_changes_nothing() {
	before=$(cat $B/lat_items)
	for v in "$NL" " " abc -1 3x 0x; do
		expect_write_error $B/lat_items "$v" "Invalid argument"
	done
	expect_write_error $B/lat_items 0 "out of range"
	expect_write_error $B/lat_items 10001 "out of range"
	expect_write_error $B/lat_items 99999999999999999999 "out of range"
	expect_write_error $B/max_active 513 "out of range"
	expect_write_error $B/timeout_s 0 "out of range"
	expect_eq "$(cat $B/lat_items)" "$before" "lat_items after bad writes"

	mechs=$(cat $B/mechanisms)
	expect_write_error $B/mechanisms "wq_bogus" "Invalid argument"
	expect_write_error $B/mechanisms "kthread,nope" "Invalid argument"
	expect_write_error $B/mechanisms "$NL" "Invalid argument"
	expect_eq "$(cat $B/mechanisms)" "$mechs" "mechanisms after bad writes"

	expect_write_error $B/run "bogus" "Invalid argument"
	expect_write_error $B/run "$NL" "Invalid argument"
	expect_eq "$(state)" idle "state after bad run writes"
}

test_params_accept_good_input() {
	echo 7 >$B/lat_items
	expect_eq "$(cat $B/lat_items)" 7 "lat_items"
	echo "wq_unbound, kthread" >$B/mechanisms
	expect_eq "$(cat $B/mechanisms)" \
		"[kthread] kthread_worker wq_percpu [wq_unbound] wq_highpri wq_cpu_intensive wq_ordered system_wq" \
		"mechanisms"
	echo all >$B/mechanisms
}

test_second_start_is_busy_and_stop_ends_it() {
	long_run_params
	echo blocking >$B/run
	expect_eq "$(state)" running "state after start"
	expect_write_error $B/run blocking "busy"
	expect_write_error $B/run sweep "busy"
	echo stop >$B/run
	bench_wait interrupted 10
	expect_eq "$(nr_wqd_threads)" 0 "wqd threads after stop"
}

test_tiny_sweep_completes() {
	tiny_run_params
	echo sweep >$B/run
	bench_wait done 120
	cat $B/status | sed 's/^/    # /'
	rows=$(awk '!/^#/ && $1 != "mechanism" { print $1 }' $DBG/compare |
		tr '\n' ' ')
	expect_eq "$rows" "$MECHS " "compare rows"
	# Every metric measured for every mechanism: no '-' cells.
	dashes=$(awk '!/^#/ { for (i = 2; i <= NF; i++) if ($i == "-") n++ }
		END { print n + 0 }' $DBG/compare)
	expect_eq "$dashes" 0 "unmeasured cells in compare"
	# The kthread row is its own base: every ratio is 1.00, except where
	# the value itself is 0 (a late_p50 of 0 us, say): 0/0 has no ratio
	# and the cell is left empty.
	bad=$(awk -F, '$1 == "kthread" && !($4 == "1.00" || ($3 == 0 && $4 == ""))' \
		$DBG/compare.csv)
	[ -z "$bad" ] || echo "$bad" | sed 's/^/    # /'
	expect_eq "$(printf '%s' "$bad" | grep -c .)" 0 "kthread ratios other than 1.00"
	for mech in $MECHS; do
		n=$(grep -c "^$mech,lat_p50_ns," $DBG/compare.csv || true)
		expect_eq "$n" 1 "lat_p50_ns lines for $mech in compare.csv"
		n=$(grep -c "^$mech,dispatch_latency," $B/hist.csv || true)
		[ "$n" -ge 1 ] || ktap_fail "no dispatch_latency buckets for $mech"
	done
	# The histogram counts add up to the samples taken.
	sum=$(awk -F, '$1 == "wq_unbound" && $2 == "dispatch_latency" { s += $5 } END { print s }' \
		$B/hist.csv)
	expect_eq "$sum" 4 "wq_unbound latency samples"
	expect_eq "$(nr_wqd_threads)" 0 "wqd threads after the run"
}

test_rmmod_during_run_leaves_nothing() {
	long_run_params
	echo blocking >$B/run
	expect_eq "$(state)" running "state after start"
	sleep 0.5
	rmmod workqueue_demo
	[ ! -e $B ] || ktap_fail "$B still there"
	[ ! -e $DBG/compare ] || ktap_fail "$DBG/compare still there"
	expect_eq "$(nr_wqd_threads)" 0 "wqd threads after rmmod"
	rmmod kthread_demo
}

# Issue 10, item 15: a CPU going offline under a bound submitter must not
# leave it queueing from another CPU without a word. Throughput runs queue
# from wqd-sub/0 and wqd-sub/1 while CPU 1 goes off and on; the trace
# records every item wqd-sub/1 queued from a CPU other than 1 (there must
# be none) and every time the scheduler moved it off CPU 1 (the test goes
# on until that happened at least once, or SKIPs after 180 s). A run a
# move cut short must end "failed" with -EBUSY (-16), never "done" with
# the items queued elsewhere. The window is the submitter's life, a few
# milliseconds: the KASAN kernel hit it within 2 runs, Debian's 6.1 in
# 32 runs once and not in 258 (90 s) another time.
test_cpu_offline_under_a_submitter() {
	[ -w $CPU1 ] || ktap_skip "no CPU 1 hotplug in this guest"
	q=$EV/ktd_work_queued
	m=$TR/events/sched/sched_migrate_task
	[ -d $q ] && [ -d $m ] || ktap_skip "no tracefs events"
	echo wq_percpu >$B/mechanisms
	echo 10000 >$B/tput_items
	echo 2 >$B/submitters
	echo 'comm == "wqd-sub/1" && CPU != 1' >$q/filter
	echo 'comm == "wqd-sub/1" && orig_cpu == 1' >$m/filter
	echo >$TR/trace
	no_other_cpu sh -c "echo 1 >$q/enable && echo 1 >$m/enable"
	runs=0 done=0 busy=0 moved=0
	end=$(($(date +%s) + 180))
	while [ "$moved" = 0 ] && [ "$(date +%s)" -lt $end ]; do
		echo throughput >$B/run
		runs=$((runs + 1))
		while [ "$(bench_state)" = running ]; do
			echo 0 >$CPU1
			sleep 0.0$((RANDOM % 5))
			echo 1 >$CPU1
			sleep 0.0$((RANDOM % 5))
		done
		err=$(sed -n 's/^error: //p' $B/status)
		case "$(bench_state) $err" in
		"done 0") done=$((done + 1)) ;;
		"failed -16") busy=$((busy + 1)) ;;
		*) ktap_fail "run $runs ended: $(bench_state), error $err" ;;
		esac
		moved=$(grep -c 'sched_migrate_task:' $TR/trace || true)
	done
	no_other_cpu sh -c "echo 0 >$q/enable && echo 0 >$m/enable"
	echo 0 >$q/filter
	echo 0 >$m/filter
	wrong=$(grep -c 'ktd_work_queued:' $TR/trace || true)
	echo "    # $runs runs: $done done, $busy failed with -EBUSY; wqd-sub/1 moved off CPU 1 $moved times, queued $wrong items from elsewhere"
	[ "$wrong" = 0 ] || grep -m 3 'ktd_work_queued:' $TR/trace | sed 's/^/    # /'
	expect_eq "$wrong" 0 "items wqd-sub/1 queued from another CPU"
	[ "$moved" != 0 ] || ktap_skip "CPU 1 never went offline under wqd-sub/1 in $runs runs"
}

ktap_run workqueue_demo_debugfs test_load test_bad_input_changes_nothing \
	test_params_accept_good_input \
	test_second_start_is_busy_and_stop_ends_it test_tiny_sweep_completes \
	test_rmmod_during_run_leaves_nothing test_cpu_offline_under_a_submitter
