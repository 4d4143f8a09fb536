#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pack a busybox-static initramfs for one guest run.
#
# usage: scripts/mkinitramfs.sh OUT.cpio JOB.sh [FILE...]
#
# JOB.sh becomes /job.sh (run by scripts/guest-init as /init); each FILE
# is copied into the guest's root under its base name (.ko files, tools).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || ktd_die "usage: $0 OUT.cpio JOB.sh [FILE...]"
out=$1 job=$2
shift 2

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$KTD_TOP/scripts/guest-init" "$root/init"
install -m 0755 "$job" "$root/job.sh"
for f in "$@"; do
	cp "$f" "$root/"
done
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out"
