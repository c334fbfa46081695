/*
 * pmm.h - physical page allocator: 4 KiB pages handed out from the usable
 * RAM the boot loader reported, tracked by a bitmap that lives in that RAM.
 *
 * One global instance.  Not locked: callers serialise (single CPU for now).
 */
#ifndef KARYON_PMM_H
#define KARYON_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/boot_info.h>
#include <karyon/err.h>
#include <krt/memmap.h>     /* struct memmap_range: what must never be handed out */

#define PMM_PAGE_SIZE 4096ULL

struct pmm_stats {
	uint64_t total_pages;    /* usable pages at or above 1 MiB */
	uint64_t free_pages;     /* of those, ready to allocate now */
	uint64_t reserved_pages; /* of those, kept out (reserved ranges, the bitmap) */
	uint64_t bitmap_phys, bitmap_bytes;
};

/*
 * Take over the usable ranges of map[0..n).  phys_to_virt must map all of
 * physical memory contiguously; it is the only way the allocator touches RAM.
 * On failure *why (if why is non-NULL) says what went wrong.
 */
kr_err_t pmm_init(const struct kr_mem_range *map, size_t n,
		  const struct memmap_range *res, size_t nres,
		  void *(*phys_to_virt)(uint64_t phys), const char **why);
/* npages physically contiguous, zero-filled pages; their address in *phys. */
kr_err_t pmm_alloc(size_t npages, uint64_t *phys);
/* The same, with the whole run below physical address limit (DMA). */
kr_err_t pmm_alloc_below(size_t npages, uint64_t limit, uint64_t *phys);
kr_err_t pmm_free(uint64_t phys, size_t npages);
void pmm_get_stats(struct pmm_stats *st);
bool pmm_is_free(uint64_t phys);

#endif
