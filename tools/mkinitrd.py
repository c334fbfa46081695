#!/usr/bin/env python3
"""mkinitrd.py - make an image's initrd: a cpio "newc" archive for the vfs.

Usage: mkinitrd.py OUT [--file DEST=SRC]... [--tree DEST=DIR]...

--file puts one file at DEST (an absolute path in the archive); --tree puts
the regular files under DIR at DEST, keeping their relative paths.  Parent
directories are added.  The archive is reproducible: entries sorted by
path, every mtime SOURCE_DATE_EPOCH (tools/buildinfo.py), owner 0, modes
0755 for directories and 0644 for files, inode numbers in order.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from buildinfo import source_date_epoch  # noqa: E402


def header(ino, mode, nlink, mtime, size, namesize):
    fields = (ino, mode, 0, 0, nlink, mtime, size, 0, 0, 0, 0, namesize, 0)
    return ('070701' + ''.join('%08X' % f for f in fields)).encode()


def pad4(n):
    return b'\0' * (-n % 4)


def main():
    out, args = sys.argv[1], sys.argv[2:]
    files = {}
    for opt, spec in zip(args[::2], args[1::2]):
        dest, _, src = spec.partition('=')
        if not dest.startswith('/') or not src or opt not in ('--file', '--tree'):
            sys.exit('mkinitrd: bad argument %s %s (see --help in the source)' % (opt, spec))
        if opt == '--file':
            files[dest] = src
            continue
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
            with open(files[path], 'rb') as f:
                body = f.read()
            mode, nlink = 0o100644, 1
        h = header(ino, mode, nlink, mtime, len(body), len(name))
        data += h + name + pad4(len(h) + len(name)) + body + pad4(len(body))
    name = b'TRAILER!!!\0'
    h = header(0, 0, 1, 0, 0, len(name))
    data += h + name + pad4(len(h) + len(name))
    with open(out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
