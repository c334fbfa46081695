/*
 * pci_int.h - what the pci module's files share (pci.c: enumeration and
 * the service; acpi.c: finding ACPI's MCFG table).
 */
#ifndef KARYON_PCI_INT_H
#define KARYON_PCI_INT_H

#include <karyon/cap.h>

extern kr_domain_t *pci_self;
extern kr_cap_t pci_devices;        /* the devices facility: MMIO for ACPI and ECAM */

struct acpi_mcfg {
	uint64_t base;          /* ECAM base of segment 0 (bus 0 at base) */
	uint8_t first_bus, last_bus;
};

/* Segment 0's ECAM window from ACPI's MCFG table: KR_OK, or why not. */
kr_err_t acpi_find_mcfg(struct acpi_mcfg *out, char *why, size_t whysz);

#endif
