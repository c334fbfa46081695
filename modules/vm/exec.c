/*
 * exec.c - blocks and transactions (exec.h); the frames they run methods
 * in and liba's calls are call.c's.  A transaction runs in journal layers:
 * layer 1 holds its nonce, layer 2 the method's writes, a layer more for
 * each nested call; a layer is merged down when its call succeeds and
 * dropped otherwise, and the block's merged writes reach the state (and
 * the tree) at its end.
 */
#include <stdarg.h>
#include <karyon/hash.h>
#include <karyon/libc.h>
#include "call.h"

/* ---- small things ---- */

static void hex8(char out[17], const uint8_t *b)
{
	static const char d[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[16] = '\0';
}

/* A contract name: 1..31 of [a-z0-9_] (the runner's rule). */
static bool con_name(const char *s, size_t n)
{
	if (!n || n >= VM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

void vm_account(const char *name, uint8_t out[KR_VM_ADDR_LEN])
{
	uint8_t in[17 + 64];
	size_t n = strlen(name);

	if (n > 64)
		n = 64;
	memcpy(in, "karyon-vm-account", 17);
	memcpy(in + 17, name, n);
	kr_blake2b_256(out, in, 17 + n);
}

static void sys_key(uint8_t key[1 + KR_VM_ADDR_LEN], char kind, const uint8_t *addr)
{
	key[0] = (uint8_t)kind;
	memcpy(key + 1, addr, KR_VM_ADDR_LEN);
}

static uint64_t get_nonce(struct vm *vm, const uint8_t *account)
{
	uint8_t key[1 + KR_VM_ADDR_LEN], v[8];
	size_t n = 0;
	uint64_t x = 0;

	sys_key(key, VM_SYS_NONCE, account);
	if (vm_journal_get(&vm->j, vm_system_addr, key, sizeof(key), v, sizeof(v), &n) ||
	    n != 8)
		return 0;
	for (int i = 7; i >= 0; i--)
		x = x << 8 | v[i];
	return x;
}

uint64_t vm_nonce(struct vm *vm, const uint8_t account[KR_VM_ADDR_LEN])
{
	return get_nonce(vm, account);
}

static kr_err_t set_nonce(struct vm *vm, const uint8_t *account, uint64_t x)
{
	uint8_t key[1 + KR_VM_ADDR_LEN], v[8];

	sys_key(key, VM_SYS_NONCE, account);
	for (int i = 0; i < 8; i++)
		v[i] = (uint8_t)(x >> (8 * i));
	return vm_journal_set(&vm->j, vm_system_addr, key, sizeof(key), v, sizeof(v));
}

/* ---- transactions ---- */

struct txout {
	uint8_t status;
	uint64_t gas_used;
	const uint8_t *ret;
	uint32_t ret_len;
	char why[VM_WHY_MAX];           /* REFUSED's reason */
};

__attribute__((format(printf, 2, 3)))
static void refuse(struct txout *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	o->status = KR_VM_REFUSED;
	o->gas_used = 0;
	o->ret = (const uint8_t *)o->why;
	o->ret_len = (uint32_t)strlen(o->why);
}

/* Refuse and return (from a function returning nothing). */
#define REFUSE(...) do { refuse(__VA_ARGS__); return; } while (0)

static uint8_t status_of(enum vm_outcome o)
{
	return o == O_OK ? KR_VM_OK : o == O_REVERT ? KR_VM_REVERT :
	       o == O_GAS ? KR_VM_OUT_OF_GAS : KR_VM_FAULT;
}

/* A deploy: compile, register, run init (if any); the address is the
 * return data. */
static void deploy(struct vm *vm, const struct vm_tx *tx, uint64_t gas, struct txout *o)
{
	uint8_t code[KR_VM_HASH_LEN], addr[KR_VM_ADDR_LEN], key[1 + KR_VM_ADDR_LEN];
	uint8_t val[KR_VM_HASH_LEN + VM_NAME_MAX];
	char name[VM_NAME_MAX], why[VM_WHY_MAX], a[17];
	struct vm_contract *c;
	struct vm_frame *f;
	unsigned layer;
	uint64_t left = gas;
	enum vm_outcome out = O_OK;
	kr_err_t e;

	memcpy(name, tx->method, tx->method_len);
	name[tx->method_len] = '\0';
	if (!con_name(name, tx->method_len))
		REFUSE(o, "deploy: \"%s\" is not a contract name (1..31 of a-z, 0-9, _)",
			      name);
	kr_blake2b_256(code, tx->args, tx->args_len);
	vm_contract_address(tx->from, code, tx->nonce, addr);
	hex8(a, addr);
	if (vm_contract_get(&vm->st, addr))
		REFUSE(o, "deploy: a contract is at %s already", a);
	e = vm_contract_add(&vm->st, addr, name, code, tx->args, tx->args_len, vm->height + 1,
			    &c);
	if (e) {
		vm_failed(vm, e, "deploy");
		return;
	}
	c->pending = true;
	/* Compiled now (evicting another if the runner is full): a refusal
	 * is the runner's why, the same on every machine. */
	e = vm_load_why(vm, c, why, sizeof(why));
	if (e == KR_EFORMAT) {
		vm_contract_remove(&vm->st, c);
		REFUSE(o, "deploy refused: %s", why);
	}
	if (e) {
		vm_contract_remove(&vm->st, c);
		vm_failed(vm, e, "deploy");
		return;
	}
	e = vm_journal_begin(&vm->j, &layer);
	if (e) {
		vm_unload(vm, c);
		vm_contract_remove(&vm->st, c);
		vm_failed(vm, e, "deploy");
		return;
	}
	sys_key(key, VM_SYS_CODE, addr);
	memcpy(val, code, KR_VM_HASH_LEN);
	memcpy(val + KR_VM_HASH_LEN, name, tx->method_len);
	e = set_nonce(vm, tx->from, tx->nonce + 1);
	if (!e)
		e = vm_journal_set(&vm->j, vm_system_addr, key, sizeof(key), val,
				   KR_VM_HASH_LEN + tx->method_len);
	if (!e && vm->run->has_method((uint32_t)c->id, "init"))
		out = vm_frame_run(vm, c, tx->from, "init", NULL, 0, gas, &left, &f);
	if (e || out == O_FAILED) {
		if (!vm->failed)
			vm_failed(vm, e, "deploy");
		vm_journal_revert(&vm->j, layer);
		vm_unload(vm, c);
		vm_contract_remove(&vm->st, c);
		return;
	}
	o->status = status_of(out);
	o->gas_used = tx->gas_limit - left;
	if (out != O_OK) {
		o->ret_len = f->ret_len;
		o->ret = f->ret;
		/* The contract does not stand; the nonce is used all the same. */
		vm_journal_revert(&vm->j, layer);
		vm_journal_begin(&vm->j, &layer);
		set_nonce(vm, tx->from, tx->nonce + 1);
		vm_journal_commit(&vm->j, layer);
		vm_unload(vm, c);
		vm_contract_remove(&vm->st, c);
		return;
	}
	vm_journal_commit(&vm->j, layer);
	memcpy(vm->frames[0].ret, addr, KR_VM_ADDR_LEN);
	o->ret = vm->frames[0].ret;
	o->ret_len = KR_VM_ADDR_LEN;
}

static void exec_tx(struct vm *vm, const struct vm_tx *tx, struct txout *o)
{
	static const uint8_t zero[KR_VM_ADDR_LEN];
	bool is_deploy = !memcmp(tx->to, zero, KR_VM_ADDR_LEN);
	uint64_t intrinsic = VM_GAS_TX + (uint64_t)VM_GAS_TX_BYTE * (tx->method_len + tx->args_len);
	uint64_t nonce, left;
	char method[KR_VM_METHOD_MAX + 1], a[17];
	struct vm_contract *c;
	struct vm_frame *f;
	enum vm_outcome out;
	unsigned layer;
	kr_err_t e;

	*o = (struct txout){ 0 };
	vm->tx = tx;
	vm->nlogs = 0;
	vm->depth = 0;
	memcpy(method, tx->method, tx->method_len);
	method[tx->method_len] = '\0';
	if (is_deploy)
		intrinsic += (uint64_t)VM_GAS_DEPLOY_BYTE * tx->args_len;
	if (tx->gas_limit > KR_VM_GAS_MAX)
		REFUSE(o, "gas limit %llu above the most, %llu",
			      (unsigned long long)tx->gas_limit, KR_VM_GAS_MAX);
	if (tx->gas_limit < intrinsic)
		REFUSE(o, "gas limit %llu below the transaction's own cost, %llu",
			      (unsigned long long)tx->gas_limit, (unsigned long long)intrinsic);
	nonce = get_nonce(vm, tx->from);
	if (tx->nonce != nonce)
		REFUSE(o, "nonce %llu, expected %llu", (unsigned long long)tx->nonce,
			      (unsigned long long)nonce);
	if (is_deploy) {
		deploy(vm, tx, tx->gas_limit - intrinsic, o);
		return;
	}
	hex8(a, tx->to);
	c = vm_contract_get(&vm->st, tx->to);
	if (!c)
		REFUSE(o, "no contract at %s", a);
	e = vm_loaded(vm, c);
	if (e) {                        /* the runner's failure: the block is abandoned */
		vm_failed(vm, e, c->name);
		return;
	}
	if (!vm->run->has_method((uint32_t)c->id, method))
		REFUSE(o, "%s has no method %s", c->name, method);
	if (vm_journal_begin(&vm->j, &layer) || set_nonce(vm, tx->from, nonce + 1)) {
		vm_failed(vm, KR_ENOSPC, "journal");
		return;
	}
	out = vm_frame_run(vm, c, tx->from, method, tx->args, tx->args_len,
			tx->gas_limit - intrinsic, &left, &f);
	if (out == O_FAILED) {
		vm_journal_revert(&vm->j, layer);
		return;
	}
	vm_journal_commit(&vm->j, layer);
	o->status = status_of(out);
	o->gas_used = tx->gas_limit - left;
	o->ret = f->ret;
	o->ret_len = f->ret_len;
}

/* The receipt of o (with the logs, when OK) into vm->rbuf. */
static kr_err_t receipt(struct vm *vm, const struct txout *o, struct vm_receipt *r,
			uint8_t hash[KR_VM_HASH_LEN])
{
	struct vm_log logs[KR_VM_LOGS_MAX];
	unsigned n = o->status == KR_VM_OK ? vm->nlogs : 0;
	size_t len;
	kr_err_t e;

	for (unsigned i = 0; i < n; i++)
		logs[i] = (struct vm_log){ .address = vm->logs[i].addr,
					   .topic_count = vm->logs[i].ntopics,
					   .topics = &vm->logs[i].topics[0][0],
					   .data = vm->logs[i].data, .data_len = vm->logs[i].len };
	*r = (struct vm_receipt){ .status = o->status, .gas_used = o->gas_used, .ret = o->ret,
				  .ret_len = o->ret_len, .log_count = (uint16_t)n, .logs = logs };
	e = vm_receipt_encode(vm->rbuf, KR_VM_RECEIPT_MAX, r, &len);
	if (e)
		return e;
	e = vm_receipt_decode(vm->rbuf, len, r, NULL);
	return e ? e : vm_receipt_hash(r, hash);
}

/* Undo what an abandoned block did to the contracts: its deploys. */
static void drop_pending(struct vm *vm)
{
	for (uint32_t i = vm->st.ncon; i-- > 0;) {
		struct vm_contract *c = vm->st.con[i];

		if (c->pending) {
			vm_unload(vm, c);
			vm_contract_remove(&vm->st, c);
		}
	}
}

/* Decode block and check it can follow the head. */
static kr_err_t check_block(const struct vm *vm, const void *block, size_t len,
			    struct vm_block *b, char *why, size_t whylen)
{
	const char *bad = NULL;
	kr_err_t e = vm_block_decode(block, len, b, &bad);

	if (e) {
		ksnprintf(why, whylen, "not a block: %s", bad ? bad : kr_strerror(e));
		return KR_EFORMAT;
	}
	if (vm->broken) {
		ksnprintf(why, whylen, "the chain takes no block: %s", vm->broken);
		return KR_EBUSY;
	}
	if (memcmp(b->parent_state_root, vm->root, KR_VM_HASH_LEN)) {
		char x[17], y[17];

		hex8(x, b->parent_state_root);
		hex8(y, vm->root);
		ksnprintf(why, whylen, "its parent state root %s... is not the chain's, %s...", x,
			  y);
		return KR_EINVAL;
	}
	if (b->slot <= vm->slot) {
		ksnprintf(why, whylen, "its slot %llu is not after the chain's, %llu",
			  (unsigned long long)b->slot, (unsigned long long)vm->slot);
		return KR_EINVAL;
	}
	return KR_OK;
}

kr_err_t vm_check_block(const struct vm *vm, const void *block, size_t len, char *why,
			size_t whylen)
{
	struct vm_block b;

	return check_block(vm, block, len, &b, why, whylen);
}

kr_err_t vm_exec_block(struct vm *vm, const void *block, size_t len, bool dry,
		       struct vm_block_result *out, vm_receipt_fn fn, void *ctx, char *why,
		       size_t whylen)
{
	struct vm_block b;
	struct vm_block_iter it;
	struct vm_merkle m;
	struct vm_tx tx;
	kr_err_t e = check_block(vm, block, len, &b, why, whylen);
	uint64_t t0;
	uint32_t i = 0;

	*out = (struct vm_block_result){ 0 };
	if (e)
		return e;
	vm->b_slot = b.slot;
	memcpy(vm->b_leader, b.leader, KR_VM_ADDR_LEN);
	memcpy(vm->b_parent, b.parent_state_root, KR_VM_HASH_LEN);
	vm->failed = false;
	vm->readonly = false;
	vm_merkle_init(&m);
	vm_block_iter_init(&it, &b);
	while (vm_block_next(&it, &tx)) {
		struct txout o;
		struct vm_receipt r;
		uint8_t h[KR_VM_HASH_LEN];

		exec_tx(vm, &tx, &o);
		if (vm->failed || (e = receipt(vm, &o, &r, h))) {
			if (!vm->failed)
				vm_failed(vm, e, "receipt");
			break;
		}
		vm_merkle_add(&m, h);
		out->txs++;
		out->ok += r.status == KR_VM_OK;
		out->gas += r.gas_used;
		if (fn)
			fn(ctx, i, &tx, &r, h);
		i++;
	}
	vm->tx = NULL;
	if (vm->failed || dry) {
		vm_journal_discard(&vm->j);
		drop_pending(vm);
		if (vm->failed) {
			ksnprintf(why, whylen, "transaction %u: %s", i, vm->fail_why);
			return vm->fail_err ? vm->fail_err : KR_EINVAL;
		}
		return KR_OK;
	}
	t0 = vm->clock ? vm->clock() : 0;
	e = vm_journal_apply(&vm->j);
	if (e) {
		/* Some of the writes may be in the state already: it is no
		 * longer what the kept blocks give, so the chain takes no more
		 * blocks until it is rebuilt (a reboot replays the kept ones). */
		ksnprintf(why, whylen, "applying the block's writes: %s", kr_strerror(e));
		vm_journal_discard(&vm->j);
		drop_pending(vm);
		vm_state_root(&vm->st, vm->root);
		vm->broken = "a block's writes were applied in part (out of memory); the kept "
			     "blocks replay without it after a reboot";
		return e;
	}
	for (uint32_t k = 0; k < vm->st.ncon; k++)
		vm->st.con[k]->pending = false;
	vm_merkle_root(&m, out->receipts_root);
	vm_block_hash(&b, out->block_hash);
	vm_state_root(&vm->st, vm->root);
	if (vm->clock)
		vm->t_state += vm->clock() - t0;
	memcpy(out->state_root, vm->root, KR_VM_HASH_LEN);
	memcpy(vm->head, out->block_hash, KR_VM_HASH_LEN);
	vm->slot = b.slot;
	out->height = ++vm->height;
	vm->executed += out->txs;
	out->slot = b.slot;
	return KR_OK;
}

kr_err_t vm_exec_call(struct vm *vm, const uint8_t from[KR_VM_ADDR_LEN],
		      const uint8_t to[KR_VM_ADDR_LEN], const char *method, const void *args,
		      uint32_t alen, uint64_t gas, vm_receipt_fn fn, void *ctx, char *why,
		      size_t whylen)
{
	struct vm_tx tx = { .from = from, .to = to, .gas_limit = gas, .method = method,
			    .method_len = (uint8_t)strlen(method), .args = args, .args_len = alen };
	struct vm_contract *c = vm_contract_get(&vm->st, to);
	struct txout o = { 0 };
	struct vm_receipt r;
	struct vm_frame *f;
	uint8_t h[KR_VM_HASH_LEN];
	unsigned layer;
	uint64_t left;
	enum vm_outcome out;
	kr_err_t e;

	if (!vm_ident(method, strlen(method)) || alen > KR_VM_ARGS_MAX || gas > KR_VM_GAS_MAX) {
		ksnprintf(why, whylen, "bad method, arguments or gas");
		return KR_EINVAL;
	}
	if (!c) {
		ksnprintf(why, whylen, "no contract there");
		return KR_ENOENT;
	}
	vm->tx = &tx;
	vm->readonly = true;
	vm->failed = false;
	vm->nlogs = 0;
	vm->depth = 0;
	vm->b_slot = 0;
	memset(vm->b_leader, 0, sizeof(vm->b_leader));
	memcpy(vm->b_parent, vm->root, KR_VM_HASH_LEN);
	e = vm_loaded(vm, c);
	if (!e && !vm->run->has_method((uint32_t)c->id, method))
		e = KR_EUNKNOWN;
	if (!e)
		e = vm_journal_begin(&vm->j, &layer);
	if (e) {
		vm->tx = NULL;
		vm->readonly = false;
		ksnprintf(why, whylen, "%s: %s", e == KR_EUNKNOWN ? "no such method" : "cannot run it",
			  kr_strerror(e));
		return e;
	}
	out = vm_frame_run(vm, c, from, method, args, alen, gas, &left, &f);
	vm_journal_revert(&vm->j, layer);
	vm->tx = NULL;
	vm->readonly = false;
	if (out == O_FAILED) {
		ksnprintf(why, whylen, "%s", vm->fail_why);
		return vm->fail_err ? vm->fail_err : KR_EINVAL;
	}
	o.status = status_of(out);
	o.gas_used = gas - left;
	o.ret = f->ret;
	o.ret_len = f->ret_len;
	e = receipt(vm, &o, &r, h);
	if (!e && fn)
		fn(ctx, 0, &tx, &r, h);
	return e;
}

static void *j_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return vm_alloc(n);
}

static void j_free(void *ctx, void *p)
{
	(void)ctx;
	vm_release(p);
}

kr_err_t vm_open(struct vm **out, const struct kr_contract_ops *run, kr_print_fn diag,
		 void *dctx)
{
	static const struct vm_alloc ja = { j_alloc, j_free, NULL };
	struct vm *vm = vm_alloc(sizeof(*vm));
	struct vm_store store;
	kr_err_t e;

	if (!vm)
		return KR_ENOMEM;
	memset(vm, 0, sizeof(*vm));
	vm->run = run;
	vm->diag = diag;
	vm->dctx = dctx;
	vm->rbuf = vm_alloc(KR_VM_RECEIPT_MAX);
	e = vm->rbuf ? vm_state_init(&vm->st) : KR_ENOMEM;
	if (!e) {
		vm_state_store(&vm->st, &store);
		e = vm_journal_init(&vm->j, &ja, &store, VM_JOURNAL_ENTRIES_DEFAULT,
				    VM_JOURNAL_BYTES_DEFAULT);
		if (e)
			vm_state_fini(&vm->st);
	}
	if (e) {
		vm_release(vm->rbuf);
		vm_release(vm);
		return e;
	}
	vm_state_root(&vm->st, vm->root);
	*out = vm;
	return KR_OK;
}

void vm_close(struct vm *vm)
{
	if (!vm)
		return;
	vm_journal_fini(&vm->j);
	for (uint32_t i = 0; i < vm->st.ncon; i++)
		vm_unload(vm, vm->st.con[i]);
	vm_state_fini(&vm->st);
	vm_release(vm->rbuf);
	vm_release(vm);
}
