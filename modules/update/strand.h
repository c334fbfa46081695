/*
 * strand.h - the bookkeeping of module updates (issue 19, strand.c): two
 * strands per updatable module and the strand table that says what they
 * hold (<karyon/update.h>), kept on a store the caller provides.
 *
 * Pure C: no kernel calls.  Memory comes from the caller's strand_alloc,
 * storage from its strand_store, so the same file builds into the update
 * module, host tools and the CMocka suite (which fails every write in turn).
 *
 * The invariant every operation keeps, whichever store call fails and
 * whatever a power cut leaves behind: once a table exists, it decodes,
 * its preferred strand is VERIFIED and its image on the store matches its
 * digest; every WRITTEN or VERIFIED strand's image is durable; and while
 * the preferred strand is on probation the other one is VERIFIED too (the
 * way back).  Each operation checks all its arguments and the table's
 * state first and changes nothing when it refuses; then it writes images
 * before the records that name them, and flips the preference last, in
 * one record write.  A store error stops it where it is: the table in
 * memory is the last record that was written and flushed.
 *
 * Not thread-safe: one caller at a time per table (the update module
 * holds its lock around every call).
 */
#ifndef UPDATE_STRAND_H
#define UPDATE_STRAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/update.h>

#define STRAND_A 0
#define STRAND_B 1
#define STRAND_CHUNK_DEFAULT 4096       /* bytes per image write */

/* The four blobs of a table, stored as files /var/update/MODULE/NAME
 * (strand_blob_name gives NAME). */
enum strand_blob {
	STRAND_REC_A = 0,       /* "record.a" */
	STRAND_REC_B = 1,       /* "record.b" */
	STRAND_IMG_A = 2,       /* "strand.a" */
	STRAND_IMG_B = 3,       /* "strand.b" */
};
#define STRAND_BLOBS 4

/* The store.  read: up to len bytes at off into buf, *got the number read
 * (fewer at the blob's end, 0 past it or for a blob that does not exist).
 * write: bytes [off, off + len) of the blob; off 0 starts the blob afresh
 * (what it held is gone), a later write continues it at its end.  flush:
 * the blob's writes are durable when it returns KR_OK.  Any call may fail
 * with any error; after a failed write the blob may hold any prefix of it. */
struct strand_store {
	kr_err_t (*read)(void *ctx, enum strand_blob b, uint64_t off, void *buf, size_t len,
			 size_t *got);
	kr_err_t (*write)(void *ctx, enum strand_blob b, uint64_t off, const void *buf,
			  size_t len);
	kr_err_t (*flush)(void *ctx, enum strand_blob b);
	void *ctx;
};

struct strand_alloc {
	void *(*alloc)(void *ctx, size_t size);         /* NULL: out of memory */
	void (*free)(void *ctx, void *p);
	void *ctx;
};

/* The allow-list: listed() answers whether an image with this digest may
 * be loaded (the image manifest's digests and the user's update manifest).
 * Enforcing: an unlisted image is refused and its strand marked failed;
 * permissive: it is accepted, flagged KR_STRAND_F_UNLISTED and reported. */
struct strand_allow {
	bool (*listed)(void *ctx, const uint8_t digest[KR_UPDATE_DIGEST_LEN]);
	void *ctx;
	bool enforcing;
};

/* A record, decoded (host order). */
struct strand_info {
	uint8_t digest[KR_UPDATE_DIGEST_LEN];
	uint64_t length;
	uint32_t version;
	uint8_t state;          /* enum kr_strand_state */
	uint8_t flags;          /* KR_STRAND_F_* */
	uint8_t pad[2];         /* zero: no hidden padding, so records compare with memcmp */
};
_Static_assert(sizeof(struct strand_info) == 48, "struct strand_info has hidden padding");

struct strand_rec {
	uint64_t generation;
	char name[KR_UPDATE_NAME_LEN];  /* NUL-terminated, NUL-padded */
	uint16_t flags;                 /* KR_UPDATE_F_* */
	uint8_t preferred;              /* STRAND_A or STRAND_B */
	uint8_t pad;                    /* zero */
	uint32_t probation_calls;
	uint64_t probation_time;
	struct strand_info s[2];
};
_Static_assert(sizeof(struct strand_rec) == 152, "struct strand_rec has hidden padding");

struct strand_env {
	struct strand_store store;
	struct strand_alloc alloc;
	size_t chunk;                   /* bytes per image write; 0: STRAND_CHUNK_DEFAULT */
};

struct strand_table {
	struct strand_env env;
	struct strand_rec rec;          /* the last record written and flushed (or read) */
	uint8_t copy;                   /* which copy holds rec: 0 record.a, 1 record.b */
	bool stale;                     /* a record write failed since the last that
					 * succeeded: the other copy may hold it, valid
					 * and newer, until the next commit overwrites it */
	const char *why;                /* the last refusal's or fallback's reason */
};

/* ---- The record codec (the only encoder and decoder of the bytes) ---- */

/* KR_EINVAL when r is not a record a decoder would accept (a bad name, a
 * state or flag out of range, an EMPTY strand with contents, ...); out is
 * then untouched.  why (may be NULL) gets the reason. */
kr_err_t strand_record_encode(const struct strand_rec *r, uint8_t out[KR_UPDATE_RECORD_SIZE],
			      const char **why);
/* KR_ETRUNC: shorter than a record; KR_EFORMAT: longer, or any field
 * refused (magic, version, checksum, flags, name, preferred, states,
 * reserved bytes, an EMPTY strand with contents, TRIAL without
 * PROBATION).  On an error *r is untouched and *why (may be NULL) says
 * why.  Only the canonical encoding decodes: encode(decode(x)) == x. */
kr_err_t strand_record_decode(const uint8_t *buf, size_t len, struct strand_rec *r,
			      const char **why);

/* "record.a", "record.b", "strand.a", "strand.b"; NULL for another value. */
const char *strand_blob_name(enum strand_blob b);
/* 'A' or 'B'. */
char strand_letter(unsigned which);
/* "empty", "written", "verified", "failed", or "?". */
const char *strand_state_name(unsigned state);

/* ---- Operations (t->why: the reason when one refuses) ---- */

/* Read both record copies; the valid one with the higher generation wins.
 * KR_ENOENT: neither copy holds anything (no table: the module runs the
 * image's own version); KR_EFORMAT: something is there and neither copy
 * decodes, or the table names another module; a store error as it came. */
kr_err_t strand_open(struct strand_table *t, const struct strand_env *env, const char *name);

/* A new table for module name, its first image in strand A, verified
 * against the allow-list before anything is written, then preferred.
 * KR_EEXIST when a valid table is there already; KR_EPERM: refused by an
 * enforcing allow-list.  *unlisted (may be NULL): accepted unlisted. */
kr_err_t strand_create(struct strand_table *t, const struct strand_env *env, const char *name,
		       const uint8_t *image, size_t len, uint32_t version,
		       const struct strand_allow *allow, bool *unlisted);

/* Write a new image into the strand that is not preferred: the table
 * first says that strand is empty, then the image is written in chunks
 * and flushed, then the table says it is written, with its digest.
 * KR_EBUSY while the preferred strand is on probation (the other one is
 * the way back). */
kr_err_t strand_write(struct strand_table *t, const uint8_t *image, size_t len,
		      uint32_t version);

/* Read the written strand back and check it: its digest, then the
 * allow-list.  A mismatch (KR_EFORMAT) or an enforcing refusal (KR_EPERM)
 * marks it failed.  KR_EALREADY when it is verified already. */
kr_err_t strand_verify(struct strand_table *t, const struct strand_allow *allow,
		       bool *unlisted);

/* Flip the preference to the other strand, which must be verified; the new
 * version is then on probation (calls and virtual time as given, 0: not
 * counted) until strand_confirm. */
kr_err_t strand_prefer(struct strand_table *t, uint32_t probation_calls,
		       uint64_t probation_time);

/* Flip back to the other strand, which must be verified (by hand: `update
 * rollback`); the strand left stays as it was.  Ends any probation. */
kr_err_t strand_rollback(struct strand_table *t);

/* The preferred strand survived its probation.  KR_EALREADY when it was
 * not on probation. */
kr_err_t strand_confirm(struct strand_table *t);

/* The preferred strand failed (its init, its state import, a fault within
 * probation): it is marked failed and the preference flips to the other
 * one, which must be verified (KR_ENOENT otherwise, nothing changed: the
 * caller falls back to the image's own version). */
kr_err_t strand_fail(struct strand_table *t);

/* Which strand to load at boot, in *which.  The preferred one, unless it
 * is marked failed, a trial boot of it did not confirm (TRIAL found set),
 * or its image does not match its digest: then it is marked failed and the
 * other one, if verified and intact, is chosen and preferred, with
 * t->why saying why (t->why is NULL when nothing was corrected).  A
 * preferred strand on probation gets TRIAL set before it is returned.
 * KR_ENOENT: no strand can be loaded.  On a store error while correcting
 * the preference or recording TRIAL, the error is returned and *which is
 * still the strand to load.  A preferred strand that cannot be read (a
 * store error, not damage) is skipped for this boot, nothing changed. */
kr_err_t strand_boot_choice(struct strand_table *t, unsigned *which);

/* Read strand which's image into buf (cap bytes, at least its length) and
 * check it against the table's digest.  KR_EFORMAT: it does not match. */
kr_err_t strand_load(struct strand_table *t, unsigned which, uint8_t *buf, size_t cap,
		     size_t *len);

#endif
