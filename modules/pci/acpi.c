/*
 * acpi.c - just enough ACPI to find the MCFG table: the RSDP (the copy
 * the boot loader handed over, kr_acpi_rsdp, else searched for in the
 * BIOS area, 0xe0000-0xfffff, on 16-byte boundaries, with its checksum),
 * the RSDT or XSDT it points to, and the table among theirs signed
 * "MCFG", whose first entry for segment 0 gives the ECAM window.
 *
 * Physical memory is read through MMIO capabilities minted for the
 * moment into a scratch domain (the tables live in memory the firmware
 * keeps, never in usable RAM) and copied out; every length and pointer
 * the firmware wrote is checked against what was mapped and against its
 * checksum before it is followed: tables are input too.
 */
#include <karyon/libc.h>
#include <karyon/module.h>
#include "pci_int.h"

#define TABLE_MAX 4096          /* the most of a table we read */

/* Copy n bytes of physical memory at phys into buf. */
static kr_err_t phys_read(uint64_t phys, void *buf, size_t n)
{
	uint64_t lo = phys & ~(uint64_t)(KR_PAGE_SIZE - 1);
	uint64_t hi = (phys + n + KR_PAGE_SIZE - 1) & ~(uint64_t)(KR_PAGE_SIZE - 1);
	struct kr_need need = KR_NEED_MMIO(0, 0);
	volatile uint8_t *va;
	kr_domain_t *d;
	kr_cap_t c;
	kr_err_t e;

	if (!n || phys + n < phys)
		return KR_ERANGE;
	need.base = lo;
	need.count = hi - lo;
	e = kr_domain_create(pci_self, "pci.acpi", 4, &d);
	if (e)
		return e;
	e = kr_need_grant(pci_self, pci_devices, d, 0, &need, NULL);
	if (!e)
		e = kr_need_cap(d, 0, &c);
	if (!e)
		e = kr_mmio_map(d, c, (volatile void **)&va);
	if (!e)
		for (size_t i = 0; i < n; i++)
			((uint8_t *)buf)[i] = va[phys - lo + i];
	kr_domain_destroy(pci_self, d);
	return e;
}

static bool sum_ok(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* A whole table at phys into buf (TABLE_MAX bytes): its length, or 0 if
 * it is not one (bad length or checksum). */
static uint32_t table(uint64_t phys, uint8_t *buf)
{
	uint32_t len;

	if (phys_read(phys, buf, 36) != KR_OK)
		return 0;
	len = le32(buf + 4);
	if (len < 36 || len > TABLE_MAX || phys_read(phys, buf, len) != KR_OK ||
	    !sum_ok(buf, len))
		return 0;
	return len;
}

static kr_err_t find_rsdp(uint8_t rsdp[36])
{
	static uint8_t area[0x20000];   /* 0xe0000-0xfffff */
	size_t n = 0;
	const uint8_t *given = kr_acpi_rsdp(&n);

	/* The boot loader's copy first (the only one under UEFI), checked */
	if ((n == 20 || n == 36) && !memcmp(given, "RSD PTR ", 8) && sum_ok(given, 20)) {
		memset(rsdp, 0, 36);
		memcpy(rsdp, given, n == 36 && sum_ok(given, 36) ? 36 : 20);
		if (n != 36 || !sum_ok(given, 36))
			rsdp[15] = 0;
		return KR_OK;
	}
	if (phys_read(0xe0000, area, sizeof(area)) != KR_OK)
		return KR_ENOENT;
	for (size_t off = 0; off + 20 <= sizeof(area); off += 16)
		if (!memcmp(area + off, "RSD PTR ", 8) && sum_ok(area + off, 20)) {
			size_t n = area[off + 15] >= 2 && off + 36 <= sizeof(area) &&
				   sum_ok(area + off, 36) ? 36 : 20;

			memset(rsdp, 0, 36);
			memcpy(rsdp, area + off, n);
			if (n == 20)
				rsdp[15] = 0;   /* revision 2 with a bad extended sum: use the RSDT */
			return KR_OK;
		}
	return KR_ENOENT;
}

kr_err_t acpi_find_mcfg(struct acpi_mcfg *out, char *why, size_t whysz)
{
	static uint8_t root[TABLE_MAX], t[TABLE_MAX];
	uint8_t rsdp[36];
	uint32_t len, entry;
	bool x;

	if (find_rsdp(rsdp) != KR_OK) {
		ksnprintf(why, whysz, "no RSDP in the BIOS area");
		return KR_ENOENT;
	}
	x = rsdp[15] >= 2 && le64(rsdp + 24);
	len = table(x ? le64(rsdp + 24) : le32(rsdp + 16), root);
	if (!len || memcmp(root, x ? "XSDT" : "RSDT", 4)) {
		ksnprintf(why, whysz, "the %s does not check out", x ? "XSDT" : "RSDT");
		return KR_EFORMAT;
	}
	entry = x ? 8 : 4;
	for (uint32_t off = 36; off + entry <= len; off += entry) {
		uint64_t at = x ? le64(root + off) : le32(root + off);
		uint32_t n = table(at, t);

		if (!n || memcmp(t, "MCFG", 4))
			continue;
		for (uint32_t e = 44; e + 16 <= n; e += 16)
			if ((t[e + 8] | t[e + 9] << 8) == 0 && t[e + 10] <= t[e + 11] &&
			    le64(t + e) && !(le64(t + e) & 0xfffff)) {
				out->base = le64(t + e);
				out->first_bus = t[e + 10];
				out->last_bus = t[e + 11];
				return KR_OK;
			}
		ksnprintf(why, whysz, "MCFG has no usable entry for segment 0");
		return KR_ENOENT;
	}
	ksnprintf(why, whysz, "no MCFG table");
	return KR_ENOENT;
}
