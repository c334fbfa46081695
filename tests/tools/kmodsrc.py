"""kmodsrc.py - what a module's C source and the ABI headers say, and
modinfo's listing parsed back, for the tests of tools/modinfo.py and of
`./karyon module`.
"""
import os
import re

FIELDS = ['filename', 'name', 'version', 'description', 'license', 'author',
          'abi', 'depends', 'needs', 'exports', 'size', 'blake2b-256']


def parse_listing(text):
    """'field: value' lines -> list of dicts, one per file (blank line between)."""
    blocks = [{}]
    for line in text.splitlines():
        if not line:
            blocks.append({})
            continue
        key, _, value = line.partition(':')
        blocks[-1][key] = value.strip()
    return blocks


def c_string(s):
    """The value of a C string literal's body (ASCII with escapes)."""
    return s.encode().decode('unicode_escape')


def version(parts):
    return '%d.%d.%d' % tuple(int(x) for x in parts)


def expected_from_source(path):
    """modinfo's name, version, description, license, author, depends and
    exports as the KR_MODULE(...) and KR_EXPORT(...) lines of path give them."""
    with open(path) as f:
        src = f.read()
    body = re.search(r'KR_MODULE\((.*?)\);', src, re.S).group(1)
    deps = []
    dep_block = re.search(r'\.deps\s*=\s*\{(.*)\}\s*,', body, re.S)
    if dep_block:
        deps = ['%s>=%s' % (n, version(v)) for n, *v in re.findall(
            r'\{\s*\.name\s*=\s*"([^"]*)"\s*,\s*\.min_version\s*=\s*'
            r'KR_VERSION\((\d+),\s*(\d+),\s*(\d+)\)\s*\}', dep_block.group(1))]
        body = body[:dep_block.start()] + body[dep_block.end():]
    want = {k: c_string(v) for k, v in re.findall(
        r'\.(name|description|license|author)\s*=\s*"((?:[^"\\]|\\.)*)"', body)}
    want['version'] = version(re.search(
        r'\.version\s*=\s*KR_VERSION\((\d+),\s*(\d+),\s*(\d+)\)', body).groups())
    want['depends'] = ','.join(deps)
    want['needs'] = ','.join(need_text(k, args) for k, args in re.findall(
        r'KR_NEED_(IRQ|PORTS|MMIO|SYSTEM)\(([^)]*)\)', body))
    want['exports'] = ','.join(re.findall(r'^KR_EXPORT\((\w+)\);', src, re.M))
    return want


def need_text(kind, args):
    """modinfo's text for one KR_NEED_*(args) in a descriptor."""
    a = [x.strip() for x in args.split(',')]
    if kind == 'IRQ':
        return 'IRQ %d' % int(a[0], 0)
    if kind == 'SYSTEM':
        return 'system ' + a[0][len('KR_SYS_'):].lower()
    base, n = int(a[0], 0), int(a[1], 0)
    if kind == 'MMIO':
        n = (n + 4095) // 4096 * 4096
    return '%s %#x-%#x' % ('ports' if kind == 'PORTS' else 'MMIO', base, base + n - 1)


def abi_version(root):
    """KR_ABI_MAJOR.KR_ABI_MINOR from abi/karyon/abi.h."""
    with open(os.path.join(root, 'abi', 'karyon', 'abi.h')) as f:
        abi_h = f.read()
    return '%s.%s' % (re.search(r'#define KR_ABI_MAJOR (\d+)', abi_h).group(1),
                      re.search(r'#define KR_ABI_MINOR (\d+)', abi_h).group(1))
