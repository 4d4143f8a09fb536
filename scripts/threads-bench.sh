#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# User-level vs kernel-level threads, measured: one command, one table.
#
# usage: scripts/threads-bench.sh
#
# 1. Runs ultbench (scripts/ult/) on this machine (a virtual machine
#    itself, as a rule: its PLATFORM line says): user-level threads,
#    pthreads and processes, RUNS independent runs.
# 2. Boots Debian's own 6.1 kernel in QEMU once and, in that one boot, runs
#    ultbench again, kthread_demo's ping-pong (same CPU and across CPUs)
#    and workqueue_demo's create and latency benchmarks on kthread,
#    kthread_worker and a bound workqueue, each RUNS times. Guest times are
#    emulated (TCG).
# 3. Prints the platform lines, then one table: rows are operations, once
#    for the host and once for the guest; columns are user-level |
#    ucontext | pthread | process | kthread | kthread_worker | workqueue;
#    every cell is the median of the run medians with its ratio to the
#    user-level figure of its row, and the spread between runs under it.
#    Then each claim, HOLDS, FAILS, UNSTABLE or INCONCLUSIVE, decided by
#    the rules table of scripts/ult/bench_rules.c, quoted on its lines.
#    Last, each verdict against the last run's on this machine (the
#    results file this run replaces): REPEAT lines, UNSTABLE where a
#    decided verdict changed.
#
# Writes $KTD_OUT/threads/: table.txt (what is printed), rows.csv (every
# figure with its spread), threads.png, and the raw logs (host/, vm/,
# guest/); then copies table.txt and threads.png to scripts/results/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0"; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
[ $# -eq 0 ] || { usage >&2; exit 2; }

# What each side runs. The host part takes about 10 s; the guest's
# ultbench is cut down because TCG is slow.
RUNS=5				# independent runs of everything
HOST_ULT_ARGS="--samples 100 --runs $RUNS"
# sync, seed 002, fairness, lock holders; ultbench's default 120 s
# watchdog killed a run at load 6 per CPU
HOST_MODELS_ARGS="--seed-runs 5 --timeout 900"
GUEST_ULT_ARGS="--samples 30 --block-reps 3 --par-reps 3 --work 4194304 --runs $RUNS --timeout 600"
WQ_MECH=wq_percpu		# the workqueue column: alloc_workqueue(0)
CREATE_RUNS=$RUNS		# workqueue_demo create runs
CREATE_LOOPS=10			# creations per run (the run reports their mean)
LAT_ITEMS=200			# dispatch latency samples per mechanism and run
PP_SECS=2			# kthread ping-pong seconds per placement and run
VM_TIMEOUT=1200

out=$KTD_OUT/threads
csv=$out/rows.csv

# ---- 1. host ---------------------------------------------------------------

run_host() {
	local ult
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	mkdir -p "$out/host"
	ktd_log "host: ultbench $HOST_ULT_ARGS (about a minute)"
	# shellcheck disable=SC2086 # the arguments are words
	timeout -k 5 600 "$ult" $HOST_ULT_ARGS >"$out/host/ultbench.txt" \
		2>"$out/host/ultbench.err" ||
		ktd_die "ultbench failed on the host (see $out/host/)"
	ktd_log "host: ultbench --models $HOST_MODELS_ARGS (M:1, M:N, 1:1, processes)"
	# shellcheck disable=SC2086 # the arguments are words
	timeout -k 5 600 "$ult" --models $HOST_MODELS_ARGS >"$out/host/models.txt" \
		2>"$out/host/models.err" ||
		ktd_die "ultbench --models failed on the host (see $out/host/)"
}

# ---- 2. guest --------------------------------------------------------------

run_guest() {
	local distro=$1 ult mods
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	ktd_log "building the modules for Debian $distro"
	mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
	{
		echo "ULT_ARGS='$GUEST_ULT_ARGS'"
		echo "PP_SECS=$PP_SECS CREATE_RUNS=$CREATE_RUNS CREATE_LOOPS=$CREATE_LOOPS RUNS=$RUNS"
		echo "LAT_ITEMS=$LAT_ITEMS MECHS='kthread kthread_worker $WQ_MECH'"
		echo ". /threads-bench.sh"
	} >"$out/job.sh"
	ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs, 1G; about 6 min)"
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
#   where      host or guest
#   median     the median of the runs' figures; lo..hi the lowest and
#              highest run (spread "runs"); n the number of runs

# ultbench's ROW lines, mapped to the table's operations and columns.
ult_rows() {
	local file=$1 where=$2
	[ -s "$file" ] || return 0
	awk -v w="$where" '
		BEGIN {
			op["create"] = "create"; op["pingpong_same_cpu"] = "pp_same"
			op["pipe_pingpong_same_cpu"] = "pipe_same"
			op["pingpong_cross_cpu"] = "pp_cross"; op["block_gap"] = "block_gap"
			col["ult"] = "user-level"; col["ult_uctx"] = "ucontext"
			col["pthread"] = "pthread"; col["process"] = "process"
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
			printf "%s,%s,%s,%s,%s,%s,runs,ns,%s\n", w, op[$2], col[$3],
				kv["median_ns"], kv["run_lo_ns"], kv["run_hi_ns"], kv["runs"]
		}' "$file"
}

# runs_rows WHERE OP: stdin has "column value" lines, one per run; out, a
# rows.csv line per column (median of the runs, lowest, highest, count).
runs_rows() {
	awk -v w="$1" -v op="$2" '
		$2 != "" && $2 > 0 { n[$1]++; v[$1, n[$1]] = $2 + 0 }
		END {
			for (m in n) {
				k = n[m]
				for (i = 1; i <= k; i++) a[i] = v[m, i]
				for (i = 2; i <= k; i++)	# insertion sort
					for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
						t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
					}
				med = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
				printf "%s,%s,%s,%s,%s,%s,runs,ns,%d\n", w, op, m, med, a[1], a[k], k
			}
		}'
}

# kthread_demo's ping-pong round trip: each run's p50 (interpolated
# within its histogram bucket).
kthread_pp_rows() {
	local place=$1 prefix=$2 op=$3 f
	for f in "$out/guest/pingpong.$place".*; do
		[ -s "$f" ] || continue
		awk -v p="$prefix" '$1 == p "p50_ns:" { print "kthread", $2 }' "$f"
	done | runs_rows guest "$op"
}

# workqueue_demo: each run's create_ns (the mean of CREATE_LOOPS
# creations) and dispatch latency p50.
wqd_rows() {
	local g=$out/guest prog
	# shellcheck disable=SC2016 # an awk program
	prog='BEGIN { col["kthread"] = "kthread"; col["kthread_worker"] = "kthread_worker"
		col[wq] = "workqueue" }
		$2 == key && ($1 in col) { print col[$1], $3 }'
	cat "$g"/create.* 2>/dev/null | awk -F, -v wq="$WQ_MECH" -v key=create_ns "$prog" |
		runs_rows guest create
	cat "$g"/latency.* 2>/dev/null | awk -F, -v wq="$WQ_MECH" -v key=lat_p50_ns "$prog" |
		runs_rows guest dispatch
}

collect_rows() {
	{
		echo "where,operation,column,median,lo,hi,spread,unit,n"
		ult_rows "$out/host/ultbench.txt" host
		ult_rows "$out/guest/ultbench" guest
		kthread_pp_rows same rtt_same_cpu_ pp_same
		kthread_pp_rows cross rtt_cross_cpu_ pp_cross
		wqd_rows
	} >"$csv"
}

# platform_kv FILE KEY: a key=value of FILE's PLATFORM line, unquoted.
platform_kv() {
	[ -s "$1" ] || return 0
	sed -n 's/^PLATFORM //p' "$1" | head -n 1 |
		grep -o "$2=\(\"[^\"]*\"\|[^ ]*\)" | head -n 1 | sed "s/^$2=//; s/\"//g"
}

# ---- 3. the table -------------------------------------------------------------

print_table() {
	awk -F, -v hname="$(platform_kv "$out/host/ultbench.txt" where)" '
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
			ncol = split("user-level ucontext pthread process kthread kthread_worker workqueue", cols, " ")
			nop = split("create pp_same pipe_same pp_cross dispatch block_gap speedup", ops, " ")
			label["create"] = "create+finish/join/wait/stop"
			label["pp_same"] = "ping-pong same CPU (round trip)"
			label["pipe_same"] = "pipe ping-pong same CPU"
			label["pp_cross"] = "ping-pong cross CPU"
			label["dispatch"] = "wake-to-run dispatch (p50)"
			label["block_gap"] = "blocking gap (longest stall)"
			label["speedup"] = "parallel speedup (N threads)"
			nw = split("host guest", wheres, " ")
			wname["host"] = hname == "" ? "host" : hname
			wname["guest"] = "QEMU TCG guest"
			LW = 32; WW = 28; CW = 19
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
							cell = (c <= 2 && op ~ /cross/) ? "n/a (M:1)" : "-"
						else if (base in med && med[base] > 0)
							cell = fmt(med[k], unit[k]) " (" fmt_ratio(med[k] / med[base]) ")"
						else
							cell = fmt(med[k], unit[k])
						printf "%-" CW "s", cell
					}
					printf "\n"
					# the spread between runs, if any cell has one
					line = ""
					for (c = 1; c <= ncol; c++) {
						k = w SUBSEP op SUBSEP cols[c]
						cell = (k in med) && lo[k] != "" ? fmt(lo[k], "ns") ".." fmt(hi[k], "ns") : ""
						line = line sprintf("%-" CW "s", cell)
					}
					if (line ~ /[^ ]/)
						printf "%-" LW "s%-" WW "s%s\n", "", "  runs", line
				}
			}
		}' "$csv" | sed 's/ *$//'
}

print_legend() {
	cat <<EOF

Each cell: the median over $RUNS independent runs of each run's median
(xR = the cell / the user-level figure of the same row and place); under
it, "runs": the lowest..highest run. '-' = does not apply or not
measured. The host is this machine, named by its PLATFORM line above
(virtualised unless it says bare metal); "QEMU TCG guest" is one boot of
Debian's 6.1 kernel under TCG: emulated time, compare ratios within a
row only.
  user-level       many-to-one threads of scripts/ult (assembly switch)
  ucontext         the same library switching with glibc's swapcontext,
                   which also saves and restores the signal mask: a
                   rt_sigprocmask system call per switch
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
Per run: ultbench's median of its samples (each the mean of a batch),
its percentiles exact (interpolated between order statistics); kthread
ping-pong and dispatch the p50 of every round trip or item ($LAT_ITEMS
per run), interpolated within its histogram bucket; kernel create the
mean of $CREATE_LOOPS creations.
blocking gap: a sibling's longest stall while one thread read()s an empty
pipe for 200 ms. Parallel speedup: best 1-thread / best N-thread time.
Every figure is in rows.csv.
EOF
}

# ---- claims --------------------------------------------------------------------

# rule_runs FILE RULE: the runs=... values of a RULE line, space-separated.
rule_runs() {
	[ -s "$1" ] || return 0
	awk -v id="$2" '$1 == "RULE" && $2 == id {
		for (i = 3; i <= NF; i++) if (index($i, "runs=") == 1) print substr($i, 6)
	}' "$1" | tr ',' ' '
}

# claim_block FILE ID: ultbench's CLAIM line for ID, its RULE lines and
# the words under them.
claim_block() {
	[ -s "$1" ] || { echo "CLAIM $2 not measured"; return 0; }
	awk -v id="$2" '
		$1 == "CLAIM" { on = ($2 == id) }
		on && /^$/ { exit }
		on' "$1"
}

# csv_med WHERE OP COLUMN: the median from rows.csv, or nothing.
csv_med() {
	awk -F, -v w="$1" -v o="$2" -v c="$3" '$1 == w && $2 == o && $3 == c { print $4 }' "$csv"
}

# Claim (a): the host's three rules and the kernel side from the guest
# (each kthread run over the guest's ULT median, same boot), judged
# together by the rules table (ultbench --judge).
claim_a() {
	local h=$out/host/ultbench.txt ult uc up r f
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	uc=$(csv_med guest create user-level) up=$(csv_med guest pp_same user-level)
	{
		echo "LOAD $(platform_kv "$h" load_per_cpu)"
		for r in a.switch_vs_call a.create_ratio a.pingpong_ratio; do
			echo "VALUE $r $(rule_runs "$h" "$r")"
		done
		printf 'VALUE a.kthread_create_ratio'
		cat "$out/guest"/create.* 2>/dev/null | awk -F, -v u="$uc" '
			$1 == "kthread" && $2 == "create_ns" && u > 0 { printf " %.4g", $3 / u }'
		printf '\nVALUE a.kthread_pingpong_ratio'
		for f in "$out/guest"/pingpong.same.*; do
			[ -s "$f" ] || continue
			awk -v u="$up" '$1 == "rtt_same_cpu_p50_ns:" && u > 0 { printf " %.4g", $2 / u }' "$f"
		done
		echo
	} | "$ult" --judge
	claim_block "$h" a | sed -n '/^    (a)/,$p'
	echo "    kthread rules: each guest run's kthread figure over the guest's ULT"
	echo "    median (create ${uc:-?} ns, ping-pong ${up:-?} ns)"
	echo "    guest (TCG), ultbench's own (a): $(claim_block "$out/guest/ultbench" a | head -n 1)"
}

# Claims (b), (c), (d), (d_tlb): ultbench's own judgement of the host
# runs, with the guest's verdict for comparison.
claim_host() {
	claim_block "$out/host/ultbench.txt" "$1"
	echo "    guest (TCG), same rules, the guest's own load: $(claim_block "$out/guest/ultbench" "$1" | head -n 1)"
}

print_claims() {
	local id
	echo
	echo "Claims: verdicts on this machine's runs ((a) adds the kernel side from"
	echo "the guest); each RULE line quotes scripts/ult/bench_rules.c"
	echo "---------------------------------------------------------------------"
	claim_a
	for id in b b_ult_read c d d_tlb; do
		echo
		claim_host "$id"
	done
}

# The working-set sweep of claim (d), from the host's ultbench.
print_ws() {
	[ -s "$out/host/ultbench.txt" ] || return 0
	echo
	awk '/^working-set sweep/ { on = 1 } on && /^$/ { exit } on' "$out/host/ultbench.txt"
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
	local distro vm_ok=1 t0=$SECONDS
	ktd_deps
	ktd_need gnuplot-nox
	distro=$(ktd_distro_kver)
	rm -rf "$out"
	mkdir -p "$out"
	# the last run's table, for ktd_repeat, if it ran on this machine
	if grep -qF "host:  $("$("$KTD_TOP/scripts/ult-bench.sh" --build-only)" --platform |
		sed 's/ kernel=.*//')" "$KTD_TOP/scripts/results/threads-table.txt" 2>/dev/null; then
		cp "$KTD_TOP/scripts/results/threads-table.txt" "$out/prev-table.txt"
	fi

	# The host's PLATFORM line holds the load average before the runs:
	# above 0.5 per CPU, every verdict is INCONCLUSIVE.
	run_host
	run_guest "$distro" || vm_ok=0
	# Seed 001's example with scheduler activations: a boot of its own
	# (ktd_activations.ko, CPU 1 offline inside), its table appended.
	ktd_log "scheduler activations: scripts/activations-bench.sh (a few minutes)"
	"$KTD_TOP/scripts/activations-bench.sh" >"$out/activations.log" 2>&1 ||
		ktd_log "activations-bench failed (see $out/activations.log)"
	cut_sections
	collect_rows
	{
		echo "User-level vs kernel-level threads, $RUNS runs; $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "host:  $(grep -m1 '^PLATFORM ' "$out/host/ultbench.txt")"
		echo "guest: $(grep -m1 '^PLATFORM ' "$out/guest/ultbench" 2>/dev/null ||
			echo "not measured") (Debian $distro, QEMU $(qemu-system-x86_64 --version |
			sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG, 2 vCPUs)"
		echo
		print_table
		print_legend
		print_ws
		print_claims
		echo
		echo "Thread models on the host (ultbench --models $HOST_MODELS_ARGS): rows are"
		echo "operations, columns models; ROW lines are in host/models.txt"
		grep -v '^ROW \|^INFO ' "$out/host/models.txt"
		echo
		cat "$KTD_OUT/activations/table.txt" 2>/dev/null ||
			echo "Scheduler activations: not measured (see $out/activations.log)"
	} >"$out/table.txt"
	ktd_repeat "$out/prev-table.txt" "$out/table.txt" scripts/results/threads-table.txt \
		>>"$out/table.txt"
	plot
	cat "$out/table.txt"
	echo
	mkdir -p "$KTD_TOP/scripts/results"
	cp "$out/table.txt" "$KTD_TOP/scripts/results/threads-table.txt"
	"$("$KTD_TOP/scripts/ult-bench.sh" --build-only)" --rules >"$KTD_TOP/scripts/results/claim-rules.txt"
	[ -s "$out/threads.png" ] && cp "$out/threads.png" "$KTD_TOP/scripts/results/threads.png"
	echo "Files: $out/table.txt, $csv, $out/threads.png, copied to scripts/results/ ($((SECONDS - t0)) s)"

	[ $vm_ok = 1 ] || ktd_die "the guest run failed (logs in $out/vm)"
	local s
	for s in ultbench pingpong.same.1 pingpong.cross.1 create.1 latency.1; do
		[ -s "$out/guest/$s" ] || ktd_die "the guest printed no $s (logs in $out/vm)"
	done
}

main
