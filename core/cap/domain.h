/*
 * domain.h - protection domains: a name and a capability space.
 *
 * The kernel domain is created at boot and holds the original capability
 * of every boot-time object (IRQ lines, the I/O-port space); modules get
 * domains from the module loader and capabilities derived from these.
 */
#ifndef KARYON_DOMAIN_H
#define KARYON_DOMAIN_H

#include <stdbool.h>
#include <karyon/boot_info.h>
#include <karyon/cap.h>
#include <karyon/module.h>

#include <krt/kheap_owner.h>

#include "cap/cap.h"

#define DOMAIN_MAGIC 0x4e4d4f44u /* "DOMN" */

struct kr_domain {
	uint32_t magic;         /* DOMAIN_MAGIC while alive */
	char name[32];
	struct cspace cs;
	uint32_t id;                    /* what kr_domain_id tells: never reused */
	struct kr_domain *creator;      /* may destroy it; NULL for static ones */
	struct kheap_owner heap;        /* kr_malloc blocks, freed with the domain */
	struct cap_object view;         /* KR_OBJ_MODULE: what kr_cap_list may show */
	kr_cap_t view_root;             /* the kernel domain's, or KR_CAP_NULL */
	kr_cap_t needs[KR_MODULE_NEEDS_MAX];    /* kr_need_grant's, in .needs order */
};

extern struct kr_domain kernel_domain;

kr_err_t domain_init(struct kr_domain *d, const char *name, uint32_t nslots);
/* The kernel domain and boot-time objects (IRQ lines, ports, boot modules). */
void domain_boot(const struct kr_boot_info *bi);
void modules_start(void);       /* the starter: the first built-in, kmod */

static inline bool domain_ok(const struct kr_domain *d)
{
	return d && d->magic == DOMAIN_MAGIC;
}

/* Boot-time objects, created into the kernel domain by domain_boot. */
void irq_boot(struct kr_domain *kd);
void ioport_boot(struct kr_domain *kd);
void pages_boot(struct kr_domain *kd);
void devices_boot(struct kr_domain *kd, const struct kr_boot_info *bi);
uint64_t irq_count(unsigned line);
/* The kernel domain's root capabilities, for the module starter (devices.c). */
kr_cap_t irq_kernel_cap(unsigned line);
extern kr_cap_t ioport_root, mmio_root;
extern kr_cap_t devices_cap;                  /* the kernel's KR_SYS_DEVICES */
/* A child of d's IOPORT capability c in `to` for [base, base + count). */
kr_err_t ioport_mint(struct kr_domain *d, kr_cap_t c, struct cspace *to, uint32_t base,
		     uint32_t count, uint32_t rights, kr_cap_t *out);
/* A child of the kernel's device-memory root in `to`, npages from base. */
kr_err_t mmio_mint(struct cspace *to, uint64_t base, uint64_t npages, uint32_t rights,
		   kr_cap_t *out);
/* If s is an address space's capability for a mapping (user.c): unmap it
 * and return true. */
bool aspace_unmap(struct cap_slot *s);
/* KR_OK if c is d's capability to the kernel facility f. */
kr_err_t sys_check(struct kr_domain *d, kr_cap_t c, enum kr_sys_facility f);

#endif
