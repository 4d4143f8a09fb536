#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the static user-level threads benchmark (scripts/ult/) and run it
# on this machine: ROW/CLAIM lines, a table and the claims' verdicts.
#
# usage: scripts/ult-bench.sh [--build-only | --selftest | ULTBENCH OPTIONS...]
#
#   --build-only  build only, print the path of the static binary (it runs
#                 as is in the busybox guest: no /etc, no shared libraries)
#   --selftest    check the ult library; KTAP on stdout, nonzero on failure
#   otherwise     the options go to ultbench (--help lists them)
#
# The binary is $KTD_OUT/ult/ultbench, outside the checkout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--build-only | --selftest | ULTBENCH OPTIONS...]"; }

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
	ktd_die "ultbench build failed"
fi
# Warnings count as failures: the build must be clean.
if [ -s "$out/build.log" ]; then
	cat "$out/build.log" >&2
	ktd_die "ultbench built with warnings"
fi

if [ "${1:-}" = --build-only ]; then
	[ $# -eq 1 ] || { usage >&2; exit 2; }
	echo "$out/ultbench"
	exit 0
fi
# ultbench has its own watchdog; this bounds it from outside too.
exec timeout -k 5 600 "$out/ultbench" "$@"
