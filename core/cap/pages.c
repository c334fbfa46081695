/*
 * pages.c - raw page capabilities.
 *
 * A PAGES object is a run of physically contiguous pages from the page
 * allocator (zeroed there, so nothing leaks between owners).  Each
 * capability to it may map it once into the page-capability window of the
 * kernel address space; the mapping belongs to that capability (slot
 * state = its address) and goes away with it.  The window's page tables are
 * made at boot, so mapping never allocates and page counts stay exact.
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
};

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
	if (vmm_unmap(s->state, s->obj->count) != KR_OK)
		panic("pages: capability %#x lost its mapping", cap_handle(s));
	win_set((s->state - MAPWIN_BASE) / PAGE_SIZE, s->obj->count, false);
	s->state = 0;
}

static void pages_removed(struct cap_object *o, struct cap_slot *s)
{
	(void)o;
	if (s->state)
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

static const struct cap_object_ops page_ops = { pages_destroy, pages_removed };

void pages_boot(void)
{
	if (vmm_prepare(MAPWIN_BASE, MAPWIN_PAGES) != KR_OK)
		panic("pages: no memory for the page-capability window");
}

kr_err_t kr_page_alloc(kr_domain_t *d, size_t npages, kr_cap_t *out)
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
	err = pmm_alloc(npages, &p->o.base);
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

kr_err_t kr_page_map(kr_domain_t *d, kr_cap_t c, uint32_t prot, void **va)
{
	struct cap_slot *s;
	uint64_t v;
	kr_err_t err;

	if (!domain_ok(d) || !va || (prot & ~(KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC)))
		return KR_EINVAL;
	if ((prot & KR_RIGHT_WRITE) && (prot & KR_RIGHT_EXEC))
		return KR_EPERM;        /* W^X, whatever the rights allow */
	err = cap_lookup(&d->cs, c, KR_OBJ_PAGES, prot | KR_RIGHT_READ, &s);
	if (err)
		return err;
	if (s->state)
		return KR_EALREADY;
	err = win_alloc(s->obj->count, &v);
	if (err)
		return err;
	err = vmm_map(v, s->obj->base, s->obj->count,
		      (prot & KR_RIGHT_WRITE ? VMM_WRITE : 0) | (prot & KR_RIGHT_EXEC ? VMM_EXEC : 0));
	if (err) {
		win_set((v - MAPWIN_BASE) / PAGE_SIZE, s->obj->count, false);
		return err;
	}
	s->state = v;
	*va = (void *)v;
	return KR_OK;
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
	err = cap_lookup(&d->cs, c, KR_OBJ_PAGES, 0, &s);
	if (err)
		return err;
	if (!s->state)
		return KR_EALREADY;
	unmap_slot(s);
	return KR_OK;
}
