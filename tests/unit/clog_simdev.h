/*
 * clog_simdev.h - a simulated block device for the CommitLog engine's host
 * tests (test_clog.c, test_clog_crash.c, clog_golden.c).
 *
 * It keeps what a power cut would leave (durable) apart from what reads see
 * (cache) and from the writes issued since the last flush (pending, in
 * order).  A flush makes every pending write durable.  A crash keeps any
 * subset of the pending sectors, in any order, or a prefix of the writes
 * with the last one torn (sim_crash).  An operation can be made to fail
 * (its write still pending: a device that reports an error may have written
 * some of it), and the device can die at the Nth operation (it and all
 * later ones fail; a write that dies is still pending, so it can be torn).
 */
#ifndef CLOG_SIMDEV_H
#define CLOG_SIMDEV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

struct sim_write {
	uint64_t lba;
	uint32_t count;
	uint8_t *data;
};

struct simdev {
	uint64_t sectors;
	uint8_t *durable, *cache;
	struct sim_write *pend;
	size_t npend, cappend;
	uint64_t ops;           /* writes and flushes issued */
	uint64_t fail_at;       /* the op that fails (UINT64_MAX: none) */
	uint64_t die_at;        /* the op at which the device dies (UINT64_MAX: never) */
	int dead;
	uint64_t reads, writes, flushes;
};

static inline void *sim_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static inline void sim_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static inline kr_err_t sim_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct simdev *s = ctx;

	if (s->dead || lba + count > s->sectors)
		return KR_EIO;
	s->reads++;
	memcpy(buf, s->cache + lba * 512, (size_t)count * 512);
	return KR_OK;
}

/* Is this op the one that fails or dies?  Counts it. */
static inline int sim_fault(struct simdev *s)
{
	uint64_t op = s->ops++;

	if (op >= s->die_at)
		s->dead = 1;
	return s->dead || op == s->fail_at;
}

static inline kr_err_t sim_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct simdev *s = ctx;
	int was_dead = s->dead, fault = sim_fault(s);
	struct sim_write *w;

	if (lba + count > s->sectors || was_dead)
		return KR_EIO;
	s->writes++;
	if (s->npend == s->cappend) {
		s->cappend = s->cappend ? 2 * s->cappend : 16;
		s->pend = realloc(s->pend, s->cappend * sizeof(*s->pend));
	}
	w = &s->pend[s->npend++];
	w->lba = lba;
	w->count = count;
	w->data = malloc((size_t)count * 512);
	memcpy(w->data, buf, (size_t)count * 512);
	if (!s->dead)
		memcpy(s->cache + lba * 512, buf, (size_t)count * 512);
	return fault ? KR_EIO : KR_OK;
}

static inline void sim_drop_pending(struct simdev *s)
{
	for (size_t i = 0; i < s->npend; i++)
		free(s->pend[i].data);
	s->npend = 0;
}

static inline kr_err_t sim_flush(void *ctx)
{
	struct simdev *s = ctx;

	if (sim_fault(s))
		return KR_EIO;
	s->flushes++;
	for (size_t i = 0; i < s->npend; i++)
		memcpy(s->durable + s->pend[i].lba * 512, s->pend[i].data,
		       (size_t)s->pend[i].count * 512);
	sim_drop_pending(s);
	return KR_OK;
}

static inline void sim_init(struct simdev *s, uint64_t sectors)
{
	memset(s, 0, sizeof(*s));
	s->sectors = sectors;
	s->durable = calloc(sectors, 512);
	s->cache = calloc(sectors, 512);
	s->fail_at = s->die_at = UINT64_MAX;
}

/* Blank again, keeping the buffers (the crash suite runs thousands). */
static inline void sim_reset(struct simdev *s)
{
	sim_drop_pending(s);
	memset(s->durable, 0, s->sectors * 512);
	memset(s->cache, 0, s->sectors * 512);
	s->ops = s->reads = s->writes = s->flushes = 0;
	s->dead = 0;
	s->fail_at = s->die_at = UINT64_MAX;
}

static inline void sim_fini(struct simdev *s)
{
	sim_drop_pending(s);
	free(s->pend);
	free(s->durable);
	free(s->cache);
	memset(s, 0, sizeof(*s));
}

static inline struct clog_dev sim_dev(struct simdev *s, uint32_t max_sectors)
{
	struct clog_dev d = {
		.ctx = s, .sectors = s->sectors, .max_sectors = max_sectors,
		.read = sim_read, .write = sim_write, .flush = sim_flush,
		.alloc = sim_alloc, .free = sim_free,
	};
	return d;
}

/* A deterministic PRNG (xorshift64*): the same seed, the same crashes. */
static inline uint64_t sim_rand(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ull;
}

enum sim_keep {
	SIM_KEEP_NONE,          /* nothing since the last flush */
	SIM_KEEP_ALL,           /* every pending write, in order */
	SIM_KEEP_SUBSET,        /* each pending sector or not, writes in a random order */
	SIM_KEEP_PREFIX,        /* the first writes, the next one torn to a prefix */
	SIM_KEEP_MODES
};

/* Power cut: the durable image gets what `keep` says of the pending
 * writes; the cache becomes the durable image; the device lives again. */
static inline void sim_crash(struct simdev *s, enum sim_keep keep, uint64_t *rng)
{
	size_t n = s->npend, *order = calloc(n ? n : 1, sizeof(size_t)), upto;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	switch (keep) {
	case SIM_KEEP_NONE:
		break;
	case SIM_KEEP_ALL:
		for (size_t i = 0; i < n; i++)
			memcpy(s->durable + s->pend[i].lba * 512, s->pend[i].data,
			       (size_t)s->pend[i].count * 512);
		break;
	case SIM_KEEP_SUBSET:
		for (size_t i = n; i > 1; i--) {
			size_t j = sim_rand(rng) % i, t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (size_t k = 0; k < n; k++) {
			struct sim_write *w = &s->pend[order[k]];

			for (uint32_t i = 0; i < w->count; i++)
				if (sim_rand(rng) & 1)
					memcpy(s->durable + (w->lba + i) * 512, w->data + i * 512, 512);
		}
		break;
	case SIM_KEEP_PREFIX:
		upto = n ? sim_rand(rng) % n : 0;
		for (size_t i = 0; i < upto; i++)
			memcpy(s->durable + s->pend[i].lba * 512, s->pend[i].data,
			       (size_t)s->pend[i].count * 512);
		if (upto < n)
			memcpy(s->durable + s->pend[upto].lba * 512, s->pend[upto].data,
			       (size_t)(sim_rand(rng) % (s->pend[upto].count + 1)) * 512);
		break;
	default:
		break;
	}
	free(order);
	sim_drop_pending(s);
	memcpy(s->cache, s->durable, s->sectors * 512);
	s->dead = 0;
	s->fail_at = s->die_at = UINT64_MAX;
	s->ops = 0;
}

#endif
