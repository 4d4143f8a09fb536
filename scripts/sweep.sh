#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run workqueue_demo's whole benchmark matrix in Debian's own 6.1 kernel
# (no debug overhead) and report: which deferred-work mechanism for which
# job, measured in RUNS (5) independent runs in one boot.
#
# usage: scripts/sweep.sh [PARAMS-FILE]
#
# PARAMS-FILE holds "name value" lines for the files under
# /sys/kernel/debug/kthread_demo/bench (say, "blk_items 32"); without it the
# module's defaults apply. Writes $KTD_OUT/sweep/report.txt (the platform
# lines, every metric's median over the runs with the lowest..highest run,
# then the last run's own table), compare-runs.csv, compare.csv, hist.csv
# and PNG plots of the latency distributions, prints the report and copies
# it and the plots to scripts/results/. The guest runs under TCG: absolute figures are slow, the ratios
# between mechanisms are the point.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -le 1 ] || ktd_die "usage: $0 [PARAMS-FILE]"
params=${1:-}
[ -z "$params" ] || [ -f "$params" ] || ktd_die "no params file $params"

ktd_deps
ktd_need gnuplot-nox
distro=$(ktd_distro_kver)
RUNS=5
out=$KTD_OUT/sweep
rm -rf "$out"
mkdir -p "$out"

ktd_log "building the modules for Debian $distro"
mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
echo "RUNS=$RUNS" >"$out/job.sh"
echo ". /sweep.sh" >>"$out/job.sh"
files=("$KTD_TOP/scripts/jobs/sweep.sh" "$ult" "$mods/kthread_demo.ko" "$mods/workqueue_demo.ko")
if [ -n "$params" ]; then
	cp "$params" "$out/sweep.params"
	files+=("$out/sweep.params")
fi

ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs) for the sweep"
vm_ok=1
ktd_vm -t 1800 "/boot/vmlinuz-$distro" "$out/vm" "$out/job.sh" "${files[@]}" || vm_ok=0

# Cut the framed sections out of the guest's output.
awk -v dir="$out" '
	/^KTD-SWEEP-BEGIN / { file = dir "/" $2; printf "" > file; next }
	/^KTD-SWEEP-END$/ { close(file); file = ""; next }
	file != "" { print > file }
' "$out/vm/guest.log"
# The last run's compare.csv is the plots' and the module table's.
cp "$out/compare.csv.$RUNS" "$out/compare.csv" 2>/dev/null || true
for f in env status compare compare.csv hist.csv; do
	[ -s "$out/$f" ] || ktd_die "the guest printed no $f (logs in $out/vm)"
done

# One CDF data file per mechanism and histogram, for gnuplot.
mechs=$(awk -F, 'NR > 1 { print $1 }' "$out/compare.csv" | awk '!seen[$0]++')
for h in dispatch_latency timer_lateness; do
	for m in $mechs; do
		awk -F, -v m="$m" -v h="$h" '
			BEGIN { n = 0; s = 0; tot = 0 }
			$1 == m && $2 == h { lo[n] = $3; hi[n] = $4; c[n] = $5; tot += $5; n++ }
			END {
				if (n && lo[0] > 0)
					printf "%.3f 0\n", lo[0] / 1000
				for (i = 0; i < n; i++) {
					s += c[i]
					# the upper edge of each bucket, in microseconds
					printf "%.3f %.5f\n", (hi[i] + 1) / 1000, s / tot
				}
			}' "$out/hist.csv" >"$out/$h.$m.dat"
	done
done
awk -F, '$2 == "tput_1_per_s" { one[$1] = $3 } $2 == "tput_n_per_s" { n[$1] = $3 }
	END { for (m in one) print m, one[m], n[m] }' "$out/compare.csv" |
	sort -k1,1 >"$out/throughput.unsorted"
# keep the report's row order
for m in $mechs; do
	awk -v m="$m" '$1 == m' "$out/throughput.unsorted"
done >"$out/throughput.dat"
rm -f "$out/throughput.unsorted"
plots=()
for kind in dispatch_latency timer_lateness throughput; do
	if gnuplot -e "dir='$out'; mechs='$mechs'; plot_kind='$kind'" \
		"$KTD_TOP/scripts/sweep.gnuplot" >"$out/$kind.png" 2>>"$out/gnuplot.log"; then
		plots+=("$out/$kind.png")
	else
		ktd_log "gnuplot failed for $kind (see $out/gnuplot.log)"
	fi
done

# Every metric over the runs: median, lowest, highest.
cat "$out"/compare.csv.* | awk -F, '
	NR > 1 && $3 ~ /^-?[0-9.]+$/ {
		k = $1 "," $2
		if (!(k in n)) order[++nk] = k
		n[k]++; v[k, n[k]] = $3 + 0
	}
	END {
		print "mechanism,metric,median,lo,hi,runs"
		for (i = 1; i <= nk; i++) {
			k = order[i]; m = n[k]
			for (j = 1; j <= m; j++) a[j] = v[k, j]
			for (j = 2; j <= m; j++)
				for (l = j; l > 1 && a[l - 1] > a[l]; l--) {
					t = a[l]; a[l] = a[l - 1]; a[l - 1] = t
				}
			med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			printf "%s,%s,%s,%s,%d\n", k, med, a[1], a[m], m
		}
	}' >"$out/compare-runs.csv"

{
	echo "workqueue_demo sweep: which deferred-work mechanism, measured"
	echo "==============================================================="
	echo "$RUNS runs in one boot; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host:  $("$ult" --platform 2>/dev/null | head -n 1)"
	echo "guest: $(grep -m1 '^PLATFORM ' "$out/platform" 2>/dev/null || echo "not measured")"
	echo "       Debian $distro, QEMU $(qemu-system-x86_64 --version |
		sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG, 2 vCPUs: emulated time, compare ratios"
	echo
	cat "$out/env"
	echo
	echo "Every metric, median of the $RUNS runs [lowest..highest run]:"
	awk -F, 'NR > 1 {
		if ($1 != last) printf "\n%s\n", $1
		last = $1
		printf "  %-28s %14s  [%s..%s]\n", $2, $3, $4, $5
	}' "$out/compare-runs.csv"
	echo
	echo "The last run alone, as the module prints it:"
	cat "$out/compare"
	echo
	cat <<'EOF'
How to read it
  lat_*       dispatch latency: queue or wake call to the handler's first
              instruction, one item at a time (p50, p99: interpolated
              within the bucket of the module's log-linear histogram).
  create_ns   one creation and teardown: kthread_run+kthread_stop (kthread),
              kthread_create_worker+queue+flush+destroy (kthread_worker),
              INIT_WORK+queue_work+flush_work (workqueues).
  tput_*      empty items per second, from 1 and from n submitters (one per
              CPU; compare.csv has every count in between).
  block_*     M items that each sleep T ms, queued from one CPU: wall time
              and distinct tasks that ran them. cmwq starts another worker
              when one blocks, so the bound queues finish in about T; the
              ordered queue and the single kthread_worker serialise (M x T).
              block_lim_* is the same with max_active=limit_active.
  cpu_*       C items of S us of CPU work each (calibrated loop with
              cond_resched), queued from one CPU: wall time, peak
              concurrency, CPUs used, and cpu_probe_us: how long an empty
              system_wq item queued on that CPU right after them waits. A
              bound, concurrency-managed queue runs the hogs one at a time
              and the probe waits behind them in the CPU's shared pool;
              WQ_CPU_INTENSIVE (and, from 6.5, any hog past
              cpu_intensive_thresh_us) lets other work through; unbound
              spreads the hogs over the CPUs.
  late_*      delayed items (delayed_work, kthread_queue_delayed_work, a
              kthread sleeping until its time): time past delay_ms before
              the handler ran, including the rounding up to whole jiffies
              (HZ is in the table's header).
  xR          the figure divided by the kthread row's figure.
EOF
	echo
	echo "Files: $out/compare-runs.csv, $out/compare.csv (last run), $out/hist.csv"
	for p in "${plots[@]}"; do
		echo "Plot:  $p"
	done
} >"$out/report.txt"
cat "$out/report.txt"
mkdir -p "$KTD_TOP/scripts/results"
cp "$out/report.txt" "$KTD_TOP/scripts/results/sweep-compare.txt"
for p in dispatch_latency throughput; do
	[ -s "$out/$p.png" ] && cp "$out/$p.png" "$KTD_TOP/scripts/results/$p.png"
done

[ $vm_ok = 1 ] || ktd_die "the sweep VM run failed (logs in $out/vm)"
[ "$(awk '$1 == "state:" { print $2 }' "$out/status")" = "done" ] ||
	ktd_die "the sweep did not finish: $(tr '\n' ' ' <"$out/status")"
