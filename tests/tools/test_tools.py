#!/usr/bin/env python3
"""test_tools.py - every tools/*.py and tools/*.sh has a real interface.

Usage: test_tools.py SOURCE_ROOT

For each script (a tools/*.py without a #! line is a library and is
skipped, saying so), run in an empty directory:
  - `SCRIPT --help`: exit 0, a usage line, and for every option the usage
    names, a line that starts with it and says what it does;
  - `SCRIPT --no-such-option`: exit 2, exactly one line on stderr, no
    Python traceback;
and neither run leaves a file behind (`mkiso.py --help` once made a file
named "--help").  Then ./karyon: a mistyped verb is answered with the
nearest one, a bad option of run with one line.
"""
import os
import re
import subprocess
import sys
import tempfile

BOGUS = '--no-such-option'


def command(path):
    return [sys.executable, path] if path.endswith('.py') else ['sh', path]


def described(help_text, opt):
    """Some line starts with opt (after spaces, maybe after its short form)
    and is followed on it or on the next line by words."""
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'\s+(?:-\w, )?%s\b(.*)$' % re.escape(opt), line)
        if not m:
            continue
        rest = re.sub(r'^(?:[ =][A-Z][\w.,\[\]=|-]*|\s\{[^}]*\})*', '', m.group(1))
        if re.search(r'[a-z]{2,}', rest):
            return True
        if i + 1 < len(lines) and re.match(r'\s{4,}.*[a-z]{2,}', lines[i + 1]):
            return True
    return False


def check(path):
    problems = []
    name = os.path.relpath(path)
    with tempfile.TemporaryDirectory(prefix='tooltest-') as cwd:
        h = subprocess.run(command(path) + ['--help'], cwd=cwd, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        b = subprocess.run(command(path) + [BOGUS], cwd=cwd, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        left = os.listdir(cwd)
    if h.returncode != 0:
        problems.append('--help exits %d: %s' % (h.returncode, (h.stdout + h.stderr)[-300:]))
    usage = re.search(r'^usage:(.*(?:\n {6,}.*)*)', h.stdout, re.M | re.I)
    if not usage:
        problems.append('--help prints no "usage:" line')
    else:
        for opt in sorted(set(re.findall(r'\[(--[\w-]+)', usage.group(1)))):
            if opt != '--help' and not described(h.stdout, opt):
                problems.append('--help does not say what %s does' % opt)
    err = b.stderr.strip('\n')
    if b.returncode != 2:
        problems.append('%s exits %d, not 2' % (BOGUS, b.returncode))
    if 'Traceback' in b.stderr or 'Traceback' in h.stderr:
        problems.append('prints a Python traceback:\n' + (b.stderr or h.stderr))
    elif not err or '\n' in err:
        problems.append('%s: expected one line on stderr, got %r' % (BOGUS, b.stderr))
    if left:
        problems.append('left files behind in its directory: %s' % ', '.join(sorted(left)))
    return ['%s: %s' % (name, p) for p in problems]


def check_karyon(root):
    """./karyon: a mistyped verb gets the nearest one; a bad run option one line."""
    karyon = os.path.join(os.path.abspath(root), 'karyon')
    problems = []
    for args, want in ((['biuld'], "unknown verb 'biuld'; did you mean 'build'?"),
                       (['modul'], "did you mean 'module'?"),
                       (['run', '--frob'], 'karyon: run: unknown option --frob'),
                       (['run', '--boot'], 'karyon: run: --boot loads the --module files at boot')):
        r = subprocess.run([karyon] + args, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        if r.returncode == 0 or want not in r.stderr:
            problems.append('karyon %s: expected %r and a failure, got exit %d, %r'
                            % (' '.join(args), want, r.returncode, r.stderr[-300:]))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    tools = os.path.join(os.path.abspath(root), 'tools')
    problems, n = [], 0
    for f in sorted(os.listdir(tools)):
        path = os.path.join(tools, f)
        if f.endswith('.py'):
            with open(path) as fh:
                if not fh.readline().startswith('#!'):
                    print('skip %s: a library (no #! line), no command line' % f)
                    continue
        elif not f.endswith('.sh'):
            continue
        n += 1
        problems += check(path)
    problems += check_karyon(root)
    for p in problems:
        print('FAIL ' + p)
    print('%d scripts, %d problems' % (n, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
