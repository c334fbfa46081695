#!/usr/bin/env python3
"""test_modpost.py - `./karyon module` refuses a module whose undefined
symbols the loader could not resolve (tools/modpost.py), naming them.

Usage: test_modpost.py SRCROOT

In a temporary directory: builds modules/hello (it exports hello_greet),
then a copy of modules/hello_user that calls hello_greetx instead, which
neither the ABI export table nor hello has; a module calling an undefined
kr_ function; and the real hello_user, found through hello.kmod beside the
output and through --dep.  Needs the compiler packages, not a build
directory.  Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT = sys.argv[1]
KARYON = os.path.join(ROOT, 'karyon')
HELLO = os.path.join(ROOT, 'modules', 'hello', 'hello.c')
HELLO_USER = os.path.join(ROOT, 'modules', 'hello_user', 'hello_user.c')
WANT = ('karyon: module: %s: undefined symbol %s (not in the ABI export table or in a '
        'declared dependency%s)')


def karyon_module(cwd, *args):
    env = dict(os.environ, KARYON_BUILD=os.path.join(cwd, 'no-build'))   # no build dir
    r = subprocess.run([KARYON, 'module'] + list(args), cwd=cwd, capture_output=True,
                       text=True, env=env)
    return r.returncode, r.stderr


with tempfile.TemporaryDirectory() as tmp:
    deps = os.path.join(tmp, 'deps')
    os.mkdir(deps)
    rc, err = karyon_module(deps, HELLO)
    check(rc == 0, 'hello builds', 'rc %d, %r' % (rc, err))

    # hello_user calling hello_greetx: refused, named, nothing written.
    with open(HELLO_USER) as f:
        src = f.read().replace('hello_greet', 'hello_greetx')
    bad = os.path.join(deps, 'bad_user.c')
    with open(bad, 'w') as f:
        f.write(src)
    rc, err = karyon_module(deps, bad)
    want = WANT % ('./bad_user.kmod', 'hello_greetx', ': hello')
    check(rc == 1 and err.strip() == want, 'an undefined function is named',
          'rc %d, stderr %r, expected %r' % (rc, err, want))
    check(not os.path.exists(os.path.join(deps, 'bad_user.kmod')), 'nothing written')

    # The user's file at the output is left as it was.
    mine = os.path.join(deps, 'mine.kmod')
    with open(mine, 'wb') as f:
        f.write(b'the user\'s own file')
    rc, err = karyon_module(deps, bad, '-o', mine)
    with open(mine, 'rb') as f:
        check(rc == 1 and f.read() == b'the user\'s own file', 'an existing output is kept',
              'rc %d, %r' % (rc, err))

    # An undefined kr_ function in a module without dependencies.
    plain = os.path.join(tmp, 'plain.c')
    with open(plain, 'w') as f:
        f.write('#include <karyon/module.h>\n'
                'kr_err_t kr_nothing_here(void);\n'
                'static kr_err_t plain_init(kr_domain_t *self)\n'
                '{ (void)self; return kr_nothing_here(); }\n'
                'KR_MODULE(.name = "plain", .version = KR_VERSION(1, 0, 0), .init = plain_init);\n')
    rc, err = karyon_module(tmp, plain)
    want = WANT % ('./plain.kmod', 'kr_nothing_here', '')
    check(rc == 1 and err.strip() == want, 'an undefined kr_ function is named',
          'rc %d, stderr %r, expected %r' % (rc, err, want))

    # The real hello_user: hello.kmod beside the output, or given with --dep.
    rc, err = karyon_module(deps, HELLO_USER)
    check(rc == 0 and os.path.isfile(os.path.join(deps, 'hello_user.kmod')),
          'hello_user builds beside hello.kmod', 'rc %d, %r' % (rc, err))
    other = os.path.join(tmp, 'other')
    os.mkdir(other)
    rc, err = karyon_module(other, HELLO_USER)
    check(rc == 1 and 'undefined symbol hello_greet (' in err and
          'hello.kmod not found, give it with --dep' in err,
          'without hello.kmod it says where to give it', 'rc %d, %r' % (rc, err))
    rc, err = karyon_module(other, HELLO_USER, '--dep', os.path.join(deps, 'hello.kmod'))
    check(rc == 0, 'hello_user builds with --dep hello.kmod', 'rc %d, %r' % (rc, err))
    rc, err = karyon_module(other, HELLO_USER, '--dep', os.path.join(deps, 'hello_user.kmod'))
    check(rc != 0 and 'which hello_user does not declare as a dependency' in err,
          '--dep of a module it does not depend on is refused', 'rc %d, %r' % (rc, err))
    shutil.rmtree(other)

finish()
