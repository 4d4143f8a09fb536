# SPDX-License-Identifier: GPL-2.0
# Guest job: load the modules under test, then each KUnit suite module in
# turn. The suites run when their module loads; their results are read
# back from KUnit's debugfs before the module goes away.
. /guest-ktap.sh
insmod /kthread_demo.ko nr_threads=0
[ ! -e /workqueue_demo.ko ] || insmod /workqueue_demo.ko
[ ! -e /ktd_activations.ko ] || insmod /ktd_activations.ko
for t in /*_test.ko; do
	insmod "$t"
	ktap_kunit_results
	rmmod "$t"
done
[ ! -e /ktd_activations.ko ] || rmmod ktd_activations
[ ! -e /workqueue_demo.ko ] || rmmod workqueue_demo
rmmod kthread_demo
