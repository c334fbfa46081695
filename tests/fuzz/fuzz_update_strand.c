/*
 * fuzz_update_strand.c - libFuzzer target for module updates' strand
 * table (modules/update/strand.c, BLAKE2b through tcc-runtime/krt/blake2.c
 * and Debian's libb2.a): what a record read from the store passes before
 * boot trusts it.
 *
 * The input, in an exact-size allocation (ASan sees a read past it), is
 * decoded as a record: a refusal is KR_ETRUNC or KR_EFORMAT with a reason
 * and the view untouched; what decodes encodes back to exactly its bytes.
 * Inputs of 512 bytes or more are also a store: record.a (the first 256),
 * record.b (the next 256), and the rest split in half as strand.a and
 * strand.b.  strand_open on it either refuses or gives a table the encoder
 * accepts, and strand_boot_choice either refuses or names a strand whose
 * image strand_load verifies, leaving a table that reopens as it is.  The
 * input is never written.  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "update/strand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const uint8_t *p, size_t size)
{
	uint8_t out[KR_UPDATE_RECORD_SIZE];
	struct strand_rec r, before;
	const char *why = NULL;
	kr_err_t e;

	memset(&r, 0xA5, sizeof(r));
	before = r;
	e = strand_record_decode(p, size, &r, &why);
	if (e != KR_OK) {
		if ((e != KR_ETRUNC && e != KR_EFORMAT) || !why || memcmp(&r, &before, sizeof(r)))
			abort();
		return;
	}
	if (size != KR_UPDATE_RECORD_SIZE || strand_record_encode(&r, out, NULL) != KR_OK ||
	    memcmp(out, p, size))
		abort();
}

/* ---- a store in memory ---- */

#define CAP (1u << 16)

struct mem {
	uint8_t *b[STRAND_BLOBS];
	size_t len[STRAND_BLOBS];
};

static kr_err_t m_read(void *ctx, enum strand_blob b, uint64_t off, void *buf, size_t len,
		       size_t *got)
{
	struct mem *m = ctx;
	size_t n = 0;

	if ((unsigned)b >= STRAND_BLOBS)
		abort();
	if (off < m->len[b])
		n = m->len[b] - off < len ? m->len[b] - (size_t)off : len;
	memcpy(buf, m->b[b] + off, n);
	*got = n;
	return KR_OK;
}

static kr_err_t m_write(void *ctx, enum strand_blob b, uint64_t off, const void *buf,
			size_t len)
{
	struct mem *m = ctx;

	if ((unsigned)b >= STRAND_BLOBS || (off && off != m->len[b]))
		abort();
	if (off + len > CAP)
		return KR_ENOSPC;
	memcpy(m->b[b] + off, buf, len);
	m->len[b] = (size_t)off + len;
	return KR_OK;
}

static kr_err_t m_flush(void *ctx, enum strand_blob b)
{
	(void)ctx;
	if ((unsigned)b >= STRAND_BLOBS)
		abort();
	return KR_OK;
}

static void *m_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n ? n : 1);
}

static void m_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void store(const uint8_t *p, size_t size)
{
	static uint8_t blobs[STRAND_BLOBS][CAP];
	struct mem m;
	struct strand_env env = {
		.store = { .read = m_read, .write = m_write, .flush = m_flush, .ctx = &m },
		.alloc = { .alloc = m_alloc, .free = m_free, .ctx = NULL },
		.chunk = 1000,
	};
	struct strand_table t, u;
	uint8_t out[KR_UPDATE_RECORD_SIZE], *img;
	size_t rest = size - 2 * KR_UPDATE_RECORD_SIZE, half = rest / 2, len;
	unsigned which = 9;
	kr_err_t e;

	if (rest > 2 * CAP)
		return;
	for (int i = 0; i < STRAND_BLOBS; i++)
		m.b[i] = blobs[i];
	memcpy(blobs[STRAND_REC_A], p, KR_UPDATE_RECORD_SIZE);
	memcpy(blobs[STRAND_REC_B], p + KR_UPDATE_RECORD_SIZE, KR_UPDATE_RECORD_SIZE);
	memcpy(blobs[STRAND_IMG_A], p + 2 * KR_UPDATE_RECORD_SIZE, half);
	memcpy(blobs[STRAND_IMG_B], p + 2 * KR_UPDATE_RECORD_SIZE + half, rest - half);
	m.len[STRAND_REC_A] = m.len[STRAND_REC_B] = KR_UPDATE_RECORD_SIZE;
	m.len[STRAND_IMG_A] = half;
	m.len[STRAND_IMG_B] = rest - half;
	/* The name the table must carry: record.a's, else "vfs". */
	{
		char name[KR_UPDATE_NAME_LEN] = "vfs";
		struct strand_rec r;

		if (strand_record_decode(p, KR_UPDATE_RECORD_SIZE, &r, NULL) == KR_OK)
			memcpy(name, r.name, sizeof(name));
		e = strand_open(&t, &env, name);
	}
	if (e != KR_OK) {
		if ((e != KR_ENOENT && e != KR_EFORMAT) || !t.why)
			abort();
		return;
	}
	if (strand_record_encode(&t.rec, out, NULL) != KR_OK)
		abort();
	e = strand_boot_choice(&t, &which);
	if (e != KR_OK) {
		if (e != KR_ENOENT || !t.why)
			abort();
		return;
	}
	if (which > STRAND_B || t.rec.s[which].state != KR_STRAND_VERIFIED ||
	    t.rec.preferred != which)
		abort();
	img = malloc(t.rec.s[which].length);
	if (!img || strand_load(&t, which, img, t.rec.s[which].length, &len) != KR_OK)
		abort();
	free(img);
	if (strand_open(&u, &env, t.rec.name) != KR_OK || memcmp(&u.rec, &t.rec, sizeof(t.rec)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	decode(buf, size);
	if (size >= 2 * KR_UPDATE_RECORD_SIZE)
		store(buf, size);
	if (memcmp(buf, data, size))    /* nothing writes its input */
		abort();
	free(buf);
	return 0;
}
