/*
 * log.h - the CommitLog engine: the on-disk format of <karyon/clog.h>
 * over any device that reads, writes and flushes sectors.
 *
 * Pure code: no kernel calls but kr_blake2b_256 (the kernel's, or
 * tcc-runtime/krt/blake2.c on the host) and the allocator the device
 * brings, so the same file runs in the clog module, in the CMocka suites
 * (over a simulated device that fails, tears and reorders) and in the
 * fuzz target.  Not thread-safe: the clog module serialises calls.
 *
 * Region layout (sectors, region-relative):
 *	0		superblock A
 *	1		superblock B
 *	2 ...		area 0 (area_sectors)
 *	2 + area_sectors ...	area 1
 *
 * Durability: clog_sync returns KR_OK only after the device's flush
 * completed for every record staged before it.  Recovery (clog_open)
 * keeps every record whose sync returned KR_OK, cuts a torn tail, and
 * refuses (KR_EFORMAT with a report) a log whose acknowledged part does
 * not verify.
 */
#ifndef KARYON_CLOG_LOG_H
#define KARYON_CLOG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/clog.h>
#include <karyon/err.h>

/* The device: region-relative sectors of KR_CLOG_SECTOR bytes. */
struct clog_dev {
	void *ctx;
	uint64_t sectors;       /* the region's size */
	uint32_t max_sectors;   /* the most one read or write may move (>= 1) */
	kr_err_t (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
	kr_err_t (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf);
	kr_err_t (*flush)(void *ctx);
	void *(*alloc)(void *ctx, size_t n);    /* NULL when out of memory */
	void (*free)(void *ctx, void *p);
};

struct clog;

/* The most bytes of records one sync writes (clog_stage refuses more with
 * KR_EBUSY: sync first).  Recovery looks this far past a failing record for
 * a later group that proves it was acknowledged. */
#define CLOG_GROUP_MAX  (4u << 20)

/* ---- the format (pure functions over bytes; the fuzz target's) ---- */

/* Encode a record into buf (at least clog_rec_size(len) bytes): header,
 * payload, zero padding; fills seq, epoch, durable, prev, hash. */
size_t clog_rec_size(uint32_t len);     /* 128 + len rounded up to 8 */
kr_err_t clog_rec_encode(void *buf, uint32_t epoch, uint64_t seq, uint64_t durable,
			 const char *kind, const void *payload, uint32_t len,
			 const uint8_t prev[32]);
/* Decode and verify the record at buf[0..avail): magic, version, flags 0,
 * epoch (if epoch != 0), seq != 0 and durable < seq, kind (NUL-terminated,
 * printable, non-empty, NUL-padded), length within avail and
 * KR_CLOG_PAYLOAD_MAX, zero reserved and padding, hash.  *rec points into
 * buf; *payload after it.  KR_ETRUNC: the bytes end inside the record;
 * KR_EFORMAT: not a valid record (why says which check); KR_EALIGN: buf is
 * not 8-byte aligned (*rec could not be read in place).  buf must be
 * writable: the ABI's BLAKE2b is one call over contiguous bytes, so the
 * hash field is zeroed in place while hashing and put back before return
 * as it is in encode. */
kr_err_t clog_rec_decode(const void *buf, size_t avail, uint32_t epoch,
			 const struct kr_clog_rec **rec, const void **payload,
			 const char **why);

/* Superblocks: encode fills sum; decode checks magic, version, sector size,
 * sum, zero reserved, that the areas fit the superblock's region_sectors
 * and that fits region_sectors (the device's), and that the head lies in
 * the area.  *out gets the copy even when it does not verify. */
void clog_super_encode(struct kr_clog_super *sb);
kr_err_t clog_super_decode(const void *sector, uint64_t region_sectors,
			   struct kr_clog_super *out, const char **why);

/* Merkle roots (docs/commit-log.md): a leaf is BLAKE2b-256(0x00 || name ||
 * 0x00 || digest), an inner node BLAKE2b-256(0x01 || left || right), an odd
 * node is carried up unchanged, and the root of no leaves is
 * BLAKE2b-256(0x02).  The builder takes leaves in order; a name longer than
 * CLOG_MERKLE_NAME_MAX bytes is refused (KR_ERANGE: the leaf is hashed from
 * a stack buffer).  struct clog_merkle is 2 KiB: not for a kernel stack. */
#define CLOG_MERKLE_NAME_MAX 446
struct clog_merkle {
	uint8_t level[64][32];  /* the pending node at each height */
	uint64_t have;          /* bit k: level[k] holds a node */
	uint64_t leaves;
};
void clog_merkle_init(struct clog_merkle *m);
kr_err_t clog_merkle_leaf(struct clog_merkle *m, const char *name, const uint8_t digest[32]);
void clog_merkle_root(struct clog_merkle *m, uint8_t out[32]);
/* The state root: the Merkle root over leaves (part name, part root) of
 * the KR_CLOG_PARTS parts in order: "vfs", "kmod", "tcc", "events". */
extern const char *const clog_part_names[KR_CLOG_PARTS];
void clog_state_root(const uint8_t part[KR_CLOG_PARTS][32], uint8_t out[32]);

/* Helpers format.c shares with log.c (not for callers of the log). */
uint64_t clog_round_up(uint64_t v, uint64_t to);
bool clog_all_zero(const void *p, size_t n);
bool clog_kind_ok(const char *kind, bool padded);       /* printable, NUL-ended (padded) */

/* ---- the log ---- */

/* What opening found. */
struct clog_report {
	uint64_t records;       /* valid records in the area */
	uint64_t first_seq, last_seq;   /* 0, 0 if none */
	uint64_t cut_bytes;     /* bytes of a torn tail dropped (0: none) */
	uint64_t cut_seq;       /* seq the cut record would have had */
	bool corrupt;           /* an acknowledged record does not verify */
	uint64_t bad_seq;       /* corrupt: the first record that does not */
	uint64_t bad_off;       /* corrupt: its byte offset in the area */
	char why[160];          /* corrupt or refused: one line */
};

/* Make an empty log over the whole device: epoch 1 (or, over an old log
 * whose superblock still verifies, one more than its epoch, so that its
 * records left in the areas never pass for the new log's), area 0, no
 * records.  Erases nothing but the superblocks (writes A, blanks B). */
kr_err_t clog_format(const struct clog_dev *dev, char *why, size_t whylen);
/* Does sector 0 or 1 hold a superblock?  (false for a blank device, and for
 * one holding something else: clog_probe says which.)  KR_OK blank (all
 * zero), KR_EEXIST a log, KR_EFORMAT something else. */
kr_err_t clog_probe(const struct clog_dev *dev);
/* Open: pick the superblock, scan the area from base_seq, verify every
 * record and the chain, find the tail (cut a torn one: the next
 * superblock write records the cut), fill *rep.  KR_EFORMAT if the
 * device holds no log (rep->why), or a corrupt acknowledged record
 * (rep->corrupt: the log is still opened read-only so it can be
 * inspected; appends are refused with KR_EPERM). */
kr_err_t clog_open(const struct clog_dev *dev, struct clog **out, struct clog_report *rep);
void clog_close(struct clog *l);

/* Append: stage records in memory (seq assigned, chained), then sync
 * writes every staged record in one write starting on a fresh sector,
 * flushes, and makes them durable.  On a sync error the staged records
 * are gone (the tail is where it was) and KR_EIO is returned: none of
 * them may be acknowledged.  KR_ENOSPC (stage) when the area is full;
 * KR_EBUSY (stage) when the group would pass CLOG_GROUP_MAX (sync first);
 * KR_EPERM on a log opened corrupt. */
kr_err_t clog_stage(struct clog *l, const char *kind, const void *payload, uint32_t len,
		    uint64_t *seq);
kr_err_t clog_sync(struct clog *l);
/* Drop the staged records (none written). */
void clog_unstage(struct clog *l);
/* Write the superblock (the other copy, generation + 1) naming the
 * durable head, then flush.  clog_sync does it every 64 syncs itself. */
kr_err_t clog_write_super(struct clog *l);

/* Reading: the durable records in order from seq (earlier seqs start at
 * base_seq), verified again as they are read (KR_EFORMAT if one no longer
 * verifies).  fn's error stops the walk and is returned.  rec and payload
 * are valid only during the call; fn must not call into the log. */
typedef kr_err_t (*clog_rec_fn)(void *ctx, const struct kr_clog_rec *rec, const void *payload,
				uint64_t off);
kr_err_t clog_walk(struct clog *l, uint64_t from_seq, clog_rec_fn fn, void *ctx);

struct clog_info {
	uint32_t epoch, area;
	uint64_t base_seq, head_seq;    /* head: the last durable record */
	uint8_t base_prev[32], head_hash[32];
	uint64_t used_bytes, area_bytes;
	uint64_t generation;
	uint64_t syncs, records_synced; /* since open */
	bool corrupt;
};
void clog_info(const struct clog *l, struct clog_info *out);

/* Compaction: start a new epoch in the other area whose first records are
 * produced by emit (called with the log: it calls clog_stage for the
 * records that rebuild the state, each chained after the current head; it
 * must not sync), sync them, then flip the superblock.  A crash before the
 * flip keeps the old log.  The chain stays verifiable: the new area's
 * base_prev is the old head's hash and its base_seq the old head_seq + 1.
 * KR_EBUSY with records staged.  On failure (emit's error, KR_EIO, KR_ENOSPC
 * from emit's stage) the old log goes on; if the flip was written but not
 * flushed, the next sync first writes a superblock naming the old log. */
typedef kr_err_t (*clog_emit_fn)(void *ctx, struct clog *l);
kr_err_t clog_compact(struct clog *l, clog_emit_fn emit, void *ctx);

#endif
