#!/usr/bin/env python3
"""test_devloop.py - a module author's loop, as the docs tell it: build a
module out of tree with `./karyon module`, boot it with what `./karyon run
--module` boots (tools/devimage.py), and insmod, rmmod and insmod it again;
debug it with tools/gdb/karyon.py.

Usage: test_devloop.py CASE...      (test_devloop.py --list for the names)

The kernel comes from $KARYON_KERNEL; its build directory (two levels up)
holds the ISOs and initrds devimage.py starts from.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main, no_errors  # noqa: E402

PROMPT = r'karyon:/> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
KARYON = os.path.join(kqemu.ROOT, 'karyon')
EXAMPLE = os.path.join(kqemu.ROOT, 'sdk', 'examples', 'minimal.c')


def sh(cmd, **kw):
    """Run cmd; fail with its output unless it succeeds."""
    env = dict(os.environ, KARYON_BUILD=BUILD)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
    if r.returncode != 0:
        raise AssertionError('%s failed (exit %d):\n%s%s'
                             % (' '.join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def build_module(tmp):
    """./karyon module sdk/examples/minimal.c -o TMP/minimal.kmod"""
    kmod = os.path.join(tmp, 'minimal.kmod')
    out = sh([KARYON, 'module', EXAMPLE, '-o', kmod])
    if not re.search(r'^name: +minimal$', out, re.M):
        raise AssertionError('./karyon module did not show the module:\n' + out)
    return kmod


def devimage(tmp, kmod, *extra):
    iso = os.path.join(tmp, 'dev-plus.iso')
    out = sh([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'devimage.py'), '--build', BUILD,
              '--module', kmod, '--out', iso] + list(extra))
    if out.strip() != iso:
        raise AssertionError('devimage.py printed %r, not the ISO path' % out)
    return iso


def session(m):
    """run(line, expect): type line at the prompt, check the output."""
    def run(line, expect):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + PROMPT, 20, start)
        out = m.log[start:r.end()]
        check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))
        return out
    return run


def oot_module():
    with tempfile.TemporaryDirectory(prefix='devloop-') as tmp:
        iso = devimage(tmp, build_module(tmp))
        with Machine(KERNEL, iso=iso) as m:
            m.wait_for(PROMPT, BOOT_TIMEOUT['bios'])
            # The profile's image, channel graph and its proof included.
            check(m, re.search(r'^organelles: channel graph: .* measured$', m.log, re.M) and
                  re.search(r'^proof ok c=', m.log, re.M), 'the image has no measured graph')
            run = session(m)
            run('ls /lib/modules', r'^minimal\.kmod$')
            run('insmod minimal', r'minimal: loaded')
            run('lsmod', r'^minimal +1\.0\.0 ')
            run('rmmod minimal', r'minimal: unloaded')
            out = run('lsmod', r'')
            check(m, not re.search(r'^minimal ', out, re.M), 'minimal still listed after rmmod')
            run('insmod minimal', r'minimal: loaded')      # again, no reboot
            run('lsmod', r'^minimal +1\.0\.0 ')
            no_errors(m)


def oot_module_boot():
    with tempfile.TemporaryDirectory(prefix='devloop-') as tmp:
        iso = devimage(tmp, build_module(tmp), '--boot')
        with Machine(KERNEL, iso=iso) as m:
            m.wait_for(PROMPT, BOOT_TIMEOUT['bios'])
            check(m, re.search(r'minimal: loaded', m.log), 'minimal was not loaded at boot')
            run = session(m)
            run('rmmod minimal', r'minimal: unloaded')
            run('insmod minimal', r'minimal: loaded')
            no_errors(m)


def profile_path_module():
    # A profile may name a module built out of tree by its path: mkiso.py
    # (what the build runs for images/NAME.conf) boots it as a boot module.
    with tempfile.TemporaryDirectory(prefix='devloop-') as tmp:
        kmod = build_module(tmp)
        conf = os.path.join(tmp, 'mine.conf')
        with open(os.path.join(kqemu.ROOT, 'images', 'dev.conf')) as f:
            text = f.read().replace('\nboot_modules = hello hello_user',
                                    '\nboot_modules = hello hello_user ' + kmod)
        check_text = 'boot_modules = hello hello_user ' + kmod
        if check_text not in text:
            raise AssertionError('images/dev.conf has no "boot_modules = hello hello_user" line')
        with open(conf, 'w') as f:
            f.write(text)
        sh([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'profile.py'), 'check', conf,
            os.path.join(BUILD, 'modules')])
        iso = os.path.join(tmp, 'mine.iso')
        sh([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkiso.py'), '--kernel', KERNEL,
            '--profile', conf, '--module-dir', os.path.join(BUILD, 'modules'),
            '--initrd', os.path.join(BUILD, 'images', 'initrd-dev.cpio'), '--out', iso])
        with Machine(KERNEL, iso=iso) as m:
            m.wait_for(PROMPT, BOOT_TIMEOUT['bios'])
            check(m, re.search(r'^kmod: loaded minimal 1\.0\.0 from minimal$', m.log, re.M),
                  'the profile\'s module by path was not loaded at boot')
            session(m)('rmmod minimal', r'minimal: unloaded')
            no_errors(m)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def gdb_module():
    # docs/debugging.md's session: insmod, then in gdb kr-symbols and a
    # breakpoint in the module, hit when hello_user's init calls it.  Then
    # the hook: a pending breakpoint in the init of a module not loaded yet
    # (minimal, built out of tree) resolves when kmod places it
    # (kmod_debug_placed), before its init runs.
    port = free_port()
    with tempfile.TemporaryDirectory(prefix='devloop-') as tmp:
        kmod = build_module(tmp)
        iso = devimage(tmp, kmod)
        with Machine(KERNEL, iso=iso, extra=['-gdb', 'tcp:127.0.0.1:%d' % port]) as m:
            m.wait_for(PROMPT, BOOT_TIMEOUT['bios'])
            run = session(m)
            run('rmmod hello_user', r'unloaded hello_user')
            run('rmmod hello', r'hello: unloaded')
            run('insmod hello', r'kmod: loaded hello')
            out = run('lsmod -v', r'^hello +0x[0-9a-f]{16} 0x[0-9a-f]{16} +(?:0x[0-9a-f]{16}|-) +\d+$')
            text, ro = (int(x, 16) for x in
                        re.search(r'^hello +(0x[0-9a-f]+) (0x[0-9a-f]+)', out, re.M).groups())
            check(m, re.search(r'^kmod +\(built in', out, re.M), 'lsmod -v: no note for built-ins')
            marks = [os.path.join(tmp, 'continued%d' % i) for i in (1, 2)]
            script = os.path.join(tmp, 'gdb.cmd')
            with open(script, 'w') as f:
                f.write('\n'.join([
                    'set pagination off', 'set confirm off', 'set breakpoint pending on',
                    'target remote 127.0.0.1:%d' % port,
                    'source %s' % os.path.join(kqemu.ROOT, 'tools', 'gdb', 'karyon.py'),
                    'kr-symbols %s' % os.path.join(BUILD, 'modules'),
                    'kr-lsmod',
                    'info address hello_greet',
                    'break hello_greet',
                    'shell touch %s' % marks[0],
                    'continue',
                    'info symbol $pc',
                    'delete',
                    'break minimal_init',           # not loaded yet: pending
                    'shell touch %s' % marks[1],
                    'continue',
                    'info symbol $pc',
                    'delete',
                    'detach', '']))
            # minimal.kmod is found by its digest in KARYON_KMOD_PATH.
            gdb = subprocess.Popen(['gdb', '-batch', '-nx', '-x', script, KERNEL],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=dict(os.environ, KARYON_KMOD_PATH=tmp))
            try:
                for mark, line in zip(marks, ['insmod hello_user', 'insmod minimal']):
                    deadline = time.monotonic() + 60
                    while not os.path.exists(mark):
                        if gdb.poll() is not None or time.monotonic() > deadline:
                            gdb.kill()
                            m.fail('gdb did not reach "continue":\n' + gdb.communicate()[0])
                        time.sleep(0.1)
                    m.send(line + '\r')
                out = gdb.communicate(timeout=90)[0]
            except subprocess.TimeoutExpired:
                gdb.kill()
                m.fail('gdb did not finish:\n' + gdb.communicate()[0])
            check(m, re.search(r'kr-symbols: hello at 0x[0-9a-f]+ from .*/hello\.kmod', out),
                  'kr-symbols did not load hello:\n' + out)
            at = re.search(r'Symbol "hello_greet" is at (0x[0-9a-f]+)', out)
            check(m, at and text <= int(at.group(1), 16) < ro,
                  'hello_greet is not in the text lsmod -v shows (%#x-%#x):\n%s' % (text, ro, out))
            check(m, re.search(r'^Breakpoint 1, .*hello_greet', out, re.M),
                  'the breakpoint in hello_greet was not hit:\n' + out)
            check(m, re.search(r'^hello_greet in section \.text of .*hello\.kmod', out, re.M),
                  'info symbol $pc is not hello_greet:\n' + out)
            check(m, re.search(r'kr-symbols: minimal at 0x[0-9a-f]+ from .*minimal\.kmod', out),
                  'the load hook did not add minimal:\n' + out)
            check(m, re.search(r'^Breakpoint 2, .*minimal_init', out, re.M),
                  'the pending breakpoint in minimal_init was not hit:\n' + out)
            m.wait_for(r'hello_user: hello_greet returned 42', 20)
            m.wait_for(r"minimal: loaded", 20)
            if os.environ.get("DEVLOOP_SHOW"):
                print(out)


CASES = {
    'oot-module': oot_module,
    'oot-module-boot': oot_module_boot,
    'gdb-module': gdb_module,
    'profile-path-module': profile_path_module,
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
