#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Timelines of the workqueue documentation's example, reproduced, and of
# the project's other stories: boot Debian's 6.1 kernel in QEMU, run them
# with the modules' trace events and the scheduler's recorded, and draw
# which task ran on which CPU, when it slept, and who waited behind whom.
#
# usage: scripts/timeline.sh [-s STORIES] [-c] [-u UNIT_US] [-m MECHANISMS] [-r]
#
#   -s  the stories, comma-separated (default: scenario):
#         scenario  workqueue_demo's scenario, the documentation's example
#         pingpong  kthread_demo's ping-pong on one CPU and across CPUs
#         io_stall  one blocked kthread among its siblings (io_stall=1)
#         ult       the user-level thread models' blocking demonstration
#                   (M:1, 1:1, M:N, M:N with scheduler activations)
#         stories   pingpong,io_stall,ult (one boot, about a minute)
#         all       all of them
#   -c  check what each story other than the scenario must show (a PASS or
#       FAIL line each; exits 1 if one failed): make check's timeline phase.
#       Without the scenario, a failed check gets a second boot and only
#       that one counts (a host that stalls the guest can upset a run)
#   -u  the scenario's unit in us (bench/scen_unit_us): w0 burns one unit,
#       sleeps two, burns one; w1 and w2 burn one, sleep two. Default 5000,
#       the documentation's 5 ms.
#   -m  the mechanisms whose configurations run, as written to
#       bench/mechanisms (default: all)
#   -r  no boot: draw again from the last run's trace.txt and scenario.txt
#
# Writes to $KTD_OUT/timeline/ (~/.cache/kthread-demo/out/timeline/), for
# the scenario:
#   scenario.txt          the module's table: each item's start and end, and
#                         "all done at" beside the documentation's figure
#   scenario.csv          the same, one line per item, in ns
#   timeline.png          the configurations the documentation describes,
#                         on one time axis
#   timeline-<config>.png each configuration on its own
#   timeline.json         Chrome trace events: open it in
#                         https://ui.perfetto.dev or chrome://tracing
#   trace.txt             the raw trace (tracefs text)
# and for each other story: timeline-<story>.png (a panel per case),
# timeline-<story>.json (Perfetto) and trace-<case>.txt; it ends by
# printing where they are. Times are QEMU TCG emulation: the
# shapes mean something, the milliseconds only roughly.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $0 [-s STORIES] [-c] [-u UNIT_US] [-m MECHANISMS] [-r]"
unit="" mechs="" redraw=0 stories=scenario check=0
while getopts "s:cu:m:rh" opt; do
	case $opt in
	s) stories=$OPTARG ;;
	c) check=1 ;;
	u) unit=$OPTARG ;;
	m) mechs=$OPTARG ;;
	r) redraw=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) ktd_die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || ktd_die "$usage"
picked=""
for st in ${stories//,/ }; do
	case $st in
	scenario | pingpong | io_stall | ult) picked+=" $st" ;;
	stories) picked+=" pingpong io_stall ult" ;;
	all) picked+=" scenario pingpong io_stall ult" ;;
	*) ktd_die "unknown story '$st' (scenario, pingpong, io_stall, ult, stories, all)" ;;
	esac
done
stories=${picked# }
has() { [[ " $stories " == *" $1 "* ]]; }

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
	if has ult; then
		ult=$("$KTD_TOP/scripts/ult-bench.sh" --build-only) || exit 1
		files+=("${ult%/*}/ult-timeline" "$mods/ktd_activations.ko" "$mods/ktd_act_test")
	fi
	{
		echo "stories $stories"
		[ -z "$unit" ] || echo "scen_unit_us $unit"
		[ -z "$mechs" ] || echo "mechanisms $mechs"
	} >"$out/timeline.params"
	files+=("$out/timeline.params")

	ktd_log "booting Debian $distro in QEMU (TCG, 2 vCPUs; about 30 s for the scenario, 15 s for the other stories) for: $stories, traced"
	vm_ok=1
	ktd_vm -t 600 "/boot/vmlinuz-$distro" "$out/vm" "$KTD_TOP/scripts/jobs/timeline.sh" \
		"${files[@]}" || vm_ok=0

	# Cut the framed sections out of the guest's output.
	awk -v dir="$out" '
		/^KTD-TL-BEGIN / { file = dir "/" $2; printf "" > file; next }
		/^KTD-TL-END$/ { close(file); file = ""; next }
		file != "" { print > file }
	' "$out/vm/guest.log"
	[ -s "$out/env" ] || ktd_die "the guest printed no env (logs in $out/vm)"
	if has scenario; then
		for f in scenario scenario.csv trace; do
			[ -s "$out/$f" ] || ktd_die "the guest printed no $f (logs in $out/vm)"
		done
		mv "$out/scenario" "$out/scenario.txt"
		mv "$out/trace" "$out/trace.txt"
	fi
	for f in "$out"/trace-*; do
		[ ! -f "$f" ] || mv "$f" "$f.txt"
	done
	[ $vm_ok = 1 ] || ktd_die "the timeline VM run failed (logs in $out/vm)"
}

if [ $redraw = 1 ]; then
	[ -s "$out/env" ] || ktd_die "no earlier run in $out to draw again"
	rm -f "$out"/*.dat "$out"/*.vars "$out"/*.png "$out"/*.json "$out"/*.panels
else
	boot
fi
rm -f "$out/gnuplot.log"

# draw PNG PANEL...: one picture of those panels
draw() {
	local png=$1
	shift
	gnuplot -e "dir='$out'; cfgs='$*'; out='$png'" \
		"$KTD_TOP/scripts/timeline.gnuplot" 2>>"$out/gnuplot.log" ||
		ktd_die "gnuplot failed for $png (see $out/gnuplot.log)"
}

if has scenario; then
	[ -s "$out/trace.txt" ] || ktd_die "no scenario trace in $out (run with -s scenario)"
	python3 "$KTD_TOP/scripts/timeline.py" "$out/trace.txt" "$out"
	# One picture per configuration, and the documented ones together.
	documented=()
	while read -r cfg doc; do
		draw "$out/timeline-$cfg.png" "$cfg"
		[ "$doc" = - ] || documented+=("$cfg")
	done <"$out/configs.txt"
	[ ${#documented[@]} -eq 0 ] || draw "$out/timeline.png" "${documented[@]}"

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
fi

# The other stories: a picture and a Perfetto file each; with -c, what
# each must show, checked (PASS/FAIL lines in $out/checks.txt).
draw_stories() {
	local st panels args
	failed=0
	: >"$out/checks.txt"
	for st in pingpong io_stall ult; do
		has $st || continue
		args=(--story "$st")
		[ $check = 0 ] || args+=(--check)
		python3 "$KTD_TOP/scripts/timeline.py" "${args[@]}" "$out" >>"$out/checks.txt" ||
			failed=1
		read -r -a panels <"$out/$st.panels"
		[ ${#panels[@]} -eq 0 ] || draw "$out/timeline-$st.png" "${panels[@]}"
	done
}

draw_stories
# A host that stalls the guest for long enough (other guests, builds) can
# upset a run, as it can the scenario's guest test: a failed check gets a
# second boot, and only what that one shows counts.
if [ $failed = 1 ] && [ $check = 1 ] && [ $redraw = 0 ] && ! has scenario; then
	ktd_log "a check failed (below); recording the stories again in a new boot, the first run kept in $out.1"
	sed 's/^/  first run: /' "$out/checks.txt" >&2
	rm -rf "$out.1"
	mv "$out" "$out.1"
	boot
	draw_stories
fi
cat "$out/checks.txt"
for st in pingpong io_stall ult; do
	has $st || continue
	echo "  $st ($(sed -n 's/^kernel: //p' "$out/env"), QEMU TCG): $out/timeline-$st.png," \
		"Perfetto: $out/timeline-$st.json"
done
if ! has pingpong || ! has io_stall || ! has ult; then
	echo "The other stories (kthread ping-pong, a blocked kthread, the user-level"
	echo "thread models): scripts/results/{pingpong,io_stall,ult}-timeline.png from"
	echo "an earlier run; to draw them here (a boot of about 40 s):"
	echo "  scripts/timeline.sh -s stories"
fi
exit $failed
