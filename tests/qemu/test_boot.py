#!/usr/bin/env python3
"""test_boot.py - boot integration tests: boot Karyon under QEMU and check
what a user sees on the serial console.

Usage: test_boot.py CASE...      run these cases (meson runs one per test)
       test_boot.py              run every case, one after another
       test_boot.py --list       print the case names

The kernel comes from $KARYON_KERNEL (meson sets it), else build/core/karyon-dev.elf.
Each case prints one PASS/FAIL line; a failure also prints the serial log.
Exit status 0 if every case passed, 1 otherwise.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import EXIT_PANIC, EXIT_READY, Machine  # noqa: E402

KERNEL = os.environ.get('KARYON_KERNEL') or os.path.join(kqemu.ROOT, 'build', 'core', 'karyon-dev.elf')
# The same core plus tests/kernel/selftest.c, for the selftest= cases.
TEST_KERNEL = (os.environ.get('KARYON_TEST_KERNEL') or
               os.path.join(kqemu.ROOT, 'build', 'core', 'karyon-test.elf'))

# Seconds to reach the ready line (or the panic report); meson's own
# timeouts (60 s BIOS, 120 s UEFI) sit above these plus the ISO build.
BOOT_TIMEOUT = {'bios': 40, 'uefi': 100}
EXIT_TIMEOUT = 15

READY = r'^karyon: ready in (\d+) us \((\d+) TSC cycles since entry\)$'
REGISTERS = ('rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15').split()


def check(m, cond, msg):
    if not cond:
        m.fail(msg)


def expect_exit(m, want, what):
    status = m.wait_exit(EXIT_TIMEOUT)
    check(m, status == want, 'QEMU exit status %d, expected %d (%s)' % (status, want, what))


def expect_ready(m, firmware):
    r = m.wait_for(READY, BOOT_TIMEOUT[firmware])
    check(m, int(r.group(1)) > 0, 'ready line gives %s us; expected a positive time' % r.group(1))
    return r


def no_errors(m):
    """No panic, command-line warning or GRUB error anywhere in the log."""
    line = re.search(r'^(?:panic|cmdline|error):.*', m.log, re.M)
    check(m, not line, 'unexpected message: %r' % (line and line.group(0)))


# -- normal boot ------------------------------------------------------------

def boot(firmware):
    version, abi = kqemu.project_version()
    with Machine(KERNEL, firmware, cmdline='onready=exit') as m:
        banner = m.wait_for(r'^karyon %s \(ABI %s\) starting$'
                            % (re.escape(version), re.escape(abi)), BOOT_TIMEOUT[firmware])
        ready = expect_ready(m, firmware)
        log = m.log
        mem = re.search(r'^memory: (\d+) MiB usable above 1 MiB, (\d+) pages free, '
                        r'kernel image \d+ KiB$', log, re.M)
        check(m, mem, 'no "memory:" line')
        check(m, int(mem.group(1)) > 200, 'only %s MiB usable of 256 MiB' % mem.group(1))
        tm = re.search(r'^time: TSC (\d+) kHz \(from (PIT|CPUID 0x[0-9a-f]+)\), '
                       r'LAPIC timer at \d+ Hz$', log, re.M)
        check(m, tm, 'no "time:" line')
        check(m, banner.end() < mem.start() < tm.start() < ready.start(),
              'banner, memory, time and ready lines are out of order')
        # kqemu runs -cpu max, which has both: the kernel must turn them on.
        check(m, re.search(r'^cpu: SMEP on, SMAP on$', log, re.M), 'SMEP and SMAP are not on')
        no_errors(m)
        expect_exit(m, EXIT_READY, 'onready=exit')


# -- panic reports ----------------------------------------------------------

# selftest -> (exception name, vector, error code or None, function at rip)
PANICS = {
    'ud': ('#UD invalid opcode', 6, 0, 'selftest_run'),
    'pf': ('#PF page fault', 14, 0x2, 'selftest_run'),       # write, page not present
    'de': ('#DE divide error', 0, 0, 'selftest_run'),
    'gp': ('#GP general protection', 13, None, 'selftest_run'),
    'overflow': ('#PF page fault', 14, 0x2, 'overflow'),
}


def panic(test, firmware='bios'):
    name, vector, error, func = PANICS[test]
    with Machine(TEST_KERNEL, firmware, cmdline='selftest=%s onpanic=exit' % test) as m:
        expect_ready(m, firmware)
        try:
            m.wait_for(r'^panic: ', 20)
        except kqemu.KqemuError:
            m.fail('no panic report within 20 s of the ready line: selftest=%s raised no '
                   'exception' % test)
        m.wait_for(r'^panic: system halted$', 20)
        log = m.log
        first = re.search(r'^panic: .*$', log, re.M)
        want = r'panic: %s \(vector %d\), error code 0x([0-9a-f]+)$' % (re.escape(name), vector)
        head = re.match(want, first.group(0))
        check(m, head, 'first panic line is %r; expected "panic: %s (vector %d), error code ..."'
              % (first.group(0), name, vector))
        if error is not None:
            check(m, int(head.group(1), 16) == error, 'error code 0x%s, expected %#x'
                  % (head.group(1), error))
        report = log[first.start():]
        lines = report.split('\n')
        rip = re.match(r'  rip ([0-9a-f]{16}) <(\w+)\+0x[0-9a-f]+>$', lines[1])
        check(m, rip, 'second line %r is not a symbolized "rip" line' % lines[1])
        check(m, rip.group(2) == func, 'rip is in %s, expected %s' % (rip.group(2), func))
        cr = re.match(r'  cr2 ([0-9a-f]{16})  cr3 [0-9a-f]{16}  rflags [0-9a-f]{16}  '
                      r'cs [0-9a-f]+  ss [0-9a-f]+$', lines[2])
        check(m, cr, 'third line %r is not the cr2/cr3 line' % lines[2])
        regs = dict(re.findall(r'\b(r[a-z0-9]{1,2}) +([0-9a-f]{16})\b', '\n'.join(lines[3:7])))
        missing = [r for r in REGISTERS if r not in regs]
        check(m, not missing, 'registers missing from the report: %s' % ' '.join(missing))
        cr2 = int(cr.group(1), 16)
        if test == 'pf':
            check(m, cr2 == 0x8, 'cr2 %#x, expected 0x8 (a write through NULL + 8)' % cr2)
        if test == 'overflow':
            # The fault is in the guard page right below the stack: just under rsp.
            rsp = int(regs['rsp'], 16)
            check(m, 0 <= rsp - cr2 <= 4096 or 0 <= cr2 - rsp < 4096,
                  'cr2 %#x is not next to rsp %#x: not a stack overflow' % (cr2, rsp))
        check(m, lines[7] == 'backtrace:', 'no "backtrace:" after the registers')
        frames = []
        for line in lines[8:]:
            f = re.match(r'  [0-9a-f]{16}(?: <(\w+)\+0x[0-9a-f]+>)?$', line)
            if not f:
                break
            frames.append(f.group(1))
        check(m, frames, 'the backtrace is empty')
        if test != 'overflow':    # 32 overflow() frames cut the walk short of kmain
            check(m, 'kmain' in frames, 'kmain not in the backtrace: %s' % frames)
        check(m, lines[8 + len(frames)] == 'panic: system halted',
              'the report does not end with "panic: system halted"')
        expect_exit(m, EXIT_PANIC, 'onpanic=exit')


# -- command line and modules -----------------------------------------------

def cmdline_bad():
    with Machine(KERNEL, cmdline='foo=bar loglevel=loud onready=exit') as m:
        expect_ready(m, 'bios')
        log = m.log
        check(m, re.search(r"^cmdline: unknown option 'foo'", log, re.M),
              "no \"cmdline: unknown option 'foo'\" warning")
        lv = re.search(r"^cmdline: option 'loglevel': 'loud' is not one of: (.*); ignored$",
                       log, re.M)
        check(m, lv, 'no warning about loglevel=loud')
        choices = lv.group(1).split(', ')
        check(m, choices == ['error', 'warn', 'info', 'debug'],
              'loglevel choices listed as %s' % choices)
        check(m, re.search(r'^memory: ', log, re.M), 'bad loglevel did not leave it at info')
        expect_exit(m, EXIT_READY, 'onready=exit after bad options')


def loglevel_error():
    with Machine(KERNEL, cmdline='loglevel=error onready=exit') as m:
        expect_ready(m, 'bios')
        for line in ('memory:', 'time:', 'boot: loaded by'):
            check(m, not re.search('^' + line, m.log, re.M),
                  'loglevel=error still prints "%s" lines' % line)
        expect_exit(m, EXIT_READY, 'onready=exit')


def with_files(sizes):
    """A tempdir holding one file of each given size, named by the key."""
    d = tempfile.TemporaryDirectory(prefix='kqemu-mod-')
    for name, size in sizes.items():
        with open(os.path.join(d.name, name + '.bin'), 'wb') as f:
            f.write(bytes(i & 0xff for i in range(size)))
    return d


def module_empty():
    with with_files({'empty': 0}) as d, \
            Machine(KERNEL, cmdline='onready=exit',
                    modules=[os.path.join(d, 'empty.bin') + '=empty']) as m:
        m.wait_for(r"^boot: module 'empty' is empty \(0 bytes\); ignored$", 40)
        expect_ready(m, 'bios')
        no_errors(m)
        expect_exit(m, EXIT_READY, 'onready=exit')


def module_ok():
    with with_files({'hello': 3000}) as d, \
            Machine(KERNEL, cmdline='onready=exit',
                    modules=[os.path.join(d, 'hello.bin') + '=hello']) as m:
        m.wait_for(r"^boot: module 0 'hello': 3000 bytes at 0x[0-9a-f]+$", 40)
        expect_ready(m, 'bios')
        no_errors(m)
        expect_exit(m, EXIT_READY, 'onready=exit')


def module_missing():
    # GRUB cannot open the file, prints an error naming it on its (serial)
    # console, leaves the module out and boots anyway; the kernel never hears
    # of it, so the next module becomes module 0.  mkiso puts each module at
    # /boot/modules/NAME, so the user sees the name it was given.
    with with_files({'hello': 3000}) as d, \
            Machine(KERNEL, cmdline='onready=exit',
                    modules=[os.path.join(d, 'ghost.bin') + '=ghost',
                             os.path.join(d, 'hello.bin') + '=hello']) as m:
        ready = expect_ready(m, 'bios')
        log = m.log
        err = re.search(r"^error: file `/boot/modules/ghost' not found\.$", log, re.M)
        check(m, err, 'no GRUB error naming the missing file /boot/modules/ghost')
        check(m, err.start() < ready.start(), 'the GRUB error came after the kernel started')
        check(m, "'ghost'" not in log, 'the kernel reported the missing module')
        check(m, re.search(r"^boot: module 0 'hello': 3000 bytes", log, re.M),
              'the module after the missing one was not passed on')
        expect_exit(m, EXIT_READY, 'onready=exit')

def memory_misuse():
    # Each misuse of the allocators in a booted kernel is refused with its
    # own reason, reported, and survived; the page count comes back.
    with Machine(TEST_KERNEL, cmdline='selftest=memory onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=memory')
        log = m.log
        for pattern, what in (
                (r'^kheap: kfree\(0x[0-9a-f]+\) refused: double free$', 'heap double free'),
                (r'^kheap: kfree\(0x[0-9a-f]+\) refused: pointer not owned by this allocator$',
                 'heap foreign pointer'),
                (r'^kheap: cannot allocate 1099511627776 bytes: out of memory$',
                 'heap exhaustion'),
                (r'^selftest: pmm double free: double free$', 'page double free'),
                (r'^selftest: pmm foreign free: pointer not owned by this allocator$',
                 'page foreign free'),
                (r'^selftest: pmm exhaustion: out of memory$', 'page exhaustion')):
            check(m, re.search(pattern, log, re.M), 'no report of %s' % what)
        pages = re.search(r'^selftest: free pages (\d+) before, (\d+) after$', log, re.M)
        check(m, pages and pages.group(1) == pages.group(2),
              'free page count changed: %s' % (pages and pages.group(0)))
        check(m, not re.search(r'^panic:', log, re.M), 'a misuse panicked the kernel')


def selftest_absent():
    # The kernel images ship has no deliberate-crash code.
    with Machine(KERNEL, cmdline='selftest=ud onready=exit') as m:
        expect_ready(m, 'bios')
        m.wait_for(r'^selftest: not built into this kernel', 10)
        expect_exit(m, EXIT_READY, 'onready=exit: selftest=ud must not crash this kernel')


def kmod_paths():
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    paths = {n: os.path.join(build, 'modules', n + '.kmod') for n in ('hello', 'hello_user')}
    paths['kmod'] = os.path.join(build, 'modules', 'kmod.kmod')
    for n in ('failinit', 'devtest_a', 'devtest_b', 'dupexport', 'badname', 'faulty_null',
              'faulty_ud2', 'faulty_exit'):
        paths[n] = os.path.join(build, 'tests', n + '.kmod')
    return paths


def boot_modules():
    # hello_user comes first on GRUB's list: kmod must still start hello
    # first, because hello_user depends on it.
    k = kmod_paths()
    with Machine(KERNEL, cmdline='onready=exit',
                 modules=[k['hello_user'] + '=hello_user', k['hello'] + '=hello']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        log = m.log
        order = [r'^hello: loaded$', r'^kmod: loaded hello 1\.0\.0 from hello$',
                 r'^hello: hello, hello_user$', r'^hello_user: hello_greet returned 42$',
                 r'^kmod: loaded hello_user 1\.0\.0 from hello_user$']
        pos = 0
        for pattern in order:
            r = re.compile(pattern, re.M).search(log, pos)
            check(m, r, 'expected %r after position %d' % (pattern, pos))
            pos = r.end()
        no_errors(m)


def blake2b_file(path):
    import hashlib
    with open(path, 'rb') as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def manifest_case(mode, listed):
    """Boot hello and hello_user with a manifest listing only `listed`."""
    k = kmod_paths()
    d = tempfile.TemporaryDirectory(prefix='kqemu-manifest-')
    man = os.path.join(d.name, 'MANIFEST')
    with open(man, 'w') as f:
        for name in listed:
            f.write('blake2b-256 %s %s\n' % (blake2b_file(k[name]), name))
    m = Machine(KERNEL, cmdline='onready=exit',
                modules=[k['hello'] + '=hello', k['hello_user'] + '=hello_user'],
                iso_args=['--manifest', man, '--enforcement', mode])
    m._manifest_dir = d        # lives as long as the machine
    return m


def manifest_enforce():
    # An enforcing image refuses a module its manifest does not list (and
    # so the module that depends on it), and boots on.
    k = kmod_paths()
    with manifest_case('enforce', ['hello_user']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        log = m.log
        check(m, re.search(r'^measure: enforcing image, 1 module digests in its manifest$', log, re.M),
              'no enforcing-mode line')
        check(m, re.search(r"^kmod: cannot load boot module hello: hello: blake2b-256 %s\.\.\. "
                           r"is not in the image's manifest$" % blake2b_file(k['hello'])[:16],
                           log, re.M), 'hello was not refused by digest')
        check(m, re.search(r'^kmod: cannot load boot module hello_user: needs hello >= 1\.0\.0, '
                           r'which is not loaded$', log, re.M), 'hello_user not refused for its dependency')
        check(m, not re.search(r'^hello: loaded$', log, re.M), 'hello ran in an enforcing image')
        check(m, not re.search(r'^kernel: tainted', log, re.M), 'enforcing image got tainted')


def manifest_permissive():
    # A permissive image loads a module its manifest does not list, and
    # says the kernel is tainted; digests in the log match the files.
    k = kmod_paths()
    with manifest_case('permissive', ['hello']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        log = m.log
        for name in ('hello', 'hello_user'):
            check(m, re.search(r'^measure: %s blake2b-256 %s$' % (name, blake2b_file(k[name])),
                               log, re.M), 'no measurement of %s matching the file' % name)
        check(m, not re.search(r'^measure: kernel ', log, re.M),
              'the kernel was measured before ready: that is the sched task\'s, after it')
        with open(os.path.join(m._manifest_dir.name, 'MANIFEST')) as f:
            shipped = ('mode permissive\n' + f.read()).encode()
        import hashlib
        check(m, re.search(r'^measure: manifest blake2b-256 %s$'
                           % hashlib.blake2b(shipped, digest_size=32).hexdigest(), log, re.M),
              'the manifest digest printed at boot does not match the manifest shipped')
        t = re.search(r"^kernel: tainted: a module not in the image's manifest was loaded$", log, re.M)
        check(m, t, 'the kernel did not say it is tainted')
        user = re.search(r'^measure: hello_user blake2b-256', log, re.M)
        check(m, user.start() < t.start(), 'tainted before the unlisted module was measured')
        check(m, re.search(r'^kmod: loaded hello_user 1\.0\.0', log, re.M), 'hello_user not loaded')


def vfs_initrd():
    # The dev initrd unpacked into the vfs; a module read back from
    # /lib/modules is byte-identical (same BLAKE2b-256) and loads.
    k = kmod_paths()
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    initrd = os.path.join(build, 'images', 'initrd-dev.cpio')
    with Machine(TEST_KERNEL, cmdline='selftest=vfs onready=exit',
                 modules=[k['hello'] + '=hello', k['hello_user'] + '=hello_user'],
                 iso_args=['--initrd', initrd]) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=vfs')
        log = m.log
        check(m, re.search(r'^vfs: initrd: \d+ files \(%d bytes\)$' % os.path.getsize(initrd),
                           log, re.M), 'the initrd was not unpacked')
        size = os.path.getsize(k['hello'])
        for pattern, what in (
                (r'^selftest: ls: file hello\.kmod %d$' % size, 'ls /lib/modules'),
                (r'^selftest: ls: file hello_user\.kmod \d+$', 'ls /lib/modules'),
                (r'^selftest: hello\.kmod: %d bytes, blake2b-256 %s$' % (size, blake2b_file(k['hello'])),
                 'hello.kmod read back intact'),
                (r'^selftest: insmod /lib/modules/hello\.kmod: success$', 'load from the vfs'),
                (r'^selftest: write /tmp/note: no such entry$', 'write into a missing directory'),
                (r"^selftest: /tmp/note holds 'one\+two'$", 'write and append'),
                (r'^selftest: rmdir /tmp \(not empty\): resource busy$', 'non-empty rmdir'),
                (r'^selftest: cat a directory: invalid argument$', 'read a directory'),
                (r'^selftest: stat a missing file: no such entry$', 'stat missing'),
                (r'^selftest: rm -r /tmp: success$', 'recursive remove')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)



def vfs_state():
    # The vfs as the commit log's part under selftest.c's stand-in gateway:
    # changes become records (paths normalised), check refuses what apply
    # would, watchers hear each change once, /ckpt shows a view read-only,
    # and reset + replay of the records gives the same tree and mtimes.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    initrd = os.path.join(build, 'images', 'initrd-dev.cpio')
    with Machine(TEST_KERNEL, cmdline='selftest=vfsstate onready=exit',
                 iso_args=['--initrd', initrd]) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=vfsstate')
        log = m.log
        for pattern, what in (
                (r'^selftest: state service: part vfs, version 1$', 'state.vfs published'),
                (r'^selftest: attach: success$', 'attach'),
                (r'^selftest: gate: vfs\.mkdir /state/sub \(\d+ bytes\): success\n'
                 r'selftest: watch: 1 /state/sub\n'
                 r'selftest: mkdir -p state/sub: success$', 'mkdir through the gate, normalised'),
                (r'^selftest: gate: vfs\.write /state/f \(13 bytes\): success\n'
                 r'selftest: watch: 1 /state/f\nselftest: watch: 2 /state/f\n', 'write'),
                (r'^selftest: gate: vfs\.write /nope/f \(\d+ bytes\): no such entry\n'
                 r'selftest: write /nope/f: no such entry$',
                 'check refuses a write into a missing directory'),
                (r'^selftest: gate: vfs\.remove /state \(\d+ bytes\): resource busy\n'
                 r'selftest: rmdir /state: resource busy', 'check refuses a non-empty rmdir'),
                (r'^selftest: gate: vfs\.rename /state/f \(\d+ bytes\): success\n'
                 r'selftest: watch: 3 /state/f\nselftest: watch: 1 /state/sub/f\n', 'rename'),
                (r'^selftest: gate: vfs\.copy /state/sub/f \(\d+ bytes\): success\n', 'copy'),
                (r"^selftest: /ckpt/one/state/g holds 'abc'$", 'the view is not the live tree'),
                (r'^selftest: ls: dir one 0$', 'ls /ckpt'),
                (r'^selftest: write /ckpt/one/x: permission denied$', 'the view is read-only'),
                (r'^selftest: cp /state/g /ckpt/one: permission denied$', 'no copy into a view'),
                (r'^selftest: gate: vfs\.write /state/sub/g \(\d+ bytes\): success\n'
                 r'selftest: watch: 1 /state/sub/g\nselftest: watch: 2 /state/sub/g\n'
                 r'selftest: cp /ckpt/one/state/g /state/sub: success$',
                 'a copy out of a view is a write'),
                (r"^selftest: /state/sub/g holds 'abc'$", 'copied out of the view'),
                (r'^selftest: cp /ckpt/one/state /x: invalid argument$', 'no copy of a directory'),
                (r'^selftest: unmount one: success$', 'unmount'),
                (r'^selftest: stat /ckpt: no such entry$', '/ckpt gone with its last mount'),
                (r'^selftest: reset: success$', 'reset'),
                (r'^selftest: stat /state: no such entry$', 'reset to genesis'),
                (r'^selftest: replaying 6 records$', 'six records kept'),
                (r'^selftest: detach: success\nselftest: watch: 3 /state\n'
                 r'selftest: rm -r /state: success$', 'detached: direct again'),
                (r'^selftest: vfsstate: 6 records$', 'no record after detach')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        roots = dict(re.findall(r'^selftest: root ([a-z ]+): (\d+ items, [0-9a-f]+): success$',
                                log, re.M))
        check(m, len(roots) == 5, 'roots: %r' % roots)
        check(m, roots['after the reset'] == roots['at genesis'], 'reset is not genesis: %r' % roots)
        check(m, roots['after the replay'] == roots['at the end'], 'replay differs: %r' % roots)
        check(m, roots['at the end'] != roots['after the commits'], 'the append changed nothing')
        mtimes = re.findall(r'^selftest: /state/g mtime (\d+)$', log, re.M)
        check(m, len(mtimes) == 2 and mtimes[0] == mtimes[1], 'mtimes after replay: %r' % mtimes)
        replay = log[log.index('replaying'):log.index('selftest: detach')]
        check(m, 'watch:' not in replay and 'gate:' not in replay,
              'replay told the watchers or went through the gate')

def builtin_order():
    # builtin_a depends on builtin_b and is linked after it: b starts first
    # (kmod, linked first, starts both).
    with Machine(TEST_KERNEL, cmdline='onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        b = re.search(r'^builtin_b: started$', m.log, re.M)
        a = re.search(r'^builtin_a: started$', m.log, re.M)
        check(m, a and b and b.start() < a.start(), 'built-ins did not start in dependency order')
        check(m, not re.search(r'^modules: ', m.log, re.M), 'a built-in module failed')


def builtin_refused():
    # builtin_b fails to start (builtin_b.fail): kmod, which starts the
    # built-ins after itself, says why, refuses builtin_a, which needs it,
    # in one line, and starts the rest.
    with Machine(TEST_KERNEL, cmdline='builtin_b.fail onready=exit') as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        lines = re.findall(r'^modules: .*$', m.log, re.M)
        check(m, lines == ['modules: built-in builtin_b failed to start: not implemented',
                           'modules: built-in builtin_a not started: it needs builtin_b, '
                           'which did not start'], 'built-in refusals: %s' % lines)
        check(m, not re.search(r'^builtin_[ab]: started$', m.log, re.M), 'a refused built-in ran')
        check(m, re.search(r'^kmod: modules: kmod console sched vfs$', m.log, re.M),
              'the other built-ins did not start')


def kmod_lifecycle():
    k = kmod_paths()
    with Machine(TEST_KERNEL, cmdline='selftest=kmod onready=exit',
                 modules=[k['hello'] + '=hello', k['hello_user'] + '=hello_user',
                          k['failinit'] + '=failinit', k['kmod'] + '=kmod',
                          k['dupexport'] + '=dupexport', k['badname'] + '=badname']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit after selftest=kmod')
        log = m.log
        for pattern, what in (
                (r'^selftest: lsmod: kmod 1\.0\.0 users 0 \[\]$', 'lsmod shows the built-in kmod'),
                (r'^selftest: lsmod: hello 1\.0\.0 users 1 \[hello_user\]$', 'lsmod shows the user'),
                (r'^selftest: unload hello: resource busy: hello is used by hello_user$',
                 'unload refused while used'),
                (r'^selftest: load hello again: already exists: hello is already loaded$',
                 'duplicate refused'),
                (r'^selftest: unload hello_user: success$', 'unload user'),
                (r'^selftest: unload hello: success$', 'unload hello'),
                (r'^selftest: load hello_user alone: no such entry: needs hello >= 1\.0\.0, '
                 r'which is not loaded$', 'missing dependency named'),
                (r'^selftest: load truncated: ', 'truncated file refused'),
                (r'^selftest: load hello: success$', 'reload'),
                (r'^selftest: load hello_user: success$', 'reload user')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        trunc = re.search(r'^selftest: load truncated: (.*)$', log, re.M)
        check(m, trunc and 'success' not in trunc.group(1), 'truncated file: %s' % (trunc and trunc.group(1)))
        cyc = re.search(r'^selftest: (\d+) of 1000 load/unload cycles; pages free or cached (\d+) '
                        r'before, (\d+) after; heap blocks (\d+) before, (\d+) after$', log, re.M)
        check(m, cyc and cyc.group(1) == '1000', 'cycles: %s' % (cyc and cyc.group(0)))
        check(m, cyc.group(2) == cyc.group(3) and cyc.group(4) == cyc.group(5),
              'load/unload leaked: %s' % cyc.group(0))
        check(m, re.search(r'^selftest: load failinit: out of memory: failinit: init failed: '
                           r'out of memory$', log, re.M), 'failed init not reported')
        fi = re.search(r'^selftest: failed init: pages free or cached (\d+) before, (\d+) after; '
                       r'heap blocks (\d+) before, (\d+) after$', log, re.M)
        check(m, fi and fi.group(1) == fi.group(2) and fi.group(3) == fi.group(4),
              'failed init leaked: %s' % (fi and fi.group(0)))
        check(m, re.search(r'^selftest: open its service: no such entry$', log, re.M),
              'the failed module left its service published')
        check(m, re.search(r'^domain failinit: freed 1 heap blocks it left behind$', log, re.M),
              'the failed module\'s heap block was not freed with its domain')
        check(m, re.search(r'^selftest: unload failinit: no such entry: failinit is not loaded$',
                           log, re.M), 'the failed module is still listed')
        # Refused before anything changed: a built-in's file, a second
        # exporter of a name, a name with an escape (shown escaped).
        for name, why in (
                ('kmod', r'already exists: kmod is built in'),
                ('dupexport', r'already exists: dupexport: hello_greet is already exported '
                              r'by hello'),
                ('badname', r'malformed data: bad module name: "\\x1b\[2Jbadname" is not '
                            r'\[a-z0-9_\]')):
            check(m, re.search(r'^selftest: load %s: %s$' % (name, why), log, re.M),
                  '%s not refused as expected' % name)
            check(m, re.search(r'^kmod: cannot load boot module %s: ' % name, log, re.M),
                  'boot module %s not refused' % name)
            mem = re.search(r'^selftest: refused %s: pages free or cached (\d+) before, (\d+) '
                            r'after; heap blocks (\d+) before, (\d+) after$' % name, log, re.M)
            check(m, mem and mem.group(1) == mem.group(2) and mem.group(3) == mem.group(4),
                  'refusing %s changed memory: %s' % (name, mem and mem.group(0)))
        check(m, '\x1b[2J' not in log, 'a module name reached the console unescaped')
        check(m, not re.search(r'^hostile: init ran$', log, re.M), 'a refused module ran')
        check(m, len(re.findall(r'^kmod: modules: ', log, re.M)) == 1,
              'the boot modules were loaded twice')
        check(m, not re.search(r'^panic:', log, re.M), 'panic during module tests')


def module_faults():
    # Modules whose init writes through NULL or executes ud2, and one whose
    # exit faults: kmod stops each with a report naming the module, the
    # fault and the offset, the kernel is tainted and runs on, and nothing
    # of them is left: the same memory counts as modules that fail cleanly.
    k = kmod_paths()
    prompt = 'karyon:/> '

    def shell(m, line):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + re.escape(prompt), 30, start)
        return m.log[start:r.end()]

    def mem(m):
        # pages free, heap bytes, heap blocks, heap pages
        out = shell(m, 'mem')
        p = re.search(r'^pages: (\d+) free', out, re.M)
        h = re.search(r'^heap: (\d+) bytes in (\d+) blocks on (\d+) pages', out, re.M)
        return tuple(int(x) for x in p.groups() + h.groups())

    # The baseline: as many boot modules, failing their init cleanly (each
    # boot module costs a page of page tables, faulting or not).
    with Machine(KERNEL, modules=[k['failinit'] + '=failinit', k['failinit'] + '=failinit2',
                                  k['failinit'] + '=failinit3', k['hello'] + '=hello']) as m:
        m.wait_for(re.escape(prompt), BOOT_TIMEOUT['bios'])
        baseline = mem(m)
    with Machine(KERNEL, modules=[k['faulty_null'] + '=initnull', k['faulty_ud2'] + '=initud2',
                                  k['faulty_exit'] + '=exitfault', k['hello'] + '=hello']) as m:
        m.wait_for(re.escape(prompt), BOOT_TIMEOUT['bios'])
        log = m.log
        for pattern, what in (
                (r'^kmod: initnull: init faulted: #PF page fault at initnull\+0x[0-9a-f]+ '
                 r'\(address 0x0\); stopped$', 'the NULL write in init'),
                (r'^kmod: initud2: init faulted: #UD invalid opcode at initud2\+0x[0-9a-f]+; '
                 r'stopped$', 'the ud2 in init'),
                (r'^kernel: tainted: ', 'the taint (the first reason is the one said)'),
                (r'^exitfault: init ran to its end$', 'the next module loading'),
                (r'^karyon: ready', 'ready')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        check(m, 'panic' not in log, 'the kernel panicked')
        out = shell(m, 'lsmod')
        check(m, 'exitfault' in out and 'hello' in out and 'initnull' not in out and
              'initud2' not in out, 'lsmod: %r' % out)
        out = shell(m, 'rmmod exitfault')
        check(m, re.search(r'^kmod: exitfault: exit faulted: #PF page fault at exitfault\+0x[0-9a-f]+ '
                           r'\(address 0x0\); unloading it anyway$', m.log, re.M),
              'the fault in exit was not reported: %r' % out)
        out = shell(m, 'lsmod')
        check(m, 'exitfault' not in out, 'exitfault still listed: %r' % out)
        # The same heap in use and the same pages free as a boot whose
        # modules failed cleanly (less any pages the heap kept for later).
        now = mem(m)
        check(m, now[1:3] == baseline[1:3] and baseline[0] - now[0] == now[3] - baseline[3],
              'memory left behind: pages free, heap bytes, blocks, pages %r; %r with modules '
              'that failed cleanly' % (now, baseline))
        shell(m, 'echo still here')


def parcel_kmod_boot():
    """The parcel codec and Debian's libxxhash.a as kernel code
    (tests/kernel/parceltest.c, built as a module by tests/meson.build):
    the checks the kernel computes are the golden parcel's and parcelcat's,
    and a flipped bit is refused for its checksum."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    with open(os.path.join(kqemu.ROOT, 'tests', 'unit', 'golden', 'parcel.bin'), 'rb') as f:
        gold = f.read()
    off = 0
    for _ in range(2):                  # the third golden parcel
        off += 16 + int.from_bytes(gold[off + 6:off + 8], 'little')
    golden_check = int.from_bytes(gold[off + 12:off + 16], 'little')
    line = bytes(ord('a') + i % 26 for i in range(4096)) + b'\n'
    full = subprocess.run([os.path.join(build, 'tools', 'parcel', 'parcelcat'), 'encode',
                           '--channel', '7'], input=line, capture_output=True, check=True).stdout
    full_check = int.from_bytes(full[12:16], 'little')
    with Machine(KERNEL, cmdline='onready=exit',
                 modules=[os.path.join(build, 'tests', 'parceltest.kmod') + '=parceltest']) as m:
        expect_ready(m, 'bios')
        expect_exit(m, EXIT_READY, 'onready=exit')
        log = m.log
        for want in ('parceltest: length 17: success, seq 42, check %08x' % golden_check,
                     'parceltest: length 4096: success, seq 0, check %08x' % full_check):
            check(m, re.search('^' + re.escape(want) + '$', log, re.M), 'missing: %r' % want)
        flipped = re.findall(r'^parceltest: flipped: (.*)$', log, re.M)
        check(m, flipped == ['malformed data (bad checksum)'] * 2, 'flipped: %r' % flipped)
        check(m, re.search(r'^kmod: loaded parceltest 1\.0\.0', log, re.M), 'not loaded')
        no_errors(m)


CASES = {
    'module-faults': module_faults,
    'boot-bios': lambda: boot('bios'),
    'boot-uefi': lambda: boot('uefi'),
    'panic-ud': lambda: panic('ud'),
    'panic-pf': lambda: panic('pf'),
    'panic-de': lambda: panic('de'),
    'panic-gp': lambda: panic('gp'),
    'panic-overflow': lambda: panic('overflow'),
    'panic-uefi': lambda: panic('ud', 'uefi'),
    'cmdline-bad': cmdline_bad,
    'loglevel-error': loglevel_error,
    'module-empty': module_empty,
    'module-ok': module_ok,
    'module-missing': module_missing,
    'memory-misuse': memory_misuse,
    'selftest-absent': selftest_absent,
    'boot-modules': boot_modules,
    'kmod-lifecycle': kmod_lifecycle,
    'manifest-enforce': manifest_enforce,
    'manifest-permissive': manifest_permissive,
    'builtin-order': builtin_order,
    'builtin-refused': builtin_refused,
    'vfs-initrd': vfs_initrd,
    'vfs-state': vfs_state,
    'parcel-kmod-boot': parcel_kmod_boot,
}


def run(name, cases):
    t0 = time.monotonic()
    try:
        cases[name]()
    except Exception as e:      # report every failure the same way
        print('FAIL %s (%.1f s): %s' % (name, time.monotonic() - t0, e))
        log = getattr(e, 'serial_log', None)
        if log is not None and not getattr(e, 'log_in_message', False):
            print(kqemu.format_log(log))
        return False
    print('PASS %s (%.1f s)' % (name, time.monotonic() - t0))
    return True


def main(argv, cases=None):
    """Run the cases named in argv (all without names); test_shell.py
    passes its own."""
    cases = CASES if cases is None else cases
    if argv[1:] == ['--list']:
        print('\n'.join(cases))
        return 0
    names = argv[1:] or list(cases)
    unknown = [n for n in names if n not in cases]
    if unknown:
        print('%s: unknown case %s (see --list)' % (os.path.basename(argv[0]), ', '.join(unknown)),
              file=sys.stderr)
        return 2
    ok = [run(n, cases) for n in names]
    sys.stdout.flush()
    return 0 if all(ok) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
