#!/usr/bin/env python3
"""bench_org.py - what a parcel costs, in guest instructions.

Usage: bench_org.py [--kernel build/core/karyon-dev.elf] [--runs 3] [--parcels 1000]

Boots a dev image (the profile's modules, manifest and channel graph, and
tests/kernel/orgtest.c's module in the initrd) under QEMU's -icount
shift=0, where the TSC counts guest instructions, loads orgtest, then:

1. `orgtest bench N SIZE` sends N parcels of SIZE bytes (64, 1024, 4096)
   from module endpoint bench.a to module endpoint bench.b on the dev
   graph's channel "bench": each is timed from the send call to bench.b's
   receive function's entry (frame with its XXH3 check, the sanitizer's
   check, the Golgi's rules with energy, reservoir, queue and bucket, the
   queue, the pump, the delivery) and to the call's return.  It prints
   the median over N and boots.
2. `orgtest benchq N SIZE`: the same through the queue: bench.b takes
   its parcels with take(), so each waits in the channel's queue and is
   checked whole on its way out; the send call and the take call are
   timed apart.
3. `organelles bench`: the sanitizer alone (header, length and XXH3 check)
   on a parcel of 0, 64, 1024 and 4096 payload bytes; the per-KiB figure
   is (4096-byte cost - 0-byte cost) / 4.

A benchmark, not a test: it never fails on a figure; it exits 1 only if a
boot does not print one.  Figures go to docs/benchmarks.md.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402

PROMPT = 'karyon:/> '
SIZES = (64, 1024, 4096)


def shell(m, line, timeout=300):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def iso_args(build, d):
    initrd = os.path.join(d, 'initrd.cpio')
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkinitrd.py'), initrd,
                    '--file', '/lib/modules/orgtest.kmod=' + os.path.join(build, 'tests',
                                                                         'orgtest.kmod')],
                   check=True, capture_output=True)
    return ['--profile', os.path.join(ROOT, 'images', 'dev.conf'),
            '--module-dir', os.path.join(build, 'modules'),
            '--manifest', os.path.join(build, 'modules', 'MANIFEST'),
            '--channels', os.path.join(build, 'images', 'channels-dev.blob'),
            '--initrd', initrd]


def one_boot(kernel, parcels):
    build = os.path.dirname(os.path.dirname(os.path.abspath(kernel)))
    with tempfile.TemporaryDirectory() as d, \
            kqemu.Machine(kernel, 'bios', iso_args=iso_args(build, d), icount=True) as m:
        m.wait_for(re.escape(PROMPT), 120)
        shell(m, 'insmod orgtest')
        send = {}
        for size in SIZES:
            out = shell(m, 'orgtest bench %d %d' % (parcels, size))
            r = re.search(r'send->delivery median (\d+) min \d+, whole send median (\d+)', out)
            if not r:
                m.fail('orgtest bench %d: %r' % (size, out))
            out = shell(m, 'orgtest benchq %d %d' % (parcels, size))
            q = re.search(r'send \(queued\) median (\d+) min \d+, take median (\d+)', out)
            if not q:
                m.fail('orgtest benchq %d: %r' % (size, out))
            send[size] = (int(r.group(1)), int(r.group(2)), int(q.group(1)), int(q.group(2)))
        out = shell(m, 'organelles bench')
        san = {int(s): int(v) for s, v in
               re.findall(r'sanitizer, (\d+)-byte payload: median (\d+)', out)}
        if sorted(san) != [0, 64, 1024, 4096]:
            m.fail('organelles bench: %r' % out)
        return send, san


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the modules, manifest and graph')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over')
    ap.add_argument('--parcels', type=int, default=1000, help='parcels per size (1..4096)')
    a = ap.parse_args()
    if not os.path.exists(a.kernel) or not 1 <= a.parcels <= 4096 or a.runs < 1:
        print('bench_org.py: need an existing --kernel, --parcels 1..4096, --runs >= 1',
              file=sys.stderr)
        return 2
    runs = []
    for _ in range(a.runs):
        try:
            runs.append(one_boot(a.kernel, a.parcels))
        except (kqemu.KqemuError, subprocess.CalledProcessError) as e:
            print('bench_org.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    med = statistics.median
    for size in SIZES:
        print('parcel send -> delivery, module to module, %d-byte payload: median %d guest '
              'instructions (whole send call %d; %d boots x %d parcels)'
              % (size, med(r[0][size][0] for r in runs), med(r[0][size][1] for r in runs),
                 a.runs, a.parcels))
    for size in SIZES:
        print('parcel send -> queue -> take, module to module, %d-byte payload: send call median '
              '%d, take call median %d guest instructions (%d boots x %d parcels)'
              % (size, med(r[0][size][2] for r in runs), med(r[0][size][3] for r in runs),
                 a.runs, a.parcels))
    s0 = med(r[1][0] for r in runs)
    s64 = med(r[1][64] for r in runs)
    s4k = med(r[1][4096] for r in runs)
    print('sanitizer: %d guest instructions a parcel (64-byte payload; %d empty), %d per KiB '
          'of payload' % (s64, s0, (s4k - s0) // 4))
    return 0


if __name__ == '__main__':
    sys.exit(main())
