# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/sweep.sh: run workqueue_demo's whole benchmark
# matrix RUNS times and print the results, each file framed by
# "KTD-SWEEP-BEGIN <name>" and "KTD-SWEEP-END" for the host to cut out:
# platform (ultbench --platform), env, and per run i compare.csv.i; the
# last run's status, compare and hist.csv.
#
# Parameters come from /sweep.params ("name value" lines) when present;
# otherwise the module's defaults apply.
. /guest-ktap.sh

B=$BENCH
LIMIT=${SWEEP_LIMIT_S:-600}
RUNS=${RUNS:-5}

section() {
	echo "KTD-SWEEP-BEGIN $1"
	cat "$2"
	echo "KTD-SWEEP-END"
}

/ultbench --platform >/tmp/platform.txt 2>&1 || true
section platform /tmp/platform.txt
wqd_fresh

{
	echo "kernel: $(uname -r)"
	echo "cpus_online: $(nproc)"
	t=/sys/module/workqueue/parameters/cpu_intensive_thresh_us
	if [ -r $t ]; then
		echo "cpu_intensive_thresh_us: $(cat $t)"
	else
		echo "cpu_intensive_thresh_us: absent (kernel before 6.5: no automatic CPU_INTENSIVE)"
	fi
	for p in power_efficient default_affinity_scope; do
		f=/sys/module/workqueue/parameters/$p
		[ -r $f ] && echo "workqueue.$p: $(cat $f)"
	done
} >/tmp/env.txt

if [ -r /sweep.params ]; then
	while read -r name value; do
		case $name in '' | '#'*) continue ;; esac
		echo "$value" >"$B/$name"
	done </sweep.params
fi
for f in $B/*; do
	case ${f##*/} in run | status | hist.csv) continue ;; esac
	echo "${f##*/}: $(cat "$f")"
done >>/tmp/env.txt
section env /tmp/env.txt

rc=0
i=1
while [ $i -le "$RUNS" ]; do
	bench_run sweep "$LIMIT" || rc=1
	section "compare.csv.$i" $DBG/compare.csv
	i=$((i + 1))
done

section status $B/status
section compare $DBG/compare
section compare.csv $DBG/compare.csv
section hist.csv $B/hist.csv
rmmod workqueue_demo
rmmod kthread_demo
exit $rc
