/*
 * devtest - a test driver module: it declares IRQ line 11, the PCI
 * configuration ports (0xcf8-0xcff) and the I/O APIC's registers, reads the host bridge's vendor and
 * device IDs through its port capability, binds the IRQ, reads the I/O
 * APIC's version through device memory, takes DMA pages, and shows that a
 * built-in module can be looked at (a read-only view) but not acted as.
 * Built twice, as devtest_a and devtest_b (DEVTEST_NAME), so the tests can
 * see the second refused while the first holds the devices.
 */
#include <karyon/log.h>
#include <karyon/module.h>

#ifndef DEVTEST_NAME
#define DEVTEST_NAME "devtest"
#endif

static void on_irq(void *ctx, unsigned line)
{
	(void)ctx;
	(void)line;
}

static void no_print(void *ctx, const char *line)
{
	(void)line;
	++*(int *)ctx;
}

/* Device memory: the I/O APIC's version register, through an uncached map. */
static void ioapic(kr_domain_t *self)
{
	volatile uint32_t *regs = NULL;
	kr_cap_t mmio;
	kr_err_t r = kr_need_cap(self, 2, &mmio);

	if (!r)
		r = kr_mmio_map(self, mmio, (volatile void **)&regs);
	if (!r) {
		regs[0] = 1;            /* IOREGSEL: the version register */
		kr_log(KR_LOG_INFO, "%s: I/O APIC version %#x, %u redirection entries\n",
		       DEVTEST_NAME, regs[4] & 0xff, ((regs[4] >> 16) & 0xff) + 1);
	}
	kr_log(KR_LOG_INFO, "%s: MMIO map: %s; map again: %s\n", DEVTEST_NAME, kr_strerror(r),
	       kr_strerror(kr_mmio_map(self, mmio, (volatile void **)&regs)));
}

/* DMA pages tell their physical address; other pages keep it. */
static void dma(kr_domain_t *self)
{
	uint64_t pa = 0, other;
	kr_cap_t c, plain;
	kr_err_t r = kr_dma_alloc(self, 2, KR_DMA_32BIT, &c);

	if (!r)
		r = kr_page_phys(self, c, &pa);
	kr_log(KR_LOG_INFO, "%s: DMA 2 pages: %s, below 4 GiB %s, page-aligned %s\n", DEVTEST_NAME,
	       kr_strerror(r), pa && pa + 2 * KR_PAGE_SIZE <= (1ull << 32) ? "yes" : "no",
	       pa && !(pa & (KR_PAGE_SIZE - 1)) ? "yes" : "no");
	r = kr_page_alloc(self, 1, &plain);
	kr_log(KR_LOG_INFO, "%s: physical address of plain pages: %s; DMA flags 0x80: %s\n",
	       DEVTEST_NAME, kr_strerror(r ? r : kr_page_phys(self, plain, &other)),
	       kr_strerror(kr_dma_alloc(self, 1, 0x80, &plain)));
}

static kr_err_t devtest_init(kr_domain_t *self)
{
	const struct kr_module_info *info;
	struct kr_cap_info ci;
	kr_cap_t irq, ports, view, none;
	uint32_t id = 0;
	bool running;
	int lines = 0;
	kr_err_t r = kr_need_cap(self, 0, &irq);

	if (!r)
		r = kr_need_cap(self, 1, &ports);
	if (!r)
		r = kr_io_write(self, ports, 0xcf8, 4, 0x80000000u);  /* bus 0, device 0, reg 0 */
	if (!r)
		r = kr_io_read(self, ports, 0xcfc, 4, &id);
	if (r)
		return r;
	kr_log(KR_LOG_INFO, "%s: PCI 00:00.0 vendor %04x device %04x\n", DEVTEST_NAME,
	       id & 0xffff, id >> 16);
	kr_log(KR_LOG_INFO, "%s: bind IRQ 11: %s\n", DEVTEST_NAME,
	       kr_strerror(kr_irq_bind(self, irq, on_irq, NULL)));
	kr_log(KR_LOG_INFO, "%s: port 0x60 (not granted): %s\n", DEVTEST_NAME,
	       kr_strerror(kr_io_read(self, ports, 0x60, 1, &id)));
	kr_log(KR_LOG_INFO, "%s: need 3: %s\n", DEVTEST_NAME,
	       kr_strerror(kr_need_cap(self, 3, &none)));
	ioapic(self);
	dma(self);
	/* Another module: a view to look at, nothing to act with. */
	for (uint32_t i = 0; kr_builtin_module(NULL, i, &info, &running, NULL) == KR_OK; i++) {
		if (!running || kr_builtin_module(self, i, &info, &running, &view) != KR_OK)
			continue;
		kr_cap_info(self, view, &ci);
		r = kr_cap_dump(self, view, no_print, &lines);
		kr_log(KR_LOG_INFO, "%s: view of %s: type %u rights %#x, listing: %s (%d lines); "
		       "as a page: %s\n", DEVTEST_NAME, info->name, ci.type, ci.rights,
		       kr_strerror(r), lines,
		       kr_strerror(kr_page_map(self, view, KR_RIGHT_READ, (void **)&info)));
		kr_cap_delete(self, view);
		break;
	}
	return KR_OK;
}

KR_MODULE(.name = DEVTEST_NAME, .version = KR_VERSION(1, 0, 0),
	  .description = "test: a driver that needs IRQ 11 and the PCI config ports",
	  .license = "MIT", .author = "Karyon developers", .init = devtest_init,
	  .needs = { KR_NEED_IRQ(11), KR_NEED_PORTS(0xcf8, 8), KR_NEED_MMIO(0xfec00000, 0x20) });
