/*
 * boot_info.h - what the boot loader told the kernel, in one pinned struct.
 *
 * The core parses the multiboot2 information into struct kr_boot_info
 * once, early, and nothing after that reads multiboot2 tags.  The struct has
 * fixed-size arrays so its layout can be pinned; the limits below are checked
 * by the parser, which reports an overflow instead of truncating silently.
 * Addresses are physical.
 */
#ifndef KARYON_BOOT_INFO_H
#define KARYON_BOOT_INFO_H

#include <karyon/abi.h>

#define KR_BOOT_INFO_MAGIC   0x4f464e49544f4f42ULL /* "BOOTINFO" */
#define KR_BOOT_INFO_VERSION 1

#define KR_BOOT_MMAP_MAX     128
#define KR_BOOT_MODULES_MAX  16
#define KR_BOOT_CMDLINE_MAX  512
#define KR_BOOT_MODSTR_MAX   64
#define KR_BOOT_NAME_MAX     64

/* Memory range types: the multiboot2 numbering. */
enum kr_mem_type {
	KR_MEM_USABLE       = 1,
	KR_MEM_RESERVED     = 2,
	KR_MEM_ACPI_RECLAIM = 3,
	KR_MEM_ACPI_NVS     = 4,
	KR_MEM_BAD          = 5,
};

/* kr_boot_info.flags */
#define KR_BOOT_HAS_MMAP     (1u << 0)
#define KR_BOOT_HAS_CMDLINE  (1u << 1)
#define KR_BOOT_HAS_RSDP     (1u << 2) /* rsdp[] holds a copy, rsdp_len bytes */
#define KR_BOOT_HAS_FB       (1u << 3)
#define KR_BOOT_HAS_EFI_MMAP (1u << 4)
#define KR_BOOT_HAS_EFI64    (1u << 5) /* efi_system_table is valid */
#define KR_BOOT_HAS_LOADER   (1u << 6)

struct kr_mem_range {
	uint64_t base;
	uint64_t length;
	uint32_t type;          /* enum kr_mem_type */
	uint32_t reserved;
};
KR_ABI_SIZE(struct kr_mem_range, 24);

struct kr_boot_module {
	uint64_t start;         /* first byte */
	uint64_t end;           /* one past the last byte */
	char     cmdline[KR_BOOT_MODSTR_MAX]; /* NUL-terminated */
};
KR_ABI_SIZE(struct kr_boot_module, 80);

struct kr_framebuffer {
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t  bpp;
	uint8_t  type;          /* multiboot2: 0 indexed, 1 RGB, 2 EGA text */
	uint16_t reserved;
};
KR_ABI_SIZE(struct kr_framebuffer, 24);

struct kr_boot_info {
	uint64_t magic;         /* KR_BOOT_INFO_MAGIC */
	uint32_t version;       /* KR_BOOT_INFO_VERSION */
	uint32_t size;          /* sizeof(struct kr_boot_info) */
	uint32_t flags;         /* KR_BOOT_HAS_* */
	uint32_t mmap_count;
	uint32_t module_count;
	uint32_t rsdp_len;      /* 20 (ACPI 1.0) or 36 (ACPI 2.0+) */
	uint64_t mbi_phys;      /* the multiboot2 information block itself */
	uint64_t mbi_size;
	uint64_t kernel_phys_start;
	uint64_t kernel_phys_end;
	uint64_t efi_system_table;
	uint64_t efi_mmap_phys; /* descriptors inside the MBI */
	uint32_t efi_mmap_size; /* bytes */
	uint32_t efi_desc_size;
	uint32_t efi_desc_version;
	uint32_t reserved0;
	uint8_t  rsdp[40];
	struct kr_framebuffer fb;
	char     cmdline[KR_BOOT_CMDLINE_MAX];
	char     loader[KR_BOOT_NAME_MAX];
	struct kr_mem_range   mmap[KR_BOOT_MMAP_MAX];
	struct kr_boot_module modules[KR_BOOT_MODULES_MAX];
};
KR_ABI_OFFSET(struct kr_boot_info, flags, 16);
KR_ABI_OFFSET(struct kr_boot_info, mbi_phys, 32);
KR_ABI_OFFSET(struct kr_boot_info, efi_mmap_phys, 72);
KR_ABI_OFFSET(struct kr_boot_info, rsdp, 96);
KR_ABI_OFFSET(struct kr_boot_info, fb, 136);
KR_ABI_OFFSET(struct kr_boot_info, cmdline, 160);
KR_ABI_OFFSET(struct kr_boot_info, loader, 672);
KR_ABI_OFFSET(struct kr_boot_info, mmap, 736);
KR_ABI_OFFSET(struct kr_boot_info, modules, 3808);
KR_ABI_SIZE(struct kr_boot_info, 5088);

#endif
