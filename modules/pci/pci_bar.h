/*
 * pci_bar.h - sizing a function's BARs: pure code over a configuration
 * space accessor, so the host tests size BARs of a simulated function.
 */
#ifndef KARYON_PCI_BAR_H
#define KARYON_PCI_BAR_H

#include <stdint.h>
#include <karyon/pci.h>

struct pci_cfg {
	void *ctx;
	uint32_t (*read)(void *ctx, uint32_t off);              /* a dword, off aligned */
	void (*write)(void *ctx, uint32_t off, uint32_t val);
};

#define PCI_COMMAND      0x04
#define PCI_CMD_IO       (1u << 0)
#define PCI_CMD_MEM      (1u << 1)
#define PCI_CMD_MASTER   (1u << 2)
#define PCI_BAR0         0x10

/* Size the first nbars (6 for a type 0 header, 2 for a bridge) BARs into
 * bar[0..nbars): each is written all ones and read back with decoding
 * turned off in the command register, then restored.  A 64-bit BAR fills
 * bar[i] and leaves bar[i + 1] KR_PCI_BAR_NONE; one in the last slot is
 * refused (NONE).  An implausible answer (a size that is not a power of
 * two, an I/O BAR past 64 KiB of ports) leaves that BAR NONE: the device
 * is input too.  Returns how many BARs were refused. */
unsigned pci_size_bars(const struct pci_cfg *c, unsigned nbars, struct kr_pci_bar *bar);

#endif
