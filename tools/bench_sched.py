#!/usr/bin/env python3
"""bench_sched.py - what a switch between two tasks costs, in guest
instructions.

Usage: bench_sched.py [--kernel build/core/karyon-dev.elf] [--runs 3]

Boots the kernel with the scheduler's test module (build/tests/tasktest.kmod)
under QEMU's -icount shift=0, where the TSC counts guest instructions.  Two
of its tasks, of equal priority, call yield 1,000 times each: every yield
goes from one task through the scheduler (the idle loop's context) to the
other, two context switches (callee-saved registers, FXSAVE/FXRSTOR) and
the pick.  The module prints the TSC cycles per task-to-task switch; this
prints the median, min and max over the boots.  A work token's turn at the
end of its gas quantum takes the same path.

A benchmark, not a test: it never fails on a figure; it exits 1 only if a
boot does not print it.
"""
import argparse
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402

LINE = r'tasktest: (\d+) yields each between two tasks, (\d+) TSC cycles per switch'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'))
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    kmod = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.kernel))),
                        'tests', 'tasktest.kmod')
    for path in (a.kernel, kmod):
        if not os.path.exists(path):
            sys.exit('bench_sched: %s does not exist (build first: ./karyon build)' % path)
    figures = []
    for _ in range(max(1, a.runs)):
        try:
            with kqemu.Machine(a.kernel, 'bios', modules=[kmod + '=tasktest'], icount=True) as m:
                figures.append(int(m.wait_for(LINE, 120).group(2)))
        except kqemu.KqemuError as e:
            print('bench_sched: %s' % e, file=sys.stderr)
            return 1
    print('task switch (yield, task -> scheduler -> task), %d boots, -icount shift=0:' % len(figures))
    print('  guest instructions per switch: median %d, min %d, max %d'
          % (statistics.median(figures), min(figures), max(figures)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
