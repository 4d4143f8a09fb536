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
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 CONSOLE.LOG" >&2; exit 2; }
grep -a -n -E \
	-e 'BUG:|WARNING:|Oops|general protection fault|Kernel panic' \
	-e 'possible (recursive|circular) locking|inconsistent lock state|INFO: (trying to register non-static key|lockdep is turned off)' \
	-e 'suspicious RCU usage|rcu: INFO: .*detected stalls' \
	-e 'KASAN|KCSAN:|UBSAN|ODEBUG:|kmemleak: [0-9]+ new suspected|unreferenced object 0x' \
	-e 'blocked for more than [0-9]+ seconds|soft lockup|hard LOCKUP' \
	-e 'sleeping function called from invalid context|scheduling while atomic' \
	-e 'list_(add|del) corruption|refcount_t: ' \
	"$1" | { if [ -n "${KTD_SPLAT_ALLOW:-}" ]; then grep -a -v -E "$KTD_SPLAT_ALLOW"; else cat; fi; } |
	head -n 20
