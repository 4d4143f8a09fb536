# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/threads-bench.sh: in one boot, measure thread
# operations at every level, and print each result framed by
# "KTD-THREADS-BEGIN <name>" and "KTD-THREADS-END" for the host to cut out.
#
#   ultbench          user-level threads, pthreads and processes (/ultbench,
#                     its own RUNS runs), the PLATFORM line first
#   pingpong.same.<i> kthread_demo's ping-pong, both threads on CPU 0, run i
#                     of RUNS
#   pingpong.cross.<i> the same, one thread per CPU
#   create.<i>        workqueue_demo's create benchmark, run i of CREATE_RUNS
#   latency.<i>       workqueue_demo's latency (dispatch) benchmark, run i
#
# The host sets the variables below before sourcing this file.
. /guest-ktap.sh

B=$BENCH
ULT_ARGS=${ULT_ARGS:---samples 30}
PP_SECS=${PP_SECS:-3}
CREATE_RUNS=${CREATE_RUNS:-5}
CREATE_LOOPS=${CREATE_LOOPS:-50}
LAT_ITEMS=${LAT_ITEMS:-200}
MECHS=${MECHS:-kthread kthread_worker wq_percpu}
RUN_LIMIT_S=${RUN_LIMIT_S:-60}
RUNS=${RUNS:-5}

begin() { echo "KTD-THREADS-BEGIN $1"; }
end() { echo "KTD-THREADS-END"; }
section() {
	begin "$1"
	cat "$2"
	end
}

begin env
echo "kernel: $(uname -r)"
echo "cpus_online: $(nproc)"
echo "ultbench_args: $ULT_ARGS"
echo "pingpong_secs: $PP_SECS"
echo "create_runs: $CREATE_RUNS create_loops: $CREATE_LOOPS lat_items: $LAT_ITEMS"
echo "mechanisms: $MECHS"
end

# 1. User space: ULT, pthread, process. Progress (stderr) stays out of it.
begin ultbench
# shellcheck disable=SC2086 # the arguments are words
/ultbench $ULT_ARGS 2>/tmp/ultbench.err || {
	end
	cat /tmp/ultbench.err
	exit 1
}
end

# 2. Kernel threads ping-pong: a token passed through two wait queues.
insmod /kthread_demo.ko nr_threads=0
echo pingpong >$SYS/workload
for bind in 0 spread; do
	echo $bind >$SYS/bind
	echo 2 >$SYS/nr_threads
	sleep 1
	r=1
	while [ $r -le "$RUNS" ]; do
		echo 1 >$DBG/reset
		sleep "$PP_SECS"
		[ "$(kstat threads_reporting)" = 2 ] || echo "warning: only $(kstat threads_reporting) ping-pong threads reported"
		section "pingpong.$([ $bind = 0 ] && echo same || echo cross).$r" $DBG/stats
		r=$((r + 1))
	done
done
echo 0 >$SYS/nr_threads

# 3. Creation and dispatch of deferred work, each mechanism alike.
insmod /workqueue_demo.ko
echo "$MECHS" >$B/mechanisms
echo "$CREATE_LOOPS" >$B/create_loops
echo "$LAT_ITEMS" >$B/lat_items
i=1
while [ $i -le "$CREATE_RUNS" ]; do
	bench_run create "$RUN_LIMIT_S"
	section "create.$i" $DBG/compare.csv
	i=$((i + 1))
done
i=1
while [ $i -le "$RUNS" ]; do
	bench_run latency "$RUN_LIMIT_S"
	section "latency.$i" $DBG/compare.csv
	i=$((i + 1))
done

rmmod workqueue_demo
rmmod kthread_demo
