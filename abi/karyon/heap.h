/*
 * heap.h - memory for modules, charged to the module's domain.
 *
 * Blocks are 16-byte aligned.  A domain may free only its own blocks
 * (KR_EFOREIGN otherwise); whatever it still holds when it is destroyed
 * (a module unloaded or failing its init) is freed then, and the kernel log
 * says how many blocks it left behind.
 */
#ifndef KARYON_HEAP_H
#define KARYON_HEAP_H

#include <karyon/cap.h>

KR_API(1, 0) void *kr_malloc(kr_domain_t *d, size_t n);
KR_API(1, 0) void *kr_calloc(kr_domain_t *d, size_t nmemb, size_t size);
/* NULL on failure, p untouched; p NULL acts as kr_malloc. */
KR_API(1, 0) void *kr_realloc(kr_domain_t *d, void *p, size_t n);
KR_API(1, 0) kr_err_t kr_free(kr_domain_t *d, void *p);

#endif
