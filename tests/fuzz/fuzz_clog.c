/*
 * fuzz_clog.c - libFuzzer target for the CommitLog engine's readers
 * (modules/clog/log.c): clog_rec_decode, clog_super_decode, and clog_open
 * with clog_walk over a device image the input is.
 *
 * Input: byte 0 picks the device's max_sectors (1 + b % 8) and whether an
 * append follows (b & 0x80); the rest is the image (zero-padded to at
 * least 4 sectors, whole sectors only; at most 512 sectors).  Checked,
 * abort() if broken: a decoded record lies within the bytes given; an
 * opened log walks exactly the records its report counts, in seq order;
 * a log opened corrupt refuses appends; an append to a log opened clean
 * survives a reopen (or the reopen finds corruption after it, which a
 * crafted later record can claim).  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct img {
	uint8_t *b;
	uint64_t sectors;
};

static kr_err_t img_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	struct img *m = ctx;

	if (lba + n > m->sectors || n == 0)
		abort();        /* the engine must stay inside the device */
	memcpy(buf, m->b + lba * 512, (size_t)n * 512);
	return KR_OK;
}

static kr_err_t img_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
	struct img *m = ctx;

	if (lba + n > m->sectors || n == 0)
		abort();
	memcpy(m->b + lba * 512, buf, (size_t)n * 512);
	return KR_OK;
}

static kr_err_t img_flush(void *ctx)
{
	(void)ctx;
	return KR_OK;
}

static void *img_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void img_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

struct walk {
	uint64_t n, next;
};

static kr_err_t count(void *ctx, const struct kr_clog_rec *rec, const void *payload, uint64_t off)
{
	struct walk *w = ctx;

	(void)payload;
	(void)off;
	if (w->n && rec->seq != w->next)
		abort();
	w->next = rec->seq + 1;
	w->n++;
	return KR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img m;
	struct clog_dev dev;
	struct clog *l;
	struct clog_report rep;
	struct kr_clog_super sb;
	const struct kr_clog_rec *rec;
	const void *payload;
	const char *why;
	size_t n;
	uint8_t *copy;

	if (size < 1)
		return 0;
	n = size - 1;
	if (n > 512 * 512)
		n = 512 * 512;
	/* the format's pure functions, over the raw bytes (a writable copy:
	 * decode zeroes the hash field while hashing) */
	copy = malloc(n ? n : 1);
	memcpy(copy, data + 1, n);
	if (!clog_rec_decode(copy, n, 0, &rec, &payload, &why) &&
	    clog_rec_size(rec->length) > n)
		abort();
	if (memcmp(copy, data + 1, n))
		abort();        /* put back as it was */
	if (n >= 512)
		(void)clog_super_decode(copy, n / 512, &sb, &why);
	free(copy);

	m.sectors = n / 512 < 4 ? 4 : n / 512;
	m.b = calloc(m.sectors, 512);
	memcpy(m.b, data + 1, n < m.sectors * 512 ? n : m.sectors * 512);
	dev = (struct clog_dev){ .ctx = &m, .sectors = m.sectors, .max_sectors = 1 + data[0] % 8,
				 .read = img_read, .write = img_write, .flush = img_flush,
				 .alloc = img_alloc, .free = img_free };
	(void)clog_probe(&dev);
	if (clog_open(&dev, &l, &rep) == KR_OK || rep.corrupt) {
		struct walk w = { 0, 0 };
		struct clog_info in;

		if (!l)
			abort();
		clog_info(l, &in);
		if (clog_walk(l, 0, count, &w) || w.n != rep.records ||
		    (w.n && (w.next - 1 != in.head_seq || rep.last_seq != in.head_seq)))
			abort();
		if (rep.corrupt && clog_stage(l, "x", "", 0, NULL) != KR_EPERM)
			abort();
		if (!rep.corrupt && (data[0] & 0x80)) {
			uint64_t seq;

			if (clog_stage(l, "fuzz.append", "s", 2, &seq) == KR_OK) {
				if (clog_sync(l))
					abort();
				clog_close(l);
				l = NULL;
				if (clog_open(&dev, &l, &rep) == KR_OK) {
					clog_info(l, &in);
					if (in.head_seq != seq)
						abort();
				} else if (!rep.corrupt || rep.bad_seq <= seq) {
					abort();
				}
			}
		}
		clog_close(l);
	}
	free(m.b);
	return 0;
}
