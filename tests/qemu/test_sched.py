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
                           r'at 0x[0-9a-f]+ \(address 0x10, error 0x[0-9a-f]+\); ended$', log, re.M),
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


CASES = {
    'sched-tasks': sched_tasks,
    'sched-replay': sched_replay,
}

if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
