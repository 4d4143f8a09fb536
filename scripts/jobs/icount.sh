# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/icount-bench.sh: the deterministic mode. The guest
# runs under QEMU's -icount shift=0,sleep=off, so its clock counts
# executed instructions (1 ns = 1 instruction) and every figure below is
# instructions per operation. Prints "ICOUNT <metric> <value>" lines.
#
#   ult, pthread, process   ultbench's create and same-CPU ping-pong
#   kthread                 kthread_demo's ping-pong, same CPU (and across
#                           CPUs with 2 vCPUs), per round trip: elapsed
#                           over round trips, with stats on and off; the
#                           difference per latency sample is what
#                           measuring costs
#   wq flavours, worker     workqueue_demo's dispatch latency (p50) and
#                           create+teardown, one mechanism at a time
#
# The host sets SECS (ping-pong seconds of guest time), LAT_ITEMS,
# CREATE_LOOPS, CREATE_RUNS and ULT_ARGS before sourcing this file.
#
# Creation allocates memory, and now and then one creation meets a slab
# or page refill, an RCU callback or a new worker: the creates are run
# CREATE_RUNS times and their median printed, so one such event does not
# move the figure.
. /guest-ktap.sh

B=$BENCH
SECS=${SECS:-1}
LAT_ITEMS=${LAT_ITEMS:-100}
CREATE_LOOPS=${CREATE_LOOPS:-5}
CREATE_RUNS=${CREATE_RUNS:-5}
ULT_ARGS=${ULT_ARGS:---runs 1 --samples 20}
MECHS="kthread kthread_worker wq_percpu wq_unbound wq_highpri wq_cpu_intensive wq_ordered system_wq"

echo "ICOUNT-INFO kernel=$(uname -r) cpus=$(nproc)"
/ultbench --platform | sed 's/^/ICOUNT-INFO /'

# 1. User space: ultbench's medians are instructions here.
# shellcheck disable=SC2086 # the arguments are words
/ultbench $ULT_ARGS 2>/dev/null | awk '
	$1 == "ROW" && ($2 == "create" || $2 == "pingpong_same_cpu" || $2 == "proc_call") {
		for (i = 4; i <= NF; i++)
			if (index($i, "median_ns=") == 1)
				print "ICOUNT " $2 "." $3 " " substr($i, 11)
	}'

# 2. kthread ping-pong: instructions per round trip, stats on and off.
insmod /kthread_demo.ko nr_threads=0
echo pingpong >$SYS/workload
places=0
[ "$(nproc)" -ge 2 ] && places="0 spread"
for bind in $places; do
	name=$([ "$bind" = 0 ] && echo same_cpu || echo cross_cpu)
	echo "$bind" >$SYS/bind
	echo 2 >$SYS/nr_threads
	for on in 1 0; do
		echo $on >$SYS/stats_enabled
		sleep 1
		echo 1 >$DBG/reset
		sleep "$SECS"
		# a round trip is one loop of each thread
		awk -v n="$name" -v on=$on '
			{ v[$1] = $2 }
			END {
				rt = v["loops:"] / 2
				if (rt > 0)
					printf "ICOUNT kthread_pingpong_%s.stats%s %.1f\n", n, on ? "on" : "off",
						v["elapsed_ns:"] / rt
				# a scheduling difference between on and off shows here
				if (rt > 0)
					printf "ICOUNT kthread_pingpong_%s.csw_per_rt_stats%s %.3f\n", n,
						on ? "on" : "off", (v["nvcsw:"] + v["nivcsw:"]) / rt
				if (on && rt > 0)
					printf "ICOUNT kthread_pingpong_%s.samples_per_rt %.3f\n", n,
						v["rtt_" n "_samples:"] / rt
			}' $DBG/stats
	done
	echo 0 >$SYS/nr_threads
	echo 1 >$SYS/stats_enabled
done

# 3. Deferred work: dispatch latency and create, each mechanism.
insmod /workqueue_demo.ko
echo "$LAT_ITEMS" >$B/lat_items
echo "$CREATE_LOOPS" >$B/create_loops
echo "$MECHS" >$B/mechanisms
bench_run latency 600 || echo "ICOUNT-INFO latency did not finish"
awk -F, '$2 == "lat_p50_ns" { print "ICOUNT " $1 "." $2 " " $3 }' $DBG/compare.csv
r=1
while [ $r -le "$CREATE_RUNS" ]; do
	bench_run create 600 || echo "ICOUNT-INFO create did not finish"
	awk -F, '$2 == "create_ns" { print $1, $3 }' $DBG/compare.csv
	r=$((r + 1))
done >/tmp/creates
# the median of each mechanism's runs
for m in $MECHS; do
	awk -v m="$m" '$1 == m { print $2 }' /tmp/creates | sort -n |
		awk -v m="$m" '{ v[NR] = $1 }
			END { if (NR) print "ICOUNT " m ".create_ns " v[int((NR + 1) / 2)] }'
done

rmmod workqueue_demo
rmmod kthread_demo
