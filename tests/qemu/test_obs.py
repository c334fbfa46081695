#!/usr/bin/env python3
"""test_obs.py - channel 0, observability (modules/organelles/obs.c), as a
user meets it on the dev image: the kernel log travels as parcels into
the obs ring, `obs` shows it in order, `obs --raw` is audited offline by
tools/obs_replay.py (which refuses a log with one byte changed), and a log
storm leaves the ring bounded, the drops counted, the kernel working and
the index verifiable.

Usage: test_obs.py CASE...      (test_obs.py --list for the names)

Boots build/images/karyon-dev.iso beside $KARYON_KERNEL.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

PROMPT = 'karyon:/> '
REPLAY = os.path.join(kqemu.ROOT, 'tools', 'obs_replay.py')
TOTALS = re.compile(r'^obs: (\d+) records \((\d+) kept\), (\d+) bytes, dropped-full (\d+), '
                    r'refused (\d+), index ([0-9a-f]{16})$', re.M)


def dev_iso():
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    return os.path.join(build, 'images', 'karyon-dev.iso')


def sh(m, line, timeout=60):
    """What the shell printed for line, up to the next prompt."""
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    return r.group(1)


def replay(m, text, *args):
    """tools/obs_replay.py over text: (exit status, stdout, stderr)."""
    with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
        f.write(text)
    try:
        p = subprocess.run([sys.executable, REPLAY, f.name] + list(args), capture_output=True,
                           text=True, timeout=60)
    finally:
        os.unlink(f.name)
    check(m, 'Traceback' not in p.stderr, 'obs_replay.py: a traceback: %s' % p.stderr)
    return p.returncode, p.stdout, p.stderr


def raw_dump(m, n):
    out = sh(m, 'obs %d --raw' % n, 120)
    check(m, re.search(r'^#O base \d+ [0-9a-f]{16}$', out, re.M) and
          re.search(r'^#O end \d+ [0-9a-f]{16}$', out, re.M), 'no raw dump: %r' % out[-400:])
    return out


def obs_feed():
    with Machine(KERNEL, iso=dev_iso()) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        out = sh(m, 'obs 100000')
        lines = [ln for ln in out.splitlines() if re.match(r'^ *\d+  0   1 ', ln)]
        texts = [ln.split(None, 3)[3] for ln in lines]
        graph = [i for i, t in enumerate(texts) if t.startswith('organelles: channel graph:')]
        check(m, graph, '`obs` lacks the boot line "organelles: channel graph": %r' % out[-600:])
        # Boot messages logged before the module started are there, before it.
        check(m, graph[0] > 0, 'no log line before the organelles module\'s own: %r' % texts[:5])
        check(m, all('\x01' not in t for t in texts) and not any(
            re.match(r'^[0-9a-f]{11}', t) for t in texts), 'a time stamp in the feed: %r' % texts[:5])
        seqs = [int(ln.split()[0]) for ln in lines]
        check(m, seqs == sorted(seqs) and len(set(seqs)) == len(seqs), 'records out of order')
        tot = TOTALS.search(out)
        check(m, tot and int(tot.group(1)) >= len(lines), 'no totals line: %r' % out[-400:])
        check(m, re.search(r'^feed: \d+ log lines, \d+ sent', out, re.M), 'no feed line')
        # A parcel sent on channel 0 from the shell lands in the ring too.
        sh(m, 'send 0 hello-from-the-shell --kind 7')
        check(m, re.search(r'^ *\d+  0   7 hello-from-the-shell$', sh(m, 'obs 5'), re.M),
              'the shell\'s channel 0 parcel is not in the ring')
        # The raw dump, audited offline: the same records.
        out = raw_dump(m, 100000)
        rc, rout, rerr = replay(m, out)
        check(m, rc == 0, 'obs_replay.py refused a good dump: %s' % rerr)
        check(m, re.search(r'^ *\d+  0   1 organelles: channel graph: \d+ channels', rout, re.M),
              'obs_replay.py does not print the boot records: %r' % rout[:400])
        check(m, re.search(r'^end: \d+ records, index [0-9a-f]{16}: verified$', rout, re.M),
              'obs_replay.py did not verify: %r' % rout[-300:])
        replayed = [ln for ln in rout.splitlines() if re.match(r'^ *\d+  0   1 ', ln)]
        shown = {ln.split(None, 3)[0]: ln.split(None, 3)[3] for ln in lines}
        for ln in replayed:
            seq, _, _, text = ln.split(None, 3)
            if seq in shown:
                check(m, shown[seq].rstrip('.') == text[:len(shown[seq].rstrip('.'))],
                      'record %s: `obs` shows %r, obs_replay.py %r' % (seq, shown[seq], text))
        end = re.search(r'^#O end (\d+) ([0-9a-f]{16})$', out, re.M)
        now = TOTALS.search(sh(m, 'obs 0'))
        check(m, now and now.group(6) == end.group(2), 'the dump\'s end index is not the ring\'s')
        # One hex byte changed anywhere in a parcel: refused, saying why.
        ps = [(mm.start(1), mm.end(1)) for mm in re.finditer(r'^#O p ([0-9a-f]+)$', out, re.M)]
        a, b = ps[len(ps) // 2]
        at = a + 40 if b - a > 40 else a + 2
        bad = out[:at] + ('0' if out[at] != '0' else '1') + out[at + 1:]
        rc, _, rerr = replay(m, bad)
        check(m, rc == 1 and len(rerr.strip().splitlines()) == 1 and
              re.search(r'parcel \d+: bad checksum', rerr), 'a changed byte: %d %r' % (rc, rerr))
        # The index alone changed: refused as a mismatch.
        e = end.group(2)
        bad = out.replace('#O end %s %s' % (end.group(1), e),
                          '#O end %s %s' % (end.group(1), e[:-1] + ('0' if e[-1] != '0' else '1')))
        rc, _, rerr = replay(m, bad)
        check(m, rc == 1 and 'index mismatch' in rerr, 'a changed index: %d %r' % (rc, rerr))
        rc, _, rerr = replay(m, 'nothing here\n')
        check(m, rc == 1 and 'no "#O base" dump' in rerr, 'a log without a dump: %r' % rerr)


def obs_storm():
    with Machine(KERNEL, iso=dev_iso()) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        # The feed keeps up (it runs every 32 lines): all read, the ring drops its oldest.
        out = sh(m, 'obs storm 5000', 300)
        st = re.search(r'^obs: storm: 5000 lines logged, (\d+) read, (\d+) gaps; (\d+) records', out,
                       re.M)
        tot = TOTALS.search(out)
        check(m, st and tot, 'no storm figures: %r' % out[-400:])
        check(m, int(st.group(1)) == 5000 and int(st.group(2)) == 0, 'the feed fell behind: %r'
              % st.group(0))
        kept, nbytes, dropped = int(tot.group(2)), int(tot.group(3)), int(tot.group(4))
        check(m, dropped > 0 and int(tot.group(1)) == kept + dropped, 'no drops counted: %r'
              % tot.group(0))
        check(m, kept * 28 < 65536, 'the ring holds %d records: not bounded' % kept)
        check(m, nbytes > 65536, 'bytes %d: the storm did not pass the ring' % nbytes)
        # A flood outruns the feed: the kernel log ring wraps, the loss is counted.
        out = sh(m, 'obs storm 20000 --flood', 300)
        st = re.search(r'^obs: storm: 20000 lines logged, (\d+) read, (\d+) gaps', out, re.M)
        check(m, st and int(st.group(1)) < 20000 and int(st.group(2)) >= 1,
              'a flood lost nothing: %r' % out[-400:])
        check(m, re.search(r'^feed: .* [1-9]\d* gaps \([1-9]\d* log bytes overwritten unread\)',
                           out, re.M), 'the lost log bytes are not counted: %r' % out[-300:])
        # The kernel works on; the newest records are the storm's, in order.
        check(m, re.search(r'^obs ', sh(m, 'help'), re.M), 'the shell stopped working')
        recent = sh(m, 'obs 3')
        nums = [int(x) for x in re.findall(r'obs: storm line (\d+) of 20000$', recent, re.M)]
        check(m, len(nums) == 3 and nums == sorted(nums) and nums[-1] == 20000,
              'the newest records: %r' % recent)
        # The whole ring, audited: the index still verifies.
        out = raw_dump(m, 100000)
        rc, rout, rerr = replay(m, out)
        check(m, rc == 0, 'obs_replay.py after the storm: %s' % rerr)
        base = re.search(r'^#O base (\d+) ', out, re.M)
        check(m, int(base.group(1)) > 0, 'the dump after a storm starts at record 0')


CASES = {
    'obs-feed': obs_feed,
    'obs-storm': obs_storm,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
