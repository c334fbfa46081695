#!/usr/bin/env python3
"""bench_sched.py - what a switch between two tasks costs, in guest
instructions.

Usage: bench_sched.py [--kernel build/core/karyon-dev.elf] [--runs 3]

1. Kernel tasks.
Boots the kernel with the scheduler's test module (build/tests/tasktest.kmod)
under QEMU's -icount shift=0, where the TSC counts guest instructions.  Two
of its tasks, of equal priority, call yield 1,000 times each: every yield
goes from one task through the scheduler (the idle loop's context) to the
other, two context switches (callee-saved registers, FXSAVE/FXRSTOR) and
the pick.  The module prints the TSC cycles per task-to-task switch; this
prints the median, min and max over the boots.  A work token's turn at the
end of its gas quantum takes the same path.

2. Handler tokens.  Boots the dev image under -icount, compiles a loop
handler and runs it as a work token twice with the same work: in turns of
1,000,000 gas and of 10,000.  Each turn is a gas_out system call, the
scheduler's turn() and a switch through the scheduler to the next token
(here the same one: the path is the same), and back into user mode.  The
difference in elapsed instructions (task show) over the difference in
turns is the cost of one handler-to-handler switch.

A benchmark, not a test: it never fails on a figure; it exits 1 only if a
boot does not print it.
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402

LINE = r'tasktest: (\d+) yields each between two tasks, (\d+) TSC cycles per switch'
PROMPT = 'karyon:/> '
LOOP = ('int main(int argc, char **argv) { long n = 0, s = 0;'
        ' for (char *p = argv[1]; *p; p++) n = n * 10 + *p - 48;'
        ' for (long i = 0; i < n; i++) s += i % 7; return s == 42; }')


def shell(m, line, timeout=120):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + re.escape(PROMPT), timeout, start)
    return m.log[start:r.end()]


def token_turn(kernel):
    """Instructions per token turn, from two runs of the same work."""
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(kernel))), 'images',
                       'karyon-dev.iso')
    with kqemu.Machine(kernel, 'bios', iso=iso, icount=True) as m:
        m.wait_for(re.escape(PROMPT), 120)
        shell(m, 'mkdir /tmp')
        start = len(m.log)
        m.send('cat > /tmp/loop.c\r' + LOOP + '\r\x04')
        m.wait_for(r'\n' + re.escape(PROMPT), 60, start)
        shell(m, 'cc /tmp/loop.c')
        got = []
        for i, q in enumerate((1000000, 10000)):
            shell(m, 'task submit loop 3000000 --gas 100000000 --quantum %d' % q)
            shell(m, 'task wait')
            out = shell(m, 'task show %d' % (i + 1))
            gas = int(re.search(r'gas +(\d+) in turns', out).group(1))
            tsc = int(re.search(r'elapsed +(\d+) TSC', out).group(1))
            got.append((gas, -(-gas // q), tsc))
    (g1, t1, c1), (g2, t2, c2) = got
    return g1, t1, c1, t2, c2, (c2 - c1) / (t2 - t1)


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel, whose build directory has the ISOs (default: build/core/karyon-dev.elf)')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over (default 3)')
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
    try:
        gas, t1, c1, t2, c2, per = token_turn(a.kernel)
    except kqemu.KqemuError as e:
        print('bench_sched: %s' % e, file=sys.stderr)
        return 1
    print('handler token turn (gas_out -> turn -> scheduler -> token), -icount shift=0:')
    print('  %d gas in %d turns: %d instructions; in %d turns: %d instructions'
          % (gas, t1, c1, t2, c2))
    print('  guest instructions per turn: %.0f' % per)
    return 0


if __name__ == '__main__':
    sys.exit(main())
