/*
 * counter.c - the smallest contract: one number in storage that anyone
 * can add to and read.
 *
 *	increment ()        -> u64 the new count
 *	add       (u64 n)   -> u64 the new count; reverts if it would wrap
 *	get       ()        -> u64 the count
 * Logs: topic "counter.changed", data the new count (u64).
 */
#include <stdint.h>
#include <liba.h>
#include <liba_enc.h>

static const uint8_t KEY[] = "count";           /* the storage key, 5 bytes */

static uint64_t load(void)
{
	uint8_t v[8];
	struct liba_r r;

	if (liba_get(KEY, 5, v, sizeof(v)) != 8)
		return 0;                       /* never set: 0 */
	liba_r_init(&r, v, 8);
	return liba_r_u64(&r);
}

/* Store n, log it and return it as the method's return data. */
static long store(uint64_t n)
{
	static const uint8_t topic[LIBA_TOPIC_LEN] = "counter.changed";
	uint8_t v[8];
	struct liba_w w;
	long e;

	liba_w_init(&w, v, sizeof(v));
	liba_w_u64(&w, n);
	e = liba_set(KEY, 5, v, 8);
	if (e == 0)
		e = liba_log(topic, 1, v, 8);
	return e ? e : liba_return(v, 8);
}

LIBA_METHOD(increment)
{
	(void)args;
	if (alen)
		liba_revert("increment takes no arguments");
	return store(load() + 1);
}

LIBA_METHOD(add)
{
	struct liba_r r;
	uint64_t n, now;

	liba_r_init(&r, args, alen);
	n = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("add: expected (u64 n)");
	now = load();
	if (n > UINT64_MAX - now)
		liba_revert("add: the count would wrap");
	return store(now + n);
}

LIBA_METHOD(get)
{
	uint8_t v[8];
	struct liba_w w;

	(void)args;
	(void)alen;
	liba_w_init(&w, v, sizeof(v));
	liba_w_u64(&w, load());
	return liba_return(v, 8);
}
