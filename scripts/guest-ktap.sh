# SPDX-License-Identifier: GPL-2.0
# The guest library: what every guest job (scripts/jobs/*.sh, busybox sh)
# shares. Source it as /guest-ktap.sh (every guest gets it at its root).
#
# Paths:   SYS DBG BENCH TR EV CPU1
# Limits:  ktd_max_threads, KTD_PERIOD_MAX, KTD_NICE_MIN/MAX, ktd_workloads
#          (from the module where it says so itself, else from here only)
# Readers: kstat KEY, thread_col NAME COLUMN, col_of COLUMN, proc_stat NAME
#          FIELD, loops_of NAME, nr_ktd_threads, nr_wqd_threads
# Waiting: wait_for CMD... (10 s), wait_secs SECS CMD..., moving NAME [SECS],
#          bench_state, bench_wait STATE SECS, bench_run NAME SECS
#          no_other_cpu CMD... (QEMU 7.2 TCG: code patching with CPU 1 off)
# Fixture: ktd_fresh [PARAM=VALUE...] loads kthread_demo afresh, wqd_fresh
#          loads workqueue_demo afresh on top; ktd_clean unloads both and
#          puts CPU 1 and the suspend test mode back
# KTAP:    ktap_run SUITE test_fn..., ktap_fail MSG, ktap_skip REASON,
#          expect_eq ACTUAL EXPECTED WHAT, expect_write_error FILE VALUE
#          ERRNO-TEXT, ktap_kunit_results
#
# Each test function runs in a subshell with `set -e`, after ktap_setup
# (if the job defines one) and before ktap_teardown (if defined, always
# run). A test passes when every command in it succeeds; ktap_skip ends it
# as "ok N name # SKIP reason". The kernel command line can pick tests:
# ktd.only=test_a,test_b runs only those, ktd.order=reverse runs a job's
# tests last to first (make check does, to show they do not depend on each
# other). Each KTAP document goes out between "KTD-KTAP-BEGIN <name>" and
# "KTD-KTAP-END" lines; the host cuts them apart and parses each with the
# kernel's kunit.py.

SYS=/sys/kernel/kthread_demo
DBG=/sys/kernel/debug/kthread_demo
BENCH=$DBG/bench
TR=/sys/kernel/tracing
EV=$TR/events/kthread_demo
CPU1=/sys/devices/system/cpu/cpu1/online
NL='
'

# ---- limits -------------------------------------------------------------

# The module says these itself.
ktd_max_threads() {
	cat /sys/module/kthread_demo/parameters/max_threads
}

# (the module is loaded for a moment if it is not loaded yet)
ktd_workloads() {
	if [ -e $SYS/available_workloads ]; then
		cat $SYS/available_workloads
	else
		insmod /kthread_demo.ko nr_threads=0 &&
			cat $SYS/available_workloads && rmmod kthread_demo
	fi
}

# These it enforces, and only this table repeats them.
KTD_PERIOD_MAX=10000000		# period_us, in us (10 s)
KTD_NICE_MIN=-20
KTD_NICE_MAX=19
KTD_MAX_THREADS_LIMIT=65536	# the largest max_threads= at load time

# ---- readers ------------------------------------------------------------

nr_ktd_threads() {
	ps -o comm | grep -c '^ktd/' || true
}

nr_wqd_threads() {
	ps -o comm | grep -c '^wqd' || true
}

# kstat KEY: a value from the stats file
kstat() {
	awk -v k="$1:" '$1 == k { print $2 }' $DBG/stats
}

# thread_col NAME COLUMN: one column of the threads file for ktd/NAME's row
thread_col() {
	awk -v n="ktd/$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n { print $col[c] }' $DBG/threads
}

# col_of COLUMN: that column for every thread, one per line
col_of() {
	awk -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ print $col[c] }' $DBG/threads
}

# proc_stat NAME FIELD: field FIELD of /proc/<pid>/stat for ktd/NAME
proc_stat() {
	awk -v f="$2" '{ print $f }' /proc/"$(thread_col "$1" pid)"/stat
}

loops_of() {
	thread_col "$1" loops
}

# ---- waiting ------------------------------------------------------------

# wait_secs SECS CMD...: retry CMD every 0.1 s for up to SECS seconds
wait_secs() {
	_n=$(($1 * 10)) _i=0
	shift
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -lt $_n ] || return 1
		sleep 0.1
	done
}

# wait_for CMD...: the same, for up to 10 s
wait_for() {
	wait_secs 10 "$@"
}

# moving NAME [SECS]: the thread's loop counter goes up within SECS (10)
moving() {
	_l=$(loops_of "$1")
	wait_secs "${2:-10}" eval '[ "$(loops_of '"$1"')" -gt '"$_l"' ]'
}

bench_state() {
	awk '$1 == "state:" { print $2 }' $BENCH/status
}

# bench_wait STATE SECS: poll until workqueue_demo's run is in STATE
bench_wait() {
	_want=$1
	wait_secs "$2" eval '[ "$(bench_state)" = "$_want" ]' ||
		ktap_fail "benchmark state '$(bench_state)' after $2 s, expected '$1'"
}

# bench_run NAME SECS: run workqueue_demo's benchmark NAME to its end. A
# run still going after SECS seconds is stopped; either that or an end
# other than "done" fails (status printed as KTAP comments).
bench_run() {
	echo "$1" >$BENCH/run
	if ! wait_secs "$2" eval '[ "$(bench_state)" != running ]'; then
		echo "    # $1 still running after $2 s; stopping it"
		echo stop >$BENCH/run
		wait_secs 10 eval '[ "$(bench_state)" != running ]' || true
		return 1
	fi
	[ "$(bench_state)" = done ] || {
		sed 's/^/    # /' $BENCH/status
		return 1
	}
}

# no_other_cpu CMD...: run CMD with CPU 1 offline, for a command that
# rewrites kernel code while it runs: turning a trace event or another
# static key on or off puts an int3 on each site, then the new bytes.
# QEMU 7.2's multi-threaded TCG (Debian 12's QEMU) can translate the passing
# int3 on the other vCPU and keep running that stale translation after the
# bytes are restored: that vCPU loops on the int3 with interrupts off (an
# int3 Oops on 6.12) and the guest hangs. Fixed in QEMU 8.1 (commit
# deba78709ae8, "accel/tcg: Always lock pages before translation"). With
# no other vCPU running, nothing can. A real test VM does not need this.
no_other_cpu() {
	_down=
	if [ -w $CPU1 ] && [ "$(cat $CPU1)" = 1 ]; then
		echo 0 >$CPU1
		_down=1
	fi
	_rc=0
	"$@" || _rc=$?
	[ -z "$_down" ] || echo 1 >$CPU1
	return $_rc
}

# ktd_fair_share PERCENT: the share of each CPU that SCHED_NORMAL tasks
# keep however many SCHED_FIFO threads want it (the kernel's default is 5%:
# 6.12's fair server, 50 ms a second; 6.1 throttles real-time tasks at 95%).
# Jobs that set policy=fifo at random need more: with FIFO pingpong threads
# on every online CPU, the emulated guest's shell, kthreadd and kworkers
# share 5% of a CPU that runs tens of times slower than hardware, and a CPU
# hotplug in the torture's races took 36 s, long enough for the hung-task
# detector. Measured on the debug kernel with 16 FIFO pingpong threads
# bound to CPU 0: at 5%, CPU 1 went offline in 5.0 s, parking the threads
# with it offline took 6.2 s and bringing it back 5.2 s; at 45%, 0.8 s,
# 0.3 s and 1.0 s. With N CPUs, at most 95*(N-1)/N percent: each fair
# server is deadline bandwidth, and all N of them must fit in 95% of the
# N-1 CPUs left when one goes offline, or it cannot go (-EBUSY; at 50%
# with two vCPUs, CPU 1 could not). Two vCPUs here: 45.
ktd_fair_share() {
	_fs=/sys/kernel/debug/sched/fair_server
	if [ -d $_fs ]; then
		for _c in $_fs/cpu*/runtime; do
			echo $(($1 * 10000000)) >"$_c"
		done
	else
		echo $((1000000 - $1 * 10000)) >/proc/sys/kernel/sched_rt_runtime_us
	fi
}

# ---- fixture ------------------------------------------------------------

# ktd_clean: no module loaded, CPU 1 online, no suspend test mode
ktd_clean() {
	[ ! -w $CPU1 ] || [ "$(cat $CPU1)" = 1 ] || echo 1 >$CPU1
	[ ! -w /sys/power/pm_test ] || echo none >/sys/power/pm_test
	! grep -q '^workqueue_demo ' /proc/modules || rmmod workqueue_demo
	! grep -q '^kthread_demo ' /proc/modules || rmmod kthread_demo
}

# ktd_fresh [PARAM=VALUE...]: kthread_demo just loaded with these settings
ktd_fresh() {
	ktd_clean
	insmod /kthread_demo.ko "$@"
}

# wqd_fresh: both modules just loaded, kthread_demo with no threads
wqd_fresh() {
	[ -e /workqueue_demo.ko ] || ktap_skip "workqueue_demo.ko is not in this guest"
	ktd_fresh nr_threads=0
	insmod /workqueue_demo.ko
}

# ---- KTAP ---------------------------------------------------------------

ktap_fail() {
	echo "    # $*"
	return 1
}

# ktap_skip REASON: end the current test as skipped
ktap_skip() {
	echo "$*" >/tmp/.ktap_skip
	exit 4
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
	[ "$1" = "$2" ] || ktap_fail "$3: got '$1', expected '$2'"
}

# expect_write_error FILE VALUE ERRNO-TEXT: writing VALUE must fail with
# that error (as strerror words, e.g. "Invalid argument").
expect_write_error() {
	_out=$( { echo -n "$2" >"$1"; } 2>&1) &&
		ktap_fail "write '$2' to $1 was accepted, expected: $3"
	case $_out in
	*"$3"*) ;;
	*) ktap_fail "write '$2' to $1: got '$_out', expected: $3" ;;
	esac
}

# ktap_cmdline KEY: the value of ktd.KEY= on the kernel command line
ktap_cmdline() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^ktd\.$1=//p" | tail -n 1
}

# ktap_selected NAME: whether ktd.only= lets test NAME run
ktap_selected() {
	_only=$(ktap_cmdline only)
	[ -z "$_only" ] && return 0
	case ",$_only," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

ktap_run() {
	suite=$1
	shift
	tests=
	for t in "$@"; do
		ktap_selected "$t" || continue
		if [ "$(ktap_cmdline order)" = reverse ]; then
			tests="$t $tests"
		else
			tests="$tests $t"
		fi
	done
	set -- $tests
	[ $# -gt 0 ] || return 0	# ktd.only= picked none of these
	echo "KTD-KTAP-BEGIN $suite"
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: $suite"
	echo "    1..$#"
	n=0 bad=0
	for t in "$@"; do
		n=$((n + 1))
		rm -f /tmp/.ktap_skip
		set +e
		(
			set -e
			! command -v ktap_setup >/dev/null || ktap_setup
			"$t"
		)
		rc=$?
		# teardown runs whatever the test did, and can fail it too
		if command -v ktap_teardown >/dev/null; then
			(set -e; ktap_teardown) || { [ $rc -ne 0 ] || rc=1; }
		fi
		set -e
		if [ $rc -eq 4 ] && [ -e /tmp/.ktap_skip ]; then
			echo "    ok $n $t # SKIP $(cat /tmp/.ktap_skip)"
		elif [ $rc -eq 0 ]; then
			echo "    ok $n $t"
		else
			echo "    not ok $n $t"
			bad=$((bad + 1))
		fi
	done
	if [ $bad -eq 0 ]; then
		echo "ok 1 $suite"
	else
		echo "not ok 1 $suite"
	fi
	echo "KTD-KTAP-END"
}

ktap_kunit_results() {
	for r in /sys/kernel/debug/kunit/*/results; do
		[ -e "$r" ] || continue
		s=${r%/results}
		echo "KTD-KTAP-BEGIN kunit:${s##*/}"
		cat "$r"
		echo "KTD-KTAP-END"
	done
}
