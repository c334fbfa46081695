#!/usr/bin/env python3
"""test_modinfo.py - tools/modinfo.py shows what the in-tree modules
declare, and refuses malformed files with one clear line and status 1.

Usage: test_modinfo.py SRCROOT OBJCOPY HELLO.kmod HELLO_USER.kmod

The expected values come from the module sources (KR_MODULE(...) and
KR_EXPORT(...) in modules/NAME/NAME.c) and the ABI version from
abi/karyon/abi.h, so changing a module does not need a change here.
Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402
from kmodsrc import FIELDS, abi_version, expected_from_source, parse_listing  # noqa: E402

ROOT, OBJCOPY, HELLO, HELLO_USER, SHELL, KMOD, DEVTEST = sys.argv[1:8]
MODINFO = os.path.join(ROOT, 'tools', 'modinfo.py')




def modinfo(*args):
    r = subprocess.run([sys.executable, MODINFO] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


ABI = abi_version(ROOT)


def expected(kmod, source):
    want = expected_from_source(os.path.join(ROOT, source))
    data = open(kmod, 'rb').read()
    want.update({'filename': kmod, 'abi': ABI, 'size': '%d bytes' % len(data),
                 'blake2b-256': hashlib.blake2b(data, digest_size=32).hexdigest()})
    return want


# -- the in-tree modules ------------------------------------------------------

cases = [(HELLO, 'modules/hello/hello.c'), (HELLO_USER, 'modules/hello_user/hello_user.c'),
         (SHELL, 'modules/shell/shell.c'), (KMOD, 'modules/kmod/kmod.c')]
for kmod, source in cases:
    name = os.path.basename(kmod)
    want = expected(kmod, source)
    rc, out, err = modinfo(kmod)
    check(rc == 0 and not err, '%s: exit 0, nothing on stderr' % name, 'rc %d, %r' % (rc, err))
    got = parse_listing(out)[0]
    check(list(got) == FIELDS, '%s: fields in order' % name, repr(list(got)))
    for field in FIELDS:
        check(got.get(field) == want[field], '%s: %s' % (name, field),
              'got %r, source says %r' % (got.get(field), want[field]))
        rc, out, _ = modinfo('--field', field, kmod)
        check(rc == 0 and out == want[field] + '\n', '%s: --field %s' % (name, field),
              'rc %d, %r' % (rc, out))

# The dependency and export the two hello modules exist to show.
rc, out, _ = modinfo('--field', 'depends', HELLO_USER)
check(out == 'hello>=1.0.0\n', 'hello_user depends on hello>=1.0.0', repr(out))
rc, out, _ = modinfo('--field', 'exports', HELLO)
check(out == 'hello_greet\n', 'hello exports hello_greet', repr(out))
rc, out, _ = modinfo('--field', 'depends', HELLO)
check(out == '\n', 'hello depends on nothing', repr(out))

# What a driver and the shell ask of the kernel domain (.needs).
rc, out, _ = modinfo('--field', 'needs', DEVTEST)
check(out == 'IRQ 11,ports 0xcf8-0xcff,MMIO 0xfec00000-0xfec00fff\n', 'devtest_a needs its devices',
      repr(out))
rc, out, _ = modinfo('--field', 'needs', SHELL)
check(out == 'system power,system klog\n', 'the shell needs power and klog', repr(out))

rc, out, _ = modinfo(HELLO, HELLO_USER)
blocks = parse_listing(out)
check(rc == 0 and [b.get('name') for b in blocks] == ['hello', 'hello_user'],
      'two files: two listings', repr(out))

# -- malformed files ----------------------------------------------------------

good = open(HELLO, 'rb').read()


def patched(offset, value):
    b = bytearray(good)
    b[offset:offset + len(value)] = value
    return bytes(b)


def objcopy(*args):
    out = os.path.join(tmp, 'objcopy.out')
    subprocess.run([OBJCOPY] + list(args) + [HELLO, out], check=True)
    return open(out, 'rb').read()


def refused(path, message):
    """modinfo PATH exits 1 with exactly 'modinfo: PATH: ...message...' on stderr."""
    rc, out, err = modinfo(path)
    lines = err.splitlines()
    ok = (rc == 1 and not out and len(lines) == 1 and '\x1b' not in err and
          lines[0].startswith('modinfo: %s: ' % path) and message in lines[0])
    check(ok, 'refuses %s (%s)' % (os.path.basename(path), message),
          'rc %d, stdout %r, stderr %r' % (rc, out, err))


with tempfile.TemporaryDirectory() as tmp:
    short = os.path.join(tmp, 'short.bin')
    with open(short, 'wb') as f:
        f.write(good[0xe0:0xe0 + 100])      # any 100 bytes will do
    magic_at = good.find(b'KMOD')           # KR_MODULE_MAGIC, little-endian
    check(good.count(b'KMOD') == 1, 'the descriptor magic appears once in hello.kmod')
    bad = {
        'not-elf.kmod': (b'hello, world\n' * 20, 'not an ELF file'),
        'empty.kmod': (b'', 'not an ELF file'),
        'cut-10.kmod': (good[:10], 'truncated'),
        'cut-header.kmod': (good[:63], 'truncated'),
        'cut-64.kmod': (good[:64], 'truncated'),
        'cut-half.kmod': (good[:len(good) // 2], 'truncated'),
        'cut-last.kmod': (good[:-1], 'truncated'),
        'elf32.kmod': (patched(4, b'\x01'), 'not ELF64'),
        'big-endian.kmod': (patched(5, b'\x02'), 'not little-endian'),
        'i386.kmod': (patched(18, b'\x03\x00'), 'not x86_64'),
        'linked.kmod': (patched(16, b'\x02\x00'), 'not a relocatable object'),
        'no-descriptor.kmod': (objcopy('-R', '.kr_module'), 'no .kr_module section'),
        'short-descriptor.kmod': (objcopy('--update-section', '.kr_module=' + short),
                                  '.kr_module is 100 bytes, expected 736'),
        'bad-magic.kmod': (patched(magic_at, b'KMOX'), 'bad descriptor magic'),
        # The name field (16 bytes into the descriptor) holding a terminal
        # escape: refused, and shown escaped (checked in refused()).
        'ctrl-name.kmod': (patched(magic_at + 16, b'\x1b[2Jhello\x00'),
                           'module name "\\x1b[2Jhello" is not'),
    }
    for name, (data, message) in bad.items():
        path = os.path.join(tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        refused(path, message)
    refused(os.path.join(tmp, 'missing.kmod'), 'No such file')

    # Every truncation length, in one run: one error line each, no traceback.
    cuts = []
    for n in range(len(good)):
        path = os.path.join(tmp, 'cut.%d' % n)
        with open(path, 'wb') as f:
            f.write(good[:n])
        cuts.append(path)
    rc, out, err = modinfo(*cuts)
    lines = err.splitlines()
    ok = all(re.match(r'modinfo: \S+: (truncated|not an ELF file)', l) for l in lines)
    check(rc == 1 and not out and len(lines) == len(cuts) and ok,
          'every one of %d truncations refused with one line' % len(cuts),
          'rc %d, %d lines, first odd one: %r' % (rc, len(lines), next(
              (l for l in lines if not re.match(r'modinfo: \S+: (truncated|not an ELF)', l)),
              None)))

    # A bad file among good ones: the good ones still print, the status is 1.
    rc, out, err = modinfo(HELLO, os.path.join(tmp, 'not-elf.kmod'), HELLO_USER)
    check(rc == 1 and [b.get('name') for b in parse_listing(out)] == ['hello', 'hello_user']
          and len(err.splitlines()) == 1, 'a bad file among good ones: status 1, others shown',
          'rc %d, %r, %r' % (rc, out, err))

finish()
