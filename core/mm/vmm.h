/*
 * vmm.h - the kernel address space: page-granular map, unmap, protect.
 *
 * Permissions are always W^X: a page may be writable or executable, never
 * both, and asking for both is refused (KR_EPERM).  Readable is implied.
 */
#ifndef KARYON_VMM_H
#define KARYON_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/boot_info.h>
#include <karyon/err.h>

#define VMM_WRITE   (1u << 0)
#define VMM_EXEC    (1u << 1)
#define VMM_NOCACHE (1u << 2)   /* device memory */
#define VMM_USER    (1u << 3)   /* reachable from user mode */
#define USER_TOP    0x800000000000ull

void vmm_init(const struct kr_boot_info *bi);
/* pt: a user address space's tables (lower half), or NULL: the kernel's. */
kr_err_t vmm_map(uint64_t *pt, uint64_t va, uint64_t pa, size_t npages, unsigned flags);
kr_err_t vmm_unmap(uint64_t *pt, uint64_t va, size_t npages);
kr_err_t vmm_protect(uint64_t va, size_t npages, unsigned flags);
/* Create the page tables for [va, va + npages pages) now, so mapping there
 * later never allocates (and page counts stay exact across map/unmap). */
kr_err_t vmm_prepare(uint64_t va, size_t npages);
/* User address spaces: new tables sharing the kernel half, freeing them,
 * and the physical address a user access to va reaches (0: none). */
kr_err_t vmm_user_create(uint64_t **pt);
void vmm_user_destroy(uint64_t *pt);
uint64_t vmm_user_phys(uint64_t *pt, uint64_t va, bool write);

/* Physical memory through the direct map. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(0xffff800000000000ull + pa);
}

#endif
