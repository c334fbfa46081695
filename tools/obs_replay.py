#!/usr/bin/env python3
"""obs_replay.py - audit a recorded boot's channel 0 feed offline.

Usage: obs_replay.py LOG [--json]

Reads LOG, a captured serial log (QEMU's serial output, '-' for standard
input), finds every raw dump the kernel's `obs --raw` printed in it

    #O base SEQ INDEX          the first record's number, the index before it
    #O p HEX                   one framed parcel, every byte in hex
    #O end COUNT INDEX         records in the dump, the index after the last

decodes each parcel itself (magic, version, flags, length, the XXH3
check), re-prints the records, and recomputes the running index from the
dump's base, idx = XXH3_64(le64(previous idx) ++ framed parcel), checking
it against the dump's end line (docs/organelles.md, "Channel 0:
observability").  Exit status: 0 when every dump verifies; 1 with a
one-line reason on a malformed parcel, a wrong count or index, a dump cut
short, or a log with no dump; 2 on bad arguments.

XXH3 is Debian's libxxhash (libxxhash.so.0, package libxxhash0), loaded
with ctypes: the kernel's own hash.  The disk-region variant of the
issue is not available: the kernel keeps channel 0 in memory only (there
is no SysLog disk region), so a serial log is the only record to audit.
"""
import ctypes
import ctypes.util
import json
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

MAGIC, VERSION, HDR, PAYLOAD_MAX, F_KNOWN, F_MORE = 0xC5, 1, 16, 4096, 0x01, 0x01
KINDS = {1: 'log'}                  # channel 0 kinds (OBS_KIND_*)
LIBS = ('/usr/lib/x86_64-linux-gnu/libxxhash.so.0', 'libxxhash.so.0')
LINE = re.compile(r'#O (base|p|end)(?: (.*))?$')


class Bad(Exception):
    """A one-line reason the log does not verify."""


def load_xxh3():
    names = list(LIBS) + [ctypes.util.find_library('xxhash') or '']
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        f = lib.XXH3_64bits
        f.restype = ctypes.c_uint64
        f.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        return lambda b: f(b, len(b))
    return None


def decode(b, xxh3):
    """The parcel in bytes b (exactly one), as a dict; Bad if malformed."""
    if len(b) < HDR:
        raise Bad('truncated header (%d bytes)' % len(b))
    magic, version, channel, kind, flags, length, seq, check = struct.unpack('<BBHBBHII', b[:HDR])
    if magic != MAGIC:
        raise Bad('bad magic 0x%02x' % magic)
    if version != VERSION:
        raise Bad('bad version %d' % version)
    if flags & ~F_KNOWN:
        raise Bad('unknown flags 0x%02x' % flags)
    if length > PAYLOAD_MAX:
        raise Bad('length %d over max' % length)
    if len(b) != HDR + length:
        raise Bad('%d bytes for a parcel of length %d' % (len(b), length))
    want = xxh3(b[:12] + b'\0\0\0\0' + b[HDR:]) & 0xffffffff
    if check != want:
        raise Bad('bad checksum %08x (the bytes give %08x)' % (check, want))
    return {'channel': channel, 'kind': kind, 'flags': flags, 'length': length, 'seq': seq,
            'payload': b[HDR:]}


def chain(prev, b, xxh3):
    return xxh3(struct.pack('<Q', prev) + b)


def dumps(text):
    """(line number, kind, argument) of every #O line, in order."""
    for n, raw in enumerate(text.splitlines(), 1):
        at = raw.find('#O ')
        if at >= 0:
            m = LINE.match(raw[at:].rstrip('\r\n '))
            if not m:
                raise Bad('line %d: malformed #O line' % n)
            yield n, m.group(1), m.group(2) or ''


def verify(text, xxh3):
    """Every dump in text, verified: a list of dicts; Bad on the first fault."""
    out, cur = [], None
    for n, what, arg in dumps(text):
        if what == 'base':
            if cur:
                raise Bad('line %d: a new dump before line %d\'s ended' % (n, cur['line']))
            m = re.fullmatch(r'(\d+) ([0-9a-f]{16})', arg)
            if not m:
                raise Bad('line %d: malformed base line' % n)
            cur = {'line': n, 'first': int(m.group(1)), 'base': m.group(2), 'records': [],
                   'idx': int(m.group(2), 16)}
        elif not cur:
            raise Bad('line %d: #O %s outside a dump' % (n, what))
        elif what == 'p':
            if not re.fullmatch(r'(?:[0-9a-f]{2})+', arg):
                raise Bad('line %d: parcel %d: not hex' % (n, cur['first'] + len(cur['records'])))
            b = bytes.fromhex(arg)
            seq = cur['first'] + len(cur['records'])
            try:
                p = decode(b, xxh3)
            except Bad as e:
                raise Bad('line %d: parcel %d: %s' % (n, seq, e))
            cur['idx'] = chain(cur['idx'], b, xxh3)
            p['record'] = seq
            p['index'] = '%016x' % cur['idx']
            cur['records'].append(p)
        else:
            m = re.fullmatch(r'(\d+) ([0-9a-f]{16})', arg)
            if not m:
                raise Bad('line %d: malformed end line' % n)
            if int(m.group(1)) != len(cur['records']):
                raise Bad('line %d: the dump says %s records, it holds %d'
                          % (n, m.group(1), len(cur['records'])))
            if int(m.group(2), 16) != cur['idx']:
                raise Bad('line %d: index mismatch: the dump says %s, its records give %016x'
                          % (n, m.group(2), cur['idx']))
            cur['end'] = m.group(2)
            del cur['idx']
            out.append(cur)
            cur = None
    if cur:
        raise Bad('the dump at line %d has no end line (log cut short?)' % cur['line'])
    if not out:
        raise Bad('no "#O base" dump in the log (capture `obs --raw`)')
    return out


def text_of(payload):
    return ''.join(chr(c) if 32 <= c < 127 else '\\x%02x' % c for c in payload)


def main():
    ap = toolargs.parser('obs_replay.py', __doc__)
    ap.add_argument('log', metavar='LOG', help='the captured serial log ("-": standard input)')
    ap.add_argument('--json', action='store_true',
                    help='print the dumps as JSON (records with their fields and indexes)')
    a = ap.parse_args()
    xxh3 = load_xxh3()
    if not xxh3:
        ap.fail('libxxhash.so.0 not found (install Debian\'s libxxhash0)')
    try:
        if a.log == '-':
            data = sys.stdin.buffer.read()
        else:
            with open(a.log, 'rb') as f:
                data = f.read()
    except OSError as e:
        ap.error('%s: %s' % (a.log, e.strerror))
    try:
        found = verify(data.decode('utf-8', 'replace'), xxh3)
    except Bad as e:
        ap.fail(str(e))
    if a.json:
        for d in found:
            for r in d['records']:
                r['text'] = text_of(r.pop('payload'))
        json.dump(found, sys.stdout, indent=1)
        print()
        return 0
    for d in found:
        print('dump at line %d: records %d.. base %s' % (d['line'], d['first'], d['base']))
        for r in d['records']:
            print('%6d %2d %3d%s %s' % (r['record'], r['channel'], r['kind'],
                                        '+' if r['flags'] & F_MORE else '', text_of(r['payload'])))
        print('end: %d records, index %s: verified' % (len(d['records']), d['end']))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
