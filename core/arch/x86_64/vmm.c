/*
 * vmm.c - x86_64 4-level page tables for the kernel address space.
 *
 * vmm_init builds the final tables and drops the boot ones: the kernel image
 * with per-section permissions (text RX, rodata R, data RW, all 4 KiB pages,
 * stack guard pages left unmapped), and a direct map of physical memory with
 * 2 MiB pages, RW and NX.  After it, address 0 and the low identity map are
 * gone, so NULL dereferences fault.  Page-table pages come from the pmm and
 * are reached through the direct map.
 */
#include <stdbool.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "kernel/panic.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include <krt/string.h>

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_PS    (1ull << 7)
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull
#define HUGE_SIZE (2ull << 20)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __kernel_end[];
extern char __stacks_start[], __stacks_end[];

static uint64_t *pml4;

static uint64_t pte_bits(unsigned flags)
{
	uint64_t b = PTE_P;

	if (flags & VMM_WRITE)
		b |= PTE_W;
	if (!(flags & VMM_EXEC))
		b |= PTE_NX;
	if (flags & VMM_NOCACHE)
		b |= PTE_PCD | PTE_PWT;
	if (flags & VMM_USER)
		b |= PTE_U;
	return b;
}

/* The level-1 entry for va in pt (NULL: the kernel's), creating tables on
 * the way if asked (user-accessible in the lower half); NULL if a table is
 * missing (and !create), out of memory, or va is in a 2 MiB page. */
static uint64_t *walk(uint64_t *pt, uint64_t va, bool create)
{
	uint64_t *t = pt ? pt : pml4;

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_P)) {
			uint64_t pa;

			if (!create || pmm_alloc(1, &pa) != KR_OK)
				return NULL;
			*e = pa | PTE_P | PTE_W | (va < KERNEL_HALF ? PTE_U : 0); /* leaves limit */
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = phys_to_virt(*e & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

static bool mapped(uint64_t *pt, uint64_t va)
{
	uint64_t *e = walk(pt, va, false);

	return e && (*e & PTE_P);
}

/* The kernel's tables map the upper half only, a user pt the lower. */
static kr_err_t check_range(uint64_t *pt, uint64_t va, size_t npages, unsigned flags)
{
	if ((flags & VMM_WRITE) && (flags & VMM_EXEC))
		return KR_EPERM;
	if (va & (PAGE_SIZE - 1))
		return KR_EALIGN;
	if (npages == 0 || npages > (~va >> 12) || (!pt && va < KERNEL_HALF) ||
	    (pt && (va >= USER_TOP || npages > (USER_TOP - va) >> 12)))
		return KR_EINVAL;
	return KR_OK;
}

/* Free the user tables above va that are empty now (an address space
 * holds the tables of what is mapped, no more). */
static void prune(uint64_t *pt, uint64_t va)
{
	for (int depth = 3; depth > 0; depth--) {
		uint64_t *t = pt, *e = NULL;

		for (int d = 0; d < depth; d++) {
			e = &t[(va >> (39 - 9 * d)) & 511];
			if (!(*e & PTE_P))
				return;
			t = phys_to_virt(*e & PTE_ADDR);
		}
		for (int i = 0; i < 512; i++)
			if (t[i])
				return;
		pmm_free(*e & PTE_ADDR, 1);
		*e = 0;
	}
}

kr_err_t vmm_map(uint64_t *pt, uint64_t va, uint64_t pa, size_t npages, unsigned flags)
{
	kr_err_t err = check_range(pt, va, npages, flags);

	if (err)
		return err;
	if (pa & (PAGE_SIZE - 1))
		return KR_EALIGN;
	for (size_t i = 0; i < npages; i++)
		if (mapped(pt, va + i * PAGE_SIZE))
			return KR_EEXIST;
	for (size_t i = 0; i < npages; i++) {
		uint64_t *e = walk(pt, va + i * PAGE_SIZE, true);

		if (!e) {
			if (i)          /* undo, so a failure changes nothing */
				vmm_unmap(pt, va, i);
			else if (pt)
				prune(pt, va);  /* tables made on the way to the first page */
			return KR_ENOMEM;
		}
		*e = (pa + i * PAGE_SIZE) | pte_bits(flags);
	}
	return KR_OK;
}

kr_err_t vmm_unmap(uint64_t *pt, uint64_t va, size_t npages)
{
	kr_err_t err = check_range(pt, va, npages, 0);

	if (err)
		return err;
	for (size_t i = 0; i < npages; i++)
		if (!mapped(pt, va + i * PAGE_SIZE))
			return KR_ENOENT;
	for (size_t i = 0; i < npages; i++) {
		*walk(pt, va + i * PAGE_SIZE, false) = 0;
		invlpg(va + i * PAGE_SIZE);
		if (pt && (i + 1 == npages || !((va + (i + 1) * PAGE_SIZE) & (HUGE_SIZE - 1))))
			prune(pt, va + i * PAGE_SIZE);
	}
	return KR_OK;
}

kr_err_t vmm_protect(uint64_t va, size_t npages, unsigned flags)
{
	kr_err_t err = check_range(NULL, va, npages, flags);

	if (err)
		return err;
	for (size_t i = 0; i < npages; i++)
		if (!mapped(NULL, va + i * PAGE_SIZE))
			return KR_ENOENT;
	for (size_t i = 0; i < npages; i++) {
		uint64_t *e = walk(NULL, va + i * PAGE_SIZE, false);

		*e = (*e & PTE_ADDR) | pte_bits(flags);
		invlpg(va + i * PAGE_SIZE);
	}
	return KR_OK;
}

kr_err_t vmm_prepare(uint64_t va, size_t npages)
{
	kr_err_t err = check_range(NULL, va, npages, 0);

	for (size_t i = 0; !err && i < npages; i += 512)
		if (!walk(NULL, va + i * PAGE_SIZE, true))
			err = KR_ENOMEM;
	return err;
}

/* User page tables share the kernel's upper half: its top-level entries
 * are all made at boot (the direct map, the LAPIC's MMIO page, the image and
 * the page-capability window), so a copy taken later never goes stale. */
kr_err_t vmm_user_create(uint64_t **pt)
{
	uint64_t pa;

	if (pmm_alloc(1, &pa) != KR_OK)
		return KR_ENOMEM;
	*pt = phys_to_virt(pa);
	memcpy(*pt + 256, pml4 + 256, 256 * sizeof(uint64_t));
	return KR_OK;
}

/* Free pt: its lower half is empty by now (unmapping prunes empty tables). */
void vmm_user_destroy(uint64_t *pt)
{
	if (read_cr3() == (uint64_t)pt - HHDM_BASE)
		write_cr3((uint64_t)pml4 - HHDM_BASE);
	pmm_free((uint64_t)pt - HHDM_BASE, 1);
}

/* The physical address behind user address va if a user access (a write,
 * if asked) may touch it, else 0. */
uint64_t vmm_user_phys(uint64_t *pt, uint64_t va, bool write)
{
	uint64_t *e = va < USER_TOP ? walk(pt, va, false) : NULL;
	uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);

	return e && (*e & need) == need ? (*e & PTE_ADDR) | (va & (PAGE_SIZE - 1)) : 0;
}

static void map_image(const char *start, const char *end, unsigned flags)
{
	uint64_t slot0 = (uint64_t)__stacks_start;

	for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE) {
		/* The first page of each stack slot is its guard: left unmapped
		 * so an overflow faults instead of corrupting the next stack. */
		if (va >= slot0 && va < (uint64_t)__stacks_end &&
		    (va - slot0) % STACK_SLOT == 0)
			continue;
		if (vmm_map(NULL, va, va - KERNEL_VIRT, 1, flags) != KR_OK)
			panic("vmm: cannot map the kernel image at %llx", (unsigned long long)va);
	}
}

void vmm_init(const struct kr_boot_info *bi)
{
	uint64_t root, top = BOOT_MAP_LIMIT;

	if (pmm_alloc(1, &root) != KR_OK)
		panic("vmm: no page for the top-level page table");
	pml4 = phys_to_virt(root);      /* still reachable through the boot tables */
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		uint64_t end = bi->mmap[i].base + bi->mmap[i].length;

		if (bi->mmap[i].type == KR_MEM_USABLE && end > top)
			top = end;
	}
	top = (top + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	for (uint64_t pa = 0; pa < top; pa += HUGE_SIZE) {
		uint64_t va = HHDM_BASE + pa, *t = pml4;

		for (int shift = 39; shift > 21; shift -= 9) {
			uint64_t *e = &t[(va >> shift) & 511], tp;

			if (!(*e & PTE_P)) {
				if (pmm_alloc(1, &tp) != KR_OK)
					panic("vmm: out of memory building the direct map");
				*e = tp | PTE_P | PTE_W;
			}
			t = phys_to_virt(*e & PTE_ADDR);
		}
		t[(va >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
	}
	map_image(__text_start, __text_end, VMM_EXEC);
	map_image(__rodata_start, __rodata_end, 0);
	map_image(__data_start, __data_end, VMM_WRITE);
	map_image(__ksyms_start, __kernel_end, 0);
	write_cr3(root);
}
