/*
 * test_mb2.c - multiboot2 information parser.
 *
 * Each test builds an MBI byte by byte with the mbi_* helpers (tags padded
 * to 8 as the spec says) and parses a copy held in a malloc block of exactly
 * `readable` bytes, so ASan flags any read past what the caller allowed.
 * Expected values come from what the test put into the MBI, and error
 * offsets from where the builder placed the tag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "multiboot2.h"

#define MBI_CAP   16384
#define MBI_PHYS  0x10000ull

struct mbi {
	uint8_t b[MBI_CAP];
	uint32_t len;
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void mbi_init(struct mbi *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

/* Append a tag with the given body; returns its offset.  size = 8 + len. */
static uint32_t mbi_tag(struct mbi *m, uint32_t type, const void *body,
			uint32_t len)
{
	uint32_t off = m->len;

	assert_true(off + 8 + len + 8 <= MBI_CAP);
	put32(m->b + off, type);
	put32(m->b + off + 4, 8 + len);
	if (len)
		memcpy(m->b + off + 8, body, len);
	m->len = (off + 8 + len + 7) & ~7u;
	return off;
}

static uint32_t mbi_str(struct mbi *m, uint32_t type, const char *s)
{
	return mbi_tag(m, type, s, strlen(s) + 1);
}

static uint32_t mbi_module(struct mbi *m, uint32_t start, uint32_t end,
			   const char *s)
{
	uint8_t body[256];

	put32(body, start);
	put32(body + 4, end);
	memcpy(body + 8, s, strlen(s) + 1);
	return mbi_tag(m, MB2_TAG_MODULE, body, 8 + strlen(s) + 1);
}

/* A memory map tag with entries of esz bytes (>= 24); extra bytes are junk. */
static uint32_t mbi_mmap(struct mbi *m, uint32_t esz,
			 const struct kr_mem_range *r, uint32_t n)
{
	static uint8_t body[8 + 200 * 40];
	uint32_t i;

	assert_true(n <= 200 && esz <= 40);
	memset(body, 0xa5, sizeof(body));
	put32(body, esz);
	put32(body + 4, 0);
	for (i = 0; i < n; i++) {
		uint8_t *e = body + 8 + i * esz;

		put64(e, r[i].base);
		put64(e + 8, r[i].length);
		put32(e + 16, r[i].type);
		put32(e + 20, 0);
	}
	return mbi_tag(m, MB2_TAG_MMAP, body, 8 + n * esz);
}

/* End tag, then total_size. */
static void mbi_end(struct mbi *m)
{
	mbi_tag(m, MB2_TAG_END, NULL, 0);
	put32(m->b, m->len);
}

/* Parse the first `readable` bytes of m from a block of exactly that size. */
static kr_err_t parse_n(const struct mbi *m, uint64_t readable,
			struct kr_boot_info *out, struct mb2_error *err)
{
	uint8_t *copy = malloc(readable);
	kr_err_t e;

	assert_non_null(copy);
	memcpy(copy, m->b, readable);
	e = mb2_parse(copy, MBI_PHYS, readable, out, err);
	free(copy);
	return e;
}

static kr_err_t parse(const struct mbi *m, struct kr_boot_info *out,
		      struct mb2_error *err)
{
	return parse_n(m, m->len, out, err);
}

static struct kr_boot_info info;       /* 5 KiB: keep it off the stack */

/* Parse m, expect error e at tag/offset, with a phrase. */
static void expect_err(const struct mbi *m, kr_err_t e, uint32_t tag,
		       uint32_t off)
{
	struct mb2_error err = { 0 };

	assert_int_equal(parse(m, &info, &err), e);
	assert_int_equal(err.tag, tag);
	assert_int_equal(err.offset, off);
	assert_non_null(err.what);
	assert_true(strlen(err.what) > 0);
}

static const struct kr_mem_range bios_map[5] = {
	{ 0x0,       0x9fc00,   KR_MEM_USABLE,   0 },
	{ 0x9fc00,   0x400,     KR_MEM_RESERVED, 0 },
	{ 0xf0000,   0x10000,   KR_MEM_RESERVED, 0 },
	{ 0x100000,  0x7ee0000, KR_MEM_USABLE,   0 },
	{ 0x7fe0000, 0x20000,   KR_MEM_ACPI_RECLAIM, 0 },
};

/* RSDP copies: signature, checksum, OEM ID, revision, RSDT (+ XSDP part). */
static const uint8_t rsdp_v1[20] = {
	'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x42, 'O', 'E', 'M', 'I', 'D',
	'1', 0, 0x00, 0xe0, 0x0f, 0x7f,
};
static const uint8_t rsdp_v2[36] = {
	'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x17, 'O', 'E', 'M', 'I', 'D',
	'2', 2, 0x00, 0xe0, 0x0f, 0x7f, 36, 0, 0, 0,
	0x00, 0x10, 0xfe, 0x7f, 0, 0, 0, 0, 0x99, 0, 0, 0,
};

/* A GRUB-on-BIOS-like MBI, with tags the parser must step over. */
static void build_bios(struct mbi *m, uint32_t *fb_off)
{
	uint8_t meminfo[8], bootdev[12] = { 0 }, fb[30], elf[20] = { 0 };

	mbi_init(m);
	mbi_str(m, MB2_TAG_CMDLINE, "root=/dev/ram0 console=ttyS0");
	mbi_str(m, MB2_TAG_LOADER, "GRUB 2.06");
	mbi_module(m, 0x200000, 0x234567, "init.kmod arg=1");
	mbi_module(m, 0x300000, 0x301000, "vfs.kmod");
	put32(meminfo, 639);
	put32(meminfo + 4, 130048);
	mbi_tag(m, 4, meminfo, sizeof(meminfo));
	mbi_tag(m, 5, bootdev, sizeof(bootdev));
	mbi_mmap(m, 24, bios_map, 5);
	mbi_tag(m, MB2_TAG_RSDP_OLD, rsdp_v1, sizeof(rsdp_v1));
	/* framebuffer: common part (22 bytes + u16 reserved), RGB info (6) */
	memset(fb, 0, sizeof(fb));
	put64(fb, 0xfd000000);
	put32(fb + 8, 4096);
	put32(fb + 12, 1024);
	put32(fb + 16, 768);
	fb[20] = 32;
	fb[21] = 1;
	memcpy(fb + 24, "\x10\x08\x08\x08\x00\x08", 6);
	*fb_off = mbi_tag(m, MB2_TAG_FB, fb, sizeof(fb));
	mbi_tag(m, 9, elf, sizeof(elf));
	mbi_tag(m, 0x1234, "odd", 3);  /* unknown type, size 11: padding */
	mbi_end(m);
}

static void test_bios(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	struct mb2_error err = { 7, 7, "untouched" };
	uint32_t fb_off, i;

	(void)state;
	build_bios(m, &fb_off);
	memset(&info, 0xcc, sizeof(info));
	assert_int_equal(parse(m, &info, &err), KR_OK);
	assert_int_equal(err.tag, 7);
	assert_int_equal(err.offset, 7);
	assert_string_equal(err.what, "untouched");

	assert_true(info.magic == KR_BOOT_INFO_MAGIC);
	assert_int_equal(info.version, KR_BOOT_INFO_VERSION);
	assert_int_equal(info.size, sizeof(struct kr_boot_info));
	assert_int_equal(info.flags, KR_BOOT_HAS_MMAP | KR_BOOT_HAS_CMDLINE |
			 KR_BOOT_HAS_RSDP | KR_BOOT_HAS_FB | KR_BOOT_HAS_LOADER);
	assert_true(info.mbi_phys == MBI_PHYS);
	assert_true(info.mbi_size == m->len);
	assert_true(info.kernel_phys_start == 0 && info.kernel_phys_end == 0);
	assert_string_equal(info.cmdline, "root=/dev/ram0 console=ttyS0");
	assert_string_equal(info.loader, "GRUB 2.06");

	assert_int_equal(info.module_count, 2);
	assert_true(info.modules[0].start == 0x200000);
	assert_true(info.modules[0].end == 0x234567);
	assert_string_equal(info.modules[0].cmdline, "init.kmod arg=1");
	assert_true(info.modules[1].start == 0x300000);
	assert_true(info.modules[1].end == 0x301000);
	assert_string_equal(info.modules[1].cmdline, "vfs.kmod");

	assert_int_equal(info.mmap_count, 5);
	for (i = 0; i < 5; i++) {
		assert_true(info.mmap[i].base == bios_map[i].base);
		assert_true(info.mmap[i].length == bios_map[i].length);
		assert_int_equal(info.mmap[i].type, bios_map[i].type);
	}

	assert_int_equal(info.rsdp_len, 20);
	assert_memory_equal(info.rsdp, rsdp_v1, 20);

	assert_true(info.fb.addr == 0xfd000000);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.width, 1024);
	assert_int_equal(info.fb.height, 768);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.type, 1);
	assert_true(info.efi_system_table == 0 && info.efi_mmap_size == 0);
	free(m);
}

static void build_efi(struct mbi *m, int new_first, uint32_t *efi_off)
{
	uint8_t st[8], handle[8] = { 0 }, emap[8 + 3 * 48];
	uint32_t i;

	mbi_init(m);
	mbi_str(m, MB2_TAG_CMDLINE, "quiet");
	mbi_str(m, MB2_TAG_LOADER, "GRUB 2.12");
	put64(st, 0x7f9e0018);
	mbi_tag(m, MB2_TAG_EFI64, st, sizeof(st));
	if (new_first)
		mbi_tag(m, MB2_TAG_RSDP_NEW, rsdp_v2, sizeof(rsdp_v2));
	mbi_tag(m, MB2_TAG_RSDP_OLD, rsdp_v1, sizeof(rsdp_v1));
	if (!new_first)
		mbi_tag(m, MB2_TAG_RSDP_NEW, rsdp_v2, sizeof(rsdp_v2));
	put32(emap, 48);
	put32(emap + 4, 1);
	for (i = 8; i < sizeof(emap); i++)
		emap[i] = (uint8_t)i;
	*efi_off = mbi_tag(m, MB2_TAG_EFI_MMAP, emap, sizeof(emap));
	mbi_tag(m, 20, handle, sizeof(handle));
	/* tags the core ignores may repeat (one network tag per DHCP packet) */
	mbi_tag(m, 16, handle, 5);
	mbi_tag(m, 16, handle, 5);
	mbi_end(m);
}

static void test_efi(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	struct mb2_error err;
	uint32_t efi_off;
	int new_first;

	(void)state;
	for (new_first = 0; new_first < 2; new_first++) {
		build_efi(m, new_first, &efi_off);
		memset(&info, 0xcc, sizeof(info));
		assert_int_equal(parse(m, &info, &err), KR_OK);
		/* No memory map tag is the caller's problem, not a parse error. */
		assert_int_equal(info.flags, KR_BOOT_HAS_CMDLINE |
				 KR_BOOT_HAS_LOADER | KR_BOOT_HAS_RSDP |
				 KR_BOOT_HAS_EFI_MMAP | KR_BOOT_HAS_EFI64);
		assert_int_equal(info.mmap_count, 0);
		assert_int_equal(info.module_count, 0);
		assert_string_equal(info.cmdline, "quiet");
		assert_true(info.efi_system_table == 0x7f9e0018);
		assert_int_equal(info.rsdp_len, 36);
		assert_memory_equal(info.rsdp, rsdp_v2, 36);
		assert_true(info.efi_mmap_phys == MBI_PHYS + efi_off + 16);
		assert_int_equal(info.efi_mmap_size, 3 * 48);
		assert_int_equal(info.efi_desc_size, 48);
		assert_int_equal(info.efi_desc_version, 1);
		/* the recorded address really points at the descriptors */
		assert_int_equal(m->b[info.efi_mmap_phys - MBI_PHYS], 8);
	}
	free(m);
}

static void test_entry_size_32(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	struct mb2_error err;
	uint32_t i;

	(void)state;
	mbi_init(m);
	mbi_mmap(m, 32, bios_map, 5);
	mbi_end(m);
	assert_int_equal(parse(m, &info, &err), KR_OK);
	assert_int_equal(info.flags, KR_BOOT_HAS_MMAP);
	assert_int_equal(info.mmap_count, 5);
	for (i = 0; i < 5; i++) {
		assert_true(info.mmap[i].base == bios_map[i].base);
		assert_true(info.mmap[i].length == bios_map[i].length);
		assert_int_equal(info.mmap[i].type, bios_map[i].type);
	}
	free(m);
}

static void test_limits_fit(void **state)
{
	static struct kr_mem_range map[KR_BOOT_MMAP_MAX];
	struct mbi *m = malloc(sizeof(*m));
	struct mb2_error err;
	char line[KR_BOOT_CMDLINE_MAX], name[100], mod[100];
	uint32_t i;

	(void)state;
	for (i = 0; i < KR_BOOT_MMAP_MAX; i++)
		map[i] = (struct kr_mem_range){ i * 0x1000ull, 0x1000,
						KR_MEM_USABLE, 0 };
	memset(line, 'c', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';          /* exactly MAX - 1 chars */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(mod, 'm', sizeof(mod) - 1);
	mod[sizeof(mod) - 1] = '\0';
	mbi_init(m);
	mbi_str(m, MB2_TAG_CMDLINE, line);
	mbi_str(m, MB2_TAG_LOADER, name);
	for (i = 0; i < KR_BOOT_MODULES_MAX; i++)
		mbi_module(m, i * 0x1000, i * 0x1000 + (i ? 0x800 : 0), mod);
	mbi_mmap(m, 24, map, KR_BOOT_MMAP_MAX);
	mbi_end(m);
	assert_int_equal(parse(m, &info, &err), KR_OK);
	assert_string_equal(info.cmdline, line);
	/* loader and module strings are cut to their fields, NUL-terminated */
	assert_int_equal(strlen(info.loader), KR_BOOT_NAME_MAX - 1);
	assert_memory_equal(info.loader, name, KR_BOOT_NAME_MAX - 1);
	assert_int_equal(info.module_count, KR_BOOT_MODULES_MAX);
	assert_true(info.modules[0].start == info.modules[0].end);
	assert_true(info.modules[15].end == 15 * 0x1000 + 0x800);
	assert_int_equal(strlen(info.modules[15].cmdline), KR_BOOT_MODSTR_MAX - 1);
	assert_int_equal(info.mmap_count, KR_BOOT_MMAP_MAX);
	assert_true(info.mmap[127].base == 127 * 0x1000ull);
	free(m);
}

/* ---- malformed input: each its own code, tag and offset ---- */

static void test_header_errors(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	struct mb2_error err;

	(void)state;
	mbi_init(m);
	mbi_end(m);
	put32(m->b, 8);                         /* total_size < 16 */
	expect_err(m, KR_ETRUNC, MB2_TAG_HEADER, 0);

	mbi_init(m);
	mbi_str(m, MB2_TAG_CMDLINE, "x");
	mbi_end(m);
	assert_int_equal(parse_n(m, m->len - 8, &info, &err), KR_ETRUNC);
	assert_int_equal(err.tag, MB2_TAG_HEADER);
	assert_int_equal(err.offset, 0);
	assert_int_equal(parse_n(m, 7, &info, &err), KR_ETRUNC);
	assert_int_equal(err.tag, MB2_TAG_HEADER);

	put32(m->b, MB2_SIZE_CAP + 8);          /* over the cap, aligned */
	expect_err(m, KR_ERANGE, MB2_TAG_HEADER, 0);
	put32(m->b, m->len - 4);                /* not a multiple of 8 */
	expect_err(m, KR_EFORMAT, MB2_TAG_HEADER, 0);

	assert_int_equal(mb2_parse(NULL, 0, 64, &info, &err), KR_EINVAL);
	assert_int_equal(mb2_parse(m->b, 0, m->len, NULL, &err), KR_EINVAL);
	assert_int_equal(mb2_parse(m->b, 0, m->len, &info, NULL), KR_EINVAL);
	free(m);
}

static void test_tag_size_errors(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	uint32_t off, bad;

	(void)state;
	for (bad = 0; bad < 8; bad += 4) {      /* sizes 0 and 4 */
		mbi_init(m);
		mbi_str(m, MB2_TAG_LOADER, "GRUB");
		off = mbi_str(m, MB2_TAG_CMDLINE, "x");
		mbi_end(m);
		put32(m->b + off + 4, bad);
		expect_err(m, KR_EFORMAT, MB2_TAG_CMDLINE, off);
	}

	/* a tag whose size runs one byte past total_size */
	mbi_init(m);
	off = mbi_str(m, MB2_TAG_LOADER, "GRUB");
	mbi_end(m);
	put32(m->b + off + 4, m->len - off + 1);
	expect_err(m, KR_ETRUNC, MB2_TAG_LOADER, off);

	/* no end tag: the walk reaches total_size where it should be */
	mbi_init(m);
	mbi_str(m, MB2_TAG_LOADER, "GRUB");
	put32(m->b, m->len);
	expect_err(m, KR_ETRUNC, MB2_TAG_END, m->len);

	/* end tag with the wrong size */
	mbi_init(m);
	mbi_end(m);
	put32(m->b + 12, 16);
	mbi_tag(m, 0x99, NULL, 0);
	put32(m->b, m->len);
	expect_err(m, KR_EFORMAT, MB2_TAG_END, 8);
	free(m);
}

static void test_string_errors(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	char line[KR_BOOT_CMDLINE_MAX + 1];
	uint32_t off;

	(void)state;
	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_CMDLINE, "abc", 3);    /* no NUL */
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_CMDLINE, off);

	mbi_init(m);
	mbi_str(m, MB2_TAG_CMDLINE, "a");
	off = mbi_tag(m, MB2_TAG_LOADER, NULL, 0);      /* empty: no NUL */
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_LOADER, off);

	memset(line, 'c', KR_BOOT_CMDLINE_MAX);
	line[KR_BOOT_CMDLINE_MAX] = '\0';               /* MAX chars: one too many */
	mbi_init(m);
	off = mbi_str(m, MB2_TAG_CMDLINE, line);
	mbi_end(m);
	expect_err(m, KR_ENOSPC, MB2_TAG_CMDLINE, off);
	free(m);
}

static void test_mmap_errors(void **state)
{
	static const uint32_t bad_esz[] = { 0, 20, 28, 36 };
	static struct kr_mem_range map[KR_BOOT_MMAP_MAX + 1];
	struct mbi *m = malloc(sizeof(*m));
	uint8_t body[8 + 3 * 40];
	uint32_t off, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(body, 0, sizeof(body));
		put32(body, bad_esz[i]);
		mbi_init(m);
		off = mbi_tag(m, MB2_TAG_MMAP, body, 8 + 3 * 40);
		mbi_end(m);
		expect_err(m, KR_EFORMAT, MB2_TAG_MMAP, off);
	}

	/* a partial trailing entry */
	put32(body, 24);
	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_MMAP, body, 8 + 24 + 8);
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_MMAP, off);

	mbi_init(m);
	off = mbi_mmap(m, 24, map, KR_BOOT_MMAP_MAX + 1);
	mbi_end(m);
	expect_err(m, KR_ENOSPC, MB2_TAG_MMAP, off);

	mbi_init(m);
	mbi_mmap(m, 24, bios_map, 5);
	mbi_str(m, MB2_TAG_CMDLINE, "x");
	off = mbi_mmap(m, 24, bios_map, 2);
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_MMAP, off);
	free(m);
}

static void test_module_errors(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	uint8_t body[4];
	uint32_t off, i;

	(void)state;
	mbi_init(m);
	for (i = 0; i < KR_BOOT_MODULES_MAX; i++)
		mbi_module(m, 0x100000, 0x101000, "m");
	off = mbi_module(m, 0x100000, 0x101000, "one too many");
	mbi_end(m);
	expect_err(m, KR_ENOSPC, MB2_TAG_MODULE, off);

	mbi_init(m);
	mbi_module(m, 0x100000, 0x101000, "ok");
	off = mbi_module(m, 0x200000, 0x1fffff, "backwards");
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_MODULE, off);

	put32(body, 0x100000);                  /* mod_start only: size 12 */
	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_MODULE, body, sizeof(body));
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_MODULE, off);
	free(m);
}

static void test_other_tag_errors(void **state)
{
	struct mbi *m = malloc(sizeof(*m));
	uint8_t body[8] = { 48, 0, 0, 0, 1, 0, 0, 0 };
	uint32_t off;

	(void)state;
	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_RSDP_NEW, rsdp_v2, 20);  /* v1-sized copy */
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_RSDP_NEW, off);

	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_RSDP_OLD, rsdp_v1, 19);
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_RSDP_OLD, off);

	body[0] = 0;                            /* EFI desc size 0 */
	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_EFI_MMAP, body, sizeof(body));
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_EFI_MMAP, off);

	mbi_init(m);
	off = mbi_tag(m, MB2_TAG_FB, body, sizeof(body));
	mbi_end(m);
	expect_err(m, KR_EFORMAT, MB2_TAG_FB, off);
	free(m);
}

/*
 * Cut a valid MBI at every length.  Keeping total_size tests the header
 * check; rewriting total_size to the cut tests the tag walk's own bounds.
 */
static void test_every_truncation(void **state)
{
	struct mbi *m = malloc(sizeof(*m)), *cut = malloc(sizeof(*m));
	struct mb2_error err;
	uint32_t fb_off, n;
	kr_err_t want;

	(void)state;
	build_bios(m, &fb_off);
	for (n = 0; n <= m->len; n++) {
		err.what = NULL;
		assert_int_equal(parse_n(m, n, &info, &err),
				 n == m->len ? KR_OK : KR_ETRUNC);
		assert_true(n == m->len || err.tag == MB2_TAG_HEADER);

		memcpy(cut, m, sizeof(*m));
		if (n >= 4)
			put32(cut->b, n);
		want = n == m->len ? KR_OK :
		       n >= 16 && n % 8 ? KR_EFORMAT : KR_ETRUNC;
		err.what = NULL;
		assert_int_equal(parse_n(cut, n, &info, &err), want);
		assert_true(want == KR_OK || err.what != NULL);
	}
	free(cut);
	free(m);
}

static void test_tag_names(void **state)
{
	(void)state;
	assert_string_equal(mb2_tag_name(MB2_TAG_MMAP), "memory map");
	assert_string_equal(mb2_tag_name(MB2_TAG_MODULE), "module");
	assert_string_equal(mb2_tag_name(MB2_TAG_CMDLINE), "command line");
	assert_string_equal(mb2_tag_name(MB2_TAG_EFI_MMAP), "EFI memory map");
	assert_string_equal(mb2_tag_name(MB2_TAG_RSDP_NEW), "ACPI new RSDP");
	assert_string_equal(mb2_tag_name(MB2_TAG_HEADER), "header");
	assert_string_equal(mb2_tag_name(22), "unknown");
	assert_string_equal(mb2_tag_name(0x1234), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bios),
		cmocka_unit_test(test_efi),
		cmocka_unit_test(test_entry_size_32),
		cmocka_unit_test(test_limits_fit),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_tag_size_errors),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_mmap_errors),
		cmocka_unit_test(test_module_errors),
		cmocka_unit_test(test_other_tag_errors),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_tag_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
