/*
 * test_update_strand.c - module updates' strand table (issue 19,
 * modules/update/strand.c, BLAKE2b through tcc-runtime/krt/blake2.c over
 * Debian's libb2): the record codec and every refusal of its decoder, the
 * golden record tests/unit/golden/update_strand.bin, every operation and
 * its refusals, torn record copies, and the exhaustive crash test: for
 * each operation sequence and each k, the k-th store write or flush fails
 * (nothing of it landed, half of it, or all of it), then
 *	- the table in memory must still hold the invariant against the store,
 *	  and the sequence must go on from there (the failed operation retried)
 *	  to the same end as a run without failures;
 *	- a power cut is simulated (only flushed blobs kept, or every write
 *	  kept, the failed one as it landed) and the table reopened: it must
 *	  decode, hold the invariant, and boot a strand whose image verifies;
 * and the same again with a second fault at every later write point.
 * The invariant (strand.h): the preferred strand is VERIFIED and its image
 * on the store hashes (libb2 here, not the code under test) to its digest;
 * every WRITTEN or VERIFIED strand's image does; on probation the other
 * strand is VERIFIED.
 *
 * Usage: test_update_strand GOLDEN_DIR (tests/unit/golden)
 *        test_update_strand --write-golden DIR   (writes update_strand.bin)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <blake2.h>

#include "update/strand.h"

static const char *golden_dir = "tests/unit/golden";

static void b2(uint8_t out[32], const void *in, size_t n)
{
	assert_int_equal(blake2b(out, in, NULL, 32, n, 0), 0);
}

/* ---- a simulated store ---- */

#define BLOB_CAP (64u << 10)

struct blob {
	uint8_t cur[BLOB_CAP];          /* what reads see: every write that landed */
	size_t cur_len;
	uint8_t dur[BLOB_CAP];          /* what survives a power cut: flushed */
	size_t dur_len;
};

enum land { LAND_NONE, LAND_HALF, LAND_ALL };  /* of the write that fails */

struct sim {
	struct blob b[STRAND_BLOBS];
	unsigned points;                /* writes and flushes so far */
	unsigned fail_at;               /* fail this one (1-based); 0: none */
	enum land land;
	unsigned fail_at2;              /* and this one, later (a second fault) */
	enum land land2;
	unsigned failures;              /* how many of them were reached */
	bool rec_flushed;               /* a record copy was flushed: a table is durable */
	unsigned fail_reads;            /* a bit per blob whose reads fail */
	unsigned allocs_left;           /* fail the allocator after this many; ~0u: never */
};

static struct sim sim, crash;

static void sim_reset(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->allocs_left = ~0u;
}

static void blob_put(struct blob *b, uint64_t off, const void *p, size_t n)
{
	assert_true(off == 0 || off == b->cur_len);     /* the store's contract */
	if (off == 0)
		b->cur_len = 0;
	assert_true(b->cur_len + n <= BLOB_CAP);
	memcpy(b->cur + b->cur_len, p, n);
	b->cur_len += n;
}

static kr_err_t sim_write(void *ctx, enum strand_blob b, uint64_t off, const void *buf,
			  size_t len)
{
	struct sim *s = ctx;

	assert_true((unsigned)b < STRAND_BLOBS);
	if (++s->points == s->fail_at || s->points == s->fail_at2) {
		enum land land = s->points == s->fail_at ? s->land : s->land2;

		s->failures++;
		if (land == LAND_HALF)
			blob_put(&s->b[b], off, buf, len / 2);
		else if (land == LAND_ALL)
			blob_put(&s->b[b], off, buf, len);
		return KR_EIO;
	}
	blob_put(&s->b[b], off, buf, len);
	return KR_OK;
}

static kr_err_t sim_flush(void *ctx, enum strand_blob b)
{
	struct sim *s = ctx;

	assert_true((unsigned)b < STRAND_BLOBS);
	if (++s->points == s->fail_at || s->points == s->fail_at2) {
		s->failures++;
		return KR_EIO;
	}
	memcpy(s->b[b].dur, s->b[b].cur, s->b[b].cur_len);
	s->b[b].dur_len = s->b[b].cur_len;
	if (b == STRAND_REC_A || b == STRAND_REC_B)
		s->rec_flushed = true;
	return KR_OK;
}

static kr_err_t sim_read(void *ctx, enum strand_blob b, uint64_t off, void *buf, size_t len,
			 size_t *got)
{
	struct sim *s = ctx;
	const struct blob *bl = &s->b[b];
	size_t n = 0;

	assert_true((unsigned)b < STRAND_BLOBS);
	if (s->fail_reads & (1u << b))
		return KR_EIO;
	if (off < bl->cur_len)
		n = bl->cur_len - off < len ? bl->cur_len - off : len;
	memcpy(buf, bl->cur + off, n);
	*got = n;
	return KR_OK;
}

/* A power cut: only what was flushed stays (keep_all: every write landed). */
static void power_cut(struct sim *dst, const struct sim *src, bool keep_all)
{
	*dst = *src;
	dst->fail_at = dst->fail_at2 = 0;
	dst->failures = 0;
	for (int i = 0; i < STRAND_BLOBS; i++) {
		struct blob *b = &dst->b[i];

		if (!keep_all) {
			memcpy(b->cur, b->dur, b->dur_len);
			b->cur_len = b->dur_len;
		}
		memcpy(b->dur, b->cur, b->cur_len);
		b->dur_len = b->cur_len;
	}
}

static void *sim_alloc(void *ctx, size_t n)
{
	struct sim *s = ctx;

	if (s->allocs_left == 0)
		return NULL;
	if (s->allocs_left != ~0u)
		s->allocs_left--;
	return malloc(n ? n : 1);       /* exact size: ASan sees a read past it */
}

static void sim_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static struct strand_env env_of(struct sim *s, size_t chunk)
{
	struct strand_env env = {
		.store = { .read = sim_read, .write = sim_write, .flush = sim_flush, .ctx = s },
		.alloc = { .alloc = sim_alloc, .free = sim_free, .ctx = s },
		.chunk = chunk,
	};
	return env;
}

/* ---- images and the allow-list ---- */

#define IMG_LEN(v) (9000u + 37u * (v))  /* three chunks of 4096 */
#define CHUNK 4096

static uint8_t images[8][IMG_LEN(8)];

static const uint8_t *image(unsigned v)
{
	uint32_t x = 0x9E3779B9u * (v + 1);

	for (size_t i = 0; i < IMG_LEN(v); i++) {
		x = x * 1103515245u + 12345u;
		images[v][i] = (uint8_t)(x >> 16);
	}
	return images[v];
}

struct list {
	uint8_t d[8][32];
	unsigned n;
	unsigned asked;
};

static bool listed(void *ctx, const uint8_t digest[32])
{
	struct list *l = ctx;

	l->asked++;
	for (unsigned i = 0; i < l->n; i++)
		if (!memcmp(l->d[i], digest, 32))
			return true;
	return false;
}

static struct list all_listed;

/* An allow-list holding versions 1..7's images. */
static struct strand_allow allow_all(bool enforcing)
{
	all_listed.n = 0;
	for (unsigned v = 1; v < 8; v++)
		b2(all_listed.d[all_listed.n++], image(v), IMG_LEN(v));
	return (struct strand_allow){ .listed = listed, .ctx = &all_listed,
				      .enforcing = enforcing };
}

/* ---- the invariant ---- */

/* Strand which's image on the store (what reads see) hashes to its digest. */
static bool image_intact(const struct sim *s, const struct strand_rec *r, unsigned which)
{
	const struct blob *b = &s->b[which ? STRAND_IMG_B : STRAND_IMG_A];
	uint8_t h[32];

	if (b->cur_len != r->s[which].length)
		return false;
	b2(h, b->cur, b->cur_len);
	return !memcmp(h, r->s[which].digest, 32);
}

static void check_invariant(const struct strand_table *t, const struct sim *s)
{
	uint8_t enc[KR_UPDATE_RECORD_SIZE];
	struct strand_rec back;
	unsigned pref = t->rec.preferred;

	assert_int_equal(strand_record_encode(&t->rec, enc, NULL), KR_OK);
	assert_int_equal(strand_record_decode(enc, sizeof(enc), &back, NULL), KR_OK);
	assert_memory_equal(&back, &t->rec, sizeof(back));
	assert_int_equal(t->rec.s[pref].state, KR_STRAND_VERIFIED);
	assert_true(image_intact(s, &t->rec, pref));
	for (unsigned i = 0; i < 2; i++)
		if (t->rec.s[i].state == KR_STRAND_WRITTEN ||
		    t->rec.s[i].state == KR_STRAND_VERIFIED)
			assert_true(image_intact(s, &t->rec, i));
	if (t->rec.flags & KR_UPDATE_F_PROBATION)
		assert_int_equal(t->rec.s[pref ^ 1].state, KR_STRAND_VERIFIED);
}

/* The table as written: reopened, it is the one in memory. */
static void check_reopen(const struct strand_table *t, struct sim *s)
{
	struct strand_env env = env_of(s, CHUNK);
	struct strand_table u;

	assert_int_equal(strand_open(&u, &env, t->rec.name), KR_OK);
	assert_memory_equal(&u.rec, &t->rec, sizeof(u.rec));
	assert_int_equal(u.copy, t->copy);
}

/* ---- the record codec ---- */

static struct strand_rec sample_rec(void)
{
	struct strand_rec r;

	memset(&r, 0, sizeof(r));
	memcpy(r.name, "vfs", 3);
	r.generation = 7;
	r.preferred = STRAND_B;
	r.flags = KR_UPDATE_F_PROBATION;
	r.probation_calls = 3;
	r.probation_time = 1000000;
	for (int i = 0; i < 32; i++) {
		r.s[0].digest[i] = (uint8_t)(0x10 + i);
		r.s[1].digest[i] = (uint8_t)(0x40 + i);
	}
	r.s[0].length = 9000;
	r.s[0].version = 0x010200;      /* KR_VERSION(1, 2, 0) */
	r.s[0].state = KR_STRAND_VERIFIED;
	r.s[1].length = 12345;
	r.s[1].version = 0x010300;
	r.s[1].state = KR_STRAND_VERIFIED;
	r.s[1].flags = KR_STRAND_F_UNLISTED;
	return r;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void test_record_bytes(void **state)
{
	struct strand_rec r = sample_rec(), d;
	uint8_t enc[KR_UPDATE_RECORD_SIZE], again[KR_UPDATE_RECORD_SIZE], h[32];

	(void)state;
	assert_int_equal(strand_record_encode(&r, enc, NULL), KR_OK);
	/* Each field where <karyon/update.h> puts it, by hand. */
	assert_memory_equal(enc, "KSRD", 4);
	assert_int_equal(le(enc + 4, 2), KR_UPDATE_VERSION);
	assert_int_equal(le(enc + 6, 2), KR_UPDATE_F_PROBATION);
	assert_int_equal(le(enc + 8, 8), 7);
	assert_string_equal((const char *)enc + 16, "vfs");
	assert_int_equal(enc[48], 1);
	assert_int_equal(le(enc + 52, 4), 3);
	assert_int_equal(le(enc + 56, 8), 1000000);
	assert_int_equal(enc[64], 0x10);
	assert_int_equal(le(enc + 64 + 32, 8), 9000);
	assert_int_equal(le(enc + 64 + 40, 4), 0x010200);
	assert_int_equal(enc[64 + 44], KR_STRAND_VERIFIED);
	assert_int_equal(enc[128], 0x40);
	assert_int_equal(le(enc + 128 + 32, 8), 12345);
	assert_int_equal(enc[128 + 45], KR_STRAND_F_UNLISTED);
	b2(h, enc, KR_UPDATE_SUM_OFF);
	assert_memory_equal(enc + KR_UPDATE_SUM_OFF, h, 32);
	/* Nothing else: every other byte is zero. */
	for (size_t i = 0; i < KR_UPDATE_SUM_OFF; i++) {
		bool field = i < 20 || i == 48 || (i >= 52 && i < 64) ||
			     (i >= 64 && i < 192 && (i - 64) % 64 < 46);

		if (!field)
			assert_int_equal(enc[i], 0);
	}
	assert_int_equal(strand_record_decode(enc, sizeof(enc), &d, NULL), KR_OK);
	assert_memory_equal(&d, &r, sizeof(d));
	assert_int_equal(strand_record_encode(&d, again, NULL), KR_OK);
	assert_memory_equal(again, enc, sizeof(enc));
}

/* Set bytes and reseal: the checksum right, the field wrong. */
static void reseal(uint8_t *enc)
{
	b2(enc + KR_UPDATE_SUM_OFF, enc, KR_UPDATE_SUM_OFF);
}

static void refused_as(const uint8_t *enc, size_t len, kr_err_t err, const char *why_part)
{
	struct strand_rec r, before;
	const char *why = NULL;

	memset(&r, 0xA5, sizeof(r));
	before = r;
	assert_int_equal(strand_record_decode(enc, len, &r, &why), err);
	assert_non_null(why);
	if (why_part && !strstr(why, why_part))
		fail_msg("reason '%s' lacks '%s'", why, why_part);
	assert_memory_equal(&r, &before, sizeof(r));
}

static void test_decode_refusals(void **state)
{
	struct strand_rec r = sample_rec();
	uint8_t good[KR_UPDATE_RECORD_SIZE + 1], enc[KR_UPDATE_RECORD_SIZE + 1];
	static const struct {
		size_t off;
		uint8_t val;
		const char *why;
	} bad[] = {
		{ 0, 'X', "magic" },
		{ 4, 2, "version" },
		{ 6, 0x04, "record flags" },
		{ 6, KR_UPDATE_F_TRIAL, "trial" },
		{ 8, 0, "generation" },         /* with 9..15 zero too: below */
		{ 16, 'V', "name" },
		{ 16, 0, "name" },
		{ 18, '-', "name" },
		{ 20, 'x', "after the module name" },
		{ 47, 'x', "terminated" },
		{ 48, 2, "preferred" },
		{ 49, 1, "reserved" },
		{ 51, 1, "reserved" },
		{ 64 + 44, 4, "state" },
		{ 64 + 45, 2, "strand flags" },
		{ 64 + 46, 1, "reserved" },
		{ 128 + 63, 1, "reserved" },
		{ 192, 1, "reserved" },
		{ 223, 1, "reserved" },
	};

	(void)state;
	assert_int_equal(strand_record_encode(&r, good, NULL), KR_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(enc, good, KR_UPDATE_RECORD_SIZE);
		enc[bad[i].off] = bad[i].val;
		if (bad[i].off == 6 && bad[i].val == KR_UPDATE_F_TRIAL)
			enc[6] = KR_UPDATE_F_TRIAL;     /* TRIAL without PROBATION */
		if (bad[i].off == 8)
			memset(enc + 8, 0, 8);
		if (bad[i].off != 0 && bad[i].off != 4)
			reseal(enc);
		refused_as(enc, KR_UPDATE_RECORD_SIZE, KR_EFORMAT, bad[i].why);
	}
	/* An empty strand with anything in it; a strand with no length or too much. */
	{
		struct strand_rec e = r;

		memset(&e.s[0], 0, sizeof(e.s[0]));
		e.preferred = STRAND_B;
		e.flags = 0;
		assert_int_equal(strand_record_encode(&e, enc, NULL), KR_OK);
		for (size_t off = 64; off < 64 + 46; off++) {
			uint8_t keep[KR_UPDATE_RECORD_SIZE];

			memcpy(keep, enc, sizeof(keep));
			keep[off] = off == 64 + 44 ? 0 : 1;
			if (off == 64 + 44)
				continue;
			reseal(keep);
			refused_as(keep, sizeof(keep), KR_EFORMAT, off == 64 + 45 ? NULL : "empty");
		}
		memcpy(enc, good, KR_UPDATE_RECORD_SIZE);
		memset(enc + 64 + 32, 0, 8);
		reseal(enc);
		refused_as(enc, KR_UPDATE_RECORD_SIZE, KR_EFORMAT, "length");
		memcpy(enc, good, KR_UPDATE_RECORD_SIZE);
		enc[64 + 32 + 3] = 0x01;        /* 16 MiB + 9000 */
		reseal(enc);
		refused_as(enc, KR_UPDATE_RECORD_SIZE, KR_EFORMAT, "length");
	}
	/* Any byte flipped: the checksum (or the magic) refuses it. */
	for (size_t off = 0; off < KR_UPDATE_RECORD_SIZE; off++) {
		memcpy(enc, good, KR_UPDATE_RECORD_SIZE);
		enc[off] ^= 0x20;
		refused_as(enc, KR_UPDATE_RECORD_SIZE, KR_EFORMAT, NULL);
	}
	/* Every truncation, and one byte too many. */
	for (size_t n = 0; n < KR_UPDATE_RECORD_SIZE; n++)
		refused_as(good, n, KR_ETRUNC, "shorter");
	good[KR_UPDATE_RECORD_SIZE] = 0;
	refused_as(good, KR_UPDATE_RECORD_SIZE + 1, KR_EFORMAT, "longer");
	assert_int_equal(strand_record_decode(NULL, 256, &r, NULL), KR_EINVAL);
	assert_int_equal(strand_record_decode(good, 256, NULL, NULL), KR_EINVAL);
}

static void test_encode_refusals(void **state)
{
	uint8_t out[KR_UPDATE_RECORD_SIZE], before[KR_UPDATE_RECORD_SIZE];
	struct strand_rec r;
	const char *why;

	(void)state;
	memset(out, 0x5A, sizeof(out));
	memcpy(before, out, sizeof(out));
#define ENCODE_REFUSED(change)                                                   \
	do {                                                                     \
		r = sample_rec();                                                \
		change;                                                          \
		why = NULL;                                                      \
		assert_int_equal(strand_record_encode(&r, out, &why), KR_EINVAL); \
		assert_non_null(why);                                            \
		assert_memory_equal(out, before, sizeof(out));                   \
	} while (0)
	ENCODE_REFUSED(r.name[0] = 0);
	ENCODE_REFUSED(r.name[1] = 'X');
	ENCODE_REFUSED(memset(r.name, 'a', sizeof(r.name)));
	ENCODE_REFUSED(r.name[5] = 'z');
	ENCODE_REFUSED(r.generation = 0);
	ENCODE_REFUSED(r.preferred = 2);
	ENCODE_REFUSED(r.flags = 0x10);
	ENCODE_REFUSED(r.flags = KR_UPDATE_F_TRIAL);
	ENCODE_REFUSED(r.s[0].state = 4);
	ENCODE_REFUSED(r.s[1].flags = 0x80);
	ENCODE_REFUSED(r.s[0].length = 0);
	ENCODE_REFUSED(r.s[0].length = KR_UPDATE_IMAGE_MAX + 1);
	ENCODE_REFUSED(r.s[0].state = KR_STRAND_EMPTY);
	ENCODE_REFUSED(r.pad = 1);
	ENCODE_REFUSED(r.s[1].pad[1] = 1);
#undef ENCODE_REFUSED
	assert_int_equal(strand_record_encode(NULL, out, NULL), KR_EINVAL);
	r = sample_rec();
	assert_int_equal(strand_record_encode(&r, NULL, NULL), KR_EINVAL);
	assert_string_equal(strand_blob_name(STRAND_IMG_B), "strand.b");
	assert_null(strand_blob_name((enum strand_blob)4));
	assert_string_equal(strand_state_name(KR_STRAND_FAILED), "failed");
	assert_string_equal(strand_state_name(9), "?");
	assert_int_equal(strand_letter(1), 'B');
}

/* ---- golden bytes ---- */

static void test_golden(void **state)
{
	struct strand_rec r = sample_rec(), d;
	uint8_t enc[KR_UPDATE_RECORD_SIZE], file[KR_UPDATE_RECORD_SIZE + 1];
	char path[512];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(strand_record_encode(&r, enc, NULL), KR_OK);
	snprintf(path, sizeof(path), "%s/update_strand.bin", golden_dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	assert_int_equal(n, KR_UPDATE_RECORD_SIZE);
	assert_memory_equal(file, enc, n);
	assert_int_equal(strand_record_decode(file, n, &d, NULL), KR_OK);
	assert_memory_equal(&d, &r, sizeof(d));
}

static int write_golden(const char *dir)
{
	struct strand_rec r = sample_rec();
	uint8_t enc[KR_UPDATE_RECORD_SIZE];
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/update_strand.bin", dir);
	f = fopen(path, "wb");
	if (strand_record_encode(&r, enc, NULL) != KR_OK || !f ||
	    fwrite(enc, 1, sizeof(enc), f) != sizeof(enc) || fclose(f)) {
		fprintf(stderr, "test_update_strand: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

/* ---- operations ---- */

static struct strand_table tab;

/* A table for "vfs" with version 1 in A, preferred. */
static void fresh(struct strand_allow *allow)
{
	struct strand_env env;

	sim_reset(&sim);
	env = env_of(&sim, CHUNK);
	*allow = allow_all(true);
	assert_int_equal(strand_create(&tab, &env, "vfs", image(1), IMG_LEN(1), 1, allow, NULL),
			 KR_OK);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
}

/* An operation refused: its error, a reason, the table and store as they were. */
#define REFUSED(call, err)                                                       \
	do {                                                                     \
		struct strand_rec before_ = tab.rec;                             \
		unsigned points_ = sim.points;                                   \
		tab.why = NULL;                                                  \
		assert_int_equal((call), (err));                                 \
		assert_non_null(tab.why);                                        \
		assert_memory_equal(&tab.rec, &before_, sizeof(before_));        \
		assert_int_equal(sim.points, points_);                           \
	} while (0)

static void test_create_open(void **state)
{
	struct strand_allow allow = allow_all(true);
	struct strand_env env;
	struct strand_table u;
	bool unl = true;

	(void)state;
	sim_reset(&sim);
	env = env_of(&sim, CHUNK);
	memset(&u, 0, sizeof(u));
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_ENOENT);
	assert_non_null(u.why);
	/* Enforcing: an unlisted first image writes nothing. */
	assert_int_equal(strand_create(&u, &env, "vfs", image(0), IMG_LEN(0), 1, &allow, NULL),
			 KR_EPERM);
	assert_int_equal(sim.points, 0);
	assert_int_equal(strand_create(&u, &env, "Vfs", image(1), IMG_LEN(1), 1, &allow, NULL),
			 KR_EINVAL);
	assert_int_equal(strand_create(&u, &env, "vfs", image(1), 0, 1, &allow, NULL),
			 KR_ERANGE);
	assert_int_equal(strand_create(&u, &env, "vfs", image(1), IMG_LEN(1), 1, &allow, &unl),
			 KR_OK);
	assert_false(unl);
	assert_null(u.why);
	assert_int_equal(u.rec.generation, 1);
	assert_int_equal(u.rec.s[0].version, 1);
	assert_int_equal(u.rec.s[1].state, KR_STRAND_EMPTY);
	check_invariant(&u, &sim);
	check_reopen(&u, &sim);
	/* 3 image writes + flush, 1 record write + flush. */
	assert_int_equal(sim.points, 6);
	assert_int_equal(strand_create(&u, &env, "vfs", image(1), IMG_LEN(1), 1, &allow, NULL),
			 KR_EEXIST);
	assert_int_equal(strand_open(&u, &env, "shell"), KR_EFORMAT);
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_OK);
	/* Permissive: an unlisted image accepted and reported. */
	sim_reset(&sim);
	allow.enforcing = false;
	assert_int_equal(strand_create(&u, &env, "vfs", image(0), IMG_LEN(0), 0, &allow, &unl),
			 KR_OK);
	assert_true(unl);
	assert_non_null(u.why);
	assert_int_equal(u.rec.s[0].flags, KR_STRAND_F_UNLISTED);
	/* Garbage where the records are: EFORMAT, and create may start over. */
	sim_reset(&sim);
	sim.b[STRAND_REC_A].cur_len = 100;
	memset(sim.b[STRAND_REC_A].cur, 0x77, 100);
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_EFORMAT);
	allow.enforcing = true;
	assert_int_equal(strand_create(&u, &env, "vfs", image(1), IMG_LEN(1), 1, &allow, NULL),
			 KR_OK);
	check_invariant(&u, &sim);
	/* A store that cannot be read. */
	sim.fail_reads = ~0u;
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_EIO);
	sim.fail_reads = 0;
	/* Bad environments. */
	env.store.flush = NULL;
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_EINVAL);
	assert_int_equal(strand_open(NULL, &env, "vfs"), KR_EINVAL);
}

static void test_update_cycle(void **state)
{
	struct strand_allow allow;
	unsigned which = 9;
	bool unl = true;

	(void)state;
	fresh(&allow);
	/* Nothing to verify, prefer, roll back to, confirm or fall back on yet. */
	REFUSED(strand_verify(&tab, &allow, NULL), KR_ENOENT);
	REFUSED(strand_prefer(&tab, 0, 0), KR_EPERM);
	REFUSED(strand_rollback(&tab), KR_EPERM);
	REFUSED(strand_confirm(&tab), KR_EALREADY);
	REFUSED(strand_fail(&tab), KR_ENOENT);
	REFUSED(strand_write(&tab, image(2), 0, 2), KR_ERANGE);
	REFUSED(strand_write(&tab, NULL, 10, 2), KR_EINVAL);
	REFUSED(strand_write(&tab, image(2), KR_UPDATE_IMAGE_MAX + 1, 2), KR_ERANGE);

	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_WRITTEN);
	assert_int_equal(tab.rec.s[1].version, 2);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
	REFUSED(strand_prefer(&tab, 0, 0), KR_EPERM);   /* written, not verified */
	all_listed.asked = 0;
	assert_int_equal(strand_verify(&tab, &allow, &unl), KR_OK);
	assert_false(unl);
	assert_int_equal(all_listed.asked, 1);
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_VERIFIED);
	REFUSED(strand_verify(&tab, &allow, NULL), KR_EALREADY);
	assert_int_equal(strand_prefer(&tab, 3, 500), KR_OK);
	assert_int_equal(tab.rec.preferred, STRAND_B);
	assert_int_equal(tab.rec.flags, KR_UPDATE_F_PROBATION);
	assert_int_equal(tab.rec.probation_calls, 3);
	assert_true(tab.rec.probation_time == 500);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
	/* On probation the old version is the way back: not overwritten. */
	REFUSED(strand_write(&tab, image(3), IMG_LEN(3), 3), KR_EBUSY);
	REFUSED(strand_prefer(&tab, 0, 0), KR_EBUSY);
	assert_int_equal(strand_confirm(&tab), KR_OK);
	assert_int_equal(tab.rec.flags, 0);
	assert_int_equal(tab.rec.probation_calls, 0);
	REFUSED(strand_confirm(&tab), KR_EALREADY);
	/* A normal boot: the preferred, nothing written. */
	{
		unsigned p = sim.points;

		assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
		assert_int_equal(which, STRAND_B);
		assert_null(tab.why);
		assert_int_equal(sim.points, p);
	}
	/* Rollback by hand, and forward again. */
	assert_int_equal(strand_rollback(&tab), KR_OK);
	assert_int_equal(tab.rec.preferred, STRAND_A);
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_VERIFIED);
	check_invariant(&tab, &sim);
	assert_int_equal(strand_rollback(&tab), KR_OK);
	assert_int_equal(tab.rec.preferred, STRAND_B);
	/* The next update goes into A; then it fails on probation: back to B. */
	assert_int_equal(strand_write(&tab, image(3), IMG_LEN(3), 3), KR_OK);
	assert_int_equal(tab.rec.s[0].version, 3);
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);
	assert_int_equal(strand_prefer(&tab, 0, 0), KR_OK);
	assert_int_equal(strand_fail(&tab), KR_OK);
	assert_int_equal(tab.rec.preferred, STRAND_B);
	assert_int_equal(tab.rec.s[0].state, KR_STRAND_FAILED);
	assert_int_equal(tab.rec.flags, 0);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
	REFUSED(strand_prefer(&tab, 0, 0), KR_EPERM);
	REFUSED(strand_rollback(&tab), KR_EPERM);
	REFUSED(strand_verify(&tab, &allow, NULL), KR_EPERM);
	REFUSED(strand_fail(&tab), KR_ENOENT);
	/* A failed strand is written again. */
	assert_int_equal(strand_write(&tab, image(4), IMG_LEN(4), 4), KR_OK);
	assert_int_equal(tab.rec.s[0].state, KR_STRAND_WRITTEN);
	check_invariant(&tab, &sim);
	/* NULL tables and arguments. */
	assert_int_equal(strand_write(NULL, image(4), 1, 4), KR_EINVAL);
	assert_int_equal(strand_verify(NULL, &allow, NULL), KR_EINVAL);
	REFUSED(strand_verify(&tab, NULL, NULL), KR_EINVAL);
	assert_int_equal(strand_prefer(NULL, 0, 0), KR_EINVAL);
	assert_int_equal(strand_rollback(NULL), KR_EINVAL);
	assert_int_equal(strand_confirm(NULL), KR_EINVAL);
	assert_int_equal(strand_fail(NULL), KR_EINVAL);
	assert_int_equal(strand_boot_choice(NULL, &which), KR_EINVAL);
	REFUSED(strand_boot_choice(&tab, NULL), KR_EINVAL);
}

static void test_verify_refusals(void **state)
{
	struct strand_allow allow;
	bool unl = false;

	(void)state;
	/* Not in the allow-list, enforcing: refused, marked failed. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(0), IMG_LEN(0), 9), KR_OK);
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_EPERM);
	assert_non_null(strstr(tab.why, "allow-list"));
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_FAILED);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
	/* Permissive: accepted, flagged and reported. */
	fresh(&allow);
	allow.enforcing = false;
	assert_int_equal(strand_write(&tab, image(0), IMG_LEN(0), 9), KR_OK);
	assert_int_equal(strand_verify(&tab, &allow, &unl), KR_OK);
	assert_true(unl);
	assert_non_null(tab.why);
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_VERIFIED);
	assert_int_equal(tab.rec.s[1].flags, KR_STRAND_F_UNLISTED);
	check_reopen(&tab, &sim);
	/* Damaged on the store after it was written: refused, marked failed. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	sim.b[STRAND_IMG_B].cur[100] ^= 1;
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_EFORMAT);
	assert_non_null(strstr(tab.why, "digest"));
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_FAILED);
	check_invariant(&tab, &sim);
	/* Cut short, or grown: the same. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	sim.b[STRAND_IMG_B].cur_len--;
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_EFORMAT);
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	sim.b[STRAND_IMG_B].cur_len++;
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_EFORMAT);
	/* No memory, or no reads: an error, nothing changed. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	sim.allocs_left = 0;
	REFUSED(strand_verify(&tab, &allow, NULL), KR_ENOMEM);
	sim.allocs_left = ~0u;
	sim.fail_reads = ~0u;
	REFUSED(strand_verify(&tab, &allow, NULL), KR_EIO);
	sim.fail_reads = 0;
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);
}

static void test_boot_choice(void **state)
{
	struct strand_allow allow;
	unsigned which = 9;
	uint8_t buf[IMG_LEN(8)];
	size_t len = 0;

	(void)state;
	/* A new version on probation: its boot is a trial... */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);
	assert_int_equal(strand_prefer(&tab, 5, 0), KR_OK);
	/* TRIAL cannot be recorded: the error, and still the strand to load. */
	sim.fail_at = sim.points + 1;
	which = 9;
	assert_int_equal(strand_boot_choice(&tab, &which), KR_EIO);
	assert_int_equal(which, STRAND_B);
	assert_int_equal(tab.rec.flags, KR_UPDATE_F_PROBATION);
	sim.fail_at = 0;
	assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
	assert_int_equal(which, STRAND_B);
	assert_null(tab.why);
	assert_int_equal(tab.rec.flags, KR_UPDATE_F_PROBATION | KR_UPDATE_F_TRIAL);
	check_reopen(&tab, &sim);
	/* ... that, unconfirmed at the next boot, falls back. */
	assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
	assert_int_equal(which, STRAND_A);
	assert_non_null(strstr(tab.why, "trial boot"));
	assert_int_equal(tab.rec.preferred, STRAND_A);
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_FAILED);
	assert_int_equal(tab.rec.flags, 0);
	check_invariant(&tab, &sim);
	check_reopen(&tab, &sim);
	assert_int_equal(strand_load(&tab, which, buf, sizeof(buf), &len), KR_OK);
	assert_int_equal(len, IMG_LEN(1));
	assert_memory_equal(buf, image(1), len);

	/* A trial boot that confirms stays. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);
	assert_int_equal(strand_prefer(&tab, 5, 0), KR_OK);
	assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
	assert_int_equal(strand_confirm(&tab), KR_OK);
	assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
	assert_int_equal(which, STRAND_B);
	assert_int_equal(tab.rec.flags, 0);

	/* The preferred strand corrupted on the store: the other, said why. */
	sim.b[STRAND_IMG_B].cur[5] ^= 0x80;
	REFUSED(strand_load(&tab, STRAND_B, buf, sizeof(buf), &len), KR_EFORMAT);
	assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
	assert_int_equal(which, STRAND_A);
	assert_non_null(strstr(tab.why, "does not match"));
	assert_int_equal(tab.rec.s[1].state, KR_STRAND_FAILED);
	check_invariant(&tab, &sim);
	/* Both bad: nothing to boot, nothing changed. */
	sim.b[STRAND_IMG_A].cur[5] ^= 0x80;
	REFUSED(strand_boot_choice(&tab, &which), KR_ENOENT);

	/* The preferred unreadable (a store error, not damage): the other this
	 * time, the table unchanged. */
	fresh(&allow);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);
	assert_int_equal(strand_prefer(&tab, 0, 0), KR_OK);
	assert_int_equal(strand_confirm(&tab), KR_OK);
	sim.allocs_left = 0;            /* no memory to read either image into */
	REFUSED(strand_boot_choice(&tab, &which), KR_ENOMEM);
	sim.allocs_left = ~0u;
	{
		unsigned p = sim.points;
		struct strand_rec before = tab.rec;

		sim.fail_reads = 1u << STRAND_IMG_B;
		assert_int_equal(strand_boot_choice(&tab, &which), KR_OK);
		assert_int_equal(which, STRAND_A);
		assert_non_null(strstr(tab.why, "cannot be read"));
		assert_memory_equal(&tab.rec, &before, sizeof(before));
		assert_int_equal(sim.points, p);
		/* With no readable other either: the error. */
		sim.fail_reads = ~0u;
		assert_int_equal(strand_boot_choice(&tab, &which), KR_EIO);
		assert_memory_equal(&tab.rec, &before, sizeof(before));
		sim.fail_reads = 0;
	}
	/* strand_load's refusals. */
	REFUSED(strand_load(&tab, 2, buf, sizeof(buf), &len), KR_EINVAL);
	REFUSED(strand_load(&tab, STRAND_B, buf, 10, &len), KR_ENOSPC);
	assert_int_equal(strand_load(&tab, STRAND_B, buf, sizeof(buf), &len), KR_OK);
	assert_memory_equal(buf, image(2), IMG_LEN(2));
}

/* Torn record copies: the valid copy with the higher generation wins. */
static void test_torn_records(void **state)
{
	struct strand_allow allow;
	struct strand_env env;
	struct strand_table u;
	struct blob saved;

	(void)state;
	fresh(&allow);
	env = env_of(&sim, CHUNK);
	assert_int_equal(strand_write(&tab, image(2), IMG_LEN(2), 2), KR_OK);    /* gen 2, B */
	assert_int_equal(strand_verify(&tab, &allow, NULL), KR_OK);            /* gen 3, A */
	assert_int_equal(tab.copy, 0);
	assert_int_equal(tab.rec.generation, 3);
	/* The newest copy torn at every length: the older one is read. */
	saved = sim.b[STRAND_REC_A];
	for (size_t n = 0; n < KR_UPDATE_RECORD_SIZE; n++) {
		sim.b[STRAND_REC_A].cur_len = n;
		assert_int_equal(strand_open(&u, &env, "vfs"), KR_OK);
		assert_int_equal(u.rec.generation, 2);
		assert_int_equal(u.copy, 1);
		assert_int_equal(u.rec.s[1].state, KR_STRAND_WRITTEN);
	}
	/* A torn write over it: the old bytes behind a new prefix. */
	sim.b[STRAND_REC_A] = saved;
	for (size_t n = 1; n < KR_UPDATE_RECORD_SIZE; n += 7) {
		sim.b[STRAND_REC_A].cur[n] ^= 0xFF;
		assert_int_equal(strand_open(&u, &env, "vfs"), KR_OK);
		assert_int_equal(u.rec.generation, 2);
		sim.b[STRAND_REC_A].cur[n] ^= 0xFF;
	}
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_OK);
	assert_int_equal(u.rec.generation, 3);
	/* Both torn: refused, not mistaken for no table. */
	sim.b[STRAND_REC_A].cur_len = 100;
	sim.b[STRAND_REC_B].cur_len = 200;
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_EFORMAT);
	assert_non_null(u.why);
	/* One copy longer than a record: refused, the other read. */
	sim.b[STRAND_REC_A] = saved;
	sim.b[STRAND_REC_A].cur_len = KR_UPDATE_RECORD_SIZE + 1;
	sim.b[STRAND_REC_B].cur_len = KR_UPDATE_RECORD_SIZE;
	assert_int_equal(strand_open(&u, &env, "vfs"), KR_OK);
	assert_int_equal(u.rec.generation, 2);
}

/* ---- every write point fails in turn ---- */

enum op { CREATE, WRITE, VERIFY, PREFER, CONFIRM, ROLLBACK, FAIL, BOOT, CORRUPT, END };

struct step {
	enum op op;
	unsigned v;             /* CREATE, WRITE: the version (0: an image not allowed) */
	kr_err_t want;          /* what the step returns without faults */
};

static const struct step seq_update[] = {
	{ CREATE, 1, KR_OK }, { WRITE, 2, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { BOOT, 0, KR_OK },
	{ CONFIRM, 0, KR_OK }, { WRITE, 3, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { FAIL, 0, KR_OK }, { BOOT, 0, KR_OK },
	{ END, 0, KR_OK },
};
static const struct step seq_trial[] = {
	{ CREATE, 1, KR_OK }, { WRITE, 2, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { BOOT, 0, KR_OK }, { BOOT, 0, KR_OK },
	{ WRITE, 3, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { CONFIRM, 0, KR_OK }, { ROLLBACK, 0, KR_OK },
	{ BOOT, 0, KR_OK }, { END, 0, KR_OK },
};
static const struct step seq_corrupt[] = {
	{ CREATE, 1, KR_OK }, { WRITE, 2, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { CONFIRM, 0, KR_OK },
	{ CORRUPT, 0, KR_OK }, { BOOT, 0, KR_OK }, { WRITE, 4, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK },
	{ CONFIRM, 0, KR_OK }, { WRITE, 5, KR_OK }, { END, 0, KR_OK },
};

/* A refused image among them: the verify that marks it failed, faulted too. */
static const struct step seq_refused[] = {
	{ CREATE, 1, KR_OK }, { WRITE, 0, KR_OK }, { VERIFY, 0, KR_EPERM }, { PREFER, 0, KR_EPERM },
	{ WRITE, 2, KR_OK }, { VERIFY, 0, KR_OK }, { PREFER, 0, KR_OK }, { FAIL, 0, KR_OK }, { WRITE, 3, KR_OK }, { VERIFY, 0, KR_OK },
	{ PREFER, 0, KR_OK }, { CONFIRM, 0, KR_OK }, { ROLLBACK, 0, KR_OK }, { BOOT, 0, KR_OK }, { END, 0, KR_OK },
};

struct run {
	struct strand_table t;
	struct strand_allow allow;
	bool created;           /* a create returned KR_OK */
	bool corrupt;           /* the test damaged the preferred image; BOOT repairs */
};

static kr_err_t do_step(struct run *r, struct sim *s, const struct step *st)
{
	struct strand_env env = env_of(s, CHUNK);
	unsigned which;
	kr_err_t e = KR_OK;

	switch (st->op) {
	case CREATE:
		e = strand_create(&r->t, &env, "vfs", image(st->v), IMG_LEN(st->v), st->v,
				  &r->allow, NULL);
		if (e == KR_OK)
			r->created = true;
		break;
	case WRITE:
		e = strand_write(&r->t, image(st->v), IMG_LEN(st->v), st->v);
		break;
	case VERIFY:
		e = strand_verify(&r->t, &r->allow, NULL);
		break;
	case PREFER:
		e = strand_prefer(&r->t, 10, 0);
		break;
	case CONFIRM:
		e = strand_confirm(&r->t);
		break;
	case ROLLBACK:
		e = strand_rollback(&r->t);
		break;
	case FAIL:
		e = strand_fail(&r->t);
		break;
	case BOOT:
		e = strand_boot_choice(&r->t, &which);
		if (e == KR_OK) {
			uint8_t *buf = malloc(IMG_LEN(8));
			size_t len;

			assert_int_equal(strand_load(&r->t, which, buf, IMG_LEN(8), &len), KR_OK);
			free(buf);
			r->corrupt = false;
		}
		break;
	case CORRUPT: {
		struct blob *b = &s->b[r->t.rec.preferred ? STRAND_IMG_B : STRAND_IMG_A];

		b->cur[17] ^= 0x01;
		b->dur[17] ^= 0x01;
		r->corrupt = true;
		break;
	}
	case END:
		break;
	}
	return e;
}

/* After a power cut: the table decodes, holds the invariant (unless the
 * test damaged it), and boots a strand whose image verifies. */
static void check_after_cut(const struct run *r, struct sim *s)
{
	struct strand_env env = env_of(s, CHUNK);
	struct strand_table u;
	uint8_t *buf;
	unsigned which = 9;
	size_t len;
	kr_err_t e = strand_open(&u, &env, "vfs");

	if (!s->rec_flushed) {
		/* No record was ever flushed (a cut during the first create, or
		 * after it failed and the table was opened from what the store
		 * had not flushed): no table, or a torn first record. */
		if (e != KR_OK) {
			assert_true(e == KR_ENOENT || e == KR_EFORMAT);
			return;
		}
	}
	assert_int_equal(e, KR_OK);
	if (!r->corrupt)
		check_invariant(&u, s);
	assert_int_equal(strand_boot_choice(&u, &which), KR_OK);
	buf = malloc(IMG_LEN(8));
	assert_int_equal(strand_load(&u, which, buf, IMG_LEN(8), &len), KR_OK);
	assert_true(len >= IMG_LEN(0) && len <= IMG_LEN(8));
	free(buf);
	check_invariant(&u, s);
	check_reopen(&u, s);
}

static unsigned cut_checks, go_on_checks, runs;

/* Run seq with write point k failing as land says, and k2 (later, 0:
 * none) as land2 says; return the points a clean run makes and, in
 * *final, its last record.  After each failure: the invariant in memory,
 * two power cuts, then the step again until it succeeds. */
static unsigned run_seq(const struct step *seq, unsigned k, enum land land, unsigned k2,
			enum land land2, struct strand_rec *final)
{
	static struct run r;

	memset(&r, 0, sizeof(r));
	sim_reset(&sim);
	r.allow = allow_all(true);
	sim.fail_at = k;
	sim.land = land;
	sim.fail_at2 = k2;
	sim.land2 = land2;
	runs++;
	for (const struct step *st = seq; st->op != END; st++) {
		unsigned before = sim.failures;
		kr_err_t e = do_step(&r, &sim, st);

		for (int attempt = 0; e != st->want; attempt++) {
			/* Only a failed write point makes a step fail here. */
			assert_true(sim.failures > before);
			assert_true(attempt < 3);
			before = sim.failures;
			if (r.created && !r.corrupt)
				check_invariant(&r.t, &sim);
			for (int keep_all = 0; keep_all < 2; keep_all++) {
				power_cut(&crash, &sim, keep_all);
				check_after_cut(&r, &crash);
				cut_checks++;
			}
			/* Go on: the step again (a create that landed: opened). */
			if (st->op == CREATE) {
				struct strand_env env = env_of(&sim, CHUNK);

				e = strand_open(&r.t, &env, "vfs");
				if (e == KR_OK)
					r.created = true;
				else
					e = do_step(&r, &sim, st);
			} else {
				e = do_step(&r, &sim, st);
			}
			go_on_checks++;
		}
		if (!r.corrupt) {
			check_invariant(&r.t, &sim);
			if (sim.failures == 0)
				check_reopen(&r.t, &sim);
		}
	}
	if (k)
		assert_true(sim.failures >= 1);
	if (final)
		*final = r.t.rec;
	return sim.points;
}

static unsigned points_total;

static void exhaustive(const struct step *seq, uint32_t want_version, bool twice)
{
	struct strand_rec clean, end;
	unsigned n = run_seq(seq, 0, LAND_NONE, 0, LAND_NONE, &clean);

	assert_int_equal(clean.s[clean.preferred].version, want_version);
	assert_true(n > 20);
	for (unsigned k = 1; k <= n; k++) {
		/* With two faults, the first one's bytes landed in part or whole
		 * (none landed is a store the first test already covers). */
		for (int land = twice ? LAND_HALF : LAND_NONE; land <= LAND_ALL; land++) {
			/* A second fault at every later point (the retries add some). */
			for (unsigned k2 = twice ? k + 1 : 0; k2 <= (twice ? n + 8 : 0); k2++) {
				run_seq(seq, k, (enum land)land, k2, LAND_ALL, &end);
				/* The same end as the clean run (generations aside: a
				 * retried write may skip a record the failed one wrote). */
				end.generation = clean.generation;
				assert_memory_equal(&end, &clean, sizeof(end));
			}
		}
	}
	points_total += n;
}

static void test_every_write_fails(void **state)
{
	(void)state;
	exhaustive(seq_update, 2, false);
	exhaustive(seq_trial, 1, false);
	exhaustive(seq_corrupt, 4, false);
	exhaustive(seq_refused, 1, false);
	print_message("strand: %u write points, each failed 3 ways: %u runs, %u power cuts, "
		      "%u continuations checked\n", points_total, runs, cut_checks, go_on_checks);
}

/* Two faults: the second at every point after the first (all of its bytes
 * landed).  This is what found that an image must not be overwritten while
 * a record write that failed may still be on the store, valid and newer. */
static void test_two_writes_fail(void **state)
{
	(void)state;
	runs = cut_checks = go_on_checks = 0;
	exhaustive(seq_update, 2, true);
	exhaustive(seq_trial, 1, true);
	exhaustive(seq_corrupt, 4, true);
	exhaustive(seq_refused, 1, true);
	print_message("strand: two faults: %u runs, %u power cuts, %u continuations checked\n",
		      runs, cut_checks, go_on_checks);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-golden"))
		return write_golden(argv[2]);
	if (argc > 1)
		golden_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_bytes),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_create_open),
		cmocka_unit_test(test_update_cycle),
		cmocka_unit_test(test_verify_refusals),
		cmocka_unit_test(test_boot_choice),
		cmocka_unit_test(test_torn_records),
		cmocka_unit_test(test_every_write_fails),
		cmocka_unit_test(test_two_writes_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
