#!/usr/bin/env python3
"""bench_events.py - what an event costs, in guest instructions.

Usage: bench_events.py [--kernel build/core/karyon-dev.elf] [--runs 3] [--events 64]

Boots the dev image under QEMU's -icount shift=0, where the TSC counts
guest instructions and the guest clock runs at one instruction a
nanosecond, compiles a trivial event handler (one global incremented) and
subscribes it to custom.bench, then:

1. `event bench custom.bench N` raises N events one at a time: for each,
   the TSC from just before the raise (the bus queues it and wakes the
   handler's task) to on_event's entry (the stamp __karyon_event takes in
   user mode): the shell's task sleeps, the scheduler switches to the
   delivery task, the runner enters user mode with the event on the stack
   and the handler's globals as the last run left them (a warm start:
   nothing is copied).  It prints min, median and max; then it raises N
   at once and prints how many were delivered per second of guest time.
2. `snapshot show -v` on a handler with 64 pages of globals times a copy
   of its snapshot, what restoring it costs (after a failed run, or the
   first event after `run` reset the globals): TSC cycles per 4 KiB page.

A benchmark, not a test: it never fails on a figure; it exits 1 only if a
boot does not print it.  Figures go to docs/benchmarks.md.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402
import toolargs  # noqa: E402

PROMPT = 'karyon:/> '
TRIVIAL = ('#include <karyon/handler.h>\r'
           'KR_MANIFEST("version=1; events=custom.*; contexts=background");\r'
           'static long n;\r'
           'int on_event(const struct kr_event *ev) { n++; return 0; }\r')
BIG = ('#include <karyon/handler.h>\r'
       'KR_MANIFEST("version=1; events=custom.*; contexts=background");\r'
       'static char big[64 * 4096] = { 1 };\r'
       'int on_event(const struct kr_event *ev) { big[ev->seq % sizeof(big)]++; return 0; }\r')


def shell(m, line, timeout=120):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def write(m, path, text):
    start = len(m.log)
    m.send('cat > %s\r%s\x04' % (path, text))
    m.wait_for(r'\n' + re.escape(PROMPT), 60, start)


def one_boot(kernel, events):
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(kernel))), 'images',
                       'karyon-dev.iso')
    with kqemu.Machine(kernel, 'bios', iso=iso, icount=True) as m:
        m.wait_for(re.escape(PROMPT), 120)
        shell(m, 'mkdir /tmp')
        write(m, '/tmp/trivial.c', TRIVIAL)
        write(m, '/tmp/big.c', BIG)
        for name in ('trivial', 'big'):
            out = shell(m, 'cc /tmp/%s.c' % name)
            if not re.search(r'^cc: %s: code' % name, out, re.M):
                m.fail('cc %s: %r' % (name, out))
        shell(m, 'on custom.bench trivial --queue %d' % events)
        out = shell(m, 'event bench custom.bench %d' % events, 300)
        lat = re.search(r'min (\d+), median (\d+), max (\d+) TSC cycles', out)
        rate = re.search(r'(\d+) events per second', out)
        out2 = shell(m, 'snapshot show -v big')
        page = re.search(r'restore +(\d+) TSC cycles for (\d+) pages: (\d+) per 4 KiB page', out2)
        if not (lat and rate and page):
            m.fail('no figures: %r %r' % (out, out2))
        return [int(x) for x in lat.groups()], int(rate.group(1)), int(page.group(3))


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the dev ISO')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over')
    ap.add_argument('--events', type=int, default=64, help='events per measurement (2..64)')
    a = ap.parse_args()
    if not os.path.exists(a.kernel) or not 2 <= a.events <= 64 or a.runs < 1:
        print('bench_events.py: need an existing --kernel, --events 2..64, --runs >= 1',
              file=sys.stderr)
        return 2
    runs = []
    for _ in range(a.runs):
        try:
            runs.append(one_boot(a.kernel, a.events))
        except kqemu.KqemuError as e:
            print('bench_events.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    med = statistics.median
    print('event raised -> handler entry (warm snapshot): median %d guest instructions '
          '(min %d, max %d over %d boots x %d events)'
          % (med(r[0][1] for r in runs), min(r[0][0] for r in runs), max(r[0][2] for r in runs),
             a.runs, a.events))
    print('events delivered per second of guest time, trivial handler: %d (median of %d boots)'
          % (med(r[1] for r in runs), a.runs))
    print('snapshot restore: %d guest instructions per 4 KiB page (median of %d boots)'
          % (med(r[2] for r in runs), a.runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
