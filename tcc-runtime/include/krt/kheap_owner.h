/*
 * krt/kheap_owner.h - heap blocks charged to an owner (a domain), so that
 * everything an owner still holds can be counted and freed at once.
 */
#ifndef KARYON_KRT_KHEAP_OWNER_H
#define KARYON_KRT_KHEAP_OWNER_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>

struct kheap_owned;

struct kheap_owner {
	struct kheap_owned *head;       /* live blocks, newest first */
	uint64_t bytes, blocks;
};

void *kheap_owner_alloc(struct kheap_owner *o, size_t n);     /* NULL: out of memory */
void *kheap_owner_realloc(struct kheap_owner *o, void *p, size_t n);
/* KR_EFOREIGN if p is not a live block of o (another owner's, freed, wild). */
kr_err_t kheap_owner_free(struct kheap_owner *o, void *p);
/* Free every block o still holds; returns how many there were. */
uint64_t kheap_owner_release(struct kheap_owner *o);

#endif
