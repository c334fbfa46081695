#!/usr/bin/env python3
"""test_liba_sdk.py - the contract headers (sdk/liba/include), the encoding
helper (sdk/liba/enc.c) and the example contracts (sdk/examples/contracts)
build with gcc and TinyCC, and the examples call nothing a contract may not.

Usage: test_liba_sdk.py [SRCROOT]      (default: this checkout)

The contract VM is not built yet (issue 18), so nothing here runs a
contract; this keeps what contract authors compile against compilable:

  - <liba.h> and <liba_enc.h> compile alone with gcc (strict ISO C11,
    -Wall -Wextra -Werror -pedantic) and with tcc, against the handler
    headers (sdk/handler/include: what the device has in /usr/include);
  - enc.c compiles with gcc freestanding and with tcc, and calls nothing;
  - every example opens with a comment, defines at least one method
    (a global liba_m_NAME), compiles with gcc and with tcc (the options
    `cc` uses on the device), and calls only liba's calls, the encoding
    helper and the pure memory functions (docs/contract-guide.md,
    "Determinism rules").

Needs gcc; without tcc the tcc checks are skipped with a message.
Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..', '..'))
INC = os.path.join(ROOT, 'sdk', 'handler', 'include')
ABI = os.path.join(ROOT, 'abi')
LIBA = os.path.join(ROOT, 'sdk', 'liba', 'include')
ENC = os.path.join(ROOT, 'sdk', 'liba', 'enc.c')
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, 'sdk', 'examples', 'contracts', '*.c')))
EXPECTED = {'token', 'counter', 'escrow', 'registry'}

GCC = ['gcc', '-std=c11', '-pedantic', '-Wall', '-Wextra', '-Werror', '-nostdinc',
       '-isystem', INC, '-I', ABI, '-I', LIBA]
TCC = shutil.which('tcc')
TCC_DEVICE = ['-nostdinc', '-nostdlib', '-fno-common', '-Wall', '-Werror',
              '-I', INC, '-I', ABI, '-I', LIBA]
# What a contract may call besides its own functions: the pure memory
# functions (TinyCC's code calls them for struct copies and zeroing).
MEMORY = {'memcpy', 'memmove', 'memset', 'memcmp'}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def declared(header):
    """The functions a header declares (name before '(' at a line's start)."""
    text = open(os.path.join(LIBA, header)).read()
    return set(re.findall(r'^(?:LIBA_NORETURN\s+)?[a-z][\w ]*?\**\b(liba_\w+)\(', text, re.M))


def symbols(obj):
    """(defined globals, undefined) of an object, from nm."""
    code, out = run(['nm', obj])
    if code:
        return None, None
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in 'TDBR':
            defined.add(parts[2])
    return defined, undefined


def main():
    calls = declared('liba.h')
    helper = declared('liba_enc.h')
    check({'liba_get', 'liba_set', 'liba_del', 'liba_log', 'liba_blake2b', 'liba_ctx',
           'liba_call', 'liba_return', 'liba_revert'} <= calls,
          '<liba.h> declares the calls of docs/contract-guide.md', ' '.join(sorted(calls)))
    check(len(helper) >= 14, '<liba_enc.h> declares the writer and the reader',
          ' '.join(sorted(helper)))
    if not TCC:
        print('SKIP tcc is not installed (apt-get install tcc): the TinyCC checks are skipped')
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, 'o.o')
        for h in ('liba.h', 'liba_enc.h'):
            src = os.path.join(tmp, 'alone.c')
            with open(src, 'w') as f:
                f.write('#include <%s>\ntypedef int kr_probe_t;\n' % h)
            code, out = run(GCC + ['-c', src, '-o', obj])
            check(code == 0, '<%s> compiles alone with gcc' % h, out[:600])
            if TCC:
                code, out = run([TCC] + TCC_DEVICE + ['-c', src, '-o', obj])
                check(code == 0, '<%s> compiles alone with tcc' % h, out[:600])

        code, out = run(GCC + ['-ffreestanding', '-Wconversion', '-c', ENC, '-o', obj])
        check(code == 0, 'enc.c compiles freestanding with gcc', out[:600])
        if code == 0:
            d, u = symbols(obj)
            check(u == set() and helper <= d, 'enc.c calls nothing and defines <liba_enc.h>',
                  'undefined %s, missing %s' % (sorted(u or ()), sorted(helper - (d or set()))))
        if TCC:
            code, out = run([TCC] + TCC_DEVICE + ['-c', ENC, '-o', obj])
            check(code == 0, 'enc.c compiles with tcc', out[:600])

        names = {os.path.basename(p)[:-2] for p in EXAMPLES}
        check(EXPECTED <= names, 'the four example contracts are there',
              'missing %s' % sorted(EXPECTED - names))
        allowed = calls | helper | MEMORY
        for path in EXAMPLES:
            name = os.path.basename(path)
            text = open(path).read()
            check(text.startswith('/*'), '%s opens with a comment' % name)
            check(not re.search(r'\b(float|double|asm|__asm__|__asm)\b', text),
                  '%s uses no floating point and no inline assembly' % name)
            compilers = [('gcc', GCC + ['-c', path, '-o', obj])]
            if TCC:
                compilers.append(('tcc', [TCC] + TCC_DEVICE + ['-c', path, '-o', obj]))
            for cc, cmd in compilers:
                code, out = run(cmd)
                if not check(code == 0, '%s compiles with %s' % (name, cc), out[:800]):
                    continue
                d, u = symbols(obj)
                methods = {s for s in d if s.startswith('liba_m_')}
                check(methods, '%s (%s) defines methods' % (name, cc), 'no liba_m_* global')
                check(u <= allowed, '%s (%s) calls only liba, the helper and %s'
                      % (name, cc, '/'.join(sorted(MEMORY))),
                      'also calls %s' % ' '.join(sorted(u - allowed)))
    finish()


if __name__ == '__main__':
    main()
