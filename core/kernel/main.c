/*
 * main.c - kmain: the boot sequence from the first C instruction to
 * "karyon: ready".
 *
 *   console -> descriptor tables -> boot info -> command line -> physical
 *   pages -> page tables -> heap -> kernel domain and its capabilities
 *   (boot modules among them) -> timer -> console input -> the module
 *   starter (kmod: the other built-in modules, then the boot modules) -> ready
 *
 * Each step only uses the ones before it.  Problems with what the boot
 * loader handed over are reported clearly; boot stops (panic) only where it
 * cannot go on.
 */
#include <stdbool.h>
#include <stddef.h>

#include <karyon/abi.h>
#include <karyon/boot_info.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/x86.h"
#include "multiboot2.h"
#include "cap/domain.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include <krt/cmdline.h>
#include <krt/kheap.h>
#include "mm/pmm.h"
#include "mm/vmm.h"
#include <krt/string.h>

void kmain(uint64_t mbi_phys, uint64_t entry_tsc);

extern char __boot_start[], __kernel_end[];

static struct kr_boot_info boot_info;

/* Command-line options of the core itself (see docs/boot.md). */
static const char *const level_names[] = { "error", "warn", "info", "debug", NULL };
static const char *const panic_actions[] = { "halt", "exit", NULL };
static const char *const ready_actions[] = { "idle", "exit", NULL };
static unsigned opt_loglevel = KR_LOG_INFO, opt_onpanic, opt_onready;
static char opt_selftest[16];

/* Only the test kernel links tests/kernel/selftest.c. */
void selftest_run(const char *name) __attribute__((weak));

static const struct kr_cmdline_opt core_opts[] = {
	{ KR_CMDLINE_OPT_INIT, .key = "loglevel", .type = KR_CMDLINE_ENUM, .dst = &opt_loglevel,
	  .choices = level_names, .help = "console verbosity" },
	{ KR_CMDLINE_OPT_INIT, .key = "onpanic", .type = KR_CMDLINE_ENUM, .dst = &opt_onpanic,
	  .choices = panic_actions, .help = "after a panic: halt, or exit QEMU (isa-debug-exit)" },
	{ KR_CMDLINE_OPT_INIT, .key = "onready", .type = KR_CMDLINE_ENUM, .dst = &opt_onready,
	  .choices = ready_actions, .help = "after boot: idle, or exit QEMU (tests)" },
	{ KR_CMDLINE_OPT_INIT, .key = "selftest", .type = KR_CMDLINE_STR, .dst = opt_selftest,
	  .dst_size = sizeof(opt_selftest),
	  .help = "test kernel only: after boot, exercise a failure path (docs/testing.md)" },
};

static void warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	pr_warn("%s\n", msg);
}

static void parse_boot_info(uint64_t mbi_phys)
{
	struct mb2_error e;
	kr_err_t err;

	if (mbi_phys == 0 || (mbi_phys & 7) || mbi_phys >= BOOT_MAP_LIMIT)
		panic("multiboot2: information block address %#llx is unusable",
		      (unsigned long long)mbi_phys);
	err = mb2_parse(phys_to_virt(mbi_phys), mbi_phys, BOOT_MAP_LIMIT - mbi_phys,
			&boot_info, &e);
	if (err)
		panic("multiboot2: tag %u (%s) at offset %#x: %s (%s)", e.tag,
		      mb2_tag_name(e.tag), e.offset, e.what, kr_strerror(err));
	boot_info.kernel_phys_start = (uint64_t)__boot_start;
	boot_info.kernel_phys_end = (uint64_t)__kernel_end - KERNEL_VIRT;
	if (!(boot_info.flags & KR_BOOT_HAS_MMAP))
		panic("multiboot2: the boot loader gave no memory map (tag 6)");
}

static void *heap_get(size_t npages)
{
	uint64_t pa;

	return pmm_alloc(npages, &pa) == KR_OK ? phys_to_virt(pa) : NULL;
}

static void heap_put(void *p, size_t npages)
{
	kr_err_t err = pmm_free((uint64_t)p - HHDM_BASE, npages);

	if (err)
		panic("kheap: returning %zu pages at %p: %s", npages, p, kr_strerror(err));
}

static void heap_report(kr_err_t err, const void *p, size_t n)
{
	if (err == KR_ENOMEM)
		pr_err("kheap: cannot allocate %zu bytes: %s\n", n, kr_strerror(err));
	else
		pr_err("kheap: kfree(%p) refused: %s\n", p, kr_strerror(err));
}

static void mem_init(void)
{
	static const struct kheap_pagesrc src = { heap_get, heap_put, heap_report };
	struct memmap_range res[2 + KR_BOOT_MODULES_MAX];
	struct pmm_stats st;
	const char *why = "";
	size_t n = 0;
	kr_err_t err;

	res[n++] = (struct memmap_range){ boot_info.kernel_phys_start, boot_info.kernel_phys_end };
	res[n++] = (struct memmap_range){ boot_info.mbi_phys, boot_info.mbi_phys + boot_info.mbi_size };
	for (uint32_t i = 0; i < boot_info.module_count; i++)
		res[n++] = (struct memmap_range){ boot_info.modules[i].start, boot_info.modules[i].end };
	err = pmm_init(boot_info.mmap, boot_info.mmap_count, res, n, phys_to_virt, &why);
	if (err)
		panic("memory: %s (%s)", why, kr_strerror(err));
	vmm_init(&boot_info);
	kheap_init(&src);
	pmm_get_stats(&st);
	pr_info("memory: %llu MiB usable above 1 MiB, %llu pages free, kernel image %llu KiB\n",
		(unsigned long long)(st.total_pages / 256), (unsigned long long)st.free_pages,
		(unsigned long long)((boot_info.kernel_phys_end - boot_info.kernel_phys_start) >> 10));
}

void kmain(uint64_t mbi_phys, uint64_t entry_tsc)
{
	uint64_t cycles, cr4;

	serial_init();
	cpu_init();
	kprintf("karyon %s (ABI %d.%d) starting\n", KARYON_VERSION, KR_ABI_MAJOR, KR_ABI_MINOR);
	parse_boot_info(mbi_phys);
	cmdline_apply(boot_info.cmdline, NULL, core_opts, sizeof(core_opts) / sizeof(core_opts[0]),
		      warn_line, NULL);
	klog_set_console_level(opt_loglevel);
	panic_set_exit(opt_onpanic == 1);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	pr_info("cpu: SMEP %s, SMAP %s\n", cr4 & (1u << 20) ? "on" : "off (not in this CPU)",
		cr4 & (1u << 21) ? "on" : "off (not in this CPU)");
	if (boot_info.flags & KR_BOOT_HAS_LOADER)
		pr_info("boot: loaded by %s\n", boot_info.loader);
	if (boot_info.flags & KR_BOOT_HAS_FB)
		pr_info("boot: framebuffer %ux%u, %u bpp at %#llx\n", boot_info.fb.width,
			boot_info.fb.height, boot_info.fb.bpp, (unsigned long long)boot_info.fb.addr);
	mem_init();
	domain_boot(&boot_info);
	time_init(entry_tsc);
	irq_enable();
	modules_start();
	cycles = time_tsc_since_entry();
	kprintf("karyon: ready in %llu us (%llu TSC cycles since entry)\n",
		(unsigned long long)time_tsc_to_us(cycles), (unsigned long long)cycles);
	if (opt_selftest[0] && selftest_run)
		selftest_run(opt_selftest);
	else if (opt_selftest[0])
		pr_warn("selftest: not built into this kernel (the test kernel has it)\n");
	if (opt_onready == 1)
		platform_exit(KR_EXIT_OK);
	for (;;) {              /* idle: the scheduler's turn, then sleep */
		irq_soft(KR_IRQ_IDLE);
		__asm__ volatile("hlt");
	}
}
