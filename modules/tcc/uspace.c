/*
 * uspace.c - handlers' address spaces.
 *
 * The user-mode C library (ulib/, carried as an ELF object) is linked once,
 * at the first cc, for ULIB_BASE; its text and read-only data are shared
 * by every handler's address space, its data is each handler's own copy.
 * A handler is linked for HANDLER_BASE into pages of its domain, which the
 * kernel keeps mapped too (to reset its data before each run).  Its
 * address space (low half, user mode):
 *
 *   0 .. ULIB_BASE           nothing (NULL dereferences fault)
 *   ULIB_BASE                library text r-x, ro r--, data rw-
 *   HANDLER_BASE             handler text r-x, ro r--, data and bss rw-
 *   ULIB_HEAP_BASE           the heap, rw-: mapped as malloc asks, per run
 *   USTACK_TOP - USTACK_MAX  the stack, rw-: its top page (argv) the
 *                            handler's, the rest mapped as it grows, per
 *                            run; nothing below it (an overflow faults)
 *
 * The upper half is the kernel's and unreachable from user mode.  The run
 * (run.c) maps the heap and stack into the run's own domain, so they go
 * when the run does.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/uspace.h>
#include <krt/libc.h>
#include "grants.h"
#include "tcc.h"
#include "ulib/ulib.h"

struct ulib tcc_ulib_img;

void *pages_for(kr_domain_t *d, size_t size, kr_cap_t *cap)
{
	void *va;

	if (kr_page_alloc(d, size / KR_PAGE_SIZE, cap) != KR_OK)
		return NULL;
	if (kr_page_map(d, *cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va) != KR_OK) {
		kr_cap_delete(d, *cap);
		return NULL;
	}
	return va;
}

static void *ulib_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return pages_for(tcc_self, size, &tcc_ulib_img.cap);
}

static void ulib_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)p;
	(void)size;
	kr_cap_delete(tcc_self, tcc_ulib_img.cap);
}

static kr_err_t ulib_nothing(void *ctx, const char *name, uint64_t *addr)
{
	(void)ctx;
	(void)name;
	(void)addr;
	return KR_ENOENT;               /* the library needs nothing from outside */
}

/* Every name of the grant table, and the three the kernel uses itself. */
static kr_err_t ulib_defined(void *ctx, const char *name, uint64_t addr)
{
	struct ulib *u = ctx;
	const struct grant_call *c;

	if (!strcmp(name, "__karyon_start"))
		u->start = addr;
	else if (!strcmp(name, "__karyon_out"))
		u->out = addr;
	else if (!strcmp(name, "__karyon_t_main"))
		u->t_main = addr;
	else if (!strcmp(name, "__karyon_event"))
		u->ev_start = addr;
	else if (!strcmp(name, "__karyon_method"))
		u->method = addr;
	else if (grant_lookup(name, ~0u, &c) == KR_OK && c->nr < sizeof(u->addr) / sizeof(u->addr[0]))
		u->addr[c->nr] = addr;
	return KR_OK;
}

kr_err_t ulib_load(char *err, size_t len)
{
	struct ulib *u = &tcc_ulib_img;
	struct kr_kmod_link how = { .version = KR_KMOD_LINK_VERSION, .ctx = u, .alloc = ulib_alloc,
		.free = ulib_free, .resolve = ulib_nothing, .entry = "__karyon_start",
		.link_addr = ULIB_BASE, .defined = ulib_defined };
	kr_err_t e;

	if (u->ready)
		return KR_OK;
	e = tcc_kmod->link(tcc_ulib, tcc_ulib_size, &how, &u->img, err, len);
	if (e)
		return e;
	for (unsigned i = 0; i < grant_ncalls; i++)
		if (!u->addr[grant_calls[i].nr]) {
			ksnprintf(err, len, "the handler library has no %s", grant_calls[i].name);
			e = KR_ENOENT;
		}
	u->data_copy = kr_malloc(tcc_self, u->img.data_size ? u->img.data_size : 1);
	if (!e && (!u->data_copy || !u->start || !u->out || !u->t_main || !u->ev_start || !u->method)) {
		ksnprintf(err, len, "%s", u->data_copy ? "the handler library has no entry" :
			  "out of memory");
		e = u->data_copy ? KR_ENOENT : KR_ENOMEM;
	}
	if (e) {
		kr_free(tcc_self, u->data_copy);
		kr_cap_delete(tcc_self, u->cap);
		*u = (struct ulib){ 0 };
		return e;
	}
	memcpy(u->data_copy, u->img.base + u->img.data_off, u->img.data_size);
	u->ready = true;
	return KR_OK;
}

/* Map the three regions of an image linked for base from page capability c. */
static kr_err_t map_image(struct handler *h, kr_cap_t c, const struct kr_kmod_linked *img,
			  uint64_t base, bool data)
{
	const struct { uint64_t off, size; uint32_t prot; } r[3] = {
		{ img->text_off, img->text_size, KR_RIGHT_READ | KR_RIGHT_EXEC },
		{ img->ro_off, img->ro_size, KR_RIGHT_READ },
		{ img->data_off, img->data_size, KR_RIGHT_READ | KR_RIGHT_WRITE },
	};
	kr_err_t e = KR_OK;

	for (int i = 0; i < (data ? 3 : 2) && !e; i++)
		if (r[i].size)
			e = kr_as_map(h->dom, h->as, c, r[i].off / KR_PAGE_SIZE,
				      r[i].size / KR_PAGE_SIZE, base + r[i].off, r[i].prot);
	return e;
}

/* h's address space: the shared library, its own copy of the library's
 * data, and its image.  Everything lives in h->dom and goes with it. */
kr_err_t space_build(struct handler *h)
{
	const struct ulib *u = &tcc_ulib_img;
	kr_cap_t shared;
	kr_err_t e = kr_as_create(h->dom, AS_SLOTS, &h->as);

	if (!e)
		e = kr_cap_derive(tcc_self, u->cap, h->dom, KR_RIGHT_READ | KR_RIGHT_EXEC |
				  KR_RIGHT_GRANT, &shared);
	if (!e)
		e = map_image(h, shared, &u->img, ULIB_BASE, false);
	if (!e && u->img.data_size) {
		h->ulib_data_kva = pages_for(h->dom, u->img.data_size, &h->ulib_data);
		e = h->ulib_data_kva ? kr_as_map(h->dom, h->as, h->ulib_data, 0,
						 u->img.data_size / KR_PAGE_SIZE,
						 ULIB_BASE + u->img.data_off,
						 KR_RIGHT_READ | KR_RIGHT_WRITE) : KR_ENOMEM;
	}
	if (!e)
		e = map_image(h, h->img_cap, &h->img, HANDLER_BASE, true);
	if (!e) {
		h->stack_top_kva = pages_for(h->dom, KR_PAGE_SIZE, &h->stack_top);
		e = h->stack_top_kva ? kr_as_map(h->dom, h->as, h->stack_top, 0, 1,
						 USTACK_TOP - KR_PAGE_SIZE,
						 KR_RIGHT_READ | KR_RIGHT_WRITE) : KR_ENOMEM;
	}
	if (!e)
		space_reset(h, false);
	return e;
}

void space_reset(struct handler *h, bool keep_data)
{
	const struct ulib *u = &tcc_ulib_img;

	if (!keep_data) {
		memcpy(h->img.base + h->img.data_off, h->data_copy, h->img.data_size);
		h->warm = false;
	}
	if (h->ulib_data_kva)
		memcpy(h->ulib_data_kva, u->data_copy, u->img.data_size);
	memset(h->stack_top_kva, 0, KR_PAGE_SIZE);
}
