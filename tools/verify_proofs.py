#!/usr/bin/env python3
"""verify_proofs.py - check a boot's proof chain (#E0 ... #E10, "proof ok").

Usage: verify_proofs.py LOG [--image ISO]

Reads the serial log of a Karyon boot, takes its chain of boot proofs
(docs/boot-proofs.md) and checks it: exactly #E0..#E10 in order, each with
its name, every c recomputed from the d's (c_n = BLAKE2b-256(c_{n-1} ||
"#En " || NAME || d_n), c_{-1} 32 zero bytes), and a final "proof ok"
carrying the last c.  A chain printed again later in the log (the shell's
`proof`) must be the same chain.

With --image, the files of the ISO the log was booted from are extracted
(xorriso) and every d that can be rebuilt from them is: E0 (ABI, command
line, boot modules' names and sizes), E2 (the channel graph blob), E3 and
E4 (the blob decoded: QoS, budgets, the organelles' fixed tables), E6 (the
module manifest), E7 (the boot modules' and the kernel image's digests)
and E9 (the release manifest, which must also list the extracted files
with their digests).  E1, E5, E8 and E10 are checked by the chain only.

Prints one line; exit status 0 if the chain holds, 1 with the first line
that does not (its line number in LOG), 2 for bad arguments.
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

NAMES = ['boot', 'abi', 'graph', 'qos', 'organelles', 'irq', 'manifest', 'measure', 'obs',
         'release', 'summary']
LINE = re.compile(r'^#E(\d+) (\S+) d=([0-9a-f]{64}) c=([0-9a-f]{64})$')
END = re.compile(r'^proof (ok c=([0-9a-f]{64})|FAILED: .*)$')

# The organelles' fixed tables, as modules/organelles/{golgi,lyso,perox,mito}.c name them.
GOLGI_RULES = ['deliver', 'sanitizer', 'not-in-graph', 'dead-sender', 'dead-receiver',
               'energy', 'reservoir', 'queue-full', 'bucket']
LYSO_REASONS = ['none', 'energy', 'sanitizer', 'fault', 'admin']
PEROX_REASONS = ['ok', 'truncated', 'bad magic', 'bad version', 'unknown flags', 'bad length',
                 'bad checksum', 'no such channel']
MITO_RES = ['gas', 'parcels', 'bytes', 'pages', 'io']
UNLIMITED = (1 << 64) - 1


class Refused(Exception):
    """The chain does not hold: the message names the line."""


def b2(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def chain_step(prev, n, name, d):
    return b2(prev + ('#E%d %s' % (n, name)).encode() + d)


def read_chains(path):
    """[(chain, end)]: chain is [(lineno, n, name, d, c)], end (lineno, text) or None."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise ValueError('cannot read %s: %s' % (path, e.strerror))
    chains = []
    for no, line in enumerate(raw.decode('utf-8', 'replace').splitlines(), 1):
        line = line.strip('\r\x00 ')
        m = LINE.match(line)
        if m:
            n = int(m.group(1))
            if n == 0 or not chains or chains[-1][1] is not None:
                chains.append([[], None])
            chains[-1][0].append((no, n, m.group(2), bytes.fromhex(m.group(3)),
                                  bytes.fromhex(m.group(4))))
        elif END.match(line) and chains and chains[-1][1] is None:
            chains[-1][1] = (no, line)
        elif line.startswith('#E'):
            chains.append([[(no, -1, line, b'', b'')], None])
    return chains


def check_chain(chain, end, where):
    prev = bytes(32)
    for i, (no, n, name, d, c) in enumerate(chain):
        if n < 0:
            raise Refused('%s line %d: not a proof line: %s' % (where, no, name[:60]))
        if n != i:
            raise Refused('%s line %d: #E%d where #E%d %s was due (a line is missing or out '
                          'of order)' % (where, no, n, i, NAMES[i] if i < len(NAMES) else '?'))
        if i >= len(NAMES):
            raise Refused('%s line %d: #E%d: the chain has #E0..#E10 only' % (where, no, n))
        if name != NAMES[i]:
            raise Refused('%s line %d: #E%d is named %r, not %r' % (where, no, n, name, NAMES[i]))
        want = chain_step(prev, n, name, d)
        if c != want:
            raise Refused('%s line %d: #E%d %s: c=%s... does not follow from the lines before '
                          'and its d (expected c=%s...)' % (where, no, n, name, c.hex()[:16],
                                                           want.hex()[:16]))
        prev = c
    if len(chain) != len(NAMES):
        last = chain[-1][0] if chain else 0
        raise Refused('%s line %d: the chain stops at #E%d: #E%d %s is missing'
                      % (where, last, len(chain) - 1, len(chain), NAMES[len(chain)]))
    if end is None:
        raise Refused('%s line %d: no "proof ok" after #E10' % (where, chain[-1][0]))
    m = END.match(end[1])
    if not m.group(2):
        raise Refused('%s line %d: the kernel says %s' % (where, end[0], end[1]))
    if bytes.fromhex(m.group(2)) != prev:
        raise Refused('%s line %d: "proof ok" carries c=%s..., not #E10\'s c'
                      % (where, end[0], m.group(2)[:16]))


# ---- recomputing from the image ----------------------------------------

def extract(iso, dest):
    if not shutil.which('xorriso'):
        raise ValueError('xorriso not found (Debian package xorriso)')
    r = subprocess.run(['xorriso', '-osirrox', 'on', '-indev', iso, '-extract', '/', dest],
                       capture_output=True, text=True)
    if r.returncode != 0 or not os.path.isfile(os.path.join(dest, 'boot', 'grub', 'grub.cfg')):
        msg = [l for l in r.stderr.splitlines() if 'FAILURE' in l or 'SORRY' in l]
        raise ValueError('%s: cannot extract the image%s' % (iso, ': ' + msg[0] if msg else ''))


def unquote(word):
    return word[1:-1].replace("'\\''", "'") if word.startswith("'") and word.endswith("'") \
        else word


def grub_config(root):
    """(cmdline, [(name, path in the tree)]) from the ISO's grub.cfg."""
    cmdline, mods = None, []
    with open(os.path.join(root, 'boot', 'grub', 'grub.cfg')) as f:
        for line in f:
            words = line.split()
            if words[:1] == ['multiboot2']:
                cmdline = ' '.join(words[2:])
            elif words[:1] == ['module2'] and len(words) >= 2:
                name = unquote(' '.join(words[2:])) if len(words) > 2 else ''
                mods.append((name, os.path.join(root, words[1].lstrip('/'))))
    if cmdline is None:
        raise ValueError('the image\'s grub.cfg has no multiboot2 line')
    return cmdline, mods


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def decode_blob(blob):
    """(endpoints [(name, budgets)], channels [(name, rate, burst, depth, prio)], reservoir)."""
    if len(blob) < 72 or blob[-32:] != b2(blob[:-32]):
        raise ValueError('the channel graph blob is short or its digest does not match')
    magic, _ver, n_ep, n_chan, _flags, total, cap, rate, base, byte = \
        struct.unpack_from('<IHHHHIQQII', blob, 0)
    if magic != 0x4e48434b or total != len(blob) or total != 40 + 72 * n_ep + 48 * n_chan + 32:
        raise ValueError('the channel graph blob\'s header is not a version-1 KCHN header')
    eps = []
    for i in range(n_ep):
        off = 40 + 72 * i
        name = blob[off:off + 32].split(b'\0', 1)[0].decode()
        eps.append((name, struct.unpack_from('<5Q', blob, off + 32)))
    chans = []
    for i in range(n_chan):
        off = 40 + 72 * n_ep + 48 * i
        _id, prio, _f, r, burst, depth, _s, _rx, name = struct.unpack_from('<HBBIIIQQ16s', blob, off)
        chans.append((name.split(b'\0', 1)[0].decode(), r, burst, depth, prio))
    return eps, chans, (cap, rate, base, byte)


def text_qos(chans, res):
    t = ''.join('channel %d %s rate %d burst %d depth %d prio %d\n' % ((i,) + ch)
                for i, ch in enumerate(chans))
    return t + 'reservoir gas %d rate %d cost %d per-byte %d\n' % res


def text_organelles(eps):
    t = ''
    for i, (name, budgets) in enumerate(eps):
        t += 'endpoint %d %s' % (i, name)
        for res, v in zip(MITO_RES, budgets):
            t += ' %s %s' % (res, '-' if v == UNLIMITED else v)
        t += '\n'
    for r, rule in enumerate(GOLGI_RULES):
        t += 'golgi %d %s %s\n' % (r, rule, 'deliver' if r == 0 else 'defer' if r >= 6 else 'drop')
    t += ''.join('lysosome %d %s\n' % x for x in enumerate(LYSO_REASONS))
    return t + ''.join('peroxisome %d %s\n' % x for x in enumerate(PEROX_REASONS))


def kernel_image(elf):
    """The bytes kr_kernel_image measures: __text_start..__rodata_end as
    loaded (PT_LOAD segments; memory past a segment's file bytes is zero)."""
    if elf[:4] != b'\x7fELF' or elf[4] != 2:
        raise ValueError('boot/karyon.elf is not an ELF64 file')
    phoff, shoff = struct.unpack_from('<QQ', elf, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from('<HHHH', elf, 54)
    syms = {}
    for i in range(shnum):
        sh = struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize)
        if sh[1] != 2:          # SHT_SYMTAB
            continue
        strtab = struct.unpack_from('<IIQQQQIIQQ', elf, shoff + sh[6] * shentsize)
        for k in range(sh[5] // 24):
            st_name, _info, _o, _shndx, value, _size = struct.unpack_from('<IBBHQQ', elf, sh[4] + 24 * k)
            end = elf.index(b'\0', strtab[4] + st_name)
            name = elf[strtab[4] + st_name:end]
            if name in (b'__text_start', b'__rodata_end'):
                syms[name] = value
    if len(syms) != 2:
        raise ValueError('boot/karyon.elf has no __text_start/__rodata_end symbols')
    lo, hi = syms[b'__text_start'], syms[b'__rodata_end']
    out = bytearray(hi - lo)
    for i in range(phnum):
        ptype, _fl, off, vaddr, _pa, filesz, _memsz, _al = \
            struct.unpack_from('<IIQQQQQQ', elf, phoff + i * phentsize)
        if ptype != 1:
            continue
        a, b = max(lo, vaddr), min(hi, vaddr + filesz)
        if a < b:
            out[a - lo:b - lo] = elf[off + a - vaddr:off + b - vaddr]
    return bytes(out)


def recompute(root):
    """{n: (d, what)} for the proofs the image's files determine."""
    cmdline, mods = grub_config(root)
    files = []          # (name, bytes) of the non-empty boot modules, as the kernel gets them
    for name, path in mods:
        if os.path.isfile(path) and os.path.getsize(path):
            files.append((name, read(path)))
    byname = dict(files)
    release = byname.get('release')
    if release is None:
        raise ValueError('the image has no boot module "release" (its MANIFEST)')
    abi = re.search(r'^abi (\d+\.\d+)$', release.decode(), re.M)
    if not abi:
        raise ValueError('the image\'s MANIFEST has no "abi" line')
    for m in re.finditer(r'^file blake2b-256 ([0-9a-f]{64}) (\d+) (\S+)$', release.decode(), re.M):
        path = os.path.join(root, m.group(3))
        if not os.path.isfile(path) or b2(read(path)).hex() != m.group(1):
            raise ValueError('the image\'s MANIFEST lists %s with a digest its file does not have'
                             % m.group(3))
    out = {}
    t = 'abi %s\ncmdline %s\n' % (abi.group(1), cmdline)
    t += ''.join('module %s %d\n' % (name, len(data)) for name, data in files)
    out[0] = (b2(t.encode()), 'the command line and the boot modules\' names and sizes')
    if 'channels' in byname:
        eps, chans, res = decode_blob(byname['channels'])
        out[2] = (b2(byname['channels']), 'the channel graph blob')
        out[3] = (b2(text_qos(chans, res).encode()), 'the QoS table decoded from the blob')
        out[4] = (b2(text_organelles(eps).encode()), 'the organelle tables')
    if 'manifest' in byname:
        out[6] = (b2(byname['manifest']), 'the module manifest')
    t = ''.join('module %s blake2b-256 %s\n' % (name, b2(data).hex()) for name, data in files)
    img = kernel_image(read(os.path.join(root, 'boot', 'karyon.elf')))
    t += 'kernel blake2b-256 %s %d\n' % (b2(img).hex(), len(img))
    out[7] = (b2(t.encode()), 'the boot modules\' and the kernel\'s digests')
    out[9] = (b2(release), 'the release manifest (MANIFEST)')
    return out


def main():
    head, _, rest = __doc__.partition('\n\n')
    ap = toolargs.parser('verify_proofs.py', head + '\n\n' + rest.partition('\n\n')[2])
    ap.add_argument('log', metavar='LOG', help='the serial log of a boot')
    ap.add_argument('--image', metavar='ISO',
                    help='the ISO that was booted: recompute the digests its files determine')
    a = ap.parse_args()
    try:
        chains = read_chains(a.log)
    except ValueError as e:
        ap.error(str(e))
    if a.image and not os.path.isfile(a.image):
        ap.error('no such image: %s' % a.image)
    try:
        if not chains:
            raise Refused('%s: no proof lines (#E0 ...) in the log' % a.log)
        chain, end = chains[0]
        check_chain(chain, end, a.log)
        for again, _end in chains[1:]:
            for (no, n, name, d, c), first in zip(again, chain):
                if (n, name, d, c) != first[1:]:
                    raise Refused('%s line %d: #E%d printed again differs from line %d'
                                  % (a.log, no, n, first[0]))
            if len(again) != len(chain):
                raise Refused('%s line %d: a chain printed again is cut short'
                              % (a.log, again[-1][0]))
        done = []
        if a.image:
            with tempfile.TemporaryDirectory(prefix='verify-proofs-') as tmp:
                try:
                    want = recompute(tmp) if extract(a.image, tmp) is None else {}
                except ValueError as e:
                    raise Refused('%s: %s' % (a.image, e))
            for no, n, name, d, _c in chain:
                if n in want and want[n][0] != d:
                    raise Refused('%s line %d: #E%d %s: d=%s... is not %s of %s (d=%s...)'
                                  % (a.log, no, n, name, d.hex()[:16], want[n][1],
                                     os.path.basename(a.image), want[n][0].hex()[:16]))
            done = sorted(want)
    except Refused as e:
        ap.fail(str(e))
    print('verify_proofs: %s: #E0..#E10 chain ok, c=%s%s' % (
        a.log, chain[-1][4].hex(),
        '; recomputed from %s: %s' % (os.path.basename(a.image),
                                      ' '.join('E%d' % n for n in done)) if a.image else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
