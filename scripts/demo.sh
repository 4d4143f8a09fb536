#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's own 6.1 kernel in QEMU, load kthread_demo, show what it
# does, unload it.
#
# usage: [VM=busybox|debian] scripts/demo.sh
#
# Installs what it needs, builds the module against Debian's 6.1 headers
# (the kernel a user's test VM runs) and streams the guest's session.
# VM=debian boots the same kernel on a Debian bookworm userland
# (scripts/debian-image.sh, built once and cached) and adds the trace
# tools on the module's events (scripts/jobs/demo-tools.sh); the busybox
# guest (VM=busybox, the default) is the fast one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VM=${VM:-busybox}
case $VM in
busybox | debian) ;;
*) ktd_die "unknown VM '$VM' (busybox, debian)" ;;
esac
ktd_deps
distro=$(ktd_distro_kver)
out=$KTD_OUT/demo
rm -rf "$out"
mkdir -p "$out"
ktd_log "building the modules for Debian $distro (cached while the sources do not change)"
mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
if [ "$VM" = debian ]; then
	img=$("$KTD_TOP/scripts/debian-image.sh")
	printf '%s\n' 'sh /demo.sh && sh /demo-tools.sh' >"$out/job.sh"
	ktd_log "booting Debian $distro on the Debian bookworm image in QEMU (TCG, 2 vCPUs; about 3 min)"
	ktd_vm -s -t 900 -r "$img/rootfs.ext4" "/boot/vmlinuz-$distro" "$out/vm" "$out/job.sh" \
		"$KTD_TOP/scripts/jobs/demo.sh" "$KTD_TOP/scripts/jobs/demo-tools.sh" \
		"$mods/kthread_demo.ko" "$mods/workqueue_demo.ko" ||
		ktd_die "demo failed (kernel log: $out/vm/console.log)"
else
	ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs; about 20 s)"
	ktd_vm -s -t 300 "/boot/vmlinuz-$distro" "$out/vm" "$KTD_TOP/scripts/jobs/demo.sh" \
		"$mods/kthread_demo.ko" "$mods/workqueue_demo.ko" ||
		ktd_die "demo failed (kernel log: $out/vm/console.log)"
fi
ktd_log "demo done: module loaded, shown and unloaded cleanly (kernel log: $out/vm/console.log)"
# The same machine drawn over time: the workqueue documentation's example
# on each workqueue flavour, kthread ping-pong, a blocked kthread and the
# user-level thread models, as pictures and Perfetto traces.
ktd_log "timelines: the cmwq example of Documentation/core-api/workqueue.rst, ping-pong, io_stall, the thread models (a second boot, about 45 s)"
"$KTD_TOP/scripts/timeline.sh" -s all
