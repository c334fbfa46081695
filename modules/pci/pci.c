/*
 * pci - PCI enumeration and the "pci" service (<karyon/pci.h>).
 *
 * At init it looks for ACPI's MCFG table (acpi.c: the RSDP in the BIOS
 * area, then the RSDT or XSDT): where the firmware says segment 0 has an
 * ECAM window, configuration space is read and written there, memory
 * mapped; else through the legacy mechanism, ports 0xcf8/0xcfc.  It walks
 * every bus, device and function and sizes the BARs of each function it
 * finds (pci_bar.c).
 *
 * A claim gives a driver one function.  What the claim needs from the
 * hardware (its memory BARs as MMIO ranges, its I/O BARs as ports) is
 * minted through the devices facility into a domain made for the claim,
 * "pci.BB:DD.F", and goes when the claim does; the interrupt line is taken
 * into a domain per line, "pci.irqN", shared by the claims on it, while
 * one of them is bound.  The driver holds none of these capabilities: it
 * acts through the service, which checks the handle and the range of
 * every access.  A claim ends with release or with the driver's domain
 * (kr_domain_watch).
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include "pci_bar.h"
#include "pci_int.h"

#define MAX_FUNCS       64
#define MAX_CLAIMS      16
#define CFG_ADDR        0xcf8
#define CFG_DATA        0xcfc
#define NEED_PORTS      0       /* .needs indexes */
#define NEED_DEVICES    1
#define NO_LINE         0xff
#define ECAM_BUSES      8       /* buses reached through ECAM, at most */

struct func {
	struct kr_pci_info info;
	int claim;              /* index in claims, or -1 */
};

struct claim {
	bool used;
	uint32_t gen;           /* the handle is (gen << 8) | index + 1 */
	uint32_t owner;
	unsigned func;
	kr_domain_t *dom;       /* holds the BARs' capabilities */
	volatile void *va[KR_PCI_BARS];
	kr_cap_t cap[KR_PCI_BARS];
	kr_pci_irq_fn irq_fn;
	void *irq_ctx;
};

struct line {
	kr_domain_t *dom;       /* holds the line while a claim is bound to it */
	kr_cap_t cap;
	unsigned users;
};

kr_domain_t *pci_self;
kr_cap_t pci_devices;
static kr_cap_t ports;
static volatile uint8_t *ecam;          /* segment 0's ECAM window, or NULL */
static uint8_t ecam_first, ecam_last;   /* the buses it covers */
static struct func funcs[MAX_FUNCS];
static unsigned nfuncs, skipped;
static struct claim claims[MAX_CLAIMS];
static struct line lines[16];
static uint32_t next_gen = 1;
static const struct kr_shell_ops *shell;

/* ---- configuration space ---- */

static uint32_t addr_of(const struct kr_pci_info *f, uint32_t off)
{
	return 0x80000000u | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 |
	       (uint32_t)f->fn << 8 | (off & 0xfc);
}

/* The function's register off in the ECAM window, or NULL (legacy). */
static volatile uint8_t *ecam_at(const struct kr_pci_info *f, uint32_t off)
{
	if (!ecam || f->bus < ecam_first || f->bus > ecam_last)
		return NULL;
	return ecam + ((uint64_t)(f->bus - ecam_first) << 20 | (uint64_t)f->dev << 15 |
		       (uint64_t)f->fn << 12 | off);
}

static uint32_t cfg_read(const struct kr_pci_info *f, uint32_t off, unsigned width)
{
	volatile uint8_t *p = ecam_at(f, off);
	uint32_t v = 0xffffffffu;

	if (p)
		return width == 1 ? *p : width == 2 ? *(volatile uint16_t *)p :
		       *(volatile uint32_t *)p;
	if (kr_io_write(pci_self, ports, CFG_ADDR, 4, addr_of(f, off)) == KR_OK)
		kr_io_read(pci_self, ports, CFG_DATA + (off & 3), width, &v);
	return v;
}

static void cfg_write(const struct kr_pci_info *f, uint32_t off, unsigned width, uint32_t v)
{
	volatile uint8_t *p = ecam_at(f, off);

	if (p && width == 1)
		*p = (uint8_t)v;
	else if (p && width == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else if (p)
		*(volatile uint32_t *)p = v;
	else if (kr_io_write(pci_self, ports, CFG_ADDR, 4, addr_of(f, off)) == KR_OK)
		kr_io_write(pci_self, ports, CFG_DATA + (off & 3), width, v);
}

/* Map segment 0's ECAM window, if ACPI's MCFG names one. */
static void ecam_setup(void)
{
	const struct kr_need need_tmpl = KR_NEED_MMIO(0, 0);
	struct acpi_mcfg m;
	struct kr_need need = need_tmpl;
	const char *holder = NULL;
	kr_domain_t *d = NULL;
	kr_cap_t c;
	kr_err_t e;
	char why[96] = "no RSDP in the BIOS area";

	if (acpi_find_mcfg(&m, why, sizeof(why)) != KR_OK) {
		kr_log(KR_LOG_INFO, "pci: no ECAM (%s): configuration ports 0xcf8\n", why);
		return;
	}
	/* 1 MiB of window a bus: the first ECAM_BUSES are mapped (buses past
	 * them, rare, go through the ports), not 256 MiB of page tables. */
	if (m.last_bus - m.first_bus >= ECAM_BUSES)
		m.last_bus = (uint8_t)(m.first_bus + ECAM_BUSES - 1);
	need.base = m.base + ((uint64_t)m.first_bus << 20);
	need.count = ((uint64_t)m.last_bus - m.first_bus + 1) << 20;
	e = kr_domain_create(pci_self, "pci.ecam", 4, &d);
	if (!e)
		e = kr_need_grant(pci_self, pci_devices, d, 0, &need, &holder);
	if (!e)
		e = kr_need_cap(d, 0, &c);
	if (!e)
		e = kr_mmio_map(d, c, (volatile void **)&ecam);
	if (e) {
		kr_log(KR_LOG_WARN, "pci: ECAM at %#llx from ACPI MCFG cannot be mapped: %s%s%s; "
		       "configuration ports 0xcf8\n", (unsigned long long)need.base,
		       kr_strerror(e), holder ? ", held by " : "", holder ? holder : "");
		ecam = NULL;
		if (d)
			kr_domain_destroy(pci_self, d);
		return;
	}
	ecam_first = m.first_bus;
	ecam_last = m.last_bus;
	kr_log(KR_LOG_INFO, "pci: ECAM at %#llx for buses %u-%u (ACPI MCFG)\n",
	       (unsigned long long)need.base, m.first_bus, m.last_bus);
}

static uint32_t bar_read(void *ctx, uint32_t off)
{
	return cfg_read(ctx, off, 4);
}

static void bar_write(void *ctx, uint32_t off, uint32_t v)
{
	cfg_write(ctx, off, 4, v);
}

static void probe(uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct kr_pci_info t = { .version = KR_PCI_INFO_VERSION, .bus = bus, .dev = dev, .fn = fn };
	struct pci_cfg c = { &t, bar_read, bar_write };
	uint32_t id = cfg_read(&t, 0, 4), cls, hdr, irq, sub;
	unsigned refused;

	if ((id & 0xffff) == 0xffff)
		return;
	if (nfuncs == MAX_FUNCS) {
		skipped++;
		return;
	}
	cls = cfg_read(&t, 0x08, 4);
	hdr = cfg_read(&t, 0x0c, 4) >> 16 & 0x7f;
	irq = cfg_read(&t, 0x3c, 4);
	sub = hdr == 0 ? cfg_read(&t, 0x2c, 4) : 0;
	t.vendor = id & 0xffff;
	t.device = id >> 16;
	t.revision = cls & 0xff;
	t.prog_if = cls >> 8 & 0xff;
	t.subclass = cls >> 16 & 0xff;
	t.class_code = cls >> 24;
	t.header = (uint8_t)hdr;
	t.irq_line = (irq & 0xff) < 16 && (irq & 0xff) != 2 ? irq & 0xff : NO_LINE;
	t.irq_pin = irq >> 8 & 0xff;
	t.subsys_vendor = sub & 0xffff;
	t.subsys_id = sub >> 16;
	refused = hdr <= 1 ? pci_size_bars(&c, hdr == 0 ? 6 : 2, t.bar) : 0;
	if (refused)
		kr_log(KR_LOG_WARN, "pci: %02x:%02x.%u: %u BARs made no sense; left out\n", bus, dev,
		       fn, refused);
	funcs[nfuncs].info = t;
	funcs[nfuncs++].claim = -1;
}

static void enumerate(void)
{
	for (unsigned bus = 0; bus < 256; bus++)
		for (uint8_t dev = 0; dev < 32; dev++) {
			struct kr_pci_info t = { .bus = (uint8_t)bus, .dev = dev };
			uint32_t id = cfg_read(&t, 0, 4);

			if ((id & 0xffff) == 0xffff)
				continue;
			probe((uint8_t)bus, dev, 0);
			if (cfg_read(&t, 0x0c, 4) & (0x80u << 16))     /* multi-function */
				for (uint8_t fn = 1; fn < 8; fn++)
					probe((uint8_t)bus, dev, fn);
		}
}

/* ---- claims ---- */

static struct claim *claim_of(uint32_t handle)
{
	unsigned i = (handle & 0xff) - 1;

	return i < MAX_CLAIMS && claims[i].used && claims[i].gen == handle >> 8 ? &claims[i] :
	       NULL;
}

static void on_line(void *ctx, unsigned line)
{
	(void)ctx;
	for (int i = 0; i < MAX_CLAIMS; i++)
		if (claims[i].used && claims[i].irq_fn &&
		    funcs[claims[i].func].info.irq_line == line)
			claims[i].irq_fn(claims[i].irq_ctx);
}

static kr_err_t line_take(unsigned n)
{
	const struct kr_need need = KR_NEED_IRQ(n);
	struct line *l = &lines[n];
	const char *holder = NULL;
	char name[16];
	kr_err_t e;

	if (l->users++)
		return KR_OK;
	ksnprintf(name, sizeof(name), "pci.irq%u", n);
	e = kr_domain_create(pci_self, name, 4, &l->dom);
	if (!e)
		e = kr_need_grant(pci_self, pci_devices, l->dom, 0, &need, &holder);
	if (!e)
		e = kr_need_cap(l->dom, 0, &l->cap);
	if (!e)
		e = kr_irq_bind(l->dom, l->cap, on_line, NULL);
	if (e) {
		kr_log(KR_LOG_ERR, "pci: cannot take IRQ %u: %s%s%s\n", n, kr_strerror(e),
		       holder ? ", held by " : "", holder ? holder : "");
		if (l->dom)
			kr_domain_destroy(pci_self, l->dom);
		*l = (struct line){ 0 };
	}
	return e;
}

static void line_drop(unsigned n)
{
	struct line *l = &lines[n];

	if (!l->users || --l->users)
		return;
	kr_irq_unbind(l->dom, l->cap);
	kr_domain_destroy(pci_self, l->dom);
	*l = (struct line){ 0 };
}

static kr_err_t svc_release(uint32_t handle)
{
	struct claim *c = claim_of(handle);
	struct func *f;

	if (!c)
		return KR_ENOENT;
	f = &funcs[c->func];
	if (c->irq_fn) {
		uint64_t fl;

		__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
		c->irq_fn = NULL;
		if (fl & (1u << 9))
			__asm__ volatile("sti" : : : "memory");
		line_drop(f->info.irq_line);
	}
	cfg_write(&f->info, PCI_COMMAND, 2, cfg_read(&f->info, PCI_COMMAND, 2) & ~PCI_CMD_MASTER);
	kr_domain_destroy(pci_self, c->dom);        /* unmaps the BARs */
	f->claim = -1;
	f->info.claimed_by[0] = '\0';
	*c = (struct claim){ 0 };
	return KR_OK;
}

static void owner_gone(void *ctx, uint32_t id)
{
	(void)ctx;
	for (int i = 0; i < MAX_CLAIMS; i++)
		if (claims[i].used && claims[i].owner == id) {
			kr_log(KR_LOG_INFO, "pci: %s is gone: its claim on %02x:%02x.%u ends\n",
			       funcs[claims[i].func].info.claimed_by,
			       funcs[claims[i].func].info.bus, funcs[claims[i].func].info.dev,
			       funcs[claims[i].func].info.fn);
			svc_release((claims[i].gen << 8) | (uint32_t)(i + 1));
		}
}

static bool matches(const struct kr_pci_info *f, const struct kr_pci_match *m)
{
	return (m->vendor == KR_PCI_ANY16 || m->vendor == f->vendor) &&
	       (m->device == KR_PCI_ANY16 || m->device == f->device) &&
	       (m->class_code == KR_PCI_ANY8 || m->class_code == f->class_code) &&
	       (m->subclass == KR_PCI_ANY8 || m->subclass == f->subclass);
}

static kr_err_t svc_claim(uint32_t owner, const char *who, const struct kr_pci_match *m,
			  uint32_t nth, uint32_t *handle, struct kr_pci_info *out)
{
	struct claim *c = NULL;
	struct func *f = NULL;
	char name[24];
	kr_err_t e;
	int ci = -1;

	if (!m || m->version != KR_PCI_MATCH_VERSION || !handle || !who || !*who || !owner ||
	    (m->vendor == KR_PCI_ANY16 && m->device == KR_PCI_ANY16 &&
	     m->class_code == KR_PCI_ANY8 && m->subclass == KR_PCI_ANY8))
		return KR_EINVAL;
	for (unsigned i = 0; i < nfuncs && !f; i++)
		if (funcs[i].claim < 0 && matches(&funcs[i].info, m) && !nth--)
			f = &funcs[i];
	for (int i = 0; i < MAX_CLAIMS && ci < 0; i++)
		if (!claims[i].used)
			ci = i;
	if (!f)
		return KR_ENOENT;
	if (ci < 0)
		return KR_ENOSPC;
	c = &claims[ci];
	ksnprintf(name, sizeof(name), "pci.%02x:%02x.%u", f->info.bus, f->info.dev, f->info.fn);
	e = kr_domain_create(pci_self, name, 16, &c->dom);
	if (!e && (e = kr_domain_watch(pci_self, owner, owner_gone, NULL)) != KR_OK)
		kr_domain_destroy(pci_self, c->dom);
	if (e)
		return e;
	c->used = true;
	c->gen = next_gen++ & 0xffffff;
	c->owner = owner;
	c->func = (unsigned)(f - funcs);
	f->claim = ci;
	ksnprintf(f->info.claimed_by, sizeof(f->info.claimed_by), "%s", who);
	cfg_write(&f->info, PCI_COMMAND, 2,
		  cfg_read(&f->info, PCI_COMMAND, 2) | PCI_CMD_MEM | PCI_CMD_IO | PCI_CMD_MASTER);
	*handle = (c->gen << 8) | (uint32_t)(ci + 1);
	if (out)
		*out = f->info;
	kr_log(KR_LOG_INFO, "pci: %02x:%02x.%u [%04x:%04x] claimed by %s\n", f->info.bus,
	       f->info.dev, f->info.fn, f->info.vendor, f->info.device, who);
	return KR_OK;
}

static kr_err_t svc_get(uint32_t index, struct kr_pci_info *out)
{
	if (!out)
		return KR_EINVAL;
	if (index >= nfuncs)
		return KR_ENOENT;
	*out = funcs[index].info;
	return KR_OK;
}

static kr_err_t cfg_check(uint32_t handle, uint32_t off, unsigned width, struct claim **c)
{
	*c = claim_of(handle);
	if (!*c)
		return KR_ENOENT;
	if ((width != 1 && width != 2 && width != 4) || off >= 256 || (off & (width - 1)))
		return KR_EINVAL;
	return KR_OK;
}

static kr_err_t svc_cfg_read(uint32_t handle, uint32_t off, unsigned width, uint32_t *val)
{
	struct claim *c;
	kr_err_t e = cfg_check(handle, off, width, &c);

	if (!e && !val)
		e = KR_EINVAL;
	if (!e)
		*val = cfg_read(&funcs[c->func].info, off, width);
	return e;
}

static kr_err_t svc_cfg_write(uint32_t handle, uint32_t off, unsigned width, uint32_t val)
{
	struct claim *c;
	kr_err_t e = cfg_check(handle, off, width, &c);

	if (!e && ((off < 0x28 && off + width > 0x10) || (off < 0x34 && off + width > 0x30)))
		e = KR_EPERM;           /* the BARs and the ROM address are ours */
	if (!e)
		cfg_write(&funcs[c->func].info, off, width, val);
	return e;
}

static kr_err_t svc_map_bar(uint32_t handle, unsigned bar, volatile void **va, uint64_t *len)
{
	struct claim *c = claim_of(handle);
	const struct kr_pci_bar *b;
	struct kr_need need;
	const char *holder = NULL;
	uint64_t lo, hi;
	kr_err_t e;

	if (!c)
		return KR_ENOENT;
	if (bar >= KR_PCI_BARS || !va || !len)
		return KR_EINVAL;
	b = &funcs[c->func].info.bar[bar];
	if (b->type != KR_PCI_BAR_MEM32 && b->type != KR_PCI_BAR_MEM64)
		return KR_EINVAL;
	lo = b->base & ~(uint64_t)(KR_PAGE_SIZE - 1);
	hi = (b->base + b->size + KR_PAGE_SIZE - 1) & ~(uint64_t)(KR_PAGE_SIZE - 1);
	if (!c->va[bar]) {
		need = (struct kr_need)KR_NEED_MMIO(lo, hi - lo);
		e = kr_need_grant(pci_self, pci_devices, c->dom, bar, &need, &holder);
		if (!e)
			e = kr_need_cap(c->dom, bar, &c->cap[bar]);
		if (!e)
			e = kr_mmio_map(c->dom, c->cap[bar], &c->va[bar]);
		if (e) {
			kr_log(KR_LOG_ERR, "pci: %s: BAR %u at %#llx: %s%s%s\n",
			       funcs[c->func].info.claimed_by, bar, (unsigned long long)b->base,
			       kr_strerror(e), holder ? ", held by " : "", holder ? holder : "");
			c->va[bar] = NULL;
			return e;
		}
	}
	*va = (volatile uint8_t *)c->va[bar] + (b->base - lo);
	*len = b->size;
	return KR_OK;
}

static kr_err_t io_check(uint32_t handle, unsigned bar, uint32_t off, unsigned width,
			 struct claim **c)
{
	const struct kr_pci_bar *b;
	const char *holder = NULL;
	struct kr_need need;
	kr_err_t e;

	*c = claim_of(handle);
	if (!*c)
		return KR_ENOENT;
	if (bar >= KR_PCI_BARS || (width != 1 && width != 2 && width != 4))
		return KR_EINVAL;
	b = &funcs[(*c)->func].info.bar[bar];
	if (b->type != KR_PCI_BAR_IO || off >= b->size || width > b->size - off)
		return KR_EINVAL;
	if ((*c)->cap[bar])
		return KR_OK;
	need = (struct kr_need)KR_NEED_PORTS(b->base, b->size);
	e = kr_need_grant(pci_self, pci_devices, (*c)->dom, bar, &need, &holder);
	if (!e)
		e = kr_need_cap((*c)->dom, bar, &(*c)->cap[bar]);
	return e;
}

static kr_err_t svc_io_read(uint32_t handle, unsigned bar, uint32_t off, unsigned width,
			    uint32_t *val)
{
	struct claim *c;
	kr_err_t e = val ? io_check(handle, bar, off, width, &c) : KR_EINVAL;

	return e ? e : kr_io_read(c->dom, c->cap[bar],
				  (uint32_t)funcs[c->func].info.bar[bar].base + off, width, val);
}

static kr_err_t svc_io_write(uint32_t handle, unsigned bar, uint32_t off, unsigned width,
			     uint32_t val)
{
	struct claim *c;
	kr_err_t e = io_check(handle, bar, off, width, &c);

	return e ? e : kr_io_write(c->dom, c->cap[bar],
				   (uint32_t)funcs[c->func].info.bar[bar].base + off, width, val);
}

static kr_err_t svc_irq_bind(uint32_t handle, kr_pci_irq_fn fn, void *ctx)
{
	struct claim *c = claim_of(handle);
	unsigned line;
	uint64_t fl;
	kr_err_t e;

	if (!c)
		return KR_ENOENT;
	line = funcs[c->func].info.irq_line;
	if (line == NO_LINE)
		return KR_ENOENT;
	if (!fn) {
		if (!c->irq_fn)
			return KR_OK;
		__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
		c->irq_fn = NULL;
		if (fl & (1u << 9))
			__asm__ volatile("sti" : : : "memory");
		line_drop(line);
		return KR_OK;
	}
	if (c->irq_fn)
		return KR_EALREADY;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
	c->irq_ctx = ctx;
	c->irq_fn = fn;
	if (fl & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
	e = line_take(line);
	if (e)
		c->irq_fn = NULL;
	return e;
}

static const struct kr_pci_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_PCI_VERSION, sizeof(struct kr_pci_ops), 0 },
	.get = svc_get, .claim = svc_claim, .release = svc_release, .cfg_read = svc_cfg_read,
	.cfg_write = svc_cfg_write, .map_bar = svc_map_bar, .io_read = svc_io_read,
	.io_write = svc_io_write, .irq_bind = svc_irq_bind,
};

/* ---- lspci ---- */

static const char *class_name(uint8_t c, uint8_t s)
{
	switch (c) {
	case 0x01: return s == 0x00 ? "SCSI storage" : s == 0x01 ? "IDE" : s == 0x06 ? "SATA" :
			  s == 0x08 ? "NVMe" : "storage";
	case 0x02: return "network";
	case 0x03: return "display";
	case 0x06: return s == 0x00 ? "host bridge" : s == 0x01 ? "ISA bridge" :
			  s == 0x04 ? "PCI bridge" : "bridge";
	case 0x0c: return s == 0x03 ? "USB" : "serial bus";
	case 0xff: return "unassigned";
	default: return "other";
	}
}

static int cmd_lspci(int argc, char **argv, void (*print)(void *, const char *), void *ctx)
{
	char line[160];

	if (argc != 1 && !(argc == 2 && !strcmp(argv[1], "-v"))) {
		print(ctx, "usage: lspci [-v]\n");
		return 2;
	}
	for (unsigned i = 0; i < nfuncs; i++) {
		const struct kr_pci_info *f = &funcs[i].info;

		ksnprintf(line, sizeof(line), "%02x:%02x.%u %04x:%04x class %02x%02x (%s)%s%s\n",
			  f->bus, f->dev, f->fn, f->vendor, f->device, f->class_code, f->subclass,
			  class_name(f->class_code, f->subclass), f->claimed_by[0] ? ", claimed by " : "",
			  f->claimed_by);
		print(ctx, line);
		for (unsigned b = 0; argc == 2 && b < KR_PCI_BARS; b++)
			if (f->bar[b].type) {
				ksnprintf(line, sizeof(line), "        BAR %u: %s at %#llx, %llu bytes%s\n",
					  b, f->bar[b].type == KR_PCI_BAR_IO ? "I/O" :
					  f->bar[b].type == KR_PCI_BAR_MEM64 ? "memory (64-bit)" : "memory",
					  (unsigned long long)f->bar[b].base,
					  (unsigned long long)f->bar[b].size,
					  f->bar[b].prefetchable ? ", prefetchable" : "");
				print(ctx, line);
			}
		if (argc == 2 && f->irq_pin) {
			ksnprintf(line, sizeof(line), "        interrupt: INT%c, IRQ %s%u\n",
				  'A' + f->irq_pin - 1, f->irq_line == NO_LINE ? "none " : "",
				  f->irq_line == NO_LINE ? 0 : f->irq_line);
			print(ctx, line);
		}
	}
	return 0;
}

static const struct kr_shell_command lspci_cmd = {
	"lspci", "lspci [-v]", "PCI functions: address, ids, class, driver (-v: BARs, IRQ)",
	cmd_lspci,
};

static kr_err_t pci_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e;

	pci_self = d;
	if ((e = kr_need_cap(pci_self, NEED_PORTS, &ports)) ||
	    (e = kr_need_cap(pci_self, NEED_DEVICES, &pci_devices)))
		return e;
	ecam_setup();
	enumerate();
	kr_log(KR_LOG_INFO, "pci: %u functions found (%s)%s\n", nfuncs,
	       ecam ? "ECAM" : "configuration ports 0xcf8", skipped ? ", more left out" : "");
	if ((e = kr_service_publish(pci_self, KR_PCI_SERVICE, &ops.hdr, &c)))
		return e;
	if (kr_service_open(pci_self, "shell", KR_SHELL_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(pci_self, c, &h) == KR_OK) {
		shell = (const struct kr_shell_ops *)h;
		shell->add(kr_domain_id(pci_self), &lspci_cmd);
	}
	return KR_OK;
}

static void pci_exit(kr_domain_t *d)
{
	(void)d;
	for (int i = 0; i < MAX_CLAIMS; i++)
		if (claims[i].used)
			svc_release((claims[i].gen << 8) | (uint32_t)(i + 1));
}

KR_MODULE(.name = "pci", .version = KR_VERSION(1, 0, 0),
	  .description = "PCI: enumeration, BAR sizing, claims for driver modules, lspci",
	  .license = "MIT", .author = "Karyon developers",
	  .init = pci_init, .exit = pci_exit,
	  .needs = { KR_NEED_PORTS(CFG_ADDR, 8), KR_NEED_SYSTEM(KR_SYS_DEVICES) });
