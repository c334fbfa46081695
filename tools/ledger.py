#!/usr/bin/env python3
"""ledger.py - read Karyon's commit log (modules/clog) from a disk image,
check it as the kernel's engine does, and list its records.

Usage: ledger.py DISK.img [--region-start LBA] [--json] [--verify] [--since SEQ]

Reads the two superblocks (the valid one with the higher generation wins),
then walks the chain from the area's base as modules/clog/log.c does:
every record decoded (magic, version, epoch, kind, reserved and padding,
BLAKE2b-256 hash), chained (prev, seq + 1), each sync's group starting on
a fresh sector.  Where the chain stops it tells, with the engine's rules, a
torn tail (cut: nothing after it was acknowledged) from a damaged
acknowledged record (corrupt: a later record's `durable` covers it, or it
lies before the superblock's head).  One line per record: seq, kind,
payload length, subject (the payload's leading NUL-terminated string) and
the first 12 hex digits of its hash.

Exit status: 0 the log verifies (a torn tail is cut, not an error), 1 it
is corrupt or there is no log, 2 a usage error.  The format is
abi/karyon/clog.h; tests/tools/test_ledger.py checks this tool against the
engine (a log written by tests/unit/clog_golden.c, and the golden record).
"""
import hashlib
import json
import mmap
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

SECTOR = 512
SB_MAGIC = 0x474F4C434E59524B
REC_MAGIC = 0x4345524B
VERSION = 1
KIND_MAX = 24
PAYLOAD_MAX = 1 << 20
GROUP_MAX = 4 << 20             # log.h CLOG_GROUP_MAX
REC = struct.Struct('<IHHIIQQ24s8s32s32s')
SB = struct.Struct('<QIIQQIIQQQ32sQQ32s336s32s')
SB_FIELDS = ('magic', 'version', 'sector_size', 'generation', 'region_sectors', 'epoch',
             'area', 'area_start', 'area_sectors', 'base_seq', 'base_prev', 'head_seq',
             'head_off', 'head_hash', 'reserved', 'sum')
HASH_AT = 96
assert REC.size == 128 and SB.size == 512


def blake(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def rec_size(length):
    return 128 + (length + 7) // 8 * 8


class BadRecord(Exception):
    def __init__(self, why, truncated=False):
        super().__init__(why)
        self.why = why
        self.truncated = truncated


def kind_ok(raw, padded=True):
    n = raw.find(b'\0')
    if n <= 0:
        return False
    if any(c < 0x20 or c > 0x7e for c in raw[:n]):
        return False
    return not padded or not any(raw[n:])


def decode_record(buf, epoch=0):
    """A dict for the record at the start of buf (bytes), or BadRecord with
    the engine's words (clog_rec_decode)."""
    if len(buf) < 4 or (len(buf) < 128 and buf[:4] == struct.pack('<I', REC_MAGIC)):
        raise BadRecord('header cut short', True)
    if len(buf) < 128:
        raise BadRecord('bad magic')
    (magic, version, flags, length, rec_epoch, seq, durable, kind, reserved, prev,
     rhash) = REC.unpack_from(buf)
    checks = [(magic != REC_MAGIC, 'bad magic'),
              (version != VERSION, 'unknown format version'),
              (flags != 0, 'unknown flags'),
              (epoch and rec_epoch != epoch, 'wrong epoch'),
              (seq == 0, 'seq 0'),
              (durable >= seq, 'durable not before seq'),
              (not kind_ok(kind), 'bad kind'),
              (any(reserved), 'reserved bytes not zero'),
              (length > PAYLOAD_MAX, 'payload too long')]
    for bad, why in checks:
        if bad:
            raise BadRecord(why)
    size = rec_size(length)
    if size > len(buf):
        raise BadRecord('payload cut short', True)
    if any(buf[128 + length:size]):
        raise BadRecord('padding not zero')
    body = bytes(buf[:128 + length])
    if blake(body[:HASH_AT] + bytes(32) + body[128:]) != rhash:
        raise BadRecord('hash mismatch')
    payload = body[128:]
    return {'seq': seq, 'durable': durable, 'epoch': rec_epoch,
            'kind': kind.split(b'\0')[0].decode(), 'length': length, 'prev': prev,
            'hash': rhash, 'payload': payload, 'size': size}


def encode_record(epoch, seq, durable, kind, payload, prev):
    """The record's bytes, padding included (clog_rec_encode)."""
    head = REC.pack(REC_MAGIC, VERSION, 0, len(payload), epoch, seq, durable,
                    kind.encode().ljust(KIND_MAX, b'\0'), bytes(8), prev, bytes(32))
    rhash = blake(head + payload)
    return head[:HASH_AT] + rhash + payload + bytes(rec_size(len(payload)) - 128 - len(payload))


def encode_super(**f):
    """A superblock sector from its fields (clog_super_encode fills sum)."""
    f = dict(f, magic=SB_MAGIC, version=VERSION, sector_size=SECTOR, reserved=bytes(336),
             sum=bytes(32))
    raw = SB.pack(*[f[k] for k in SB_FIELDS])
    return raw[:480] + blake(raw[:480])


def decode_super(raw, device_sectors):
    """(fields, None) or (fields or None, why), as clog_super_decode."""
    f = dict(zip(SB_FIELDS, SB.unpack_from(raw)))
    if f['magic'] != SB_MAGIC:
        return None, 'blank' if not any(raw) else 'bad magic'
    checks = [(f['version'] != VERSION, 'unknown format version'),
              (f['sector_size'] != SECTOR, 'wrong sector size'),
              (blake(bytes(raw[:480])) != f['sum'], 'checksum mismatch'),
              (any(f['reserved']), 'reserved bytes not zero'),
              (f['region_sectors'] > device_sectors or f['region_sectors'] < 4,
               'region larger than the device'),
              (f['area'] > 1 or not f['area_sectors'] or
               f['area_sectors'] > (f['region_sectors'] - 2) // 2 or
               f['area_start'] != 2 + f['area'] * f['area_sectors'], 'areas do not fit the region'),
              (not f['epoch'] or not f['base_seq'] or f['head_seq'] < f['base_seq'] - 1 or
               f['head_off'] > f['area_sectors'] * SECTOR or f['head_off'] % 8,
               'head outside the area'),
              (f['head_seq'] == f['base_seq'] - 1 and
               (f['head_off'] or f['head_hash'] != f['base_prev']), 'empty log with a head')]
    for bad, why in checks:
        if bad:
            return f, why
    return f, None


class Log:
    """The engine's recovery (log.c recover) over an image."""

    def __init__(self, image, region_start):
        self.img = image
        self.start = region_start * SECTOR
        self.device_sectors = len(image) // SECTOR - region_start

    def sector(self, lba):
        return bytes(self.img[self.start + lba * SECTOR:self.start + (lba + 1) * SECTOR])

    def area(self, off, n):
        n = max(0, min(n, self.area_bytes - off))
        base = self.start + self.sb['area_start'] * SECTOR + off
        return self.img[base:base + n]

    def open(self):
        """Fills self.sb, self.records, self.cut, self.corrupt; False if no log."""
        cands = []
        self.why_none = []
        for i in (0, 1):
            f, why = decode_super(self.sector(i), self.device_sectors)
            cands.append(f if why is None else None)
            self.why_none.append(why)
        if cands[0] is None and cands[1] is None:
            return False
        pick = 1 if cands[0] is None or (cands[1] is not None and
                                         cands[1]['generation'] > cands[0]['generation']) else 0
        self.sb = cands[pick]
        self.sb_copy = 'AB'[pick]
        self.area_bytes = self.sb['area_sectors'] * SECTOR
        self.records, self.cut, self.corrupt = [], None, None
        self.recover()
        return True

    def zero_to_sector(self, off):
        return not any(self.area(off, SECTOR - off % SECTOR))

    def try_record(self, off, seq, prev):
        head = self.area(off, 128)
        need = 128
        if len(head) == 128:
            length = struct.unpack_from('<I', head, 8)[0]
            if length <= PAYLOAD_MAX:
                need = rec_size(length)
        r = decode_record(self.area(off, need), self.sb['epoch'])
        if r['seq'] != seq:
            raise BadRecord('out of sequence')
        if r['prev'] != prev:
            raise BadRecord("chain broken (prev is not the previous record's hash)")
        return r

    def scan_next(self, off, seq, prev):
        """(record, at) or (None, (fail_off, why)): log.c scan_next."""
        cands = [off] + ([(off + SECTOR - 1) // SECTOR * SECTOR] if off % SECTOR else [])
        fail = None
        for i, at in enumerate(cands):
            if at >= self.area_bytes:
                why = 'end of the area'
            elif i == 0 and len(cands) == 2 and self.zero_to_sector(at):
                continue
            else:
                try:
                    return self.try_record(at, seq, prev), at
                except BadRecord as e:
                    why = e.why
            if fail is None:
                fail = (at, why)
            if at >= self.area_bytes:
                break
        return None, fail

    def later_durable(self, fail_off, seq):
        """(seq of a later record whose durable >= seq, or None; end of the
        torn data as far as headers tell): log.c later_durable."""
        torn_end = fail_off
        at = (fail_off + SECTOR) // SECTOR * SECTOR
        last = fail_off + GROUP_MAX + SECTOR
        while at <= last and at + 128 <= self.area_bytes:
            h = REC.unpack_from(self.area(at, 128))
            magic, version, _, length, epoch, rseq, durable = h[:7]
            at_next = at + SECTOR
            if (magic == REC_MAGIC and version == VERSION and epoch == self.sb['epoch'] and
                    rseq >= seq and length <= PAYLOAD_MAX):
                end = min(at + rec_size(length), self.area_bytes)
                torn_end = max(torn_end, end)
                if durable >= seq and end - at == rec_size(length):
                    try:
                        decode_record(self.area(at, rec_size(length)), self.sb['epoch'])
                        return rseq, torn_end
                    except BadRecord:
                        pass
            at = at_next
        return None, torn_end

    def recover(self):
        sb = self.sb
        off, seq, prev = 0, sb['base_seq'], sb['base_prev']
        self.head_end = 0
        while True:
            r, at = self.scan_next(off, seq, prev)
            if r is None:
                fail_off, why = at
                break
            if r['seq'] == sb['head_seq'] and r['hash'] != sb['head_hash']:
                self.corrupt = (r['seq'], at, "record %d at offset %d: not the superblock's head"
                                % (r['seq'], at))
                return
            r['off'] = at
            self.records.append(r)
            off, seq, prev = at + r['size'], seq + 1, r['hash']
            self.head_end = off
        if fail_off >= self.area_bytes:
            return
        if seq <= sb['head_seq'] or fail_off < sb['head_off']:
            self.corrupt = (seq, fail_off, "record %d at offset %d: %s, before the "
                            "superblock's head" % (seq, fail_off, why))
            return
        who, torn_end = self.later_durable(fail_off, seq)
        if who is not None:
            self.corrupt = (seq, fail_off, 'record %d at offset %d: %s, but record %d written '
                            'after it says it was acknowledged' % (seq, fail_off, why, who))
            return
        if not self.zero_to_sector(fail_off):
            end = (fail_off + SECTOR) // SECTOR * SECTOR
            head = self.area(fail_off, 128)
            if len(head) == 128:
                magic, _, _, length, epoch = REC.unpack_from(head)[:5]
                if magic == REC_MAGIC and epoch == sb['epoch'] and length <= PAYLOAD_MAX:
                    end = max(end, fail_off + rec_size(length))
            torn_end = max(torn_end, end)
        cut = min(torn_end, self.area_bytes) - fail_off
        if cut:
            self.cut = {'seq': seq, 'offset': fail_off, 'bytes': cut, 'why': why}


def subject(payload):
    s = payload.split(b'\0', 1)[0]
    return s.decode('utf-8', 'replace')


def main():
    ap = toolargs.parser('ledger.py', __doc__)
    ap.add_argument('image', metavar='DISK.img', help='the disk image holding the log')
    ap.add_argument('--region-start', metavar='LBA', type=int, default=0,
                    help='the sector where the log region starts (default 0)')
    ap.add_argument('--json', action='store_true',
                    help='print one JSON document (superblock, records, cut, corrupt) instead')
    ap.add_argument('--verify', action='store_true',
                    help='check only: print the summary line, not the records')
    ap.add_argument('--since', metavar='SEQ', type=int, default=0,
                    help='list records from this seq on (the check still covers all)')
    a = ap.parse_args()
    if a.region_start < 0 or a.since < 0:
        ap.error('--region-start and --since take numbers >= 0')
    try:
        with open(a.image, 'rb') as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < (a.region_start + 4) * SECTOR:
                ap.fail('%s: too small for a log region at sector %d' % (a.image, a.region_start))
            img = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as e:
        ap.fail('%s: %s' % (a.image, e.strerror))
    log = Log(img, a.region_start)
    if not log.open():
        ap.fail('%s: no commit log: superblock A %s, B %s' % (a.image, *log.why_none))
    sb = log.sb
    shown = [r for r in log.records if r['seq'] >= a.since]
    if a.json:
        doc = {'superblock': {'copy': log.sb_copy, 'generation': sb['generation'],
                              'epoch': sb['epoch'], 'area': sb['area'],
                              'base_seq': sb['base_seq'], 'head_seq': sb['head_seq']},
               'records': [] if a.verify else
               [{'seq': r['seq'], 'kind': r['kind'], 'length': r['length'], 'durable': r['durable'],
                 'offset': r['off'], 'subject': subject(r['payload']), 'hash': r['hash'].hex()}
                for r in shown],
               'cut': log.cut,
               'corrupt': None if not log.corrupt else
               {'seq': log.corrupt[0], 'offset': log.corrupt[1], 'why': log.corrupt[2]}}
        print(json.dumps(doc, indent=1))
    else:
        if not a.verify:
            for r in shown:
                print('%8d  %-23s %7d  %-32s %s' % (r['seq'], r['kind'], r['length'],
                                                    subject(r['payload'])[:32],
                                                    r['hash'].hex()[:12]))
        first = log.records[0]['seq'] if log.records else 0
        last = log.records[-1]['seq'] if log.records else 0
        print('epoch %d, area %d, superblock %s (generation %d): %d records, seq %d..%d'
              % (sb['epoch'], sb['area'], log.sb_copy, sb['generation'], len(log.records),
                 first, last))
        if log.cut:
            print('torn tail cut: %d bytes at offset %d (seq %d would have been next: %s)'
                  % (log.cut['bytes'], log.cut['offset'], log.cut['seq'], log.cut['why']))
        if log.corrupt:
            print('CORRUPT: ' + log.corrupt[2])
    return 1 if log.corrupt else 0


if __name__ == '__main__':
    sys.exit(main())
