#!/usr/bin/env python3
"""modpost.py - check a built module's undefined symbols, as Linux's modpost.

Usage: modpost.py [--dep DEP.kmod]... [--search DIR]... [--as NAME] [--prog PROG] FILE.kmod

The loader resolves a module's undefined symbols from the modules it names
as dependencies, then the core's export table (the KR_API functions of
abi/karyon/*.h), and refuses it if one is left.  This says so at build time:
each undefined global symbol of FILE must be a KR_API name or be exported
(KR_EXPORT) by a declared dependency.  A dependency's exports come from its
.kmod: a --dep file, else NAME.kmod in a --search directory (the first that
holds a module of that name).  Weak undefined symbols are allowed (the
loader makes them 0).

Exit status 0: all resolve.  1: every unresolved name printed, one line each
(NAME is --as, default FILE; PROG is --prog, default modpost):
  PROG: NAME: undefined symbol hello_greetx (not in the ABI export table or
  in a declared dependency: hello)
2: FILE is not a valid module ("modinfo: NAME: what is wrong").
Needs only the Python standard library and the source tree.
"""
import argparse
import glob
import os
import struct
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import toolargs  # noqa: E402
from gen_exports import exports as abi_exports  # noqa: E402
from modinfo import ELF_HEADER, SECTION, KmodError, modinfo  # noqa: E402

SHT_SYMTAB, SHN_UNDEF, STB_GLOBAL = 2, 0, 1
SYM = struct.Struct('<IBBHQQ')      # Elf64_Sym


def undefined_symbols(path):
    """The undefined global (not weak) symbols of a relocatable object."""
    with open(path, 'rb') as f:
        data = f.read()
    hdr = ELF_HEADER.unpack_from(data)
    shoff, shnum = hdr[6], hdr[12]
    secs = [SECTION.unpack_from(data, shoff + i * SECTION.size) for i in range(shnum)]
    names = set()
    for sec in secs:
        if sec[1] != SHT_SYMTAB:
            continue
        strtab = secs[sec[6]]
        strings = data[strtab[4]:strtab[4] + strtab[5]]
        for off in range(sec[4] + SYM.size, sec[4] + sec[5], SYM.size):   # skip entry 0
            st_name, st_info, _other, shndx, _value, _size = SYM.unpack_from(data, off)
            if shndx == SHN_UNDEF and st_info >> 4 == STB_GLOBAL and st_name:
                names.add(strings[st_name:strings.index(b'\0', st_name)].decode('latin-1'))
    return sorted(names)


def dep_names(info):
    """'hello>=1.0.0,vfs' -> ['hello', 'vfs']"""
    return [d.split('>=')[0] for d in info['depends'].split(',') if d]


def main():
    ap = toolargs.ArgumentParser(prog='modpost.py', description=__doc__.split('\n')[0])
    ap.add_argument('--dep', action='append', default=[], metavar='DEP.kmod',
                    help='a dependency\'s file, whose exports the module may call (repeatable)')
    ap.add_argument('--search', action='append', default=[], metavar='DIR',
                    help='a directory to find dependencies (DEP.kmod) in (repeatable)')
    ap.add_argument('--as', dest='label', metavar='NAME', help='the name to give the file in messages')
    ap.add_argument('--prog', default='modpost', help='the program name messages start with')
    ap.add_argument('file', metavar='FILE.kmod', help='the module to check')
    args = ap.parse_args()
    label = args.label or args.file
    prog = args.prog
    try:
        info = modinfo(args.file)
    except KmodError as e:
        print('modinfo: %s: %s' % (label, e), file=sys.stderr)
        sys.exit(2)
    deps = dep_names(info)
    found = {}                          # dependency name -> its exports
    for path in args.dep:
        try:
            d = modinfo(path)
        except KmodError as e:
            sys.exit('%s: %s: --dep %s: %s' % (prog, label, path, e))
        if d['name'] not in deps:
            sys.exit('%s: %s: --dep %s is module %s, which %s does not declare as a '
                     'dependency (declared: %s)' % (prog, label, path, d['name'], info['name'],
                                         ', '.join(deps) or 'none'))
        found[d['name']] = d['exports'].split(',')
    for name in deps:
        for directory in args.search:
            path = os.path.join(directory, name + '.kmod')
            if name in found or not os.path.isfile(path):
                continue
            try:
                d = modinfo(path)
            except KmodError:
                continue
            if d['name'] == name:
                found[name] = d['exports'].split(',')
    allowed = set(abi_exports(glob.glob(os.path.join(TOOLS, '..', 'abi', 'karyon', '*.h'))))
    for names in found.values():
        allowed.update(names)
    missing = [n for n in deps if n not in found]
    where = 'not in the ABI export table or in a declared dependency' + \
        (': ' + ', '.join(deps) if deps else '')
    if missing:
        where += '; %s not found, give %s with --dep' % (
            ', '.join(n + '.kmod' for n in missing), 'it' if len(missing) == 1 else 'them')
    bad = [n for n in undefined_symbols(args.file) if n not in allowed]
    for name in bad:
        print('%s: %s: undefined symbol %s (%s)' % (prog, label, name, where), file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
