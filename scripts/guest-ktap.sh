# SPDX-License-Identifier: GPL-2.0
# KTAP output for guest shell tests (busybox sh). Source it from a job.
#
#   ktap_run SUITE test_fn...
#
# runs each test function in a subshell with `set -e`; a test passes when
# every command in it succeeds. Output is KTAP, so the host parses it with the kernel's own
# kunit.py, exactly like the KUnit suites. ktap_fail MSG prints a diagnostic
# and fails the current test.

ktap_fail() {
	echo "    # $*"
	return 1
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

ktap_run() {
	suite=$1
	shift
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: $suite"
	echo "    1..$#"
	n=0 bad=0
	for t in "$@"; do
		n=$((n + 1))
		set +e
		(set -e; "$t")
		rc=$?
		set -e
		if [ $rc -eq 0 ]; then
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
}
