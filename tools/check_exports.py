#!/usr/bin/env python3
"""check_exports.py - the core exposes exactly what abi/ declares.

Usage: check_exports.py NM KERNEL.elf ABI_HEADER...

Every global function named kr_* in the kernel must be declared with
KR_API in an abi/karyon header (so it is in the export table), and every
declared export must be defined.  The kr_ prefix is reserved for the ABI.
A built-in module's exports (KR_EXPORT, which leaves a kr_export_NAME
object) are global too, so that built-ins depending on it link, but they
are the module's, not the core's: the console module's kr_console_read.
"""
import subprocess
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from gen_exports import exports  # noqa: E402


def main():
    ap = parser('check_exports.py', __doc__)
    ap.add_argument('nm', metavar='NM', help='the nm program to list the kernel\'s symbols with')
    ap.add_argument('elf', metavar='KERNEL.elf', help='the linked kernel to check')
    ap.add_argument('headers', metavar='ABI_HEADER', nargs='+',
                    help='the abi/karyon headers that declare the exports (KR_API)')
    a = ap.parse_args()
    nm, elf, headers = a.nm, a.elf, a.headers
    declared = set(exports(headers))
    out = subprocess.run([nm, '--defined-only', elf], check=True,
                         capture_output=True, text=True).stdout
    syms = [p for p in (l.split() for l in out.splitlines()) if len(p) == 3]
    modules = {p[2][len('kr_export_'):] for p in syms
               if p[1] in 'rR' and p[2].startswith('kr_export_')}
    functions = {p[2] for p in syms if p[1] == 'T'} - modules
    # kr_ names are the ABI's own; the libc names it also exports need only exist.
    defined = {n for n in functions if n.startswith('kr_')} | (declared & functions)
    extra, missing = sorted(defined - declared), sorted(declared - defined)
    for name in extra:
        print('kernel defines %s, which no abi/karyon header exports (KR_API)' % name)
    for name in missing:
        print('abi/karyon declares %s, which the kernel does not define' % name)
    print('%d exports declared, %d of them and no other kr_ function defined'
          % (len(declared), len(defined)) if not extra and not missing else '')
    sys.exit(1 if extra or missing else 0)


if __name__ == '__main__':
    main()
