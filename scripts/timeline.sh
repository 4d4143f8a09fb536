#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Timelines of the workqueue documentation's example, reproduced: boot
# Debian's 6.1 kernel in QEMU, run workqueue_demo's scenario with its trace
# events and the scheduler's recorded, and draw which task ran which item
# on which CPU, when it slept, and who waited behind whom.
#
# usage: scripts/timeline.sh [-u UNIT_US] [-m MECHANISMS] [-r]
#
#   -u  the scenario's unit in us (bench/scen_unit_us): w0 burns one unit,
#       sleeps two, burns one; w1 and w2 burn one, sleep two. Default 5000,
#       the documentation's 5 ms.
#   -m  the mechanisms whose configurations run, as written to
#       bench/mechanisms (default: all)
#   -r  no boot: draw again from the last run's trace.txt and scenario.txt
#
# Writes to $KTD_OUT/timeline/ (~/.cache/kthread-demo/out/timeline/):
#   scenario.txt          the module's table: each item's start and end, and
#                         "all done at" beside the documentation's figure
#   scenario.csv          the same, one line per item, in ns
#   timeline.png          the configurations the documentation describes,
#                         on one time axis
#   timeline-<config>.png each configuration on its own
#   timeline.json         Chrome trace events: open it in
#                         https://ui.perfetto.dev or chrome://tracing
#   trace.txt             the raw trace (tracefs text)
# and ends by printing where they are. Times are QEMU TCG emulation: the
# shapes mean something, the milliseconds only roughly.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [-u UNIT_US] [-m MECHANISMS] [-r]"
unit="" mechs="" redraw=0
while getopts "u:m:rh" opt; do
	case $opt in
	u) unit=$OPTARG ;;
	m) mechs=$OPTARG ;;
	r) redraw=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) ktd_die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || ktd_die "$usage"

ktd_deps
ktd_need gnuplot-nox
distro=$(ktd_distro_kver)
out=$KTD_OUT/timeline

# boot: run the scenario traced in Debian's kernel; the results and the
# trace land in $out
boot() {
	rm -rf "$out"
	mkdir -p "$out"
	ktd_log "building the modules for Debian $distro (cached while the sources do not change)"
	mods=$(ktd_build_cached "/lib/modules/$distro/build") || exit 1
	files=("$mods/kthread_demo.ko" "$mods/workqueue_demo.ko")
	{
		[ -z "$unit" ] || echo "scen_unit_us $unit"
		[ -z "$mechs" ] || echo "mechanisms $mechs"
	} >"$out/timeline.params"
	if [ -s "$out/timeline.params" ]; then
		files+=("$out/timeline.params")
	fi

	ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs; about 30 s) for the scenario, traced"
	vm_ok=1
	ktd_vm -t 300 "/boot/vmlinuz-$distro" "$out/vm" "$KTD_TOP/scripts/jobs/timeline.sh" \
		"${files[@]}" || vm_ok=0

	# Cut the framed sections out of the guest's output.
	awk -v dir="$out" '
		/^KTD-TL-BEGIN / { file = dir "/" $2; printf "" > file; next }
		/^KTD-TL-END$/ { close(file); file = ""; next }
		file != "" { print > file }
	' "$out/vm/guest.log"
	for f in env scenario scenario.csv trace; do
		[ -s "$out/$f" ] || ktd_die "the guest printed no $f (logs in $out/vm)"
	done
	mv "$out/scenario" "$out/scenario.txt"
	mv "$out/trace" "$out/trace.txt"
	[ $vm_ok = 1 ] || ktd_die "the timeline VM run failed (logs in $out/vm)"
}

if [ $redraw = 1 ]; then
	if [ ! -s "$out/trace.txt" ] || [ ! -s "$out/scenario.txt" ]; then
		ktd_die "no earlier run in $out to draw again"
	fi
	rm -f "$out"/*.dat "$out"/*.vars "$out"/*.png "$out/timeline.json"
else
	boot
fi
rm -f "$out/gnuplot.log"
python3 "$KTD_TOP/scripts/timeline.py" "$out/trace.txt" "$out"
# One picture per configuration, and the documented ones together.
documented=()
while read -r cfg doc; do
	gnuplot -e "dir='$out'; cfgs='$cfg'; out='$out/timeline-$cfg.png'" \
		"$KTD_TOP/scripts/timeline.gnuplot" 2>>"$out/gnuplot.log" ||
		ktd_die "gnuplot failed for $cfg (see $out/gnuplot.log)"
	[ "$doc" = - ] || documented+=("$cfg")
done <"$out/configs.txt"
if [ ${#documented[@]} -gt 0 ]; then
	gnuplot -e "dir='$out'; cfgs='${documented[*]}'; out='$out/timeline.png'" \
		"$KTD_TOP/scripts/timeline.gnuplot" 2>>"$out/gnuplot.log" ||
		ktd_die "gnuplot failed for timeline.png (see $out/gnuplot.log)"
fi

echo
sed -n '/^configuration .*documented/,/^$/p' "$out/scenario.txt"
cat <<EOF
The workqueue documentation's example (Documentation/core-api/workqueue.rst,
"Example Execution Scenarios") on $(sed -n 's/^kernel: //p' "$out/env") under QEMU TCG; doc_ms is
the documentation's "all done at". Timelines:
  pictures: $out/timeline.png (the documented configurations)
            $out/timeline-<configuration>.png (each one)
  Perfetto: $out/timeline.json
            (https://ui.perfetto.dev: "Open trace file"; or chrome://tracing: "Load")
  tables:   $out/scenario.txt, $out/scenario.csv
EOF
