#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every check kthread-demo has; the last line is "N passed, N failed".
#
# usage: scripts/check.sh
#
# Installs what it needs, builds (or reuses) the debug test kernel, then:
# checkpatch --strict; W=1 + sparse (C=2) builds for Debian's 6.1 headers
# and the 6.12 test tree; the KUnit suites and the guest interface tests on
# the debug kernel; the interface tests on Debian's own 6.1 kernel; and a
# self-test proving that a WARN and a failing KUnit case fail a run.
# Every KUnit case and guest test counts on its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
step() { printf '\n=== %s  (t=%ds)\n' "$*" "$SECONDS"; }

# ktap_tally LOG NAME: parse LOG with kunit.py and add its cases to the
# totals. A log with no test at all is a failure, never a pass.
ktap_tally() {
	local log=$1 name=$2 json=${1%.log}.json p f s
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$json" \
		"$log" >"${1%.log}.kunit.txt" 2>&1 || true
	sed -n '/=====/,$p' "${1%.log}.kunit.txt" | grep -v '^\[' | sed 's/^/      /' |
		grep -E 'PASSED|FAILED|SKIPPED|CRASHED|Testing complete' || true
	read -r p f s < <(python3 "$KTD_TOP/scripts/ktap-count.py" "$json" 2>/dev/null ||
		echo "0 0 0")
	if [ $((p + f + s)) -eq 0 ]; then
		fail "$name: no test results in $log"
		return
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%s  %s: %d passed, %d failed, %d skipped (kunit.py parse)\n' \
		"$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" "$name" "$p" "$f" "$s"
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

step "static checks"
mapfile -t sources < <(cd "$KTD_TOP" && git ls-files -co --exclude-standard -- '*.c' '*.h')
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
b12=$out/build-6.12 b61=$out/build-6.1

step "KUnit suites and interface tests on the debug test kernel"
printf 'sh -e /sysfs.sh\nsh -e /kunit.sh\n' >"$out/debug-job.sh"
"$KTD_TOP/scripts/mkinitramfs.sh" "$out/debug.cpio" "$out/debug-job.sh" \
	"$KTD_TOP/scripts/guest-ktap.sh" "$KTD_TOP/scripts/jobs/sysfs.sh" \
	"$KTD_TOP/scripts/jobs/kunit.sh" "$b12/kthread_demo.ko" "$b12"/kunit/*.ko
t0=$SECONDS
if "$KTD_TOP/scripts/run-vm.sh" -t 300 "$kobj/arch/x86/boot/bzImage" \
	"$out/debug.cpio" "$out/debug"; then
	pass "debug kernel run: sentinel reached, no splat ($((SECONDS - t0)) s)"
else
	fail "debug kernel run (logs in $out/debug)"
fi
ktap_tally "$out/debug/console.log" "KUnit on 6.12 debug kernel"
ktap_tally "$out/debug/guest.log" "interface tests on 6.12 debug kernel"

step "interface tests on Debian's $distro kernel"
"$KTD_TOP/scripts/mkinitramfs.sh" "$out/distro.cpio" "$KTD_TOP/scripts/jobs/sysfs.sh" \
	"$KTD_TOP/scripts/guest-ktap.sh" "$b61/kthread_demo.ko"
t0=$SECONDS
if "$KTD_TOP/scripts/run-vm.sh" -t 300 "/boot/vmlinuz-$distro" \
	"$out/distro.cpio" "$out/distro"; then
	pass "Debian $distro run: sentinel reached, no splat ($((SECONDS - t0)) s)"
else
	fail "Debian $distro run (logs in $out/distro)"
fi
ktap_tally "$out/distro/guest.log" "interface tests on Debian $distro"

step "harness self-test: a WARN and a failing KUnit case must fail a run"
rc=0
make -C "$kobj" M="$b12/scripts/selftest" modules >"$out/selftest-build.log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then
	fail "harness self-test module build (see $out/selftest-build.log)"
else
	"$KTD_TOP/scripts/mkinitramfs.sh" "$out/selftest.cpio" \
		"$KTD_TOP/scripts/jobs/selftest.sh" "$b12/scripts/selftest/ktd_selftest.ko"
	if "$KTD_TOP/scripts/run-vm.sh" -t 300 "$kobj/arch/x86/boot/bzImage" \
		"$out/selftest.cpio" "$out/selftest" 2>"$out/selftest.verdict"; then
		fail "harness self-test: a run with a WARN was judged clean"
	elif grep -q 'kernel splat' "$out/selftest.verdict" &&
		grep -q 'deliberate warning' "$out/selftest/console.log"; then
		pass "harness self-test: the WARN failed the run"
	else
		fail "harness self-test: run failed, but not for the WARN ($out/selftest.verdict)"
	fi
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/selftest.json" \
		"$out/selftest/console.log" >/dev/null 2>&1 || true
	read -r p f s < <(python3 "$KTD_TOP/scripts/ktap-count.py" "$out/selftest.json" 2>/dev/null ||
		echo "0 0 0")
	if [ "$f" -eq 1 ] && [ "$p" -eq 0 ]; then
		pass "harness self-test: kunit.py reported the failing case as failed"
	else
		fail "harness self-test: expected 1 failed KUnit case, got $p passed, $f failed"
	fi
fi

printf '\nall checks done in %d s\n' "$SECONDS"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
