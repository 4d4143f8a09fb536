# SPDX-License-Identifier: GPL-2.0
# Guest job for `make demo`: what a user types on a test VM, and what the
# module answers. Every command is echoed with a "# " prompt first; "##"
# lines say what to look for.
. /guest-ktap.sh

run() {
	echo "# $*"
	sh -c "$*"
}

# run_patching CMD: run, for a command that rewrites kernel code (turns a
# trace event on or off): with CPU 1 offline behind the scenes, see
# no_other_cpu in the guest library. The screen shows CMD only.
run_patching() {
	echo "# $*"
	no_other_cpu sh -c "$*"
}

say() {
	echo
	echo "## $*"
}

# stats without the histogram rows, to keep the screen short
stats() {
	run "grep -v '^ ' $DBG/stats | grep -E '${1:-.}'"
}

echo "--- kthread-demo on $(uname -r), $(nproc) CPUs ---"
say "Load it with four threads. They sleep 1 ms at a time (workload=sleep)."
run insmod /kthread_demo.ko nr_threads=4
run ls $SYS $DBG
run "ps -o pid,comm | grep ktd/"
run sleep 1
run cat $DBG/threads
say "Wake-up latency of the sleep workload: actual minus intended wake time."
run "cat $DBG/stats"

say "Resize live: ktd/0..3 keep their pids, ktd/4..5 are new."
run "echo 6 > $SYS/nr_threads"
run "ps -o pid,comm | grep ktd/"

say "Bad input is refused with an errno and changes nothing."
run "echo 100000 > $SYS/nr_threads; cat $SYS/nr_threads"
run "echo fast > $SYS/workload; cat $SYS/workload"

say "spin: CPU-bound chunks with cond_resched(); six threads share two CPUs."
run "echo spin > $SYS/workload"
run sleep 1
stats "loops|ops|csw|runtime"

say "pingpong on one CPU (bind=0) and across CPUs (bind=spread): round trips."
run "echo 2 > $SYS/nr_threads; echo pingpong > $SYS/workload; echo 0 > $SYS/bind"
run sleep 1
stats "rtt_same_cpu_(samples|p50|p99_)"
run "echo spread > $SYS/bind"
run sleep 1
stats "rtt_cross_cpu_(samples|p50|p99_)"
run "echo none > $SYS/bind"

say "block: ktd/0's I/O never completes (io_stall=1); ktd/1 and ktd/2 go on."
run "echo 3 > $SYS/nr_threads; echo block > $SYS/workload; echo 1 > $SYS/io_stall"
run sleep 1
run cat $DBG/threads
run "echo 0 > $SYS/io_stall"

say "Priority: nice 10, then SCHED_FIFO (field 41 of /proc/PID/stat: 1 = FIFO)."
run "echo sleep > $SYS/workload; echo 10 > $SYS/nice"
run "cut -d' ' -f2,19,41 /proc/\$(awk '\$1 == \"ktd/0\" { print \$2 }' $DBG/threads)/stat"
run "echo fifo > $SYS/policy"
run "cut -d' ' -f2,19,41 /proc/\$(awk '\$1 == \"ktd/0\" { print \$2 }' $DBG/threads)/stat"
run "echo normal > $SYS/policy; echo 0 > $SYS/nice"

say "Park and unpark (kthread_park): the state column says parked."
run "echo 1 > $SYS/parked"
run cat $DBG/threads
run "echo 0 > $SYS/parked"

if [ -w $CPU1 ]; then
	say "CPU hotplug: threads bound to CPU 1 park while it is offline."
	run "echo 1 > $SYS/bind"
	run "echo 0 > $CPU1"
	run cat $DBG/threads
	run "echo 1 > $CPU1"
	run sleep 0.5
	run cat $DBG/threads
	run "echo none > $SYS/bind"
fi

say "iterations=20: threads finish on their own; we still hold their task."
run "echo 20 > $SYS/iterations"
run sleep 1
run cat $DBG/threads
run "echo 0 > $SYS/nr_threads; echo 0 > $SYS/iterations"

say "Trace events: every latency sample, thread start and stop."
run "echo 2 > $SYS/nr_threads; echo pingpong > $SYS/workload"
run_patching "echo 1 > $EV/enable"
run sleep 0.2
run_patching "echo 0 > $EV/enable"
run "grep -m 3 ktd_latency /sys/kernel/tracing/trace"

say "workqueue_demo: the same work on kthreads, a kthread_worker and workqueues."
run insmod /workqueue_demo.ko
run "echo kthread,kthread_worker,wq_percpu,wq_unbound,wq_ordered > $DBG/bench/mechanisms"
run "echo 8 > $DBG/bench/blk_items; echo 20 > $DBG/bench/create_loops"
run "echo sweep > $DBG/bench/run"
i=0
while ! grep -q 'state: done' $DBG/bench/status && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
run cat $DBG/bench/status
run cat $DBG/compare

say "Unload: no ktd or wqd thread is left."
run "echo 4 > $SYS/nr_threads"
run rmmod workqueue_demo
run rmmod kthread_demo
run "ps -o pid,comm | grep -E ' (ktd/|wqd)' || echo none left"
