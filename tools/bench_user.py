#!/usr/bin/env python3
"""bench_user.py - the cost of running handlers in user mode (a benchmark, not a test).

Usage: bench_user.py [--build DIR] [--runs N] [--calls N]

Boots the dev kernel under QEMU (SeaBIOS, TCG, -icount shift=0, so the TSC
counts guest instructions) with the handler headers, tests/bench/handler200.c,
a tiny handler and a null-call handler in its initrd, and at the shell:

1. a null system call, user -> kernel -> user: `run null CALLS` makes
   __karyon_null() (call 116, no grant, the kernel does nothing) CALLS
   times between two rdtsc, then as many calls of an empty function of
   its own; the difference per call is the gate's cost (the library stub,
   syscall, the kernel's entry, the tcc module's fast path, iretq).
   Target: at most 150 instructions.
2. `run -v tiny` N times: start of `run` to the handler's main(), address
   space switch included.  Target: at most 5,000 (1,901 in ring 0).
3. `cc -v /bench/handler200.c` N times: compile and link, against the
   figures of the "Compiling a handler in the kernel" section of
   docs/benchmarks.md (regression limit: 5%).

Reports figures and never fails on them; exits 1 only if the benchmark could
not run.  Shares tools/bench_tcc.py's session and patterns.
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
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import bench_tcc  # noqa: E402
from bench_tcc import CC_V, PROMPT, RUN_V, Failed, kqemu, session  # noqa: E402

BENCHMARKS = os.path.join(ROOT, 'docs', 'benchmarks.md')
NULL_TARGET = 150
DISPATCH_TARGET = 5000
DISPATCH_RING0 = 1901           # docs/benchmarks.md, before user mode
REGRESSION = 0.05

NULL = r'''#include <stdio.h>
#include <stdlib.h>

long __karyon_null(void);

static unsigned long long tsc(void)
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

/* The same call and loop, without the system call. */
static long nothing(void)
{
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, sum = 0;
	unsigned long long t0, t1, t2;

	t0 = tsc();
	for (long i = 0; i < n; i++)
		sum += __karyon_null();
	t1 = tsc();
	for (long i = 0; i < n; i++)
		sum += nothing();
	t2 = tsc();
	printf("null: %ld calls %llu, loop %llu, sum %ld\n", n, t1 - t0, t2 - t1, sum);
	return 0;
}
'''
NULL_OUT = re.compile(r'^null: (\d+) calls (\d+), loop (\d+), sum 0$', re.M)


def recorded():
    """(compile, link) guest instructions recorded in docs/benchmarks.md's
    "Compiling a handler in the kernel" section, or None."""
    try:
        with open(BENCHMARKS) as f:
            text = f.read()
    except OSError:
        return None
    sec = re.search(r'^## Compiling a handler in the kernel\n(.*?)(?=^## |\Z)', text, re.M | re.S)
    if not sec:
        return None
    got = [re.search(r'^\| `cc -v`: %s[^|]*\| ([\d,]+)' % what, sec.group(1), re.M)
           for what in ('compile', 'link')]
    if not all(got):
        return None
    return tuple(int(g.group(1).replace(',', '')) for g in got)


def guest(build, runs, calls, d):
    kernel = os.path.join(build, 'core', 'karyon-dev.elf')
    if not os.path.exists(kernel):
        raise Failed('%s does not exist (build it first: ninja -C %s)' % (kernel, build))
    files = {'tiny.c': bench_tcc.TINY, 'null.c': NULL}
    args = [sys.executable, os.path.join(ROOT, 'tools', 'mkinitrd.py'),
            os.path.join(d, 'initrd.cpio'), '--tree', '/usr/include=' + bench_tcc.HEADERS,
            '--file', '/bench/handler200.c=' + bench_tcc.SOURCE]
    for name, text in files.items():
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
        args += ['--file', '/bench/%s=%s' % (name, os.path.join(d, name))]
    subprocess.run(args, check=True)
    res = {'null': [], 'loop': [], 'dispatch': [], 'compile': [], 'link': [], 'object': []}
    try:
        with kqemu.Machine(kernel, icount=True,
                           iso_args=['--initrd', os.path.join(d, 'initrd.cpio')]) as m:
            m.wait_for(PROMPT, 120)
            run = session(m)
            for name in ('null', 'tiny'):
                out = run('cc --no-gas /bench/%s.c' % name)  # asm (rdtsc): unmetered only
                if not re.search(r'^cc: %s: code' % name, out, re.M):
                    m.fail('cc /bench/%s.c printed %r' % (name, out))
            for _ in range(runs):
                out = run('run null %d' % calls, 600)
                r = NULL_OUT.search(out)
                if not r or int(r.group(1)) != calls:
                    m.fail('run null printed %r' % out)
                res['null'].append(int(r.group(2)))
                res['loop'].append(int(r.group(3)))
                out = run('run -v tiny')
                r = RUN_V.search(out)
                if not r or 'tiny returned 0' not in out:
                    m.fail('run -v tiny printed %r' % out)
                res['dispatch'].append(int(r.group(1)))
                out = run('cc -v /bench/handler200.c')
                r = CC_V.search(out)
                if not r:
                    m.fail('cc -v /bench/handler200.c printed %r' % out)
                res['compile'].append(int(r.group(1)))
                res['link'].append(int(r.group(2)))
                res['object'].append(int(r.group(3)))
    except kqemu.KqemuError as e:
        raise Failed(str(e))
    return res


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'), help='the meson build directory with the ISOs and modules (default: build/)')
    ap.add_argument('--runs', type=int, default=5, help='boots to take the median over (default 5)')
    ap.add_argument('--calls', type=int, default=100000,
                    help='system calls per measurement (default 100000)')
    a = ap.parse_args()
    if a.runs < 1 or a.calls < 1:
        ap.error('--runs and --calls must be at least 1')
    with tempfile.TemporaryDirectory(prefix='bench-user-') as d:
        try:
            res = guest(a.build, a.runs, a.calls, d)
        except (Failed, subprocess.CalledProcessError, OSError) as e:
            print('bench_user: could not run: %s' % e, file=sys.stderr)
            return 1
    per_call = [(n - lp) / a.calls for n, lp in zip(res['null'], res['loop'])]
    gross = [n / a.calls for n in res['null']]
    loop = [lp / a.calls for lp in res['loop']]
    med = {k: statistics.median(v) for k, v in res.items()}
    old = recorded()

    def verdict(value, target):
        return 'met' if value <= target else 'missed'

    print('user mode, in the kernel (QEMU TCG, -icount shift=0: TSC = guest instructions), '
          '%d runs:' % a.runs)
    print('| figure | median | each run | target |')
    print('|---|---|---|---|')
    print('| null system call, user -> kernel -> user, net of the loop | %.1f | %s | '
          '<= %d: %s |' % (statistics.median(per_call), ', '.join('%.1f' % x for x in per_call),
                          NULL_TARGET, verdict(statistics.median(per_call), NULL_TARGET)))
    print('| the same, loop and stub call included | %.1f | %s | |'
          % (statistics.median(gross), ', '.join('%.1f' % x for x in gross)))
    print('| the loop alone (an empty function of its own) | %.1f | %s | |'
          % (statistics.median(loop), ', '.join('%.1f' % x for x in loop)))
    print('| `run -v tiny`: start of run to main() | %d | %s | <= %d: %s (ring 0: %d) |'
          % (med['dispatch'], ', '.join(str(v) for v in res['dispatch']),
             DISPATCH_TARGET, verdict(med['dispatch'], DISPATCH_TARGET), DISPATCH_RING0))
    for k in ('compile', 'link'):
        each = ', '.join(str(v) for v in res[k])
        if old:
            ref = old[0 if k == 'compile' else 1]
            change = med[k] / ref - 1
            note = '%+.1f%% vs %d recorded: %s' % (change * 100, ref, 'regressed' if
                                                  change > REGRESSION else 'within 5%')
        else:
            note = 'no recorded figure in docs/benchmarks.md'
        print('| `cc -v` handler200: %s | %d | %s | %s |' % (k, med[k], each, note))
    print('| handler200 object, bytes | %d | %s | |'
          % (med['object'], ', '.join(str(v) for v in res['object'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
