/*
 * devices.c - what a module needs from the kernel domain, handed over by
 * capability: devices (IRQ lines, I/O ports, device memory) and kernel
 * facilities (power, the kernel log, starting modules with their needs).
 *
 * The kernel domain holds the root of each; a module's descriptor lists
 * its needs, and its starter (kmod, through its KR_SYS_DEVICES capability;
 * the core only for kmod itself) has them given one by one before init
 * (kr_need_grant checks one and mints it).  The rules for a whole list
 * (nothing named twice, all or nothing, the refusal in words) are library
 * code on top of it (kr_module_grant, tcc-runtime/krt/needs.c).  Devices
 * are exclusive, and the derivation tree already says who holds one: the
 * owner of a child of the kernel's root that overlaps.  So there is no
 * table to keep in step: a module's capabilities go with its domain, and
 * the device is free again.  Which module may ask for what is not decided
 * here: an enforcing image loads only the modules its manifest lists.
 */
#include <krt/needs.h>

#include "cap/domain.h"
#include "kernel/panic.h"

#define NFACILITIES (KR_SYS_DEVICES + 1)

static struct cap_object facilities[NFACILITIES];
static kr_cap_t facility_caps[NFACILITIES];
kr_cap_t devices_cap;
static const struct kr_boot_info *boot;

/* The rights each kind of need comes with. */
static const uint32_t need_rights[] = {
	[KR_NEED_IRQ_LINE] = KR_RIGHT_READ | KR_RIGHT_BIND | KR_RIGHT_GRANT,
	[KR_NEED_IOPORTS] = KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_GRANT,
	[KR_NEED_DEVMEM] = KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_GRANT,
	[KR_NEED_FACILITY] = KR_RIGHT_READ | KR_RIGHT_CALL | KR_RIGHT_GRANT,
};

void devices_boot(struct kr_domain *kd, const struct kr_boot_info *bi)
{
	boot = bi;
	for (unsigned f = KR_SYS_POWER; f < NFACILITIES; f++) {
		facilities[f] = (struct cap_object){ .type = KR_OBJ_SYSTEM, .base = f,
						     .name = krt_facility_names[f] };
		if (cap_create(&kd->cs, &facilities[f], need_rights[KR_NEED_FACILITY],
			       &facility_caps[f]) != KR_OK)
			panic("devices: no kernel slot for facility %s", krt_facility_names[f]);
	}
	devices_cap = facility_caps[KR_SYS_DEVICES];
}

kr_err_t sys_check(struct kr_domain *d, kr_cap_t c, enum kr_sys_facility f)
{
	struct cap_slot *s;
	kr_err_t err = domain_ok(d) ? cap_lookup(&d->cs, c, KR_OBJ_SYSTEM, 0, &s) : KR_EINVAL;

	return err ? err : s->obj->base == f ? KR_OK : KR_ETYPE;
}


/* Is n well formed: a known kind and a range that exists? */
static kr_err_t need_check(const struct kr_need *n)
{
	uint64_t lo, hi;

	if (n->kind > KR_NEED_FACILITY || n->count == 0 || n->count > (1ull << 40) || n->reserved)
		return KR_EINVAL;
	krt_need_span(n, &lo, &hi);
	if (n->kind == KR_NEED_IRQ_LINE)
		return n->count == 1 && lo <= KR_IRQ_IDLE && lo != 2 ? KR_OK : KR_ERANGE;
	if (n->kind == KR_NEED_FACILITY)
		return n->count == 1 && lo >= KR_SYS_POWER && lo < NFACILITIES ? KR_OK : KR_ERANGE;
	if (n->kind == KR_NEED_IOPORTS)
		return hi <= 0x10000 ? KR_OK : KR_ERANGE;
	if ((lo & (KR_PAGE_SIZE - 1)) || hi < lo || hi > (1ull << 52))
		return KR_EALIGN;
	for (uint32_t i = 0; i < boot->mmap_count; i++)         /* never RAM */
		if (boot->mmap[i].type == KR_MEM_USABLE && lo < boot->mmap[i].base +
		    boot->mmap[i].length && boot->mmap[i].base < hi)
			return KR_EOVERLAP;
	return KR_OK;
}

/* The name of the domain holding something n overlaps, or NULL if free. */
static const char *holder_of(const struct kr_need *n)
{
	struct cap_slot *root, *c;
	uint64_t lo, hi;
	kr_cap_t rc = n->kind == KR_NEED_IRQ_LINE ? irq_kernel_cap(n->base) :
		      n->kind == KR_NEED_IOPORTS ? ioport_root : mmio_root;

	if (n->kind == KR_NEED_FACILITY || cap_lookup(&kernel_domain.cs, rc, 0, 0, &root))
		return NULL;
	krt_need_span(n, &lo, &hi);
	for (c = root->first_child; c; c = c->next_sibling) {
		uint64_t end = c->obj->base + c->obj->count *
			       (n->kind == KR_NEED_DEVMEM ? KR_PAGE_SIZE : 1);

		if (n->kind == KR_NEED_IRQ_LINE || (c->obj->base < hi && lo < end))
			return c->owner->name;
	}
	return NULL;
}

static kr_err_t need_give(struct kr_domain *m, const struct kr_need *n, kr_cap_t *out)
{
	uint32_t rights = need_rights[n->kind];

	switch (n->kind) {
	case KR_NEED_IRQ_LINE:
		return cap_derive(&kernel_domain.cs, irq_kernel_cap(n->base), &m->cs, rights, out);
	case KR_NEED_IOPORTS:
		return ioport_mint(&kernel_domain, ioport_root, &m->cs, n->base, n->count, rights, out);
	case KR_NEED_DEVMEM:
		return mmio_mint(&m->cs, n->base, (n->count + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE,
				 rights, out);
	default:
		return cap_derive(&kernel_domain.cs, facility_caps[n->base], &m->cs, rights, out);
	}
}

/* Decode everything (kind 0, KR_NEED_NONE, ends a list and is no need),
 * then mint: a refusal gives nothing. */
kr_err_t kr_need_grant(kr_domain_t *d, kr_cap_t c, kr_domain_t *m, uint32_t index,
		       const struct kr_need *n, const char **holder)
{
	const char *who = NULL;
	kr_err_t err = domain_ok(m) && n && n->kind && index < KR_MODULE_NEEDS_MAX ?
		       sys_check(d, c, KR_SYS_DEVICES) : KR_EINVAL;

	if (!err)
		err = m->creator != d ? KR_EPERM : need_check(n);
	if (!err && (who = holder_of(n)) != NULL && holder)
		*holder = who;
	return err ? err : who ? KR_EBUSY : need_give(m, n, &m->needs[index]);
}

/* What was given as need index, while m still holds it: a starter takes a
 * list's needs back by deleting them when a later one is refused. */
kr_err_t kr_need_cap(kr_domain_t *self, uint32_t index, kr_cap_t *out)
{
	if (!domain_ok(self) || !out)
		return KR_EINVAL;
	if (index >= KR_MODULE_NEEDS_MAX || cap_lookup(&self->cs, self->needs[index], 0, 0, NULL))
		return KR_ENOENT;
	*out = self->needs[index];
	return KR_OK;
}
