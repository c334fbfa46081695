/*
 * abi.h - version of the stable C ABI between the core and modules, and the
 * layout-pinning helpers every ABI struct uses.
 *
 * A change that moves or resizes a field of an ABI struct is a new major
 * version; adding a function or a constant is a new minor version.  See
 * docs/abi-changelog.md.
 */
#ifndef KARYON_ABI_H
#define KARYON_ABI_H

#include <stddef.h>
#include <stdint.h>

#define KR_ABI_MAJOR 1
#define KR_ABI_MINOR 4

/* The page size of every address the ABI deals in. */
#define KR_PAGE_SIZE 4096u

/* Versions as major.minor.patch in one comparable number (modules,
 * dependencies), and the parts back. */
#define KR_VERSION(major, minor, patch) \
	(((uint32_t)(major) << 16) | ((uint32_t)(minor) << 8) | (uint32_t)(patch))
#define KR_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define KR_VERSION_MINOR(v) (((uint32_t)(v) >> 8) & 0xffu)
#define KR_VERSION_PATCH(v) ((uint32_t)(v) & 0xffu)

/*
 * KR_API(major, minor) marks a function the core exports to modules, with
 * the ABI version that introduced it.  tools/gen_exports.py reads these
 * marks to build the export table the module loader resolves against; a
 * function without the mark is not reachable from a module.
 */
#define KR_API(major, minor)

/* Pin an ABI struct's size and field offsets; a failure means "bump the major". */
#define KR_ABI_SIZE(type, bytes) \
	_Static_assert(sizeof(type) == (bytes), #type " changed size: ABI break")
#define KR_ABI_OFFSET(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), \
		       #type "." #field " moved: ABI break")

#endif
