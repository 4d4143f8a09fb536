# SPDX-License-Identifier: GPL-2.0
# Guest job for scripts/overhead.sh: what kthread_demo's own measuring
# costs. Two ping-pong threads run with stats on and off in turns (ABAB,
# so drift hits both alike); each round reports round trips per second.
. /guest-ktap.sh

ROUNDS=${ROUNDS:-5}
SECS=${SECS:-2}

ktd_fresh nr_threads=2 workload=pingpong
for bind in 0 spread; do
	echo $bind >$SYS/bind
	r=1
	while [ $r -le $ROUNDS ]; do
		for on in 1 0; do
			echo $on >$SYS/stats_enabled
			sleep "$SECS"
			# loops counts both threads; a round trip is one loop each
			echo "OVERHEAD bind=$bind round=$r stats=$on rtt_per_sec=$(($(kstat loops_per_sec) / 2))"
		done
		r=$((r + 1))
	done
done
rmmod kthread_demo
