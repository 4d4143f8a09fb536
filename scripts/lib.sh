# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the kthread-demo scripts. Source it; do not run it.
#
# Paths:
#   KTD_TOP    the checkout
#   KTD_CACHE  the cache outside the checkout (kernel source, test kernel
#              builds), default ${XDG_CACHE_HOME:-$HOME/.cache}/kthread-demo
#   KTD_OUT    per-run artefacts (logs, initramfs, built modules), default
#              $KTD_CACHE/out

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
	for v in $(ls -1 /lib/modules 2>/dev/null | grep '^6\.1\.' | sort -rV); do
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
	local kdir=$1 key dir
	key=$( { echo "$kdir"; sha256sum "$kdir/Module.symvers" 2>/dev/null
		cd "$KTD_TOP" && git ls-files -co --exclude-standard -z -- \
			Kbuild VERSION '*.c' '*.h' 'kunit/*' 'scripts/selftest/*' |
			xargs -0 sha256sum; } | sha256sum | cut -c1-16)
	dir=$KTD_CACHE/modules/$key
	if [ ! -f "$dir/.complete" ]; then
		ktd_build "$kdir" "$dir" ||
			{ ktd_log "module build failed, see $dir/build.log"; return 1; }
		touch "$dir/.complete"
	fi
	# Keep the ten newest builds.
	ls -1dt "$KTD_CACHE"/modules/*/ 2>/dev/null | tail -n +11 | xargs -r rm -rf
	echo "$dir"
}

# The kernel source tree that built the test kernel (for kunit.py and
# checkpatch): the O= build directory's Makefile names it.
ktd_kernel_src() {
	sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$1/Makefile"
}
