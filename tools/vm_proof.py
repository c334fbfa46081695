#!/usr/bin/env python3
"""vm_proof.py - check a contract VM state proof (what `vm proof CONTRACT
KEY` prints) against a state root, independently of the kernel's C code.

Usage: vm_proof.py PROOF --root HEX --contract HEX (--key HEX | --key-text S)
                   [--value HEX | --value-text S | --absent]

PROOF is the proof in hex, or a file holding it (raw bytes, or hex text).
The slot's key is BLAKE2b-256(contract address || storage key); the proof
must be for that key, lead to the root, and show the key holding the given
value (or any value, with none given), or show it absent (--absent).

Exit status: 0 and "proof ok: inclusion" or "proof ok: exclusion"; 1 and
one line saying why the proof does not verify; 2 a usage error.  The format
is pinned in modules/vm/smt.h and docs/contracts-state.md; only hashlib's
BLAKE2b is used.  tests/tools/test_vm_proof.py checks this tool against the
C side (tests/unit/smt_golden.c), tampered proofs included.
"""
import hashlib
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

MAGIC = b'KSMP'
VERSION = 1
HEAD = 136
DEPTH = 256
ZERO = bytes(32)
INCLUSION, EMPTY, OTHER = 0, 1, 2
SKEY_MAX = 256


class BadProof(Exception):
    """The proof is malformed or does not prove what was asked."""


def h(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def bit(b, i):
    return (b[i >> 3] >> (7 - (i & 7))) & 1


def crit(a, b):
    """The first bit a and b differ in; 256 if they are equal."""
    for i in range(DEPTH):
        if bit(a, i) != bit(b, i):
            return i
    return DEPTH


def leaf_key(contract, skey):
    return h(contract + skey)


def leaf_hash(key, vhash):
    return h(b'\x00' + key + vhash)


def decode(buf):
    """A dict of the proof's fields; BadProof on any non-canonical byte."""
    if len(buf) < HEAD:
        raise BadProof('shorter than the 136-byte header')
    if buf[:4] != MAGIC:
        raise BadProof('bad magic (not a KSMP proof)')
    if buf[4] != VERSION:
        raise BadProof('unknown version %d' % buf[4])
    kind = buf[5]
    if kind > OTHER:
        raise BadProof('unknown kind %d' % kind)
    depth, = struct.unpack_from('<H', buf, 6)
    key, bitmap, vhash, other = (buf[8 + 32 * i:40 + 32 * i] for i in range(4))
    if depth > DEPTH:
        raise BadProof('depth %d beyond 256' % depth)
    at = [i for i in range(DEPTH) if bit(bitmap, i)]
    if at and at[-1] >= depth:
        raise BadProof('a sibling at or below the proof\'s depth')
    if depth and not bit(bitmap, depth - 1):
        raise BadProof('no sibling just above the proof\'s depth')
    if len(buf) != HEAD + 32 * len(at):
        raise BadProof('length %d is not 136 + 32 bytes per sibling (%d)' % (len(buf), len(at)))
    sibs = {i: buf[HEAD + 32 * n:HEAD + 32 * n + 32] for n, i in enumerate(at)}
    if ZERO in sibs.values():
        raise BadProof('an empty sibling listed as non-empty')
    if kind != OTHER and other != ZERO:
        raise BadProof('other key set in a proof of another kind')
    if kind == EMPTY and vhash != ZERO:
        raise BadProof('value hash set in an empty-subtree proof')
    if kind == EMPTY and depth == DEPTH:
        raise BadProof('empty subtree at depth 256')
    if kind == OTHER:
        c = crit(other, key)
        if c == DEPTH:
            raise BadProof('other key equals the key')
        if c < depth:
            raise BadProof('other key is not on the key\'s path')
    return {'kind': kind, 'depth': depth, 'key': key, 'vhash': vhash, 'other': other,
            'sibs': sibs}


def proof_root(p):
    """The root the decoded proof stands for, hashed up from its depth."""
    if p['kind'] == INCLUSION:
        node = leaf_hash(p['key'], p['vhash'])
    elif p['kind'] == OTHER:
        node = leaf_hash(p['other'], p['vhash'])
    else:
        node = ZERO
    for i in range(p['depth'] - 1, -1, -1):
        s = p['sibs'].get(i, ZERO)
        node = h(b'\x01' + s + node) if bit(p['key'], i) else h(b'\x01' + node + s)
    return node


def verify(buf, root, key, value=None, absent=False):
    """'inclusion' or 'exclusion' if buf proves it against root; BadProof if not.
    value: the bytes key must hold (None: any); absent: key must be absent."""
    p = decode(buf)
    if p['key'] != key:
        raise BadProof('the proof is for another key')
    if absent and p['kind'] == INCLUSION:
        raise BadProof('the proof shows the key present')
    if value is not None and p['kind'] != INCLUSION:
        raise BadProof('the proof shows the key absent')
    if value is not None and p['vhash'] != h(value):
        raise BadProof('the proof holds another value')
    if proof_root(p) != root:
        raise BadProof('the proof does not lead to the root')
    return 'inclusion' if p['kind'] == INCLUSION else 'exclusion'


def unhex(ap, what, s, size=None):
    s = s.strip()
    if s.startswith('0x'):
        s = s[2:]
    if not re.fullmatch(r'(?:[0-9a-fA-F]{2})*', s):
        ap.error('%s: not hex: %r' % (what, s[:40]))
    b = bytes.fromhex(s)
    if size is not None and len(b) != size:
        ap.error('%s: %d bytes, not %d' % (what, len(b), size))
    return b


def read_proof(ap, arg):
    if os.path.isfile(arg):
        try:
            with open(arg, 'rb') as f:
                data = f.read()
        except OSError as e:
            ap.fail('%s: %s' % (arg, e.strerror))
        text = data.strip()
        if text[:8] == b'4b534d50':         # "KSMP" in hex: a hex file
            return unhex(ap, arg, text.decode('ascii', 'replace'))
        return data
    if re.fullmatch(r'(?:0x)?[0-9a-fA-F]*', arg) and len(arg) >= 2 * HEAD:
        return unhex(ap, 'PROOF', arg)
    ap.error('PROOF: neither a file nor a proof in hex: %r' % arg[:40])


def main(argv=None):
    ap = toolargs.parser('vm_proof.py', __doc__)
    ap.add_argument('proof', metavar='PROOF',
                    help='the proof: hex, or a file holding it raw or in hex')
    ap.add_argument('--root', metavar='HEX', required=True,
                    help='the state root (32 bytes in hex) the proof must lead to')
    ap.add_argument('--contract', metavar='HEX', required=True,
                    help='the contract\'s address (32 bytes in hex)')
    k = ap.add_mutually_exclusive_group(required=True)
    k.add_argument('--key', metavar='HEX', help='the storage key, in hex')
    k.add_argument('--key-text', metavar='S', help='the storage key, as text (UTF-8)')
    v = ap.add_mutually_exclusive_group()
    v.add_argument('--value', metavar='HEX',
                   help='the value the key must hold, in hex ("" for an empty value)')
    v.add_argument('--value-text', metavar='S', help='the value the key must hold, as text')
    v.add_argument('--absent', action='store_true',
                   help='require an exclusion proof: the key is not in the state')
    a = ap.parse_args(argv)
    root = unhex(ap, '--root', a.root, 32)
    contract = unhex(ap, '--contract', a.contract, 32)
    skey = unhex(ap, '--key', a.key) if a.key is not None else a.key_text.encode()
    if len(skey) > SKEY_MAX:
        ap.error('storage key of %d bytes: at most %d' % (len(skey), SKEY_MAX))
    value = None
    if a.value is not None:
        value = unhex(ap, '--value', a.value)
    elif a.value_text is not None:
        value = a.value_text.encode()
    buf = read_proof(ap, a.proof)
    try:
        kind = verify(buf, root, leaf_key(contract, skey), value, a.absent)
    except BadProof as e:
        ap.fail('proof rejected: %s' % e)
    print('proof ok: %s' % kind)
    return 0


if __name__ == '__main__':
    sys.exit(main())
