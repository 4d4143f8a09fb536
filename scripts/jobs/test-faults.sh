# SPDX-License-Identifier: GPL-2.0
# Guest job: fail every allocation on the paths that allocate or create
# threads, one at a time, and check that each failure is clean.
#
# For each operation (a store that can allocate or create threads, or an
# insmod with common parameters) and each mode below, the operation runs
# with the N-th fault-injectable call failing, N = 1, 2, 3, ... until it
# succeeds with no fault injected. After every try exactly one must hold:
#   - it succeeded (the fault, if any, was absorbed: a kvmalloc() fallback,
#     an ignored debugfs file, a retried page fault);
#   - it failed with an errno, and every file reads as before: all of
#     /sys/kernel/kthread_demo/*, the name and pid columns of the threads
#     file, the bench/* parameter files and mechanisms, and which modules
#     are loaded.
# kmemleak (after the job), the splat scan and the final unload do the
# rest.
#
# Modes (the kernel's Documentation/fault-injection/fault-injection.rst):
#   self      /proc/self/fail-nth of the writer: the store, from the write
#             system call down (kernfs/debugfs buffers, the module's own
#             allocations, kthread_create()'s request). For insmod, the
#             finit_module(2) system call of /ktd-finit
#             (scripts/guest-bin/ktd-finit.c): the module loader and the
#             module's init, one system call, no retry (busybox's insmod
#             retries a failed finit_module(2) with init_module(2), and
#             that load, with nothing armed, succeeds).
#   kthreadd  /proc/2/fail-nth: kthread_create() has kthreadd fork the new
#             thread (copy_process(): task_struct, stack, pid, creds, ...),
#             which the writer's fail-nth never reaches.
#   runner    workqueue_demo's benchmarks run in a thread of their own
#             (wqd-bench), which allocates its workqueues, workers and items
#             after the store has returned. kthreadd's make-it-fail is set
#             while the store creates it, so the runner inherits it; right
#             after, failslab and fail_page_alloc (task-filter: only tasks
#             with make-it-fail) fail one of its allocations, at
#             probability P = 100, 50, 20, 10, 5, 2, 1 (times=1): a sweep
#             on every mechanism per P. Its first few allocations, made
#             before the knobs are raised, are not covered. The run must
#             end (done, or failed with -ENOMEM) and leave no thread.
#
# failslab and fail_page_alloc are set to reach sleeping (GFP_KERNEL)
# allocations and order-0 pages (ignore-gfp-wait=N, min-order=0), and to
# print nothing (verbose=0). Their `times` counters, set high, count the
# faults injected. The job prints one line:
#   FAULTS pairs=<(operation, mode, N) tried> injected=<faults> failed_ops=<tries that failed>
#
# Each try is named on the console ("ktd-faults: grow (self) N=7"), so a
# splat names the try that made it. Known: 6.12's trace event code WARNs
# when an allocation fails while a module's trace events are set up
# (kernel/trace/trace_events.c, event_define_fields(); then twice in
# event_file_put() at rmmod): the kernel's bug, not the modules'. The
# host runs this job with KTD_SPLAT_ALLOW (scripts/splats.sh) set to
# exactly those WARNINGs.
#
# Skips on kernels without /proc/self/fail-nth (Debian's 6.1).
# Kernel command line: ktd.faults_max=N bounds N per operation and mode
# (default 1500; a sweep that reaches it fails); ktd.faults=full adds two
# more insmod loads of kthread_demo (the default, and max_threads=65536).
#
# About 18 minutes on an idle 2-CPU host, 24 on a busy one:
# ktd-timeout: 3600
#
# The kernel's WARNings named above, and only those (scripts/splats.sh):
# ktd-splat-allow: WARNING: CPU: [0-9]+ PID: [0-9]+ at kernel/trace/trace_events\.c:(2628 event_define_fields|1150 event_file_put|1158 event_file_put)\+
. /guest-ktap.sh

FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
T=/tmp/faults
BIG=1000000
MAX_N=$(ktap_cmdline faults_max)
MAX_N=${MAX_N:-1500}
mkdir -p $T
[ -e $T/total ] || echo "0 0 0" >$T/total
# The file a failed store's error message goes to: written in place
# (the page already exists), so reporting an error allocates nothing.
head -c 512 /dev/zero | tr '\0' ' ' >$T/err

# ---- fault injection knobs ----------------------------------------------

fi_have() {
	[ -e /proc/self/fail-nth ] && [ -d $FS ] && [ -d $FP ]
}

# fi_set ATTR-FILE VALUE, in both failslab and fail_page_alloc
fi_set() {
	echo "$2" >$FS/"$1"
	echo "$2" >$FP/"$1"
}

# Only fail-nth injects (probability 0); times counts the injections.
fi_arm_nth() {
	fi_set probability 0
	fi_set interval 1
	fi_set space 0
	fi_set times $BIG
	fi_set verbose 0
	fi_set task-filter N
	fi_set ignore-gfp-wait N
	echo N >$FS/cache-filter
	echo 0 >$FP/min-order
}

# The kernel's defaults, and nothing armed anywhere.
fi_reset() {
	fi_have || return 0
	echo 0 >/proc/2/fail-nth
	echo 0 >/proc/2/make-it-fail
	echo 0 >/proc/self/fail-nth
	fi_set probability 0
	fi_set interval 1
	fi_set space 0
	fi_set times 1
	fi_set verbose 2
	fi_set task-filter N
	fi_set ignore-gfp-wait Y
	echo N >$FS/cache-filter
	echo 1 >$FP/min-order
	echo Y >$FP/ignore-gfp-highmem
}

# fi_count: INJ= the faults injected so far (both times counters count
# down from BIG). Builtins only, here and in snapshot: forks are slow
# under TCG, and these run around every try.
fi_count() {
	read -r _a <$FS/times
	read -r _b <$FP/times
	INJ=$((2 * BIG - _a - _b))
}

# ---- what a failed operation must leave as it was -----------------------

# snapshot: SNAP= which modules are loaded, every file of $SYS, the name
# and pid of every thread, the bench/* parameters and mechanisms
snapshot() {
	SNAP=
	while read -r _m _rest; do
		case $_m in
		kthread_demo | workqueue_demo) SNAP="${SNAP}module $_m$NL" ;;
		esac
	done </proc/modules
	for _f in $SYS/*; do
		[ -f "$_f" ] || continue
		read -r _v <"$_f" || _v="(unreadable)"
		SNAP="$SNAP${_f##*/}=$_v$NL"
	done
	if [ -f $DBG/threads ]; then
		{
			read -r _hdr
			while read -r _name _pid _rest; do
				SNAP="$SNAP$_name $_pid$NL"
			done
		} <$DBG/threads
	fi
	[ -d $BENCH ] || return 0
	for _f in $BENCH/*; do
		case ${_f##*/} in
		run | status | hist.csv) ;;
		*) read -r _v <"$_f"; SNAP="${SNAP}bench/${_f##*/}=$_v$NL" ;;
		esac
	done
}

# ---- one try ------------------------------------------------------------
# Each sets rc (0: the operation succeeded), err (its error message) and
# hit (1: the fault was injected, from fail-nth read back).

# store FILE VALUE: the operation, as the current MODE does it. Every file
# it needs is opened before anything is armed; echo and read are shell
# builtins, so the write happens in this very task.
store() {
	rc=0 hit=0 err=
	exec 7<>$T/err 8>"$1"
	case $MODE in
	self)
		exec 9<>/proc/self/fail-nth
		echo "$N" >&9
		echo "$2" >&8 2>&7 || rc=$?
		read -r left <&9
		echo 0 >&9
		;;
	kthreadd)
		exec 9<>/proc/2/fail-nth
		echo "$N" >&9
		echo "$2" >&8 2>&7 || rc=$?
		read -r left <&9
		echo 0 >&9
		;;
	runner)
		# what kthreadd forks now inherits make-it-fail
		echo 1 >/proc/2/make-it-fail
		echo "$2" >&8 2>&7 || rc=$?
		echo 0 >/proc/2/make-it-fail
		left=1
		;;
	esac
	exec 7>&- 8>&- 9>&-
	[ "$left" != 0 ] || hit=1
	[ $rc = 0 ] || read -r err <$T/err
}

# load MODULE.ko [PARAM=VALUE...]: one finit_module(2) by /ktd-finit, as
# the current MODE does it: self, with its own fail-nth at N (it reports
# "injected" when the fault fired); kthreadd, with kthreadd's.
load() {
	rc=0 hit=0 err=
	case $MODE in
	self)
		/ktd-finit "$N" "$@" >$T/finit.out 2>$T/finit.err || rc=$?
		read -r _out <$T/finit.out || _out=
		[ "$_out" != injected ] || hit=1
		;;
	kthreadd)
		exec 9<>/proc/2/fail-nth
		echo "$N" >&9
		/ktd-finit 0 "$@" 2>$T/finit.err || rc=$?
		read -r left <&9
		echo 0 >&9
		exec 9>&-
		[ "$left" != 0 ] || hit=1
		;;
	esac
	[ $rc = 0 ] || read -r err <$T/finit.err || true
	[ $rc -le 1 ] || ktap_fail "ktd-finit: $err (exit $rc)"
}

# ---- the sweep ----------------------------------------------------------

# tally PAIRS INJECTED FAILED: add to the job's totals
tally() {
	read -r p i f <$T/total
	echo "$((p + $1)) $((i + $2)) $((f + $3))" >$T/total
}

# sweep OP MODE: OP_prep puts things in the state before OP, OP_do does
# it, OP_ok checks a success and OP_undo takes it back. N goes 1, 2, ...
# until OP_do succeeds with no fault injected.
sweep() {
	op=$1 MODE=$2 N=0 inj=0 nfail=0 errs=
	what="$op${LABEL:+ $LABEL} ($MODE)"
	while :; do
		N=$((N + 1))
		if [ $N -gt "$MAX_N" ]; then
			tally $((N - 1)) $inj $nfail
			ktap_fail "$what: still failing or injecting at N=$MAX_N"
		fi
		"${op}_prep"
		# on the console too, so that a splat names the try that made it
		echo "ktd-faults: $what N=$N" >/dev/kmsg
		snapshot
		before=$SNAP
		fi_count
		i0=$INJ
		"${op}_do"
		fi_count
		i1=$INJ
		inj=$((inj + i1 - i0))
		[ $i1 = $i0 ] || hit=1
		if [ $rc = 0 ]; then
			"${op}_ok" || ktap_fail "$what N=$N: succeeded, but not as it should"
			"${op}_undo"
			[ $hit = 1 ] || break
			continue
		fi
		nfail=$((nfail + 1))
		[ -n "$err" ] || ktap_fail "$what N=$N: failed with no error message"
		snapshot
		after=$SNAP
		if [ "$after" != "$before" ]; then
			echo "    # $what N=$N failed ($err) and changed:"
			printf '%s' "$before" >$T/before
			printf '%s' "$after" >$T/after
			diff $T/before $T/after | sed 's/^/    #   /'
			ktap_fail "$what N=$N: a failed operation changed what the files read"
		fi
		case $errs in
		*"[${err##*: }]"*) ;;
		*) errs="$errs[${err##*: }]" ;;
		esac
	done
	"${op}_after"
	tally $N $inj $nfail
	echo "    # $what: N=1..$N, $inj injected, $nfail failed cleanly${errs:+ with $errs}"
}

# runs OP: the runner mode, one try per probability. The knobs are raised
# just after the store has created the runner (kthreadd's make-it-fail is
# set only while it does): only the runner's own allocations can fail,
# not kthreadd's, and not the runner's first few, made before that.
runs() {
	op=$1 MODE=runner inj=0 nfail=0 n=0
	for p in 100 50 20 10 5 2 1; do
		n=$((n + 1))
		"${op}_prep"
		echo "ktd-faults: $op $BENCH_NAME (runner) P=$p" >/dev/kmsg
		fi_set task-filter Y
		fi_set times 1
		"${op}_do"
		fi_set probability $p
		# the run ends on its own, however its allocations went
		bench_wait_end
		fi_set probability 0
		read -r a <$FS/times
		read -r b <$FP/times
		fi_set times $BIG
		fi_set task-filter N
		i=$((2 - a - b))
		inj=$((inj + i))
		[ $rc = 0 ] || ktap_fail "$op (runner): the store failed ($err) with nothing armed"
		st=$(bench_state)
		case $st in
		done) ;;
		failed)
			nfail=$((nfail + 1))
			[ $i -gt 0 ] || ktap_fail "$op (runner, P=$p): failed, with no fault injected"
			grep -q '^error: -12$' $BENCH/status ||
				ktap_fail "$op (runner, P=$p): $(tr '\n' ' ' <$BENCH/status)"
			;;
		*) ktap_fail "$op (runner, P=$p): the run ended '$st'" ;;
		esac
		wait_for eval '[ "$(nr_wqd_threads)" = 0 ]' ||
			ktap_fail "$op (runner, P=$p): wqd threads left after the run"
	done
	tally $n $inj $nfail
	echo "    # $op $BENCH_NAME (runner): P=100..1, $n runs, $inj injected, $nfail ended in failure"
}

# ---- the operations -----------------------------------------------------

# Threads in the pool before each store: 2, so that kthreadd mode fails
# the first and the second creation of a batch.
pool2() {
	read -r _n <$SYS/nr_threads
	[ "$_n" = 2 ] || echo 2 >$SYS/nr_threads
}

# is FILE VALUE: FILE reads VALUE
is() {
	read -r _v <"$1"
	[ "$_v" = "$2" ]
}

nop() { :; }

# nr_threads 2 -> 4: each new thread is started as it is made
grow_prep() { pool2; }
grow_do() { store $SYS/nr_threads 4; }
grow_ok() { is $SYS/nr_threads 4 && [ "$(col_of pid | sort -u | wc -l)" = 4 ]; }
grow_undo() { echo 2 >$SYS/nr_threads; }
grow_after() { nop; }

# the same while parked: new threads park before their first loop
growpark_prep() { pool2; }
growpark_do() { store $SYS/nr_threads 4; }
growpark_ok() { [ "$(col_of state | sort -u)" = parked ]; }
growpark_undo() { echo 2 >$SYS/nr_threads; }
growpark_after() { nop; }

# bind none -> spread: every thread replaced, created first
bind_prep() { pool2; is $SYS/bind none || echo none >$SYS/bind; }
bind_do() { store $SYS/bind spread; }
bind_ok() { is $SYS/bind spread; }
bind_undo() { echo none >$SYS/bind; }
bind_after() { nop; }

# freezable 0 -> 1: every thread replaced
freeze_prep() { pool2; is $SYS/freezable 0 || echo 0 >$SYS/freezable; }
freeze_do() { store $SYS/freezable 1; }
freeze_ok() { is $SYS/freezable 1; }
freeze_undo() { echo 0 >$SYS/freezable; }
freeze_after() { nop; }

# workload sleep -> spin: wakes every thread, creates none
workload_prep() { pool2; is $SYS/workload sleep || echo sleep >$SYS/workload; }
workload_do() { store $SYS/workload spin; }
workload_ok() { is $SYS/workload spin; }
workload_undo() { echo sleep >$SYS/workload; }
workload_after() { nop; }

# bench/mechanisms
mechs_prep() { echo all >$BENCH/mechanisms; }
mechs_do() { store $BENCH/mechanisms kthread,wq_unbound; }
mechs_ok() { is $BENCH/mechanisms "[kthread] kthread_worker wq_percpu [wq_unbound] wq_highpri wq_cpu_intensive wq_ordered system_wq"; }
mechs_undo() { echo all >$BENCH/mechanisms; }
mechs_after() { nop; }

# A run that ends within seconds under TCG, KASAN and all.
tiny_run_params() {
	echo all >$BENCH/mechanisms
	for p in lat_items=2 tput_items=4 submitters=1 blk_items=2 sleep_ms=1 \
		limit_active=1 cpu_items=1 spin_us=50 create_loops=2 \
		delay_items=2 delay_ms=1 timeout_s=60; do
		echo "${p#*=}" >$BENCH/"${p%=*}"
	done
}

# bench_wait_end: the run is over (60 s at most)
bench_wait_end() {
	wait_secs 60 eval '[ "$(bench_state)" != running ]' ||
		ktap_fail "benchmark still running after 60 s"
}

# bstate: BST= the run's state (a builtin read of bench/status's first line)
bstate() {
	read -r _k BST <$BENCH/status
}

# bench/run BENCH (set by the test)
run_prep() { bstate; [ "$BST" != running ] || bench_wait_end; }
run_do() { store $BENCH/run "$BENCH_NAME"; }
run_ok() { [ "$(bench_state)" != idle ]; }
run_undo() {
	bench_wait_end
	# A fault injected in kthreadd after the store, into a thread the run
	# asked for, may end it early.
	case $(bench_state):$hit in
	done:* | failed:1) ;;
	*) ktap_fail "$BENCH_NAME: run ended '$(bench_state)' with no fault injected in it" ;;
	esac
}
run_after() { nop; }

# loaded MODULE: it is in /proc/modules (a builtin read, no grep)
loaded() {
	while read -r _m _rest; do
		[ "$_m" != "$1" ] || return 0
	done </proc/modules
	return 1
}

# insmod kthread_demo (KTD_PARAMS, set by the test)
insktd_prep() {
	! loaded workqueue_demo || rmmod workqueue_demo
	! loaded kthread_demo || rmmod kthread_demo
}
insktd_do() { load /kthread_demo.ko $KTD_PARAMS; }
insktd_ok() { [ -d $SYS ]; }
insktd_undo() { rmmod kthread_demo; }
insktd_after() {
	wait_for eval '[ "$(nr_ktd_threads)" = 0 ]' || ktap_fail "ktd threads left after the insmod sweep"
}

# insmod workqueue_demo on top of kthread_demo
inswqd_prep() { ! loaded workqueue_demo || rmmod workqueue_demo; }
inswqd_do() { load /workqueue_demo.ko; }
inswqd_ok() { loaded workqueue_demo; }
inswqd_undo() { rmmod workqueue_demo; }
inswqd_after() {
	wait_for eval '[ "$(nr_wqd_threads)" = 0 ]' || ktap_fail "wqd threads left after the insmod sweep"
}

# ---- tests --------------------------------------------------------------

ktap_setup() {
	fi_have || ktap_skip "no /proc/self/fail-nth (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS) in this kernel"
	ktd_clean
	fi_arm_nth
}

ktap_teardown() {
	fi_reset
	ktd_clean
}

test_fault_grow() {
	ktd_fresh nr_threads=2
	sweep grow self
	sweep grow kthreadd
}

test_fault_grow_parked() {
	ktd_fresh nr_threads=2
	echo 1 >$SYS/parked
	sweep growpark self
	sweep growpark kthreadd
}

test_fault_bind() {
	ktd_fresh nr_threads=2
	sweep bind self
	sweep bind kthreadd
}

test_fault_freezable() {
	ktd_fresh nr_threads=2
	sweep freeze self
	sweep freeze kthreadd
}

test_fault_workload() {
	ktd_fresh nr_threads=2
	sweep workload self
	sweep workload kthreadd
}

test_fault_mechanisms() {
	wqd_fresh
	sweep mechs self
}

test_fault_bench_run() {
	wqd_fresh
	tiny_run_params
	# The store is the same whatever the mechanisms; the runs it starts
	# end sooner on one
	echo system_wq >$BENCH/mechanisms
	for BENCH_NAME in $(cat $BENCH/run); do
		case $BENCH_NAME in
		stop) continue ;;
		esac
		LABEL=$BENCH_NAME
		sweep run self
		sweep run kthreadd
	done
	BENCH_NAME=sweep LABEL=
	echo all >$BENCH/mechanisms
	runs run
}

# The common load: threads made at load time, so kthreadd mode reaches the
# init's unwinding. ktd.faults=full adds the default load and the largest
# pool array (kvcalloc() of 65536 pointers: kmalloc, then vmalloc).
test_fault_insmod_kthread_demo() {
	params="nr_threads=2,workload=pingpong"
	[ "$(ktap_cmdline faults)" != full ] ||
		params="$params - max_threads=65536,nr_threads=1"
	for KTD_PARAMS in $params; do
		[ "$KTD_PARAMS" != - ] || KTD_PARAMS=
		LABEL=${KTD_PARAMS:-"(no parameters)"}
		KTD_PARAMS=$(echo "$KTD_PARAMS" | tr , ' ')
		sweep insktd self
		sweep insktd kthreadd
	done
}

test_fault_insmod_workqueue_demo() {
	[ -e /workqueue_demo.ko ] || ktap_skip "workqueue_demo.ko is not in this guest"
	ktd_fresh nr_threads=0
	sweep inswqd self
	sweep inswqd kthreadd
}

ktap_run kthread_demo_faults test_fault_grow test_fault_grow_parked \
	test_fault_bind test_fault_freezable test_fault_workload \
	test_fault_mechanisms test_fault_bench_run \
	test_fault_insmod_kthread_demo test_fault_insmod_workqueue_demo
read -r p i f <$T/total
echo "FAULTS pairs=$p injected=$i failed_ops=$f"
