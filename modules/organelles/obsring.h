/*
 * obsring.h - channel 0's pure parts (obsring.c): the observability ring
 * with its running index, and the line splitter that turns kernel log
 * bytes into records.  obs.c is the kernel side (the feed task, the
 * shell's `obs`); tests/unit/test_org_obs.c runs these on the host.
 *
 * The ring keeps the newest framed parcels delivered on channel 0 in a
 * fixed buffer; when a new one does not fit, the oldest go (counted).  It
 * never blocks and never allocates.  The index chains every parcel that
 * ever entered:
 *	idx_0 = 0,  idx_n = XXH3_64(le64(idx_{n-1}) ++ parcel_n's framed bytes)
 * so dropping the oldest does not change it, and each record keeps the
 * index after it: a dump of records k..n states idx_{k-1} as its base.
 */
#ifndef KARYON_ORGANELLES_OBSRING_H
#define KARYON_ORGANELLES_OBSRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/parcel.h>

#define OBS_RING_BYTES   65536u         /* the kernel's ring: records and their heads */
#define OBS_REC_HDR      12u            /* a record: u32 size, u64 index after, bytes */
#define OBS_PARCEL_MAX   (KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX)
#define OBS_KIND_LOG     1u             /* channel 0 kind: one kernel log line */

struct obsring {
	uint8_t *buf;
	size_t cap;                     /* bytes of buf */
	uint64_t head, tail;            /* byte positions ever: next write, oldest record */
	uint64_t first, next;           /* record numbers: oldest kept, next to enter */
	uint64_t base;                  /* the index before record `first` */
	uint64_t index;                 /* the index after record next - 1 */
	uint64_t bytes;                 /* framed bytes that ever entered */
	uint64_t dropped;               /* oldest records dropped to make room */
	uint64_t refused;               /* parcels larger than the ring (never entered) */
};

/* One record, copied out by obsring_get. */
struct obsring_rec {
	uint64_t seq;                   /* its record number */
	uint64_t index;                 /* the index after it */
	uint32_t size;                  /* framed bytes, in the caller's buffer */
};

void obsring_init(struct obsring *r, void *buf, size_t cap);
/* Take a copy of parcel p (n framed bytes): drops the oldest records until
 * it fits; false (counted in refused, the index unchanged) if it never
 * can, or n is 0. */
bool obsring_append(struct obsring *r, const void *p, size_t n);
/* idx after parcel p given idx before it. */
uint64_t obsring_chain(uint64_t prev, const void *p, size_t n);
/* Records kept. */
static inline uint64_t obsring_count(const struct obsring *r) { return r->next - r->first; }
/* A walk over the kept records, oldest first. */
struct obsring_cur {
	uint64_t seq;                   /* the record obsring_next gives next */
	uint64_t pos;                   /* its byte position */
	uint64_t before;                /* the index before it */
};

/* Start a walk at record seq (first <= seq <= next; seq == next: at the
 * end, before = the current index).  false if seq is not kept. */
bool obsring_seek(const struct obsring *r, uint64_t seq, struct obsring_cur *c);
/* The walk's next record into rec, its bytes into out (cap bytes, at least
 * OBS_PARCEL_MAX); false at the end, or if appends overtook the walk (its
 * record was dropped meanwhile). */
bool obsring_next(const struct obsring *r, struct obsring_cur *c, struct obsring_rec *rec,
		  uint8_t *out, size_t cap);

/* ---- the line splitter ------------------------------------------------- */

/* Kernel log bytes in, one call of emit per complete line out: the line's
 * text without its stamp (KR_LOG_STAMP and 11 hex digits: wall-clock
 * time, kept out so the feed is the same on every boot) and without its
 * '\n'.  A line longer than KR_PARCEL_PAYLOAD_MAX is cut there (counted in
 * cut); a line is emitted only when its '\n' arrived, so a partial line
 * waits across calls. */
typedef void (*obsline_emit_fn)(void *ctx, const char *text, size_t len);

struct obsline {
	enum { OBSLINE_START, OBSLINE_STAMP, OBSLINE_TEXT, OBSLINE_SKIP } state;
	unsigned stamp_left;
	size_t len;
	uint64_t lines, cut, gaps;      /* emitted; cut short; obsline_gap calls */
	char text[KR_PARCEL_PAYLOAD_MAX];
};

void obsline_init(struct obsline *l);
void obsline_feed(struct obsline *l, const char *bytes, size_t n, obsline_emit_fn emit, void *ctx);
/* Bytes were lost before the next ones (the log ring wrapped past the
 * reader; counted in gaps): the line being assembled is dropped, and so
 * is the rest of the one the next bytes start in, up to the next stamp. */
void obsline_gap(struct obsline *l);

#endif
