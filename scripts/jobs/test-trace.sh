# SPDX-License-Identifier: GPL-2.0
# Guest job: the trace events under /sys/kernel/tracing/events/kthread_demo
# exist, and enabling them yields real events from real threads and items.
# Runs on both the debug test kernel and Debian's 6.1 kernel.
. /guest-ktap.sh

# Each test: both modules fresh (workqueue_demo where the guest has it),
# no thread yet, an empty trace buffer; nothing loaded after.
ktap_setup() {
	[ -d $TR/events ] || mount -t tracefs tracefs $TR
	ktd_fresh nr_threads=0
	[ ! -e /workqueue_demo.ko ] || insmod /workqueue_demo.ko
	no_other_cpu sh -c "echo 0 >$EV/enable"
	echo >$TR/trace
}

ktap_teardown() {
	[ ! -e $EV/enable ] || no_other_cpu sh -c "echo 0 >$EV/enable"
	ktd_clean
}

# events NAME: how many NAME events the trace buffer holds
events() {
	grep -c " $1: " $TR/trace || true
}

test_events_exist() {
	for e in ktd_thread_start ktd_thread_stop ktd_latency ktd_work_queued \
		ktd_work_start ktd_work_finish; do
		[ -e $EV/$e/enable ] || ktap_fail "$EV/$e missing"
	done
}

test_thread_events() {
	no_other_cpu sh -c "echo 1 >$EV/enable"
	echo 2 >$SYS/nr_threads
	echo pingpong >$SYS/workload
	sleep 0.5
	echo 0 >$SYS/nr_threads
	no_other_cpu sh -c "echo 0 >$EV/enable"
	expect_eq "$(events ktd_thread_start)" 2 "ktd_thread_start events"
	expect_eq "$(events ktd_thread_stop)" 2 "ktd_thread_stop events"
	[ "$(events ktd_latency)" -gt 0 ] || ktap_fail "no ktd_latency events"
	grep -q 'ktd_latency: id=0 workload=pingpong' $TR/trace ||
		ktap_fail "ktd_latency events do not name the workload"
	grep -q 'ktd_thread_stop: id=1 pid=[0-9]* ret=0 loops=[1-9]' $TR/trace ||
		ktap_fail "ktd_thread_stop has no loops or ret"
}

test_work_events() {
	[ -e /workqueue_demo.ko ] || ktap_skip "workqueue_demo.ko is not in this guest"
	echo wq_unbound >$BENCH/mechanisms
	echo 5 >$BENCH/lat_items
	no_other_cpu sh -c "echo 1 >$EV/enable"
	bench_run latency 30
	no_other_cpu sh -c "echo 0 >$EV/enable"
	for e in ktd_work_queued ktd_work_start ktd_work_finish; do
		[ "$(events $e)" -ge 5 ] || ktap_fail "$e: $(events $e) events, expected >= 5"
	done
	grep -q 'ktd_work_start: mech=wq_unbound item=[0-9]* ns=[0-9]' $TR/trace ||
		ktap_fail "ktd_work_start has no mechanism or latency"
}

test_unload() {
	[ ! -e /workqueue_demo.ko ] || rmmod workqueue_demo
	rmmod kthread_demo
	[ ! -d $EV ] || ktap_fail "$EV still there after rmmod"
}

ktap_run kthread_demo_trace test_events_exist test_thread_events \
	test_work_events test_unload
