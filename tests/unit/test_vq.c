/*
 * test_vq.c - the split virtqueue's driver side (modules/virtio_blk/vq.c)
 * against a simulated device that reads the available ring, walks each
 * chain's descriptors and writes used entries, as a virtio 1.x device does:
 * chains and their flags, completions in and out of order, a full queue,
 * free-list reuse over random sequences (a fixed-seed generator, so a
 * failure replays), 16-bit index wraparound, queue sizes refused, and a
 * device that breaks the rules (vq_reap returns -1 with a reason, changes
 * nothing, and reads or writes nothing outside the queue).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtio_blk/vq.h"

/* ---- queue memory, with guard bytes either side of each part ---- */

#define GUARD 64
#define GUARD_BYTE 0xa5

struct mem {
	uint16_t n;
	uint8_t *part[3];       /* desc, avail, used: GUARD + bytes + GUARD */
	size_t bytes[3];
	struct vq q;
};

static void *part(struct mem *m, int i)
{
	return m->part[i] + GUARD;
}

static struct mem *mem_new(uint16_t n)
{
	struct mem *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->n = n;
	m->bytes[0] = VQ_DESC_BYTES(n);
	m->bytes[1] = VQ_AVAIL_BYTES(n) + 2;    /* + used_event */
	m->bytes[2] = VQ_USED_BYTES(n) + 2;     /* + avail_event */
	for (int i = 0; i < 3; i++) {
		m->part[i] = malloc(m->bytes[i] + 2 * GUARD);
		assert_non_null(m->part[i]);
		memset(m->part[i], GUARD_BYTE, GUARD);
		memset(m->part[i] + GUARD, 0, m->bytes[i]);
		memset(m->part[i] + GUARD + m->bytes[i], GUARD_BYTE, GUARD);
	}
	assert_true(vq_init(&m->q, n, part(m, 0), part(m, 1), part(m, 2)));
	return m;
}

static void guards_intact(const struct mem *m)
{
	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < GUARD; j++) {
			assert_int_equal(m->part[i][j], GUARD_BYTE);
			assert_int_equal(m->part[i][GUARD + m->bytes[i] + j], GUARD_BYTE);
		}
}

static void mem_free(struct mem *m)
{
	guards_intact(m);
	for (int i = 0; i < 3; i++)
		free(m->part[i]);
	free(m);
}

/* Everything vq_post or vq_reap may change: the driver's state and the
 * queue memory.  Used to show a refusal changed nothing. */
struct snap {
	struct vq q;
	uint8_t *bytes[3];
};

static void snap_take(const struct mem *m, struct snap *s)
{
	memcpy(&s->q, &m->q, sizeof(s->q));
	for (int i = 0; i < 3; i++) {
		s->bytes[i] = malloc(m->bytes[i] + 2 * GUARD);
		assert_non_null(s->bytes[i]);
		memcpy(s->bytes[i], m->part[i], m->bytes[i] + 2 * GUARD);
	}
}

static void snap_same(const struct mem *m, struct snap *s)
{
	assert_memory_equal(&s->q, &m->q, sizeof(s->q));
	for (int i = 0; i < 3; i++) {
		assert_memory_equal(s->bytes[i], m->part[i], m->bytes[i] + 2 * GUARD);
		free(s->bytes[i]);
	}
}

/* ---- the simulated device ---- */

struct req {
	uint16_t head, n;
	struct vq_buf buf[VQ_MAX];
};

struct dev {
	struct mem *m;
	uint16_t last_avail;    /* the next avail entry to fetch */
	uint16_t used_idx;      /* what it has published in used->idx */
	unsigned npending;
	struct req pending[VQ_MAX];     /* fetched, not completed */
};

static volatile struct vq_desc *ddesc(struct dev *d)
{
	return (volatile struct vq_desc *)part(d->m, 0);
}

static volatile struct vq_avail *davail(struct dev *d)
{
	return (volatile struct vq_avail *)part(d->m, 1);
}

static volatile struct vq_used *dused(struct dev *d)
{
	return (volatile struct vq_used *)part(d->m, 2);
}

static void dev_init(struct dev *d, struct mem *m)
{
	memset(d, 0, sizeof(*d));
	d->m = m;
}

/* Fetch every chain the driver made available, walking its descriptors
 * as a device does (and checking it ends within the table). */
static void dev_fetch(struct dev *d)
{
	uint16_t n = d->m->n;

	while (d->last_avail != davail(d)->idx) {
		struct req *r = &d->pending[d->npending++];
		uint16_t i = davail(d)->ring[d->last_avail % n];

		assert_true(d->npending <= n);
		assert_true(i < n);
		r->head = i;
		r->n = 0;
		for (;;) {
			volatile struct vq_desc *x = &ddesc(d)[i];

			assert_true(r->n < n);          /* no loop */
			r->buf[r->n].addr = x->addr;
			r->buf[r->n].len = x->len;
			r->buf[r->n].device_writes = x->flags & VQ_DESC_F_WRITE;
			r->n++;
			assert_int_equal(x->flags & ~(VQ_DESC_F_NEXT | VQ_DESC_F_WRITE), 0);
			if (!(x->flags & VQ_DESC_F_NEXT))
				break;
			i = x->next;
			assert_true(i < n);
		}
		d->last_avail++;
	}
}

/* Write a used entry, as the device would, and publish it. */
static void dev_used(struct dev *d, uint32_t id, uint32_t len)
{
	dused(d)->ring[d->used_idx % d->m->n].id = id;
	dused(d)->ring[d->used_idx % d->m->n].len = len;
	dused(d)->idx = ++d->used_idx;
}

/* Complete pending request k (its index in pending[]). */
static struct req dev_complete(struct dev *d, unsigned k, uint32_t len)
{
	struct req r = d->pending[k];

	assert_true(k < d->npending);
	d->pending[k] = d->pending[--d->npending];
	dev_used(d, r.head, len);
	return r;
}

static void same_bufs(const struct req *r, const struct vq_buf *b, unsigned n)
{
	assert_int_equal(r->n, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(r->buf[i].addr, b[i].addr);
		assert_int_equal(r->buf[i].len, b[i].len);
		assert_int_equal(r->buf[i].device_writes, b[i].device_writes);
	}
}

static int reap(struct mem *m, uint16_t *head, uint32_t *len)
{
	const char *why = NULL;
	int r = vq_reap(&m->q, head, len, &why);

	assert_null(why);
	return r;
}

/* ---- sizes ---- */

static void sizes(void **state)
{
	static const uint32_t bad[] = { 0, 1, 3, 6, 100, 255, 257, 384, 512, 1024, 32768,
					65535, 65536, 0x10002, 0xffffffffu };
	uint8_t desc[16], avail[16], used[16];
	struct vq q, before;

	(void)state;
	for (uint32_t n = 2; n <= VQ_MAX; n *= 2)
		assert_true(vq_size_ok(n));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(vq_size_ok(bad[i]));
	/* vq_init refuses them without touching q or the memory */
	memset(&q, 0x5a, sizeof(q));
	before = q;
	memset(desc, 0x5a, sizeof(desc));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i] > 0xffff)
			continue;       /* a uint16_t cannot say it */
		assert_false(vq_init(&q, (uint16_t)bad[i], desc, avail, used));
		assert_memory_equal(&q, &before, sizeof(q));
		for (size_t j = 0; j < sizeof(desc); j++)
			assert_int_equal(desc[j], 0x5a);
	}
}

static void init_state(void **state)
{
	struct mem *m = mem_new(8);
	uint16_t h;
	uint32_t l;

	(void)state;
	assert_int_equal(m->q.size, 8);
	assert_int_equal(m->q.nfree, 8);
	assert_int_equal(m->q.inflight, 0);
	assert_int_equal(reap(m, &h, &l), 0);   /* nothing used yet */
	mem_free(m);
}

/* ---- chains ---- */

static void chains_of_one_to_three(void **state)
{
	struct vq_buf b[3] = {
		{ 0x100000, 16, false },
		{ 0x200000, 4096, true },
		{ 0x300000, 1, true },
	};
	struct mem *m = mem_new(16);
	static struct dev d;   /* 1 MiB: not on the stack */
	uint16_t head;
	uint32_t len;

	(void)state;
	dev_init(&d, m);
	for (unsigned n = 1; n <= 3; n++) {
		int h = vq_post(&m->q, b, n);

		assert_true(h >= 0 && h < 16);
		dev_fetch(&d);
		assert_int_equal(d.npending, 1);
		same_bufs(&d.pending[0], b, n);
		assert_int_equal(d.pending[0].head, h);
		/* the flags, as the device sees them */
		for (unsigned i = 0, x = (unsigned)h; i < n; i++) {
			uint16_t f = ddesc(&d)[x].flags;

			assert_int_equal(!!(f & VQ_DESC_F_NEXT), i + 1 < n);
			assert_int_equal(!!(f & VQ_DESC_F_WRITE), b[i].device_writes);
			x = ddesc(&d)[x].next;
		}
		assert_int_equal(m->q.nfree, 16 - n);
		dev_complete(&d, 0, 100 + n);
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h);
		assert_int_equal(len, 100 + n);
		assert_int_equal(reap(m, &head, &len), 0);
		assert_int_equal(m->q.nfree, 16);
	}
	/* a write-only chain and a device-writes-everything chain */
	b[0].device_writes = true;
	b[2].device_writes = false;
	b[1].device_writes = false;
	assert_true(vq_post(&m->q, b, 3) >= 0);
	dev_fetch(&d);
	same_bufs(&d.pending[0], b, 3);
	mem_free(m);
}

static void in_order(void **state)
{
	struct mem *m = mem_new(8);
	struct vq_buf b = { 0x1000, 512, true };
	static struct dev d;   /* 1 MiB: not on the stack */
	int h[5];
	uint16_t head;
	uint32_t len;

	(void)state;
	dev_init(&d, m);
	for (int i = 0; i < 5; i++) {
		b.addr = 0x1000u * (i + 1);
		h[i] = vq_post(&m->q, &b, 1);
		assert_true(h[i] >= 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	assert_int_equal(((volatile struct vq_avail *)part(m, 1))->idx, 5);
	dev_fetch(&d);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(d.pending[i].head, h[i]);
		assert_int_equal(d.pending[i].buf[0].addr, 0x1000u * (i + 1));
	}
	for (int i = 0; i < 5; i++)
		dev_used(&d, (uint32_t)h[i], 10u * i);
	d.npending = 0;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h[i]);
		assert_int_equal(len, 10u * i);
	}
	assert_int_equal(reap(m, &head, &len), 0);
	assert_int_equal(m->q.nfree, 8);
	assert_int_equal(m->q.inflight, 0);
	mem_free(m);
}

static void out_of_order(void **state)
{
	struct vq_buf b[3] = { { 0xa000, 16, false }, { 0xb000, 4096, true }, { 0xc000, 1, true } };
	static const int order[] = { 2, 0, 3, 1 };
	struct mem *m = mem_new(16);
	static struct dev d;   /* 1 MiB: not on the stack */
	int h[4];
	uint16_t head;
	uint32_t len;

	(void)state;
	dev_init(&d, m);
	for (int i = 0; i < 4; i++) {
		b[0].addr = 0xa000u + (unsigned)i;
		h[i] = vq_post(&m->q, b, 3);
		assert_true(h[i] >= 0);
	}
	assert_int_equal(m->q.nfree, 4);
	dev_fetch(&d);
	for (int k = 0; k < 4; k++) {
		dev_used(&d, (uint32_t)h[order[k]], 1000u + (unsigned)order[k]);
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h[order[k]]);
		assert_int_equal(len, 1000u + (unsigned)order[k]);
	}
	assert_int_equal(m->q.nfree, 16);
	/* the freed descriptors chain up again: a chain as long as the table */
	{
		struct vq_buf big[16];

		for (int i = 0; i < 16; i++)
			big[i] = (struct vq_buf){ 0x100000u * (i + 1), 512, i > 0 };
		d.npending = 0;
		h[0] = vq_post(&m->q, big, 16);
		assert_true(h[0] >= 0);
		assert_int_equal(m->q.nfree, 0);
		dev_fetch(&d);
		same_bufs(&d.pending[0], big, 16);
	}
	mem_free(m);
}

/* A chain that takes every descriptor of the largest queue: its length
 * (256) must survive the round trip, or the descriptors never come back. */
static void chain_of_vq_max(void **state)
{
	static struct vq_buf big[VQ_MAX];
	struct mem *m = mem_new(VQ_MAX);
	static struct dev d;   /* 1 MiB: not on the stack */
	uint16_t head;
	uint32_t len;

	(void)state;
	dev_init(&d, m);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < VQ_MAX; i++)
			big[i] = (struct vq_buf){ 0x1000u * (i + 1) + (unsigned)round, 8, i & 1 };
		int h = vq_post(&m->q, big, VQ_MAX);

		assert_true(h >= 0);
		assert_int_equal(m->q.nfree, 0);
		dev_fetch(&d);
		same_bufs(&d.pending[0], big, VQ_MAX);
		dev_complete(&d, 0, 7);
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h);
		assert_int_equal(m->q.nfree, VQ_MAX);
	}
	mem_free(m);
}

/* ---- a full queue ---- */

static void full_queue(void **state)
{
	struct vq_buf b[5] = { { 1, 1, false }, { 2, 2, true }, { 3, 3, false }, { 4, 4, true },
			       { 5, 5, false } };
	struct mem *m = mem_new(4);
	static struct dev d;   /* 1 MiB: not on the stack */
	struct snap s;
	uint16_t head;
	uint32_t len;
	int h;

	(void)state;
	dev_init(&d, m);
	snap_take(m, &s);
	assert_int_equal(vq_post(&m->q, b, 5), -1);     /* more than the table */
	assert_int_equal(vq_post(&m->q, b, 0), -1);     /* nothing */
	snap_same(m, &s);
	assert_true(vq_post(&m->q, b, 3) >= 0);
	snap_take(m, &s);
	assert_int_equal(vq_post(&m->q, b, 2), -1);     /* one left */
	snap_same(m, &s);
	h = vq_post(&m->q, b + 3, 1);
	assert_true(h >= 0);
	assert_int_equal(m->q.nfree, 0);
	snap_take(m, &s);
	assert_int_equal(vq_post(&m->q, b, 1), -1);
	assert_int_equal(vq_post(&m->q, b, 4), -1);
	snap_same(m, &s);
	/* one completion makes room for exactly its chain */
	dev_fetch(&d);
	dev_complete(&d, 1, 0);
	assert_int_equal(reap(m, &head, &len), 1);
	assert_int_equal(head, h);
	assert_int_equal(m->q.nfree, 1);
	snap_take(m, &s);
	assert_int_equal(vq_post(&m->q, b, 2), -1);
	snap_same(m, &s);
	assert_int_equal(vq_post(&m->q, b, 1), h);      /* the free list's front */
	mem_free(m);
}

/* ---- random sequences against the model ---- */

static uint64_t rng_state;

static uint32_t rng(void)         /* xorshift64*, fixed seed: failures replay */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

struct posted {
	bool live;
	unsigned n;
	struct vq_buf buf[3];
	uint32_t len;           /* what the device said, once completed */
	bool done;
};

static void random_ops(uint16_t size, unsigned ops, uint64_t seed)
{
	struct mem *m = mem_new(size);
	struct posted *p = calloc(size, sizeof(*p));
	static struct dev d;   /* 1 MiB: not on the stack */
	unsigned posts = 0, reaps = 0, fulls = 0;

	assert_non_null(p);
	rng_state = seed;
	dev_init(&d, m);
	for (unsigned op = 0; op < ops; op++) {
		unsigned what = rng() % 8, inflight_descs = 0;

		if (what < 4) {                         /* post a chain of 1..3 */
			struct vq_buf b[3];
			unsigned n = 1 + rng() % 3;
			uint16_t nfree = m->q.nfree;
			int h;

			for (unsigned i = 0; i < n; i++)
				b[i] = (struct vq_buf){ (uint64_t)rng() << 12, rng() % 65536, rng() & 1 };
			h = vq_post(&m->q, b, n);
			if (n > nfree) {
				assert_int_equal(h, -1);
				assert_int_equal(m->q.nfree, nfree);
				fulls++;
			} else {
				assert_true(h >= 0 && h < size);
				assert_false(p[h].live);
				p[h] = (struct posted){ true, n, { b[0], b[1], b[2] }, 0, false };
				posts++;
			}
		} else if (what < 6) {                  /* the device takes and completes one */
			dev_fetch(&d);
			if (d.npending) {
				unsigned k = rng() % d.npending;
				uint32_t len = rng();
				struct req r = dev_complete(&d, k, len);

				assert_true(p[r.head].live);
				assert_false(p[r.head].done);
				same_bufs(&r, p[r.head].buf, p[r.head].n);
				p[r.head].done = true;
				p[r.head].len = len;
			}
		} else {                                /* the driver reaps what there is */
			uint16_t head;
			uint32_t len;
			int r;

			while ((r = reap(m, &head, &len)) == 1) {
				assert_true(head < size);
				assert_true(p[head].live);
				assert_true(p[head].done);
				assert_int_equal(len, p[head].len);
				p[head].live = false;
				reaps++;
			}
			assert_int_equal(r, 0);
		}
		/* nfree + descriptors in flight == size */
		for (uint16_t i = 0; i < size; i++)
			if (p[i].live)
				inflight_descs += p[i].n;
		assert_int_equal(m->q.nfree + inflight_descs, size);
	}
	/* every path was taken, many times */
	assert_true(posts > ops / 8);
	assert_true(reaps > ops / 8);
	assert_true(fulls > 0);
	free(p);
	mem_free(m);
}

static void random_small_queue(void **state)
{
	(void)state;
	random_ops(8, 10000, 0x9e3779b97f4a7c15ull);
}

static void random_large_queue(void **state)
{
	(void)state;
	random_ops(64, 10000, 0xdeadbeefcafef00dull);
}

/* ---- 16-bit index wraparound ---- */

static void indices_wrap(void **state)
{
	struct vq_buf b[2] = { { 0x5000, 64, false }, { 0x6000, 64, true } };
	struct mem *m = mem_new(4);
	static struct dev d;   /* 1 MiB: not on the stack */
	uint16_t head;
	uint32_t len;
	int h[2];

	(void)state;
	dev_init(&d, m);
	/* cycle one request at a time to just below the wrap */
	for (unsigned i = 0; i < 65533; i++) {
		assert_true(vq_post(&m->q, b, 1) >= 0);
		dev_fetch(&d);
		dev_complete(&d, 0, i);
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(len, i);
	}
	assert_int_equal(m->q.avail_idx, 65533);
	assert_int_equal(m->q.last_used, 65533);
	/* two chains of two in flight across the wrap, completed out of order */
	for (unsigned round = 0; round < 6; round++) {
		h[0] = vq_post(&m->q, b, 2);
		h[1] = vq_post(&m->q, b, 2);
		assert_true(h[0] >= 0 && h[1] >= 0);
		dev_fetch(&d);
		assert_int_equal(d.npending, 2);
		dev_used(&d, (uint32_t)h[1], 1);
		dev_used(&d, (uint32_t)h[0], 0);
		d.npending = 0;
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h[1]);
		assert_int_equal(reap(m, &head, &len), 1);
		assert_int_equal(head, h[0]);
		assert_int_equal(reap(m, &head, &len), 0);
		assert_int_equal(m->q.nfree, 4);
	}
	/* 65533 + 12 = 65545: both indices wrapped */
	assert_int_equal(((volatile struct vq_avail *)part(m, 1))->idx, (uint16_t)65545);
	assert_int_equal(m->q.last_used, (uint16_t)65545);
	assert_int_equal(m->q.avail_idx, 9);
	mem_free(m);
}

/* ---- a device that breaks the rules ---- */

/* Post nchains chains of len descriptors; the device fetches them. */
static struct mem *hostile_setup(struct dev *d, uint16_t size, unsigned nchains, unsigned len,
				 int *h)
{
	struct vq_buf b[3] = { { 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true } };
	struct mem *m = mem_new(size);

	dev_init(d, m);
	for (unsigned i = 0; i < nchains; i++) {
		h[i] = vq_post(&m->q, b, len);
		assert_true(h[i] >= 0);
	}
	dev_fetch(d);
	return m;
}

/* vq_reap refuses, says why, and changes nothing (driver state, queue
 * memory, the guards around it, the caller's outputs). */
static void refused(struct mem *m, const char *reason)
{
	struct snap s;
	const char *why = NULL;
	uint16_t head = 0xbeef;
	uint32_t len = 0xfeedface;

	snap_take(m, &s);
	assert_int_equal(vq_reap(&m->q, &head, &len, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, reason));
	assert_int_equal(head, 0xbeef);
	assert_int_equal(len, 0xfeedface);
	snap_same(m, &s);
	guards_intact(m);
	/* and again: it stays refused */
	why = NULL;
	assert_int_equal(vq_reap(&m->q, &head, &len, &why), -1);
	assert_non_null(why);
}

static void used_idx_jumps(void **state)
{
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	int h[3];

	(void)state;
	/* two in flight, the index says three */
	m = hostile_setup(&d, 8, 2, 1, h);
	dev_used(&d, (uint32_t)h[0], 0);
	dev_used(&d, (uint32_t)h[1], 0);
	dev_used(&d, (uint32_t)h[0], 0);
	refused(m, "moved past");
	mem_free(m);
	/* nothing in flight at all */
	m = hostile_setup(&d, 8, 0, 1, h);
	dused(&d)->idx = 1;
	refused(m, "moved past");
	mem_free(m);
	/* the index goes backwards (a jump of 65535) */
	m = hostile_setup(&d, 8, 3, 1, h);
	dused(&d)->idx = 0xffff;
	refused(m, "moved past");
	mem_free(m);
	/* a huge jump: still refused, nothing read past the ring */
	m = hostile_setup(&d, 8, 3, 1, h);
	dused(&d)->idx = 0x8000;
	refused(m, "moved past");
	mem_free(m);
}

static void used_idx_jumps_after_some(void **state)
{
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	uint16_t head;
	uint32_t len;
	int h[3];

	(void)state;
	/* three posted, one reaped fairly; then the index claims three more */
	m = hostile_setup(&d, 8, 3, 1, h);
	dev_used(&d, (uint32_t)h[0], 5);
	assert_int_equal(reap(m, &head, &len), 1);
	assert_int_equal(head, h[0]);
	dused(&d)->idx = (uint16_t)(dused(&d)->idx + 3);
	refused(m, "moved past");
	mem_free(m);
}

static void id_never_posted(void **state)
{
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	int h[2];

	(void)state;
	/* a free descriptor */
	m = hostile_setup(&d, 8, 1, 1, h);
	dev_used(&d, (uint32_t)(h[0] + 3), 0);
	refused(m, "not a request in flight");
	mem_free(m);
	/* a descriptor in flight, but not a chain's head */
	m = hostile_setup(&d, 8, 1, 3, h);
	dev_used(&d, ddesc(&d)[h[0]].next, 0);
	refused(m, "not a request in flight");
	mem_free(m);
}

static void id_completed_twice(void **state)
{
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	uint16_t head;
	uint32_t len;
	int h[2];

	(void)state;
	m = hostile_setup(&d, 8, 2, 2, h);
	dev_used(&d, (uint32_t)h[0], 1);
	dev_used(&d, (uint32_t)h[0], 2);
	assert_int_equal(reap(m, &head, &len), 1);
	assert_int_equal(head, h[0]);
	assert_int_equal(len, 1);
	refused(m, "not a request in flight");
	assert_int_equal(m->q.nfree, 6);        /* the first completion's two came back once */
	mem_free(m);
}

static void id_out_of_range(void **state)
{
	static const uint32_t ids[] = { 8, 9, 255, 256, 0x10000, 0x10001, 0x80000000u, 0xffffffffu };
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	int h[2];

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		m = hostile_setup(&d, 8, 2, 1, h);
		dev_used(&d, ids[i], 0);
		refused(m, "not a request in flight");
		mem_free(m);
	}
}

/* The descriptor table is the device's to read, but nothing stops it
 * writing there: the driver keeps its own links, so a scribbled next
 * field neither sends vq_reap outside the table nor breaks the free list. */
static void device_scribbles_descriptors(void **state)
{
	struct vq_buf b[3] = { { 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true } };
	static struct dev d;   /* 1 MiB: not on the stack */
	struct mem *m;
	uint16_t head;
	uint32_t len;
	int h[2];

	(void)state;
	m = hostile_setup(&d, 8, 2, 3, h);
	for (int i = 0; i < 8; i++)
		ddesc(&d)[i].next = (uint16_t)(0xfff0 + i);
	dev_used(&d, (uint32_t)h[1], 0);
	dev_used(&d, (uint32_t)h[0], 0);
	assert_int_equal(reap(m, &head, &len), 1);
	assert_int_equal(reap(m, &head, &len), 1);
	assert_int_equal(m->q.nfree, 8);
	guards_intact(m);
	/* and every descriptor can still be posted, each once */
	d.npending = 0;
	for (int i = 0; i < 8; i++) {
		int x = vq_post(&m->q, b, 1);

		assert_true(x >= 0 && x < 8);
		for (int j = 0; j < (int)d.npending; j++)
			assert_int_not_equal(d.pending[j].head, x);
		dev_fetch(&d);
	}
	assert_int_equal(vq_post(&m->q, b, 1), -1);
	mem_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(init_state),
		cmocka_unit_test(chains_of_one_to_three),
		cmocka_unit_test(in_order),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(chain_of_vq_max),
		cmocka_unit_test(full_queue),
		cmocka_unit_test(random_small_queue),
		cmocka_unit_test(random_large_queue),
		cmocka_unit_test(indices_wrap),
		cmocka_unit_test(used_idx_jumps),
		cmocka_unit_test(used_idx_jumps_after_some),
		cmocka_unit_test(id_never_posted),
		cmocka_unit_test(id_completed_twice),
		cmocka_unit_test(id_out_of_range),
		cmocka_unit_test(device_scribbles_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
