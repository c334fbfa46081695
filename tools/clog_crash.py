#!/usr/bin/env python3
"""clog_crash.py - the commit log's crash campaign at length: QEMU killed
(SIGKILL) at N random points while the shell writes numbered files; after
every reboot the files must be exactly a prefix of the writes, holding
every acknowledged one, and `ledger verify` must pass (the suite's
clog-crash case is this with 50 kills; docs/reliability.md has the runs).

Usage: clog_crash.py [--kernel build/core/karyon-dev.elf] [--kills N] [--seed S]
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import toolargs  # noqa: E402


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the dev ISO')
    ap.add_argument('--kills', type=int, default=200, help='kill points (1..100000)')
    ap.add_argument('--seed', type=int, default=2026, help='the campaign\'s random seed')
    a = ap.parse_args()
    if not 1 <= a.kills <= 100000:
        print('clog_crash.py: --kills takes 1..100000', file=sys.stderr)
        return 2
    os.environ['KARYON_KERNEL'] = os.path.abspath(a.kernel)
    os.environ['CLOG_KILLS'] = str(a.kills)
    os.environ['CLOG_SEED'] = str(a.seed)
    import test_clog    # noqa: E402 (reads KARYON_KERNEL when imported)
    try:
        test_clog.clog_crash()
    except AssertionError as e:
        print('clog_crash.py: FAILED: %s' % str(e).splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
