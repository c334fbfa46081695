/*
 * krt/memmap.c - memory-map arithmetic for the page allocator
 * (core/mm/pmm.c): which whole pages of a boot loader's map are usable RAM
 * at or above 1 MiB, what blocks them (non-usable entries, reserved
 * ranges, the allocator's own bitmap), and where a run of free bytes fits.
 * Pure functions over the map; the allocator keeps its state.
 */
#include <krt/memmap.h>

static uint64_t memmap_down(uint64_t x)
{
	return x & ~(MEMMAP_PAGE - 1);
}

/* Saturates: a range reaching the top of the address space stays there. */
uint64_t memmap_up(uint64_t x)
{
	return x > UINT64_MAX - (MEMMAP_PAGE - 1) ? memmap_down(UINT64_MAX)
						     : memmap_down(x + MEMMAP_PAGE - 1);
}

static uint64_t memmap_end(uint64_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* Usable entry i trimmed inward to whole pages at or above 1 MiB. */
bool memmap_usable(const struct memmap *in, size_t i, uint64_t *b, uint64_t *e)
{
	const struct kr_mem_range *r = &in->map[i];

	if (r->type != KR_MEM_USABLE)
		return false;
	*b = memmap_up(r->base);
	if (*b < MEMMAP_LOW)
		*b = MEMMAP_LOW;
	*e = memmap_down(memmap_end(r->base, r->length));
	return *b < *e;
}

/*
 * Blocker i, rounded outward: the non-usable map entries (i < n), then the
 * reserved ranges, then the bitmap.  Whatever a blocker touches is not ours.
 */
bool memmap_blocker(const struct memmap *in, size_t i, uint64_t *b, uint64_t *e)
{
	if (i < in->n) {
		if (in->map[i].type == KR_MEM_USABLE)
			return false;
		*b = in->map[i].base;
		*e = memmap_end(*b, in->map[i].length);
	} else if (i < in->n + in->nres) {
		*b = in->res[i - in->n].base;
		*e = in->res[i - in->n].end;
	} else {
		*b = in->bm_b;
		*e = in->bm_e;
	}
	*b = memmap_down(*b);
	*e = memmap_up(*e);
	return *b < *e;
}

static bool memmap_fits(const struct memmap *in, uint64_t b, uint64_t e)
{
	uint64_t xb, xe;

	for (size_t i = 0; i <= in->n + in->nres; i++)
		if (memmap_blocker(in, i, &xb, &xe) && xb < e && b < xe)
			return false;
	return true;
}

/*
 * Find size free bytes inside a single usable entry.  A free
 * stretch starts either at an entry's start or where some blocker ends, so
 * those are the only candidates.  Returns 0 (never a valid answer) if none.
 */
uint64_t memmap_find_room(const struct memmap *in, uint64_t size)
{
	uint64_t b, e, xb, xe, c;

	for (size_t i = 0; i < in->n; i++) {
		if (!memmap_usable(in, i, &b, &e))
			continue;
		for (size_t j = 0; j <= in->n + in->nres + 1; j++) {
			if (j == 0)
				c = b;
			else if (memmap_blocker(in, j - 1, &xb, &xe) && xe > b && xe < e)
				c = xe;
			else
				continue;
			if (size <= e - c && memmap_fits(in, c, c + size))
				return c;
		}
	}
	return 0;
}
