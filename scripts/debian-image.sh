#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the Debian guest's userland: a minimal bookworm made
# with mmdebstrap from Debian's own packages, with the tools a user runs
# on the module (trace-cmd, perf, bpftrace, rt-tests, stress-ng).
#
# usage: scripts/debian-image.sh
#
# Prints the image directory, which holds the same tree twice:
#   rootfs.cpio   an initramfs (newc), unpacked by the kernel into RAM
#   rootfs.ext4   a disk image (ext4), read through virtio-blk
# ktd_vm -r boots either with Debian's 6.1 kernel (scripts/debian-vm.sh
# times both). The apt sources are the host's own (the archive the build
# machines already use), so the userland matches the host's 6.1 kernel.
#
# Cached in $KTD_CACHE/debian-<key>, outside the checkout. The key hashes
# what goes into the image: the package list, the apt sources, the
# mmdebstrap version and the recipe below. An image is reused only if it
# finished (.complete is written last); a failed one is built again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || ktd_die "usage: $0"

# What the guest needs beyond Debian's essential set: kmod (insmod,
# rmmod, lsmod), the trace tools, and busybox-static for the guest's
# /init (scripts/guest-init, shared with the busybox guests).
packages=(kmod trace-cmd linux-perf bpftrace rt-tests stress-ng busybox-static)
# Bump when the build steps below change, so cached images are rebuilt.
recipe="essential+include, no docs/man/locales, cpio+ext4, v1"
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
[ -f "$sources" ] || ktd_die "no apt sources on this host ($sources)"

mkdir -p "$KTD_CACHE"
ktd_need mmdebstrap e2fsprogs cpio
key=$({ printf '%s\n' "${packages[@]}"; cat "$sources"
	dpkg-query -W -f='${Version}\n' mmdebstrap; echo "$recipe"; } |
	sha256sum | cut -c1-16)
img=$KTD_CACHE/debian-$key

if [ -f "$img/.complete" ]; then
	echo "$img"
	exit 0
fi
# One build at a time; whoever waited may find it done.
exec 9>"$KTD_CACHE/debian-image.lock"
flock 9
if [ -f "$img/.complete" ]; then
	echo "$img"
	exit 0
fi

rm -rf "$img"
mkdir -p "$img"
root=$img/root
t0=$SECONDS
ktd_log "building the Debian bookworm guest image with mmdebstrap ($(IFS=,; echo "${packages[*]}")); about 5 min cold"
# --variant=essential: Essential: yes packages and what --include pulls
# in; no apt, no init system. Docs, man pages and translations are left
# out.
if ! mmdebstrap --variant=essential --mode=root \
	--include="$(IFS=,; echo "${packages[*]}")" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--customize-hook='echo ktd-debian >"$1/etc/hostname"' \
	--customize-hook='rm -rf "$1"/var/cache/* "$1"/var/lib/apt/lists/*' \
	bookworm "$root" "$sources" >"$img/mmdebstrap.log" 2>&1; then
	ktd_die "mmdebstrap failed, see $img/mmdebstrap.log"
fi

# The same tree as an initramfs and as a disk image (ext4 with 25%
# free, for what the guest writes: trace.dat, perf.data).
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$img/rootfs.cpio"
mb=$(du -sm "$root" | cut -f1)
mke2fs -q -t ext4 -L ktd-debian -d "$root" "$img/rootfs.ext4" "$((mb * 5 / 4 + 64))M"
rm -rf "$root"
{
	echo "packages: ${packages[*]}"
	echo "built: $(date -u +%FT%TZ) in $((SECONDS - t0)) s"
	echo "tree: $mb MiB"
} >"$img/info"
touch "$img/.complete"
ktd_log "Debian image built in $((SECONDS - t0)) s ($mb MiB): $img"
echo "$img"
