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
#   debug     the guest tests (scripts/jobs/test-*.sh) and the KUnit
#             suites on the debug test kernel
#   distro    the guest tests on Debian's own 6.1 kernel
#   selftest  proof that a WARN and a failing KUnit case fail a run
#   ult       the user-level thread library's self-test (host, static)
#   dkms      make install/uninstall and a DKMS add, build, install,
#             remove cycle against Debian's 6.1 headers (nothing loaded)
#   torture   load/unload cycles, reconfiguration races, CPU hotplug, the
#             freezer and hostile input, on the debug kernel
#   kunit     only the KUnit suites on the debug kernel (`make kunit`), the
#             quick loop: without the end-of-run kmemleak scan, which
#             the debug phase runs over the same suites
# Every KUnit case and guest test counts on its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
step() { printf '\n=== %s  (t=%ds)\n' "$*" "$SECONDS"; }

# ktap_tally GUEST.LOG LABEL MIN_DOCS: parse each KTAP document the guest
# printed with kunit.py and add its cases to the totals. Fewer documents
# than expected, or a document with no test, is a failure.
ktap_tally() {
	local log=$1 label=$2 want=$3 dir=${1%.log}-ktap doc docs base name p f s n=0
	local pids=() pid
	rm -rf "$dir"
	mapfile -t docs < <("$KTD_TOP/scripts/ktap-split.sh" "$log" "$dir")
	# kunit.py parses each document; they are independent, so in parallel.
	for doc in "${docs[@]}"; do
		base=${doc%.ktap}
		{
			python3 "$src/tools/testing/kunit/kunit.py" parse --json="$base.json" \
				"$doc" >"$base.txt" 2>&1
			python3 "$KTD_TOP/scripts/ktap-count.py" "$base.json" \
				>"$base.count" 2>/dev/null || echo "0 0 0" >"$base.count"
		} &
		pids+=($!)
	done
	# Wait for each by pid: once, a bare `wait` here let the loop below
	# find a document whose count was not written yet.
	for pid in "${pids[@]}"; do
		wait "$pid" || true
	done
	for doc in "${docs[@]}"; do
		n=$((n + 1)) base=${doc%.ktap} name=${doc##*/}
		name=${name%.ktap} name=${name#*-}
		read -r p f s <"$base.count" || { p=0 f=0 s=0; }
		if [ $((p + f + s)) -eq 0 ]; then
			fail "$label, $name: no test results (see $doc)"
			continue
		fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		printf '%s  %s, %s: %d passed, %d failed, %d skipped (kunit.py parse)\n' \
			"$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" "$label" "$name" "$p" "$f" "$s"
		[ "$f" -eq 0 ] || sed -E 's/^\[[0-9:]+\] //' "$base.txt" |
			grep -E 'FAILED|CRASHED|ERROR|# ' | head -n 20 | sed 's/^/      /'
	done
	[ "$n" -ge "$want" ] ||
		fail "$label: $n KTAP documents in $log, expected at least $want"
}

# clean_build LOG NAME: the build succeeded with no compiler or sparse
# warning at all.
clean_build() {
	local log=$1 name=$2 rc=$3
	if [ "$rc" -eq 0 ] && ! grep -qE 'warning:|error:' "$log"; then
		pass "$name"
	else
		fail "$name (see $log)"
		grep -E 'warning:|error:' "$log" | head -n 20 | sed 's/^/      /'
	fi
}

phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(static debug distro selftest ult dkms torture)
for p in "${phases[@]}"; do
	case $p in
	static | debug | distro | selftest | ult | dkms | torture | kunit) ;;
	*) ktd_die "unknown phase '$p' (static, debug, distro, selftest, ult, dkms, torture, kunit)" ;;
	esac
done

# built KDIR DIR NAME: the modules for KDIR, built in DIR unless the static
# phase already did (with W=1 C=2) in this run.
built() {
	[ -f "$2/kthread_demo.ko" ] && return 0
	ktd_build "$1" "$2" || fail "$3 build (see $2/build.log)"
}

step "dependencies and the debug test kernel"
ktd_deps
kobj=$("$KTD_TOP/scripts/build-kernel.sh")
src=$(ktd_kernel_src "$kobj")
distro=$(ktd_distro_kver)
echo "test kernel: $kobj"
echo "distro kernel: $distro"
out=$KTD_OUT/check
rm -rf "$out"
mkdir -p "$out"

b12=$out/build-6.12 b61=$out/build-6.1

phase_static() {
	step "static checks"
	# The kernel code; scripts/ult is user space, checked in phase_ult.
	mapfile -t sources < <(cd "$KTD_TOP" && git ls-files -co --exclude-standard -- \
		'*.c' '*.h' ':!scripts/ult/*')
	if cp_out=$(cd "$KTD_TOP" && perl "$src/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types --ignore LINUX_VERSION_CODE -f "${sources[@]}" 2>&1) &&
		! grep -qE 'ERROR|WARNING|CHECK' <<<"$cp_out"; then
		pass "checkpatch --strict (${#sources[@]} files)"
	else
		fail "checkpatch --strict"
		grep -E 'ERROR|WARNING|CHECK' <<<"$cp_out" | head -n 20 | sed 's/^/      /'
	fi
	rc=0; ktd_build "/lib/modules/$distro/build" "$out/build-6.1" W=1 C=2 || rc=$?
	clean_build "$out/build-6.1/build.log" "W=1 C=2 build against Debian $distro headers" $rc
	rc=0; ktd_build "$kobj" "$out/build-6.12" W=1 C=2 || rc=$?
	clean_build "$out/build-6.12/build.log" "W=1 C=2 build against the 6.12 test kernel (with kunit/)" $rc
	# clang: Debian's headers and the test kernel are configured for gcc
	# and pass gcc-only flags, so clang gets a tree of its own, configured
	# with LLVM=1 and prepared for module builds (about a minute, cached).
	# It compiles every object; there is no Module.symvers to link with.
	rc=0
	if kllvm=$("$KTD_TOP/scripts/build-kernel.sh" --llvm 2>"$out/llvm-tree.log"); then
		ktd_build "$kllvm" "$out/build-clang" LLVM=1 W=1 \
			kthread_demo.o workqueue_demo.o kunit/kthread_demo_test.o \
			kunit/workqueue_demo_test.o || rc=$?
	else
		rc=1
		cp "$out/llvm-tree.log" "$out/build-clang.log" 2>/dev/null || true
	fi
	clean_build "$out/build-clang/build.log" "LLVM=1 W=1 (clang) compile against the 6.12 tree configured for clang" $rc
}

phase_kunit() {
	local mods
	step "KUnit suites on the debug test kernel"
	t0=$SECONDS
	if mods=$(ktd_build_cached "$kobj") &&
		"$KTD_TOP/scripts/mkinitramfs.sh" "$out/kunit.cpio" "$KTD_TOP/scripts/jobs/kunit.sh" \
			"$KTD_TOP/scripts/guest-ktap.sh" "$mods"/*.ko "$mods"/kunit/*.ko &&
		"$KTD_TOP/scripts/run-vm.sh" -m 320M -a ktd.leakscan=0 -t 600 "$kobj/arch/x86/boot/bzImage" \
			"$out/kunit.cpio" "$out/kunit"; then
		pass "KUnit run: sentinel reached, no splat ($((SECONDS - t0)) s)"
	else
		fail "KUnit run (logs in $out/kunit)"
	fi
	ktap_tally "$out/kunit/guest.log" "6.12 debug kernel" \
		"$(find "${mods:-/nonexistent}/kunit" -name '*_test.ko' 2>/dev/null | wc -l)"
}

mapfile -t gtests < <(ls "$KTD_TOP"/scripts/jobs/test-*.sh)

phase_debug() {
	step "guest tests and KUnit suites on the debug test kernel"
	built "$kobj" "$b12" "6.12"
	# Guest tests are scripts/jobs/test-*.sh; each loads what it needs.
	{
		for t in "${gtests[@]}"; do
			echo "sh -e /${t##*/}"
		done
		echo "sh -e /kunit.sh"
	} >"$out/debug-job.sh"
	t0=$SECONDS
	if "$KTD_TOP/scripts/mkinitramfs.sh" "$out/debug.cpio" "$out/debug-job.sh" \
		"$KTD_TOP/scripts/guest-ktap.sh" "${gtests[@]}" "$KTD_TOP/scripts/jobs/kunit.sh" \
		"$b12"/*.ko "$b12"/kunit/*.ko &&
		"$KTD_TOP/scripts/run-vm.sh" -t 600 "$kobj/arch/x86/boot/bzImage" \
		"$out/debug.cpio" "$out/debug"; then
		pass "debug kernel run: sentinel reached, no splat ($((SECONDS - t0)) s)"
	else
		fail "debug kernel run (logs in $out/debug)"
	fi
	nkunit=$(find "$b12/kunit" -name '*_test.ko' 2>/dev/null | wc -l)
	ktap_tally "$out/debug/guest.log" "6.12 debug kernel" $((${#gtests[@]} + nkunit))

}

phase_distro() {
	step "guest tests on Debian's $distro kernel"
	built "/lib/modules/$distro/build" "$b61" "6.1"
	for t in "${gtests[@]}"; do
		echo "sh -e /${t##*/}"
	done >"$out/distro-job.sh"
	t0=$SECONDS
	if "$KTD_TOP/scripts/mkinitramfs.sh" "$out/distro.cpio" "$out/distro-job.sh" \
		"$KTD_TOP/scripts/guest-ktap.sh" "${gtests[@]}" "$b61"/*.ko &&
		"$KTD_TOP/scripts/run-vm.sh" -t 600 "/boot/vmlinuz-$distro" \
		"$out/distro.cpio" "$out/distro"; then
		pass "Debian $distro run: sentinel reached, no splat ($((SECONDS - t0)) s)"
	else
		fail "Debian $distro run (logs in $out/distro)"
	fi
	ktap_tally "$out/distro/guest.log" "Debian $distro" ${#gtests[@]}

}

phase_selftest() {
	step "harness self-test: a WARN and a failing KUnit case must fail a run"
	built "$kobj" "$b12" "6.12"
	rc=0
	make -C "$kobj" M="$b12/scripts/selftest" modules >"$out/selftest-build.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		fail "harness self-test module build (see $out/selftest-build.log)"
	else
		"$KTD_TOP/scripts/mkinitramfs.sh" "$out/selftest.cpio" \
			"$KTD_TOP/scripts/jobs/selftest.sh" "$KTD_TOP/scripts/guest-ktap.sh" \
			"$b12/scripts/selftest/ktd_selftest.ko"
		if "$KTD_TOP/scripts/run-vm.sh" -t 300 "$kobj/arch/x86/boot/bzImage" \
			"$out/selftest.cpio" "$out/selftest" 2>"$out/selftest.verdict"; then
			fail "harness self-test: a run with a WARN was judged clean"
		elif grep -q 'kernel splat' "$out/selftest.verdict" &&
			grep -q 'deliberate warning' "$out/selftest/console.log"; then
			pass "harness self-test: the WARN failed the run"
		else
			fail "harness self-test: run failed, but not for the WARN ($out/selftest.verdict)"
		fi
		doc=$("$KTD_TOP/scripts/ktap-split.sh" "$out/selftest/guest.log" "$out/selftest/ktap" |
			head -n 1)
		python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/selftest.json" \
			"${doc:-/dev/null}" >/dev/null 2>&1 || true
		read -r p f s < <(python3 "$KTD_TOP/scripts/ktap-count.py" "$out/selftest.json" 2>/dev/null ||
			echo "0 0 0")
		if [ "$f" -eq 1 ] && [ "$p" -eq 0 ]; then
			pass "harness self-test: kunit.py reported the failing case as failed"
		else
			fail "harness self-test: expected 1 failed KUnit case, got $p passed, $f failed"
		fi
	fi

}

phase_ult() {
	local bin
	step "user-level thread library (scripts/ult) on the host"
	# Kernel style, minus what user space cannot follow: stdint types,
	# volatile sig_atomic_t for the signal handler, and ult.h's own
	# definitions of __noreturn, __printf and noinline (the code uses them).
	if cp_out=$(cd "$KTD_TOP" && perl "$src/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types -f scripts/ult/*.[ch] \
		--ignore PREFER_KERNEL_TYPES,VOLATILE,PREFER_DEFINED_ATTRIBUTE_MACRO \
		2>&1) && ! grep -qE 'ERROR|WARNING|CHECK' <<<"$cp_out"; then
		pass "checkpatch --strict scripts/ult (user-space rules)"
	else
		fail "checkpatch --strict scripts/ult"
		grep -E 'ERROR|WARNING|CHECK' <<<"$cp_out" | head -n 20 | sed 's/^/      /'
	fi
	if bin=$("$KTD_TOP/scripts/ult-bench.sh" --build-only 2>"$out/ult-build.log"); then
		pass "ultbench: static build with -Wall -Wextra, no warnings"
		{
			echo "KTD-KTAP-BEGIN ult"
			timeout -k 5 120 "$bin" --selftest || true
			echo "KTD-KTAP-END"
		} >"$out/ult.log" 2>&1
		ktap_tally "$out/ult.log" "host" 1
	else
		fail "ultbench build (see $out/ult-build.log)"
	fi
}

phase_dkms() {
	local line
	step "make install and DKMS against Debian's $distro headers"
	# Each step prints its own PASS/FAIL line; count them as ours.
	while IFS= read -r line; do
		case $line in
		"PASS  "*) pass "${line#PASS  }" ;;
		"FAIL  "*) fail "${line#FAIL  }" ;;
		*) printf '      %s\n' "$line" ;;
		esac
	done < <("$KTD_TOP/scripts/dkms-check.sh" 2>&1 || echo "FAIL  scripts/dkms-check.sh exited with an error")
}

phase_torture() {
	local n verdict
	step "torture on the debug test kernel"
	built "$kobj" "$b12" "6.12"
	t0=$SECONDS
	if "$KTD_TOP/scripts/mkinitramfs.sh" "$out/torture.cpio" \
		"$KTD_TOP/scripts/jobs/torture.sh" "$KTD_TOP/scripts/guest-ktap.sh" "$b12"/*.ko &&
		"$KTD_TOP/scripts/run-vm.sh" -t 1200 "$kobj/arch/x86/boot/bzImage" \
			"$out/torture.cpio" "$out/torture" 2>"$out/torture.verdict"; then
		pass "torture run: sentinel reached, no splat ($((SECONDS - t0)) s)"
	else
		fail "torture run (logs in $out/torture)"
		sed 's/^/      /' "$out/torture.verdict" | head -n 20
	fi
	ktap_tally "$out/torture/guest.log" "6.12 debug kernel" 1
	n=$("$KTD_TOP/scripts/splats.sh" "$out/torture/console.log" | wc -l || true)
	verdict=SUCCESS
	grep -q '^not ok' "$out/torture/guest.log" && verdict=FAILURE
	[ "$n" -eq 0 ] || verdict=FAILURE
	grep -q '^TORTURE ' "$out/torture/guest.log" || verdict=FAILURE
	echo "torture: $(sed -n 's/^TORTURE //p' "$out/torture/guest.log") splats=$n: $verdict"
}

for p in "${phases[@]}"; do
	"phase_$p"
done

printf '\nall checks done in %d s\n' "$SECONDS"
[ $skipped -eq 0 ] || echo "($skipped skipped: cases the guest could not host, see above)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
