/*
 * contract.h - the "runner.contract" service (modules/tcc): compile a
 * contract's C source in the kernel, metered for gas, and run its methods
 * in user mode; the liba system calls a running method makes come back to
 * the caller (the vm module) through a table of its own functions.  Added
 * within ABI 1.3 (modules only; no core change).
 *
 * The split is mechanism and policy: the runner knows how to compile, map
 * and run a contract and copy a system call's arguments in and out of its
 * memory; the VM (modules/vm/exec.c, shared with the host's tools/chain)
 * decides what each liba call means, what it costs and whether it is
 * allowed.  So the host and the kernel charge the same gas for the same
 * call: the runner only subtracts what the VM's function says.
 *
 * Determinism.  Everything a host function receives (lengths, bytes, the
 * gas left) is the same on every machine for the same contract and
 * inputs.  The runner copies a length-bounded argument only when its
 * length is within the largest any call accepts (the bounds below);
 * otherwise it passes the length with a NULL pointer and the host function
 * refuses it.  A pointer whose bytes are not the contract's own memory
 * (for the bytes the call would touch) ends the run FAULTED: an input
 * before the host function is called, an output (the bytes the runner
 * would copy out) after it returned.  The contract's own memory is its
 * image, its stack and its arguments (read-only), nothing else.  A host
 * function's gas is the runner's counter: what it leaves in *gas is what
 * the contract runs on with.
 *
 * Calls from tasks only, never from an interrupt handler.  invoke may be
 * called from inside a host function (a contract calling another): the
 * callee must be another contract than every one already running
 * (KR_EBUSY otherwise; the VM refuses reentrancy before that).
 */
#ifndef KARYON_CONTRACT_H
#define KARYON_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/cap.h>
#include <karyon/service.h>
#include <karyon/vm.h>

#define KR_CONTRACT_SERVICE   "runner.contract"
#define KR_CONTRACT_VERSION   1

/* What the runner copies for a call, at most (see "Determinism"). */
#define KR_CONTRACT_HASH_MAX  65536     /* liba_blake2b's input bytes */
#define KR_CONTRACT_CTX_SIZE  192       /* struct liba_ctx (<liba.h>) */
#define KR_CONTRACT_WHY_MAX   160

/* A host function's return value that ends the run (negative, below
 * liba's own codes): the gas ran out (*gas is 0), or liba_revert. */
#define KR_CONTRACT_STOP_GAS    (-1100)
#define KR_CONTRACT_STOP_REVERT (-1101)

/*
 * The VM's side of liba.  ctx is invoke's hctx; gas points at the gas the
 * run has left (execution so far already taken off): a function charges
 * by lowering it, before it acts, and returns KR_CONTRACT_STOP_GAS with
 * *gas set to 0 when the charge does not fit.  Byte arguments are kernel
 * copies (NULL with a length above the bound: refuse it); output buffers
 * are kernel buffers the runner copies out afterwards.
 */
#define KR_CONTRACT_HOST_MAGIC   0x484B4354u    /* "TCKH" */
#define KR_CONTRACT_HOST_VERSION 1
struct kr_contract_host {
	uint32_t magic;                 /* KR_CONTRACT_HOST_MAGIC */
	uint32_t version;               /* KR_CONTRACT_HOST_VERSION */
	/* liba_get: key NULL when klen > KR_VM_KEY_MAX; buf holds
	 * min(cap, KR_VM_VALUE_MAX) bytes.  Returns the value's length n: the
	 * runner copies min(n, cap) bytes of buf to the contract. */
	long (*get)(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen, uint8_t *buf,
		    uint32_t cap);
	/* liba_set: key as get; val NULL when vlen > KR_VM_VALUE_MAX. */
	long (*set)(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen,
		    const uint8_t *val, uint32_t vlen);
	long (*del)(void *ctx, uint64_t *gas, const uint8_t *key, uint32_t klen);
	/* liba_log: topics NULL when ntopics > KR_VM_LOG_TOPICS_MAX, data NULL
	 * when len > KR_VM_LOG_DATA_MAX. */
	long (*log)(void *ctx, uint64_t *gas, const uint8_t *topics, uint32_t ntopics,
		    const uint8_t *data, uint32_t len);
	/* liba_blake2b: in NULL when n > KR_CONTRACT_HASH_MAX; out is 32
	 * bytes the runner copies out when it returns 0. */
	long (*hash)(void *ctx, uint64_t *gas, const uint8_t *in, uint32_t n, uint8_t *out);
	/* liba_ctx: out is KR_CONTRACT_CTX_SIZE zeroed bytes, copied out (all
	 * zeros if it returns an error other than the stops: liba_ctx cannot
	 * fail). */
	long (*context)(void *ctx, uint64_t *gas, uint8_t *out);
	/* liba_call: method is NUL-terminated (the runner copies at most
	 * KR_VM_METHOD_MAX + 1 bytes and passes NULL when there is no NUL in
	 * them); args NULL when alen > KR_VM_ARGS_MAX; ret holds
	 * min(rcap, KR_VM_RET_MAX) bytes, zeroed by the runner.  Returns as
	 * liba_call: n >= 0, the runner copies min(n, rcap) bytes of ret; a
	 * callee that failed (LIBA_EREVERTED, _EOUTOFGAS, _EFAULTED: -1001 to
	 * -1003), it copies min(rcap, KR_VM_RET_MAX) bytes of ret (the reason,
	 * then zeros); any other error, nothing.  gas_req is liba_call's gas. */
	long (*call)(void *ctx, uint64_t *gas, const uint8_t *to, const char *method,
		     const uint8_t *args, uint32_t alen, uint8_t *ret, uint32_t rcap,
		     uint64_t gas_req);
	/* liba_return: buf NULL when n > KR_VM_RET_MAX. */
	long (*ret)(void *ctx, uint64_t *gas, const uint8_t *buf, uint32_t n);
	/* liba_revert: the reason's first n bytes, n its length without the
	 * NUL (the runner reads up to the NUL, at most KR_VM_RET_MAX bytes;
	 * a byte before the NUL outside the contract's memory: FAULTED).  Returns
	 * KR_CONTRACT_STOP_REVERT (or STOP_GAS): it never resumes the run. */
	long (*revert)(void *ctx, uint64_t *gas, const char *reason, uint32_t n);
};

KR_ABI_OFFSET(struct kr_contract_host, get, 8);
KR_ABI_OFFSET(struct kr_contract_host, revert, 72);
KR_ABI_SIZE(struct kr_contract_host, 80);

/* How a method's run ended. */
enum kr_contract_end {
	KR_CONTRACT_RETURNED = 0,       /* the method returned: ret is its value */
	KR_CONTRACT_REVERTED = 1,       /* a host function said STOP_REVERT */
	KR_CONTRACT_OUT_OF_GAS = 2,     /* the counter or a host function ran out */
	KR_CONTRACT_FAULTED = 3,        /* a CPU exception, a bad pointer to a call */
};

#define KR_CONTRACT_RESULT_VERSION 1
struct kr_contract_result {
	uint32_t version;               /* KR_CONTRACT_RESULT_VERSION, set by the runner */
	uint32_t end;                   /* enum kr_contract_end */
	int64_t ret;                    /* RETURNED: the method's return value */
	uint64_t gas_left;              /* of the gas given: 0 when OUT_OF_GAS */
	char why[KR_CONTRACT_WHY_MAX];  /* FAULTED: what and where, for the console
					 * only (machine-dependent: never hashed) */
};
KR_ABI_OFFSET(struct kr_contract_result, ret, 8);
KR_ABI_OFFSET(struct kr_contract_result, gas_left, 16);
KR_ABI_SIZE(struct kr_contract_result, 24 + KR_CONTRACT_WHY_MAX);

struct kr_contract_ops {
	struct kr_ops_header hdr;       /* version KR_CONTRACT_VERSION */
	/*
	 * Compile src[0..len) (C, at most KR_VM_ARGS_MAX bytes) as contract
	 * name (1..31 of [a-z0-9_]): metered, no floating point, no inline
	 * assembly, linked against liba, the encoding helper (compiled in with
	 * it) and memcpy, memmove, memset, memcmp only.  Every diagnostic
	 * line goes to diag.  KR_OK and *id; KR_EFORMAT refused, with why: the
	 * first error's text after "error: " (no file or line: the same on
	 * every machine); KR_ENOSPC no free contract slot (unload one);
	 * KR_ENOMEM.
	 */
	kr_err_t (*load)(const char *name, const void *src, size_t len, kr_print_fn diag,
			 void *dctx, uint32_t *id, char *why, size_t whylen);
	kr_err_t (*unload)(uint32_t id);
	/* Does contract id define method (liba_m_METHOD)? */
	bool (*has_method)(uint32_t id, const char *method);
	/*
	 * Run method of contract id with args[0..alen) (alen <= KR_VM_ARGS_MAX)
	 * and gas, from a fresh copy of its data, with a zeroed stack; its liba
	 * calls go to host with hctx.  KR_OK: it ran, *res says how it ended;
	 * KR_EUNKNOWN no such method; KR_ENOENT no such id; KR_EBUSY it is
	 * running; KR_ETIME stopped by Ctrl-C (not the contract's doing: the
	 * caller abandons what it was doing, nothing of it is kept);
	 * KR_ERANGE gas above KR_VM_GAS_MAX; KR_ENOMEM.
	 */
	kr_err_t (*invoke)(uint32_t id, const char *method, const void *args, uint32_t alen,
			   uint64_t gas, const struct kr_contract_host *host, void *hctx,
			   struct kr_contract_result *res);
};
KR_ABI_OFFSET(struct kr_contract_ops, load, 16);
KR_ABI_OFFSET(struct kr_contract_ops, invoke, 40);
KR_ABI_SIZE(struct kr_contract_ops, 48);

#endif
