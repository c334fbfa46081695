#!/usr/bin/env python3
"""gen_manifest.py - the module manifest: every module's BLAKE2b-256 digest.

Usage: gen_manifest.py OUT MODULE.kmod...

One line per module, sorted by name: "blake2b-256 <hex> <name>".  Images
carry it (tools/mkiso.py --manifest) so the kmod module can refuse (enforce)
or flag (permissive) a module whose digest it does not list.
"""
import hashlib
import os
import sys


def main():
    out, mods = sys.argv[1], sys.argv[2:]
    lines = []
    for path in mods:
        with open(path, 'rb') as f:
            digest = hashlib.blake2b(f.read(), digest_size=32).hexdigest()
        name = os.path.basename(path)
        if name.endswith('.kmod'):
            name = name[:-5]
        lines.append('blake2b-256 %s %s\n' % (digest, name))
    with open(out, 'w') as f:
        f.writelines(sorted(lines, key=lambda l: l.split()[2]))


if __name__ == '__main__':
    main()
