#!/usr/bin/env python3
"""bench_gas.py - what gas metering costs a handler (a benchmark, not a test).

Usage: bench_gas.py [--build DIR] [--runs N]

Boots the dev kernel under QEMU (SeaBIOS, TCG, -icount shift=0, so the TSC
counts guest instructions) with the handler headers, the examples and
tests/bench/handler200.c in its initrd (and a tight loop, the worst case),
compiles each workload twice, metered
(`cc`, the default) and unmetered (`cc --no-gas`), and runs each N times
with `run -v`, whose "TSC cycles in all" line is the whole run in guest
instructions: start of `run` to the handler's exit, address space, library
calls and printing included.  Prints the medians and the metered/unmetered
ratio (target: at most 1.15), the gas each run used, and what the metered
compile (preprocess, gas.c, compile) costs against the plain one.

Reports figures and never fails on them; exits 1 only if the benchmark could
not run.  Shares tools/bench_tcc.py's session.
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
from bench_tcc import PROMPT, Failed, kqemu, session  # noqa: E402

TARGET = 1.15
EXAMPLES = os.path.join(ROOT, 'sdk', 'examples', 'handlers')
# name -> (source in the initrd, arguments)
WORKLOADS = {
    'sieve': ('/usr/share/examples/handlers/sieve.c', '1000000'),
    'fibonacci': ('/usr/share/examples/handlers/fibonacci.c', '27'),
    'handler200': ('/bench/handler200.c', ''),
    'tightloop': ('/bench/tightloop.c', '10000000'),
}
# The worst case: a loop with almost nothing in it, where the two
# instructions of the charge weigh most.
TIGHTLOOP = r'''#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, s = 0;

	for (long i = 0; i < n; i++)
		s += i;
	printf("%ld\n", s);
	return 0;
}
'''
CC_V = re.compile(r'^cc: \w+: compile (\d+), link', re.M)
ALL = re.compile(r'^run: (\w+): (\d+) TSC cycles in all$', re.M)
GAS = re.compile(r'^run: (\w+): gas (\d+)$', re.M)


def guest(build, runs, d):
    kernel = os.path.join(build, 'core', 'karyon-dev.elf')
    if not os.path.exists(kernel):
        raise Failed('%s does not exist (build it first)' % kernel)
    initrd = os.path.join(d, 'initrd.cpio')
    tight = os.path.join(d, 'tightloop.c')
    with open(tight, 'w') as f:
        f.write(TIGHTLOOP)
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkinitrd.py'), initrd,
                    '--tree', '/usr/include=' + os.path.join(ROOT, 'sdk', 'handler', 'include'),
                    '--tree', '/usr/share/examples=' + os.path.join(ROOT, 'sdk', 'examples'),
                    '--file', '/bench/handler200.c=' + os.path.join(ROOT, 'tests', 'bench',
                                                                  'handler200.c'),
                    '--file', '/bench/tightloop.c=' + tight],
                   check=True)
    figures, compiles = {}, {}
    try:
        with kqemu.Machine(kernel, icount=True, iso_args=['--initrd', initrd]) as m:
            m.wait_for(PROMPT, 120)
            run = session(m)
            for name, (src, args) in WORKLOADS.items():
                outputs = {}
                for kind, opt in (('metered', ''), ('unmetered', ' --no-gas')):
                    h = name[:20] + '_' + kind[0]
                    out = run('cc -v%s %s -o %s' % (opt, src, h))
                    c = CC_V.search(out)
                    if not re.search(r'^cc: %s: code' % h, out, re.M) or not c:
                        m.fail('cc %s printed %r' % (src, out))
                    compiles[name, kind] = int(c.group(1))
                    vals, gas = [], set()
                    for _ in range(runs):
                        out = run(('run -v %s %s' % (h, args)).strip(), 600)
                        r = ALL.search(out)
                        if not r:
                            m.fail('run -v %s printed %r' % (h, out))
                        vals.append(int(r.group(2)))
                        g = GAS.search(out)
                        gas.add(int(g.group(2)) if g else None)
                        outputs[kind] = re.sub(r'^run: .*\n', '', out, flags=re.M).replace(h, name)
                    figures[name, kind] = (statistics.median(vals), min(vals), max(vals), gas)
                if outputs['metered'] != outputs['unmetered']:
                    m.fail('%s: metered output differs: %r / %r' % (name, outputs['metered'],
                                                                   outputs['unmetered']))
    except kqemu.KqemuError as e:
        raise Failed(str(e))
    return figures, compiles


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.environ.get('KARYON_BUILD', os.path.join(ROOT, 'build')),
                    help='the meson build directory (default: $KARYON_BUILD, else build/)')
    ap.add_argument('--runs', type=int, default=3, help='boots to take the median over (default 3)')
    a = ap.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix='bench-gas-') as d:
            fig, comp = guest(a.build, a.runs, d)
    except Failed as e:
        print('bench_gas: %s' % e, file=sys.stderr)
        return 1
    print('gas metering, in the kernel (QEMU TCG, -icount shift=0: TSC = guest instructions), '
          'median of %d runs, whole `run` including start-up, library calls and output:' % a.runs)
    print('| workload | unmetered | metered | ratio | gas used | target <= %.2f |' % TARGET)
    print('|---|---|---|---|---|---|')
    for name, (src, args) in WORKLOADS.items():
        u, mt = fig[name, 'unmetered'], fig[name, 'metered']
        ratio = mt[0] / u[0]
        print('| %s %s | %d | %d | %.3f | %s | %s |' % (
            name, args, u[0], mt[0], ratio, ','.join(str(g) for g in sorted(mt[3])),
            'met' if ratio <= TARGET else 'missed'))
    print('compile (cc -v, TSC = guest instructions, one each): ' + ', '.join(
        '%s %d metered / %d unmetered (%.2fx)' % (name, comp[name, 'metered'],
                                                  comp[name, 'unmetered'],
                                                  comp[name, 'metered'] / comp[name, 'unmetered'])
        for name in WORKLOADS))
    return 0


if __name__ == '__main__':
    sys.exit(main())
