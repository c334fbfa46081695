#!/usr/bin/env python3
"""make_seeds.py - write the hand-made seed inputs of tests/fuzz/corpus/.

Usage: tests/fuzz/make_seeds.py [HELLO.kmod RELOCS.kmod PLAIN.o]

Each target's seeds are a few small valid (and nearly valid) inputs in the
layout its fuzz_TARGET.c describes.  The module loader's seeds are the unit
tests' fixtures (fixture-hello.kmod, fixture-relocs.kmod and fixture-plain.o,
a plain object loaded with an entry, in the build's tests/unit/), copied
when given.  Inputs the fuzzers found (crash-*) are
kept beside the seeds and not written here.
"""
import hashlib
import os
import shutil
import struct
import sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import ledger  # noqa: E402  (the commit log's format, for the clog seeds)

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "golden")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def mb2_tag(typ, body):
    return pad8(struct.pack("<II", typ, 8 + len(body)) + body)


def mb2(tags):
    body = b"".join(tags) + struct.pack("<II", 0, 8)
    return struct.pack("<II", 8 + len(body), 0) + body


def newc(name, data=b"", mode=0o100644):
    name = name.encode() + b"\0"
    fields = [1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0]
    h = b"070701" + b"".join(b"%08X" % v for v in fields) + name
    h += b"\0" * (-len(h) % 4)
    return h + data + b"\0" * (-len(data) % 4)


def printf_chunk(conv, flags, width, prec, length, size, arg, s=b"abc"):
    c = bytes([conv, flags, width, prec, size, length]) + arg[:10].ljust(10, b"\0")
    return c + s[:7].ljust(16, b"\0")


def clog_image(groups, area=8, epoch=1, which=0, base_seq=1, base_prev=bytes(32), sb_head=None,
               flag=0x83):
    """A log region of 2 + 2 * area sectors behind fuzz_clog.c's flag byte:
    superblock A (B blank), then the groups (lists of (kind, payload))
    each on a fresh sector in area `which`, chained as the engine does.
    sb_head: how many records the superblock names as durable."""
    region = bytearray((2 + 2 * area) * 512)
    start = (2 + which * area) * 512
    off, seq, prev, recs = 0, base_seq, base_prev, []
    for g in groups:
        durable = seq - 1
        for kind, payload in g:
            rec = ledger.encode_record(epoch, seq, durable, kind, payload, prev)
            region[start + off:start + off + len(rec)] = rec
            recs.append((seq, rec[96:128], off + len(rec)))
            prev, seq, off = rec[96:128], seq + 1, off + len(rec)
        off = (off + 511) // 512 * 512
    head = recs[sb_head - 1] if sb_head else (base_seq - 1, base_prev, 0)
    region[0:512] = ledger.encode_super(
        generation=2, region_sectors=2 + 2 * area, epoch=epoch, area=which,
        area_start=2 + which * area, area_sectors=area, base_seq=base_seq, base_prev=base_prev,
        head_seq=head[0], head_off=head[2], head_hash=head[1])
    return bytes([flag]) + bytes(region)


def strand_record(name, gen, preferred, strands, flags=0, calls=0, time=0):
    """A strand table record (abi/karyon/update.h): strands is two
    (state, image, version, strand flags) tuples, image None when empty."""
    b = struct.pack("<IHHQ", 0x4452534B, 1, flags, gen) + name.encode().ljust(32, b"\0")
    b += struct.pack("<B3xIQ", preferred, calls, time)
    for state, img, version, sflags in strands:
        if img is None:
            b += bytes(64)
        else:
            b += (hashlib.blake2b(img, digest_size=32).digest()
                  + struct.pack("<QIBB18x", len(img), version, state, sflags))
    b += bytes(32)
    return b + hashlib.blake2b(b, digest_size=32).digest()

def vfs_packed(entries, root_mtime=1):
    """A tree as vfs_pack lays it out (modules/vfs/vfs_tree.c): entries
    are (name, mtime, contents), contents bytes for a file or a list of
    entries (in strcmp order) for a directory."""
    out, count, up = [], 0, 0

    # Depth-first; a directory's first entry goes "down", a later one
    # climbs `up` levels from the node before it (the last of the subtree
    # of its previous sibling).
    def node(entries):
        nonlocal count, up
        for i, (name, mtime, contents) in enumerate(entries):
            d = isinstance(contents, list)
            data = b"" if d else contents
            out.append(struct.pack("<BBHIQQ", d, i == 0, len(name), 0 if i == 0 else up,
                                   mtime, len(data)) + name.encode("latin-1") + data)
            count += 1
            up = 0
            if d and contents:
                node(contents)
        up += 1

    node(entries)
    return struct.pack("<IIQQ", 0x4c534656, 1, count, root_mtime) + b"".join(out)


def main():
    if len(sys.argv) >= 3:
        for src, name in zip(sys.argv[1:], ["hello.kmod", "relocs.kmod", "plain.o"]):
            os.makedirs(os.path.join(CORPUS, "kmod_elf"), exist_ok=True)
            shutil.copyfile(src, os.path.join(CORPUS, "kmod_elf", name))

    mmap = struct.pack("<II", 24, 0) + struct.pack("<QQII", 0, 0x9fc00, 1, 0) + \
        struct.pack("<QQII", 0x100000, 0x7ee0000, 1, 0) + struct.pack("<QQII", 0xfffc0000, 0x40000, 2, 0)
    put("mb2", "full", mb2([mb2_tag(1, b"console=serial shell.script=/etc/rc\0"),
                            mb2_tag(2, b"GRUB 2.06\0"),
                            mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"initrd\0"),
                            mb2_tag(6, mmap),
                            mb2_tag(14, b"RSD PTR " + bytes(12))]))
    put("mb2", "minimal", mb2([]))
    put("mb2", "mmap-only", mb2([mb2_tag(6, mmap)]))

    tr = newc("TRAILER!!!", mode=0)
    put("initrd", "tree", newc("etc", mode=0o40755) + newc("etc/rc", b"echo hi\n") +
        newc("bin/x/y", b"data") + tr + b"\0" * 64)
    put("initrd", "depth-last", newc("a/b/c", b"1") + newc("a/b", mode=0o40755) +
        newc("a/link", b"c", mode=0o120777) + tr)
    put("initrd", "empty", tr)

    for i, line in enumerate(["echo hello world",
                              "cat 'a b' \"c\\\"d\" e\\ f > out # comment",
                              "ls >> /var/log", "  # only a comment", "x >"]):
        put("token", "line%d" % i, line)

    put("lineedit", "keys", "\x08ls -l\r")
    put("lineedit", "edit", "\x10echo abc\x1b[D\x1b[DX\x1b[3~\x7f\x1b[H\x1b[F\x1bOH\r\n")
    put("lineedit", "history", "\x08one\rtwo\r\x1b[A\x1b[A\x1b[B\r\x03par\x15tial\x0b\r")
    put("lineedit", "complete", "\x04ca\t\tc\t\t/b\t\t\r")

    put("vfs_path", "rel", "\x00/usr/lib\x00../bin/./sh")
    put("vfs_path", "abs", "\x20/x\x00/a//b/../../../c/")
    put("vfs_path", "nocwd", "\x04a/b/c")

    def rec(kind, payload):
        return bytes([kind, len(payload)]) + payload
    put("vfs_commit", "tree", rec(0, b"/a/b\0\1") + rec(2, b"/a/f\0\0hello") +
        rec(2, b"/a/f\0\1 world") + rec(4, b"/a/f\0/a/b\0") + rec(3, b"/a/b\0/c\0") +
        rec(1, b"/a\0\0") + rec(1, b"/a\0\1") + rec(5, b"/x\0\0"))
    put("vfs_commit", "limits", rec(0, b"/a/b/c/d/e\0\1") + rec(2, b"/toolongname\0\0x") +
        rec(2, b"/f\0\0" + b"x" * 70) + rec(1, b"/\0\1") + rec(3, b"/\0/a\0"))

    # vfs_unpack: packed trees within fuzz_vfs_unpack.c's limits (names of
    # 8 bytes, 4 deep, paths of 32, 16 nodes, files of 64 bytes, 256 in all).
    put("vfs_unpack", "tree", vfs_packed([
        ("a", 2, [("x", 3, b"hi"), ("y", 4, [])]), ("a b", 5, b""), ("a-b", 6, [("c", 7, [])]),
        ("a.txt", 8, b"text\n"), ("etc", 9, [("rc", 10, b"echo hi\n" * 8)]),
        ("z", 11, [("1", 12, [("2", 13, [("3", 14, b"deep")])])])], root_mtime=15))
    put("vfs_unpack", "empty", vfs_packed([], root_mtime=0))
    put("vfs_unpack", "longest", vfs_packed([("aaaaaaa", 1, [("bbbbbbb", 2, [("ccccccc", 3, [
        ("ddddddd", 4, b"32 bytes of path"), ("e", 5, [])])])]), ("b", 6, [])]))
    put("vfs_unpack", "climb", vfs_packed([
        ("d", 1, [("e", 2, [("f", 3, [("g", 4, b"")])])]), ("\xff", 5, b"\x00" * 64)]))

    put("cmdline", "core", "\x00debug mem=0x1000 port=80 level=info name=\"a b\" x=y")
    put("cmdline", "shell", "\x01shell.script=/etc/rc2 shell.debug shell.port=9 other.k=v")

    put("work", "submit", "\x00hello\x00a\x00--prio\x003\x00--gas\x001000\x00--after\x002\x00--\x00--x")
    put("work", "limits", "\x00h\x00--mem\x0016\x00--time\x00500\x00--quantum\x005000")
    put("work", "conf", "\x01# karyon.conf\nforeground = 4\n\n")

    put("manifest", "full", "version=2; events=timer.*, vfs.write:/data; grants=console; contexts=background")
    put("manifest", "spaces", " version = 7 ;\tevents = timer.tick , vfs.*:/a/b ; grants= vfs.read , time ;"
        "contexts = foreground , background ;")
    put("manifest", "paths", "version=1;contexts=background;events=*:/,vfs.write:/data,vfs.write:/data/x,"
        "vfs.write:/database,vfs.w*:/data,vfs.write,*,a*,ab,ab*:/x")
    put("manifest", "grants", "contexts=foreground;version=4294967295;grants=console,vfs.read,vfs.write,"
        "time,events.raise;events=")
    put("manifest", "bad", "version=1; contexts=background; events=Timer, vfs.write:/a//b")
    put("manifest", "nul", "version=3; contexts=foreground\0; grants=nonsense")

    # vq: a size byte, then opcodes (fuzz_vq.c): 0 post LEN, 1 complete K,
    # 2 used entry ID32, 3 used idx IDX16, 4 scribble D NEXT16, 5..7 reap.
    put("vq", "fair", b"\x02" + b"\x00\x01\x00\x02\x00\x00" + b"\x01\x01\x01\x00\x05"
        + b"\x01\x00\x05" + b"\x00\x85\x01\x00\x05")
    put("vq", "double", b"\x01" + b"\x00\x00\x00\x01\x01\x00\x05" + b"\x02\x00\x00\x00\x00\x05")
    put("vq", "jump", b"\x03" + b"\x00\x02\x00\x02" + b"\x03\x07\x00\x05")
    put("vq", "scribble", b"\x00" + b"\x00\x02\x04\x00\xf0\xff\x01\x00\x05\x00\x01\x05")
    put("vq", "full", b"\x07" + b"\x00\xff" + b"\x00\x00" + b"\x01\x00\x05\x00\x80\x05")

    put("gas", "loops", '# 1 "h.c"\nint f(int n){int i,s=0;for(i=0;i<n;i++){while(s>3)s--;'
        'do s++;while(s<2);}\nif(s)goto x;\nx: return s;}\nint main(void){return f(3);}\n')
    put("gas", "switch", '# 1 "s.c"\nstatic int g(int c){switch(c){case 1:for(;;)break;default:'
        'return 2;}l: if(c--)goto l;return 0;}\n')

    convs = "diouxXcspaAeEfFgGb%"
    one = struct.pack("<d", 1.5)
    ld = struct.pack("<Q", 0xc000000000000000) + struct.pack("<H", 0x3fff)
    chunks = []
    for i, c in enumerate(convs):
        arg = ld if c in "aAeEfFgG" and i % 2 else one if c in "aAeEfFgG" else struct.pack("<q", -1234567)
        chunks.append(printf_chunk(i, i % 32, 0x40 if i % 3 else 12, 0x40 if i % 2 else 3,
                                   i % 10 if c not in "aAeEfFgGcs" else i % 2, 255, arg))
    put("printf", "each", b"".join(chunks[:10]))
    put("printf", "each2", b"".join(chunks[10:]))
    put("printf", "stars", printf_chunk(13, 0x11, 0x80, 0x80, 0, 255, one) +
        printf_chunk(7, 0x02, 0x80, 0x40, 1, 255, b"", b"wide"))
    put("printf", "short", printf_chunk(0, 0, 20, 0x40, 0, 5, struct.pack("<q", 99999)))

    for i, (fmt, inp) in enumerate([("%d %s%n", "12 abc"), ("%[a-z]%c", "hello!"),
                                    ("%lf%x", "1.5e3 ff"), ("%5c%*d%ls", "abcdefg 12 wide"),
                                    ("%hhd,%llu %p", "-3,18446744073709551615 0x10"),
                                    ("x%%%i", "x% 0x1f")]):
        put("scanf", "s%d" % i, fmt + "\0" + inp)

    # clog: a flag byte (max_sectors, append), then a log region
    # (fuzz_clog.c); the engine reads them as tests/unit/test_clog.c shows.
    g1 = [("clog.genesis", b"GENESIS\0" + bytes(176)), ("vfs.write", b"/etc/motd\0hi\n")]
    g2 = [("kmod.load", b"hello.kmod\0" + bytes(range(256)) * 2)]
    g3 = [("vfs.unlink", b"/tmp/x\0"), ("events.handler", b"EVENT HANDLER\0ab")]
    put("clog", "empty", clog_image([]))
    put("clog", "groups", clog_image([g1, g2, g3], sb_head=2))
    torn = bytearray(clog_image([g1, g2, g3]))
    torn[1 + 5 * 512 + 200:1 + 5 * 512 + 288] = bytes(88)       # g3's second record torn
    put("clog", "torn", bytes(torn))
    bad = bytearray(clog_image([g1, g2, g3], flag=0x02))
    bad[1 + 2 * 512 + 300] ^= 1                                   # an acknowledged record
    put("clog", "corrupt", bytes(bad))
    put("clog", "compacted", clog_image([[("clog.root", bytes(176))], g3], epoch=2, which=1,
                                        base_seq=6, base_prev=bytes(range(32)), sb_head=1))
    put("clog", "record", ledger.encode_record(1, 5, 4, "vfs.write", b"/a\0b", bytes(32)))

    # parcel: streams of parcels (fuzz_parcel.c), cut from the golden
    # parcels that test_parcel.c and parcelcat check (Python has no XXH3
    # here, so no seed is computed: every one is golden bytes, whole, alone,
    # cut, flipped or shuffled).
    with open(os.path.join(GOLDEN, "parcel.bin"), "rb") as f:
        gold = f.read()
    parcels, off = [], 0
    while off < len(gold):
        n = 16 + struct.unpack_from("<H", gold, off + 6)[0]
        parcels.append(gold[off:off + n])
        off += n
    put("parcel", "golden", gold)
    for i, p in enumerate(parcels):
        put("parcel", "one%d" % i, p)
    put("parcel", "cut", gold[:len(gold) - 5])
    flipped = bytearray(gold)
    flipped[len(parcels[0]) + 9] ^= 0x40                        # the second parcel's seq
    put("parcel", "flipped", bytes(flipped))
    put("parcel", "garbage-between", parcels[2] + b"\xc5\x01junk" + parcels[4] + parcels[0])
    # channels: a selector byte, then .channels text (bit 0) or a blob
    # (fuzz_channels.c); the blob is tests/unit/org_fixtures' golden one,
    # which unit-org-mkchannels keeps in step with tools/mkchannels.
    fixtures = os.path.join(os.path.dirname(CORPUS), "..", "unit", "org_fixtures")
    sample_text = open(os.path.join(fixtures, "sample.channels"), "rb").read()
    sample_blob = open(os.path.join(fixtures, "sample.blob"), "rb").read()
    put("channels", "text-sample", b"\x01" + sample_text)
    put("channels", "text-two", "\x01channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
        "channel 1 x from b,a to a rate 5/s burst 2 depth 3 prio 7\n")
    put("channels", "text-bad", "\x01channel 0 obs from a to b rate 0/s burst 1 depth 1 prio 0\n")
    put("channels", "blob-sample", b"\x00" + sample_blob)
    put("channels", "blob-resealed", b"\x02" + sample_blob)

    # smt_proof: a selector byte, then a proof (bit 0 clear: the golden
    # proofs test_vm_smt.c checks, and the empty tree's) or 5-byte set and
    # delete operations (bit 0 set) on keys sharing long prefixes.
    for name, gold in (("golden-inclusion", "smt_proof.bin"),
                       ("golden-exclusion", "smt_proof_absent.bin")):
        with open(os.path.join(GOLDEN, gold), "rb") as f:
            put("smt_proof", name, b"\x00" + f.read())
    put("smt_proof", "empty-tree", b"\x00KSMP\x01\x01" + bytes(130))
    for n in (1, 2, 5, 12, 30):
        ops = bytearray(b"\x01")
        for i in range(n):
            op = (i * 37) & 0x7e if i < n * 2 // 3 else (i * 53) & 0xff
            ops += bytes([op, (i * 71) & 0xff, (0, 1, 0xff)[i % 3], i & 1, 0xff])
        put("smt_proof", "tree%d" % n, bytes(ops))

    # liba_enc: a count of reads, one byte each (low 3 bits: u8 u32 u64
    # addr bytes copy; copy's buffer is (op >> 3) * 4 bytes), then the bytes
    # they read: the golden transfer_from arguments read as written, short,
    # with a byte left over, and copied into a buffer too small.
    with open(os.path.join(GOLDEN, "liba_args.bin"), "rb") as f:
        args = f.read()
    script = bytes([6, 3, 3, 2, 4, 1, 0])
    put("liba_enc", "golden-args", script + args)
    put("liba_enc", "golden-short", script + args[:-3])
    put("liba_enc", "golden-extra", script + args + b"\x00")
    put("liba_enc", "golden-copy", bytes([6, 3, 3, 2, (3 << 3) | 5, 1, 0]) + args)
    put("liba_enc", "huge-length", bytes([2, 4, 0]) + b"\xff\xff\xff\xff" + bytes(8))
    put("liba_enc", "empty", b"\x00")

    # update_strand: a record (the golden one, cut short, grown), or a store:
    # record.a, record.b, then strand.a and strand.b's images in two halves
    # (fuzz_update_strand.c).
    with open(os.path.join(GOLDEN, "update_strand.bin"), "rb") as f:
        gold = f.read()
    put("update_strand", "golden", gold)
    put("update_strand", "short", gold[:200])
    put("update_strand", "long", gold + b"\0")
    img_a, img_b = bytes(range(256)) * 4, bytes(range(255, -1, -1)) * 4
    a = strand_record("vfs", 3, 1, [(2, img_a, 0x010000, 0), (2, img_b, 0x010100, 0)], flags=1,
                      calls=10)
    b = strand_record("vfs", 2, 0, [(2, img_a, 0x010000, 0), (1, img_b, 0x010100, 0)])
    put("update_strand", "store-probation", a + b + img_a + img_b)
    trial = strand_record("vfs", 4, 1, [(2, img_a, 0x010000, 0), (2, img_b, 0x010100, 1)],
                          flags=3)
    put("update_strand", "store-trial", a + trial + img_a + img_b)
    put("update_strand", "store-damaged", a + b + img_a + img_b[:-1] + b"\x01")
    put("update_strand", "store-torn", a[:100] + bytes(156) + b + img_a + img_b)

    for i, s in enumerate(["1.5e308", "0x1.fffffffffffffp1023", "nan(0x123)", "-inf",
                           "2.2250738585072011e-308", "1e-400", "  .5e+3x", "123456789012345678901234567890"]):
        put("strtod", "n%d" % i, s)

    for i, (base, s) in enumerate([(11, "12345"), (17, " -0x7fffffffffffffff"), (1, " 0777"),
                                   (37, "zz"), (0, "9"), (11, "-18446744073709551616")]):
        put("strtol", "n%d" % i, bytes([base]) + s.encode())


if __name__ == "__main__":
    main()
