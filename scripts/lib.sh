# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the kthread-demo scripts. Source it; do not run it.
#
# Paths:
#   KTD_TOP    the checkout
#   KTD_CACHE  the cache outside the checkout (kernel source, test kernel
#              builds), default ${XDG_CACHE_HOME:-$HOME/.cache}/kthread-demo
#   KTD_OUT    per-run artefacts (logs, initramfs, built modules), default
#              $KTD_CACHE/out
#   KTD_KSRC   the kernel source tree whose kunit.py parses KTAP; set it
#              (ktd_kernel_src) before ktd_ktap_parse or ktd_ktap_tally
#
# What is here: packages (ktd_need, ktd_deps), kernels and module builds
# (ktd_distro_kver, ktd_build, ktd_build_cached, ktd_kernel_src), guests
# (ktd_pack, and ktd_vm: pack, boot, wait for the sentinel, judge), and
# counting for scripts that end with "N passed, N failed" (ktd_pass,
# ktd_fail, ktd_vm_check, ktd_ktap_tally, ktd_summary).

KTD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KTD_CACHE=${KTD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kthread-demo}
KTD_OUT=${KTD_OUT:-$KTD_CACHE/out}
KTD_JOBS=${KTD_JOBS:-$(nproc)}
export KTD_TOP KTD_CACHE KTD_OUT

# The packages every script may need; README.md lists the same set.
KTD_PACKAGES=(make gcc bc flex bison libelf-dev libssl-dev cpio xz-utils kmod
	python3 perl sparse qemu-system-x86 busybox-static linux-source-6.12
	linux-headers-amd64 linux-image-amd64)

ktd_log() { printf '>>> %s\n' "$*" >&2; }
ktd_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ktd_need PKG...: install the Debian packages that are missing. Harmless to
# run again: installed packages are skipped without touching apt.
ktd_need() {
	local missing=() p
	# One dpkg-query for all: a package it does not list is missing.
	mapfile -t missing < <(
		dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
			awk '$NF == "installed" { print $1 }' |
			sort -u | comm -13 - <(printf '%s\n' "$@" | sort -u))
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || ktd_die "missing packages: ${missing[*]} (run as root, or apt-get install them)"
	ktd_log "installing: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >"$KTD_CACHE/apt.log" 2>&1; then
		apt-get update -q >>"$KTD_CACHE/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >>"$KTD_CACHE/apt.log" 2>&1 ||
			ktd_die "apt-get install failed, see $KTD_CACHE/apt.log"
	fi
}

ktd_deps() {
	mkdir -p "$KTD_CACHE" "$KTD_OUT"
	ktd_need "${KTD_PACKAGES[@]}"
}

# The distro kernel a user's test VM runs: the newest installed 6.1 image
# that also has its headers.
ktd_distro_kver() {
	local v
	for v in $(cd /lib/modules 2>/dev/null && printf '%s\n' 6.1.* | sort -rV); do
		if [ -e "/lib/modules/$v/build/Makefile" ] && [ -e "/boot/vmlinuz-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	ktd_die "no Debian 6.1 kernel with headers found (apt-get install linux-image-amd64 linux-headers-amd64)"
}

# ktd_build KDIR DIR [VAR=VALUE...] [TARGET...]: build the modules (or the
# given targets) for KDIR in DIR, a copy of the sources, so builds for
# several kernels never share objects and the checkout stays clean.
# Output goes to DIR/build.log; returns make's status.
ktd_build() {
	local kdir=$1 dir=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$KTD_TOP" && git ls-files -co --exclude-standard -z -- \
		Kbuild VERSION '*.c' '*.h' 'kunit/*' 'scripts/selftest/*' |
		xargs -0 cp --parents -t "$dir")
	# Arguments without '=' are targets; by default, the modules.
	local args=() targets=() a
	for a in "$@"; do
		case $a in
		*=*) args+=("$a") ;;
		*) targets+=("$a") ;;
		esac
	done
	[ ${#targets[@]} -gt 0 ] || targets=(modules)
	make -C "$kdir" M="$dir" "${args[@]}" "${targets[@]}" >"$dir/build.log" 2>&1
}

# ktd_build_cached KDIR: print a directory holding the modules built for
# KDIR from the current sources (plain build, no W=1/C=2). Reused while
# neither the sources nor the kernel's Module.symvers change; kept in
# $KTD_CACHE/modules/, a build that failed is not kept.
ktd_build_cached() {
	local kdir=$1 key dir lock
	key=$( { echo "$kdir"; sha256sum "$kdir/Module.symvers" 2>/dev/null
		cd "$KTD_TOP" && git ls-files -co --exclude-standard -z -- \
			Kbuild VERSION '*.c' '*.h' 'kunit/*' 'scripts/selftest/*' |
			xargs -0 sha256sum; } | sha256sum | cut -c1-16)
	dir=$KTD_CACHE/modules/$key
	if [ ! -f "$dir/.complete" ]; then
		# One build per key at a time: two callers (make check's
		# background fault sweeps and its other jobs, say) building the
		# same key removed each other's tree. The second one waits here,
		# then finds the build complete.
		mkdir -p "$KTD_CACHE/modules"
		exec {lock}>"$KTD_CACHE/modules/.$key.lock"
		flock "$lock"
		if [ ! -f "$dir/.complete" ]; then
			if ! ktd_build "$kdir" "$dir"; then
				exec {lock}>&-
				ktd_log "module build failed, see $dir/build.log"
				return 1
			fi
			touch "$dir/.complete"
		fi
		exec {lock}>&-
	fi
	# Keep the ten newest builds (their names are hex keys).
	# shellcheck disable=SC2012
	ls -1dt "$KTD_CACHE"/modules/*/ 2>/dev/null | tail -n +11 | xargs -r rm -rf
	echo "$dir"
}

# ktd_kernel_src KDIR: the kernel source tree that built the test kernel
# in KDIR (for kunit.py and checkpatch): the O= build directory's Makefile
# names it.
ktd_kernel_src() {
	sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$1/Makefile"
}

# ---- guests -----------------------------------------------------------------

# ktd_guest_bins: the guest tools (scripts/guest-bin/*.c: small static
# programs for what busybox cannot do, such as ktd-finit), built once per
# version of their sources into $KTD_CACHE; prints the directory.
ktd_guest_bins() {
	local key dir tmp f
	key=$(cat "$KTD_TOP"/scripts/guest-bin/*.c | sha256sum | cut -c1-16)
	dir=$KTD_CACHE/guest-bin-$key
	if [ ! -f "$dir/.complete" ]; then
		tmp=$(mktemp -d "$KTD_CACHE/guest-bin.XXXXXX") || return 1
		for f in "$KTD_TOP"/scripts/guest-bin/*.c; do
			gcc -static -O2 -Wall -Wextra -Werror -s -o "$tmp/$(basename "$f" .c)" "$f" ||
				{ rm -rf "$tmp"; return 1; }
		done
		touch "$tmp/.complete"
		rm -rf "$dir"
		mv "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$dir"
}

# ktd_trinity_files: Debian's trinity and what its loader needs (libc, the
# loader itself), one path a line, for scripts/jobs/fuzz.sh's guest.
ktd_trinity_files() {
	ktd_need trinity
	echo /usr/bin/trinity
	ldd /usr/bin/trinity | grep -o '/[^ ]*' | sort -u
}

# ktd_pack OUT.cpio JOB [FILE...]: a busybox-static initramfs for one guest
# run. JOB becomes /job.sh, which scripts/guest-init (the guest's /init)
# runs; the guest library scripts/guest-ktap.sh, which every job may
# source, the guest tools (ktd_guest_bins) and each FILE go into / under
# their base names (.ko files, other jobs, tools). Modules go in without their DWARF sections
# (strip --strip-debug keeps the symbol table that oopses name functions
# by): a quarter of the size, so a load reads a quarter of the pages,
# which is what a fail-nth sweep of insmod walks through one by one.
ktd_pack() {
	local out=$1 job=$2 root bins rc=0
	shift 2
	bins=$(ktd_guest_bins) || return 1
	root=$(mktemp -d) || return 1
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp} &&
		cp /bin/busybox "$root/bin/busybox" &&
		install -m 0755 "$KTD_TOP/scripts/guest-init" "$root/init" &&
		install -m 0755 "$job" "$root/job.sh" &&
		cp "$KTD_TOP/scripts/guest-ktap.sh" "$bins"/* "$@" "$root/" &&
		find "$root" -maxdepth 1 -name '*.ko' -exec strip --strip-debug {} + &&
		(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out" ||
		rc=1
	rm -rf "$root"
	return $rc
}

# ktd_pack_root OUT ROOTFS KERNEL JOB [FILE...]: the boot files for a run
# on a Debian userland (ktd_vm -r; ROOTFS from scripts/debian-image.sh).
# The run's files (scripts/guest-init as /init, JOB as /job.sh, the guest
# library, each FILE) go into / as ktd_pack puts them, but without
# busybox's /bin: Debian's /bin is a link to usr/bin, and the image
# brings busybox-static for guest-init.
#   ROOTFS.cpio  OUT is the image with the run's archive appended (the
#                kernel unpacks both, the second on top)
#   ROOTFS.ext4  OUT is a busybox first stage (scripts/guest-init-disk)
#                with the virtio-blk and ext4 modules of KERNEL's release
#                (/lib/modules/RELEASE of the host) and the run's files,
#                which it copies onto the mounted disk
ktd_pack_root() {
	local out=$1 rootfs=$2 kernel=$3 job=$4 tmp run rc=0 m kver moddir
	shift 4
	tmp=$(mktemp -d) || return 1
	run=$tmp/payload
	mkdir -p "$run" &&
		install -m 0755 "$KTD_TOP/scripts/guest-init" "$run/init" &&
		install -m 0755 "$job" "$run/job.sh" &&
		cp "$KTD_TOP/scripts/guest-ktap.sh" "$@" "$run/" || rc=1
	case $rc:$rootfs in
	0:*.cpio)
		{ cat "$rootfs" && (cd "$run" && find . -mindepth 1 -print0 |
			cpio --null -o -H newc --quiet); } >"$out" || rc=1
		;;
	0:*.ext4)
		kver=${kernel##*/vmlinuz-} moddir=/lib/modules/${kernel##*/vmlinuz-}
		mkdir -p "$tmp"/{bin,dev,proc,sys,modules} &&
			cp /bin/busybox "$tmp/bin/busybox" &&
			install -m 0755 "$KTD_TOP/scripts/guest-init-disk" "$tmp/init" || rc=1
		# Each module after what it needs: modules.dep lists a module's
		# dependencies, the last to load first.
		for m in $([ $rc = 0 ] && awk -F': *' '
			BEGIN { split("virtio_pci virtio_blk crc32c_generic ext4", want, " ") }
			{ n = split($1, p, "/"); name = p[n]; sub(/\.ko$/, "", name)
			  path[name] = $1; deps[name] = $2 }
			function load(name,   d, k, i, p) {
				if (name in done) return
				done[name] = 1
				k = split(deps[name], d, " ")
				for (i = k; i >= 1; i--) { split(d[i], p, "/"); sub(/\.ko$/, "", p[length(p)]); load(p[length(p)]) }
				print path[name]
			}
			END { for (i = 1; i in want; i++) { if (!(want[i] in path)) exit 1; load(want[i]) } }' \
			"$moddir/modules.dep" || echo missing); do
			if [ "$m" = missing ] || ! cp "$moddir/$m" "$tmp/modules/"; then
				echo "ktd_pack_root: the virtio-blk and ext4 modules of $kver are not all in $moddir" >&2
				rc=1
				break
			fi
			echo "${m##*/}" >>"$tmp/modules/order"
		done
		[ $rc = 0 ] && (cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) >"$out" ||
			rc=1
		;;
	0:*) echo "ktd_pack_root: $rootfs is neither .cpio nor .ext4" >&2; rc=1 ;;
	esac
	rm -rf "$tmp"
	return $rc
}

# ktd_vm [-t SECONDS] [-m MEM] [-a APPEND] [-s] [-i] [-c CPUS] KERNEL DIR JOB [FILE...]:
# one guest run, packed, booted and judged.
#
#   -t  time bound for the whole boot (default 300; a "# ktd-timeout: N"
#       line in JOB raises it to N)
#   -m  guest memory (default 1G, 2G with -r)
#   -a  extra kernel command line (ktd.leakscan=0, ktd.only=, ktd.order=)
#   -s  stream the job's output to stdout while it runs
#   -i  deterministic mode: -icount shift=0,sleep=off, so guest time counts
#       executed instructions (1 ns = 1 instruction), and the RTC runs on
#       that clock from a fixed date (not the host's time, which would
#       seed the guest's RNG differently each boot): two runs agree
#   -c  vCPUs (default 2)
#   -r  ROOTFS: a Debian userland (scripts/debian-image.sh) instead of
#       busybox alone, ROOTFS.cpio (an initramfs) or ROOTFS.ext4 (a disk,
#       QEMU's snapshot: the image is never written); see ktd_pack_root.
#
# Packs JOB, the guest library and the FILEs (ktd_pack) into
# DIR/initramfs.cpio, boots KERNEL with it in QEMU (TCG, 2 vCPUs) under
# `timeout`, and leaves the kernel console (ttyS0) in DIR/console.log and
# the job's output (ttyS1) in DIR/guest.log. Returns 0 only if the job printed the sentinel
# "KTD-DONE rc=0" and the console holds no kernel splat (scripts/splats.sh);
# otherwise prints why on stderr ("VM FAIL: ...") and returns 1.
# KTD_KVM=1 opts in to KVM (it hangs on some hosts, so TCG is the default).
ktd_vm() {
	local OPTIND opt timeout_s=300 mem="" append="" rootfs="" drive=() stream=0 smp=2 icount=()
	local usage="usage: ktd_vm [-t SECONDS] [-m MEM] [-a APPEND] [-s] [-i] [-c CPUS] [-r ROOTFS] KERNEL DIR JOB [FILE...]"
	while getopts "t:m:a:sic:r:" opt; do
		case $opt in
		t) timeout_s=$OPTARG ;;
		m) mem=$OPTARG ;;
		a) append=$OPTARG ;;
		s) stream=1 ;;
		i) icount=(-icount shift=0,sleep=off -rtc clock=vm,base=2026-01-01T00:00:00) ;;
		c) smp=$OPTARG ;;
		r) rootfs=$OPTARG ;;
		*) ktd_die "$usage" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 3 ] || ktd_die "$usage"
	local kernel=$1 dir=$2 job=$3 jt
	shift 3
	# A job that needs longer than its callers allow says so in a line
	# "# ktd-timeout: SECONDS" (the fault sweeps); it only ever raises -t.
	jt=$(sed -n 's/^# ktd-timeout: \([0-9][0-9]*\)$/\1/p' "$job" | head -n 1)
	[ -z "$jt" ] || [ "$jt" -le "$timeout_s" ] || timeout_s=$jt
	local console=$dir/console.log guest=$dir/guest.log initrd=$dir/initramfs.cpio
	mkdir -p "$dir" && rm -f "$console" "$guest" "$initrd" || return 1
	mem=${mem:-$([ -n "$rootfs" ] && echo 2G || echo 1G)}
	case $rootfs in
	*.ext4) drive=(-drive "file=$rootfs,if=virtio,format=raw,snapshot=on") ;;
	esac
	if [ -n "$rootfs" ] && ! ktd_pack_root "$initrd" "$rootfs" "$kernel" "$job" "$@"; then
		echo "VM FAIL: could not pack $initrd for $rootfs" >&2
		return 1
	elif [ -z "$rootfs" ] && ! ktd_pack "$initrd" "$job" "$@"; then
		echo "VM FAIL: could not pack $initrd (a missing file?)" >&2
		return 1
	fi

	local accel=tcg rc=0 sentinel splats fail=() lockfd
	[ "${KTD_KVM:-0}" = 1 ] && accel=kvm
	# KTD_VM_LOCK=FILE: one guest at a time among everyone who sets it
	# (two TCG guests on a 2-CPU host slow each other past their
	# timeouts). The wait does not count against -t.
	if [ -n "${KTD_VM_LOCK:-}" ]; then
		exec {lockfd}>"$KTD_VM_LOCK"
		flock "$lockfd"
	fi
	# no_timer_check: on a busy host, TCG can miss the boot-time check of
	# the timer interrupt, and the kernel then panics ("IO-APIC + timer
	# doesn't work!"), as virtualised guests are known to.
	local qemu=(timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel "$accel" -smp "$smp"
		"${icount[@]}" "${drive[@]}"
		-m "$mem" -nodefaults -display none -no-reboot -kernel "$kernel"
		-initrd "$initrd" -serial "file:$console"
		-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=0 no_timer_check $append")
	if [ $stream = 1 ]; then
		# rc is qemu's status, not grep's (which fails on no output).
		"${qemu[@]}" -serial stdio </dev/null | tee "$guest" |
			grep --line-buffered -v '^KTD-DONE ' || rc=${PIPESTATUS[0]}
	else
		"${qemu[@]}" -serial "file:$guest" || rc=$?
	fi
	[ -n "${lockfd:-}" ] && exec {lockfd}>&-
	[ -f "$guest" ] && sed -i 's/\r$//' "$guest"

	[ "$rc" -eq 124 ] && fail+=("timed out after ${timeout_s}s")
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && fail+=("qemu exited with $rc")
	sentinel=$(grep -a '^KTD-DONE rc=' "$guest" 2>/dev/null | tail -n 1) || true
	if [ -z "$sentinel" ]; then
		fail+=("no sentinel: the guest died or hung before its job finished")
	elif [ "$sentinel" != "KTD-DONE rc=0" ]; then
		fail+=("guest job failed ($sentinel)")
	fi
	# A job may name kernel messages that are not its splats, in a line
	# "# ktd-splat-allow: REGEX" (scripts/splats.sh, KTD_SPLAT_ALLOW).
	splats=$(KTD_SPLAT_ALLOW=$(sed -n 's/^# ktd-splat-allow: //p' "$job" | paste -sd '|') \
		"$KTD_TOP/scripts/splats.sh" "$console" 2>/dev/null) || true
	[ -n "$splats" ] && fail+=("kernel splat in $console:"$'\n'"$splats")
	[ ${#fail[@]} -eq 0 ] && return 0
	printf 'VM FAIL: %s\n' "${fail[@]}" >&2
	echo "VM logs: $dir" >&2
	return 1
}

# ---- counting -----------------------------------------------------------------
# Scripts that end with "N passed, N failed" count with these.

KTD_PASSED=0 KTD_FAILED=0 KTD_SKIPPED=0
ktd_pass() { KTD_PASSED=$((KTD_PASSED + 1)); printf 'PASS  %s\n' "$*"; }
ktd_fail() { KTD_FAILED=$((KTD_FAILED + 1)); printf 'FAIL  %s\n' "$*"; }

# ktd_vm_check LABEL KTD_VM-ARGS...: one guest run (ktd_vm) counted as one
# check: PASS (sentinel reached, no splat) or FAIL with the reasons.
ktd_vm_check() {
	local label=$1 t0=$SECONDS why
	shift
	if why=$(ktd_vm "$@" 2>&1); then
		ktd_pass "$label run: sentinel reached, no splat ($((SECONDS - t0)) s)"
	else
		ktd_fail "$label run ($((SECONDS - t0)) s)"
		ktd_indent <<<"$why"
	fi
}

# ktd_indent: the details under a FAIL line, the first 20 lines.
ktd_indent() { head -n 20 | sed 's/^/      /'; }

# ktd_summary WHY-SKIPPED: the closing lines: the skipped count and why,
# then "N passed, N failed". Returns 1 if anything failed.
ktd_summary() {
	[ "$KTD_SKIPPED" -eq 0 ] || echo "($KTD_SKIPPED skipped: $1, see above)"
	echo "$KTD_PASSED passed, $KTD_FAILED failed"
	[ "$KTD_FAILED" -eq 0 ]
}

# ktd_repeat PREV NOW NAME: each CLAIM of results file NOW against the
# last run's (PREV, the copy of NAME this run replaces), as REPEAT lines:
# a decided verdict that comes out otherwise now is UNSTABLE across runs.
# Without PREV (no earlier run on this machine) it says so.
ktd_repeat() {
	local prev=$1 now=$2 name=$3
	echo
	echo "Repeated: each claim against the last run ($name"
	echo "before this one); a verdict that changed is UNSTABLE across runs"
	if [ ! -s "$prev" ]; then
		echo "  no earlier run on this machine"
		return 0
	fi
	echo "  last run: $(grep -m1 -v '^# ultbench' "$prev")"
	awk '
		FNR == 1 { f++ }
		$1 != "CLAIM" { next }
		f == 1 { last[$2] = $3; next }
		!($2 in now) { now[$2] = $3; order[++n] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				id = order[i]
				l = (id in last) ? last[id] : "-"
				if (l == "-")
					how = "new"
				else if (l == "INCONCLUSIVE" || now[id] == "INCONCLUSIVE")
					how = "not comparable (undecided)"
				else if (l == now[id])
					how = "repeats"
				else
					how = "DIFFERS: UNSTABLE across runs"
				printf "REPEAT %s %s last=%s %s\n", id, now[id], l, how
			}
		}' "$prev" "$now"
}

# ktd_ktap_parse DOC.ktap: parse one KTAP document with the kernel's
# kunit.py into DOC.txt (its report) and DOC.json, and count its cases
# into DOC.count ("PASSED FAILED SKIPPED"; "0 0 0" if it holds none).
# KTD_KSRC is the kernel source tree (ktd_kernel_src).
ktd_ktap_parse() {
	local base=${1%.ktap}
	# kunit.py exits 1 when a case failed: the counts still follow.
	python3 "${KTD_KSRC:?}/tools/testing/kunit/kunit.py" parse --json="$base.json" \
		"$1" >"$base.txt" 2>&1 || true
	python3 "$KTD_TOP/scripts/ktap-count.py" "$base.json" >"$base.count" 2>/dev/null ||
		echo "0 0 0" >"$base.count"
}

# ktd_ktap_tally [-v] GUEST.LOG LABEL MIN_DOCS: parse each KTAP document
# the guest printed (scripts/ktap-split.sh) and add its cases to the
# counts, with a PASS or FAIL line per document (-v: kunit.py's report of
# every case too). Fewer documents than MIN_DOCS, or a document with no
# test, is a failure.
ktd_ktap_tally() {
	local verbose=0
	[ "$1" = -v ] && { verbose=1; shift; }
	local log=$1 label=$2 want=$3 dir=${1%.log}-ktap doc docs base name p f s n=0
	local pids=() pid
	rm -rf "$dir"
	mapfile -t docs < <("$KTD_TOP/scripts/ktap-split.sh" "$log" "$dir" 2>/dev/null)
	# The documents are independent: parse them in parallel, then wait for
	# each by pid (a bare `wait` once let a count be read before it was
	# written).
	for doc in "${docs[@]}"; do
		ktd_ktap_parse "$doc" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || true
	done
	for doc in "${docs[@]}"; do
		n=$((n + 1)) base=${doc%.ktap} name=${doc##*/}
		name=${name%.ktap} name=${name#*-}
		read -r p f s <"$base.count" || { p=0 f=0 s=0; }
		if [ $((p + f + s)) -eq 0 ]; then
			ktd_fail "$label, $name: no test results (see $doc)"
			continue
		fi
		KTD_PASSED=$((KTD_PASSED + p)) KTD_FAILED=$((KTD_FAILED + f))
		KTD_SKIPPED=$((KTD_SKIPPED + s))
		printf '%s  %s, %s: %d passed, %d failed, %d skipped (kunit.py parse)\n' \
			"$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" "$label" "$name" "$p" "$f" "$s"
		# kunit.py's report without its timestamps: all of it, or what failed
		if [ $verbose = 1 ]; then
			sed -E 's/^\[[0-9:]+\] //; s/^/      /' "$base.txt"
		elif [ "$f" -ne 0 ]; then
			sed -E 's/^\[[0-9:]+\] //; s/^/      /' "$base.txt" |
				grep -E 'FAILED|CRASHED|ERROR|# ' | head -n 20 || true
		fi
	done
	[ "$n" -ge "$want" ] ||
		ktd_fail "$label: $n KTAP documents in $log, expected at least $want"
}
