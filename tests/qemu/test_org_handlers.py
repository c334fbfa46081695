#!/usr/bin/env python3
"""test_org_handlers.py - handlers as endpoints of the organelles' fabric
(grant "parcel", modules/tcc/endpoint.c) as a user meets them: the ping
example takes a parcel the shell sent it, has the hello module greet it
and prints the answer; a send off the channel graph is refused with the
rule that decided; a handler not in the graph has no endpoint; the flood
example runs its energy budget out, is killed at once (dead-map, queued
parcels dropped, the violation in `energy`), stays dead for runs and work
tokens until it is compiled again, while the rest runs on.

Usage: test_org_handlers.py CASE...      (test_org_handlers.py --list)

The kernel comes from $KARYON_KERNEL; the cases boot the dev image built
beside it (images/karyon-dev.iso: the channel graph images/dev.channels,
the hello module and the examples under /usr/share/examples).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

PROMPT = 'karyon:/> '

# A handler that sends one parcel wherever it is told: `run NAME CHANNEL
# TO TEXT`.  Typed into the shell (no tabs: they would complete).
EDGE = r'''#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <karyon/handler.h>
int main(int argc, char **argv)
{
    char junk[20] = "not a parcel header";
    long r;
    if (argc < 4)
        return 2;
    if (!strcmp(argv[1], "raw"))
        r = parcel_send_raw(argv[2], junk, 16 + (unsigned long)atoi(argv[3]));
    else
        r = parcel_send((unsigned)atoi(argv[1]), argv[2], argv[3], strlen(argv[3]));
    printf("edge: %ld %s\n", r, karyon_strerror(r));
    return r < 0;
}
'''

# A handler that writes 100 bytes and reads them back: 200 bytes of I/O.
IO = r'''#include <stdio.h>
#include <karyon/handler.h>
int main(void)
{
    char b[100] = "x";
    long w = vfs_write("/io.out", b, sizeof(b));
    long r = vfs_read("/io.out", 0, b, sizeof(b));
    printf("io: %ld %ld\n", w, r);
    return 0;
}
'''


def sh(m, line, expect=None, timeout=60):
    """What the shell printed for line, up to the next prompt."""
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + re.escape(PROMPT), timeout, start)
    out = r.group(1)
    if expect:
        check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))
    return out


def type_file(m, path, text):
    start = len(m.log)
    m.send('cat > %s\r%s\x04' % (path, text.replace('\n', '\r')))
    m.wait_for(r'\n' + re.escape(PROMPT), 30, start)


class Booted(Machine):
    """The dev image, booted to its shell's prompt by `with`."""

    def __init__(self):
        build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
        super().__init__(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso'))

    def __enter__(self):
        super().__enter__()
        try:
            self.wait_for(r'Karyon dev image: .*\n' + re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        except BaseException:
            self.close()
            raise
        return self


def org_handler():
    with Booted() as m:
        sh(m, 'cc /usr/share/examples/ping.c -g parcel', r'^cc: ping: code .* grants console,parcel$',
           120)
        # Without the grant the calls do not link.
        sh(m, 'cc /usr/share/examples/ping.c -o noping', r'parcel_send.*not granted', 120)
        # The shell sends on channel "ping" to h:ping; it waits for the run.
        sh(m, 'send ping world', r'^send: channel 3 \(ping\) -> h:ping: 5 bytes, seq 0: accepted$')
        out = sh(m, 'run ping')
        for want in (r'^ping: shell sent "world"$', r'^ping: hello says "hello, world"$',
                     r'^ping: 1 asked, 1 answered$', r'^ping returned 0$'):
            check(m, re.search(want, out, re.M), 'run ping: expected %r in %r' % (want, out))
        # Nothing queued: it greets its argument.
        sh(m, 'run ping Karyon', r'^ping: hello says "hello, Karyon"$')
        # Its runs' gas is charged to its endpoint.
        out = sh(m, 'energy')
        g = re.search(r'^h:ping +open +(\d+)/1000000000 +(\d+)/10000 ', out, re.M)
        check(m, g and int(g.group(1)) > 0 and int(g.group(2)) == 2,
              'energy: h:ping should have used gas and 2 parcels: %r' % out)
        # A work token's sends are immediate too (not kept aside).
        sh(m, 'send ping tok', r'accepted$')
        sh(m, 'task submit ping', r'^1$')
        sh(m, 'task wait', timeout=120)
        out = sh(m, 'task show 1')
        check(m, re.search(r'^token 1: completed$', out, re.M) and
              re.search(r'^ping: hello says "hello, tok"$', out, re.M), 'task show 1: %r' % out)
        # A send off the graph: refused, with the rule, and the run goes on.
        type_file(m, '/edge.c', EDGE)
        sh(m, 'cc /edge.c -o ping -g parcel', r'^cc: ping: code', 120)
        out = sh(m, 'run ping 3 h:ping x')
        check(m, re.search(r'^ping: parcel_send refused: not-in-graph: no edge h:ping -> h:ping '
                           r'on channel 3 \(ping\); it returns -7 \(permission denied\)$', out, re.M),
              'the off-graph send was not reported: %r' % out)
        check(m, re.search(r'^edge: -7 permission denied$', out, re.M), 'edge: %r' % out)
        sh(m, 'run ping 1 shell x', r'^ping: parcel_send refused: not-in-graph: no edge h:ping -> '
           r'shell on channel 1 \(hello.req\)')
        sh(m, 'run ping 1 nobody x', r"^edge: -4 no such entry$")
        # A parcel it framed itself is checked: a malformed one is quarantined.
        sh(m, 'run ping raw hello 0', r'^ping: parcel_send_raw refused: sanitizer: .*quarantined; '
           r'it returns -13 \(malformed data\)$')
        # Still an endpoint: a good send goes through.
        sh(m, 'run ping 1 hello there', r'^edge: \d+ success$')
        # A handler whose name is not in the graph has no endpoint.
        sh(m, 'cc /edge.c -o stray -g parcel', r'^cc: stray: code', 120)
        out = sh(m, 'run stray 1 hello x')
        check(m, re.search(r'^stray: parcel_send refused: h:stray is no endpoint of the channel '
                           r'graph; it returns -4', out, re.M), 'stray: %r' % out)
        # File I/O is energy too: 100 bytes written and read back.
        type_file(m, '/io.c', IO)
        sh(m, 'cc /io.c -o ping -g vfs.read,vfs.write,console', r'^cc: ping: code', 120)
        sh(m, 'run ping', r'^io: 100 100$')
        sh(m, 'energy', r'^h:ping +open +\S+ +\S+ +\S+ +0 +200 +0$')
        out = sh(m, 'organelles')
        check(m, re.search(r'^  not-in-graph +drop +2$', out, re.M) and
              re.search(r'^peroxisome: .* 1 quarantined$', out, re.M),
              'the refusals are not counted: %r' % out)


def org_flood():
    with Booted() as m:
        sh(m, 'cc /usr/share/examples/flood.c -g parcel', r'^cc: flood: code', 120)
        start = len(m.log)
        out = sh(m, 'run flood')
        check(m, re.search(r'^h:flood: killed: energy: h:flood used 50 of 50 parcels: killed, '
                           r'50 queued parcels dropped$', out, re.M),
              'flood was not killed for energy after 50 parcels: %r' % out)
        check(m, 'then refused' not in out, 'flood ran on after the kill: %r' % out)
        check(m, re.search(r'organelles: energy: h:flood used 50 of 50 parcels: killed',
                           m.log[start:]), 'no kill in the log')
        sh(m, 'organelles', r'^  h:flood +dead +energy +kills 1 revivals 0 dropped 50$')
        sh(m, 'energy', r'^h:flood +dead +\d+/100000000 +50/50 .* 1$')
        # Dead until compiled again: runs and work tokens are refused.
        sh(m, 'run flood', r'^run: flood: h:flood is in the dead-map \(killed\): cc it again')
        sh(m, 'task submit flood')
        sh(m, 'task wait', timeout=120)
        sh(m, 'task list', r'^ *1 +flood +violated:energy ')
        sh(m, 'task show 1', r'h:flood is in the dead-map')
        # The rest runs on: the shell sends and hello answers.
        sh(m, 'send hello.req shell', r'^send: channel 1 \(hello.req\) -> hello: .*accepted$')
        sh(m, 'recv', r'^channel 2 \(hello.resp\) from hello kind 0 seq \d+, 12 bytes: '
           r'hello, shell$')
        # Compiled again: revived with fresh energy, and killed again.
        start = len(m.log)
        sh(m, 'cc /usr/share/examples/flood.c -g parcel', r'^cc: flood: code', 120)
        check(m, re.search(r'organelles: h:flood revived \(reloaded\)', m.log[start:]),
              'the compile did not revive h:flood')
        sh(m, 'run flood', r'^h:flood: killed: energy: h:flood used 50 of 50 parcels')
        sh(m, 'organelles', r'^  h:flood +dead +energy +kills 2 revivals 1 dropped 100$')


CASES = {
    'org-handler': org_handler,
    'org-flood': org_flood,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
