/*
 * exports.c - lookup in the generated export table (see exports.h).
 */
#include <krt/string.h>

#include <karyon/module.h>

#include "kernel/exports.h"

/* A binary search: gen_exports.py sorts the table by name. */
kr_err_t kr_export_lookup(const char *name, uint64_t *addr, uint32_t *version)
{
	unsigned lo = 0, hi = name && addr ? kr_exports_count : 0;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct kr_export *e = &kr_exports[mid];
		int c = strcmp(name, e->name);

		if (c == 0) {
			*addr = (uint64_t)e->addr;
			if (version)
				*version = KR_VERSION(e->major, e->minor, 0);
			return KR_OK;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return name && addr ? KR_ENOENT : KR_EINVAL;
}

kr_err_t kr_kernel_image(const void **start, size_t *len)
{
	extern const char __text_start[], __rodata_end[];

	if (!start || !len)
		return KR_EINVAL;
	*start = __text_start;
	*len = (size_t)(__rodata_end - __text_start);
	return KR_OK;
}
