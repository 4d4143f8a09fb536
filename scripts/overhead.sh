#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Measure what kthread_demo's instrumentation costs: ping-pong round trips
# per second with stats_enabled=1 against stats_enabled=0, in one boot of
# Debian's 6.1 kernel (no debug overhead), on one CPU and across CPUs.
#
# usage: scripts/overhead.sh [ROUNDS [SECONDS]]
#
# Prints the platform lines and each round, then per placement the median
# rate with and without stats and their ratio (the README's target: at
# most 5% slower), and writes that to scripts/results/overhead.txt. TCG
# rounds vary by about 15%; scripts/icount-bench.sh resolves the same cost
# exactly, in instructions per latency sample.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -le 2 ] || ktd_die "usage: $0 [ROUNDS [SECONDS]]"
rounds=${1:-7} secs=${2:-2}
ktd_deps
distro=$(ktd_distro_kver)
out=$KTD_OUT/overhead
rm -rf "$out"
mkdir -p "$out"
mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
printf 'ROUNDS=%s SECS=%s\n/ultbench --platform || true\n. /overhead.sh\n' \
	"$rounds" "$secs" >"$out/job.sh"
ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs; about $((rounds * secs * 4 + 15)) s)"
ktd_vm -t 600 "/boot/vmlinuz-$distro" "$out/vm" "$out/job.sh" \
	"$KTD_TOP/scripts/jobs/overhead.sh" "$ult" "$mods/kthread_demo.ko" ||
	ktd_die "run failed (logs in $out/vm)"
{
	echo "kthread_demo's measuring cost, $rounds paired rounds of $secs s; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host:  $("$ult" --platform 2>/dev/null | head -n 1)"
	echo "guest: $(grep -m1 '^PLATFORM ' "$out/vm/guest.log" || echo "not measured")"
	echo "       Debian $distro, QEMU TCG, 2 vCPUs: emulated time"
	echo
} | tee "$out/header.txt"
grep '^OVERHEAD ' "$out/vm/guest.log" | tee "$out/rounds.txt"
echo
# Per placement: the median rate with and without stats, and the median of
# the per-round ratios on/off (each round's pair ran back to back).
printf '%-9s %16s %16s %14s\n' placement "stats on (rt/s)" "stats off (rt/s)" "on/off ratio"
for bind in 0 spread; do
	name=$([ $bind = 0 ] && echo "same-cpu" || echo "cross-cpu")
	sed -n "s/^OVERHEAD bind=$bind round=\([0-9]*\) stats=\([01]\) rtt_per_sec=\([0-9]*\)/\1 \2 \3/p" \
		"$out/rounds.txt" | awk -v n="$name" '
		function median(a, k,   i, j, t) {
			for (i = 2; i <= k; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		}
		$2 == 1 { on[$1] = $3 } $2 == 0 { off[$1] = $3 }
		END {
			for (r in on) if (off[r] > 0) { k++; ra[k] = on[r] / off[r]; a[k] = on[r]; b[k] = off[r] }
			ratio = median(ra, k)
			printf "%-9s %16d %16d %14.3f  (stats cost %.1f%%)\n", n,
				median(a, k), median(b, k), ratio, (1 - ratio) * 100
		}'
done | tee "$out/summary.txt"
mkdir -p "$KTD_TOP/scripts/results"
cat "$out/header.txt" "$out/summary.txt" >"$KTD_TOP/scripts/results/overhead.txt"
