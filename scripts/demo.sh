#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's own 6.1 kernel in QEMU, load kthread_demo, show what it
# does, unload it.
#
# usage: scripts/demo.sh
#
# Installs what it needs, builds the module against Debian's 6.1 headers
# (the kernel a user's test VM runs) and streams the guest's session.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ktd_deps
distro=$(ktd_distro_kver)
out=$KTD_OUT/demo
rm -rf "$out"
mkdir -p "$out"
ktd_log "building the modules for Debian $distro (cached while the sources do not change)"
mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
"$KTD_TOP/scripts/mkinitramfs.sh" "$out/demo.cpio" "$KTD_TOP/scripts/jobs/demo.sh" \
	"$mods/kthread_demo.ko" "$mods/workqueue_demo.ko"
ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs; about 20 s)"
if "$KTD_TOP/scripts/run-vm.sh" -s -t 300 "/boot/vmlinuz-$distro" \
	"$out/demo.cpio" "$out/vm"; then
	ktd_log "demo done: module loaded, shown and unloaded cleanly (kernel log: $out/vm/console.log)"
else
	ktd_die "demo failed (kernel log: $out/vm/console.log)"
fi
