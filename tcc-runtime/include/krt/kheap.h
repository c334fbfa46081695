/*
 * krt/kheap.h - the kernel heap: kmalloc and friends on top of any source
 * of pages.  The core hands out raw pages; allocating bytes from them is
 * library work, so the heap lives here, and it will be the malloc behind
 * the libc surface that libtcc and libb2 use.
 *
 * Single-threaded for now: callers must not enter it concurrently (no lock yet).
 */
#ifndef KARYON_KHEAP_H
#define KARYON_KHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>

#define KHEAP_ALIGN 16 /* every returned pointer; SSE code relies on it */

struct kheap_pagesrc {
	void *(*get)(size_t npages);         /* page-aligned writable memory or NULL */
	void (*put)(void *p, size_t npages); /* exactly what get returned */
	/* Optional: told of every refused kfree and failed allocation, so the
	 * kernel can log them; err is KR_EDOUBLE, KR_EFOREIGN or KR_ENOMEM. */
	void (*report)(kr_err_t err, const void *p, size_t n);
};

struct kheap_stats {
	uint64_t bytes_in_use;  /* sum of the sizes asked for by live blocks */
	uint64_t live_allocs;
	uint64_t pages_held;    /* taken from the page source and not yet returned */
	uint64_t total_allocs, total_frees;
};

/* Start (or restart, forgetting every block) on top of src. */
void kheap_init(const struct kheap_pagesrc *src);
void *kmalloc(size_t n);                   /* kmalloc(0): a unique minimal block */
void *kcalloc(size_t nmemb, size_t size);  /* zeroed; NULL if nmemb * size overflows */
void *krealloc(void *p, size_t n);         /* NULL: failed, p untouched */
kr_err_t kfree(void *p);
/* KR_OK if p is a live block of this heap (what kfree would accept). */
kr_err_t kheap_check(const void *p);                   /* KR_EDOUBLE, KR_EFOREIGN; kfree(NULL) is KR_OK */
void kheap_get_stats(struct kheap_stats *st);

#endif
