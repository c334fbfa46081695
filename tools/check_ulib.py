#!/usr/bin/env python3
"""check_ulib.py - check the user-mode handler library before it ships.

usage: check_ulib.py OBJ GRANTS_C

OBJ is the relocatable object modules/tcc/ulib builds (tcc_ulib.o); the
tcc module links it with the kmod linker (modules/kmod/kmod_elf.c) once per
boot, so whatever that linker refuses, or what would need the kernel to
run code before main (constructors, TLS), is an error here, at build time:

  - an undefined symbol (nothing is left for the kernel to resolve);
  - a relocation type the kmod linker does not apply, or REL relocations;
  - a COMMON or thread-local symbol, a TLS, .init_array, .ctors (or
    .fini/.preinit/.dtors) section, a writable and executable section, a
    section aligned past a page;
  - a name of grant_calls[] in GRANTS_C (P(n, name) and { "name", n, ... })
    that is not a global symbol defined by the object; nor any of the
    names the kernel itself needs: __karyon_start, __karyon_out (260
    bytes), __karyon_t_main and the calls 114-116, whether or not GRANTS_C
    lists them yet.

Prints one line per problem and exits 1; prints a summary and exits 0 when
there is none.  Standard library only: the ELF is parsed here.
"""
import re
import struct
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402

SHT_SYMTAB, SHT_RELA, SHT_NOBITS, SHT_REL = 2, 4, 8, 9
SHT_PROGBITS = 1
SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY = 14, 15, 16
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 1, 2, 4, 0x400
SHN_UNDEF, SHN_ABS, SHN_COMMON = 0, 0xfff1, 0xfff2
STB_GLOBAL = 1
STT_TLS = 6
PAGE = 4096

# What kmod_elf.c's kmod_rtypes[] applies.
KMOD_RELOCS = {1: "R_X86_64_64", 2: "R_X86_64_PC32", 4: "R_X86_64_PLT32",
               9: "R_X86_64_GOTPCREL", 10: "R_X86_64_32", 11: "R_X86_64_32S",
               24: "R_X86_64_PC64", 41: "R_X86_64_GOTPCRELX",
               42: "R_X86_64_REX_GOTPCRELX"}
# Every x86_64 relocation type by number, for the messages.
RELOC_NAMES = ("NONE 64 PC32 GOT32 PLT32 COPY GLOB_DAT JUMP_SLOT RELATIVE GOTPCREL 32 32S "
               "16 PC16 8 PC8 DTPMOD64 DTPOFF64 TPOFF64 TLSGD TLSLD DTPOFF32 GOTTPOFF "
               "TPOFF32 PC64 GOTOFF64 GOTPC32 GOT64 GOTPCREL64 GOTPC64 GOTPLT64 PLTOFF64 "
               "SIZE32 SIZE64 GOTPC32_TLSDESC TLSDESC_CALL TLSDESC IRELATIVE RELATIVE64 "
               "- - GOTPCRELX REX_GOTPCRELX").split()
# Names the kernel looks up or calls by number, besides grants.c's.
KERNEL_NAMES = ["__karyon_start", "__karyon_out", "__karyon_t_main",
                "__karyon_write", "__karyon_heap", "__karyon_null"]
SIZES = {"__karyon_out": 260, "__karyon_t_main": 8}
BANNED = (".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors")


def cstr(blob, off):
    end = blob.index(b"\0", off)
    return blob[off:end].decode("ascii", "replace")


class Elf:
    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a little-endian ELF64 file")
        (etype, machine, _, _, _, shoff, _, _, _, _, shentsize, shnum,
         shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
        if etype != 1 or machine != 62:
            raise ValueError("not an x86_64 relocatable object (ET_REL)")
        if shentsize != 64 or shoff + shnum * 64 > len(data):
            raise ValueError("bad section header table")
        self.data = data
        self.sections = []
        for i in range(shnum):
            (name, stype, flags, _, off, size, link, info, align,
             entsize) = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64)
            self.sections.append(dict(name=name, type=stype, flags=flags, off=off,
                                      size=size, link=link, info=info, align=align,
                                      entsize=entsize))
        shstr = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = cstr(data, shstr["off"] + s["name"])

    def symbols(self):
        """[(index, name, bind, type, shndx, size)] of the one symbol table."""
        tabs = [s for s in self.sections if s["type"] == SHT_SYMTAB]
        if len(tabs) != 1:
            raise ValueError("expected one symbol table, found %d" % len(tabs))
        tab = tabs[0]
        strtab = self.sections[tab["link"]]
        out = []
        for i in range(tab["size"] // 24):
            name, info, _, shndx, _, size = struct.unpack_from(
                "<IBBHQQ", self.data, tab["off"] + i * 24)
            out.append((i, cstr(self.data, strtab["off"] + name), info >> 4, info & 15,
                        shndx, size))
        return out

    def relocations(self):
        """[(section the relocations apply to, rela section, offset, type)]"""
        out = []
        for s in self.sections:
            if s["type"] != SHT_RELA:
                continue
            target = self.sections[s["info"]] if s["info"] < len(self.sections) else None
            for k in range(s["size"] // 24):
                off, info, _ = struct.unpack_from("<QQq", self.data, s["off"] + k * 24)
                out.append((target, s["name"], off, info & 0xffffffff))
        return out


def loaded(s):
    """kmod_loaded(): code and data, not unwind tables."""
    return (s["flags"] & SHF_ALLOC and s["type"] in (SHT_PROGBITS, SHT_NOBITS)
            and s["name"] != ".eh_frame")


def grant_names(text):
    """The names of grant_calls[] in grants.c, in table order."""
    m = re.search(r"grant_calls\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not m:
        return []
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    names = []
    for pure, named in re.findall(r'\bP\(\s*\d+\s*,\s*(\w+)\s*\)|\{\s*"(\w+)"\s*,\s*\d+\s*,',
                                  body):
        names.append(pure or named)
    return names


def check(obj, grants_c):
    problems = []
    with open(obj, "rb") as f:
        elf = Elf(f.read())
    with open(grants_c, encoding="utf-8") as f:
        grants = grant_names(f.read())
    if not grants:
        problems.append("%s: no grant_calls[] entries found" % grants_c)

    for s in elf.sections[1:]:
        name = s["name"]
        if s["type"] in (SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY) or \
                name.startswith(BANNED):
            problems.append("section %s: constructors or destructors (nothing runs "
                            "before main or after exit)" % name)
        if s["flags"] & SHF_TLS:
            problems.append("section %s: thread-local storage" % name)
        if s["type"] == SHT_REL:
            problems.append("section %s: REL relocations (the kmod linker takes RELA only)"
                            % name)
        if s["flags"] & SHF_WRITE and s["flags"] & SHF_EXECINSTR:
            problems.append("section %s: writable and executable" % name)
        if s["align"] > PAGE or s["align"] & (s["align"] - 1):
            problems.append("section %s: alignment %d" % (name, s["align"]))

    syms = elf.symbols()
    defined = {}
    for i, name, bind, stype, shndx, size in syms:
        if i == 0:
            continue
        if shndx == SHN_UNDEF and name:
            problems.append("undefined symbol %s" % name)
        if shndx == SHN_COMMON:
            problems.append("common symbol %s (build with -fno-common)" % name)
        if stype == STT_TLS:
            problems.append("thread-local symbol %s" % name)
        if bind == STB_GLOBAL and shndx not in (SHN_UNDEF, SHN_COMMON):
            defined[name] = size

    for target, rela, off, rtype in elf.relocations():
        if target is None:
            problems.append("%s: relocations for a section that does not exist" % rela)
        elif loaded(target) and rtype not in KMOD_RELOCS:
            kind = ("R_X86_64_" + RELOC_NAMES[rtype] if rtype < len(RELOC_NAMES)
                    else "type %d" % rtype)
            problems.append("%s+%#x: relocation %s, which the kmod linker does not "
                            "apply" % (target["name"], off, kind))

    want = grants + [n for n in KERNEL_NAMES if n not in grants]
    for name in want:
        if name not in defined:
            problems.append("%s is not defined as a global symbol%s" % (
                name, " (grant_calls[] names it)" if name in grants else ""))
        elif name in SIZES and defined[name] != SIZES[name]:
            problems.append("%s is %d bytes, the kernel expects %d" % (
                name, defined[name], SIZES[name]))
    return problems, len(grants), len(syms), len(elf.relocations())


def main(argv):
    ap = parser('check_ulib.py', __doc__)
    ap.add_argument('obj', metavar='OBJ', help='the handler library object (tcc_ulib.o) to check')
    ap.add_argument('grants', metavar='GRANTS_C',
                    help='modules/tcc/grants.c, whose grant_calls[] names the object must define')
    a = ap.parse_args(argv[1:])
    argv = [argv[0], a.obj, a.grants]
    try:
        problems, ngrants, nsyms, nrelocs = check(argv[1], argv[2])
    except (OSError, ValueError, IndexError, struct.error) as e:
        print("check_ulib: %s: %s" % (argv[1], e))
        return 1
    for p in problems:
        print("check_ulib: %s: %s" % (argv[1], p))
    if problems:
        print("check_ulib: %d problem(s)" % len(problems))
        return 1
    print("check_ulib: %s: ok (%d grant calls and %d kernel names defined, %d symbols, "
          "%d relocations)" % (argv[1], ngrants, len(KERNEL_NAMES), nsyms, nrelocs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
