/*
 * builtin.h - kmod as the starter of the kernel's other built-in modules.
 */
#ifndef KMOD_BUILTIN_H
#define KMOD_BUILTIN_H

#include <karyon/cap.h>

/* Start every built-in module not running yet (all but kmod), once, in
 * link order; devices is kmod's KR_SYS_DEVICES capability. */
void builtin_start_all(kr_domain_t *self, kr_cap_t devices);

#endif
