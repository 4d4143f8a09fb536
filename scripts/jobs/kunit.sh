# SPDX-License-Identifier: GPL-2.0
# Guest job: load the module and each KUnit suite module; the suites run at
# load and print KTAP on the kernel console, which the host parses.
insmod /kthread_demo.ko
for t in /*_test.ko; do
	insmod "$t"
	rmmod "$t"
done
rmmod kthread_demo
