#!/usr/bin/env python3
"""The contract runner in the kernel (the tcc module's runner.contract
service) through tests/kernel/ctest.c, against the host's runner
(tools/chain/hostrun.c): the same contract (tests/contracts/rt.c) and the
same fake VM (tests/contracts/chost.h) must give the same gas on both.
The host's figures are what build/tests/unit/test_hostrun prints
("GAS METHOD N"); each is compared with the kernel's.

Cases:
  contract-gas      every method of rt.c: how it ends, its gas = the host's;
                    faults (NULL, division by zero, stack overflow, a bad
                    pointer to a liba call) end the call, the kernel runs on
  contract-refuse   floating point, inline assembly, a call outside liba:
                    refused with the host's why strings
  contract-nested   a chain of eight contracts calling each other; Ctrl-C
                    stops a contract with the most gas (KR_ETIME)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
PROMPT = 'karyon:/> '
CONTRACTS = os.path.join(kqemu.ROOT, 'tests', 'contracts')


def host_run():
    """What the host runner's test prints: ({method: gas}, {method: why})."""
    exe = os.path.join(BUILD, 'tests', 'unit', 'test_hostrun')
    r = subprocess.run([exe, kqemu.ROOT], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError('test_hostrun failed:\n' + r.stdout + r.stderr)
    gas = {m.group(1): int(m.group(2)) for m in re.finditer(r'^GAS (\w+) (\d+)$', r.stdout, re.M)}
    why = dict(re.findall(r'^(nullp|divz|deep|badptr): (.*)$', r.stdout, re.M))
    return gas, why


def host_gas():
    return host_run()[0]


def machine(d):
    """The dev image's initrd, with ctest.kmod and the test contracts in /t."""
    path = os.path.join(d, 'initrd.cpio')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), path,
            '--from', os.path.join(BUILD, 'images', 'initrd-dev.cpio'),
            '--file', '/lib/modules/ctest.kmod=' + os.path.join(BUILD, 'tests', 'ctest.kmod')]
    for f in sorted(os.listdir(CONTRACTS)):
        if f.endswith('.c'):
            args += ['--file', '/t/%s=%s' % (f, os.path.join(CONTRACTS, f))]
    subprocess.run(args, check=True, capture_output=True)
    return Machine(KERNEL, iso_args=['--initrd', path])


def sh(m, line, timeout=60):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def has(m, out, pattern, what):
    r = re.search(pattern, out, re.M)
    check(m, r, '%s: no %r in:\n%s' % (what, pattern, out))
    return r


def ready(m):
    m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
    has(m, sh(m, 'insmod ctest'), r'ctest: ready', 'insmod ctest')


def contract_gas():
    gas, why = host_run()
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        ready(m)
        for method, end in [('work', r'returned 55'), ('rev', r'reverted 0'),
                            ('nullp', r'faulted 0'), ('divz', r'faulted 0'),
                            ('store', r'returned 36')]:
            r = has(m, sh(m, 'ctest /t/rt.c %s' % method),
                    r'^ctest: %s: %s, gas (\d+)' % (method, end), method)
            kernel = int(r.group(1))
            print('%s: host gas %d, kernel gas %d' % (method, gas[method], kernel))
            check(m, kernel == gas[method], '%s: kernel gas %d, host gas %d'
                  % (method, kernel, gas[method]))
        # Out of gas exactly where the host says: with the host's figure
        # it returns, with one less it runs out, twice.
        has(m, sh(m, 'ctest /t/rt.c work %d' % gas['work']), r'returned 55, gas %d' % gas['work'],
            'work with exactly its gas')
        for _ in range(2):
            has(m, sh(m, 'ctest /t/rt.c work %d' % (gas['work'] - 1)),
                r'^ctest: work: out of gas 0, gas %d' % (gas['work'] - 1), 'one gas short')
        has(m, sh(m, 'ctest /t/rt.c spin 100000'), r'^ctest: spin: out of gas 0, gas 100000',
            'spin')
        out = sh(m, 'ctest /t/rt.c nullp')
        has(m, out, r'why: rt: stopped: page fault \(NULL pointer dereference, address 0\) at '
            r'rt\+0x[0-9a-f]+ \(contract\.c:\d+\)', 'nullp why')
        has(m, sh(m, 'ctest /t/rt.c divz'), r'why: rt: stopped: divide error at rt\+', 'divz')
        has(m, sh(m, 'ctest /t/rt.c deep'), r'faulted 0, .*stack overflow', 'deep')
        has(m, sh(m, 'ctest /t/rt.c badptr'),
            r'faulted 0, .*bad pointer to liba_get \(argument 1: 0x10\)', 'badptr')
        # Same image, same addresses: even the reports read the same.
        for method in sorted(why):
            r = has(m, sh(m, 'ctest /t/rt.c %s' % method), r'why: (.*)$', method)
            print('%s: host why "%s", kernel why "%s"' % (method, why[method], r.group(1)))
            check(m, r.group(1) == why[method], '%s: kernel says %r, host %r'
                  % (method, r.group(1), why[method]))
        has(m, sh(m, 'ctest /t/rt.c glob'), r'returned 1,', 'glob')
        has(m, sh(m, 'ctest /t/rt.c glob'), r'returned 1,', 'glob again')
        has(m, sh(m, 'ctest /t/rt.c fresh'), r'returned 0,', 'fresh stack')
        has(m, sh(m, 'ctest /t/rt.c nosuch'), r'invoke: ', 'no such method')
        has(m, sh(m, 'ctest /t/rt.c work'), r'returned 55', 'runs on')
        # The SDK's counter, twice on one store: a key created, then replaced.
        out = sh(m, 'ctest twice /usr/share/examples/contracts/counter.c increment')
        got = [int(g) for g in re.findall(r'^ctest: increment: returned 0, gas (\d+)', out, re.M)]
        print('counter: host gas %d, %d; kernel gas %s' % (gas['counter1'], gas['counter2'], got))
        check(m, got == [gas['counter1'], gas['counter2']], 'counter: kernel %s, host %d, %d'
              % (got, gas['counter1'], gas['counter2']))


def contract_refuse():
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        ready(m)
        for f, why in [('float.c', 'floating point is not allowed in a contract'),
                       ('asm.c', 'inline assembly is not allowed in a contract'),
                       ('outside.c', 'call outside liba: strlen')]:
            has(m, sh(m, 'ctest load /t/%s' % f), r'why "%s"$' % re.escape(why), f)
        has(m, sh(m, 'ctest load /t/rt.c'), r'^ctest: load /t/rt.c: ok$', 'rt loads')
        # liba is no handler's: cc refuses a handler that calls it, and -g vm.
        has(m, sh(m, 'cc /t/h_liba.c'), r"^cc: /t/h_liba.c: undefined symbol liba_get \(a "
            r"contract's call: no handler may call it\)$", 'a handler calling liba')
        has(m, sh(m, 'cc /t/h_liba.c -g vm'), r"^cc: unknown grant 'vm'", 'cc -g vm')


def contract_nested():
    gas = host_gas()
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        ready(m)
        r = has(m, sh(m, 'ctest chain /t/rt.c 8'), r'^ctest: chain 8: returned, depth 8, gas (\d+)',
                'chain 8')
        print('chain8: host gas %d, kernel gas %s' % (gas['chain8'], r.group(1)))
        check(m, int(r.group(1)) == gas['chain8'], 'chain8: kernel gas %s, host %d'
              % (r.group(1), gas['chain8']))
        # A callee that faults, runs out of its gas, reverts: the caller
        # runs on and returns the code (1003, 1002, 1001) and the reason.
        for which, data in [(0, '03 eb 00'), (1, '03 ea 00'), (2, '03 e9 6e')]:
            r = has(m, sh(m, 'ctest pair /t/rt.c callbad %d' % which),
                    r'^ctest: callbad: returned 0, gas (\d+), data 3: %s$' % data, 'callbad')
            name = 'callbad%d' % which
            print('%s: host gas %d, kernel gas %s' % (name, gas[name], r.group(1)))
            check(m, int(r.group(1)) == gas[name], '%s: kernel gas %s, host %d'
                  % (name, r.group(1), gas[name]))
        has(m, sh(m, 'ctest /t/rt.c work'), r'returned 55', 'runs on')
        # No time budget, only Ctrl-C: the invoke says KR_ETIME.
        start = len(m.log)
        m.send('ctest /t/rt.c spin 1000000000\r')
        m.wait_for(r'ctest /t/rt.c spin 1000000000\n', 30, start)
        time.sleep(1)
        m.send('\x03')
        m.wait_for(r'^ctest: spin: invoke: time budget exhausted\n' + re.escape(PROMPT), 60,
                   start)
        has(m, sh(m, 'ctest /t/rt.c work'), r'returned 55', 'runs on after Ctrl-C')


CASES = {
    'contract-gas': contract_gas,
    'contract-refuse': contract_refuse,
    'contract-nested': contract_nested,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
