/*
 * resolve.h - where a module's undefined symbols come from (kmod).
 *
 * A name resolves against the modules the module names as dependencies,
 * in the order it names them (their KR_EXPORTs), then the core's export
 * table, and nowhere else: what other loaded modules export is invisible
 * to it.  A symbol from the core must be no newer than the ABI the module
 * declares (its descriptor's abi_major.abi_minor).
 *
 * Pure logic, no kernel calls: kmod.c gives it the dependencies' export
 * lists and kr_export_lookup; tests/unit/test_kmod_resolve.c gives it
 * tables of its own.
 */
#ifndef KMOD_RESOLVE_H
#define KMOD_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/module.h>

/* A loaded module's exports. */
struct kres_module {
	const char *name;
	const struct kr_module_export *exports;
	size_t nexports;
};

/* kr_export_lookup's shape: *version is KR_VERSION(major, minor, 0). */
typedef kr_err_t (*kres_core_fn)(const char *name, uint64_t *addr, uint32_t *version);

struct kres {
	const struct kr_module_info *info;      /* the module being loaded */
	const struct kres_module *deps;         /* its loaded dependencies, declared order */
	uint32_t ndeps;
	kres_core_fn core;
	/* Every other loaded module, only to say who exports a name the
	 * module cannot see (may be NULL). */
	const struct kres_module *others;
	uint32_t nothers;
};

/* The first of m's exports that one of the loaded modules (n of them)
 * exports already, or NULL; *owner names that module.  A name has one
 * exporter, so which function a dependent calls never depends on load order. */
const char *kres_conflict(const struct kres_module *m, const struct kres_module *loaded,
			  size_t n, const char **owner);

/* KR_OK with *addr; KR_ENOENT when no dependency and not the core exports
 * name; KR_ERANGE when the core's is newer than the module's ABI. */
kr_err_t kres_lookup(const struct kres *r, const char *name, uint64_t *addr);

/* Why name did not resolve, as the loader tells the user:
 *	needs ABI 1.1 (kr_mmio_map), core is 1.0
 *	unresolved symbol foo (not in the ABI export table or in a declared
 *	dependency: hello; exported by bar, which it does not depend on) */
void kres_explain(const struct kres *r, const char *name, char *buf, size_t len);

#endif
