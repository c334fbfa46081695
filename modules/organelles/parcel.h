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
#include <karyon/parcel.h>

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

#endif
