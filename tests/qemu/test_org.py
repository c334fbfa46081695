#!/usr/bin/env python3
"""test_org.py - the organelles' fabric as a user meets it (issue 17): parcels
between modules follow the image's channel graph (images/dev.channels), a
send outside the graph and a burst past a bucket are refused with the
reason and counted, malformed parcels are quarantined and never delivered,
a killed endpoint is unreachable (its queued parcels dropped and counted)
until it is reloaded, and an image whose graph is not the one its manifest
lists refuses it.

Usage: test_org.py CASE...      (test_org.py --list for the names)

The kernel comes from $KARYON_KERNEL (the dev profile, which builds the
organelles module in); each case makes a dev-like ISO with the profile's
boot modules, manifest and channel graph, and an initrd that also holds
tests/kernel/orgtest.c's module (endpoints orgtest, bench.a, bench.b).
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

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
PROMPT = 'karyon:/> '


def initrd(d):
    path = os.path.join(d, 'initrd.cpio')
    mods = os.path.join(BUILD, 'modules')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), path,
            '--file', '/lib/modules/orgtest.kmod=' + os.path.join(BUILD, 'tests', 'orgtest.kmod'),
            '--file', '/lib/modules/hello.kmod=' + os.path.join(mods, 'hello.kmod'),
            '--file', '/etc/karyon.conf=' + os.path.join(kqemu.ROOT, 'images', 'etc',
                                                         'karyon.conf')]
    subprocess.run(args, check=True, capture_output=True)
    return path


def machine(d, channels=None, manifest=None, enforcement='permissive'):
    """The dev profile's image, its graph (or channels), orgtest in the initrd."""
    args = ['--profile', os.path.join(kqemu.ROOT, 'images', 'dev.conf'),
            '--module-dir', os.path.join(BUILD, 'modules'),
            '--manifest', manifest or os.path.join(BUILD, 'modules', 'MANIFEST'),
            '--enforcement', enforcement,
            '--channels', channels or os.path.join(BUILD, 'images', 'channels-dev.blob'),
            '--initrd', initrd(d)]
    return Machine(KERNEL, iso_args=args)


def sh(m, line, timeout=60):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def has(m, out, pattern, what):
    check(m, re.search(pattern, out, re.M), '%s: no %r in:\n%s' % (what, pattern, out))


def counts(m, out, rule):
    r = re.search(r'^  %s +\w+ +(\d+)$' % re.escape(rule), out, re.M)
    check(m, r, 'organelles shows no count for %s:\n%s' % (rule, out))
    return int(r.group(1))


def org_modules():
    """Two modules and the shell talk along the graph: the shell to orgtest,
    orgtest to hello and back, the shell to hello and back (recv)."""
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        has(m, m.log, r'^organelles: channel graph: 6 channels, 8 endpoints, \d+ bytes, measured$',
            'boot')
        has(m, sh(m, 'insmod orgtest'), r'orgtest: endpoints orgtest, bench.a, bench.b open',
            'insmod')
        out = sh(m, 'orgtest greet Bob')
        has(m, out, r'^orgtest: got channel 2 kind 0 seq 0 from hello: hello, Bob$', 'greet')
        out = sh(m, 'send test hi there --kind 7')
        has(m, out, r'^orgtest: got channel 4 kind 7 seq 0 from shell: hi there$', 'send test')
        has(m, out, r'^send: channel 4 \(test\) -> orgtest: 8 bytes, seq 0: accepted$', 'send test')
        has(m, sh(m, 'send hello.req Ann'), r'accepted', 'send hello.req')
        has(m, sh(m, 'recv'),
            r'^channel 2 \(hello\.resp\) from hello kind 0 seq 1, 10 bytes: hello, Ann$', 'recv')
        has(m, sh(m, 'recv'), r'^recv: nothing new for shell$', 'recv again')
        out = sh(m, 'channels')
        has(m, out, r'^ +4 test +4 +1000 +1000 +\d+ +256 +0 +1 +0$', 'channels: test delivered 1')
        has(m, out, r'^ +shell,h:ping,h:flood -> orgtest$', 'channels: test edges')
        out = sh(m, 'energy')
        has(m, out, r'^shell +open +\d+ +2 +', 'energy: the shell sent two parcels')
        has(m, out, r'^h:flood +- +0/100000000 +0/50 ', 'energy: h:flood budget')
        # The benchmark's two paths (tools/bench_org.py), a few parcels
        # each: handed over at once, and queued then taken (checked whole,
        # the payload compared) with bench.b a receive function again after.
        has(m, sh(m, 'orgtest bench 20 64'), r'^orgtest: bench: 20 parcels of 64 bytes: '
            r'send->delivery median \d+', 'bench')
        has(m, sh(m, 'orgtest benchq 20 100'), r'^orgtest: benchq: 20 parcels of 100 bytes: '
            r'send \(queued\) median \d+ min \d+, take median \d+', 'benchq')
        has(m, sh(m, 'orgtest bench 5 4096'), r'^orgtest: bench: 5 parcels of 4096 bytes', 'after')
        has(m, sh(m, 'channels'), r'^ +5 bench +1 +1000000 +1000000 +\d+ +4096 +0 +45 +0$',
            'channels: bench delivered 45, none left')


def org_refuse():
    """Outside the graph, past the bucket, and malformed: refused, with the
    reason, counted; nothing malformed reaches its receiver."""
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        sh(m, 'insmod orgtest')
        out = sh(m, 'send bench x --to bench.b')
        has(m, out, r'^send: refused: not-in-graph: no edge shell -> bench\.b on channel 5 '
            r'\(bench\) \(drop\)$', 'outside the graph')
        out = sh(m, 'send hello.req x --to orgtest')
        has(m, out, r'not-in-graph: no edge shell -> orgtest on channel 1', 'wrong receiver')
        has(m, sh(m, 'send nosuch x'), r'^send: no such channel: nosuch$', 'no channel')
        has(m, sh(m, 'send test x --to nobody'), r"no endpoint 'nobody' in the channel graph",
            'no endpoint')
        # ping: burst 8, depth 16, h:ping never takes: the 9th is past the bucket.
        for i in range(8):
            has(m, sh(m, 'send ping p%d' % i), r'accepted', 'ping %d' % i)
        has(m, sh(m, 'send ping p8'), r'^send: refused: bucket: channel 3 \(ping\) is past its '
            r'bucket \(burst 8, rate 10/s\) \(defer\)$', 'past the bucket')
        out = sh(m, 'channels')
        has(m, out, r'^ +3 ping +3 +10 +8 +0 +16 +8 +8 +1$', 'channels: ping')
        has(m, out, r'^ +refused: bucket 1$', 'channels: ping refused by the bucket')
        has(m, out, r'^ +refused: not-in-graph 1$', 'channels: bench refused')
        for how, why in (('check', 'bad checksum'), ('length', 'truncated'),
                         ('magic', 'bad magic')):
            has(m, sh(m, 'send test evil-%s --corrupt %s' % (how, how)),
                r'^send: refused: sanitizer: %s: quarantined \(drop\)$' % why, how)
        out = sh(m, 'organelles')
        check(m, counts(m, out, 'sanitizer') == 3, 'three quarantined:\n' + out)
        check(m, counts(m, out, 'not-in-graph') == 2, 'two outside the graph:\n' + out)
        check(m, counts(m, out, 'bucket') == 1, 'one past the bucket:\n' + out)
        has(m, out, r'^peroxisome: \d+ checked, \d+ passed, 3 quarantined$', 'peroxisome')
        for why in ('bad checksum', 'truncated', 'bad magic'):
            has(m, out, r'^  %s +1$' % why, 'quarantine reason ' + why)
        has(m, out, r'^  #3 from shell: bad magic, 26 bytes, header 00', 'quarantine ring')
        check(m, 'evil' not in re.sub(r'send test evil-\w+ --corrupt \w+', '', m.log),
              'a malformed parcel was delivered')


def org_deadmap():
    """A killed endpoint: its queued parcels dropped and counted, refused
    both ways, the rest runs on; reloaded (rmmod, insmod), it is back."""
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        sh(m, 'insmod orgtest')
        for i in range(3):
            sh(m, 'send ping q%d' % i)
        has(m, sh(m, 'organelles kill h:ping'),
            r'^organelles: h:ping killed \(admin\): 3 queued parcels dropped; '
            r'unreachable until reloaded$', 'kill h:ping')
        has(m, sh(m, 'send ping late'), r'dead-receiver: h:ping is in the dead-map \(admin\)',
            'send to the dead')
        has(m, sh(m, 'channels'), r'^ +3 ping +3 +10 +8 +\d+ +16 +0 +3 +1$', 'queue emptied')
        out = sh(m, 'organelles')
        has(m, out, r'^  h:ping +dead +admin +kills 1 revivals 0 dropped 3$', 'dead-map')
        sh(m, 'organelles kill orgtest')
        has(m, sh(m, 'orgtest greet Bob'), r'dead-sender: orgtest is in the dead-map', 'dead sender')
        has(m, sh(m, 'send test x'), r'dead-receiver: orgtest', 'dead receiver')
        has(m, sh(m, 'send hello.req still'), r'accepted', 'the rest runs on')
        has(m, sh(m, 'recv'), r'hello, still$', 'the rest runs on')
        sh(m, 'rmmod orgtest')
        out = sh(m, 'insmod orgtest')
        has(m, out, r'^organelles: orgtest revived \(reloaded\)$', 'reload revives')
        has(m, sh(m, 'send test back'), r'orgtest: got channel 4 kind 0 seq \d+ from shell: back',
            'reloaded receives')
        has(m, sh(m, 'organelles'), r'^  orgtest +alive +admin +kills 1 revivals 1 dropped 0$',
            'dead-map keeps the history')


def org_recv_fault():
    """A module whose receive function faults: the sending task is reported
    (the shell's, restarted), the module is killed for the fault when the
    fabric next runs, and the rest runs on."""
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        sh(m, 'insmod orgtest')
        start = len(m.log)
        m.send('send test fault\r')
        m.wait_for(re.escape(PROMPT), 60, start + 1)
        check(m, re.search(r'^sched: task shell \(id \d+, domain \d+\) faulted: #PF page fault '
                           r'at 0x[0-9a-f]+ in orgtest\+0x[0-9a-f]+ .*restarted$', m.log[start:], re.M),
              'the fault in orgtest\'s receive function was not reported:\n' + m.log[start:])
        out = sh(m, 'send test again')
        # Found stale by the next send of any task (the log feed's, often):
        # its line may follow the shell's prompt.
        has(m, m.log, r'organelles: orgtest faulted in its receive function \(channel 4, '
            r'from shell\)$', 'the fault named')
        has(m, m.log, r'organelles: orgtest killed \(fault\)', 'killed for the fault')
        has(m, out, r'dead-receiver: orgtest is in the dead-map \(fault\)', 'refused after')
        has(m, sh(m, 'send hello.req after'), r'accepted', 'the rest runs on')
        has(m, sh(m, 'recv'), r'hello, after$', 'hello still answers')
        has(m, sh(m, 'organelles'), r'^  orgtest +dead +fault +kills 1 ', 'dead-map')


def org_unmeasured():
    """A graph the manifest does not list (another blob shipped as the boot
    module "channels" under a manifest that lists the build's): an
    enforcing image refuses it and every send; a permissive one uses it and
    is tainted."""
    with tempfile.TemporaryDirectory() as d:
        other = os.path.join(d, 'other.channels')
        with open(os.path.join(kqemu.ROOT, 'images', 'dev.channels')) as f:
            text = f.read().replace('burst 8 depth 16', 'burst 9 depth 16')
        with open(other, 'w') as f:
            f.write(text)
        blob = os.path.join(d, 'other.blob')
        subprocess.run([os.path.join(BUILD, 'tools', 'parcel', 'mkchannels'), other, blob],
                       check=True, capture_output=True)
        with open(os.path.join(BUILD, 'images', 'channels-dev.blob'), 'rb') as f:
            good = hashlib.blake2b(f.read(), digest_size=32).hexdigest()
        manifest = os.path.join(d, 'MANIFEST')
        with open(os.path.join(BUILD, 'modules', 'MANIFEST')) as f:
            body = f.read()
        with open(manifest, 'w') as f:
            f.write(body + 'channels blake2b-256 %s\n' % good)
        for mode, want in (('enforce', r"^organelles: channel graph refused: its digest is not "
                            r"the manifest's; every send is refused$"),
                           ('permissive', r'^organelles: channel graph: 6 channels, 8 endpoints, '
                            r'\d+ bytes, NOT in the manifest$')):
            args = ['--profile', os.path.join(kqemu.ROOT, 'images', 'dev.conf'),
                    '--module-dir', os.path.join(BUILD, 'modules'),
                    '--manifest', manifest, '--enforcement', mode,
                    '--module', blob + '=channels', '--initrd', initrd(d)]
            with Machine(KERNEL, iso_args=args) as m:
                m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
                has(m, m.log, want, mode)
                if mode == 'enforce':
                    has(m, sh(m, 'send test x'), r'^send: no channel graph: channel graph '
                        r"refused: its digest is not the manifest's$", 'send without a graph')
                    has(m, sh(m, 'channels'), r'^channels: no channel graph: ', 'channels')
                else:
                    has(m, m.log, r'tainted', 'permissive taints')
                    has(m, sh(m, 'channels'), r'^graph b2:[0-9a-f]{16}  6 channels, 8 '
                        r'endpoints  \(not in the manifest\)$', 'channels says so')

def org_queued_corrupt():
    """A parcel changed while it waits in its queue (a stray write, as a
    buggy module could make: `send --corrupt queued` flips one byte of it
    after it was accepted) is checked whole again as it leaves the queue,
    quarantined and never delivered; an intact one queued beside it is
    delivered.  A parcel handed over at once is framed and hashed once."""
    with tempfile.TemporaryDirectory() as d, machine(d) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        # orgtest is not loaded yet: parcels to it wait in channel 4's queue.
        has(m, sh(m, 'send test first-intact'), r'seq 0: accepted$', 'queued intact')
        has(m, sh(m, 'send test second-stray --corrupt queued'), r'seq 1: accepted$',
            'queued, then changed')
        has(m, sh(m, 'send test third-intact'), r'seq 2: accepted$', 'queued intact after')
        out = sh(m, 'channels')
        has(m, out, r'^ +4 test +4 +1000 +1000 +\d+ +256 +3 +3 +0$', 'three wait')
        out = sh(m, 'insmod orgtest')
        log = m.log
        has(m, log, r'^orgtest: got channel 4 kind 0 seq 0 from shell: first-intact$', 'first')
        has(m, log, r'^orgtest: got channel 4 kind 0 seq 2 from shell: third-intact$', 'third')
        has(m, log, r'^organelles: a parcel from shell to orgtest on channel 4 changed while it '
            r'was queued \(bad checksum\): quarantined, not delivered$', 'the stray write found')
        check(m, 'second' not in re.sub(r'send test second-stray --corrupt queued', '', log),
              'the changed parcel was delivered:\n' + log)
        out = sh(m, 'organelles')
        has(m, out, r'^peroxisome: (\d+) checked, \1 passed, 1 quarantined$', 'peroxisome')
        has(m, out, r'^  \d+ framed by the fabric \(header checked; its XXH3 check computed by '
            r'the framing\), 3 checked whole again leaving a queue$', 'three rechecked')
        has(m, out, r'^  bad checksum +1$', 'the reason')
        has(m, out, r'^  #1 from shell: bad checksum, 28 bytes, header c501040000000c00'
            r'01000000', 'the quarantined header')
        # Handed over at once (orgtest waits now): framed, never rechecked.
        has(m, sh(m, 'send test fourth'), r'seq 3: accepted$', 'direct')
        has(m, m.log, r'^orgtest: got channel 4 kind 0 seq 3 from shell: fourth$', 'fourth')
        has(m, sh(m, 'organelles'), r'3 checked whole again leaving a queue$', 'not rechecked')
        has(m, sh(m, 'send test x --corrupt queued'),
            r'^send: --corrupt queued: orgtest took the parcel at once; nothing waits to be '
            r'corrupted$', 'nothing to corrupt')


CASES = {
    'org-modules': org_modules,
    'org-refuse': org_refuse,
    'org-deadmap': org_deadmap,
    'org-unmeasured': org_unmeasured,
    'org-recv-fault': org_recv_fault,
    'org-queued-corrupt': org_queued_corrupt,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
