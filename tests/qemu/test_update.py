#!/usr/bin/env python3
"""test_update.py - module updates (issue 19, modules/update) as a user
meets them: `update hello FILE` puts the new version in the other strand,
checks it and runs it; `update status` shows both strands with their
digests and versions; `update rollback` goes back; a version whose init
fails is rolled back with the old one running; an enforcing image refuses
an image its manifest does not list; after an update and a reboot the new
version runs; and with the preferred strand damaged on the disk, boot falls
back to the other one and says so.

Usage: test_update.py CASE...      (test_update.py --list for the names)

Every case boots the dev profile (the update module a boot module before
clog) from an ISO of its own: the build's kernel, boot modules and initrd
plus /t/hello2.kmod (hello 2.0.0) and /t/hellofail.kmod (hello 3.0.0,
whose init fails), tests/kernel/hello_next.c, with a disk of its own.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402
from test_clog import disk_args, new_disk, poweroff  # noqa: E402

PROMPT = 'karyon:/> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
V1 = os.path.join(BUILD, 'modules', 'hello.kmod')
V2 = os.path.join(BUILD, 'tests', 'hello_v2.kmod')
FAIL = os.path.join(BUILD, 'tests', 'hello_fail.kmod')


def b2(path):
    with open(path, 'rb') as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def make_iso(d, enforcement='permissive', extra_listed=()):
    """The dev image with the test versions of hello in its initrd, and a
    manifest listing the build's modules plus extra_listed."""
    initrd = os.path.join(d, 'initrd.cpio')
    subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
                    '--from', os.path.join(BUILD, 'images', 'initrd-dev.cpio'),
                    '--file', '/t/hello2.kmod=' + V2, '--file', '/t/hellofail.kmod=' + FAIL],
                   check=True)
    man = os.path.join(d, 'MANIFEST')
    with open(os.path.join(BUILD, 'modules', 'MANIFEST')) as f:
        text = f.read()
    with open(man, 'w') as f:
        f.write(text)
        for path, name in extra_listed:
            f.write('blake2b-256 %s %s\n' % (b2(path), name))
    iso = os.path.join(d, 'update.iso')
    r = subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkiso.py'),
                        '--kernel', KERNEL, '--out', iso,
                        '--profile', os.path.join(kqemu.ROOT, 'images', 'dev.conf'),
                        '--module-dir', os.path.join(BUILD, 'modules'),
                        '--manifest', man, '--enforcement', enforcement, '--initrd', initrd,
                        '--channels', os.path.join(BUILD, 'images', 'channels-dev.blob')],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError('mkiso.py failed: %s%s' % (r.stdout, r.stderr))
    return iso


def boot(iso, disk):
    m = Machine(KERNEL, iso=iso, extra=disk_args(disk))
    m.__enter__()
    m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
    return m


def sh(m, line, timeout=120):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def strand_line(out, letter):
    """The status line of strand letter: (preferred, state, version, digest, running)."""
    r = re.search(r'^([ *]) %s  (\w+)\s+([\d.]+)\s+\d+ bytes  blake2b-256 ([0-9a-f]{64})(.*)$'
                  % letter, out, re.M)
    return r and (r.group(1) == '*', r.group(2), r.group(3), r.group(4),
                  'running' in r.group(5))


def hello_version(m):
    r = re.search(r'^hello\s+(\d+\.\d+\.\d+)', sh(m, 'lsmod'), re.M)
    return r and r.group(1)


def update_cycle():
    # update, status, rollback, the refusals; on a disk, no reboot.
    with tempfile.TemporaryDirectory() as d:
        iso, disk = make_iso(d), new_disk(d)
        m = boot(iso, disk)
        try:
            out = sh(m, 'update status')
            check(m, 'no module has strands' in out and 'permissive' in out,
                  'update status on a fresh disk: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, re.search(r'^update: hello is used by hello_user: unload them first', out, re.M),
                  'update of a module in use: %r' % out)
            sh(m, 'rmmod hello_user')
            # the refusals: each one line, nothing written
            for line, want in (
                    ('update hello /t/nope.kmod', r'^update: /t/nope\.kmod: no such file$'),
                    ('update console /t/hello2.kmod', r'^update: console is built into the kernel '
                                                      r'and cannot be replaced live'),
                    ('update hello /etc/karyon.conf', r'^update: /etc/karyon\.conf: not a module'),
                    ('update Hello /t/hello2.kmod', r'^update: Hello: not a module name'),
                    ('update rollback hello', r'^update: hello: has no strands'),
                    ('update hello', r'^usage: update MODULE FILE\.kmod')):
                out = sh(m, line)
                check(m, re.search(want, out, re.M) and len(out.splitlines()) == 1,
                      '%s: %r' % (line, out))
            out = sh(m, 'update status')
            check(m, 'no module has strands' in out, 'a refusal wrote a strand: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, re.search(r'^update: hello: strand B holds 2\.0\.0 \(blake2b-256 %s\.\.\.\), '
                               r'preferred over 1\.0\.0$' % b2(V2)[:16], out, re.M) and
                  re.search(r'^update: hello: running 2\.0\.0 \(strand B\)$', out, re.M),
                  'update hello: %r' % out)
            check(m, re.search(r'^update: hello: /t/hello2\.kmod is in no allow-list \(accepted: '
                               r'this image is permissive; strand B flagged unlisted\)$', out, re.M),
                  'an unlisted image not reported: %r' % out)
            check(m, hello_version(m) == '2.0.0', 'hello 2.0.0 does not run')
            check(m, sh(m, 'hello you') == 'hello from version 2, you\n', 'hello 2 does not answer')
            out = sh(m, 'update status hello')
            check(m, re.search(r'^\* B .*  unlisted  running$', out, re.M), 'no unlisted flag: %r' % out)
            check(m, strand_line(out, 'A') == (False, 'verified', '1.0.0', b2(V1), False) and
                  strand_line(out, 'B') == (True, 'verified', '2.0.0', b2(V2), True) and
                  re.search(r'^hello: strand B preferred, generation \d+$', out, re.M),
                  'update status after the update: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, 'the preferred strand\'s image already' in out, 'same image again: %r' % out)
            out = sh(m, 'update rollback hello')
            check(m, re.search(r'^update: hello: strand A \(1\.0\.0\) preferred again$', out, re.M) and
                  re.search(r'^update: hello: running 1\.0\.0 \(strand A\)$', out, re.M),
                  'update rollback: %r' % out)
            check(m, hello_version(m) == '1.0.0', 'hello 1.0.0 does not run after the rollback')
            check(m, sh(m, 'hello you') == 'hello, you\n', 'hello 1 does not answer')
            out = sh(m, 'update status')
            check(m, strand_line(out, 'A') == (True, 'verified', '1.0.0', b2(V1), True) and
                  strand_line(out, 'B') == (False, 'verified', '2.0.0', b2(V2), False),
                  'update status after the rollback: %r' % out)
            out = sh(m, 'update digest /t/hello2.kmod')
            check(m, out == 'blake2b-256 %s hello\n' % b2(V2), 'update digest: %r' % out)
            # the update manifest: a malformed line refuses, a listed image is not flagged
            sh(m, 'echo nonsense > /etc/update.allow')
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, out == 'update: /etc/update.allow line 1: want: blake2b-256 HEX NAME\n',
                  'a malformed update manifest: %r' % out)
            sh(m, 'echo "# test" > /etc/update.allow')
            sh(m, 'update digest /t/hello2.kmod >> /etc/update.allow')
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, 'running 2.0.0 (strand B)' in out and 'allow-list' not in out,
                  'update with the image in /etc/update.allow: %r' % out)
            out = sh(m, 'update status hello')
            check(m, re.search(r'^\* B .*  running$', out, re.M) and 'unlisted' not in out,
                  'a listed image flagged: %r' % out)
            out = sh(m, 'syslog')
            check(m, re.search(r'vfs\.write\s+/var/update/hello/strand\.b\s+ok, commit', out) and
                  re.search(r'kmod\.load\s+hello\s+ok, commit', out),
                  'the strands and loads are not commits: %r' % out)
            poweroff(m)
        finally:
            m.close()


def update_failinit():
    # A version whose init fails: the old one runs again, preferred again.
    with tempfile.TemporaryDirectory() as d:
        iso, disk = make_iso(d), new_disk(d)
        m = boot(iso, disk)
        try:
            sh(m, 'rmmod hello_user')
            out = sh(m, 'update hello /t/hellofail.kmod')
            check(m, re.search(r'^update: hello: 3\.0\.0 \(strand B\) failed to start: .*init failed'
                               r'.*; preferring strand A again$', out, re.M) and
                  re.search(r'^update: hello: rolled back to 1\.0\.0 \(strand A\), running$', out,
                            re.M), 'update to a failing init: %r' % out)
            check(m, hello_version(m) == '1.0.0', 'hello 1.0.0 does not run after the failure')
            check(m, sh(m, 'hello you') == 'hello, you\n', 'hello 1 does not answer')
            out = sh(m, 'update status hello')
            check(m, strand_line(out, 'A') == (True, 'verified', '1.0.0', b2(V1), True) and
                  strand_line(out, 'B') == (False, 'failed', '3.0.0', b2(FAIL), False),
                  'update status after the failure: %r' % out)
            out = sh(m, 'update rollback hello')
            check(m, re.search(r'^update: hello: cannot roll back: ', out, re.M),
                  'rollback to a failed strand: %r' % out)
            # a good update still goes through afterwards
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, re.search(r'^update: hello: running 2\.0\.0 \(strand B\)$', out, re.M),
                  'update after a failure: %r' % out)
            poweroff(m)
        finally:
            m.close()


def update_enforce():
    # An enforcing image: hello 2.0.0 is listed in its manifest, the
    # failing version is not and is refused before anything is written.
    with tempfile.TemporaryDirectory() as d:
        iso, disk = make_iso(d, 'enforce', [(V2, 'hello')]), new_disk(d)
        m = boot(iso, disk)
        try:
            check(m, re.search(r'^measure: enforcing image', m.log, re.M), 'not an enforcing image')
            sh(m, 'rmmod hello_user')
            out = sh(m, 'update hello /t/hellofail.kmod')
            check(m, out == "update: hello: /t/hellofail.kmod: blake2b-256 %s... is not in the "
                  "image's manifest: this image is enforcing, nothing is written\n" % b2(FAIL)[:16],
                  'an unlisted image in an enforcing image: %r' % out)
            out = sh(m, 'update status')
            check(m, 'no module has strands' in out and 'enforcing' in out,
                  'a refused update left strands: %r' % out)
            check(m, hello_version(m) == '1.0.0', 'hello changed after a refusal')
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, re.search(r'^update: hello: running 2\.0\.0 \(strand B\)$', out, re.M),
                  'a listed image in an enforcing image: %r' % out)
            poweroff(m)
        finally:
            m.close()


def update_reboot():
    # After an update and a reboot the new version runs; with its strand
    # damaged on the disk, the next boot falls back to the old one and
    # says so.
    with tempfile.TemporaryDirectory() as d:
        iso, disk = make_iso(d), new_disk(d)
        m = boot(iso, disk)
        try:
            sh(m, 'rmmod hello_user')
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, 'running 2.0.0 (strand B)' in out, 'update hello: %r' % out)
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: hello: running 2\.0\.0 \(strand B\)\n', 60)
            check(m, hello_version(m) == '2.0.0', 'hello 2.0.0 does not run after a reboot')
            check(m, sh(m, 'hello you') == 'hello from version 2, you\n',
                  'hello 2 does not answer after a reboot')
            out = sh(m, 'update status hello')
            check(m, strand_line(out, 'B') == (True, 'verified', '2.0.0', b2(V2), True) and
                  'probation' not in out, 'update status after a reboot: %r' % out)
            # damage the preferred strand's image (a committed write: the
            # log's chain is intact, the image is not)
            sh(m, 'echo damaged > /var/update/hello/strand.b')
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: hello: running 1\.0\.0 \(strand A\)\n', 60)
            # (the boot task's lines may follow the shell's first prompt)
            check(m, re.search(r"^(?:karyon:/> )?update: hello: the preferred strand's image "
                               r"does not match its "
                               r"digest; falling back to strand A$", m.log, re.M),
                  'the fallback is not reported')
            check(m, hello_version(m) == '1.0.0', 'hello 1.0.0 does not run after the fallback')
            out = sh(m, 'update status hello')
            check(m, strand_line(out, 'A') == (True, 'verified', '1.0.0', b2(V1), True) and
                  strand_line(out, 'B')[1] == 'failed', 'update status after the fallback: %r' % out)
            # and that choice lasts: the next boot runs 1.0.0 without a word of fallback
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: hello: running 1\.0\.0 \(strand A\)\n', 60)
            check(m, 'falling back' not in m.log, 'a second fallback: %s' % m.log)
            poweroff(m)
        finally:
            m.close()


def update_boot_fail():
    # An update staged for the next boot (--next-boot) whose init fails:
    # that boot tries it, falls back to the old strand, corrects the
    # preference and says so; a good one staged the same way runs.
    with tempfile.TemporaryDirectory() as d:
        iso, disk = make_iso(d), new_disk(d)
        m = boot(iso, disk)
        try:
            sh(m, 'rmmod hello_user')
            out = sh(m, 'update hello /t/hellofail.kmod --next-boot')
            check(m, re.search(r'^update: hello: strand B holds 3\.0\.0 \(blake2b-256 [0-9a-f]{16}'
                               r'\.\.\.\), preferred over 1\.0\.0 from the next boot$', out, re.M),
                  'update --next-boot: %r' % out)
            check(m, hello_version(m) == '1.0.0', '--next-boot replaced what runs')
            out = sh(m, 'update status hello')
            check(m, re.search(r'^hello: strand B preferred, on probation, generation', out, re.M),
                  'a staged update is not on probation: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, re.search(r'^update: hello: strand A: ', out, re.M) and len(out.splitlines()) == 1,
                  'an update over a strand on probation: %r' % out)
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: hello: rolled back to 1\.0\.0 \(strand A\), running\n', 60)
            check(m, re.search(r'^(?:karyon:/> )?update: hello: 3\.0\.0 \(strand B\) failed to start: '
                               r'.*; preferring strand A again$', m.log, re.M),
                  'the boot fallback is not reported')
            check(m, hello_version(m) == '1.0.0', 'hello 1.0.0 does not run after the boot fallback')
            out = sh(m, 'update status hello')
            check(m, strand_line(out, 'A') == (True, 'verified', '1.0.0', b2(V1), True) and
                  strand_line(out, 'B')[1] == 'failed' and 'probation' not in out,
                  'update status after the boot fallback: %r' % out)
            out = sh(m, 'update hello /t/hello2.kmod --next-boot')
            check(m, 'from the next boot' in out, 'a second staged update: %r' % out)
            poweroff(m)
            m = boot(iso, disk)
            m.wait_for(r'update: hello: running 2\.0\.0 \(strand B\)\n', 60)
            check(m, re.search(r'^kmod: loaded hello 2\.0\.0 from hello/strand\.b$', m.log, re.M),
                  'the boot did not load strand B')
            check(m, hello_version(m) == '2.0.0', 'hello 2.0.0 does not run after the staged update')
            out = sh(m, 'update status hello')
            check(m, strand_line(out, 'B') == (True, 'verified', '2.0.0', b2(V2), True) and
                  'probation' not in out, 'the staged update not confirmed: %r' % out)
            poweroff(m)
        finally:
            m.close()


def update_nodisk():
    # Without a disk there is no commit log: the strands live in memory,
    # updates and rollbacks work until power-off.
    with tempfile.TemporaryDirectory() as d:
        iso = make_iso(d)
        m = Machine(KERNEL, iso=iso)
        m.__enter__()
        try:
            m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
            check(m, not re.search(r'^update: ', m.log, re.M), 'the boot restore ran without strands')
            sh(m, 'rmmod hello_user')
            out = sh(m, 'update hello /t/hello2.kmod')
            check(m, 'running 2.0.0 (strand B)' in out, 'update without a disk: %r' % out)
            out = sh(m, 'update rollback hello')
            check(m, 'running 1.0.0 (strand A)' in out, 'rollback without a disk: %r' % out)
            check(m, hello_version(m) == '1.0.0', 'hello 1.0.0 does not run after the rollback')
        finally:
            m.close()


CASES = {
    'update-cycle': update_cycle,
    'update-failinit': update_failinit,
    'update-enforce': update_enforce,
    'update-reboot': update_reboot,
    'update-boot-fail': update_boot_fail,
    'update-nodisk': update_nodisk,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
