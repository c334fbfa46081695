/*
 * parcel.c - the parcel codec: a header and payload to bytes (encode) and
 * bytes checked back into a view (decode).  The wire format is
 * karyon/parcel.h's; the checksum is XXH3 through xxh.c.
 *
 * Fields are stored byte by byte, little-endian, so the code means the
 * same on any host and never reads an unaligned word.  Decode checks
 * everything before it writes anything (decode, then hand out a view).
 */
#include <karyon/libc.h>

#include "parcel.h"
#include "xxh.h"

/* Parcels up to this many bytes (header included) are checked whole. */
#define PARCEL_SHORT 256

/*
 * Fields are little-endian.  On a little-endian machine (x86_64: the
 * kernel, the host tools) a field is stored and loaded as it is, one move
 * each; elsewhere byte by byte.  The bytes are the same either way.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void put16(uint8_t *p, uint16_t v) { __builtin_memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; __builtin_memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
#else
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}
#endif

/* The header's 16 bytes, check as given. */
static void put_hdr(uint8_t h[KR_PARCEL_HDR_SIZE], uint16_t channel, uint8_t kind, uint8_t flags,
		    uint16_t len, uint32_t seq, uint32_t check)
{
	h[0] = KR_PARCEL_MAGIC;
	h[1] = KR_PARCEL_VERSION;
	put16(h + 2, channel);
	h[4] = kind;
	h[5] = flags;
	put16(h + 6, len);
	put32(h + 8, seq);
	put32(h + 12, check);
}

/* Copy len payload bytes to dst.  Overlapping (framing in place) or
 * shorter than 16: memmove.  Apart (the common case: a fresh body), a
 * short payload goes 16 bytes at a time, the last 16 overlapping the one
 * before, with no call; a longer one through memcpy, whose string move
 * costs less per byte. */
static void put_payload(uint8_t *dst, const uint8_t *src, size_t len)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (len < 16 || (s < d + len && d < s + len)) {
		memmove(dst, src, len);
		return;
	}
	if (len > 128) {
		memcpy(dst, src, len);
		return;
	}
	for (size_t i = 0; i + 16 <= len; i += 16)
		__builtin_memcpy(dst + i, src + i, 16);
	if (len % 16)
		__builtin_memcpy(dst + len - 16, src + len - 16, 16);
}

kr_err_t parcel_encode(void *buf, size_t cap, uint16_t channel, uint8_t kind, uint8_t flags,
		       uint32_t seq, const void *payload, uint16_t len, size_t *out_len)
{
	uint8_t *b = buf;

	if (!buf || !out_len || (!payload && len) || (flags & ~KR_PARCEL_F_KNOWN))
		return KR_EINVAL;
	if (len > KR_PARCEL_PAYLOAD_MAX)
		return KR_ERANGE;
	if (cap < KR_PARCEL_HDR_SIZE + (size_t)len)
		return KR_ENOSPC;
	/* Payload first: it may overlap the header's place only if it
	 * starts at or after buf (in place: buf + 16). */
	if (len)
		put_payload(b + KR_PARCEL_HDR_SIZE, payload, len);
	put_hdr(b, channel, kind, flags, len, seq, 0);
	put32(b + 12, (uint32_t)parcel_xxh3(b, KR_PARCEL_HDR_SIZE + (size_t)len));
	*out_len = KR_PARCEL_HDR_SIZE + (size_t)len;
	return KR_OK;
}

static kr_err_t refuse(const char **why, const char *what, kr_err_t err)
{
	if (why)
		*why = what;
	return err;
}

/* Every check but the checksum's; KR_OK and *len when they pass. */
static kr_err_t check_header(const uint8_t *b, size_t avail, uint16_t *len, const char **why)
{
	if (avail < KR_PARCEL_HDR_SIZE)
		return refuse(why, PARCEL_WHY_SHORT_HDR, KR_ETRUNC);
	if (b[0] != KR_PARCEL_MAGIC)
		return refuse(why, PARCEL_WHY_MAGIC, KR_EFORMAT);
	if (b[1] != KR_PARCEL_VERSION)
		return refuse(why, PARCEL_WHY_VERSION, KR_EFORMAT);
	if (b[5] & ~KR_PARCEL_F_KNOWN)
		return refuse(why, PARCEL_WHY_FLAGS, KR_EFORMAT);
	*len = get16(b + 6);
	if (*len > KR_PARCEL_PAYLOAD_MAX)
		return refuse(why, PARCEL_WHY_LENGTH, KR_EFORMAT);
	if (avail - KR_PARCEL_HDR_SIZE < *len)
		return refuse(why, PARCEL_WHY_SHORT, KR_ETRUNC);
	return KR_OK;
}

static void view(const uint8_t *b, uint16_t len, uint32_t check, struct parcel_view *out)
{
	out->channel = get16(b + 2);
	out->kind = b[4];
	out->flags = b[5];
	out->length = len;
	out->seq = get32(b + 8);
	out->check = check;
	out->payload = b + KR_PARCEL_HDR_SIZE;
	out->size = KR_PARCEL_HDR_SIZE + (size_t)len;
}

kr_err_t parcel_decode(const void *buf, size_t avail, struct parcel_view *out, const char **why)
{
	const uint8_t *b = buf;
	uint8_t zeroed[KR_PARCEL_HDR_SIZE];
	uint16_t len;
	uint32_t check;
	kr_err_t e;

	if (!buf || !out)
		return refuse(why, PARCEL_WHY_ARGS, KR_EINVAL);
	if ((e = check_header(b, avail, &len, why)) != KR_OK)
		return e;
	/* The check covers the header with its own field zeroed.  A short
	 * parcel is copied whole, zeroed, and hashed in one call (XXH3's
	 * short inputs are a few dozen instructions); a longer one hashes a
	 * zeroed copy of the header, then the payload where it lies, with
	 * XXH3's streaming state (a fixed cost of a few hundred). */
	check = get32(b + 12);
	if (len <= PARCEL_SHORT - KR_PARCEL_HDR_SIZE) {
		uint8_t whole[PARCEL_SHORT];

		memcpy(whole, b, KR_PARCEL_HDR_SIZE + (size_t)len);
		put32(whole + 12, 0);
		if ((uint32_t)parcel_xxh3(whole, KR_PARCEL_HDR_SIZE + (size_t)len) != check)
			return refuse(why, PARCEL_WHY_CHECK, KR_EFORMAT);
	} else {
		memcpy(zeroed, b, 12);
		put32(zeroed + 12, 0);
		if ((uint32_t)parcel_xxh3_2(zeroed, sizeof(zeroed), b + KR_PARCEL_HDR_SIZE, len) !=
		    check)
			return refuse(why, PARCEL_WHY_CHECK, KR_EFORMAT);
	}
	view(b, len, check, out);
	return KR_OK;
}

kr_err_t parcel_decode_mut(void *buf, size_t avail, struct parcel_view *out, const char **why)
{
	uint8_t *b = buf;
	uint16_t len;
	uint32_t check, sum;
	kr_err_t e;

	if (!buf || !out)
		return refuse(why, PARCEL_WHY_ARGS, KR_EINVAL);
	if ((e = check_header(b, avail, &len, why)) != KR_OK)
		return e;
	check = get32(b + 12);
	put32(b + 12, 0);
	sum = (uint32_t)parcel_xxh3(b, KR_PARCEL_HDR_SIZE + (size_t)len);
	put32(b + 12, check);
	if (sum != check)
		return refuse(why, PARCEL_WHY_CHECK, KR_EFORMAT);
	view(b, len, check, out);
	return KR_OK;
}
