/*
 * registry.c - a name registry: the first to register a name owns it,
 * and the owner may point it at an address, hand it on or give it up.
 *
 *	claim    (bytes name)                 the caller owns name (1..32 bytes)
 *	resolve  (bytes name)              -> addr owner, addr target
 *	point    (bytes name, addr target)    the owner sets where name points
 *	give     (bytes name, addr owner)     the owner hands name on
 *	release  (bytes name)                 the owner gives name up
 * Storage: "n"+name -> owner (32 bytes), target (32 bytes).
 * Logs: "Name" [BLAKE2b-256(name), owner] with the name as data, whenever
 * a name's owner changes (the zero address: given up).
 */
#include <stdint.h>
#include <string.h>
#include <liba.h>
#include <liba_enc.h>

#define NAME_MAX 32
#define REC_LEN (2 * LIBA_ADDR_LEN)

struct name {
	uint8_t key[1 + NAME_MAX];
	uint32_t klen;
	uint8_t rec[REC_LEN];           /* owner, target */
	int exists;
};

/* Read (bytes name[, addr extra]) and the record, or revert. */
static void name_arg(const uint8_t *args, uint32_t alen, struct name *n, uint8_t *extra)
{
	struct liba_r r;
	long len;

	liba_r_init(&r, args, alen);
	n->key[0] = 'n';
	len = liba_r_copy(&r, n->key + 1, NAME_MAX);
	if (extra)
		liba_r_addr(&r, extra);
	if (liba_r_done(&r) || len < 1)
		liba_revert("registry: expected (bytes name of 1..32[, addr])");
	n->klen = 1 + (uint32_t)len;
	n->exists = liba_get(n->key, n->klen, n->rec, REC_LEN) == REC_LEN;
	if (!n->exists)
		memset(n->rec, 0, REC_LEN);
}

/* Revert unless the caller owns n. */
static void owner_only(const struct name *n)
{
	struct liba_ctx c = liba_ctx();

	if (!n->exists || memcmp(n->rec, c.caller, LIBA_ADDR_LEN))
		liba_revert("registry: not the name's owner");
}

static long save(struct name *n)
{
	uint8_t topics[2][LIBA_TOPIC_LEN];

	if (liba_set(n->key, n->klen, n->rec, REC_LEN) < 0)
		liba_revert("registry: storage write failed");
	liba_blake2b(topics[0], n->key + 1, n->klen - 1);
	memcpy(topics[1], n->rec, LIBA_ADDR_LEN);
	return liba_log(topics, 2, n->key + 1, n->klen - 1);
}

LIBA_METHOD(claim)
{
	struct liba_ctx c = liba_ctx();
	struct name n;

	name_arg(args, alen, &n, NULL);
	if (n.exists)
		liba_revert("claim: the name is taken");
	memcpy(n.rec, c.caller, LIBA_ADDR_LEN);
	memset(n.rec + LIBA_ADDR_LEN, 0, LIBA_ADDR_LEN);
	return save(&n);
}

LIBA_METHOD(resolve)
{
	struct name n;

	name_arg(args, alen, &n, NULL);
	if (!n.exists)
		liba_revert("resolve: no such name");
	return liba_return(n.rec, REC_LEN);
}

LIBA_METHOD(point)
{
	struct name n;
	uint8_t target[LIBA_ADDR_LEN];

	name_arg(args, alen, &n, target);
	owner_only(&n);
	memcpy(n.rec + LIBA_ADDR_LEN, target, LIBA_ADDR_LEN);
	if (liba_set(n.key, n.klen, n.rec, REC_LEN) < 0)
		liba_revert("point: storage write failed");
	return 0;
}

LIBA_METHOD(give)
{
	struct name n;
	uint8_t to[LIBA_ADDR_LEN];

	name_arg(args, alen, &n, to);
	owner_only(&n);
	memcpy(n.rec, to, LIBA_ADDR_LEN);
	return save(&n);
}

LIBA_METHOD(release)
{
	struct name n;
	uint8_t topics[2][LIBA_TOPIC_LEN];

	name_arg(args, alen, &n, NULL);
	owner_only(&n);
	liba_del(n.key, n.klen);
	liba_blake2b(topics[0], n.key + 1, n.klen - 1);
	memset(topics[1], 0, LIBA_ADDR_LEN);
	return liba_log(topics, 2, n.key + 1, n.klen - 1);
}
