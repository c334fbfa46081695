/*
 * parcel.h - the parcel codec (parcel.c): struct kr_parcel_hdr
 * (karyon/parcel.h) to and from bytes.  One source for the kernel, the host
 * tool (tools/parcel/parcelcat) and the tests, so framing is the same
 * bytes everywhere.  Pure: no allocation, a few hundred bytes of stack
 * (XXH3's streaming state, xxh.c).
 */
#ifndef ORGANELLES_PARCEL_H
#define ORGANELLES_PARCEL_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/libc.h>
#include <karyon/parcel.h>
#include "xxh.h"

/* A decoded parcel: the header's fields, and its payload where it lies in
 * the decoded buffer (valid as long as that buffer is). */
struct parcel_view {
	uint16_t channel;
	uint8_t kind;
	uint8_t flags;
	uint16_t length;        /* payload bytes */
	uint32_t seq;
	uint32_t check;
	const uint8_t *payload; /* length bytes */
	size_t size;            /* header + payload: the next parcel starts here */
};

/* Frame len payload bytes as one parcel at buf (cap bytes): *out_len =
 * KR_PARCEL_HDR_SIZE + len.  payload may lie anywhere, buf + 16 included
 * (framing in place).  KR_EINVAL: a NULL buf or out_len, a NULL payload
 * with len, an unknown flag bit; KR_ERANGE: len over KR_PARCEL_PAYLOAD_MAX;
 * KR_ENOSPC: cap too small.  On an error nothing is written. */
kr_err_t parcel_encode(void *buf, size_t cap, uint16_t channel, uint8_t kind, uint8_t flags,
		       uint32_t seq, const void *payload, uint16_t len, size_t *out_len);

/* The parcel at the start of buf's avail bytes (more may follow: out->size
 * says where the next starts).  Every check before any result: KR_ETRUNC,
 * fewer bytes than a header or than header + length (a stream reader may
 * wait for more); KR_EFORMAT, a wrong magic, version or check, an unknown
 * flag bit, a length over KR_PARCEL_PAYLOAD_MAX; KR_EINVAL, a NULL buf or
 * out.  On an error *out is untouched and *why (if why is not NULL) names
 * the check that failed, a constant string (PARCEL_WHY_*). */
kr_err_t parcel_decode(const void *buf, size_t avail, struct parcel_view *out, const char **why);

/* As parcel_decode, for a buffer the caller may write: the check is
 * computed over the parcel in place (its check field zeroed for the hash,
 * then put back), with no copy.  buf is as it was on return. */
kr_err_t parcel_decode_mut(void *buf, size_t avail, struct parcel_view *out, const char **why);

#define PARCEL_WHY_ARGS      "bad arguments"
#define PARCEL_WHY_SHORT_HDR "truncated header"
#define PARCEL_WHY_MAGIC     "bad magic"
#define PARCEL_WHY_VERSION   "bad version"
#define PARCEL_WHY_FLAGS     "unknown flags"
#define PARCEL_WHY_LENGTH    "length over max"
#define PARCEL_WHY_SHORT     "truncated payload"
#define PARCEL_WHY_CHECK     "bad checksum"

/* ---- framing, inline: every send frames a parcel ---- */

/* Fields are little-endian.  On a little-endian machine (x86_64: the
 * kernel, the host tools) a field is stored and loaded as it is, one move
 * each; elsewhere byte by byte.  The bytes are the same either way. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void parcel_put32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
static inline void parcel_put64(uint8_t *p, uint64_t v) { __builtin_memcpy(p, &v, 8); }
static inline uint16_t parcel_get16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, 2);
	return v;
}
static inline uint32_t parcel_get32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}
#else
static inline void parcel_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}
static inline void parcel_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}
static inline uint16_t parcel_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t parcel_get32(const uint8_t *p)
{
	return parcel_get16(p) | (uint32_t)parcel_get16(p + 2) << 16;
}
#endif

/* Copy len payload bytes to dst.  Overlapping (framing in place) or
 * shorter than 16: memmove.  Apart (the common case: a fresh body), a
 * short payload goes 16 bytes at a time, the last 16 overlapping the one
 * before, with no call; a longer one through memcpy, whose string move
 * costs less per byte. */
static inline void parcel_put_payload(uint8_t *dst, const uint8_t *src, size_t len)
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

/* parcel_encode without its checks, for a caller that made them: len at
 * most KR_PARCEL_PAYLOAD_MAX, buf KR_PARCEL_HDR_SIZE + len bytes, payload
 * not NULL if len, flags known.  Returns KR_PARCEL_HDR_SIZE + len. */
static inline size_t parcel_frame(void *buf, uint16_t channel, uint8_t kind, uint8_t flags,
				  uint32_t seq, const void *payload, uint16_t len)
{
	uint8_t *b = buf;

	/* Payload first: it may overlap the header's place only if it
	 * starts at or after buf (in place: buf + 16).  Then the header,
	 * its first 8 bytes (magic, version, channel, kind, flags, length)
	 * in one move, and the check over both with its own field 0. */
	if (len)
		parcel_put_payload(b + KR_PARCEL_HDR_SIZE, payload, len);
	parcel_put64(b, (uint64_t)KR_PARCEL_MAGIC | (uint64_t)KR_PARCEL_VERSION << 8 |
			(uint64_t)channel << 16 | (uint64_t)kind << 32 | (uint64_t)flags << 40 |
			(uint64_t)len << 48);
	parcel_put64(b + 8, seq);
	parcel_put32(b + 12, (uint32_t)parcel_xxh3(b, KR_PARCEL_HDR_SIZE + (size_t)len));
	return KR_PARCEL_HDR_SIZE + (size_t)len;
}

#endif
