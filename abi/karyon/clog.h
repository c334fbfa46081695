/*
 * clog.h - the commit log (modules/clog): its on-disk format, the "clog"
 * service (the gateway every state change goes through) and the "state.*"
 * services the owners of state publish for it.  Added in ABI 1.3 (modules
 * only: nothing of the core changed).
 *
 * The system's state is reduce(genesis, commits): genesis is what the image
 * boots with (the initrd, the built-in and boot modules); every change made
 * after that is a commit, a record appended to the CommitLog on the block
 * device, and is made by applying that record, with the same function at
 * run time and at replay.  Boot replays the log onto genesis.
 *
 * Owners of state (vfs, kmod, tcc, events) publish a "state.PART" service
 * (struct kr_state_ops).  While the clog module runs it has attached to
 * them (attach(gate)): from then on every mutating call they receive goes
 * to gate->commit, which
 *	audits the request (SysLog),
 *	asks the owner to check it (check: decode, validate, stage),
 *	appends the record and waits for the device flush (group commit:
 *	    records that arrive together share one write and one flush),
 *	applies it (apply: the owner's change, which cannot fail for a
 *	    reason check could have seen),
 *	audits the response,
 * and returns the apply's result.  Without the clog module (an image
 * without a disk, the minimal profile) owners apply directly.
 *
 * ---- On-disk format (version 1), little-endian, sectors of 512 bytes ----
 *
 * The log lives in a region of the device: sector 0 and 1 of the region
 * hold superblock copies A and B (each with a BLAKE2b-256 of itself and a
 * generation: the valid copy with the higher generation wins), then two
 * equal areas of records (compaction writes the other one and flips the
 * superblock).  Records are packed 8-byte aligned; each group of records
 * written together starts on a sector boundary and its last sector is
 * padded with zeroes, so a later write never touches an acknowledged
 * record's sectors.
 *
 *	record = struct kr_clog_rec (128 bytes) + payload (length bytes)
 *		 + zero padding to a multiple of 8
 *	hash   = BLAKE2b-256 of the record (header with hash zeroed, payload,
 *		 no padding); prev = the previous record's hash (the first
 *		 record of a new log: zeroes), so the records form a chain.
 */
#ifndef KARYON_CLOG_H
#define KARYON_CLOG_H

#include <stdbool.h>
#include <karyon/service.h>

#define KR_CLOG_FORMAT_VERSION 1
#define KR_CLOG_SECTOR         512
#define KR_CLOG_SB_MAGIC       0x474f4c434e59524bull   /* "KRYNCLOG" */
#define KR_CLOG_REC_MAGIC      0x4345524bu             /* "KREC" */
#define KR_CLOG_KIND_MAX       24                      /* with the NUL */
#define KR_CLOG_PAYLOAD_MAX    (1u << 20)              /* one record's payload */

struct kr_clog_super {
	uint64_t magic;         /* KR_CLOG_SB_MAGIC */
	uint32_t version;       /* KR_CLOG_FORMAT_VERSION */
	uint32_t sector_size;   /* KR_CLOG_SECTOR */
	uint64_t generation;    /* +1 at every superblock write; the higher valid copy wins */
	uint64_t region_sectors;        /* the region's size, superblocks included */
	uint32_t epoch;         /* +1 at format and at every compaction; records carry it */
	uint32_t area;          /* 0 or 1: which area holds this epoch's records */
	uint64_t area_start;    /* first sector of that area (region-relative) */
	uint64_t area_sectors;  /* sectors in each area */
	uint64_t base_seq;      /* seq of the area's first record */
	uint8_t  base_prev[32]; /* prev of the area's first record: zeroes for a new
				 * log, the last old record's hash after a compaction */
	uint64_t head_seq;      /* a record known durable (a lower bound; recovery
				 * scans on from it), base_seq - 1 if none */
	uint64_t head_off;      /* byte offset in the area just past it */
	uint8_t  head_hash[32]; /* its hash (base_prev if none) */
	uint8_t  reserved[336]; /* zero */
	uint8_t  sum[32];       /* BLAKE2b-256 of the 480 bytes before it */
};
KR_ABI_OFFSET(struct kr_clog_super, base_prev, 64);
KR_ABI_OFFSET(struct kr_clog_super, head_hash, 112);
KR_ABI_OFFSET(struct kr_clog_super, sum, 480);
KR_ABI_SIZE(struct kr_clog_super, 512);

struct kr_clog_rec {
	uint32_t magic;         /* KR_CLOG_REC_MAGIC */
	uint16_t version;       /* KR_CLOG_FORMAT_VERSION */
	uint16_t flags;         /* 0 */
	uint32_t length;        /* payload bytes, <= KR_CLOG_PAYLOAD_MAX */
	uint32_t epoch;         /* the superblock's epoch when written */
	uint64_t seq;           /* 1, 2, ... (one more than the previous record) */
	uint64_t durable;       /* the highest seq acknowledged when this record was
				 * written: recovery tells a torn tail (nothing after
				 * it was acknowledged) from a damaged middle */
	char     kind[KR_CLOG_KIND_MAX];        /* "vfs.write", NUL-padded */
	uint8_t  reserved[8];   /* zero */
	uint8_t  prev[32];
	uint8_t  hash[32];
};
KR_ABI_OFFSET(struct kr_clog_rec, seq, 16);
KR_ABI_OFFSET(struct kr_clog_rec, kind, 32);
KR_ABI_OFFSET(struct kr_clog_rec, prev, 64);
KR_ABI_OFFSET(struct kr_clog_rec, hash, 96);
KR_ABI_SIZE(struct kr_clog_rec, 128);

/*
 * Every payload starts with its subject, a NUL-terminated string (a path, a
 * module or handler name, "EVENT HANDLER") that the SysLog and `ledger
 * inspect` show; what follows is the owner's.
 *
 * Record kinds the clog module writes itself (the owners' kinds are
 * "PART.OP"; docs/commit-log.md lists them and their payloads):
 *	clog.genesis	first record of a log: struct kr_clog_roots of genesis
 *	clog.root	a state root, committed periodically: struct kr_clog_roots
 *	clog.checkpoint	a labelled checkpoint: struct kr_clog_roots, then the
 *			label (roots.label_len bytes), then every part's items
 *	clog.restore	state := state at a checkpoint (u64 seq of the checkpoint)
 */
#define KR_CLOG_PARTS 4         /* vfs, kmod, tcc, events: in this order */
struct kr_clog_roots {
	uint32_t version;       /* 1 */
	uint32_t label_len;     /* checkpoint records: bytes of label after it */
	uint64_t seq;           /* the last commit the roots include */
	uint8_t  root[32];      /* Merkle root over the part roots */
	uint8_t  part[KR_CLOG_PARTS][32];       /* each part's Merkle root over its items */
};
KR_ABI_SIZE(struct kr_clog_roots, 176);

/* ---- The owners' side: "state.PART" services ---- */

#define KR_STATE_SERVICE_VERSION 1

/* One commit, as the gateway hands it to its owner. */
struct kr_commit {
	uint32_t version;       /* 1 */
	uint32_t length;        /* payload bytes */
	uint64_t seq;           /* the record's seq (0 in check: not yet assigned) */
	const char *kind;       /* "vfs.write" */
	const void *payload;    /* the owner's encoding of the request */
};
KR_ABI_SIZE(struct kr_commit, 32);

/* Flags of apply. */
#define KR_APPLY_REPLAY 1u      /* replaying the log (boot, restore, a view):
				 * no watchers, no events, no output */

/* One item of a part's state, for its Merkle root and checkpoint diffs:
 * name (a path, a module or handler name, "EVENT HANDLER") and a digest of
 * what it is (content, version, grants...). */
typedef kr_err_t (*kr_state_item_fn)(void *ctx, const char *name, const uint8_t digest[32]);

struct kr_gate_ops;

struct kr_state_ops {
	struct kr_ops_header hdr;       /* version KR_STATE_SERVICE_VERSION */
	char part[16];                  /* "vfs": the kinds it owns are "vfs.*" */
	/* Decode c and check it against the live state; may stage work
	 * (*stage) for apply to finish.  An error refuses the commit: nothing
	 * is written, nothing changes; err says why. */
	kr_err_t (*check)(const struct kr_commit *c, void **stage, char *err, size_t errlen);
	/* Make the change in the live state (view NULL) or in a view.  stage
	 * is check's (NULL at replay: do all the work).  Deterministic: the
	 * same state and commit give the same result at run time and replay. */
	kr_err_t (*apply)(void *view, const struct kr_commit *c, void *stage, uint32_t flags,
			  char *err, size_t errlen);
	/* Drop a stage that will not be applied (the append failed). */
	void (*drop)(void *stage);
	/* Every item of the live state (view NULL) or a view, in strcmp order
	 * of names; fn's error stops it and is returned. */
	kr_err_t (*items)(void *view, kr_state_item_fn fn, void *ctx);
	/* Bring the live state back to genesis (clog.restore replays onto it). */
	kr_err_t (*reset)(char *err, size_t errlen);
	/* From now on send every mutation to gate->commit (NULL: apply
	 * directly again; the clog module's exit does that). */
	kr_err_t (*attach)(const struct kr_gate_ops *gate);
	/* Views: a copy of the part's state that commits can be applied to
	 * (apply with the view) without touching the live state: a view of a
	 * past point is a copy of genesis with the commits up to it applied.
	 * from NULL copies the live state (the clog module takes one of every
	 * part before it replays: the genesis view), else the view from.
	 * A view holds what items and its root need (the vfs's: files; the
	 * others': names and digests).  NULL when out of memory.  view_mount
	 * shows a view read-only under /ckpt/NAME (vfs; NULL in the others;
	 * view NULL: take NAME down). */
	void *(*view_new)(const void *from);
	void (*view_free)(void *view);
	kr_err_t (*view_mount)(void *view, const char *name);
};
KR_ABI_OFFSET(struct kr_state_ops, check, 32);
KR_ABI_SIZE(struct kr_state_ops, 104);

/* ---- The gateway: the "clog" service ---- */

#define KR_CLOG_SERVICE_VERSION 1

struct kr_clog_status {
	uint32_t version;       /* 1 */
	uint32_t epoch;
	uint64_t head_seq;      /* the last durable commit */
	uint64_t commits;       /* appended since boot */
	uint64_t flushes;       /* device flushes since boot (commits / flushes: group commit) */
	uint64_t bytes_used;    /* bytes of records in the area */
	uint64_t bytes_free;
	uint8_t  head_hash[32];
	char     device[32];    /* "virtio0" */
};
KR_ABI_SIZE(struct kr_clog_status, 112);

struct kr_gate_ops {
	struct kr_ops_header hdr;       /* version KR_CLOG_SERVICE_VERSION */
	/* The gateway (see the top of this file).  kind "PART.OP" names the
	 * owner; payload is the owner's encoding, at most KR_CLOG_PAYLOAD_MAX
	 * bytes.  Returns check's error (nothing written), KR_EIO when the
	 * record could not be made durable (nothing applied), else apply's
	 * result; *seq (may be NULL) gets the record's seq, 0 if none.  An
	 * owner's mutation made while a commit of the same task is being
	 * applied (a module's init writing a file during its load) is part of
	 * that commit's effect: it is applied directly, not committed. */
	kr_err_t (*commit)(const char *kind, const void *payload, uint32_t len, uint64_t *seq,
			   char *err, size_t errlen);
	kr_err_t (*status)(struct kr_clog_status *out);
};
KR_ABI_OFFSET(struct kr_gate_ops, commit, 16);
KR_ABI_SIZE(struct kr_gate_ops, 32);

#endif
