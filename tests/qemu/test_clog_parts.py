#!/usr/bin/env python3
"""test_clog_parts.py - the owners of state (kmod, tcc, events) under a
commit log, through tests/kernel/gatetest.c, a stand-in for the clog
module that keeps its records in memory: insmod, cc, on, off and timer
become commits that are checked before they are recorded, a refused one
records nothing, a part's view of genesis plus the records agrees with the
live state, reset and replay give the same state back, and a log replayed
at boot (from the stand-in's init, so kmod.load is a nested load) brings
modules, handlers, timers and subscriptions back.

Usage: test_clog_parts.py CASE...      (--list for the names)
"""
import hashlib
import os
import re
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402
import test_events  # noqa: E402
from test_events import build_initrd  # noqa: E402

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
GATETEST = os.path.join(BUILD, 'tests', 'gatetest.kmod')
HELLO = os.path.join(BUILD, 'modules', 'hello.kmod')


class Session(test_events.Session):
    """test_events' session, with the stand-in as the last boot module (but
    for `after`) and, for a boot replay, /etc/gatetest.log in the initrd."""

    def __init__(self, log=b'', after=()):
        self.tmp = tempfile.TemporaryDirectory()
        initrd = build_initrd(self.tmp.name)
        if log:
            path = os.path.join(self.tmp.name, 'gatetest.log')
            with open(path, 'wb') as f:
                f.write(log)
            initrd = build_initrd_with(self.tmp.name, path)
        self.m = Machine(KERNEL, modules=[initrd + '=initrd', GATETEST + '=gatetest'] +
                         [os.path.join(BUILD, 'modules', n + '.kmod') + '=' + n for n in after])

    def sh(self, line, timeout=60):
        """The shell's output for line without the stand-in's log lines."""
        return re.sub(r'^gatetest: (?:commit|replay) .*\n', '', super().sh(line, timeout),
                      flags=re.M)


def build_initrd_with(d, log_path):
    """build_initrd's image plus /etc/gatetest.log (mkinitrd.py again,
    with one more --file)."""
    import subprocess
    initrd = os.path.join(d, 'initrd2.cpio')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
            '--tree', '/usr/include=' + os.path.join(kqemu.ROOT, 'sdk', 'handler', 'include'),
            '--tree', '/usr/include/karyon=' + os.path.join(kqemu.ROOT, 'abi', 'karyon'),
            '--file', '/t/counter.c=' + os.path.join(d, 'counter.c'),
            '--file', '/lib/modules/hello.kmod=' + HELLO,
            '--file', '/etc/gatetest.log=' + log_path]
    subprocess.run(args, check=True)
    return initrd


def rec(kind, payload):
    return kind.encode() + b'\0' + struct.pack('<I', len(payload)) + payload


def b2(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def parts_live():
    with Session() as s:
        m = s.m
        check(m, 'gatetest: attached, 0 records replayed' in m.log, 'the stand-in did not attach')
        out = s.sh('insmod /lib/modules/hello.kmod')
        check(m, re.search(r'gatetest: commit 1 kmod\.load hello', m.log), 'insmod: no commit: %r' % out)
        check(m, 'hello' in s.sh('lsmod'), 'hello is not loaded')
        out = s.sh('insmod /lib/modules/hello.kmod')
        check(m, 'hello is already loaded' in out, 'a second insmod: %r' % out)
        check(m, 'commit 2' not in m.log, 'a refused load was recorded')
        out = s.sh('cc /t/counter.c')
        check(m, re.search(r'^cc: counter: code \d+ bytes', out, re.M), 'cc: %r' % out)
        check(m, 'commit 2 tcc.cc counter' in m.log, 'cc: no commit')
        s.sh("echo 'int main(void) { return x; }' > /t/bad.c")
        out = s.sh('cc /t/bad.c')
        check(m, re.search(r"error", out) and 'commit 3' not in m.log,
              'a compile error: %r (it must not be committed)' % out)
        out = s.sh('timer add beat every 100000')
        check(m, out == '' and 'commit 3 events.timer_add beat' in m.log, 'timer add: %r' % out)
        out = s.sh('on timer.beat counter --gas 300000')
        check(m, out == '' and 'commit 4 events.on timer.beat counter' in m.log, 'on: %r' % out)
        out = s.sh('off timer.nosuch counter')
        check(m, out == 'off: counter is not subscribed to timer.nosuch (see: events)\n',
              'off of nothing: %r' % out)
        out = s.sh('unload nosuch')
        check(m, out == 'unload: no handler nosuch\n', 'unload of nothing: %r' % out)
        before = s.sh('gatetest items')
        for part in ('kmod hello ', 'tcc counter ', 'events on timer.beat counter ',
                     'events timer beat '):
            check(m, part in before, 'items lack %r: %r' % (part, before))
        out = s.sh('gatetest views')
        check(m, out.count('view agrees') == 3, 'views: %r' % out)
        out = s.sh('gatetest replay', timeout=120)
        check(m, 'reset:' not in out and 'gatetest: replayed' in out, 'replay: %r' % out)
        check(m, len(re.findall(r'gatetest: replay \S+ .*: success', m.log)) == 4,
              'a replay failed: %r' % re.findall(r'gatetest: replay .*', m.log))
        after = s.sh('gatetest items')
        check(m, after == before, 'items after replay differ:\n%s\n---\n%s' % (before, after))
        out = s.sh('timer del beat')
        check(m, re.search(r'commit \d+ events\.timer_del beat', m.log), 'timer del: %r' % out)
        out = s.sh('off timer.beat counter')
        check(m, re.search(r'commit \d+ events\.off', m.log), 'off: %r' % out)
        out = s.sh('unload counter')
        check(m, re.search(r'commit \d+ tcc\.unload counter', m.log), 'unload: %r' % out)
        out = s.sh('rmmod hello')
        check(m, re.search(r'commit \d+ kmod\.unload hello', m.log) and 'hello' not in s.sh('lsmod'),
              'rmmod: %r' % out)
        out = s.sh('gatetest views')
        check(m, out.count('view agrees') == 3, 'views at the end: %r' % out)


def parts_boot():
    with open(HELLO, 'rb') as f:
        hello = f.read()
    with tempfile.TemporaryDirectory() as d:
        build_initrd(d)         # writes counter.c
        with open(os.path.join(d, 'counter.c'), 'rb') as f:
            counter = f.read()
    log = (rec('kmod.load', b'hello\0/lib/modules/hello.kmod\0' + b2(hello) + hello) +
           rec('events.timer_add', b'beat\0' + struct.pack('<IQ', 1, 100000)) +
           rec('tcc.cc', b'counter\0/t/counter.c\0' + b2(counter) +
               # metered, cc's default grants, budgets; what the compile gives:
               # the manifest's grants (console and pure) and its version 1
               struct.pack('<IIIIIIII', 1, 3, 10000, 64, 3, 1, 0, 0)) +
           rec('events.on', b'timer.beat counter\0' + struct.pack('<QI', 300000, 64)))
    with Session(log) as s:
        m = s.m
        replays = re.findall(r'gatetest: replay (\S+) .*: (.*)', m.log)
        check(m, replays == [(k, 'success') for k in ('kmod.load', 'events.timer_add', 'tcc.cc',
                                                      'events.on')],
              'boot replay: %r' % replays)
        check(m, re.search(r'^hello ', s.sh('lsmod'), re.M), 'hello did not come back')
        check(m, 'counter' in s.sh('handlers'), 'counter did not come back')
        check(m, 'beat' in s.sh('timer list'), 'the timer did not come back')
        check(m, re.search(r'timer\.beat\s+counter\s+300000', s.sh('events')),
              'the subscription did not come back')
        out = s.sh('gatetest views')
        check(m, out.count('view agrees') == 3, 'views after a boot replay: %r' % out)
        out = s.sh('rmmod hello')
        check(m, 'hello' not in s.sh('lsmod'), 'a replayed module cannot be unloaded: %r' % out)


def parts_boot_deps():
    """A replayed module needing a boot module that comes after the log's
    own: loaded early, from its boot module, and skipped by the boot loop."""
    path = os.path.join(BUILD, 'modules', 'hello_user.kmod')
    with open(path, 'rb') as f:
        user = f.read()
    log = rec('kmod.load', b'hello_user\0/lib/modules/hello_user.kmod\0' + b2(user) + user)
    with Session(log, after=('hello',)) as s:
        m = s.m
        check(m, 'kmod: hello loaded early: hello_user needs it' in m.log,
              'the dependency was not loaded early')
        check(m, re.search(r'gatetest: replay kmod\.load hello_user: success', m.log),
              'the replay failed')
        check(m, 'cannot load boot module' not in m.log, 'the boot loop loaded hello again')
        out = s.sh('lsmod')
        check(m, re.search(r'^hello_user ', out, re.M) and re.search(r'^hello .* 1 ', out, re.M),
              'lsmod: %r' % out)


CASES = {'parts-live': parts_live, 'parts-boot': parts_boot, 'parts-boot-deps': parts_boot_deps}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
