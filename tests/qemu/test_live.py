#!/usr/bin/env python3
"""test_live.py - live replacement (issue 19, <karyon/live.h>, kmod's
live.c, `update MODULE FILE --live`) as a user meets it: a module replaced
while another module keeps calling it through the table it was given at
init, its state handed over; refusals that change nothing (a different
state version, an import that fails, a module that cannot); a new version
that faults on its third call rolled back by itself, the call made again on
the old version, no add lost; `update rollback` and `update confirm` in
probation; and the vfs replaced live while a script writes files.

Usage: test_live.py CASE...      (test_live.py --list for the names)

The modules are tests/kernel/livetest.c's: livetest 1.0.0 (a counter
service), its variants, and liveuser (`liveuse add N|get`), put in the
dev image's initrd under /t/.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from test_boot import KERNEL, check, main  # noqa: E402
from test_clog import new_disk, poweroff  # noqa: E402
from test_update import BUILD, boot, sh  # noqa: E402

LIVE = ('livetest', 'livetest_v2', 'livetest_fault', 'livetest_importfail',
        'livetest_importfault', 'livetest_state2', 'liveuser')


def next_version(d, name):
    """build/modules/NAME.kmod with the patch number of its version one up
    (its descriptor's version field; nothing relocates it): a new version
    of the same code, in d.  Returns (path, version string)."""
    with open(os.path.join(BUILD, 'modules', name + '.kmod'), 'rb') as f:
        data = bytearray(f.read())
    want = name.encode() + b'\0'
    at = next(i for i in range(0, len(data) - 32, 8)
              if data[i:i + 4] == b'KMOD' and data[i + 16:i + 16 + len(want)] == want)
    v = int.from_bytes(data[at + 8:at + 12], 'little') + 1
    data[at + 8:at + 12] = v.to_bytes(4, 'little')
    path = os.path.join(d, name + '_next.kmod')
    with open(path, 'wb') as f:
        f.write(data)
    return path, '%d.%d.%d' % (v >> 16, (v >> 8) & 0xff, v & 0xff)


def make_iso(d, extra=()):
    """The dev image with the live test modules in /t/, and extra files."""
    initrd = os.path.join(d, 'initrd.cpio')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
            '--from', os.path.join(BUILD, 'images', 'initrd-dev.cpio')]
    for n in LIVE:      # the first version where the update module looks for it
        where = '/lib/modules' if n in ('livetest', 'liveuser') else '/t'
        args += ['--file', '%s/%s.kmod=%s' % (where, n, os.path.join(BUILD, 'tests', n + '.kmod'))]
    for path, src in extra:
        args += ['--file', '%s=%s' % (path, src)]
    subprocess.run(args, check=True)
    iso = os.path.join(d, 'live.iso')
    r = subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkiso.py'),
                        '--kernel', KERNEL, '--out', iso,
                        '--profile', os.path.join(kqemu.ROOT, 'images', 'dev.conf'),
                        '--module-dir', os.path.join(BUILD, 'modules'),
                        '--manifest', os.path.join(BUILD, 'modules', 'MANIFEST'),
                        '--enforcement', 'permissive', '--initrd', initrd,
                        '--channels', os.path.join(BUILD, 'images', 'channels-dev.blob')],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError('mkiso.py failed: %s%s' % (r.stdout, r.stderr))
    return iso


def has(out, line):
    """Is line one of out's lines?  (Kernel log lines may come between.)"""
    return line in out.splitlines()


def version(m, name):
    r = re.search(r'^%s\s+(\d+\.\d+\.\d+)' % name, sh(m, 'lsmod'), re.M)
    return r and r.group(1)


def start_pair(m):
    for n in ('livetest', 'liveuser'):
        out = sh(m, 'insmod /lib/modules/%s.kmod' % n)
        check(m, 'error' not in out.lower(), 'insmod %s: %r' % (n, out))
    for n in (5, 7):
        sh(m, 'liveuse add %d' % n)
    out = sh(m, 'liveuse get')
    check(m, has(out, 'total 12 in 2 adds (version 1)'), 'livetest 1 before: %r' % out)


def mem_line(m):
    return re.search(r'pages (\d+) used.*heap (\d+) blocks', sh(m, 'mem'))


def live_cycle():
    with tempfile.TemporaryDirectory() as d:
        m = boot(make_iso(d, [('/t/hello2.kmod', os.path.join(BUILD, 'tests', 'hello_v2.kmod'))]),
                 new_disk(d))
        try:
            start_pair(m)
            # refusals first: nothing changes, the old version answers
            for f, want in (
                    ('livetest_state2', r'^update: livetest: not replaced: state version 2 of '
                                        r'the new livetest is not 1, the running one\'s; '
                                        r'nothing changed$'),
                    ('livetest_importfail', r'^update: livetest: not replaced: livetest: the new '
                                            r'version\'s import failed: .*; the old one runs on$'),
                    ('livetest_importfault', r'^update: livetest: not replaced: livetest: the new '
                                             r'version\'s import faulted \(#PF page fault at '
                                             r'livetest\+0x[0-9a-f]+\); the old one runs on$')):
                out = sh(m, 'update livetest /t/%s.kmod --live' % f)
                check(m, re.search(want, out, re.M) and
                      re.search(r'^update: livetest: strand A preferred again$', out, re.M),
                      '%s: %r' % (f, out))
                out = sh(m, 'liveuse get')
                check(m, has(out, 'total 12 in 2 adds (version 1)'), 'after %s: %r' % (f, out))
                check(m, version(m, 'livetest') == '1.0.0', 'livetest changed after %s' % f)
            out = sh(m, 'update hello /t/livetest_v2.kmod --live')
            check(m, 'holds module livetest, not hello' in out, 'wrong module: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod --live')
            check(m, re.search(r'^update: hello: not replaced: hello_user is linked against '
                               r'hello\'s exports \(their code holds its addresses\): unload them '
                               r'first$', out, re.M), 'a module others link against: %r' % out)
            out = sh(m, 'update livetest /t/livetest_v2.kmod --live --probation 4')
            check(m, re.search(r'^update: livetest: running 2\.0\.0 \(strand B\), replaced live: 2 '
                               r'services and \d+ bytes of state handed over, callers paused \d+ '
                               r'TSC ticks; on probation$', out, re.M),
                  'update --live: %r' % out)
            # liveuser kept its table pointer: its calls reach version 2, state kept
            out = sh(m, 'liveuse get')
            check(m, has(out, 'total 12 in 2 adds (version 2)'), 'after the swap: %r' % out)
            out = sh(m, 'update status livetest')
            check(m, 'on probation' in out, 'not on probation: %r' % out)
            out = sh(m, 'liveuse add 1')         # calls 3 and 4: the window ends
            check(m, has(out, 'total 13 (version 2)'), 'add in probation: %r' % out)
            out = sh(m, 'update status livetest')
            check(m, 'on probation' not in out and re.search(r'^\* B .*running$', out, re.M),
                  'not confirmed after the window: %r' % out)
            out = sh(m, 'lsmod')
            check(m, len(re.findall(r'^livetest\s', out, re.M)) == 1 and
                  re.search(r'^livetest\s+2\.0\.0', out, re.M), 'lsmod after: %r' % out)
            out = sh(m, 'dmesg')
            check(m, 'live: livetest confirmed after 4 guarded calls' in out,
                  'no confirmation in the log: %r' % out[-2000:])
            # and once more, with no probation, back to the first image
            out = sh(m, 'update livetest /lib/modules/livetest.kmod --live --probation 1')
            check(m, 'replaced live' in out, 'second replacement: %r' % out)
            out = sh(m, 'liveuse get')
            check(m, has(out, 'total 13 in 3 adds (version 1)'), 'second swap: %r' % out)
            out = sh(m, 'rmmod livetest')
            check(m, 'still in use' in out, 'rmmod of a used module: %r' % out)
            poweroff(m)
        finally:
            m.close()


def live_fault():
    # Version 2.0.1 faults in its third add: rolled back by itself.
    with tempfile.TemporaryDirectory() as d:
        m = boot(make_iso(d), new_disk(d))
        try:
            start_pair(m)
            out = sh(m, 'update livetest /t/livetest_fault.kmod --live --probation 20')
            check(m, 'replaced live' in out and 'on probation' in out, 'update: %r' % out)
            for total in (13, 14):
                out = sh(m, 'liveuse add 1')
                check(m, has(out, 'total %d (version 2)' % total), 'add in probation: %r' % out)
            out = sh(m, 'liveuse add 1')         # the third add faults in 2.0.1
            check(m, has(out, 'total 15 (version 1)'), 'the faulting add: %r' % out)
            out = sh(m, 'dmesg')
            check(m, re.search(r'live: livetest rolled back: #PF page fault at livetest\+0x[0-9a-f]+ '
                               r'in call \d+ of 20 to livetest; the old version runs on with the '
                               r'state the new one had', out), 'no rollback report: %r' % out[-2000:])
            out = sh(m, 'liveuse get')
            check(m, has(out, 'total 15 in 5 adds (version 1)'), 'after the rollback: %r' % out)
            check(m, version(m, 'livetest') == '1.0.0', 'livetest 1.0.0 not running')
            out = sh(m, 'update status livetest')
            check(m, re.search(r'^\* A .*running$', out, re.M) and
                  re.search(r'^  B  failed', out, re.M), 'strands after the rollback: %r' % out)
            # by hand: rollback and confirm in probation
            out = sh(m, 'update livetest /t/livetest_v2.kmod --live --probation 50')
            check(m, 'on probation' in out, 'update v2: %r' % out)
            out = sh(m, 'update rollback livetest')
            check(m, 'rolled back live' in out, 'update rollback: %r' % out)
            out = sh(m, 'liveuse get')
            check(m, has(out, 'total 15 in 5 adds (version 1)'), 'after rollback: %r' % out)
            out = sh(m, 'update livetest /t/livetest_v2.kmod --live --probation 50')
            check(m, 'on probation' in out, 'update v2 again: %r' % out)
            out = sh(m, 'update confirm livetest')
            check(m, 'confirmed' in out, 'update confirm: %r' % out)
            out = sh(m, 'liveuse add 2')
            check(m, has(out, 'total 17 (version 2)'), 'after confirm: %r' % out)
            out = sh(m, 'update confirm livetest')
            check(m, 'no live replacement of it is in probation' in out, 'confirm twice: %r' % out)
            poweroff(m)
        finally:
            m.close()


def live_vfs():
    # The vfs, built in, replaced live by a loaded version while a task
    # writes files through the table it kept: none lost, none failed.
    with tempfile.TemporaryDirectory() as d:
        nxt, v = next_version(d, 'vfs')
        script = os.path.join(d, 'swap.sh')
        with open(script, 'w') as f:
            f.write('mkdir /s\n')
            f.write(''.join('echo line %d > /s/s%d\n' % (i, i) for i in range(20)))
            f.write('update vfs /t/vfs_next.kmod --live --probation 40\n')
            f.write(''.join('echo line %d > /s/s%d\n' % (i, i) for i in range(20, 40)))
        m = boot(make_iso(d, [('/t/vfs_next.kmod', nxt), ('/t/swap.sh', script),
                              ('/lib/modules/vfs.kmod', os.path.join(BUILD, 'modules', 'vfs.kmod'))]),
                 new_disk(d))
        try:
            start_pair(m)
            sh(m, 'mkdir /keep')
            sh(m, 'echo kept > /keep/a.txt')
            before = sh(m, 'ls /lib/modules')
            out = sh(m, 'liveuse write 300 /w')
            check(m, 'cannot' not in out, 'writer: %r' % out)
            # a script writes, replaces the vfs, writes on; the task writes throughout
            out = sh(m, 'sh /t/swap.sh', 300)
            check(m, re.search(r'^update: vfs: running %s \(strand B\), replaced live: 3 services '
                               r'and \d+ bytes of state handed over' % re.escape(v), out, re.M),
                  'update vfs --live from a script: %r' % out)
            check(m, 'error' not in out.lower() and 'failed' not in out, 'the script: %r' % out)
            out = sh(m, 'ls /s')
            check(m, set(out.split()) == set('s%d' % i for i in range(40)),
                  'the script\'s files: %r' % out)
            check(m, has(sh(m, 'cat /s/s39'), 'line 39'), 'the last file of the script')
            for _ in range(120):        # the writer runs when the shell waits
                time.sleep(1)
                out = sh(m, 'liveuse writes')
                if 'done' in out:
                    break
            check(m, has(out, 'writes: 300 ok, 0 failed (success), done'),
                  'the writer under the swap: %r' % out)
            out = sh(m, 'ls /w')
            names = set(out.split())
            check(m, names == set('f%d' % i for i in range(300)), 'files in /w: %r' % out[:300])
            check(m, has(sh(m, 'cat /w/f299'), 'file 299') and has(sh(m, 'cat /w/f0'), 'file 0'),
                  'file contents after the swap')
            check(m, has(sh(m, 'cat /keep/a.txt'), 'kept'), 'a file from before the swap')
            check(m, sh(m, 'ls /lib/modules') == before, 'the initrd files changed')
            out = sh(m, 'lsmod')
            check(m, re.search(r'^vfs\s+%s\s.*live' % re.escape(v), out, re.M) and
                  re.search(r'^vfs\s+1\.1\.0\s.*stopped', out, re.M), 'lsmod after: %r' % out)
            out = sh(m, 'update status vfs')
            check(m, 'on probation' not in out and re.search(r'^\* B .*running$', out, re.M),
                  'vfs not confirmed after its probation: %r' % out)
            out = sh(m, 'syslog')
            check(m, re.search(r'vfs\.write\s+/w/f299\s+ok, commit', out),
                  'the writes after the swap are not commits: %r' % out[-1500:])
            poweroff(m)
        finally:
            m.close()


def live_vfs_reboot():
    # The vfs replaced live, rolled back live, replaced again; after a
    # reboot the boot task replaces the built-in with the preferred strand
    # live, and the files written before are all there.
    with tempfile.TemporaryDirectory() as d:
        nxt, v = next_version(d, 'vfs')
        iso = make_iso(d, [('/t/vfs_next.kmod', nxt),
                           ('/lib/modules/vfs.kmod', os.path.join(BUILD, 'modules', 'vfs.kmod'))])
        disk = new_disk(d)
        m = boot(iso, disk)
        try:
            out = sh(m, 'update vfs /t/vfs_next.kmod')
            check(m, out == 'update: vfs is built into the kernel: replace it live (update vfs '
                  '/t/vfs_next.kmod --live)\n', 'a plain update of the vfs: %r' % out)
            check(m, 'no module has strands' in sh(m, 'update status'), 'that wrote a strand')
            sh(m, 'mkdir /keep')
            sh(m, 'echo one > /keep/1.txt')
            out = sh(m, 'update vfs /t/vfs_next.kmod --live --probation 2')
            check(m, 'replaced live' in out, 'update vfs: %r' % out)
            sh(m, 'echo two > /keep/2.txt')
            out = sh(m, 'update rollback vfs')
            check(m, re.search(r'^update: vfs: strand A \(1\.1\.0\) preferred again$', out, re.M) and
                  re.search(r'^update: vfs: running 1\.1\.0 \(strand A\)$', out, re.M),
                  'update rollback vfs: %r' % out)
            check(m, re.search(r'^vfs\s+1\.1\.0\s.*live', sh(m, 'lsmod'), re.M),
                  'vfs 1.1.0 (strand A) not running')
            sh(m, 'echo three > /keep/3.txt')
            out = sh(m, 'update vfs /t/vfs_next.kmod --live --probation 1')
            check(m, 'replaced live' in out, 'update vfs again: %r' % out)
            sh(m, 'echo four > /keep/4.txt')
            check(m, 'on probation' not in sh(m, 'update status vfs'), 'not confirmed')
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: vfs: running %s \(strand B\)\n' % re.escape(v), 60)
            out = sh(m, 'lsmod')
            check(m, re.search(r'^vfs\s+%s\s.*live' % re.escape(v), out, re.M),
                  'vfs %s not running after the reboot: %r' % (v, out))
            for n, word in ((1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')):
                check(m, has(sh(m, 'cat /keep/%d.txt' % n), word), '/keep/%d.txt lost' % n)
            poweroff(m)
        finally:
            m.close()


def live_shell():
    # The shell replaced live from its own prompt: its working directory,
    # history and the commands modules added kept, one shell task after.
    with tempfile.TemporaryDirectory() as d:
        nxt, v = next_version(d, 'shell')
        m = boot(make_iso(d, [('/t/shell_next.kmod', nxt),
                              ('/lib/modules/shell.kmod',
                               os.path.join(BUILD, 'modules', 'shell.kmod'))]), new_disk(d))
        try:
            start_pair(m)
            sh(m, 'mkdir /d')
            m.send('cd /d\r')
            m.wait_for(re.escape('karyon:/d> '), 30)
            start = len(m.log)
            m.send('update shell /t/shell_next.kmod --live --probation 3\r')
            r = m.wait_for(r'update: shell: running %s \(strand B\), replaced live: (\d) services'
                           r'.*\n(?:.*\n)*?karyon:/d> ' % re.escape(v), 60, start)
            check(m, r.group(1) == '2', 'services handed over: %r' % r.group(0))
            check(m, m.log[start:].count('karyon:/d> ') == 1, 'one prompt after the swap: %r'
                  % m.log[start:])
            m.send('pwd\r')
            m.wait_for(r'pwd\n/d\n' + re.escape('karyon:/d> '), 30)
            m.send('cd /\r')
            m.wait_for(re.escape('karyon:/> '), 30)
            out = sh(m, 'history')
            check(m, re.search(r'liveuse get\n(?:.*\n)*.*mkdir /d\n(?:.*\n)*.*cd /d\n', out),
                  'history after the swap: %r' % out)
            check(m, has(sh(m, 'liveuse get'), 'total 12 in 2 adds (version 1)'),
                  'a command liveuser added, after the swap')
            out = sh(m, 'update confirm shell')
            check(m, 'confirmed' in out, 'update confirm shell: %r' % out)
            out = sh(m, 'lsmod')
            check(m, re.search(r'^shell\s+%s\s.*live' % re.escape(v), out, re.M) and
                  re.search(r'^shell\s+0\.1\.0\s.*stopped', out, re.M), 'lsmod: %r' % out)
            out = sh(m, 'tasks')
            check(m, len(re.findall(r'^\s+\d+\s+shell\s', out, re.M)) == 1,
                  'shell tasks after the swap: %r' % out)
            check(m, has(sh(m, 'echo still here'), 'still here'), 'the shell answers')
            poweroff(m)
        finally:
            m.close()


CASES = {
    'live-cycle': live_cycle,
    'live-shell': live_shell,
    'live-fault': live_fault,
    'live-vfs': live_vfs,
    'live-vfs-reboot': live_vfs_reboot,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
