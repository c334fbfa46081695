/*
 * test_clog_crash.c - the CommitLog engine survives a power cut anywhere,
 * SQLite style.
 *
 * A workload (groups of 1-4 records of many sizes, explicit and automatic
 * superblock writes, a compaction) runs over the simulated device of
 * clog_simdev.h.  A dry run counts its writes and flushes; then for every
 * one of them the workload is run again and the power cut there, with each
 * way the device may have kept its unflushed writes (none, all, a random
 * subset of sectors in a random order, a prefix with the last write torn;
 * the random subset twice, from a fixed seed).  Runs where one write or flush
 * fails with an error first (the workload retries once) and the cut comes
 * later are added.  After each cut clog_open must find:
 *	no corruption;
 *	the records from its base on are exactly the staged ones, in order,
 *	    a prefix of what was staged;
 *	every record whose sync returned KR_OK;
 *	and a record appended after recovery survives a reopen.
 * A record's content is a function of its seq (and of whether the
 * compaction staged it), so a retried group is the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "clog_simdev.h"

#define GROUPS          100     /* 64 syncs after the compaction: the automatic superblock write */
#define COMPACT_AT      30      /* before this group */
#define COMPACT_RECS    3
#define AREA            320     /* sectors */
#define MAX_SECTORS     4       /* so that groups take several writes */

static const uint32_t sizes[] = { 0, 1, 7, 8, 40, 120, 383, 384, 511, 600, 1500, 3000 };

struct run {
	uint64_t acked;         /* highest seq whose sync returned KR_OK */
	uint64_t staged;        /* highest seq staged */
	uint64_t compact_base;  /* first seq the compaction staged (0: not yet) */
	bool compacted;         /* compaction returned KR_OK */
	uint64_t generation;    /* the last superblock's, at the end */
};

static uint32_t len_of(uint64_t seq, bool comp)
{
	return comp ? (seq % 2 ? 176 : 2000) : sizes[(seq * 7) % (sizeof(sizes) / sizeof(sizes[0]))];
}

static void content(uint64_t seq, bool comp, char kind[24], uint8_t *buf, uint32_t *len)
{
	*len = len_of(seq, comp);
	snprintf(kind, 24, comp ? "clog.root" : "test.k%u", (unsigned)(seq % 5));
	for (uint32_t i = 0; i < *len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * (comp ? 5 : 3));
}

static bool is_comp(const struct run *r, uint64_t seq)
{
	return r->compact_base && seq >= r->compact_base && seq < r->compact_base + COMPACT_RECS;
}

static kr_err_t stage_seq(struct clog *l, struct run *r, uint64_t seq, bool comp)
{
	static uint8_t buf[4096];
	char kind[24];
	uint32_t len;
	uint64_t got;
	kr_err_t err;

	content(seq, comp, kind, buf, &len);
	err = clog_stage(l, kind, buf, len, &got);
	if (!err) {
		assert_int_equal(got, seq);
		if (seq > r->staged)
			r->staged = seq;
	}
	return err;
}

static kr_err_t emit(void *ctx, struct clog *l)
{
	struct run *r = ctx;
	struct clog_info in;
	kr_err_t err = KR_OK;

	clog_info(l, &in);
	if (!r->compact_base)
		r->compact_base = in.head_seq + 1;
	assert_int_equal(r->compact_base, in.head_seq + 1);
	for (int i = 0; i < COMPACT_RECS && !err; i++)
		err = stage_seq(l, r, r->compact_base + i, true);
	return err;
}

/* The workload, until it ends or the device dies.  A failed operation is
 * retried once (the device fails one operation at most). */
static void workload(struct simdev *sim, struct clog_dev *dev, struct run *r)
{
	struct clog *l;
	struct clog_report rep;
	struct clog_info in;

	uint64_t fail_at = sim->fail_at, die_at = sim->die_at;

	/* Faults count from the first operation after the open. */
	memset(r, 0, sizeof(*r));
	sim->fail_at = sim->die_at = UINT64_MAX;
	assert_int_equal(clog_format(dev, NULL, 0), KR_OK);
	assert_int_equal(clog_open(dev, &l, &rep), KR_OK);
	sim->ops = 0;
	sim->fail_at = fail_at;
	sim->die_at = die_at;
	for (int g = 0; g < GROUPS && !sim->dead; g++) {
		if (g == COMPACT_AT) {
			kr_err_t err = clog_compact(l, emit, r);

			if (err && !sim->dead)
				err = clog_compact(l, emit, r);
			if (sim->dead)
				break;
			assert_int_equal(err, KR_OK);
			r->compacted = true;
			clog_info(l, &in);
			r->acked = in.head_seq;
		}
		for (int attempt = 0; attempt < 2; attempt++) {
			int n = 1 + (g * 7) % 4;
			kr_err_t err = KR_OK;

			clog_info(l, &in);
			for (int i = 0; i < n && !err; i++)
				err = stage_seq(l, r, in.head_seq + 1 + i, false);
			assert_int_equal(err, KR_OK);
			err = clog_sync(l);
			if (!err) {
				r->acked = in.head_seq + n;
				break;
			}
			assert_int_equal(err, KR_EIO);
			clog_info(l, &in);
			assert_int_equal(in.head_seq, r->acked);
			if (sim->dead)
				break;
		}
		if (g == 15 && !sim->dead)
			(void)clog_write_super(l);
	}
	clog_info(l, &in);
	r->generation = in.generation;
	clog_close(l);
}

struct check {
	const struct run *r;
	uint64_t next, n;
};

static kr_err_t check_rec(void *ctx, const struct kr_clog_rec *rec, const void *payload,
			  uint64_t off)
{
	static uint8_t want[4096];
	struct check *c = ctx;
	char kind[24];
	uint32_t len;

	(void)off;
	assert_int_equal(rec->seq, c->next);
	content(rec->seq, is_comp(c->r, rec->seq), kind, want, &len);
	assert_string_equal(rec->kind, kind);
	assert_int_equal(rec->length, len);
	assert_memory_equal(payload, want, len);
	c->next++;
	c->n++;
	return KR_OK;
}

/* After the cut: what must hold (top of the file). */
static void check_recovery(struct simdev *sim, struct clog_dev *dev, const struct run *r,
			   const char *what)
{
	struct clog *l;
	struct clog_report rep;
	struct clog_info in;
	struct check c = { .r = r };
	kr_err_t err = clog_open(dev, &l, &rep);

	if (err || rep.corrupt)
		fail_msg("%s: open: %d, %s", what, err, rep.why);
	clog_info(l, &in);
	if (r->compacted)
		assert_int_equal(in.base_seq, r->compact_base);
	else if (in.base_seq != 1)
		assert_int_equal(in.base_seq, r->compact_base);
	c.next = in.base_seq;
	assert_int_equal(clog_walk(l, 0, check_rec, &c), KR_OK);
	assert_int_equal(c.next, in.head_seq + 1);
	if (in.head_seq < r->acked)
		fail_msg("%s: lost acknowledged records: head %llu < acked %llu", what,
			 (unsigned long long)in.head_seq, (unsigned long long)r->acked);
	assert_true(in.head_seq <= r->staged);
	/* appends go on over whatever the cut left */
	{
		uint64_t seq;

		assert_int_equal(clog_stage(l, "after.cut", "x", 1, &seq), KR_OK);
		assert_int_equal(seq, in.head_seq + 1);
		assert_int_equal(clog_sync(l), KR_OK);
		clog_close(l);
		err = clog_open(dev, &l, &rep);
		if (err || rep.corrupt)
			fail_msg("%s: reopen after an append: %d, %s", what, err, rep.why);
		clog_info(l, &in);
		assert_int_equal(in.head_seq, seq);
		clog_close(l);
	}
	(void)sim;
}

static uint64_t dry_run_ops(void)
{
	struct simdev sim;
	struct clog_dev dev;
	struct run r;
	uint64_t ops;

	sim_init(&sim, 2 + 2 * AREA);
	dev = sim_dev(&sim, MAX_SECTORS);
	workload(&sim, &dev, &r);
	ops = sim.ops;
	assert_true(r.compacted);
	assert_true(r.acked > 100);
	/* format, the explicit write, the compaction's flip, the automatic one */
	assert_int_equal(r.generation, 4);
	sim_fini(&sim);
	return ops;
}

static void test_crash_everywhere(void **state)
{
	uint64_t ops = dry_run_ops(), runs = 0;
	struct simdev sim;
	struct clog_dev dev;

	(void)state;
	sim_init(&sim, 2 + 2 * AREA);
	dev = sim_dev(&sim, MAX_SECTORS);
	for (uint64_t k = 0; k < ops; k++) {
		/* the random subset twice: it is the one with many outcomes */
		for (int mode = 0; mode < SIM_KEEP_MODES + 1; mode++) {
			struct run r;
			uint64_t rng = 0x9e3779b97f4a7c15ull ^ (k * 64 + (uint64_t)mode);
			char what[80];
			enum sim_keep keep = mode < SIM_KEEP_MODES ? (enum sim_keep)mode : SIM_KEEP_SUBSET;

			sim_reset(&sim);
			sim.die_at = k;
			workload(&sim, &dev, &r);
			sim_crash(&sim, keep, &rng);
			snprintf(what, sizeof(what), "cut at op %llu, keep mode %d",
				 (unsigned long long)k, mode);
			check_recovery(&sim, &dev, &r, what);
			runs++;
		}
	}
	sim_fini(&sim);
	print_message("%llu operations, %llu cuts\n", (unsigned long long)ops,
		      (unsigned long long)runs);
}

static void test_fail_then_crash(void **state)
{
	uint64_t ops = dry_run_ops(), rng = 12345;
	struct simdev sim;
	struct clog_dev dev;

	(void)state;
	sim_init(&sim, 2 + 2 * AREA);
	dev = sim_dev(&sim, MAX_SECTORS);
	for (uint64_t j = 0; j < ops; j++) {
		struct run r;
		char what[80];

		sim_reset(&sim);
		sim.fail_at = j;
		sim.die_at = j + 1 + sim_rand(&rng) % 12;
		workload(&sim, &dev, &r);
		sim_crash(&sim, (enum sim_keep)(sim_rand(&rng) % SIM_KEEP_MODES), &rng);
		snprintf(what, sizeof(what), "op %llu failed, then a cut", (unsigned long long)j);
		check_recovery(&sim, &dev, &r, what);
	}
	sim_fini(&sim);
}

struct find {
	uint64_t seq, off;
	uint32_t len;
};

static kr_err_t find_rec(void *ctx, const struct kr_clog_rec *rec, const void *payload,
			 uint64_t off)
{
	struct find *f = ctx;

	(void)payload;
	f->off = off;
	f->len = rec->length;
	return rec->seq == f->seq ? KR_ENOENT : KR_OK;
}

/* A byte flipped in an acknowledged record in the middle of the log (one
 * record at a time, every record of the area but the last group's, a
 * different byte each): the open reports corruption and names the record,
 * whether the superblock's head is past it or only a later group says it
 * was acknowledged. */
static void test_flip_middle(void **state)
{
	struct simdev sim;
	struct clog_dev dev;
	struct clog *l;
	struct clog_report rep;
	struct clog_info in;
	struct run r;

	(void)state;
	sim_init(&sim, 2 + 2 * AREA);
	dev = sim_dev(&sim, MAX_SECTORS);
	workload(&sim, &dev, &r);
	assert_int_equal(clog_open(&dev, &l, &rep), KR_OK);
	clog_info(l, &in);
	assert_int_equal(1 + (GROUPS - 1) * 7 % 4, 2);
	for (uint64_t seq = in.base_seq; seq <= in.head_seq - 2; seq++) {
		struct find fd = { .seq = seq };
		uint64_t at;

		assert_int_equal(clog_walk(l, seq, find_rec, &fd), KR_ENOENT);
		at = (2 + (uint64_t)in.area * AREA) * 512 + fd.off + (seq * 37) % (128 + fd.len);
		sim.cache[at] ^= 0x20;
		clog_close(l);
		assert_int_equal(clog_open(&dev, &l, &rep), KR_EFORMAT);
		assert_true(rep.corrupt);
		assert_int_equal(rep.bad_seq, seq);
		assert_int_equal(rep.bad_off, fd.off);
		assert_int_equal(clog_stage(l, "k", "", 0, NULL), KR_EPERM);
		clog_close(l);
		sim.cache[at] ^= 0x20;
		assert_int_equal(clog_open(&dev, &l, &rep), KR_OK);
	}
	clog_close(l);
	sim_fini(&sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_everywhere),
		cmocka_unit_test(test_fail_then_crash),
		cmocka_unit_test(test_flip_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
