/*
 * pci.h - the "pci" service (modules/pci): PCI functions found at boot,
 * and the way a driver module claims one and reaches it.
 *
 * The pci module enumerates configuration space through the legacy ports
 * 0xcf8/0xcfc (its only device need besides the devices facility) and
 * sizes every BAR.  A driver claims a function (exclusive; released when
 * the driver's domain goes, or by release) and gets, through this service
 * only, what that function has: its configuration space (but the BARs,
 * which are the pci module's), its memory BARs mapped uncached into the
 * kernel, its I/O BARs through io_read/io_write, and its interrupt.  The
 * capabilities behind those (MMIO ranges, ports, the IRQ line) are minted
 * for the claim, in a domain the pci module makes for it, and go with the
 * claim: a driver holds no device capability of its own and cannot reach
 * a function it did not claim.  A driver does DMA with its own pages
 * (kr_dma_alloc, kr_page_phys in <karyon/cap.h>).
 *
 *	const struct kr_pci_ops *pci = ...;     (kr_service_open "pci")
 *	struct kr_pci_match m = { KR_PCI_MATCH_VERSION, .vendor = 0x1af4, .device = 0x1042 };
 *	uint32_t h;
 *	pci->claim(kr_domain_id(self), "virtio_blk", &m, 0, &h, &info);
 *	pci->map_bar(h, 4, &va, &len);
 *	pci->irq_bind(h, on_irq, ctx);
 */
#ifndef KARYON_PCI_H
#define KARYON_PCI_H

#include <karyon/service.h>

#define KR_PCI_SERVICE "pci"
#define KR_PCI_VERSION 1

#define KR_PCI_BARS 6
enum kr_pci_bar_type {
	KR_PCI_BAR_NONE = 0,
	KR_PCI_BAR_IO = 1,
	KR_PCI_BAR_MEM32 = 2,
	KR_PCI_BAR_MEM64 = 3,   /* takes this BAR and the next */
};

struct kr_pci_bar {
	uint64_t base;          /* physical address, or first I/O port */
	uint64_t size;          /* bytes (I/O: ports); 0: not implemented */
	uint32_t type;          /* enum kr_pci_bar_type */
	uint32_t prefetchable;
};
KR_ABI_SIZE(struct kr_pci_bar, 24);

#define KR_PCI_INFO_VERSION 1
struct kr_pci_info {
	uint32_t version;       /* KR_PCI_INFO_VERSION */
	uint8_t bus, dev, fn, header;   /* header: type, without the multi-function bit */
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_line;       /* what the firmware routed INTx to (0xff: none) */
	uint8_t irq_pin;        /* 1..4 = INTA..INTD, 0: none */
	uint16_t subsys_vendor, subsys_id;
	uint16_t reserved;
	struct kr_pci_bar bar[KR_PCI_BARS];
	char claimed_by[32];    /* the claiming driver's name, "" if unclaimed */
};
KR_ABI_OFFSET(struct kr_pci_info, bar, 24);
KR_ABI_SIZE(struct kr_pci_info, 200);

/* Which function to claim: fields that are 0xffff (vendor, device) or
 * 0xff (class_code, subclass) match anything; set at least one. */
#define KR_PCI_MATCH_VERSION 1
#define KR_PCI_ANY16 0xffffu
#define KR_PCI_ANY8  0xffu
struct kr_pci_match {
	uint32_t version;       /* KR_PCI_MATCH_VERSION */
	uint16_t vendor, device;
	uint8_t class_code, subclass;
	uint16_t reserved;
};
KR_ABI_SIZE(struct kr_pci_match, 12);

typedef void (*kr_pci_irq_fn)(void *ctx);

struct kr_pci_ops {
	struct kr_ops_header hdr;       /* version KR_PCI_VERSION */
	/* The index-th function found (bus, device, function order);
	 * KR_ENOENT past the last. */
	kr_err_t (*get)(uint32_t index, struct kr_pci_info *out);
	/* Claim the nth (0, 1, ...) unclaimed function matching m for the
	 * driver whose domain id is owner (kr_domain_id(self)) and name is
	 * who: *handle names the claim, *out (if not NULL) describes the
	 * function.  Memory and bus mastering are turned on.  KR_ENOENT: no
	 * such function; KR_EINVAL: a bad match. */
	kr_err_t (*claim)(uint32_t owner, const char *who, const struct kr_pci_match *m,
			  uint32_t nth, uint32_t *handle, struct kr_pci_info *out);
	/* Give it back: the BARs are unmapped, the interrupt unbound, the
	 * function's bus mastering turned off. */
	kr_err_t (*release)(uint32_t handle);
	/* Configuration space of the claimed function: width 1, 2 or 4,
	 * aligned, off < 256.  Writes to the BARs (0x10..0x27) and the ROM
	 * address (0x30) are refused (KR_EPERM): they are the pci module's. */
	kr_err_t (*cfg_read)(uint32_t handle, uint32_t off, unsigned width, uint32_t *val);
	kr_err_t (*cfg_write)(uint32_t handle, uint32_t off, unsigned width, uint32_t val);
	/* Map memory BAR bar (the whole of it, uncached) into the kernel:
	 * *va, *len.  KR_EINVAL for an I/O or absent BAR; mapped once per
	 * claim (the same va again after). */
	kr_err_t (*map_bar)(uint32_t handle, unsigned bar, volatile void **va, uint64_t *len);
	/* I/O BAR bar, port offset off (the access inside the BAR). */
	kr_err_t (*io_read)(uint32_t handle, unsigned bar, uint32_t off, unsigned width,
			    uint32_t *val);
	kr_err_t (*io_write)(uint32_t handle, unsigned bar, uint32_t off, unsigned width,
			     uint32_t val);
	/* Call fn(ctx) at every interrupt of the function's INTx line (shared
	 * lines call every bound claim on them; fn must check its device and
	 * quieten it, interrupts off, no blocking).  fn NULL unbinds.
	 * KR_ENOENT if the firmware routed it to no line. */
	kr_err_t (*irq_bind)(uint32_t handle, kr_pci_irq_fn fn, void *ctx);
};
KR_ABI_SIZE(struct kr_pci_ops, 88);

#endif
