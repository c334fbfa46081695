#!/usr/bin/env python3
"""mkiso.py - make a bootable Karyon ISO (BIOS and UEFI) with grub-mkrescue.

Usage: mkiso.py --kernel karyon.elf --out karyon.iso
                [--profile images/NAME.conf] [--cmdline "k=v ..."]
                [--module PATH[=NAME]]... [--module-dir DIR]
                [--manifest FILE --enforcement enforce|permissive] [--initrd FILE]
                [--channels BLOB] [--buildinfo-option KEY=VALUE]...

The profile file gives the kernel command line (`cmdline = ...`; --cmdline
replaces it) and the boot modules (`boot_modules = NAME ...`, found as
DIR/NAME.kmod with --module-dir).  Each --module adds a multiboot2
`module2` line after the profile's.  --manifest adds the module manifest
(tools/gen_manifest.py) as a boot module named "manifest", headed by the
enforcement mode, for the kmod module to check modules against.
--channels adds the image's compiled channel graph (tools/mkchannels) as a
boot module named "channels" and its digest to that manifest, as a line
"channels blake2b-256 HEX", for the organelles module to check it
against (docs/organelles.md).  The ISO
is a hybrid: GRUB for SeaBIOS (i386-pc) and for UEFI (x86_64-efi).

Two more files sit at the root of every ISO.  MANIFEST lists each file
mkiso put in the image (all but MANIFEST itself) with its size and
BLAKE2b-256 digest, the version of each module (from its descriptor,
tools/modinfo.py) and the ABI version (abi/karyon/abi.h).  GRUB also
loads MANIFEST, as the last boot module, named "release": the kernel's
boot proofs hash it (#E9, docs/boot-proofs.md).  Only its path is in
grub.cfg, so MANIFEST (which lists grub.cfg) does not depend on itself.  BUILDINFO
(tools/buildinfo.py) gives the profile, the kernel command line, each
--buildinfo-option, SOURCE_DATE_EPOCH, the git commit and the versions
of the Debian packages of the toolchain.  The last line of output is the
payload, what GRUB loads: "karyon-dev.iso: payload N bytes (kernel N,
modules N, manifest N, initrd N, release N)".

The ISO is reproducible: the same inputs give the same bytes, whenever
and wherever it is built.  Every date in it is SOURCE_DATE_EPOCH
(tools/buildinfo.py says where that comes from); nothing records a path.
What that takes, beyond setting the staged files' times:
  - grub-mkrescue gives xorriso the current time (--modification-date,
    the ISO's volume dates and GRUB's filesystem UUID) and hands it a
    tree of GRUB files stamped "now".  It runs xorriso through this
    script (--xorriso, see xorriso_shim), which replaces the date, sets
    every file's time and checks that the old date is embedded nowhere.
  - mformat gives the EFI boot image (efi.img, FAT) a random volume serial
    number; the shim sets it from SOURCE_DATE_EPOCH with `mlabel -N`.
  - mtools dates FAT entries from SOURCE_DATE_EPOCH, in local time: TZ=UTC.
  - xorriso dates the boot catalog and derives the GPT GUIDs and the
    isohybrid MBR id from the volume date; file modes are normalized
    (mkisofs -r, which grub-mkrescue passes), so the umask does not leak.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import toolargs  # noqa: E402
import buildinfo  # noqa: E402
import profile as profile_conf  # noqa: E402  (tools/profile.py, not the standard library's)
from modinfo import KmodError, modinfo  # noqa: E402

# Set in grub-mkrescue's environment to the real xorriso: this script, run
# by grub-mkrescue in xorriso's place, then acts as xorriso_shim.
SHIM_ENV = 'KARYON_MKISO_XORRISO'


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


def blake2b_256(path):
    with open(path, 'rb') as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def set_times(top, epoch):
    """Every file and directory under top (and top) dated epoch; children
    first, since writing into a directory changes its time."""
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (epoch, epoch), follow_symlinks=False)
    os.utime(top, (epoch, epoch))


def iso_date(epoch):
    """epoch as xorriso's 16-digit GMT timestring YYYYMMDDhhmmsscc."""
    return time.strftime('%Y%m%d%H%M%S00', time.gmtime(epoch))


def manifest_text(root, abi, profile, modules):
    """MANIFEST for the staged tree at root.  modules: [(path in the ISO,
    descriptor or None)], in module2 order."""
    files = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            files.append(os.path.relpath(path, root).replace(os.sep, '/'))
    lines = ['# MANIFEST: every file tools/mkiso.py put in this image but this one,',
             '# with its size and BLAKE2b-256 digest; the modules\' own versions.',
             'format 1',
             'abi %s' % abi,
             'profile %s' % profile]
    for rel in sorted(files):
        path = os.path.join(root, rel)
        lines.append('file blake2b-256 %s %d %s' % (blake2b_256(path), os.path.getsize(path), rel))
    # "module PATH NAME VERSION ABI", for each staged file that is a module
    # (test images also carry files that are not).
    for rel, info in modules:
        if info:
            lines.append('module %s %s %s %s' % (rel, info['name'], info['version'], info['abi']))
    return '\n'.join(lines) + '\n'


def run_grub_mkrescue(out, root, epoch):
    xorriso = shutil.which('xorriso')
    if not xorriso:
        sys.exit('mkiso: xorriso not found (Debian package xorriso)')
    shim = os.path.abspath(__file__)
    tmp = None
    if not os.access(shim, os.X_OK):    # a copy without its mode bits
        tmp = tempfile.mkdtemp(prefix='karyon-xorriso-')
        shim = os.path.join(tmp, 'xorriso')
        with open(shim, 'w') as f:
            f.write('#!/bin/sh\nexec %s %s "$@"\n'
                    % (grub_quote(sys.executable), grub_quote(os.path.abspath(__file__))))
        os.chmod(shim, 0o755)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), TZ='UTC', LC_ALL='C')
    env[SHIM_ENV] = xorriso
    try:
        r = subprocess.run(['grub-mkrescue', '--xorriso=' + shim, '-o', out, root],
                           capture_output=True, text=True, env=env)
    finally:
        if tmp:
            shutil.rmtree(tmp)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        sys.exit('mkiso: grub-mkrescue failed (exit %d)' % r.returncode)


def xorriso_shim(xorriso, args):
    """Run by grub-mkrescue as its xorriso.  Its probes (-help) pass
    through; for the real run, make GRUB's part of the tree reproducible
    (see the module comment), then exec xorriso."""
    if '-o' not in args or '-r' not in args:
        os.execv(xorriso, [xorriso] + args)
    epoch = int(os.environ['SOURCE_DATE_EPOCH'])
    # grub-mkrescue's own tree: "-r DIR" (its files, efi.img, its boot images).
    grub_tree = args[args.index('-r') + 1]
    if not os.path.isdir(os.path.join(grub_tree, 'boot', 'grub')):
        sys.exit('mkiso: xorriso shim: %r after -r is not grub-mkrescue\'s tree; '
                 'this grub-mkrescue is not the one mkiso.py knows (GRUB 2.06)' % grub_tree)
    date = iso_date(epoch)
    old = None
    for i, arg in enumerate(args):
        if arg.startswith('--modification-date='):
            old = arg.split('=', 1)[1]
            args[i] = '--modification-date=' + date
    if old is None:
        sys.exit('mkiso: xorriso shim: grub-mkrescue passed no --modification-date')
    # That date is also GRUB's "filesystem UUID" (search --fs-uuid).  This
    # GRUB embeds it in no boot image for i386-pc or x86_64-efi; were it
    # embedded, the new date would break booting, so check.
    uuid = ('%s-%s-%s-%s-%s-%s-%s' % (old[0:4], old[4:6], old[6:8], old[8:10],
                                      old[10:12], old[12:14], old[14:16])).encode()
    for dirpath, _dirnames, filenames in os.walk(grub_tree):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                if uuid in f.read():
                    sys.exit('mkiso: grub-mkrescue embedded its build time (%s) in %s; '
                             'this GRUB cannot make a reproducible ISO'
                             % (uuid.decode(), os.path.relpath(path, grub_tree)))
    efi_img = os.path.join(grub_tree, 'efi.img')
    if os.path.exists(efi_img):
        serial = epoch & 0xffffffff
        r = subprocess.run(['mlabel', '-i', efi_img, '-N', '%08x' % serial, '::'],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        with open(efi_img, 'rb') as f:
            boot = f.read(512)
        # FAT12/16 boot sector: extended signature 0x29 at 38, volume id at 39.
        if r.returncode != 0 or boot[38] != 0x29 or \
                int.from_bytes(boot[39:43], 'little') != serial:
            sys.exit('mkiso: could not set the volume serial number of efi.img: %s'
                     % (r.stdout + r.stderr).strip())
    set_times(grub_tree, epoch)
    # Also date every file and the boot catalog explicitly (SOURCE_DATE_EPOCH
    # alone would only copy each file's own mtime to its other dates).
    i = args.index('-graft-points') + 1 if '-graft-points' in args else 2
    args[i:i] = ['--set_all_file_dates', date]
    os.execv(xorriso, [xorriso] + args)


def main():
    if os.environ.get(SHIM_ENV):
        xorriso = os.environ.pop(SHIM_ENV)
        return xorriso_shim(xorriso, sys.argv[1:])

    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', required=True, metavar='KERNEL.elf', help='the kernel to boot')
    ap.add_argument('--out', required=True, metavar='ISO', help='the ISO to write')
    ap.add_argument('--profile', metavar='PROFILE.conf',
                    help='take the command line and boot modules from this profile')
    ap.add_argument('--cmdline', help='the kernel command line (overrides the profile\'s)')
    ap.add_argument('--module', action='append', default=[], metavar='PATH[=NAME]',
                    help='one more boot module, named NAME (default: its file name); repeatable')
    ap.add_argument('--module-dir', metavar='DIR', help='where the profile\'s boot modules are (NAME.kmod)')
    ap.add_argument('--manifest', metavar='FILE', help='the module manifest to ship as the "manifest" boot module')
    ap.add_argument('--initrd', metavar='CPIO', help='the initrd to ship as the "initrd" boot module')
    ap.add_argument('--channels', metavar='BLOB',
                    help='the channel graph blob to ship as the "channels" boot module, its digest in the manifest')
    ap.add_argument('--enforcement', choices=('enforce', 'permissive'), default='permissive',
                    help='enforce: load only modules the manifest lists; permissive (default): flag the others')
    ap.add_argument('--buildinfo-option', type=buildinfo.parse_option, action='append',
                    default=[], metavar='KEY=VALUE',
                    help='a build option to record in BUILDINFO (repeatable)')
    a = ap.parse_args()
    ap.check_output(a.out)

    try:
        epoch, epoch_from = buildinfo.source_date_epoch(ROOT)
        abi = buildinfo.abi_version(ROOT)
    except buildinfo.BuildInfoError as e:
        sys.exit('mkiso: %s' % e)

    cmdline = ''
    modules = []
    profile = 'none'
    if a.profile:
        conf = read_profile(a.profile)
        profile = os.path.basename(a.profile)
        if profile.endswith('.conf'):
            profile = profile[:-5]
        cmdline = conf.get('cmdline', '')
        for word in conf.get('boot_modules', '').split():
            name = profile_conf.module_name(word)
            if not a.module_dir and not profile_conf.is_path(word):
                sys.exit('mkiso: %s names boot modules; give --module-dir' % a.profile)
            path = profile_conf.module_file(word, a.module_dir)
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
        staged = []                     # (path in the ISO, descriptor or None)
        payload_modules = 0
        for spec in modules:
            path, _, name = spec.partition('=')
            name = name or os.path.basename(path)
            if '/' in name or name.startswith('.') or "'" in name:
                sys.exit('mkiso: bad module name %r' % name)
            if ((a.manifest and name == 'manifest') or (a.initrd and name == 'initrd') or
                    (a.channels and name == 'channels') or name == 'release'):
                sys.exit('mkiso: module name "%s" is taken by %s' % (
                    name, 'MANIFEST' if name == 'release' else '--' + name))
            dst = os.path.join(boot, 'modules', name)
            if os.path.lexists(dst):
                sys.exit('mkiso: two modules named %r' % name)
            # A path that does not exist still gets its module2 line: the
            # harness uses that to test what a missing file does at boot.
            if os.path.exists(path):
                shutil.copyfile(path, dst)
                payload_modules += os.path.getsize(dst)
                try:
                    info = modinfo(dst)
                except KmodError:
                    info = None         # test images carry arbitrary files
                staged.append(('boot/modules/' + name, info))
            mods.append('\tmodule2 /boot/modules/%s %s\n' % (name, grub_quote(name)))
        payload_manifest = 0
        if a.manifest:
            with open(a.manifest) as f:
                body = f.read()
            dst = os.path.join(boot, 'modules', 'manifest')
            if a.channels:
                body += 'channels blake2b-256 %s\n' % blake2b_256(a.channels)
            with open(dst, 'w') as f:
                f.write('mode %s\n%s' % (a.enforcement, body))
            payload_manifest = os.path.getsize(dst)
            mods.append('\tmodule2 /boot/modules/manifest manifest\n')
        if a.channels:
            if not a.manifest:
                sys.exit('mkiso: --channels needs --manifest (the graph\'s digest goes there)')
            dst = os.path.join(boot, 'modules', 'channels')
            shutil.copyfile(a.channels, dst)
            payload_modules += os.path.getsize(dst)
            mods.append('\tmodule2 /boot/modules/channels channels\n')
        payload_initrd = 0
        if a.initrd:
            dst = os.path.join(boot, 'initrd')
            shutil.copyfile(a.initrd, dst)
            payload_initrd = os.path.getsize(dst)
            staged.append(('boot/initrd', None))
            mods.append('\tmodule2 /boot/initrd initrd\n')
        # The release manifest, written below (after grub.cfg, which it lists).
        mods.append('\tmodule2 /MANIFEST release\n')
        with open(os.path.join(ROOT, 'boot', 'grub.cfg.in')) as f:
            cfg = f.read()
        cfg = cfg.replace('@CMDLINE@', cmdline).replace('@MODULES@', ''.join(mods))
        with open(os.path.join(boot, 'grub', 'grub.cfg'), 'w') as f:
            f.write(cfg)
        try:
            info = buildinfo.buildinfo(profile, cmdline, a.buildinfo_option, ROOT,
                                       (epoch, epoch_from))
        except buildinfo.BuildInfoError as e:
            sys.exit('mkiso: %s' % e)
        with open(os.path.join(root, 'BUILDINFO'), 'w') as f:
            f.write(info)
        text = manifest_text(root, abi, profile, staged)
        payload_release = len(text.encode())
        with open(os.path.join(root, 'MANIFEST'), 'w') as f:
            f.write(text)
        set_times(root, epoch)
        run_grub_mkrescue(a.out, root, epoch)

    kernel = os.path.getsize(a.kernel)
    print('%s: payload %d bytes (kernel %d, modules %d, manifest %d, initrd %d, release %d)'
          % (os.path.basename(a.out),
             kernel + payload_modules + payload_manifest + payload_initrd + payload_release,
             kernel, payload_modules, payload_manifest, payload_initrd, payload_release))


if __name__ == '__main__':
    main()
