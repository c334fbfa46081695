/*
 * call.c - a frame, one method of one contract run by the runner in its own
 * journal layer, and liba's calls as the VM answers them (struct
 * kr_contract_host): what each costs on the gas schedule (exec.h), what it
 * may do (a read-only call writes nothing), nested calls with the
 * reentrancy rule and 63/64 of the gas forwarded.  exec.c runs
 * transactions and blocks on top.  Pure code, shared with tools/chain.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <liba.h>
#include "call.h"

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

bool vm_ident(const char *s, size_t n)
{
	if (!n || n > KR_VM_METHOD_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* The runner failed (not the contract): the block is abandoned. */
void vm_failed(struct vm *vm, kr_err_t e, const char *what)
{
	if (vm->failed)
		return;
	vm->failed = true;
	vm->fail_err = e;
	ksnprintf(vm->fail_why, sizeof(vm->fail_why), "%s: %s", what, kr_strerror(e));
}

/* c compiled and in the runner, evicting the least recently run contract
 * that is not on the call stack when the runner is full. */
kr_err_t vm_load_why(struct vm *vm, struct vm_contract *c, char *why, size_t whylen)
{
	uint32_t id;
	kr_err_t e;

	c->used = ++vm->clock_lru;
	if (c->id >= 0)
		return KR_OK;
	for (;;) {
		struct vm_contract *old = NULL;

		why[0] = '\0';
		e = vm->run->load(c->name, c->src, c->src_len, vm->diag, vm->dctx, &id, why,
				  whylen);
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

kr_err_t vm_loaded(struct vm *vm, struct vm_contract *c)
{
	char why[VM_WHY_MAX];

	return vm_load_why(vm, c, why, sizeof(why));
}

void vm_unload(struct vm *vm, struct vm_contract *c)
{
	if (c->id >= 0)
		vm->run->unload((uint32_t)c->id);
	c->id = -1;
}

/* ---- a frame: one method of one contract ---- */


/* Run method of c in a new frame at depth vm->depth (its layer open),
 * with gas; *left gets what it did not use. */
enum vm_outcome vm_frame_run(struct vm *vm, struct vm_contract *c, const uint8_t *caller,
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
		vm_failed(vm, e, "journal");
		return O_FAILED;
	}
	vm->depth++;
	e = vm_loaded(vm, c);
	if (!e)
		e = vm->run->invoke((uint32_t)c->id, method, args, alen, gas, &host, f, &res);
	vm->depth--;
	if (e || vm->failed) {
		vm_failed(vm, e ? e : vm->fail_err, c->name);
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
	enum vm_outcome o;
	uint32_t n;
	kr_err_t e;

	if (!charge(gas, VM_GAS_CALL))
		return KR_CONTRACT_STOP_GAS;
	if (!method || !vm_ident(method, strlen(method)) || (alen && !args))
		return KR_EINVAL;
	if (vm->depth >= VM_CALL_DEPTH_MAX)
		return KR_ENOSPC;
	c = vm_contract_get(&vm->st, to);
	if (!c)
		return KR_ENOENT;
	for (unsigned d = 0; d < vm->depth; d++)
		if (vm->frames[d].c == c)
			return KR_EBUSY;
	e = vm_loaded(vm, c);
	if (e) {                        /* the runner's failure: the block is abandoned */
		vm_failed(vm, e, c->name);
		return KR_CONTRACT_STOP_GAS;
	}
	if (!vm->run->has_method((uint32_t)c->id, method))
		return KR_EUNKNOWN;
	if (!charge(gas, (uint64_t)VM_GAS_CALL_BYTE * alen))
		return KR_CONTRACT_STOP_GAS;
	avail = *gas - *gas / 64;
	fwd = gas_req && gas_req < avail ? gas_req : avail;
	*gas -= fwd;
	o = vm_frame_run(vm, c, f->c->addr, method, args, alen, fwd, &left, &g);
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

