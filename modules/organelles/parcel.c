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

kr_err_t parcel_encode(void *buf, size_t cap, uint16_t channel, uint8_t kind, uint8_t flags,
		       uint32_t seq, const void *payload, uint16_t len, size_t *out_len)
{
	if (!buf || !out_len || (!payload && len) || (flags & ~KR_PARCEL_F_KNOWN))
		return KR_EINVAL;
	if (len > KR_PARCEL_PAYLOAD_MAX)
		return KR_ERANGE;
	if (cap < KR_PARCEL_HDR_SIZE + (size_t)len)
		return KR_ENOSPC;
	*out_len = parcel_frame(buf, channel, kind, flags, seq, payload, len);
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
	*len = parcel_get16(b + 6);
	if (*len > KR_PARCEL_PAYLOAD_MAX)
		return refuse(why, PARCEL_WHY_LENGTH, KR_EFORMAT);
	if (avail - KR_PARCEL_HDR_SIZE < *len)
		return refuse(why, PARCEL_WHY_SHORT, KR_ETRUNC);
	return KR_OK;
}

static void view(const uint8_t *b, uint16_t len, uint32_t check, struct parcel_view *out)
{
	out->channel = parcel_get16(b + 2);
	out->kind = b[4];
	out->flags = b[5];
	out->length = len;
	out->seq = parcel_get32(b + 8);
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
	check = parcel_get32(b + 12);
	if (len <= PARCEL_SHORT - KR_PARCEL_HDR_SIZE) {
		uint8_t whole[PARCEL_SHORT];

		memcpy(whole, b, KR_PARCEL_HDR_SIZE + (size_t)len);
		parcel_put32(whole + 12, 0);
		if ((uint32_t)parcel_xxh3(whole, KR_PARCEL_HDR_SIZE + (size_t)len) != check)
			return refuse(why, PARCEL_WHY_CHECK, KR_EFORMAT);
	} else {
		memcpy(zeroed, b, 12);
		parcel_put32(zeroed + 12, 0);
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
	check = parcel_get32(b + 12);
	parcel_put32(b + 12, 0);
	sum = (uint32_t)parcel_xxh3(b, KR_PARCEL_HDR_SIZE + (size_t)len);
	parcel_put32(b + 12, check);
	if (sum != check)
		return refuse(why, PARCEL_WHY_CHECK, KR_EFORMAT);
	view(b, len, check, out);
	return KR_OK;
}
