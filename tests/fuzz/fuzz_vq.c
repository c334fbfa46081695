/*
 * fuzz_vq.c - libFuzzer target for the split virtqueue's driver side
 * (modules/virtio_blk/vq.c) against a device the input plays.
 *
 * The first byte picks the queue size (2 << (b % 8): 2..256); every
 * following opcode byte (and the bytes it takes) is one step:
 *   0 post a chain (length byte; addresses from the input)
 *   1 the device completes a chain it fetched, as a fair device would
 *   2 the device writes a used entry with an id and len from the input
 *   3 the device sets used->idx to any value
 *   4 the device scribbles the descriptor table's next fields
 *   5..7 the driver reaps until vq_reap says 0 or -1
 * The queue's three parts are exact-size allocations, so ASan sees any
 * access outside them.  Checked after every step, abort() if broken:
 * nfree + the descriptors of the chains in flight == size, and a chain's
 * descriptors are free when posted and no other chain's; vq_reap returns
 * only a head in flight, and -1 only with a reason, which ends the
 * sequence (the queue must then be reset).  Built and run by
 * tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_blk/vq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static int take(struct in *in, uint32_t *v, unsigned bytes)
{
	if (in->n < bytes)
		return 0;
	*v = 0;
	for (unsigned i = 0; i < bytes; i++)
		*v |= (uint32_t)in->p[i] << (8 * i);
	in->p += bytes;
	in->n -= bytes;
	return 1;
}

static struct vq q;
static int16_t owner[VQ_MAX];   /* the head of the chain holding descriptor i, -1: free */
static uint16_t chainlen[VQ_MAX];       /* the model's: a head in flight's length, 0: none */
static uint16_t fetched[VQ_MAX];        /* heads the device took from the avail ring */
static struct vq_buf bufs[VQ_MAX];

static void check(uint16_t n)
{
	unsigned descs = 0, chains = 0;

	for (uint16_t i = 0; i < n; i++)
		if (chainlen[i]) {
			descs += chainlen[i];
			chains++;
		}
	if (q.nfree + descs != n || q.inflight != chains || q.nfree > n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t n, last_avail = 0;
	unsigned nfetched = 0;
	uint32_t op, v;

	if (!take(&in, &v, 1))
		return 0;
	n = (uint16_t)(2u << (v % 8));
	desc = calloc(1, VQ_DESC_BYTES(n));
	avail = calloc(1, VQ_AVAIL_BYTES(n));
	used = calloc(1, VQ_USED_BYTES(n));
	if (!desc || !avail || !used || !vq_init(&q, n, desc, avail, used))
		abort();
	memset(owner, 0xff, sizeof(owner));
	memset(chainlen, 0, sizeof(chainlen));
	while (take(&in, &op, 1)) {
		switch (op % 8) {
		case 0: {                               /* post */
			uint16_t nfree = q.nfree;
			unsigned len;
			int h;

			if (!take(&in, &v, 1))
				goto out;
			/* mostly the driver's 1..3, sometimes up to the whole table */
			len = v & 0x80 ? 1 + (v & 0x7f) * n / 128 : 1 + v % 3;
			for (unsigned i = 0; i < len; i++)
				bufs[i] = (struct vq_buf){ (uint64_t)(v * 0x1000u + i), v + i, (v >> (i % 8)) & 1 };
			h = vq_post(&q, bufs, len);
			if (h < 0) {
				if (len <= nfree || q.nfree != nfree)
					abort();
				break;
			}
			if (len > nfree || h >= n || chainlen[h])
				abort();
			/* walk the chain as the device would: its descriptors were free */
			for (unsigned i = 0, d = (unsigned)h; i < len; i++) {
				if (d >= n || owner[d] != -1 || desc[d].addr != bufs[i].addr ||
				    !!(desc[d].flags & VQ_DESC_F_NEXT) != (i + 1 < len))
					abort();
				owner[d] = (int16_t)h;
				d = desc[d].next;
			}
			chainlen[h] = (uint16_t)len;
			break;
		}
		case 1:                                 /* a fair completion */
			while (last_avail != avail->idx && nfetched < VQ_MAX)
				fetched[nfetched++] = avail->ring[last_avail++ % n];
			if (nfetched && take(&in, &v, 1)) {
				unsigned k = v % nfetched;

				used->ring[used->idx % n] = (struct vq_used_elem){ fetched[k], v };
				used->idx++;
				fetched[k] = fetched[--nfetched];
			}
			break;
		case 2:                                 /* any used entry */
			if (!take(&in, &v, 4))
				goto out;
			used->ring[used->idx % n] = (struct vq_used_elem){ v, v >> 3 };
			used->idx++;
			break;
		case 3:                                 /* any index */
			if (!take(&in, &v, 2))
				goto out;
			used->idx = (uint16_t)v;
			break;
		case 4:                                 /* a device writing the table */
			if (!take(&in, &v, 3))
				goto out;
			desc[(v & 0xff) % n].next = (uint16_t)(v >> 8);
			break;
		default: {                              /* reap */
			uint16_t head;
			uint32_t len;
			const char *why;
			int r;

			for (;;) {
				why = NULL;
				r = vq_reap(&q, &head, &len, &why);
				if (r == 0)
					break;
				if (r < 0) {
					if (!why)
						abort();
					check(n);
					goto out;       /* the driver resets the queue */
				}
				if (r != 1 || head >= n || !chainlen[head])
					abort();
				/* exactly its chain's descriptors come back */
				v = 0;
				for (uint16_t d = 0; d < n; d++)
					if (owner[d] == (int16_t)head) {
						owner[d] = -1;
						v++;
					}
				if (v != chainlen[head])
					abort();
				chainlen[head] = 0;
			}
			break;
		}
		}
		check(n);
	}
out:
	free(desc);
	free(avail);
	free(used);
	return 0;
}
