# SPDX-License-Identifier: GPL-2.0
# KTAP output from the guest (busybox sh). Source it from a job.
#
#   ktap_run SUITE test_fn...
#	runs each test function in a subshell with `set -e`; a test passes
#	when every command in it succeeds. ktap_fail MSG prints a diagnostic
#	and fails the current test.
#   ktap_kunit_results
#	prints the results of every KUnit suite loaded right now, from
#	KUnit's own /sys/kernel/debug/kunit/<suite>/results.
#
# Each KTAP document goes out between "KTD-KTAP-BEGIN <name>" and
# "KTD-KTAP-END" lines; the host cuts them apart and parses each with the
# kernel's kunit.py.

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
	echo "KTD-KTAP-BEGIN $suite"
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
