#!/usr/bin/env python3
"""check_mkchannels.py - tools/mkchannels against the pinned blob layout.

Usage: check_mkchannels.py MKCHANNELS FIXTURES_DIR

Compiles FIXTURES_DIR/sample.channels and checks the blob byte for byte
against the golden sample.blob, then reads it again here with struct and
hashlib (an independent reading of the layout docs/organelles.md pins:
header fields, the reservoir, endpoint names and budgets, a channel
record, the BLAKE2b-256 trailer), checks that
--check prints the graph back, and that a bad profile and an altered blob
are refused with a reason.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile


def fail(msg):
    print("check_mkchannels: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    tool, fixtures = sys.argv[1], sys.argv[2]
    golden = open(os.path.join(fixtures, "sample.blob"), "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "sample.blob")
        r = subprocess.run([tool, os.path.join(fixtures, "sample.channels"), out],
                           capture_output=True, text=True)
        if r.returncode:
            fail("mkchannels failed: " + r.stderr)
        blob = open(out, "rb").read()
        if blob != golden:
            fail("the blob differs from the golden sample.blob (a layout change is a new version)")
        (magic, version, n_ep, n_chan, flags, total,
         gas, gas_rate, cost, per_byte) = struct.unpack_from("<IHHHHIQQII", blob, 0)
        if (magic, version, flags) != (0x4E48434B, 1, 0) or blob[:4] != b"KCHN":
            fail("header: magic 0x%x version %d flags %d" % (magic, version, flags))
        if total != len(blob) or total != 40 + 72 * n_ep + 48 * n_chan + 32:
            fail("total %d for %d endpoints, %d channels" % (total, n_ep, n_chan))
        if (n_ep, n_chan) != (4, 4):
            fail("sample: %d endpoints, %d channels" % (n_ep, n_chan))
        if (gas, gas_rate, cost, per_byte) != (100000, 50000, 10, 1):
            fail("reservoir %r" % ((gas, gas_rate, cost, per_byte),))
        names = [blob[40 + 72 * i:72 + 72 * i].rstrip(b"\0").decode() for i in range(n_ep)]
        if names != ["kernel", "vfs", "h:counter", "shell"]:
            fail("endpoint names %r (numbered in order of first appearance)" % names)
        unlimited = 2 ** 64 - 1
        budgets = [struct.unpack_from("<5Q", blob, 72 + 72 * i) for i in range(n_ep)]
        if budgets != [(unlimited,) * 5, (unlimited,) * 4 + (100000,),
                       (1000000, 5000, 1048576, 64, unlimited), (unlimited,) * 5]:
            fail("budgets %r" % budgets)
        at = 40 + 72 * n_ep + 48 * 1      # channel 1, vfs.req
        cid, prio, cflags, rate, burst, depth, snd, rcv = struct.unpack_from("<HBBIIIQQ", blob, at)
        cname = blob[at + 32:at + 48].rstrip(b"\0")
        if (cid, prio, cflags, rate, burst, depth, cname) != (1, 2, 0, 100, 10, 16, b"vfs.req"):
            fail("channel 1: %r" % ((cid, prio, cflags, rate, burst, depth, cname),))
        if snd != (1 << 3 | 1 << 2) or rcv != 1 << 1:
            fail("channel 1 masks %x %x" % (snd, rcv))
        if hashlib.blake2b(blob[:-32], digest_size=32).digest() != blob[-32:]:
            fail("the trailer is not BLAKE2b-256 of the bytes before it")
        if r.stdout.split()[0] != "b2:" + blob[-32:].hex():
            fail("printed digest %r" % r.stdout)

        r = subprocess.run([tool, "--check", out], capture_output=True, text=True)
        want = "channel 1 vfs.req from h:counter,shell to vfs rate 100/s burst 10 depth 16 prio 2"
        lines = r.stdout.splitlines()
        if (r.returncode or want not in lines
                or "reservoir gas 100000 rate 50000/s cost 10 per-byte 1" not in lines
                or "budget h:counter gas 1000000 parcels 5000 bytes 1048576 pages 64" not in lines):
            fail("--check printed %r %r" % (r.stdout, r.stderr))

        bad = os.path.join(tmp, "bad.channels")
        with open(bad, "w") as f:
            f.write("channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
                    "channel 1 x from a to b rate 0/s burst 1 depth 1 prio 0\n")
        r = subprocess.run([tool, bad, os.path.join(tmp, "bad.blob")], capture_output=True, text=True)
        if r.returncode != 1 or "line 2: rate '0/s'" not in r.stderr:
            fail("bad profile: %d %r" % (r.returncode, r.stderr))

        altered = bytearray(blob)
        altered[40] ^= 0x20                # 'k' of kernel -> 'K'
        with open(out, "wb") as f:
            f.write(altered)
        r = subprocess.run([tool, "--check", out], capture_output=True, text=True)
        if r.returncode != 1 or "digest mismatch" not in r.stderr:
            fail("altered blob: %d %r" % (r.returncode, r.stderr))
    print("check_mkchannels: ok")


if __name__ == "__main__":
    main()
