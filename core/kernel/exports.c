/*
 * exports.c - lookup in the generated export table (see exports.h).
 */
#include <krt/string.h>

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
