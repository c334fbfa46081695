/*
 * test_kmod_resolve.c - host tests for where the module loader takes a
 * module's undefined symbols from (modules/kmod/resolve.c): the modules it
 * names as dependencies, in their order, then the core's export table, and
 * nothing else; and the message a user sees when a name does not resolve.
 *
 * The "core" is a table of this file with versions of its own; the loaded
 * modules are export lists whose addresses are just distinct objects.
 * ksnprintf is glibc's vsnprintf, so only resolve.c is under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kmod/resolve.h"

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static char greet_a, greet_b, only_b, core_log, core_new;

static const struct kr_module_export a_exports[] = { { "greet", &greet_a } };
static const struct kr_module_export b_exports[] = { { "greet", &greet_b },
						     { "only_b", &only_b } };
static const struct kres_module mod_a = { "a", a_exports, 1 };
static const struct kres_module mod_b = { "b", b_exports, 2 };

/* The core: kr_log since 1.0, and one symbol of the next minor. */
static const struct { const char *name; void *addr; uint32_t version; } core_table[] = {
	{ "kr_log", &core_log, KR_VERSION(KR_ABI_MAJOR, KR_ABI_MINOR, 0) },
	{ "kr_newer", &core_new, KR_VERSION(KR_ABI_MAJOR, KR_ABI_MINOR + 1, 0) },
};

static kr_err_t core(const char *name, uint64_t *addr, uint32_t *version)
{
	for (size_t i = 0; i < sizeof(core_table) / sizeof(core_table[0]); i++)
		if (!strcmp(core_table[i].name, name)) {
			*addr = (uint64_t)(uintptr_t)core_table[i].addr;
			*version = core_table[i].version;
			return KR_OK;
		}
	return KR_ENOENT;
}

/* A module "c" of this ABI depending on the named modules (loaded). */
static struct kr_module_info info;
static struct kres_module deps[KR_MODULE_DEPS_MAX];

static struct kres module_c(const struct kres_module *d0, const struct kres_module *d1)
{
	const struct kres_module *want[] = { d0, d1 };

	info = (struct kr_module_info){ .magic = KR_MODULE_MAGIC, .abi_major = KR_ABI_MAJOR,
					.abi_minor = KR_ABI_MINOR, .name = "c" };
	for (int i = 0; i < 2 && want[i]; i++) {
		snprintf(info.deps[i].name, sizeof(info.deps[i].name), "%s", want[i]->name);
		deps[info.ndeps++] = *want[i];
	}
	return (struct kres){ .info = &info, .deps = deps, .ndeps = info.ndeps, .core = core };
}

static uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Two loaded modules export "greet"; c depends on b only: it gets b's, and
 * a's is never considered (once the loader refused c for this). */
static void test_two_exporters_dependency_wins(void **state)
{
	struct kres r = module_c(&mod_b, NULL);
	uint64_t addr = 0;

	(void)state;
	r.others = (const struct kres_module[]){ mod_a, mod_b };
	r.nothers = 2;
	assert_int_equal(kres_lookup(&r, "greet", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&greet_b));
	r = module_c(&mod_a, NULL);
	assert_int_equal(kres_lookup(&r, "greet", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&greet_a));
}

/* Two dependencies with one name: the first named wins. */
static void test_first_dependency_wins(void **state)
{
	struct kres r = module_c(&mod_a, &mod_b);
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(kres_lookup(&r, "greet", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&greet_a));
	assert_int_equal(kres_lookup(&r, "only_b", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&only_b));
}

static void test_core_after_dependencies(void **state)
{
	struct kres r = module_c(&mod_a, NULL);
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(kres_lookup(&r, "kr_log", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&core_log));
}

/* A loaded module the module does not depend on is invisible to it. */
static void test_non_dependency_invisible(void **state)
{
	struct kres r = module_c(&mod_a, NULL);
	uint64_t addr = 0;
	char why[160];

	(void)state;
	r.others = (const struct kres_module[]){ mod_a, mod_b };
	r.nothers = 2;
	assert_int_equal(kres_lookup(&r, "only_b", &addr), KR_ENOENT);
	kres_explain(&r, "only_b", why, sizeof(why));
	assert_string_equal(why, "unresolved symbol only_b (not in the ABI export table or in a "
			    "declared dependency: a; b exports it but is not a dependency)");
}

static void test_unresolved_message(void **state)
{
	struct kres r = module_c(NULL, NULL);
	uint64_t addr = 0;
	char why[160];

	(void)state;
	assert_int_equal(kres_lookup(&r, "kr_nothing", &addr), KR_ENOENT);
	kres_explain(&r, "kr_nothing", why, sizeof(why));
	assert_string_equal(why, "unresolved symbol kr_nothing (not in the ABI export table or "
			    "in a declared dependency)");
	r = module_c(&mod_a, &mod_b);
	kres_explain(&r, "kr_nothing", why, sizeof(why));
	assert_string_equal(why, "unresolved symbol kr_nothing (not in the ABI export table or "
			    "in a declared dependency: a, b)");
	kres_explain(&r, "kr_nothing", why, 20);        /* cut, still terminated */
	assert_string_equal(why, "unresolved symbol k");
}

/* Built for the next ABI minor and using what this core lacks: refused by
 * the ABI, not as an unresolved symbol. */
static void test_newer_abi_minor_refused(void **state)
{
	struct kres r = module_c(NULL, NULL);
	uint64_t addr = 0;
	char why[160], want[160];

	(void)state;
	info.abi_minor = KR_ABI_MINOR + 1;
	assert_int_equal(kres_lookup(&r, "kr_mmio_map", &addr), KR_ENOENT);
	kres_explain(&r, "kr_mmio_map", why, sizeof(why));
	snprintf(want, sizeof(want), "needs ABI %d.%d (kr_mmio_map), core is %d.%d", KR_ABI_MAJOR,
		 KR_ABI_MINOR + 1, KR_ABI_MAJOR, KR_ABI_MINOR);
	assert_string_equal(why, want);
	/* What the core has, it still gets: a newer minor is no reason alone. */
	assert_int_equal(kres_lookup(&r, "kr_log", &addr), KR_OK);
	assert_int_equal(addr, addr_of(&core_log));
	assert_int_equal(kres_lookup(&r, "kr_newer", &addr), KR_OK);
}

/* A core symbol newer than the ABI the module declares: the module would
 * not be refused by an older core's minor check, so it is refused here. */
static void test_symbol_newer_than_module_abi(void **state)
{
	struct kres r = module_c(NULL, NULL);
	uint64_t addr = 0;
	char why[160], want[160];

	(void)state;
	assert_int_equal(kres_lookup(&r, "kr_newer", &addr), KR_ERANGE);
	kres_explain(&r, "kr_newer", why, sizeof(why));
	snprintf(want, sizeof(want), "uses kr_newer of ABI %d.%d but declares ABI %d.%d",
		 KR_ABI_MAJOR, KR_ABI_MINOR + 1, KR_ABI_MAJOR, KR_ABI_MINOR);
	assert_string_equal(why, want);
}

/* b exports "greet", which a exports already: the loader refuses b and
 * names a; a module exporting only new names, or loaded first, is fine. */
static void test_second_exporter_named(void **state)
{
	static char only_d;
	static const struct kr_module_export d_exports[] = { { "only_d", &only_d } };
	const struct kres_module mod_d = { "d", d_exports, 1 };
	const struct kres_module loaded[] = { mod_d, mod_a };
	const char *owner = NULL;

	(void)state;
	assert_string_equal(kres_conflict(&mod_b, loaded, 2, &owner), "greet");
	assert_string_equal(owner, "a");
	assert_null(kres_conflict(&mod_b, loaded, 1, &owner));
	assert_null(kres_conflict(&mod_a, NULL, 0, &owner));
	assert_null(kres_conflict(&mod_d, &mod_b, 1, &owner));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_exporters_dependency_wins),
		cmocka_unit_test(test_first_dependency_wins),
		cmocka_unit_test(test_core_after_dependencies),
		cmocka_unit_test(test_non_dependency_invisible),
		cmocka_unit_test(test_unresolved_message),
		cmocka_unit_test(test_newer_abi_minor_refused),
		cmocka_unit_test(test_symbol_newer_than_module_abi),
		cmocka_unit_test(test_second_exporter_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
