#!/usr/bin/env python3
"""bench_kmod.py - the cost of loading a module (a benchmark, not a test).

Usage: bench_kmod.py [--build DIR] [--runs N]

1. In the kernel: boots the test kernel under QEMU (SeaBIOS, TCG,
   -icount shift=0, so the TSC counts guest instructions) with
   selftest=kmodbench, which times 21 rounds of insmod+init and rmmod of
   the hello module through the kmod service; prints the median.  N boots
   (default 3) show the figure is repeatable.
2. On the host: builds the same loader (modules/kmod/kmod_elf.c) with
   tests/bench/kmod_host.c and counts its instructions per load+release
   with valgrind's callgrind (what the loader itself costs, with no kernel
   calls behind alloc and resolve).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
from kqemu import Machine  # noqa: E402

BENCH = re.compile(r'^bench: insmod\+init hello \((\d+) bytes\): median (\d+) min (\d+) '
                   r'TSC cycles; rmmod with it (\d+)$', re.M)


def guest(build, runs):
    kernel = os.path.join(build, 'core', 'karyon-test.elf')
    hello = os.path.join(build, 'modules', 'hello.kmod')
    medians = []
    for _ in range(runs):
        with Machine(kernel, cmdline='selftest=kmodbench onready=exit', icount=True,
                     modules=[hello + '=hello']) as m:
            r = m.wait_for(BENCH.pattern, 120)
            m.wait_exit(30)
            size, med, lo, rm = (int(x) for x in r.groups())
            medians.append((med, lo, rm))
    print('in the kernel (QEMU TCG, -icount shift=0), hello.kmod %d bytes, %d boots:' % (size, runs))
    print('  insmod+init, guest instructions: median %d (per boot: %s)'
          % (statistics.median(m[0] for m in medians), ', '.join(str(m[0]) for m in medians)))
    print('  rmmod (exit + teardown), guest instructions: median %d'
          % statistics.median(m[2] for m in medians))


def host(build):
    if not shutil.which('valgrind'):
        print('on the host: valgrind not installed (apt-get install valgrind); skipped')
        return
    hello = os.path.join(build, 'modules', 'hello.kmod')
    with tempfile.TemporaryDirectory(prefix='bench-kmod-') as d:
        exe = os.path.join(d, 'kmod_host')
        subprocess.run(['gcc', '-O2', '-std=gnu11', '-I' + os.path.join(ROOT, 'abi'),
                        '-I' + os.path.join(ROOT, 'modules'),
                        '-I' + os.path.join(ROOT, 'tcc-runtime', 'include'),
                        os.path.join(ROOT, 'tests', 'bench', 'kmod_host.c'),
                        os.path.join(ROOT, 'modules', 'kmod', 'kmod_elf.c'),
                        os.path.join(ROOT, 'tcc-runtime', 'krt', 'fmt.c'),
                        os.path.join(ROOT, 'tcc-runtime', 'krt', 'format.c'), '-o', exe], check=True)
        counts = {}
        for rounds in (1, 101):
            out = os.path.join(d, 'cg.%d' % rounds)
            subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out,
                            exe, hello, str(rounds)], check=True, capture_output=True)
            with open(out) as f:
                counts[rounds] = int(re.search(r'^(?:summary|totals): (\d+)', f.read(), re.M).group(1))
    print('on the host (callgrind, gcc -O2): %d instructions per kmod_load+kmod_release'
          % ((counts[101] - counts[1]) // 100))


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'), help='the meson build directory with the ISOs and modules (default: build/)')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over (default 3)')
    a = ap.parse_args()
    guest(a.build, a.runs)
    host(a.build)


if __name__ == '__main__':
    main()
