/*
 * domain.c - domains, and the ABI entry points for capability operations.
 *
 * Every kr_* entry here validates the domain pointers and arguments, then
 * hands over to cap.c, which does its own checks before changing anything.
 */
#include <krt/kheap.h>
#include <krt/string.h>

#include <karyon/heap.h>
#include <karyon/module.h>

#include "cap/domain.h"
#include "arch/x86_64/layout.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "mm/pmm.h"

#define KERNEL_SLOTS 256

struct kr_domain kernel_domain;

kr_err_t domain_init(struct kr_domain *d, const char *name, uint32_t nslots)
{
	static uint32_t next_id;        /* in creation order: the same on every boot */
	kr_err_t err;

	if (!d || !name || strnlen(name, sizeof(d->name)) >= sizeof(d->name))
		return KR_EINVAL;
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, strlen(name) + 1);
	if ((err = cspace_init(&d->cs, d->name, nslots)))
		return err;
	d->magic = DOMAIN_MAGIC;
	d->id = ++next_id;
	return KR_OK;
}

uint32_t kr_domain_id(kr_domain_t *d)
{
	return domain_ok(d) ? d->id : 0;
}

/* Boot modules: read-only page objects over memory the page allocator
 * never owned, so their destroy has nothing to give back. */
static struct bootmod {
	struct cap_object o;    /* base, count: the pages holding the file */
	uint64_t offset, size;
	kr_cap_t cap;           /* the kernel domain's */
} bootmods[KR_BOOT_MODULES_MAX];
static uint32_t nbootmods;
static const struct kr_boot_info *boot;

static void bootmods_boot(void)
{
	for (uint32_t i = 0; i < boot->module_count; i++) {
		const struct kr_boot_module *m = &boot->modules[i];
		struct bootmod *b = &bootmods[nbootmods];
		uint64_t first = m->start & ~(uint64_t)(PAGE_SIZE - 1);

		if (m->end <= m->start) {       /* said here; kmod lists the rest */
			pr_err("boot: module '%s' is empty (0 bytes); ignored\n",
			       m->cmdline[0] ? m->cmdline : "(unnamed)");
			continue;
		}
		b->o = (struct cap_object){ .type = KR_OBJ_PAGES, .base = first,
			.count = (m->end - first + PAGE_SIZE - 1) / PAGE_SIZE, .name = m->cmdline };
		b->offset = m->start - first;
		b->size = m->end - m->start;
		if (cap_create(&kernel_domain.cs, &b->o, KR_RIGHT_READ | KR_RIGHT_GRANT,
			       &b->cap) != KR_OK)
			panic("domain: no kernel slot for boot module %u", i);
		nbootmods++;
	}
}

void domain_boot(const struct kr_boot_info *bi)
{
	boot = bi;
	if (domain_init(&kernel_domain, "kernel", KERNEL_SLOTS) != KR_OK)
		panic("domain: cannot create the kernel domain");
	pages_boot(&kernel_domain);
	irq_boot(&kernel_domain);
	ioport_boot(&kernel_domain);
	devices_boot(&kernel_domain, bi);
	bootmods_boot();
}

kr_err_t kr_boot_module(kr_domain_t *d, uint32_t index, kr_cap_t *out,
			struct kr_boot_module_info *info)
{
	const struct bootmod *b = &bootmods[index < nbootmods ? index : 0];
	kr_err_t err;

	if (!domain_ok(d) || !out || !info)
		return KR_EINVAL;
	if (index >= nbootmods)
		return KR_ENOENT;
	if ((err = cap_derive(&kernel_domain.cs, b->cap, &d->cs, KR_RIGHT_READ, out)))
		return err;
	*info = (struct kr_boot_module_info){ .version = KR_BOOT_MODULE_INFO_VERSION,
		.offset = b->offset, .size = b->size };
	memcpy(info->name, b->o.name, sizeof(info->name));
	return KR_OK;
}

const char *kr_cmdline(void)
{
	return boot->cmdline;
}

const uint8_t *kr_acpi_rsdp(size_t *len)
{
	*len = boot->rsdp_len;
	return boot->rsdp;
}

/* Built-in modules: descriptors gathered by the linker script, in link
 * order (at most 16: the script checks), and the domains their starter
 * made for them. */
#define NBUILTIN ((uint32_t)(__builtin_modules_end - __builtin_modules_start))
extern const struct kr_module_info __builtin_modules_start[], __builtin_modules_end[];
static struct kr_domain *builtin_domains[16];

kr_err_t kr_builtin_module(kr_domain_t *d, uint32_t index, const struct kr_module_info **info,
			   bool *running, kr_cap_t *view)
{
	struct kr_domain *m;
	kr_err_t err;

	if (!info || !running || (view && !domain_ok(d)))
		return KR_EINVAL;
	if (index >= NBUILTIN)
		return KR_ENOENT;
	m = builtin_domains[index];
	err = !view ? KR_OK : !m ? KR_ENOENT :
	      cap_derive(&kernel_domain.cs, m->view_root, &d->cs, KR_RIGHT_READ, view);
	if (err)
		return err;
	*info = &__builtin_modules_start[index];
	*running = m != NULL;
	return KR_OK;
}

kr_err_t kr_builtin_domain(kr_domain_t *d, kr_cap_t c, uint32_t index, kr_domain_t **out)
{
	struct kr_domain *m;
	kr_err_t err = !out ? KR_EINVAL : index >= NBUILTIN ? KR_ENOENT :
		       builtin_domains[index] ? KR_EALREADY : sys_check(d, c, KR_SYS_DEVICES);

	if (err || (err = kr_domain_create(d, __builtin_modules_start[index].name, 256, &m)))
		return err;
	/* The kernel domain holds its boot capabilities and a view of each
	 * built-in at most: a full table is a kernel bug.  base: the index. */
	m->view = (struct cap_object){ .type = KR_OBJ_MODULE, .base = index, .name = m->name };
	if (cap_create(&kernel_domain.cs, &m->view, KR_RIGHT_READ | KR_RIGHT_GRANT, &m->view_root))
		panic("domain: no kernel slot for the view of %s", m->name);
	*out = builtin_domains[index] = m;
	return KR_OK;
}

/* The first built-in module is the starter (tools/profile.py makes it
 * kmod, after reading its descriptor): started here with its needs, it
 * starts the others.  Which of them start, in what order, and what is said
 * when one cannot, is its business.  A starter that fails keeps its domain:
 * the domains it made name it as their creator. */
void modules_start(void)
{
	const struct kr_module_info *m = __builtin_modules_start;
	struct kr_domain *d;
	kr_err_t err;

	if (!NBUILTIN)
		return;
	err = kr_builtin_domain(&kernel_domain, devices_cap, 0, &d);
	for (uint32_t i = 0; !err && i < KR_MODULE_NEEDS_MAX && m->needs[i].kind; i++)
		err = kr_need_grant(&kernel_domain, devices_cap, d, i, &m->needs[i], NULL);
	if (!err && m->init)
		err = m->init(d);
	if (err)
		pr_err("modules: built-in %s failed to start: %s\n", m->name, kr_strerror(err));
}

kr_err_t kr_domain_create(kr_domain_t *self, const char *name, uint32_t nslots,
			  kr_domain_t **out)
{
	struct kr_domain *d;
	kr_err_t err;

	if (!domain_ok(self) || !out)
		return KR_EINVAL;
	d = kcalloc(1, sizeof(*d));
	if (!d)
		return KR_ENOMEM;
	err = domain_init(d, name, nslots);
	if (err) {
		kfree(d);
		return err;
	}
	d->creator = self;
	*out = d;
	return KR_OK;
}

static struct watch {
	struct kr_domain *watcher;
	uint32_t id;
	kr_domain_gone_fn fn;
	void *ctx;
} watches[32];

kr_err_t kr_domain_watch(kr_domain_t *watcher, uint32_t id, kr_domain_gone_fn fn, void *ctx)
{
	if (!domain_ok(watcher) || !id || !fn)
		return KR_EINVAL;
	for (int i = 0; i < 32; i++)
		if (!watches[i].fn) {
			watches[i] = (struct watch){ watcher, id, fn, ctx };
			return KR_OK;
		}
	return KR_ENOSPC;
}

/* d is going: tell its watchers, and drop the watches d held or was under. */
static void watch_gone(struct kr_domain *d)
{
	for (int i = 0; i < 32; i++) {
		if (watches[i].fn && watches[i].id == d->id)
			watches[i].fn(watches[i].ctx, d->id);
		if (watches[i].id == d->id || watches[i].watcher == d)
			watches[i].fn = NULL;
	}
}

kr_err_t kr_domain_busy(kr_domain_t *d)
{
	if (!domain_ok(d))
		return KR_EINVAL;
	return cspace_lends(&d->cs) ? KR_EBUSY : KR_OK;
}

kr_err_t kr_domain_destroy(kr_domain_t *self, kr_domain_t *d)
{
	if (!domain_ok(self) || !domain_ok(d))
		return KR_EINVAL;
	if (d->creator != self)
		return KR_EPERM;
	if (cspace_lends(&d->cs))
		return KR_EBUSY;
	watch_gone(d);
	if (d->view_root) {             /* a built-in: every view of it dies first */
		cap_revoke(&kernel_domain.cs, d->view_root);
		cap_delete(&kernel_domain.cs, d->view_root);
		builtin_domains[d->view.base] = NULL;
	}
	cspace_destroy(&d->cs);
	if (d->heap.blocks)
		pr_info("domain %s: freed %llu heap blocks it left behind\n", d->name,
			(unsigned long long)kheap_owner_release(&d->heap));
	d->magic = 0;
	kfree(d);
	return KR_OK;
}

void *kr_malloc(kr_domain_t *d, size_t n)
{
	return domain_ok(d) ? kheap_owner_alloc(&d->heap, n) : NULL;
}

void *kr_realloc(kr_domain_t *d, void *p, size_t n)
{
	return domain_ok(d) ? kheap_owner_realloc(&d->heap, p, n) : NULL;
}

kr_err_t kr_free(kr_domain_t *d, void *p)
{
	return domain_ok(d) ? kheap_owner_free(&d->heap, p) : KR_EINVAL;
}

kr_err_t kr_cap_info(kr_domain_t *d, kr_cap_t c, struct kr_cap_info *out)
{
	return domain_ok(d) ? cap_info(&d->cs, c, out) : KR_EINVAL;  /* out: cap_info checks it */
}

kr_err_t kr_cap_derive(kr_domain_t *d, kr_cap_t c, kr_domain_t *to, uint32_t rights,
		       kr_cap_t *out)
{
	return domain_ok(d) && domain_ok(to) ? cap_derive(&d->cs, c, &to->cs, rights, out) :
	       KR_EINVAL;
}

kr_err_t kr_cap_revoke(kr_domain_t *d, kr_cap_t c)
{
	return domain_ok(d) ? cap_revoke(&d->cs, c) : KR_EINVAL;
}

kr_err_t kr_cap_delete(kr_domain_t *d, kr_cap_t c)
{
	return domain_ok(d) ? cap_delete(&d->cs, c) : KR_EINVAL;
}

kr_err_t kr_cap_list(kr_domain_t *d, kr_cap_t target, uint32_t index, struct kr_cap_entry *out)
{
	struct cap_slot *s = NULL;
	kr_err_t err = !domain_ok(d) || !out ? KR_EINVAL :
		       target ? cap_lookup(&d->cs, target, KR_OBJ_MODULE, KR_RIGHT_READ, &s) : KR_OK;

	if (err)
		return err;
	if (s)          /* a view is embedded in the domain it shows */
		d = (struct kr_domain *)((char *)s->obj - offsetof(struct kr_domain, view));
	return cap_list(&d->cs, index, out);
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
