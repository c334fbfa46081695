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

#include <krt/kheap_owner.h>

#include "cap/cap.h"

#define DOMAIN_MAGIC 0x4e4d4f44u /* "DOMN" */

struct kr_domain {
	uint32_t magic;         /* DOMAIN_MAGIC while alive */
	char name[32];
	struct cspace cs;
	struct kr_domain *creator;      /* may destroy it; NULL for static ones */
	struct kheap_owner heap;        /* kr_malloc blocks, freed with the domain */
};

extern struct kr_domain kernel_domain;

kr_err_t domain_init(struct kr_domain *d, const char *name, uint32_t nslots);
void domain_destroy(struct kr_domain *d);      /* revokes and deletes all it holds */
/* The kernel domain and boot-time objects (IRQ lines, ports, boot modules). */
void domain_boot(const struct kr_boot_info *bi);
void modules_builtin_start(void);              /* init every built-in module */

static inline bool domain_ok(const struct kr_domain *d)
{
	return d && d->magic == DOMAIN_MAGIC;
}

/* Boot-time objects, created into the kernel domain by domain_boot. */
void irq_boot(struct kr_domain *kd);
void ioport_boot(struct kr_domain *kd);
void pages_boot(void);
uint64_t irq_count(unsigned line);
kr_cap_t irq_kernel_cap(unsigned line);       /* the kernel domain's capability */

#endif
