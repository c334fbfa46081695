/*
 * pages.c - memory capabilities: raw pages, DMA pages and device memory.
 *
 * A PAGES object is a run of physically contiguous pages from the page
 * allocator (zeroed there, so nothing leaks between owners); DMA pages are
 * the same with their physical address readable.  An MMIO object is a
 * range of device memory: the kernel domain holds the root over all
 * physical memory and the module starter mints exact ranges from it
 * (devices.c), never over RAM.  Each capability may map its object once
 * into the page-capability window of the kernel address space (MMIO
 * uncached); the mapping belongs to that capability (slot state = its
 * address) and goes away with it.  The window's page tables are made at
 * boot, so mapping never allocates and page counts stay exact.
 */
#include <krt/kheap.h>

#include "arch/x86_64/layout.h"
#include "cap/domain.h"
#include "kernel/panic.h"
#include "mm/pmm.h"
#include "mm/vmm.h"

#define MAX_PAGES 65536 /* one object: 256 MiB */

struct page_obj {
	struct cap_object o;    /* base = physical address, count = pages */
	bool dma;               /* kr_page_phys may tell its address */
};

static struct cap_object devmem = {     /* all physical memory, for minting */
	.type = KR_OBJ_MMIO, .base = 0, .count = 1ull << 40,
};
kr_cap_t mmio_root;

static uint64_t window[MAPWIN_PAGES / 64];   /* 1 = page of the window in use */

static bool win_used(size_t i)
{
	return window[i / 64] & (1ull << (i % 64));
}

static void win_set(size_t i, size_t n, bool used)
{
	for (; n; n--, i++)
		if (used)
			window[i / 64] |= 1ull << (i % 64);
		else
			window[i / 64] &= ~(1ull << (i % 64));
}

/* First fit; deterministic, so the same sequence maps at the same places. */
static kr_err_t win_alloc(size_t n, uint64_t *va)
{
	for (size_t i = 0, run = 0; i < MAPWIN_PAGES; i++) {
		run = win_used(i) ? 0 : run + 1;
		if (run == n) {
			win_set(i + 1 - n, n, true);
			*va = MAPWIN_BASE + (i + 1 - n) * PAGE_SIZE;
			return KR_OK;
		}
	}
	return KR_ENOMEM;
}

static void unmap_slot(struct cap_slot *s)
{
	if (vmm_unmap(NULL, s->state, s->obj->count) != KR_OK)
		panic("pages: capability %#x lost its mapping", cap_handle(s));
	win_set((s->state - MAPWIN_BASE) / PAGE_SIZE, s->obj->count, false);
	s->state = 0;
}

static void pages_removed(struct cap_object *o, struct cap_slot *s)
{
	(void)o;
	if (!aspace_unmap(s) && s->state)
		unmap_slot(s);
}

static void pages_destroy(struct cap_object *o)
{
	kr_err_t err = pmm_free(o->base, o->count);

	if (err)
		panic("pages: freeing %llu pages at %#llx: %s", (unsigned long long)o->count,
		      (unsigned long long)o->base, kr_strerror(err));
	kfree(o);
}

static void mmio_destroy(struct cap_object *o)
{
	if (o != &devmem)
		kfree(o);
}

static const struct cap_object_ops page_ops = { pages_destroy, pages_removed };
static const struct cap_object_ops mmio_ops = { mmio_destroy, pages_removed };

void pages_boot(struct kr_domain *kd)
{
	devmem.ops = &mmio_ops;
	if (vmm_prepare(MAPWIN_BASE, MAPWIN_PAGES) != KR_OK ||
	    cap_create(&kd->cs, &devmem, KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_GRANT,
		       &mmio_root) != KR_OK)
		panic("pages: no memory for the page-capability window");
}

kr_err_t mmio_mint(struct cspace *to, uint64_t base, uint64_t npages, uint32_t rights,
		   kr_cap_t *out)
{
	struct cap_object *o = kcalloc(1, sizeof(*o));
	kr_err_t err;

	if (!o)
		return KR_ENOMEM;
	*o = (struct cap_object){ .type = KR_OBJ_MMIO, .ops = &mmio_ops, .base = base,
				  .count = npages };
	err = cap_mint(&kernel_domain.cs, mmio_root, to, o, rights, out);
	if (err)
		kfree(o);
	return err;
}

static kr_err_t page_alloc(kr_domain_t *d, size_t npages, uint64_t limit, bool dma,
			   kr_cap_t *out)
{
	struct page_obj *p;
	kr_err_t err;

	if (!domain_ok(d) || !out || npages == 0 || npages > MAX_PAGES)
		return KR_EINVAL;
	p = kcalloc(1, sizeof(*p));
	if (!p)
		return KR_ENOMEM;
	p->o.type = KR_OBJ_PAGES;
	p->o.ops = &page_ops;
	p->o.count = npages;
	p->dma = dma;
	err = pmm_alloc_below(npages, limit, &p->o.base);
	if (err)
		goto free_obj;
	err = cap_create(&d->cs, &p->o, KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC |
			 KR_RIGHT_GRANT, out);
	if (err)
		goto free_pages;
	return KR_OK;
free_pages:
	pmm_free(p->o.base, npages);
free_obj:
	kfree(p);
	return err;
}

kr_err_t kr_page_alloc(kr_domain_t *d, size_t npages, kr_cap_t *out)
{
	return page_alloc(d, npages, UINT64_MAX, false, out);
}

kr_err_t kr_dma_alloc(kr_domain_t *d, size_t npages, uint32_t flags, kr_cap_t *out)
{
	if (flags & ~KR_DMA_32BIT)
		return KR_EINVAL;
	return page_alloc(d, npages, flags & KR_DMA_32BIT ? 1ull << 32 : UINT64_MAX, true, out);
}

kr_err_t kr_page_phys(kr_domain_t *d, kr_cap_t c, uint64_t *phys)
{
	struct cap_slot *s;
	kr_err_t err = domain_ok(d) && phys ? cap_lookup(&d->cs, c, KR_OBJ_PAGES, 0, &s) : KR_EINVAL;

	if (err)
		return err;
	if (s->obj->ops != &page_ops || !((struct page_obj *)s->obj)->dma)
		return KR_EPERM;        /* boot modules and plain pages keep it */
	*phys = s->obj->base;
	return KR_OK;
}

/* Map s's object (looked up and checked by the caller) into the window. */
static kr_err_t map_slot(struct cap_slot *s, unsigned flags, void **va)
{
	uint64_t v;
	kr_err_t err;

	if (s->state)
		return KR_EALREADY;
	if ((err = win_alloc(s->obj->count, &v)))
		return err;
	err = vmm_map(NULL, v, s->obj->base, s->obj->count, flags);
	if (err) {
		win_set((v - MAPWIN_BASE) / PAGE_SIZE, s->obj->count, false);
		return err;
	}
	s->state = v;
	*va = (void *)v;
	return KR_OK;
}

kr_err_t kr_page_map(kr_domain_t *d, kr_cap_t c, uint32_t prot, void **va)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d) || !va || (prot & ~(KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC)))
		return KR_EINVAL;
	if ((prot & KR_RIGHT_WRITE) && (prot & KR_RIGHT_EXEC))
		return KR_EPERM;        /* W^X, whatever the rights allow */
	err = cap_lookup(&d->cs, c, KR_OBJ_PAGES, prot | KR_RIGHT_READ, &s);
	if (err)
		return err;
	return map_slot(s, (prot & KR_RIGHT_WRITE ? VMM_WRITE : 0) |
			(prot & KR_RIGHT_EXEC ? VMM_EXEC : 0), va);
}

kr_err_t kr_mmio_map(kr_domain_t *d, kr_cap_t c, volatile void **va)
{
	struct cap_slot *s;
	kr_err_t err = domain_ok(d) && va ? cap_lookup(&d->cs, c, KR_OBJ_MMIO, KR_RIGHT_READ, &s)
					  : KR_EINVAL;

	if (err)
		return err;
	return map_slot(s, VMM_NOCACHE | (s->rights & KR_RIGHT_WRITE ? VMM_WRITE : 0),
			(void **)va);
}

kr_err_t kr_page_protect(kr_domain_t *d, kr_cap_t c, size_t first, size_t npages, uint32_t prot)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d) || (prot & ~(KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC)))
		return KR_EINVAL;
	if ((prot & KR_RIGHT_WRITE) && (prot & KR_RIGHT_EXEC))
		return KR_EPERM;
	err = cap_lookup(&d->cs, c, KR_OBJ_PAGES, prot | KR_RIGHT_READ, &s);
	if (err)
		return err;
	if (!s->state)
		return KR_ENOENT;       /* not mapped */
	if (npages == 0 || first >= s->obj->count || npages > s->obj->count - first)
		return KR_ERANGE;
	return vmm_protect(s->state + first * PAGE_SIZE, npages,
			   (prot & KR_RIGHT_WRITE ? VMM_WRITE : 0) |
			   (prot & KR_RIGHT_EXEC ? VMM_EXEC : 0));
}

kr_err_t kr_page_unmap(kr_domain_t *d, kr_cap_t c)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d))
		return KR_EINVAL;
	if ((err = cap_lookup(&d->cs, c, KR_OBJ_PAGES, 0, &s)))
		return err;
	if (!s->state)
		return KR_EALREADY;
	unmap_slot(s);
	return KR_OK;
}
