#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run one guest job, or some of its tests, in one QEMU boot: the quick loop
# for a guest test. Ends with "N passed, N failed".
#
# usage: scripts/guest-test.sh [-k debug|distro] [-t SECONDS] JOB [TEST...]
#
#   -k    the kernel: distro (default), Debian's own 6.1, boots faster and
#         has no KASAN; debug, the 6.12 test kernel (lockdep, KASAN,
#         kmemleak, ...) from scripts/build-kernel.sh
#   -t    time bound for the boot (default 600)
#   JOB   scripts/jobs/test-sysfs.sh is test-sysfs, sysfs or test-sysfs.sh;
#         torture and kunit (debug kernel only) work too
#   TEST  run only these test functions of the job (test_bind ...): the
#         guest gets ktd.only=TEST,... and reports the others as not run,
#         which count as skipped
#
# Boots the kernel with the job, the guest library and the modules
# (built for that kernel, cached), parses the job's KTAP with the kernel's
# kunit.py and prints every case. The run itself counts as one check, as
# in `make check`: a missing sentinel or a kernel splat fails it. Logs in
# $KTD_OUT/guest-test/JOB-KERNEL/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [-k debug|distro] [-t SECONDS] JOB [TEST...]"
kind=distro timeout_s=600
while getopts "k:t:h" opt; do
	case $opt in
	k) kind=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	h) echo "$usage"; exit 0 ;;
	*) ktd_die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || ktd_die "$usage"
case $kind in
debug | distro) ;;
*) ktd_die "unknown kernel '$kind' (debug, distro)" ;;
esac

name=${1##*/} name=${name%.sh}
shift
job=$KTD_TOP/scripts/jobs/$name.sh
[ -f "$job" ] || job=$KTD_TOP/scripts/jobs/test-$name.sh
[ -f "$job" ] || ktd_die "no job '$name' in scripts/jobs ($(cd "$KTD_TOP/scripts/jobs" &&
	echo test-*.sh torture.sh))"
# A misspelt test would only show up as every test skipped: refuse it here.
tests=$(sed -n 's/^\(test_[A-Za-z0-9_]*\) *() *{.*/\1/p' "$job")
for t in "$@"; do
	grep -qx "$t" <<<"$tests" ||
		ktd_die "no test '$t' in ${job##*/} (${tests//$'\n'/ })"
done

ktd_deps
# The test kernel's source holds kunit.py, the KTAP parser (cold, this
# builds the test kernel first).
kobj=$("$KTD_TOP/scripts/build-kernel.sh")
KTD_KSRC=$(ktd_kernel_src "$kobj")
if [ "$kind" = debug ]; then
	kdir=$kobj image=$kobj/arch/x86/boot/bzImage label="6.12 debug kernel"
else
	v=$(ktd_distro_kver)
	kdir=/lib/modules/$v/build image=/boot/vmlinuz-$v label="Debian $v"
fi
mods=$(ktd_build_cached "$kdir") || exit 1
shopt -s nullglob
files=("$mods"/*.ko "$mods"/kunit/*.ko "$mods"/ktd_act_test)
shopt -u nullglob
append=""
[ $# -eq 0 ] || append="ktd.only=$(IFS=,; echo "$*")"
out=$KTD_OUT/guest-test/${job##*/}
out=${out%.sh}-$kind
rm -rf "$out"

ktd_log "booting $label with ${job##*/}${append:+ ($append)}"
ktd_vm_check "$label" -t "$timeout_s" -a "$append" "$image" "$out" "$job" "${files[@]}"
ktd_ktap_tally -v "$out/guest.log" "$label" 1
ktd_summary "not selected, or the guest could not host them"
