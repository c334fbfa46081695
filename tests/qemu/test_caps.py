#!/usr/bin/env python3
"""test_caps.py - capability tests under QEMU: the kernel domain's boot-time
capabilities, IRQ lines, pages, services and ports through the ABI, and
driver modules getting their devices by capability.

Usage as test_boot.py: test_caps.py CASE... | --list (meson runs one case per test).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kqemu import EXIT_READY, Machine  # noqa: E402
from test_boot import TEST_KERNEL, check, expect_exit, expect_ready, kmod_paths, main  # noqa: E402


def caps_dump():
    # The kernel domain's boot-time capabilities: one per IRQ line but the
    # cascade (2), the whole I/O-port space, all device memory, the three
    # facilities (power, klog, devices) and a read-only-able view of each
    # built-in module that started; nothing else.  COM1's IRQ 4 is the
    # console module's, derived into its domain like any driver's.
    with Machine(TEST_KERNEL, cmdline='selftest=dump onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        log = m.log
        check(m, re.search(r'^cspace kernel:', log, re.M), 'no capability table header')
        irqs = re.findall(r'^0x[0-9a-f]{8} irq +r--gb- line (\d+) +0 -$', log, re.M)
        # Lines 0-15 but the cascade, and the two that are no interrupts:
        # the timer (16) and the idle loop (17), the sched module's.
        check(m, sorted(map(int, irqs)) == [n for n in range(18) if n != 2],
              'IRQ capabilities for lines %s' % irqs)
        check(m, re.search(r'^0x[0-9a-f]{8} ioport +rw-g-- ports 0x0-0xffff +0 -$', log, re.M),
              'no capability to the I/O-port space')
        check(m, re.search(r'^0x[0-9a-f]{8} mmio +rw-g-- 0x0 n=\d+ +0 -$', log, re.M),
              'no capability to device memory')
        sys_caps = re.findall(r'^0x[0-9a-f]{8} system +r--g-c "(\w+)" +0 -$', log, re.M)
        check(m, sys_caps == ['power', 'klog', 'devices'], 'facilities: %s' % sys_caps)
        views = re.findall(r'^0x[0-9a-f]{8} module +r--g-- "(\w+)" +0 -$', log, re.M)
        check(m, sorted(views) == ['builtin_a', 'builtin_b', 'console', 'kmod', 'sched', 'vfs'],
              'views: %s' % views)
        # The boot modules' pages: every ISO ships its MANIFEST as "release".
        boot = re.findall(r'^0x[0-9a-f]{8} pages +r--g-- "(\w+)" +0 -$', log, re.M)
        check(m, boot == ['release'], 'boot modules: %s' % boot)
        used = re.search(r'^(\d+) of (\d+) slots used$', log, re.M)
        check(m, used and int(used.group(1)) == len(irqs) + 2 + len(sys_caps) + len(boot) +
              len(views), 'slot count %s' % (used and used.group(0)))
        mem = re.search(r'^mem: (\d+) of (\d+) pages free; heap (\d+) bytes in (\d+) blocks '
                        r'on (\d+) pages$', log, re.M)
        check(m, mem and 0 < int(mem.group(1)) < int(mem.group(2)), 'no page statistics')


def devices():
    # Two copies of a driver needing IRQ 11 and the PCI configuration ports:
    # the first gets them and reads the host bridge's IDs through its port
    # capability; the second is refused naming the holder, and loads once
    # the first is unloaded; nothing is left behind.  IRQ 4 is refused to
    # anyone else, naming the built-in console module that holds it.
    k = kmod_paths()
    with Machine(TEST_KERNEL, cmdline='selftest=devices onready=exit',
                 modules=[k['devtest_a'] + '=devtest_a', k['devtest_b'] + '=devtest_b']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=devices')
        log = m.log
        for pattern, what in (
                (r'^devtest_a: PCI 00:00\.0 vendor 8086 device 1237$', 'ports read through the capability'),
                (r'^devtest_a: bind IRQ 11: success$', 'IRQ bound'),
                (r'^devtest_a: port 0x60 \(not granted\): value out of range$', 'ungranted port refused'),
                (r'^devtest_a: need 3: no such entry$', 'no fourth need'),
                (r'^devtest_a: I/O APIC version 0x[1-9a-f][0-9a-f]*, \d+ redirection entries$',
                 'device memory read through an uncached map'),
                (r'^devtest_a: MMIO map: success; map again: already done$', 'one map per capability'),
                (r'^devtest_a: DMA 2 pages: success, below 4 GiB yes, page-aligned yes$', 'DMA pages'),
                (r'^devtest_a: physical address of plain pages: permission denied; '
                 r'DMA flags 0x80: invalid argument$', 'plain pages keep their address'),
                (r'^devtest_a: view of \w+: type 5 rights 0x1, listing: success \([2-9]\d* lines\); '
                 r'as a page: wrong kind of capability$', 'a view is for looking only'),
                (r'^kmod: cannot load boot module devtest_b: devtest_b: needs IRQ 11, held by devtest_a$',
                 'second taker refused at boot, naming the holder'),
                (r'^selftest: grant without the devices capability: no such capability slot: '
                 r'no right to hand out devices', 'granting needs the devices capability'),
                (r'^selftest: grant IRQ 4: resource busy: needs IRQ 4, held by console$',
                 'COM1\'s line is the console module\'s alone'),
                (r'^selftest: load devtest_b: resource busy: devtest_b: needs IRQ 11, held by devtest_a$',
                 'second taker refused at run time'),
                (r'^selftest: unload devtest_a: success$', 'first unloaded'),
                (r'^selftest: load devtest_b: success$', 'second loads once the first is gone'),
                (r'^devtest_b: PCI 00:00\.0 vendor 8086 device 1237$', 'second reads the ports'),
                (r'^selftest: load devtest_a: resource busy: devtest_a: needs IRQ 11, held by devtest_b$',
                 'and now holds them'),
                (r'^selftest: unload devtest_b: success$', 'second unloaded'),
                (r'^selftest: load devtest_a: success$', 'first loads again')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        mem = re.search(r'^selftest: devices: pages free or cached (\d+) before, (\d+) after; '
                        r'heap blocks (\d+) before, (\d+) after$', log, re.M)
        check(m, mem and mem.group(1) == mem.group(2) and mem.group(3) == mem.group(4),
              'unload/reload leaked: %s' % (mem and mem.group(0)))


def irq_capability():
    # PIT IRQ 0 bound from a second domain through a derived capability;
    # revoking the kernel's capability ends the binding.
    with Machine(TEST_KERNEL, cmdline='selftest=irq onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=irq')
        log = m.log
        for pattern, what in (
                (r'^selftest: derive with a right the kernel lacks: capability lacks the rights$',
                 'refused rights amplification'),
                (r'^selftest: bind irq 0 in domain selftest: success$', 'bind'),
                (r'^selftest: bind irq 0 again from the kernel: resource busy$',
                 'refused second bind'),
                (r'^selftest: revoke: success$', 'revoke'),
                (r'^selftest: stale capability: stale capability \(revoked or deleted\)$',
                 'stale capability refused'),
                (r'^selftest: after revoke: 0 more$', 'no interrupts after revoke'),
                (r'^selftest: revoke again: already done$', 'second revoke refused')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        got = re.search(r'^selftest: irq 0 delivered (\d+) times through capability '
                        r'0x[0-9a-f]+ \(count (\d+)\)$', log, re.M)
        check(m, got and int(got.group(1)) >= 20 and got.group(1) == got.group(2),
              'IRQ 0 not delivered and counted: %s' % (got and got.group(0)))


# selftest=caps: each line the kernel must print, in order.
CAPS_STEPS = [
    ('page alloc 4', 'success'), ('map writable', 'success'), ('map twice', 'already done'),
    ('derive read-only', 'success'),
    ('map read-only cap writable', 'capability lacks the rights'),
    ('map read-only cap', 'success'),
    ('map writable and executable', 'permission denied'),
    ('slot 5 of 4', 'no space left'), ('delete original', 'success'),
    ('revoke unrelated', 'already done'),
    ('publish demo v2', 'success'), ('publish demo again', 'already exists'),
    ('publish bad name', 'invalid argument'), ('open demo v1', 'success'),
    ('open demo v3', 'value out of range'), ('open nothing', 'no such entry'),
    ('call ops', 'success'), ('unpublish in use', 'resource busy'),
    ('unpublish by a user', 'permission denied'), ('revoke users', 'success'),
    ('unpublish', 'success'), ('open after unpublish', 'no such entry'),
    ('ioport COM1 scratch', 'success'), ('write scratch', 'success'),
    ('read scratch', 'success'), ('read outside', 'value out of range'),
    ('read 2 bytes at the end', 'value out of range'), ('read-only sub-range', 'success'),
    ('write through it', 'capability lacks the rights'),
    ('widen a sub-range', 'value out of range'), ('revoke sub-ranges', 'success'),
    ('use revoked', r'stale capability \(revoked or deleted\)'),
]


def caps_objects():
    # Raw pages, services and I/O ports through the ABI in a booted kernel:
    # every misuse refused with its own error, nothing leaked afterwards.
    with Machine(TEST_KERNEL, cmdline='selftest=caps onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=caps')
        log = m.log
        pos = 0
        for what, result in CAPS_STEPS:
            r = re.compile(r'^selftest: %s: %s$' % (re.escape(what), result), re.M).search(log, pos)
            check(m, r, 'expected "selftest: %s: %s" (in order)' % (what, result))
            pos = r.end()
        for line in ('same pages: yes', 'ops version 2', 'scratch holds 0x5a'):
            check(m, re.search('^selftest: %s$' % line, log, re.M), 'missing "%s"' % line)
        acc = re.search(r'^selftest: pages free or cached (\d+) before, (\d+) after; '
                        r'heap blocks (\d+) before, (\d+) after$', log, re.M)
        check(m, acc and acc.group(1) == acc.group(2) and acc.group(3) == acc.group(4),
              'pages or heap blocks leaked: %s' % (acc and acc.group(0)))
        # 17 IRQ lines, the port space, device memory, 3 facilities, the
        # "release" boot module (the ISO's MANIFEST) and a view of each of
        # the test kernel's 6 built-in modules.
        check(m, re.search(r'^29 of 256 slots used$', log, re.M),
              'the kernel domain did not get back to its 29 boot capabilities')


CASES = {
    'caps-dump': caps_dump,
    'irq-capability': irq_capability,
    'caps-objects': caps_objects,
    'devices': devices,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
