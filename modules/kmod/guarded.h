/*
 * guarded.h - module init and exit as guarded calls (guarded.c).
 */
#ifndef KMOD_GUARDED_H
#define KMOD_GUARDED_H

#include <karyon/module.h>

/* The guard stack, from kmod's init, before any module starts. */
kr_err_t guarded_init(kr_domain_t *kmod);
/* m->init(dom); a fault is reported (naming the module and the offset in
 * [text_lo, text_hi), its code) and returned as KR_EFAULT. */
kr_err_t guarded_call_init(const struct kr_module_info *m, kr_domain_t *dom, uint64_t text_lo,
			   uint64_t text_hi);
/* m->exit(dom); a fault is reported, and the unload goes on. */
void guarded_call_exit(const struct kr_module_info *m, kr_domain_t *dom, uint64_t text_lo,
		       uint64_t text_hi);

#endif
