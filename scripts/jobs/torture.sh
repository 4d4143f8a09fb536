# SPDX-License-Identifier: GPL-2.0
# Guest job: torture kthread_demo (and workqueue_demo when it is there)
# under the debug kernel, in the spirit of rcutorture and locktorture:
# load/unload cycles with work in flight, concurrent reconfiguration with
# readers, CPU hotplug on purpose, the freezer, and hostile input. The
# host fails the run on any splat on the console (lockdep, KASAN,
# DEBUG_OBJECTS, kmemleak after the final scan, hung task, ...).
#
# Knobs (environment): CYCLES (100), RACE_SECS (20), HOTPLUG (40),
# FREEZES (5), HOSTILE (120 rounds of one write to every writable file).
# The summary ends with one line: "TORTURE SUCCESS" or "TORTURE FAILURE".
. /guest-ktap.sh

ONLINE=$CPU1
CYCLES=${CYCLES:-100}
RACE_SECS=${RACE_SECS:-20}
HOTPLUG=${HOTPLUG:-40}
FREEZES=${FREEZES:-5}
HOSTILE=${HOSTILE:-120}
T=/tmp/torture
mkdir -p $T
echo 0 >$T/cycles
echo 0 >$T/hotplug
echo 0 >$T/freezes
echo 0 >$T/sweeps_cut
echo 0 >$T/sweeps_ebusy
echo 0 >$T/race_offline
# The writers set policy=fifo at random: keep half of each CPU for the
# shell and the kernel's own threads (ktd_fair_share), or a CPU hotplug
# under FIFO pingpong trips the hung-task detector. Back to 5% at the end.
ktd_fair_share 45

WQD=
[ -e /workqueue_demo.ko ] && WQD=1
KASAN=
dmesg | grep -q 'KernelAddressSanitizer initialized' && KASAN=1

count() {
	echo $(($(cat "$T/$1") + ${2:-1})) >"$T/$1"
}

# Unreclaimable slab in kB: what a leak of kernel objects would grow.
slab_kb() {
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

load() {
	ktd_fresh "$@"
	[ -z "$WQD" ] || insmod /workqueue_demo.ko
}

ktap_teardown() {
	ktd_clean
}

unload() {
	[ -z "$WQD" ] || rmmod workqueue_demo
	rmmod kthread_demo
	[ ! -e $SYS ] || ktap_fail "$SYS still there after rmmod"
	[ "$(nr_ktd_threads)" = 0 ] || ktap_fail "ktd threads left after rmmod"
}

# Start a comparison sweep on every mechanism; it runs on its own.
start_bench() {
	[ -n "$WQD" ] || return 0
	echo all >$BENCH/mechanisms
	echo sweep >$BENCH/run
}

test_load_unload_cycles() {
	wl=$(ktd_workloads)
	# one cycle first, so that caches are warm before the slab baseline
	load nr_threads=2
	unload
	sleep 6		# kfree_rcu() batches drain within 5 s
	s0=$(slab_kb)
	i=1
	while [ $i -le "$CYCLES" ]; do
		set -- $wl
		shift $((i % $#))
		load nr_threads=$((i % 9)) workload=$1
		[ $((i % 3)) != 0 ] || echo spread >$SYS/bind
		[ $((i % 5)) != 0 ] || echo 1 >$SYS/parked
		start_bench
		[ $((i % 2)) = 0 ] || sleep 0.05
		unload
		count cycles
		i=$((i + 1))
	done
	sleep 6
	s1=$(slab_kb)
	echo "    # slab (SUnreclaim) before $CYCLES cycles: ${s0} kB, after: ${s1} kB"
	# KASAN's quarantine holds freed objects back (up to 1/32 of memory),
	# so there slab use says little; kmemleak's scan at the end is the
	# leak check. Without KASAN a leak of a thread per cycle is >= 800 kB.
	if [ -n "$KASAN" ]; then
		echo "    # KASAN kernel: slab growth not judged, kmemleak is"
	else
		[ $((s1 - s0)) -lt 512 ] ||
			ktap_fail "unreclaimable slab grew by $((s1 - s0)) kB over $CYCLES cycles"
	fi
}

# writer N: random valid settings, as fast as the shell goes
writer() {
	id=$1
	RANDOM=$((id * 7919))
	end=$(($(date +%s) + RACE_SECS))
	ok=0 busy=0 bad=0 n=0
	while [ $((n += 1)) -lt 20 ] || { n=0; [ "$(date +%s)" -lt $end ]; }; do
		case $((RANDOM % 9)) in
		0) f=nr_threads v=$((RANDOM % 17)) ;;
		1) f=workload; set -- $WORKLOADS; shift $((RANDOM % $#)); v=$1 ;;
		2) f=bind; set -- none spread 0 1; shift $((RANDOM % 4)); v=$1 ;;
		3) f=nice v=$((RANDOM % (KTD_NICE_MAX - KTD_NICE_MIN + 1) + KTD_NICE_MIN)) ;;
		4) f=policy; set -- normal fifo; shift $((RANDOM % 2)); v=$1 ;;
		5) f=parked v=$((RANDOM % 2)) ;;
		6) f=period_us v=$((RANDOM % 5000 + 100)) ;;
		7) f=io_stall v=$((RANDOM % 4)) ;;
		8) f=iterations; set -- 0 0 0 50; shift $((RANDOM % 4)); v=$1 ;;
		esac
		# no command substitution here: a fork costs more than the write
		if { echo "$v" >$SYS/$f; } 2>$T/err.$id; then
			ok=$((ok + 1))
		else
			read -r err <$T/err.$id
			case $err in
			*busy*) busy=$((busy + 1)) ;;
			*) bad=$((bad + 1)); echo "    # writer $id: $f=$v: $err" ;;
			esac
		fi
	done
	echo "$ok $busy $bad" >$T/writer.$id
}

reader() {
	RANDOM=$(($1 * 104729))
	end=$(($(date +%s) + RACE_SECS))
	n=0
	while [ "$(date +%s)" -lt $end ]; do
		for f in $DBG/* $DBG/*/*; do
			case $f in
			*/reset | */run) ;;	# write-only
			*) [ ! -f "$f" ] || cat "$f" >/dev/null ;;
			esac
		done
		[ $((n % 10)) != 0 ] || echo 1 >$DBG/reset
		n=$((n + 1))
	done
	echo $n >$T/reader.$1
}

hotplugger() {
	end=$(($(date +%s) + RACE_SECS))
	while [ "$(date +%s)" -lt $end ]; do
		echo 0 >$ONLINE && count hotplug && count race_offline
		sleep 0.$((RANDOM % 3))
		echo 1 >$ONLINE && count hotplug
		sleep 0.$((RANDOM % 3))
	done
}

test_reconfiguration_races() {
	load nr_threads=8
	WORKLOADS=$(ktd_workloads)
	pids=
	for w in 1 2 3 4; do
		writer $w &
		pids="$pids $!"
	done
	for r in 1 2; do
		reader $r &
		pids="$pids $!"
	done
	if [ -w $ONLINE ]; then
		hotplugger &
		pids="$pids $!"
	fi
	for p in $pids; do
		wait "$p"
	done
	[ ! -w $ONLINE ] || echo 1 >$ONLINE
	# a hotplugger whose writes all failed would race nothing
	[ ! -w $ONLINE ] || [ "$(cat $T/race_offline)" -gt 0 ] ||
		ktap_fail "CPU 1 never went offline during the races"
	ok=0 busy=0 bad=0
	for w in 1 2 3 4; do
		read -r a b c <$T/writer.$w
		ok=$((ok + a)) busy=$((busy + b)) bad=$((bad + c))
	done
	echo "$ok" >$T/race_ok
	echo "    # $((ok + busy + bad)) racing writes: $ok accepted, $busy busy, $bad refused; reads: $(cat $T/reader.1) + $(cat $T/reader.2) rounds; CPU 1 offline $(cat $T/race_offline) times"
	[ $bad = 0 ] || ktap_fail "valid writes were refused"
	# Still in control: back to a known state, and the threads move.
	echo 0 >$SYS/parked
	echo 0 >$SYS/iterations
	echo 0 >$SYS/io_stall
	echo none >$SYS/bind
	echo sleep >$SYS/workload
	# threads that finished their iterations stay "done": start afresh
	echo 0 >$SYS/nr_threads
	echo 3 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 3 "threads after the races"
	l=$(kstat loops)
	sleep 0.3
	[ "$(kstat loops)" -gt "$l" ] || ktap_fail "threads stopped moving"
	unload
}

# rmmod in the middle of a sweep: nothing may be left behind.
test_rmmod_during_sweep() {
	[ -n "$WQD" ] || ktap_skip "workqueue_demo.ko is not in this guest"
	i=0
	while [ $i -lt 8 ]; do
		load nr_threads=2 workload=pingpong
		start_bench
		sleep 0.$((i + 1))
		[ "$(bench_state)" = running ] ||
			echo "    # round $i: the sweep had already ended"
		unload
		expect_eq "$(nr_wqd_threads)" 0 "wqd threads after rmmod mid-sweep (round $i)"
		count sweeps_cut
		i=$((i + 1))
	done
}

test_cpu_hotplug_bound() {
	[ -w $ONLINE ] || ktap_skip "no CPU 1 hotplug in this guest"
	load nr_threads=6 workload=pingpong
	echo spread >$SYS/bind
	# and per-CPU work items in flight, from a sweep on the bound queues
	if [ -n "$WQD" ]; then
		echo wq_percpu,system_wq,wq_cpu_intensive,kthread_worker >$BENCH/mechanisms
		echo sweep >$BENCH/run
	fi
	i=0
	while [ $i -lt "$HOTPLUG" ]; do
		echo 0 >$ONLINE
		count hotplug
		n=$(awk 'NR > 1 && $5 == "parked-hp"' $DBG/threads | wc -l)
		expect_eq "$n" 3 "threads parked with cpu1 offline"
		echo 1 >$ONLINE
		count hotplug
		# keep per-CPU work in flight for the next rounds: a sweep
		# that ended is started again. One may end with -EBUSY, as
		# the ABI says, when CPU 1 went offline under its submitter
		if [ -n "$WQD" ]; then
			case $(bench_state) in
			done) echo sweep >$BENCH/run ;;
			failed)
				sweep_ended_by_hotplug "round $i"
				count sweeps_ebusy
				echo sweep >$BENCH/run
				;;
			esac
		fi
		i=$((i + 1))
	done
	expect_eq "$(awk 'NR > 1 { print $5 }' $DBG/threads | sort -u)" run \
		"threads after $HOTPLUG offline/online rounds"
	if [ -n "$WQD" ]; then
		wait_secs 60 eval '[ "$(bench_state)" != running ]' ||
			ktap_fail "sweep still running 60 s after the last hotplug"
		[ "$(bench_state)" = done ] ||
			sweep_ended_by_hotplug "after the last round"
	fi
	unload
}

# sweep_ended_by_hotplug WHEN: a sweep that did not end "done" must have
# ended the one way CPU hotplug may end it: "failed", error -16, with the
# kernel log naming the CPU that went offline under its submitter.
sweep_ended_by_hotplug() {
	expect_eq "$(bench_state)/$(awk '$1 == "error:" { print $2 }' $BENCH/status)" \
		failed/-16 "sweep's end $1 (state/error)" || return 1
	dmesg | grep -q 'submitter for CPU 1 runs on CPU .*: CPU 1 went offline' ||
		ktap_fail "sweep failed $1 without the kernel log line naming CPU 1"
}

test_freezer_cycles() {
	[ -w /sys/power/pm_test ] || ktap_skip "no /sys/power/pm_test in this kernel"
	load nr_threads=4
	echo 1 >$SYS/freezable
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo freezer >/sys/power/pm_test
	i=0
	for wl in $(ktd_workloads) $(ktd_workloads); do
		[ $i -lt "$FREEZES" ] || break
		echo $wl >$SYS/workload
		f0=$(kstat freezes)
		echo freeze >/sys/power/state
		count freezes
		expect_eq "$(kstat freezes)" $((f0 + 4)) "freezes after a cycle ($wl)"
		i=$((i + 1))
	done
	echo none >/sys/power/pm_test
	unload
}

# valid NAME DEBUGFS-NAME VALUE: VALUE is something that file may hold
valid() {
	[ "$1" != "${1#/}" ] && set -- "$2" "$3" || set -- "$1" "$3"
	case $1 in
	nr_threads) [ "$2" -ge 0 ] && [ "$2" -le "$MAX" ] ;;
	workload) case " $WORKLOADS " in *" $2 "*) ;; *) false ;; esac ;;
	period_us) [ "$2" -ge 1 ] && [ "$2" -le $KTD_PERIOD_MAX ] ;;
	bind) case $2 in none | spread | 0 | 1) ;; *) false ;; esac ;;
	nice) [ "$2" -ge $KTD_NICE_MIN ] && [ "$2" -le $KTD_NICE_MAX ] ;;
	policy) case $2 in normal | fifo) ;; *) false ;; esac ;;
	parked | freezable | stats_enabled) [ "$2" = 0 ] || [ "$2" = 1 ] ;;
	iterations) case $2 in *[!0-9]* | "") false ;; esac ;;
	io_stall) [ "$2" -ge 0 ] && [ "$2" -le "$MAX" ] ;;
	bench/mechanisms) case $2 in *"["*"]"*) ;; *) false ;; esac ;;
	bench/*) case $2 in *[!0-9]* | "") false ;; esac ;;
	*) false ;;
	esac 2>/dev/null
}

# hostile_value N: the N-th hostile input, written to $T/in
hostile_value() {
	case $(($1 % 12)) in
	0) printf '%s' "99999999999999999999999" ;;
	1) printf '%s' "-$RANDOM$RANDOM" ;;
	2) printf '' ;;
	3) printf ' \t \n' ;;
	4) dd if=/dev/urandom bs=$((RANDOM % 64 + 1)) count=1 2>/dev/null ;;
	5) head -c 4096 /dev/zero | tr '\0' '7' ;;
	6) head -c 4096 /dev/zero | tr '\0' 'x' ;;
	7) printf '%s' "$((RANDOM % 3))" ;;
	8) printf '%s\n' "$((RANDOM % 40 - 20))" ;;
	9) printf '0x%x' $((RANDOM % 20)) ;;
	10) set -- $WORKLOADS none spread fifo normal; shift $((RANDOM % $#)); printf '%s' "$1" ;;
	11) printf '%s\0%s' "1" "2" ;;
	esac >$T/in
}

test_hostile_input() {
	load nr_threads=2
	WORKLOADS=$(ktd_workloads)
	MAX=$(ktd_max_threads)
	tried=0 rej=0 acc=0
	files=
	for f in nr_threads workload period_us bind nice policy parked \
		freezable iterations io_stall stats_enabled; do
		files="$files $SYS/$f"
	done
	# workqueue_demo's parameters live in debugfs: bench/<name>
	if [ -n "$WQD" ]; then
		for f in $BENCH/*; do
			case ${f##*/} in
			run | status | hist.csv) ;;
			*) files="$files $f" ;;
			esac
		done
	fi
	n=0
	while [ $n -lt "$HOSTILE" ]; do
		for f in $files; do
			hostile_value $((n + RANDOM))
			# read is a builtin: no fork, and forks are slow here
			read -r before <"$f" || before=
			# one write(2) of the whole value, or byte by byte (partial)
			rc=0
			if [ $((n % 7)) = 0 ]; then
				dd if=$T/in of=$f bs=1 2>/dev/null || rc=$?
			else
				dd if=$T/in of=$f bs=8192 2>/dev/null || rc=$?
			fi
			read -r after <"$f" || after=
			tried=$((tried + 1))
			if [ $rc != 0 ] && [ $((n % 7)) != 0 ]; then
				rej=$((rej + 1))
				[ "$after" = "$before" ] ||
					ktap_fail "$f: rejected write changed '$before' to '$after'"
			else
				acc=$((acc + 1))
				valid "${f#"$SYS"/}" "${f#"$DBG"/}" "$after" ||
					ktap_fail "$f holds '$after', which is not a valid value"
			fi
		done
		n=$((n + 1))
		# Keep the pool small and running between rounds.
		echo 0 >$SYS/parked 2>/dev/null
		[ "$(cat $SYS/nr_threads)" -le 16 ] || echo 2 >$SYS/nr_threads
	done
	for v in 2 x ""; do
		{ printf '%s' "$v" >$DBG/reset; } 2>/dev/null && [ -n "$v" ] &&
			ktap_fail "reset accepted '$v'"
		tried=$((tried + 1)) rej=$((rej + 1))
	done
	# Threads that finished their iterations are gone from ps: restart.
	echo 0 >$SYS/iterations
	n=$(cat $SYS/nr_threads)
	echo 0 >$SYS/nr_threads
	echo "$n" >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" "$n" "threads vs nr_threads"
	echo "$tried $rej $acc" >$T/hostile
	unload
}

ktap_run kthread_demo_torture test_load_unload_cycles \
	test_reconfiguration_races test_rmmod_during_sweep test_cpu_hotplug_bound test_freezer_cycles \
	test_hostile_input
ktd_fair_share 5
read -r tried rej acc <$T/hostile 2>/dev/null || tried=0 rej=0 acc=0
echo "TORTURE cycles=$(cat $T/cycles) racing_writes_accepted=$(cat $T/race_ok 2>/dev/null || echo 0) hostile_writes=$tried rejected=$rej accepted=$acc sweeps_cut_by_rmmod=$(cat $T/sweeps_cut) sweeps_ended_by_hotplug=$(cat $T/sweeps_ebusy) hotplug_transitions=$(cat $T/hotplug) freezer_cycles=$(cat $T/freezes)"
