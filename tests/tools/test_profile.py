#!/usr/bin/env python3
"""test_profile.py - a bad image profile fails the build with a clear message.

Usage: test_profile.py BUILD_MODULES_DIR

Runs tools/profile.py check (the step every ISO build depends on) on
crafted profiles against real modules: hello, hello_user, console, shell
and kmod from the build, and two modules that depend on each other,
compiled here with the SDK's flags.  Each bad profile must fail naming the
culprit; a good one passes.
Then images/full.conf must name every module of the tree (each folder of
modules/ with a meson.build), built in, as a boot module or in the initrd.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROFILE = os.path.join(ROOT, 'tools', 'profile.py')

CYCLE = '''#include <karyon/module.h>
KR_MODULE(.name = "%s", .version = KR_VERSION(1, 0, 0), .license = "MIT",
	  .deps = { { .name = "%s" } }, .ndeps = 1);
'''


def compile_module(d, name, dep):
    src = os.path.join(d, name + '.c')
    with open(src, 'w') as f:
        f.write(CYCLE % (name, dep))
    with open(os.path.join(ROOT, 'sdk', 'kmod.flags')) as f:
        flags = f.read().split()
    gccinc = subprocess.run(['gcc', '-print-file-name=include'], check=True,
                            capture_output=True, text=True).stdout.strip()
    subprocess.run(['gcc'] + flags + ['-idirafter', gccinc, '-I' + os.path.join(ROOT, 'abi'),
                                      '-c', src, '-o', os.path.join(d, name + '.kmod')], check=True)


def run(d, text):
    conf = os.path.join(d, 'bad.conf')
    with open(conf, 'w') as f:
        f.write(text)
    return subprocess.run([sys.executable, PROFILE, 'check', conf, d], capture_output=True, text=True)


def full_profile_misses():
    """The module folders images/full.conf does not name."""
    spec = importlib.util.spec_from_file_location('karyon_profile', PROFILE)   # not stdlib's profile
    profile_tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(profile_tool)
    top = os.path.join(ROOT, 'modules')
    folders = {n for n in os.listdir(top) if os.path.isfile(os.path.join(top, n, 'meson.build'))}
    conf = profile_tool.read(os.path.join(ROOT, 'images', 'full.conf'))
    named = set()
    for key in ('builtin', 'boot_modules', 'initrd'):
        named.update(conf.get(key, '').split())
    return sorted(folders - named)


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix='test-profile-') as d:
        for m in ('hello', 'hello_user', 'console', 'sched', 'shell', 'kmod', 'vfs'):
            shutil.copy(os.path.join(sys.argv[1], m + '.kmod'), d)
        compile_module(d, 'cyc_a', 'cyc_b')
        compile_module(d, 'cyc_b', 'cyc_a')
        # Modules named by path (built out of tree): a copy of hello under
        # its own name, and one under a name that is not its own.
        oot = os.path.join(d, 'oot')
        os.mkdir(oot)
        shutil.copy(os.path.join(d, 'hello.kmod'), os.path.join(oot, 'hello.kmod'))
        shutil.copy(os.path.join(d, 'hello.kmod'), os.path.join(oot, 'greeter.kmod'))
        cases = [
            ('good', 'builtin = kmod hello\nboot_modules = hello_user\n', None),
            ('no built-ins', 'boot_modules = hello hello_user\n', None),
            ('kmod not first', 'builtin = hello kmod\n',
             'builtin must start with kmod: the kernel starts only the first built-in module'),
            ('no kmod', 'builtin = hello\n', 'builtin must start with kmod'),
            ('unknown module', 'boot_modules = hello nosuch\n', 'unknown module nosuch'),
            ('missing dependency', 'boot_modules = hello_user\n',
             'module hello_user needs hello>=1.0.0, which the profile does not include'),
            ('built-in needs a boot module', 'builtin = kmod hello_user\nboot_modules = hello\n',
             'built-in module hello_user needs hello>=1.0.0, which the profile does not build in'),
            ('built-in before its dependency', 'builtin = kmod hello_user hello\n',
             'built-in module hello_user needs hello, which comes after it in builtin'),
            ('shell without its console input', 'builtin = kmod shell\n',
             'built-in module shell needs console>=1.1.0, which the profile does not build in'),
            ('shell without the scheduler', 'builtin = kmod console shell\n',
             'built-in module shell needs sched>=1.0.0, which the profile does not build in'),
            ('shell with its console and scheduler', 'builtin = kmod console sched shell\n',
             None),
            ('cycle', 'boot_modules = cyc_a cyc_b\n', 'dependency cycle: cyc_a -> cyc_b -> cyc_a'),
            ('named twice', 'builtin = kmod hello\nboot_modules = hello\n',
             'module hello is named twice'),
            ('unknown key', 'modules = hello\n', 'unknown key "modules"'),
            ('boot module by path', 'boot_modules = %s/hello.kmod hello_user\n' % oot, None),
            ('initrd module by path', 'builtin = kmod vfs\ninitrd = %s/hello.kmod\n' % oot, None),
            ('initrd path to nothing', 'builtin = kmod vfs\ninitrd = %s/nosuch.kmod\n' % oot,
             'unknown module %s/nosuch.kmod' % oot),
            ('path to nothing', 'boot_modules = %s/nosuch.kmod\n' % oot,
             'unknown module %s/nosuch.kmod' % oot),
            ('path to a module of another name', 'boot_modules = %s/greeter.kmod\n' % oot,
             'is the module hello, not greeter: name its file hello.kmod'),
            ('built-in by path', 'builtin = kmod %s/hello.kmod\n' % oot,
             'builtin names modules of the tree (modules/NAME), not a file'),
            ('path without .kmod', 'boot_modules = %s/hello\n' % oot,
             'a module file ends in .kmod'),
        ]
        for what, text, message in cases:
            r = run(d, text)
            if message is None:
                ok = r.returncode == 0
            else:
                ok = r.returncode != 0 and message in r.stderr
            print('%s %s%s' % ('PASS' if ok else 'FAIL', what,
                               '' if ok else ': exit %d, stderr %r' % (r.returncode, r.stderr)))
            failures += not ok
    missing = full_profile_misses()
    ok = not missing
    print('%s full profile names every module%s' % (
        'PASS' if ok else 'FAIL',
        '' if ok else ': images/full.conf lacks %s (add each to builtin, boot_modules or initrd)'
        % ', '.join(missing)))
    failures += not ok
    print('%d passed, %d failed' % (len(cases) + 1 - failures, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
