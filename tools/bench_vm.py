#!/usr/bin/env python3
"""bench_vm.py - what a token transfer costs in the contract VM, in guest
instructions.

Usage: bench_vm.py [--kernel build/core/karyon-dev.elf] [--transfers 1000]

Boots the dev image under QEMU's -icount shift=0 (the TSC counts guest
instructions; the guest clock runs at one instruction a nanosecond) with a
fresh 64 MiB virtio disk (so keeping a block is a commit of the commit
log, flushed), and runs `vm bench /usr/share/examples/contracts/token.c N`:
the token deployed and 16 accounts funded (not measured), then one block
of N transfers between them, its cost a transaction split into

  execution             the runner: the contract's code, entering and
                        leaving user mode, its fresh data and stack, the
                        receipts and their hashes
  storage + state root  liba's calls (the journal) and, at the block's
                        end, its writes applied and the state root
  commit                the block (N.blk) and its results (N.res) kept

and transactions a second of guest time; then the chain replayed from
genesis (what `vm verify` does), per transaction.  The host side of the
benchmark (the contract's execution compiled by TinyCC and metered,
against gcc -O2, the ratio) is `tools/chain/chain bench`.

A benchmark, not a test: it exits 1 only if a figure is not printed.
Figures go to docs/benchmarks.md.
"""
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402
import toolargs  # noqa: E402

PROMPT = 'karyon:/> '


def sh(m, line, timeout):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the dev ISO')
    ap.add_argument('--transfers', type=int, default=1000,
                    help='transfers in the measured block (1..4096)')
    a = ap.parse_args()
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.kernel))), 'images',
                       'karyon-dev.iso')
    if not os.path.exists(iso) or not 1 <= a.transfers <= 4096:
        print('bench_vm.py: need the dev ISO beside --kernel (%s) and --transfers 1..4096'
              % iso, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        disk = os.path.join(d, 'disk.img')
        with open(disk, 'wb') as f:
            f.truncate(64 << 20)
        extra = ['-drive', 'file=%s,if=none,id=d0,format=raw' % disk,
                 '-device', 'virtio-blk-pci,drive=d0,disable-legacy=on']
        try:
            with kqemu.Machine(a.kernel, 'bios', iso=iso, icount=True, extra=extra) as m:
                m.wait_for(re.escape(PROMPT), 120)
                out = sh(m, 'vm bench /usr/share/examples/contracts/token.c %d' % a.transfers,
                         3600)
        except kqemu.KqemuError as e:
            print('bench_vm.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    lines = [l for l in out.splitlines() if l.startswith(('vm bench:', '  '))
             and not l.startswith(('  block ', '  state root ', '  receipts root '))]
    if not any(l.startswith('  replay') for l in lines):
        print('bench_vm.py: vm bench printed:\n%s' % out, file=sys.stderr)
        return 1
    print('-icount shift=0 (1 instruction = 1 ns of guest time), a disk with the commit log:')
    print('\n'.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
