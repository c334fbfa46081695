#!/usr/bin/env python3
"""bench_clog.py - what a commit costs, in guest instructions.

Usage: bench_clog.py [--kernel build/core/karyon-dev.elf] [--commits 10000]

Boots the dev image under QEMU's -icount shift=0 (the TSC counts guest
instructions; the guest clock runs at one instruction a nanosecond) with a
fresh 64 MiB virtio disk, and runs:

  ledger bench append N SIZE   records staged and written as one group,
                               against BLAKE2b-256 of the same bytes in
                               the same run (the device is not in the
                               staging figure: the hash-bound part)
  ledger bench group T N       T tasks committing N records each at once:
                               commits per flush (group commit), and one
                               task alone for comparison
  ledger bench files C         C files written through the vfs service,
                               each a flushed vfs.write commit

then boots again on the same disk and reads the boot's replay line: the
instructions to replay C commits, per commit.

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
    ap.add_argument('--commits', type=int, default=10000,
                    help='vfs.write commits for the replay figure (1..100000)')
    a = ap.parse_args()
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.kernel))), 'images',
                       'karyon-dev.iso')
    if not os.path.exists(iso) or not 1 <= a.commits <= 100000:
        print('bench_clog.py: need the dev ISO beside --kernel (%s) and --commits 1..100000'
              % iso, file=sys.stderr)
        return 2
    out = []
    with tempfile.TemporaryDirectory() as d:
        disk = os.path.join(d, 'disk.img')
        with open(disk, 'wb') as f:
            f.truncate(64 << 20)
        extra = ['-drive', 'file=%s,if=none,id=d0,format=raw' % disk,
                 '-device', 'virtio-blk-pci,drive=d0,disable-legacy=on']
        try:
            with kqemu.Machine(a.kernel, 'bios', iso=iso, icount=True, extra=extra) as m:
                m.wait_for(re.escape(PROMPT), 120)
                for cmd in ('ledger bench append 1000 64', 'ledger bench append 1000 1024',
                            'ledger bench append 200 16384', 'ledger bench group 1 64',
                            'ledger bench group 8 64', 'ledger bench group 32 16',
                            'ledger bench files %d' % a.commits):
                    out.append(sh(m, cmd, 3600).strip())
                m.send('poweroff\r')
                m.wait_exit(60)
            with kqemu.Machine(a.kernel, 'bios', iso=iso, icount=True, extra=extra) as m:
                r = m.wait_for(r'clog: virtio0: replayed .*\n', 3600)
                out.append(r.group(0).strip())
                m.wait_for(re.escape(PROMPT), 600)
                out.append(sh(m, 'ledger verify', 3600).strip())
        except kqemu.KqemuError as e:
            print('bench_clog.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    print('-icount shift=0 (1 instruction = 1 ns of guest time):')
    for line in out:
        print(line)
    m = re.search(r'append/hash speed (\d+\.\d+)', out[1])
    if m:
        print('append throughput / BLAKE2b-256 throughput (1 KiB records): %s' % m.group(1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
