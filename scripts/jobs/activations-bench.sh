# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/activations-bench.sh: seed 001's example with
# scheduler activations, in one boot. Each result is framed by
# "KTD-ACT-BEGIN <name>" and "KTD-ACT-END" for the host to cut out.
#
#   env        kernel, CPUs
#   selftest   ult-selftest's activation cases, with the module loaded
#   actbench   /actbench: M:1, M:N+monitor, M:N+activations, 1:1
#   cost.<i>   the probe's cost per context switch (ktd_act_test
#              pingpong, pinned to CPU 0): unloaded, loaded with nobody
#              registered ("off"), an idle VP registered ("other": every
#              switch looks itself up), the switching threads registered
#              ("vps": every switch makes an event), run i of RUNS
#
# The whole run has CPU 1 offline: attaching the probe rewrites kernel
# code, which QEMU 7.2's TCG cannot do with another vCPU running
# (no_other_cpu in guest-ktap.sh), and the example is one processor.
. /guest-ktap.sh

RUNS=${RUNS:-3}
PP_N=${PP_N:-5000}
ACT_ARGS=${ACT_ARGS:---reps 3 --lat 100}

begin() { echo "KTD-ACT-BEGIN $1"; }
end() { echo "KTD-ACT-END"; }

[ ! -w $CPU1 ] || echo 0 >$CPU1
begin env
echo "kernel: $(uname -r)"
echo "cpus_online: $(nproc)"
echo "actbench_args: $ACT_ARGS"
end

# unloaded first
r=1
while [ $r -le "$RUNS" ]; do
	begin "cost.$r"
	/ktd_act_test pingpong off "$PP_N" | sed 's/pingpong off/pingpong unloaded/'
	insmod /ktd_activations.ko
	/ktd_act_test pingpong off "$PP_N"
	/ktd_act_test pingpong other "$PP_N"
	/ktd_act_test pingpong vps "$PP_N"
	rmmod ktd_activations
	end
	r=$((r + 1))
done

insmod /ktd_activations.ko
begin selftest
/ult-selftest activations || echo "selftest failed: $?"
end
begin actbench
# shellcheck disable=SC2086 # the arguments are words
/actbench $ACT_ARGS
end
rmmod ktd_activations
[ ! -w $CPU1 ] || echo 1 >$CPU1
