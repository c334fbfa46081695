#!/usr/bin/env python3
"""test_shell.py - the shell and the images as a user meets them: boot an
ISO, wait for the prompt, type commands, read the screen.

Usage: test_shell.py CASE...      (test_shell.py --list for the names)

Shares the harness and helpers of test_boot.py; the kernel comes from
$KARYON_KERNEL (and $KARYON_TEST_KERNEL), the ISOs from the same build.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kqemu  # noqa: E402
from kqemu import EXIT_READY, Machine  # noqa: E402
from test_boot import (BOOT_TIMEOUT, KERNEL, TEST_KERNEL, check, expect_exit,  # noqa: E402
                       main, no_errors)


PROMPT = r'karyon:%s> '


def console_input():
    # Typed and pasted input reaches the domain holding the console through
    # IRQ 4 and an idle hook: a short line, then a 4 KB line with no byte lost.
    with Machine(TEST_KERNEL, cmdline='selftest=console') as m:
        m.wait_for(r'^selftest: console ready$', BOOT_TIMEOUT['bios'])
        log = m.log
        for pattern, what in ((r'^selftest: claim: success$', 'claim'),
                              (r'^selftest: second claim: resource busy$', 'second claim refused'),
                              (r'^selftest: read without the claim: permission denied$',
                               'read without the claim refused'),
                              (r'^selftest: idle hook: success$', 'idle hook')):
            check(m, re.search(pattern, log, re.M), 'missing: %s' % what)
        m.send('hello world\r')
        m.wait_for(r'^selftest: console line 11 bytes: hello world$', 20)
        paste = ''.join(chr(ord('a') + i % 26) for i in range(4096))
        m.send(paste + '\r')
        m.wait_for(r'^selftest: console line 4096 bytes: %s$' % paste[:20], 30)
        expect_exit(m, EXIT_READY, 'the selftest exits after two lines')


def shell_session():
    # The dev image as built, driven as a user would at the prompt.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    with Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso')) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        check(m, re.search(r'^Karyon dev image: type help', m.log, re.M), '/etc/rc did not run')

        def run(line, expect, cwd='/'):
            start = len(m.log)
            m.send(line + '\r')
            r = m.wait_for(re.escape(line) + r'\n(?:.*\n)*?' + PROMPT % re.escape(cwd), 20, start)
            out = m.log[start:r.end()]
            check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))

        run('help', r'^insmod +load a module(?:.*\n)*hello +say hello \(added by the hello module\)$')
        run('hello', r'^hello, world$')
        run('help mkdir', r'^usage: mkdir \[-p\] DIR\.\.\.$')
        run('ls /lib/modules', r'^hello\.kmod\nhello_user\.kmod$')
        run('mkdir -p /tmp/a/b', r'')
        run('echo "two  words" > /tmp/note', r'')
        run("echo 'and more' >> /tmp/note", r'')
        run('cat /tmp/note', r'^two  words\nand more$')
        run('hexdump /tmp/note', r'^00000000  74 77 6f 20 20 77 6f 72 64 73 0a 61 6e 64 20 6d  \|two  words\.and m\|$')
        run('cp /tmp/note /tmp/a/copy', r'')
        run('mv /tmp/a/copy /tmp/a/b', r'')
        run('stat /tmp/a/b/copy', r'^/tmp/a/b/copy: file, 20 bytes')
        run('rm /tmp', r'^rm: /tmp: directory not empty$')
        run('cat /nope', r'^cat: /nope: no such entry$')
        run('lsmod', r'^hello +1\.0\.0 +\d+ +1 +live +hello_user$')
        run('rmmod hello', r'^rmmod: hello is used by hello_user$')
        run('rmmod hello_user', r'kmod: unloaded hello_user')
        run('hello karyon', r'^hello, karyon$')
        run('rmmod hello', r'hello: unloaded')
        run('hello', r'^hello: command not found \(try help\)$')   # gone with its module
        run('insmod nosuch', r'^insmod: nosuch: no /lib/modules/nosuch\.kmod$')
        run('insmod /lib/modules/hello_user.kmod', r'hello: loaded\n(?:.*\n)*hello_user: hello_greet returned 42')
        run('modinfo hello_user', r'^depends:     hello>=1\.0\.0\nneeds:      \nloaded:      yes$')
        run('hello again', r'^hello, again$')                        # back with it
        run('modinfo /tmp/note', r'^modinfo: /tmp/note: ')
        run('cd /tmp/a', r'', cwd='/tmp/a')
        run('pwd', r'^/tmp/a$', cwd='/tmp/a')
        run('cd ..', r'', cwd='/tmp')
        run("echo 'unterminated", r'^sh: unterminated single quote', cwd='/tmp')
        run('nosuch arg', r'^nosuch: command not found \(try help\)$', cwd='/tmp')
        run('mem', r'^pages: \d+ free of \d+', cwd='/tmp')
        # History: up-arrow recalls the last line.
        start = len(m.log)
        m.send('\x1b[A\r')
        m.wait_for(r'mem\n(?:.*\n)*?' + PROMPT % '/tmp', 20, start)
        check(m, 'pages:' in m.log[start:], 'up-arrow did not recall "mem"')
        # Tab completes a command name.
        start = len(m.log)
        m.send('hexd\t/tmp/note\r')
        m.wait_for(r'\|two  words', 20, start)
        run('caps', r'^cspace shell: handle type rights object depth parent$', cwd='/tmp')
        run('ls -l /tmp', r'^- +20 +\d+ note$', cwd='/tmp')
        run('cd /nope', r'^cd: /nope: no such entry$', cwd='/tmp')
        run('cp /nope /tmp/x', r'^cp: /nope: no such entry$', cwd='/tmp')
        run('mv /tmp /tmp/a', r'^mv: /tmp: cannot move a directory into itself \(/tmp/a\)$', cwd='/tmp')
        run('stat', r'^stat: missing argument\nusage: stat PATH$', cwd='/tmp')
        run('echo a\\ b "c\\"d" \'e f\'', r'^a b c"d e f$', cwd='/tmp')   # quoting
        paste = ''.join(chr(ord('a') + i % 26) for i in range(4000))
        run('echo ' + paste, '^' + paste + '$', cwd='/tmp')         # a pasted 4 KB line
        start = len(m.log)
        m.send('x' * 5000 + '\r')
        m.wait_for(r'line too long \(max 4095 bytes\)', 30, start)
        run('caps vfs', r'^cspace vfs: handle type rights object depth parent$', cwd='/tmp')
        run('caps nosuch', r'^caps: nosuch: no such module \(see lsmod\)$', cwd='/tmp')
        run('echo echo from sh > /tmp/s.sh', r'', cwd='/tmp')
        run('echo cd / >> /tmp/s.sh', r'', cwd='/tmp')
        run('sh /tmp/s.sh', r'^from sh$', cwd='/')
        run('sh /tmp/s.sh > /tmp/out', r'', cwd='/')      # a script's output, redirected
        run('cat /tmp/out', r'^from sh\n' + PROMPT % '/', cwd='/')
        run('echo sh /tmp/self.sh > /tmp/self.sh', r'', cwd='/')
        run('sh /tmp/self.sh', r'^sh: /tmp/self\.sh: scripts nested more than 8 deep; not run$',
            cwd='/')                                      # refused, not a stack overflow
        run('sh /tmp', r'^sh: /tmp: is a directory$', cwd='/')
        run('rm -r /tmp/a', r'', cwd='/')
        run('ls /tmp', r'^note\nout\ns\.sh\nself\.sh$', cwd='/')
        run('cd /tmp', r'', cwd='/tmp')
        # Tab completes a path through the vfs.
        start = len(m.log)
        m.send('cat /tmp/no\t\r')
        m.wait_for(r'cat /tmp/note \n(?:.*\n)*?two  words\nand more\n', 20, start)
        run('uptime', r'^up \d+\.\d{6} s$', cwd='/tmp')
        run('dmesg', r'^\[ +\d+\.\d{6}\] kmod: loaded hello_user 1\.0\.0 from /lib/modules/hello_user\.kmod$',
            cwd='/tmp')
        no_errors(m)
        m.send('poweroff\r')
        expect_exit(m, EXIT_READY, 'poweroff')


def shell_keys():
    # Keys as the console module delivers them to the shell: Ctrl-C drops the
    # line at the prompt; cat reads what was typed ahead of it, echoes and
    # edits it, and ends on Ctrl-C; a line typed while another runs waits its
    # turn; Ctrl-C stops a running handler and drops what was typed before
    # it, not after.
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    with Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-dev.iso')) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])

        def typed(keys, until, timeout=20):
            start = len(m.log)
            m.send(keys)
            end = m.wait_for(until, timeout, start).end()
            return m.log[start:end]

        out = typed('echo dropped\x03echo kept\r', r'^kept\n' + PROMPT % '/')
        check(m, out.startswith('echo dropped^C\n' + PROMPT % '/' + 'echo kept\n'),
              'Ctrl-C at the prompt: %r' % out)
        check(m, not re.search(r'^dropped$', out, re.M), 'the dropped line ran: %r' % out)
        out = typed('cat\rtyped ahead\rsecond\x7f\x7fnd line\r\x03', r'\^C\n' + PROMPT % '/')
        check(m, out.startswith('cat\ntyped ahead\ntyped ahead\n'
                                'second\b \b\b \bnd line\nsecond line\n^C\n'),
              'cat on the console (typed ahead, Backspace, Ctrl-C): %r' % out)
        out = typed('echo first\recho second\r', r'^second\n' + PROMPT % '/')
        check(m, out.startswith('echo first\nfirst\n' + PROMPT % '/' + 'echo second\n'),
              'a line typed while another ran: %r' % out)
        typed('mkdir /tmp\rcat > /tmp/spin.c\rint main(void) { for (;;) ; }\r\x04',
              r'\}\n' + PROMPT % '/')
        typed('cc /tmp/spin.c\r', r'^cc: spin: code .*\n' + PROMPT % '/', 60)
        out = typed('run spin\recho before\r\x03echo after\r', r'^after\n' + PROMPT % '/', 30)
        check(m, re.search(r'^spin: stopped: interrupted \(Ctrl-C\) at spin\+', out, re.M),
              'Ctrl-C did not stop the handler: %r' % out)
        check(m, 'before' not in out, 'a line typed before Ctrl-C ran: %r' % out)
        no_errors(m)


def shell_script():
    # shell.script=PATH on the kernel command line runs a script from the
    # initrd at start (here: print, write a file, read it back, power off).
    with tempfile.TemporaryDirectory(prefix='kqemu-script-') as d:
        script, initrd = os.path.join(d, 'boot.sh'), os.path.join(d, 'initrd.cpio')
        with open(script, 'w') as f:
            f.write('echo from the script\necho saved > /note\ncat /note\npoweroff\n')
        subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'mkinitrd.py'), initrd,
                        '--file', '/etc/boot.sh=' + script], check=True)
        with Machine(KERNEL, cmdline='shell.script=/etc/boot.sh',
                     iso_args=['--initrd', initrd]) as m:
            expect_exit(m, EXIT_READY, 'the script ends with poweroff')
            log = m.log
            check(m, re.search(r'^from the script\nsaved\nkaryon: power off$', log, re.M),
                  'the script did not run')


def shell_reboot():
    # reboot resets the machine (QEMU runs with -no-reboot: it exits, status 0).
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    with Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-minimal.iso')) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        m.send('reboot\r')
        m.wait_for(r'^karyon: reboot$', 10)
        expect_exit(m, 0, 'reboot ends QEMU under -no-reboot')


def profile_boot(profile):
    # The image as built: it boots to ready and runs exactly the modules
    # its profile names (built in, then boot modules).
    build = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))
    conf = os.path.join(kqemu.ROOT, 'images', profile + '.conf')
    want = []
    for key in ('builtin', 'boot_modules'):
        want += subprocess.run([sys.executable, os.path.join(kqemu.ROOT, 'tools', 'profile.py'),
                                'get', conf, key], check=True, capture_output=True,
                               text=True).stdout.split()
    # With a virtio disk, as ./karyon run boots it: a profile's virtio_blk
    # then has its device (without one it says "no device" and stays out).
    disk = tempfile.NamedTemporaryFile(prefix='kqemu-disk-')
    disk.truncate(1 << 20)
    with disk, Machine(KERNEL, iso=os.path.join(build, 'images', 'karyon-%s.iso' % profile),
                       extra=['-drive', 'file=%s,if=none,id=d0,format=raw' % disk.name,
                              '-device', 'virtio-blk-pci,drive=d0']) as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        got = re.search(r'^kmod: modules:(.*)\n', m.log, re.M)
        check(m, got and sorted(got.group(1).split()) == sorted(want),
              'profile %s runs modules %s, expected %s' % (profile, got and got.group(1), want))
        start = len(m.log)
        m.send('lsmod\r')
        out = m.wait_for(r'lsmod\n((?:.*\n)*?)' + PROMPT % '/', 20, start).group(1)
        names = [l.split()[0] for l in out.splitlines() if l.strip() and not l.startswith('name ')]
        check(m, sorted(names) == sorted(want), 'lsmod shows %s, expected %s' % (names, want))
        no_errors(m)


CASES = {
    'console-input': console_input,
    'shell-session': shell_session,
    'shell-keys': shell_keys,
    'shell-script': shell_script,
    'shell-reboot': shell_reboot,
    'profile-minimal': lambda: profile_boot('minimal'),
    'profile-dev': lambda: profile_boot('dev'),
    'profile-full': lambda: profile_boot('full'),
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
