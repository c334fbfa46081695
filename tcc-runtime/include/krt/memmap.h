/*
 * krt/memmap.h - memory-map arithmetic for the page allocator
 * (tcc-runtime/krt/memmap.c, used by core/mm/pmm.c).
 */
#ifndef KARYON_KRT_MEMMAP_H
#define KARYON_KRT_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/boot_info.h>

#define MEMMAP_PAGE 4096ULL
#define MEMMAP_LOW  0x100000ULL         /* RAM below 1 MiB is never used */

struct memmap_range {
	uint64_t base, end;             /* [base, end) bytes */
};

/* The map and the reserved ranges, plus the bitmap once it has a place
 * ([bm_b, bm_e); empty until then). */
struct memmap {
	const struct kr_mem_range *map;
	size_t n;
	const struct memmap_range *res;
	size_t nres;
	uint64_t bm_b, bm_e;
};

/* x rounded up to a page, saturating at the top of the address space. */
uint64_t memmap_up(uint64_t x);
/* Usable entry i trimmed inward to whole pages at or above 1 MiB. */
bool memmap_usable(const struct memmap *in, size_t i, uint64_t *b, uint64_t *e);
/* Blocker i (0..n+nres), rounded outward: the non-usable map entries
 * (i < n), then the reserved ranges, then the bitmap. */
bool memmap_blocker(const struct memmap *in, size_t i, uint64_t *b, uint64_t *e);
/* The start of size free bytes inside one usable entry, or 0 if none. */
uint64_t memmap_find_room(const struct memmap *in, uint64_t size);

#endif
