/*
 * ksyms.c - symbol lookup over the table tools/gen_ksyms.py generates, for
 * the core's backtraces.
 *
 * The table lives in .ksyms (last in the image, see linker.ld): a count,
 * sorted addresses, name offsets and the names.  The first link of the
 * kernel carries an empty table; its symbols fill the table of the second.
 */
#include <stddef.h>

#include <krt/ksyms.h>

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addr[];
extern const uint32_t ksyms_name[];
extern const char ksyms_strings[];
extern const char __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = ksyms_count;

	if (hi == 0 || addr < ksyms_addr[0] || addr >= (uint64_t)__text_end)
		return NULL;
	while (hi - lo > 1) {           /* largest i with ksyms_addr[i] <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*off = addr - ksyms_addr[lo];
	return ksyms_strings + ksyms_name[lo];
}
