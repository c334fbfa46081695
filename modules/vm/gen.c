/*
 * gen.c - the shared workload of blocks (gen.h).
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include "codec.h"
#include "exec.h"
#include "gen.h"

static const uint8_t zero[KR_VM_ADDR_LEN];

/* The transfer arguments of <liba_enc.h>: addr to, u64 amount. */
static void transfer_args(uint8_t a[40], const uint8_t *to, uint64_t amount)
{
	memcpy(a, to, KR_VM_ADDR_LEN);
	for (int i = 0; i < 8; i++)
		a[32 + i] = (uint8_t)(amount >> (8 * i));
}

static uint64_t next(struct vm_gen *g)
{
	uint64_t x = g->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return g->rng = x;
}

kr_err_t vm_gen_init(struct vm_gen *g, uint32_t accounts, uint64_t seed)
{
	*g = (struct vm_gen){ .rng = seed ? seed : 0x9e3779b97f4a7c15ull, .accounts = accounts };
	if (accounts < 2 || accounts > VM_GEN_ACCOUNTS_MAX)
		return KR_ERANGE;
	g->nonce = vm_alloc(accounts * sizeof(*g->nonce));
	g->addr = vm_alloc(accounts * sizeof(*g->addr));
	if (!g->nonce || !g->addr) {
		vm_gen_fini(g);
		return KR_ENOMEM;
	}
	memset(g->nonce, 0, accounts * sizeof(*g->nonce));
	vm_account("deployer", g->deployer);
	for (uint32_t i = 0; i < accounts; i++) {
		char name[16];

		ksnprintf(name, sizeof(name), "acct%u", i);
		vm_account(name, g->addr[i]);
	}
	return KR_OK;
}

void vm_gen_fini(struct vm_gen *g)
{
	vm_release(g->nonce);
	vm_release(g->addr);
	g->nonce = NULL;
	g->addr = NULL;
}

size_t vm_gen_size(uint32_t n)
{
	return KR_VM_BLOCK_HDR_SIZE + (size_t)n * (KR_VM_TX_HDR_SIZE + 8 + 40);
}

static kr_err_t emit(uint64_t slot, const uint8_t *root, const struct vm_tx *txs, uint32_t n,
		     void *buf, size_t cap, size_t *out)
{
	struct vm_block b = { .slot = slot, .leader = zero, .parent_state_root = root };

	return vm_block_encode(buf, cap, &b, txs, n, out);
}

kr_err_t vm_gen_deploy(struct vm_gen *g, const void *src, uint32_t len, uint64_t slot,
		       const uint8_t root[KR_VM_HASH_LEN], void *buf, size_t cap, size_t *out)
{
	struct vm_tx tx = { .from = g->deployer, .to = zero, .nonce = g->deployer_nonce,
			    .gas_limit = KR_VM_GAS_MAX / 10, .method = "token", .method_len = 5,
			    .args = src, .args_len = len };
	uint8_t code[KR_VM_HASH_LEN];
	kr_err_t e = emit(slot, root, &tx, 1, buf, cap, out);

	if (e)
		return e;
	kr_blake2b_256(code, src, len);
	vm_contract_address(g->deployer, code, g->deployer_nonce, g->token);
	g->deployer_nonce++;
	return KR_OK;
}

kr_err_t vm_gen_fund(struct vm_gen *g, uint64_t slot, const uint8_t root[KR_VM_HASH_LEN],
		     void *buf, size_t cap, size_t *out)
{
	struct vm_tx *txs;
	uint8_t (*args)[40];
	kr_err_t e;

	if (g->accounts > KR_VM_BLOCK_TX_MAX)
		return KR_ERANGE;
	txs = vm_alloc(g->accounts * sizeof(*txs));
	args = vm_alloc(g->accounts * sizeof(*args));
	if (!txs || !args) {
		vm_release(txs);
		vm_release(args);
		return KR_ENOMEM;
	}
	for (uint32_t i = 0; i < g->accounts; i++) {
		transfer_args(args[i], g->addr[i], VM_GEN_FUND);
		txs[i] = (struct vm_tx){ .from = g->deployer, .to = g->token,
					 .nonce = g->deployer_nonce + i, .gas_limit = VM_GEN_GAS,
					 .method = "transfer", .method_len = 8, .args = args[i],
					 .args_len = 40 };
	}
	e = emit(slot, root, txs, g->accounts, buf, cap, out);
	if (!e)
		g->deployer_nonce += g->accounts;
	vm_release(txs);
	vm_release(args);
	return e;
}

kr_err_t vm_gen_transfers(struct vm_gen *g, uint32_t n, uint64_t slot,
			  const uint8_t root[KR_VM_HASH_LEN], void *buf, size_t cap, size_t *out)
{
	struct vm_tx *txs;
	uint8_t (*args)[40];
	uint64_t *used;
	kr_err_t e;

	if (!n || n > KR_VM_BLOCK_TX_MAX)
		return KR_ERANGE;
	txs = vm_alloc(n * sizeof(*txs));
	args = vm_alloc(n * sizeof(*args));
	used = vm_alloc(g->accounts * sizeof(*used));
	if (!txs || !args || !used) {
		e = KR_ENOMEM;
		goto out;
	}
	memset(used, 0, g->accounts * sizeof(*used));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t from = (uint32_t)(next(g) % g->accounts);
		uint32_t to = (uint32_t)(next(g) % (g->accounts - 1));

		if (to >= from)
			to++;
		transfer_args(args[i], g->addr[to], 1 + next(g) % 1000);
		txs[i] = (struct vm_tx){ .from = g->addr[from], .to = g->token,
					 .nonce = g->nonce[from] + used[from]++,
					 .gas_limit = VM_GEN_GAS, .method = "transfer",
					 .method_len = 8, .args = args[i], .args_len = 40 };
	}
	e = emit(slot, root, txs, n, buf, cap, out);
	if (!e)
		for (uint32_t a = 0; a < g->accounts; a++)
			g->nonce[a] += used[a];
out:
	vm_release(txs);
	vm_release(args);
	vm_release(used);
	return e;
}

void vm_print_result(const struct vm_block_result *r, void (*print)(void *ctx, const char *s),
		     void *ctx)
{
	static const char d[] = "0123456789abcdef";
	const uint8_t *h[3] = { r->block_hash, r->state_root, r->receipts_root };
	static const char *const what[3] = { "block", "state root", "receipts root" };
	char line[128];

	ksnprintf(line, sizeof(line), "block %llu (slot %llu): %u transactions, %u ok, gas %llu\n",
		  (unsigned long long)r->height, (unsigned long long)r->slot, r->txs, r->ok,
		  (unsigned long long)r->gas);
	print(ctx, line);
	for (int k = 0; k < 3; k++) {
		int n = ksnprintf(line, sizeof(line), "  %s ", what[k]);

		for (int i = 0; i < KR_VM_HASH_LEN; i++) {
			line[n++] = d[h[k][i] >> 4];
			line[n++] = d[h[k][i] & 15];
		}
		line[n++] = '\n';
		line[n] = '\0';
		print(ctx, line);
	}
}
