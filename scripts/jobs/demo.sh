# SPDX-License-Identifier: GPL-2.0
# Guest job for `make demo`: what a user types on a test VM, and what the
# module answers. Every command is echoed with a "# " prompt first.
run() {
	echo "# $*"
	sh -c "$*"
}

echo "--- kthread-demo on $(uname -r), $(nproc) CPUs ---"
run insmod /kthread_demo.ko nr_threads=2
run ls /sys/kernel/kthread_demo/ /sys/kernel/debug/kthread_demo/
run cat /sys/kernel/kthread_demo/nr_threads
run "ps -o pid,comm | grep ktd/"
run "echo 4 > /sys/kernel/kthread_demo/nr_threads"
run sleep 1
run cat /sys/kernel/debug/kthread_demo/threads
run "echo 100000 > /sys/kernel/kthread_demo/nr_threads || echo rejected, nr_threads is still \$(cat /sys/kernel/kthread_demo/nr_threads)"
run rmmod kthread_demo
run "ps -o comm | grep -c ktd/ || true"
