#!/usr/bin/env python3
"""bench_boot.py - how long Karyon takes from kernel entry to "karyon: ready".

Usage: bench_boot.py [--kernel build/core/karyon-dev.elf] [--runs 5]
                     [--cmdline "onready=exit"]

Builds one ISO, boots it --runs times under SeaBIOS with QEMU's
-icount shift=0 (one guest instruction = one TSC tick = 1 ns of virtual
time, so the figures repeat from run to run) and reads the ready line:

  entry -> ready, guest instructions   the line's "TSC cycles since entry";
                                       time the guest spends halted also
                                       advances it (virtual clock warp)
  entry -> ready, kernel us            the line's own microsecond figure
  QEMU start -> ready, host ms         wall time on this machine from starting
                                       QEMU (firmware and GRUB included) to
                                       the ready line on the serial port

The heading also names where the TSC rate came from (the kernel's time:
line): "PIT" under TCG, where the 1 ms calibration window is part of the
figures.

Each is the median (and min, max) over the runs.  A benchmark, not a test:
it reports numbers and never fails on a time; it exits 1 only if a boot
does not reach the ready line.
"""
import argparse
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

READY = r'^karyon: ready in (\d+) us \((\d+) TSC cycles since entry\)$'
TIME = r'^time: TSC \d+ kHz \(from ([^)]+)\)'     # where the TSC rate came from


def boot_once(kernel, iso):
    with kqemu.Machine(kernel, 'bios', iso=iso, icount=True) as m:
        r = m.wait_for(READY, 120)
        wall = m.arrival(r'karyon: ready in \d+ us')
        src = re.search(TIME, m.log, re.M)
    return int(r.group(2)), int(r.group(1)), wall * 1000, src.group(1) if src else '?'


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the kernel to boot (default: build/core/karyon-dev.elf)')
    ap.add_argument('--runs', type=int, default=5, help='boots to take the median over (default 5)')
    ap.add_argument('--cmdline', default='onready=exit',
                    help='the kernel command line (default: onready=exit, which ends the run when ready)')
    a = ap.parse_args()
    if a.runs < 1:
        ap.error('--runs must be at least 1')
    if not os.path.exists(a.kernel):
        sys.exit('bench_boot: %s does not exist (build it first: ninja -C build)' % a.kernel)

    with tempfile.TemporaryDirectory(prefix='karyon-bench-') as tmp:
        iso = os.path.join(tmp, 'karyon.iso')
        subprocess.run([sys.executable, kqemu.MKISO, '--kernel', a.kernel, '--out', iso,
                        '--cmdline', a.cmdline], check=True,
                       stdout=subprocess.DEVNULL)      # its payload line is not a figure
        runs = []
        for i in range(a.runs):
            try:
                runs.append(boot_once(a.kernel, iso))
            except kqemu.KqemuError as e:
                sys.exit('bench_boot: run %d did not reach the ready line: %s' % (i + 1, e))
            print('run %d: %d instructions, %d us, %.0f ms, TSC rate from %s'
                  % ((i + 1,) + runs[-1]), file=sys.stderr)

    rows = [('entry -> ready, guest instructions', '%d', [r[0] for r in runs]),
            ('entry -> ready, kernel us', '%d', [r[1] for r in runs]),
            ('QEMU start -> ready, host ms', '%.0f', [r[2] for r in runs])]
    print('karyon boot: %d run%s, SeaBIOS, TCG -icount shift=0, cmdline %r, TSC rate from %s'
          % (a.runs, '' if a.runs == 1 else 's', a.cmdline,
             ', '.join(sorted(set(r[3] for r in runs)))))
    print('%-36s %12s %12s %12s' % ('', 'median', 'min', 'max'))
    for name, fmt, vals in rows:
        print('%-36s %12s %12s %12s' % (name, fmt % statistics.median(vals),
                                        fmt % min(vals), fmt % max(vals)))


if __name__ == '__main__':
    main()
