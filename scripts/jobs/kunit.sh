# SPDX-License-Identifier: GPL-2.0
# Guest job: load the module, then each KUnit suite module in turn. The
# suites run when their module loads; their results are read back from
# KUnit's debugfs before the module goes away.
. /guest-ktap.sh
insmod /kthread_demo.ko
for t in /*_test.ko; do
	insmod "$t"
	ktap_kunit_results
	rmmod "$t"
done
rmmod kthread_demo
