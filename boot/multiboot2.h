/*
 * multiboot2.h - parse the multiboot2 boot information (MBI) into struct
 * kr_boot_info.  A pure function over bytes: no globals, no output, so the
 * same code runs in the kernel and in host unit tests.
 */
#ifndef KARYON_MB2_H
#define KARYON_MB2_H

#include <stdint.h>
#include <karyon/boot_info.h>
#include <karyon/err.h>

/* Tag types from the multiboot2 specification that the parser reads. */
#define MB2_TAG_END       0
#define MB2_TAG_CMDLINE   1
#define MB2_TAG_LOADER    2
#define MB2_TAG_MODULE    3
#define MB2_TAG_MMAP      6
#define MB2_TAG_FB        8
#define MB2_TAG_EFI64     12
#define MB2_TAG_RSDP_OLD  14
#define MB2_TAG_RSDP_NEW  15
#define MB2_TAG_EFI_MMAP  17
#define MB2_TAG_HEADER    0xffffffffu /* mb2_error.tag for the fixed header */

#define MB2_SIZE_CAP      (1u << 20)  /* sanity cap on total_size */

struct mb2_error {
	uint32_t tag;           /* type of the bad tag, or MB2_TAG_HEADER */
	uint32_t offset;        /* byte offset of that tag in the MBI */
	const char *what;       /* static English phrase */
};

/*
 * Parse the MBI at mbi (physical address mbi_phys); at most readable bytes
 * from mbi may be read.  On failure err says where and why and out may be
 * partly written; on success err is left alone.  kernel_phys_start/end
 * are left 0 for the caller.  A NULL argument is KR_EINVAL (err filled if
 * err itself is not NULL).
 */
kr_err_t mb2_parse(const void *mbi, uint64_t mbi_phys, uint64_t readable,
		   struct kr_boot_info *out, struct mb2_error *err);

/* Name of a tag type for messages; "header" for MB2_TAG_HEADER, else "unknown". */
const char *mb2_tag_name(uint32_t type);

#endif
