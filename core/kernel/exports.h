/*
 * exports.h - the table of functions the core exports to modules.
 *
 * Generated at build time from the KR_API marks in the abi/karyon headers
 * (tools/gen_exports.py), sorted by name.  The module loader resolves a
 * module's undefined symbols against this table and nothing else.
 */
#ifndef KARYON_EXPORTS_H
#define KARYON_EXPORTS_H

#include <stdint.h>

struct kr_export {
	const char *name;
	const void *addr;
	uint16_t major, minor;  /* ABI version that introduced it */
};

extern const struct kr_export kr_exports[];
extern const unsigned kr_exports_count;

const struct kr_export *exports_find(const char *name);

#endif
