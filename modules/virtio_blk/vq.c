/*
 * vq.c - the split virtqueue (vq.h).
 *
 * Ordering (virtio 2.7.13): the driver writes a chain's descriptors and
 * its ring entry before the index that makes them visible (a release
 * fence), and reads a used entry only after the index that says it is
 * there (an acquire fence).  On x86 those are compiler barriers; the full
 * fence before the notify is the caller's (vq_post says nothing to the
 * device by itself).
 */
#include "vq.h"

bool vq_size_ok(uint32_t n)
{
	return n >= 2 && n <= VQ_MAX && !(n & (n - 1));
}

bool vq_init(struct vq *q, uint16_t n, void *desc, void *avail, void *used)
{
	if (!vq_size_ok(n))
		return false;
	q->size = n;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	for (uint16_t i = 0; i < n; i++) {
		q->next[i] = (uint16_t)(i + 1);
		q->head[i] = 0;
		q->chain[i] = 0;
	}
	q->free_head = 0;
	q->nfree = n;
	q->avail_idx = 0;
	q->last_used = 0;
	q->inflight = 0;
	return true;
}

int vq_post(struct vq *q, const struct vq_buf *bufs, unsigned nbufs)
{
	uint16_t head = q->free_head, d = head;

	if (!nbufs || nbufs > q->nfree)
		return -1;
	for (unsigned i = 0; i < nbufs; i++) {
		uint16_t next = q->next[d];

		q->desc[d].addr = bufs[i].addr;
		q->desc[d].len = bufs[i].len;
		q->desc[d].flags = (uint16_t)((bufs[i].device_writes ? VQ_DESC_F_WRITE : 0) |
					      (i + 1 < nbufs ? VQ_DESC_F_NEXT : 0));
		if (i + 1 < nbufs)
			q->desc[d].next = next;
		else
			q->free_head = next;
		d = next;
	}
	q->nfree = (uint16_t)(q->nfree - nbufs);
	q->head[head] = 1;
	q->chain[head] = (uint16_t)nbufs;
	q->inflight++;
	q->avail->ring[q->avail_idx % q->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail->idx = ++q->avail_idx;
	return head;
}

int vq_reap(struct vq *q, uint16_t *head, uint32_t *len, const char **why)
{
	uint16_t idx = q->used->idx, id, d;
	uint32_t raw;

	if (idx == q->last_used)
		return 0;
	if ((uint16_t)(idx - q->last_used) > q->inflight) {
		*why = "the used index moved past the requests in flight";
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	raw = q->used->ring[q->last_used % q->size].id;
	if (raw >= q->size || !q->head[raw]) {
		*why = "it completed a descriptor that is not a request in flight";
		return -1;
	}
	id = (uint16_t)raw;
	*head = id;
	*len = q->used->ring[q->last_used % q->size].len;
	q->last_used++;
	q->inflight--;
	q->head[id] = 0;
	/* the chain goes back on the free list, in front */
	d = id;
	for (unsigned i = 1; i < q->chain[id]; i++)
		d = q->next[d];
	q->next[d] = q->free_head;
	q->free_head = id;
	q->nfree = (uint16_t)(q->nfree + q->chain[id]);
	q->chain[id] = 0;
	return 1;
}
