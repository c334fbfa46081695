#!/usr/bin/env python3
"""test_user.py - handlers in user mode, as a hostile handler meets them:
every act that must not reach the kernel is stopped (or refused) with a
report, and leaves nothing behind.

Usage as test_boot.py: test_user.py CASE... | --list (meson runs one case per test).

Each case boots once, compiles several handlers and runs each: it checks
the exact shape of what `run` prints (the report naming the handler, what
happened and where), that `mem` printed before the run equals `mem` after
it (every page of the run is free again), and that the shell still
answers.  A failure names the act.  The kernel addresses the handlers
aim at are the dev kernel's own (read with nm from $KARYON_KERNEL): its
text, its data, and the data again through the direct map.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main, no_errors  # noqa: E402
from test_tcc import PROMPT, session  # noqa: E402

DIRECT_MAP = 0xffff800000000000
KERNEL_BASE = 0xffffffff80000000        # + physical address: the kernel image
HEX = r'0x[0-9a-f]+'


def kernel_addresses():
    """{'KTEXT', 'KDATA', 'DMAP'}: a function of the kernel (kr_as_run), the
    start of its data, and that data through the direct map."""
    out = subprocess.run(['nm', KERNEL], capture_output=True, text=True, check=True).stdout
    syms = {name: int(addr, 16) for addr, _, name in
            (line.split() for line in out.splitlines() if len(line.split()) == 3)}
    text, data = syms['kr_as_run'], syms['__data_start']
    assert text >= KERNEL_BASE and data >= KERNEL_BASE, 'kernel symbols not in the image'
    return {'KTEXT': text, 'KDATA': data, 'DMAP': DIRECT_MAP + data - KERNEL_BASE}


def source(text, addrs):
    """text with KTEXT, KDATA and DMAP replaced by their addresses."""
    for k, v in addrs.items():
        text = text.replace(k, '%#xul' % v)
    return text


def initrd(d, sources, extra=()):
    """An initrd with the handler headers, sources {name: C text} as
    /u/NAME.c, and extra (path in the initrd, text) files."""
    path = os.path.join(d, 'initrd.cpio')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), path,
            '--tree', '/usr/include=' + os.path.join(kqemu.ROOT, 'sdk', 'handler', 'include'),
            '--tree', '/usr/include/karyon=' + os.path.join(kqemu.ROOT, 'abi', 'karyon')]
    files = [('/u/%s.c' % n, t) for n, t in sources.items()] + list(extra)
    for i, (where, text) in enumerate(files):
        host = os.path.join(d, 'f%d' % i)
        with open(host, 'w') as f:
            f.write(text)
        args += ['--file', '%s=%s' % (where, host)]
    subprocess.run(args, check=True)
    return path


def compile_all(m, run, acts):
    """cc every act's handler (once per name) with its grants."""
    done = set()
    for act in acts:
        if act['name'] in done:
            continue
        done.add(act['name'])
        grants = ' -g ' + act['grants'] if act.get('grants') else ''
        # Hostile handlers use inline asm: allowed only unmetered (gas.h).
        out = run('cc --no-gas -l /u/%s.c%s' % (act['name'], grants))
        check(m, re.search(r'^cc: %s: code \d+ bytes' % act['name'], out, re.M),
              '%s: cc /u/%s.c failed: %r' % (act['act'], act['name'], out))


def contained(m, run, act, addrs):
    """Run act's handler: its output must match act['out'] whole (the
    addresses substituted), mem be as before, the shell answer."""
    line = ' '.join(['run', act['name']] + act.get('args', []))
    want = act['out'] % {k: '%#x' % v for k, v in addrs.items()}
    before = run('mem')
    out = run(line)
    check(m, re.fullmatch(want, out), '%s: `%s` printed %r, expected (regex) %r'
          % (act['act'], line, out, want))
    after = run('mem')
    check(m, after == before, '%s: memory not back after `%s`:\n%s%s'
          % (act['act'], line, before, after))
    check(m, run('echo still here') == 'still here\n', '%s: the shell does not answer' % act['act'])
    return out


def acts_case(acts, sources, after=None, extra=()):
    """A case: boot, compile, run every act; after(m, run) then.  extra:
    more files for the initrd, as initrd() takes them."""
    def case():
        addrs = kernel_addresses()
        srcs = {n: source(t, addrs) for n, t in sources.items()}
        with tempfile.TemporaryDirectory(prefix='kqemu-user-') as d, \
                Machine(KERNEL, iso_args=['--initrd', initrd(d, srcs, extra)]) as m:
            m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
            run = session(m)
            compile_all(m, run, acts)
            for act in acts:
                contained(m, run, act, addrs)
            for act in acts[:2]:            # a stopped handler runs again, the same way
                contained(m, run, act, addrs)
            if after:
                after(m, run)
            check(m, 'panic' not in m.log, 'the kernel panicked')
            no_errors(m)
    return case


def line_of(text, marker):
    """The number of the first line of text that holds marker."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def at(name, lines):
    """Where, in a report: the offset in the handler and its file:line (one
    of lines)."""
    return r'%s\+%s \(/u/%s\.c:(?:%s)\)' % (name, HEX, name, '|'.join(str(n) for n in lines))


def stopped(name, what, lines):
    """The report of a handler stopped at an instruction of its own."""
    return r'%s: stopped: %s at %s\n' % (name, what, at(name, lines))


# -- memory: the kernel's, reached directly ------------------------------------

# Through a pointer variable: TinyCC 0.9.27 stores to a constant 64-bit
# address through its low 32 bits (`*(long *)0xffff800000184000ul = 1`
# becomes `mov %rax, 0x184000`), which would test the wrong address.
def poke(addr, access, kind='long'):
    return ('int main(void)\n{\n\tvolatile %s *volatile p = (volatile %s *)%s;\n\n\t%s;\n'
            '\treturn 0;\n}\n' % (kind, kind, addr, access))


MEMORY_SOURCES = {
    'rdtext': poke('KTEXT', 'return (int)*p'),
    'rddata': poke('KDATA', 'return (int)*p'),
    'rddmap': poke('DMAP', 'return (int)*p'),
    'wrdata': poke('KDATA', '*p = 1'),
    'wrdmap': poke('DMAP', '*p = 1'),
    'wrtext': poke('KTEXT', '*p = 0xc3', 'unsigned char'),
    'extext': poke('KTEXT', '((void (*)(void))p)()', 'char'),
    'noncanon': poke('0x800000000000ul', 'return (int)*p'),
    'deep': ('int down(int n)\n{\n\tvolatile char pad[256];\n\n\tpad[0] = (char)n;\n'
             '\treturn down(n + 1) + pad[0];\n}\n\nint main(void)\n{\n\treturn down(0);\n}\n'),
    # Heap overflows: in ring 0 these corrupted the kernel's heap; now they
    # reach the handler's own heap, whose allocator catches the first, and
    # the end of the heap's mapping stops the second.
    'heapover': ('#include <stdlib.h>\n#include <string.h>\n\nint main(void)\n{\n'
                 '\tchar *p = malloc(100), *q = malloc(100);\n\n'
                 '\tmemset(p, 0x41, 4096 + 100);\n\tfree(q);\n\tfree(p);\n\treturn 0;\n}\n'),
    'heapend': ('#include <stdlib.h>\n#include <string.h>\n\nint main(void)\n{\n'
                '\tchar *p = malloc(100);\n\n\tmemset(p, 0x41, 1 << 20);\n\treturn 0;\n}\n'),
}


def kernel_fault(act, name, what, where):
    return {'act': act, 'name': name,
            'out': stopped(name, r'page fault \(%s kernel memory, address %%(%s)s\)'
                           % (what, where), [5])}


MEMORY_ACTS = [
    kernel_fault('read of kernel text', 'rdtext', 'read of', 'KTEXT'),
    kernel_fault('read of kernel data', 'rddata', 'read of', 'KDATA'),
    kernel_fault('read of the direct map', 'rddmap', 'read of', 'DMAP'),
    kernel_fault('write to kernel data', 'wrdata', 'write to', 'KDATA'),
    kernel_fault('write to the direct map', 'wrdmap', 'write to', 'DMAP'),
    kernel_fault('write to kernel text', 'wrtext', 'write to', 'KTEXT'),
    # rip is the kernel address itself: not in the handler, so no NAME+offset.
    {'act': 'executing kernel text', 'name': 'extext',
     'out': r'extext: stopped: page fault \(jump into kernel memory, address %(KTEXT)s\) '
            r'at %(KTEXT)s\n'},
    {'act': 'read of a non-canonical address', 'name': 'noncanon',
     'out': stopped('noncanon', r'general protection fault \(a kernel or non-canonical address, '
                                r'or a privileged instruction\)', [5])},
    # The fault comes where down() grows its frame or writes into it.
    {'act': 'stack overflow', 'name': 'deep',
     'out': stopped('deep', r'page fault \(stack overflow, address %s\)' % HEX, range(1, 7))},
    {'act': 'a heap block overflowed by 4 KiB', 'name': 'heapover',
     'out': r'heapover aborted: free\(\): invalid pointer\n'},
    {'act': 'a write past the end of the heap', 'name': 'heapend',
     'out': r'heapend: stopped: page fault \(bad write, address %s\) at %s, in the C library, '
            r'called from %s\n' % (HEX, HEX, at('heapend', [9]))},
]


# -- privileged instructions -------------------------------------------------

def asm(text):
    return 'int main(void)\n{\n\t__asm__ volatile("%s");\n\treturn 0;\n}\n' % text


GP_OTHER = 'a kernel or non-canonical address, or a privileged instruction'
PRIVILEGED = [
    # (handler, instruction, what the report calls it)
    ('cli', 'cli', 'privileged instruction: cli'),
    ('sti', 'sti', 'privileged instruction: sti'),
    ('hlt', 'hlt', 'privileged instruction: hlt'),
    ('inb', 'inb %dx, %al', 'privileged instruction: in'),
    ('outb', 'outb %al, $0x80', 'privileged instruction: out'),
    ('wrmsr', 'wrmsr', 'privileged instruction: wrmsr'),
    ('rdmsr', 'rdmsr', 'privileged instruction: rdmsr'),
    ('movcr3', 'mov %rax, %cr3', 'privileged instruction: mov to a control register'),
    ('rdcr3', 'mov %cr3, %rax', 'privileged instruction: mov from a control register'),
    ('lgdt', 'lgdt (%rsp)', 'privileged instruction: a system-table instruction'),
    ('swapgs', 'swapgs', 'privileged instruction: a system-table instruction'),
    ('wbinvd', 'wbinvd', 'privileged instruction: wbinvd'),
    # A software interrupt to a kernel vector (DPL 0): a forged page fault.
    ('intpf', 'int $14', 'privileged instruction: int'),
    ('int80', 'int $0x80', 'privileged instruction: int'),
    ('int3', 'int3', 'privileged instruction: int3'),
    # The report does not name these; the fault is the same.
    ('movdr7', 'mov %rax, %dr7', GP_OTHER),
    ('ltr', 'ltr %ax', GP_OTHER),
    ('sysret', 'sysretq', GP_OTHER),
]
PRIVILEGED_SOURCES = {name: asm(insn) for name, insn, _ in PRIVILEGED}
# TinyCC gives an asm statement no line of its own: it counts to the line
# before it (as test_tcc.py's badop).
PRIVILEGED_ACTS = [
    {'act': 'instruction %s' % insn, 'name': name,
     'out': stopped(name, r'general protection fault \(%s\)' % what, [2, 3])}
    for name, insn, what in PRIVILEGED]
# stac lifts SMAP for the kernel; in ring 3 it is an invalid opcode.
PRIVILEGED_SOURCES['stac'] = asm('.byte 0x0f, 0x01, 0xcb')
PRIVILEGED_ACTS.append({'act': 'instruction stac', 'name': 'stac',
                        'out': stopped('stac', 'invalid opcode', [2, 3])})
# The trap flag, set by popf: the debug exception comes back to the kernel
# and stops the run.  It is a trap: rip is past the nop, maybe on `return`.
PRIVILEGED_SOURCES['trapflag'] = asm('pushfq; orq $0x100, (%rsp); popfq; nop')
PRIVILEGED_ACTS.append({'act': 'the trap flag', 'name': 'trapflag',
                        'out': stopped('trapflag', r'debug exception \(single step\)', [2, 3, 4])})

# The entry path: the kernel must not use the handler's stack pointer.  A
# system call, and timer interrupts, with rsp in kernel memory, at a
# non-canonical address, at 0 (the handler would put rsp back afterwards).
STACK_CALL = ('#include <stdio.h>\n\nint main(void)\n{\n\tlong r;\n\n'
              '\t__asm__ volatile("mov %%%%rsp, %%%%rbx; mov %%1, %%%%rsp; %s; '
              'mov %%%%rbx, %%%%rsp" : "=a"(r) : "r"(%s) : "rbx", "rcx", "r11", "memory");\n'
              '\tprintf("got %%ld\\n", r);\n\treturn 0;\n}\n')
NULL_CALL = 'mov $116, %%eax; syscall'                # __karyon_null
SPIN_300M = 'mov $300000000, %%eax; 1: dec %%rax; jnz 1b'
PRIVILEGED_SOURCES.update({
    'kstack': STACK_CALL % (NULL_CALL, 'KDATA'),
    'ncstack': STACK_CALL % (NULL_CALL, '0x800000000000ul'),
    'nullstack': STACK_CALL % (NULL_CALL, '0ul'),
    'kspin': STACK_CALL % (SPIN_300M, 'KDATA'),
})
# After the call (or an interrupt) kr_as_run refuses to go back to user
# mode with rsp outside the user half.  The report gives rip as an address
# (rip is the handler's, right after its syscall or in its loop).
def bad_rsp(name, rsp):
    return (r'%s: stopped: cannot resume it at %s with stack pointer %s \(not user '
            r'addresses\)\n' % (name, HEX, rsp))


PRIVILEGED_ACTS += [
    {'act': 'syscall with rsp in kernel memory', 'name': 'kstack',
     'out': bad_rsp('kstack', '%(KDATA)s')},
    {'act': 'syscall with a non-canonical rsp', 'name': 'ncstack',
     'out': bad_rsp('ncstack', '0x800000000000')},
    {'act': 'timer interrupts with rsp in kernel memory', 'name': 'kspin',
     'out': bad_rsp('kspin', '%(KDATA)s')},
    {'act': 'syscall with rsp 0', 'name': 'nullstack', 'out': 'got 0\nnullstack returned 0\n'},
]


# -- system calls the gate refuses ---------------------------------------------

# Each prints what the call returned and returns 0: a refused call stops
# neither the kernel nor the handler.
def call(expr, decl=''):
    return ('#include <stdio.h>\n#include <string.h>\n#include <karyon/handler.h>\n%s'
            'static char text[400];\n\n'
            'int main(int argc, char **argv)\n{\n\tchar buf[16];\n\tlong r;\n\n'
            '\t(void)argc;\n\t(void)argv;\n\t(void)buf;\n\tmemset(text, \'a\', sizeof(text));\n'
            '\tr = %s;\n\tprintf("got %%ld\\n", r);\n\treturn 0;\n}\n' % (decl, expr))


def raw(nr, args=''):
    """A syscall made by the handler itself, not through a library stub."""
    return ('({ long r_; __asm__ volatile("syscall" : "=a"(r_) : "a"(%s)%s : '
            '"rcx", "r11", "memory"); r_; })' % (nr, args))


WRITE_DECL = 'long __karyon_write(const char *buf, unsigned long n);\n'
SYSCALL_SOURCES = {
    'badnr': call(raw('999L')),
    'negnr': call(raw('-1L')),
    'nogrant': call(raw('109L', ', "D"("/u/data.txt"), "S"(0L), "d"(buf)')),
    'kout': call('vfs_read("/u/data.txt", 0, (void *)KDATA, 10)'),
    'dmout': call('vfs_read("/u/data.txt", 0, (void *)DMAP, 10)'),
    'kin': call('vfs_write("/u/leak", (void *)KTEXT, 64)'),
    'kstr': call('vfs_size((const char *)KDATA)'),
    'unmapped': call('vfs_read("/u/data.txt", 0, (void *)0x500000000ul, 10)'),
    'unmapin': call('__karyon_write((const char *)0x500000000ul, 10)', WRITE_DECL),
    'rocode': call('vfs_read("/u/data.txt", 0, (void *)main, 10)'),
    'huge': call('vfs_read("/u/data.txt", 0, buf, 1ul << 40)'),
    'max1': call('vfs_read("/u/data.txt", 0, buf, (16ul << 20) + 1)'),
    'hugeout': call('__karyon_write(text, (64ul << 10) + 1)', WRITE_DECL),
    'overrun': call('vfs_read("/u/data.txt", 0, buf, 16ul << 20)'),
    'wrap': call('vfs_read("/u/data.txt", 0, (void *)-8l, 16)'),
    'unterm': call('vfs_size(text)'),
    # argv's last string ends at the top of the stack, the end of the
    # address space's mapped memory: without its NUL the string runs into
    # nothing mapped.
    'untermend': call('(argv[1][strlen(argv[1])] = \'x\', vfs_size(argv[1]))'),
}


def refused(name, call_name, why, arg, ret, err):
    """A refused call's report line (where: the line of the call), then
    what the handler printed."""
    arg = r' \(argument %d: %s\)' % arg if arg else ''
    line = line_of(SYSCALL_SOURCES[name], '\tr = ')
    return (r'%s: system call %s refused: %s%s at %s; it returns %d \(%s\)\n'
            r'got %d\n%s returned 0\n' % (name, call_name, why, arg, at(name, [line]), ret, err,
                                          ret, name))


NOT_WRITABLE = r'bad pointer \(not writable memory of the handler\)'
SYSCALL_ACTS = [
    {'act': 'syscall with a bad number', 'name': 'badnr',
     'out': refused('badnr', '999', 'not a system call', None, -10, 'not implemented')},
    {'act': 'syscall with number 2^64-1', 'name': 'negnr',
     'out': refused('negnr', '18446744073709551615', 'not a system call', None, -10,
                    'not implemented')},
    {'act': 'syscall not granted (raw vfs_read)', 'name': 'nogrant',
     'out': refused('nogrant', 'vfs_read', 'not granted', None, -7, 'permission denied')},
    {'act': 'kernel pointer to write into', 'name': 'kout', 'grants': 'vfs.read',
     'out': refused('kout', 'vfs_read', NOT_WRITABLE, (3, '%(KDATA)s'), -9, 'bad address')},
    {'act': 'direct-map pointer to write into', 'name': 'dmout', 'grants': 'vfs.read',
     'out': refused('dmout', 'vfs_read', NOT_WRITABLE, (3, '%(DMAP)s'), -9, 'bad address')},
    {'act': 'kernel pointer to read from', 'name': 'kin', 'grants': 'vfs.write',
     'out': refused('kin', 'vfs_write', 'bad pointer', (2, '%(KTEXT)s'), -9, 'bad address')},
    {'act': 'kernel pointer as a path', 'name': 'kstr', 'grants': 'vfs.read',
     'out': refused('kstr', 'vfs_size', 'bad pointer', (1, '%(KDATA)s'), -9, 'bad address')},
    {'act': 'unmapped pointer to write into', 'name': 'unmapped', 'grants': 'vfs.read',
     'out': refused('unmapped', 'vfs_read', NOT_WRITABLE, (3, '0x500000000'), -9, 'bad address')},
    {'act': 'unmapped pointer to read from', 'name': 'unmapin',
     'out': refused('unmapin', '__karyon_write', 'bad pointer', (1, '0x500000000'), -9,
                    'bad address')},
    {'act': 'read-only pointer (its own code) to write into', 'name': 'rocode',
     'grants': 'vfs.read',
     'out': refused('rocode', 'vfs_read', NOT_WRITABLE, (3, HEX), -9, 'bad address')},
    {'act': 'huge length', 'name': 'huge', 'grants': 'vfs.read',
     'out': refused('huge', 'vfs_read', 'length too large', (4, '0x10000000000'), -3,
                    'value out of range')},
    {'act': 'length one over the limit', 'name': 'max1', 'grants': 'vfs.read',
     'out': refused('max1', 'vfs_read', 'length too large', (4, '0x1000001'), -3,
                    'value out of range')},
    {'act': 'console write one over its limit', 'name': 'hugeout',
     'out': refused('hugeout', '__karyon_write', 'length too large', (2, '0x10001'), -3,
                    'value out of range')},
    {'act': 'length running past the stack', 'name': 'overrun', 'grants': 'vfs.read',
     'out': refused('overrun', 'vfs_read', NOT_WRITABLE, (3, HEX), -9, 'bad address')},
    {'act': 'pointer + length wrapping around 2^64', 'name': 'wrap', 'grants': 'vfs.read',
     'out': refused('wrap', 'vfs_read', NOT_WRITABLE, (3, '0xfffffffffffffff8'), -9,
                    'bad address')},
    {'act': 'string not terminated within the limit', 'name': 'unterm', 'grants': 'vfs.read',
     'out': refused('unterm', 'vfs_size', 'string not terminated', (1, HEX), -3,
                    'value out of range')},
    {'act': 'string running off the end of mapped memory', 'name': 'untermend',
     'grants': 'vfs.read', 'args': ['abc'],
     'out': refused('untermend', 'vfs_size', 'bad pointer', (1, '0x7feffffffffc'), -9,
                    'bad address')},
]


def no_leak(m, run):
    # vfs_write with a kernel pointer wrote nothing, not even an empty file.
    out = run('cat /u/leak')
    check(m, 'no such entry' in out, 'kernel pointer to read from: /u/leak exists: %r' % out)


# -- Ctrl-C ----------------------------------------------------------------

# Prints when it started (guest time), then spins: without system calls,
# or making one on every turn.
SPIN = ('#include <stdio.h>\n#include <karyon/handler.h>\n\n'
        'int main(void)\n{\n\tvolatile unsigned long n = 0;\n\n'
        '\tprintf("spinning since %%llu us\\n", time_us());\n\tfflush(stdout);\n'
        '\tfor (;;)\n\t\t%s;\n\treturn 0;\n}\n')
INTERRUPT_SOURCES = {'spin': SPIN % 'n++', 'callspin': SPIN % 'n += time_us()'}


def interrupt():
    # Ctrl-C stops a run long before its budget (60 s here) and the prompt
    # comes back within a second of guest time.  The handler prints the
    # guest time T it started at; the test sends Ctrl-C as soon as it sees
    # that line, and `uptime` right behind it (typed ahead: the shell keeps
    # what follows the Ctrl-C).  Ctrl-C reached the guest after T, and the
    # prompt was back before `uptime` read the clock U, so U - T bounds the
    # time from Ctrl-C to the prompt from above.  It also holds the host's
    # reaction to the line, a few ms; no kernel change is needed for it.
    # A stop inside the library (a system call's stub) says so, and where
    # the handler called it from.
    acts = [{'act': 'Ctrl-C, a loop without system calls', 'name': 'spin', 'grants': 'time',
             'lib': '(?!)'},
            {'act': 'Ctrl-C, a loop of system calls', 'name': 'callspin', 'grants': 'time',
             'lib': HEX + ', in the C library, called from ' + at('callspin', [10, 11])}]
    with tempfile.TemporaryDirectory(prefix='kqemu-user-') as d, \
            Machine(KERNEL, cmdline='tcc.budget_ms=60000',
                    iso_args=['--initrd', initrd(d, INTERRUPT_SOURCES)]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        compile_all(m, run, acts)
        for act in acts + acts[:1]:
            name = act['name']
            before = run('mem')
            start = len(m.log)
            m.send('run %s\r' % name)
            t = m.wait_for(r'^spinning since (\d+) us$', 30, start)
            # Into its loop first: the line shows while fflush's call is
            # still on its way back, and a stop there is in the library.
            time.sleep(0.2)
            sent = time.monotonic()
            m.send('\x03uptime\r')
            r = m.wait_for(r'^%s: stopped: interrupted \(Ctrl-C\) at (?:%s|%s)\n%s'
                           % (name, at(name, [10, 11]), act['lib'], PROMPT % '/'), 30, t.end())
            wall = time.monotonic() - sent
            u = m.wait_for(r'^up (\d+)\.(\d{6}) s\n' + PROMPT % '/', 30, r.end())
            check(m, not re.search(r'\S', m.log[t.end():r.start()]),
                  '%s: output between the start and the report: %r'
                  % (act['act'], m.log[t.end():r.start()]))
            guest = int(u.group(1)) + int(u.group(2)) / 1e6 - int(t.group(1)) / 1e6
            check(m, not re.search(r'^domain .*left behind$', m.log, re.M),
                  '%s: the run left heap blocks behind' % act['act'])
            check(m, 0 < guest < 1.0, '%s: %.3f s of guest time from the start of the run to '
                  'the prompt after Ctrl-C (at most 1 s)' % (act['act'], guest))
            print('%s: %.1f ms of guest time from the start to the prompt, %.2f s wall from '
                  'Ctrl-C' % (act['act'], guest * 1000, wall))
            # The wall clock only catches a hang: the host may be loaded.
            check(m, wall < 20, '%s: %.1f s (wall) from Ctrl-C to the prompt' % (act['act'], wall))
            after = run('mem')
            check(m, after == before, '%s: memory not back:\n%s%s' % (act['act'], before, after))
            check(m, run('echo still here') == 'still here\n', '%s: the shell does not answer'
                  % act['act'])
        check(m, 'panic' not in m.log, 'the kernel panicked')
        no_errors(m)


# -- cycles ------------------------------------------------------------------

CYCLE = ('#include <stdio.h>\n#include <stdlib.h>\n\n'
         'int main(int argc, char **argv)\n{\n\tvolatile char stack[20000];\n'
         '\tvolatile long *volatile kernel = (volatile long *)KDATA;\n'
         '\tchar *p = malloc(100000);\n\n\t(void)argv;\n\tstack[0] = 1;\n\tp[99999] = stack[0];\n'
         '\tprintf("heap and stack used\\n");\n'
         '\tif (argc > 1)\n\t\t*kernel = 1;\n\treturn 0;\n}\n')
CYCLES = 100


def cycles():
    # CYCLES times: compile, run to the end, run into a fault, unload; page
    # and heap counts as they were.
    addrs = kernel_addresses()
    script = 'cc -l /u/cyc.c -o cyc\nrun cyc\nrun cyc fault\nunload cyc\n' * CYCLES
    with tempfile.TemporaryDirectory(prefix='kqemu-user-') as d, \
            Machine(KERNEL, iso_args=['--initrd', initrd(d, {'cyc': source(CYCLE, addrs)},
                                                         [('/u/cycle.sh', script)])]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        for line in script.splitlines()[:4]:    # the heap grows to a compile's peak once
            run(line)
        before = run('mem')
        t0 = time.monotonic()
        out = run('sh /u/cycle.sh', 600)
        took = time.monotonic() - t0
        check(m, out.count('cc: cyc: code') == CYCLES, 'not %d compiles: %r' % (CYCLES, out[-500:]))
        check(m, out.count('heap and stack used\ncyc returned 0\n') == CYCLES,
              'not %d runs to the end: %r' % (CYCLES, out[-500:]))
        where = at('cyc', [line_of(CYCLE, '*kernel = 1')])
        faults = re.findall(r'^heap and stack used\ncyc: stopped: page fault \(write to kernel '
                            r'memory, address %#x\) at %s$' % (addrs['KDATA'], where), out, re.M)
        check(m, len(faults) == CYCLES, 'not %d runs stopped: %r' % (CYCLES, out[-500:]))
        # Nothing for the domain's sweep to find: the module frees what it
        # allocated for a handler and a run itself.
        swept = re.search(r'^domain .*left behind$', out, re.M)
        check(m, not swept, 'a cycle left heap blocks behind: %r' % (swept and swept.group(0)))
        after = run('mem')
        check(m, after == before, 'memory after %d cycles differs:\n%s%s' % (CYCLES, before, after))
        check(m, run('handlers').count('\n') == 1, 'handlers left after the cycles')
        print('%d cycles in %.1f s (wall)' % (CYCLES, took))
        no_errors(m)


CASES = {
    'user-memory': acts_case(MEMORY_ACTS, MEMORY_SOURCES),
    'user-privileged': acts_case(PRIVILEGED_ACTS, PRIVILEGED_SOURCES),
    'user-syscalls': acts_case(SYSCALL_ACTS, SYSCALL_SOURCES, no_leak,
                               [('/u/data.txt', 'granted file\n')]),
    'user-interrupt': interrupt,
    'user-cycles': cycles,
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
