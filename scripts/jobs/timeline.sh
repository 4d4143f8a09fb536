# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/timeline.sh: run the stories it asks for with the
# module's events and the scheduler's recorded in tracefs, then print the
# results and the traces, each framed by "KTD-TL-BEGIN <name>" and
# "KTD-TL-END" for the host to cut out.
#
# /timeline.params, when present, holds "name value" lines: "stories"
# picks the stories (default: scenario), any other name is a file under
# /sys/kernel/debug/kthread_demo/bench (say, "scen_unit_us 20000");
# "mechanisms" picks the scenario's configurations (default: all).
#
#   scenario   workqueue_demo's scenario (the workqueue documentation's
#              example): sections scenario, scenario.csv and trace
#   pingpong   kthread_demo's pingpong, 30 round trips with both threads
#              bound to CPU 0 (trace-pingpong-same), then spread over
#              CPUs 0 and 1 (trace-pingpong-cross)
#   io_stall   the block workload, three threads, ktd/0's I/O never
#              completing (trace-io_stall)
#   ult        /ult-timeline's blocking demonstration under each threading
#              model (trace-ult-m1, -1to1, -mn, and -mnact with
#              /ktd_activations.ko and /ktd_act_test in the guest)
# Each story's trace is its own section; a "ktd_story name=NAME" line in
# trace_marker starts it and "ktd_story end" ends it.
. /guest-ktap.sh

section() {
	echo "KTD-TL-BEGIN $1"
	cat "$2"
	echo "KTD-TL-END"
}

# events 0|1: the module's events and the scheduler's, off or on. Run it
# with no_other_cpu: it patches kernel text (see the guest library).
events() {
	echo "$1" >$EV/enable
	echo "$1" >$TR/events/sched/sched_switch/enable
	echo "$1" >$TR/events/sched/sched_wakeup/enable
}

wqd_fresh
[ -d $TR/events ] || mount -t tracefs tracefs $TR
# From 6.5 an item that keeps the CPU past this threshold leaves
# concurrency management on its own, which the documentation predates.
THRESH=/sys/module/workqueue/parameters/cpu_intensive_thresh_us
[ ! -w $THRESH ] || echo 60000000 >$THRESH
echo all >$BENCH/mechanisms
stories=scenario
if [ -r /timeline.params ]; then
	while read -r name value; do
		case $name in
		'' | '#'*) continue ;;
		stories) stories=$value ;;
		*) echo "$value" >"$BENCH/$name" ;;
		esac
	done </timeline.params
fi
has() {
	case " $stories " in *" $1 "*) return 0 ;; esac
	return 1
}

# The scenario, traced; its results and trace printed.
scenario() {
	# ktime_get_ns()'s clock, so the events' own ns fields line up; only the
	# switches and wake-ups of the workers, the submitter and the runner, and
	# room for all.
	echo mono >$TR/trace_clock
	echo 4096 >$TR/buffer_size_kb
	echo 'prev_comm ~ "kworker*" || next_comm ~ "kworker*" || prev_comm ~ "wqd*" || next_comm ~ "wqd*"' \
		>$TR/events/sched/sched_switch/filter
	echo 'comm ~ "kworker*" || comm ~ "wqd*"' >$TR/events/sched/sched_wakeup/filter
	echo 0 >$EV/enable
	echo >$TR/trace
	no_other_cpu events 1

	echo scenario >$BENCH/run
	# Few wake-ups of our own while it runs: they would share the CPU.
	i=0
	while [ "$(bench_state)" = running ] && [ $i -lt 240 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	[ "$(bench_state)" != running ] || echo stop >$BENCH/run
	no_other_cpu events 0
	[ "$(bench_state)" = "done" ] || rc=1

	{
		[ ! -r $THRESH ] || echo "cpu_intensive_thresh_us: $(cat $THRESH) (raised for the run)"
		echo "scen_unit_us: $(cat $BENCH/scen_unit_us)"
		echo "lost_events: $(grep -c 'LOST' $TR/trace || true)"
	} >>/tmp/env.txt
	section status $BENCH/status
	section scenario $DBG/scenario
	section scenario.csv $DBG/scenario.csv
	section trace $TR/trace
}

# story NAME CMD...: CMD traced as the story NAME, its trace printed as
# the section trace-NAME. The events stay on; tracing_on starts and stops
# the recording, which patches no code.
story() {
	_name=$1
	shift
	echo >$TR/trace
	echo 1 >$TR/tracing_on
	echo "ktd_story name=$_name" >$TR/trace_marker
	"$@" || { echo "story $_name: $* failed"; rc=1; }
	echo "ktd_story end" >$TR/trace_marker
	echo 0 >$TR/tracing_on
	echo "lost_events $_name: $(grep -c 'LOST' $TR/trace || true)" >>/tmp/env.txt
	section "trace-$_name" $TR/trace
}

# pingpong BIND: 30 round trips of two threads placed by BIND; they
# return on their own after them.
pingpong() {
	echo "$1" >$SYS/bind
	echo 2 >$SYS/nr_threads
	wait_for eval '[ "$(col_of state | grep -c done)" = 2 ]'
}

# io_stall: three threads doing I/O every 10 ms, ktd/0's never completes
io_stall() {
	echo 3 >$SYS/nr_threads
	sleep 0.3
}

# ult MODEL: the blocking demonstration; each line "done MODEL" at the end
ult() {
	ULT_TRACE=1 /ult-timeline "$1" 60 >/tmp/ult.out 2>&1
	_rc=$?
	cat /tmp/ult.out
	return $_rc
}

# The anchor that keeps the activations probe attached while ult-timeline
# registers its VPs (attaching patches code: CPU 1 offline meanwhile).
act_hold() {
	/ktd_act_test hold >/tmp/anchor.out 2>&1 &
	echo $! >/tmp/anchor.pid
	wait_for grep -q '^held$' /tmp/anchor.out
}

act_refs() {
	awk '$1 == "ktd_activations" { print $3 }' /proc/modules
}

act_release() {
	kill -9 "$(cat /tmp/anchor.pid)" 2>/dev/null || true
	wait
	wait_for eval '[ "$(act_refs)" = 0 ]'
	rmmod ktd_activations
}

# The stories: the sched events of the demo threads and of ult-timeline
# (threads and processes named ktd/N and ult-*), and the module's.
stories_run() {
	echo 0 >$TR/tracing_on
	echo mono >$TR/trace_clock
	echo 2048 >$TR/buffer_size_kb
	echo 'prev_comm ~ "ktd/*" || next_comm ~ "ktd/*" || prev_comm ~ "ult*" || next_comm ~ "ult*"' \
		>$TR/events/sched/sched_switch/filter
	echo 'comm ~ "ktd/*" || comm ~ "ult*"' >$TR/events/sched/sched_wakeup/filter
	no_other_cpu events 1
	if has pingpong; then
		echo 0 >$SYS/nr_threads
		echo pingpong >$SYS/workload
		echo 30 >$SYS/iterations
		story pingpong-same pingpong 0
		echo 0 >$SYS/nr_threads
		story pingpong-cross pingpong spread
		echo 0 >$SYS/nr_threads
		echo 0 >$SYS/iterations
		echo none >$SYS/bind
	fi
	if has io_stall; then
		echo block >$SYS/workload
		echo 10000 >$SYS/period_us
		echo 1 >$SYS/io_stall
		story io_stall io_stall
		echo 0 >$SYS/nr_threads
		echo 0 >$SYS/io_stall
	fi
	if has ult; then
		for m in m1 1to1 mn; do
			story "ult-$m" ult $m
		done
		if [ -x /ktd_act_test ] && [ -r /ktd_activations.ko ]; then
			insmod /ktd_activations.ko
			no_other_cpu act_hold
			story ult-mnact ult mnact
			no_other_cpu act_release
		fi
	fi
	no_other_cpu events 0
	echo 1 >$TR/tracing_on
}

rc=0
{
	echo "kernel: $(uname -r)"
	echo "cpus_online: $(nproc)"
} >/tmp/env.txt
! has scenario || scenario
case " $stories " in
*" pingpong "* | *" io_stall "* | *" ult "*) stories_run ;;
esac
section env /tmp/env.txt
rmmod workqueue_demo
rmmod kthread_demo
exit $rc
