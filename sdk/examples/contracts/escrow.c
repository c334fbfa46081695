/*
 * escrow.c - holds a buyer's tokens until the buyer releases them to the
 * seller or the seller refunds them, by calling the token contract
 * (token.c) with liba_call.
 *
 *	open    (addr token, addr seller, u64 amount) -> u64 deal id
 *		The caller (the buyer) must first have called the token's
 *		approve(escrow, amount); open moves the tokens to the escrow
 *		with the token's transfer_from.
 *	release (u64 id)    the buyer pays the seller
 *	refund  (u64 id)    the seller gives the buyer the tokens back
 *	deal    (u64 id) -> addr token, addr buyer, addr seller, u64 amount, u8 state
 * Storage: "n" -> the next id; "d"+id (u64) -> the deal as `deal` returns it.
 * State: 1 open, 2 released, 3 refunded.
 *
 * The token cannot call back into the escrow while it runs: liba_call
 * refuses a contract already on the call stack (KR_EBUSY), so the deal's
 * state needs no guard against reentrancy; it is still written before the
 * call, as a habit.
 */
#include <stdint.h>
#include <liba.h>
#include <liba_enc.h>

#define DEAL_LEN (3 * LIBA_ADDR_LEN + 8 + 1)
#define OPEN 1
#define RELEASED 2
#define REFUNDED 3

struct deal {
	uint8_t token[LIBA_ADDR_LEN], buyer[LIBA_ADDR_LEN], seller[LIBA_ADDR_LEN];
	uint64_t amount;
	uint8_t state;
};

static uint32_t deal_key(uint8_t *k, uint64_t id)
{
	struct liba_w w;

	liba_w_init(&w, k, 9);
	liba_w_u8(&w, 'd');
	liba_w_u64(&w, id);
	return 9;
}

static uint32_t deal_encode(uint8_t *v, const struct deal *d)
{
	struct liba_w w;

	liba_w_init(&w, v, DEAL_LEN);
	liba_w_addr(&w, d->token);
	liba_w_addr(&w, d->buyer);
	liba_w_addr(&w, d->seller);
	liba_w_u64(&w, d->amount);
	liba_w_u8(&w, d->state);
	return (uint32_t)liba_w_done(&w);
}

/* Deal id into *d, or revert. */
static void deal_load(uint64_t id, struct deal *d)
{
	uint8_t k[9], v[DEAL_LEN];
	struct liba_r r;

	if (liba_get(k, deal_key(k, id), v, sizeof(v)) != DEAL_LEN)
		liba_revert("escrow: no such deal");
	liba_r_init(&r, v, DEAL_LEN);
	liba_r_addr(&r, d->token);
	liba_r_addr(&r, d->buyer);
	liba_r_addr(&r, d->seller);
	d->amount = liba_r_u64(&r);
	d->state = liba_r_u8(&r);
}

static void deal_store(uint64_t id, const struct deal *d)
{
	uint8_t k[9], v[DEAL_LEN];

	if (liba_set(k, deal_key(k, id), v, deal_encode(v, d)) < 0)
		liba_revert("escrow: storage write failed");
}

/* Call the token's method with (addr a, [addr b,] u64 amount); revert if it fails. */
static void token_call(const uint8_t *token, const char *method, const uint8_t *a,
		       const uint8_t *b, uint64_t amount)
{
	uint8_t buf[2 * LIBA_ADDR_LEN + 8];
	struct liba_w w;

	liba_w_init(&w, buf, sizeof(buf));
	liba_w_addr(&w, a);
	if (b)
		liba_w_addr(&w, b);
	liba_w_u64(&w, amount);
	if (liba_call(token, method, buf, (uint32_t)liba_w_done(&w), 0, 0, 0) < 0)
		liba_revert("escrow: the token refused the transfer");
}

LIBA_METHOD(open)
{
	struct liba_ctx c = liba_ctx();
	struct deal d;
	struct liba_r r;
	struct liba_w w;
	uint8_t v[8];
	uint64_t id;

	liba_r_init(&r, args, alen);
	liba_r_addr(&r, d.token);
	liba_r_addr(&r, d.seller);
	d.amount = liba_r_u64(&r);
	if (liba_r_done(&r) || !d.amount)
		liba_revert("open: expected (addr token, addr seller, u64 amount > 0)");
	if (liba_get("n", 1, v, sizeof(v)) == 8) {
		liba_r_init(&r, v, 8);
		id = liba_r_u64(&r);
	} else {
		id = 0;
	}
	for (int i = 0; i < LIBA_ADDR_LEN; i++)
		d.buyer[i] = c.caller[i];
	d.state = OPEN;
	deal_store(id, &d);
	liba_w_init(&w, v, 8);
	liba_w_u64(&w, id + 1);
	liba_set("n", 1, v, 8);
	token_call(d.token, "transfer_from", d.buyer, c.self, d.amount);
	liba_w_init(&w, v, 8);
	liba_w_u64(&w, id);
	return liba_return(v, 8);
}

/* release and refund: who may end deal id, and where the tokens go. */
static long settle(const uint8_t *args, uint32_t alen, int buyer_ends)
{
	struct liba_ctx c = liba_ctx();
	struct deal d;
	struct liba_r r;
	uint64_t id;
	const uint8_t *who, *to;

	liba_r_init(&r, args, alen);
	id = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("escrow: expected (u64 id)");
	deal_load(id, &d);
	who = buyer_ends ? d.buyer : d.seller;
	to = buyer_ends ? d.seller : d.buyer;
	for (int i = 0; i < LIBA_ADDR_LEN; i++)
		if (c.caller[i] != who[i])
			liba_revert(buyer_ends ? "release: only the buyer" : "refund: only the seller");
	if (d.state != OPEN)
		liba_revert("escrow: the deal is closed");
	d.state = buyer_ends ? RELEASED : REFUNDED;
	deal_store(id, &d);
	token_call(d.token, "transfer", to, 0, d.amount);
	return 0;
}

LIBA_METHOD(release)
{
	return settle(args, alen, 1);
}

LIBA_METHOD(refund)
{
	return settle(args, alen, 0);
}

LIBA_METHOD(deal)
{
	struct deal d;
	struct liba_r r;
	uint8_t v[DEAL_LEN];
	uint64_t id;

	liba_r_init(&r, args, alen);
	id = liba_r_u64(&r);
	if (liba_r_done(&r))
		liba_revert("deal: expected (u64 id)");
	deal_load(id, &d);
	return liba_return(v, deal_encode(v, &d));
}
