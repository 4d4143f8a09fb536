#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the static user-level threads benchmark and the ult library's
# self-test (scripts/ult/), and run the benchmark on this machine: ROW and
# CLAIM lines, a table and the claims' verdicts.
#
# usage: scripts/ult-bench.sh [--build-only | --selftest-bin | --selftest [NAME] |
#                              ULTBENCH OPTIONS...]
#
#   --build-only    build only, print the path of the static ultbench (it
#                   runs as is in the busybox guest: no /etc, no shared
#                   libraries)
#   --selftest-bin  build only, print the path of the static ult-selftest
#   --selftest      check the ult library; KTAP on stdout, nonzero on failure;
#                   with NAME, only the cases whose names contain it
#   otherwise       the options go to ultbench (--help lists them):
#                   none for the classic M:1 vs 1:1 run, --models for
#                   M:1, M:N with and without its monitor, and 1:1 side by
#                   side (about 20 s)
#
# The binaries are $KTD_OUT/ult/ultbench and $KTD_OUT/ult/ult-selftest,
# outside the checkout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: $0 [--build-only | --selftest-bin | --selftest [NAME] | ULTBENCH OPTIONS...]"
}

case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
esac

mkdir -p "$KTD_CACHE" "$KTD_OUT/ult"
ktd_need make gcc libc6-dev
out=$KTD_OUT/ult
if ! make -s -C "$KTD_TOP/scripts/ult" OUT="$out" >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	ktd_die "ultbench/ult-selftest build failed"
fi
# Warnings count as failures: the build must be clean.
if [ -s "$out/build.log" ]; then
	cat "$out/build.log" >&2
	ktd_die "ultbench/ult-selftest built with warnings"
fi

case "${1:-}" in
--build-only | --selftest-bin)
	[ $# -eq 1 ] || { usage >&2; exit 2; }
	if [ "$1" = --build-only ]; then
		echo "$out/ultbench"
	else
		echo "$out/ult-selftest"
	fi
	exit 0
	;;
--selftest)
	[ $# -le 2 ] || { usage >&2; exit 2; }
	# Each case has its own watchdog; this bounds the whole run too.
	exec timeout -k 5 300 "$out/ult-selftest" ${2:+"$2"}
	;;
esac
# ultbench has its own watchdog; this bounds it from outside too.
exec timeout -k 5 600 "$out/ultbench" "$@"
