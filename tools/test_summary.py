#!/usr/bin/env python3
"""test_summary.py - print "N passed, N failed" from meson's testlog.json.

Usage: test_summary.py build/meson-logs/testlog.json
Exit status 1 if any test failed or none ran.  Skipped tests are listed
separately; expected failures count as passed.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolargs import parser  # noqa: E402

ap = parser('test_summary.py', __doc__)
ap.add_argument('log', metavar='TESTLOG.json', help="meson's test log (build/meson-logs/testlog.json)")
a = ap.parse_args()
passed = failed = skipped = 0
try:
    with open(a.log) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)['result']
            if r in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif r == 'SKIP':
                skipped += 1
            else:
                failed += 1
except OSError as e:
    print('test_summary: %s' % e, file=sys.stderr)
    failed += 1
line = '%d passed, %d failed' % (passed, failed)
if skipped:
    line += ', %d skipped' % skipped
print(line)
sys.exit(1 if failed or not passed else 0)
