# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/timeline.sh: run workqueue_demo's scenario (the
# workqueue documentation's example) with the module's work item events
# and sched_switch recorded in tracefs, then print the results and the
# trace, each framed by "KTD-TL-BEGIN <name>" and "KTD-TL-END" for the
# host to cut out.
#
# /timeline.params, when present, holds "name value" lines for the files
# under /sys/kernel/debug/kthread_demo/bench (say, "scen_unit_us 20000");
# "mechanisms" picks the configurations (default: all of them).
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
if [ -r /timeline.params ]; then
	while read -r name value; do
		case $name in '' | '#'*) continue ;; esac
		echo "$value" >"$BENCH/$name"
	done </timeline.params
fi

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

{
	echo "kernel: $(uname -r)"
	echo "cpus_online: $(nproc)"
	[ ! -r $THRESH ] || echo "cpu_intensive_thresh_us: $(cat $THRESH) (raised for the run)"
	echo "scen_unit_us: $(cat $BENCH/scen_unit_us)"
	echo "lost_events: $(grep -c 'LOST' $TR/trace || true)"
} >/tmp/env.txt
section env /tmp/env.txt
section status $BENCH/status
section scenario $DBG/scenario
section scenario.csv $DBG/scenario.csv
section trace $TR/trace

rc=0
[ "$(bench_state)" = done ] || rc=1
rmmod workqueue_demo
rmmod kthread_demo
exit $rc
