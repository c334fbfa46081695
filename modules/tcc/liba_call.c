/*
 * liba_call.c - liba's system calls, decoded and handed to the VM
 * (liba_call.h): the same on the kernel's runner and the host's.
 */
#include <karyon/libc.h>
#include "liba_call.h"

_Static_assert(LIBA_CALL_LAST - LIBA_CALL_FIRST == 8, "liba has nine calls");

/* liba's 32-bit arguments (lengths, counts, caps), by call: the ABI leaves
 * a register's upper half undefined, so only its lower half counts. */
static const uint8_t narrow[] = {
	1 << 1 | 1 << 3,        /* liba_get (key, klen, buf, cap) */
	1 << 1 | 1 << 3,        /* liba_set (key, klen, val, vlen) */
	1 << 1,                 /* liba_del (key, klen) */
	1 << 1 | 1 << 3,        /* liba_log (topics, ntopics, data, len) */
	1 << 2,                 /* liba_blake2b (out, in, n) */
	0,                      /* liba_ctx (the hidden pointer) */
	1 << 3 | 1 << 5,        /* liba_call (to, method, args, alen, ret, rcap; gas on the stack) */
	1 << 1,                 /* liba_return (buf, n) */
	0,                      /* liba_revert (reason) */
};

/* A copy of the contract's bytes when n is within bound, else NULL. */
static const uint8_t *arg_in(const struct liba_io *io, const char *call, int arg, uint64_t p,
			     uint64_t n, uint64_t bound, uint8_t *buf)
{
	if (n > bound)
		return NULL;
	return io->xfer(io->ctx, call, arg, p, buf, n, false) ? buf : NULL;
}

static long done(const struct liba_io *io, uint64_t gas, long ret)
{
	io->done(io->ctx, gas, ret);
	return ret;
}

static uint32_t cap(uint64_t want, uint32_t most)
{
	return want < most ? (uint32_t)want : most;
}

long liba_call_run(const struct liba_io *io, const struct kr_contract_host *H, void *hctx,
		   uint64_t nr, const uint64_t in[6])
{
	uint64_t gas = io->gas(io->ctx), greq = 0, a[6];
	uint8_t to[KR_VM_ADDR_LEN], *out = io->out;
	const uint8_t *k, *v;
	char method[KR_VM_METHOD_MAX + 2];
	size_t n;
	long ret;

	if (nr < LIBA_CALL_FIRST || nr > LIBA_CALL_LAST)
		return KR_ENOSYS;
	for (int i = 0; i < 6; i++)
		a[i] = narrow[nr - LIBA_CALL_FIRST] >> i & 1 ? (uint32_t)in[i] : in[i];
	switch (nr) {
	case 124:       /* liba_get */
		k = arg_in(io, "liba_get", 1, a[0], a[1], KR_VM_KEY_MAX, io->small);
		if (io->ended(io->ctx))
			return 0;
		ret = done(io, gas, H->get(hctx, &gas, k, (uint32_t)a[1], out,
					   cap(a[3], KR_VM_VALUE_MAX)));
		if (!io->ended(io->ctx) && ret > 0)
			io->xfer(io->ctx, "liba_get", 3, a[2], out,
				 (uint64_t)ret < a[3] ? (uint64_t)ret : a[3], true);
		return ret;
	case 125:       /* liba_set */
		k = arg_in(io, "liba_set", 1, a[0], a[1], KR_VM_KEY_MAX, io->small);
		v = io->ended(io->ctx) ? NULL :
		    arg_in(io, "liba_set", 3, a[2], a[3], KR_VM_VALUE_MAX, io->big);
		if (io->ended(io->ctx))
			return 0;
		return done(io, gas, H->set(hctx, &gas, k, (uint32_t)a[1], v, (uint32_t)a[3]));
	case 126:       /* liba_del */
		k = arg_in(io, "liba_del", 1, a[0], a[1], KR_VM_KEY_MAX, io->small);
		if (io->ended(io->ctx))
			return 0;
		return done(io, gas, H->del(hctx, &gas, k, (uint32_t)a[1]));
	case 127:       /* liba_log */
		k = a[1] <= KR_VM_LOG_TOPICS_MAX ?
		    arg_in(io, "liba_log", 1, a[0], a[1] * KR_VM_TOPIC_LEN, LIBA_SMALL_SIZE,
			   io->small) : NULL;
		v = io->ended(io->ctx) ? NULL :
		    arg_in(io, "liba_log", 3, a[2], a[3], KR_VM_LOG_DATA_MAX, io->big);
		if (io->ended(io->ctx))
			return 0;
		return done(io, gas, H->log(hctx, &gas, k, (uint32_t)a[1], v, (uint32_t)a[3]));
	case 128:       /* liba_blake2b */
		v = arg_in(io, "liba_blake2b", 2, a[1], a[2], KR_CONTRACT_HASH_MAX, io->big);
		if (io->ended(io->ctx))
			return 0;
		ret = done(io, gas, H->hash(hctx, &gas, v, (uint32_t)a[2], out));
		if (!io->ended(io->ctx) && ret == 0)
			io->xfer(io->ctx, "liba_blake2b", 1, a[0], out, KR_VM_HASH_LEN, true);
		return ret;
	case 129:       /* liba_ctx */
		/* A struct returned by value: rax is its address, whatever the
		 * host function said (it cannot fail; its error leaves zeros). */
		memset(out, 0, KR_CONTRACT_CTX_SIZE);
		ret = done(io, gas, H->context(hctx, &gas, out));
		if (!io->ended(io->ctx) && ret)
			memset(out, 0, KR_CONTRACT_CTX_SIZE);
		if (!io->ended(io->ctx))
			io->xfer(io->ctx, "liba_ctx", 1, a[0], out, KR_CONTRACT_CTX_SIZE, true);
		return (long)a[0];
	case 130:       /* liba_call */
		if (!io->xfer(io->ctx, "liba_call", 1, a[0], to, sizeof(to), false) ||
		    !io->xstr(io->ctx, "liba_call", 2, a[1], method, KR_VM_METHOD_MAX + 1, &n) ||
		    !io->xfer(io->ctx, "liba_call", 7, io->rsp + 8, &greq, sizeof(greq), false))
			return 0;
		v = arg_in(io, "liba_call", 3, a[2], a[3], KR_VM_ARGS_MAX, io->big);
		if (io->ended(io->ctx))
			return 0;
		memset(out, 0, KR_VM_RET_MAX);
		ret = done(io, gas, H->call(hctx, &gas, to, n <= KR_VM_METHOD_MAX ? method : NULL, v,
					    (uint32_t)a[3], out, cap(a[5], KR_VM_RET_MAX), greq));
		/* Return data, or a failed callee's reason: min(n, rcap) bytes;
		 * for LIBA_E*, the whole of what the runner gave it (zeroed). */
		n = ret >= 0 ? (size_t)ret :
		    ret >= LIBA_CALLEE_FAILED_LO && ret <= LIBA_CALLEE_FAILED_HI ? KR_VM_RET_MAX : 0;
		if (!io->ended(io->ctx) && n)
			io->xfer(io->ctx, "liba_call", 5, a[4], out, n < a[5] ? n : a[5], true);
		return ret;
	case 131:       /* liba_return */
		v = arg_in(io, "liba_return", 1, a[0], a[1], KR_VM_RET_MAX, io->big);
		if (io->ended(io->ctx))
			return 0;
		return done(io, gas, H->ret(hctx, &gas, v, (uint32_t)a[1]));
	default:        /* 132, liba_revert */
		if (!io->xstr(io->ctx, "liba_revert", 1, a[0], (char *)io->big, KR_VM_RET_MAX, &n))
			return 0;
		ret = done(io, gas, H->revert(hctx, &gas, (const char *)io->big, (uint32_t)n));
		io->reverted(io->ctx);  /* it never resumes the run */
		return ret;
	}
}
