/*
 * exports.c - lookup in the generated export table (see exports.h).
 */
#include <krt/string.h>

#include <karyon/module.h>

#include "kernel/exports.h"

const struct kr_export *exports_find(const char *name)
{
	unsigned lo = 0, hi = kr_exports_count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = strcmp(name, kr_exports[mid].name);

		if (c == 0)
			return &kr_exports[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

kr_err_t kr_export_lookup(const char *name, uint64_t *addr)
{
	const struct kr_export *e = name && addr ? exports_find(name) : NULL;

	if (!e)
		return name && addr ? KR_ENOENT : KR_EINVAL;
	*addr = (uint64_t)e->addr;
	return KR_OK;
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
