#!/usr/bin/env python3
"""test_ledger.py - tools/ledger.py reads the commit log as the engine
(modules/clog/log.c) writes it.

Usage: test_ledger.py SRCROOT CLOG_GOLDEN

CLOG_GOLDEN (tests/unit/clog_golden.c, built with the engine) writes a
small log image at a region offset and prints the records it holds and the
torn tail recovery cuts; the ledger must verify the image and report the
same seqs, kinds, lengths, hashes and cut.  A byte flipped in an
acknowledged record must make it exit 1 naming the record.  And the
checked-in golden record (tests/unit/golden/clog_record.bin, which
test_clog.c checks against the C encoder) must decode here to the fixed
inputs of tests/unit/clog_golden.h and re-encode to the same bytes, so a
format change on either side fails a test.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT, GOLDEN = sys.argv[1:3]
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import ledger  # noqa: E402

LEDGER = os.path.join(ROOT, 'tools', 'ledger.py')
LEAD = 3


def run(*args):
    r = subprocess.run([sys.executable, LEDGER] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def main():
    with tempfile.TemporaryDirectory(prefix='ledger-') as d:
        img = os.path.join(d, 'disk.img')
        out = subprocess.run([GOLDEN, img, str(LEAD)], capture_output=True, text=True,
                             check=True).stdout.split('\n')
        want = [line.split() for line in out if line and not line.startswith('cut ')]
        cut = [line.split()[1:] for line in out if line.startswith('cut ')][0]

        rc, so, se = run(img, '--region-start', LEAD, '--json')
        check(rc == 0, 'golden image verifies', 'exit %d: %s' % (rc, se))
        doc = json.loads(so) if rc == 0 else {'records': [], 'cut': None}
        got = [[str(r['seq']), r['kind'], str(r['length']), r['hash']] for r in doc['records']]
        check(got == want, 'same records as the engine', 'ledger %r, engine %r' % (got, want))
        check(doc['cut'] is not None and [str(doc['cut']['seq']), str(doc['cut']['bytes'])] == cut,
              'same torn tail as the engine', 'ledger %r, engine %r' % (doc['cut'], cut))
        check(doc['corrupt'] is None, 'not corrupt')

        rc, so, _ = run(img, '--region-start', LEAD, '--since', want[1][0])
        lines = so.splitlines()
        check(rc == 0 and lines[0].split()[0] == want[1][0] and
              lines[0].split()[-1] == want[1][3][:12] and 'hello.kmod' in lines[0] and
              'torn tail cut' in so, 'text listing from --since', so)
        rc, so, _ = run(img, '--region-start', LEAD, '--verify')
        check(rc == 0 and len(so.splitlines()) == 2, '--verify prints the summary only', so)
        rc, _, se = run(img)
        check(rc == 1 and 'no commit log' in se, 'no log at the wrong offset: exit 1', se)
        rc, _, se = run(img, '--frob')
        check(rc == 2 and len(se.strip().splitlines()) == 1, 'bad option: exit 2, one line', se)

        # a byte flipped inside the second record (acknowledged: the group
        # after it was written when it was durable)
        second = doc['records'][1] if len(doc['records']) > 1 else {'offset': 0, 'seq': 0}
        with open(img, 'r+b') as f:
            sb = ledger.Log(open(img, 'rb').read(), LEAD)
            sb.open()
            pos = (LEAD + sb.sb['area_start']) * 512 + second['offset'] + 140
            f.seek(pos)
            b = f.read(1)
            f.seek(pos)
            f.write(bytes([b[0] ^ 0x10]))
        rc, so, _ = run(img, '--region-start', LEAD)
        check(rc == 1 and 'CORRUPT: record %d ' % second['seq'] in so and 'hash mismatch' in so,
              'a flipped byte in an acknowledged record: corrupt, exit 1', so)

    # the golden record, against the inputs of tests/unit/clog_golden.h
    raw = open(os.path.join(ROOT, 'tests', 'unit', 'golden', 'clog_record.bin'), 'rb').read()
    payload = b'/etc/motd\0hello, world\n'
    prev = bytes(range(32))
    r = ledger.decode_record(raw, 3)
    check((r['seq'], r['durable'], r['epoch'], r['kind'], r['payload'], r['prev']) ==
          (42, 40, 3, 'vfs.write', payload, prev), 'golden record decodes to its inputs', repr(r))
    check(r['size'] == len(raw), 'golden record: size with padding',
          '%d != %d' % (r['size'], len(raw)))
    zeroed = raw[:96] + bytes(32) + raw[128:128 + len(payload)]
    check(hashlib.blake2b(zeroed, digest_size=32).digest() == raw[96:128],
          'golden record: hash recomputed')
    check(ledger.encode_record(3, 42, 40, 'vfs.write', payload, prev) == raw,
          'golden record: re-encoded to the same bytes')
    finish()


if __name__ == '__main__':
    main()
