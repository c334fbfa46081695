/*
 * vq.h - a virtio 1.x split virtqueue, the driver's side (virtio spec
 * 2.7): the descriptor table, the available ring the driver fills and the
 * used ring the device fills, all in memory both share.  Pure code over
 * that memory, so the host tests drive it against a simulated device,
 * a misbehaving one included.
 *
 * The device is input: vq_reap checks every used entry it reads (the
 * index may advance by at most the chains in flight; an id must be the
 * head of a chain in flight, once) and reports a device that breaks the
 * rules instead of following it.  The driver never reads the descriptor
 * table back: what it needs from it (the links) it keeps in struct vq.
 */
#ifndef KARYON_VIRTIO_VQ_H
#define KARYON_VIRTIO_VQ_H

#include <stdbool.h>
#include <stdint.h>

#define VQ_MAX          256     /* the largest queue this driver uses */
#define VQ_DESC_F_NEXT  1
#define VQ_DESC_F_WRITE 2       /* the device writes this buffer */

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct vq_desc) == 16, "virtq_desc is 16 bytes (virtio 2.7.5)");

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];        /* size entries, then used_event */
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[];     /* size entries, then avail_event */
};

/* Bytes each part takes for a queue of size entries (alignment: desc 16,
 * avail 2, used 4). */
#define VQ_DESC_BYTES(n)  (16u * (n))
#define VQ_AVAIL_BYTES(n) (6u + 2u * (n))
#define VQ_USED_BYTES(n)  (6u + 8u * (n))

struct vq_buf {
	uint64_t addr;          /* physical */
	uint32_t len;
	bool device_writes;
};

struct vq {
	uint16_t size;
	volatile struct vq_desc *desc;
	volatile struct vq_avail *avail;
	volatile struct vq_used *used;
	uint16_t free_head, nfree;
	uint16_t avail_idx;     /* the next avail->idx */
	uint16_t last_used;     /* used->idx as far as reaped */
	uint16_t inflight;      /* chains posted, not reaped */
	uint8_t head[VQ_MAX];   /* 1: a chain in flight starts at this descriptor */
	uint16_t chain[VQ_MAX]; /* its length (up to VQ_MAX: 8 bits are not enough) */
	/* The free list's and the chains' links, the driver's own copy: the
	 * device can write the table, so its next fields are never read back. */
	uint16_t next[VQ_MAX];
};

/* Is n a queue size this driver takes (a power of two, 2..VQ_MAX)? */
bool vq_size_ok(uint32_t n);
/* Set q up over zeroed memory (n entries); false if n is refused. */
bool vq_init(struct vq *q, uint16_t n, void *desc, void *avail, void *used);
/* Post a chain of nbufs buffers: the head descriptor's index, or -1 if
 * there are not that many free descriptors (nothing posted). */
int vq_post(struct vq *q, const struct vq_buf *bufs, unsigned nbufs);
/* One completion: 1 and *head, *len; 0 if there is none; -1 if the
 * device broke the rules (why says how; the queue must be reset). */
int vq_reap(struct vq *q, uint16_t *head, uint32_t *len, const char **why);

#endif
