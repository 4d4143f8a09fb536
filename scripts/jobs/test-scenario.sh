# SPDX-License-Identifier: GPL-2.0
# Guest job: workqueue_demo's scenario reproduces the example of
# Documentation/core-api/workqueue.rst ("Example Execution Scenarios"):
# w0 burns the CPU for a unit, sleeps two, burns one; w1 and w2 burn one
# and sleep two; all three queued at once on one CPU. For each documented
# configuration it checks the order the items started in, which of them
# ran at the same time, and how many workers ran them: orderings and
# overlaps, never times, which emulation stretches.
#
# What concurrency management promises holds in every run and is checked
# in every run. Some of the documented timeline also needs the guest's
# timing to be what the documentation assumes (w1 asleep before w0 wakes
# up); a host that stalls the guest's virtual CPU for tens of
# milliseconds can upset it, so such a check gets three runs, and a test
# whose precondition never held is skipped, not passed.
# Runs on both the debug test kernel and Debian's 6.1 kernel.
. /guest-ktap.sh

# 50 ms units, ten times the documentation's 5 ms: room for a guest under
# emulation to be late. The times scale; orderings and overlaps do not.
UNIT_US=50000
UNIT_NS=$((UNIT_US * 1000))
TRIES=3
CSV=/tmp/scenario.csv
# From 6.5 a work item that keeps the CPU longer than this is taken out
# of concurrency management on its own: a 50 ms burn would be.
THRESH=/sys/module/workqueue/parameters/cpu_intensive_thresh_us

# Each test: both modules just loaded, automatic CPU_INTENSIVE off;
# nothing loaded after, the threshold as it was.
ktap_setup() {
	wqd_fresh
	if [ -w $THRESH ]; then
		cat $THRESH >/tmp/thresh.saved
		echo 60000000 >$THRESH
	fi
}

ktap_teardown() {
	if [ -e /tmp/thresh.saved ]; then
		cat /tmp/thresh.saved >$THRESH
		rm /tmp/thresh.saved
	fi
	ktd_clean
}

# scen MECHANISMS: run the scenario on those, its results in $CSV
scen() {
	echo "$1" >$BENCH/mechanisms
	echo $UNIT_US >$BENCH/scen_unit_us
	bench_run scenario 120
	cp $DBG/scenario.csv $CSV
}

# ms NS: for messages
ms() {
	echo "$(($1 / 1000000)).$((($1 / 100000) % 10)) ms"
}

# load CONFIG: from $CSV, w0_start, w0_sleep, w0_wake, w0_end, w0_pid and
# the same for w1 and w2 (ns since w0 was queued); then order (the items
# by start), overlaps (the pairs that ran at the same time), workers
# (distinct tasks) and peak (the module's count of items running at once)
load() {
	_c=$1 w0_start="" w2_end=""
	eval "$(awk -F, -v c="$_c" '$1 == c {
		printf "%s_pid=%s %s_start=%s %s_sleep=%s %s_wake=%s %s_end=%s peak=%s\n",
			$3, $5, $3, $8, $3, $9, $3, $10, $3, $11, $17 }' $CSV)"
	[ -n "$w0_start" ] && [ -n "$w2_end" ] ||
		ktap_fail "$_c: no results in scenario.csv"
	order=$(printf 'w0 %s\nw1 %s\nw2 %s\n' $w0_start $w1_start $w2_start |
		sort -k2,2n | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }')
	overlaps=""
	for pair in "w0 w1" "w0 w2" "w1 w2"; do
		set -- $pair
		eval "s1=\$${1}_start e1=\$${1}_end s2=\$${2}_start e2=\$${2}_end"
		lo=$s1 hi=$e1
		[ $s2 -le $lo ] || lo=$s2
		[ $e2 -ge $hi ] || hi=$e2
		[ $lo -ge $hi ] || overlaps="$overlaps${overlaps:+ }$1-$2"
	done
	: "${overlaps:=none}"
	workers=$(printf '%s\n' $w0_pid $w1_pid $w2_pid | sort -u | wc -l)
	echo "    # $_c: started $order; overlapping: $overlaps; $workers workers;" \
		"w0 $(ms $w0_start)-$(ms $w0_end), w1 $(ms $w1_start)-$(ms $w1_end)," \
		"w2 $(ms $w2_start)-$(ms $w2_end)"
}

# before A B WHAT: time A is earlier than time B
before() {
	[ "$1" -lt "$2" ] || ktap_fail "$3 ($(ms $1) is not before $(ms $2))"
}

# not_before A B WHAT: time A is B or later
not_before() {
	[ "$1" -ge "$2" ] || ktap_fail "$3 ($(ms $1) is before $(ms $2))"
}

test_interface() {
	case " $(cat $BENCH/run) " in
	*" scenario "*) ;;
	*) ktap_fail "bench/run does not offer scenario: $(cat $BENCH/run)" ;;
	esac
	grep -q '^# no scenario results yet' $DBG/scenario ||
		ktap_fail "scenario before a run: $(head -n 1 $DBG/scenario)"
	expect_eq "$(wc -l <$DBG/scenario.csv)" 1 "scenario.csv lines before a run"
	expect_eq "$(cat $BENCH/scen_unit_us)" 5000 "scen_unit_us after load"
	for v in "$NL" " " abc -1 5000x 0x; do
		expect_write_error $BENCH/scen_unit_us "$v" "Invalid argument"
	done
	expect_write_error $BENCH/scen_unit_us 99 "out of range"
	expect_write_error $BENCH/scen_unit_us 100001 "out of range"
	expect_eq "$(cat $BENCH/scen_unit_us)" 5000 "scen_unit_us after bad writes"
	echo 100 >$BENCH/scen_unit_us
	expect_eq "$(cat $BENCH/scen_unit_us)" 100 "scen_unit_us"
}

# The serialising configurations: one worker, one item at a time, in
# queueing order, all done at ten units.
test_serial() {
	scen "kthread_worker wq_ordered"
	for c in kthread_worker wq_ordered; do
		load $c
		expect_eq "$order" "w0 w1 w2" "$c: order of the starts"
		expect_eq "$overlaps" none "$c: items running at the same time"
		expect_eq "$workers" 1 "$c: workers"
		not_before $w1_start $w0_end "$c: w1 starts once w0 is done"
		not_before $w2_start $w1_end "$c: w2 starts once w1 is done"
		doc=$(awk -v c=$c '$1 == c && $2 !~ /^w[0-9]$/ { print $7 }' \
			$DBG/scenario)
		expect_eq "$doc" "$((10 * UNIT_US / 1000)).0" "$c: documented all done at"
	done
}

# What concurrency management promises, whatever the timing: the first
# item first; no other starts until the one running goes to sleep.
cmwq_rules() {
	expect_eq "$(echo "$order" | cut -d' ' -f1)" w0 "$1: first to start"
	not_before $w1_start $w0_sleep "$1: w1 waits until w0 sleeps"
	not_before $w2_start $w1_sleep "$1: w2 waits until w1 sleeps"
	# w1 started when w0 went to sleep, so before w0 was done
	before $w1_start $w0_end "$1: w1 starts while w0 sleeps"
}

# cmwq with max_active >= 3: each time the running item sleeps another
# worker takes the next one, so all three overlap, on three workers. That
# needs w1 asleep before w0 wakes up, as in the documentation: a run where
# w1's burn outlasted w0's sleep proves nothing, and is run again.
test_cmwq_max_active_3() {
	c=wq_percpu-ma3 try=1 clear=0
	while :; do
		scen wq_percpu
		load $c
		cmwq_rules $c
		[ $w2_start -ge $w0_wake ] || break
		# w0's sleep had a tenth of a unit left when w1 went to sleep
		[ $((w1_sleep + UNIT_NS / 10)) -ge $w0_wake ] || clear=$((clear + 1))
		echo "    # run $try: w2 started at $(ms $w2_start), after w0 woke at" \
			"$(ms $w0_wake); w1 had gone to sleep at $(ms $w1_sleep)"
		if [ $try -ge $TRIES ]; then
			[ $clear = 0 ] ||
				ktap_fail "$c: w2 waited for w0 in $TRIES runs, $clear of them with w1 asleep well before w0 woke"
			ktap_skip "the documentation's timing never held in $TRIES runs: w0 woke while w1 still burned, or had just gone to sleep (a stalled or slow guest)"
		fi
		try=$((try + 1))
	done
	expect_eq "$order" "w0 w1 w2" "$c: order of the starts"
	expect_eq "$overlaps" "w0-w1 w0-w2 w1-w2" "$c: items running at the same time"
	expect_eq "$peak" 3 "$c: most items running at once"
	expect_eq "$workers" 3 "$c: workers"
}

# cmwq with max_active == 2: w0 and w1 as above, but w2 waits until one
# of them is done, and then runs on a worker that is free.
test_cmwq_max_active_2() {
	c=wq_percpu-ma2
	scen wq_percpu
	load $c
	cmwq_rules $c
	first_end=$w0_end
	[ $w1_end -ge $first_end ] || first_end=$w1_end
	not_before $w2_start $first_end "$c: w2 waits until w0 or w1 is done"
	expect_eq "$order" "w0 w1 w2" "$c: order of the starts"
	case $overlaps in
	"w0-w1" | "w0-w1 w0-w2" | "w0-w1 w1-w2") ;;
	*) ktap_fail "$c: items running at the same time: '$overlaps', expected w0-w1 (and w2 with at most the later of them)" ;;
	esac
	expect_eq "$peak" 2 "$c: most items running at once"
	expect_eq "$workers" 2 "$c: workers"
}

# w1 and w2 on a WQ_CPU_INTENSIVE queue, w0 on a bound one: w1 and w2
# both wait for w0 to sleep, then start together, not one per sleep.
test_cpu_intensive() {
	c=wq_cpu_intensive try=1
	while :; do
		scen wq_cpu_intensive
		load $c
		expect_eq "$(echo "$order" | cut -d' ' -f1)" w0 "$c: first to start"
		not_before $w1_start $w0_sleep "$c: w1 waits until w0 sleeps"
		not_before $w2_start $w0_sleep "$c: w2 waits until w0 sleeps"
		[ $w2_start -ge $w1_sleep ] || break
		echo "    # run $try: w2 started at $(ms $w2_start), after w1 went to" \
			"sleep at $(ms $w1_sleep)"
		[ $try -lt $TRIES ] ||
			ktap_fail "$c: in $TRIES runs w2 waited for w1 to sleep, as on a concurrency-managed queue"
		try=$((try + 1))
	done
	expect_eq "$overlaps" "w0-w1 w0-w2 w1-w2" "$c: items running at the same time"
	expect_eq "$peak" 3 "$c: most items running at once"
	expect_eq "$workers" 3 "$c: workers"
}

# Stopped or unloaded mid-run, the scenario leaves no thread or item.
test_stop_and_rmmod_mid_run() {
	echo all >$BENCH/mechanisms
	echo 100000 >$BENCH/scen_unit_us
	echo scenario >$BENCH/run
	sleep 0.5
	expect_eq "$(bench_state)" running "state half a second in"
	echo stop >$BENCH/run
	bench_wait interrupted 20
	expect_eq "$(nr_wqd_threads)" 0 "wqd threads after stop"
	echo scenario >$BENCH/run
	sleep 0.7
	rmmod workqueue_demo
	[ ! -e $DBG/scenario ] || ktap_fail "$DBG/scenario still there"
	expect_eq "$(nr_wqd_threads)" 0 "wqd threads after rmmod"
}

ktap_run workqueue_demo_scenario test_interface test_serial \
	test_cmwq_max_active_3 test_cmwq_max_active_2 test_cpu_intensive \
	test_stop_and_rmmod_mid_run
