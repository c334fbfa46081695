#!/usr/bin/env python3
"""test_vm.py - the contract VM as a user meets it (issue 18): the example
contracts deployed and exercised at the shell, hostile contracts contained
(an endless loop runs out of gas at the same count every time, a fault and
a revert keep no write, reentrancy is refused, inline assembly, floating
point and calls outside liba are refused at deploy), the same 1,000-
transaction blocks giving the same roots on the host (tools/chain), under
TCG and under -icount, the chain surviving a reboot and verifying from
genesis, and a state proof that the host's verifier accepts and a tampered
one it refuses.

Usage: test_vm.py CASE...      (test_vm.py --list for the names)

The kernel comes from $KARYON_KERNEL (the dev profile: the vm module built
in, the examples under /usr/share/examples/contracts).
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
from test_clog import disk_args, new_disk, poweroff  # noqa: E402

PROMPT = 'karyon:/> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
ISO = os.path.join(BUILD, 'images', 'karyon-dev.iso')
CHAIN = os.path.join(BUILD, 'tools', 'chain', 'chain')
EX = '/usr/share/examples/contracts'

HOSTILE = r'''#include <stdint.h>
#include <liba.h>
LIBA_METHOD(spin)
{
    volatile uint64_t x = 0;
    for (;;)
        x++;
    return 0;
}
LIBA_METHOD(boom)
{
    liba_set("k", 1, "v", 1);
    return *(volatile long *)8;
}
LIBA_METHOD(divide)
{
    volatile long z = 0;
    liba_set("k", 1, "v", 1);
    return 10 / z;
}
LIBA_METHOD(again)
{
    struct liba_ctx c = liba_ctx();
    uint8_t r[8];
    long n = liba_call(c.self, "again", 0, 0, r, 8, 0);
    return liba_return(&n, 8);
}
LIBA_METHOD(deep)
{
    uint8_t big[4096];
    big[0] = (uint8_t)alen;
    return liba_m_deep(big, alen + 1) + big[0];
}
'''

ASM = '''#include <liba.h>
LIBA_METHOD(t) { __asm__("rdtsc"); return 0; }
'''
FLOAT = '''#include <liba.h>
LIBA_METHOD(t) { double d = alen; return (long)(d * 2); }
'''
OUTSIDE = '''#include <liba.h>
int printf(const char *, ...);
LIBA_METHOD(t) { printf("hi"); return 0; }
'''


class Booted(Machine):
    """The dev image, booted to its shell's prompt by `with`."""

    def __init__(self, disk=None, icount=False):
        super().__init__(KERNEL, iso=ISO, icount=icount,
                         extra=disk_args(disk) if disk else [])

    def __enter__(self):
        super().__enter__()
        try:
            self.wait_for(r'Karyon dev image: .*\n' + re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        except BaseException:
            self.close()
            raise
        return self


def sh(m, line, expect=None, timeout=120):
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


def u64(out, what='return'):
    g = re.search(r'^  %s \(8 bytes\): [0-9a-f]{16} = u64 (\d+)$' % what, out, re.M)
    return int(g.group(1)) if g else None


def vm_examples():
    with Booted() as m:
        sh(m, 'vm deploy token %s/token.c --from alice' % EX, r'^tx 0: ok, gas \d+, 1 logs$', 300)
        sh(m, 'vm deploy counter %s/counter.c' % EX, r'^  address [0-9a-f]{64}$', 300)
        sh(m, 'vm deploy escrow %s/escrow.c' % EX, r'^tx 0: ok', 300)
        sh(m, 'vm deploy registry %s/registry.c' % EX, r'^tx 0: ok', 300)
        out = sh(m, 'vm contracts')
        for name in ('token', 'counter', 'escrow', 'registry'):
            check(m, re.search(r'^%s +[0-9a-f]{64} ' % name, out, re.M), 'contracts: %r' % out)
        # The counter.
        check(m, u64(sh(m, 'vm tx counter increment')) == 1, 'increment')
        check(m, u64(sh(m, 'vm tx counter add u64:41')) == 42, 'add')
        check(m, u64(sh(m, 'vm call counter get')) == 42, 'get')
        # The token: a transfer, then one beyond the balance reverts and
        # writes nothing.
        sh(m, 'vm tx token transfer addr:bob u64:100 --from alice', r'^tx 0: ok, gas \d+, 1 logs$')
        check(m, u64(sh(m, 'vm call token balance_of addr:bob')) == 100, 'bob has 100')
        root = re.search(r'^state root ([0-9a-f]{64})$', sh(m, 'vm status'), re.M).group(1)
        sh(m, 'vm tx token transfer addr:carol u64:101 --from bob',
           r'^tx 0: revert, gas \d+: .*insufficient')
        check(m, u64(sh(m, 'vm call token balance_of addr:bob')) == 100, 'bob still has 100')
        check(m, u64(sh(m, 'vm call token balance_of addr:carol')) == 0, 'carol has nothing')
        sh(m, 'vm proof token u8:98 addr:carol', r'^exclusion proof')
        root2 = re.search(r'^state root ([0-9a-f]{64})$', sh(m, 'vm status'), re.M).group(1)
        check(m, root != root2, 'the reverted transfer should still use bob\'s nonce')
        # The escrow calls the token: approve, open, release.
        sh(m, 'vm tx token approve addr:escrow u64:50 --from alice', r'^tx 0: ok')
        out = sh(m, 'vm tx escrow open addr:token addr:bob u64:50 --from alice', r'^tx 0: ok')
        deal = u64(out)
        check(m, deal is not None, 'open returns a deal id: %r' % out)
        sh(m, 'vm tx escrow release u64:%d --from alice' % deal, r'^tx 0: ok')
        check(m, u64(sh(m, 'vm call token balance_of addr:bob')) == 150, 'bob got 50 more')
        sh(m, 'vm tx escrow release u64:%d --from alice' % deal, r'^tx 0: revert')
        # The registry.
        sh(m, 'vm tx registry claim bytes:karyon --from alice', r'^tx 0: ok, gas \d+, 1 logs$')
        sh(m, 'vm tx registry claim bytes:karyon --from bob', r'^tx 0: revert')
        sh(m, 'vm call registry resolve bytes:karyon', r'^  return \(64 bytes\): ')
        # Refusals of the transaction itself: no such method, no contract.
        sh(m, 'vm tx counter nosuch', r'^tx 0: refused, gas 0: counter has no method nosuch$')
        sh(m, 'vm tx nowhere get', r'^vm: no contract nowhere')
        # A bad contract name is refused at the shell: no block is made.
        height = sh(m, 'vm status')
        sh(m, 'vm deploy Bad-Name %s/counter.c' % EX,
           r'^vm: Bad-Name: a contract name is 1\.\.31 of a-z, 0-9 and _$')
        check(m, sh(m, 'vm status') == height, 'a refused name made a block')


def vm_hostile():
    with Booted() as m:
        type_file(m, '/hostile.c', HOSTILE)
        sh(m, 'vm deploy hostile /hostile.c', r'^tx 0: ok', 300)
        root = re.search(r'^state root ([0-9a-f]{64})$', sh(m, 'vm status'), re.M).group(1)
        # An endless loop: out of gas at the limit, every time.
        for _ in range(2):
            sh(m, 'vm tx hostile spin --gas 200000', r'^tx 0: out of gas, gas 200000: out of gas$')
        # Faults revert their writes; the kernel runs on.
        sh(m, 'vm tx hostile boom --gas 200000', r'^tx 0: fault, gas \d+: fault$')
        sh(m, 'vm tx hostile divide --gas 200000', r'^tx 0: fault, gas \d+: fault$')
        sh(m, 'vm tx hostile deep --gas 100000000', r'^tx 0: (fault|out of gas)')
        sh(m, 'vm proof hostile text:k', r'^exclusion proof')
        # Reentrancy: A -> A is refused with KR_EBUSY (-6) before it runs.
        out = sh(m, 'vm tx hostile again')
        check(m, u64(out) == (1 << 64) - 6, 'again: expected -6 (busy): %r' % out)
        # Refused at deploy: inline assembly, floating point, a call
        # outside liba; nothing is deployed and no nonce is used.
        n = len(re.findall(r'^hostile ', sh(m, 'vm contracts'), re.M))
        type_file(m, '/asm.c', ASM)
        sh(m, 'vm deploy asm /asm.c', r'^tx 0: refused, gas 0: deploy refused: .*assembl')
        type_file(m, '/float.c', FLOAT)
        sh(m, 'vm deploy flt /float.c', r'^tx 0: refused, gas 0: deploy refused: .*floating')
        type_file(m, '/outside.c', OUTSIDE)
        sh(m, 'vm deploy outside /outside.c', r'^tx 0: refused, gas 0: deploy refused: .*printf')
        out = sh(m, 'vm contracts')
        check(m, not re.search(r'^(asm|flt|outside) ', out, re.M), 'refused deploys: %r' % out)
        del n, root
        sh(m, 'echo alive', r'^alive$')


def gen_lines(text):
    return [l for l in text.splitlines() if re.match(r'^(block \d+ \(slot|  (block|state root|'
                                                     r'receipts root) )', l)]


def vm_same_roots():
    """1,000-transaction blocks: the host, TCG and TCG with -icount agree."""
    args = '16 2000 1000 7'
    host = subprocess.run([CHAIN, 'gen', os.path.join(kqemu.ROOT, 'sdk', 'examples', 'contracts',
                                                      'token.c')] + args.split(),
                          capture_output=True, text=True, timeout=600)
    if host.returncode:
        raise AssertionError('chain gen failed: %s%s' % (host.stdout, host.stderr))
    want = gen_lines(host.stdout)
    if len(want) != 4 * 4 or not re.match(r'^block 4 \(slot 4\): 1000 transactions, \d+ ok',
                                          want[12]):
        raise AssertionError('chain gen printed: %r' % host.stdout)
    for icount in (False, True):
        with Booted(icount=icount) as m:
            out = sh(m, 'vm gen %s/token.c %s' % (EX, args), None, 900)
            got = gen_lines(out)
            check(m, got == want, '%s: the kernel and the host differ:\nkernel %r\nhost %r' %
                  ('-icount' if icount else 'TCG', got, want))


def vm_persist():
    with tempfile.TemporaryDirectory() as d:
        disk = new_disk(d)
        m = Booted(disk).__enter__()
        try:
            sh(m, 'vm deploy counter %s/counter.c' % EX, r'^tx 0: ok', 300)
            sh(m, 'vm tx counter add u64:5', r'= u64 5$')
            sh(m, 'vm tx counter add u64:6', r'= u64 11$')
            status = sh(m, 'vm status')
            root = re.search(r'^state root ([0-9a-f]{64})$', status, re.M).group(1)
            poweroff(m)
        finally:
            m.close()
        m = Booted(disk).__enter__()
        try:
            # /etc/rc's `vm restore` replayed the chain at boot.
            check(m, re.search(r'^vm: chain replayed: 3 blocks \(3 checked against their results\)'
                               r', state root %s$' % root, m.log, re.M),
                  'the boot did not replay the chain')
            out = sh(m, 'vm status', None, 300)
            check(m, re.search(r'^state root %s$' % root, out, re.M), 'root: %r' % out)
            sh(m, 'vm call counter get', r'= u64 11$')
            sh(m, 'vm tx counter add u64:1', r'= u64 12$')
            sh(m, 'vm verify', r'^vm verify: ok: 4 blocks from genesis', 300)
            # A kept block damaged: the next boot's replay stops before it,
            # and the chain takes no block (it would overwrite the kept
            # ones after it) until `vm reset`.
            sh(m, 'echo junk > /var/vm/blocks/00000003.blk')
            poweroff(m)
        finally:
            m.close()
        m = Booted(disk).__enter__()
        try:
            check(m, re.search(r'^vm: block 3: not a block: ', m.log, re.M) and
                  re.search(r'^vm: the chain stops at block 2 ', m.log, re.M),
                  'the replay did not stop at the damaged block')
            sh(m, 'vm tx counter add u64:1',
               r'^vm: block refused: the chain takes no block: the replay of the kept blocks '
               r'stopped')
            sh(m, 'vm reset', r'^vm reset: a new chain from genesis')
            sh(m, 'vm status', r'^height 0, slot 0$')
            sh(m, 'vm deploy counter %s/counter.c' % EX, r'^tx 0: ok', 300)
            poweroff(m)
        finally:
            m.close()


def vm_proof():
    with Booted() as m:
        sh(m, 'vm deploy token %s/token.c --from alice' % EX, r'^tx 0: ok', 300)
        sh(m, 'vm tx token transfer addr:bob u64:77 --from alice', r'^tx 0: ok')
        out = sh(m, 'vm proof token u8:98 addr:bob')
        g = re.search(r'^contract ([0-9a-f]{64})\nkey ([0-9a-f]+)\nroot ([0-9a-f]{64})\n'
                      r'inclusion proof \((\d+) bytes\):\n((?:[0-9a-f]+\n)+)', out)
        check(m, g, 'vm proof: %r' % out)
        proof = ''.join(g.group(5).split())
        check(m, len(proof) == 2 * int(g.group(4)), 'proof length')
        tool = os.path.join(kqemu.ROOT, 'tools', 'vm_proof.py')
        value = '4d00000000000000'     # 77, u64 LE
        ok = subprocess.run([sys.executable, tool, proof, '--root', g.group(3), '--contract',
                             g.group(1), '--key', g.group(2), '--value', value],
                            capture_output=True, text=True)
        check(m, ok.returncode == 0 and 'proof ok: inclusion' in ok.stdout,
              'vm_proof.py refused a good proof: %s%s' % (ok.stdout, ok.stderr))
        bad = proof[:-2] + '%02x' % (int(proof[-2:], 16) ^ 1)
        no = subprocess.run([sys.executable, tool, bad, '--root', g.group(3), '--contract',
                             g.group(1), '--key', g.group(2), '--value', value],
                            capture_output=True, text=True)
        check(m, no.returncode == 1, 'vm_proof.py accepted a tampered proof: %s' % no.stdout)


def hexdump_bytes(m, path):
    """A guest file's bytes, through the shell's hexdump."""
    out = sh(m, 'hexdump ' + path, None, 300)
    data = bytearray()
    for line in out.splitlines():
        g = re.match(r'^[0-9a-f]{8}  (.{48}) \|', line)
        check(m, g, 'hexdump %s: %r' % (path, line))
        data += bytes.fromhex(g.group(1).replace(' ', ''))
    return bytes(data)


def dump_chain(d):
    """A chain made in the kernel, hostile contracts and the four examples
    among it: its blocks (files in d) and their kept results."""
    with Booted() as m:
        type_file(m, '/hostile.c', HOSTILE)
        type_file(m, '/asm.c', ASM)
        for line in ('vm deploy token %s/token.c --from alice' % EX,
                     'vm deploy counter %s/counter.c' % EX,
                     'vm deploy hostile /hostile.c', 'vm deploy asm /asm.c',
                     'vm tx counter add u64:7',
                     'vm tx token transfer addr:bob u64:5 --from alice',
                     'vm tx token transfer addr:carol u64:6 --from bob',
                     'vm tx hostile spin --gas 300000', 'vm tx hostile boom --gas 300000',
                     'vm tx hostile divide --gas 300000', 'vm tx hostile again',
                     'vm tx counter nosuch',
                     'vm deploy escrow %s/escrow.c' % EX, 'vm deploy registry %s/registry.c' % EX,
                     'vm tx token approve addr:escrow u64:40 --from alice',
                     'vm tx escrow open addr:token addr:bob u64:40 --from alice',
                     'vm tx escrow refund u64:0 --from bob',
                     'vm tx escrow release u64:0 --from alice',
                     'vm tx registry claim bytes:karyon --from alice',
                     'vm tx registry point bytes:karyon addr:bob --from alice',
                     'vm tx registry claim bytes:karyon --from bob'):
            sh(m, line, r'^tx 0: ', 300)
        names = sorted(re.findall(r'(\d{8})\.blk', sh(m, 'ls /var/vm/blocks')))
        check(m, len(names) == 21, 'ls /var/vm/blocks: %r' % names)
        blocks, results = [], []
        for n in names:
            path = os.path.join(d, n + '.blk')
            with open(path, 'wb') as f:
                f.write(hexdump_bytes(m, '/var/vm/blocks/%s.blk' % n))
            blocks.append(path)
            results.append(hexdump_bytes(m, '/var/vm/blocks/%s.res' % n))
    return blocks, results


def vm_host_replay():
    """The blocks the kernel kept, hostile ones and the four examples among
    them, run on the host by tools/chain: the same gas, receipts roots and
    state roots as the kernel's N.res."""
    with tempfile.TemporaryDirectory() as d:
        blocks, results = dump_chain(d)
        host = subprocess.run([CHAIN, 'run'] + blocks, capture_output=True, text=True,
                              timeout=600)
    if host.returncode:
        raise AssertionError('chain run failed: %s%s' % (host.stdout, host.stderr))
    lines = host.stdout.splitlines()
    for i, res in enumerate(results):
        want = ('block %d (slot %d): %d transactions, %d ok, gas %d' %
                (int.from_bytes(res[8:16], 'little'), int.from_bytes(res[16:24], 'little'),
                 int.from_bytes(res[32:36], 'little'), int.from_bytes(res[36:40], 'little'),
                 int.from_bytes(res[24:32], 'little')),
                '  block ' + res[40:72].hex(), '  state root ' + res[72:104].hex(),
                '  receipts root ' + res[104:136].hex())
        got = tuple(lines[4 * i:4 * i + 4])
        if got != want:
            raise AssertionError('block %d: the host gives\n%s\nthe kernel kept\n%s' %
                                 (i + 1, '\n'.join(got), '\n'.join(want)))


CASES = {
    'vm-examples': vm_examples,
    'vm-hostile': vm_hostile,
    'vm-same-roots': vm_same_roots,
    'vm-persist': vm_persist,
    'vm-state-proof': vm_proof,
    'vm-host-replay': vm_host_replay,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
