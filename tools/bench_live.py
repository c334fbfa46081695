#!/usr/bin/env python3
"""bench_live.py - what replacing the vfs live costs, in guest instructions.

Usage: bench_live.py [--kernel build/core/karyon-dev.elf] [--files 1000]

Boots the dev image under QEMU's -icount shift=0 (the TSC counts guest
instructions) with a fresh virtio disk (the commit log on, so the vfs's
state holds the commit log's genesis view too), the build's
tests/livetest modules and a copy of vfs.kmod one patch version up, then:

  1. replaces the built-in vfs live (`update vfs ... --live`): the pause
     callers see with the initrd's files only;
  2. writes FILES files through the vfs service (liveuse's writer task,
     each a commit);
  3. replaces it live again: the pause with FILES more files.

The pause is kmod's: from the moment the services point at the relay
(callers wait) to the end of the handover, as `update` prints it.  The
hand-over cost per file is the difference of the two pauses over FILES.

A benchmark, not a test: it exits 1 only if a figure is not printed.
Figures go to docs/benchmarks.md.
"""
import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import toolargs  # noqa: E402

PAUSE = re.compile(r'replaced live: (\d+) services and (\d+) bytes of state handed over, '
                   r'callers paused (\d+) TSC ticks')


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'core', 'karyon-dev.elf'),
                    help='the dev kernel; its build directory has the modules and tests')
    ap.add_argument('--files', type=int, default=1000, help='files written between (1..4000)')
    a = ap.parse_args()
    if not 1 <= a.files <= 4000:
        print('bench_live.py: --files 1..4000', file=sys.stderr)
        return 2
    os.environ['KARYON_KERNEL'] = os.path.abspath(a.kernel)
    import kqemu  # noqa: E402
    from test_clog import disk_args, new_disk  # noqa: E402
    import test_live  # noqa: E402
    from test_update import BUILD, PROMPT, sh  # noqa: E402

    figures = []
    with tempfile.TemporaryDirectory() as d:
        nxt, v = test_live.next_version(d, 'vfs')
        iso = test_live.make_iso(d, [('/t/vfs_next.kmod', nxt),
                                     ('/lib/modules/vfs.kmod',
                                      os.path.join(BUILD, 'modules', 'vfs.kmod'))])
        try:
            with kqemu.Machine(a.kernel, 'bios', iso=iso, icount=True,
                               extra=disk_args(new_disk(d))) as m:
                m.wait_for(re.escape(PROMPT), 300)
                for n in ('livetest', 'liveuser'):
                    sh(m, 'insmod /lib/modules/%s.kmod' % n, 300)
                out = sh(m, 'update vfs /t/vfs_next.kmod --live --probation 1', 600)
                figures.append(PAUSE.search(out))
                sh(m, 'liveuse write %d /bench' % a.files, 300)
                for _ in range(3600):
                    time.sleep(1)
                    out = sh(m, 'liveuse writes', 300)
                    if 'done' in out:
                        break
                if not re.search(r'writes: %d ok, 0 failed' % a.files, out):
                    print('bench_live.py: the writer: %s' % out.strip(), file=sys.stderr)
                    return 1
                out = sh(m, 'update vfs /lib/modules/vfs.kmod --live --probation 1', 600)
                figures.append(PAUSE.search(out))
        except kqemu.KqemuError as e:
            print('bench_live.py: %s' % str(e).splitlines()[0], file=sys.stderr)
            return 1
    if not all(figures):
        print('bench_live.py: no pause figure in update\'s output', file=sys.stderr)
        return 1
    (s0, b0, p0), (s1, b1, p1) = [tuple(int(x) for x in f.groups()) for f in figures]
    print('-icount shift=0 (1 TSC tick = 1 guest instruction):')
    print('vfs replaced live, initrd only:      pause %d instructions, %d bytes of state, '
          '%d services' % (p0, b0, s0))
    print('vfs replaced live, %d files more:  pause %d instructions, %d bytes of state'
          % (a.files, p1, b1))
    print('hand-over cost per file: %d instructions, %d bytes of state'
          % ((p1 - p0) // a.files, (b1 - b0) // a.files))
    return 0


if __name__ == '__main__':
    sys.exit(main())
