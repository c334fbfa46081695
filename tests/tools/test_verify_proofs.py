#!/usr/bin/env python3
"""test_verify_proofs.py - tools/verify_proofs.py on made-up logs (no QEMU):
a well-formed chain amid other output is accepted, and each way a chain
can be wrong is refused with exit 1 and the line that is wrong named.
(tests/qemu/test_proofs.py checks real boots and --image.)

Usage: test_verify_proofs.py SRCROOT
"""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT = sys.argv[1]
VERIFY = os.path.join(ROOT, 'tools', 'verify_proofs.py')
NAMES = ['boot', 'abi', 'graph', 'qos', 'organelles', 'irq', 'manifest', 'measure', 'obs',
         'release', 'summary']


def chain(ds):
    """The lines a kernel prints for the digests ds (docs/boot-proofs.md)."""
    lines, prev = [], bytes(32)
    for n, (name, d) in enumerate(zip(NAMES, ds)):
        prev = hashlib.blake2b(prev + ('#E%d %s' % (n, name)).encode() + d,
                               digest_size=32).digest()
        lines.append('#E%d %s d=%s c=%s' % (n, name, d.hex(), prev.hex()))
    return lines + ['proof ok c=%s' % prev.hex()]


def run(lines):
    with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
        f.write('\r\n'.join(lines) + '\r\n')
    try:
        r = subprocess.run([sys.executable, VERIFY, f.name], capture_output=True, text=True,
                           timeout=60)
    finally:
        os.unlink(f.name)
    return r.returncode, (r.stdout + r.stderr).strip()


DS = [hashlib.blake2b(b'proof %d' % i, digest_size=32).digest() for i in range(11)]
GOOD = chain(DS)
PRE = ['karyon 0.1 starting', 'karyon: ready in 1 us (1 TSC cycles since entry)']

rc, out = run(PRE + GOOD + ['karyon:/> proof'] + GOOD)
check(rc == 0 and 'chain ok' in out, 'accepts a good chain, printed again by `proof`', out)


def refused(name, lines, want):
    rc, out = run(lines)
    check(rc == 1 and want in out and len(out.splitlines()) == 1, name,
          'exit %d, %r; expected exit 1 and %r' % (rc, out, want))


bad = list(GOOD)
bad[4] = bad[4].replace(' d=' + DS[4].hex()[:2], ' d=' + ('00' if DS[4].hex()[:2] != '00' else '11'))
refused('an altered d names its line', PRE + bad, 'line 7: #E4 organelles')
bad = list(GOOD)
bad[6] = bad[6][:-1] + ('0' if bad[6][-1] != '0' else '1')
refused('an altered c names its line', PRE + bad, 'line 9: #E6 manifest')
refused('a missing line is named', PRE + GOOD[:3] + GOOD[4:], '#E3 qos was due')
refused('a chain cut short', PRE + GOOD[:8], '#E8 obs is missing')
refused('no proof ok', PRE + GOOD[:11], 'no "proof ok"')
refused('proof FAILED', PRE + GOOD[:11] + ['proof FAILED: no channel graph'],
        'the kernel says proof FAILED: no channel graph')
bad = list(GOOD)
bad[11] = 'proof ok c=' + '0' * 64
refused('proof ok with another c', PRE + bad, 'line 14: "proof ok" carries')
bad = list(GOOD)
bad[2] = bad[2].replace('#E2 graph', '#E2 grape')
refused('a renamed line', PRE + bad, "#E2 is named 'grape'")
again = list(GOOD)
again[5] = chain(DS[:5] + [bytes(32)] + DS[6:])[5]
refused('a chain printed again that differs', PRE + GOOD + again, 'printed again differs')
rc, out = run(['nothing to see'])
check(rc == 1 and 'no proof lines' in out, 'a log without proofs', out)
finish()
