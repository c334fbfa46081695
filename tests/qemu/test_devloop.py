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
import subprocess
import sys
import tempfile

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


CASES = {
    'oot-module': oot_module,
    'oot-module-boot': oot_module_boot,
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
