#!/usr/bin/env python3
"""bench_blk.py - the virtio disk's speed and cost, in guest time and
guest instructions.

Usage: bench_blk.py [--kernel build/core/karyon-dev.elf] [--requests 256]

Boots the dev image under QEMU's -icount shift=0 (the TSC counts guest
instructions, the guest clock runs at one instruction a nanosecond, and
idle time passes as the device takes it) with a fresh 64 MiB disk as a
modern virtio-blk PCI device, and runs `blk bench N`: N 4 KiB requests
each of sequential and random reads and writes, 1 and 16 in flight.  For
each it prints requests per second of guest time, the TSC a request in
all (idle included), and the driver's own instructions a request: in
submit (the notify write alone beside it) and in the interrupt handler.
Last, a flush's round trip one at a time: notify, the device, the
interrupt, the wake-up of the waiting task.

A benchmark, not a test: it never fails on a figure; it exits 1 only if
the boot does not print them.  Figures go to docs/benchmarks.md.
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


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the dev ISO')
    ap.add_argument('--requests', type=int, default=256,
                    help='requests of each kind (1..100000)')
    a = ap.parse_args()
    iso = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.kernel))), 'images',
                       'karyon-dev.iso')
    if not os.path.exists(iso) or not 1 <= a.requests <= 100000:
        print('bench_blk.py: need the dev ISO beside --kernel (%s) and --requests 1..100000'
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
                start = len(m.log)
                m.send('blk bench %d\r' % a.requests)
                m.wait_for(r'flush round trip .*\n' + re.escape(PROMPT), 1200, start)
                lines = re.findall(r'^blk bench: .*$', m.log[start:], re.M)
        except kqemu.KqemuError as e:
            print('bench_blk.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    print('-icount shift=0, %d requests of 4 KiB each:' % a.requests)
    for line in lines:
        print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
