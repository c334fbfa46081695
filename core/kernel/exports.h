/*
 * exports.h - the table of functions the core exports to modules.
 *
 * Generated at build time from the KR_API marks in the abi/karyon headers
 * (tools/gen_exports.py), sorted by name, each with the ABI version that
 * introduced it.  kr_export_lookup (abi/karyon/module.h) searches it; the
 * module loader tries it after a module's dependencies.
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

#endif
