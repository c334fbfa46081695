/*
 * devtest - a test driver module: it declares IRQ line 11 and the PCI
 * configuration ports (0xcf8-0xcff), reads the host bridge's vendor and
 * device IDs through its port capability, binds the IRQ, and shows that a
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
	kr_log(KR_LOG_INFO, "%s: need 2: %s\n", DEVTEST_NAME,
	       kr_strerror(kr_need_cap(self, 2, &none)));
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
	  .needs = { KR_NEED_IRQ(11), KR_NEED_PORTS(0xcf8, 8) });
