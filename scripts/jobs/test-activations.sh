# SPDX-License-Identifier: GPL-2.0
# Guest job: /dev/ktd_activations (ktd_activations.ko) from user space,
# through /ktd_act_test (ktd_act_test.c, built with the modules): a VP that
# blocks makes "blocked" and "resumed" events, preemption makes none,
# every documented errno, thread exit, process death, a second process,
# rmmod while registered, and the probe gone when nobody is registered.
# Runs on both the debug test kernel and Debian's 6.1 kernel.
#
# Attaching and detaching the probe rewrites kernel code (a static key),
# which QEMU 7.2's TCG cannot do with CPU 1 running (no_other_cpu in
# guest-ktap.sh). So each test starts an anchor process, "ktd_act_test
# hold" (4 VPs), with CPU 1 offline: the probe is then attached for the
# whole test, which runs on both CPUs, and the teardown kills the anchor
# with CPU 1 offline again.
. /guest-ktap.sh

ADBG=/sys/kernel/debug/ktd_activations
DEV=/dev/ktd_activations
T=/ktd_act_test

astatus() {
	awk -v k="$1:" '$1 == k { print $2 }' $ADBG/status
}

act_loaded() {
	grep -q '^ktd_activations ' /proc/modules
}

act_refs() {
	awk '$1 == "ktd_activations" { print $3 }' /proc/modules
}

# hold_start FILE: a "ktd_act_test hold" in the background, its pid in
# FILE.pid, once its 4 VPs are registered
hold_start() {
	$T hold >"$1.out" 2>&1 &
	echo $! >"$1.pid"
	wait_for grep -q '^held$' "$1.out" ||
		ktap_fail "ktd_act_test hold did not register: $(cat "$1.out")"
}

# gone PID: the process has exited (a zombie has closed its files)
gone() {
	[ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat")" = Z ]
}

# hold_kill FILE: kill it and wait until it has exited
hold_kill() {
	[ -e "$1.pid" ] || return 0
	_pid=$(cat "$1.pid")
	kill -9 "$_pid" 2>/dev/null || true
	wait_for gone "$_pid" || ktap_fail "pid $_pid did not go"
	rm -f "$1.pid" "$1.out"
}

act_clean() {
	hold_kill /tmp/anchor
	act_loaded || return 0
	wait_for eval '[ "$(act_refs)" = 0 ]' ||
		ktap_fail "ktd_activations still in use: $(act_refs) references"
	rmmod ktd_activations
}

ktap_setup() {
	[ -x $T ] || ktap_skip "ktd_act_test is not in this guest"
	no_other_cpu act_clean
	insmod /ktd_activations.ko
	no_other_cpu hold_start /tmp/anchor
	expect_eq "$(astatus probe)" attached "probe with the anchor registered"
}

ktap_teardown() {
	no_other_cpu act_clean
}

test_device() {
	expect_eq "$(stat -c '%A %u' $DEV)" "crw------- 0" "$DEV mode and owner"
	expect_eq "$(astatus vps)" 4 "VPs registered (the anchor's)"
}

test_errors() {
	$T errors
}

test_block_resume() {
	$T block 20
}

test_preempt_no_event() {
	$T preempt
}

test_thread_exit() {
	$T exit
}

# A process dies with registered threads: its VPs go, nothing else does
# (kmemleak and KASAN judge the rest).
test_process_death() {
	hold_start /tmp/victim
	expect_eq "$(astatus vps)" 8 "VPs with the victim"
	hold_kill /tmp/victim
	wait_for eval '[ "$(astatus vps)" = 4 ]' ||
		ktap_fail "VPs after the victim died: $(astatus vps), expected 4"
}

# An open file holds the module: rmmod fails and changes nothing.
test_rmmod_busy() {
	if rmmod ktd_activations 2>/tmp/rmmod.err; then
		ktap_fail "rmmod succeeded with VPs registered"
	fi
	act_loaded || ktap_fail "module gone"
	expect_eq "$(astatus vps)" 4 "VPs after the failed rmmod"
	$T block 3
}

# Nobody registered: the probe is detached (the tracepoint costs what it
# costs without the module), and unloading leaves no device.
test_unload_detached() {
	no_other_cpu hold_kill /tmp/anchor
	expect_eq "$(astatus probe)" detached "probe with nobody registered"
	expect_eq "$(astatus vps)" 0 "VPs with nobody registered"
	wait_for eval '[ "$(act_refs)" = 0 ]'
	no_other_cpu rmmod ktd_activations
	[ ! -e $DEV ] || ktap_fail "$DEV still there after rmmod"
}

ktap_run ktd_activations_dev test_device test_errors test_block_resume \
	test_preempt_no_event test_thread_exit test_process_death \
	test_rmmod_busy test_unload_detached
