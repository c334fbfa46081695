/*
 * lsmod_verbose.c - `lsmod -v`: where each module's image lies, the
 * addresses a debugger needs (tools/gdb/karyon.py reads the same ones from
 * the kmod module's table).  Kept apart from commands.c so that lsmod's
 * plain listing and its debugging view change independently.
 */
#include <karyon/kmod.h>
#include <karyon/libc.h>

#include "lsmod_verbose.h"
#include "shell.h"

/* "0x..." for a region, "-" for an empty one (its address would only be
 * where the next region ends). */
static const char *region(char *buf, size_t len, uint64_t addr, uint64_t size)
{
	if (!size)
		return "-";
	ksnprintf(buf, len, "0x%016llx", (unsigned long long)addr);
	return buf;
}

int lsmod_verbose(void)
{
	char t[24], r[24], d[24];
	struct kr_kmod_entry e;
	struct kr_kmod_layout l;
	kr_err_t err;

	sh_printf("%-16s %-18s %-18s %-18s %s\n", "name", "text", "rodata", "data", "size");
	for (uint32_t i = 0; shell_kmod->get(i, &e) == KR_OK; i++) {
		err = shell_kmod->layout(i, &l);
		if (err == KR_ENOSYS) {
			sh_printf("%-16s (built in: in the kernel image, see its symbols)\n", e.name);
			continue;
		}
		if (err) {
			sh_printf("%-16s (%s)\n", e.name, kr_strerror(err));
			continue;
		}
		sh_printf("%-16s %-18s %-18s %-18s %llu\n", e.name,
			  region(t, sizeof(t), l.text, l.text_size), region(r, sizeof(r), l.ro, l.ro_size),
			  region(d, sizeof(d), l.data, l.data_size), (unsigned long long)l.size);
	}
	return 0;
}
