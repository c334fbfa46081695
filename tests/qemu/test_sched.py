#!/usr/bin/env python3
"""test_sched.py - the scheduler (modules/sched) as a user meets it: tasks
run in priority order, sleep and wake, yield to each other, and a task that
faults is reported and ended (or restarted), the shell's own included.

Usage: test_sched.py CASE...      (test_sched.py --list for the names)

The kernel comes from $KARYON_KERNEL; tests/kernel/tasktest.c is the test
module, loaded at boot.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main  # noqa: E402

PROMPT = 'karyon:/> '


def tasktest_kmod():
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    return os.path.join(build, 'tests', 'tasktest.kmod') + '=tasktest'


def boot_tasktest():
    """Boot with tasktest until every one of its tasks has had its say."""
    m = Machine(KERNEL, modules=[tasktest_kmod()])
    m.__enter__()
    m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
    m.wait_for(r'^tasktest: restarted task ran again \(run 2\)$', 30)
    m.wait_for(r'^tasktest: \d+ yields each between two tasks', 30)
    m.wait_for(r'^tasktest: woke up$', 30)
    return m


def tasktest_lines(log):
    # What the tasks said, in order, without the one figure that is a cost.
    return [re.sub(r'\d+ TSC cycles', 'N TSC cycles', line)
            for line in re.findall(r'(?:tasktest|sched): .*$', log, re.M)]


def sched_tasks():
    m = boot_tasktest()
    try:
        log = m.log
        check(m, re.search(r'^tasktest: bad spec: invalid argument$', log, re.M),
              'a task name with capitals and a space was not refused')
        high = log.find('tasktest: ran high')
        low = log.find('tasktest: ran low')
        check(m, 0 <= high < low, 'the priority-20 task did not run before the priority-10 one')
        sleep = log.find('tasktest: sleep 5 ticks: success')
        check(m, sleep >= 0 and log.find('tasktest: woke up') > sleep, 'sleeping task did not wake')
        check(m, re.search(r'^sched: task tt_fault \(id \d+, domain \d+\) faulted: #PF page fault '
                           r'at 0x[0-9a-f]+ in tasktest\+0x[0-9a-f]+ \(address 0x10, error 0x[0-9a-f]+\); '
                           r'ended$', log, re.M),
              'the faulting task was not reported and ended')
        check(m, re.search(r'^sched: task tt_restart \(id \d+, domain \d+\) faulted: #PF page fault '
                           r'.*\(address 0x18, .*; restarted$', log, re.M),
              'the faulting KR_TASK_RESTART task was not reported and restarted')
        check(m, 'panic' not in log, 'the kernel panicked')
        # kmod measures the kernel in a task of its own, the first to run
        # after ready: before the shell's prompt.
        r = re.search(r'^measure: kernel blake2b-256 [0-9a-f]{64} \(\d+ bytes', log, re.M)
        check(m, r and log.find('karyon: ready') < r.start() < log.find(PROMPT),
              'the kernel was not measured between ready and the prompt')

        def run(line, expect):
            start = len(m.log)
            m.send(line + '\r')
            r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + re.escape(PROMPT), 20, start)
            out = m.log[start:r.end()]
            check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))
            return out

        out = run('tasks', r'^ +\d+ +shell +running +24 ')
        check(m, 'tt_fault' not in out and 'tt_high' not in out, 'ended tasks still listed:\n' + out)
        # A command that faults takes the shell's task, which comes back.
        start = len(m.log)
        m.send('crash\r')
        m.wait_for(r'^sched: task shell \(id \d+, domain \d+\) faulted: #PF page fault .*'
                   r'\(address 0x20, .*; restarted$', 20, start)
        m.wait_for(r'shell: restarted after a fault', 20, start)
        run('echo still here', r'^still here$')
        out = run('tasks', r'^ +\d+ +shell +running +24 +\d+ +1 ')
    finally:
        m.__exit__(None, None, None)


def sched_replay():
    # The same boot twice: the tasks' order and words are the same.
    runs = []
    for _ in range(2):
        m = boot_tasktest()
        try:
            runs.append(tasktest_lines(m.log))
        finally:
            m.__exit__(None, None, None)
    check(m, runs[0] == runs[1] and len(runs[0]) >= 9,
          'two boots differ:\n%s\n---\n%s' % ('\n'.join(runs[0]), '\n'.join(runs[1])))


# Work tokens: handlers typed at the shell, then a script of submissions.
HANDLERS = {
    # name: (cc options, source)
    'loop': ('', '#include <stdio.h>\n#include <stdlib.h>\n'
             'int main(int argc, char **argv) { long n = atol(argv[1]), s = 0;'
             ' for (long i = 0; i < n; i++) s += i % 7;'
             ' printf("%s %ld\\n", argv[0], s); return 0; }\n'),
    'clock': ('-g time', '#include <stdio.h>\n#include <karyon/handler.h>\n'
              'int main(void) { unsigned long long t0 = time_us(); long s = 0;'
              ' for (long i = 0; i < 100000; i++) s += i;'
              ' printf("clock %llu %llu %ld\\n", t0, time_us() - t0, s); return 0; }\n'),
    # Writes a file, then completes or breaks one budget or rule.
    'wr': ('-g vfs.write', '#include <stdlib.h>\n#include <karyon/handler.h>\n'
           'int main(int argc, char **argv) { vfs_write(argv[1], "partial\\n", 8);'
           ' char m = argc > 2 ? argv[2][0] : 0;'
           ' if (m == 108) for (;;) ;'                                   # 'l': loop
           ' if (m == 104) for (;;) { char *p = malloc(65536); if (!p) return 1; p[0] = 1; }'
           ' if (m == 102) *(volatile int *)(long)argc = 1;'             # 'f': fault
           ' if (m == 115) {'                                            # 's': vfs_read, not granted:
           # find its library stub (mov $109, %eax; mov %rcx, %r10; syscall) and call it
           ' const unsigned char *p = (const unsigned char *)0x100000;'
           ' static const unsigned char stub[] = { 0xb8, 109, 0, 0, 0, 0x49, 0x89, 0xca, 0x0f, 0x05 };'
           ' for (long i = 0; i < 65536; i++) { int k = 0;'
           ' while (k < 10 && p[i + k] == stub[k]) k++;'
           ' if (k == 10) { char b[4];'
           ' return ((long (*)(const char *, long, char *, long))(p + i))(argv[1], 0, b, 4) > 0; } } }'
           ' return 0; }\n'),
}
SCRIPT = [
    'task submit loop 300000 --prio 2',
    'task submit loop2 300000 --prio 9',
    'task submit clock --after 1',
    'task submit wr /tmp/v-gas l --gas 100000',
    'task submit wr2 /tmp/wr-whole',
    'task submit wr /tmp/v-mem h --mem 64',
    'task submit wr /tmp/v-cap s',
    'task submit loop3 100000000 --gas 2000000',
    'task submit wr /tmp/v-time l --time 500',
    'task submit wr /tmp/v-fault f',
]


def shell_run(m, line, expect=None, timeout=60):
    start = len(m.log)
    m.send(line + '\r')
    r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + re.escape(PROMPT), timeout, start)
    out = m.log[start:r.end()]
    if expect:
        check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))
    return out


def type_file(m, path, text):
    start = len(m.log)
    m.send('cat > %s\r%s\x04' % (path, text.replace('\n', '\r')))
    m.wait_for(r'\n' + re.escape(PROMPT), 30, start)


def token_boot(icount=False, disk=None):
    """Boot the dev image (with disk: a blank virtio disk, so every file
    write is a commit of the commit log), compile the handlers, run SCRIPT;
    the machine."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    extra = ['-drive', 'file=%s,if=none,id=d0,format=raw,cache=writeback' % disk,
             '-device', 'virtio-blk-pci,drive=d0,disable-legacy=on'] if disk else []
    m = Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso'), icount=icount,
                extra=extra)
    m.__enter__()
    try:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        shell_run(m, 'mkdir /tmp')
        for name, (opts, src) in HANDLERS.items():
            type_file(m, '/tmp/%s.c' % name, src)
            names = [name] + (['%s2' % name] if name in ('loop', 'wr') else []) + \
                ['loop3'] * (name == 'loop')
            for n in names:
                shell_run(m, 'cc /tmp/%s.c -o %s %s' % (name, n, opts), r'^cc: %s: code' % n, 120)
        type_file(m, '/tmp/s.sh', '\n'.join(SCRIPT) + '\n')
        shell_run(m, 'sh /tmp/s.sh', r'^%d$' % len(SCRIPT))
        return m
    except BaseException:
        m.__exit__(None, None, None)
        raise


def trace_digest(m):
    shell_run(m, 'task wait', timeout=300)
    out = shell_run(m, 'task trace', r'^trace: %d tokens, blake2b-256 [0-9a-f]{64}$' % len(SCRIPT))
    return out, re.search(r'blake2b-256 ([0-9a-f]{64})', out).group(1)


def sched_tokens():
    m = token_boot()
    try:
        # The shell answers while tokens run in the background.
        shell_run(m, 'echo alive', r'^alive$', 20)
        out, _ = trace_digest(m)
        lines = {int(x.group(1)): x for x in re.finditer(
            r'^(\d+) (\w+) start=(\d+) end=(\d+) gas=(\d+) ([\w:]+)$', out, re.M)}
        check(m, sorted(lines) == list(range(1, len(SCRIPT) + 1)), 'trace lines: %r' % out)
        state = {i: x.group(6) for i, x in lines.items()}
        end = {i: int(x.group(4)) for i, x in lines.items()}
        start = {i: int(x.group(3)) for i, x in lines.items()}
        check(m, state == {1: 'completed', 2: 'completed', 3: 'completed', 4: 'violated:gas',
                           5: 'completed', 6: 'violated:memory', 7: 'violated:capability',
                           8: 'violated:gas', 9: 'violated:vtime', 10: 'violated:fault'},
              'token states: %r' % state)
        check(m, end[2] < end[1], 'the priority-9 token submitted later did not run first')
        check(m, start[3] >= end[1], '--after 1 started before token 1 ended')
        # Output and writes of a completed token are there; a violated
        # token's are not.
        shell_run(m, 'task show 2', r'^  output:\n.*loop2 \d+')
        shell_run(m, 'task show 1', r'^  exit     0$')
        shell_run(m, 'cat /tmp/wr-whole', r'^partial')
        # Each violated token wrote its file first: none of them is there.
        out = shell_run(m, 'ls /tmp')
        check(m, 'wr-whole' in out and not re.search(r'v-(gas|mem|cap|time|fault)', out),
              'a violated token\'s write is visible: %r' % out)
        shell_run(m, 'task show 4', r'^  detail   wr: stopped: out of gas')
        shell_run(m, 'task show 7', r'outside its grants')
        shell_run(m, 'task show 9', r'virtual time budget')
        shell_run(m, 'task show 10', r'page fault')
        # Virtual time: the clock handler sees the virtual clock.
        out = shell_run(m, 'task show 3', r'^clock \d+ \d+ ')
        t0, dt = map(int, re.search(r'^clock (\d+) (\d+) ', out, re.M).groups())
        check(m, t0 >= start[3] // 1000 and t0 + dt <= end[3] // 1000 and dt > 0,
              'time_us() is not the virtual clock: %r' % out)
        out = shell_run(m, 'sched stat', r'^tokens run +10$')
        check(m, re.search(r'^completed +4$', out, re.M) and re.search(r'^violated +6$', out, re.M),
              'sched stat counters: %r' % out)
        out = shell_run(m, 'cat /proc/metrics', r'^karyon_tasks_completed_total 4$')
        check(m, re.search(r'^karyon_task_latency_vtime_us\{quantile="0.99"\} \d+$', out, re.M),
              'no latency percentile in /proc/metrics: %r' % out)
        # Cancelling: a running token stops at its next turn, a queued one
        # at once; neither leaves its output.
        shell_run(m, 'task submit loop3 1000000000', r'^11$')
        shell_run(m, 'task submit loop3 10 --after 11', r'^12$')
        shell_run(m, 'task cancel 12')
        shell_run(m, 'task cancel 11')
        shell_run(m, 'task wait 11', timeout=60)
        shell_run(m, 'task show 11', r'^token 11: cancelled$')
        shell_run(m, 'task show 12', r'^token 12: cancelled$')
        shell_run(m, 'task cancel 11', r'cancelled already|been cancelled')
        shell_run(m, 'task submit nosuch', r'no handler nosuch')
        shell_run(m, 'task submit loop --prio 99', r'bad number')
        shell_run(m, 'tasks', r'shell +running')
        # /etc/karyon.conf: the number of foreground programs, reread on
        # sched reload; a bad file is refused and changes nothing.
        shell_run(m, 'sched stat', r'foreground allowed: 1\)')
        shell_run(m, 'echo foreground = 2 > /etc/karyon.conf')
        shell_run(m, 'sched reload', r'^sched: /etc/karyon.conf: foreground = 2$')
        shell_run(m, 'echo foregrund = 3 > /etc/karyon.conf')
        shell_run(m, 'sched reload', r'^sched: /etc/karyon.conf: line 1: unknown key "foregrund"; '
                  r'foreground stays 2$')
        shell_run(m, 'sched stat', r'foreground allowed: 2\)')
    finally:
        m.__exit__(None, None, None)


def sched_tokens_replay():
    # The same submissions three times, once under -icount and once with
    # the commit log on a disk (a token's writes are then a commit that
    # waits for the disk while others take turns): one trace.
    digests = []
    with tempfile.TemporaryDirectory() as d:
        disk = os.path.join(d, 'disk.img')
        with open(disk, 'wb') as f:
            f.truncate(16 << 20)
        for icount, dsk in ((False, None), (False, None), (False, None), (True, None),
                            (False, disk)):
            m = token_boot(icount, dsk)
            try:
                digests.append(trace_digest(m)[1])
            finally:
                m.__exit__(None, None, None)
    check(m, len(set(digests)) == 1, 'trace digests differ: %r' % digests)


def sched_busy():
    # Twenty background tokens; the shell stays responsive.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    with Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso')) as m:
        m.wait_for(re.escape(PROMPT), BOOT_TIMEOUT['bios'])
        shell_run(m, 'mkdir /tmp')
        type_file(m, '/tmp/loop.c', HANDLERS['loop'][1])
        for i in range(4):
            shell_run(m, 'cc /tmp/loop.c -o l%d' % i, r'^cc: l%d: code' % i, 120)
        type_file(m, '/tmp/busy.sh', ''.join('task submit l%d 100000000 --gas 3000000\n' % (i % 4)
                                              for i in range(20)))
        shell_run(m, 'sh /tmp/busy.sh', r'^20$')
        for i in range(5):
            shell_run(m, 'echo alive %d' % i, r'^alive %d$' % i, 10)
        out = shell_run(m, 'task list')
        check(m, re.search(r'(started|scheduled)', out), 'no token was still running: %r' % out)
        shell_run(m, 'task wait', timeout=300)
        shell_run(m, 'sched stat', r'^violated +20$')


CASES = {
    'sched-tasks': sched_tasks,
    'sched-replay': sched_replay,
    'sched-tokens': sched_tokens,
    'sched-tokens-replay': sched_tokens_replay,
    'sched-busy': sched_busy,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
