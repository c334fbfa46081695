"""toolargs.py - the one command-line parser every tools/*.py script uses.

argparse, with the interface tools/ promises (tests/tools/test_tools.py
checks it): --help gives a sentence per option; a bad argument gives one
line, "PROG: what is wrong (try PROG --help)", and exit status 2, never a
traceback; an output path that looks like an option is refused, so that
`mkiso.py --out --help` does not write a file named "--help".
A library, not a script: it has no command line of its own.
"""
import argparse
import os
import sys


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write('%s: %s (try %s --help)\n' % (self.prog, message, self.prog))
        sys.exit(2)

    def fail(self, message, status=1):
        """A failure that is not a usage error: one line, exit 1."""
        sys.stderr.write('%s: %s\n' % (self.prog, message))
        sys.exit(status)

    def check_output(self, *paths):
        """Refuse output paths that look like options (a typo such as
        `--out --help` would otherwise create a file named --help)."""
        for p in paths:
            if p is not None and os.path.basename(p).startswith('-'):
                self.error('refusing to write %r: it looks like an option' % p)


def parser(prog, doc, **kw):
    """An ArgumentParser whose description is the first paragraph of doc
    and whose epilog is the rest, kept as written."""
    head, _, rest = (doc or '').strip().partition('\n\n')
    return ArgumentParser(prog=prog, description=head, epilog=rest or None,
                          formatter_class=argparse.RawDescriptionHelpFormatter, **kw)
