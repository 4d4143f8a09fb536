#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Seed 001's scheduler-activations example, measured in a guest with
# ktd_activations.ko loaded (never on the host): the siblings' progress
# and longest stall while one user thread blocks 200 ms in read(), the
# detection latency (p50, p99), and the probe's cost per context switch.
#
# usage: scripts/activations-bench.sh [-k distro|debug] [-r GUEST.LOG]
#
#   -k  the kernel: distro (default, Debian's 6.1) or debug (6.12)
#   -r  no boot: make the table again from the guest.log of an earlier run
#
# Boots the kernel once (TCG, CPU 1 offline inside: see the job) with
# scripts/jobs/activations-bench.sh, actbench, ult-selftest, ktd_act_test
# and the module; writes $KTD_OUT/activations/ (guest.log, the sections,
# table.txt) and copies table.txt to scripts/results/activations.txt.
# Guest times are emulated: only ratios within one run mean anything.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [-k distro|debug] [-r GUEST.LOG]"
kind=distro reuse=""
while getopts "k:r:h" opt; do
	case $opt in
	k) kind=$OPTARG ;;
	r) reuse=$(realpath "$OPTARG") ;;
	h) echo "$usage"; exit 0 ;;
	*) ktd_die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || ktd_die "$usage"

case $kind in
distro)
	v=$(ktd_distro_kver)
	kdir=/lib/modules/$v/build image=/boot/vmlinuz-$v label="Debian $v" ;;
debug)
	kdir=$("$KTD_TOP/scripts/build-kernel.sh")
	image=$kdir/arch/x86/boot/bzImage label="6.12 debug kernel" ;;
*) ktd_die "$usage" ;;
esac
out=$KTD_OUT/activations
rm -rf "$out"
mkdir -p "$out/vm"
if [ -n "$reuse" ]; then
	cp "$reuse" "$out/vm/guest.log"
else
	ktd_deps
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	bin=${ult%/*}
	mods=$(ktd_build_cached "$kdir") || exit 1
	ktd_log "booting $label with activations-bench.sh (a few minutes)"
	ktd_vm -t 1200 "$image" "$out/vm" "$KTD_TOP/scripts/jobs/activations-bench.sh" \
		"$bin/actbench" "$bin/ult-selftest" "$mods/ktd_act_test" \
		"$mods/ktd_activations.ko"
fi
awk -v dir="$out" '
	/^KTD-ACT-BEGIN / { file = dir "/" $2; printf "" > file; next }
	/^KTD-ACT-END$/ { close(file); file = ""; next }
	file != "" { print > file }
' "$out/vm/guest.log"

# The table: medians over the cost runs; actbench's own figures.
{
	echo "# Seed 001 with scheduler activations ($label, QEMU TCG; host: $(nproc) CPUs,"
	echo "# $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), a VM)."
	echo "# Guest times are emulated: compare rows within this table only."
	sed 's/^/# /' "$out/env"
	echo
	echo "Sibling progress while one of 3 user threads blocks in read() (one CPU):"
	printf '%-9s %15s %15s %13s %13s %9s\n' model steps/ms_block max_stall_us \
		lat_p50_us lat_p99_us handoffs
	awk '$1 == "ACT" && $3 != "SKIP" { v[$2, $3] = $4; m[$2] = 1; if (!($2 in o)) o[$2] = n++ }
		$1 == "ACT" && $3 == "SKIP" { print $2, "SKIP", $0 }
		END {
			for (k in o) ord[o[k]] = k
			for (i = 0; i < n; i++) {
				k = ord[i]
				printf "%-9s %15s %15s %13s %13s %9s\n", k, v[k, "steps_per_ms_block"],
					v[k, "max_stall_us"], v[k, "lat_p50_us"],
					v[k, "lat_p99_us"], v[k, "handoffs"]
			}
		}' "$out/actbench"
	echo
	echo "Probe cost, pipe ping-pong on CPU 0 (ns per context switch, median of $(ls "$out"/cost.* | wc -l) runs):"
	cat "$out"/cost.* | awk '$1 == "pingpong" { sub(":", "", $2); v[$2] = v[$2] " " $3 }
		END {
			split("unloaded off other vps", k, " ")
			d["unloaded"] = "module not loaded"
			d["off"] = "loaded, nobody registered"
			d["other"] = "an idle VP registered"
			d["vps"] = "the switching threads are VPs"
			for (i = 1; i <= 4; i++) {
				n = split(v[k[i]], a, " ")
				for (x = 2; x <= n; x++)	# insertion sort (mawk)
					for (y = x; y > 1 && a[y - 1] + 0 > a[y] + 0; y--) {
						t = a[y]; a[y] = a[y - 1]; a[y - 1] = t
					}
				printf "  %-32s %8s ns\n", d[k[i]], n ? a[int((n + 1) / 2)] : "-"
			}
		}'
	echo
	echo "ult-selftest's activation cases in the guest:"
	grep -E '^(ok|not ok) ' "$out/selftest" | sed 's/^/  /'
} >"$out/table.txt"
cat "$out/table.txt"
cp "$out/table.txt" "$KTD_TOP/scripts/results/activations.txt"
