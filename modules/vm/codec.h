/*
 * codec.h - the contract VM's codec (codec.c): transactions, blocks and
 * receipts (karyon/vm.h) to and from bytes, their hashes, the receipts
 * root and contract addresses.  One source for the kernel module, the host
 * tool (tools/chain) and the tests.  Pure: no allocation, little stack.
 *
 * Decoded things are views: their pointers lie in the decoded buffer and
 * are valid as long as it is.  The same structs describe what to encode.
 * Every decoder checks every field before it writes any result (decode,
 * then invoke), never reads past the bytes it was given, and refuses any
 * encoding but the canonical one, so whatever decodes encodes back to the
 * same bytes and hashes the same everywhere.  On a refusal the result is
 * untouched and *why (when why is not NULL) names the failed check, a
 * constant string (VM_WHY_*).
 */
#ifndef VM_CODEC_H
#define VM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vm.h>

struct vm_tx {
	const uint8_t *from;            /* KR_VM_ADDR_LEN bytes */
	const uint8_t *to;              /* KR_VM_ADDR_LEN bytes; all zero: a deploy */
	uint64_t nonce;
	uint64_t value;
	uint64_t gas_limit;
	const char *method;             /* method_len bytes, no NUL */
	uint8_t method_len;
	const uint8_t *args;            /* args_len bytes */
	uint32_t args_len;
	const uint8_t *raw;             /* decoded: the encoding (size bytes) */
	size_t size;
};

struct vm_block {
	uint64_t slot;
	const uint8_t *leader;                  /* KR_VM_ADDR_LEN bytes */
	const uint8_t *parent_state_root;       /* KR_VM_HASH_LEN bytes */
	uint32_t tx_count;
	const uint8_t *body;                    /* decoded: the transactions, body_len bytes */
	uint32_t body_len;
	const uint8_t *raw;                     /* decoded: the whole block, size bytes */
	size_t size;
};

/* Walks a decoded block's transactions in place (vm_block_next). */
struct vm_block_iter {
	const uint8_t *p;
	size_t left;
	uint32_t count;
};

struct vm_log {
	const uint8_t *address;         /* KR_VM_ADDR_LEN bytes */
	uint8_t topic_count;
	const uint8_t *topics;          /* topic_count x KR_VM_TOPIC_LEN bytes */
	const uint8_t *data;            /* data_len bytes */
	uint32_t data_len;
	size_t size;                    /* decoded: the log's bytes */
};

struct vm_receipt {
	uint8_t status;                 /* enum kr_vm_status */
	uint64_t gas_used;
	const uint8_t *ret;             /* return data (OK) or reason, ret_len bytes */
	uint32_t ret_len;
	uint16_t log_count;
	const struct vm_log *logs;      /* to encode: log_count logs (decode leaves it NULL) */
	const uint8_t *logs_raw;        /* decoded: the logs' bytes, for vm_receipt_log_next */
	size_t logs_len;
	const uint8_t *raw;             /* decoded: the whole receipt, size bytes */
	size_t size;
};

struct vm_log_iter {
	const uint8_t *p;
	size_t left;
	uint16_t count;
};

/* ---- Transactions ---- */

/* The bytes tx encodes to, or 0 when a field is out of its limits. */
size_t vm_tx_size(const struct vm_tx *tx);

/* Encode tx at buf (cap bytes): *out_len = its size.  KR_EINVAL: a NULL
 * pointer, a method that is not an identifier; KR_ERANGE: a length over
 * its limit; KR_ENOSPC: cap too small.  Nothing written on an error. */
kr_err_t vm_tx_encode(void *buf, size_t cap, const struct vm_tx *tx, size_t *out_len);

/* Decode the transaction that is exactly buf's len bytes.  KR_ETRUNC:
 * fewer bytes than it says; KR_EFORMAT: a bad field or trailing bytes;
 * KR_EINVAL: a NULL buf or out. */
kr_err_t vm_tx_decode(const void *buf, size_t len, struct vm_tx *out, const char **why);

/* out = BLAKE2b-256 of a decoded (or encoded: raw set) transaction. */
kr_err_t vm_tx_hash(const struct vm_tx *tx, uint8_t out[KR_VM_HASH_LEN]);

/* ---- Blocks ---- */

/* Encode a block of n transactions (n <= KR_VM_BLOCK_TX_MAX) at buf:
 * b's slot, leader and parent_state_root (its tx_count and body are
 * ignored).  Errors as vm_tx_encode's. */
kr_err_t vm_block_encode(void *buf, size_t cap, const struct vm_block *b,
			 const struct vm_tx *txs, uint32_t n, size_t *out_len);

/* Decode the block that is exactly buf's len bytes: the header, then
 * every transaction is checked (each must decode, tx_count of them must
 * fill body_len exactly) before *out is written.  Errors as
 * vm_tx_decode's; a transaction's refusal keeps its reason. */
kr_err_t vm_block_decode(const void *buf, size_t len, struct vm_block *out, const char **why);

/* Iterate a block from vm_block_decode: vm_block_next gives its
 * transactions in order as views into its bytes (no copy), true while
 * there is one. */
void vm_block_iter_init(struct vm_block_iter *it, const struct vm_block *b);
bool vm_block_next(struct vm_block_iter *it, struct vm_tx *tx);

kr_err_t vm_block_hash(const struct vm_block *b, uint8_t out[KR_VM_HASH_LEN]);

/* ---- Receipts ---- */

size_t vm_receipt_size(const struct vm_receipt *r);
kr_err_t vm_receipt_encode(void *buf, size_t cap, const struct vm_receipt *r, size_t *out_len);
kr_err_t vm_receipt_decode(const void *buf, size_t len, struct vm_receipt *out,
			   const char **why);
void vm_receipt_log_iter_init(struct vm_log_iter *it, const struct vm_receipt *r);
bool vm_receipt_log_next(struct vm_log_iter *it, struct vm_log *log);
kr_err_t vm_receipt_hash(const struct vm_receipt *r, uint8_t out[KR_VM_HASH_LEN]);

/* ---- Receipts root ---- */

/* The Merkle root of karyon/vm.h, one leaf at a time: a stack of the
 * perfect subtrees seen so far (folding them right to left at the end is
 * the level-by-level tree with odd nodes moved up). */
struct vm_merkle {
	uint8_t stack[64][KR_VM_HASH_LEN];
	uint8_t height[64];
	unsigned depth;
	uint64_t count;
};

void vm_merkle_init(struct vm_merkle *m);
void vm_merkle_add(struct vm_merkle *m, const uint8_t leaf[KR_VM_HASH_LEN]);
void vm_merkle_root(const struct vm_merkle *m, uint8_t out[KR_VM_HASH_LEN]);

/* The receipts root of n receipt hashes (in transaction order). */
void vm_receipts_root(const uint8_t (*hashes)[KR_VM_HASH_LEN], size_t n,
		      uint8_t out[KR_VM_HASH_LEN]);

/* ---- Addresses ---- */

/* The address of the contract deployer deploys with nonce (its deploy
 * transaction's) and C source whose BLAKE2b-256 is code_hash. */
void vm_contract_address(const uint8_t deployer[KR_VM_ADDR_LEN],
			 const uint8_t code_hash[KR_VM_HASH_LEN], uint64_t nonce,
			 uint8_t out[KR_VM_ADDR_LEN]);

/* ---- A block's kept results (struct kr_vm_result, karyon/vm.h) ---- */

#define VM_RESULT_SIZE 136

void vm_result_encode(uint8_t out[VM_RESULT_SIZE], const struct kr_vm_result *r);
/* Exactly VM_RESULT_SIZE bytes with the magic, version 1 and a zero
 * reserved field (KR_ETRUNC / KR_EFORMAT and why otherwise). */
kr_err_t vm_result_decode(const void *buf, size_t len, struct kr_vm_result *out,
			  const char **why);

#define VM_WHY_ARGS         "bad arguments"
#define VM_WHY_SHORT        "truncated"
#define VM_WHY_TRAILING     "trailing bytes"
#define VM_WHY_MAGIC        "bad magic"
#define VM_WHY_VERSION      "bad version"
#define VM_WHY_FLAGS        "unknown flags"
#define VM_WHY_RESERVED     "reserved field not zero"
#define VM_WHY_METHOD_LEN   "method length out of range"
#define VM_WHY_METHOD       "method not an identifier"
#define VM_WHY_ARGS_LEN     "args over max"
#define VM_WHY_TX_COUNT     "tx count over max"
#define VM_WHY_BODY_LEN     "body over max"
#define VM_WHY_COUNT        "tx count does not match body"
#define VM_WHY_STATUS       "unknown status"
#define VM_WHY_RET_LEN      "return data over max"
#define VM_WHY_LOG_COUNT    "log count over max"
#define VM_WHY_LOGS_STATUS  "logs in a receipt that is not ok"
#define VM_WHY_REFUSED_GAS  "gas used by a refused transaction"
#define VM_WHY_TOPICS       "topic count over max"
#define VM_WHY_DATA_LEN     "log data over max"

#endif
