#!/usr/bin/env python3
"""test_shell_ux.py - the shell says what it does not do and means what it
says: unsupported syntax and options refused with the reason, ';' lists,
pipes, history, exit, head, grep, modprobe, honest error texts, help and Tab for
module commands and module names, Ctrl-C during long commands and scripts,
and the minimal image without a file system.

Usage: test_shell_ux.py CASE...      (test_shell_ux.py --list for the names)

Shares the harness of test_boot.py; the kernel comes from $KARYON_KERNEL,
the ISOs from the same build.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kqemu import Machine  # noqa: E402
from test_boot import BOOT_TIMEOUT, KERNEL, check, main, no_errors  # noqa: E402

PROMPT = r'karyon:%s> '
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(KERNEL)))


def image(profile):
    return Machine(KERNEL, iso=os.path.join(BUILD, 'images', 'karyon-%s.iso' % profile))


def session(m):
    """run(line, expect, cwd): type a line, check its output (up to the
    next prompt) matches regex expect; returns the output."""
    def run(line, expect=r'', cwd='/', timeout=20):
        start = len(m.log)
        m.send(line + '\r')
        r = m.wait_for(re.escape(line) + r'\n((?:.*\n)*?)' + PROMPT % re.escape(cwd), timeout, start)
        out = r.group(1)
        check(m, re.search(expect, out, re.M), '%r: expected %r in %r' % (line, expect, out))
        return out
    return run


def shell_syntax():
    # What sh would do and this shell does not is refused with what it is,
    # never run as text; quoted, the same characters are text.
    with image('dev') as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        not_supported = r'^sh: %s (?:is|are) not supported \(column %d; quote it to mean the character\)$'
        for line, what, col in (('echo a && echo b', r"'&&'", 8),
                                ('echo a || echo b', r"'\|\|'", 8),
                                ('echo $HOME', r"variables \('\$'\)", 6),
                                ('ls *.kmod', r"globs \('\*'\)", 4),
                                ('ls /lib/modules/hello?.kmod', r"globs \('\?'\)", 22),
                                ('ls [a]', r"globs \('\['\)", 4),
                                ('echo ok; echo a || cat', r"'\|\|'", 17),
                                ('echo a | cat || wc', r"'\|\|'", 14)):
            out = run(line, not_supported % (what, col))
            check(m, out.count('\n') == 1, '%r printed more than the error: %r' % (line, out))
        run("echo 'a|b' \"c*\" 'x && $y' \\|", r'^a\|b c\* x && \$y \|$')
        # Globs: refused for the shell's commands (checked before anything on
        # the line runs); a module's command gets them as typed (patterns).
        out = run('echo first; ls *.kmod', not_supported % (r"globs \('\*'\)", 16))
        check(m, 'first' not in out.replace('echo first', ''), 'ran before the glob error: %r' % out)
        run('hello w*rld', r'^hello, w\*rld$')
        run('echo one; echo two;echo three', r'^one\ntwo\nthree$')
        # Pipes: each command's output is the next one's input; the last
        # one's goes to the console or its own redirection.
        run('echo a b c | wc -w', r'^3\n$')
        run('echo a b c | wc', r'^1 3 6\n$')
        run('cat /etc/rc /etc/rc | grep -c Karyon', r'^2\n$')
        run('cat /etc/rc /etc/rc | grep Karyon | head -n 1', r'^echo Karyon dev image: .*\n$')
        entries = run('ls /').count('\n')
        run('ls / | wc -l', r'^%d\n$' % entries)
        run('lsmod | grep hello', r'^hello +\d')
        run('hello | wc -w', r'^2\n$')                      # a module's command's output
        run('echo a | hello x', r'^hello, x\n$')            # ... and it reads no input
        run('echo a b | uptime', r'^up \d+\.\d{6} s\n$')  # nor does a command without FILE
        run('mkdir /tmp; echo x y | wc -w > /tmp/n; echo one | cat >> /tmp/n; cat /tmp/n',
            r'^2\none\n$')
        run('echo a; echo b c | wc -w; echo d', r'^a\n2\nd\n$')
        run('nosuch | wc -l', r'^nosuch: command not found \(try help\)\n0\n$')  # errors: not fed on
        run('grep x', r'^grep: no FILE given, and nothing piped in \(CMD \| grep\)\nusage: grep')
        # Syntax errors name the column (counted from the line's start) and
        # run nothing of the line.
        for line, msg in (('echo first; echo a |', "missing command after '|' at column 20"),
                          ('echo first; | wc', "missing command before '|' at column 13"),
                          ('echo first; echo a | | wc', "missing command after '|' at column 20"),
                          ('echo first; echo a; | wc', "missing command before '|' at column 21"),
                          ('echo first; echo a > /tmp/f | wc',
                           "redirection at column 20 before '|' at column 29 "
                           r"\(only a pipeline's last command can redirect\)")):
            out = run(line, r'^sh: %s\n$' % msg.replace('|', r'\|'))
            check(m, 'first\n' not in out, '%r ran before its syntax error: %r' % (line, out))
        run('cat /tmp/f', r'^cat: /tmp/f: no such entry$')  # not written by the refused line
        run("echo 'a;b'", r'^a;b$')
        # Unknown options: what was wrong, then the usage.
        run('ls -R /', r'^ls: -R: unknown option \(ls takes -l\)\nusage: ls \[-l\] \[PATH\.\.\.\]$')
        run('cat -n /etc/rc', r'^cat: -n: unknown option \(cat takes no options\)\nusage: cat')
        run('rmmod', r'^rmmod: missing argument\nusage: rmmod NAME$')
        run('uptime now', r'^uptime: takes no arguments\nusage: uptime$')
        run('head -n', r'^head: -n: needs a value\nusage: head')
        run('ls -- /lib', r'^modules/$')
        # dmesg: every line with its time, in order.
        out = run('dmesg', r'^\[   0\.000000\] karyon .* starting$')
        times = [float(t) for t in re.findall(r'^\[ *(\d+\.\d{6})\] ', out, re.M)]
        check(m, len(times) == out.count('\n') and times == sorted(times) and times[-1] > 0,
              'dmesg times: %r' % out[-300:])
        # history lists what was typed, oldest first, numbered.
        out = run('history', r'^ +\d+  echo one; echo two;echo three$')
        check(m, out.rstrip('\n').endswith('history'), 'history does not end with itself: %r' % out)
        no_errors(m)


def shell_commands():
    # The commands busybox users reach for first, and errors that say what
    # happened to which path.
    with image('dev') as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        run('mkdir -p /tmp/d/e; echo alpha > /tmp/t; echo beta >> /tmp/t; echo alphabet >> /tmp/t')
        run('head -n 2 /tmp/t', r'^alpha\nbeta\n$')
        run('head -n1 /tmp/t /tmp/t', r'^==> /tmp/t <==\nalpha\n\n==> /tmp/t <==\nalpha\n$')
        run('grep alpha /tmp/t', r'^alpha\nalphabet\n$')
        run('grep -n -v alpha /tmp/t', r'^2:beta\n$')
        run('grep -c alpha /tmp/t /tmp/t', r'^/tmp/t:2\n/tmp/t:2\n$')
        run('grep a.b /tmp/t', r"^grep: '\.' in a\.b: regular expressions are not supported "
                               r'\(grep -F matches fixed strings\)$')
        run('grep -F a.b /tmp/t', r'^$')
        # exit leaves the script it is in (and only that one); at the prompt it says why not.
        run('echo echo in > /tmp/in.sh; echo exit >> /tmp/in.sh; echo echo not reached >> /tmp/in.sh')
        run('echo sh /tmp/in.sh > /tmp/out.sh; echo echo back in outer >> /tmp/out.sh')
        out = run('sh /tmp/out.sh', r'^in\nback in outer\n$')
        check(m, 'not reached' not in out, 'exit did not leave the script: %r' % out)
        run('exit', r'^exit: this is the console\'s only shell, so it stays; .*poweroff or reboot$')
        # Errors that mean what they say.
        run('cat /tmp/d', r'^cat: /tmp/d: is a directory$')
        # An error longer than the shell's line buffer comes whole, newline
        # and all (the prompt after it on a line of its own).
        run('ls ' + '/a' * 300, r'^ls: (?:/a){300}: name, path or depth too long$')
        run('cat /tmp/t/x', r'^cat: /tmp/t/x: not a directory$')
        run('cd /tmp/t', r'^cd: /tmp/t: not a directory$')
        run('rm /tmp/d', r'^rm: /tmp/d: directory not empty$')
        run('echo x > /tmp/d', r'^sh: /tmp/d: is a directory$')
        run('cp /tmp/d /tmp/x', r'^cp: /tmp/d: is a directory$')
        run('cp /tmp/t /nodir/x', r'^cp: /nodir/x: no such entry$')   # the target's fault
        run('rmmod vfs', r'^rmmod: vfs is built in and cannot be unloaded$')
        run('insmod /etc/rc', r'^insmod: /etc/rc: not an ELF file$')
        run('insmod nosuch', r'^insmod: nosuch: no /lib/modules/nosuch\.kmod$')
        run('insmod /tmp/d', r'^insmod: /tmp/d: is a directory$')
        # Every module lsmod lists: modinfo, rmmod, caps.  A built-in's size
        # is its object's code, data and bss, as the build measured it
        # (tools/gen_ksyms.py --builtin).
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                        'tools'))
        from gen_ksyms import object_size  # noqa: E402
        run('modinfo vfs', r'^name: +vfs\n(?:.*\n)*size: +%d bytes in the kernel image\nloaded: +built in$'
            % object_size(os.path.join(BUILD, 'modules', 'vfs.o')))
        run('modinfo console', r'^name: +console$')
        run('caps vfs', r'^cspace vfs: ')
        size = object_size(os.path.join(BUILD, 'modules', 'sched.o'))
        run('lsmod', r'^sched +1\.\d+\.\d+ +%d +3 +built-in +shell, events, organelles$' % size)
        run('caps hello', r'^cspace hello: (?:.*\n)*.*service .*"shell"(?:.*\n)*\d+ of 32 slots used$')
        run('caps nosuch', r'^caps: nosuch: no such module \(see lsmod\)$')
        # modprobe: the Linux name of insmod with dependencies; -r unloads.
        run('modprobe -r hello_user', r'kmod: unloaded hello_user')
        run('modprobe -r hello', r'hello: unloaded')
        run('modprobe hello_user', r'hello: loaded\n(?:.*\n)*hello_user: hello_greet returned 42')
        run('help hello', r'^usage: hello \[NAME\]\nsay hello \(added by the hello module\)$')
        run('help modprobe', r'^usage: modprobe \[-r\] NAME\|PATH$')
        run('help nosuch', r'^help: nosuch: no such command \(help lists them\)$')
        no_errors(m)


def shell_complete():
    # Tab: module names after insmod/modprobe/rmmod/modinfo, command names
    # after help (a module's too), handler names after run and unload.
    with image('dev') as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)

        def tab(keys, until):
            start = len(m.log)
            m.send(keys)
            return m.wait_for(until, 20, start)
        tab('rmmod hello_\t\r', r'rmmod hello_user \n(?:.*\n)*?kmod: unloaded hello_user\n')
        tab('modprobe hello_\t\r', r'modprobe hello_user \n(?:.*\n)*?hello_user: hello_greet returned 42')
        tab('help hexd\t\r', r'help hexdump \nusage: hexdump FILE\n')
        tab('help hel\t\t', r'help +hello\n')                 # a module's command, listed
        m.send('\x03')
        run('echo ok', r'^ok$')
        tab('modinfo vf\t\r', r'modinfo vfs \nname: +vfs\n')
        tab('insmod hel\t\t', r'hello +hello_user\n')         # from /lib/modules
        m.send('\x03')
        run('echo ok', r'^ok$')
        run('cc /usr/share/examples/handlers/hello.c -o greet_one', r'^cc: greet_one: ')
        run('cc /usr/share/examples/handlers/hello.c -o greet_two', r'^cc: greet_two: ')
        tab('run greet_o\t\r', r'run greet_one \n(?:.*\n)*?greet_one returned')   # a handler
        tab('unload greet\t\t', r'greet_one +greet_two\n')
        m.send('\x03')
        run('echo ok', r'^ok$')
        no_errors(m)


def shell_interrupt():
    # Ctrl-C stops a long cat, a long pipeline, a long script, and the
    # scripts that run it; a pipe holds at most 1 MiB.
    with image('dev') as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        run('mkdir /tmp; echo ' + 'x' * 63 + ' > /tmp/f')     # 64 bytes ...
        for _ in range(12):                                    # ... to 256 KiB
            run('cat /tmp/f /tmp/f > /tmp/g; mv /tmp/g /tmp/f')
        run('stat /tmp/f', r'^/tmp/f: file, 262144 bytes')
        total = 16 * 262144

        def interrupted(line, none_of):
            start = len(m.log)
            m.send(line + '\r')
            m.wait_for('x' * 63 + '\n', 20, start)
            m.send('\x03')
            r = m.wait_for(r'\^C\n(?:.*\n)*?' + PROMPT % '/', 60, start)
            out = m.log[start:r.end()]
            check(m, len(out) < total / 2, '%r: Ctrl-C did not stop it (%d bytes)' % (line, len(out)))
            check(m, '\n%s\n' % none_of not in out, '%r: went on after Ctrl-C: %r' % (line, out[-200:]))
            run('echo alive', r'^alive$')
        interrupted('cat' + ' /tmp/f' * 16 + '; echo after cat', 'after cat')
        # A pipeline: Ctrl-C stops the command running and the rest of the line.
        interrupted('cat' + ' /tmp/f' * 3 + ' | grep x | cat; echo after pipe', 'after pipe')
        # Output over the 1 MiB a pipe holds stops the pipeline there, the
        # next command fed nothing.
        run('cat' + ' /tmp/f' * 5 + ' | wc -c; echo next',
            r'^sh: cat: output over 1048576 bytes; the pipeline stops\nnext\n$')
        run('cat' + ' /tmp/f' * 4 + ' | wc -c', r'^1048576\n$')
        run('echo cat /tmp/f > /tmp/long.sh')
        for _ in range(15):
            run('echo cat /tmp/f >> /tmp/long.sh')
        run('echo sh /tmp/long.sh > /tmp/outer.sh; echo echo after long >> /tmp/outer.sh')
        interrupted('sh /tmp/outer.sh', 'after long')
        no_errors(m)


def shell_no_fs():
    # The minimal image has no vfs: help and Tab leave file commands out,
    # and they say so when typed.
    with image('minimal') as m:
        m.wait_for(PROMPT % '/', BOOT_TIMEOUT['bios'])
        run = session(m)
        out = run('help', r'^\(file commands are left out: no file system in this image\)$')
        check(m, not re.search(r'^(cat|ls|sh) ', out, re.M), 'help offers file commands: %r' % out)
        run('cat /etc/rc', r'^cat: no file system in this image$')
        run('ls', r'^ls: no file system in this image$')
        run('echo x > /f', r'^sh: cannot redirect to /f: no file system in this image$')
        run('help cat', r'^\(no file system in this image: this command needs one\)$')
        run('modinfo vfs', r'^modinfo: vfs: not a running module, and no file system in this image$')
        start = len(m.log)
        m.send('c\t\t')
        r = m.wait_for(r'c\x07?\n((?:.*\n)*?)' + PROMPT % '/' + 'c', 20, start)
        check(m, 'cat' not in r.group(1) and 'caps' in r.group(1), 'Tab offers: %r' % r.group(1))
        no_errors(m)


CASES = {
    'shell-syntax': shell_syntax,
    'shell-commands': shell_commands,
    'shell-complete': shell_complete,
    'shell-interrupt': shell_interrupt,
    'shell-no-fs': shell_no_fs,
}


if __name__ == '__main__':
    sys.exit(main(sys.argv, CASES))
