#!/usr/bin/env python3
"""test_handler_sdk.py - the handler headers and examples build with gcc and
TinyCC, agree with glibc, and the examples print the same either way.

Usage: test_handler_sdk.py [SRCROOT]      (default: this checkout)

A handler is ordinary C: the same file must build on a Linux host against
glibc and on the device against sdk/handler/include with TinyCC.  So:

  - every header in sdk/handler/include compiles alone with gcc (strict ISO
    C11, -Wall -Wextra -Werror -pedantic) and with tcc;
  - every name in LIBRARY below (the handler C library, by grant) and every
    macro in MACROS is declared by its header, for both compilers, and
    LIBRARY and the call numbers in <karyon/handler.h> agree with the tcc
    module's grant table (modules/tcc/grants.c), when it is there;
  - the declarations agree with glibc's: function types and typedefs (gcc
    reports a conflict), the layout of div_t and friends, and the value and
    type of every object-like macro;
  - a probe of the macros and of <stdarg.h> prints the same with our headers
    as with glibc's, also when tcc compiles it;
  - every example in sdk/examples/handlers is 30-120 lines, opens with a
    comment and includes only standard headers; built with gcc against
    glibc and against our headers (-Wall -Wextra -Werror) it prints the same
    non-empty output and exits with the same status; tcc compiles it with
    our headers and the options `cc` uses (-nostdinc -nostdlib -fno-common),
    and `tcc -run` (with glibc's headers and with ours) prints the same
    again;
  - the parcel examples (PARCEL_EXAMPLES, in sdk/examples: they need the
    device's channel graph, so they are compiled, not run) build with gcc
    and tcc against our headers.

Needs gcc; without tcc the tcc checks are skipped with a message.
Each check prints one PASS/FAIL line; exit status 1 if any failed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish  # noqa: E402

# The handler C library, by grant ('' = no grant needed) and header.
LIBRARY = {
    '': {
        'string.h': 'memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strcpy '
                    'strncpy strcat strncat strchr strrchr strstr strspn strcspn strpbrk strtok '
                    'strtok_r strcasecmp strncasecmp strdup strndup',
        'stdlib.h': 'malloc calloc realloc free atoi atol atoll atof strtol strtoul strtoll '
                    'strtoull strtod strtof qsort bsearch abs labs llabs div ldiv lldiv exit abort',
        'stdio.h': 'snprintf vsnprintf sprintf vsprintf sscanf vsscanf',
        'ctype.h': 'isalnum isalpha isblank iscntrl isdigit isgraph islower isprint ispunct '
                   'isspace isupper isxdigit tolower toupper',
        'math.h': 'sqrt fabs floor ceil trunc round fmod fmin fmax '
                  'sqrtf fabsf floorf ceilf truncf roundf fmodf',
        'karyon/handler.h': 'karyon_strerror',
    },
    'console': {
        'stdio.h': 'printf vprintf puts putchar fputs fputc putc fprintf vfprintf fflush '
                   'stdout stderr',
    },
    'vfs.read': {'karyon/handler.h': 'vfs_read vfs_size'},
    'vfs.write': {'karyon/handler.h': 'vfs_write vfs_append'},
    'time': {'karyon/handler.h': 'time_us'},
    'events.raise': {'karyon/handler.h': 'event_raise'},
    'parcel': {'karyon/handler.h': 'parcel_send parcel_send_raw parcel_recv'},
}

# Macros and types each header must define.
MACROS = {
    'stddef.h': 'NULL offsetof',
    'stdlib.h': 'EXIT_SUCCESS EXIT_FAILURE NULL',
    'stdio.h': 'EOF NULL',
    'math.h': 'HUGE_VAL INFINITY NAN M_PI M_E isnan isinf isfinite',
    'stdbool.h': 'bool true false',
    'stdarg.h': 'va_start va_arg va_copy va_end',
    'limits.h': 'CHAR_BIT INT_MAX LONG_MAX ULLONG_MAX',
    'stdint.h': 'INT64_MAX UINT64_MAX SIZE_MAX INT64_C',
    'inttypes.h': 'PRId64 PRIu64 PRIx64 SCNd64',
    'karyon/handler.h': 'KARYON_HANDLER PARCEL_PAYLOAD_MAX PARCEL_FROM_MAX',
}
TYPES = {
    'stddef.h': 'size_t ptrdiff_t wchar_t max_align_t',
    'stdlib.h': 'div_t ldiv_t lldiv_t size_t',
    'stdio.h': 'FILE size_t',
    'stdarg.h': 'va_list',
    'stdint.h': 'int8_t uint8_t int16_t uint16_t int32_t uint32_t int64_t uint64_t '
                'int_fast16_t uint_fast32_t intptr_t uintptr_t intmax_t uintmax_t',
    'karyon/handler.h': 'size_t',
}

# Anonymous structs: a second definition is a new type even when it is the
# same, so their layout is compared instead of their type.
STRUCTS = {'div_t': 'quot rem', 'ldiv_t': 'quot rem', 'lldiv_t': 'quot rem', 'max_align_t': ''}

# Names in the tcc module's grant table that no header declares: the helpers
# TinyCC's generated code calls by itself (Debian's libtcc1.a).
# The user-mode library's own ways into the kernel (modules/tcc/ulib/ulib.h):
# in the grant table so the gate knows them, in no handler header.  The gas
# counter and its call are used only by the charges cc inserts (gas.h).
LIBRARY_OWN = {'__karyon_write', '__karyon_heap', '__karyon_null', '__karyon_gas',
               '__karyon_gas_out'}
COMPILER_HELPERS = {'__fixdfdi', '__fixsfdi', '__fixunsdfdi', '__fixunssfdi', '__fixunsxfdi',
                    '__fixxfdi', '__floatundidf', '__floatundisf', '__floatundixf', '__va_arg',
                    'alloca'}

# Extra argument lists the examples are run with (each also runs with none).
RUNS = {
    'hello': [['Karyon'], ['a', 'bb', 'ccc']],
    'fibonacci': [['12'], ['50'], ['x']],
    'sieve': [['1000'], ['1']],
}

# Examples of the "parcel" grant (endpoints of images/dev.channels).
PARCEL_EXAMPLES = ['ping.c', 'flood.c']

STANDARD = {'assert.h', 'ctype.h', 'inttypes.h', 'limits.h', 'math.h', 'stdarg.h', 'stdbool.h',
            'stddef.h', 'stdint.h', 'stdio.h', 'stdlib.h', 'string.h'}

GCC_WARN = ['-O0', '-Wall', '-Wextra', '-Werror']

# Exercises what the examples do not: <stdarg.h>, the v*printf/v*scanf
# family, offsetof, the classification macros, bool and <inttypes.h>.
PROBE = r'''#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct s { char c; double d; int i; };

static int sum(int n, ...)
{
	va_list ap, copy;
	int total = 0, i;

	va_start(ap, n);
	va_copy(copy, ap);
	for (i = 0; i < n; i++)
		total += va_arg(ap, int);
	for (i = 0; i < n; i++)
		total += va_arg(copy, int) * 100;
	va_end(copy);
	va_end(ap);
	return total;
}

static void say(FILE *f, const char *fmt, ...) __attribute__((__format__(__printf__, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(f, "[%s]\n", buf);
	fflush(f);
}

static int scan(const char *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsscanf(s, fmt, ap);
	va_end(ap);
	return n;
}

int main(void)
{
	double vals[] = { 0.0, -1.5, 1e308, 0.0, 0.0, 0.0 };
	float fvals[] = { 0.0f, 3.0f, 0.0f, 0.0f };
	int64_t big = INT64_C(-1234567890123);
	uint64_t ubig = UINT64_MAX;
	int a = 0, b = 0, i;
	bool yes = true;
	char word[8];

	vals[3] = HUGE_VAL;
	vals[4] = -INFINITY;
	vals[5] = NAN;
	fvals[2] = INFINITY;
	fvals[3] = NAN;
	printf("sum %d\n", sum(4, 1, 2, 3, 4));
	say(stdout, "%s %d %.3f %c %5.2e", "mixed", -7, 2.5, 'x', 12345.678);
	i = scan("12 34 word", "%d %d %7s", &a, &b, word);
	printf("vsscanf %d: %d %d %s\n", i, a, b, word);
	printf("offsetof %zu %zu %zu\n", offsetof(struct s, c), offsetof(struct s, d),
	       offsetof(struct s, i));
	for (i = 0; i < 6; i++)
		printf("double %d: isnan %d isinf %d isfinite %d\n", i, isnan(vals[i]) != 0,
		       isinf(vals[i]) != 0, isfinite(vals[i]) != 0);
	for (i = 0; i < 4; i++)
		printf("float %d: isnan %d isinf %d isfinite %d\n", i, isnan(fvals[i]) != 0,
		       isinf(fvals[i]) != 0, isfinite(fvals[i]) != 0);
	printf("%" PRId64 " %" PRIu64 " %" PRIx64 " %d %d\n", big, ubig, ubig, yes, (int)sizeof(bool));
	printf("%s %s\n", PRIdPTR, SCNd64);
	puts("end");
	return EXIT_SUCCESS;
}
'''

# Prints the type and value of each object-like macro passed as -DKR_M=NAME.
MACRO_PROBE = r'''#include <stdio.h>
#include <%s>
#define SHOW(m) _Generic((m), int: s_i, unsigned: s_u, long: s_l, unsigned long: s_ul, \
	long long: s_ll, unsigned long long: s_ull, float: s_f, double: s_d, char *: s_s, \
	const char *: s_s, void *: s_p, default: s_other)(#m, (m))
static void s_i(const char *n, int v) { printf("%%s int %%d\n", n, v); }
static void s_u(const char *n, unsigned v) { printf("%%s unsigned %%u\n", n, v); }
static void s_l(const char *n, long v) { printf("%%s long %%ld\n", n, v); }
static void s_ul(const char *n, unsigned long v) { printf("%%s unsigned long %%lu\n", n, v); }
static void s_ll(const char *n, long long v) { printf("%%s long long %%lld\n", n, v); }
static void s_ull(const char *n, unsigned long long v)
{ printf("%%s unsigned long long %%llu\n", n, v); }
static void s_f(const char *n, float v) { printf("%%s float %%a\n", n, v); }
static void s_d(const char *n, double v) { printf("%%s double %%a\n", n, v); }
static void s_s(const char *n, const char *v) { printf("%%s string \"%%s\"\n", n, v); }
static void s_p(const char *n, void *v) { printf("%%s pointer %%p\n", n, v); }
static void s_other(const char *n, ...) { printf("%%s another type\n", n); }
int main(void)
{
%s	return 0;
}
'''


def run(cmd, **kw):
    """Run cmd; return (status, stdout + stderr).  Never raises for a status."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    except subprocess.TimeoutExpired:
        return -1, 'timed out: %s' % ' '.join(cmd)
    return r.returncode, r.stdout + r.stderr


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    return path


def first_lines(text, n=6):
    return ' | '.join(text.strip().splitlines()[:n])


ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
INC = os.path.join(ROOT, 'sdk', 'handler', 'include')
ABI = os.path.join(ROOT, 'abi')     # <karyon/event.h>: the image installs abi/karyon there too
EXAMPLES = os.path.join(ROOT, 'sdk', 'examples', 'handlers')

GCC = shutil.which('gcc')
TCC = shutil.which('tcc')
if not check(GCC is not None, 'gcc is installed', 'install gcc (apt-get install gcc)'):
    finish()
if TCC is None:
    print('SKIP tcc is not installed (apt-get install tcc): the TinyCC checks are skipped')

OURS = ['-nostdinc', '-isystem', INC, '-isystem', ABI]     # gcc against our headers
TCC_OURS = ['-nostdinc', '-I', INC, '-I', ABI]              # tcc against our headers
TCC_DEVICE = ['-nostdinc', '-nostdlib', '-fno-common', '-Wall', '-Werror', '-I', INC,
              '-I', ABI]                                   # as `cc`

HEADERS = sorted(os.path.relpath(os.path.join(d, f), INC)
                 for d, _, fs in os.walk(INC) for f in fs if f.endswith('.h'))
check(set(HEADERS) >= {h for g in LIBRARY.values() for h in g} | set(MACROS) | set(TYPES),
      'every header in the tables exists', repr(HEADERS))


def grant_table(path):
    """{name: (number, grant)} from modules/tcc/grants.c ('' for no grant)."""
    with open(path) as f:
        text = f.read()
    table = {m[1]: (int(m[0]), '') for m in re.findall(r'\bP\((\d+),\s*(\w+)\)', text)}
    names = dict(re.findall(r'\[GRANT_(\w+)\]\s*=\s*"([^"]+)"', text))
    for name, nr, grant in re.findall(r'\{\s*"(\w+)",\s*(\d+),\s*GRANT_(\w+)\s*\}', text):
        table[name] = (int(nr), names.get(grant, grant))
    return table


def check_grant_table():
    """LIBRARY and <karyon/handler.h>'s numbers agree with the tcc module."""
    path = os.path.join(ROOT, 'modules', 'tcc', 'grants.c')
    if not os.path.isfile(path):
        print('SKIP modules/tcc/grants.c not found: the grant table is not compared')
        return
    table = grant_table(path)
    ours = {n: grant for grant, hs in LIBRARY.items() for ns in hs.values() for n in ns.split()}
    wrong = ['%s (%r, there %r)' % (n, g, table[n][1] if n in table else None)
             for n, g in sorted(ours.items()) if table.get(n, (0, None))[1] != g]
    check(not wrong, 'LIBRARY matches the grant table in modules/tcc/grants.c',
          'differ: ' + ', '.join(wrong))
    # A contract's calls (grant "vm") are declared by <liba.h>, not here.
    with open(os.path.join(ROOT, 'sdk', 'liba', 'include', 'liba.h')) as f:
        liba = f.read()
    vm = {n for n, (_, g) in table.items() if g == 'vm'}
    undeclared = sorted(n for n in vm if not re.search(r'\b%s\(' % n, liba))
    check(vm and not undeclared, 'every call of grant vm is declared in <liba.h>',
          'not in liba.h: ' + ' '.join(undeclared))
    extra = sorted(set(table) - set(ours) - COMPILER_HELPERS - LIBRARY_OWN - vm)
    check(not extra, 'every call in modules/tcc/grants.c is in LIBRARY (so a header declares it)',
          'not in LIBRARY: ' + ' '.join(extra))
    with open(os.path.join(INC, 'karyon', 'handler.h')) as f:
        rows = re.findall(r'^ \*\s+(?:[a-z.]+\s+)?(\d+)\s+(\w+)\s', f.read(), re.M)
    bad = ['%s %s (there %s)' % (nr, n, table.get(n, ('none',))[0]) for nr, n in rows
           if table.get(n, (None,))[0] != int(nr)]
    check(rows and not bad, '<karyon/handler.h> gives the call numbers of modules/tcc/grants.c',
          'differ: ' + ', '.join(bad) if rows else 'no table found')


def gcc_ours_c(src, obj, strict=False):
    extra = ['-std=c11', '-pedantic'] if strict else []
    return run([GCC] + GCC_WARN + extra + OURS + ['-c', src, '-o', obj])


def tcc_ours_c(src, obj, strict=False):
    return run([TCC] + TCC_DEVICE + ['-c', src, '-o', obj])


def compilers():
    yield 'gcc', gcc_ours_c
    if TCC:
        yield 'tcc', tcc_ours_c


def check_headers(tmp):
    """Each header compiles on its own and declares what the tables say."""
    obj = os.path.join(tmp, 'x.o')
    for h in HEADERS:
        src = write(os.path.join(tmp, 'alone.c'), '#include <%s>\ntypedef int kr_probe_t;\n' % h)
        for cname, cc in compilers():
            rc, out = cc(src, obj, strict=True)
            check(rc == 0, '%s: <%s> compiles alone' % (cname, h), first_lines(out))

    for grant, headers in LIBRARY.items():
        for h, names in headers.items():
            for cname, cc in compilers():
                missing = []
                for name in names.split():
                    src = write(os.path.join(tmp, 'decl.c'), '#include <%s>\n'
                                'void *kr_probe_%s(void);\nvoid *kr_probe_%s(void) '
                                '{ return (void *)&%s; }\n' % (h, name, name, name))
                    if cc(src, obj)[0] != 0:
                        missing.append(name)
                check(not missing, '%s: <%s> declares the %s calls' %
                      (cname, h, 'grant "%s"' % grant if grant else 'no-grant'),
                      'missing: ' + ' '.join(missing))

    for h in sorted(set(MACROS) | set(TYPES)):
        text = '#include <%s>\n' % h
        text += ''.join('#ifndef %s\n#error %s is not defined\n#endif\n' % (m, m)
                        for m in MACROS.get(h, '').split())
        text += ''.join('typedef %s kr_probe_%s;\n' % (t, t) for t in TYPES.get(h, '').split())
        src = write(os.path.join(tmp, 'macros.c'), text + 'typedef int kr_probe_t;\n')
        for cname, cc in compilers():
            rc, out = cc(src, obj)
            check(rc == 0, '%s: <%s> defines its macros and types' % (cname, h), first_lines(out))


def check_glibc_declarations(tmp, h):
    """Our header, preprocessed with its functions renamed kr_abi_NAME, then
    glibc's, in one file: a typedef that differs is a compile error, and a
    function type that differs fails a _Static_assert."""
    names = [n for g in LIBRARY.values() for n in g.get(h, '').split()]
    renames = ['-D%s=kr_abi_%s' % (n, n) for n in names + list(STRUCTS)]
    rc, ours = run([GCC, '-E', '-P'] + OURS + renames + ['-x', 'c', '-'],
                   input='#include <%s>\n' % h)
    if not check(rc == 0, 'gcc: <%s> preprocesses' % h, first_lines(ours)):
        return
    asserts = []
    for n in names:
        if n in ('div', 'ldiv', 'lldiv'):       # they return one of STRUCTS
            asserts.append('_Static_assert(__builtin_types_compatible_p(__typeof__(kr_abi_%s'
                           '(0, 0).quot), __typeof__(%s(0, 0).quot)), "%s");' % (n, n, n))
        else:
            asserts.append('_Static_assert(__builtin_types_compatible_p(__typeof__(kr_abi_%s),'
                           ' __typeof__(%s)), "%s");' % (n, n, n))
    for t, members in STRUCTS.items():
        if 'kr_abi_' + t not in ours:
            continue
        asserts.append('_Static_assert(sizeof(kr_abi_%s) == sizeof(%s) && _Alignof(kr_abi_%s)'
                       ' == _Alignof(%s), "%s");' % (t, t, t, t, t))
        for m in members.split():
            asserts.append('_Static_assert(__builtin_offsetof(kr_abi_%s, %s) == '
                           '__builtin_offsetof(%s, %s), "%s.%s");' % (t, m, t, m, t, m))
    glibc = '#include <%s>\n#include <stddef.h>\n' % h     # stddef.h: max_align_t
    src = write(os.path.join(tmp, 'abi.c'), '\n'.join([ours, glibc] + asserts) +
                '\ntypedef int kr_probe_t;\n')
    rc, out = run([GCC, '-std=gnu11', '-c', src, '-o', os.path.join(tmp, 'x.o')])
    errors = [line for line in out.splitlines() if 'error' in line]
    check(rc == 0, 'gcc: <%s> agrees with glibc (%d names)' % (h, len(names)),
          first_lines('\n'.join(errors) or out))


def check_glibc_macros(tmp, h):
    """Each object-like macro of ours has the type and value of glibc's."""
    defs = run([GCC, '-dM', '-E'] + OURS + ['-x', 'c', '-'], input='#include <%s>\n' % h)[1]
    builtin = run([GCC, '-dM', '-E', '-nostdinc', '-x', 'c', '-'], input='')[1]
    own = sorted(set(re.findall(r'^#define ([A-Za-z]\w*) ', defs, re.M)) -
                 set(re.findall(r'^#define (\w+)', builtin, re.M)) - {'bool'})
    if not own:
        return
    body = ''.join('#ifdef %s\n\tSHOW(%s);\n#else\n\tputs("%s undefined");\n#endif\n'
                   % (m, m, m) for m in own)
    src = write(os.path.join(tmp, 'mprobe.c'), MACRO_PROBE % (h, body))
    exe = os.path.join(tmp, 'mprobe')
    outs = []
    for flags in ([], OURS):                    # glibc's headers, then ours
        rc, out = run([GCC, '-std=gnu11'] + flags + [src, '-o', exe])
        outs.append(run([exe])[1] if rc == 0 else 'build failed: ' + first_lines(out))
    diff = [a + '  (glibc: ' + b + ')'
            for a, b in zip(outs[1].splitlines(), outs[0].splitlines()) if a != b]
    check(outs[0] == outs[1] and 'build failed' not in outs[0],
          'gcc: <%s> %d macros have glibc\'s type and value' % (h, len(own)),
          first_lines('\n'.join(diff) or outs[0] + outs[1]))


def build_and_run(tmp, src, flags, args=(), name='probe'):
    """(status, output) of src built by gcc with flags, or (None, the errors)."""
    exe = os.path.join(tmp, '%s.%d' % (name, len(flags)))
    rc, out = run([GCC] + GCC_WARN + flags + [src, '-o', exe, '-lm'])
    if rc != 0:
        return None, 'build failed: ' + first_lines(out)
    # argv[0] is the bare name, as `run NAME` gives it.
    return run([name] + list(args), executable=exe)


def check_probe(tmp):
    src = write(os.path.join(tmp, 'probe.c'), PROBE)
    want = build_and_run(tmp, src, [])
    got = build_and_run(tmp, src, OURS)
    check(got == want and want[0] == 0, 'gcc: the stdarg/macro probe prints the same as with glibc',
          'ours %r, glibc %r' % (got, want))
    if TCC:
        got = run([TCC] + TCC_OURS + ['-run', src])
        check(got == want, 'tcc: the stdarg/macro probe prints the same as gcc with glibc',
              'tcc %r, gcc %r' % (got, want))


def check_example(tmp, ex):
    name = ex[:-2]
    path = os.path.join(EXAMPLES, ex)
    with open(path) as f:
        text = f.read()
    lines = len(text.splitlines())
    includes = set(re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', text, re.M))
    check(30 <= lines <= 120, '%s: 30-120 lines' % ex, '%d lines' % lines)
    check(text.startswith('/*'), '%s: opens with a comment saying what it shows' % ex)
    check(includes <= STANDARD, '%s: includes only standard headers' % ex,
          repr(sorted(includes - STANDARD)))
    if TCC:
        rc, out = tcc_ours_c(path, os.path.join(tmp, 'x.o'))
        check(rc == 0, '%s: tcc compiles it against sdk/handler/include' % ex, first_lines(out))

    for args in [[]] + RUNS.get(name, []):
        label = ' '.join([name] + args)
        want = build_and_run(tmp, path, [], args, name)
        got = build_and_run(tmp, path, OURS, args, name)
        if not check(want[0] is not None and got[0] is not None,
                     '%s: gcc builds it against glibc and against our headers' % label,
                     want[1] if want[0] is None else got[1]):
            return
        check(want[1].strip() != '', '%s: prints something' % label, 'no output')
        check(0 <= want[0] < 256, '%s: exits normally' % label, 'status %d' % want[0])
        check(got == want, '%s: same output and status with both headers' % label,
              'ours %r, glibc %r' % (got, want))
        if TCC:
            for how, flags in (('glibc headers', []), ('our headers', TCC_OURS)):
                got = run([TCC] + flags + ['-run', path] + args, cwd=tmp)
                check(got == want, '%s: tcc -run (%s) prints the same as gcc' % (label, how),
                      'tcc %r, gcc %r' % (got, want))


def check_parcel_examples(tmp):
    for ex in PARCEL_EXAMPLES:
        path = os.path.join(ROOT, 'sdk', 'examples', ex)
        for cname, cc in compilers():
            rc, out = cc(path, os.path.join(tmp, 'x.o'))
            check(rc == 0, '%s: %s compiles against sdk/handler/include' % (cname, ex),
                  first_lines(out))


check_grant_table()
with tempfile.TemporaryDirectory() as tmpdir:
    check_headers(tmpdir)
    for header in HEADERS:
        if not header.startswith('karyon/'):
            check_glibc_declarations(tmpdir, header)
            check_glibc_macros(tmpdir, header)
    check_probe(tmpdir)
    examples = sorted(f for f in os.listdir(EXAMPLES) if f.endswith('.c'))
    check(len(examples) >= 6, 'sdk/examples/handlers holds the examples', repr(examples))
    for example in examples:
        check_example(tmpdir, example)
    check_parcel_examples(tmpdir)
finish()
