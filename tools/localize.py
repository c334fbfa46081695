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
from modinfo import KmodError, modinfo  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split('\n\n')[1])
    objcopy, src, out = sys.argv[1:]
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
