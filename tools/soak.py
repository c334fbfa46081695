#!/usr/bin/env python3
"""soak.py - a randomized, reproducible exerciser of a booted Karyon image.

Usage: soak.py [ISO] [--kernel ELF] [--seed N] (--minutes M | --steps N) [--no-disk]

Boots the image (default: build/images/karyon-dev.iso with
build/core/karyon-dev.elf) and types a random but seeded sequence of shell
commands, as a careless or hostile user would: files, directories and
redirections; unloading, loading and reloading modules; compiling, running
and unloading handlers, good ones and hostile ones (NULL writes, endless
loops, division by zero, stack overflows, heap hogs); work tokens; event
handlers, subscriptions, custom events and storms of them, timers and
snapshots (runs that fault or run out of gas among them); the virtio disk
(patterns written and checked, reads, flushes, requests outside it);
parcels on the organelles' channel graph (sends along it and outside it,
malformed ones, kills and revivals, the ping and flood handlers); the
contract VM (good and hostile contracts deployed and sent transactions,
read-only calls, refused deploys, proofs, verification, malformed blocks
and arguments, new chains); and malformed input (long lines, control
bytes, unknown commands and options).

After every step the shell must give its prompt back (and every tenth step
answer an echo) within a timeout.  At the end everything the run made is
removed and the page and heap counts must be back at the baseline taken
after a warm-up that did each kind of thing once (the first compile loads
the handler library for good, and so on).  A failure prints the seed and the
step, so `soak.py --seed N --steps K` replays it.

Exit status: 0 when no step failed, 1 otherwise.  `./karyon test` runs a
short soak (tests/meson.build, soak-short); longer campaigns are for
running by hand, and their figures go in docs/reliability.md.
"""
import argparse
import os
import random
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolargs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
import kqemu  # noqa: E402

PROMPT = re.compile(r'karyon:[^\n>]*> $')
STEP_TIMEOUT = 90

GOOD = {
    'hi': '#include <stdio.h>\nint main(int argc, char **argv) { printf("hi %d\\n", argc); '
          'return 0; }\n',
    'sum': '#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char **argv) { long n = '
           'argc > 1 ? atol(argv[1]) : 10, s = 0; for (long i = 0; i < n; i++) s += i; '
           'printf("%ld\\n", s); return 0; }\n',
    'heap': '#include <stdlib.h>\n#include <string.h>\nint main(void) { for (int i = 0; i < 100; '
            'i++) { char *p = malloc(1000 + i * 100); memset(p, i, 1000); free(p); } return 0; }\n',
}
HOSTILE = {
    'nullw': 'int main(void) { *(volatile int *)0 = 1; return 0; }\n',
    'spin': 'int main(void) { for (;;) ; }\n',
    'div0': 'int z; int main(int c, char **v) { (void)v; return c / z; }\n',
    'deep': 'int f(int n) { volatile char pad[512]; pad[0] = (char)n; return f(n + 1) + pad[0]; }\n'
            'int main(void) { return f(0); }\n',
    'hog': '#include <stdlib.h>\nint main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) '
           'return 1; p[0] = 1; } }\n',
    'syntax': 'int main(void) { return 0 }\n',
}
# An event handler: counts its events in a global; data "f" faults after
# the count, "s" spins until its gas runs out, "p" prints the count.
EVENT_HANDLER = ('#include <stdio.h>\n#include <karyon/handler.h>\n'
                 'KR_MANIFEST("version=1; events=custom.*, timer.*; grants=console; '
                 'contexts=background");\n'
                 'static long n;\n'
                 'int on_event(const struct kr_event *ev) { n++; '
                 'if (ev->data[0] == \'f\') *(volatile int *)8 = 1; '
                 'if (ev->data[0] == \'s\') for (;;) n++; '
                 'if (ev->data[0] == \'p\') printf("evc %ld\\n", n); return 0; }\n')

# Contracts (the vm module): a good one and hostile ones, METHOD per name.
CONTRACTS = {
    'cgood': ('add', '#include <stdint.h>\n#include <liba.h>\nLIBA_METHOD(add) { uint8_t v[8] = '
              '{0}; liba_get("n", 1, v, 8); v[0]++; liba_set("n", 1, v, 8); liba_log(0, 0, v, 8); '
              'return liba_return(v, 8); }\n'),
    'cspin': ('spin', '#include <liba.h>\nLIBA_METHOD(spin) { volatile long x = 0; for (;;) x++; '
              'return 0; }\n'),
    'cboom': ('boom', '#include <liba.h>\nLIBA_METHOD(boom) { liba_set("k", 1, "v", 1); '
              'return *(volatile long *)8; }\n'),
    'cdiv': ('div', '#include <liba.h>\nLIBA_METHOD(div) { volatile long z = 0; liba_set("k", 1, '
             '"v", 1); return 7 / z; }\n'),
    'cagain': ('again', '#include <stdint.h>\n#include <liba.h>\nLIBA_METHOD(again) { struct '
               'liba_ctx c = liba_ctx(); uint8_t r[8]; long n = liba_call(c.self, "again", 0, 0, '
               'r, 8, 0); return liba_return(&n, 8); }\n'),
    'cdeep': ('deep', '#include <stdint.h>\n#include <liba.h>\nLIBA_METHOD(deep) { uint8_t b[4096]; '
              'b[0] = (uint8_t)alen; return liba_m_deep(b, alen + 1) + b[0]; }\n'),
    'crev': ('rev', '#include <liba.h>\nLIBA_METHOD(rev) { liba_set("k", 1, "v", 1); '
             'liba_revert("no"); }\n'),
    'casm': ('t', '#include <liba.h>\nLIBA_METHOD(t) { __asm__("rdtsc"); return 0; }\n'),
    'cflt': ('t', '#include <liba.h>\nLIBA_METHOD(t) { double d = alen; return (long)d; }\n'),
    'cout': ('t', '#include <liba.h>\nint puts(const char *);\nLIBA_METHOD(t) { puts("x"); '
             'return 0; }\n'),
}


class Failure(Exception):
    pass


class Soak:
    def __init__(self, m, rng):
        self.m = m
        self.rng = rng
        self.files = []
        self.handlers = set()
        self.subs = set()
        self.timer = False
        self.disk = False
        self.parcels = False
        self.vm = False
        self.contracts = set()
        self.step = 0

    def shell(self, line, timeout=STEP_TIMEOUT):
        start = len(self.m.log)
        self.m.send(line + '\r')
        try:            # the next prompt: control bytes are not echoed as typed
            r = self.m.wait_for(r'\nkaryon:[^\n>]*> ', timeout, start)
        except kqemu.KqemuError as e:
            raise Failure('no prompt after %r: %s' % (line[:80], str(e).splitlines()[0]))
        out = self.m.log[start:r.end()]
        if re.search(r'^panic:', out, re.M):
            raise Failure('the kernel panicked after %r' % line[:80])
        return out

    def write(self, path, text):
        start = len(self.m.log)
        self.m.send('cat > %s\r%s\x04' % (path, text.replace('\n', '\r')))
        try:
            self.m.wait_for(r'\nkaryon:[^\n>]*> ', STEP_TIMEOUT, start)
        except kqemu.KqemuError:
            raise Failure('no prompt after writing %s' % path)

    def mem(self):
        out = self.shell('mem')
        p = re.search(r'^pages: (\d+) free', out, re.M)
        h = re.search(r'^heap: (\d+) bytes in (\d+) blocks on (\d+) pages', out, re.M)
        if not p or not h:
            raise Failure('mem printed %r' % out)
        return int(p.group(1)), int(h.group(1)), int(h.group(2)), int(h.group(3))

    # -- the vocabulary ----------------------------------------------------

    def word(self):
        return ''.join(self.rng.choice('abcdefghijklmnopqrstuvwxyz0123456789')
                       for _ in range(self.rng.randint(1, 12)))

    def path(self):
        return '/soak/' + '/'.join(self.rng.choice(['a', 'b', 'c']) for _ in
                                   range(self.rng.randint(0, 3))) + '/f' + self.word()

    def do_file(self):
        r = self.rng.random()
        if r < 0.3 or not self.files:
            p = self.path()
            d = p.rsplit('/', 1)[0]
            self.shell('mkdir -p %s' % d)
            self.shell('echo %s %s > %s' % (self.word(), self.word(), p))
            self.files.append(p)
        elif r < 0.45:
            self.shell('echo %s >> %s' % (self.word(), self.rng.choice(self.files)))
        elif r < 0.6:
            self.shell('cat %s' % self.rng.choice(self.files))
        elif r < 0.7:
            src = self.rng.choice(self.files)
            dst = src + 'c'
            self.shell('cp %s %s' % (src, dst))
            self.files.append(dst)
        elif r < 0.8:
            src = self.rng.choice(self.files)
            dst = src + 'm'
            self.shell('mv %s %s' % (src, dst))
            self.files[self.files.index(src)] = dst
        elif r < 0.9:
            p = self.rng.choice(self.files)
            self.shell('rm %s' % p)
            self.files.remove(p)
        else:
            self.shell(self.rng.choice(['ls -l /soak', 'stat /soak', 'hexdump %s'
                                        % self.rng.choice(self.files)]))

    def do_module(self):
        self.shell(self.rng.choice(['lsmod', 'rmmod hello_user', 'rmmod hello', 'insmod hello',
                                    'insmod hello_user', 'rmmod hello_user', 'modinfo hello',
                                    'insmod /lib/modules/nosuch.kmod', 'rmmod kmod']))

    def do_handler(self):
        r = self.rng.random()
        name = self.rng.choice(sorted(GOOD) + sorted(HOSTILE))
        src = GOOD.get(name) or HOSTILE[name]
        if r < 0.35 or name not in self.handlers:
            self.write('/soak/%s.c' % name, src)
            out = self.shell('cc /soak/%s.c' % name)
            if re.search(r'^cc: %s: code' % name, out, re.M):
                self.handlers.add(name)
        elif r < 0.8:
            self.shell('run --gas %d %s %d' % (self.rng.choice([10000, 1000000, 50000000]), name,
                                               self.rng.randint(0, 100000)))
        elif r < 0.9:
            self.shell('task submit %s %d --gas 2000000' % (name, self.rng.randint(0, 1000)))
            self.shell('task wait')
        else:
            self.shell('unload %s' % name)
            self.handlers.discard(name)

    def do_events(self):
        r = self.rng.random()
        if 'evc' not in self.handlers or r < 0.05:
            self.write('/soak/evc.c', EVENT_HANDLER)
            if re.search(r'^cc: evc: code', self.shell('cc /soak/evc.c'), re.M):
                self.handlers.add('evc')
            return
        pattern = self.rng.choice(['custom.*', 'custom.a', 'timer.sk'])
        if r < 0.25:
            self.shell('on %s evc --gas %d --queue %d' % (pattern, self.rng.choice([1000, 100000]),
                                                          self.rng.choice([1, 4, 64])))
            self.subs.add(pattern)
        elif r < 0.35:
            self.shell('off %s evc' % pattern)
            self.subs.discard(pattern)
        elif r < 0.65:
            self.shell('event raise %s %s%s' % (self.rng.choice(['custom.a', 'custom.b']),
                                                self.rng.choice(['ok', 'f', 's', 'p']),
                                                self.rng.choice(['', '', ' -n 50', ' -n 2000'])))
        elif r < 0.75:
            if self.timer:
                self.shell('timer del sk')
            else:
                self.shell('timer add sk every %d' % self.rng.choice([20, 100, 500]))
            self.timer = not self.timer
        else:
            self.shell(self.rng.choice(['events', 'snapshot list', 'snapshot show evc',
                                        'snapshot reset evc', 'irq stat', 'timer list',
                                        'on vfs.write:/soak evc', 'event raise vfs.write x',
                                        'on custom.x nosuch']))

    def do_disk(self):
        if not self.disk:
            return
        r = self.rng.random()
        seed = self.rng.randint(0, 5)
        if r < 0.3:
            self.shell('blk pattern write %d %d %d' % (seed, self.rng.randint(1, 60),
                                                      self.rng.randint(1, 16)))
        elif r < 0.5:
            self.shell('blk pattern check %d %d %d' % (seed, self.rng.randint(1, 60),
                                                      self.rng.randint(1, 16)))
        else:
            self.shell(self.rng.choice(['blk info', 'blk flush', 'blk read %d' %
                                        self.rng.randint(0, 40000), 'blk read 0 9',
                                        'blk read 99999999999', 'lspci', 'blk write 5 /nope']))

    def do_parcels(self):
        """The organelles: parcels along the dev graph (images/dev.channels),
        refusals, malformed parcels, the flood and ping example handlers."""
        if not self.parcels:
            return
        r = self.rng.random()
        w = self.word()
        if r < 0.25:
            self.shell(self.rng.choice(['send hello.req %s' % w, 'send ping %s' % w,
                                        'send test %s --kind %d' % (w, self.rng.randint(0, 255)),
                                        'send obs %s' % w]))
        elif r < 0.35:
            self.shell(self.rng.choice(['send bench %s --to bench.b' % w, 'send nosuch x',
                                        'send test %s --corrupt check' % w,
                                        'send test %s --corrupt length' % w,
                                        'send test %s --corrupt magic' % w, 'send 99 x',
                                        'send ping %s --corrupt queued' % w,
                                        'send hello.req ' + 'y' * 5000, 'send test x --to']))
        elif r < 0.5:
            self.shell(self.rng.choice(['recv', 'channels', 'energy', 'organelles', 'obs 5',
                                        'proof']))
        elif r < 0.6:
            ep = self.rng.choice(['h:ping', 'orgtest', 'hello'])
            self.shell('organelles kill %s' % ep)
            self.shell('organelles revive %s' % ep)
        elif r < 0.8:
            name = self.rng.choice(['ping', 'flood'])
            if name not in self.handlers:
                if re.search(r'^cc: %s: code' % name,
                             self.shell('cc /usr/share/examples/%s.c -g parcel' % name), re.M):
                    self.handlers.add(name)
            else:
                self.shell('run %s%s' % (name, self.rng.choice(['', ' ' + w])))
        else:
            self.shell('task submit %s' % self.rng.choice(['ping', 'flood', 'ping x']))

    def do_contracts(self):
        """The contract VM: deploys (refused ones among them), transactions
        that revert, fault, run out of gas or reenter, calls, proofs,
        malformed input, and now and then a new chain."""
        if not self.vm:
            return
        r = self.rng.random()
        name = self.rng.choice(sorted(CONTRACTS))
        method, src = CONTRACTS[name]
        if r < 0.2 or (r < 0.6 and name not in self.contracts):
            self.write('/soak/%s.c' % name, src)
            out = self.shell('vm deploy %s /soak/%s.c' % (name, name), 300)
            if re.search(r'^tx 0: ok', out, re.M):
                self.contracts.add(name)
        elif r < 0.6:
            self.shell('vm tx %s %s --gas %d --from %s' % (
                name, method, self.rng.choice([2000, 30000, 300000, 5000000]),
                self.rng.choice(['alice', 'bob', 'shell'])), 300)
        elif r < 0.7:
            self.shell('vm call %s %s --gas %d' % (name, method,
                                                   self.rng.choice([5000, 300000])), 300)
        elif r < 0.8:
            self.shell(self.rng.choice(['vm status', 'vm contracts', 'vm proof %s text:n' % name,
                                        'vm proof %s text:k' % name]))
        elif r < 0.85:
            self.shell('vm verify', 600)
        elif r < 0.97:
            w = self.word()
            self.write('/soak/notablock', (w + '\n') * self.rng.randint(1, 100))
            self.shell(self.rng.choice([
                'vm tx nosuch %s' % w, 'vm block /soak/notablock', 'vm block /nonexistent',
                'vm deploy %s /nonexistent' % w, 'vm tx cgood add u64:%s' % w,
                'vm deploy ' + 'x' * 40 + ' /soak/notablock', 'vm proof', 'vm gen x 1 1',
                'vm tx cgood add --gas 0', 'vm call cgood ' + 'm' * 40, 'vm frob',
                'vm tx cgood add hex:%s' % w, 'vm deploy %s /soak/notablock' % w[:8]]))
        else:
            self.shell('vm reset')
            self.contracts.clear()

    def do_malformed(self):
        r = self.rng.random()
        if r < 0.3:
            line = ''.join(self.rng.choice('abc xyz/.-_=>|;&"\'$*') for _ in
                           range(self.rng.randint(200, 3000)))
            self.shell(line)
        elif r < 0.5:
            # Control bytes that edit the line (home, back, end, forward,
            # kill, and one the editor ignores); not Tab, the history keys
            # or ESC, which legitimately change what line runs.
            self.shell('echo ' + ''.join(chr(self.rng.choice([1, 2, 5, 6, 11, 28]))
                                         for _ in range(20)))
        elif r < 0.7:
            self.shell(self.rng.choice(['frobnicate', 'cat /nonexistent', 'cd /nope', 'rm /',
                                        'mkdir', 'cc', 'run', 'task submit', 'task show 99999',
                                        'sched', 'cp /soak', 'mv / /x', 'ls ' + '/a' * 300]))
        else:
            self.shell(self.rng.choice(['cc --budget-ms 0 x.c', 'run --gas', 'task submit hi --prio 99',
                                        'echo x > /', 'echo x > /soak/' + 'd/' * 80 + 'f']))

    def random_step(self):
        kind = self.rng.choices([self.do_file, self.do_module, self.do_handler, self.do_malformed,
                                 self.do_events, self.do_disk, self.do_parcels,
                                 self.do_contracts],
                                [4, 1, 3, 2, 2, 1, 2, 2])[0]
        kind()
        if self.step % 10 == 0:
            out = self.shell('echo alive %d' % self.step)
            if not re.search(r'^alive %d$' % self.step, out, re.M):
                raise Failure('the shell did not answer an echo: %r' % out)

    def cleanup(self):
        self.shell('task wait')
        for pattern in sorted(self.subs):
            self.shell('off %s evc' % pattern)
        self.subs.clear()
        if self.timer:
            self.shell('timer del sk')
            self.timer = False
        for name in sorted(self.handlers):
            self.shell('unload %s' % name)
        self.handlers.clear()
        if self.parcels:
            # Parcels still queued (to handlers that never took them): the
            # kill drops them and gives their memory back; revive after.
            for ep in ('h:ping', 'h:flood', 'orgtest'):
                self.shell('organelles kill %s' % ep)
                self.shell('organelles revive %s' % ep)
        if self.vm:
            # A new chain: the contracts and the blocks kept go.
            self.shell('vm reset')
            self.contracts.clear()
        self.shell('rm -r /soak')
        self.files = []
        out = self.shell('lsmod')
        if 'hello ' not in out and 'hello\n' not in out:
            self.shell('insmod hello')
        if 'hello_user' not in self.shell('lsmod'):
            self.shell('insmod hello_user')
        self.shell('mkdir /soak')

    def warm_up(self):
        self.shell('mkdir /soak')
        for name, src in list(GOOD.items())[:1] + list(HOSTILE.items())[:1]:
            self.write('/soak/%s.c' % name, src)
            self.shell('cc /soak/%s.c' % name)
            self.shell('run --gas 100000 %s' % name)
            self.handlers.add(name)
        self.shell('task submit hi --gas 100000')
        self.shell('task wait')
        self.write('/soak/evc.c', EVENT_HANDLER)
        self.shell('cc /soak/evc.c')
        self.handlers.add('evc')
        self.shell('on custom.a evc')
        self.subs.add('custom.a')
        self.shell('event raise custom.a p')
        self.disk = 'virtio0' in self.shell('blk info')
        if self.disk:
            self.shell('blk pattern write 1 20 16')
        self.parcels = 'graph b2:' in self.shell('channels')
        if self.parcels:
            self.shell('send hello.req warm')
            self.shell('recv')
            self.shell('obs 1')
        self.vm = 'height ' in self.shell('vm status')
        if self.vm:
            for name in ('cgood', 'cspin'):
                self.write('/soak/%s.c' % name, CONTRACTS[name][1])
                self.shell('vm deploy %s /soak/%s.c' % (name, name), 300)
                self.shell('vm tx %s %s --gas 100000' % (name, CONTRACTS[name][0]), 300)
            self.shell('vm call cgood add')
            self.shell('vm proof cgood text:n')
            self.shell('vm verify', 300)
        self.shell('rmmod hello_user')
        self.shell('rmmod hello')
        self.cleanup()


def main():
    ap = toolargs.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('iso', nargs='?', default=os.path.join(ROOT, 'build', 'images', 'karyon-dev.iso'),
                    help='the image to soak (default: build/images/karyon-dev.iso)')
    ap.add_argument('--kernel', default=None, help='its kernel, for symbols (default: beside the ISO\'s build)')
    ap.add_argument('--seed', type=int, default=1, help='the random seed; the same seed replays the same steps')
    ap.add_argument('--no-disk', action='store_true',
                    help='attach no virtio disk (the blk steps are left out)')
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--minutes', type=float, help='run for this long')
    g.add_argument('--steps', type=int, help='run this many steps')
    a = ap.parse_args()
    kernel = a.kernel or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.iso))),
                                      'core', 'karyon-dev.elf')
    if not os.path.exists(a.iso) or not os.path.exists(kernel):
        sys.exit('soak: %s or %s does not exist (build first: ./karyon build)' % (a.iso, kernel))
    steps = a.steps if a.steps is not None else (None if a.minutes else 100)
    deadline = time.monotonic() + a.minutes * 60 if a.minutes else None
    rng = random.Random(a.seed)
    t0 = time.monotonic()
    disk_dir = tempfile.TemporaryDirectory(prefix='soak-')
    extra = []
    if not a.no_disk:       # a fresh 16 MiB disk for the blk vocabulary
        disk = os.path.join(disk_dir.name, 'disk.img')
        with open(disk, 'wb') as f:
            f.truncate(16 << 20)
        extra = ['-drive', 'file=%s,if=none,id=d0,format=raw' % disk,
                 '-device', 'virtio-blk-pci,drive=d0,disable-legacy=on']
    with kqemu.Machine(kernel, iso=a.iso, extra=extra) as m:
        s = Soak(m, rng)
        try:
            m.wait_for(r'karyon:/> ', 120)
            s.warm_up()
            baseline = s.mem()
            while (steps is None or s.step < steps) and (deadline is None or
                                                          time.monotonic() < deadline):
                s.step += 1
                s.random_step()
            s.cleanup()
            end = s.mem()
            # Every page back but those the heap keeps for later; as many
            # live heap blocks as before, and the same bytes but for
            # /proc/metrics, which the scheduler rewrites with larger
            # counters as tokens end (a few bytes).
            if (end[2] != baseline[2] or abs(end[1] - baseline[1]) > 256 or
                    baseline[0] - end[0] != end[3] - baseline[3]):
                raise Failure('memory not back after cleanup: pages free, heap bytes, blocks, '
                              'pages %r, baseline %r' % (end, baseline))
        except Failure as e:
            print('soak: FAILED at step %d (seed %d): %s' % (s.step, a.seed, e))
            print('soak: replay with: tools/soak.py %s --seed %d --steps %d'
                  % (a.iso, a.seed, s.step))
            tail = m.log[-3000:]
            print('---- the last of the serial log ----\n' + tail)
            return 1
    print('soak: seed %d, %d steps in %.1f minutes, no failure; memory back to the baseline'
          % (a.seed, s.step, (time.monotonic() - t0) / 60))
    return 0


if __name__ == '__main__':
    sys.exit(main())
