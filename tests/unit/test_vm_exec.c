/*
 * test_vm_exec.c - the contract VM's execution (modules/vm/exec.c,
 * state.c) against a mock runner: "contracts" are C functions here,
 * chosen by their source text, that make liba calls through the VM's
 * host table as a compiled contract's system calls would.  What it checks
 * is the VM's half: receipts, gas, nonces, journal layers (revert, fault,
 * out of gas keep no write; a nested call's failure drops only its own),
 * the reentrancy rule, read-only calls, blocks (parent root, slot, dry
 * runs, the same roots from two VMs), deploys refused, proofs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <karyon/hash.h>
#include "vm/exec.h"

/* ---- the mock runner ---- */

struct mctx {
	const struct kr_contract_host *h;
	void *hc;
	uint64_t gas;
};

/* A method: KR_CONTRACT_* end, *ret the return value. */
typedef int (*mfn)(struct mctx *m, const uint8_t *args, uint32_t alen, int64_t *ret);

struct mmethod {
	const char *name;
	mfn fn;
};

struct mprog {
	const char *src;
	const struct mmethod *m;
};

/* Execution gas: what a metered loop iteration would charge. */
static int burn(struct mctx *m, uint64_t n)
{
	if (n > m->gas) {
		m->gas = 0;
		return KR_CONTRACT_OUT_OF_GAS;
	}
	m->gas -= n;
	return -1;
}

/* A liba call's stop code as the run's end, or -1 to go on. */
static int stopped(long r)
{
	return r == KR_CONTRACT_STOP_GAS ? KR_CONTRACT_OUT_OF_GAS :
	       r == KR_CONTRACT_STOP_REVERT ? KR_CONTRACT_REVERTED : -1;
}

#define CALL(m, r, call) do { long r_ = (call); int s_ = stopped(r_); if (s_ >= 0) return s_; \
			      (r) = r_; (void)(r); } while (0)

static uint64_t u64(const uint8_t *b)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = x << 8 | b[i];
	return x;
}

static void put64(uint8_t *b, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
}

static int revert(struct mctx *m, const char *why)
{
	long r = m->h->revert(m->hc, &m->gas, why, (uint32_t)strlen(why));

	return stopped(r) >= 0 ? stopped(r) : KR_CONTRACT_REVERTED;
}

/* counter: add(u64) -> the new count (8 bytes), a log each time. */
static int c_add(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	uint8_t v[8] = { 0 };
	long r;

	if (n != 8)
		return revert(m, "add: expected (u64 n)");
	if (burn(m, 10) >= 0)
		return KR_CONTRACT_OUT_OF_GAS;
	CALL(m, r, m->h->get(m->hc, &m->gas, (const uint8_t *)"count", 5, v, 8));
	put64(v, (r == 8 ? u64(v) : 0) + u64(a));
	CALL(m, r, m->h->set(m->hc, &m->gas, (const uint8_t *)"count", 5, v, 8));
	if (r)
		return revert(m, "add: cannot store");
	CALL(m, r, m->h->log(m->hc, &m->gas, NULL, 0, v, 8));
	CALL(m, r, m->h->ret(m->hc, &m->gas, v, 8));
	*ret = 0;
	return KR_CONTRACT_RETURNED;
}

/* counter: poke() writes, then returns 7 (a revert by return value). */
static int c_poke(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	long r;

	(void)a;
	(void)n;
	CALL(m, r, m->h->set(m->hc, &m->gas, (const uint8_t *)"poked", 5, (const uint8_t *)"y", 1));
	*ret = 7;
	return KR_CONTRACT_RETURNED;
}

/* loop: spin until the gas is gone. */
static int l_spin(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	long r;

	(void)a;
	(void)n;
	(void)ret;
	CALL(m, r, m->h->set(m->hc, &m->gas, (const uint8_t *)"k", 1, (const uint8_t *)"v", 1));
	for (;;)
		if (burn(m, 7) >= 0)
			return KR_CONTRACT_OUT_OF_GAS;
}

/* fault: writes, then "faults". */
static int f_boom(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	long r;

	(void)a;
	(void)n;
	(void)ret;
	CALL(m, r, m->h->set(m->hc, &m->gas, (const uint8_t *)"k", 1, (const uint8_t *)"v", 1));
	return KR_CONTRACT_FAULTED;
}

/* caller: go(addr to, u8 then_revert): calls to.add(5); returns the call's
 * result as 8 bytes, then reverts if asked.  self(): calls itself. */
static int k_go(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	uint8_t arg[8], out[8] = { 0 };
	long r;

	if (n != 33)
		return revert(m, "go: expected (addr, u8)");
	put64(arg, 5);
	CALL(m, r, m->h->call(m->hc, &m->gas, a, "add", arg, 8, out, 8, 0));
	put64(out, (uint64_t)r);
	CALL(m, r, m->h->set(m->hc, &m->gas, (const uint8_t *)"last", 4, out, 8));
	CALL(m, r, m->h->ret(m->hc, &m->gas, out, 8));
	if (a[32])
		return revert(m, "asked to");
	*ret = 0;
	return KR_CONTRACT_RETURNED;
}

static int k_self(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	uint8_t c[KR_CONTRACT_CTX_SIZE], out[8];
	long r;

	(void)a;
	(void)n;
	CALL(m, r, m->h->context(m->hc, &m->gas, c));
	CALL(m, r, m->h->call(m->hc, &m->gas, c + 144, "self", NULL, 0, NULL, 0, 0));
	put64(out, (uint64_t)r);
	CALL(m, r, m->h->ret(m->hc, &m->gas, out, 8));
	*ret = 0;
	return KR_CONTRACT_RETURNED;
}

/* token: init mints 1000 to the caller; transfer(addr, u64). */
static int t_init(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	uint8_t c[KR_CONTRACT_CTX_SIZE], v[8];
	long r;

	(void)a;
	(void)n;
	CALL(m, r, m->h->context(m->hc, &m->gas, c));
	put64(v, 1000);
	CALL(m, r, m->h->set(m->hc, &m->gas, c + 112, 32, v, 8));
	*ret = 0;
	return KR_CONTRACT_RETURNED;
}

static int t_transfer(struct mctx *m, const uint8_t *a, uint32_t n, int64_t *ret)
{
	uint8_t c[KR_CONTRACT_CTX_SIZE], v[8] = { 0 }, w[8] = { 0 };
	uint64_t have, amt;
	long r;

	if (n != 40)
		return revert(m, "transfer: expected (addr to, u64 amount)");
	amt = u64(a + 32);
	CALL(m, r, m->h->context(m->hc, &m->gas, c));
	CALL(m, r, m->h->get(m->hc, &m->gas, c + 112, 32, v, 8));
	have = r == 8 ? u64(v) : 0;
	if (have < amt)
		return revert(m, "transfer: insufficient balance");
	put64(v, have - amt);
	CALL(m, r, m->h->set(m->hc, &m->gas, c + 112, 32, v, 8));
	CALL(m, r, m->h->get(m->hc, &m->gas, a, 32, w, 8));
	put64(w, (r == 8 ? u64(w) : 0) + amt);
	CALL(m, r, m->h->set(m->hc, &m->gas, a, 32, w, 8));
	*ret = 0;
	return KR_CONTRACT_RETURNED;
}

static const struct mmethod counter_m[] = { { "add", c_add }, { "poke", c_poke }, { NULL, NULL } };
static const struct mmethod loop_m[] = { { "spin", l_spin }, { NULL, NULL } };
static const struct mmethod fault_m[] = { { "boom", f_boom }, { NULL, NULL } };
static const struct mmethod caller_m[] = { { "go", k_go }, { "self", k_self }, { NULL, NULL } };
static const struct mmethod token_m[] = { { "init", t_init }, { "transfer", t_transfer },
					  { NULL, NULL } };
static const struct mprog progs[] = {
	{ "counter", counter_m }, { "loop", loop_m }, { "fault", fault_m },
	{ "caller", caller_m }, { "token", token_m },
};

#define SLOTS 3         /* few, so that eviction happens */
static const struct mprog *slot[SLOTS];
static unsigned loads, unloads;
static bool busy[SLOTS];

static kr_err_t m_load(const char *name, const void *src, size_t len, kr_print_fn diag, void *dctx,
		       uint32_t *id, char *why, size_t whylen)
{
	uint32_t i;

	(void)name;
	(void)diag;
	(void)dctx;
	for (i = 0; i < SLOTS && slot[i]; i++)  /* a full runner says so first */
		;
	if (i == SLOTS)
		return KR_ENOSPC;
	for (size_t p = 0; p < sizeof(progs) / sizeof(progs[0]); p++) {
		if (strlen(progs[p].src) != len || memcmp(progs[p].src, src, len))
			continue;
		slot[i] = &progs[p];
		*id = i;
		loads++;
		return KR_OK;
	}
	snprintf(why, whylen, "syntax error");
	return KR_EFORMAT;
}

static kr_err_t m_unload(uint32_t id)
{
	assert_true(id < SLOTS && slot[id] && !busy[id]);
	slot[id] = NULL;
	unloads++;
	return KR_OK;
}

static mfn m_find(uint32_t id, const char *method)
{
	for (const struct mmethod *m = slot[id]->m; m->name; m++)
		if (!strcmp(m->name, method))
			return m->fn;
	return NULL;
}

static bool m_has(uint32_t id, const char *method)
{
	return id < SLOTS && slot[id] && m_find(id, method);
}

static kr_err_t m_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			 uint64_t gas, const struct kr_contract_host *h, void *hc,
			 struct kr_contract_result *res)
{
	struct mctx m = { h, hc, gas };
	mfn fn;
	int64_t ret = 0;

	if (id >= SLOTS || !slot[id])
		return KR_ENOENT;
	if (busy[id])
		return KR_EBUSY;
	fn = m_find(id, method);
	if (!fn)
		return KR_EUNKNOWN;
	busy[id] = true;
	*res = (struct kr_contract_result){ .version = KR_CONTRACT_RESULT_VERSION };
	res->end = (uint32_t)fn(&m, args, alen, &ret);
	busy[id] = false;
	res->ret = ret;
	res->gas_left = res->end == KR_CONTRACT_OUT_OF_GAS ? 0 : m.gas;
	return KR_OK;
}

static const struct kr_contract_ops mock = {
	.hdr = { KR_OPS_MAGIC, KR_CONTRACT_VERSION, sizeof(struct kr_contract_ops), 0 },
	.load = m_load, .unload = m_unload, .has_method = m_has, .invoke = m_invoke,
};

/* ---- helpers ---- */

static uint8_t alice[32], bob[32];
static const uint8_t zero[32];

struct seen {
	unsigned n;
	struct { uint8_t status; uint64_t gas; uint32_t ret_len; uint8_t ret[64]; uint16_t logs; }
		r[64];
};

static void on_receipt(void *ctx, uint32_t i, const struct vm_tx *tx, const struct vm_receipt *r,
		       const uint8_t hash[32])
{
	struct seen *s = ctx;

	(void)tx;
	(void)hash;
	assert_int_equal(i, s->n);
	s->r[s->n].status = r->status;
	s->r[s->n].gas = r->gas_used;
	s->r[s->n].ret_len = r->ret_len;
	memcpy(s->r[s->n].ret, r->ret, r->ret_len < 64 ? r->ret_len : 64);
	s->r[s->n].logs = r->log_count;
	s->n++;
}

static struct vm_tx tx_call(const uint8_t *from, uint64_t nonce, const uint8_t *to,
			    const char *method, const void *args, uint32_t alen, uint64_t gas)
{
	return (struct vm_tx){ .from = from, .to = to, .nonce = nonce, .gas_limit = gas,
			       .method = method, .method_len = (uint8_t)strlen(method),
			       .args = args, .args_len = alen };
}

static struct vm_tx tx_deploy(const uint8_t *from, uint64_t nonce, const char *name)
{
	return tx_call(from, nonce, zero, name, name, (uint32_t)strlen(name), 10000000);
}

/* Run txs[0..n) as one block on vm; the receipts in s. */
static kr_err_t block(struct vm *vm, const struct vm_tx *txs, uint32_t n, bool dry,
		      struct seen *s, struct vm_block_result *res)
{
	static uint8_t buf[1 << 16];
	struct vm_block b = { .slot = vm->slot + 1, .leader = zero, .parent_state_root = vm->root };
	size_t len;
	char why[160];
	kr_err_t e = vm_block_encode(buf, sizeof(buf), &b, txs, n, &len);

	assert_int_equal(e, KR_OK);
	memset(s, 0, sizeof(*s));
	return vm_exec_block(vm, buf, len, dry, res, on_receipt, s, why, sizeof(why));
}

static struct vm *fresh(void)
{
	struct vm *vm;

	memset(slot, 0, sizeof(slot));
	assert_int_equal(vm_open(&vm, &mock, NULL, NULL), KR_OK);
	return vm;
}

static uint64_t stored(struct vm *vm, const uint8_t *addr, const char *key)
{
	uint8_t v[8];
	size_t n;

	if (vm_state_get(&vm->st, addr, (const uint8_t *)key, strlen(key), v, 8, &n))
		return ~0ull;
	return u64(v);
}

static int setup(void **state)
{
	(void)state;
	vm_account("alice", alice);
	vm_account("bob", bob);
	return 0;
}

/* ---- the tests ---- */

static void test_deploy_and_call(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t addr[32], code[32], arg[8], arg2[8];
	struct vm_tx txs[3];

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	assert_int_equal(block(vm, txs, 1, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_OK);
	assert_int_equal(s.r[0].ret_len, 32);
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, addr);
	assert_memory_equal(s.r[0].ret, addr, 32);
	assert_int_equal(s.r[0].gas, VM_GAS_TX + VM_GAS_TX_BYTE * 14 + VM_GAS_DEPLOY_BYTE * 7);
	assert_int_equal(vm_nonce(vm, alice), 1);
	assert_int_equal(res.height, 1);

	put64(arg, 5);
	put64(arg2, 3);
	txs[0] = tx_call(alice, 1, addr, "add", arg, 8, 100000);
	txs[1] = tx_call(alice, 2, addr, "add", arg2, 8, 100000);
	assert_int_equal(block(vm, txs, 2, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_OK);
	assert_int_equal(u64(s.r[0].ret), 5);
	assert_int_equal(s.r[0].logs, 1);
	assert_int_equal(u64(s.r[1].ret), 8);
	assert_int_equal(stored(vm, addr, "count"), 8);
	/* The first add creates the key, the second replaces it (and reads 8 bytes). */
	assert_int_equal(s.r[0].gas - s.r[1].gas, VM_GAS_SET_NEW - VM_GAS_SET - VM_GAS_GET_BYTE * 8);
	assert_int_equal(res.ok, 2);
	vm_close(vm);
}

static void test_failures_keep_no_write(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t code[32], counter[32], lp[32], ft[32], root[32];
	struct vm_tx txs[4];

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	txs[1] = tx_deploy(alice, 1, "loop");
	txs[2] = tx_deploy(alice, 2, "fault");
	assert_int_equal(block(vm, txs, 3, false, &s, &res), KR_OK);
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, counter);
	kr_blake2b_256(code, "loop", 4);
	vm_contract_address(alice, code, 1, lp);
	kr_blake2b_256(code, "fault", 5);
	vm_contract_address(alice, code, 2, ft);
	memcpy(root, vm->root, 32);

	txs[0] = tx_call(alice, 3, counter, "poke", NULL, 0, 100000);
	txs[1] = tx_call(alice, 4, lp, "spin", NULL, 0, 50000);
	txs[2] = tx_call(alice, 5, ft, "boom", NULL, 0, 50000);
	txs[3] = tx_call(alice, 6, lp, "spin", NULL, 0, 50000);
	assert_int_equal(block(vm, txs, 4, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_REVERT);
	assert_string_equal((char *)s.r[0].ret, "method returned 7");
	assert_int_equal(s.r[1].status, KR_VM_OUT_OF_GAS);
	assert_int_equal(s.r[1].gas, 50000);
	assert_int_equal(s.r[3].gas, 50000);
	assert_int_equal(s.r[2].status, KR_VM_FAULT);
	assert_true(s.r[2].gas > VM_GAS_TX && s.r[2].gas < 50000);
	assert_int_equal(stored(vm, counter, "poked"), ~0ull);
	assert_int_equal(stored(vm, lp, "k"), ~0ull);
	assert_int_equal(stored(vm, ft, "k"), ~0ull);
	/* Only the nonce moved. */
	assert_int_equal(vm_nonce(vm, alice), 7);
	assert_memory_not_equal(root, vm->root, 32);
	vm_close(vm);
}

static void test_nested_and_reentrancy(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t code[32], counter[32], caller[32], arg[33], arg2[33];
	struct vm_tx txs[4];

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	txs[1] = tx_deploy(alice, 1, "caller");
	assert_int_equal(block(vm, txs, 2, false, &s, &res), KR_OK);
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, counter);
	kr_blake2b_256(code, "caller", 6);
	vm_contract_address(alice, code, 1, caller);

	memcpy(arg, counter, 32);
	arg[32] = 0;
	memcpy(arg2, arg, 32);
	arg2[32] = 1;
	txs[0] = tx_call(bob, 0, caller, "go", arg, 33, 1000000);
	txs[1] = tx_call(bob, 1, caller, "go", arg, 33, 1000000);
	txs[2] = tx_call(bob, 2, caller, "go", arg2, 33, 1000000);
	txs[3] = tx_call(bob, 3, caller, "self", NULL, 0, 1000000);
	assert_int_equal(block(vm, txs, 4, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_OK);
	assert_int_equal(u64(s.r[0].ret), 8);       /* the callee's return length */
	assert_int_equal(s.r[0].logs, 1);
	assert_int_equal(s.r[1].status, KR_VM_OK);
	assert_int_equal(s.r[2].status, KR_VM_REVERT);
	assert_string_equal((char *)s.r[2].ret, "asked to");
	assert_int_equal(stored(vm, counter, "count"), 10);    /* the third's add is gone */
	assert_int_equal(s.r[3].status, KR_VM_OK);
	assert_int_equal((int64_t)u64(s.r[3].ret), KR_EBUSY);
	vm_close(vm);
}

static void test_refusals(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t code[32], counter[32], root[32];
	struct vm_tx txs[5];

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	assert_int_equal(block(vm, txs, 1, false, &s, &res), KR_OK);
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, counter);
	memcpy(root, vm->root, 32);
	txs[0] = tx_call(alice, 5, counter, "add", "12345678", 8, 100000);      /* nonce */
	txs[1] = tx_call(alice, 1, counter, "nope", NULL, 0, 100000);           /* method */
	txs[2] = tx_call(alice, 1, bob, "add", "12345678", 8, 100000);          /* contract */
	txs[3] = tx_deploy(alice, 1, "gibberish");                              /* compile */
	txs[4] = tx_call(alice, 1, counter, "add", "12345678", 8, 1010);        /* gas */
	assert_int_equal(block(vm, txs, 5, false, &s, &res), KR_OK);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(s.r[i].status, KR_VM_REFUSED);
		assert_int_equal(s.r[i].gas, 0);
	}
	assert_memory_equal(s.r[0].ret, "nonce 5, expected 1", 19);
	assert_memory_equal(s.r[1].ret, "counter has no method nope", 26);
	assert_memory_equal(s.r[3].ret, "deploy refused: syntax error", 28);
	assert_memory_equal(vm->root, root, 32);
	assert_int_equal(vm_nonce(vm, alice), 1);
	assert_int_equal(vm->st.ncon, 1);

	/* With the runner full, a refused deploy still says the runner's why. */
	txs[0] = tx_deploy(alice, 1, "loop");
	txs[1] = tx_deploy(alice, 2, "fault");
	txs[2] = tx_deploy(alice, 3, "gibberish");
	assert_int_equal(block(vm, txs, 3, false, &s, &res), KR_OK);
	assert_int_equal(s.r[2].status, KR_VM_REFUSED);
	assert_int_equal(s.r[2].ret_len, 28);
	assert_memory_equal(s.r[2].ret, "deploy refused: syntax error", 28);
	vm_close(vm);
}

static void test_token_insufficient(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t code[32], tok[32], arg[40], arg2[40];
	struct vm_tx txs[2];

	(void)state;
	txs[0] = tx_deploy(alice, 0, "token");
	assert_int_equal(block(vm, txs, 1, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_OK);
	kr_blake2b_256(code, "token", 5);
	vm_contract_address(alice, code, 0, tok);
	memcpy(arg, bob, 32);
	put64(arg + 32, 400);
	memcpy(arg2, bob, 32);
	put64(arg2 + 32, 601);
	txs[0] = tx_call(alice, 1, tok, "transfer", arg, 40, 1000000);
	txs[1] = tx_call(alice, 2, tok, "transfer", arg2, 40, 1000000);
	assert_int_equal(block(vm, txs, 2, false, &s, &res), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_OK);
	assert_int_equal(s.r[1].status, KR_VM_REVERT);
	assert_memory_equal(s.r[1].ret, "transfer: insufficient balance", 30);
	{
		uint8_t v[8];
		size_t n;

		assert_int_equal(vm_state_get(&vm->st, tok, alice, 32, v, 8, &n), KR_OK);
		assert_int_equal(u64(v), 600);
		assert_int_equal(vm_state_get(&vm->st, tok, bob, 32, v, 8, &n), KR_OK);
		assert_int_equal(u64(v), 400);
	}
	vm_close(vm);
}

/* Two VMs, the same blocks: the same receipts and roots; a dry run and a
 * bad parent change nothing; eviction when the runner is full. */
static void test_blocks(void **state)
{
	struct vm *a = fresh(), *b;
	struct vm_block_result ra, rb;
	struct seen sa, sb;
	uint8_t root[32], code[32], counter[32];
	struct vm_tx txs[5];
	static uint8_t buf[4096];
	char why[160];
	size_t len;
	struct vm_block blk;

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	txs[1] = tx_deploy(alice, 1, "loop");
	txs[2] = tx_deploy(alice, 2, "fault");
	txs[3] = tx_deploy(alice, 3, "caller");
	txs[4] = tx_deploy(alice, 4, "token");
	assert_int_equal(block(a, txs, 5, false, &sa, &ra), KR_OK);
	assert_int_equal(ra.ok, 5);
	assert_true(unloads >= 2);                  /* 5 contracts, 3 slots */
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, counter);
	txs[0] = tx_call(alice, 5, counter, "add", "\x01\0\0\0\0\0\0\0", 8, 100000);
	memcpy(root, a->root, 32);
	assert_int_equal(block(a, txs, 1, true, &sa, &ra), KR_OK);
	assert_memory_equal(root, a->root, 32);
	assert_int_equal(a->height, 1);
	assert_int_equal(block(a, txs, 1, false, &sa, &ra), KR_OK);

	memcpy(root, a->root, 32);
	vm_close(a);
	b = fresh();
	txs[0] = tx_deploy(alice, 0, "counter");
	txs[1] = tx_deploy(alice, 1, "loop");
	txs[2] = tx_deploy(alice, 2, "fault");
	txs[3] = tx_deploy(alice, 3, "caller");
	txs[4] = tx_deploy(alice, 4, "token");
	assert_int_equal(block(b, txs, 5, false, &sb, &rb), KR_OK);
	txs[0] = tx_call(alice, 5, counter, "add", "\x01\0\0\0\0\0\0\0", 8, 100000);
	assert_int_equal(block(b, txs, 1, false, &sb, &rb), KR_OK);
	assert_memory_equal(ra.state_root, rb.state_root, 32);
	assert_memory_equal(ra.receipts_root, rb.receipts_root, 32);
	assert_memory_equal(root, b->root, 32);

	/* A block on another parent, or an old slot, is refused whole. */
	blk = (struct vm_block){ .slot = 99, .leader = zero, .parent_state_root = zero };
	assert_int_equal(vm_block_encode(buf, sizeof(buf), &blk, txs, 1, &len), KR_OK);
	assert_int_equal(vm_exec_block(b, buf, len, false, &rb, NULL, NULL, why, sizeof(why)),
			 KR_EINVAL);
	blk = (struct vm_block){ .slot = 1, .leader = zero, .parent_state_root = b->root };
	assert_int_equal(vm_block_encode(buf, sizeof(buf), &blk, txs, 1, &len), KR_OK);
	assert_int_equal(vm_exec_block(b, buf, len, false, &rb, NULL, NULL, why, sizeof(why)),
			 KR_EINVAL);
	assert_int_equal(vm_exec_block(b, buf, 10, false, &rb, NULL, NULL, why, sizeof(why)),
			 KR_EFORMAT);
	vm_close(b);
}

static void test_readonly_and_proof(void **state)
{
	struct vm *vm = fresh();
	struct vm_block_result res;
	struct seen s;
	uint8_t code[32], counter[32], proof[SMT_PROOF_MAX], vh[32], leaf[32];
	struct vm_tx txs[2];
	size_t len;
	char why[160];
	const char *bad;

	(void)state;
	txs[0] = tx_deploy(alice, 0, "counter");
	kr_blake2b_256(code, "counter", 7);
	vm_contract_address(alice, code, 0, counter);
	txs[1] = tx_call(alice, 1, counter, "add", "\x02\0\0\0\0\0\0\0", 8, 100000);
	assert_int_equal(block(vm, txs, 2, false, &s, &res), KR_OK);
	memset(&s, 0, sizeof(s));
	assert_int_equal(vm_exec_call(vm, bob, counter, "add", "\x02\0\0\0\0\0\0\0", 8, 100000,
				      on_receipt, &s, why, sizeof(why)), KR_OK);
	assert_int_equal(s.r[0].status, KR_VM_REVERT);     /* its set was KR_EPERM */
	assert_string_equal((char *)s.r[0].ret, "add: cannot store");
	assert_int_equal(stored(vm, counter, "count"), 2);

	assert_int_equal(vm_state_prove(&vm->st, counter, (const uint8_t *)"count", 5, proof,
					sizeof(proof), &len), KR_OK);
	kr_blake2b_256(vh, "\x02\0\0\0\0\0\0\0", 8);
	smt_leaf_key(leaf, counter, "count", 5);
	assert_int_equal(smt_verify(vm->root, leaf, vh, proof, len, &bad), KR_OK);
	proof[len - 1] ^= 1;
	assert_int_not_equal(smt_verify(vm->root, leaf, vh, proof, len, &bad), KR_OK);
	vm_close(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deploy_and_call),
		cmocka_unit_test(test_failures_keep_no_write),
		cmocka_unit_test(test_nested_and_reentrancy),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_token_insufficient),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_readonly_and_proof),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
