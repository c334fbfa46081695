"""checks.py - the PASS/FAIL lines the tool tests print, and their tally.

    from checks import check, finish
    check(cond, 'name', 'what went wrong')     # returns cond
    finish()                                   # summary line; exit status
"""
import sys

_failures = 0


def check(cond, name, detail=''):
    global _failures
    print('%s %s%s' % ('PASS' if cond else 'FAIL', name, '' if cond else ': ' + detail))
    if not cond:
        _failures += 1
    return cond


def failures():
    return _failures


def finish():
    print('%d check(s) failed' % _failures if _failures else 'all checks passed')
    sys.exit(1 if _failures else 0)
