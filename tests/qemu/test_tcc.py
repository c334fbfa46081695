#!/usr/bin/env python3
"""test_tcc.py - TinyCC in the kernel as a user meets it: compile C
handlers at the shell prompt, run them, break them.

Usage: test_tcc.py CASE...      (test_tcc.py --list for the names)

Every example in sdk/examples/handlers is compiled on the device and run,
and its output and return value compared with the same file built by the
host's gcc and run on the host.  The other cases put small test sources
into an initrd beside the handler headers and check what the shell prints:
compile errors with line numbers, grants enforced at link time, faults
and endless loops contained, memory back after 100 compile/unload cycles.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import EXIT_READY, Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, expect_exit, main, no_errors  # noqa: E402

PROMPT = r'karyon:%s> '
EXAMPLES = os.path.join(kqemu.ROOT, 'sdk', 'examples', 'handlers')
# Arguments each example is run with, on the device and on the host.
EXAMPLE_ARGS = {
    'hello': ['Karyon', 'two'],
    'fibonacci': ['24'],
    'sieve': [],
    'strings': [],
    'structs': [],
    'float': [],
}

# Test sources: name -> C text, installed as /t/NAME.c.
SOURCES = {
    'bad': 'int main(void)\n{\n\tint x = 1\n\treturn x;\n}\n',
    'undeclared': '#include <stdio.h>\nint main(void)\n{\n\tprintf("%d\\n", y);\n\treturn 0;\n}\n',
    'nomain': 'int helper(void) { return 1; }\n',
    'reader': ('#include <stdio.h>\n#include <karyon/handler.h>\n'
               'int main(void)\n{\n\tchar buf[64] = { 0 };\n'
               '\tlong n = vfs_read("/t/data.txt", 0, buf, sizeof(buf) - 1);\n'
               '\tprintf("read %ld bytes: %s", n, buf);\n\treturn n > 0 ? 0 : 1;\n}\n'),
    'internal': ('int kr_page_alloc(void *d, unsigned long n, void *out);\n'
                 'int main(void)\n{\n\treturn kr_page_alloc(0, 1, 0);\n}\n'),
    'null': '#include <stdio.h>\nint main(void)\n{\n\tint *p = 0;\n\tprintf("before\\n");\n\treturn *p;\n}\n',
    'divzero': ('int zero;\nint main(int argc, char **argv)\n{\n\t(void)argv;\n'
                '\treturn argc / zero;\n}\n'),
    'badop': 'int main(void)\n{\n\t__asm__("ud2");\n\treturn 0;\n}\n',
    'deep': ('int down(int n)\n{\n\tvolatile char pad[256];\n\tpad[0] = (char)n;\n'
             '\treturn down(n + 1) + pad[0];\n}\nint main(void)\n{\n\treturn down(0);\n}\n'),
    'selfwrite': ('int main(void)\n{\n\tunsigned char *code = (unsigned char *)main;\n'
                  '\tcode[0] = 0xc3;\n\treturn 0;\n}\n'),
    'spin': 'int main(void)\n{\n\tvolatile unsigned long n = 0;\n\tfor (;;)\n\t\tn++;\n\treturn 0;\n}\n',
    'exits': ('#include <stdio.h>\n#include <stdlib.h>\nint main(void)\n{\n'
              '\tchar *p = malloc(100);\n\tputs("leaving");\n\texit(p ? 7 : 9);\n}\n'),
    'tiny': 'int main(void)\n{\n\treturn 3;\n}\n',
    'when': ('#include <stdio.h>\nint main(void)\n{\n'
             '\tprintf("built %s %s\\n", __DATE__, __TIME__);\n\treturn 0;\n}\n'),
    'hog': ('#include <stdio.h>\n#include <stdlib.h>\nint main(void)\n{\n'
            '\tstatic void *blocks[1024];\n\tint n = 0;\n'
            '\twhile (n < 1024 && (blocks[n] = malloc(1 << 20)))\n\t\tn++;\n'
            '\tprintf("%d MiB, then NULL\\n", n);\n\twhile (n)\n\t\tfree(blocks[--n]);\n'
            '\treturn 0;\n}\n'),
}


def session(m, gas=False):
    """run(line, cwd) -> what the shell printed for line (between the echo
    of the line and the next prompt), without the `run: NAME: gas N` line
    every run of a metered handler prints unless gas is true (test_gas.py
    checks that line)."""
    def run(line, timeout=60, cwd='/'):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + PROMPT % re.escape(cwd), timeout, start)
        return r.group(1) if gas else re.sub(r'^run: \w+: gas \d+\n', '', r.group(1), flags=re.M)
    return run


def test_initrd(d):
    """An initrd with the handler headers, the examples and SOURCES."""
    initrd = os.path.join(d, 'initrd.cpio')
    args = [sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
            '--tree', '/usr/include=' + os.path.join(kqemu.ROOT, 'sdk', 'handler', 'include'),
            '--tree', '/usr/include/karyon=' + os.path.join(kqemu.ROOT, 'abi', 'karyon'),
            '--tree', '/usr/share/examples=' + os.path.join(kqemu.ROOT, 'sdk', 'examples')]
    for name, text in SOURCES.items():
        path = os.path.join(d, name + '.c')
        with open(path, 'w') as f:
            f.write(text)
        args += ['--file', '/t/%s.c=%s' % (name, path)]
    data = os.path.join(d, 'data.txt')
    with open(data, 'w') as f:
        f.write('granted file\n')
    cycle = os.path.join(d, 'cycle.sh')
    with open(cycle, 'w') as f:
        f.write('cc /t/tiny.c -o cyc\nunload cyc\n' * 100)
    args += ['--file', '/t/data.txt=' + data, '--file', '/t/cycle.sh=' + cycle]
    subprocess.run(args, check=True)
    return initrd


def host_run(name, d):
    """Build sdk/examples/handlers/NAME.c with gcc and run it: (stdout, status)."""
    exe = os.path.join(d, name)
    subprocess.run(['gcc', '-O0', '-w', os.path.join(EXAMPLES, name + '.c'), '-lm', '-o', exe],
                   check=True)
    r = subprocess.run([name] + EXAMPLE_ARGS[name], executable=exe, capture_output=True,
                       text=True, timeout=60)
    return r.stdout, r.returncode


def examples():
    # The dev image as built: its initrd carries the headers and examples.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    names = sorted(n[:-2] for n in os.listdir(EXAMPLES) if n.endswith('.c'))
    if names != sorted(EXAMPLE_ARGS):
        raise AssertionError('examples %s, this test knows %s' % (names, sorted(EXAMPLE_ARGS)))
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d, \
            Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso')) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        for name in names:
            want, status = host_run(name, d)
            out = run('cc /usr/share/examples/handlers/%s.c' % name)
            check(m, re.search(r'^cc: %s: code \d+ bytes, data \d+ bytes, grants console$' % name,
                               out, re.M), 'cc %s: %r' % (name, out))
            out = run(' '.join(['run', name] + EXAMPLE_ARGS[name]), 120)
            r = re.search(r'^%s returned (-?\d+)\n\Z' % name, out, re.M)
            check(m, r, 'run %s did not return: %r' % (name, out[-300:]))
            got = out[:r.start()]
            check(m, got == want, '%s: device output differs from the host\'s:\n--- host\n%s'
                  '--- device\n%s' % (name, want, got))
            check(m, int(r.group(1)) & 0xff == status,
                  '%s returned %s on the device, %d on the host' % (name, r.group(1), status))
        out = run('handlers')
        for name in names:
            check(m, re.search(r'^%s +\d+ +\d+  [0-9a-f]{16}  console$' % name, out, re.M),
                  'handlers does not list %s: %r' % (name, out))
        for name in names:
            check(m, run('unload ' + name) == '', 'unload %s printed something' % name)
        check(m, run('handlers').count('\n') == 1, 'handlers left after unload')
        no_errors(m)


def errors():
    # Compile errors with line numbers, link errors naming what is not granted.
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d, \
            Machine(KERNEL, iso_args=['--initrd', test_initrd(d)]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        out = run('cc /t/bad.c')
        check(m, re.search(r"^/t/bad\.c:4: error: ';' expected", out, re.M), 'bad.c: %r' % out)
        check(m, re.search(r'^cc: /t/bad\.c: 1 error$', out, re.M), 'bad.c count: %r' % out)
        out = run('cc /t/undeclared.c')
        check(m, re.search(r"^/t/undeclared\.c:4: error: 'y' undeclared", out, re.M),
              'undeclared.c: %r' % out)
        out = run('cc /t/nomain.c')
        check(m, re.search(r'^cc: /t/nomain\.c: no main\(\) or on_event\(\) function', out, re.M), 'nomain: %r' % out)
        out = run('cc /t')
        check(m, out == 'cc: /t: not a file\n', 'cc DIR: %r' % out)
        out = run('cc /t/nosuch.c')
        check(m, re.search(r'^cc: /t/nosuch\.c: no such entry$', out, re.M), 'nosuch: %r' % out)
        out = run('cc /t/reader.c')
        check(m, re.search(r'^cc: /t/reader\.c: undefined symbol vfs_read \(not granted\): '
                           r'needs -g vfs\.read$', out, re.M), 'reader: %r' % out)
        out = run('cc /t/internal.c')
        check(m, re.search(r'^cc: /t/internal\.c: undefined symbol kr_page_alloc \(no handler '
                           r'may call it\)$', out, re.M), 'internal: %r' % out)
        out = run('cc /t/reader.c -g nosuch')
        check(m, re.search(r"^cc: unknown grant 'nosuch'", out, re.M), 'bad grant: %r' % out)
        check(m, run('handlers').count('\n') == 1, 'a failed compile left a handler')
        out = run('cc /t/reader.c -g vfs.read')
        check(m, re.search(r'^cc: reader: .* grants console,vfs\.read$', out, re.M), 'granted: %r' % out)
        out = run('run reader')
        check(m, out == 'read 13 bytes: granted file\nreader returned 0\n', 'reader run: %r' % out)
        out = run('run exits')
        check(m, re.search(r'^run: no handler exits', out, re.M), 'run unknown: %r' % out)
        run('cc /t/exits.c')
        out = run('run exits')          # its heap goes with the run, silently
        check(m, out == 'leaving\nexits returned 7\n', 'exit(7): %r' % out)
        # __DATE__ and __TIME__ come from the image's SOURCE_DATE_EPOCH: the
        # same on every boot of the same build.
        sys.path.insert(0, os.path.join(kqemu.ROOT, 'tools'))
        from buildinfo import source_date_epoch
        t = time.gmtime(source_date_epoch()[0])
        run('cc /t/when.c')
        out = run('run when')
        want = 'built %s %2d %d %02d:%02d:%02d\n' % (time.strftime('%b', t), t.tm_mday, t.tm_year,
                                                  t.tm_hour, t.tm_min, t.tm_sec)
        check(m, out == want + 'when returned 0\n', '__DATE__ %r, expected %r' % (out, want))
        run('cd /t', cwd='/t')
        out = run('cc tiny.c -o again -DUNUSED=1', cwd='/t')        # relative path, -o, -D
        check(m, re.search(r'^cc: again: code', out, re.M), 'relative cc: %r' % out)
        out = run('run again', cwd='/t')
        check(m, out == 'again returned 3\n', 'run again: %r' % out)
        longest = 'a' * 31                                  # the longest name there is
        run('cc tiny.c -o ' + longest, cwd='/t')
        out = run('run ' + longest, cwd='/t')
        check(m, out == longest + ' returned 3\n', 'a 31-character name: %r' % out)
        out = run('cc tiny.c -o ' + longest + 'b', cwd='/t')
        check(m, re.search(r"is not a handler name", out), '32 characters accepted: %r' % out)
        no_errors(m)


TYPED = [
    '#include <stdio.h>',
    '',
    'static int square(int x)',
    '{',
    '\treturn x * x;',
    '}',
    '',
    'int main(int argc, char **argv)',
    '{',
    '\tfor (int i = 1; i < argc; i++)',
    '\t\tprintf("%s squared is %d\\n", argv[i], square(atoi_ish(argv[i])));',
    '\treturn argc - 1;',
    '}',
]


def typed():
    # A user types a handler at the prompt (cat > FILE, Ctrl-D), fixes the
    # error cc reports, compiles it again (replacing it), runs it with its
    # output redirected to a file.
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d, \
            Machine(KERNEL, iso_args=['--initrd', test_initrd(d)]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        m.send('cat > /t/sq.c\r')
        for line in TYPED:
            m.send(line + '\r')
        start = len(m.log)
        m.send('\x04')
        m.wait_for(PROMPT % '/', 20, start)
        check(m, run('cat /t/sq.c') == '\n'.join(TYPED) + '\n', 'the typed file differs')
        out = run('cc /t/sq.c')
        check(m, re.search(r"^/t/sq\.c:11: warning: implicit declaration of function 'atoi_ish'",
                           out, re.M), 'no warning: %r' % out)
        check(m, re.search(r'^cc: /t/sq\.c: undefined symbol atoi_ish \(no handler may call it\)$', out, re.M),
              'link error expected: %r' % out)
        run("echo '#include <stdlib.h>' > /t/fix.c")
        run("echo '#define atoi_ish atoi' >> /t/fix.c")
        run('cat /t/sq.c >> /t/fix.c')
        out = run('cc /t/fix.c -o sq')
        check(m, re.search(r'^cc: sq: code \d+ bytes', out, re.M), 'fixed: %r' % out)
        check(m, run('run sq 3 12') == '3 squared is 9\n12 squared is 144\nsq returned 2\n',
              'run sq')
        out = run('handlers')
        old = re.search(r'^sq .*  ([0-9a-f]{16})  console$', out, re.M)
        run("echo 'int main(void) { return 42; }' > /t/other.c")
        out = run('cc /t/other.c -o sq')                  # the same name: replaced
        check(m, run('run sq') == 'sq returned 42\n', 'recompiling did not replace sq')
        new = re.search(r'^sq .*  ([0-9a-f]{16})  console$', run('handlers'), re.M)
        check(m, old and new and old.group(1) != new.group(1), 'version did not change')
        check(m, run('handlers').count('\nsq ') == 1, 'two handlers named sq')
        run('cc /t/fix.c -o sq')
        check(m, run('run sq 5 > /t/out') == '', 'redirected output reached the screen')
        check(m, run('cat /t/out') == '5 squared is 25\nsq returned 1\n', 'redirected output')
        out = run('cc /t/fix.c -o 9lives')
        check(m, re.search(r"^cc: '9lives' is not a handler name", out, re.M), 'bad name: %r' % out)
        out = run('unload nosuch')
        check(m, out == 'unload: no handler nosuch\n', 'unload nosuch: %r' % out)
        no_errors(m)


FAULTS = [
    # (source, what the shell prints after run NAME): offset and file:line
    ('null', r'^before\nnull: stopped: page fault \(NULL pointer dereference, address 0\) at '
     r'null\+0x[0-9a-f]+ \(/t/null\.c:6\)$'),
    ('divzero', r'^divzero: stopped: divide error at divzero\+0x[0-9a-f]+ \(/t/divzero\.c:5\)$'),
    ('badop', r'^badop: stopped: invalid opcode at badop\+0x[0-9a-f]+ \(/t/badop\.c:[23]\)$'),
    ('deep', r'^deep: stopped: page fault \(stack overflow, address 0x[0-9a-f]+\) at '
     r'deep\+0x[0-9a-f]+ \(/t/deep\.c:[45]\)$'),
    ('selfwrite', r'^selfwrite: stopped: page fault \(write to its code, address 0x[0-9a-f]+\) at '
     r'selfwrite\+0x[0-9a-f]+ \(/t/selfwrite\.c:4\)$'),
    ('spin', r'^spin: stopped: time budget of 500 ms used up at spin\+0x[0-9a-f]+ '
     r'\(/t/spin\.c:[45]\)$'),
]


def faults():
    # Each fault is contained: a report, the shell answers, memory comes back.
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d, \
            Machine(KERNEL, cmdline='tcc.budget_ms=500',
                    iso_args=['--initrd', test_initrd(d)]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        for name, _ in FAULTS:
            nogas = ' --no-gas' if '__asm__' in SOURCES[name] else ''  # asm: unmetered only
            out = run('cc -l /t/%s.c%s' % (name, nogas))       # -l: reports say file:line
            check(m, re.search(r'^cc: %s: code' % name, out, re.M), 'cc %s: %r' % (name, out))
        before = run('mem')
        for name, expect in FAULTS:
            out = run('run ' + name)
            check(m, re.search(expect, out, re.M), 'run %s: %r' % (name, out))
            check(m, run('echo still here') == 'still here\n', 'shell dead after %s' % name)
        for name, expect in FAULTS[:2]:         # a stopped handler runs again
            out = run('run ' + name)
            check(m, re.search(expect, out, re.M), 'second run %s: %r' % (name, out))
        run('cc /t/divzero.c -o nolines')       # without -l: the offset alone
        out = run('run nolines')
        check(m, re.search(r'^nolines: stopped: divide error at nolines\+0x[0-9a-f]+$', out, re.M),
              'without -l: %r' % out)
        run('unload nolines')
        run('cc /t/hog.c')                      # a quarter of memory, not all of it
        out = run('run hog')
        r = re.search(r'^(\d+) MiB, then NULL\nhog returned 0\n\Z', out, re.M)
        check(m, r and 16 <= int(r.group(1)) <= 64, 'run hog: %r' % out)
        run('unload hog')
        check(m, run('mem') == before, 'runs that faulted kept memory:\n%s%s' % (before, run('mem')))
        check(m, 'panic' not in m.log, 'the kernel panicked')
        no_errors(m)


def cycles():
    # 100 compile/unload cycles leave the page and heap counts as they were.
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d, \
            Machine(KERNEL, iso_args=['--initrd', test_initrd(d)]) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        run('cc /t/tiny.c -o cyc')
        run('unload cyc')
        before = run('mem')
        out = run('sh /t/cycle.sh', 600)
        check(m, out.count('cc: cyc: code') == 100, 'not 100 compiles: %r' % out[-500:])
        after = run('mem')
        check(m, after == before, 'memory after 100 cycles differs:\n%s%s' % (before, after))
        no_errors(m)


def module():
    # TinyCC is a module like any other: an image without it (minimal, with
    # vfs as a boot module) loads tcc.kmod at run time, compiles and runs a
    # handler, and unloads it with its handlers and commands.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    modules = os.path.join(build, 'modules')
    with tempfile.TemporaryDirectory(prefix='kqemu-tcc-') as d:
        initrd = os.path.join(d, 'initrd.cpio')
        subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
                        '--tree', '/usr/include=' + os.path.join(kqemu.ROOT, 'sdk', 'handler', 'include'),
            '--tree', '/usr/include/karyon=' + os.path.join(kqemu.ROOT, 'abi', 'karyon'),
                        '--tree', '/usr/share/examples=' + os.path.join(kqemu.ROOT, 'sdk', 'examples'),
                        '--file', '/lib/modules/tcc.kmod=' + os.path.join(modules, 'tcc.kmod')],
                       check=True)
        with Machine(os.path.join(build, 'core', 'karyon-minimal.elf'),
                     modules=[os.path.join(modules, 'vfs.kmod') + '=vfs'],
                     iso_args=['--initrd', initrd]) as m:
            m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
            run = session(m)
            check(m, run('cc x.c') == 'cc: command not found (try help)\n', 'cc without tcc')
            out = run('insmod /lib/modules/tcc.kmod')
            check(m, re.search(r'^kmod: loaded tcc 1\.0\.0 from /lib/modules/tcc\.kmod$', out, re.M),
                  'insmod tcc: %r' % out)
            run('cc /usr/share/examples/handlers/hello.c')
            run('unload hello')             # the heap grows to the compile's peak once
            before = run('mem')
            out = run('cc /usr/share/examples/handlers/hello.c')
            check(m, re.search(r'^cc: hello: code', out, re.M), 'cc: %r' % out)
            out = run('run hello kmod')
            check(m, re.search(r'^hello, kmod!$', out, re.M) and out.endswith('hello returned 1\n'),
                  'run: %r' % out)
            check(m, re.search(r'^vfs +1\.\d+\.\d+ +\d+ +1 +live +tcc$', run('lsmod'), re.M),
                  'tcc does not show as a user of vfs')
            run('unload hello')
            check(m, run('mem') == before, 'compile + run + unload kept memory')
            out = run('rmmod tcc')
            check(m, re.search(r'^kmod: unloaded tcc$', out, re.M), 'rmmod tcc: %r' % out)
            check(m, run('run hello') == 'run: command not found (try help)\n',
                  'commands stayed after rmmod')
            no_errors(m)


def guard_budget():
    # A guarded call with a time budget (ABI 1.4: what bounds a compile
    # that computes inside libtcc without allocating) is stopped at the
    # first timer tick past it that lands in the code it names, and only
    # there; the kernel runs on.
    import tempfile
    import test_live
    from test_clog import new_disk
    from test_update import BUILD, boot, sh
    with tempfile.TemporaryDirectory() as d:
        m = boot(test_live.make_iso(d, [('/t/budgettest.kmod',
                                         os.path.join(BUILD, 'tests', 'budgettest.kmod'))]),
                 new_disk(d))
        try:
            sh(m, 'insmod /t/budgettest.kmod')
            out = sh(m, 'budget 50 in')
            r = re.search(r'^budget: stopped \(budget\) after (\d+) ms at spin\+0x[0-9a-f]+$', out, re.M)
            check(m, r and 50 <= int(r.group(1)) < 2000, 'a spin past its budget: %r' % out)
            out = sh(m, 'budget 50 out')
            check(m, re.search(r'^budget: returned after \d+ ms \(spun 40000000 times\)$', out, re.M),
                  'a stop outside the code it may land in: %r' % out)
            check(m, 'budget 50 in' in sh(m, 'history'), 'the shell answers after')
        finally:
            m.close()


def budget():
    # A macro bomb (each macro twice the one before: 2^28 declarations)
    # stops at its memory budget within seconds; a compile slower than its
    # time budget stops at that; both name the limit; the next compile works.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    prompt = 'karyon:/> '

    def shell(m, line, timeout=60):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + re.escape(prompt), timeout, start)
        return m.log[start:r.end()]

    def write(m, path, text):
        start = len(m.log)
        m.send('cat > %s\r%s\x04' % (path, text.replace('\n', '\r')))
        m.wait_for(r'\n' + re.escape(prompt), 30, start)

    with Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso')) as m:
        m.wait_for(re.escape(prompt), 120)
        shell(m, 'mkdir /b')
        write(m, '/b/bomb.c', '#define CAT2(a, b) a##b\n#define CAT(a, b) CAT2(a, b)\n'
              '#define A0 int CAT(v, __COUNTER__);\n' + ''.join(
                  '#define A%d A%d A%d\n' % (i, i - 1, i - 1) for i in range(1, 29)) +
              'A28\nint main(void) { return 0; }\n')
        t0 = time.monotonic()
        out = shell(m, 'cc /b/bomb.c --budget-mb 32', 120)
        took = time.monotonic() - t0
        check(m, re.search(r'^cc: /b/bomb.c: stopped: the compile used up its memory budget of '
                           r'32 MiB \(cc --budget-mb N\)$', out, re.M), 'macro bomb: %r' % out)
        check(m, took < 60, 'the macro bomb took %.0f s of host time' % took)
        out = shell(m, 'cc /usr/share/examples/handlers/sieve.c --budget-ms 1', 60)
        check(m, re.search(r'^cc: /usr/share/examples/handlers/sieve.c: stopped: the compile used '
                           r'up its time budget of 1 ms \(cc --budget-ms N\)$', out, re.M),
              'time budget: %r' % out)
        write(m, '/b/ok.c', 'int main(void) { return 5; }\n')
        shell(m, 'cc /b/ok.c', 60)
        shell(m, 'run ok')
        check(m, 'ok returned 5' in m.log, 'a compile after the stopped ones did not work')
        out = shell(m, 'cc /b/ok.c --budget-ms 0')
        check(m, 'usage' in out, 'a zero budget was taken: %r' % out)
        # A compile that faults inside libtcc (20,000 nested parentheses
        # overflow its stack) is abandoned, libtcc's statics are put back as
        # at boot, and the next compiles work, twice over.
        write(m, '/b/deep.c', 'int x = ' + '(' * 20000 + '1' + ')' * 20000 + ';\n'
              'int main(void) { return x; }\n')
        for _ in range(2):
            out = shell(m, 'cc /b/deep.c --no-gas', 120)
            check(m, re.search(r'^cc: the compiler stopped: .*; nothing was kept$', out, re.M),
                  'deep nesting: %r' % out)
            out = shell(m, 'cc /usr/share/examples/handlers/sieve.c', 60)
            check(m, re.search(r'^cc: sieve: code', out, re.M), 'a compile after the fault: %r' % out)
            out = shell(m, 'run sieve 100')
            check(m, re.search(r'^sieve returned 0$', out, re.M), 'sieve after the fault: %r' % out)


CASES = {
    'cc-budget': budget,
    'guard-budget': guard_budget,
    'tcc-examples': examples,
    'tcc-errors': errors,
    'tcc-faults': faults,
    'tcc-typed': typed,
    'tcc-module': module,
    'tcc-cycles': cycles,
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
