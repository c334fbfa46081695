#!/usr/bin/env python3
"""test_reproducible.py - tools/mkiso.py makes the same ISO, byte for byte,
from the same inputs, and the MANIFEST and BUILDINFO inside describe it.

Usage: test_reproducible.py SRCROOT KERNEL MODULE_MANIFEST PROFILE.conf KMOD...

Two runs of mkiso.py build the profile's image from copies of the inputs
in differently named directories, from different working directories,
with different TMPDIRs (so mkiso's staging directory differs too),
umasks, time zones and locales, at least a second apart; the ISOs must be
identical.
A third run with SOURCE_DATE_EPOCH set must record that date instead.  The
first ISO is then extracted with xorriso: every file MANIFEST lists must be
there with its digest and size, every file mkiso staged must be listed,
the module versions and ABI must be the modules' and abi.h's, BUILDINFO
must name the profile and SOURCE_DATE_EPOCH, and every date in the image
must be SOURCE_DATE_EPOCH.

This proves mkiso is reproducible for given inputs, not that compiling the
kernel is: that needs two source trees at different paths (see mkiso.py).
Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT, KERNEL, MODULE_MANIFEST, PROFILE = (os.path.abspath(p) for p in sys.argv[1:5])
KMODS = [os.path.abspath(p) for p in sys.argv[5:]]
MKISO = os.path.join(ROOT, 'tools', 'mkiso.py')
FALLBACK_EPOCH = 1704067200     # tools/buildinfo.py: outside a git checkout
OTHER_EPOCH = 1700000000        # the third run's SOURCE_DATE_EPOCH




def digest(path):
    with open(path, 'rb') as f:
        return hashlib.blake2b(f.read(), digest_size=32).hexdigest()


def expected_epoch():
    """What SOURCE_DATE_EPOCH mkiso should use with none in the environment."""
    try:
        top = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--show-toplevel'],
                             capture_output=True, text=True)
        if top.returncode == 0 and os.path.realpath(top.stdout.strip()) == os.path.realpath(ROOT):
            return int(subprocess.run(['git', '-C', ROOT, 'log', '-1', '--format=%ct'],
                                      capture_output=True, text=True, check=True).stdout)
    except OSError:
        pass
    return FALLBACK_EPOCH


def read_profile(path):
    conf = {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if '=' in line:
                key, val = (s.strip() for s in line.split('=', 1))
                conf[key] = val
    return conf


def abi_version():
    with open(os.path.join(ROOT, 'abi', 'karyon', 'abi.h')) as f:
        text = f.read()
    return '%s.%s' % tuple(re.search(r'#define\s+KR_ABI_%s\s+(\d+)' % w, text).group(1)
                           for w in ('MAJOR', 'MINOR'))


def build(run_dir, relative, umask, environ):
    """Copy the inputs into run_dir, run mkiso there; (ISO path, stdout)."""
    inputs = os.path.join(run_dir, 'inputs')
    os.makedirs(os.path.join(inputs, 'modules'))
    tmpdir = os.path.join(run_dir, 'tmp')
    os.makedirs(tmpdir)
    shutil.copyfile(KERNEL, os.path.join(inputs, 'karyon.elf'))
    shutil.copyfile(MODULE_MANIFEST, os.path.join(inputs, 'MANIFEST'))
    shutil.copyfile(PROFILE, os.path.join(inputs, os.path.basename(PROFILE)))
    for k in KMODS:
        shutil.copyfile(k, os.path.join(inputs, 'modules', os.path.basename(k)))
    base = 'inputs' if relative else inputs
    out = os.path.join(run_dir, 'out', 'karyon.iso')
    os.makedirs(os.path.dirname(out))
    cmd = [sys.executable, MKISO,
           '--kernel', os.path.join(base, 'karyon.elf'),
           '--profile', os.path.join(base, os.path.basename(PROFILE)),
           '--module-dir', os.path.join(base, 'modules'),
           '--manifest', os.path.join(base, 'MANIFEST'), '--enforcement', 'permissive',
           '--buildinfo-option', 'module_enforcement=permissive',
           '--out', 'out/karyon.iso' if relative else out]
    env = dict(environ, TMPDIR=tmpdir)
    r = subprocess.run(cmd, cwd=run_dir, env=env, capture_output=True, text=True,
                       preexec_fn=lambda: os.umask(umask))
    check(r.returncode == 0, '%s: mkiso exits 0' % os.path.basename(run_dir),
          'exit %d\n%s%s' % (r.returncode, r.stdout, r.stderr))
    return out, r.stdout


def extract(iso, dest):
    r = subprocess.run(['xorriso', '-osirrox', 'on', '-indev', iso, '-extract', '/', dest],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit('xorriso -extract %s failed:\n%s' % (iso, r.stderr))
    # xorriso restores the ISO's read-only modes; make the tree removable.
    for dirpath, dirnames, _files in os.walk(dest):
        os.chmod(dirpath, stat.S_IRWXU)
    return dest


def tree_digests(top):
    out = {}
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, top)] = digest(path)
    return out


def first_difference(a, b):
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        da, db = fa.read(), fb.read()
    if len(da) != len(db):
        return 'sizes %d and %d' % (len(da), len(db))
    off = next(i for i in range(len(da)) if da[i] != db[i])
    return 'first difference at byte %d (sector %d)' % (off, off // 2048)


def pvd_dates(iso):
    r = subprocess.run(['xorriso', '-indev', iso, '-pvd_info'], capture_output=True, text=True)
    return dict(re.findall(r'^(Creation|Modif\.) Time\s*:\s*(\d+)$', r.stdout, re.M))


def main():
    work = tempfile.mkdtemp(prefix='karyon-reproducible-')
    try:
        run(work)
    finally:
        shutil.rmtree(work)
    finish()


def run(work):
    epoch = expected_epoch()
    date = time.strftime('%Y%m%d%H%M%S00', time.gmtime(epoch))
    clean_env = {k: v for k, v in os.environ.items() if k != 'SOURCE_DATE_EPOCH'}
    conf = read_profile(PROFILE)
    profile = os.path.basename(PROFILE)[:-5]

    # -- two builds that differ in everything but their inputs ------------------
    iso_a, out_a = build(os.path.join(work, 'a'), True, 0o022, clean_env)
    time.sleep(1.1)
    iso_b, out_b = build(os.path.join(work, 'second-run-in-a-longer-directory'), False,
                         0o077, dict(clean_env, TZ='IST-5:30', LC_ALL='C.UTF-8'))
    if not (os.path.exists(iso_a) and os.path.exists(iso_b)):
        return
    with open(iso_a, 'rb') as fa, open(iso_b, 'rb') as fb:
        same = fa.read() == fb.read()
    if not check(same, 'the two ISOs are byte-identical',
                 '' if same else first_difference(iso_a, iso_b)):
        ta = tree_digests(extract(iso_a, os.path.join(work, 'tree-a')))
        tb = tree_digests(extract(iso_b, os.path.join(work, 'tree-b')))
        differ = sorted(p for p in set(ta) | set(tb) if ta.get(p) != tb.get(p))
        print('  files that differ: %s' % (', '.join(differ) or 'none (the ISO structure does)'))

    # -- the payload line -------------------------------------------------------
    boot_modules = conf.get('boot_modules', '').split()
    kmod_by_name = {os.path.basename(k)[:-5]: k for k in KMODS}
    want_modules = sum(os.path.getsize(kmod_by_name[n]) for n in boot_modules
                       if n in kmod_by_name)
    want_manifest = len('mode permissive\n') + os.path.getsize(MODULE_MANIFEST)
    want_kernel = os.path.getsize(KERNEL)
    # This test builds without --initrd.  The release manifest (the ISO's
    # MANIFEST, shipped as the last boot module) is checked below.
    tree = extract(iso_a, os.path.join(work, 'tree'))
    want_release = os.path.getsize(os.path.join(tree, 'MANIFEST'))
    want = ('karyon.iso: payload %d bytes (kernel %d, modules %d, manifest %d, initrd 0, '
            'release %d)' % (want_kernel + want_modules + want_manifest + want_release,
                             want_kernel, want_modules, want_manifest, want_release))
    check(want in out_a.splitlines(), 'mkiso prints the payload', 'want %r, got %r' % (want, out_a))

    # -- what is inside -----------------------------------------------------------
    manifest_path = os.path.join(tree, 'MANIFEST')
    if not check(os.path.isfile(manifest_path), 'MANIFEST at the ISO root'):
        return
    with open(manifest_path) as f:
        manifest = f.read().splitlines()
    listed = {}
    modules = {}
    for line in manifest:
        w = line.split()
        if w and w[0] == 'file':
            listed[w[4]] = (w[2], int(w[3]))
        elif w and w[0] == 'module':
            modules[w[1]] = (w[2], w[3], w[4])
    check(('abi %s' % abi_version()) in manifest, 'MANIFEST gives the ABI version',
          'no "abi %s" line' % abi_version())
    for rel, (hexdigest, size) in sorted(listed.items()):
        path = os.path.join(tree, rel)
        ok = os.path.isfile(path) and digest(path) == hexdigest and os.path.getsize(path) == size
        check(ok, 'MANIFEST: %s digest and size match the file in the ISO' % rel,
              'missing' if not os.path.isfile(path) else 'differs')
    staged = ['BUILDINFO', 'boot/karyon.elf', 'boot/grub/grub.cfg']
    staged += ['boot/modules/' + n
               for n in sorted(os.listdir(os.path.join(tree, 'boot', 'modules')))]
    unlisted = [p for p in staged if p not in listed]
    check(not unlisted, 'MANIFEST lists every file mkiso staged', ', '.join(unlisted))
    check(listed.get('boot/karyon.elf', ('',))[0] == digest(KERNEL),
          'MANIFEST: the kernel is the one given', 'digest differs from %s' % KERNEL)
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from modinfo import modinfo
    for name in boot_modules:
        info = modinfo(kmod_by_name[name])
        got = modules.get('boot/modules/' + name)
        check(got == (info['name'], info['version'], info['abi']),
              'MANIFEST: module %s %s (ABI %s)' % (info['name'], info['version'], info['abi']),
              'got %r' % (got,))

    with open(os.path.join(tree, 'BUILDINFO')) as f:
        info = f.read().splitlines()
    for line in ('profile %s' % profile, 'source-date-epoch %d' % epoch,
                 'cmdline %s' % conf.get('cmdline', ''), 'option module_enforcement=permissive'):
        check(line in info, 'BUILDINFO: "%s"' % line, '\n'.join(info))
    for text, what in (('\n'.join(manifest), 'MANIFEST'), ('\n'.join(info), 'BUILDINFO')):
        check(work not in text and ROOT not in text, '%s names no build path' % what)

    dates = pvd_dates(iso_a)
    check(dates == {'Creation': date, 'Modif.': date},
          'the volume dates are SOURCE_DATE_EPOCH (%s)' % date, repr(dates))
    wrong = [os.path.relpath(os.path.join(d, n), tree)
             for d, _dirs, files in os.walk(tree) for n in files
             if int(os.lstat(os.path.join(d, n)).st_mtime) != epoch]
    check(not wrong, 'every file in the ISO is dated SOURCE_DATE_EPOCH',
          '%d are not, e.g. %s' % (len(wrong), ', '.join(wrong[:5])))

    # -- the environment's SOURCE_DATE_EPOCH wins ---------------------------------
    if epoch == OTHER_EPOCH:
        return
    iso_c, _ = build(os.path.join(work, 'c'), True, 0o022,
                     dict(clean_env, SOURCE_DATE_EPOCH=str(OTHER_EPOCH)))
    if not os.path.exists(iso_c):
        return
    tree_c = extract(iso_c, os.path.join(work, 'tree-c'))
    with open(os.path.join(tree_c, 'BUILDINFO')) as f:
        info_c = f.read().splitlines()
    check('source-date-epoch %d' % OTHER_EPOCH in info_c and
          'source-date-epoch-from environment' in info_c,
          'SOURCE_DATE_EPOCH from the environment is used', '\n'.join(info_c))
    other = time.strftime('%Y%m%d%H%M%S00', time.gmtime(OTHER_EPOCH))
    check(pvd_dates(iso_c).get('Modif.') == other,
          'the volume date follows the environment\'s SOURCE_DATE_EPOCH', repr(pvd_dates(iso_c)))


if __name__ == '__main__':
    main()
