#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel with an initramfs in QEMU (TCG, 2 vCPUs) and judge the run.
#
# usage: scripts/run-vm.sh [-t SECONDS] [-m MEM] [-a APPEND] [-s] KERNEL INITRD DIR
#
#   -t  time bound for the whole boot (default 300)
#   -m  guest memory (default 1G)
#   -a  extra kernel command line
#   -s  stream the job's output (ttyS1) to stdout while it runs
#
# Writes DIR/console.log (kernel console, ttyS0) and DIR/guest.log (the
# job's output, ttyS1). Exit 0 only if the job printed the sentinel with
# rc=0 and the console holds no kernel splat; otherwise print why, exit 1.
# KTD_KVM=1 opts in to KVM (it hangs on some hosts, so TCG is the default).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout_s=300 mem=1G append="" stream=0
while getopts "t:m:a:s" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) append=$OPTARG ;;
	s) stream=1 ;;
	*) ktd_die "usage: $0 [-t SECONDS] [-m MEM] [-a APPEND] [-s] KERNEL INITRD DIR" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || ktd_die "usage: $0 [-t SECONDS] [-m MEM] [-a APPEND] [-s] KERNEL INITRD DIR"
kernel=$1 initrd=$2 dir=$3
mkdir -p "$dir"
console=$dir/console.log guest=$dir/guest.log
rm -f "$console" "$guest"

accel=tcg
[ "${KTD_KVM:-0}" = 1 ] && accel=kvm

qemu=(qemu-system-x86_64 -accel "$accel" -smp 2 -m "$mem" -nodefaults
	-display none -no-reboot -kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=0 $append"
	-serial "file:$console")
set +e
if [ $stream = 1 ]; then
	timeout -k 5 "$timeout_s" "${qemu[@]}" -serial stdio </dev/null |
		tee "$guest" | grep --line-buffered -v '^KTD-DONE '
	rc=${PIPESTATUS[0]}
else
	timeout -k 5 "$timeout_s" "${qemu[@]}" -serial "file:$guest"
	rc=$?
fi
set -e
tr -d '\r' <"$guest" >"$guest.tmp" && mv "$guest.tmp" "$guest"

fail=()
[ $rc -eq 124 ] && fail+=("timed out after ${timeout_s}s")
[ $rc -ne 0 ] && [ $rc -ne 124 ] && fail+=("qemu exited with $rc")
sentinel=$(grep -a '^KTD-DONE rc=' "$guest" | tail -n 1 || true)
if [ -z "$sentinel" ]; then
	fail+=("no sentinel: the guest died or hung before its job finished")
elif [ "$sentinel" != "KTD-DONE rc=0" ]; then
	fail+=("guest job failed ($sentinel)")
fi
splats=$("$KTD_TOP/scripts/splats.sh" "$console" || true)
[ -n "$splats" ] && fail+=("kernel splat in $console:"$'\n'"$splats")

if [ ${#fail[@]} -gt 0 ]; then
	printf 'VM FAIL: %s\n' "${fail[@]}" >&2
	exit 1
fi
exit 0
