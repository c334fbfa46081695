#!/usr/bin/env python3
"""buildinfo.py - what a Karyon image was built from: its BUILDINFO file.

Usage: buildinfo.py [--profile NAME] [--cmdline TEXT] [--option KEY=VALUE]...
       buildinfo.py --stamp FILE

tools/mkiso.py imports this module and puts the text it makes at the root
of every ISO as BUILDINFO; run as a script it prints the same text for the
current machine.  Everything in it is fixed by the source tree and the
installed packages, never by the clock or by where the tree or the build
directory are, so two builds of one commit with the same packages give the
same BUILDINFO (and the same ISO).  One "key value" line each:

    format 1
    profile NAME                  the image profile (images/NAME.conf)
    cmdline TEXT                  the kernel command line
    source-date-epoch N           the time every date in the image is set to
    source-date-epoch-from F      environment, git or fallback (see below)
    git-commit HEX                the source tree's commit (or "none")
    git-tree clean|modified       whether tracked files differ from it
    option KEY=VALUE              build options the caller passed (sorted)
    package NAME VERSION          Debian packages of the toolchain (sorted)

SOURCE_DATE_EPOCH (reproducible-builds.org): the environment variable if
the caller set one; else the time of the last commit
(`git log -1 --format=%ct`) when the source root is itself a git checkout;
else FALLBACK_EPOCH, 2024-01-01 00:00:00 UTC.  It must lie in 1980..2099,
the range FAT (the EFI boot image) can record.

--stamp FILE writes the source-date-epoch and git lines to FILE, but only
when they changed, so a build can make ISOs depend on it (meson
build_always_stale; ninja's restat skips the ISOs when nothing changed):
a new commit then rebuilds them, as it changes their dates and BUILDINFO.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FALLBACK_EPOCH = 1704067200             # 2024-01-01 00:00:00 UTC
EPOCH_MIN, EPOCH_MAX = 315532800, 4102444800   # 1980-01-01 .. 2100-01-01 UTC

# Debian packages whose versions decide the image: the compiler and linker
# (gcc-N is added for the installed gcc), the build system, the ISO tools,
# and the static libraries linked into the kernel.
PACKAGES = ('gcc', 'binutils', 'meson', 'ninja-build', 'python3',
            'grub-common', 'grub-pc-bin', 'grub-efi-amd64-bin', 'xorriso', 'mtools',
            'libb2-dev', 'libtcc-dev')


class BuildInfoError(Exception):
    pass


def _run(cmd, cwd=None):
    """stdout of cmd, stripped, or None if it cannot run or fails."""
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL='C'))
    except OSError:
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def _git(root, *args):
    """Run git in root, but only if root is the top of a git checkout (not
    a plain tree that happens to sit inside someone else's checkout)."""
    top = _run(['git', '-C', root, 'rev-parse', '--show-toplevel'])
    if top is None or os.path.realpath(top) != os.path.realpath(root):
        return None
    return _run(['git', '-C', root] + list(args))


def source_date_epoch(root=ROOT, environ=None):
    """(epoch, origin): origin is 'environment', 'git' or 'fallback'."""
    environ = os.environ if environ is None else environ
    text, origin = environ.get('SOURCE_DATE_EPOCH'), 'environment'
    if text is None:
        text, origin = _git(root, 'log', '-1', '--format=%ct'), 'git'
    if not text:
        return FALLBACK_EPOCH, 'fallback'
    if not re.fullmatch(r'[0-9]+', text):
        raise BuildInfoError('SOURCE_DATE_EPOCH %r (from %s) is not a number of seconds'
                             % (text, origin))
    epoch = int(text)
    if not EPOCH_MIN <= epoch < EPOCH_MAX:
        raise BuildInfoError('SOURCE_DATE_EPOCH %d (from %s) is outside 1980..2099, '
                             'which the FAT of the EFI boot image cannot record'
                             % (epoch, origin))
    return epoch, origin


def git_state(root=ROOT):
    """(commit or None, 'clean' or 'modified' or None)."""
    commit = _git(root, 'rev-parse', 'HEAD')
    if commit is None:
        return None, None
    # Untracked files (a build directory inside the tree) do not count.
    changes = _git(root, 'status', '--porcelain', '--untracked-files=no')
    return commit, ('modified' if changes else 'clean')


def abi_version(root=ROOT):
    """'MAJOR.MINOR' from abi/karyon/abi.h."""
    with open(os.path.join(root, 'abi', 'karyon', 'abi.h')) as f:
        text = f.read()
    parts = []
    for which in ('MAJOR', 'MINOR'):
        m = re.search(r'^#define\s+KR_ABI_%s\s+(\d+)\s*$' % which, text, re.M)
        if not m:
            raise BuildInfoError('abi/karyon/abi.h: no #define KR_ABI_%s' % which)
        parts.append(m.group(1))
    return '.'.join(parts)


def package_versions(packages=PACKAGES):
    """{package: version} from dpkg; 'not-installed', or 'unknown' off Debian."""
    packages = list(packages)
    major = _run(['gcc', '-dumpversion'])
    if major and re.fullmatch(r'[0-9]+', major):
        packages.append('gcc-' + major)
    try:
        # Exit status 1 when some package is missing; the others still print.
        r = subprocess.run(['dpkg-query', '-W', '-f', '${Package} ${Version}\\n'] + packages,
                           capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
    except OSError:
        return {p: 'unknown' for p in packages}
    found = {}
    for line in r.stdout.splitlines():
        name, _, version = line.partition(' ')
        found.setdefault(name, version or 'not-installed')
    return {p: found.get(p, 'not-installed') for p in packages}


def render(profile, cmdline, options, epoch, epoch_origin, commit, tree, packages):
    """The text of BUILDINFO.  options: {key: value}; packages: {name: version}."""
    for what, text in [('profile', profile), ('cmdline', cmdline)] + sorted(options.items()):
        if '\n' in text:
            raise BuildInfoError('%s %r holds a line break' % (what, text))
    lines = ['# BUILDINFO: how this Karyon image was built (tools/buildinfo.py).',
             'format 1',
             'profile %s' % profile,
             'cmdline %s' % cmdline,
             'source-date-epoch %d' % epoch,
             'source-date-epoch-from %s' % epoch_origin,
             'git-commit %s' % (commit or 'none')]
    if tree:
        lines.append('git-tree %s' % tree)
    lines += ['option %s=%s' % kv for kv in sorted(options.items())]
    lines += ['package %s %s' % kv for kv in sorted(packages.items())]
    return '\n'.join(lines) + '\n'


def parse_option(text):
    """'KEY=VALUE' -> (KEY, VALUE), for argparse."""
    key, sep, value = text.partition('=')
    if not sep or not re.fullmatch(r'[A-Za-z0-9_.-]+', key):
        raise argparse.ArgumentTypeError('expected KEY=VALUE, not %r' % text)
    return key, value


def buildinfo(profile, cmdline, options, root=ROOT, epoch=None):
    """BUILDINFO for this machine and source tree; epoch: (epoch, origin)."""
    epoch, origin = epoch or source_date_epoch(root)
    commit, tree = git_state(root)
    return render(profile, cmdline, dict(options), epoch, origin, commit, tree,
                  package_versions())


def write_if_changed(path, text):
    """Write text to path unless it is there already (so make-style
    dependents rebuild only when it changes)."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, 'w') as f:
        f.write(text)


def write_stamp(path, root=ROOT):
    """Write what a new commit changes to path, if it differs from what is there."""
    epoch, origin = source_date_epoch(root)
    commit, tree = git_state(root)
    write_if_changed(path, 'source-date-epoch %d\nsource-date-epoch-from %s\ngit-commit %s\n'
                     'git-tree %s\n' % (epoch, origin, commit or 'none', tree or 'none'))


def main():
    ap = toolargs.ArgumentParser(prog='buildinfo.py', description=__doc__.splitlines()[0])
    ap.add_argument('--profile', default='none', help='the profile name to record (default: none)')
    ap.add_argument('--cmdline', default='', help='the kernel command line to record')
    ap.add_argument('--option', type=parse_option, action='append', default=[],
                    metavar='KEY=VALUE', help='a build option to record (repeatable)')
    ap.add_argument('--stamp', metavar='FILE',
                    help='write the source stamp (commit and SOURCE_DATE_EPOCH) to FILE, if it differs')
    ap.add_argument('--epoch-header', metavar='FILE',
                    help='write "#define KARYON_EPOCH N" to FILE, if it differs')
    a = ap.parse_args()
    ap.check_output(a.stamp, a.epoch_header)
    try:
        if a.epoch_header:
            write_if_changed(a.epoch_header, '/* generated by tools/buildinfo.py */\n'
                             '#define KARYON_EPOCH %dL\n' % source_date_epoch()[0])
        elif a.stamp:
            write_stamp(a.stamp)
        else:
            sys.stdout.write(buildinfo(a.profile, a.cmdline, a.option))
    except BuildInfoError as e:
        sys.exit('buildinfo: %s' % e)


if __name__ == '__main__':
    main()
