/*
 * fuzz_liba_enc.c - libFuzzer target for the contract argument reader
 * (sdk/liba/enc.c): what a contract's method runs over a caller's bytes.
 *
 * The input is a script and the bytes it reads: byte 0 gives the number of
 * reads (its low 5 bits), the next bytes one read each (its low 3 bits:
 * u8, u32, u64, addr, bytes, or copy into a buffer of (op >> 3) * 4
 * bytes), and the rest, in an exact-size allocation (ASan sees a read past
 * it), is what they read.  Checked after every read, abort() if broken:
 * the position never passes the end and moves only on success, by the
 * field's size; a failed read returns zeros and sets an error that never
 * changes after; bytes read in place lie inside the buffer.  At the end,
 * the fields read re-encode with the writer to exactly the bytes consumed
 * (the encoding is canonical), and liba_r_done agrees with what is left.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <liba_enc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1u << 17], copied[124];
	struct liba_r r;
	struct liba_w w;
	uint8_t *buf, addr[32];
	size_t nops, len;

	if (size < 1)
		return 0;
	nops = data[0] & 31;
	if (size < 1 + nops)
		return 0;
	len = size - 1 - nops;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1 + nops, len);
	liba_r_init(&r, buf, (uint32_t)len);
	liba_w_init(&w, out, sizeof(out));
	for (size_t i = 0; i < nops; i++) {
		uint8_t op = data[1 + i];
		uint32_t before = r.pos, n = 0, want = 0;
		int32_t err = r.err;
		uint64_t v = 0;
		const uint8_t *p = NULL;
		long c = 0;

		switch (op & 7) {
		case 0: v = liba_r_u8(&r); want = 1; if (!r.err) liba_w_u8(&w, (uint8_t)v); break;
		case 1: v = liba_r_u32(&r); want = 4; if (!r.err) liba_w_u32(&w, (uint32_t)v); break;
		case 2: v = liba_r_u64(&r); want = 8; if (!r.err) liba_w_u64(&w, v); break;
		case 3:
			liba_r_addr(&r, addr);
			want = 32;
			if (!r.err)
				liba_w_addr(&w, addr);
			else
				for (int k = 0; k < 32; k++)
					v |= addr[k];
			break;
		case 4:
			p = liba_r_bytes(&r, &n);
			want = 4 + n;
			if (!r.err) {
				if (!p || p < buf || n > len || p + n > buf + len)
					abort();
				liba_w_bytes(&w, p, n);
			} else if (p || n) {
				abort();
			}
			break;
		default:
			c = liba_r_copy(&r, copied, (uint32_t)(op >> 3) * 4);
			if (!r.err) {
				if (c < 0 || (uint32_t)c > (uint32_t)(op >> 3) * 4u)
					abort();
				want = 4 + (uint32_t)c;
				liba_w_bytes(&w, copied, (uint32_t)c);
			} else if (c != r.err) {
				abort();
			}
			break;
		}
		if (r.pos > r.len || r.len != len)
			abort();
		if (err && r.err != err)                /* sticky */
			abort();
		if (r.err) {
			if (r.pos != before || v)
				abort();
			if (r.err != KR_ETRUNC && r.err != KR_ERANGE)
				abort();
		} else if (r.pos != before + want) {
			abort();
		}
	}
	/* Canonical: what was read re-encodes to the bytes consumed. */
	if (liba_w_done(&w) != (long)r.pos || memcmp(out, buf, r.pos))
		abort();
	long d = liba_r_done(&r);

	if (d != (r.err ? r.err : r.pos == len ? 0 : KR_EFORMAT))
		abort();
	free(buf);
	return 0;
}
