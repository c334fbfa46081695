/*
 * krt/needs.h - what a module's needs (struct kr_need, <karyon/module.h>)
 * cover and are called: shared by the core, which checks and gives one
 * need at a time (core/cap/devices.c), and kr_module_grant, which gives a
 * whole list and puts refusals in words (tcc-runtime/krt/needs.c).
 */
#ifndef KARYON_KRT_NEEDS_H
#define KARYON_KRT_NEEDS_H

#include <karyon/module.h>

/* The kernel facilities by enum kr_sys_facility: their objects' names. */
extern const char *const krt_facility_names[KR_SYS_DEVICES + 1];

/* [lo, hi) of what n covers: lines, ports or bytes (whole pages), in its
 * kind's unit. */
static inline void krt_need_span(const struct kr_need *n, uint64_t *lo, uint64_t *hi)
{
	*lo = n->base;
	*hi = n->base + (n->kind == KR_NEED_DEVMEM ? (n->count + KR_PAGE_SIZE - 1) & ~0xfffull
						    : n->count);
}

#endif
