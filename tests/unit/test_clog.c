/*
 * test_clog.c - the CommitLog engine (modules/clog/log.c): records and
 * superblocks byte by byte (every rejection), the golden record that
 * tools/ledger.py decodes too, Merkle roots against trees built here by
 * hand from kr_blake2b_256, and the log over a simulated device: appends,
 * walk, a failed sync, a torn tail, a corrupt middle, ENOSPC, compaction.
 *
 * Usage: test_clog GOLDEN_DIR (tests/unit/golden).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/hash.h>
#include "clog_simdev.h"
#include "clog_golden.h"

static const char *golden_dir = "tests/unit/golden";

static uint8_t zero32[32];

/* An 8-aligned heap buffer: decode wants alignment and a writable buffer. */
static uint8_t *rec_new(uint64_t seq, uint64_t durable, const char *kind, uint32_t len,
			size_t *size)
{
	uint8_t *payload = malloc(len ? len : 1), *buf;

	for (uint32_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7 + seq);
	*size = clog_rec_size(len);
	buf = malloc(*size + 64);
	assert_int_equal(clog_rec_encode(buf, 1, seq, durable, kind, payload, len, zero32), KR_OK);
	free(payload);
	return buf;
}

/* Re-hash a record after a test changed its header, so that the check
 * under test, not the hash, is what refuses it. */
static void rehash(uint8_t *buf)
{
	struct kr_clog_rec h;

	memcpy(&h, buf, sizeof(h));
	memset(buf + offsetof(struct kr_clog_rec, hash), 0, 32);
	kr_blake2b_256(h.hash, buf, sizeof(h) + (h.length <= KR_CLOG_PAYLOAD_MAX ? h.length : 0));
	memcpy(buf + offsetof(struct kr_clog_rec, hash), h.hash, 32);
}

static void test_rec_roundtrip(void **state)
{
	(void)state;
	for (uint32_t len = 0; len < 40; len++) {
		size_t size;
		uint8_t *buf = rec_new(5, 3, "vfs.write", len, &size);
		const struct kr_clog_rec *r;
		const void *p;
		const char *why;

		assert_int_equal(size, 128 + ((len + 7) & ~7u));
		assert_int_equal(clog_rec_decode(buf, size, 1, &r, &p, &why), KR_OK);
		assert_ptr_equal(r, buf);
		assert_ptr_equal(p, buf + 128);
		assert_int_equal(r->seq, 5);
		assert_int_equal(r->durable, 3);
		assert_int_equal(r->length, len);
		assert_string_equal(r->kind, "vfs.write");
		/* epoch 0: any epoch; more bytes than the record: fine */
		assert_int_equal(clog_rec_decode(buf, size + 64, 0, &r, &p, &why), KR_OK);
		assert_int_equal(clog_rec_decode(buf, size, 2, &r, &p, &why), KR_EFORMAT);
		assert_string_equal(why, "wrong epoch");
		if (len)
			assert_int_equal(clog_rec_decode(buf, size - 1, 1, &r, &p, &why), KR_ETRUNC);
		free(buf);
	}
}

struct reject {
	const char *why;
	kr_err_t err;
	void (*spoil)(uint8_t *buf, size_t *avail);
};

#define H(b) ((struct kr_clog_rec *)(b))
static void sp_magic(uint8_t *b, size_t *n) { (void)n; H(b)->magic ^= 1; }
static void sp_version(uint8_t *b, size_t *n) { (void)n; H(b)->version = 2; rehash(b); }
static void sp_flags(uint8_t *b, size_t *n) { (void)n; H(b)->flags = 1; rehash(b); }
static void sp_seq0(uint8_t *b, size_t *n) { (void)n; H(b)->seq = 0; H(b)->durable = 0; rehash(b); }
static void sp_durable(uint8_t *b, size_t *n) { (void)n; H(b)->durable = H(b)->seq; rehash(b); }
static void sp_kind_empty(uint8_t *b, size_t *n) { (void)n; memset(H(b)->kind, 0, 24); rehash(b); }
static void sp_kind_ctl(uint8_t *b, size_t *n) { (void)n; H(b)->kind[1] = '\n'; rehash(b); }
static void sp_kind_long(uint8_t *b, size_t *n) { (void)n; memset(H(b)->kind, 'a', 24); rehash(b); }
static void sp_kind_pad(uint8_t *b, size_t *n) { (void)n; H(b)->kind[20] = 'x'; rehash(b); }
static void sp_reserved(uint8_t *b, size_t *n) { (void)n; H(b)->reserved[3] = 1; rehash(b); }
static void sp_length(uint8_t *b, size_t *n) { (void)n; H(b)->length = KR_CLOG_PAYLOAD_MAX + 1; rehash(b); }
static void sp_cut_hdr(uint8_t *b, size_t *n) { (void)b; *n = 100; }
static void sp_cut_payload(uint8_t *b, size_t *n) { (void)b; *n -= 8; }
static void sp_padding(uint8_t *b, size_t *n) { b[*n - 1] = 1; }
static void sp_hash(uint8_t *b, size_t *n) { (void)n; b[130] ^= 0x40; }
static void sp_hashfield(uint8_t *b, size_t *n) { (void)n; H(b)->hash[31] ^= 1; }
static void sp_prev(uint8_t *b, size_t *n) { (void)n; H(b)->prev[0] ^= 1; }
static void sp_nomagic_short(uint8_t *b, size_t *n) { H(b)->magic = 0; *n = 64; }

static void test_rec_reject(void **state)
{
	static const struct reject rj[] = {
		{ "bad magic", KR_EFORMAT, sp_magic },
		{ "unknown format version", KR_EFORMAT, sp_version },
		{ "unknown flags", KR_EFORMAT, sp_flags },
		{ "seq 0", KR_EFORMAT, sp_seq0 },
		{ "durable not before seq", KR_EFORMAT, sp_durable },
		{ "bad kind", KR_EFORMAT, sp_kind_empty },
		{ "bad kind", KR_EFORMAT, sp_kind_ctl },
		{ "bad kind", KR_EFORMAT, sp_kind_long },
		{ "bad kind", KR_EFORMAT, sp_kind_pad },
		{ "reserved bytes not zero", KR_EFORMAT, sp_reserved },
		{ "payload too long", KR_EFORMAT, sp_length },
		{ "header cut short", KR_ETRUNC, sp_cut_hdr },
		{ "payload cut short", KR_ETRUNC, sp_cut_payload },
		{ "padding not zero", KR_EFORMAT, sp_padding },
		{ "hash mismatch", KR_EFORMAT, sp_hash },
		{ "hash mismatch", KR_EFORMAT, sp_hashfield },
		{ "hash mismatch", KR_EFORMAT, sp_prev },
		{ "bad magic", KR_EFORMAT, sp_nomagic_short },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rj) / sizeof(rj[0]); i++) {
		size_t size;
		uint8_t *buf = rec_new(9, 4, "kmod.load", 13, &size);
		const struct kr_clog_rec *r;
		const void *p;
		const char *why = NULL;

		rj[i].spoil(buf, &size);
		assert_int_equal(clog_rec_decode(buf, size, 1, &r, &p, &why), rj[i].err);
		assert_non_null(why);
		assert_string_equal(why, rj[i].why);
		free(buf);
	}
	/* not 8-byte aligned, no buffer */
	{
		size_t size;
		uint8_t *buf = rec_new(9, 4, "x", 3, &size), *odd = malloc(size + 8);
		const struct kr_clog_rec *r;
		const void *p;
		const char *why;

		memcpy(odd + 4, buf, size);
		assert_int_equal(clog_rec_decode(odd + 4, size, 1, &r, &p, &why), KR_EALIGN);
		assert_int_equal(clog_rec_decode(NULL, size, 1, &r, &p, &why), KR_EINVAL);
		free(odd);
		free(buf);
	}
}

static void test_rec_encode_reject(void **state)
{
	uint8_t buf[256];
	(void)state;
	assert_int_equal(clog_rec_encode(buf, 1, 1, 0, "", "", 0, zero32), KR_EINVAL);
	assert_int_equal(clog_rec_encode(buf, 1, 1, 0, "a\tb", "", 0, zero32), KR_EINVAL);
	assert_int_equal(clog_rec_encode(buf, 1, 1, 0, "abcdefghijklmnopqrstuvwx", "", 0, zero32),
			 KR_EINVAL);
	assert_int_equal(clog_rec_encode(buf, 1, 1, 0, "k", NULL, 3, zero32), KR_EINVAL);
	assert_int_equal(clog_rec_encode(buf, 1, 0, 0, "k", "", 0, zero32), KR_ERANGE);
	assert_int_equal(clog_rec_encode(buf, 1, 2, 2, "k", "", 0, zero32), KR_ERANGE);
	assert_int_equal(clog_rec_encode(buf, 0, 2, 1, "k", "", 0, zero32), KR_ERANGE);
	assert_int_equal(clog_rec_encode(buf, 1, 2, 1, "k", buf, KR_CLOG_PAYLOAD_MAX + 1, zero32),
			 KR_ERANGE);
	/* 23 characters is the longest kind */
	assert_int_equal(clog_rec_encode(buf, 1, 2, 1, "abcdefghijklmnopqrstuvw", "", 0, zero32),
			 KR_OK);
}

/* The checked-in record (tests/unit/golden/clog_record.bin) is what encode
 * makes of the fixed inputs, decodes, and its hash is BLAKE2b-256 of its
 * header with the hash zeroed and its payload: tools/ledger.py checks the
 * same file, so a change of the format on either side fails a test. */
static void test_golden_record(void **state)
{
	char path[512];
	uint8_t *file = calloc(1, 4096), *mine = calloc(1, 4096), hash[32];
	size_t n, size;
	FILE *f;
	const struct kr_clog_rec *r;
	const void *p;
	const char *why;

	(void)state;
	snprintf(path, sizeof(path), "%s/clog_record.bin", golden_dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(file, 1, 4096, f);
	fclose(f);
	size = golden_record(mine);
	assert_int_equal(n, size);
	assert_memory_equal(file, mine, size);
	assert_int_equal(clog_rec_decode(file, n, GOLDEN_EPOCH, &r, &p, &why), KR_OK);
	assert_int_equal(r->seq, GOLDEN_SEQ);
	assert_int_equal(r->durable, GOLDEN_DURABLE);
	assert_string_equal(r->kind, GOLDEN_KIND);
	assert_int_equal(r->length, sizeof(GOLDEN_PAYLOAD) - 1);
	assert_memory_equal(p, GOLDEN_PAYLOAD, r->length);
	memset(mine + offsetof(struct kr_clog_rec, hash), 0, 32);
	kr_blake2b_256(hash, mine, 128 + r->length);
	assert_memory_equal(hash, r->hash, 32);
	free(file);
	free(mine);
}

/* ---- superblocks ---- */

static struct kr_clog_super good_super(void)
{
	struct kr_clog_super sb;

	memset(&sb, 0, sizeof(sb));
	sb.magic = KR_CLOG_SB_MAGIC;
	sb.version = 1;
	sb.sector_size = 512;
	sb.generation = 7;
	sb.region_sectors = 102;
	sb.epoch = 2;
	sb.area = 1;
	sb.area_sectors = 50;
	sb.area_start = 52;
	sb.base_seq = 10;
	sb.head_seq = 12;
	sb.head_off = 400;
	clog_super_encode(&sb);
	return sb;
}

static void test_super(void **state)
{
	struct kr_clog_super sb = good_super(), out;
	const char *why;
	struct {
		const char *why;
		size_t off;
		uint8_t x;
		bool resum;
	} spoil[] = {
		{ "bad magic", 0, 1, true },
		{ "unknown format version", 8, 1, true },
		{ "wrong sector size", 12, 1, true },
		{ "checksum mismatch", 200, 1, false },
		{ "checksum mismatch", 481, 1, false },
		{ "reserved bytes not zero", 200, 1, true },
		{ "areas do not fit the region", offsetof(struct kr_clog_super, area), 2, true },
		{ "areas do not fit the region", offsetof(struct kr_clog_super, area_start), 1, true },
		{ "areas do not fit the region", offsetof(struct kr_clog_super, area_sectors), 1, true },
		{ "region larger than the device", offsetof(struct kr_clog_super, region_sectors), 1, true },
		{ "head outside the area", offsetof(struct kr_clog_super, head_off), 1, true },
		{ "head outside the area", offsetof(struct kr_clog_super, head_seq), 4, true },
		{ "head outside the area", offsetof(struct kr_clog_super, epoch), 2, true },
		{ "empty log with a head", offsetof(struct kr_clog_super, head_seq), 5, true },
	};

	(void)state;
	assert_int_equal(clog_super_decode(&sb, 102, &out, &why), KR_OK);
	assert_memory_equal(&out, &sb, sizeof(sb));
	assert_int_equal(clog_super_decode(&sb, 200, &out, &why), KR_OK);
	for (size_t i = 0; i < sizeof(spoil) / sizeof(spoil[0]); i++) {
		struct kr_clog_super b = good_super();

		((uint8_t *)&b)[spoil[i].off] ^= spoil[i].x;
		if (spoil[i].resum)
			clog_super_encode(&b);
		why = NULL;
		if (clog_super_decode(&b, 102, &out, &why) != KR_EFORMAT)
			fail_msg("spoil %zu passes", i);
		assert_non_null(why);
		assert_string_equal(why, spoil[i].why);
	}
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(clog_super_decode(&sb, 102, &out, &why), KR_EFORMAT);
	assert_string_equal(why, "blank");
	sb = good_super();
	assert_int_equal(clog_super_decode(&sb, 101, &out, &why), KR_EFORMAT);
}

/* ---- Merkle ---- */

static void leaf(const char *name, const uint8_t d[32], uint8_t out[32])
{
	uint8_t in[300];
	size_t n = strlen(name);

	in[0] = 0;
	memcpy(in + 1, name, n);
	in[n + 1] = 0;
	memcpy(in + n + 2, d, 32);
	kr_blake2b_256(out, in, n + 34);
}

static void node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t in[65];

	in[0] = 1;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	kr_blake2b_256(out, in, 65);
}

static void test_merkle(void **state)
{
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g" };
	uint8_t d[7][32], lf[7][32], root[32], want[32], ab[32], cd[32], abcd[32], ef[32], t[32];
	struct clog_merkle *m = malloc(sizeof(*m));
	uint8_t two = 2;
	char longname[CLOG_MERKLE_NAME_MAX + 2];

	(void)state;
	for (int i = 0; i < 7; i++) {
		memset(d[i], 0x10 + i, 32);
		leaf(names[i], d[i], lf[i]);
	}
	node(lf[0], lf[1], ab);
	node(lf[2], lf[3], cd);
	node(ab, cd, abcd);
	node(lf[4], lf[5], ef);
	for (int n = 0; n <= 7; n++) {
		clog_merkle_init(m);
		for (int i = 0; i < n; i++)
			assert_int_equal(clog_merkle_leaf(m, names[i], d[i]), KR_OK);
		clog_merkle_root(m, root);
		switch (n) {
		case 0: kr_blake2b_256(want, &two, 1); break;
		case 1: memcpy(want, lf[0], 32); break;
		case 2: memcpy(want, ab, 32); break;
		case 3: node(ab, lf[2], want); break;           /* c carried up */
		case 4: memcpy(want, abcd, 32); break;
		case 5: node(abcd, lf[4], want); break;         /* e carried up twice */
		case 6: node(abcd, ef, want); break;
		case 7: node(ef, lf[6], t); node(abcd, t, want); break;
		}
		assert_memory_equal(root, want, 32);
	}
	/* the state root: the same tree over the four parts, in their order */
	{
		uint8_t part[KR_CLOG_PARTS][32], sr[32];

		clog_merkle_init(m);
		for (int i = 0; i < KR_CLOG_PARTS; i++) {
			memset(part[i], 0xa0 + i, 32);
			clog_merkle_leaf(m, clog_part_names[i], part[i]);
		}
		clog_merkle_root(m, root);
		clog_state_root(part, sr);
		assert_memory_equal(sr, root, 32);
		assert_string_equal(clog_part_names[0], "vfs");
		assert_string_equal(clog_part_names[3], "events");
	}
	memset(longname, 'n', sizeof(longname));
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(clog_merkle_leaf(m, longname, d[0]), KR_ERANGE);
	longname[CLOG_MERKLE_NAME_MAX] = 0;
	assert_int_equal(clog_merkle_leaf(m, longname, d[0]), KR_OK);
	free(m);
}

/* ---- the log ---- */

struct fixture {
	struct simdev sim;
	struct clog_dev dev;
	struct clog *l;
	struct clog_report rep;
};

static struct fixture *fx_new(uint64_t sectors, uint32_t max_sectors)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char why[80];

	sim_init(&f->sim, sectors);
	f->dev = sim_dev(&f->sim, max_sectors);
	assert_int_equal(clog_probe(&f->dev), KR_OK);
	assert_int_equal(clog_format(&f->dev, why, sizeof(why)), KR_OK);
	assert_int_equal(clog_probe(&f->dev), KR_EEXIST);
	assert_int_equal(clog_open(&f->dev, &f->l, &f->rep), KR_OK);
	return f;
}

static kr_err_t fx_reopen(struct fixture *f)
{
	clog_close(f->l);
	f->l = NULL;
	return clog_open(&f->dev, &f->l, &f->rep);
}

static void fx_free(struct fixture *f)
{
	clog_close(f->l);
	sim_fini(&f->sim);
	free(f);
}

/* A test record's payload: a subject, then bytes that depend on its length. */
static void payload_of(uint32_t len, uint8_t *out)
{
	int n = snprintf((char *)out, len, "subject %u", len);

	for (uint32_t i = n < 0 ? 0 : (uint32_t)n + 1; i < len; i++)
		out[i] = (uint8_t)(len * 13 + i);
}

static uint64_t append(struct clog *l, uint32_t len)
{
	static uint8_t buf[8192];
	uint64_t seq;

	payload_of(len, buf);
	assert_int_equal(clog_stage(l, "test.rec", buf, len, &seq), KR_OK);
	return seq;
}

struct seen {
	uint64_t n, seq[256], off[256];
	uint64_t stop_at;
};

static kr_err_t collect(void *ctx, const struct kr_clog_rec *rec, const void *payload, uint64_t off)
{
	struct seen *s = ctx;
	uint8_t want[8192];

	if (!strcmp(rec->kind, "test.rec")) {
		payload_of(rec->length, want);
		assert_memory_equal(payload, want, rec->length);
	}
	if (s->n < 256) {
		s->seq[s->n] = rec->seq;
		s->off[s->n] = off;
	}
	s->n++;
	return s->stop_at && rec->seq == s->stop_at ? KR_ENOENT : KR_OK;
}

static void test_log_basic(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 64, 3);
	struct clog_info in;
	struct seen s;

	(void)state;
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 1);
	assert_int_equal(in.base_seq, 1);
	assert_int_equal(in.head_seq, 0);
	assert_int_equal(in.area_bytes, 64 * 512);
	/* three groups: 2 records, 1 record (1000 bytes: over 3 sectors), 3 records */
	assert_int_equal(append(f->l, 20), 1);
	assert_int_equal(append(f->l, 0), 2);
	assert_int_equal(clog_sync(f->l), KR_OK);
	append(f->l, 1000);
	assert_int_equal(clog_sync(f->l), KR_OK);
	append(f->l, 1);
	append(f->l, 7);
	assert_int_equal(append(f->l, 8), 6);
	/* staged records are not durable: walk and info do not see them */
	clog_info(f->l, &in);
	assert_int_equal(in.head_seq, 3);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(clog_sync(f->l), KR_OK);       /* nothing staged */
	clog_info(f->l, &in);
	assert_int_equal(in.head_seq, 6);
	assert_int_equal(in.syncs, 3);
	assert_int_equal(in.records_synced, 6);
	assert_int_equal(in.used_bytes % 512, 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 0, collect, &s), KR_OK);
	assert_int_equal(s.n, 6);
	/* packed 8-aligned in a group, each group on a fresh sector */
	assert_int_equal(s.off[0], 0);
	assert_int_equal(s.off[1], 128 + 24);
	assert_int_equal(s.off[2], 512);
	assert_int_equal(s.off[3], 512 + 1536);
	assert_int_equal(s.off[4], s.off[3] + 136);
	for (int i = 0; i < 6; i++)
		assert_int_equal(s.seq[i], i + 1);
	memset(&s, 0, sizeof(s));
	s.stop_at = 4;
	assert_int_equal(clog_walk(f->l, 3, collect, &s), KR_ENOENT);
	assert_int_equal(s.n, 2);
	/* reopen: the same records, no cut */
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.records, 6);
	assert_int_equal(f->rep.first_seq, 1);
	assert_int_equal(f->rep.last_seq, 6);
	assert_int_equal(f->rep.cut_bytes, 0);
	assert_false(f->rep.corrupt);
	/* appends go on after the reopened tail */
	assert_int_equal(append(f->l, 3), 7);
	clog_unstage(f->l);
	assert_int_equal(append(f->l, 3), 7);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.last_seq, 7);
	/* bad arguments */
	assert_int_equal(clog_stage(f->l, "", "", 0, NULL), KR_EINVAL);
	assert_int_equal(clog_stage(f->l, "k", NULL, 1, NULL), KR_EINVAL);
	assert_int_equal(clog_stage(f->l, "k", "", KR_CLOG_PAYLOAD_MAX + 1, NULL), KR_ERANGE);
	fx_free(f);
}

static void test_probe_open_refuse(void **state)
{
	struct simdev sim;
	struct clog_dev dev;
	struct clog *l;
	struct clog_report rep;

	(void)state;
	sim_init(&sim, 20);
	dev = sim_dev(&sim, 8);
	assert_int_equal(clog_open(&dev, &l, &rep), KR_EFORMAT);
	assert_null(l);
	assert_non_null(strstr(rep.why, "blank"));
	memcpy(sim.cache + 3, "hello", 5);
	assert_int_equal(clog_probe(&dev), KR_EFORMAT);
	dev.sectors = 3;
	assert_int_equal(clog_format(&dev, NULL, 0), KR_EINVAL);
	sim_fini(&sim);
}

/* A superblock with a higher generation wins; a broken one loses. */
static void test_super_choice(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 32, 8);
	struct clog_info in;

	(void)state;
	append(f->l, 10);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(clog_write_super(f->l), KR_OK);        /* B, generation 2 */
	append(f->l, 10);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(clog_write_super(f->l), KR_OK);        /* A, generation 3 */
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.generation, 3);
	assert_int_equal(in.head_seq, 2);
	/* A broken: B (generation 2, head 1) is chosen, the scan finds 2 */
	f->sim.cache[100] ^= 1;
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.generation, 2);
	assert_int_equal(in.head_seq, 2);
	/* the next write goes over the broken copy, not over B */
	assert_int_equal(clog_write_super(f->l), KR_OK);
	f->sim.cache[512 + 100] ^= 1;
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.generation, 3);
	fx_free(f);
}

/* A sync that fails drops its records; the next starts on the same sector. */
static void test_sync_failure(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 32, 8);
	struct clog_info in;
	struct seen s;

	(void)state;
	append(f->l, 10);
	assert_int_equal(clog_sync(f->l), KR_OK);
	for (int which = 0; which < 2; which++) {       /* the write, then the flush */
		uint64_t before;

		clog_info(f->l, &in);
		before = in.used_bytes;
		append(f->l, 30);
		f->sim.fail_at = f->sim.ops + which;
		assert_int_equal(clog_sync(f->l), KR_EIO);
		clog_info(f->l, &in);
		assert_int_equal(in.head_seq, 1);
		assert_int_equal(in.used_bytes, before);
		assert_int_equal(clog_sync(f->l), KR_OK);       /* dropped: nothing staged */
	}
	assert_int_equal(append(f->l, 40), 2);
	assert_int_equal(clog_sync(f->l), KR_OK);
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 0, collect, &s), KR_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.off[1], 512);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.last_seq, 2);
	fx_free(f);
}

/* A torn last group is cut, and appends write over it. */
static void test_torn_tail(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 32, 8);
	struct clog_info in;
	uint8_t *area;

	(void)state;
	append(f->l, 10);
	assert_int_equal(clog_sync(f->l), KR_OK);
	append(f->l, 10);
	append(f->l, 700);      /* seq 3, over the group's second sector */
	assert_int_equal(clog_sync(f->l), KR_OK);
	/* as if the second sector of the group never reached the disk */
	area = f->sim.cache + 2 * 512;
	memset(area + 2 * 512, 0, 512);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_false(f->rep.corrupt);
	assert_int_equal(f->rep.last_seq, 2);
	assert_int_equal(f->rep.cut_seq, 3);
	assert_int_equal(f->rep.cut_bytes, 128 + 704);
	/* the next group starts on a fresh sector: the torn one's leftovers in
	 * the first sector stay and are skipped at the next open */
	assert_int_equal(append(f->l, 5), 3);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_false(f->rep.corrupt);
	assert_int_equal(f->rep.last_seq, 3);
	clog_info(f->l, &in);
	assert_int_equal(in.used_bytes, 3 * 512);
	fx_free(f);
}

/* A byte flipped in an acknowledged record: refused, read-only, which one. */
static void test_corrupt_middle(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 64, 8);
	struct seen s;
	struct clog_info in;

	(void)state;
	for (int g = 0; g < 6; g++) {
		append(f->l, 50 + g);
		append(f->l, 200);
		assert_int_equal(clog_sync(f->l), KR_OK);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 0, collect, &s), KR_OK);
	/* seq 6: the second record of the third group */
	f->sim.cache[(2 + s.off[5] / 512) * 512 + s.off[5] % 512 + 140] ^= 0x08;
	assert_int_equal(fx_reopen(f), KR_EFORMAT);
	assert_non_null(f->l);
	assert_true(f->rep.corrupt);
	assert_int_equal(f->rep.bad_seq, 6);
	assert_int_equal(f->rep.bad_off, s.off[5]);
	if (!strstr(f->rep.why, "hash mismatch"))
		fail_msg("%s", f->rep.why);
	assert_int_equal(clog_stage(f->l, "k", "", 0, NULL), KR_EPERM);
	assert_int_equal(clog_sync(f->l), KR_EPERM);
	assert_int_equal(clog_write_super(f->l), KR_EPERM);
	clog_info(f->l, &in);
	assert_true(in.corrupt);
	assert_int_equal(in.head_seq, 5);
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 0, collect, &s), KR_OK);
	assert_int_equal(s.n, 5);
	fx_free(f);
}

/* A damaged record before the superblock's head is corruption even with
 * nothing after it. */
static void test_corrupt_before_head(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 64, 8);

	(void)state;
	append(f->l, 50);
	append(f->l, 60);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(clog_write_super(f->l), KR_OK);
	f->sim.cache[2 * 512 + 200] ^= 1;       /* seq 2's header */
	assert_int_equal(fx_reopen(f), KR_EFORMAT);
	assert_true(f->rep.corrupt);
	assert_int_equal(f->rep.bad_seq, 2);
	assert_non_null(strstr(f->rep.why, "superblock's head"));
	fx_free(f);
}

static void test_enospc(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 8, 8);   /* 8 sectors an area */
	struct clog_info in;
	uint8_t buf[600] = { 0 };
	int n = 0;
	kr_err_t err;

	(void)state;
	while ((err = clog_stage(f->l, "fill", buf, 300, NULL)) == KR_OK)
		n++;
	assert_int_equal(err, KR_ENOSPC);
	assert_int_equal(n, 8 * 512 / 432);
	assert_int_equal(clog_sync(f->l), KR_OK);
	/* the group padding leaves too little for another 300-byte record */
	assert_int_equal(clog_stage(f->l, "fill", buf, 300, NULL), KR_ENOSPC);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.last_seq, (uint64_t)n);
	clog_info(f->l, &in);
	assert_int_equal(in.used_bytes, in.area_bytes);
	assert_int_equal(clog_stage(f->l, "fill", buf, 0, NULL), KR_ENOSPC);
	fx_free(f);
}

/* A group holds at most CLOG_GROUP_MAX bytes; a payload at most 1 MiB. */
static void test_group_max(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 12000, 256);
	uint8_t *big = calloc(1, KR_CLOG_PAYLOAD_MAX);
	struct seen s;
	int n = 0;

	(void)state;
	while (clog_stage(f->l, "big", big, KR_CLOG_PAYLOAD_MAX, NULL) == KR_OK)
		n++;
	assert_int_equal(n, 3);
	assert_int_equal(clog_stage(f->l, "big", big, KR_CLOG_PAYLOAD_MAX, NULL), KR_EBUSY);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(clog_stage(f->l, "big", big, KR_CLOG_PAYLOAD_MAX, NULL), KR_OK);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.last_seq, 4);
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 2, collect, &s), KR_OK);
	assert_int_equal(s.n, 3);
	free(big);
	fx_free(f);
}

static kr_err_t emit_two(void *ctx, struct clog *l)
{
	uint8_t roots[sizeof(struct kr_clog_roots)] = { 1 };

	(void)ctx;
	if (clog_stage(l, "clog.genesis", roots, sizeof(roots), NULL) ||
	    clog_stage(l, "clog.root", roots, sizeof(roots), NULL))
		return KR_EIO;
	return KR_OK;
}

static kr_err_t emit_none(void *ctx, struct clog *l)
{
	(void)ctx;
	(void)l;
	return KR_OK;
}

static kr_err_t emit_fail(void *ctx, struct clog *l)
{
	(void)ctx;
	clog_stage(l, "clog.root", "", 0, NULL);
	return KR_EUNKNOWN;
}

static void test_compact(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 40, 8);
	struct clog_info before, in;
	struct seen s;

	(void)state;
	for (int i = 0; i < 5; i++) {
		append(f->l, 100);
		assert_int_equal(clog_sync(f->l), KR_OK);
	}
	clog_info(f->l, &before);
	/* emit's error: nothing changes */
	assert_int_equal(clog_compact(f->l, emit_fail, NULL), KR_EUNKNOWN);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 1);
	assert_int_equal(in.head_seq, 5);
	append(f->l, 1);
	assert_int_equal(clog_compact(f->l, emit_two, NULL), KR_EBUSY);
	clog_unstage(f->l);
	assert_int_equal(clog_compact(f->l, emit_two, NULL), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 2);
	assert_int_equal(in.area, 1);
	assert_int_equal(in.base_seq, 6);
	assert_int_equal(in.head_seq, 7);
	assert_memory_equal(in.base_prev, before.head_hash, 32);
	append(f->l, 30);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 2);
	assert_int_equal(in.base_seq, 6);
	assert_int_equal(f->rep.first_seq, 6);
	assert_int_equal(f->rep.last_seq, 8);
	memset(&s, 0, sizeof(s));
	assert_int_equal(clog_walk(f->l, 0, collect, &s), KR_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seq[0], 6);
	/* again: back to area 0, whose old epoch-1 records are not this log's */
	assert_int_equal(clog_compact(f->l, emit_two, NULL), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 3);
	assert_int_equal(in.area, 0);
	assert_int_equal(f->rep.first_seq, 9);
	assert_int_equal(f->rep.last_seq, 10);
	/* nothing to carry over: an empty area chained on from the head */
	assert_int_equal(clog_compact(f->l, emit_none, NULL), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 4);
	assert_int_equal(in.base_seq, 11);
	assert_int_equal(in.head_seq, 10);
	assert_int_equal(f->rep.records, 0);
	assert_int_equal(append(f->l, 5), 11);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	assert_int_equal(f->rep.last_seq, 11);
	fx_free(f);
}

/* The flip fails: the old log goes on, and the disk says so before the
 * next record is acknowledged. */
static void test_compact_flip_fails(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 40, 8);
	struct clog_info in;

	(void)state;
	append(f->l, 100);
	assert_int_equal(clog_sync(f->l), KR_OK);
	/* write + flush of the records, then the superblock's flush fails */
	f->sim.fail_at = f->sim.ops + 3;
	assert_int_equal(clog_compact(f->l, emit_two, NULL), KR_EIO);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 1);
	assert_int_equal(in.head_seq, 1);
	assert_int_equal(append(f->l, 10), 2);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 1);
	assert_int_equal(f->rep.last_seq, 2);
	fx_free(f);
}

/* A log formatted over another starts a later epoch: the old records in
 * area 0 are not taken for the new log's. */
static void test_reformat(void **state)
{
	struct fixture *f = fx_new(2 + 2 * 40, 8);
	struct clog_info in;

	(void)state;
	for (int i = 0; i < 4; i++) {
		append(f->l, 100);
		assert_int_equal(clog_sync(f->l), KR_OK);
	}
	clog_close(f->l);
	f->l = NULL;
	assert_int_equal(clog_format(&f->dev, NULL, 0), KR_OK);
	assert_int_equal(clog_open(&f->dev, &f->l, &f->rep), KR_OK);
	assert_int_equal(f->rep.records, 0);
	append(f->l, 10);
	assert_int_equal(clog_sync(f->l), KR_OK);
	assert_int_equal(fx_reopen(f), KR_OK);
	clog_info(f->l, &in);
	assert_int_equal(in.epoch, 2);
	assert_int_equal(f->rep.last_seq, 1);
	assert_false(f->rep.corrupt);
	fx_free(f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rec_roundtrip),
		cmocka_unit_test(test_rec_reject),
		cmocka_unit_test(test_rec_encode_reject),
		cmocka_unit_test(test_golden_record),
		cmocka_unit_test(test_super),
		cmocka_unit_test(test_merkle),
		cmocka_unit_test(test_log_basic),
		cmocka_unit_test(test_probe_open_refuse),
		cmocka_unit_test(test_super_choice),
		cmocka_unit_test(test_sync_failure),
		cmocka_unit_test(test_torn_tail),
		cmocka_unit_test(test_corrupt_middle),
		cmocka_unit_test(test_corrupt_before_head),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_group_max),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_compact_flip_fails),
		cmocka_unit_test(test_reformat),
	};

	if (argc > 1)
		golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
