/*
 * log.c - the CommitLog engine (log.h), on the format of format.c.
 *
 * Three layers, each using only the ones above it:
 *	window	one buffer through which every read of the area goes
 *	scan	the next record of the chain after a cursor (open and walk)
 *	log	open (recovery: torn tail or corruption), stage/sync, the
 *		superblock, walk, compaction
 *
 * Only kr_blake2b_256 and the C library of <karyon/libc.h>: the same file
 * runs in the clog module, the host unit tests and the fuzz target.  Every
 * buffer bigger than a header comes from dev->alloc (kernel stacks are
 * small); everything is little-endian, as x86_64 stores it.
 */
#include <karyon/libc.h>
#include <karyon/hash.h>
#include "log.h"

#define SECTOR          KR_CLOG_SECTOR
#define HDR             sizeof(struct kr_clog_rec)
#define HASH_AT         offsetof(struct kr_clog_rec, hash)
#define LEN_AT          offsetof(struct kr_clog_rec, length)
#define SUM_AT          offsetof(struct kr_clog_super, sum)
/* Batch small reads: the window holds this much beyond the largest record. */
#define WIN_EXTRA       (64u << 10)

_Static_assert(CLOG_GROUP_MAX % SECTOR == 0, "a group ends on a sector boundary");
_Static_assert(CLOG_GROUP_MAX >= HDR + KR_CLOG_PAYLOAD_MAX + 8, "a group holds any record");

static kr_err_t bad(const char **why, const char *text, kr_err_t err)
{
	*why = text;
	return err;
}

/* ---- the log ---- */

struct clog {
	struct clog_dev dev;
	/* The log the superblocks name (or would name after the next write):
	 * epoch, area, base.  Its head_* fields are unused: head_* below. */
	struct kr_clog_super sb;
	uint64_t area_bytes;
	uint64_t generation;    /* of the newest superblock written or tried */
	unsigned slot;          /* the copy the next superblock write goes to */
	/* A compaction's flip failed after its write was issued: the disk may
	 * name the new epoch until a superblock naming this one is flushed. */
	bool revert;
	bool corrupt;
	bool compacting;
	uint64_t head_seq;      /* the last durable record */
	uint64_t head_end;      /* byte offset just past it */
	uint8_t head_hash[32];
	uint64_t next_off;      /* sector-aligned: where the next group starts */
	/* The staged group: encoded records, as they will be written at next_off. */
	uint8_t *stage;
	size_t stage_len, stage_cap;
	uint64_t staged;
	uint8_t stage_prev[32];
	/* The window: area bytes [win_off, win_off + win_len), win_off sector-aligned. */
	uint8_t *win;
	size_t win_cap;
	uint64_t win_off;
	size_t win_len;
	struct kr_clog_super sbuf;      /* a superblock sector being read or written */
	struct kr_clog_super other;     /* at open: the copy not chosen */
	uint64_t syncs, records_synced, syncs_since_super;
};

static kr_err_t dev_io(const struct clog_dev *d, bool write, uint64_t lba, uint64_t count,
		       void *buf)
{
	uint8_t *b = buf;

	while (count) {
		uint32_t n = count < d->max_sectors ? (uint32_t)count : d->max_sectors;
		kr_err_t err = write ? d->write(d->ctx, lba, n, b) : d->read(d->ctx, lba, n, b);

		if (err)
			return KR_EIO;
		lba += n;
		count -= n;
		b += (size_t)n * SECTOR;
	}
	return KR_OK;
}

static bool dev_ok(const struct clog_dev *d)
{
	return d && d->read && d->write && d->flush && d->alloc && d->free && d->max_sectors &&
	       d->sectors >= 4;
}

/* ---- window ---- */

/* Area bytes [off, off + n): n at most a record, and within the area.  A
 * pointer into the window, valid until the next call; NULL on a read error. */
static uint8_t *win_get(struct clog *l, uint64_t off, size_t n)
{
	uint64_t start, len;

	if (l->win_len && off >= l->win_off && off + n <= l->win_off + l->win_len)
		return l->win + (off - l->win_off);
	start = off - off % SECTOR;
	len = l->win_cap;
	if (len > l->area_bytes - start)
		len = l->area_bytes - start;
	l->win_len = 0;
	if (dev_io(&l->dev, false, l->sb.area_start + start / SECTOR, len / SECTOR, l->win))
		return NULL;
	l->win_off = start;
	l->win_len = len;
	return l->win + (off - start);
}

static int zero_to_sector(struct clog *l, uint64_t off)
{
	size_t n = SECTOR - off % SECTOR;
	uint8_t *p = win_get(l, off, n);

	return p ? clog_all_zero(p, n) : -1;
}

/* ---- scan ---- */

/* A cursor on the chain: where the next record may start, and what it must be. */
struct scan {
	uint64_t off;
	uint64_t seq;
	uint8_t prev[32];
};

struct found {
	const struct kr_clog_rec *rec;  /* into the window */
	const void *payload;
	uint64_t at;
	uint64_t fail_off;              /* no record: where the chain stops */
	const char *why;
};

/* The record at off, if it is the one the cursor expects. */
static kr_err_t try_record(struct clog *l, uint64_t off, const struct scan *s, struct found *f)
{
	uint64_t avail = l->area_bytes - off;
	uint32_t len;
	size_t need;
	uint8_t *p;
	kr_err_t err;

	p = win_get(l, off, avail < HDR ? avail : HDR);
	if (!p)
		return bad(&f->why, "read error", KR_EIO);
	need = HDR;
	if (avail >= HDR) {
		memcpy(&len, p + LEN_AT, 4);
		if (len <= KR_CLOG_PAYLOAD_MAX)
			need = clog_rec_size(len);
	}
	if (need > avail)
		need = avail;
	p = win_get(l, off, need);
	if (!p)
		return bad(&f->why, "read error", KR_EIO);
	err = clog_rec_decode(p, need, l->sb.epoch, &f->rec, &f->payload, &f->why);
	if (err)
		return err;
	if (f->rec->seq != s->seq)
		return bad(&f->why, "out of sequence", KR_EFORMAT);
	if (memcmp(f->rec->prev, s->prev, 32))
		return bad(&f->why, "chain broken (prev is not the previous record's hash)",
			   KR_EFORMAT);
	return KR_OK;
}

/* The next record of the chain: packed right after the previous one (same
 * group) or at the next sector boundary (the next group: what lies between
 * is the zero padding of a sync, or the leftover of a torn record cut at
 * recovery, which appends never rewrite).  KR_OK: f->rec and s advanced;
 * KR_ENOENT: the chain stops at f->fail_off (f->why); KR_EIO. */
static kr_err_t scan_next(struct clog *l, struct scan *s, struct found *f)
{
	uint64_t cand[2];
	unsigned n = 0;
	const char *fail_why = NULL;

	cand[n++] = s->off;
	if (s->off % SECTOR)
		cand[n++] = clog_round_up(s->off, SECTOR);
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = cand[i];
		const char *why;
		kr_err_t err;

		if (at >= l->area_bytes) {
			err = KR_ENOENT;
			why = "end of the area";
		} else if (i == 0 && n == 2 && zero_to_sector(l, at) == 1) {
			continue;       /* padding: the failure, if any, is the next sector's */
		} else {
			err = try_record(l, at, s, f);
			why = f->why;
			if (err == KR_EIO)
				return err;
		}
		if (!err) {
			f->at = at;
			s->off = at + clog_rec_size(f->rec->length);
			s->seq++;
			memcpy(s->prev, f->rec->hash, 32);
			return KR_OK;
		}
		if (!fail_why) {
			f->fail_off = at;
			fail_why = why;
		}
		if (at >= l->area_bytes)
			break;
	}
	f->why = fail_why;
	return KR_ENOENT;
}

/* After the chain stopped at fail_off expecting seq: is there a later record
 * of this epoch, intact, that was written when seq was already acknowledged
 * (durable >= seq)?  Only sector starts up to a group's length past the
 * failure can begin the group after the failing one, and that group's
 * records say what was acknowledged before it.  *torn_end grows to the end
 * of every record of this epoch at or after seq seen on the way (the torn
 * group's data, as far as headers tell).  1 yes (*who its seq), 0 no, <0 I/O. */
static int later_durable(struct clog *l, uint64_t fail_off, uint64_t seq, uint64_t *who,
			 uint64_t *torn_end)
{
	uint64_t last = fail_off + CLOG_GROUP_MAX + SECTOR;

	for (uint64_t at = clog_round_up(fail_off + 1, SECTOR); at <= last && at + HDR <= l->area_bytes;
	     at += SECTOR) {
		const struct kr_clog_rec *rec;
		const void *payload;
		struct kr_clog_rec h;
		uint64_t end, avail = l->area_bytes - at;
		uint8_t *p = win_get(l, at, HDR);

		if (!p)
			return -1;
		memcpy(&h, p, HDR);
		if (h.magic != KR_CLOG_REC_MAGIC || h.version != KR_CLOG_FORMAT_VERSION ||
		    h.epoch != l->sb.epoch || h.seq < seq || h.length > KR_CLOG_PAYLOAD_MAX)
			continue;
		end = at + clog_rec_size(h.length);
		if (end > l->area_bytes)
			end = l->area_bytes;
		if (end > *torn_end)
			*torn_end = end;
		if (h.durable < seq || end - at < clog_rec_size(h.length))
			continue;
		p = win_get(l, at, clog_rec_size(h.length) < avail ? clog_rec_size(h.length) : avail);
		if (!p)
			return -1;
		if (clog_rec_decode(p, clog_rec_size(h.length), l->sb.epoch, &rec, &payload, NULL))
			continue;
		*who = h.seq;
		return 1;
	}
	return 0;
}

static void set_corrupt(struct clog *l, struct clog_report *rep, uint64_t seq, uint64_t off,
			const char *why, const char *because, uint64_t who)
{
	l->corrupt = true;
	rep->corrupt = true;
	rep->bad_seq = seq;
	rep->bad_off = off;
	if (who)
		ksnprintf(rep->why, sizeof(rep->why),
			  "record %llu at offset %llu: %s, but record %llu written after it "
			  "says it was acknowledged", (unsigned long long)seq,
			  (unsigned long long)off, why, (unsigned long long)who);
	else
		ksnprintf(rep->why, sizeof(rep->why), "record %llu at offset %llu: %s%s",
			  (unsigned long long)seq, (unsigned long long)off, why, because);
}

/* Walk the chain from the base, then decide what stopped it. */
static kr_err_t recover(struct clog *l, struct clog_report *rep)
{
	struct scan s = { .off = 0, .seq = l->sb.base_seq };
	struct found f;
	uint64_t who = 0, torn_end;
	kr_err_t err;
	int r;

	memcpy(s.prev, l->sb.base_prev, 32);
	l->head_seq = l->sb.base_seq - 1;
	memcpy(l->head_hash, l->sb.base_prev, 32);
	l->head_end = 0;
	while ((err = scan_next(l, &s, &f)) == KR_OK) {
		if (f.rec->seq == l->sb.head_seq && memcmp(f.rec->hash, l->sb.head_hash, 32)) {
			set_corrupt(l, rep, f.rec->seq, f.at, "not the superblock's head", "", 0);
			break;
		}
		l->head_seq = f.rec->seq;
		memcpy(l->head_hash, f.rec->hash, 32);
		l->head_end = s.off;
		if (!rep->records++)
			rep->first_seq = f.rec->seq;
		rep->last_seq = f.rec->seq;
	}
	if (err == KR_EIO)
		return err;
	l->next_off = clog_round_up(l->head_end, SECTOR);
	if (l->corrupt || f.fail_off >= l->area_bytes)
		return KR_OK;
	if (s.seq <= l->sb.head_seq || f.fail_off < l->sb.head_off) {
		set_corrupt(l, rep, s.seq, f.fail_off, f.why, ", before the superblock's head", 0);
		return KR_OK;
	}
	/* cut_bytes counts the torn group's data as far as we can tell: from
	 * the failing record to the end of its sector unless that is blank
	 * (the rest of the group's first sector), or to the end of the record
	 * its header announces if that is this epoch's and reaches further,
	 * or to the end of any later record of this epoch at or past the
	 * failing seq within a group's reach (later_durable). */
	torn_end = f.fail_off;
	r = later_durable(l, f.fail_off, s.seq, &who, &torn_end);
	if (r < 0)
		return KR_EIO;
	if (r) {
		set_corrupt(l, rep, s.seq, f.fail_off, f.why, "", who);
		return KR_OK;
	}
	r = zero_to_sector(l, f.fail_off);
	if (r < 0)
		return KR_EIO;
	if (!r) {
		struct kr_clog_rec h;
		uint64_t avail = l->area_bytes - f.fail_off, end;
		uint8_t *p = win_get(l, f.fail_off, avail < HDR ? avail : HDR);

		if (!p)
			return KR_EIO;
		end = clog_round_up(f.fail_off + 1, SECTOR);
		if (avail >= HDR) {
			memcpy(&h, p, HDR);
			if (h.magic == KR_CLOG_REC_MAGIC && h.epoch == l->sb.epoch &&
			    h.length <= KR_CLOG_PAYLOAD_MAX &&
			    f.fail_off + clog_rec_size(h.length) > end)
				end = f.fail_off + clog_rec_size(h.length);
		}
		if (end > torn_end)
			torn_end = end;
	}
	if (torn_end > l->area_bytes)
		torn_end = l->area_bytes;
	rep->cut_bytes = torn_end - f.fail_off;
	rep->cut_seq = rep->cut_bytes ? s.seq : 0;
	return KR_OK;
}

static void clog_free(struct clog *l)
{
	const struct clog_dev *d = &l->dev;

	if (l->stage)
		d->free(d->ctx, l->stage);
	if (l->win)
		d->free(d->ctx, l->win);
	d->free(d->ctx, l);
}

kr_err_t clog_open(const struct clog_dev *dev, struct clog **out, struct clog_report *rep)
{
	struct kr_clog_super *cand[2];
	const char *why[2];
	kr_err_t ok[2], err;
	struct clog *l;
	unsigned pick;
	uint64_t want;

	if (!out || !rep)
		return KR_EINVAL;
	*out = NULL;
	memset(rep, 0, sizeof(*rep));
	if (!dev_ok(dev)) {
		ksnprintf(rep->why, sizeof(rep->why), "not a usable device");
		return KR_EINVAL;
	}
	l = dev->alloc(dev->ctx, sizeof(*l));
	if (!l)
		return KR_ENOMEM;
	memset(l, 0, sizeof(*l));
	l->dev = *dev;
	cand[0] = &l->sb;
	cand[1] = &l->other;
	for (unsigned i = 0; i < 2; i++) {
		if (dev_io(dev, false, i, 1, &l->sbuf)) {
			clog_free(l);
			ksnprintf(rep->why, sizeof(rep->why), "cannot read superblock %c", 'A' + i);
			return KR_EIO;
		}
		ok[i] = clog_super_decode(&l->sbuf, dev->sectors, cand[i], &why[i]);
	}
	if (ok[0] && ok[1]) {
		ksnprintf(rep->why, sizeof(rep->why), "no commit log: superblock A %s, B %s",
			  why[0], why[1]);
		clog_free(l);
		return KR_EFORMAT;
	}
	pick = ok[0] || (!ok[1] && cand[1]->generation > cand[0]->generation);
	if (pick)
		l->sb = l->other;
	l->generation = l->sb.generation;
	l->slot = pick ^ 1;
	l->area_bytes = l->sb.area_sectors * SECTOR;
	/* The largest record wherever it starts in a sector, and room to batch. */
	want = clog_round_up(clog_rec_size(KR_CLOG_PAYLOAD_MAX), SECTOR) + SECTOR + WIN_EXTRA;
	l->win_cap = want < l->area_bytes ? want : l->area_bytes;
	l->win = dev->alloc(dev->ctx, l->win_cap);
	if (!l->win) {
		clog_free(l);
		return KR_ENOMEM;
	}
	err = recover(l, rep);
	/* What was read must be durable before a record acknowledges it. */
	if (!err && !l->corrupt && dev->flush(dev->ctx))
		err = KR_EIO;
	if (err) {
		ksnprintf(rep->why, sizeof(rep->why), "device error reading the log");
		clog_free(l);
		return err;
	}
	*out = l;
	return l->corrupt ? KR_EFORMAT : KR_OK;
}

void clog_close(struct clog *l)
{
	if (l)
		clog_free(l);
}

kr_err_t clog_probe(const struct clog_dev *dev)
{
	uint8_t *buf;
	kr_err_t err = KR_OK;

	if (!dev_ok(dev))
		return KR_EINVAL;
	buf = dev->alloc(dev->ctx, 2 * SECTOR);
	if (!buf)
		return KR_ENOMEM;
	if (dev_io(dev, false, 0, 2, buf))
		err = KR_EIO;
	else if (clog_all_zero(buf, 2 * SECTOR))
		err = KR_OK;
	else if (!clog_super_decode(buf, dev->sectors, (struct kr_clog_super *)buf, NULL) ||
		 !clog_super_decode(buf + SECTOR, dev->sectors,
				    (struct kr_clog_super *)(buf + SECTOR), NULL))
		err = KR_EEXIST;
	else
		err = KR_EFORMAT;
	dev->free(dev->ctx, buf);
	return err;
}

kr_err_t clog_format(const struct clog_dev *dev, char *why, size_t whylen)
{
	struct kr_clog_super *sb;
	uint32_t epoch = 1;
	uint8_t *buf;
	kr_err_t err;

	if (!dev_ok(dev)) {
		if (why && whylen)
			ksnprintf(why, whylen, "device too small or missing operations");
		return KR_EINVAL;
	}
	buf = dev->alloc(dev->ctx, 2 * SECTOR);
	if (!buf)
		return KR_ENOMEM;
	if (dev_io(dev, false, 0, 2, buf)) {
		err = KR_EIO;
		goto out;
	}
	/* A log formatted over an old one starts past its epoch, so that its
	 * records, still in the areas, can never pass for this log's. */
	for (unsigned i = 0; i < 2; i++) {
		struct kr_clog_super *old = (struct kr_clog_super *)(buf + i * SECTOR);

		if (!clog_super_decode(old, dev->sectors, old, NULL) && old->epoch >= epoch)
			epoch = old->epoch + 1;
	}
	memset(buf, 0, 2 * SECTOR);
	sb = (struct kr_clog_super *)buf;
	sb->magic = KR_CLOG_SB_MAGIC;
	sb->version = KR_CLOG_FORMAT_VERSION;
	sb->sector_size = SECTOR;
	sb->generation = 1;
	sb->region_sectors = dev->sectors;
	sb->epoch = epoch;
	sb->area = 0;
	sb->area_start = 2;
	sb->area_sectors = (dev->sectors - 2) / 2;
	sb->base_seq = 1;
	sb->head_seq = 0;
	clog_super_encode(sb);
	/* Copy B blank: an old log's B must not outrank the new A. */
	err = dev_io(dev, true, 0, 2, buf);
	if (!err && dev->flush(dev->ctx))
		err = KR_EIO;
out:
	if (err && why && whylen)
		ksnprintf(why, whylen, "device error writing the superblocks");
	dev->free(dev->ctx, buf);
	return err;
}

/* ---- appends ---- */

kr_err_t clog_write_super(struct clog *l)
{
	struct kr_clog_super *sb;
	kr_err_t err;

	if (!l)
		return KR_EINVAL;
	if (l->corrupt)
		return KR_EPERM;
	sb = &l->sbuf;
	*sb = l->sb;
	sb->generation = ++l->generation;
	sb->head_seq = l->head_seq;
	sb->head_off = l->head_end;
	memcpy(sb->head_hash, l->head_hash, 32);
	memset(sb->reserved, 0, sizeof(sb->reserved));
	clog_super_encode(sb);
	l->win_len = 0;
	err = dev_io(&l->dev, true, l->slot, 1, sb);
	if (!err && l->dev.flush(l->dev.ctx))
		err = KR_EIO;
	/* On failure the copy may hold either superblock: the next try goes
	 * to the same copy, never over the last one known good. */
	if (err)
		return KR_EIO;
	l->slot ^= 1;
	l->revert = false;
	l->syncs_since_super = 0;
	return KR_OK;
}

kr_err_t clog_stage(struct clog *l, const char *kind, const void *payload, uint32_t len,
		    uint64_t *seq)
{
	size_t size, need;
	uint64_t s;
	kr_err_t err;

	if (seq)
		*seq = 0;
	if (!l || !kind || (!payload && len) || !clog_kind_ok(kind, false))
		return KR_EINVAL;
	if (l->corrupt)
		return KR_EPERM;
	if (len > KR_CLOG_PAYLOAD_MAX)
		return KR_ERANGE;
	size = clog_rec_size(len);
	if (l->stage_len + size > CLOG_GROUP_MAX)
		return KR_EBUSY;
	need = clog_round_up(l->stage_len + size, SECTOR);
	if (l->next_off + need > l->area_bytes)
		return KR_ENOSPC;
	if (need > l->stage_cap) {
		size_t cap = l->stage_cap ? l->stage_cap : 4096;
		uint8_t *n;

		while (cap < need)
			cap *= 2;
		n = l->dev.alloc(l->dev.ctx, cap);
		if (!n)
			return KR_ENOMEM;
		if (l->stage_len)
			memcpy(n, l->stage, l->stage_len);
		if (l->stage)
			l->dev.free(l->dev.ctx, l->stage);
		l->stage = n;
		l->stage_cap = cap;
	}
	s = l->head_seq + l->staged + 1;
	err = clog_rec_encode(l->stage + l->stage_len, l->sb.epoch, s, l->head_seq, kind, payload,
			      len, l->staged ? l->stage_prev : l->head_hash);
	if (err)
		return err;
	memcpy(l->stage_prev, l->stage + l->stage_len + HASH_AT, 32);
	l->stage_len += size;
	l->staged++;
	if (seq)
		*seq = s;
	return KR_OK;
}

void clog_unstage(struct clog *l)
{
	if (!l)
		return;
	l->staged = 0;
	l->stage_len = 0;
}

kr_err_t clog_sync(struct clog *l)
{
	uint64_t n;
	kr_err_t err;

	if (!l)
		return KR_EINVAL;
	if (l->corrupt)
		return KR_EPERM;
	if (!l->staged)
		return KR_OK;
	if (l->revert && !l->compacting && clog_write_super(l)) {
		clog_unstage(l);
		return KR_EIO;
	}
	n = clog_round_up(l->stage_len, SECTOR);
	memset(l->stage + l->stage_len, 0, n - l->stage_len);
	l->win_len = 0;
	err = dev_io(&l->dev, true, l->sb.area_start + l->next_off / SECTOR, n / SECTOR, l->stage);
	if (!err && l->dev.flush(l->dev.ctx))
		err = KR_EIO;
	if (err) {
		clog_unstage(l);
		return KR_EIO;
	}
	l->head_seq += l->staged;
	memcpy(l->head_hash, l->stage_prev, 32);
	l->head_end = l->next_off + l->stage_len;
	l->next_off += n;
	l->records_synced += l->staged;
	l->syncs++;
	clog_unstage(l);
	/* A hint for recovery: the records are durable whatever it does. */
	if (!l->compacting && ++l->syncs_since_super >= 64)
		(void)clog_write_super(l);
	return KR_OK;
}

/* ---- reading ---- */

kr_err_t clog_walk(struct clog *l, uint64_t from_seq, clog_rec_fn fn, void *ctx)
{
	struct scan s = { .off = 0, .seq = 0 };
	struct found f;
	kr_err_t err;

	if (!l || !fn)
		return KR_EINVAL;
	s.seq = l->sb.base_seq;
	memcpy(s.prev, l->sb.base_prev, 32);
	while (s.seq <= l->head_seq) {
		err = scan_next(l, &s, &f);
		if (err == KR_EIO)
			return err;
		if (err)
			return KR_EFORMAT;      /* verified at open, changed since */
		if (f.rec->seq >= from_seq) {
			err = fn(ctx, f.rec, f.payload, f.at);
			if (err)
				return err;
		}
	}
	return KR_OK;
}

void clog_info(const struct clog *l, struct clog_info *out)
{
	memset(out, 0, sizeof(*out));
	out->epoch = l->sb.epoch;
	out->area = l->sb.area;
	out->base_seq = l->sb.base_seq;
	out->head_seq = l->head_seq;
	memcpy(out->base_prev, l->sb.base_prev, 32);
	memcpy(out->head_hash, l->head_hash, 32);
	out->used_bytes = l->next_off;
	out->area_bytes = l->area_bytes;
	out->generation = l->generation;
	out->syncs = l->syncs;
	out->records_synced = l->records_synced;
	out->corrupt = l->corrupt;
}

/* ---- compaction ---- */

kr_err_t clog_compact(struct clog *l, clog_emit_fn emit, void *ctx)
{
	struct kr_clog_super old;
	uint64_t old_end, old_next;
	bool flipping = false;
	kr_err_t err;

	if (!l || !emit)
		return KR_EINVAL;
	if (l->corrupt)
		return KR_EPERM;
	if (l->staged || l->compacting)
		return KR_EBUSY;
	old = l->sb;
	old_end = l->head_end;
	old_next = l->next_off;
	/* The new epoch chains on from the head: head_seq and head_hash stay. */
	l->sb.epoch++;
	l->sb.area ^= 1;
	l->sb.area_start = 2 + l->sb.area * l->sb.area_sectors;
	l->sb.base_seq = l->head_seq + 1;
	memcpy(l->sb.base_prev, l->head_hash, 32);
	l->head_end = 0;
	l->next_off = 0;
	l->win_len = 0;
	l->compacting = true;
	err = emit(ctx, l);
	if (!err)
		err = clog_sync(l);
	if (!err) {
		flipping = true;
		err = clog_write_super(l);
	}
	l->compacting = false;
	if (!err)
		return KR_OK;
	clog_unstage(l);
	if (flipping) {
		/* The records are durable in the other area but the flip is not:
		 * back to the old log, whose head is the new area's base. */
		l->head_seq = l->sb.base_seq - 1;
		memcpy(l->head_hash, l->sb.base_prev, 32);
		l->revert = true;
	}
	l->sb = old;
	l->head_end = old_end;
	l->next_off = old_next;
	l->win_len = 0;
	return err;
}
