#!/usr/bin/env python3
"""profile.py - read and check an image profile (images/NAME.conf).

Usage: profile.py list IMAGES_DIR            profile names, one per line
       profile.py get PROFILE.conf KEY       a key's words, one per line
       profile.py files PROFILE.conf KEY KMOD_DIR   NAME=FILE for each module
       profile.py check PROFILE.conf KMOD_DIR [--extra NAME,...] [--stamp FILE]

A profile is "key = value" lines ('#' starts a comment):
  cmdline       the kernel command line
  builtin       modules linked into the kernel, in this order: kmod first,
                the starter (the core starts it, and it starts the others in
                this order at boot), each after the built-in modules it
                depends on
  boot_modules  modules GRUB loads beside the kernel; kmod starts them
  initrd        modules shipped in the initrd (/lib/modules) for loading at
                run time; the initrd also holds the SDK headers and examples,
                and needs the vfs module (built in or a boot module)
In boot_modules and initrd a word with a '/' or ending in .kmod is a module
file (relative to the source tree unless absolute), named by its file name:
a module built out of tree.
check reads every named module's descriptor from KMOD_DIR/NAME.kmod and
fails, naming the culprits, on: an unknown key or module, a module named
twice, built-in modules that do not start with kmod, a dependency that is
not in the profile (a built-in module may only depend on built-in ones,
named before it), a version too old, or a dependency cycle.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modinfo import KmodError, modinfo  # noqa: E402
from toolargs import parser  # noqa: E402

KEYS = ('cmdline', 'builtin', 'boot_modules', 'initrd')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_path(word):
    """A boot_modules or initrd word that names a module file rather than a
    module of the tree: it has a '/' or ends in .kmod."""
    return '/' in word or word.endswith('.kmod')


def module_name(word):
    """The module's name: the word, or a path's file name without .kmod."""
    base = os.path.basename(word)
    return base[:-5] if base.endswith('.kmod') else base


def module_file(word, kmod_dir):
    """A word's module file: KMOD_DIR/NAME.kmod, or the path (relative to
    the source tree unless absolute)."""
    if is_path(word):
        return word if os.path.isabs(word) else os.path.join(ROOT, word)
    return os.path.join(kmod_dir, word + '.kmod')
# The core starts only the first built-in module: this one, which starts
# the rest (modules/kmod/builtin.c).
STARTER = 'kmod'


class ProfileError(Exception):
    pass


def read(path):
    name = os.path.basename(path)[:-5] if path.endswith('.conf') else path
    conf = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ProfileError('%s: %s' % (path, e.strerror))
    for n, line in enumerate(lines, 1):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        key, eq, val = (s.strip() for s in line.partition('='))
        if not eq:
            raise ProfileError('%s:%d: expected "key = value"' % (path, n))
        if key not in KEYS:
            raise ProfileError('%s:%d: unknown key "%s" (keys: %s)' % (path, n, key, ', '.join(KEYS)))
        if key in conf:
            raise ProfileError('%s:%d: "%s" given twice' % (path, n, key))
        conf[key] = val
    conf['name'] = name
    return conf


def version(text):
    return tuple(int(x) for x in text.split('.'))


def check(conf, kmod_dir, extra=()):
    where = 'profile %s' % conf['name']
    builtin, boot = conf.get('builtin', '').split(), conf.get('boot_modules', '').split()
    boot += list(extra)      # meson option extra_modules
    for m in builtin:
        if is_path(m):
            raise ProfileError('%s: builtin names modules of the tree (modules/NAME), not a '
                               'file: %s (put it in boot_modules or initrd)' % (where, m))
    for m in boot + conf.get('initrd', '').split():
        if is_path(m) and not m.endswith('.kmod'):
            raise ProfileError('%s: %s: a module file ends in .kmod' % (where, m))
    files = {module_name(w): module_file(w, kmod_dir)
             for w in builtin + boot + conf.get('initrd', '').split()}
    builtin = [module_name(w) for w in builtin]
    boot = [module_name(w) for w in boot]
    seen = set()
    for m in builtin + boot:
        if m in seen:
            raise ProfileError('%s: module %s is named twice' % (where, m))
        seen.add(m)
    if builtin and builtin[0] != STARTER:
        raise ProfileError('%s: builtin must start with %s: the kernel starts only the first '
                           'built-in module, and %s starts the others' % (where, STARTER, STARTER))
    info = {}
    unknown = []
    for m in builtin + boot:
        path = files[m]
        if not os.path.exists(path):
            unknown.append(m if path == os.path.join(kmod_dir, m + '.kmod') else path)
            continue
        try:
            info[m] = modinfo(path)
        except KmodError as e:
            raise ProfileError('%s: module %s: %s' % (where, m, e))
        if info[m]['name'] != m:
            raise ProfileError('%s: %s is the module %s, not %s: name its file %s.kmod'
                               % (where, path, info[m]['name'], m, info[m]['name']))
    unknown += [w for w in conf.get('initrd', '').split()
                if not os.path.exists(module_file(w, kmod_dir))]
    if conf.get('initrd') is not None and 'vfs' not in builtin + boot:
        raise ProfileError('%s: an initrd needs the vfs module (builtin or boot_modules)' % where)
    if unknown:
        raise ProfileError('%s: unknown module%s %s (modules are the directories of modules/, '
                           'or paths to .kmod files)'
                           % (where, 's' if len(unknown) > 1 else '', ', '.join(unknown)))
    deps = {}
    for m in builtin + boot:
        allowed = builtin if m in builtin else builtin + boot
        deps[m] = []
        for d in filter(None, info[m]['depends'].split(',')):
            dname, _, dmin = d.partition('>=')
            if dname not in allowed:
                kind = 'built-in ' if m in builtin else ''
                raise ProfileError('%s: %smodule %s needs %s, which the profile does not %s'
                                   % (where, kind, m, d,
                                      'build in' if m in builtin else 'include'))
            if dmin and version(info[dname]['version']) < version(dmin):
                raise ProfileError('%s: module %s needs %s, but %s is %s'
                                   % (where, m, d, dname, info[dname]['version']))
            deps[m].append(dname)
    state = {}

    def visit(m, path):
        if state.get(m) == 'done':
            return
        if state.get(m) == 'active':
            cycle = path[path.index(m):] + [m]
            raise ProfileError('%s: dependency cycle: %s' % (where, ' -> '.join(cycle)))
        state[m] = 'active'
        for d in deps[m]:
            visit(d, path + [m])
        state[m] = 'done'

    for m in builtin + boot:
        visit(m, [])
    for i, m in enumerate(builtin):     # kmod starts them once, in this order
        for d in deps[m]:
            if d not in builtin[:i]:
                raise ProfileError('%s: built-in module %s needs %s, which comes after it in '
                                   'builtin; the kernel starts built-ins in the order listed, '
                                   'so name %s before %s' % (where, m, d, d, m))
    return info


def main():
    ap = parser('profile.py', __doc__)
    sub = ap.add_subparsers(dest='verb', metavar='VERB', required=True)
    p = sub.add_parser('list', help='print the profile names in IMAGES_DIR, one per line')
    p.add_argument('images', metavar='IMAGES_DIR', help='the directory of NAME.conf files')
    p = sub.add_parser('get', help="print a key's words, one per line")
    p.add_argument('conf', metavar='PROFILE.conf', help='the profile to read')
    p.add_argument('key', metavar='KEY', choices=KEYS, help='the key (%s)' % ', '.join(KEYS))
    p = sub.add_parser('files', help="print NAME=FILE for each module of a key")
    p.add_argument('conf', metavar='PROFILE.conf', help='the profile to read')
    p.add_argument('key', metavar='KEY', choices=('builtin', 'boot_modules', 'initrd'),
                   help='the key: builtin, boot_modules or initrd')
    p.add_argument('kmod_dir', metavar='KMOD_DIR', help='where the tree\'s modules are (NAME.kmod)')
    p = sub.add_parser('check', help="check a profile against the modules' descriptors")
    p.add_argument('conf', metavar='PROFILE.conf', help='the profile to check')
    p.add_argument('kmod_dir', metavar='KMOD_DIR', help='where NAME.kmod of every module is')
    p.add_argument('--extra', default='', metavar='NAME,...',
                   help='more boot modules every image loads (meson option extra_modules)')
    p.add_argument('--stamp', metavar='FILE', help='write "ok" to FILE when the check passes')
    a = ap.parse_args()
    try:
        if a.verb == 'list':
            try:
                names = sorted(f[:-5] for f in os.listdir(a.images) if f.endswith('.conf'))
            except OSError as e:
                raise ProfileError('%s: %s' % (a.images, e.strerror))
            print('\n'.join(names))
        elif a.verb == 'files':
            for word in read(a.conf).get(a.key, '').split():
                print('%s=%s' % (module_name(word), module_file(word, a.kmod_dir)))
        elif a.verb == 'get':
            for word in read(a.conf).get(a.key, '').split():
                print(word)
        else:
            ap.check_output(a.stamp)
            check(read(a.conf), a.kmod_dir, [m for m in a.extra.split(',') if m])
            if a.stamp:
                with open(a.stamp, 'w') as f:
                    f.write('ok\n')
    except ProfileError as e:
        ap.fail(str(e))


if __name__ == '__main__':
    main()
