"""kqemu.py - boot Karyon under QEMU and talk to it over the serial port.

    with Machine(kernel, firmware='uefi', cmdline='onready=exit') as m:
        m.wait_for(r'karyon: ready in (\\d+) us', timeout=60)
        status = m.wait_exit(10)

A Machine builds a private ISO with tools/mkiso.py (unless iso= is given),
starts QEMU (always TCG, never KVM; -no-reboot so a triple fault ends the run
instead of looping) with COM1 on QEMU's stdin/stdout, and a reader thread
collects everything the guest prints.  The log is kept as bytes (`raw`);
`log` gives it as a user would read it, for regex matching: latin-1 text,
CR LF -> LF, terminal escape sequences removed.

Every failure raised here is a KqemuError whose message ends with the whole
serial log under a "---- serial log ----" header.  Any other exception that
leaves the `with` block gets the log attached as `exc.serial_log`, so a test
runner can print it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKISO = os.path.join(ROOT, 'tools', 'mkiso.py')
OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'

# What the kernel writes to isa-debug-exit (port 0xf4); QEMU exits (v << 1) | 1.
EXIT_READY = (0x10 << 1) | 1    # onready=exit: 33
EXIT_PANIC = (0x11 << 1) | 1    # onpanic=exit: 35

# CSI sequences (colours, cursor moves, clear screen) and two-byte escapes.
ANSI_ESCAPE = re.compile(r'\x1b(?:\[[0-?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])')


def format_log(text):
    """The serial log framed so it stands out in a test's output."""
    if text and not text.endswith('\n'):
        text += '\n'
    return '---- serial log ----\n%s---- end of serial log ----' % text


class KqemuError(AssertionError):
    """A boot test failed; the message carries the serial log."""

    def __init__(self, msg, log):
        super().__init__('%s\n%s' % (msg, format_log(log)))
        self.serial_log = log
        self.log_in_message = True


def project_version():
    """(version, 'MAJOR.MINOR') read from meson.build and abi/karyon/abi.h."""
    with open(os.path.join(ROOT, 'meson.build')) as f:
        version = re.search(r"\bversion:\s*'([^']+)'", f.read()).group(1)
    with open(os.path.join(ROOT, 'abi', 'karyon', 'abi.h')) as f:
        abi = f.read()
    major = re.search(r'#define\s+KR_ABI_MAJOR\s+(\d+)', abi).group(1)
    minor = re.search(r'#define\s+KR_ABI_MINOR\s+(\d+)', abi).group(1)
    return version, '%s.%s' % (major, minor)


class Machine:
    """One QEMU run.  `modules` holds 'PATH' or 'PATH=NAME' strings or
    (path, name) pairs, passed to mkiso.py as --module."""

    def __init__(self, kernel, firmware='bios', cmdline='', modules=(), iso=None,
                 icount=False, memory='256M', extra=(), iso_args=()):
        if firmware not in ('bios', 'uefi'):
            raise ValueError("firmware must be 'bios' or 'uefi', not %r" % firmware)
        self.kernel = kernel
        self.firmware = firmware
        self.cmdline = cmdline
        self.modules = [m if isinstance(m, str) else '%s=%s' % tuple(m) for m in modules]
        self.iso = iso
        self.icount = icount
        self.memory = memory
        self.extra = list(extra)
        self.iso_args = list(iso_args)  # more mkiso.py arguments
        self.proc = None
        self.started = None             # time.monotonic() just before QEMU starts
        self._tmp = None
        self._buf = bytearray()
        self._stamps = []               # (log length, arrival time) per chunk read
        self._stderr = bytearray()
        self._cond = threading.Condition()
        self._eof = False
        self._threads = []

    # -- life cycle -------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, etype, exc, tb):
        self.close()
        if exc is not None and not getattr(exc, 'log_in_message', False):
            try:
                exc.serial_log = self.log
            except AttributeError:
                pass
        return False

    def build_iso(self, out):
        cmd = [sys.executable, MKISO, '--kernel', self.kernel, '--out', out,
               '--cmdline', self.cmdline]
        for m in self.modules:
            cmd += ['--module', m]
        cmd += self.iso_args
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise KqemuError('mkiso.py failed (exit %d):\n%s%s'
                             % (r.returncode, r.stdout, r.stderr), '')

    def qemu_command(self):
        cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', self.memory,
               '-display', 'none', '-serial', 'stdio', '-monitor', 'none',
               '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
               '-cdrom', self.iso]
        if self.icount:
            cmd += ['-icount', 'shift=0']
        if self.firmware == 'uefi':
            vars_copy = os.path.join(self._tmp, 'OVMF_VARS.fd')
            shutil.copyfile(OVMF_VARS, vars_copy)
            cmd += ['-drive', 'if=pflash,format=raw,readonly=on,file=' + OVMF_CODE,
                    '-drive', 'if=pflash,format=raw,file=' + vars_copy]
        return cmd + self.extra

    def start(self):
        if not os.path.exists(self.kernel):
            raise KqemuError('kernel %s does not exist (is it built?)' % self.kernel, '')
        self._tmp = tempfile.mkdtemp(prefix='kqemu-')
        if self.iso is None:
            self.iso = os.path.join(self._tmp, 'karyon.iso')
            self.build_iso(self.iso)
        cmd = self.qemu_command()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        for target, fd in ((self._read_serial, self.proc.stdout),
                           (self._read_stderr, self.proc.stderr)):
            t = threading.Thread(target=target, args=(fd,), daemon=True)
            t.start()
            self._threads.append(t)

    def close(self):
        """Kill QEMU if it still runs and remove the private files."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for t in self._threads:
                t.join(5)
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass    # stdin to a dead QEMU: broken pipe on flush
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- serial port ------------------------------------------------------

    def _read_serial(self, f):
        fd = f.fileno()
        while True:
            chunk = os.read(fd, 4096)
            now = time.monotonic()
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._stamps.append((len(self._buf), now))
                self._cond.notify_all()

    def _read_stderr(self, f):
        for line in iter(f.readline, b''):
            with self._cond:
                self._stderr += line

    @property
    def raw(self):
        """Everything the guest printed so far, as bytes."""
        with self._cond:
            return bytes(self._buf)

    @property
    def log(self):
        """The serial log as a user reads it: latin-1 text, CR LF (and CR CR
        LF, a console turning the LF of a CR LF into CR LF, and a lone CR) ->
        LF, terminal escape sequences (GRUB's, OVMF's) removed."""
        text = ANSI_ESCAPE.sub('', self.raw.decode('latin-1'))
        return re.sub(r'\r+\n', '\n', text).replace('\r', '\n')

    def _full_log(self):
        text = self.log
        with self._cond:
            err = self._stderr.decode('latin-1', errors='replace')
        if err:
            text += '\n---- qemu stderr ----\n' + err
        return text

    def fail(self, msg):
        """Raise a KqemuError that carries the serial log so far."""
        raise KqemuError(msg, self._full_log())

    def wait_for(self, pattern, timeout, start=0):
        """Wait until regex `pattern` (multiline) matches the log from offset
        `start` on; return the match.  Fails if QEMU exits without printing
        it or after `timeout` s."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self.log, start)
                left = deadline - time.monotonic()
                if m or self._eof or left <= 0:
                    break
                self._cond.wait(left)
        if m:
            return m
        if self._eof:
            try:
                status = 'status %d' % self.proc.wait(5)
            except subprocess.TimeoutExpired:
                status = 'serial port closed'
            self.fail('QEMU exited (%s) before %r appeared on the serial port'
                      % (status, pattern))
        self.fail('timed out after %g s waiting for %r on the serial port' % (timeout, pattern))

    def arrival(self, pattern):
        """Seconds from QEMU's start until the first match of regex `pattern`
        in the raw output (CR LF line ends, escape sequences left in) had
        arrived; None if it has not."""
        with self._cond:
            raw = bytes(self._buf).decode('latin-1')
            stamps = list(self._stamps)
        m = re.search(pattern, raw, re.M)
        if not m:
            return None
        return next(t for length, t in stamps if length >= m.end()) - self.started

    def send(self, text):
        """Type `text` (str or bytes) into the serial port."""
        data = text.encode('latin-1') if isinstance(text, str) else text
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        """Wait for QEMU to exit and return its status; fails on timeout."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail('QEMU still running %g s later (expected it to exit)' % timeout)
        for t in self._threads:
            t.join(5)
        return status
