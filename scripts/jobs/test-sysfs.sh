# SPDX-License-Identifier: GPL-2.0
# Guest job: the sysfs and debugfs interface as a user drives it.
# Runs on both the debug test kernel and Debian's 6.1 kernel.
. /guest-ktap.sh

SYS=/sys/kernel/kthread_demo
DBG=/sys/kernel/debug/kthread_demo
NL='
'

nr_ktd_threads() {
	ps -o comm | grep -c '^ktd/' || true
}

test_load() {
	insmod /kthread_demo.ko nr_threads=2
	[ -d $SYS ] || ktap_fail "$SYS missing"
	expect_eq "$(cat $SYS/nr_threads)" 2 "nr_threads after load"
	expect_eq "$(nr_ktd_threads)" 2 "ktd/* threads in ps"
}

test_resize() {
	echo 6 >$SYS/nr_threads
	expect_eq "$(cat $SYS/nr_threads)" 6 "nr_threads after growing"
	expect_eq "$(nr_ktd_threads)" 6 "ktd/* threads after growing"
	pid0=$(ps -o pid,comm | awk '$2 == "ktd/0" { print $1 }')
	echo 1 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 1 "ktd/* threads after shrinking"
	expect_eq "$(ps -o pid,comm | awk '$2 == "ktd/0" { print $1 }')" "$pid0" \
		"ktd/0 survives a resize"
}

test_bad_input_changes_nothing() {
	echo 3 >$SYS/nr_threads
	# A zero-byte write never reaches the store method; a bare newline does.
	for v in "$NL" " " abc -1 3x 0x; do
		expect_write_error $SYS/nr_threads "$v" "Invalid argument"
	done
	expect_write_error $SYS/nr_threads 99999999999999999999 "out of range"
	expect_write_error $SYS/nr_threads 4097 "out of range"
	expect_eq "$(cat $SYS/nr_threads)" 3 "nr_threads after bad writes"
	expect_eq "$(nr_ktd_threads)" 3 "ktd/* threads after bad writes"
}

test_debugfs_threads() {
	rows=$(tail -n +2 $DBG/threads | wc -l)
	expect_eq "$rows" "$(cat $SYS/nr_threads)" "rows in $DBG/threads"
	loops=$(awk 'NR > 1 && $3 > 0' $DBG/threads | wc -l)
	expect_eq "$loops" "$rows" "threads whose loop counter moved"
}

test_unload_leaves_nothing() {
	rmmod kthread_demo
	[ ! -e $SYS ] || ktap_fail "$SYS still there"
	[ ! -e $DBG ] || ktap_fail "$DBG still there"
	expect_eq "$(nr_ktd_threads)" 0 "ktd/* threads after rmmod"
}

ktap_run kthread_demo_sysfs test_load test_resize \
	test_bad_input_changes_nothing test_debugfs_threads \
	test_unload_leaves_nothing
