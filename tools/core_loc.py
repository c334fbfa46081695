#!/usr/bin/env python3
"""core_loc.py - count the lines of code in core/ against its budget.

Usage: core_loc.py [--check] [--stamp FILE] [CORE_DIR]
Counts lines of C, headers, assembly and linker script that are neither
blank nor comment.  With --check, exits 1 when the count passes the budget.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402

BUDGET = 3000


def code_lines(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return sum(1 for line in text.splitlines()
               if line.split('//', 1)[0].strip())


def main():
    ap = parser('core_loc.py', __doc__)
    ap.add_argument('--check', action='store_true',
                    help='exit 1 when the count passes the budget (%d lines)' % BUDGET)
    ap.add_argument('--stamp', metavar='FILE', help='also write the count line to FILE')
    ap.add_argument('core', metavar='CORE_DIR', nargs='?',
                    default=os.path.join(os.path.dirname(__file__), '..', 'core'),
                    help='the directory to count (default: core/ beside tools/)')
    a = ap.parse_args()
    ap.check_output(a.stamp)
    stamp, core = a.stamp, a.core
    total = 0
    for dirpath, _, files in sorted(os.walk(core)):
        for name in sorted(files):
            if name.endswith(('.c', '.h', '.S', '.ld')):
                with open(os.path.join(dirpath, name)) as f:
                    total += code_lines(f.read())
    line = 'core/: %d lines of code (budget %d)' % (total, BUDGET)
    print(line)
    if stamp:
        with open(stamp, 'w') as f:
            f.write(line + '\n')
    if a.check and total > BUDGET:
        print('core/ is over budget: move policy out into a module', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
