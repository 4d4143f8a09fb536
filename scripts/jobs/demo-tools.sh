# SPDX-License-Identifier: GPL-2.0
# Guest job for `make demo VM=debian`, after scripts/jobs/demo.sh: the
# trace tools of a Debian test VM on the module's events (the recipes of
# Documentation/user-guide.rst, "Trace events"; scripts/jobs/debian-tools.sh
# tests them). Every command is echoed with a "# " prompt first.
#
# The tools turn events on and off, which patches kernel code: under QEMU
# 7.2's TCG that needs CPU 1 offline (no_other_cpu in the guest library);
# the screen shows the command only. A real test VM does not need this.
. /guest-ktap.sh

run() {
	echo "# $*"
	no_other_cpu sh -c "$*"
}

say() {
	echo
	echo "## $*"
}

cd /tmp
echo
echo "--- the trace tools of Debian $(cat /etc/debian_version):" \
	"trace-cmd $(trace-cmd --version 2>&1 | awk '{ print $3; exit }')," \
	"perf $(perf --version | awk '{ print $3 }'), bpftrace $(bpftrace --version | awk '{ print $2 }') ---"
say "Two threads of the sleep workload: a ktd_latency event every 1 ms each."
run insmod /kthread_demo.ko nr_threads=2 workload=sleep

say "trace-cmd: record the module's events, then read them back."
run "trace-cmd record -e kthread_demo sleep 2 >/dev/null 2>&1 && trace-cmd report 2>/dev/null | grep -m 4 ktd_"

say "perf stat: count each event, system-wide."
run "perf stat -e 'kthread_demo:*' -a sleep 2 2>&1 | grep -E 'kthread_demo|elapsed'"

say "perf record and perf script: every sample with its task and CPU."
run "perf record -q -e kthread_demo:ktd_latency -a sleep 2 && perf script 2>/dev/null | head -n 4"

say "bpftrace: a latency histogram per workload, in the kernel (Ctrl-C after 3 s)."
run "timeout -s INT 8 bpftrace -e 'tracepoint:kthread_demo:ktd_latency { @[str(args->workload)] = hist(args->ns); }' 2>&1 | grep -v '^Attaching'"

run rmmod kthread_demo
