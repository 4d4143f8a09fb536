#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the kernel splats found in a console log; exit 0 if there were any.
#
# usage: scripts/splats.sh CONSOLE.LOG
#
# A splat is any report of the kernel's detectors: BUG, WARNING, Oops,
# lockdep, KASAN, KCSAN ("BUG: KCSAN: data-race in ..."), UBSAN, kmemleak,
# debugobjects, hung task, soft lockup, RCU stall, sleeping in atomic
# context, panic. Faults injected on purpose are not splats: with
# verbose=0 fault injection prints nothing, and the allocation failures it
# causes print at most "page allocation failure" or "vmalloc error"
# (warn_alloc), which are not matched here.
#
# KTD_SPLAT_ALLOW, if set, is an extended regular expression: matching
# lines are not splats. ktd_vm (lib.sh) sets it from the job's lines
# "# ktd-splat-allow: REGEX". Only for runs that fail allocations on
# purpose (scripts/jobs/test-faults.sh), where core kernel code that WARNs
# when an allocation fails (kernel/trace/trace_events.c
# event_define_fields(), as a module's trace events are registered) is
# the kernel's doing, not the modules'. Keep it as narrow as a file, line
# and function.
#
# KCSAN reports are the one kind judged by their stacks. KCSAN watches the
# whole kernel, and on the KCSAN test kernel it also finds races the
# kernel has in itself, with no code of ours involved: 6.12's workqueue
# core reading its worker's se.sum_exec_runtime while the tick updates it
# (process_one_work), or vmstat_shepherd comparing another CPU's counters
# as that CPU comes online (memchr_inv from need_update), each a "race at
# unknown origin", each in a make check. A KCSAN report is a splat when a
# frame of either of its stacks, or a lock it holds, lies in a loadable
# module: the guests load only the project's modules. The others are the
# kernel's own; "--kernel-races" prints their first lines instead.
#
# usage: scripts/splats.sh --kernel-races CONSOLE.LOG
set -euo pipefail
mode=splats
if [ "${1:-}" = --kernel-races ]; then
	mode=kernel-races
	shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--kernel-races] CONSOLE.LOG" >&2; exit 2; }

# kernel_races: "N:LINE" for each "BUG: KCSAN:" line whose report (up to
# KCSAN's closing "=====" line) names no module frame ("func+0x1/0x2
# [module]")
kernel_races() {
	awk '
	function flush() {
		if (start && !ours)
			print start ":" head
		start = 0
	}
	/BUG: KCSAN:/ { flush(); start = NR; head = $0; ours = 0; next }
	start && /\+0x[0-9a-f]+\/0x[0-9a-f]+ \[[A-Za-z0-9_]+\]/ { ours = 1 }
	start && /====================/ { flush() }
	END { flush() }
	' "$1"
}

if [ $mode = kernel-races ]; then
	kernel_races "$1"
	exit 0
fi
skip=$(kernel_races "$1" | cut -d: -f1 | sed 's/^/^/; s/$/:/' | paste -sd '|')
grep -a -n -E \
	-e 'BUG:|WARNING:|Oops|general protection fault|Kernel panic' \
	-e 'possible (recursive|circular) locking|inconsistent lock state|INFO: (trying to register non-static key|lockdep is turned off)' \
	-e 'suspicious RCU usage|rcu: INFO: .*detected stalls' \
	-e 'KASAN|KCSAN:|UBSAN|ODEBUG:|kmemleak: [0-9]+ new suspected|unreferenced object 0x' \
	-e 'blocked for more than [0-9]+ seconds|soft lockup|hard LOCKUP' \
	-e 'sleeping function called from invalid context|scheduling while atomic' \
	-e 'list_(add|del) corruption|refcount_t: ' \
	"$1" | { if [ -n "${KTD_SPLAT_ALLOW:-}" ]; then grep -a -v -E "$KTD_SPLAT_ALLOW"; else cat; fi; } |
	{ if [ -n "$skip" ]; then grep -a -v -E "$skip"; else cat; fi; } |
	head -n 20
