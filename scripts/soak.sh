#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Soak: torture and the fuzzer, round after round, for a given time, on the
# debug test kernel. The last line is "SOAK SUCCESS: ..." or
# "SOAK FAILURE: ...".
#
# usage: scripts/soak.sh [DURATION]
#
#   DURATION  how long to go on: 30m (the default), 90s, 2h, or seconds
#
# Each round is one guest boot (scripts/jobs/torture.sh at its full
# settings, then scripts/jobs/fuzz.sh with a new seed), judged like every
# other run: the sentinel, no splat on the console (kmemleak's scan after
# the job included), and every KTAP case passed (kunit.py parse). A round
# starts only while the time left is at least what the last round took,
# so the soak ends within DURATION, plus the first round if DURATION is
# shorter than one. It stops at the first round that fails and keeps its
# logs in $KTD_OUT/soak/round-N/. Knobs (environment): SOAK_SYSCALLS
# (trinity system calls per round, 40000), SOAK_ROUND_TIMEOUT (a round's
# time bound, 1800 s).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [DURATION]   (30m, 90s, 2h, or seconds)"
[ $# -le 1 ] || ktd_die "$usage"
case ${1:-30m} in
-h | --help) echo "$usage"; exit 0 ;;
*[0-9]s) dur=${1%s} ;;
*[0-9]m) dur=$((${1%m} * 60)) ;;
*[0-9]h) dur=$((${1%h} * 3600)) ;;
*[0-9]) dur=$1 ;;
'') dur=1800 ;;
*) ktd_die "$usage" ;;
esac
if ! [[ $dur =~ ^[0-9]+$ ]] || [ "$dur" -eq 0 ]; then ktd_die "$usage"; fi
syscalls=${SOAK_SYSCALLS:-40000}
round_timeout=${SOAK_ROUND_TIMEOUT:-1800}

ktd_deps
kobj=$("$KTD_TOP/scripts/build-kernel.sh")
export KTD_KSRC
KTD_KSRC=$(ktd_kernel_src "$kobj")
mods=$(ktd_build_cached "$kobj") || ktd_die "module build failed"
jobs=$KTD_TOP/scripts/jobs
mapfile -t tfiles < <(ktd_trinity_files)
out=$KTD_OUT/soak
rm -rf "$out"
mkdir -p "$out"

fmt() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

bzimage=$kobj/arch/x86/boot/bzImage
t_start=$SECONDS last=0 round=0 verdict=SUCCESS
echo "soak: $(fmt "$dur") of torture + trinity rounds, debug kernel $kobj"
while :; do
	left=$((dur - (SECONDS - t_start)))
	[ $round -eq 0 ] || [ "$left" -ge "$last" ] || break
	round=$((round + 1))
	dir=$out/round-$round
	mkdir -p "$dir"
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	printf '%s\n' "# round $round of scripts/soak.sh" "sh -e /torture.sh" \
		"FUZZ_SEED=$seed FUZZ_SYSCALLS=$syscalls sh -e /fuzz.sh" >"$dir/job.sh"
	t0=$SECONDS failed0=$KTD_FAILED
	echo "soak: round $round at $(fmt $((SECONDS - t_start))) of $(fmt "$dur"), trinity seed $seed"
	ktd_vm_check "soak round $round" -t "$round_timeout" "$bzimage" "$dir" "$dir/job.sh" \
		"$jobs/torture.sh" "$jobs/fuzz.sh" "$mods"/*.ko "${tfiles[@]}"
	ktd_ktap_tally "$dir/guest.log" "soak round $round" 2
	last=$((SECONDS - t0))
	sed -n 's/^\(TORTURE\|FUZZ\) /  \1 /p' "$dir/guest.log"
	if [ "$KTD_FAILED" -ne "$failed0" ]; then
		verdict=FAILURE
		echo "soak: round $round failed after $(fmt "$last"); logs in $dir"
		break
	fi
	echo "soak: round $round passed in $(fmt "$last")"
done
total=$((SECONDS - t_start))
if [ $verdict = SUCCESS ]; then
	echo "SOAK SUCCESS: $round rounds in $(fmt $total), $KTD_PASSED checks passed, $KTD_SKIPPED skipped"
else
	echo "SOAK FAILURE: round $round failed ($KTD_FAILED checks) after $(fmt $total); logs in $out/round-$round"
	exit 1
fi
