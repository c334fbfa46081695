/*
 * blk.h - the "blk" service: a block device (modules/virtio_blk offers
 * it for a virtio disk).
 *
 * Requests go in with submit and come back in the order the device
 * finishes them; several may be in flight.  Every request's range and
 * buffer is checked before it reaches the device: a sector outside the
 * disk, a count of 0 or over max_sectors, or a NULL buffer is KR_ERANGE or
 * KR_EINVAL and nothing is sent.  A device error comes back as KR_EIO in
 * the request's status with a message in the log; the kernel runs on.
 * "Written" means on the device's medium only after a flush (KR_BLK_FLUSH)
 * completes.
 *
 *	struct kr_blk_req r = { KR_BLK_REQ_VERSION, KR_BLK_READ, .lba = 0, .count = 1,
 *				.buf = sector };
 *	blk->submit(&r);
 *	blk->wait(&r);          (r.status: KR_OK, or why not)
 */
#ifndef KARYON_BLK_H
#define KARYON_BLK_H

#include <karyon/service.h>

#define KR_BLK_SERVICE "blk"
#define KR_BLK_VERSION 1

#define KR_BLK_INFO_VERSION 1
struct kr_blk_info {
	uint32_t version;       /* KR_BLK_INFO_VERSION */
	uint32_t sector_size;   /* bytes: 512 */
	uint64_t sectors;       /* the disk's size in sectors */
	uint32_t max_sectors;   /* the most one request may move */
	uint32_t queue_depth;   /* requests that may be in flight at once */
	uint32_t flush;         /* 1: the device has a cache to flush (else writes are durable) */
	uint32_t reserved;
	char name[32];          /* "virtio0" */
	char model[32];         /* what the driver says it is */
};
KR_ABI_OFFSET(struct kr_blk_info, sectors, 8);
KR_ABI_SIZE(struct kr_blk_info, 96);

enum kr_blk_op { KR_BLK_READ = 1, KR_BLK_WRITE = 2, KR_BLK_FLUSH = 3 };

#define KR_BLK_REQ_VERSION 1
struct kr_blk_req {
	uint32_t version;       /* KR_BLK_REQ_VERSION */
	uint32_t op;            /* enum kr_blk_op */
	uint64_t lba;           /* first sector (ignored for a flush) */
	uint32_t count;         /* sectors, 1..max_sectors (0 for a flush) */
	volatile int32_t status;        /* out: KR_EINPROGRESS ... then KR_OK or an error */
	void *buf;              /* count * sector_size bytes, the caller's, until done */
	uint64_t driver[2];     /* the driver's, while in flight */
};
KR_ABI_OFFSET(struct kr_blk_req, buf, 24);
KR_ABI_SIZE(struct kr_blk_req, 48);

struct kr_blk_ops {
	struct kr_ops_header hdr;       /* version KR_BLK_VERSION */
	kr_err_t (*info)(struct kr_blk_info *out);
	/* Check and send r (r->status KR_EINPROGRESS until it completes);
	 * when the queue is full it waits for room.  An error here means the
	 * request was refused and nothing was sent (r->status says the same). */
	kr_err_t (*submit)(struct kr_blk_req *r);
	/* Wait until r completes (the calling task sleeps; interrupts wake
	 * it): r->status. */
	kr_err_t (*wait)(struct kr_blk_req *r);
};
KR_ABI_SIZE(struct kr_blk_ops, 40);

#endif
