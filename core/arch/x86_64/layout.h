/*
 * layout.h - address-space constants shared by assembly and C.
 *
 * Virtual layout (4-level paging, canonical halves):
 *   0x0000000000000000 .. user half, unmapped for now
 *   0xffff800000000000    direct map of physical memory (HHDM), RW, NX
 *   0xffffc00000000000    MMIO window (uncached mappings made at run time)
 *   0xffffffff80000000    kernel image (-mcmodel=kernel: top 2 GiB)
 *   0xffffffffa0000000    page-capability window (kr_page_map), 64 MiB: in
 *                         the top 2 GiB, so module code mapped there reaches
 *                         the kernel with 32-bit relocations (-mcmodel=kernel)
 */
#ifndef KARYON_X86_LAYOUT_H
#define KARYON_X86_LAYOUT_H

#define PAGE_SIZE        4096
#define KERNEL_VIRT      0xffffffff80000000
#define KERNEL_HALF      0xffff800000000000 /* lowest kernel address */
#define HHDM_BASE        0xffff800000000000
#define MMIO_BASE        0xffffc00000000000
#define MAPWIN_BASE      0xffffffffa0000000
#define MAPWIN_PAGES     16384
#define BOOT_MAP_LIMIT   0x100000000 /* boot tables map phys 0..4 GiB */

/* Kernel stacks: NSTACKS slots of one guard page + STACK_SIZE bytes. */
#define STACK_SIZE       16384
#define STACK_SLOT       (PAGE_SIZE + STACK_SIZE)
#define STACK_BOOT       0 /* kmain and everything it calls */
#define STACK_IST_DF     1 /* IST1: double fault */
#define STACK_IST_NMI    2 /* IST2: NMI */
#define STACK_IST_MCE    3 /* IST3: machine check */
#define STACK_IST_EXC    4 /* IST4: every other exception */
#define STACK_IST_IRQ    5 /* IST5: hardware and spurious interrupts */
#define NSTACKS          6

/* Per-CPU block (FS base); offset 0x28 is the stack-protector canary. */
#define PERCPU_CANARY    0x28

#endif
