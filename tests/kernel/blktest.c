/*
 * blktest - a test module for the blk service (tests/qemu/test_blk.py):
 * at init it sends requests a buggy or hostile caller might, and prints
 * what each got back; none of them may reach the device or stop the
 * kernel.  Then one good read, so the test sees the disk still works.
 */
#include <karyon/blk.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t try(const struct kr_blk_ops *b, const char *what, struct kr_blk_req r)
{
	kr_err_t e = b->submit(&r);

	if (!e)
		e = b->wait(&r);
	kr_log(KR_LOG_INFO, "blktest: %s: %s\n", what, kr_strerror(e));
	return e;
}

static kr_err_t blktest_init(kr_domain_t *self)
{
	const struct kr_ops_header *h;
	const struct kr_blk_ops *b;
	struct kr_blk_info info;
	uint8_t *buf;
	kr_cap_t c;
	kr_err_t e = kr_service_open(self, KR_BLK_SERVICE, KR_BLK_VERSION, &c);

	if (!e)
		e = kr_service_ops(self, c, &h);
	if (e) {
		kr_log(KR_LOG_INFO, "blktest: no blk service: %s\n", kr_strerror(e));
		return KR_OK;
	}
	b = (const struct kr_blk_ops *)h;
	buf = kr_malloc(self, 65 * 512);
	if (!buf || b->info(&info))
		return KR_ENOMEM;
	try(b, "NULL buffer", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_READ, 0, 1, 0, NULL,
						   { 0, 0 } });
	try(b, "no sectors", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_READ, 0, 0, 0, buf,
						  { 0, 0 } });
	try(b, "too many sectors", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_READ, 0,
							info.max_sectors + 1, 0, buf, { 0, 0 } });
	try(b, "read past the end", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_READ,
							 info.sectors, 1, 0, buf, { 0, 0 } });
	try(b, "write across the end", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_WRITE,
							    info.sectors - 1, 2, 0, buf, { 0, 0 } });
	try(b, "wrapping sector", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_READ,
						       ~0ull, 2, 0, buf, { 0, 0 } });
	try(b, "unknown operation", (struct kr_blk_req){ KR_BLK_REQ_VERSION, 99, 0, 1, 0, buf,
							 { 0, 0 } });
	try(b, "wrong version", (struct kr_blk_req){ 7, KR_BLK_READ, 0, 1, 0, buf, { 0, 0 } });
	try(b, "flush with sectors", (struct kr_blk_req){ KR_BLK_REQ_VERSION, KR_BLK_FLUSH, 0, 1,
							  0, NULL, { 0, 0 } });
	try(b, "good read of the last sector", (struct kr_blk_req){ KR_BLK_REQ_VERSION,
		KR_BLK_READ, info.sectors - 1, 1, 0, buf, { 0, 0 } });
	kr_free(self, buf);
	return KR_OK;
}

KR_MODULE(.name = "blktest", .version = KR_VERSION(1, 0, 0),
	  .description = "test: bad requests to the blk service",
	  .license = "MIT", .author = "Karyon developers", .init = blktest_init,
	  .deps = { { .name = "virtio_blk", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1);
