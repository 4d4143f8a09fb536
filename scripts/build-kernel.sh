#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the debug test kernel from Debian's linux-source-6.12.
#
# usage: scripts/build-kernel.sh [--llvm] [FRAGMENT]
#
# FRAGMENT defaults to scripts/test-kernel.config; another one (say, the
# same without KASAN, to measure what KASAN costs) builds a kernel of its
# own beside it. --llvm configures the tree for clang (LLVM=1) and only
# prepares it for module builds (modules_prepare): enough to compile the
# modules with clang, which a gcc-configured tree does not allow.
#
# The build lives in $KTD_CACHE/kernel-<key>, outside the checkout. The key
# hashes everything that goes into the build: the source package version,
# the config fragment, the compiler and the recipe below. A build is reused only
# if it finished (the .complete stamp is written last); a failed or
# interrupted one is wiped and started again. Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the build steps below change, so cached kernels are rebuilt.
recipe="allnoconfig+fragment, bzImage+modules, v1"
targets=(bzImage modules)
kmake=(ARCH=x86_64)
cc=gcc
if [ "${1:-}" = --llvm ]; then
	shift
	recipe="allnoconfig+fragment, LLVM=1 modules_prepare, v1"
	targets=(modules_prepare)
	kmake+=(LLVM=1)
	cc=clang
fi

[ $# -le 1 ] || ktd_die "usage: $0 [--llvm] [FRAGMENT]"
frag=$(realpath "${1:-$KTD_TOP/scripts/test-kernel.config}")
[ -f "$frag" ] || ktd_die "no config fragment $frag"
ktd_deps
[ $cc = gcc ] || ktd_need clang lld llvm
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$({ echo "$srcver"; cat "$frag"; $cc --version | head -n 1; echo "$recipe"; } |
	sha256sum | cut -c1-16)
src=$KTD_CACHE/src/linux-source-6.12-$srcver
obj=$KTD_CACHE/kernel-$key

if [ -f "$obj/.complete" ]; then
	echo "$obj"
	exit 0
fi
# One build of each kernel at a time (whoever waited may find it done);
# different kernels may build side by side (make check builds the KCSAN
# kernel in the background while the clang tree is prepared).
mkdir -p "$KTD_CACHE"
exec 9>"$KTD_CACHE/build-kernel-$key.lock"
flock 9
if [ -f "$obj/.complete" ]; then
	echo "$obj"
	exit 0
fi

# The shared source tree: unpacked once, under a lock of its own.
exec 8>"$KTD_CACHE/build-kernel-src.lock"
flock 8
if [ ! -f "$src/.complete" ]; then
	ktd_log "unpacking linux-source-6.12 $srcver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf /usr/src/linux-source-6.12.tar.xz --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.complete"
fi
exec 8>&-

ktd_log "building test kernel $key (cold: about 10 minutes on 2 cores)"
rm -rf "$obj"
mkdir -p "$obj"
log=$obj/build.log
start=$SECONDS
{
	make -C "$src" O="$obj" "${kmake[@]}" allnoconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag"
	make -C "$src" O="$obj" "${kmake[@]}" olddefconfig
} >"$log" 2>&1 || ktd_die "kernel configuration failed, see $log"

# Every option the fragment asks for must survive olddefconfig.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r want; do
	case $want in
	*=n) grep -qxF "# ${want%=n} is not set" "$obj/.config" || echo "$want" ;;
	*) grep -qxF "$want" "$obj/.config" || echo "$want" ;;
	esac
done)
[ -z "$missing" ] || ktd_die "config options dropped by olddefconfig: $(echo $missing)"

# bzImage, then modules for Module.symvers and the module build
# environment; or just modules_prepare for a compile-only tree.
for t in "${targets[@]}"; do
	make -C "$src" O="$obj" "${kmake[@]}" -j"$KTD_JOBS" "$t" >>"$log" 2>&1 ||
		ktd_die "make $t failed, see $log"
done
echo "$((SECONDS - start))" >"$obj/build-seconds"
touch "$obj/.complete"
ktd_log "test kernel built in $((SECONDS - start)) s"
echo "$obj"
