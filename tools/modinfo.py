#!/usr/bin/env python3
"""modinfo.py - show what a Karyon module (.kmod) declares about itself.

Usage: modinfo.py [--field NAME] FILE.kmod...

A .kmod is an ELF64 x86_64 relocatable object.  Its descriptor, one
struct kr_module_info (abi/karyon/module.h), sits in the section
".kr_module"; the functions it offers other modules are struct
kr_module_export entries in ".kr_exports".  All their text is inline, so
nothing here applies relocations.  The file is checked step by step (ELF
header, section table, section names, descriptor) and the first problem is
reported as "modinfo: FILE: what is wrong"; the exit status is then 1.

Output is one "field: value" line per field, like Linux modinfo; with
--field only the value, one line per file.
"""
import argparse
import hashlib
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

# struct kr_module_info, as pinned by KR_ABI_OFFSET/KR_ABI_SIZE in
# abi/karyon/module.h: magic@0, abi_major@4, abi_minor@6, version@8,
# ndeps@12, name@16, description@48, license@144, author@160, deps@208,
# init@528, exit@536, needs@544; 736 bytes.
KR_MODULE_MAGIC = 0x444f4d4b            # "KMOD"
INFO_SIZE = 736
INFO_HEAD = struct.Struct('<IHHII32s96s16s48s')     # up to deps, 208 bytes
DEP = struct.Struct('<32sII')                       # struct kr_module_dep
DEPS_OFFSET, DEPS_MAX = 208, 8
NEED = struct.Struct('<IIQQ')                       # struct kr_need
NEEDS_OFFSET, NEEDS_MAX = 544, 8
FACILITIES = {1: 'power', 2: 'klog', 3: 'devices'}  # enum kr_sys_facility
EXPORT = struct.Struct('<48sQ')                     # struct kr_module_export
NAME_RE = re.compile(r'[a-z0-9_]+\Z')

ELF_HEADER = struct.Struct('<16sHHIQQQIHHHHHH')
SECTION = struct.Struct('<IIQQQQIIQQ')
ET_REL, EM_X86_64, SHT_NOBITS = 1, 62, 8
SHN_XINDEX = 0xffff

FIELDS = ('filename', 'name', 'version', 'description', 'license', 'author',
          'abi', 'depends', 'needs', 'exports', 'size', 'blake2b-256')


class KmodError(Exception):
    pass


def elf_sections(data):
    """Check the ELF header and section table; return {name: (type, offset, size)}."""
    if len(data) < 4 or data[:4] != b'\x7fELF':
        raise KmodError('not an ELF file (no \\x7fELF magic)')
    if len(data) > 4 and data[4] != 2:
        raise KmodError('not ELF64 (class %d); modules are 64-bit' % data[4])
    if len(data) > 5 and data[5] != 1:
        raise KmodError('not little-endian (data encoding %d)' % data[5])
    if len(data) < ELF_HEADER.size:
        raise KmodError('truncated: %d bytes, shorter than an ELF64 header (%d)'
                        % (len(data), ELF_HEADER.size))
    (_ident, e_type, e_machine, _version, _entry, _phoff, shoff, _flags,
     _ehsize, _phentsize, _phnum, shentsize, shnum, shstrndx) = ELF_HEADER.unpack_from(data)
    if e_machine != EM_X86_64:
        raise KmodError('not x86_64 (machine %d)' % e_machine)
    if e_type != ET_REL:
        raise KmodError('not a relocatable object (ELF type %d, expected %d): '
                        'a module is compiled with -c, not linked' % (e_type, ET_REL))
    if shoff == 0:
        raise KmodError('no section header table')
    if shentsize != SECTION.size:
        raise KmodError('section header size %d, expected %d' % (shentsize, SECTION.size))
    if shoff + SECTION.size > len(data):
        raise KmodError('truncated: section header table at %d, file is %d bytes'
                        % (shoff, len(data)))
    first = SECTION.unpack_from(data, shoff)
    if shnum == 0:                      # more than 0xff00 sections: count in section 0
        shnum = first[5]
    if shstrndx == SHN_XINDEX:
        shstrndx = first[6]
    if shoff + shnum * SECTION.size > len(data):
        raise KmodError('truncated: %d section headers at %d, file is %d bytes'
                        % (shnum, shoff, len(data)))
    headers = [SECTION.unpack_from(data, shoff + i * SECTION.size) for i in range(shnum)]
    if not 0 < shstrndx < shnum:
        raise KmodError('section name table index %d out of range (%d sections)'
                        % (shstrndx, shnum))
    h = headers[shstrndx]
    names = section_bytes(data, (h[1], h[4], h[5]), 'the section name table')
    sections = {}
    for h in headers[1:]:
        sh_name, sh_type, _fl, _addr, sh_offset, sh_size = h[:6]
        end = names.find(b'\0', sh_name)
        if sh_name >= len(names) or end < 0:
            raise KmodError('section name offset %d outside the section name table' % sh_name)
        name = names[sh_name:end].decode('latin-1')
        if name in ('.kr_module', '.kr_exports') and name in sections:
            raise KmodError('two %s sections' % name)
        sections[name] = (sh_type, sh_offset, sh_size)
    return sections


def section_bytes(data, section, what):
    """The contents of section (type, offset, size), all inside the file."""
    sh_type, sh_offset, sh_size = section
    if sh_type == SHT_NOBITS:
        raise KmodError('%s has no contents in the file (NOBITS)' % what)
    if sh_offset + sh_size > len(data):
        raise KmodError('truncated: %s ends at %d, file is %d bytes'
                        % (what, sh_offset + sh_size, len(data)))
    return data[sh_offset:sh_offset + sh_size]


def shown(text):
    """text as it may be printed: control bytes and the like escaped, so a
    hostile name cannot drive the terminal."""
    return text.encode('unicode_escape').decode('ascii').replace('"', '\\"')


def cstring(raw, what):
    """A NUL-terminated inline string field of the descriptor."""
    end = raw.find(b'\0')
    if end < 0:
        raise KmodError('%s is not NUL-terminated within its %d bytes' % (what, len(raw)))
    return raw[:end].decode('utf-8', 'backslashreplace')


def version_text(v):
    return '%d.%d.%d' % (v >> 16, (v >> 8) & 0xff, v & 0xff)


def parse_info(blob):
    """struct kr_module_info -> dict of display values."""
    if len(blob) != INFO_SIZE:
        raise KmodError('.kr_module is %d bytes, expected %d (one KR_MODULE per module, '
                        'built against this ABI)' % (len(blob), INFO_SIZE))
    (magic, abi_major, abi_minor, version, ndeps, name, description, license_,
     author) = INFO_HEAD.unpack_from(blob)
    if magic != KR_MODULE_MAGIC:
        raise KmodError('bad descriptor magic 0x%08x, expected 0x%08x ("KMOD")'
                        % (magic, KR_MODULE_MAGIC))
    name = cstring(name, 'name')
    if not NAME_RE.match(name):
        raise KmodError('module name "%s" is not 1-31 characters of [a-z0-9_]' % shown(name))
    if ndeps > DEPS_MAX:
        raise KmodError('ndeps is %d, at most %d' % (ndeps, DEPS_MAX))
    deps = []
    for i in range(ndeps):
        dname, dmin, _reserved = DEP.unpack_from(blob, DEPS_OFFSET + i * DEP.size)
        dname = cstring(dname, 'deps[%d].name' % i)
        if not NAME_RE.match(dname):
            raise KmodError('deps[%d].name "%s" is not 1-31 characters of [a-z0-9_]'
                            % (i, shown(dname)))
        deps.append(dname + ('>=' + version_text(dmin) if dmin else ''))
    return {
        'needs': ','.join(parse_needs(blob)),
        'name': name,
        'version': version_text(version),
        'description': cstring(description, 'description'),
        'license': cstring(license_, 'license'),
        'author': cstring(author, 'author'),
        'abi': '%d.%d' % (abi_major, abi_minor),
        'depends': ','.join(deps),
    }


def parse_needs(blob):
    """struct kr_need[] -> 'IRQ 11', 'ports 0xcf8-0xcff', 'MMIO 0x...-0x...',
    'system power', up to the first unused entry."""
    needs = []
    for i in range(NEEDS_MAX):
        kind, _rights, base, count = NEED.unpack_from(blob, NEEDS_OFFSET + i * NEED.size)
        if kind == 0:
            break
        if kind == 1:
            needs.append('IRQ %d' % base)
        elif kind in (2, 3):
            end = base + (count if kind == 2 else (count + 4095) // 4096 * 4096) - 1
            needs.append('%s %#x-%#x' % ('ports' if kind == 2 else 'MMIO', base, end))
        elif kind == 4:
            needs.append('system %s' % FACILITIES.get(base, base))
        else:
            raise KmodError('needs[%d] has unknown kind %d' % (i, kind))
    return needs


def parse_exports(blob):
    if len(blob) % EXPORT.size:
        raise KmodError('.kr_exports is %d bytes, not a multiple of %d (struct kr_module_export)'
                        % (len(blob), EXPORT.size))
    names = []
    for off in range(0, len(blob), EXPORT.size):
        raw, _addr = EXPORT.unpack_from(blob, off)
        name = cstring(raw, 'export name at .kr_exports+%d' % off)
        if not name:
            raise KmodError('empty export name at .kr_exports+%d' % off)
        names.append(name)
    return names


def modinfo(path):
    """Every field of FIELDS for the module file at path."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise KmodError(e.strerror or str(e))
    sections = elf_sections(data)
    if '.kr_module' not in sections:
        raise KmodError('no .kr_module section: not a Karyon module '
                        '(a module declares itself with KR_MODULE(...), <karyon/module.h>)')
    info = parse_info(section_bytes(data, sections['.kr_module'], '.kr_module'))
    exports = []
    if '.kr_exports' in sections:
        exports = parse_exports(section_bytes(data, sections['.kr_exports'], '.kr_exports'))
    info.update(filename=path, exports=','.join(exports), size='%d bytes' % len(data))
    info['blake2b-256'] = hashlib.blake2b(data, digest_size=32).hexdigest()
    return info


def main():
    ap = toolargs.ArgumentParser(prog='modinfo.py',
                                 description='Show the descriptor of Karyon modules (.kmod).')
    ap.add_argument('--field', '-F', choices=FIELDS, metavar='NAME',
                    help='print only this field (%s)' % ', '.join(FIELDS))
    ap.add_argument('files', nargs='+', metavar='FILE.kmod', help='the module files to show')
    args = ap.parse_args()
    rc = 0
    first = True
    for path in args.files:
        try:
            info = modinfo(path)
        except KmodError as e:
            print('modinfo: %s: %s' % (path, e), file=sys.stderr)
            rc = 1
            continue
        if args.field:
            print(info[args.field])
            continue
        if not first:
            print()
        first = False
        for field in FIELDS:
            print(('%-12s %s' % (field + ':', info[field])).rstrip())
    sys.exit(rc)


if __name__ == '__main__':
    main()
