/*
 * rt.c - the contract runner's test contract (tests/unit/test_hostrun.c on
 * the host, tests/kernel/ctest.c and tests/qemu/test_contract.py in the
 * kernel): one method per way a run can end, and the same gas figures on
 * both sides.
 */
#include <liba.h>
#include <liba_enc.h>
#include <string.h>

static uint64_t calls;                  /* fresh on every invoke: always 1 */

static uint64_t fib(uint64_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* Returns fib(args[0]) and sets it as return data (8 bytes). */
LIBA_METHOD(work)
{
	uint8_t out[8];
	struct liba_w w;
	uint64_t n = alen ? args[0] : 10, v = fib(n);

	liba_w_init(&w, out, sizeof(out));
	liba_w_u64(&w, v);
	liba_return(out, (uint32_t)liba_w_done(&w));
	return (long)v;
}

LIBA_METHOD(spin)
{
	volatile uint64_t i = 0;

	(void)args;
	(void)alen;
	for (;;)
		i++;
	return 0;
}

LIBA_METHOD(rev)
{
	(void)args;
	(void)alen;
	liba_revert("nope");
}

LIBA_METHOD(nullp)
{
	(void)args;
	(void)alen;
	return *(volatile long *)0;
}

LIBA_METHOD(divz)
{
	volatile long z = 0;

	(void)args;
	return (long)alen / z;
}

static long down(long n)
{
	volatile char pad[64];

	pad[0] = (char)n;
	return down(n + 1) + pad[0];
}

LIBA_METHOD(deep)
{
	(void)args;
	return down((long)alen);
}

LIBA_METHOD(glob)
{
	(void)args;
	(void)alen;
	return (long)++calls;
}

/* The stack starts zeroed: a local never written reads 0. */
LIBA_METHOD(fresh)
{
	volatile uint8_t buf[2048];
	long sum = 0;

	(void)args;
	(void)alen;
	for (int i = 0; i < 2048; i++)
		sum += buf[i];
	return sum;
}

/* Storage, a log, a hash and the context: their gas is the host's. */
LIBA_METHOD(store)
{
	uint8_t v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[8], h[32];
	struct liba_ctx c = liba_ctx();
	long n;

	(void)args;
	(void)alen;
	if (liba_set("k", 1, v, sizeof(v)))
		liba_revert("set");
	n = liba_get("k", 1, got, sizeof(got));
	if (n != 8 || memcmp(got, v, 8))
		liba_revert("get");
	liba_log(0, 0, got, 8);
	liba_blake2b(h, got, 8);
	return (long)c.depth * 1000 + h[0];
}

/* A bad pointer to a liba call ends the run FAULTED. */
LIBA_METHOD(badptr)
{
	(void)args;
	(void)alen;
	return liba_get((const void *)16, 1, 0, 0);
}

/* Calls the contract whose address starts with args[0] (if not 0xff), its
 * method chain with args[1..]; sets as return data one byte: 1 + the
 * callee's, so the outermost says how deep the chain went. */
LIBA_METHOD(chain)
{
	uint8_t to[32] = { 0 }, ret[8] = { 0 }, out;
	long r = 0;

	if (alen && args[0] != 0xff) {
		to[0] = args[0];
		r = liba_call(to, "chain", args + 1, alen - 1, ret, sizeof(ret), 0);
		if (r != 1)
			liba_revert("callee failed");
	}
	out = (uint8_t)(1 + ret[0]);
	liba_return(&out, 1);
	return 0;
}

/* Calls contract args[0]'s nullp (args[1] 0), spin with 5,000 gas (1) or
 * rev (2); the return data is the failure's code, negated, and the
 * callee's reason's first byte. */
LIBA_METHOD(callbad)
{
	static const char *const methods[] = { "nullp", "spin", "rev" };
	uint8_t to[32] = { 0 }, ret[8] = { 0 }, out[3];
	long r;

	if (alen < 2 || args[1] > 2)
		liba_revert("expected (u8 contract, u8 which)");
	to[0] = args[0];
	r = liba_call(to, methods[args[1]], 0, 0, ret, sizeof(ret), args[1] == 1 ? 5000 : 0);
	out[0] = (uint8_t)(-r >> 8);
	out[1] = (uint8_t)-r;
	out[2] = ret[0];
	liba_return(out, 3);
	return 0;
}
