# SPDX-License-Identifier: GPL-2.0
# Guest job for the KCSAN test kernel (scripts/test-kernel-kcsan.config):
# the guest tests (every /test-*.sh packed), the KUnit suites (/kunit.sh)
# and a shortened torture (/torture.sh), one after the other, while KCSAN
# watches every access of the kernel and the modules. A "BUG: KCSAN:"
# report with a frame in one of the modules fails the run; the kernel's
# own races are listed, not failed (scripts/splats.sh). This job fails
# if KCSAN is not on, and ends with KCSAN's own counters:
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
