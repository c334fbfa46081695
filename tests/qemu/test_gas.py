#!/usr/bin/env python3
"""test_gas.py - gas metering of handlers (modules/tcc/gas.h) as a user
meets it: `cc` meters by default, `run --gas N` stops a handler that runs
out at the same point with the same count on every run (also under
-icount), and no macro, #undef, goto, recursion or endless loop escapes.

Usage: test_gas.py CASE...      (test_gas.py --list for the names)
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main, no_errors  # noqa: E402
import test_tcc  # noqa: E402
from test_tcc import PROMPT, session, test_initrd  # noqa: E402

SOURCES = {
    # Counts to argv[1] and prints it: runs out of gas for a small budget.
    'count': ('#include <stdio.h>\n#include <stdlib.h>\n'
              'int main(int argc, char **argv)\n{\n\tlong n = atol(argv[1]), i, s = 0;\n'
              '\tfor (i = 0; i < n; i++)\n\t\ts += i;\n\tprintf("sum %ld\\n", s);\n'
              '\treturn 0;\n}\n'),
    'forever': 'int main(void)\n{\n\tvolatile int n = 0;\n\tfor (;;)\n\t\tn++;\n}\n',
    # The loop keyword hidden behind a macro, then the macro's name undefined.
    'macro': ('#define LOOP whi ## le\n#define CAT(a, b) a ## b\n'
              'int main(void)\n{\n\tvolatile int n = 0;\n\tCAT(wh, ile) (1)\n\t\tn++;\n'
              '#undef LOOP\n\treturn n;\n}\n'),
    'gotos': ('int main(void)\n{\n\tvolatile int n = 0;\nagain:\n\tn++;\n'
              '\tgoto again;\n}\n'),
    'computed': ('int main(void)\n{\n\tvoid *p = &&again;\n\tvolatile int n = 0;\nagain:\n'
                 '\tn++;\n\tgoto *p;\n}\n'),
    'recurse': ('int down(int n)\n{\n\treturn n > 0 ? down(n - 1) + 1 : down(5);\n}\n'
                'int main(void)\n{\n\treturn down(3);\n}\n'),
    'dowhile': ('int main(void)\n{\n\tvolatile int n = 0;\n\tdo\n\t\tn++;\n'
                '\twhile (1);\n}\n'),
    'asm': 'int main(void)\n{\n\t__asm__ volatile("nop");\n\treturn 0;\n}\n',
    'asmmacro': '#define A(x) x ## sm__\nint main(void)\n{\n\tA(__a)("nop");\n\treturn 0;\n}\n',
    'reserved': 'extern long __karyon_gas;\nint main(void)\n{\n\t__karyon_gas = 1L << 40;\n\treturn 0;\n}\n',
    # Finds the counter's address in its own entry charge (subq $W, abs32)
    # and raises it: caught at the next entry to the kernel (the write).
    'tamper': ('#include <stdio.h>\nint main(void)\n{\n\tunsigned char *c = (unsigned char *)main;\n'
               '\tint i = 0;\n\twhile (i < 64 && !(c[i] == 0x48 && (c[i + 1] == 0x83 || '
               'c[i + 1] == 0x81) && c[i + 2] == 0x2c && c[i + 3] == 0x25))\n\t\ti++;\n'
               '\t*(long *)(unsigned long)*(unsigned int *)(c + i + 4) = 1L << 40;\n'
               '\tprintf("raised\\n");\n\tfflush(stdout);\n\treturn 0;\n}\n'),
    'hashdef': '#define H #\nH define X 1\nint main(void)\n{\n\treturn 0;\n}\n',
}

GAS = r'^run: %s: gas (\d+)$'


def machine(d, icount=False):
    test_tcc.SOURCES.update(SOURCES)
    return Machine(KERNEL, iso_args=['--initrd', test_initrd(d)], icount=icount)


def stops(out, name):
    """(gas used, where) from an out-of-gas report, or None."""
    r = re.search(r'^%s: stopped: out of gas \(budget \d+, used (\d+)\) at (.*)$' % name, out,
                  re.M)
    return (int(r.group(1)), r.group(2)) if r else None


def deterministic():
    # The same handler, the same budget: the same stop, count and place, three runs,
    # and the same again on a machine booted with -icount.
    results = []
    for icount in (False, True):
        with tempfile.TemporaryDirectory(prefix='kqemu-gas-') as d, machine(d, icount) as m:
            m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
            run = session(m, gas=True)
            out = run('cc -l /t/count.c')
            check(m, re.search(r'^cc: count: code', out, re.M), 'cc count: %r' % out)
            out = run('run --gas 100000 count 1000')
            r = re.search(GAS % 'count', out, re.M)
            check(m, r and out == 'sum 499500\n%s\ncount returned 0\n' % r.group(0),
                  'count 1000: %r' % out)
            results.append(('done', int(r.group(1))))
            # Without --gas too: every run of a metered handler says its gas.
            out = run('run count 1000')
            check(m, re.search(GAS % 'count', out, re.M) and
                  re.search(GAS % 'count', out, re.M).group(0) == r.group(0),
                  'a plain run did not report the same gas: %r' % out)
            for _ in range(3):
                out = run('run --gas 5000 count 100000000')
                s = stops(out, 'count')
                check(m, s and 'count.c:' in s[1], 'count not stopped for gas: %r' % out)
                results.append(s)
            no_errors(m)
            if icount:
                check(m, len(set(results[1:4] + results[5:8])) == 1 and
                      results[0] == results[4], 'gas differs between runs: %r' % results)


def escapes():
    # Nothing loops for ever on a budget: loops behind macros, goto, computed
    # goto, recursion, do-while, for (;;).
    with tempfile.TemporaryDirectory(prefix='kqemu-gas-') as d, machine(d) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m, gas=True)
        for name in ('forever', 'macro', 'gotos', 'computed', 'recurse', 'dowhile'):
            out = run('cc /t/%s.c' % name)
            check(m, re.search(r'^cc: %s: code' % name, out, re.M), 'cc %s: %r' % (name, out))
            out = run('run --gas 20000 %s' % name)
            s = stops(out, name)
            check(m, s and s[0] > 20000, '%s not stopped by gas: %r' % (name, out))
            check(m, run('run --gas 20000 %s' % name) == out, '%s: second run differs' % name)
        # Refused at compile time, with the user's line.
        out = run('cc /t/asm.c')
        check(m, re.search(r'^/t/asm\.c:3: error: inline assembly is not allowed', out, re.M),
              'asm: %r' % out)
        out = run('cc /t/asmmacro.c')
        check(m, re.search(r'^/t/asmmacro\.c:4: error: inline assembly', out, re.M),
              'asm by ##: %r' % out)
        out = run('cc /t/reserved.c')
        check(m, re.search(r'^/t/reserved\.c:1: error: __karyon_gas\.\.\. names are reserved',
                           out, re.M), 'reserved: %r' % out)
        out = run('cc /t/hashdef.c')
        check(m, re.search(r'^/t/hashdef\.c:2: error: a preprocessing directive made by a '
                           r'macro', out, re.M), 'hashdef: %r' % out)
        # A counter raised above what the kernel set stops the run.
        run('cc /t/tamper.c')
        out = run('run tamper')
        check(m, re.search(r'^raised\ntamper: stopped: gas counter tampered with', out, re.M),
              'tamper: %r' % out)
        # Unmetered: asm compiles, run says it is not metered.
        out = run('cc --no-gas /t/asm.c')
        check(m, re.search(r'^cc: asm: code', out, re.M), 'cc --no-gas: %r' % out)
        out = run('run -v asm')
        check(m, 'run: asm: gas not metered' in out and out.endswith('asm returned 0\n'),
              'run unmetered: %r' % out)
        no_errors(m)


CASES = {
    'gas-deterministic': deterministic,
    'gas-escapes': escapes,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
