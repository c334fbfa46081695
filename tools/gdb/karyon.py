"""karyon.py - gdb helpers for Karyon, like Linux's lx-symbols: load the
symbols of every module the kernel has loaded, at the addresses it loaded
them, so that `break hello_greet` works after `insmod hello`.

    gdb build/core/karyon-dev.elf -ex 'target remote :1234' \\
        -ex 'source tools/gdb/karyon.py' -ex 'kr-symbols'

kr-symbols [DIR...]
    Read the kmod module's table of loaded modules (`mods` in
    modules/kmod/kmod.c, from the kernel's debug information), find each
    module's .kmod file by its BLAKE2b-256 digest (which kmod records) in
    DIR..., $KARYON_KMOD_PATH (colon-separated), the build's modules/ and
    tests/ directories and the current directory, and add-symbol-file it with
    the address of every section: the loader lays sections out from the file
    alone (modules/kmod/kmod_elf.c kmod_layout, mirrored by section_layout
    below), so the image's base address is all the kernel has to say.
    From then on, every module loaded is added when kmod places it, before
    its init runs (a breakpoint on kmod_debug_placed that does not stop), and
    symbols of unloaded modules are dropped at the next refresh.
kr-lsmod
    The loaded modules: name, state, image base and size, and the file found.

Runs inside gdb's Python, with the standard library only.
"""
import hashlib
import os
import struct

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATES = {1: 'loading', 2: 'live', 3: 'unloading'}
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
SHT_PROGBITS, SHT_NOBITS = 1, 8
PAGE = 4096


def elf_sections(data):
    """[(name, type, flags, addralign, size)] of an ELF64 relocatable, in
    section index order (index 0 included, as a placeholder)."""
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    heads = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize) for i in range(shnum)]
    stroff = heads[shstrndx][4]
    out = []
    for h in heads:
        name = data[stroff + h[0]:data.index(b'\0', stroff + h[0])].decode('latin-1')
        out.append((name, h[1], h[2], h[8], h[5]))
    return out


def section_layout(data):
    """{section name: offset in the image}, as kmod_layout places them:
    regions text, ro, data in that order, each page-aligned; .kr_module and
    .kr_exports read-only and 8-aligned; .eh_frame and non-ALLOC sections
    not loaded.  The first section of a name wins (names are unique in
    modules gcc builds)."""
    secs = elf_sections(data)
    offs, cur = {}, 0
    for region in ('text', 'ro', 'data'):
        for name, typ, flags, align, size in secs[1:]:
            special = name in ('.kr_module', '.kr_exports')
            reg = 'ro' if special else 'text' if flags & SHF_EXECINSTR else \
                'data' if flags & SHF_WRITE else 'ro'
            if reg != region or not flags & SHF_ALLOC or \
                    typ not in (SHT_PROGBITS, SHT_NOBITS) or name == '.eh_frame':
                continue
            align = align or 1
            if special and align < 8:
                align = 8
            cur = (cur + align - 1) & ~(align - 1)
            offs.setdefault(name, cur)
            cur += size
        # The GOT follows the ro sections; it has no symbols, so it is not
        # needed here.  Each region ends on a page boundary.
        cur = (cur + PAGE - 1) & ~(PAGE - 1)
    return offs


def search_dirs(extra):
    dirs = list(extra)
    dirs += [d for d in os.environ.get('KARYON_KMOD_PATH', '').split(':') if d]
    build = os.environ.get('KARYON_BUILD', os.path.join(ROOT, 'build'))
    dirs += [os.path.join(build, 'modules'), os.path.join(build, 'tests'), os.getcwd()]
    return dirs


def kmod_files(dirs):
    """{BLAKE2b-256 digest bytes: path} of the .kmod files in dirs."""
    found = {}
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            if n.endswith('.kmod'):
                path = os.path.join(d, n)
                try:
                    with open(path, 'rb') as f:
                        found.setdefault(hashlib.blake2b(f.read(), digest_size=32).digest(), path)
                except OSError:
                    pass
    return found


def kmod_table():
    """The kmod module's `mods` array (a gdb.Value)."""
    for expr in ("'modules/kmod/kmod.c'::mods", "'kmod.c'::mods", 'mods'):
        try:
            return gdb.parse_and_eval(expr)
        except gdb.error:
            pass
    raise gdb.GdbError('kr-symbols: no kmod `mods` table in the symbols: is this a Karyon '
                       'kernel with the kmod module built in, with debug information?')


def live_modules():
    """[(name, state, base, size, digest)] of every used slot of the table."""
    mods = kmod_table()
    lo, hi = mods.type.range()
    out = []
    for i in range(lo, hi + 1):
        m = mods[i]
        state = int(m['state'])
        if not state or not int(m['info']):
            continue
        name = m['info']['name'].string()
        digest = bytes(int(m['digest'][k]) & 0xff for k in range(32))
        out.append((name, state, int(m['img']['base']), int(m['img']['size']), digest))
    return out


class Symbols:
    """What this gdb session added: {name: (path, base)}."""

    def __init__(self):
        self.loaded = {}
        self.dirs = []
        self.hook = None

    def add(self, name, base, digest, files=None):
        files = files if files is not None else kmod_files(search_dirs(self.dirs))
        path = files.get(digest)
        if path is None and not any(digest):    # unmeasured: go by name
            path = next((os.path.join(d, name + '.kmod') for d in search_dirs(self.dirs)
                         if os.path.isfile(os.path.join(d, name + '.kmod'))), None)
        if path is None:
            gdb.write('kr-symbols: %s: no .kmod file with its digest in %s\n'
                      % (name, ', '.join(search_dirs(self.dirs))))
            return
        if self.loaded.get(name) == (path, base):
            return
        self.drop(name)
        with open(path, 'rb') as f:
            offs = section_layout(f.read())
        text = offs.pop('.text', None)
        if text is None:
            first = min(offs, key=offs.get)
            text = offs.pop(first)
            cmd = 'add-symbol-file %s -s %s %#x' % (path, first, base + text)
        else:
            cmd = 'add-symbol-file %s %#x' % (path, base + text)
        for sec, off in sorted(offs.items(), key=lambda kv: kv[1]):
            cmd += ' -s %s %#x' % (sec, base + off)
        gdb.execute(cmd, to_string=True)
        self.loaded[name] = (path, base)
        gdb.write('kr-symbols: %s at %#x from %s\n' % (name, base, path))

    def drop(self, name):
        old = self.loaded.pop(name, None)
        if old:
            with open(old[0], 'rb') as f:
                offs = section_layout(f.read())
            addr = old[1] + offs.get('.text', min(offs.values()))
            try:
                gdb.execute('remove-symbol-file -a %#x' % addr, to_string=True)
            except gdb.error:
                pass

    def refresh(self):
        files = kmod_files(search_dirs(self.dirs))
        now = live_modules()
        for name in set(self.loaded) - {n for n, *_ in now}:
            self.drop(name)
        for name, _state, base, _size, digest in now:
            self.add(name, base, digest, files)


SYMBOLS = Symbols()


class PlacedHook(gdb.Breakpoint):
    """kmod_debug_placed(m): a module just placed, before its init; the
    breakpoint never stops, it only loads the new module's symbols."""

    def __init__(self):
        super().__init__('kmod_debug_placed', internal=True)
        self.silent = True

    def stop(self):
        # The slot is filled before the call: a refresh finds the new module.
        try:
            SYMBOLS.refresh()
        except (gdb.error, gdb.GdbError) as e:
            gdb.write('kr-symbols: at a module load: %s\n' % e)
        return False


class KrSymbols(gdb.Command):
    """Load the symbols of every loaded Karyon module: kr-symbols [DIR...]
(see tools/gdb/karyon.py)."""

    def __init__(self):
        super().__init__('kr-symbols', gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        for d in gdb.string_to_argv(arg):
            if d not in SYMBOLS.dirs:
                SYMBOLS.dirs.append(d)
        SYMBOLS.refresh()
        if SYMBOLS.hook is None:
            try:
                SYMBOLS.hook = PlacedHook()
            except (gdb.error, RuntimeError) as e:
                gdb.write('kr-symbols: no hook on module loads (%s); run kr-symbols '
                          'again after insmod\n' % e)


class KrLsmod(gdb.Command):
    """The modules the kmod module has loaded, with their image base."""

    def __init__(self):
        super().__init__('kr-lsmod', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        files = kmod_files(search_dirs(SYMBOLS.dirs))
        gdb.write('%-16s %-9s %-18s %8s  %s\n' % ('name', 'state', 'base', 'size', 'file'))
        for name, state, base, size, digest in live_modules():
            gdb.write('%-16s %-9s %#018x %8d  %s\n' % (name, STATES.get(state, '?'), base, size,
                                                       files.get(digest, '(not found)')))


KrSymbols()
KrLsmod()
