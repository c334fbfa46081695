/*
 * liba_call.h - one liba system call of a running contract, decoded and
 * handed to the VM's host functions (liba_call.c): the one definition of
 * which arguments are 32-bit, what is copied in before the host function
 * runs and out after it, within which bounds (<karyon/contract.h>,
 * "Determinism"), shared by the kernel's runner (contract_run.c) and the
 * host's (tools/chain/hostrun_run.c), so both give the same host calls for
 * the same contract.  Each runner supplies how to reach the contract's
 * memory and where its gas counter is.  Pure code.
 */
#ifndef KARYON_TCC_LIBA_CALL_H
#define KARYON_TCC_LIBA_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/contract.h>

#define LIBA_CALL_FIRST 124     /* liba_get */
#define LIBA_CALL_LAST  132     /* liba_revert */

/* What a failed callee's liba_call returns (LIBA_E*, <liba.h>). */
#define LIBA_CALLEE_FAILED_LO (-1003)
#define LIBA_CALLEE_FAILED_HI (-1001)

/* The larger buffers a call needs. */
#define LIBA_SMALL_SIZE (KR_VM_LOG_TOPICS_MAX * KR_VM_TOPIC_LEN > KR_VM_KEY_MAX ? \
			 KR_VM_LOG_TOPICS_MAX * KR_VM_TOPIC_LEN : KR_VM_KEY_MAX)
#define LIBA_BIG_SIZE   KR_CONTRACT_HASH_MAX
#define LIBA_OUT_SIZE   (KR_VM_VALUE_MAX > KR_VM_RET_MAX ? KR_VM_VALUE_MAX : KR_VM_RET_MAX)

struct liba_io {
	void *ctx;
	/* Copy n bytes between the contract's p and buf (to_user: into the
	 * contract): false when they are not all its memory (writable, for
	 * to_user); the runner has then ended the run FAULTED naming call's
	 * argument arg. */
	bool (*xfer)(void *ctx, const char *call, int arg, uint64_t p, void *buf, uint64_t n,
		     bool to_user);
	/* A NUL-terminated string at p, at most max bytes with its NUL, into
	 * buf (*n: its length, max with no NUL in max bytes); false as xfer. */
	bool (*xstr)(void *ctx, const char *call, int arg, uint64_t p, char *buf, size_t max,
		     size_t *n);
	/* The gas the run has left (the counter). */
	uint64_t (*gas)(void *ctx);
	/* After a host function: gas back into the counter and ret's stop
	 * (KR_CONTRACT_STOP_*) as the run's end. */
	void (*done)(void *ctx, uint64_t gas, long ret);
	/* Has the run ended (a fault, a stop)? */
	bool (*ended)(void *ctx);
	/* liba_revert came back: the run ends REVERTED if it had not ended. */
	void (*reverted)(void *ctx);
	uint64_t rsp;                   /* the contract's stack pointer at the call */
	uint8_t *small, *big, *out;     /* LIBA_SMALL_SIZE, LIBA_BIG_SIZE, LIBA_OUT_SIZE */
};

/* System call nr (LIBA_CALL_FIRST..LIBA_CALL_LAST) with its six argument
 * registers in: the value for rax (meaningless once the run has ended). */
long liba_call_run(const struct liba_io *io, const struct kr_contract_host *host, void *hctx,
		   uint64_t nr, const uint64_t in[6]);

#endif
