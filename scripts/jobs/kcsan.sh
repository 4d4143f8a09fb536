# SPDX-License-Identifier: GPL-2.0
# Guest job for the KCSAN test kernel (scripts/test-kernel-kcsan.config):
# the guest tests (every /test-*.sh packed), the KUnit suites (/kunit.sh)
# and a shortened torture (/torture.sh), one after the other, while KCSAN
# watches every access of the kernel and the modules. Any "BUG: KCSAN:"
# report on the console fails the run (scripts/splats.sh), but for the
# kernel's own races filtered below ("KCSAN report filter: FN"). This job
# fails if KCSAN is not on, and ends with KCSAN's own counters:
#   KCSAN enabled=1 data_races=N assert_failures=N races_unknown_origin=N
# data_races also counts races KCSAN found but did not report (rate
# limit, or a value that did not change); the console is what counts.
#
# Torture knobs (environment, defaults here): CYCLES=20 RACE_SECS=15
# HOTPLUG=10 FREEZES=2 HOSTILE=30.
. /guest-ktap.sh

K=/sys/kernel/debug/kcsan
[ -r $K ] || { echo "no $K: this kernel has no KCSAN"; exit 1; }
grep -q '^enabled: 1' $K || { echo "KCSAN is off"; exit 1; }

# Known races in the kernel itself, not in the modules, filtered with
# KCSAN's own report filter (Documentation/dev-tools/kcsan.rst, "DebugFS
# interface"). The workqueue core reads its worker's own
# se.sum_exec_runtime with a plain load (kernel/workqueue.c, 6.12:
# "worker->current_at = worker->task->se.sum_exec_runtime;" in
# process_one_work() and wq_worker_running()) while the tick updates it in
# update_curr(). kernel/sched is not instrumented, so KCSAN reports it as
# a "race at unknown origin" under any work item, ours or not; it is the
# same race kthread_demo mends in its own stats reset with data_race().
# The filter drops a report only when the top frame of one of its sides
# is a listed function: a race in our code has our function on top.
for fn in process_one_work wq_worker_running; do
	echo "!$fn" >$K
	echo "KCSAN report filter: $fn (a race in the kernel's workqueue core)"
done

rc=0
for t in /test-*.sh; do
	[ -e "$t" ] || continue
	sh -e "$t" || rc=1
done
[ ! -e /kunit.sh ] || sh -e /kunit.sh || rc=1
CYCLES=${CYCLES:-20} RACE_SECS=${RACE_SECS:-15} HOTPLUG=${HOTPLUG:-10} \
	FREEZES=${FREEZES:-2} HOSTILE=${HOSTILE:-30} sh -e /torture.sh || rc=1

kc() {
	awk -v k="$1:" '$1 == k { print $2 }' $K
}
echo "KCSAN enabled=$(kc enabled) data_races=$(kc data_races) assert_failures=$(kc assert_failures) races_unknown_origin=$(kc races_unknown_origin)"
exit $rc
