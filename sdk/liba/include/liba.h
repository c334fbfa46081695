/*
 * <liba.h> - what a contract of the contract VM (issue 18) gets from the
 * VM: its storage, event logs, BLAKE2b-256, the execution context, calls
 * to other contracts, return data and revert.  A contract is C compiled on
 * the device by TinyCC (`vm deploy NAME FILE.c`), metered for gas as
 * handlers are, and may call only the functions declared here, the
 * encoding helper (<liba_enc.h>, compiled into the contract with it) and
 * the pure memory functions memcpy, memmove, memset and memcmp of
 * <string.h> (which TinyCC's own code calls).  docs/contract-guide.md is
 * the author's guide: the rules `vm deploy` enforces and the gas schedule.
 *
 * The vm module (modules/vm, in the dev and full images) deploys
 * contracts and gives these calls their meaning and cost
 * (modules/vm/exec.c); the tcc module's runner.contract service compiles
 * and runs them (tools/chain does both on the host, with the same gas).
 *
 * System calls.  Every liba_* function below is a system call into the
 * VM: a stub in the contract's user-mode library that makes system call N,
 * checked by the kernel before it acts, as a handler's vfs_* calls are.
 * Their numbers are in the tcc module's grant table (modules/tcc/grants.c,
 * grant "vm": 124 liba_get .. 132 liba_revert), but a contract calls the
 * functions, never a number.  The encoding helper is not a system call:
 * it is ordinary C, metered like the contract's own code, compiled into
 * every contract with it.
 *
 * Errors.  A call that can fail returns a negative <karyon/err.h> code
 * (KR_EINVAL, KR_ERANGE, ...) or, for the outcome of a called contract,
 * one of the LIBA_E* codes below, which lie outside err.h's range.  A
 * pointer that is not the contract's own memory is a fault (the
 * transaction ends with status FAULT), not an error return.
 *
 * Gas.  Each call names its cost class; docs/contract-guide.md ("Gas
 * schedule") gives the numbers (VM_GAS_* in modules/vm/exec.h).  The base
 * cost is charged before the call checks anything, so a refused call
 * still costs it; a call that runs the gas out ends the method's run with
 * OUT_OF_GAS (the transaction's, or LIBA_EOUTOFGAS to a calling contract).
 */
#ifndef LIBA_H
#define LIBA_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vm.h>

#define LIBA_VERSION      1

#define LIBA_ADDR_LEN     KR_VM_ADDR_LEN        /* 32: an account or contract address */
#define LIBA_HASH_LEN     KR_VM_HASH_LEN        /* 32: BLAKE2b-256 */
#define LIBA_KEY_MAX      KR_VM_KEY_MAX         /* 128: bytes of a storage key, at most */
#define LIBA_VALUE_MAX    KR_VM_VALUE_MAX       /* 1024: bytes of a stored value, at most */
#define LIBA_TOPICS_MAX   KR_VM_LOG_TOPICS_MAX  /* 4: topics of a log, at most */
#define LIBA_TOPIC_LEN    KR_VM_TOPIC_LEN       /* 32: bytes of a topic */
#define LIBA_LOG_DATA_MAX KR_VM_LOG_DATA_MAX    /* 1024: data bytes of a log, at most */
#define LIBA_LOGS_MAX     KR_VM_LOGS_MAX        /* 64: logs of a transaction, at most */
#define LIBA_RET_MAX      KR_VM_RET_MAX         /* 4096: return data or revert reason */
#define LIBA_ARGS_MAX     KR_VM_ARGS_MAX        /* 65536: argument bytes of a call */
#define LIBA_METHOD_MAX   KR_VM_METHOD_MAX      /* 31: bytes of a method name */
#define LIBA_CALL_DEPTH_MAX 8                   /* contracts on the call stack, at most */

/* What became of a called contract (liba_call); its return data or revert
 * reason is in ret all the same.  Below err.h's codes so they never clash. */
#define LIBA_EREVERTED    (-1001)       /* the callee reverted: ret holds its reason */
#define LIBA_EOUTOFGAS    (-1002)       /* the callee used all the gas it was given */
#define LIBA_EFAULTED     (-1003)       /* the callee faulted (bad access, division by zero) */

/*
 * Methods.  A contract's methods are the functions it defines with
 *
 *	LIBA_METHOD(transfer)
 *	{
 *		... args[0..alen) are the call's argument bytes ...
 *		return 0;
 *	}
 *
 * which is `long liba_m_transfer(const uint8_t *args, uint32_t alen)`.
 * The VM finds method M as the global function liba_m_M of the compiled
 * contract: a naming convention, not a table in a section, because the
 * metered compile refuses `section` attributes (docs/handler-guide.md,
 * "Gas").  M is a C identifier of 1..LIBA_METHOD_MAX bytes, the name a
 * transaction's `method` field gives.  args stays valid (read-only) for
 * the whole call.  A method returns 0 to succeed: the transaction's return
 * data is what liba_return last set (none if it was never called).  Any
 * other value reverts, as liba_revert("method returned N") would, so
 * `return liba_set(...)` passes an error up as a revert.  A contract with
 * a method named `init` has it run once, by its deploy, with no arguments.
 */
#define LIBA_METHOD(name) \
	long liba_m_##name(const uint8_t *args, uint32_t alen); \
	long liba_m_##name(const uint8_t *args, uint32_t alen)

#if defined(__GNUC__) || defined(__TINYC__)
#define LIBA_NORETURN __attribute__((noreturn))
#else
#define LIBA_NORETURN
#endif

/* ---- Storage: the contract's own namespace ---- */

/*
 * Every contract has its own key-value store, which no other contract can
 * read or write (ask the contract, through a method, instead).  A key is
 * 1..LIBA_KEY_MAX bytes, a value 1..LIBA_VALUE_MAX bytes; an empty value
 * does not exist (deleting is liba_del).  Writes go to the transaction's
 * journal, and the call's own layer of it for a called contract: they are
 * seen by later reads at once, and kept only if the transaction succeeds.
 */

/* Read key[0..klen): the value's length n (1..LIBA_VALUE_MAX), with its
 * first min(n, cap) bytes copied to buf (cap 0, buf NULL: only the
 * length).  KR_ENOENT no such key; KR_EINVAL klen is 0 or above
 * LIBA_KEY_MAX.  Gas: storage read (base + per key and value byte). */
long liba_get(const void *key, uint32_t klen, void *buf, uint32_t cap);

/* Write val[0..vlen) under key[0..klen), creating or replacing it: 0.
 * KR_EINVAL bad klen (as liba_get); KR_ERANGE vlen is 0 or above
 * LIBA_VALUE_MAX; KR_EPERM in a read-only call (`vm call`).  Gas: storage
 * write (more for a key that did not exist; per key and value byte).
 * KR_ENOSPC: the block's journal is full (16,384 entries or 4 MiB of
 * writes; nothing is written). */
long liba_set(const void *key, uint32_t klen, const void *val, uint32_t vlen);

/* Delete key[0..klen): 0, or KR_ENOENT if it did not exist (nothing
 * changes).  KR_EINVAL bad klen; KR_EPERM in a read-only call; KR_ENOSPC
 * the block's journal is full.  Gas: storage delete (base + per key byte;
 * the base alone when there was no key). */
long liba_del(const void *key, uint32_t klen);

/* ---- Event logs ---- */

/* Emit a log: ntopics (0..LIBA_TOPICS_MAX) topics, LIBA_TOPIC_LEN bytes
 * each, one after the other at topics (NULL when ntopics is 0; a
 * `uint8_t t[N][LIBA_TOPIC_LEN]` array will do), and data[0..len).  It lands in
 * the receipt, attributed to this contract, if the transaction succeeds
 * (a called contract that reverts loses its logs).  0, or KR_EINVAL
 * ntopics above LIBA_TOPICS_MAX; KR_ERANGE len above LIBA_LOG_DATA_MAX;
 * KR_ENOSPC the transaction already has LIBA_LOGS_MAX logs; KR_EPERM in a
 * read-only call.  Gas: log (base + per topic + per data byte). */
long liba_log(const void *topics, uint32_t ntopics, const void *data, uint32_t len);

/* ---- Hashing ---- */

/* out = BLAKE2b-256(in[0..n)) (no key, <karyon/hash.h>'s, the state
 * tree's and the receipts' hash): 0, or KR_ERANGE n above 65536
 * (KR_CONTRACT_HASH_MAX).  Gas: hash (base + per 128-byte block, at least
 * one). */
long liba_blake2b(uint8_t out[LIBA_HASH_LEN], const void *in, uint32_t n);

/* ---- The execution context ---- */

/* Where and for whom the method runs.  Fixed for the whole call but
 * gas_left, which is read when liba_ctx is called. */
struct liba_ctx {
	uint32_t version;                       /* LIBA_VERSION */
	uint32_t depth;                         /* 0: called by the transaction; 1..: by a contract */
	uint64_t slot;                          /* the block's slot (0 in a read-only call,
						 * whose leader is zero and parent_state_root
						 * the current state root) */
	uint8_t  leader[LIBA_ADDR_LEN];         /* the block's leader */
	uint8_t  parent_state_root[LIBA_HASH_LEN]; /* the state root the block executes on */
	uint8_t  sender[LIBA_ADDR_LEN];         /* the transaction's sender (its `from`) */
	uint8_t  caller[LIBA_ADDR_LEN];         /* who called this method: the sender at
						 * depth 0, else the calling contract */
	uint8_t  self[LIBA_ADDR_LEN];           /* this contract's own address */
	uint64_t value;                         /* the transaction's value at depth 0, else 0 */
	uint64_t gas_left;                      /* gas the call may still use */
};
KR_ABI_OFFSET(struct liba_ctx, depth, 4);
KR_ABI_OFFSET(struct liba_ctx, slot, 8);
KR_ABI_OFFSET(struct liba_ctx, leader, 16);
KR_ABI_OFFSET(struct liba_ctx, parent_state_root, 48);
KR_ABI_OFFSET(struct liba_ctx, sender, 80);
KR_ABI_OFFSET(struct liba_ctx, caller, 112);
KR_ABI_OFFSET(struct liba_ctx, self, 144);
KR_ABI_OFFSET(struct liba_ctx, value, 176);
KR_ABI_OFFSET(struct liba_ctx, gas_left, 184);
KR_ABI_SIZE(struct liba_ctx, 192);

/* The context; cannot fail.  Gas: context (base). */
struct liba_ctx liba_ctx(void);

/* ---- Calling another contract ---- */

/*
 * Call method (a NUL-terminated C identifier) of the contract at to with
 * args[0..alen), forwarding at most gas: min(gas, 63/64 of the gas left
 * after this call's own charge), all of that when gas is 0, so the caller
 * always keeps some gas to handle a failed call.  The callee runs with its
 * own storage, caller = this contract, value 0, and its own journal layer,
 * merged into this call's layer if it succeeds and discarded otherwise
 * (its logs too).  The gas it used is charged whatever its outcome; what
 * it did not use comes back.
 *
 * Returns the length n of the callee's return data (0..LIBA_RET_MAX),
 * with its first min(n, rcap) bytes copied to ret (ret NULL, rcap 0:
 * none), or:
 *   LIBA_EREVERTED, LIBA_EOUTOFGAS, LIBA_EFAULTED  the callee ran and
 *	failed (ret holds its revert reason, as far as rcap allows);
 *   KR_EBUSY     REENTRANCY: the contract at to is already on the call
 *	stack (this contract itself included), so A -> B -> A and A -> A are
 *	refused before anything runs.  A contract therefore never sees a call
 *	into itself while one of its methods is running, and needs no guard;
 *   KR_ENOENT    no contract at to;
 *   KR_EUNKNOWN  the contract has no such method;
 *   KR_EINVAL    method is not an identifier of 1..LIBA_METHOD_MAX bytes,
 *	or alen is above LIBA_ARGS_MAX;
 *   KR_ENOSPC    LIBA_CALL_DEPTH_MAX contracts are already on the stack.
 * The refusals (KR_*) charge only this call's own gas.  A method called
 * from a read-only call is read-only too.  Gas: call (base + per argument
 * and return byte) + what the callee used.
 */
long liba_call(const uint8_t to[LIBA_ADDR_LEN], const char *method, const void *args,
	       uint32_t alen, void *ret, uint32_t rcap, uint64_t gas);

/* ---- Ending a call ---- */

/* Set the method's return data to buf[0..n), replacing what an earlier
 * liba_return set; it is returned when the method returns 0.  0, or
 * KR_ERANGE n above LIBA_RET_MAX (the return data is unchanged).  Gas:
 * return (base + per byte). */
long liba_return(const void *buf, uint32_t n);

/* End the call now, discarding its storage writes and logs (and those of
 * the contracts it called), with the NUL-terminated reason (its first
 * LIBA_RET_MAX bytes) as the receipt's revert reason, or, in a called
 * contract, as LIBA_EREVERTED's ret.  The gas used so far is charged.
 * Gas: revert (base + per byte). */
LIBA_NORETURN void liba_revert(const char *reason);

#endif
