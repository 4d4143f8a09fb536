#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every check kthread-demo has; the last line is "N passed, N failed".
#
# usage: scripts/check.sh [PHASE...]
#
# Installs what it needs, builds (or reuses) the debug test kernel, then
# runs the phases (default: all but kunit, in this order):
#   static    checkpatch --strict; W=1 + sparse (C=2) builds for Debian's
#             6.1 headers and the 6.12 test tree
#   debug     the guest tests (scripts/jobs/test-*.sh, each job in a boot
#             of its own) and the KUnit suites on the debug test kernel
#             (KASAN, UBSAN, lockdep, DEBUG_OBJECTS, kmemleak, hung task)
#   distro    the guest tests on Debian's own 6.1 kernel, jobs and the
#             tests in each in reverse order (ktd.order=reverse), to prove
#             that no test depends on an earlier one
#   debian    the Debian guest (scripts/debian-test.sh, make debian-test):
#             the user guide's tool recipes (trace-cmd, perf, bpftrace) and
#             the modules' figures against cyclictest, perf bench and
#             perf kwork, on Debian's userland and 6.1 kernel, one boot;
#             then the sleep comparison again under -icount (-i), in a
#             second boot
#   selftest  proof that a WARN and a failing KUnit case fail a run
#   ult       the user-level thread library's self-test (host, static), and
#             the README's quotes of scripts/results (scripts/readme-quotes.py)
#   timeline  the timelines of the other stories (scripts/timeline.sh -s
#             stories -c, one boot of Debian's kernel): ping-pong takes
#             turns on one CPU and across two, the stalled kthread sleeps
#             while its siblings run, M:1's siblings stop while a user
#             thread blocks and 1:1's, M:N's and activations' do not
#   dkms      make install/uninstall and a DKMS add, build, install,
#             remove cycle against Debian's 6.1 headers (nothing loaded)
#   torture   load/unload cycles, reconfiguration races, CPU hotplug, the
#             freezer and hostile input, on the debug kernel (half of
#             torture.sh's settings; make soak runs them in full)
#   fuzz      Debian's trinity on both modules' sysfs and debugfs files, and
#             byte-level mutations of valid writes, a sweep running, on the
#             debug kernel (a bounded number of system calls and a time
#             bound on the mutations; FUZZ_SEED=S replays seed S)
#   kcsan     the second test kernel (scripts/test-kernel-kcsan.config:
#             KCSAN instead of KASAN): the KUnit suites, the guest tests and
#             a shortened torture in one boot; a KCSAN report with a frame
#             of our modules fails it (the kernel's own are listed)
#   icount    the deterministic mode (scripts/icount-bench.sh --small): two
#             boots under QEMU -icount, every instruction count within 1%
#   kunit     only the KUnit suites on the debug kernel (`make kunit`), the
#             quick loop: without the end-of-run kmemleak scan, which
#             the debug phase runs over the same suites
# Each guest boot counts once (sentinel reached, no kernel splat: ktd_vm
# in lib.sh), and so does every KUnit case and guest test; the cases
# skipped are counted on the line before the last.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step() { printf '\n=== %s  (t=%ds)\n' "$*" "$SECONDS"; }
# clean_build LOG NAME: the build succeeded with no compiler or sparse
# warning at all.
clean_build() {
	local log=$1 name=$2 rc=$3
	if [ "$rc" -eq 0 ] && ! grep -qE 'warning:|error:' "$log"; then
		ktd_pass "$name"
	else
		ktd_fail "$name (see $log)"
		grep -E 'warning:|error:|ERROR:' "$log" | ktd_indent || true
	fi
}

phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(static debug distro debian selftest ult timeline dkms torture fuzz kcsan icount)
for p in "${phases[@]}"; do
	case $p in
	static | debug | distro | debian | selftest | ult | timeline | dkms | torture | fuzz | kcsan | icount | kunit) ;;
	*) ktd_die "unknown phase '$p' (static, debug, distro, debian, selftest, ult, timeline, dkms, torture, fuzz, kcsan, icount, kunit)" ;;
	esac
done

step "dependencies and the debug test kernel"
ktd_deps
kobj=$("$KTD_TOP/scripts/build-kernel.sh")
KTD_KSRC=$(ktd_kernel_src "$kobj")
distro=$(ktd_distro_kver)
echo "test kernel: $kobj"
echo "distro kernel: $distro"
out=$KTD_OUT/check
rm -rf "$out"
mkdir -p "$out"
# The KCSAN kernel builds in the background, at the lowest priority, while
# the guests run: a TCG guest keeps about one of the two CPUs busy, and
# nice 19 leaves the guests what they ask for. phase_kcsan waits for it.
kcsan_pid=
if [[ " ${phases[*]} " == *" kcsan "* ]]; then
	nice -n 19 "$KTD_TOP/scripts/build-kernel.sh" "$KTD_TOP/scripts/test-kernel-kcsan.config" \
		>"$out/kcsan-kernel.path" 2>"$out/kcsan-kernel.log" &
	kcsan_pid=$!
fi

b12=$out/build-6.12 b61=$out/build-6.1
bzimage=$kobj/arch/x86/boot/bzImage
jobs=$KTD_TOP/scripts/jobs
# The guest tests: each scripts/jobs/test-*.sh loads what it needs.
mapfile -t gtests < <(ls "$jobs"/test-*.sh)

# built KDIR DIR NAME: the modules for KDIR, built in DIR unless the static
# phase already did (with W=1 C=2) in this run.
built() {
	[ -f "$2/kthread_demo.ko" ] && return 0
	ktd_build "$1" "$2" || ktd_fail "$3 build (see $2/build.log)"
}

# nkunit DIR: how many KUnit suite modules DIR/kunit holds.
nkunit() { find "$1/kunit" -name '*_test.ko' 2>/dev/null | wc -l; }

phase_static() {
	step "static checks"
	# The kernel code; scripts/ult is user space, checked in phase_ult.
	mapfile -t sources < <(cd "$KTD_TOP" && git ls-files -co --exclude-standard -- \
		'*.c' '*.h' ':!scripts/ult/*')
	if cp_out=$(cd "$KTD_TOP" && perl "$KTD_KSRC/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types --ignore LINUX_VERSION_CODE -f "${sources[@]}" 2>&1) &&
		! grep -qE 'ERROR|WARNING|CHECK' <<<"$cp_out"; then
		ktd_pass "checkpatch --strict (${#sources[@]} files)"
	else
		ktd_fail "checkpatch --strict"
		grep -E 'ERROR|WARNING|CHECK' <<<"$cp_out" | ktd_indent || true
	fi
	rc=0; ktd_build "/lib/modules/$distro/build" "$b61" W=1 C=2 || rc=$?
	clean_build "$b61/build.log" "W=1 C=2 build against Debian $distro headers" $rc
	rc=0; ktd_build "$kobj" "$b12" W=1 C=2 || rc=$?
	clean_build "$b12/build.log" "W=1 C=2 build against the 6.12 test kernel (with kunit/)" $rc
	# clang: Debian's headers and the test kernel are configured for gcc
	# and pass gcc-only flags, so clang gets a tree of its own, configured
	# with LLVM=1 and prepared for module builds (about a minute, cached).
	# It compiles every object; there is no Module.symvers to link with.
	rc=0
	if kllvm=$("$KTD_TOP/scripts/build-kernel.sh" --llvm 2>"$out/llvm-tree.log"); then
		ktd_build "$kllvm" "$out/build-clang" LLVM=1 W=1 \
			kthread_demo.o workqueue_demo.o ktd_activations.o \
			kunit/kthread_demo_test.o kunit/workqueue_demo_test.o \
			kunit/ktd_activations_test.o || rc=$?
	else
		rc=1
		cp "$out/llvm-tree.log" "$out/build-clang.log" 2>/dev/null || true
	fi
	clean_build "$out/build-clang/build.log" "LLVM=1 W=1 (clang) compile against the 6.12 tree configured for clang" $rc
}

phase_kunit() {
	local mods
	step "KUnit suites on the debug test kernel"
	mods=$(ktd_build_cached "$kobj") || { ktd_fail "6.12 module build"; return; }
	ktd_vm_check "KUnit" -t 600 -m 320M -a ktd.leakscan=0 "$bzimage" "$out/kunit" \
		"$jobs/kunit.sh" "$mods"/*.ko "$mods"/kunit/*.ko
	ktd_ktap_tally "$out/kunit/guest.log" "6.12 debug kernel" "$(nkunit "$mods")"
}

# guest_tests LABEL KERNEL DIR MODULES-DIR [APPEND]: each guest test job
# in a boot of its own, with its own time bound and kmemleak scan.
guest_tests() {
	local label=$1 kernel=$2 dir=$3 mods=$4 append=${5:-} t name
	shift 4
	[ $# -eq 0 ] || shift
	[ $# -gt 0 ] || set -- "${gtests[@]}"
	for t in "$@"; do
		name=${t##*/} name=${name%.sh}
		ktd_vm_check "$label, $name" -t 1500 -a "$append" "$kernel" "$dir-$name" \
			"$t" "$mods"/*.ko "$mods"/ktd_act_test
		ktd_ktap_tally "$dir-$name/guest.log" "$label" 1
	done
}

# bg_start NAME CMD...: run CMD (a function that prints PASS/FAIL lines and
# counts them) in the background; bg_join NAME prints its output and adds
# its counts.
declare -A bg_pids
bg_start() {
	local name=$1
	shift
	(
		KTD_PASSED=0 KTD_FAILED=0 KTD_SKIPPED=0
		"$@" >"$out/bg-$name.out" 2>&1
		echo "$KTD_PASSED $KTD_FAILED $KTD_SKIPPED" >"$out/bg-$name.count"
	) &
	bg_pids[$name]=$!
}
bg_join() {
	local name=$1 p f s
	wait "${bg_pids[$name]}" || true
	cat "$out/bg-$name.out"
	if read -r p f s <"$out/bg-$name.count"; then
		KTD_PASSED=$((KTD_PASSED + p)) KTD_FAILED=$((KTD_FAILED + f))
		KTD_SKIPPED=$((KTD_SKIPPED + s))
	else
		ktd_fail "$name: the background run left no counts"
	fi
}

phase_debug() {
	local t fg=() faults=()
	step "guest tests and KUnit suites on the debug test kernel"
	built "$kobj" "$b12" "6.12"
	# The fault sweeps (a quarter of an hour) boot beside the other jobs:
	# each guest keeps about one of the two CPUs busy.
	for t in "${gtests[@]}"; do
		case ${t##*/} in
		test-faults.sh) faults+=("$t") ;;
		*) fg+=("$t") ;;
		esac
	done
	[ ${#faults[@]} -eq 0 ] ||
		bg_start faults guest_tests "6.12 debug kernel" "$bzimage" "$out/debug" "$b12" "" \
			"${faults[@]}"
	guest_tests "6.12 debug kernel" "$bzimage" "$out/debug" "$b12" "" "${fg[@]}"
	ktd_vm_check "6.12 debug kernel, KUnit" -t 600 "$bzimage" "$out/debug-kunit" \
		"$jobs/kunit.sh" "$b12"/*.ko "$b12"/kunit/*.ko
	ktd_ktap_tally "$out/debug-kunit/guest.log" "6.12 debug kernel" "$(nkunit "$b12")"
	[ ${#faults[@]} -eq 0 ] || bg_join faults
}

# The same guest tests in the other order, jobs and the tests in each job
# (ktd.order=reverse): no test may depend on what an earlier one left.
phase_distro() {
	step "guest tests on Debian's $distro kernel, in reverse order"
	built "/lib/modules/$distro/build" "$b61" "6.1"
	mapfile -t gtests < <(printf '%s\n' "${gtests[@]}" | tac)
	guest_tests "Debian $distro" "/boot/vmlinuz-$distro" "$out/distro" "$b61" \
		ktd.order=reverse
	mapfile -t gtests < <(printf '%s\n' "${gtests[@]}" | tac)
}

# The Debian guest: scripts/debian-test.sh counts its boot and every case
# (kunit.py parse) itself and ends with "N passed, N failed"; those
# counts, and its skips, are added to ours. Two boots: the tool recipes
# and comparisons under TCG, then the sleep comparison again under
# -icount (-i), where it is judged in executed instructions. Logs in
# $KTD_OUT/debian-test and $KTD_OUT/debian-test-icount.
phase_debian() {
	local log p f s mode
	step "the Debian guest: tool recipes and comparisons with the standard tools"
	for mode in "" -i; do
		log=$out/debian-test${mode:+-icount}.log
		"$KTD_TOP/scripts/debian-test.sh" $mode >"$log" 2>&1 || true
		grep -v '^[0-9]* passed, [0-9]* failed$' "$log" | grep -v '^(.* skipped: ' || true
		if read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" |
			tail -n 1) && [ -n "$p" ]; then
			s=$(sed -n 's/^(\([0-9]*\) skipped: .*/\1/p' "$log" | tail -n 1)
			KTD_PASSED=$((KTD_PASSED + p)) KTD_FAILED=$((KTD_FAILED + f))
			KTD_SKIPPED=$((KTD_SKIPPED + ${s:-0}))
			echo "debian-test${mode:+ $mode}: $p passed, $f failed, ${s:-0} skipped"
		else
			ktd_fail "debian-test${mode:+ $mode}: no final count (see $log)"
			tail -n 20 "$log" | ktd_indent
		fi
	done
}

# A run that must fail: judged clean, or failed for another reason than
# the WARN, is a failure of the harness.
phase_selftest() {
	local why doc p=0 f=0 st=$KTD_TOP/scripts/selftest
	step "harness self-test: a WARN and a failing KUnit case must fail a run"
	# The splat scan on two console excerpts: a KCSAN report with a frame
	# in our modules is a splat; the kernel's own races are listed instead.
	why=$("$KTD_TOP/scripts/splats.sh" "$st/kcsan-ours.console") || true
	if [ "$(wc -l <<<"$why")" = 1 ] && grep -q 'KCSAN: data-race in ktd_thread_fn' <<<"$why" &&
		[ "$("$KTD_TOP/scripts/splats.sh" --kernel-races "$st/kcsan-ours.console" | wc -l)" = 1 ]; then
		ktd_pass "harness self-test: a KCSAN report with a frame in our module is a splat"
	else
		ktd_fail "harness self-test: scripts/splats.sh missed the KCSAN report in $st/kcsan-ours.console"
	fi
	if [ -z "$("$KTD_TOP/scripts/splats.sh" "$st/kcsan-kernel.console")" ] &&
		[ "$("$KTD_TOP/scripts/splats.sh" --kernel-races "$st/kcsan-kernel.console" | wc -l)" = 2 ]; then
		ktd_pass "harness self-test: the kernel's own KCSAN races are listed, not splats"
	else
		ktd_fail "harness self-test: scripts/splats.sh misjudged $st/kcsan-kernel.console"
	fi
	built "$kobj" "$b12" "6.12"
	if ! make -C "$kobj" M="$b12/scripts/selftest" modules >"$out/selftest-build.log" 2>&1; then
		ktd_fail "harness self-test module build (see $out/selftest-build.log)"
		return
	fi
	if why=$(ktd_vm -t 300 "$bzimage" "$out/selftest" "$jobs/selftest.sh" \
		"$b12/scripts/selftest/ktd_selftest.ko" 2>&1); then
		ktd_fail "harness self-test: a run with a WARN was judged clean"
	elif grep -q 'kernel splat' <<<"$why" &&
		grep -q 'deliberate warning' "$out/selftest/console.log"; then
		ktd_pass "harness self-test: the WARN failed the run"
	else
		ktd_fail "harness self-test: run failed, but not for the WARN"
		ktd_indent <<<"$why"
	fi
	doc=$("$KTD_TOP/scripts/ktap-split.sh" "$out/selftest/guest.log" "$out/selftest/ktap" |
		head -n 1) || true
	[ -z "$doc" ] || { ktd_ktap_parse "$doc"; read -r p f _ <"${doc%.ktap}.count"; }
	if [ "$f" -eq 1 ] && [ "$p" -eq 0 ]; then
		ktd_pass "harness self-test: kunit.py reported the failing case as failed"
	else
		ktd_fail "harness self-test: expected 1 failed KUnit case, got $p passed, $f failed"
	fi
}

phase_ult() {
	local bin
	step "user-level thread library (scripts/ult) on the host"
	# Kernel style, minus what user space cannot follow: stdint types,
	# volatile sig_atomic_t for the signal handler, and ult.h's own
	# definitions of __noreturn, __printf and noinline (the code uses them).
	if cp_out=$(cd "$KTD_TOP" && perl "$KTD_KSRC/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types -f scripts/ult/*.[ch] \
		--ignore PREFER_KERNEL_TYPES,VOLATILE,PREFER_DEFINED_ATTRIBUTE_MACRO \
		2>&1) && ! grep -qE 'ERROR|WARNING|CHECK' <<<"$cp_out"; then
		ktd_pass "checkpatch --strict scripts/ult (user-space rules)"
	else
		ktd_fail "checkpatch --strict scripts/ult"
		grep -E 'ERROR|WARNING|CHECK' <<<"$cp_out" | ktd_indent || true
	fi
	if bin=$("$KTD_TOP/scripts/ult-bench.sh" --build-only 2>"$out/ult-build.log"); then
		ktd_pass "ultbench: static build with -Wall -Wextra, no warnings"
		{
			echo "KTD-KTAP-BEGIN ult"
			timeout -k 5 120 "$bin" --selftest || true
			echo "KTD-KTAP-END"
		} >"$out/ult.log" 2>&1
		ktd_ktap_tally "$out/ult.log" "host" 1
	else
		ktd_fail "ultbench build (see $out/ult-build.log)"
	fi
	# The READMEs' measured figures are copied, not typed: each quoted
	# block is in its results file, line for line.
	local readme
	for readme in README.md scripts/results/README.md; do
		if q_out=$(python3 "$KTD_TOP/scripts/readme-quotes.py" "$KTD_TOP/$readme" 2>&1); then
			ktd_pass "$readme quotes scripts/results verbatim ($(grep -c '^ok' <<<"$q_out") blocks)"
		else
			ktd_fail "$readme quotes that are not in their results file"
			grep -v '^ok' <<<"$q_out" | ktd_indent || true
		fi
	done
}

# What each story's trace must show: timeline.sh -c prints a PASS or
# FAIL line per property.
phase_timeline() {
	local line failed=0
	step "timelines of the other stories on Debian's $distro kernel, checked"
	while IFS= read -r line; do
		case $line in
		"PASS  "*) ktd_pass "timeline: ${line#PASS  }" ;;
		"FAIL  "*) ktd_fail "timeline: ${line#FAIL  }"; failed=1 ;;
		"KTD-TL-RC 0") ;;
		"KTD-TL-RC "*)
			[ $failed = 1 ] ||
				ktd_fail "timeline: scripts/timeline.sh -s stories -c failed (logs in $out/timeline)"
			;;
		*) printf '      %s\n' "$line" ;;
		esac
	done < <(rc=0; KTD_OUT=$out "$KTD_TOP/scripts/timeline.sh" -s stories -c 2>&1 || rc=$?
		echo "KTD-TL-RC $rc")
}

phase_dkms() {
	local line
	step "make install and DKMS against Debian's $distro headers"
	# Each step prints its own PASS/FAIL line; count them as ours.
	while IFS= read -r line; do
		case $line in
		"PASS  "*) ktd_pass "${line#PASS  }" ;;
		"FAIL  "*) ktd_fail "${line#FAIL  }" ;;
		*) printf '      %s\n' "$line" ;;
		esac
	done < <("$KTD_TOP/scripts/dkms-check.sh" 2>&1 || echo "FAIL  scripts/dkms-check.sh exited with an error")
}

phase_torture() {
	local n verdict log=$out/torture/guest.log
	step "torture on the debug test kernel"
	built "$kobj" "$b12" "6.12"
	# Half of torture.sh's own settings: make soak runs them in full.
	printf '%s\n' "# make check's torture: half of the defaults" \
		"CYCLES=50 RACE_SECS=10 HOTPLUG=20 FREEZES=3 HOSTILE=60 sh -e /torture.sh" \
		>"$out/torture-job.sh"
	ktd_vm_check "torture" -t 2400 "$bzimage" "$out/torture" "$out/torture-job.sh" \
		"$jobs/torture.sh" "$b12"/*.ko
	ktd_ktap_tally "$log" "6.12 debug kernel" 1
	n=$("$KTD_TOP/scripts/splats.sh" "$out/torture/console.log" | wc -l || true)
	verdict=SUCCESS
	grep -q '^not ok' "$log" && verdict=FAILURE
	[ "$n" -eq 0 ] || verdict=FAILURE
	grep -q '^TORTURE ' "$log" || verdict=FAILURE
	echo "torture: $(sed -n 's/^TORTURE //p' "$log") splats=$n: $verdict"
}

# The same small job in two boots under -icount: instruction counts
# that drift by more than 1% fail. -icount needs TCG.
phase_icount() {
	local log=$out/icount.log line
	step "deterministic mode: instruction counts in two boots (-icount)"
	if [ "${KTD_KVM:-0}" = 1 ]; then
		KTD_SKIPPED=$((KTD_SKIPPED + 1))
		echo "SKIP  icount: KTD_KVM=1, and -icount needs TCG"
		return
	fi
	"$KTD_TOP/scripts/icount-bench.sh" --small >"$log" 2>&1 || true
	line=$(grep '^ICOUNT-DRIFT ' "$log" | tail -n 1) || true
	case $line in
	*" PASS")
		ktd_pass "icount: ${line#ICOUNT-DRIFT } (two boots, at most 1%)" ;;
	*" FAIL")
		ktd_fail "icount: ${line#ICOUNT-DRIFT } (two boots, at most 1%)"
		awk '$NF ~ /%$/ && $NF + 0 > 1' "$log" | ktd_indent ;;
	*)
		ktd_fail "icount: no drift figure (see $log)"
		tail -n 20 "$log" | ktd_indent ;;
	esac
}

# Bounded here; scripts/soak.sh (make soak) runs it round after round.
phase_fuzz() {
	local tfiles
	step "fuzzing on the debug test kernel: trinity and mutated writes"
	built "$kobj" "$b12" "6.12"
	mapfile -t tfiles < <(ktd_trinity_files)
	# FUZZ_SEED=S in the environment replays the run that printed seed S.
	printf '%s\n' "# make check's fuzz: bounded, seed from the clock or FUZZ_SEED" \
		"FUZZ_SYSCALLS=${FUZZ_SYSCALLS:-10000} FUZZ_SEED=${FUZZ_SEED:-\$(date +%s)} sh -e /fuzz.sh" \
		>"$out/fuzz-job.sh"
	ktd_vm_check "fuzz" -t 1200 "$bzimage" "$out/fuzz" "$out/fuzz-job.sh" \
		"$jobs/fuzz.sh" "$b12"/*.ko "${tfiles[@]}"
	ktd_ktap_tally "$out/fuzz/guest.log" "6.12 debug kernel" 1
	sed -n 's/^FUZZ /fuzz: /p' "$out/fuzz/guest.log"
}

# The second test kernel: KCSAN instead of KASAN (they exclude each other).
phase_kcsan() {
	local kc mods t kraces kt=()
	step "KCSAN test kernel: KUnit suites, guest tests and a shortened torture"
	# Not test-faults: failing allocations is the debug kernel's work;
	# here what counts is the races, and it would double this boot.
	for t in "${gtests[@]}"; do
		[ "${t##*/}" = test-faults.sh ] || kt+=("$t")
	done
	if ! wait "$kcsan_pid" || ! kc=$(cat "$out/kcsan-kernel.path") || [ -z "$kc" ]; then
		ktd_fail "KCSAN test kernel build (see $out/kcsan-kernel.log)"
		ktd_indent <"$out/kcsan-kernel.log"
		return
	fi
	echo "KCSAN test kernel: $kc"
	mods=$(ktd_build_cached "$kc") || { ktd_fail "module build for the KCSAN kernel"; return; }
	ktd_vm_check "6.12 KCSAN kernel" -t 2400 "$kc/arch/x86/boot/bzImage" "$out/kcsan" \
		"$jobs/kcsan.sh" "${kt[@]}" "$jobs/kunit.sh" "$jobs/torture.sh" \
		"$mods"/*.ko "$mods"/kunit/*.ko "$mods"/ktd_act_test
	ktd_ktap_tally "$out/kcsan/guest.log" "6.12 KCSAN kernel" \
		$((${#kt[@]} + $(nkunit "$mods") + 1))
	# KCSAN counts a race whose value did not change too, and reports it
	# not (REPORT_VALUE_CHANGE_ONLY). A report with a frame in our modules
	# fails the boot above; the kernel's own are listed here (splats.sh).
	kraces=$("$KTD_TOP/scripts/splats.sh" --kernel-races "$out/kcsan/console.log" 2>/dev/null) || true
	[ -z "$kraces" ] || sed 's/^[0-9]*:/kcsan: the kernel'"'"'s own race, no frame of ours, not counted: /' <<<"$kraces"
	sed -n "s/^KCSAN \(.*\)/kcsan: \1 reports=$(grep -c 'BUG: KCSAN:' "$out/kcsan/console.log" 2>/dev/null || true) kernel_own=$(grep -c . <<<"$kraces" || true)/p" \
		"$out/kcsan/guest.log"
}

phase_times=()
for p in "${phases[@]}"; do
	t=$SECONDS
	"phase_$p"
	phase_times+=("$p $((SECONDS - t)) s")
done

# What each phase took: the README's table of how long make check takes
# comes from these lines.
printf '\nphase times: '
(IFS=,; printf '%s\n' "${phase_times[*]}" | sed 's/,/, /g')
printf 'all checks done in %d s\n' "$SECONDS"
ktd_summary "cases the guest could not host"
