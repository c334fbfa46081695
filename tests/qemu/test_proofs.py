#!/usr/bin/env python3
"""test_proofs.py - boot proofs (docs/boot-proofs.md): the dev image prints
the same chain #E0..#E10 and "proof ok" on every boot, SeaBIOS and OVMF
alike; tools/verify_proofs.py accepts it, recomputing what the ISO
determines, and refuses a log with one digest altered or one line gone,
naming the line; the shell's `proof` prints the chain again.

Usage: test_proofs.py CASE...      (test_proofs.py --list for the names)

The image is build/images/karyon-dev.iso, found beside $KARYON_KERNEL.
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
ISO = os.path.join(BUILD, 'images', 'karyon-dev.iso')
VERIFY = os.path.join(kqemu.ROOT, 'tools', 'verify_proofs.py')
PROMPT = 'karyon:/> '
E_LINE = re.compile(r'^#E\d+ \S+ d=[0-9a-f]{64} c=[0-9a-f]{64}$', re.M)
END = r'^proof (ok c=[0-9a-f]{64}|FAILED: .*)$'


def verify(log_text, *args):
    with tempfile.NamedTemporaryFile('w', suffix='.log', prefix='proofs-', delete=False) as f:
        f.write(log_text)
    try:
        r = subprocess.run([sys.executable, VERIFY, f.name] + list(args),
                           capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    return r.returncode, (r.stdout + r.stderr).strip()


def boot(firmware, shell=False):
    """One boot of the dev image: (its log, its #E lines and end line)."""
    with Machine(KERNEL, iso=ISO, firmware=firmware) as m:
        ready = m.wait_for(r'^karyon: ready in', BOOT_TIMEOUT[firmware])
        m.wait_for(END, 60)
        log = m.log
        again = None
        if shell:
            m.wait_for('^' + re.escape(PROMPT), 30)
            start = len(m.log)
            m.send('proof\n')
            m.wait_for(END, 30, start=start)
            again = E_LINE.findall(m.log[start:])
        lines = E_LINE.findall(log)
        check(m, log.find('#E0 ') > ready.start(),
              'the proofs came before "karyon: ready": not after every module is up')
        end = re.search(END, log, re.M)
        check(m, end and end.group(0).startswith('proof ok'),
              'the boot ends its proofs with %r, not "proof ok"' % (end and end.group(0)))
        check(m, len(lines) == 11, '%d #E lines, expected 11' % len(lines))
        if shell:
            check(m, again == lines, '`proof` printed %r, not the boot\'s chain' % again)
        return log, lines + [end.group(0)]


def case_stable():
    runs = [boot('bios', shell=True), boot('bios'), boot('bios'), boot('uefi')]
    log, first = runs[0]
    for i, (_log, chain) in enumerate(runs[1:], 2):
        if chain != first:
            diff = next(a for a, b in zip(chain, first) if a != b)
            raise AssertionError('boot %d (%s) printed another chain: %s'
                                 % (i, 'uefi' if i == 4 else 'bios', diff))
    rc, out = verify(log, '--image', ISO)
    if rc != 0 or 'recomputed from karyon-dev.iso: E0 E2 E3 E4 E6 E7 E9' not in out:
        raise AssertionError('verify_proofs.py --image refused a good log (%d): %s' % (rc, out))
    rc, out = verify(runs[3][0], '--image', ISO)
    if rc != 0:
        raise AssertionError('verify_proofs.py refused the UEFI boot\'s log (%d): %s' % (rc, out))
    # One #E line's digest altered: refused, that line named.
    lines = log.split('\n')
    k = next(i for i, l in enumerate(lines) if l.strip('\r').startswith('#E5 '))
    bad = list(lines)
    dpos = bad[k].index(' d=') + 3
    bad[k] = bad[k][:dpos] + ('0' if bad[k][dpos] != '0' else '1') + bad[k][dpos + 1:]
    rc, out = verify('\n'.join(bad))
    if rc != 1 or ('line %d: #E5 irq' % (k + 1)) not in out:
        raise AssertionError('a log with #E5\'s d altered: exit %d, %r; expected exit 1 '
                             'naming line %d' % (rc, out, k + 1))
    # A line missing: refused, the missing one named.
    k = next(i for i, l in enumerate(lines) if l.strip('\r').startswith('#E7 '))
    rc, out = verify('\n'.join(lines[:k] + lines[k + 1:]))
    if rc != 1 or '#E7 measure' not in out:
        raise AssertionError('a log without #E7: exit %d, %r; expected exit 1 naming #E7'
                             % (rc, out))
    # An altered d the chain still agrees with (c's recomputed) is caught
    # by the image: E2 is the channel graph's digest.
    chain = [l for l in lines if E_LINE.match(l.strip('\r'))]
    forged = []
    prev = bytes(32)
    for l in chain:
        n, name, d, _c = re.match(r'#E(\d+) (\S+) d=(\S+) c=(\S+)', l.strip('\r')).groups()
        if n == '2':
            d = 'ab' * 32
        c = hashlib.blake2b(prev + ('#E%s %s' % (n, name)).encode() + bytes.fromhex(d),
                            digest_size=32).digest()
        forged.append('#E%s %s d=%s c=%s' % (n, name, d, c.hex()))
        prev = c
    forged.append('proof ok c=%s' % prev.hex())
    rc, out = verify('\n'.join(forged) + '\n')
    if rc != 0:
        raise AssertionError('a forged but consistent chain is refused without --image: %s' % out)
    rc, out = verify('\n'.join(forged) + '\n', '--image', ISO)
    if rc != 1 or 'line 3: #E2 graph' not in out:
        raise AssertionError('a forged #E2 with --image: exit %d, %r; expected exit 1 '
                             'naming line 3' % (rc, out))


CASES = {
    'proofs-stable': case_stable,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
