/*
 * test_parcel.c - the parcel codec (modules/organelles/parcel.c) and its
 * XXH3 glue (xxh.c over Debian's libxxhash.a): the bytes of the header,
 * round trips, every refusal with its reason, every truncation, every bit
 * of header and payload under the checksum, the limits of seq and channel,
 * a stream, and the golden file tests/unit/golden/parcel.bin that
 * parcelcat decodes too (tests/tools/test_parcelcat.py).
 *
 * Usage: test_parcel GOLDEN_DIR (tests/unit/golden)
 *        test_parcel --write-golden FILE   (writes parcel.bin; review it)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parcel.h"
#include "xxh.h"

#define MAXP (KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX)

static const char *golden_dir = "tests/unit/golden";
static uint8_t frame[MAXP + 64];
static uint8_t payload[KR_PARCEL_PAYLOAD_MAX + 1];

static void fill(uint8_t *p, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + salt * 7 + (i >> 8));
}

static size_t enc(uint16_t ch, uint8_t kind, uint8_t flags, uint32_t seq, const void *p,
		  uint16_t len)
{
	size_t n = 0;

	assert_int_equal(parcel_encode(frame, sizeof(frame), ch, kind, flags, seq, p, len, &n),
			 KR_OK);
	assert_int_equal(n, KR_PARCEL_HDR_SIZE + (size_t)len);
	return n;
}

/* The check computed here from its definition, not by the codec. */
static uint32_t check_of(const uint8_t *buf, size_t n)
{
	uint8_t *copy = malloc(n);
	uint32_t c;

	memcpy(copy, buf, n);
	memset(copy + 12, 0, 4);
	c = (uint32_t)parcel_xxh3(copy, n);
	free(copy);
	return c;
}

/* Decode must refuse with err and why and leave *out alone. */
static void refused(const uint8_t *buf, size_t avail, kr_err_t err, const char *why_want)
{
	struct parcel_view v, before;
	const char *why = NULL;

	memset(&v, 0x5a, sizeof(v));
	before = v;
	assert_int_equal(parcel_decode(buf, avail, &v, &why), err);
	assert_non_null(why);
	assert_string_equal(why, why_want);
	assert_memory_equal(&v, &before, sizeof(v));
}

static void test_xxh3(void **state)
{
	static uint8_t data[MAXP];

	(void)state;
	/* XXH3-64 of nothing, seed 0: xxHash's published value. */
	assert_true(parcel_xxh3(NULL, 0) == 0x2D06800538D394C2ull);
	assert_true(parcel_xxh3_2(NULL, 0, NULL, 0) == 0x2D06800538D394C2ull);
	fill(data, sizeof(data), 1);
	/* Two pieces hash as their concatenation, across XXH3's short,
	 * mid, long and streaming-buffer boundaries. */
	static const size_t sizes[] = { 1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 256, 257,
					1024, 1025, MAXP };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		uint64_t want = parcel_xxh3(data, n);

		for (size_t cut = 0; cut <= n; cut += (n > 300 ? 61 : 1))
			assert_true(parcel_xxh3_2(data, cut, data + cut, n - cut) == want);
		assert_true(parcel_xxh3_2(data, 16, data + 16, n > 16 ? n - 16 : 0) ==
			    parcel_xxh3(data, n > 16 ? n : 16));
	}
}

static void test_header_bytes(void **state)
{
	size_t n;

	(void)state;
	n = enc(0xBEEF, 0xA5, KR_PARCEL_F_MORE, 0xDEADBEEF, "xyz", 3);
	static const uint8_t want[12] = { 0xC5, 1, 0xEF, 0xBE, 0xA5, 0x01, 3, 0,
					  0xEF, 0xBE, 0xAD, 0xDE };
	assert_memory_equal(frame, want, sizeof(want));
	uint32_t c = check_of(frame, n);
	assert_int_equal(frame[12] | frame[13] << 8 | frame[14] << 16 | (uint32_t)frame[15] << 24,
			 c);
	assert_memory_equal(frame + 16, "xyz", 3);
}

static void test_roundtrip(void **state)
{
	static const uint16_t lens[] = { 0, 1, 2, 15, 16, 17, 64, 239, 240, 241, 255, 256, 1000,
					 4095, 4096 };

	(void)state;
	fill(payload, sizeof(payload), 3);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (uint8_t flags = 0; flags <= KR_PARCEL_F_KNOWN; flags++) {
			struct parcel_view v;
			const char *why = "untouched";
			size_t n = enc((uint16_t)(i * 977), (uint8_t)i, flags, (uint32_t)i * 1000003u,
				       payload, lens[i]);

			/* More bytes after it change nothing. */
			assert_int_equal(parcel_decode(frame, n + 7, &v, &why), KR_OK);
			assert_string_equal(why, "untouched");
			assert_int_equal(v.channel, (uint16_t)(i * 977));
			assert_int_equal(v.kind, (uint8_t)i);
			assert_int_equal(v.flags, flags);
			assert_int_equal(v.seq, (uint32_t)i * 1000003u);
			assert_int_equal(v.length, lens[i]);
			assert_int_equal(v.size, n);
			assert_int_equal(v.check, check_of(frame, n));
			assert_ptr_equal(v.payload, frame + KR_PARCEL_HDR_SIZE);
			assert_memory_equal(v.payload, payload, lens[i]);
			/* A NULL why is allowed. */
			assert_int_equal(parcel_decode(frame, n, &v, NULL), KR_OK);
		}
	}
}

static void test_limits(void **state)
{
	static const uint16_t chans[] = { 0, 1, 0x7FFF, 0x8000, UINT16_MAX };
	static const uint32_t seqs[] = { 0, 1, 0x7FFFFFFF, 0x80000000u, UINT32_MAX };

	(void)state;
	for (size_t c = 0; c < 5; c++)
		for (size_t s = 0; s < 5; s++)
			for (unsigned k = 0; k <= 255; k += 255) {
				struct parcel_view v;
				size_t n = enc(chans[c], (uint8_t)k, 0, seqs[s], "lim", 3);

				assert_int_equal(parcel_decode(frame, n, &v, NULL), KR_OK);
				assert_int_equal(v.channel, chans[c]);
				assert_int_equal(v.seq, seqs[s]);
				assert_int_equal(v.kind, k);
			}
}

/* parcel_frame (the inline framing the fabric uses after its own checks)
 * writes exactly parcel_encode's bytes, for every length up to 300 and
 * the maximum, with flags and any channel, kind and seq. */
static void test_frame_is_encode(void **state)
{
	static uint8_t a[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];
	static uint8_t b[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];
	static uint8_t payload[KR_PARCEL_PAYLOAD_MAX];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 131 + 7);
	for (unsigned len = 0; len <= KR_PARCEL_PAYLOAD_MAX;
	     len = len < 300 ? len + 1 : len < KR_PARCEL_PAYLOAD_MAX ? KR_PARCEL_PAYLOAD_MAX : len + 1) {
		uint16_t l = (uint16_t)len;
		uint16_t ch = (uint16_t)(len * 977u);
		uint32_t seq = 0x9e3779b9u * len;

		memset(a, 0xee, sizeof(a));
		memset(b, 0xee, sizeof(b));
		assert_int_equal(parcel_encode(a, sizeof(a), ch, (uint8_t)len, len & 1, seq, payload,
					       l, &n), KR_OK);
		assert_int_equal(parcel_frame(b, ch, (uint8_t)len, len & 1, seq, payload, l), n);
		assert_memory_equal(a, b, sizeof(a));
	}
}

static void test_encode_refusals(void **state)
{
	uint8_t buf[64], before[64];
	size_t n = 99;

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(parcel_encode(NULL, 64, 1, 0, 0, 0, "a", 1, &n), KR_EINVAL);
	assert_int_equal(parcel_encode(buf, 64, 1, 0, 0, 0, "a", 1, NULL), KR_EINVAL);
	assert_int_equal(parcel_encode(buf, 64, 1, 0, 0, 0, NULL, 1, &n), KR_EINVAL);
	for (unsigned bit = 0; bit < 8; bit++)
		if (!((1u << bit) & KR_PARCEL_F_KNOWN))
			assert_int_equal(parcel_encode(buf, 64, 1, 0, (uint8_t)(1u << bit), 0, "a", 1,
						       &n),
					 KR_EINVAL);
	assert_int_equal(parcel_encode(frame, sizeof(frame), 1, 0, 0, 0, payload,
				       KR_PARCEL_PAYLOAD_MAX + 1, &n),
			 KR_ERANGE);
	assert_int_equal(parcel_encode(frame, sizeof(frame), 1, 0, 0, 0, payload, UINT16_MAX, &n),
			 KR_ERANGE);
	for (size_t cap = 0; cap < 16 + 5; cap++)
		assert_int_equal(parcel_encode(buf, cap, 1, 0, 0, 0, "hello", 5, &n), KR_ENOSPC);
	assert_memory_equal(buf, before, sizeof(buf));
	assert_int_equal(n, 99);
	/* Exactly enough room, and a NULL payload of length 0. */
	assert_int_equal(parcel_encode(buf, 21, 1, 0, 0, 0, "hello", 5, &n), KR_OK);
	assert_int_equal(n, 21);
	assert_int_equal(parcel_encode(buf, 16, 1, 0, 0, 0, NULL, 0, &n), KR_OK);
	assert_int_equal(n, 16);
}

/* A payload written in place at buf + 16 frames as a copied one does. */
static void test_encode_in_place(void **state)
{
	uint8_t a[16 + 300], b[16 + 300];
	size_t na, nb;

	(void)state;
	fill(payload, 300, 9);
	assert_int_equal(parcel_encode(a, sizeof(a), 5, 6, 0, 7, payload, 300, &na), KR_OK);
	memcpy(b + 16, payload, 300);
	assert_int_equal(parcel_encode(b, sizeof(b), 5, 6, 0, 7, b + 16, 300, &nb), KR_OK);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
}

/* Set a header byte and fix the check, so that the check under test,
 * not the checksum, is what refuses it. */
static void set_byte(uint8_t *buf, size_t at, uint8_t val, size_t hashed)
{
	uint32_t c;

	buf[at] = val;
	c = check_of(buf, hashed);
	buf[12] = (uint8_t)c;
	buf[13] = (uint8_t)(c >> 8);
	buf[14] = (uint8_t)(c >> 16);
	buf[15] = (uint8_t)(c >> 24);
}

static void test_decode_refusals(void **state)
{
	struct parcel_view v;
	const char *why = NULL;
	size_t n;

	(void)state;
	n = enc(3, 4, 0, 5, "payload", 7);
	assert_int_equal(parcel_decode(NULL, n, &v, &why), KR_EINVAL);
	assert_string_equal(why, PARCEL_WHY_ARGS);
	assert_int_equal(parcel_decode(frame, n, NULL, &why), KR_EINVAL);

	for (unsigned m = 0; m < 256; m++) {
		if (m == KR_PARCEL_MAGIC)
			continue;
		n = enc(3, 4, 0, 5, "payload", 7);
		set_byte(frame, 0, (uint8_t)m, n);
		refused(frame, n, KR_EFORMAT, PARCEL_WHY_MAGIC);
	}
	for (unsigned ver = 0; ver < 256; ver++) {
		if (ver == KR_PARCEL_VERSION)
			continue;
		n = enc(3, 4, 0, 5, "payload", 7);
		set_byte(frame, 1, (uint8_t)ver, n);
		refused(frame, n, KR_EFORMAT, PARCEL_WHY_VERSION);
	}
	for (unsigned f = 0; f < 256; f++) {
		if (!(f & ~KR_PARCEL_F_KNOWN))
			continue;
		n = enc(3, 4, 0, 5, "payload", 7);
		set_byte(frame, 5, (uint8_t)f, n);
		refused(frame, n, KR_EFORMAT, PARCEL_WHY_FLAGS);
	}
	/* A length over the limit, with all its bytes there: still refused. */
	static const uint16_t over[] = { KR_PARCEL_PAYLOAD_MAX + 1, 0x2000, UINT16_MAX };
	fill(payload, KR_PARCEL_PAYLOAD_MAX, 4);
	for (size_t i = 0; i < 3; i++) {
		static uint8_t big[16 + 65536];

		memset(big, 0, sizeof(big));
		assert_int_equal(parcel_encode(big, sizeof(big), 3, 4, 0, 5, payload, 10, &n),
				 KR_OK);
		big[6] = (uint8_t)over[i];
		set_byte(big, 7, (uint8_t)(over[i] >> 8), 16 + (size_t)over[i]);
		refused(big, sizeof(big), KR_EFORMAT, PARCEL_WHY_LENGTH);
	}
	/* The largest length allowed decodes. */
	n = enc(3, 4, 0, 5, payload, KR_PARCEL_PAYLOAD_MAX);
	assert_int_equal(parcel_decode(frame, n, &v, NULL), KR_OK);
	assert_int_equal(v.length, KR_PARCEL_PAYLOAD_MAX);
}

/* Every length short of the whole parcel is truncated, with the reason
 * for the part cut: the header or the payload. */
static void test_truncation(void **state)
{
	static const uint16_t lens[] = { 0, 1, 7, 300, KR_PARCEL_PAYLOAD_MAX };

	(void)state;
	fill(payload, KR_PARCEL_PAYLOAD_MAX, 5);
	for (size_t i = 0; i < 5; i++) {
		size_t n = enc(9, 9, 0, 9, payload, lens[i]);
		uint8_t *exact = malloc(n ? n : 1);

		for (size_t cut = 0; cut < n; cut++) {
			/* Its own allocation: ASan sees a read past the cut. */
			memcpy(exact, frame, cut);
			refused(exact, cut, KR_ETRUNC,
				cut < KR_PARCEL_HDR_SIZE ? PARCEL_WHY_SHORT_HDR : PARCEL_WHY_SHORT);
		}
		memcpy(exact, frame, n);
		struct parcel_view v;
		assert_int_equal(parcel_decode(exact, n, &v, NULL), KR_OK);
		free(exact);
	}
}

/* Flip every bit of header and payload: each is refused, and where the
 * bit is in a field no other check reads (channel, kind, seq, check, the
 * payload) the checksum is what refuses it. */
static void test_every_bit(void **state)
{
	(void)state;
	fill(payload, 300, 6);
	for (size_t k = 0; k < 2; k++) {
		uint16_t len = k ? 300 : 5;
		size_t n = enc(0x1234, 0x56, 0, 0x789ABCDE, payload, len);
		uint8_t *orig = malloc(n);

		memcpy(orig, frame, n);
		for (size_t bit = 0; bit < n * 8; bit++) {
			size_t byte = bit / 8;
			struct parcel_view v;
			const char *why = NULL;
			kr_err_t e;

			memcpy(frame, orig, n);
			frame[byte] ^= (uint8_t)(1u << (bit % 8));
			e = parcel_decode(frame, n, &v, &why);
			assert_int_not_equal(e, KR_OK);
			if (byte == 2 || byte == 3 || byte == 4 || byte >= 8)
				assert_string_equal(why, PARCEL_WHY_CHECK);
			else if (byte == 5 && bit % 8 == 0)
				assert_string_equal(why, PARCEL_WHY_CHECK);     /* F_MORE: known */
		}
		free(orig);
	}
}

/* Parcels back to back decode one after another, each from where the
 * last one's size says. */
static void test_stream(void **state)
{
	static uint8_t stream[4 * MAXP];
	size_t off = 0, n;

	(void)state;
	fill(payload, KR_PARCEL_PAYLOAD_MAX, 7);
	for (uint32_t i = 0; i < 20; i++) {
		assert_int_equal(parcel_encode(stream + off, sizeof(stream) - off, (uint16_t)i, 1,
					       0, i, payload, (uint16_t)(i * 37), &n),
				 KR_OK);
		off += n;
	}
	size_t total = off;
	off = 0;
	for (uint32_t i = 0; i < 20; i++) {
		struct parcel_view v;

		assert_int_equal(parcel_decode(stream + off, total - off, &v, NULL), KR_OK);
		assert_int_equal(v.seq, i);
		assert_int_equal(v.length, i * 37);
		off += v.size;
	}
	assert_int_equal(off, total);
}

/* parcel_decode_mut on a copy of avail bytes at b: the same answer, reason
 * and view as parcel_decode (the payload at the same offset), and the copy
 * as it was. */
static void same_as_decode(const uint8_t *b, size_t avail)
{
	uint8_t *copy = malloc(avail ? avail : 1);     /* exact size: ASan sees past it */
	struct parcel_view v1, v2;
	const char *why1 = "untouched", *why2 = "untouched";
	kr_err_t e1, e2;

	memcpy(copy, b, avail);
	memset(&v1, 0x5a, sizeof(v1));
	memset(&v2, 0x5a, sizeof(v2));
	e1 = parcel_decode(b, avail, &v1, &why1);
	e2 = parcel_decode_mut(copy, avail, &v2, &why2);
	assert_int_equal(e2, e1);
	assert_string_equal(why2, why1);
	assert_memory_equal(copy, b, avail);
	if (e1 == KR_OK) {
		assert_ptr_equal(v1.payload, b + KR_PARCEL_HDR_SIZE);
		assert_ptr_equal(v2.payload, copy + KR_PARCEL_HDR_SIZE);
		v2.payload = v1.payload;
	}
	assert_memory_equal(&v2, &v1, sizeof(v1));
	free(copy);
}

/* The in-place decode against the copying one: every length a parcel may
 * have (across the copying decode's short path at 240 payload bytes),
 * every refusal, and the bytes put back. */
static void test_decode_mut(void **state)
{
	struct parcel_view v;
	const char *why = NULL;
	size_t n;

	(void)state;
	fill(payload, KR_PARCEL_PAYLOAD_MAX, 11);
	for (uint32_t len = 0; len <= KR_PARCEL_PAYLOAD_MAX; len++) {
		n = enc((uint16_t)len, (uint8_t)(len * 3), len & KR_PARCEL_F_KNOWN, len * 7919u,
			payload, (uint16_t)len);
		same_as_decode(frame, n);
		/* more bytes after it */
		same_as_decode(frame, n + 5);
		assert_int_equal(parcel_decode_mut(frame, n, &v, NULL), KR_OK);
		assert_int_equal(v.length, len);
		/* a bit of the payload or check flipped */
		frame[n - 1] ^= 0x04;
		same_as_decode(frame, n);
		frame[n - 1] ^= 0x04;
		if (len % 97 == 0 || (len >= 236 && len <= 245)) {
			/* every truncation, and every bit of the header */
			for (size_t cut = 0; cut < n; cut += cut < 40 || n - cut < 40 ? 1 : 53)
				same_as_decode(frame, cut);
			for (unsigned bit = 0; bit < 8 * KR_PARCEL_HDR_SIZE; bit++) {
				frame[bit / 8] ^= (uint8_t)(1u << bit % 8);
				same_as_decode(frame, n);
				frame[bit / 8] ^= (uint8_t)(1u << bit % 8);
			}
		}
	}
	/* each refusal with a check that otherwise holds */
	n = enc(3, 4, 0, 5, "payload", 7);
	set_byte(frame, 0, KR_PARCEL_MAGIC ^ 0xFF, n);
	same_as_decode(frame, n);
	n = enc(3, 4, 0, 5, "payload", 7);
	set_byte(frame, 1, KR_PARCEL_VERSION + 1, n);
	same_as_decode(frame, n);
	n = enc(3, 4, 0, 5, "payload", 7);
	set_byte(frame, 5, 0x02, n);
	same_as_decode(frame, n);
	n = enc(3, 4, 0, 5, payload, 10);
	frame[6] = (uint8_t)(KR_PARCEL_PAYLOAD_MAX + 1);
	set_byte(frame, 7, (uint8_t)((KR_PARCEL_PAYLOAD_MAX + 1) >> 8),
		 KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1);
	assert_int_equal(parcel_decode_mut(frame, KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1, &v,
					   &why), KR_EFORMAT);
	assert_string_equal(why, PARCEL_WHY_LENGTH);
	same_as_decode(frame, KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1);
	/* bad arguments */
	assert_int_equal(parcel_decode_mut(NULL, n, &v, &why), KR_EINVAL);
	assert_string_equal(why, PARCEL_WHY_ARGS);
	assert_int_equal(parcel_decode_mut(frame, n, NULL, &why), KR_EINVAL);
}

/* The golden parcels: fixed inputs whose bytes are checked in. */
struct golden {
	uint16_t channel;
	uint8_t kind, flags;
	uint32_t seq;
	const char *payload;
	uint16_t len;
};
static const struct golden goldens[] = {
	{ 0, 1, 0, 0, "boot: hello from karyon", 23 },
	{ 1, 2, 0, 1, "", 0 },
	{ 7, 3, 0, 42, "hello, organelles", 17 },
	{ UINT16_MAX, UINT8_MAX, KR_PARCEL_F_MORE, UINT32_MAX, "\x00\x01\x7f\xff\"\\ bytes\n", 14 },
	{ 0x0102, 0x80, 0, 0x01020304, "little-endian", 13 },
};
#define NGOLDEN (sizeof(goldens) / sizeof(goldens[0]))

static size_t golden_encode(uint8_t *out, size_t cap)
{
	size_t off = 0, n;

	for (size_t i = 0; i < NGOLDEN; i++) {
		const struct golden *g = &goldens[i];

		if (parcel_encode(out + off, cap - off, g->channel, g->kind, g->flags, g->seq,
				  g->payload, g->len, &n) != KR_OK)
			return 0;
		off += n;
	}
	return off;
}

static void test_golden(void **state)
{
	char path[512];
	static uint8_t file[4096], mine[4096];
	size_t size, want, off = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/parcel.bin", golden_dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	size = fread(file, 1, sizeof(file), f);
	fclose(f);
	want = golden_encode(mine, sizeof(mine));
	assert_int_equal(size, want);
	assert_memory_equal(file, mine, size);
	for (size_t i = 0; i < NGOLDEN; i++) {
		const struct golden *g = &goldens[i];
		struct parcel_view v;

		assert_int_equal(parcel_decode(file + off, size - off, &v, NULL), KR_OK);
		assert_int_equal(v.channel, g->channel);
		assert_int_equal(v.kind, g->kind);
		assert_int_equal(v.flags, g->flags);
		assert_int_equal(v.seq, g->seq);
		assert_int_equal(v.length, g->len);
		assert_memory_equal(v.payload, g->payload, g->len);
		off += v.size;
	}
	assert_int_equal(off, size);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-golden")) {
		static uint8_t out[4096];
		size_t n = golden_encode(out, sizeof(out));
		FILE *f = fopen(argv[2], "wb");

		if (!n || !f || fwrite(out, 1, n, f) != n || fclose(f)) {
			fprintf(stderr, "test_parcel: cannot write %s\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (argc > 1)
		golden_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xxh3),
		cmocka_unit_test(test_header_bytes),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_frame_is_encode),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_encode_in_place),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_every_bit),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_decode_mut),
		cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
