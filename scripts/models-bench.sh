#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The thread models side by side (ultbench --models: M:1, M:N, 1:1 and
# processes; seed 002's performance table with each row's measured winner
# beside the seed's, seed 001's fairness claim, lock-holder preemption),
# on this machine and in Debian's own 6.1 kernel under QEMU.
#
# usage: scripts/models-bench.sh [-r GUEST.LOG] [host|guest|both]
#
#   host   ultbench --models $HOST_ARGS here (about a minute)
#   guest  one boot of Debian's 6.1 kernel (QEMU TCG, 2 vCPUs, 2 GiB) that
#          runs ultbench --models $GUEST_ARGS, cut down for TCG: 3 runs a
#          cell, 30 samples, processes for K <= 100 (the results file
#          says so); 5 to 20 minutes, as busy as the host is
#   both   (default) the two, one after the other
#   -r     no boot: the guest part from the guest.log of an earlier run
#
# Writes $KTD_OUT/models/ (host.txt, guest.txt: ultbench's stdout; *.err,
# vm/) and scripts/results/models-host.txt, models-guest.txt: a header
# saying what ran where, then ultbench's stdout verbatim (PLATFORM line
# first). Prints each part's PLATFORM line and seed 002's winners, then,
# into scripts/results/models-winners.txt too, the winners of both places
# side by side: DIFFERS where a measured winner is not the seed's, and
# where host and guest disagree. Each results file ends with REPEAT lines:
# its verdicts against the file it replaced (ktd_repeat).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [-r GUEST.LOG] [host|guest|both]"
reuse=""
while getopts "r:h" opt; do
	case $opt in
	r) reuse=$(realpath "$OPTARG") ;;
	h) echo "$usage"; exit 0 ;;
	*) ktd_die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
what=${1:-both}
case $what in
host | guest | both) ;;
*) ktd_die "$usage" ;;
esac
[ $# -le 1 ] || ktd_die "$usage"

# scripts/threads-bench.sh's host run, with room for a busy host (the
# watchdog's default, 120 s, was not enough at a load of 5 per CPU).
HOST_ARGS="--seed-runs 5 --timeout 900"
# The guest's cut for TCG, which runs this code 10-50x slower: 3 runs a
# cell, fewer samples, processes for K <= 100 only. 2 GiB, because 1 GiB
# gives a threads-max of 7589: 10000 pthreads could not start.
GUEST_KS=10,100,1000,10000
GUEST_RUNS=3
GUEST_MEM=2G
GUEST_ARGS="--samples 30 --block-reps 3 --sync-reps 5 --seed-runs $GUEST_RUNS --io-k $GUEST_KS --io-ms 200 --io-proc-max 100 --timeout 1500"
VM_TIMEOUT=1800

out=$KTD_OUT/models
results=$KTD_TOP/scripts/results
mkdir -p "$out" "$results"

# keep_prev NAME: a copy of scripts/results/models-NAME.txt, the last run's,
# for ktd_repeat (written below the new one by repeat NAME).
keep_prev() {
	rm -f "$out/prev-$1.txt"
	[ ! -s "$results/models-$1.txt" ] || cp "$results/models-$1.txt" "$out/prev-$1.txt"
}

# repeat NAME: append the REPEAT lines to models-NAME.txt, against the
# last run's if that ran on the same kind of machine (its PLATFORM line
# up to the kernel, and the same arguments).
repeat() {
	local new=$results/models-$1.txt prev=$out/prev-$1.txt
	if [ -s "$prev" ] && { [ "$(head -1 "$prev")" != "$(head -1 "$new")" ] ||
		[ "$(grep -m1 '^PLATFORM ' "$prev" | sed 's/ kernel=.*//')" != \
			"$(grep -m1 '^PLATFORM ' "$new" | sed 's/ kernel=.*//')" ]; }; then
		rm -f "$prev"
	fi
	ktd_repeat "$prev" "$new" "scripts/results/models-$1.txt" >>"$new"
}

# header WHERE ARGS: the lines that open a results file.
header() {
	echo "# ultbench --models $2"
	echo "# $1; $(date -u '+%Y-%m-%d %H:%M UTC'); written by scripts/models-bench.sh"
	echo "# from ultbench's stdout, verbatim below (ROW lines hold every figure)."
}

run_host() {
	local ult
	ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
	ktd_log "host: ultbench --models $HOST_ARGS (about a minute)"
	# shellcheck disable=SC2086 # the arguments are words
	timeout -k 5 900 "$ult" --models $HOST_ARGS >"$out/host.txt" 2>"$out/host.err" ||
		ktd_die "ultbench --models failed on the host (see $out/host.err)"
	keep_prev host
	{
		header "this machine, $(nproc) CPUs (its PLATFORM line says what it is)" "$HOST_ARGS"
		cat "$out/host.txt"
	} >"$results/models-host.txt"
	repeat host
}

run_guest() {
	local distro ult
	distro=$(ktd_distro_kver)
	if [ -n "$reuse" ]; then
		mkdir -p "$out/vm"
		cp "$reuse" "$out/vm/guest.log"
	else
		ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only)
		echo "MODELS_ARGS='$GUEST_ARGS'" >"$out/job.sh"
		echo ". /models-bench.sh" >>"$out/job.sh"
		ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs, $GUEST_MEM): ultbench --models $GUEST_ARGS"
		ktd_vm -t "$VM_TIMEOUT" -m "$GUEST_MEM" "/boot/vmlinuz-$distro" "$out/vm" "$out/job.sh" \
			"$KTD_TOP/scripts/jobs/models-bench.sh" "$ult" ||
			ktd_die "the guest run failed (logs in $out/vm)"
	fi
	awk -v dir="$out" '
		/^KTD-MODELS-BEGIN / { file = dir "/guest-" $2 ".txt"; printf "" > file; next }
		/^KTD-MODELS-END$/ { close(file); file = ""; next }
		file != "" { print > file }
	' "$out/vm/guest.log"
	[ -s "$out/guest-models.txt" ] && grep -q '^PLATFORM ' "$out/guest-models.txt" ||
		ktd_die "the guest printed no ultbench --models output (see $out/vm/guest.log)"
	mv "$out/guest-models.txt" "$out/guest.txt"
	keep_prev guest
	{
		header "Debian's $distro kernel in QEMU $(qemu-system-x86_64 --version |
			sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG, 2 vCPUs, $GUEST_MEM, busybox userland" \
			"$GUEST_ARGS"
		echo "# Cut down for TCG: $GUEST_RUNS runs a cell, 30 samples, processes serve at most 100"
		echo "# connections; K = $GUEST_KS. 2 GiB, since 1 GiB's threads-max (7589) is"
		echo "# below 10000 pthreads."
		echo "# The guest (env section of its log):"
		sed 's/^/#   /' "$out/guest-env.txt"
		cat "$out/guest.txt"
	} >"$results/models-guest.txt"
	repeat guest
}

# summary FILE: its PLATFORM line and seed 002's winners (the lines
# people read; the WINNER lines with the rule are in FILE).
summary() {
	grep -m1 '^PLATFORM ' "$1"
	awk '/^seed 002.s winners/ { on = 1 } on && /^$/ { exit } on && !/^WINNER /' "$1"
}

# Both places' winners by row, and the seed's, flagged where they differ.
side_by_side() {
	echo "seed 002's rows: the measured winner (rule seed002_winner.tie for \"tie\")"
	awk '
		$1 == "WINNER" {
			row = $2; sub(/^measured=/, "", $3)
			if (!(row in seen)) { seen[row] = 1; order[n++] = row }
			# seed="<words, maybe quoted>" <verdict> seed_pick=...
			s = index($0, " seed=\"") + 7
			match($0, /" (agrees|tie|DIFFERS) seed_pick=/)
			seed[row] = substr($0, s, RSTART - s)
			v = substr($0, RSTART + 2, RLENGTH - 13)
			w[FILENAME, row] = $3 " (" v ")"
			m[FILENAME, row] = $3
		}
		END {
			printf "%-22s %-34s %-22s %s\n", "row", "seed 002 says", "host", "guest"
			for (i = 0; i < n; i++) {
				r = order[i]
				h = (ARGV[1], r) in w ? w[ARGV[1], r] : "-"
				g = (ARGV[2], r) in w ? w[ARGV[2], r] : "-"
				printf "%-22s %-34s %-22s %-22s%s\n", r, seed[r], h, g,
					(ARGV[1], r) in m && (ARGV[2], r) in m &&
					m[ARGV[1], r] != m[ARGV[2], r] ? " host and guest differ" : ""
			}
		}' "$out/host.txt" "$out/guest.txt" | sed 's/ *$//'
}

ktd_deps
case $what in
host | both) run_host ;;
esac
case $what in
guest | both) run_guest ;;
esac
for f in host guest; do
	[ -s "$out/$f.txt" ] || continue
	echo
	echo "== $f: $results/models-$f.txt"
	summary "$out/$f.txt"
done
if [ -s "$out/host.txt" ] && [ -s "$out/guest.txt" ]; then
	echo
	{
		echo "host:  $(grep -m1 '^PLATFORM ' "$out/host.txt")"
		echo "guest: $(grep -m1 '^PLATFORM ' "$out/guest.txt")"
		side_by_side
	} | tee "$results/models-winners.txt"
fi
