#!/usr/bin/env python3
"""devimage.py - a built profile's image plus modules built out of tree.

What `./karyon run --module X.kmod` boots, and what the tests boot to check
it: the build's kernel, manifest, channel graph and initrd for PROFILE, with each
--module added to the initrd as /lib/modules/NAME.kmod (NAME from its
descriptor), so `insmod NAME`, `rmmod NAME`, `insmod NAME` work in the
running image; with --boot GRUB also loads them at boot.  Prints the ISO's
path.  The build must have made the profile's ISO first
(`./karyon build PROFILE`).
"""
import json
import os
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
from modinfo import KmodError, modinfo  # noqa: E402
from profile import ProfileError, module_name, read as read_profile  # noqa: E402
from toolargs import parser  # noqa: E402


def build_options(build):
    """The build directory's meson options, {name: value}."""
    try:
        with open(os.path.join(build, 'meson-info', 'intro-buildoptions.json')) as f:
            return {o['name']: o['value'] for o in json.load(f)}
    except (OSError, ValueError):
        return {}


def main():
    ap = parser('devimage.py', __doc__)
    ap.add_argument('--build', default=os.environ.get('KARYON_BUILD', os.path.join(ROOT, 'build')),
                    help='the meson build directory (default: $KARYON_BUILD, else build/)')
    ap.add_argument('--profile', default='dev', metavar='NAME|FILE.conf',
                    help='the profile whose built image to start from (default: dev)')
    ap.add_argument('--module', action='append', default=[], metavar='FILE.kmod', required=True,
                    help='a module to add under /lib/modules (repeatable)')
    ap.add_argument('--boot', action='store_true',
                    help='also have GRUB load the modules at boot, as boot modules')
    ap.add_argument('--out', required=True, metavar='ISO', help='the ISO to write')
    a = ap.parse_args()
    ap.check_output(a.out)

    conf_path = a.profile if a.profile.endswith('.conf') else \
        os.path.join(ROOT, 'images', a.profile + '.conf')
    try:
        conf = read_profile(conf_path)
    except ProfileError as e:
        ap.error(str(e))
    name = conf['name']
    kernel = os.path.join(a.build, 'core', 'karyon-%s.elf' % name)
    initrd = os.path.join(a.build, 'images', 'initrd-%s.cpio' % name)
    manifest = os.path.join(a.build, 'modules', 'MANIFEST')
    # The profile's channel graph, as the build compiled it (images/meson.build).
    channels = os.path.join(a.build, 'images', 'channels-%s.blob' % name)
    has_channels = os.path.exists(os.path.join(os.path.dirname(conf_path), name + '.channels'))
    if not os.path.exists(kernel):
        ap.fail('%s is not built (./karyon build %s)' % (kernel, name))
    mods = []
    for path in a.module:
        try:
            info = modinfo(path)
        except KmodError as e:
            ap.fail('%s: %s' % (path, e))
        mods.append((path, info['name']))
    names = [n for _, n in mods]
    if len(set(names)) != len(names):
        ap.fail('two modules named the same: %s' % ' '.join(names))
    builtin = [module_name(w) for w in
               conf.get('builtin', '').split() + conf.get('boot_modules', '').split()]
    for n in names:
        if n in builtin:
            ap.fail('profile %s already has a module named %s' % (name, n))
    has_initrd = 'vfs' in builtin
    if not has_initrd and not a.boot:
        ap.fail('profile %s has no initrd (no vfs module): use --boot to load the '
                'modules at boot instead' % name)
    if has_initrd and not os.path.exists(initrd):
        ap.fail('%s is not built (./karyon build %s)' % (initrd, name))
    if has_channels and not os.path.exists(channels):
        ap.fail('%s is not built (./karyon build %s)' % (channels, name))

    opts = build_options(a.build)
    with tempfile.TemporaryDirectory(prefix='karyon-devimage-') as tmp:
        cmd = [sys.executable, os.path.join(TOOLS, 'mkiso.py'), '--kernel', kernel,
               '--profile', conf_path, '--out', a.out,
               '--module-dir', os.path.join(a.build, 'modules'),
               '--enforcement', opts.get('module_enforcement', 'permissive')]
        if os.path.exists(manifest):
            cmd += ['--manifest', manifest]
            if has_channels:
                cmd += ['--channels', channels]
        for m in opts.get('extra_modules', []):
            cmd += ['--module', '%s=%s' % (os.path.join(a.build, 'modules', m + '.kmod'), m)]
        if has_initrd:
            new = os.path.join(tmp, 'initrd.cpio')
            mk = [sys.executable, os.path.join(TOOLS, 'mkinitrd.py'), new, '--from', initrd]
            for path, n in mods:
                mk += ['--file', '/lib/modules/%s.kmod=%s' % (n, os.path.abspath(path))]
            r = subprocess.run(mk)
            if r.returncode:
                sys.exit(r.returncode)
            cmd += ['--initrd', new]
        if a.boot:
            for path, n in mods:
                cmd += ['--module', '%s=%s' % (os.path.abspath(path), n)]
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
        if r.returncode:
            sys.exit(r.returncode)
    print(a.out)


if __name__ == '__main__':
    main()
