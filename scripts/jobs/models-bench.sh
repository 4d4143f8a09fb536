# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/models-bench.sh: ultbench --models (M:1, M:N,
# 1:1, processes: seed 002's table, fairness, lock-holder preemption) in
# the guest, each result framed by "KTD-MODELS-BEGIN <name>" and
# "KTD-MODELS-END" for the host to cut out.
#
#   env      kernel, CPUs, memory and the thread limits
#   models   /ultbench --models $MODELS_ARGS: its stdout, PLATFORM first
#
# The host sets MODELS_ARGS before sourcing this file.
#
# No module is loaded here. A busy host can stop a TCG vCPU for seconds
# ("hrtimer: interrupt took 1565733470 ns" in one run, then an RCU stall
# report), which is the host's doing, not a fault this run could show.
# ktd-splat-allow: rcu: INFO: .*detected stalls
MODELS_ARGS=${MODELS_ARGS:---seed-runs 3}

begin() { echo "KTD-MODELS-BEGIN $1"; }
end() { echo "KTD-MODELS-END"; }

begin env
echo "kernel: $(uname -r)"
echo "cpus_online: $(nproc)"
echo "mem_total: $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
echo "threads_max: $(cat /proc/sys/kernel/threads-max)"
echo "autogroup: $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo none)"
echo "models_args: $MODELS_ARGS"
end

# Progress (stderr) stays out of the section; on failure it follows it.
begin models
# shellcheck disable=SC2086 # the arguments are words
/ultbench --models $MODELS_ARGS 2>/tmp/models.err || {
	end
	cat /tmp/models.err
	exit 1
}
end
