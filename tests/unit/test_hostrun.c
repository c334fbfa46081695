/*
 * test_hostrun.c - the contract runner on the host (tools/chain/hostrun.c)
 * with the fake VM of tests/contracts/chost.h: how a method's run ends
 * (returned, reverted, out of gas, faulted), the load's refusals and their
 * exact why strings, nested calls eight deep, globals and the stack fresh
 * on every invoke.  It prints the gas of each method of
 * tests/contracts/rt.c: tests/qemu/test_contract.py expects the kernel to
 * print the same figures (the GAS table there).
 *
 * Argument: the source tree's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <liba.h>
#include "hostrun.h"
#include "../contracts/chost.h"

#define GAS 10000000ull

static const char *root;
static const struct kr_contract_ops *ops;
static struct chost host;

static char *source(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *b = malloc(1 << 16);

	snprintf(path, sizeof(path), "%s/%s%s", root, strchr(name, '/') ? "" : "tests/contracts/",
		 name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

static void quiet(void *ctx, const char *line)
{
	(void)ctx;
	if (getenv("HOSTRUN_DIAG"))
		fprintf(stderr, "diag: %s\n", line);
}

static kr_err_t load(const char *file, const char *name, uint32_t *id, char *why)
{
	size_t len;
	char *src = source(file, &len);
	kr_err_t e = ops->load(name, src, len, quiet, NULL, id, why, KR_CONTRACT_WHY_MAX);

	free(src);
	return e;
}

static struct kr_contract_result call(uint32_t id, const char *method, const void *args,
				      uint32_t alen, uint64_t gas, struct cframe *f)
{
	struct kr_contract_result res;
	struct cframe local = { .h = &host };

	if (!f)
		f = &local;
	assert_int_equal(ops->invoke(id, method, args, alen, gas, &chost_table, f, &res), KR_OK);
	assert_int_equal(res.version, KR_CONTRACT_RESULT_VERSION);
	return res;
}

static uint32_t rt;

static int setup(void **state)
{
	char why[KR_CONTRACT_WHY_MAX];

	(void)state;
	host = (struct chost){ .ops = ops };
	if (load("rt.c", "rt", &rt, why) != KR_OK)
		fail_msg("rt.c: %s", why);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(ops->unload(rt), KR_OK);
	return 0;
}

static void returns(void **state)
{
	struct cframe f = { .h = &host };
	struct kr_contract_result r = call(rt, "work", NULL, 0, GAS, &f);
	uint64_t used = GAS - r.gas_left;

	(void)state;
	assert_int_equal(r.end, KR_CONTRACT_RETURNED);
	assert_int_equal(r.ret, 55);
	assert_int_equal(f.retlen, 8);
	assert_int_equal(f.ret[0], 55);
	printf("GAS work %llu\n", (unsigned long long)used);
	/* The same run again uses the same gas; with exactly that much it
	 * still returns, with one less it runs out. */
	r = call(rt, "work", NULL, 0, GAS, NULL);
	assert_int_equal(GAS - r.gas_left, used);
	r = call(rt, "work", NULL, 0, used, NULL);
	assert_int_equal(r.end, KR_CONTRACT_RETURNED);
	assert_int_equal(r.gas_left, 0);
	r = call(rt, "work", NULL, 0, used - 1, NULL);
	assert_int_equal(r.end, KR_CONTRACT_OUT_OF_GAS);
	assert_int_equal(r.gas_left, 0);
	assert_true(ops->has_method(rt, "work"));
	assert_false(ops->has_method(rt, "nope"));
}

static void out_of_gas(void **state)
{
	struct kr_contract_result a = call(rt, "spin", NULL, 0, 123457, NULL);
	struct kr_contract_result b = call(rt, "spin", NULL, 0, 123457, NULL);

	(void)state;
	assert_int_equal(a.end, KR_CONTRACT_OUT_OF_GAS);
	assert_int_equal(b.end, KR_CONTRACT_OUT_OF_GAS);
	assert_int_equal(a.gas_left, 0);
	assert_int_equal(b.gas_left, 0);
	/* A host function's charge that does not fit: store needs 20,000+. */
	a = call(rt, "store", NULL, 0, 5000, NULL);
	assert_int_equal(a.end, KR_CONTRACT_OUT_OF_GAS);
}

static void reverts(void **state)
{
	struct cframe f = { .h = &host };
	struct kr_contract_result r = call(rt, "rev", NULL, 0, GAS, &f);

	(void)state;
	assert_int_equal(r.end, KR_CONTRACT_REVERTED);
	assert_int_equal(f.retlen, 4);
	assert_memory_equal(f.ret, "nope", 4);
	printf("GAS rev %llu\n", (unsigned long long)(GAS - r.gas_left));
}

static void faults(void **state)
{
	static const struct { const char *method, *why; } cases[] = {
		{ "nullp", "NULL pointer dereference" }, { "divz", "divide error" },
		{ "deep", "stack overflow" }, { "badptr", "bad pointer to liba_get (argument 1: 0x10)" },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kr_contract_result r = call(rt, cases[i].method, NULL, 0, GAS, NULL);

		printf("%s: %s\n", cases[i].method, r.why);
		assert_int_equal(r.end, KR_CONTRACT_FAULTED);
		assert_non_null(strstr(r.why, cases[i].why));
		if (i < 2)
			printf("GAS %s %llu\n", cases[i].method, (unsigned long long)(GAS - r.gas_left));
	}
	/* The runner runs on after each. */
	assert_int_equal(call(rt, "work", NULL, 0, GAS, NULL).ret, 55);
}

static void fresh(void **state)
{
	struct kr_contract_result r;

	(void)state;
	for (int i = 0; i < 2; i++) {
		r = call(rt, "glob", NULL, 0, GAS, NULL);
		assert_int_equal(r.ret, 1);
	}
	call(rt, "deep", NULL, 0, GAS, NULL);   /* leaves its stack full */
	r = call(rt, "fresh", NULL, 0, GAS, NULL);
	assert_int_equal(r.end, KR_CONTRACT_RETURNED);
	assert_int_equal(r.ret, 0);
	r = call(rt, "store", NULL, 0, GAS, NULL);
	assert_int_equal(r.end, KR_CONTRACT_RETURNED);
	assert_int_equal(r.ret, 36);
	printf("GAS store %llu\n", (unsigned long long)(GAS - r.gas_left));
}

static void refusals(void **state)
{
	static const struct { const char *file, *why; } cases[] = {
		{ "float.c", "floating point is not allowed in a contract" },
		{ "asm.c", "inline assembly is not allowed in a contract" },
		{ "outside.c", "call outside liba: strlen" },
	};
	char why[KR_CONTRACT_WHY_MAX];
	uint32_t id;

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(cases[i].file, "bad", &id, why), KR_EFORMAT);
		assert_string_equal(why, cases[i].why);
	}
	assert_int_equal(ops->load("Bad-name", "", 0, quiet, NULL, &id, why, sizeof(why)),
			 KR_EINVAL);
	/* 64 slots, rt in one: 63 more, then none. */
	{
		uint32_t ids[63];
		size_t len;
		char *src = source("rt.c", &len);

		for (int i = 0; i < 63; i++)
			assert_int_equal(ops->load("more", src, len, quiet, NULL, &ids[i], why,
						   sizeof(why)), KR_OK);
		assert_int_equal(ops->load("more", src, len, quiet, NULL, &id, why, sizeof(why)),
				 KR_ENOSPC);
		for (int i = 0; i < 63; i++)
			assert_int_equal(ops->unload(ids[i]), KR_OK);
		assert_int_equal(ops->unload(ids[0]), KR_ENOENT);
		free(src);
	}
	assert_int_equal(ops->invoke(rt, "none", NULL, 0, GAS, &chost_table, NULL,
				     &(struct kr_contract_result){ 0 }), KR_EUNKNOWN);
	assert_int_equal(ops->invoke(99, "work", NULL, 0, GAS, &chost_table, NULL,
				     &(struct kr_contract_result){ 0 }), KR_ENOENT);
	assert_int_equal(ops->invoke(rt, "work", NULL, 0, KR_VM_GAS_MAX + 1, &chost_table, NULL,
				     &(struct kr_contract_result){ 0 }), KR_ERANGE);
}

/* rt and seven copies call each other down a chain eight deep. */
static void nested(void **state)
{
	uint32_t ids[8];
	uint8_t args[8];
	char why[KR_CONTRACT_WHY_MAX], name[8];
	struct cframe f = { .h = &host };
	struct kr_contract_result r;

	(void)state;
	ids[0] = rt;
	for (int i = 1; i < 8; i++) {
		snprintf(name, sizeof(name), "rt%d", i);
		assert_int_equal(load("rt.c", name, &ids[i], why), KR_OK);
	}
	for (int i = 0; i < 7; i++)
		args[i] = (uint8_t)ids[i + 1];
	args[7] = 0xff;
	r = call(ids[0], "chain", args, 8, GAS, &f);
	assert_int_equal(r.end, KR_CONTRACT_RETURNED);
	assert_int_equal(f.retlen, 1);
	assert_int_equal(f.ret[0], 8);
	printf("GAS chain8 %llu\n", (unsigned long long)(GAS - r.gas_left));
	/* A contract calling itself: the runner refuses (EBUSY), so it reverts. */
	args[0] = (uint8_t)ids[0];
	r = call(ids[0], "chain", args, 2, GAS, &f);
	assert_int_equal(r.end, KR_CONTRACT_REVERTED);
	/* A callee that faults, runs out of the gas it was given, or reverts:
	 * the caller runs on and sees LIBA_EFAULTED, _EOUTOFGAS, _EREVERTED. */
	for (uint8_t which = 0; which < 3; which++) {
		static const long want[] = { LIBA_EFAULTED, LIBA_EOUTOFGAS, LIBA_EREVERTED };
		uint8_t a[2] = { (uint8_t)ids[1], which };

		f = (struct cframe){ .h = &host };
		r = call(ids[0], "callbad", a, 2, GAS, &f);
		assert_int_equal(r.end, KR_CONTRACT_RETURNED);
		assert_int_equal(f.retlen, 3);
		assert_int_equal(-(f.ret[0] << 8 | f.ret[1]), want[which]);
		assert_int_equal(f.ret[2], which == 2 ? 'n' : 0);
		printf("GAS callbad%u %llu\n", which, (unsigned long long)(GAS - r.gas_left));
	}
	for (int i = 1; i < 8; i++)
		assert_int_equal(ops->unload(ids[i]), KR_OK);
}

/* The SDK's example contracts load, with the methods they describe. */
static void examples(void **state)
{
	static const struct { const char *file, *method; } cases[] = {
		{ "sdk/examples/contracts/counter.c", "increment" },
		{ "sdk/examples/contracts/token.c", "transfer" },
		{ "sdk/examples/contracts/escrow.c", "release" },
		{ "sdk/examples/contracts/registry.c", "claim" },
	};
	char why[KR_CONTRACT_WHY_MAX];
	uint32_t id;

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kr_err_t e = load(cases[i].file, "example", &id, why);

		if (e)
			fail_msg("%s: %s", cases[i].file, why);
		assert_true(ops->has_method(id, cases[i].method));
		if (i == 0) {           /* counter: twice, a key created then replaced */
			struct kr_contract_result r;

			host = (struct chost){ .ops = ops };
			r = call(id, "increment", NULL, 0, GAS, NULL);
			assert_int_equal(r.end, KR_CONTRACT_RETURNED);
			printf("GAS counter1 %llu\n", (unsigned long long)(GAS - r.gas_left));
			r = call(id, "increment", NULL, 0, GAS, NULL);
			assert_int_equal(r.end, KR_CONTRACT_RETURNED);
			printf("GAS counter2 %llu\n", (unsigned long long)(GAS - r.gas_left));
		}
		assert_int_equal(ops->unload(id), KR_OK);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(returns, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_gas, setup, teardown),
		cmocka_unit_test_setup_teardown(reverts, setup, teardown),
		cmocka_unit_test_setup_teardown(faults, setup, teardown),
		cmocka_unit_test_setup_teardown(fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(nested, setup, teardown),
		cmocka_unit_test(examples),
	};

	root = argc > 1 ? argv[1] : ".";
	if (hostrun_init(root) != KR_OK) {
		fprintf(stderr, "hostrun: cannot map the fixed addresses\n");
		return 1;
	}
	ops = hostrun_ops();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
