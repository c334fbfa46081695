/*
 * resolve.c - a module's undefined symbols: its dependencies' exports,
 * then the core's table (see resolve.h).
 */
#include <karyon/libc.h>

#include "resolve.h"

/* The export of name in m, or NULL. */
static const struct kr_module_export *exported(const struct kres_module *m, const char *name)
{
	for (size_t e = 0; e < m->nexports; e++)
		if (!strcmp(m->exports[e].name, name))
			return &m->exports[e];
	return NULL;
}

const char *kres_conflict(const struct kres_module *m, const struct kres_module *loaded,
			  size_t n, const char **owner)
{
	for (size_t e = 0; e < m->nexports; e++)
		for (size_t i = 0; i < n; i++)
			if (exported(&loaded[i], m->exports[e].name)) {
				*owner = loaded[i].name;
				return m->exports[e].name;
			}
	return NULL;
}

static uint32_t module_abi(const struct kres *r)
{
	return KR_VERSION(r->info->abi_major, r->info->abi_minor, 0);
}

kr_err_t kres_lookup(const struct kres *r, const char *name, uint64_t *addr)
{
	uint32_t version = 0;
	kr_err_t e;

	/* Two dependencies exporting one name (kmod refuses a second exporter,
	 * so only tables built otherwise have it): the first named wins. */
	for (uint32_t i = 0; i < r->ndeps; i++) {
		const struct kr_module_export *x = exported(&r->deps[i], name);

		if (x) {
			*addr = (uint64_t)(uintptr_t)x->addr;
			return KR_OK;
		}
	}
	e = r->core(name, addr, &version);
	if (e)
		return KR_ENOENT;
	/* A module may use only what the ABI it declares has, so that an
	 * older core refuses it by its abi_minor rather than at run time. */
	return version > module_abi(r) ? KR_ERANGE : KR_OK;
}

void kres_explain(const struct kres *r, const char *name, char *buf, size_t len)
{
	const struct kr_module_info *in = r->info;
	const char *other = NULL;
	uint64_t addr;
	uint32_t version = 0;
	size_t n;

	if (!len)
		return;
	if (r->core(name, &addr, &version) == KR_OK && version > module_abi(r)) {
		ksnprintf(buf, len, "uses %s of ABI %u.%u but declares ABI %u.%u", name,
			  KR_VERSION_MAJOR(version), KR_VERSION_MINOR(version), in->abi_major,
			  in->abi_minor);
		return;
	}
	for (uint32_t i = 0; i < r->nothers && !other; i++)
		if (exported(&r->others[i], name))
			other = r->others[i].name;
	if (!other && in->abi_major == KR_ABI_MAJOR && in->abi_minor > KR_ABI_MINOR) {
		ksnprintf(buf, len, "needs ABI %u.%u (%s), core is %u.%u", in->abi_major,
			  in->abi_minor, name, KR_ABI_MAJOR, KR_ABI_MINOR);
		return;
	}
	n = (size_t)ksnprintf(buf, len, "unresolved symbol %s (not in the ABI export table or in "
			      "a declared dependency%s", name, in->ndeps ? ":" : "");
	for (uint32_t i = 0; i < in->ndeps && n < len; i++)
		n += (size_t)ksnprintf(buf + n, len - n, "%s%s", i ? ", " : " ", in->deps[i].name);
	if (other && n < len)
		n += (size_t)ksnprintf(buf + n, len - n, "; %s exports it but is not a dependency",
				       other);
	if (n < len)
		ksnprintf(buf + n, len - n, ")");
}
