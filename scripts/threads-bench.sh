#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# User-level vs kernel-level threads, measured: one command, one table.
#
# usage: scripts/threads-bench.sh
#
# 1. Runs ultbench (scripts/ult/) natively on this machine: user-level
#    threads, pthreads and processes, real timings.
# 2. Boots Debian's own 6.1 kernel in QEMU once and, in that one boot, runs
#    ultbench again, kthread_demo's ping-pong (same CPU and across CPUs)
#    and workqueue_demo's create and latency benchmarks on kthread,
#    kthread_worker and a bound workqueue. Guest times are emulated (TCG).
# 3. Prints one table: rows are operations, once for the host and once for
#    the guest; columns are user-level | pthread | process | kthread |
#    kthread_worker | workqueue; every cell shows its ratio to the
#    user-level figure of its row. Then each claim of the issue is labelled
#    HOLDS, DOES NOT HOLD or INCONCLUSIVE with the numbers that decide it.
#
# Writes $KTD_OUT/threads/: table.txt (what is printed), rows.csv (every
# figure with its spread), threads.png, and the raw logs (host/, vm/,
# guest/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0"; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
[ $# -eq 0 ] || { usage >&2; exit 2; }

# What each side runs. The host part takes about 10 s; the guest's
# ultbench is cut down because TCG is slow.
HOST_ULT_ARGS="--samples 100"
GUEST_ULT_ARGS="--samples 30 --block-reps 3 --par-reps 3 --work 4194304 --timeout 150"
WQ_MECH=wq_percpu		# the workqueue column: alloc_workqueue(0)
CREATE_RUNS=15			# workqueue_demo create runs (median, p10..p90)
CREATE_LOOPS=10			# creations per run (the run reports their mean)
LAT_ITEMS=200			# dispatch latency samples per mechanism
PP_SECS=3			# kthread ping-pong seconds per placement
VM_TIMEOUT=300

out=$KTD_OUT/threads
csv=$out/rows.csv

# ---- 1. host ---------------------------------------------------------------

run_host() {
	local ult
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	mkdir -p "$out/host"
	ktd_log "host: ultbench $HOST_ULT_ARGS (real timings, about 10 s)"
	# shellcheck disable=SC2086 # the arguments are words
	timeout -k 5 120 "$ult" $HOST_ULT_ARGS >"$out/host/ultbench.txt" \
		2>"$out/host/ultbench.err" ||
		ktd_die "ultbench failed on the host (see $out/host/)"
}

# ---- 2. guest --------------------------------------------------------------

run_guest() {
	local distro=$1 ult mods
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	ktd_log "building the modules for Debian $distro"
	mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
	{
		echo "ULT_ARGS='$GUEST_ULT_ARGS'"
		echo "PP_SECS=$PP_SECS CREATE_RUNS=$CREATE_RUNS CREATE_LOOPS=$CREATE_LOOPS"
		echo "LAT_ITEMS=$LAT_ITEMS MECHS='kthread kthread_worker $WQ_MECH'"
		echo ". /threads-bench.sh"
	} >"$out/job.sh"
	ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs, 1G; about 2 min)"
	ktd_vm -t "$VM_TIMEOUT" -m 1G "/boot/vmlinuz-$distro" "$out/vm" "$out/job.sh" \
		"$KTD_TOP/scripts/jobs/threads-bench.sh" "$ult" "$mods/kthread_demo.ko" \
		"$mods/workqueue_demo.ko"
}

# Cut the framed sections out of the guest's output into guest/<name>.
cut_sections() {
	mkdir -p "$out/guest"
	[ -f "$out/vm/guest.log" ] || return 0
	awk -v dir="$out/guest" '
		/^KTD-THREADS-BEGIN / { file = dir "/" $2; printf "" > file; next }
		/^KTD-THREADS-END$/ { close(file); file = ""; next }
		file != "" { print > file }
	' "$out/vm/guest.log"
}

# ---- rows.csv: one line per figure ------------------------------------------
# where,operation,column,median,lo,hi,spread,unit,n
#   where      host (real) or guest (TCG)
#   median     the figure; lo..hi its spread, of the kind named in spread

# ultbench's ROW lines, mapped to the table's operations and columns.
ult_rows() {
	local file=$1 where=$2
	[ -s "$file" ] || return 0
	awk -v w="$where" '
		BEGIN {
			op["create"] = "create"; op["pingpong_same_cpu"] = "pp_same"
			op["pipe_pingpong_same_cpu"] = "pipe_same"
			op["pingpong_cross_cpu"] = "pp_cross"; op["block_gap"] = "block_gap"
			col["ult"] = "user-level"; col["pthread"] = "pthread"
			col["process"] = "process"
		}
		$1 != "ROW" || !($3 in col) { next }
		{
			delete kv
			for (i = 4; i <= NF; i++) {
				split($i, a, "=")
				kv[a[1]] = a[2]
			}
		}
		$2 == "parallel_speedup" {
			printf "%s,speedup,%s,%s,,,-,x,%s\n", w, col[$3], kv["speedup"], kv["threads"]
			next
		}
		$2 in op {
			printf "%s,%s,%s,%s,%s,%s,p10-p90,ns,%s\n", w, op[$2], col[$3],
				kv["median_ns"], kv["p10_ns"], kv["p90_ns"], kv["n"]
		}' "$file"
}

# kthread_demo's ping-pong round trip: p50, spread min..p90.
kthread_pp_rows() {
	local file=$1 prefix=$2 op=$3
	[ -s "$file" ] || return 0
	awk -v p="$prefix" -v op="$op" '
		{ v[$1] = $2 }
		END {
			if (v[p "samples:"] > 0)
				printf "guest,%s,kthread,%s,%s,%s,min-p90,ns,%s\n", op,
					v[p "p50_ns:"], v[p "min_ns:"], v[p "p90_ns:"], v[p "samples:"]
		}' "$file"
}

# workqueue_demo: create_ns over the runs (median, p10..p90), and the
# dispatch latency (p50, spread p50..p99).
wqd_rows() {
	local g=$out/guest
	cat "$g"/create.* 2>/dev/null | awk -F, -v wq="$WQ_MECH" '
		BEGIN { col["kthread"] = "kthread"; col["kthread_worker"] = "kthread_worker"
			col[wq] = "workqueue" }
		$2 == "create_ns" && ($1 in col) { n[$1]++; v[$1, n[$1]] = $3 + 0 }
		END {
			for (m in n) {
				k = n[m]
				for (i = 1; i <= k; i++) a[i] = v[m, i]
				for (i = 2; i <= k; i++)	# insertion sort
					for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
						t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
					}
				# the ranks ultbench uses, 1-based here
				printf "guest,create,%s,%s,%s,%s,p10-p90 of runs,ns,%d\n",
					col[m], a[int(k / 2) + 1], a[int(k * 10 / 100) + 1],
					a[int(k * 90 / 100) + 1], k
			}
		}'
	[ -s "$g/latency" ] || return 0
	awk -F, -v wq="$WQ_MECH" -v items="$LAT_ITEMS" '
		BEGIN { col["kthread"] = "kthread"; col["kthread_worker"] = "kthread_worker"
			col[wq] = "workqueue" }
		$2 == "lat_p50_ns" && ($1 in col) { p50[$1] = $3 }
		$2 == "lat_p99_ns" && ($1 in col) { p99[$1] = $3 }
		END {
			for (m in p50)
				printf "guest,dispatch,%s,%s,%s,%s,p50-p99,ns,%s\n",
					col[m], p50[m], p50[m], p99[m], items
		}' "$g/latency"
}

collect_rows() {
	{
		echo "where,operation,column,median,lo,hi,spread,unit,n"
		ult_rows "$out/host/ultbench.txt" host
		ult_rows "$out/guest/ultbench" guest
		kthread_pp_rows "$out/guest/pingpong.same" rtt_same_cpu_ pp_same
		kthread_pp_rows "$out/guest/pingpong.cross" rtt_cross_cpu_ pp_cross
		wqd_rows
	} >"$csv"
}

# ---- 3. the table -------------------------------------------------------------

print_table() {
	awk -F, '
		function fmt(v, unit) {
			if (v == "") return "-"
			if (unit == "x") return sprintf("%.2fx", v)
			if (v < 1e3) return sprintf("%.1fns", v)
			if (v < 1e6) return sprintf("%.2fus", v / 1e3)
			if (v < 1e9) return sprintf("%.2fms", v / 1e6)
			return sprintf("%.2fs", v / 1e9)
		}
		function fmt_ratio(r) {
			if (r >= 10) return sprintf("x%.0f", r)
			if (r >= 0.1) return sprintf("x%.2f", r)
			return sprintf("x%.2g", r)
		}
		NR == 1 { next }
		{ key = $1 SUBSEP $2 SUBSEP $3; med[key] = $4; lo[key] = $5; hi[key] = $6
		  unit[key] = $8 }
		END {
			ncol = split("user-level pthread process kthread kthread_worker workqueue", cols, " ")
			nop = split("create pp_same pipe_same pp_cross dispatch block_gap speedup", ops, " ")
			label["create"] = "create+finish/join/wait/stop"
			label["pp_same"] = "ping-pong same CPU (round trip)"
			label["pipe_same"] = "pipe ping-pong same CPU"
			label["pp_cross"] = "ping-pong cross CPU"
			label["dispatch"] = "wake-to-run dispatch (p50)"
			label["block_gap"] = "blocking gap (longest stall)"
			label["speedup"] = "parallel speedup (N threads)"
			nw = split("host guest", wheres, " ")
			wname["host"] = "host real"; wname["guest"] = "guest TCG"
			LW = 32; WW = 10; CW = 19
			printf "%-" LW "s%-" WW "s", "operation", "where"
			for (c = 1; c <= ncol; c++) printf "%-" CW "s", cols[c]
			printf "\n"
			for (o = 1; o <= nop; o++) {
				op = ops[o]
				for (x = 1; x <= nw; x++) {
					w = wheres[x]
					base = w SUBSEP op SUBSEP "user-level"
					printf "%-" LW "s%-" WW "s", x == 1 ? label[op] : "", wname[w]
					for (c = 1; c <= ncol; c++) {
						k = w SUBSEP op SUBSEP cols[c]
						if (!(k in med))
							cell = (c == 1 && op ~ /cross/) ? "n/a (M:1)" : "-"
						else if (base in med && med[base] > 0)
							cell = fmt(med[k], unit[k]) " (" fmt_ratio(med[k] / med[base]) ")"
						else
							cell = fmt(med[k], unit[k])
						printf "%-" CW "s", cell
					}
					printf "\n"
					# the spread line, if any cell has one
					line = ""
					for (c = 1; c <= ncol; c++) {
						k = w SUBSEP op SUBSEP cols[c]
						cell = (k in med) && lo[k] != "" ? fmt(lo[k], "ns") ".." fmt(hi[k], "ns") : ""
						line = line sprintf("%-" CW "s", cell)
					}
					if (line ~ /[^ ]/)
						printf "%-" LW "s%-" WW "s%s\n", "", "  spread", line
				}
			}
		}' "$csv" | sed 's/ *$//'
}

print_legend() {
	cat <<EOF

Each cell: median (xR), R = the cell / the user-level figure of the same
row and place; '-' = does not apply or not measured. "host real" runs
natively on this machine; "guest TCG" runs in one boot of Debian's 6.1
kernel under QEMU TCG: emulated time, compare ratios within a row only.
  user-level       many-to-one threads of scripts/ult (assembly switch)
  pthread          1:1 threads; ping-pong through a futex
  process          fork+wait; ping-pong through a shared futex (pipe row:
                   a pipe pair)
  kthread          create: kthread_run+kthread_stop; ping-pong: two
                   kthread_demo threads passing a token through wait queues
                   (bind=0 same CPU, bind=spread cross CPU); dispatch: a
                   fresh kthread from wake_up_process to its first line
  kthread_worker   create: kthread_create_worker+queue+flush+destroy;
                   dispatch: kthread_queue_work to the work function
  workqueue        $WQ_MECH (alloc_workqueue(0), bound per-CPU pools).
                   create: INIT_WORK+queue_work+flush_work (no thread is
                   created: the pool's workers already exist); dispatch:
                   queue_work to the work function
spread: ultbench p10..p90 of its samples (each sample the mean of a
batch); kthread ping-pong min..p90 of every round trip; create of kernel
mechanisms p10..p90 of $CREATE_RUNS runs (each the mean of $CREATE_LOOPS
creations); dispatch p50..p99 of $LAT_ITEMS items. Kernel percentiles come
from log-linear histograms: bucket upper bounds, up to 12.5% high.
blocking gap: a sibling's longest stall while one thread read()s an empty
pipe for 200 ms. Parallel speedup: best 1-thread / best N-thread time.
Every figure is in rows.csv.
EOF
}

# ---- claims --------------------------------------------------------------------

# claim_kv FILE ID KEY: a key=value from the CLAIM ID line of FILE.
claim_kv() {
	[ -s "$1" ] || return 0
	awk -v id="$2" -v k="$3" '$1 == "CLAIM" && $2 == id {
		for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2)
	}' "$1"
}

# claim_verdict FILE ID: HOLDS, DOES NOT HOLD or INCONCLUSIVE.
claim_verdict() {
	[ -s "$1" ] || { echo "not measured"; return 0; }
	sed -n "s/^CLAIM $2 \(HOLDS\|DOES NOT HOLD\|INCONCLUSIVE\) .*/\1/p" "$1"
}

# claim_text FILE ID: ultbench's rule and numbers for claim ID.
claim_text() {
	awk -v id="($2)" '
		index($0, id " ") == 1 { on = 1 }
		on && /^ *=> / { on = 0; next }
		on' "$1"
}

# csv_med WHERE OP COLUMN: the median from rows.csv, or nothing.
csv_med() {
	awk -F, -v w="$1" -v o="$2" -v c="$3" '$1 == w && $2 == o && $3 == c { print $4 }' "$csv"
}

# Claim (a): ultbench's host verdict (ULT switch vs a call, pthread vs ULT)
# plus the kernel side from the guest: kthread vs ULT, same boot.
claim_a() {
	local h=$out/host/ultbench.txt host_v kc uc kp up verdict
	host_v=$(claim_verdict "$h" a)
	kc=$(csv_med guest create kthread) uc=$(csv_med guest create user-level)
	kp=$(csv_med guest pp_same kthread) up=$(csv_med guest pp_same user-level)
	verdict=$(awk -v hv="$host_v" -v kc="$kc" -v uc="$uc" -v kp="$kp" -v up="$up" 'BEGIN {
		if (kc == "" || uc == "" || kp == "" || up == "" || hv == "not measured") {
			print "INCONCLUSIVE"; exit
		}
		print (hv == "HOLDS" && kc / uc >= 100 && kp / up >= 100) ? "HOLDS" : "DOES NOT HOLD"
	}')
	echo "CLAIM a $verdict"
	echo "(a) \"User-level thread operations are as fast as a procedure call; kernel"
	echo "    thread operations are hundreds of times slower.\""
	echo "    rule: ultbench's host rule (one ULT switch <= 10x an indirect call;"
	echo "    pthread create+join and same-CPU ping-pong >= 100x ULT) AND, in the"
	echo "    guest, kthread create+stop and kthread ping-pong each >= 100x the ULT"
	echo "    figure of the same boot."
	awk -v sw="$(claim_kv "$h" a switch_ns)" -v call="$(claim_kv "$h" a call_ns)" \
		-v cr="$(claim_kv "$h" a create_ratio)" -v pp="$(claim_kv "$h" a pingpong_ratio)" \
		-v hv="$host_v" -v kc="$kc" -v uc="$uc" -v kp="$kp" -v up="$up" 'BEGIN {
		printf "    host (real):  ULT switch %.1fns = %.1fx a %.1fns call; pthread create\n", sw, sw / call, call
		printf "                  %.0fx ULT, ping-pong %.0fx ULT => %s\n", cr, pp, hv
		if (kc != "" && uc != "")
			printf "    guest (TCG):  kthread create+stop %.2fus = %.0fx ULT create (%.1fns)\n", kc / 1e3, kc / uc, uc
		if (kp != "" && up != "")
			printf "                  kthread ping-pong %.2fus = %.0fx ULT ping-pong (%.1fns)\n", kp / 1e3, kp / up, up
		if (kc != "" && uc != "" && kp != "" && up != "")
			printf "                  => %s\n", (kc / uc >= 100 && kp / up >= 100) ? "both >= 100x" : "below 100x"
	}'
	echo "    guest (TCG), ultbench's rule alone: $(claim_verdict "$out/guest/ultbench" a)"
	echo "    => (a) $verdict"
}

# Claims (b), (c), (d): ultbench's own verdicts from the host run, with the
# guest's for comparison.
claim_host() {
	local id=$1 h=$out/host/ultbench.txt g=$out/guest/ultbench
	echo "CLAIM $id $(claim_verdict "$h" "$id")"
	claim_text "$h" "$id"
	echo "    guest (TCG), same rule: $(claim_verdict "$g" "$id")"
	echo "    => ($id) $(claim_verdict "$h" "$id")"
}

print_claims() {
	echo
	echo "Claims (verdicts on the host's real timings; (a) adds the kernel side"
	echo "from the guest)"
	echo "---------------------------------------------------------------------"
	claim_a
	local id
	for id in b c d; do
		echo
		claim_host "$id"
	done
}

# ---- plot ------------------------------------------------------------------------

# threads.dat: per column, create and same-CPU switch, host and guest, in us.
plot() {
	awk -F, '
		NR > 1 && ($2 == "create" || $2 == "pp_same") { v[$3, $1, $2] = $4 / 1e3 }
		END {
			n = split("user-level pthread process kthread kthread_worker workqueue", cols, " ")
			print "column host_create guest_create host_switch guest_switch"
			for (c = 1; c <= n; c++) {
				printf "%s", cols[c]
				split("host,create guest,create host,pp_same guest,pp_same", ks, " ")
				for (i = 1; i <= 4; i++) {
					split(ks[i], wo, ",")
					k = cols[c] SUBSEP wo[1] SUBSEP wo[2]
					printf " %s", (k in v) ? v[k] : "-"
				}
				printf "\n"
			}
		}' "$csv" >"$out/threads.dat"
	gnuplot -e "datafile='$out/threads.dat'" "$KTD_TOP/scripts/threads-bench.gnuplot" \
		>"$out/threads.png" 2>"$out/gnuplot.log" ||
		ktd_log "gnuplot failed (see $out/gnuplot.log)"
}

# ---- main -------------------------------------------------------------------------

main() {
	local distro vm_ok=1 t0=$SECONDS load
	ktd_deps
	ktd_need gnuplot-nox
	distro=$(ktd_distro_kver)
	rm -rf "$out"
	mkdir -p "$out"

	# Other work on the host skews its timings (and can leave no idle CPU
	# for claim (c)): say how busy it was.
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	run_host
	run_guest "$distro" || vm_ok=0
	cut_sections
	collect_rows
	{
		echo "User-level vs kernel-level threads: $(uname -r) host ($(nproc) CPUs, load"
		echo "average $load before the run),"
		echo "guest: Debian $distro under QEMU TCG, 2 vCPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo
		print_table
		print_legend
		print_claims
	} >"$out/table.txt"
	plot
	cat "$out/table.txt"
	echo
	echo "Files: $out/table.txt, $csv, $out/threads.png ($((SECONDS - t0)) s)"

	[ $vm_ok = 1 ] || ktd_die "the guest run failed (logs in $out/vm)"
	local s
	for s in ultbench pingpong.same pingpong.cross create.1 latency; do
		[ -s "$out/guest/$s" ] || ktd_die "the guest printed no $s (logs in $out/vm)"
	done
}

main
