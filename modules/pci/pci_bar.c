/*
 * pci_bar.c - BAR sizing (pci_bar.h).
 */
#include "pci_bar.h"

/* A BAR answers all ones with the size's bits clear: the lowest bit set
 * is its size, and every bit above it must be set (else the device is
 * not making sense, and the BAR is refused). */
static uint64_t lowest_bit(uint64_t v)
{
	return v & (~v + 1);
}

unsigned pci_size_bars(const struct pci_cfg *c, unsigned nbars, struct kr_pci_bar *bar)
{
	/* The dword at PCI_COMMAND is command and status: writing the status
	 * half back as read would clear its write-one-to-clear error bits,
	 * and writing zeros there changes nothing. */
	uint32_t cmd = c->read(c->ctx, PCI_COMMAND) & 0xffff;
	unsigned refused = 0;

	c->write(c->ctx, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars; i++) {
		uint32_t off = PCI_BAR0 + 4 * i, orig = c->read(c->ctx, off), lo, hi_orig, hi;
		uint64_t mask, base, size;

		bar[i] = (struct kr_pci_bar){ 0 };
		c->write(c->ctx, off, 0xffffffffu);
		lo = c->read(c->ctx, off);
		c->write(c->ctx, off, orig);
		if (orig & 1) {                         /* I/O */
			mask = lo & 0xfffffffcu;
			size = mask ? lowest_bit(mask) : 0;
			base = orig & 0xfffffffcu;
			if (size && (((mask | (size - 1) | 3) & 0xffff) != 0xffff || size > 0x10000 ||
				     base + size > 0x10000)) {
				refused++;
				continue;
			}
			bar[i] = (struct kr_pci_bar){ base, size, size ? KR_PCI_BAR_IO : 0, 0 };
			continue;
		}
		base = orig & 0xfffffff0u;
		mask = lo & 0xfffffff0u;
		if (((orig >> 1) & 3) == 2) {           /* 64-bit: the next BAR is the high half */
			if (i + 1 >= nbars) {
				refused++;
				continue;
			}
			hi_orig = c->read(c->ctx, off + 4);
			c->write(c->ctx, off + 4, 0xffffffffu);
			hi = c->read(c->ctx, off + 4);
			c->write(c->ctx, off + 4, hi_orig);
			base |= (uint64_t)hi_orig << 32;
			mask |= (uint64_t)hi << 32;
			size = mask ? lowest_bit(mask) : 0;
			if (size && ((mask | (size - 1) | 0xf) != ~0ull || base + size < base)) {
				refused++;
				bar[++i] = (struct kr_pci_bar){ 0 };
				continue;
			}
			bar[i] = (struct kr_pci_bar){ base, size, size ? KR_PCI_BAR_MEM64 : 0,
						      (orig >> 3) & 1 };
			i++;
			bar[i] = (struct kr_pci_bar){ 0 };
			continue;
		}
		size = mask ? lowest_bit(mask) : 0;
		if (size && ((mask | (size - 1) | 0xf) != 0xffffffffu || base + size > 0x100000000ull)) {
			refused++;
			continue;
		}
		bar[i] = (struct kr_pci_bar){ base, size, size ? KR_PCI_BAR_MEM32 : 0, (orig >> 3) & 1 };
	}
	c->write(c->ctx, PCI_COMMAND, cmd);
	return refused;
}
