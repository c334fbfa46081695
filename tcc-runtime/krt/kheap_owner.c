/*
 * kheap_owner.c - heap blocks charged to an owner.
 *
 * Each block carries a header linking it into its owner's list, so an
 * owner's blocks can be counted, checked on free (a block of another owner
 * is refused, not freed) and released all at once when the owner goes:
 * a module that forgets to free leaks nothing past its unload.
 */
#include <krt/kheap.h>
#include <krt/kheap_owner.h>
#include <krt/string.h>

#define OWNED_MAGIC 0x4b4f574eu /* "KOWN" */

struct kheap_owned {
	struct kheap_owned *prev, *next;
	struct kheap_owner *owner;
	uint32_t magic;
	uint32_t reserved;
	uint64_t size;
	uint64_t pad;           /* keeps the payload 16-byte aligned */
};
_Static_assert(sizeof(struct kheap_owned) % 16 == 0, "payload must stay 16-aligned");

static struct kheap_owned *header(struct kheap_owner *o, void *p)
{
	struct kheap_owned *h = (struct kheap_owned *)p - 1;

	/* The heap vouches that h is a live block before its header is read. */
	if ((uintptr_t)p < sizeof(*h) || kheap_check(h) != KR_OK)
		return NULL;
	return h->magic == OWNED_MAGIC && h->owner == o ? h : NULL;
}

static void unlink_block(struct kheap_owner *o, struct kheap_owned *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		o->head = h->next;
	if (h->next)
		h->next->prev = h->prev;
	o->bytes -= h->size;
	o->blocks--;
	h->magic = 0;
}

void *kheap_owner_alloc(struct kheap_owner *o, size_t n)
{
	struct kheap_owned *h;

	if (n > SIZE_MAX - sizeof(*h) || !(h = kmalloc(sizeof(*h) + n)))
		return NULL;
	*h = (struct kheap_owned){ .next = o->head, .owner = o, .magic = OWNED_MAGIC, .size = n };
	if (o->head)
		o->head->prev = h;
	o->head = h;
	o->bytes += n;
	o->blocks++;
	return h + 1;
}

void *kheap_owner_realloc(struct kheap_owner *o, void *p, size_t n)
{
	struct kheap_owned *h = p ? header(o, p) : NULL;
	void *q;

	if (p && !h)
		return NULL;
	q = kheap_owner_alloc(o, n);
	if (q && h) {
		memcpy(q, p, h->size < n ? h->size : n);
		kheap_owner_free(o, p);
	}
	return q;
}

kr_err_t kheap_owner_free(struct kheap_owner *o, void *p)
{
	struct kheap_owned *h;

	if (!p)
		return KR_OK;
	h = header(o, p);
	if (!h)
		return KR_EFOREIGN;
	unlink_block(o, h);
	return kfree(h);
}

uint64_t kheap_owner_release(struct kheap_owner *o)
{
	uint64_t n = o->blocks;

	while (o->head) {
		struct kheap_owned *h = o->head;

		unlink_block(o, h);
		kfree(h);
	}
	return n;
}
