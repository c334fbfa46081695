/*
 * parcel.h - parcels: the organelles' wire format (issue 17), pinned.
 * Added in ABI 1.3 (modules only: nothing of the core changed).
 *
 * A parcel is a 16-byte header followed by `length` payload bytes, every
 * field little-endian, no padding between parcels.  The same bytes travel
 * between modules, on channel 0 (observability) and through the host tools
 * (tools/parcel/parcelcat); docs/parcels.md describes the format.
 *
 *	check = (uint32_t)XXH3_64bits(header with check = 0 ++ payload, seed 0)
 *
 * XXH3 is xxHash's, from Debian's libxxhash (package libxxhash-dev), in the
 * kernel and on the host alike.  A decoder refuses, changing nothing: a
 * wrong magic or version, a flag bit not defined here, a length over
 * KR_PARCEL_PAYLOAD_MAX, fewer bytes than header + length, a wrong check.
 * kind is the channel's business: the format does not restrict it.
 */
#ifndef KARYON_PARCEL_H
#define KARYON_PARCEL_H

#include <karyon/abi.h>

#define KR_PARCEL_MAGIC        0xC5
#define KR_PARCEL_VERSION      1
#define KR_PARCEL_HDR_SIZE     16
#define KR_PARCEL_PAYLOAD_MAX  4096     /* policy: a longer length is malformed */
#define KR_PARCEL_CHANNEL_OBS  0        /* observability (kernel log records) */

/* flags: a bit not in KR_PARCEL_F_KNOWN is malformed (room for version 1
 * to grow without a reader misreading a parcel it does not understand). */
#define KR_PARCEL_F_MORE       0x01     /* the payload goes on in the channel's next parcel */
#define KR_PARCEL_F_KNOWN      0x01

struct kr_parcel_hdr {
	uint8_t  magic;         /* KR_PARCEL_MAGIC */
	uint8_t  version;       /* KR_PARCEL_VERSION */
	uint16_t channel;       /* 0: observability; the rest, the image's channel graph */
	uint8_t  kind;          /* what the payload is, per channel */
	uint8_t  flags;         /* KR_PARCEL_F_* */
	uint16_t length;        /* payload bytes, 0..KR_PARCEL_PAYLOAD_MAX */
	uint32_t seq;           /* the sender's sequence number on the channel (wraps) */
	uint32_t check;         /* low 32 bits of XXH3-64 (seed 0), above */
};
KR_ABI_OFFSET(struct kr_parcel_hdr, channel, 2);
KR_ABI_OFFSET(struct kr_parcel_hdr, kind, 4);
KR_ABI_OFFSET(struct kr_parcel_hdr, flags, 5);
KR_ABI_OFFSET(struct kr_parcel_hdr, length, 6);
KR_ABI_OFFSET(struct kr_parcel_hdr, seq, 8);
KR_ABI_OFFSET(struct kr_parcel_hdr, check, 12);
KR_ABI_SIZE(struct kr_parcel_hdr, KR_PARCEL_HDR_SIZE);

#endif
