#!/usr/bin/env python3
"""test_sdk_example.py - the SDK example builds out of tree with
`./karyon module` and is what docs/module-guide.md shows.

Usage: test_sdk_example.py SRCROOT

Builds sdk/examples/minimal.c into a temporary directory (with -o, and with
the default output name from there as the working directory), checks the
modinfo listing the verb prints against the source, builds a module from two
C files (the `ld -r` path), and checks that the guide shows the example in
full.  Needs the compiler packages installed, not root.
Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402
from kmodsrc import FIELDS, abi_version, expected_from_source, parse_listing  # noqa: E402

ROOT = sys.argv[1]
KARYON = os.path.join(ROOT, 'karyon')
EXAMPLE = os.path.join(ROOT, 'sdk', 'examples', 'minimal.c')
GUIDE = os.path.join(ROOT, 'docs', 'module-guide.md')




def karyon_module(cwd, *args):
    r = subprocess.run([KARYON, 'module'] + list(args), cwd=cwd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


want = expected_from_source(EXAMPLE)
want['abi'] = abi_version(ROOT)

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'minimal.kmod')
    rc, stdout, stderr = karyon_module(tmp, EXAMPLE, '-o', out)
    check(rc == 0 and os.path.isfile(out), 'karyon module -o builds the example',
          'rc %d, stderr %r' % (rc, stderr))
    got = parse_listing(stdout)[0]
    check(list(got) == FIELDS, 'the verb prints the modinfo listing', repr(stdout))
    for field in ('name', 'version', 'description', 'license', 'author', 'abi',
                  'depends', 'exports'):
        check(got.get(field) == want[field], 'minimal: %s' % field,
              'got %r, expected %r' % (got.get(field), want[field]))
    check(got.get('filename') == out, 'minimal: filename', repr(got.get('filename')))
    if os.path.isfile(out):
        check(got.get('size') == '%d bytes' % os.path.getsize(out), 'minimal: size',
              repr(got.get('size')))
    check(os.listdir(tmp) == ['minimal.kmod'], 'nothing but the module left behind',
          repr(os.listdir(tmp)))

    # Default output: ./BASENAME.kmod in the working directory.
    sub = os.path.join(tmp, 'default')
    os.mkdir(sub)
    rc, stdout, stderr = karyon_module(sub, EXAMPLE)
    check(rc == 0 and os.listdir(sub) == ['minimal.kmod'], 'default output ./minimal.kmod',
          'rc %d, %r, %r' % (rc, os.listdir(sub), stderr))

    # Two C files merged with ld -r: the descriptor from one, the export from the other.
    two = os.path.join(tmp, 'two')
    os.mkdir(two)
    with open(os.path.join(two, 'main.c'), 'w') as f:
        f.write('#include <karyon/module.h>\n'
                'KR_MODULE(.name = "two", .version = KR_VERSION(0, 1, 2));\n')
    with open(os.path.join(two, 'helper.c'), 'w') as f:
        f.write('#include <karyon/module.h>\n'
                'int two_helper(int x);\n'
                'int two_helper(int x) { return x + 1; }\n'
                'KR_EXPORT(two_helper);\n')
    rc, stdout, stderr = karyon_module(two, 'main.c', 'helper.c')
    got = parse_listing(stdout)[0]
    check(rc == 0 and got.get('name') == 'two' and got.get('version') == '0.1.2' and
          got.get('exports') == 'two_helper', 'two files merge into ./main.kmod',
          'rc %d, %r, %r' % (rc, stdout, stderr))
    check(sorted(os.listdir(two)) == ['helper.c', 'main.c', 'main.kmod'],
          'no object files left behind', repr(os.listdir(two)))

    # A C file without KR_MODULE is refused and its output removed.
    with open(os.path.join(two, 'plain.c'), 'w') as f:
        f.write('int plain(void);\nint plain(void) { return 0; }\n')
    rc, stdout, stderr = karyon_module(two, 'plain.c')
    check(rc == 1 and 'no .kr_module section' in stderr and
          not os.path.exists(os.path.join(two, 'plain.kmod')),
          'a file without KR_MODULE is refused', 'rc %d, %r' % (rc, stderr))

# The guide shows the example in full, so what a newcomer copies is what was built.
with open(EXAMPLE) as f:
    example = f.read()
with open(GUIDE) as f:
    guide = f.read()
check(len(example.splitlines()) <= 30, 'the example is at most 30 lines',
      '%d lines' % len(example.splitlines()))
check('```c\n' + example + '```' in guide, 'docs/module-guide.md shows sdk/examples/minimal.c',
      'copy sdk/examples/minimal.c into the guide\'s first ```c block')

finish()
