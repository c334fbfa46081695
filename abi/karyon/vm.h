/*
 * vm.h - the contract VM's wire formats (issue 18), pinned: transactions,
 * blocks, receipts and their logs, and how their hashes, the receipts root
 * and a contract's address are computed.  docs/contracts-format.md
 * describes every byte.  One codec (modules/vm/codec.c) encodes and
 * decodes them for the vm module, tools/chain and the tests alike, so
 * every machine computes the same bytes and hashes.
 *
 * Every multi-byte field is little-endian and there is no padding between
 * the parts of an encoding: a fixed header (a struct below, pinned by
 * KR_ABI_SIZE/KR_ABI_OFFSET) followed by its variable-length parts.
 * Reserved fields and flag bits are written as zero and a decoder refuses
 * anything else, so version 1 can grow without a reader misreading bytes
 * it does not understand.
 *
 *	tx      = struct kr_vm_tx_hdr (96) + method (method_len) + args (args_len)
 *	block   = struct kr_vm_block_hdr (88) + tx_count transactions (body_len bytes)
 *	receipt = struct kr_vm_receipt_hdr (24) + ret (ret_len)
 *		  + log_count logs
 *	log     = struct kr_vm_log_hdr (40) + topic_count x 32 + data (data_len)
 *
 * Hashes are BLAKE2b-256 (<karyon/hash.h>) over the canonical encoding,
 * which is the only encoding a decoder accepts:
 *	tx hash      = BLAKE2b-256(tx bytes)
 *	block hash   = BLAKE2b-256(block bytes: header and every transaction)
 *	receipt hash = BLAKE2b-256(receipt bytes)
 *	receipts root: a binary Merkle tree over the receipt hashes in
 *		transaction order; node = BLAKE2b-256(0x01 || left || right);
 *		an odd node at the end of a level moves up unchanged; one
 *		receipt: its hash; none: 32 zero bytes.
 *	address      = BLAKE2b-256("karyon-vm-addr" (14 bytes) || deployer (32)
 *		|| code hash (32) || nonce (8, LE)), code hash = BLAKE2b-256 of
 *		the deploy transaction's args (the contract's C source).
 */
#ifndef KARYON_VM_H
#define KARYON_VM_H

#include <karyon/abi.h>

#define KR_VM_ADDR_LEN        32        /* an account or contract address */
#define KR_VM_HASH_LEN        32        /* BLAKE2b-256 */

/* ---- Transactions ---- */

/* method: a C identifier ([A-Za-z_][A-Za-z0-9_]*), 1..31 bytes, not
 * NUL-terminated: the LIBA_METHOD the call runs, or, for a deploy (to is
 * all zero), the contract's name.  args: the method's argument bytes, or,
 * for a deploy, the contract's C source. */
#define KR_VM_TX_HDR_SIZE     96
#define KR_VM_METHOD_MAX      31
#define KR_VM_ARGS_MAX        65536     /* policy: a longer args_len is malformed */
/* policy: a transaction's gas_limit, at most (a block's gas is the sum of its
 * transactions'); about 10^10 guest instructions, minutes under TCG. */
#define KR_VM_GAS_MAX         1000000000ull
#define KR_VM_TX_MAX          (KR_VM_TX_HDR_SIZE + KR_VM_METHOD_MAX + KR_VM_ARGS_MAX)

struct kr_vm_tx_hdr {
	uint8_t  from[KR_VM_ADDR_LEN];  /* the sender */
	uint8_t  to[KR_VM_ADDR_LEN];    /* the contract called; all zero: a deploy */
	uint64_t nonce;                 /* the sender's transaction count before this one */
	uint64_t value;                 /* units moved from the sender to the callee */
	uint64_t gas_limit;             /* the most gas the transaction may use */
	uint8_t  method_len;            /* 1..KR_VM_METHOD_MAX */
	uint8_t  reserved[3];           /* zero */
	uint32_t args_len;              /* 0..KR_VM_ARGS_MAX */
};
KR_ABI_OFFSET(struct kr_vm_tx_hdr, to, 32);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, nonce, 64);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, value, 72);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, gas_limit, 80);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, method_len, 88);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, reserved, 89);
KR_ABI_OFFSET(struct kr_vm_tx_hdr, args_len, 92);
KR_ABI_SIZE(struct kr_vm_tx_hdr, KR_VM_TX_HDR_SIZE);

/* ---- Blocks ---- */

#define KR_VM_BLOCK_MAGIC     0x424D564Bu       /* "KVMB" in the file */
#define KR_VM_BLOCK_VERSION   1
#define KR_VM_BLOCK_HDR_SIZE  88
#define KR_VM_BLOCK_TX_MAX    4096              /* policy: transactions per block */
#define KR_VM_BLOCK_BODY_MAX  (16u << 20)       /* policy: bytes of transactions */
#define KR_VM_BLOCK_F_KNOWN   0                 /* no flag is defined in version 1 */

struct kr_vm_block_hdr {
	uint32_t magic;                         /* KR_VM_BLOCK_MAGIC */
	uint16_t version;                       /* KR_VM_BLOCK_VERSION */
	uint16_t flags;                         /* zero (KR_VM_BLOCK_F_KNOWN) */
	uint64_t slot;                          /* the block's slot number */
	uint8_t  leader[KR_VM_ADDR_LEN];        /* the leader that produced it */
	uint8_t  parent_state_root[KR_VM_HASH_LEN]; /* the state root it executes on */
	uint32_t tx_count;                      /* 0..KR_VM_BLOCK_TX_MAX */
	uint32_t body_len;                      /* bytes of transactions after the header */
};
KR_ABI_OFFSET(struct kr_vm_block_hdr, version, 4);
KR_ABI_OFFSET(struct kr_vm_block_hdr, flags, 6);
KR_ABI_OFFSET(struct kr_vm_block_hdr, slot, 8);
KR_ABI_OFFSET(struct kr_vm_block_hdr, leader, 16);
KR_ABI_OFFSET(struct kr_vm_block_hdr, parent_state_root, 48);
KR_ABI_OFFSET(struct kr_vm_block_hdr, tx_count, 80);
KR_ABI_OFFSET(struct kr_vm_block_hdr, body_len, 84);
KR_ABI_SIZE(struct kr_vm_block_hdr, KR_VM_BLOCK_HDR_SIZE);

/* ---- Receipts ---- */

/* What became of a transaction.  Only KR_VM_OK keeps its storage writes
 * and logs (a receipt with another status has no logs); every status but
 * REFUSED charges the gas used. */
enum kr_vm_status {
	KR_VM_OK         = 0,   /* ran to the end: ret is the return data */
	KR_VM_REVERT     = 1,   /* the contract called revert(reason): ret is the reason */
	KR_VM_OUT_OF_GAS = 2,   /* gas_limit reached: ret is a reason from the VM */
	KR_VM_FAULT      = 3,   /* a trap in the contract (bad access, division by zero...) */
	KR_VM_REFUSED    = 4,   /* never ran: a wrong nonce, no such contract or method, a
				 * refused deploy or a reentrant call; gas_used is 0 */
};
#define KR_VM_STATUS_MAX      KR_VM_REFUSED

#define KR_VM_RECEIPT_MAGIC   0x524D564Bu       /* "KVMR" in the file */
#define KR_VM_RECEIPT_VERSION 1
#define KR_VM_RECEIPT_HDR_SIZE 24
#define KR_VM_RET_MAX         4096      /* policy: return data or reason bytes */
#define KR_VM_LOGS_MAX        64        /* policy: logs per receipt */
#define KR_VM_LOG_HDR_SIZE    40
#define KR_VM_LOG_TOPICS_MAX  4
#define KR_VM_TOPIC_LEN       32
#define KR_VM_LOG_DATA_MAX    1024      /* policy: data bytes per log */
#define KR_VM_RECEIPT_MAX     (KR_VM_RECEIPT_HDR_SIZE + KR_VM_RET_MAX + KR_VM_LOGS_MAX * \
			       (KR_VM_LOG_HDR_SIZE + KR_VM_LOG_TOPICS_MAX * KR_VM_TOPIC_LEN + \
				KR_VM_LOG_DATA_MAX))

struct kr_vm_receipt_hdr {
	uint32_t magic;         /* KR_VM_RECEIPT_MAGIC */
	uint16_t version;       /* KR_VM_RECEIPT_VERSION */
	uint8_t  status;        /* enum kr_vm_status */
	uint8_t  reserved;      /* zero */
	uint64_t gas_used;
	uint32_t ret_len;       /* 0..KR_VM_RET_MAX */
	uint16_t log_count;     /* 0..KR_VM_LOGS_MAX; 0 unless status is KR_VM_OK */
	uint16_t reserved2;     /* zero */
};
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, version, 4);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, status, 6);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, reserved, 7);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, gas_used, 8);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, ret_len, 16);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, log_count, 20);
KR_ABI_OFFSET(struct kr_vm_receipt_hdr, reserved2, 22);
KR_ABI_SIZE(struct kr_vm_receipt_hdr, KR_VM_RECEIPT_HDR_SIZE);

struct kr_vm_log_hdr {
	uint8_t  address[KR_VM_ADDR_LEN];       /* the contract that emitted it */
	uint8_t  topic_count;                   /* 0..KR_VM_LOG_TOPICS_MAX */
	uint8_t  reserved[3];                   /* zero */
	uint32_t data_len;                      /* 0..KR_VM_LOG_DATA_MAX */
};
KR_ABI_OFFSET(struct kr_vm_log_hdr, topic_count, 32);
KR_ABI_OFFSET(struct kr_vm_log_hdr, reserved, 33);
KR_ABI_OFFSET(struct kr_vm_log_hdr, data_len, 36);
KR_ABI_SIZE(struct kr_vm_log_hdr, KR_VM_LOG_HDR_SIZE);

/* ---- Hashing ---- */

#define KR_VM_NODE_PREFIX     0x01              /* receipts-root inner nodes */
#define KR_VM_ADDR_DOMAIN     "karyon-vm-addr"  /* 14 bytes, no NUL hashed */
#define KR_VM_ADDR_DOMAIN_LEN 14

/* ---- Storage (the journal and the state tree) ---- */

/* A storage key is 1..KR_VM_KEY_MAX bytes in a contract's namespace; a
 * value is 1..KR_VM_VALUE_MAX bytes (an empty value is a delete). */
#define KR_VM_KEY_MAX         128
#define KR_VM_VALUE_MAX       1024

/* ---- A block's results, as the vm module keeps them ---- */

/* /var/vm/blocks/N.res beside N.blk (the block's bytes): what executing
 * block N gave, checked at every replay (boot, `vm verify`).  The struct
 * is the file, little-endian; a reader refuses another size, magic,
 * version or a nonzero reserved field. */
#define KR_VM_RESULT_MAGIC    0x584D564Bu       /* "KVMX" in the file */
#define KR_VM_RESULT_VERSION  1

struct kr_vm_result {
	uint32_t magic;                         /* KR_VM_RESULT_MAGIC */
	uint16_t version;                       /* KR_VM_RESULT_VERSION */
	uint16_t reserved;                      /* zero */
	uint64_t height;                        /* N: 1 for the first block */
	uint64_t slot;
	uint64_t gas;                           /* the sum of the receipts' gas_used */
	uint32_t txs;                           /* transactions */
	uint32_t ok;                            /* of which status KR_VM_OK */
	uint8_t  block_hash[KR_VM_HASH_LEN];
	uint8_t  state_root[KR_VM_HASH_LEN];    /* after the block */
	uint8_t  receipts_root[KR_VM_HASH_LEN];
};
KR_ABI_OFFSET(struct kr_vm_result, height, 8);
KR_ABI_OFFSET(struct kr_vm_result, txs, 32);
KR_ABI_OFFSET(struct kr_vm_result, block_hash, 40);
KR_ABI_SIZE(struct kr_vm_result, 136);

#endif
