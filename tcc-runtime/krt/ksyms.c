/*
 * ksyms.c - symbol lookup over the table tools/gen_ksyms.py generates,
 * backtraces (the core's panic report, a scheduler's faulted task) and the
 * names of CPU exceptions.
 *
 * The table lives in .ksyms (last in the image, see linker.ld): a count,
 * sorted addresses, name offsets and the names; then the built-in
 * modules' sizes, in link order (kr_builtin_size).  The first link of the
 * kernel carries an empty table; its symbols fill the table of the second.
 */
#include <stddef.h>

#include <karyon/guard.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <krt/ksyms.h>

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addr[];
extern const uint32_t ksyms_name[];
extern const char ksyms_strings[];
extern const char __text_end[];
extern const uint64_t ksyms_builtin_count;
extern const uint64_t ksyms_builtin_size[];

kr_err_t kr_builtin_size(uint32_t index, uint64_t *bytes)
{
	if (!bytes)
		return KR_EINVAL;
	if (index >= ksyms_builtin_count)
		return KR_ENOENT;
	*bytes = ksyms_builtin_size[index];
	return KR_OK;
}

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

void ksym_print_addr(const char *pre, uint64_t a)
{
	uint64_t off;
	const char *name = ksym_lookup(a, &off);

	if (name)
		kr_log(KR_LOG_ERR, "%s%016llx <%s+0x%llx>\n", pre, (unsigned long long)a, name,
		       (unsigned long long)off);
	else
		kr_log(KR_LOG_ERR, "%s%016llx\n", pre, (unsigned long long)a);
}

void ksym_backtrace(uint64_t rbp, uint64_t lo, uint64_t hi)
{
	kr_log(KR_LOG_ERR, "backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		const uint64_t *fp = (const uint64_t *)rbp;

		if (rbp < lo || rbp + 16 > hi || (rbp & 7) || fp[1] == 0)
			break;
		ksym_print_addr("  ", fp[1]);
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
}

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

const char *kr_exc_name(uint32_t vector)
{
	return vector < 32 ? exc_names[vector] : "interrupt";
}
