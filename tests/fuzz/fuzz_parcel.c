/*
 * fuzz_parcel.c - libFuzzer target for the parcel decoder
 * (modules/organelles/parcel.c, XXH3 through xxh.c and Debian's
 * libxxhash.a), the sanitizer every parcel passes before delivery.
 *
 * The input, in an exact-size allocation (ASan sees a read past it), is
 * read twice:
 *   - as one parcel: parcel_decode of the whole input;
 *   - as a stream: decode at the offset; a parcel moves on by its size, a
 *     malformed one by one byte (resynchronising), a truncated one ends it.
 * Checked on every answer, abort() if broken: a refusal gives a reason and
 * leaves the view alone; an accepted parcel has a known version, magic and
 * flags, a length within the limit, size == 16 + length within the input,
 * and encoding its fields again gives exactly its bytes (so decode accepts
 * nothing encode could not have written).  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parcel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t again[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];

/* One decode at p (avail bytes): KR_OK, KR_ETRUNC or KR_EFORMAT. */
static kr_err_t one(const uint8_t *p, size_t avail)
{
	struct parcel_view v, before;
	const char *why = NULL;
	size_t n = 0;
	kr_err_t e;

	memset(&v, 0xA5, sizeof(v));
	before = v;
	e = parcel_decode(p, avail, &v, &why);
	if (e != KR_OK) {
		if ((e != KR_ETRUNC && e != KR_EFORMAT) || !why || memcmp(&v, &before, sizeof(v)))
			abort();
		return e;
	}
	if (v.length > KR_PARCEL_PAYLOAD_MAX || v.size != KR_PARCEL_HDR_SIZE + (size_t)v.length ||
	    v.size > avail || v.payload != p + KR_PARCEL_HDR_SIZE ||
	    (v.flags & ~KR_PARCEL_F_KNOWN) || p[0] != KR_PARCEL_MAGIC ||
	    p[1] != KR_PARCEL_VERSION)
		abort();
	if (parcel_encode(again, sizeof(again), v.channel, v.kind, v.flags, v.seq, v.payload,
			  v.length, &n) != KR_OK || n != v.size || memcmp(again, p, n))
		abort();
	return KR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	one(buf, size);
	while (off < size) {
		kr_err_t e = one(buf + off, size - off);

		if (e == KR_ETRUNC)
			break;
		off += e == KR_OK ? KR_PARCEL_HDR_SIZE + (size_t)(buf[off + 6] | buf[off + 7] << 8)
				  : 1;
	}
	free(buf);
	return 0;
}
