/*
 * domain.c - domains, and the ABI entry points for capability operations.
 *
 * Every kr_* entry here validates the domain pointers and arguments, then
 * hands over to cap.c, which does its own checks before changing anything.
 */
#include <krt/fmt.h>
#include <krt/kheap.h>
#include <krt/string.h>

#include "cap/domain.h"
#include "kernel/panic.h"
#include "mm/pmm.h"

#define KERNEL_SLOTS 256

struct kr_domain kernel_domain;

kr_err_t domain_init(struct kr_domain *d, const char *name, uint32_t nslots)
{
	kr_err_t err;

	if (!d || !name || strnlen(name, sizeof(d->name)) >= sizeof(d->name))
		return KR_EINVAL;
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, strlen(name) + 1);
	err = cspace_init(&d->cs, d->name, nslots);
	if (err)
		return err;
	d->magic = DOMAIN_MAGIC;
	return KR_OK;
}

void domain_destroy(struct kr_domain *d)
{
	if (!domain_ok(d) || d == &kernel_domain)
		panic("domain_destroy: %p is not a live module domain", (void *)d);
	cspace_destroy(&d->cs);
	d->magic = 0;
}

void domain_boot(void)
{
	if (domain_init(&kernel_domain, "kernel", KERNEL_SLOTS) != KR_OK)
		panic("domain: cannot create the kernel domain");
	pages_boot();
	irq_boot(&kernel_domain);
	ioport_boot(&kernel_domain);
}

kr_err_t kr_cap_info(kr_domain_t *d, kr_cap_t c, struct kr_cap_info *out)
{
	if (!domain_ok(d) || !out)
		return KR_EINVAL;
	return cap_info(&d->cs, c, out);
}

kr_err_t kr_cap_derive(kr_domain_t *d, kr_cap_t c, kr_domain_t *to, uint32_t rights,
		       kr_cap_t *out)
{
	if (!domain_ok(d) || !domain_ok(to) || !out)
		return KR_EINVAL;
	return cap_derive(&d->cs, c, &to->cs, rights, out);
}

kr_err_t kr_cap_revoke(kr_domain_t *d, kr_cap_t c)
{
	return domain_ok(d) ? cap_revoke(&d->cs, c) : KR_EINVAL;
}

kr_err_t kr_cap_delete(kr_domain_t *d, kr_cap_t c)
{
	return domain_ok(d) ? cap_delete(&d->cs, c) : KR_EINVAL;
}

kr_err_t kr_cap_dump(kr_domain_t *d, kr_print_fn print, void *ctx)
{
	if (!domain_ok(d) || !print)
		return KR_EINVAL;
	cap_dump(&d->cs, print, ctx);
	return KR_OK;
}

void kr_mem_stats(struct kr_mem_stats *out)
{
	struct pmm_stats p;
	struct kheap_stats h;

	pmm_get_stats(&p);
	kheap_get_stats(&h);
	*out = (struct kr_mem_stats){
		.version = KR_MEM_STATS_VERSION,
		.total_pages = p.total_pages, .free_pages = p.free_pages,
		.heap_bytes = h.bytes_in_use, .heap_blocks = h.live_allocs,
		.heap_pages = h.pages_held,
	};
}
