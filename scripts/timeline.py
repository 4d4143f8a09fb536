#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a trace of workqueue_demo's scenario into timelines.

usage: scripts/timeline.py TRACE OUTDIR

TRACE is the text of /sys/kernel/tracing/trace from a run of
`echo scenario > /sys/kernel/debug/kthread_demo/bench/run` with the
kthread_demo events, sched/sched_switch and (optionally) sched_wakeup
enabled (scripts/jobs/timeline.sh records it). For each configuration the scenario ran (each
ktd_scenario event that is not a warm-up) this writes, into OUTDIR:

  <config>.dat    the bars, one per line, for scripts/timeline.gnuplot:
                  KIND ROW X0_MS X1_MS ITEM, KIND one of run (on the CPU),
                  wait (off it while it would run: its worker woken for it
                  but not yet on the CPU, preempted in a burn, or woken from
                  a sleep and not yet back), sleep (until woken), queue
                  (from queueing to the handler's start); the wake-ups come
                  from sched_wakeup, when the trace has it
  <config>.vars   gnuplot settings for that panel: title, x range, rows
                  (one per task that ran an item, with its CPUs)

and, for all of them, configs.txt (the configurations in order, each with
the documentation's "all done at" in ms, or "-") and
timeline.json: a Chrome trace-event file for Perfetto (ui.perfetto.dev)
and chrome://tracing, one process per configuration, one track per task,
a slice per item with its burn and sleep phases inside, and a flow arrow
from each queueing (on the submitter's track) to the item's start. Times
are relative to the moment w0 was queued, so the configurations line up.
"""
import json
import re
import sys

LINE = re.compile(r'^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+(?:\(\s*[\d-]+\)\s+)?'
                  r'\[(?P<cpu>\d+)\]\s+(?:\S+\s+)?(?P<ts>\d+\.\d+):\s+'
                  r'(?P<event>\w+):\s+(?P<rest>.*)$')
WAKEUP = re.compile(r'comm=.* pid=(?P<pid>\d+) prio=')
SWITCH = re.compile(r'prev_comm=(?P<prev_comm>.*) prev_pid=(?P<prev_pid>\d+) '
                    r'prev_prio=\d+ prev_state=(?P<prev_state>\S+) ==> '
                    r'next_comm=(?P<next_comm>.*) next_pid=(?P<next_pid>\d+) ')
FIELD = re.compile(r'(\w+)=(\S+)')


def ns(ts):
    """A trace timestamp ("12.345678", seconds) in integer ns."""
    sec, _, frac = ts.partition('.')
    return int(sec) * 10**9 + int(frac.ljust(9, '0')[:9])


class Item:
    def __init__(self, name):
        self.name = name
        self.mech = None
        self.queued = self.start = self.end = None
        self.queuer = None          # (pid, comm) of the submitter
        self.pid = None             # the task that ran it
        self.phases = []            # (ns, 'burn' | 'sleep')


class Config:
    def __init__(self, name, cpu, doc_ns, unit_ns):
        self.name = name
        self.cpu = cpu
        self.doc_ns = doc_ns
        self.unit_ns = unit_ns
        self.items = {}

    def item(self, idx):
        return self.items.setdefault(idx, Item('w%d' % idx))


def parse(path):
    """The configurations, the tasks' names and their on-CPU intervals."""
    configs, cur = [], None
    comms = {}                      # pid -> comm
    oncpu = {}                      # pid -> [[start, end or None, cpu]]
    running = {}                    # cpu -> pid, as far as the trace says
    wakeups = {}                    # pid -> [ns]
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            ts, ev, rest = ns(m['ts']), m['event'], m['rest']
            pid = int(m['pid'])
            comms.setdefault(pid, m['comm'].strip())
            if ev == 'sched_switch':
                s = SWITCH.search(rest)
                if not s:
                    continue
                prev, nxt = int(s['prev_pid']), int(s['next_pid'])
                cpu = int(m['cpu'])
                comms[prev] = s['prev_comm']
                comms[nxt] = s['next_comm']
                # Whatever ran on this CPU stops now, and the next task
                # runs nowhere else (the filter drops some switches, and
                # a new kthread's first one is under kthreadd's name).
                for p in (running.pop(cpu, None), prev, nxt):
                    spans = oncpu.get(p)
                    if spans and spans[-1][1] is None:
                        spans[-1][1] = ts
                oncpu.setdefault(nxt, []).append([ts, None, cpu])
                running[cpu] = nxt
                continue
            if ev in ('sched_wakeup', 'sched_waking'):
                w = WAKEUP.search(rest)
                if w:
                    wakeups.setdefault(int(w['pid']), []).append(ts)
                continue
            if not ev.startswith('ktd_'):
                continue
            f_ = dict(FIELD.findall(rest))
            if ev == 'ktd_scenario':
                cur = None
                if f_.get('warmup') == '0':
                    cur = Config(f_['config'], int(f_['cpu']),
                                 int(f_['doc_ns']), int(f_['unit_ns']))
                    configs.append(cur)
                continue
            if cur is None or 'item' not in f_:
                continue
            it = cur.item(int(f_['item']))
            if ev == 'ktd_work_queued':
                it.queued, it.queuer, it.mech = ts, pid, f_['mech']
            elif ev == 'ktd_work_start':
                it.start, it.pid = ts, pid
            elif ev == 'ktd_work_phase':
                it.phases.append((ts, f_['phase']))
            elif ev == 'ktd_work_finish':
                it.end = ts
    return configs, comms, oncpu, wakeups


def clip(spans, a, b):
    """The parts of the on-CPU spans inside [a, b): (start, end, cpu)."""
    out = []
    for s, e, cpu in spans:
        e = b if e is None else e
        lo, hi = max(s, a), min(e, b)
        if lo < hi:
            out.append((lo, hi, cpu))
    return out


def segments(it, spans, wakeups, free):
    """
    An item as (kind, start, end, cpu) pieces: run (on the CPU), wait (its
    worker woken for it but not on the CPU yet, off the CPU while burning,
    or woken from a sleep and not yet back on it) and sleep (from going off
    the CPU in a sleep phase to the wake-up).
    """
    out = []

    def gap(kind, lo, hi):
        if kind == 'burn':
            out.append(('wait', lo, hi, None))
            return
        woken = [w for w in wakeups if lo <= w < hi]
        wake = woken[0] if woken else hi
        out.append(('sleep', lo, wake, None))
        if wake < hi:
            out.append(('wait', wake, hi, None))

    # Woken for it (the worker's last wake-up since the queueing, and
    # since its previous item, if any: @free), and waiting for the CPU
    # until the handler starts.
    woken = [w for w in wakeups if max(it.queued, free) <= w < it.start]
    if woken:
        out.append(('wait', woken[-1], it.start, None))
    bounds = it.phases + [(it.end, None)]
    for (a, kind), (b, _) in zip(bounds, bounds[1:]):
        t = a
        for lo, hi, cpu in clip(spans, a, b):
            if lo > t:
                gap(kind, t, lo)
            out.append(('run', lo, hi, cpu))
            t = hi
        if t < b:
            gap(kind, t, b)
    return out


def ms(v):
    return '%.3f' % (v / 1e6)


def complete(cfg):
    items = [cfg.items.get(i) for i in range(3)]
    return all(it and None not in (it.queued, it.start, it.end) for it in items)


def write_config(cfg, comms, oncpu, wakeups, outdir, pid_no, events):
    t0 = min(it.queued for it in cfg.items.values())
    items = sorted(cfg.items.values(), key=lambda it: it.name)
    done = max(it.end for it in items) - t0
    rows = []                       # worker pids, in order of first start
    for it in sorted(items, key=lambda it: it.start):
        if it.pid not in rows:
            rows.append(it.pid)
    def free(it):
        """When its worker was done with its previous item, or 0."""
        return max([o.end for o in items if o.pid == it.pid and o.end <= it.start],
                   default=0)

    segs = {it.name: segments(it, oncpu.get(it.pid, []), wakeups.get(it.pid, []),
                              free(it))
            for it in items}
    cpus = {p: set() for p in rows}
    for it in items:
        for kind, a, b, cpu in segs[it.name]:
            if cpu is not None:
                cpus[it.pid].add(cpu)

    def label(p):
        where = ','.join(str(c) for c in sorted(cpus[p])) or '?'
        return '%s (%d) CPU%s' % (comms.get(p, '?'), p, where)

    # gnuplot: bars, and the settings of the panel
    kinds = set()
    with open('%s/%s.dat' % (outdir, cfg.name), 'w') as f:
        f.write('# kind row x0_ms x1_ms item\n')
        for it in items:
            row = rows.index(it.pid) + 1
            f.write('queue %d %s %s %s\n' % (row, ms(it.queued - t0),
                                             ms(it.start - t0), it.name))
            kinds.add('queue')
            for kind, a, b, _ in segs[it.name]:
                f.write('%s %d %s %s %s\n' % (kind, row, ms(a - t0),
                                              ms(b - t0), it.name))
                kinds.add(kind)
        # gnuplot warns about a plot with no valid point: one far left
        for kind in sorted({'run', 'wait', 'sleep', 'queue'} - kinds):
            f.write('%s 1 -1000 -1000 none\n' % kind)
    doc = cfg.doc_ns / 1e6
    title = '%s: all done at %.1f ms' % (cfg.name, done / 1e6)
    if cfg.doc_ns:
        title += ', documentation %.0f ms (%+.1f)' % (doc, (done - cfg.doc_ns) / 1e6)
    else:
        title += ' (not in the documentation)'
    tics = ', '.join('"%s" %d' % (label(p), i + 1) for i, p in enumerate(rows))
    with open('%s/%s.vars' % (outdir, cfg.name), 'w') as f:
        f.write('title = "%s"\n' % title)
        f.write('xmax = %.3f\n' % (max(done, cfg.doc_ns) / 1e6 * 1.06 + 1))
        f.write('nrows = %d\n' % len(rows))
        f.write('doc = %.3f\n' % (doc if cfg.doc_ns else -1))
        f.write('done = %.3f\n' % (done / 1e6))
        f.write('set ytics (%s)\n' % tics)

    # Chrome trace events: this configuration is one process
    us = lambda v: round((v - t0) / 1e3, 3)
    events.append({'ph': 'M', 'name': 'process_name', 'pid': pid_no,
                   'args': {'name': 'scenario %s' % cfg.name}})
    events.append({'ph': 'M', 'name': 'process_sort_index', 'pid': pid_no,
                   'args': {'sort_index': pid_no}})
    tracks = rows + sorted({it.queuer for it in items} - set(rows))
    for i, p in enumerate(tracks):
        name = label(p) if p in rows else '%s (%d) submitter' % (comms.get(p, '?'), p)
        events.append({'ph': 'M', 'name': 'thread_name', 'pid': pid_no,
                       'tid': p, 'args': {'name': name}})
        events.append({'ph': 'M', 'name': 'thread_sort_index', 'pid': pid_no,
                       'tid': p, 'args': {'sort_index': i}})
    for it in items:
        events.append({'ph': 'X', 'cat': 'item', 'name': it.name, 'pid': pid_no,
                       'tid': it.pid, 'ts': us(it.start),
                       'dur': us(it.end) - us(it.start),
                       'args': {'mechanism': it.mech,
                                'queued_ms': round((it.queued - t0) / 1e6, 3),
                                'waited_ms': round((it.start - it.queued) / 1e6, 3)}})
        bounds = it.phases + [(it.end, None)]
        for (a, kind), (b, _) in zip(bounds, bounds[1:]):
            events.append({'ph': 'X', 'cat': 'phase', 'name': kind,
                           'pid': pid_no, 'tid': it.pid, 'ts': us(a),
                           'dur': us(b) - us(a), 'args': {'item': it.name}})
        for kind, a, b, _ in segs[it.name]:
            if kind == 'wait' and b <= it.start:
                events.append({'ph': 'X', 'cat': 'phase',
                               'name': 'woken for %s, waiting for the CPU' % it.name,
                               'pid': pid_no, 'tid': it.pid, 'ts': us(a),
                               'dur': us(b) - us(a), 'args': {'item': it.name}})
            elif kind != 'run':
                events.append({'ph': 'X', 'cat': 'phase',
                               'name': 'asleep' if kind == 'sleep' else 'waiting for the CPU',
                               'pid': pid_no, 'tid': it.pid, 'ts': us(a),
                               'dur': us(b) - us(a), 'args': {'item': it.name}})
        # the queueing, on the submitter's track, and an arrow to the start
        flow = pid_no * 100 + int(it.name[1:])
        events.append({'ph': 'X', 'cat': 'queue', 'name': 'queue ' + it.name,
                       'pid': pid_no, 'tid': it.queuer, 'ts': us(it.queued),
                       'dur': 1, 'args': {'mechanism': it.mech}})
        events.append({'ph': 's', 'cat': 'queue', 'name': 'queued', 'id': flow,
                       'pid': pid_no, 'tid': it.queuer, 'ts': us(it.queued)})
        events.append({'ph': 'f', 'bp': 'e', 'cat': 'queue', 'name': 'queued',
                       'id': flow, 'pid': pid_no, 'tid': it.pid,
                       'ts': us(it.start)})
    # which of these tasks each CPU ran, while the items ran
    end = t0 + done
    for p in tracks:
        for a, b, cpu in clip(oncpu.get(p, []), t0, end):
            events.append({'ph': 'X', 'cat': 'cpu', 'name': comms.get(p, '?'),
                           'pid': pid_no, 'tid': 1000000 + cpu, 'ts': us(a),
                           'dur': us(b) - us(a), 'args': {'pid': p}})
    for cpu in sorted({c for p in tracks for _, _, c in oncpu.get(p, [])}):
        events.append({'ph': 'M', 'name': 'thread_name', 'pid': pid_no,
                       'tid': 1000000 + cpu, 'args': {'name': 'CPU %d' % cpu}})
        events.append({'ph': 'M', 'name': 'thread_sort_index', 'pid': pid_no,
                       'tid': 1000000 + cpu, 'args': {'sort_index': 100 + cpu}})


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: timeline.py TRACE OUTDIR')
    configs, comms, oncpu, wakeups = parse(sys.argv[1])
    events, names = [], []
    for cfg in configs:
        if not complete(cfg):
            print('timeline.py: %s: not every item queued, started and '
                  'finished in the trace; skipped' % cfg.name, file=sys.stderr)
            continue
        names.append('%s %s' % (cfg.name, '%g' % (cfg.doc_ns / 1e6) if cfg.doc_ns else '-'))
        write_config(cfg, comms, oncpu, wakeups, sys.argv[2], len(names), events)
    if not names:
        sys.exit('timeline.py: no complete scenario configuration in %s' % sys.argv[1])
    with open('%s/timeline.json' % sys.argv[2], 'w') as f:
        json.dump({'traceEvents': events, 'displayTimeUnit': 'ms',
                   'otherData': {'source': 'kthread-demo workqueue_demo scenario',
                                 'time_zero': 'w0 queued, per configuration'}},
                  f, indent=0)
    with open('%s/configs.txt' % sys.argv[2], 'w') as f:
        f.write('\n'.join(names) + '\n')


if __name__ == '__main__':
    main()
