#!/usr/bin/env python3
"""test_vm_proof.py - tools/vm_proof.py verifies the state tree's proofs as
the C side (modules/vm/smt.c) makes them, and refuses tampered ones.

Usage: test_vm_proof.py SRCROOT SMT_GOLDEN

SMT_GOLDEN (tests/unit/smt_golden.c, built with smt.c) prints the golden
state's root and a proof for each of its slots and for absent keys.  Each
must verify with the tool (as a command for a sample, through its verify()
for the rest); each with one bit flipped in any byte, or checked against
another root, value or presence, must be refused with exit 1 and one line.
The checked-in golden proofs (tests/unit/golden/smt_proof*.bin, which
test_vm_smt.c compares with the C encoder byte for byte) must verify here
against the checked-in root.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT, GOLDEN = sys.argv[1:3]
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import vm_proof  # noqa: E402

TOOL = os.path.join(ROOT, 'tools', 'vm_proof.py')
GOLDEN_DIR = os.path.join(ROOT, 'tests', 'unit', 'golden')


def run(*args):
    r = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True,
                       timeout=60)
    return r.returncode, r.stdout, r.stderr


def refused(buf, root, key, value=None, absent=False):
    try:
        vm_proof.verify(buf, root, key, value, absent)
    except vm_proof.BadProof:
        return True
    return False


def main():
    out = subprocess.run([GOLDEN], capture_output=True, text=True, check=True).stdout
    lines = [line.split(' ') for line in out.splitlines()]
    root_hex = lines[0][1]
    root = bytes.fromhex(root_hex)
    incl = [x for x in lines if x[0] == 'incl']
    excl = [x for x in lines if x[0] == 'excl']
    check(len(incl) >= 10 and len(excl) >= 10, 'smt_golden prints proofs of both kinds',
          '%d inclusion, %d exclusion' % (len(incl), len(excl)))

    bad = []
    for x in incl + excl:
        contract, skey, proof = bytes.fromhex(x[1]), x[2].encode(), bytes.fromhex(x[-1])
        key = vm_proof.leaf_key(contract, skey)
        value = None
        if x[0] == 'incl':
            value = b'' if x[3] == '-' else bytes.fromhex(x[3])
        try:
            kind = vm_proof.verify(proof, root, key, value, absent=x[0] == 'excl')
            if kind != ('inclusion' if x[0] == 'incl' else 'exclusion'):
                bad.append('%s %s: %s' % (x[0], x[2], kind))
        except vm_proof.BadProof as e:
            bad.append('%s %s: %s' % (x[0], x[2], e))
    check(not bad, 'every C proof verifies in Python', '; '.join(bad[:5]))

    # One bit flipped in any byte of any proof: refused.
    slipped = []
    for x in incl[:4] + excl[:4]:
        contract, skey, proof = bytes.fromhex(x[1]), x[2].encode(), bytes.fromhex(x[-1])
        key = vm_proof.leaf_key(contract, skey)
        value = (b'' if x[3] == '-' else bytes.fromhex(x[3])) if x[0] == 'incl' else None
        for i in range(len(proof)):
            for b in (0, 3, 7):
                t = bytearray(proof)
                t[i] ^= 1 << b
                if not refused(bytes(t), root, key, value, x[0] == 'excl'):
                    slipped.append('%s %s byte %d bit %d' % (x[0], x[2], i, b))
    check(not slipped, 'a proof with one bit flipped anywhere is refused', '; '.join(slipped[:5]))

    # Against another root, value or presence: refused.
    x = incl[0]
    contract, proof = bytes.fromhex(x[1]), bytes.fromhex(x[-1])
    key = vm_proof.leaf_key(contract, x[2].encode())
    other_root = bytes([root[0] ^ 1]) + root[1:]
    check(refused(proof, other_root, key), 'refused against another root')
    check(refused(proof, root, key, b'nope'), 'refused with another value')
    check(refused(proof, root, key, absent=True), 'an inclusion proof does not prove absence')
    check(refused(bytes.fromhex(excl[0][-1]), root,
                  vm_proof.leaf_key(bytes.fromhex(excl[0][1]), excl[0][2].encode()), b''),
          'an exclusion proof does not prove a value')
    check(refused(proof, root, vm_proof.leaf_key(contract, b'other')),
          'refused for another key')

    # The command line: a sample, good and tampered, as hex and as a file.
    args = ['--root', root_hex, '--contract', x[1], '--key-text', x[2]]
    rc, so, se = run(x[-1], *args)
    check(rc == 0 and so.strip() == 'proof ok: inclusion', 'vm_proof.py accepts an inclusion',
          'exit %d: %s%s' % (rc, so, se))
    v = [] if x[3] == '-' else ['--value', x[3]]
    rc, so, se = run(x[-1], *(args + v))
    check(rc == 0, 'vm_proof.py accepts it with its value', 'exit %d: %s' % (rc, se))
    rc, so, se = run(x[-1], *(args + ['--value-text', 'nope']))
    check(rc == 1 and len(se.strip().splitlines()) == 1 and 'another value' in se,
          'vm_proof.py refuses another value in one line', 'exit %d: %r' % (rc, se))
    t = bytearray(proof)
    t[len(t) // 2] ^= 0x10
    rc, so, se = run(t.hex(), *args)
    check(rc == 1 and len(se.strip().splitlines()) == 1 and 'Traceback' not in se,
          'vm_proof.py refuses a tampered proof in one line', 'exit %d: %r' % (rc, se))
    e = excl[0]
    rc, so, se = run(e[-1], '--root', root_hex, '--contract', e[1], '--key-text', e[2],
                     '--absent')
    check(rc == 0 and so.strip() == 'proof ok: exclusion', 'vm_proof.py accepts an exclusion',
          'exit %d: %s%s' % (rc, so, se))

    # The checked-in golden proofs, from files, against the checked-in root.
    with open(os.path.join(GOLDEN_DIR, 'smt_proof.root')) as f:
        groot = f.read().strip()
    check(groot == root_hex, 'the golden root is the C root', '%s vs %s' % (groot, root_hex))
    rc, so, se = run(os.path.join(GOLDEN_DIR, 'smt_proof.bin'), '--root', groot,
                     '--contract', 'c0' * 32, '--key-text', 'balance:alice',
                     '--value-text', '100')
    check(rc == 0 and 'inclusion' in so, 'the golden inclusion proof verifies',
          'exit %d: %s' % (rc, se))
    rc, so, se = run(os.path.join(GOLDEN_DIR, 'smt_proof_absent.bin'), '--root', groot,
                     '--contract', 'c1' * 32, '--key-text', 'balance:bob', '--absent')
    check(rc == 0 and 'exclusion' in so, 'the golden exclusion proof verifies',
          'exit %d: %s' % (rc, se))
    finish()


if __name__ == '__main__':
    main()
