#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check the install paths a user of an out-of-tree module relies on, for
# Debian's 6.1 kernel (its headers, not the running kernel):
#   - make install / make uninstall with DESTDIR, which must not touch the
#     real /lib/modules, and without it (extra/, then depmod);
#   - a DKMS add, build, install and remove cycle with dkms.conf;
#   - modinfo of the installed modules: version (from VERSION), license,
#     author, description, and a description for every parameter.
# Nothing is loaded: install only copies files and runs depmod for a kernel
# version that is not the running one (the script refuses if it is).
#
# usage: scripts/dkms-check.sh
#
# One "PASS  ..." or "FAIL  ..." line per step, then "N passed, N failed";
# exits nonzero if a step failed. Logs go to $KTD_OUT/dkms-check/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0"; }
case $# in
0) ;;
*)
	usage >&2
	exit 2
	;;
esac

passed=0 failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || ktd_die "run as root: dkms and make install write to /usr/src, /var/lib/dkms and /lib/modules"
mkdir -p "$KTD_CACHE" "$KTD_OUT"
ktd_need dkms kmod make gcc

kver=$(ktd_distro_kver)
[ "$kver" != "$(uname -r)" ] ||
	ktd_die "$kver is the running kernel: this check installs into its /lib/modules, refusing"
kdir=/lib/modules/$kver/build
name=kthread-demo
version=$(cat "$KTD_TOP/VERSION")
src=/usr/src/$name-$version
mods=$(sed -n 's/^obj-m *+= *\(.*\)\.o$/\1/p' "$KTD_TOP/Kbuild" | xargs)
out=$KTD_OUT/dkms-check
rm -rf "$out"
mkdir -p "$out"
echo "version $version, kernel $kver, modules: $mods"

# Never clobber what a user installed.
[ ! -e "$src" ] || ktd_die "$src exists: remove it (dkms remove $name/$version --all) first"
[ ! -e "/var/lib/dkms/$name" ] || ktd_die "dkms already has $name (dkms status): remove it first"
for m in $mods; do
	[ ! -e "/lib/modules/$kver/extra/$m.ko" ] ||
		ktd_die "/lib/modules/$kver/extra/$m.ko exists: make uninstall KDIR=$kdir first"
done

# dkms signs modules for kernels with CONFIG_MODULE_SIG_ALL, creating a
# key in /var/lib/dkms when there is none; remove it again if we made it.
mok_new=()
for f in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
	[ -e "$f" ] || mok_new+=("$f")
done

tmp=$(mktemp -d)
added=
cleanup() {
	set +e
	[ -z "$added" ] || dkms remove "$name/$version" --all >>"$out/cleanup.log" 2>&1
	rm -rf "$src" "/var/lib/dkms/$name"
	for m in $mods; do
		rm -f "/lib/modules/$kver/extra/$m.ko" "/lib/modules/$kver/updates/dkms/$m.ko"
	done
	rmdir "/lib/modules/$kver/extra" "/lib/modules/$kver/updates/dkms" \
		"/lib/modules/$kver/updates" 2>/dev/null
	depmod -a "$kver" >>"$out/cleanup.log" 2>&1
	[ ${#mok_new[@]} -eq 0 ] || rm -f "${mok_new[@]}"
	rm -rf "$tmp"
}
trap cleanup EXIT

# What a release tarball holds: the tracked build files, dkms.conf, VERSION.
stage=$tmp/$name
mkdir -p "$stage"
(cd "$KTD_TOP" && git ls-files -co --exclude-standard -z -- Makefile Kbuild VERSION \
	dkms.conf ':(glob)*.[ch]' 'kunit/*' | xargs -0 cp --parents -t "$stage")

# check_modinfo DIR: each module in DIR says what it is; every parameter
# has a description (modinfo prints "name: (type)" for one without).
check_modinfo() {
	local ko m bad=() p
	for m in $mods; do
		ko=$1/$m.ko
		[ "$(modinfo -F version "$ko")" = "$version" ] ||
			bad+=("$m: version '$(modinfo -F version "$ko")', want $version")
		[ "$(modinfo -F license "$ko")" = GPL ] || bad+=("$m: license not GPL")
		[ -n "$(modinfo -F author "$ko")" ] || bad+=("$m: no author")
		[ -n "$(modinfo -F description "$ko")" ] || bad+=("$m: no description")
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] ||
			bad+=("$m: vermagic not $kver")
		while read -r p; do
			[[ $p =~ ^[^:]+:\ *\( ]] && bad+=("$m: parameter ${p%%:*} has no description")
		done < <(modinfo -F parm "$ko")
		[ "$(modinfo -F parm "$ko" | wc -l)" -eq "$(modinfo -F parmtype "$ko" | wc -l)" ] ||
			bad+=("$m: parm and parmtype counts differ")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		pass "modinfo ${1#/lib/modules/"$kver"/}/*.ko: version $version, license, author, description, parameters described"
	else
		fail "modinfo ${1#/lib/modules/"$kver"/}/*.ko:"
		printf '      %s\n' "${bad[@]}"
	fi
}

# all_exist DIR: every module of Kbuild is in DIR.
all_exist() {
	local m
	for m in $mods; do
		[ -f "$1/$m.ko" ] || return 1
	done
}

# none_exist DIR: no module of Kbuild is in DIR.
none_exist() {
	local m
	for m in $mods; do
		[ ! -e "$1/$m.ko" ] || return 1
	done
}

# The real /lib/modules/$kver must not change while DESTDIR is set.
touch "$tmp/before"
unchanged() {
	[ -z "$(find "/lib/modules/$kver" -path "/lib/modules/$kver/build" -prune -o \
		-path "/lib/modules/$kver/source" -prune -o -newer "$tmp/before" -print)" ]
}

## make install / uninstall with DESTDIR
root=$tmp/root
dest=$root/lib/modules/$kver/extra
if make -C "$stage" install DESTDIR="$root" KDIR="$kdir" >"$out/make-install-destdir.log" 2>&1 &&
	all_exist "$dest" && unchanged; then
	pass "make install DESTDIR=\$tmp KDIR=$kdir: in \$tmp/lib/modules/$kver/extra, /lib/modules untouched"
else
	fail "make install DESTDIR (see $out/make-install-destdir.log)"
fi
if make -C "$stage" uninstall DESTDIR="$root" KDIR="$kdir" >"$out/make-uninstall-destdir.log" 2>&1 &&
	none_exist "$dest" && [ ! -e "$dest" ] && unchanged; then
	pass "make uninstall DESTDIR=\$tmp: modules and extra/ gone, /lib/modules untouched"
else
	fail "make uninstall DESTDIR (see $out/make-uninstall-destdir.log)"
fi

## make install / uninstall into /lib/modules/$kver, with depmod
dest=/lib/modules/$kver/extra
if make -C "$stage" install KDIR="$kdir" >"$out/make-install.log" 2>&1 &&
	all_exist "$dest" &&
	[ "$(modinfo -k "$kver" -n kthread_demo 2>/dev/null)" = "$dest/kthread_demo.ko" ]; then
	pass "make install KDIR=$kdir: modules in $dest, depmod indexed them (modinfo -k $kver)"
	check_modinfo "$dest"
else
	fail "make install (see $out/make-install.log)"
fi
if make -C "$stage" uninstall KDIR="$kdir" >"$out/make-uninstall.log" 2>&1 &&
	none_exist "$dest" && ! modinfo -k "$kver" -n kthread_demo >/dev/null 2>&1; then
	pass "make uninstall KDIR=$kdir: modules gone, depmod forgot them"
else
	fail "make uninstall (see $out/make-uninstall.log)"
fi
make -C "$stage" clean >/dev/null 2>&1

## DKMS: add, build, install, remove
# dkms add DIR copies DIR to /usr/src/NAME-VERSION, with the version
# dkms.conf read from VERSION.
if dkms add "$stage" >"$out/dkms-add.log" 2>&1; then
	added=1
fi
if [ -n "$added" ] && [ -d "$src" ] &&
	dkms status "$name/$version" 2>&1 | grep -q "^$name/$version: added"; then
	pass "dkms add: $name/$version, version from VERSION via dkms.conf"
else
	fail "dkms add (see $out/dkms-add.log)"
fi

built=/var/lib/dkms/$name/$version/$kver/$(uname -m)/module
if [ -n "$added" ] && dkms build "$name/$version" -k "$kver" >"$out/dkms-build.log" 2>&1 &&
	all_exist "$built"; then
	pass "dkms build -k $kver: built every module of Kbuild (all listed in dkms.conf)"
else
	cp "/var/lib/dkms/$name/$version/build/make.log" "$out/dkms-make.log" 2>/dev/null || true
	fail "dkms build -k $kver (see $out/dkms-build.log, $out/dkms-make.log)"
fi

dest=/lib/modules/$kver/updates/dkms
if [ -n "$added" ] && dkms install "$name/$version" -k "$kver" >"$out/dkms-install.log" 2>&1 &&
	all_exist "$dest" &&
	[ "$(modinfo -k "$kver" -n kthread_demo 2>/dev/null)" = "$dest/kthread_demo.ko" ] &&
	dkms status "$name/$version" -k "$kver" 2>&1 | grep -q ': installed'; then
	pass "dkms install -k $kver: modules in $dest, depmod indexed them"
	check_modinfo "$dest"
else
	fail "dkms install -k $kver (see $out/dkms-install.log)"
fi

if [ -n "$added" ] && dkms remove "$name/$version" --all >"$out/dkms-remove.log" 2>&1; then
	added=
fi
if [ -z "$added" ] && none_exist "$dest" && [ ! -e "/var/lib/dkms/$name" ] &&
	! modinfo -k "$kver" -n kthread_demo >/dev/null 2>&1; then
	pass "dkms remove --all: modules, DKMS tree and depmod entries gone"
else
	fail "dkms remove --all (see $out/dkms-remove.log)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
