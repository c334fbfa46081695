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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402


def main():
    ap = parser('gen_manifest.py', __doc__)
    ap.add_argument('out', metavar='OUT', help='the manifest to write')
    ap.add_argument('mods', metavar='MODULE.kmod', nargs='*', help='the modules to list')
    a = ap.parse_args()
    ap.check_output(a.out)
    out, mods = a.out, a.mods
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
