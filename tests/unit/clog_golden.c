/*
 * clog_golden.c - write a small deterministic CommitLog image with the
 * engine, for tools/ledger.py to read back (tests/tools/test_ledger.py).
 *
 * Usage: clog_golden IMAGE [LEAD]   the image, its log region starting at
 *                                   sector LEAD (default 0)
 *        clog_golden --record FILE  the golden record (clog_golden.h)
 *
 * The image holds two epochs (a compaction between), several groups and a
 * superblock written by hand, and a torn tail; stdout gets one line per
 * durable record of the current epoch, "SEQ KIND LENGTH HASH" (hash in
 * hex), then "cut SEQ BYTES" as recovery reports the torn tail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clog_simdev.h"
#include "clog_golden.h"

static uint64_t lead;

static kr_err_t off_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	return sim_read(ctx, lba + lead, n, buf);
}

static kr_err_t off_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
	return sim_write(ctx, lba + lead, n, buf);
}

static kr_err_t stage(struct clog *l, const char *kind, const char *subject, uint32_t extra)
{
	uint8_t buf[4096];
	size_t n = strlen(subject) + 1;

	memcpy(buf, subject, n);
	for (uint32_t i = 0; i < extra; i++)
		buf[n + i] = (uint8_t)(i * 3 + 1);
	return clog_stage(l, kind, buf, (uint32_t)(n + extra), NULL);
}

static kr_err_t emit(void *ctx, struct clog *l)
{
	uint8_t roots[sizeof(struct kr_clog_roots)];

	(void)ctx;
	memset(roots, 0, sizeof(roots));
	roots[0] = 1;
	return clog_stage(l, "clog.root", roots, sizeof(roots), NULL);
}

static kr_err_t print(void *ctx, const struct kr_clog_rec *rec, const void *payload, uint64_t off)
{
	(void)ctx;
	(void)payload;
	(void)off;
	printf("%llu %s %u ", (unsigned long long)rec->seq, rec->kind, rec->length);
	for (int i = 0; i < 32; i++)
		printf("%02x", rec->hash[i]);
	printf("\n");
	return KR_OK;
}

#define CHECK(x) do { if ((x) != KR_OK) { fprintf(stderr, "clog_golden: %s failed\n", #x); return 1; } } while (0)

int main(int argc, char **argv)
{
	struct simdev sim;
	struct clog_dev dev;
	struct clog *l;
	struct clog_report rep;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--record")) {
		uint8_t *buf = calloc(1, 4096);
		size_t n = golden_record(buf);

		f = fopen(argv[2], "wb");
		if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
			return 1;
		free(buf);
		return 0;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: clog_golden IMAGE [LEAD] | --record FILE\n");
		return 2;
	}
	lead = argc == 3 ? strtoull(argv[2], NULL, 0) : 0;
	sim_init(&sim, lead + 2 + 2 * 24);
	dev = sim_dev(&sim, 4);
	dev.sectors = 2 + 2 * 24;
	dev.read = off_read;
	dev.write = off_write;
	CHECK(clog_format(&dev, NULL, 0));
	CHECK(clog_open(&dev, &l, &rep));
	CHECK(stage(l, "clog.genesis", "GENESIS", 176));
	CHECK(clog_sync(l));
	CHECK(stage(l, "vfs.write", "/etc/motd", 40));
	CHECK(stage(l, "vfs.mkdir", "/home", 0));
	CHECK(clog_sync(l));
	CHECK(clog_write_super(l));
	CHECK(clog_compact(l, emit, NULL));
	CHECK(stage(l, "kmod.load", "hello.kmod", 700));
	CHECK(clog_sync(l));
	CHECK(stage(l, "events.handler", "EVENT HANDLER", 3));
	CHECK(stage(l, "vfs.unlink", "/tmp/x", 0));
	CHECK(clog_sync(l));
	/* a torn tail: a group of 6 sectors whose first write (4 sectors)
	 * fails, so the second is never issued: never acknowledged */
	CHECK(stage(l, "vfs.write", "/torn", 2500));
	sim.fail_at = sim.ops;
	if (clog_sync(l) != KR_EIO)
		return 1;
	CHECK(clog_walk(l, 0, print, NULL));
	clog_close(l);
	/* what recovery makes of it */
	memcpy(sim.durable, sim.cache, sim.sectors * 512);
	CHECK(clog_open(&dev, &l, &rep));
	printf("cut %llu %llu\n", (unsigned long long)rep.cut_seq, (unsigned long long)rep.cut_bytes);
	clog_close(l);
	f = fopen(argv[1], "wb");
	if (!f || fwrite(sim.cache, 512, sim.sectors, f) != sim.sectors || fclose(f))
		return 1;
	sim_fini(&sim);
	return 0;
}
