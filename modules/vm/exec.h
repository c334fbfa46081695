/*
 * exec.h - the contract VM's execution (exec.c): blocks of transactions
 * run against the state, each transaction in its own context with its own
 * journal layers, metered on the gas schedule below, with a receipt each;
 * a block ends in a receipts root, a state root and a block hash.
 *
 * Pure code shared by the kernel (modules/vm) and the host (tools/chain):
 * contracts are compiled and run by a runner with the interface of
 * <karyon/contract.h> (the tcc module's "runner.contract" in the kernel,
 * tools/chain/hostrun.c on the host), and every liba call comes back here
 * (struct kr_contract_host), where its cost is charged.  So the same
 * blocks give the same receipts, gas and roots on both.
 *
 * docs/contract-guide.md is the author's view of the same rules.
 */
#ifndef VM_EXEC_H
#define VM_EXEC_H

#include <karyon/cap.h>
#include <karyon/contract.h>
#include "codec.h"
#include "state.h"

/* ---- The gas schedule (docs/contract-guide.md, "Gas schedule") ---- */
#define VM_GAS_TX           1000        /* every transaction */
#define VM_GAS_TX_BYTE      4           /* per byte of method and args */
#define VM_GAS_DEPLOY_BYTE  20          /* a deploy's, per source byte: the compile */
#define VM_GAS_GET          800
#define VM_GAS_GET_BYTE     2           /* per key byte and value byte */
#define VM_GAS_SET          5000        /* replacing a value */
#define VM_GAS_SET_NEW      20000       /* creating a key */
#define VM_GAS_SET_BYTE     16
#define VM_GAS_DEL          5000
#define VM_GAS_DEL_NONE     800         /* there was no such key */
#define VM_GAS_DEL_BYTE     16
#define VM_GAS_LOG          400
#define VM_GAS_LOG_TOPIC    400
#define VM_GAS_LOG_BYTE     8
#define VM_GAS_HASH         60
#define VM_GAS_HASH_BLOCK   12          /* per 128 bytes, at least one */
#define VM_GAS_CTX          40
#define VM_GAS_CALL         2500
#define VM_GAS_CALL_BYTE    2           /* per argument byte and return byte copied */
#define VM_GAS_RET          40
#define VM_GAS_RET_BYTE     1
#define VM_GAS_REVERT       40
#define VM_GAS_REVERT_BYTE  1

#define VM_CALL_DEPTH_MAX   8           /* LIBA_CALL_DEPTH_MAX */
#define VM_WHY_MAX          160

struct vm_logrec {
	uint8_t addr[KR_VM_ADDR_LEN];
	uint8_t ntopics;
	uint8_t topics[KR_VM_LOG_TOPICS_MAX][KR_VM_TOPIC_LEN];
	uint32_t len;
	uint8_t data[KR_VM_LOG_DATA_MAX];
};

struct vm;

struct vm_frame {
	struct vm *vm;
	struct vm_contract *c;
	uint8_t caller[KR_VM_ADDR_LEN];
	unsigned layer;                 /* its journal layer */
	unsigned depth;                 /* 0: the transaction's */
	unsigned log_mark;              /* logs before it began */
	uint32_t ret_len;
	uint8_t ret[KR_VM_RET_MAX];     /* return data, or the revert reason */
};

/* What a block did. */
struct vm_block_result {
	uint64_t height, slot;
	uint32_t txs, ok;               /* transactions, and those with status OK */
	uint64_t gas;                   /* the sum of their gas_used */
	uint8_t block_hash[KR_VM_HASH_LEN];
	uint8_t state_root[KR_VM_HASH_LEN];
	uint8_t receipts_root[KR_VM_HASH_LEN];
};

/* Each receipt as it is made: i-th transaction, its receipt (encoded in
 * r->raw, r->size bytes) and its hash. */
typedef void (*vm_receipt_fn)(void *ctx, uint32_t i, const struct vm_tx *tx,
			      const struct vm_receipt *r, const uint8_t hash[KR_VM_HASH_LEN]);

struct vm {
	struct vm_state st;
	struct vm_journal j;
	const struct kr_contract_ops *run;
	kr_print_fn diag;               /* compile diagnostics, other notes */
	void *dctx;
	uint64_t clock_lru;             /* for evicting the least recently run */
	/* Benchmarks: a clock (the TSC) and what it measured, summed. */
	uint64_t (*clock)(void);
	uint64_t t_ops;                 /* inside liba's calls (but liba_call) */
	uint64_t t_state;               /* applying a block's writes, the state root */
	uint64_t executed;              /* transactions of the blocks kept so far */
	/* Why no block may follow (the state is not what the kept blocks
	 * give: a block's writes failed to apply, a replay stopped), or NULL. */
	const char *broken;
	/* The chain's head. */
	uint64_t height, slot;
	uint8_t head[KR_VM_HASH_LEN];   /* the last block's hash */
	uint8_t root[KR_VM_HASH_LEN];   /* the state root */
	/* The block and transaction being executed. */
	uint64_t b_slot;
	uint8_t b_leader[KR_VM_ADDR_LEN], b_parent[KR_VM_HASH_LEN];
	const struct vm_tx *tx;
	bool readonly;
	bool failed;                    /* the runner failed: the block is abandoned */
	kr_err_t fail_err;
	char fail_why[VM_WHY_MAX];
	unsigned depth;                 /* frames in use */
	struct vm_frame frames[VM_CALL_DEPTH_MAX];
	unsigned nlogs;
	struct vm_logrec logs[KR_VM_LOGS_MAX];
	uint8_t value[KR_VM_VALUE_MAX]; /* a get's whole value */
	uint8_t *rbuf;                  /* a receipt's encoding (KR_VM_RECEIPT_MAX) */
};

/* A VM with the empty state at height 0, running contracts on run. */
kr_err_t vm_open(struct vm **out, const struct kr_contract_ops *run, kr_print_fn diag,
		 void *dctx);
void vm_close(struct vm *vm);

/*
 * Execute the block block[0..len) on the head and, unless dry, keep its
 * result (the state, the head); a dry run leaves everything as it was.
 * KR_EFORMAT: not a well-formed block; KR_EINVAL: its parent state root
 * is not the head's or its slot is not after the head's; KR_EBUSY: the
 * chain is broken (vm->broken); another error: the runner failed (Ctrl-C,
 * memory) and nothing is kept.  why says what.
 */
kr_err_t vm_exec_block(struct vm *vm, const void *block, size_t len, bool dry,
		       struct vm_block_result *out, vm_receipt_fn fn, void *ctx, char *why,
		       size_t whylen);

/* Whether block[0..len) is well formed and can follow the head (as
 * vm_exec_block checks before it runs anything). */
kr_err_t vm_check_block(const struct vm *vm, const void *block, size_t len, char *why,
			size_t whylen);

/* A read-only call of method on to, as sender from, with gas: its receipt
 * through fn (nothing written, every write and log KR_EPERM). */
kr_err_t vm_exec_call(struct vm *vm, const uint8_t from[KR_VM_ADDR_LEN],
		      const uint8_t to[KR_VM_ADDR_LEN], const char *method, const void *args,
		      uint32_t alen, uint64_t gas, vm_receipt_fn fn, void *ctx, char *why,
		      size_t whylen);

/* The nonce account's next transaction must carry. */
uint64_t vm_nonce(struct vm *vm, const uint8_t account[KR_VM_ADDR_LEN]);
/* An account's address from a name: BLAKE2b-256("karyon-vm-account" || name). */
void vm_account(const char *name, uint8_t out[KR_VM_ADDR_LEN]);

#endif
