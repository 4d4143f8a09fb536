# SPDX-License-Identifier: GPL-2.0
# Guest job: load/unload cycles with threads of every workload running
# leave no threads and no memory behind. Slab use is judged on kernels
# without KASAN (its quarantine holds freed objects back); the debug
# kernel relies on kmemleak's scan after the job instead.
. /guest-ktap.sh

CYCLES=${CYCLES:-100}
KASAN=
dmesg | grep -q 'KernelAddressSanitizer initialized' && KASAN=1

slab_kb() {
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

cycle() {
	insmod /kthread_demo.ko nr_threads=$(($1 % 8 + 1)) workload=$2
	echo spread >$SYS/bind
	sleep 0.02
	rmmod kthread_demo
}

test_no_threads_left() {
	for wl in $(ktd_workloads); do
		cycle 5 $wl
		expect_eq "$(nr_ktd_threads)" 0 "ktd threads after unloading ($wl)"
	done
}

test_slab_steady() {
	for wl in $(ktd_workloads); do
		cycle 3 $wl
	done
	# kfree_rcu() batches frees for up to 5 s (KFREE_DRAIN_JIFFIES): let
	# every batch drain before each reading.
	sleep 6
	s0=$(slab_kb)
	i=0
	while [ $i -lt "$CYCLES" ]; do
		set -- $(ktd_workloads)
		shift $((i % $#))
		cycle $i "$1"
		i=$((i + 1))
	done
	sleep 6
	s1=$(slab_kb)
	echo "    # unreclaimable slab: ${s0} kB before $CYCLES cycles, ${s1} kB after ($((s1 - s0)) kB)"
	if [ -n "$KASAN" ]; then
		echo "    # KASAN kernel: not judged here, kmemleak is"
		return 0
	fi
	# One leaked thread per cycle (task_struct, ktd_thread, ...) would be
	# over 2 MB; caches and allocator slack stay well below 1 MB.
	[ $((s1 - s0)) -lt 1024 ] || ktap_fail "slab grew by $((s1 - s0)) kB"
}

ktap_setup() {
	ktd_clean
}

ktap_run kthread_demo_leaks test_no_threads_left test_slab_steady
