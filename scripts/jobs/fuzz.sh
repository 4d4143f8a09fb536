# SPDX-License-Identifier: GPL-2.0
# Guest job: a fuzzer nobody here wrote, Debian's trinity, let loose on the
# modules' files, with both modules loaded and workqueue_demo's sweep
# running; then our own byte-level mutations of valid writes. Afterwards
# the modules must still work and unload; the host judges the console
# (splats) and kmemleak's scan after the job.
#
# Knobs (environment; a wrapper job may set them, then source /fuzz.sh):
#   FUZZ_SYSCALLS  system calls trinity makes, in all (default 10000,
#                  split between the two trees below)
#   FUZZ_SEED      trinity's random seed (default: from the clock; printed)
#   FUZZ_MUTATIONS mutated writes of our own (default 600)
#   FUZZ_MUTATION_SECS  guest seconds the mutated writes may take (default
#                  300): they stop at whichever bound comes first
#
# The time bound is there because the values are random: 64 threads
# waking every microsecond, nice -20 spinners and a sweep with long
# items can leave the shell little CPU, so that 600 writes outlast the
# boot's time limit (one make check: fewer than 600 in about 1100 s). A
# stopped loop says so; every write it made was checked.
#
# trinity takes one victim path (-V) and does not cross into another
# file system, so two instances run side by side: one on
# /sys/kernel/kthread_demo (sysfs), one on /sys/kernel/debug/kthread_demo
# (debugfs: threads, stats, reset, compare, compare.csv, bench/*). Each
# opens the files it may (as root: all) at start, then calls the system
# calls listed in TRINITY_CALLS with its own arguments: fds from those
# files, paths from those trees, random buffers, lengths and offsets.
# Only file descriptors of files are passed (no sockets, pipes, perf,
# memfd, ...). trinity needs its binary, libc and the dynamic loader: the
# host packs them (/trinity, /libc.so.6, /ld-linux-x86-64.so.2) and this
# job puts the libraries where the loader looks. Without /trinity the
# trinity test is skipped.
#
# The summary line: "FUZZ syscalls=N seed=S mutations=M accepted=A
# rejected=R".
. /guest-ktap.sh

FUZZ_SYSCALLS=${FUZZ_SYSCALLS:-10000}
FUZZ_SEED=${FUZZ_SEED:-$(date +%s)}
FUZZ_MUTATIONS=${FUZZ_MUTATIONS:-600}
FUZZ_MUTATION_SECS=${FUZZ_MUTATION_SECS:-300}
F=/tmp/fuzz
mkdir -p $F
# policy=fifo is among the values: keep half of each CPU for the shell and
# the kernel's own threads (ktd_fair_share in guest-ktap.sh).
ktd_fair_share 45
# nice -20 is among the values too, and seven nice -20 pingpong threads
# left this shell (nice 0, weight 1024 against 88761 each) so little CPU
# that each write took 5-25 s in one debug-kernel run.
# At nice -20 itself it keeps a fair share. (This shell and its children
# only; it ends with the job.)
renice -20 -p $$ >/dev/null
echo 0 >$F/syscalls
echo "0 0 0" >$F/mutations

TRINITY_CALLS="read write pread64 pwrite64 readv writev preadv pwritev
	preadv2 pwritev2 lseek open openat openat2 mmap ioctl newfstat newstat
	fstatat64 statx fcntl poll ppoll select splice sendfile copy_file_range
	fsync fdatasync ftruncate truncate getdents64 flock fadvise64 readahead
	dup dup2 dup3 tee vmsplice sync_file_range access faccessat"

ktap_teardown() {
	[ ! -f $F/sweeper.pid ] || kill "$(cat $F/sweeper.pid)" 2>/dev/null || true
	rm -f $F/sweeper.pid
	ktd_clean
}

# Both modules, with a cap on the pool that keeps a random nr_threads
# small enough for TCG, and a sweep that starts again whenever it ends.
fuzz_load() {
	ktd_fresh max_threads=64 nr_threads=4
	[ -e /workqueue_demo.ko ] || return 0
	insmod /workqueue_demo.ko
	echo all >$BENCH/mechanisms
	for p in lat_items=20 tput_items=50 blk_items=4 sleep_ms=5 cpu_items=2 \
		spin_us=500 create_loops=5 delay_items=4 delay_ms=2 timeout_s=120; do
		echo "${p#*=}" >$BENCH/"${p%=*}"
	done
	(
		while :; do
			[ "$(bench_state)" = running ] ||
				echo sweep >$BENCH/run 2>/dev/null || true
			sleep 1
		done
	) &
	echo $! >$F/sweeper.pid
}

# Still in control: back to a known state, the threads move, and both
# modules unload with nothing left behind. (sysfs refuses even root a
# file whose mode has no write bit: the modes are put back first, in case
# something changed them.)
fuzz_check_and_unload() {
	chmod 0644 $SYS/*
	chmod 0444 $SYS/available_workloads
	if [ -f $F/sweeper.pid ]; then
		kill "$(cat $F/sweeper.pid)"
		wait "$(cat $F/sweeper.pid)" 2>/dev/null || true
		rm -f $F/sweeper.pid
	fi
	if [ -d $BENCH ]; then
		echo stop >$BENCH/run
		wait_secs 60 eval '[ "$(bench_state)" != running ]' ||
			ktap_fail "the sweep did not stop"
	fi
	# No threads first: whatever load the fuzzing left stops at once.
	echo 0 >$SYS/nr_threads
	echo 0 >$SYS/parked
	echo 0 >$SYS/freezable
	echo 0 >$SYS/iterations
	echo 0 >$SYS/io_stall
	echo none >$SYS/bind
	echo normal >$SYS/policy
	echo sleep >$SYS/workload
	echo 1000 >$SYS/period_us
	echo 1 >$SYS/stats_enabled
	echo 3 >$SYS/nr_threads
	expect_eq "$(nr_ktd_threads)" 3 "threads after fuzzing"
	moving 0 || ktap_fail "ktd/0 does not move after fuzzing"
	! grep -q '^workqueue_demo ' /proc/modules || rmmod workqueue_demo
	rmmod kthread_demo
	wait_for eval '[ "$(nr_ktd_threads)" = 0 ] && [ "$(nr_wqd_threads)" = 0 ]' ||
		ktap_fail "threads left after rmmod"
}

# trinity_on DIR N SEED LOG: one trinity, N system calls, on DIR
trinity_on() {
	_calls=
	for c in $TRINITY_CALLS; do
		_calls="$_calls -c $c"
	done
	# shellcheck disable=SC2086
	(cd $F && exec /trinity --dangerous -q -q -l off -a 64 -C 2 \
		--disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
		-V "$1" -N "$2" -s "$3" $_calls) >"$4" 2>&1
}

test_trinity() {
	[ -x /trinity ] || ktap_skip "no /trinity in this guest"
	mkdir -p /lib /lib64
	for l in /*.so*; do
		case $l in
		/ld-linux*) cp "$l" /lib64/ ;;
		*) cp "$l" /lib/ ;;
		esac
	done
	fuzz_load
	half=$((FUZZ_SYSCALLS / 2))
	echo "    # trinity seed $FUZZ_SEED, $FUZZ_SYSCALLS system calls on $SYS and $DBG"
	t0=$(date +%s)
	rc1=0 rc2=0
	trinity_on $SYS "$half" "$FUZZ_SEED" $F/trinity-sysfs.log &
	p1=$!
	trinity_on $DBG "$half" "$((FUZZ_SEED + 1))" $F/trinity-debugfs.log &
	p2=$!
	wait $p1 || rc1=$?
	wait $p2 || rc2=$?
	echo "    # trinity done in $(($(date +%s) - t0)) s (exit $rc1, $rc2)"
	for l in sysfs debugfs; do
		grep -E 'Added [0-9]+ filenames|syscalls|Ran|exit|tainted|rror' \
			$F/trinity-$l.log | tail -n 8 | sed "s/^/    # $l: /"
	done
	grep -q 'Added [1-9][0-9]* filenames' $F/trinity-sysfs.log ||
		ktap_fail "trinity found no file under $SYS"
	grep -q 'Added [1-9][0-9]* filenames' $F/trinity-debugfs.log ||
		ktap_fail "trinity found no file under $DBG"
	[ $rc1 = 0 ] && [ $rc2 = 0 ] || {
		tail -n 20 $F/trinity-sysfs.log $F/trinity-debugfs.log | sed 's/^/    # /'
		ktap_fail "trinity exited with $rc1, $rc2"
	}
	echo "$FUZZ_SYSCALLS" >$F/syscalls
	fuzz_check_and_unload
}

# ---- our own mutations of valid writes ----------------------------------

# valid_values FILE: vals= the valid values FILE takes (one is picked,
# then mutated)
valid_values() {
	case ${1#"$DBG"/} in
	*/nr_threads | */io_stall) vals="0 1 2 4 7 16 64" ;;
	*/workload) vals="spin sleep block pingpong" ;;
	*/period_us) vals="1 100 1000 10000000" ;;
	*/bind) vals="none spread 0 1" ;;
	*/nice) vals="-20 -1 0 5 19" ;;
	*/policy) vals="normal fifo" ;;
	*/parked | */freezable | */stats_enabled | reset) vals="0 1" ;;
	*/iterations) vals="0 1 50 18446744073709551615" ;;
	bench/run) vals="sweep latency create throughput blocking cpu delayed stop" ;;
	bench/mechanisms) vals="all kthread wq_unbound,system_wq kthread_worker,wq_ordered" ;;
	bench/*) vals="0 1 2 16 512 10000 0x10 010" ;;
	esac
}

# uptime_s: up_s= the guest's uptime in whole seconds (a builtin read,
# no fork)
uptime_s() {
	read -r up_s _ </proc/uptime
	up_s=${up_s%.*}
}

# mutate VALUE K: the K-th kind of byte-level damage to VALUE, into $F/in
# (builtins only, but for the long one: forks are slow under TCG)
mutate() {
	v=$1
	len=${#v}
	pos=$((RANDOM % (len + 1)))
	head=${v:0:$pos}
	tail=${v:$pos}
	case $(($2 % 10)) in
	0) printf '%s' "$v" ;;					# intact
	1) printf '%s\n' "$v" ;;				# intact, newline
	2) printf '%s%s' "$head" "${tail:1}" ;;			# a byte dropped
	3) printf "%s\\$(printf %03o $((RANDOM % 256)))%s" "$head" "$tail" ;;	# a byte inserted
	4) printf '%s%s%s' "$head" "${tail:0:1}" "$tail" ;;	# a byte doubled
	5) printf '%s%s' "$v" "$v" ;;				# twice
	6) printf '%s\0%s' "$head" "$tail" ;;			# a NUL inside
	7) printf ' %s\n\n' "$v" ;;				# spaces and newlines
	8) printf '%s%s' "$head" "${tail:1}" | tr '0-9a-z' '1-9a-z0' ;;	# shifted
	9) printf '%s%s' "$v" "$(head -c $((RANDOM % 5000)) /dev/zero | tr '\0' '9')" ;;	# long
	esac >$F/in
}

test_mutations() {
	fuzz_load
	RANDOM=$FUZZ_SEED
	files=
	for f in nr_threads workload period_us bind nice policy parked freezable \
		iterations io_stall stats_enabled; do
		files="$files $SYS/$f"
	done
	files="$files $DBG/reset"
	if [ -d $BENCH ]; then
		for f in $BENCH/*; do
			case ${f##*/} in
			status | hist.csv) ;;
			*) files="$files $f" ;;
			esac
		done
	fi
	set -- $files
	nfiles=$#
	n=0 acc=0 rej=0
	uptime_s
	t0=$up_s
	end=$((up_s + FUZZ_MUTATION_SECS))
	while [ $n -lt "$FUZZ_MUTATIONS" ] && uptime_s && [ "$up_s" -lt $end ]; do
		set -- $files
		shift $((RANDOM % nfiles))
		f=$1
		valid_values "$f"
		set -- $vals
		shift $((RANDOM % $#))
		mutate "$1" $RANDOM
		case $f in
		*/reset | */run) before= ;;
		*) read -r before <"$f" ;;
		esac
		# one write(2) of the whole value
		if dd if=$F/in of="$f" bs=8192 2>/dev/null; then
			acc=$((acc + 1))
		else
			rej=$((rej + 1))
			case $f in
			*/reset | */run) ;;
			*)
				read -r after <"$f"
				[ "$after" = "$before" ] ||
					ktap_fail "$f: a refused write changed '$before' to '$after'"
				;;
			esac
		fi
		n=$((n + 1))
		# keep the pool small and running
		[ $((n % 20)) != 0 ] || {
			echo 0 >$SYS/parked
			echo 0 >$SYS/iterations
			[ "$(cat $SYS/nr_threads)" -le 16 ] || echo 4 >$SYS/nr_threads
		}
	done
	echo "$n $acc $rej" >$F/mutations
	echo "    # $n mutated writes in $((up_s - t0)) s: $acc accepted, $rej refused"
	[ $n = "$FUZZ_MUTATIONS" ] ||
		echo "    # stopped at the time bound, FUZZ_MUTATION_SECS=$FUZZ_MUTATION_SECS"
	fuzz_check_and_unload
}

ktap_run kthread_demo_fuzz test_trinity test_mutations
ktd_fair_share 5
read -r m a r <$F/mutations
echo "FUZZ syscalls=$(cat $F/syscalls) seed=$FUZZ_SEED mutations=$m accepted=$a rejected=$r"
