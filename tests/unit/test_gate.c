/*
 * test_gate.c - the decode half of the tcc module's system-call gate
 * (modules/tcc/gate.c): which calls exist, which grant each needs, and
 * every argument check at its edges.
 *
 * The address space below is laid out as run.c lays out a handler's: a
 * read-only region (code), small read-write ones, a heap large enough for
 * the longest transfer and the stack at the top of the user half.  The
 * table of expected calls is written out here rather than read from
 * gate.c, so a change to a call's arguments (a buffer the kernel reads
 * turning into one it writes) fails here first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/event.h>
#include <karyon/parcel.h>
#include "tcc/gate.h"
#include "tcc/grants.h"
#include "tcc/ulib/ulib.h"

#define CODE_LO    0x01000000ull
#define CODE_HI    0x01004000ull
#define DATA_LO    0x01004000ull          /* adjacent to the code, as linked */
#define DATA_HI    0x01005000ull
#define HEAP_LO    0x40000000ull
#define HEAP_HI    (HEAP_LO + 2 * (uint64_t)GATE_IO_MAX)
#define STACK_HI   0x7ff000000000ull
#define STACK_LO   (STACK_HI - (256u << 10))
#define KERNEL     0xffffffff80100000ull
#define DMAP       0xffff800000100000ull
#define UNMAPPED   0x500000000ull
#define ALL_GRANTS 0xffffffffu

static const struct gate_space space = { .n = 4, .r = {
	{ CODE_LO, CODE_HI, false },
	{ DATA_LO, DATA_HI, true },
	{ HEAP_LO, HEAP_HI, true },
	{ STACK_LO, STACK_HI, true },
} };

/* The calls a handler can make: name, number, grant, arguments, limit. */
static const struct gate_call expected[] = {
	{ "exit", ULIB_SYS_EXIT, GRANT_PURE, { GA_INT }, 0 },
	{ "abort", ULIB_SYS_ABORT, GRANT_PURE, { GA_WHY }, 0 },
	{ "vfs_read", ULIB_SYS_VFS_READ, GRANT_VFS_READ, { GA_STR, GA_INT, GA_OUT, GA_LEN },
	  GATE_IO_MAX },
	{ "vfs_size", ULIB_SYS_VFS_SIZE, GRANT_VFS_READ, { GA_STR }, 0 },
	{ "vfs_write", ULIB_SYS_VFS_WRITE, GRANT_VFS_WRITE, { GA_STR, GA_IN, GA_LEN }, GATE_IO_MAX },
	{ "vfs_append", ULIB_SYS_VFS_APPEND, GRANT_VFS_WRITE, { GA_STR, GA_IN, GA_LEN },
	  GATE_IO_MAX },
	{ "time_us", ULIB_SYS_TIME_US, GRANT_TIME, { GA_NONE }, 0 },
	{ "__karyon_write", ULIB_SYS_WRITE, GRANT_CONSOLE, { GA_IN, GA_LEN }, GATE_WRITE_MAX },
	{ "__karyon_heap", ULIB_SYS_HEAP, GRANT_PURE, { GA_INT }, 0 },
	{ "__karyon_null", ULIB_SYS_NULL, GRANT_PURE, { GA_NONE }, 0 },
	{ "__karyon_gas_out", ULIB_SYS_GAS_OUT, GRANT_PURE, { GA_NONE }, 0 },
	{ "event_raise", ULIB_SYS_EVENT_RAISE, GRANT_EVENTS_RAISE, { GA_STR, GA_IN, GA_LEN },
	  KR_EVENT_DATA_MAX - 1 },
	{ "parcel_send", ULIB_SYS_PARCEL_SEND, GRANT_PARCEL, { GA_INT, GA_STR, GA_IN, GA_LEN },
	  KR_PARCEL_PAYLOAD_MAX },
	{ "parcel_send_raw", ULIB_SYS_PARCEL_SEND_RAW, GRANT_PARCEL, { GA_STR, GA_IN, GA_LEN },
	  KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX },
	{ "parcel_recv", ULIB_SYS_PARCEL_RECV, GRANT_PARCEL, { GA_INT, GA_INT, GA_INT }, 0 },
	/* A contract's (grant "vm"): contract_run.c decodes their arguments. */
	{ "liba_get", ULIB_SYS_LIBA_GET, GRANT_VM, { GA_INT }, 0 },
	{ "liba_set", ULIB_SYS_LIBA_SET, GRANT_VM, { GA_INT }, 0 },
	{ "liba_del", ULIB_SYS_LIBA_DEL, GRANT_VM, { GA_INT }, 0 },
	{ "liba_log", ULIB_SYS_LIBA_LOG, GRANT_VM, { GA_INT }, 0 },
	{ "liba_blake2b", ULIB_SYS_LIBA_BLAKE2B, GRANT_VM, { GA_INT }, 0 },
	{ "liba_ctx", ULIB_SYS_LIBA_CTX, GRANT_VM, { GA_INT }, 0 },
	{ "liba_call", ULIB_SYS_LIBA_CALL, GRANT_VM, { GA_INT }, 0 },
	{ "liba_return", ULIB_SYS_LIBA_RETURN, GRANT_VM, { GA_INT }, 0 },
	{ "liba_revert", ULIB_SYS_LIBA_REVERT, GRANT_VM, { GA_INT }, 0 },
	{ "__karyon_method_end", ULIB_SYS_METHOD_END, GRANT_VM, { GA_INT }, 0 },
};
#define NCALLS (sizeof(expected) / sizeof(expected[0]))

static const char NOT_WRITABLE[] = "bad pointer (not writable memory of the handler)";

/* Arguments that pass every check of c: strings and buffers at the start
 * of the data region, lengths 1, integers 0. */
static void good_args(const struct gate_call *c, uint64_t a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = c->args[i] == GA_LEN ? 1 : c->args[i] == GA_INT || c->args[i] == GA_NONE ? 0 :
		       DATA_LO;
}

static kr_err_t decode(uint64_t nr, const uint64_t a[6], uint32_t grants,
		       struct gate_refusal *why)
{
	const struct gate_call *call = NULL;
	kr_err_t e;

	*why = (struct gate_refusal){ -2, NULL };
	e = gate_decode(nr, a, grants, &space, &call, why);
	if (e == KR_OK) {
		assert_non_null(call);
		assert_int_equal(call->nr, nr);
	} else {
		assert_null(call);                      /* set only for a call that may go on */
		assert_non_null(why->what);
	}
	return e;
}

/* nr with a[i] = v refused with e, naming argument i and what. */
static void refuse_arg(uint64_t nr, int i, uint64_t v, kr_err_t e, const char *what)
{
	const struct gate_call *c = gate_find(nr);
	struct gate_refusal why;
	uint64_t a[6];

	good_args(c, a);
	a[i] = v;
	assert_int_equal(decode(nr, a, ALL_GRANTS, &why), e);
	assert_int_equal(why.arg, i);
	assert_string_equal(why.what, what);
}

static void accept_args(uint64_t nr, const uint64_t *set, int i, int n)
{
	const struct gate_call *c = gate_find(nr);
	struct gate_refusal why;
	uint64_t a[6];

	good_args(c, a);
	memcpy(a + i, set, n * sizeof(*a));
	assert_int_equal(decode(nr, a, ALL_GRANTS, &why), KR_OK);
}

/* -- the table ------------------------------------------------------------- */

static void every_call_is_as_expected(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct gate_call *c = gate_find(expected[i].nr);

		assert_non_null(c);
		assert_string_equal(c->name, expected[i].name);
		assert_int_equal(c->grant, expected[i].grant);
		assert_memory_equal(c->args, expected[i].args, sizeof(c->args));
		assert_int_equal(c->max_len, expected[i].max_len);
		/* every GA_IN / GA_OUT is followed by its GA_LEN */
		for (int k = 0; k < 6; k++)
			if (c->args[k] == GA_IN || c->args[k] == GA_OUT)
				assert_true(k < 5 && c->args[k + 1] == GA_LEN);
	}
}

static void other_numbers_are_not_calls(void **state)
{
	static const uint64_t nrs[] = {
		0, 1, 47, 50, 96, 97, 108, 117, 119, 134, 255, 256, 999, 0xffff, 0x10000 + ULIB_SYS_NULL,
		0x100000000ull + ULIB_SYS_VFS_READ, (uint64_t)-1, (uint64_t)-ULIB_SYS_NULL,
	};
	struct gate_refusal why;
	uint64_t a[6] = { DATA_LO, 0, DATA_LO, 1, 0, 0 };

	(void)state;
	for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		assert_null(gate_find(nrs[i]));
		assert_int_equal(decode(nrs[i], a, ALL_GRANTS, &why), KR_ENOSYS);
		assert_int_equal(why.arg, -1);
		assert_string_equal(why.what, "not a system call");
	}
	/* Numbers of calls that run in user mode (memcpy, printf, ...) are
	 * no system calls either. */
	for (uint64_t nr = 0; nr < 256; nr++) {
		bool call = false;

		for (unsigned i = 0; i < NCALLS; i++)
			call |= expected[i].nr == nr;
		if (!call)
			assert_null(gate_find(nr));
	}
}

/* -- grants ------------------------------------------------------------------ */

static void calls_need_their_grant(void **state)
{
	struct gate_refusal why;
	uint64_t a[6];

	(void)state;
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct gate_call *c = &expected[i];
		uint32_t without = ALL_GRANTS & ~GRANT_BIT(c->grant);

		good_args(c, a);
		assert_int_equal(decode(c->nr, a, GRANT_BIT(c->grant), &why), KR_OK);
		if (c->grant == GRANT_PURE) {           /* never refused for grants */
			assert_int_equal(decode(c->nr, a, 0, &why), KR_OK);
			continue;
		}
		assert_int_equal(decode(c->nr, a, without, &why), KR_EPERM);
		assert_int_equal(why.arg, -1);
		assert_string_equal(why.what, "not granted");
		assert_int_equal(decode(c->nr, a, 0, &why), KR_EPERM);
	}
	/* console output needs "console", which handlers get by default */
	good_args(gate_find(ULIB_SYS_WRITE), a);
	assert_int_equal(decode(ULIB_SYS_WRITE, a, GRANT_DEFAULT, &why), KR_OK);
	assert_int_equal(decode(ULIB_SYS_VFS_READ, a, GRANT_DEFAULT, &why), KR_EPERM);
}

/* The grant is checked before the arguments: an ungranted call says so,
 * whatever its arguments. */
static void grant_before_arguments(void **state)
{
	const uint64_t a[6] = { KERNEL, 0, KERNEL, UINT64_MAX, 0, 0 };
	struct gate_refusal why;

	(void)state;
	assert_int_equal(decode(ULIB_SYS_VFS_READ, a, GRANT_DEFAULT, &why), KR_EPERM);
	assert_string_equal(why.what, "not granted");
}

/* -- strings ----------------------------------------------------------------- */

/* A string argument: its first byte must be in the handler's memory,
 * readable (the copy helpers check the rest, up to its limit, later). */
static void string_arguments(void **state)
{
	static const uint64_t ok[] = {
		CODE_LO, CODE_HI - 1, DATA_LO, DATA_HI - 1, HEAP_LO, HEAP_HI - 1, STACK_LO,
		STACK_HI - 1,
	};
	static const uint64_t bad[] = {
		0, 1, CODE_LO - 1, DATA_HI, HEAP_LO - 1, HEAP_HI, STACK_LO - 1, STACK_HI, UNMAPPED,
		KERNEL, DMAP, 0x800000000000ull, UINT64_MAX,
	};

	(void)state;
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct gate_call *c = &expected[i];

		for (int k = 0; k < 6; k++) {
			if (c->args[k] != GA_STR && c->args[k] != GA_WHY)
				continue;
			for (unsigned j = 0; j < sizeof(ok) / sizeof(ok[0]); j++)
				accept_args(c->nr, &ok[j], k, 1);
			for (unsigned j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
				refuse_arg(c->nr, k, bad[j], KR_EFAULT, "bad pointer");
		}
	}
}

/* -- buffers and lengths ----------------------------------------------------- */

/* For a buffer in [lo, hi) of a region that may be read-only: exact fits
 * pass, one byte over either edge does not (a range over two regions that
 * touch neither).  A byte just outside is refused where nothing is mapped
 * (next_lo / next_hi false). */
static void buffer_edges(const struct gate_call *c, int k, uint64_t lo, uint64_t hi, bool ro,
			 bool next_lo, bool next_hi)
{
	bool out = c->args[k] == GA_OUT;
	const char *bad = out ? NOT_WRITABLE : "bad pointer";
	uint64_t size = hi - lo < c->max_len ? hi - lo : c->max_len;
	const uint64_t fits[][2] = {
		{ lo, 1 }, { hi - 1, 1 }, { lo, size }, { hi - size, size }, { lo + 1, size - 1 },
	};
	const uint64_t over[][2] = {
		{ lo - 1, 1 }, { lo - 1, 2 }, { hi, 1 }, { hi - 1, 2 }, { hi - size + 1, size },
		{ lo, hi - lo + 1 },
	};

	for (unsigned j = 0; j < sizeof(fits) / sizeof(fits[0]); j++) {
		if (ro && out) {
			uint64_t a[6];
			struct gate_refusal why;

			good_args(c, a);
			a[k] = fits[j][0];
			a[k + 1] = fits[j][1];
			assert_int_equal(decode(c->nr, a, ALL_GRANTS, &why), KR_EFAULT);
			assert_int_equal(why.arg, k);
			assert_string_equal(why.what, NOT_WRITABLE);
		} else {
			accept_args(c->nr, fits[j], k, 2);
		}
	}
	for (unsigned j = 0; j < sizeof(over) / sizeof(over[0]); j++) {
		uint64_t a[6];
		struct gate_refusal why;

		if (over[j][1] > c->max_len)            /* the length check comes first */
			continue;
		if ((j == 0 && next_lo) || (j == 2 && next_hi))
			continue;                       /* in the region beside it */
		good_args(c, a);
		a[k] = over[j][0];
		a[k + 1] = over[j][1];
		assert_int_equal(decode(c->nr, a, ALL_GRANTS, &why), KR_EFAULT);
		assert_int_equal(why.arg, k);
		assert_string_equal(why.what, bad);
	}
}

static void buffer_arguments(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct gate_call *c = &expected[i];

		for (int k = 0; k < 5; k++) {
			if (c->args[k] != GA_IN && c->args[k] != GA_OUT)
				continue;
			buffer_edges(c, k, CODE_LO, CODE_HI, true, false, true);
			buffer_edges(c, k, DATA_LO, DATA_HI, false, true, false);
			buffer_edges(c, k, HEAP_LO, HEAP_HI, false, false, false);
			buffer_edges(c, k, STACK_LO, STACK_HI, false, false, false);
		}
	}
}

static void length_limits(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NCALLS; i++) {
		const struct gate_call *c = &expected[i];

		for (int k = 0; k < 5; k++) {
			const uint64_t at_max[2] = { HEAP_LO, c->max_len };
			const uint64_t zero[2] = { HEAP_LO, 0 };
			static const uint64_t huge[] = { 1ull << 32, 1ull << 40, 1ull << 63, UINT64_MAX };

			if (c->args[k] != GA_IN && c->args[k] != GA_OUT)
				continue;
			accept_args(c->nr, at_max, k, 2);
			accept_args(c->nr, zero, k, 2);
			refuse_arg(c->nr, k + 1, c->max_len + 1ull, KR_ERANGE, "length too large");
			for (unsigned j = 0; j < sizeof(huge) / sizeof(huge[0]); j++)
				refuse_arg(c->nr, k + 1, huge[j], KR_ERANGE, "length too large");
		}
	}
}

/* A length over the limit is refused as such even with a bad pointer
 * beside it (the report names the length); with a good length the
 * pointer is what is refused. */
static void length_before_pointer(void **state)
{
	uint64_t a[6] = { DATA_LO, 0, KERNEL, GATE_IO_MAX + 1ull, 0, 0 };
	struct gate_refusal why;

	(void)state;
	assert_int_equal(decode(ULIB_SYS_VFS_READ, a, ALL_GRANTS, &why), KR_ERANGE);
	assert_int_equal(why.arg, 3);
	a[3] = 16;
	assert_int_equal(decode(ULIB_SYS_VFS_READ, a, ALL_GRANTS, &why), KR_EFAULT);
	assert_int_equal(why.arg, 2);
	assert_string_equal(why.what, NOT_WRITABLE);
}

/* A zero-length buffer is never touched: any pointer passes (NULL too). */
static void zero_length_passes(void **state)
{
	static const uint64_t ptrs[] = { 0, KERNEL, DMAP, UNMAPPED, UINT64_MAX, CODE_LO };

	(void)state;
	for (unsigned j = 0; j < sizeof(ptrs) / sizeof(ptrs[0]); j++) {
		const uint64_t w[2] = { ptrs[j], 0 };

		accept_args(ULIB_SYS_VFS_READ, w, 2, 2);
		accept_args(ULIB_SYS_VFS_WRITE, w, 1, 2);
		accept_args(ULIB_SYS_WRITE, w, 0, 2);
	}
}

/* Integers and unused argument registers are never checked: kernel
 * addresses in them are just numbers. */
static void integers_are_not_checked(void **state)
{
	const uint64_t junk[6] = { KERNEL, DMAP, UINT64_MAX, KERNEL, KERNEL, KERNEL };
	uint64_t a[6];
	struct gate_refusal why;

	(void)state;
	assert_int_equal(decode(ULIB_SYS_NULL, junk, 0, &why), KR_OK);
	assert_int_equal(decode(ULIB_SYS_EXIT, junk, 0, &why), KR_OK);
	assert_int_equal(decode(ULIB_SYS_HEAP, junk, 0, &why), KR_OK);
	assert_int_equal(decode(ULIB_SYS_TIME_US, junk, ALL_GRANTS, &why), KR_OK);
	a[0] = DATA_LO;
	a[1] = UINT64_MAX;                              /* vfs_read's offset */
	a[2] = DATA_LO;
	a[3] = 8;
	a[4] = a[5] = KERNEL;
	assert_int_equal(decode(ULIB_SYS_VFS_READ, a, ALL_GRANTS, &why), KR_OK);
	/* vfs_size: only its path */
	assert_int_equal(decode(ULIB_SYS_VFS_SIZE, (uint64_t[6]){ DATA_LO, KERNEL, KERNEL,
							     KERNEL, KERNEL, KERNEL },
				ALL_GRANTS, &why), KR_OK);
}

/* -- gate_range_ok itself ---------------------------------------------------- */

static void range_edges(void **state)
{
	(void)state;
	/* whole regions, exactly */
	assert_true(gate_range_ok(&space, DATA_LO, DATA_HI - DATA_LO, true));
	assert_true(gate_range_ok(&space, CODE_LO, CODE_HI - CODE_LO, false));
	assert_false(gate_range_ok(&space, CODE_LO, CODE_HI - CODE_LO, true));
	assert_true(gate_range_ok(&space, STACK_LO, STACK_HI - STACK_LO, true));
	/* one byte more, either side */
	assert_false(gate_range_ok(&space, DATA_LO, DATA_HI - DATA_LO + 1, true));
	assert_false(gate_range_ok(&space, STACK_LO - 1, STACK_HI - STACK_LO, true));
	assert_false(gate_range_ok(&space, STACK_LO, STACK_HI - STACK_LO + 1, true));
	/* inside one region: a range over the code and the data regions that
	 * touch each other is refused, even for reading */
	assert_false(gate_range_ok(&space, CODE_HI - 1, 2, false));
	assert_true(gate_range_ok(&space, CODE_HI - 1, 1, false));
	assert_true(gate_range_ok(&space, DATA_LO, 1, false));
	/* zero bytes: anything */
	assert_true(gate_range_ok(&space, KERNEL, 0, true));
	assert_true(gate_range_ok(&space, 0, 0, true));
}

static void range_wraps(void **state)
{
	(void)state;
	/* p + n wrapping around 2^64 back into a region */
	assert_false(gate_range_ok(&space, DATA_LO + 8, (uint64_t)-4, false));
	assert_false(gate_range_ok(&space, DATA_HI - 1, UINT64_MAX, false));
	assert_false(gate_range_ok(&space, STACK_HI - 1, UINT64_MAX - STACK_HI + 2 + DATA_LO, false));
	assert_false(gate_range_ok(&space, UINT64_MAX, 1, false));
	assert_false(gate_range_ok(&space, UINT64_MAX, 2, false));
	assert_false(gate_range_ok(&space, UINT64_MAX - 7, 16, true));
	assert_false(gate_range_ok(&space, 0, UINT64_MAX, false));
}

static void empty_and_many_regions(void **state)
{
	struct gate_space s = { .n = 1, .r = { { HEAP_LO, HEAP_LO, true } } };

	(void)state;
	/* the heap before the first malloc: empty, so nothing is in it */
	assert_false(gate_range_ok(&s, HEAP_LO, 1, false));
	assert_false(gate_range_ok(&s, HEAP_LO - 1, 1, false));
	/* regions past n do not count */
	s.r[1] = (struct gate_region){ DATA_LO, DATA_HI, true };
	assert_false(gate_range_ok(&s, DATA_LO, 1, false));
	s.n = 2;
	assert_true(gate_range_ok(&s, DATA_LO, 1, true));
	/* an n beyond the array is cut at GATE_REGIONS, never read past it */
	s.n = 1000;
	assert_true(gate_range_ok(&s, DATA_LO, 1, true));
	assert_false(gate_range_ok(&s, KERNEL, 1, false));      /* ASan: no read past r[] */
	s.n = 0;
	assert_false(gate_range_ok(&s, DATA_LO, 1, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_call_is_as_expected),
		cmocka_unit_test(other_numbers_are_not_calls),
		cmocka_unit_test(calls_need_their_grant),
		cmocka_unit_test(grant_before_arguments),
		cmocka_unit_test(string_arguments),
		cmocka_unit_test(buffer_arguments),
		cmocka_unit_test(length_limits),
		cmocka_unit_test(length_before_pointer),
		cmocka_unit_test(zero_length_passes),
		cmocka_unit_test(integers_are_not_checked),
		cmocka_unit_test(range_edges),
		cmocka_unit_test(range_wraps),
		cmocka_unit_test(empty_and_many_regions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
