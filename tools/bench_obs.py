#!/usr/bin/env python3
"""bench_obs.py - channel 0's throughput under a log storm, in guest instructions.

Usage: bench_obs.py [--kernel build/core/karyon-dev.elf] [--runs 3] [--lines 20000]

Boots the dev image under QEMU's -icount shift=0, where the TSC counts
guest instructions and the guest clock runs at one instruction a
nanosecond, and runs `obs storm N`: N debug lines into the kernel log (the
log ring only, not the console), the feed task woken every 32 so it keeps
up.  The feed's own TSC time covers the whole channel 0 path of a record:
reading the log, cutting the line and its stamp, framing the parcel
(XXH3 check), the sanitizer, the Golgi's verdict (bucket, queue,
reservoir), delivery to "shell" and the ring's copy and running index.
Printed: that time per record, records per second of guest time, and the
storm's whole time per line with the kr_log that wrote it.

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

PROMPT = 'karyon:/> '


def shell(m, line, timeout=300):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def one_boot(kernel, lines):
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(kernel))), 'images',
                       'karyon-dev.iso')
    with kqemu.Machine(kernel, 'bios', iso=iso, icount=True) as m:
        m.wait_for(re.escape(PROMPT), 120)
        out = shell(m, 'obs storm %d' % lines)
        rec = re.search(r'^obs: storm: \d+ lines logged, (\d+) read, (\d+) gaps; (\d+) records in '
                        r'\d+ TSC cycles: (\d+) per record$', out, re.M)
        whole = re.search(r'^obs: storm: \d+ TSC cycles in all, logging included: (\d+) per line$',
                          out, re.M)
        if not (rec and whole):
            m.fail('no figures: %r' % out[-400:])
        if int(rec.group(1)) != lines or int(rec.group(2)):
            m.fail('the feed fell behind: %r' % rec.group(0))
        return int(rec.group(4)), int(whole.group(1))


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the dev ISO')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over')
    ap.add_argument('--lines', type=int, default=20000, help='log lines in the storm (1..1000000)')
    a = ap.parse_args()
    if not os.path.exists(a.kernel) or not 1 <= a.lines <= 1000000 or a.runs < 1:
        print('bench_obs.py: need an existing --kernel, --lines 1..1000000, --runs >= 1',
              file=sys.stderr)
        return 2
    runs = []
    for _ in range(a.runs):
        try:
            runs.append(one_boot(a.kernel, a.lines))
        except kqemu.KqemuError as e:
            print('bench_obs.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    per = statistics.median(r[0] for r in runs)
    print('channel 0 under a log storm: median %d guest instructions per record, log line to '
          'ring (min %d, max %d over %d boots x %d lines)'
          % (per, min(r[0] for r in runs), max(r[0] for r in runs), a.runs, a.lines))
    print('channel 0 records per second of guest time: %d' % (10 ** 9 // per))
    print('the storm as a whole, kr_log included: median %d guest instructions per line'
          % statistics.median(r[1] for r in runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
