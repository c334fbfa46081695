/*
 * pmm.c - physical page allocator.
 *
 * Two bitmaps over the pages from the lowest to the highest usable page at
 * or above 1 MiB, stored back to back in usable RAM that pmm_init picks:
 *   own   1 = the page is ours: usable, not under a non-usable map entry,
 *           a caller-reserved range or the bitmaps themselves;
 *   free  1 = the page is free now (only ever set where own is set).
 * Keeping own apart from free lets pmm_free tell a double free from a
 * pointer that never came from here.  Allocation is first fit from a hint
 * that rotates past the last allocation, so fresh pages are spread out
 * instead of the same low pages being reused at once.
 *
 * Memory below 1 MiB is never touched: firmware data and the future AP
 * trampoline live there.  RAM is only reached through phys_to_virt.
 */
#include "mm/pmm.h"
#include <krt/memmap.h>
#include <krt/string.h>

#define PMM_NONE      UINT64_MAX

/* Not locked: the kernel has one CPU and calls this from thread context only. */
static struct {
	void *(*p2v)(uint64_t phys);
	uint64_t base;   /* physical address of bit 0 */
	uint64_t npages; /* pages the bitmaps cover */
	uint64_t *own, *free;
	uint64_t hint;   /* page index where the next search starts */
	struct pmm_stats st;
} pmm;

static bool pmm_test(const uint64_t *m, uint64_t i)
{
	return m[i / 64] >> (i % 64) & 1;
}

/* Set bits of m for the pages of [b, e) to v; returns how many changed. */
static uint64_t pmm_mark(uint64_t *m, uint64_t b, uint64_t e, bool v)
{
	uint64_t top = pmm.base + pmm.npages * PMM_PAGE_SIZE, changed = 0;

	if (b < pmm.base)
		b = pmm.base;
	for (; b < e && b < top; b += PMM_PAGE_SIZE) {
		uint64_t i = (b - pmm.base) / PMM_PAGE_SIZE, run = 64 * PMM_PAGE_SIZE;

		/* A whole word at once where all 64 pages change (pmm_init marks all RAM). */
		if (i % 64 == 0 && e - b >= run && top - b >= run && m[i / 64] == (v ? 0 : ~0ULL)) {
			m[i / 64] = ~m[i / 64];
			changed += 64;
			b += run - PMM_PAGE_SIZE;
		} else if (pmm_test(m, i) != v) {
			m[i / 64] ^= 1ULL << (i % 64);
			changed++;
		}
	}
	return changed;
}

kr_err_t pmm_init(const struct kr_mem_range *map, size_t n,
		  const struct memmap_range *res, size_t nres,
		  void *(*phys_to_virt)(uint64_t phys), const char **why)
{
	struct memmap in = { map, n, res, nres, 0, 0 };
	uint64_t lo = UINT64_MAX, hi = 0, b, e, words, bytes, bm, total, rsv;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = "bad arguments";
	if ((!map && n) || (!res && nres) || !phys_to_virt)
		return KR_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (memmap_usable(&in, i, &b, &e)) {
			lo = b < lo ? b : lo;
			hi = e > hi ? e : hi;
		}
	}
	*why = "no usable memory above 1 MiB";
	if (lo >= hi || !memmap_find_room(&in, PMM_PAGE_SIZE))
		return KR_ENOMEM;
	words = ((hi - lo) / PMM_PAGE_SIZE + 63) / 64;
	bytes = 2 * words * sizeof(uint64_t);
	bm = memmap_find_room(&in, memmap_up(bytes));
	if (!bm) {
		*why = "too much memory for the page bitmap to fit";
		return KR_ENOMEM;
	}
	in.bm_b = bm;
	in.bm_e = bm + bytes;
	if (!memmap_find_room(&in, PMM_PAGE_SIZE))
		return KR_ENOMEM; /* the bitmap would take the last pages */

	*why = NULL;
	pmm.p2v = phys_to_virt;
	pmm.base = lo;
	pmm.npages = (hi - lo) / PMM_PAGE_SIZE;
	pmm.own = phys_to_virt(bm);
	pmm.free = pmm.own + words;
	pmm.hint = 0;
	memset(pmm.own, 0, bytes);
	total = rsv = 0;
	for (size_t i = 0; i < n; i++)
		if (memmap_usable(&in, i, &b, &e))
			total += pmm_mark(pmm.own, b, e, true);
	for (size_t i = 0; i <= n + nres; i++) {
		if (!memmap_blocker(&in, i, &b, &e))
			continue;
		if (i < n)
			total -= pmm_mark(pmm.own, b, e, false);
		else
			rsv += pmm_mark(pmm.own, b, e, false);
	}
	memcpy(pmm.free, pmm.own, words * sizeof(uint64_t));
	pmm.st = (struct pmm_stats){ total, total - rsv, rsv, bm, bytes };
	return KR_OK;
}

/* First start of n free pages with the whole run in [from, to), or PMM_NONE. */
static uint64_t pmm_find_run(uint64_t from, uint64_t to, uint64_t n)
{
	uint64_t run = 0;

	for (uint64_t i = from; i < to; i++) {
		if (i % 64 == 0 && i + 64 <= to && !pmm.free[i / 64]) {
			run = 0; /* skip a word of used pages at once */
			i += 63;
		} else if (!pmm_test(pmm.free, i)) {
			run = 0;
		} else if (++run == n) {
			return i + 1 - n;
		}
	}
	return PMM_NONE;
}

kr_err_t pmm_alloc(size_t npages, uint64_t *phys)
{
	return pmm_alloc_below(npages, UINT64_MAX, phys);
}

kr_err_t pmm_alloc_below(size_t npages, uint64_t limit, uint64_t *phys)
{
	uint64_t i, lim, top = limit > pmm.base ? (limit - pmm.base) / PMM_PAGE_SIZE : 0;

	if (!npages || !phys)
		return KR_EINVAL;
	if (npages > pmm.st.free_pages)
		return KR_ENOMEM;
	top = top < pmm.npages ? top : pmm.npages;
	i = pmm_find_run(pmm.hint, top, npages);
	if (i == PMM_NONE) {
		lim = pmm.hint + npages - 1; /* runs that cross the hint */
		i = pmm_find_run(0, lim < top ? lim : top, npages);
	}
	if (i == PMM_NONE)
		return KR_ENOMEM;
	*phys = pmm.base + i * PMM_PAGE_SIZE;
	pmm_mark(pmm.free, *phys, *phys + npages * PMM_PAGE_SIZE, false);
	pmm.st.free_pages -= npages;
	pmm.hint = i + npages < pmm.npages ? i + npages : 0;
	/* Zeroed always, so nothing leaks from the previous owner. */
	memset(pmm.p2v(*phys), 0, npages * PMM_PAGE_SIZE);
	return KR_OK;
}

kr_err_t pmm_free(uint64_t phys, size_t npages)
{
	uint64_t first;
	bool dbl = false;

	if (!npages)
		return KR_EINVAL;
	if (phys % PMM_PAGE_SIZE)
		return KR_EALIGN;
	if (npages - 1 > (UINT64_MAX - phys) / PMM_PAGE_SIZE)
		return KR_EINVAL;
	first = (phys - pmm.base) / PMM_PAGE_SIZE;
	if (phys < pmm.base || npages > pmm.npages || first > pmm.npages - npages)
		return KR_EFOREIGN;
	for (uint64_t i = first; i < first + npages; i++) {
		if (!pmm_test(pmm.own, i))
			return KR_EFOREIGN;
		dbl |= pmm_test(pmm.free, i);
	}
	if (dbl)
		return KR_EDOUBLE;
#ifdef KR_DEBUG
	memset(pmm.p2v(phys), 0x6b, npages * PMM_PAGE_SIZE); /* use-after-free shows */
#endif
	pmm_mark(pmm.free, phys, phys + npages * PMM_PAGE_SIZE, true);
	pmm.st.free_pages += npages;
	return KR_OK;
}

void pmm_get_stats(struct pmm_stats *st)
{
	*st = pmm.st;
}

bool pmm_is_free(uint64_t phys)
{
	return phys >= pmm.base && (phys - pmm.base) / PMM_PAGE_SIZE < pmm.npages &&
	       pmm_test(pmm.free, (phys - pmm.base) / PMM_PAGE_SIZE);
}
