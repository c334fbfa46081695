#!/usr/bin/env python3
"""test_clog.py - the commit log (modules/clog) as a user meets it: what
the shell changes survives a reboot (files, modules, handlers and their
grants, subscriptions), QEMU killed at random points never loses an
acknowledged write nor keeps a change without the ones before it, a byte
flipped in the middle of the log is reported at boot, checkpoints diff,
replay and restore, tools/ledger.py reads the kernel's log bit for bit, and
images without a disk, or with a disk holding something else, run on.

Usage: test_clog.py CASE...      (test_clog.py --list for the names)
       CLOG_KILLS=N CLOG_SEED=S test_clog.py clog-crash   (longer campaigns:
       tools/clog_crash.py)

Every case boots the dev image ($KARYON_KERNEL's build: images/karyon-dev.iso,
clog a boot module after virtio_blk) with a disk image of its own.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

PROMPT = 'karyon:/> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
ISO = os.path.join(BUILD, 'images', 'karyon-dev.iso')
LEDGER = os.path.join(kqemu.ROOT, 'tools', 'ledger.py')
SECTORS = 32768         # 16 MiB


def disk_args(path, blkdebug=None):
    """The disk as a modern virtio-blk device (through QEMU's blkdebug
    driver with the rules in file blkdebug, if given)."""
    if blkdebug:
        path = 'blkdebug:%s:%s' % (blkdebug, path)
    return ['-drive', 'file=%s,if=none,id=d0,format=raw,cache=writeback' % path,
            '-device', 'virtio-blk-pci,drive=d0,disable-legacy=on']


def new_disk(d, name='disk.img'):
    path = os.path.join(d, name)
    with open(path, 'wb') as f:
        f.truncate(SECTORS * 512)
    return path


def boot(disk, wait=True):
    m = Machine(KERNEL, iso=ISO, extra=disk_args(disk) if disk else [])
    m.__enter__()
    if wait:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
    return m


def sh(m, line, timeout=120):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def poweroff(m):
    m.send('poweroff\r')
    m.wait_exit(30)
    m.close()


def ledger_host(disk, *args):
    r = subprocess.run([sys.executable, LEDGER, disk] + list(args), capture_output=True,
                       text=True)
    return r.returncode, r.stdout + r.stderr


# -- what survives a reboot ---------------------------------------------------

HANDLER = r'''#include <karyon.h>
KR_MANIFEST("version=1; grants=files.read");
int main(int argc, char **argv) { (void)argc; (void)argv; printf("persisted handler\n"); return 0; }
'''


def clog_persist():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(disk)
        try:
            check(m, re.search(r'^clog: virtio0: blank disk: a new commit log', m.log, re.M),
                  'a blank disk did not get a log')
            sh(m, 'mkdir -p /data/sub')
            sh(m, 'echo first > /data/a')
            sh(m, 'echo second >> /data/a')
            sh(m, 'echo gone > /data/b')
            sh(m, 'cp /data/a /data/sub/c')
            sh(m, 'mv /data/sub/c /data/d')
            sh(m, 'rm /data/b')
            sh(m, 'cp /usr/share/examples/handlers/hello.c /data/h.c')
            out = sh(m, 'cc /data/h.c -o greet -g vfs.read')
            check(m, 'error' not in out.lower(), 'cc failed: %r' % out)
            sh(m, 'rmmod hello_user')
            out = sh(m, 'syslog')
            check(m, re.search(r'shell\s+vfs\.write\s+/data/a\s+ok, commit \d+', out) and
                  re.search(r'shell\s+tcc\.cc\s+greet\s+ok, commit \d+', out) and
                  re.search(r'shell\s+kmod\.unload\s+hello_user\s+ok, commit \d+', out),
                  'syslog does not show the calls: %r' % out)
            out = sh(m, 'rm /nowhere/x')
            out = sh(m, 'syslog -n 1')
            check(m, 'refused' in out, 'a refused call is not audited as refused: %r' % out)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify: %r' % out)
            m.close()
            m = boot(disk)
            check(m, re.search(r'^clog: virtio0: replayed \d+ commits', m.log, re.M),
                  'no replay at boot')
            out = sh(m, 'cat /data/a')
            check(m, out == 'first\nsecond\n', '/data/a after reboot: %r' % out)
            out = sh(m, 'ls /data')
            check(m, out.split() == ['a', 'd', 'h.c', 'sub/'], 'ls /data after reboot: %r' % out)
            out = sh(m, 'cat /data/d')
            check(m, out == 'first\nsecond\n', '/data/d after reboot: %r' % out)
            out = sh(m, 'handlers')
            check(m, 'greet' in out and 'vfs.read' in out, 'handlers after reboot: %r' % out)
            out = sh(m, 'lsmod')
            check(m, 'hello_user' not in out and re.search(r'^hello\b', out, re.M),
                  'lsmod after reboot: %r' % out)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify after reboot: %r' % out)
            # a module loaded and a subscription made at run time come back too
            out = sh(m, 'insmod hello_user')
            sh(m, 'cc /usr/share/examples/events/filecount.c')
            sh(m, 'on vfs.write:/data filecount')
            m.close()
            m = boot(disk)
            out = sh(m, 'lsmod')
            check(m, re.search(r'^hello_user\s', out, re.M), 'insmod did not survive: %r' % out)
            out = sh(m, 'events')
            check(m, re.search(r'vfs\.write:/data\s+filecount', out),
                  'the subscription did not survive: %r' % out)
            start = len(m.log)
            sh(m, 'echo x > /data/x')
            m.wait_for(r'filecount: 1 writes, the last to /data/x', 30, start)
        finally:
            m.close()


# -- killed at random points ----------------------------------------------------


def clog_crash():
    """QEMU is killed (SIGKILL) at random points while the shell writes
    numbered files; after each reboot the files are exactly 1..k for a k at
    least the last acknowledged one, and the log verifies."""
    kills = int(os.environ.get('CLOG_KILLS', '50'))
    rng = random.Random(int(os.environ.get('CLOG_SEED', '2026')))
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        acked = 0               # the last write the shell acknowledged
        present = 0             # what the last reboot showed
        rounds = 0              # times /c was started again
        compactions = 0         # automatic ones seen
        m = boot(disk)
        try:
            sh(m, 'mkdir /c')
            for k in range(kills):
                # Write on, numbering from what survived; kill at a random
                # moment, sometimes during the boot itself.
                deadline = time.monotonic() + rng.uniform(0.05, 2.0)
                n = present
                while time.monotonic() < deadline:
                    n += 1
                    line = 'echo %d > /c/%d' % (n, n)
                    start = len(m.log)
                    m.send(line + '\r')
                    try:
                        r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT),
                                       max(0.01, deadline - time.monotonic()), start)
                    except kqemu.KqemuError:
                        break
                    # the only words allowed: an automatic compaction's
                    said = re.sub(r'(?m)^(?:clog: .*|checkpoint compact: .*)\n', '', r.group(1))
                    check(m, said == '', 'kill %d: %s: %r' % (k, line, r.group(1)))
                    compactions += 'checkpoint compact: the log now begins' in r.group(1)
                    acked = n
                m.close()
                if rng.random() < 0.2:          # a kill during the boot's replay
                    m = boot(disk, wait=False)
                    time.sleep(rng.uniform(0.2, 1.5))
                    m.close()
                m = boot(disk)
                check(m, not re.search(r'does not verify|not replayed|panic', m.log),
                      'kill %d: boot reported: %s' % (k, m.log[-2000:]))
                out = sh(m, 'ls /c')
                names = sorted(int(x) for x in out.split())
                check(m, names == list(range(1, len(names) + 1)),
                      'kill %d: /c is not a prefix: %r' % (k, names))
                check(m, len(names) >= acked,
                      'kill %d: acknowledged write %d lost (have %d)' % (k, acked, len(names)))
                present = acked = len(names)
                if present > 300:       # start /c again: the tree stays small
                    out = sh(m, 'rm -r /c') + sh(m, 'mkdir /c')
                    said = re.sub(r'(?m)^(?:clog: .*|checkpoint compact: .*)\n', '', out)
                    check(m, said == '', 'kill %d: starting /c again: %r' % (k, out))
                    compactions += 'checkpoint compact: the log now begins' in out
                    present = acked = 0
                    rounds += 1
                if k % 10 == 9 or k == kills - 1:
                    out = sh(m, 'ledger verify', 300)
                    check(m, 'the log verifies' in out, 'kill %d: ledger verify: %r' % (k, out))
            print('clog-crash: %d kills, /c started again %d times, %d automatic compactions '
                  'seen, %d files at the end' % (kills, rounds, compactions, present))
        finally:
            m.close()
        code, out = ledger_host(disk, '--verify')
        if code != 0:
            raise AssertionError('tools/ledger.py --verify after the campaign: %s' % out)


# -- a damaged log ------------------------------------------------------------


def clog_tamper():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(disk)
        try:
            for i in range(12):
                sh(m, 'echo line %d > /t%d' % (i, i))
            poweroff(m)
            code, out = ledger_host(disk, '--json')
            recs = json.loads(out)['records']
            mid = [r for r in recs if r['kind'] == 'vfs.write'][5]
            # a byte of its payload, past the 128-byte header (area 0
            # starts at sector 2, after the superblocks)
            off = 2 * 512 + mid['offset'] + 128 + 2
            with open(disk, 'r+b') as f:
                f.seek(off)
                b = f.read(1)
                f.seek(off)
                f.write(bytes([b[0] ^ 0x40]))
            code, out = ledger_host(disk, '--verify')
            if code != 1:
                raise AssertionError('ledger.py --verify on a flipped byte: exit %d: %s'
                                     % (code, out))
            m = boot(disk)
            check(m, re.search(r'clog: virtio0: record seq %d .*does not verify' % mid['seq'],
                               m.log), 'the flipped byte was not reported at boot')
            out = sh(m, 'ledger verify')
            check(m, re.search(r'the chain breaks at seq %d' % mid['seq'], out) and
                  'the log verifies' not in out, 'ledger verify on a damaged log: %r' % out)
            out = sh(m, 'echo more > /t3')
            out = sh(m, 'cat /t3')
            check(m, out == 'more\n', 'the system does not run on: %r' % out)
            out = sh(m, 'cat /t2')
            check(m, out == 'line 2\n', 'records before the damage were not replayed: %r' % out)
        finally:
            m.close()


# -- a device error -------------------------------------------------------------


def clog_ioerror():
    """The disk fails one flush (QEMU's blkdebug, the 12th flush since it
    started): the commit waiting for it is refused with a device error and
    changes nothing; the ones before and after it are kept, across a
    reboot too."""
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        conf = os.path.join(d, 'blkdebug.conf')
        n = 12
        with open(conf, 'w') as f:
            for i in range(1, n + 1):
                if i == n:
                    f.write('[inject-error]\nstate = "%d"\nevent = "flush_to_disk"\n'
                            'errno = "5"\nonce = "on"\n\n' % i)
                f.write('[set-state]\nstate = "%d"\nevent = "flush_to_disk"\n'
                        'new_state = "%d"\n\n' % (i, i + 1))
        m = Machine(KERNEL, iso=ISO, extra=disk_args(disk, conf))
        m.__enter__()
        try:
            m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
            failed = []
            for i in range(20):
                out = sh(m, 'echo %d > /f%d' % (i, i))
                if 'device error' in out:
                    failed.append(i)
            check(m, len(failed) == 1, 'expected one write to fail, not %r' % failed)
            bad = failed[0]
            want = sorted('f%d' % i for i in range(20) if i != bad)
            have = sorted(x for x in sh(m, 'ls /').split() if x.startswith('f'))
            check(m, have == want, 'after the failed flush: %r' % have)
            out = sh(m, 'syslog -n 20')
            check(m, re.search(r'vfs\.write\s+/f%d\s+refused: not made durable' % bad, out),
                  'the SysLog does not show the refusal: %r' % out)
            m.close()
            m = boot(disk)
            have = sorted(x for x in sh(m, 'ls /').split() if x.startswith('f'))
            check(m, have == want, 'after a reboot: %r' % have)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify: %r' % out)
        finally:
            m.close()


# -- checkpoints --------------------------------------------------------------


def clog_checkpoint():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(disk)
        try:
            sh(m, 'echo one > /k')
            out = sh(m, 'checkpoint create --label before')
            check(m, re.search(r'^checkpoint 1 "before" at seq \d+', out, re.M),
                  'checkpoint create: %r' % out)
            sh(m, 'echo two > /k')
            sh(m, 'echo new > /n')
            sh(m, 'cc /usr/share/examples/handlers/hello.c -o later')
            sh(m, 'checkpoint create --label after')
            out = sh(m, 'checkpoint diff before after')
            check(m, re.search(r'^vfs\s+~ /k$', out, re.M) and
                  re.search(r'^vfs\s+\+ /n$', out, re.M) and
                  re.search(r'^tcc\s+\+ later$', out, re.M),
                  'checkpoint diff: %r' % out)
            out = sh(m, 'checkpoint replay before')
            check(m, '/ckpt/1' in out, 'checkpoint replay: %r' % out)
            out = sh(m, 'cat /ckpt/1/k')
            check(m, out == 'one\n', 'the replayed view: %r' % out)
            out = sh(m, 'echo x > /ckpt/1/k')
            out2 = sh(m, 'cat /ckpt/1/k')
            check(m, out2 == 'one\n', 'a view was written: %r %r' % (out, out2))
            out = sh(m, 'cat /k')
            check(m, out == 'two\n', 'the live state moved: %r' % out)
            sh(m, 'checkpoint close 1')
            out = sh(m, 'checkpoint restore before')
            check(m, re.search(r'^restored checkpoint 1 "before"', out, re.M),
                  'checkpoint restore: %r' % out)
            out = sh(m, 'cat /k')
            check(m, out == 'one\n', '/k after restore: %r' % out)
            out = sh(m, 'ls /n')
            check(m, re.search(r'^ls: /n: no such entry', out, re.M),
                  '/n after restore: %r' % out)
            out = sh(m, 'checkpoint diff before live')
            check(m, re.search(r'^checkpoint diff before live: 0 differences', out, re.M),
                  'restored state differs from the checkpoint: %r' % out)
            m.close()
            m = boot(disk)
            out = sh(m, 'cat /k')
            check(m, out == 'one\n', '/k after restore and reboot: %r' % out)
            out = sh(m, 'checkpoint list')
            check(m, 'before' in out and 'after' in out, 'checkpoint list: %r' % out)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify: %r' % out)
        finally:
            m.close()


# -- compaction ---------------------------------------------------------------


def clog_compact():
    """The state becomes the log's new beginning: fewer records, the same
    files, handler (compiled from the source it was compiled from, since
    changed) and module set after a reboot, and the chain verifies across
    the cut in the kernel and on the host."""
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(disk)
        try:
            sh(m, 'mkdir /data')
            sh(m, 'cp /usr/share/examples/handlers/hello.c /data/h.c')
            out = sh(m, 'cc /data/h.c -o greet')
            sh(m, 'echo "int x;" > /data/h.c')
            for i in range(30):
                sh(m, 'echo %d > /data/n' % i)
            sh(m, 'rm /etc/rc')
            sh(m, 'rmmod hello_user')
            before = sh(m, 'ledger status')
            head = int(re.search(r'records seq \d+\.\.(\d+)', before).group(1))
            out = sh(m, 'checkpoint compact --label base')
            check(m, re.search(r'the log now begins at seq %d \(epoch 2\)' % (head + 1), out),
                  'checkpoint compact: %r' % out)
            out = sh(m, 'ledger inspect')
            check(m, len(re.findall(r'^\s+\d+\s+vfs\.write\s+\d+\s+\S+\s+/data/n\s*$', out,
                                    re.M)) == 1, 'the 30 writes of /data/n were not folded: %r' % out)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify after compaction: %r' % out)
            sh(m, 'echo after > /data/after')
            m.close()
            code, out = ledger_host(disk, '--verify')
            if code != 0 or 'epoch 2' not in out:
                raise AssertionError('ledger.py after compaction: %s' % out)
            m = boot(disk)
            check(m, re.search(r'^clog: virtio0: replayed \d+ commits \(seq %d\.\.' % (head + 1),
                               m.log, re.M), 'no replay from the new beginning')
            out = sh(m, 'cat /data/n')
            check(m, out == '29\n', '/data/n: %r' % out)
            out = sh(m, 'cat /data/after')
            check(m, out == 'after\n', '/data/after: %r' % out)
            out = sh(m, 'ls /etc')
            check(m, 'rc' not in out.split(), '/etc/rc came back: %r' % out)
            out = sh(m, 'run greet')
            check(m, 'hello' in out.lower(), 'the handler compiled before the source changed: %r'
                  % out)
            out = sh(m, 'lsmod')
            check(m, 'hello_user' not in out, 'hello_user came back: %r' % out)
            out = sh(m, 'ledger verify')
            check(m, 'the log verifies' in out, 'ledger verify after reboot: %r' % out)
        finally:
            m.close()


# -- the host tool ------------------------------------------------------------


def clog_ledger_host():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = boot(disk)
        try:
            for i in range(5):
                sh(m, 'echo %d > /h%d' % (i, i))
            out = sh(m, 'ledger inspect --json')
            kernel = [json.loads(x) for x in out.splitlines() if x.startswith('{')]
            poweroff(m)
        finally:
            m.close()
        code, out = ledger_host(disk, '--json')
        host = json.loads(out)['records'] if code == 0 else []
        if code != 0 or [(r['seq'], r['kind'], r['hash']) for r in host] != \
                [(r['seq'], r['kind'], r['hash']) for r in kernel]:
            raise AssertionError('tools/ledger.py and the kernel disagree:\nhost %r\nkernel %r'
                                 % (host, kernel))


# -- no disk, a foreign disk -------------------------------------------------


def clog_nodisk():
    m = boot(None)
    try:
        check(m, re.search(r'^clog: no block device: no commit log', m.log, re.M),
              'no word that there is no log')
        sh(m, 'echo still > /works')
        out = sh(m, 'cat /works')
        check(m, out == 'still\n', 'files without a log: %r' % out)
        out = sh(m, 'ledger status')
        check(m, 'command not found' in out, 'ledger without the clog module: %r' % out)
    finally:
        m.close()


def clog_foreign():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        with open(disk, 'r+b') as f:
            f.write(b'not a log, somebody else\'s data' * 40)
        m = boot(disk)
        try:
            check(m, re.search(r'holds something that is not a commit log: left alone', m.log),
                  'a foreign disk was not refused')
            sh(m, 'echo x > /y')
            out = sh(m, 'ledger status')
            check(m, 'holds no log' in out, 'ledger status on a foreign disk: %r' % out)
            poweroff(m)
        finally:
            m.close()
        theirs = b'not a log, somebody else\'s data' * 40
        with open(disk, 'rb') as f:
            data = f.read(4096)
        if data != theirs + bytes(4096 - len(theirs)):
            raise AssertionError('the foreign disk was written')


CASES = {
    'clog-persist': clog_persist,
    'clog-crash': clog_crash,
    'clog-tamper': clog_tamper,
    'clog-ioerror': clog_ioerror,
    'clog-checkpoint': clog_checkpoint,
    'clog-compact': clog_compact,
    'clog-ledger-host': clog_ledger_host,
    'clog-nodisk': clog_nodisk,
    'clog-foreign': clog_foreign,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
