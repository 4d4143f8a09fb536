#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a trace of workqueue_demo's scenario, or of another story, into timelines.

usage: scripts/timeline.py TRACE OUTDIR
       scripts/timeline.py --story STORY [--check] OUTDIR

The second form draws the other stories (see "The other stories" below).

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


def sleep_then_wait(out, wakeups, lo, hi):
    """Off the CPU from lo to hi: asleep until the first wake-up in it,
    then runnable, waiting for the CPU (segments appended to out)."""
    woken = [w for w in wakeups if lo <= w < hi]
    wake = woken[0] if woken else hi
    out.append(('sleep', lo, wake, None))
    if wake < hi:
        out.append(('wait', wake, hi, None))


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
        sleep_then_wait(out, wakeups, lo, hi)

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
        for kind in sorted({'run', 'wait', 'sleep', 'queue', 'mark'} - kinds):
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


# ---- The other stories ---------------------------------------------------
#
# scripts/jobs/timeline.sh records each story's panels as OUTDIR/trace-<panel>.txt:
# the scheduler's switches and wake-ups of the tasks involved, between the
# trace_marker lines "ktd_story name=<panel>" and "ktd_story end".
#
#   pingpong  kthread_demo's pingpong on one CPU (pingpong-same) and across
#             CPUs (pingpong-cross): one row per thread (ktd/N)
#   io_stall  the block workload with io_stall=1: ktd/0 never wakes
#   ult       ult-timeline's blocking demonstration under M:1, 1:1, M:N and
#             M:N with activations: one row per user-level thread, placed
#             on its kernel threads by the library's trace_marker lines
#             ("ult_switch from=A to=B" from the kernel thread that
#             switched), then one row per kernel thread (not in 1:1, where
#             they are the same)
#
# For each panel, OUTDIR gets <panel>.dat and <panel>.vars as for the
# scenario (the run bars' item is the CPU, cpuN, so timeline.gnuplot colours
# them by CPU; "mark" bars bracket the reader's read()), and for the story
# OUTDIR/<story>.panels (the panels drawn) and OUTDIR/timeline-<story>.json
# (one process per panel, one track per row). --check prints a PASS or FAIL
# line for each property the story must show (orderings and overlaps, never
# times: emulation stretches them) and exits 1 if one failed.

STORIES = {
    'pingpong': ['pingpong-same', 'pingpong-cross'],
    'io_stall': ['io_stall'],
    'ult': ['ult-m1', 'ult-1to1', 'ult-mn', 'ult-mnact'],
}

TITLES = {
    'pingpong-same': 'kthread ping-pong, both threads bound to CPU 0 (bind=0): '
                     'they take turns on it',
    'pingpong-cross': 'kthread ping-pong across CPUs (bind=spread): each wakes '
                      'the other on its own CPU',
    'io_stall': 'block workload, io_stall=1: ktd/0 waits for an I/O that never '
                'completes, ktd/1 and ktd/2 go on',
    'ult-m1': 'M:1: the reader\'s read() puts the one kernel thread to sleep, '
              'and every user thread with it',
    'ult-1to1': '1:1 (pthreads): the reader sleeps in read(), the kernel runs '
                'the siblings',
    'ult-mn': 'M:N on 2 VPs with the monitor: the reader blocks VP 0\'s kernel '
              'thread, other kernel threads run the siblings',
    'ult-mnact': 'M:N with scheduler activations (VP 1 busy with a hog): a spare '
                 'kernel thread takes the blocked VP\'s queue',
}

MARK = re.compile(r'^(?P<what>ktd_story|ult_\w+)\s*(?P<args>.*)$')


class Sched:
    """The tasks' on-CPU spans, the state each left the CPU in, wake-ups."""

    def __init__(self):
        self.comms = {}
        self.spans = {}             # pid -> [[start, end or None, cpu, state]]
        self.wakeups = {}           # pid -> [ns]
        self.running = {}           # cpu -> pid
        self.marks = []             # (ns, pid, what, {field: value})
        self.lost = False

    def feed(self, path):
        with open(path, errors='replace') as f:
            for line in f:
                if 'LOST' in line:
                    self.lost = True
                m = LINE.match(line)
                if not m:
                    continue
                ts, ev, rest, pid = ns(m['ts']), m['event'], m['rest'], int(m['pid'])
                self.oncpu(ts, int(m['cpu']), pid)
                if ev == 'sched_switch':
                    self.switch(ts, int(m['cpu']), rest)
                elif ev in ('sched_wakeup', 'sched_waking'):
                    w = WAKEUP.search(rest)
                    if w:
                        self.wakeups.setdefault(int(w['pid']), []).append(ts)
                elif ev == 'tracing_mark_write':
                    k = MARK.match(rest.strip())
                    if k:
                        self.comms.setdefault(pid, m['comm'].strip())
                        self.marks.append((ts, pid, k['what'],
                                           dict(FIELD.findall(k['args'])),
                                           k['args']))

    def oncpu(self, ts, cpu, pid):
        """
        Whoever wrote a line was on that CPU then: a task already running
        when the recording started (or whose switch the filter dropped)
        gets its span from its first line.
        """
        if self.running.get(cpu) == pid:
            return
        for p in (self.running.pop(cpu, None), pid):
            spans = self.spans.get(p)
            if spans and spans[-1][1] is None:
                spans[-1][1] = ts
                spans[-1][3] = '?'
        self.spans.setdefault(pid, []).append([ts, None, cpu, None])
        self.running[cpu] = pid

    def switch(self, ts, cpu, rest):
        s = SWITCH.search(rest)
        if not s:
            return
        prev, nxt = int(s['prev_pid']), int(s['next_pid'])
        self.comms[prev] = s['prev_comm']
        self.comms[nxt] = s['next_comm']
        for p, state in ((prev, s['prev_state']),
                         (self.running.pop(cpu, None), '?'), (nxt, '?')):
            spans = self.spans.get(p)
            if spans and spans[-1][1] is None:
                spans[-1][1] = ts
                spans[-1][3] = state
        self.spans.setdefault(nxt, []).append([ts, None, cpu, None])
        self.running[cpu] = nxt

    def segments(self, pid, a, b):
        """
        The task in [a, b) as (kind, start, end, cpu): run, sleep (off the
        CPU in a sleeping state, until woken) and wait (preempted, or woken
        and not on the CPU yet). Nothing before it first ran or after it
        died.
        """
        out, t, state = [], None, None
        wakeups = self.wakeups.get(pid, [])

        def gap(lo, hi):
            if lo >= hi or state is None or state[0] in 'XZ?':
                return
            if state[0] == 'R':
                out.append(('wait', lo, hi, None))
                return
            sleep_then_wait(out, wakeups, lo, hi)

        for s, e, cpu, st in self.spans.get(pid, []):
            e = b if e is None else e
            if e <= a:
                state = st
                continue
            if s >= b:
                break
            lo, hi = max(s, a), min(e, b)
            if t is not None or state is not None:
                gap(a if t is None else t, lo)
            out.append(('run', lo, hi, cpu))
            t, state = hi, st
        if t is not None or state is not None:
            gap(a if t is None else t, b)
        return out


def story_window(sched, pids):
    """From the first time one of the tasks ran to the last."""
    spans = [sp for p in pids for sp in sched.spans.get(p, [])]
    end = max((e for _, e, _, _ in spans if e is not None), default=None)
    return min(s for s, _, _, _ in spans), end


class Row:
    def __init__(self, label, segs):
        self.label = label
        self.segs = segs            # (kind, start, end, cpu, kernel pid)
        self.marks = []             # (start, end, text)

    def cpus(self):
        return sorted({c for k, _, _, c, _ in self.segs if k == 'run'})

    def runs(self, lo=None, hi=None):
        """Its on-CPU pieces that overlap (lo, hi)."""
        return [sg for sg in self.segs if sg[0] == 'run' and
                (lo is None or (sg[2] > lo and sg[1] < hi))]


def kernel_rows(sched, panel):
    """
    pingpong, io_stall: one row per demo thread, ktd/N. Ping-pong is cut to
    the round trips: from when both threads ran, without a pause that
    takes a third of the whole at either end (a thread whose partner did
    not exist yet when it sent its first token waits out a timeout; done,
    the threads wait to be stopped).
    """
    pids = sorted((p for p, c in sched.comms.items() if re.match(r'ktd/\d+$', c)),
                  key=lambda p: int(sched.comms[p][4:]))
    if not pids:
        return None, None
    a, b = story_window(sched, pids)
    if panel.startswith('pingpong') and all(sched.spans.get(p) for p in pids):
        first = max(sched.spans[p][0][0] for p in pids)
        starts = sorted(sp[0] for p in pids for sp in sched.spans[p] if sp[0] >= first)
        for _ in range(4):
            gaps = [(y - x, i) for i, (x, y) in enumerate(zip(starts, starts[1:]))]
            if not gaps or max(gaps)[0] * 3 <= starts[-1] - starts[0]:
                break
            i = max(gaps)[1]
            starts = starts[i + 1:] if i < len(gaps) // 2 else starts[:i + 1]
        a = starts[0]
        b = max(e for p in pids for s_, e, _, _ in sched.spans[p]
                if s_ <= starts[-1] and e is not None)
    rows = {}
    for p in pids:
        segs = [sg + (p,) for sg in sched.segments(p, a, b)]
        rows[sched.comms[p]] = Row('%s (%d)' % (sched.comms[p], p), segs)
    return rows, (a, b)


def ult_rows(sched, panel):
    """ult-*: a row per user thread, then (not 1:1) per kernel thread."""
    names, cur, t0, t1, reads = {}, {}, None, None, {}
    for ts, pid, what, f_, args in sched.marks:
        if what == 'ult_model':
            if args.startswith('name='):
                t0 = ts
            elif args == 'end':
                t1 = ts
        elif what == 'ult_name':
            names[int(f_['id'])] = f_['name']
        elif what == 'ult_switch':
            cur.setdefault(pid, []).append((ts, int(f_['to']), int(f_['from'])))
        elif what == 'ult_read' and 'id' in f_:
            reads.setdefault(int(f_['id']), []).append(ts)
    if t0 is None or t1 is None or not cur:
        return None, None
    kts = sorted(cur)
    ksegs = {k: sched.segments(k, t0, t1) for k in kts}
    rows = {}
    for uid in sorted(names, key=lambda i: names[i]):
        firsts = [ts for k in kts for ts, to, _ in cur[k] if to == uid]
        lasts = [ts for k in kts for ts, _, fr in cur[k] if fr == uid]
        if not firsts:
            continue
        born = min(firsts)
        # 1:1 threads never switch away; M:1 and M:N ones exit switching
        died = max(lasts) if lasts and max(lasts) > max(firsts) else t1
        segs, onit = [], []
        for k in kts:
            sw = cur[k]
            for i, (ts, to, _) in enumerate(sw):
                if to != uid:
                    continue
                end = sw[i + 1][0] if i + 1 < len(sw) else t1
                onit.append((ts, end))
                for kind, lo, hi, cpu in ksegs[k]:
                    lo, hi = max(lo, ts), min(hi, end)
                    if lo < hi:
                        segs.append((kind, lo, hi, cpu, k))
        # runnable, but no kernel thread runs it
        onit.sort()
        t = born
        for lo, hi in onit + [(died, died)]:
            if lo > t:
                segs.append(('wait', t, min(lo, died), None, None))
            t = max(t, hi)
        segs.sort(key=lambda sg: sg[1])
        row = Row('%s (ULT %d)' % (names[uid], uid), segs)
        rd = reads.get(uid, [])
        if len(rd) >= 2:
            row.marks.append((rd[0], rd[1], 'read()'))
        rows[names[uid]] = row
    if not rows:
        return None, None
    # From a little before the first switch to the last user thread's end:
    # not the runtime's start-up and shutdown
    first = min(ts for k in kts for ts, _, _ in cur[k])
    last = max(sg[2] for r in rows.values() for sg in r.segs)
    t0 = max(t0, first - (last - first) // 20)
    for r in rows.values():
        r.segs = [(k_, max(a, t0), b, c, kt) for k_, a, b, c, kt in r.segs if b > t0]
    if panel != 'ult-1to1':
        for k in kts:
            rows['kthread %d' % k] = Row('kernel thread %d' % k,
                                         [sg + (k,) for sg in sched.segments(k, t0, last)])
    return rows, (t0, last)


def story_checks(panel, rows):
    """(ok, what) for each property the panel must show."""
    out = []
    if panel.startswith('pingpong'):
        a, b = rows.get('ktd/0'), rows.get('ktd/1')
        if not a or not b:
            return [(False, '%s: both threads ran' % panel)]
        ca, cb = a.cpus(), b.cpus()
        # who had a CPU, in order of their on-CPU starts; count the turns
        seq = sorted([(sg[1], 0) for sg in a.runs()] + [(sg[1], 1) for sg in b.runs()])
        turns = sum(1 for x, y in zip(seq, seq[1:]) if x[1] != y[1])
        if panel == 'pingpong-same':
            out.append((len(ca) == 1 and ca == cb,
                        '%s: both threads ran on one CPU, the same (ktd/0 on %s, '
                        'ktd/1 on %s)' % (panel, ca, cb)))
            both = [(x, y) for x in a.runs() for y in b.runs()
                    if x[1] < y[2] and y[1] < x[2]]
            out.append((not both, '%s: never on the CPU at the same time '
                        '(%d overlaps)' % (panel, len(both))))
        else:
            out.append((len(ca) == 1 and len(cb) == 1 and ca != cb,
                        '%s: each thread on a CPU of its own (ktd/0 on %s, '
                        'ktd/1 on %s)' % (panel, ca, cb)))
        out.append((turns >= 30, '%s: the threads took turns (%d turns for '
                    '30 round trips, at least 30)' % (panel, turns)))
    elif panel == 'io_stall':
        st = rows.get('ktd/0')
        sibs = [rows.get('ktd/1'), rows.get('ktd/2')]
        if not st or None in sibs:
            return [(False, 'io_stall: ktd/0, ktd/1 and ktd/2 ran')]
        # ktd/0's last piece is the I/O that never completes. Before it
        # there may be one more sleep, the new kthread's wait for its
        # first wake-up (traced when the name came first), and its start.
        final = st.segs[-1]
        ran = len(st.runs())
        out.append((final[0] == 'sleep' and ran <= 2,
                    'io_stall: ktd/0 ran %d times (at most 2: its start, then '
                    'into the I/O) and slept from then to the end' % ran))
        n = [len(r.runs(final[1], final[2])) for r in sibs]
        out.append((min(n) >= 5, 'io_stall: ktd/1 and ktd/2 ran meanwhile '
                    '(%d and %d slices, at least 5 each)' % tuple(n)))
    elif panel.startswith('ult-'):
        rd = rows.get('reader')
        sibs = [rows.get('sib1'), rows.get('sib2')]
        if not rd or None in sibs or not rd.marks:
            return [(False, '%s: the reader, sib1 and sib2 ran, the read '
                     'bracketed' % panel)]
        lo, hi, _ = rd.marks[0]
        asleep = [sg for sg in rd.segs if sg[0] == 'sleep' and sg[1] < hi and sg[2] > lo]
        out.append((bool(asleep), '%s: the reader slept in read()' % panel))
        inside = [len(r.runs(lo, hi)) for r in sibs]
        if panel == 'ult-m1':
            out.append((inside == [0, 0], '%s: no sibling ran while the reader '
                        'was blocked (%d and %d slices)' % (panel, *inside)))
            before = [len([sg for sg in r.runs() if sg[2] <= lo]) for r in sibs]
            after = [len([sg for sg in r.runs() if sg[1] >= hi]) for r in sibs]
            out.append((min(before) > 0 and min(after) > 0,
                        '%s: the siblings ran before the read and after it '
                        '(%s slices before, %s after)' % (panel, before, after)))
        else:
            out.append((min(inside) > 0, '%s: both siblings ran while the '
                        'reader was blocked (%d and %d slices)' % (panel, *inside)))
            if panel != 'ult-1to1':
                rk = {sg[4] for sg in asleep}
                other = [len([sg for sg in r.runs(lo, hi) if sg[4] not in rk])
                         for r in sibs]
                out.append((min(other) > 0, '%s: on another kernel thread than '
                            'the reader\'s (%d and %d slices)' % (panel, *other)))
    return out


def write_story(story, outdir, check):
    events, panels, results = [], [], []
    for panel in STORIES[story]:
        path = '%s/trace-%s.txt' % (outdir, panel)
        try:
            sched = Sched()
            sched.feed(path)
        except FileNotFoundError:
            continue
        if panel.startswith('ult-'):
            rows, win = ult_rows(sched, panel)
        else:
            rows, win = kernel_rows(sched, panel)
        if not rows:
            results.append((False, '%s: the trace shows its tasks' % panel))
            continue
        if sched.lost:
            results.append((False, '%s: no events lost' % panel))
        if check:
            results += story_checks(panel, rows)
        panels.append(panel)
        write_panel(panel, rows, win, outdir, len(panels), events)
    with open('%s/%s.panels' % (outdir, story), 'w') as f:
        f.write(' '.join(panels) + '\n')
    with open('%s/timeline-%s.json' % (outdir, story), 'w') as f:
        json.dump({'traceEvents': events, 'displayTimeUnit': 'ms',
                   'otherData': {'source': 'kthread-demo timeline story ' + story,
                                 'time_zero': 'the start of each panel'}},
                  f, indent=0)
    if not panels:
        results.append((False, '%s: no panel could be drawn' % story))
    return results


def write_panel(panel, rows, win, outdir, pid_no, events):
    t0, t1 = win
    order = list(rows.values())
    with open('%s/%s.dat' % (outdir, panel), 'w') as f:
        f.write('# kind row x0_ms x1_ms item\n')
        for i, r in enumerate(order):
            for kind, a, b, cpu, _ in r.segs:
                item = 'cpu%d' % cpu if cpu is not None else 'none'
                f.write('%s %d %s %s %s\n' % (kind, i + 1, ms(a - t0), ms(b - t0), item))
            for a, b, text in r.marks:
                f.write('mark %d %s %s %s\n' % (i + 1, ms(a - t0), ms(b - t0), text))
        for kind in ('run', 'wait', 'sleep', 'mark', 'queue'):
            f.write('%s 1 -1000 -1000 none\n' % kind)

    def label(r):
        c = r.cpus()
        return '%s CPU%s' % (r.label, ','.join(map(str, c)) if c else ' -')

    with open('%s/%s.vars' % (outdir, panel), 'w') as f:
        f.write('title = "%s"\n' % TITLES[panel])
        f.write('xmax = %.3f\n' % ((t1 - t0) / 1e6 * 1.03))
        f.write('nrows = %d\n' % len(order))
        f.write('doc = -1\ndone = -1\nstory = 1\n')
        f.write('xl = "ms since %s (QEMU TCG)"\n' % (
            'just before the first switch' if panel.startswith('ult-') else
            'the first of these slices' if panel.startswith('pingpong') else
            'the first of these tasks ran'))
        f.write('set ytics (%s)\n' % ', '.join('"%s" %d' % (label(r), i + 1)
                                                for i, r in enumerate(order)))

    us = lambda v: round((v - t0) / 1e3, 3)
    events.append({'ph': 'M', 'name': 'process_name', 'pid': pid_no,
                   'args': {'name': panel}})
    events.append({'ph': 'M', 'name': 'process_sort_index', 'pid': pid_no,
                   'args': {'sort_index': pid_no}})
    names = {'run': 'on CPU %s', 'sleep': 'asleep', 'wait': 'waiting for the CPU'}
    for i, r in enumerate(order):
        tid = i + 1
        events.append({'ph': 'M', 'name': 'thread_name', 'pid': pid_no,
                       'tid': tid, 'args': {'name': label(r)}})
        events.append({'ph': 'M', 'name': 'thread_sort_index', 'pid': pid_no,
                       'tid': tid, 'args': {'sort_index': tid}})
        for kind, a, b, cpu, k in r.segs:
            name = names[kind] % cpu if kind == 'run' else names[kind]
            if kind == 'wait' and k is None:
                name = 'ready, no kernel thread runs it'
            ev = {'ph': 'X', 'cat': kind, 'name': name, 'pid': pid_no,
                  'tid': tid, 'ts': us(a), 'dur': round(us(b) - us(a), 3)}
            if k is not None:
                ev['args'] = {'kernel_pid': k}
            events.append(ev)
        for a, b, text in r.marks:
            events.append({'ph': 'X', 'cat': 'mark', 'name': text, 'pid': pid_no,
                           'tid': 10000 + tid, 'ts': us(a),
                           'dur': round(us(b) - us(a), 3)})
            events.append({'ph': 'M', 'name': 'thread_name', 'pid': pid_no,
                           'tid': 10000 + tid,
                           'args': {'name': r.label + ': ' + text}})
            events.append({'ph': 'M', 'name': 'thread_sort_index', 'pid': pid_no,
                           'tid': 10000 + tid, 'args': {'sort_index': tid}})


def story_main(args):
    check = '--check' in args
    args = [a for a in args if a != '--check']
    if len(args) != 2 or args[0] not in STORIES:
        sys.exit('usage: timeline.py --story %s [--check] OUTDIR' % '|'.join(STORIES))
    results = write_story(args[0], args[1], check)
    for ok, what in results:
        print('%s  %s' % ('PASS' if ok else 'FAIL', what))
    sys.exit(0 if all(ok for ok, _ in results) else 1)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--story':
        story_main(sys.argv[2:])
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
