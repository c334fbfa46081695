#!/usr/bin/env python3
"""localize.py - make a module object's symbols its own, but for its exports.

Usage: localize.py OBJCOPY IN.o OUT.o

Every symbol IN.o defines becomes local in OUT.o, so a module built into a
kernel keeps its names to itself as a loaded one does, and its private copy
of a library (tcc's C library) cannot clash with the kernel's.  The
functions it exports (KR_EXPORT: its .kr_exports table) stay global, so a
built-in module that depends on it links against them as kmod resolves a
loaded module against that table.  Undefined symbols stay as they are.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402
from modinfo import KmodError, modinfo  # noqa: E402


def main():
    ap = parser('localize.py', __doc__)
    ap.add_argument('objcopy', metavar='OBJCOPY', help='the objcopy program to rewrite symbols with')
    ap.add_argument('src', metavar='IN.o', help='the module object to read')
    ap.add_argument('out', metavar='OUT.o', help='the object to write')
    a = ap.parse_args()
    ap.check_output(a.out)
    objcopy, src, out = a.objcopy, a.src, a.out
    try:
        exports = [name for name in modinfo(src)['exports'].split(',') if name]
    except KmodError as e:
        sys.exit('localize: %s' % e)
    # --keep-global-symbol makes every other defined symbol local; with
    # nothing to keep it would change nothing, hence the wildcard.
    args = (['--keep-global-symbol=' + name for name in exports] if exports
            else ['--wildcard', '--localize-symbol=*'])
    sys.exit(subprocess.run([objcopy] + args + [src, out]).returncode)


if __name__ == '__main__':
    main()
