#!/usr/bin/env python3
"""bench_tcc.py - the cost of compiling a C handler in the kernel (a benchmark, not a test).

Usage: bench_tcc.py [--build DIR] [--runs N]

1. In the kernel: boots the dev kernel under QEMU (SeaBIOS, TCG, -icount
   shift=0, so the TSC counts guest instructions) with an initrd holding the
   handler headers at /usr/include, tests/bench/handler200.c at
   /bench/handler200.c and a tiny handler at /bench/tiny.c.  At the shell it
   types `cc -v /bench/handler200.c` N times (default 5) and reads the
   compile and link figures; runs handler200 once and checks it prints what
   the same file built by the host's gcc prints; then `cc /bench/tiny.c` and
   `run -v tiny` N times for the cost of dispatching a run.
2. On the host: tests/bench/tcc_host.c drives Debian's libtcc.a (the archive
   the kernel links) with the kernel's options and output type
   (-nostdlib -nostdinc -fno-common, TCC_OUTPUT_OBJ, __KARYON__, the
   handler headers as sysinclude path); callgrind counts the instructions of
   one compile (tcc_new to tcc_delete).  The kernel's median over this
   figure is the ratio to watch (target: at most 1.2).
3. On the host: `tcc -c` against `gcc -O0 -c` on the same file and headers,
   wall clock per command (process start included), median of many runs.

Reports figures and never fails on them; exits 1 only if a part could not
run (the parts that did still print).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402

SOURCE = os.path.join(ROOT, 'tests', 'bench', 'handler200.c')
HOST_DRIVER = os.path.join(ROOT, 'tests', 'bench', 'tcc_host.c')
HEADERS = os.path.join(ROOT, 'sdk', 'handler', 'include')
LIBTCC = '/usr/lib/x86_64-linux-gnu/libtcc.a'
TINY = 'int main(void)\n{\n\treturn 0;\n}\n'
TARGET = 1.2                    # kernel compile / host compile, instructions

PROMPT = r'karyon:/> '
CC_V = re.compile(r'^cc: handler200: compile (\d+), link (\d+) TSC cycles \((\d+)-byte object\)$',
                  re.M)
RUN_V = re.compile(r'^run: tiny: dispatch to entry (\d+) TSC cycles$', re.M)
HOST_REPS = 41                  # wall-clock repetitions per host compiler


class Failed(Exception):
    """A part of the benchmark could not run."""


def session(m):
    """run(line) -> what the shell printed for line (between its echo and the
    next prompt), as in tests/qemu/test_tcc.py."""
    def run(line, timeout=120):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + PROMPT, timeout, start)
        return r.group(1)
    return run


def host_output(d):
    """handler200 built by the host's gcc and run: what `run handler200` should print."""
    exe = os.path.join(d, 'handler200')
    subprocess.run(['gcc', '-O0', '-w', SOURCE, '-o', exe], check=True)
    r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    return r.stdout + 'handler200 returned %d\n' % r.returncode


def spread(vals):
    return 'median %d (each: %s)' % (statistics.median(vals), ', '.join(str(v) for v in vals))


def guest(build, runs, d):
    """Boot, compile and run; returns the median compile figure."""
    kernel = os.path.join(build, 'core', 'karyon-dev.elf')
    if not os.path.exists(kernel):
        raise Failed('%s does not exist (build it first: ninja -C %s)' % (kernel, build))
    tiny = os.path.join(d, 'tiny.c')
    with open(tiny, 'w') as f:
        f.write(TINY)
    initrd = os.path.join(d, 'initrd.cpio')
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkinitrd.py'), initrd,
                    '--tree', '/usr/include=' + HEADERS,
                    '--file', '/bench/handler200.c=' + SOURCE,
                    '--file', '/bench/tiny.c=' + tiny], check=True)
    want = host_output(d)
    compiles, links, sizes, dispatch = [], [], set(), []
    try:
        with kqemu.Machine(kernel, icount=True, iso_args=['--initrd', initrd]) as m:
            m.wait_for(PROMPT, 120)
            run = session(m)
            for _ in range(runs):
                out = run('cc -v /bench/handler200.c')
                r = CC_V.search(out)
                if not r:
                    m.fail('cc -v /bench/handler200.c printed %r' % out)
                compiles.append(int(r.group(1)))
                links.append(int(r.group(2)))
                sizes.add(int(r.group(3)))
            got = re.sub(r'^run: handler200: gas \d+\n', '', run('run handler200'), flags=re.M)
            same = got == want
            out = run('cc /bench/tiny.c')
            if not re.search(r'^cc: tiny: code', out, re.M):
                m.fail('cc /bench/tiny.c printed %r' % out)
            for _ in range(runs):
                out = run('run -v tiny')
                r = RUN_V.search(out)
                if not r or 'tiny returned 0' not in out:
                    m.fail('run -v tiny printed %r' % out)
                dispatch.append(int(r.group(1)))
    except kqemu.KqemuError as e:
        raise Failed(str(e))
    print('in the kernel (QEMU TCG, -icount shift=0), %s, %d runs:'
          % (os.path.relpath(SOURCE, ROOT), runs))
    print('  cc -v compile (libtcc, to an object in memory), guest instructions: %s'
          % spread(compiles))
    print('  cc -v link (kmod linker, against the grants), guest instructions:   %s'
          % spread(links))
    print('  object: %s bytes' % ', '.join(str(s) for s in sorted(sizes)))
    print('  run -v tiny, start of run to main(), guest instructions: %s' % spread(dispatch))
    if same:
        print('  run handler200: same output and status as the host build (gcc -O0)')
    else:
        print('  run handler200: DIFFERS from the host build (gcc -O0):\n--- host\n%s--- device\n%s'
              % (want, got))
    return statistics.median(compiles)


def callgrind(exe, args, out):
    subprocess.run(['valgrind', '--tool=callgrind', '--toggle-collect=compile_once',
                    '--callgrind-out-file=' + out, exe] + args, check=True, capture_output=True)
    with open(out) as f:
        return int(re.search(r'^(?:summary|totals): (\d+)', f.read(), re.M).group(1))


def host_libtcc(d):
    """Instructions of one compile by libtcc.a on the host (first, and later ones)."""
    for tool in ('gcc', 'valgrind'):
        if not shutil.which(tool):
            raise Failed('%s not installed' % tool)
    if not os.path.exists(LIBTCC):
        raise Failed('%s not found (apt-get install libtcc-dev)' % LIBTCC)
    exe = os.path.join(d, 'tcc_host')
    subprocess.run(['gcc', '-O2', HOST_DRIVER, LIBTCC, '-ldl', '-o', exe], check=True)
    obj = os.path.join(d, 'handler200.o')
    first = callgrind(exe, [SOURCE, HEADERS, obj, '1'], os.path.join(d, 'cg.1'))
    six = callgrind(exe, [SOURCE, HEADERS, obj, '6'], os.path.join(d, 'cg.6'))
    later = (six - first) // 5
    print('on the host (callgrind, Debian libtcc.a, the kernel\'s options, TCC_OUTPUT_OBJ):')
    print('  one compile, tcc_new to tcc_delete: %d instructions (the first: %d); '
          'object %d bytes' % (later, first, os.path.getsize(obj)))
    return later


def wall(cmd, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def host_compilers(d):
    """Wall clock of the host's tcc -c and gcc -O0 -c on the same file."""
    for tool in ('tcc', 'gcc'):
        if not shutil.which(tool):
            raise Failed('%s not installed' % tool)
    common = ['-nostdinc', '-I', HEADERS, '-D__KARYON__=1', '-c', SOURCE, '-o',
              os.path.join(d, 'wall.o')]
    tcc = ['tcc'] + common
    gcc = ['gcc', '-O0'] + common
    wall(tcc, 3)                # page cache and the dynamic loader warm
    wall(gcc, 3)
    t_tcc = wall(tcc, HOST_REPS)
    t_gcc = wall(gcc, HOST_REPS)
    print('on the host (wall clock per command, median of %d; same file and headers):'
          % HOST_REPS)
    print('  tcc -c %.2f ms, gcc -O0 -c %.2f ms: tcc takes %.2f of gcc\'s time (%.1fx faster)'
          % (t_tcc, t_gcc, t_tcc / t_gcc, t_gcc / t_tcc))


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'), help='the meson build directory with the ISOs and modules (default: build/)')
    ap.add_argument('--runs', type=int, default=5, help='boots to take the median over (default 5)')
    a = ap.parse_args()
    if a.runs < 1:
        ap.error('--runs must be at least 1')
    failed = []

    def attempt(part, fn, *args):
        try:
            return fn(*args)
        except (Failed, subprocess.CalledProcessError, OSError) as e:
            sys.stdout.flush()
            print('%s: could not run: %s' % (part, e), file=sys.stderr)
            failed.append(part)
            return None

    with tempfile.TemporaryDirectory(prefix='bench-tcc-') as d:
        kernel = attempt('in the kernel', guest, a.build, a.runs, d)
        host = attempt('libtcc on the host', host_libtcc, d)
        if kernel is not None and host:
            ratio = kernel / host
            print('kernel/host compile: %.2fx (target at most %.1fx: %s)'
                  % (ratio, TARGET, 'met' if ratio <= TARGET else 'missed'))
        attempt('host compilers', host_compilers, d)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
