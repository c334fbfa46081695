/*
 * update.h - module updates (issue 19): the strand table, pinned.  Each
 * updatable module has two strands (A and B) on persistent storage, each
 * able to hold one image of the module, and a state record saying what
 * each strand holds and which one is preferred.  The record is stored
 * twice (record.a and record.b, written alternately, superblock style):
 * the valid copy with the higher generation wins, so a torn write never
 * loses both.  docs/module-updates.md describes the design; one codec,
 * modules/update/strand.c, is shared by the kernel, host tools and tests.
 *
 * Every multi-byte field is little-endian, there is no padding, and
 * reserved fields and unknown flag bits are written as zero and refused
 * otherwise, so version 1 can grow without a reader misreading bytes it
 * does not understand.  sum = BLAKE2b-256 of bytes 0..223.
 */
#ifndef KARYON_UPDATE_H
#define KARYON_UPDATE_H

#include <karyon/abi.h>

#define KR_UPDATE_MAGIC         0x4452534Bu     /* "KSRD" in the file */
#define KR_UPDATE_VERSION       1
#define KR_UPDATE_RECORD_SIZE   256
#define KR_UPDATE_SUM_OFF       224             /* the checksum covers bytes before it */
#define KR_UPDATE_NAME_LEN      32              /* a module name, NUL-padded, 1..31 bytes */
#define KR_UPDATE_DIGEST_LEN    32              /* BLAKE2b-256 */
#define KR_UPDATE_IMAGE_MAX     (16u << 20)     /* policy: a strand image's length, at most */

/* What a strand holds. */
enum kr_strand_state {
	KR_STRAND_EMPTY    = 0, /* nothing (digest, length, version and flags zero) */
	KR_STRAND_WRITTEN  = 1, /* an image, durable, digest known, not yet checked */
	KR_STRAND_VERIFIED = 2, /* read back, matches its digest, allowed: loadable */
	KR_STRAND_FAILED   = 3, /* damaged, refused by the allow-list, or failed when run */
};
#define KR_STRAND_STATE_MAX     KR_STRAND_FAILED

/* Strand flags. */
#define KR_STRAND_F_UNLISTED    0x01    /* verified in permissive mode though not allow-listed */
#define KR_STRAND_F_KNOWN       0x01

/* Record flags. */
#define KR_UPDATE_F_PROBATION   0x0001  /* the preferred strand is new: not yet confirmed */
#define KR_UPDATE_F_TRIAL       0x0002  /* a boot of it is under way (set at boot, cleared
					 * by confirm): found set at boot, it did not confirm */
#define KR_UPDATE_F_KNOWN       0x0003

struct kr_update_strand {
	uint8_t  digest[KR_UPDATE_DIGEST_LEN];  /* BLAKE2b-256 of the image */
	uint64_t length;                /* the image's bytes, 1..KR_UPDATE_IMAGE_MAX */
	uint32_t version;               /* the module's KR_VERSION(...) */
	uint8_t  state;                 /* enum kr_strand_state */
	uint8_t  flags;                 /* KR_STRAND_F_* */
	uint8_t  reserved[18];          /* zero */
};
KR_ABI_OFFSET(struct kr_update_strand, length, 32);
KR_ABI_OFFSET(struct kr_update_strand, version, 40);
KR_ABI_OFFSET(struct kr_update_strand, state, 44);
KR_ABI_OFFSET(struct kr_update_strand, flags, 45);
KR_ABI_OFFSET(struct kr_update_strand, reserved, 46);
KR_ABI_SIZE(struct kr_update_strand, 64);

struct kr_update_record {
	uint32_t magic;                 /* KR_UPDATE_MAGIC */
	uint16_t version;               /* KR_UPDATE_VERSION */
	uint16_t flags;                 /* KR_UPDATE_F_* */
	uint64_t generation;            /* +1 per write; the valid copy with the higher wins */
	char     name[KR_UPDATE_NAME_LEN];      /* the module: [a-z0-9_], NUL-padded */
	uint8_t  preferred;             /* 0: strand A, 1: strand B */
	uint8_t  reserved[3];           /* zero */
	uint32_t probation_calls;       /* the new version's probation: calls ... */
	uint64_t probation_time;        /* ... and virtual time (us); 0: not counted */
	struct kr_update_strand strand[2];
	uint8_t  reserved2[32];         /* zero */
	uint8_t  sum[KR_UPDATE_DIGEST_LEN];     /* BLAKE2b-256 of bytes 0..223 */
};
KR_ABI_OFFSET(struct kr_update_record, version, 4);
KR_ABI_OFFSET(struct kr_update_record, flags, 6);
KR_ABI_OFFSET(struct kr_update_record, generation, 8);
KR_ABI_OFFSET(struct kr_update_record, name, 16);
KR_ABI_OFFSET(struct kr_update_record, preferred, 48);
KR_ABI_OFFSET(struct kr_update_record, reserved, 49);
KR_ABI_OFFSET(struct kr_update_record, probation_calls, 52);
KR_ABI_OFFSET(struct kr_update_record, probation_time, 56);
KR_ABI_OFFSET(struct kr_update_record, strand, 64);
KR_ABI_OFFSET(struct kr_update_record, reserved2, 192);
KR_ABI_OFFSET(struct kr_update_record, sum, KR_UPDATE_SUM_OFF);
KR_ABI_SIZE(struct kr_update_record, KR_UPDATE_RECORD_SIZE);

#endif
