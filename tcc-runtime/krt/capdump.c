/*
 * capdump.c - kr_cap_dump(): a capability table as text, one line per
 * capability, for the shell's `caps` and the test kernels.
 *
 * The core only enumerates (kr_cap_list, core/cap/cap.c); how a table
 * looks is decided here, outside the core's line budget.  Linked into every
 * kernel and exported like the core's functions, since <karyon/cap.h>
 * declares it with KR_API.
 */
#include <stdbool.h>
#include <karyon/cap.h>
#include <krt/fmt.h>

static const char *const type_names[] = {
	[KR_OBJ_PAGES] = "pages", [KR_OBJ_IRQ] = "irq", [KR_OBJ_IOPORT] = "ioport",
	[KR_OBJ_SERVICE] = "service", [KR_OBJ_MODULE] = "module", [KR_OBJ_MMIO] = "mmio",
	[KR_OBJ_SYSTEM] = "system", [KR_OBJ_ASPACE] = "aspace",
};

/* The line for e: handle, type, rights, object, depth, parent. */
static void cap_line(const struct kr_cap_entry *e, char *line, size_t len)
{
	const struct kr_cap_info *in = &e->info;
	const char *type = in->type < sizeof(type_names) / sizeof(type_names[0]) &&
			   type_names[in->type] ? type_names[in->type] : "?";
	bool away = e->flags & KR_CAP_ENTRY_PARENT_AWAY;
	char rights[7], obj[40], parent[48];

	for (int b = 0; b < 6; b++)
		rights[b] = in->rights & (1u << b) ? "rwxgbc"[b] : '-';
	rights[6] = '\0';
	if (in->name[0])
		ksnprintf(obj, sizeof(obj), "\"%.31s\"", in->name);
	else if (in->type == KR_OBJ_IRQ)
		ksnprintf(obj, sizeof(obj), "line %llu", (unsigned long long)in->base);
	else if (in->type == KR_OBJ_IOPORT)
		ksnprintf(obj, sizeof(obj), "ports 0x%llx-0x%llx", (unsigned long long)in->base,
			  (unsigned long long)(in->base + in->count - 1));
	else
		ksnprintf(obj, sizeof(obj), "0x%llx n=%llu", (unsigned long long)in->base,
			  (unsigned long long)in->count);
	if (e->parent == KR_CAP_NULL)
		ksnprintf(parent, sizeof(parent), "-");
	else
		ksnprintf(parent, sizeof(parent), "0x%08x%s%.31s", e->parent, away ? " in " : "",
			  away ? e->parent_table : "");
	ksnprintf(line, len, "0x%08x %-7s %s %-24s %5u %s", e->handle, type, rights, obj,
		  in->depth, parent);
}

kr_err_t kr_cap_dump(kr_domain_t *d, kr_cap_t target, kr_print_fn print, void *ctx)
{
	struct kr_cap_entry e;
	char line[160];
	kr_err_t err = print ? kr_cap_list(d, target, 0, &e) : KR_EINVAL;

	if (err && err != KR_ENOENT)
		return err;
	ksnprintf(line, sizeof(line), "cspace %s: handle type rights object depth parent",
		  e.table);
	print(ctx, line);
	for (uint32_t i = 1; !err; err = kr_cap_list(d, target, i++, &e)) {
		cap_line(&e, line, sizeof(line));
		print(ctx, line);
	}
	if (err != KR_ENOENT)   /* print changed what the target names */
		return err;
	ksnprintf(line, sizeof(line), "%u of %u slots used", e.used, e.nslots);
	print(ctx, line);
	return KR_OK;
}
