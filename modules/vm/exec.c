/*
 * exec.c - blocks, transactions, calls and the liba calls' meaning and
 * cost (exec.h).  A transaction runs in journal layers: layer 1 holds its
 * nonce, layer 2 the method's writes, a layer more for each nested call;
 * a layer is merged down when its call succeeds and dropped otherwise, and
 * the block's merged writes reach the state (and the tree) at its end.
 */
#include <stdarg.h>
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <liba.h>
#include "exec.h"

_Static_assert(sizeof(struct liba_ctx) == KR_CONTRACT_CTX_SIZE, "liba_ctx is 192 bytes");
_Static_assert(VM_CALL_DEPTH_MAX == LIBA_CALL_DEPTH_MAX, "one call depth");

static const struct kr_contract_host host;

/* ---- small things ---- */

static bool charge(uint64_t *gas, uint64_t n)
{
	if (n > *gas) {
		*gas = 0;
		return false;
	}
	*gas -= n;
	return true;
}

static void hex8(char out[17], const uint8_t *b)
{
	static const char d[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[16] = '\0';
}

static bool ident(const char *s, size_t n)
{
	if (!n || n > KR_VM_METHOD_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
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

/* The runner failed (not the contract): the block is abandoned. */
static void failed(struct vm *vm, kr_err_t e, const char *what)
{
	if (vm->failed)
		return;
	vm->failed = true;
	vm->fail_err = e;
	ksnprintf(vm->fail_why, sizeof(vm->fail_why), "%s: %s", what, kr_strerror(e));
}

/* c compiled and in the runner, evicting the least recently run contract
 * that is not on the call stack when the runner is full. */
static kr_err_t loaded(struct vm *vm, struct vm_contract *c)
{
	char why[VM_WHY_MAX];
	uint32_t id;
	kr_err_t e;

	c->used = ++vm->clock_lru;
	if (c->id >= 0)
		return KR_OK;
	for (;;) {
		struct vm_contract *old = NULL;

		e = vm->run->load(c->name, c->src, c->src_len, vm->diag, vm->dctx, &id, why,
				  sizeof(why));
		if (e != KR_ENOSPC)
			break;
		for (uint32_t i = 0; i < vm->st.ncon; i++) {
			struct vm_contract *x = vm->st.con[i];
			bool busy = false;

			for (unsigned d = 0; d < vm->depth; d++)
				busy |= vm->frames[d].c == x;
			if (x->id >= 0 && !busy && (!old || x->used < old->used))
				old = x;
		}
		if (!old)
			break;
		vm->run->unload((uint32_t)old->id);
		old->id = -1;
	}
	if (e)
		return e;
	c->id = id;
	return KR_OK;
}

static void unload(struct vm *vm, struct vm_contract *c)
{
	if (c->id >= 0)
		vm->run->unload((uint32_t)c->id);
	c->id = -1;
}

/* ---- a frame: one method of one contract ---- */

enum outcome { O_OK, O_REVERT, O_GAS, O_FAULT, O_FAILED };

/* Run method of c in a new frame at depth vm->depth (its layer open),
 * with gas; *left gets what it did not use. */
static enum outcome frame_run(struct vm *vm, struct vm_contract *c, const uint8_t *caller,
			      const char *method, const uint8_t *args, uint32_t alen, uint64_t gas,
			      uint64_t *left, struct vm_frame **out)
{
	struct vm_frame *f = &vm->frames[vm->depth];
	struct kr_contract_result res = { 0 };
	kr_err_t e;

	*f = (struct vm_frame){ .vm = vm, .c = c, .depth = vm->depth, .log_mark = vm->nlogs };
	*out = f;
	*left = 0;
	memcpy(f->caller, caller, KR_VM_ADDR_LEN);
	e = vm_journal_begin(&vm->j, &f->layer);
	if (e) {
		failed(vm, e, "journal");
		return O_FAILED;
	}
	vm->depth++;
	e = loaded(vm, c);
	if (!e)
		e = vm->run->invoke((uint32_t)c->id, method, args, alen, gas, &host, f, &res);
	vm->depth--;
	if (e || vm->failed) {
		failed(vm, e ? e : vm->fail_err, c->name);
		vm_journal_revert(&vm->j, f->layer);
		vm->nlogs = f->log_mark;
		return O_FAILED;
	}
	*left = res.gas_left > gas ? gas : res.gas_left;
	if (res.end == KR_CONTRACT_RETURNED && res.ret == 0) {
		vm_journal_commit(&vm->j, f->layer);
		return O_OK;
	}
	vm_journal_revert(&vm->j, f->layer);
	vm->nlogs = f->log_mark;
	switch (res.end) {
	case KR_CONTRACT_RETURNED:
		f->ret_len = (uint32_t)ksnprintf((char *)f->ret, sizeof(f->ret),
						 "method returned %lld", (long long)res.ret);
		return O_REVERT;
	case KR_CONTRACT_REVERTED:
		return O_REVERT;
	case KR_CONTRACT_OUT_OF_GAS:
		*left = 0;
		f->ret_len = (uint32_t)ksnprintf((char *)f->ret, sizeof(f->ret), "out of gas");
		return O_GAS;
	default:
		if (vm->diag && res.why[0]) {
			char line[VM_WHY_MAX + 48];

			ksnprintf(line, sizeof(line), "vm: %s: %s\n", c->name, res.why);
			vm->diag(vm->dctx, line);
		}
		f->ret_len = (uint32_t)ksnprintf((char *)f->ret, sizeof(f->ret), "fault");
		return O_FAULT;
	}
}

/* ---- the liba calls (struct kr_contract_host) ---- */

static long h_get(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen, uint8_t *buf,
		  uint32_t cap)
{
	struct vm_frame *f = ctx;
	struct vm *vm = f->vm;
	size_t n = 0;
	kr_err_t e;

	if (!charge(gas, VM_GAS_GET))
		return KR_CONTRACT_STOP_GAS;
	if (!key || !klen || klen > KR_VM_KEY_MAX)
		return KR_EINVAL;
	if (!charge(gas, (uint64_t)VM_GAS_GET_BYTE * klen))
		return KR_CONTRACT_STOP_GAS;
	e = vm_journal_get(&vm->j, f->c->addr, key, klen, vm->value, sizeof(vm->value), &n);
	if (e)
		return e == KR_ENOENT ? KR_ENOENT : KR_EINVAL;
	if (!charge(gas, (uint64_t)VM_GAS_GET_BYTE * n))
		return KR_CONTRACT_STOP_GAS;
	if (cap > KR_VM_VALUE_MAX)
		cap = KR_VM_VALUE_MAX;
	memcpy(buf, vm->value, n < cap ? n : cap);
	return (long)n;
}

static bool exists(struct vm *vm, const uint8_t *addr, const uint8_t *key, uint32_t klen)
{
	size_t n;
	kr_err_t e = vm_journal_get(&vm->j, addr, key, klen, NULL, 0, &n);

	return e == KR_OK || e == KR_ENOSPC;
}

static long h_set(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen,
		  const uint8_t *val, uint32_t vlen)
{
	struct vm_frame *f = ctx;
	struct vm *vm = f->vm;

	if (!charge(gas, VM_GAS_SET))
		return KR_CONTRACT_STOP_GAS;
	if (vm->readonly)
		return KR_EPERM;
	if (!key || !klen || klen > KR_VM_KEY_MAX)
		return KR_EINVAL;
	if (!val || !vlen || vlen > KR_VM_VALUE_MAX)
		return KR_ERANGE;
	if (!exists(vm, f->c->addr, key, klen) && !charge(gas, VM_GAS_SET_NEW - VM_GAS_SET))
		return KR_CONTRACT_STOP_GAS;
	if (!charge(gas, (uint64_t)VM_GAS_SET_BYTE * (klen + vlen)))
		return KR_CONTRACT_STOP_GAS;
	return vm_journal_set(&vm->j, f->c->addr, key, klen, val, vlen) ? KR_ENOSPC : 0;
}

static long h_del(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen)
{
	struct vm_frame *f = ctx;
	struct vm *vm = f->vm;

	if (!charge(gas, VM_GAS_DEL_NONE))
		return KR_CONTRACT_STOP_GAS;
	if (vm->readonly)
		return KR_EPERM;
	if (!key || !klen || klen > KR_VM_KEY_MAX)
		return KR_EINVAL;
	if (!exists(vm, f->c->addr, key, klen))
		return KR_ENOENT;
	if (!charge(gas, VM_GAS_DEL - VM_GAS_DEL_NONE + (uint64_t)VM_GAS_DEL_BYTE * klen))
		return KR_CONTRACT_STOP_GAS;
	return vm_journal_del(&vm->j, f->c->addr, key, klen) ? KR_ENOSPC : 0;
}

static long h_log(void *ctx, uint64_t *gas, const uint8_t *topics, uint32_t ntopics,
		  const uint8_t *data, uint32_t len)
{
	struct vm_frame *f = ctx;
	struct vm *vm = f->vm;
	struct vm_logrec *l;

	if (!charge(gas, VM_GAS_LOG))
		return KR_CONTRACT_STOP_GAS;
	if (vm->readonly)
		return KR_EPERM;
	if (ntopics > KR_VM_LOG_TOPICS_MAX || (ntopics && !topics))
		return KR_EINVAL;
	if (len > KR_VM_LOG_DATA_MAX || (len && !data))
		return KR_ERANGE;
	if (vm->nlogs == KR_VM_LOGS_MAX)
		return KR_ENOSPC;
	if (!charge(gas, (uint64_t)VM_GAS_LOG_TOPIC * ntopics + (uint64_t)VM_GAS_LOG_BYTE * len))
		return KR_CONTRACT_STOP_GAS;
	l = &vm->logs[vm->nlogs++];
	memcpy(l->addr, f->c->addr, KR_VM_ADDR_LEN);
	l->ntopics = (uint8_t)ntopics;
	if (ntopics)
		memcpy(l->topics, topics, (size_t)ntopics * KR_VM_TOPIC_LEN);
	l->len = len;
	if (len)
		memcpy(l->data, data, len);
	return 0;
}

static long h_hash(void *ctx, uint64_t *gas, const uint8_t *in, uint32_t n, uint8_t *out)
{
	(void)ctx;
	if (!charge(gas, VM_GAS_HASH))
		return KR_CONTRACT_STOP_GAS;
	if (n && !in)
		return KR_ERANGE;
	if (!charge(gas, (uint64_t)VM_GAS_HASH_BLOCK * (n ? (n + 127) / 128 : 1)))
		return KR_CONTRACT_STOP_GAS;
	kr_blake2b_256(out, n ? in : (const uint8_t *)"", n);
	return 0;
}

static long h_context(void *ctx, uint64_t *gas, uint8_t *out)
{
	struct vm_frame *f = ctx;
	struct vm *vm = f->vm;
	struct liba_ctx c;

	if (!charge(gas, VM_GAS_CTX))
		return KR_CONTRACT_STOP_GAS;
	memset(&c, 0, sizeof(c));
	c.version = LIBA_VERSION;
	c.depth = f->depth;
	c.slot = vm->b_slot;
	memcpy(c.leader, vm->b_leader, sizeof(c.leader));
	memcpy(c.parent_state_root, vm->b_parent, sizeof(c.parent_state_root));
	memcpy(c.sender, vm->tx->from, sizeof(c.sender));
	memcpy(c.caller, f->caller, sizeof(c.caller));
	memcpy(c.self, f->c->addr, sizeof(c.self));
	c.value = f->depth ? 0 : vm->tx->value;
	c.gas_left = *gas;
	memcpy(out, &c, sizeof(c));
	return 0;
}

static long h_call(void *ctx, uint64_t *gas, const uint8_t *to, const char *method,
		   const uint8_t *args, uint32_t alen, uint8_t *ret, uint32_t rcap, uint64_t gas_req)
{
	struct vm_frame *f = ctx, *g;
	struct vm *vm = f->vm;
	struct vm_contract *c;
	uint64_t avail, fwd, left;
	enum outcome o;
	uint32_t n;

	if (!charge(gas, VM_GAS_CALL))
		return KR_CONTRACT_STOP_GAS;
	if (!method || !ident(method, strlen(method)) || (alen && !args))
		return KR_EINVAL;
	if (vm->depth >= VM_CALL_DEPTH_MAX)
		return KR_ENOSPC;
	c = vm_contract_get(&vm->st, to);
	if (!c)
		return KR_ENOENT;
	for (unsigned d = 0; d < vm->depth; d++)
		if (vm->frames[d].c == c)
			return KR_EBUSY;
	if (loaded(vm, c)) {
		failed(vm, KR_ENOMEM, c->name);
		return KR_CONTRACT_STOP_GAS;
	}
	if (!vm->run->has_method((uint32_t)c->id, method))
		return KR_EUNKNOWN;
	if (!charge(gas, (uint64_t)VM_GAS_CALL_BYTE * alen))
		return KR_CONTRACT_STOP_GAS;
	avail = *gas - *gas / 64;
	fwd = gas_req && gas_req < avail ? gas_req : avail;
	*gas -= fwd;
	o = frame_run(vm, c, f->c->addr, method, args, alen, fwd, &left, &g);
	*gas += left;
	if (o == O_FAILED)
		return KR_CONTRACT_STOP_GAS;
	if (rcap > KR_VM_RET_MAX)
		rcap = KR_VM_RET_MAX;
	n = g->ret_len < rcap ? g->ret_len : rcap;
	memcpy(ret, g->ret, n);
	if (!charge(gas, (uint64_t)VM_GAS_CALL_BYTE * n))
		return KR_CONTRACT_STOP_GAS;
	switch (o) {
	case O_OK:
		return (long)g->ret_len;
	case O_REVERT:
		return LIBA_EREVERTED;
	case O_GAS:
		return LIBA_EOUTOFGAS;
	default:
		return LIBA_EFAULTED;
	}
}

static long h_ret(void *ctx, uint64_t *gas, const uint8_t *buf, uint32_t n)
{
	struct vm_frame *f = ctx;

	if (!charge(gas, VM_GAS_RET))
		return KR_CONTRACT_STOP_GAS;
	if (n > KR_VM_RET_MAX || (n && !buf))
		return KR_ERANGE;
	if (!charge(gas, (uint64_t)VM_GAS_RET_BYTE * n))
		return KR_CONTRACT_STOP_GAS;
	memcpy(f->ret, buf, n);
	f->ret_len = n;
	return 0;
}

static long h_revert(void *ctx, uint64_t *gas, const char *reason, uint32_t n)
{
	struct vm_frame *f = ctx;

	if (n > KR_VM_RET_MAX || !reason)
		n = 0;
	if (!charge(gas, VM_GAS_REVERT + (uint64_t)VM_GAS_REVERT_BYTE * n))
		return KR_CONTRACT_STOP_GAS;
	memcpy(f->ret, reason, n);
	f->ret_len = n;
	return KR_CONTRACT_STOP_REVERT;
}

/* With vm->clock set (benchmarks), the time inside the liba calls but
 * liba_call (whose callee's execution is execution) is summed in t_ops. */
#define TIMED(name, params, args) \
	static long t_##name params \
	{ \
		struct vm *vm = ((struct vm_frame *)ctx)->vm; \
		uint64_t t0 = vm->clock ? vm->clock() : 0; \
		long r = h_##name args; \
		if (vm->clock) \
			vm->t_ops += vm->clock() - t0; \
		return r; \
	}
TIMED(get, (void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen, uint8_t *buf,
	    uint32_t cap), (ctx, gas, key, klen, buf, cap))
TIMED(set, (void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen, const uint8_t *val,
	    uint32_t vlen), (ctx, gas, key, klen, val, vlen))
TIMED(del, (void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen), (ctx, gas, key, klen))
TIMED(log, (void *ctx, uint64_t *gas, const uint8_t *topics, uint32_t ntopics,
	    const uint8_t *data, uint32_t len), (ctx, gas, topics, ntopics, data, len))
TIMED(hash, (void *ctx, uint64_t *gas, const uint8_t *in, uint32_t n, uint8_t *out),
      (ctx, gas, in, n, out))
TIMED(context, (void *ctx, uint64_t *gas, uint8_t *out), (ctx, gas, out))
TIMED(ret, (void *ctx, uint64_t *gas, const uint8_t *buf, uint32_t n), (ctx, gas, buf, n))
TIMED(revert, (void *ctx, uint64_t *gas, const char *reason, uint32_t n),
      (ctx, gas, reason, n))

static const struct kr_contract_host host = {
	.magic = KR_CONTRACT_HOST_MAGIC, .version = KR_CONTRACT_HOST_VERSION,
	.get = t_get, .set = t_set, .del = t_del, .log = t_log, .hash = t_hash,
	.context = t_context, .call = h_call, .ret = t_ret, .revert = t_revert,
};

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

static uint8_t status_of(enum outcome o)
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
	enum outcome out = O_OK;
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
		failed(vm, e, "deploy");
		return;
	}
	c->pending = true;
	e = vm->run->load(name, tx->args, tx->args_len, vm->diag, vm->dctx, &layer, why,
			  sizeof(why));
	if (e == KR_ENOSPC) {
		e = loaded(vm, c);      /* evicts, and loads it */
	} else if (!e) {
		c->id = layer;
		c->used = ++vm->clock_lru;
	}
	if (e == KR_EFORMAT) {
		vm_contract_remove(&vm->st, c);
		REFUSE(o, "deploy refused: %s", why);
	}
	if (e) {
		vm_contract_remove(&vm->st, c);
		failed(vm, e, "deploy");
		return;
	}
	vm_journal_begin(&vm->j, &layer);
	sys_key(key, VM_SYS_CODE, addr);
	memcpy(val, code, KR_VM_HASH_LEN);
	memcpy(val + KR_VM_HASH_LEN, name, tx->method_len);
	set_nonce(vm, tx->from, tx->nonce + 1);
	e = vm_journal_set(&vm->j, vm_system_addr, key, sizeof(key), val,
			   KR_VM_HASH_LEN + tx->method_len);
	if (!e && vm->run->has_method((uint32_t)c->id, "init"))
		out = frame_run(vm, c, tx->from, "init", NULL, 0, gas, &left, &f);
	if (e || out == O_FAILED) {
		if (!vm->failed)
			failed(vm, e, "deploy");
		vm_journal_revert(&vm->j, layer);
		unload(vm, c);
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
		unload(vm, c);
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
	enum outcome out;
	unsigned layer;

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
	if (loaded(vm, c)) {
		failed(vm, KR_ENOMEM, c->name);
		return;
	}
	if (!vm->run->has_method((uint32_t)c->id, method))
		REFUSE(o, "%s has no method %s", c->name, method);
	if (vm_journal_begin(&vm->j, &layer) || set_nonce(vm, tx->from, nonce + 1)) {
		failed(vm, KR_ENOSPC, "journal");
		return;
	}
	out = frame_run(vm, c, tx->from, method, tx->args, tx->args_len,
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
			unload(vm, c);
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
				failed(vm, e, "receipt");
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
	enum outcome out;
	kr_err_t e;

	if (!ident(method, strlen(method)) || alen > KR_VM_ARGS_MAX || gas > KR_VM_GAS_MAX) {
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
	e = loaded(vm, c);
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
	out = frame_run(vm, c, from, method, args, alen, gas, &left, &f);
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
		unload(vm, vm->st.con[i]);
	vm_state_fini(&vm->st);
	vm_release(vm->rbuf);
	vm_release(vm);
}
