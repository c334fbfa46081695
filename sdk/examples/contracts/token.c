/*
 * token.c - a fungible token: balances, transfers and allowances.
 *
 * The deployer gets the whole supply.  Amounts are u64, addresses 32
 * bytes, arguments and return data in the encoding of <liba_enc.h>:
 *	init          ()                              mints SUPPLY to the deployer
 *	balance_of    (addr who)                   -> u64
 *	transfer      (addr to, u64 amount)           from the caller
 *	approve       (addr spender, u64 amount)      spender may move amount of the caller's
 *	allowance     (addr owner, addr spender)   -> u64
 *	transfer_from (addr from, addr to, u64 amount) by a spender, within its allowance
 *	total_supply  ()                           -> u64
 * Storage: "b"+addr -> balance, "a"+owner+spender -> allowance (u64, LE);
 * a zero balance or allowance is deleted, not stored.
 * Logs: "Transfer" [from, to] amount; "Approval" [owner, spender] amount.
 */
#include <stdint.h>
#include <string.h>
#include <liba.h>
#include <liba_enc.h>

#define SUPPLY 1000000000u

/* key = tag, a, b (b may be NULL): its length. */
static uint32_t key(uint8_t *k, char tag, const uint8_t *a, const uint8_t *b)
{
	k[0] = (uint8_t)tag;
	memcpy(k + 1, a, LIBA_ADDR_LEN);
	if (!b)
		return 1 + LIBA_ADDR_LEN;
	memcpy(k + 1 + LIBA_ADDR_LEN, b, LIBA_ADDR_LEN);
	return 1 + 2 * LIBA_ADDR_LEN;
}

static uint64_t get_u64(const uint8_t *k, uint32_t klen)
{
	uint8_t v[8];
	struct liba_r r;

	if (liba_get(k, klen, v, sizeof(v)) != 8)
		return 0;
	liba_r_init(&r, v, 8);
	return liba_r_u64(&r);
}

static void put_u64(const uint8_t *k, uint32_t klen, uint64_t n)
{
	uint8_t v[8];
	struct liba_w w;

	if (!n) {
		liba_del(k, klen);              /* KR_ENOENT: it was zero already */
		return;
	}
	liba_w_init(&w, v, sizeof(v));
	liba_w_u64(&w, n);
	if (liba_set(k, klen, v, 8) < 0)
		liba_revert("token: storage write failed");
}

static long return_u64(uint64_t n)
{
	uint8_t v[8];
	struct liba_w w;

	liba_w_init(&w, v, sizeof(v));
	liba_w_u64(&w, n);
	return liba_return(v, 8);
}

/* what: an 8-byte name ("Transfer", "Approval"), the first topic. */
static void emit(const char *what, const uint8_t *a, const uint8_t *b, uint64_t amount)
{
	uint8_t topics[3][LIBA_TOPIC_LEN], data[8];
	struct liba_w w;

	memset(topics[0], 0, LIBA_TOPIC_LEN);
	memcpy(topics[0], what, 8);
	memcpy(topics[1], a, LIBA_ADDR_LEN);
	memcpy(topics[2], b, LIBA_ADDR_LEN);
	liba_w_init(&w, data, sizeof(data));
	liba_w_u64(&w, amount);
	liba_log(topics, 3, data, 8);
}

/* Move amount from -> to, or revert leaving nothing written. */
static void move(const uint8_t *from, const uint8_t *to, uint64_t amount)
{
	uint8_t kf[1 + LIBA_ADDR_LEN], kt[1 + LIBA_ADDR_LEN];
	uint32_t n = key(kf, 'b', from, NULL);
	uint64_t have = get_u64(kf, n);

	if (amount > have)
		liba_revert("transfer: insufficient balance");
	put_u64(kf, n, have - amount);
	n = key(kt, 'b', to, NULL);             /* read after the debit: from may be to */
	put_u64(kt, n, get_u64(kt, n) + amount);  /* cannot wrap: the sum is SUPPLY */
	emit("Transfer", from, to, amount);
}

LIBA_METHOD(init)
{
	struct liba_ctx c = liba_ctx();
	uint8_t k[1 + LIBA_ADDR_LEN];
	static const uint8_t none[LIBA_ADDR_LEN];

	(void)args;
	(void)alen;
	put_u64(k, key(k, 'b', c.sender, NULL), SUPPLY);
	put_u64((const uint8_t *)"s", 1, SUPPLY);
	emit("Transfer", none, c.sender, SUPPLY);
	return 0;
}

LIBA_METHOD(balance_of)
{
	uint8_t who[LIBA_ADDR_LEN], k[1 + LIBA_ADDR_LEN];
	struct liba_r r;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, who);
	if (liba_r_done(&r))
		liba_revert("balance_of: expected (addr who)");
	return return_u64(get_u64(k, key(k, 'b', who, NULL)));
}

LIBA_METHOD(total_supply)
{
	(void)args;
	(void)alen;
	return return_u64(get_u64((const uint8_t *)"s", 1));
}

LIBA_METHOD(transfer)
{
	uint8_t to[LIBA_ADDR_LEN];
	struct liba_ctx c = liba_ctx();
	struct liba_r r;
	uint64_t amount;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, to);
	amount = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("transfer: expected (addr to, u64 amount)");
	move(c.caller, to, amount);
	return 0;
}

LIBA_METHOD(approve)
{
	uint8_t spender[LIBA_ADDR_LEN], k[1 + 2 * LIBA_ADDR_LEN];
	struct liba_ctx c = liba_ctx();
	struct liba_r r;
	uint64_t amount;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, spender);
	amount = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("approve: expected (addr spender, u64 amount)");
	put_u64(k, key(k, 'a', c.caller, spender), amount);
	emit("Approval", c.caller, spender, amount);
	return 0;
}

LIBA_METHOD(allowance)
{
	uint8_t owner[LIBA_ADDR_LEN], spender[LIBA_ADDR_LEN], k[1 + 2 * LIBA_ADDR_LEN];
	struct liba_r r;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, owner);
	liba_r_addr(&r, spender);
	if (liba_r_done(&r))
		liba_revert("allowance: expected (addr owner, addr spender)");
	return return_u64(get_u64(k, key(k, 'a', owner, spender)));
}

LIBA_METHOD(transfer_from)
{
	uint8_t from[LIBA_ADDR_LEN], to[LIBA_ADDR_LEN], k[1 + 2 * LIBA_ADDR_LEN];
	struct liba_ctx c = liba_ctx();
	struct liba_r r;
	uint64_t amount, allowed;
	uint32_t n;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, from);
	liba_r_addr(&r, to);
	amount = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("transfer_from: expected (addr from, addr to, u64 amount)");
	n = key(k, 'a', from, c.caller);
	allowed = get_u64(k, n);
	if (amount > allowed)
		liba_revert("transfer_from: allowance exceeded");
	put_u64(k, n, allowed - amount);
	move(from, to, amount);
	return 0;
}
