/*
 * chost.h - a tiny kr_contract_host for the runner's tests, the same on
 * the host (tests/unit/test_hostrun.c) and in the kernel
 * (tests/kernel/ctest.c), so both print the same gas: a table of 16
 * storage entries, the gas schedule of docs/contract-guide.md, a stand-in
 * hash (a byte sum: the runner is under test, not BLAKE2b), and liba_call
 * into the contract whose id is the address's first byte.  The includer
 * provides memcpy, memcmp and memset.
 */
#ifndef CHOST_H
#define CHOST_H

#include <karyon/contract.h>

#define CHOST_KEYS 16
#define CHOST_RET  256

struct chost {
	const struct kr_contract_ops *ops;
	unsigned depth, logs;
	struct { bool used; uint32_t kl, vl; uint8_t k[KR_VM_KEY_MAX], v[64]; } kv[CHOST_KEYS];
};

/* One invoke's context: its return data. */
struct cframe {
	struct chost *h;
	unsigned depth;
	uint32_t retlen;
	uint8_t ret[CHOST_RET];
};

static long chost_charge(uint64_t *gas, uint64_t cost)
{
	if (cost > *gas) {
		*gas = 0;
		return KR_CONTRACT_STOP_GAS;
	}
	*gas -= cost;
	return 0;
}

static int chost_find(struct chost *h, const uint8_t *key, uint32_t klen)
{
	for (int i = 0; i < CHOST_KEYS; i++)
		if (h->kv[i].used && h->kv[i].kl == klen && !memcmp(h->kv[i].k, key, klen))
			return i;
	return -1;
}

static long chost_get(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen, uint8_t *buf,
		      uint32_t cap)
{
	struct chost *h = ((struct cframe *)ctx)->h;
	int i = key && klen ? chost_find(h, key, klen) : -1;
	uint32_t vl = i < 0 ? 0 : h->kv[i].vl;

	if (chost_charge(gas, 800 + 2 * (uint64_t)klen + 2 * vl))
		return KR_CONTRACT_STOP_GAS;
	if (!key || !klen)
		return KR_EINVAL;
	if (i < 0)
		return KR_ENOENT;
	memcpy(buf, h->kv[i].v, vl < cap ? vl : cap);
	return vl;
}

static long chost_set(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen,
		      const uint8_t *val, uint32_t vlen)
{
	struct chost *h = ((struct cframe *)ctx)->h;
	int i = key && klen ? chost_find(h, key, klen) : -1;

	if (chost_charge(gas, (i < 0 ? 20000 : 5000) + 16 * ((uint64_t)klen + vlen)))
		return KR_CONTRACT_STOP_GAS;
	if (!key || !klen)
		return KR_EINVAL;
	if (!val || !vlen || vlen > 64)
		return KR_ERANGE;
	for (int j = 0; i < 0 && j < CHOST_KEYS; j++)
		if (!h->kv[j].used)
			i = j;
	if (i < 0)
		return KR_ENOSPC;
	h->kv[i].used = true;
	h->kv[i].kl = klen;
	h->kv[i].vl = vlen;
	memcpy(h->kv[i].k, key, klen);
	memcpy(h->kv[i].v, val, vlen);
	return 0;
}

static long chost_del(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen)
{
	struct chost *h = ((struct cframe *)ctx)->h;
	int i = key && klen ? chost_find(h, key, klen) : -1;

	if (chost_charge(gas, i < 0 ? 800 : 5000 + 16 * (uint64_t)klen))
		return KR_CONTRACT_STOP_GAS;
	if (i < 0)
		return key && klen ? KR_ENOENT : KR_EINVAL;
	h->kv[i].used = false;
	return 0;
}

static long chost_log(void *ctx, uint64_t *gas, const uint8_t *topics, uint32_t ntopics,
		      const uint8_t *data, uint32_t len)
{
	struct chost *h = ((struct cframe *)ctx)->h;

	if (chost_charge(gas, 400 + 400 * (uint64_t)ntopics + 8 * (uint64_t)len))
		return KR_CONTRACT_STOP_GAS;
	if ((ntopics && !topics) || (len && !data))
		return ntopics > KR_VM_LOG_TOPICS_MAX ? KR_EINVAL : KR_ERANGE;
	h->logs++;
	return 0;
}

static long chost_hash(void *ctx, uint64_t *gas, const uint8_t *in, uint32_t n, uint8_t *out)
{
	uint8_t sum = 0;

	(void)ctx;
	if (chost_charge(gas, 60 + 12 * (uint64_t)(n ? (n + 127) / 128 : 1)))
		return KR_CONTRACT_STOP_GAS;
	if (!in && n)
		return KR_ERANGE;
	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + in[i]);
	memset(out, sum, 32);
	return 0;
}

static long chost_context(void *ctx, uint64_t *gas, uint8_t *out)
{
	struct cframe *f = ctx;

	if (chost_charge(gas, 40))
		return KR_CONTRACT_STOP_GAS;
	memset(out, 0, KR_CONTRACT_CTX_SIZE);
	out[0] = 1;                     /* version */
	out[4] = (uint8_t)f->depth;
	memcpy(out + 184, gas, 8);
	return 0;
}

static long chost_ret(void *ctx, uint64_t *gas, const uint8_t *buf, uint32_t n)
{
	struct cframe *f = ctx;

	if (chost_charge(gas, 40 + (uint64_t)n))
		return KR_CONTRACT_STOP_GAS;
	if (!buf && n)
		return KR_ERANGE;
	f->retlen = n < CHOST_RET ? n : CHOST_RET;
	memcpy(f->ret, buf, f->retlen);
	return 0;
}

static long chost_revert(void *ctx, uint64_t *gas, const char *reason, uint32_t n)
{
	struct cframe *f = ctx;

	if (chost_charge(gas, 40 + (uint64_t)n))
		return KR_CONTRACT_STOP_GAS;
	f->retlen = n < CHOST_RET ? n : CHOST_RET;
	memcpy(f->ret, reason, f->retlen);
	return KR_CONTRACT_STOP_REVERT;
}

static long chost_call(void *ctx, uint64_t *gas, const uint8_t *to, const char *method,
		       const uint8_t *args, uint32_t alen, uint8_t *ret, uint32_t rcap,
		       uint64_t gas_req);

static const struct kr_contract_host chost_table = {
	.magic = KR_CONTRACT_HOST_MAGIC, .version = KR_CONTRACT_HOST_VERSION,
	.get = chost_get, .set = chost_set, .del = chost_del, .log = chost_log,
	.hash = chost_hash, .context = chost_context, .call = chost_call, .ret = chost_ret,
	.revert = chost_revert,
};

static long chost_call(void *ctx, uint64_t *gas, const uint8_t *to, const char *method,
		       const uint8_t *args, uint32_t alen, uint8_t *ret, uint32_t rcap,
		       uint64_t gas_req)
{
	struct cframe *f = ctx, sub = { .h = f->h, .depth = f->depth + 1 };
	struct kr_contract_result res;
	uint64_t fwd;
	kr_err_t e;

	if (chost_charge(gas, 2500 + 2 * (uint64_t)alen))
		return KR_CONTRACT_STOP_GAS;
	if (!method || (!args && alen))
		return KR_EINVAL;
	if (f->depth + 1 >= 8)
		return KR_ENOSPC;
	fwd = *gas - *gas / 64;
	if (gas_req && gas_req < fwd)
		fwd = gas_req;
	e = f->h->ops->invoke(to[0], method, args, alen, fwd, &chost_table, &sub, &res);
	if (e)
		return e;
	*gas -= fwd - res.gas_left;
	memcpy(ret, sub.ret, sub.retlen < rcap ? sub.retlen : rcap);
	if (chost_charge(gas, 2 * (uint64_t)(sub.retlen < rcap ? sub.retlen : rcap)))
		return KR_CONTRACT_STOP_GAS;
	return res.end == KR_CONTRACT_RETURNED ? (res.ret ? -1001 : (long)sub.retlen) :
	       res.end == KR_CONTRACT_REVERTED ? -1001 : res.end == KR_CONTRACT_OUT_OF_GAS ?
	       -1002 : -1003;
}

#endif
