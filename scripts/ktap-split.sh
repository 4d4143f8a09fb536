#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Cut the KTAP documents out of a guest log into DIR/<n>-<name>.ktap.
#
# usage: scripts/ktap-split.sh GUEST.LOG DIR
#
# The guest frames each document with "KTD-KTAP-BEGIN <name>" and
# "KTD-KTAP-END" (scripts/guest-ktap.sh); the documents themselves are left
# for kunit.py to parse. Prints the files written, one per line.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 GUEST.LOG DIR" >&2; exit 2; }
mkdir -p "$2"
awk -v dir="$2" '
	/^KTD-KTAP-BEGIN / {
		name = $2; gsub(/[^A-Za-z0-9_.:-]/, "_", name)
		file = sprintf("%s/%02d-%s.ktap", dir, ++n, name)
		print file
		next
	}
	/^KTD-KTAP-END$/ { close(file); file = ""; next }
	file != "" { print > file }
' "$1"
