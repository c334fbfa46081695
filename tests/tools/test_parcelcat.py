#!/usr/bin/env python3
"""test_parcelcat.py - parcelcat (tools/parcel/) frames and reads parcels
bit for bit as the kernel's codec does.

Usage: test_parcelcat.py PARCELCAT GOLDEN_DIR

The golden parcels (tests/unit/golden/parcel.bin, which test_parcel.c
checks against the codec's encoder and decoder) must decode to
parcel.txt; a line encoded with the golden parcel's inputs must give its
exact bytes; lines survive encode | decode, a long one split in parcels
flagged more; a flipped byte, a cut stream and a wrong magic are refused
with the reason and offset, after the parcels before them are printed.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

TOOL, GOLDEN = sys.argv[1:3]
with open(os.path.join(GOLDEN, 'parcel.bin'), 'rb') as f:
    BIN = f.read()
with open(os.path.join(GOLDEN, 'parcel.txt')) as f:
    TXT = f.read()


def run(args, data=b''):
    return subprocess.run([TOOL] + args, input=data, capture_output=True, timeout=30)


def parcels(data):
    """Split a well-formed stream at its length fields."""
    out, off = [], 0
    while off < len(data):
        n = 16 + int.from_bytes(data[off + 6:off + 8], 'little')
        out.append(data[off:off + n])
        off += n
    return out


r = run(['decode', os.path.join(GOLDEN, 'parcel.bin')])
check(r.returncode == 0 and r.stdout.decode() == TXT, 'golden decodes to parcel.txt',
      'exit %d, got:\n%s%s' % (r.returncode, r.stdout.decode(), r.stderr.decode()))
r = run(['decode'], BIN)
check(r.returncode == 0 and r.stdout.decode() == TXT, 'golden from stdin', r.stderr.decode())

# The third golden parcel: channel 7, kind 3, seq 42, "hello, organelles".
r = run(['encode', '--channel', '7', '--kind', '3', '--seq', '42'], b'hello, organelles\n')
check(r.returncode == 0 and r.stdout == parcels(BIN)[2], 'encode gives the golden bytes',
      r.stdout.hex())

lines = [b'first', b'', b'x' * 4096, b'tab\there']
r = run(['encode', '--channel', '65535', '--seq', '4294967295'], b'\n'.join(lines) + b'\n')
d = run(['decode'], r.stdout)
want = ''.join('channel=65535 kind=0 flags=0x00 seq=%d length=%d payload="%s"\n'
               % ((4294967295 + i) % 2**32, len(l), l.decode().replace('\t', '\\x09'))
               for i, l in enumerate(lines))
check(r.returncode == 0 and d.returncode == 0 and d.stdout.decode() == want,
      'encode | decode keeps lines, seq wraps', d.stdout.decode()[:400] + d.stderr.decode())

r = run(['encode'], b'y' * 5000 + b'\n')
d = run(['decode'], r.stdout)
out = d.stdout.decode().splitlines()
check(len(out) == 2 and 'flags=0x01 seq=0 length=4096' in out[0]
      and 'flags=0x00 seq=1 length=904' in out[1], 'a long line goes as parcels flagged more',
      '\n'.join(o[:80] for o in out))

# Malformed streams: the parcels before are printed, then the reason.
first = parcels(BIN)[0]
bad = bytearray(BIN)
bad[len(first) + 3] ^= 0x10           # the second parcel's channel
d = run(['decode'], bytes(bad))
check(d.returncode == 1 and d.stdout.decode() == TXT.splitlines(True)[0]
      and b'offset %d: bad checksum' % len(first) in d.stderr, 'a flipped bit is refused',
      d.stderr.decode())
d = run(['decode'], BIN[:-1])
check(d.returncode == 1 and b'truncated payload' in d.stderr, 'a cut stream is refused',
      d.stderr.decode())
d = run(['decode'], b'\xc4' + BIN[1:])
check(d.returncode == 1 and d.stdout == b'' and b'offset 0: bad magic' in d.stderr,
      'a wrong magic is refused', d.stderr.decode())
d = run(['decode'], b'')
check(d.returncode == 0 and d.stdout == b'', 'an empty stream holds no parcels')

r = run(['--no-such-option'])
check(r.returncode == 2 and len(r.stderr.splitlines()) == 1, 'a bad option: one line, exit 2')
r = run(['--help'])
check(r.returncode == 0 and r.stdout.startswith(b'usage:'), '--help')
r = run(['encode', '--channel', '65536'])
check(r.returncode == 2, 'a channel over 65535 is refused')
finish()
