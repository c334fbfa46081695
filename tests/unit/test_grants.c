/*
 * test_grants.c - the tcc module's grant table (modules/tcc/grants.c): what
 * a handler's undefined symbol resolves to under a set of grants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tcc/grants.h"
#include "tcc/ulib/ulib.h"

static void table_is_consistent(void **state)
{
	(void)state;
	assert_true(grant_ncalls > 100);
	for (unsigned i = 0; i < grant_ncalls; i++) {
		assert_int_equal(grant_calls[i].nr, i + 1);     /* numbered in order, never reused */
		assert_true(grant_calls[i].grant < GRANT_COUNT);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(grant_calls[i].name, grant_calls[j].name);
	}
}

static void pure_calls_need_no_grant(void **state)
{
	const struct grant_call *c = NULL;

	(void)state;
	assert_int_equal(grant_lookup("strlen", 0, &c), KR_OK);
	assert_string_equal(c->name, "strlen");
	assert_int_equal(grant_lookup("qsort", 0, &c), KR_OK);
	assert_int_equal(grant_lookup("__fixunsdfdi", 0, &c), KR_OK);  /* tcc's helpers */
	assert_int_equal(grant_lookup("malloc", GRANT_DEFAULT, &c), KR_OK);
}

static void granted_calls_follow_the_mask(void **state)
{
	const struct grant_call *c = NULL;
	uint32_t mask = GRANT_DEFAULT;

	(void)state;
	assert_int_equal(grant_lookup("printf", mask, &c), KR_OK);
	assert_int_equal(grant_lookup("stdout", mask, &c), KR_OK);
	assert_int_equal(grant_lookup("printf", GRANT_BIT(GRANT_PURE), &c), KR_EPERM);
	assert_int_equal(grant_lookup("vfs_read", mask, &c), KR_EPERM);
	assert_int_equal(c->grant, GRANT_VFS_READ);             /* says what is missing */
	assert_int_equal(grant_lookup("vfs_write", mask, &c), KR_EPERM);
	assert_int_equal(grant_lookup("time_us", mask, &c), KR_EPERM);
	assert_int_equal(grant_parse("vfs.read,time", &mask, NULL, NULL), KR_OK);
	assert_int_equal(grant_lookup("vfs_read", mask, &c), KR_OK);
	assert_int_equal(grant_lookup("vfs_size", mask, &c), KR_OK);
	assert_int_equal(grant_lookup("time_us", mask, &c), KR_OK);
	assert_int_equal(grant_lookup("vfs_append", mask, &c), KR_EPERM);
}

/* Grant "parcel": the organelles' fabric, calls 121-123 (ulib/ulib.h). */
static void parcel_calls_need_their_grant(void **state)
{
	static const struct { const char *name; unsigned nr; } calls[] = {
		{ "parcel_send", ULIB_SYS_PARCEL_SEND },
		{ "parcel_send_raw", ULIB_SYS_PARCEL_SEND_RAW },
		{ "parcel_recv", ULIB_SYS_PARCEL_RECV },
	};
	const struct grant_call *c = NULL;
	uint32_t mask = GRANT_DEFAULT;

	(void)state;
	assert_int_equal(grant_parse("parcel", &mask, NULL, NULL), KR_OK);
	assert_int_equal(mask, GRANT_DEFAULT | GRANT_BIT(GRANT_PARCEL));
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		assert_int_equal(grant_lookup(calls[i].name, GRANT_DEFAULT, &c), KR_EPERM);
		assert_int_equal(c->grant, GRANT_PARCEL);       /* says what is missing */
		assert_int_equal(grant_lookup(calls[i].name, mask, &c), KR_OK);
		assert_int_equal(c->nr, calls[i].nr);
	}
	/* "events.raise" does not open the fabric, nor "parcel" the bus. */
	assert_int_equal(grant_lookup("parcel_send", GRANT_BIT(GRANT_EVENTS_RAISE), &c), KR_EPERM);
	assert_int_equal(grant_lookup("event_raise", mask, &c), KR_EPERM);
	assert_string_equal(grant_name(GRANT_PARCEL), "parcel");
}

static void kernel_internals_never_resolve(void **state)
{
	static const char *const internal[] = {
		"kr_page_alloc", "kr_domain_destroy", "kr_guard_call", "kr_service_open",
		"panic", "kmalloc", "open", "dlsym", "tcc_new", "mprotect", "", "printf2",
	};
	const struct grant_call *c = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		assert_int_equal(grant_lookup(internal[i], UINT32_MAX, &c), KR_ENOENT);
}

static void parse_grants(void **state)
{
	uint32_t mask = 0;
	const char *bad = NULL;
	unsigned badlen = 0;
	const char *list = "console,bogus,time";

	(void)state;
	assert_int_equal(grant_parse("console", &mask, NULL, NULL), KR_OK);
	assert_int_equal(mask, GRANT_BIT(GRANT_CONSOLE));
	assert_int_equal(grant_parse(list, &mask, &bad, &badlen), KR_EUNKNOWN);
	assert_ptr_equal(bad, list + 8);
	assert_int_equal(badlen, 5);
	assert_int_equal(mask, GRANT_BIT(GRANT_CONSOLE));       /* unchanged on error */
	assert_int_equal(grant_parse("pure", &mask, &bad, &badlen), KR_EUNKNOWN);
	/* "vm" is a contract's grant (contract.c), never a handler's. */
	assert_int_equal(grant_parse("vm", &mask, &bad, &badlen), KR_EUNKNOWN);
	assert_int_equal(grant_parse("vfs.read,,time", &mask, &bad, &badlen), KR_EUNKNOWN);
	assert_int_equal(badlen, 0);
	assert_int_equal(grant_parse("vfs.rea", &mask, &bad, &badlen), KR_EUNKNOWN);
	assert_int_equal(grant_parse("vfs.write,vfs.read", &mask, NULL, NULL), KR_OK);
	assert_int_equal(mask, GRANT_BIT(GRANT_CONSOLE) | GRANT_BIT(GRANT_VFS_READ) |
			       GRANT_BIT(GRANT_VFS_WRITE));
	assert_int_equal(grant_parse(NULL, &mask, NULL, NULL), KR_EINVAL);
}

static void format_grants(void **state)
{
	char buf[64], tiny[8];

	(void)state;
	grant_format(GRANT_DEFAULT, buf, sizeof(buf));
	assert_string_equal(buf, "console");
	grant_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	grant_format(UINT32_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "console,vfs.read,vfs.write,time,events.raise,parcel,vm");
	memset(tiny, 'x', sizeof(tiny));
	grant_format(UINT32_MAX, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);       /* cut, still terminated */
	assert_string_equal(grant_name(GRANT_VFS_WRITE), "vfs.write");
	assert_null(grant_name(GRANT_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_consistent),
		cmocka_unit_test(pure_calls_need_no_grant),
		cmocka_unit_test(granted_calls_follow_the_mask),
		cmocka_unit_test(parcel_calls_need_their_grant),
		cmocka_unit_test(kernel_internals_never_resolve),
		cmocka_unit_test(parse_grants),
		cmocka_unit_test(format_grants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
