#!/usr/bin/env python3
"""test_blk.py - PCI and the virtio disk (modules/pci, modules/virtio_blk)
as a user meets them: lspci finds QEMU's devices and the disk, a pattern
written to 1,000 sectors with requests in flight and flushed is there
after a reboot, requests outside the disk or with bad buffers are
refused, the driver unloads and loads again without leaking, and an
image without a disk says "no device" and runs on.

Usage: test_blk.py CASE...      (test_blk.py --list for the names)

The kernel comes from $KARYON_KERNEL (the default profile: pci built in,
virtio_blk a boot module); each case boots it with a disk image of its
own (a sparse 16 MiB file) attached as a modern virtio-blk PCI device.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

PROMPT = 'karyon:/> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
SECTORS = 32768


def disk_args(path, legacy=False):
    return ['-drive', 'file=%s,if=none,id=d0,format=raw' % path,
            '-device', 'virtio-blk-pci,drive=d0' + ('' if legacy else ',disable-legacy=on')]


def new_disk(d, name='disk.img'):
    path = os.path.join(d, name)
    with open(path, 'wb') as f:
        f.truncate(SECTORS * 512)
    return path


def initrd(d):
    """/lib/modules/virtio_blk.kmod (to load again) and a 2-sector file."""
    path = os.path.join(d, 'initrd.cpio')
    two = os.path.join(d, 'two')
    with open(two, 'wb') as f:
        f.write(b'k' * 1000)
    subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), path,
                    '--file', '/lib/modules/virtio_blk.kmod=' +
                    os.path.join(BUILD, 'modules', 'virtio_blk.kmod'),
                    '--file', '/two=' + two], check=True)
    return path


def boot(d, disk, modules=('virtio_blk',), legacy=False, machine=None, firmware='bios'):
    mods = [os.path.join(BUILD, 'modules', m + '.kmod') + '=' + m for m in modules
            if m != 'blktest'] + [os.path.join(BUILD, 'tests', 'blktest.kmod') + '=blktest'
                                  for m in modules if m == 'blktest']
    m = Machine(KERNEL, firmware, modules=mods, iso_args=['--initrd', initrd(d)],
                extra=(['-machine', machine] if machine else []) +
                (disk_args(disk, legacy) if disk else []))
    m.__enter__()
    m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT[firmware])
    return m


def sh(m, line, timeout=120):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def blk_enumerate():
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, new_disk(d))
        try:
            out = sh(m, 'lspci -v')
            for want in (r'^00:00\.0 8086:1237 class 0600 \(host bridge\)$',
                         r'^00:01\.0 8086:7000 class 0601 \(ISA bridge\)$',
                         r'^00:0[0-9a-f]\.0 1af4:1042 class 0100 \(SCSI storage\), claimed by '
                         r'virtio_blk$',
                         r'^        BAR 4: memory \(64-bit\) at 0x[0-9a-f]+, 16384 bytes',
                         r'^        interrupt: INTA, IRQ \d+$'):
                check(m, re.search(want, out, re.M), 'lspci -v lacks %r: %r' % (want, out))
            check(m, re.search(r'^virtio_blk: 00:0[0-9a-f]\.0: 32768 sectors \(16 MiB\), queue '
                               r'\d+, 16 in flight', m.log, re.M), 'the driver did not say hello')
            check(m, re.search(r'^pci: no ECAM \(no MCFG table\): configuration ports 0xcf8$',
                               m.log, re.M), 'i440fx has no MCFG: the ports should serve')
            out = sh(m, 'blk info')
            check(m, re.search(r'^virtio0: virtio-blk 1af4:1042, 32768 sectors of 512 bytes',
                               out, re.M), 'blk info: %r' % out)
        finally:
            m.close()


def blk_persist():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(d, disk)
        try:
            out = sh(m, 'blk pattern write 7 1000 16')
            check(m, 'blk: pattern: wrote 1000 sectors (seed 7, 16 in flight)' in out,
                  'pattern write: %r' % out)
            check(m, sh(m, 'blk flush') == '', 'blk flush said something')
            out = sh(m, 'blk info')
            sent = re.search(r'requests: (\d+) sent, (\d+) done, 0 errors, (\d+) interrupts', out)
            check(m, sent and int(sent.group(1)) == int(sent.group(2)) >= 1001 and
                  int(sent.group(3)) > 0, 'blk info after the writes: %r' % out)
        finally:
            m.close()
        m = boot(d, disk)               # a new boot: a reboot, with the same disk
        try:
            out = sh(m, 'blk pattern check 7 1000 16')
            check(m, 'blk: pattern: 1000 sectors read, all as written' in out,
                  'after the reboot the pattern is not there: %r' % out)
            out = sh(m, 'blk pattern check 8 1000 4')
            check(m, re.search(r'1000 sectors read, \d+ differ', out),
                  'a pattern never written matched: %r' % out)
        finally:
            m.close()


def blk_refuse():
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, new_disk(d), modules=('virtio_blk', 'blktest'))
        try:
            log = m.log
            for what, err in (('NULL buffer', 'invalid argument'),
                              ('no sectors', 'invalid argument'),
                              ('too many sectors', 'invalid argument'),
                              ('read past the end', 'value out of range'),
                              ('write across the end', 'value out of range'),
                              ('wrapping sector', 'value out of range'),
                              ('unknown operation', 'invalid argument'),
                              ('wrong version', 'invalid argument'),
                              ('flush with sectors', 'invalid argument'),
                              ('good read of the last sector', 'success')):
                check(m, 'blktest: %s: %s' % (what, err) in log,
                      'blktest: %s should be %s' % (what, err))
            out = sh(m, 'blk read %d' % SECTORS)
            check(m, 'blk: read 32768+1: value out of range (past the end of the disk)' in out,
                  'read past the end: %r' % out)
            out = sh(m, 'blk write %d /two' % (SECTORS - 1))
            check(m, re.search(r'^blk: /two: 2 sectors from 32767 do not fit the disk', out, re.M),
                  'write across the end: %r' % out)
            out = sh(m, 'blk read 0 9')
            check(m, out.startswith('usage: blk'), 'a 9-sector hexdump: %r' % out)
            out = sh(m, 'blk info')
            check(m, re.search(r', 0 errors,', out), 'the refusals reached the device: %r' % out)
        finally:
            m.close()


def blk_reload():
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, new_disk(d))
        try:
            sh(m, 'blk pattern write 3 100 8')
            # Once, so what stays after a first unload (the module heap's
            # pages) is there before we count.
            sh(m, 'rmmod virtio_blk')
            sh(m, 'insmod /lib/modules/virtio_blk.kmod')
            before = sh(m, 'mem')
            for _ in range(3):
                out = sh(m, 'rmmod virtio_blk')
                check(m, 'kmod: unloaded virtio_blk' in out or 'unloaded' in m.log,
                      'rmmod: %r' % out)
                out = sh(m, 'lspci')
                check(m, re.search(r'1af4:1042 class 0100 \(SCSI storage\)$', out, re.M),
                      'the claim did not end with the driver: %r' % out)
                sh(m, 'insmod /lib/modules/virtio_blk.kmod')
            after = sh(m, 'mem')
            free = [int(x) for x in re.findall(r'pages: (\d+) free', before + after)]
            check(m, len(free) == 2 and free[0] == free[1],
                  'unload and load leaked memory: %r then %r' % (before, after))
            out = sh(m, 'blk pattern check 3 100 8')
            check(m, 'all as written' in out, 'after reloads: %r' % out)
        finally:
            m.close()


def blk_nodisk():
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, None)
        try:
            check(m, re.search(r'^virtio_blk: no device \(no virtio disk on the PCI bus\)$', m.log,
                               re.M), 'no "no device" message')
            check(m, sh(m, 'echo still here') == 'still here\n', 'the image did not run on')
            out = sh(m, 'blk info')
            check(m, 'command not found' in out, 'blk without a disk: %r' % out)
        finally:
            m.close()


def blk_transitional():
    """QEMU's default virtio-blk-pci (transitional, 1af4:1001) has the modern
    interface too: the driver uses it."""
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, new_disk(d), legacy=True)
        try:
            out = sh(m, 'blk info')
            check(m, 'virtio-blk 1af4:1001, 32768 sectors' in out, 'blk info: %r' % out)
            out = sh(m, 'blk pattern write 5 200 16')
            out = sh(m, 'blk pattern check 5 200 16')
            check(m, 'all as written' in out, 'transitional device: %r' % out)
        finally:
            m.close()


def blk_ecam(firmware='bios'):
    """q35: ACPI's MCFG names an ECAM window, and configuration space goes
    through it; under UEFI the RSDP comes from the boot loader."""
    with tempfile.TemporaryDirectory() as d:
        m = boot(d, new_disk(d), machine='q35', firmware=firmware)
        try:
            check(m, re.search(r'^pci: ECAM at 0x[0-9a-f]+ for buses 0-\d+ \(ACPI MCFG\)$', m.log,
                               re.M), 'no ECAM on q35')
            check(m, re.search(r'^pci: \d+ functions found \(ECAM\)$', m.log, re.M),
                  'enumeration did not use ECAM')
            out = sh(m, 'lspci')
            check(m, re.search(r'^00:00\.0 8086:29c0 class 0600 \(host bridge\)$', out, re.M) and
                  re.search(r'1af4:1042 class 0100 \(SCSI storage\), claimed by virtio_blk$', out,
                            re.M), 'lspci on q35: %r' % out)
            sh(m, 'blk pattern write 9 300')
            out = sh(m, 'blk pattern check 9 300')
            check(m, 'all as written' in out, 'the disk through ECAM: %r' % out)
        finally:
            m.close()


CASES = {
    'blk-enumerate': blk_enumerate,
    'blk-persist': blk_persist,
    'blk-refuse': blk_refuse,
    'blk-reload': blk_reload,
    'blk-nodisk': blk_nodisk,
    'blk-transitional': blk_transitional,
    'blk-ecam': blk_ecam,
    'blk-ecam-uefi': lambda: blk_ecam('uefi'),
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
