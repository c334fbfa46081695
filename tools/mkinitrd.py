#!/usr/bin/env python3
"""mkinitrd.py - make an image's initrd: a cpio "newc" archive for the vfs.

Usage: mkinitrd.py OUT [--from CPIO] [--file DEST=SRC]... [--tree DEST=DIR]...

--from starts from the regular files of an existing archive (the build's
initrd, to which ./karyon run --module adds modules); --file puts one file
at DEST (an absolute path in the archive); --tree puts the regular files
under DIR at DEST, keeping their relative paths.  Later options win over
earlier ones for the same DEST.  Parent directories are added.  The archive
is reproducible: entries sorted by path, every mtime SOURCE_DATE_EPOCH
(tools/buildinfo.py), owner 0, modes 0755 for directories and 0644 for
files, inode numbers in order.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from buildinfo import source_date_epoch  # noqa: E402
from toolargs import parser  # noqa: E402


def header(ino, mode, nlink, mtime, size, namesize):
    fields = (ino, mode, 0, 0, nlink, mtime, size, 0, 0, 0, 0, namesize, 0)
    return ('070701' + ''.join('%08X' % f for f in fields)).encode()


def pad4(n):
    return b'\0' * (-n % 4)


def read_cpio(path):
    """{'/DEST': bytes} for the regular files of a newc archive."""
    with open(path, 'rb') as f:
        data = f.read()
    files, off = {}, 0
    while True:
        h = data[off:off + 110]
        if len(h) < 110 or h[:6] != b'070701':
            raise ValueError('%s: not a cpio newc archive (at byte %d)' % (path, off))
        fields = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        body = data[off:off + size]
        off += size
        off += -off % 4
        if name == 'TRAILER!!!':
            return files
        if mode & 0o170000 == 0o100000:
            files['/' + name.lstrip('/')] = body


def spec(text):
    dest, eq, src = text.partition('=')
    if not dest.startswith('/') or not eq or not src:
        raise argparse.ArgumentTypeError('expected /DEST=SOURCE, got %r' % text)
    return dest, src


def main():
    ap = parser("mkinitrd.py", __doc__)
    ap.add_argument('out', metavar='OUT', help='the archive to write')
    ap.add_argument('--from', dest='base', metavar='CPIO',
                    help='start from the regular files of this newc archive')
    ap.add_argument('--file', type=spec, action='append', dest='items', default=[],
                    metavar='DEST=SRC', help='put file SRC at DEST in the archive (repeatable)')
    ap.add_argument('--tree', type=lambda t: ('tree',) + spec(t), action='append', dest='items',
                    metavar='DEST=DIR',
                    help='put the regular files under DIR at DEST, keeping their paths (repeatable)')
    a = ap.parse_args()
    ap.check_output(a.out)
    files = {}                  # DEST -> bytes or a source path
    if a.base:
        try:
            files.update(read_cpio(a.base))
        except (OSError, ValueError) as e:
            ap.error(str(e))
    for item in a.items:
        if item[0] != 'tree':
            files[item[0]] = item[1]
            continue
        _, dest, src = item
        if not os.path.isdir(src):
            ap.error('--tree %s=%s: not a directory' % (dest, src))
        for root, _, names in os.walk(src):
            for name in names:
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    files[os.path.join(dest, os.path.relpath(path, src))] = path
    dirs = set()
    for dest in files:
        d = os.path.dirname(dest)
        while d != '/':
            dirs.add(d)
            d = os.path.dirname(d)
    mtime = source_date_epoch()[0]
    data = bytearray()
    for ino, path in enumerate(sorted(dirs | set(files)), 1):
        name = path.lstrip('/').encode() + b'\0'
        if path in dirs:
            body, mode, nlink = b'', 0o040755, 2
        else:
            body = files[path]
            if isinstance(body, str):
                try:
                    with open(body, 'rb') as f:
                        body = f.read()
                except OSError as e:
                    ap.fail('%s: %s' % (body, e.strerror))
            mode, nlink = 0o100644, 1
        h = header(ino, mode, nlink, mtime, len(body), len(name))
        data += h + name + pad4(len(h) + len(name)) + body + pad4(len(body))
    name = b'TRAILER!!!\0'
    h = header(0, 0, 1, 0, 0, len(name))
    data += h + name + pad4(len(h) + len(name))
    with open(a.out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
