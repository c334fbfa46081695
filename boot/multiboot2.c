/*
 * multiboot2.c - turn the multiboot2 boot information (MBI) into struct
 * kr_boot_info.  It lives in boot/, beside the GRUB menu, because it is the
 * adapter for one boot protocol: the core reads only kr_boot_info.
 *
 * Three layers: mb2_parse() checks the fixed header against the bytes the
 * caller can read and walks the tag list, checking each tag's bounds in one
 * place; mb2_tag() checks the layout of one understood tag and copies its
 * fields; rd32()/rd64()/mb2_string() are the only readers of tag bodies.
 * No byte is read before the walk has proved it lies inside
 * [mbi, mbi + min(total_size, readable)).
 */
#include "multiboot2.h"
#include <krt/string.h>

/* Tags that may appear once; modules are the only list GRUB repeats. */
#define MB2_ONCE ((1u << MB2_TAG_CMDLINE) | (1u << MB2_TAG_LOADER) | \
		  (1u << MB2_TAG_MMAP) | (1u << MB2_TAG_FB) | \
		  (1u << MB2_TAG_EFI64) | (1u << MB2_TAG_RSDP_OLD) | \
		  (1u << MB2_TAG_RSDP_NEW) | (1u << MB2_TAG_EFI_MMAP))

#define MB2_EFI_DESC_MIN 40     /* sizeof(EFI_MEMORY_DESCRIPTOR) */

static const char *const mb2_names[] = {
	"end", "command line", "boot loader name", "module",
	"basic memory info", "BIOS boot device", "memory map", "VBE info",
	"framebuffer info", "ELF sections", "APM table",
	"EFI 32-bit system table", "EFI 64-bit system table", "SMBIOS tables",
	"ACPI old RSDP", "ACPI new RSDP", "network info", "EFI memory map",
	"EFI boot services not terminated", "EFI 32-bit image handle",
	"EFI 64-bit image handle", "image load base address",
};

const char *mb2_tag_name(uint32_t type)
{
	if (type == MB2_TAG_HEADER)
		return "header";
	if (type < sizeof(mb2_names) / sizeof(mb2_names[0]))
		return mb2_names[type];
	return "unknown";
}

/* memcpy because the MBI is raw bytes: no alignment or aliasing promises. */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static kr_err_t mb2_bad(const char **what, const char *why, kr_err_t e)
{
	*what = why;
	return e;
}

/*
 * Copy the NUL-terminated string in s[0..len) into dst[cap].  exact: a string
 * that does not fit is an error (the command line must never be cut short);
 * otherwise it is cut to cap - 1 bytes.
 */
static kr_err_t mb2_string(const uint8_t *s, uint32_t len, char *dst,
			   size_t cap, int exact, const char **what)
{
	size_t n = strnlen((const char *)s, len);

	if (n == len)
		return mb2_bad(what, "string has no NUL inside its tag",
			       KR_EFORMAT);
	if (n >= cap) {
		if (exact)
			return mb2_bad(what, "string is longer than the boot "
				       "info holds", KR_ENOSPC);
		n = cap - 1;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return KR_OK;
}

static kr_err_t mb2_mmap(const uint8_t *t, uint32_t size,
			 struct kr_boot_info *out, const char **what)
{
	uint32_t esz, n, i;

	if (size < 16)
		return mb2_bad(what, "memory map tag is too short", KR_EFORMAT);
	esz = rd32(t + 8);
	if (esz < sizeof(struct kr_mem_range) || esz % 8)
		return mb2_bad(what, "entry_size is below 24 or not a multiple "
			       "of 8", KR_EFORMAT);
	if ((size - 16) % esz)
		return mb2_bad(what, "memory map ends inside an entry",
			       KR_EFORMAT);
	n = (size - 16) / esz;
	if (n > KR_BOOT_MMAP_MAX)
		return mb2_bad(what, "more memory map entries than the boot "
			       "info holds", KR_ENOSPC);
	for (i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + i * esz;

		out->mmap[i].base = rd64(e);
		out->mmap[i].length = rd64(e + 8);
		out->mmap[i].type = rd32(e + 16);
		out->mmap[i].reserved = 0;
	}
	out->mmap_count = n;
	return KR_OK;
}

static kr_err_t mb2_module(const uint8_t *t, uint32_t size,
			   struct kr_boot_info *out, const char **what)
{
	struct kr_boot_module *m;
	uint32_t start, end;
	kr_err_t e;

	if (size < 16)
		return mb2_bad(what, "module tag is too short", KR_EFORMAT);
	start = rd32(t + 8);
	end = rd32(t + 12);
	if (end < start)
		return mb2_bad(what, "mod_end is below mod_start", KR_EFORMAT);
	if (out->module_count == KR_BOOT_MODULES_MAX)
		return mb2_bad(what, "more modules than the boot info holds",
			       KR_ENOSPC);
	m = &out->modules[out->module_count];
	e = mb2_string(t + 16, size - 16, m->cmdline, sizeof(m->cmdline), 0,
		       what);
	if (e)
		return e;
	m->start = start;
	m->end = end;
	out->module_count++;
	return KR_OK;
}

/* One tag whose size the walk has checked: t[0..size) is readable. */
static kr_err_t mb2_tag(const uint8_t *t, uint32_t type, uint32_t size,
			uint64_t phys, struct kr_boot_info *out,
			const char **what)
{
	uint32_t len, flag = 0;
	kr_err_t e = KR_OK;

	switch (type) {
	case MB2_TAG_CMDLINE:
		e = mb2_string(t + 8, size - 8, out->cmdline,
			       sizeof(out->cmdline), 1, what);
		flag = KR_BOOT_HAS_CMDLINE;
		break;
	case MB2_TAG_LOADER:
		e = mb2_string(t + 8, size - 8, out->loader,
			       sizeof(out->loader), 0, what);
		flag = KR_BOOT_HAS_LOADER;
		break;
	case MB2_TAG_MODULE:
		return mb2_module(t, size, out, what);
	case MB2_TAG_MMAP:
		e = mb2_mmap(t, size, out, what);
		flag = KR_BOOT_HAS_MMAP;
		break;
	case MB2_TAG_FB:
		/* Only the common part; the colour info after it varies. */
		if (size < 30)
			return mb2_bad(what, "framebuffer tag is too short",
				       KR_EFORMAT);
		out->fb.addr = rd64(t + 8);
		out->fb.pitch = rd32(t + 16);
		out->fb.width = rd32(t + 20);
		out->fb.height = rd32(t + 24);
		out->fb.bpp = t[28];
		out->fb.type = t[29];
		flag = KR_BOOT_HAS_FB;
		break;
	case MB2_TAG_EFI64:
		if (size < 16)
			return mb2_bad(what, "EFI system table tag is too "
				       "short", KR_EFORMAT);
		out->efi_system_table = rd64(t + 8);
		flag = KR_BOOT_HAS_EFI64;
		break;
	case MB2_TAG_RSDP_OLD:
	case MB2_TAG_RSDP_NEW:
		len = type == MB2_TAG_RSDP_NEW ? 36 : 20;
		if (size < 8 + len)
			return mb2_bad(what, "ACPI RSDP tag is too short",
				       KR_EFORMAT);
		/* The ACPI 2.0 copy wins whichever order the tags come in. */
		if (out->rsdp_len < len) {
			memcpy(out->rsdp, t + 8, len);
			out->rsdp_len = len;
		}
		flag = KR_BOOT_HAS_RSDP;
		break;
	case MB2_TAG_EFI_MMAP:
		if (size < 16)
			return mb2_bad(what, "EFI memory map tag is too short",
				       KR_EFORMAT);
		len = rd32(t + 8);
		/* Users step by desc_size: zero or a short one would misparse. */
		if (len < MB2_EFI_DESC_MIN || len % 8)
			return mb2_bad(what, "EFI descriptor size is below 40 "
				       "or not a multiple of 8", KR_EFORMAT);
		out->efi_desc_size = len;
		out->efi_desc_version = rd32(t + 12);
		out->efi_mmap_phys = phys + 16;
		out->efi_mmap_size = size - 16;
		flag = KR_BOOT_HAS_EFI_MMAP;
		break;
	default:
		break;  /* other tags carry nothing the core uses */
	}
	if (!e)
		out->flags |= flag;
	return e;
}

static kr_err_t mb2_fail(struct mb2_error *err, uint32_t tag, uint32_t off,
			 kr_err_t e, const char *what)
{
	err->tag = tag;
	err->offset = off;
	err->what = what;
	return e;
}

kr_err_t mb2_parse(const void *mbi, uint64_t mbi_phys, uint64_t readable,
		   struct kr_boot_info *out, struct mb2_error *err)
{
	const uint8_t *b = mbi;
	uint32_t total, off, type, size, seen = 0;
	const char *what;
	kr_err_t e;

	if (!err)
		return KR_EINVAL;
	if (!mbi || !out)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_EINVAL,
				"no information block or no output");
	if (readable < 8)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_ETRUNC,
				"header runs past the readable bytes");
	total = rd32(b);
	if (total < 16)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_ETRUNC,
				"total_size leaves no room for an end tag");
	if (total > MB2_SIZE_CAP)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_ERANGE,
				"total_size is over the 1 MiB sanity cap");
	/* Tags are 8-aligned and the end tag is 8 bytes, so total is too. */
	if (total % 8)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_EFORMAT,
				"total_size is not a multiple of 8");
	if (total > readable)
		return mb2_fail(err, MB2_TAG_HEADER, 0, KR_ETRUNC,
				"total_size runs past the readable bytes");

	memset(out, 0, sizeof(*out));
	out->magic = KR_BOOT_INFO_MAGIC;
	out->version = KR_BOOT_INFO_VERSION;
	out->size = sizeof(*out);
	out->mbi_phys = mbi_phys;
	out->mbi_size = total;

	/* off and total are multiples of 8, so a tag that fits fits padded. */
	for (off = 8;; off += (size + 7) & ~7u) {
		if (total - off < 8)
			return mb2_fail(err, MB2_TAG_END, off, KR_ETRUNC,
					"no end tag before total_size");
		type = rd32(b + off);
		size = rd32(b + off + 4);
		if (size < 8)
			return mb2_fail(err, type, off, KR_EFORMAT,
					"tag size is below 8");
		if (size > total - off)
			return mb2_fail(err, type, off, KR_ETRUNC,
					"size runs past the end of the "
					"information block");
		if (type == MB2_TAG_END)
			return size == 8 ? KR_OK :
				mb2_fail(err, type, off, KR_EFORMAT,
					 "end tag size is not 8");
		if (type < 32 && ((MB2_ONCE >> type) & 1)) {
			if ((seen >> type) & 1)
				return mb2_fail(err, type, off, KR_EFORMAT,
						"tag appears twice");
			seen |= 1u << type;
		}
		e = mb2_tag(b + off, type, size, mbi_phys + off, out, &what);
		if (e)
			return mb2_fail(err, type, off, e, what);
	}
}
