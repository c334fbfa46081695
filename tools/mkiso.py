#!/usr/bin/env python3
"""mkiso.py - make a bootable Karyon ISO (BIOS and UEFI) with grub-mkrescue.

Usage: mkiso.py --kernel karyon.elf --out karyon.iso
                [--profile images/NAME.conf] [--cmdline "k=v ..."]
                [--module PATH[=NAME]]... [--module-dir DIR]
                [--manifest FILE --enforcement enforce|permissive]

The profile file gives the kernel command line (`cmdline = ...`; --cmdline
replaces it) and the boot modules (`boot_modules = NAME ...`, found as
DIR/NAME.kmod with --module-dir).  Each --module adds a multiboot2
`module2` line after the profile's.  --manifest adds the module manifest
(tools/gen_manifest.py) as a boot module named "manifest", headed by the
enforcement mode, for the kmod module to check modules against.  The ISO
is a hybrid: GRUB for SeaBIOS (i386-pc) and for UEFI (x86_64-efi).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_profile(path):
    conf = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if '=' not in line:
                sys.exit('%s:%d: expected "key = value"' % (path, n))
            key, val = (s.strip() for s in line.split('=', 1))
            conf[key] = val
    return conf


def grub_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--profile')
    ap.add_argument('--cmdline')
    ap.add_argument('--module', action='append', default=[])
    ap.add_argument('--module-dir')
    ap.add_argument('--manifest')
    ap.add_argument('--enforcement', choices=('enforce', 'permissive'), default='permissive')
    a = ap.parse_args()

    cmdline = ''
    modules = []
    if a.profile:
        conf = read_profile(a.profile)
        cmdline = conf.get('cmdline', '')
        for name in conf.get('boot_modules', '').split():
            if not a.module_dir:
                sys.exit('mkiso: %s names boot modules; give --module-dir' % a.profile)
            path = os.path.join(a.module_dir, name + '.kmod')
            if not os.path.exists(path):
                sys.exit('mkiso: %s: unknown module %r (no %s)' % (a.profile, name, path))
            modules.append('%s=%s' % (path, name))
    modules += a.module
    if a.cmdline is not None:
        cmdline = a.cmdline

    with tempfile.TemporaryDirectory(prefix='karyon-iso-') as root:
        boot = os.path.join(root, 'boot')
        os.makedirs(os.path.join(boot, 'grub'))
        shutil.copyfile(a.kernel, os.path.join(boot, 'karyon.elf'))
        os.makedirs(os.path.join(boot, 'modules'))
        mods = []
        for spec in modules:
            path, _, name = spec.partition('=')
            name = name or os.path.basename(path)
            if '/' in name or name.startswith('.') or "'" in name:
                sys.exit('mkiso: bad module name %r' % name)
            dst = os.path.join(boot, 'modules', name)
            if os.path.lexists(dst):
                sys.exit('mkiso: two modules named %r' % name)
            # A path that does not exist still gets its module2 line: the
            # harness uses that to test what a missing file does at boot.
            if os.path.exists(path):
                shutil.copyfile(path, dst)
            mods.append('\tmodule2 /boot/modules/%s %s\n' % (name, grub_quote(name)))
        if a.manifest:
            with open(a.manifest) as f:
                body = f.read()
            with open(os.path.join(boot, 'modules', 'manifest'), 'w') as f:
                f.write('mode %s\n%s' % (a.enforcement, body))
            mods.append('\tmodule2 /boot/modules/manifest manifest\n')
        with open(os.path.join(ROOT, 'boot', 'grub.cfg.in')) as f:
            cfg = f.read()
        cfg = cfg.replace('@CMDLINE@', cmdline).replace('@MODULES@', ''.join(mods))
        with open(os.path.join(boot, 'grub', 'grub.cfg'), 'w') as f:
            f.write(cfg)
        r = subprocess.run(['grub-mkrescue', '-o', a.out, root],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            sys.exit('mkiso: grub-mkrescue failed (exit %d)' % r.returncode)


if __name__ == '__main__':
    main()
